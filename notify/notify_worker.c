/* notify_worker.c - the delivery worker: claim, fold, render, send, record.
 *
 * One poll (notify_poll) is:
 *
 *   1. claim     store_notification_claim: the due rows, each with a lease,
 *                sorted by booking; nothing else is in a transaction, so a
 *                slow relay never holds the database.
 *   2. fold      per booking, the customer's change messages that settled
 *                together become one: the last one, sent with the booking
 *                as it is now; a "created" that is still first stays
 *                "created" (the customer never heard of the booking), and a
 *                booking created and cancelled within the settle time gets
 *                none. Folded rows are withdrawn, naming the row that
 *                carries them. Staff rows and reminders are not folded.
 *   3. remind    the first time a booking's change is processed, its
 *                queued reminders are replaced by ones for its current
 *                time (none when cancelled): reminders follow the booking.
 *   4. send      render (template, iCalendar part, MIME) and hand it to
 *                the relay; Message-ID <notif-ID.EPOCH@host> is stable
 *                across retries and restarts, so a receiver can drop a
 *                copy that a crash between send and record let through.
 *   5. record    store_notification_finish: sent; failed (final: 5xx, no
 *                or bad address, a template error, a header that was
 *                refused, retries used up), with the reason; or queued
 *                again with next_try = now + backoff (4xx, connection).
 *
 * The booking is never touched: a message that cannot be made is a failed
 * row, never a lost or undone change.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "ics_event.h"
#include "ics_zone.h"
#include "notify_int.h"
#include "sd_log.h"
#include "sd_util.h"
#include "store_bk.h"

#define CLAIM_LEASE 300 /* seconds: longer than one SMTP transaction may take */
#define CLAIM_LIMIT 100 /* rows per poll */
#define LINK_DAYS   30  /* manage links stay valid this long after the appointment */
#define PRODID      "-//slotdav//slotdav notify//EN"

int64_t notify_backoff(int backoff_seconds, int attempts)
{
	int64_t d = backoff_seconds > 0 ? backoff_seconds : 1;

	for (int i = 1; i < attempts && d < 6 * 3600; i++)
		d *= 2;
	return d < 6 * 3600 ? d : 6 * 3600;
}

int notify_tls_parse(const char *s)
{
	return !strcmp(s, "off")        ? NOTIFY_TLS_OFF
	       : !strcmp(s, "try")      ? NOTIFY_TLS_TRY
	       : !strcmp(s, "required") ? NOTIFY_TLS_REQUIRED
	                                : -1;
}

int notify_reminders_parse(const char *s, int hours[NOTIFY_MAX_REMINDERS], int *n,
                           struct sd_err *err)
{
	const char *p = s;

	*n = 0;
	while (*p) {
		char *e;
		long h;

		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		h = strtol(p, &e, 10);
		if (e == p || h < 1 || h > 8760 || *n == NOTIFY_MAX_REMINDERS)
			return sd_err_set(
			    err, NOTIFY_EINVALID,
			    "reminders: \"%s\" is not a list of up to %d hours (1..8760)", s,
			    NOTIFY_MAX_REMINDERS);
		hours[(*n)++] = (int)h;
		p = e;
		while (*p == ' ')
			p++;
		if (*p && *p != ',')
			return sd_err_set(err, NOTIFY_EINVALID, "reminders: \"%s\": expected ','",
			                  s);
	}
	return 0;
}

/* Everything a message about one booking is made of. */
struct party {
	struct store_booking b;
	struct store_location loc;
	struct store_service svc;
	struct store_customer cust;
	struct store_staff staff;
};

static int party_load(struct store_conn *c, struct sd_arena *a, int64_t booking_id, struct party *p,
                      struct sd_err *err)
{
	int rc;

	if ((rc = store_booking_get(c, booking_id, a, &p->b, err)) ||
	    (rc = store_location_get(c, p->b.location_id, a, &p->loc, err)) ||
	    (rc = store_service_get(c, p->b.service_id, a, &p->svc, err)) ||
	    (rc = store_customer_get(c, p->b.customer_id, a, &p->cust, err)))
		return rc;
	return store_staff_get(c, p->b.staff_id, a, &p->staff, err);
}

