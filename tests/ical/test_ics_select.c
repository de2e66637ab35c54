/* test_ics_select.c - CALDAV:calendar-data (RFC 4791 9.6): the examples of
 * 7.8.1 to 7.8.4 over the data of Appendix B, then selection, expansion
 * (zones, DST, floating times, dates, overrides, hostile rules) and the
 * limits on objects of their own.
 *
 * Where the RFC prints the answer and the order of lines is ours to keep
 * (selection and the limits write stored lines as they are), the text is
 * compared byte for byte; expanded instances are compared as iCalendar
 * (same components, same properties whatever their order, parsed with
 * libical) plus the lines that matter. Entry point: ics_select_tests_run().
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

#include "test_ical.h"
#include <libical/ical.h>

#include "ics.h"
#include "ics_select.h"
#include "rfc4791_data.h"
#include "sd_arena.h"
#include "sd_err.h"

int ics_select_tests_run(void);

#define CAL(body) \
	"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//slotdav//test//EN\n" body "END:VCALENDAR\n"
#define EV(body) "BEGIN:VEVENT\nUID:e@example.com\nDTSTAMP:20240101T000000Z\n" body "END:VEVENT\n"

#define VTZ_BERLIN                                                                         \
	"BEGIN:VTIMEZONE\nTZID:Europe/Berlin\n"                                            \
	"BEGIN:DAYLIGHT\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nTZNAME:CEST\n"              \
	"DTSTART:19700329T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nEND:DAYLIGHT\n"  \
	"BEGIN:STANDARD\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nTZNAME:CET\n"               \
	"DTSTART:19701025T030000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nEND:STANDARD\n" \
	"END:VTIMEZONE\n"
#define VTZ_NY                                                                            \
	"BEGIN:VTIMEZONE\nTZID:America/New_York\n"                                        \
	"BEGIN:DAYLIGHT\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0400\nTZNAME:EDT\n"              \
	"DTSTART:20070311T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\nEND:DAYLIGHT\n"  \
	"BEGIN:STANDARD\nTZOFFSETFROM:-0400\nTZOFFSETTO:-0500\nTZNAME:EST\n"              \
	"DTSTART:20071104T020000\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\nEND:STANDARD\n" \
	"END:VTIMEZONE\n"

/* The VTIMEZONE of Appendix B as the server writes it back (CRLF). */
#define OUT_TZ                                                                              \
	"BEGIN:VTIMEZONE\r\nLAST-MODIFIED:20040110T032845Z\r\nTZID:US/Eastern\r\n"          \
	"BEGIN:DAYLIGHT\r\nDTSTART:20000404T020000\r\n"                                     \
	"RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4\r\nTZNAME:EDT\r\nTZOFFSETFROM:-0500\r\n"     \
	"TZOFFSETTO:-0400\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nDTSTART:20001026T020000\r\n" \
	"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nTZNAME:EST\r\nTZOFFSETFROM:-0400\r\n"   \
	"TZOFFSETTO:-0500\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"

struct tfx {
	struct sd_arena *a;
	struct sd_err err;
	const char *out;
	size_t len;
};

static int tfx_setup(void **state)
{
	return fx_setup_sized(state, sizeof(struct tfx));
}

/* ---- selections, as caldav/ builds them ---- */

static struct ics_prop_sel *psel(struct tfx *t, const char *name, int novalue,
                                 struct ics_prop_sel *next)
{
	struct ics_prop_sel *p = sd_arena_alloc(t->a, sizeof(*p));

	p->name = name;
	p->novalue = novalue;
	p->next = next;
	return p;
}

/* A prop list from names; a name starting with '!' has novalue. */
static struct ics_prop_sel *props(struct tfx *t, const char *const *names)
{
	struct ics_prop_sel *head = NULL;
	size_t n = 0;

	while (names[n])
		n++;
	while (n-- > 0)
		head = psel(t, names[n] + (names[n][0] == '!'), names[n][0] == '!', head);
	return head;
}

static struct ics_comp_sel *csel(struct tfx *t, const char *name, struct ics_prop_sel *ps,
                                 struct ics_comp_sel *cs, struct ics_comp_sel *next)
{
	struct ics_comp_sel *c = sd_arena_alloc(t->a, sizeof(*c));

	c->name = name;
	c->props = ps;
	c->comps = cs;
	c->next = next;
	return c;
}

static struct ics_select *expand(struct tfx *t, const char *start, const char *end)
{
	struct ics_select *s = sd_arena_alloc(t->a, sizeof(*s));

	s->expand = 1;
	s->expand_start = fx_utc(start);
	s->expand_end = fx_utc(end);
	return s;
}

