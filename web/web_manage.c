/* web_manage.c - the manage page itself and its two form posts.
 *
 * The page shows the booking and, for each action, either its form or the
 * reason it is not offered (the customer may not, the notice period has
 * begun, the booking is over or cancelled, a request is already open).
 * Those reasons are read from the engine's rules only to explain; the
 * engine decides again on the post, so a form that was shown a moment too
 * long is refused with the engine's own reason.
 *
 * The times offered for a move are booking_availability's free slots of
 * the booking's staff member and service, one week at a time (?week=N,
 * counted from today in the location's zone), as a radio group per day.
 *
 * Forgery: a post must carry the hidden field "csrf", a token of
 * booking_link_make for (this booking, "<action>_<version>"), valid for
 * FORM_TTL. It ties the form to the version of the booking it was shown
 * for: a form left open over a change is refused as stale (409), a form
 * of another booking or action as forged (403). As defence in depth a
 * post whose Sec-Fetch-Site says cross-site, whose Origin is another
 * origin, or whose Referer is another site is refused (403). An Origin of
 * "null" is accepted: browsers send it for our own forms, because the page
 * asks for Referrer-Policy no-referrer (the token in the URL must not leak).
 *
 * After a post: 303 See Other to the page with ?done=<key>, so reloading
 * the result repeats nothing; the page knows a fixed set of keys and
 * never echoes the parameter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web_int.h"

#define FORM_TTL   (12 * 3600)
#define REASON_MAX 500

struct done_msg {
	const char *key, *text;
};

static const struct done_msg done_msgs[] = {
	{ "cancelled", "Your booking has been cancelled." },
	{ "moved", "Your booking has been moved to the new time." },
	{ "requested", "Your request to move the booking has been sent. You will hear from us "
	               "once it has been approved; until then the original time stays booked." },
};

/* ---- the form token --------------------------------------------------- */

static const char *form_purpose(struct web_ctx *x, const char *action)
{
	return sd_arena_printf(x->a, "%s_%lld", action, (long long)x->b.version);
}

static void hidden_token(struct web_ctx *x, const char *action)
{
	const char *t = booking_link_make(x->a, x->cfg->secrets, x->b.id, form_purpose(x, action),
	                                  x->now + FORM_TTL);

	web_raw(x->req, "<input type=\"hidden\" name=\"csrf\" value=\"");
	web_text(x->req, t ? t : "");
	web_raw(x->req, "\">\n");
}

/* 0 if the post comes from our own page for this version; else a page. */
static int check_form_token(struct web_ctx *x, const char *action, const char *t)
{
	const char *purpose, *want = form_purpose(x, action);
	size_t n = strlen(action);
	int64_t id;
	struct sd_err err = { 0 };

	if (t && !booking_link_check(x->a, x->cfg->secrets, t, x->now, &id, &purpose, &err) &&
	    id == x->b.id) {
		if (!strcmp(purpose, want))
			return 0;
		if (!strncmp(purpose, action, n) && purpose[n] == '_')
			return web_message_page(x->req, 409, "This page was out of date",
			                        "The booking changed after the page was opened, so "
			                        "nothing was done. Please look at it again.");
	}
	return web_message_page(x->req, 403, "The form could not be verified",
	                        "Nothing was changed. Please open the link from your email again "
	                        "and use the form on that page.");
}

/* Sec-Fetch-Site, Origin and Referer must not name another site. */
static int same_origin(struct web_ctx *x)
{
	const char *base = x->req->base_url ? x->req->base_url : "";
	const char *sfs = sd_req_header(x->req, "Sec-Fetch-Site");
	const char *origin = sd_req_header(x->req, "Origin");
	const char *ref = sd_req_header(x->req, "Referer");
	size_t n = strlen(base);

	if (sfs && strcmp(sfs, "same-origin") && strcmp(sfs, "none"))
		return 0;
	if (origin && strcmp(origin, "null") && strcmp(origin, base))
		return 0;
	if (ref && (strncmp(ref, base, n) || (ref[n] != '/' && ref[n] != '\0')))
		return 0;
	return 1;
}

/* The form's fields, after the origin and content type checks. */
static int read_form(struct web_ctx *x, struct web_field **f, size_t *n)
{
	const char *ct = sd_req_header(x->req, "Content-Type");

	if (!same_origin(x))
		return web_message_page(x->req, 403, "The form could not be verified",
		                        "The form was sent from another site, so nothing was "
		                        "changed.");
	if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) ||
	    (ct[33] && ct[33] != ';' && ct[33] != ' '))
		return web_message_page(x->req, 415, "The form could not be read",
		                        "Nothing was changed. Please use the form on the page.");
	if (web_form_decode(x->a, x->req->body, x->req->body_len, f, n))
		return web_message_page(x->req, 400, "The form could not be read",
		                        "Nothing was changed. Please use the form on the page.");
	return 0;
}

