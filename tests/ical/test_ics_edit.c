/* test_ics_edit.c - a booking's object as clients PUT it back after an
 * edit (ics_edit_read), and the object stored after the edit
 * (ics_edit_merge).
 *
 * The server's form is what booking/ publishes: ics_event_render of the
 * booking below, 2024-07-16 09:00-10:00 UTC (11:00 CEST). The client copies
 * are that object as Thunderbird, Apple Calendar, DAVx5 and Evolution send
 * it after a staff member moved or otherwise changed it.
 *
 * Anchors: 2024-07-16T00:00:00Z is day 197 of 2024 (July starts on day
 * 182): 1704067200 + 197 * 86400 = 1721088000. Berlin is UTC+2 in summer
 * (CEST) and UTC+1 in winter (CET).
 */
#include <stdio.h>
#include <stdlib.h>

#include "ics_edit.h"
#include "ics_event.h"
#include "sd_buf.h"
#include "test_ical.h"

#define JUL16 INT64_C(1721088000) /* 2024-07-16T00:00:00Z */

/* clang-format off */

#define BERLIN_VTIMEZONE                                                       \
	"BEGIN:VTIMEZONE\n"                                                    \
	"TZID:Europe/Berlin\n"                                                 \
	"BEGIN:DAYLIGHT\n"                                                     \
	"TZOFFSETFROM:+0100\n"                                                 \
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\n"                             \
	"DTSTART:19810329T020000\n"                                            \
	"TZNAME:MESZ\n"                                                        \
	"TZOFFSETTO:+0200\n"                                                   \
	"END:DAYLIGHT\n"                                                       \
	"BEGIN:STANDARD\n"                                                     \
	"TZOFFSETFROM:+0200\n"                                                 \
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\n"                            \
	"DTSTART:19961027T030000\n"                                            \
	"TZNAME:MEZ\n"                                                         \
	"TZOFFSETTO:+0100\n"                                                   \
	"END:STANDARD\n"                                                       \
	"END:VTIMEZONE\n"

/* A CALDAV:calendar-timezone value. */
static const char berlin_caltz[] =
	"BEGIN:VCALENDAR\n"
	"VERSION:2.0\n"
	"PRODID:-//slotdav//test//EN\n"
	BERLIN_VTIMEZONE
	"END:VCALENDAR\n";

/* Thunderbird 115 after dragging the booking to 14:00-15:00 Berlin time:
 * this year's zone only, its own SEQUENCE, X-MOZ-*, a default alarm, and
 * the X-SLOTDAV-* properties it kept (one changed by hand). */
static const char thunderbird_moved[] =
	"BEGIN:VCALENDAR\n"
	"PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\n"
	"VERSION:2.0\n"
	VTZ_THUNDERBIRD_BERLIN
	"BEGIN:VEVENT\n"
	"CREATED:20240701T080000Z\n"
	"LAST-MODIFIED:20240710T091500Z\n"
	"DTSTAMP:20240710T091500Z\n"
	"UID:slotdav-bk-42@salon.example\n"
	"SUMMARY:Haircut: Anna Berg (bring photo)\n"
	"STATUS:CONFIRMED\n"
	"ORGANIZER;CN=Salon Mitte:mailto:mitte@salon.example\n"
	"ATTENDEE;CN=Anna Berg;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:anna.be\n"
	" rg@example.org\n"
	"ATTENDEE;CN=Tom Weber;ROLE=CHAIR;PARTSTAT=ACCEPTED:mailto:tom@salon.example\n"
	"X-SLOTDAV-BOOKING-ID:42\n"
	"X-SLOTDAV-SERVICE:Haircut\\, long\n"
	"X-SLOTDAV-SERVICE-ID:7\n"
	"X-SLOTDAV-LOCATION-ID:3\n"
	"X-SLOTDAV-STATUS:cancelled\n"
	"CATEGORIES:Salon\n"
	"X-MOZ-GENERATION:3\n"
	"X-MOZ-LASTACK:20240716T083000Z\n"
	"X-MOZ-SNOOZE-TIME:20240716T115000Z\n"
	"DTSTART;TZID=Europe/Berlin:20240716T140000\n"
	"DTEND;TZID=Europe/Berlin:20240716T150000\n"
	"SEQUENCE:3\n"
	"LOCATION:Salon Mitte\\, Torstr. 1\\, Berlin\n"
	"DESCRIPTION:Please arrive 5 minutes early.\n"
	"BEGIN:VALARM\n"
	"ACTION:DISPLAY\n"
	"TRIGGER;VALUE=DURATION:-PT15M\n"
	"DESCRIPTION:Default Mozilla Description\n"
	"END:VALARM\n"
	"END:VEVENT\n"
	"END:VCALENDAR\n";

/* Apple Calendar (macOS 14) after moving it to 15:30 Berlin time: rule
 * based VTIMEZONE, X-APPLE-*, a structured location folded mid-value, an
 * acknowledged alarm, a calendar-level X-WR-CALNAME. */
