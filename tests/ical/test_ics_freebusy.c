/* test_ics_freebusy.c - free-busy time (RFC 4791 7.10, RFC 7953 4): the
 * example of 7.10.1 over the data of Appendix B, then what counts as busy,
 * how types combine and merge, availability and its priorities, floating
 * times, hostile rules and the accumulator's bound.
 *
 * Periods are checked through ics_fb_periods, written as "TYPE start end"
 * strings (start/end in iCalendar UTC form) so that a failure reads like
 * the calendar; the rendered VFREEBUSY is compared as text, its DTSTAMP
 * (the time of the test) aside. Entry point: ics_freebusy_tests_run().
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "test_ical.h"

#include "ics.h"
#include "ics_freebusy.h"
#include "ics_select.h"
#include "rfc4791_data.h"
#include "sd_arena.h"
#include "sd_err.h"

int ics_freebusy_tests_run(void);

#define CAL(body) \
	"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//slotdav//test//EN\n" body "END:VCALENDAR\n"
#define EV(body) "BEGIN:VEVENT\nUID:e@example.com\nDTSTAMP:20240101T000000Z\n" body "END:VEVENT\n"
/* VAVAILABILITY with extra properties p and AVAILABLE components av. */
#define AVAIL(p, av)                                                              \
	"BEGIN:VAVAILABILITY\nUID:a@example.com\nDTSTAMP:20240101T000000Z\n" p av \
	"END:VAVAILABILITY\n"
#define AVAILABLE(p) \
	"BEGIN:AVAILABLE\nUID:av@example.com\nDTSTAMP:20240101T000000Z\n" p "END:AVAILABLE\n"

#define VTZ_NY                                                                            \
	"BEGIN:VTIMEZONE\nTZID:America/New_York\n"                                        \
	"BEGIN:DAYLIGHT\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0400\nTZNAME:EDT\n"              \
	"DTSTART:20070311T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\nEND:DAYLIGHT\n"  \
	"BEGIN:STANDARD\nTZOFFSETFROM:-0400\nTZOFFSETTO:-0500\nTZNAME:EST\n"              \
	"DTSTART:20071104T020000\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\nEND:STANDARD\n" \
	"END:VTIMEZONE\n"

/* Monday 1 to Monday 8 January 2024, available 9:00-17:00Z on weekdays. */
#define WEEK_AVAIL                                                               \
	CAL(AVAIL("DTSTART:20240101T000000Z\nDTEND:20240108T000000Z\n",          \
	          AVAILABLE("DTSTART:20240101T090000Z\nDTEND:20240101T170000Z\n" \
	                    "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\n")))

struct tfx {
	struct sd_arena *a;
	struct sd_err err;
	struct ics_fb *fb;
};

static int tfx_setup(void **state)
{
	return fx_setup_sized(state, sizeof(struct tfx));
}

static void fb_new(struct tfx *t, const char *start, const char *end)
{
	t->fb = ics_fb_new(t->a, fx_utc(start), fx_utc(end));
	assert_non_null(t->fb);
}

static void add_tz(struct tfx *t, const char *ics, const char *tz)
{
	int rc;

	sd_err_clear(&t->err);
	rc = ics_fb_add(t->fb, ics, strlen(ics), tz, &t->err);
	if (rc != ICS_OK)
		print_error("ics_fb_add: %d %s\n", rc, t->err.msg);
	assert_int_equal(rc, ICS_OK);
}

static void add(struct tfx *t, const char *ics)
{
	add_tz(t, ics, NULL);
}

static const char *type_name(enum ics_fbtype type)
{
	return type == ICS_FB_BUSY             ? "BUSY"
	       : type == ICS_FB_BUSY_TENTATIVE ? "TENTATIVE"
	                                       : "UNAVAILABLE";
}

static void put_utc(char *buf, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y%m%dT%H%M%SZ", &tm);
}

