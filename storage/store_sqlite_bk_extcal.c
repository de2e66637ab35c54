/* store_sqlite_bk_extcal.c - external busy calendars in the SQLite backend.
 *
 * An external calendar (a staff member's private Google or Outlook feed, a
 * file an admin named) is a row of extcals; the busy time of its last good
 * fetch is kept as rows of extcal_busy, already expanded and merged by the
 * fetcher over a bounded window, so availability reads a few index ranges
 * instead of parsing a feed per request.
 *
 * Invariant: the periods of a calendar are always those of one fetch.
 * extcal_record replaces them together with the fetch state in one
 * bracket, and leaves them alone for a fetch that brought nothing new
 * (304) or failed: a feed that breaks keeps blocking the time it blocked.
 *
 *   create --> (no periods, next_poll) --record(replace)--> periods of fetch k
 *   periods of fetch k --record(keep)--> the same periods, new fetch state
 *   any --delete--> gone, with its periods (ON DELETE CASCADE)
 */
#include "store_sqlite_int.h"

#define EXTCAL_COLS                                                                        \
	"e.id, e.staff_id, e.url, e.path, e.name, e.etag, e.last_modified, e.last_fetch, " \
	"e.last_success, e.last_error, e.next_poll, "                                      \
	"(SELECT count(*) FROM extcal_busy b WHERE b.extcal_id = e.id), e.created"

static void extcal_row(struct sqlite3_stmt *st, struct sd_arena *a, struct store_extcal *e)
{
	e->id = sqlite3_column_int64(st, 0);
	e->staff_id = sqlite3_column_int64(st, 1);
	e->url = store_sq_col_text(st, 2, a);
	e->path = store_sq_col_text(st, 3, a);
	e->name = store_sq_col_text(st, 4, a);
	e->etag = store_sq_col_text(st, 5, a);
	e->last_modified = store_sq_col_text(st, 6, a);
	e->last_fetch = sqlite3_column_int64(st, 7);
	e->last_success = sqlite3_column_int64(st, 8);
	e->last_error = store_sq_col_text(st, 9, a);
	e->next_poll = sqlite3_column_int64(st, 10);
	e->nbusy = sqlite3_column_int64(st, 11);
	e->created = sqlite3_column_int64(st, 12);
}

int store_sq_extcal_create(struct store_conn *sc, const struct store_extcal *in, int64_t *id_out,
                           struct sd_err *err)
{
	static const char sql[] =
	    "INSERT INTO extcals (staff_id, url, path, name, next_poll, created) "
	    "SELECT id, :url, :path, :name, :next_poll, :created FROM staff WHERE id = :staff";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":staff", in->staff_id);
	store_sq_bind_text(s, ":url", sq_nz(in->url));
	store_sq_bind_text(s, ":path", sq_nz(in->path));
	store_sq_bind_text(s, ":name", sq_nz(in->name));
	store_sq_bind_i64(s, ":next_poll", in->next_poll);
	store_sq_bind_i64(s, ":created", in->created);
	return store_sq_bk_insert(c, s, id_out, "the staff member", NULL, err);
}

int store_sq_extcal_get(struct store_conn *sc, int64_t id, struct sd_arena *a,
                        struct store_extcal *out, struct sd_err *err)
{
	static const char sql[] = "SELECT " EXTCAL_COLS " FROM extcals e WHERE e.id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":id", id);
	rc = store_sq_step(c, s, err);
	if (rc == 1) {
		extcal_row(s->st, a, out);
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no external calendar %lld", (long long)id);
	}
	store_sq_put(c, s);
	return rc;
}

/* Runs a bound list query of EXTCAL_COLS rows into *out (arena a). */
static int extcal_rows(struct sq_conn *c, struct sq_stmt *s, struct sd_arena *a,
                       struct store_extcal **out, size_t *n, struct sd_err *err)
{
	struct sq_vec v = { .size = sizeof(**out) };
	int rc;

	while ((rc = store_sq_step(c, s, err)) == 1)
		extcal_row(s->st, a, store_sq_vec_push(&v));
	store_sq_put(c, s);
	*out = store_sq_vec_finish(&v, rc ? NULL : a, n);
	return rc;
}

int store_sq_extcal_list(struct store_conn *sc, int64_t staff_id, struct sd_arena *a,
                         struct store_extcal **out, size_t *n, struct sd_err *err)
{
	static const char sql[] = "SELECT " EXTCAL_COLS " FROM extcals e "
	                          "WHERE :staff = 0 OR e.staff_id = :staff ORDER BY e.id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":staff", staff_id);
	return extcal_rows(c, s, a, out, n, err);
}

