/* ics_filter.c - evaluating a CALDAV:filter (RFC 4791 9.7) against one
 * calendar object resource.
 *
 * The object is parsed by ics_doc_parse (ics.c, without the checks it
 * passed when it was stored) into a struct ics_doc, whose zone cache
 * (ics_tz_lookup) and expansion budget (steps_left, rules_left) this file
 * uses too; the tree and a private arena live for one call. The filter tree
 * is walked top down:
 *
 *   comp_filter_match   some child named N satisfies comp_matches
 *   comp_matches        every prop-filter, every nested comp-filter, and
 *                       the time-range (comp_in_range) last, as the dearest
 *   prop_filter_match   some property named N: text, time-range, params
 *   param_filter_match  some parameter named N whose value matches
 *
 * Children and properties are first copied into arrays (comp_kids,
 * ics_props): libical keeps one iterator per component, and the checks
 * below call functions that reset it.
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
 * which are matched in their own right as components). Exclusions are
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
 * - RANGE=THISANDFUTURE on a RECURRENCE-ID is read as a single override;
 *   the later instances of the master keep their times. EXRULE is ignored.
 * - Nominal durations (P1D) are kept on the wall clock for instance
 *   lengths; alarm offsets (TRIGGER, alarm DURATION) are exact seconds.
 * - Window edges are placed on the wall clock with 3 hours of slack: a zone
 *   whose offset jumps by more (Samoa skipping a day) may lose instances at
 *   the very edge of a window.
 * - A property name that is neither X- nor known to libical (an IANA name
 *   newer than libical 3.0) becomes an X-LIC-ERROR in libical's tree and
 *   cannot be filtered on.
 * - i;unicode-casemap folds with a small table (fold_cp): simple case
 *   folding of ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic; other
 *   characters compare as they are, and there is no normalisation (RFC 5051
 *   asks for NFKD too).
 *
 * Thread safety: the tree, its zones and the arena belong to one call;
 * libical's process-wide setup is ics_once() (in ics_doc_parse), and system
 * zones go through ics_tz_lookup and its lock, as ics_tz.c requires.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ics_filter.h"
#include "ics_int.h"
#include "sd_util.h"

#define DAY INT64_C(86400)
#define EDGE (3 * 3600)       /* slack when a window is put on a wall clock */
#define SPIN_MAX 50000        /* candidates libical may look at for one rule */
#define WALL_MIN INT64_C(-62167219200) /* 0000-01-01T00:00:00 */
#define WALL_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59 */

/* One evaluation. */
struct fctx {
	struct ics_doc d;    /* the object: tree, lines, zones, budget */
	struct ics_doc tz;   /* the default_tz value, parsed */
	icaltimezone *deftz; /* floating times and dates (owned by tz); NULL: UTC */
};

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
	int64_t days, secs;  /* length: nominal days, then exact seconds */
};

struct inst {
	int64_t s, e; /* START and END (DTEND, DUE, ...) as instants; e >= s */
	enum form form;
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
	int64_t *at;     /* sorted */
	struct span {
		int64_t s, e; /* [s, e) */
	} *day;          /* sorted by s; days do not overlap */
	size_t nat, nday;
};

struct alarm {
	const struct ics_time_range *r;
	int64_t off, rd; /* trigger offset; interval of repeats */
	int64_t rep;     /* repeats after the first */
	int at_end;      /* RELATED=END */
};

/* ---- arithmetic on instants and wall clocks ---- */

static int64_t sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > ICS_TIME_MAX - b)
		return ICS_TIME_MAX;
	if (b < 0 && a < ICS_TIME_MIN - b)
		return ICS_TIME_MIN;
	return a + b;
}

static int64_t sat_mul(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return (a < 0) != (b < 0) ? ICS_TIME_MIN : ICS_TIME_MAX;
	return r;
}