static const char apple_moved[] =
	"BEGIN:VCALENDAR\n"
	"VERSION:2.0\n"
	"PRODID:-//Apple Inc.//macOS 14.5//EN\n"
	"CALSCALE:GREGORIAN\n"
	"X-WR-CALNAME:Bookings\n"
	BERLIN_VTIMEZONE
	"BEGIN:VEVENT\n"
	"TRANSP:OPAQUE\n"
	"DTEND;TZID=Europe/Berlin:20240716T163000\n"
	"X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\n"
	"UID:slotdav-bk-42@salon.example\n"
	"DTSTAMP:20240711T071502Z\n"
	"LOCATION:Salon Mitte\\, Torstr. 1\\, Berlin\n"
	"DESCRIPTION:Please arrive 5 minutes early.\n"
	"X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-ADDRESS=\"Torstr. 1, 10119 Berlin\";X\n"
	" -APPLE-RADIUS=70.5;X-TITLE=\"Salon Mitte\":geo:52.529,13.401\n"
	"SEQUENCE:1\n"
	"STATUS:CONFIRMED\n"
	"SUMMARY:Haircut: Anna Berg\n"
	"LAST-MODIFIED:20240711T071502Z\n"
	"DTSTART;TZID=Europe/Berlin:20240716T153000\n"
	"CREATED:20240701T080000Z\n"
	"ORGANIZER;CN=\"Salon Mitte\":mailto:mitte@salon.example\n"
	"ATTENDEE;CN=\"Anna Berg\";CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;ROLE=REQ-PARTI\n"
	" CIPANT:mailto:anna.berg@example.org\n"
	"ATTENDEE;CN=\"Tom Weber\";CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;ROLE=CHAIR:mai\n"
	" lto:tom@salon.example\n"
	"X-SLOTDAV-BOOKING-ID:42\n"
	"X-SLOTDAV-SERVICE-ID:7\n"
	"BEGIN:VALARM\n"
	"X-WR-ALARMUID:6F1A1B2C-3D4E-5F60-7182-93A4B5C6D7E8\n"
	"UID:6F1A1B2C-3D4E-5F60-7182-93A4B5C6D7E8\n"
	"TRIGGER:-PT30M\n"
	"ATTACH;VALUE=URI:Chord\n"
	"ACTION:AUDIO\n"
	"X-APPLE-DEFAULT-ALARM:TRUE\n"
	"ACKNOWLEDGED:20240716T130001Z\n"
	"END:VALARM\n"
	"END:VEVENT\n"
	"END:VCALENDAR\n";

/* DAVx5 (ical4j) after a move to 10:00 Berlin time on Android: DURATION
 * instead of DTEND, the VTIMEZONE after the event, a colour. */
static const char davx5_moved[] =
	"BEGIN:VCALENDAR\n"
	"VERSION:2.0\n"
	"PRODID:DAVx5/4.4.1-ose ical4j/3.2.19 (com.google.android.calendar)\n"
	"BEGIN:VEVENT\n"
	"DTSTAMP:20240712T101010Z\n"
	"UID:slotdav-bk-42@salon.example\n"
	"SEQUENCE:1\n"
	"SUMMARY:Haircut: Anna Berg\n"
	"LOCATION:Salon Mitte\\, Torstr. 1\\, Berlin\n"
	"DTSTART;TZID=Europe/Berlin:20240716T100000\n"
	"DURATION:PT45M\n"
	"STATUS:CONFIRMED\n"
	"ORGANIZER;CN=Salon Mitte:mailto:mitte@salon.example\n"
	"ATTENDEE;CN=Anna Berg;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:anna.b\n"
	" erg@example.org\n"
	"ATTENDEE;CN=Tom Weber;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:tom@salon.example\n"
	"COLOR:cornflowerblue\n"
	"CLASS:PRIVATE\n"
	"X-SLOTDAV-BOOKING-ID:42\n"
	"BEGIN:VALARM\n"
	"TRIGGER:-PT10M\n"
	"ACTION:DISPLAY\n"
	"DESCRIPTION:Haircut: Anna Berg\n"
	"END:VALARM\n"
	"END:VEVENT\n"
	"BEGIN:VTIMEZONE\n"
	"TZID:Europe/Berlin\n"
	"TZURL:https://www.tzurl.org/zoneinfo-outlook/Europe/Berlin\n"
	"X-LIC-LOCATION:Europe/Berlin\n"
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

/* Evolution after moving it into winter time, 5 November 14:00 Berlin:
 * libical's own zone under its old prefix, CATEGORIES, an alarm. */
static const char evolution_moved[] =
	"BEGIN:VCALENDAR\n"
	"CALSCALE:GREGORIAN\n"
	"PRODID:-//Ximian//NONSGML Evolution Calendar//EN\n"
	"VERSION:2.0\n"
	"BEGIN:VTIMEZONE\n"
	"TZID:/freeassociation.sourceforge.net/Europe/Berlin\n"
	"X-LIC-LOCATION:Europe/Berlin\n"
	"BEGIN:STANDARD\n"
	"TZNAME:CET\n"
	"DTSTART:19701025T030000\n"
	"TZOFFSETFROM:+0200\n"
	"TZOFFSETTO:+0100\n"
	"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\n"
	"END:STANDARD\n"
	"BEGIN:DAYLIGHT\n"
	"TZNAME:CEST\n"
	"DTSTART:19700329T020000\n"
	"TZOFFSETFROM:+0100\n"
	"TZOFFSETTO:+0200\n"
	"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\n"
	"END:DAYLIGHT\n"
	"END:VTIMEZONE\n"
	"BEGIN:VEVENT\n"
	"UID:slotdav-bk-42@salon.example\n"
	"DTSTAMP:20240713T120000Z\n"
	"DTSTART;TZID=/freeassociation.sourceforge.net/Europe/Berlin:20241105T\n"
	" 140000\n"
	"DTEND;TZID=/freeassociation.sourceforge.net/Europe/Berlin:20241105T15000\n"
	" 0\n"
	"SEQUENCE:2\n"
	"SUMMARY:Haircut: Anna Berg\n"
	"STATUS:CONFIRMED\n"
	"ORGANIZER;CN=Salon Mitte:MAILTO:mitte@salon.example\n"
	"ATTENDEE;CN=Anna Berg;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:MAILTO:Anna.Be\n"
	" rg@Example.ORG\n"
	"ATTENDEE;CN=Tom Weber;ROLE=CHAIR;PARTSTAT=ACCEPTED:MAILTO:tom@salon.example\n"
	"TRANSP:OPAQUE\n"
	"CLASS:PUBLIC\n"
	"CATEGORIES:Business,Salon\n"
	"CREATED:20240701T080000Z\n"
	"LAST-MODIFIED:20240713T120000Z\n"
	"X-SLOTDAV-BOOKING-ID:42\n"
	"BEGIN:VALARM\n"
	"X-EVOLUTION-ALARM-UID:20240713T120000Z-1234-1000-1-1@laptop\n"
	"ACTION:DISPLAY\n"
	"TRIGGER;VALUE=DURATION;RELATED=START:-PT15M\n"
	"DESCRIPTION:Haircut: Anna Berg\n"
	"END:VALARM\n"
	"END:VEVENT\n"
	"END:VCALENDAR\n";

