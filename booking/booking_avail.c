/* booking_avail.c - the availability engine (booking_avail.h): the free slot
 * starts of one staff member, and the checks of one start.
 *
 * Pure computation over what the caller gathered; time zones come from
 * ics_zone.h, and only as spans of constant UTC offset (struct
 * ics_zone_span), fetched once per call for the whole range, so every
 * conversion below is arithmetic and exact.
 *
 * The algorithm, for each local date D from the day before the first wanted
 * start to the day after the last:
 *
 *   1. day_wall: the working time of D as wall-clock intervals: the weekly
 *      rows of D's ISO weekday at the location (bucketed and normalised once,
 *      week_build), minus D's exceptions with available 0 at any location
 *      (the person is away), plus D's exceptions with available 1 at the
 *      location; normalised (sorted, overlapping and touching ones merged).
 *   2. day_instants: each wall interval [ws, we) becomes the instants whose
 *      wall clock lies in it: for each span of offset o, [ws - o, we - o)
 *      cut to the span. A span change inside the interval makes it as long
 *      as it really is (an hour shorter or longer); a repeated hour gives two
 *      pieces. All pieces of D, normalised, are D's working time.
 *   3. day_slots: the grid ws, ws + step, ... < we of each wall interval;
 *      each grid time has 0, 1 or 2 instants (wall_instants). An instant s
 *      is a slot if s is in [lo, hi) (from/to and earliest/latest together),
 *      [s, s + duration) lies inside one interval of D's working time, and
 *      (realtime) s is outside every busy item's forbidden starts.
 *
 * Busy items, once per call (busy_build): by the rule of the header a start
 * s collides with item b (start bs < end be, buffers bb, ba) when s lies in
 * (bs - bb - dur, be + ba), b's buffered span against the appointment, or
 * in (bs - dur - after, be + before), b's appointment against the slot's
 * buffered span. Both contain (bs - dur, be), so their union is the one
 * interval of forbidden starts [bs - dur - max(bb, after) + 1, be +
 * max(ba, before)) (a zero-length item collides through its buffers only:
 * [bs - bb - dur + 1, be + ba) when bb + ba > 0). The larger buffer wins
 * on each side, which is "buffers may overlap each other". The forbidden
 * intervals are sorted and merged, and each candidate is a binary search:
 * O((busy + candidates) log busy), not busy x candidates.
 *
 * One start: booking_avail_in_hours and booking_avail_on_grid run steps 1
 * and 2 for the date of the start, in an arena of their own;
 * booking_avail_conflicts tests each item's forbidden starts, O(busy).
 *
 * Limits (BOOKING_EINVALID beyond them, as nonsense): duration, step and
 * buffers up to 7 days, a range of starts up to DAYS_MAX days, times of the
 * years 1 to 9999; with realtime, no busy item may end before it starts or
 * have a negative buffer.
 *
 * Invariants: interval lists are half-open, and after iv_norm sorted,
 * disjoint and not touching. Slots of one date are distinct (one wall clock
 * per instant), and no instant is a slot of two dates, but instants of a
 * later date can come before those of an earlier one when clocks go back
 * across midnight, so the result is sorted at the end. Every sum of caller
 * values saturates (sat_add) or is bounded by the checks of input_check.
 */
#include <stdlib.h>
#include <string.h>

#include "booking.h"
#include "booking_avail.h"
#include "ics.h"
#include "ics_zone.h"

#define DAY      INT64_C(86400)
#define REACH    DAY           /* more than any UTC offset */
#define MARGIN   (4 * DAY)     /* spans fetched around the range */
#define LEN_MAX  (7 * DAY)     /* duration, step and buffers */
#define DAYS_MAX INT64_C(3700) /* about ten years per call */
#define T_MIN    (ICS_ZONE_TIME_MIN + 2 * MARGIN)
#define T_MAX    (ICS_ZONE_TIME_MAX - 2 * MARGIN)

