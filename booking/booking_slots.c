/* booking_slots.c - what availability depends on, gathered from storage, and
 * the two questions asked of it: "which slots are free" (the availability
 * call) and "may this slot be booked" (every create, reschedule, approve
 * and restore).
 *
 * The engine (booking_avail.c) is pure; this file fills its input:
 * - working hours: the staff member's weekly rows (all locations; the
 *   engine keeps the location's) and their exceptions for the local days
 *   around the range (two days of margin: a zone is less than a day off
 *   UTC);
 * - busy items: their pending and confirmed bookings at any location (one
 *   person cannot be in two places), each with the buffers it was booked
 *   with, minus the booking being moved; and the busy time of the events
 *   in their calendars (ics_fb: recurrences, EXDATEs, TRANSP and STATUS as
 *   RFC 4791 7.10 says). Objects of the Bookings calendar that are
 *   bookings are skipped (the booking rows already count, and a moved
 *   booking must not block itself); other events there are blocked time.
 * - the busy periods of their external calendars (feeds they subscribed,
 *   files an admin named): stored already expanded by the poller
 *   (extcal/), read as rows; a feed that stopped working keeps the
 *   periods of its last good fetch.
 * The same gathering serves both questions, so the slots offered and the
 * slots accepted can never disagree.
 */
#include <stdlib.h>
#include <string.h>

#include "booking_int.h"
#include "ics_freebusy.h"

#define DAY 86400
/* Widest buffered span a booking can have around it (service_check caps
 * buffers at 720 minutes, durations at a day). */
#define BUSY_MARGIN (2 * DAY)

struct gather {
	struct booking_avail_in in;
	struct booking_busy *busy;
	size_t nbusy, cap;
};

static void busy_add(struct sd_arena *a, struct gather *g, int64_t start, int64_t end,
                     int64_t before, int64_t after)
{
	if (g->nbusy == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 64;
		struct booking_busy *v = sd_arena_alloc(a, cap * sizeof(*v));

		if (g->nbusy)
			memcpy(v, g->busy, g->nbusy * sizeof(*v));
		g->busy = v;
		g->cap = cap;
	}
	g->busy[g->nbusy++] = (struct booking_busy){ start, end, before, after };
}

static int gather_bookings(struct booking_ctx *x, struct gather *g, int64_t staff_id, int64_t from,
                           int64_t to, int64_t exclude, struct sd_err *err)
{
	struct store_booking_filter f = {
		.staff_id = staff_id,
		.status_mask = 1u << STORE_BK_PENDING | 1u << STORE_BK_CONFIRMED,
		.from = from - BUSY_MARGIN,
		.to = to + BUSY_MARGIN,
	};
	struct store_booking *b;
	size_t n;
	int rc;

	if ((rc = store_booking_list(x->conn, &f, x->a, &b, &n, err)))
		return booking_store_rc(rc, err);
	for (size_t i = 0; i < n; i++)
		if (b[i].id != exclude)
			busy_add(x->a, g, b[i].start, b[i].end, b[i].buffer_before_min * 60LL,
			         b[i].buffer_after_min * 60LL);
	return BOOKING_OK;
}

struct cal_walk {
	struct booking_ctx *x;
	struct ics_fb *fb;
	int64_t bookings_coll;
	int64_t from, to;
	struct sd_err *err;
	int rc;
};

/* Adds the busy time of one calendar's events in range. */
static int walk_calendar(void *cls, const struct store_coll *coll)
{
	struct cal_walk *w = cls;
	struct store_obj_iter *it = NULL;
	struct store_obj o;
	struct store_booking bk;
	struct sd_err e;
	int rc;

	if (coll->kind != STORE_COLL_CALENDAR)
		return 0;
	rc = store_obj_iter_new_range(w->x->conn, coll->id,
	                              STORE_COMP_VEVENT | STORE_COMP_VFREEBUSY |
	                                  STORE_COMP_VAVAILABILITY,
	                              w->from, w->to, 1, &it, w->err);
	while (!rc && (rc = store_obj_iter_next(it, &o, w->err)) == 1) {
		rc = 0;
		if (coll->id == w->bookings_coll && o.uid) {
			rc = store_booking_get_by_uid(w->x->conn, o.uid, w->x->a, &bk, w->err);
			if (rc == STORE_OK)
				continue; /* a booking: its row counts, with its buffers */
			if (rc != STORE_ENOTFOUND)
				break;
			rc = 0;
		}
		/* An object that does not parse any more (stored by an older
		 * release) is skipped: availability must not fail on it. */
		if (ics_fb_add(w->fb, o.data, o.len, coll->timezone, &e) == ICS_ETOOMANY)
			rc = sd_err_set(w->err, BOOKING_EINVALID, "too much busy time: %s", e.msg);
	}
	store_obj_iter_free(it);
	if (rc < 0) {
		w->rc = rc == BOOKING_EINVALID ? rc : booking_store_rc(rc, w->err);
		return 1;
	}
	return 0;
}

