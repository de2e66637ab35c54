/* ics_bench.c - times ical/ on recurrence rules written to run away: the
 * cases the unit tests check by their results and by the expansion budget
 * they spend (tests/ical: test_ics_range.c, test_ics_check.c,
 * test_ics_filter.c, test_ics_select.c, test_ics_freebusy.c,
 * test_ics_tz.c), timed here instead of asserted there.
 *
 * Each case is one call of the public API on one object: ics_object_check
 * (the PUT check and the range the index keeps), ics_filter_match with a
 * time-range, ics_calendar_data with expand, ics_fb_add. Prints, per case,
 * the result (0/1, an ICS_ error, or for free-busy the number of periods)
 * and the median and maximum of N runs (argument 1, default 21) after one
 * warm-up, in milliseconds. The cases marked "not walked" or "refused"
 * cost microseconds, the others milliseconds; the most a single object can
 * cost is the whole budget (ICS_STEPS_MAX libical steps: the COUNT=999999999
 * case). A case that grows by orders of magnitude from one commit to the
 * next has a rule walked that the shape checks or the budget should cut
 * off. Not a test: `cmake --build <dir> --target ics_bench`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ics.h"
#include "ics_filter.h"
#include "ics_freebusy.h"
#include "ics_select.h"
#include "sd_arena.h"
#include "sd_err.h"

#define CAL(body)                                                                 \
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//slotdav//bench//EN\r\n" body \
	"END:VCALENDAR\r\n"
#define EV(body) \
	"BEGIN:VEVENT\r\nUID:b@example.com\r\nDTSTAMP:20240101T000000Z\r\n" body "END:VEVENT\r\n"

#define T2024 INT64_C(1704067200) /* 2024-01-01T00:00:00Z */
#define DAY   INT64_C(86400)

enum op { CHECK, FILTER, EXPAND, FREEBUSY };

struct bcase {
	const char *name;
	enum op op;
	const char *ics;
	int64_t start, end; /* the time-range, expand range or free-busy range */
};

