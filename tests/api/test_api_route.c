/* test_api_route.c - api_handle() end to end against the fake engine:
 * routing (404, 405 with Allow, OPTIONS, HEAD, trailing slash), media
 * types (415), malformed JSON (400), strict decoding (422 naming the
 * member or parameter), roles (403), the error body and the status of
 * booking's codes, and what each endpoint hands booking and sends back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "api_int.h"
#include "test_api.h"

#define ADMIN 1
#define STAFF 2
#define CUSTOMER 3
#define NOBODY 4

static int setup(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

static const char *header(const struct reply *r, const char *name)
{
	const char *v = sd_req_resp_header(&r->req, name);

	return v ? v : "";
}

static const char *body(const struct reply *r)
{
	return r->req.resp_body.len ? r->req.resp_body.data : "";
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "(none)";
}

/* Status, and for errors the code (and field when given). */
static void expect(struct reply *r, int status, const char *code, const char *field)
{
	if (r->status != status)
		fail_msg("%s %s: status %d, want %d\n%s", r->req.method, r->req.path, r->status,
			 status, body(r));
	if (code)
		assert_string_equal(reply_code(r), code);
	if (field)
		assert_string_equal(reply_field(r), field);
	if (status >= 400) {
		assert_string_equal(r->req.resp_type, "application/json");
		assert_non_null(json_object_get(json_object_get(r->json, "error"), "message"));
	}
	assert_string_equal(header(r, "Cache-Control"), "no-store");
}

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
	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		run(&r, ADMIN, "GET", paths[i], NULL, NULL);
		expect(&r, 404, "not_found", NULL);
		assert_null(fake.last); /* booking was never asked */
		reply_free(&r);
	}
}

static void test_methods(void **state)
{
	struct reply r;

	(void)state;
	run(&r, ADMIN, "DELETE", "/api/v1/locations", NULL, NULL);
	expect(&r, 405, "method_not_allowed", NULL);
	assert_string_equal(header(&r, "Allow"), "GET, HEAD, POST, OPTIONS");
	reply_free(&r);
	run(&r, ADMIN, "PROPFIND", "/api/v1/bookings/100", NULL, NULL);
	expect(&r, 405, "method_not_allowed", NULL);
	assert_string_equal(header(&r, "Allow"), "GET, HEAD, PATCH, OPTIONS");
	reply_free(&r);
	run(&r, ADMIN, "GET", "/api/v1/bookings/100/cancel", NULL, NULL);
	expect(&r, 405, NULL, NULL);
	assert_string_equal(header(&r, "Allow"), "POST, OPTIONS");
	reply_free(&r);
	run(&r, NOBODY, "OPTIONS", "/api/v1/staff/20/exceptions/7", NULL, NULL);
	expect(&r, 204, NULL, NULL);
	assert_string_equal(header(&r, "Allow"), "DELETE, OPTIONS");
	reply_free(&r);
	run(&r, ADMIN, "HEAD", "/api/v1/locations", NULL, NULL);
	expect(&r, 200, NULL, NULL);
	reply_free(&r);
	run(&r, ADMIN, "GET", "/api/v1/locations/", NULL, NULL);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "locations")), 1);
	reply_free(&r);
}

static void test_media_type_and_json(void **state)
{
	static const char *const ok_types[] = {"application/json",
					       "application/json; charset=utf-8",
					       "Application/JSON", "application/merge-patch+json"};
	static const char *const bad_json[] = {"{\"name\": }", "{\"name\": \"a\", \"name\": \"b\"}",
					       "\"just a string\"", "{} {}",
					       "{\"a\": \"\\u0000\"}"};
	const char *loc = "{\"name\":\"Mitte\",\"timezone\":\"Europe/Berlin\"}";
	char hdr[128];
	struct reply r;

	(void)state;
	run(&r, ADMIN, "POST", "/api/v1/locations", loc, "Content-Type: text/plain");
	expect(&r, 415, "unsupported_media_type", NULL);
	assert_null(fake.last);
	reply_free(&r);
	run(&r, ADMIN, "POST", "/api/v1/locations", loc, "Content-Type: application/jsonx");
	expect(&r, 415, NULL, NULL);
	reply_free(&r);
	for (size_t i = 0; i < sizeof(ok_types) / sizeof(*ok_types); i++) {
		snprintf(hdr, sizeof(hdr), "Content-Type: %s", ok_types[i]);
		run(&r, ADMIN, "POST", "/api/v1/locations", loc, hdr);
		expect(&r, 201, NULL, NULL);
		reply_free(&r);
	}
	for (size_t i = 0; i < sizeof(bad_json) / sizeof(*bad_json); i++) {
		run(&r, ADMIN, "POST", "/api/v1/locations", bad_json[i], NULL);
		expect(&r, 400, "malformed_json", NULL);
		assert_non_null(
			strstr(jstr(json_object_get(r.json, "error"), "message"), "line 1"));
		reply_free(&r);
	}
	run(&r, ADMIN, "POST", "/api/v1/locations", NULL, NULL); /* no body at all */
	expect(&r, 422, "invalid", NULL);
	reply_free(&r);
	run(&r, ADMIN, "POST", "/api/v1/locations", "[1]", NULL);
	expect(&r, 422, "invalid", NULL);
	reply_free(&r);
}

