/* store_sqlite_bk_org.c - the organisation in the SQLite backend: locations,
 * staff with their location sets, weekly working hours and dated
 * exceptions; and the helpers every store_sqlite_bk_*.c file uses.
 *
 * Storage checks nothing booking/ decides (names, zones, overlapping
 * hours): it keeps references sound and says which rule of store_bk.h a
 * write broke. How each kind of failure is found:
 *
 *	failure                    found by                      code
 *	referenced row missing     the foreign key (last_rc)     ENOTFOUND
 *	duplicate (UNIQUE)         the constraint                EEXISTS
 *	row to update/delete gone  sqlite3_changes() == 0        ENOTFOUND
 *	row still referenced       an EXISTS check in the        EINUSE
 *	                           delete's bracket
 *
 * Inserts and updates lean on the foreign keys instead of reading first:
 * one statement, no window between check and write. Deletes check first so
 * the message can say *what* still refers to the row; the RESTRICT keys
 * behind the checks only catch a check this file forgot (as STORE_EIO).
 *
 * A single-statement write runs to SQLITE_DONE (ids come from
 * sqlite3_last_insert_rowid, not RETURNING): in autocommit mode the commit
 * happens inside that last step, so its failure is seen. Writes of more
 * than one statement (staff with locations, hours) use a store_sq_wtx
 * bracket. Set-valued fields (a staff member's locations) are read with the
 * row through group_concat and sorted here, so a list is one query, not
 * one per row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sd_util.h"
#include "store_sqlite_int.h"

/* ---- shared helpers ---------------------------------------------------- */

void *store_sq_vec_push(struct sq_vec *v)
{
	void *e;

	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 8;
		v->p = sd_xrealloc(v->p, v->cap * v->size);
	}
	e = v->p + v->n++ * v->size;
	memset(e, 0, v->size);
	return e;
}

void *store_sq_vec_finish(struct sq_vec *v, struct sd_arena *a, size_t *n)
{
	void *out = NULL;

	if (a && v->n)
		out = sd_arena_memdup(a, v->p, v->n * v->size);
	if (n)
		*n = out ? v->n : 0;
	free(v->p);
	v->p = NULL;
	v->n = v->cap = 0;
	return out;
}

int store_sq_bk_write_rc(struct sq_conn *c, int rc, const char *what, const char *dup,
                         struct sd_err *err)
{
	if (rc == STORE_EIO && c->last_rc == SQLITE_CONSTRAINT_FOREIGNKEY)
		return sd_err_set(err, STORE_ENOTFOUND, "%s does not exist", what);
	if (rc == STORE_EEXISTS && dup)
		return sd_err_set(err, STORE_EEXISTS, "%s", dup);
	return rc;
}

int store_sq_bk_exec_one(struct sq_conn *c, struct sq_stmt *s, const char *what, int64_t id,
                         struct sd_err *err)
{
	int rc = store_sq_exec(c, s, err);

	if (rc == STORE_OK && sqlite3_changes(c->db) == 0)
		rc = sd_err_set(err, STORE_ENOTFOUND, "no %s %lld", what, (long long)id);
	store_sq_put(c, s);
	return rc;
}

int store_sq_bk_insert(struct sq_conn *c, struct sq_stmt *s, int64_t *id_out, const char *what,
                       const char *dup, struct sd_err *err)
{
	int rc = store_sq_exec(c, s, err);

	if (rc == STORE_OK && sqlite3_changes(c->db) == 0)
		rc = sd_err_set(err, STORE_ENOTFOUND, "%s does not exist", what);
	if (rc == STORE_OK && id_out)
		*id_out = sqlite3_last_insert_rowid(c->db);
	store_sq_put(c, s);
	return store_sq_bk_write_rc(c, rc, what, dup, err);
}

static int cmp_id(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return (a > b) - (a < b);
}

