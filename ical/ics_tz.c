/* ics_tz.c - time zones: TZIDs to libical zones, and sane VTIMEZONEs.
 *
 * A TZID names a VTIMEZONE of the object first and otherwise a zone of the
 * system database (icaltimezone_get_builtin_timezone: Debian builds
 * libical 3.0.16 without built-in tzdata, so it reads TZif files under
 * /usr/share/zoneinfo; the zones belong to libical, for the whole process).
 * The object's VTIMEZONE is found through the tree
 * (icalcomponent_get_timezone), but its zone is taken from the process-wide
 * cache (ics_tzcache.c), which the document holds until ics_doc_close; the
 * tree's own zone is used only if the cache cannot build one.
 *
 * What libical 3.0.16 leaves to us (read in its source and binary):
 * - the process-wide array of system zones is created on first use, by
 *   whichever libical call needs it first (parsing any UTC time does), and
 *   published before it is filled: another thread can see it half-built.
 *   ics_tz_init() has it built once, before any check runs.
 * - icaltimezone_get_builtin_timezone() searches that array and, for a
 *   name missing from zone.tab (US/Eastern, Etc/GMT+5, ...), loads the
 *   file and appends it, all without a lock; an append raises the count
 *   before it copies the element in and may move the array's index, under
 *   any search running at the same time. Every call goes through
 *   ics_tz_system() below, under system_zones_lock. The zones themselves stay
 *   put (the array is chunked); their lazily computed transitions are
 *   guarded by libical's own mutex, as is loading zone.tab; the error
 *   number and libical's scratch buffers are per thread.
 * - the name is pasted into a file path unchecked: "../../etc/passwd" is
 *   opened. Only plain zone names are looked up (zone_name_ok).
 * - a VTIMEZONE's rules are expanded from its first observance to a few
 *   years past the one asked for (up to 2582), when a zone is first used:
 *   ics_tzcache.c keeps the zones, so that happens once per process. An
 *   RRULE of FREQ=HOURLY runs for seconds and FREQ=SECONDLY for hours, and
 *   some rules crash the iterator. Only the yearly shapes real zones use
 *   get through ics_vtimezone_check.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ics_int.h"

#define ZONE_NAME_MAX           64
#define TZ_CHANGES_PER_YEAR_MAX 12

static pthread_mutex_t system_zones_lock = PTHREAD_MUTEX_INITIALIZER;

/* Area/Location names as in the tz database: segments of letters, digits
 * and "_+-" separated by single slashes; no dots, so no "..". */
static int zone_name_ok(const char *s)
{
	size_t seg = 0, n = 0;

	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (c == '/') {
			if (seg == 0)
				return 0;
			seg = 0;
		} else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		           (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-') {
			seg++;
		} else {
			return 0;
		}
	}
	return n > 0 && n <= ZONE_NAME_MAX && seg > 0;
}

void ics_tz_init(void)
{
	(void)icaltimezone_get_builtin_timezones();
}

icaltimezone *ics_tz_system(const char *name)
{
	icaltimezone *z;

	if (!zone_name_ok(name))
		return NULL;
	pthread_mutex_lock(&system_zones_lock);
	z = icaltimezone_get_builtin_timezone(name);
	pthread_mutex_unlock(&system_zones_lock);
	return z;
}

char *ics_tz_system_vtimezone(const char *name, int64_t from)
{
	icaltimezone *z;
	icalcomponent *vtz = NULL, *c;
	icalproperty *p;
	char *text = NULL;

	if (!zone_name_ok(name) || !strcmp(name, "UTC"))
		return NULL;
	pthread_mutex_lock(&system_zones_lock);
	z = icaltimezone_get_builtin_timezone(name);
	c = z ? icaltimezone_get_component(z) : NULL;
	if (c)
		vtz = icalcomponent_new_clone(c);
	pthread_mutex_unlock(&system_zones_lock);
	if (!vtz)
		return NULL;
	/* Observances that ended before from go; rules keep their DTSTART
	 * (ms_compatible), and nothing is cut at the end, so the zone goes on
	 * past the last event. */
	icaltimezone_truncate_vtimezone(
	    vtz, icaltime_from_timet_with_zone((time_t)from, 0, icaltimezone_get_utc_timezone()),
	    icaltime_null_time(), 1);
	if ((p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY)))
		icalproperty_set_tzid(p, name);
	text = icalcomponent_as_ical_string_r(vtz);
	icalcomponent_free(vtz);
	return text;
}

/* The zone of the object's VTIMEZONE for tzid: the shared one of the cache
 * (its reference in *held), else the tree's own; NULL if there is none. */
static icaltimezone *doc_zone(struct ics_doc *d, const char *tzid, struct ics_tzc **held)
{
	icaltimezone *own = d->root ? icalcomponent_get_timezone(d->root, tzid) : NULL;
	icalcomponent *vtz = own ? icaltimezone_get_component(own) : NULL;
	icaltimezone *z = vtz ? ics_tzcache_get(d, vtz, held) : NULL;

	return z ? z : own;
}

static void tz_remember(struct ics_doc *d, const char *tzid, icaltimezone *z, struct ics_tzc *held)
{
	if (d->ntz == d->tzcap) {
		size_t cap = d->tzcap ? 2 * d->tzcap : 8;
		struct ics_tzent *v = sd_arena_alloc(d->a, cap * sizeof(*v));

		if (d->ntz)
			memcpy(v, d->tz, d->ntz * sizeof(*v));
		d->tz = v;
		d->tzcap = cap;
	}
	d->tz[d->ntz].tzid = tzid;
	d->tz[d->ntz].zone = z;
	d->tz[d->ntz++].held = held;
}

