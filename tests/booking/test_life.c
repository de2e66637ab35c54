/* test_life.c - the booking lifecycle against a real SQLite store: rules,
 * transitions, refusals, publishing to the Bookings calendar, the activity
 * log, visibility, the cancellation report and availability with busy
 * events from a personal calendar.
 *
 * The clock is the context's: tests set x.now, so nothing depends on the
 * day the tests run. The organisation: one location in Europe/Berlin, staff
 * alice (admin), bob and carol; alice and bob work 08:00-18:00 every day;
 * a 60-minute service with a 15-minute buffer after, performed by alice and
 * bob; customer dora (with a login) and eve. The store runs behind the
 * fault wrapper (disarmed unless a test arms it), so a test can fail any
 * step of a transition and check that nothing of it was written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "booking.h"
#include "dav.h"
#include "ics.h"
#include "ics_zone.h"
#include "storage_test.h" /* fx_dump */
#include "store.h"
#include "store_bk.h"
#include "store_fault.h"

/* 2030-01-07 is a Monday; 09:00 Berlin (CET) is 08:00 UTC. */
#define MON               1893974400LL /* 2030-01-07T00:00:00Z */
#define H                 3600LL
#define T(day, hour, min) (MON + (day)*86400LL + ((hour)-1) * H + (min)*60LL)

struct lf {
	char dir[64], path[96];
	struct store *st;
	struct store_backend *fault;
	struct store_conn *c;
	struct sd_arena *a;
	struct sd_err err;
	struct booking_actor sys, admin, staff_bob, staff_carol, cust_dora, cust_eve;
	struct booking_ctx x;
	int64_t loc, alice, bob, carol, svc, dora, eve;
	int64_t u_alice, u_bob, u_dora;
};

static int64_t user(struct lf *f, const char *name)
{
	int64_t id;

	assert_int_equal(store_user_create(f->c, name, name, "", "x", &id, &f->err), 0);
	assert_int_equal(dav_user_provision(f->c, id, &f->err), 0);
	return id;
}

static void as(struct lf *f, const struct booking_actor *who)
{
	f->x.actor = who;
}

static int64_t staff(struct lf *f, int64_t uid, const char *name, int admin)
{
	struct store_staff s = { .user_id = uid,
		                 .name = name,
		                 .admin = admin,
		                 .active = 1,
		                 .location_ids = &f->loc,
		                 .nlocations = 1 };
	int64_t id;

	assert_int_equal(booking_staff_save(&f->x, &s, &id, &f->err), 0);
	return id;
}

static void hours_all_week(struct lf *f, int64_t staff_id)
{
	struct store_hours h[7];

	for (int i = 0; i < 7; i++)
		h[i] = (struct store_hours){ f->loc, i + 1, 8 * 60, 18 * 60 };
	assert_int_equal(booking_hours_set(&f->x, staff_id, f->loc, h, 7, &f->err), 0);
}