const int64_t *store_sq_col_ids(sqlite3_stmt *st, int i, struct sd_arena *a, size_t *n)
{
	const char *p = store_sq_col_text(st, i, NULL);
	int64_t *ids;
	size_t k = 1;

	*n = 0;
	if (!p || !*p)
		return NULL;
	for (const char *q = p; *q; q++)
		k += *q == ',';
	ids = sd_arena_alloc(a, k * sizeof(*ids));
	for (char *end; *p; p = *end ? end + 1 : end)
		ids[(*n)++] = strtoll(p, &end, 10);
	qsort(ids, *n, sizeof(*ids), cmp_id);
	return ids;
}

int store_sq_bk_link_set(struct sq_conn *c, const char *del_sql, const char *ins_sql, int64_t owner,
                         const int64_t *ids, size_t n, const char *what, struct sd_err *err)
{
	struct sq_stmt *s;
	int rc = STORE_OK;

	if (del_sql) {
		if ((rc = store_sq_get(c, &s, del_sql, err)))
			return rc;
		store_sq_bind_i64(s, ":owner", owner);
		rc = store_sq_exec(c, s, err);
		store_sq_put(c, s);
	}
	for (size_t i = 0; i < n && rc == STORE_OK; i++) {
		if ((rc = store_sq_get(c, &s, ins_sql, err)))
			break;
		store_sq_bind_i64(s, ":owner", owner);
		store_sq_bind_i64(s, ":id", ids[i]);
		rc = store_sq_exec(c, s, err);
		store_sq_put(c, s);
		if (rc)
			rc = store_sq_bk_write_rc(c, rc, what, NULL, err);
	}
	return rc;
}

int store_sq_bk_delete(struct sq_conn *c, const char *check_sql, const char *del_sql, int64_t id,
                       const char *what, const char *const refs[], struct sd_err *err)
{
	struct sq_stmt *s = NULL;
	struct sq_wtx w;
	int rc;

	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = store_sq_get(c, &s, check_sql, err)))
		goto out;
	store_sq_bind_i64(s, ":id", id);
	rc = store_sq_step(c, s, err);
	if (rc == 0)
		rc = sd_err_set(err, STORE_EIO, "reference check returned no row");
	if (rc < 0)
		goto out;
	rc = STORE_OK;
	if (!sqlite3_column_int(s->st, 0))
		rc = sd_err_set(err, STORE_ENOTFOUND, "no %s %lld", what, (long long)id);
	for (int i = 0; rc == STORE_OK && refs[i]; i++)
		if (sqlite3_column_int(s->st, i + 1))
			rc = sd_err_set(err, STORE_EINUSE, "%s %lld is still used by %s", what,
			                (long long)id, refs[i]);
	store_sq_put(c, s);
	s = NULL;
	if (rc)
		goto out;
	if ((rc = store_sq_get(c, &s, del_sql, err)))
		goto out;
	store_sq_bind_i64(s, ":id", id);
	rc = store_sq_exec(c, s, err);
out:
	store_sq_put(c, s);
	return store_sq_wtx_end(c, &w, rc, err);
}

/* ---- locations --------------------------------------------------------- */

#define LOC_COLS "id, name, address, timezone, email, rules, created, modified"

static void location_row(sqlite3_stmt *st, struct sd_arena *a, struct store_location *out)
{
	out->id = sqlite3_column_int64(st, 0);
	out->name = store_sq_col_text(st, 1, a);
	out->address = store_sq_col_text(st, 2, a);
	out->timezone = store_sq_col_text(st, 3, a);
	out->email = store_sq_col_text(st, 4, a);
	out->rules = store_sq_col_text(st, 5, a);
	out->created = sqlite3_column_int64(st, 6);
	out->modified = sqlite3_column_int64(st, 7);
}

static void location_bind(struct sq_stmt *s, const struct store_location *in)
{
	store_sq_bind_text(s, ":name", sq_nz(in->name));
	store_sq_bind_text(s, ":address", sq_nz(in->address));
	store_sq_bind_text(s, ":tz", sq_nz(in->timezone));
	store_sq_bind_text(s, ":email", sq_nz(in->email));
	store_sq_bind_text(s, ":rules", sq_nz(in->rules));
	store_sq_bind_i64(s, ":now", sd_now());
}

