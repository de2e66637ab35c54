/* booking_dav.c - what an edit made in a calendar client means for a
 * booking (SPEC 4).
 *
 * caldav/ hands every PUT and DELETE of a calendar object here, inside the
 * write transaction in which it checked If-Match (x->nested). The first
 * question is whose calendar it is: a staff member's Bookings calendar, a
 * customer's "My appointments", or neither (then caldav stores the write as
 * it is: personal calendars are plain CalDAV). In a booking calendar the
 * incoming object is compared with the booking record, not with the stored
 * text: what the booking owns (time, status, attendees, notes, X-SLOTDAV-*)
 * decides the operation; what the client owns (alarms, categories, colour,
 * summary, its X- properties) is kept as the client sent it, because the
 * publishing of the booking merges it from the client's copy
 * (x->client_text). A refusal returns the lifecycle's code; caldav then
 * rolls the whole write back, answers 403 naming the rule, and logs the
 * refusal, so the client's next sync restores the truth.
 *
 *	calendar   edit                                   operation
 *	staff      time changed                           reschedule (resize too)
 *	staff      STATUS:CANCELLED                       cancel (X- reason, else business)
 *	staff      STATUS:CONFIRMED on a pending booking  approve
 *	staff      DESCRIPTION changed                    notes (no rule check)
 *	staff      anything else                          keep client data only
 *	staff      new event with a customer ATTENDEE     create
 *	staff      new event without one                  none (blocked time)
 *	staff      request event STATUS:CONFIRMED         approve the request
 *	staff      DELETE of a booking's event            cancel (business), event leaves
 *	staff      DELETE of the request event            decline the request
 *	customer   time changed                           reschedule (or request)
 *	customer   STATUS:CANCELLED / PARTSTAT=DECLINED   cancel (customer)
 *	customer   DELETE                                 cancel (customer)
 *	either     UID, customer or recurrence changed    refused
 */
#include <stdlib.h>
#include <string.h>

#include "booking_int.h"
#include "ics_edit.h"

#define REQUEST_SUFFIX "-request"

enum cal_kind { CAL_NONE, CAL_STAFF, CAL_CUSTOMER };

struct dav_op {
	struct booking_dav_edit *e;
	enum cal_kind kind;
	struct store_staff staff;
	struct store_customer cust;
	struct ics_edit ed;
};

static int cal_kind(struct booking_ctx *x, struct dav_op *d, struct sd_err *err)
{
	int rc = store_staff_get_by_user(x->conn, d->e->owner_id, x->a, &d->staff, err);

	d->kind = CAL_NONE;
	if (rc == STORE_OK && d->staff.bookings_coll_id == d->e->coll_id) {
		d->kind = CAL_STAFF;
		return BOOKING_OK;
	}
	if (rc && rc != STORE_ENOTFOUND)
		return booking_store_rc(rc, err);
	rc = store_customer_get_by_user(x->conn, d->e->owner_id, x->a, &d->cust, err);
	if (rc == STORE_OK && d->cust.coll_id == d->e->coll_id)
		d->kind = CAL_CUSTOMER;
	else if (rc && rc != STORE_ENOTFOUND)
		return booking_store_rc(rc, err);
	return BOOKING_OK;
}

/* The address a booking's calendar form gives a party (booking_publish.c
 * writes mailto: of the email, or a urn), as ics_edit compares them. */
