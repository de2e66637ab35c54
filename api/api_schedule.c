/* api_schedule.c - what availability is made of: a staff member's weekly
 * working hours and dated exceptions, and the rule sets of locations and
 * services.
 *
 * Working hours are read and replaced per (staff member, location): PUT
 * sends the whole weekly schedule at one location as an array of
 * {"weekday": 1..7, "start": "09:00", "end": "17:00"}, and booking checks
 * it (days, order, overlaps). Exceptions are added and deleted one by one;
 * a day's exception without start and end covers the whole day.
 *
 * Rule sets: a location's rules are the defaults of its services, a
 * service's rules override them. GET shows both what is set here ("rules")
 * and what applies ("effective"). PUT merges the body into what is set,
 * as a JSON merge patch (RFC 7396): a member with a value sets that rule,
 * one with null removes it (the default, or the location's value, applies
 * again). booking validates the result when it saves the owner.
 */
#include <stdlib.h>
#include <string.h>

#include "api_int.h"

#define DAY_MIN_ALL (-1000000) /* an exception list unbounded in practice */
#define DAY_MAX_ALL 1000000

/* Staff member id exists (inside a read transaction): 0 or an error status. */
static int staff_exists(struct api_ctx *x, int64_t id)
{
	struct store_staff s;
	int rc = store_staff_get(x->conn, id, x->a, &s, &x->err);

	return rc ? api_fail_store(x, rc) : 0;
}

/* ---- working hours ---------------------------------------------------------- */

int api_hours_get(struct api_ctx *x)
{
	int64_t staff_id = x->id[0], location_id = 0;
	struct api_param p[] = { { "location_id", API_P_ID, &location_id, 0 } };
	struct store_hours *rows = NULL;
	size_t n = 0;
	json_t *arr;
	int status, rc;

	if ((status = api_query(x, p, 1)) || (status = api_read_begin(x)))
		return status;
	if (!(status = staff_exists(x, staff_id)) &&
	    (rc = store_hours_get(x->conn, staff_id, location_id, x->a, &rows, &n, &x->err)))
		status = api_fail_store(x, rc);
	api_read_end(x);
	if (status)
		return status;
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_encode(&api_hours_fields, &rows[i]));
	return api_reply(x, 200,
	                 json_pack("{s:I,s:o,s:o}", "staff_id", (json_int_t)staff_id, "location_id",
	                           location_id ? json_integer(location_id) : json_null(), "hours",
	                           arr));
}

/* Names the array item in a decoding error: "[2].start". */
static int item_error(struct api_ctx *x, size_t i, int status)
{
	x->field =
	    sd_arena_printf(x->a, "[%zu]%s%s", i, x->field ? "." : "", x->field ? x->field : "");
	x->message = sd_arena_printf(x->a, "item %zu: %s", i, x->message);
	return status;
}

int api_hours_put(struct api_ctx *x)
{
	int64_t staff_id = x->id[0], location_id = 0;
	struct api_param p[] = { { "location_id", API_P_ID, &location_id, 1 } };
	struct store_hours *rows;
	size_t n;
	int status, rc;

	if ((status = api_query(x, p, 1)))
		return status;
	if (!json_is_array(x->body))
		return api_invalid(
		    x, NULL, "the body must be a JSON array of {\"weekday\", \"start\", \"end\"}");
	n = json_array_size(x->body);
	rows = sd_arena_alloc(x->a, (n ? n : 1) * sizeof(*rows));
	for (size_t i = 0; i < n; i++) {
		json_t *item = json_array_get(x->body, i);

		if (!json_is_object(item))
			return item_error(x, i, api_invalid(x, NULL, "not a JSON object"));
		if ((status = api_decode(x, item, &api_hours_fields, &rows[i], API_CREATE)))
			return item_error(x, i, status);
		rows[i].location_id = location_id;
	}
	if ((rc = booking_hours_set(&x->bx, staff_id, location_id, rows, n, &x->err)))
		return api_fail_booking(x, rc);
	return api_hours_get(x);
}

/* ---- exceptions -------------------------------------------------------------- */

/* The exceptions of staff_id on days [from, to), in a read transaction. */
static int exceptions_read(struct api_ctx *x, int64_t staff_id, int64_t from, int64_t to,
                           struct store_exception **out, size_t *n)
{
	int status, rc;

	if ((status = api_read_begin(x)))
		return status;
	if (!(status = staff_exists(x, staff_id)) &&
	    (rc = store_exception_list(x->conn, staff_id, from, to, x->a, out, n, &x->err)))
		status = api_fail_store(x, rc);
	api_read_end(x);
	return status;
}

static const struct store_exception *exception_find(const struct store_exception *e, size_t n,
                                                    int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (e[i].id == id)
			return &e[i];
	return NULL;
}

int api_exceptions_list(struct api_ctx *x)
{
	int64_t from = DAY_MIN_ALL, to = DAY_MAX_ALL - 1;
	struct api_param p[] = { { "from", API_P_DAY, &from, 0 }, { "to", API_P_DAY, &to, 0 } };
	struct store_exception *e = NULL;
	size_t n = 0;
	json_t *arr;
	int status;

	if ((status = api_query(x, p, 2)) ||
	    (status = exceptions_read(x, x->id[0], from, to + 1, &e, &n)))
		return status;
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_encode(&api_exception_fields, &e[i]));
	return api_reply(
	    x, 200, json_pack("{s:I,s:o}", "staff_id", (json_int_t)x->id[0], "exceptions", arr));
}

