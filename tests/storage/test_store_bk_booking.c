/* test_store_bk_booking.c - bookings, reschedule requests, the activity log
 * and feed tokens of store_bk.h. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage_test.h"
#include "store_bk.h"

#define T0 INT64_C(1800000000) /* some time in 2027 */

/* Two of everything a booking refers to. */
struct world {
	int64_t loc[2], staff[2], svc[2], cust[2];
};

static void world(struct fx *fx, struct world *w)
{
	w->loc[0] = fx_location(fx, "L1");
	w->loc[1] = fx_location(fx, "L2");
	w->staff[0] = fx_staff(fx, fx->user, w->loc, 2);
	w->staff[1] = fx_staff(fx, fx_user(fx, "bob"), w->loc, 2);
	w->svc[0] = fx_service(fx, w->loc[0], w->staff, 2);
	w->svc[1] = fx_service(fx, w->loc[1], w->staff, 2);
	w->cust[0] = fx_customer(fx, "C1", "c1@example.org", "");
	w->cust[1] = fx_customer(fx, "C2", "c2@example.org", "");
}

/* A booking of the world: staff, customer, location and service each by
 * index, at [start, end). */
static int64_t wbook(struct fx *fx, const struct world *w, const char *uid, int staff, int cust,
                     int loc, int64_t start, int64_t end)
{
	return fx_booking(fx, uid, w->loc[loc], w->svc[loc], w->staff[staff], w->cust[cust], start,
	                  end);
}

/* The ids store_booking_list returns for f, space separated (arena). */
static const char *list(struct fx *fx, struct store_booking_filter f)
{
	struct store_booking *out;
	size_t n;
	char *s;

	assert_int_equal(store_booking_list(fx->c, &f, fx->a, &out, &n, &fx->err), 0);
	s = sd_arena_alloc(fx->a, 24 * n + 1);
	for (size_t i = 0; i < n; i++)
		sprintf(s + strlen(s), "%s%lld", i ? " " : "", (long long)out[i].id);
	return s;
}

static const char *ids(struct fx *fx, const int64_t *v, size_t n)
{
	char *s = sd_arena_alloc(fx->a, 24 * n + 1);

	for (size_t i = 0; i < n; i++)
		sprintf(s + strlen(s), "%s%lld", i ? " " : "", (long long)v[i]);
	return s;
}

/* ---- bookings ---- */

