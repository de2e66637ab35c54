/* ics_filter.h - CalDAV calendar-query filters (RFC 4791 9.7), evaluated
 * against one calendar object.
 *
 * caldav/ turns the XML filter into this tree (and refuses malformed ones);
 * ical/ decides whether an object matches. The tree knows nothing of XML.
 *
 * Semantics (RFC 4791 9.7.1-9.7.5):
 * - comp-filter: with is_not_defined, matches when the parent has no child
 *   component of that name; otherwise when some child component of that
 *   name satisfies the time range (if any), every prop-filter and every
 *   nested comp-filter. The root filter names VCALENDAR.
 * - prop-filter: with is_not_defined, matches when the component has no
 *   such property; otherwise when some property of that name satisfies the
 *   time range (DATE-TIME properties), the text-match and every
 *   param-filter.
 * - param-filter: is_not_defined, or some parameter of that name whose
 *   value satisfies the text-match.
 * - text-match: substring match under the collation, inverted by negate.
 * - time-range on components: the overlap rules of RFC 4791 9.9 for
 *   VEVENT, VTODO, VJOURNAL, VFREEBUSY and VALARM; a recurring component
 *   matches when one of its instances does.
 */
#ifndef ICS_FILTER_H
#define ICS_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "sd_err.h"

enum ics_collation {
	ICS_COLL_ASCII_CASEMAP = 0, /* the default (RFC 4791 7.5.1) */
	ICS_COLL_OCTET,
	ICS_COLL_UNICODE_CASEMAP,
};

struct ics_text_match {
	const char *text; /* UTF-8 */
	enum ics_collation collation;
	int negate;
};

/* Unix seconds; ICS_TIME_MIN / ICS_TIME_MAX for an open end. */
struct ics_time_range {
	int64_t start, end;
};

struct ics_param_filter {
	const char *name;
	int is_not_defined;
	struct ics_text_match *text; /* NULL: presence is enough */
	struct ics_param_filter *next;
};

struct ics_prop_filter {
	const char *name;
	int is_not_defined;
	struct ics_time_range *range; /* NULL if none */
	struct ics_text_match *text;  /* NULL if none */
	struct ics_param_filter *params;
	struct ics_prop_filter *next;
};

struct ics_comp_filter {
	const char *name;
	int is_not_defined;
	struct ics_time_range *range;
	struct ics_prop_filter *props;
	struct ics_comp_filter *comps; /* nested */
	struct ics_comp_filter *next;  /* siblings */
};

/* Whether the object data[0..len) matches the filter tree rooted at root
 * (a comp-filter named VCALENDAR). Floating times are taken in the zone
 * whose VTIMEZONE text is default_tz (the calendar's calendar-timezone),
 * or UTC when it is NULL. Recurrence expansion is capped, so a hostile rule
 * cannot run away. Returns 1 (match), 0 (no match) or ICS_EPARSE (the
 * stored object no longer parses; err says why). */
int ics_filter_match(const char *data, size_t len, const struct ics_comp_filter *root,
                     const char *default_tz, struct sd_err *err);

#endif