static int64_t clamp_wall(int64_t w)
{
	return w < WALL_MIN ? WALL_MIN : w > WALL_MAX ? WALL_MAX : w;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (m 1..12). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t wall_secs(struct icaltimetype t)
{
	int64_t s = days_from_civil(t.year, t.month, t.day) * DAY;

	return t.is_date ? s : s + t.hour * 3600 + t.minute * 60 + t.second;
}

static struct icaltimetype wall_time(int64_t wall, int is_date)
{
	struct icaltimetype t = icaltime_null_time();
	int64_t z = clamp_wall(wall), days = z / DAY, rem = z % DAY, era, doe, yoe, doy, mp;

	if (rem < 0) {
		rem += DAY;
		days--;
	}
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	t.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	t.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	t.year = (int)(yoe + era * 400 + (t.month <= 2));
	t.is_date = is_date;
	if (!is_date) {
		t.hour = (int)(rem / 3600);
		t.minute = (int)(rem / 60 % 60);
		t.second = (int)(rem % 60);
	}
	return t;
}

/* The instant of a wall clock in zone. */
static int64_t to_instant(icaltimezone *zone, int64_t wall)
{
	struct icaltimetype t;
	int dst = 0;

	if (!zone)
		return wall;
	t = wall_time(wall, 0);
	return wall - icaltimezone_get_utc_offset(zone, &t, &dst);
}

/* The wall clock in zone of an instant (clamped to years 0-9999). */
static int64_t wall_of(icaltimezone *zone, int64_t t)
{
	struct icaltimetype u;
	int dst = 0;

	t = clamp_wall(t);
	if (!zone)
		return t;
	u = wall_time(t, 0);
	return t + icaltimezone_get_utc_offset_of_utc_time(zone, &u, &dst);
}

/* A duration in exact seconds (weeks and days as 86400 s). */
static int64_t dur_secs(struct icaldurationtype d)
{
	int64_t s = ((int64_t)d.weeks * 7 + d.days) * DAY + (int64_t)d.hours * 3600 +
		    (int64_t)d.minutes * 60 + d.seconds;

	return d.is_neg ? -s : s;
}

/* ---- property values ---- */

static struct ftime ftime_of(struct fctx *x, icalproperty *p, struct icaltimetype tt)
{
	icalparameter *tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	struct ftime f = {.wall = wall_secs(tt), .is_date = tt.is_date, .zone = x->deftz};

	if (!tt.is_date && icaltime_is_utc(tt)) {
		f.zone = NULL;
	} else if (!tt.is_date && tz && icalparameter_get_tzid(tz)) {
		icaltimezone *z = ics_tz_lookup(&x->d, icalparameter_get_tzid(tz));

		if (z) /* ics_object_check saw it resolve; else: floating */
			f.zone = z;
	}
	f.t = to_instant(f.zone, f.wall);
	return f;
}

/* The DATE or DATE-TIME value of p; 0 if it has another type. */
static int prop_time(struct fctx *x, icalproperty *p, struct ftime *f)
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
	return to_instant(f->zone, f->wall + DAY);
}

/* ---- the parsed object ---- */

/* The zone of default_tz (a VCALENDAR with one VTIMEZONE). One that does
 * not parse leaves UTC: it was checked when it was set. */
static void deftz_load(struct fctx *x, const char *text)
{
	icalcomponent *vtz;
	icalproperty *p;

	if (!text || ics_doc_parse(&x->tz, text, strlen(text), x->d.a, NULL) != ICS_OK)
		return;
	vtz = icalcomponent_get_first_component(x->tz.root, ICAL_VTIMEZONE_COMPONENT);
	p = vtz ? icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY) : NULL;
	if (p && icalproperty_get_tzid(p))
		x->deftz = icalcomponent_get_timezone(x->tz.root, icalproperty_get_tzid(p));
}

/* The children of c, in order, NULL-terminated (arena). */
static icalcomponent **comp_kids(struct fctx *x, icalcomponent *c, size_t *n)
{
	icalcomponent **v;
	size_t i = 0;

	*n = (size_t)icalcomponent_count_components(c, ICAL_ANY_COMPONENT);
	v = sd_arena_alloc(x->d.a, (*n + 1) * sizeof(*v));
	for (icalcomponent *k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); k && i < *n;
	     k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		v[i++] = k;
	*n = i;
	return v;
}

/* ---- text-match (RFC 4791 9.7.5) ---- */

static uint32_t fold_greek(uint32_t c)
{
	if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
		return c + 0x20;
	if ((c >= 0x370 && c <= 0x373) || c == 0x376 || (c >= 0x3D8 && c <= 0x3EF))
		return c | 1;
	if (c >= 0x388 && c <= 0x38A)
		return c + 0x25;
	if (c == 0x38E || c == 0x38F)
		return c + 0x3F;
	if (c >= 0x3FD)
		return c - 0x82; /* Ͻ Ͼ Ͽ */
	switch (c) {
	case 0x37F: return 0x3F3;
	case 0x386: return 0x3AC;
	case 0x38C: return 0x3CC;
	case 0x3C2: return 0x3C3; /* final sigma */
	case 0x3CF: return 0x3D7;
	case 0x3D0: return 0x3B2;
	case 0x3D1: case 0x3F4: return 0x3B8;
	case 0x3D5: return 0x3C6;
	case 0x3D6: return 0x3C0;
	case 0x3F0: return 0x3BA;
	case 0x3F1: return 0x3C1;
	case 0x3F5: return 0x3B5;
	case 0x3F7: case 0x3FA: return c + 1;
	case 0x3F9: return 0x3F2;
	default: return c;
	}
}