static const char *party_address(struct booking_ctx *x, const char *email, const char *kind,
                                 int64_t id)
{
	if (email && *email) {
		char *s = sd_arena_printf(x->a, "mailto:%s", email);

		for (char *p = s; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		return s;
	}
	return sd_arena_printf(x->a, "urn:x-slotdav:%s:%lld", kind, (long long)id);
}

static const struct ics_edit_party *attendee(const struct ics_edit *ed, const char *address)
{
	for (size_t i = 0; i < ed->nattendees; i++)
		if (!strcmp(ed->attendees[i].address, address))
			return &ed->attendees[i];
	return NULL;
}

static int one_appointment(const struct ics_edit *ed, struct sd_err *err)
{
	if (ed->recurring || ed->nevents != 1)
		return sd_err_set(
		    err, BOOKING_EINVALID,
		    "a booking is one appointment: it cannot recur or have overrides");
	if (ed->all_day)
		return sd_err_set(err, BOOKING_EINVALID,
		                  "a booking has a time of day, not a whole day");
	return BOOKING_OK;
}

/* Whether the stored object at the edit's place is what the client sent. */
static void same_check(struct booking_ctx *x, struct booking_dav_edit *e)
{
	struct store_obj o;
	struct sd_err er;

	e->same = e->data && !store_obj_get(x->conn, e->coll_id, e->name, 1, x->a, &o, &er) &&
	          o.len == e->len && !memcmp(o.data, e->data, e->len);
}

/* ---- new events in a Bookings calendar ---------------------------------- */

/* The customer an ATTENDEE names: found by email, or made from it. */
static int customer_of(struct booking_ctx *x, const struct ics_edit_party *p, int64_t *id,
                       struct sd_err *err)
{
	struct store_customer c = { 0 };
	const char *email = strncmp(p->address, "mailto:", 7) ? NULL : p->address + 7;
	int rc;

	if (!strncmp(p->address, "urn:x-slotdav:customer:", 23)) {
		*id = strtoll(p->address + 23, NULL, 10);
		return BOOKING_OK;
	}
	if (!email)
		return sd_err_set(err, BOOKING_EINVALID, "the attendee %s has no email address",
		                  p->uri);
	rc = store_customer_get_by_email(x->conn, email, x->a, &c, err);
	if (rc == STORE_OK) {
		*id = c.id;
		return BOOKING_OK;
	}
	if (rc != STORE_ENOTFOUND)
		return booking_store_rc(rc, err);
	c = (struct store_customer){ .name = p->cn && *p->cn ? p->cn : email, .email = email };
	return booking_customer_save(x, &c, id, err);
}

/* X-SLOTDAV-SERVICE-ID, or the first active service the member performs
 * at one of their locations. */
static int service_for(struct booking_ctx *x, struct dav_op *d, int64_t *id, struct sd_err *err)
{
	const char *v = ics_edit_xprop(&d->ed, "X-SLOTDAV-SERVICE-ID");
	struct store_service *s;
	size_t n;
	int rc;

	if (v && (*id = strtoll(v, NULL, 10)) > 0)
		return BOOKING_OK;
	if ((rc = booking_store_rc(store_service_list(x->conn, 0, x->a, &s, &n, err), err)))
		return rc;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; s[i].active && k < s[i].nstaff; k++)
			if (s[i].staff_ids[k] == d->staff.id) {
				*id = s[i].id;
				return BOOKING_OK;
			}
	return sd_err_set(err, BOOKING_ESERVICE_STAFF, "%s performs no service", d->staff.name);
}

/* The customer attendee of a new event: an ATTENDEE that is neither the
 * staff member nor the organizer. */
static const struct ics_edit_party *customer_attendee(struct booking_ctx *x, struct dav_op *d)
{
	const char *self = party_address(x, d->staff.email, "staff", d->staff.id);

	for (size_t i = 0; i < d->ed.nattendees; i++) {
		const struct ics_edit_party *p = &d->ed.attendees[i];

		if (strcmp(p->address, self) &&
		    (!d->ed.organizer || strcmp(p->address, d->ed.organizer->address)))
			return p;
	}
	return NULL;
}

