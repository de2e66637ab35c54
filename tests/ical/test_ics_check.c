/* test_ics_check.c - what ics_object_check and ics_timezone_check refuse,
 * with which code and message, and what they must let through.
 *
 * Objects made with fx_cal() start with three lines (BEGIN:VCALENDAR,
 * VERSION, PRODID), so the body's first line is line 4.
 */
#include <stdlib.h>

#include "ics_int.h"
#include "test_ical.h"

#define EVENT_HEAD "BEGIN:VEVENT\nUID:e1@example.com\nDTSTAMP:20240101T000000Z\n"

/* ---- bytes and lines ---- */

static void test_empty_and_nul(void **state)
{
	struct fx *fx = *state;
	static const char with_nul[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\0\r\nEND:VCALENDAR\r\n";
	int rc;

	rc = ics_object_check("", 0, ALL_COMPS, fx->a, &fx->info, &fx->err);
	fx_assert_fail(fx, rc, ICS_EPARSE, "empty");
	rc =
	    ics_object_check(with_nul, sizeof(with_nul) - 1, ALL_COMPS, fx->a, &fx->info, &fx->err);
	fx_assert_fail(fx, rc, ICS_EPARSE, "NUL byte");
	fx_assert_fail(fx, fx_check(fx, "\r\n\r\n"), ICS_EPARSE, "only blank lines");
}

static void test_garbage(void **state)
{
	struct fx *fx = *state;

	fx_assert_fail(fx, fx_check(fx, "hello world\n"), ICS_EPARSE,
	               "line 1: expected NAME:VALUE");
	fx_assert_fail(fx, fx_check(fx, "<html><body>404</body></html>"), ICS_EPARSE, "line 1:");
	fx_assert_fail(fx, fx_check(fx, "BEGIN:VEVENT\r\nEND:VEVENT\r\n"), ICS_EPARSE,
	               "line 1: the data must start with BEGIN:VCALENDAR");
	fx_assert_fail(fx, fx_check(fx, "BEGIN:VCALENDAR\r\nEND:VTODO\r\n"), ICS_EPARSE,
	               "line 2: END:VTODO does not match BEGIN:VCALENDAR on line 1");
	fx_assert_fail(fx,
	               fx_check(fx, "\xff\xfe"
	                            "B\0E"),
	               ICS_EPARSE, "line 1: not UTF-8");
}

static void test_truncated(void **state)
{
	struct fx *fx = *state;
	const char *full = fx_cal(fx, EVENT_HEAD "DTSTART:20240101T100000Z\nEND:VEVENT\n");
	/* Cut just before "END:VEVENT": the VEVENT opened on line 4 is open. */
	size_t cut = (size_t)(strstr(full, "END:VEVENT") - full);

	fx_assert_fail(fx, ics_object_check(full, cut, ALL_COMPS, fx->a, &fx->info, &fx->err),
	               ICS_EPARSE, "line 4: BEGIN:VEVENT is never closed");
	cut = (size_t)(strstr(full, "END:VCALENDAR") - full);
	fx_assert_fail(fx, ics_object_check(full, cut, ALL_COMPS, fx->a, &fx->info, &fx->err),
	               ICS_EPARSE, "line 1: BEGIN:VCALENDAR is never closed");
}

static void test_two_calendars(void **state)
{
	struct fx *fx = *state;
	const char *one = fx_cal(fx, EVENT_HEAD "DTSTART:20240101T100000Z\nEND:VEVENT\n");
	const char *two = sd_arena_printf(fx->a, "%s%s", one, one);

	/* The first calendar has 9 lines; the second starts on line 10. */
	fx_assert_fail(fx, fx_check(fx, two), ICS_EPARSE, "line 10: data after END:VCALENDAR");
}

static void test_bad_lines_are_located(void **state)
{
	struct fx *fx = *state;

	/* Line 4 BEGIN:VEVENT, 5 UID, 6 DTSTAMP, 7 the bad one. */
	fx_assert_fail(fx, fx_check(fx, fx_cal(fx, EVENT_HEAD "FOO BAR\nEND:VEVENT\n")), ICS_EPARSE,
	               "line 7: expected NAME:VALUE");
	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, EVENT_HEAD "SUMMARY;X-A=\"open:x\nEND:VEVENT\n")),
	               ICS_EPARSE, "line 7: a quoted parameter value is not closed");
	/* A folded line counts from its first physical line: DESCRIPTION on
	 * 7-8, DTSTART 9, RRULE 10. */
	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, EVENT_HEAD "DESCRIPTION:a long\n  text\n"
	                                                  "DTSTART:20240101T100000Z\n"
	                                                  "RRULE:FREQ=FORTNIGHTLY\nEND:VEVENT\n")),
	               ICS_EPARSE, "line 10: Can't parse as RECUR value in RRULE property");
	fx_assert_fail(fx, fx_check(fx, " folded\r\n"), ICS_EPARSE, "line 1: a folded");
}