int store_sq_location_create(struct store_conn *sc, const struct store_location *in,
                             int64_t *id_out, struct sd_err *err)
{
	static const char sql[] =
	    "INSERT INTO locations (name, address, timezone, email, rules, created, modified) "
	    "VALUES (:name, :address, :tz, :email, :rules, :now, :now)";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	location_bind(s, in);
	return store_sq_bk_insert(c, s, id_out, "location", NULL, err);
}

int store_sq_location_update(struct store_conn *sc, const struct store_location *in,
                             struct sd_err *err)
{
	static const char sql[] =
	    "UPDATE locations SET name = :name, address = :address, timezone = :tz, "
	    "email = :email, rules = :rules, modified = :now WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	location_bind(s, in);
	store_sq_bind_i64(s, ":id", in->id);
	return store_sq_bk_exec_one(c, s, "location", in->id, err);
}

int store_sq_location_get(struct store_conn *sc, int64_t id, struct sd_arena *a,
                          struct store_location *out, struct sd_err *err)
{
	static const char sql[] = "SELECT " LOC_COLS " FROM locations WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":id", id);
	rc = store_sq_step(c, s, err);
	if (rc == 1) {
		location_row(s->st, a, out);
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no location %lld", (long long)id);
	}
	store_sq_put(c, s);
	return rc;
}

int store_sq_location_list(struct store_conn *sc, struct sd_arena *a, struct store_location **out,
                           size_t *n, struct sd_err *err)
{
	static const char sql[] = "SELECT " LOC_COLS " FROM locations ORDER BY id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_vec v = { .size = sizeof(**out) };
	struct sq_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	while ((rc = store_sq_step(c, s, err)) == 1)
		location_row(s->st, a, store_sq_vec_push(&v));
	store_sq_put(c, s);
	*out = store_sq_vec_finish(&v, rc ? NULL : a, n);
	return rc;
}

int store_sq_location_delete(struct store_conn *sc, int64_t id, struct sd_err *err)
{
	static const char check_sql[] =
	    "SELECT EXISTS (SELECT 1 FROM locations WHERE id = :id), "
	    "EXISTS (SELECT 1 FROM services WHERE location_id = :id), "
	    "EXISTS (SELECT 1 FROM bookings WHERE location_id = :id), "
	    "EXISTS (SELECT 1 FROM staff_locations WHERE location_id = :id)";
	static const char del_sql[] = "DELETE FROM locations WHERE id = :id";
	static const char *const refs[] = { "services", "bookings", "staff members", NULL };

	return store_sq_bk_delete(sq_conn(sc), check_sql, del_sql, id, "location", refs, err);
}

/* ---- staff ------------------------------------------------------------- */

#define STAFF_SELECT                                                                  \
	"SELECT id, user_id, name, email, admin, active, bookings_coll_id, created, " \
	"modified, (SELECT group_concat(location_id) FROM staff_locations "           \
	"WHERE staff_id = staff.id) FROM staff"

static const char staff_loc_del_sql[] = "DELETE FROM staff_locations WHERE staff_id = :owner";
static const char staff_loc_ins_sql[] =
    "INSERT INTO staff_locations (staff_id, location_id) VALUES (:owner, :id) "
    "ON CONFLICT DO NOTHING";

static void staff_row(sqlite3_stmt *st, struct sd_arena *a, struct store_staff *out)
{
	out->id = sqlite3_column_int64(st, 0);
	out->user_id = sqlite3_column_int64(st, 1);
	out->name = store_sq_col_text(st, 2, a);
	out->email = store_sq_col_text(st, 3, a);
	out->admin = sqlite3_column_int(st, 4);
	out->active = sqlite3_column_int(st, 5);
	out->bookings_coll_id = store_sq_col_id(st, 6);
	out->created = sqlite3_column_int64(st, 7);
	out->modified = sqlite3_column_int64(st, 8);
	out->location_ids = store_sq_col_ids(st, 9, a, &out->nlocations);
}

