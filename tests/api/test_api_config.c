/* test_api_config.c - the configuration endpoints against the real engine
 * and store: locations, staff, services and customers (create, read back,
 * update keeping what was not sent, delete), working hours, exceptions and
 * rule sets. Each write is checked by what it really changed: the stored
 * row, who may now do what, and the slots availability offers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "sd_util.h"
#include "test_api.h"

static json_t *item(const json_t *o, const char *key, size_t i)
{
	return json_array_get(json_object_get(o, key), i);
}

/* ---- locations ------------------------------------------------------------------- */

static void test_locations(void **state)
{
	struct store_location l;
	struct reply r;
	int64_t id;

	(void)state;
	run(&r, ALICE, "POST",
	    "{\"name\":\"Mitte\",\"timezone\":\"Europe/Berlin\",\"email\":\"m@example.com\"}", NULL,
	    "/api/v1/locations");
	expect(&r, 201, NULL, NULL);
	id = jint(r.json, "id");
	assert_true(id > 0 && id != w.loc);
	assert_string_equal(header(&r, "Location"),
	                    S("http://127.0.0.1:8008/api/v1/locations/%lld", (long long)id));
	assert_string_equal(r.req.resp_type, "application/json");
	assert_string_equal(jstr(r.json, "timezone"), "Europe/Berlin");
	assert_string_equal(jstr(r.json, "address"), "");
	assert_recent(jtime(r.json, "created"));
	reply_free(&r);
	assert_int_equal(store_location_get(w.c, id, w.a, &l, &w.err), 0);
	assert_string_equal(l.name, "Mitte");
	assert_string_equal(l.email, "m@example.com");
	assert_string_equal(l.rules, "");

	run(&r, DORA, "GET", NULL, NULL, "/api/v1/locations/%lld", (long long)id);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "name"), "Mitte");
	reply_free(&r);

	/* An update keeps what it does not name, the rules included, and
	 * ignores output members such as id. */
	run(&r, ALICE, "PUT", "{\"slot_step_min\":30}", NULL, "/api/v1/locations/%lld/rules",
	    (long long)id);
	expect(&r, 200, NULL, NULL);
	reply_free(&r);
	run(&r, ALICE, "PUT", "{\"email\":\"new@example.com\",\"id\":5}", NULL,
	    "/api/v1/locations/%lld", (long long)id);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jint(r.json, "id"), id);
	assert_string_equal(jstr(r.json, "name"), "Mitte");
	assert_string_equal(jstr(r.json, "email"), "new@example.com");
	reply_free(&r);
	assert_int_equal(store_location_get(w.c, id, w.a, &l, &w.err), 0);
	assert_string_equal(l.name, "Mitte");
	assert_string_equal(l.email, "new@example.com");
	assert_string_equal(l.rules, "{\"slot_step_min\":30}");

	run(&r, ALICE, "PUT", "{\"name\":5}", NULL, "/api/v1/locations/%lld", (long long)id);
	expect(&r, 422, "invalid", "name");
	reply_free(&r);
	run(&r, ALICE, "PUT", "{\"timezone\":\"Europe/Nowhere\"}", NULL, "/api/v1/locations/%lld",
	    (long long)id);
	expect(&r, 422, "invalid", NULL);
	reply_free(&r);
	run(&r, ALICE, "PUT", "{\"name\":\"x\"}", NULL, "/api/v1/locations/999");
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
	assert_int_equal(store_location_get(w.c, id, w.a, &l, &w.err), 0);
	assert_string_equal(l.timezone, "Europe/Berlin"); /* the refused writes changed nothing */

	run(&r, ALICE, "DELETE", NULL, NULL, "/api/v1/locations/%lld", (long long)id);
	expect(&r, 204, NULL, NULL);
	assert_int_equal(r.req.resp_body.len, 0);
	reply_free(&r);
	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/locations/%lld", (long long)id);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);

	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/locations?x=1");
	expect(&r, 422, "invalid", "x");
	reply_free(&r);
}

/* ---- staff -------------------------------------------------------------------------- */

static size_t staff_count(const char *query)
{
	struct reply r;
	size_t n;

	run(&r, DORA, "GET", NULL, NULL, "/api/v1/staff%s", query);
	expect(&r, 200, NULL, NULL);
	n = jlen(r.json, "staff");
	reply_free(&r);
	return n;
}

