/* test_api_route.c - api_handle()'s pipeline against the real engine and
 * store: routing (404, 405 with Allow, OPTIONS, HEAD, trailing slash),
 * media types (415), malformed JSON (400 with the position), roles as the
 * engine derives them from the stored staff and customer rows (403), and
 * every BOOKING_E* code produced for real by a request and shown with its
 * HTTP status and stable name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "api_int.h"
#include "sd_util.h"
#include "store_fault.h"
#include "test_api.h"

/* ---- routing ------------------------------------------------------------------ */

static void test_not_found(void **state)
{
	static const char *const paths[] = {
		"/api/v1",
		"/api/v1/",
		"/api/v1/nope",
		"/api/v1/locations/abc",
		"/api/v1/locations/0",
		"/api/v1/locations/01",
		"/api/v1/locations/1/x",
		"/api/v1/locations//",
		"/api/v1/bookings/100/cancel/now",
		"/api/v1/locations/1234567890123456789",
	};
	struct reply r;

	(void)state;
	for (size_t i = 0; i < SD_ARRAY_LEN(paths); i++) {
		run(&r, ALICE, "GET", NULL, NULL, "%s", paths[i]);
		expect(&r, 404, "not_found", NULL);
		reply_free(&r);
	}
	/* A well-formed id that names nothing. */
	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/locations/999");
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
}

static void test_methods(void **state)
{
	struct reply r;

	(void)state;
	run(&r, ALICE, "DELETE", NULL, NULL, "/api/v1/locations");
	expect(&r, 405, "method_not_allowed", NULL);
	assert_string_equal(header(&r, "Allow"), "GET, HEAD, POST, OPTIONS");
	reply_free(&r);
	run(&r, ALICE, "PROPFIND", NULL, NULL, "/api/v1/bookings/100");
	expect(&r, 405, "method_not_allowed", NULL);
	assert_string_equal(header(&r, "Allow"), "GET, HEAD, PATCH, OPTIONS");
	reply_free(&r);
	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/bookings/100/cancel");
	expect(&r, 405, NULL, NULL);
	assert_string_equal(header(&r, "Allow"), "POST, OPTIONS");
	reply_free(&r);
	/* OPTIONS is answered before anyone's role is looked at. */
	run(&r, NOBODY, "OPTIONS", NULL, NULL, "/api/v1/staff/%lld/exceptions/7", (long long)w.bob);
	expect(&r, 204, NULL, NULL);
	assert_string_equal(header(&r, "Allow"), "DELETE, OPTIONS");
	reply_free(&r);
	run(&r, ALICE, "HEAD", NULL, NULL, "/api/v1/locations");
	expect(&r, 200, NULL, NULL);
	reply_free(&r);
	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/locations/");
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jlen(r.json, "locations"), 1);
	assert_string_equal(jstr(json_array_get(json_object_get(r.json, "locations"), 0), "name"),
	                    "Workshop");
	reply_free(&r);
}

static size_t location_count(void)
{
	struct reply r;
	size_t n;

	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/locations");
	expect(&r, 200, NULL, NULL);
	n = jlen(r.json, "locations");
	reply_free(&r);
	return n;
}

static void test_media_type_and_json(void **state)
{
	static const char *const ok_types[] = { "application/json",
		                                "application/json; charset=utf-8",
		                                "Application/JSON",
		                                "application/merge-patch+json" };
	static const char *const bad_json[] = { "{\"name\": }",
		                                "{\"name\": \"a\", \"name\": \"b\"}",
		                                "\"just a string\"", "{} {}",
		                                "{\"a\": \"\\u0000\"}" };
	const char *loc = "{\"name\":\"Mitte\",\"timezone\":\"Europe/Berlin\","
	                  "\"email\":\"mitte@example.org\"}";
	char hdr[128];
	struct reply r;

	(void)state;
	run(&r, ALICE, "POST", loc, "Content-Type: text/plain", "/api/v1/locations");
	expect(&r, 415, "unsupported_media_type", NULL);
	reply_free(&r);
	run(&r, ALICE, "POST", loc, "Content-Type: application/jsonx", "/api/v1/locations");
	expect(&r, 415, NULL, NULL);
	reply_free(&r);
	assert_int_equal(location_count(), 1); /* nothing was created */

	for (size_t i = 0; i < SD_ARRAY_LEN(ok_types); i++) {
		snprintf(hdr, sizeof(hdr), "Content-Type: %s", ok_types[i]);
		run(&r, ALICE, "POST", loc, hdr, "/api/v1/locations");
		expect(&r, 201, NULL, NULL);
		reply_free(&r);
	}
	assert_int_equal(location_count(), 1 + SD_ARRAY_LEN(ok_types));

	for (size_t i = 0; i < SD_ARRAY_LEN(bad_json); i++) {
		run(&r, ALICE, "POST", bad_json[i], NULL, "/api/v1/locations");
		expect(&r, 400, "malformed_json", NULL);
		assert_non_null(strstr(reply_message(&r), "line 1"));
		reply_free(&r);
	}
	run(&r, ALICE, "POST", "{\n\"name\": \"x\",\n\"timezone\": ]}", NULL, "/api/v1/locations");
	expect(&r, 400, "malformed_json", NULL);
	assert_non_null(strstr(reply_message(&r), "line 3, column"));
	reply_free(&r);
	run(&r, ALICE, "POST", NULL, NULL, "/api/v1/locations"); /* no body at all */
	expect(&r, 422, "invalid", NULL);
	reply_free(&r);
	run(&r, ALICE, "POST", "[1]", NULL, "/api/v1/locations");
	expect(&r, 422, "invalid", NULL);
	reply_free(&r);
	assert_int_equal(location_count(), 1 + SD_ARRAY_LEN(ok_types));
}

