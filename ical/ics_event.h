/* ics_event.h - writing one event as an iCalendar object: the form in which
 * a booking is published (SPEC 3).
 *
 * The writer escapes TEXT values (backslash, semicolon, comma, newline:
 * RFC 5545 3.3.11), quotes parameter values that need it and drops the
 * characters a parameter value cannot hold (DQUOTE, controls: 3.1), folds
 * lines at 75 octets without splitting a UTF-8 sequence, and ends lines with
 * CRLF. ics_event_render writes times in UTC; its output passes
 * ics_object_check.
 *
 * ics_calendar_render writes many events as one published calendar (an
 * iCalendar feed, RFC 5545 with the extensions of RFC 7986 and the X-WR-*
 * properties Google, Outlook and Apple read): METHOD:PUBLISH, NAME and
 * X-WR-CALNAME, X-WR-TIMEZONE, REFRESH-INTERVAL and X-PUBLISHED-TTL. An
 * event with a tzid gets its times as wall clocks in that zone (Outlook
 * shows zoned times best), and the calendar a VTIMEZONE for every zone
 * used, made by libical from the system database.
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
	const char *status;  /* "CONFIRMED", "TENTATIVE", "CANCELLED" or NULL */
	const char *transp;  /* "OPAQUE", "TRANSPARENT" or NULL */
	const char *summary; /* NULL: none; the others likewise */
	const char *location;
	const char *description;
	const struct ics_party *organizer;
	const struct ics_party *attendees;
	size_t nattendees;
	const struct ics_xprop *xprops;
	size_t nxprops;
	/* ics_calendar_render only: a zone name for DTSTART/DTEND;NULL, "UTC"
	 * or a zone the system does not know: UTC. */
	const char *tzid;
};

/* A VCALENDAR (VERSION, PRODID prodid) holding the one VEVENT ev, in a. */
char *ics_event_render(struct sd_arena *a, const struct ics_event *ev, const char *prodid);

/* The same with a METHOD property (iTIP, RFC 5546: "REQUEST", "CANCEL";
 * NULL: none), the form of an iMIP message's calendar part (RFC 6047). The
 * method is written as given: it must be one of iTIP's names. */
char *ics_event_render_method(struct sd_arena *a, const struct ics_event *ev, const char *prodid,
                              const char *method);
struct ics_calendar {
	const char *prodid;
	const char *name;    /* NAME and X-WR-CALNAME; NULL: none */
	const char *tzid;    /* X-WR-TIMEZONE; NULL: none */
	const char *refresh; /* REFRESH-INTERVAL and X-PUBLISHED-TTL ("PT1H"); NULL: none */
	int64_t zones_from;  /* VTIMEZONEs leave out observances that ended before this */
};

/* A VCALENDAR with METHOD:PUBLISH holding ev[0..n) (VTIMEZONEs first, then
 * the events in order), in a. */
char *ics_calendar_render(struct sd_arena *a, const struct ics_calendar *cal,
                          const struct ics_event *ev, size_t n);

#endif
