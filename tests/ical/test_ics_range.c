/* test_ics_range.c - the instant range [first_start, last_end) of objects:
 * single and all-day events, zones, tasks, journals, free/busy,
 * availability, recurrence with COUNT, UNTIL, EXDATE, RDATE and overrides,
 * and rules written to make the expansion run away; then the spans of
 * instances kept for the storage index, and a sweep checking that they
 * cover every window a query matches.
 *
 * Every expected number is derived in its comment from T2024
 * (2024-01-01T00:00:00Z = 1704067200) and the day of the year; see
 * test_ical.h. The hostile rules are also checked by the budget they spend,
 * which needs ics_int.h (ics_range on a struct ics_doc).
 */
#include "ics_filter.h"
#include "ics_int.h"
#include "test_ical.h"

#define VTZ_BERLIN                                                                         \
	"BEGIN:VTIMEZONE\nTZID:Europe/Berlin\n"                                            \
	"BEGIN:DAYLIGHT\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nTZNAME:CEST\n"              \
	"DTSTART:19700329T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nEND:DAYLIGHT\n"  \
	"BEGIN:STANDARD\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nTZNAME:CET\n"               \
	"DTSTART:19701025T030000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nEND:STANDARD\n" \
	"END:VTIMEZONE\n"

#define EV(body) "BEGIN:VEVENT\nUID:r@example.com\nDTSTAMP:20240101T000000Z\n" body "END:VEVENT\n"
/* The daily series most recurrence tests start from: Jan 1-5, 10:00-11:00Z. */
#define DAILY5 "DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\nRRULE:FREQ=DAILY;COUNT=5\n"

/* The expansion budget that working out text's range spends (ics_range, as
 * ics_object_check runs it on a VEVENT): libical iterators started and
 * iterator steps taken. What bounds the work of a hostile rule, asserted
 * as counts rather than as a time. */
struct work {
	int rules;
	long steps;
};

static struct work range_work(struct fx *fx, const char *text)
{
	struct ics_info info;
	struct ics_doc d;
	struct work w;
	int rc;

	rc = ics_doc_parse(&d, text, strlen(text), fx->a, &fx->err);
	if (rc == 0)
		rc = ics_range(&d, ICAL_VEVENT_COMPONENT, &info);
	w.rules = ICS_RULES_MAX - d.rules_left;
	w.steps = ICS_STEPS_MAX - d.steps_left;
	ics_doc_close(&d);
	assert_int_equal(rc, 0);
	return w;
}

/* ---- single instances ---- */

static void test_utc_event(void **state)
{
	struct fx *fx = *state;

	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240115T090000Z\nDTEND:20240115T100000Z\n")));
	assert_string_equal(fx->info.uid, "r@example.com");
	assert_int_equal(fx->info.comp, ICS_COMP_VEVENT);
	assert_false(fx->info.recurring);
	/* Jan 15 is day 14: T2024 + 14 * 86400 + 9 h = 1705309200; + 1 h. */
	fx_assert_range(fx, 1705309200, 1705312800);
}

static void test_zone_from_object(void **state)
{
	struct fx *fx = *state;

	fx_assert_ok(fx, fx_cal(fx, VTZ_BERLIN EV("DTSTART;TZID=Europe/Berlin:20240701T100000\n"
	                                          "DTEND;TZID=Europe/Berlin:20240701T113000\n")));
	/* Jul 1 is day 182: T2024 + 182 d = 1719792000; 10:00 CEST = 08:00Z
	 * (+ 28800) = 1719820800; 11:30 CEST = 09:30Z (+ 34200) = 1719826200. */
	fx_assert_range(fx, 1719820800, 1719826200);
}

static void test_zone_from_system(void **state)
{
	struct fx *fx = *state;

	/* No VTIMEZONE: the system's America/New_York, EST (-5) in January. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART;TZID=America/New_York:20240115T090000\n"
	                               "DURATION:PT30M\n")));
	/* 09:00 EST = 14:00Z: T2024 + 14 d + 14 h = 1705327200; + 30 min. */
	fx_assert_range(fx, 1705327200, 1705329000);
	/* An alias missing from zone.tab, which libical loads on first use. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART;TZID=US/Eastern:20240115T090000\n"
	                               "DURATION:PT30M\n")));
	fx_assert_range(fx, 1705327200, 1705329000);
}

static void test_zone_with_day_and_monthday(void **state)
{
	struct fx *fx = *state;
	/* As libical writes Jerusalem: summer time from the Friday on or after
	 * March 23rd, which in 2024 is March 29th. */
	static const char vtz[] =
	    "BEGIN:VTIMEZONE\nTZID:Asia/Jerusalem\n"
	    "BEGIN:STANDARD\nDTSTART:19701025T020000\nTZOFFSETFROM:+0300\n"
	    "TZOFFSETTO:+0200\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nEND:STANDARD\n"
	    "BEGIN:DAYLIGHT\nDTSTART:19700327T020000\nTZOFFSETFROM:+0200\n"
	    "TZOFFSETTO:+0300\n"
	    "RRULE:FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=23,24,25,26,27,28,29;BYDAY=FR\n"
	    "END:DAYLIGHT\nEND:VTIMEZONE\n";

	/* Mar 28 (day 87: 1711584000) 12:00 at +2 = 10:00Z = 1711620000; Apr 1
	 * (day 91: 1711929600) 12:00 at +3 = 09:00Z = 1711962000. */
	fx_assert_ok(fx, fx_cal(fx, sd_arena_printf(fx->a,
	                                            "%s" EV("DTSTART;TZID=Asia/Jerusalem:"
	                                                    "20240328T120000\n"
	                                                    "RDATE;TZID=Asia/Jerusalem:"
	                                                    "20240401T120000\n"),
	                                            vtz)));
	fx_assert_range(fx, 1711620000, 1711962001);
}

