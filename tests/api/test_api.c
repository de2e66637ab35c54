/* test_api.c - the tests of api/ in one cmocka binary: time formats and
 * codecs on their own, then api_handle() in-process, with no socket,
 * against the real booking engine and a real SQLite store in a temporary
 * directory. This file holds main, the world every request test starts
 * from (test_api.h) and the helper that runs one request.
 *
 * The store is opened over the fault backend (store_fault.h), disarmed, so
 * a test can make storage fail for real; its busy timeout is short, so a
 * test can hold the write lock on a second connection and see 503 soon.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "dav.h"
#include "ics_zone.h"
#include "sd_arena.h"
#include "sd_util.h"
#include "store_fault.h"
#include "test_api.h"

#define BUSY_MS 100

struct world w;

static const char *const login_names[NLOGINS] = {
	"alice", "bob", "carol", "dora", "eve", "nobody"
};
static const char *const display_names[NLOGINS] = {
	"Alice Admin", "Bob Builder", "Carol", "Dora Explorer", "Eve", "Nobody Special",
};

static const struct booking_actor sys = { BOOKING_ROLE_SYSTEM, 0, 0, "test", "cli", "" };

/* ---- the world ------------------------------------------------------------- */

static struct booking_ctx sys_ctx(int64_t now)
{
	return (struct booking_ctx){ w.c, w.a, now, &sys };
}

static int64_t staff(struct booking_ctx *x, enum login l, const char *name, int admin)
{
	struct store_staff s = { .user_id = w.user[l],
		                 .name = name,
		                 .admin = admin,
		                 .active = 1,
		                 .location_ids = &w.loc,
		                 .nlocations = 1 };
	int64_t id;

	assert_int_equal(booking_staff_save(x, &s, &id, &w.err), 0);
	return id;
}

static void hours_all_week(struct booking_ctx *x, int64_t staff_id)
{
	struct store_hours h[7];

	for (int i = 0; i < 7; i++)
		h[i] = (struct store_hours){ w.loc, i + 1, 8 * 60, 18 * 60 };
	assert_int_equal(booking_hours_set(x, staff_id, w.loc, h, 7, &w.err), 0);
}

static int64_t customer(struct booking_ctx *x, enum login l, const char *email, const char *phone)
{
	struct store_customer c = {
		.name = display_names[l], .email = email, .phone = phone, .user_id = w.user[l]
	};
	int64_t id;

	assert_int_equal(booking_customer_save(x, &c, &id, &w.err), 0);
	return id;
}

int world_setup(void **state)
{
	struct store_location loc = { .name = "Workshop",
		                      .timezone = TZ,
		                      .email = "shop@example.org" };
	struct store_service svc = {
		.name = "Service", .duration_min = 60, .buffer_after_min = 15, .active = 1
	};
	struct store_backend *be;
	struct booking_ctx x;
	int64_t ids[2], wall;
	char path[96];

	(void)state;
	memset(&w, 0, sizeof(w));
	snprintf(w.dir, sizeof(w.dir), "/tmp/slotdav-api-XXXXXX");
	assert_non_null(mkdtemp(w.dir));
	snprintf(path, sizeof(path), "%s/db", w.dir);
	assert_int_equal(store_sqlite_backend_new(&be, path, BUSY_MS, &w.err), 0);
	w.fault = store_fault_backend_new(be);
	assert_int_equal(store_open_backend(&w.st, w.fault, 2, &w.err), 0);
	assert_int_equal(store_conn_acquire(w.st, &w.c, &w.err), 0);
	w.a = sd_arena_new();

	w.now = sd_now();
	assert_int_equal(ics_zone_wall(TZ, w.now, &wall), 0);
	w.today = wall >= 0 ? wall / 86400 : (wall - 86399) / 86400;
	w.mon = w.today + (8 - ics_weekday(w.today)) + 7;

	for (int i = 0; i < NLOGINS; i++) {
		assert_int_equal(store_user_create(w.c, login_names[i], display_names[i],
		                                   S("%s@example.org", login_names[i]), "x",
		                                   &w.user[i], &w.err),
		                 0);
		assert_int_equal(dav_user_provision(w.c, w.user[i], &w.err), 0);
	}
	x = sys_ctx(w.now);
	assert_int_equal(booking_location_save(&x, &loc, &w.loc, &w.err), 0);
	w.alice = staff(&x, ALICE, "Alice", 1);
	w.bob = staff(&x, BOB, "Bob", 0);
	w.carol = staff(&x, CAROL, "Carol", 0);
	hours_all_week(&x, w.alice);
	hours_all_week(&x, w.bob);
	ids[0] = w.alice;
	ids[1] = w.bob;
	svc.location_id = w.loc;
	svc.staff_ids = ids;
	svc.nstaff = 2;
	assert_int_equal(booking_service_save(&x, &svc, &w.svc, &w.err), 0);
	w.dora = customer(&x, DORA, "dora@example.org", "");
	w.eve = customer(&x, EVE, "", "+49 30 123456");
	return 0;
}

