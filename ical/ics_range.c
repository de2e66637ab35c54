/* ics_range.c - the times of a calendar object: their checks, and the
 * instant range [first_start, last_end) that the storage index keeps.
 *
 * The range is a pre-filter for time-range queries and must never leave out
 * an instance that matches (RFC 4791 9.9); it may be wider. ics.h lists the
 * conventions; here is how they are computed.
 *
 * Times. A property value becomes a struct when: its wall clock read as if
 * it were UTC ("wall", seconds), the zone it is in (NULL for a floating time
 * or a DATE), and the instant. Floating times and dates are kept on their
 * wall clock and the whole range is widened by ICS_FLOAT_SLACK at the end.
 * Calendar arithmetic is ours (ics_time.c), in 64 bits, so years up to
 * 9999 are fine; only UTC offsets come from libical.
 *
 * Instances. Every instance of a component lasts as long as its first: the
 * exact DTEND - DTSTART, or DURATION as nominal days on the wall clock plus
 * exact seconds (RFC 5545 3.3.6); ends grow with starts, so the set is
 * bounded by its first start and the end of its last start. The set is
 * DTSTART (always an instance, even where libical's iterator skips it),
 * the RRULE instances and RDATEs, minus EXDATEs; overrides add their own
 * span. RRULE instances come from icalrecur_iterator, fed the wall clock
 * without zone, and are compared with UNTIL and EXDATE on the wall clock of
 * DTSTART's zone, into which those are converted once.
 *
 * Budget. An unbounded rule needs no expansion (its end is ICS_TIME_MAX,
 * its start DTSTART unless excluded). A bounded one is walked to its end,
 * at most ICS_STEPS_MAX steps per object over at most ICS_RULES_MAX rules;
 * past that, its UNTIL bounds it, or nothing does. libical can search for
 * seconds inside one step, or crash, on rules that rarely or never match,
 * so only the shapes clients write are walked (rule_walkable); UNTIL alone
 * bounds the others, and a rule whose days fit none of its months has no
 * instances at all (ics_rule_feasible).
 *
 * Spans. Beside the hull, struct acc lists a span per instance it knows
 * (ics_info.spans), for the storage index of instances: a calendar query
 * then only looks at objects with an instance near its window, not at
 * every series whose hull covers it. A span must cover whatever instance
 * ics_filter_time.c finds there, so the two read times alike (the same
 * shapes, zones and conversions) and where they could differ this file
 * takes the wider reading: EXDATEs that a query might not apply are not
 * applied (ex_build), a PERIOD's duration ends at the later of its nominal
 * and exact readings (period_end), an override keeps the master's instance
 * it replaces, and a set not walked to its end is one span. The widening
 * for floating times and tasks applies to every span as to the hull.
 */
#include <stdlib.h>
#include <string.h>

#include "ics_int.h"

#define DAY_SECS 86400
#define DAYS_MAX 3660000 /* ten thousand years: durations beyond are unbounded */

struct when {
	int64_t wall;       /* wall clock read as UTC */
	int64_t t;          /* the instant; == wall when floating */
	icaltimezone *zone; /* NULL: floating or DATE */
	int is_date, floating;
};

/* How one component's instances look: its first, and their length. */
struct shape {
	int has_start;
	struct when start;
	int64_t days, secs; /* nominal days on the wall clock, then exact seconds */
};

/* Starts of DTSTART and RRULE instances, on DTSTART's wall clock; and,
 * for the count, every start of the set walked so far (RDATEs too), which
 * may repeat: counted once each at the end. */
struct set {
	int have, unbounded;
	int64_t first, last;
	int uncounted;   /* some instances were not walked: the count is unknown */
	int64_t *starts; /* arena */
	size_t n, cap;
};

struct exset {
	int64_t *v; /* wall clocks of EXDATEs, sorted */
	size_t n;
};

/* What the walk found: the hull [lo, hi) and the spans of instances. */
struct acc {
	int64_t lo, hi;
	int any, floating;
	struct sd_arena *a;
	struct ics_span *v; /* spans for ics_info (arena), unsorted */
	size_t n, cap;
};

/* ---- times of properties ---- */

static int when_get(struct ics_doc *d, icalcomponent *c, icalproperty *p, struct icaltimetype tt,
                    struct when *w)
{
	icalparameter *tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);

	memset(w, 0, sizeof(*w));
	w->wall = ics_wall_secs(tt);
	w->is_date = tt.is_date;
	if (icaltime_is_utc(tt) && !tt.is_date) {
		w->zone = icaltimezone_get_utc_timezone();
	} else if (tz && !tt.is_date) {
		w->zone = ics_tz_lookup(d, icalparameter_get_tzid(tz));
		if (!w->zone)
			return ics_fail(d, ICS_EOBJECT, c, p, "TZID '%.*s' is not known",
			                ics_clip(icalparameter_get_tzid(tz), 60),
			                icalparameter_get_tzid(tz));
	} else {
		w->floating = 1;
	}
	w->t = ics_to_instant(w->zone, w->wall);
	return ICS_OK;
}