static void test_nominal_day_across_dst(void **state)
{
	struct fx *fx = *state;

	/* Berlin moves to summer time on Sunday 2024-03-31. */
	fx_assert_ok(fx, fx_cal(fx, VTZ_BERLIN EV("DTSTART;TZID=Europe/Berlin:20240330T120000\n"
	                                          "DURATION:P1D\n")));
	/* Mar 30 is day 89 (60 + 29): T2024 + 89 d = 1711756800; 12:00 CET =
	 * 11:00Z = 1711796400. P1D is a day on the wall clock: Mar 31 12:00
	 * CEST = 10:00Z = 1711756800 + 86400 + 36000 = 1711879200 (23 h). */
	fx_assert_range(fx, 1711796400, 1711879200);
	fx_assert_ok(fx, fx_cal(fx, VTZ_BERLIN EV("DTSTART;TZID=Europe/Berlin:20240330T120000\n"
	                                          "DURATION:PT24H\n")));
	/* PT24H is exact: 1711796400 + 86400. */
	fx_assert_range(fx, 1711796400, 1711882800);
}

static void test_no_length(void **state)
{
	struct fx *fx = *state;

	/* A DATE-TIME DTSTART alone: [t, t + 1), t = 1705309200 (see above). */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240115T090000Z\n")));
	fx_assert_range(fx, 1705309200, 1705309201);
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240115T090000Z\nDTEND:20240115T090000Z\n")));
	fx_assert_range(fx, 1705309200, 1705309201);
}

static void test_all_day(void **state)
{
	struct fx *fx = *state;

	/* Mar 10 is day 69 (60 + 9): 00:00 wall clock = T2024 + 69 d =
	 * 1710028800, floating: widened by 14 h = 50400 s on each side. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART;VALUE=DATE:20240310\n")));
	/* One day: [1710028800 - 50400, 1710028800 + 86400 + 50400). */
	fx_assert_range(fx, 1709978400, 1710165600);
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART;VALUE=DATE:20240310\n"
	                               "DTEND;VALUE=DATE:20240312\n")));
	/* Two days: 1710028800 + 2 * 86400 + 50400 = 1710252000. */
	fx_assert_range(fx, 1709978400, 1710252000);
}

static void test_floating(void **state)
{
	struct fx *fx = *state;

	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240115T090000\nDTEND:20240115T100000\n")));
	/* 09:00-10:00 read as UTC is [1705309200, 1705312800); 14 h either way. */
	fx_assert_range(fx, 1705309200 - SLACK, 1705312800 + SLACK);
}

/* ---- other components ---- */

static void test_todo(void **state)
{
	struct fx *fx = *state;

	/* DUE alone: Jan 15 17:00Z = T2024 + 14 d + 17 h = 1705338000; a
	 * moment [t, t + 1), then a second more on each side. */
	fx_assert_ok(fx, fx_cal(fx, "BEGIN:VTODO\nUID:t1\nDUE:20240115T170000Z\nEND:VTODO\n"));
	assert_int_equal(fx->info.comp, ICS_COMP_VTODO);
	fx_assert_range(fx, 1705338000 - 1, 1705338000 + 2);
	/* DTSTART 09:00Z (1705309200) + DURATION PT2H (7200). */
	fx_assert_ok(fx, fx_cal(fx, "BEGIN:VTODO\nUID:t1\nDTSTART:20240115T090000Z\n"
	                            "DURATION:PT2H\nEND:VTODO\n"));
	fx_assert_range(fx, 1705309200 - 1, 1705316400 + 1);
	/* DTSTART to DUE. */
	fx_assert_ok(fx, fx_cal(fx, "BEGIN:VTODO\nUID:t1\nDTSTART:20240115T090000Z\n"
	                            "DUE:20240115T170000Z\nEND:VTODO\n"));
	fx_assert_range(fx, 1705309200 - 1, 1705338000 + 1);
	/* Neither DTSTART nor DUE: everything; COMPLETED and CREATED unused. */
	fx_assert_ok(fx, fx_cal(fx, "BEGIN:VTODO\nUID:t1\nCOMPLETED:20240115T170000Z\n"
	                            "CREATED:20240101T000000Z\nSTATUS:COMPLETED\nEND:VTODO\n"));
	fx_assert_range(fx, ICS_TIME_MIN, ICS_TIME_MAX);
	/* Dates: Jan 15 to Jan 17 on the wall clock, 1705276800 + 2 d. */
	fx_assert_ok(fx, fx_cal(fx, "BEGIN:VTODO\nUID:t1\nDTSTART;VALUE=DATE:20240115\n"
	                            "DUE;VALUE=DATE:20240117\nEND:VTODO\n"));
	fx_assert_range(fx, 1705276800 - 1 - SLACK, 1705449600 + 1 + SLACK);
}

static void test_journal(void **state)
{
	struct fx *fx = *state;

	fx_assert_ok(fx, fx_cal(fx, "BEGIN:VJOURNAL\nUID:j1\nDTSTART;VALUE=DATE:20240115\n"
	                            "SUMMARY:Notes\nEND:VJOURNAL\n"));
	assert_int_equal(fx->info.comp, ICS_COMP_VJOURNAL);
	/* The day Jan 15 (1705276800), floating. */
	fx_assert_range(fx, 1705276800 - SLACK, 1705276800 + DAY + SLACK);
	fx_assert_ok(fx, fx_cal(fx, "BEGIN:VJOURNAL\nUID:j1\nSUMMARY:Undated\nEND:VJOURNAL\n"));
	fx_assert_range(fx, ICS_TIME_MIN, ICS_TIME_MAX);
}

static void test_freebusy(void **state)
{
	struct fx *fx = *state;

	fx_assert_ok(fx,
	             fx_cal(fx, "BEGIN:VFREEBUSY\nUID:f1\nDTSTAMP:20240101T000000Z\n"
	                        "DTSTART:20240115T000000Z\nDTEND:20240116T000000Z\n"
	                        "FREEBUSY:20240115T090000Z/PT1H,20240117T100000Z/20240117T110000Z\n"
	                        "END:VFREEBUSY\n"));
	assert_int_equal(fx->info.comp, ICS_COMP_VFREEBUSY);
	/* From Jan 15 00:00Z (1705276800) to the end of the period on Jan 17
	 * 11:00Z = T2024 + 16 d + 11 h = 1705489200, beyond DTEND. */
	fx_assert_range(fx, 1705276800, 1705489200);
}

