/* test_avail.c - the availability engine (booking_avail.h).
 *
 * Most tests use Europe/Berlin and the week of Monday 2026-06-01 (day
 * 20605; 09:00 CEST is 07:00Z), with hours 09:00-17:00 Monday to Friday, a
 * 30-minute service on a 15-minute grid: 31 starts a day (09:00 to 16:30).
 * The DST tests use the Sundays of 2026 when the clocks change: March 29th
 * (day 20541) and October 25th (day 20751) in Berlin, at 02:00 CET and
 * 03:00 CEST; March 8th (day 20520) and November 1st (day 20758) in New
 * York, at 02:00 EST and 02:00 EDT. Expected instants are written out with
 * their UTC time, or made with local(), which asks ics_zone.h (tested on
 * its own in test_ical).
 *
 * The last test compares the engine with a reference that follows the
 * header's words minute by minute, on random inputs around both changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking.h"
#include "booking_avail.h"
#include "ics.h"
#include "ics_zone.h"
#include "test_booking.h"

#define BERLIN "Europe/Berlin"
#define NYC    "America/New_York"
#define MIN    INT64_C(60)
#define HOUR   INT64_C(3600)
#define DAY    INT64_C(86400)
#define LOC    1
#define OTHER  2
#define MON    INT64_C(20605) /* 2026-06-01, a Monday */
#define SPRING INT64_C(20541) /* 2026-03-29, Berlin skips 02:00-03:00 */
#define FALL   INT64_C(20751) /* 2026-10-25, Berlin repeats 02:00-03:00 */
#define NY_SPR INT64_C(20520) /* 2026-03-08 */
#define NY_FAL INT64_C(20758) /* 2026-11-01 */

struct fx {
	struct sd_arena *a;
	struct sd_err err;
	struct booking_avail_in in;
	struct store_hours hours[32];
	struct store_exception exc[32];
	struct booking_busy busy[64];
	int64_t *slots;
	size_t n;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	fx->a = sd_arena_new();
	fx->in.tzid = BERLIN;
	fx->in.earliest = INT64_MIN;
	fx->in.latest = INT64_MAX;
	fx->in.duration = 30 * MIN;
	fx->in.step = 15 * MIN;
	fx->in.location_id = LOC;
	fx->in.weekly = fx->hours;
	fx->in.exceptions = fx->exc;
	fx->in.busy = fx->busy;
	fx->in.realtime = 1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	sd_arena_free(fx->a);
	free(fx);
	return 0;
}

/* ---- building inputs ---- */

static void hours_at(struct fx *fx, int64_t loc, int wd, int start_min, int end_min)
{
	fx->hours[fx->in.nweekly++] = (struct store_hours){ loc, wd, start_min, end_min };
}

static void hours(struct fx *fx, int wd, int start_min, int end_min)
{
	hours_at(fx, LOC, wd, start_min, end_min);
}

/* 09:00-17:00, Monday to Friday, at LOC. */
static void week_9_17(struct fx *fx)
{
	for (int wd = 1; wd <= 5; wd++)
		hours(fx, wd, 9 * 60, 17 * 60);
}

static void exception(struct fx *fx, int64_t loc, int64_t day, int start_min, int end_min,
                      int available)
{
	struct store_exception *x = &fx->exc[fx->in.nexceptions++];

	memset(x, 0, sizeof(*x));
	x->id = (int64_t)fx->in.nexceptions;
	x->staff_id = 1;
	x->location_id = loc;
	x->day = day;
	x->start_min = start_min;
	x->end_min = end_min;
	x->available = available;
	x->note = "";
}

static void busy(struct fx *fx, int64_t start, int64_t end, int64_t before, int64_t after)
{
	fx->busy[fx->in.nbusy++] = (struct booking_busy){ start, end, before, after };
}

/* The which-th (0 or 1) instant of local time h:m on day in tz. */
static int64_t local_in(const char *tz, int64_t day, int h, int m, int which)
{
	int64_t out[2];
	int n = 0;

	assert_int_equal(ics_zone_instants(tz, day * DAY + h * HOUR + m * MIN, out, &n), ICS_OK);
	if (n <= which)
		fail_msg("%s day %lld %02d:%02d has %d instants", tz, (long long)day, h, m, n);
	return out[which];
}

static int64_t local(int64_t day, int h, int m)
{
	return local_in(BERLIN, day, h, m, 0);
}

