/* ics_filter_time.c - the time-ranges of a CALDAV:filter (RFC 4791 9.9):
 * of components, their recurrences expanded, and of properties; and the
 * same walk of instances, lent to ics_select.c and ics_freebusy.c
 * (ics_instances, ics_time_instant).
 *
 * ics_filter.c walks the filter tree and calls ics_comp_in_range and
 * ics_prop_in_range with its struct ics_fctx: the parsed object, its zones
 * and budget, and the default zone.
 *
 * Times. A DATE or DATE-TIME value becomes a struct ftime: its wall clock
 * read as UTC, the zone it is in and the instant. A TZID names a VTIMEZONE
 * of the object, else a zone of the system database (ics_tz_lookup); a
 * floating time or a DATE is in the default zone (the VTIMEZONE passed as
 * default_tz, or UTC). zone NULL means UTC.
 *
 * Time ranges on components (RFC 4791 9.9). Each kind has a function that
 * reads its table: event_shape, todo_shape (+ todo_stamps_hit for the rows
 * without DTSTART and DUE), journal_shape, freebusy_hits, alarm_hits and,
 * for RFC 7953, availability_hits (AVAILABLE is read as a VEVENT). A shape
 * says which row applies (enum form) and how long an instance lasts;
 * inst_hits evaluates the row's condition on one instance. Other components
 * (VCALENDAR, VTIMEZONE, X-) never match a time-range.
 *
 * Recurrence (comp_walk). The instances of a component are DTSTART, those
 * of each RRULE and each RDATE, minus EXDATEs and minus, for the master,
 * the RECURRENCE-IDs of its overrides (siblings of the same kind and UID,
 * which are matched in their own right as components). An override with
 * RANGE=THISANDFUTURE also moves the master's later instances (RFC 5545
 * 3.2.13): each instance after its RECURRENCE-ID starts as much later as
 * the override's DTSTART is after its RECURRENCE-ID (exact seconds) and
 * lasts as long as the override, until a later such override takes over
 * (futures_build); exclusions and the window still apply to the times the
 * master gives, so the window is first widened by the moves. Exclusions are
 * compared as instants; a DATE exclusion of a DATE-TIME series removes that
 * whole day. A check needs only the instances that start in a window
 * [lo, hi] (struct walk). Rules are walked on the wall clock of DTSTART, up
 * to hi and no further, within the object's budget of ICS_STEPS_MAX
 * instances and ICS_RULES_MAX libical iterators:
 * - a rule without BY parts up to FREQ=WEEKLY is arithmetic (rule_arith):
 *   the walk starts at the window, so FREQ=SECONDLY from 1970 costs nothing;
 * - other rules go through icalrecur_iterator (rule_iter); one without
 *   COUNT is first moved near the window (rule_jump). Its UNTIL is lowered
 *   to the window's end: libical checks UNTIL inside the loop that skips
 *   candidates failing the BY parts, so that loop ends there too;
 * - a rule with BY parts that would still have libical look at more than
 *   SPIN_MAX candidates is not walked (FREQ=SECONDLY;BYMONTH=2 has 2.6
 *   million a month, and libical built with ICU takes 3-6 us for each),
 *   and a rule whose BYMONTHDAY fits none of its months has no instances.
 * When the walk cannot decide (budget spent, rule not walked) the
 * component is taken to overlap (capped()): a calendar-query may return
 * one object too many, never hide one. A rule libical will not start (it
 * finds no instance before the year 20000) adds no instances.
 *
 * Approximations, on purpose:
 * - EXRULE is ignored.
 * - Nominal durations (P1D) are kept on the wall clock for instance
 *   lengths; alarm offsets (TRIGGER, alarm DURATION) are exact seconds.
 * - Window edges are placed on the wall clock with 3 hours of slack: a zone
 *   whose offset jumps by more (Samoa skipping a day) may lose instances at
 *   the very edge of a window.
 *
 * Thread safety: as in ics_filter.c; everything here belongs to one call
 * but the zones, which libical lets any thread convert with.
 */
#include <stdlib.h>
#include <string.h>

#include "ics_filter.h"
#include "ics_int.h"
#include "sd_util.h"

#define DAY      INT64_C(86400)
#define EDGE     (3 * 3600) /* slack when a window is put on a wall clock */
#define SPIN_MAX 50000      /* candidates libical may look at for one rule */

/* A DATE or DATE-TIME value. */
struct ftime {
	int64_t wall;       /* wall clock read as UTC */
	int64_t t;          /* the instant */
	icaltimezone *zone; /* NULL: UTC */
	int is_date;
};

/* Which row of a 9.9 table applies to an instance. */
enum form {
	FORM_SPAN,         /* start < END AND end > START */
	FORM_POINT,        /* start <= START AND end > START */
	FORM_TODO_DUR,     /* VTODO with DTSTART and DURATION */
	FORM_TODO_DUE,     /* VTODO with DTSTART and DUE */
	FORM_TODO_DUEONLY, /* VTODO with DUE alone */
};

