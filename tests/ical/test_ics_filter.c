/* test_ics_filter.c - calendar-query filters (RFC 4791 9.7, 9.9) on
 * calendar objects: the data set and examples of RFC 4791 Appendix B and
 * 7.8, then every rule on small objects of its own.
 *
 * Filters are built as caldav/dav_filter.c builds them (comp, prop, param,
 * text and range below, in the fixture's arena); ranges are written as the
 * XML writes them ("20060104T000000Z"). Entry point: ics_filter_tests_run().
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rfc4791_data.h"
#include "test_ical.h"

#include "ics.h"
#include "ics_filter.h"
#include "ics_int.h"
#include "sd_arena.h"
#include "sd_err.h"

int ics_filter_tests_run(void);

#define CAL(body) \
	"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//slotdav//test//EN\n" body "END:VCALENDAR\n"
#define EV(body)   "BEGIN:VEVENT\nUID:e@example.com\nDTSTAMP:20240101T000000Z\n" body "END:VEVENT\n"
#define TODO(body) "BEGIN:VTODO\nUID:t@example.com\nDTSTAMP:20240101T000000Z\n" body "END:VTODO\n"
/* Jan 1-5 2024, 10:00-11:00Z. */
#define DAILY5 "DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\nRRULE:FREQ=DAILY;COUNT=5\n"

#define VTZ_NY                                                                            \
	"BEGIN:VTIMEZONE\nTZID:America/New_York\n"                                        \
	"BEGIN:DAYLIGHT\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0400\nTZNAME:EDT\n"              \
	"DTSTART:20070311T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\nEND:DAYLIGHT\n"  \
	"BEGIN:STANDARD\nTZOFFSETFROM:-0400\nTZOFFSETTO:-0500\nTZNAME:EST\n"              \
	"DTSTART:20071104T020000\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\nEND:STANDARD\n" \
	"END:VTIMEZONE\n"
/* A CALDAV:calendar-timezone value. */
#define TZ_NY CAL(VTZ_NY)

#define VTZ_BERLIN                                                                         \
	"BEGIN:VTIMEZONE\nTZID:Europe/Berlin\n"                                            \
	"BEGIN:DAYLIGHT\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nTZNAME:CEST\n"              \
	"DTSTART:19700329T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nEND:DAYLIGHT\n"  \
	"BEGIN:STANDARD\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nTZNAME:CET\n"               \
	"DTSTART:19701025T030000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nEND:STANDARD\n" \
	"END:VTIMEZONE\n"

/* ---- RFC 4791 Appendix B ---- */

/* RFC 4791 Appendix B, abcd1.ics to abcd8.ics (rfc4791_data.h). */
static const char *const rfc_data[] = {
	RFC4791_ABCD1, RFC4791_ABCD2, RFC4791_ABCD3, RFC4791_ABCD4,
	RFC4791_ABCD5, RFC4791_ABCD6, RFC4791_ABCD7, RFC4791_ABCD8,
};

/* Collations, short. */
#define OCTET   ICS_COLL_OCTET
#define ASCII   ICS_COLL_ASCII_CASEMAP
#define UNICODE ICS_COLL_UNICODE_CASEMAP

/* abcdN.ics as a bit of a mask. */
#define ABCD(n) (1u << ((n)-1))

/* ---- fixture and filter builders ---- */

struct tfx {
	struct sd_arena *a;
	struct sd_err err;
};

static int tfx_setup(void **state)
{
	return fx_setup_sized(state, sizeof(struct tfx));
}

/* A time-range; NULL for an open side. */
static struct ics_time_range *range(struct tfx *t, const char *start, const char *end)
{
	struct ics_time_range *r = sd_arena_alloc(t->a, sizeof(*r));

	r->start = start ? fx_utc(start) : ICS_TIME_MIN;
	r->end = end ? fx_utc(end) : ICS_TIME_MAX;
	return r;
}

static struct ics_text_match *text(struct tfx *t, const char *s, enum ics_collation coll,
                                   int negate)
{
	struct ics_text_match *m = sd_arena_alloc(t->a, sizeof(*m));

	m->text = s;
	m->collation = coll;
	m->negate = negate;
	return m;
}

static struct ics_param_filter *param(struct tfx *t, const char *name, int not_defined,
                                      struct ics_text_match *m)
{
	struct ics_param_filter *f = sd_arena_alloc(t->a, sizeof(*f));

	f->name = name;
	f->is_not_defined = not_defined;
	f->text = m;
	return f;
}

static struct ics_prop_filter *prop(struct tfx *t, const char *name, int not_defined,
                                    struct ics_time_range *r, struct ics_text_match *m,
                                    struct ics_param_filter *params)
{
	struct ics_prop_filter *f = sd_arena_alloc(t->a, sizeof(*f));

	f->name = name;
	f->is_not_defined = not_defined;
	f->range = r;
	f->text = m;
	f->params = params;
	return f;
}

static struct ics_comp_filter *comp(struct tfx *t, const char *name, int not_defined,
                                    struct ics_time_range *r, struct ics_prop_filter *props,
                                    struct ics_comp_filter *comps)
{
	struct ics_comp_filter *f = sd_arena_alloc(t->a, sizeof(*f));

	f->name = name;
	f->is_not_defined = not_defined;
	f->range = r;
	f->props = props;
	f->comps = comps;
	return f;
}

/* VCALENDAR > inner. */
static struct ics_comp_filter *cal(struct tfx *t, struct ics_comp_filter *inner)
{
	return comp(t, "VCALENDAR", 0, NULL, NULL, inner);
}

/* VCALENDAR > name with a time-range. */
static struct ics_comp_filter *in_range(struct tfx *t, const char *name, const char *start,
                                        const char *end)
{
	return cal(t, comp(t, name, 0, range(t, start, end), NULL, NULL));
}

/* VCALENDAR > VEVENT > prop-filter. */
static struct ics_comp_filter *event_prop(struct tfx *t, struct ics_prop_filter *pf)
{
	return cal(t, comp(t, "VEVENT", 0, NULL, pf, NULL));
}

static int run_tz(struct tfx *t, const char *ics, const struct ics_comp_filter *f, const char *tz)
{
	sd_err_clear(&t->err);
	return ics_filter_match(ics, strlen(ics), f, tz, &t->err);
}

static int run(struct tfx *t, const char *ics, const struct ics_comp_filter *f)
{
	return run_tz(t, ics, f, NULL);
}

/* Whether ics matches VCALENDAR > name with a time-range. */
static int hit(struct tfx *t, const char *ics, const char *name, const char *start, const char *end)
{
	return run(t, ics, in_range(t, name, start, end));
}

/* The walk behind a time-range on the first VEVENT of ics over [start,
 * end) (end NULL: open): ics_instances, the walk ics_filter_match makes,
 * stopping at the first instance as a match does. Its result (an
 * ICS_WALK_ value) and the expansion budget it spent: libical iterators
 * started and steps taken. What bounds the work of a rule, asserted as
 * counts rather than as a time. */
struct walked {
	int rc, rules;
	long steps;
};

static int stop_at_first(const struct ics_inst *in, void *arg)
{
	(void)in;
	(void)arg;
	return 1;
}

static struct walked walk(struct tfx *t, const char *ics, const char *start, const char *end)
{
	struct walked w = { .rc = -1 };
	icalcomponent *c = NULL;
	struct ics_doc d;
	int rc;