static int prop_when(struct ics_doc *d, icalcomponent *c, icalproperty *p, struct when *w)
{
	return when_get(d, c, p, icalvalue_get_datetimedate(icalproperty_get_value(p)), w);
}

/* The end of an instance starting at wall (instant t) in zone; one without
 * length ends a second after it starts. */
static int64_t inst_end(const struct shape *sh, icaltimezone *zone, int64_t wall, int64_t t)
{
	int64_t e = t;

	if (sh->days > DAYS_MAX)
		return ICS_TIME_MAX;
	if (sh->days > 0)
		e = ics_to_instant(zone, wall + sh->days * DAY_SECS);
	e = ics_sat_add(e, sh->secs);
	return e > t ? e : ics_sat_add(t, 1);
}

/* Widens the hull to [s, e). */
static void acc_hull(struct acc *a, int64_t s, int64_t e)
{
	if (e <= s)
		e = ics_sat_add(s, 1); /* no length: [s, s + 1) */
	if (!a->any || s < a->lo)
		a->lo = s;
	if (!a->any || e > a->hi)
		a->hi = e;
	a->any = 1;
}

/* Lists [s, e) among the spans, without touching the hull. */
static void acc_keep(struct acc *a, int64_t s, int64_t e)
{
	if (a->n == a->cap) {
		struct ics_span *v;

		a->cap = a->cap ? 2 * a->cap : 8;
		v = sd_arena_alloc(a->a, a->cap * sizeof(*v));
		if (a->n)
			memcpy(v, a->v, a->n * sizeof(*v));
		a->v = v;
	}
	a->v[a->n].start = s;
	a->v[a->n++].end = e > s ? e : ics_sat_add(s, 1);
}

/* One instance (or a hull that stands for several): both. */
static void acc_span(struct acc *a, int64_t s, int64_t e)
{
	acc_hull(a, s, e);
	acc_keep(a, s, e);
}

/* ---- the shape of a component ---- */

static int shape_end(struct ics_doc *d, icalcomponent *c, icalproperty *pe, const char *end_name,
                     struct shape *sh)
{
	struct when e;
	int64_t slack;
	int rc = prop_when(d, c, pe, &e);

	if (rc)
		return rc;
	if (e.is_date != sh->start.is_date)
		return ics_fail(d, ICS_EPARSE, c, pe,
		                "DTSTART and %s must both be dates or both date-times", end_name);
	/* A floating time against a zoned one: only a gap beyond any offset
	 * tells that the end is before the start. */
	slack = e.floating != sh->start.floating ? 2 * ICS_FLOAT_SLACK : 0;
	if (ics_sat_add(e.t, slack) < sh->start.t)
		return ics_fail(d, ICS_EPARSE, c, pe, "%s is before DTSTART", end_name);
	sh->secs = e.t > sh->start.t ? e.t - sh->start.t : 0;
	return ICS_OK;
}

/* A duration's weeks and days are nominal (wall clock), the rest exact. */
static void shape_length(struct shape *sh, struct icaldurationtype du)
{
	sh->days = (int64_t)du.weeks * 7 + du.days;
	sh->secs = (int64_t)du.hours * 3600 + (int64_t)du.minutes * 60 + du.seconds;
}

/* The end of a PERIOD given by a duration: the later of the nominal end
 * (days on the wall clock, as this file reads durations) and the exact one
 * (days as 86400 s, as ics_filter_time.c reads a PERIOD's), so that the
 * span covers the period whichever way a query reads it across DST. */
static int64_t period_end(const struct when *s, struct icaldurationtype du)
{
	struct shape own = { 0 };
	int64_t nominal, exact;

	shape_length(&own, du);
	nominal = inst_end(&own, s->zone, s->wall, s->t);
	exact = ics_sat_add(s->t, ics_sat_add(ics_sat_mul(own.days, DAY_SECS), own.secs));
	return nominal > exact ? nominal : exact;
}

static int shape_duration(struct ics_doc *d, icalcomponent *c, icalproperty *pd, struct shape *sh)
{
	struct icaldurationtype du = icalproperty_get_duration(pd);

	if (du.is_neg)
		return ics_fail(d, ICS_EPARSE, c, pd, "DURATION must not be negative");
	shape_length(sh, du);
	return ICS_OK;
}

