/* test_api_booking.c - availability, bookings, their lifecycle, the
 * activity log and the cancellation report, against the real engine and
 * store: what a request decodes is checked by what the engine then did
 * (the slots it offers, the booking it stored, who may see it, what it
 * logged, what it counts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "api_int.h"
#include "test_api.h"

static json_t *item(const json_t *o, const char *key, size_t i)
{
	return json_array_get(json_object_get(o, key), i);
}

/* s with '+' percent-encoded, for a query string. */
static const char *qenc(const char *s)
{
	const char *out = "";

	for (; *s; s++)
		out = *s == '+' ? S("%s%%2B", out) : S("%s%c", out, *s);
	return out;
}

/* POSTs a booking as who; its id (the status must be want). */
static int64_t book(int who, const char *body_text, int want)
{
	struct reply r;
	int64_t id;

	run(&r, who, "POST", body_text, NULL, "/api/v1/bookings");
	expect(&r, want, NULL, NULL);
	id = jint(r.json, "id");
	reply_free(&r);
	return id;
}

static const char *booking_for(int64_t customer, int64_t staff_id, int64_t start)
{
	return S("{\"service_id\":%lld,\"customer_id\":%lld,\"staff_id\":%lld,\"start\":\"%s\"}",
	         (long long)w.svc, (long long)customer, (long long)staff_id, iso(start));
}

/* ---- availability ------------------------------------------------------------------ */

static void test_availability(void **state)
{
	const char *mon = day_str(w.mon);
	struct reply r;
	json_t *slot;

	(void)state;
	run(&r, DORA, "GET", NULL, NULL, "/api/v1/availability?service_id=%lld&from=%s&to=%s",
	    (long long)w.svc, mon, mon);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jint(r.json, "service_id"), w.svc);
	assert_true(json_is_null(json_object_get(r.json, "staff_id")));
	/* Days are whole local days of the service's location. */
	assert_string_equal(jstr(r.json, "from"), iso(day_at(w.mon, 0, 0)));
	assert_string_equal(jstr(r.json, "to"), iso(day_at(w.mon + 1, 0, 0)));
	/* 08:00 .. 17:00 every 15 minutes, for alice and for bob. */
	assert_int_equal(jlen(r.json, "slots"), 74);
	slot = item(r.json, "slots", 0);
	assert_string_equal(jstr(slot, "start"), iso(at(0, 8, 0)));
	assert_string_equal(jstr(slot, "end"), iso(at(0, 9, 0)));
	assert_int_equal(jint(slot, "staff_id"), w.alice);
	assert_int_equal(jint(item(r.json, "slots", 1), "staff_id"), w.bob);
	reply_free(&r);

	/* Instants, one with an offset; starts in [09:00, 19:00). */
	run(&r, DORA, "GET", NULL, NULL,
	    "/api/v1/availability?service_id=%lld&staff_id=%lld&from=%s&to=%s", (long long)w.svc,
	    (long long)w.bob, iso(at(0, 9, 0)), qenc(iso_local(at(0, 19, 0))));
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jint(r.json, "staff_id"), w.bob);
	assert_string_equal(jstr(r.json, "from"), iso(at(0, 9, 0)));
	assert_string_equal(jstr(r.json, "to"), iso(at(0, 19, 0)));
	assert_int_equal(jlen(r.json, "slots"), 33);
	assert_string_equal(jstr(item(r.json, "slots", 32), "start"), iso(at(0, 17, 0)));
	reply_free(&r);

	/* A booking takes its slot, its buffer and what would run into it:
	 * starts 09:15 .. 11:00 and 09:00 (its buffer after covers 10:00). */
	book(BOB, booking_for(w.eve, w.bob, at(0, 10, 0)), 201);
	assert_int_equal(slots_on(w.svc, w.bob, w.mon, NULL), 28);
	assert_int_equal(slots_on(w.svc, w.alice, w.mon, NULL), 37);

	run(&r, DORA, "GET", NULL, NULL, "/api/v1/availability?from=%s&to=%s", mon, mon);
	expect(&r, 422, "invalid", "service_id");
	reply_free(&r);
	run(&r, DORA, "GET", NULL, NULL, "/api/v1/availability?service_id=%lld&from=%s&to=%s",
	    (long long)w.svc, day_str(w.mon + 1), day_str(w.mon - 1));
	expect(&r, 422, "invalid", "to");
	reply_free(&r);
	run(&r, DORA, "GET", NULL, NULL, "/api/v1/availability?service_id=999&from=%s&to=%s", mon,
	    mon);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
	run(&r, DORA, "GET", NULL, NULL, "/api/v1/availability?service_id=%lld&from=soon&to=%s",
	    (long long)w.svc, mon);
	expect(&r, 422, "invalid", "from");
	reply_free(&r);
	run(&r, DORA, "GET", NULL, NULL, "/api/v1/availability?service_id=%lld&from=%s&to=%s",
	    (long long)w.svc, mon, day_str(w.mon + 70));
	expect(&r, 422, "invalid", NULL); /* booking's limit on the range */
	reply_free(&r);
}

