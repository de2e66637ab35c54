/* test_api_time.c - RFC 3339 instants, days, times of day and the
 * calendar arithmetic under them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "api_int.h"
#include "test_api.h"

#define T_20261123_0900Z 1795424400LL

static void test_time_parse(void **state)
{
	static const char *const same[] = {
		"2026-11-23T09:00:00Z",      "2026-11-23t09:00:00z",
		"2026-11-23T10:00:00+01:00", "2026-11-23T04:00:00-05:00",
		"2026-11-23T10:00:00 01:00", "2026-11-23T09:00:00.000Z",
		"2026-11-23T14:30:00+05:30",
	};
	static const char *const bad[] = {
		"",
		"2026-11-23",
		"2026-11-23T09:00Z",
		"2026-11-23 09:00:00Z",
		"2026-11-23T09:00:00",
		"2026-11-23T09:00:00.5Z",
		"2026-11-23T09:00:00.Z",
		"2026-11-23T24:00:00Z",
		"2026-11-23T09:60:00Z",
		"2026-11-23T09:00:60Z",
		"2026-02-29T09:00:00Z",
		"2026-13-01T09:00:00Z",
		"2026-11-31T09:00:00Z",
		"2026-11-23T09:00:00+1:00",
		"2026-11-23T09:00:00+01:00x",
		"2026-11-23T09:00:00Zx",
		"2026-11-23T09:00:00+24:00",
		"+2026-11-23T09:00:00Z",
	};
	int64_t t;

	(void)state;
	for (size_t i = 0; i < sizeof(same) / sizeof(*same); i++) {
		t = 0;
		assert_int_equal(api_time_parse(same[i], &t), 0);
		assert_int_equal(t, T_20261123_0900Z);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(api_time_parse(bad[i], &t), -1);
	assert_int_equal(api_time_parse("2024-02-29T12:00:00Z", &t), 0);
	assert_int_equal(t, 1709208000);
	assert_int_equal(api_time_parse("1900-03-01T00:00:00Z", &t), 0);
	assert_int_equal(t, -2203891200LL);
}

static void test_time_format(void **state)
{
	char buf[API_TIME_LEN];
	int64_t t;

	(void)state;
	assert_string_equal(api_time_format(buf, T_20261123_0900Z), "2026-11-23T09:00:00Z");
	assert_string_equal(api_time_format(buf, 0), "1970-01-01T00:00:00Z");
	assert_string_equal(api_time_format(buf, -1), "1969-12-31T23:59:59Z");
	assert_string_equal(api_time_format(buf, 951782400), "2000-02-29T00:00:00Z");
	for (t = -5000000000LL; t < 15000000000LL; t += 86399 * 37 + 11) {
		int64_t back;

		assert_int_equal(api_time_parse(api_time_format(buf, t), &back), 0);
		assert_int_equal(back, t);
	}
}

static void test_days(void **state)
{
	char buf[API_TIME_LEN];
	int64_t d, y;
	int m, dd;

	(void)state;
	assert_int_equal(api_day_parse("2026-11-23", &d), 0);
	assert_int_equal(d, 20780);
	assert_int_equal(api_day_weekday(d), 1); /* a Monday */
	assert_int_equal(api_day_weekday(0), 4); /* 1970-01-01, a Thursday */
	assert_int_equal(api_day_weekday(-1), 3);
	assert_string_equal(api_day_format(buf, 20780), "2026-11-23");
	assert_string_equal(api_day_format(buf, -1), "1969-12-31");
	assert_int_equal(api_day_parse("2026-11-23T", &d), -1);
	assert_int_equal(api_day_parse("2026-1-23", &d), -1);
	assert_int_equal(api_day_parse("2100-02-29", &d), -1);
	assert_int_equal(api_day_parse("2000-02-29", &d), 0);
	for (d = -800000; d < 800000; d += 97) {
		api_civil_from_days(d, &y, &m, &dd);
		assert_int_equal(api_days_from_civil(y, m, dd), d);
	}
}

static void test_hhmm(void **state)
{
	char buf[API_TIME_LEN];
	int m;

	(void)state;
	assert_int_equal(api_hhmm_parse("00:00", &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(api_hhmm_parse("09:30", &m), 0);
	assert_int_equal(m, 570);
	assert_int_equal(api_hhmm_parse("24:00", &m), 0);
	assert_int_equal(m, 1440);
	assert_int_equal(api_hhmm_parse("23:59", &m), 0);
	assert_int_equal(m, 1439);
	assert_int_equal(api_hhmm_parse("24:01", &m), -1);
	assert_int_equal(api_hhmm_parse("9:00", &m), -1);
	assert_int_equal(api_hhmm_parse("09:60", &m), -1);
	assert_int_equal(api_hhmm_parse("09:00:00", &m), -1);
	assert_int_equal(api_hhmm_parse("", &m), -1);
	assert_string_equal(api_hhmm_format(buf, 570), "09:30");
	assert_string_equal(api_hhmm_format(buf, 1440), "24:00");
	assert_string_equal(api_hhmm_format(buf, 0), "00:00");
}

int test_api_time(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_hhmm),
	};

	return cmocka_run_group_tests_name("api_time", tests, NULL, NULL);
}
