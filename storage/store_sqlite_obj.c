/* store_sqlite_obj.c - resources (objects) in the SQLite backend.
 *
 * A resource is a row of objects keyed by (coll_id, name). Its ETag is
 * computed here from the bytes (hex of the first 16 bytes of SHA-256), so it
 * changes exactly when the representation does: a property change or a move
 * keeps it. Non-calendar resources have uid, first_start and last_end NULL,
 * which also keeps them out of time-range queries (NULL never compares).
 *
 * Every write records its change in the same bracket; the resource's dead
 * properties follow it (deleted with it, moved with it), and so do its rows
 * in spans: replaced by a PUT in its bracket, deleted and moved by the
 * foreign key's cascades (store_sqlite_schema.c).
 *
 * Time ranges. A calendar resource has spans rows (store_obj.spans, or one
 * [first_start, last_end)), each in a length class. A window [S, E) of up
 * to SQ_SPAN_WINDOW_MAX is answered by one index range per class: a row of
 * class k that meets the window has S - SQ_SPAN_LEN<k> < begins < E, so
 * the rows read are those near the window, plus the few of the unbounded
 * class. The objects with such a row come out once each, in name order
 * (the IN list is a sorted temporary index). An open or longer window
 * reads objects_range, one row per object, as most objects meet it anyway.
 * Both only narrow: callers test each resource exactly.
 *
 * Iterators own their statement until freed (see store_sqlite_int.h), so a
 * streaming response can interleave other reads on the same connection.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#include "sd_util.h"
#include "store_sqlite_int.h"

#define OBJ_COLS                                                                      \
	"coll_id, name, etag, content_type, size, uid, comp, first_start, last_end, " \
	"created, modified"
#define OBJ_DATA_COL 11

/* Fills out from a row of OBJ_COLS (plus data when with_data); strings into
 * a, or borrowed from the statement when a is NULL. */
static void obj_row(sqlite3_stmt *st, int with_data, struct sd_arena *a, struct store_obj *out)
{
	out->coll_id = sqlite3_column_int64(st, 0);
	out->name = store_sq_col_text(st, 1, a);
	out->etag = store_sq_col_text(st, 2, a);
	out->content_type = store_sq_col_text(st, 3, a);
	out->len = (size_t)sqlite3_column_int64(st, 4);
	out->uid = store_sq_col_text(st, 5, a);
	out->comp = (unsigned)sqlite3_column_int64(st, 6);
	out->first_start = sqlite3_column_int64(st, 7);
	out->last_end = sqlite3_column_int64(st, 8);
	out->created = sqlite3_column_int64(st, 9);
	out->modified = sqlite3_column_int64(st, 10);
	/* As text: NUL-terminated for callers, the length stays out->len. */
	out->data = with_data ? store_sq_col_text(st, OBJ_DATA_COL, a) : NULL;
	if (with_data && !out->data)
		out->data = "";
	out->spans = NULL;
	out->nspans = 0;
}

int store_sq_obj_get(struct store_conn *sc, int64_t coll_id, const char *name, int with_data,
                     struct sd_arena *a, struct store_obj *out, struct sd_err *err)
{
	static const char meta_sql[] =
	    "SELECT " OBJ_COLS " FROM objects WHERE coll_id = :coll AND name = :name";
	static const char data_sql[] =
	    "SELECT " OBJ_COLS ", data FROM objects WHERE coll_id = :coll AND name = :name";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, with_data ? data_sql : meta_sql, err)))
		return rc;
	store_sq_bind_i64(s, ":coll", coll_id);
	store_sq_bind_text(s, ":name", name);
	rc = store_sq_step(c, s, err);
	if (rc == 1) {
		obj_row(s->st, with_data, a, out);
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no resource %s", name);
	}
	store_sq_put(c, s);
	return rc;
}

/* The strong ETag of data: 32 lowercase hex digits. */
static int etag_compute(const void *data, size_t len, char out[33], struct sd_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen < 16)
		return sd_err_set(err, STORE_EIO, "SHA-256 failed");
	for (size_t i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return STORE_OK;
}