/* ---- bookings ------------------------------------------------------------------------ */

static size_t list(int who, const char *query)
{
	struct reply r;
	size_t n;

	run(&r, who, "GET", NULL, NULL, "/api/v1/bookings%s", query);
	expect(&r, 200, NULL, NULL);
	n = jlen(r.json, "bookings");
	reply_free(&r);
	return n;
}

static void test_bookings(void **state)
{
	struct store_booking b;
	struct reply r;
	int64_t id, mine, other;

	(void)state;
	run(&r, BOB, "POST",
	    S("{\"service_id\":%lld,\"customer_id\":%lld,\"start\":\"%s\","
	      "\"notes_private\":\"vip\",\"notes_public\":\"see you\"}",
	      (long long)w.svc, (long long)w.eve, iso_local(at(0, 10, 0))),
	    NULL, "/api/v1/bookings");
	expect(&r, 201, NULL, NULL);
	id = jint(r.json, "id");
	assert_string_equal(header(&r, "Location"),
	                    S("http://127.0.0.1:8008/api/v1/bookings/%lld", (long long)id));
	assert_string_equal(jstr(r.json, "start"), iso(at(0, 10, 0)));
	assert_string_equal(jstr(r.json, "end"), iso(at(0, 11, 0)));
	assert_string_equal(jstr(r.json, "status"), "confirmed");
	assert_non_null(strstr(jstr(r.json, "uid"), "@slotdav"));
	assert_int_equal(jint(r.json, "staff_id"), w.bob);
	assert_int_equal(jint(r.json, "customer_id"), w.eve);
	assert_int_equal(jint(r.json, "buffer_after_min"), 15);
	assert_string_equal(jstr(r.json, "notes_private"), "vip");
	assert_string_equal(jstr(r.json, "created_channel"), "api");
	assert_string_equal(jstr(r.json, "created_by"), "user:bob");
	assert_true(json_is_null(json_object_get(r.json, "cancel_reason")));
	assert_int_equal(jint(r.json, "version"), 1);
	assert_recent(jtime(r.json, "created"));
	reply_free(&r);
	booking_stored(id, &b);
	assert_int_equal(b.start, at(0, 10, 0));
	assert_string_equal(b.notes_private, "vip");
	assert_string_equal(b.notes_public, "see you");

	/* Who sees it: its staff member, admins and its customer, who never
	 * sees private notes. */
	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/bookings/%lld", (long long)id);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "notes_private"), "vip");
	reply_free(&r);
	run(&r, EVE, "GET", NULL, NULL, "/api/v1/bookings/%lld", (long long)id);
	expect(&r, 200, NULL, NULL);
	assert_null(json_object_get(r.json, "notes_private"));
	assert_string_equal(jstr(r.json, "notes_public"), "see you");
	reply_free(&r);
	run(&r, DORA, "GET", NULL, NULL, "/api/v1/bookings/%lld", (long long)id);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
	run(&r, CAROL, "GET", NULL, NULL, "/api/v1/bookings/%lld", (long long)id);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
	run(&r, BOB, "GET", NULL, NULL, "/api/v1/bookings/%lld?x=1", (long long)id);
	expect(&r, 422, "invalid", "x");
	reply_free(&r);

	/* A customer books for themself; bob is taken, alice is free. */
	run(&r, DORA, "POST",
	    S("{\"service_id\":%lld,\"start\":\"%s\"}", (long long)w.svc, iso(at(0, 10, 0))), NULL,
	    "/api/v1/bookings");
	expect(&r, 201, NULL, NULL);
	mine = jint(r.json, "id");
	assert_int_equal(jint(r.json, "customer_id"), w.dora);
	assert_int_equal(jint(r.json, "staff_id"), w.alice);
	assert_null(json_object_get(r.json, "notes_private"));
	reply_free(&r);
	/* Now nobody is free at 10:00. */
	run(&r, DORA, "POST",
	    S("{\"service_id\":%lld,\"start\":\"%s\"}", (long long)w.svc, iso(at(0, 10, 0))), NULL,
	    "/api/v1/bookings");
	expect(&r, 409, "slot_unavailable", NULL);
	reply_free(&r);
	run(&r, DORA, "POST",
	    S("{\"service_id\":%lld,\"start\":\"%s\",\"notes_private\":\"x\"}", (long long)w.svc,
	      iso(at(0, 14, 0))),
	    NULL, "/api/v1/bookings");
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
	run(&r, DORA, "POST", booking_for(w.eve, w.bob, at(0, 14, 0)), NULL, "/api/v1/bookings");
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);

	run(&r, BOB, "POST", "{\"service_id\":\"5\",\"start\":\"x\"}", NULL, "/api/v1/bookings");
	expect(&r, 422, "invalid", "service_id");
	reply_free(&r);
	run(&r, BOB, "POST", S("{\"service_id\":%lld,\"strat\":\"x\"}", (long long)w.svc), NULL,
	    "/api/v1/bookings");
	expect(&r, 422, "invalid", "strat");
	reply_free(&r);
	run(&r, BOB, "POST", S("{\"service_id\":%lld}", (long long)w.svc), NULL,
	    "/api/v1/bookings");
	expect(&r, 422, "invalid", "start");
	reply_free(&r);
	run(&r, BOB, "POST",
	    S("{\"service_id\":%lld,\"customer_id\":999,\"start\":\"%s\"}", (long long)w.svc,
	      iso(at(0, 14, 0))),
	    NULL, "/api/v1/bookings");
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);

	/* Lists: days of location_id's zone, "to" included; (start, id) order. */
	other = book(BOB, booking_for(w.eve, w.bob, at(1, 10, 0)), 201);
	assert_int_equal(list(ALICE, S("?status=confirmed,pending&from=%s&to=%s&location_id=%lld"
	                               "&limit=5",
	                               day_str(w.mon), day_str(w.mon), (long long)w.loc)),
	                 2);
	assert_int_equal(list(ALICE, S("?from=%s&to=%s&location_id=%lld", day_str(w.mon),
	                               day_str(w.mon + 1), (long long)w.loc)),
	                 3);
	assert_int_equal(list(ALICE, S("?from=%s", iso(at(0, 10, 30)))), 3);
	assert_int_equal(list(ALICE, S("?from=%s", iso(at(0, 12, 0)))), 1);
	assert_int_equal(list(ALICE, "?limit=1"), 1);
	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/bookings?after=%lld", (long long)id);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jlen(r.json, "bookings"), 2);
	assert_int_equal(jint(item(r.json, "bookings", 0), "id"), mine);
	assert_int_equal(jint(item(r.json, "bookings", 1), "id"), other);
	reply_free(&r);
	assert_int_equal(list(ALICE, "?status=cancelled"), 0);
	assert_int_equal(list(ALICE, S("?customer_id=%lld", (long long)w.dora)), 1);
	/* Each sees what is theirs. */
	assert_int_equal(list(BOB, ""), 2);
	assert_int_equal(list(CAROL, ""), 0);
	assert_int_equal(list(DORA, ""), 1);
	assert_int_equal(list(EVE, ""), 2);
	assert_int_equal(list(DORA, S("?customer_id=%lld", (long long)w.eve)), 0);

	run(&r, BOB, "GET", NULL, NULL, "/api/v1/bookings?status=bogus");
	expect(&r, 422, "invalid", "status");
	reply_free(&r);
	run(&r, BOB, "GET", NULL, NULL, "/api/v1/bookings?stauts=confirmed");
	expect(&r, 422, "invalid", "stauts");
	reply_free(&r);
	run(&r, BOB, "GET", NULL, NULL, "/api/v1/bookings?limit=-1");
	expect(&r, 422, "invalid", "limit");
	reply_free(&r);
}

