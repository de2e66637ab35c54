/* test_ics_zone.c - the public time-zone API (ics_zone.h): zone names, wall
 * clocks of instants, instants of wall clocks across the changes of 2026,
 * spans, and the calendar helpers.
 *
 * Expected instants are written out with their UTC time in a comment; they
 * were worked out from the tz database's rules: Europe/Berlin changes at
 * 01:00Z on the last Sundays of March and October, America/New_York at
 * 02:00 local on the second Sunday of March and the first of November,
 * Australia/Lord_Howe (+10:30, +11 in summer) at 02:00 local on the first
 * Sundays of October (to 02:30) and April (back to 01:30). A cross-check
 * against the C library's localtime_r() covers random instants of eleven
 * zones. libical 3.0.16 gets some zones' older years wrong (libical issue
 * #478: Asia/Jerusalem 2013-2016, America/Sao_Paulo 2014, ...); the zones
 * and years here are ones it gets right.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ics_zone.h"
#include "test_ical.h"

#define BERLIN "Europe/Berlin"
#define NYC    "America/New_York"
#define LHI    "Australia/Lord_Howe"

/* The wall clock of a local date and time, as ics_zone.h defines it. */
static int64_t wall(int y, int mo, int d, int h, int mi)
{
	return ics_days_from_civil(y, mo, d) * DAY + h * HOUR + mi * 60;
}

/* Asserts the instants of a wall clock: n of them, a and b. */
static void assert_instants(const char *tz, int64_t w, int n, int64_t a, int64_t b)
{
	int64_t out[2] = { 0, 0 };
	int got = -1;

	assert_int_equal(ics_zone_instants(tz, w, out, &got), ICS_OK);
	if (got != n)
		print_error("%s %lld: %d instants, expected %d\n", tz, (long long)w, got, n);
	assert_int_equal(got, n);
	if (n > 0)
		assert_true(out[0] == a);
	if (n > 1)
		assert_true(out[1] == b);
}

static void assert_wall(const char *tz, int64_t t, int64_t expect)
{
	int64_t w = 0;

	assert_int_equal(ics_zone_wall(tz, t, &w), ICS_OK);
	assert_true(w == expect);
}

static void test_valid(void **state)
{
	(void)state;
	assert_int_equal(ics_zone_valid("UTC"), 1);
	assert_int_equal(ics_zone_valid(BERLIN), 1);
	assert_int_equal(ics_zone_valid(LHI), 1);
	assert_int_equal(ics_zone_valid("Etc/GMT+5"), 1);
	assert_int_equal(ics_zone_valid(NULL), 0);
	assert_int_equal(ics_zone_valid(""), 0);
	assert_int_equal(ics_zone_valid("Nowhere/Town"), 0);
	assert_int_equal(ics_zone_valid("../../etc/passwd"), 0);
	assert_int_equal(ics_zone_valid("Europe/../Europe/Berlin"), 0);
	assert_int_equal(ics_zone_valid("/usr/share/zoneinfo/Europe/Berlin"), 0);
	assert_int_equal(ics_zone_valid("Europe/Berlin "), 0);
}

static void test_wall(void **state)
{
	int64_t w = 7;
	int64_t out[2];
	int n = 5;

	(void)state;
	/* 2026-03-29T00:59:59Z is 01:59:59 CET, a second later 03:00 CEST. */
	assert_wall(BERLIN, INT64_C(1774745999), wall(2026, 3, 29, 1, 59) + 59);
	assert_wall(BERLIN, INT64_C(1774746000), wall(2026, 3, 29, 3, 0));
	/* 2026-11-01T05:30Z is 01:30 EDT, 06:30Z is 01:30 EST. */
	assert_wall(NYC, INT64_C(1793511000), wall(2026, 11, 1, 1, 30));
	assert_wall(NYC, INT64_C(1793514600), wall(2026, 11, 1, 1, 30));
	assert_wall("UTC", INT64_C(1793514600), INT64_C(1793514600));
	/* Before 1970: 1969-07-20T20:17Z is 21:17 CET in Berlin (no summer
	 * time in 1969). */
	assert_wall(BERLIN, INT64_C(-14182980), wall(1969, 7, 20, 21, 17));

	assert_int_equal(ics_zone_wall("Nowhere/Town", 0, &w), ICS_EPARSE);
	assert_int_equal(ics_zone_wall(BERLIN, ICS_ZONE_TIME_MAX + 1, &w), ICS_EPARSE);
	assert_int_equal(ics_zone_wall(BERLIN, INT64_MIN, &w), ICS_EPARSE);
	assert_true(w == 7);
	assert_int_equal(ics_zone_instants("Nowhere/Town", 0, out, &n), ICS_EPARSE);
	assert_int_equal(n, 0);
	assert_int_equal(ics_zone_instants(BERLIN, INT64_MAX, out, &n), ICS_EPARSE);
}