static int setup(void **state)
{
	struct lf *f = calloc(1, sizeof(*f));
	struct store_location loc = { .name = "Workshop",
		                      .timezone = "Europe/Berlin",
		                      .email = "shop@example.org" };
	struct store_customer dora = { .name = "Dora", .email = "dora@example.org" };
	struct store_customer eve = { .name = "Eve", .phone = "+49 30 123456" };
	int64_t ids[2];
	struct store_service svc = { .name = "Service",
		                     .duration_min = 60,
		                     .buffer_after_min = 15,
		                     .active = 1,
		                     .staff_ids = ids,
		                     .nstaff = 2 };

	snprintf(f->dir, sizeof(f->dir), "/tmp/slotdav-life-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/db", f->dir);
	assert_int_equal(
	    store_sqlite_backend_new(&f->fault, f->path, STORE_SQLITE_BUSY_MS, &f->err), 0);
	f->fault = store_fault_backend_new(f->fault);
	assert_int_equal(store_open_backend(&f->st, f->fault, 1, &f->err), 0);
	assert_int_equal(store_conn_acquire(f->st, &f->c, &f->err), 0);
	f->a = sd_arena_new();
	f->x = (struct booking_ctx){ f->c, f->a, T(0, 6, 0), &f->sys };
	f->sys = (struct booking_actor){ BOOKING_ROLE_SYSTEM, 0, 0, "test", "cli", "" };
	assert_int_equal(booking_location_save(&f->x, &loc, &f->loc, &f->err), 0);
	f->u_alice = user(f, "alice");
	f->u_bob = user(f, "bob");
	f->u_dora = user(f, "dora");
	f->alice = staff(f, f->u_alice, "Alice", 1);
	f->bob = staff(f, f->u_bob, "Bob", 0);
	f->carol = staff(f, user(f, "carol"), "Carol", 0);
	hours_all_week(f, f->alice);
	hours_all_week(f, f->bob);
	ids[0] = f->alice;
	ids[1] = f->bob;
	svc.location_id = f->loc;
	assert_int_equal(booking_service_save(&f->x, &svc, &f->svc, &f->err), 0);
	dora.user_id = f->u_dora;
	assert_int_equal(booking_customer_save(&f->x, &dora, &f->dora, &f->err), 0);
	assert_int_equal(booking_customer_save(&f->x, &eve, &f->eve, &f->err), 0);
	f->admin =
	    (struct booking_actor){ BOOKING_ROLE_ADMIN, f->alice, 0, "user:alice", "api", "" };
	f->staff_bob =
	    (struct booking_actor){ BOOKING_ROLE_STAFF, f->bob, 0, "user:bob", "api", "" };
	f->staff_carol =
	    (struct booking_actor){ BOOKING_ROLE_STAFF, f->carol, 0, "user:carol", "api", "" };
	f->cust_dora =
	    (struct booking_actor){ BOOKING_ROLE_CUSTOMER, 0, f->dora, "customer:dora", "api", "" };
	f->cust_eve =
	    (struct booking_actor){ BOOKING_ROLE_CUSTOMER, 0, f->eve, "customer:eve", "api", "" };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct lf *f = *state;
	char cmd[128];

	sd_arena_free(f->a);
	store_conn_release(f->c);
	store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Books service for customer at start with staff (0: any); returns the rc. */
static int book(struct lf *f, int64_t staff_id, int64_t customer, int64_t start,
                struct store_booking *out)
{
	struct booking_new n = {
		.service_id = f->svc, .staff_id = staff_id, .customer_id = customer, .start = start
	};
	struct store_booking tmp;

	return booking_create(&f->x, &n, out ? out : &tmp, &f->err);
}

static void set_rules(struct lf *f, const char *json)
{
	struct store_location loc;

	assert_int_equal(store_location_get(f->c, f->loc, f->a, &loc, &f->err), 0);
	loc.rules = json;
	as(f, &f->sys);
	assert_int_equal(booking_location_save(&f->x, &loc, NULL, &f->err), 0);
}

/* The stored calendar object of b in its staff member's Bookings calendar,
 * or NULL. */
static const char *object_of(struct lf *f, const struct store_booking *b)
{
	struct store_staff st;
	struct store_obj o;

	assert_int_equal(store_staff_get(f->c, b->staff_id, f->a, &st, &f->err), 0);
	if (store_obj_get(f->c, st.bookings_coll_id, b->obj_name, 1, f->a, &o, &f->err))
		return NULL;
	return o.data;
}

/* The log of b as "action/outcome action/outcome ...". */
static const char *log_of(struct lf *f, int64_t id)
{
	struct store_activity *v;
	size_t n;
	char *s = sd_arena_strdup(f->a, "");

	assert_int_equal(store_activity_list(f->c, id, f->a, &v, &n, &f->err), 0);
	for (size_t i = 0; i < n; i++)
		s = sd_arena_printf(f->a, "%s%s%s/%s", s, i ? " " : "", v[i].action, v[i].outcome);
	return s;
}

/* The notifications queued for b as "kind/recipient ...". */
static const char *queued_of(struct lf *f, int64_t id)
{
	struct store_notification *v;
	size_t n;
	char *s = sd_arena_strdup(f->a, "");

	assert_int_equal(store_notification_list(f->c, id, 0, 0, f->a, &v, &n, &f->err), 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(v[i].state, STORE_NOTIFY_QUEUED);
		assert_int_equal(v[i].not_before, v[i].created + BOOKING_SETTLE_SECONDS);
		s = sd_arena_printf(f->a, "%s%s%s/%s", s, i ? " " : "", v[i].kind, v[i].recipient);
	}
	return s;
}

/* ---- create ------------------------------------------------------------- */

static void test_create_publishes_and_logs(void **state)
{
	struct lf *f = *state;
	struct store_booking b;
	const char *obj;

	assert_int_equal(book(f, f->bob, f->eve, T(1, 10, 0), &b), 0);
	assert_int_equal(b.status, STORE_BK_CONFIRMED);
	assert_int_equal(b.end - b.start, H);
	assert_int_equal(b.version, 1);
	obj = object_of(f, &b);
	assert_non_null(obj);
	assert_non_null(strstr(obj, b.uid));
	assert_non_null(strstr(obj, "STATUS:CONFIRMED"));
	assert_non_null(strstr(obj, "DTSTART:20300108T090000Z"));
	assert_non_null(strstr(obj, "ORGANIZER;CN=Workshop:mailto:shop@example.org"));
	assert_non_null(strstr(obj, "X-SLOTDAV-BOOKING-ID:"));
	assert_int_equal(ics_object_check(obj, strlen(obj), ICS_COMP_VEVENT, f->a,
	                                  &(struct ics_info){ 0 }, &f->err),
	                 0);
	assert_string_equal(log_of(f, b.id), "create/ok");
	assert_string_equal(queued_of(f, b.id), "created/customer");
}

static void test_create_any_staff_takes_the_free_one(void **state)
{
	struct lf *f = *state;
	struct store_booking a, b;

	assert_int_equal(book(f, 0, f->eve, T(1, 10, 0), &a), 0);
	assert_int_equal(book(f, 0, f->dora, T(1, 10, 0), &b), 0);
	assert_int_not_equal(a.staff_id, b.staff_id);
	assert_int_equal(book(f, 0, f->dora, T(1, 10, 0), NULL), BOOKING_ESLOT);
}

static void test_create_conflicts_and_buffers(void **state)
{
	struct lf *f = *state;

	assert_int_equal(book(f, f->bob, f->eve, T(1, 10, 0), NULL), 0);
	/* Same slot, overlapping, and inside the 15-minute buffer after. */
	assert_int_equal(book(f, f->bob, f->dora, T(1, 10, 0), NULL), BOOKING_ESLOT);
	assert_int_equal(book(f, f->bob, f->dora, T(1, 10, 30), NULL), BOOKING_ESLOT);
	assert_int_equal(book(f, f->bob, f->dora, T(1, 11, 0), NULL), BOOKING_ESLOT);
	/* Before: the new booking's buffer after would cover 10:00. */
	assert_int_equal(book(f, f->bob, f->dora, T(1, 9, 0), NULL), BOOKING_ESLOT);
	/* Buffers may overlap each other; appointments may not enter them. */
	assert_int_equal(book(f, f->bob, f->dora, T(1, 11, 15), NULL), 0);
	assert_int_equal(book(f, f->bob, f->dora, T(1, 8, 45), NULL), 0);
}

static void test_create_rules_for_customers(void **state)
{
	struct lf *f = *state;
	struct booking_new n = { .service_id = f->svc, .staff_id = f->bob, .customer_id = f->dora };
	struct store_booking b;

	as(f, &f->cust_dora);
	n.start = T(1, 7, 0); /* before opening */
	assert_int_equal(booking_create(&f->x, &n, &b, &f->err), BOOKING_EHOURS);
	n.start = T(1, 10, 5); /* off the 15-minute grid */
	assert_int_equal(booking_create(&f->x, &n, &b, &f->err), BOOKING_EGRID);
	n.start = T(0, 5, 30); /* before now (06:00 UTC = 07:00 Berlin) */
	assert_int_equal(booking_create(&f->x, &n, &b, &f->err), BOOKING_EPAST);
	n.start = T(0, 6, 45); /* 45 minutes from now: within the 60-minute notice */
	assert_int_equal(booking_create(&f->x, &n, &b, &f->err), BOOKING_ENOTICE);
	n.start = T(91, 10, 0);
	assert_int_equal(booking_create(&f->x, &n, &b, &f->err), BOOKING_EHORIZON);
	n.customer_id = f->eve; /* someone else */
	n.start = T(1, 10, 0);
	assert_int_equal(booking_create(&f->x, &n, &b, &f->err), BOOKING_EFORBIDDEN);
	n.customer_id = f->dora;
	assert_int_equal(booking_create(&f->x, &n, &b, &f->err), 0);
	assert_int_equal(b.status, STORE_BK_CONFIRMED);
	/* Staff bypass working hours (default on), never conflicts. */
	as(f, &f->staff_bob);
	n.customer_id = f->eve;
	n.start = T(1, 20, 0);
	assert_int_equal(booking_create(&f->x, &n, &b, &f->err), 0);
	n.start = T(1, 10, 0);
	assert_int_equal(booking_create(&f->x, &n, &b, &f->err), BOOKING_ESLOT);
	n.staff_id = f->alice; /* staff book into their own calendar only */
	assert_int_equal(booking_create(&f->x, &n, &b, &f->err), BOOKING_EFORBIDDEN);
}

static void test_create_service_staff(void **state)
{
	struct lf *f = *state;

	assert_int_equal(book(f, f->carol, f->eve, T(1, 10, 0), NULL), BOOKING_ESERVICE_STAFF);
	assert_int_equal(book(f, 999, f->eve, T(1, 10, 0), NULL), BOOKING_ENOTFOUND);
}

static void test_pending_then_approve_or_decline(void **state)
{
	struct lf *f = *state;
	struct booking_new n = { .service_id = f->svc,
		                 .staff_id = f->bob,
		                 .customer_id = f->dora,
		                 .start = T(2, 10, 0) };
	struct store_booking b, c;

	set_rules(f, "{\"new_booking_needs_approval\":true}");
	as(f, &f->cust_dora);
	assert_int_equal(booking_create(&f->x, &n, &b, &f->err), 0);
	assert_int_equal(b.status, STORE_BK_PENDING);
	assert_non_null(strstr(object_of(f, &b), "STATUS:TENTATIVE"));
	assert_int_equal(booking_approve(&f->x, b.id, &c, &f->err), BOOKING_EFORBIDDEN);
	as(f, &f->staff_bob);
	assert_int_equal(booking_approve(&f->x, b.id, &c, &f->err), 0);
	assert_int_equal(c.status, STORE_BK_CONFIRMED);
	assert_int_equal(c.sequence, b.sequence + 1);
	assert_int_equal(booking_approve(&f->x, b.id, &c, &f->err), BOOKING_ESTATE);

	as(f, &f->cust_dora);
	n.start = T(2, 12, 0);
	assert_int_equal(booking_create(&f->x, &n, &b, &f->err), 0);
	as(f, &f->staff_bob);
	assert_int_equal(booking_decline(&f->x, b.id, "fully booked", &c, &f->err), 0);
	assert_int_equal(c.status, STORE_BK_CANCELLED);
	assert_int_equal(c.cancel_reason, STORE_CANCEL_BUSINESS);
	assert_string_equal(c.cancel_text, "fully booked");
}

/* ---- reschedule --------------------------------------------------------- */

static void test_reschedule_by_staff(void **state)
{
	struct lf *f = *state;
	struct store_booking b, c;
	enum booking_outcome oc = 0;

	assert_int_equal(book(f, f->bob, f->eve, T(1, 10, 0), &b), 0);
	as(f, &f->staff_bob);
	assert_int_equal(
	    booking_reschedule(&f->x, b.id, b.version + 1, T(1, 14, 0), 0, &c, &oc, &f->err),
	    BOOKING_ESTALE);
	assert_int_equal(
	    booking_reschedule(&f->x, b.id, b.version, T(1, 14, 0), 0, &c, &oc, &f->err), 0);
	assert_int_equal(oc, BOOKING_APPLIED);
	assert_int_equal(c.start, T(1, 14, 0));
	assert_int_equal(c.sequence, b.sequence + 1);
	assert_int_equal(c.version, b.version + 1);
	assert_non_null(strstr(object_of(f, &c), "DTSTART:20300108T130000Z"));
	/* Moving onto itself (overlapping its old slot) is fine: it excludes itself. */
	assert_int_equal(booking_reschedule(&f->x, b.id, 0, T(1, 14, 30), 0, &c, &oc, &f->err), 0);
	/* Only an admin reassigns. */
	assert_int_equal(
	    booking_reschedule(&f->x, b.id, 0, T(1, 14, 30), f->alice, &c, &oc, &f->err),
	    BOOKING_EFORBIDDEN);
	as(f, &f->admin);
	assert_int_equal(
	    booking_reschedule(&f->x, b.id, 0, T(1, 14, 30), f->alice, &c, &oc, &f->err), 0);
	assert_int_equal(c.staff_id, f->alice);
	b.staff_id = f->bob; /* the old calendar no longer has it */
	assert_null(object_of(f, &b));
	assert_non_null(object_of(f, &c));
	assert_string_equal(log_of(f, b.id),
	                    "create/ok reschedule/refused reschedule/ok reschedule/ok "
	                    "reschedule/refused reassign/ok");
}

static void test_reschedule_by_customer(void **state)
{
	struct lf *f = *state;
	struct store_booking b, c;
	struct store_request req;
	enum booking_outcome oc = 0;

	assert_int_equal(book(f, f->bob, f->dora, T(2, 10, 0), &b), 0);
	as(f, &f->cust_eve);
	assert_int_equal(booking_reschedule(&f->x, b.id, 0, T(2, 12, 0), 0, &c, &oc, &f->err),
	                 BOOKING_ENOTFOUND);
	as(f, &f->cust_dora);
	f->x.now = T(2, 9, 0) - 20 * H; /* within the 24-hour notice */
	assert_int_equal(booking_reschedule(&f->x, b.id, 0, T(2, 12, 0), 0, &c, &oc, &f->err),
	                 BOOKING_ERESCHEDULE_NOTICE);
	f->x.now = T(0, 6, 0);
	assert_int_equal(booking_reschedule(&f->x, b.id, 0, T(2, 12, 0), 0, &c, &oc, &f->err), 0);
	assert_int_equal(oc, BOOKING_APPLIED);

	set_rules(f, "{\"reschedule_needs_approval\":true}");
	as(f, &f->cust_dora);
	assert_int_equal(booking_reschedule(&f->x, b.id, 0, T(2, 15, 0), 0, &c, &oc, &f->err), 0);
	assert_int_equal(oc, BOOKING_REQUESTED);
	assert_int_equal(c.start, T(2, 12, 0)); /* keeps its slot */
	assert_int_equal(store_request_pending(f->c, b.id, f->a, &req, &f->err), 0);
	assert_int_equal(req.start, T(2, 15, 0));
	assert_int_equal(booking_reschedule(&f->x, b.id, 0, T(2, 16, 0), 0, &c, &oc, &f->err),
	                 BOOKING_EPENDING_REQUEST);
	as(f, &f->staff_bob);
	assert_int_equal(booking_approve(&f->x, b.id, &c, &f->err), 0);
	assert_int_equal(c.start, T(2, 15, 0));
	assert_int_equal(store_request_pending(f->c, b.id, f->a, &req, &f->err), STORE_ENOTFOUND);

	as(f, &f->cust_dora);
	assert_int_equal(booking_reschedule(&f->x, b.id, 0, T(2, 9, 0), 0, &c, &oc, &f->err), 0);
	as(f, &f->staff_bob);
	assert_int_equal(booking_decline(&f->x, b.id, NULL, &c, &f->err), 0);
	assert_int_equal(c.start, T(2, 15, 0));
	assert_int_equal(c.status, STORE_BK_CONFIRMED);
	/* Refusals queue nothing; each change queues its message. */
	assert_string_equal(
	    queued_of(f, b.id),
	    "created/customer rescheduled/customer request_received/customer "
	    "approval_needed/staff request_approved/customer request_received/customer "
	    "approval_needed/staff request_declined/customer");

	set_rules(f, "{\"customer_may_reschedule\":false}");
	as(f, &f->cust_dora);
	assert_int_equal(booking_reschedule(&f->x, b.id, 0, T(2, 9, 0), 0, &c, &oc, &f->err),
	                 BOOKING_ENOT_PERMITTED);
}

/* ---- cancel, restore, no-show ------------------------------------------- */

static void test_cancel_rules(void **state)
{
	struct lf *f = *state;
	struct store_booking b, c;

	assert_int_equal(book(f, f->bob, f->dora, T(3, 10, 0), &b), 0);
	as(f, &f->cust_dora);
	assert_int_equal(booking_cancel(&f->x, b.id, 0, STORE_CANCEL_BUSINESS, NULL, &c, &f->err),
	                 BOOKING_EFORBIDDEN);
	f->x.now = T(3, 9, 0) - 2 * H;
	assert_int_equal(booking_cancel(&f->x, b.id, 0, STORE_CANCEL_CUSTOMER, NULL, &c, &f->err),
	                 BOOKING_ECANCEL_NOTICE);
	f->x.now = T(0, 6, 0);
	as(f, &f->staff_bob);
	assert_int_equal(booking_cancel(&f->x, b.id, 0, STORE_CANCEL_OTHER, "", &c, &f->err),
	                 BOOKING_EINVALID);
	assert_int_equal(booking_cancel(&f->x, b.id, 0, 0, NULL, &c, &f->err), BOOKING_EINVALID);
	as(f, &f->cust_dora);
	assert_int_equal(booking_cancel(&f->x, b.id, 0, STORE_CANCEL_CUSTOMER, "ill", &c, &f->err),
	                 0);
	assert_int_equal(c.status, STORE_BK_CANCELLED);
	assert_non_null(strstr(object_of(f, &c), "STATUS:CANCELLED"));
	assert_int_equal(booking_cancel(&f->x, b.id, 0, STORE_CANCEL_CUSTOMER, NULL, &c, &f->err),
	                 BOOKING_ESTATE);
	/* The slot is free again. */
	as(f, &f->sys);
	assert_int_equal(book(f, f->bob, f->eve, T(3, 10, 0), NULL), 0);
}

static void test_restore(void **state)
{
	struct lf *f = *state;
	struct store_booking b, c;

	assert_int_equal(book(f, f->bob, f->dora, T(3, 10, 0), &b), 0);
	assert_int_equal(booking_cancel(&f->x, b.id, 0, STORE_CANCEL_NO_SHOW, NULL, &c, &f->err),
	                 0);
	as(f, &f->staff_bob);
	assert_int_equal(booking_restore(&f->x, b.id, &c, &f->err), BOOKING_EFORBIDDEN);
	as(f, &f->admin);
	assert_int_equal(booking_restore(&f->x, b.id, &c, &f->err), 0);
	assert_int_equal(c.status, STORE_BK_CONFIRMED);
	assert_int_equal(c.cancel_reason, STORE_CANCEL_NONE);
	assert_int_equal(booking_restore(&f->x, b.id, &c, &f->err), BOOKING_ESTATE);
	/* Cancelled again, and the slot taken meanwhile: no restore. */
	assert_int_equal(booking_cancel(&f->x, b.id, 0, STORE_CANCEL_BUSINESS, NULL, &c, &f->err),
	                 0);
	assert_int_equal(book(f, f->bob, f->eve, T(3, 10, 30), NULL), 0);
	as(f, &f->admin);
	assert_int_equal(booking_restore(&f->x, b.id, &c, &f->err), BOOKING_ESLOT);
	assert_string_equal(log_of(f, b.id),
	                    "create/ok cancel/ok restore/refused restore/ok restore/refused "
	                    "cancel/ok restore/refused");
	assert_string_equal(
	    queued_of(f, b.id),
	    "created/customer cancelled/customer restored/customer cancelled/customer");
}

static void test_no_show_and_complete(void **state)
{
	struct lf *f = *state;
	struct store_booking b, c;

	assert_int_equal(book(f, f->bob, f->dora, T(1, 10, 0), &b), 0);
	as(f, &f->staff_bob);
	assert_int_equal(booking_no_show(&f->x, b.id, 0, &c, &f->err), BOOKING_ENOT_STARTED);
	f->x.now = b.start;
	as(f, &f->cust_dora);
	assert_int_equal(booking_no_show(&f->x, b.id, 0, &c, &f->err), BOOKING_EFORBIDDEN);
	as(f, &f->staff_bob);
	assert_int_equal(booking_no_show(&f->x, b.id, 0, &c, &f->err), 0);
	assert_int_equal(c.status, STORE_BK_NO_SHOW);
	assert_int_equal(booking_complete(&f->x, b.id, 0, &c, &f->err), BOOKING_ESTATE);
	assert_int_equal(booking_cancel(&f->x, b.id, 0, STORE_CANCEL_BUSINESS, NULL, &c, &f->err),
	                 BOOKING_ESTATE);
}

/* ---- reading ------------------------------------------------------------ */

static void test_visibility(void **state)
{
	struct lf *f = *state;
	struct store_booking b, c, *v;
	struct store_booking_filter all = { 0 };
	size_t n;

	assert_int_equal(book(f, f->bob, f->dora, T(1, 10, 0), &b), 0);
	assert_int_equal(book(f, f->alice, f->eve, T(1, 10, 0), NULL), 0);
	as(f, &f->staff_carol);
	assert_int_equal(booking_get(&f->x, b.id, &c, &f->err), BOOKING_ENOTFOUND);
	assert_int_equal(booking_list(&f->x, &all, &v, &n, &f->err), 0);
	assert_int_equal(n, 0);
	as(f, &f->staff_bob);
	assert_int_equal(booking_get(&f->x, b.id, &c, &f->err), 0);
	assert_int_equal(booking_list(&f->x, &all, &v, &n, &f->err), 0);
	assert_int_equal(n, 1);
	as(f, &f->cust_eve);
	assert_int_equal(booking_get(&f->x, b.id, &c, &f->err), BOOKING_ENOTFOUND);
	assert_int_equal(booking_list(&f->x, &all, &v, &n, &f->err), 0);
	assert_int_equal(n, 1);
	as(f, &f->admin);
	assert_int_equal(booking_list(&f->x, &all, &v, &n, &f->err), 0);
	assert_int_equal(n, 2);
}

static void test_cancel_report(void **state)
{
	struct lf *f = *state;
	struct store_booking b;
	struct booking_report_row *r;
	size_t n;

	for (int i = 0; i < 3; i++) {
		assert_int_equal(book(f, f->bob, f->dora, T(i + 1, 10, 0), &b), 0);
		assert_int_equal(
		    booking_cancel(&f->x, b.id, 0,
		                   i == 2 ? STORE_CANCEL_BUSINESS : STORE_CANCEL_CUSTOMER, NULL,
		                   NULL, &f->err),
		    0);
	}
	as(f, &f->staff_bob);
	assert_int_equal(booking_cancel_report(&f->x, T(0, 0, 0), T(7, 0, 0), 0, 0,
	                                       BOOKING_PERIOD_WEEK, &r, &n, &f->err),
	                 BOOKING_EFORBIDDEN);
	as(f, &f->admin);
	assert_int_equal(booking_cancel_report(&f->x, T(0, 0, 0), T(7, 0, 0), 0, 0,
	                                       BOOKING_PERIOD_WEEK, &r, &n, &f->err),
	                 0);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].period, "2030-W02");
	assert_int_equal(r[0].reason, STORE_CANCEL_CUSTOMER);
	assert_int_equal(r[0].count, 2);
	assert_int_equal(r[1].reason, STORE_CANCEL_BUSINESS);
	assert_int_equal(booking_cancel_report(&f->x, T(0, 0, 0), T(7, 0, 0), 0, 0,
	                                       BOOKING_PERIOD_DAY, &r, &n, &f->err),
	                 0);
	assert_int_equal(n, 3);
	assert_string_equal(r[0].period, "2030-01-08");
}