/* ---- the lifecycle ------------------------------------------------------------------- */

static int64_t version_of(int64_t id)
{
	struct store_booking b;

	booking_stored(id, &b);
	return b.version;
}

static void test_notes_and_reschedule(void **state)
{
	struct store_booking b;
	struct reply r;
	int64_t id;

	(void)state;
	id = book(BOB,
	          S("{\"service_id\":%lld,\"customer_id\":%lld,\"start\":\"%s\","
	            "\"notes_private\":\"secret\"}",
	            (long long)w.svc, (long long)w.eve, iso(at(0, 10, 0))),
	          201);

	run(&r, BOB, "PATCH", "{\"notes_public\":\"bring the car\"}", NULL, "/api/v1/bookings/%lld",
	    (long long)id);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "notes_public"), "bring the car");
	assert_string_equal(jstr(r.json, "notes_private"), "secret"); /* kept */
	assert_int_equal(jint(r.json, "version"), 2);
	reply_free(&r);
	run(&r, EVE, "PATCH", "{\"notes_public\":\"running late\"}", NULL, "/api/v1/bookings/%lld",
	    (long long)id);
	expect(&r, 200, NULL, NULL);
	assert_null(json_object_get(r.json, "notes_private"));
	reply_free(&r);
	run(&r, EVE, "PATCH", "{\"notes_private\":\"mine\"}", NULL, "/api/v1/bookings/%lld",
	    (long long)id);
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
	run(&r, BOB, "PATCH", "{\"notes_public\":\"x\",\"version\":1}", NULL,
	    "/api/v1/bookings/%lld", (long long)id);
	expect(&r, 412, "version_mismatch", NULL);
	reply_free(&r);
	booking_stored(id, &b);
	assert_string_equal(b.notes_public, "running late");
	assert_string_equal(b.notes_private, "secret");

	/* Staff move it. */
	run(&r, BOB, "POST",
	    S("{\"start\":\"%s\",\"version\":%lld}", iso(at(0, 11, 0)), (long long)version_of(id)),
	    NULL, "/api/v1/bookings/%lld/reschedule", (long long)id);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "outcome"), "applied");
	assert_string_equal(jstr(r.json, "start"), iso(at(0, 11, 0)));
	reply_free(&r);
	booking_stored(id, &b);
	assert_int_equal(b.start, at(0, 11, 0));
	assert_int_equal(b.end, at(0, 12, 0));
	run(&r, BOB, "POST",
	    S("{\"start\":\"%s\",\"staff_id\":%lld}", iso(at(0, 11, 0)), (long long)w.alice), NULL,
	    "/api/v1/bookings/%lld/reschedule", (long long)id);
	expect(&r, 403, "forbidden", NULL); /* only admins give it to someone else */
	reply_free(&r);
	run(&r, BOB, "POST", "{}", NULL, "/api/v1/bookings/%lld/reschedule", (long long)id);
	expect(&r, 422, "invalid", "start");
	reply_free(&r);
	run(&r, BOB, "POST", "{\"start\":\"11:00\"}", NULL, "/api/v1/bookings/%lld/reschedule",
	    (long long)id);
	expect(&r, 422, "invalid", "start");
	reply_free(&r);

	/* A customer's move that needs approval is a request: 202, the
	 * booking keeps its slot until staff approve it. */
	run(&r, ALICE, "PUT", "{\"reschedule_needs_approval\":true}", NULL,
	    "/api/v1/locations/%lld/rules", (long long)w.loc);
	expect(&r, 200, NULL, NULL);
	reply_free(&r);
	run(&r, EVE, "POST", S("{\"start\":\"%s\"}", iso(at(0, 14, 0))), NULL,
	    "/api/v1/bookings/%lld/reschedule", (long long)id);
	expect(&r, 202, NULL, NULL);
	assert_string_equal(jstr(r.json, "outcome"), "requested");
	assert_string_equal(jstr(r.json, "start"), iso(at(0, 11, 0)));
	reply_free(&r);
	booking_stored(id, &b);
	assert_int_equal(b.start, at(0, 11, 0));
	run(&r, BOB, "POST", "{}", NULL, "/api/v1/bookings/%lld/approve", (long long)id);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "start"), iso(at(0, 14, 0)));
	reply_free(&r);
	booking_stored(id, &b);
	assert_int_equal(b.start, at(0, 14, 0));

	/* An admin gives it to alice: bob no longer sees it. */
	run(&r, ALICE, "POST",
	    S("{\"start\":\"%s\",\"staff_id\":%lld}", iso(at(0, 14, 0)), (long long)w.alice), NULL,
	    "/api/v1/bookings/%lld/reschedule", (long long)id);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jint(r.json, "staff_id"), w.alice);
	reply_free(&r);
	run(&r, BOB, "GET", NULL, NULL, "/api/v1/bookings/%lld", (long long)id);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
}