static uint32_t fold_cyrillic(uint32_t c)
{
	if (c <= 0x40F)
		return c + 0x50;
	if (c <= 0x42F)
		return c + 0x20;
	if (c == 0x4C0)
		return 0x4CF;
	if (c >= 0x4C1 && c <= 0x4CE)
		return c & 1 ? c + 1 : c;
	if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || c >= 0x4D0)
		return c | 1;
	return c;
}

/* Simple case folding (Unicode CaseFolding.txt, status C and S) for the
 * blocks named in the file comment. */
static uint32_t fold_cp(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 0x20 : c;
	if (c < 0x100) {
		if (c == 0xB5)
			return 0x3BC; /* micro sign: mu */
		return c >= 0xC0 && c <= 0xDE && c != 0xD7 ? c + 0x20 : c;
	}
	if (c < 0x180) {
		if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149)
			return c; /* no simple folding */
		if (c == 0x178)
			return 0xFF;
		if (c == 0x17F)
			return 's';
		if ((c >= 0x139 && c <= 0x148) || c >= 0x179)
			return c & 1 ? c + 1 : c;
		return c | 1;
	}
	if (c >= 0x370 && c < 0x400)
		return fold_greek(c);
	if (c >= 0x400 && c < 0x530)
		return fold_cyrillic(c);
	return c;
}

/* Decodes one UTF-8 character of s; 0 if s does not start with one. */
static size_t utf8_get(const unsigned char *s, uint32_t *cp)
{
	size_t n = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
	uint32_t c = n == 4 ? s[0] & 0x07u : n == 3 ? s[0] & 0x0Fu : s[0] & 0x1Fu;

	if (s[0] >= 0xF5)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3Fu);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) || (n == 4 && c < 0x10000))
		return 0;
	*cp = c;
	return n;
}

static size_t utf8_put(unsigned char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (unsigned char)(0xC0 | c >> 6);
		o[1] = (unsigned char)(0x80 | (c & 0x3F));
		return 2;
	}
	o[0] = (unsigned char)(0xE0 | c >> 12); /* folding stays in the BMP */
	o[1] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
	o[2] = (unsigned char)(0x80 | (c & 0x3F));
	return 3;
}

/* s folded under the collation (arena). Bytes that are not UTF-8 are kept:
 * they match only themselves. */
static const char *fold(struct fctx *x, const char *s, enum ics_collation coll)
{
	const unsigned char *in = (const unsigned char *)s;
	unsigned char *out, *o;
	uint32_t cp;
	size_t n;

	if (coll == ICS_COLL_OCTET)
		return s;
	/* Folding maps 1-, 2- and 3-byte characters to ones no longer. */
	out = o = sd_arena_alloc(x->d.a, strlen(s) + 1);
	while (*in) {
		if (*in < 0x80 || coll == ICS_COLL_ASCII_CASEMAP) {
			*o++ = (unsigned char)(*in >= 'A' && *in <= 'Z' ? *in + 0x20 : *in);
			in++;
		} else if ((n = utf8_get(in, &cp)) == 0 || n == 4) {
			n = n ? n : 1; /* not UTF-8, or beyond the BMP: as it is */
			memcpy(o, in, n);
			o += n;
			in += n;
		} else {
			o += utf8_put(o, fold_cp(cp));
			in += n;
		}
	}
	*o = '\0';
	return (const char *)out;
}

static int text_match(struct fctx *x, const struct ics_text_match *tm, const char *value)
{
	const char *hay = fold(x, value ? value : "", tm->collation);
	const char *needle = fold(x, tm->text ? tm->text : "", tm->collation);
	int hit = strstr(hay, needle) != NULL;

	return tm->negate ? !hit : hit;
}

/* A property's value as text: TEXT unescaped, addresses and URIs as they
 * are, anything else as libical writes it (arena, or borrowed from p). */
static const char *prop_text(struct fctx *x, icalproperty *p)
{
	icalvalue *v = icalproperty_get_value(p);
	const char *s;
	char *w;

	switch (v ? icalvalue_isa(v) : ICAL_NO_VALUE) {
	case ICAL_NO_VALUE:
		return "";
	case ICAL_TEXT_VALUE:
		s = icalvalue_get_text(v);
		break;
	case ICAL_X_VALUE:
		s = icalvalue_get_x(v);
		break;
	case ICAL_CALADDRESS_VALUE:
		s = icalvalue_get_caladdress(v);
		break;
	case ICAL_URI_VALUE:
		s = icalvalue_get_uri(v);
		break;
	default:
		w = icalvalue_as_ical_string_r(v);
		s = sd_arena_strdup(x->d.a, w ? w : "");
		free(w);
		break;
	}
	return s ? s : "";
}

