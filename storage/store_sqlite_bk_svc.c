/* store_sqlite_bk_svc.c - services and customers in the SQLite backend.
 *
 * A service belongs to one location and has a staff set (service_staff),
 * written with the row in one bracket and read with it through
 * group_concat, like a staff member's locations (store_sqlite_bk_org.c,
 * which also explains how failures map to codes).
 *
 * Customers are found three ways. By login: customers.user_id is UNIQUE, so
 * a login is at most one customer. By email: an exact match, ASCII case
 * folded, through the NOCASE index; several customers may share an address
 * (a family), and the oldest wins. By search: q is a substring of the name,
 * the email or the phone, where the phone is compared as phone_norm (a
 * generated column: the phone without spaces, dashes, dots and
 * parentheses) against q stripped of the same characters. LIKE folds ASCII
 * case only; q's own %, _ and \ are escaped so they match themselves. A
 * substring search cannot use an index: it walks customers_name in name
 * order and stops at the limit, which is what an autocomplete box needs.
 */
#include <stdio.h>
#include <string.h>

#include "sd_util.h"
#include "store_sqlite_int.h"

/* ---- services ---------------------------------------------------------- */

#define SVC_SELECT                                                                            \
	"SELECT id, location_id, name, description, duration_min, buffer_before_min, "        \
	"buffer_after_min, rules, active, created, modified, (SELECT group_concat(staff_id) " \
	"FROM service_staff WHERE service_id = services.id) FROM services"

static const char svc_staff_del_sql[] = "DELETE FROM service_staff WHERE service_id = :owner";
static const char svc_staff_ins_sql[] =
    "INSERT INTO service_staff (service_id, staff_id) VALUES (:owner, :id) "
    "ON CONFLICT DO NOTHING";

static void service_row(sqlite3_stmt *st, struct sd_arena *a, struct store_service *out)
{
	out->id = sqlite3_column_int64(st, 0);
	out->location_id = sqlite3_column_int64(st, 1);
	out->name = store_sq_col_text(st, 2, a);
	out->description = store_sq_col_text(st, 3, a);
	out->duration_min = sqlite3_column_int(st, 4);
	out->buffer_before_min = sqlite3_column_int(st, 5);
	out->buffer_after_min = sqlite3_column_int(st, 6);
	out->rules = store_sq_col_text(st, 7, a);
	out->active = sqlite3_column_int(st, 8);
	out->created = sqlite3_column_int64(st, 9);
	out->modified = sqlite3_column_int64(st, 10);
	out->staff_ids = store_sq_col_ids(st, 11, a, &out->nstaff);
}

static void service_bind(struct sq_stmt *s, const struct store_service *in)
{
	store_sq_bind_i64(s, ":loc", in->location_id);
	store_sq_bind_text(s, ":name", sq_nz(in->name));
	store_sq_bind_text(s, ":description", sq_nz(in->description));
	store_sq_bind_i64(s, ":duration", in->duration_min);
	store_sq_bind_i64(s, ":before", in->buffer_before_min);
	store_sq_bind_i64(s, ":after", in->buffer_after_min);
	store_sq_bind_text(s, ":rules", sq_nz(in->rules));
	store_sq_bind_i64(s, ":active", in->active != 0);
	store_sq_bind_i64(s, ":now", sd_now());
}

int store_sq_service_create(struct store_conn *sc, const struct store_service *in, int64_t *id_out,
                            struct sd_err *err)
{
	static const char sql[] =
	    "INSERT INTO services (location_id, name, description, duration_min, "
	    "buffer_before_min, buffer_after_min, rules, active, created, modified) VALUES "
	    "(:loc, :name, :description, :duration, :before, :after, :rules, :active, :now, "
	    ":now)";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	struct sq_wtx w;
	int64_t id = 0;
	int rc;

	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = store_sq_get(c, &s, sql, err)))
		goto out;
	service_bind(s, in);
	if ((rc = store_sq_bk_insert(c, s, &id, "the location", NULL, err)))
		goto out;
	rc = store_sq_bk_link_set(c, NULL, svc_staff_ins_sql, id, in->staff_ids, in->nstaff,
	                          "a staff member", err);
out:
	rc = store_sq_wtx_end(c, &w, rc, err);
	if (rc == STORE_OK && id_out)
		*id_out = id;
	return rc;
}