/* clang-format on */

/* ---- fixtures ---- */

static const struct ics_party organizer = { "Salon Mitte", "mailto:mitte@salon.example", NULL,
	                                    NULL };
static const struct ics_party attendees[] = {
	{ "Anna Berg", "mailto:anna.berg@example.org", "REQ-PARTICIPANT", "ACCEPTED" },
	{ "Tom Weber", "mailto:tom@salon.example", "CHAIR", "ACCEPTED" },
};
static const struct ics_xprop server_x[] = {
	{ "X-SLOTDAV-BOOKING-ID", "42" },    { "X-SLOTDAV-SERVICE", "Haircut, long" },
	{ "X-SLOTDAV-SERVICE-ID", "7" },     { "X-SLOTDAV-LOCATION-ID", "3" },
	{ "X-SLOTDAV-STATUS", "confirmed" },
};

/* The booking as booking/ publishes it: 09:00-10:00Z on 16 July. */
static const char *server_form(struct fx *fx, const char *summary, const char *transp)
{
	struct ics_event ev = {
		.uid = "slotdav-bk-42@salon.example",
		.dtstamp = JUL16 - 5 * DAY,
		.start = JUL16 + 9 * HOUR,
		.end = JUL16 + 10 * HOUR,
		.sequence = 4,
		.status = "CONFIRMED",
		.transp = transp,
		.summary = summary,
		.location = "Salon Mitte, Torstr. 1, Berlin",
		.description = "Please arrive 5 minutes early.",
		.organizer = &organizer,
		.attendees = attendees,
		.nattendees = 2,
		.xprops = server_x,
		.nxprops = sizeof(server_x) / sizeof(server_x[0]),
	};

	return ics_event_render(fx->a, &ev, "-//slotdav//slotdav 0.1//EN");
}

static struct ics_edit *read_ok(struct fx *fx, const char *text, const char *deftz)
{
	struct ics_edit *e = sd_arena_alloc(fx->a, sizeof(*e));
	int rc;

	sd_err_clear(&fx->err);
	rc = ics_edit_read(text, strlen(text), deftz, fx->a, e, &fx->err);
	if (rc != ICS_OK)
		print_error("ics_edit_read: %d: %s\n", rc, fx->err.msg);
	assert_int_equal(rc, ICS_OK);
	return e;
}

/* A VEVENT (body) of the booking's UID in a VCALENDAR, CRLF. */
static const char *event(struct fx *fx, const char *body)
{
	return fx_cal(fx, sd_arena_printf(fx->a,
	                                  "BEGIN:VEVENT\nUID:slotdav-bk-42@salon.example\n"
	                                  "DTSTAMP:20240710T091500Z\n%sEND:VEVENT\n",
	                                  body));
}

/* Asserts the form of the output: CRLF only, lines of at most 75 octets
 * not cut inside a UTF-8 sequence, and ics_object_check passes. */
static void assert_well_formed(struct fx *fx, const char *text)
{
	const char *s = text;
	int rc;

	while (*s) {
		const char *eol = strstr(s, "\r\n");

		assert_non_null(eol);
		assert_null(memchr(s, '\n', (size_t)(eol - s)));
		assert_true(eol - s <= 75);
		if (s != text && *s == ' ')
			assert_true(((unsigned char)s[1] & 0xC0) != 0x80);
		s = eol + 2;
	}
	rc = fx_check_mask(fx, text, ICS_COMP_VEVENT);
	if (rc != ICS_OK)
		print_error("merged object refused: %s\n--\n%s\n", fx->err.msg, text);
	assert_int_equal(rc, ICS_OK);
}

/* Merges and asserts the result is well formed and a second merge changes
 * nothing. */