static int see_page(struct web_ctx *x, const char *done)
{
	sd_req_set_header(
	    x->req, "Location",
	    sd_arena_printf(x->a, "%s%s?done=%s", x->req->base_url, x->page_url, done));
	return web_message_page(x->req, 303, "Done", "Your change was saved.");
}

/* The booking is over or cancelled: no action applies any more. */
static int finished(const struct web_ctx *x)
{
	return x->b.status != STORE_BK_PENDING && x->b.status != STORE_BK_CONFIRMED;
}

static int gone_page(struct web_ctx *x)
{
	return web_message_page(
	    x->req, 410, "Nothing to change",
	    x->b.status == STORE_BK_CANCELLED
	        ? "This booking has already been cancelled, so nothing was done."
	        : "This booking is over, so nothing was done.");
}

/* ---- the page ----------------------------------------------------------- */

static void detail(struct web_ctx *x, const char *term, const char *value)
{
	web_raw(x->req, "<dt>");
	web_text(x->req, term);
	web_raw(x->req, "</dt><dd>");
	web_text(x->req, value);
	web_raw(x->req, "</dd>\n");
}

static const char *status_text(const struct web_ctx *x)
{
	switch (x->b.status) {
	case STORE_BK_PENDING:
		return "Waiting for confirmation";
	case STORE_BK_CONFIRMED:
		return "Confirmed";
	case STORE_BK_CANCELLED:
		return "Cancelled";
	case STORE_BK_COMPLETED:
		return "Completed";
	case STORE_BK_NO_SHOW:
		return "Missed";
	default:
		return "Unknown";
	}
}

static void show_details(struct web_ctx *x)
{
	const char *tz = x->loc.timezone;

	web_raw(
	    x->req,
	    "<section aria-labelledby=\"details\">\n<h2 id=\"details\">Your booking</h2>\n<dl>\n");
	detail(x, "Service", x->svc.name);
	detail(x, "Date", web_date(x->a, tz, x->b.start));
	detail(x, "Time",
	       sd_arena_printf(x->a, "%s to %s (%s)", web_clock(x->a, tz, x->b.start),
	                       web_clock(x->a, tz, x->b.end), tz));
	detail(x, "Place",
	       *x->loc.address ? sd_arena_printf(x->a, "%s, %s", x->loc.name, x->loc.address)
	                       : x->loc.name);
	detail(x, "With", x->staff.name);
	detail(x, "Status", status_text(x));
	if (*x->b.notes_public)
		detail(x, "Notes", x->b.notes_public);
	if (x->pending.id)
		detail(x, "Requested new time",
		       sd_arena_printf(x->a, "%s, %s (waiting for approval)",
		                       web_date(x->a, tz, x->pending.start),
		                       web_clock(x->a, tz, x->pending.start)));
	web_raw(x->req, "</dl>\n</section>\n");
}

static void contact_hint(struct web_ctx *x)
{
	if (*x->loc.email)
		web_textf(x->req, " Please contact us at %s.", x->loc.email);
	else
		web_text(x->req, " Please contact us directly.");
}

static void show_cancel(struct web_ctx *x)
{
	int64_t notice = (int64_t)x->rules.cancel_notice_hours * 3600;

	web_raw(x->req, "<section aria-labelledby=\"cancel\">\n<h2 id=\"cancel\">Cancel</h2>\n");
	if (!x->rules.customer_may_cancel) {
		web_raw(x->req, "<p id=\"cancel-closed\">This booking cannot be cancelled online.");
		contact_hint(x);
		web_raw(x->req, "</p>\n</section>\n");
		return;
	}
	if (x->now > x->b.start - notice) {
		web_raw(x->req, "<p id=\"cancel-closed\">");
		web_textf(x->req,
		          "Cancelling online is possible until %d hours before the "
		          "appointment, so it is no longer possible.",
		          x->rules.cancel_notice_hours);
		contact_hint(x);
		web_raw(x->req, "</p>\n</section>\n");
		return;
	}
	web_raw(x->req, "<form method=\"post\" action=\"");
	web_text(x->req, x->page_url);
	web_raw(x->req, "/cancel\">\n");
	hidden_token(x, "cancel");
	web_raw(
	    x->req,
	    "<p><label for=\"reason\">Reason (optional)</label><br>\n"
	    "<textarea id=\"reason\" name=\"reason\" rows=\"3\" maxlength=\"500\"></textarea></p>\n"
	    "<button type=\"submit\" id=\"cancel-button\">Cancel this booking</button>\n"
	    "</form>\n</section>\n");
}