static int put_new(struct booking_ctx *x, struct dav_op *d, struct sd_err *err)
{
	const struct ics_edit_party *p;
	struct booking_new n = { 0 };
	struct store_booking b;
	int rc;

	if (d->kind != CAL_STAFF || !(p = customer_attendee(x, d)))
		return BOOKING_OK; /* a plain event: blocked time, or the customer's own */
	if ((rc = one_appointment(&d->ed, err)) || (rc = customer_of(x, p, &n.customer_id, err)) ||
	    (rc = service_for(x, d, &n.service_id, err)))
		return rc;
	n.staff_id = d->staff.id;
	n.start = d->ed.start;
	n.notes_public = d->ed.description;
	n.uid = d->ed.uid;
	n.obj_name = d->e->name;
	d->e->action = "create";
	if ((rc = booking_create(x, &n, &b, err)))
		return rc;
	d->e->booking_id = b.id;
	d->e->handled = 1;
	return BOOKING_OK;
}

/* ---- edits of a booking's event ------------------------------------------ */

static int cancel_reason_of(const struct ics_edit *ed, int customer)
{
	int r = customer ? STORE_CANCEL_CUSTOMER
	                 : booking_reason_from_name(ed->cancel_reason ? ed->cancel_reason : "");

	return r ? r : STORE_CANCEL_BUSINESS;
}

static int staff_edit(struct booking_ctx *x, struct dav_op *d, struct store_booking *b,
                      struct sd_err *err)
{
	const struct ics_edit *ed = &d->ed;
	const char *text = ics_edit_xprop(ed, "X-SLOTDAV-CANCEL-TEXT");
	int reason;

	if (b->status == STORE_BK_CANCELLED && ed->status && strcmp(ed->status, "CANCELLED")) {
		d->e->action = "restore";
		return sd_err_set(
		    err, BOOKING_EFORBIDDEN,
		    "a cancelled booking is restored by an admin (API or CLI), not in a "
		    "calendar");
	}
	if (ed->status && !strcmp(ed->status, "CANCELLED") && b->status != STORE_BK_CANCELLED) {
		reason = cancel_reason_of(ed, 0);
		d->e->action = "cancel";
		if (reason == STORE_CANCEL_OTHER && (!text || !*text))
			text = "cancelled in a calendar client";
		return booking_cancel(x, b->id, 0, reason, text, b, err);
	}
	if (ed->start != b->start || ed->end != b->end) {
		d->e->action = "reschedule";
		return booking_reschedule_span(x, b->id, 0, ed->start, ed->end, 0, b, NULL, err);
	}
	if (ed->status && !strcmp(ed->status, "CONFIRMED") && b->status == STORE_BK_PENDING) {
		d->e->action = "approve";
		return booking_approve(x, b->id, b, err);
	}
	return BOOKING_OK;
}

static int customer_edit(struct booking_ctx *x, struct dav_op *d, struct store_booking *b,
                         struct sd_err *err)
{
	const struct ics_edit *ed = &d->ed;
	const struct ics_edit_party *me =
	    attendee(ed, party_address(x, d->cust.email, "customer", d->cust.id));
	struct store_request req;
	int rc;

	if ((ed->status && !strcmp(ed->status, "CANCELLED")) ||
	    (me && me->partstat && !strcmp(me->partstat, "DECLINED"))) {
		if (b->status == STORE_BK_CANCELLED)
			return BOOKING_OK;
		d->e->action = "cancel";
		return booking_cancel(x, b->id, 0, STORE_CANCEL_CUSTOMER, NULL, b, err);
	}
	rc = store_request_pending(x->conn, b->id, x->a, &req, err);
	if (rc == STORE_OK) {
		/* Her copy shows the requested time: unchanged is no move; back
		 * to the booked time withdraws the request. */
		if (ed->start == req.start)
			return BOOKING_OK;
		if (ed->start == b->start) {
			d->e->action = "withdraw_request";
			return booking_request_withdraw(x, b->id, b, err);
		}
	} else if (rc != STORE_ENOTFOUND) {
		return booking_store_rc(rc, err);
	}
	if (ed->start != b->start) {
		d->e->action = "reschedule";
		return booking_reschedule(x, b->id, 0, ed->start, 0, b, NULL, err);
	}
	return BOOKING_OK;
}