static void test_roles(void **state)
{
	struct reply r;

	(void)state;
	run(&r, NOBODY, "GET", "/api/v1/locations", NULL, NULL);
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
	run(&r, CUSTOMER, "GET", "/api/v1/customers", NULL, NULL);
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
	run(&r, CUSTOMER, "GET", "/api/v1/staff/20/hours", NULL, NULL);
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
	run(&r, CUSTOMER, "GET", "/api/v1/customers/30", NULL, NULL);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "user"), "carol");
	reply_free(&r);
	run(&r, CUSTOMER, "GET", "/api/v1/customers/31", NULL, NULL);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
	run(&r, STAFF, "GET", "/api/v1/customers?q=car+ol&limit=5", NULL, "User-Agent: curl/8.0");
	expect(&r, 200, NULL, NULL);
	assert_string_equal(fake.text, "car ol");
	assert_int_equal(fake.version, 5);
	assert_string_equal(fake.user_agent, "curl/8.0");
	assert_string_equal(fake.channel, "api");
	reply_free(&r);
}

/* ---- booking's codes --------------------------------------------------------------- */

static void test_booking_errors(void **state)
{
	static const struct {
		int rc, status;
		const char *code;
	} cases[] = {
		{BOOKING_ESLOT, 409, "slot_unavailable"},
		{BOOKING_ESTALE, 412, "version_mismatch"},
		{BOOKING_EHORIZON, 422, "beyond_horizon"},
		{BOOKING_EFORBIDDEN, 403, "forbidden"},
		{BOOKING_ENOTFOUND, 404, "not_found"},
		{BOOKING_EBUSY, 503, "busy"},
		{BOOKING_EIO, 500, "internal"},
	};
	const char *b = "{\"service_id\":5,\"customer_id\":30,\"start\":\"2026-11-23T09:00:00Z\"}";
	struct reply r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		fake.rc = cases[i].rc;
		fake.msg = "the slot is taken";
		run(&r, STAFF, "POST", "/api/v1/bookings", b, NULL);
		expect(&r, cases[i].status, cases[i].code, NULL);
		if (cases[i].status == 500)
			assert_null(strstr(body(&r), "the slot is taken")); /* not shown */
		else
			assert_string_equal(jstr(json_object_get(r.json, "error"), "message"),
					    "the slot is taken");
		if (cases[i].status == 503)
			assert_string_equal(header(&r, "Retry-After"), "1");
		reply_free(&r);
	}
}

/* ---- configuration ------------------------------------------------------------------- */

