/* test_feed.c - iCalendar feeds (booking_feed.c) against a real SQLite
 * store: token shape and hashing, who may make and revoke feeds, the
 * calendar's form, and privacy: a busy-only feed carries none of the
 * customer's name, e-mail, phone or notes, nor the service's name; a
 * staff feed with the member's personal calendars (busy blocks or
 * summaries, recurring events expanded, transparent and cancelled ones and
 * the Bookings calendar's own objects left out).
 *
 * The clock is the context's (x.now), so nothing depends on today.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "booking.h"
#include "dav.h"
#include "ics.h"
#include "ics_split.h"
#include "store.h"
#include "store_bk.h"
#include "test_booking.h"

#define NOW     1893974400LL /* 2030-01-07T00:00:00Z, a Monday */
#define DAYS(n) ((n)*86400LL)

static const char *const secrets[] = { "Zelda Secretname", "zelda@example.org", "+49 170 5550123",
	                               "public-note-123",  "private-note-456",  "Root canal" };

struct ff {
	char dir[64], path[96];
	struct store *st;
	struct store_conn *c;
	struct sd_arena *a;
	struct sd_err err;
	struct booking_actor sys, staff, cust, other;
	struct booking_ctx x;
	int64_t loc, staff_id, svc, cust_id, other_id, sam_user;
	struct store_booking live, gone, old;
};

static int64_t user(struct ff *f, const char *name)
{
	int64_t id;

	assert_int_equal(store_user_create(f->c, name, name, "", "x", &id, &f->err), 0);
	assert_int_equal(dav_user_provision(f->c, id, &f->err), 0);
	return id;
}

static void book(struct ff *f, int64_t start, struct store_booking *out)
{
	struct booking_new n = { .service_id = f->svc,
		                 .staff_id = f->staff_id,
		                 .customer_id = f->cust_id,
		                 .start = start,
		                 .notes_public = "public-note-123",
		                 .notes_private = "private-note-456" };

	assert_int_equal(booking_create(&f->x, &n, out, &f->err), 0);
}

