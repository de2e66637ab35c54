/* test_ics_tz.c - the process-wide cache of VTIMEZONE zones (ics_tzcache.c).
 *
 * The cache is shared by every test of this binary, so each test makes its
 * VTIMEZONEs new to it with an X- property of its own and looks at how the
 * statistics (ics_tzcache_stats) move, never at their values. Instants:
 * 2024-10-15T00:00Z = T2024 + 288 days = 1728950400 (October starts on day
 * 274 of 2024); 3000-01-15T00:00Z = 376214 days after 1970 = 32504889600.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ics_filter.h"
#include "ics_int.h"
#include "test_ical.h"

#define OCT15 INT64_C(1728950400)  /* 2024-10-15T00:00:00Z */
#define Y3000 INT64_C(32504889600) /* 3000-01-15T00:00:00Z */
#define SLOTS 256                  /* the cache's size (ics_tzcache.c) */
#define NOON  INT64_C(1705320000)  /* 2024-01-15T12:00:00Z */

/* Europe/Berlin as it is: summer time ends on the last Sunday of October. */
static const char rules_now[] =
    "BEGIN:DAYLIGHT\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nTZNAME:CEST\n"
    "DTSTART:19810329T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nEND:DAYLIGHT\n"
    "BEGIN:STANDARD\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nTZNAME:CET\n"
    "DTSTART:19961027T030000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nEND:STANDARD\n";
/* Its rules of 1981-1995, under the same TZID: it ended in September. */
static const char rules_old[] =
    "BEGIN:DAYLIGHT\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nTZNAME:CEST\n"
    "DTSTART:19810329T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nEND:DAYLIGHT\n"
    "BEGIN:STANDARD\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nTZNAME:CET\n"
    "DTSTART:19810927T030000\nRRULE:FREQ=YEARLY;BYMONTH=9;BYDAY=-1SU\nEND:STANDARD\n";

/* A VTIMEZONE for Europe/Berlin, made new by tag (arena, LF). */
static const char *berlin(struct fx *fx, const char *tag, const char *rules)
{
	return sd_arena_printf(fx->a,
	                       "BEGIN:VTIMEZONE\nTZID:Europe/Berlin\nX-SLOTDAV-TEST:%s\n%s"
	                       "END:VTIMEZONE\n",
	                       tag, rules);
}

/* An hour-long event at local time when (YYYYMMDDTHHMMSS) in tzid, with
 * vtz (arena, CRLF). */
static const char *event(struct fx *fx, const char *vtz, const char *tzid, const char *when,
                         const char *uid)
{
	return fx_cal(fx, sd_arena_printf(fx->a,
	                                  "%sBEGIN:VEVENT\nUID:%s\nDTSTAMP:20240101T000000Z\n"
	                                  "DTSTART;TZID=%s:%s\nDURATION:PT1H\nEND:VEVENT\n",
	                                  vtz, uid, tzid, when));
}

/* Two objects, then a filter and a default zone, with one VTIMEZONE: one
 * zone is built, and found three times. */
static void test_shared(void **state)
{
	struct fx *fx = *state;
	const char *vtz = berlin(fx, "shared", rules_now);
	struct ics_time_range r = { OCT15 + 10 * HOUR, OCT15 + 10 * HOUR + 60 };
	struct ics_comp_filter ev = { .name = "VEVENT", .range = &r };
	struct ics_comp_filter cal = { .name = "VCALENDAR", .comps = &ev };
	const char *deftz = fx_cal(fx, vtz);
	const char *a = event(fx, vtz, "Europe/Berlin", "20241015T120000", "a@example.com");
	struct ics_tz_stats s0, s1;
	struct sd_err err = { 0 };

	ics_tzcache_stats(&s0);
	fx_assert_ok(fx, a);
	fx_assert_range(fx, OCT15 + 10 * HOUR, OCT15 + 11 * HOUR); /* CEST, +2 */
	fx_assert_ok(fx, event(fx, vtz, "Europe/Berlin", "20241015T120000", "b@example.com"));
	fx_assert_range(fx, OCT15 + 10 * HOUR, OCT15 + 11 * HOUR);
	assert_int_equal(ics_filter_match(a, strlen(a), &cal, deftz, &err), 1);
	ics_tzcache_stats(&s1);
	assert_int_equal(s1.misses - s0.misses, 1);
	/* the second object, the filter's object, and the default zone */
	assert_int_equal(s1.hits - s0.hits, 3);
	/* one entry more in the table, or one in place of another */
	assert_int_equal((s1.entries + s1.evictions) - (s0.entries + s0.evictions), 1);
}

