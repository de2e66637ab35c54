/* test_store_bk_extcal.c - external busy calendars in store_bk.h: create,
 * get, list, due, record (replace and keep), busy_list over a staff
 * member's calendars, delete and the cascade with the staff member. */
#include <string.h>

#include "storage_test.h"
#include "store_bk.h"

static int64_t extcal(struct fx *fx, int64_t staff, const char *url, int64_t next_poll)
{
	struct store_extcal in = { .staff_id = staff,
		                   .url = url,
		                   .path = "",
		                   .name = "feed",
		                   .next_poll = next_poll,
		                   .created = 100 };
	int64_t id = 0;

	assert_int_equal(store_extcal_create(fx->c, &in, &id, &fx->err), 0);
	assert_true(id > 0);
	return id;
}

static void test_extcal_crud(void **state)
{
	struct fx *fx = *state;
	int64_t loc = fx_location(fx, "Mitte");
	int64_t sam = fx_staff(fx, fx->user, &loc, 1),
	        bob = fx_staff(fx, fx_user(fx, "bob"), &loc, 1);
	struct store_extcal in = { .staff_id = 9999, .url = "http://x/", .name = "n" }, out, *v;
	int64_t a, b, c, id;
	size_t n;

	assert_int_equal(store_extcal_create(fx->c, &in, &id, &fx->err), STORE_ENOTFOUND);
	a = extcal(fx, sam, "http://a/1.ics", 50);
	b = extcal(fx, sam, "http://a/2.ics", 10);
	c = extcal(fx, bob, "http://b/1.ics", 500);
	assert_int_equal(store_extcal_get(fx->c, a, fx->a, &out, &fx->err), 0);
	assert_int_equal(out.staff_id, sam);
	assert_string_equal(out.url, "http://a/1.ics");
	assert_string_equal(out.path, "");
	assert_string_equal(out.etag, "");
	assert_string_equal(out.last_error, "");
	assert_int_equal(out.last_success, 0);
	assert_int_equal(out.nbusy, 0);
	assert_int_equal(out.next_poll, 50);
	assert_int_equal(store_extcal_list(fx->c, sam, fx->a, &v, &n, &fx->err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, a);
	assert_int_equal(v[1].id, b);
	assert_int_equal(store_extcal_list(fx->c, 0, fx->a, &v, &n, &fx->err), 0);
	assert_int_equal(n, 3);
	/* due: by next_poll */
	assert_int_equal(store_extcal_due(fx->c, 60, 0, fx->a, &v, &n, &fx->err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, b);
	assert_int_equal(v[1].id, a);
	assert_int_equal(store_extcal_due(fx->c, 600, 1, fx->a, &v, &n, &fx->err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_extcal_delete(fx->c, c, &fx->err), 0);
	assert_int_equal(store_extcal_delete(fx->c, c, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_extcal_get(fx->c, c, fx->a, &out, &fx->err), STORE_ENOTFOUND);
}

static void test_extcal_record_and_busy(void **state)
{
	struct fx *fx = *state;
	int64_t loc = fx_location(fx, "Mitte");
	int64_t sam = fx_staff(fx, fx->user, &loc, 1);
	int64_t a = extcal(fx, sam, "http://a/1.ics", 0), b = extcal(fx, sam, "http://a/2.ics", 0);
	struct store_period p1[] = { { 100, 200 }, { 300, 400 }, { 500, 500 } },
	                    p2[] = { { 150, 350 } };
	struct store_extcal out, r;
	struct store_period *v;
	size_t n;

	assert_int_equal(store_extcal_get(fx->c, a, fx->a, &r, &fx->err), 0);
	r.etag = "\"1\"";
	r.last_modified = "Mon, 01 Jan 2024 00:00:00 GMT";
	r.last_fetch = r.last_success = 1000;
	r.last_error = "";
	r.next_poll = 1900;
	assert_int_equal(store_extcal_record(fx->c, &r, 1, p1, 3, &fx->err), 0);
	assert_int_equal(store_extcal_get(fx->c, a, fx->a, &out, &fx->err), 0);
	assert_string_equal(out.etag, "\"1\"");
	assert_int_equal(out.nbusy, 2); /* the empty period is dropped */
	assert_int_equal(out.next_poll, 1900);
	assert_int_equal(store_extcal_get(fx->c, b, fx->a, &r, &fx->err), 0);
	r.next_poll = 1;
	assert_int_equal(store_extcal_record(fx->c, &r, 1, p2, 1, &fx->err), 0);

	/* Both calendars, overlapping [from, to), by start. */
	assert_int_equal(store_extcal_busy_list(fx->c, sam, 0, 1000, fx->a, &v, &n, &fx->err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].start, 100);
	assert_int_equal(v[1].start, 150);
	assert_int_equal(v[2].end, 400);
	assert_int_equal(store_extcal_busy_list(fx->c, sam, 200, 300, fx->a, &v, &n, &fx->err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].start, 150);

	/* A failure keeps the periods. */
	assert_int_equal(store_extcal_get(fx->c, a, fx->a, &r, &fx->err), 0);
	r.last_error = "the server answered HTTP 500";
	r.last_fetch = 2000;
	assert_int_equal(store_extcal_record(fx->c, &r, 0, NULL, 0, &fx->err), 0);
	assert_int_equal(store_extcal_get(fx->c, a, fx->a, &out, &fx->err), 0);
	assert_string_equal(out.last_error, "the server answered HTTP 500");
	assert_int_equal(out.last_success, 1000);
	assert_int_equal(out.nbusy, 2);
	/* Replacing with none empties it. */
	assert_int_equal(store_extcal_record(fx->c, &r, 1, NULL, 0, &fx->err), 0);
	assert_int_equal(store_extcal_busy_list(fx->c, sam, 0, 1000, fx->a, &v, &n, &fx->err), 0);
	assert_int_equal(n, 1);
	r.id = 9999;
	assert_int_equal(store_extcal_record(fx->c, &r, 1, p1, 1, &fx->err), STORE_ENOTFOUND);

	/* Calendars and periods go with their staff member. */
	assert_int_equal(store_staff_delete(fx->c, sam, &fx->err), 0);
	assert_int_equal(store_extcal_get(fx->c, b, fx->a, &out, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_extcal_busy_list(fx->c, sam, 0, 1000, fx->a, &v, &n, &fx->err), 0);
	assert_int_equal(n, 0);
}

int test_store_bk_extcal_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_extcal_crud, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_extcal_record_and_busy, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