/* Europe/Berlin 2026: 02:00-03:00 is skipped on March 29th and repeated on
 * October 25th. */
static void test_berlin_2026(void **state)
{
	(void)state;
	assert_instants(BERLIN, wall(2026, 3, 29, 1, 59), 1, INT64_C(1774745940), 0); /* 00:59Z */
	assert_instants(BERLIN, wall(2026, 3, 29, 2, 0), 0, 0, 0);
	assert_instants(BERLIN, wall(2026, 3, 29, 2, 30), 0, 0, 0);
	assert_instants(BERLIN, wall(2026, 3, 29, 2, 59) + 59, 0, 0, 0);
	assert_instants(BERLIN, wall(2026, 3, 29, 3, 0), 1, INT64_C(1774746000), 0); /* 01:00Z */

	assert_instants(BERLIN, wall(2026, 10, 25, 1, 59), 1, INT64_C(1792886340), 0); /* 23:59Z */
	/* 00:00Z and 01:00Z, 00:30Z and 01:30Z, 00:59:59Z and 01:59:59Z */
	assert_instants(BERLIN, wall(2026, 10, 25, 2, 0), 2, INT64_C(1792886400),
	                INT64_C(1792890000));
	assert_instants(BERLIN, wall(2026, 10, 25, 2, 30), 2, INT64_C(1792888200),
	                INT64_C(1792891800));
	assert_instants(BERLIN, wall(2026, 10, 25, 2, 59) + 59, 2, INT64_C(1792889999),
	                INT64_C(1792893599));
	assert_instants(BERLIN, wall(2026, 10, 25, 3, 0), 1, INT64_C(1792893600), 0); /* 02:00Z */
	/* An ordinary day: 12:00 CEST is 10:00Z. */
	assert_instants(BERLIN, wall(2026, 7, 1, 12, 0), 1, INT64_C(1782900000), 0);
}

/* America/New_York 2026: 02:00-03:00 skipped on March 8th, 01:00-02:00
 * repeated on November 1st. */
static void test_new_york_2026(void **state)
{
	(void)state;
	assert_instants(NYC, wall(2026, 3, 8, 1, 59), 1, INT64_C(1772953140), 0); /* 06:59Z */
	assert_instants(NYC, wall(2026, 3, 8, 2, 30), 0, 0, 0);
	assert_instants(NYC, wall(2026, 3, 8, 3, 0), 1, INT64_C(1772953200), 0); /* 07:00Z */
	/* 05:30Z and 06:30Z */
	assert_instants(NYC, wall(2026, 11, 1, 1, 30), 2, INT64_C(1793511000), INT64_C(1793514600));
	assert_instants(NYC, wall(2026, 11, 1, 2, 0), 1, INT64_C(1793516400), 0); /* 07:00Z */
}

/* Australia/Lord_Howe 2026: half an hour, 02:00-02:30, skipped on October
 * 4th; 01:30-02:00 repeated on April 5th. */
static void test_lord_howe_2026(void **state)
{
	(void)state;
	assert_instants(LHI, wall(2026, 10, 4, 1, 59), 1, INT64_C(1791041340), 0); /* 15:29Z */
	assert_instants(LHI, wall(2026, 10, 4, 2, 0), 0, 0, 0);
	assert_instants(LHI, wall(2026, 10, 4, 2, 15), 0, 0, 0);
	assert_instants(LHI, wall(2026, 10, 4, 2, 30), 1, INT64_C(1791041400), 0); /* 15:30Z */
	/* 14:30Z (+11) and 15:00Z (+10:30); 14:45Z and 15:15Z */
	assert_instants(LHI, wall(2026, 4, 5, 1, 30), 2, INT64_C(1775313000), INT64_C(1775314800));
	assert_instants(LHI, wall(2026, 4, 5, 1, 45), 2, INT64_C(1775313900), INT64_C(1775315700));
	assert_instants(LHI, wall(2026, 4, 5, 1, 29), 1, INT64_C(1775312940), 0); /* 14:29Z */
	assert_instants(LHI, wall(2026, 4, 5, 2, 0), 1, INT64_C(1775316600), 0);  /* 15:30Z */
}