/* The same TZID with other rules is another zone: noon on October 15th is
 * 10:00Z under today's rules and 11:00Z under those of 1981-1995, in
 * whatever order the two are met. */
static void test_rules_differ(void **state)
{
	struct fx *fx = *state;
	const char *now = berlin(fx, "differ", rules_now), *old = berlin(fx, "differ", rules_old);
	struct ics_time_range r = { OCT15 + 10 * HOUR, OCT15 + 10 * HOUR + 1800 };
	struct ics_comp_filter ev = { .name = "VEVENT", .range = &r };
	struct ics_comp_filter cal = { .name = "VCALENDAR", .comps = &ev };
	const char *a = event(fx, now, "Europe/Berlin", "20241015T120000", "now@example.com");
	const char *b = event(fx, old, "Europe/Berlin", "20241015T120000", "old@example.com");
	struct ics_tz_stats s0, s1;
	struct sd_err err = { 0 };

	ics_tzcache_stats(&s0);
	for (int round = 0; round < 2; round++) {
		fx_assert_ok(fx, a);
		fx_assert_range(fx, OCT15 + 10 * HOUR, OCT15 + 11 * HOUR);
		fx_assert_ok(fx, b);
		fx_assert_range(fx, OCT15 + 11 * HOUR, OCT15 + 12 * HOUR);
		assert_int_equal(ics_filter_match(a, strlen(a), &cal, NULL, &err), 1);
		assert_int_equal(ics_filter_match(b, strlen(b), &cal, NULL, &err), 0);
	}
	ics_tzcache_stats(&s1);
	assert_int_equal(s1.misses - s0.misses, 2);
	assert_int_equal(s1.hits - s0.hits, 6);
}

/* Past 2582 libical would work a zone's transitions out again on every
 * call: the time is clamped and the answer is the same as the system
 * zone's, over many calls (the speed is not asserted: shared machines are
 * noisy). */
static void test_far_future(void **state)
{
	struct fx *fx = *state;
	const char *vtz = berlin(fx, "far", rules_now);
	const char *a = event(fx, vtz, "Europe/Berlin", "30000115T120000", "far@example.com");
	const char *b = event(fx, "", "Europe/Berlin", "30000115T120000", "far-sys@example.com");

	for (int i = 0; i < 50; i++) {
		fx_assert_ok(fx, a);
		fx_assert_range(fx, Y3000 + 11 * HOUR, Y3000 + 12 * HOUR); /* CET, +1 */
		fx_assert_ok(fx, b);                                       /* the system's zone */
		fx_assert_range(fx, Y3000 + 11 * HOUR, Y3000 + 12 * HOUR);
	}
}

/* A fixed-offset VTIMEZONE made new by n, hours east of UTC (arena, LF):
 * cheap for libical to expand, so the cache can be churned. */
static const char *fixed(struct sd_arena *a, const char *tag, int n, int hours)
{
	return sd_arena_printf(a,
	                       "BEGIN:VTIMEZONE\nTZID:Test/Fixed\nX-SLOTDAV-TEST:%s-%d\n"
	                       "BEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:%c%02d00\n"
	                       "TZOFFSETTO:%c%02d00\nEND:STANDARD\nEND:VTIMEZONE\n",
	                       tag, n, hours < 0 ? '-' : '+', abs(hours), hours < 0 ? '-' : '+',
	                       abs(hours));
}

/* A zone a document holds outlives its eviction from the table, and is
 * freed when the document closes. */