/* The customer of b must still be there: a client may not hand the
 * booking to someone else. */
static int same_customer(struct booking_ctx *x, struct dav_op *d, const struct store_booking *b,
                         struct sd_err *err)
{
	struct store_customer c;
	int rc = store_customer_get(x->conn, b->customer_id, x->a, &c, err);

	if (rc)
		return booking_store_rc(rc, err);
	if (!attendee(&d->ed, party_address(x, c.email, "customer", c.id)))
		return sd_err_set(
		    err, BOOKING_EFORBIDDEN,
		    "the customer of a booking cannot be changed in a calendar; cancel "
		    "it and make a new one");
	return BOOKING_OK;
}

static int put_booking(struct booking_ctx *x, struct dav_op *d, struct store_booking *b,
                       struct sd_err *err)
{
	const char *notes = d->ed.description ? d->ed.description : "";
	int rc;

	d->e->booking_id = b->id;
	d->e->handled = 1;
	d->e->action = "details";
	if ((rc = one_appointment(&d->ed, err)) || (rc = same_customer(x, d, b, err)))
		return rc;
	if (strcmp(b->obj_name, d->e->name) ||
	    (d->kind == CAL_CUSTOMER && b->customer_id != d->cust.id))
		return sd_err_set(err, BOOKING_EFORBIDDEN,
		                  "this booking's event lives elsewhere: it cannot be copied or "
		                  "renamed by a client");
	if (d->kind == CAL_STAFF && b->staff_id != d->staff.id) {
		/* Into another member's Bookings calendar: the client moves it
		 * there by PUT here and DELETE there (Thunderbird), in either
		 * order. After the DELETE the booking was cancelled moments ago:
		 * it comes back with the new member; before it, it moves. */
		d->e->action = "reassign";
		if (b->status == STORE_BK_CANCELLED)
			return booking_revive(x, b->id, d->staff.id, d->ed.start, d->ed.end, b,
			                      err);
		return booking_reschedule_span(x, b->id, 0, d->ed.start, d->ed.end, d->staff.id, b,
		                               NULL, err);
	}
	rc = d->kind == CAL_STAFF ? staff_edit(x, d, b, err) : customer_edit(x, d, b, err);
	if (rc)
		return rc;
	if (d->kind == CAL_STAFF && strcmp(notes, b->notes_public)) {
		if (!strcmp(d->e->action, "details"))
			d->e->action = "notes";
		return booking_set_notes(x, b->id, 0, notes, NULL, b, err);
	}
	/* Nothing the booking owns changed, or the operation has published:
	 * publish (again) so the stored copy is the booking's plus the
	 * client's own data. */
	if ((rc = booking_publish(x, b, 0, err)))
		return rc;
	if (strcmp(d->e->action, "details"))
		return BOOKING_OK;
	return booking_log(x, b->id, "details", "ok", err,
	                   "the client's own data (alarms, categories, title ...) updated");
}

/* The TENTATIVE event of a pending request, confirmed by the staff
 * member: approve. Other edits of it are the server's to undo. */
static int put_request(struct booking_ctx *x, struct dav_op *d, const char *base_uid,
                       struct sd_err *err)
{
	struct store_booking b;
	struct store_request req;
	int rc = store_booking_get_by_uid(x->conn, base_uid, x->a, &b, err);

	if (rc)
		return rc == STORE_ENOTFOUND ? BOOKING_OK : booking_store_rc(rc, err);
	d->e->booking_id = b.id;
	d->e->handled = 1;
	rc = store_request_pending(x->conn, b.id, x->a, &req, err);
	if (rc == STORE_ENOTFOUND)
		return sd_err_set(err, BOOKING_ESTATE, "the request was already decided");
	if (rc)
		return booking_store_rc(rc, err);
	if (d->ed.start != req.start || d->ed.end != req.end) {
		d->e->action = "reschedule_request";
		return sd_err_set(
		    err, BOOKING_EFORBIDDEN,
		    "the requested time is the customer's: approve the request "
		    "(STATUS:CONFIRMED), decline it (delete the event), or move the booking");
	}
	if (d->ed.status && !strcmp(d->ed.status, "CONFIRMED")) {
		d->e->action = "approve";
		return booking_approve(x, b.id, NULL, err);
	}
	d->e->action = "details";
	x->client_text = NULL; /* the request event is the server's alone */
	return booking_publish_request(x, &b, &req, NULL, err);
}