static void test_locations(void **state)
{
	struct reply r;

	(void)state;
	run(&r, ADMIN, "POST", "/api/v1/locations",
	    "{\"name\":\"Mitte\",\"timezone\":\"Europe/Berlin\",\"email\":\"m@example.com\"}",
	    NULL);
	expect(&r, 201, NULL, NULL);
	assert_string_equal(header(&r, "Location"), "http://127.0.0.1:8008/api/v1/locations/1");
	assert_string_equal(r.req.resp_type, "application/json");
	assert_string_equal(fake.last, "location_save");
	assert_string_equal(fake.location.name, "Mitte");
	assert_string_equal(fake.location.address, "");
	assert_string_equal(fake.location.rules, "");
	assert_int_equal(fake.location.id, 0);
	assert_string_equal(jstr(r.json, "timezone"), "Europe/Berlin"); /* read back */
	assert_string_equal(jstr(r.json, "created"), "2026-11-18T11:06:40Z");
	reply_free(&r);

	run(&r, ADMIN, "PUT", "/api/v1/locations/1", "{\"email\":\"new@example.com\",\"id\":5}",
	    NULL);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(fake.location.id, 1);
	assert_string_equal(fake.location.name, "Berlin"); /* kept */
	assert_string_equal(fake.location.email, "new@example.com");
	assert_string_equal(fake.location.rules, "{\"slot_step_min\":30}"); /* kept */
	reply_free(&r);

	run(&r, ADMIN, "PUT", "/api/v1/locations/2", "{\"name\":\"x\"}", NULL);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);

	run(&r, ADMIN, "DELETE", "/api/v1/locations/1", NULL, NULL);
	expect(&r, 204, NULL, NULL);
	assert_int_equal(fake.id, 1);
	assert_int_equal(r.req.resp_body.len, 0);
	reply_free(&r);

	run(&r, ADMIN, "GET", "/api/v1/locations?x=1", NULL, NULL);
	expect(&r, 422, "invalid", "x");
	reply_free(&r);
}

static void test_staff(void **state)
{
	struct reply r;

	(void)state;
	run(&r, ADMIN, "POST", "/api/v1/staff", "{\"user\":\"bob\",\"location_ids\":[1]}", NULL);
	expect(&r, 201, NULL, NULL);
	assert_int_equal(fake.staff.user_id, 2);
	assert_string_equal(fake.staff.name, "Bob Builder"); /* the display name */
	assert_int_equal(fake.staff.active, 1);
	assert_int_equal(fake.staff.nlocations, 1);
	assert_string_equal(header(&r, "Location"), "http://127.0.0.1:8008/api/v1/staff/20");
	assert_string_equal(jstr(r.json, "user"), "bob");
	reply_free(&r);

	run(&r, ADMIN, "POST", "/api/v1/staff", "{\"user\":\"ghost\"}", NULL);
	expect(&r, 404, "not_found", "user");
	reply_free(&r);
	run(&r, ADMIN, "POST", "/api/v1/staff", "{\"name\":\"No Login\"}", NULL);
	expect(&r, 422, "invalid", "user");
	reply_free(&r);
	run(&r, ADMIN, "PUT", "/api/v1/staff/20", "{\"user\":\"carol\"}", NULL);
	expect(&r, 422, "invalid", "user");
	reply_free(&r);
	run(&r, ADMIN, "PUT", "/api/v1/staff/20", "{\"user\":\"bob\",\"admin\":true}", NULL);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(fake.staff.admin, 1);
	assert_string_equal(fake.staff.name, "Bob");
	reply_free(&r);

	run(&r, CUSTOMER, "GET", "/api/v1/staff?location_id=1", NULL, NULL);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(fake.location_id, 1);
	reply_free(&r);
	run(&r, ADMIN, "GET", "/api/v1/staff?location_id=x", NULL, NULL);
	expect(&r, 422, "invalid", "location_id");
	reply_free(&r);
	run(&r, ADMIN, "GET", "/api/v1/staff?location_id=1&location_id=2", NULL, NULL);
	expect(&r, 422, "invalid", "location_id");
	reply_free(&r);
}

