/* booking_life.c - the lifecycle of a booking: a state machine whose every
 * transition is checked against the rules, published to the calendars and
 * written to the activity log in one transaction.
 *
 * States (enum store_booking_status) and transitions:
 *
 *	              create (customer, approval on)
 *	   (none) ---------------------------------> pending
 *	     |                                        |   \
 *	     | create                         approve |    \ decline, cancel
 *	     v                                        v     v
 *	  confirmed <------------------------------- +   cancelled
 *	   |  |  ^ \                                          |
 *	   |  |  |  `-- cancel ----------------------------->|
 *	   |  |  `--------------- restore (admin, slot free) -'
 *	   |  `-- no_show (from the start on) --> no_show
 *	   `----- complete (from the start on) -> completed
 *
 * pending and confirmed are the live states: they hold their slot, can be
 * rescheduled and cancelled. completed, no_show and cancelled are final,
 * except that an admin may restore a cancelled booking. A reschedule
 * request is a side record of a confirmed booking: made when a customer
 * moves it and the rules want approval; the booking keeps its slot until
 * approve (moves it) or decline (drops the request); a cancel or a staff
 * reschedule withdraws it.
 *
 *	transition            function             who
 *	create                booking_create       anyone (customers for themself)
 *	reschedule / request  booking_reschedule   staff of it, admins, its customer
 *	cancel                booking_cancel       staff of it, admins, its customer
 *	no_show, complete     booking_no_show/...  staff of it, admins
 *	approve, decline      booking_approve/...  staff of it, admins
 *	restore               booking_restore      admins
 *	notes                 booking_set_notes    staff of it, admins, its customer
 *
 * Each function: open the write transaction, load the booking (visible to
 * the actor, else not found), check the version, the state and the rules,
 * write, publish, log, commit. A refusal rolls everything back and is then
 * logged on its own (outcome "refused"), so the log shows attempts too.
 * SEQUENCE increases on every change of time or status; version on every
 * change at all. Every change the customer should hear of queues its
 * notification in the same transaction (notify): created, confirmed,
 * rescheduled, cancelled, restored, request received / approved /
 * declined, and to staff "approval needed"; no-show and complete queue
 * nothing, notes only when the location asks (details_email).
 */
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "booking_int.h"

#define HOUR 3600

/* ---- the log ------------------------------------------------------------ */

int booking_log_refusal(struct booking_ctx *x, int64_t booking_id, const char *action, int code,
                        const char *message)
{
	struct sd_err e;

	return booking_log(x, booking_id, action, "refused", &e, "%s: %s", booking_code_name(code),
	                   message ? message : "");
}

int booking_log(struct booking_ctx *x, int64_t booking_id, const char *action, const char *outcome,
                struct sd_err *err, const char *fmt, ...)
{
	struct store_activity a = { 0 };
	va_list ap;

	va_start(ap, fmt);
	a.detail = sd_arena_vprintf(x->a, fmt, ap);
	va_end(ap);
	a.booking_id = booking_id;
	a.at = x->now;
	a.actor = x->actor->who ? x->actor->who : "system";
	a.channel = x->actor->channel ? x->actor->channel : "";
	a.user_agent = x->actor->user_agent ? x->actor->user_agent : "";
	a.action = action;
	a.outcome = outcome;
	return booking_store_rc(store_activity_append(x->conn, &a, err), err);
}

/* Queues a message about b for recipient ("customer" or "staff"), in the
 * transaction of the change, due after the settle time (SPEC 5). */
static int notify(struct booking_ctx *x, const struct store_booking *b, const char *kind,
                  const char *recipient, struct sd_err *err)
{
	struct store_notification n = { .booking_id = b->id,
		                        .kind = kind,
		                        .recipient = recipient,
		                        .state = STORE_NOTIFY_QUEUED,
		                        .created = x->now,
		                        .not_before = x->now + BOOKING_SETTLE_SECONDS };

	return booking_store_rc(store_notification_enqueue(x->conn, &n, NULL, err), err);
}

static int refusal(int rc)
{
	return rc <= BOOKING_ESTATE || rc == BOOKING_EFORBIDDEN || rc == BOOKING_ESTALE ||
	       rc == BOOKING_EINVALID;
}

/* Ends the transaction of a call on booking id; a refusal is logged after
 * the rollback, in a write of its own. */
static int finish(struct booking_ctx *x, int64_t id, const char *action, int rc, struct sd_err *err)
{
	struct sd_err e2;

	rc = booking_txn_end(x, rc, err);
	if (rc && id && refusal(rc) && !x->nested)
		booking_log(x, id, action, "refused", &e2, "%s: %s", booking_code_name(rc),
		            err ? err->msg : "");
	return rc;
}