static void test_staff(void **state)
{
	const char *report = S("/api/v1/reports/cancellations?from=%s&to=%s", day_str(w.today),
	                       day_str(w.today + 7));
	struct store_staff st;
	struct reply r;
	int64_t mitte, id;

	(void)state;
	run(&r, ALICE, "POST",
	    "{\"name\":\"Mitte\",\"timezone\":\"Europe/Berlin\",\"email\":\"m@example.com\"}", NULL,
	    "/api/v1/locations");
	expect(&r, 201, NULL, NULL);
	mitte = jint(r.json, "id");
	reply_free(&r);

	run(&r, NOBODY, "GET", NULL, NULL, "/api/v1/locations");
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
	run(&r, ALICE, "POST", S("{\"user\":\"nobody\",\"location_ids\":[%lld]}", (long long)mitte),
	    NULL, "/api/v1/staff");
	expect(&r, 201, NULL, NULL);
	id = jint(r.json, "id");
	assert_string_equal(header(&r, "Location"),
	                    S("http://127.0.0.1:8008/api/v1/staff/%lld", (long long)id));
	assert_string_equal(jstr(r.json, "user"), "nobody");
	assert_string_equal(jstr(r.json, "name"), "Nobody Special"); /* the display name */
	assert_true(json_is_true(json_object_get(r.json, "active")));
	assert_true(json_is_false(json_object_get(r.json, "admin")));
	assert_int_equal(jlen(r.json, "location_ids"), 1);
	assert_int_equal(json_integer_value(item(r.json, "location_ids", 0)), mitte);
	reply_free(&r);
	assert_int_equal(store_staff_get(w.c, id, w.a, &st, &w.err), 0);
	assert_int_equal(st.user_id, w.user[NOBODY]);
	assert_true(st.bookings_coll_id > 0);                    /* a Bookings calendar was made */
	run(&r, NOBODY, "GET", NULL, NULL, "/api/v1/locations"); /* now staff */
	expect(&r, 200, NULL, NULL);
	reply_free(&r);

	run(&r, ALICE, "POST", "{\"user\":\"ghost\"}", NULL, "/api/v1/staff");
	expect(&r, 404, "not_found", "user");
	reply_free(&r);
	run(&r, ALICE, "POST", "{\"user_id\":99999}", NULL, "/api/v1/staff");
	expect(&r, 404, "not_found", "user_id");
	reply_free(&r);
	run(&r, ALICE, "POST", "{\"name\":\"No Login\"}", NULL, "/api/v1/staff");
	expect(&r, 422, "invalid", "user");
	reply_free(&r);
	run(&r, ALICE, "POST", "{\"user\":5}", NULL, "/api/v1/staff");
	expect(&r, 422, "invalid", "user");
	reply_free(&r);
	run(&r, ALICE, "PUT", "{\"user\":\"carol\"}", NULL, "/api/v1/staff/%lld", (long long)w.bob);
	expect(&r, 422, "invalid", "user");
	reply_free(&r);

	/* Making bob an admin gives him what admins may do. */
	run(&r, BOB, "GET", NULL, NULL, "%s", report);
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
	run(&r, ALICE, "PUT", "{\"user\":\"bob\",\"admin\":true}", NULL, "/api/v1/staff/%lld",
	    (long long)w.bob);
	expect(&r, 200, NULL, NULL);
	assert_true(json_is_true(json_object_get(r.json, "admin")));
	assert_string_equal(jstr(r.json, "name"), "Bob"); /* kept */
	reply_free(&r);
	assert_int_equal(store_staff_get(w.c, w.bob, w.a, &st, &w.err), 0);
	assert_int_equal(st.admin, 1);
	assert_int_equal(st.nlocations, 1); /* kept */
	run(&r, BOB, "GET", NULL, NULL, "%s", report);
	expect(&r, 200, NULL, NULL);
	reply_free(&r);

	assert_int_equal(staff_count(""), 4);
	assert_int_equal(staff_count(S("?location_id=%lld", (long long)w.loc)), 3);
	assert_int_equal(staff_count(S("?location_id=%lld", (long long)mitte)), 1);
	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/staff?location_id=x");
	expect(&r, 422, "invalid", "location_id");
	reply_free(&r);
	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/staff?location_id=1&location_id=2");
	expect(&r, 422, "invalid", "location_id");
	reply_free(&r);

	run(&r, CAROL, "DELETE", NULL, NULL, "/api/v1/staff/%lld", (long long)w.carol);
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
	run(&r, ALICE, "DELETE", NULL, NULL, "/api/v1/staff/%lld", (long long)w.carol);
	expect(&r, 204, NULL, NULL);
	reply_free(&r);
	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/staff/%lld", (long long)w.carol);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
}