struct iv {
	int64_t s, e; /* [s, e) */
};

/* One computation. Arrays are in a's arena. */
struct avail {
	const struct booking_avail_in *in;
	struct sd_arena *a;
	struct ics_zone_span *sp; /* covering [lo - MARGIN, hi + MARGIN) */
	size_t nsp;
	size_t w0, w1;      /* spans [w0, w1) meet the current date */
	struct iv *week[8]; /* by ISO weekday: seconds of the day */
	size_t nweek[8];
	const struct store_exception **exc; /* relevant ones, by day */
	size_t nexc;
	struct iv *wall, *tmp, *inst; /* scratch of one date */
	size_t cap, inst_cap;
	struct iv *busy; /* forbidden starts, normalised */
	size_t nbusy;
};

/* A growing list of slot starts. */
struct slots {
	int64_t *v;
	size_t n, cap;
};

static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* ---- interval lists ---- */

static int iv_cmp(const void *x, const void *y)
{
	const struct iv *a = x, *b = y;

	if (a->s != b->s)
		return a->s < b->s ? -1 : 1;
	return (a->e > b->e) - (a->e < b->e);
}

static int iv_sorted(const struct iv *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (iv_cmp(&v[i - 1], &v[i]) > 0)
			return 0;
	return 1;
}

/* Sorts v and merges overlapping or touching intervals; the new count.
 * Input already in order (bookings as storage lists them) skips the sort. */
static size_t iv_norm(struct iv *v, size_t n)
{
	size_t k = 0;

	if (n == 0)
		return 0;
	if (!iv_sorted(v, n))
		qsort(v, n, sizeof(*v), iv_cmp);
	for (size_t i = 1; i < n; i++) {
		if (v[i].s <= v[k].e) {
			if (v[i].e > v[k].e)
				v[k].e = v[i].e;
		} else {
			v[++k] = v[i];
		}
	}
	return k + 1;
}

/* out = a minus b, both normalised; out has room for na + nb. */
static size_t iv_subtract(struct iv *out, const struct iv *a, size_t na, const struct iv *b,
                          size_t nb)
{
	size_t n = 0, j = 0;

	for (size_t i = 0; i < na; i++) {
		int64_t cur = a[i].s;

		while (j < nb && b[j].e <= cur)
			j++;
		for (size_t k = j; k < nb && b[k].s < a[i].e; k++) {
			if (b[k].s > cur)
				out[n++] = (struct iv){ cur, b[k].s };
			if (b[k].e > cur)
				cur = b[k].e;
		}
		if (cur < a[i].e)
			out[n++] = (struct iv){ cur, a[i].e };
	}
	return n;
}

/* The index of the interval of normalised v that holds t, or -1. */
static long iv_find(const struct iv *v, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].s <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && t < v[lo - 1].e ? (long)lo - 1 : -1;
}

/* ---- input ---- */

static int minutes_ok(int start_min, int end_min)
{
	return start_min >= 0 && start_min < end_min && end_min <= 1440;
}

/* What every entry point needs: a zone, a duration, sane rows. With
 * need_step, the step and buffers too. */
static int input_check(const struct booking_avail_in *in, int need_step, struct sd_err *err)
{
	if (!ics_zone_valid(in->tzid))
		return sd_err_set(err, BOOKING_EINVALID, "unknown time zone '%s'",
		                  in->tzid ? in->tzid : "");
	if (in->duration <= 0 || in->duration > LEN_MAX)
		return sd_err_set(err, BOOKING_EINVALID, "duration out of range");
	if (need_step && (in->step <= 0 || in->step > LEN_MAX || in->before < 0 ||
	                  in->before > LEN_MAX || in->after < 0 || in->after > LEN_MAX))
		return sd_err_set(err, BOOKING_EINVALID, "slot step or buffer out of range");
	for (size_t i = 0; i < in->nweekly; i++) {
		const struct store_hours *h = &in->weekly[i];

		if (h->weekday < 1 || h->weekday > 7 || !minutes_ok(h->start_min, h->end_min))
			return sd_err_set(err, BOOKING_EINVALID, "malformed working hours");
	}
	for (size_t i = 0; i < in->nexceptions; i++) {
		const struct store_exception *x = &in->exceptions[i];

		if (!minutes_ok(x->start_min, x->end_min) ||
		    (x->available != 0 && x->available != 1))
			return sd_err_set(err, BOOKING_EINVALID, "malformed exception");
	}
	return 0;
}

