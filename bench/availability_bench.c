/* availability_bench.c - times the whole availability question, as the API
 * asks it: booking_availability() for one service across 20 staff members
 * over 31 days, on a real SQLite database holding 5,000 bookings (each also
 * an object in its staff member's Bookings calendar) and recurring busy
 * events in every member's personal calendar.
 *
 * Setup (not timed): Europe/Berlin, March 2030 (with the change to summer
 * time on the 31st); hours Monday to Friday 07:00-20:00, Saturday 08:00-14:00; a 30-minute
 * service with 5/10-minute buffers on a 15-minute grid; per member a daily
 * stand-up (RRULE weekdays, 08:00-08:15), a weekly meeting with an EXDATE
 * and a fortnightly afternoon out; 250 bookings per member made with
 * booking_create() (so every one went through the rules) at pseudo-random
 * free slots. Then N runs (argument 1, default 15) of the question for all
 * members and of the question for one member; prints the medians and the
 * peak RSS. Not a test: `cmake --build <dir> --target availability_bench`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "booking.h"
#include "ics.h"
#include "sd_util.h"

#define STAFF             20
#define PER_STAFF_DEFAULT 250
static int PER_STAFF = PER_STAFF_DEFAULT;
#define DAYS 31
#define DAY  INT64_C(86400)
#define FROM INT64_C(1898553600) /* 2030-03-01T00:00:00Z */

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

static void die(const char *what, const struct sd_err *e)
{
	fprintf(stderr, "availability_bench: %s: %s\n", what, e->msg);
	exit(1);
}