/* ---- services -------------------------------------------------------------------------- */

static void test_services(void **state)
{
	struct store_service s;
	struct reply r;
	int64_t id;

	(void)state;
	run(&r, ALICE, "POST",
	    S("{\"location_id\":%lld,\"name\":\"Cut\",\"duration_min\":30,"
	      "\"staff_ids\":[%lld,%lld,%lld]}",
	      (long long)w.loc, (long long)w.bob, (long long)w.alice, (long long)w.bob),
	    NULL, "/api/v1/services");
	expect(&r, 201, NULL, NULL);
	id = jint(r.json, "id");
	assert_string_equal(header(&r, "Location"),
	                    S("http://127.0.0.1:8008/api/v1/services/%lld", (long long)id));
	assert_int_equal(jlen(r.json, "staff_ids"), 2); /* sorted, no duplicates */
	assert_int_equal(json_integer_value(item(r.json, "staff_ids", 0)), w.alice);
	assert_int_equal(json_integer_value(item(r.json, "staff_ids", 1)), w.bob);
	assert_true(json_is_true(json_object_get(r.json, "active")));
	assert_string_equal(jstr(r.json, "description"), "");
	assert_null(json_object_get(r.json, "rules")); /* they have their own endpoint */
	reply_free(&r);
	assert_int_equal(store_service_get(w.c, id, w.a, &s, &w.err), 0);
	assert_int_equal(s.duration_min, 30);
	/* 08:00 to 18:00 in 15-minute steps, 30 minutes each: 08:00 .. 17:30. */
	assert_int_equal(slots_on(id, w.bob, w.mon, NULL), 39);

	run(&r, ALICE, "POST", S("{\"location_id\":%lld,\"name\":\"X\"}", (long long)w.loc), NULL,
	    "/api/v1/services");
	expect(&r, 422, "invalid", "duration_min");
	reply_free(&r);
	run(&r, ALICE, "POST",
	    S("{\"location_id\":%lld,\"name\":\"X\",\"duration_min\":2}", (long long)w.loc), NULL,
	    "/api/v1/services");
	expect(&r, 422, "invalid", NULL);
	reply_free(&r);
	run(&r, ALICE, "POST",
	    S("{\"location_id\":%lld,\"name\":\"X\",\"duration_min\":20,\"staff_ids\":[999]}",
	      (long long)w.loc),
	    NULL, "/api/v1/services");
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
	run(&r, ALICE, "POST", "{\"location_id\":999,\"name\":\"X\",\"duration_min\":20}", NULL,
	    "/api/v1/services");
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
	run(&r, DORA, "POST",
	    S("{\"location_id\":%lld,\"name\":\"X\",\"duration_min\":20}", (long long)w.loc), NULL,
	    "/api/v1/services");
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);

	run(&r, ALICE, "PUT", "{\"duration_min\":45,\"staff_ids\":[]}", NULL,
	    "/api/v1/services/%lld", (long long)id);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "name"), "Cut"); /* kept */
	assert_int_equal(jlen(r.json, "staff_ids"), 0);
	reply_free(&r);
	assert_int_equal(slots_on(id, 0, w.mon, NULL), 0); /* nobody performs it now */

	run(&r, DORA, "GET", NULL, NULL, "/api/v1/services?location_id=%lld", (long long)w.loc);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jlen(r.json, "services"), 2);
	reply_free(&r);
	run(&r, ALICE, "DELETE", NULL, NULL, "/api/v1/services/%lld", (long long)id);
	expect(&r, 204, NULL, NULL);
	reply_free(&r);
	assert_int_equal(store_service_get(w.c, id, w.a, &s, &w.err), STORE_ENOTFOUND);
}

/* ---- customers ------------------------------------------------------------------------- */