/* Steps a bound single-staff query into out and puts it back. */
static int staff_read(struct sq_conn *c, struct sq_stmt *s, struct sd_arena *a,
                      struct store_staff *out, const char *key, int64_t v, struct sd_err *err)
{
	int rc = store_sq_step(c, s, err);

	if (rc == 1) {
		staff_row(s->st, a, out);
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no staff member with %s %lld", key,
		                (long long)v);
	}
	store_sq_put(c, s);
	return rc;
}

static void staff_bind(struct sq_stmt *s, const struct store_staff *in)
{
	store_sq_bind_text(s, ":name", sq_nz(in->name));
	store_sq_bind_text(s, ":email", sq_nz(in->email));
	store_sq_bind_i64(s, ":admin", in->admin != 0);
	store_sq_bind_i64(s, ":active", in->active != 0);
	store_sq_bind_id(s, ":coll", in->bookings_coll_id);
	store_sq_bind_i64(s, ":now", sd_now());
}

int store_sq_staff_create(struct store_conn *sc, const struct store_staff *in, int64_t *id_out,
                          struct sd_err *err)
{
	static const char sql[] =
	    "INSERT INTO staff (user_id, name, email, admin, active, bookings_coll_id, "
	    "created, modified) VALUES (:user, :name, :email, :admin, :active, :coll, :now, "
	    ":now)";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	struct sq_wtx w;
	char dup[64];
	int64_t id = 0;
	int rc;

	snprintf(dup, sizeof(dup), "user %lld is staff already", (long long)in->user_id);
	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = store_sq_get(c, &s, sql, err)))
		goto out;
	store_sq_bind_i64(s, ":user", in->user_id);
	staff_bind(s, in);
	if ((rc = store_sq_bk_insert(c, s, &id, "the user or the Bookings calendar", dup, err)))
		goto out;
	rc = store_sq_bk_link_set(c, NULL, staff_loc_ins_sql, id, in->location_ids, in->nlocations,
	                          "a location", err);
out:
	rc = store_sq_wtx_end(c, &w, rc, err);
	if (rc == STORE_OK && id_out)
		*id_out = id;
	return rc;
}

int store_sq_staff_update(struct store_conn *sc, const struct store_staff *in, struct sd_err *err)
{
	static const char sql[] =
	    "UPDATE staff SET name = :name, email = :email, admin = :admin, active = :active, "
	    "bookings_coll_id = :coll, modified = :now WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	struct sq_wtx w;
	int rc;

	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = store_sq_get(c, &s, sql, err)))
		goto out;
	staff_bind(s, in);
	store_sq_bind_i64(s, ":id", in->id);
	rc = store_sq_bk_exec_one(c, s, "staff member", in->id, err);
	if ((rc = store_sq_bk_write_rc(c, rc, "the Bookings calendar", NULL, err)))
		goto out;
	rc = store_sq_bk_link_set(c, staff_loc_del_sql, staff_loc_ins_sql, in->id, in->location_ids,
	                          in->nlocations, "a location", err);
out:
	return store_sq_wtx_end(c, &w, rc, err);
}

int store_sq_staff_get(struct store_conn *sc, int64_t id, struct sd_arena *a,
                       struct store_staff *out, struct sd_err *err)
{
	static const char sql[] = STAFF_SELECT " WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":id", id);
	return staff_read(c, s, a, out, "id", id, err);
}

int store_sq_staff_get_by_user(struct store_conn *sc, int64_t user_id, struct sd_arena *a,
                               struct store_staff *out, struct sd_err *err)
{
	static const char sql[] = STAFF_SELECT " WHERE user_id = :user";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":user", user_id);
	return staff_read(c, s, a, out, "user", user_id, err);
}