/* ---- roles ------------------------------------------------------------------------ */

static void test_roles(void **state)
{
	struct reply r;

	(void)state;
	run(&r, NOBODY, "GET", NULL, NULL, "/api/v1/locations");
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
	run(&r, DORA, "GET", NULL, NULL, "/api/v1/customers");
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
	run(&r, DORA, "GET", NULL, NULL, "/api/v1/staff/%lld/hours", (long long)w.bob);
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
	run(&r, DORA, "GET", NULL, NULL, "/api/v1/services/%lld/rules", (long long)w.svc);
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);

	/* A customer reads their own record only. */
	run(&r, DORA, "GET", NULL, NULL, "/api/v1/customers/%lld", (long long)w.dora);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "user"), "dora");
	assert_string_equal(jstr(r.json, "name"), "Dora Explorer");
	reply_free(&r);
	run(&r, DORA, "GET", NULL, NULL, "/api/v1/customers/%lld", (long long)w.eve);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);

	/* Staff search customers: '+' is a space; limit bounds the list. */
	run(&r, BOB, "GET", NULL, NULL, "/api/v1/customers?q=ra+Ex&limit=5");
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jlen(r.json, "customers"), 1);
	assert_string_equal(jstr(json_array_get(json_object_get(r.json, "customers"), 0), "name"),
	                    "Dora Explorer");
	reply_free(&r);
	run(&r, BOB, "GET", NULL, NULL, "/api/v1/customers?q=30+123");
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jlen(r.json, "customers"), 1);
	assert_string_equal(jstr(json_array_get(json_object_get(r.json, "customers"), 0), "user"),
	                    "eve");
	reply_free(&r);
	run(&r, BOB, "GET", NULL, NULL, "/api/v1/customers");
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jlen(r.json, "customers"), 2);
	reply_free(&r);
	run(&r, BOB, "GET", NULL, NULL, "/api/v1/customers?limit=1");
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jlen(r.json, "customers"), 1);
	reply_free(&r);

	/* Roles come from the stored rows: an inactive staff member has none. */
	run(&r, CAROL, "GET", NULL, NULL, "/api/v1/locations");
	expect(&r, 200, NULL, NULL);
	reply_free(&r);
	run(&r, ALICE, "PUT", "{\"active\":false}", NULL, "/api/v1/staff/%lld", (long long)w.carol);
	expect(&r, 200, NULL, NULL);
	assert_true(json_is_false(json_object_get(r.json, "active")));
	reply_free(&r);
	run(&r, CAROL, "GET", NULL, NULL, "/api/v1/locations");
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
}

/* ---- every booking code, for real ------------------------------------------------ */

static int seen[64]; /* by -code */

/* The reply is the code's error with the status the table gives it. */
static void code_is(struct reply *r, int code, int status)
{
	expect(r, status, booking_code_name(code), NULL);
	assert_int_equal(api_booking_status(code), status);
	if (status == 503)
		assert_string_equal(header(r, "Retry-After"), "1");
	seen[-code] = 1;
	reply_free(r);
}

static const char *new_booking(int64_t customer, int64_t staff_id, int64_t start)
{
	if (!staff_id)
		return S("{\"service_id\":%lld,\"customer_id\":%lld,\"start\":\"%s\"}",
		         (long long)w.svc, (long long)customer, iso(start));
	return S("{\"service_id\":%lld,\"customer_id\":%lld,\"staff_id\":%lld,\"start\":\"%s\"}",
	         (long long)w.svc, (long long)customer, (long long)staff_id, iso(start));
}

static int64_t bookings_total(void)
{
	struct store_booking_filter all = { 0 };
	struct store_booking *b;
	size_t n;

	assert_int_equal(store_booking_list(w.c, &all, w.a, &b, &n, &w.err), 0);
	return (int64_t)n;
}