static int busy_check(const struct booking_avail_in *in, struct sd_err *err)
{
	for (size_t i = 0; in->realtime && i < in->nbusy; i++) {
		const struct booking_busy *b = &in->busy[i];

		if (b->end < b->start || b->before < 0 || b->after < 0)
			return sd_err_set(err, BOOKING_EINVALID, "malformed busy time");
	}
	return 0;
}

/* ---- preparing one computation ---- */

/* The weekly rows at the location, by weekday, normalised. */
static void week_build(struct avail *av)
{
	const struct booking_avail_in *in = av->in;

	for (int wd = 1; wd <= 7; wd++) {
		struct iv *v = sd_arena_alloc(av->a, (in->nweekly + 1) * sizeof(*v));
		size_t n = 0;

		for (size_t i = 0; i < in->nweekly; i++) {
			const struct store_hours *h = &in->weekly[i];

			if (h->weekday == wd && h->location_id == in->location_id)
				v[n++] = (struct iv){ h->start_min * 60, h->end_min * 60 };
		}
		av->week[wd] = v;
		av->nweek[wd] = iv_norm(v, n);
	}
}

static int exc_cmp(const void *x, const void *y)
{
	int64_t a = (*(const struct store_exception *const *)x)->day;
	int64_t b = (*(const struct store_exception *const *)y)->day;

	return (a > b) - (a < b);
}

/* The exceptions that matter (days off anywhere, extra shifts here), by day. */
static void exc_index(struct avail *av)
{
	const struct booking_avail_in *in = av->in;

	av->exc = sd_arena_alloc(av->a, (in->nexceptions + 1) * sizeof(*av->exc));
	for (size_t i = 0; i < in->nexceptions; i++) {
		const struct store_exception *x = &in->exceptions[i];

		if (!x->available || x->location_id == in->location_id)
			av->exc[av->nexc++] = x;
	}
	qsort(av->exc, av->nexc, sizeof(*av->exc), exc_cmp);
}

/* Spans for instants [from, to), the weekly buckets, the exception index and
 * the scratch of one date. BOOKING_EINVALID if the zone cannot say. */
static int avail_open(struct avail *av, struct sd_arena *a, const struct booking_avail_in *in,
                      int64_t from, int64_t to, struct sd_err *err)
{
	memset(av, 0, sizeof(*av));
	av->in = in;
	av->a = a;
	if (ics_zone_spans(a, in->tzid, from - MARGIN, to + MARGIN, &av->sp, &av->nsp) != ICS_OK)
		return sd_err_set(err, BOOKING_EINVALID, "times out of range for zone '%s'",
		                  in->tzid);
	week_build(av);
	exc_index(av);
	av->cap = in->nweekly + 2 * av->nexc + 2;
	av->wall = sd_arena_alloc(a, av->cap * sizeof(*av->wall));
	av->tmp = sd_arena_alloc(a, av->cap * sizeof(*av->tmp));
	return 0;
}

/* The wall clock of instant t (within the spans). */
static int64_t wall_of(const struct avail *av, int64_t t)
{
	size_t lo = 0, hi = av->nsp;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (av->sp[mid].start <= t)
			lo = mid;
		else
			hi = mid;
	}
	return t + av->sp[lo].offset;
}

/* ---- one date ---- */

