/* booking_publish.c - bookings as calendar objects.
 *
 * Every booking is one calendar object resource, "<uid>.ics", in its staff
 * member's Bookings calendar and, when the customer has a login, in the
 * customer's "My appointments" calendar. The object is rewritten from the
 * booking record inside the transaction that changed the booking, through
 * the same storage calls a CalDAV PUT uses, so its ETag, the calendar's
 * ctag and the sync log move together with the booking: a syncing client
 * sees the change on its next sync, never half of it.
 *
 * The iCalendar form (SPEC 3): UID stable; DTSTART/DTEND in UTC; SEQUENCE
 * the booking's; STATUS TENTATIVE (pending), CANCELLED, else CONFIRMED;
 * ORGANIZER the location; ATTENDEEs the customer and the staff member;
 * public notes in DESCRIPTION (private notes only in the staff copy, as a
 * X-SLOTDAV-PRIVATE-NOTES property: they are the business's); service,
 * booking id, location and status in X-SLOTDAV-* properties.
 *
 * A pending reschedule request shows as a second, TENTATIVE and
 * TRANSPARENT event "<uid>-request.ics" in the staff calendar (transparent,
 * so the request does not block its own approval), and the customer's copy
 * shows the requested time as TENTATIVE.
 */
#include <string.h>

#include "booking_int.h"
#include "ics.h"
#include "ics_edit.h"
#include "ics_event.h"

/* Names of what a booking refers to, for its calendar form. */
struct names {
	struct store_location loc;
	struct store_service svc;
	struct store_staff staff;
	struct store_customer cust;
};

static int names_load(struct booking_ctx *x, const struct store_booking *b, struct names *nm,
                      struct sd_err *err)
{
	int rc;

	if ((rc = store_location_get(x->conn, b->location_id, x->a, &nm->loc, err)) ||
	    (rc = store_service_get(x->conn, b->service_id, x->a, &nm->svc, err)) ||
	    (rc = store_staff_get(x->conn, b->staff_id, x->a, &nm->staff, err)) ||
	    (rc = store_customer_get(x->conn, b->customer_id, x->a, &nm->cust, err)))
		return booking_store_rc(rc, err);
	return BOOKING_OK;
}

static const char *cal_address(struct sd_arena *a, const char *email, const char *kind, int64_t id)
{
	if (email && *email)
		return sd_arena_printf(a, "mailto:%s", email);
	return sd_arena_printf(a, "urn:x-slotdav:%s:%lld", kind, (long long)id);
}

static const char *ics_status(int status)
{
	switch (status) {
	case STORE_BK_PENDING:
		return "TENTATIVE";
	case STORE_BK_CANCELLED:
		return "CANCELLED";
	default:
		return "CONFIRMED";
	}
}

/* The event of b as the staff member (for_customer 0) or the customer
 * sees it; req: a pending request whose time the customer's copy shows. */
