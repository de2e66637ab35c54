/* api_entity.c - locations, staff, services and customers: list, get,
 * create, update and delete, written once over a description of each.
 *
 * A struct api_entity names the storage struct (its size and field table)
 * and the few calls that differ: the store_* read, the list with its query
 * parameters, booking's save and delete, and the members a table cannot
 * say (the login name of staff and customers). The handlers then run the
 * same steps for all four:
 *
 *   list    read txn: list, encode                                  200
 *   get     read txn: get, encode                                   200
 *   create  defaults, decode (required members), booking save,
 *           read back                                               201 + Location
 *   update  read txn: get, decode over it (members not given keep
 *           their values), booking save, read back                  200
 *   delete  booking delete                                          204
 *
 * Reads go to storage directly (booking has no read calls for these);
 * every write goes through booking, which checks the role and the values.
 * A customer may read only their own customer record (others are 404, as
 * booking answers for bookings they may not see).
 */
#include <string.h>

#include "api_int.h"

struct api_entity {
	const char *plural; /* "locations": the path and the list's member */
	const struct api_fieldset *fields;
	size_t size;             /* of the storage struct */
	void (*init)(void *rec); /* the defaults of a new record */
	/* Inside a read transaction: a STORE_E* code. */
	int (*get)(struct api_ctx *x, int64_t id, void *out);
	/* Inside a read transaction; parses its query: 0 or a status. */
	int (*list)(struct api_ctx *x, void **out, size_t *n);
	/* booking's checked writes: BOOKING_E* codes. */
	int (*save)(struct api_ctx *x, void *rec, int64_t *id);
	int (*del)(struct api_ctx *x, int64_t id);
	/* The API_EXTRA members, inside a read transaction: 0 or a status. */
	int (*extra_in)(struct api_ctx *x, json_t *obj, void *rec, enum api_mode mode);
	int (*extra_out)(struct api_ctx *x, json_t *obj, const void *rec);
};

/* ---- the generic steps ------------------------------------------------------ */

/* The JSON of one record into *out (0), or an error status. */
static int encode(struct api_ctx *x, const struct api_entity *e, const void *rec, json_t **out)
{
	json_t *o = api_encode(e->fields, rec);
	int status = e->extra_out ? e->extra_out(x, o, rec) : 0;

	if (status) {
		json_decref(o);
		return status;
	}
	*out = o;
	return 0;
}

/* Reads record id and encodes it, in a read transaction of its own. */
static int load(struct api_ctx *x, const struct api_entity *e, int64_t id, json_t **out)
{
	void *rec = sd_arena_alloc(x->a, e->size);
	int status, rc;

	if ((status = api_read_begin(x)))
		return status;
	if ((rc = e->get(x, id, rec)))
		status = api_fail_store(x, rc);
	else
		status = encode(x, e, rec, out);
	api_read_end(x);
	return status;
}

int api_entity_list(struct api_ctx *x)
{
	const struct api_entity *e = x->route->arg;
	json_t *arr = json_array(), *o;
	void *recs = NULL;
	size_t n = 0;
	int status;

	if ((status = api_read_begin(x)))
		goto out;
	status = e->list(x, &recs, &n);
	for (size_t i = 0; !status && i < n; i++)
		if (!(status = encode(x, e, (char *)recs + i * e->size, &o)))
			json_array_append_new(arr, o);
	api_read_end(x);
	if (!status)
		return api_reply(x, 200, json_pack("{s:o}", e->plural, arr));
out:
	json_decref(arr);
	return status;
}

int api_entity_get(struct api_ctx *x)
{
	json_t *o;
	int status = load(x, x->route->arg, x->id[0], &o);

	return status ? status : api_reply(x, 200, o);
}

/* Decodes the body over rec (and its extra members in a read transaction). */
static int decode(struct api_ctx *x, const struct api_entity *e, void *rec, enum api_mode mode)
{
	json_t *obj;
	int status;

	if ((status = api_body_object(x, 0, &obj)) ||
	    (status = api_decode(x, obj, e->fields, rec, mode)) || !e->extra_in)
		return status;
	if ((status = api_read_begin(x)))
		return status;
	status = e->extra_in(x, obj, rec, mode);
	api_read_end(x);
	return status;
}

int api_entity_create(struct api_ctx *x)
{
	const struct api_entity *e = x->route->arg;
	void *rec = sd_arena_alloc(x->a, e->size);
	int64_t id = 0;
	json_t *o;
	int status, rc;

	e->init(rec);
	if ((status = decode(x, e, rec, API_CREATE)))
		return status;
	if ((rc = e->save(x, rec, &id)))
		return api_fail_booking(x, rc);
	if ((status = load(x, e, id, &o)))
		return status;
	return api_reply_created(x, sd_arena_printf(x->a, "/%s/%lld", e->plural, (long long)id), o);
}

