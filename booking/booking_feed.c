/* booking_feed.c - iCalendar feeds (SPEC 3): their tokens and the calendar
 * a feed shows.
 *
 * A feed is a read-only calendar at an unguessable URL, for subscribing in
 * Google Calendar, Outlook or Apple Calendar, which cannot log in. Its
 * token is the only secret: 24 bytes from RAND_bytes (192 bits), base64url
 * without padding (32 characters). Only the hex SHA-256 of the token is
 * stored, so a copy of the database does not open any feed; the token is
 * shown once, when it is made. Looking a token up is a lookup of its hash
 * (an index probe whose time does not depend on how much of a guess
 * matches), and every way of not finding it (malformed, unknown, revoked,
 * its subject gone) is the same BOOKING_ENOTFOUND, so the front answers
 * all of them alike.
 *
 * Who may make, list and revoke feeds is decided here: admins (and the
 * CLI) any; staff their own staff feed; customers their own customer feed.
 *
 * What a feed shows (booking_feed_render):
 *   customer  their bookings; staff  the bookings assigned to them;
 *   location  every booking there.
 * Bounded to appointments overlapping [now - 90 days, now + 365 days):
 * a subscribed calendar is fetched every hour by every subscriber, so its
 * size must not grow with the history. Cancelled bookings are left out
 * unless the feed asks for them (then STATUS:CANCELLED, transparent).
 * Pending ones are TENTATIVE; completed and no-shows stay CONFIRMED (they
 * took place, or the time was held). Times are written in the location's
 * zone, with its VTIMEZONE. UID and SEQUENCE are the booking's, the ones
 * its calendar objects and e-mails carry, so a client that imported an
 * invitation matches it with the feed's event.
 *
 * A staff feed may also show the member's personal calendars (every
 * calendar of their home but the Bookings one, whose bookings the feed
 * already has and whose other objects are blocked time the member keeps
 * for themselves): each instance of their events in the window (ical/
 * expands them: ics_occurrences, the instances availability counts as
 * busy, so TRANSP:TRANSPARENT and STATUS:CANCELLED are left out) becomes
 * one event, "Busy" only (personal busy) or with its SUMMARY and
 * LOCATION (personal full), nothing else: no description, attendees or
 * alarms. Its UID is made from the calendar, the object's UID and the
 * instance (a hash: the object's UID may say more than "busy"), stable
 * across fetches. A busy-only feed shows them as "Busy" whatever the
 * personal level. Their calendars' last change counts for last_modified.
 *
 * Privacy: a busy-only feed carries per event only UID, times, SEQUENCE,
 * STATUS, TRANSP and SUMMARY "Busy": no names, addresses, phone numbers,
 * notes, services or X-SLOTDAV-* properties; its calendar name holds no
 * customer's name either. Full feeds show names and public notes but
 * never private notes: a feed URL is easily passed on, and it is not a
 * login.
 *
 * The body is a pure function of the bookings and the clock's day window,
 * so the front can hash it for a strong ETag; last_modified is the newest
 * change of any booking in the window (cancelled ones included, so one
 * that left the feed still moves it) or the token's creation.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "booking_int.h"
#include "ics_event.h"
#include "ics_occur.h"

#define TOKEN_RAW 24
#define DAY       86400

static const char *kind_name(int kind)
{
	switch (kind) {
	case STORE_FEED_CUSTOMER:
		return "customer";
	case STORE_FEED_STAFF:
		return "staff";
	case STORE_FEED_LOCATION:
		return "location";
	default:
		return NULL;
	}
}

const char *booking_feed_kind_name(int kind)
{
	return kind_name(kind);
}

int booking_feed_kind_from_name(const char *name)
{
	for (int k = STORE_FEED_CUSTOMER; k <= STORE_FEED_LOCATION; k++)
		if (name && !strcmp(name, kind_name(k)))
			return k;
	return 0;
}

static const char *const personal_names[] = {
	[STORE_FEED_PERSONAL_NONE] = "none",
	[STORE_FEED_PERSONAL_BUSY] = "busy",
	[STORE_FEED_PERSONAL_FULL] = "full",
};

const char *booking_feed_personal_name(int personal)
{
	return personal >= 0 && (size_t)personal < SD_ARRAY_LEN(personal_names)
	           ? personal_names[personal]
	           : NULL;
}

int booking_feed_personal_from_name(const char *name)
{
	for (size_t i = 0; name && i < SD_ARRAY_LEN(personal_names); i++)
		if (!strcmp(name, personal_names[i]))
			return (int)i;
	return -1;
}

/* ---- tokens ------------------------------------------------------------- */