static void test_cancel_restore(void **state)
{
	struct store_booking b;
	struct reply r;
	int64_t id;

	(void)state;
	id = book(BOB, booking_for(w.eve, w.bob, at(0, 10, 0)), 201);
	run(&r, BOB, "POST", "{\"reason\":\"whim\"}", NULL, "/api/v1/bookings/%lld/cancel",
	    (long long)id);
	expect(&r, 422, "invalid", "reason");
	reply_free(&r);
	run(&r, BOB, "POST", NULL, NULL, "/api/v1/bookings/%lld/cancel", (long long)id);
	expect(&r, 422, "invalid", "reason");
	reply_free(&r);
	run(&r, BOB, "POST", "{\"reason\":\"other\"}", NULL, "/api/v1/bookings/%lld/cancel",
	    (long long)id);
	expect(&r, 422, "invalid", NULL); /* "other" needs a text: booking's rule */
	reply_free(&r);
	run(&r, EVE, "POST", "{\"reason\":\"business\"}", NULL, "/api/v1/bookings/%lld/cancel",
	    (long long)id);
	expect(&r, 403, "forbidden", NULL); /* customers cancel as customers */
	reply_free(&r);
	booking_stored(id, &b);
	assert_int_equal(b.status, STORE_BK_CONFIRMED);

	run(&r, BOB, "POST",
	    S("{\"reason\":\"other\",\"text\":\"flooded\",\"version\":%lld}",
	      (long long)version_of(id)),
	    NULL, "/api/v1/bookings/%lld/cancel", (long long)id);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "status"), "cancelled");
	assert_string_equal(jstr(r.json, "cancel_reason"), "other");
	assert_string_equal(jstr(r.json, "cancel_text"), "flooded");
	assert_recent(jtime(r.json, "cancelled_at"));
	reply_free(&r);
	booking_stored(id, &b);
	assert_int_equal(b.status, STORE_BK_CANCELLED);
	assert_int_equal(b.cancel_reason, STORE_CANCEL_OTHER);
	run(&r, BOB, "POST", "{\"reason\":\"business\"}", NULL, "/api/v1/bookings/%lld/cancel",
	    (long long)id);
	expect(&r, 409, "invalid_transition", NULL);
	reply_free(&r);
	assert_int_equal(slots_on(w.svc, w.bob, w.mon, NULL), 37); /* the slot is free again */

	run(&r, BOB, "POST", NULL, NULL, "/api/v1/bookings/%lld/restore", (long long)id);
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
	run(&r, ALICE, "POST", "{\"version\":1}", NULL, "/api/v1/bookings/%lld/restore",
	    (long long)id);
	expect(&r, 422, "invalid", "version");
	reply_free(&r);
	run(&r, ALICE, "POST", NULL, NULL, "/api/v1/bookings/%lld/restore", (long long)id);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "status"), "confirmed");
	assert_true(json_is_null(json_object_get(r.json, "cancel_reason")));
	assert_true(json_is_null(json_object_get(r.json, "cancelled_at")));
	reply_free(&r);
	booking_stored(id, &b);
	assert_int_equal(b.status, STORE_BK_CONFIRMED);

	/* Cancelled again and the slot taken meanwhile: no restore. */
	run(&r, EVE, "POST", "{\"reason\":\"customer\"}", NULL, "/api/v1/bookings/%lld/cancel",
	    (long long)id);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "cancel_reason"), "customer");
	reply_free(&r);
	book(DORA, booking_for(w.dora, w.bob, at(0, 10, 0)), 201);
	run(&r, ALICE, "POST", NULL, NULL, "/api/v1/bookings/%lld/restore", (long long)id);
	expect(&r, 409, "slot_unavailable", NULL);
	reply_free(&r);
}