static int obj_upsert(struct sq_conn *c, const struct store_obj *in, const char *etag,
                      struct sd_err *err)
{
	static const char sql[] =
	    "INSERT INTO objects (coll_id, name, etag, content_type, size, uid, comp, "
	    "first_start, last_end, created, modified, data) VALUES (:coll, :name, :etag, "
	    ":ctype, :size, :uid, :comp, :start, :end, :now, :now, :data) "
	    "ON CONFLICT (coll_id, name) DO UPDATE SET etag = excluded.etag, "
	    "content_type = excluded.content_type, size = excluded.size, uid = excluded.uid, "
	    "comp = excluded.comp, first_start = excluded.first_start, "
	    "last_end = excluded.last_end, modified = excluded.modified, data = excluded.data";
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":coll", in->coll_id);
	store_sq_bind_text(s, ":name", in->name);
	store_sq_bind_text(s, ":etag", etag);
	store_sq_bind_text(s, ":ctype", in->content_type ? in->content_type : "");
	store_sq_bind_i64(s, ":size", (int64_t)in->len);
	store_sq_bind_text(s, ":uid", in->uid);
	store_sq_bind_i64(s, ":comp", in->uid ? in->comp : 0);
	if (in->uid) {
		store_sq_bind_i64(s, ":start", in->first_start);
		store_sq_bind_i64(s, ":end", in->last_end);
	}
	store_sq_bind_i64(s, ":now", sd_now());
	store_sq_bind_blob(s, ":data", in->data, in->len);
	rc = store_sq_exec(c, s, err);
	store_sq_put(c, s);
	return rc;
}

static const int64_t span_len_max[SQ_SPAN_CLASSES - 1] = { SQ_SPAN_LEN0, SQ_SPAN_LEN1, SQ_SPAN_LEN2,
	                                                   SQ_SPAN_LEN3 };

/* The length class of [start, end): the first whose bound it fits. */
static int span_class(int64_t start, int64_t end)
{
	uint64_t len;
	int k = 0;

	if (end <= start)
		return 0;
	len = (uint64_t)end - (uint64_t)start; /* exact: end > start */
	while (k < SQ_SPAN_CLASSES - 1 && len > (uint64_t)span_len_max[k])
		k++;
	return k;
}

/* *same: whether (coll_id, name) has exactly the rows v[0..n) of kind comp
 * would make (v sorted by start then end, without repeats; else 0). Most
 * updates (a reply, a new alarm, a title) keep the times, and then the
 * rows need no rewrite: they are scattered over the index, a page each. */
static int spans_same(struct sq_conn *c, const struct store_obj *in, const struct store_span *v,
                      size_t n, int *same, struct sd_err *err)
{
	static const char sql[] = "SELECT begins, ends, comp FROM spans "
	                          "WHERE coll_id = :coll AND name = :name ORDER BY begins, ends";
	struct sq_stmt *s;
	size_t i = 0;
	int rc;

	*same = 1;
	for (size_t k = 1; k < n; k++)
		if (v[k].start < v[k - 1].start ||
		    (v[k].start == v[k - 1].start && v[k].end <= v[k - 1].end))
			*same = 0;
	if (!*same)
		return STORE_OK;
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":coll", in->coll_id);
	store_sq_bind_text(s, ":name", in->name);
	while (*same && (rc = store_sq_step(c, s, err)) == 1) {
		*same = i < n && sqlite3_column_int64(s->st, 0) == v[i].start &&
		        sqlite3_column_int64(s->st, 1) == v[i].end &&
		        (unsigned)sqlite3_column_int64(s->st, 2) == in->comp;
		i++;
	}
	*same = *same && rc == 0 && i == n;
	store_sq_put(c, s);
	return rc < 0 ? rc : STORE_OK;
}

/* Writes the spans rows of in, after removing the old ones when it
 * replaces a resource (unless they are the same). Resources without uid
 * have none. */
static int spans_write(struct sq_conn *c, const struct store_obj *in, int replacing,
                       struct sd_err *err)
{
	static const char del_sql[] = "DELETE FROM spans WHERE coll_id = :coll AND name = :name";
	static const char ins_sql[] =
	    "INSERT OR IGNORE INTO spans (coll_id, name, begins, ends, class, comp) "
	    "VALUES (:coll, :name, :begins, :ends, :class, :comp)";
	const struct store_span hull = { in->first_start, in->last_end };
	const struct store_span *v = in->spans && in->nspans ? in->spans : &hull;
	size_t n = in->spans && in->nspans ? in->nspans : 1;
	struct sq_stmt *s;
	int same = 0, rc = STORE_OK;

