/* test_api_codec.c - the field tables: strict decoding (unknown members,
 * JSON types, required members, output-only members), id sets, encoding
 * of times, enums and nulls; the CSV cell writer; the status table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "sd_arena.h"
#include "test_api.h"

struct cx {
	struct sd_arena *a;
	struct sd_req req;
	struct api_ctx x;
};

static void cx_init(struct cx *c)
{
	memset(c, 0, sizeof(*c));
	c->a = sd_arena_new();
	sd_req_init(&c->req, c->a);
	c->x.req = &c->req;
	c->x.a = c->a;
}

/* Decodes text by fs into rec; the status. */
static int dec(struct cx *c, const char *text, const struct api_fieldset *fs, void *rec,
               enum api_mode mode)
{
	json_t *j = api_keep(&c->x, json_loads(text, 0, NULL));

	assert_non_null(j);
	c->x.field = c->x.message = NULL;
	return api_decode(&c->x, j, fs, rec, mode);
}

static void test_decode_location(void **state)
{
	struct cx c;
	struct store_location l = {
		.name = "", .address = "", .timezone = "", .email = "", .rules = "r"
	};

	(void)state;
	cx_init(&c);
	assert_int_equal(dec(&c,
	                     "{\"name\":\"Mitte\",\"timezone\":\"Europe/Berlin\","
	                     "\"address\":\"Street 1\",\"id\":99,\"created\":\"x\"}",
	                     &api_location_fields, &l, API_CREATE),
	                 0);
	assert_string_equal(l.name, "Mitte");
	assert_string_equal(l.timezone, "Europe/Berlin");
	assert_string_equal(l.address, "Street 1");
	assert_string_equal(l.email, "");
	assert_string_equal(l.rules, "r"); /* not a member: untouched */
	assert_int_equal(l.id, 0);         /* output only: ignored */

	assert_int_equal(dec(&c, "{\"nmae\":\"x\"}", &api_location_fields, &l, API_UPDATE), 422);
	assert_string_equal(c.x.field, "nmae");
	assert_string_equal(c.x.code, "invalid");
	assert_non_null(strstr(c.x.message, "unknown member"));

	assert_int_equal(dec(&c, "{\"name\":5}", &api_location_fields, &l, API_UPDATE), 422);
	assert_string_equal(c.x.field, "name");
	assert_non_null(strstr(c.x.message, "must be a string"));

	assert_int_equal(dec(&c, "{\"name\":\"x\"}", &api_location_fields, &l, API_CREATE), 422);
	assert_string_equal(c.x.field, "timezone");
	assert_non_null(strstr(c.x.message, "required"));
	assert_int_equal(dec(&c, "{\"name\":\"y\"}", &api_location_fields, &l, API_UPDATE), 0);
	assert_string_equal(l.name, "y");

	assert_int_equal(dec(&c, "{\"rules\":{}}", &api_location_fields, &l, API_UPDATE), 422);
	assert_string_equal(c.x.field, "rules");
	sd_arena_free(c.a);
}