static void test_approve_decline(void **state)
{
	struct store_booking b;
	struct reply r;
	int64_t p1, p2;

	(void)state;
	run(&r, ALICE, "PUT", "{\"new_booking_needs_approval\":true}", NULL,
	    "/api/v1/locations/%lld/rules", (long long)w.loc);
	expect(&r, 200, NULL, NULL);
	reply_free(&r);
	run(&r, DORA, "POST", booking_for(w.dora, w.bob, at(1, 10, 0)), NULL, "/api/v1/bookings");
	expect(&r, 201, NULL, NULL);
	assert_string_equal(jstr(r.json, "status"), "pending");
	p1 = jint(r.json, "id");
	reply_free(&r);
	p2 = book(DORA, booking_for(w.dora, w.bob, at(1, 12, 0)), 201);

	run(&r, DORA, "POST", "{}", NULL, "/api/v1/bookings/%lld/approve", (long long)p1);
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
	run(&r, BOB, "POST", "{\"note\":1}", NULL, "/api/v1/bookings/%lld/approve", (long long)p1);
	expect(&r, 422, "invalid", "note");
	reply_free(&r);
	run(&r, BOB, "POST", "{}", NULL, "/api/v1/bookings/%lld/approve", (long long)p1);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "status"), "confirmed");
	reply_free(&r);
	booking_stored(p1, &b);
	assert_int_equal(b.status, STORE_BK_CONFIRMED);

	run(&r, BOB, "POST", NULL, NULL, "/api/v1/bookings/%lld/decline", (long long)p2);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "status"), "cancelled");
	assert_string_equal(jstr(r.json, "cancel_reason"), "business");
	assert_string_equal(jstr(r.json, "cancel_text"), "declined");
	reply_free(&r);
	booking_stored(p2, &b);
	assert_int_equal(b.status, STORE_BK_CANCELLED);
	run(&r, BOB, "POST", "{\"text\":\"again\"}", NULL, "/api/v1/bookings/%lld/decline",
	    (long long)p2);
	expect(&r, 409, "invalid_transition", NULL);
	reply_free(&r);
}