/* ---- param-filter (9.7.3) ---- */

static const char *param_name(icalparameter *q)
{
	icalparameter_kind k = icalparameter_isa(q);

	if (k == ICAL_X_PARAMETER)
		return icalparameter_get_xname(q);
	if (k == ICAL_IANA_PARAMETER)
		return icalparameter_get_iana_name(q);
	return icalparameter_kind_to_string(k);
}

/* The value of q without quotes (arena, or borrowed from q). */
static const char *param_value(struct fctx *x, icalparameter *q)
{
	const char *v = icalparameter_get_xvalue(q); /* string-valued ones */
	char *w, *eq;
	size_t n;

	if (v)
		return v;
	w = icalparameter_as_ical_string_r(q); /* enumerated: NAME=VALUE */
	eq = w ? strchr(w, '=') : NULL;
	if (!eq) {
		free(w);
		return "";
	}
	eq++;
	n = strlen(eq);
	if (n >= 2 && eq[0] == '"' && eq[n - 1] == '"')
		v = sd_arena_strndup(x->d.a, eq + 1, n - 2);
	else
		v = sd_arena_strdup(x->d.a, eq);
	free(w);
	return v;
}

static int param_filter_match(struct fctx *x, icalproperty *p, const struct ics_param_filter *pf)
{
	int found = 0;

	for (icalparameter *q = icalproperty_get_first_parameter(p, ICAL_ANY_PARAMETER); q;
	     q = icalproperty_get_next_parameter(p, ICAL_ANY_PARAMETER)) {
		const char *name = param_name(q);

		if (!name || !pf->name || strcasecmp(name, pf->name) != 0)
			continue;
		found = 1;
		if (pf->is_not_defined)
			break;
		if (!pf->text || text_match(x, pf->text, param_value(x, q)))
			return 1;
	}
	return pf->is_not_defined && !found;
}

/* ---- prop-filter (9.7.2) ---- */

static int prop_named(icalproperty *p, const char *name)
{
	icalproperty_kind k = icalproperty_isa(p);
	const char *pn = k == ICAL_X_PROPERTY ? icalproperty_get_x_name(p)
					      : icalproperty_kind_to_string(k);

	return pn && name && strcasecmp(pn, name) == 0;
}

/* [s, e) against the range; a span without length is the instant s. */
static int span_hits(int64_t s, int64_t e, const struct ics_time_range *r)
{
	if (e <= s)
		return r->start <= s && s < r->end;
	return r->start < e && r->end > s;
}

static int period_hits(struct fctx *x, icalproperty *p, struct icalperiodtype per,
		       const struct ics_time_range *r)
{
	struct ftime s = ftime_of(x, p, per.start);
	int64_t e = icaltime_is_null_time(per.end) ? sat_add(s.t, dur_secs(per.duration))
						   : ftime_of(x, p, per.end).t;

	return span_hits(s.t, e, r);
}

/* A DATE-TIME is an instant in [start, end); a DATE its day; a PERIOD its
 * span. Other values have no time and never match. */
static int prop_in_range(struct fctx *x, icalproperty *p, const struct ics_time_range *r)
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

static int prop_matches(struct fctx *x, icalproperty *p, const struct ics_prop_filter *pf)
{
	if (pf->text && !text_match(x, pf->text, prop_text(x, p)))
		return 0;
	if (pf->range && !prop_in_range(x, p, pf->range))
		return 0;
	for (const struct ics_param_filter *q = pf->params; q; q = q->next)
		if (!param_filter_match(x, p, q))
			return 0;
	return 1;
}

/* A missing property matches only is-not-defined: a negated text-match
 * needs a property whose value does not contain the text. */
static int prop_filter_match(struct fctx *x, icalcomponent *c, const struct ics_prop_filter *pf)
{
	size_t n;
	icalproperty **ps = ics_props(&x->d, c, ICAL_ANY_PROPERTY, &n);
	int found = 0;

	for (size_t i = 0; i < n; i++) {
		if (!prop_named(ps[i], pf->name))
			continue;
		found = 1;
		if (pf->is_not_defined)
			break;
		if (prop_matches(x, ps[i], pf))
			return 1;
	}
	return pf->is_not_defined && !found;
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
	return sat_add(sat_mul(sh->days, DAY), sh->days ? sh->secs + EDGE : sh->secs);
}