int booking_feed_token_ok(const char *token)
{
	size_t n = 0;

	if (!token)
		return 0;
	for (; token[n]; n++) {
		char c = token[n];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
	}
	return n == BOOKING_FEED_TOKEN_LEN;
}

void booking_feed_token_hash(char out[65], const char *token)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned len = 0;

	if (EVP_Digest(token, strlen(token), md, &len, EVP_sha256(), NULL) != 1 || len != 32)
		abort(); /* only out of memory makes a digest fail */
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

/* base64url (RFC 4648 5) without padding; raw is a multiple of 3 long. */
static void token_make(char out[BOOKING_FEED_TOKEN_LEN + 1])
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char raw[TOKEN_RAW];
	size_t o = 0;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		abort(); /* no entropy: nothing safe to hand out */
	for (size_t i = 0; i < sizeof(raw); i += 3) {
		unsigned v = (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8 | raw[i + 2];

		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
		out[o++] = b64[v & 63];
	}
	out[o] = '\0';
}

/* BOOKING_EFORBIDDEN unless the actor may manage feeds of (kind, subject). */
static int may_manage(const struct booking_ctx *x, int kind, int64_t subject, struct sd_err *err)
{
	const struct booking_actor *a = x->actor;

	if (booking_is_admin(x))
		return BOOKING_OK;
	if (a->role == BOOKING_ROLE_STAFF && kind == STORE_FEED_STAFF && subject == a->staff_id)
		return BOOKING_OK;
	if (a->role == BOOKING_ROLE_CUSTOMER && kind == STORE_FEED_CUSTOMER &&
	    subject == a->customer_id)
		return BOOKING_OK;
	return sd_err_set(err, BOOKING_EFORBIDDEN,
	                  "you may manage only your own feed (admins: any)");
}

static int subject_check(struct booking_ctx *x, int kind, int64_t id, struct sd_err *err)
{
	struct store_location l;
	struct store_staff s;
	struct store_customer c;
	int rc;

	switch (kind) {
	case STORE_FEED_CUSTOMER:
		rc = store_customer_get(x->conn, id, x->a, &c, err);
		break;
	case STORE_FEED_STAFF:
		rc = store_staff_get(x->conn, id, x->a, &s, err);
		break;
	case STORE_FEED_LOCATION:
		rc = store_location_get(x->conn, id, x->a, &l, err);
		break;
	default:
		return sd_err_set(err, BOOKING_EINVALID,
		                  "kind must be \"customer\", \"staff\" or \"location\"");
	}
	if (rc == STORE_ENOTFOUND)
		return sd_err_set(err, BOOKING_ENOTFOUND, "no %s %lld", kind_name(kind),
		                  (long long)id);
	return booking_store_rc(rc, err);
}

int booking_feed_create(struct booking_ctx *x, const struct store_feed_token *in,
                        struct store_feed_token *out, const char **token_out, struct sd_err *err)
{
	char token[BOOKING_FEED_TOKEN_LEN + 1], hash[65];
	struct store_feed_token t = *in;
	int rc;

	*token_out = NULL;
	if (!kind_name(in->kind))
		return sd_err_set(err, BOOKING_EINVALID,
		                  "kind must be \"customer\", \"staff\" or \"location\"");
	if (!booking_feed_personal_name(in->personal))
		return sd_err_set(err, BOOKING_EINVALID,
		                  "personal must be \"none\", \"busy\" or \"full\"");
	if (in->personal && in->kind != STORE_FEED_STAFF)
		return sd_err_set(err, BOOKING_EINVALID,
		                  "personal calendars can be shown in staff feeds only");
	if ((rc = may_manage(x, in->kind, in->subject_id, err)))
		return rc;
	if ((rc = booking_txn_begin(x, err)))
		return rc;
	if ((rc = subject_check(x, in->kind, in->subject_id, err)))
		goto out;
	token_make(token);
	booking_feed_token_hash(hash, token);
	t.token_hash = sd_arena_strdup(x->a, hash);
	t.busy_only = !!in->busy_only;
	t.with_cancelled = !!in->with_cancelled;
	t.created = x->now;
	t.revoked = 0;
	if ((rc = booking_store_rc(store_feed_token_create(x->conn, &t, &t.id, err), err)))
		goto out;
	*out = t;
	*token_out = sd_arena_strdup(x->a, token);
out:
	rc = booking_txn_end(x, rc, err);
	OPENSSL_cleanse(token, sizeof(token));
	return rc;
}

