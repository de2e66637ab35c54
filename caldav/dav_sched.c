/* dav_sched.c - the server side of CalDAV scheduling (RFC 6638) as far as
 * slotdav takes part in it: the scheduling Inbox and Outbox, and free-busy
 * lookups POSTed to the Outbox.
 *
 * slotdav is the organizer of every booking (SPEC 3, 4): it writes each
 * booking into the calendars of the people it concerns and tells customers
 * by email itself. A client must therefore leave scheduling to the server,
 * which it does only if the server advertises "calendar-auto-schedule";
 * but the server has nothing to deliver to a client's Inbox, and a client
 * may not send invitations or replies of its own (a customer never gets a
 * message a calendar client made). So:
 *
 * - the Inbox and Outbox of each user are not stored: the reserved names
 *   of dav_res.c resolve to them. The Inbox is always empty; its sync token
 *   and ctag never change (dav_sched_inbox_token), so clients that sync it
 *   are content. Nothing can be written into either (dav_sched_refuse);
 * - POST to the Outbox takes one kind of message, the free-busy request
 *   (VFREEBUSY, METHOD:REQUEST; RFC 6638 5, RFC 5546 3.3.2), which Apple
 *   Calendar and Thunderbird send to show attendees' busy time. It is
 *   answered with a CALDAV:schedule-response: per ATTENDEE, the busy time
 *   of the local user the address names (every calendar of theirs whose
 *   schedule-calendar-transp is opaque, read like a free-busy-query), or a
 *   request status saying why not. Any other message is refused.
 *
 * Whose busy time a user may see: their own, and that of staff members
 * (their working time is the business's); a customer's is private to the
 * customer, so others get "3.8;No authority" for it.
 *
 * A free-busy request runs in one read transaction: every attendee's busy
 * time comes from the same snapshot.
 */
#include <string.h>
#include <strings.h>

#include "dav_int.h"
#include "ics_freebusy.h"
#include "ics_sched.h"
#include "sd_util.h"
#include "store_bk.h"

/* Attendees one free-busy request may name: each costs a free-busy pass
 * over all of a user's calendars. */
#define DAV_SCHED_MAX_ATTENDEES 100

#define PRODID "-//slotdav//slotdav//EN"

/* ---- the Inbox and Outbox as resources --------------------------------- */

int dav_sched_refuse(struct dav_ctx *x, const struct dav_res *res)
{
	static const char *const writes[] = {
		"PUT", "DELETE", "MKCOL", "MKCALENDAR", "COPY", "MOVE",
	};
	int write = 0;

	for (size_t i = 0; i < SD_ARRAY_LEN(writes); i++)
		write |= !strcmp(x->req->method, writes[i]);
	if (!write)
		return 0;
	if (res->sched_member)
		return dav_fail(x, 403, DAV_COND_NEED_PRIVILEGES,
		                "nothing can be stored in the scheduling inbox or outbox");
	if (res->kind == DAV_K_INBOX)
		return dav_fail(
		    x, 403, DAV_COND_NEED_PRIVILEGES,
		    "the scheduling inbox belongs to the server and stays empty: slotdav "
		    "writes bookings into calendars itself");
	return dav_fail(x, 403, DAV_COND_NEED_PRIVILEGES,
	                "the scheduling outbox belongs to the server; it takes POSTs of free-busy "
	                "requests only");
}

const char *dav_sched_inbox_token(struct dav_ctx *x, const struct dav_res *res)
{
	/* Not of the form dav_sync_token_parse accepts for the home. */
	return sd_arena_printf(x->a, "https://slotdav.org/ns/sync/%s-%lld-inbox",
	                       store_epoch(x->conn), (long long)res->coll.id);
}

int dav_sched_inbox_sync(struct dav_ctx *x, struct dav_res *res, xmlNode *root)
{
	xmlNode *tok = dav_xml_child(root, NS_DAV, "sync-token");
	char *t = tok ? dav_xml_text(x, tok) : NULL;
	const char *mine = dav_sched_inbox_token(x, res);
	struct sd_buf *b = &x->req->resp_body;

	if (t) {
		t += strspn(t, " \t\r\n");
		t[strcspn(t, " \t\r\n")] = '\0';
	}
	if (t && *t && strcmp(t, mine) != 0)
		return dav_fail(
		    x, 403, DAV_COND_VALID_SYNC_TOKEN,
		    "the sync token is not valid for this collection; sync again from scratch");
	dav_multistatus_begin(x);
	sd_buf_adds(b, "<d:sync-token>");
	sd_buf_add_xml(b, mine);
	sd_buf_adds(b, "</d:sync-token>");
	dav_multistatus_end(x);
	return 207;
}

struct pick {
	struct sd_arena *a;
	int64_t bookings; /* the owner's Bookings calendar, 0 if none */
	const char *name; /* the choice so far */
};