/* Sets [w0, w1) to the spans that can hold an instant of date day. */
static void day_window(struct avail *av, int64_t day)
{
	int64_t from = day * DAY - REACH, to = (day + 1) * DAY + REACH;

	while (av->w0 < av->nsp && av->sp[av->w0].end <= from)
		av->w0++;
	while (av->w0 > 0 && av->sp[av->w0 - 1].end > from)
		av->w0--;
	av->w1 = av->w0;
	while (av->w1 < av->nsp && av->sp[av->w1].start < to)
		av->w1++;
}

/* The exceptions of day: *first, and the count. */
static size_t day_exceptions(const struct avail *av, int64_t day,
                             const struct store_exception *const **first)
{
	size_t lo = 0, hi = av->nexc, n = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (av->exc[mid]->day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = av->exc + lo;
	while (lo + n < av->nexc && av->exc[lo + n]->day == day)
		n++;
	return n;
}

/* Adds the exceptions of one kind to v[n..]; the new count. Seconds of day. */
static size_t exc_add(struct iv *v, size_t n, const struct store_exception *const *x, size_t nx,
                      int available)
{
	for (size_t i = 0; i < nx; i++)
		if (x[i]->available == available)
			v[n++] = (struct iv){ x[i]->start_min * 60, x[i]->end_min * 60 };
	return n;
}

/* The working time of day as wall clocks in av->wall, normalised; the count. */
static size_t day_wall(struct avail *av, int64_t day)
{
	const struct store_exception *const *x;
	size_t nx = day_exceptions(av, day, &x), wd = (size_t)ics_weekday(day);
	size_t noff = iv_norm(av->tmp, exc_add(av->tmp, 0, x, nx, 0));
	size_t n = iv_subtract(av->wall, av->week[wd], av->nweek[wd], av->tmp, noff);

	n = iv_norm(av->wall, exc_add(av->wall, n, x, nx, 1));
	for (size_t i = 0; i < n; i++) {
		av->wall[i].s += day * DAY;
		av->wall[i].e += day * DAY;
	}
	return n;
}

/* The instants of the nw wall intervals of the current date in av->inst,
 * normalised; the count. */
static size_t day_instants(struct avail *av, size_t nw)
{
	size_t n = 0, need = nw * (av->w1 - av->w0) + 1;

	if (need > av->inst_cap) {
		av->inst_cap = 2 * need;
		av->inst = sd_arena_alloc(av->a, av->inst_cap * sizeof(*av->inst));
	}
	for (size_t i = 0; i < nw; i++) {
		for (size_t k = av->w0; k < av->w1; k++) {
			const struct ics_zone_span *sp = &av->sp[k];
			int64_t s = av->wall[i].s - sp->offset, e = av->wall[i].e - sp->offset;

			s = s > sp->start ? s : sp->start;
			e = e < sp->end ? e : sp->end;
			if (s < e)
				av->inst[n++] = (struct iv){ s, e };
		}
	}
	return iv_norm(av->inst, n);
}

/* The instants (at most two, ascending) whose wall clock is w. */
static int wall_instants(const struct avail *av, int64_t w, int64_t out[2])
{
	int n = 0;

	for (size_t k = av->w0; k < av->w1 && n < 2; k++) {
		int64_t t = w - av->sp[k].offset;

		if (t >= av->sp[k].start && t < av->sp[k].end)
			out[n++] = t;
	}
	return n;
}

/* Whether [s, s + duration) lies inside one of the ni working intervals. */
static int fits(const struct avail *av, size_t ni, int64_t s)
{
	long i = iv_find(av->inst, ni, s);

	return i >= 0 && s + av->in->duration <= av->inst[i].e;
}

/* ---- busy time ---- */

/* The forbidden starts of item b (see the file comment); 0 if none. */
static int busy_forbidden(const struct booking_avail_in *in, const struct booking_busy *b,
                          struct iv *out)
{
	int64_t lead, trail;

	if (b->start < b->end) {
		lead = b->before > in->after ? b->before : in->after;
		trail = b->after > in->before ? b->after : in->before;
	} else if (b->before > 0 || b->after > 0) {
		lead = b->before;
		trail = b->after;
	} else {
		return 0;
	}
	out->s = sat_add(sat_add(sat_add(b->start, -lead), -in->duration), 1);
	out->e = sat_add(b->end, trail);
	return out->s < out->e;
}

/* The forbidden starts of every busy item in av->busy, normalised. */
static void busy_build(struct avail *av)
{
	const struct booking_avail_in *in = av->in;

	av->nbusy = 0;
	if (!in->realtime || in->nbusy == 0)
		return;
	av->busy = sd_arena_alloc(av->a, in->nbusy * sizeof(*av->busy));
	for (size_t i = 0; i < in->nbusy; i++)
		av->nbusy += (size_t)busy_forbidden(in, &in->busy[i], &av->busy[av->nbusy]);
	av->nbusy = iv_norm(av->busy, av->nbusy);
}

/* ---- slots ---- */

static int i64_cmp(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

/* Appends s; BOOKING_EINVALID past BOOKING_AVAIL_MAX. */
static int slots_add(struct avail *av, struct slots *l, int64_t s, struct sd_err *err)
{
	if (l->n == BOOKING_AVAIL_MAX)
		return sd_err_set(err, BOOKING_EINVALID, "more than %d slots: ask for less",
		                  BOOKING_AVAIL_MAX);
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		int64_t *v = sd_arena_alloc(av->a, cap * sizeof(*v));

		if (l->n)
			memcpy(v, l->v, l->n * sizeof(*v));
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;
}

/* Whether instant t, of the current date's grid, is a free slot; ni is the
 * count of the date's working intervals (av->inst). */
static int slot_ok(const struct avail *av, size_t ni, int64_t t, int64_t lo, int64_t hi)
{
	return t >= lo && t < hi && fits(av, ni, t) && iv_find(av->busy, av->nbusy, t) < 0;
}

/* Adds the slots of date day in [lo, hi). */
static int day_slots(struct avail *av, int64_t day, int64_t lo, int64_t hi, struct slots *l,
                     struct sd_err *err)
{
	size_t nw, ni;
	int rc = 0;

	day_window(av, day);
	nw = day_wall(av, day);
	ni = day_instants(av, nw);
	for (size_t i = 0; i < nw && !rc; i++) {
		for (int64_t g = av->wall[i].s; g < av->wall[i].e && !rc; g += av->in->step) {
			int64_t t[2];
			int nt = wall_instants(av, g, t);

			for (int k = 0; k < nt && !rc; k++)
				if (slot_ok(av, ni, t[k], lo, hi))
					rc = slots_add(av, l, t[k], err);
		}
	}
	return rc;
}

/* The range of starts wanted, [*lo, *hi): 0, or BOOKING_EINVALID. */
static int slot_range(const struct booking_avail_in *in, int64_t *lo, int64_t *hi,
                      struct sd_err *err)
{
	if (in->from > in->to)
		return sd_err_set(err, BOOKING_EINVALID, "from is after to");
	*lo = in->from > in->earliest ? in->from : in->earliest;
	*hi = in->to < sat_add(in->latest, 1) ? in->to : sat_add(in->latest, 1);
	if (*lo >= *hi)
		return 0;
	if (*lo < T_MIN || *hi > T_MAX)
		return sd_err_set(err, BOOKING_EINVALID, "times out of range");
	if (*hi - *lo > DAYS_MAX * DAY)
		return sd_err_set(err, BOOKING_EINVALID, "more than %lld days: ask for less",
		                  (long long)DAYS_MAX);
	return 0;
}

int booking_avail_slots(struct sd_arena *a, const struct booking_avail_in *in, int64_t **out,
                        size_t *n, struct sd_err *err)
{
	struct slots l = { NULL, 0, 0 };
	struct avail av;
	int64_t lo = 0, hi = 0, last;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = input_check(in, 1, err)) || (rc = busy_check(in, err)) ||
	    (rc = slot_range(in, &lo, &hi, err)) || lo >= hi)
		goto out;
	if ((rc = avail_open(&av, a, in, lo, hi, err)))
		goto out;
	busy_build(&av);
	last = floor_div(wall_of(&av, hi - 1), DAY) + 1;
	for (int64_t d = floor_div(wall_of(&av, lo), DAY) - 1; d <= last && !rc; d++)
		rc = day_slots(&av, d, lo, hi, &l, err);
	if (rc)
		goto out;
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), i64_cmp);
	*out = l.v;
	*n = l.n;
