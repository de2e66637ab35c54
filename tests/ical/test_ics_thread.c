/* test_ics_thread.c - checks running on many threads at once.
 *
 * libical 3.0 keeps the system zones in one process-wide array. A zone
 * missing from zone.tab (the aliases and Etc/GMT+-N zones below) is loaded
 * on first use and appended to the array, whose element count goes up
 * before the element is copied in, while other threads walk the array;
 * ics_tz.c serialises those calls, and has the array loaded once before any
 * check (libical publishes it half-built). Sixteen threads start together
 * behind a barrier and meet the zones in different orders, so first uses
 * overlap; one round in five parses an object with its own VTIMEZONE,
 * whose transitions libical computes lazily, and a calendar-timezone
 * value. Every result must be exact.
 *
 * A zone is loaded once per process, so the scene is played in a few fresh
 * child processes, then once in this one. Without the lock, about one run
 * of this test in eight fails in the sanitizer build (which fills fresh and
 * freed memory, see test_ical.c, so that libical, which is not
 * instrumented, trips over what it should not read).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_ical.h"

#define PROCESSES 8
#define THREADS   16
#define ROUNDS    5
#define NOON_UTC  INT64_C(1705320000) /* 2024-01-15T12:00Z: T2024 + 14 d + 12 h */

/* System zones and their UTC offsets on 2024-01-15, in minutes (tzdata). */
static const struct {
	const char *name;
	int minutes;
} zones[] = {
	{ "US/Eastern", -300 },
	{ "US/Central", -360 },
	{ "US/Mountain", -420 },
	{ "US/Pacific", -480 },
	{ "US/Alaska", -540 },
	{ "US/Hawaii", -600 },
	{ "US/Arizona", -420 },
	{ "Canada/Atlantic", -240 },
	{ "Canada/Newfoundland", -210 },
	{ "Canada/Eastern", -300 },
	{ "Canada/Central", -360 },
	{ "Canada/Mountain", -420 },
	{ "Canada/Pacific", -480 },
	{ "Brazil/East", -180 },
	{ "Chile/Continental", -180 },
	{ "Mexico/General", -360 },
	{ "Asia/Calcutta", 330 },
	{ "Asia/Saigon", 420 },
	{ "Asia/Katmandu", 345 },
	{ "Asia/Rangoon", 390 },
	{ "Europe/Kiev", 120 },
	{ "Australia/ACT", 660 },
	{ "Australia/West", 480 },
	{ "NZ", 780 },
	{ "Japan", 540 },
	{ "Singapore", 480 },
	{ "Hongkong", 480 },
	{ "Iceland", 0 },
	{ "Egypt", 120 },
	{ "Israel", 120 },
	{ "Turkey", 180 },
	{ "Cuba", -300 },
	{ "Jamaica", -300 },
	{ "GB", 0 },
	{ "Eire", 0 },
	{ "Poland", 60 },
	{ "Portugal", 0 },
	{ "Navajo", -420 },
	{ "PRC", 480 },
	{ "ROK", 540 },
	{ "ROC", 480 },
	{ "Iran", 210 },
	{ "Libya", 120 },
	{ "Kwajalein", 720 },
	{ "W-SU", 180 },
	{ "Zulu", 0 },
	{ "UCT", 0 },
	{ "Universal", 0 },
	{ "Greenwich", 0 },
	{ "GMT0", 0 },
	{ "Etc/GMT+1", -60 },
	{ "Etc/GMT+2", -120 },
	{ "Etc/GMT+3", -180 },
	{ "Etc/GMT+4", -240 },
	{ "Etc/GMT+5", -300 },
	{ "Etc/GMT+6", -360 },
	{ "Etc/GMT+7", -420 },
	{ "Etc/GMT+8", -480 },
	{ "Etc/GMT+9", -540 },
	{ "Etc/GMT+10", -600 },
	{ "Etc/GMT+11", -660 },
	{ "Etc/GMT+12", -720 },
	{ "Etc/GMT-1", 60 },
	{ "Etc/GMT-2", 120 },
	{ "Etc/GMT-3", 180 },
	{ "Etc/GMT-4", 240 },
	{ "Etc/GMT-5", 300 },
	{ "Etc/GMT-6", 360 },
	{ "Etc/GMT-7", 420 },
	{ "Etc/GMT-8", 480 },
	{ "Etc/GMT-9", 540 },
	{ "Etc/GMT-10", 600 },
	{ "Etc/GMT-11", 660 },
	{ "Etc/GMT-12", 720 },
	{ "Etc/GMT-13", 780 },
	{ "Etc/GMT-14", 840 },
};

