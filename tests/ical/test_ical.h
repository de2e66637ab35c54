/* test_ical.h - fixtures shared by the tests of ical/ (test_ical).
 *
 * Every test gets an arena, an error slot and an ics_info; fx_cal() wraps a
 * body in a VCALENDAR with VERSION and PRODID and turns LF into CRLF, so
 * that tests read like the objects they check. Expected instants are
 * written out as numbers, with the arithmetic in a comment; two anchors
 * are used throughout:
 *   2024-01-01T00:00:00Z = 19723 days after 1970-01-01 (54 years, 13 of
 *   them leap) = 1704067200;
 *   2024 is a leap year, its months start on days 0, 31, 60, 91, 121, 152,
 *   182, 213, 244, 274, 305 and 335 of the year.
 */
#ifndef TEST_ICAL_H
#define TEST_ICAL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ics.h"
#include "sd_arena.h"
#include "sd_err.h"

#define ALL_COMPS                                                                    \
	(ICS_COMP_VEVENT | ICS_COMP_VTODO | ICS_COMP_VJOURNAL | ICS_COMP_VFREEBUSY | \
	 ICS_COMP_VAVAILABILITY)

#define DAY   86400
#define HOUR  3600
#define T2024 INT64_C(1704067200) /* 2024-01-01T00:00:00Z */
#define SLACK (14 * HOUR)         /* widening of floating times */

struct fx {
	struct sd_arena *a;
	struct ics_info info;
	struct sd_err err;
};

int fx_setup(void **state);
/* fx_setup for a fixture struct of another size whose first member is its
 * struct sd_arena *: zeroed, with a fresh arena. fx_teardown frees either. */
int fx_setup_sized(void **state, size_t size);
int fx_teardown(void **state);
/* "20060104T000000Z" in Unix seconds; fails the test if malformed. */
int64_t fx_utc(const char *s);

/* ics_object_check(text), every component kind allowed / those of mask. */
int fx_check(struct fx *fx, const char *text);
int fx_check_mask(struct fx *fx, const char *text, unsigned mask);
/* A VCALENDAR (VERSION:2.0, PRODID) around body, every LF made CRLF (arena). */
const char *fx_cal(struct fx *fx, const char *body);
/* text with every LF made CRLF (arena). */
const char *fx_crlf(struct fx *fx, const char *text);
/* Asserts that rc is code and that the message contains needle. */
void fx_assert_fail(struct fx *fx, int rc, int code, const char *needle);
/* Asserts that text passes (printing the message if not), and its range. */
void fx_assert_ok(struct fx *fx, const char *text);
void fx_assert_range(struct fx *fx, int64_t first_start, int64_t last_end);

int test_ics_check_run(const char *name);
int test_ics_clients_run(const char *name);
int test_ics_range_run(const char *name);
int test_ics_thread_run(const char *name);
/* test_ics_tz.c: the process-wide cache of VTIMEZONE zones. */
int test_ics_tz_run(const char *name);
/* test_ics_filter.c: calendar-query filters (RFC 4791 9.7). */
int ics_filter_tests_run(void);
/* test_ics_select.c, test_ics_freebusy.c: calendar-data and free-busy (RFC 4791 9.6, 7.10). */
int ics_select_tests_run(void);
int ics_freebusy_tests_run(void);
/* test_ics_zone.c: the public time-zone API (ics_zone.h). */
int test_ics_zone_run(const char *name);
/* test_ics_edit.c: client edits of a booking's object (ics_edit.h). */
int test_ics_edit_run(const char *name);
/* test_ics_sched.c: scheduling messages (ics_sched.h) and free-busy replies. */
int test_ics_sched_run(const char *name);
/* test_ics_split.c: ics_split and ics_merge (import and export). */
int test_ics_split_run(const char *name);

/* The Europe/Berlin VTIMEZONE Thunderbird writes: this year's changes
 * only (RDATE), offsets with seconds (test_ics_clients.c, test_ics_edit.c). */
#define VTZ_THUNDERBIRD_BERLIN            \
	"BEGIN:VTIMEZONE\n"               \
	"TZID:Europe/Berlin\n"            \
	"X-TZINFO:Europe/Berlin[2024a]\n" \
	"BEGIN:DAYLIGHT\n"                \
	"TZOFFSETTO:+020000\n"            \
	"TZOFFSETFROM:+010000\n"          \
	"TZNAME:CEST\n"                   \
	"DTSTART:20240331T020000\n"       \
	"RDATE:20240331T020000\n"         \
	"END:DAYLIGHT\n"                  \
	"BEGIN:STANDARD\n"                \
	"TZOFFSETTO:+010000\n"            \
	"TZOFFSETFROM:+020000\n"          \
	"TZNAME:CET\n"                    \
	"DTSTART:20241027T030000\n"       \
	"RDATE:20241027T030000\n"         \
	"END:STANDARD\n"                  \
	"END:VTIMEZONE\n"

#endif