static const char *merge_ok(struct fx *fx, const char *server, const char *client)
{
	const char *m = ics_edit_merge(fx->a, server, client);
	const char *again;

	assert_non_null(m);
	assert_well_formed(fx, m);
	again = ics_edit_merge(fx->a, server, m);
	if (strcmp(m, again) != 0)
		print_error("merge is not idempotent:\n%s\n--\n%s\n", m, again);
	assert_string_equal(m, again);
	return m;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* ---- ics_edit_read ---- */

static void test_read_thunderbird(void **state)
{
	struct fx *fx = *state;
	struct ics_edit *e = read_ok(fx, fx_crlf(fx, thunderbird_moved), NULL);

	assert_string_equal(e->uid, "slotdav-bk-42@salon.example");
	assert_int_equal(e->nevents, 1);
	assert_false(e->recurring);
	/* 14:00 CEST = 12:00Z. */
	assert_true(e->start == JUL16 + 12 * HOUR);
	assert_true(e->end == JUL16 + 13 * HOUR);
	assert_false(e->all_day);
	assert_false(e->floating);
	assert_string_equal(e->status, "CONFIRMED");
	assert_true(e->sequence == 3);
	assert_string_equal(e->summary, "Haircut: Anna Berg (bring photo)");
	assert_string_equal(e->location, "Salon Mitte, Torstr. 1, Berlin");
	assert_string_equal(e->description, "Please arrive 5 minutes early.");
	assert_non_null(e->organizer);
	assert_string_equal(e->organizer->address, "mailto:mitte@salon.example");
	assert_string_equal(e->organizer->cn, "Salon Mitte");
	assert_null(e->organizer->partstat);
	assert_int_equal(e->nattendees, 2);
	assert_string_equal(e->attendees[0].address, "mailto:anna.berg@example.org");
	assert_string_equal(e->attendees[0].partstat, "ACCEPTED");
	assert_string_equal(e->attendees[1].role, "CHAIR");
	assert_int_equal(e->nx_slotdav, 5);
	assert_string_equal(e->booking_id, "42");
	assert_null(e->cancel_reason);
	assert_string_equal(ics_edit_xprop(e, "x-slotdav-service"), "Haircut, long");
	assert_string_equal(ics_edit_xprop(e, "X-SLOTDAV-SERVICE-ID"), "7");
	assert_string_equal(ics_edit_xprop(e, "X-MOZ-GENERATION"), "3");
	assert_null(ics_edit_xprop(e, "X-SLOTDAV-PRIVATE-NOTES"));
	assert_int_equal(e->nxprops, 8);
}

static void test_read_apple(void **state)
{
	struct fx *fx = *state;
	struct ics_edit *e = read_ok(fx, fx_crlf(fx, apple_moved), NULL);

	/* 15:30 CEST = 13:30Z, an hour. */
	assert_true(e->start == JUL16 + 13 * HOUR + 1800);
	assert_true(e->end == JUL16 + 14 * HOUR + 1800);
	assert_true(e->sequence == 1);
	assert_string_equal(e->organizer->cn, "Salon Mitte");
	assert_string_equal(e->attendees[0].cn, "Anna Berg");
	assert_string_equal(e->attendees[0].role, "REQ-PARTICIPANT");
	assert_string_equal(ics_edit_xprop(e, "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR"), "AUTOMATIC");
	/* A URI value is not TEXT: kept as written. */
	assert_string_equal(ics_edit_xprop(e, "X-APPLE-STRUCTURED-LOCATION"), "geo:52.529,13.401");
	assert_int_equal(e->nx_slotdav, 2);
	/* The alarm's X-WR-ALARMUID is the alarm's, not the event's. */
	assert_null(ics_edit_xprop(e, "X-WR-ALARMUID"));
}

static void test_read_davx5_duration(void **state)
{
	struct fx *fx = *state;
	struct ics_edit *e = read_ok(fx, fx_crlf(fx, davx5_moved), NULL);

	/* 10:00 CEST = 08:00Z, PT45M. */
	assert_true(e->start == JUL16 + 8 * HOUR);
	assert_true(e->end == JUL16 + 8 * HOUR + 45 * 60);
	assert_null(e->description);
	assert_null(e->cancel_reason);
	assert_string_equal(e->organizer->address, "mailto:mitte@salon.example");

	/* P1D over the change to winter time is a day on the wall clock: 25
	 * hours. Oct 26 is day 299: 1729900800; 10:00 CEST = 08:00Z; Oct 27
	 * 10:00 CET = 09:00Z. */
	e = read_ok(fx, event(fx, "DTSTART;TZID=Europe/Berlin:20241026T100000\nDURATION:P1D\n"),
	            NULL);
	assert_true(e->start == 1729900800 + 8 * HOUR);
	assert_true(e->end == 1729900800 + DAY + 9 * HOUR);
	/* PT24H is exact. */
	e = read_ok(fx, event(fx, "DTSTART;TZID=Europe/Berlin:20241026T100000\nDURATION:PT24H\n"),
	            NULL);
	assert_true(e->end == 1729900800 + 8 * HOUR + DAY);
}

static void test_read_evolution_winter(void **state)
{
	struct fx *fx = *state;
	struct ics_edit *e = read_ok(fx, fx_crlf(fx, evolution_moved), NULL);

	/* Nov 5 is day 309: 1730764800; 14:00 CET = 13:00Z. */
	assert_true(e->start == 1730764800 + 13 * HOUR);
	assert_true(e->end == 1730764800 + 14 * HOUR);
	/* MAILTO:Anna.Berg@Example.ORG compares as the server's address. */
	assert_string_equal(e->attendees[0].address, "mailto:anna.berg@example.org");
	assert_string_equal(e->attendees[0].uri, "MAILTO:Anna.Berg@Example.ORG");
	assert_string_equal(e->organizer->address, "mailto:mitte@salon.example");
}

static void test_read_floating_all_day(void **state)
{
	struct fx *fx = *state;
	const char *caltz = fx_crlf(fx, berlin_caltz);
	const char *floating = event(fx, "DTSTART:20240716T100000\nDTEND:20240716T110000\n");
	const char *all_day = event(fx, "DTSTART;VALUE=DATE:20240716\n");
	struct ics_edit *e;

	e = read_ok(fx, floating, caltz); /* 10:00 in Berlin = 08:00Z */
	assert_true(e->floating);
	assert_false(e->all_day);
	assert_true(e->start == JUL16 + 8 * HOUR);
	assert_true(e->end == JUL16 + 9 * HOUR);
	e = read_ok(fx, floating, NULL); /* UTC */
	assert_true(e->start == JUL16 + 10 * HOUR);

	e = read_ok(fx, all_day, NULL); /* one day, from midnight UTC */
	assert_true(e->all_day);
	assert_true(e->floating);
	assert_true(e->start == JUL16);
	assert_true(e->end == JUL16 + DAY);
	e = read_ok(fx, all_day, caltz); /* from midnight in Berlin */
	assert_true(e->start == JUL16 - 2 * HOUR);
	assert_true(e->end == JUL16 + DAY - 2 * HOUR);
	e = read_ok(fx, event(fx, "DTSTART;VALUE=DATE:20240716\nDTEND;VALUE=DATE:20240718\n"),
	            NULL);
	assert_true(e->end == JUL16 + 2 * DAY);
	/* A DATE-TIME alone lasts no time. */
	e = read_ok(fx, event(fx, "DTSTART:20240716T100000Z\n"), caltz);
	assert_false(e->floating);
	assert_true(e->start == JUL16 + 10 * HOUR && e->end == e->start);
	/* A default zone that cannot be read counts as UTC. */
	e = read_ok(fx, floating, "BEGIN:VCALENDAR\r\nnonsense");
	assert_true(e->start == JUL16 + 10 * HOUR);
}

static void test_read_cancelled(void **state)
{
	struct fx *fx = *state;
	struct ics_edit *e = read_ok(
	    fx,
	    event(fx, "DTSTART:20240716T090000Z\nDTEND:20240716T100000Z\n"
	              "SEQUENCE:5\nSTATUS:CANCELLED\n"
	              "SUMMARY:Haircut\\; cancelled\n"
	              "DESCRIPTION:Line one\\nLine two\\\\end\n"
	              "ATTENDEE;CN=\"Berg, Anna\";PARTSTAT=DECLINED:mailto:anna.berg@example.org\n"
	              "ATTENDEE:mailto:tom@salon.example\n"
	              "X-SLOTDAV-BOOKING-ID:42\n"
	              "X-SLOTDAV-CANCEL-REASON:other: ill\\, sorry\n"),
	    NULL);

	assert_string_equal(e->status, "CANCELLED");
	assert_true(e->sequence == 5);
	assert_string_equal(e->summary, "Haircut; cancelled");
	assert_string_equal(e->description, "Line one\nLine two\\end");
	assert_string_equal(e->cancel_reason, "other: ill, sorry");
	assert_null(e->organizer);
	assert_int_equal(e->nattendees, 2);
	assert_string_equal(e->attendees[0].cn, "Berg, Anna");
	assert_string_equal(e->attendees[0].partstat, "DECLINED");
	/* Defaults of RFC 5545 3.2.12 and 3.2.16. */
	assert_null(e->attendees[1].cn);
	assert_string_equal(e->attendees[1].partstat, "NEEDS-ACTION");
	assert_string_equal(e->attendees[1].role, "REQ-PARTICIPANT");
	/* No STATUS, SEQUENCE, SUMMARY: NULL and 0; an empty SUMMARY is "". */
	e = read_ok(fx, event(fx, "DTSTART:20240716T090000Z\nSUMMARY:\n"), NULL);
	assert_null(e->status);
	assert_true(e->sequence == 0);
	assert_string_equal(e->summary, "");
	assert_null(e->location);
	assert_int_equal(e->nattendees, 0);
	assert_int_equal(e->nxprops, 0);
}

static void test_read_recurring(void **state)
{
	struct fx *fx = *state;
	struct ics_edit *e;

	e = read_ok(fx,
	            event(fx, "DTSTART:20240716T090000Z\nDTEND:20240716T100000Z\n"
	                      "RRULE:FREQ=WEEKLY;COUNT=4\n"),
	            NULL);
	assert_true(e->recurring);
	assert_int_equal(e->nevents, 1);
	assert_true(e->start == JUL16 + 9 * HOUR);

	/* A master and an override: two VEVENTs; the master is read. */
	e = read_ok(fx,
	            fx_cal(fx, "BEGIN:VEVENT\nUID:u1\nDTSTAMP:20240710T091500Z\n"
	                       "RECURRENCE-ID:20240723T090000Z\n"
	                       "DTSTART:20240723T120000Z\nSUMMARY:moved\nEND:VEVENT\n"
	                       "BEGIN:VEVENT\nUID:u1\nDTSTAMP:20240710T091500Z\n"
	                       "DTSTART:20240716T090000Z\nSUMMARY:master\n"
	                       "RRULE:FREQ=WEEKLY\nEND:VEVENT\n"),
	            NULL);
	assert_int_equal(e->nevents, 2);
	assert_true(e->recurring);
	assert_string_equal(e->summary, "master");
	assert_true(e->start == JUL16 + 9 * HOUR);

	/* RRULEs of a VTIMEZONE are not the event's. */
	e = read_ok(fx, fx_crlf(fx, apple_moved), NULL);
	assert_false(e->recurring);
}

static void test_read_errors(void **state)
{
	struct fx *fx = *state;
	struct ics_edit e;
	const char *text;
	int rc;

	text = event(fx, "DTSTART;TZID=Mars/Olympus_Mons:20240716T100000\n");
	rc = ics_edit_read(text, strlen(text), NULL, fx->a, &e, &fx->err);
	fx_assert_fail(fx, rc, ICS_EOBJECT, "TZID 'Mars/Olympus_Mons' is not defined");
	assert_null(e.uid);

	text = event(fx, "DTSTART:20240716T100000Z\nDTEND:20240716T090000Z\n");
	rc = ics_edit_read(text, strlen(text), NULL, fx->a, &e, &fx->err);
	assert_int_equal(rc, ICS_EPARSE);

	text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n";
	rc = ics_edit_read(text, strlen(text), NULL, fx->a, &e, &fx->err);
	fx_assert_fail(fx, rc, ICS_EPARSE, "never closed");

	text = fx_cal(fx, "BEGIN:VTODO\nUID:t\nDTSTAMP:20240710T091500Z\nEND:VTODO\n");
	rc = ics_edit_read(text, strlen(text), NULL, fx->a, &e, &fx->err);
	assert_int_equal(rc, ICS_ECOMPONENT);
}

/* ---- ics_edit_merge ---- */

static void test_merge_apple(void **state)
{
	struct fx *fx = *state;
	const char *server = server_form(fx, "Haircut: Anna Berg", NULL);
	const char *m = merge_ok(fx, server, fx_crlf(fx, apple_moved));
	struct ics_edit *e = read_ok(fx, m, NULL);

	/* The booking's time, sequence and parties. */
	assert_true(e->start == JUL16 + 9 * HOUR);
	assert_true(e->end == JUL16 + 10 * HOUR);
	assert_true(e->sequence == 4);
	assert_int_equal(e->nx_slotdav, 5);
	assert_null(strstr(m, "TZID"));
	assert_null(strstr(m, "VTIMEZONE"));
	assert_null(strstr(m, "CUTYPE"));
	/* The client's alarm, verbatim and in order, and its own properties. */
	assert_non_null(strstr(m,
	                       "BEGIN:VALARM\r\nX-WR-ALARMUID:6F1A1B2C-3D4E-5F60-7182-93A4B5C6D"
	                       "7E8\r\nUID:6F1A1B2C-3D4E-5F60-7182-93A4B5C6D7E8\r\nTRIGGER:-PT3"
	                       "0M\r\nATTACH;VALUE=URI:Chord\r\nACTION:AUDIO\r\nX-APPLE-DEFAULT-AL"
	                       "ARM:TRUE\r\nACKNOWLEDGED:20240716T130001Z\r\nEND:VALARM\r\nEND:VEV"
	                       "ENT\r\n"));
	assert_string_equal(ics_edit_xprop(e, "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR"), "AUTOMATIC");
	assert_string_equal(ics_edit_xprop(e, "X-APPLE-STRUCTURED-LOCATION"), "geo:52.529,13.401");
	assert_non_null(strstr(m, "X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-ADDRESS=\"Torstr. 1, "
	                          "10119 Berlin\";X\r\n -APPLE-RADIUS=70.5;"));
	assert_non_null(strstr(m, "TRANSP:OPAQUE\r\n"));
	assert_non_null(strstr(m, "CREATED:20240701T080000Z\r\n"));
	assert_non_null(strstr(m, "X-WR-CALNAME:Bookings\r\n"));
	assert_int_equal(count(m, "PRODID:"), 1);
	assert_non_null(strstr(m, "PRODID:-//slotdav//slotdav 0.1//EN\r\n"));
	assert_int_equal(count(m, "SUMMARY:"), 1);
}

static void test_merge_thunderbird(void **state)
{
	struct fx *fx = *state;
	const char *server = server_form(fx, "Haircut: Anna Berg", NULL);
	const char *m = merge_ok(fx, server, fx_crlf(fx, thunderbird_moved));
	struct ics_edit *e = read_ok(fx, m, NULL);

	/* Replaced by the server's: the time, STATUS, SEQUENCE, the X-SLOTDAV-*
	 * the client changed, the attendees. */
	assert_true(e->start == JUL16 + 9 * HOUR);
	assert_string_equal(ics_edit_xprop(e, "X-SLOTDAV-STATUS"), "confirmed");
	assert_int_equal(count(m, "X-SLOTDAV-STATUS"), 1);
	assert_int_equal(count(m, "ATTENDEE"), 2);
	assert_int_equal(count(m, "DTSTART"), 1);
	assert_int_equal(count(m, "SEQUENCE"), 1);
	/* Kept: the client's SUMMARY in the server's place, CATEGORIES,
	 * X-MOZ-*, the alarm. */
	assert_string_equal(e->summary, "Haircut: Anna Berg (bring photo)");
	assert_non_null(strstr(m, "SEQUENCE:4\r\nSTATUS:CONFIRMED\r\nSUMMARY:Haircut: Anna Berg "
	                          "(bring photo)\r\nLOCATION:"));
	assert_non_null(strstr(m, "CATEGORIES:Salon\r\n"));
	assert_string_equal(ics_edit_xprop(e, "X-MOZ-GENERATION"), "3");
	assert_string_equal(ics_edit_xprop(e, "X-MOZ-SNOOZE-TIME"), "20240716T115000Z");
	assert_non_null(strstr(m, "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER;VALUE=DURATION:-PT15M"
	                          "\r\nDESCRIPTION:Default Mozilla Description\r\nEND:VALARM\r\n"));
}

static void test_merge_davx5_evolution(void **state)
{
	struct fx *fx = *state;
	const char *server = server_form(fx, "Haircut: Anna Berg", NULL);
	const char *m = merge_ok(fx, server, fx_crlf(fx, davx5_moved));
	struct ics_edit *e = read_ok(fx, m, NULL);

	assert_null(strstr(m, "DURATION"));
	assert_true(e->end == JUL16 + 10 * HOUR);
	assert_non_null(strstr(m, "COLOR:cornflowerblue\r\nCLASS:PRIVATE\r\nBEGIN:VALARM\r\n"));
	assert_int_equal(count(m, "ORGANIZER"), 1);

	m = merge_ok(fx, server, fx_crlf(fx, evolution_moved));
	e = read_ok(fx, m, NULL);
	assert_true(e->start == JUL16 + 9 * HOUR);
	assert_null(strstr(m, "MAILTO"));
	assert_null(strstr(m, "freeassociation"));
	assert_non_null(strstr(m, "CATEGORIES:Business,Salon\r\n"));
	assert_non_null(
	    strstr(m, "X-EVOLUTION-ALARM-UID:20240713T120000Z-1234-1000-1-1@laptop\r\n"));
}

static void test_merge_summary_transp(void **state)
{
	struct fx *fx = *state;
	const char *server = server_form(fx, "Haircut: Anna Berg", NULL);
	const char *m;

	/* No SUMMARY from the client: the server's. */
	m = merge_ok(fx, server, event(fx, "DTSTART:20240716T090000Z\nCATEGORIES:X\n"));
	assert_non_null(strstr(m, "SUMMARY:Haircut: Anna Berg\r\n"));
	/* Two from the client: its first. */
	m = merge_ok(fx, server, event(fx, "DTSTART:20240716T090000Z\nSUMMARY:one\nSUMMARY:two\n"));
	assert_int_equal(count(m, "SUMMARY"), 1);
	assert_non_null(strstr(m, "SUMMARY:one\r\n"));
	/* A server form without SUMMARY takes the client's. */
	m = merge_ok(fx, server_form(fx, NULL, NULL),
	             event(fx, "DTSTART:20240716T090000Z\nSUMMARY:mine\n"));
	assert_non_null(strstr(m, "SUMMARY:mine\r\n"));
	/* A request event's TRANSPARENT stays: the server renders TRANSP. */
	m = merge_ok(fx, server_form(fx, "Awaiting approval", "TRANSPARENT"),
	             event(fx, "DTSTART:20240716T090000Z\nTRANSP:OPAQUE\nPRIORITY:1\n"));
	assert_int_equal(count(m, "TRANSP:"), 1);
	assert_non_null(strstr(m, "TRANSP:TRANSPARENT\r\n"));
	assert_non_null(strstr(m, "PRIORITY:1\r\n"));
}

static void test_merge_no_client(void **state)
{
	struct fx *fx = *state;
	const char *server = server_form(fx, "Haircut: Anna Berg", NULL);

	assert_string_equal(ics_edit_merge(fx->a, server, NULL), server);
	assert_string_equal(ics_edit_merge(fx->a, server, ""), server);
	assert_string_equal(ics_edit_merge(fx->a, server, "garbage"), server);
	assert_string_equal(ics_edit_merge(fx->a, server, "BEGIN:VCALENDAR\r\nX-A:1\r\n"), server);
	assert_string_equal(ics_edit_merge(fx->a, server, "BEGIN:VCALENDAR\r\nEND:VEVENT\r\n"),
	                    server);
	assert_null(ics_edit_merge(fx->a, NULL, server));
	/* The server's own form merged with itself. */
	assert_string_equal(merge_ok(fx, server, server), server);
	/* A client without VEVENT: its calendar properties only. */
	assert_non_null(
	    strstr(merge_ok(fx, server, fx_cal(fx, "X-WR-CALNAME:Mine\nMETHOD:PUBLISH\n")),
	           "CALSCALE:GREGORIAN\r\nX-WR-CALNAME:Mine\r\nBEGIN:VEVENT\r\n"));
}

/* Values libical refuses are left out, one by one; the rest is kept. */
static void test_merge_bad_values(void **state)
{
	struct fx *fx = *state;
	const char *server = server_form(fx, "Haircut: Anna Berg", NULL);
	const char *m;

	m = merge_ok(fx, server,
	             fx_cal(fx, "X-WR-TIMEZONE:Europe/Berlin\n"
	                        "BEGIN:VTIMEZONE\nTZID:Shop Time\n"
	                        "BEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\n"
	                        "TZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n"
	                        "BEGIN:VTIMEZONE\nTZID:Unused\n"
	                        "BEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0300\n"
	                        "TZOFFSETTO:+0300\nEND:STANDARD\nEND:VTIMEZONE\n"
	                        "BEGIN:VEVENT\nUID:slotdav-bk-42@salon.example\n"
	                        "DTSTART:20240716T090000Z\n"
	                        "GEO:north\n"
	                        "CREATED:20240230T000000Z\n"
	                        "LAST-MODIFIED:2024\n"
	                        "CATEGORIES:Kept\n"
	                        "X-SHOP-REMIND;TZID=Shop Time:20240716T080000\n"
	                        "X-SHOP-OTHER;TZID=Nowhere/Zone:20240716T080000\n"
	                        "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:soon\nEND:VALARM\n"
	                        "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT5M\n"
	                        "DESCRIPTION:ok\nEND:VALARM\n"
	                        "END:VEVENT\n"));
	assert_null(strstr(m, "GEO"));
	assert_null(strstr(m, "CREATED"));
	assert_null(strstr(m, "LAST-MODIFIED"));
	assert_null(strstr(m, "TRIGGER:soon"));
	assert_null(strstr(m, "Nowhere"));
	assert_null(strstr(m, "Unused"));
	assert_non_null(strstr(m, "CATEGORIES:Kept\r\n"));
	assert_non_null(strstr(m, "X-WR-TIMEZONE:Europe/Berlin\r\n"));
	assert_non_null(strstr(m, "TRIGGER:-PT5M\r\n"));
	/* The zone a kept property names comes along. */
	assert_non_null(strstr(m, "X-SHOP-REMIND;TZID=Shop Time:20240716T080000\r\n"));
	assert_int_equal(count(m, "BEGIN:VTIMEZONE"), 1);
	assert_non_null(strstr(m, "TZID:Shop Time\r\n"));
}

/* Long lines are folded at 75 octets, not inside a character. */
static void test_merge_folding(void **state)
{
	struct fx *fx = *state;
	const char *server = server_form(fx, "Haircut: Anna Berg", NULL);
	struct sd_buf b;
	const char *m;
	struct ics_edit *e;

	sd_buf_init(&b, 0);
	sd_buf_adds(&b, "DTSTART:20240716T090000Z\nSUMMARY:");
	for (int i = 0; i < 60; i++)
		sd_buf_adds(&b, "Größe ");
	sd_buf_adds(&b, "\n");
	m = merge_ok(fx, server, event(fx, sd_buf_cstr(&b)));
	sd_buf_free(&b);
	e = read_ok(fx, m, NULL);
	assert_int_equal(strlen(e->summary), 60 * strlen("Größe "));
}

/* Hostile input: many properties and alarms, a very long line, deep
 * nesting. Nothing crashes, the caps hold, the result passes the check. */
static void test_merge_hostile(void **state)
{
	struct fx *fx = *state;
	const char *server = server_form(fx, "Haircut: Anna Berg", NULL);
	struct sd_buf b;
	const char *m;

	sd_buf_init(&b, 0);
	sd_buf_adds(&b, "DTSTART:20240716T090000Z\n");
	for (int i = 0; i < 5000; i++)
		sd_buf_printf(&b, "X-JUNK-%d:%d\n", i, i);
	for (int i = 0; i < 50; i++)
		sd_buf_adds(&b, "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT5M\nEND:VALARM\n");
	m = merge_ok(fx, server, event(fx, sd_buf_cstr(&b)));
	assert_int_equal(count(m, "X-JUNK-"), 1000);
	assert_int_equal(count(m, "BEGIN:VALARM"), 0);

	/* Many bad values: each is tried alone and left out. */
	sd_buf_reset(&b);
	sd_buf_adds(&b, "DTSTART:20240716T090000Z\n");
	for (int i = 0; i < 900; i++)
		sd_buf_adds(&b, i % 2 ? "GEO:x\n" : "CATEGORIES:ok\n");
	m = merge_ok(fx, server, event(fx, sd_buf_cstr(&b)));
	assert_int_equal(count(m, "CATEGORIES:ok"), 450);
	assert_null(strstr(m, "GEO"));

	/* A 200 kB line, and components nested as deep as the lexer allows. */
	sd_buf_reset(&b);
	sd_buf_adds(&b, "DTSTART:20240716T090000Z\nX-BIG:");
	for (int i = 0; i < 20000; i++)
		sd_buf_adds(&b, "0123456789");
	sd_buf_adds(&b, "\n");
	for (int i = 0; i < 14; i++)
		sd_buf_printf(&b, "BEGIN:X-N%d\nX-D:%d\n", i, i);
	for (int i = 13; i >= 0; i--)
		sd_buf_printf(&b, "END:X-N%d\n", i);
	m = merge_ok(fx, server, event(fx, sd_buf_cstr(&b)));
	assert_non_null(strstr(m, "BEGIN:X-N13\r\nX-D:13\r\nEND:X-N13\r\n"));
	assert_true(strlen(m) > 200000);

	/* 3000 zones, each named by one property: a zone counts against the
	 * caps as an item with its lines, so 500 properties and 500 zones. */
	sd_buf_reset(&b);
	for (int i = 0; i < 3000; i++)
		sd_buf_printf(&b,
		              "BEGIN:VTIMEZONE\nTZID:Z%d\nBEGIN:STANDARD\n"
		              "DTSTART:19700101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\n"
		              "END:STANDARD\nEND:VTIMEZONE\n",
		              i);
	sd_buf_adds(&b, "BEGIN:VEVENT\nUID:x\nDTSTART:20240716T090000Z\n");
	for (int i = 0; i < 3000; i++)
		sd_buf_printf(&b, "X-R%d;TZID=Z%d:20240716T080000\n", i, i);
	sd_buf_adds(&b, "END:VEVENT\n");
	m = merge_ok(fx, server, fx_cal(fx, sd_buf_cstr(&b)));
	assert_int_equal(count(m, "BEGIN:VTIMEZONE"), 500);
	assert_int_equal(count(m, "X-R"), 500);
	assert_non_null(strstr(m, "X-R499;TZID=Z499:20240716T080000\r\n"));
	sd_buf_free(&b);

	/* Two VTIMEZONEs of one TZID: the first is the one. */
	m = merge_ok(fx, server,
	             fx_cal(fx, "BEGIN:VTIMEZONE\nTZID:Shop\nBEGIN:STANDARD\n"
	                        "DTSTART:19700101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\n"
	                        "END:STANDARD\nEND:VTIMEZONE\n"
	                        "BEGIN:VTIMEZONE\nTZID:Shop\nBEGIN:STANDARD\n"
	                        "DTSTART:19700101T000000\nTZOFFSETFROM:+0300\nTZOFFSETTO:+0300\n"
	                        "END:STANDARD\nEND:VTIMEZONE\n"
	                        "BEGIN:VEVENT\nUID:x\nDTSTART:20240716T090000Z\n"
	                        "X-R;TZID=\"Shop\":20240716T080000\nEND:VEVENT\n"));
	assert_int_equal(count(m, "BEGIN:VTIMEZONE"), 1);
	assert_non_null(strstr(m, "TZOFFSETTO:+0100"));

	/* Odd but lexable: overrides are not kept, so a client object of
	 * overrides alone keeps nothing of the event. */
	m = merge_ok(fx, server,
	             fx_cal(fx, "BEGIN:VEVENT\nUID:x\nRECURRENCE-ID:20240716T090000Z\n"
	                        "DTSTART:20240716T090000Z\nCATEGORIES:override\nEND:VEVENT\n"));
	assert_null(strstr(m, "override"));
}

int test_ics_edit_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_thunderbird, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_read_apple, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_read_davx5_duration, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_read_evolution_winter, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_read_floating_all_day, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_read_cancelled, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_read_recurring, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_read_errors, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_merge_apple, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_merge_thunderbird, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_merge_davx5_evolution, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_merge_summary_transp, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_merge_no_client, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_merge_bad_values, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_merge_folding, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_merge_hostile, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
