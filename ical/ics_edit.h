/* ics_edit.h - what a calendar client did to a booking's calendar object:
 * its edited copy read into plain values, and the object stored after the
 * edit (SPEC 3 and 4).
 *
 * booking/ compares an edit with the booking record and decides what it
 * means; it never sees libical. ics_edit_read gives it the times, status,
 * parties and X- properties of the copy a client PUT; ics_edit_merge
 * builds the object to store: the booking's own properties as the server
 * renders them (ics_event_render), plus what the client keeps for itself
 * (alarms, categories, colour, its X- properties, its SUMMARY).
 */
#ifndef ICS_EDIT_H
#define ICS_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "ics_event.h"
#include "sd_arena.h"
#include "sd_err.h"

/* An ORGANIZER or ATTENDEE. */
struct ics_edit_party {
	/* For comparison: "mailto:" and the address lower-cased
	 * ("MAILTO:Anna@Example.ORG" -> "mailto:anna@example.org"; a bare
	 * "anna@example.org" gets the "mailto:"); another URI has its scheme
	 * lower-cased and the rest kept ("urn:x-slotdav:customer:7"). */
	const char *address;
	const char *uri;      /* the value as sent */
	const char *cn;       /* CN, NULL when absent */
	const char *partstat; /* upper case; an ATTENDEE's defaults to NEEDS-ACTION,
				 an ORGANIZER's is NULL */
	const char *role;     /* upper case; an ATTENDEE's defaults to
				 REQ-PARTICIPANT, an ORGANIZER's is NULL */
};

/* One calendar object as a client sent it. Every string is in the arena
 * passed to ics_edit_read; TEXT values are unescaped ("\," -> ","; "\n" ->
 * a newline). "The master" is the VEVENT without RECURRENCE-ID, or, in an
 * object of overrides alone, the first VEVENT. */
struct ics_edit {
	const char *uid; /* non-empty */
	size_t nevents;  /* VEVENT components, >= 1 */
	int recurring;   /* some VEVENT has RRULE, RDATE, EXDATE or RECURRENCE-ID */

	/* The master's time, in Unix seconds: start is DTSTART, end is DTEND,
	 * or DTSTART + DURATION (days and weeks counted on the wall clock of
	 * DTSTART's zone, hours and less exactly), or without either one day
	 * after a DATE and the same instant as a DATE-TIME (RFC 5545 3.6.1).
	 * start <= end always (ics_object_check refuses a DTEND before DTSTART
	 * and a negative DURATION). A TZID is the object's VTIMEZONE or else
	 * the system zone of that name; a UTC time is itself. */
	int64_t start, end;
	int all_day;  /* DTSTART is a DATE; then floating too */
	int floating; /* DTSTART has neither TZID nor "Z" (or is a DATE): read
			 in default_tz, or in UTC without one */

	const char *status;  /* upper case, NULL when absent */
	int64_t sequence;    /* 0 when absent */
	const char *summary; /* NULL when absent, "" when empty */
	const char *description;
	const char *location;

	const struct ics_edit_party *organizer; /* NULL when absent */
	const struct ics_edit_party *attendees; /* in order */
	size_t nattendees;

	/* The master's X- properties, in order: names in upper case, values
	 * unescaped unless a VALUE parameter says the value is not TEXT. */
	const struct ics_xprop *xprops;
	size_t nxprops;
	/* Those whose name starts with X-SLOTDAV-, in order. */
	const struct ics_xprop *x_slotdav;
	size_t nx_slotdav;
	const char *booking_id;    /* X-SLOTDAV-BOOKING-ID, NULL when absent */
	const char *cancel_reason; /* X-SLOTDAV-CANCEL-REASON, NULL when absent */
};

/* Reads data[0..len), a calendar object, into *out (zeroed first; strings in
 * a, valid until the arena is freed). The object is checked first as
 * ics_object_check(..., ICS_COMP_VEVENT, ...) checks it, so what that
 * guarantees holds here: one UID, one master at most, a DTSTART, no DTEND
 * before it, every TZID known. default_tz is a CALDAV:calendar-timezone
 * value (a VCALENDAR with one VTIMEZONE) for floating times and dates, or
 * NULL for UTC; one that cannot be read counts as NULL.
 * Returns ICS_OK, ICS_EPARSE (not valid iCalendar), ICS_EOBJECT (not one
 * calendar object; a TZID no VTIMEZONE and no system zone defines) or
 * ICS_ECOMPONENT (not a VEVENT), with a message in err a calendar user can
 * act on. *out is then zeroed. */
int ics_edit_read(const char *data, size_t len, const char *default_tz, struct sd_arena *a,
                  struct ics_edit *out, struct sd_err *err);

/* The value of the master's X- property name (ASCII case-insensitive), the
 * first if there are several; NULL if it has none. Borrowed from e. */
const char *ics_edit_xprop(const struct ics_edit *e, const char *name);

/* The object to store after a client's edit, in a: server_text (the
 * booking's object as ics_event_render writes it) with, from client_text
 * (what the client sent, or the object stored before), what the client owns:
 * - in the master VEVENT: every property but UID, DTSTAMP, DTSTART, DTEND,
 *   DURATION, SEQUENCE, STATUS, ORGANIZER, ATTENDEE, LOCATION, DESCRIPTION,
 *   RRULE, RDATE, EXDATE, EXRULE, RECURRENCE-ID and X-SLOTDAV-* (the
 *   booking's), those no VEVENT may have (DUE, VERSION, PRODID, CALSCALE,
 *   METHOD, TZID, TZOFFSETFROM, TZOFFSETTO), and those server_text's VEVENT
 *   has itself (TRANSP of a request event), which stay the server's;
 *   SUMMARY is the client's first one when it sent any, in the place of the
 *   server's. Then every subcomponent (VALARM, X-...), in order;
 * - in the VCALENDAR: every property but VERSION, PRODID, CALSCALE, METHOD
 *   and those server_text's VCALENDAR has (X-WR-CALNAME, ...);
 * - a VTIMEZONE only where a property kept refers to its TZID.
 * Kept properties and components are copied as the client wrote them
 * (unfolded, then folded again at 75 octets), after the server's. Other
 * VEVENTs of client_text (overrides) are not kept.
 * The result passes ics_object_check whenever server_text does: what the
 * client sent that would make it fail (a malformed value, an undefined
 * TZID) is left out, item by item; so is everything from the first item
 * (property or component, with the VTIMEZONEs it brings along; SUMMARY
 * aside) that would make more than 1000 items or 10000 lines kept.
 * Lines end in CRLF. Merging again is a no-op: merge(server, merge(server,
 * c)) is merge(server, c), byte for byte.
 * client_text NULL, or not iCalendar: a copy of server_text. NULL only when
 * server_text is NULL. */
char *ics_edit_merge(struct sd_arena *a, const char *server_text, const char *client_text);

#endif
