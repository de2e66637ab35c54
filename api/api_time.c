/* api_time.c - the time formats of the API: RFC 3339 instants, days and
 * times of day.
 *
 * Instants go out in UTC with a Z ("2026-11-23T09:00:00Z") and come in
 * with Z or a numeric offset; days are "YYYY-MM-DD" of the proleptic
 * Gregorian calendar; times of day "HH:MM" from 00:00 to 24:00 (the end of
 * a day's last interval). Only the forms RFC 3339 section 5.6 defines are
 * read, without leap seconds; fractions of a second are accepted only when
 * zero, since every time of the booking side is a whole second and
 * rounding a start time would move a booking.
 *
 * The calendar arithmetic is Howard Hinnant's days_from_civil and
 * civil_from_days: exact for every day, no table, no time zone database
 * and no libc state (timegm, TZ), so it is safe in any thread.
 */
#include <stdio.h>
#include <string.h>

#include "api_int.h"

#define DAY_SECS 86400

int64_t api_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void api_civil_from_days(int64_t day, int64_t *y, int *m, int *d)
{
	int64_t z = day + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int api_day_weekday(int64_t day)
{
	return (int)(((day % 7) + 7 + 3) % 7) + 1; /* 1970-01-01 was a Thursday */
}

static int days_in_month(int64_t y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : n[m - 1];
}

/* n decimal digits at s; -1 if any is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD" at the start of s. */
static int date_part(const char *s, int64_t *day)
{
	int y = digits(s, 4), m, d;

	if (y < 0 || s[4] != '-' || s[7] != '-')
		return -1;
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*day = api_days_from_civil(y, m, d);
	return 0;
}

int api_day_parse(const char *s, int64_t *out)
{
	if (strlen(s) != 10)
		return -1;
	return date_part(s, out);
}

/* "HH:MM" at s, hour < 24. */
static int hhmm(const char *s, int *h, int *m)
{
	*h = digits(s, 2);
	*m = digits(s + 3, 2);
	return *h < 0 || *h > 23 || s[2] != ':' || *m < 0 || *m > 59 ? -1 : 0;
}

/* Z, or [+-]HH:MM (a space for '+': an unencoded '+' in a query string). */
static int offset_part(const char *s, int64_t *secs)
{
	int h, m, sign;

	if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
		*secs = 0;
		return 0;
	}
	if (s[0] != '+' && s[0] != '-' && s[0] != ' ')
		return -1;
	sign = s[0] == '-' ? -1 : 1;
	if (strlen(s + 1) != 5 || hhmm(s + 1, &h, &m))
		return -1;
	*secs = sign * (h * 3600 + m * 60);
	return 0;
}

int api_time_parse(const char *s, int64_t *out)
{
	int64_t day, off;
	int h, m, sec;
	const char *p;

	if (strlen(s) < 20 || date_part(s, &day) || (s[10] != 'T' && s[10] != 't'))
		return -1;
	if (hhmm(s + 11, &h, &m) || s[16] != ':' || (sec = digits(s + 17, 2)) < 0 || sec > 59)
		return -1;
	p = s + 19;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (*p != '0')
				return -1;
	}
	if (offset_part(p, &off))
		return -1;
	*out = day * DAY_SECS + h * 3600 + m * 60 + sec - off;
	return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

char *api_time_format(char buf[API_TIME_LEN], int64_t t)
{
	int64_t day = floor_div(t, DAY_SECS), secs = t - day * DAY_SECS, y;
	int m, d;

	api_civil_from_days(day, &y, &m, &d);
	snprintf(buf, API_TIME_LEN, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d,
	         (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	return buf;
}

char *api_day_format(char buf[API_TIME_LEN], int64_t day)
{
	int64_t y;
	int m, d;

	api_civil_from_days(day, &y, &m, &d);
	snprintf(buf, API_TIME_LEN, "%04lld-%02d-%02d", (long long)y, m, d);
	return buf;
}

int api_hhmm_parse(const char *s, int *out)
{
	int h, m;

	if (!strcmp(s, "24:00")) {
		*out = 1440;
		return 0;
	}
	if (strlen(s) != 5 || hhmm(s, &h, &m))
		return -1;
	*out = h * 60 + m;
	return 0;
}

char *api_hhmm_format(char buf[API_TIME_LEN], int min)
{
	if (min < 0 || min > 1440)
		min = 0;
	snprintf(buf, API_TIME_LEN, "%02d:%02d", min / 60, min % 60);
	return buf;
}