/* The codes of the organisation's writes, and of storage itself. */
static void codes_org(void)
{
	const char *mars =
	    "{\"name\":\"X\",\"timezone\":\"Mars/Olympus\",\"email\":\"x@example.org\"}";
	const char *ok =
	    "{\"name\":\"X\",\"timezone\":\"Europe/Berlin\",\"email\":\"x@example.org\"}";
	struct store_conn *c2;
	struct reply r;
	long points;

	run(&r, ALICE, "POST", mars, NULL, "/api/v1/locations");
	code_is(&r, BOOKING_EINVALID, 422);
	run(&r, BOB, "POST", ok, NULL, "/api/v1/locations");
	code_is(&r, BOOKING_EFORBIDDEN, 403);
	assert_int_equal(location_count(), 1);
	run(&r, ALICE, "DELETE", NULL, NULL, "/api/v1/locations/%lld", (long long)w.loc);
	code_is(&r, BOOKING_EINUSE, 409);
	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/locations/%lld", (long long)w.loc);
	expect(&r, 200, NULL, NULL); /* still there */
	reply_free(&r);
	run(&r, ALICE, "POST", S("{\"user\":\"bob\",\"location_ids\":[%lld]}", (long long)w.loc),
	    NULL, "/api/v1/staff");
	code_is(&r, BOOKING_EEXISTS, 409);

	run(&r, BOB, "POST",
	    S("{\"date\":\"%s\",\"start\":\"10:00\",\"end\":\"12:00\"}", day_str(w.mon + 2)), NULL,
	    "/api/v1/staff/%lld/exceptions", (long long)w.bob);
	expect(&r, 201, NULL, NULL);
	reply_free(&r);
	run(&r, BOB, "POST",
	    S("{\"date\":\"%s\",\"start\":\"11:00\",\"end\":\"13:00\"}", day_str(w.mon + 2)), NULL,
	    "/api/v1/staff/%lld/exceptions", (long long)w.bob);
	code_is(&r, BOOKING_EOVERLAP, 409);

	/* Someone else holds the write lock past the busy timeout. */
	assert_int_equal(store_conn_acquire(w.st, &c2, &w.err), 0);
	assert_int_equal(store_begin(c2, STORE_TXN_WRITE, &w.err), 0);
	run(&r, ALICE, "POST", ok, NULL, "/api/v1/locations");
	code_is(&r, BOOKING_EBUSY, 503);
	store_rollback(c2);
	store_conn_release(c2);
	assert_int_equal(location_count(), 1);

	/* Storage fails halfway through a booking: 500, the detail stays in
	 * the log, and nothing of the booking is left. The two bookings go to
	 * staff with empty calendars, so both requests pass the same points. */
	store_fault_arm(w.fault, 1L << 40); /* count the points of a good one */
	run(&r, ALICE, "POST", new_booking(w.eve, w.alice, at(3, 10, 0)), NULL, "/api/v1/bookings");
	expect(&r, 201, NULL, NULL);
	reply_free(&r);
	points = store_fault_points(w.fault);
	assert_true(points > 2);
	store_fault_arm(w.fault, points / 2);
	run(&r, ALICE, "POST", new_booking(w.eve, w.bob, at(3, 12, 0)), NULL, "/api/v1/bookings");
	assert_true(store_fault_fired(w.fault));
	store_fault_arm(w.fault, 0);
	assert_null(strstr(body(&r), "injected"));
	code_is(&r, BOOKING_EIO, 500);
	assert_int_equal(bookings_total(), 1);
}

/* The codes of creating a booking: the rules about the requested time. */
static void codes_create(void)
{
	int64_t soon = (sd_now() + 1800) / 900 * 900 + 900; /* 30 to 45 minutes ahead */
	int64_t before = bookings_total();
	struct reply r;

	run(&r, BOB, "POST", new_booking(w.dora, 0, at(0, 10, 0)), NULL, "/api/v1/bookings");
	expect(&r, 201, NULL, NULL);
	assert_int_equal(jint(r.json, "staff_id"), w.bob); /* staff book into their own */
	reply_free(&r);

	run(&r, DORA, "POST", new_booking(w.dora, w.bob, at(0, 10, 0)), NULL, "/api/v1/bookings");
	code_is(&r, BOOKING_ESLOT, 409);
	run(&r, DORA, "POST", new_booking(w.dora, w.bob, at(1, 7, 0)), NULL, "/api/v1/bookings");
	code_is(&r, BOOKING_EHOURS, 422);
	run(&r, DORA, "POST", new_booking(w.dora, w.bob, at(1, 10, 5)), NULL, "/api/v1/bookings");
	code_is(&r, BOOKING_EGRID, 422);
	run(&r, DORA, "POST", new_booking(w.dora, w.bob, day_at(w.today - 1, 10, 0)), NULL,
	    "/api/v1/bookings");
	code_is(&r, BOOKING_EPAST, 422);
	run(&r, DORA, "POST", new_booking(w.dora, 0, soon), NULL, "/api/v1/bookings");
	code_is(&r, BOOKING_ENOTICE, 422);
	run(&r, DORA, "POST", new_booking(w.dora, 0, day_at(w.mon + 100, 10, 0)), NULL,
	    "/api/v1/bookings");
	code_is(&r, BOOKING_EHORIZON, 422);
	run(&r, ALICE, "POST", new_booking(w.eve, w.carol, at(1, 10, 0)), NULL, "/api/v1/bookings");
	code_is(&r, BOOKING_ESERVICE_STAFF, 422);
	/* None of the refused ones left a booking behind. */
	assert_int_equal(bookings_total(), before + 1);
}