static void test_libical_value_errors(void **state)
{
	struct fx *fx = *state;

	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, EVENT_HEAD "DTSTART:20240101T100000Z\n"
	                                                  "DURATION:PT1X\nEND:VEVENT\n")),
	               ICS_EPARSE,
	               "line 8: Can't parse as DURATION value in DURATION property: PT1X");
	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, EVENT_HEAD "DTSTART:20240101T100000Z\n"
	                                                  "DTEND:\nEND:VEVENT\n")),
	               ICS_EPARSE, "No value for DTEND property");
	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, EVENT_HEAD "DTSTART;FOO:20240101T100000Z\n"
	                                                  "END:VEVENT\n")),
	               ICS_EPARSE, "parameter name");
}

static void test_impossible_dates(void **state)
{
	struct fx *fx = *state;

	/* libical reads both as they stand. */
	fx_assert_fail(
	    fx, fx_check(fx, fx_cal(fx, EVENT_HEAD "DTSTART:20230229T100000Z\nEND:VEVENT\n")),
	    ICS_EPARSE, "line 7: DTSTART has an impossible date or time (2023-02-29");
	fx_assert_fail(
	    fx, fx_check(fx, fx_cal(fx, EVENT_HEAD "DTSTART:20240101T250000Z\nEND:VEVENT\n")),
	    ICS_EPARSE, "impossible date or time (2024-01-01 25:00:00)");
	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, EVENT_HEAD "DTSTART:20240101T100000Z\n"
	                                                  "RRULE:FREQ=DAILY;UNTIL=20241345\n"
	                                                  "END:VEVENT\n")),
	               ICS_EPARSE, "line 8: RRULE has an impossible date");
}

/* ---- the calendar ---- */

static void test_version_and_prodid(void **state)
{
	struct fx *fx = *state;
	static const char no_version[] = "BEGIN:VCALENDAR\r\nPRODID:x\r\nBEGIN:VEVENT\r\n"
	                                 "UID:1\r\nDTSTART:20240101T100000Z\r\nEND:VEVENT\r\n"
	                                 "END:VCALENDAR\r\n";
	static const char no_prodid[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"
	                                "UID:1\r\nDTSTART:20240101T100000Z\r\nEND:VEVENT\r\n"
	                                "END:VCALENDAR\r\n";
	static const char v1[] = "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nPRODID:x\r\n"
	                         "BEGIN:VEVENT\r\nUID:1\r\nDTSTART:20240101T100000Z\r\n"
	                         "END:VEVENT\r\nEND:VCALENDAR\r\n";

	fx_assert_fail(fx, fx_check(fx, no_version), ICS_EPARSE, "no VERSION:2.0");
	fx_assert_fail(fx, fx_check(fx, no_prodid), ICS_EPARSE, "no PRODID");
	fx_assert_fail(fx, fx_check(fx, v1), ICS_EPARSE, "line 2: VERSION is 1.0");
}

static void test_method_refused(void **state)
{
	struct fx *fx = *state;
	const char *text =
	    fx_cal(fx, "METHOD:REQUEST\n" EVENT_HEAD "DTSTART:20240101T100000Z\nEND:VEVENT\n");

	fx_assert_fail(fx, fx_check(fx, text), ICS_EOBJECT, "line 4: METHOD is not allowed");
}

static void test_members(void **state)
{
	struct fx *fx = *state;

	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, EVENT_HEAD "DTSTART:20240101T100000Z\nEND:VEVENT\n"
	                                                  "BEGIN:VTODO\nUID:e1@example.com\n"
	                                                  "END:VTODO\n")),
	               ICS_EOBJECT, "line 9: the object mixes VEVENT and VTODO");
	fx_assert_fail(
	    fx,
	    fx_check(fx, fx_cal(fx, EVENT_HEAD "DTSTART:20240101T100000Z\nEND:VEVENT\n"
	                                       "BEGIN:VEVENT\nUID:other@example.com\n"
	                                       "RECURRENCE-ID:20240102T100000Z\n"
	                                       "DTSTART:20240102T110000Z\nEND:VEVENT\n")),
	    ICS_EOBJECT,
	    "line 10: UID 'other@example.com' differs from the first component's "
	    "'e1@example.com'");
	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, "BEGIN:VEVENT\nDTSTART:20240101T100000Z\n"
	                                       "END:VEVENT\n")),
	               ICS_EOBJECT, "line 4: VEVENT has no UID");
	fx_assert_fail(
	    fx,
	    fx_check(fx, fx_cal(fx, EVENT_HEAD "DTSTART:20240101T100000Z\nEND:VEVENT\n" EVENT_HEAD
	                                       "DTSTART:20240201T100000Z\n"
	                                       "END:VEVENT\n")),
	    ICS_EOBJECT, "line 9: a second VEVENT without RECURRENCE-ID");
	fx_assert_fail(
	    fx,
	    fx_check(fx, fx_cal(fx, EVENT_HEAD "RECURRENCE-ID:20240102T100000Z\n"
	                                       "DTSTART:20240102T110000Z\nEND:VEVENT\n" EVENT_HEAD
	                                       "RECURRENCE-ID:20240102T100000Z\n"
	                                       "DTSTART:20240102T120000Z\n"
	                                       "END:VEVENT\n")),
	    ICS_EOBJECT, "line 10: two VEVENTs override the same instance");
	fx_assert_fail(fx, fx_check(fx, fx_cal(fx, "")), ICS_EOBJECT, "the calendar has no VEVENT");
}