/* The instances of a component: where they are anchored, how long they last. */
struct shape {
	int has_anchor;
	struct ftime anchor; /* DTSTART; DUE for a VTODO without DTSTART */
	enum form form;
	int64_t days, secs; /* length: nominal days, then exact seconds */
};

struct inst {
	int64_t s, e; /* START and END (DTEND, DUE, ...) as instants; e >= s */
	enum form form;
	int64_t rid; /* the start in the master's set: s unless a
			 RANGE=THISANDFUTURE override moved the instance */
};

/* What to do with instances: fn on each, from the first that may start at
 * or after lo to the last that starts at or before hi (instants). */
struct walk {
	int64_t lo, hi;
	int (*fn)(const struct inst *in, const void *arg);
	const void *arg;
};

/* Excluded instance starts: exact instants, and whole days. */
struct exset {
	int64_t *at; /* sorted */
	struct span {
		int64_t s, e; /* [s, e) */
	} * day;              /* sorted by s; days do not overlap */
	size_t nat, nday;
};

struct alarm {
	const struct ics_time_range *r;
	int64_t off, rd; /* trigger offset; interval of repeats */
	int64_t rep;     /* repeats after the first */
	int at_end;      /* RELATED=END */
};

/* ---- durations ---- */

/* A duration in exact seconds (weeks and days as 86400 s). */
static int64_t dur_secs(struct icaldurationtype d)
{
	int64_t s = ((int64_t)d.weeks * 7 + d.days) * DAY + (int64_t)d.hours * 3600 +
	            (int64_t)d.minutes * 60 + d.seconds;

	return d.is_neg ? -s : s;
}

/* ---- property values ---- */

static struct ftime ftime_of(struct ics_fctx *x, icalproperty *p, struct icaltimetype tt)
{
	icalparameter *tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	struct ftime f = { .wall = ics_wall_secs(tt), .is_date = tt.is_date, .zone = x->deftz };

	if (!tt.is_date && icaltime_is_utc(tt)) {
		f.zone = NULL;
	} else if (!tt.is_date && tz && icalparameter_get_tzid(tz)) {
		icaltimezone *z = ics_tz_lookup(&x->d, icalparameter_get_tzid(tz));

		if (z) /* ics_object_check saw it resolve; else: floating */
			f.zone = z;
	}
	f.t = ics_to_instant(f.zone, f.wall);
	return f;
}

/* The DATE or DATE-TIME value of p; 0 if it has another type. */
static int prop_time(struct ics_fctx *x, icalproperty *p, struct ftime *f)
{
	icalvalue *v = p ? icalproperty_get_value(p) : NULL;
	icalvalue_kind k = v ? icalvalue_isa(v) : ICAL_NO_VALUE;

	if (k != ICAL_DATE_VALUE && k != ICAL_DATETIME_VALUE)
		return 0;
	*f = ftime_of(x, p, icalvalue_get_datetimedate(v));
	return 1;
}

/* The day a DATE covers, as instants. */
static int64_t day_end(const struct ftime *f)
{
	return ics_to_instant(f->zone, f->wall + DAY);
}

/* ---- time-range on properties (9.9) ---- */

/* [s, e) against the range; a span without length is the instant s. */
static int span_hits(int64_t s, int64_t e, const struct ics_time_range *r)
{
	if (e <= s)
		return r->start <= s && s < r->end;
	return r->start < e && r->end > s;
}

static int period_hits(struct ics_fctx *x, icalproperty *p, struct icalperiodtype per,
                       const struct ics_time_range *r)
{
	struct ftime s = ftime_of(x, p, per.start);
	int64_t e = icaltime_is_null_time(per.end) ? ics_sat_add(s.t, dur_secs(per.duration))
	                                           : ftime_of(x, p, per.end).t;

	return span_hits(s.t, e, r);
}

int ics_prop_in_range(struct ics_fctx *x, icalproperty *p, const struct ics_time_range *r)
{
	icalvalue *v = icalproperty_get_value(p);
	struct icaldatetimeperiodtype dp;
	struct icaltriggertype tr;
	struct ftime f;

	switch (v ? icalvalue_isa(v) : ICAL_NO_VALUE) {
	case ICAL_DATE_VALUE:
	case ICAL_DATETIME_VALUE:
		prop_time(x, p, &f);
		return f.is_date ? span_hits(f.t, day_end(&f), r) : span_hits(f.t, f.t, r);
	case ICAL_PERIOD_VALUE:
		return period_hits(x, p, icalvalue_get_period(v), r);
	case ICAL_DATETIMEPERIOD_VALUE:
		dp = icalvalue_get_datetimeperiod(v);
		if (icaltime_is_null_time(dp.time))
			return period_hits(x, p, dp.period, r);
		f = ftime_of(x, p, dp.time);
		return f.is_date ? span_hits(f.t, day_end(&f), r) : span_hits(f.t, f.t, r);
	case ICAL_TRIGGER_VALUE:
		tr = icalvalue_get_trigger(v);
		if (icaltime_is_null_time(tr.time))
			return 0;
		f = ftime_of(x, p, tr.time);
		return span_hits(f.t, f.t, r);
	default:
		return 0;
	}
}

/* ---- instances ---- */

