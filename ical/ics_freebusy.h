/* ics_freebusy.h - free-busy time over calendar objects (RFC 4791 7.10,
 * RFC 7953 4): an accumulator the objects of a CALDAV:free-busy-query are
 * added to, one at a time, then rendered as one VFREEBUSY.
 *
 * What is busy:
 * - VEVENT instances (masters, overrides, RDATEs; EXDATEs removed) that are
 *   not TRANSP:TRANSPARENT and not STATUS:CANCELLED: BUSY-TENTATIVE for
 *   STATUS:TENTATIVE, else BUSY (the table of 7.10). All-day events count
 *   (their day in the default zone); instances without length do not;
 * - FREEBUSY periods of VFREEBUSY components, with their FBTYPE (FREE is
 *   skipped, an unknown type counts as BUSY, as RFC 5545 3.2.9 says);
 * - VAVAILABILITY (RFC 7953): within its span (DTSTART to DTEND or
 *   DTSTART + DURATION, a missing side unbounded) its BUSYTYPE (default
 *   BUSY-UNAVAILABLE), except the instances of its AVAILABLE components.
 *   Components are layered by PRIORITY: where spans overlap, the highest
 *   priority decides (1 highest, 9 lowest, 0 or none below 9); spans of
 *   equal priority are one layer, free where any of their AVAILABLEs is.
 *   Time in no span is free as far as availability goes.
 * VTODO, VJOURNAL and the rest are not busy time.
 *
 * Combining: each instant is reported once, under the strongest type that
 * covers it, BUSY > BUSY-UNAVAILABLE > BUSY-TENTATIVE (an event overlays
 * availability: booked inside unavailable time is BUSY; tentative inside
 * it stays BUSY-UNAVAILABLE). RFC 4791 7.10 asks only that overlapping or
 * adjacent periods of one type be merged and that nothing outside the
 * range be reported; RFC 5545 sets no order of types. Periods are clipped
 * to [start, end).
 *
 * Bounds: an object spends at most the expansion budget of ics_int.h
 * (ICS_STEPS_MAX instances). A VEVENT whose rule cannot be walked within it
 * is taken as busy from its start to the end of the range (a free-busy
 * lookup may say busy wrongly, never free wrongly); an AVAILABLE that
 * cannot be walked frees only the instances seen. The accumulator holds at
 * most ICS_FB_MAX_ITEMS periods (merged as it fills).
 */
#ifndef ICS_FREEBUSY_H
#define ICS_FREEBUSY_H

#include <stddef.h>
#include <stdint.h>

#include "ics_select.h" /* ICS_ETOOMANY */
#include "sd_arena.h"
#include "sd_err.h"

/* Periods one accumulator holds at most (6 MB); merged, a year of a busy
 * calendar takes a few thousand. */
#define ICS_FB_MAX_ITEMS (1u << 18)

/* Busy types, weakest first: the strongest wins where they overlap. */
enum ics_fbtype {
	ICS_FB_BUSY_TENTATIVE = 1,
	ICS_FB_BUSY_UNAVAILABLE = 2,
	ICS_FB_BUSY = 3,
};

/* [start, end) in Unix seconds, UTC. */
struct ics_period {
	int64_t start, end;
	enum ics_fbtype type;
};

struct ics_fb; /* accumulator, arena-owned */

/* A new accumulator for [start, end) (start < end, Unix seconds), in arena
 * a and freed with it. */
struct ics_fb *ics_fb_new(struct sd_arena *a, int64_t start, int64_t end);

/* Adds the busy time of the object data[0..len) (see above). Floating times
 * and dates are in the zone of default_tz (a CALDAV:calendar-timezone
 * value) or UTC when NULL. Errors, after which fb is as it was: ICS_EPARSE
 * (the data does not parse; the caller skips the object and logs err);
 * ICS_ETOOMANY (fb would hold more than ICS_FB_MAX_ITEMS periods). */
int ics_fb_add(struct ics_fb *fb, const char *data, size_t len, const char *default_tz,
               struct sd_err *err);

/* Adds the busy time of a whole calendar data[0..len): a VCALENDAR of
 * many components and UIDs, as a subscribed feed or an exported file is.
 * It is cut into one object per UID (ics_split: a master with its
 * overrides and the VTIMEZONEs they name) and each is added as by
 * ics_fb_add, so every object spends its own expansion budget and one
 * broken or unparsable component is skipped instead of failing the file.
 * *skipped (may be NULL): the objects skipped. ICS_EPARSE if data is no
 * VCALENDAR at all; ICS_ETOOMANY as ics_fb_add (the objects added before
 * stay added). */
int ics_fb_add_calendar(struct ics_fb *fb, const char *data, size_t len, const char *default_tz,
                        size_t *skipped, struct sd_err *err);

/* The busy time of the objects added so far: periods sorted by start, none
 * overlapping, touching ones of one type merged. *out is in fb's arena,
 * valid until it is freed (a later ics_fb_add does not change it). Returns
 * 0. */
int ics_fb_periods(struct ics_fb *fb, const struct ics_period **out, size_t *n);

/* A VCALENDAR (VERSION, PRODID prodid) with one VFREEBUSY: DTSTAMP (now),
 * DTSTART and DTEND (the range), then one FREEBUSY line per type that
 * occurs, BUSY-TENTATIVE, BUSY (no FBTYPE: the default) and
 * BUSY-UNAVAILABLE, as RFC 4791 7.10.1 writes them, each a comma list of
 * UTC start/exact duration ("20060104T150000Z/PT1H"). CRLF, folded; text in
 * fb's arena. */
const char *ics_fb_render(struct ics_fb *fb, const char *prodid);

/* What a reply to a free-busy request (RFC 5546 3.3.2, RFC 6638 5) echoes
 * of the request: borrowed for the call. */
struct ics_fb_reply {
	const char *uid;       /* the request's UID; NULL or "" when it had none */
	const char *organizer; /* the request's ORGANIZER */
	const char *attendee;  /* the ATTENDEE whose busy time this is */
};

/* ics_fb_render as an iTIP REPLY: METHOD:REPLY, and in the VFREEBUSY the
 * UID, ORGANIZER and ATTENDEE of r (control characters become spaces).
 * CRLF, folded; text in fb's arena. */
const char *ics_fb_render_reply(struct ics_fb *fb, const char *prodid,
                                const struct ics_fb_reply *r);

#endif