static void test_booking_create_get_update(void **state)
{
	struct fx *fx = *state;
	struct store_booking in, out;
	struct world w;
	int64_t id = 0, version = 0;

	world(fx, &w);
	in = (struct store_booking){ .uid = "bk-1@slotdav",
		                     .location_id = w.loc[0],
		                     .service_id = w.svc[0],
		                     .staff_id = w.staff[0],
		                     .customer_id = w.cust[0],
		                     .start = T0,
		                     .end = T0 + 1800,
		                     .buffer_before_min = 5,
		                     .buffer_after_min = 10,
		                     .status = STORE_BK_PENDING,
		                     .notes_public = "bring the form",
		                     .notes_private = "VIP",
		                     .created_channel = "caldav",
		                     .created_by = "user:alice",
		                     .version = 77,
		                     .sequence = 0,
		                     .obj_name = "bk-1.ics",
		                     .id = 1234 };
	assert_int_equal(store_booking_create(fx->c, &in, &id, &fx->err), 0);
	assert_true(id > 0 && id != 1234);
	assert_int_equal(store_booking_get(fx->c, id, fx->a, &out, &fx->err), 0);
	assert_string_equal(out.uid, "bk-1@slotdav");
	assert_int_equal(out.location_id, w.loc[0]);
	assert_int_equal(out.service_id, w.svc[0]);
	assert_int_equal(out.staff_id, w.staff[0]);
	assert_int_equal(out.customer_id, w.cust[0]);
	assert_int_equal(out.start, T0);
	assert_int_equal(out.end, T0 + 1800);
	assert_int_equal(out.buffer_before_min, 5);
	assert_int_equal(out.buffer_after_min, 10);
	assert_int_equal(out.status, STORE_BK_PENDING);
	assert_int_equal(out.cancel_reason, STORE_CANCEL_NONE);
	assert_string_equal(out.cancel_text, "");
	assert_int_equal(out.cancelled_at, 0);
	assert_string_equal(out.notes_public, "bring the form");
	assert_string_equal(out.notes_private, "VIP");
	assert_string_equal(out.created_channel, "caldav");
	assert_string_equal(out.created_by, "user:alice");
	assert_int_equal(out.version, 1);
	assert_int_equal(out.sequence, 0);
	assert_string_equal(out.obj_name, "bk-1.ics");
	assert_true(out.created > 0 && out.modified == out.created);
	assert_int_equal(store_booking_get_by_uid(fx->c, "bk-1@slotdav", fx->a, &out, &fx->err), 0);
	assert_int_equal(out.id, id);

	/* The UID is unique; references must exist. */
	assert_int_equal(store_booking_create(fx->c, &in, NULL, &fx->err), STORE_EEXISTS);
	assert_non_null(strstr(fx->err.msg, "bk-1@slotdav"));
	in.uid = "bk-2@slotdav";
	in.customer_id = 9999;
	assert_int_equal(store_booking_create(fx->c, &in, NULL, &fx->err), STORE_ENOTFOUND);

	/* Update every mutable field, at the version read. */
	in = out;
	in.uid = "ignored";
	in.created_channel = "ignored";
	in.staff_id = w.staff[1];
	in.start = T0 + 3600;
	in.end = T0 + 5400;
	in.status = STORE_BK_CANCELLED;
	in.cancel_reason = STORE_CANCEL_OTHER;
	in.cancel_text = "flood";
	in.cancelled_at = T0 - 60;
	in.notes_private = "";
	in.sequence = 1;
	in.obj_name = "moved.ics";
	assert_int_equal(store_booking_update(fx->c, &in, &version, &fx->err), 0);
	assert_int_equal(version, 2);
	assert_int_equal(store_booking_get(fx->c, id, fx->a, &out, &fx->err), 0);
	assert_string_equal(out.uid, "bk-1@slotdav");
	assert_string_equal(out.created_channel, "caldav");
	assert_int_equal(out.staff_id, w.staff[1]);
	assert_int_equal(out.start, T0 + 3600);
	assert_int_equal(out.end, T0 + 5400);
	assert_int_equal(out.status, STORE_BK_CANCELLED);
	assert_int_equal(out.cancel_reason, STORE_CANCEL_OTHER);
	assert_string_equal(out.cancel_text, "flood");
	assert_int_equal(out.cancelled_at, T0 - 60);
	assert_string_equal(out.notes_private, "");
	assert_int_equal(out.sequence, 1);
	assert_string_equal(out.obj_name, "moved.ics");
	assert_int_equal(out.version, 2);

	/* The version read before is stale now; nothing changes. */
	in.notes_public = "stale";
	assert_int_equal(store_booking_update(fx->c, &in, &version, &fx->err), STORE_ESTALE);
	assert_int_equal(version, 2);
	in.version = 2;
	in.service_id = 9999;
	assert_int_equal(store_booking_update(fx->c, &in, NULL, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_booking_get(fx->c, id, fx->a, &out, &fx->err), 0);
	assert_string_equal(out.notes_public, "bring the form");
	assert_int_equal(out.version, 2);
	in.id = 9999;
	in.service_id = w.svc[0];
	assert_int_equal(store_booking_update(fx->c, &in, NULL, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_booking_get(fx->c, 9999, fx->a, &out, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_booking_get_by_uid(fx->c, "nope", fx->a, &out, &fx->err),
	                 STORE_ENOTFOUND);
}

static void test_booking_list_filters(void **state)
{
	struct fx *fx = *state;
	struct store_booking b;
	struct world w;
	int64_t id[6], version;

	world(fx, &w);
	/* staff, customer, location. */
	id[0] = wbook(fx, &w, "a", 0, 0, 0, T0, T0 + 100);
	id[1] = wbook(fx, &w, "b", 0, 1, 1, T0 + 100, T0 + 200);
	id[2] = wbook(fx, &w, "c", 1, 0, 0, T0 + 50, T0 + 150);
	id[3] = wbook(fx, &w, "d", 1, 1, 1, T0 - 1000, T0 - 900);
	/* A long one: starts long before the windows below, overlaps them. */
	id[4] = wbook(fx, &w, "e", 1, 0, 1, T0 - 100000, T0 + 100000);
	id[5] = wbook(fx, &w, "f", 0, 0, 0, T0 + 200000, T0 + 200060);
	assert_int_equal(store_booking_get(fx->c, id[1], fx->a, &b, &fx->err), 0);
	b.status = STORE_BK_CANCELLED;
	assert_int_equal(store_booking_update(fx->c, &b, &version, &fx->err), 0);

	/* No filter: everything, in (start, id) order. */
	assert_string_equal(list(fx, (struct store_booking_filter){ 0 }),
	                    ids(fx, (int64_t[]){ id[4], id[3], id[0], id[2], id[1], id[5] }, 6));
	/* One filter each. */
	assert_string_equal(list(fx, (struct store_booking_filter){ .staff_id = w.staff[0] }),
	                    ids(fx, (int64_t[]){ id[0], id[1], id[5] }, 3));
	assert_string_equal(list(fx, (struct store_booking_filter){ .customer_id = w.cust[1] }),
	                    ids(fx, (int64_t[]){ id[3], id[1] }, 2));
	assert_string_equal(list(fx, (struct store_booking_filter){ .location_id = w.loc[1] }),
	                    ids(fx, (int64_t[]){ id[4], id[3], id[1] }, 3));
	assert_string_equal(list(fx, (struct store_booking_filter){ .service_id = w.svc[0] }),
	                    ids(fx, (int64_t[]){ id[0], id[2], id[5] }, 3));
	assert_string_equal(
	    list(fx, (struct store_booking_filter){ .status_mask = 1u << STORE_BK_CANCELLED }),
	    ids(fx, &id[1], 1));
	assert_string_equal(
	    list(fx, (struct store_booking_filter){ .status_mask = 1u << STORE_BK_PENDING }), "");
	/* Combined: every condition holds. */
	assert_string_equal(list(fx, (struct store_booking_filter){ .staff_id = w.staff[1],
	                                                            .customer_id = w.cust[0],
	                                                            .location_id = w.loc[0] }),
	                    ids(fx, &id[2], 1));
	assert_string_equal(
	    list(fx, (struct store_booking_filter){ .staff_id = w.staff[0],
	                                            .customer_id = w.cust[0],
	                                            .status_mask = 1u << STORE_BK_CONFIRMED,
	                                            .from = T0,
	                                            .to = T0 + 1000 }),
	    ids(fx, &id[0], 1));

	/* Overlap with [from, to): touching intervals do not overlap. */
	assert_string_equal(list(fx, (struct store_booking_filter){ .staff_id = w.staff[0],
	                                                            .from = T0 + 100,
	                                                            .to = T0 + 200 }),
	                    ids(fx, &id[1], 1));
	assert_string_equal(list(fx, (struct store_booking_filter){ .staff_id = w.staff[0],
	                                                            .from = T0 - 50,
	                                                            .to = T0 }),
	                    "");
	assert_string_equal(list(fx, (struct store_booking_filter){ .staff_id = w.staff[0],
	                                                            .from = T0 + 99,
	                                                            .to = T0 + 101 }),
	                    ids(fx, (int64_t[]){ id[0], id[1] }, 2));
	assert_string_equal(
	    list(fx, (struct store_booking_filter){ .from = T0 + 200, .to = T0 + 200000 }),
	    ids(fx, &id[4], 1));
	/* The long booking is found from far inside it, by every index. */
	assert_string_equal(list(fx, (struct store_booking_filter){ .staff_id = w.staff[1],
	                                                            .from = T0 + 99999,
	                                                            .to = T0 + 99999 + 1 }),
	                    ids(fx, &id[4], 1));
	assert_string_equal(list(fx, (struct store_booking_filter){ .customer_id = w.cust[0],
	                                                            .from = T0 + 99999,
	                                                            .to = T0 + 100000 }),
	                    ids(fx, &id[4], 1));
	assert_string_equal(list(fx, (struct store_booking_filter){ .location_id = w.loc[1],
	                                                            .from = T0 - 99999,
	                                                            .to = T0 - 99998 }),
	                    ids(fx, &id[4], 1));
	assert_string_equal(list(fx, (struct store_booking_filter){ .customer_id = w.cust[0],
	                                                            .from = T0 + 100000,
	                                                            .to = T0 + 100001 }),
	                    "");
	/* from 0 with a real to is a range, not "any time". */
	assert_string_equal(list(fx, (struct store_booking_filter){ .from = 0, .to = T0 - 950 }),
	                    ids(fx, (int64_t[]){ id[4], id[3] }, 2));
}

static void test_booking_list_paging(void **state)
{
	struct fx *fx = *state;
	struct store_booking_filter f = { .limit = 2 };
	struct world w;
	int64_t id[7];
	char all[256] = "", *p;

	world(fx, &w);
	/* Ids out of start order, and ties in start. */
	id[0] = wbook(fx, &w, "a", 0, 0, 0, T0 + 500, T0 + 600);
	id[1] = wbook(fx, &w, "b", 0, 0, 0, T0 + 100, T0 + 200);
	id[2] = wbook(fx, &w, "c", 1, 0, 0, T0 + 300, T0 + 400);
	id[3] = wbook(fx, &w, "d", 1, 0, 0, T0 + 100, T0 + 150);
	id[4] = wbook(fx, &w, "e", 0, 0, 0, T0 + 300, T0 + 350);
	id[5] = wbook(fx, &w, "f", 0, 0, 0, T0, T0 + 10);
	id[6] = wbook(fx, &w, "g", 0, 0, 0, T0 + 300, T0 + 310);
	for (int pages = 0;; pages++) {
		const char *page = list(fx, f);

		assert_true(pages <= 4);
		if (!*page)
			break;
		sprintf(all + strlen(all), "%s%s", *all ? " " : "", page);
		p = strrchr(page, ' ');
		f.after_id = strtoll(p ? p + 1 : page, NULL, 10);
	}
	assert_string_equal(
	    all, ids(fx, (int64_t[]){ id[5], id[1], id[3], id[2], id[4], id[6], id[0] }, 7));
	/* Paging with a filter, and with a time window. */
	f = (struct store_booking_filter){ .staff_id = w.staff[0], .limit = 1, .after_id = id[1] };
	assert_string_equal(list(fx, f), ids(fx, &id[4], 1));
	f = (struct store_booking_filter){ .from = T0 + 120, .to = T0 + 400, .after_id = id[2] };
	assert_string_equal(list(fx, f), ids(fx, (int64_t[]){ id[4], id[6] }, 2));
	/* An unknown cursor gives nothing. */
	f = (struct store_booking_filter){ .after_id = 9999 };
	assert_string_equal(list(fx, f), "");
}

/* ---- requests ---- */

static void test_requests(void **state)
{
	struct fx *fx = *state;
	struct store_request in, out, *all;
	struct world w;
	int64_t b1, b2, r1 = 0, r2 = 0, r3 = 0;
	size_t n;

	world(fx, &w);
	b1 = wbook(fx, &w, "a", 0, 0, 0, T0, T0 + 60);
	b2 = wbook(fx, &w, "b", 0, 0, 0, T0 + 60, T0 + 120);
	in = (struct store_request){ .booking_id = b1,
		                     .start = T0 + 600,
		                     .end = T0 + 660,
		                     .status = STORE_REQ_PENDING,
		                     .requested_by = "customer:1",
		                     .channel = "manage",
		                     .obj_name = "tent.ics" };
	assert_int_equal(store_request_create(fx->c, &in, &r1, &fx->err), 0);
	assert_int_equal(store_request_pending(fx->c, b1, fx->a, &out, &fx->err), 0);
	assert_int_equal(out.id, r1);
	assert_int_equal(out.booking_id, b1);
	assert_int_equal(out.start, T0 + 600);
	assert_int_equal(out.end, T0 + 660);
	assert_string_equal(out.requested_by, "customer:1");
	assert_string_equal(out.channel, "manage");
	assert_string_equal(out.obj_name, "tent.ics");
	assert_true(out.created > 0);
	assert_int_equal(out.decided, 0);
	assert_string_equal(out.decided_by, "");

	/* One pending request per booking; other bookings are independent. */
	assert_int_equal(store_request_create(fx->c, &in, NULL, &fx->err), STORE_EEXISTS);
	in.booking_id = b2;
	assert_int_equal(store_request_create(fx->c, &in, NULL, &fx->err), 0);
	in.booking_id = 9999;
	assert_int_equal(store_request_create(fx->c, &in, NULL, &fx->err), STORE_ENOTFOUND);

	/* Decided, it is not pending any more: a new one may come. */
	out.status = STORE_REQ_DECLINED;
	out.decided = T0 - 5;
	out.decided_by = "user:alice";
	out.obj_name = "";
	assert_int_equal(store_request_update(fx->c, &out, &fx->err), 0);
	assert_int_equal(store_request_pending(fx->c, b1, fx->a, &out, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_request_get(fx->c, r1, fx->a, &out, &fx->err), 0);
	assert_int_equal(out.status, STORE_REQ_DECLINED);
	assert_int_equal(out.decided, T0 - 5);
	assert_string_equal(out.decided_by, "user:alice");
	assert_string_equal(out.obj_name, "");
	in.booking_id = b1;
	assert_int_equal(store_request_create(fx->c, &in, &r2, &fx->err), 0);
	in.status = STORE_REQ_WITHDRAWN;
	assert_int_equal(store_request_create(fx->c, &in, &r3, &fx->err), 0);
	/* Reopening the old one would make two. */
	out.status = STORE_REQ_PENDING;
	assert_int_equal(store_request_update(fx->c, &out, &fx->err), STORE_EEXISTS);

	assert_int_equal(store_request_list(fx->c, b1, fx->a, &all, &n, &fx->err), 0);
	assert_string_equal(ids(fx, (int64_t[]){ all[0].id, all[1].id, all[2].id }, n),
	                    ids(fx, (int64_t[]){ r1, r2, r3 }, 3));
	assert_int_equal(all[0].status, STORE_REQ_DECLINED);
	out.id = 9999;
	assert_int_equal(store_request_update(fx->c, &out, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_request_get(fx->c, 9999, fx->a, &out, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_request_list(fx->c, 9999, fx->a, &all, &n, &fx->err), 0);
	assert_int_equal(n, 0);
}

/* ---- activity ---- */

/* Runs sql on the database file through a connection of its own; returns
 * the SQLite code and the message in msg. */
static int raw_exec(struct fx *fx, const char *sql, char *msg, size_t len)
{
	char *e = NULL;
	sqlite3 *db;
	int rc;

	assert_int_equal(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	rc = sqlite3_exec(db, sql, NULL, NULL, &e);
	snprintf(msg, len, "%s", e ? e : "");
	sqlite3_free(e);
	sqlite3_close(db);
	return rc;
}

static void test_activity(void **state)
{
	struct fx *fx = *state;
	const char *actions[] = { "create", "reschedule", "cancel" };
	struct store_activity in, *out;
	struct world w;
	int64_t b1, b2;
	char msg[256];
	size_t n;

	world(fx, &w);
	b1 = wbook(fx, &w, "a", 0, 0, 0, T0, T0 + 60);
	b2 = wbook(fx, &w, "b", 0, 0, 0, T0 + 60, T0 + 120);
	for (int i = 0; i < 3; i++) {
		in = (struct store_activity){ .booking_id = b1,
			                      .at = T0 - 10 * i,
			                      .actor = "user:alice",
			                      .channel = "caldav",
			                      .user_agent = i ? "" : "DAVx5/4.3",
			                      .action = actions[i],
			                      .outcome = "ok",
			                      .detail = "what changed" };
		assert_int_equal(store_activity_append(fx->c, &in, &fx->err), 0);
	}
	in.booking_id = b2;
	in.outcome = "refused";
	in.user_agent = NULL;
	assert_int_equal(store_activity_append(fx->c, &in, &fx->err), 0);
	in.booking_id = 9999;
	assert_int_equal(store_activity_append(fx->c, &in, &fx->err), STORE_ENOTFOUND);

	/* Oldest first means in the order appended, whatever at says. */
	assert_int_equal(store_activity_list(fx->c, b1, fx->a, &out, &n, &fx->err), 0);
	assert_int_equal(n, 3);
	for (int i = 0; i < 3; i++) {
		assert_string_equal(out[i].action, actions[i]);
		assert_int_equal(out[i].booking_id, b1);
		assert_int_equal(out[i].at, T0 - 10 * i);
		assert_true(i == 0 || out[i].id > out[i - 1].id);
	}
	assert_string_equal(out[0].user_agent, "DAVx5/4.3");
	assert_string_equal(out[0].actor, "user:alice");
	assert_string_equal(out[0].channel, "caldav");
	assert_string_equal(out[0].outcome, "ok");
	assert_string_equal(out[0].detail, "what changed");
	assert_int_equal(store_activity_list(fx->c, b2, fx->a, &out, &n, &fx->err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].user_agent, "");
	assert_string_equal(out[0].outcome, "refused");

	/* Not even raw SQL rewrites history. */
	assert_int_equal(raw_exec(fx, "UPDATE activity SET detail = 'forged'", msg, sizeof(msg)),
	                 SQLITE_CONSTRAINT);
	assert_non_null(strstr(msg, "append-only"));
	assert_int_equal(raw_exec(fx, "DELETE FROM activity", msg, sizeof(msg)), SQLITE_CONSTRAINT);
	assert_non_null(strstr(msg, "append-only"));
	assert_int_equal(store_activity_list(fx->c, b1, fx->a, &out, &n, &fx->err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(out[2].detail, "what changed");
}

/* ---- feed tokens ---- */

/* Delivery: a claim hands a due row to one worker only; a second claim
 * (another worker, a restart) gets nothing until the lease runs out or the
 * row is finished; settle, next_try, resend and reminders. */
static void test_notification_claim(void **state)
{
	struct fx *fx = *state;
	struct world w;
	struct store_notification n = {
		.kind = "created", .recipient = "customer", .created = 100, .not_before = 160
	};
	struct store_notification *v, one;
	int64_t at[2] = { 500, 50 };
	size_t k;
	int64_t b1, id;

	world(fx, &w);
	b1 = wbook(fx, &w, "u1", 0, 0, 0, 1000, 2000);
	n.booking_id = b1;
	assert_int_equal(store_notification_enqueue(fx->c, &n, &id, &fx->err), 0);
	/* not settled: settle 60 -> due at 160 */
	assert_int_equal(store_notification_claim(fx->c, 150, 60, 300, 0, fx->a, &v, &k, &fx->err),
	                 0);
	assert_int_equal(k, 0);
	/* a shorter settle makes it due earlier */
	assert_int_equal(store_notification_claim(fx->c, 150, 10, 300, 0, fx->a, &v, &k, &fx->err),
	                 0);
	assert_int_equal(k, 1);
	assert_int_equal(v[0].id, id);
	assert_int_equal(v[0].claimed_until, 450);
	/* held: nobody else gets it, however often they ask */
	assert_int_equal(store_notification_claim(fx->c, 200, 10, 300, 0, fx->a, &v, &k, &fx->err),
	                 0);
	assert_int_equal(k, 0);
	/* the lease ran out (a worker died): claimable again */
	assert_int_equal(store_notification_claim(fx->c, 451, 10, 300, 0, fx->a, &v, &k, &fx->err),
	                 0);
	assert_int_equal(k, 1);
	/* retry later */
	one = v[0];
	one.attempts = 1;
	one.last_error = "smtp 451";
	one.next_try = 900;
	assert_int_equal(store_notification_finish(fx->c, &one, &fx->err), 0);
	assert_int_equal(store_notification_claim(fx->c, 899, 10, 300, 0, fx->a, &v, &k, &fx->err),
	                 0);
	assert_int_equal(k, 0);
	assert_int_equal(store_notification_claim(fx->c, 900, 10, 300, 0, fx->a, &v, &k, &fx->err),
	                 0);
	assert_int_equal(k, 1);
	assert_int_equal(v[0].attempts, 1);
	assert_string_equal(v[0].last_error, "smtp 451");
	/* sent: final, never claimed again */
	one = v[0];
	one.state = STORE_NOTIFY_SENT;
	one.sent = 901;
	one.next_try = 0;
	assert_int_equal(store_notification_finish(fx->c, &one, &fx->err), 0);
	assert_int_equal(store_notification_claim(fx->c, 9999, 10, 300, 0, fx->a, &v, &k, &fx->err),
	                 0);
	assert_int_equal(k, 0);
	/* resend puts it back */
	assert_int_equal(store_notification_resend(fx->c, id, 1000, &fx->err), 0);
	assert_int_equal(store_notification_resend(fx->c, 9999, 1000, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_notification_get(fx->c, id, fx->a, &one, &fx->err), 0);
	assert_int_equal(one.state, STORE_NOTIFY_QUEUED);
	assert_int_equal(one.attempts, 0);
	assert_int_equal(store_notification_claim(fx->c, 1000, 10, 300, 0, fx->a, &v, &k, &fx->err),
	                 0);
	assert_int_equal(k, 1);
	assert_int_equal(store_notification_get(fx->c, 9999, fx->a, &one, &fx->err),
	                 STORE_ENOTFOUND);
	/* reminders: only future ones, due at not_before, replaced as a set */
	assert_int_equal(store_notification_reminders_set(fx->c, b1, at, 2, 100, &fx->err), 0);
	assert_int_equal(
	    store_notification_list(fx->c, b1, STORE_NOTIFY_QUEUED, 0, fx->a, &v, &k, &fx->err), 0);
	assert_int_equal(k, 2); /* the claimed row and the one future reminder */
	assert_string_equal(v[1].kind, STORE_NOTIFY_REMINDER);
	assert_int_equal(v[1].not_before, 500);
	assert_int_equal(store_notification_claim(fx->c, 499, 0, 300, 0, fx->a, &v, &k, &fx->err),
	                 0);
	assert_int_equal(k, 0);
	assert_int_equal(store_notification_reminders_set(fx->c, b1, NULL, 0, 100, &fx->err), 0);
	assert_int_equal(
	    store_notification_list(fx->c, b1, STORE_NOTIFY_WITHDRAWN, 0, fx->a, &v, &k, &fx->err),
	    0);
	assert_int_equal(k, 1);
	assert_int_equal(store_notification_claim(fx->c, 600, 0, 300, 0, fx->a, &v, &k, &fx->err),
	                 0);
	assert_int_equal(k, 0);
}

/* The queue: rows belong to a booking, come back in order, filter by
 * booking and by state. */
static void test_notifications(void **state)
{
	struct fx *fx = *state;
	struct world w;
	struct store_notification n = {
		.kind = "created", .recipient = "customer", .created = 100, .not_before = 160
	};
	struct store_notification *v;
	size_t k;
	int64_t b1, b2, id;

	world(fx, &w);
	b1 = wbook(fx, &w, "u1", 0, 0, 0, 1000, 2000);
	b2 = wbook(fx, &w, "u2", 1, 1, 0, 1000, 2000);
	n.booking_id = 9999;
	assert_int_equal(store_notification_enqueue(fx->c, &n, &id, &fx->err), STORE_ENOTFOUND);
	n.booking_id = b1;
	assert_int_equal(store_notification_enqueue(fx->c, &n, &id, &fx->err), 0);
	assert_true(id > 0);
	n.kind = "cancelled";
	assert_int_equal(store_notification_enqueue(fx->c, &n, NULL, &fx->err), 0);
	n.booking_id = b2;
	n.kind = "created";
	n.state = STORE_NOTIFY_SENT;
	assert_int_equal(store_notification_enqueue(fx->c, &n, NULL, &fx->err), 0);

	assert_int_equal(store_notification_list(fx->c, b1, 0, 0, fx->a, &v, &k, &fx->err), 0);
	assert_int_equal(k, 2);
	assert_int_equal(v[0].id, id);
	assert_string_equal(v[0].kind, "created");
	assert_string_equal(v[1].kind, "cancelled");
	assert_int_equal(v[0].state, STORE_NOTIFY_QUEUED);
	assert_int_equal(v[0].not_before, 160);
	assert_int_equal(v[0].attempts, 0);
	assert_string_equal(v[0].last_error, "");
	assert_int_equal(
	    store_notification_list(fx->c, 0, STORE_NOTIFY_QUEUED, 0, fx->a, &v, &k, &fx->err), 0);
	assert_int_equal(k, 2);
	assert_int_equal(store_notification_list(fx->c, 0, 0, 1, fx->a, &v, &k, &fx->err), 0);
	assert_int_equal(k, 1);
	assert_int_equal(
	    store_notification_list(fx->c, 0, STORE_NOTIFY_SENT, 0, fx->a, &v, &k, &fx->err), 0);
	assert_int_equal(k, 1);
	assert_int_equal(v[0].booking_id, b2);
}

static void test_feed_tokens(void **state)
{
	struct fx *fx = *state;
	struct store_feed_token in, out, *all;
	int64_t t[4] = { 0 }, lone;
	struct world w;
	size_t n;

	world(fx, &w);
	lone = fx_customer(fx, "Lone", "", "");
	in = (struct store_feed_token){ .kind = STORE_FEED_CUSTOMER,
		                        .subject_id = w.cust[0],
		                        .token_hash = "h0",
		                        .busy_only = 1,
		                        .revoked = 5 };
	assert_int_equal(store_feed_token_create(fx->c, &in, &t[0], &fx->err), 0);
	in = (struct store_feed_token){ .kind = STORE_FEED_STAFF,
		                        .subject_id = w.staff[1],
		                        .token_hash = "h1",
		                        .with_cancelled = 1,
		                        .personal = STORE_FEED_PERSONAL_FULL };
	assert_int_equal(store_feed_token_create(fx->c, &in, &t[1], &fx->err), 0);
	in = (struct store_feed_token){ .kind = STORE_FEED_LOCATION,
		                        .subject_id = w.loc[0],
		                        .token_hash = "h2" };
	assert_int_equal(store_feed_token_create(fx->c, &in, &t[2], &fx->err), 0);
	in = (struct store_feed_token){ .kind = STORE_FEED_CUSTOMER,
		                        .subject_id = lone,
		                        .token_hash = "h3" };
	assert_int_equal(store_feed_token_create(fx->c, &in, &t[3], &fx->err), 0);

	/* The hash is unique; the subject must exist, as the kind says. */
	in.subject_id = w.cust[1];
	assert_int_equal(store_feed_token_create(fx->c, &in, NULL, &fx->err), STORE_EEXISTS);
	in.token_hash = "h4";
	in.kind = STORE_FEED_LOCATION;
	in.subject_id = w.staff[1] + 100;
	assert_int_equal(store_feed_token_create(fx->c, &in, NULL, &fx->err), STORE_ENOTFOUND);
	in.kind = 9;
	in.subject_id = w.cust[1];
	assert_int_equal(store_feed_token_create(fx->c, &in, NULL, &fx->err), STORE_ENOTFOUND);

	assert_int_equal(store_feed_token_find(fx->c, "h0", fx->a, &out, &fx->err), 0);
	assert_int_equal(out.id, t[0]);
	assert_int_equal(out.kind, STORE_FEED_CUSTOMER);
	assert_int_equal(out.subject_id, w.cust[0]);
	assert_string_equal(out.token_hash, "h0");
	assert_int_equal(out.busy_only, 1);
	assert_int_equal(out.with_cancelled, 0);
	assert_int_equal(out.personal, STORE_FEED_PERSONAL_NONE);
	assert_true(out.created > 0);
	assert_int_equal(out.revoked, 0);
	assert_int_equal(store_feed_token_find(fx->c, "h1", fx->a, &out, &fx->err), 0);
	assert_int_equal(out.with_cancelled, 1);
	assert_int_equal(out.personal, STORE_FEED_PERSONAL_FULL);
	assert_int_equal(store_feed_token_find(fx->c, "nope", fx->a, &out, &fx->err),
	                 STORE_ENOTFOUND);

	/* Revoked: not found, not revocable again, still listed. */
	assert_int_equal(store_feed_token_revoke(fx->c, t[0], T0, &fx->err), 0);
	assert_int_equal(store_feed_token_find(fx->c, "h0", fx->a, &out, &fx->err),
	                 STORE_ENOTFOUND);
	assert_int_equal(store_feed_token_revoke(fx->c, t[0], T0 + 1, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_feed_token_revoke(fx->c, 9999, T0, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(
	    store_feed_token_list(fx->c, STORE_FEED_CUSTOMER, w.cust[0], fx->a, &all, &n, &fx->err),
	    0);
	assert_int_equal(n, 1);
	assert_int_equal(all[0].revoked, T0);

	assert_int_equal(store_feed_token_list(fx->c, 0, 0, fx->a, &all, &n, &fx->err), 0);
	assert_string_equal(ids(fx, (int64_t[]){ all[0].id, all[1].id, all[2].id, all[3].id }, n),
	                    ids(fx, t, 4));
	assert_int_equal(
	    store_feed_token_list(fx->c, STORE_FEED_CUSTOMER, 0, fx->a, &all, &n, &fx->err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_feed_token_list(fx->c, 0, w.loc[0], fx->a, &all, &n, &fx->err), 0);
	assert_true(n >= 1);

	/* Tokens go with their subject. */
	assert_int_equal(store_customer_delete(fx->c, lone, &fx->err), 0);
	assert_int_equal(store_feed_token_find(fx->c, "h3", fx->a, &out, &fx->err),
	                 STORE_ENOTFOUND);
	assert_int_equal(store_feed_token_list(fx->c, 0, 0, fx->a, &all, &n, &fx->err), 0);
	assert_int_equal(n, 3);
}

int test_store_bk_booking_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_booking_create_get_update, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_booking_list_filters, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_booking_list_paging, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_requests, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_activity, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_feed_tokens, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_notifications, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_notification_claim, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