/* The walk could not decide: count the component as overlapping. */
static int capped(void)
{
	return 1;
}

static void shape_until(struct shape *sh, const struct ftime *end)
{
	if (sh->anchor.is_date && end->is_date)
		sh->days = (end->wall - sh->anchor.wall) / DAY;
	else
		sh->secs = end->t - sh->anchor.t;
	if (sh->days < 0 || sh->secs < 0)
		sh->days = sh->secs = 0;
}

/* Returns whether the duration is longer than 0 seconds. */
static int shape_duration(struct shape *sh, icalproperty *pd)
{
	struct icaldurationtype du = icalproperty_get_duration(pd);

	if (du.is_neg)
		return 0;
	sh->days = (int64_t)du.weeks * 7 + du.days;
	sh->secs = (int64_t)du.hours * 3600 + (int64_t)du.minutes * 60 + du.seconds;
	return sh->days > 0 || sh->secs > 0;
}

/* An upper bound on how long after its start an instance ends. */
static int64_t shape_len(const struct shape *sh)
{
	return ics_sat_add(ics_sat_mul(sh->days, DAY), sh->days ? sh->secs + EDGE : sh->secs);
}

static void inst_at(const struct shape *sh, icaltimezone *zone, int64_t wall, struct inst *in)
{
	in->form = sh->form;
	in->s = ics_to_instant(zone, wall);
	in->rid = in->s;
	in->e = in->s;
	if (sh->days > 0)
		in->e = ics_to_instant(
		    zone, ics_clamp_wall(ics_sat_add(wall, ics_sat_mul(sh->days, DAY))));
	in->e = ics_sat_add(in->e, sh->secs);
	if (in->e < in->s)
		in->e = in->s;
}

/* 9.9, VEVENT (and AVAILABLE): DTEND, DURATION > 0, DURATION = 0, no end
 * with a DATE-TIME or with a DATE start (one day). */
static void event_shape(struct ics_fctx *x, icalcomponent *c, struct shape *sh)
{
	icalproperty *pe = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY);
	icalproperty *pd = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
	struct ftime end;

	memset(sh, 0, sizeof(*sh));
	sh->has_anchor =
	    prop_time(x, icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY), &sh->anchor);
	sh->form = FORM_SPAN;
	if (pe && prop_time(x, pe, &end))
		shape_until(sh, &end);
	else if (pd)
		sh->form = shape_duration(sh, pd) ? FORM_SPAN : FORM_POINT;
	else if (sh->anchor.is_date)
		sh->days = 1;
	else
		sh->form = FORM_POINT;
}

/* 9.9, VTODO rows with DTSTART or DUE; todo_stamps_hit has the others. */
static void todo_shape(struct ics_fctx *x, icalcomponent *c, struct shape *sh)
{
	icalproperty *pd = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
	icalproperty *pu = icalcomponent_get_first_property(c, ICAL_DUE_PROPERTY);
	struct ftime due = { 0 };
	int has_due = prop_time(x, pu, &due);

	memset(sh, 0, sizeof(*sh));
	sh->has_anchor =
	    prop_time(x, icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY), &sh->anchor);
	if (!sh->has_anchor) {
		sh->has_anchor = has_due;
		sh->anchor = due;
		sh->form = FORM_TODO_DUEONLY;
	} else if (pd) {
		sh->form = FORM_TODO_DUR;
		shape_duration(sh, pd);
	} else if (has_due) {
		sh->form = FORM_TODO_DUE;
		shape_until(sh, &due);
	} else {
		sh->form = FORM_POINT;
	}
}

/* 9.9, VTODO with neither DTSTART nor DUE: COMPLETED and CREATED. */
static int todo_stamps_hit(struct ics_fctx *x, icalcomponent *c, const struct ics_time_range *r)
{
	struct ftime done, made;
	int has_done =
	    prop_time(x, icalcomponent_get_first_property(c, ICAL_COMPLETED_PROPERTY), &done);
	int has_made =
	    prop_time(x, icalcomponent_get_first_property(c, ICAL_CREATED_PROPERTY), &made);

	if (has_done && has_made)
		return (r->start <= made.t || r->start <= done.t) &&
		       (r->end >= made.t || r->end >= done.t);
	if (has_done)
		return r->start <= done.t && r->end >= done.t;
	if (has_made)
		return r->end > made.t;
	return 1;
}

/* 9.9, VJOURNAL: a DATE-TIME DTSTART is an instant, a DATE one its day;
 * without DTSTART nothing matches. */
static void journal_shape(struct ics_fctx *x, icalcomponent *c, struct shape *sh)
{
	memset(sh, 0, sizeof(*sh));
	sh->has_anchor =
	    prop_time(x, icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY), &sh->anchor);
	sh->form = sh->anchor.is_date ? FORM_SPAN : FORM_POINT;
	sh->days = sh->anchor.is_date;
}