static void inst_at(const struct shape *sh, icaltimezone *zone, int64_t wall, struct inst *in)
{
	in->form = sh->form;
	in->s = to_instant(zone, wall);
	in->e = in->s;
	if (sh->days > 0)
		in->e = to_instant(zone, clamp_wall(sat_add(wall, sat_mul(sh->days, DAY))));
	in->e = sat_add(in->e, sh->secs);
	if (in->e < in->s)
		in->e = in->s;
}

/* 9.9, VEVENT (and AVAILABLE): DTEND, DURATION > 0, DURATION = 0, no end
 * with a DATE-TIME or with a DATE start (one day). */
static void event_shape(struct fctx *x, icalcomponent *c, struct shape *sh)
{
	icalproperty *pe = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY);
	icalproperty *pd = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
	struct ftime end;

	memset(sh, 0, sizeof(*sh));
	sh->has_anchor = prop_time(x, icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY),
				   &sh->anchor);
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
static void todo_shape(struct fctx *x, icalcomponent *c, struct shape *sh)
{
	icalproperty *pd = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
	icalproperty *pu = icalcomponent_get_first_property(c, ICAL_DUE_PROPERTY);
	struct ftime due = {0};
	int has_due = prop_time(x, pu, &due);

	memset(sh, 0, sizeof(*sh));
	sh->has_anchor = prop_time(x, icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY),
				   &sh->anchor);
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
static int todo_stamps_hit(struct fctx *x, icalcomponent *c, const struct ics_time_range *r)
{
	struct ftime done, made;
	int has_done = prop_time(x, icalcomponent_get_first_property(c, ICAL_COMPLETED_PROPERTY),
				 &done);
	int has_made = prop_time(x, icalcomponent_get_first_property(c, ICAL_CREATED_PROPERTY),
				 &made);

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
static void journal_shape(struct fctx *x, icalcomponent *c, struct shape *sh)
{
	memset(sh, 0, sizeof(*sh));
	sh->has_anchor = prop_time(x, icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY),
				   &sh->anchor);
	sh->form = sh->anchor.is_date ? FORM_SPAN : FORM_POINT;
	sh->days = sh->anchor.is_date;
}

/* Whether the kind of c has instances, and their shape. */
static int shape_of(struct fctx *x, icalcomponent *c, struct shape *sh)
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

static int cmp_i64(const void *a, const void *b)
{
	int64_t u = *(const int64_t *)a, v = *(const int64_t *)b;

	return (u > v) - (u < v);
}

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

	if (ex->nat && bsearch(&s, ex->at, ex->nat, sizeof(*ex->at), cmp_i64))
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
static icalproperty **override_rids(struct fctx *x, icalcomponent *c, size_t *n)
{
	icalcomponent *parent = icalcomponent_get_parent(c);
	const char *uid = icalcomponent_get_uid(c);
	icalcomponent **kids;
	icalproperty **v;
	size_t nk = 0;

	*n = 0;
	if (!parent || icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY))
		return NULL;
	kids = comp_kids(x, parent, &nk);
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

static void ex_build(struct fctx *x, icalcomponent *c, const struct shape *sh, struct exset *ex)
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
	qsort(ex->at, ex->nat, sizeof(*ex->at), cmp_i64);
	qsort(ex->day, ex->nday, sizeof(*ex->day), cmp_i64); /* by s, the first member */
}

/* ---- recurrence ---- */

static int visit_wall(const struct shape *sh, const struct exset *ex, const struct walk *w,
		      int64_t wall)
{
	struct inst in;

	inst_at(sh, sh->anchor.zone, wall, &in);
	return !ex_has(ex, in.s) && w->fn(&in, w->arg);
}

static size_t by_count(const short *v, size_t size)
{
	size_t n = 0;

	while (n < size && v[n] != ICAL_RECURRENCE_ARRAY_MAX)
		n++;
	return n;
}

#define BY_COUNT(r, field) by_count((r)->field, sizeof((r)->field) / sizeof((r)->field[0]))

static size_t by_parts(const struct icalrecurrencetype *r)
{
	return BY_COUNT(r, by_second) + BY_COUNT(r, by_minute) + BY_COUNT(r, by_hour) +
	       BY_COUNT(r, by_day) + BY_COUNT(r, by_month_day) + BY_COUNT(r, by_year_day) +
	       BY_COUNT(r, by_week_no) + BY_COUNT(r, by_month) + BY_COUNT(r, by_set_pos);
}

/* Whether some month the rule allows has some day of its BYMONTHDAY
 * (libical would otherwise search until the year 2582 or 20000). */