int store_sq_service_update(struct store_conn *sc, const struct store_service *in,
                            struct sd_err *err)
{
	static const char sql[] =
	    "UPDATE services SET location_id = :loc, name = :name, description = :description, "
	    "duration_min = :duration, buffer_before_min = :before, buffer_after_min = :after, "
	    "rules = :rules, active = :active, modified = :now WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	struct sq_wtx w;
	int rc;

	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = store_sq_get(c, &s, sql, err)))
		goto out;
	service_bind(s, in);
	store_sq_bind_i64(s, ":id", in->id);
	rc = store_sq_bk_exec_one(c, s, "service", in->id, err);
	if ((rc = store_sq_bk_write_rc(c, rc, "the location", NULL, err)))
		goto out;
	rc = store_sq_bk_link_set(c, svc_staff_del_sql, svc_staff_ins_sql, in->id, in->staff_ids,
	                          in->nstaff, "a staff member", err);
out:
	return store_sq_wtx_end(c, &w, rc, err);
}

int store_sq_service_get(struct store_conn *sc, int64_t id, struct sd_arena *a,
                         struct store_service *out, struct sd_err *err)
{
	static const char sql[] = SVC_SELECT " WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":id", id);
	rc = store_sq_step(c, s, err);
	if (rc == 1) {
		service_row(s->st, a, out);
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no service %lld", (long long)id);
	}
	store_sq_put(c, s);
	return rc;
}

int store_sq_service_list(struct store_conn *sc, int64_t location_id, struct sd_arena *a,
                          struct store_service **out, size_t *n, struct sd_err *err)
{
	static const char all_sql[] = SVC_SELECT " ORDER BY id";
	static const char loc_sql[] = SVC_SELECT " WHERE location_id = :loc ORDER BY id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_vec v = { .size = sizeof(**out) };
	struct sq_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sq_get(c, &s, location_id ? loc_sql : all_sql, err)))
		return rc;
	if (location_id)
		store_sq_bind_i64(s, ":loc", location_id);
	while ((rc = store_sq_step(c, s, err)) == 1)
		service_row(s->st, a, store_sq_vec_push(&v));
	store_sq_put(c, s);
	*out = store_sq_vec_finish(&v, rc ? NULL : a, n);
	return rc;
}

int store_sq_service_delete(struct store_conn *sc, int64_t id, struct sd_err *err)
{
	static const char check_sql[] = "SELECT EXISTS (SELECT 1 FROM services WHERE id = :id), "
	                                "EXISTS (SELECT 1 FROM bookings WHERE service_id = :id)";
	static const char del_sql[] = "DELETE FROM services WHERE id = :id";
	static const char *const refs[] = { "bookings", NULL };

	return store_sq_bk_delete(sq_conn(sc), check_sql, del_sql, id, "service", refs, err);
}

/* ---- customers --------------------------------------------------------- */

#define CUST_COLS "id, name, email, phone, user_id, coll_id, created, modified"

static void customer_row(sqlite3_stmt *st, struct sd_arena *a, struct store_customer *out)
{
	out->id = sqlite3_column_int64(st, 0);
	out->name = store_sq_col_text(st, 1, a);
	out->email = store_sq_col_text(st, 2, a);
	out->phone = store_sq_col_text(st, 3, a);
	out->user_id = store_sq_col_id(st, 4);
	out->coll_id = store_sq_col_id(st, 5);
	out->created = sqlite3_column_int64(st, 6);
	out->modified = sqlite3_column_int64(st, 7);
}

/* Steps a bound single-customer query into out and puts it back. */
static int customer_read(struct sq_conn *c, struct sq_stmt *s, struct sd_arena *a,
                         struct store_customer *out, const char *key, const char *v,
                         struct sd_err *err)
{
	int rc = store_sq_step(c, s, err);

	if (rc == 1) {
		customer_row(s->st, a, out);
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no customer with %s %s", key, v);
	}
	store_sq_put(c, s);
	return rc;
}

static void customer_bind(struct sq_stmt *s, const struct store_customer *in)
{
	store_sq_bind_text(s, ":name", sq_nz(in->name));
	store_sq_bind_text(s, ":email", sq_nz(in->email));
	store_sq_bind_text(s, ":phone", sq_nz(in->phone));
	store_sq_bind_id(s, ":user", in->user_id);
	store_sq_bind_id(s, ":coll", in->coll_id);
	store_sq_bind_i64(s, ":now", sd_now());
}

static const char customer_refs[] = "the user or the calendar";

int store_sq_customer_create(struct store_conn *sc, const struct store_customer *in,
                             int64_t *id_out, struct sd_err *err)
{
	static const char sql[] =
	    "INSERT INTO customers (name, email, phone, user_id, coll_id, created, modified) "
	    "VALUES (:name, :email, :phone, :user, :coll, :now, :now)";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	char dup[80];
	int rc;

	snprintf(dup, sizeof(dup), "user %lld is another customer's login", (long long)in->user_id);
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	customer_bind(s, in);
	return store_sq_bk_insert(c, s, id_out, customer_refs, dup, err);
}

