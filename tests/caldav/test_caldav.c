/* test_caldav.c - the DAV front driven in-process, with no socket.
 *
 * A fixture opens a fresh SQLite store with two users, alice and bob (bob
 * is a staff member, so others may see his busy time), and calls
 * dav_handle() the way server/ does, draining streamed bodies. Two kinds
 * of tests:
 * - golden files: data/NNN-name.req holds a request (request line,
 *   headers, blank line, body); data/NNN-name.resp the expected status
 *   line, the headers that must be present, and the body. "{{*}}" in an
 *   expected body or header matches any text (dates, the database epoch).
 *   Requests run as alice; a header "X-Test-As: bob" runs one as bob.
 *   Files run in name order against one store, so later ones see what
 *   earlier ones did.
 * - C tests for what is easier to say in code (races, tokens, limits, the
 *   rows of the instance index behind PUT, COPY and MOVE).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "dav.h"
#include "sd_buf.h"
#include "sd_util.h"
#include "store_bk.h"

struct fixture {
	char dir[64];
	struct store *st;
	struct store_conn *conn;
	struct dav_config cfg;
	int64_t alice, bob;
	struct sd_arena *arena; /* for a test's own strings, or NULL */
};

struct reply {
	struct sd_arena *a;
	struct sd_req req;
	const char *body; /* whole body, streamed part included */
};