static int rule_feasible(const struct icalrecurrencetype *r)
{
	static const int longest[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	size_t nm = BY_COUNT(r, by_month), nd = BY_COUNT(r, by_month_day);

	if (nd == 0 || r->rscale)
		return 1;
	for (size_t i = 0; i < (nm ? nm : 12); i++) {
		int m = nm ? icalrecurrencetype_month_month(r->by_month[i]) : (int)i + 1;

		for (size_t j = 0; m >= 1 && m <= 12 && j < nd; j++)
			if (abs(r->by_month_day[j]) <= longest[m - 1])
				return 1;
	}
	return 0;
}

/* Seconds of wall clock between two periods of the rule (at least). */
static int64_t rule_period(const struct icalrecurrencetype *r)
{
	static const int64_t unit[] = {1, 60, 3600, DAY, 7 * DAY, 28 * DAY, 365 * DAY};
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

	if (r->freq > ICAL_SECONDLY_RECURRENCE && BY_COUNT(r, by_second))
		n = sat_mul(n, (int64_t)BY_COUNT(r, by_second));
	if (r->freq > ICAL_MINUTELY_RECURRENCE && BY_COUNT(r, by_minute))
		n = sat_mul(n, (int64_t)BY_COUNT(r, by_minute));
	if (r->freq > ICAL_HOURLY_RECURRENCE && BY_COUNT(r, by_hour))
		n = sat_mul(n, (int64_t)BY_COUNT(r, by_hour));
	return n;
}

/* UNTIL on the anchor's wall clock, inclusive. */
static int rule_cut(const struct icalrecurrencetype *r, const struct shape *sh, int64_t *cut)
{
	struct icaltimetype u = r->until;

	if (icaltime_is_null_time(u))
		return 0;
	if (u.is_date)
		*cut = wall_secs(u) + DAY - 1;
	else if (!icaltime_is_utc(u))
		*cut = wall_secs(u);
	else
		*cut = wall_of(sh->anchor.zone, wall_secs(u));
	return 1;
}

/* DTSTART + k * period, for a rule without BY parts up to WEEKLY. */
static int rule_arith(struct fctx *x, const struct icalrecurrencetype *r, const struct shape *sh,
		      const struct exset *ex, const struct walk *w, int64_t lo_w, int64_t hi_w)
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
	struct icaltimetype at = wall_time(a, 0), lt = wall_time(lo_w, 0);
	int64_t m;

	if (r->count > 0 || r->rscale || lo_w - a <= 2 * DAY)
		return 0;
	switch (r->freq) {
	case ICAL_DAILY_RECURRENCE:
	case ICAL_WEEKLY_RECURRENCE:
		*j = a + (lo_w - a) / step * step;
		return 1;
	case ICAL_MONTHLY_RECURRENCE:
		m = ((int64_t)(lt.year - at.year) * 12 + lt.month - at.month) / iv * iv + at.month - 1;
		*j = days_from_civil(at.year + m / 12, (int)(m % 12) + 1, 1) * DAY;
		return *j > a;
	case ICAL_YEARLY_RECURRENCE:
		*j = days_from_civil(at.year + (lt.year - at.year) / iv * iv, 1, 1) * DAY;
		return *j > a;
	default:
		*j = (lo_w - (lo_w % DAY + DAY) % DAY) - DAY; /* midnight, the day before */
		return iv == 1 && *j > a;
	}
}

/* libical's iterator, from DTSTART or a jump, its UNTIL lowered to hi_w:
 * libical checks UNTIL in its inner loop too. */
