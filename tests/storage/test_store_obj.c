/* test_store_obj.c - resources: put, get, delete, move, UID lookup,
 * iterators (by name and by time range), and the instance index (spans):
 * its rows follow their resource, and time ranges find through it what
 * they must, once each, by index ranges. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "storage_test.h"
#include "store_sqlite_int.h"

/* SHA-256("hello") = 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c..., first 16 bytes. */
#define HELLO_ETAG "2cf24dba5fb0a30e26e83b2ac5b9e29e"

static void test_obj_put_new_and_replace(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	struct store_obj in = { .coll_id = cal,
		                .name = "e.ics",
		                .content_type = "text/calendar",
		                .data = "hello",
		                .len = 5,
		                .uid = "u1",
		                .comp = STORE_COMP_VEVENT,
		                .first_start = 100,
		                .last_end = 200 };
	const char *etag = NULL, *etag2 = NULL;
	struct store_obj o;
	int created = -1;

	assert_int_equal(store_obj_put(fx->c, &in, fx->a, &etag, &created, &fx->err), 0);
	assert_int_equal(created, 1);
	assert_string_equal(etag, HELLO_ETAG);

	assert_int_equal(store_obj_get(fx->c, cal, "e.ics", 1, fx->a, &o, &fx->err), 0);
	assert_int_equal(o.coll_id, cal);
	assert_string_equal(o.name, "e.ics");
	assert_string_equal(o.etag, HELLO_ETAG);
	assert_string_equal(o.content_type, "text/calendar");
	assert_int_equal(o.len, 5);
	assert_memory_equal(o.data, "hello", 5);
	assert_string_equal(o.uid, "u1");
	assert_int_equal(o.comp, STORE_COMP_VEVENT);
	assert_int_equal(o.first_start, 100);
	assert_int_equal(o.last_end, 200);
	assert_true(o.created > 0);

	in.data = "hello, world";
	in.len = strlen(in.data);
	in.first_start = 300;
	assert_int_equal(store_obj_put(fx->c, &in, fx->a, &etag2, &created, &fx->err), 0);
	assert_int_equal(created, 0);
	assert_string_not_equal(etag2, etag);
	assert_int_equal(store_obj_get(fx->c, cal, "e.ics", 0, fx->a, &o, &fx->err), 0);
	assert_string_equal(o.etag, etag2);
	assert_null(o.data);
	assert_int_equal(o.len, 12);
	assert_int_equal(o.first_start, 300);
}