/* Whether the kind of c has instances, and their shape. */
static int shape_of(struct ics_fctx *x, icalcomponent *c, struct shape *sh)
{
	switch (icalcomponent_isa(c)) {
	case ICAL_VEVENT_COMPONENT:
	case ICAL_XAVAILABLE_COMPONENT:
		event_shape(x, c, sh);
		return 1;
	case ICAL_VTODO_COMPONENT:
		todo_shape(x, c, sh);
		return 1;
	case ICAL_VJOURNAL_COMPONENT:
		journal_shape(x, c, sh);
		return 1;
	default:
		memset(sh, 0, sizeof(*sh));
		return 0;
	}
}

/* The condition of the row an instance falls in (9.9). */
static int inst_hits(const struct inst *in, const void *arg)
{
	const struct ics_time_range *r = arg;

	switch (in->form) {
	case FORM_SPAN:
		return r->start < in->e && r->end > in->s;
	case FORM_TODO_DUR:
		return r->start <= in->e && (r->end > in->s || r->end >= in->e);
	case FORM_TODO_DUE:
		return (r->start < in->e || r->start <= in->s) &&
		       (r->end > in->s || r->end >= in->e);
	case FORM_TODO_DUEONLY:
		return r->start < in->s && r->end >= in->s;
	case FORM_POINT:
	default:
		return r->start <= in->s && r->end > in->s;
	}
}

/* ---- exclusions: EXDATE and overridden instances ---- */

static void ex_add(struct exset *ex, const struct shape *sh, const struct ftime *f)
{
	if (f->is_date && !sh->anchor.is_date) {
		ex->day[ex->nday].s = f->t;
		ex->day[ex->nday++].e = day_end(f);
	} else {
		ex->at[ex->nat++] = f->t;
	}
}