/* DTSTART with DTEND (DUE for a VTODO) or DURATION; checks RFC 5545's rules
 * for them. No DTSTART (allowed but in a VEVENT): has_start stays 0, but a
 * VTODO with DUE alone has its DUE as start. */
static int shape_get(struct ics_doc *d, icalcomponent *c, struct shape *sh)
{
	icalcomponent_kind kind = icalcomponent_isa(c);
	const char *end_name = kind == ICAL_VTODO_COMPONENT ? "DUE" : "DTEND";
	icalproperty *ps = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
	icalproperty *pe = icalcomponent_get_first_property(
	    c, kind == ICAL_VTODO_COMPONENT ? ICAL_DUE_PROPERTY : ICAL_DTEND_PROPERTY);
	icalproperty *pd = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
	int rc;

	memset(sh, 0, sizeof(*sh));
	if (kind == ICAL_VJOURNAL_COMPONENT)
		pe = pd = NULL; /* a journal entry has a date, not a length */
	if (pe && pd)
		return ics_fail(d, ICS_EPARSE, c, pd, "%s has both %s and DURATION",
		                ics_doc_comp_name(d, c), end_name);
	if (!ps) {
		if (kind == ICAL_VEVENT_COMPONENT)
			return ics_fail(d, ICS_EPARSE, c, NULL, "VEVENT has no DTSTART");
		if (pd)
			return ics_fail(d, ICS_EPARSE, c, pd, "DURATION needs a DTSTART");
		if (!pe)
			return ICS_OK;
		sh->has_start = 1;
		return prop_when(d, c, pe, &sh->start);
	}
	rc = prop_when(d, c, ps, &sh->start);
	if (rc)
		return rc;
	sh->has_start = 1;
	if (pe)
		return shape_end(d, c, pe, end_name, sh);
	if (pd)
		return shape_duration(d, c, pd, sh);
	if (sh->start.is_date && kind != ICAL_VTODO_COMPONENT)
		sh->days = 1; /* an all-day event or journal entry: that day */
	return ICS_OK;
}

/* ---- EXDATE ---- */

static int ex_has(const struct exset *ex, int64_t wall)
{
	return ex->n && bsearch(&wall, ex->v, ex->n, sizeof(*ex->v), ics_cmp_i64) != NULL;
}

/* EXDATEs on the wall clock of start's zone. Only one that names exactly
 * an instant of DTSTART's clock is kept, for a query (ics_filter_time.c)
 * compares instants and must remove it too: not one of another value type,
 * nor a floating one against a zoned DTSTART or the reverse (a query puts
 * floating times in the calendar's zone), nor one in another zone that
 * lands on the second pass of a wall clock a DST change repeats. One left
 * out removes nothing, which only widens the range. */
static int ex_build(struct ics_doc *d, icalcomponent *c, const struct when *start, struct exset *ex)
{
	icalproperty **ps;
	size_t n;
	int rc;

	ps = ics_props(d, c, ICAL_EXDATE_PROPERTY, &n);
	ex->v = sd_arena_alloc(d->a, (n + 1) * sizeof(*ex->v));
	ex->n = 0;
	for (size_t i = 0; i < n; i++) {
		struct when w;
		int64_t wall;

		rc = prop_when(d, c, ps[i], &w);
		if (rc)
			return rc;
		if (w.is_date != start->is_date || w.floating != start->floating)
			continue;
		wall = w.floating || w.zone == start->zone ? w.wall : ics_wall_of(start->zone, w.t);
		if (!w.floating && ics_to_instant(start->zone, wall) != w.t)
			continue;
		ex->v[ex->n++] = wall;
	}
	qsort(ex->v, ex->n, sizeof(*ex->v), ics_cmp_i64);
	return ICS_OK;
}

/* ---- RRULE ---- */

