/* ics_time.c - calendar arithmetic, wall clocks and instants, and the BY
 * parts of RRULEs: the one copy ics_range.c, ics_filter.c and ics_tz.c use.
 *
 * A wall clock is a date and time read as if it were UTC: seconds since
 * 1970-01-01T00:00:00 in the proleptic Gregorian calendar, computed here
 * (ics_days_from_civil, ics_civil_from_days) in 64 bits, so every year libical
 * reads (0 to 9999) is fine and sums of them saturate (ics_sat_add) rather
 * than overflow. Only UTC offsets come from libical: ics_to_instant and
 * ics_wall_of ask the zone about the time clamped to [ICS_WALL_MIN,
 * ICS_ZONE_WALL_MAX], which changes no answer (before year 0 every zone is
 * on its first offset, as at year 0; past 2582 on its last, see ics_int.h)
 * but keeps libical from working a zone's transitions out again on each
 * call. The result itself is not clamped: callers that want years 0-9999
 * clamp with ics_clamp_wall.
 *
 * Invariant: ics_wall_secs(ics_wall_time(w, 0)) == w for every w whose
 * year fits an int; ics_wall_time(w, 1) is the day w falls in.
 */
#include <stdlib.h>

#include "ics_int.h"

#define DAY INT64_C(86400)

/* ---- arithmetic ---- */

int64_t ics_sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > ICS_TIME_MAX - b)
		return ICS_TIME_MAX;
	if (b < 0 && a < ICS_TIME_MIN - b)
		return ICS_TIME_MIN;
	return a + b;
}

int64_t ics_sat_mul(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return (a < 0) != (b < 0) ? ICS_TIME_MIN : ICS_TIME_MAX;
	return r;
}

int ics_cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

int64_t ics_clamp_wall(int64_t w)
{
	return w < ICS_WALL_MIN ? ICS_WALL_MIN : w > ICS_WALL_MAX ? ICS_WALL_MAX : w;
}

/* ---- the calendar ---- */

/* After H. Hinnant's days_from_civil: m 1..12, any year. */
int64_t ics_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void ics_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int ics_weekday(int64_t days)
{
	int64_t r = (days + 3) % 7; /* 1970-01-01 was a Thursday */

	return (int)(r < 0 ? r + 7 : r) + 1;
}

static int days_in_month(int y, int m)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dim[m - 1];
}

int ics_time_valid(struct icaltimetype t)
{
	if (t.year < 0 || t.year > 9999 || t.month < 1 || t.month > 12 || t.day < 1 ||
	    t.day > days_in_month(t.year, t.month))
		return 0;
	return t.is_date || (t.hour >= 0 && t.hour <= 23 && t.minute >= 0 && t.minute <= 59 &&
	                     t.second >= 0 && t.second <= 60);
}

/* ---- wall clocks and instants ---- */

int64_t ics_wall_secs(struct icaltimetype t)
{
	int64_t s = ics_days_from_civil(t.year, t.month, t.day) * DAY;

	return t.is_date ? s : s + t.hour * 3600 + t.minute * 60 + t.second;
}

struct icaltimetype ics_wall_time(int64_t wall, int is_date)
{
	struct icaltimetype t = icaltime_null_time();
	int64_t days = wall / DAY, rem = wall % DAY;

	if (rem < 0) {
		rem += DAY;
		days--;
	}
	ics_civil_from_days(days, &t.year, &t.month, &t.day);
	t.is_date = is_date;
	if (!is_date) {
		t.hour = (int)(rem / 3600);
		t.minute = (int)(rem / 60 % 60);
		t.second = (int)(rem % 60);
	}
	return t;
}

/* The time a zone is asked about for w (see the file comment). */
static struct icaltimetype zone_query(int64_t w)
{
	return ics_wall_time(w < ICS_WALL_MIN        ? ICS_WALL_MIN
	                     : w > ICS_ZONE_WALL_MAX ? ICS_ZONE_WALL_MAX
	                                             : w,
	                     0);
}

int64_t ics_to_instant(icaltimezone *zone, int64_t wall)
{
	struct icaltimetype t;

	if (!zone)
		return wall;
	t = zone_query(wall);
	return wall - icaltimezone_get_utc_offset(zone, &t, NULL);
}

int64_t ics_wall_of(icaltimezone *zone, int64_t t)
{
	struct icaltimetype u;

	if (!zone)
		return t;
	u = zone_query(t);
	return t + icaltimezone_get_utc_offset_of_utc_time(zone, &u, NULL);
}

/* ---- RRULE ---- */

size_t ics_by_count(const short *v, size_t size)
{
	size_t n = 0;

	while (n < size && v[n] != ICAL_RECURRENCE_ARRAY_MAX)
		n++;
	return n;
}

size_t ics_by_parts(const struct icalrecurrencetype *r)
{
	return ICS_BY_COUNT(r, by_second) + ICS_BY_COUNT(r, by_minute) + ICS_BY_COUNT(r, by_hour) +
	       ICS_BY_COUNT(r, by_day) + ICS_BY_COUNT(r, by_month_day) +
	       ICS_BY_COUNT(r, by_year_day) + ICS_BY_COUNT(r, by_week_no) +
	       ICS_BY_COUNT(r, by_month) + ICS_BY_COUNT(r, by_set_pos);
}

int ics_rule_feasible(const struct icalrecurrencetype *r, int start_mday)
{
	static const int longest[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	size_t nm = ICS_BY_COUNT(r, by_month), nd = ICS_BY_COUNT(r, by_month_day);
	int implicit =
	    nd == 0 && !ICS_BY_COUNT(r, by_day) && !ICS_BY_COUNT(r, by_year_day) &&
	    !ICS_BY_COUNT(r, by_week_no) &&
	    (r->freq == ICAL_MONTHLY_RECURRENCE || (r->freq == ICAL_YEARLY_RECURRENCE && nm));

	if (r->rscale || (nd == 0 && !implicit))
		return 1;
	for (size_t i = 0; i < (nm ? nm : 12); i++) {
		int m = nm ? icalrecurrencetype_month_month(r->by_month[i]) : (int)i + 1;

		for (size_t j = 0; m >= 1 && m <= 12 && j < (implicit ? 1 : nd); j++)
			if (abs(implicit ? start_mday : r->by_month_day[j]) <= longest[m - 1])
				return 1;
	}
	return 0;
}

int ics_until_wall(const struct icalrecurrencetype *r, icaltimezone *zone, int64_t *cut)
{
	struct icaltimetype u = r->until;

	if (icaltime_is_null_time(u))
		return 0;
	if (u.is_date)
		*cut = ics_wall_secs(u) + DAY - 1;
	else if (!icaltime_is_utc(u))
		*cut = ics_wall_secs(u);
	else /* years 0-9999, as libical reads them; checked ones always are */
		*cut = ics_wall_of(zone, ics_clamp_wall(ics_wall_secs(u)));
	return 1;
}