static int ex_has(const struct exset *ex, int64_t s)
{
	size_t lo = 0, hi = ex->nday;

	if (ex->nat && bsearch(&s, ex->at, ex->nat, sizeof(*ex->at), ics_cmp_i64))
		return 1;
	while (lo < hi) { /* the first day starting after s */
		size_t mid = lo + (hi - lo) / 2;

		if (ex->day[mid].s <= s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && s < ex->day[lo - 1].e;
}

/* The RECURRENCE-IDs of the overrides of master c: siblings of its kind
 * and UID. NULL-terminated array (arena). */
static icalproperty **override_rids(struct ics_fctx *x, icalcomponent *c, size_t *n)
{
	icalcomponent *parent = icalcomponent_get_parent(c);
	const char *uid = icalcomponent_get_uid(c);
	icalcomponent **kids;
	icalproperty **v;
	size_t nk = 0;

	*n = 0;
	if (!parent || icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY))
		return NULL;
	kids = ics_comp_kids(x, parent, &nk);
	v = sd_arena_alloc(x->d.a, (nk + 1) * sizeof(*v));
	for (size_t i = 0; i < nk; i++) {
		icalproperty *rid;
		const char *kuid;

		if (kids[i] == c || icalcomponent_isa(kids[i]) != icalcomponent_isa(c))
			continue;
		rid = icalcomponent_get_first_property(kids[i], ICAL_RECURRENCEID_PROPERTY);
		kuid = icalcomponent_get_uid(kids[i]);
		if (rid && (uid == kuid || (uid && kuid && strcmp(uid, kuid) == 0)))
			v[(*n)++] = rid;
	}
	return v;
}

static void ex_build(struct ics_fctx *x, icalcomponent *c, const struct shape *sh, struct exset *ex)
{
	size_t nx, nr;
	icalproperty **xs = ics_props(&x->d, c, ICAL_EXDATE_PROPERTY, &nx);
	icalproperty **rs = override_rids(x, c, &nr);

	ex->at = sd_arena_alloc(x->d.a, (nx + nr + 1) * sizeof(*ex->at));
	ex->day = sd_arena_alloc(x->d.a, (nx + nr + 1) * sizeof(*ex->day));
	ex->nat = ex->nday = 0;
	for (size_t i = 0; i < nx + nr; i++) {
		icalproperty *p = i < nx ? xs[i] : rs[i - nx];
		struct ftime f;

		if (prop_time(x, p, &f))
			ex_add(ex, sh, &f);
	}
	qsort(ex->at, ex->nat, sizeof(*ex->at), ics_cmp_i64);
	qsort(ex->day, ex->nday, sizeof(*ex->day), ics_cmp_i64); /* by s, the first member */
}

/* ---- recurrence ---- */

static int visit_wall(const struct shape *sh, const struct exset *ex, const struct walk *w,
                      int64_t wall)
{
	struct inst in;

	inst_at(sh, sh->anchor.zone, wall, &in);
	return !ex_has(ex, in.s) && w->fn(&in, w->arg);
}

/* Seconds of wall clock between two periods of the rule (at least). */
static int64_t rule_period(const struct icalrecurrencetype *r)
{
	static const int64_t unit[] = { 1, 60, 3600, DAY, 7 * DAY, 28 * DAY, 365 * DAY };
	int f = (int)r->freq;

	if (f < 0 || f >= (int)SD_ARRAY_LEN(unit))
		return 0;
	return unit[f] * (r->interval > 0 ? r->interval : 1);
}

/* About how many candidates libical looks at over span seconds: periods
 * of the rule, times the times of day each one expands to. */
static int64_t rule_work(const struct icalrecurrencetype *r, int64_t span)
{
	int64_t n = span / rule_period(r) + 1;

	if (r->freq > ICAL_SECONDLY_RECURRENCE && ICS_BY_COUNT(r, by_second))
		n = ics_sat_mul(n, (int64_t)ICS_BY_COUNT(r, by_second));
	if (r->freq > ICAL_MINUTELY_RECURRENCE && ICS_BY_COUNT(r, by_minute))
		n = ics_sat_mul(n, (int64_t)ICS_BY_COUNT(r, by_minute));
	if (r->freq > ICAL_HOURLY_RECURRENCE && ICS_BY_COUNT(r, by_hour))
		n = ics_sat_mul(n, (int64_t)ICS_BY_COUNT(r, by_hour));
	return n;
}

/* DTSTART + k * period, for a rule without BY parts up to WEEKLY. */
static int rule_arith(struct ics_fctx *x, const struct icalrecurrencetype *r,
                      const struct shape *sh, const struct exset *ex, const struct walk *w,
                      int64_t lo_w, int64_t hi_w)
{
	int64_t a = sh->anchor.wall, step = rule_period(r);
	int64_t k = lo_w > a ? (lo_w - a + step - 1) / step : 1;
	int64_t k1 = (hi_w - a) / step;

	if (k < 1)
		k = 1; /* k = 0 is DTSTART, visited already */
	if (r->count > 0 && k1 > (int64_t)r->count - 1)
		k1 = (int64_t)r->count - 1;
	for (; k <= k1; k++) {
		if (--x->d.steps_left < 0)
			return capped();
		if (visit_wall(sh, ex, w, a + k * step))
			return 1;
	}
	return 0;
}

/* A wall clock at or before lo_w from which libical's iterator, moved
 * there with icalrecur_iterator_set_start, yields the instances it yields
 * from DTSTART: the start of a period in step with INTERVAL (libical
 * realigns days, weeks with BYDAY, months and years itself, but not
 * shorter periods: those jump only with INTERVAL=1, to a day boundary).
 * 0 if the walk must start at DTSTART: COUNT needs every instance. */
static int rule_jump(const struct icalrecurrencetype *r, const struct shape *sh, int64_t lo_w,
                     int64_t *j)
{
	int64_t a = sh->anchor.wall, step = rule_period(r), iv = r->interval > 0 ? r->interval : 1;
	struct icaltimetype at = ics_wall_time(ics_clamp_wall(a), 0);
	struct icaltimetype lt = ics_wall_time(ics_clamp_wall(lo_w), 0);
	int64_t m;

	if (r->count > 0 || r->rscale || lo_w - a <= 2 * DAY)
		return 0;
	switch (r->freq) {
	case ICAL_DAILY_RECURRENCE:
	case ICAL_WEEKLY_RECURRENCE:
		*j = a + (lo_w - a) / step * step;
		return 1;
	case ICAL_MONTHLY_RECURRENCE:
		m = ((int64_t)(lt.year - at.year) * 12 + lt.month - at.month) / iv * iv + at.month -
		    1;
		*j = ics_days_from_civil(at.year + m / 12, (int)(m % 12) + 1, 1) * DAY;
		return *j > a;
	case ICAL_YEARLY_RECURRENCE:
		*j = ics_days_from_civil(at.year + (lt.year - at.year) / iv * iv, 1, 1) * DAY;
		return *j > a;
	default:
		*j = (lo_w - (lo_w % DAY + DAY) % DAY) - DAY; /* midnight, the day before */
		return iv == 1 && *j > a;
	}
}

/* libical's iterator, from DTSTART or a jump, its UNTIL lowered to hi_w:
 * libical checks UNTIL in its inner loop too. */
static int rule_iter(struct ics_fctx *x, struct icalrecurrencetype r, const struct shape *sh,
                     const struct exset *ex, const struct walk *w, int64_t lo_w, int64_t hi_w)
{
	icalrecur_iterator *it;
	int64_t j = sh->anchor.wall;
	int hit = 0, jump = rule_jump(&r, sh, lo_w, &j);

	if (x->d.rules_left <= 0 || (ics_by_parts(&r) && rule_work(&r, hi_w - j) > SPIN_MAX))
		return capped();
	r.until = ics_wall_time(ics_clamp_wall(hi_w), sh->anchor.is_date);
	it = icalrecur_iterator_new(
	    r, ics_wall_time(ics_clamp_wall(sh->anchor.wall), sh->anchor.is_date));
	if (!it)
		return 0; /* libical finds no instance before the year 20000 */
	x->d.rules_left--;
	if (jump &&
	    !icalrecur_iterator_set_start(it, ics_wall_time(ics_clamp_wall(j), sh->anchor.is_date)))
		goto out; /* beyond the years libical handles: no instances */
	for (;;) {
		struct icaltimetype o = icalrecur_iterator_next(it);
		int64_t wl;

		if (icaltime_is_null_time(o))
			break;
		if (--x->d.steps_left < 0) {
			hit = capped();
			break;
		}
		wl = ics_wall_secs(o);
		if (wl > hi_w)
			break;
		if (wl >= lo_w && visit_wall(sh, ex, w, wl)) {
			hit = 1;
			break;
		}
	}
out:
	icalrecur_iterator_free(it);
	return hit;
}

static int rule_walk(struct ics_fctx *x, icalproperty *p, const struct shape *sh,
                     const struct exset *ex, const struct walk *w)
{
	struct icalrecurrencetype r = icalproperty_get_rrule(p);
	int64_t lo_w = ics_wall_of(sh->anchor.zone, ics_clamp_wall(w->lo)) - EDGE;
	int64_t hi_w = ics_wall_of(sh->anchor.zone, ics_clamp_wall(w->hi)) + EDGE, cut = 0;
	int has_cut = ics_until_wall(&r, sh->anchor.zone, &cut);

	if (has_cut && cut < hi_w)
		hi_w = cut;
	if (rule_period(&r) == 0 || hi_w < sh->anchor.wall || (has_cut && cut < lo_w) ||
	    !ics_rule_feasible(&r, 1))
		return 0;
	if (ics_by_parts(&r) == 0 && r.freq <= ICAL_WEEKLY_RECURRENCE && !r.rscale)
		return rule_arith(x, &r, sh, ex, w, lo_w, hi_w);
	return rule_iter(x, r, sh, ex, w, lo_w, hi_w);
}

/* An RDATE: its own zone and, for a PERIOD, its own end. */
static int rdate_visit(struct ics_fctx *x, icalcomponent *c, icalproperty *p,
                       const struct shape *sh, const struct exset *ex, const struct walk *w)
{
	struct icaldatetimeperiodtype v = icalproperty_get_rdate(p);
	struct inst in;
	struct ftime f;

	if (!icaltime_is_null_time(v.time)) {
		f = ftime_of(x, p, v.time);
		inst_at(sh, f.zone, f.wall, &in);
	} else {
		f = ftime_of(x, p, v.period.start);
		in.s = f.t;
		in.e = icaltime_is_null_time(v.period.end)
		           ? ics_sat_add(f.t, dur_secs(v.period.duration))
		           : ftime_of(x, p, v.period.end).t;
		if (in.e < in.s)
			in.e = in.s;
		in.form = icalcomponent_isa(c) == ICAL_VTODO_COMPONENT ? FORM_TODO_DUE : FORM_SPAN;
		in.rid = in.s;
	}
	if (--x->d.steps_left < 0)
		return capped();
	return !ex_has(ex, in.s) && w->fn(&in, w->arg);
}

/* ---- RANGE=THISANDFUTURE ---- */

/* An override with RANGE=THISANDFUTURE: from its RECURRENCE-ID on, the
 * master's instances move by shift and last as long as it does, until the
 * next such override. */
struct future {
	int64_t rid, shift, len;
	enum form form;
};

struct futures {
	struct future *v; /* by rid (arena) */
	size_t n;
	const struct walk *w; /* the caller's walk */
};

static int cmp_future(const void *a, const void *b)
{
	return ics_cmp_i64(&((const struct future *)a)->rid, &((const struct future *)b)->rid);
}

/* The THISANDFUTURE overrides of master c, by RECURRENCE-ID. */
static void futures_build(struct ics_fctx *x, icalcomponent *c, struct futures *fs)
{
	size_t nr;
	icalproperty **rs = override_rids(x, c, &nr);

	fs->n = 0;
	fs->v = sd_arena_alloc(x->d.a, (nr + 1) * sizeof(*fs->v));
	for (size_t i = 0; i < nr; i++) {
		icalparameter *rp = icalproperty_get_first_parameter(rs[i], ICAL_RANGE_PARAMETER);
		struct shape osh;
		struct ftime f;
		struct inst oi;

		if (!rp || icalparameter_get_range(rp) != ICAL_RANGE_THISANDFUTURE ||
		    !prop_time(x, rs[i], &f) ||
		    !shape_of(x, icalproperty_get_parent(rs[i]), &osh) || !osh.has_anchor)
			continue;
		inst_at(&osh, osh.anchor.zone, osh.anchor.wall, &oi);
		fs->v[fs->n++] = (struct future){ .rid = f.t,
			                          .shift = ics_sat_add(oi.s, -f.t),
			                          .len = ics_sat_add(oi.e, -oi.s),
			                          .form = oi.form };
	}
	qsort(fs->v, fs->n, sizeof(*fs->v), cmp_future);
}

/* Moves an instance of the master by the last override before it. */
static int future_fwd(const struct inst *in, const void *arg)
{
	const struct futures *fs = arg;
	const struct future *f = NULL;
	struct inst o = *in;

	for (size_t i = 0; i < fs->n && fs->v[i].rid < in->s; i++)
		f = &fs->v[i];
	if (f) {
		o.s = ics_sat_add(in->s, f->shift);
		o.e = ics_sat_add(o.s, f->len);
		o.form = f->form;
	}
	return fs->w->fn(&o, fs->w->arg);
}

/* w for the master's own times: wide enough that every instance a move
 * brings into the caller's window is walked, and moved on the way. */
static void futures_walk(const struct futures *fs, const struct shape *sh, struct walk *out)
{
	int64_t later = 0, earlier = 0, longer = 0;

	for (size_t i = 0; i < fs->n; i++) {
		const struct future *f = &fs->v[i];

		later = f->shift > later ? f->shift : later;
		earlier = f->shift < earlier ? f->shift : earlier;
		if (f->len > shape_len(sh) && ics_sat_add(f->len, -shape_len(sh)) > longer)
			longer = ics_sat_add(f->len, -shape_len(sh));
	}
	out->lo = ics_sat_add(ics_sat_add(fs->w->lo, -later), -longer);
	out->hi = ics_sat_add(fs->w->hi, -earlier);
	out->fn = future_fwd;
	out->arg = fs;
}

/* Whether w->fn holds for some instance of c (see the file comment). */
static int comp_walk(struct ics_fctx *x, icalcomponent *c, const struct shape *sh,
                     const struct walk *w)
{
	struct exset ex;
	struct futures fs = { .w = w };
	struct walk moved;
	icalproperty **rules, **rdates;
	size_t nr, nd;

	ex_build(x, c, sh, &ex);
	futures_build(x, c, &fs);
	if (fs.n) {
		futures_walk(&fs, sh, &moved);
		w = &moved;
	}
	if (visit_wall(sh, &ex, w, sh->anchor.wall))
		return 1;
	rules = ics_props(&x->d, c, ICAL_RRULE_PROPERTY, &nr);
	for (size_t i = 0; i < nr; i++)
		if (rule_walk(x, rules[i], sh, &ex, w))
			return 1;
	rdates = ics_props(&x->d, c, ICAL_RDATE_PROPERTY, &nd);
	for (size_t i = 0; i < nd; i++)
		if (rdate_visit(x, c, rdates[i], sh, &ex, w))
			return 1;
	return 0;
}

/* ---- time-range on components (9.9) ---- */

/* 9.9, VFREEBUSY: DTSTART and DTEND, else any FREEBUSY period. */
static int freebusy_hits(struct ics_fctx *x, icalcomponent *c, const struct ics_time_range *r)
{
	struct ftime s, e;
	icalproperty **fb;
	size_t n;

	if (prop_time(x, icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY), &s) &&
	    prop_time(x, icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY), &e))
		return r->start <= e.t && r->end > s.t;
	fb = ics_props(&x->d, c, ICAL_FREEBUSY_PROPERTY, &n);
	for (size_t i = 0; i < n; i++) {
		struct icalperiodtype per = icalproperty_get_freebusy(fb[i]);
		int64_t ps = ftime_of(x, fb[i], per.start).t;
		int64_t pe = icaltime_is_null_time(per.end)
		                 ? ics_sat_add(ps, dur_secs(per.duration))
		                 : ftime_of(x, fb[i], per.end).t;

		if (r->start < pe && r->end > ps)
			return 1;
	}
	return 0;
}