static void test_hours(void **state)
{
	struct reply r;

	(void)state;
	run(&r, STAFF, "PUT", "/api/v1/staff/20/hours?location_id=1",
	    "[{\"weekday\":1,\"start\":\"09:00\",\"end\":\"17:00\"},"
	    "{\"weekday\":2,\"start\":\"09:00\",\"end\":\"24:00\",\"location_id\":1}]",
	    NULL);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(fake.staff_id, 20);
	assert_int_equal(fake.location_id, 1);
	assert_int_equal(fake.nhours, 2);
	assert_int_equal(fake.hours[0].weekday, 1);
	assert_int_equal(fake.hours[0].start_min, 540);
	assert_int_equal(fake.hours[0].end_min, 1020);
	assert_int_equal(fake.hours[1].end_min, 1440);
	assert_int_equal(fake.hours[1].location_id, 1);
	assert_int_equal(json_array_size(json_object_get(r.json, "hours")), 2);
	reply_free(&r);

	run(&r, STAFF, "PUT", "/api/v1/staff/20/hours?location_id=1", "[]", NULL);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(fake.nhours, 0);
	reply_free(&r);
	run(&r, STAFF, "PUT", "/api/v1/staff/20/hours", "[]", NULL);
	expect(&r, 422, "invalid", "location_id");
	reply_free(&r);
	run(&r, STAFF, "PUT", "/api/v1/staff/20/hours?location_id=1",
	    "[{\"weekday\":1,\"start\":\"09:00\",\"end\":\"17:00\"},{\"weekday\":2,\"start\":9}]",
	    NULL);
	expect(&r, 422, "invalid", "[1].start");
	reply_free(&r);
	run(&r, STAFF, "PUT", "/api/v1/staff/20/hours?location_id=1", "{\"weekday\":1}", NULL);
	expect(&r, 422, "invalid", NULL);
	reply_free(&r);
	run(&r, ADMIN, "GET", "/api/v1/staff/21/hours", NULL, NULL);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
}

static void test_exceptions(void **state)
{
	struct reply r;

	(void)state;
	run(&r, STAFF, "POST", "/api/v1/staff/20/exceptions",
	    "{\"date\":\"2026-11-23\",\"note\":\"holiday\",\"location_id\":1}", NULL);
	expect(&r, 201, NULL, NULL);
	assert_int_equal(fake.exception.staff_id, 20);
	assert_int_equal(fake.exception.day, 20780);
	assert_int_equal(fake.exception.start_min, 0);
	assert_int_equal(fake.exception.end_min, 1440);
	assert_int_equal(fake.exception.available, 0);
	assert_string_equal(header(&r, "Location"),
			    "http://127.0.0.1:8008/api/v1/staff/20/exceptions/77");
	assert_string_equal(jstr(r.json, "date"), "2026-11-23");
	assert_string_equal(jstr(r.json, "end"), "24:00");
	reply_free(&r);

	run(&r, STAFF, "GET", "/api/v1/staff/20/exceptions?from=2026-11-23&to=2026-11-23", NULL,
	    NULL);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(fake.from, 20780);
	assert_int_equal(fake.to, 20781);
	assert_int_equal(json_array_size(json_object_get(r.json, "exceptions")), 1);
	reply_free(&r);

	run(&r, STAFF, "DELETE", "/api/v1/staff/20/exceptions/77", NULL, NULL);
	expect(&r, 204, NULL, NULL);
	assert_int_equal(fake.id, 77);
	reply_free(&r);
	fake.last = NULL;
	run(&r, STAFF, "DELETE", "/api/v1/staff/20/exceptions/78", NULL, NULL);
	expect(&r, 404, "not_found", NULL);
	assert_null(fake.last);
	reply_free(&r);
}

static void test_rules(void **state)
{
	struct reply r;
	json_t *eff;

	(void)state;
	run(&r, STAFF, "GET", "/api/v1/locations/1/rules", NULL, NULL);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "rules"),
							    "slot_step_min")),
			 30);
	eff = json_object_get(r.json, "effective");
	assert_int_equal(json_integer_value(json_object_get(eff, "slot_step_min")), 30);
	assert_int_equal(json_integer_value(json_object_get(eff, "horizon_days")), 90);
	reply_free(&r);

	run(&r, ADMIN, "PUT", "/api/v1/locations/1/rules",
	    "{\"slot_step_min\":null,\"horizon_days\":30}", NULL);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(fake.last, "location_save");
	assert_string_equal(fake.location.rules, "{\"horizon_days\":30}");
	assert_string_equal(fake.location.name, "Berlin");
	reply_free(&r);

	run(&r, ADMIN, "PUT", "/api/v1/services/5/rules", "{\"realtime\":false}", NULL);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(fake.service.rules, "{\"booking_notice_min\":120,\"realtime\":false}");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "effective"),
							    "slot_step_min")),
			 30);
	reply_free(&r);

	run(&r, CUSTOMER, "GET", "/api/v1/services/5/rules", NULL, NULL);
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
}

/* ---- availability and bookings ------------------------------------------------------- */