/* The feeds the actor may see: all for admins, else their own kind and
 * subject. */
static int visible_list(struct booking_ctx *x, struct store_feed_token **out, size_t *n,
                        struct sd_err *err)
{
	const struct booking_actor *a = x->actor;
	int kind = 0;
	int64_t subject = 0;

	if (!booking_is_admin(x)) {
		kind = a->role == BOOKING_ROLE_STAFF ? STORE_FEED_STAFF : STORE_FEED_CUSTOMER;
		subject = a->role == BOOKING_ROLE_STAFF ? a->staff_id : a->customer_id;
		if (!subject) {
			*out = NULL;
			*n = 0;
			return BOOKING_OK;
		}
	}
	return booking_store_rc(store_feed_token_list(x->conn, kind, subject, x->a, out, n, err),
	                        err);
}

int booking_feed_list(struct booking_ctx *x, struct store_feed_token **out, size_t *n,
                      struct sd_err *err)
{
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = booking_read_begin(x, err)))
		return rc;
	rc = visible_list(x, out, n, err);
	booking_read_end(x);
	return rc;
}

int booking_feed_revoke(struct booking_ctx *x, int64_t id, struct sd_err *err)
{
	struct store_feed_token *v;
	size_t n, i;
	int rc;

	if ((rc = booking_txn_begin(x, err)))
		return rc;
	if ((rc = visible_list(x, &v, &n, err)))
		goto out;
	for (i = 0; i < n && v[i].id != id; i++)
		;
	if (i == n || v[i].revoked) {
		rc = sd_err_set(err, BOOKING_ENOTFOUND, "no valid feed %lld", (long long)id);
		goto out;
	}
	rc = booking_store_rc(store_feed_token_revoke(x->conn, id, x->now, err), err);
out:
	return booking_txn_end(x, rc, err);
}

int booking_feed_find(struct booking_ctx *x, const char *token, struct store_feed_token *out,
                      struct sd_err *err)
{
	char hash[65];
	int rc;

	if (!booking_feed_token_ok(token))
		return sd_err_set(err, BOOKING_ENOTFOUND, "no such feed");
	booking_feed_token_hash(hash, token);
	if ((rc = booking_read_begin(x, err)))
		return rc;
	rc = booking_store_rc(store_feed_token_find(x->conn, hash, x->a, out, err), err);
	booking_read_end(x);
	if (rc == BOOKING_ENOTFOUND)
		sd_err_set(err, rc, "no such feed");
	return rc;
}

/* ---- the calendar ------------------------------------------------------- */

/* What bookings refer to, each read once per feed. */
struct memo {
	struct store_location *loc;
	struct store_service *svc;
	struct store_staff *staff;
	struct store_customer *cust;
	size_t nloc, nsvc, nstaff, ncust;
};

#define MEMO_GET(fn, type, arr, cnt, getter)                                     \
	static const type *fn(struct booking_ctx *x, struct memo *m, int64_t id, \
	                      struct sd_err *err)                                \
	{                                                                        \
		type *v;                                                         \
		for (size_t i = 0; i < m->cnt; i++)                              \
			if (m->arr[i].id == id)                                  \
				return &m->arr[i];                               \
		v = sd_arena_alloc(x->a, (m->cnt + 1) * sizeof(*v));             \
		if (m->cnt)                                                      \
			memcpy(v, m->arr, m->cnt * sizeof(*v));                  \
		if (getter(x->conn, id, x->a, &v[m->cnt], err))                  \
			return NULL;                                             \
		m->arr = v;                                                      \
		return &m->arr[m->cnt++];                                        \
	}