static int gather_events(struct booking_ctx *x, struct gather *g, const struct store_staff *st,
                         int64_t from, int64_t to, struct sd_err *err)
{
	struct cal_walk w = { x, NULL, st->bookings_coll_id, from - DAY, to + DAY, err, 0 };
	const struct ics_period *p;
	struct store_period *ext;
	struct store_coll home;
	size_t n;
	int rc;

	if ((rc = store_home_get(x->conn, st->user_id, x->a, &home, err)))
		return booking_store_rc(rc, err);
	w.fb = ics_fb_new(x->a, w.from, w.to);
	if ((rc = store_coll_foreach(x->conn, home.id, walk_calendar, &w, err)) && !w.rc)
		return booking_store_rc(rc, err);
	if (w.rc)
		return w.rc;
	ics_fb_periods(w.fb, &p, &n);
	for (size_t i = 0; i < n; i++)
		busy_add(x->a, g, p[i].start, p[i].end, 0, 0);
	if ((rc = store_extcal_busy_list(x->conn, st->id, w.from, w.to, x->a, &ext, &n, err)))
		return booking_store_rc(rc, err);
	for (size_t i = 0; i < n; i++)
		busy_add(x->a, g, ext[i].start, ext[i].end, 0, 0);
	return BOOKING_OK;
}

/* Fills g for staff member st around [from, to). */
static int gather(struct booking_ctx *x, struct gather *g, const struct store_service *svc,
                  const struct store_location *loc, const struct booking_rules *rules,
                  const struct store_staff *st, int64_t from, int64_t to, int64_t exclude,
                  struct sd_err *err)
{
	struct store_hours *hours;
	struct store_exception *ex;
	size_t nh, ne;
	int rc;

	memset(g, 0, sizeof(*g));
	if ((rc = store_hours_get(x->conn, st->id, 0, x->a, &hours, &nh, err)) ||
	    (rc = store_exception_list(x->conn, st->id, from / DAY - 2, to / DAY + 3, x->a, &ex,
	                               &ne, err)))
		return booking_store_rc(rc, err);
	if (rules->realtime && ((rc = gather_bookings(x, g, st->id, from, to, exclude, err)) ||
	                        (rc = gather_events(x, g, st, from, to, err))))
		return rc;
	g->in = (struct booking_avail_in){
		.tzid = loc->timezone,
		.from = from,
		.to = to,
		.earliest = INT64_MIN,
		.latest = INT64_MAX,
		.duration = svc->duration_min * 60LL,
		.before = svc->buffer_before_min * 60LL,
		.after = svc->buffer_after_min * 60LL,
		.step = rules->slot_step_min * 60LL,
		.location_id = loc->id,
		.weekly = hours,
		.nweekly = nh,
		.exceptions = ex,
		.nexceptions = ne,
		.busy = g->busy,
		.nbusy = g->nbusy,
		.realtime = rules->realtime,
	};
	return BOOKING_OK;
}

static int performs(const struct store_service *svc, int64_t staff_id)
{
	for (size_t i = 0; i < svc->nstaff; i++)
		if (svc->staff_ids[i] == staff_id)
			return 1;
	return 0;
}

/* The staff member, who must be active and perform the service. */
static int staff_for(struct booking_ctx *x, const struct store_service *svc, int64_t staff_id,
                     struct store_staff *out, struct sd_err *err)
{
	int rc = store_staff_get(x->conn, staff_id, x->a, out, err);

	if (rc == STORE_ENOTFOUND)
		return sd_err_set(err, BOOKING_ENOTFOUND, "no staff member with id %lld",
		                  (long long)staff_id);
	if (rc)
		return booking_store_rc(rc, err);
	if (!out->active || !performs(svc, staff_id))
		return sd_err_set(err, BOOKING_ESERVICE_STAFF, "%s does not perform %s", out->name,
		                  svc->name);
	return BOOKING_OK;
}

/* The past is refused to everyone. The horizon too: it keeps the schedule
 * closed beyond the days the business has planned. The booking notice
 * protects the business from short-notice surprises, which its own staff
 * cannot be: it binds customers only (like the cancellation notice). */
static int time_rules(struct booking_ctx *x, const struct booking_slot_req *r, struct sd_err *err)
{
	const struct booking_rules *ru = r->rules;

	if (r->start < x->now)
		return sd_err_set(err, BOOKING_EPAST, "the time is in the past");
	if (r->start > x->now + ru->horizon_days * (int64_t)DAY)
		return sd_err_set(err, BOOKING_EHORIZON,
		                  "bookings can be made at most %d days ahead", ru->horizon_days);
	if (r->customer && r->start < x->now + ru->booking_notice_min * 60LL)
		return sd_err_set(err, BOOKING_ENOTICE,
		                  "bookings must be made at least %d minutes ahead",
		                  ru->booking_notice_min);
	return BOOKING_OK;
}

