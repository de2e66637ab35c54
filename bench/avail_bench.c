/* avail_bench.c - times the availability engine (booking_avail_slots): the
 * slots of 20 staff members over 31 days with 5,000 existing bookings as
 * busy time, the question a location's booking page asks.
 *
 * Europe/Berlin, October 2026 (it has the change back to winter time),
 * hours Monday to Friday, 30-minute service on a 15-minute grid with 5 and
 * 10 minutes of buffers. Two shapes of the 5,000 bookings: spread over the
 * staff (250 each, as a location has them), and all 5,000 given to every
 * member (the worst case of the busy sweep), in random order and in start
 * order (as storage lists bookings). Prints the median of N runs
 * (argument 1, default 21) of the whole 20-member question. Not a test:
 * build with `cmake --build <dir> --target avail_bench`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "booking_avail.h"
#include "ics_zone.h"

#define STAFF    20
#define DAYS     31
#define BOOKINGS 5000
#define MIN      INT64_C(60)
#define DAY      INT64_C(86400)

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_start(const void *x, const void *y)
{
	int64_t a = ((const struct booking_busy *)x)->start;
	int64_t b = ((const struct booking_busy *)y)->start;

	return (a > b) - (a < b);
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* Random bookings inside working hours (09:00-17:00 local, as UTC+1 or
 * +2 makes no difference to the load), 30 or 60 minutes, buffers 0-15. */
static void bookings_make(struct booking_busy *b, size_t n, int64_t from, unsigned *seed)
{
	for (size_t i = 0; i < n; i++) {
		int64_t day = rand_r(seed) % DAYS, slot = rand_r(seed) % 32;

		b[i].start = from + day * DAY + 7 * 3600 + slot * 15 * MIN;
		b[i].end = b[i].start + (rand_r(seed) % 2 ? 30 : 60) * MIN;
		b[i].before = (rand_r(seed) % 4) * 5 * MIN;
		b[i].after = (rand_r(seed) % 4) * 5 * MIN;
	}
}

/* One run: every staff member's slots; the total in *slots. */
static int run_once(struct booking_avail_in *in, const struct booking_busy *busy, size_t per_staff,
                    int shared, size_t *slots)
{
	*slots = 0;
	for (size_t s = 0; s < STAFF; s++) {
		struct sd_arena *a = sd_arena_new();
		struct sd_err err;
		int64_t *out;
		size_t n;

		in->busy = shared ? busy : busy + s * per_staff;
		in->nbusy = per_staff;
		if (booking_avail_slots(a, in, &out, &n, &err) != 0) {
			fprintf(stderr, "avail_bench: %s\n", err.msg);
			sd_arena_free(a);
			return -1;
		}
		*slots += n;
		sd_arena_free(a);
	}
	return 0;
}

static int bench(const char *what, struct booking_avail_in *in, const struct booking_busy *busy,
                 size_t per_staff, int shared, int runs)
{
	double *t = calloc((size_t)runs, sizeof(*t));
	size_t slots = 0;

	if (!t)
		return -1;
	for (int r = 0; r < runs; r++) {
		double t0 = now_ms();

		if (run_once(in, busy, per_staff, shared, &slots)) {
			free(t);
			return -1;
		}
		t[r] = now_ms() - t0;
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	printf("%-44s median %8.3f ms (min %.3f, max %.3f) over %d runs, %zu slots\n", what,
	       t[runs / 2], t[0], t[runs - 1], runs, slots);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	static struct booking_busy busy[BOOKINGS];
	struct store_hours hours[5];
	struct booking_avail_in in = { 0 };
	int runs = argc > 1 ? atoi(argv[1]) : 21;
	int64_t from, ns[2];
	unsigned seed = 42;
	int n;

	if (runs < 1)
		runs = 1;
	if (ics_zone_instants("Europe/Berlin", ics_days_from_civil(2026, 10, 1) * DAY, ns, &n) ||
	    n != 1)
		return 1;
	from = ns[0];
	for (int wd = 1; wd <= 5; wd++)
		hours[wd - 1] = (struct store_hours){ 1, wd, 9 * 60, 17 * 60 };
	in.tzid = "Europe/Berlin";
	in.from = from;
	in.to = from + DAYS * DAY;
	in.earliest = INT64_MIN;
	in.latest = INT64_MAX;
	in.duration = 30 * MIN;
	in.before = 5 * MIN;
	in.after = 10 * MIN;
	in.step = 15 * MIN;
	in.location_id = 1;
	in.weekly = hours;
	in.nweekly = 5;
	in.realtime = 1;
	bookings_make(busy, BOOKINGS, from, &seed);

	printf("avail_bench: %d staff x %d days, %d bookings, Europe/Berlin\n", STAFF, DAYS,
	       BOOKINGS);
	if (bench("5,000 bookings spread (250 per member)", &in, busy, BOOKINGS / STAFF, 0, runs) ||
	    bench("5,000 bookings for every member", &in, busy, BOOKINGS, 1, runs))
		return 1;
	qsort(busy, BOOKINGS, sizeof(*busy), cmp_start); /* as storage lists them */
	if (bench("the same, in start order", &in, busy, BOOKINGS, 1, runs))
		return 1;
	in.realtime = 0;
	return bench("real-time off (no busy check)", &in, busy, 0, 1, runs) ? 1 : 0;
}
