/* test_ics_clients.c - objects as real clients PUT them: Thunderbird, Apple
 * Calendar, DAVx5 (ical4j), Evolution (libical) and Outlook through a sync
 * tool, with their VTIMEZONEs, VALARMs, X- properties and folding. Each
 * must pass with the right UID, kind and range.
 */
#include "test_ical.h"

/* The objects read as the clients write them, one line per line. */
/* clang-format off */

/* Thunderbird 115: a VTIMEZONE with this year's changes only (RDATE,
 * offsets with seconds), X-MOZ-* properties, attendees, a weekly series. */
static const char thunderbird_series[] =
	"BEGIN:VCALENDAR\n"
	"PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\n"
	"VERSION:2.0\n"
	VTZ_THUNDERBIRD_BERLIN
	"BEGIN:VEVENT\n"
	"CREATED:20240412T083010Z\n"
	"LAST-MODIFIED:20240412T083042Z\n"
	"DTSTAMP:20240412T083042Z\n"
	"UID:5c8e0d3b-7f4a-4f4e-9c3e-2b1d6a9e8f10\n"
	"SUMMARY:Team meeting\n"
	"ORGANIZER;CN=Alice Example:mailto:alice@example.com\n"
	"ATTENDEE;CN=Alice Example;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:alice@example.c\n"
	" om\n"
	"ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT:mailto:bob@exa\n"
	" mple.com\n"
	"RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=TU\n"
	"DTSTART;TZID=Europe/Berlin:20240416T100000\n"
	"DTEND;TZID=Europe/Berlin:20240416T110000\n"
	"TRANSP:OPAQUE\n"
	"X-MOZ-SEND-INVITATIONS:TRUE\n"
	"X-MOZ-SEND-INVITATIONS-UNDISCLOSED:FALSE\n"
	"SEQUENCE:0\n"
	"X-MOZ-GENERATION:1\n"
	"BEGIN:VALARM\n"
	"ACTION:DISPLAY\n"
	"TRIGGER;VALUE=DURATION:-PT15M\n"
	"DESCRIPTION:Default Mozilla Description\n"
	"END:VALARM\n"
	"END:VEVENT\n"
	"END:VCALENDAR\n";

static const char thunderbird_all_day[] =
	"BEGIN:VCALENDAR\n"
	"PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\n"
	"VERSION:2.0\n"
	"BEGIN:VEVENT\n"
	"CREATED:20240412T090000Z\n"
	"LAST-MODIFIED:20240412T090000Z\n"
	"DTSTAMP:20240412T090000Z\n"
	"UID:0f2d7c9e-1b3a-4c5d-8e6f-7a8b9c0d1e2f\n"
	"SUMMARY:Labour Day\n"
	"CATEGORIES:Holidays\n"
	"DTSTART;VALUE=DATE:20240501\n"
	"DTEND;VALUE=DATE:20240502\n"
	"TRANSP:TRANSPARENT\n"
	"X-MOZ-LASTACK:20240412T090000Z\n"
	"END:VEVENT\n"
	"END:VCALENDAR\n";

/* Apple Calendar (macOS 14): CALSCALE, rule-based VTIMEZONE, a structured
 * location folded at 75 octets, an alarm with ACKNOWLEDGED and X-APPLE-*. */
