/* ics.h - the only user of libical: validating calendar object resources
 * and working out the instant range they cover.
 *
 * storage knows nothing of this module and this module nothing of storage,
 * HTTP or XML. Component kinds use the same bit values as storage's
 * enum store_comp (caldav/ checks that at compile time).
 *
 * Thread safety: every function may be called from several threads at once.
 * libical 3.0 keeps a process-wide list of system time zones whose lookup is
 * not locked; this module serialises those lookups with its own mutex, so no
 * other code in the process may call libical's time zone functions. The
 * zones of VTIMEZONEs are kept for the process too (at most 256, by their
 * text), so that libical works out their transitions once.
 */
#ifndef ICS_H
#define ICS_H

#include <stddef.h>
#include <stdint.h>

#include "sd_arena.h"
#include "sd_err.h"

enum {
	ICS_OK = 0,
	ICS_EPARSE = -1,     /* not valid iCalendar (syntax, or a rule of RFC
				5545 broken): CALDAV:valid-calendar-data */
	ICS_EOBJECT = -2,    /* iCalendar, but not one calendar object resource
				(RFC 4791 4.1): CALDAV:valid-calendar-object-resource */
	ICS_ECOMPONENT = -3, /* component kind not in the allowed set:
				CALDAV:supported-calendar-component */
};

enum ics_comp {
	ICS_COMP_VEVENT = 1 << 0,
	ICS_COMP_VTODO = 1 << 1,
	ICS_COMP_VJOURNAL = 1 << 2,
	ICS_COMP_VFREEBUSY = 1 << 3,
	ICS_COMP_VAVAILABILITY = 1 << 4,
};

#define ICS_TIME_MIN INT64_MIN
#define ICS_TIME_MAX INT64_MAX

/* An instant range [start, end) in Unix seconds, start < end. */
struct ics_span {
	int64_t start, end;
};

/* The most spans struct ics_info lists for one object. */
#define ICS_SPANS_MAX 1000

struct ics_info {
	const char *uid; /* arena */
	unsigned comp;   /* exactly one enum ics_comp bit */
	int recurring;   /* has RRULE or RDATE, or more than one component
			    (overridden instances): the range is then a hull
			    and a time-range match needs a look at instances */
	/* [first_start, last_end) in Unix seconds over every instance,
	 * conservative: floating times are widened by +-14 hours; an
	 * unbounded recurrence has last_end ICS_TIME_MAX; a component with no
	 * time at all (a VTODO with neither DTSTART nor DUE) spans
	 * ICS_TIME_MIN..ICS_TIME_MAX.
	 *
	 * A time-range [start, end) can match the object only if
	 * first_start < end && last_end > start (RFC 4791 9.9 as a pre-filter):
	 * - an instance without length (a DATE-TIME DTSTART alone, DTEND equal
	 *   to DTSTART, DURATION:PT0S) covers [t, t + 1), so a range that
	 *   contains t matches, as 9.9 requires;
	 * - an all-day DTSTART without DTEND or DURATION lasts one day;
	 * - a VTODO covers one second more on each side than a VEVENT with
	 *   its DTSTART and DUE (or DURATION) would, DUE alone counting as a
	 *   DTSTART: 9.9 compares a task's times with <= and >=; COMPLETED and
	 *   CREATED are not used;
	 * - a VJOURNAL covers its DTSTART (one day for a DATE); a VFREEBUSY
	 *   [DTSTART, DTEND + 1) and its FREEBUSY periods; a VAVAILABILITY
	 *   [DTSTART, DTEND), a missing side being unbounded;
	 * - EXDATE removes instances of DTSTART and RRULE (not RDATE), and
	 *   only where it names the same instant on DTSTART's clock: a
	 *   floating EXDATE against a zoned DTSTART removes none (a query
	 *   puts it in the calendar's zone, which may differ); an
	 *   override (RECURRENCE-ID) adds its own span, moved or not; a
	 *   bounded RRULE with more instances than the expansion budget
	 *   (100,000 per object) counts as unbounded unless it has an UNTIL. */
	int64_t first_start, last_end;
	/* Instances of the recurrence set, for CALDAV:max-instances (RFC 4791
	 * 5.2.8): 1 without RRULE or RDATE; else DTSTART, the RRULE instances
	 * and the RDATEs, each start counted once, minus those at an EXDATE
	 * (RFC 5545 3.8.5). Overrides replace instances and add none; an object
	 * of overrides alone has one per component. UINT64_MAX when the set is
	 * unbounded or not walked to its end: more instances than the
	 * expansion budget, or a rule not expanded (see first_start). */
	uint64_t instances;
	/* The same range, finer, for an index of instances: spans whose union
	 * covers every instant a time-range can match, each as conservative
	 * as [first_start, last_end) is (same conventions and widening, so
	 * the test above holds span by span). One span per instance of
	 * DTSTART and the RRULEs, per RDATE, per override (a THISANDFUTURE
	 * one: from its start to the end of the master's last instance,
	 * moved), per FREEBUSY period; one for the whole recurrence set of a
	 * component whose rules were not walked to their end. Sorted by
	 * start, without duplicates. At most ICS_SPANS_MAX: past that,
	 * neighbours (in start order) are merged, each span then covering
	 * the same number of them, so a long series still yields short spans.
	 * NULL (nspans 0) when the range is unbounded on either side: the
	 * range is all there is then. Arena. */
	const struct ics_span *spans;
	size_t nspans;
};