#define AVAILABILITY(end)                                                                       \
	"BEGIN:VAVAILABILITY\nUID:a1\nDTSTAMP:20240101T000000Z\nDTSTART:20240101T000000Z\n" end \
	"BEGIN:AVAILABLE\nUID:a1-1\nDTSTAMP:20240101T000000Z\n"                                 \
	"DTSTART;TZID=Europe/Berlin:20240101T090000\n"                                          \
	"DTEND;TZID=Europe/Berlin:20240101T170000\n"                                            \
	"RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\nEND:AVAILABLE\nEND:VAVAILABILITY\n"

static void test_availability(void **state)
{
	struct fx *fx = *state;

	fx_assert_ok(fx, fx_cal(fx, AVAILABILITY("")));
	assert_int_equal(fx->info.comp, ICS_COMP_VAVAILABILITY);
	/* From T2024, no end. */
	fx_assert_range(fx, 1704067200, ICS_TIME_MAX);
	fx_assert_ok(fx, fx_cal(fx, AVAILABILITY("DTEND:20250101T000000Z\n")));
	/* 2024 has 366 days: T2024 + 366 d = 1735689600. */
	fx_assert_range(fx, 1704067200, 1735689600);
}

/* ---- recurrence ---- */

static void test_count(void **state)
{
	struct fx *fx = *state;

	fx_assert_ok(fx, fx_cal(fx, EV(DAILY5)));
	assert_true(fx->info.recurring);
	/* Jan 1 10:00Z = T2024 + 36000 = 1704103200; the fifth instance ends
	 * Jan 5 11:00Z = T2024 + 4 d + 39600 = 1704452400. */
	fx_assert_range(fx, 1704103200, 1704452400);
}

static void test_until(void **state)
{
	struct fx *fx = *state;

	/* Mondays from Jan 1 until Jan 31: 1, 8, 15, 22, 29. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\n"
	                               "RRULE:FREQ=WEEKLY;UNTIL=20240131T235959Z\n")));
	/* Jan 29 11:00Z = T2024 + 28 d + 39600 = 1706526000. */
	fx_assert_range(fx, 1704103200, 1706526000);
}

static void test_until_is_inclusive_in_utc(void **state)
{
	struct fx *fx = *state;

	/* 10:00 in Berlin (CET) is 09:00Z; UNTIL the third one exactly. */
	fx_assert_ok(fx, fx_cal(fx, VTZ_BERLIN EV("DTSTART;TZID=Europe/Berlin:20240101T100000\n"
	                                          "DTEND;TZID=Europe/Berlin:20240101T110000\n"
	                                          "RRULE:FREQ=DAILY;UNTIL=20240103T090000Z\n")));
	/* Jan 1 09:00Z = T2024 + 32400 = 1704099600; Jan 3 10:00Z =
	 * T2024 + 2 d + 36000 = 1704276000. */
	fx_assert_range(fx, 1704099600, 1704276000);
	fx_assert_ok(fx, fx_cal(fx, VTZ_BERLIN EV("DTSTART;TZID=Europe/Berlin:20240101T100000\n"
	                                          "DTEND;TZID=Europe/Berlin:20240101T110000\n"
	                                          "RRULE:FREQ=DAILY;UNTIL=20240103T085959Z\n")));
	/* A second earlier: Jan 2 is the last, ending T2024 + 1 d + 36000. */
	fx_assert_range(fx, 1704099600, 1704189600);
}

static void test_infinite(void **state)
{
	struct fx *fx = *state;

	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\n"
	                               "RRULE:FREQ=WEEKLY;BYDAY=MO,WE\n")));
	fx_assert_range(fx, 1704103200, ICS_TIME_MAX);
	/* A birthday: all day, every year. Jan 1 on the wall clock, widened. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART;VALUE=DATE:20240101\n"
	                               "RRULE:FREQ=YEARLY\n")));
	fx_assert_range(fx, 1704067200 - SLACK, ICS_TIME_MAX);
}

static void test_exdate(void **state)
{
	struct fx *fx = *state;

	/* The fifth instance removed: the fourth, Jan 4, ends 11:00Z =
	 * T2024 + 3 d + 39600 = 1704366000. */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY5 "EXDATE:20240105T100000Z\n")));
	fx_assert_range(fx, 1704103200, 1704366000);
	/* DTSTART removed: the series starts Jan 2 10:00Z = 1704103200 + 86400. */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY5 "EXDATE:20240101T100000Z\n")));
	fx_assert_range(fx, 1704189600, 1704452400);
	/* An EXDATE in another zone, same instant: Jan 5 11:00 in Berlin. */
	fx_assert_ok(fx, fx_cal(fx, VTZ_BERLIN EV(DAILY5 "EXDATE;TZID=Europe/Berlin:"
	                                                 "20240105T110000\n")));
	fx_assert_range(fx, 1704103200, 1704366000);
	/* All-day: Jan 1-3, the third removed: Jan 2 ends at T2024 + 2 d. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART;VALUE=DATE:20240101\nRRULE:FREQ=DAILY;COUNT=3\n"
	                               "EXDATE;VALUE=DATE:20240103\n")));
	fx_assert_range(fx, 1704067200 - SLACK, 1704067200 + 2 * DAY + SLACK);
}

static void test_rdate(void **state)
{
	struct fx *fx = *state;

	/* An extra instance on Feb 1 (day 31): ends T2024 + 31 d + 39600. */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY5 "RDATE:20240201T100000Z\n")));
	fx_assert_range(fx, 1704103200, 1706785200);
	/* A period on Mar 1 (day 60) 08:00-12:00Z: T2024 + 60 d + 12 h. */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY5 "RDATE;VALUE=PERIOD:20240301T080000Z/"
	                                      "20240301T120000Z\n")));
	fx_assert_range(fx, 1704103200, 1709294400);
	/* RDATE alone, earlier than DTSTART: Dec 31 2023 10:00Z = T2024 - 14 h. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\n"
	                               "RDATE:20231231T100000Z\n")));
	assert_true(fx->info.recurring);
	fx_assert_range(fx, 1704067200 - 14 * HOUR, 1704106800);
}

static void test_overrides(void **state)
{
	struct fx *fx = *state;

	/* The third instance moved a week on, to Jan 10 15:00-16:00Z, beyond
	 * the master's last (Jan 5): T2024 + 9 d + 57600 = 1704902400. */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY5) EV("RECURRENCE-ID:20240103T100000Z\n"
	                                          "DTSTART:20240110T150000Z\n"
	                                          "DTEND:20240110T160000Z\n")));
	assert_true(fx->info.recurring);
	fx_assert_range(fx, 1704103200, 1704902400);
	/* The first moved a day back, to Dec 31 08:00Z = T2024 - 57600. */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY5) EV("RECURRENCE-ID:20240101T100000Z\n"
	                                          "DTSTART:20231231T080000Z\n"
	                                          "DTEND:20231231T090000Z\n")));
	fx_assert_range(fx, 1704009600, 1704452400);
	/* Without its master (an invitation to one instance): just itself. */
	fx_assert_ok(fx, fx_cal(fx, EV("RECURRENCE-ID:20240103T100000Z\n"
	                               "DTSTART:20240103T120000Z\nDTEND:20240103T130000Z\n")));
	assert_false(fx->info.recurring);
	/* Jan 3 12:00Z = T2024 + 2 d + 43200 = 1704283200. */
	fx_assert_range(fx, 1704283200, 1704286800);
}