out:
	return rc;
}

/* ---- one start ---- */

/* Opens av in a fresh arena (*a, caller frees) around start; the date of
 * start in *day, with its wall intervals computed (*nw). */
static int one_open(struct avail *av, struct sd_arena **a, const struct booking_avail_in *in,
                    int64_t start, int need_step, int64_t *day, size_t *nw, struct sd_err *err)
{
	int rc;

	*a = NULL;
	if ((rc = input_check(in, need_step, err)))
		return rc;
	if (start < T_MIN || start > T_MAX)
		return sd_err_set(err, BOOKING_EINVALID, "start out of range");
	*a = sd_arena_new();
	if ((rc = avail_open(av, *a, in, start, start + 1, err)))
		return rc;
	*day = floor_div(wall_of(av, start), DAY);
	day_window(av, *day);
	*nw = day_wall(av, *day);
	return 0;
}

int booking_avail_in_hours(const struct booking_avail_in *in, int64_t start, struct sd_err *err)
{
	struct sd_arena *a;
	struct avail av;
	int64_t day;
	size_t nw;
	int rc = one_open(&av, &a, in, start, 0, &day, &nw, err);

	if (rc == 0)
		rc = fits(&av, day_instants(&av, nw), start);
	sd_arena_free(a);
	return rc;
}