/* The periods as "TYPE start end" lines, one per period (arena). */
static const char *periods(struct tfx *t)
{
	const struct ics_period *p;
	size_t n;
	char *s = "";

	assert_int_equal(ics_fb_periods(t->fb, &p, &n), 0);
	for (size_t i = 0; i < n; i++) {
		char a[32], b[32];

		assert_true(p[i].start < p[i].end);
		if (i)
			assert_true(p[i - 1].end <= p[i].start);
		put_utc(a, sizeof(a), p[i].start);
		put_utc(b, sizeof(b), p[i].end);
		s = sd_arena_printf(t->a, "%s%s %s %s\n", s, type_name(p[i].type), a, b);
	}
	return s;
}

static void assert_periods(struct tfx *t, const char *want)
{
	const char *got = periods(t);

	if (strcmp(got, want) != 0)
		print_error("got:\n%swant:\n%s", got, want);
	assert_string_equal(got, want);
}

/* text with its folding undone (arena). */
static const char *unfold(struct tfx *t, const char *text)
{
	char *out = sd_arena_alloc(t->a, strlen(text) + 1), *o = out;

	for (const char *p = text; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ')
			p += 2;
		else
			*o++ = *p;
	}
	*o = '\0';
	return out;
}

/* ---- RFC 4791 7.10.1 ---- */

static void add_appendix_b(struct tfx *t)
{
	static const char *const data[] = { RFC4791_ABCD1, RFC4791_ABCD2, RFC4791_ABCD3,
		                            RFC4791_ABCD4, RFC4791_ABCD5, RFC4791_ABCD6,
		                            RFC4791_ABCD7, RFC4791_ABCD8 };

	for (size_t i = 0; i < sizeof(data) / sizeof(data[0]); i++)
		add(t, data[i]);
}

/* The free-busy-query of 7.10.1: abcd3 is tentative, abcd2 busy on the 5th
 * and (moved by its override) on the 4th, abcd8 unavailable on the 5th;
 * the to-dos do not count. The RFC's answer, byte for byte but DTSTAMP. */
static void test_rfc_example(void **state)
{
	struct tfx *t = *state;
	const char *text, *stamp;

	fb_new(t, "20060104T140000Z", "20060105T220000Z");
	add_appendix_b(t);
	assert_periods(t, "TENTATIVE 20060104T150000Z 20060104T160000Z\n"
	                  "BUSY 20060104T190000Z 20060104T200000Z\n"
	                  "UNAVAILABLE 20060105T100000Z 20060105T120000Z\n"
	                  "BUSY 20060105T170000Z 20060105T180000Z\n");
	text = ics_fb_render(t->fb, "-//Example Corp.//CalDAV Server//EN");
	stamp = strstr(text, "\r\nDTSTAMP:");
	assert_non_null(stamp);
	assert_int_equal(strspn(stamp + 10, "0123456789T"), 15);
	assert_int_equal(stamp[25], 'Z');
	assert_string_equal(sd_arena_printf(t->a, "%.*s%s", (int)(stamp - text), text, stamp + 26),
	                    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	                    "PRODID:-//Example Corp.//CalDAV Server//EN\r\nBEGIN:VFREEBUSY\r\n"
	                    "DTSTART:20060104T140000Z\r\nDTEND:20060105T220000Z\r\n"
	                    "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20060104T150000Z/PT1H\r\n"
	                    "FREEBUSY:20060104T190000Z/PT1H,20060105T170000Z/PT1H\r\n"
	                    "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20060105T100000Z/PT2H\r\n"
	                    "END:VFREEBUSY\r\nEND:VCALENDAR\r\n");
	/* Over the whole week: every instance of abcd2, abcd1, all of abcd8. */
	fb_new(t, "20060101T000000Z", "20060108T000000Z");
	add_appendix_b(t);
	assert_periods(t, "TENTATIVE 20060102T100000Z 20060102T120000Z\n"
	                  "BUSY 20060102T150000Z 20060102T160000Z\n"
	                  "BUSY 20060102T170000Z 20060102T180000Z\n"
	                  "BUSY 20060103T100000Z 20060103T120000Z\n"
	                  "BUSY 20060103T170000Z 20060103T180000Z\n"
	                  "BUSY 20060104T100000Z 20060104T120000Z\n"
	                  "TENTATIVE 20060104T150000Z 20060104T160000Z\n"
	                  "BUSY 20060104T190000Z 20060104T200000Z\n"
	                  "UNAVAILABLE 20060105T100000Z 20060105T120000Z\n"
	                  "BUSY 20060105T170000Z 20060105T180000Z\n"
	                  "BUSY 20060106T100000Z 20060106T120000Z\n"
	                  "BUSY 20060106T190000Z 20060106T200000Z\n");
}