static void test_decode_types(void **state)
{
	struct cx c;
	struct store_service s = { 0 };
	struct store_exception e = { 0 };
	struct booking_new n = { .staff_id = 9 };
	struct api_action act;

	(void)state;
	cx_init(&c);
	assert_int_equal(dec(&c, "{\"staff_ids\":[3,1,3,2],\"duration_min\":45,\"active\":false}",
	                     &api_service_fields, &s, API_UPDATE),
	                 0);
	assert_int_equal(s.nstaff, 3);
	assert_int_equal(s.staff_ids[0], 1);
	assert_int_equal(s.staff_ids[1], 2);
	assert_int_equal(s.staff_ids[2], 3);
	assert_int_equal(s.duration_min, 45);
	assert_int_equal(s.active, 0);
	assert_int_equal(dec(&c, "{\"staff_ids\":[]}", &api_service_fields, &s, API_UPDATE), 0);
	assert_int_equal(s.nstaff, 0);
	assert_int_equal(dec(&c, "{\"staff_ids\":[0]}", &api_service_fields, &s, API_UPDATE), 422);
	assert_int_equal(dec(&c, "{\"staff_ids\":[\"1\"]}", &api_service_fields, &s, API_UPDATE),
	                 422);
	assert_int_equal(dec(&c, "{\"staff_ids\":1}", &api_service_fields, &s, API_UPDATE), 422);
	assert_int_equal(dec(&c, "{\"duration_min\":1.5}", &api_service_fields, &s, API_UPDATE),
	                 422);
	assert_int_equal(dec(&c, "{\"duration_min\":\"30\"}", &api_service_fields, &s, API_UPDATE),
	                 422);
	assert_int_equal(
	    dec(&c, "{\"duration_min\":9999999999}", &api_service_fields, &s, API_UPDATE), 422);
	assert_int_equal(dec(&c, "{\"active\":1}", &api_service_fields, &s, API_UPDATE), 422);
	assert_string_equal(c.x.field, "active");

	assert_int_equal(dec(&c,
	                     "{\"date\":\"2026-11-23\",\"start\":\"08:00\",\"end\":\"24:00\","
	                     "\"available\":true,\"location_id\":null}",
	                     &api_exception_fields, &e, API_CREATE),
	                 0);
	assert_int_equal(e.day, 20780);
	assert_int_equal(e.start_min, 480);
	assert_int_equal(e.end_min, 1440);
	assert_int_equal(e.available, 1);
	assert_int_equal(e.location_id, 0);
	assert_int_equal(
	    dec(&c, "{\"date\":\"23.11.2026\"}", &api_exception_fields, &e, API_CREATE), 422);
	assert_string_equal(c.x.field, "date");
	assert_int_equal(dec(&c, "{\"date\":\"2026-11-23\",\"start\":\"8:00\"}",
	                     &api_exception_fields, &e, API_CREATE),
	                 422);
	assert_string_equal(c.x.field, "start");

	assert_int_equal(
	    dec(&c, "{\"service_id\":5,\"start\":\"2026-11-23T10:00:00+01:00\",\"staff_id\":null}",
	        &api_booking_new_fields, &n, API_CREATE),
	    0);
	assert_int_equal(n.start, 1795424400);
	assert_int_equal(n.staff_id, 0);
	assert_null(n.notes_public);
	assert_int_equal(dec(&c, "{\"service_id\":5,\"start\":\"tomorrow\"}",
	                     &api_booking_new_fields, &n, API_CREATE),
	                 422);
	assert_string_equal(c.x.field, "start");
	assert_non_null(strstr(c.x.message, "RFC 3339"));

	memset(&act, 0, sizeof(act));
	assert_int_equal(dec(&c, "{\"reason\":\"no_show\"}", &api_cancel_fields, &act, API_CREATE),
	                 0);
	assert_int_equal(act.reason, STORE_CANCEL_NO_SHOW);
	assert_int_equal(dec(&c, "{\"reason\":\"none\"}", &api_cancel_fields, &act, API_CREATE),
	                 422);
	assert_int_equal(dec(&c, "{\"text\":\"x\"}", &api_cancel_fields, &act, API_CREATE), 422);
	assert_string_equal(c.x.field, "reason");
	assert_int_equal(dec(&c, "{}", &api_no_fields, &act, API_CREATE), 0);
	assert_int_equal(dec(&c, "{\"version\":1}", &api_no_fields, &act, API_CREATE), 422);
	sd_arena_free(c.a);
}