/* RFC 7953: [DTSTART, DTEND or DTSTART + DURATION), a missing side
 * unbounded. */
static int availability_hits(struct ics_fctx *x, icalcomponent *c, const struct ics_time_range *r)
{
	icalproperty *pd = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
	struct ftime s, e;
	int64_t lo = ICS_TIME_MIN, hi = ICS_TIME_MAX;

	if (prop_time(x, icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY), &s)) {
		lo = s.t;
		if (pd)
			hi = ics_sat_add(s.t, dur_secs(icalproperty_get_duration(pd)));
	}
	if (prop_time(x, icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY), &e))
		hi = e.t;
	return r->start < hi && r->end > lo;
}

/* Some trigger t0 + i * rd, 0 <= i <= rep, with start <= t < end. */
static int trigger_hits(int64_t t0, int64_t rep, int64_t rd, const struct ics_time_range *r)
{
	int64_t k;

	if (t0 >= r->end)
		return 0;
	if (t0 >= r->start)
		return 1;
	if (rep <= 0 || rd <= 0)
		return 0;
	k = ics_sat_add(r->start, -t0);
	k = k / rd + (k % rd != 0);
	return k <= rep && ics_sat_add(t0, ics_sat_mul(k, rd)) < r->end;
}

static int alarm_visit(const struct inst *in, const void *arg)
{
	const struct alarm *al = arg;

	return trigger_hits(ics_sat_add(al->at_end ? in->e : in->s, al->off), al->rep, al->rd,
	                    al->r);
}