static void test_no_show_complete(void **state)
{
	int64_t t1 = day_at(w.today - 1, 10, 0), t2 = day_at(w.today - 1, 12, 0), p1, p2;
	struct store_booking b;
	struct reply r;

	(void)state;
	/* Appointments that have started: made by the system when they were
	 * still ahead. */
	p1 = book_as_system(w.bob, w.eve, t1, t1 - HOUR);
	p2 = book_as_system(w.bob, w.eve, t2, t1 - HOUR);

	run(&r, EVE, "POST", NULL, NULL, "/api/v1/bookings/%lld/no-show", (long long)p1);
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);
	run(&r, CAROL, "POST", NULL, NULL, "/api/v1/bookings/%lld/no-show", (long long)p1);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
	/* No body, no Content-Type. */
	run(&r, BOB, "POST", NULL, NULL, "/api/v1/bookings/%lld/no-show", (long long)p1);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "status"), "no_show");
	reply_free(&r);
	booking_stored(p1, &b);
	assert_int_equal(b.status, STORE_BK_NO_SHOW);

	run(&r, BOB, "POST", "{\"version\":7}", NULL, "/api/v1/bookings/%lld/complete",
	    (long long)p2);
	expect(&r, 412, "version_mismatch", NULL);
	reply_free(&r);
	run(&r, BOB, "POST", S("{\"version\":%lld}", (long long)version_of(p2)), NULL,
	    "/api/v1/bookings/%lld/complete", (long long)p2);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "status"), "completed");
	reply_free(&r);
	booking_stored(p2, &b);
	assert_int_equal(b.status, STORE_BK_COMPLETED);
	run(&r, BOB, "POST", NULL, NULL, "/api/v1/bookings/%lld/no-show", (long long)p2);
	expect(&r, 409, "invalid_transition", NULL);
	reply_free(&r);
}