static void test_customers(void **state)
{
	struct store_customer c;
	struct reply r;
	int64_t fay, gus;

	(void)state;
	run(&r, BOB, "POST",
	    "{\"name\":\"Fay\",\"email\":\"fay@example.org\",\"phone\":\"+49 170 555\"}", NULL,
	    "/api/v1/customers");
	expect(&r, 201, NULL, NULL);
	fay = jint(r.json, "id");
	assert_true(json_is_null(json_object_get(r.json, "user")));
	assert_true(json_is_null(json_object_get(r.json, "user_id")));
	reply_free(&r);
	run(&r, BOB, "GET", NULL, NULL, "/api/v1/customers?q=fay%%40example");
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jlen(r.json, "customers"), 1);
	assert_int_equal(jint(item(r.json, "customers", 0), "id"), fay);
	reply_free(&r);

	run(&r, BOB, "POST", "{\"name\":\"x\",\"email\":\"not-an-address\"}", NULL,
	    "/api/v1/customers");
	expect(&r, 422, "invalid", NULL);
	reply_free(&r);
	run(&r, BOB, "POST", "{\"name\":\"x\",\"user\":5}", NULL, "/api/v1/customers");
	expect(&r, 422, "invalid", "user");
	reply_free(&r);
	run(&r, DORA, "POST", "{\"name\":\"x\"}", NULL, "/api/v1/customers");
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);

	/* A login is the admin's to give; with it, the login is a customer. */
	run(&r, BOB, "POST", "{\"name\":\"Gus\",\"user\":\"nobody\"}", NULL, "/api/v1/customers");
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
	run(&r, ALICE, "POST", "{\"name\":\"Gus\",\"user\":\"nobody\"}", NULL, "/api/v1/customers");
	expect(&r, 201, NULL, NULL);
	gus = jint(r.json, "id");
	assert_string_equal(jstr(r.json, "user"), "nobody");
	reply_free(&r);
	run(&r, NOBODY, "GET", NULL, NULL, "/api/v1/customers/%lld", (long long)gus);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "name"), "Gus");
	reply_free(&r);

	/* A customer edits their own record, never its login. */
	run(&r, DORA, "PUT", "{\"phone\":\"+49 170 1234567\",\"user\":\"eve\"}", NULL,
	    "/api/v1/customers/%lld", (long long)w.dora);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "phone"), "+49 170 1234567");
	assert_string_equal(jstr(r.json, "user"), "dora");
	assert_string_equal(jstr(r.json, "email"), "dora@example.org"); /* kept */
	reply_free(&r);
	assert_int_equal(store_customer_get(w.c, w.dora, w.a, &c, &w.err), 0);
	assert_int_equal(c.user_id, w.user[DORA]);
	run(&r, DORA, "PUT", "{\"name\":\"Mallory\"}", NULL, "/api/v1/customers/%lld",
	    (long long)w.eve);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
	assert_int_equal(store_customer_get(w.c, w.eve, w.a, &c, &w.err), 0);
	assert_string_equal(c.name, "Eve");

	run(&r, ALICE, "DELETE", NULL, NULL, "/api/v1/customers/%lld", (long long)fay);
	expect(&r, 204, NULL, NULL);
	reply_free(&r);
	assert_int_equal(store_customer_get(w.c, fay, w.a, &c, &w.err), STORE_ENOTFOUND);
}

/* ---- working hours --------------------------------------------------------------------- */