static int setup(void **state)
{
	struct ff *f = calloc(1, sizeof(*f));
	struct store_location loc = { .name = "Clinic",
		                      .timezone = "Europe/Berlin",
		                      .email = "clinic@example.org",
		                      .address = "" };
	struct store_customer cu = { .name = secrets[0], .email = secrets[1], .phone = secrets[2] };
	struct store_customer other = { .name = "Other", .email = "" };
	struct store_service svc = {
		.name = secrets[5], .duration_min = 60, .active = 1, .nstaff = 1
	};
	struct store_staff s = { .name = "Sam", .active = 1, .nlocations = 1 };
	struct store_hours h[7];

	snprintf(f->dir, sizeof(f->dir), "/tmp/slotdav-feed-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/db", f->dir);
	assert_int_equal(store_open(&f->st, f->path, 1, &f->err), 0);
	assert_int_equal(store_conn_acquire(f->st, &f->c, &f->err), 0);
	f->a = sd_arena_new();
	f->sys = (struct booking_actor){ BOOKING_ROLE_SYSTEM, 0, 0, "test", "cli", "" };
	f->x = (struct booking_ctx){ f->c, f->a, NOW - DAYS(200), &f->sys };
	assert_int_equal(booking_location_save(&f->x, &loc, &f->loc, &f->err), 0);
	s.user_id = f->sam_user = user(f, "sam");
	s.location_ids = &f->loc;
	assert_int_equal(booking_staff_save(&f->x, &s, &f->staff_id, &f->err), 0);
	for (int i = 0; i < 7; i++)
		h[i] = (struct store_hours){ f->loc, i + 1, 0, 24 * 60 };
	assert_int_equal(booking_hours_set(&f->x, f->staff_id, f->loc, h, 7, &f->err), 0);
	svc.location_id = f->loc;
	svc.staff_ids = &f->staff_id;
	assert_int_equal(booking_service_save(&f->x, &svc, &f->svc, &f->err), 0);
	assert_int_equal(booking_customer_save(&f->x, &cu, &f->cust_id, &f->err), 0);
	assert_int_equal(booking_customer_save(&f->x, &other, &f->other_id, &f->err), 0);
	f->x.now = NOW - DAYS(121);
	book(f, NOW - DAYS(120) + 9 * 3600, &f->old); /* before the window */
	f->x.now = NOW - DAYS(3);
	book(f, NOW + DAYS(1) + 9 * 3600, &f->live);
	book(f, NOW + DAYS(2) + 9 * 3600, &f->gone);
	assert_int_equal(
	    booking_cancel(&f->x, f->gone.id, 0, STORE_CANCEL_BUSINESS, NULL, &f->gone, &f->err),
	    0);
	f->x.now = NOW;
	f->staff =
	    (struct booking_actor){ BOOKING_ROLE_STAFF, f->staff_id, 0, "user:sam", "api", "" };
	f->cust =
	    (struct booking_actor){ BOOKING_ROLE_CUSTOMER, 0, f->cust_id, "customer", "api", "" };
	f->other = (struct booking_actor){ BOOKING_ROLE_CUSTOMER, 0, f->other_id, "c2", "api", "" };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct ff *f = *state;
	char cmd[128];

	sd_arena_free(f->a);
	store_conn_release(f->c);
	store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static const char *make(struct ff *f, const struct booking_actor *who, int kind, int64_t subject,
                        int busy, int cancelled, int expect)
{
	struct store_feed_token in = { .kind = kind,
		                       .subject_id = subject,
		                       .busy_only = busy,
		                       .with_cancelled = cancelled },
	                        out;
	const char *token = NULL;

	f->x.actor = who;
	assert_int_equal(booking_feed_create(&f->x, &in, &out, &token, &f->err), expect);
	f->x.actor = &f->sys;
	return token;
}

static const char *fetch(struct ff *f, const char *token, struct booking_feed *out)
{
	struct store_feed_token t;

	assert_int_equal(booking_feed_find(&f->x, token, &t, &f->err), 0);
	assert_int_equal(booking_feed_render(&f->x, &t, out, &f->err), 0);
	return out->text;
}

static void test_token_format(void **state)
{
	struct ff *f = *state;
	const char *a = make(f, &f->sys, STORE_FEED_CUSTOMER, f->cust_id, 0, 0, 0);
	const char *b = make(f, &f->sys, STORE_FEED_CUSTOMER, f->cust_id, 0, 0, 0);
	struct store_feed_token *v, t;
	char hash[65];
	size_t n;

	assert_int_equal(strlen(a), BOOKING_FEED_TOKEN_LEN);
	assert_true(booking_feed_token_ok(a));
	assert_int_equal(
	    strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 32);
	assert_string_not_equal(a, b);
	assert_false(booking_feed_token_ok("short"));
	assert_false(booking_feed_token_ok("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/"));
	assert_false(booking_feed_token_ok("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
	/* stored: the hash only, as hex SHA-256 */
	booking_feed_token_hash(hash, a);
	assert_int_equal(strlen(hash), 64);
	assert_int_equal(strspn(hash, "0123456789abcdef"), 64);
	assert_int_equal(booking_feed_list(&f->x, &v, &n, &f->err), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		assert_null(strstr(v[i].token_hash, a));
		assert_int_equal(strlen(v[i].token_hash), 64);
	}
	assert_string_equal(v[0].token_hash, hash);
	assert_int_equal(booking_feed_find(&f->x, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &t, &f->err),
	                 BOOKING_ENOTFOUND);
	assert_int_equal(booking_feed_find(&f->x, "x", &t, &f->err), BOOKING_ENOTFOUND);
	assert_int_equal(booking_feed_revoke(&f->x, v[0].id, &f->err), 0);
	assert_int_equal(booking_feed_find(&f->x, a, &t, &f->err), BOOKING_ENOTFOUND);
	assert_int_equal(booking_feed_revoke(&f->x, v[0].id, &f->err), BOOKING_ENOTFOUND);
	assert_int_equal(booking_feed_find(&f->x, b, &t, &f->err), 0);
}

static void test_roles(void **state)
{
	struct ff *f = *state;
	struct store_feed_token *v;
	size_t n;

	make(f, &f->cust, STORE_FEED_CUSTOMER, f->cust_id, 0, 0, 0);
	make(f, &f->cust, STORE_FEED_CUSTOMER, f->other_id, 0, 0, BOOKING_EFORBIDDEN);
	make(f, &f->cust, STORE_FEED_LOCATION, f->loc, 0, 0, BOOKING_EFORBIDDEN);
	make(f, &f->staff, STORE_FEED_STAFF, f->staff_id, 0, 0, 0);
	make(f, &f->staff, STORE_FEED_LOCATION, f->loc, 0, 0, BOOKING_EFORBIDDEN);
	make(f, &f->sys, STORE_FEED_LOCATION, 999, 0, 0, BOOKING_ENOTFOUND);
	make(f, &f->sys, 7, f->loc, 0, 0, BOOKING_EINVALID);
	f->x.actor = &f->other;
	assert_int_equal(booking_feed_list(&f->x, &v, &n, &f->err), 0);
	assert_int_equal(n, 0);
	f->x.actor = &f->cust;
	assert_int_equal(booking_feed_list(&f->x, &v, &n, &f->err), 0);
	assert_int_equal(n, 1);
	f->x.actor = &f->other;
	assert_int_equal(booking_feed_revoke(&f->x, v[0].id, &f->err), BOOKING_ENOTFOUND);
	f->x.actor = &f->sys;
}

/* The feed as libical reads it: cut into one object per UID (with the
 * VTIMEZONEs each names), every part passes ics_object_check, and the
 * events are all there. */
static void libical_valid(struct ff *f, const struct booking_feed *out)
{
	struct ics_part *parts;
	struct ics_info info;
	size_t n;

	assert_int_equal(ics_split(f->a, out->text, out->len, &parts, &n, &f->err), 0);
	assert_int_equal(n, out->nevents);
	for (size_t i = 0; i < n; i++) {
		assert_null(parts[i].error);
		if (ics_object_check(parts[i].text, parts[i].len, ICS_COMP_VEVENT, f->a, &info,
		                     &f->err))
			fail_msg("feed part %zu is not valid: %s\n%s", i, f->err.msg,
			         parts[i].text);
		assert_string_equal(info.uid, parts[i].uid);
	}
}

static void test_full_feed(void **state)
{
	struct ff *f = *state;
	struct booking_feed out;
	const char *t = fetch(f, make(f, &f->sys, STORE_FEED_LOCATION, f->loc, 0, 0, 0), &out);

	assert_int_equal(out.nevents, 1); /* old is outside the window, gone cancelled */
	assert_non_null(strstr(t, "METHOD:PUBLISH\r\n"));
	assert_non_null(strstr(t, "X-WR-CALNAME:Clinic\r\n"));
	assert_non_null(strstr(t, "X-WR-TIMEZONE:Europe/Berlin\r\n"));
	assert_non_null(strstr(t, "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"));
	assert_non_null(strstr(t, "X-PUBLISHED-TTL:PT1H\r\n"));
	assert_non_null(strstr(t, "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"));
	assert_non_null(strstr(t, "DTSTART;TZID=Europe/Berlin:20300108T100000\r\n"));
	assert_non_null(strstr(t, f->live.uid));
	assert_null(strstr(t, f->gone.uid));
	assert_null(strstr(t, f->old.uid));
	assert_non_null(strstr(t, "Zelda Secretname"));
	assert_non_null(strstr(t, "public-note-123"));
	assert_null(strstr(t, "private-note-456")); /* never in a feed */
	libical_valid(f, &out);
	{ /* the cancelled booking, left out, still counts for Last-Modified */
		struct store_booking g;

		assert_int_equal(store_booking_get(f->c, f->gone.id, f->a, &g, &f->err), 0);
		assert_true(out.last_modified >= g.modified);
	}
	t = fetch(f, make(f, &f->sys, STORE_FEED_STAFF, f->staff_id, 0, 1, 0), &out);
	assert_int_equal(out.nevents, 2);
	assert_non_null(strstr(t, "STATUS:CANCELLED\r\n"));
	assert_non_null(strstr(t, f->gone.uid));
	libical_valid(f, &out);
	for (const char *p = t; *p; p = strstr(p, "\r\n") + 2)
		assert_true(strstr(p, "\r\n") - p <= 75);
}

static void test_busy_only_privacy(void **state)
{
	struct ff *f = *state;
	static const int kinds[] = { STORE_FEED_CUSTOMER, STORE_FEED_STAFF, STORE_FEED_LOCATION };
	int64_t subjects[] = { f->cust_id, f->staff_id, f->loc };

	for (size_t k = 0; k < 3; k++) {
		struct booking_feed out;
		const char *t = fetch(f, make(f, &f->sys, kinds[k], subjects[k], 1, 1, 0), &out);

		assert_int_equal(out.nevents, 2);
		for (size_t i = 0; i < sizeof(secrets) / sizeof(*secrets); i++)
			if (strstr(t, secrets[i]))
				fail_msg("busy-only feed of kind %d shows \"%s\"", kinds[k],
				         secrets[i]);
		assert_null(strstr(t, "ATTENDEE"));
		assert_null(strstr(t, "ORGANIZER"));
		assert_null(strstr(t, "DESCRIPTION"));
		assert_null(strstr(t, "X-SLOTDAV"));
		assert_non_null(strstr(t, "SUMMARY:Busy\r\n"));
		assert_non_null(strstr(t, f->live.uid));
	}
}

/* ---- personal calendars in staff feeds ---- */

/* Stores ics in calendar coll as a CalDAV PUT would (spans included). */
static void put_obj(struct ff *f, int64_t coll, const char *name, const char *ics)
{
	struct ics_info info;
	struct store_obj o = { .coll_id = coll,
		               .name = name,
		               .content_type = "text/calendar; charset=utf-8",
		               .data = ics,
		               .len = strlen(ics) };
	struct store_span *v = sd_arena_alloc(f->a, (10 + 1) * sizeof(*v));

	assert_int_equal(ics_object_check(ics, strlen(ics), ICS_COMP_VEVENT | ICS_COMP_VTODO, f->a,
	                                  &info, &f->err),
	                 0);
	assert_true(info.nspans <= 10);
	for (size_t i = 0; i < info.nspans; i++)
		v[i] = (struct store_span){ info.spans[i].start, info.spans[i].end };
	o.uid = info.uid;
	o.comp = info.comp;
	o.first_start = info.first_start;
	o.last_end = info.last_end;
	o.spans = v;
	o.nspans = info.nspans;
	assert_int_equal(store_obj_put(f->c, &o, f->a, NULL, NULL, &f->err), 0);
}

#define VCAL(body) "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\n" body "END:VCALENDAR\r\n"
#define EV(uid, rest) \
	"BEGIN:VEVENT\r\nUID:" uid "\r\nDTSTAMP:20300101T000000Z\r\n" rest "END:VEVENT\r\n"

static void personal_setup(struct ff *f)
{
	struct store_coll home, cal;
	struct store_staff st;

	assert_int_equal(store_home_get(f->c, f->sam_user, f->a, &home, &f->err), 0);
	assert_int_equal(store_coll_get(f->c, home.id, "default", f->a, &cal, &f->err), 0);
	assert_int_equal(store_staff_get(f->c, f->staff_id, f->a, &st, &f->err), 0);
	assert_true(st.bookings_coll_id != 0);
	/* 2030-01-10 14:00Z */
	put_obj(
	    f, cal.id, "dentist.ics",
	    VCAL(EV("dentist-uid-secret", "DTSTART:20300110T140000Z\r\nDTEND:20300110T150000Z\r\n"
	                                  "SUMMARY:Dentist appointment\r\nLOCATION:Dr. Tooth\r\n"
	                                  "DESCRIPTION:personal-description-789\r\n"
	                                  "ATTENDEE:mailto:friend@example.org\r\n")));
	/* weekly from Tue 2030-01-08 18:00Z, 4 times: the 2nd excluded, the 3rd moved */
	put_obj(f, cal.id, "yoga.ics",
	        VCAL(EV("yoga", "DTSTART:20300108T180000Z\r\nDURATION:PT1H\r\n"
	                        "RRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE:20300115T180000Z\r\n"
	                        "SUMMARY:Yoga class\r\n")
	                 EV("yoga", "RECURRENCE-ID:20300122T180000Z\r\nDTSTART:20300122T190000Z\r\n"
	                            "DURATION:PT1H\r\nSUMMARY:Yoga moved\r\n")));
	put_obj(f, cal.id, "holiday.ics",
	        VCAL(EV("holiday", "DTSTART:20300111T080000Z\r\nDTEND:20300111T170000Z\r\n"
	                           "TRANSP:TRANSPARENT\r\nSUMMARY:Holiday transparent\r\n")));
	put_obj(f, cal.id, "lunch.ics",
	        VCAL(EV("lunch", "DTSTART:20300111T120000Z\r\nDTEND:20300111T130000Z\r\n"
	                         "STATUS:CANCELLED\r\nSUMMARY:Cancelled lunch\r\n")));
	put_obj(f, cal.id, "ancient.ics",
	        VCAL(EV("ancient", "DTSTART:20290101T120000Z\r\nDTEND:20290101T130000Z\r\n"
	                           "SUMMARY:Ancient history\r\n")));
	put_obj(f, st.bookings_coll_id, "blocked.ics",
	        VCAL(EV("blocked", "DTSTART:20300112T120000Z\r\nDTEND:20300112T130000Z\r\n"
	                           "SUMMARY:Blocked bookings cal\r\n")));
}

static const char *make_p(struct ff *f, int kind, int64_t subject, int busy, int personal,
                          int expect)
{
	struct store_feed_token in = { .kind = kind,
		                       .subject_id = subject,
		                       .busy_only = busy,
		                       .personal = personal },
	                        out;
	const char *token = NULL;

	assert_int_equal(booking_feed_create(&f->x, &in, &out, &token, &f->err), expect);
	if (!expect)
		assert_int_equal(out.personal, personal);
	return token;
}

static size_t count(const char *t, const char *needle)
{
	size_t n = 0;

	for (const char *p = t; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void no_personal_details(const char *t)
{
	static const char *const never[] = { "Dentist",
		                             "Dr. Tooth",
		                             "Yoga",
		                             "Holiday",
		                             "Cancelled lunch",
		                             "Ancient",
		                             "Blocked",
		                             "personal-description-789",
		                             "friend@example.org",
		                             "dentist-uid-secret" };

	for (size_t i = 0; i < sizeof(never) / sizeof(*never); i++)
		if (strstr(t, never[i]))
			fail_msg("the feed shows \"%s\"", never[i]);
}

static void test_personal(void **state)
{
	struct ff *f = *state;
	struct booking_feed out, again;
	const char *t, *tok;

	personal_setup(f);
	/* only staff feeds; only known levels */
	make_p(f, STORE_FEED_CUSTOMER, f->cust_id, 0, STORE_FEED_PERSONAL_BUSY, BOOKING_EINVALID);
	make_p(f, STORE_FEED_LOCATION, f->loc, 0, STORE_FEED_PERSONAL_FULL, BOOKING_EINVALID);
	make_p(f, STORE_FEED_STAFF, f->staff_id, 0, 3, BOOKING_EINVALID);
	assert_string_equal(booking_feed_personal_name(STORE_FEED_PERSONAL_BUSY), "busy");
	assert_int_equal(booking_feed_personal_from_name("full"), STORE_FEED_PERSONAL_FULL);
	assert_int_equal(booking_feed_personal_from_name("loud"), -1);

	/* none: the bookings only */
	t = fetch(f, make_p(f, STORE_FEED_STAFF, f->staff_id, 0, 0, 0), &out);
	assert_int_equal(out.nevents, 1);
	no_personal_details(t);

	/* busy: dentist, yoga x3 (one excluded, one moved) as Busy blocks */
	t = fetch(f, make_p(f, STORE_FEED_STAFF, f->staff_id, 0, STORE_FEED_PERSONAL_BUSY, 0),
	          &out);
	assert_int_equal(out.nevents, 5);
	assert_int_equal(count(t, "SUMMARY:Busy\r\n"), 4);
	no_personal_details(t);
	assert_non_null(strstr(t, "DTSTART;TZID=Europe/Berlin:20300110T150000\r\n"));
	assert_non_null(strstr(t, "DTSTART;TZID=Europe/Berlin:20300108T190000\r\n"));
	assert_null(strstr(t, "DTSTART;TZID=Europe/Berlin:20300115T190000\r\n")); /* EXDATE */
	assert_null(strstr(t, "DTSTART;TZID=Europe/Berlin:20300122T190000\r\n")); /* moved */
	assert_non_null(strstr(t, "DTSTART;TZID=Europe/Berlin:20300122T200000\r\n"));
	assert_non_null(strstr(t, "DTSTART;TZID=Europe/Berlin:20300129T190000\r\n"));
	assert_non_null(strstr(t, "@personal.slotdav\r\n"));

	/* full: summaries and locations, nothing else of theirs */
	tok = make_p(f, STORE_FEED_STAFF, f->staff_id, 0, STORE_FEED_PERSONAL_FULL, 0);
	t = fetch(f, tok, &out);
	assert_int_equal(out.nevents, 5);
	assert_non_null(strstr(t, "SUMMARY:Dentist appointment\r\n"));
	assert_non_null(strstr(t, "LOCATION:Dr. Tooth\r\n"));
	assert_int_equal(count(t, "SUMMARY:Yoga class\r\n"), 2);
	assert_int_equal(count(t, "SUMMARY:Yoga moved\r\n"), 1);
	assert_null(strstr(t, "personal-description-789"));
	assert_null(strstr(t, "friend@example.org"));
	assert_null(strstr(t, "dentist-uid-secret"));
	assert_null(strstr(t, "Holiday"));
	assert_null(strstr(t, "Cancelled lunch"));
	assert_null(strstr(t, "Ancient"));
	assert_null(strstr(t, "Blocked bookings cal"));
	assert_null(strstr(t, "private-note-456"));
	/* the same body on the next fetch (strong ETag) */
	fetch(f, tok, &again);
	assert_string_equal(again.text, out.text);
	{
		struct store_coll home, cal;

		assert_int_equal(store_home_get(f->c, f->sam_user, f->a, &home, &f->err), 0);
		assert_int_equal(store_coll_get(f->c, home.id, "default", f->a, &cal, &f->err), 0);
		assert_true(out.last_modified >= cal.modified);
	}

	/* a busy-only feed never shows them, whatever the level */
	t = fetch(f, make_p(f, STORE_FEED_STAFF, f->staff_id, 1, STORE_FEED_PERSONAL_FULL, 0),
	          &out);
	assert_int_equal(out.nevents, 5);
	assert_int_equal(count(t, "SUMMARY:Busy\r\n"), 5);
	no_personal_details(t);
	assert_null(strstr(t, "\r\nLOCATION")); /* X-LIC-LOCATION is the zone's */
}

int feed_run(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_token_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_feed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_only_privacy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_personal, setup, teardown),
	};

	return cmocka_run_group_tests_name("booking: feeds", tests, NULL, NULL);
}