int world_teardown(void **state)
{
	char cmd[128];

	(void)state;
	sd_arena_free(w.a);
	store_conn_release(w.c);
	store_close(w.st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", w.dir);
	assert_int_equal(system(cmd), 0);
	memset(&w, 0, sizeof(w));
	return 0;
}

int64_t day_at(int64_t day, int hour, int min)
{
	int64_t t[2];
	int n = 0;

	assert_int_equal(ics_zone_instants(TZ, day * 86400 + hour * HOUR + min * 60LL, t, &n), 0);
	assert_true(n >= 1);
	return t[0];
}

int64_t at(int d, int hour, int min)
{
	return day_at(w.mon + d, hour, min);
}

const char *S(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = sd_arena_vprintf(w.a, fmt, ap);
	va_end(ap);
	return s;
}

const char *iso(int64_t t)
{
	char buf[API_TIME_LEN];

	return S("%s", api_time_format(buf, t));
}

const char *iso_local(int64_t t)
{
	char buf[API_TIME_LEN];
	int64_t wall, off;

	assert_int_equal(ics_zone_wall(TZ, t, &wall), 0);
	off = wall - t;
	api_time_format(buf, wall);
	buf[19] = '\0'; /* drop the Z */
	return S("%s%c%02lld:%02lld", buf, off < 0 ? '-' : '+', (long long)(llabs(off) / 3600),
	         (long long)(llabs(off) % 3600 / 60));
}

const char *day_str(int64_t day)
{
	char buf[API_TIME_LEN];

	return S("%s", api_day_format(buf, day));
}

int64_t book_as_system(int64_t staff_id, int64_t customer_id, int64_t start, int64_t now)
{
	struct booking_ctx x = sys_ctx(now);
	struct booking_new n = { .service_id = w.svc,
		                 .staff_id = staff_id,
		                 .customer_id = customer_id,
		                 .start = start };
	struct store_booking b;

	assert_int_equal(booking_create(&x, &n, &b, &w.err), 0);
	return b.id;
}

void booking_stored(int64_t id, struct store_booking *out)
{
	assert_int_equal(store_booking_get(w.c, id, w.a, out, &w.err), 0);
}

/* ---- one exchange ------------------------------------------------------------ */

static void add_headers(struct sd_req *req, const char *headers)
{
	char line[512];

	while (headers && *headers) {
		size_t n = strcspn(headers, "\n");
		char *colon;

		assert_true(n < sizeof(line));
		memcpy(line, headers, n);
		line[n] = '\0';
		headers += n + (headers[n] == '\n');
		if (!(colon = strchr(line, ':')))
			continue;
		*colon = '\0';
		sd_req_add_header(req, line, colon + 1 + strspn(colon + 1, " "));
	}
}

void run(struct reply *r, int who, const char *method, const char *body_text, const char *headers,
         const char *target, ...)
{
	static const struct api_config cfg = { "/api/v1" };
	va_list ap;
	const char *t, *q;

	memset(r, 0, sizeof(*r));
	r->a = sd_arena_new();
	va_start(ap, target);
	t = sd_arena_vprintf(r->a, target, ap);
	va_end(ap);
	q = strchr(t, '?');
	sd_req_init(&r->req, r->a);
	r->req.method = method;
	r->req.path = q ? sd_arena_strndup(r->a, t, (size_t)(q - t)) : t;
	r->req.query = q ? q + 1 : NULL;
	r->req.base_url = "http://127.0.0.1:8008";
	r->req.user_id = w.user[who];
	r->req.user_name = login_names[who];
	add_headers(&r->req, headers);
	if (body_text) {
		r->req.body = body_text;
		r->req.body_len = strlen(body_text);
		if (!sd_req_header(&r->req, "Content-Type"))
			sd_req_add_header(&r->req, "Content-Type", "application/json");
	} else {
		r->req.body = "";
	}
	r->status = api_handle(&r->req, w.c, &cfg);
	assert_int_equal(r->req.status, r->status);
	/* No transaction left open: a new one can begin on the connection. */
	assert_int_equal(store_begin(w.c, STORE_TXN_READ, &w.err), 0);
	store_rollback(w.c);
	if (r->req.resp_type && !strncmp(r->req.resp_type, "application/json", 16))
		r->json = json_loadb(r->req.resp_body.data, r->req.resp_body.len, 0, NULL);
}

void reply_free(struct reply *r)
{
	json_decref(r->json);
	sd_arena_free(r->a);
	memset(r, 0, sizeof(*r));
}

static const char *error_member(const struct reply *r, const char *key)
{
	const char *s = json_string_value(json_object_get(json_object_get(r->json, "error"), key));

	return s ? s : "";
}

const char *reply_code(const struct reply *r)
{
	return error_member(r, "code");
}

const char *reply_field(const struct reply *r)
{
	return error_member(r, "field");
}

const char *reply_message(const struct reply *r)
{
	return error_member(r, "message");
}

const char *header(const struct reply *r, const char *name)
{
	const char *v = sd_req_resp_header(&r->req, name);

	return v ? v : "";
}

const char *body(struct reply *r)
{
	return r->req.resp_body.len ? sd_buf_cstr(&r->req.resp_body) : "";
}

void expect(struct reply *r, int status, const char *code, const char *field)
{
	if (r->status != status)
		fail_msg("%s %s%s%s: status %d, want %d\n%s", r->req.method, r->req.path,
		         r->req.query ? "?" : "", r->req.query ? r->req.query : "", r->status,
		         status, body(r));
	if (code)
		assert_string_equal(reply_code(r), code);
	if (field)
		assert_string_equal(reply_field(r), field);
	if (status >= 400) {
		assert_string_equal(r->req.resp_type, "application/json");
		assert_true(*reply_message(r));
	}
	assert_string_equal(header(r, "Cache-Control"), "no-store");
}

/* ---- JSON ---------------------------------------------------------------------- */

const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "(none)";
}