static void test_hours(void **state)
{
	struct store_hours *h;
	struct reply r;
	json_t *row;
	int64_t first;
	size_t n;

	(void)state;
	/* w.mon is a Monday: weekday 1. */
	run(&r, BOB, "PUT",
	    "[{\"weekday\":1,\"start\":\"09:00\",\"end\":\"17:00\"},"
	    "{\"weekday\":2,\"start\":\"09:00\",\"end\":\"24:00\",\"location_id\":1}]",
	    NULL, "/api/v1/staff/%lld/hours?location_id=%lld", (long long)w.bob, (long long)w.loc);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jint(r.json, "staff_id"), w.bob);
	assert_int_equal(jint(r.json, "location_id"), w.loc);
	assert_int_equal(jlen(r.json, "hours"), 2);
	row = item(r.json, "hours", 1);
	assert_int_equal(jint(row, "weekday"), 2);
	assert_string_equal(jstr(row, "end"), "24:00");
	reply_free(&r);
	assert_int_equal(store_hours_get(w.c, w.bob, w.loc, w.a, &h, &n, &w.err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(h[0].weekday, 1);
	assert_int_equal(h[0].start_min, 540);
	assert_int_equal(h[0].end_min, 1020);
	assert_int_equal(h[1].end_min, 1440);
	/* Monday 09:00 to 17:00, 60 minutes every 15: 09:00 .. 16:00. */
	assert_int_equal(slots_on(w.svc, w.bob, w.mon, &first), 29);
	assert_int_equal(first, at(0, 9, 0));

	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/staff/%lld/hours?location_id=%lld",
	    (long long)w.bob, (long long)w.loc);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jlen(r.json, "hours"), 2);
	row = item(r.json, "hours", 0);
	assert_int_equal(jint(row, "location_id"), w.loc);
	assert_string_equal(jstr(row, "start"), "09:00");
	assert_string_equal(jstr(row, "end"), "17:00");
	reply_free(&r);

	run(&r, BOB, "PUT", "[]", NULL, "/api/v1/staff/%lld/hours", (long long)w.bob);
	expect(&r, 422, "invalid", "location_id");
	reply_free(&r);
	run(&r, BOB, "PUT",
	    "[{\"weekday\":1,\"start\":\"09:00\",\"end\":\"17:00\"},{\"weekday\":2,\"start\":9}]",
	    NULL, "/api/v1/staff/%lld/hours?location_id=%lld", (long long)w.bob, (long long)w.loc);
	expect(&r, 422, "invalid", "[1].start");
	reply_free(&r);
	run(&r, BOB, "PUT", "[{\"weekday\":1,\"start\":\"09:00\"}]", NULL,
	    "/api/v1/staff/%lld/hours?location_id=%lld", (long long)w.bob, (long long)w.loc);
	expect(&r, 422, "invalid", "[0].end");
	reply_free(&r);
	run(&r, BOB, "PUT", "{\"weekday\":1}", NULL, "/api/v1/staff/%lld/hours?location_id=%lld",
	    (long long)w.bob, (long long)w.loc);
	expect(&r, 422, "invalid", NULL);
	reply_free(&r);
	run(&r, BOB, "PUT",
	    "[{\"weekday\":1,\"start\":\"09:00\",\"end\":\"12:00\"},"
	    "{\"weekday\":1,\"start\":\"11:00\",\"end\":\"13:00\"}]",
	    NULL, "/api/v1/staff/%lld/hours?location_id=%lld", (long long)w.bob, (long long)w.loc);
	expect(&r, 422, "invalid", NULL); /* overlapping: booking's check */
	reply_free(&r);
	run(&r, BOB, "PUT", "[{\"weekday\":1,\"start\":\"09:00\",\"end\":\"17:00\"}]", NULL,
	    "/api/v1/staff/%lld/hours?location_id=%lld", (long long)w.alice, (long long)w.loc);
	expect(&r, 403, "forbidden", NULL); /* someone else's */
	reply_free(&r);
	assert_int_equal(slots_on(w.svc, w.alice, w.mon, NULL), 37); /* unchanged */
	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/staff/999/hours");
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
}

/* An empty schedule clears the staff member's hours at the location (and
 * must not hand qsort a NULL array: UBSan watches this one). */