/* RFC 5545 3.3.10's MUST NOTs; libical accepts them and may then loop. */
static int rule_check(struct ics_doc *d, icalcomponent *c, icalproperty *p,
                      const struct icalrecurrencetype *r, const struct when *start)
{
	const char *why = NULL;
	int numbered = 0;

	for (size_t i = 0; i < ICS_BY_COUNT(r, by_day); i++)
		numbered |= icalrecurrencetype_day_position(r->by_day[i]) != 0;
	if (r->freq == ICAL_NO_RECURRENCE)
		why = "has no FREQ";
	else if (numbered && r->freq != ICAL_MONTHLY_RECURRENCE &&
	         r->freq != ICAL_YEARLY_RECURRENCE)
		why = "has BYDAY with a number (like 1MO), which needs FREQ=MONTHLY or YEARLY";
	else if (numbered && ICS_BY_COUNT(r, by_week_no))
		why = "has BYDAY with a number together with BYWEEKNO";
	else if (ICS_BY_COUNT(r, by_week_no) && r->freq != ICAL_YEARLY_RECURRENCE)
		why = "has BYWEEKNO, which needs FREQ=YEARLY";
	else if (ICS_BY_COUNT(r, by_year_day) &&
	         (r->freq == ICAL_DAILY_RECURRENCE || r->freq == ICAL_WEEKLY_RECURRENCE ||
	          r->freq == ICAL_MONTHLY_RECURRENCE))
		why = "has BYYEARDAY, which FREQ=DAILY, WEEKLY and MONTHLY do not allow";
	else if (ICS_BY_COUNT(r, by_month_day) && r->freq == ICAL_WEEKLY_RECURRENCE)
		why = "has BYMONTHDAY, which FREQ=WEEKLY does not allow";
	else if (start->is_date &&
	         ICS_BY_COUNT(r, by_hour) + ICS_BY_COUNT(r, by_minute) + ICS_BY_COUNT(r, by_second))
		why = "has BYHOUR, BYMINUTE or BYSECOND, but DTSTART is a date";
	return why ? ics_fail(d, ICS_EPARSE, c, p, "RRULE %s", why) : ICS_OK;
}

/* The fewest candidates any period of a walkable rule (below) offers
 * BYSETPOS; 0 when some period may offer none. */
static long set_least(const struct icalrecurrencetype *r)
{
	long wdays = (long)ICS_BY_COUNT(r, by_day), months = (long)ICS_BY_COUNT(r, by_month);
	long mdays = 0;

	for (size_t i = 0; i < ICS_BY_COUNT(r, by_month_day); i++)
		mdays += abs(r->by_month_day[i]) <= 28; /* in every month */
	for (long i = 0; i < wdays; i++)
		if (icalrecurrencetype_day_position(r->by_day[i]) != 0)
			return 0;
	if (r->freq == ICAL_MONTHLY_RECURRENCE)
		return wdays ? 4 * wdays : ICS_BY_COUNT(r, by_month_day) ? mdays : 1;
	if (r->freq == ICAL_YEARLY_RECURRENCE)
		return wdays                           ? (months ? 4 * months : 52) * wdays
		       : ICS_BY_COUNT(r, by_month_day) ? mdays * (months ? months : 12)
		                                       : 1;
	return 0; /* BYSETPOS below FREQ=MONTHLY: no client writes it */
}

/* Whether r is walked with libical's iterator, which must neither search
 * for long nor crash. On creation and at every step it looks up to the year
 * 2582 for the next match, a period at a time: seconds for a rare
 * FREQ=SECONDLY rule, months for BYDAY=5MO;BYMONTHDAY=1, which no month
 * has (over a second each time); and libical 3.0.16 crashes on some rules
 * (BYWEEKNO=-53) or misses days (BYMONTHDAY=-1 with FREQ=DAILY). So only
 * the shapes clients write are walked: BY parts not below FREQ=DAILY; BYDAY
 * or BYMONTHDAY, not both; BYDAY numbered up to 5, with FREQ=MONTHLY or with
 * BYMONTH; BYMONTH; BYSETPOS within what every period offers; Gregorian.
 * UNTIL alone bounds the others. */
static int rule_walkable(const struct icalrecurrencetype *r)
{
	size_t wdays = ICS_BY_COUNT(r, by_day);
	int month_scope = r->freq == ICAL_MONTHLY_RECURRENCE ||
	                  (r->freq == ICAL_YEARLY_RECURRENCE && ICS_BY_COUNT(r, by_month));

	if (r->rscale)
		return 0;
	if (r->freq <= ICAL_HOURLY_RECURRENCE)
		return ics_by_parts(r) == 0;
	if (ICS_BY_COUNT(r, by_second) || ICS_BY_COUNT(r, by_minute) || ICS_BY_COUNT(r, by_hour) ||
	    ICS_BY_COUNT(r, by_year_day) || ICS_BY_COUNT(r, by_week_no) ||
	    (wdays && ICS_BY_COUNT(r, by_month_day)))
		return 0;
	/* libical 3.0.16 finds no day for FREQ=DAILY;BYMONTHDAY=-1. */
	for (size_t i = 0; r->freq == ICAL_DAILY_RECURRENCE && i < ICS_BY_COUNT(r, by_month_day);
	     i++)
		if (r->by_month_day[i] < 0)
			return 0;
	for (size_t i = 0; i < wdays; i++) {
		int n = abs(icalrecurrencetype_day_position(r->by_day[i]));

		if (n > 5 || (n > 0 && !month_scope))
			return 0;
	}
	for (size_t i = 0; i < ICS_BY_COUNT(r, by_set_pos); i++)
		if (abs(r->by_set_pos[i]) > set_least(r))
			return 0;
	return 1;
}