static void test_availability(void **state)
{
	struct reply r;
	json_t *slot;

	(void)state;
	run(&r, CUSTOMER, "GET", "/api/v1/availability?service_id=5&from=2026-11-23&to=2026-11-23",
	    NULL, NULL);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(fake.id, 5);
	assert_int_equal(fake.from, 1795388400); /* 2026-11-23T00:00+01:00 */
	assert_int_equal(fake.to, 1795474800);   /* 2026-11-24T00:00+01:00 */
	slot = json_array_get(json_object_get(r.json, "slots"), 0);
	assert_string_equal(jstr(slot, "start"), "2026-11-23T09:00:00Z");
	assert_string_equal(jstr(slot, "end"), "2026-11-23T10:00:00Z");
	assert_int_equal(json_integer_value(json_object_get(slot, "staff_id")), 20);
	assert_true(json_is_null(json_object_get(r.json, "staff_id")));
	reply_free(&r);

	run(&r, CUSTOMER, "GET",
	    "/api/v1/availability?service_id=5&staff_id=20&from=2026-11-23T09:00:00Z"
	    "&to=2026-11-23T19:00:00%2B01:00",
	    NULL, NULL);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(fake.staff_id, 20);
	assert_int_equal(fake.from, 1795424400);
	assert_int_equal(fake.to, 1795456800);
	reply_free(&r);

	run(&r, CUSTOMER, "GET", "/api/v1/availability?from=2026-11-23&to=2026-11-23", NULL, NULL);
	expect(&r, 422, "invalid", "service_id");
	reply_free(&r);
	run(&r, CUSTOMER, "GET", "/api/v1/availability?service_id=5&from=2026-11-24&to=2026-11-22",
	    NULL, NULL);
	expect(&r, 422, "invalid", "to");
	reply_free(&r);
	run(&r, CUSTOMER, "GET", "/api/v1/availability?service_id=6&from=2026-11-23&to=2026-11-23",
	    NULL, NULL);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
	run(&r, CUSTOMER, "GET", "/api/v1/availability?service_id=5&from=soon&to=2026-11-23", NULL,
	    NULL);
	expect(&r, 422, "invalid", "from");
	reply_free(&r);
}

static void test_bookings(void **state)
{
	struct reply r;

	(void)state;
	run(&r, STAFF, "POST", "/api/v1/bookings",
	    "{\"service_id\":5,\"customer_id\":30,\"start\":\"2026-11-23T10:00:00+01:00\","
	    "\"notes_private\":\"vip\"}",
	    NULL);
	expect(&r, 201, NULL, NULL);
	assert_string_equal(fake.last, "create");
	assert_int_equal(fake.bnew.start, 1795424400);
	assert_int_equal(fake.bnew.service_id, 5);
	assert_int_equal(fake.bnew.staff_id, 0);
	assert_string_equal(fake.bnew.notes_private, "vip");
	assert_null(fake.bnew.notes_public);
	assert_string_equal(header(&r, "Location"), "http://127.0.0.1:8008/api/v1/bookings/100");
	assert_string_equal(jstr(r.json, "start"), "2026-11-23T09:00:00Z");
	assert_string_equal(jstr(r.json, "status"), "confirmed");
	assert_string_equal(jstr(r.json, "uid"), "b-100@slotdav");
	assert_string_equal(jstr(r.json, "notes_private"), "secret");
	reply_free(&r);

	run(&r, CUSTOMER, "POST", "/api/v1/bookings",
	    "{\"service_id\":5,\"start\":\"2026-11-23T09:00:00Z\"}", NULL);
	expect(&r, 201, NULL, NULL);
	assert_int_equal(fake.bnew.customer_id, 30);
	assert_null(json_object_get(r.json, "notes_private")); /* never shown to customers */
	reply_free(&r);

	run(&r, STAFF, "POST", "/api/v1/bookings", "{\"service_id\":\"5\",\"start\":\"x\"}", NULL);
	expect(&r, 422, "invalid", "service_id");
	reply_free(&r);
	run(&r, STAFF, "POST", "/api/v1/bookings", "{\"service_id\":5,\"strat\":\"x\"}", NULL);
	expect(&r, 422, "invalid", "strat");
	reply_free(&r);

	run(&r, STAFF, "GET", "/api/v1/bookings/100", NULL, NULL);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "notes_private"), "secret");
	reply_free(&r);
	run(&r, CUSTOMER, "GET", "/api/v1/bookings/100", NULL, NULL);
	expect(&r, 200, NULL, NULL);
	assert_null(json_object_get(r.json, "notes_private"));
	reply_free(&r);
	run(&r, CUSTOMER, "GET", "/api/v1/bookings/101", NULL, NULL);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);

	run(&r, STAFF, "GET",
	    "/api/v1/bookings?status=confirmed,pending&from=2026-11-23&to=2026-11-24"
	    "&location_id=1&limit=5&after=7",
	    NULL, NULL);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(fake.filter.status_mask,
			 (1u << STORE_BK_CONFIRMED) | (1u << STORE_BK_PENDING));
	assert_int_equal(fake.filter.from, 1795388400);
	assert_int_equal(fake.filter.to, 1795561200);
	assert_int_equal(fake.filter.limit, 5);
	assert_int_equal(fake.filter.after_id, 7);
	assert_int_equal(fake.filter.location_id, 1);
	assert_int_equal(json_array_size(json_object_get(r.json, "bookings")), 1);
	reply_free(&r);
	run(&r, STAFF, "GET", "/api/v1/bookings?from=2026-11-23T00:00:00Z", NULL, NULL);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(fake.filter.from, 1795392000);
	assert_true(fake.filter.to == STORE_TIME_MAX);
	assert_int_equal(fake.filter.limit, API_LIST_LIMIT);
	reply_free(&r);
	run(&r, STAFF, "GET", "/api/v1/bookings?status=bogus", NULL, NULL);
	expect(&r, 422, "invalid", "status");
	reply_free(&r);
	run(&r, STAFF, "GET", "/api/v1/bookings?stauts=confirmed", NULL, NULL);
	expect(&r, 422, "invalid", "stauts");
	reply_free(&r);
}

