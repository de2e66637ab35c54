/* test_ics_split.c - ics_split (import) and ics_merge (export): grouping by
 * UID, overrides with their master, the VTIMEZONEs a part uses, broken
 * components reported with input line numbers, and a round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ics.h"
#include "ics_split.h"
#include "sd_buf.h"
#include "test_ical.h"

/* Line numbers below count from 1 at BEGIN:VCALENDAR. */
static const char good[] = "BEGIN:VCALENDAR\r\n"                        /* 1 */
                           "VERSION:2.0\r\n"                            /* 2 */
                           "PRODID:-//test//EN\r\n"                     /* 3 */
                           "METHOD:PUBLISH\r\n"                         /* 4 */
                           "BEGIN:VTIMEZONE\r\n"                        /* 5 */
                           "TZID:My/Zone\r\n"                           /* 6 */
                           "BEGIN:STANDARD\r\n"                         /* 7 */
                           "DTSTART:19700101T000000\r\n"                /* 8 */
                           "TZOFFSETFROM:+0200\r\n"                     /* 9 */
                           "TZOFFSETTO:+0200\r\n"                       /* 10 */
                           "END:STANDARD\r\n"                           /* 11 */
                           "END:VTIMEZONE\r\n"                          /* 12 */
                           "BEGIN:VTIMEZONE\r\n"                        /* 13 */
                           "TZID:Unused/Zone\r\n"                       /* 14 */
                           "BEGIN:STANDARD\r\n"                         /* 15 */
                           "DTSTART:19700101T000000\r\n"                /* 16 */
                           "TZOFFSETFROM:+0300\r\n"                     /* 17 */
                           "TZOFFSETTO:+0300\r\n"                       /* 18 */
                           "END:STANDARD\r\n"                           /* 19 */
                           "END:VTIMEZONE\r\n"                          /* 20 */
                           "BEGIN:VEVENT\r\n"                           /* 21 */
                           "UID:rec\r\n"                                /* 22 */
                           "DTSTAMP:20260101T000000Z\r\n"               /* 23 */
                           "DTSTART;TZID=My/Zone:20270104T100000\r\n"   /* 24 */
                           "DURATION:PT1H\r\n"                          /* 25 */
                           "RRULE:FREQ=DAILY;COUNT=5\r\n"               /* 26 */
                           "SUMMARY:a long summary that is folded \r\n" /* 27 */
                           " onto a second line\r\n"                    /* 28 */
                           "END:VEVENT\r\n"                             /* 29 */
                           "BEGIN:VTODO\r\n"                            /* 30 */
                           "UID:task\r\n"                               /* 31 */
                           "DTSTAMP:20260101T000000Z\r\n"               /* 32 */
                           "END:VTODO\r\n"                              /* 33 */
                           "BEGIN:VEVENT\r\n"                           /* 34 */
                           "UID:rec\r\n"                                /* 35 */
                           "DTSTAMP:20260101T000000Z\r\n"               /* 36 */
                           "RECURRENCE-ID;TZID=My/Zone:20270105T100000\r\n"
                           "DTSTART;TZID=My/Zone:20270105T120000\r\n"
                           "DURATION:PT1H\r\n"
                           "END:VEVENT\r\n"
                           "END:VCALENDAR\r\n";

