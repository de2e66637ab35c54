/* test_ics_sched.c - reading iTIP scheduling messages (ics_sched.h) as
 * Thunderbird, Apple Calendar and python-caldav post them to an Outbox,
 * and the REPLY a free-busy request gets (ics_fb_render_reply).
 * Entry point: test_ics_sched_run().
 */
#include "test_ical.h"

#include "ics_freebusy.h"
#include "ics_sched.h"

#define MSG(method, body) \
	"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n" method body "END:VCALENDAR\n"
#define FB(body) "BEGIN:VFREEBUSY\nUID:fb-1\nDTSTAMP:20240101T000000Z\n" body "END:VFREEBUSY\n"
#define RANGE    "DTSTART:20240108T000000Z\nDTEND:20240115T000000Z\n"
#define PARTIES  "ORGANIZER:mailto:alice@example.com\nATTENDEE:mailto:bob@example.com\n"

static int parse(struct fx *fx, const char *text, struct ics_sched_msg *m)
{
	const char *crlf = fx_crlf(fx, text);

	sd_err_clear(&fx->err);
	return ics_sched_parse(crlf, strlen(crlf), fx->a, m, &fx->err);
}

/* Thunderbird's request: attendee parameters, a second attendee, a UTC
 * range. */
static void test_thunderbird_request(void **state)
{
	struct fx *fx = *state;
	struct ics_sched_msg m;

	assert_int_equal(
	    parse(fx,
	          MSG("METHOD:REQUEST\n",
	              FB("DTSTART:20240108T000000Z\nDTEND:20240115T000000Z\n"
	                 "ORGANIZER:mailto:alice@example.com\n"
	                 "ATTENDEE;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;CUTYPE=INDIVIDUAL:"
	                 "mailto:bob@example.com\n"
	                 "ATTENDEE;CUTYPE=INDIVIDUAL:/dav/principals/carol/\n")),
	          &m),
	    ICS_OK);
	assert_string_equal(m.method, "REQUEST");
	assert_string_equal(m.comp, "VFREEBUSY");
	assert_int_equal(m.comp_bit, ICS_COMP_VFREEBUSY);
	assert_true(m.fb_request);
	assert_string_equal(m.uid, "fb-1");
	assert_string_equal(m.organizer, "mailto:alice@example.com");
	assert_int_equal(m.nattendees, 2);
	assert_string_equal(m.attendees[0], "mailto:bob@example.com");
	assert_string_equal(m.attendees[1], "/dav/principals/carol/");
	assert_true(m.start == T2024 + 7 * DAY && m.end == T2024 + 14 * DAY);
	assert_null(m.mask_uid);
}

/* Apple's: a zoned range with its VTIMEZONE, the mask of the event being
 * moved, no UID is fine too. */
static void test_apple_request(void **state)
{
	struct fx *fx = *state;
	struct ics_sched_msg m;

	assert_int_equal(
	    parse(fx,
	          MSG("METHOD:REQUEST\n",
	              "BEGIN:VTIMEZONE\nTZID:Europe/Berlin\nBEGIN:STANDARD\nTZOFFSETFROM:+0200\n"
	              "TZOFFSETTO:+0100\nDTSTART:19701025T030000\n"
	              "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nEND:STANDARD\nEND:VTIMEZONE\n"
	              "BEGIN:VFREEBUSY\nDTSTAMP:20240101T000000Z\n"
	              "DTSTART;TZID=Europe/Berlin:20240108T010000\n"
	              "DTEND;TZID=Europe/Berlin:20240109T010000\n" PARTIES
	              "X-CALENDARSERVER-MASK-UID:moving@example.com\nEND:VFREEBUSY\n"),
	          &m),
	    ICS_OK);
	assert_true(m.fb_request);
	assert_string_equal(m.uid, "");
	/* 01:00 in Berlin in January is midnight UTC. */
	assert_true(m.start == T2024 + 7 * DAY && m.end == T2024 + 8 * DAY);
	assert_string_equal(m.mask_uid, "moving@example.com");
}

/* Other messages are read as far as METHOD and kind. */
static void test_other_messages(void **state)
{
	struct fx *fx = *state;
	struct ics_sched_msg m;

	assert_int_equal(
	    parse(fx,
	          MSG("METHOD:request\n", "BEGIN:VEVENT\nUID:e\nDTSTAMP:20240101T000000Z\n"
	                                  "DTSTART:20240108T090000Z\n" PARTIES "END:VEVENT\n"),
	          &m),
	    ICS_OK);
	assert_string_equal(m.method, "REQUEST");
	assert_string_equal(m.comp, "VEVENT");
	assert_int_equal(m.comp_bit, ICS_COMP_VEVENT);
	assert_false(m.fb_request);
	/* A VFREEBUSY REPLY is not a request: its fields are not needed. */
	assert_int_equal(parse(fx, MSG("METHOD:REPLY\n", FB(PARTIES)), &m), ICS_OK);
	assert_string_equal(m.method, "REPLY");
	assert_false(m.fb_request);
	assert_int_equal(parse(fx, MSG("METHOD:X-SLOTDAV-PING\n", FB("")), &m), ICS_OK);
	assert_string_equal(m.method, "X-SLOTDAV-PING");
}