static const struct bcase cases[] = {
	{ "check: SECONDLY;COUNT=999999999 (budget spent)", CHECK,
	  CAL(EV("DTSTART:20240101T100000Z\r\nRRULE:FREQ=SECONDLY;COUNT=999999999\r\n")), 0, 0 },
	{ "check: SECONDLY;BYMONTH=12;BYHOUR=3 (not walked)", CHECK,
	  CAL(EV(
	      "DTSTART:20240101T100000Z\r\nRRULE:FREQ=SECONDLY;BYMONTH=12;BYHOUR=3;COUNT=10\r\n")),
	  0, 0 },
	{ "check: 5 x MONTHLY;BYDAY=5MO;BYMONTHDAY=n (not walked)", CHECK,
	  CAL(EV("DTSTART:20240101T100000Z\r\nDURATION:PT1H\r\n"
	         "RRULE:FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=1;UNTIL=20250101T000000Z\r\n"
	         "RRULE:FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=2;UNTIL=20250101T000000Z\r\n"
	         "RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6;UNTIL=20250101T000000Z\r\n"
	         "RRULE:FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=3;UNTIL=20250101T000000Z\r\n"
	         "RRULE:FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=4;UNTIL=20250101T000000Z\r\n")),
	  0, 0 },
	{ "check: VTIMEZONE with FREQ=HOURLY (refused)", CHECK,
	  CAL("BEGIN:VTIMEZONE\r\nTZID:Evil\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
	      "TZOFFSETTO:+0100\r\nTZOFFSETFROM:+0100\r\nRRULE:FREQ=HOURLY\r\nEND:STANDARD\r\n"
	      "END:VTIMEZONE\r\n" EV("DTSTART;TZID=Evil:20240101T100000\r\n")),
	  0, 0 },
	{ "check: a VTIMEZONE asked about the year 3000 (clamped)", CHECK,
	  CAL("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
	      "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nDTSTART:"
	      "19810329T020000\r\n"
	      "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
	      "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nDTSTART:"
	      "19961027T030000\r\n"
	      "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" EV(
	          "DTSTART;TZID=Europe/Berlin:30000115T120000\r\nDURATION:PT1H\r\n")),
	  0, 0 },
	{ "filter: SECONDLY from 1970, 1 s in 2024", FILTER,
	  CAL(EV("DTSTART:19700101T000000Z\r\nRRULE:FREQ=SECONDLY\r\n")), T2024, T2024 + 1 },
	{ "filter: SECONDLY;BYMONTH=2, one day (not walked)", FILTER,
	  CAL(EV("DTSTART:19700101T000000Z\r\nRRULE:FREQ=SECONDLY;BYMONTH=2\r\n")), T2024,
	  T2024 + DAY },
	{ "filter: MINUTELY;BYMONTH=1;BYHOUR=9, an hour", FILTER,
	  CAL(EV("DTSTART:20231201T000000Z\r\nRRULE:FREQ=MINUTELY;BYMONTH=1;BYHOUR=9\r\n")),
	  T2024 + 4 * DAY + 10 * 3600, T2024 + 4 * DAY + 11 * 3600 },
	{ "filter: fortnightly since 2010, a minute in 2029", FILTER,
	  CAL(EV("DTSTART:20100105T090000Z\r\nDURATION:PT1H\r\n"
	         "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH\r\n")),
	  INT64_C(1891675800), INT64_C(1891675860) }, /* 2029-12-11T09:30Z */
	{ "expand: SECONDLY over 21 days (too many)", EXPAND,
	  CAL(EV("DTSTART:20240101T000000Z\r\nRRULE:FREQ=SECONDLY\r\n")), T2024, T2024 + 21 * DAY },
	{ "expand: SECONDLY;BYMONTH=2 over 21 days (not walked)", EXPAND,
	  CAL(EV("DTSTART:20240101T000000Z\r\nRRULE:FREQ=SECONDLY;BYMONTH=2\r\n")), T2024,
	  T2024 + 21 * DAY },
	{ "expand: SECONDLY, 10 minutes (600 instances)", EXPAND,
	  CAL(EV("DTSTART:20240101T000000Z\r\nRRULE:FREQ=SECONDLY\r\n")), T2024, T2024 + 600 },
	{ "free-busy: SECONDLY;INTERVAL=2, a week (capped)", FREEBUSY,
	  CAL(EV(
	      "DTSTART:20240102T000000Z\r\nDURATION:PT1S\r\nRRULE:FREQ=SECONDLY;INTERVAL=2\r\n")),
	  T2024, T2024 + 7 * DAY },
	{ "free-busy: SECONDLY;INTERVAL=2, an hour (1800 periods)", FREEBUSY,
	  CAL(EV(
	      "DTSTART:20240101T000000Z\r\nDURATION:PT1S\r\nRRULE:FREQ=SECONDLY;INTERVAL=2\r\n")),
	  T2024, T2024 + 3600 },
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* One call; its result (0 or 1, or an ICS_ error; free-busy: the periods). */
static long run_once(const struct bcase *c)
{
	struct sd_arena *a = sd_arena_new();
	size_t len = strlen(c->ics), n = 0;
	struct sd_err err;
	long rc = -1;

	switch (c->op) {
	case CHECK: {
		struct ics_info info;

		rc = ics_object_check(c->ics, len, ICS_COMP_VEVENT, a, &info, &err);
		break;
	}
	case FILTER: {
		struct ics_time_range r = { c->start, c->end };
		struct ics_comp_filter ev = { .name = "VEVENT", .range = &r };
		struct ics_comp_filter cal = { .name = "VCALENDAR", .comps = &ev };

		rc = ics_filter_match(c->ics, len, &cal, NULL, &err);
		break;
	}
	case EXPAND: {
		struct ics_select sel = { .expand = 1,
			                  .expand_start = c->start,
			                  .expand_end = c->end };
		const char *out;

		rc = ics_calendar_data(c->ics, len, &sel, NULL, a, &out, &n, &err);
		break;
	}
	case FREEBUSY: {
		struct ics_fb *fb = ics_fb_new(a, c->start, c->end);
		const struct ics_period *p;

		rc = ics_fb_add(fb, c->ics, len, NULL, &err);
		if (rc == 0 && ics_fb_periods(fb, &p, &n) == 0)
			rc = (long)n;
		break;
	}
	}
	sd_arena_free(a);
	return rc;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 21;
	double *ms;

	if (runs < 1)
		runs = 1;
	ms = calloc((size_t)runs, sizeof(*ms));
	if (!ms)
		return 1;
	printf("%-56s %8s %10s %10s\n", "case", "result", "median ms", "max ms");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long rc = run_once(&cases[i]); /* warm-up: zones, libical's tables */

		for (int r = 0; r < runs; r++) {
			double t0 = now_ms();

			run_once(&cases[i]);
			ms[r] = now_ms() - t0;
		}
		qsort(ms, (size_t)runs, sizeof(*ms), cmp_double);
		printf("%-56s %8ld %10.3f %10.3f\n", cases[i].name, rc, ms[runs / 2], ms[runs - 1]);
	}
	free(ms);
	return 0;
}