/* ---- what is busy ---- */

static void test_event_rules(void **state)
{
	struct tfx *t = *state;

	fb_new(t, "20240101T000000Z", "20240110T000000Z");
	add(t, CAL(EV("DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\nTRANSP:TRANSPARENT\n")));
	add(t, CAL(EV("DTSTART:20240102T100000Z\nDTEND:20240102T110000Z\nSTATUS:CANCELLED\n")));
	add(t, CAL(EV("DTSTART:20240103T100000Z\nDTEND:20240103T110000Z\nSTATUS:TENTATIVE\n")));
	add(t, CAL(EV("DTSTART:20240104T100000Z\nDTEND:20240104T110000Z\nSTATUS:CONFIRMED\n"
	              "TRANSP:OPAQUE\n")));
	add(t, CAL(EV("DTSTART:20240105T100000Z\n")));                /* no length */
	add(t, CAL(EV("DTSTART:20240105T120000Z\nDURATION:PT0S\n"))); /* no length */
	add(t, CAL("BEGIN:VTODO\nUID:t\nDTSTART:20240106T100000Z\nDUE:20240106T110000Z\n"
	           "END:VTODO\n"));
	assert_periods(t, "TENTATIVE 20240103T100000Z 20240103T110000Z\n"
	                  "BUSY 20240104T100000Z 20240104T110000Z\n");
}

/* A series, EXDATE and RDATE, an override that cancels one instance and
 * one that moves another, clipped to the range. */
static void test_series(void **state)
{
	struct tfx *t = *state;

	fb_new(t, "20240101T103000Z", "20240106T000000Z");
	add(t, CAL(EV("DTSTART:20240101T100000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=5\n"
	              "EXDATE:20240103T100000Z\nRDATE:20240105T200000Z\n")
	               EV("RECURRENCE-ID:20240102T100000Z\nDTSTART:20240102T100000Z\n"
	                  "DURATION:PT1H\nSTATUS:CANCELLED\n")
	                   EV("RECURRENCE-ID:20240104T100000Z\nDTSTART:20240104T140000Z\n"
	                      "DURATION:PT2H\nSTATUS:TENTATIVE\n")));
	assert_periods(t, "BUSY 20240101T103000Z 20240101T110000Z\n"
	                  "TENTATIVE 20240104T140000Z 20240104T160000Z\n"
	                  "BUSY 20240105T100000Z 20240105T110000Z\n"
	                  "BUSY 20240105T200000Z 20240105T210000Z\n");
}

/* Floating times and dates in the calendar's zone, or UTC. */
static void test_floating(void **state)
{
	struct tfx *t = *state;
	const char *ev =
	    CAL(EV("DTSTART:20240105T090000\nDURATION:PT1H\n") EV("DTSTART;VALUE=DATE:20240107\n"));

	fb_new(t, "20240101T000000Z", "20240110T000000Z");
	add_tz(t, ev, CAL(VTZ_NY));
	assert_periods(t, "BUSY 20240105T140000Z 20240105T150000Z\n"
	                  "BUSY 20240107T050000Z 20240108T050000Z\n");
	fb_new(t, "20240101T000000Z", "20240110T000000Z");
	add(t, ev);
	assert_periods(t, "BUSY 20240105T090000Z 20240105T100000Z\n"
	                  "BUSY 20240107T000000Z 20240108T000000Z\n");
}