static void test_components_not_allowed(void **state)
{
	struct fx *fx = *state;
	const char *todo = fx_cal(fx, "BEGIN:VTODO\nUID:t1\nEND:VTODO\n");

	fx_assert_fail(fx, fx_check_mask(fx, todo, ICS_COMP_VEVENT), ICS_ECOMPONENT,
	               "line 4: this calendar does not accept VTODO components");
	assert_int_equal(fx_check_mask(fx, todo, ICS_COMP_VTODO), ICS_OK);
	fx_assert_fail(fx, fx_check(fx, fx_cal(fx, "BEGIN:VPOLL\nUID:p1\nEND:VPOLL\n")),
	               ICS_ECOMPONENT, "line 4: VPOLL is not a calendar component");
	fx_assert_fail(fx, fx_check(fx, fx_cal(fx, "BEGIN:X-THING\nUID:p1\nEND:X-THING\n")),
	               ICS_ECOMPONENT, "X-THING is not a calendar component");
}

/* ---- times ---- */

static void test_event_times(void **state)
{
	struct fx *fx = *state;

	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, EVENT_HEAD "DTSTART:20240101T100000Z\n"
	                                                  "DTEND:20240101T090000Z\nEND:VEVENT\n")),
	               ICS_EPARSE, "line 8: DTEND is before DTSTART");
	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, EVENT_HEAD "DTSTART:20240101T100000Z\n"
	                                                  "DTEND:20240101T110000Z\nDURATION:PT1H\n"
	                                                  "END:VEVENT\n")),
	               ICS_EPARSE, "line 9: VEVENT has both DTEND and DURATION");
	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, EVENT_HEAD "DTSTART;VALUE=DATE:20240101\n"
	                                                  "DTEND:20240102T000000Z\nEND:VEVENT\n")),
	               ICS_EPARSE, "DTSTART and DTEND must both be dates or both date-times");
	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, EVENT_HEAD "DTSTART:20240101T100000Z\n"
	                                                  "DURATION:-PT1H\nEND:VEVENT\n")),
	               ICS_EPARSE, "line 8: DURATION must not be negative");
	fx_assert_fail(fx, fx_check(fx, fx_cal(fx, EVENT_HEAD "SUMMARY:x\nEND:VEVENT\n")),
	               ICS_EPARSE, "line 4: VEVENT has no DTSTART");
	fx_assert_fail(
	    fx,
	    fx_check(fx, fx_cal(fx, EVENT_HEAD "DTSTART:20240101T100000Z\n"
	                                       "DTSTART:20240101T110000Z\nEND:VEVENT\n")),
	    ICS_EPARSE, "line 8: VEVENT has more than one DTSTART");
	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, "BEGIN:VTODO\nUID:t\nDTSTART:20240102T100000Z\n"
	                                       "DUE:20240101T100000Z\nEND:VTODO\n")),
	               ICS_EPARSE, "line 7: DUE is before DTSTART");
	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, "BEGIN:VTODO\nUID:t\nDURATION:PT1H\nEND:VTODO\n")),
	               ICS_EPARSE, "line 6: DURATION needs a DTSTART");
}