/* UNTIL on DTSTART's wall clock, inclusive; a UTC one against a floating
 * DTSTART as late as any zone puts it. */
static int rule_cutoff(const struct icalrecurrencetype *r, const struct when *start, int64_t *cut)
{
	struct icaltimetype u = r->until;
	int has = ics_until_wall(r, start->zone, cut);

	if (has && start->floating && !u.is_date && icaltime_is_utc(u))
		*cut += ICS_FLOAT_SLACK;
	return has;
}

/* One instance starting at wall, for the count. */
static void set_note(struct ics_doc *d, struct set *s, int64_t wall)
{
	if (s->n == s->cap) {
		int64_t *v;

		s->cap = s->cap ? 2 * s->cap : 16;
		v = sd_arena_alloc(d->a, s->cap * sizeof(*v));
		if (s->n)
			memcpy(v, s->starts, s->n * sizeof(*v));
		s->starts = v;
	}
	s->starts[s->n++] = wall;
}

/* How many distinct starts the set has; UINT64_MAX if not all are known. */
static uint64_t set_count(struct set *s)
{
	uint64_t k = 0;

	if (s->unbounded || s->uncounted)
		return UINT64_MAX;
	qsort(s->starts, s->n, sizeof(*s->starts), ics_cmp_i64);
	for (size_t i = 0; i < s->n; i++)
		k += i == 0 || s->starts[i] != s->starts[i - 1];
	return k;
}

static void set_add(struct set *s, int64_t wall)
{
	if (!s->have || wall < s->first)
		s->first = wall;
	if (!s->have || wall > s->last)
		s->last = wall;
	s->have = 1;
}

/* One RRULE about to be added to a set. */
struct rule_run {
	struct icalrecurrencetype rule;
	int64_t cut; /* UNTIL on DTSTART's wall clock */
	int has_cut;
	int bounded; /* COUNT or UNTIL */
};

/* The rule is not (fully) walked: UNTIL is all that bounds it. */
static void set_bound(struct set *s, const struct rule_run *run)
{
	s->uncounted = 1;
	if (run->has_cut)
		set_add(s, run->cut);
	else
		s->unbounded = 1;
}

/* Walks a rule with libical, from DTSTART, within the object's budget. */
static void rule_walk(struct ics_doc *d, struct rule_run *run, const struct shape *sh,
                      const struct exset *ex, struct set *set)
{
	icalrecur_iterator *it;
	int done = 0;

	run->rule.until = icaltime_null_time(); /* compared on our wall clock */
	d->rules_left--;
	it = icalrecur_iterator_new(run->rule, ics_wall_time(sh->start.wall, sh->start.is_date));
	if (!it) {
		set_bound(set, run); /* a rule libical cannot expand */
		return;
	}
	while (d->steps_left > 0) {
		struct icaltimetype o = icalrecur_iterator_next(it);
		int64_t w;

		if (icaltime_is_null_time(o)) {
			done = 1;
			break;
		}
		d->steps_left--;
		w = ics_wall_secs(o);
		if (run->has_cut && w > run->cut) {
			done = 1;
			break;
		}
		if (ex_has(ex, w))
			continue;
		set_add(set, w);
		set_note(d, set, w);
		if (!run->bounded)
			break; /* the first instance is all an endless rule needs */
	}
	icalrecur_iterator_free(it);
	if (!run->bounded)
		set->unbounded = 1;
	else if (!done)
		set_bound(set, run);
}

static int rule_add(struct ics_doc *d, icalcomponent *c, icalproperty *p, const struct shape *sh,
                    const struct exset *ex, struct set *set)
{
	struct rule_run run = { .rule = icalproperty_get_rrule(p) };
	int rc = rule_check(d, c, p, &run.rule, &sh->start);

	if (rc)
		return rc;
	if (!ics_rule_feasible(&run.rule, ics_wall_time(sh->start.wall, 1).day))
		return ICS_OK;
	run.has_cut = rule_cutoff(&run.rule, &sh->start, &run.cut);
	run.bounded = run.rule.count > 0 || run.has_cut;
	if (!run.bounded && !ex_has(ex, sh->start.wall))
		set->unbounded = 1; /* endless, and DTSTART comes first */
	else if (d->rules_left <= 0 || !rule_walkable(&run.rule))
		set_bound(set, &run);
	else
		rule_walk(d, &run, sh, ex, set);
	return ICS_OK;
}