int store_sq_extcal_delete(struct store_conn *sc, int64_t id, struct sd_err *err)
{
	static const char sql[] = "DELETE FROM extcals WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":id", id);
	return store_sq_bk_exec_one(c, s, "external calendar", id, err);
}

int store_sq_extcal_due(struct store_conn *sc, int64_t now, int limit, struct sd_arena *a,
                        struct store_extcal **out, size_t *n, struct sd_err *err)
{
	static const char sql[] = "SELECT " EXTCAL_COLS " FROM extcals e WHERE e.next_poll <= :now "
	                          "ORDER BY e.next_poll, e.id LIMIT :limit";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":now", now);
	store_sq_bind_i64(s, ":limit", limit > 0 ? limit : -1);
	return extcal_rows(c, s, a, out, n, err);
}

static int busy_replace(struct sq_conn *c, int64_t id, const struct store_period *busy, size_t n,
                        struct sd_err *err)
{
	static const char del_sql[] = "DELETE FROM extcal_busy WHERE extcal_id = :id";
	static const char ins_sql[] =
	    "INSERT OR IGNORE INTO extcal_busy (extcal_id, begins, ends) VALUES (:id, :b, :e)";
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, del_sql, err)))
		return rc;
	store_sq_bind_i64(s, ":id", id);
	rc = store_sq_exec(c, s, err);
	store_sq_put(c, s);
	for (size_t i = 0; i < n && !rc; i++) {
		if (busy[i].end <= busy[i].start)
			continue;
		if ((rc = store_sq_get(c, &s, ins_sql, err)))
			break;
		store_sq_bind_i64(s, ":id", id);
		store_sq_bind_i64(s, ":b", busy[i].start);
		store_sq_bind_i64(s, ":e", busy[i].end);
		rc = store_sq_exec(c, s, err);
		store_sq_put(c, s);
	}
	return rc;
}

int store_sq_extcal_record(struct store_conn *sc, const struct store_extcal *in, int replace,
                           const struct store_period *busy, size_t n, struct sd_err *err)
{
	static const char sql[] =
	    "UPDATE extcals SET etag = :etag, last_modified = :lm, last_fetch = :fetch, "
	    "last_success = :success, last_error = :error, next_poll = :next WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	struct sq_wtx w;
	int rc;

	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = store_sq_get(c, &s, sql, err)))
		goto out;
	store_sq_bind_text(s, ":etag", sq_nz(in->etag));
	store_sq_bind_text(s, ":lm", sq_nz(in->last_modified));
	store_sq_bind_i64(s, ":fetch", in->last_fetch);
	store_sq_bind_i64(s, ":success", in->last_success);
	store_sq_bind_text(s, ":error", sq_nz(in->last_error));
	store_sq_bind_i64(s, ":next", in->next_poll);
	store_sq_bind_i64(s, ":id", in->id);
	if ((rc = store_sq_bk_exec_one(c, s, "external calendar", in->id, err)))
		goto out;
	if (replace)
		rc = busy_replace(c, in->id, busy, n, err);
out:
	return store_sq_wtx_end(c, &w, rc, err);
}

int store_sq_extcal_busy_list(struct store_conn *sc, int64_t staff_id, int64_t from, int64_t to,
                              struct sd_arena *a, struct store_period **out, size_t *n,
                              struct sd_err *err)
{
	/* Per calendar an index range on begins < :to; a calendar holds the
	 * merged periods of the fetcher's bounded window only (a few thousand
	 * at most), so the ends > :from check reads few rows. */
	static const char sql[] =
	    "SELECT b.begins, b.ends FROM extcals e JOIN extcal_busy b ON b.extcal_id = e.id "
	    "WHERE e.staff_id = :staff AND b.begins < :to AND b.ends > :from "
	    "ORDER BY b.begins, b.ends";
	struct sq_conn *c = sq_conn(sc);
	struct sq_vec v = { .size = sizeof(**out) };
	struct sq_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":staff", staff_id);
	store_sq_bind_i64(s, ":from", from);
	store_sq_bind_i64(s, ":to", to);
	while ((rc = store_sq_step(c, s, err)) == 1) {
		struct store_period *p = store_sq_vec_push(&v);

		p->start = sqlite3_column_int64(s->st, 0);
		p->end = sqlite3_column_int64(s->st, 1);
	}
	store_sq_put(c, s);
	*out = store_sq_vec_finish(&v, rc ? NULL : a, n);
	return rc;
}