	rc = ics_doc_parse(&d, ics, strlen(ics), t->a, &t->err);
	if (rc == 0)
		c = icalcomponent_get_first_component(d.root, ICAL_VEVENT_COMPONENT);
	if (c)
		w.rc = ics_instances(&d, NULL, c, fx_utc(start), end ? fx_utc(end) : ICS_TIME_MAX,
		                     stop_at_first, NULL);
	w.rules = ICS_RULES_MAX - d.rules_left;
	w.steps = ICS_STEPS_MAX - d.steps_left;
	ics_doc_close(&d);
	assert_int_equal(rc, 0);
	assert_non_null(c);
	return w;
}

/* Asserts that that walk ends with rc (ICS_WALK_DONE: no instance in the
 * window, ICS_WALK_STOPPED: one, ICS_WALK_CAPPED: undecided, taken to
 * match) after at most rules libical iterators and steps steps. */
static void assert_walk(struct tfx *t, const char *ics, const char *start, const char *end, int rc,
                        int rules, long steps)
{
	struct walked w = walk(t, ics, start, end);

	if (w.rc != rc || w.rules > rules || w.steps > steps)
		fail_msg("walk over %s..%s: %d after %d rules and %ld steps; want %d, at most %d "
		         "and %ld",
		         start, end ? end : "", w.rc, w.rules, w.steps, rc, rules, steps);
}

/* The objects of the RFC data set that match f. */
static unsigned rfc_hits(struct tfx *t, const struct ics_comp_filter *f)
{
	unsigned mask = 0;

	for (size_t i = 0; i < sizeof(rfc_data) / sizeof(rfc_data[0]); i++)
		if (run(t, rfc_data[i], f) == 1)
			mask |= 1u << i;
	return mask;
}

static void assert_rfc(struct tfx *t, const struct ics_comp_filter *f, unsigned want)
{
	unsigned got = rfc_hits(t, f);

	if (got != want)
		print_error("RFC data set: expected mask %#x, got %#x\n", want, got);
	assert_int_equal(got, want);
}

/* ---- RFC 4791 7.8 ---- */

/* 7.8.1: abcd2 (Jan 4 override at 19:00Z, its master at 17:00Z) and
 * abcd3 (Jan 4 10:00 EST = 15:00Z). */
static void test_rfc_events_by_range(void **state)
{
	struct tfx *t = *state;

	assert_rfc(t, in_range(t, "VEVENT", "20060104T000000Z", "20060105T000000Z"),
	           ABCD(2) | ABCD(3));
}

/* 7.8.2 and 7.8.3: the same two over Jan 3-5. */
static void test_rfc_recurring_by_range(void **state)
{
	struct tfx *t = *state;

	assert_rfc(t, in_range(t, "VEVENT", "20060103T000000Z", "20060105T000000Z"),
	           ABCD(2) | ABCD(3));
}

/* The master of abcd2 would be on Jan 6 at 12:00 EST (17:00Z): replaced by
 * "Event #2 bis bis" at 14:00 EST (19:00Z). */
static void test_rfc_override_replaces(void **state)
{
	struct tfx *t = *state;

	assert_rfc(t, in_range(t, "VEVENT", "20060106T170000Z", "20060106T180000Z"), 0);
	assert_rfc(t, in_range(t, "VEVENT", "20060106T190000Z", "20060106T200000Z"), ABCD(2));
	/* Jan 5, 12:00 EST is the master's own. */
	assert_rfc(t, in_range(t, "VEVENT", "20060105T170000Z", "20060105T180000Z"), ABCD(2));
}

/* 7.8.4: the VFREEBUSY spans Jan 1-8. */
static void test_rfc_freebusy(void **state)
{
	struct tfx *t = *state;

	assert_rfc(t, in_range(t, "VFREEBUSY", "20060102T000000Z", "20060103T000000Z"), ABCD(8));
}

/* 7.8.5: abcd5 is due Jan 6 12:00 EST (17:00Z), its alarm 10 minutes
 * before; abcd4's (Jan 3, 23:50Z) is outside. */
static void test_rfc_alarm(void **state)
{
	struct tfx *t = *state;
	struct ics_comp_filter *alarm =
	    comp(t, "VALARM", 0, range(t, "20060106T100000Z", "20060107T100000Z"), NULL, NULL);

	assert_rfc(t, cal(t, comp(t, "VTODO", 0, NULL, NULL, alarm)), ABCD(5));
}

/* 7.8.6: by UID, i;octet. */
static void test_rfc_uid(void **state)
{
	struct tfx *t = *state;

	assert_rfc(
	    t,
	    event_prop(t, prop(t, "UID", 0, NULL,
	                       text(t, "DC6C50A017428C5216A2F1CD@example.com", OCTET, 0), NULL)),
	    ABCD(3));
}

/* 7.8.7: an attendee who has not answered. */
static void test_rfc_partstat(void **state)
{
	struct tfx *t = *state;
	struct ics_param_filter *ps = param(t, "PARTSTAT", 0, text(t, "NEEDS-ACTION", ASCII, 0));

	assert_rfc(t,
	           event_prop(t, prop(t, "ATTENDEE", 0, NULL,
	                              text(t, "mailto:lisa@example.com", ASCII, 0), ps)),
	           ABCD(3));
}

/* 7.8.8: events only. */
static void test_rfc_events_only(void **state)
{
	struct tfx *t = *state;

	assert_rfc(t, cal(t, comp(t, "VEVENT", 0, NULL, NULL, NULL)), ABCD(1) | ABCD(2) | ABCD(3));
}

/* 7.8.9: tasks neither completed nor cancelled. */
static void test_rfc_pending_todos(void **state)
{
	struct tfx *t = *state;
	struct ics_prop_filter *done = prop(t, "COMPLETED", 1, NULL, NULL, NULL);

	done->next = prop(t, "STATUS", 0, NULL, text(t, "CANCELLED", ASCII, 1), NULL);
	assert_rfc(t, cal(t, comp(t, "VTODO", 0, NULL, done, NULL)), ABCD(4) | ABCD(5));
}

/* ---- is-not-defined, nesting, names ---- */