/* ---- availability ------------------------------------------------------- */

static size_t slots_of(struct lf *f, int64_t staff_id, int64_t from, int64_t to)
{
	struct booking_slot *s;
	size_t n;

	assert_int_equal(booking_availability(&f->x, f->svc, staff_id, from, to, &s, &n, &f->err),
	                 0);
	return n;
}

static void test_availability_bookings_and_events(void **state)
{
	struct lf *f = *state;
	struct store_coll home, cal;
	struct ics_info info;
	struct store_obj o = { 0 };
	const char *ev = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	                 "BEGIN:VEVENT\r\nUID:dentist\r\nDTSTAMP:20300101T000000Z\r\n"
	                 "DTSTART:20300108T130000Z\r\nDTEND:20300108T140000Z\r\n"
	                 "RRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	int64_t day = T(1, 0, 0); /* 2030-01-08 00:00 Berlin */

	/* 08:00-18:00, 60 minutes, every 15: starts 08:00..17:00 = 37. */
	assert_int_equal(slots_of(f, f->bob, day, day + 86400), 37);
	assert_int_equal(book(f, f->bob, f->eve, T(1, 10, 0), NULL), 0);
	/* Starts 09:15..11:00 would overlap the appointment or its buffer
	 * (until 11:15), and at 09:00 the slot's own buffer after would cover
	 * 10:00: 9 gone. */
	assert_int_equal(slots_of(f, f->bob, day, day + 86400), 28);
	/* A recurring event 14:00-15:00 Berlin in Bob's personal calendar. */
	assert_int_equal(store_home_get(f->c, f->u_bob, f->a, &home, &f->err), 0);
	assert_int_equal(store_coll_get(f->c, home.id, DAV_DEFAULT_CALENDAR, f->a, &cal, &f->err),
	                 0);
	assert_int_equal(ics_object_check(ev, strlen(ev), ICS_COMP_VEVENT, f->a, &info, &f->err),
	                 0);
	o = (struct store_obj){ .coll_id = cal.id,
		                .name = "dentist.ics",
		                .content_type = "text/calendar",
		                .data = ev,
		                .len = strlen(ev),
		                .uid = info.uid,
		                .comp = STORE_COMP_VEVENT,
		                .first_start = info.first_start,
		                .last_end = info.last_end };
	assert_int_equal(store_obj_put(f->c, &o, f->a, NULL, NULL, &f->err), 0);
	/* Starts 13:15..14:45 collide (7); the booking must also not start
	 * at 13:00 (it would run into 14:00): 8 gone. */
	assert_int_equal(slots_of(f, f->bob, day, day + 86400), 20);
	as(f, &f->cust_dora);
	assert_int_equal(book(f, f->bob, f->dora, T(1, 14, 0), NULL), BOOKING_ESLOT);
	/* Real-time availability off: bookings and busy time do not count. */
	set_rules(f, "{\"realtime\":false}");
	assert_int_equal(slots_of(f, f->bob, day, day + 86400), 37);
}