/* Slots wanted from local midnight of day0, for ndays days. */
static void days(struct fx *fx, int64_t day0, int ndays)
{
	fx->in.from = local_in(fx->in.tzid, day0, 0, 0, 0);
	fx->in.to = local_in(fx->in.tzid, day0 + ndays, 0, 0, 0);
}

static int run(struct fx *fx)
{
	sd_err_clear(&fx->err);
	fx->slots = NULL;
	fx->n = 0;
	return booking_avail_slots(fx->a, &fx->in, &fx->slots, &fx->n, &fx->err);
}

/* Runs; asserts success, n slots, ascending. */
static void assert_slots(struct fx *fx, size_t n)
{
	int rc = run(fx);

	if (rc != 0 || fx->n != n) {
		print_error("rc %d (%s), %zu slots, expected %zu:\n", rc, fx->err.msg, fx->n, n);
		for (size_t i = 0; i < fx->n && i < 64; i++)
			print_error("  %lld\n", (long long)fx->slots[i]);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(fx->n, n);
	for (size_t i = 1; i < fx->n; i++)
		assert_true(fx->slots[i - 1] < fx->slots[i]);
}

static int has(const struct fx *fx, int64_t t)
{
	for (size_t i = 0; i < fx->n; i++)
		if (fx->slots[i] == t)
			return 1;
	return 0;
}

static size_t count_in(const struct fx *fx, int64_t from, int64_t to)
{
	size_t n = 0;

	for (size_t i = 0; i < fx->n; i++)
		n += fx->slots[i] >= from && fx->slots[i] < to;
	return n;
}

static void assert_fails(struct fx *fx)
{
	assert_int_equal(run(fx), BOOKING_EINVALID);
	assert_int_equal(fx->err.code, BOOKING_EINVALID);
	assert_true(fx->n == 0 && fx->slots == NULL);
}

/* ---- working hours ---- */

static void test_plain_week(void **state)
{
	struct fx *fx = *state;

	week_9_17(fx);
	days(fx, MON, 7);
	assert_slots(fx, 5 * 31);
	assert_true(fx->slots[0] == INT64_C(1780297200));          /* Mon 07:00Z */
	assert_true(fx->slots[5 * 31 - 1] == INT64_C(1780669800)); /* Fri 14:30Z */
	assert_true(fx->slots[1] - fx->slots[0] == 15 * MIN);
	for (int64_t d = MON; d < MON + 5; d++)
		assert_int_equal(count_in(fx, local(d, 0, 0), local(d + 1, 0, 0)), 31);
	assert_int_equal(count_in(fx, local(MON + 5, 0, 0), local(MON + 7, 0, 0)), 0);

	/* From Monday 10:00 to Friday 12:00 (exclusive): 27 + 3 * 31 + 12. */
	fx->in.from = local(MON, 10, 0);
	fx->in.to = local(MON + 4, 12, 0);
	assert_slots(fx, 27 + 93 + 12);
	assert_true(fx->slots[0] == local(MON, 10, 0));
	assert_true(fx->slots[fx->n - 1] == local(MON + 4, 11, 45));

	/* An empty range is no error. */
	fx->in.to = fx->in.from;
	assert_slots(fx, 0);
}

/* Touching rows make one interval (one grid); a grid that does not divide
 * the interval leaves the tail unused; rows elsewhere do not count. */
static void test_intervals(void **state)
{
	struct fx *fx = *state;

	hours(fx, 1, 9 * 60, 12 * 60);
	hours(fx, 1, 12 * 60, 13 * 60);
	hours(fx, 1, 14 * 60 + 10, 15 * 60);
	hours_at(fx, OTHER, 1, 16 * 60, 18 * 60);
	fx->in.step = 20 * MIN;
	days(fx, MON, 1);
	/* 09:00 .. 12:20 every 20 minutes (12:40 would end at 13:10): 11;
	 * 14:10, 14:30: 2. */
	assert_slots(fx, 13);
	assert_true(has(fx, local(MON, 12, 20)) && !has(fx, local(MON, 12, 40)));
	assert_true(has(fx, local(MON, 14, 10)) && has(fx, local(MON, 14, 30)));
	assert_true(!has(fx, local(MON, 14, 50)));
}

/* ---- DST ---- */

/* Berlin, March 29th: a night shift 00:00-04:00 is three real hours (23:00Z
 * to 02:00Z), 02:00 and 02:30 do not exist; 09:00-17:00 is eight hours. */
static void test_spring_forward(void **state)
{
	struct fx *fx = *state;

	hours(fx, 7, 0, 4 * 60);
	fx->in.step = 30 * MIN;
	days(fx, SPRING, 1);
	fx->in.to = local(SPRING, 5, 0);
	/* 00:00 00:30 01:00 01:30 CET, 03:00 03:30 CEST */
	assert_slots(fx, 6);
	assert_true(fx->slots[0] == INT64_C(1774738800)); /* Sat 23:00Z */
	assert_true(fx->slots[3] == fx->slots[0] + 90 * MIN);
	assert_true(fx->slots[4] == fx->slots[0] + 120 * MIN); /* 03:00 CEST = 01:00Z */
	assert_true(fx->slots[5] == INT64_C(1774747800));      /* 01:30Z */
	/* An hour-long service may start at 01:30 CET: it ends at 03:30 CEST. */
	fx->in.duration = HOUR;
	assert_slots(fx, 5);
	assert_true(fx->slots[3] == INT64_C(1774747800) - HOUR);

	fx->in.nweekly = 0;
	hours(fx, 7, 9 * 60, 17 * 60);
	fx->in.step = HOUR;
	days(fx, SPRING, 1);
	assert_slots(fx, 8);
	assert_true(fx->slots[0] == INT64_C(1774767600)); /* 09:00 CEST = 07:00Z */
	assert_true(fx->slots[7] - fx->slots[0] == 7 * HOUR);
}

/* Berlin, October 25th: 00:00-04:00 is five real hours (22:00Z to 03:00Z),
 * and 02:00 and 02:30 come twice. */
static void test_fall_back(void **state)
{
	struct fx *fx = *state;

	hours(fx, 7, 0, 4 * 60);
	fx->in.step = 30 * MIN;
	days(fx, FALL, 1);
	/* every 30 minutes from 22:00Z to 02:30Z: 00:00 .. 02:30 CEST, 02:00 ..
	 * 03:30 CET */
	assert_slots(fx, 10);
	assert_true(fx->slots[0] == INT64_C(1792879200)); /* Sat 22:00Z */
	assert_true(fx->slots[9] == INT64_C(1792895400)); /* 02:30Z, 03:30 CET */
	for (size_t i = 1; i < fx->n; i++)
		assert_true(fx->slots[i] - fx->slots[i - 1] == 30 * MIN);
	assert_true(has(fx, local_in(BERLIN, FALL, 2, 30, 0)));
	assert_true(has(fx, local_in(BERLIN, FALL, 2, 30, 1)));

	/* A two-hour service may start from 00:00 CEST to 02:00 CET (01:00Z):
	 * it then ends at 03:00Z, the end of the shift. */
	fx->in.duration = 2 * HOUR;
	assert_slots(fx, 7);
	assert_true(fx->slots[6] == local_in(BERLIN, FALL, 2, 0, 1));

	fx->in.nweekly = 0;
	hours(fx, 7, 9 * 60, 17 * 60);
	fx->in.duration = HOUR;
	fx->in.step = HOUR;
	assert_slots(fx, 8);
	assert_true(fx->slots[0] == INT64_C(1792915200)); /* 09:00 CET = 08:00Z */
	assert_true(fx->slots[7] - fx->slots[0] == 7 * HOUR);
}

/* New York: 00:00-04:00 with hour-long services on both Sundays. */
static void test_new_york(void **state)
{
	struct fx *fx = *state;

	fx->in.tzid = NYC;
	hours(fx, 7, 0, 4 * 60);
	fx->in.duration = HOUR;
	fx->in.step = HOUR;
	days(fx, NY_SPR, 1);
	/* 00:00 EST (05:00Z), 01:00 EST (06:00Z), 03:00 EDT (07:00Z) */
	assert_slots(fx, 3);
	assert_true(fx->slots[0] == INT64_C(1772946000));
	assert_true(fx->slots[1] == fx->slots[0] + HOUR && fx->slots[2] == fx->slots[0] + 2 * HOUR);

	days(fx, NY_FAL, 1);
	/* 00:00 EDT (04:00Z), 01:00 EDT, 01:00 EST, 02:00 EST, 03:00 EST (08:00Z) */
	assert_slots(fx, 5);
	assert_true(fx->slots[0] == INT64_C(1793505600));
	assert_true(fx->slots[4] == fx->slots[0] + 4 * HOUR);
}

/* ---- busy time ---- */

static void test_buffers(void **state)
{
	struct fx *fx = *state;
	int64_t ten = local(MON, 10, 0);

	week_9_17(fx);
	days(fx, MON, 1);

	/* A booking 10:00-10:30 with 15 minutes after: the next start is 10:45;
	 * 09:30 (ends at 10:00) fits, 09:45 does not. */
	busy(fx, ten, ten + 30 * MIN, 0, 15 * MIN);
	assert_slots(fx, 31 - 4);
	assert_true(has(fx, ten - 30 * MIN) && !has(fx, ten - 15 * MIN));
	assert_true(!has(fx, ten + 30 * MIN) && has(fx, ten + 45 * MIN));

	/* The slot's own 15 minutes before, against a booking without buffers:
	 * the same. */
	fx->busy[0].after = 0;
	fx->in.before = 15 * MIN;
	assert_slots(fx, 31 - 4);
	assert_true(has(fx, ten - 30 * MIN) && !has(fx, ten + 30 * MIN));
	assert_true(has(fx, ten + 45 * MIN));

	/* Both: buffers overlap each other, so still 10:45, not 11:00. */
	fx->busy[0].after = 15 * MIN;
	assert_slots(fx, 31 - 4);
	assert_true(has(fx, ten + 45 * MIN));

	/* The slot's 15 minutes after, or the booking's before: the last start
	 * ahead of it is 09:15. */
	fx->in.before = 0;
	fx->busy[0].after = 0;
	fx->in.after = 15 * MIN;
	assert_slots(fx, 31 - 4);
	assert_true(has(fx, ten - 45 * MIN) && !has(fx, ten - 30 * MIN));
	assert_true(has(fx, ten + 30 * MIN));
	fx->in.after = 0;
	fx->busy[0].before = 15 * MIN;
	assert_slots(fx, 31 - 4);
	assert_true(has(fx, ten - 45 * MIN) && !has(fx, ten - 30 * MIN));

	/* A booking 09:00-09:30 right before a slot with 15 minutes before: the
	 * first start is 09:45. */
	fx->in.nbusy = 0;
	busy(fx, local(MON, 9, 0), local(MON, 9, 30), 0, 0);
	fx->in.before = 15 * MIN;
	assert_slots(fx, 31 - 3);
	assert_true(fx->slots[0] == local(MON, 9, 45));
}

/* Busy events (no buffers), zero-length ones, overlapping ones, and
 * real-time availability off. */
static void test_busy_events(void **state)
{
	struct fx *fx = *state;
	int64_t noon = local(MON, 12, 0);

	week_9_17(fx);
	days(fx, MON, 7);
	busy(fx, noon, noon + HOUR, 0, 0);
	busy(fx, local(MON, 14, 0), local(MON, 14, 0), 0, 0);
	busy(fx, local(MON + 1, 9, 0), local(MON + 1, 13, 0), 0, 0);
	busy(fx, local(MON + 1, 12, 0), local(MON + 1, 17, 0), 0, 0);
	busy(fx, local(MON + 3, 16, 50), local(MON + 3, 17, 10), 0, 0);
	/* Monday: 11:45, 12:00 .. 12:45 taken (5); Tuesday: all; Thursday:
	 * 16:30 and 16:15 (ends 16:45) fits. */
	assert_slots(fx, 5 * 31 - 5 - 31 - 1);
	assert_true(has(fx, noon - 30 * MIN) && !has(fx, noon - 15 * MIN));
	assert_true(!has(fx, noon + 45 * MIN) && has(fx, noon + HOUR));
	assert_true(has(fx, local(MON, 14, 0)) && has(fx, local(MON, 13, 45)));
	assert_true(has(fx, local(MON + 3, 16, 15)) && !has(fx, local(MON + 3, 16, 30)));

	fx->in.realtime = 0;
	assert_slots(fx, 5 * 31);
	fx->busy[0].end = fx->busy[0].start - 1; /* malformed, but ignored */
	assert_slots(fx, 5 * 31);
	fx->in.realtime = 1;
	assert_fails(fx);
}

/* ---- exceptions ---- */

static void test_exceptions(void **state)
{
	struct fx *fx = *state;

	week_9_17(fx);
	days(fx, MON, 7);
	exception(fx, OTHER, MON + 1, 0, 1440, 0);             /* Tuesday off (anywhere) */
	exception(fx, LOC, MON + 2, 12 * 60, 14 * 60, 0);      /* Wednesday 12-14 off */
	exception(fx, LOC, MON + 3, 0, 1440, 0);               /* Thursday off, but */
	exception(fx, LOC, MON + 3, 13 * 60, 15 * 60, 1);      /* 13-15 extra */
	exception(fx, OTHER, MON + 5, 10 * 60, 12 * 60, 1);    /* Saturday elsewhere */
	exception(fx, LOC, MON + 6, 10 * 60, 12 * 60, 1);      /* Sunday here */
	exception(fx, LOC, MON + 4, 17 * 60, 18 * 60 + 30, 1); /* Friday longer */
	/* Mon 31, Tue 0, Wed 11 + 11, Thu 7, Fri 31 + 6, Sat 0, Sun 7 */
	assert_slots(fx, 31 + 0 + 22 + 7 + 37 + 0 + 7);
	assert_int_equal(count_in(fx, local(MON + 1, 0, 0), local(MON + 2, 0, 0)), 0);
	assert_true(has(fx, local(MON + 2, 11, 30)) && !has(fx, local(MON + 2, 11, 45)));
	assert_true(has(fx, local(MON + 2, 14, 0)) && !has(fx, local(MON + 2, 13, 45)));
	assert_true(fx->slots[fx->n - 7] == local(MON + 6, 10, 0));
	assert_true(has(fx, local(MON + 4, 18, 0)) && !has(fx, local(MON + 4, 18, 15)));
	assert_int_equal(count_in(fx, local(MON + 5, 0, 0), local(MON + 6, 0, 0)), 0);
}

/* ---- bounds and errors ---- */

static void test_notice_horizon(void **state)
{
	struct fx *fx = *state;

	week_9_17(fx);
	days(fx, MON, 7);
	fx->in.earliest = local(MON, 12, 0);
	fx->in.latest = local(MON, 14, 0); /* inclusive */
	assert_slots(fx, 9);
	assert_true(fx->slots[0] == fx->in.earliest && fx->slots[8] == fx->in.latest);
	fx->in.latest = fx->in.earliest - 1;
	assert_slots(fx, 0);
	fx->in.earliest = local(MON + 4, 16, 30);
	fx->in.latest = INT64_MAX;
	assert_slots(fx, 1);
}

static void test_errors(void **state)
{
	struct fx *fx = *state;

	week_9_17(fx);
	days(fx, MON, 7);
	fx->in.from = fx->in.to + 1;
	assert_fails(fx);
	days(fx, MON, 7);
	fx->in.tzid = "Nowhere/Town";
	assert_fails(fx);
	fx->in.tzid = "../../etc/passwd";
	assert_fails(fx);
	fx->in.tzid = NULL;
	assert_fails(fx);
	fx->in.tzid = BERLIN;
	fx->in.duration = 0;
	assert_fails(fx);
	fx->in.duration = 30 * MIN;
	fx->in.step = -1;
	assert_fails(fx);
	fx->in.step = 15 * MIN;
	fx->in.before = -1;
	assert_fails(fx);
	fx->in.before = 0;
	fx->hours[0].end_min = fx->hours[0].start_min;
	assert_fails(fx);
	fx->hours[0].end_min = 1441;
	assert_fails(fx);
	fx->hours[0].end_min = 17 * 60;
	fx->hours[0].weekday = 8;
	assert_fails(fx);
	fx->hours[0].weekday = 1;
	exception(fx, LOC, MON, 60, 30, 1);
	assert_fails(fx);
	fx->in.nexceptions = 0;
	fx->in.from = INT64_MIN;
	assert_fails(fx); /* twenty billion years */
	days(fx, MON, 7);
	assert_slots(fx, 155);
}

/* At most BOOKING_AVAIL_MAX slots: every minute of every day, in UTC. */
static void test_too_many(void **state)
{
	struct fx *fx = *state;

	fx->in.tzid = "UTC";
	for (int wd = 1; wd <= 7; wd++)
		hours(fx, wd, 0, 1440);
	fx->in.duration = MIN;
	fx->in.step = MIN;
	fx->in.from = MON * DAY;
	fx->in.to = fx->in.from + BOOKING_AVAIL_MAX * MIN;
	assert_slots(fx, BOOKING_AVAIL_MAX);
	fx->in.to += MIN;
	assert_fails(fx);
	assert_non_null(strstr(fx->err.msg, "100000 slots"));
}

/* ---- one start ---- */

static void test_in_hours(void **state)
{
	struct fx *fx = *state;

	week_9_17(fx);
	hours(fx, 7, 0, 4 * 60);
	assert_int_equal(booking_avail_in_hours(&fx->in, local(MON, 9, 0), &fx->err), 1);
	assert_int_equal(booking_avail_in_hours(&fx->in, local(MON, 16, 30), &fx->err), 1);
	assert_int_equal(booking_avail_in_hours(&fx->in, local(MON, 16, 31), &fx->err), 0);
	assert_int_equal(booking_avail_in_hours(&fx->in, local(MON, 8, 59), &fx->err), 0);
	assert_int_equal(booking_avail_in_hours(&fx->in, local(MON, 10, 7), &fx->err), 1);
	assert_int_equal(booking_avail_in_hours(&fx->in, local(MON + 5, 10, 0), &fx->err), 0);
	/* 01:45 CET on March 29th ends at 03:15 CEST; both 02:30s in October. */
	assert_int_equal(booking_avail_in_hours(&fx->in, local(SPRING, 1, 45), &fx->err), 1);
	assert_int_equal(
	    booking_avail_in_hours(&fx->in, local_in(BERLIN, FALL, 2, 30, 0), &fx->err), 1);
	assert_int_equal(
	    booking_avail_in_hours(&fx->in, local_in(BERLIN, FALL, 3, 30, 0), &fx->err), 1);
	/* Eight real hours on the Monday; the night shift of October 25th
	 * holds five. */
	fx->in.duration = 8 * HOUR;
	assert_int_equal(booking_avail_in_hours(&fx->in, local(MON, 9, 0), &fx->err), 1);
	assert_int_equal(booking_avail_in_hours(&fx->in, local(MON, 9, 1), &fx->err), 0);
	fx->in.duration = 5 * HOUR;
	assert_int_equal(booking_avail_in_hours(&fx->in, local(FALL, 0, 0), &fx->err), 1);
	assert_int_equal(booking_avail_in_hours(&fx->in, local(FALL, 0, 1), &fx->err), 0);
	fx->in.tzid = "Nowhere/Town";
	assert_int_equal(booking_avail_in_hours(&fx->in, local(MON, 9, 0), &fx->err),
	                 BOOKING_EINVALID);
}

static void test_conflicts(void **state)
{
	struct fx *fx = *state;
	int64_t ten = local(MON, 10, 0);

	busy(fx, ten, ten + 30 * MIN, 0, 15 * MIN);
	assert_int_equal(booking_avail_conflicts(&fx->in, ten - 30 * MIN), 0);
	assert_int_equal(booking_avail_conflicts(&fx->in, ten - 30 * MIN + 1), 1);
	assert_int_equal(booking_avail_conflicts(&fx->in, ten), 1);
	assert_int_equal(booking_avail_conflicts(&fx->in, ten + 45 * MIN - 1), 1);
	assert_int_equal(booking_avail_conflicts(&fx->in, ten + 45 * MIN), 0);
	fx->in.before = 20 * MIN;
	assert_int_equal(booking_avail_conflicts(&fx->in, ten + 45 * MIN), 1);
	assert_int_equal(booking_avail_conflicts(&fx->in, ten + 50 * MIN), 0);
	fx->in.realtime = 0;
	assert_int_equal(booking_avail_conflicts(&fx->in, ten), 0);
}

static void test_on_grid(void **state)
{
	struct fx *fx = *state;

	hours(fx, 1, 9 * 60 + 10, 17 * 60);
	fx->in.step = 30 * MIN;
	assert_int_equal(booking_avail_on_grid(&fx->in, local(MON, 9, 10), &fx->err), 1);
	assert_int_equal(booking_avail_on_grid(&fx->in, local(MON, 9, 40), &fx->err), 1);
	assert_int_equal(booking_avail_on_grid(&fx->in, local(MON, 9, 30), &fx->err), 0);
	assert_int_equal(booking_avail_on_grid(&fx->in, local(MON, 9, 41), &fx->err), 0);
	/* Outside hours, on the same grid: staff may bypass working hours. */
	assert_int_equal(booking_avail_on_grid(&fx->in, local(MON, 8, 40), &fx->err), 1);
	assert_int_equal(booking_avail_on_grid(&fx->in, local(MON, 17, 10), &fx->err), 1);
	/* The morning off until 10:00: the interval now starts there, and the
	 * weekly row's grid still counts. */
	exception(fx, LOC, MON, 0, 10 * 60, 0);
	assert_int_equal(booking_avail_on_grid(&fx->in, local(MON, 10, 0), &fx->err), 1);
	assert_int_equal(booking_avail_on_grid(&fx->in, local(MON, 10, 30), &fx->err), 1);
	assert_int_equal(booking_avail_on_grid(&fx->in, local(MON, 10, 10), &fx->err), 1);
	assert_int_equal(booking_avail_on_grid(&fx->in, local(MON, 10, 5), &fx->err), 0);
	/* Saturday has nothing; Sunday an extra shift from 11:05. */
	assert_int_equal(booking_avail_on_grid(&fx->in, local(MON + 5, 10, 0), &fx->err), 0);
	exception(fx, LOC, MON + 6, 11 * 60 + 5, 12 * 60, 1);
	assert_int_equal(booking_avail_on_grid(&fx->in, local(MON + 6, 11, 35), &fx->err), 1);
	assert_int_equal(booking_avail_on_grid(&fx->in, local(MON + 6, 11, 0), &fx->err), 0);
	/* Both 02:30s of October 25th are on a grid from 00:00. */
	hours(fx, 7, 0, 4 * 60);
	assert_int_equal(booking_avail_on_grid(&fx->in, local_in(BERLIN, FALL, 2, 30, 1), &fx->err),
	                 1);
	fx->in.step = 0;
	assert_int_equal(booking_avail_on_grid(&fx->in, local(MON, 9, 10), &fx->err),
	                 BOOKING_EINVALID);
}

/* ---- the reference ---- */

/* The working minutes of local date day, straight from the header. */
static void ref_mask(const struct booking_avail_in *in, int64_t day, char mask[1440])
{
	memset(mask, 0, 1440);
	for (size_t i = 0; i < in->nweekly; i++) {
		const struct store_hours *h = &in->weekly[i];

		if (h->weekday == ics_weekday(day) && h->location_id == in->location_id)
			memset(mask + h->start_min, 1, (size_t)(h->end_min - h->start_min));
	}
	for (int avail = 0; avail <= 1; avail++) {
		for (size_t i = 0; i < in->nexceptions; i++) {
			const struct store_exception *x = &in->exceptions[i];

			if (x->day == day && x->available == avail &&
			    (!avail || x->location_id == in->location_id))
				memset(mask + x->start_min, avail,
				       (size_t)(x->end_min - x->start_min));
		}
	}
}

static int overlap(int64_t a1, int64_t a2, int64_t c1, int64_t c2)
{
	return (a1 > c1 ? a1 : c1) < (a2 < c2 ? a2 : c2);
}

static int ref_busy(const struct booking_avail_in *in, int64_t s)
{
	for (size_t i = 0; in->realtime && i < in->nbusy; i++) {
		const struct booking_busy *b = &in->busy[i];

		if (overlap(s, s + in->duration, b->start - b->before, b->end + b->after) ||
		    overlap(b->start, b->end, s - in->before, s + in->duration + in->after))
			return 1;
	}
	return 0;
}

/* Whether minute-aligned s is a slot; walls[i] is the wall clock of
 * in->from + 60 i. */
static int ref_slot(const struct booking_avail_in *in, const int64_t *walls, int64_t s)
{
	int64_t w = walls[(s - in->from) / MIN], day = w / DAY - (w % DAY < 0);
	int m = (int)((w - day * DAY) / MIN), st = m;
	char mask[1440];

	if (s < in->earliest || s > in->latest)
		return 0;
	ref_mask(in, day, mask);
	if (!mask[m])
		return 0;
	while (st > 0 && mask[st - 1])
		st--;
	if ((m - st) * MIN % in->step != 0)
		return 0;
	for (int64_t u = s; u < s + in->duration; u += MIN) {
		int64_t wu = walls[(u - in->from) / MIN], du = wu / DAY - (wu % DAY < 0);

		if (du != day || !mask[(wu - du * DAY) / MIN])
			return 0;
	}
	return !ref_busy(in, s);
}

static int64_t rnd(unsigned *seed, int64_t lo, int64_t hi) /* [lo, hi] */
{
	return lo + (int64_t)(rand_r(seed) % (unsigned)(hi - lo + 1));
}

/* Random hours, exceptions and busy time, in 5-minute steps, around day. */
static void random_input(struct fx *fx, unsigned *seed, int64_t day)
{
	fx->in.nweekly = fx->in.nexceptions = fx->in.nbusy = 0;
	for (int i = (int)rnd(seed, 4, 12); i > 0; i--) {
		int s = (int)rnd(seed, 0, 287) * 5, e = s + (int)rnd(seed, 1, 288 - s / 5) * 5;

		hours_at(fx, rnd(seed, 0, 4) ? LOC : OTHER, (int)rnd(seed, 1, 7), s, e);
	}
	if (rnd(seed, 0, 1)) /* the night of the change */
		hours(fx, 7, (int)rnd(seed, 0, 24) * 5, (int)rnd(seed, 25, 60) * 5);
	for (int i = (int)rnd(seed, 0, 5); i > 0; i--) {
		int s = (int)rnd(seed, 0, 287) * 5, e = s + (int)rnd(seed, 1, 288 - s / 5) * 5;

		exception(fx, rnd(seed, 0, 3) ? LOC : OTHER, day + rnd(seed, -2, 2), s, e,
		          (int)rnd(seed, 0, 1));
	}
	for (int i = (int)rnd(seed, 0, 40); i > 0; i--) {
		int64_t s = fx->in.from + rnd(seed, -72, 3 * 288) * 5 * MIN;

		busy(fx, s, s + rnd(seed, 0, 18) * 5 * MIN,
		     rnd(seed, 0, 1) * rnd(seed, 0, 6) * 5 * MIN,
		     rnd(seed, 0, 1) * rnd(seed, 0, 6) * 5 * MIN);
	}
}

/* 300 random cases around the two changes of 2026 and an ordinary week,
 * against the reference at every minute of the range. */
static void test_random(void **state)
{
	struct fx *fx = *state;
	static const int64_t centres[] = { SPRING, FALL, MON + 2 };
	unsigned seed = 7;

	for (int c = 0; c < 300; c++) {
		int64_t centre = centres[c % 3], nmin;
		int64_t *walls;
		size_t k = 0;

		fx->in.from = local(centre - 1, 0, 0) + rnd(&seed, -48, 48) * 5 * MIN;
		fx->in.to = fx->in.from + rnd(&seed, 1, 3 * 288) * 5 * MIN;
		fx->in.duration = rnd(&seed, 1, 12) * 5 * MIN;
		fx->in.step = rnd(&seed, 1, 6) * 5 * MIN;
		fx->in.before = rnd(&seed, 0, 1) * rnd(&seed, 0, 6) * 5 * MIN;
		fx->in.after = rnd(&seed, 0, 1) * rnd(&seed, 0, 6) * 5 * MIN;
		fx->in.realtime = rnd(&seed, 0, 4) != 0;
		fx->in.earliest =
		    rnd(&seed, 0, 1) ? INT64_MIN : fx->in.from + rnd(&seed, 0, 288) * MIN;
		fx->in.latest = rnd(&seed, 0, 1) ? INT64_MAX : fx->in.to - rnd(&seed, 0, 288) * MIN;
		random_input(fx, &seed, centre);

		nmin = (fx->in.to - fx->in.from) / MIN + 24 * 12 + 1;
		walls = malloc((size_t)nmin * sizeof(*walls));
		assert_non_null(walls);
		for (int64_t i = 0; i < nmin; i++)
			assert_int_equal(ics_zone_wall(BERLIN, fx->in.from + i * MIN, &walls[i]),
			                 ICS_OK);
		assert_int_equal(run(fx), 0);
		for (int64_t s = fx->in.from; s < fx->in.to; s += MIN) {
			if (!ref_slot(&fx->in, walls, s))
				continue;
			if (k >= fx->n || fx->slots[k] != s)
				fail_msg("case %d: slot %lld missing (got %lld)", c, (long long)s,
				         k < fx->n ? (long long)fx->slots[k] : -1LL);
			k++;
		}
		if (k != fx->n)
			fail_msg("case %d: %zu slots, the reference has %zu", c, fx->n, k);
		free(walls);
		sd_arena_free(fx->a);
		fx->a = sd_arena_new();
	}
}

int test_avail_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain_week, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intervals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spring_forward, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fall_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_york, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exceptions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notice_horizon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_hours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_on_grid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random, setup, teardown),
	};

	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