/* VFREEBUSY periods: their FBTYPE, FREE skipped, unknown types busy. */
static void test_vfreebusy(void **state)
{
	struct tfx *t = *state;

	fb_new(t, "20240101T000000Z", "20240102T000000Z");
	add(t, CAL("BEGIN:VFREEBUSY\nUID:f\nDTSTAMP:20240101T000000Z\n"
	           "FREEBUSY;FBTYPE=FREE:20240101T000000Z/PT24H\n"
	           "FREEBUSY:20240101T010000Z/PT1H,20240101T030000Z/20240101T040000Z\n"
	           "FREEBUSY;FBTYPE=X-OUT-OF-OFFICE:20240101T050000Z/PT30M\n"
	           "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20240101T060000Z/PT1H\n"
	           "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20231231T230000Z/PT2H\n"
	           "END:VFREEBUSY\n"));
	assert_periods(t, "UNAVAILABLE 20240101T000000Z 20240101T010000Z\n"
	                  "BUSY 20240101T010000Z 20240101T020000Z\n"
	                  "BUSY 20240101T030000Z 20240101T040000Z\n"
	                  "BUSY 20240101T050000Z 20240101T053000Z\n"
	                  "TENTATIVE 20240101T060000Z 20240101T070000Z\n");
}

/* ---- combining ---- */

/* One type: overlapping and adjacent periods merge. Several: each instant
 * under the strongest, BUSY > BUSY-UNAVAILABLE > BUSY-TENTATIVE. */
static void test_merging(void **state)
{
	struct tfx *t = *state;
	const char *text;

	fb_new(t, "20240101T000000Z", "20240102T000000Z");
	add(t, CAL(EV("DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\n")));
	add(t, CAL(EV("DTSTART:20240101T110000Z\nDTEND:20240101T113000Z\n")));
	add(t, CAL(EV("DTSTART:20240101T104500Z\nDTEND:20240101T120000Z\n")));
	add(t, CAL(EV("DTSTART:20240101T113000Z\nDTEND:20240101T130000Z\nSTATUS:TENTATIVE\n")));
	add(t, CAL("BEGIN:VFREEBUSY\nUID:f\n"
	           "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20240101T090000Z/20240101T103000Z\n"
	           "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20240101T124500Z/20240101T140000Z\n"
	           "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20240101T080000Z/20240101T093000Z\n"
	           "END:VFREEBUSY\n"));
	assert_periods(t, "TENTATIVE 20240101T080000Z 20240101T090000Z\n"
	                  "UNAVAILABLE 20240101T090000Z 20240101T100000Z\n"
	                  "BUSY 20240101T100000Z 20240101T120000Z\n"
	                  "TENTATIVE 20240101T120000Z 20240101T124500Z\n"
	                  "UNAVAILABLE 20240101T124500Z 20240101T140000Z\n");
	text = unfold(t, ics_fb_render(t->fb, "x"));
	assert_non_null(strstr(text, "\r\nFREEBUSY;FBTYPE=BUSY-TENTATIVE:20240101T080000Z/PT1H,"
	                             "20240101T120000Z/PT45M\r\n"));
	assert_non_null(strstr(text, "\r\nFREEBUSY:20240101T100000Z/PT2H\r\n"));
	assert_non_null(strstr(text, "\r\nFREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20240101T090000Z/PT1H,"
	                             "20240101T124500Z/PT1H15M\r\n"));
}

/* Exact durations as RFC 5545 3.3.6 spells them; long lines folded. */
static void test_render(void **state)
{
	struct tfx *t = *state;
	const char *text;

	fb_new(t, "20240101T000000Z", "20240201T000000Z");
	add(t,
	    CAL(EV("DTSTART:20240101T100000Z\nDURATION:PT1H0M30S\n") EV(
	        "DTSTART:20240102T100000Z\nDURATION:PT45S\n")
	            EV("DTSTART:20240103T100000Z\nDURATION:P2D\n") EV(
	                "DTSTART:20240110T100000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=10\n")));
	text = ics_fb_render(t->fb, "-//slotdav//test//EN");
	/* 75 octets end just after the third start. */
	assert_non_null(strstr(text, "\r\nFREEBUSY:20240101T100000Z/PT1H0M30S,"
	                             "20240102T100000Z/PT45S,20240103T100000Z\r\n /PT48H,"));
	for (const char *p = text; *p;) {
		const char *e = strstr(p, "\r\n");

		assert_non_null(e);
		assert_true(e - p <= 75);
		p = e + 2;
	}
	fb_new(t, "20240101T000000Z", "20240201T000000Z");
	text = ics_fb_render(t->fb, "-//slotdav//test//EN");
	assert_null(strstr(text, "FREEBUSY:"));
	assert_null(strstr(text, "FREEBUSY;"));
	assert_non_null(strstr(text, "\r\nDTEND:20240201T000000Z\r\nEND:VFREEBUSY\r\n"));
}