/* ---- RDATE ---- */

/* Counts an RDATE starting at s: on DTSTART's wall clock, so that it is
 * one instance with an RRULE instance at the same time, and removed by an
 * EXDATE there (RFC 5545 3.8.5.1; the range above keeps it, as wider is
 * safe). */
static void rdate_note(struct ics_doc *d, const struct shape *sh, const struct exset *ex,
                       struct set *set, const struct when *s)
{
	int64_t w =
	    s->floating || s->zone == sh->start.zone ? s->wall : ics_wall_of(sh->start.zone, s->t);

	if (s->is_date != sh->start.is_date || !ex_has(ex, w))
		set_note(d, set, w);
}

/* An RDATE instance, with its own zone and, for a PERIOD, its own end. */
static int rdate_add(struct ics_doc *d, icalcomponent *c, icalproperty *p, const struct shape *sh,
                     const struct exset *ex, struct set *set, struct acc *acc)
{
	struct icaldatetimeperiodtype v = icalproperty_get_rdate(p);
	struct when s, e;
	int rc;

	if (!icaltime_is_null_time(v.time)) {
		rc = when_get(d, c, p, v.time, &s);
		if (!rc) {
			acc_span(acc, s.t, inst_end(sh, s.zone, s.wall, s.t));
			rdate_note(d, sh, ex, set, &s);
		}
		acc->floating |= s.floating;
		return rc;
	}
	rc = when_get(d, c, p, v.period.start, &s);
	if (rc)
		return rc;
	acc->floating |= s.floating;
	rdate_note(d, sh, ex, set, &s);
	if (!icaltime_is_null_time(v.period.end)) {
		rc = when_get(d, c, p, v.period.end, &e);
		if (!rc)
			acc_span(acc, s.t, e.t);
		return rc;
	}
	acc_span(acc, s.t, period_end(&s, v.period.duration));
	return ICS_OK;
}

/* ---- components ---- */

/* Adds the set of DTSTART and the RRULEs to acc, and counts it. When every
 * instance is known (starts[0..walked), on DTSTART's wall clock), each gets
 * its span; otherwise one span from the first to the end of the last (or
 * without end) stands for them all. The hull is [first instant, end of the
 * last start) either way: instances last as long as the first, so later
 * starts end later (shape, above). */
static void set_close(const struct shape *sh, struct set *set, size_t walked, struct acc *acc,
                      int64_t *last, uint64_t *count)
{
	icaltimezone *zone = sh->start.zone;
	int each = !set->unbounded && !set->uncounted && walked > 0;
	int64_t first, lt, end;

	for (size_t i = 0; each && i < walked; i++) {
		int64_t t = ics_to_instant(zone, set->starts[i]);

		acc_keep(acc, t, inst_end(sh, zone, set->starts[i], t));
	}
	*count = set_count(set); /* sorts starts: after the spans */
	if (!set->have && (set->unbounded || !acc->any))
		set_add(set, sh->start.wall); /* nothing else left: keep DTSTART */
	if (!set->have)
		return;
	first = ics_to_instant(zone, set->first);
	lt = ics_to_instant(zone, set->last);
	end = set->unbounded ? ICS_TIME_MAX : inst_end(sh, zone, set->last, lt);
	if (each)
		acc_hull(acc, first, end);
	else
		acc_span(acc, first, end);
	*last = set->unbounded ? ICS_TIME_MAX : lt;
}

/* A VEVENT, VTODO or VJOURNAL with its recurrence set. *last is set to the
 * instant the last instance starts (ICS_TIME_MAX if endless), *count to
 * the number of instances (UINT64_MAX if not known). */
