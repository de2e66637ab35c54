/* ics_zone.h - time zones of the system database for the rest of the
 * server: wall clocks and instants in a named zone, and the calendar
 * arithmetic that goes with them. No libical type shows here.
 *
 * An instant is Unix seconds (UTC). A wall clock is a local date and time
 * read as if it were UTC: seconds since 1970-01-01T00:00 of the local
 * calendar, so wall / 86400 (rounded down) is the local day number and
 * wall % 86400 the time of day. In a zone, every instant has one wall clock,
 * but a wall clock has one instant, two (the hour repeated when the clocks
 * go back) or none (the hour skipped when they go forward).
 *
 * Zones are plain names of the system database ("Europe/Berlin") or "UTC".
 * Times are accepted from ICS_ZONE_TIME_MIN to ICS_ZONE_TIME_MAX (years
 * 1 to 9999). Every function may be called from several threads at once.
 */
#ifndef ICS_ZONE_H
#define ICS_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "sd_arena.h"

#define ICS_ZONE_TIME_MIN INT64_C(-62135596800) /* 0001-01-01T00:00:00 */
#define ICS_ZONE_TIME_MAX INT64_C(253402214400) /* 9999-12-31T00:00:00 */

/* 1 if tzid is "UTC" or a plain zone name the system database knows,
 * else 0 (also for NULL, "", "../x" and the like). */
int ics_zone_valid(const char *tzid);

/* The wall clock in tzid of instant. ICS_EPARSE if tzid is not a zone
 * (ics_zone_valid) or instant is out of range; *wall_out is then untouched. */
int ics_zone_wall(const char *tzid, int64_t instant, int64_t *wall_out);

/* The instants whose wall clock in tzid is wall, ascending, in out[0..*n):
 * *n is 1 normally, 2 in an hour the clocks repeat, 0 in one they skip.
 * ICS_EPARSE if tzid is not a zone or wall is out of range (*n is then 0). */
int ics_zone_instants(const char *tzid, int64_t wall, int64_t out[2], int *n);

/* A stretch of time with one UTC offset: the instants t in [start, end)
 * have the wall clock t + offset. */
struct ics_zone_span {
	int64_t start, end;
	int64_t offset; /* seconds east of UTC */
};

/* The spans that cover the instants [from, to), in order and without gaps:
 * the first starts at from, the last ends at to, and neighbours differ in
 * offset. With them, wall clocks and instants convert by arithmetic alone,
 * so callers that convert many times in one range ask once. *out is in
 * arena a. ICS_EPARSE if tzid is not a zone, or unless ICS_ZONE_TIME_MIN
 * <= from < to <= ICS_ZONE_TIME_MAX (*out is then NULL, *n 0). */
int ics_zone_spans(struct sd_arena *a, const char *tzid, int64_t from, int64_t to,
                   struct ics_zone_span **out, size_t *n);

/* ---- the proleptic Gregorian calendar, days since 1970-01-01 ---- */

/* The day number of y-m-d (m 1..12, d 1..31), any year. */
int64_t ics_days_from_civil(int64_t y, int m, int d);
/* The date of day number days (years that fit an int). */
void ics_civil_from_days(int64_t days, int *y, int *m, int *d);
/* The ISO 8601 weekday of day number days: 1 = Monday .. 7 = Sunday. */
int ics_weekday(int64_t days);

#endif