static void test_eviction(void **state)
{
	struct fx *fx = *state;
	const char *text = event(fx, berlin(fx, "held", rules_now), "Europe/Berlin",
	                         "20241015T120000", "held@example.com");
	struct icaltimetype noon = icaltime_from_string("20241015T120000");
	struct ics_tz_stats s0, s1, s2;
	struct sd_err err = { 0 };
	struct ics_doc d;
	icaltimezone *z;

	assert_int_equal(ics_doc_parse(&d, text, strlen(text), fx->a, &err), ICS_OK);
	z = ics_tz_lookup(&d, "Europe/Berlin");
	assert_non_null(z);
	ics_tzcache_stats(&s0);
	for (int i = 0; i < 2 * SLOTS + 10; i++)
		fx_assert_ok(fx, event(fx, fixed(fx->a, "evict", i, i % 25 - 12), "Test/Fixed",
		                       "20240115T120000", "churn@example.com"));
	ics_tzcache_stats(&s1);
	assert_true(s1.entries <= SLOTS);
	assert_true(s1.evictions - s0.evictions >= SLOTS);
	assert_int_equal(s1.live, s1.entries + 1); /* ours, out of the table */
	assert_int_equal(icaltimezone_get_utc_offset(z, &noon, NULL), 2 * 3600);
	ics_doc_close(&d);
	ics_tzcache_stats(&s2);
	assert_int_equal(s2.live, s2.entries);
}

/* ---- threads ---- */

#define THREADS 8
#define ROUNDS  150
#define ZONES   (SLOTS + 44) /* more than fit: entries are evicted while in use */

struct job {
	int id, failures;
	pthread_barrier_t *go;
	char msg[600];
};

static void one_round(struct job *j, int round)
{
	struct fx fx = { .a = sd_arena_new() };
	int n = (j->id * 37 + round * 11) % ZONES, hours = n % 25 - 12;
	const char *text =
	    fx_cal(&fx, sd_arena_printf(fx.a,
	                                "%sBEGIN:VEVENT\nUID:tz-%d-%d@example.com\n"
	                                "DTSTAMP:20240101T000000Z\n"
	                                "DTSTART;TZID=Test/Fixed:20240115T120000\n"
	                                "DURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=3\n"
	                                "END:VEVENT\n",
	                                fixed(fx.a, "threads", n, hours), j->id, round));
	int64_t start = NOON - (int64_t)hours * HOUR;
	int rc = fx_check(&fx, text);

	if ((rc != ICS_OK || fx.info.first_start != start ||
	     fx.info.last_end != start + 2 * DAY + HOUR) &&
	    !j->failures++)
		snprintf(j->msg, sizeof(j->msg), "thread %d round %d: rc %d %s", j->id, round, rc,
		         fx.err.msg);
	sd_arena_free(fx.a);
}

static void *worker(void *arg)
{
	struct job *j = arg;

	pthread_barrier_wait(j->go);
	for (int i = 0; i < ROUNDS; i++)
		one_round(j, i);
	return NULL;
}

/* Threads meet the same zones while others push them out of the table. */
static void test_threads_churn(void **state)
{
	struct job jobs[THREADS] = { { 0 } };
	pthread_t threads[THREADS];
	pthread_barrier_t go;
	struct ics_tz_stats s;

	(void)state;
	pthread_barrier_init(&go, NULL, THREADS);
	for (int i = 0; i < THREADS; i++) {
		jobs[i].id = i;
		jobs[i].go = &go;
		if (pthread_create(&threads[i], NULL, worker, &jobs[i]) != 0)
			abort();
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < THREADS; i++)
		if (jobs[i].failures)
			print_error("%s\n", jobs[i].msg);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(jobs[i].failures, 0);
	ics_tzcache_stats(&s);
	assert_true(s.entries <= SLOTS);
	assert_int_equal(s.live, s.entries);
}

int test_ics_tz_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_shared, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rules_differ, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_far_future, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_eviction, fx_setup, fx_teardown),
		cmocka_unit_test(test_threads_churn),
	};

	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