static int run_tz(struct tfx *t, const char *ics, const struct ics_select *sel, const char *tz)
{
	sd_err_clear(&t->err);
	t->out = NULL;
	return ics_calendar_data(ics, strlen(ics), sel, tz, t->a, &t->out, &t->len, &t->err);
}

/* Runs and asserts ICS_OK. */
static const char *run(struct tfx *t, const char *ics, const struct ics_select *sel, const char *tz)
{
	int rc = run_tz(t, ics, sel, tz);

	if (rc != ICS_OK)
		print_error("ics_calendar_data: %d %s\n", rc, t->err.msg);
	assert_int_equal(rc, ICS_OK);
	assert_non_null(t->out);
	assert_int_equal(strlen(t->out), t->len);
	return t->out;
}

/* ---- looking at the answer ---- */

static const char *crlf(struct tfx *t, const char *s)
{
	char *o = sd_arena_alloc(t->a, 2 * strlen(s) + 1), *p = o;

	for (; *s; s++) {
		if (*s == '\n')
			*p++ = '\r';
		*p++ = *s;
	}
	*p = '\0';
	return o;
}

static void assert_text(const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		print_error("got:\n%s\nwant:\n%s\n", got, want);
	assert_string_equal(got, want);
}

/* The whole content line line (CRLF on both sides) is in text. */
static void assert_line(const char *text, const char *line, int present)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "\r\n%s\r\n", line);
	if ((strstr(text, buf) != NULL) != present)
		print_error("%s \"%s\" in:\n%s\n", present ? "no" : "unexpected", line, text);
	assert_int_equal(strstr(text, buf) != NULL, present);
}

static int count(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The properties of c as libical writes them, sorted; free with free_lines. */
static char **prop_lines(icalcomponent *c, size_t *n)
{
	char **v =
	    calloc((size_t)icalcomponent_count_properties(c, ICAL_ANY_PROPERTY) + 1, sizeof(*v));

	*n = 0;
	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY))
		v[(*n)++] = icalproperty_as_ical_string_r(p);
	qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

