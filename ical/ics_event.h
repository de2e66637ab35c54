/* ics_event.h - writing one event as an iCalendar object: the form in which
 * a booking is published (SPEC 3).
 *
 * The writer escapes TEXT values (backslash, semicolon, comma, newline:
 * RFC 5545 3.3.11), quotes parameter values that need it and drops the
 * characters a parameter value cannot hold (DQUOTE, controls: 3.1), folds
 * lines at 75 octets without splitting a UTF-8 sequence, and ends lines with
 * CRLF. Times are written in UTC. The output passes ics_object_check.
 */
#ifndef ICS_EVENT_H
#define ICS_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "sd_arena.h"

struct ics_party {
	const char *cn;       /* common name, may be "" */
	const char *uri;      /* cal-address, e.g. "mailto:a@example.org" */
	const char *role;     /* ATTENDEE ROLE, NULL for none */
	const char *partstat; /* ATTENDEE PARTSTAT, NULL for none */
};

struct ics_xprop {
	const char *name;  /* "X-SLOTDAV-BOOKING-ID" */
	const char *value; /* TEXT, escaped by the writer */
};

struct ics_event {
	const char *uid;
	int64_t dtstamp, start, end; /* Unix seconds */
	int64_t sequence;
	const char *status;      /* "CONFIRMED", "TENTATIVE", "CANCELLED" or NULL */
	const char *transp;      /* "OPAQUE", "TRANSPARENT" or NULL */
	const char *summary;     /* NULL: none; the others likewise */
	const char *location;
	const char *description;
	const struct ics_party *organizer;
	const struct ics_party *attendees;
	size_t nattendees;
	const struct ics_xprop *xprops;
	size_t nxprops;
};

/* A VCALENDAR (VERSION, PRODID prodid) holding the one VEVENT ev, in a. */
char *ics_event_render(struct sd_arena *a, const struct ics_event *ev, const char *prodid);

/* The same with a METHOD property (iTIP, RFC 5546: "REQUEST", "CANCEL";
 * NULL: none), the form of an iMIP message's calendar part (RFC 6047). The
 * method is written as given: it must be one of iTIP's names. */
char *ics_event_render_method(struct sd_arena *a, const struct ics_event *ev, const char *prodid,
			      const char *method);

#endif