static void test_obj_put_errors(void **state)
{
	struct fx *fx = *state;
	struct store_obj in = { .coll_id = fx->home, .name = "cal", .data = "x", .len = 1 };
	char *before, *after;

	fx_cal(fx, fx->home, "cal");
	before = fx_dump(fx->path);

	assert_int_equal(store_obj_put(fx->c, &in, fx->a, NULL, NULL, &fx->err), STORE_EEXISTS);
	in.coll_id = 31337;
	assert_int_equal(store_obj_put(fx->c, &in, fx->a, NULL, NULL, &fx->err), STORE_ENOTFOUND);
	after = fx_dump(fx->path);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_obj_binary_and_empty(void **state)
{
	struct fx *fx = *state;
	int64_t coll = fx_coll(fx, fx->home, STORE_COLL_PLAIN, "files");
	static const char bin[] = { 'a', '\0', 'b', '\xff', '\0' };
	struct store_obj in = { .coll_id = coll, .name = "bin", .data = bin, .len = sizeof(bin) };
	struct store_obj o;

	assert_int_equal(store_obj_put(fx->c, &in, fx->a, NULL, NULL, &fx->err), 0);
	assert_int_equal(store_obj_get(fx->c, coll, "bin", 1, fx->a, &o, &fx->err), 0);
	assert_int_equal(o.len, sizeof(bin));
	assert_memory_equal(o.data, bin, sizeof(bin));
	assert_null(o.uid);
	assert_string_equal(o.content_type, "");

	in.name = "empty";
	in.data = NULL;
	in.len = 0;
	assert_int_equal(store_obj_put(fx->c, &in, fx->a, NULL, NULL, &fx->err), 0);
	assert_int_equal(store_obj_get(fx->c, coll, "empty", 1, fx->a, &o, &fx->err), 0);
	assert_int_equal(o.len, 0);
	assert_non_null(o.data);
	/* SHA-256 of nothing: e3b0c442 98fc1c14 9afbf4c8 996fb924 ... */
	assert_string_equal(o.etag, "e3b0c44298fc1c149afbf4c8996fb924");
}

static void test_obj_delete(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	struct store_prop p;
	struct store_obj o;
	int64_t rev;

	fx_put(fx, cal, "a.ics", "A", "ua", STORE_COMP_VEVENT, 0, 1);
	fx_put(fx, cal, "b.ics", "B", "ub", STORE_COMP_VEVENT, 0, 1);
	fx_prop(fx, cal, "a.ics", "p", "<p/>");
	rev = fx_rev(fx, cal);

	assert_int_equal(store_obj_delete(fx->c, cal, "a.ics", &fx->err), 0);
	assert_int_equal(store_obj_get(fx->c, cal, "a.ics", 0, fx->a, &o, &fx->err),
	                 STORE_ENOTFOUND);
	assert_string_equal(fx_changes(fx, cal, rev), "a.ics-");
	assert_string_equal(fx_changes(fx, cal, 0), "b.ics");
	assert_int_equal(store_obj_delete(fx->c, cal, "a.ics", &fx->err), STORE_ENOTFOUND);

	/* Its properties went with it. */
	fx_put(fx, cal, "a.ics", "A2", "ua", STORE_COMP_VEVENT, 0, 1);
	assert_int_equal(store_prop_get(fx->c, cal, "a.ics", "urn:test", "p", fx->a, &p, &fx->err),
	                 STORE_ENOTFOUND);
}

static void test_obj_find_uid(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	int64_t other = fx_cal(fx, fx->home, "other");
	const char *name = NULL;

	fx_put(fx, cal, "a.ics", "A", "same", STORE_COMP_VEVENT, 0, 1);
	fx_put(fx, cal, "b.ics", "B", "same", STORE_COMP_VEVENT, 0, 1);
	fx_put(fx, cal, "c.ics", "C", "lonely", STORE_COMP_VEVENT, 0, 1);
	fx_put(fx, other, "x.ics", "X", "elsewhere", STORE_COMP_VEVENT, 0, 1);

	assert_int_equal(store_obj_find_uid(fx->c, cal, "lonely", NULL, fx->a, &name, &fx->err), 0);
	assert_string_equal(name, "c.ics");
	assert_int_equal(store_obj_find_uid(fx->c, cal, "lonely", "c.ics", fx->a, &name, &fx->err),
	                 STORE_ENOTFOUND);
	assert_int_equal(store_obj_find_uid(fx->c, cal, "same", "a.ics", fx->a, &name, &fx->err),
	                 0);
	assert_string_equal(name, "b.ics");
	assert_int_equal(store_obj_find_uid(fx->c, cal, "same", "b.ics", fx->a, &name, &fx->err),
	                 0);
	assert_string_equal(name, "a.ics");
	assert_int_equal(store_obj_find_uid(fx->c, cal, "elsewhere", NULL, fx->a, &name, &fx->err),
	                 STORE_ENOTFOUND);
}

static void test_obj_move(void **state)
{
	struct fx *fx = *state;
	int64_t src = fx_cal(fx, fx->home, "src");
	int64_t dst = fx_cal(fx, fx->home, "dst");
	const char *etag = fx_put(fx, src, "a.ics", "A", "ua", STORE_COMP_VEVENT, 0, 1);
	int64_t src_rev, dst_rev;
	struct store_prop p;
	struct store_obj o;

	fx_prop(fx, src, "a.ics", "p", "<p>kept</p>");
	src_rev = fx_rev(fx, src);
	dst_rev = fx_rev(fx, dst);

	assert_int_equal(store_obj_move(fx->c, src, "a.ics", dst, "b.ics", &fx->err), 0);
	assert_int_equal(store_obj_get(fx->c, src, "a.ics", 0, fx->a, &o, &fx->err),
	                 STORE_ENOTFOUND);
	assert_int_equal(store_obj_get(fx->c, dst, "b.ics", 1, fx->a, &o, &fx->err), 0);
	assert_string_equal(o.etag, etag);
	assert_string_equal(o.uid, "ua");
	assert_int_equal(store_prop_get(fx->c, dst, "b.ics", "urn:test", "p", fx->a, &p, &fx->err),
	                 0);
	assert_string_equal(p.xml, "<p>kept</p>");
	assert_int_equal(store_prop_get(fx->c, src, "a.ics", "urn:test", "p", fx->a, &p, &fx->err),
	                 STORE_ENOTFOUND);
	assert_string_equal(fx_changes(fx, src, src_rev), "a.ics-");
	assert_string_equal(fx_changes(fx, dst, dst_rev), "b.ics");

	/* Rename within one collection. */
	dst_rev = fx_rev(fx, dst);
	assert_int_equal(store_obj_move(fx->c, dst, "b.ics", dst, "c.ics", &fx->err), 0);
	assert_string_equal(fx_changes(fx, dst, dst_rev), "b.ics- c.ics");
}

static void test_obj_move_errors(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	char *before, *after;

	fx_put(fx, cal, "a.ics", "A", "ua", STORE_COMP_VEVENT, 0, 1);
	fx_put(fx, cal, "b.ics", "B", "ub", STORE_COMP_VEVENT, 0, 1);
	fx_coll(fx, fx->home, STORE_COLL_PLAIN, "sub");
	fx_put_plain(fx, fx->home, "f", "F");
	before = fx_dump(fx->path);
	assert_int_equal(store_obj_move(fx->c, cal, "a.ics", cal, "b.ics", &fx->err),
	                 STORE_EEXISTS);
	assert_int_equal(store_obj_move(fx->c, cal, "a.ics", cal, "a.ics", &fx->err),
	                 STORE_EEXISTS);
	assert_int_equal(store_obj_move(fx->c, fx->home, "f", fx->home, "sub", &fx->err),
	                 STORE_EEXISTS);
	assert_int_equal(store_obj_move(fx->c, cal, "zz.ics", cal, "c.ics", &fx->err),
	                 STORE_ENOTFOUND);
	assert_int_equal(store_obj_move(fx->c, cal, "a.ics", 777, "c.ics", &fx->err),
	                 STORE_ENOTFOUND);
	after = fx_dump(fx->path);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_obj_iter_and_count(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	struct store_obj_iter *it;
	struct store_obj o;
	int64_t n = -1;

	fx_put(fx, cal, "c.ics", "CCC", "uc", STORE_COMP_VEVENT, 0, 1);
	fx_put(fx, cal, "a.ics", "A", "ua", STORE_COMP_VEVENT, 0, 1);
	fx_put(fx, cal, "b.ics", "BB", "ub", STORE_COMP_VTODO, 0, 1);

	assert_int_equal(store_obj_count(fx->c, cal, &n, &fx->err), 0);
	assert_int_equal(n, 3);

	assert_int_equal(store_obj_iter_new(fx->c, cal, 0, &it, &fx->err), 0);
	assert_string_equal(fx_iter_names(fx, it), "a.ics b.ics c.ics");
	/* Past the end it stays at the end. */
	assert_int_equal(store_obj_iter_next(it, &o, &fx->err), 0);
	store_obj_iter_free(it);

	assert_int_equal(store_obj_iter_new(fx->c, cal, 1, &it, &fx->err), 0);
	assert_int_equal(store_obj_iter_next(it, &o, &fx->err), 1);
	assert_string_equal(o.name, "a.ics");
	assert_int_equal(o.len, 1);
	assert_memory_equal(o.data, "A", 1);
	assert_int_equal(store_obj_iter_next(it, &o, &fx->err), 1);
	assert_memory_equal(o.data, "BB", 2);
	store_obj_iter_free(it);

	store_obj_iter_free(NULL);
	assert_int_equal(store_obj_count(fx->c, fx->home, &n, &fx->err), 0);
	assert_int_equal(n, 0);
}

/* Two live iterators over the same SQL, with other reads in between: each
 * owns its statement, so none resets another. */
static void test_obj_iter_nested(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	struct store_obj_iter *outer, *inner;
	struct store_obj o, g;
	char pairs[256] = "";
	int rc;

	fx_put(fx, cal, "a", "A", "ua", STORE_COMP_VEVENT, 0, 1);
	fx_put(fx, cal, "b", "B", "ub", STORE_COMP_VEVENT, 0, 1);
	assert_int_equal(store_obj_iter_new(fx->c, cal, 0, &outer, &fx->err), 0);
	while ((rc = store_obj_iter_next(outer, &o, &fx->err)) == 1) {
		const char *name = sd_arena_strdup(fx->a, o.name);

		assert_int_equal(store_obj_iter_new(fx->c, cal, 0, &inner, &fx->err), 0);
		while (store_obj_iter_next(inner, &g, &fx->err) == 1) {
			strcat(pairs, name);
			strcat(pairs, g.name);
			strcat(pairs, " ");
		}
		store_obj_iter_free(inner);
		assert_int_equal(store_obj_get(fx->c, cal, name, 1, fx->a, &g, &fx->err), 0);
	}
	assert_int_equal(rc, 0);
	store_obj_iter_free(outer);
	assert_string_equal(pairs, "aa ab ba bb ");
}

/* Writes on the connection while an iterator streams from it. */
static void test_obj_iter_with_writes(void **state)
{
	struct fx *fx = *state;
	int64_t src = fx_cal(fx, fx->home, "src"), dst = fx_cal(fx, fx->home, "dst"), n = 0;
	struct store_obj_iter *it;
	struct store_obj o;
	int rc;

	fx_put(fx, src, "a", "A", "ua", STORE_COMP_VEVENT, 0, 1);
	fx_put(fx, src, "b", "B", "ub", STORE_COMP_VEVENT, 0, 1);
	assert_int_equal(store_obj_iter_new(fx->c, src, 1, &it, &fx->err), 0);
	while ((rc = store_obj_iter_next(it, &o, &fx->err)) == 1) {
		struct store_obj copy = o;

		copy.coll_id = dst;
		assert_int_equal(store_obj_put(fx->c, &copy, fx->a, NULL, NULL, &fx->err), 0);
	}
	assert_int_equal(rc, 0);
	store_obj_iter_free(it);
	assert_int_equal(store_obj_count(fx->c, dst, &n, &fx->err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(fx_changes(fx, dst, 0), "a b");
}

/* The names of the calendar resources of cal overlapping [start, end). */
static const char *range_names(struct fx *fx, int64_t cal, unsigned mask, int64_t start,
                               int64_t end)
{
	struct store_obj_iter *it;
	const char *names;

	assert_int_equal(store_obj_iter_new_range(fx->c, cal, mask, start, end, 0, &it, &fx->err),
	                 0);
	names = fx_iter_names(fx, it);
	store_obj_iter_free(it);
	return names;
}

static int count_words(const char *s)
{
	int n = *s != '\0';

	for (; *s; s++)
		n += *s == ' ';
	return n;
}

static void test_obj_range(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	struct store_obj_iter *it;
	struct store_obj o;
	const char *names;
	int found = 0;

	fx_put(fx, cal, "past", "1", "u1", STORE_COMP_VEVENT, 100, 200);
	fx_put(fx, cal, "overlap-start", "2", "u2", STORE_COMP_VEVENT, 900, 1100);
	fx_put(fx, cal, "inside", "3", "u3", STORE_COMP_VEVENT, 1200, 1300);
	fx_put(fx, cal, "todo", "4", "u4", STORE_COMP_VTODO, 1500, 1600);
	fx_put(fx, cal, "ends-at-start", "5", "u5", STORE_COMP_VEVENT, 500, 1000);
	fx_put(fx, cal, "starts-at-end", "6", "u6", STORE_COMP_VEVENT, 2000, 2100);
	fx_put(fx, cal, "forever", "7", "u7", STORE_COMP_VEVENT, 50, STORE_TIME_MAX);
	fx_put(fx, cal, "always", "8", "u8", STORE_COMP_VEVENT, STORE_TIME_MIN, STORE_TIME_MAX);
	fx_put_plain(fx, cal, "not-calendar", "9");

	/* Window [1000, 2000), half-open at both ends. */
	names = range_names(fx, cal, 0, 1000, 2000);
	assert_int_equal(count_words(names), 5);
	assert_non_null(strstr(names, "overlap-start"));
	assert_non_null(strstr(names, "inside"));
	assert_non_null(strstr(names, "todo"));
	assert_non_null(strstr(names, "forever"));
	assert_non_null(strstr(names, "always"));

	assert_string_equal(range_names(fx, cal, STORE_COMP_VTODO, 1000, 2000), "todo");
	assert_string_equal(range_names(fx, cal, STORE_COMP_VJOURNAL, 1000, 2000), "");

	/* Unbounded both ways: every calendar resource, never the plain one. */
	names = range_names(fx, cal, 0, STORE_TIME_MIN, STORE_TIME_MAX);
	assert_int_equal(count_words(names), 8);
	assert_null(strstr(names, "not-calendar"));

	/* Unbounded end. */
	names = range_names(fx, cal, STORE_COMP_VEVENT, 1600, STORE_TIME_MAX);
	assert_int_equal(count_words(names), 3);
	assert_non_null(strstr(names, "starts-at-end"));
	assert_non_null(strstr(names, "forever"));
	assert_non_null(strstr(names, "always"));

	/* With data. */
	assert_int_equal(store_obj_iter_new_range(fx->c, cal, 0, 1200, 1250, 1, &it, &fx->err), 0);
	while (store_obj_iter_next(it, &o, &fx->err) == 1)
		if (!strcmp(o.name, "inside"))
			found = o.len == 1 && o.data[0] == '3';
	store_obj_iter_free(it);
	assert_true(found);
}

/* ---- the instance index (spans) ---- */

/* The spans rows of (coll, name) as "begins-ends/class ..." by begins, or
 * of every resource when name is NULL; read through a separate connection,
 * so it shows what is committed. Arena string. */
static const char *span_rows(struct fx *fx, int64_t coll, const char *name)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	const char *out = "";

	assert_int_equal(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT begins, ends, class FROM spans WHERE "
	                                    "(coll_id = ?1 AND name = ?2) OR ?2 IS NULL "
	                                    "ORDER BY begins, ends, coll_id, name",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_int64(st, 1, coll);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		out = sd_arena_printf(fx->a, "%s%s%lld-%lld/%d", out, *out ? " " : "",
		                      (long long)sqlite3_column_int64(st, 0),
		                      (long long)sqlite3_column_int64(st, 1),
		                      sqlite3_column_int(st, 2));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

/* Puts a calendar resource with the given spans (range = their hull). */
static void put_spans(struct fx *fx, int64_t coll, const char *name, unsigned comp,
                      const struct store_span *v, size_t n)
{
	struct store_obj in = { .coll_id = coll,
		                .name = name,
		                .data = name,
		                .len = strlen(name),
		                .uid = name,
		                .comp = comp,
		                .spans = v,
		                .nspans = n };

	in.first_start = v[0].start;
	in.last_end = v[n - 1].end;
	for (size_t i = 0; i < n; i++) {
		in.first_start = v[i].start < in.first_start ? v[i].start : in.first_start;
		in.last_end = v[i].end > in.last_end ? v[i].end : in.last_end;
	}
	assert_int_equal(store_obj_put(fx->c, &in, fx->a, NULL, NULL, &fx->err), 0);
}

static void test_obj_spans_follow_the_object(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal"), other = fx_cal(fx, fx->home, "other");
	const struct store_span three[] = { { 100, 200 },
		                            { 1000, 1000 + SQ_SPAN_LEN0 + 1 },
		                            { 5000, STORE_TIME_MAX } };
	const struct store_span twice[] = { { 300, 400 }, { 300, 400 } };
	struct store_coll home;
	struct store_obj o;
	int64_t bob;

	put_spans(fx, cal, "e.ics", STORE_COMP_VEVENT, three, 3);
	assert_string_equal(span_rows(fx, cal, "e.ics"),
	                    "100-200/0 1000-87401/1 5000-9223372036854775807/4");
	assert_int_equal(store_obj_get(fx->c, cal, "e.ics", 1, fx->a, &o, &fx->err), 0);
	assert_null(o.spans);
	assert_int_equal(o.nspans, 0);
	/* Replaced with the same spans (kept), then as a task (rewritten),
	 * with them out of order; then with a repeated span, kept once;
	 * without spans, the range. */
	put_spans(fx, cal, "e.ics", STORE_COMP_VEVENT, three, 3);
	assert_string_equal(span_rows(fx, cal, "e.ics"),
	                    "100-200/0 1000-87401/1 5000-9223372036854775807/4");
	assert_string_equal(range_names(fx, cal, STORE_COMP_VTODO, 150, 160), "");
	put_spans(fx, cal, "e.ics", STORE_COMP_VTODO,
	          (struct store_span[]){ three[2], three[0], three[1] }, 3);
	assert_string_equal(span_rows(fx, cal, "e.ics"),
	                    "100-200/0 1000-87401/1 5000-9223372036854775807/4");
	assert_string_equal(range_names(fx, cal, STORE_COMP_VTODO, 150, 160), "e.ics");
	put_spans(fx, cal, "e.ics", STORE_COMP_VEVENT, twice, 2);
	assert_string_equal(span_rows(fx, cal, "e.ics"), "300-400/0");
	fx_put(fx, cal, "e.ics", "E", "e.ics", STORE_COMP_VEVENT, 10, 20);
	assert_string_equal(span_rows(fx, cal, "e.ics"), "10-20/0");
	/* Moved (to another calendar and name) and deleted with it. */
	assert_int_equal(store_obj_move(fx->c, cal, "e.ics", other, "f.ics", &fx->err), 0);
	assert_string_equal(span_rows(fx, cal, "e.ics"), "");
	assert_string_equal(span_rows(fx, other, "f.ics"), "10-20/0");
	assert_int_equal(store_obj_delete(fx->c, other, "f.ics", &fx->err), 0);
	assert_string_equal(span_rows(fx, 0, NULL), "");
	/* A plain resource has none; a collection's and a user's deletion
	 * take theirs along. */
	fx_put_plain(fx, cal, "plain", "P");
	assert_string_equal(span_rows(fx, 0, NULL), "");
	put_spans(fx, cal, "e.ics", STORE_COMP_VEVENT, three, 3);
	assert_int_equal(store_coll_delete(fx->c, cal, &fx->err), 0);
	assert_string_equal(span_rows(fx, 0, NULL), "");
	bob = fx_user(fx, "bob");
	assert_int_equal(store_home_get(fx->c, bob, fx->a, &home, &fx->err), 0);
	put_spans(fx, fx_cal(fx, home.id, "cal"), "b.ics", STORE_COMP_VEVENT, twice, 1);
	assert_string_equal(span_rows(fx, 0, NULL), "300-400/0");
	assert_int_equal(store_user_delete(fx->c, "bob", &fx->err), 0);
	assert_string_equal(span_rows(fx, 0, NULL), "");
}

#define DAY  INT64_C(86400)
#define WEEK (7 * DAY)
#define T0   INT64_C(1704067200) /* 2024-01-01T00:00:00Z, a Monday */

static void test_obj_range_by_spans(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	struct store_span weekly[52], wide[10];

	/* Mondays 10:00-11:00 for a year; its range covers every window of
	 * the year, its spans only the Mondays. */
	for (int i = 0; i < 52; i++)
		weekly[i] = (struct store_span){ T0 + i * WEEK + 36000, T0 + i * WEEK + 39600 };
	put_spans(fx, cal, "weekly", STORE_COMP_VEVENT, weekly, 52);
	/* Three-day instances (Mon-Thu) every four weeks. */
	for (int i = 0; i < 10; i++)
		wide[i] = (struct store_span){ T0 + i * 4 * WEEK, T0 + i * 4 * WEEK + 3 * DAY };
	put_spans(fx, cal, "straddle", STORE_COMP_VEVENT, wide, 10);
	/* One event of three months from Feb 1 (day 31), one of 500 days, one
	 * endless, one with no times at all, a task. */
	put_spans(fx, cal, "quarter", STORE_COMP_VEVENT,
	          &(struct store_span){ T0 + 31 * DAY, T0 + 122 * DAY }, 1);
	put_spans(fx, cal, "long", STORE_COMP_VEVENT,
	          &(struct store_span){ T0 - 100 * DAY, T0 + 400 * DAY }, 1);
	put_spans(fx, cal, "forever", STORE_COMP_VEVENT, &(struct store_span){ T0, STORE_TIME_MAX },
	          1);
	put_spans(fx, cal, "always", STORE_COMP_VEVENT,
	          &(struct store_span){ STORE_TIME_MIN, STORE_TIME_MAX }, 1);
	put_spans(fx, cal, "todo", STORE_COMP_VTODO,
	          &(struct store_span){ T0 + 50 * DAY, T0 + 50 * DAY + 1 }, 1);

	/* Tuesday of week 10 (day 71), 12:00-13:00: inside a three-day
	 * instance? No, week 10 is not a multiple of 4 (8 is: days 56-59). */
	assert_string_equal(range_names(fx, cal, 0, T0 + 71 * DAY + 43200, T0 + 71 * DAY + 46800),
	                    "always forever long quarter");
	/* Tuesday of week 8, 12:00-13:00: the three-day instance straddles it. */
	assert_string_equal(range_names(fx, cal, 0, T0 + 57 * DAY + 43200, T0 + 57 * DAY + 46800),
	                    "always forever long quarter straddle");
	/* Monday of week 10 around 10:30, and a month over four Mondays: the
	 * series comes once. */
	assert_string_equal(range_names(fx, cal, 0, T0 + 70 * DAY + 37800, T0 + 70 * DAY + 37801),
	                    "always forever long quarter weekly");
	assert_string_equal(range_names(fx, cal, STORE_COMP_VEVENT, T0 + 36 * DAY, T0 + 66 * DAY),
	                    "always forever long quarter straddle weekly");
	/* The kind mask, on the task's one second. */
	assert_string_equal(range_names(fx, cal, STORE_COMP_VTODO, T0 + 50 * DAY, T0 + 51 * DAY),
	                    "todo");
	/* Before everything but the endless ones. */
	assert_string_equal(range_names(fx, cal, 0, T0 - 200 * DAY, T0 - 199 * DAY), "always");
	/* Open windows and those longer than 400 days use the ranges: the
	 * series meets them however its instances fall. */
	assert_non_null(strstr(range_names(fx, cal, 0, T0 + 71 * DAY, T0 + 472 * DAY), "weekly"));
	assert_non_null(strstr(range_names(fx, cal, 0, T0 + 71 * DAY, STORE_TIME_MAX), "weekly"));
}

/* A span of each length around each class bound is found by the last
 * second it covers and not by the first after it. */
static void test_obj_range_class_bounds(void **state)
{
	static const int64_t bounds[] = { SQ_SPAN_LEN0, SQ_SPAN_LEN1, SQ_SPAN_LEN2, SQ_SPAN_LEN3 };
	struct fx *fx = *state;

	for (size_t b = 0; b < sizeof(bounds) / sizeof(bounds[0]); b++) {
		for (int64_t d = -1; d <= 1; d++) {
			char *name = sd_arena_printf(fx->a, "c%zu%+d", b, (int)d);
			int64_t cal = fx_cal(fx, fx->home, name), end = T0 + bounds[b] + d;

			put_spans(fx, cal, name, STORE_COMP_VEVENT, &(struct store_span){ T0, end },
			          1);
			assert_string_equal(range_names(fx, cal, 0, end - 1, end), name);
			assert_string_equal(range_names(fx, cal, 0, end - 1, end + WEEK), name);
			assert_string_equal(range_names(fx, cal, 0, end, end + 1), "");
			assert_string_equal(range_names(fx, cal, 0, T0 - 1, T0), "");
		}
	}
}

/* The queries that grow with a calendar search an index, never scan: a
 * time range searches spans_range once per length class, then objects by
 * key, and needs no sort. */
static void test_obj_queries_use_indexes(void **state)
{
#define SPANS_PLAN \
	"USING COVERING INDEX spans_range (coll_id=? AND class=? AND begins>? AND begins<?)"
#define OBJ_BY_KEY "SEARCH objects USING INDEX sqlite_autoindex_objects_1 (coll_id=? AND name=?)"
	static const struct {
		const char *sql;
		const char *plan;
		int times; /* how often plan occurs in it */
	} cases[] = {
		{ store_sq_sql_obj_range, "USING INDEX objects_range (coll_id=? AND last_end>?)",
		  1 },
		{ store_sq_sql_obj_range_data,
		  "USING INDEX objects_range (coll_id=? AND last_end>?)", 1 },
		{ store_sq_sql_obj_find_uid,
		  "USING COVERING INDEX objects_uid (coll_id=? AND uid=?)", 1 },
		{ store_sq_sql_obj_spans, SPANS_PLAN, SQ_SPAN_CLASSES },
		{ store_sq_sql_obj_spans_data, SPANS_PLAN, SQ_SPAN_CLASSES },
		{ store_sq_sql_obj_spans, OBJ_BY_KEY, 1 },
		{ store_sq_sql_obj_spans_data, OBJ_BY_KEY, 1 },
	};
	struct fx *fx = *state;
	sqlite3 *db;

	assert_int_equal(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", cases[i].sql);
		char plan[4096] = "";
		sqlite3_stmt *st;
		int times = 0;

		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			strncat(plan, (const char *)sqlite3_column_text(st, 3),
			        sizeof(plan) - strlen(plan) - 2);
			strcat(plan, ";");
		}
		sqlite3_finalize(st);
		sqlite3_free(sql);
		for (const char *p = plan; (p = strstr(p, cases[i].plan)); p++)
			times++;
		if (times != cases[i].times)
			print_error("plan: %s\n", plan);
		assert_int_equal(times, cases[i].times);
		assert_null(strstr(plan, "SCAN"));
		assert_null(strstr(plan, "TEMP B-TREE"));
	}
	sqlite3_close(db);
#undef SPANS_PLAN
#undef OBJ_BY_KEY
}

int test_store_obj_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_obj_put_new_and_replace, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_obj_put_errors, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_obj_binary_and_empty, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_obj_delete, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_obj_find_uid, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_obj_move, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_obj_move_errors, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_obj_iter_and_count, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_obj_iter_nested, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_obj_iter_with_writes, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_obj_range, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_obj_spans_follow_the_object, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_obj_range_by_spans, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_obj_range_class_bounds, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_obj_queries_use_indexes, fx_setup,
		                                fx_teardown),
	};
	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