MEMO_GET(memo_loc, struct store_location, loc, nloc, store_location_get)
MEMO_GET(memo_svc, struct store_service, svc, nsvc, store_service_get)
MEMO_GET(memo_staff, struct store_staff, staff, nstaff, store_staff_get)
MEMO_GET(memo_cust, struct store_customer, cust, ncust, store_customer_get)

static const char *cal_address(struct sd_arena *a, const char *email, const char *kind, int64_t id)
{
	if (email && *email)
		return sd_arena_printf(a, "mailto:%s", email);
	return sd_arena_printf(a, "urn:x-slotdav:%s:%lld", kind, (long long)id);
}

static const char *feed_status(int status)
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

/* The full-detail parts of ev for booking b. */
static int event_details(struct booking_ctx *x, struct memo *m, const struct store_feed_token *t,
                         const struct store_booking *b, const struct store_location *loc,
                         struct ics_event *ev, struct sd_err *err)
{
	const struct store_service *svc = memo_svc(x, m, b->service_id, err);
	const struct store_staff *st = memo_staff(x, m, b->staff_id, err);
	const struct store_customer *cu = memo_cust(x, m, b->customer_id, err);
	struct ics_party *org = sd_arena_alloc(x->a, sizeof(*org));
	struct ics_party *att = sd_arena_alloc(x->a, 2 * sizeof(*att));
	struct ics_xprop *xp = sd_arena_alloc(x->a, 3 * sizeof(*xp));

	if (!svc || !st || !cu)
		return BOOKING_EIO;
	*org = (struct ics_party){ loc->name, cal_address(x->a, loc->email, "location", loc->id),
		                   NULL, NULL };
	att[0] = (struct ics_party){ cu->name, cal_address(x->a, cu->email, "customer", cu->id),
		                     "REQ-PARTICIPANT", NULL };
	att[1] = (struct ics_party){ st->name, cal_address(x->a, st->email, "staff", st->id),
		                     "CHAIR", NULL };
	ev->summary = t->kind == STORE_FEED_CUSTOMER
	                  ? sd_arena_printf(x->a, "%s at %s", svc->name, loc->name)
	                  : sd_arena_printf(x->a, "%s: %s", svc->name, cu->name);
	ev->location =
	    *loc->address ? sd_arena_printf(x->a, "%s, %s", loc->name, loc->address) : loc->name;
	ev->description = *b->notes_public ? b->notes_public : NULL;
	ev->organizer = org;
	ev->attendees = att;
	ev->nattendees = 2;
	xp[0] = (struct ics_xprop){ "X-SLOTDAV-BOOKING-ID",
		                    sd_arena_printf(x->a, "%lld", (long long)b->id) };
	xp[1] = (struct ics_xprop){ "X-SLOTDAV-SERVICE", svc->name };
	xp[2] = (struct ics_xprop){ "X-SLOTDAV-STATUS", booking_status_name(b->status) };
	ev->xprops = xp;
	ev->nxprops = 3;
	return BOOKING_OK;
}

/* The calendar's name and zone: the subject's. */
static int head_of(struct booking_ctx *x, struct memo *m, const struct store_feed_token *t,
                   struct ics_calendar *cal, struct sd_err *err)
{
	const struct store_location *loc = NULL;
	const struct store_staff *st;
	const char *name = "My appointments";

	switch (t->kind) {
	case STORE_FEED_LOCATION:
		if (!(loc = memo_loc(x, m, t->subject_id, err)))
			return BOOKING_ENOTFOUND;
		name = loc->name;
		break;
	case STORE_FEED_STAFF:
		if (!(st = memo_staff(x, m, t->subject_id, err)))
			return BOOKING_ENOTFOUND;
		name = sd_arena_printf(x->a, "Bookings: %s", st->name);
		if (st->nlocations && !(loc = memo_loc(x, m, st->location_ids[0], err)))
			return BOOKING_EIO;
		break;
	default:
		if (!memo_cust(x, m, t->subject_id, err))
			return BOOKING_ENOTFOUND;
	}
	cal->name = t->busy_only ? sd_arena_printf(x->a, "%s (busy)", name) : name;
	cal->tzid = loc ? loc->timezone : NULL;
	return BOOKING_OK;
}