/* ---- the activity log ------------------------------------------------------------------ */

static void test_activity(void **state)
{
	const char *log = "";
	struct reply r;
	json_t *a;
	int64_t id;

	(void)state;
	run(&r, BOB, "POST", booking_for(w.eve, w.bob, at(0, 10, 0)), "User-Agent: curl/8.0",
	    "/api/v1/bookings");
	expect(&r, 201, NULL, NULL);
	id = jint(r.json, "id");
	reply_free(&r);
	run(&r, BOB, "PATCH", "{\"notes_public\":\"x\"}", NULL, "/api/v1/bookings/%lld",
	    (long long)id);
	expect(&r, 200, NULL, NULL);
	reply_free(&r);
	run(&r, BOB, "POST",
	    S("{\"start\":\"%s\",\"staff_id\":%lld}", iso(at(0, 11, 0)), (long long)w.alice), NULL,
	    "/api/v1/bookings/%lld/reschedule", (long long)id);
	expect(&r, 403, "forbidden", NULL);
	reply_free(&r);

	run(&r, EVE, "GET", NULL, NULL, "/api/v1/bookings/%lld/activity", (long long)id);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jint(r.json, "booking_id"), id);
	for (size_t i = 0; i < jlen(r.json, "activity"); i++) {
		a = item(r.json, "activity", i);
		log = S("%s%s%s/%s", log, i ? " " : "", jstr(a, "action"), jstr(a, "outcome"));
	}
	assert_string_equal(log, "create/ok notes/ok reschedule/refused");
	a = item(r.json, "activity", 0);
	assert_string_equal(jstr(a, "channel"), "api");
	assert_string_equal(jstr(a, "actor"), "user:bob");
	assert_string_equal(jstr(a, "user_agent"), "curl/8.0");
	assert_int_equal(jint(a, "booking_id"), id);
	assert_recent(jtime(a, "at"));
	assert_string_equal(jstr(item(r.json, "activity", 1), "user_agent"), "");
	reply_free(&r);

	run(&r, DORA, "GET", NULL, NULL, "/api/v1/bookings/%lld/activity", (long long)id);
	expect(&r, 404, "not_found", NULL);
	reply_free(&r);
	run(&r, BOB, "GET", NULL, NULL, "/api/v1/bookings/%lld/activity?x=1", (long long)id);
	expect(&r, 422, "invalid", "x");
	reply_free(&r);
}

/* ---- the cancellation report ----------------------------------------------------------- */

/* "2026-W48" of the ISO week holding day. */
static const char *iso_week(int64_t day)
{
	int64_t thursday = day - (api_day_weekday(day) - 1) + 3, y;
	int m, d;

	api_civil_from_days(thursday, &y, &m, &d);
	return S("%04lld-W%02lld", (long long)y,
	         (long long)((thursday - api_days_from_civil(y, 1, 1)) / 7 + 1));
}