static void week_nav(struct web_ctx *x, int week, int last)
{
	web_raw(x->req, "<nav aria-label=\"Weeks\">");
	if (week > 0) {
		web_raw(x->req, "<a id=\"earlier\" href=\"");
		web_textf(x->req, "%s?week=%d#move", x->page_url, week - 1);
		web_raw(x->req, "\">Earlier times</a>");
	}
	if (week < last) {
		web_raw(x->req, "<a id=\"later\" href=\"");
		web_textf(x->req, "%s?week=%d#move", x->page_url, week + 1);
		web_raw(x->req, "\">Later times</a>");
	}
	web_raw(x->req, "</nav>\n");
}

static void slot_list(struct web_ctx *x, const struct booking_slot *s, size_t n)
{
	const char *tz = x->loc.timezone;
	int64_t day = -1;
	size_t shown = 0;

	web_raw(x->req, "<fieldset class=\"slots\">\n<legend>Choose a new time</legend>\n");
	for (size_t i = 0; i < n; i++) {
		int64_t d = web_local_day(tz, s[i].start);

		if (s[i].start == x->b.start)
			continue;
		if (d != day) {
			web_raw(x->req, day < 0 ? "<fieldset class=\"day\"><legend>"
			                        : "</fieldset>\n<fieldset class=\"day\"><legend>");
			web_text(x->req, web_date(x->a, tz, s[i].start));
			web_raw(x->req, "</legend>\n");
			day = d;
		}
		web_raw(x->req, "<input type=\"radio\" name=\"start\" required id=\"");
		web_textf(x->req, "slot-%lld", (long long)s[i].start);
		web_raw(x->req, "\" value=\"");
		web_textf(x->req, "%lld", (long long)s[i].start);
		web_raw(x->req, "\"><label for=\"");
		web_textf(x->req, "slot-%lld", (long long)s[i].start);
		web_raw(x->req, "\">");
		web_text(x->req, web_clock(x->a, tz, s[i].start));
		web_raw(x->req, "</label>\n");
		shown++;
	}
	if (day >= 0)
		web_raw(x->req, "</fieldset>\n");
	if (!shown)
		web_raw(x->req, "<p>There are no free times in this week.</p>\n");
	web_raw(x->req, "</fieldset>\n");
}

/* The free slots of week `week` (from today in the location's zone). */
static int week_slots(struct web_ctx *x, int week, struct booking_slot **s, size_t *n)
{
	int64_t today = web_local_day(x->loc.timezone, x->now), from, to;
	int rc;

	if (today < 0)
		return BOOKING_EINVALID;
	if ((rc = booking_day_start(x->loc.timezone, today + 7 * week, &from, &x->err)) ||
	    (rc = booking_day_start(x->loc.timezone, today + 7 * week + 7, &to, &x->err)))
		return rc;
	if (from < x->now)
		from = x->now;
	return booking_availability(&x->bx, x->b.service_id, x->b.staff_id, from, to, s, n,
	                            &x->err);
}

static void show_move(struct web_ctx *x, int week)
{
	int64_t notice = (int64_t)x->rules.reschedule_notice_hours * 3600;
	int last = x->rules.horizon_days / 7;
	struct booking_slot *s = NULL;
	size_t n = 0;
	int rc;

	web_raw(x->req,
	        "<section aria-labelledby=\"move\">\n<h2 id=\"move\">Move to another time</h2>\n");
	if (!x->rules.customer_may_reschedule || x->now > x->b.start - notice) {
		web_raw(x->req, "<p id=\"move-closed\">");
		if (!x->rules.customer_may_reschedule)
			web_raw(x->req, "This booking cannot be moved online.");
		else
			web_textf(x->req,
			          "Moving online is possible until %d hours before the "
			          "appointment, so it is no longer possible.",
			          x->rules.reschedule_notice_hours);
		contact_hint(x);
		web_raw(x->req, "</p>\n</section>\n");
		return;
	}
	if (x->pending.id) {
		web_raw(x->req,
		        "<p>Your request to move this booking is waiting for approval. "
		        "You can change it again once it has been decided.</p>\n</section>\n");
		return;
	}
	if (week > last)
		week = last;
	if ((rc = week_slots(x, week, &s, &n))) {
		web_raw(x->req, "<p>");
		web_text(x->req, web_code_text(rc));
		web_raw(x->req, "</p>\n</section>\n");
		return;
	}
	if (x->rules.reschedule_needs_approval)
		web_raw(x->req, "<p>A new time needs our approval; until then your booking keeps "
		                "its current time.</p>\n");
	web_raw(x->req, "<form method=\"post\" action=\"");
	web_text(x->req, x->page_url);
	web_raw(x->req, "/reschedule\">\n");
	hidden_token(x, "reschedule");
	slot_list(x, s, n);
	if (n)
		web_raw(x->req,
		        "<button type=\"submit\" id=\"move-button\">Move my booking</button>\n");
	web_raw(x->req, "</form>\n");
	week_nav(x, week, last);
	web_raw(x->req, "</section>\n");
}