static char *render(struct booking_ctx *x, const struct store_booking *b, const struct names *nm,
                    int for_customer, const struct store_request *req)
{
	struct ics_party org = { nm->loc.name,
		                 cal_address(x->a, nm->loc.email, "location", nm->loc.id), NULL,
		                 NULL };
	struct ics_party att[2] = {
		{ nm->cust.name, cal_address(x->a, nm->cust.email, "customer", nm->cust.id),
		  "REQ-PARTICIPANT",
		  b->status == STORE_BK_CANCELLED && b->cancel_reason == STORE_CANCEL_CUSTOMER
		      ? "DECLINED"
		      : "ACCEPTED" },
		{ nm->staff.name, cal_address(x->a, nm->staff.email, "staff", nm->staff.id),
		  "CHAIR", b->status == STORE_BK_PENDING ? "NEEDS-ACTION" : "ACCEPTED" },
	};
	struct ics_xprop xp[7];
	size_t nx = 0;
	struct ics_event ev = {
		.uid = b->uid,
		.dtstamp = b->modified,
		.start = req ? req->start : b->start,
		.end = req ? req->end : b->end,
		.sequence = b->sequence,
		.status = req ? "TENTATIVE" : ics_status(b->status),
		.summary = for_customer
		               ? sd_arena_printf(x->a, "%s at %s", nm->svc.name, nm->loc.name)
		               : sd_arena_printf(x->a, "%s: %s", nm->svc.name, nm->cust.name),
		.location = *nm->loc.address
		                ? sd_arena_printf(x->a, "%s, %s", nm->loc.name, nm->loc.address)
		                : nm->loc.name,
		.description = *b->notes_public ? b->notes_public : NULL,
		.organizer = &org,
		.attendees = att,
		.nattendees = 2,
		.xprops = xp,
	};

	xp[nx++] = (struct ics_xprop){ "X-SLOTDAV-BOOKING-ID",
		                       sd_arena_printf(x->a, "%lld", (long long)b->id) };
	xp[nx++] = (struct ics_xprop){ "X-SLOTDAV-SERVICE", nm->svc.name };
	xp[nx++] = (struct ics_xprop){ "X-SLOTDAV-SERVICE-ID",
		                       sd_arena_printf(x->a, "%lld", (long long)nm->svc.id) };
	xp[nx++] = (struct ics_xprop){ "X-SLOTDAV-LOCATION-ID",
		                       sd_arena_printf(x->a, "%lld", (long long)nm->loc.id) };
	xp[nx++] = (struct ics_xprop){ "X-SLOTDAV-STATUS", booking_status_name(b->status) };
	if (b->status == STORE_BK_CANCELLED)
		xp[nx++] = (struct ics_xprop){ "X-SLOTDAV-CANCEL-REASON",
			                       booking_reason_name(b->cancel_reason) };
	if (!for_customer && *b->notes_private)
		xp[nx++] = (struct ics_xprop){ "X-SLOTDAV-PRIVATE-NOTES", b->notes_private };
	ev.nxprops = nx;
	return ics_event_render(x->a, &ev, BOOKING_PRODID);
}

/* The client's own data for resource name of coll_id: the client's copy
 * being written, or else what is stored (*out NULL if nothing). */
static int client_copy(struct booking_ctx *x, int64_t coll_id, const char *name, const char **out,
                       struct sd_err *err)
{
	struct store_obj cur;
	int rc;

	*out = NULL;
	if (x->client_text && x->client_coll == coll_id && !strcmp(x->client_name, name)) {
		*out = x->client_text;
		return BOOKING_OK;
	}
	rc = store_obj_get(x->conn, coll_id, name, 1, x->a, &cur, err);
	if (rc == STORE_OK)
		*out = cur.data;
	return rc == STORE_ENOTFOUND ? BOOKING_OK : booking_store_rc(rc, err);
}

/* Stores text as name in coll_id, as a CalDAV PUT would, keeping what a
 * calendar client added to the object there (ics_edit_merge). */
static int put_object(struct booking_ctx *x, int64_t coll_id, const char *name, const char *text,
                      struct sd_err *err)
{
	struct ics_info info;
	struct store_obj o = { 0 };
	const char *client;
	int rc;

	if ((rc = client_copy(x, coll_id, name, &client, err)))
		return rc;
	if (client)
		text = ics_edit_merge(x->a, text, client);

	if (ics_object_check(text, strlen(text), ICS_COMP_VEVENT, x->a, &info, err))
		return sd_err_set(err, BOOKING_EIO, "the booking's calendar form is invalid: %s",
		                  err ? err->msg : "");
	o.coll_id = coll_id;
	o.name = name;
	o.content_type = "text/calendar; charset=utf-8";
	o.data = text;
	o.len = strlen(text);
	o.uid = info.uid;
	o.comp = STORE_COMP_VEVENT;
	o.first_start = info.first_start;
	o.last_end = info.last_end;
	rc = store_obj_put(x->conn, &o, x->a, NULL, NULL, err);
	return booking_store_rc(rc, err);
}

static int drop_object(struct booking_ctx *x, int64_t coll_id, const char *name, struct sd_err *err)
{
	int rc = store_obj_delete(x->conn, coll_id, name, err);

	return rc == STORE_ENOTFOUND ? BOOKING_OK : booking_store_rc(rc, err);
}

int booking_publish(struct booking_ctx *x, const struct store_booking *b, int64_t old_staff_id,
                    struct sd_err *err)
{
	struct store_request req, *preq = NULL;
	struct names nm;
	int rc;