static int rule_iter(struct fctx *x, struct icalrecurrencetype r, const struct shape *sh,
		     const struct exset *ex, const struct walk *w, int64_t lo_w, int64_t hi_w)
{
	icalrecur_iterator *it;
	int64_t j = sh->anchor.wall;
	int hit = 0, jump = rule_jump(&r, sh, lo_w, &j);

	if (x->d.rules_left <= 0 || (by_parts(&r) && rule_work(&r, hi_w - j) > SPIN_MAX))
		return capped();
	r.until = wall_time(hi_w, sh->anchor.is_date);
	it = icalrecur_iterator_new(r, wall_time(sh->anchor.wall, sh->anchor.is_date));
	if (!it)
		return 0; /* libical finds no instance before the year 20000 */
	x->d.rules_left--;
	if (jump && !icalrecur_iterator_set_start(it, wall_time(j, sh->anchor.is_date)))
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
		wl = wall_secs(o);
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

static int rule_walk(struct fctx *x, icalproperty *p, const struct shape *sh,
		     const struct exset *ex, const struct walk *w)
{
	struct icalrecurrencetype r = icalproperty_get_rrule(p);
	int64_t lo_w = wall_of(sh->anchor.zone, w->lo) - EDGE;
	int64_t hi_w = wall_of(sh->anchor.zone, w->hi) + EDGE, cut = 0;
	int has_cut = rule_cut(&r, sh, &cut);

	if (has_cut && cut < hi_w)
		hi_w = cut;
	if (rule_period(&r) == 0 || hi_w < sh->anchor.wall || (has_cut && cut < lo_w) ||
	    !rule_feasible(&r))
		return 0;
	if (by_parts(&r) == 0 && r.freq <= ICAL_WEEKLY_RECURRENCE && !r.rscale)
		return rule_arith(x, &r, sh, ex, w, lo_w, hi_w);
	return rule_iter(x, r, sh, ex, w, lo_w, hi_w);
}

/* An RDATE: its own zone and, for a PERIOD, its own end. */
static int rdate_visit(struct fctx *x, icalcomponent *c, icalproperty *p, const struct shape *sh,
		       const struct exset *ex, const struct walk *w)
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
			       ? sat_add(f.t, dur_secs(v.period.duration))
			       : ftime_of(x, p, v.period.end).t;
		if (in.e < in.s)
			in.e = in.s;
		in.form = icalcomponent_isa(c) == ICAL_VTODO_COMPONENT ? FORM_TODO_DUE : FORM_SPAN;
	}
	if (--x->d.steps_left < 0)
		return capped();
	return !ex_has(ex, in.s) && w->fn(&in, w->arg);
}

/* Whether w->fn holds for some instance of c (see the file comment). */
static int comp_walk(struct fctx *x, icalcomponent *c, const struct shape *sh,
		     const struct walk *w)
{
	struct exset ex;
	icalproperty **rules, **rdates;
	size_t nr, nd;

	ex_build(x, c, sh, &ex);
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
static int freebusy_hits(struct fctx *x, icalcomponent *c, const struct ics_time_range *r)
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
				     ? sat_add(ps, dur_secs(per.duration))
				     : ftime_of(x, fb[i], per.end).t;

		if (r->start < pe && r->end > ps)
			return 1;
	}
	return 0;
}

/* RFC 7953: [DTSTART, DTEND or DTSTART + DURATION), a missing side
 * unbounded. */
static int availability_hits(struct fctx *x, icalcomponent *c, const struct ics_time_range *r)
{
	icalproperty *pd = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
	struct ftime s, e;
	int64_t lo = ICS_TIME_MIN, hi = ICS_TIME_MAX;

	if (prop_time(x, icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY), &s)) {
		lo = s.t;
		if (pd)
			hi = sat_add(s.t, dur_secs(icalproperty_get_duration(pd)));
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
	k = sat_add(r->start, -t0);
	k = k / rd + (k % rd != 0);
	return k <= rep && sat_add(t0, sat_mul(k, rd)) < r->end;
}

static int alarm_visit(const struct inst *in, const void *arg)
{
	const struct alarm *al = arg;

	return trigger_hits(sat_add(al->at_end ? in->e : in->s, al->off), al->rep, al->rd, al->r);
}

/* 9.9, VALARM: start <= trigger < end for some trigger, repeats included;
 * a relative trigger for every instance of the parent. A start-related
 * trigger of a VTODO with DUE alone counts from DUE (RFC 4791 7.8.5). */
static int alarm_hits(struct fctx *x, icalcomponent *a, icalcomponent *parent,
		      const struct ics_time_range *r)
{
	icalproperty *pt = icalcomponent_get_first_property(a, ICAL_TRIGGER_PROPERTY);
	icalproperty *prep = icalcomponent_get_first_property(a, ICAL_REPEAT_PROPERTY);
	icalproperty *pd = icalcomponent_get_first_property(a, ICAL_DURATION_PROPERTY);
	struct alarm al = {.r = r};
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
	w.lo = sat_add(sat_add(r->start, -al.off), -sat_add(sat_mul(al.rep, al.rd), shape_len(&sh)));
	w.lo = sat_add(w.lo, -1);
	w.hi = sat_add(sat_add(r->end, -al.off), 1);
	w.fn = alarm_visit;
	w.arg = &al;
	return comp_walk(x, parent, &sh, &w);
}

static int comp_in_range(struct fctx *x, icalcomponent *c, icalcomponent *parent,
			 const struct ics_time_range *r)
{
	struct shape sh;
	struct walk w = {.fn = inst_hits, .arg = r};

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
	w.lo = sat_add(sat_add(r->start, -shape_len(&sh)), -1);
	w.hi = sat_add(r->end, 1);
	return comp_walk(x, c, &sh, &w);
}