int web_manage_show(struct web_ctx *x)
{
	struct web_field *q = NULL;
	size_t nq = 0;
	const char *done = NULL, *w = NULL;
	int week = 0;

	if (x->req->query &&
	    !web_form_decode(x->a, x->req->query, strlen(x->req->query), &q, &nq)) {
		done = web_form_get(q, nq, "done");
		w = web_form_get(q, nq, "week");
	}
	if (w && strlen(w) <= 3 && strspn(w, "0123456789") == strlen(w) && *w)
		week = atoi(w);
	web_page_begin(x->req, "Your booking");
	web_raw(x->req, "<h1>");
	web_text(x->req, x->svc.name);
	web_raw(x->req, "</h1>\n");
	for (size_t i = 0; done && i < sizeof(done_msgs) / sizeof(done_msgs[0]); i++) {
		if (!strcmp(done, done_msgs[i].key)) {
			web_raw(x->req, "<p class=\"notice\" role=\"status\" id=\"done\">");
			web_text(x->req, done_msgs[i].text);
			web_raw(x->req, "</p>\n");
		}
	}
	show_details(x);
	if (finished(x)) {
		web_raw(x->req, x->b.status == STORE_BK_CANCELLED
		                    ? "<p>This booking was cancelled.</p>\n"
		                    : "<p>This appointment is over.</p>\n");
	} else {
		show_move(x, week);
		show_cancel(x);
	}
	return web_page_end(x->req, 200);
}

/* ---- the posts ---------------------------------------------------------- */

static int refused(struct web_ctx *x, int rc)
{
	int status = web_code_status(rc);

	web_page_begin(x->req, "Not possible");
	web_raw(x->req, "<h1>Not possible</h1>\n<p class=\"notice problem\" role=\"alert\">");
	web_text(x->req, web_code_text(rc));
	web_raw(x->req, "</p>\n<p><a href=\"");
	web_text(x->req, x->page_url);
	web_raw(x->req, "\">Back to your booking</a></p>\n");
	return web_page_end(x->req, status);
}

int web_manage_cancel(struct web_ctx *x)
{
	struct store_booking out;
	struct web_field *f;
	const char *reason;
	size_t n;
	int status, rc;

	if ((status = read_form(x, &f, &n)))
		return status;
	if (finished(x))
		return gone_page(x);
	if ((status = check_form_token(x, "cancel", web_form_get(f, n, "csrf"))))
		return status;
	reason = web_form_get(f, n, "reason");
	if (reason && strlen(reason) > REASON_MAX)
		return refused(x, BOOKING_EINVALID);
	rc = booking_cancel(&x->bx, x->b.id, x->b.version, STORE_CANCEL_CUSTOMER,
	                    reason ? reason : "", &out, &x->err);
	if (rc)
		return refused(x, rc);
	return see_page(x, "cancelled");
}

int web_manage_reschedule(struct web_ctx *x)
{
	enum booking_outcome outcome = BOOKING_APPLIED;
	struct store_booking out;
	struct web_field *f;
	const char *start;
	char *end;
	long long t;
	size_t n;
	int status, rc;

	if ((status = read_form(x, &f, &n)))
		return status;
	if (finished(x))
		return gone_page(x);
	if ((status = check_form_token(x, "reschedule", web_form_get(f, n, "csrf"))))
		return status;
	start = web_form_get(f, n, "start");
	if (!start || !*start || strlen(start) > 12 || strspn(start, "0123456789") != strlen(start))
		return refused(x, BOOKING_EINVALID);
	t = strtoll(start, &end, 10);
	rc = booking_reschedule(&x->bx, x->b.id, x->b.version, (int64_t)t, 0, &out, &outcome,
	                        &x->err);
	if (rc)
		return refused(x, rc);
	return see_page(x, outcome == BOOKING_REQUESTED ? "requested" : "moved");
}