icaltimezone *ics_tz_lookup(struct ics_doc *d, const char *tzid)
{
	struct ics_tzc *held = NULL;
	icaltimezone *z;

	ics_once(); /* cheap after the first time; the zone list must be whole */
	for (size_t i = 0; i < d->ntz; i++)
		if (strcmp(d->tz[i].tzid, tzid) == 0)
			return d->tz[i].zone;
	z = doc_zone(d, tzid, &held);
	if (!z)
		z = ics_tz_system(tzid);
	if (z)
		tz_remember(d, tzid, z, held);
	return z;
}

void ics_tz_release(struct ics_doc *d)
{
	for (size_t i = 0; i < d->ntz; i++)
		ics_tzcache_put(d->tz[i].held);
	d->ntz = 0;
}

/* An upper bound on the changes a yearly rule of the shape below makes. */
static long changes_per_year(const struct icalrecurrencetype *r)
{
	long months = (long)ICS_BY_COUNT(r, by_month), mdays = (long)ICS_BY_COUNT(r, by_month_day);
	long wdays = (long)ICS_BY_COUNT(r, by_day);

	return (months ? months : (mdays || wdays ? 12 : 1)) *
	       (mdays ? mdays : (wdays ? 5 * wdays : 1));
}

/* Why a VTIMEZONE's RRULE is refused, or NULL. Real zones change once a
 * year per rule: FREQ=YEARLY with BYMONTH and BYDAY (-1SU, 2SU) or
 * BYMONTHDAY, even both ("the Friday on or after the 23rd"). libical expands
 * such rules in full, up to the year 2582, whenever a zone is first used;
 * an hourly one runs for seconds, and some (BYWEEKNO=-53) crash it. */
static const char *tz_rule_refusal(const struct icalrecurrencetype *r)
{
	if (r->freq != ICAL_YEARLY_RECURRENCE)
		return "only FREQ=YEARLY rules change a time zone's offset";
	if (r->rscale || ICS_BY_COUNT(r, by_second) || ICS_BY_COUNT(r, by_minute) ||
	    ICS_BY_COUNT(r, by_hour) || ICS_BY_COUNT(r, by_year_day) ||
	    ICS_BY_COUNT(r, by_week_no) || ICS_BY_COUNT(r, by_set_pos))
		return "only BYMONTH, BYDAY and BYMONTHDAY are accepted in time zone rules";
	for (size_t i = 0; i < ICS_BY_COUNT(r, by_day); i++) {
		int n = abs(icalrecurrencetype_day_position(r->by_day[i]));

		if (n > 5 || (n > 0 && !ICS_BY_COUNT(r, by_month)))
			return "a numbered BYDAY needs BYMONTH and a number up to 5";
	}
	if (changes_per_year(r) > TZ_CHANGES_PER_YEAR_MAX)
		return "the rule may change the offset more than 12 times a year";
	if (!ics_rule_feasible(r, 1))
		return "the rule names days its months do not have";
	return NULL;
}

static int observance_check(struct ics_doc *d, const char *tzid, icalcomponent *obs)
{
	const char *what =
	    icalcomponent_isa(obs) == ICAL_XSTANDARD_COMPONENT ? "STANDARD" : "DAYLIGHT";
	icalproperty **rules;
	size_t n;

	if (!icalcomponent_get_first_property(obs, ICAL_DTSTART_PROPERTY))
		return ics_fail(d, ICS_EPARSE, obs, NULL, "%s of VTIMEZONE '%.*s' has no DTSTART",
		                what, ics_clip(tzid, 60), tzid);
	if (!icalcomponent_get_first_property(obs, ICAL_TZOFFSETTO_PROPERTY))
		return ics_fail(d, ICS_EPARSE, obs, NULL,
		                "%s of VTIMEZONE '%.*s' has no TZOFFSETTO", what,
		                ics_clip(tzid, 60), tzid);
	rules = ics_props(d, obs, ICAL_RRULE_PROPERTY, &n);
	for (size_t i = 0; i < n; i++) {
		struct icalrecurrencetype r = icalproperty_get_rrule(rules[i]);
		const char *why = tz_rule_refusal(&r);

		if (why)
			return ics_fail(d, ICS_EPARSE, obs, rules[i], "VTIMEZONE '%.*s': %s",
			                ics_clip(tzid, 60), tzid, why);
	}
	return ICS_OK;
}

int ics_vtimezone_check(struct ics_doc *d, icalcomponent *vtz)
{
	icalproperty *p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
	const char *tzid = p ? icalproperty_get_tzid(p) : NULL;
	size_t observances = 0;
	int rc = ICS_OK;

	if (!tzid || !*tzid)
		return ics_fail(d, ICS_EPARSE, vtz, NULL, "VTIMEZONE has no TZID");
	for (icalcomponent *c = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
	     c && !rc; c = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		icalcomponent_kind k = icalcomponent_isa(c);

		if (k != ICAL_XSTANDARD_COMPONENT && k != ICAL_XDAYLIGHT_COMPONENT)
			continue;
		rc = observance_check(d, tzid, c);
		observances++;
	}
	if (!rc && observances == 0)
		rc = ics_fail(d, ICS_EPARSE, vtz, NULL,
		              "VTIMEZONE '%.*s' has neither STANDARD nor DAYLIGHT",
		              ics_clip(tzid, 60), tzid);
	return rc;
}
