/* ics_occur.h - the instances of the events of one calendar object, with
 * what a published calendar may show of them: the form in which a staff
 * member's personal calendars join their iCalendar feed (SPEC 3).
 *
 * Which instances: those of the VEVENTs (master, overrides, RDATEs;
 * EXDATEs and overridden instances removed) that overlap [start, end),
 * as ics_fb_add counts busy time: a component with TRANSP:TRANSPARENT or
 * STATUS:CANCELLED is left out (an override can cancel one instance), and
 * instances without length are left out. A rule too costly to walk gives
 * the instances seen within the expansion budget. Floating times and dates
 * are in the zone of default_tz (a CALDAV:calendar-timezone value), or UTC.
 */
#ifndef ICS_OCCUR_H
#define ICS_OCCUR_H

#include <stddef.h>
#include <stdint.h>

#include "sd_arena.h"
#include "sd_err.h"

/* At most this many instances per object (a minutely rule over a year). */
#define ICS_OCCUR_MAX 2000

struct ics_occur {
	int64_t start, end;   /* instants, [start, end), end > start */
	int64_t rid;          /* the instance's start in the master's set */
	int tentative;        /* STATUS:TENTATIVE */
	const char *uid;      /* the component's UID, or "" */
	const char *summary;  /* NULL when the component has none */
	const char *location; /* likewise */
};

/* The instances of data[0..len) in [start, end), in no set order, in a
 * (*out NULL when *n is 0). ICS_EPARSE if the data does not parse (err
 * says why; *n is 0). */
int ics_occurrences(const char *data, size_t len, const char *default_tz, int64_t start,
                    int64_t end, struct sd_arena *a, struct ics_occur **out, size_t *n,
                    struct sd_err *err);

#endif