/* ---- availability (RFC 7953) ---- */

/* Outside the AVAILABLE slots and inside the span: unavailable; events
 * overlay it (busy wins, tentative does not). */
static void test_availability(void **state)
{
	struct tfx *t = *state;

	fb_new(t, "20231231T000000Z", "20240109T000000Z");
	add(t, WEEK_AVAIL);
	assert_periods(t, "UNAVAILABLE 20240101T000000Z 20240101T090000Z\n"
	                  "UNAVAILABLE 20240101T170000Z 20240102T090000Z\n"
	                  "UNAVAILABLE 20240102T170000Z 20240103T090000Z\n"
	                  "UNAVAILABLE 20240103T170000Z 20240104T090000Z\n"
	                  "UNAVAILABLE 20240104T170000Z 20240105T090000Z\n"
	                  "UNAVAILABLE 20240105T170000Z 20240108T000000Z\n");
	add(t, CAL(EV("DTSTART:20240102T100000Z\nDURATION:PT1H\n")
	               EV("DTSTART:20240106T100000Z\nDURATION:PT1H\n")
	                   EV("DTSTART:20240107T100000Z\nDURATION:PT1H\nSTATUS:TENTATIVE\n")
	                       EV("DTSTART:20240108T100000Z\nDURATION:PT1H\nSTATUS:TENTATIVE\n")));
	assert_periods(t, "UNAVAILABLE 20240101T000000Z 20240101T090000Z\n"
	                  "UNAVAILABLE 20240101T170000Z 20240102T090000Z\n"
	                  "BUSY 20240102T100000Z 20240102T110000Z\n"
	                  "UNAVAILABLE 20240102T170000Z 20240103T090000Z\n"
	                  "UNAVAILABLE 20240103T170000Z 20240104T090000Z\n"
	                  "UNAVAILABLE 20240104T170000Z 20240105T090000Z\n"
	                  "UNAVAILABLE 20240105T170000Z 20240106T100000Z\n"
	                  "BUSY 20240106T100000Z 20240106T110000Z\n"
	                  "UNAVAILABLE 20240106T110000Z 20240108T000000Z\n"
	                  "TENTATIVE 20240108T100000Z 20240108T110000Z\n");
}

/* RFC 7953's own example: weekdays 9:00-17:00 in a zone, no span (all
 * time), overridden once by RECURRENCE-ID; BUSYTYPE and DURATION. */
static void test_availability_forms(void **state)
{
	struct tfx *t = *state;

	fb_new(t, "20240105T000000Z", "20240109T000000Z");
	add(t, CAL(VTZ_NY AVAIL(
	           "", AVAILABLE("DTSTART;TZID=America/New_York:20111002T090000\n"
	                         "DTEND;TZID=America/New_York:20111002T170000\n"
	                         "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\n")
	                   AVAILABLE("RECURRENCE-ID;TZID=America/New_York:20240108T090000\n"
	                             "DTSTART;TZID=America/New_York:20240108T120000\n"
	                             "DTEND;TZID=America/New_York:20240108T130000\n"))));
	assert_periods(t, "UNAVAILABLE 20240105T000000Z 20240105T140000Z\n"
	                  "UNAVAILABLE 20240105T220000Z 20240108T170000Z\n"
	                  "UNAVAILABLE 20240108T180000Z 20240109T000000Z\n");
	fb_new(t, "20240101T000000Z", "20240102T000000Z");
	add(t, CAL(AVAIL("DTSTART:20240101T060000Z\nDURATION:PT12H\nBUSYTYPE:BUSY-TENTATIVE\n",
	                 AVAILABLE("DTSTART:20240101T080000Z\nDURATION:PT2H\n"))));
	assert_periods(t, "TENTATIVE 20240101T060000Z 20240101T080000Z\n"
	                  "TENTATIVE 20240101T100000Z 20240101T180000Z\n");
}