int api_entity_update(struct api_ctx *x)
{
	const struct api_entity *e = x->route->arg;
	void *rec = sd_arena_alloc(x->a, e->size);
	int64_t id = x->id[0];
	json_t *o;
	int status, rc;

	if ((status = api_read_begin(x)))
		return status;
	rc = e->get(x, id, rec);
	api_read_end(x);
	if (rc)
		return api_fail_store(x, rc);
	if ((status = decode(x, e, rec, API_UPDATE)))
		return status;
	if ((rc = e->save(x, rec, &id)))
		return api_fail_booking(x, rc);
	if ((status = load(x, e, x->id[0], &o)))
		return status;
	return api_reply(x, 200, o);
}

int api_entity_delete(struct api_ctx *x)
{
	const struct api_entity *e = x->route->arg;
	int rc = e->del(x, x->id[0]);

	return rc ? api_fail_booking(x, rc) : 204;
}

/* ---- logins: the "user" member of staff and customers --------------------- */

/* The user_id of login name (a 404 naming "user" if there is none). */
static int user_by_name(struct api_ctx *x, const char *name, int64_t *id)
{
	struct store_user u;
	int rc = store_user_get(x->conn, name, x->a, &u, &x->err);

	if (rc == STORE_ENOTFOUND)
		return api_fail(x, 404, booking_code_name(BOOKING_ENOTFOUND), "user",
		                "there is no user \"%s\"", name);
	if (rc)
		return api_fail_store(x, rc);
	*id = u.id;
	return 0;
}

/* "user": the login name of user_id, or null. */
static int user_out(struct api_ctx *x, json_t *obj, int64_t user_id)
{
	struct store_user u;
	int rc =
	    user_id ? store_user_get_by_id(x->conn, user_id, x->a, &u, &x->err) : STORE_ENOTFOUND;

	if (rc && rc != STORE_ENOTFOUND)
		return api_fail_store(x, rc);
	json_object_set_new(obj, "user", rc ? json_null() : json_string(u.name));
	return 0;
}

/* A string "user" into *user_id; null clears it when nullable. */
static int user_in(struct api_ctx *x, json_t *obj, int64_t *user_id, int nullable)
{
	json_t *v = json_object_get(obj, "user");

	if (!v)
		return 0;
	if (json_is_null(v) && nullable) {
		*user_id = 0;
		return 0;
	}
	if (!json_is_string(v))
		return api_invalid(x, "user", "\"user\" must be a login name%s",
		                   nullable ? " or null" : "");
	return user_by_name(x, json_string_value(v), user_id);
}

/* ---- locations -------------------------------------------------------------- */

static void location_init(void *rec)
{
	struct store_location *l = rec;

	l->name = l->address = l->timezone = l->email = l->rules = "";
}

static int location_get(struct api_ctx *x, int64_t id, void *out)
{
	return store_location_get(x->conn, id, x->a, out, &x->err);
}

static int location_list(struct api_ctx *x, void **out, size_t *n)
{
	struct store_location *l = NULL;
	int status, rc;

	if ((status = api_query(x, NULL, 0)))
		return status;
	if ((rc = store_location_list(x->conn, x->a, &l, n, &x->err)))
		return api_fail_store(x, rc);
	*out = l;
	return 0;
}

static int location_save(struct api_ctx *x, void *rec, int64_t *id)
{
	return booking_location_save(&x->bx, rec, id, &x->err);
}

static int location_del(struct api_ctx *x, int64_t id)
{
	return booking_location_delete(&x->bx, id, &x->err);
}

const struct api_entity api_locations = {
	.plural = "locations",
	.fields = &api_location_fields,
	.size = sizeof(struct store_location),
	.init = location_init,
	.get = location_get,
	.list = location_list,
	.save = location_save,
	.del = location_del,
};

/* ---- staff ------------------------------------------------------------------- */

static void staff_init(void *rec)
{
	struct store_staff *s = rec;

	s->name = s->email = "";
	s->active = 1;
}

static int staff_get(struct api_ctx *x, int64_t id, void *out)
{
	return store_staff_get(x->conn, id, x->a, out, &x->err);
}

static int staff_list(struct api_ctx *x, void **out, size_t *n)
{
	int64_t location_id = 0;
	struct api_param p[] = { { "location_id", API_P_ID, &location_id, 0 } };
	struct store_staff *s = NULL;
	int status, rc;

	if ((status = api_query(x, p, 1)))
		return status;
	if ((rc = store_staff_list(x->conn, location_id, x->a, &s, n, &x->err)))
		return api_fail_store(x, rc);
	*out = s;
	return 0;
}

static int staff_save(struct api_ctx *x, void *rec, int64_t *id)
{
	return booking_staff_save(&x->bx, rec, id, &x->err);
}

static int staff_del(struct api_ctx *x, int64_t id)
{
	return booking_staff_delete(&x->bx, id, &x->err);
}

/* The login: "user" or "user_id", fixed once made; the name defaults to
 * the user's display name, else the login. */