int store_sq_staff_list(struct store_conn *sc, int64_t location_id, struct sd_arena *a,
                        struct store_staff **out, size_t *n, struct sd_err *err)
{
	static const char sql[] = STAFF_SELECT
	    " WHERE :loc = 0 OR id IN "
	    "(SELECT staff_id FROM staff_locations WHERE location_id = :loc) ORDER BY id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_vec v = { .size = sizeof(**out) };
	struct sq_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":loc", location_id);
	while ((rc = store_sq_step(c, s, err)) == 1)
		staff_row(s->st, a, store_sq_vec_push(&v));
	store_sq_put(c, s);
	*out = store_sq_vec_finish(&v, rc ? NULL : a, n);
	return rc;
}

int store_sq_staff_delete(struct store_conn *sc, int64_t id, struct sd_err *err)
{
	static const char check_sql[] = "SELECT EXISTS (SELECT 1 FROM staff WHERE id = :id), "
	                                "EXISTS (SELECT 1 FROM bookings WHERE staff_id = :id)";
	static const char del_sql[] = "DELETE FROM staff WHERE id = :id";
	static const char *const refs[] = { "bookings", NULL };

	return store_sq_bk_delete(sq_conn(sc), check_sql, del_sql, id, "staff member", refs, err);
}

/* ---- working hours ----------------------------------------------------- */

/* STORE_ENOTFOUND unless both the staff member and the location exist. */
static int hours_check(struct sq_conn *c, int64_t staff_id, int64_t location_id, struct sd_err *err)
{
	static const char sql[] = "SELECT EXISTS (SELECT 1 FROM staff WHERE id = :staff), "
	                          "EXISTS (SELECT 1 FROM locations WHERE id = :loc)";
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":staff", staff_id);
	store_sq_bind_i64(s, ":loc", location_id);
	rc = store_sq_step(c, s, err);
	if (rc == 0)
		rc = sd_err_set(err, STORE_EIO, "hours check returned no row");
	else if (rc == 1 && !sqlite3_column_int(s->st, 0))
		rc = sd_err_set(err, STORE_ENOTFOUND, "no staff member %lld", (long long)staff_id);
	else if (rc == 1 && !sqlite3_column_int(s->st, 1))
		rc = sd_err_set(err, STORE_ENOTFOUND, "no location %lld", (long long)location_id);
	else if (rc == 1)
		rc = STORE_OK;
	store_sq_put(c, s);
	return rc;
}

int store_sq_hours_set(struct store_conn *sc, int64_t staff_id, int64_t location_id,
                       const struct store_hours *rows, size_t n, struct sd_err *err)
{
	static const char del_sql[] =
	    "DELETE FROM hours WHERE staff_id = :staff AND location_id = :loc";
	static const char ins_sql[] =
	    "INSERT INTO hours (staff_id, location_id, weekday, start_min, end_min) "
	    "VALUES (:staff, :loc, :weekday, :start, :end)";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s = NULL;
	struct sq_wtx w;
	int rc;

	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = hours_check(c, staff_id, location_id, err)) ||
	    (rc = store_sq_get(c, &s, del_sql, err)))
		goto out;
	store_sq_bind_i64(s, ":staff", staff_id);
	store_sq_bind_i64(s, ":loc", location_id);
	rc = store_sq_exec(c, s, err);
	for (size_t i = 0; i < n && rc == STORE_OK; i++) {
		store_sq_put(c, s);
		if ((rc = store_sq_get(c, &s, ins_sql, err)))
			break;
		store_sq_bind_i64(s, ":staff", staff_id);
		store_sq_bind_i64(s, ":loc", location_id);
		store_sq_bind_i64(s, ":weekday", rows[i].weekday);
		store_sq_bind_i64(s, ":start", rows[i].start_min);
		store_sq_bind_i64(s, ":end", rows[i].end_min);
		rc = store_sq_exec(c, s, err);
	}
out:
	store_sq_put(c, s);
	return store_sq_wtx_end(c, &w, rc, err);
}