static int pick_each(void *cls, const struct store_coll *c)
{
	struct pick *p = cls;

	if (c->kind != STORE_COLL_CALENDAR || !(c->components & STORE_COMP_VEVENT) ||
	    c->id == p->bookings || dav_name_reserved(c->name))
		return 0;
	if (!strcmp(c->name, DAV_DEFAULT_CALENDAR)) {
		p->name = sd_arena_strdup(p->a, c->name);
		return 1; /* the one to take: stop */
	}
	if (!p->name)
		p->name = sd_arena_strdup(p->a, c->name);
	return 0;
}

const char *dav_sched_default_calendar(struct dav_ctx *x, const struct dav_res *home)
{
	struct pick p = { .a = x->a };
	struct store_staff st;

	if (store_staff_get_by_user(x->conn, home->owner_id, x->a, &st, NULL) == 0)
		p.bookings = st.bookings_coll_id;
	if (store_coll_foreach(x->conn, home->coll.id, pick_each, &p, NULL) < 0 || !p.name)
		return NULL;
	return dav_href_member(x, dav_href_home(x, home->owner), p.name, 1);
}

/* ---- POST to the Outbox ------------------------------------------------ */

/* The local user a calendar user address names (the addresses of
 * CALDAV:calendar-user-address-set): "mailto:" and their email, or their
 * principal URL, as a path or an absolute URL. 0 with *out, 1 when it names
 * nobody here, or an HTTP status after dav_fail. */
static int user_of_address(struct dav_ctx *x, const char *addr, struct store_user *out)
{
	const char *at = addr;
	char *path;
	struct sd_path p;
	int rc;

	if (!strncasecmp(addr, "mailto:", 7)) {
		rc = store_user_get_by_email(x->conn, addr + 7, x->a, out, &x->err);
	} else {
		if (!strncasecmp(addr, "http://", 7) || !strncasecmp(addr, "https://", 8))
			at = strchr(strstr(addr, "//") + 2, '/');
		if (!at || *at != '/')
			return 1;
		path = sd_arena_strndup(x->a, at, strcspn(at, "?#"));
		if (sd_path_parse(&p, path, x->a) || p.n != 3 ||
		    strcmp(p.seg[0], x->cfg->prefix + 1) != 0 ||
		    strcmp(p.seg[1], "principals") != 0)
			return 1;
		rc = store_user_get(x->conn, p.seg[2], x->a, out, &x->err);
	}
	if (rc == STORE_ENOTFOUND)
		return 1;
	return rc ? dav_fail_store(x, rc) : 0;
}

/* Whether the caller may see the busy time of user: see the file comment.
 * 1 or 0, or an HTTP status after dav_fail. */
static int may_see(struct dav_ctx *x, const struct store_user *user)
{
	struct store_staff st;
	int rc;

	if (user->id == x->req->user_id)
		return 1;
	rc = store_staff_get_by_user(x->conn, user->id, x->a, &st, &x->err);
	if (rc == STORE_ENOTFOUND)
		return 0;
	return rc ? dav_fail_store(x, rc) : 1;
}

/* The busy time of user's calendars as a REPLY to the request m for
 * attendee. 0 and *out, or an HTTP status after dav_fail. */
static int busy_reply(struct dav_ctx *x, const struct ics_sched_msg *m, int64_t user_id,
                      const char *attendee, const char **out)
{
	struct ics_time_range r = { .start = m->start, .end = m->end };
	struct ics_fb_reply reply = { m->uid, m->organizer, attendee };
	struct store_coll home, *cals;
	struct ics_fb *fb;
	size_t n;
	int rc = store_home_get(x->conn, user_id, x->a, &home, &x->err);

	if (rc)
		return dav_fail_store(x, rc);
	if ((rc = dav_children(x, home.id, &cals, &n)))
		return rc;
	fb = ics_fb_new(x->a, r.start, r.end);
	for (size_t i = 0; i < n && !rc; i++)
		if (cals[i].kind == STORE_COLL_CALENDAR && !dav_calendar_transparent(x, cals[i].id))
			rc = dav_freebusy_add_calendar(x, &cals[i], fb, &r, m->mask_uid);
	if (!rc)
		*out = ics_fb_render_reply(fb, PRODID, &reply);
	return rc;
}

/* One CALDAV:response of the schedule-response (RFC 6638 10.2). */
static void response(struct sd_buf *b, const char *recipient, const char *status,
                     const char *caldata, const char *why)
{
	sd_buf_adds(b, "<c:response><c:recipient>");
	dav_out_href(b, recipient);
	sd_buf_adds(b, "</c:recipient><c:request-status>");
	sd_buf_add_xml(b, status);
	sd_buf_adds(b, "</c:request-status>");
	if (caldata) {
		sd_buf_adds(b, "<c:calendar-data>");
		sd_buf_add_xml(b, caldata);
		sd_buf_adds(b, "</c:calendar-data>");
	}
	if (why) {
		sd_buf_adds(b, "<d:responsedescription>");
		sd_buf_add_xml(b, why);
		sd_buf_adds(b, "</d:responsedescription>");
	}
	sd_buf_adds(b, "</c:response>");
}