static int comp_range(struct ics_doc *d, icalcomponent *c, struct acc *acc, int64_t *last,
                      uint64_t *count)
{
	struct shape sh;
	struct exset ex;
	struct set set = { 0 };
	icalproperty **rrules, **rdates;
	size_t nr, nd, walked;
	int rc = shape_get(d, c, &sh);

	if (rc)
		return rc;
	rrules = ics_props(d, c, ICAL_RRULE_PROPERTY, &nr);
	rdates = ics_props(d, c, ICAL_RDATE_PROPERTY, &nd);
	if (!sh.has_start) {
		if (nr || nd)
			return ics_fail(d, ICS_EPARSE, c, nr ? rrules[0] : rdates[0],
			                "%s needs a DTSTART", nr ? "RRULE" : "RDATE");
		acc_span(acc, ICS_TIME_MIN, ICS_TIME_MAX);
		*last = ICS_TIME_MAX;
		return ICS_OK;
	}
	acc->floating |= sh.start.floating;
	rc = ex_build(d, c, &sh.start, &ex);
	if (!rc && !ex_has(&ex, sh.start.wall)) {
		set_add(&set, sh.start.wall);
		set_note(d, &set, sh.start.wall);
	}
	for (size_t i = 0; i < nr && !rc; i++)
		rc = rule_add(d, c, rrules[i], &sh, &ex, &set);
	walked = set.n; /* RDATEs note theirs after, and keep their own spans */
	for (size_t i = 0; i < nd && !rc; i++)
		rc = rdate_add(d, c, rdates[i], &sh, &ex, &set, acc);
	if (rc)
		return rc;
	set_close(&sh, &set, walked, acc, last, count);
	return ICS_OK;
}

/* RANGE=THISANDFUTURE moves every later instance of the master by as much
 * as this one moved, and gives it this one's length: the master's last
 * instance, master_last, ends as far after this one's end as it starts
 * after this one's RECURRENCE-ID. */
static int future_range(struct ics_doc *d, icalcomponent *c, int64_t master_last, int64_t own_last,
                        struct acc *acc)
{
	icalproperty *p = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
	icalparameter *range = p ? icalproperty_get_first_parameter(p, ICAL_RANGE_PARAMETER) : NULL;
	struct shape sh;
	struct when rid;
	int rc;

	if (!range || icalparameter_get_range(range) != ICAL_RANGE_THISANDFUTURE ||
	    master_last == ICS_TIME_MIN)
		return ICS_OK;
	rc = prop_when(d, c, p, &rid);
	if (!rc)
		rc = shape_get(d, c, &sh);
	if (rc || !sh.has_start)
		return rc;
	if (master_last == ICS_TIME_MAX || own_last == ICS_TIME_MAX)
		acc_span(acc, sh.start.t, ICS_TIME_MAX);
	else
		acc_span(acc, sh.start.t,
		         ics_sat_add(inst_end(&sh, sh.start.zone, sh.start.wall, sh.start.t),
		                     master_last > rid.t ? master_last - rid.t : 0));
	return ICS_OK;
}

static int freebusy_range(struct ics_doc *d, icalcomponent *c, struct acc *acc)
{
	icalproperty *ps = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
	icalproperty *pe = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY);
	icalproperty **fb;
	struct when s = { .t = ICS_TIME_MIN }, e = { .t = ICS_TIME_MAX };
	size_t n;
	int rc = ICS_OK;

	fb = ics_props(d, c, ICAL_FREEBUSY_PROPERTY, &n);
	if (ps)
		rc = prop_when(d, c, ps, &s);
	if (!rc && pe)
		rc = prop_when(d, c, pe, &e);
	if (rc)
		return rc;
	if (ps && pe && e.t < s.t)
		return ics_fail(d, ICS_EPARSE, c, pe, "DTEND is before DTSTART");
	acc->floating |= s.floating | e.floating;
	if (ps || pe || n == 0)
		acc_span(acc, s.t, pe ? ics_sat_add(e.t, 1) : e.t); /* 9.9: start <= DTEND */
	for (size_t i = 0; i < n && !rc; i++) {
		struct icalperiodtype per = icalproperty_get_freebusy(fb[i]);

		rc = when_get(d, c, fb[i], per.start, &s);
		if (rc)
			break;
		if (!icaltime_is_null_time(per.end))
			rc = when_get(d, c, fb[i], per.end, &e);
		else
			e.t = period_end(&s, per.duration);
		acc_span(acc, s.t, e.t);
		acc->floating |= s.floating;
	}
	return rc;
}

static int availability_range(struct ics_doc *d, icalcomponent *c, struct acc *acc)
{
	icalproperty *ps = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
	struct shape sh;
	int rc;

	if (!ps && icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY)) {
		struct when e;

		rc = prop_when(d, c, icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY), &e);
		if (!rc)
			acc_span(acc, ICS_TIME_MIN, e.t);
		acc->floating |= e.floating;
		return rc;
	}
	rc = shape_get(d, c, &sh);
	if (rc)
		return rc;
	if (!sh.has_start) {
		acc_span(acc, ICS_TIME_MIN, ICS_TIME_MAX);
		return ICS_OK;
	}
	acc->floating |= sh.start.floating;
	if (!icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY) &&
	    !icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY))
		acc_span(acc, sh.start.t, ICS_TIME_MAX);
	else
		acc_span(acc, sh.start.t, inst_end(&sh, sh.start.zone, sh.start.wall, sh.start.t));
	return ICS_OK;
}