/* Changes of the standard offset: Samoa skipped December 30th, 2011
 * (-10 to +14); Venezuela went back half an hour in 2007 (-4 to -4:30,
 * 03:00 to 02:30) and forward again in 2016 (02:30 to 03:00); Moscow went
 * back from +4 to +3 for good in 2014 (02:00 to 01:00). */
static void test_history(void **state)
{
	(void)state;
	assert_instants("Pacific/Apia", wall(2011, 12, 29, 23, 59), 1, INT64_C(1325239140), 0);
	assert_instants("Pacific/Apia", wall(2011, 12, 30, 0, 0), 0, 0, 0);
	assert_instants("Pacific/Apia", wall(2011, 12, 30, 12, 0), 0, 0, 0);
	assert_instants("Pacific/Apia", wall(2011, 12, 31, 0, 0), 1, INT64_C(1325239200), 0);
	/* 06:45Z (-4) and 07:15Z (-4:30) */
	assert_instants("America/Caracas", wall(2007, 12, 9, 2, 45), 2, INT64_C(1197182700),
	                INT64_C(1197184500));
	assert_instants("America/Caracas", wall(2016, 5, 1, 2, 15), 1, INT64_C(1462085100), 0);
	assert_instants("America/Caracas", wall(2016, 5, 1, 2, 45), 0, 0, 0);
	/* 21:30Z (+4) and 22:30Z (+3) on October 25th */
	assert_instants("Europe/Moscow", wall(2014, 10, 26, 1, 30), 2, INT64_C(1414272600),
	                INT64_C(1414276200));
	assert_instants("UTC", wall(2026, 3, 29, 2, 30), 1, wall(2026, 3, 29, 2, 30), 0);
}

static void test_spans(void **state)
{
	struct fx *fx = *state;
	struct ics_zone_span *v = NULL;
	int64_t y2026 = wall(2026, 1, 1, 0, 0), y2027 = wall(2027, 1, 1, 0, 0);
	size_t n = 0;

	/* Berlin 2026 (instants): CET, CEST from 03-29T01:00Z, CET from
	 * 10-25T01:00Z. */
	assert_int_equal(ics_zone_spans(fx->a, BERLIN, y2026, y2027, &v, &n), ICS_OK);
	assert_int_equal(n, 3);
	assert_true(v[0].start == y2026 && v[0].end == INT64_C(1774746000) && v[0].offset == HOUR);
	assert_true(v[1].start == INT64_C(1774746000) && v[1].end == INT64_C(1792890000) &&
	            v[1].offset == 2 * HOUR);
	assert_true(v[2].start == INT64_C(1792890000) && v[2].end == y2027 && v[2].offset == HOUR);

	/* Lord Howe 2026: +11 until 04-04T15:00Z, +10:30, +11 from
	 * 10-03T15:30Z. */
	assert_int_equal(ics_zone_spans(fx->a, LHI, y2026, y2027, &v, &n), ICS_OK);
	assert_int_equal(n, 3);
	assert_true(v[0].end == INT64_C(1775314800) && v[0].offset == 11 * HOUR);
	assert_true(v[1].end == INT64_C(1791041400) && v[1].offset == 10 * HOUR + 1800);
	assert_true(v[2].offset == 11 * HOUR);

	/* A range within one offset; one second. */
	assert_int_equal(
	    ics_zone_spans(fx->a, NYC, wall(2026, 6, 1, 0, 0), wall(2026, 7, 1, 0, 0), &v, &n),
	    ICS_OK);
	assert_true(n == 1 && v[0].offset == -4 * HOUR);
	assert_int_equal(
	    ics_zone_spans(fx->a, BERLIN, INT64_C(1774746000) - 1, INT64_C(1774746000), &v, &n),
	    ICS_OK);
	assert_true(n == 1 && v[0].offset == HOUR);
	assert_int_equal(ics_zone_spans(fx->a, "UTC", y2026, y2027, &v, &n), ICS_OK);
	assert_true(n == 1 && v[0].offset == 0 && v[0].start == y2026 && v[0].end == y2027);

	assert_int_equal(ics_zone_spans(fx->a, BERLIN, y2027, y2026, &v, &n), ICS_EPARSE);
	assert_true(v == NULL && n == 0);
	assert_int_equal(ics_zone_spans(fx->a, BERLIN, y2026, y2026, &v, &n), ICS_EPARSE);
	assert_int_equal(ics_zone_spans(fx->a, "Nowhere/Town", y2026, y2027, &v, &n), ICS_EPARSE);
	assert_int_equal(ics_zone_spans(fx->a, BERLIN, INT64_MIN, y2027, &v, &n), ICS_EPARSE);
}