	if (replacing && in->uid && ((rc = spans_same(c, in, v, n, &same, err)) || same))
		return rc;
	if (replacing && !(rc = store_sq_get(c, &s, del_sql, err))) {
		store_sq_bind_i64(s, ":coll", in->coll_id);
		store_sq_bind_text(s, ":name", in->name);
		rc = store_sq_exec(c, s, err);
		store_sq_put(c, s);
	}
	for (size_t i = 0; i < n && in->uid && rc == STORE_OK; i++) {
		if ((rc = store_sq_get(c, &s, ins_sql, err)))
			break;
		store_sq_bind_i64(s, ":coll", in->coll_id);
		store_sq_bind_text(s, ":name", in->name);
		store_sq_bind_i64(s, ":begins", v[i].start);
		store_sq_bind_i64(s, ":ends", v[i].end);
		store_sq_bind_i64(s, ":class", span_class(v[i].start, v[i].end));
		store_sq_bind_i64(s, ":comp", in->comp);
		rc = store_sq_exec(c, s, err);
		store_sq_put(c, s);
	}
	return rc;
}

int store_sq_obj_put(struct store_conn *sc, const struct store_obj *in, struct sd_arena *a,
                     const char **etag_out, int *created_out, struct sd_err *err)
{
	struct sq_conn *c = sq_conn(sc);
	struct sq_name nm = { 0 };
	struct sq_wtx w;
	char etag[33];
	int rc;

	if ((rc = etag_compute(in->data, in->len, etag, err)))
		return rc;
	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = store_sq_name_check(c, in->coll_id, in->name, &nm, err)))
		goto out;
	if (!nm.coll_exists) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no collection %lld", (long long)in->coll_id);
		goto out;
	}
	if (nm.is_coll) {
		rc = sd_err_set(err, STORE_EEXISTS, "%s is a collection", in->name);
		goto out;
	}
	if ((rc = obj_upsert(c, in, etag, err)) || (rc = spans_write(c, in, nm.is_obj, err)))
		goto out;
	rc = store_sq_change_record(c, in->coll_id, in->name, 0, err);
out:
	rc = store_sq_wtx_end(c, &w, rc, err);
	if (rc == STORE_OK && etag_out)
		*etag_out = sd_arena_strdup(a, etag);
	if (rc == STORE_OK && created_out)
		*created_out = !nm.is_obj;
	return rc;
}

/* Deletes (coll_id, obj_name)'s dead properties. */
static int props_drop(struct sq_conn *c, int64_t coll_id, const char *obj_name, struct sd_err *err)
{
	static const char sql[] = "DELETE FROM props WHERE coll_id = :coll AND obj_name = :obj";
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":coll", coll_id);
	store_sq_bind_text(s, ":obj", obj_name);
	rc = store_sq_exec(c, s, err);
	store_sq_put(c, s);
	return rc;
}

int store_sq_obj_delete(struct store_conn *sc, int64_t coll_id, const char *name,
                        struct sd_err *err)
{
	static const char sql[] = "DELETE FROM objects WHERE coll_id = :coll AND name = :name";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s = NULL;
	struct sq_wtx w;
	int rc;

	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = store_sq_get(c, &s, sql, err)))
		goto out;
	store_sq_bind_i64(s, ":coll", coll_id);
	store_sq_bind_text(s, ":name", name);
	if ((rc = store_sq_exec(c, s, err)))
		goto out;
	if (sqlite3_changes(c->db) == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no resource %s", name);
		goto out;
	}
	if ((rc = props_drop(c, coll_id, name, err)))
		goto out;
	rc = store_sq_change_record(c, coll_id, name, 1, err);
out:
	store_sq_put(c, s);
	return store_sq_wtx_end(c, &w, rc, err);
}

/* Re-keys the resource row and its properties from src to dst. */
static int obj_rekey(struct sq_conn *c, int64_t src_coll, const char *src_name, int64_t dst_coll,
                     const char *dst_name, struct sd_err *err)
{
	static const char obj_sql[] =
	    "UPDATE objects SET coll_id = :dcoll, name = :dname, modified = :now "
	    "WHERE coll_id = :scoll AND name = :sname";
	static const char props_sql[] = "UPDATE props SET coll_id = :dcoll, obj_name = :dname "
	                                "WHERE coll_id = :scoll AND obj_name = :sname";
	const char *sqls[] = { obj_sql, props_sql };
	struct sq_stmt *s;
	int rc = STORE_OK;

	for (size_t i = 0; i < SD_ARRAY_LEN(sqls) && rc == STORE_OK; i++) {
		if ((rc = store_sq_get(c, &s, sqls[i], err)))
			break;
		store_sq_bind_i64(s, ":dcoll", dst_coll);
		store_sq_bind_text(s, ":dname", dst_name);
		store_sq_bind_i64(s, ":scoll", src_coll);
		store_sq_bind_text(s, ":sname", src_name);
		if (sqls[i] == obj_sql)
			store_sq_bind_i64(s, ":now", sd_now());
		rc = store_sq_exec(c, s, err);
		if (rc == STORE_OK && sqls[i] == obj_sql && sqlite3_changes(c->db) == 0)
			rc = sd_err_set(err, STORE_ENOTFOUND, "no resource %s", src_name);
		store_sq_put(c, s);
	}
	return rc;
}