static void free_lines(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Same kind, same properties (any order), same children (in order). */
static int same_comp(icalcomponent *a, icalcomponent *b)
{
	size_t na, nb;
	char **pa = prop_lines(a, &na), **pb = prop_lines(b, &nb);
	int same = icalcomponent_isa(a) == icalcomponent_isa(b) && na == nb;
	icalcomponent *ka, *kb;

	for (size_t i = 0; same && i < na; i++)
		same = strcmp(pa[i], pb[i]) == 0;
	free_lines(pa, na);
	free_lines(pb, nb);
	ka = icalcomponent_get_first_component(a, ICAL_ANY_COMPONENT);
	kb = icalcomponent_get_first_component(b, ICAL_ANY_COMPONENT);
	for (; same && ka && kb; ka = icalcomponent_get_next_component(a, ICAL_ANY_COMPONENT),
	                         kb = icalcomponent_get_next_component(b, ICAL_ANY_COMPONENT))
		same = same_comp(ka, kb);
	return same && !ka && !kb;
}

/* got and want are the same iCalendar (semantically: see same_comp). */
static void assert_ical_eq(const char *got, const char *want)
{
	icalcomponent *g = icalparser_parse_string(got), *w = icalparser_parse_string(want);
	int same = g && w && same_comp(g, w);

	if (!same)
		print_error("got:\n%s\nwant (as iCalendar):\n%s\n", got, want);
	if (g)
		icalcomponent_free(g);
	if (w)
		icalcomponent_free(w);
	assert_true(same);
}

/* Every physical line at most 75 octets, CRLF-terminated, no bare LF. */
static void assert_folded(const char *text)
{
	for (const char *p = text; *p;) {
		const char *e = strstr(p, "\r\n");

		assert_non_null(e);
		assert_true(e - p <= 75);
		assert_null(memchr(p, '\n', (size_t)(e - p)));
		p = e + 2;
	}
}

/* ---- RFC 4791 7.8 ---- */

/* 7.8.1: VCALENDAR with VERSION, VEVENTs with some properties, VTIMEZONE
 * whole (an empty comp element). The RFC's answers, byte for byte. */
static void test_rfc_partial(void **state)
{
	static const char *const vcal[] = { "VERSION", NULL };
	static const char *const vev[] = { "SUMMARY",  "UID",           "DTSTART", "DTEND",
		                           "DURATION", "RRULE",         "RDATE",   "EXRULE",
		                           "EXDATE",   "RECURRENCE-ID", NULL };
	struct tfx *t = *state;
	struct ics_select sel = { 0 };

	sel.comp = csel(
	    t, "VCALENDAR", props(t, vcal),
	    csel(t, "VEVENT", props(t, vev), NULL, csel(t, "VTIMEZONE", NULL, NULL, NULL)), NULL);
	assert_text(run(t, RFC4791_ABCD2, &sel, NULL),
	            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" OUT_TZ "BEGIN:VEVENT\r\n"
	            "DTSTART;TZID=US/Eastern:20060102T120000\r\nDURATION:PT1H\r\n"
	            "RRULE:FREQ=DAILY;COUNT=5\r\nSUMMARY:Event #2\r\n"
	            "UID:00959BC664CA650E933C892C@example.com\r\nEND:VEVENT\r\n"
	            "BEGIN:VEVENT\r\nDTSTART;TZID=US/Eastern:20060104T140000\r\nDURATION:PT1H\r\n"
	            "RECURRENCE-ID;TZID=US/Eastern:20060104T120000\r\nSUMMARY:Event #2 bis\r\n"
	            "UID:00959BC664CA650E933C892C@example.com\r\nEND:VEVENT\r\n"
	            "BEGIN:VEVENT\r\nDTSTART;TZID=US/Eastern:20060106T140000\r\nDURATION:PT1H\r\n"
	            "RECURRENCE-ID;TZID=US/Eastern:20060106T120000\r\n"
	            "SUMMARY:Event #2 bis bis\r\nUID:00959BC664CA650E933C892C@example.com\r\n"
	            "END:VEVENT\r\nEND:VCALENDAR\r\n");
	assert_text(run(t, RFC4791_ABCD3, &sel, NULL),
	            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" OUT_TZ "BEGIN:VEVENT\r\n"
	            "DTSTART;TZID=US/Eastern:20060104T100000\r\nDURATION:PT1H\r\n"
	            "SUMMARY:Event #3\r\nUID:DC6C50A017428C5216A2F1CD@example.com\r\n"
	            "END:VEVENT\r\nEND:VCALENDAR\r\n");
}

/* 7.8.2: limit-recurrence-set 20060103T000000Z-20060105T000000Z keeps the
 * master and the override of the 4th, not the one of the 6th. */
static void test_rfc_limit_rset(void **state)
{
	struct tfx *t = *state;
	struct ics_select sel = { .limit_rset = 1 };
	const char *abcd2 = crlf(t, RFC4791_ABCD2),
	           *cut = strstr(abcd2, "BEGIN:VEVENT\r\nDTSTAMP:"
	                                "20060206T001121Z\r\nDTSTART;"
	                                "TZID=US/Eastern:20060106");

	sel.lr_start = fx_utc("20060103T000000Z");
	sel.lr_end = fx_utc("20060105T000000Z");
	assert_non_null(cut);
	assert_text(run(t, RFC4791_ABCD2, &sel, NULL),
	            sd_arena_printf(t->a, "%.*sEND:VCALENDAR\r\n", (int)(cut - abcd2), abcd2));
	assert_text(run(t, RFC4791_ABCD3, &sel, NULL), crlf(t, RFC4791_ABCD3));
	/* An override kept for the instance it replaces, though moved out. */
	sel.lr_start = fx_utc("20060106T170000Z");
	sel.lr_end = fx_utc("20060106T173000Z");
	run(t, RFC4791_ABCD2, &sel, NULL);
	assert_int_equal(count(t->out, "RECURRENCE-ID"), 1);
	assert_line(t->out, "SUMMARY:Event #2 bis bis", 1);
	sel.lr_start = fx_utc("20060106T180000Z"); /* between the two: neither */
	sel.lr_end = fx_utc("20060106T190000Z");
	run(t, RFC4791_ABCD2, &sel, NULL);
	assert_int_equal(count(t->out, "RECURRENCE-ID"), 0);
}

/* 7.8.3: expand over 20060103T000000Z-20060105T000000Z; the RFC's answer
 * with its erratum (UTC times carry their Z). */
static void test_rfc_expand(void **state)
{
	struct tfx *t = *state;
	const struct ics_select *sel = expand(t, "20060103T000000Z", "20060105T000000Z");

	assert_ical_eq(run(t, RFC4791_ABCD2, sel, NULL),
	               "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	               "PRODID:-//Example Corp.//CalDAV Client//EN\r\n"
	               "BEGIN:VEVENT\r\nDTSTAMP:20060206T001121Z\r\nDTSTART:20060103T170000Z\r\n"
	               "DURATION:PT1H\r\nRECURRENCE-ID:20060103T170000Z\r\nSUMMARY:Event #2\r\n"
	               "UID:00959BC664CA650E933C892C@example.com\r\nEND:VEVENT\r\n"
	               "BEGIN:VEVENT\r\nDTSTAMP:20060206T001121Z\r\nDTSTART:20060104T190000Z\r\n"
	               "DURATION:PT1H\r\nRECURRENCE-ID:20060104T170000Z\r\n"
	               "SUMMARY:Event #2 bis\r\nUID:00959BC664CA650E933C892C@example.com\r\n"
	               "END:VEVENT\r\nEND:VCALENDAR\r\n");
	assert_int_equal(count(t->out, "BEGIN:VEVENT"), 2);
	assert_int_equal(count(t->out, "TZID"), 0);
	assert_int_equal(count(t->out, "RRULE"), 0);
	assert_line(t->out, "DTSTART:20060103T170000Z", 1);
	assert_line(t->out, "RECURRENCE-ID:20060104T170000Z", 1);
	assert_ical_eq(
	    run(t, RFC4791_ABCD3, sel, NULL),
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//Example Corp.//CalDAV Client//EN\r\nBEGIN:VEVENT\r\n"
	    "ATTENDEE;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:cyrus@example.com\r\n"
	    "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:lisa@example.com\r\n"
	    "DTSTAMP:20060206T001220Z\r\nDTSTART:20060104T150000Z\r\nDURATION:PT1H\r\n"
	    "LAST-MODIFIED:20060206T001330Z\r\nORGANIZER:mailto:cyrus@example.com\r\n"
	    "SEQUENCE:1\r\nSTATUS:TENTATIVE\r\nSUMMARY:Event #3\r\n"
	    "UID:DC6C50A017428C5216A2F1CD@example.com\r\n"
	    "X-ABC-GUID:E1CX5Dr-0007ym-Hz@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
	assert_int_equal(count(t->out, "RECURRENCE-ID"), 0);
	/* abcd1 is on the 2nd: nothing of it is in the range. */
	assert_int_equal(count(run(t, RFC4791_ABCD1, sel, NULL), "BEGIN:VEVENT"), 0);
	assert_int_equal(count(t->out, "BEGIN:VCALENDAR"), 1);
}

/* 7.8.4: limit-freebusy-set 20060102T000000Z-20060103T000000Z keeps one
 * FREEBUSY period of abcd8. */
static void test_rfc_limit_fbset(void **state)
{
	struct tfx *t = *state;
	struct ics_select sel = { .limit_fbset = 1 };

	sel.lf_start = fx_utc("20060102T000000Z");
	sel.lf_end = fx_utc("20060103T000000Z");
	assert_text(run(t, RFC4791_ABCD8, &sel, NULL),
	            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	            "PRODID:-//Example Corp.//CalDAV Client//EN\r\nBEGIN:VFREEBUSY\r\n"
	            "ORGANIZER;CN=\"Bernard Desruisseaux\":mailto:bernard@example.com\r\n"
	            "UID:76ef34-54a3d2@example.com\r\nDTSTAMP:20050530T123421Z\r\n"
	            "DTSTART:20060101T000000Z\r\nDTEND:20060108T000000Z\r\n"
	            "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20060102T100000Z/20060102T120000Z\r\n"
	            "END:VFREEBUSY\r\nEND:VCALENDAR\r\n");
}

/* ---- selection ---- */

static void test_whole(void **state)
{
	struct tfx *t = *state;
	struct ics_select none = { 0 };

	for (size_t i = 0; i < 2; i++) {
		assert_text(run(t, RFC4791_ABCD5, i ? &none : NULL, NULL), crlf(t, RFC4791_ABCD5));
		assert_text(run(t, RFC4791_ABCD8, i ? &none : NULL, NULL), crlf(t, RFC4791_ABCD8));
	}
	/* CRLF input, a byte order mark and blank lines: lines as they were. */
	assert_text(run(t,
	                "\xEF\xBB\xBF"
	                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\r\nPRODID:x\r\n"
	                "BEGIN:VTODO\r\nUID:t\r\nSUMMARY:a\\, b\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
	                NULL, NULL),
	            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:t\r\n"
	            "SUMMARY:a\\, b\r\nEND:VTODO\r\nEND:VCALENDAR\r\n");
}

/* Long lines are folded at 75 octets, never inside a UTF-8 character, and
 * unfold to what was stored. */
static void test_folding(void **state)
{
	struct tfx *t = *state;
	char summary[400] = "SUMMARY:";
	const char *out, *p;
	char *unfolded, *u;

	for (int i = 0; i < 60; i++)
		strcat(summary, i % 3 ? "\xC3\xA9" : "\xE2\x82\xAC"); /* é, € */
	out = run(t, sd_arena_printf(t->a, CAL(EV("DTSTART:20240101T100000Z\n%s\n")), summary),
	          NULL, NULL);
	assert_folded(out);
	unfolded = u = sd_arena_alloc(t->a, strlen(out) + 1);
	for (p = out; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ')
			p += 2;
		else
			*u++ = *p;
	}
	*u = '\0';
	assert_line(unfolded, summary, 1);
	for (p = strstr(out, "\r\n "); p; p = strstr(p + 1, "\r\n "))
		assert_true(((unsigned char)p[3] & 0xC0) != 0x80);
}

/* allprop, allcomp, novalue, names in any case, an unknown root. */
static void test_select_rules(void **state)
{
	static const char *const nv[] = { "!attendee", "uid", NULL };
	static const char *const summ[] = { "SUMMARY", NULL };
	struct tfx *t = *state;
	struct ics_select sel = { 0 };
	struct ics_comp_sel *ev;

	ev = csel(t, "vevent", props(t, nv), NULL, NULL);
	sel.comp = csel(t, "VCALENDAR", NULL, ev, NULL);
	sel.comp->allprop = 1;
	assert_text(run(t, RFC4791_ABCD3, &sel, NULL),
	            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	            "PRODID:-//Example Corp.//CalDAV Client//EN\r\nBEGIN:VEVENT\r\n"
	            "ATTENDEE;PARTSTAT=ACCEPTED;ROLE=CHAIR:\r\n"
	            "ATTENDEE;PARTSTAT=NEEDS-ACTION:\r\n"
	            "UID:DC6C50A017428C5216A2F1CD@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
	/* A VTODO with props but no comps loses its VALARM; allcomp keeps it. */
	sel.comp = csel(t, "VCALENDAR", NULL, csel(t, "VTODO", props(t, summ), NULL, NULL), NULL);
	run(t, RFC4791_ABCD4, &sel, NULL);
	assert_int_equal(count(t->out, "VALARM"), 0);
	assert_int_equal(count(t->out, "VERSION"), 0); /* prop* with no prop: none */
	assert_line(t->out, "SUMMARY:Task #1", 1);
	sel.comp->comps->allcomp = 1;
	run(t, RFC4791_ABCD4, &sel, NULL);
	assert_line(t->out, "TRIGGER;RELATED=START:-PT10M", 1);
	assert_line(t->out, "DUE;VALUE=DATE:20060104", 0);
	/* allcomp on the calendar: every child whole. */
	sel.comp = csel(t, "VCALENDAR", NULL, NULL, NULL);
	sel.comp->allcomp = 1;
	run(t, RFC4791_ABCD4, &sel, NULL);
	assert_line(t->out, "DUE;VALUE=DATE:20060104", 1);
	assert_line(t->out, "PRODID:-//Example Corp.//CalDAV Client//EN", 0);
	/* Not the VCALENDAR at the root: nothing. */
	sel.comp = csel(t, "VEVENT", NULL, NULL, NULL);
	assert_text(run(t, RFC4791_ABCD3, &sel, NULL), "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
}

/* ---- expand ---- */

/* A weekly meeting at 10:00 in Berlin keeps its wall clock across the
 * change of 27 October 2024: 08:00Z before, 09:00Z after. */
static void test_expand_dst(void **state)
{
	struct tfx *t = *state;
	const char *ics = CAL(VTZ_BERLIN EV("DTSTART;TZID=Europe/Berlin:20241013T100000\n"
	                                    "DTEND;TZID=Europe/Berlin:20241013T110000\n"
	                                    "RRULE:FREQ=WEEKLY;COUNT=4\nSUMMARY:Weekly\n"));

	run(t, ics, expand(t, "20241001T000000Z", "20241201T000000Z"), NULL);
	assert_int_equal(count(t->out, "BEGIN:VEVENT"), 4);
	assert_int_equal(count(t->out, "VTIMEZONE"), 0);
	assert_line(t->out, "DTSTART:20241013T080000Z", 1);
	assert_line(t->out, "DTSTART:20241020T080000Z", 1);
	assert_line(t->out, "DTEND:20241020T090000Z", 1);
	assert_line(t->out, "RECURRENCE-ID:20241020T080000Z", 1);
	assert_line(t->out, "DTSTART:20241027T090000Z", 1);
	assert_line(t->out, "DTEND:20241027T100000Z", 1);
	assert_line(t->out, "RECURRENCE-ID:20241027T090000Z", 1);
	assert_line(t->out, "DTSTART:20241103T090000Z", 1);
	/* In time order, and the range cuts: the 27th alone. */
	assert_true(strstr(t->out, "20241020T08") < strstr(t->out, "20241027T09"));
	run(t, ics, expand(t, "20241027T085959Z", "20241027T090001Z"), NULL);
	assert_int_equal(count(t->out, "BEGIN:VEVENT"), 1);
	assert_line(t->out, "RECURRENCE-ID:20241027T090000Z", 1);
}

/* Floating times are found in the default zone and stay floating. */
static void test_expand_floating(void **state)
{
	struct tfx *t = *state;
	const char *ics = CAL(EV("DTSTART:20240105T090000\nDTEND:20240105T093000\n"
	                         "RRULE:FREQ=DAILY;COUNT=3\n"));
	const struct ics_select *sel = expand(t, "20240106T120000Z", "20240106T150000Z");

	/* 09:00 in New York is 14:00Z: in the range; in UTC it is not. */
	run(t, ics, sel, CAL(VTZ_NY));
	assert_int_equal(count(t->out, "BEGIN:VEVENT"), 1);
	assert_line(t->out, "DTSTART:20240106T090000", 1);
	assert_line(t->out, "DTEND:20240106T093000", 1);
	assert_line(t->out, "RECURRENCE-ID:20240106T090000", 1);
	assert_int_equal(count(run(t, ics, sel, NULL), "BEGIN:VEVENT"), 0);
	/* A floating instance in the hour Berlin skips keeps its wall clock. */
	ics = CAL(EV("DTSTART:20240330T023000\nDURATION:PT30M\nRRULE:FREQ=DAILY;COUNT=3\n"));
	run(t, ics, expand(t, "20240330T000000Z", "20240402T000000Z"), CAL(VTZ_BERLIN));
	assert_int_equal(count(t->out, "BEGIN:VEVENT"), 3);
	assert_line(t->out, "DTSTART:20240331T023000", 1);
	assert_line(t->out, "RECURRENCE-ID:20240331T023000", 1);
	assert_line(t->out, "DTSTART:20240401T023000", 1);
}

/* All-day series: DATEs stay DATEs, a day in the default zone. */
static void test_expand_dates(void **state)
{
	struct tfx *t = *state;
	const char *ics = CAL(EV("DTSTART;VALUE=DATE:20240101\nDTEND;VALUE=DATE:20240102\n"
	                         "RRULE:FREQ=DAILY;COUNT=5\nEXDATE;VALUE=DATE:20240104\n"));

	run(t, ics, expand(t, "20240103T000000Z", "20240105T000000Z"), NULL);
	assert_int_equal(count(t->out, "BEGIN:VEVENT"), 1); /* the 4th is excluded */
	assert_line(t->out, "DTSTART;VALUE=DATE:20240103", 1);
	assert_line(t->out, "DTEND;VALUE=DATE:20240104", 1);
	assert_line(t->out, "RECURRENCE-ID;VALUE=DATE:20240103", 1);
	assert_int_equal(count(t->out, "EXDATE"), 0);
	/* In New York the 5th starts at 05:00Z: [00:00Z, 05:00Z) misses it. */
	run(t, ics, expand(t, "20240105T000000Z", "20240105T050000Z"), CAL(VTZ_NY));
	assert_int_equal(count(t->out, "BEGIN:VEVENT"), 0);
	run(t, ics, expand(t, "20240105T000000Z", "20240105T050001Z"), CAL(VTZ_NY));
	assert_line(t->out, "DTSTART;VALUE=DATE:20240105", 1);
}

/* RDATE and EXDATE, a to-do with DUE, overrides in UTC, other components. */
static void test_expand_sets(void **state)
{
	struct tfx *t = *state;
	const char *ev = CAL(EV("DTSTART:20240101T100000Z\nDURATION:PT1H\n"
	                        "RRULE:FREQ=DAILY;COUNT=3\nEXDATE:20240102T100000Z\n"
	                        "RDATE:20240110T150000Z\nRDATE:20240101T100000Z\n"));
	const char *todo =
	    CAL(VTZ_BERLIN "BEGIN:VTODO\nUID:t\nDTSTAMP:20240101T000000Z\n"
	                   "DTSTART;TZID=Europe/Berlin:20240101T090000\n"
	                   "DUE;TZID=Europe/Berlin:20240101T120000\n"
	                   "RRULE:FREQ=WEEKLY;COUNT=2\nEND:VTODO\n"
	                   "BEGIN:VFREEBUSY\nUID:f\nDTSTAMP:20240101T000000Z\n"
	                   "DTSTART;TZID=Europe/Berlin:20240101T000000\nEND:VFREEBUSY\n");

	run(t, ev, expand(t, "20240101T000000Z", "20240201T000000Z"), NULL);
	assert_int_equal(count(t->out, "BEGIN:VEVENT"), 3); /* 1st (once), 3rd, 10th */
	assert_line(t->out, "DTSTART:20240101T100000Z", 1);
	assert_line(t->out, "DTSTART:20240102T100000Z", 0);
	assert_line(t->out, "DTSTART:20240110T150000Z", 1);
	assert_int_equal(count(t->out, "RDATE") + count(t->out, "RRULE"), 0);
	run(t, todo, expand(t, "20240108T000000Z", "20240109T000000Z"), NULL);
	assert_int_equal(count(t->out, "BEGIN:VTODO"), 1);
	assert_line(t->out, "DTSTART:20240108T080000Z", 1);
	assert_line(t->out, "DUE:20240108T110000Z", 1);
	assert_line(t->out, "RECURRENCE-ID:20240108T080000Z", 1);
	assert_line(t->out, "DTSTART:20231231T230000Z", 1); /* the VFREEBUSY, in UTC */
	assert_int_equal(count(t->out, "TZID"), 0);
}

/* RANGE=THISANDFUTURE: the 3rd of five weekly instances and the rest move
 * 2 hours later and last 90 minutes; they keep their RECURRENCE-IDs. */
static void test_expand_this_and_future(void **state)
{
	struct tfx *t = *state;
	const char *ev = CAL(EV("DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\n"
	                        "RRULE:FREQ=WEEKLY;COUNT=5\nSUMMARY:Weekly\n")
	                         EV("RECURRENCE-ID;RANGE=THISANDFUTURE:20240115T100000Z\n"
	                            "DTSTART:20240115T120000Z\nDTEND:20240115T133000Z\n"
	                            "SUMMARY:Weekly, later\n"));
	const char *fl = CAL(EV("DTSTART:20240101T100000\nDTEND:20240101T110000\n"
	                        "RRULE:FREQ=WEEKLY;COUNT=5\n")
	                         EV("RECURRENCE-ID;RANGE=THISANDFUTURE:20240115T100000\n"
	                            "DTSTART:20240115T120000\nDTEND:20240115T133000\n"));
	static const char *const starts[] = { "20240101T100000Z", "20240108T100000Z",
		                              "20240115T120000Z", "20240122T120000Z",
		                              "20240129T120000Z" };

	run(t, ev, expand(t, "20240101T000000Z", "20240201T000000Z"), NULL);
	assert_int_equal(count(t->out, "BEGIN:VEVENT"), 5);
	for (size_t i = 0; i < 5; i++)
		assert_line(t->out, sd_arena_printf(t->a, "DTSTART:%s", starts[i]), 1);
	assert_line(t->out, "DTEND:20240108T110000Z", 1);
	assert_line(t->out, "DTEND:20240122T133000Z", 1);
	assert_line(t->out, "DTEND:20240129T133000Z", 1);
	assert_line(t->out, "RECURRENCE-ID:20240122T100000Z", 1);
	assert_line(t->out, "RECURRENCE-ID:20240129T100000Z", 1);
	assert_line(t->out, "RECURRENCE-ID;RANGE=THISANDFUTURE:20240115T100000Z", 1);
	assert_int_equal(count(t->out, "DTSTART:20240122T100000Z"), 0);
	assert_int_equal(count(t->out, "RECURRENCE-ID:20240122T120000Z"), 0);
	/* Only the moved 4th in its new place; nothing at its old time. */
	run(t, ev, expand(t, "20240122T120000Z", "20240122T123000Z"), NULL);
	assert_int_equal(count(t->out, "BEGIN:VEVENT"), 1);
	assert_line(t->out, "DTSTART:20240122T120000Z", 1);
	run(t, ev, expand(t, "20240122T100000Z", "20240122T103000Z"), NULL);
	assert_int_equal(count(t->out, "BEGIN:VEVENT"), 0);
	/* Floating times move on the wall clock. */
	run(t, fl, expand(t, "20240122T000000Z", "20240123T000000Z"), NULL);
	assert_int_equal(count(t->out, "BEGIN:VEVENT"), 1);
	assert_line(t->out, "DTSTART:20240122T120000", 1);
	assert_line(t->out, "DTEND:20240122T133000", 1);
	assert_line(t->out, "RECURRENCE-ID:20240122T100000", 1);
}

/* The selection applies to expanded instances too. */
static void test_expand_select(void **state)
{
	static const char *const keep[] = { "DTSTART", "RECURRENCE-ID", "SUMMARY", NULL };
	struct tfx *t = *state;
	struct ics_select *sel = expand(t, "20060103T000000Z", "20060105T000000Z");

	sel->comp = csel(t, "VCALENDAR", NULL, csel(t, "VEVENT", props(t, keep), NULL, NULL), NULL);
	assert_text(run(t, RFC4791_ABCD2, sel, NULL),
	            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20060103T170000Z\r\n"
	            "RECURRENCE-ID:20060103T170000Z\r\nSUMMARY:Event #2\r\nEND:VEVENT\r\n"
	            "BEGIN:VEVENT\r\nDTSTART:20060104T190000Z\r\n"
	            "RECURRENCE-ID:20060104T170000Z\r\nSUMMARY:Event #2 bis\r\nEND:VEVENT\r\n"
	            "END:VCALENDAR\r\n");
}

/* Hostile rules stay bounded: too many instances, or a rule too costly to
 * walk, is ICS_ETOOMANY (the cap is the bound; ctest's timeout catches a
 * runaway, and bench/ics_bench measures the time). */
static void test_expand_hostile(void **state)
{
	struct tfx *t = *state;
	struct ics_select *sel = expand(t, "20240101T000000Z", "20240102T000000Z");
	const char *secondly = CAL(EV("DTSTART:20240101T000000Z\nRRULE:FREQ=SECONDLY\n"));
	const char *daily = CAL(EV("DTSTART:20240101T100000Z\nRRULE:FREQ=DAILY;COUNT=5\n"));

	assert_int_equal(run_tz(t, secondly, sel, NULL), ICS_ETOOMANY);
	assert_null(t->out);
	assert_non_null(strstr(t->err.msg, "instances"));
	sel->expand_end = fx_utc("20240102T000000Z") + 20 * 86400;
	assert_int_equal(run_tz(t, secondly, sel, NULL), ICS_ETOOMANY);
	assert_int_equal(run_tz(t,
	                        CAL(EV("DTSTART:20240101T000000Z\n"
	                               "RRULE:FREQ=SECONDLY;BYMONTH=2\n")),
	                        sel, NULL),
	                 ICS_ETOOMANY);
	sel->max_instances = 4;
	assert_int_equal(run_tz(t, daily, sel, NULL), ICS_ETOOMANY);
	sel->max_instances = 5;
	assert_int_equal(count(run(t, daily, sel, NULL), "BEGIN:VEVENT"), 5);
	/* 10 minutes of FREQ=SECONDLY fit the default cap. */
	sel->max_instances = 0;
	sel->expand_end = fx_utc("20240101T001000Z");
	assert_int_equal(count(run(t, secondly, sel, NULL), "BEGIN:VEVENT"), 600);
}

/* ---- threads ---- */

struct job {
	const char *want[2];
	int64_t start[2], end[2];
	int failures;
};

/* Each thread expands the same objects, one with a zone of the system
 * database, in an arena of its own. */
static void *thread_main(void *arg)
{
	struct job *j = arg;
	const char *ics[2] = { RFC4791_ABCD2,
		               CAL(EV("DTSTART;TZID=Europe/Paris:20241020T100000\n"
		                      "DURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=14\n")) };
	struct ics_select sel = { .expand = 1 };

	for (int round = 0; round < 20; round++) {
		struct sd_arena *a = sd_arena_new();

		for (size_t i = 0; i < 2; i++) {
			const char *out = NULL;
			size_t len;

			sel.expand_start = j->start[i];
			sel.expand_end = j->end[i];
			if (ics_calendar_data(ics[i], strlen(ics[i]), &sel, NULL, a, &out, &len,
			                      NULL) != ICS_OK ||
			    strcmp(out, j->want[i]) != 0)
				j->failures++;
		}
		sd_arena_free(a);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct tfx *t = *state;
	struct job jobs[8];
	pthread_t th[8];
	const char *want[2];
	struct ics_select *sel = expand(t, "20241025T000000Z", "20241030T000000Z");

	want[0] = run(t, RFC4791_ABCD2, expand(t, "20060103T000000Z", "20060105T000000Z"), NULL);
	want[1] = run(t,
	              CAL(EV("DTSTART;TZID=Europe/Paris:20241020T100000\n"
	                     "DURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=14\n")),
	              sel, NULL);
	/* Paris changes on the 27th: 08:00Z before, 09:00Z after. */
	assert_line(want[1], "DTSTART:20241026T080000Z", 1);
	assert_line(want[1], "DTSTART:20241027T090000Z", 1);
	for (int i = 0; i < 8; i++) {
		jobs[i] = (struct job){
			.want = { want[0], want[1] },
			.start = { fx_utc("20060103T000000Z"), fx_utc("20241025T000000Z") },
			.end = { fx_utc("20060105T000000Z"), fx_utc("20241030T000000Z") }
		};
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

	assert_int_equal(run_tz(t, "not iCalendar", NULL, NULL), ICS_EPARSE);
	assert_true(t->err.msg[0] != '\0');
	assert_int_equal(run_tz(t, "", NULL, NULL), ICS_EPARSE);
	assert_int_equal(run_tz(t, "BEGIN:VCALENDAR\nEND:VEVENT\n", NULL, NULL), ICS_EPARSE);
}

int ics_select_tests_run(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, tfx_setup, fx_teardown)
		T(test_rfc_partial),     T(test_rfc_limit_rset),
		T(test_rfc_expand),      T(test_rfc_limit_fbset),
		T(test_whole),           T(test_folding),
		T(test_select_rules),    T(test_expand_dst),
		T(test_expand_floating), T(test_expand_dates),
		T(test_expand_sets),     T(test_expand_select),
		T(test_expand_hostile),  T(test_threads),
		T(test_parse_errors),    T(test_expand_this_and_future),
#undef T
	};

	return cmocka_run_group_tests_name("ical: calendar-data", tests, NULL, NULL);
}