int booking_avail_conflicts(const struct booking_avail_in *in, int64_t start)
{
	struct iv f;

	for (size_t i = 0; in->realtime && i < in->nbusy; i++)
		if (busy_forbidden(in, &in->busy[i], &f) && start >= f.s && start < f.e)
			return 1;
	return 0;
}

/* Whether wall clock w is a whole number of steps from second sec of day. */
static int on_step(int64_t w, int64_t day, int64_t sec, int64_t step)
{
	return (w - (day * DAY + sec)) % step == 0;
}

/* The grid origins of a date: the starts of its working intervals (the
 * slots' grid), and where its layers begin working time: the weekly rows of
 * its weekday at the location as written (unmerged), its extra shifts and
 * the ends of its days off. A grid runs both ways from its origin, so a
 * start that bypasses working hours is still checked against it. */
int booking_avail_on_grid(const struct booking_avail_in *in, int64_t start, struct sd_err *err)
{
	const struct store_exception *const *x;
	struct sd_arena *a;
	struct avail av;
	int64_t day, w;
	size_t nw, nx;
	int rc = one_open(&av, &a, in, start, 1, &day, &nw, err);

	if (rc)
		goto out;
	w = wall_of(&av, start);
	for (size_t i = 0; i < nw && !rc; i++)
		rc = (w - av.wall[i].s) % in->step == 0;
	for (size_t i = 0; i < in->nweekly && !rc; i++) {
		const struct store_hours *h = &in->weekly[i];

		rc = h->weekday == ics_weekday(day) && h->location_id == in->location_id &&
		     on_step(w, day, h->start_min * 60, in->step);
	}
	nx = day_exceptions(&av, day, &x);
	for (size_t i = 0; i < nx && !rc; i++)
		rc = on_step(w, day, x[i]->available ? x[i]->start_min * 60 : x[i]->end_min * 60,
		             in->step);
out:
	sd_arena_free(a);
	return rc;
}