static void test_rules_validation(void **state)
{
	struct lf *f = *state;
	struct store_location loc = { .name = "X", .timezone = "Mars/Olympus", .email = "a@b.c" };
	struct booking_rules r;

	assert_int_equal(booking_location_save(&f->x, &loc, NULL, &f->err), BOOKING_EINVALID);
	loc.timezone = "Europe/Berlin";
	loc.rules = "{\"slot_step_min\":1}";
	assert_int_equal(booking_location_save(&f->x, &loc, NULL, &f->err), BOOKING_EINVALID);
	loc.rules = "{\"no_such_rule\":1}";
	assert_int_equal(booking_location_save(&f->x, &loc, NULL, &f->err), BOOKING_EINVALID);
	loc.rules = "{\"realtime\":\"yes\"}";
	assert_int_equal(booking_location_save(&f->x, &loc, NULL, &f->err), BOOKING_EINVALID);
	booking_rules_defaults(&r);
	assert_int_equal(
	    booking_rules_apply(&r, "{\"horizon_days\":30,\"realtime\":false}", &f->err), 0);
	assert_int_equal(r.horizon_days, 30);
	assert_int_equal(r.realtime, 0);
	assert_int_equal(r.slot_step_min, 15);
	as(f, &f->staff_bob);
	loc.rules = "";
	assert_int_equal(booking_location_save(&f->x, &loc, NULL, &f->err), BOOKING_EFORBIDDEN);
}