static const char events_fmt[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//bench//EN\r\n"
                                 "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20300101T000000Z\r\n"
                                 "DTSTART;TZID=Europe/Berlin:%s\r\nDTEND;TZID=Europe/Berlin:%s\r\n"
                                 "RRULE:%s\r\n%sEND:VEVENT\r\nEND:VCALENDAR\r\n";

/* One recurring event in calendar coll. */
static void event_put(struct booking_ctx *x, int64_t coll, const char *uid, const char *start,
                      const char *end, const char *rrule, const char *extra)
{
	char *text = sd_arena_printf(x->a, events_fmt, uid, start, end, rrule, extra);
	struct ics_info info;
	struct store_obj o = { 0 };
	struct sd_err e;

	if (ics_object_check(text, strlen(text), ICS_COMP_VEVENT, x->a, &info, &e))
		die("event", &e);
	o = (struct store_obj){ .coll_id = coll,
		                .name = sd_arena_printf(x->a, "%s.ics", uid),
		                .content_type = "text/calendar",
		                .data = text,
		                .len = strlen(text),
		                .uid = info.uid,
		                .comp = STORE_COMP_VEVENT,
		                .first_start = info.first_start,
		                .last_end = info.last_end };
	if (store_obj_put(x->conn, &o, x->a, NULL, NULL, &e))
		die("event put", &e);
}

static void member_make(struct booking_ctx *x, int64_t loc, int i, int64_t *staff_out)
{
	char name[32];
	struct store_staff st = { .active = 1, .location_ids = &loc, .nlocations = 1 };
	struct store_hours h[6];
	struct store_coll home, cal = { 0 };
	struct sd_err e;
	int64_t user, coll;

	snprintf(name, sizeof(name), "staff%02d", i);
	if (store_user_create(x->conn, name, name, "", "x", &user, &e) ||
	    store_home_get(x->conn, user, x->a, &home, &e))
		die("user", &e);
	cal = (struct store_coll){ .parent_id = home.id,
		                   .owner_id = user,
		                   .kind = STORE_COLL_CALENDAR,
		                   .name = "personal",
		                   .components = STORE_COMP_VEVENT };
	if (store_coll_create(x->conn, &cal, &coll, &e))
		die("calendar", &e);
	st.user_id = user;
	st.name = name;
	if (booking_staff_save(x, &st, staff_out, &e))
		die("staff", &e);
	for (int d = 0; d < 5; d++)
		h[d] = (struct store_hours){ loc, d + 1, 7 * 60, 20 * 60 };
	h[5] = (struct store_hours){ loc, 6, 8 * 60, 14 * 60 };
	if (booking_hours_set(x, *staff_out, loc, h, 6, &e))
		die("hours", &e);
	event_put(x, coll, sd_arena_printf(x->a, "standup-%d", i), "20300101T080000",
	          "20300101T081500", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "");
	event_put(x, coll, sd_arena_printf(x->a, "meeting-%d", i), "20300107T120000",
	          "20300107T130000", "FREQ=WEEKLY",
	          "EXDATE;TZID=Europe/Berlin:20300318T120000\r\n");
	event_put(x, coll, sd_arena_printf(x->a, "out-%d", i), "20300306T140000", "20300306T180000",
	          "FREQ=WEEKLY;INTERVAL=2", "");
}

/* PER_STAFF bookings for each member, on free slots chosen pseudo-randomly
 * from what availability offers. */
static void bookings_make(struct booking_ctx *x, int64_t svc, const int64_t *staff,
                          int64_t customer)
{
	unsigned seed = 42;
	struct sd_err e;

	for (int s = 0; s < STAFF; s++) {
		for (int k = 0, tries = 0; k < PER_STAFF; k++) {
			int64_t day = FROM + (int64_t)(rand_r(&seed) % DAYS) * DAY;
			struct booking_slot *slots;
			struct booking_new b = { .service_id = svc,
				                 .staff_id = staff[s],
				                 .customer_id = customer };
			struct store_booking out;
			struct booking_ctx y = *x;
			size_t n;

			y.a = sd_arena_new(); /* one per request, as the server has */
			if (booking_availability(&y, svc, staff[s], day, day + DAY, &slots, &n, &e))
				die("availability", &e);
			if (!n) {
				sd_arena_free(y.a);
				if (++tries > 50 * PER_STAFF)
					die("setup", &(struct sd_err){ 0, "the calendar is full" });
				k--; /* a Sunday or a full day: another day */
				continue;
			}
			b.start = slots[(size_t)rand_r(&seed) % n].start;
			if (booking_create(&y, &b, &out, &e))
				die("booking", &e);
			sd_arena_free(y.a);
		}
		if (isatty(2))
			fprintf(stderr, "\rsetup: %d of %d members booked", s + 1, STAFF);
	}
	if (isatty(2))
		fprintf(stderr, "\n");
}

static double median_ms(struct booking_ctx *x, int64_t svc, int64_t staff, int runs, size_t *nslots)
{
	double *t = sd_xcalloc((size_t)runs, sizeof(*t)), m;
	struct sd_err e;

	for (int r = 0; r < runs; r++) {
		struct sd_arena *a = sd_arena_new();
		struct booking_ctx y = *x;
		struct booking_slot *slots;
		double t0 = now_ms();

		y.a = a;
		if (booking_availability(&y, svc, staff, FROM, FROM + DAYS * DAY, &slots, nslots,
		                         &e))
			die("availability", &e);
		t[r] = now_ms() - t0;
		sd_arena_free(a);
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	m = t[runs / 2];
	free(t);
	return m;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 15;

	if (argc > 2)
		PER_STAFF = atoi(argv[2]);
	char dir[] = "/tmp/slotdav-availbench-XXXXXX", path[64], cmd[96];
	struct booking_actor sys = { BOOKING_ROLE_SYSTEM, 0, 0, "bench", "cli", "" };
	struct store_location loc = { .name = "Bench",
		                      .timezone = "Europe/Berlin",
		                      .email = "bench@example.org" };
	struct store_customer cust = { .name = "Customer" };
	struct store_service svc = { .name = "Service",
		                     .duration_min = 30,
		                     .buffer_before_min = 5,
		                     .buffer_after_min = 10,
		                     .active = 1 };
	struct booking_ctx x = { .now = FROM - DAY, .actor = &sys };
	struct store *st;
	struct sd_err e;
	struct rusage ru;
	int64_t staff[STAFF], svc_id, cust_id;
	size_t n_all, n_one;
	double setup = now_ms(), all, one;

	if (runs < 1 || !mkdtemp(dir))
		return 2;
	snprintf(path, sizeof(path), "%s/db", dir);
	if (store_open(&st, path, 1, &e) || store_conn_acquire(st, &x.conn, &e))
		die("open", &e);
	x.a = sd_arena_new();
	if (booking_location_save(&x, &loc, NULL, &e) ||
	    booking_customer_save(&x, &cust, &cust_id, &e))
		die("location", &e);
	for (int i = 0; i < STAFF; i++)
		member_make(&x, loc.id, i, &staff[i]);
	svc.location_id = loc.id;
	svc.staff_ids = staff;
	svc.nstaff = STAFF;
	if (booking_service_save(&x, &svc, &svc_id, &e))
		die("service", &e);
	bookings_make(&x, svc_id, staff, cust_id);
	setup = now_ms() - setup;
	sd_arena_free(x.a);
	x.a = NULL;

	all = median_ms(&x, svc_id, 0, runs, &n_all);
	one = median_ms(&x, svc_id, staff[7], runs, &n_one);
	getrusage(RUSAGE_SELF, &ru);
	printf("availability, 1 service, %d staff, %d days, %d bookings + recurring events\n",
	       STAFF, DAYS, STAFF * PER_STAFF);
	printf("  setup (through booking_create): %.1f s\n", setup / 1e3);
	printf("  all %d staff:  median %.1f ms over %d runs, %zu free slots\n", STAFF, all, runs,
	       n_all);
	printf("  one member:    median %.1f ms over %d runs, %zu free slots\n", one, runs, n_one);
	printf("  peak RSS: %ld MiB\n", ru.ru_maxrss / 1024);
	store_conn_release(x.conn);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? 1 : 0;
}