/* 9.9, VALARM: start <= trigger < end for some trigger, repeats included;
 * a relative trigger for every instance of the parent. A start-related
 * trigger of a VTODO with DUE alone counts from DUE (RFC 4791 7.8.5). */
static int alarm_hits(struct ics_fctx *x, icalcomponent *a, icalcomponent *parent,
                      const struct ics_time_range *r)
{
	icalproperty *pt = icalcomponent_get_first_property(a, ICAL_TRIGGER_PROPERTY);
	icalproperty *prep = icalcomponent_get_first_property(a, ICAL_REPEAT_PROPERTY);
	icalproperty *pd = icalcomponent_get_first_property(a, ICAL_DURATION_PROPERTY);
	struct alarm al = { .r = r };
	struct icaltriggertype tr;
	icalparameter *rel;
	struct shape sh;
	struct walk w;

	if (!pt)
		return 0;
	tr = icalproperty_get_trigger(pt);
	al.rd = pd ? dur_secs(icalproperty_get_duration(pd)) : 0;
	al.rep = prep && al.rd > 0 ? icalproperty_get_repeat(prep) : 0;
	if (al.rep < 0)
		al.rep = 0;
	if (!icaltime_is_null_time(tr.time))
		return trigger_hits(ftime_of(x, pt, tr.time).t, al.rep, al.rd, r);
	if (!parent || !shape_of(x, parent, &sh) || !sh.has_anchor)
		return 0;
	rel = icalproperty_get_first_parameter(pt, ICAL_RELATED_PARAMETER);
	al.at_end = rel && icalparameter_get_related(rel) == ICAL_RELATED_END;
	al.off = dur_secs(tr.duration);
	w.lo = ics_sat_add(ics_sat_add(r->start, -al.off),
	                   -ics_sat_add(ics_sat_mul(al.rep, al.rd), shape_len(&sh)));
	w.lo = ics_sat_add(w.lo, -1);
	w.hi = ics_sat_add(ics_sat_add(r->end, -al.off), 1);
	w.fn = alarm_visit;
	w.arg = &al;
	return comp_walk(x, parent, &sh, &w);
}