static void test_exceptions_overlap(void **state)
{
	struct lf *f = *state;
	struct store_exception e = { .staff_id = f->bob,
		                     .location_id = f->loc,
		                     .day = 21924,
		                     .start_min = 600,
		                     .end_min = 720 };

	as(f, &f->staff_bob);
	assert_int_equal(booking_exception_add(&f->x, &e, NULL, &f->err), 0);
	e.start_min = 700;
	e.end_min = 800;
	assert_int_equal(booking_exception_add(&f->x, &e, NULL, &f->err), BOOKING_EOVERLAP);
	e.start_min = 720;
	assert_int_equal(booking_exception_add(&f->x, &e, NULL, &f->err), 0);
	e.staff_id = f->alice;
	assert_int_equal(booking_exception_add(&f->x, &e, NULL, &f->err), BOOKING_EFORBIDDEN);
}

/* ---- edits from calendar clients ---------------------------------------- */

/* Runs a CalDAV PUT (data) or DELETE (data NULL) of resource name in
 * Bob's Bookings calendar as caldav does: inside a write transaction,
 * committed on success, rolled back on refusal. */
static int dav_edit(struct lf *f, int64_t coll, int64_t owner, const char *name, const char *data,
                    struct booking_dav_edit *e)
{
	struct store_obj cur;
	int rc;