/* PRIORITY layers: 1 beats 9 beats none; one layer of equal priority is
 * free where any of its AVAILABLEs is. */
static void test_availability_priority(void **state)
{
	struct tfx *t = *state;

	fb_new(t, "20240101T000000Z", "20240108T000000Z");
	add(t, WEEK_AVAIL); /* no PRIORITY: the lowest */
	/* Wednesday off (PRIORITY 9), yet Wednesday 14-15 on (PRIORITY 1). */
	add(t, CAL(AVAIL("DTSTART:20240103T000000Z\nDTEND:20240104T000000Z\nPRIORITY:9\n", "")));
	add(t, CAL(AVAIL("DTSTART:20240103T120000Z\nDTEND:20240103T160000Z\nPRIORITY:1\n"
	                 "BUSYTYPE:BUSY\n",
	                 AVAILABLE("DTSTART:20240103T140000Z\nDTEND:20240103T150000Z\n"))));
	/* Saturday: two layers of PRIORITY 5, available 9-12 and 11-15. */
	add(t, CAL(AVAIL("DTSTART:20240106T000000Z\nDTEND:20240107T000000Z\nPRIORITY:5\n",
	                 AVAILABLE("DTSTART:20240106T090000Z\nDTEND:20240106T120000Z\n"))));
	add(t, CAL(AVAIL("DTSTART:20240106T080000Z\nDTEND:20240106T200000Z\nPRIORITY:5\n",
	                 AVAILABLE("DTSTART:20240106T110000Z\nDTEND:20240106T150000Z\n"))));
	assert_periods(t, "UNAVAILABLE 20240101T000000Z 20240101T090000Z\n"
	                  "UNAVAILABLE 20240101T170000Z 20240102T090000Z\n"
	                  "UNAVAILABLE 20240102T170000Z 20240103T120000Z\n"
	                  "BUSY 20240103T120000Z 20240103T140000Z\n"
	                  "BUSY 20240103T150000Z 20240103T160000Z\n"
	                  "UNAVAILABLE 20240103T160000Z 20240104T090000Z\n"
	                  "UNAVAILABLE 20240104T170000Z 20240105T090000Z\n"
	                  "UNAVAILABLE 20240105T170000Z 20240106T090000Z\n"
	                  "UNAVAILABLE 20240106T150000Z 20240108T000000Z\n");
}

/* ---- bounds ---- */

/* A rule that cannot be walked within the budget: busy from its start to
 * the end of the range (that cap is the bound; ctest's timeout catches a
 * runaway, and bench/ics_bench measures the time). */
static void test_hostile(void **state)
{
	struct tfx *t = *state;

	fb_new(t, "20240101T000000Z", "20240108T000000Z");
	add(t,
	    CAL(EV("DTSTART:20240102T000000Z\nDURATION:PT1S\nRRULE:FREQ=SECONDLY;INTERVAL=2\n")));
	assert_periods(t, "BUSY 20240102T000000Z 20240108T000000Z\n");
	fb_new(t, "20240101T000000Z", "20240108T000000Z");
	add(t, CAL(EV("DTSTART:20240102T000000Z\nDURATION:PT1H\n"
	              "RRULE:FREQ=SECONDLY;BYMONTH=1;BYHOUR=5\n")));
	assert_periods(t, "BUSY 20240102T000000Z 20240108T000000Z\n");
	/* Within the budget: every instance. */
	fb_new(t, "20240101T000000Z", "20240101T010000Z");
	add(t,
	    CAL(EV("DTSTART:20240101T000000Z\nDURATION:PT1S\nRRULE:FREQ=SECONDLY;INTERVAL=2\n")));
	assert_int_equal(strlen(periods(t)),
	                 1800 * strlen("BUSY 20240101T000000Z 20240101T000001Z\n"));
}

/* Whether fb's periods are want[0..nwant), without cmocka (threads). */
static int same_periods(struct ics_fb *fb, const struct ics_period *want, size_t nwant)
{
	const struct ics_period *p;
	size_t n;

	ics_fb_periods(fb, &p, &n);
	for (size_t i = 0; n == nwant && i < n; i++)
		if (p[i].start != want[i].start || p[i].end != want[i].end ||
		    p[i].type != want[i].type)
			return 0;
	return n == nwant;
}