int api_exception_create(struct api_ctx *x)
{
	struct store_exception in = { .staff_id = x->id[0], .end_min = 1440, .note = "" },
	                       *e = NULL;
	const struct store_exception *made;
	json_t *obj;
	size_t n = 0;
	int64_t id = 0;
	int status, rc;

	if ((status = api_body_object(x, 0, &obj)) ||
	    (status = api_decode(x, obj, &api_exception_fields, &in, API_CREATE)))
		return status;
	if ((rc = booking_exception_add(&x->bx, &in, &id, &x->err)))
		return api_fail_booking(x, rc);
	if ((status = exceptions_read(x, in.staff_id, in.day, in.day + 1, &e, &n)))
		return status;
	if (!(made = exception_find(e, n, id)))
		return api_fail_store(x, STORE_ENOTFOUND);
	return api_reply_created(x,
	                         sd_arena_printf(x->a, "/staff/%lld/exceptions/%lld",
	                                         (long long)in.staff_id, (long long)id),
	                         api_encode(&api_exception_fields, made));
}

int api_exception_delete(struct api_ctx *x)
{
	struct store_exception *e = NULL;
	size_t n = 0;
	int status, rc;

	/* The id must be one of this staff member's, not just any exception. */
	if ((status = exceptions_read(x, x->id[0], DAY_MIN_ALL, DAY_MAX_ALL, &e, &n)))
		return status;
	if (!exception_find(e, n, x->id[1]))
		return api_fail(x, 404, booking_code_name(BOOKING_ENOTFOUND), NULL,
		                "staff member %lld has no exception %lld", (long long)x->id[0],
		                (long long)x->id[1]);
	if ((rc = booking_exception_delete(&x->bx, x->id[1], &x->err)))
		return api_fail_booking(x, rc);
	return 204;
}

/* ---- rule sets --------------------------------------------------------------- */

/* A location or a service, whichever the route is about. */
struct owner {
	int service;
	struct store_location loc;
	struct store_service svc;
};

static int owner_load(struct api_ctx *x, struct owner *o)
{
	int status, rc;

	o->service = x->route->arg == &api_services;
	if ((status = api_read_begin(x)))
		return status;
	rc = o->service ? store_service_get(x->conn, x->id[0], x->a, &o->svc, &x->err)
	                : store_location_get(x->conn, x->id[0], x->a, &o->loc, &x->err);
	api_read_end(x);
	return rc ? api_fail_store(x, rc) : 0;
}

static const char *owner_rules(const struct owner *o)
{
	const char *r = o->service ? o->svc.rules : o->loc.rules;

	return r ? r : "";
}

/* A rule set's text (booking's encoding: a JSON object) as JSON. */
static json_t *rules_json(const char *text)
{
	json_t *j = text && *text ? json_loads(text, 0, NULL) : json_object();

	if (json_is_object(j))
		return j;
	json_decref(j);
	return json_object();
}

/* What applies: the defaults, the location's, the service's. */
static int effective(struct api_ctx *x, const struct owner *o, json_t **out)
{
	struct booking_rules r;
	int rc;

	if (o->service) {
		rc = booking_rules_for_service(&x->bx, o->svc.id, &r, &x->err);
	} else {
		booking_rules_defaults(&r);
		rc = booking_rules_apply(&r, owner_rules(o), &x->err);
	}
	if (rc)
		return api_fail_booking(x, rc);
	*out = rules_json(booking_rules_encode(x->a, &r));
	return 0;
}

static int rules_reply(struct api_ctx *x, const struct owner *o)
{
	json_t *eff = NULL;
	int status = effective(x, o, &eff);

	if (status)
		return status;
	return api_reply(
	    x, 200, json_pack("{s:o,s:o}", "rules", rules_json(owner_rules(o)), "effective", eff));
}

int api_rules_get(struct api_ctx *x)
{
	struct owner o;
	int status;

	if ((status = api_query(x, NULL, 0)) || (status = owner_load(x, &o)))
		return status;
	return rules_reply(x, &o);
}

int api_rules_put(struct api_ctx *x)
{
	struct owner o;
	json_t *patch, *set, *v;
	const char *key;
	char *text;
	int64_t id;
	int status, rc;

	if ((status = api_body_object(x, 0, &patch)) || (status = owner_load(x, &o)))
		return status;
	set = api_keep(x, rules_json(owner_rules(&o)));
	json_object_foreach (patch, key, v) {
		if (json_is_null(v))
			json_object_del(set, key);
		else
			json_object_set(set, key, v);
	}
	if (!(text = json_dumps(set, JSON_COMPACT | JSON_SORT_KEYS)))
		return api_fail_booking(x, BOOKING_EIO);
	if (o.service)
		o.svc.rules = sd_arena_strdup(x->a, text);
	else
		o.loc.rules = sd_arena_strdup(x->a, text);
	free(text);
	rc = o.service ? booking_service_save(&x->bx, &o.svc, &id, &x->err)
	               : booking_location_save(&x->bx, &o.loc, &id, &x->err);
	if (rc)
		return api_fail_booking(x, rc);
	return rules_reply(x, &o);
}