static const char apple_event[] =
	"BEGIN:VCALENDAR\n"
	"VERSION:2.0\n"
	"PRODID:-//Apple Inc.//macOS 14.4.1//EN\n"
	"CALSCALE:GREGORIAN\n"
	"BEGIN:VTIMEZONE\n"
	"TZID:America/Los_Angeles\n"
	"BEGIN:DAYLIGHT\n"
	"TZOFFSETFROM:-0800\n"
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\n"
	"DTSTART:20070311T020000\n"
	"TZNAME:PDT\n"
	"TZOFFSETTO:-0700\n"
	"END:DAYLIGHT\n"
	"BEGIN:STANDARD\n"
	"TZOFFSETFROM:-0700\n"
	"RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\n"
	"DTSTART:20071104T020000\n"
	"TZNAME:PST\n"
	"TZOFFSETTO:-0800\n"
	"END:STANDARD\n"
	"END:VTIMEZONE\n"
	"BEGIN:VEVENT\n"
	"CREATED:20240410T170501Z\n"
	"UID:B1E3F0A2-6C1D-4E6B-9B8E-4A5C2F7D9E11\n"
	"DTEND;TZID=America/Los_Angeles:20240412T150000\n"
	"TRANSP:OPAQUE\n"
	"X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\n"
	"SUMMARY:Dentist\n"
	"LAST-MODIFIED:20240410T170521Z\n"
	"DTSTAMP:20240410T170521Z\n"
	"DTSTART;TZID=America/Los_Angeles:20240412T140000\n"
	"LOCATION:Main St Dental\\n123 Main St\\, Springfield\n"
	"SEQUENCE:1\n"
	"X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-ADDRESS=\"123 Main St, Springfield\n"
	" \";X-APPLE-RADIUS=70.5;X-TITLE=\"Main St Dental\":geo:37.331686,-122.03065\n"
	" 6\n"
	"BEGIN:VALARM\n"
	"X-WR-ALARMUID:6F1A1B2C-3D4E-5F60-7182-93A4B5C6D7E8\n"
	"UID:6F1A1B2C-3D4E-5F60-7182-93A4B5C6D7E8\n"
	"TRIGGER:-PT30M\n"
	"ATTACH;VALUE=URI:Chord\n"
	"ACTION:AUDIO\n"
	"X-APPLE-DEFAULT-ALARM:TRUE\n"
	"ACKNOWLEDGED:20240412T203001Z\n"
	"END:VALARM\n"
	"END:VEVENT\n"
	"END:VCALENDAR\n";

/* Apple, an all-day event without DTSTAMP, as some versions send. */
static const char apple_all_day_no_dtstamp[] =
	"BEGIN:VCALENDAR\n"
	"VERSION:2.0\n"
	"PRODID:-//Apple Inc.//iOS 17.4//EN\n"
	"CALSCALE:GREGORIAN\n"
	"BEGIN:VEVENT\n"
	"UID:3C1E7A52-0D9B-4F1A-A6C3-55E2D7B8F901\n"
	"DTSTART;VALUE=DATE:20240704\n"
	"DTEND;VALUE=DATE:20240705\n"
	"SUMMARY:Independence Day\n"
	"X-APPLE-UNIVERSAL-ID:8d3f0c4e-6a1b-4b7e-9f2d-1e0a3c5b7d9f\n"
	"END:VEVENT\n"
	"END:VCALENDAR\n";

/* Apple, a series with an exception moved to another day and one deleted. */
static const char apple_series_with_exception[] =
	"BEGIN:VCALENDAR\n"
	"VERSION:2.0\n"
	"PRODID:-//Apple Inc.//macOS 14.4.1//EN\n"
	"CALSCALE:GREGORIAN\n"
	"BEGIN:VEVENT\n"
	"UID:7A6B5C4D-3E2F-1A0B-9C8D-7E6F5A4B3C2D\n"
	"DTSTAMP:20240101T090000Z\n"
	"DTSTART:20240108T170000Z\n"
	"DTEND:20240108T180000Z\n"
	"RRULE:FREQ=WEEKLY;COUNT=4\n"
	"EXDATE:20240115T170000Z\n"
	"SUMMARY:Choir\n"
	"SEQUENCE:0\n"
	"END:VEVENT\n"
	"BEGIN:VEVENT\n"
	"UID:7A6B5C4D-3E2F-1A0B-9C8D-7E6F5A4B3C2D\n"
	"DTSTAMP:20240101T090000Z\n"
	"RECURRENCE-ID:20240129T170000Z\n"
	"DTSTART:20240131T170000Z\n"
	"DTEND:20240131T190000Z\n"
	"SUMMARY:Choir (concert week)\n"
	"SEQUENCE:1\n"
	"END:VEVENT\n"
	"END:VCALENDAR\n";