static void test_civil(void **state)
{
	int y, m, d;

	(void)state;
	assert_true(ics_days_from_civil(1970, 1, 1) == 0);
	assert_true(ics_days_from_civil(2026, 3, 29) == 20541);
	assert_int_equal(ics_weekday(0), 4);     /* a Thursday */
	assert_int_equal(ics_weekday(20541), 7); /* a Sunday */
	assert_int_equal(ics_weekday(20542), 1);
	assert_int_equal(ics_weekday(-1), 3);
	assert_int_equal(ics_weekday(-4), 7); /* 1969-12-28 */
	assert_int_equal(ics_weekday(ics_days_from_civil(2000, 1, 1)), 6);
	ics_civil_from_days(20541, &y, &m, &d);
	assert_true(y == 2026 && m == 3 && d == 29);
	ics_civil_from_days(ics_days_from_civil(2024, 2, 29), &y, &m, &d);
	assert_true(y == 2024 && m == 2 && d == 29);
	ics_civil_from_days(-1, &y, &m, &d);
	assert_true(y == 1969 && m == 12 && d == 31);
	for (int64_t day = -800000; day < 3000000; day += 997) {
		ics_civil_from_days(day, &y, &m, &d);
		assert_true(ics_days_from_civil(y, m, d) == day);
		assert_int_equal(ics_weekday(day + 7), ics_weekday(day));
	}
}

/* The C library's offset of t in zone tz. */
static int64_t libc_offset(const char *tz, time_t t)
{
	struct tm tm;

	setenv("TZ", tz, 1);
	tzset();
	localtime_r(&t, &tm);
	return tm.tm_gmtoff;
}

/* Random instants of 2000-2037 in eleven zones: the wall clock agrees with
 * the C library's, and the instants of that wall clock include the instant
 * and nothing whose wall clock differs. */
static void test_libc(void **state)
{
	static const char *zones[] = {
		BERLIN,
		NYC,
		LHI,
		"Asia/Kolkata",
		"Asia/Kathmandu",
		"Pacific/Chatham",
		"Australia/Sydney",
		"Pacific/Apia",
		"America/Caracas",
		"Europe/Moscow",
		"America/Los_Angeles",
	};
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	unsigned seed = 20260329;

	(void)state;
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		for (int i = 0; i < 400; i++) {
			int64_t t = 946684800 + (int64_t)(rand_r(&seed) % 1000) * 1199999 +
			            rand_r(&seed) % 1200000;
			int64_t w = 0, out[2];
			int n = 0, found = 0;

			assert_int_equal(ics_zone_wall(zones[z], t, &w), ICS_OK);
			if (w - t != libc_offset(zones[z], (time_t)t))
				print_error("%s at %lld: %lld, libc %lld\n", zones[z], (long long)t,
				            (long long)(w - t),
				            (long long)libc_offset(zones[z], (time_t)t));
			assert_true(w - t == libc_offset(zones[z], (time_t)t));
			assert_int_equal(ics_zone_instants(zones[z], w, out, &n), ICS_OK);
			for (int k = 0; k < n; k++) {
				int64_t back = 0;

				assert_int_equal(ics_zone_wall(zones[z], out[k], &back), ICS_OK);
				assert_true(back == w);
				found |= out[k] == t;
			}
			assert_true(found);
			assert_true(n == 1 || (n == 2 && out[0] < out[1]));
		}
	}
	if (old)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
}

int test_ics_zone_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_wall),
		cmocka_unit_test(test_berlin_2026),
		cmocka_unit_test(test_new_york_2026),
		cmocka_unit_test(test_lord_howe_2026),
		cmocka_unit_test(test_history),
		cmocka_unit_test_setup_teardown(test_spans, fx_setup, fx_teardown),
		cmocka_unit_test(test_civil),
		cmocka_unit_test(test_libc),
	};

	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