int booking_slot_check(struct booking_ctx *x, const struct booking_slot_req *r, struct sd_err *err)
{
	struct store_staff st;
	struct gather g;
	int rc;

	if ((rc = time_rules(x, r, err)) || (rc = staff_for(x, r->svc, r->staff_id, &st, err)))
		return rc;
	if ((rc = gather(x, &g, r->svc, r->loc, r->rules, &st, r->start - DAY, r->end + DAY,
	                 r->exclude_booking_id, err)))
		return rc;
	g.in.duration = r->end - r->start;
	/* Inside working hours starts keep to the grid, for everyone; outside
	 * them only staff may book (bypass), and there is no grid to keep. */
	if ((rc = booking_avail_in_hours(&g.in, r->start, err)) < 0)
		return rc;
	if (!rc && !r->bypass_hours)
		return sd_err_set(err, BOOKING_EHOURS, "%s does not work at that time", st.name);
	if (rc) {
		if ((rc = booking_avail_on_grid(&g.in, r->start, err)) < 0)
			return rc;
		if (!rc)
			return sd_err_set(err, BOOKING_EGRID, "appointments start every %d minutes",
			                  r->rules->slot_step_min);
	}
	if (r->rules->realtime && !r->bypass_conflicts && booking_avail_conflicts(&g.in, r->start))
		return sd_err_set(err, BOOKING_ESLOT,
		                  "%s is not available then: the time overlaps another booking or "
		                  "busy time",
		                  st.name);
	return BOOKING_OK;
}

static int cmp_slot(const void *p, const void *q)
{
	const struct booking_slot *a = p, *b = q;

	if (a->start != b->start)
		return (a->start > b->start) - (a->start < b->start);
	return (a->staff_id > b->staff_id) - (a->staff_id < b->staff_id);
}

struct slot_acc {
	struct booking_slot *v;
	size_t n, cap;
};

static int slots_for_staff(struct booking_ctx *x, struct slot_acc *acc,
                           const struct store_service *svc, const struct store_location *loc,
                           const struct booking_rules *rules, int64_t staff_id, int64_t from,
                           int64_t to, struct sd_err *err)
{
	struct store_staff st;
	struct gather g;
	int64_t *starts;
	size_t n;
	int rc;

	if ((rc = staff_for(x, svc, staff_id, &st, err)) ||
	    (rc = gather(x, &g, svc, loc, rules, &st, from, to, 0, err)))
		return rc;
	g.in.earliest = x->now + rules->booking_notice_min * 60LL;
	g.in.latest = x->now + rules->horizon_days * (int64_t)DAY;
	if ((rc = booking_avail_slots(x->a, &g.in, &starts, &n, err)))
		return rc;
	if (acc->n + n > BOOKING_AVAIL_MAX)
		return sd_err_set(err, BOOKING_EINVALID, "too many slots: ask for a shorter range");
	if (acc->n + n > acc->cap) {
		size_t cap = 2 * (acc->n + n);
		struct booking_slot *v = sd_arena_alloc(x->a, cap * sizeof(*v));

		if (acc->n)
			memcpy(v, acc->v, acc->n * sizeof(*v));
		acc->v = v;
		acc->cap = cap;
	}
	for (size_t i = 0; i < n; i++)
		acc->v[acc->n++] =
		    (struct booking_slot){ starts[i], starts[i] + g.in.duration, st.id };
	return BOOKING_OK;
}

int booking_availability(struct booking_ctx *x, int64_t service_id, int64_t staff_id, int64_t from,
                         int64_t to, struct booking_slot **out, size_t *n, struct sd_err *err)
{
	struct store_service svc;
	struct store_location loc;
	struct booking_rules rules;
	struct slot_acc acc = { 0 };
	int rc;

	*out = NULL;
	*n = 0;
	if (from >= to || to - from > 62 * (int64_t)DAY)
		return sd_err_set(err, BOOKING_EINVALID,
		                  "the range must start before it ends and span at most 62 days");
	if ((rc = booking_read_begin(x, err)))
		return rc;
	if ((rc = booking_rules_for_service(x, service_id, &rules, err)) ||
	    (rc = booking_store_rc(store_service_get(x->conn, service_id, x->a, &svc, err), err)) ||
	    (rc = booking_store_rc(store_location_get(x->conn, svc.location_id, x->a, &loc, err),
	                           err)))
		goto out;
	if (staff_id) {
		rc = slots_for_staff(x, &acc, &svc, &loc, &rules, staff_id, from, to, err);
	} else {
		for (size_t i = 0; !rc && i < svc.nstaff; i++) {
			rc = slots_for_staff(x, &acc, &svc, &loc, &rules, svc.staff_ids[i], from,
			                     to, err);
			if (rc == BOOKING_ESERVICE_STAFF) /* inactive: not offered */
				rc = BOOKING_OK;
		}
	}
	if (!rc && acc.n)
		qsort(acc.v, acc.n, sizeof(*acc.v), cmp_slot);
out:
	booking_read_end(x);
	if (!rc) {
		*out = acc.v;
		*n = acc.n;
	}
	return rc;
}