/* DAVx5 (ical4j): tzurl.org VTIMEZONE, UNTIL in UTC, EXDATE with TZID. */
static const char davx5_series[] =
	"BEGIN:VCALENDAR\n"
	"VERSION:2.0\n"
	"PRODID:DAVx5/4.3.13-ose ical4j/3.2.14 (com.google.android.calendar)\n"
	"BEGIN:VEVENT\n"
	"DTSTAMP:20240501T101010Z\n"
	"UID:0c9e5b8e-2a55-4d3b-8d2d-0c1b9b1e5f77\n"
	"SUMMARY:Physio\n"
	"DTSTART;TZID=Europe/Vienna:20240506T073000\n"
	"DTEND;TZID=Europe/Vienna:20240506T081500\n"
	"RRULE:FREQ=WEEKLY;UNTIL=20240603T053000Z;BYDAY=MO\n"
	"EXDATE;TZID=Europe/Vienna:20240520T073000\n"
	"STATUS:CONFIRMED\n"
	"CLASS:PRIVATE\n"
	"BEGIN:VALARM\n"
	"TRIGGER:-PT10M\n"
	"ACTION:DISPLAY\n"
	"DESCRIPTION:Physio\n"
	"END:VALARM\n"
	"END:VEVENT\n"
	"BEGIN:VTIMEZONE\n"
	"TZID:Europe/Vienna\n"
	"LAST-MODIFIED:20240422T053451Z\n"
	"TZURL:https://www.tzurl.org/zoneinfo-outlook/Europe/Vienna\n"
	"X-LIC-LOCATION:Europe/Vienna\n"
	"BEGIN:DAYLIGHT\n"
	"TZNAME:CEST\n"
	"TZOFFSETFROM:+0100\n"
	"TZOFFSETTO:+0200\n"
	"DTSTART:19700329T020000\n"
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\n"
	"END:DAYLIGHT\n"
	"BEGIN:STANDARD\n"
	"TZNAME:CET\n"
	"TZOFFSETFROM:+0200\n"
	"TZOFFSETTO:+0100\n"
	"DTSTART:19701025T030000\n"
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\n"
	"END:STANDARD\n"
	"END:VTIMEZONE\n"
	"END:VCALENDAR\n";

/* DAVx5 with OpenTasks / jtx Board: a task due on a date. */
static const char davx5_task[] = "BEGIN:VCALENDAR\n"
				 "VERSION:2.0\n"
				 "PRODID:+//IDN bitfire.at//ical4android (org.dmfs.tasks)\n"
				 "BEGIN:VTODO\n"
				 "DTSTAMP:20240502T080000Z\n"
				 "UID:b0a6f1d2-5c4e-4a3b-9d8c-7e6f5a4b3c2d\n"
				 "CREATED:20240502T080000Z\n"
				 "LAST-MODIFIED:20240502T080000Z\n"
				 "SUMMARY:Buy milk\n"
				 "DUE;VALUE=DATE:20240510\n"
				 "STATUS:NEEDS-ACTION\n"
				 "PRIORITY:5\n"
				 "X-ANDROID-SYNC-VERSION:3\n"
				 "END:VTODO\n"
				 "END:VCALENDAR\n";

/* Evolution: libical's own VTIMEZONE under a TZID with the old libical
 * prefix, folding in the middle of values, X-EVOLUTION-*. */
static const char evolution_series[] =
	"BEGIN:VCALENDAR\n"
	"CALSCALE:GREGORIAN\n"
	"PRODID:-//Ximian//NONSGML Evolution Calendar//EN\n"
	"VERSION:2.0\n"
	"BEGIN:VTIMEZONE\n"
	"TZID:/freeassociation.sourceforge.net/Europe/London\n"
	"X-LIC-LOCATION:Europe/London\n"
	"BEGIN:STANDARD\n"
	"TZNAME:GMT\n"
	"DTSTART:19701025T020000\n"
	"TZOFFSETFROM:+0100\n"
	"TZOFFSETTO:+0000\n"
	"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\n"
	"END:STANDARD\n"
	"BEGIN:DAYLIGHT\n"
	"TZNAME:BST\n"
	"DTSTART:19700329T010000\n"
	"TZOFFSETFROM:+0000\n"
	"TZOFFSETTO:+0100\n"
	"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\n"
	"END:DAYLIGHT\n"
	"END:VTIMEZONE\n"
	"BEGIN:VEVENT\n"
	"UID:d7e9c5b1a3f2e4d6c8b0a9f7e5d3c1b2a4f6e8d0\n"
	"DTSTAMP:20240601T120000Z\n"
	"DTSTART;TZID=/freeassociation.sourceforge.net/Europe/London:20240610T\n"
	" 090000\n"
	"DTEND;TZID=/freeassociation.sourceforge.net/Europe/London:20240610T09300\n"
	" 0\n"
	"SEQUENCE:2\n"
	"SUMMARY:Stand-up\n"
	"TRANSP:OPAQUE\n"
	"CLASS:PUBLIC\n"
	"CREATED:20240601T120000Z\n"
	"LAST-MODIFIED:20240601T120000Z\n"
	"RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR\n"
	"X-EVOLUTION-CALDAV-ETAG:\"abc\"\n"
	"BEGIN:VALARM\n"
	"X-EVOLUTION-ALARM-UID:20240601T120000Z-1234-1000-1-1@laptop\n"
	"ACTION:DISPLAY\n"
	"TRIGGER;VALUE=DURATION;RELATED=START:-PT15M\n"
	"DESCRIPTION:Stand-up\n"
	"END:VALARM\n"
	"END:VEVENT\n"
	"END:VCALENDAR\n";