static void test_rrule_must_nots(void **state)
{
	struct fx *fx = *state;
	static const char *const rules[][2] = {
		{ "FREQ=DAILY;BYDAY=1MO", "BYDAY with a number" },
		{ "FREQ=MONTHLY;BYWEEKNO=3", "BYWEEKNO, which needs FREQ=YEARLY" },
		{ "FREQ=WEEKLY;BYMONTHDAY=3", "BYMONTHDAY, which FREQ=WEEKLY" },
		{ "FREQ=MONTHLY;BYYEARDAY=100", "BYYEARDAY" },
	};

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const char *body = sd_arena_printf(fx->a,
		                                   EVENT_HEAD "DTSTART:20240101T100000Z\nRRULE:%s\n"
		                                              "END:VEVENT\n",
		                                   rules[i][0]);

		fx_assert_fail(fx, fx_check(fx, fx_cal(fx, body)), ICS_EPARSE, rules[i][1]);
	}
	fx_assert_fail(
	    fx,
	    fx_check(fx, fx_cal(fx, EVENT_HEAD "DTSTART;VALUE=DATE:20240101\n"
	                                       "RRULE:FREQ=DAILY;BYHOUR=9\nEND:VEVENT\n")),
	    ICS_EPARSE, "line 8: RRULE has BYHOUR, BYMINUTE or BYSECOND, but DTSTART is a date");
}

/* ---- time zones ---- */

#define VTZ_BERLIN                                                                         \
	"BEGIN:VTIMEZONE\nTZID:Europe/Berlin\nX-LIC-LOCATION:Europe/Berlin\n"              \
	"BEGIN:DAYLIGHT\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nTZNAME:CEST\n"              \
	"DTSTART:19700329T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nEND:DAYLIGHT\n"  \
	"BEGIN:STANDARD\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nTZNAME:CET\n"               \
	"DTSTART:19701025T030000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nEND:STANDARD\n" \
	"END:VTIMEZONE\n"

static void test_unknown_tzid(void **state)
{
	struct fx *fx = *state;

	/* Lines 4-21 are the VTIMEZONE, 22 BEGIN:VEVENT, 25 DTSTART. */
	fx_assert_fail(
	    fx,
	    fx_check(fx, fx_cal(fx, VTZ_BERLIN EVENT_HEAD "DTSTART;TZID=Foo/Bar:20240101T100000\n"
	                                                  "END:VEVENT\n")),
	    ICS_EOBJECT,
	    "line 25: TZID 'Foo/Bar' is not defined in the object and not a known "
	    "time zone");
	/* Not a zone name: never handed to libical, which would open the file. */
	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, EVENT_HEAD "DTSTART;TZID=../../../../etc/passwd:"
	                                                  "20240101T100000\nEND:VEVENT\n")),
	               ICS_EOBJECT, "TZID '../../../../etc/passwd' is not defined");
	fx_assert_fail(
	    fx,
	    fx_check(fx, fx_cal(fx, EVENT_HEAD "DTSTART:20240101T100000Z\n"
	                                       "EXDATE;TZID=Mars/Olympus:20240102T100000\n"
	                                       "END:VEVENT\n")),
	    ICS_EOBJECT, "line 8: TZID 'Mars/Olympus'");
}