int store_sq_obj_move(struct store_conn *sc, int64_t src_coll_id, const char *src_name,
                      int64_t dst_coll_id, const char *dst_name, struct sd_err *err)
{
	struct sq_conn *c = sq_conn(sc);
	struct sq_name src = { 0 }, dst = { 0 };
	struct sq_wtx w;
	int rc;

	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = store_sq_name_check(c, src_coll_id, src_name, &src, err)))
		goto out;
	if (!src.is_obj) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no resource %s", src_name);
		goto out;
	}
	if ((rc = store_sq_name_check(c, dst_coll_id, dst_name, &dst, err)))
		goto out;
	if (!dst.coll_exists) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no collection %lld", (long long)dst_coll_id);
		goto out;
	}
	if (dst.is_coll || dst.is_obj) {
		rc = sd_err_set(err, STORE_EEXISTS, "%s exists", dst_name);
		goto out;
	}
	if ((rc = obj_rekey(c, src_coll_id, src_name, dst_coll_id, dst_name, err)) ||
	    (rc = store_sq_change_record(c, src_coll_id, src_name, 1, err)))
		goto out;
	rc = store_sq_change_record(c, dst_coll_id, dst_name, 0, err);
out:
	return store_sq_wtx_end(c, &w, rc, err);
}

const char store_sq_sql_obj_find_uid[] =
    "SELECT name FROM objects WHERE coll_id = :coll AND uid = :uid "
    "AND name IS NOT :except ORDER BY name LIMIT 1";

int store_sq_obj_find_uid(struct store_conn *sc, int64_t coll_id, const char *uid,
                          const char *except_name, struct sd_arena *a, const char **name_out,
                          struct sd_err *err)
{
	const char *sql = store_sq_sql_obj_find_uid;
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":coll", coll_id);
	store_sq_bind_text(s, ":uid", uid);
	store_sq_bind_text(s, ":except", except_name);
	rc = store_sq_step(c, s, err);
	if (rc == 1) {
		*name_out = store_sq_col_text(s->st, 0, a);
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no resource with UID %s", uid);
	}
	store_sq_put(c, s);
	return rc;
}

int store_sq_obj_count(struct store_conn *sc, int64_t coll_id, int64_t *count_out,
                       struct sd_err *err)
{
	static const char sql[] = "SELECT count(*) FROM objects WHERE coll_id = :coll";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":coll", coll_id);
	rc = store_sq_step(c, s, err);
	if (rc == 1) {
		*count_out = sqlite3_column_int64(s->st, 0);
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_EIO, "count returned no row");
	}
	store_sq_put(c, s);
	return rc;
}

/* ---- iterators --------------------------------------------------------- */

struct sq_obj_iter {
	struct store_obj_iter base;
	struct sq_conn *c;
	struct sq_stmt *s; /* held (busy) until the iterator is freed */
	int with_data;
	int last; /* 1 while rows may follow, else the final result */
};

const char store_sq_sql_obj_range[] =
    "SELECT " OBJ_COLS " FROM objects WHERE coll_id = :coll AND last_end > :start "
    "AND first_start < :end AND (:mask = 0 OR comp & :mask <> 0)";
const char store_sq_sql_obj_range_data[] =
    "SELECT " OBJ_COLS ", data FROM objects WHERE coll_id = :coll AND last_end > :start "
    "AND first_start < :end AND (:mask = 0 OR comp & :mask <> 0)";

/* The objects with a spans row meeting [:start, :end), one index range per
 * class (see the file comment); :lo<k> is :start - SQ_SPAN_LEN<k>. */
#define SPAN_CLASS(k)                                                                          \
	"SELECT name FROM spans WHERE coll_id = :coll AND class = " #k " AND begins >= :lo" #k \
	" AND begins < :end AND ends > :start AND (:mask = 0 OR comp & :mask <> 0)"