static void test_hours_cleared(void **state)
{
	struct store_hours *h;
	struct reply r;
	size_t n;

	(void)state;
	assert_int_equal(slots_on(w.svc, w.bob, w.mon, NULL), 37);
	run(&r, BOB, "PUT", "[]", NULL, "/api/v1/staff/%lld/hours?location_id=%lld",
	    (long long)w.bob, (long long)w.loc);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jlen(r.json, "hours"), 0);
	reply_free(&r);
	assert_int_equal(store_hours_get(w.c, w.bob, w.loc, w.a, &h, &n, &w.err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(slots_on(w.svc, w.bob, w.mon, NULL), 0);
	assert_int_equal(slots_on(w.svc, w.alice, w.mon, NULL), 37);
}

/* ---- exceptions ------------------------------------------------------------------------- */

static void test_exceptions(void **state)
{
	struct store_exception *e;
	struct reply r;
	int64_t id;
	size_t n;

	(void)state;
	assert_int_equal(slots_on(w.svc, w.bob, w.mon, NULL), 37);
	run(&r, BOB, "POST",
	    S("{\"date\":\"%s\",\"note\":\"holiday\",\"location_id\":%lld}", day_str(w.mon),
	      (long long)w.loc),
	    NULL, "/api/v1/staff/%lld/exceptions", (long long)w.bob);
	expect(&r, 201, NULL, NULL);
	id = jint(r.json, "id");
	assert_string_equal(header(&r, "Location"),
	                    S("http://127.0.0.1:8008/api/v1/staff/%lld/exceptions/%lld",
	                      (long long)w.bob, (long long)id));
	assert_string_equal(jstr(r.json, "date"), day_str(w.mon));
	assert_string_equal(jstr(r.json, "start"), "00:00");
	assert_string_equal(jstr(r.json, "end"), "24:00");
	assert_true(json_is_false(json_object_get(r.json, "available")));
	assert_int_equal(jint(r.json, "staff_id"), w.bob);
	reply_free(&r);
	assert_int_equal(store_exception_list(w.c, w.bob, w.mon, w.mon + 1, w.a, &e, &n, &w.err),
	                 0);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].note, "holiday");
	/* The day off is off: bob has no slots, alice all of hers. */
	assert_int_equal(slots_on(w.svc, w.bob, w.mon, NULL), 0);
	assert_int_equal(slots_on(w.svc, w.alice, w.mon, NULL), 37);

	run(&r, BOB, "GET", NULL, NULL, "/api/v1/staff/%lld/exceptions?from=%s&to=%s",
	    (long long)w.bob, day_str(w.mon), day_str(w.mon));
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jlen(r.json, "exceptions"), 1);
	reply_free(&r);
	run(&r, BOB, "GET", NULL, NULL, "/api/v1/staff/%lld/exceptions?from=%s", (long long)w.bob,
	    day_str(w.mon + 1));
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jlen(r.json, "exceptions"), 0);
	reply_free(&r);
	run(&r, BOB, "GET", NULL, NULL, "/api/v1/staff/%lld/exceptions?from=monday",
	    (long long)w.bob);
	expect(&r, 422, "invalid", "from");
	reply_free(&r);

	/* Not alice's, and not carol's to delete. */
	run(&r, ALICE, "DELETE", NULL, NULL, "/api/v1/staff/%lld/exceptions/%lld",
	    (long long)w.alice, (long long)id);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
	run(&r, CAROL, "DELETE", NULL, NULL, "/api/v1/staff/%lld/exceptions/%lld", (long long)w.bob,
	    (long long)id);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
	assert_int_equal(slots_on(w.svc, w.bob, w.mon, NULL), 0);

	run(&r, BOB, "DELETE", NULL, NULL, "/api/v1/staff/%lld/exceptions/%lld", (long long)w.bob,
	    (long long)id);
	expect(&r, 204, NULL, NULL);
	reply_free(&r);
	assert_int_equal(slots_on(w.svc, w.bob, w.mon, NULL), 37);
	run(&r, BOB, "DELETE", NULL, NULL, "/api/v1/staff/%lld/exceptions/%lld", (long long)w.bob,
	    (long long)id);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
	run(&r, BOB, "POST", "{\"date\":\"23.11.2026\"}", NULL, "/api/v1/staff/%lld/exceptions",
	    (long long)w.bob);
	expect(&r, 422, "invalid", "date");
	reply_free(&r);
}

/* ---- rule sets ---------------------------------------------------------------------------- */