struct job {
	int id;
	pthread_barrier_t *go;
	int failures;
	char msg[800];
};

static const char object_fmt[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//slotdav//threads//EN\r\n%s"
    "BEGIN:VEVENT\r\nUID:thread-%d-%d@example.com\r\nDTSTAMP:20240101T000000Z\r\n"
    "DTSTART;TZID=%s:20240115T120000\r\nDTEND;TZID=%s:20240115T130000\r\n"
    "RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

static const char berlin[] =
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
    "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
    "DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
    "END:VTIMEZONE\r\n";

static void job_fail(struct job *j, const char *what, int rc, const char *msg)
{
	if (!j->failures++)
		snprintf(j->msg, sizeof(j->msg), "thread %d, %s: rc %d (%s)", j->id, what, rc, msg);
}

/* One object in a system zone, or in Berlin (+1 in January) defined by
 * the object itself: noon there is NOON_UTC less the offset. */
static void check_one(struct job *j, int round)
{
	enum { NZONES = sizeof(zones) / sizeof(zones[0]) };
	struct sd_arena *a = sd_arena_new();
	int own = round % 4 == 3, k = (j->id * 5 + round) % NZONES;
	const char *tzid = own ? "Europe/Berlin" : zones[k].name;
	int64_t start = NOON_UTC - (own ? 60 : zones[k].minutes) * 60;
	char *text = sd_arena_printf(a, object_fmt, own ? berlin : "", j->id, round, tzid, tzid);
	struct ics_info info;
	struct sd_err err = { 0 };
	int rc = ics_object_check(text, strlen(text), ALL_COMPS, a, &info, &err);

	/* Three weekly instances of an hour: the last ends 14 d + 1 h on. */
	if (rc != ICS_OK || info.first_start != start || info.last_end != start + 14 * DAY + HOUR)
		job_fail(j, tzid, rc, rc ? err.msg : "wrong range");
	if (own) {
		text = sd_arena_printf(a, "BEGIN:VCALENDAR\r\n%sEND:VCALENDAR\r\n", berlin);
		rc = ics_timezone_check(text, strlen(text), &err);
		if (rc != ICS_OK)
			job_fail(j, "calendar-timezone", rc, err.msg);
	}
	sd_arena_free(a);
}

static void *worker(void *arg)
{
	struct job *j = arg;

	pthread_barrier_wait(j->go);
	for (int i = 0; i < ROUNDS; i++)
		check_one(j, i);
	return NULL;
}

/* Runs the threads once; returns how many failed, having printed why. */
static int run_threads(void)
{
	struct job jobs[THREADS] = { { 0 } };
	pthread_t threads[THREADS];
	pthread_barrier_t go;
	int failed = 0;

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
	for (int i = 0; i < THREADS; i++) {
		if (jobs[i].failures)
			fprintf(stderr, "%s\n", jobs[i].msg);
		failed += jobs[i].failures > 0;
	}
	return failed;
}

/* Each child starts with the zones this process has loaded so far, which
 * are few of those above: their first uses, where the race is, come anew. */
static void test_concurrent_zones(void **state)
{
	(void)state;
	for (int i = 0; i < PROCESSES; i++) {
		int status = 0;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0)
			_exit(run_threads() ? 1 : 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			print_error("child %d: %s %d\n", i, WIFEXITED(status) ? "exit" : "signal",
			            WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(run_threads(), 0);
}

int test_ics_thread_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_zones),
	};

	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