static const char *request_base(struct booking_ctx *x, const char *uid)
{
	size_t n = strlen(uid), k = strlen(REQUEST_SUFFIX);

	if (n <= k || strcmp(uid + n - k, REQUEST_SUFFIX))
		return NULL;
	return sd_arena_strndup(x->a, uid, n - k);
}

int booking_dav_calendar_name(const char *name)
{
	return name && (!strcmp(name, BOOKING_STAFF_CAL) || !strcmp(name, BOOKING_CUSTOMER_CAL));
}

int booking_dav_owned(struct store_conn *c, struct sd_arena *a, int64_t coll_id, int64_t owner_id)
{
	struct store_staff st;
	struct store_customer cu;
	struct sd_err e;

	return (!store_staff_get_by_user(c, owner_id, a, &st, &e) &&
	        st.bookings_coll_id == coll_id) ||
	       (!store_customer_get_by_user(c, owner_id, a, &cu, &e) && cu.coll_id == coll_id);
}

int booking_dav_may_access(struct store_conn *c, struct sd_arena *a, int64_t user_id,
                           int64_t coll_id, int64_t owner_id)
{
	struct store_staff me, owner;
	struct sd_err e;

	if (store_staff_get_by_user(c, user_id, a, &me, &e) || !me.active ||
	    store_staff_get_by_user(c, owner_id, a, &owner, &e) ||
	    (coll_id && owner.bookings_coll_id != coll_id))
		return 0;
	if (me.admin)
		return 1;
	/* Staff: a colleague at a location whose rules let staff reassign. */
	for (size_t i = 0; i < me.nlocations; i++) {
		struct store_location loc;
		struct booking_rules r;

		for (size_t k = 0; k < owner.nlocations; k++)
			if (owner.location_ids[k] == me.location_ids[i] &&
			    !store_location_get(c, me.location_ids[i], a, &loc, &e) &&
			    !booking_rules_for_location(&loc, &r, &e) && r.staff_may_reassign)
				return 1;
	}
	return 0;
}

/* A MOVE of a booking's event from one Bookings calendar into another:
 * the booking goes to this calendar's staff member (booking_reschedule
 * checks that the actor may reassign and that the member is free). */
static int move_booking(struct booking_ctx *x, struct dav_op *d, struct store_booking *b,
                        struct sd_err *err)
{
	struct store_staff from;
	int rc;

	d->e->booking_id = b->id;
	d->e->handled = 1;
	d->e->action = "reassign";
	if ((rc = one_appointment(&d->ed, err)) || (rc = same_customer(x, d, b, err)))
		return rc;
	rc = store_staff_get(x->conn, b->staff_id, x->a, &from, err);
	if (rc)
		return booking_store_rc(rc, err);
	if (from.bookings_coll_id != d->e->from_coll || strcmp(b->obj_name, d->e->from_name))
		return sd_err_set(err, BOOKING_EFORBIDDEN,
		                  "this is not the booking's event in its staff member's calendar");
	if (strcmp(d->e->name, b->obj_name))
		return sd_err_set(
		    err, BOOKING_EFORBIDDEN,
		    "a booking's event keeps its name when it moves to another calendar");
	return booking_reschedule_span(x, b->id, 0, d->ed.start, d->ed.end, d->staff.id, b, NULL,
	                               err);
}