static void test_this_and_future(void **state)
{
	struct fx *fx = *state;

	/* From the third on, four hours later: the fifth would be Jan 5
	 * 14:00-15:00Z = T2024 + 4 d + 54000 = 1704466800. */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY5) EV("RECURRENCE-ID;RANGE=THISANDFUTURE:"
	                                          "20240103T100000Z\n"
	                                          "DTSTART:20240103T140000Z\n"
	                                          "DTEND:20240103T150000Z\n")));
	fx_assert_range(fx, 1704103200, 1704466800);
}

static void test_zoned_series_across_dst(void **state)
{
	struct fx *fx = *state;

	/* Mondays 09:00-10:00 in Berlin: Mar 25 (CET, 08:00Z) and Apr 1
	 * (CEST, 07:00Z). Mar 25 is day 84: T2024 + 84 d + 28800 = 1711353600;
	 * Apr 1 is day 91: T2024 + 91 d + 25200 = 1711954800, ends + 3600. */
	fx_assert_ok(fx, fx_cal(fx, VTZ_BERLIN EV("DTSTART;TZID=Europe/Berlin:20240325T090000\n"
	                                          "DTEND;TZID=Europe/Berlin:20240325T100000\n"
	                                          "RRULE:FREQ=WEEKLY;COUNT=2\n")));
	fx_assert_range(fx, 1711353600, 1711958400);
}

/* ---- rules meant to run away ---- */

static void test_hostile_secondly(void **state)
{
	struct fx *fx = *state;
	const char *ev;
	struct work w;

	/* That these return at all is the point (ctest's timeout bounds the
	 * run); the work is asserted as the budget spent, the time is measured
	 * in bench/ (ics_bench), never asserted here. */
	ev = fx_cal(fx, EV("DTSTART:20240101T100000Z\nRRULE:FREQ=SECONDLY;COUNT=999999999\n"));
	fx_assert_ok(fx, ev);
	/* More instances than the budget: unbounded, and the walk stopped at
	 * the budget. */
	fx_assert_range(fx, 1704103200, ICS_TIME_MAX);
	w = range_work(fx, ev);
	assert_int_equal(w.rules, 1);
	assert_int_equal(w.steps, ICS_STEPS_MAX);
	/* Never matches (no February 30th): DTSTART is the only instance, and
	 * no rule is walked. */
	ev = fx_cal(fx, EV("DTSTART:20240101T100000Z\n"
	                   "RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30;COUNT=5\n"));
	fx_assert_ok(fx, ev);
	fx_assert_range(fx, 1704103200, 1704103201);
	w = range_work(fx, ev);
	assert_int_equal(w.rules, 0);
	assert_int_equal(w.steps, 0);
	ev = fx_cal(fx, EV("DTSTART:20240101T100000Z\nDURATION:PT1H\n"
	                   "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30,31\n"));
	fx_assert_ok(fx, ev);
	fx_assert_range(fx, 1704103200, 1704106800);
	w = range_work(fx, ev);
	assert_int_equal(w.rules, 0);
	assert_int_equal(w.steps, 0);
	/* Matches rarely: libical would step second by second; not walked,
	 * bounded by nothing. */
	ev = fx_cal(fx, EV("DTSTART:20240101T100000Z\n"
	                   "RRULE:FREQ=SECONDLY;BYMONTH=12;BYHOUR=3;COUNT=10\n"));
	fx_assert_ok(fx, ev);
	fx_assert_range(fx, 1704103200, ICS_TIME_MAX);
	w = range_work(fx, ev);
	assert_int_equal(w.rules, 0);
	assert_int_equal(w.steps, 0);
	/* ... or by its UNTIL: Feb 1 00:00Z (T2024 + 31 d) + one second. */
	ev = fx_cal(fx, EV("DTSTART:20240101T100000Z\n"
	                   "RRULE:FREQ=MINUTELY;BYHOUR=3;UNTIL=20240201T000000Z\n"));
	fx_assert_ok(fx, ev);
	fx_assert_range(fx, 1704103200, 1706745601);
	w = range_work(fx, ev);
	assert_int_equal(w.rules, 0);
	assert_int_equal(w.steps, 0);
}