static void test_bad_vtimezones(void **state)
{
	struct fx *fx = *state;
	struct ics_tz_stats s0, s1;

	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, "BEGIN:VTIMEZONE\nBEGIN:STANDARD\n"
	                                       "DTSTART:19700101T000000\nTZOFFSETTO:+0100\n"
	                                       "END:STANDARD\nEND:VTIMEZONE\n")),
	               ICS_EPARSE, "line 4: VTIMEZONE has no TZID");
	fx_assert_fail(fx, fx_check(fx, fx_cal(fx, "BEGIN:VTIMEZONE\nTZID:Empty\nEND:VTIMEZONE\n")),
	               ICS_EPARSE, "VTIMEZONE 'Empty' has neither STANDARD nor DAYLIGHT");
	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, "BEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\n"
	                                       "TZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n")),
	               ICS_EPARSE, "line 6: STANDARD of VTIMEZONE 'X' has no DTSTART");
	fx_assert_fail(fx, fx_check(fx, fx_cal(fx, VTZ_BERLIN VTZ_BERLIN)), ICS_EPARSE,
	               "line 22: two VTIMEZONEs define TZID 'Europe/Berlin'");
	/* libical 3.0 would expand this hourly rule up to the year 2582: these
	 * are refused before any zone is made of them (the zone cache neither
	 * builds nor finds one), so libical never expands them. */
	ics_tzcache_stats(&s0);
	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, "BEGIN:VTIMEZONE\nTZID:Evil\nBEGIN:STANDARD\n"
	                                       "DTSTART:19700101T000000\nTZOFFSETTO:+0100\n"
	                                       "TZOFFSETFROM:+0100\nRRULE:FREQ=HOURLY\n"
	                                       "END:STANDARD\nEND:VTIMEZONE\n" EVENT_HEAD
	                                       "DTSTART;TZID=Evil:20240101T100000\nEND:VEVENT\n")),
	               ICS_EPARSE, "line 10: VTIMEZONE 'Evil': only FREQ=YEARLY rules");
	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, "BEGIN:VTIMEZONE\nTZID:Busy\nBEGIN:STANDARD\n"
	                                       "DTSTART:19700101T000000\nTZOFFSETTO:+0100\n"
	                                       "RRULE:FREQ=YEARLY;BYDAY=SU\nEND:STANDARD\n"
	                                       "END:VTIMEZONE\n")),
	               ICS_EPARSE, "more than 12 times a year");
	/* libical 3.0.16 crashes expanding this one. */
	fx_assert_fail(fx,
	               fx_check(fx, fx_cal(fx, "BEGIN:VTIMEZONE\nTZID:Crash\nBEGIN:STANDARD\n"
	                                       "DTSTART:19700101T000000\nTZOFFSETTO:+0100\n"
	                                       "RRULE:FREQ=YEARLY;BYWEEKNO=-53\nEND:STANDARD\n"
	                                       "END:VTIMEZONE\n")),
	               ICS_EPARSE, "only BYMONTH, BYDAY and BYMONTHDAY");
	ics_tzcache_stats(&s1);
	assert_int_equal(s1.misses, s0.misses);
	assert_int_equal(s1.hits, s0.hits);
}

/* ---- what must pass ---- */

static void test_lenient_where_clients_need_it(void **state)
{
	struct fx *fx = *state;
	/* No DTSTAMP; empty text values; an RFC 9074 property libical does not
	 * know; unknown parameters; X- properties with parameters; a nested
	 * component libical does not know; an X-LIC-ERROR a libical-based
	 * client kept from an earlier read. */
	const char *text = fx_cal(fx, "BEGIN:VEVENT\nUID:lenient-1\nDTSTART:20240101T100000Z\n"
	                              "LOCATION:\nDESCRIPTION:\nX-EMPTY:\n"
	                              "SUMMARY;X-SOMETHING=1;LANGUAGE=en:Meeting\n"
	                              "X-MOZ-GENERATION;X-P=\"a,b\":3\n"
	                              "X-LIC-ERROR;X-LIC-ERRORTYPE=VALUE-PARSE-ERROR:No value for "
	                              "GEO property\\, kept\n"
	                              "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\n"
	                              "DESCRIPTION:Reminder\nPROXIMITY:ARRIVE\nEND:VALARM\n"
	                              "BEGIN:VLOCATION\nUID:loc-1\nNAME:Room 1\nEND:VLOCATION\n"
	                              "END:VEVENT\n");

	assert_int_equal(fx_check(fx, text), ICS_OK);
	assert_string_equal(fx->info.uid, "lenient-1");
}