/* ---- the object ---- */

/* *count: the instances of c's recurrence set (1 if it has none). */
static int member_range(struct ics_doc *d, icalcomponent *c, struct acc *acc, int64_t *last,
                        uint64_t *count)
{
	*last = ICS_TIME_MIN;
	*count = 1;
	switch (icalcomponent_isa(c)) {
	case ICAL_VFREEBUSY_COMPONENT:
		return freebusy_range(d, c, acc);
	case ICAL_VAVAILABILITY_COMPONENT:
		return availability_range(d, c, acc);
	default:
		return comp_range(d, c, acc, last, count);
	}
}

/* Widens the hull and every span by lo seconds before and hi after. */
static void acc_widen(struct acc *a, int64_t lo, int64_t hi)
{
	a->lo = ics_sat_add(a->lo, -lo);
	a->hi = ics_sat_add(a->hi, hi);
	for (size_t i = 0; i < a->n; i++) {
		a->v[i].start = ics_sat_add(a->v[i].start, -lo);
		a->v[i].end = ics_sat_add(a->v[i].end, hi);
	}
}

static int span_cmp(const void *x, const void *y)
{
	const struct ics_span *a = x, *b = y;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->end > b->end) - (a->end < b->end);
}

/* Sets out->spans from acc: sorted, without duplicates, at most
 * ICS_SPANS_MAX (groups of neighbours merged); none if unbounded. */
static void spans_finish(struct acc *a, struct ics_info *out)
{
	size_t n = 0, group, k = 0;

	out->spans = NULL;
	out->nspans = 0;
	if (a->lo == ICS_TIME_MIN || a->hi == ICS_TIME_MAX || a->n == 0)
		return;
	qsort(a->v, a->n, sizeof(*a->v), span_cmp);
	for (size_t i = 0; i < a->n; i++) {
		if (a->v[i].start == ICS_TIME_MIN || a->v[i].end == ICS_TIME_MAX)
			return;
		if (n == 0 || span_cmp(&a->v[i], &a->v[n - 1]) != 0)
			a->v[n++] = a->v[i];
	}
	group = (n + ICS_SPANS_MAX - 1) / ICS_SPANS_MAX;
	for (size_t i = 0; group > 1 && i < n; i += group, k++) {
		struct ics_span m = a->v[i];

		for (size_t j = i + 1; j < i + group && j < n; j++)
			m.end = a->v[j].end > m.end ? a->v[j].end : m.end;
		a->v[k] = m;
	}
	out->spans = a->v;
	out->nspans = group > 1 ? k : n;
}

int ics_range(struct ics_doc *d, icalcomponent_kind kind, struct ics_info *out)
{
	struct acc acc = { .a = d->a };
	icalcomponent **v, *master = NULL;
	size_t n = (size_t)icalcomponent_count_components(d->root, kind), k = 0;
	int64_t master_last = ICS_TIME_MIN, last;
	uint64_t count;
	int rc = ICS_OK;

	v = sd_arena_alloc(d->a, (n + 1) * sizeof(*v));
	for (icalcomponent *c = icalcomponent_get_first_component(d->root, kind); c && k < n;
	     c = icalcomponent_get_next_component(d->root, kind)) {
		if (!icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY))
			master = c;
		v[k++] = c;
	}
	out->recurring = k > 1;
	/* Overrides replace instances of the master; without one, each is an
	 * instance of its own. */
	out->instances = k;
	if (master)
		rc = member_range(d, master, &acc, &master_last, &out->instances);
	for (size_t i = 0; i < k && !rc; i++) {
		out->recurring |= icalcomponent_get_first_property(v[i], ICAL_RRULE_PROPERTY) ||
		                  icalcomponent_get_first_property(v[i], ICAL_RDATE_PROPERTY);
		if (v[i] == master)
			continue;
		rc = member_range(d, v[i], &acc, &last, &count);
		if (!rc)
			rc = future_range(d, v[i], master_last, last, &acc);
	}
	if (rc)
		return rc;
	if (!acc.any)
		acc_span(&acc, ICS_TIME_MIN, ICS_TIME_MAX);
	if (kind == ICAL_VTODO_COMPONENT)
		acc_widen(&acc, 1, 1); /* 9.9 compares a task's times with <= */
	if (acc.floating)
		acc_widen(&acc, ICS_FLOAT_SLACK, ICS_FLOAT_SLACK);
	out->first_start = acc.lo;
	out->last_end = acc.hi;
	spans_finish(&acc, out);
	return ICS_OK;
}