int booking_dav_put(struct booking_ctx *x, struct booking_dav_edit *e, struct sd_err *err)
{
	struct dav_op d = { .e = e };
	struct store_booking b;
	const char *base;
	int rc;

	e->handled = e->same = 0;
	e->booking_id = 0;
	e->action = "edit";
	if ((rc = cal_kind(x, &d, err)) || d.kind == CAL_NONE)
		return rc;
	if (ics_edit_read(e->data, e->len, e->default_tz, x->a, &d.ed, err))
		return sd_err_set(err, BOOKING_EINVALID, "%s", err ? err->msg : "unreadable event");
	x->client_coll = e->coll_id;
	x->client_name = e->name;
	x->client_text = e->data;
	if (d.kind == CAL_STAFF && (base = request_base(x, d.ed.uid)))
		rc = put_request(x, &d, base, err);
	else if ((rc = store_booking_get_by_uid(x->conn, d.ed.uid, x->a, &b, err)) ==
	         STORE_ENOTFOUND)
		rc = e->from_coll ? BOOKING_OK : put_new(x, &d, err);
	else if (rc)
		rc = booking_store_rc(rc, err);
	else if (e->from_coll && d.kind == CAL_STAFF && b.staff_id != d.staff.id)
		rc = move_booking(x, &d, &b, err);
	else
		rc = put_booking(x, &d, &b, err);
	if (!rc && e->handled)
		same_check(x, e);
	return rc;
}

int booking_dav_delete(struct booking_ctx *x, struct booking_dav_edit *e, struct sd_err *err)
{
	struct dav_op d = { .e = e };
	struct store_booking b;
	const char *base;
	int rc;

	e->handled = e->same = 0;
	e->booking_id = 0;
	e->action = "delete";
	if ((rc = cal_kind(x, &d, err)) || d.kind == CAL_NONE || !e->cur_data)
		return rc;
	if (ics_edit_read(e->cur_data, strlen(e->cur_data), e->default_tz, x->a, &d.ed, err))
		return BOOKING_OK; /* not readable as an event: a plain delete */
	if (d.kind == CAL_STAFF && (base = request_base(x, d.ed.uid))) {
		if (store_booking_get_by_uid(x->conn, base, x->a, &b, err))
			return BOOKING_OK;
		e->booking_id = b.id;
		e->action = "decline";
		e->handled = 1;
		return booking_decline(x, b.id, "declined in a calendar client", NULL, err);
	}
	rc = store_booking_get_by_uid(x->conn, d.ed.uid, x->a, &b, err);
	if (rc)
		return rc == STORE_ENOTFOUND ? BOOKING_OK : booking_store_rc(rc, err);
	e->booking_id = b.id;
	if (b.status == STORE_BK_PENDING || b.status == STORE_BK_CONFIRMED) {
		e->action = "cancel";
		rc = booking_cancel(x, b.id, 0,
		                    d.kind == CAL_CUSTOMER ? STORE_CANCEL_CUSTOMER
		                                           : STORE_CANCEL_BUSINESS,
		                    NULL, &b, err);
		if (rc)
			return rc;
	}
	/* The event leaves this calendar (the client chose to delete it); the
	 * booking and its other copies stay. */
	e->handled = 1;
	return booking_store_rc(store_obj_delete(x->conn, e->coll_id, e->name, err), err);
}

int booking_dav_refused(struct booking_ctx *x, const struct booking_dav_edit *e, int code,
                        const char *message, struct sd_err *err)
{
	struct store_booking b;
	int rc;

	if (!e->booking_id)
		return BOOKING_OK;
	x->nested = 0;
	x->client_text = NULL; /* the stored copies are the truth again */
	if ((rc = booking_log_refusal(x, e->booking_id, e->action ? e->action : "edit", code,
	                              message)))
		return rc;
	if ((rc = booking_txn_begin(x, err)))
		return rc;
	rc = booking_store_rc(store_booking_get(x->conn, e->booking_id, x->a, &b, err), err);
	if (!rc)
		rc = booking_publish(x, &b, 0, err);
	return booking_txn_end(x, rc, err);
}