/* Answers each attendee of m into b. 0 or an HTTP status after dav_fail. */
static int answer_attendees(struct dav_ctx *x, const struct ics_sched_msg *m, struct sd_buf *b)
{
	for (size_t i = 0; i < m->nattendees; i++) {
		const char *addr = m->attendees[i], *caldata = NULL;
		struct store_user u;
		int rc = user_of_address(x, addr, &u);

		if (rc > 1)
			return rc;
		if (rc == 1) {
			response(b, addr, "3.7;Invalid calendar user", NULL,
			         "no user of this server has this address");
			continue;
		}
		rc = may_see(x, &u);
		if (rc > 1)
			return rc;
		if (rc == 0) {
			response(b, addr, "3.8;No authority", NULL,
			         "only a staff member's busy time can be looked up by others");
			continue;
		}
		if ((rc = busy_reply(x, m, u.id, addr, &caldata)))
			return rc;
		response(b, addr, "2.0;Success", caldata, NULL);
	}
	return 0;
}

/* Reads the body as a scheduling message. 0 or 400 after dav_fail. */
static int read_message(struct dav_ctx *x, struct ics_sched_msg *m)
{
	const char *type = sd_req_header(x->req, "Content-Type");
	int rc;

	if (type && strncasecmp(type, "text/calendar", 13) != 0)
		return dav_fail(x, 400, DAV_COND_SUPPORTED_CALENDAR_DATA,
		                "the scheduling outbox takes text/calendar, not %s", type);
	if (!x->req->body_len)
		return dav_fail(x, 400, DAV_COND_VALID_CALENDAR_DATA,
		                "POST to the scheduling outbox needs an iCalendar body");
	rc = ics_sched_parse(x->req->body, x->req->body_len, x->a, m, &x->err);
	if (rc == ICS_EPARSE)
		return dav_fail(x, 400, DAV_COND_VALID_CALENDAR_DATA, "%s", x->err.msg);
	if (rc)
		return dav_fail(x, 400, DAV_COND_VALID_SCHEDULING_MESSAGE, "%s", x->err.msg);
	return 0;
}

/* What is refused before anything is looked up. 0 or 403 after dav_fail. */
static int check_message(struct dav_ctx *x, const struct ics_sched_msg *m)
{
	if (!m->fb_request && m->comp_bit == ICS_COMP_VFREEBUSY)
		return dav_fail(x, 403, DAV_COND_VALID_SCHEDULING_MESSAGE,
		                "a VFREEBUSY posted to the outbox is a free-busy request: "
		                "METHOD:REQUEST, not %s",
		                m->method);
	if (!m->fb_request)
		return dav_fail(x, 403, DAV_COND_NONE,
		                "slotdav schedules bookings itself and sends no invitations or "
		                "replies from calendar clients (METHOD:%s with a %s); the outbox "
		                "takes free-busy requests only",
		                m->method, m->comp);
	if (m->nattendees > DAV_SCHED_MAX_ATTENDEES)
		return dav_fail(x, 403, DAV_COND_NONE,
		                "a free-busy request may name at most %d attendees, not %zu",
		                DAV_SCHED_MAX_ATTENDEES, m->nattendees);
	return 0;
}

int dav_method_post(struct dav_ctx *x, struct dav_res *res)
{
	struct ics_sched_msg m;
	struct store_user org;
	struct sd_buf *b = &x->req->resp_body;
	int rc;

	if (res->kind != DAV_K_OUTBOX) {
		dav_method_options(x, res); /* for its Allow header */
		return dav_fail(x, 405, DAV_COND_NONE,
		                "POST is accepted by the scheduling outbox only");
	}
	if (res->owner_id != x->req->user_id)
		return dav_fail(x, 403, DAV_COND_NEED_PRIVILEGES,
		                "only the owner of a scheduling outbox may post to it");
	if ((rc = read_message(x, &m)) || (rc = check_message(x, &m)))
		return rc;
	if ((rc = store_begin(x->conn, STORE_TXN_READ, &x->err)))
		return dav_fail_store(x, rc);
	rc = user_of_address(x, m.organizer, &org);
	if (rc == 0 && org.id != x->req->user_id)
		rc = 1;
	if (rc == 1)
		rc = dav_fail(x, 403, DAV_COND_ORGANIZER_ALLOWED,
		              "the ORGANIZER %s is not one of your calendar user addresses",
		              m.organizer);
	if (!rc) {
		x->req->resp_type = "application/xml; charset=utf-8";
		sd_buf_adds(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		               "<c:schedule-response" DAV_XMLNS_DECL ">");
		rc = answer_attendees(x, &m, b);
		sd_buf_adds(b, "</c:schedule-response>\n");
	}
	store_rollback(x->conn);
	return rc ? rc : 200;
}
