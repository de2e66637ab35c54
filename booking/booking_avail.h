/* booking_avail.h - the availability engine: free slots of one staff member
 * from working hours, exceptions and busy time. Pure computation: no
 * storage, no clock; booking.c gathers the inputs and calls it.
 *
 * Semantics (SPEC 2 and 4):
 * - Working hours are wall-clock intervals in the location's zone: the
 *   weekly schedule of each local date, minus the exceptions of that date
 *   with available 0, plus those with available 1. Slots are instants: a
 *   wall-clock start time that occurs twice on a DST change gives two
 *   slots, one that does not occur gives none. The appointment [s, s +
 *   duration) must lie wholly inside the working time of the date the grid
 *   started on (as instants: an interval spanning a DST change is as long as
 *   it really is).
 * - Start times are on a grid of `step` seconds counted from the start of
 *   each working interval (wall clock).
 * - Busy time: each item is an appointment [start, end) with buffers
 *   before/after (0 for plain busy events). A slot fits an item when
 *   neither's appointment time falls inside the other's buffered span:
 *   [s, s+dur) does not overlap [b.start - b.before, b.end + b.after) and
 *   [b.start, b.end) does not overlap [s - before, s + dur + after).
 *   Buffers may overlap each other.
 * - Only starts in [from, to) and in [earliest, latest] are returned.
 */
#ifndef BOOKING_AVAIL_H
#define BOOKING_AVAIL_H

#include <stddef.h>
#include <stdint.h>

#include "sd_arena.h"
#include "sd_err.h"
#include "store_bk.h"

struct booking_busy {
	int64_t start, end;    /* appointment or busy event, Unix seconds */
	int64_t before, after; /* buffers, seconds (0 for busy events) */
};

struct booking_avail_in {
	const char *tzid;         /* the location's zone (IANA name) */
	int64_t from, to;         /* slot starts wanted, Unix seconds */
	int64_t earliest, latest; /* notice and horizon bounds on the start, inclusive */
	int64_t duration, before, after, step; /* seconds; duration, step > 0 */
	int64_t location_id; /* only hours and extra shifts at this location count */
	const struct store_hours *weekly;
	size_t nweekly;
	const struct store_exception *exceptions; /* any order */
	size_t nexceptions;
	const struct booking_busy *busy; /* any order; ignored when !realtime */
	size_t nbusy;
	int realtime;
};

/* The free slot starts, ascending, in *out (arena a). BOOKING_EINVALID for
 * an unknown zone or nonsensical input (duration or step <= 0, from > to).
 * At most BOOKING_AVAIL_MAX slots (more is BOOKING_EINVALID: ask for a
 * shorter range). */
#define BOOKING_AVAIL_MAX 100000
int booking_avail_slots(struct sd_arena *a, const struct booking_avail_in *in, int64_t **out,
                        size_t *n, struct sd_err *err);

/* Whether the appointment [start, start + in->duration) is inside working
 * hours (as booking_avail_slots defines them; the grid is not checked):
 * 1 yes, 0 no, or BOOKING_EINVALID. from/to/earliest/latest are ignored. */
int booking_avail_in_hours(const struct booking_avail_in *in, int64_t start, struct sd_err *err);

/* Whether it collides with a busy item: 1 yes, 0 no. */
int booking_avail_conflicts(const struct booking_avail_in *in, int64_t start);

/* Whether start is on the grid of some working interval of its date (wall
 * clock), or of the weekly/exception interval boundaries: 1 yes, 0 no. */
int booking_avail_on_grid(const struct booking_avail_in *in, int64_t start, struct sd_err *err);

#endif