static void test_split_good(void **state)
{
	struct sd_arena *a = sd_arena_new();
	struct ics_part *p;
	struct ics_info info;
	struct sd_err err = { 0 };
	size_t n;

	assert_int_equal(ics_split(a, good, strlen(good), &p, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(p[0].uid, "rec");
	assert_int_equal(p[0].ncomp, 2); /* the override went with its master */
	assert_int_equal(p[0].line, 21);
	assert_null(p[0].error);
	assert_non_null(strstr(p[0].text, "TZID:My/Zone\r\n"));
	assert_null(strstr(p[0].text, "Unused/Zone"));
	assert_null(strstr(p[0].text, "METHOD"));
	assert_non_null(strstr(p[0].text, "folded \r\n onto")); /* bytes kept */
	assert_int_equal(
	    ics_object_check(p[0].text, p[0].len, ICS_COMP_VEVENT | ICS_COMP_VTODO, a, &info, &err),
	    0);
	assert_true(info.recurring);
	assert_string_equal(p[1].uid, "task");
	assert_null(strstr(p[1].text, "VTIMEZONE"));
	assert_int_equal(
	    ics_object_check(p[1].text, p[1].len, ICS_COMP_VEVENT | ICS_COMP_VTODO, a, &info, &err),
	    0);
	/* a part's line maps back to the input */
	assert_int_equal(ics_part_line(&p[1], 4), 30);
	assert_int_equal(ics_part_line(&p[1], 5), 31);
	sd_arena_free(a);
}

static const char bad[] = "BEGIN:VCALENDAR\r\n"          /* 1 */
                          "VERSION:2.0\r\n"              /* 2 */
                          "PRODID:-//test//EN\r\n"       /* 3 */
                          "BEGIN:VEVENT\r\n"             /* 4 */
                          "UID:ok1\r\n"                  /* 5 */
                          "DTSTART:20270101T100000Z\r\n" /* 6 */
                          "END:VEVENT\r\n"               /* 7 */
                          "BEGIN:VEVENT\r\n"             /* 8 */
                          "UID:noend\r\n"                /* 9 */
                          "DTSTART:20270101T100000Z\r\n" /* 10 */
                          "BEGIN:VEVENT\r\n"             /* 11 */
                          "DTSTART:20270101T100000Z\r\n" /* 12 */
                          "END:VEVENT\r\n"               /* 13 */
                          "BEGIN:VEVENT\r\n"             /* 14 */
                          "UID:baddate\r\n"              /* 15 */
                          "DTSTART:20270231T100000Z\r\n" /* 16 */
                          "END:VEVENT\r\n"               /* 17 */
                          "BEGIN:VEVENT\r\n"             /* 18 */
                          "UID:ok2\r\n"                  /* 19 */
                          "DTSTART:20270101T100000Z\r\n" /* 20 */
                          "END:VEVENT\r\n"               /* 21 */
                          "BEGIN:VEVENT\r\n"             /* 22 */
                          "UID:cut\r\n"                  /* 23 */
                          "END:VCALENDAR\r\n";           /* 24 */

static void test_split_broken(void **state)
{
	struct sd_arena *a = sd_arena_new();
	struct ics_part *p;
	struct ics_info info;
	struct sd_err err = { 0 };
	size_t n;

	assert_int_equal(ics_split(a, bad, strlen(bad), &p, &n, &err), 0);
	assert_int_equal(n, 6);
	assert_string_equal(p[0].uid, "ok1");
	assert_null(p[0].error);
	assert_string_equal(p[1].uid, "noend");
	assert_string_equal(p[1].error, "line 8: BEGIN:VEVENT has no END:VEVENT");
	assert_null(p[2].uid);
	assert_string_equal(p[2].error, "line 11: VEVENT has no UID");
	assert_string_equal(p[3].uid, "baddate");
	assert_null(p[3].error); /* structure fine; the check finds the date */
	assert_int_not_equal(ics_object_check(p[3].text, p[3].len, ICS_COMP_VEVENT, a, &info, &err),
	                     0);
	assert_non_null(strstr(err.msg, "line "));
	{
		unsigned l = 0;

		assert_int_equal(sscanf(err.msg, "line %u:", &l), 1);
		assert_int_equal(ics_part_line(&p[3], l), 16);
	}
	assert_string_equal(p[4].uid, "ok2");
	assert_null(p[4].error);
	assert_string_equal(p[5].uid, "cut");
	assert_string_equal(p[5].error, "line 22: BEGIN:VEVENT has no END:VEVENT");
	assert_int_equal(ics_split(a, "hello", 5, &p, &n, &err), ICS_EPARSE);
	sd_arena_free(a);
}

/* Many UIDs, interleaved overrides (grouping is by hash, input order kept)
 * and a UID line with parameters. */
static void test_split_many(void **state)
{
	struct sd_arena *a = sd_arena_new();
	struct sd_buf b;
	struct ics_part *p;
	struct sd_err err = { 0 };
	size_t n;
	enum { N = 3000 };

	(void)state;
	sd_buf_init(&b, 0);
	sd_buf_adds(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n");
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < N; i++)
			sd_buf_printf(&b,
			              "BEGIN:VEVENT\r\nUID%s:u%d\r\nDTSTAMP:20260101T000000Z\r\n"
			              "%sDTSTART:20270101T100000Z\r\nEND:VEVENT\r\n",
			              i == 7 ? ";X-A=\"b:c\"" : "", i,
			              pass ? "RECURRENCE-ID:20270102T100000Z\r\n" : "");
	sd_buf_adds(&b, "END:VCALENDAR\r\n");
	assert_int_equal(ics_split(a, b.data, b.len, &p, &n, &err), 0);
	assert_int_equal(n, N);
	for (int i = 0; i < N; i++) {
		char uid[16];

		snprintf(uid, sizeof(uid), "u%d", i);
		assert_string_equal(p[i].uid, uid);
		assert_int_equal(p[i].ncomp, 2);
		assert_null(p[i].error);
		assert_int_equal(p[i].line, 4 + 5 * i);
		assert_true(strstr(p[i].text, "RECURRENCE-ID") > strstr(p[i].text, "UID"));
	}
	sd_buf_free(&b);
	sd_arena_free(a);
}

static void test_merge_round_trip(void **state)
{
	struct sd_arena *a = sd_arena_new();
	struct ics_merge *m = ics_merge_new("-//slotdav//test//EN");
	struct ics_part *p, *q;
	size_t n, nq, len;
	struct sd_err err = { 0 };
	char *text;

	assert_int_equal(ics_split(a, good, strlen(good), &p, &n, &err), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ics_merge_add(m, p[i].text, p[i].len), 0);
	assert_int_equal(ics_merge_add(m, p[0].text, p[0].len), 0); /* zone kept once */
	text = ics_merge_finish(m, a, &len);
	ics_merge_free(m);
	assert_non_null(strstr(text, "TZID:My/Zone"));
	assert_null(strstr(strstr(text, "TZID:My/Zone") + 1, "TZID:My/Zone\r\n"));
	assert_int_equal(ics_split(a, text, len, &q, &nq, &err), 0);
	assert_int_equal(nq, 2);
	for (size_t i = 0; i < nq; i++) {
		assert_string_equal(q[i].uid, p[i].uid);
		assert_null(q[i].error);
	}
	sd_arena_free(a);
}

int test_ics_split_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_good),
		cmocka_unit_test(test_split_broken),
		cmocka_unit_test(test_split_many),
		cmocka_unit_test(test_merge_round_trip),
	};

	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