static const char *local_time(struct sd_arena *a, const char *tz, int64_t t)
{
	static const char *const wd[] = { "", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int64_t wall, day, sec;
	int y, m, d;

	if (ics_zone_wall(tz, t, &wall)) {
		wall = t;
		tz = "UTC";
	}
	day = wall >= 0 ? wall / 86400 : (wall - 86399) / 86400;
	sec = wall - day * 86400;
	ics_civil_from_days(day, &y, &m, &d);
	return sd_arena_printf(a, "%s %d %s %d, %02d:%02d (%s)", wd[ics_weekday(day)], d,
	                       mon[m - 1], y, (int)(sec / 3600), (int)(sec / 60 % 60), tz);
}

/* Reminder hours of a location: <templates>/location-<id>/reminders, else
 * the configured default. */
static void reminder_hours(struct sd_arena *a, const struct notify_opts *o, int64_t loc,
                           int hours[NOTIFY_MAX_REMINDERS], int *n)
{
	const char *spec = o->reminders ? o->reminders : "";
	struct sd_err e = { 0 };
	char buf[128];
	FILE *f;

	if (o->templates && *o->templates &&
	    (f = fopen(
	         sd_arena_printf(a, "%s/location-%lld/reminders", o->templates, (long long)loc),
	         "r"))) {
		if (fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\r\n")] = '\0';
			spec = sd_arena_strdup(a, buf);
		}
		fclose(f);
	}
	if (notify_reminders_parse(spec, hours, n, &e)) {
		SD_WARN("notify_reminders", "location=%lld error=%s", (long long)loc, e.msg);
		*n = 0;
	}
}

static int booking_active(const struct store_booking *b)
{
	return b->status == STORE_BK_CONFIRMED || b->status == STORE_BK_PENDING;
}

static int reminders_sync(struct store_conn *c, struct sd_arena *a, const struct notify_opts *o,
                          const struct party *p, int64_t now, struct sd_err *err)
{
	int hours[NOTIFY_MAX_REMINDERS], nh = 0;
	int64_t at[NOTIFY_MAX_REMINDERS];

	if (booking_active(&p->b))
		reminder_hours(a, o, p->loc.id, hours, &nh);
	for (int i = 0; i < nh; i++)
		at[i] = p->b.start - (int64_t)hours[i] * 3600;
	return store_notification_reminders_set(c, p->b.id, at, (size_t)nh, now, err);
}

/* The message of row n (as kind) in *out; NOTIFY_E* or a STORE_E* code. */
static int compose(struct store_conn *c, struct sd_arena *a, const struct notify_opts *o,
                   const struct store_notification *n, const char *kind, const struct party *p,
                   int64_t now, char **out, const char **rcpt, struct sd_err *err)
{
	int staff = !strcmp(n->recipient, "staff");
	const char *to_addr = staff ? p->staff.email : p->cust.email;
	const char *to_name = staff ? p->staff.name : p->cust.name;
	const char *manage = "", *reason = "", *token = NULL, *method;
	struct notify_tmpl t;
	struct notify_msg m = { 0 };
	char *subject, *text, *html;
	int rc;

	*rcpt = to_addr;
	if (!to_addr || !*to_addr)
		return sd_err_set(err, NOTIFY_EINVALID, "no email address for the %s",
		                  n->recipient);
	if (!notify_addr_valid(to_addr))
		return sd_err_set(err, NOTIFY_EINVALID, "invalid recipient address");
	if ((rc = notify_tmpl_load(a, o->templates, p->loc.id, kind, &t, err)))
		return rc;
	if (!staff && o->link)
		token = o->link(o->link_cls, a, p->b.id,
		                (p->b.end > now ? p->b.end : now) + LINK_DAYS * 86400);
	if (token)
		manage = sd_arena_printf(a, "%s/manage/%s", o->base_url, token);
	if (p->b.status == STORE_BK_CANCELLED && *p->b.cancel_text)
		reason = sd_arena_printf(a, " (%s)", p->b.cancel_text);
	{
		const struct notify_var v[] = {
			{ "customer_name", p->cust.name },
			{ "staff_name", p->staff.name },
			{ "service", p->svc.name },
			{ "start_local", local_time(a, p->loc.timezone, p->b.start) },
			{ "end_local", local_time(a, p->loc.timezone, p->b.end) },
			{ "location", p->loc.name },
			{ "location_address", p->loc.address },
			{ "manage_url", manage },
			{ "reason", reason },
			{ "notes", p->b.notes_public },
			{ "booking_id", sd_arena_printf(a, "%lld", (long long)p->b.id) },
		};
		size_t nv = sizeof(v) / sizeof(v[0]);

		if ((rc = notify_tmpl_render(a, t.subject, v, nv, 0, &subject, err)) ||
		    (rc = notify_tmpl_render(a, t.text, v, nv, 0, &text, err)) ||
		    (rc = notify_tmpl_render(a, t.html, v, nv, 1, &html, err)))
			return rc;
	}
	method = t.method && p->b.status == STORE_BK_CANCELLED ? "CANCEL" : t.method;
	if (method && !staff) {
		struct ics_party org = { p->loc.name,
			                 sd_arena_printf(a, "mailto:%s",
			                                 notify_addr_valid(p->loc.email)
			                                     ? p->loc.email
			                                     : o->smtp_from),
			                 NULL, NULL };
		struct ics_party att = { p->cust.name, sd_arena_printf(a, "mailto:%s", to_addr),
			                 "REQ-PARTICIPANT", "ACCEPTED" };
		struct ics_event ev = {
			.uid = p->b.uid,
			.dtstamp = now,
			.start = p->b.start,
			.end = p->b.end,
			.sequence = p->b.sequence,
			.status = !strcmp(method, "CANCEL")         ? "CANCELLED"
			          : p->b.status == STORE_BK_PENDING ? "TENTATIVE"
			                                            : "CONFIRMED",
			.summary = sd_arena_printf(a, "%s at %s", p->svc.name, p->loc.name),
			.location = *p->loc.address
			                ? sd_arena_printf(a, "%s, %s", p->loc.name, p->loc.address)
			                : p->loc.name,
			.description = *manage ? sd_arena_printf(a, "Manage: %s", manage) : NULL,
			.organizer = &org,
			.attendees = &att,
			.nattendees = 1,
		};

		m.ics = ics_event_render_method(a, &ev, PRODID, method);
		m.method = method;
	}
	m.from_name = notify_flatten(a, p->loc.name);
	m.from_addr = o->smtp_from;
	m.to_name = notify_flatten(a, to_name);
	m.to_addr = to_addr;
	m.reply_to = notify_addr_valid(p->loc.email) ? p->loc.email : NULL;
	m.subject = notify_flatten(a, subject);
	m.message_id = sd_arena_printf(a, "notif-%lld.%s@%s", (long long)n->id, store_epoch(c),
	                               o->host && *o->host ? o->host : "slotdav");
	m.date = now;
	m.list_unsubscribe = !strcmp(kind, STORE_NOTIFY_REMINDER) && *manage ? manage : NULL;
	m.text = text;
	m.html = html;
	return notify_mime_build(a, &m, out, err);
}

/* Records the outcome rc of row n. */
static int finish(struct store_conn *c, const struct notify_opts *o, struct store_notification n,
                  int rc, const char *why, int64_t now, struct sd_err *err)
{
	n.attempts++;
	n.last_error = rc ? why : "";
	n.next_try = 0;
	if (!rc) {
		n.state = STORE_NOTIFY_SENT;
		n.sent = now;
	} else if (rc == NOTIFY_ETEMP && n.attempts < o->retry_max) {
		n.state = STORE_NOTIFY_QUEUED;
		n.next_try = now + notify_backoff(o->backoff_seconds, n.attempts);
	} else {
		n.state = STORE_NOTIFY_FAILED;
	}
	SD_INFO("notify", "id=%lld booking=%lld kind=%s state=%d attempts=%d error=\"%s\"",
	        (long long)n.id, (long long)n.booking_id, n.kind, n.state, n.attempts,
	        n.last_error);
	return store_notification_finish(c, &n, err);
}

static int withdraw(struct store_conn *c, struct store_notification n, const char *why,
                    struct sd_err *err)
{
	n.state = STORE_NOTIFY_WITHDRAWN;
	n.last_error = why;
	n.next_try = 0;
	return store_notification_finish(c, &n, err);
}

static int deliver(struct store_conn *c, struct sd_arena *a, const struct notify_opts *o,
                   const struct store_notification *n, const char *kind, const struct party *p,
                   int64_t now, struct sd_err *err)
{
	struct sd_err e = { 0 };
	const char *rcpt = NULL;
	char *msg = NULL;
	int rc;

	rc = compose(c, a, o, n, kind, p, now, &msg, &rcpt, &e);
	if (rc == STORE_EIO || rc == STORE_EBUSY) {
		sd_err_set(err, rc, "%s", e.msg);
		return rc;
	}
	if (!rc)
		rc = notify_smtp_send(o, rcpt, msg, &e);
	else if (rc != NOTIFY_ETEMP)
		rc = NOTIFY_EPERM; /* a message that cannot be made will never be */
	return finish(c, o, *n, rc, e.msg, now, err);
}

/* Rows g[0..k) of one booking. */
static int handle_booking(struct store_conn *c, struct sd_arena *a, const struct notify_opts *o,
                          struct store_notification *g, size_t k, int64_t now, int *handled,
                          struct sd_err *err)
{
	struct party p;
	struct sd_err e = { 0 };
	size_t first = k, last = k;
	const char *kind;
	int rc;

	if ((rc = party_load(c, a, g[0].booking_id, &p, &e))) {
		if (rc != STORE_ENOTFOUND)
			return sd_err_set(err, rc, "%s", e.msg);
		for (size_t i = 0; i < k && !rc; i++, (*handled)++)
			rc = finish(c, o, g[i], NOTIFY_EPERM, e.msg, now, err);
		return rc;
	}
	/* customer change rows: first and last */
	for (size_t i = 0; i < k; i++)
		if (!strcmp(g[i].recipient, "customer") &&
		    strcmp(g[i].kind, STORE_NOTIFY_REMINDER)) {
			if (first == k)
				first = i;
			last = i;
		}
	if (first < k && g[last].attempts == 0 && (rc = reminders_sync(c, a, o, &p, now, err)))
		return rc;
	for (size_t i = 0; i < k && !rc; i++, (*handled)++) {
		struct store_notification *n = &g[i];

		if (!strcmp(n->kind, STORE_NOTIFY_REMINDER)) {
			rc = booking_active(&p.b) && p.b.start > now
			         ? deliver(c, a, o, n, n->kind, &p, now, err)
			         : withdraw(c, *n, "the booking is no longer due", err);
		} else if (strcmp(n->recipient, "customer")) {
			rc = deliver(c, a, o, n, n->kind, &p, now, err);
		} else if (i != last) {
			rc = withdraw(c, *n,
			              sd_arena_printf(a, "folded into %lld", (long long)g[last].id),
			              err);
		} else if (!strcmp(g[first].kind, "created") && first != last &&
		           p.b.status == STORE_BK_CANCELLED) {
			rc = withdraw(c, *n, "created and cancelled within the settle time", err);
		} else {
			kind = first != last && !strcmp(g[first].kind, "created") ? "created"
			                                                          : n->kind;
			rc = deliver(c, a, o, n, kind, &p, now, err);
		}
	}
	return rc;
}

int notify_poll(struct store *st, const struct notify_opts *o, int64_t now, int *handled,
                struct sd_err *err)
{
	struct store_notification *v = NULL;
	struct store_conn *c = NULL;
	struct sd_arena *a = sd_arena_new();
	size_t n = 0, i = 0;
	int count = 0, rc;

	if (!o->smtp_url || !*o->smtp_url) {
		rc = 0;
		goto out;
	}
	if ((rc = store_conn_acquire(st, &c, err)) ||
	    (rc = store_notification_claim(c, now, o->settle_seconds, CLAIM_LEASE, CLAIM_LIMIT, a,
	                                   &v, &n, err)))
		goto out;
	while (i < n && !rc) {
		size_t j = i;

		while (j < n && v[j].booking_id == v[i].booking_id)
			j++;
		rc = handle_booking(c, a, o, v + i, j - i, now, &count, err);
		i = j;
	}
out:
	if (c)
		store_conn_release(c);
	sd_arena_free(a);
	if (handled)
		*handled = count;
	return rc;
}

/* ---- the thread -------------------------------------------------------- */

struct notify_worker {
	struct store *st;
	struct notify_opts o;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
};

static void *run(void *cls)
{
	struct notify_worker *w = cls;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		struct sd_err e = { 0 };
		struct timespec ts;

		pthread_mutex_unlock(&w->mu);
		if (notify_poll(w->st, &w->o, sd_now(), NULL, &e))
			SD_WARN("notify_poll", "error=\"%s\"", e.msg);
		pthread_mutex_lock(&w->mu);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += w->o.poll_ms / 1000;
		ts.tv_nsec += (long)(w->o.poll_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (!w->stop && pthread_cond_timedwait(&w->cv, &w->mu, &ts) == 0)
			;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int notify_start(struct notify_worker **out, struct store *st, const struct notify_opts *o,
                 struct sd_err *err)
{
	struct notify_worker *w;
	int hours[NOTIFY_MAX_REMINDERS], nh, rc;

	*out = NULL;
	if ((rc = notify_reminders_parse(o->reminders ? o->reminders : "", hours, &nh, err)))
		return rc;
	if (o->smtp_url && *o->smtp_url) {
		if (strncmp(o->smtp_url, "smtp://", 7) && strncmp(o->smtp_url, "smtps://", 8))
			return sd_err_set(err, NOTIFY_EINVALID,
			                  "smtp.url: \"%s\" is not smtp:// or smtps://",
			                  o->smtp_url);
		if (!notify_addr_valid(o->smtp_from))
			return sd_err_set(err, NOTIFY_EINVALID,
			                  "smtp.from: a plain address is needed with smtp.url");
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	w = sd_xcalloc(1, sizeof(*w));
	w->st = st;
	w->o = *o;
	if (w->o.poll_ms < 10)
		w->o.poll_ms = 10;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->thread, NULL, run, w)) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		curl_global_cleanup();
		return sd_err_set(err, NOTIFY_EINVALID, "cannot start the notification worker");
	}
	SD_INFO("notify_started", "delivery=%s poll_ms=%d settle=%d",
	        o->smtp_url && *o->smtp_url ? "on" : "off", w->o.poll_ms, o->settle_seconds);
	*out = w;
	return 0;
}

void notify_stop(struct notify_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
	curl_global_cleanup();
}