static void test_rules_libical_cannot_take(void **state)
{
	struct fx *fx = *state;
	const char *ev;
	struct work w;

	/* libical 3.0.16 crashes on this one; not walked, nothing bounds it. */
	ev = fx_cal(fx, EV("DTSTART:20240101T100000Z\nRRULE:FREQ=YEARLY;BYWEEKNO=-53;COUNT=5\n"));
	fx_assert_ok(fx, ev);
	fx_assert_range(fx, 1704103200, ICS_TIME_MAX);
	w = range_work(fx, ev);
	assert_int_equal(w.rules, 0);
	assert_int_equal(w.steps, 0);
	/* No month has a fifth Monday on the 1st: libical searches for over a
	 * second per rule before giving up. Not walked (no iterator started);
	 * the UNTIL (Jan 1 2025, T2024 + 366 d) bounds them: 1735689600 + an
	 * hour. */
	ev = fx_cal(fx, EV("DTSTART:20240101T100000Z\nDURATION:PT1H\n"
	                   "RRULE:FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=1;UNTIL=20250101T000000Z\n"
	                   "RRULE:FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=2;UNTIL=20250101T000000Z\n"
	                   "RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6;UNTIL=20250101T000000Z\n"
	                   "RRULE:FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=3;UNTIL=20250101T000000Z\n"
	                   "RRULE:FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=4;UNTIL=20250101T000000Z\n"));
	fx_assert_ok(fx, ev);
	fx_assert_range(fx, 1704103200, 1735693200);
	w = range_work(fx, ev);
	assert_int_equal(w.rules, 0);
	assert_int_equal(w.steps, 0);
	/* The shapes clients write are walked: the last weekday of the month,
	 * three times: Jan 31, Feb 29, Mar 29 (day 88: T2024 + 88 d + 11 h);
	 * one iterator, three steps. */
	ev = fx_cal(fx, EV("DTSTART:20240131T100000Z\nDURATION:PT1H\n"
	                   "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3\n"));
	fx_assert_ok(fx, ev);
	fx_assert_range(fx, 1704067200 + 30 * DAY + 10 * HOUR, 1711710000);
	w = range_work(fx, ev);
	assert_int_equal(w.rules, 1);
	assert_int_equal(w.steps, 3);
}

static void test_budget(void **state)
{
	struct fx *fx = *state;

	/* 131,040 minutes from Jan 1 to Apr 1: over the 100,000 step budget,
	 * so UNTIL bounds it: Apr 1 (day 91) = T2024 + 91 d = 1711929600, and
	 * an instance there lasts a minute. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T000000Z\nDURATION:PT1M\n"
	                               "RRULE:FREQ=MINUTELY;UNTIL=20240401T000000Z\n")));
	fx_assert_range(fx, 1704067200, 1711929660);
	/* The same with COUNT: nothing bounds it. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T000000Z\nDURATION:PT1M\n"
	                               "RRULE:FREQ=MINUTELY;COUNT=131041\n")));
	fx_assert_range(fx, 1704067200, ICS_TIME_MAX);
	/* Within budget it is exact: 1000 minutes, the last starting at
	 * T2024 + 999 * 60 = 1704127140, ending a minute later. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T000000Z\nDURATION:PT1M\n"
	                               "RRULE:FREQ=MINUTELY;COUNT=1000\n")));
	fx_assert_range(fx, 1704067200, 1704127200);
}

/* ---- instance counts (CALDAV:max-instances) ---- */

#define DAILY10 "DTSTART:20240101T100000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=10\n"

static void test_instances(void **state)
{
	struct fx *fx = *state;

	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240115T090000Z\nDTEND:20240115T100000Z\n")));
	assert_true(fx->info.instances == 1);
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY10)));
	assert_true(fx->info.instances == 10);
	/* Two EXDATEs on instances (Jan 3 and 7): 8 left. */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY10 "EXDATE:20240103T100000Z,20240107T100000Z\n")));
	assert_true(fx->info.instances == 8);
	/* An EXDATE on no instance (Jan 3 at 11:00) removes nothing. */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY10 "EXDATE:20240103T110000Z\n")));
	assert_true(fx->info.instances == 10);
	/* One RDATE after the series (Jan 20): 9. */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY10 "EXDATE:20240103T100000Z,20240107T100000Z\n"
	                                       "RDATE:20240120T100000Z\n")));
	assert_true(fx->info.instances == 9);
	/* RDATEs on an instance (Jan 2, written in another zone: 11:00 Berlin
	 * is 10:00Z) or at an EXDATE (Jan 3) add none. */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY10 "EXDATE:20240103T100000Z,20240107T100000Z\n"
	                                       "RDATE:20240120T100000Z\n"
	                                       "RDATE;TZID=Europe/Berlin:20240102T110000\n"
	                                       "RDATE:20240103T100000Z\n")));
	assert_true(fx->info.instances == 9);
	/* DTSTART excluded: 9. */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY10 "EXDATE:20240101T100000Z\n")));
	assert_true(fx->info.instances == 9);
	/* RDATE alone: DTSTART and the RDATE. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T100000Z\nRDATE:20240105T100000Z\n")));
	assert_true(fx->info.instances == 2);
	/* Neither COUNT nor UNTIL. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T100000Z\nRRULE:FREQ=DAILY\n")));
	assert_true(fx->info.instances == UINT64_MAX);
	/* UNTIL is inclusive: daily at 10:00Z from Jan 1 until Jan 30 10:00Z
	 * is Jan 1..30, 30 instances; until Jan 31 00:00Z too (Jan 31 10:00
	 * is after it); until Jan 31 10:00Z, 31. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T100000Z\n"
	                               "RRULE:FREQ=DAILY;UNTIL=20240130T100000Z\n")));
	assert_true(fx->info.instances == 30);
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T100000Z\n"
	                               "RRULE:FREQ=DAILY;UNTIL=20240131T000000Z\n")));
	assert_true(fx->info.instances == 30);
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T100000Z\n"
	                               "RRULE:FREQ=DAILY;UNTIL=20240131T100000Z\n")));
	assert_true(fx->info.instances == 31);
	/* A DTSTART the rule does not give (a Monday, BYDAY=TU) is still the
	 * first instance: Mon Jan 1, then Tue Jan 2, 9, 16. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T100000Z\n"
	                               "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=3\n")));
	assert_true(fx->info.instances == 4);
}

static void test_instances_overrides_and_budget(void **state)
{
	struct fx *fx = *state;

	/* An override replaces an instance, moved or not. */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY10) EV("RECURRENCE-ID:20240102T100000Z\n"
	                                           "DTSTART:20240102T150000Z\nDURATION:PT1H\n")));
	assert_true(fx->info.instances == 10);
	/* Overrides without their master: one each. */
	fx_assert_ok(
	    fx, fx_cal(fx, EV("RECURRENCE-ID:20240102T100000Z\n"
	                      "DTSTART:20240102T150000Z\n") EV("RECURRENCE-ID:20240103T100000Z\n"
	                                                       "DTSTART:20240103T150000Z\n")));
	assert_true(fx->info.instances == 2);
	/* Within the budget, exact; past it, unknown, even with UNTIL. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T000000Z\nDURATION:PT1M\n"
	                               "RRULE:FREQ=MINUTELY;COUNT=1000\n")));
	assert_true(fx->info.instances == 1000);
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T000000Z\nDURATION:PT1M\n"
	                               "RRULE:FREQ=MINUTELY;COUNT=131041\n")));
	assert_true(fx->info.instances == UINT64_MAX);
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T000000Z\nDURATION:PT1M\n"
	                               "RRULE:FREQ=MINUTELY;UNTIL=20240401T000000Z\n")));
	assert_true(fx->info.instances == UINT64_MAX);
	/* A task without times, free/busy: one. */
	fx_assert_ok(fx, fx_cal(fx, "BEGIN:VTODO\nUID:t@example.com\nEND:VTODO\n"));
	assert_true(fx->info.instances == 1);
}

