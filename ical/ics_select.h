/* ics_select.h - CALDAV:calendar-data as a request asks for it (RFC 4791
 * 9.6): a subset of components and properties, recurrences expanded into
 * instances or limited to a time range, FREEBUSY values limited to one.
 *
 * caldav/ turns the XML element into this tree (and refuses malformed
 * ones); ical/ writes the iCalendar text. The tree knows nothing of XML.
 *
 * Selection (9.6.1-9.6.4), per component named by a struct ics_comp_sel:
 * - properties: all with allprop, else those named in props (ASCII case
 *   does not matter); novalue writes "NAME;PARAMS:" without the value;
 * - subcomponents: all (as stored) with allcomp, else the children named in
 *   comps, each under its own selection;
 * - a comp with no prop, no comp, no allprop and no allcomp selects the
 *   whole component (RFC 4791 7.8.1 asks <C:comp name="VTIMEZONE"/> that
 *   way), otherwise a missing list selects nothing (the DTD's "prop*");
 * - the root names VCALENDAR; one that does not selects nothing (an empty
 *   VCALENDAR is written). VTIMEZONEs are written when selected.
 *
 * Everything not changed by the request is written as it was stored (the
 * content lines, unfolded, then folded again at 75 octets with CRLF), so
 * values keep their bytes: nothing goes through libical's writer.
 */
#ifndef ICS_SELECT_H
#define ICS_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "sd_arena.h"
#include "sd_err.h"

/* expand would write more instances than allowed (see ics_calendar_data);
 * caldav/ answers it like a result too large to return. */
#define ICS_ETOOMANY (-4)

/* Instances one expand writes at most when the request sets no lower cap. */
#define ICS_SELECT_MAX_INSTANCES 10000u

struct ics_prop_sel {
	const char *name;
	int novalue;
	struct ics_prop_sel *next;
};

struct ics_comp_sel {     /* CALDAV:comp */
	const char *name; /* "VCALENDAR", "VEVENT", ... */
	int allprop, allcomp;
	struct ics_prop_sel *props;
	struct ics_comp_sel *comps;
	struct ics_comp_sel *next;
};

/* Times in Unix seconds, UTC, [start, end). */
struct ics_select {
	struct ics_comp_sel *comp; /* NULL: every component and property */
	int expand;
	int64_t expand_start, expand_end; /* CALDAV:expand */
	int limit_rset;
	int64_t lr_start, lr_end; /* CALDAV:limit-recurrence-set */
	int limit_fbset;
	int64_t lf_start, lf_end; /* CALDAV:limit-freebusy-set */
	unsigned max_instances;   /* 0: ICS_SELECT_MAX_INSTANCES */
};

/* The object data[0..len) as sel asks for it, as iCalendar text: CRLF line
 * ends, folded; *out (NUL-terminated) and *out_len in arena a, valid until
 * the arena is freed. sel NULL writes the whole object.
 *
 * expand (9.6.5, wins over limit_rset): each VEVENT, VTODO and VJOURNAL
 * instance that overlaps the range under the rules of 9.9 becomes a
 * component of its own, in document order (a series' instances in time
 * order, an overridden instance as its override, where the override
 * stands); a component that does not overlap is left out. Instances of a
 * series (one with RRULE, RDATE or overrides) carry a RECURRENCE-ID; no
 * component keeps RRULE, RDATE, EXDATE or EXRULE; DTSTART, DTEND, DUE,
 * RECURRENCE-ID and every other DATE-TIME with a TZID are written in UTC,
 * VTIMEZONEs are dropped. Floating times and DATEs stay as they are (their
 * instances are found in the zone of default_tz, a VCALENDAR with one
 * VTIMEZONE, or UTC when NULL), shifted to the instance on the wall clock.
 * Other components (VFREEBUSY, VAVAILABILITY and its AVAILABLEs, ...) are
 * written with their times in UTC, their recurrence rules unexpanded.
 * The VCALENDAR keeps its (selected) properties.
 *
 * limit_rset (9.6.6): masters and other components are written whole; an
 * override (a component with RECURRENCE-ID) only if it overlaps the range
 * by its own time or by the instance it replaces (its RECURRENCE-ID and
 * the length of the master's instances).
 *
 * limit_fbset (9.6.7): in VFREEBUSY components, only the FREEBUSY periods
 * that overlap the range; a FREEBUSY property left with none is dropped.
 *
 * Errors: ICS_EPARSE (the stored data does not parse; err says why);
 * ICS_ETOOMANY: expand would write more than max_instances components, or
 * a recurrence rule could not be expanded within the budget of ICS_STEPS_MAX
 * instances per object (a hostile rule): nothing is written. */
int ics_calendar_data(const char *data, size_t len, const struct ics_select *sel,
                      const char *default_tz, struct sd_arena *a, const char **out, size_t *out_len,
                      struct sd_err *err);

#endif