static void test_bom_lf_and_lowercase(void **state)
{
	struct fx *fx = *state;
	static const char text[] = "\xEF\xBB\xBF"
	                           "begin:vcalendar\nversion:2.0\nprodid:x\n"
	                           "begin:vevent\nuid:lower\ndtstart:20240101T100000Z\n"
	                           "end:vevent\nend:vcalendar\n\n";

	assert_int_equal(fx_check(fx, text), ICS_OK);
	assert_int_equal(fx->info.comp, ICS_COMP_VEVENT);
	/* 2024-01-01T10:00Z = T2024 + 10 h; no end: one second. */
	assert_int_equal(fx->info.first_start, 1704067200 + 36000);
	assert_int_equal(fx->info.last_end, 1704067200 + 36001);
}

/* ---- CALDAV:calendar-timezone ---- */

static void test_timezone_check(void **state)
{
	struct fx *fx = *state;
	const char *good = fx_cal(fx, "CALSCALE:GREGORIAN\n" VTZ_BERLIN);
	const char *bare = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:UTC\r\nBEGIN:STANDARD\r\n"
	                   "DTSTART:16010101T000000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\n"
	                   "END:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n";
	const char *two = fx_cal(fx, VTZ_BERLIN "BEGIN:VTIMEZONE\nTZID:Other\nBEGIN:STANDARD\n"
	                                        "DTSTART:19700101T000000\nTZOFFSETTO:+0000\n"
	                                        "END:STANDARD\nEND:VTIMEZONE\n");
	const char *event = fx_cal(fx, VTZ_BERLIN EVENT_HEAD "DTSTART:20240101T100000Z\n"
	                                                     "END:VEVENT\n");
	const char *no_tzid = fx_cal(fx, "BEGIN:VTIMEZONE\nBEGIN:STANDARD\n"
	                                 "DTSTART:19700101T000000\nTZOFFSETTO:+0000\n"
	                                 "END:STANDARD\nEND:VTIMEZONE\n");

	assert_int_equal(ics_timezone_check(good, strlen(good), &fx->err), ICS_OK);
	assert_int_equal(ics_timezone_check(bare, strlen(bare), &fx->err), ICS_OK);
	fx_assert_fail(fx, ics_timezone_check(two, strlen(two), &fx->err), ICS_EOBJECT,
	               "exactly one VTIMEZONE, not 2");
	fx_assert_fail(fx, ics_timezone_check(event, strlen(event), &fx->err), ICS_EOBJECT,
	               "no other component");
	fx_assert_fail(fx, ics_timezone_check(no_tzid, strlen(no_tzid), &fx->err), ICS_EPARSE,
	               "VTIMEZONE has no TZID");
	fx_assert_fail(fx, ics_timezone_check("Europe/Berlin", 13, &fx->err), ICS_EPARSE, "line 1");
	fx_assert_fail(fx, ics_timezone_check("", 0, &fx->err), ICS_EPARSE, "empty");
}

static void test_comp_names(void **state)
{
	(void)state;
	assert_string_equal(ics_comp_name(ICS_COMP_VEVENT), "VEVENT");
	assert_string_equal(ics_comp_name(ICS_COMP_VAVAILABILITY), "VAVAILABILITY");
	assert_null(ics_comp_name(ICS_COMP_VEVENT | ICS_COMP_VTODO));
	assert_null(ics_comp_name(0));
	assert_null(ics_comp_name(1u << 7));
	assert_int_equal(ics_comp_from_name("vtodo"), ICS_COMP_VTODO);
	assert_int_equal(ics_comp_from_name("VJournal"), ICS_COMP_VJOURNAL);
	assert_int_equal(ics_comp_from_name("VFREEBUSY"), ICS_COMP_VFREEBUSY);
	assert_int_equal(ics_comp_from_name("VTIMEZONE"), 0);
	assert_int_equal(ics_comp_from_name(""), 0);
	assert_int_equal(ics_comp_from_name(NULL), 0);
}

int test_ics_check_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_and_nul, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_garbage, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_truncated, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_two_calendars, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_lines_are_located, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_libical_value_errors, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_impossible_dates, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_version_and_prodid, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_method_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_members, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_components_not_allowed, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_event_times, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rrule_must_nots, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_tzid, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_vtimezones, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_lenient_where_clients_need_it, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_bom_lf_and_lowercase, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_timezone_check, fx_setup, fx_teardown),
		cmocka_unit_test(test_comp_names),
	};

	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