int store_sq_customer_update(struct store_conn *sc, const struct store_customer *in,
                             struct sd_err *err)
{
	static const char sql[] =
	    "UPDATE customers SET name = :name, email = :email, phone = :phone, "
	    "user_id = :user, coll_id = :coll, modified = :now WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	char dup[80];
	int rc;

	snprintf(dup, sizeof(dup), "user %lld is another customer's login", (long long)in->user_id);
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	customer_bind(s, in);
	store_sq_bind_i64(s, ":id", in->id);
	rc = store_sq_bk_exec_one(c, s, "customer", in->id, err);
	return store_sq_bk_write_rc(c, rc, customer_refs, dup, err);
}

int store_sq_customer_get(struct store_conn *sc, int64_t id, struct sd_arena *a,
                          struct store_customer *out, struct sd_err *err)
{
	static const char sql[] = "SELECT " CUST_COLS " FROM customers WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	char v[24];
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":id", id);
	snprintf(v, sizeof(v), "%lld", (long long)id);
	return customer_read(c, s, a, out, "id", v, err);
}

int store_sq_customer_get_by_user(struct store_conn *sc, int64_t user_id, struct sd_arena *a,
                                  struct store_customer *out, struct sd_err *err)
{
	static const char sql[] = "SELECT " CUST_COLS " FROM customers WHERE user_id = :user";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	char v[24];
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":user", user_id);
	snprintf(v, sizeof(v), "%lld", (long long)user_id);
	return customer_read(c, s, a, out, "user", v, err);
}

int store_sq_customer_get_by_email(struct store_conn *sc, const char *email, struct sd_arena *a,
                                   struct store_customer *out, struct sd_err *err)
{
	static const char sql[] = "SELECT " CUST_COLS " FROM customers "
	                          "WHERE email = :email COLLATE NOCASE AND email <> '' "
	                          "ORDER BY id LIMIT 1";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_text(s, ":email", sq_nz(email));
	return customer_read(c, s, a, out, "email", sq_nz(email), err);
}

/* "%q%" for LIKE ... ESCAPE '\' with q's \, % and _ escaped, in a; with
 * strip, q loses the characters phone_norm drops. NULL when nothing of q
 * is left (no condition, rather than "matches everything"). */
static const char *like_pattern(struct sd_arena *a, const char *q, int strip)
{
	char *p = sd_arena_alloc(a, 2 * strlen(q) + 3), *o = p;

	*o++ = '%';
	for (; *q; q++) {
		if (strip && strchr(" -.()", *q))
			continue;
		if (*q == '\\' || *q == '%' || *q == '_')
			*o++ = '\\';
		*o++ = *q;
	}
	if (o == p + 1)
		return NULL;
	*o++ = '%';
	*o = '\0';
	return p;
}

int store_sq_customer_search(struct store_conn *sc, const char *q, int limit, struct sd_arena *a,
                             struct store_customer **out, size_t *n, struct sd_err *err)
{
	static const char sql[] = "SELECT " CUST_COLS " FROM customers WHERE :pat IS NULL "
	                          "OR name LIKE :pat ESCAPE '\\' OR email LIKE :pat ESCAPE '\\' "
	                          "OR phone_norm LIKE :phone ESCAPE '\\' "
	                          "ORDER BY name COLLATE NOCASE, id LIMIT :limit";
	struct sq_conn *c = sq_conn(sc);
	struct sq_vec v = { .size = sizeof(**out) };
	struct sq_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	q = sq_nz(q);
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_text(s, ":pat", like_pattern(a, q, 0));
	store_sq_bind_text(s, ":phone", like_pattern(a, q, 1));
	store_sq_bind_i64(s, ":limit", limit > 0 ? limit : -1);
	while ((rc = store_sq_step(c, s, err)) == 1)
		customer_row(s->st, a, store_sq_vec_push(&v));
	store_sq_put(c, s);
	*out = store_sq_vec_finish(&v, rc ? NULL : a, n);
	return rc;
}

int store_sq_customer_delete(struct store_conn *sc, int64_t id, struct sd_err *err)
{
	static const char check_sql[] = "SELECT EXISTS (SELECT 1 FROM customers WHERE id = :id), "
	                                "EXISTS (SELECT 1 FROM bookings WHERE customer_id = :id)";
	static const char del_sql[] = "DELETE FROM customers WHERE id = :id";
	static const char *const refs[] = { "bookings", NULL };

	return store_sq_bk_delete(sq_conn(sc), check_sql, del_sql, id, "customer", refs, err);
}