/* ---- spans of instances (the storage index) ---- */

/* Asserts that fx->info has n spans and that span i is [start, end). */
static void assert_span(struct fx *fx, size_t n, size_t i, int64_t start, int64_t end)
{
	if (fx->info.nspans != n ||
	    (i < n && (fx->info.spans[i].start != start || fx->info.spans[i].end != end)))
		print_error("expected %zu spans, [%zu] = [%lld, %lld); got %zu, [%lld, %lld)\n", n,
		            i, (long long)start, (long long)end, fx->info.nspans,
		            i < fx->info.nspans ? (long long)fx->info.spans[i].start : 0,
		            i < fx->info.nspans ? (long long)fx->info.spans[i].end : 0);
	assert_int_equal(fx->info.nspans, n);
	assert_non_null(fx->info.spans);
	assert_true(fx->info.spans[i].start == start && fx->info.spans[i].end == end);
}

/* Whether some span of fx->info meets [start, end). */
static int spans_meet(const struct fx *fx, int64_t start, int64_t end)
{
	for (size_t i = 0; i < fx->info.nspans; i++)
		if (fx->info.spans[i].start < end && fx->info.spans[i].end > start)
			return 1;
	return 0;
}

static void test_spans_single(void **state)
{
	struct fx *fx = *state;

	/* One event: one span, the range. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240115T090000Z\nDTEND:20240115T100000Z\n")));
	assert_span(fx, 1, 0, 1705309200, 1705312800);
	/* All-day on Jan 1: widened as the range is. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART;VALUE=DATE:20240101\n")));
	assert_span(fx, 1, 0, T2024 - SLACK, T2024 + DAY + SLACK);
	/* A task: a second more on each side. */
	fx_assert_ok(fx, fx_cal(fx, "BEGIN:VTODO\nUID:t@example.com\n"
	                            "DTSTART:20240115T090000Z\nDUE:20240115T100000Z\nEND:VTODO\n"));
	assert_span(fx, 1, 0, 1705309200 - 1, 1705312800 + 1);
}

static void test_spans_count(void **state)
{
	struct fx *fx = *state;

	/* Jan 1-5 10:00-11:00Z: Jan 1 10:00Z = 1704103200, a day apart. */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY5)));
	for (size_t i = 0; i < 5; i++)
		assert_span(fx, 5, i, 1704103200 + (int64_t)i * DAY, 1704106800 + (int64_t)i * DAY);
	/* A weekly rule on two days, three weeks: six, in order (Mon Jan 1,
	 * Wed Jan 3, Mon Jan 8, ...: days 0, 2, 7, 9, 14, 16). */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T100000Z\nDURATION:PT1H\n"
	                               "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6\n")));
	assert_span(fx, 6, 1, 1704103200 + 2 * DAY, 1704106800 + 2 * DAY);
	assert_span(fx, 6, 5, 1704103200 + 16 * DAY, 1704106800 + 16 * DAY);
	/* RDATEs add theirs: Feb 1 10:00Z (day 31), a PERIOD on Mar 1 (day 60). */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY5 "RDATE:20240201T100000Z\n"
	                                      "RDATE;VALUE=PERIOD:20240301T080000Z/"
	                                      "20240301T120000Z\n")));
	assert_span(fx, 7, 5, 1704103200 + 31 * DAY, 1704106800 + 31 * DAY);
	assert_span(fx, 7, 6, T2024 + 60 * DAY + 8 * HOUR, T2024 + 60 * DAY + 12 * HOUR);
}

