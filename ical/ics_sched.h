/* ics_sched.h - reading an iTIP scheduling message (RFC 5546) that a
 * calendar client POSTs to its scheduling Outbox (RFC 6638 5).
 *
 * slotdav answers one kind of message itself, the free-busy request
 * (METHOD:REQUEST with a VFREEBUSY: RFC 5546 3.3.2); for any other the
 * caller needs only the METHOD and the kind of component, to say why it is
 * refused. So ics_sched_parse reads every message that far, and reads (and
 * checks) the fields of a free-busy request only.
 */
#ifndef ICS_SCHED_H
#define ICS_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "sd_arena.h"
#include "sd_err.h"

struct ics_sched_msg {
	const char *method; /* METHOD value, upper case ("REQUEST") */
	const char *comp;   /* name of the first component other than VTIMEZONE
			       ("VFREEBUSY", "VEVENT", an unknown one as written) */
	unsigned comp_bit;  /* its enum ics_comp bit; 0 for other kinds */
	int fb_request;     /* METHOD:REQUEST with a VFREEBUSY: the rest is set */

	const char *uid;              /* "" when the request has none */
	const char *organizer;        /* ORGANIZER's cal-address, as written */
	const char *const *attendees; /* ATTENDEE cal-addresses, in order */
	size_t nattendees;            /* at least 1 */
	int64_t start, end;           /* DTSTART, DTEND (Unix seconds); start < end */
	const char *mask_uid;         /* X-CALENDARSERVER-MASK-UID (the event a
					   client is rescheduling, not to be counted
					   as busy), NULL when absent */
};

/* Reads the scheduling message data[0..len). Strings go into a (valid until
 * it is freed). Times with a TZID are read in that zone (a VTIMEZONE of the
 * message, else the system's database), floating ones as UTC. Errors, with
 * a message a person can act on in err:
 * ICS_EPARSE  not iCalendar (the first checks of ics_object_check);
 * ICS_EOBJECT not a scheduling message: no METHOD, no component besides
 *             VTIMEZONE, components of several kinds; or a free-busy
 *             request without what RFC 5546 3.3.2 requires: exactly one
 *             VFREEBUSY with DTSTART and DTEND (DTEND after DTSTART),
 *             exactly one ORGANIZER, one ATTENDEE at least. */
int ics_sched_parse(const char *data, size_t len, struct sd_arena *a, struct ics_sched_msg *out,
                    struct sd_err *err);

#endif