static int setup(void **state)
{
	struct fixture *f = sd_xcalloc(1, sizeof(*f));
	struct store_staff staff = { .name = "Bob", .email = "", .active = 1 };
	char path[128];

	strcpy(f->dir, "/tmp/test_caldav.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/db.sqlite", f->dir);
	assert_int_equal(store_open(&f->st, path, 2, NULL), 0);
	assert_int_equal(store_conn_acquire(f->st, &f->conn, NULL), 0);
	assert_int_equal(
	    store_user_create(f->conn, "alice", "Alice", "alice@example.com", "x", &f->alice, NULL),
	    0);
	assert_int_equal(
	    store_user_create(f->conn, "bob", "Bob", "bob@example.com", "x", &f->bob, NULL), 0);
	assert_int_equal(dav_user_provision(f->conn, f->alice, NULL), 0);
	assert_int_equal(dav_user_provision(f->conn, f->bob, NULL), 0);
	staff.user_id = f->bob;
	assert_int_equal(store_staff_create(f->conn, &staff, NULL, NULL), 0);
	f->cfg.prefix = "/dav";
	f->cfg.max_resource_size = 65536;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	store_conn_release(f->conn);
	store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Runs one request as user; headers is "Name: value\n..." or NULL. */
static void run_as(struct fixture *f, const char *user, int64_t uid, struct reply *r,
                   const char *method, const char *path, const char *headers, const char *body)
{
	r->a = sd_arena_new();
	sd_req_init(&r->req, r->a);
	r->req.method = method;
	r->req.path = path;
	r->req.user_id = uid;
	r->req.user_name = user;
	r->req.body = body;
	r->req.body_len = body ? strlen(body) : 0;
	for (const char *h = headers; h && *h;) {
		const char *nl = strchr(h, '\n'), *colon = strchr(h, ':');
		size_t len = nl ? (size_t)(nl - h) : strlen(h);
		char *name = sd_arena_strndup(r->a, h, (size_t)(colon - h));
		char *value = sd_arena_strndup(r->a, colon + 2, len - (size_t)(colon - h) - 2);
		sd_req_add_header(&r->req, name, value);
		h += len + (nl != NULL);
	}
	dav_handle(&r->req, f->conn, &f->cfg);
	if (r->req.resp_stream) {
		int rc;
		do {
			rc = r->req.resp_stream(r->req.resp_stream_cls, &r->req.resp_body);
		} while (rc == 1);
		assert_int_equal(rc, 0);
	}
	r->body = sd_buf_cstr(&r->req.resp_body);
}

static void run(struct fixture *f, struct reply *r, const char *method, const char *path,
                const char *headers, const char *body)
{
	run_as(f, "alice", f->alice, r, method, path, headers, body);
}

static void done(struct reply *r)
{
	sd_arena_free(r->a);
}

/* ---- golden files ------------------------------------------------------ */

/* Matches text against a pattern where "{{*}}" stands for any run. */
static int wild_match(const char *pat, const char *text)
{
	const char *star = strstr(pat, "{{*}}");

	if (!star)
		return strcmp(pat, text) == 0;
	if (strncmp(pat, text, (size_t)(star - pat)) != 0)
		return 0;
	text += star - pat;
	pat = star + 5;
	for (const char *t = text;; t++) {
		if (wild_match(pat, t))
			return 1;
		if (!*t)
			return 0;
	}
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	long n;
	char *s;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	s = sd_xmalloc((size_t)n + 1);
	assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
	s[n] = '\0';
	fclose(fp);
	return s;
}

/* Splits "head\n\nbody" in place; returns body ("" if none). */
static char *split_body(char *s)
{
	char *sep = strstr(s, "\n\n");

	if (!sep)
		return s + strlen(s);
	*sep = '\0';
	return sep + 2;
}

static void trim_end(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* Masks what changes from run to run: the database epoch in sync tokens
 * and HTTP/ISO dates. In place. */
static void mask_volatile(char *s, struct sd_arena *a, const char **out)
{
	struct sd_buf b;
	const char *p = s;

	sd_buf_init(&b, 0);
	while (*p) {
		const char *sync = strstr(p, "/ns/sync/"), *date = strstr(p, " GMT<");
		const char *iso = strstr(p, "Z</d:creationdate>");
		const char *next = sync;
		if (!next || (date && date < next))
			next = date;
		if (!next || (iso && iso < next))
			next = iso;
		if (!next) {
			sd_buf_adds(&b, p);
			break;
		}
		if (next == sync) {
			const char *dash = strchr(sync + 9, '-');
			sd_buf_add(&b, p, (size_t)(sync + 9 - p));
			sd_buf_adds(&b, "{{*}}");
			p = dash ? dash : sync + 9;
		} else {
			/* Back to the opening '>' of the element holding the date. */
			const char *gt = next;
			while (gt > p && *gt != '>')
				gt--;
			sd_buf_add(&b, p, (size_t)(gt + 1 - p));
			sd_buf_adds(&b, "{{*}}");
			p = next == date ? date + 4 : iso + 1;
		}
	}
	*out = sd_arena_strdup(a, sd_buf_cstr(&b));
	sd_buf_free(&b);
}

/* SLOTDAV_GOLDEN_WRITE=1 rewrites the .resp files from what the server
 * answers now: for review with git diff, never blindly. */
static void golden_write(const char *base, struct reply *r)
{
	char path[512];
	const char *body, *etag = sd_req_resp_header(&r->req, "ETag");
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s.resp", TEST_DATA_DIR, base);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fprintf(fp, "%d\n", r->req.status);
	if (r->req.resp_type && r->body[0])
		fprintf(fp, "Content-Type: %s\n", r->req.resp_type);
	if (etag)
		fprintf(fp, "ETag: %s\n", etag);
	for (const struct sd_header *h = r->req.resp_headers; h; h = h->next)
		if (!strcasecmp(h->name, "DAV") || !strcasecmp(h->name, "Allow") ||
		    !strcasecmp(h->name, "Location"))
			fprintf(fp, "%s: %s\n", h->name, h->value);
	mask_volatile((char *)r->body, r->a, &body);
	fprintf(fp, "\n%s", body);
	fclose(fp);
}

static void golden_one(struct fixture *f, const char *base)
{
	char path[512], method[32], target[256], *req, *resp, *rbody, *ebody, *hdrs, *nl;
	struct reply r;
	int status;

	snprintf(path, sizeof(path), "%s/%s.req", TEST_DATA_DIR, base);
	req = slurp(path);
	snprintf(path, sizeof(path), "%s/%s.resp", TEST_DATA_DIR, base);
	resp = slurp(path);
	assert_non_null(req);
	if (!resp && getenv("SLOTDAV_GOLDEN_WRITE"))
		resp = sd_xstrdup("");
	assert_non_null(resp);
	rbody = split_body(req);
	assert_int_equal(sscanf(req, "%31s %255s", method, target), 2);
	hdrs = strchr(req, '\n');
	hdrs = hdrs ? hdrs + 1 : "";
	if (strstr(hdrs, "X-Test-As: bob"))
		run_as(f, "bob", f->bob, &r, method, target, hdrs, *rbody ? rbody : NULL);
	else
		run(f, &r, method, target, hdrs, *rbody ? rbody : NULL);
	if (getenv("SLOTDAV_GOLDEN_WRITE")) {
		golden_write(base, &r);
		done(&r);
		free(req);
		free(resp);
		return;
	}
	ebody = split_body(resp);
	status = atoi(resp);
	if (status != r.req.status)
		fail_msg("%s: status %d, expected %d\n%s", base, r.req.status, status, r.body);
	/* Expected headers: each must be present with a matching value. */
	for (char *h = strchr(resp, '\n'); h && *++h; h = nl) {
		char *colon = strchr(h, ':');
		const char *got;
		nl = strchr(h, '\n');
		if (nl)
			*nl = '\0';
		assert_non_null(colon);
		*colon = '\0';
		got = sd_req_resp_header(&r.req, h);
		if (!got && !strcasecmp(h, "Content-Type"))
			got = r.req.resp_type;
		if (!got || !wild_match(colon + 2, got))
			fail_msg("%s: header %s is '%s', expected '%s'", base, h,
			         got ? got : "(none)", colon + 2);
		if (!nl)
			break;
	}
	trim_end(ebody);
	{
		char *got = sd_xstrdup(r.body);
		trim_end(got);
		if (!wild_match(ebody, got))
			fail_msg("%s: body differs.\n--- expected\n%s\n--- got\n%s", base, ebody,
			         got);
		free(got);
	}
	done(&r);
	free(req);
	free(resp);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_req(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 4 && !strcmp(d->d_name + n - 4, ".req");
}

static void test_golden(void **state)
{
	struct dirent **list;
	int n = scandir(TEST_DATA_DIR, &list, is_req, by_name);

	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		char base[256];
		snprintf(base, sizeof(base), "%.*s", (int)strlen(list[i]->d_name) - 4,
		         list[i]->d_name);
		golden_one(*state, base);
		free(list[i]);
	}
	free(list);
}

/* ---- C tests ----------------------------------------------------------- */

#define EVENT_FMT                                                                  \
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n" \
	"UID:%s\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261201T100000Z\r\n"       \
	"DTEND:20261201T110000Z\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

static char *event(struct sd_arena *a, const char *uid, const char *summary)
{
	return sd_arena_printf(a, EVENT_FMT, uid, summary);
}

#define SYNC_FMT                                           \
	"<?xml version=\"1.0\"?><d:sync-collection "       \
	"xmlns:d=\"DAV:\"><d:sync-token>%s</d:sync-token>" \
	"<d:sync-level>1</d:sync-level>%s<d:prop><d:getetag/></d:prop></d:sync-collection>"

/* The sync-token in a sync report body, copied into a. */
static char *token_of(struct sd_arena *a, const char *body)
{
	const char *s = strstr(body, "<d:sync-token>"), *e;

	assert_non_null(s);
	s += 14;
	e = strstr(s, "</d:sync-token>");
	return sd_arena_strndup(a, s, (size_t)(e - s));
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_sync_incremental_and_limit(void **state)
{
	struct fixture *f = *state;
	struct sd_arena *a = sd_arena_new();
	struct reply r;
	char *tok, *tok2;
	const char *cal = "/dav/calendars/alice/default/";

	run(f, &r, "REPORT", cal, NULL, sd_arena_printf(a, SYNC_FMT, "", ""));
	assert_int_equal(r.req.status, 207);
	tok = token_of(a, r.body);
	done(&r);
	for (int i = 0; i < 5; i++) {
		char *path = sd_arena_printf(a, "%ssync-%d.ics", cal, i);
		run(f, &r, "PUT", path, "Content-Type: text/calendar",
		    event(a, sd_arena_printf(a, "sync-%d", i), "x"));
		assert_int_equal(r.req.status, 201);
		done(&r);
	}
	run(f, &r, "DELETE", sd_arena_printf(a, "%ssync-1.ics", cal), NULL, NULL);
	assert_int_equal(r.req.status, 204);
	done(&r);
	/* Two at a time: 507 for the request URI, then the rest. */
	run(f, &r, "REPORT", cal, NULL,
	    sd_arena_printf(a, SYNC_FMT, tok, "<d:limit><d:nresults>2</d:nresults></d:limit>"));
	assert_int_equal(r.req.status, 207);
	assert_int_equal(count(r.body, "<d:response>"), 3);
	assert_non_null(strstr(r.body, "507 Insufficient Storage"));
	assert_non_null(strstr(r.body, "<d:number-of-matches-within-limits/>"));
	tok2 = token_of(a, r.body);
	done(&r);
	run(f, &r, "REPORT", cal, NULL, sd_arena_printf(a, SYNC_FMT, tok2, ""));
	assert_int_equal(r.req.status, 207);
	/* sync-2, sync-3, sync-4 and the tombstone of sync-1. */
	assert_int_equal(count(r.body, "<d:response>"), 3);
	assert_non_null(strstr(r.body, "sync-1.ics</d:href><d:status>HTTP/1.1 404"));
	assert_null(strstr(r.body, "sync-0.ics"));
	tok = token_of(a, r.body);
	done(&r);
	/* Nothing new: an empty answer, the same token. */
	run(f, &r, "REPORT", cal, NULL, sd_arena_printf(a, SYNC_FMT, tok, ""));
	assert_int_equal(count(r.body, "<d:response>"), 0);
	assert_string_equal(token_of(a, r.body), tok);
	done(&r);
	/* A token of another collection or from the future is refused. */
	run(f, &r, "REPORT", "/dav/calendars/alice/", NULL, sd_arena_printf(a, SYNC_FMT, tok, ""));
	assert_int_equal(r.req.status, 403);
	assert_non_null(strstr(r.body, "<d:valid-sync-token/>"));
	done(&r);
	run(f, &r, "REPORT", cal, NULL,
	    sd_arena_printf(a, SYNC_FMT, sd_arena_printf(a, "%s999", tok), ""));
	assert_int_equal(r.req.status, 403);
	done(&r);
	sd_arena_free(a);
}

static void test_other_users_space_is_forbidden(void **state)
{
	struct fixture *f = *state;
	struct reply r;
	const char *paths[] = { "/dav/calendars/bob/", "/dav/calendars/bob/default/",
		                "/dav/principals/bob/", "/dav/calendars/nobody/",
		                "/dav/calendars/bob/default/x.ics" };

	for (size_t i = 0; i < SD_ARRAY_LEN(paths); i++) {
		run(f, &r, "PROPFIND", paths[i], "Depth: 0", NULL);
		assert_int_equal(r.req.status, 403);
		done(&r);
	}
	run(f, &r, "PUT", "/dav/calendars/bob/default/x.ics", NULL, "BEGIN:VCALENDAR");
	assert_int_equal(r.req.status, 403);
	done(&r);
}

static void test_if_match_lists(void **state)
{
	struct fixture *f = *state;
	struct sd_arena *a = sd_arena_new();
	struct reply r;
	const char *p = "/dav/calendars/alice/default/im.ics";
	char *etag;

	run(f, &r, "PUT", p, "If-None-Match: *", event(a, "im", "one"));
	assert_int_equal(r.req.status, 201);
	etag = sd_arena_strdup(a, sd_req_resp_header(&r.req, "ETag"));
	done(&r);
	run(f, &r, "PUT", p, "If-None-Match: *", event(a, "im", "two"));
	assert_int_equal(r.req.status, 412);
	done(&r);
	run(f, &r, "PUT", p, sd_arena_printf(a, "If-Match: \"nope\", %s", etag),
	    event(a, "im", "two"));
	assert_int_equal(r.req.status, 204);
	assert_string_not_equal(sd_req_resp_header(&r.req, "ETag"), etag);
	done(&r);
	run(f, &r, "PUT", p, sd_arena_printf(a, "If-Match: %s", etag), event(a, "im", "three"));
	assert_int_equal(r.req.status, 412);
	done(&r);
	run(f, &r, "DELETE", p, sd_arena_printf(a, "If-Match: W/%s", etag), NULL);
	assert_int_equal(r.req.status, 412);
	done(&r);
	run(f, &r, "GET", p, NULL, NULL);
	assert_int_equal(r.req.status, 200);
	assert_non_null(strstr(r.body, "SUMMARY:two"));
	done(&r);
	sd_arena_free(a);
}

/* Rows of the instance index of calendar cal's resource name, read from the
 * database file. */
static int span_rows(struct fixture *f, const char *cal, const char *name)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *st;
	int n;

	snprintf(path, sizeof(path), "%s/db.sqlite", f->dir);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT count(*) FROM spans AS s JOIN collections AS c "
	                                    "ON c.id = s.coll_id WHERE c.name = ?1 AND s.name = ?2",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(st, 1, cal, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

#define QUERY_FMT                                                                           \
	"<?xml version=\"1.0\"?><C:calendar-query xmlns:D=\"DAV:\" "                        \
	"xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop><D:getetag/></D:prop><C:filter>" \
	"<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:time-range "   \
	"start=\"%s\" end=\"%s\"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"

/* How many resources of cal a query for [start, end) returns. */
static int query_count(struct fixture *f, const char *cal, const char *start, const char *end)
{
	struct reply r;
	int n;

	run(f, &r, "REPORT", cal, "Depth: 1", sd_arena_printf(f->arena, QUERY_FMT, start, end));
	assert_int_equal(r.req.status, 207);
	n = count(r.body, "<d:response>");
	done(&r);
	return n;
}

/* PUT, COPY and MOVE write the instance index a row per instance (ten
 * Tuesdays here), which goes with the resource; queries answer the same. */
static void test_instance_index_follows_resources(void **state)
{
	struct fixture *f = *state;
	struct reply r;
	const char *def = "/dav/calendars/alice/default/", *sec = "/dav/calendars/alice/second/";
	const char *weekly = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
	                     "BEGIN:VEVENT\r\nUID:wk\r\nDTSTAMP:20261101T000000Z\r\n"
	                     "DTSTART:20261201T100000Z\r\nDURATION:PT1H\r\n"
	                     "RRULE:FREQ=WEEKLY;COUNT=10\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

	f->arena = sd_arena_new();
	run(f, &r, "PUT", "/dav/calendars/alice/default/wk.ics", "Content-Type: text/calendar",
	    weekly);
	assert_int_equal(r.req.status, 201);
	done(&r);
	assert_int_equal(span_rows(f, "default", "wk.ics"), 10);
	/* A Wednesday between instances, then a Tuesday's instance. */
	assert_int_equal(query_count(f, def, "20261202T000000Z", "20261203T000000Z"), 0);
	assert_int_equal(query_count(f, def, "20261208T103000Z", "20261208T103001Z"), 1);
	run(f, &r, "MKCALENDAR", sec, NULL, NULL);
	assert_int_equal(r.req.status, 201);
	done(&r);
	run(f, &r, "COPY", "/dav/calendars/alice/default/wk.ics",
	    "Destination: /dav/calendars/alice/second/wk.ics", NULL);
	assert_int_equal(r.req.status, 201);
	done(&r);
	assert_int_equal(span_rows(f, "second", "wk.ics"), 10);
	run(f, &r, "MOVE", "/dav/calendars/alice/second/wk.ics",
	    "Destination: /dav/calendars/alice/second/renamed.ics", NULL);
	assert_int_equal(r.req.status, 201);
	done(&r);
	assert_int_equal(span_rows(f, "second", "wk.ics"), 0);
	assert_int_equal(span_rows(f, "second", "renamed.ics"), 10);
	assert_int_equal(query_count(f, sec, "20261208T103000Z", "20261208T103001Z"), 1);
	run(f, &r, "DELETE", "/dav/calendars/alice/second/renamed.ics", NULL, NULL);
	assert_int_equal(r.req.status, 204);
	done(&r);
	assert_int_equal(span_rows(f, "second", "renamed.ics"), 0);
	run(f, &r, "MOVE", "/dav/calendars/alice/default/wk.ics",
	    "Destination: /dav/calendars/alice/second/moved.ics", NULL);
	assert_int_equal(r.req.status, 201);
	done(&r);
	assert_int_equal(span_rows(f, "default", "wk.ics"), 0);
	assert_int_equal(span_rows(f, "second", "moved.ics"), 10);
	assert_int_equal(query_count(f, sec, "20261202T000000Z", "20261203T000000Z"), 0);
	assert_int_equal(query_count(f, sec, "20270202T100000Z", "20270202T110000Z"), 1);
	sd_arena_free(f->arena);
	f->arena = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_incremental_and_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_users_space_is_forbidden, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_if_match_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_instance_index_follows_resources, setup,
		                                teardown),
	};
	return cmocka_run_group_tests_name("caldav", tests, NULL, NULL);
}