static void test_spans_exdate(void **state)
{
	struct fx *fx = *state;

	/* Jan 3 removed: Jan 1, 2, 4, 5. */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY5 "EXDATE:20240103T100000Z\n")));
	assert_span(fx, 4, 1, 1704103200 + DAY, 1704106800 + DAY);
	assert_span(fx, 4, 2, 1704103200 + 3 * DAY, 1704106800 + 3 * DAY);
	assert_true(fx->info.instances == 4);
	/* Written in Berlin, the same instant (11:00 CET): removed too. */
	fx_assert_ok(fx, fx_cal(fx, VTZ_BERLIN EV(DAILY5 "EXDATE;TZID=Europe/Berlin:"
	                                                 "20240103T110000\n")));
	assert_int_equal(fx->info.nspans, 4);
	/* Floating against a UTC DTSTART: a query reads it in the calendar's
	 * zone, where it may be another instant, so it removes nothing here. */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY5 "EXDATE:20240103T100000\n")));
	assert_span(fx, 5, 2, 1704103200 + 2 * DAY, 1704106800 + 2 * DAY);
	assert_true(fx->info.instances == 5);
	fx_assert_range(fx, 1704103200, 1704106800 + 4 * DAY);
}

static void test_spans_overrides(void **state)
{
	struct fx *fx = *state;

	/* Jan 3 moved to Jan 10 15:00-16:00Z (day 9), out of the master's
	 * hull: its span is there, and the master's Jan 3 stays (wider is
	 * safe). */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY5) EV("RECURRENCE-ID:20240103T100000Z\n"
	                                          "DTSTART:20240110T150000Z\n"
	                                          "DTEND:20240110T160000Z\n")));
	assert_span(fx, 6, 2, 1704103200 + 2 * DAY, 1704106800 + 2 * DAY);
	assert_span(fx, 6, 5, T2024 + 9 * DAY + 15 * HOUR, T2024 + 9 * DAY + 16 * HOUR);
	assert_false(spans_meet(fx, T2024 + 6 * DAY, T2024 + 9 * DAY)); /* Jan 7-9: none */
	/* From Jan 3 on, four hours later: one span runs from the moved Jan 3
	 * (14:00Z, day 2) to the end of the moved Jan 5 (15:00Z, day 4). */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY5) EV("RECURRENCE-ID;RANGE=THISANDFUTURE:"
	                                          "20240103T100000Z\n"
	                                          "DTSTART:20240103T140000Z\n"
	                                          "DTEND:20240103T150000Z\n")));
	assert_true(spans_meet(fx, T2024 + 4 * DAY + 14 * HOUR, T2024 + 4 * DAY + 15 * HOUR));
	assert_false(spans_meet(fx, T2024 + 4 * DAY + 15 * HOUR, T2024 + 5 * DAY));
}

static void test_spans_unbounded(void **state)
{
	struct fx *fx = *state;

	/* Endless, or no time at all: the range is all there is. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\n"
	                               "RRULE:FREQ=WEEKLY;BYDAY=MO,WE\n")));
	assert_null(fx->info.spans);
	assert_int_equal(fx->info.nspans, 0);
	fx_assert_ok(fx, fx_cal(fx, "BEGIN:VTODO\nUID:t@example.com\nEND:VTODO\n"));
	assert_null(fx->info.spans);
	/* A bounded master with an endless override is endless too. */
	fx_assert_ok(fx, fx_cal(fx, EV(DAILY5) EV("RECURRENCE-ID;RANGE=THISANDFUTURE:"
	                                          "20240103T100000Z\nDTSTART:20240103T140000Z\n"
	                                          "RRULE:FREQ=DAILY\n")));
	assert_null(fx->info.spans);
	/* Not walked to its end (over the budget), but with UNTIL: one span,
	 * the range (Jan 1 to Apr 1 00:01, see test_budget). */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T000000Z\nDURATION:PT1M\n"
	                               "RRULE:FREQ=MINUTELY;UNTIL=20240401T000000Z\n")));
	assert_span(fx, 1, 0, 1704067200, 1711929660);
}

static void test_spans_over_the_cap(void **state)
{
	struct fx *fx = *state;

	/* 1,000 instances: one span each. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T000000Z\nDURATION:PT1H\n"
	                               "RRULE:FREQ=DAILY;COUNT=1000\n")));
	assert_span(fx, ICS_SPANS_MAX, 999, T2024 + 999 * DAY, T2024 + 999 * DAY + HOUR);
	/* 2,500: merged by threes into 834 spans, the last one alone; each
	 * lasts two days and an hour, and every instance is covered. */
	fx_assert_ok(fx, fx_cal(fx, EV("DTSTART:20240101T000000Z\nDURATION:PT1H\n"
	                               "RRULE:FREQ=DAILY;COUNT=2500\n")));
	assert_span(fx, 834, 0, T2024, T2024 + 2 * DAY + HOUR);
	assert_span(fx, 834, 833, T2024 + 2499 * DAY, T2024 + 2499 * DAY + HOUR);
	for (int64_t k = 0; k < 2500; k++) {
		const struct ics_span *sp = &fx->info.spans[k / 3];

		assert_true(sp->start <= T2024 + k * DAY && sp->end >= T2024 + k * DAY + HOUR);
	}
}

static void test_spans_period_across_dst(void **state)
{
	struct fx *fx = *state;

	/* A one-day PERIOD from Mar 30 18:00 CET (17:00Z; day 89: T2024 +
	 * 89 d + 61200) over the change to CEST: on the wall clock it ends Mar
	 * 31 18:00 CEST (16:00Z), as 86400 s at 17:00Z. The span takes the
	 * later end. */
	fx_assert_ok(fx, fx_cal(fx, VTZ_BERLIN EV("DTSTART;TZID=Europe/Berlin:20240301T120000\n"
	                                          "DURATION:PT1H\n"
	                                          "RDATE;VALUE=PERIOD;TZID=Europe/Berlin:"
	                                          "20240330T180000/P1D\n")));
	assert_span(fx, 2, 1, T2024 + 89 * DAY + 61200, T2024 + 89 * DAY + 61200 + DAY);
}