int store_sq_hours_get(struct store_conn *sc, int64_t staff_id, int64_t location_id,
                       struct sd_arena *a, struct store_hours **out, size_t *n, struct sd_err *err)
{
	static const char sql[] = "SELECT location_id, weekday, start_min, end_min FROM hours "
	                          "WHERE staff_id = :staff AND (:loc = 0 OR location_id = :loc) "
	                          "ORDER BY location_id, weekday, start_min, end_min";
	struct sq_conn *c = sq_conn(sc);
	struct sq_vec v = { .size = sizeof(**out) };
	struct store_hours *h;
	struct sq_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":staff", staff_id);
	store_sq_bind_i64(s, ":loc", location_id);
	while ((rc = store_sq_step(c, s, err)) == 1) {
		h = store_sq_vec_push(&v);
		h->location_id = sqlite3_column_int64(s->st, 0);
		h->weekday = sqlite3_column_int(s->st, 1);
		h->start_min = sqlite3_column_int(s->st, 2);
		h->end_min = sqlite3_column_int(s->st, 3);
	}
	store_sq_put(c, s);
	*out = store_sq_vec_finish(&v, rc ? NULL : a, n);
	return rc;
}

/* ---- exceptions -------------------------------------------------------- */

int store_sq_exception_create(struct store_conn *sc, const struct store_exception *in,
                              int64_t *id_out, struct sd_err *err)
{
	static const char sql[] =
	    "INSERT INTO exceptions (staff_id, location_id, day, start_min, end_min, "
	    "available, note, created) VALUES (:staff, :loc, :day, :start, :end, :available, "
	    ":note, :now)";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":staff", in->staff_id);
	store_sq_bind_id(s, ":loc", in->location_id);
	store_sq_bind_i64(s, ":day", in->day);
	store_sq_bind_i64(s, ":start", in->start_min);
	store_sq_bind_i64(s, ":end", in->end_min);
	store_sq_bind_i64(s, ":available", in->available != 0);
	store_sq_bind_text(s, ":note", sq_nz(in->note));
	store_sq_bind_i64(s, ":now", sd_now());
	return store_sq_bk_insert(c, s, id_out, "the staff member or the location", NULL, err);
}

int store_sq_exception_delete(struct store_conn *sc, int64_t id, struct sd_err *err)
{
	static const char sql[] = "DELETE FROM exceptions WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":id", id);
	return store_sq_bk_exec_one(c, s, "exception", id, err);
}

int store_sq_exception_list(struct store_conn *sc, int64_t staff_id, int64_t from_day,
                            int64_t to_day, struct sd_arena *a, struct store_exception **out,
                            size_t *n, struct sd_err *err)
{
	static const char sql[] =
	    "SELECT id, staff_id, location_id, day, start_min, end_min, available, note, "
	    "created FROM exceptions WHERE staff_id = :staff AND day >= :from AND day < :to "
	    "ORDER BY day, start_min, id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_vec v = { .size = sizeof(**out) };
	struct store_exception *e;
	struct sq_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":staff", staff_id);
	store_sq_bind_i64(s, ":from", from_day);
	store_sq_bind_i64(s, ":to", to_day);
	while ((rc = store_sq_step(c, s, err)) == 1) {
		e = store_sq_vec_push(&v);
		e->id = sqlite3_column_int64(s->st, 0);
		e->staff_id = sqlite3_column_int64(s->st, 1);
		e->location_id = store_sq_col_id(s->st, 2);
		e->day = sqlite3_column_int64(s->st, 3);
		e->start_min = sqlite3_column_int(s->st, 4);
		e->end_min = sqlite3_column_int(s->st, 5);
		e->available = sqlite3_column_int(s->st, 6);
		e->note = store_sq_col_text(s->st, 7, a);
		e->created = sqlite3_column_int64(s->st, 8);
	}
	store_sq_put(c, s);
	*out = store_sq_vec_finish(&v, rc ? NULL : a, n);
	return rc;
}