/* The codes of the lifecycle, on booking b (dora's, bob's, at(0, 10:00)). */
static void codes_lifecycle(void)
{
	int64_t soon = (sd_now() + 3 * HOUR) / 900 * 900 + 900, b, near;
	struct store_booking_filter f = { .customer_id = w.dora };
	struct store_booking *v;
	size_t n;
	struct reply r;

	assert_int_equal(store_booking_list(w.c, &f, w.a, &v, &n, &w.err), 0);
	assert_int_equal(n, 1);
	b = v[0].id;
	near = book_as_system(w.bob, w.dora, soon, w.now);

	run(&r, EVE, "GET", NULL, NULL, "/api/v1/bookings/%lld", (long long)b);
	code_is(&r, BOOKING_ENOTFOUND, 404); /* not hers */
	run(&r, BOB, "POST", "{\"reason\":\"business\",\"version\":99}", NULL,
	    "/api/v1/bookings/%lld/cancel", (long long)b);
	code_is(&r, BOOKING_ESTALE, 412);
	run(&r, BOB, "POST", "{}", NULL, "/api/v1/bookings/%lld/approve", (long long)b);
	code_is(&r, BOOKING_ESTATE, 409);
	run(&r, BOB, "POST", NULL, NULL, "/api/v1/bookings/%lld/no-show", (long long)b);
	code_is(&r, BOOKING_ENOT_STARTED, 409);

	run(&r, DORA, "POST", "{\"reason\":\"customer\"}", NULL, "/api/v1/bookings/%lld/cancel",
	    (long long)near);
	code_is(&r, BOOKING_ECANCEL_NOTICE, 403);
	run(&r, DORA, "POST", S("{\"start\":\"%s\"}", iso(at(1, 10, 0))), NULL,
	    "/api/v1/bookings/%lld/reschedule", (long long)near);
	code_is(&r, BOOKING_ERESCHEDULE_NOTICE, 403);

	run(&r, ALICE, "PUT", "{\"customer_may_cancel\":false}", NULL,
	    "/api/v1/locations/%lld/rules", (long long)w.loc);
	expect(&r, 200, NULL, NULL);
	reply_free(&r);
	run(&r, DORA, "POST", "{\"reason\":\"customer\"}", NULL, "/api/v1/bookings/%lld/cancel",
	    (long long)b);
	code_is(&r, BOOKING_ENOT_PERMITTED, 403);

	run(&r, ALICE, "PUT", "{\"reschedule_needs_approval\":true}", NULL,
	    "/api/v1/locations/%lld/rules", (long long)w.loc);
	expect(&r, 200, NULL, NULL);
	reply_free(&r);
	run(&r, DORA, "POST", S("{\"start\":\"%s\"}", iso(at(0, 14, 0))), NULL,
	    "/api/v1/bookings/%lld/reschedule", (long long)b);
	expect(&r, 202, NULL, NULL);
	reply_free(&r);
	run(&r, DORA, "POST", S("{\"start\":\"%s\"}", iso(at(0, 15, 0))), NULL,
	    "/api/v1/bookings/%lld/reschedule", (long long)b);
	code_is(&r, BOOKING_EPENDING_REQUEST, 409);
}

static void test_every_code_for_real(void **state)
{
	(void)state;
	memset(seen, 0, sizeof(seen));
	codes_org();
	codes_create();
	codes_lifecycle();
#define SEEN(name, value, str) \
	if (!seen[-(value)])   \
		fail_msg("no request produced %s (%s)", #name, str);
	BOOKING_CODES(SEEN)
#undef SEEN
}

int test_api_route(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_not_found, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_methods, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_media_type_and_json, world_setup,
		                                world_teardown),
		cmocka_unit_test_setup_teardown(test_roles, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_every_code_for_real, world_setup,
		                                world_teardown),
	};

	return cmocka_run_group_tests_name("api_route", tests, NULL, NULL);
}