/* For every window of a sweep around each object, with the calendar in UTC
 * and in UTC+14: a query that matches the object finds a span meeting the
 * window (the index never hides a match). */
static void test_spans_cover_what_queries_match(void **state)
{
	static const char *const deftz[] = {
		NULL,
		"BEGIN:VCALENDAR\nPRODID:-//t//t//EN\nVERSION:2.0\nBEGIN:VTIMEZONE\n"
		"TZID:Pacific/Kiritimati\nBEGIN:STANDARD\nTZOFFSETFROM:+1400\n"
		"TZOFFSETTO:+1400\nDTSTART:19700101T000000\nEND:STANDARD\nEND:VTIMEZONE\n"
		"END:VCALENDAR\n",
	};
	static const char *const bodies[] = {
		EV(DAILY5 "EXDATE:20240103T100000Z\n") EV("RECURRENCE-ID:20240104T100000Z\n"
		                                          "DTSTART:20240109T150000Z\n"
		                                          "DURATION:PT1H\n"),
		VTZ_BERLIN EV("DTSTART;TZID=Europe/Berlin:20240322T093000\n"
		              "DTEND;TZID=Europe/Berlin:20240322T103000\n"
		              "RRULE:FREQ=DAILY;COUNT=6\nEXDATE:20240324T093000\n"
		              "EXDATE:20240325T083000Z\n"),
		/* Oct 27 02:30 comes twice in Berlin (00:30Z and 01:30Z): an
		 * EXDATE in UTC naming either pass; only the one that is the
		 * instance's instant removes it. */
		VTZ_BERLIN EV("DTSTART;TZID=Europe/Berlin:20241026T023000\nDURATION:PT45M\n"
		              "RRULE:FREQ=DAILY;COUNT=3\nEXDATE:20241027T003000Z\n"),
		VTZ_BERLIN EV("DTSTART;TZID=Europe/Berlin:20241026T023000\nDURATION:PT45M\n"
		              "RRULE:FREQ=DAILY;COUNT=3\nEXDATE:20241027T013000Z\n"),
		EV("DTSTART:20240101T220000\nDURATION:P1DT2H\nRRULE:FREQ=DAILY;COUNT=4\n"),
		EV("DTSTART;VALUE=DATE:20240101\nDTEND;VALUE=DATE:20240103\n"
		   "RRULE:FREQ=WEEKLY;COUNT=3\n"),
		EV(DAILY5) EV("RECURRENCE-ID;RANGE=THISANDFUTURE:20240103T100000Z\n"
		              "DTSTART:20240103T200000Z\nDURATION:PT3H\n"),
		VTZ_BERLIN EV("DTSTART;TZID=Europe/Berlin:20240325T120000\nDURATION:PT1H\n"
		              "RDATE;VALUE=PERIOD;TZID=Europe/Berlin:20240330T180000/P1D\n"
		              "RDATE;VALUE=PERIOD:20240402T100000Z/PT1H\n"),
		"BEGIN:VTODO\nUID:t@example.com\nDUE:20240101T100000Z\n"
		"RRULE:FREQ=DAILY;COUNT=4\nEND:VTODO\n",
		"BEGIN:VTODO\nUID:t@example.com\nDTSTART:20240101T100000Z\nDURATION:PT2H\n"
		"RRULE:FREQ=DAILY;COUNT=3\nEND:VTODO\n",
		"BEGIN:VTODO\nUID:t@example.com\nDTSTART:20240101T100000\n"
		"DUE:20240101T120000\nRRULE:FREQ=WEEKLY;COUNT=2\nEND:VTODO\n",
		"BEGIN:VJOURNAL\nUID:j@example.com\nDTSTART;VALUE=DATE:20240101\n"
		"RRULE:FREQ=DAILY;COUNT=3\nEND:VJOURNAL\n",
		"BEGIN:VFREEBUSY\nUID:f@example.com\nFREEBUSY:20240101T100000Z/PT1H,"
		"20240105T100000Z/20240105T120000Z\nEND:VFREEBUSY\n",
	};
	struct fx *fx = *state;

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		const char *text = fx_cal(fx, bodies[i]);
		struct ics_comp_filter comp = { 0 }, root = { .name = "VCALENDAR", .comps = &comp };
		struct ics_time_range r;
		int64_t lo, hi;

		fx_assert_ok(fx, text);
		assert_non_null(fx->info.spans);
		comp.name = ics_comp_name(fx->info.comp);
		comp.range = &r;
		lo = fx->info.first_start - DAY;
		hi = fx->info.last_end + DAY;
		for (int64_t t = lo; t < hi; t += 1800) {
			for (int k = 0; k < 4; k++) {
				r.start = t;
				r.end = t + (k % 2 ? 3 * HOUR : 1);
				if (ics_filter_match(text, strlen(text), &root,
				                     deftz[k / 2] ? fx_crlf(fx, deftz[k / 2])
				                                  : NULL,
				                     &fx->err) != 1 ||
				    spans_meet(fx, r.start, r.end))
					continue;
				print_error(
				    "object %zu matches [%lld, %lld) but no span meets it\n", i,
				    (long long)r.start, (long long)r.end);
				fail();
			}
		}
	}
}

int test_ics_range_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_utc_event, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_zone_from_object, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_zone_from_system, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_zone_with_day_and_monthday, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_nominal_day_across_dst, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_no_length, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_all_day, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_floating, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_todo, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_journal, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_freebusy, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_availability, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_count, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_until, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_until_is_inclusive_in_utc, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_infinite, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_exdate, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rdate, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_overrides, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_this_and_future, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_zoned_series_across_dst, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_secondly, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rules_libical_cannot_take, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_budget, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_instances, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_instances_overrides_and_budget, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_spans_single, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_spans_count, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_spans_exdate, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_spans_overrides, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_spans_unbounded, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_spans_over_the_cap, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_spans_period_across_dst, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_spans_cover_what_queries_match, fx_setup,
		                                fx_teardown),
	};

	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