static void test_malformed(void **state)
{
	struct fx *fx = *state;
	struct ics_sched_msg m;

	fx_assert_fail(fx, parse(fx, "not iCalendar\n", &m), ICS_EPARSE, "line 1");
	fx_assert_fail(fx, parse(fx, MSG("METHOD:REQUEST\n", FB("DTSTART:20241301T000000Z\n")), &m),
	               ICS_EPARSE, "DTSTART");
	fx_assert_fail(fx, parse(fx, MSG("", FB(RANGE PARTIES)), &m), ICS_EOBJECT, "METHOD");
	fx_assert_fail(fx, parse(fx, MSG("METHOD:REQUEST\n", ""), &m), ICS_EOBJECT, "no component");
	fx_assert_fail(
	    fx,
	    parse(fx, MSG("METHOD:REQUEST\n", FB(RANGE PARTIES) "BEGIN:VTODO\nUID:t\nEND:VTODO\n"),
	          &m),
	    ICS_EOBJECT, "one kind");
	fx_assert_fail(fx,
	               parse(fx, MSG("METHOD:REQUEST\n", FB(RANGE PARTIES) FB(RANGE PARTIES)), &m),
	               ICS_EOBJECT, "exactly one VFREEBUSY");
	fx_assert_fail(
	    fx, parse(fx, MSG("METHOD:REQUEST\n", FB("DTSTART:20240108T000000Z\n" PARTIES)), &m),
	    ICS_EOBJECT, "DTEND");
	fx_assert_fail(fx,
	               parse(fx,
	                     MSG("METHOD:REQUEST\n",
	                         FB("DTSTART:20240108T000000Z\nDTEND:20240108T000000Z\n" PARTIES)),
	                     &m),
	               ICS_EOBJECT, "not after");
	fx_assert_fail(
	    fx,
	    parse(fx,
	          MSG("METHOD:REQUEST\n", FB("DTSTART;TZID=Mars/Olympus:20240108T000000\n"
	                                     "DTEND:20240109T000000Z\n" PARTIES)),
	          &m),
	    ICS_EOBJECT, "unknown time zone");
	fx_assert_fail(
	    fx,
	    parse(fx, MSG("METHOD:REQUEST\n", FB(RANGE "ATTENDEE:mailto:bob@example.com\n")), &m),
	    ICS_EOBJECT, "ORGANIZER");
	fx_assert_fail(
	    fx,
	    parse(fx,
	          MSG("METHOD:REQUEST\n", FB(RANGE PARTIES "ORGANIZER:mailto:carol@example.com\n")),
	          &m),
	    ICS_EOBJECT, "ORGANIZER");
	fx_assert_fail(
	    fx,
	    parse(fx, MSG("METHOD:REQUEST\n", FB(RANGE "ORGANIZER:mailto:alice@example.com\n")),
	          &m),
	    ICS_EOBJECT, "ATTENDEE");
}

static void test_reply(void **state)
{
	struct fx *fx = *state;
	struct ics_fb *fb = ics_fb_new(fx->a, T2024, T2024 + DAY);
	struct ics_fb_reply r = { "fb-1", "mailto:alice@example.com", "mailto:bob@example.com" };
	const char *ev =
	    fx_cal(fx, "BEGIN:VEVENT\nUID:e\nDTSTAMP:20240101T000000Z\n"
	               "DTSTART:20240101T090000Z\nDTEND:20240101T100000Z\nEND:VEVENT\n");
	const char *text;

	assert_int_equal(ics_fb_add(fb, ev, strlen(ev), NULL, &fx->err), ICS_OK);
	text = ics_fb_render_reply(fb, "-//test//EN", &r);
	assert_non_null(strstr(text, "PRODID:-//test//EN\r\nMETHOD:REPLY\r\nBEGIN:VFREEBUSY\r\n"
	                             "UID:fb-1\r\nDTSTAMP:"));
	assert_non_null(strstr(text, "\r\nDTSTART:20240101T000000Z\r\nDTEND:20240102T000000Z\r\n"
	                             "ORGANIZER:mailto:alice@example.com\r\n"
	                             "ATTENDEE:mailto:bob@example.com\r\n"
	                             "FREEBUSY:20240101T090000Z/PT1H\r\nEND:VFREEBUSY\r\n"));
	/* No UID in the request: none in the reply. */
	r.uid = "";
	assert_null(strstr(ics_fb_render_reply(fb, "-//test//EN", &r), "UID:"));
	/* The plain rendering has neither METHOD nor parties. */
	text = ics_fb_render(fb, "-//test//EN");
	assert_null(strstr(text, "METHOD"));
	assert_null(strstr(text, "ATTENDEE"));
}

int test_ics_sched_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_thunderbird_request, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_apple_request, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_other_messages, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_malformed, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reply, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