int64_t jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

size_t jlen(const json_t *o, const char *key)
{
	return json_array_size(json_object_get(o, key));
}

int64_t jtime(const json_t *o, const char *key)
{
	int64_t t = 0;

	if (api_time_parse(jstr(o, key), &t))
		fail_msg("\"%s\" is not an RFC 3339 time: %s", key, jstr(o, key));
	return t;
}

void assert_recent(int64_t t)
{
	assert_true(t >= w.now - 1);
	assert_true(t <= sd_now() + 1);
}

size_t slots_on(int64_t service_id, int64_t staff_id, int64_t day, int64_t *first)
{
	const char *d = day_str(day);
	struct reply r;
	json_t *v;
	size_t n;

	if (staff_id)
		run(&r, DORA, "GET", NULL, NULL,
		    "/api/v1/availability?service_id=%lld&staff_id=%lld&from=%s&to=%s",
		    (long long)service_id, (long long)staff_id, d, d);
	else
		run(&r, DORA, "GET", NULL, NULL,
		    "/api/v1/availability?service_id=%lld&from=%s&to=%s", (long long)service_id, d,
		    d);
	expect(&r, 200, NULL, NULL);
	v = json_object_get(r.json, "slots");
	n = json_array_size(v);
	if (first)
		*first = n ? jtime(json_array_get(v, 0), "start") : 0;
	reply_free(&r);
	return n;
}

int main(void)
{
	int failed = 0;

	failed += test_api_time();
	failed += test_api_codec();
	failed += test_api_route();
	failed += test_api_config();
	failed += test_api_booking();
	return failed ? 1 : 0;
}