/* Checks that data[0..len) is one calendar object resource as RFC 4791 4.1
 * defines it:
 * - it parses as iCalendar, one VCALENDAR with VERSION:2.0 and PRODID, no
 *   property or component libical reports as malformed (ICS_EPARSE);
 * - no METHOD property; besides VTIMEZONE, components of one kind only, all
 *   with the same non-empty UID; at most one without RECURRENCE-ID; every
 *   TZID referenced is defined by a VTIMEZONE in the object or known to the
 *   system's zone database (ICS_EOBJECT);
 * - that kind is in allowed_comps, a mask of enum ics_comp (ICS_ECOMPONENT).
 * Further rules of RFC 5545 that clients rely on give ICS_EPARSE: a VEVENT
 * has a DTSTART; DTEND (DUE) and DURATION are not both present, DTEND (DUE)
 * is not before DTSTART and of the same value type, DURATION is not
 * negative; dates exist (no 2024-02-30); single properties (UID, DTSTART,
 * ...) occur once; RRULE keeps the RFC's MUST NOTs (e.g. BYDAY=1MO with
 * FREQ=DAILY); VTIMEZONEs have a TZID and STANDARD/DAYLIGHT with DTSTART
 * and TZOFFSETTO, and only yearly rules (at most 12 changes a year).
 * Accepted, as clients send them: X- and unknown IANA properties and
 * parameters, empty text values, no DTSTAMP, VALARMs, unknown nested
 * components. A TZID not defined in the object must be a plain zone name
 * (letters, digits, "_+-" and "/"), looked up in the system's zone database.
 * Fills *out (strings in a) on success. err says what is wrong, in words a
 * calendar user can act on, with the line when it can be told (e.g.
 * "line 12: DTSTART has an impossible date or time (2024-02-30)"). */
int ics_object_check(const char *data, size_t len, unsigned allowed_comps, struct sd_arena *a,
                     struct ics_info *out, struct sd_err *err);

/* Checks a CALDAV:calendar-timezone value: a VCALENDAR with exactly one
 * VTIMEZONE and nothing else. ICS_EPARSE (not iCalendar, or the VTIMEZONE
 * breaks the rules above) or ICS_EOBJECT (other components, or none).
 * VERSION and PRODID may be missing here; a VERSION present must be 2.0. */
int ics_timezone_check(const char *data, size_t len, struct sd_err *err);

/* "VEVENT" etc. for one enum ics_comp bit; NULL if not exactly one known bit. */
const char *ics_comp_name(unsigned comp);
/* The bit for a component name (ASCII case-insensitive); 0 if unknown. */
unsigned ics_comp_from_name(const char *name);

#endif