	assert_int_equal(store_begin(f->c, STORE_TXN_WRITE, &f->err), 0);
	*e = (struct booking_dav_edit){ .coll_id = coll,
		                        .owner_id = owner,
		                        .name = name,
		                        .data = data,
		                        .len = data ? strlen(data) : 0 };
	if (!store_obj_get(f->c, coll, name, 1, f->a, &cur, &f->err))
		e->cur_data = cur.data;
	f->x.nested = 1;
	rc = data ? booking_dav_put(&f->x, e, &f->err) : booking_dav_delete(&f->x, e, &f->err);
	f->x.nested = 0;
	f->x.client_text = NULL;
	if (rc)
		store_rollback(f->c);
	else
		assert_int_equal(store_commit(f->c, &f->err), 0);
	return rc;
}

/* obj with its DTSTART/DTEND replaced (UTC) and an alarm added. */
static char *moved(struct lf *f, const char *obj, int64_t start, int64_t end)
{
	char s0[32], s1[32];
	time_t t0 = (time_t)start, t1 = (time_t)end;
	struct tm tm;
	const char *a = strstr(obj, "DTSTART:"), *b = strstr(obj, "SEQUENCE:");

	gmtime_r(&t0, &tm);
	strftime(s0, sizeof(s0), "%Y%m%dT%H%M%SZ", &tm);
	gmtime_r(&t1, &tm);
	strftime(s1, sizeof(s1), "%Y%m%dT%H%M%SZ", &tm);
	assert_non_null(a);
	assert_non_null(b);
	return sd_arena_printf(
	    f->a,
	    "%.*sDTSTART:%s\r\nDTEND:%s\r\n%.*sBEGIN:VALARM\r\nACTION:DISPLAY\r\n"
	    "TRIGGER:-PT15M\r\nDESCRIPTION:x\r\nEND:VALARM\r\nEND:VEVENT\r\n"
	    "END:VCALENDAR\r\n",
	    (int)(a - obj), obj, s0, s1, (int)(strstr(obj, "END:VEVENT") - b), b);
}