static void test_report(void **state)
{
	const char *range = S("from=%s&to=%s", day_str(w.mon), day_str(w.mon + 6));
	struct reply r;
	json_t *row;
	int64_t b[3];

	(void)state;
	b[0] = book(BOB, booking_for(w.dora, w.bob, at(0, 10, 0)), 201);
	b[1] = book(BOB, booking_for(w.dora, w.bob, at(0, 12, 0)), 201);
	b[2] = book(BOB, booking_for(w.dora, w.bob, at(1, 10, 0)), 201);
	book(BOB, booking_for(w.dora, w.bob, at(1, 12, 0)), 201); /* not cancelled */
	for (int i = 0; i < 3; i++) {
		run(&r, i == 1 ? BOB : DORA, "POST",
		    i == 1 ? "{\"reason\":\"business\"}" : "{\"reason\":\"customer\"}", NULL,
		    "/api/v1/bookings/%lld/cancel", (long long)b[i]);
		expect(&r, 200, NULL, NULL);
		reply_free(&r);
	}

	run(&r, ALICE, "GET", NULL, NULL,
	    "/api/v1/reports/cancellations?%s&location_id=%lld&period=week", range,
	    (long long)w.loc);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(jstr(r.json, "from"), iso(day_at(w.mon, 0, 0)));
	assert_string_equal(jstr(r.json, "to"), iso(day_at(w.mon + 7, 0, 0)));
	assert_string_equal(jstr(r.json, "period"), "week");
	assert_int_equal(jint(r.json, "location_id"), w.loc);
	assert_true(json_is_null(json_object_get(r.json, "staff_id")));
	assert_int_equal(jlen(r.json, "rows"), 2);
	row = item(r.json, "rows", 0);
	assert_string_equal(jstr(row, "period"), iso_week(w.mon));
	assert_int_equal(jint(row, "location_id"), w.loc);
	assert_int_equal(jint(row, "staff_id"), w.bob);
	assert_string_equal(jstr(row, "reason"), "customer");
	assert_int_equal(jint(row, "count"), 2);
	row = item(r.json, "rows", 1);
	assert_string_equal(jstr(row, "reason"), "business");
	assert_int_equal(jint(row, "count"), 1);
	reply_free(&r);

	run(&r, ALICE, "GET", NULL, NULL,
	    "/api/v1/reports/cancellations?%s&location_id=%lld&format=csv", range,
	    (long long)w.loc);
	expect(&r, 200, NULL, NULL);
	assert_string_equal(r.req.resp_type, "text/csv; charset=utf-8; header=present");
	assert_string_equal(header(&r, "Content-Disposition"),
	                    "attachment; filename=\"cancellations.csv\"");
	assert_string_equal(body(&r), S("period,location_id,staff_id,reason,count\r\n"
	                                "%s,%lld,%lld,customer,1\r\n"
	                                "%s,%lld,%lld,business,1\r\n"
	                                "%s,%lld,%lld,customer,1\r\n",
	                                day_str(w.mon), (long long)w.loc, (long long)w.bob,
	                                day_str(w.mon), (long long)w.loc, (long long)w.bob,
	                                day_str(w.mon + 1), (long long)w.loc, (long long)w.bob));
	reply_free(&r);

	/* Without a location, days are UTC days; instants are instants. */
	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/reports/cancellations?%s&period=month", range);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jtime(r.json, "from"), w.mon * 86400);
	assert_int_equal(jtime(r.json, "to"), (w.mon + 7) * 86400);
	reply_free(&r);
	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/reports/cancellations?from=%s&to=%s",
	    iso(at(0, 11, 0)), iso(at(1, 0, 0)));
	expect(&r, 200, NULL, NULL);
	assert_int_equal(jlen(r.json, "rows"), 1);
	assert_string_equal(jstr(item(r.json, "rows", 0), "reason"), "business");
	reply_free(&r);

	run(&r, ALICE, "GET", NULL, "Accept: text/csv, */*;q=0.1",
	    "/api/v1/reports/cancellations?%s", range);
	expect(&r, 200, NULL, NULL);
	assert_non_null(strstr(r.req.resp_type, "text/csv"));
	reply_free(&r);

	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/reports/cancellations?%s&period=year", range);
	expect(&r, 422, "invalid", "period");
	reply_free(&r);
	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/reports/cancellations?%s&format=xml", range);
	expect(&r, 422, "invalid", "format");
	reply_free(&r);
	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/reports/cancellations?from=%s", day_str(w.mon));
	expect(&r, 422, "invalid", "to");
	reply_free(&r);
	run(&r, ALICE, "GET", NULL, NULL, "/api/v1/reports/cancellations?from=%s&to=%s",
	    day_str(w.mon + 1), day_str(w.mon - 1));
	expect(&r, 422, "invalid", "to");
	reply_free(&r);
	run(&r, BOB, "GET", NULL, NULL, "/api/v1/reports/cancellations?%s&format=csv", range);
	expect(&r, 403, "forbidden", NULL); /* errors stay JSON */
	reply_free(&r);
}

int test_api_booking(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_availability, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_bookings, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_notes_and_reschedule, world_setup,
		                                world_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_restore, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_approve_decline, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_no_show_complete, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_activity, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_report, world_setup, world_teardown),
	};

	return cmocka_run_group_tests_name("api_booking", tests, NULL, NULL);
}