/* The feed's events, growing in the arena. */
struct evvec {
	struct sd_arena *a;
	struct ics_event *v;
	size_t n, cap;
};

static struct ics_event *ev_add(struct evvec *e)
{
	if (e->n == e->cap) {
		struct ics_event *v;

		e->cap = e->cap ? 2 * e->cap : 16;
		v = sd_arena_alloc(e->a, e->cap * sizeof(*v));
		if (e->n)
			memcpy(v, e->v, e->n * sizeof(*v));
		e->v = v;
	}
	memset(&e->v[e->n], 0, sizeof(e->v[0]));
	return &e->v[e->n++];
}

struct personal {
	struct booking_ctx *x;
	const struct store_feed_token *t;
	struct evvec *ev;
	int64_t bookings_coll, from, to;
	int64_t last_modified;
	const char *tzid;
	struct sd_err *err;
	int rc;
};

/* "p-" and 32 hex digits of SHA-256(calendar, UID, instance): stable, and
 * telling nothing of the object's UID. */
static const char *personal_uid(struct sd_arena *a, int64_t coll, const char *uid, int64_t rid)
{
	static const char hex[] = "0123456789abcdef";
	const char *in = sd_arena_printf(a, "%lld\n%s\n%lld", (long long)coll, uid, (long long)rid);
	unsigned char md[32];
	char s[33];

	if (EVP_Digest(in, strlen(in), md, NULL, EVP_sha256(), NULL) != 1)
		abort();
	for (int i = 0; i < 16; i++) {
		s[2 * i] = hex[md[i] >> 4];
		s[2 * i + 1] = hex[md[i] & 15];
	}
	s[32] = '\0';
	return sd_arena_printf(a, "p-%s@personal.slotdav", s);
}

/* The events of one personal calendar, as feed events. */
static int personal_calendar(void *cls, const struct store_coll *coll)
{
	struct personal *p = cls;
	int full = p->t->personal == STORE_FEED_PERSONAL_FULL && !p->t->busy_only;
	struct store_obj_iter *it = NULL;
	struct store_obj o;
	int rc;

	if (coll->kind != STORE_COLL_CALENDAR || coll->id == p->bookings_coll ||
	    !(coll->components & STORE_COMP_VEVENT))
		return 0;
	if (coll->modified > p->last_modified)
		p->last_modified = coll->modified;
	rc = store_obj_iter_new_range(p->x->conn, coll->id, STORE_COMP_VEVENT, p->from, p->to, 1,
	                              &it, p->err);
	while (!rc && (rc = store_obj_iter_next(it, &o, p->err)) == 1) {
		struct ics_occur *occ;
		struct sd_err e = { 0 };
		size_t n;

		rc = 0;
		/* an object that does not parse any more (stored by an older
		 * release) is left out: the feed must not fail on it */
		if (ics_occurrences(o.data, o.len, coll->timezone, p->from, p->to, p->x->a, &occ,
		                    &n, &e))
			continue;
		for (size_t i = 0; i < n; i++) {
			struct ics_event *ev = ev_add(p->ev);

			ev->uid = personal_uid(p->x->a, coll->id, occ[i].uid, occ[i].rid);
			ev->dtstamp = o.modified;
			ev->start = occ[i].start;
			ev->end = occ[i].end;
			ev->status = occ[i].tentative ? "TENTATIVE" : "CONFIRMED";
			ev->transp = "OPAQUE";
			ev->summary =
			    full && occ[i].summary && *occ[i].summary ? occ[i].summary : "Busy";
			ev->location =
			    full && occ[i].location && *occ[i].location ? occ[i].location : NULL;
			ev->tzid = p->tzid;
		}
	}
	store_obj_iter_free(it);
	if (rc < 0) {
		p->rc = booking_store_rc(rc, p->err);
		return 1;
	}
	return 0;
}

static int cmp_event(const void *pa, const void *pb)
{
	const struct ics_event *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return strcmp(a->uid, b->uid);
}

/* Adds the personal calendars of staff feed t to ev, sorted by start (the
 * body must not depend on the order storage gives). */