static void test_dav_staff_edits(void **state)
{
	struct lf *f = *state;
	struct store_booking b, c;
	struct store_staff st;
	struct booking_dav_edit e;
	const char *obj;

	assert_int_equal(book(f, f->bob, f->dora, T(1, 10, 0), &b), 0);
	assert_int_equal(book(f, f->bob, f->eve, T(1, 14, 0), NULL), 0);
	assert_int_equal(store_staff_get(f->c, f->bob, f->a, &st, &f->err), 0);
	obj = object_of(f, &b);
	as(f, &f->staff_bob);
	/* A drag to 12:00: rescheduled, alarm kept, not what was sent. */
	assert_int_equal(dav_edit(f, st.bookings_coll_id, f->u_bob, b.obj_name,
	                          moved(f, obj, T(1, 12, 0), T(1, 13, 0)), &e),
	                 0);
	assert_true(e.handled);
	assert_false(e.same);
	assert_int_equal(booking_get(&f->x, b.id, &c, &f->err), 0);
	assert_int_equal(c.start, T(1, 12, 0));
	assert_int_equal(c.sequence, b.sequence + 1);
	obj = object_of(f, &c);
	assert_non_null(strstr(obj, "TRIGGER:-PT15M"));
	assert_non_null(strstr(obj, "SEQUENCE:1"));
	/* Onto the other booking: refused, nothing changed. */
	assert_int_equal(dav_edit(f, st.bookings_coll_id, f->u_bob, b.obj_name,
	                          moved(f, obj, T(1, 14, 0), T(1, 15, 0)), &e),
	                 BOOKING_ESLOT);
	assert_int_equal(e.booking_id, b.id);
	assert_string_equal(object_of(f, &c), obj);
	/* Deleted: cancelled (business), gone from the calendar, kept in the
	 * database. */
	assert_int_equal(dav_edit(f, st.bookings_coll_id, f->u_bob, b.obj_name, NULL, &e), 0);
	assert_true(e.handled);
	assert_null(object_of(f, &c));
	assert_int_equal(booking_get(&f->x, b.id, &c, &f->err), 0);
	assert_int_equal(c.status, STORE_BK_CANCELLED);
	assert_int_equal(c.cancel_reason, STORE_CANCEL_BUSINESS);
}

static void test_dav_new_booking_and_blocked_time(void **state)
{
	struct lf *f = *state;
	struct store_staff st;
	struct store_booking b;
	struct booking_dav_edit e;
	const char *with =
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	    "BEGIN:VEVENT\r\nUID:client-made-1\r\nDTSTAMP:20300101T000000Z\r\n"
	    "DTSTART:20300108T120000Z\r\nDTEND:20300108T130000Z\r\nSUMMARY:Dora\r\n"
	    "ATTENDEE;CN=Dora:mailto:DORA@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	const char *without = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	                      "BEGIN:VEVENT\r\nUID:lunch\r\nDTSTAMP:20300101T000000Z\r\n"
	                      "DTSTART:20300108T100000Z\r\nDTEND:20300108T110000Z\r\n"
	                      "SUMMARY:Lunch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

	assert_int_equal(store_staff_get(f->c, f->bob, f->a, &st, &f->err), 0);
	as(f, &f->staff_bob);
	assert_int_equal(dav_edit(f, st.bookings_coll_id, f->u_bob, "made.ics", with, &e), 0);
	assert_true(e.handled);
	assert_int_equal(store_booking_get_by_uid(f->c, "client-made-1", f->a, &b, &f->err), 0);
	assert_int_equal(b.customer_id, f->dora);
	assert_int_equal(b.start, T(1, 13, 0));
	assert_string_equal(b.obj_name, "made.ics");
	assert_string_equal(log_of(f, b.id), "create/ok");
	/* No customer: a plain event for caldav to store; it then blocks. */
	assert_int_equal(dav_edit(f, st.bookings_coll_id, f->u_bob, "lunch.ics", without, &e), 0);
	assert_false(e.handled);
}

static void test_dav_customer_edits(void **state)
{
	struct lf *f = *state;
	struct store_booking b, c;
	struct store_customer cu;
	struct booking_dav_edit e;
	const char *obj;
	struct store_obj o;

	assert_int_equal(book(f, f->bob, f->dora, T(2, 10, 0), &b), 0);
	assert_int_equal(store_customer_get(f->c, f->dora, f->a, &cu, &f->err), 0);
	assert_true(cu.coll_id > 0);
	assert_int_equal(store_obj_get(f->c, cu.coll_id, b.obj_name, 1, f->a, &o, &f->err), 0);
	obj = o.data;
	as(f, &f->cust_dora);
	set_rules(f, "{\"reschedule_needs_approval\":true}");
	as(f, &f->cust_dora);
	assert_int_equal(dav_edit(f, cu.coll_id, f->u_dora, b.obj_name,
	                          moved(f, obj, T(2, 12, 0), T(2, 13, 0)), &e),
	                 0);
	assert_int_equal(booking_get(&f->x, b.id, &c, &f->err), 0);
	assert_int_equal(c.start, T(2, 10, 0)); /* a request: the booking stays */
	assert_int_equal(store_obj_get(f->c, cu.coll_id, b.obj_name, 1, f->a, &o, &f->err), 0);
	assert_non_null(strstr(o.data, "STATUS:TENTATIVE"));
	assert_non_null(strstr(o.data, "DTSTART:20300109T110000Z"));
	/* Declining her attendance cancels (reason customer). */
	{
		const char *p = strstr(o.data, "PARTSTAT=ACCEPTED");
		char *declined;

		assert_non_null(p);
		declined = sd_arena_printf(f->a, "%.*sPARTSTAT=DECLINED%s", (int)(p - o.data),
		                           o.data, p + strlen("PARTSTAT=ACCEPTED"));
		assert_int_equal(dav_edit(f, cu.coll_id, f->u_dora, b.obj_name, declined, &e), 0);
	}
	assert_int_equal(booking_get(&f->x, b.id, &c, &f->err), 0);
	assert_int_equal(c.status, STORE_BK_CANCELLED);
	assert_int_equal(c.cancel_reason, STORE_CANCEL_CUSTOMER);
}