static void test_not_defined(void **state)
{
	struct tfx *t = *state;
	const char *ev = CAL(EV("DTSTART:20240101T100000Z\nSUMMARY:Plain\n"
	                        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@example.com\n"));

	assert_int_equal(run(t, ev, cal(t, comp(t, "VTODO", 1, NULL, NULL, NULL))), 1);
	assert_int_equal(run(t, ev, cal(t, comp(t, "VEVENT", 1, NULL, NULL, NULL))), 0);
	assert_int_equal(run(t, ev, event_prop(t, prop(t, "DESCRIPTION", 1, NULL, NULL, NULL))), 1);
	assert_int_equal(run(t, ev, event_prop(t, prop(t, "SUMMARY", 1, NULL, NULL, NULL))), 0);
	assert_int_equal(
	    run(t, ev,
	        event_prop(t, prop(t, "ATTENDEE", 0, NULL, NULL, param(t, "RSVP", 1, NULL)))),
	    1);
	assert_int_equal(
	    run(t, ev,
	        event_prop(t, prop(t, "ATTENDEE", 0, NULL, NULL, param(t, "PARTSTAT", 1, NULL)))),
	    0);
	/* An empty prop-filter: the property exists. */
	assert_int_equal(run(t, ev, event_prop(t, prop(t, "SUMMARY", 0, NULL, NULL, NULL))), 1);
	assert_int_equal(run(t, ev, event_prop(t, prop(t, "LOCATION", 0, NULL, NULL, NULL))), 0);
}

static void test_nested(void **state)
{
	struct tfx *t = *state;
	const char *ev = CAL(EV("DTSTART:20240101T100000Z\nSUMMARY:With alarm\n"
	                        "BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:Soon\n"
	                        "TRIGGER:-PT15M\nEND:VALARM\n"));
	struct ics_comp_filter *display =
	    comp(t, "VALARM", 0, NULL,
	         prop(t, "ACTION", 0, NULL, text(t, "DISPLAY", OCTET, 0), NULL), NULL);
	struct ics_comp_filter *audio =
	    comp(t, "VALARM", 0, NULL, prop(t, "ACTION", 0, NULL, text(t, "AUDIO", OCTET, 0), NULL),
	         NULL);

	assert_int_equal(run(t, ev, cal(t, comp(t, "VEVENT", 0, NULL, NULL, display))), 1);
	assert_int_equal(run(t, ev, cal(t, comp(t, "VEVENT", 0, NULL, NULL, audio))), 0);
	/* Every nested comp-filter must match. */
	display->next = audio;
	assert_int_equal(run(t, ev, cal(t, comp(t, "VEVENT", 0, NULL, NULL, display))), 0);
	/* The alarm is not a child of the calendar. */
	assert_int_equal(run(t, ev, cal(t, comp(t, "VALARM", 0, NULL, NULL, NULL))), 0);
	assert_int_equal(
	    run(t, ev,
	        cal(t, comp(t, "VEVENT", 0, NULL, NULL, comp(t, "VALARM", 1, NULL, NULL, NULL)))),
	    0);
}

/* Names compare without case; X- properties and components are found. */
static void test_names(void **state)
{
	struct tfx *t = *state;
	const char *ev = CAL(EV("DTSTART:20240101T100000Z\nX-APP-COLOR:teal\n"
	                        "BEGIN:X-APP-NOTE\nX-TEXT:hello\nEND:X-APP-NOTE\n"));

	assert_int_equal(
	    run(t, ev,
	        cal(t, comp(t, "vevent", 0, NULL, prop(t, "dtstart", 0, NULL, NULL, NULL), NULL))),
	    1);
	assert_int_equal(
	    run(t, ev,
	        event_prop(t, prop(t, "X-APP-COLOR", 0, NULL, text(t, "TEAL", ASCII, 0), NULL))),
	    1);
	assert_int_equal(run(t, ev,
	                     cal(t, comp(t, "VEVENT", 0, NULL, NULL,
	                                 comp(t, "X-APP-NOTE", 0, NULL,
	                                      prop(t, "X-TEXT", 0, NULL, NULL, NULL), NULL)))),
	                 1);
	assert_int_equal(
	    run(t, ev,
	        cal(t, comp(t, "VEVENT", 0, NULL, NULL, comp(t, "X-OTHER", 0, NULL, NULL, NULL)))),
	    0);
	/* The root names the calendar itself. */
	assert_int_equal(
	    run(t, ev, comp(t, "VCALENDAR", 0, NULL, prop(t, "PRODID", 0, NULL, NULL, NULL), NULL)),
	    1);
	assert_int_equal(
	    run(t, ev, comp(t, "VCALENDAR", 0, NULL, prop(t, "METHOD", 0, NULL, NULL, NULL), NULL)),
	    0);
}

/* ---- text-match ---- */

static int summary_has(struct tfx *t, const char *summary, const char *needle,
                       enum ics_collation coll, int negate)
{
	char ics[512];

	snprintf(ics, sizeof(ics), CAL(EV("DTSTART:20240101T100000Z\nSUMMARY:%s\n")), summary);
	return run(t, ics,
	           event_prop(t, prop(t, "SUMMARY", 0, NULL, text(t, needle, coll, negate), NULL)));
}

static void test_text_octet_ascii(void **state)
{
	struct tfx *t = *state;

	assert_int_equal(summary_has(t, "Team Meeting", "Meeting", OCTET, 0), 1);
	assert_int_equal(summary_has(t, "Team Meeting", "meeting", OCTET, 0), 0);
	assert_int_equal(summary_has(t, "Team Meeting", "tEAM mEETING", ASCII, 0), 1);
	assert_int_equal(summary_has(t, "Team Meeting", "Meetings", ASCII, 0), 0);
	/* i;ascii-casemap folds ASCII letters only. */
	assert_int_equal(summary_has(t, "Ärger", "ärger", ASCII, 0), 0);
	assert_int_equal(summary_has(t, "Ärger", "Ärger", ASCII, 0), 1);
	/* The empty string is in every value. */
	assert_int_equal(summary_has(t, "Team Meeting", "", OCTET, 0), 1);
}

static void test_text_unicode(void **state)
{
	struct tfx *t = *state;

	assert_int_equal(summary_has(t, "Ärger im Büro", "ÄRGER IM BÜRO", UNICODE, 0), 1);
	assert_int_equal(summary_has(t, "ŁÓDŹ", "łódź", UNICODE, 0), 1);
	assert_int_equal(summary_has(t, "Σοφία", "ΣΟΦΊΑ", UNICODE, 0), 1);
	/* Final sigma folds to sigma. */
	assert_int_equal(summary_has(t, "ΟΔΟΣ", "οδος", UNICODE, 0), 1);
	assert_int_equal(summary_has(t, "Встреча в Москве", "МОСКВЕ", UNICODE, 0), 1);
	assert_int_equal(summary_has(t, "Ёлка", "ёЛКА", UNICODE, 0), 1);
	assert_int_equal(summary_has(t, "Ärger", "Örger", UNICODE, 0), 0);
	/* Beyond the table: compared as they are. */
	assert_int_equal(summary_has(t, "会議 😀", "会議 😀", UNICODE, 0), 1);
}

static void test_text_negate(void **state)
{
	struct tfx *t = *state;
	const char *bare = CAL(EV("DTSTART:20240101T100000Z\n"));

	assert_int_equal(summary_has(t, "Lunch", "meeting", ASCII, 1), 1);
	assert_int_equal(summary_has(t, "Team meeting", "MEETING", ASCII, 1), 0);
	/* No SUMMARY: nothing for the negated match to hold on. */
	assert_int_equal(
	    run(t, bare, event_prop(t, prop(t, "SUMMARY", 0, NULL, text(t, "x", OCTET, 1), NULL))),
	    0);
}

/* TEXT is matched unescaped; CATEGORIES values one by one. */
static void test_text_values(void **state)
{
	struct tfx *t = *state;
	const char *ev = CAL(EV("DTSTART:20240101T100000Z\nSUMMARY:Fish\\, chips\\; peas\n"
	                        "CATEGORIES:Work,Travel\nSEQUENCE:12\n"));

	assert_int_equal(run(t, ev,
	                     event_prop(t, prop(t, "SUMMARY", 0, NULL,
	                                        text(t, "Fish, chips; peas", OCTET, 0), NULL))),
	                 1);
	assert_int_equal(
	    run(t, ev, event_prop(t, prop(t, "SUMMARY", 0, NULL, text(t, "\\,", OCTET, 0), NULL))),
	    0);
	assert_int_equal(
	    run(t, ev,
	        event_prop(t, prop(t, "CATEGORIES", 0, NULL, text(t, "travel", ASCII, 0), NULL))),
	    1);
	/* Some CATEGORIES value is not "Work". */
	assert_int_equal(
	    run(t, ev,
	        event_prop(t, prop(t, "CATEGORIES", 0, NULL, text(t, "Work", OCTET, 1), NULL))),
	    1);
	assert_int_equal(
	    run(t, ev, event_prop(t, prop(t, "SEQUENCE", 0, NULL, text(t, "12", OCTET, 0), NULL))),
	    1);
}

/* ---- param-filter ---- */

static int attendee_has(struct tfx *t, const char *ics, struct ics_text_match *m,
                        struct ics_param_filter *params)
{
	return run(t, ics, event_prop(t, prop(t, "ATTENDEE", 0, NULL, m, params)));
}

static void test_params(void **state)
{
	struct tfx *t = *state;
	const char *ev = CAL(EV("DTSTART:20240101T100000Z\n"
	                        "ATTENDEE;PARTSTAT=ACCEPTED;CN=\"Doe, Jane\":mailto:jane@x.org\n"
	                        "ATTENDEE;PARTSTAT=NEEDS-ACTION;X-ORIGIN=web:mailto:bob@x.org\n"));
	struct ics_param_filter *na = param(t, "PARTSTAT", 0, text(t, "needs-action", ASCII, 0));

	assert_int_equal(attendee_has(t, ev, NULL, na), 1);
	/* Text and parameter must hold for the same attendee. */
	assert_int_equal(attendee_has(t, ev, text(t, "jane", OCTET, 0), na), 0);
	assert_int_equal(attendee_has(t, ev, text(t, "bob", OCTET, 0), na), 1);
	/* A quoted value, compared without its quotes; an X- parameter. */
	assert_int_equal(
	    attendee_has(t, ev, NULL, param(t, "CN", 0, text(t, "doe, jane", ASCII, 0))), 1);
	assert_int_equal(
	    attendee_has(t, ev, NULL, param(t, "x-origin", 0, text(t, "WEB", ASCII, 0))), 1);
	assert_int_equal(
	    attendee_has(t, ev, NULL, param(t, "PARTSTAT", 0, text(t, "DECLINED", OCTET, 1))), 1);
	/* Every param-filter must hold. */
	na->next = param(t, "CN", 0, NULL);
	assert_int_equal(attendee_has(t, ev, NULL, na), 0);
}

/* ---- prop-filter time-range ---- */

/* VCALENDAR > comp > prop-filter name with a time-range. */
static struct ics_comp_filter *prop_in(struct tfx *t, const char *comp_name, const char *name,
                                       const char *start, const char *end)
{
	struct ics_prop_filter *pf = prop(t, name, 0, range(t, start, end), NULL, NULL);

	return cal(t, comp(t, comp_name, 0, NULL, pf, NULL));
}

static void test_prop_range(void **state)
{
	struct tfx *t = *state;
	const char *todo = CAL(TODO("COMPLETED:20240110T120000Z\nSUMMARY:Done\n"));
	const char *allday = CAL(EV("DTSTART;VALUE=DATE:20240115\n"));
	struct ics_comp_filter *late =
	    prop_in(t, "VEVENT", "DTSTART", "20240116T020000Z", "20240116T030000Z");

	assert_int_equal(
	    run(t, todo, prop_in(t, "VTODO", "COMPLETED", "20240110T120000Z", "20240110T120001Z")),
	    1);
	/* [start, end): the end is out. */
	assert_int_equal(
	    run(t, todo, prop_in(t, "VTODO", "COMPLETED", "20240110T000000Z", "20240110T120000Z")),
	    0);
	/* A value without a time never matches. */
	assert_int_equal(run(t, todo, prop_in(t, "VTODO", "SUMMARY", NULL, NULL)), 0);
	/* A DATE is its day: in UTC, or in New York (05:00Z to 05:00Z). */
	assert_int_equal(run(t, allday, late), 0);
	assert_int_equal(run_tz(t, allday, late, TZ_NY), 1);
}

/* ---- VEVENT (9.9) ---- */

static int event_in(struct tfx *t, const char *body, const char *start, const char *end)
{
	char ics[1024];

	snprintf(ics, sizeof(ics), CAL(EV("%s")), body);
	return hit(t, ics, "VEVENT", start, end);
}

static void test_event_rows(void **state)
{
	struct tfx *t = *state;
	const char *dtend = "DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\n";
	const char *dur = "DTSTART:20240101T100000Z\nDURATION:PT1H\n";
	const char *zero = "DTSTART:20240101T100000Z\nDURATION:PT0S\n";
	const char *bare = "DTSTART:20240101T100000Z\n";

	/* DTEND: start < DTEND and end > DTSTART. */
	assert_int_equal(event_in(t, dtend, "20240101T105959Z", "20240101T120000Z"), 1);
	assert_int_equal(event_in(t, dtend, "20240101T110000Z", "20240101T120000Z"), 0);
	assert_int_equal(event_in(t, dtend, "20240101T090000Z", "20240101T100000Z"), 0);
	assert_int_equal(event_in(t, dtend, "20240101T090000Z", "20240101T100001Z"), 1);
	/* DURATION > 0: the same with DTSTART + DURATION. */
	assert_int_equal(event_in(t, dur, "20240101T105959Z", NULL), 1);
	assert_int_equal(event_in(t, dur, "20240101T110000Z", NULL), 0);
	/* DURATION = 0 and no end: start <= DTSTART and end > DTSTART. */
	assert_int_equal(event_in(t, zero, "20240101T100000Z", "20240101T100001Z"), 1);
	assert_int_equal(event_in(t, zero, "20240101T090000Z", "20240101T100000Z"), 0);
	assert_int_equal(event_in(t, bare, "20240101T100000Z", "20240101T100001Z"), 1);
	assert_int_equal(event_in(t, bare, "20240101T100001Z", NULL), 0);
}

/* All-day: DTSTART + P1D, in the calendar's zone. */
static void test_event_all_day(void **state)
{
	struct tfx *t = *state;
	const char *ev = CAL(EV("DTSTART;VALUE=DATE:20240115\nSUMMARY:Holiday\n"));
	const char *two = CAL(EV("DTSTART;VALUE=DATE:20240115\nDTEND;VALUE=DATE:20240117\n"));
	struct ics_comp_filter *evening =
	    in_range(t, "VEVENT", "20240116T020000Z", "20240116T030000Z");

	assert_int_equal(hit(t, ev, "VEVENT", "20240115T235959Z", NULL), 1);
	assert_int_equal(hit(t, ev, "VEVENT", "20240116T000000Z", NULL), 0);
	assert_int_equal(hit(t, ev, "VEVENT", NULL, "20240115T000000Z"), 0);
	/* Jan 15 in New York runs to Jan 16 05:00Z. */
	assert_int_equal(run(t, ev, evening), 0);
	assert_int_equal(run_tz(t, ev, evening, TZ_NY), 1);
	assert_int_equal(hit(t, two, "VEVENT", "20240116T120000Z", "20240116T130000Z"), 1);
	assert_int_equal(hit(t, two, "VEVENT", "20240117T000000Z", NULL), 0);
}

/* Floating times are in the calendar's zone, or UTC without one. */
static void test_floating(void **state)
{
	struct tfx *t = *state;
	const char *ev = CAL(EV("DTSTART:20240115T090000\nDTEND:20240115T093000\n"));
	struct ics_comp_filter *ny = in_range(t, "VEVENT", "20240115T140000Z", "20240115T143000Z");
	struct ics_comp_filter *utc9 =
	    in_range(t, "VEVENT", "20240115T090000Z", "20240115T093000Z");

	assert_int_equal(run_tz(t, ev, ny, TZ_NY), 1);
	assert_int_equal(run_tz(t, ev, utc9, TZ_NY), 0);
	assert_int_equal(run(t, ev, ny), 0);
	assert_int_equal(run(t, ev, utc9), 1);
	/* A TZID is not affected by the calendar's zone: 09:00 CET = 08:00Z. */
	ev = CAL(VTZ_BERLIN EV("DTSTART;TZID=Europe/Berlin:20240115T090000\nDURATION:PT30M\n"));
	assert_int_equal(
	    run_tz(t, ev, in_range(t, "VEVENT", "20240115T080000Z", "20240115T083000Z"), TZ_NY), 1);
	/* Without a VTIMEZONE in the object: the system's zone. */
	ev = CAL(EV("DTSTART;TZID=Asia/Tokyo:20240115T090000\nDURATION:PT30M\n"));
	assert_int_equal(hit(t, ev, "VEVENT", "20240115T000000Z", "20240115T003000Z"), 1);
	assert_int_equal(hit(t, ev, "VEVENT", "20240115T090000Z", "20240115T093000Z"), 0);
}

/* ---- VTODO (9.9), all eight rows ---- */

static int todo_in(struct tfx *t, const char *body, const char *start, const char *end)
{
	char ics[1024];

	snprintf(ics, sizeof(ics), CAL(TODO("%s")), body);
	return hit(t, ics, "VTODO", start, end);
}

static void test_todo_start_rows(void **state)
{
	struct tfx *t = *state;
	const char *dur = "DTSTART:20240101T100000Z\nDURATION:PT1H\n";
	const char *due = "DTSTART:20240101T100000Z\nDUE:20240101T110000Z\n";
	const char *start = "DTSTART:20240101T100000Z\n";

	/* DTSTART, DURATION: start <= DTSTART+DURATION and (end > DTSTART or
	 * end >= DTSTART+DURATION): a range starting at the end matches. */
	assert_int_equal(todo_in(t, dur, "20240101T110000Z", "20240101T120000Z"), 1);
	assert_int_equal(todo_in(t, dur, "20240101T110001Z", "20240101T120000Z"), 0);
	assert_int_equal(todo_in(t, dur, "20240101T090000Z", "20240101T100000Z"), 0);
	/* DTSTART, DUE: (start < DUE or start <= DTSTART) and (end > DTSTART or
	 * end >= DUE). */
	assert_int_equal(todo_in(t, due, "20240101T103000Z", "20240101T104500Z"), 1);
	assert_int_equal(todo_in(t, due, "20240101T110000Z", "20240101T120000Z"), 0);
	assert_int_equal(todo_in(t, due, "20240101T090000Z", "20240101T100000Z"), 0);
	assert_int_equal(todo_in(t, due, "20240101T090000Z", "20240101T100001Z"), 1);
	/* DTSTART alone: start <= DTSTART and end > DTSTART. */
	assert_int_equal(todo_in(t, start, "20240101T100000Z", "20240101T100001Z"), 1);
	assert_int_equal(todo_in(t, start, "20240101T090000Z", "20240101T100000Z"), 0);
}

static void test_todo_other_rows(void **state)
{
	struct tfx *t = *state;
	const char *due = "DUE:20240101T110000Z\n";
	const char *both = "CREATED:20240101T000000Z\nCOMPLETED:20240110T000000Z\n";
	const char *done = "COMPLETED:20240110T000000Z\n";
	const char *made = "CREATED:20240101T000000Z\n";

	/* DUE alone: start < DUE and end >= DUE. */
	assert_int_equal(todo_in(t, due, "20240101T090000Z", "20240101T110000Z"), 1);
	assert_int_equal(todo_in(t, due, "20240101T110000Z", "20240101T120000Z"), 0);
	/* COMPLETED and CREATED: (start <= CREATED or start <= COMPLETED) and
	 * (end >= CREATED or end >= COMPLETED). */
	assert_int_equal(todo_in(t, both, "20240103T000000Z", "20240105T000000Z"), 1);
	assert_int_equal(todo_in(t, both, "20240110T000001Z", "20240111T000000Z"), 0);
	assert_int_equal(todo_in(t, both, "20231201T000000Z", "20231231T000000Z"), 0);
	/* COMPLETED: start <= COMPLETED and end >= COMPLETED. */
	assert_int_equal(todo_in(t, done, "20240109T000000Z", "20240110T000000Z"), 1);
	assert_int_equal(todo_in(t, done, "20240110T000001Z", NULL), 0);
	/* CREATED: end > CREATED. */
	assert_int_equal(todo_in(t, made, "20231201T000000Z", "20240101T000001Z"), 1);
	assert_int_equal(todo_in(t, made, "20231201T000000Z", "20240101T000000Z"), 0);
	/* None of them: always. */
	assert_int_equal(todo_in(t, "SUMMARY:Someday\n", "19700101T000000Z", "19700101T000001Z"),
	                 1);
}

/* ---- VJOURNAL, VFREEBUSY, VAVAILABILITY (9.9, RFC 7953) ---- */

static void test_journal(void **state)
{
	struct tfx *t = *state;
	const char *timed = CAL("BEGIN:VJOURNAL\nUID:j\nDTSTART:20240115T100000Z\nEND:VJOURNAL\n");
	const char *dated =
	    CAL("BEGIN:VJOURNAL\nUID:j\nDTSTART;VALUE=DATE:20240115\nEND:VJOURNAL\n");
	const char *none = CAL("BEGIN:VJOURNAL\nUID:j\nSUMMARY:x\nEND:VJOURNAL\n");

	assert_int_equal(hit(t, timed, "VJOURNAL", "20240115T100000Z", "20240115T100001Z"), 1);
	assert_int_equal(hit(t, timed, "VJOURNAL", "20240115T090000Z", "20240115T100000Z"), 0);
	assert_int_equal(hit(t, dated, "VJOURNAL", "20240115T230000Z", NULL), 1);
	assert_int_equal(hit(t, dated, "VJOURNAL", "20240116T000000Z", NULL), 0);
	assert_int_equal(hit(t, none, "VJOURNAL", NULL, NULL), 0);
}

static void test_freebusy(void **state)
{
	struct tfx *t = *state;
	const char *bounded = rfc_data[7];
	const char *periods = CAL("BEGIN:VFREEBUSY\nUID:f\nDTSTAMP:20240101T000000Z\n"
	                          "FREEBUSY:20240115T090000Z/PT1H,"
	                          "20240117T100000Z/20240117T110000Z\n"
	                          "END:VFREEBUSY\n");
	const char *empty =
	    CAL("BEGIN:VFREEBUSY\nUID:f\nDTSTAMP:20240101T000000Z\nEND:VFREEBUSY\n");

	/* start <= DTEND: a range starting at DTEND still matches. */
	assert_int_equal(hit(t, bounded, "VFREEBUSY", "20060108T000000Z", NULL), 1);
	assert_int_equal(hit(t, bounded, "VFREEBUSY", NULL, "20060101T000000Z"), 0);
	assert_int_equal(hit(t, periods, "VFREEBUSY", "20240115T095959Z", "20240115T100000Z"), 1);
	assert_int_equal(hit(t, periods, "VFREEBUSY", "20240115T100000Z", "20240117T100000Z"), 0);
	assert_int_equal(hit(t, periods, "VFREEBUSY", "20240117T103000Z", NULL), 1);
	assert_int_equal(hit(t, empty, "VFREEBUSY", NULL, NULL), 0);
}

static void test_availability(void **state)
{
	struct tfx *t = *state;
	const char *av = CAL("BEGIN:VAVAILABILITY\nUID:a\nDTSTAMP:20240101T000000Z\n"
	                     "DTSTART:20240101T000000Z\n"
	                     "BEGIN:AVAILABLE\nUID:a1\nDTSTAMP:20240101T000000Z\n"
	                     "DTSTART:20240101T090000Z\nDTEND:20240101T170000Z\n"
	                     "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\nEND:AVAILABLE\n"
	                     "END:VAVAILABILITY\n");
	struct ics_time_range *saturday = range(t, "20240106T100000Z", "20240106T110000Z");
	struct ics_time_range *monday = range(t, "20240108T100000Z", "20240108T110000Z");
	struct ics_comp_filter *sat = comp(t, "AVAILABLE", 0, saturday, NULL, NULL);
	struct ics_comp_filter *mon = comp(t, "AVAILABLE", 0, monday, NULL, NULL);

	assert_int_equal(hit(t, av, "VAVAILABILITY", "20300101T000000Z", NULL), 1);
	assert_int_equal(hit(t, av, "VAVAILABILITY", NULL, "20240101T000000Z"), 0);
	assert_int_equal(run(t, av, cal(t, comp(t, "VAVAILABILITY", 0, NULL, NULL, sat))), 0);
	assert_int_equal(run(t, av, cal(t, comp(t, "VAVAILABILITY", 0, NULL, NULL, mon))), 1);
}

/* ---- VALARM (9.9) ---- */

static int alarm_in(struct tfx *t, const char *ics, const char *start, const char *end)
{
	struct ics_comp_filter *a = comp(t, "VALARM", 0, range(t, start, end), NULL, NULL);

	return run(t, ics, cal(t, comp(t, "VEVENT", 0, NULL, NULL, a)));
}

static void test_alarm_triggers(void **state)
{
	struct tfx *t = *state;
	const char *rel = CAL(EV("DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\n"
	                         "BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:x\nTRIGGER:-PT15M\n"
	                         "END:VALARM\n"));
	const char *end = CAL(EV("DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\n"
	                         "BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:x\n"
	                         "TRIGGER;RELATED=END:PT5M\nEND:VALARM\n"));
	const char *abs = CAL(EV("DTSTART:20240101T100000Z\n"
	                         "BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:x\n"
	                         "TRIGGER;VALUE=DATE-TIME:20231231T080000Z\nEND:VALARM\n"));
	const char *rep = CAL(EV("DTSTART:20240101T100000Z\n"
	                         "BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:x\nTRIGGER:-PT15M\n"
	                         "REPEAT:3\nDURATION:PT5M\nEND:VALARM\n"));

	assert_int_equal(alarm_in(t, rel, "20240101T094500Z", "20240101T094501Z"), 1);
	assert_int_equal(alarm_in(t, rel, "20240101T094501Z", "20240101T110000Z"), 0);
	assert_int_equal(alarm_in(t, end, "20240101T110500Z", "20240101T110501Z"), 1);
	assert_int_equal(alarm_in(t, end, "20240101T094500Z", "20240101T110500Z"), 0);
	assert_int_equal(alarm_in(t, abs, "20231231T080000Z", "20231231T080001Z"), 1);
	assert_int_equal(alarm_in(t, abs, "20240101T000000Z", NULL), 0);
	/* 09:45, then 09:50, 09:55 and 10:00. */
	assert_int_equal(alarm_in(t, rep, "20240101T095800Z", "20240101T095900Z"), 0);
	assert_int_equal(alarm_in(t, rep, "20240101T095900Z", "20240101T100001Z"), 1);
	assert_int_equal(alarm_in(t, rep, "20240101T100001Z", "20240101T110000Z"), 0);
}

static void test_alarm_recurring(void **state)
{
	struct tfx *t = *state;
	const char *al =
	    "BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:x\nTRIGGER:-PT30M\nEND:VALARM\n";
	char ics[1024];

	snprintf(ics, sizeof(ics), CAL(EV(DAILY5 "%s")), al);
	/* The third instance (Jan 3, 10:00Z) rings at 09:30. */
	assert_int_equal(alarm_in(t, ics, "20240103T093000Z", "20240103T093100Z"), 1);
	assert_int_equal(alarm_in(t, ics, "20240106T093000Z", "20240106T093100Z"), 0);
	snprintf(ics, sizeof(ics), CAL(EV(DAILY5 "EXDATE:20240103T100000Z\n%s")), al);
	assert_int_equal(alarm_in(t, ics, "20240103T093000Z", "20240103T093100Z"), 0);
	assert_int_equal(alarm_in(t, ics, "20240104T093000Z", "20240104T093100Z"), 1);
}

/* ---- recurrence ---- */

static void test_recurring(void **state)
{
	struct tfx *t = *state;
	const char *ev = CAL(EV(DAILY5));
	const char *ex = CAL(EV(DAILY5 "EXDATE:20240103T100000Z\n"));
	const char *rd = CAL(EV(DAILY5 "RDATE:20240110T150000Z\n"
	                               "RDATE;VALUE=PERIOD:20240120T080000Z/20240120T200000Z\n"));

	assert_int_equal(hit(t, ev, "VEVENT", "20240103T103000Z", "20240103T103100Z"), 1);
	assert_int_equal(hit(t, ev, "VEVENT", "20240103T110000Z", "20240104T100000Z"), 0);
	assert_int_equal(hit(t, ev, "VEVENT", "20240106T000000Z", NULL), 0);
	assert_int_equal(hit(t, ex, "VEVENT", "20240103T000000Z", "20240104T000000Z"), 0);
	assert_int_equal(hit(t, ex, "VEVENT", "20240104T000000Z", "20240105T000000Z"), 1);
	/* RDATEs: one like DTSTART (an hour), one a period of its own. */
	assert_int_equal(hit(t, rd, "VEVENT", "20240110T155959Z", "20240110T160000Z"), 1);
	assert_int_equal(hit(t, rd, "VEVENT", "20240110T160000Z", "20240110T170000Z"), 0);
	assert_int_equal(hit(t, rd, "VEVENT", "20240120T190000Z", "20240120T193000Z"), 1);
}

/* RANGE=THISANDFUTURE (RFC 5545 3.2.13): the weekly series of Mondays
 * Jan 1 - Feb 5 at 10:00-11:00Z; the Jan 15 override moves it and every
 * later instance 2 hours later and makes them 90 minutes long; the Jan 29
 * one moves the rest to 09:00-10:00 (an hour earlier than the master). */
static void test_this_and_future(void **state)
{
	struct tfx *t = *state;
	const char *ics = CAL(EV("DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\n"
	                         "RRULE:FREQ=WEEKLY;COUNT=6\n")
	                          EV("RECURRENCE-ID;RANGE=THISANDFUTURE:20240115T100000Z\n"
	                             "DTSTART:20240115T120000Z\nDTEND:20240115T133000Z\n")
	                              EV("RECURRENCE-ID;RANGE=THISANDFUTURE:20240129T100000Z\n"
	                                 "DTSTART:20240129T090000Z\nDTEND:20240129T100000Z\n"));
	const char *single = CAL(EV("DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\n"
	                            "RRULE:FREQ=WEEKLY;COUNT=6\n")
	                             EV("RECURRENCE-ID:20240115T100000Z\n"
	                                "DTSTART:20240115T120000Z\nDTEND:20240115T133000Z\n"));

	/* Before the override: unchanged. */
	assert_int_equal(hit(t, ics, "VEVENT", "20240108T100000Z", "20240108T103000Z"), 1);
	assert_int_equal(hit(t, ics, "VEVENT", "20240108T120000Z", "20240108T123000Z"), 0);
	/* The 3rd (the override itself) and the 4th: 2 hours later, longer. */
	assert_int_equal(hit(t, ics, "VEVENT", "20240115T100000Z", "20240115T103000Z"), 0);
	assert_int_equal(hit(t, ics, "VEVENT", "20240115T120000Z", "20240115T123000Z"), 1);
	assert_int_equal(hit(t, ics, "VEVENT", "20240122T100000Z", "20240122T103000Z"), 0);
	assert_int_equal(hit(t, ics, "VEVENT", "20240122T120000Z", "20240122T123000Z"), 1);
	assert_int_equal(hit(t, ics, "VEVENT", "20240122T131500Z", "20240122T140000Z"), 1);
	assert_int_equal(hit(t, ics, "VEVENT", "20240122T133000Z", "20240122T140000Z"), 0);
	/* The Jan 29 override takes over: Feb 5 at 09:00-10:00. */
	assert_int_equal(hit(t, ics, "VEVENT", "20240205T120000Z", "20240205T123000Z"), 0);
	assert_int_equal(hit(t, ics, "VEVENT", "20240205T100000Z", "20240205T103000Z"), 0);
	assert_int_equal(hit(t, ics, "VEVENT", "20240205T090000Z", "20240205T093000Z"), 1);
	/* A single override moves its own instance only. */
	assert_int_equal(hit(t, single, "VEVENT", "20240122T120000Z", "20240122T123000Z"), 0);
	assert_int_equal(hit(t, single, "VEVENT", "20240122T100000Z", "20240122T103000Z"), 1);
	assert_int_equal(hit(t, single, "VEVENT", "20240115T120000Z", "20240115T123000Z"), 1);
}

/* The Jan 4 instance moved to Jan 10 (out of its day); the Jan 2 one
 * moved into Jan 1 evening. */
static void test_overrides(void **state)
{
	struct tfx *t = *state;
	const char *ics = CAL(EV(
	    DAILY5
	    "SUMMARY:Standup\n") "BEGIN:VEVENT\nUID:e@example.com\nDTSTAMP:20240101T000000Z\n"
	                         "RECURRENCE-ID:20240104T100000Z\nDTSTART:20240110T100000Z\n"
	                         "DTEND:20240110T110000Z\nSUMMARY:Standup (moved)\nEND:VEVENT\n"
	                         "BEGIN:VEVENT\nUID:e@example.com\nDTSTAMP:20240101T000000Z\n"
	                         "RECURRENCE-ID:20240102T100000Z\nDTSTART:20240101T200000Z\n"
	                         "DTEND:20240101T210000Z\nSUMMARY:Standup (early)\nEND:VEVENT\n");
	struct ics_prop_filter *moved =
	    prop(t, "SUMMARY", 0, NULL, text(t, "moved", ASCII, 0), NULL);

	assert_int_equal(hit(t, ics, "VEVENT", "20240104T000000Z", "20240105T000000Z"), 0);
	assert_int_equal(hit(t, ics, "VEVENT", "20240110T000000Z", "20240111T000000Z"), 1);
	assert_int_equal(hit(t, ics, "VEVENT", "20240102T000000Z", "20240103T000000Z"), 0);
	assert_int_equal(hit(t, ics, "VEVENT", "20240101T200000Z", "20240101T203000Z"), 1);
	assert_int_equal(hit(t, ics, "VEVENT", "20240105T100000Z", "20240105T103000Z"), 1);
	/* Time-range and prop-filter on the same component. */
	assert_int_equal(
	    run(t, ics,
	        cal(t, comp(t, "VEVENT", 0, range(t, "20240110T000000Z", NULL), moved, NULL))),
	    1);
	assert_int_equal(
	    run(t, ics,
	        cal(t, comp(t, "VEVENT", 0, range(t, "20240103T000000Z", "20240104T000000Z"), moved,
	                    NULL))),
	    0);
}

/* Rules with BY parts, UNTIL, a zone with summer time, endless ones. */
static void test_rules(void **state)
{
	struct tfx *t = *state;
	/* The second Tuesday of each month, 2024: May 14. */
	const char *tue = CAL(EV("DTSTART:20240109T150000Z\nDURATION:PT1H\n"
	                         "RRULE:FREQ=MONTHLY;BYDAY=2TU\n"));
	const char *until = CAL(EV("DTSTART:20240101T100000Z\nDURATION:PT1H\n"
	                           "RRULE:FREQ=WEEKLY;UNTIL=20240122T100000Z\n"));
	/* Every Monday 10:00 Berlin: 09:00Z in winter, 08:00Z in summer. */
	const char *berlin = CAL(VTZ_BERLIN EV("DTSTART;TZID=Europe/Berlin:20240101T100000\n"
	                                       "DURATION:PT1H\nRRULE:FREQ=WEEKLY\n"));
	const char *birthday = CAL(EV("DTSTART;VALUE=DATE:19900315\nRRULE:FREQ=YEARLY\n"));

	assert_int_equal(hit(t, tue, "VEVENT", "20240514T150000Z", "20240514T153000Z"), 1);
	assert_int_equal(hit(t, tue, "VEVENT", "20240507T000000Z", "20240508T000000Z"), 0);
	assert_int_equal(hit(t, until, "VEVENT", "20240122T100000Z", "20240122T103000Z"), 1);
	assert_int_equal(hit(t, until, "VEVENT", "20240129T000000Z", NULL), 0);
	assert_int_equal(hit(t, berlin, "VEVENT", "20240108T090000Z", "20240108T091500Z"), 1);
	assert_int_equal(hit(t, berlin, "VEVENT", "20240708T080000Z", "20240708T081500Z"), 1);
	assert_int_equal(hit(t, berlin, "VEVENT", "20240708T090000Z", "20240708T100000Z"), 0);
	assert_int_equal(hit(t, birthday, "VEVENT", "20240315T120000Z", "20240315T130000Z"), 1);
	assert_int_equal(hit(t, birthday, "VEVENT", "20240316T000000Z", "20240401T000000Z"), 0);
	assert_int_equal(hit(t, birthday, "VEVENT", "20990315T000000Z", "20990316T000000Z"), 1);
}

/* Series started long before the range: the walk jumps ahead, and must
 * land in step with INTERVAL and BYDAY. Jumping is what keeps it cheap:
 * one iterator and a few steps for each window, where walking from
 * DTSTART would take 45 (thanks) to about 1,040 (fortnight). */
static void test_rules_far(void **state)
{
	struct tfx *t = *state;
	/* Every other week from Tuesday 2010-01-05: Dec 11 2029 is 520
	 * fortnights later, Dec 18 is in an off week. */
	const char *fortnight = CAL(EV("DTSTART:20100105T090000Z\nDURATION:PT1H\n"
	                               "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH\n"));
	/* The last Friday of every month since 2000-01-28: May 30, 2031. */
	const char *last_fri = CAL(EV("DTSTART:20000128T170000Z\nDURATION:PT1H\n"
	                              "RRULE:FREQ=MONTHLY;BYDAY=-1FR\n"));
	/* The fourth Thursday of November since 1990: Nov 22, 2035. */
	const char *thanks = CAL(EV("DTSTART;VALUE=DATE:19901122\n"
	                            "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH\n"));
	const char *objs[] = { fortnight, last_fri, thanks };
	static const struct {
		int which; /* in objs */
		const char *start, *end;
		int hit;
	} cases[] = {
		{ 0, "20291211T093000Z", "20291211T093100Z", 1 },
		{ 0, "20291213T093000Z", "20291213T093100Z", 1 },
		{ 0, "20291218T000000Z", "20291220T235959Z", 0 },
		{ 1, "20310530T170000Z", "20310530T170001Z", 1 },
		{ 1, "20310523T000000Z", "20310530T000000Z", 0 },
		{ 2, "20351122T120000Z", "20351122T120001Z", 1 },
		{ 2, "20351115T000000Z", "20351122T000000Z", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *ics = objs[cases[i].which];

		assert_int_equal(hit(t, ics, "VEVENT", cases[i].start, cases[i].end), cases[i].hit);
		assert_walk(t, ics, cases[i].start, cases[i].end,
		            cases[i].hit ? ICS_WALK_STOPPED : ICS_WALK_DONE, 1, 3);
	}
}

/* Rules written to run away: they must answer at once. That they return
 * is the test (ctest's timeout bounds a runaway); what bounds their work is
 * asserted as the budget the walk spends, never as a time (bench/ics_bench
 * measures that). */
static void test_hostile_rules(void **state)
{
	struct tfx *t = *state;
	const char *every = CAL(EV("DTSTART:19700101T000000Z\nRRULE:FREQ=SECONDLY\n"));
	const char *ten = CAL(EV("DTSTART:19700101T000000Z\nRRULE:FREQ=SECONDLY;COUNT=10\n"));
	const char *odd = CAL(EV("DTSTART:19700101T000000Z\nRRULE:FREQ=SECONDLY;INTERVAL=7\n"));
	const char *feb = CAL(EV("DTSTART:19700101T000000Z\nRRULE:FREQ=SECONDLY;BYMONTH=2\n"));
	const char *never = CAL(EV("DTSTART:19700101T000000Z\n"
	                           "RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30\n"));
	const char *minutes = CAL(EV("DTSTART:20231201T000000Z\n"
	                             "RRULE:FREQ=MINUTELY;BYMONTH=1;BYHOUR=9\n"));

	/* Arithmetic from the window, no iterator: decided within the budget,
	 * where stepping from 1970 would need 1.7 billion steps. */
	assert_int_equal(hit(t, every, "VEVENT", "20240101T000000Z", "20240101T000001Z"), 1);
	assert_walk(t, every, "20240101T000000Z", "20240101T000001Z", ICS_WALK_STOPPED, 0,
	            ICS_STEPS_MAX - 1);
	assert_int_equal(hit(t, ten, "VEVENT", "20240101T000000Z", NULL), 0);
	assert_walk(t, ten, "20240101T000000Z", NULL, ICS_WALK_DONE, 0, 0);
	/* 2024-01-01T00:00:00Z is second 1704067200, 3 past a multiple of 7. */
	assert_int_equal(hit(t, odd, "VEVENT", "20240101T000000Z", "20240101T000004Z"), 0);
	assert_walk(t, odd, "20240101T000000Z", "20240101T000004Z", ICS_WALK_DONE, 0,
	            ICS_STEPS_MAX - 1);
	assert_int_equal(hit(t, odd, "VEVENT", "20240101T000000Z", "20240101T000005Z"), 1);
	assert_walk(t, odd, "20240101T000000Z", "20240101T000005Z", ICS_WALK_STOPPED, 0,
	            ICS_STEPS_MAX - 1);
	/* Nearly every second fails BYMONTH: too many candidates for libical
	 * to skip, so the rule is not walked (no iterator, no step) and taken
	 * to match (a false positive, never a miss). */
	assert_int_equal(hit(t, feb, "VEVENT", "20240101T000000Z", "20240102T000000Z"), 1);
	assert_walk(t, feb, "20240101T000000Z", "20240102T000000Z", ICS_WALK_CAPPED, 0, 0);
	/* No instance at all but DTSTART: nothing walked. */
	assert_int_equal(hit(t, never, "VEVENT", "20240101T000000Z", NULL), 0);
	assert_walk(t, never, "20240101T000000Z", NULL, ICS_WALK_DONE, 0, 0);
	/* The walk starts the day before: a few thousand candidates, exact;
	 * at most the 60 instances of 9:00-9:59 of each of the two days. */
	assert_int_equal(hit(t, minutes, "VEVENT", "20240105T090500Z", "20240105T090600Z"), 1);
	assert_walk(t, minutes, "20240105T090500Z", "20240105T090600Z", ICS_WALK_STOPPED, 1,
	            2 * 60);
	assert_int_equal(hit(t, minutes, "VEVENT", "20240105T100000Z", "20240105T110000Z"), 0);
	assert_walk(t, minutes, "20240105T100000Z", "20240105T110000Z", ICS_WALK_DONE, 1, 2 * 60);
}

/* ---- errors and threads ---- */

static void test_parse_errors(void **state)
{
	struct tfx *t = *state;
	struct ics_comp_filter *f = cal(t, comp(t, "VEVENT", 0, NULL, NULL, NULL));
	const char *open = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:x\n";

	assert_int_equal(run(t, "not a calendar", f), ICS_EPARSE);
	assert_non_null(strstr(t->err.msg, "line 1"));
	assert_int_equal(run(t, "", f), ICS_EPARSE);
	assert_non_null(strstr(t->err.msg, "empty"));
	assert_int_equal(run(t, open, f), ICS_EPARSE);
	assert_non_null(strstr(t->err.msg, "never closed"));
	/* A calendar-timezone that does not parse leaves UTC. */
	assert_int_equal(run_tz(t, CAL(EV("DTSTART:20240101T100000\n")),
	                        in_range(t, "VEVENT", "20240101T100000Z", "20240101T100001Z"),
	                        "garbage"),
	                 1);
}

struct job {
	struct tfx *t;
	int failures;
};

static void *thread_main(void *arg)
{
	struct job *j = arg;
	const struct ics_comp_filter *f[] = {
		in_range(j->t, "VEVENT", "20060104T000000Z", "20060105T000000Z"),
		in_range(j->t, "VFREEBUSY", "20060102T000000Z", "20060103T000000Z"),
	};
	static const unsigned want[] = { ABCD(2) | ABCD(3), ABCD(8) };

	for (int round = 0; round < 20; round++)
		for (size_t i = 0; i < 2; i++) {
			unsigned mask = 0;

			for (size_t k = 0; k < sizeof(rfc_data) / sizeof(rfc_data[0]); k++)
				if (ics_filter_match(rfc_data[k], strlen(rfc_data[k]), f[i],
				                     i ? TZ_NY : NULL, NULL) == 1)
					mask |= 1u << k;
			j->failures += mask != want[i];
		}
	return NULL;
}

static void test_threads(void **state)
{
	struct tfx *t = *state;
	struct job jobs[8];
	pthread_t th[8];

	/* Each thread builds its filters in an arena of its own. */
	for (int i = 0; i < 8; i++) {
		jobs[i].t = sd_arena_alloc(t->a, sizeof(struct tfx));
		jobs[i].t->a = sd_arena_new();
		jobs[i].failures = 0;
	}
	for (int i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&th[i], NULL, thread_main, &jobs[i]), 0);
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		sd_arena_free(jobs[i].t->a);
	}
	for (int i = 0; i < 8; i++)
		assert_int_equal(jobs[i].failures, 0);
}

int ics_filter_tests_run(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, tfx_setup, fx_teardown)
		T(test_rfc_events_by_range),
		T(test_rfc_recurring_by_range),
		T(test_rfc_override_replaces),
		T(test_rfc_freebusy),
		T(test_rfc_alarm),
		T(test_rfc_uid),
		T(test_rfc_partstat),
		T(test_rfc_events_only),
		T(test_rfc_pending_todos),
		T(test_not_defined),
		T(test_nested),
		T(test_names),
		T(test_text_octet_ascii),
		T(test_text_unicode),
		T(test_text_negate),
		T(test_text_values),
		T(test_params),
		T(test_prop_range),
		T(test_event_rows),
		T(test_event_all_day),
		T(test_floating),
		T(test_todo_start_rows),
		T(test_todo_other_rows),
		T(test_journal),
		T(test_freebusy),
		T(test_availability),
		T(test_alarm_triggers),
		T(test_alarm_recurring),
		T(test_recurring),
		T(test_overrides),
		T(test_rules),
		T(test_rules_far),
		T(test_hostile_rules),
		T(test_parse_errors),
		T(test_this_and_future),
		T(test_threads),
#undef T
	};

	return cmocka_run_group_tests_name("ical: filters", tests, NULL, NULL);
}