int ics_comp_in_range(struct ics_fctx *x, icalcomponent *c, icalcomponent *parent,
                      const struct ics_time_range *r)
{
	struct shape sh;
	struct walk w = { .fn = inst_hits, .arg = r };

	switch (icalcomponent_isa(c)) {
	case ICAL_VFREEBUSY_COMPONENT:
		return freebusy_hits(x, c, r);
	case ICAL_VAVAILABILITY_COMPONENT:
		return availability_hits(x, c, r);
	case ICAL_VALARM_COMPONENT:
		return alarm_hits(x, c, parent, r);
	default:
		break;
	}
	if (!shape_of(x, c, &sh))
		return 0;
	if (!sh.has_anchor)
		return icalcomponent_isa(c) == ICAL_VTODO_COMPONENT && todo_stamps_hit(x, c, r);
	w.lo = ics_sat_add(ics_sat_add(r->start, -shape_len(&sh)), -1);
	w.hi = ics_sat_add(r->end, 1);
	return comp_walk(x, c, &sh, &w);
}

/* ---- instances and times, for ics_select.c and ics_freebusy.c ----
 *
 * Wrappers that lend the walk above to the other files of ical/ (see
 * ics_int.h). Each runs on a copy of the caller's document in a struct
 * ics_fctx and copies it back, so the zone cache and the budget carry
 * over. */

struct inst_fwd {
	const struct ics_time_range *r;
	int (*fn)(const struct ics_inst *in, void *arg);
	void *arg;
	int *stopped;
};

static int inst_forward(const struct inst *in, const void *arg)
{
	const struct inst_fwd *f = arg;
	struct ics_inst o = { .s = in->s, .e = in->e, .rid = in->rid };

	if (!inst_hits(in, f->r))
		return 0;
	*f->stopped = f->fn(&o, f->arg) != 0;
	return *f->stopped;
}

int ics_instances(struct ics_doc *d, icaltimezone *deftz, icalcomponent *c, int64_t start,
                  int64_t end, int (*fn)(const struct ics_inst *in, void *arg), void *arg)
{
	struct ics_time_range r = { .start = start, .end = end };
	struct ics_inst all = { .s = ICS_TIME_MIN, .e = ICS_TIME_MAX, .rid = ICS_TIME_MIN };
	int stopped = 0, rc = 0;
	struct inst_fwd f = { .r = &r, .fn = fn, .arg = arg, .stopped = &stopped };
	struct walk w = { .fn = inst_forward, .arg = &f };
	struct ics_fctx x;
	struct shape sh;

	memset(&x, 0, sizeof(x));
	x.d = *d;
	x.deftz = deftz;
	if (!shape_of(&x, c, &sh))
		goto out;
	if (!sh.has_anchor) {
		if (icalcomponent_isa(c) == ICAL_VTODO_COMPONENT && todo_stamps_hit(&x, c, &r))
			stopped = fn(&all, arg) != 0;
		goto out;
	}
	w.lo = ics_sat_add(ics_sat_add(start, -shape_len(&sh)), -1);
	w.hi = ics_sat_add(end, 1);
	rc = comp_walk(&x, c, &sh, &w);
out:
	*d = x.d;
	return stopped ? ICS_WALK_STOPPED : rc ? ICS_WALK_CAPPED : ICS_WALK_DONE;
}

int64_t ics_time_instant(struct ics_doc *d, icaltimezone *deftz, icalproperty *p,
                         struct icaltimetype t)
{
	struct ics_fctx x;
	int64_t at;

	memset(&x, 0, sizeof(x));
	x.d = *d;
	x.deftz = deftz;
	at = ftime_of(&x, p, t).t;
	*d = x.d;
	return at;
}