#define SPANS_MEET                                                              \
	"coll_id = :coll AND name IN (" SPAN_CLASS(0) " UNION ALL " SPAN_CLASS( \
	    1) " UNION ALL " SPAN_CLASS(2) " UNION ALL " SPAN_CLASS(3) " UNION ALL " SPAN_CLASS(4) ") ORDER BY name"
_Static_assert(SQ_SPAN_CLASSES == 5, "SPANS_MEET has a branch per class");

const char store_sq_sql_obj_spans[] = "SELECT " OBJ_COLS " FROM objects WHERE " SPANS_MEET;
const char store_sq_sql_obj_spans_data[] =
    "SELECT " OBJ_COLS ", data FROM objects WHERE " SPANS_MEET;

static void iter_make(struct sq_conn *c, struct sq_stmt *s, int with_data,
                      struct store_obj_iter **out)
{
	struct sq_obj_iter *it = sd_xcalloc(1, sizeof(*it));

	it->base.be = c->base.be;
	it->c = c;
	it->s = s;
	it->with_data = with_data;
	it->last = 1;
	*out = &it->base;
}

int store_sq_obj_iter_new(struct store_conn *sc, int64_t coll_id, int with_data,
                          struct store_obj_iter **out, struct sd_err *err)
{
	static const char meta_sql[] =
	    "SELECT " OBJ_COLS " FROM objects WHERE coll_id = :coll ORDER BY name";
	static const char data_sql[] =
	    "SELECT " OBJ_COLS ", data FROM objects WHERE coll_id = :coll ORDER BY name";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	*out = NULL;
	if ((rc = store_sq_get(c, &s, with_data ? data_sql : meta_sql, err)))
		return rc;
	store_sq_bind_i64(s, ":coll", coll_id);
	iter_make(c, s, with_data, out);
	return STORE_OK;
}

/* Whether [start, end) is answered from spans (see the file comment). */
static int window_narrow(int64_t start, int64_t end)
{
	if (start == STORE_TIME_MIN || end == STORE_TIME_MAX)
		return 0;
	return end <= start || (uint64_t)end - (uint64_t)start <= SQ_SPAN_WINDOW_MAX;
}

static void spans_bind(struct sq_stmt *s, int64_t start)
{
	static const char *const lo[SQ_SPAN_CLASSES] = { ":lo0", ":lo1", ":lo2", ":lo3", ":lo4" };

	for (int k = 0; k < SQ_SPAN_CLASSES - 1; k++)
		store_sq_bind_i64(s, lo[k],
		                  start < STORE_TIME_MIN + span_len_max[k]
		                      ? STORE_TIME_MIN
		                      : start - span_len_max[k]);
	store_sq_bind_i64(s, lo[SQ_SPAN_CLASSES - 1], STORE_TIME_MIN);
}

int store_sq_obj_iter_new_range(struct store_conn *sc, int64_t coll_id, unsigned comp_mask,
                                int64_t start, int64_t end, int with_data,
                                struct store_obj_iter **out, struct sd_err *err)
{
	struct sq_conn *c = sq_conn(sc);
	int narrow = window_narrow(start, end);
	const char *sql;
	struct sq_stmt *s;
	int rc;

	*out = NULL;
	if (narrow)
		sql = with_data ? store_sq_sql_obj_spans_data : store_sq_sql_obj_spans;
	else
		sql = with_data ? store_sq_sql_obj_range_data : store_sq_sql_obj_range;
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":coll", coll_id);
	store_sq_bind_i64(s, ":start", start);
	store_sq_bind_i64(s, ":end", end);
	store_sq_bind_i64(s, ":mask", comp_mask);
	if (narrow)
		spans_bind(s, start);
	iter_make(c, s, with_data, out);
	return STORE_OK;
}

int store_sq_obj_iter_next(struct store_obj_iter *base, struct store_obj *out, struct sd_err *err)
{
	struct sq_obj_iter *it = (struct sq_obj_iter *)base;
	int rc;

	/* Stepping past the end would restart the statement. */
	if (it->last < 0)
		return sd_err_set(err, it->last, "iterator failed earlier");
	if (it->last == 0)
		return 0;
	rc = store_sq_step(it->c, it->s, err);
	if (rc == 1)
		obj_row(it->s->st, it->with_data, NULL, out);
	it->last = rc;
	return rc;
}

void store_sq_obj_iter_free(struct store_obj_iter *base)
{
	struct sq_obj_iter *it = (struct sq_obj_iter *)base;

	if (!it)
		return;
	store_sq_put(it->c, it->s);
	free(it);
}