static int staff_in(struct api_ctx *x, json_t *obj, void *rec, enum api_mode mode)
{
	struct store_staff *s = rec, old;
	struct store_user u;
	int status, rc;

	if ((status = user_in(x, obj, &s->user_id, 0)))
		return status;
	if (mode == API_UPDATE) {
		if ((rc = store_staff_get(x->conn, x->id[0], x->a, &old, &x->err)))
			return api_fail_store(x, rc);
		if (s->user_id != old.user_id)
			return api_invalid(x, "user", "the login of a staff member cannot change");
		return 0;
	}
	if (!s->user_id)
		return api_invalid(x, "user", "\"user\" (a login name) or \"user_id\" is required");
	if (json_object_get(obj, "name"))
		return 0;
	rc = store_user_get_by_id(x->conn, s->user_id, x->a, &u, &x->err);
	if (rc == STORE_ENOTFOUND)
		return api_fail(x, 404, booking_code_name(BOOKING_ENOTFOUND), "user_id",
		                "there is no user %lld", (long long)s->user_id);
	if (rc)
		return api_fail_store(x, rc);
	s->name = *u.displayname ? u.displayname : u.name;
	return 0;
}

static int staff_out(struct api_ctx *x, json_t *obj, const void *rec)
{
	const struct store_staff *s = rec;

	return user_out(x, obj, s->user_id);
}

const struct api_entity api_staff = {
	.plural = "staff",
	.fields = &api_staff_fields,
	.size = sizeof(struct store_staff),
	.init = staff_init,
	.get = staff_get,
	.list = staff_list,
	.save = staff_save,
	.del = staff_del,
	.extra_in = staff_in,
	.extra_out = staff_out,
};

/* ---- services ---------------------------------------------------------------- */

static void service_init(void *rec)
{
	struct store_service *s = rec;

	s->name = s->description = s->rules = "";
	s->active = 1;
}

static int service_get(struct api_ctx *x, int64_t id, void *out)
{
	return store_service_get(x->conn, id, x->a, out, &x->err);
}

static int service_list(struct api_ctx *x, void **out, size_t *n)
{
	int64_t location_id = 0;
	struct api_param p[] = { { "location_id", API_P_ID, &location_id, 0 } };
	struct store_service *s = NULL;
	int status, rc;

	if ((status = api_query(x, p, 1)))
		return status;
	if ((rc = store_service_list(x->conn, location_id, x->a, &s, n, &x->err)))
		return api_fail_store(x, rc);
	*out = s;
	return 0;
}

static int service_save(struct api_ctx *x, void *rec, int64_t *id)
{
	return booking_service_save(&x->bx, rec, id, &x->err);
}

static int service_del(struct api_ctx *x, int64_t id)
{
	return booking_service_delete(&x->bx, id, &x->err);
}

const struct api_entity api_services = {
	.plural = "services",
	.fields = &api_service_fields,
	.size = sizeof(struct store_service),
	.init = service_init,
	.get = service_get,
	.list = service_list,
	.save = service_save,
	.del = service_del,
};

/* ---- customers -------------------------------------------------------------- */

static void customer_init(void *rec)
{
	struct store_customer *c = rec;

	c->name = c->email = c->phone = "";
}

static int customer_get(struct api_ctx *x, int64_t id, void *out)
{
	if (x->actor.role == BOOKING_ROLE_CUSTOMER && id != x->actor.customer_id)
		return STORE_ENOTFOUND;
	return store_customer_get(x->conn, id, x->a, out, &x->err);
}

static int customer_list(struct api_ctx *x, void **out, size_t *n)
{
	const char *q = "";
	int limit = API_LIST_LIMIT;
	struct api_param p[] = { { "q", API_P_STR, &q, 0 }, { "limit", API_P_INT, &limit, 0 } };
	struct store_customer *c = NULL;
	int status, rc;

	if ((status = api_query(x, p, 2)))
		return status;
	if (limit <= 0 || limit > API_LIST_LIMIT_MAX)
		limit = API_LIST_LIMIT_MAX;
	if ((rc = store_customer_search(x->conn, q, limit, x->a, &c, n, &x->err)))
		return api_fail_store(x, rc);
	*out = c;
	return 0;
}

static int customer_save(struct api_ctx *x, void *rec, int64_t *id)
{
	return booking_customer_save(&x->bx, rec, id, &x->err);
}

static int customer_del(struct api_ctx *x, int64_t id)
{
	return booking_customer_delete(&x->bx, id, &x->err);
}

static int customer_in(struct api_ctx *x, json_t *obj, void *rec, enum api_mode mode)
{
	struct store_customer *c = rec;

	return user_in(x, obj, &c->user_id, 1);
}

static int customer_out(struct api_ctx *x, json_t *obj, const void *rec)
{
	const struct store_customer *c = rec;

	return user_out(x, obj, c->user_id);
}

const struct api_entity api_customers = {
	.plural = "customers",
	.fields = &api_customer_fields,
	.size = sizeof(struct store_customer),
	.init = customer_init,
	.get = customer_get,
	.list = customer_list,
	.save = customer_save,
	.del = customer_del,
	.extra_in = customer_in,
	.extra_out = customer_out,
};