struct job {
	const struct ics_period *want;
	size_t n;
	int64_t start, end;
	int failures;
};

/* Threads summing up the same objects in accumulators of their own agree
 * (a zone of the system database among them). */
static void *thread_main(void *arg)
{
	struct job *j = arg;
	const char *ev = CAL(EV("DTSTART;TZID=Europe/Paris:20240102T100000\nDURATION:PT1H\n"));

	for (int round = 0; round < 20; round++) {
		struct sd_arena *a = sd_arena_new();
		struct ics_fb *fb = ics_fb_new(a, j->start, j->end);

		j->failures += ics_fb_add(fb, WEEK_AVAIL, strlen(WEEK_AVAIL), NULL, NULL) != 0;
		j->failures += ics_fb_add(fb, ev, strlen(ev), CAL(VTZ_NY), NULL) != 0;
		j->failures += !same_periods(fb, j->want, j->n);
		sd_arena_free(a);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct tfx *t = *state;
	struct job jobs[8];
	pthread_t th[8];
	const struct ics_period *want;
	size_t n;

	fb_new(t, "20231231T000000Z", "20240109T000000Z");
	add(t, WEEK_AVAIL);
	add(t, CAL(EV("DTSTART;TZID=Europe/Paris:20240102T100000\nDURATION:PT1H\n")));
	assert_non_null(strstr(periods(t), "BUSY 20240102T090000Z 20240102T100000Z\n"));
	ics_fb_periods(t->fb, &want, &n);
	for (int i = 0; i < 8; i++) {
		jobs[i] = (struct job){ .want = want,
			                .n = n,
			                .start = fx_utc("20231231T000000Z"),
			                .end = fx_utc("20240109T000000Z") };
		assert_int_equal(pthread_create(&th[i], NULL, thread_main, &jobs[i]), 0);
	}
	for (int i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 8; i++)
		assert_int_equal(jobs[i].failures, 0);
}

static void test_parse_errors(void **state)
{
	struct tfx *t = *state;

	fb_new(t, "20240101T000000Z", "20240102T000000Z");
	add(t, CAL(EV("DTSTART:20240101T100000Z\nDURATION:PT1H\n")));
	assert_int_equal(ics_fb_add(t->fb, "garbage", 7, NULL, &t->err), ICS_EPARSE);
	assert_true(t->err.msg[0] != '\0');
	assert_int_equal(ics_fb_add(t->fb, NULL, 0, NULL, &t->err), ICS_EPARSE);
	assert_periods(t, "BUSY 20240101T100000Z 20240101T110000Z\n");
}

/* The accumulator merges as it fills (three copies of one object take the
 * room of one) and refuses, unchanged, what would pass ICS_FB_MAX_ITEMS
 * (262144). An object: 43200 one-second periods, every minute for 30 days,
 * starting at second 2k of the first minute. */
static const char *every_minute(struct tfx *t, int k)
{
	return sd_arena_printf(t->a,
	                       CAL(EV("DTSTART:20240101T0000%02dZ\nDURATION:PT1S\n"
	                              "RRULE:FREQ=MINUTELY\n")),
	                       2 * k);
}

static void test_bound(void **state)
{
	struct tfx *t = *state;
	const struct ics_period *p;
	const char *seventh;
	size_t n;

	fb_new(t, "20240101T000000Z", "20240131T000000Z");
	for (int k = -2; k < 6; k++) /* k = -2, -1: copies of k = 0 */
		add(t, every_minute(t, k > 0 ? k : 0));
	seventh = every_minute(t, 6);
	assert_int_equal(ics_fb_add(t->fb, seventh, strlen(seventh), NULL, &t->err), ICS_ETOOMANY);
	assert_non_null(strstr(t->err.msg, "busy periods"));
	ics_fb_periods(t->fb, &p, &n);
	assert_int_equal(n, 6 * 43200);
	assert_true(p[0].start == fx_utc("20240101T000000Z") && p[0].end == p[0].start + 1);
	assert_true(p[5].start == fx_utc("20240101T000010Z") &&
	            p[6].start == fx_utc("20240101T000100Z"));
	/* The first minute, now busy, takes in its 6 periods and the next. */
	add(t, CAL(EV("DTSTART:20240101T000000Z\nDURATION:PT1M\n")));
	ics_fb_periods(t->fb, &p, &n);
	assert_int_equal(n, 6 * 43200 - 6);
	assert_true(p[0].start == fx_utc("20240101T000000Z") &&
	            p[0].end == fx_utc("20240101T000101Z"));
}

/* A whole feed (ics_fb_add_calendar): many UIDs, a series with an EXDATE
 * and an override elsewhere in the file, TRANSP and STATUS, a VFREEBUSY,
 * and a broken component that is skipped without failing the rest. */
static void test_calendar(void **state)
{
	struct tfx *t = *state;
	static const char feed[] =
	    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//feed//EN\n"
	    "BEGIN:VEVENT\nUID:r\nDTSTAMP:20240101T000000Z\nDTSTART:20240101T090000Z\n"
	    "DTEND:20240101T100000Z\nRRULE:FREQ=DAILY;COUNT=4\nEXDATE:20240102T090000Z\nEND:"
	    "VEVENT\n"
	    "BEGIN:VEVENT\nUID:t\nDTSTAMP:20240101T000000Z\nDTSTART:20240101T120000Z\n"
	    "DTEND:20240101T130000Z\nTRANSP:TRANSPARENT\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:c\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T120000Z\n"
	    "DTEND:20240102T130000Z\nSTATUS:CANCELLED\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:tt\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T150000Z\n"
	    "DTEND:20240102T160000Z\nSTATUS:TENTATIVE\nEND:VEVENT\n"
	    "BEGIN:VFREEBUSY\nUID:fb\nDTSTAMP:20240101T000000Z\n"
	    "FREEBUSY:20240102T060000Z/20240102T070000Z\nEND:VFREEBUSY\n"
	    "BEGIN:VEVENT\nUID:broken\nDTSTAMP:20240101T000000Z\nDTSTART:"
	    "20240104T200000Z\nDURATION:PT1H\n"
	    "END:VTODO\nEND:VEVENT\nBEGIN:VTODO\nUID:x\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:r\nDTSTAMP:20240101T000000Z\nRECURRENCE-ID:20240103T090000Z\n"
	    "DTSTART:20240103T130000Z\nDTEND:20240103T140000Z\nEND:VEVENT\n"
	    "END:VCALENDAR\n";
	size_t skipped = 99;

	fb_new(t, "20240101T000000Z", "20240105T000000Z");
	assert_int_equal(ics_fb_add_calendar(t->fb, feed, strlen(feed), NULL, &skipped, &t->err),
	                 0);
	assert_true(skipped >= 1);
	assert_periods(t, "BUSY 20240101T090000Z 20240101T100000Z\n"
	                  "BUSY 20240102T060000Z 20240102T070000Z\n"
	                  "TENTATIVE 20240102T150000Z 20240102T160000Z\n"
	                  "BUSY 20240103T130000Z 20240103T140000Z\n"
	                  "BUSY 20240104T090000Z 20240104T100000Z\n");
	assert_int_equal(ics_fb_add_calendar(t->fb, "<html></html>", 13, NULL, NULL, &t->err),
	                 ICS_EPARSE);
	assert_int_equal(ics_fb_add_calendar(t->fb, NULL, 0, NULL, NULL, &t->err), ICS_EPARSE);
}

int ics_freebusy_tests_run(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, tfx_setup, fx_teardown)
		T(test_rfc_example),
		T(test_event_rules),
		T(test_series),
		T(test_floating),
		T(test_vfreebusy),
		T(test_merging),
		T(test_render),
		T(test_availability),
		T(test_availability_forms),
		T(test_availability_priority),
		T(test_hostile),
		T(test_threads),
		T(test_parse_errors),
		T(test_bound),
		T(test_calendar),
#undef T
	};

	return cmocka_run_group_tests_name("ical: free-busy", tests, NULL, NULL);
}