static void test_encode(void **state)
{
	static const int64_t ids[] = { 4, 7 };
	struct store_booking b = {
		.id = 100,
		.uid = "u-1",
		.start = 1795424400,
		.end = 1795428000,
		.status = STORE_BK_CONFIRMED,
		.cancel_text = "",
		.notes_public = "",
		.notes_private = "p",
		.created_channel = "api",
		.created_by = "user:bob",
		.version = 2,
		.created = 1,
		.modified = 2,
	};
	struct store_service s = { .id = 5,
		                   .name = "Cut",
		                   .description = "",
		                   .rules = "",
		                   .duration_min = 60,
		                   .active = 1,
		                   .staff_ids = ids,
		                   .nstaff = 2 };
	struct store_hours h = { 1, 3, 540, 1440 };
	json_t *o;
	char *text;

	(void)state;
	o = api_encode(&api_booking_fields, &b);
	assert_string_equal(json_string_value(json_object_get(o, "start")), "2026-11-23T09:00:00Z");
	assert_string_equal(json_string_value(json_object_get(o, "end")), "2026-11-23T10:00:00Z");
	assert_string_equal(json_string_value(json_object_get(o, "status")), "confirmed");
	assert_true(json_is_null(json_object_get(o, "cancel_reason")));
	assert_true(json_is_null(json_object_get(o, "cancelled_at")));
	assert_int_equal(json_integer_value(json_object_get(o, "version")), 2);
	assert_null(json_object_get(o, "obj_name"));
	json_decref(o);

	b.status = STORE_BK_CANCELLED;
	b.cancel_reason = STORE_CANCEL_OTHER;
	b.cancelled_at = 1795000000;
	o = api_encode(&api_booking_fields, &b);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "cancelled");
	assert_string_equal(json_string_value(json_object_get(o, "cancel_reason")), "other");
	assert_string_equal(json_string_value(json_object_get(o, "cancelled_at")),
	                    "2026-11-18T11:06:40Z");
	json_decref(o);

	o = api_encode(&api_service_fields, &s);
	text = json_dumps(json_object_get(o, "staff_ids"), JSON_COMPACT);
	assert_string_equal(text, "[4,7]");
	free(text);
	assert_true(json_is_true(json_object_get(o, "active")));
	assert_null(json_object_get(o, "rules"));
	json_decref(o);

	o = api_encode(&api_hours_fields, &h);
	text = json_dumps(o, JSON_COMPACT);
	assert_string_equal(
	    text, "{\"location_id\":1,\"weekday\":3,\"start\":\"09:00\",\"end\":\"24:00\"}");
	free(text);
	json_decref(o);
}

static const char *csv(const char *cell)
{
	static char out[256];
	struct sd_buf b;

	sd_buf_init(&b, 0);
	api_csv_cell(&b, cell);
	snprintf(out, sizeof(out), "%s", sd_buf_cstr(&b));
	sd_buf_free(&b);
	return out;
}

static void test_csv_cell(void **state)
{
	(void)state;
	assert_string_equal(csv("plain"), "plain");
	assert_string_equal(csv(""), "");
	assert_string_equal(csv("a,b"), "\"a,b\"");
	assert_string_equal(csv("say \"hi\""), "\"say \"\"hi\"\"\"");
	assert_string_equal(csv("two\r\nlines"), "\"two\r\nlines\"");
	assert_string_equal(csv("=1+2"), "'=1+2");
	assert_string_equal(csv("+1"), "'+1");
	assert_string_equal(csv("-1"), "'-1");
	assert_string_equal(csv("@SUM(A1)"), "'@SUM(A1)");
	assert_string_equal(csv("\tx"), "'\tx");
	assert_string_equal(csv("=HYPERLINK(\"x\",\"y\")"), "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
	assert_string_equal(csv("a=b"), "a=b");
}

static void test_status_table(void **state)
{
	static const struct {
		int code, status;
	} want[] = {
		{ BOOKING_ENOTFOUND, 404 },
		{ BOOKING_EINVALID, 422 },
		{ BOOKING_EFORBIDDEN, 403 },
		{ BOOKING_EINUSE, 409 },
		{ BOOKING_EEXISTS, 409 },
		{ BOOKING_ESTALE, 412 },
		{ BOOKING_EIO, 500 },
		{ BOOKING_EBUSY, 503 },
		{ BOOKING_ESTATE, 409 },
		{ BOOKING_ESLOT, 409 },
		{ BOOKING_EHOURS, 422 },
		{ BOOKING_EPAST, 422 },
		{ BOOKING_EHORIZON, 422 },
		{ BOOKING_ENOT_PERMITTED, 403 },
		{ BOOKING_ECANCEL_NOTICE, 403 },
		{ BOOKING_ENOT_STARTED, 409 },
	};
	static const int all[] = {
#define CODE(e, v, s) e,
		BOOKING_CODES(CODE)
#undef CODE
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++)
		assert_int_equal(api_booking_status(want[i].code), want[i].status);
	for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++) {
		int s = api_booking_status(all[i]);

		assert_true(s == 403 || s == 404 || s == 409 || s == 412 || s == 422 || s == 500 ||
		            s == 503);
		assert_true(s != 500 || all[i] == BOOKING_EIO);
	}
	assert_int_equal(api_booking_status(-999), 500);
}

int test_api_codec(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_location), cmocka_unit_test(test_decode_types),
		cmocka_unit_test(test_encode),          cmocka_unit_test(test_csv_cell),
		cmocka_unit_test(test_status_table),
	};

	return cmocka_run_group_tests_name("api_codec", tests, NULL, NULL);
}