static const char evolution_memo[] = "BEGIN:VCALENDAR\n"
				     "CALSCALE:GREGORIAN\n"
				     "PRODID:-//Ximian//NONSGML Evolution Calendar//EN\n"
				     "VERSION:2.0\n"
				     "BEGIN:VJOURNAL\n"
				     "UID:c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0\n"
				     "DTSTAMP:20240603T100000Z\n"
				     "DTSTART;VALUE=DATE:20240603\n"
				     "SUMMARY:Ideas\n"
				     "DESCRIPTION:First line\\nsecond line\n"
				     "CLASS:PUBLIC\n"
				     "CREATED:20240603T100000Z\n"
				     "LAST-MODIFIED:20240603T100000Z\n"
				     "END:VJOURNAL\n"
				     "END:VCALENDAR\n";

/* Outlook through a sync tool: a Windows zone name, a VTIMEZONE starting
 * in 1601, TZOFFSETFROM missing in STANDARD (Outlook for Mac does that). */
static const char outlook_event[] =
	"BEGIN:VCALENDAR\n"
	"PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\n"
	"VERSION:2.0\n"
	"X-MS-OLK-FORCEINSPECTOROPEN:TRUE\n"
	"BEGIN:VTIMEZONE\n"
	"TZID:W. Europe Standard Time\n"
	"BEGIN:STANDARD\n"
	"DTSTART:16011028T030000\n"
	"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\n"
	"TZOFFSETTO:+0100\n"
	"END:STANDARD\n"
	"BEGIN:DAYLIGHT\n"
	"DTSTART:16010325T020000\n"
	"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\n"
	"TZOFFSETFROM:+0100\n"
	"TZOFFSETTO:+0200\n"
	"END:DAYLIGHT\n"
	"END:VTIMEZONE\n"
	"BEGIN:VEVENT\n"
	"CLASS:PUBLIC\n"
	"CREATED:20240801T080000Z\n"
	"DTEND;TZID=\"W. Europe Standard Time\":20240805T160000\n"
	"DTSTAMP:20240801T080000Z\n"
	"DTSTART;TZID=\"W. Europe Standard Time\":20240805T150000\n"
	"PRIORITY:5\n"
	"SUMMARY;LANGUAGE=de:Abstimmung\n"
	"TRANSP:OPAQUE\n"
	"UID:040000008200E00074C5B7101A82E00800000000D0E1F2A3B4C5D601000000000000000\n"
	" 010000000A1B2C3D4E5F60718293A4B5C6D7E8F90\n"
	"X-MICROSOFT-CDO-BUSYSTATUS:BUSY\n"
	"X-MICROSOFT-CDO-IMPORTANCE:1\n"
	"X-MICROSOFT-DISALLOW-COUNTER:FALSE\n"
	"BEGIN:VALARM\n"
	"TRIGGER:-PT15M\n"
	"ACTION:DISPLAY\n"
	"DESCRIPTION:Reminder\n"
	"END:VALARM\n"
	"END:VEVENT\n"
	"END:VCALENDAR\n";

/* clang-format on */

static void test_thunderbird(void **state)
{
	struct fx *fx = *state;

	fx_assert_ok(fx, fx_crlf(fx, thunderbird_series));
	assert_string_equal(fx->info.uid, "5c8e0d3b-7f4a-4f4e-9c3e-2b1d6a9e8f10");
	assert_int_equal(fx->info.comp, ICS_COMP_VEVENT);
	assert_true(fx->info.recurring);
	/* Ten Tuesdays from Apr 16 (day 106, T2024 + 106 d = 1713225600):
	 * 10:00 CEST = 08:00Z, 1713254400. The tenth is Jun 18 (day 169,
	 * 1718668800), ending 11:00 CEST = 09:00Z: 1718701200. */
	fx_assert_range(fx, 1713254400, 1718701200);

	fx_assert_ok(fx, fx_crlf(fx, thunderbird_all_day));
	assert_false(fx->info.recurring);
	/* May 1 is day 121: 1714521600, a floating day. */
	fx_assert_range(fx, 1714521600 - SLACK, 1714521600 + DAY + SLACK);
}