static int personal_add(struct booking_ctx *x, struct memo *m, const struct store_feed_token *t,
                        const struct ics_calendar *cal, const struct store_booking_filter *f,
                        struct evvec *ev, int64_t *last_modified, struct sd_err *err)
{
	const struct store_staff *st = memo_staff(x, m, t->subject_id, err);
	struct personal p = { x, t, ev, 0, f->from, f->to, 0, cal->tzid, err, 0 };
	struct store_coll home;
	size_t first = ev->n;
	int rc;

	if (!st)
		return BOOKING_EIO;
	p.bookings_coll = st->bookings_coll_id;
	rc = store_home_get(x->conn, st->user_id, x->a, &home, err);
	if (rc == STORE_ENOTFOUND)
		return BOOKING_OK; /* no calendars */
	if (rc)
		return booking_store_rc(rc, err);
	if ((rc = store_coll_foreach(x->conn, home.id, personal_calendar, &p, err)) && !p.rc)
		return booking_store_rc(rc, err);
	if (p.rc)
		return p.rc;
	qsort(ev->v + first, ev->n - first, sizeof(*ev->v), cmp_event);
	if (p.last_modified > *last_modified)
		*last_modified = p.last_modified;
	return BOOKING_OK;
}

static int render(struct booking_ctx *x, const struct store_feed_token *t, struct booking_feed *out,
                  struct sd_err *err)
{
	struct memo m = { 0 };
	struct store_booking_filter f = { .from = x->now - BOOKING_FEED_PAST_DAYS * DAY,
		                          .to = x->now + BOOKING_FEED_FUTURE_DAYS * DAY };
	struct ics_calendar cal = { .prodid = BOOKING_PRODID,
		                    .refresh = "PT1H",
		                    .zones_from = f.from };
	struct store_booking *b;
	struct evvec ev = { x->a, NULL, 0, 0 };
	size_t nb;
	int rc;

	if ((rc = head_of(x, &m, t, &cal, err)))
		return rc == BOOKING_ENOTFOUND ? sd_err_set(err, rc, "no such feed") : rc;
	if (t->kind == STORE_FEED_LOCATION)
		f.location_id = t->subject_id;
	else if (t->kind == STORE_FEED_STAFF)
		f.staff_id = t->subject_id;
	else
		f.customer_id = t->subject_id;
	if ((rc = booking_store_rc(store_booking_list(x->conn, &f, x->a, &b, &nb, err), err)))
		return rc;
	out->last_modified = t->created;
	for (size_t i = 0; i < nb; i++) {
		const struct store_location *loc;

		if (b[i].modified > out->last_modified)
			out->last_modified = b[i].modified;
		if (b[i].status == STORE_BK_CANCELLED && !t->with_cancelled)
			continue;
		if (!(loc = memo_loc(x, &m, b[i].location_id, err)))
			return BOOKING_EIO;
		if (!cal.tzid)
			cal.tzid = loc->timezone;
		*ev_add(&ev) = (struct ics_event){
			.uid = b[i].uid,
			.dtstamp = b[i].modified,
			.start = b[i].start,
			.end = b[i].end,
			.sequence = b[i].sequence,
			.status = feed_status(b[i].status),
			.transp = b[i].status == STORE_BK_CANCELLED ? "TRANSPARENT" : "OPAQUE",
			.summary = "Busy",
			.tzid = loc->timezone,
		};
		if (!t->busy_only &&
		    (rc = event_details(x, &m, t, &b[i], loc, &ev.v[ev.n - 1], err)))
			return rc;
	}
	if (t->kind == STORE_FEED_STAFF && t->personal &&
	    (rc = personal_add(x, &m, t, &cal, &f, &ev, &out->last_modified, err)))
		return rc;
	out->text = ics_calendar_render(x->a, &cal, ev.v, ev.n);
	out->len = strlen(out->text);
	out->nevents = ev.n;
	return BOOKING_OK;
}

int booking_feed_render(struct booking_ctx *x, const struct store_feed_token *t,
                        struct booking_feed *out, struct sd_err *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = booking_read_begin(x, err)))
		return rc;
	rc = render(x, t, out, err);
	booking_read_end(x);
	return rc;
}