/* ---- comp-filter (9.7.1) ---- */

static int comp_filter_match(struct fctx *x, icalcomponent *parent,
			     const struct ics_comp_filter *cf);

static int comp_matches(struct fctx *x, icalcomponent *c, icalcomponent *parent,
			const struct ics_comp_filter *cf)
{
	for (const struct ics_prop_filter *pf = cf->props; pf; pf = pf->next)
		if (!prop_filter_match(x, c, pf))
			return 0;
	for (const struct ics_comp_filter *sub = cf->comps; sub; sub = sub->next)
		if (!comp_filter_match(x, c, sub))
			return 0;
	return !cf->range || comp_in_range(x, c, parent, cf->range);
}

static int comp_filter_match(struct fctx *x, icalcomponent *parent,
			     const struct ics_comp_filter *cf)
{
	size_t n;
	icalcomponent **kids = comp_kids(x, parent, &n);
	int found = 0;

	for (size_t i = 0; i < n; i++) {
		const char *name = ics_doc_comp_name(&x->d, kids[i]);

		if (!name || !cf->name || strcasecmp(name, cf->name) != 0)
			continue;
		found = 1;
		if (cf->is_not_defined)
			break;
		if (comp_matches(x, kids[i], parent, cf))
			return 1;
	}
	return cf->is_not_defined && !found;
}

/* ---- public ---- */

int ics_filter_match(const char *data, size_t len, const struct ics_comp_filter *root,
		     const char *default_tz, struct sd_err *err)
{
	struct fctx x;
	int rc;

	memset(&x, 0, sizeof(x));
	rc = ics_doc_parse(&x.d, data ? data : "", data ? len : 0, sd_arena_new(), err);
	if (rc)
		goto out;
	if (!root) {
		rc = 1;
		goto out;
	}
	deftz_load(&x, default_tz);
	/* The root names the VCALENDAR itself, which always exists. */
	rc = root->name && strcasecmp(root->name, "VCALENDAR") == 0 && !root->is_not_defined &&
	     comp_matches(&x, x.d.root, NULL, root);
out:
	ics_doc_close(&x.d);
	ics_doc_close(&x.tz);
	sd_arena_free(x.d.a);
	return rc;
}

/* ---- instances and times, for ics_select.c and ics_freebusy.c ----
 *
 * Wrappers that lend the walk above to the other files of ical/ (see
 * ics_int.h). Each runs on a copy of the caller's document in a struct
 * fctx and copies it back, so the zone cache and the budget carry over. */

struct inst_fwd {
	const struct ics_time_range *r;
	int (*fn)(const struct ics_inst *in, void *arg);
	void *arg;
	int *stopped;
};

static int inst_forward(const struct inst *in, const void *arg)
{
	const struct inst_fwd *f = arg;
	struct ics_inst o = {.s = in->s, .e = in->e};

	if (!inst_hits(in, f->r))
		return 0;
	*f->stopped = f->fn(&o, f->arg) != 0;
	return *f->stopped;
}

int ics_instances(struct ics_doc *d, icaltimezone *deftz, icalcomponent *c, int64_t start,
		  int64_t end, int (*fn)(const struct ics_inst *in, void *arg), void *arg)
{
	struct ics_time_range r = {.start = start, .end = end};
	struct ics_inst all = {.s = ICS_TIME_MIN, .e = ICS_TIME_MAX};
	int stopped = 0, rc = 0;
	struct inst_fwd f = {.r = &r, .fn = fn, .arg = arg, .stopped = &stopped};
	struct walk w = {.fn = inst_forward, .arg = &f};
	struct fctx x;
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
	w.lo = sat_add(sat_add(start, -shape_len(&sh)), -1);
	w.hi = sat_add(end, 1);
	rc = comp_walk(&x, c, &sh, &w);
out:
	*d = x.d;
	return stopped ? ICS_WALK_STOPPED : rc ? ICS_WALK_CAPPED : ICS_WALK_DONE;
}

int64_t ics_time_instant(struct ics_doc *d, icaltimezone *deftz, icalproperty *p,
			 struct icaltimetype t)
{
	struct fctx x;
	int64_t at;

	memset(&x, 0, sizeof(x));
	x.d = *d;
	x.deftz = deftz;
	at = ftime_of(&x, p, t).t;
	*d = x.d;
	return at;
}

icaltimezone *ics_deftz_load(struct ics_doc *tz, const char *text, struct sd_arena *a)
{
	struct fctx x;

	memset(&x, 0, sizeof(x));
	x.d.a = a;
	deftz_load(&x, text);
	*tz = x.tz;
	return x.deftz;
}