/* A booking cancelled moments ago comes back with another member (a
 * client's DELETE + PUT between calendars); later, or for staff, not. */
static void test_revive(void **state)
{
	struct lf *f = *state;
	struct store_booking b, c;

	assert_int_equal(book(f, f->bob, f->dora, T(3, 10, 0), &b), 0);
	assert_int_equal(booking_cancel(&f->x, b.id, 0, STORE_CANCEL_BUSINESS, NULL, &c, &f->err),
	                 0);
	as(f, &f->staff_bob);
	assert_int_equal(booking_revive(&f->x, b.id, f->alice, b.start, b.end, &c, &f->err),
	                 BOOKING_EFORBIDDEN);
	as(f, &f->admin);
	f->x.now += BOOKING_SETTLE_SECONDS - 1;
	assert_int_equal(booking_revive(&f->x, b.id, f->alice, b.start, b.end, &c, &f->err), 0);
	assert_int_equal(c.status, STORE_BK_CONFIRMED);
	assert_int_equal(c.staff_id, f->alice);
	assert_int_equal(c.cancel_reason, STORE_CANCEL_NONE);
	/* The cancellation message is withdrawn; no other is queued (same time). */
	{
		struct store_notification *v;
		size_t n;

		assert_int_equal(store_notification_list(f->c, b.id, 0, 0, f->a, &v, &n, &f->err),
		                 0);
		assert_int_equal(n, 2);
		assert_string_equal(v[0].kind, "created");
		assert_int_equal(v[0].state, STORE_NOTIFY_QUEUED);
		assert_string_equal(v[1].kind, "cancelled");
		assert_int_equal(v[1].state, STORE_NOTIFY_WITHDRAWN);
	}
	assert_int_equal(booking_cancel(&f->x, b.id, 0, STORE_CANCEL_BUSINESS, NULL, &c, &f->err),
	                 0);
	f->x.now += BOOKING_SETTLE_SECONDS + 1;
	assert_int_equal(booking_revive(&f->x, b.id, f->bob, b.start, b.end, &c, &f->err),
	                 BOOKING_ESTATE);
}

/* ---- nothing half-written ----------------------------------------------- */

typedef int (*step_fn)(struct lf *f, int64_t id);

static int do_create(struct lf *f, int64_t id)
{
	return book(f, f->bob, f->dora, T(4, 10, 0), NULL);
}

static int do_reschedule(struct lf *f, int64_t id)
{
	return booking_reschedule(&f->x, id, 0, T(4, 15, 0), 0, NULL, NULL, &f->err);
}

static int do_reassign(struct lf *f, int64_t id)
{
	return booking_reschedule(&f->x, id, 0, T(4, 15, 0), f->alice, NULL, NULL, &f->err);
}

static int do_cancel(struct lf *f, int64_t id)
{
	return booking_cancel(&f->x, id, 0, STORE_CANCEL_CUSTOMER, "ill", NULL, &f->err);
}

static int do_request(struct lf *f, int64_t id)
{
	as(f, &f->cust_dora);
	return booking_reschedule(&f->x, id, 0, T(4, 16, 0), 0, NULL, NULL, &f->err);
}

/* Fails each fault point of step in turn: every failure is BOOKING_EIO
 * and leaves the database byte for byte as it was; then it succeeds. */
static void sweep(struct lf *f, step_fn step, int64_t id, const struct booking_actor *who)
{
	char *before, *after;
	long n;
	int rc;

	as(f, who);
	before = fx_dump(f->path);
	for (n = 1; n < 5000; n++) {
		store_fault_arm(f->fault, n);
		rc = step(f, id);
		if (!store_fault_fired(f->fault))
			break;
		assert_int_equal(rc, BOOKING_EIO);
		after = fx_dump(f->path);
		if (strcmp(before, after))
			fail_msg("fault point %ld left a trace", n);
		free(after);
		as(f, who);
	}
	store_fault_arm(f->fault, 0);
	if (rc)
		fail_msg("after %ld fault points: %s (%s)", n, booking_code_name(rc), f->err.msg);
	assert_true(n > 5); /* the step really has several writes to fail */
	after = fx_dump(f->path);
	assert_string_not_equal(before, after);
	free(before);
	free(after);
}

static void test_faults_leave_nothing(void **state)
{
	struct lf *f = *state;
	struct store_booking b, *v;
	struct store_booking_filter all = { 0 };
	size_t n;

	sweep(f, do_create, 0, &f->sys);
	assert_int_equal(booking_list(&f->x, &all, &v, &n, &f->err), 0);
	assert_int_equal(n, 1);
	b = v[0];
	sweep(f, do_reschedule, b.id, &f->staff_bob);
	sweep(f, do_reassign, b.id, &f->admin);
	set_rules(f, "{\"reschedule_needs_approval\":true}");
	sweep(f, do_request, b.id, &f->cust_dora);
	sweep(f, do_cancel, b.id, &f->sys);
}

int life_run(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_publishes_and_logs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_any_staff_takes_the_free_one, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_create_conflicts_and_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_rules_for_customers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_service_staff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_then_approve_or_decline, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_reschedule_by_staff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reschedule_by_customer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_show_and_complete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_visibility, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_availability_bookings_and_events, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_rules_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exceptions_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faults_leave_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dav_staff_edits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dav_new_booking_and_blocked_time, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_dav_customer_edits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revive, setup, teardown),
	};

	return cmocka_run_group_tests_name("booking lifecycle", tests, NULL, NULL);
}