static void test_actions(void **state)
{
	struct reply r;

	(void)state;
	run(&r, STAFF, "POST", "/api/v1/bookings/100/cancel",
	    "{\"reason\":\"other\",\"text\":\"flooded\",\"version\":3}", NULL);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(fake.last, "cancel");
	assert_int_equal(fake.reason, STORE_CANCEL_OTHER);
	assert_string_equal(fake.text, "flooded");
	assert_int_equal(fake.version, 3);
	assert_string_equal(jstr(r.json, "cancel_reason"), "other");
	assert_string_equal(jstr(r.json, "status"), "cancelled");
	reply_free(&r);
	run(&r, STAFF, "POST", "/api/v1/bookings/100/cancel", "{\"reason\":\"whim\"}", NULL);
	expect(&r, 422, "invalid", "reason");
	reply_free(&r);
	run(&r, STAFF, "POST", "/api/v1/bookings/100/cancel", NULL, NULL);
	expect(&r, 422, "invalid", "reason");
	reply_free(&r);

	run(&r, STAFF, "POST", "/api/v1/bookings/100/reschedule",
	    "{\"start\":\"2026-11-23T11:00:00Z\",\"staff_id\":21}", NULL);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(fake.start, 1795431600);
	assert_int_equal(fake.staff_id, 21);
	assert_int_equal(fake.version, 0);
	assert_string_equal(jstr(r.json, "outcome"), "applied");
	reply_free(&r);
	run(&r, CUSTOMER, "POST", "/api/v1/bookings/100/reschedule",
	    "{\"start\":\"2026-11-23T11:00:00Z\"}", NULL);
	expect(&r, 202, NULL, NULL);
	assert_string_equal(jstr(r.json, "outcome"), "requested");
	reply_free(&r);

	run(&r, STAFF, "POST", "/api/v1/bookings/100/no-show", NULL, NULL); /* no body, no type */
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "status"), "no_show");
	reply_free(&r);
	run(&r, STAFF, "POST", "/api/v1/bookings/100/complete", "{\"version\":4}", NULL);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(fake.version, 4);
	reply_free(&r);
	run(&r, STAFF, "POST", "/api/v1/bookings/100/approve", "{\"note\":1}", NULL);
	expect(&r, 422, "invalid", "note");
	reply_free(&r);
	run(&r, STAFF, "POST", "/api/v1/bookings/100/approve", "{}", NULL);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(fake.last, "approve");
	reply_free(&r);
	run(&r, STAFF, "POST", "/api/v1/bookings/100/decline", NULL, NULL);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(fake.text, "");
	reply_free(&r);
	run(&r, ADMIN, "POST", "/api/v1/bookings/100/restore", NULL, NULL);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(fake.last, "restore");
	reply_free(&r);

	run(&r, STAFF, "PATCH", "/api/v1/bookings/100", "{\"notes_public\":\"bring the car\"}",
	    NULL);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(fake.notes_public, "bring the car");
	assert_string_equal(fake.notes_private, "secret"); /* kept */
	reply_free(&r);

	run(&r, STAFF, "GET", "/api/v1/bookings/100/activity", NULL, NULL);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(json_array_get(json_object_get(r.json, "activity"), 0), "channel"),
			    "api");
	assert_string_equal(jstr(json_array_get(json_object_get(r.json, "activity"), 0), "at"),
			    "2026-11-18T11:06:40Z");
	reply_free(&r);
}