	if ((rc = names_load(x, b, &nm, err)))
		return rc;
	if (old_staff_id && old_staff_id != b->staff_id) {
		struct store_staff old;

		if ((rc = booking_store_rc(store_staff_get(x->conn, old_staff_id, x->a, &old, err),
		                           err)))
			return rc;
		if (old.bookings_coll_id &&
		    (rc = drop_object(x, old.bookings_coll_id, b->obj_name, err)))
			return rc;
	}
	if (!nm.staff.bookings_coll_id)
		return sd_err_set(err, BOOKING_EIO, "staff member %lld has no Bookings calendar",
		                  (long long)nm.staff.id);
	if ((rc = put_object(x, nm.staff.bookings_coll_id, b->obj_name, render(x, b, &nm, 0, NULL),
	                     err)))
		return rc;
	if (!nm.cust.coll_id)
		return BOOKING_OK;
	rc = store_request_pending(x->conn, b->id, x->a, &req, err);
	if (rc == STORE_OK)
		preq = &req;
	else if (rc != STORE_ENOTFOUND)
		return booking_store_rc(rc, err);
	return put_object(x, nm.cust.coll_id, b->obj_name, render(x, b, &nm, 1, preq), err);
}

static const char *request_name(struct booking_ctx *x, const struct store_booking *b)
{
	return sd_arena_printf(x->a, "%s-request.ics", b->uid);
}

int booking_publish_request(struct booking_ctx *x, const struct store_booking *b,
                            const struct store_request *req, const char *old_obj_name,
                            struct sd_err *err)
{
	struct store_booking shown;
	struct names nm;
	struct ics_event ev;
	struct ics_xprop xp[2];
	char *text;
	int rc;

	if ((rc = names_load(x, b, &nm, err)))
		return rc;
	if (!req)
		return old_obj_name && *old_obj_name
		           ? drop_object(x, nm.staff.bookings_coll_id, old_obj_name, err)
		           : BOOKING_OK;
	shown = *b;
	shown.uid = sd_arena_printf(x->a, "%s-request", b->uid);
	xp[0] = (struct ics_xprop){ "X-SLOTDAV-BOOKING-ID",
		                    sd_arena_printf(x->a, "%lld", (long long)b->id) };
	xp[1] = (struct ics_xprop){ "X-SLOTDAV-REQUEST-ID",
		                    sd_arena_printf(x->a, "%lld", (long long)req->id) };
	ev = (struct ics_event){
		.uid = shown.uid,
		.dtstamp = req->created,
		.start = req->start,
		.end = req->end,
		.status = "TENTATIVE",
		.transp = "TRANSPARENT",
		.summary =
		    sd_arena_printf(x->a, "Awaiting approval: %s: %s", nm.svc.name, nm.cust.name),
		.description = "A reschedule request from the customer. Approve or decline it.",
		.xprops = xp,
		.nxprops = 2,
	};
	text = ics_event_render(x->a, &ev, BOOKING_PRODID);
	return put_object(x, nm.staff.bookings_coll_id, request_name(x, b), text, err);
}

const char *booking_request_obj_name(struct booking_ctx *x, const struct store_booking *b)
{
	return request_name(x, b);
}

int booking_user_calendar(struct booking_ctx *x, int64_t user_id, const char *name,
                          const char *displayname, int64_t *coll_out, struct sd_err *err)
{
	struct store_coll home, cal;
	int rc;

	if (*coll_out)
		return BOOKING_OK;
	if ((rc = store_home_get(x->conn, user_id, x->a, &home, err)))
		return booking_store_rc(rc, err);
	rc = store_coll_get(x->conn, home.id, name, x->a, &cal, err);
	if (rc == STORE_OK) {
		if (cal.kind != STORE_COLL_CALENDAR)
			return sd_err_set(
			    err, BOOKING_EEXISTS,
			    "the user has a collection named \"%s\" that is not a calendar", name);
		*coll_out = cal.id;
		return BOOKING_OK;
	}
	if (rc != STORE_ENOTFOUND)
		return booking_store_rc(rc, err);
	memset(&cal, 0, sizeof(cal));
	cal.parent_id = home.id;
	cal.owner_id = user_id;
	cal.kind = STORE_COLL_CALENDAR;
	cal.name = name;
	cal.displayname = displayname;
	cal.components = STORE_COMP_VEVENT;
	return booking_store_rc(store_coll_create(x->conn, &cal, coll_out, err), err);
}

int booking_staff_calendar(struct booking_ctx *x, int64_t user_id, int64_t *coll_out,
                           struct sd_err *err)
{
	return booking_user_calendar(x, user_id, BOOKING_STAFF_CAL, BOOKING_STAFF_CAL_NAME,
	                             coll_out, err);
}