static void test_apple(void **state)
{
	struct fx *fx = *state;

	fx_assert_ok(fx, fx_crlf(fx, apple_event));
	assert_string_equal(fx->info.uid, "B1E3F0A2-6C1D-4E6B-9B8E-4A5C2F7D9E11");
	/* Apr 12 is day 102: 1712880000; 14:00 PDT = 21:00Z (+ 75600) =
	 * 1712955600, to 15:00 PDT = 22:00Z = 1712959200. */
	fx_assert_range(fx, 1712955600, 1712959200);

	fx_assert_ok(fx, fx_crlf(fx, apple_all_day_no_dtstamp));
	/* Jul 4 is day 185: 1704067200 + 185 d = 1720051200. */
	fx_assert_range(fx, 1720051200 - SLACK, 1720051200 + DAY + SLACK);

	fx_assert_ok(fx, fx_crlf(fx, apple_series_with_exception));
	assert_true(fx->info.recurring);
	/* Mondays 17:00Z from Jan 8 (day 7, 1704672000 + 61200 = 1704733200);
	 * Jan 15 deleted, Jan 29 moved to Wednesday Jan 31 17:00-19:00Z (day
	 * 30: 1706659200 + 19 h = 1706727600). */
	fx_assert_range(fx, 1704733200, 1706727600);
}

static void test_davx5(void **state)
{
	struct fx *fx = *state;

	fx_assert_ok(fx, fx_crlf(fx, davx5_series));
	assert_string_equal(fx->info.uid, "0c9e5b8e-2a55-4d3b-8d2d-0c1b9b1e5f77");
	/* Mondays 07:30-08:15 in Vienna (CEST, +2) from May 6 (day 126,
	 * 1714953600 + 05:30 = 1714973400) until Jun 3 05:30Z inclusive (day
	 * 154, 1717372800); May 20 is excluded. The last ends 06:15Z:
	 * 1717372800 + 22500 = 1717395300. */
	fx_assert_range(fx, 1714973400, 1717395300);

	fx_assert_ok(fx, fx_crlf(fx, davx5_task));
	assert_int_equal(fx->info.comp, ICS_COMP_VTODO);
	/* Due May 10 (day 130: 1715299200), a floating date: the moment
	 * [t, t + 1), a second either side for a task, then 14 h. */
	fx_assert_range(fx, 1715299200 - 1 - SLACK, 1715299200 + 2 + SLACK);
}

static void test_evolution(void **state)
{
	struct fx *fx = *state;

	fx_assert_ok(fx, fx_crlf(fx, evolution_series));
	assert_string_equal(fx->info.uid, "d7e9c5b1a3f2e4d6c8b0a9f7e5d3c1b2a4f6e8d0");
	/* Weekdays from Jun 10 (day 161: 1717977600), 09:00 BST = 08:00Z =
	 * 1718006400, for ever. */
	fx_assert_range(fx, 1718006400, ICS_TIME_MAX);

	fx_assert_ok(fx, fx_crlf(fx, evolution_memo));
	assert_int_equal(fx->info.comp, ICS_COMP_VJOURNAL);
	/* Jun 3 is day 154: 1717372800, a floating day. */
	fx_assert_range(fx, 1717372800 - SLACK, 1717372800 + DAY + SLACK);
}

static void test_outlook(void **state)
{
	struct fx *fx = *state;

	fx_assert_ok(fx, fx_crlf(fx, outlook_event));
	assert_string_equal(fx->info.uid, "040000008200E00074C5B7101A82E00800000000D0E1F2A3B4C5D6"
	                                  "01000000000000000010000000A1B2C3D4E5F60718293A4B5C6D7E8"
	                                  "F90");
	/* Aug 5 is day 217: 1722816000; 15:00 CEST = 13:00Z = 1722862800. */
	fx_assert_range(fx, 1722862800, 1722866400);
}

int test_ics_clients_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_thunderbird, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_apple, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_davx5, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_evolution, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_outlook, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