/* "2026-11-23 09:00 UTC" for log lines. */
static const char *when(struct booking_ctx *x, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[32];

	gmtime_r(&tt, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d %H:%M UTC", &tm);
	return sd_arena_strdup(x->a, s);
}

/* ---- shared steps ------------------------------------------------------- */

/* Everything a transition looks at. */
struct op {
	struct store_booking b;
	struct store_service svc;
	struct store_location loc;
	struct booking_rules rules;
};

/* Whether staff member staff_id works at location_id. */
static int works_at(struct booking_ctx *x, int64_t staff_id, int64_t location_id)
{
	struct store_staff st;
	struct sd_err e;

	if (store_staff_get(x->conn, staff_id, x->a, &st, &e) || !st.active)
		return 0;
	for (size_t i = 0; i < st.nlocations; i++)
		if (st.location_ids[i] == location_id)
			return 1;
	return 0;
}

/* A colleague of the booking's staff member at its location, where the
 * rules let staff reassign each other's bookings. */
static int colleague(struct booking_ctx *x, const struct op *o)
{
	return x->actor->role == BOOKING_ROLE_STAFF && o->rules.staff_may_reassign &&
	       works_at(x, x->actor->staff_id, o->b.location_id);
}

/* Loads booking id and what it refers to, if the actor may see it (or,
 * with colleague_ok, reassign it: colleague()). */
static int op_load_as(struct booking_ctx *x, int64_t id, int64_t version, struct op *o,
                      int colleague_ok, struct sd_err *err)
{
	int rc = store_booking_get(x->conn, id, x->a, &o->b, err);

	if (rc == STORE_ENOTFOUND)
		return sd_err_set(err, BOOKING_ENOTFOUND, "no booking %lld", (long long)id);
	if (rc)
		return booking_store_rc(rc, err);
	if ((rc = booking_store_rc(store_service_get(x->conn, o->b.service_id, x->a, &o->svc, err),
	                           err)) ||
	    (rc = booking_store_rc(
	         store_location_get(x->conn, o->b.location_id, x->a, &o->loc, err), err)) ||
	    (rc = booking_rules_for_service(x, o->b.service_id, &o->rules, err)))
		return rc;
	if ((rc = booking_visible(x, &o->b, err)) && !(colleague_ok && colleague(x, o)))
		return rc;
	if (version && version != o->b.version)
		return sd_err_set(err, BOOKING_ESTALE,
		                  "the booking changed since you read it (version %lld, now %lld)",
		                  (long long)version, (long long)o->b.version);
	return BOOKING_OK;
}

static int op_load(struct booking_ctx *x, int64_t id, int64_t version, struct op *o,
                   struct sd_err *err)
{
	return op_load_as(x, id, version, o, 0, err);
}

/* Who may give the booking to staff_id: admins, and, where the rules
 * allow it, staff of its location moving it from or to themselves. */
static int may_reassign(struct booking_ctx *x, const struct op *o, int64_t staff_id)
{
	if (booking_is_admin(x))
		return 1;
	return colleague(x, o) &&
	       (x->actor->staff_id == o->b.staff_id || x->actor->staff_id == staff_id) &&
	       works_at(x, staff_id, o->b.location_id);
}

static int is_customer(const struct booking_ctx *x)
{
	return x->actor->role == BOOKING_ROLE_CUSTOMER;
}

static int need_staff(const struct booking_ctx *x, const char *what, struct sd_err *err)
{
	if (booking_is_staff(x))
		return BOOKING_OK;
	return sd_err_set(err, BOOKING_EFORBIDDEN, "only staff may %s", what);
}

static int live(const struct store_booking *b)
{
	return b->status == STORE_BK_PENDING || b->status == STORE_BK_CONFIRMED;
}

static int state_error(const struct store_booking *b, const char *what, struct sd_err *err)
{
	return sd_err_set(err, BOOKING_ESTATE, "a %s booking cannot be %s",
	                  booking_status_name(b->status), what);
}

/* Writes o->b (version checked), publishes it, refreshes o->b. */
static int op_store(struct booking_ctx *x, struct op *o, int64_t old_staff, struct sd_err *err)
{
	int rc;

	o->b.modified = x->now;
	if ((rc = booking_store_rc(store_booking_update(x->conn, &o->b, &o->b.version, err), err)))
		return rc;
	return booking_publish(x, &o->b, old_staff, err);
}

static void slot_req_init(struct booking_ctx *x, struct booking_slot_req *r, const struct op *o,
                          int64_t staff_id, int64_t start)
{
	memset(r, 0, sizeof(*r));
	r->svc = &o->svc;
	r->loc = &o->loc;
	r->rules = &o->rules;
	r->staff_id = staff_id;
	r->start = start;
	r->end = start + o->svc.duration_min * 60LL;
	r->customer = is_customer(x);
	r->bypass_hours = !r->customer && o->rules.staff_bypass_hours;
	r->bypass_conflicts = !r->customer && o->rules.staff_bypass_conflicts;
}

/* Withdraws b's pending request, if any. */
static int withdraw_request(struct booking_ctx *x, const struct store_booking *b,
                            struct sd_err *err)
{
	struct store_request req;
	int rc = store_request_pending(x->conn, b->id, x->a, &req, err);

	if (rc == STORE_ENOTFOUND)
		return BOOKING_OK;
	if (rc)
		return booking_store_rc(rc, err);
	req.status = STORE_REQ_WITHDRAWN;
	req.decided = x->now;
	req.decided_by = x->actor->who;
	if ((rc = booking_store_rc(store_request_update(x->conn, &req, err), err)))
		return rc;
	return booking_publish_request(x, b, NULL, req.obj_name, err);
}

int booking_request_withdraw(struct booking_ctx *x, int64_t id, struct store_booking *out,
                             struct sd_err *err)
{
	struct store_request req;
	struct op o;
	int rc;

	if ((rc = booking_txn_begin(x, err)))
		return rc;
	if ((rc = op_load(x, id, 0, &o, err)))
		goto out;
	rc = store_request_pending(x->conn, id, x->a, &req, err);
	if (rc == STORE_ENOTFOUND) {
		rc = sd_err_set(err, BOOKING_ESTATE, "the booking has no pending request");
		goto out;
	}
	if ((rc = booking_store_rc(rc, err)) || (rc = withdraw_request(x, &o.b, err)) ||
	    (rc = booking_publish(x, &o.b, 0, err)))
		goto out;
	rc = booking_log(x, id, "withdraw_request", "ok", err, "the request for %s is withdrawn",
	                 when(x, req.start));
out:
	rc = finish(x, id, "withdraw_request", rc, err);
	if (!rc && out)
		*out = o.b;
	return rc;
}

/* Withdraws the queued "cancelled" messages of b made since `since`: a
 * cancellation undone within the settle time is no news. */
static int withdraw_cancelled(struct booking_ctx *x, const struct store_booking *b, int64_t since,
                              struct sd_err *err)
{
	struct store_notification *v;
	size_t n;
	int rc = store_notification_list(x->conn, b->id, STORE_NOTIFY_QUEUED, 0, x->a, &v, &n, err);

	for (size_t i = 0; !rc && i < n; i++) {
		if (strcmp(v[i].kind, "cancelled") || v[i].created < since)
			continue;
		v[i].state = STORE_NOTIFY_WITHDRAWN;
		v[i].last_error = "the cancellation was undone within the settle time";
		rc = store_notification_finish(x->conn, &v[i], err);
	}
	return booking_store_rc(rc, err);
}

int booking_revive(struct booking_ctx *x, int64_t id, int64_t staff_id, int64_t start, int64_t end,
                   struct store_booking *out, struct sd_err *err)
{
	struct booking_slot_req r;
	struct op o;
	int64_t old_staff, old_start, old_end, since;
	int rc;

	if ((rc = booking_txn_begin(x, err)))
		return rc;
	if ((rc = op_load_as(x, id, 0, &o, 1, err)))
		goto out;
	if (!may_reassign(x, &o, staff_id)) {
		rc = sd_err_set(
		    err, BOOKING_EFORBIDDEN,
		    "only an admin (or, where the location allows it, a colleague) may give "
		    "a booking to another staff member");
		goto out;
	}
	if (o.b.status != STORE_BK_CANCELLED ||
	    o.b.cancelled_at < x->now - BOOKING_SETTLE_SECONDS) {
		rc = sd_err_set(
		    err, BOOKING_ESTATE,
		    "only a booking cancelled in the last %d seconds comes back this way",
		    BOOKING_SETTLE_SECONDS);
		goto out;
	}
	old_staff = o.b.staff_id;
	old_start = o.b.start;
	old_end = o.b.end;
	since = o.b.cancelled_at;
	slot_req_init(x, &r, &o, staff_id, start);
	r.exclude_booking_id = o.b.id;
	if (end > start && end - start <= 86400)
		r.end = end;
	if ((rc = booking_slot_check(x, &r, err)) || (rc = withdraw_cancelled(x, &o.b, since, err)))
		goto out;
	o.b.status = STORE_BK_CONFIRMED;
	o.b.cancel_reason = STORE_CANCEL_NONE;
	o.b.cancel_text = "";
	o.b.cancelled_at = 0;
	o.b.staff_id = staff_id;
	o.b.start = r.start;
	o.b.end = r.end;
	o.b.sequence++;
	if ((rc = op_store(x, &o, old_staff, err)) ||
	    (rc = booking_log(x, id, "reassign", "ok", err,
	                      "moved between calendars: staff %lld to %lld, %s to %s",
	                      (long long)old_staff, (long long)staff_id, when(x, old_start),
	                      when(x, o.b.start))))
		goto out;
	if (o.b.start != old_start || o.b.end != old_end)
		rc = notify(x, &o.b, "rescheduled", "customer", err);
out:
	rc = finish(x, id, "reassign", rc, err);
	if (!rc && out)
		*out = o.b;
	return rc;
}

/* ---- create ------------------------------------------------------------- */

static const char *new_uid(struct booking_ctx *x)
{
	unsigned char raw[16];
	char hex[33];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return NULL;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	return sd_arena_printf(x->a, "%s@slotdav", hex);
}

static int create_check(struct booking_ctx *x, const struct booking_new *in, struct sd_err *err)
{
	if (is_customer(x)) {
		if (in->customer_id != x->actor->customer_id)
			return sd_err_set(err, BOOKING_EFORBIDDEN,
			                  "customers may book only for themselves");
		if (in->notes_private && *in->notes_private)
			return sd_err_set(err, BOOKING_EFORBIDDEN,
			                  "customers cannot set private notes");
	} else if (x->actor->role == BOOKING_ROLE_STAFF && in->staff_id &&
	           in->staff_id != x->actor->staff_id) {
		return sd_err_set(err, BOOKING_EFORBIDDEN,
		                  "staff may create bookings only in their own calendar");
	}
	return BOOKING_OK;
}

/* Picks the staff member: the one asked for, or the first who is free. */
static int create_pick(struct booking_ctx *x, const struct booking_new *in, struct op *o,
                       struct sd_err *err)
{
	struct booking_slot_req r;
	int64_t want = in->staff_id;
	int rc = BOOKING_ESERVICE_STAFF;

	if (!want && x->actor->role == BOOKING_ROLE_STAFF)
		want = x->actor->staff_id;
	if (want) {
		slot_req_init(x, &r, o, want, in->start);
		if ((rc = booking_slot_check(x, &r, err)) == BOOKING_OK)
			o->b.staff_id = want;
		return rc;
	}
	if (!o->svc.nstaff)
		return sd_err_set(err, BOOKING_ESERVICE_STAFF, "no staff member performs %s",
		                  o->svc.name);
	for (size_t i = 0; i < o->svc.nstaff; i++) {
		slot_req_init(x, &r, o, o->svc.staff_ids[i], in->start);
		rc = booking_slot_check(x, &r, err);
		if (rc == BOOKING_OK) {
			o->b.staff_id = o->svc.staff_ids[i];
			return rc;
		}
		if (rc != BOOKING_ESLOT && rc != BOOKING_EHOURS && rc != BOOKING_ESERVICE_STAFF &&
		    rc != BOOKING_EGRID)
			return rc; /* past, notice, horizon: the same for everyone */
	}
	return rc;
}

int booking_create(struct booking_ctx *x, const struct booking_new *in, struct store_booking *out,
                   struct sd_err *err)
{
	struct store_customer cust;
	struct op o;
	int rc;

	memset(&o, 0, sizeof(o));
	if ((rc = create_check(x, in, err)) || (rc = booking_txn_begin(x, err)))
		return rc;
	rc = store_service_get(x->conn, in->service_id, x->a, &o.svc, err);
	if (rc == STORE_ENOTFOUND)
		rc = sd_err_set(err, BOOKING_ENOTFOUND, "no service %lld",
		                (long long)in->service_id);
	else
		rc = booking_store_rc(rc, err);
	if (!rc) {
		rc = store_customer_get(x->conn, in->customer_id, x->a, &cust, err);
		if (rc == STORE_ENOTFOUND)
			rc = sd_err_set(err, BOOKING_ENOTFOUND, "no customer %lld",
			                (long long)in->customer_id);
		else
			rc = booking_store_rc(rc, err);
	}
	if (rc ||
	    (rc = booking_store_rc(
	         store_location_get(x->conn, o.svc.location_id, x->a, &o.loc, err), err)) ||
	    (rc = booking_rules_for_service(x, in->service_id, &o.rules, err)) ||
	    (rc = create_pick(x, in, &o, err)))
		goto out;
	o.b.uid = in->uid ? in->uid : new_uid(x);
	o.b.obj_name = in->obj_name ? in->obj_name : sd_arena_printf(x->a, "%s.ics", o.b.uid);
	o.b.location_id = o.loc.id;
	o.b.service_id = o.svc.id;
	o.b.customer_id = cust.id;
	o.b.start = in->start;
	o.b.end = in->start + o.svc.duration_min * 60LL;
	o.b.buffer_before_min = o.svc.buffer_before_min;
	o.b.buffer_after_min = o.svc.buffer_after_min;
	o.b.status = is_customer(x) && o.rules.new_booking_needs_approval ? STORE_BK_PENDING
	                                                                  : STORE_BK_CONFIRMED;
	o.b.cancel_text = "";
	o.b.notes_public = in->notes_public ? in->notes_public : "";
	o.b.notes_private = in->notes_private ? in->notes_private : "";
	o.b.created_channel = x->actor->channel ? x->actor->channel : "";
	o.b.created_by = x->actor->who ? x->actor->who : "system";
	o.b.created = o.b.modified = x->now;
	if (!o.b.uid) {
		rc = sd_err_set(err, BOOKING_EIO, "no randomness for a UID");
		goto out;
	}
	if ((rc = booking_store_rc(store_booking_create(x->conn, &o.b, &o.b.id, err), err)) ||
	    (rc = booking_store_rc(store_booking_get(x->conn, o.b.id, x->a, &o.b, err), err)) ||
	    (rc = booking_publish(x, &o.b, 0, err)))
		goto out;
	if ((rc = booking_log(x, o.b.id, "create", "ok", err, "%s for %s, %s to %s, staff %lld: %s",
	                      o.svc.name, cust.name, when(x, o.b.start), when(x, o.b.end),
	                      (long long)o.b.staff_id, booking_status_name(o.b.status))) ||
	    (rc = notify(x, &o.b, "created", "customer", err)))
		goto out;
	if (o.b.status == STORE_BK_PENDING)
		rc = notify(x, &o.b, "approval_needed", "staff", err);
out:
	rc = booking_txn_end(x, rc, err);
	if (!rc && out)
		*out = o.b;
	return rc;
}

/* ---- reschedule --------------------------------------------------------- */

static int reschedule_allowed(struct booking_ctx *x, const struct op *o, int64_t staff_id,
                              struct sd_err *err)
{
	if (!live(&o->b))
		return state_error(&o->b, "rescheduled", err);
	if (staff_id && staff_id != o->b.staff_id && !may_reassign(x, o, staff_id))
		return sd_err_set(
		    err, BOOKING_EFORBIDDEN,
		    "only an admin (or, where the location allows it, a colleague) may "
		    "give a booking to another staff member");
	if (!is_customer(x))
		return BOOKING_OK;
	if (!o->rules.customer_may_reschedule)
		return sd_err_set(err, BOOKING_ENOT_PERMITTED,
		                  "appointments for %s cannot be rescheduled online", o->svc.name);
	if (o->b.start - x->now < o->rules.reschedule_notice_hours * (int64_t)HOUR)
		return sd_err_set(
		    err, BOOKING_ERESCHEDULE_NOTICE,
		    "appointments can be rescheduled up to %d hours before they start",
		    o->rules.reschedule_notice_hours);
	return BOOKING_OK;
}

/* A customer's move that needs approval: a request, the booking stays. */
static int reschedule_request(struct booking_ctx *x, struct op *o, int64_t start,
                              struct sd_err *err)
{
	struct store_request req = { 0 };
	int rc;

	req.booking_id = o->b.id;
	req.start = start;
	req.end = start + o->svc.duration_min * 60LL;
	req.status = STORE_REQ_PENDING;
	req.requested_by = x->actor->who;
	req.channel = x->actor->channel;
	req.obj_name = booking_request_obj_name(x, &o->b);
	req.created = x->now;
	req.decided_by = "";
	rc = store_request_create(x->conn, &req, &req.id, err);
	if (rc == STORE_EEXISTS)
		return sd_err_set(err, BOOKING_EPENDING_REQUEST,
		                  "a reschedule request for this booking already awaits approval");
	if ((rc = booking_store_rc(rc, err)) ||
	    (rc = booking_publish_request(x, &o->b, &req, NULL, err)) ||
	    (rc = booking_publish(x, &o->b, 0, err)))
		return rc;
	if ((rc = booking_log(x, o->b.id, "reschedule_request", "pending", err,
	                      "asks to move from %s to %s; awaits approval", when(x, o->b.start),
	                      when(x, start))) ||
	    (rc = notify(x, &o->b, "request_received", "customer", err)))
		return rc;
	return notify(x, &o->b, "approval_needed", "staff", err);
}

int booking_reschedule(struct booking_ctx *x, int64_t id, int64_t version, int64_t start,
                       int64_t staff_id, struct store_booking *out, enum booking_outcome *outcome,
                       struct sd_err *err)
{
	return booking_reschedule_span(x, id, version, start, 0, staff_id, out, outcome, err);
}

int booking_reschedule_span(struct booking_ctx *x, int64_t id, int64_t version, int64_t start,
                            int64_t end, int64_t staff_id, struct store_booking *out,
                            enum booking_outcome *outcome, struct sd_err *err)
{
	struct booking_slot_req r;
	struct op o;
	int64_t old_staff, old_start, old_end;
	int rc;

	if ((rc = booking_txn_begin(x, err)))
		return rc;
	if ((rc = op_load_as(x, id, version, &o, staff_id != 0, err)) ||
	    (rc = reschedule_allowed(x, &o, staff_id, err)))
		goto out;
	old_staff = o.b.staff_id;
	old_start = o.b.start;
	old_end = o.b.end;
	slot_req_init(x, &r, &o, staff_id ? staff_id : o.b.staff_id, start);
	r.exclude_booking_id = o.b.id;
	if (end && !is_customer(x)) { /* a resize: staff decide the length */
		if (end <= start || end - start > 86400) {
			rc = sd_err_set(err, BOOKING_EINVALID,
			                "an appointment ends after it starts, within a day");
			goto out;
		}
		r.end = end;
	}
	if ((rc = booking_slot_check(x, &r, err)))
		goto out;
	if (is_customer(x) && o.rules.reschedule_needs_approval &&
	    o.b.status == STORE_BK_CONFIRMED) {
		if (!(rc = reschedule_request(x, &o, start, err)) && outcome)
			*outcome = BOOKING_REQUESTED;
		goto out;
	}
	if ((rc = withdraw_request(x, &o.b, err)))
		goto out;
	o.b.staff_id = r.staff_id;
	o.b.start = r.start;
	o.b.end = r.end;
	o.b.sequence++;
	if ((rc = op_store(x, &o, old_staff, err)))
		goto out;
	rc = booking_log(x, id,
	                 o.b.start == old_start && o.b.end == old_end ? "reassign" : "reschedule",
	                 "ok", err, "moved from %s to %s%s", when(x, old_start), when(x, start),
	                 old_staff != o.b.staff_id
	                     ? sd_arena_printf(x->a, ", staff %lld to %lld", (long long)old_staff,
	                                       (long long)o.b.staff_id)
	                     : "");
	/* A new staff member at the same time is not news to the customer. */
	if (!rc && (o.b.start != old_start || o.b.end != old_end))
		rc = notify(x, &o.b, "rescheduled", "customer", err);
	if (!rc && outcome)
		*outcome = BOOKING_APPLIED;
out:
	rc = finish(x, id, "reschedule", rc, err);
	if (!rc && out)
		*out = o.b;
	return rc;
}

/* ---- cancel, no-show, complete ------------------------------------------ */

static int cancel_allowed(struct booking_ctx *x, const struct op *o, int reason, const char *text,
                          struct sd_err *err)
{
	if (!booking_reason_name(reason))
		return sd_err_set(err, BOOKING_EINVALID,
		                  "the reason is customer, business, no_show or other");
	if (reason == STORE_CANCEL_OTHER && (!text || !*text))
		return sd_err_set(err, BOOKING_EINVALID, "reason \"other\" needs a text");
	if (!live(&o->b))
		return state_error(&o->b, "cancelled", err);
	if (!is_customer(x))
		return BOOKING_OK;
	if (reason != STORE_CANCEL_CUSTOMER)
		return sd_err_set(err, BOOKING_EFORBIDDEN, "customers cancel with reason customer");
	if (!o->rules.customer_may_cancel)
		return sd_err_set(err, BOOKING_ENOT_PERMITTED,
		                  "appointments for %s cannot be cancelled online", o->svc.name);
	if (o->b.start - x->now < o->rules.cancel_notice_hours * (int64_t)HOUR)
		return sd_err_set(err, BOOKING_ECANCEL_NOTICE,
		                  "appointments can be cancelled up to %d hours before they start",
		                  o->rules.cancel_notice_hours);
	return BOOKING_OK;
}

int booking_cancel(struct booking_ctx *x, int64_t id, int64_t version, int reason, const char *text,
                   struct store_booking *out, struct sd_err *err)
{
	struct op o;
	int rc;

	if ((rc = booking_txn_begin(x, err)))
		return rc;
	if ((rc = op_load(x, id, version, &o, err)) ||
	    (rc = cancel_allowed(x, &o, reason, text, err)) ||
	    (rc = withdraw_request(x, &o.b, err)))
		goto out;
	o.b.status = STORE_BK_CANCELLED;
	o.b.cancel_reason = reason;
	o.b.cancel_text = text ? text : "";
	o.b.cancelled_at = x->now;
	o.b.sequence++;
	if ((rc = op_store(x, &o, 0, err)))
		goto out;
	rc = booking_log(x, id, "cancel", "ok", err, "reason %s%s%s", booking_reason_name(reason),
	                 *o.b.cancel_text ? ": " : "", o.b.cancel_text);
	if (!rc)
		rc = notify(x, &o.b, "cancelled", "customer", err);
out:
	rc = finish(x, id, "cancel", rc, err);
	if (!rc && out)
		*out = o.b;
	return rc;
}

/* no_show and complete: confirmed bookings, from their start on. */
static int finish_visit(struct booking_ctx *x, int64_t id, int64_t version, int status,
                        const char *action, struct store_booking *out, struct sd_err *err)
{
	struct op o;
	int rc;

	if ((rc = need_staff(x, "record the outcome of an appointment", err)))
		return rc;
	if ((rc = booking_txn_begin(x, err)))
		return rc;
	if ((rc = op_load(x, id, version, &o, err)))
		goto out;
	if (o.b.status != STORE_BK_CONFIRMED) {
		rc = state_error(&o.b, status == STORE_BK_NO_SHOW ? "marked no-show" : "completed",
		                 err);
		goto out;
	}
	if (x->now < o.b.start) {
		rc = sd_err_set(err, BOOKING_ENOT_STARTED,
		                "the appointment has not started yet (it starts %s)",
		                when(x, o.b.start));
		goto out;
	}
	if ((rc = withdraw_request(x, &o.b, err)))
		goto out;
	o.b.status = status;
	o.b.sequence++;
	if (!(rc = op_store(x, &o, 0, err)))
		rc = booking_log(x, id, action, "ok", err, "%s", booking_status_name(status));
out:
	rc = finish(x, id, action, rc, err);
	if (!rc && out)
		*out = o.b;
	return rc;
}

int booking_no_show(struct booking_ctx *x, int64_t id, int64_t version, struct store_booking *out,
                    struct sd_err *err)
{
	return finish_visit(x, id, version, STORE_BK_NO_SHOW, "no_show", out, err);
}

int booking_complete(struct booking_ctx *x, int64_t id, int64_t version, struct store_booking *out,
                     struct sd_err *err)
{
	return finish_visit(x, id, version, STORE_BK_COMPLETED, "complete", out, err);
}

/* ---- approve, decline, restore ------------------------------------------ */

static int approve_request(struct booking_ctx *x, struct op *o, struct store_request *req,
                           struct sd_err *err)
{
	struct booking_slot_req r;
	int64_t old_start = o->b.start;
	int rc;

	slot_req_init(x, &r, o, o->b.staff_id, req->start);
	r.exclude_booking_id = o->b.id;
	if ((rc = booking_slot_check(x, &r, err)))
		return rc;
	req->status = STORE_REQ_APPROVED;
	req->decided = x->now;
	req->decided_by = x->actor->who;
	if ((rc = booking_store_rc(store_request_update(x->conn, req, err), err)) ||
	    (rc = booking_publish_request(x, &o->b, NULL, req->obj_name, err)))
		return rc;
	o->b.start = r.start;
	o->b.end = r.end;
	o->b.sequence++;
	if ((rc = op_store(x, o, 0, err)))
		return rc;
	if ((rc = booking_log(x, o->b.id, "approve_request", "ok", err, "moved from %s to %s",
	                      when(x, old_start), when(x, o->b.start))))
		return rc;
	return notify(x, &o->b, "request_approved", "customer", err);
}

int booking_approve(struct booking_ctx *x, int64_t id, struct store_booking *out,
                    struct sd_err *err)
{
	struct store_request req;
	struct op o;
	int rc;

	if ((rc = need_staff(x, "approve bookings", err)) || (rc = booking_txn_begin(x, err)))
		return rc;
	if ((rc = op_load(x, id, 0, &o, err)))
		goto out;
	if (o.b.status == STORE_BK_PENDING) {
		o.b.status = STORE_BK_CONFIRMED;
		o.b.sequence++;
		if (!(rc = op_store(x, &o, 0, err)) &&
		    !(rc = booking_log(x, id, "approve", "ok", err, "confirmed")))
			rc = notify(x, &o.b, "confirmed", "customer", err);
		goto out;
	}
	rc = store_request_pending(x->conn, id, x->a, &req, err);
	if (rc == STORE_ENOTFOUND) {
		rc = sd_err_set(err, BOOKING_ESTATE, "the booking is %s and has no pending request",
		                booking_status_name(o.b.status));
		goto out;
	}
	if (!(rc = booking_store_rc(rc, err)))
		rc = approve_request(x, &o, &req, err);
out:
	rc = finish(x, id, "approve", rc, err);
	if (!rc && out)
		*out = o.b;
	return rc;
}

int booking_decline(struct booking_ctx *x, int64_t id, const char *text, struct store_booking *out,
                    struct sd_err *err)
{
	struct store_request req;
	struct op o;
	int rc;

	if ((rc = need_staff(x, "decline bookings", err)) || (rc = booking_txn_begin(x, err)))
		return rc;
	if ((rc = op_load(x, id, 0, &o, err)))
		goto out;
	if (o.b.status == STORE_BK_PENDING) {
		o.b.status = STORE_BK_CANCELLED;
		o.b.cancel_reason = STORE_CANCEL_BUSINESS;
		o.b.cancel_text = text && *text ? text : "declined";
		o.b.cancelled_at = x->now;
		o.b.sequence++;
		if (!(rc = op_store(x, &o, 0, err)) &&
		    !(rc = booking_log(x, id, "decline", "ok", err, "%s", o.b.cancel_text)))
			rc = notify(x, &o.b, "cancelled", "customer", err);
		goto out;
	}
	rc = store_request_pending(x->conn, id, x->a, &req, err);
	if (rc == STORE_ENOTFOUND) {
		rc = sd_err_set(err, BOOKING_ESTATE, "the booking is %s and has no pending request",
		                booking_status_name(o.b.status));
		goto out;
	}
	if ((rc = booking_store_rc(rc, err)))
		goto out;
	req.status = STORE_REQ_DECLINED;
	req.decided = x->now;
	req.decided_by = x->actor->who;
	if ((rc = booking_store_rc(store_request_update(x->conn, &req, err), err)) ||
	    (rc = booking_publish_request(x, &o.b, NULL, req.obj_name, err)) ||
	    (rc = booking_publish(x, &o.b, 0, err)))
		goto out;
	rc = booking_log(x, id, "decline_request", "ok", err, "request for %s declined%s%s",
	                 when(x, req.start), text && *text ? ": " : "", text ? text : "");
	if (!rc)
		rc = notify(x, &o.b, "request_declined", "customer", err);
out:
	rc = finish(x, id, "decline", rc, err);
	if (!rc && out)
		*out = o.b;
	return rc;
}

int booking_restore(struct booking_ctx *x, int64_t id, struct store_booking *out,
                    struct sd_err *err)
{
	struct booking_slot_req r;
	struct op o;
	int rc;

	if ((rc = booking_txn_begin(x, err)))
		return rc;
	if ((rc = op_load(x, id, 0, &o, err)) ||
	    (rc = booking_need_admin(x, "restore a cancelled booking", err)))
		goto out;
	if (o.b.status != STORE_BK_CANCELLED) {
		rc = state_error(&o.b, "restored", err);
		goto out;
	}
	slot_req_init(x, &r, &o, o.b.staff_id, o.b.start);
	r.exclude_booking_id = o.b.id;
	r.bypass_conflicts = 0; /* "only if the slot is still free" */
	if ((rc = booking_slot_check(x, &r, err)))
		goto out;
	o.b.status = STORE_BK_CONFIRMED;
	o.b.cancel_reason = STORE_CANCEL_NONE;
	o.b.cancel_text = "";
	o.b.cancelled_at = 0;
	o.b.sequence++;
	if (!(rc = op_store(x, &o, 0, err)) &&
	    !(rc = booking_log(x, id, "restore", "ok", err, "confirmed again")))
		rc = notify(x, &o.b, "restored", "customer", err);
out:
	rc = finish(x, id, "restore", rc, err);
	if (!rc && out)
		*out = o.b;
	return rc;
}

/* ---- notes -------------------------------------------------------------- */

int booking_set_notes(struct booking_ctx *x, int64_t id, int64_t version, const char *notes_public,
                      const char *notes_private, struct store_booking *out, struct sd_err *err)
{
	struct op o;
	int rc;

	if ((notes_public && strlen(notes_public) > 8000) ||
	    (notes_private && strlen(notes_private) > 8000))
		return sd_err_set(err, BOOKING_EINVALID, "notes are at most 8000 bytes");
	if ((rc = booking_txn_begin(x, err)))
		return rc;
	if ((rc = op_load(x, id, version, &o, err)))
		goto out;
	/* Customers never see private notes; sending back what is stored is
	 * not a change (a front may fill omitted fields from the record). */
	if (is_customer(x) && notes_private && strcmp(notes_private, o.b.notes_private)) {
		rc = sd_err_set(err, BOOKING_EFORBIDDEN, "customers cannot set private notes");
		goto out;
	}
	if (notes_public)
		o.b.notes_public = notes_public;
	if (notes_private)
		o.b.notes_private = notes_private;
	if (!(rc = op_store(x, &o, 0, err)) &&
	    !(rc = booking_log(x, id, "notes", "ok", err, "notes updated")) &&
	    o.rules.details_email && notes_public)
		rc = notify(x, &o.b, "details_updated", "customer", err);
out:
	rc = finish(x, id, "notes", rc, err);
	if (!rc && out)
		*out = o.b;
	return rc;
}