static void test_report(void **state)
{
	struct reply r;
	json_t *row;

	(void)state;
	run(&r, ADMIN, "GET",
	    "/api/v1/reports/cancellations?from=2026-11-01&to=2026-11-30&location_id=1&period=week",
	    NULL, NULL);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(fake.period, BOOKING_PERIOD_WEEK);
	assert_int_equal(fake.location_id, 1);
	assert_string_equal(jstr(r.json, "from"), "2026-10-31T23:00:00Z");
	assert_string_equal(jstr(r.json, "to"), "2026-11-30T23:00:00Z");
	row = json_array_get(json_object_get(r.json, "rows"), 1);
	assert_string_equal(jstr(row, "reason"), "other");
	assert_true(json_is_null(json_object_get(row, "staff_id")));
	reply_free(&r);

	run(&r, ADMIN, "GET",
	    "/api/v1/reports/cancellations?from=2026-11-01&to=2026-11-30&format=csv", NULL, NULL);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(fake.period, BOOKING_PERIOD_DAY);
	assert_string_equal(r.req.resp_type, "text/csv; charset=utf-8; header=present");
	assert_string_equal(body(&r), "period,location_id,staff_id,reason,count\r\n"
				      "2026-11-23,1,20,customer,2\r\n"
				      "2026-11-24,1,,other,1\r\n");
	reply_free(&r);

	run(&r, ADMIN, "GET", "/api/v1/reports/cancellations?from=2026-11-01&to=2026-11-30", NULL,
	    "Accept: text/csv, */*;q=0.1");
	expect(&r, 200, NULL, NULL);
	assert_non_null(strstr(r.req.resp_type, "text/csv"));
	reply_free(&r);

	run(&r, ADMIN, "GET",
	    "/api/v1/reports/cancellations?from=2026-11-01&to=2026-11-30&period=year", NULL, NULL);
	expect(&r, 422, "invalid", "period");
	reply_free(&r);
	run(&r, ADMIN, "GET", "/api/v1/reports/cancellations?from=2026-11-01", NULL, NULL);
	expect(&r, 422, "invalid", "to");
	reply_free(&r);
	fake.rc = BOOKING_EFORBIDDEN;
	run(&r, STAFF, "GET",
	    "/api/v1/reports/cancellations?from=2026-11-01&to=2026-11-30&format=csv", NULL, NULL);
	expect(&r, 403, "forbidden", NULL); /* errors stay JSON */
	reply_free(&r);
}

int test_api_route(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_not_found, setup),
		cmocka_unit_test_setup(test_methods, setup),
		cmocka_unit_test_setup(test_media_type_and_json, setup),
		cmocka_unit_test_setup(test_roles, setup),
		cmocka_unit_test_setup(test_booking_errors, setup),
		cmocka_unit_test_setup(test_locations, setup),
		cmocka_unit_test_setup(test_staff, setup),
		cmocka_unit_test_setup(test_hours, setup),
		cmocka_unit_test_setup(test_exceptions, setup),
		cmocka_unit_test_setup(test_rules, setup),
		cmocka_unit_test_setup(test_availability, setup),
		cmocka_unit_test_setup(test_bookings, setup),
		cmocka_unit_test_setup(test_actions, setup),
		cmocka_unit_test_setup(test_report, setup),
	};

	return cmocka_run_group_tests_name("api_route", tests, NULL, NULL);
}