static void test_rules(void **state)
{
	struct store_location l;
	struct store_service s;
	struct reply r;
	json_t *eff;
	char *text;
	int64_t soon;

	(void)state;
	run(&r, BOB, "GET", NULL, NULL, "/api/v1/locations/%lld/rules", (long long)w.loc);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(json_object_size(json_object_get(r.json, "rules")), 0);
	eff = json_object_get(r.json, "effective");
	assert_int_equal(jint(eff, "slot_step_min"), 15);
	assert_int_equal(jint(eff, "horizon_days"), 90);
	reply_free(&r);

	run(&r, ALICE, "PUT", "{\"slot_step_min\":30}", NULL, "/api/v1/locations/%lld/rules",
	    (long long)w.loc);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jint(json_object_get(r.json, "rules"), "slot_step_min"), 30);
	assert_int_equal(jint(json_object_get(r.json, "effective"), "slot_step_min"), 30);
	reply_free(&r);
	/* 08:00 .. 17:00 every 30 minutes. */
	assert_int_equal(slots_on(w.svc, w.bob, w.mon, NULL), 19);

	/* A merge patch: null removes a rule, a value sets one. */
	run(&r, ALICE, "PUT", "{\"slot_step_min\":null,\"horizon_days\":30}", NULL,
	    "/api/v1/locations/%lld/rules", (long long)w.loc);
	expect(&r, 200, NULL, NULL);
	text = json_dumps(json_object_get(r.json, "rules"), JSON_COMPACT);
	assert_string_equal(text, "{\"horizon_days\":30}");
	free(text);
	reply_free(&r);
	assert_int_equal(store_location_get(w.c, w.loc, w.a, &l, &w.err), 0);
	assert_string_equal(l.rules, "{\"horizon_days\":30}");
	assert_string_equal(l.name, "Workshop");
	assert_int_equal(slots_on(w.svc, w.bob, w.mon, NULL), 37);

	run(&r, ALICE, "PUT", "{\"slot_step_min\":1}", NULL, "/api/v1/locations/%lld/rules",
	    (long long)w.loc);
	expect(&r, 422, "invalid", NULL);
	reply_free(&r);
	run(&r, ALICE, "PUT", "{\"no_such_rule\":1}", NULL, "/api/v1/locations/%lld/rules",
	    (long long)w.loc);
	expect(&r, 422, "invalid", NULL);
	reply_free(&r);
	run(&r, BOB, "PUT", "{\"horizon_days\":10}", NULL, "/api/v1/locations/%lld/rules",
	    (long long)w.loc);
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
	assert_int_equal(store_location_get(w.c, w.loc, w.a, &l, &w.err), 0);
	assert_string_equal(l.rules, "{\"horizon_days\":30}"); /* unchanged */

	/* A service's rules override its location's. */
	run(&r, ALICE, "PUT", "{\"slot_step_min\":30}", NULL, "/api/v1/locations/%lld/rules",
	    (long long)w.loc);
	expect(&r, 200, NULL, NULL);
	reply_free(&r);
	run(&r, ALICE, "PUT", "{\"booking_notice_min\":120}", NULL, "/api/v1/services/%lld/rules",
	    (long long)w.svc);
	expect(&r, 200, NULL, NULL);
	reply_free(&r);
	run(&r, ALICE, "PUT", "{\"realtime\":false}", NULL, "/api/v1/services/%lld/rules",
	    (long long)w.svc);
	expect(&r, 200, NULL, NULL);
	eff = json_object_get(r.json, "effective");
	assert_int_equal(jint(eff, "slot_step_min"), 30); /* the location's */
	assert_int_equal(jint(eff, "horizon_days"), 30);  /* the location's */
	assert_int_equal(jint(eff, "booking_notice_min"), 120);
	assert_int_equal(jint(eff, "realtime"), 0);
	reply_free(&r);
	assert_int_equal(store_service_get(w.c, w.svc, w.a, &s, &w.err), 0);
	assert_string_equal(s.rules, "{\"booking_notice_min\":120,\"realtime\":false}");
	run(&r, BOB, "GET", NULL, NULL, "/api/v1/services/%lld/rules", (long long)w.svc);
	expect(&r, 200, NULL, NULL);
	text = json_dumps(json_object_get(r.json, "rules"), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"booking_notice_min\":120,\"realtime\":false}");
	free(text);
	reply_free(&r);
	/* The notice is two hours now: 90 to 105 minutes ahead is too soon. */
	soon = (sd_now() + 90 * 60) / 900 * 900 + 900;
	run(&r, DORA, "POST",
	    S("{\"service_id\":%lld,\"start\":\"%s\"}", (long long)w.svc, iso(soon)), NULL,
	    "/api/v1/bookings");
	expect(&r, 422, "booking_notice", NULL);
	reply_free(&r);
}

int test_api_config(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_locations, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_staff, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_services, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_customers, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_hours, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_hours_cleared, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_exceptions, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_rules, world_setup, world_teardown),
	};

	return cmocka_run_group_tests_name("api_config", tests, NULL, NULL);
}
