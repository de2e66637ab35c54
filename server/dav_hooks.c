/* dav_hooks.c - the hooks that hand CalDAV writes to calendars over to the
 * booking engine (caldav/dav.h struct dav_hooks, booking_dav_put/delete).
 *
 * caldav/ knows nothing of bookings and booking/ nothing of HTTP; this file
 * is the seam. For each write it works out the actor (the calendar's owner,
 * channel "caldav", the client's User-Agent), runs the engine inside
 * caldav's transaction (nested), and turns a refusal into what a calendar
 * client understands: 403 with a DAV:error element in slotdav's namespace
 * named after the rule (slot-unavailable, outside-working-hours, ...), 412
 * for a stale version, 503 when the write lock was busy, 500 for storage
 * failures. After caldav rolled the write back, refused() records the
 * refusal in the booking's activity log and writes the booking's objects
 * again, so the client's next sync brings back the truth.
 */
#include "dav_hooks.h"

#include <string.h>

#include "booking.h"
#include "sd_log.h"
#include "sd_util.h"

struct hook_state {
	struct booking_ctx x;
	struct booking_actor actor;
	struct booking_dav_edit e;
	int code;
	struct sd_err err;
};

static int status_of(int code)
{
	switch (code) {
	case BOOKING_ESTALE:
		return 412;
	case BOOKING_EBUSY:
		return 503;
	case BOOKING_EIO:
		return 500;
	default:
		return 403;
	}
}

/* "slot_unavailable" -> "slot-unavailable" (XML element names of the
 * slotdav namespace use dashes, like DAV's own). */
static const char *element_of(struct sd_arena *a, int code)
{
	char *s = sd_arena_strdup(a, booking_code_name(code));

	for (char *p = s; *p; p++)
		if (*p == '_')
			*p = '-';
	return s;
}

static int hook_write(void *cls, struct dav_hook_write *w)
{
	struct hook_state *h = sd_arena_alloc(w->a, sizeof(*h));
	const char *ua = sd_req_header(w->req, "User-Agent");
	int rc;

	(void)cls;
	memset(h, 0, sizeof(*h));
	w->state = h;
	if (!booking_dav_calendar_name(w->coll_name))
		return 0; /* a plain calendar: not a booking matter */
	rc = booking_actor_for_user(w->conn, w->a, w->req->user_id, w->req->user_name, "caldav", ua,
	                            &h->actor, &h->err);
	if (rc == BOOKING_EFORBIDDEN)
		return 0; /* neither staff nor customer: plain calendars only */
	if (rc)
		goto refuse;
	h->x = (struct booking_ctx){
		.conn = w->conn, .a = w->a, .now = sd_now(), .actor = &h->actor, .nested = 1
	};
	h->e = (struct booking_dav_edit){ .coll_id = w->coll_id,
		                          .owner_id = w->owner_id,
		                          .name = w->name,
		                          .cur_data = w->cur_data,
		                          .data = w->data,
		                          .len = w->len,
		                          .default_tz = w->default_tz,
		                          .from_coll = w->from_coll,
		                          .from_name = w->from_name };
	rc = w->data ? booking_dav_put(&h->x, &h->e, &h->err)
	             : booking_dav_delete(&h->x, &h->e, &h->err);
	if (rc)
		goto refuse;
	w->handled = h->e.handled;
	w->same = h->e.same;
	return 0;
refuse:
	h->code = rc;
	w->status = status_of(rc);
	w->cond = rc == BOOKING_EIO || rc == BOOKING_EBUSY ? NULL : element_of(w->a, rc);
	w->message = rc == BOOKING_EIO ? "the booking could not be saved; nothing was changed"
	                               : sd_arena_strdup(w->a, h->err.msg);
	if (rc == BOOKING_EIO)
		SD_ERROR("booking edit failed", "detail=\"%s\"", h->err.msg);
	return w->status;
}

static void hook_refused(void *cls, struct dav_hook_write *w)
{
	struct hook_state *h = w->state;
	struct sd_err e = { 0 };

	(void)cls;
	if (!h || !h->e.booking_id || h->code == BOOKING_EIO || h->code == BOOKING_EBUSY)
		return;
	if (booking_dav_refused(&h->x, &h->e, h->code, h->err.msg, &e))
		SD_WARN("cannot record a refused calendar edit", "booking=%lld detail=\"%s\"",
		        (long long)h->e.booking_id, e.msg);
}

static int hook_may_access(void *cls, struct store_conn *conn, struct sd_arena *a,
                           const struct sd_req *req, const struct store_coll *coll)
{
	(void)cls;
	return booking_dav_may_access(conn, a, req->user_id, coll->id, coll->owner_id);
}

static int hook_owns(void *cls, struct store_conn *conn, struct sd_arena *a,
                     const struct store_coll *coll)
{
	(void)cls;
	return booking_dav_calendar_name(coll->name) &&
	       booking_dav_owned(conn, a, coll->id, coll->owner_id);
}

const struct dav_hooks srv_dav_hooks = {
	.write = hook_write,
	.refused = hook_refused,
	.may_access = hook_may_access,
	.owns = hook_owns,
	.cls = NULL,
};
