/* test_store_bk.c - the organisation side of store_bk.h: locations, staff,
 * working hours, exceptions, services and customers. */
#include <stdio.h>
#include <string.h>

#include "storage_test.h"
#include "store_bk.h"

/* "1 2 3": ids, space separated, in the arena. */
static const char *ids_str(struct fx *fx, const int64_t *ids, size_t n)
{
	char *s = sd_arena_alloc(fx->a, 24 * n + 1);

	for (size_t i = 0; i < n; i++)
		sprintf(s + strlen(s), "%s%lld", i ? " " : "", (long long)ids[i]);
	return s;
}

static const char *customer_names(struct fx *fx, const struct store_customer *cs, size_t n)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < n; i++)
		len += strlen(cs[i].name) + 1;
	s = sd_arena_alloc(fx->a, len);
	for (size_t i = 0; i < n; i++)
		sprintf(s + strlen(s), "%s%s", i ? "|" : "", cs[i].name);
	return s;
}

/* ---- locations ---- */

static void test_location_crud(void **state)
{
	struct fx *fx = *state;
	struct store_location in = { .name = "Mitte",
		                     .address = "Unter den Linden 1",
		                     .timezone = "Europe/Berlin",
		                     .email = "mitte@example.org",
		                     .rules = "{\"slot_step_min\":30}" };
	struct store_location out, *all;
	int64_t id = 0, id2;
	size_t n;

	assert_int_equal(store_location_create(fx->c, &in, &id, &fx->err), 0);
	id2 = fx_location(fx, "Pankow");
	assert_true(id2 > id);
	assert_int_equal(store_location_get(fx->c, id, fx->a, &out, &fx->err), 0);
	assert_int_equal(out.id, id);
	assert_string_equal(out.name, "Mitte");
	assert_string_equal(out.address, "Unter den Linden 1");
	assert_string_equal(out.timezone, "Europe/Berlin");
	assert_string_equal(out.email, "mitte@example.org");
	assert_string_equal(out.rules, "{\"slot_step_min\":30}");
	assert_true(out.created > 0 && out.modified >= out.created);

	in.id = id;
	in.name = "Berlin Mitte";
	in.rules = "";
	in.address = NULL; /* stored as "" */
	assert_int_equal(store_location_update(fx->c, &in, &fx->err), 0);
	assert_int_equal(store_location_get(fx->c, id, fx->a, &out, &fx->err), 0);
	assert_string_equal(out.name, "Berlin Mitte");
	assert_string_equal(out.rules, "");
	assert_string_equal(out.address, "");

	assert_int_equal(store_location_list(fx->c, fx->a, &all, &n, &fx->err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(all[0].id, id);
	assert_string_equal(all[1].name, "Pankow");

	in.id = 9999;
	assert_int_equal(store_location_update(fx->c, &in, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_location_get(fx->c, 9999, fx->a, &out, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_location_delete(fx->c, id2, &fx->err), 0);
	assert_int_equal(store_location_get(fx->c, id2, fx->a, &out, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_location_delete(fx->c, id2, &fx->err), STORE_ENOTFOUND);
	/* Ids are never reused. */
	assert_true(fx_location(fx, "Wedding") > id2);
}

static void test_location_delete_in_use(void **state)
{
	struct fx *fx = *state;
	int64_t l1 = fx_location(fx, "L1"), l2 = fx_location(fx, "L2"), l3 = fx_location(fx, "L3");
	int64_t s, svc, cust, l4 = fx_location(fx, "L4");
	struct store_hours h = { .weekday = 1, .start_min = 540, .end_min = 1020 }, *hs;
	struct store_exception ex = {
		.location_id = l4, .day = 20000, .start_min = 600, .end_min = 700, .available = 1
	};
	struct store_exception *exs;
	size_t n;

	s = fx_staff(fx, fx->user, &l1, 1);
	svc = fx_service(fx, l2, NULL, 0);
	cust = fx_customer(fx, "C", "", "");
	fx_booking(fx, "b1", l3, svc, s, cust, 1000, 2000);

	assert_int_equal(store_location_delete(fx->c, l1, &fx->err), STORE_EINUSE);
	assert_non_null(strstr(fx->err.msg, "staff"));
	assert_int_equal(store_location_delete(fx->c, l2, &fx->err), STORE_EINUSE);
	assert_non_null(strstr(fx->err.msg, "services"));
	assert_int_equal(store_location_delete(fx->c, l3, &fx->err), STORE_EINUSE);
	assert_non_null(strstr(fx->err.msg, "bookings"));

	/* Hours and extra shifts at a location go with it. */
	assert_int_equal(store_hours_set(fx->c, s, l4, &h, 1, &fx->err), 0);
	ex.staff_id = s;
	assert_int_equal(store_exception_create(fx->c, &ex, NULL, &fx->err), 0);
	assert_int_equal(store_location_delete(fx->c, l4, &fx->err), 0);
	assert_int_equal(store_hours_get(fx->c, s, 0, fx->a, &hs, &n, &fx->err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_exception_list(fx->c, s, 0, 100000, fx->a, &exs, &n, &fx->err), 0);
	assert_int_equal(n, 0);
}

/* ---- staff ---- */

static void test_staff_crud(void **state)
{
	struct fx *fx = *state;
	int64_t l1 = fx_location(fx, "L1"), l2 = fx_location(fx, "L2"), l3 = fx_location(fx, "L3");
	int64_t locs[] = { l2, l1 }, bad[] = { l1, 9999 };
	int64_t bob = fx_user(fx, "bob"), cal = fx_cal(fx, fx->home, "Bookings");
	struct store_staff in = { .user_id = fx->user,
		                  .name = "Alice",
		                  .email = "a@example.org",
		                  .admin = 1,
		                  .active = 1,
		                  .bookings_coll_id = cal,
		                  .location_ids = locs,
		                  .nlocations = 2 };
	struct store_staff out, *all;
	int64_t id = 0, id2;
	size_t n;

	assert_int_equal(store_staff_create(fx->c, &in, &id, &fx->err), 0);
	assert_int_equal(store_staff_get(fx->c, id, fx->a, &out, &fx->err), 0);
	assert_int_equal(out.user_id, fx->user);
	assert_string_equal(out.name, "Alice");
	assert_string_equal(out.email, "a@example.org");
	assert_int_equal(out.admin, 1);
	assert_int_equal(out.active, 1);
	assert_int_equal(out.bookings_coll_id, cal);
	assert_string_equal(ids_str(fx, out.location_ids, out.nlocations),
	                    ids_str(fx, (int64_t[]){ l1, l2 }, 2));
	assert_int_equal(store_staff_get_by_user(fx->c, fx->user, fx->a, &out, &fx->err), 0);
	assert_int_equal(out.id, id);

	/* One staff row per login; references must exist. */
	assert_int_equal(store_staff_create(fx->c, &in, NULL, &fx->err), STORE_EEXISTS);
	in.user_id = 9999;
	assert_int_equal(store_staff_create(fx->c, &in, NULL, &fx->err), STORE_ENOTFOUND);
	in.user_id = bob;
	in.location_ids = bad;
	assert_int_equal(store_staff_create(fx->c, &in, NULL, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_staff_get_by_user(fx->c, bob, fx->a, &out, &fx->err),
	                 STORE_ENOTFOUND);
	in.location_ids = &l3;
	in.nlocations = 1;
	in.bookings_coll_id = 0;
	id2 = 0;
	assert_int_equal(store_staff_create(fx->c, &in, &id2, &fx->err), 0);
	assert_int_equal(store_staff_get(fx->c, id2, fx->a, &out, &fx->err), 0);
	assert_int_equal(out.bookings_coll_id, 0);

	/* Update: fields and the location set; user_id stays. */
	in.id = id;
	in.user_id = bob;
	in.name = "Alice B";
	in.admin = 0;
	in.active = 0;
	in.bookings_coll_id = 0;
	in.location_ids = &l3;
	in.nlocations = 1;
	assert_int_equal(store_staff_update(fx->c, &in, &fx->err), 0);
	assert_int_equal(store_staff_get(fx->c, id, fx->a, &out, &fx->err), 0);
	assert_int_equal(out.user_id, fx->user);
	assert_string_equal(out.name, "Alice B");
	assert_int_equal(out.admin, 0);
	assert_int_equal(out.active, 0);
	assert_int_equal(out.bookings_coll_id, 0);
	assert_int_equal(out.nlocations, 1);
	assert_int_equal(out.location_ids[0], l3);
	/* A failed update changes nothing, also not the location set. */
	in.name = "Never";
	in.location_ids = bad;
	in.nlocations = 2;
	assert_int_equal(store_staff_update(fx->c, &in, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_staff_get(fx->c, id, fx->a, &out, &fx->err), 0);
	assert_string_equal(out.name, "Alice B");
	assert_int_equal(out.nlocations, 1);
	in.id = 9999;
	in.location_ids = NULL;
	in.nlocations = 0;
	assert_int_equal(store_staff_update(fx->c, &in, &fx->err), STORE_ENOTFOUND);

	assert_int_equal(store_staff_list(fx->c, 0, fx->a, &all, &n, &fx->err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(all[0].id, id);
	assert_int_equal(all[1].id, id2);
	assert_int_equal(store_staff_list(fx->c, l3, fx->a, &all, &n, &fx->err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_staff_list(fx->c, l1, fx->a, &all, &n, &fx->err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_staff_get(fx->c, 9999, fx->a, &out, &fx->err), STORE_ENOTFOUND);
}

static void test_staff_delete(void **state)
{
	struct fx *fx = *state;
	int64_t l1 = fx_location(fx, "L1"), bob = fx_user(fx, "bob"), carol = fx_user(fx, "carol");
	int64_t s1 = fx_staff(fx, fx->user, &l1, 1), s2 = fx_staff(fx, bob, &l1, 1);
	int64_t s3 = fx_staff(fx, carol, &l1, 1), both[] = { s1, s2 };
	int64_t svc = fx_service(fx, l1, both, 2), cust = fx_customer(fx, "C", "", "");
	struct store_hours h = { .weekday = 2, .start_min = 600, .end_min = 660 }, *hs;
	struct store_exception ex = { .staff_id = s2, .day = 1, .end_min = 1440 };
	int64_t cal = fx_cal(fx, fx->home, "Bookings");
	struct store_service so;
	struct store_staff st;
	size_t n;

	fx_booking(fx, "b1", l1, svc, s1, cust, 100, 200);
	assert_int_equal(store_hours_set(fx->c, s2, l1, &h, 1, &fx->err), 0);
	assert_int_equal(store_exception_create(fx->c, &ex, NULL, &fx->err), 0);

	assert_int_equal(store_staff_delete(fx->c, s1, &fx->err), STORE_EINUSE);
	assert_int_equal(store_staff_delete(fx->c, s2, &fx->err), 0);
	assert_int_equal(store_staff_get(fx->c, s2, fx->a, &st, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_staff_delete(fx->c, s2, &fx->err), STORE_ENOTFOUND);
	/* Their schedule and service membership went with them. */
	assert_int_equal(store_hours_get(fx->c, s2, 0, fx->a, &hs, &n, &fx->err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_service_get(fx->c, svc, fx->a, &so, &fx->err), 0);
	assert_string_equal(ids_str(fx, so.staff_ids, so.nstaff), ids_str(fx, &s1, 1));

	/* A login that is staff cannot be deleted; once it is not, it can. */
	assert_int_equal(store_user_delete(fx->c, "carol", &fx->err), STORE_EINUSE);
	assert_int_equal(store_staff_delete(fx->c, s3, &fx->err), 0);
	assert_int_equal(store_user_delete(fx->c, "carol", &fx->err), 0);

	/* Deleting the Bookings calendar unlinks it. */
	st = (struct store_staff){ .id = s1,
		                   .name = "A",
		                   .active = 1,
		                   .bookings_coll_id = cal,
		                   .location_ids = &l1,
		                   .nlocations = 1 };
	assert_int_equal(store_staff_update(fx->c, &st, &fx->err), 0);
	assert_int_equal(store_coll_delete(fx->c, cal, &fx->err), 0);
	assert_int_equal(store_staff_get(fx->c, s1, fx->a, &st, &fx->err), 0);
	assert_int_equal(st.bookings_coll_id, 0);
}

/* ---- hours and exceptions ---- */

static void test_hours(void **state)
{
	struct fx *fx = *state;
	int64_t l1 = fx_location(fx, "L1"), l2 = fx_location(fx, "L2"), both[2];
	int64_t s;
	/* Out of order on purpose; location_id of the rows is not read. */
	struct store_hours w1[] = {
		{ .location_id = 777, .weekday = 3, .start_min = 780, .end_min = 1020 },
		{ .weekday = 1, .start_min = 780, .end_min = 1020 },
		{ .weekday = 1, .start_min = 540, .end_min = 720 },
	};
	struct store_hours w2[] = { { .weekday = 2, .start_min = 0, .end_min = 1440 } };
	struct store_hours *out;
	size_t n;

	both[0] = l1;
	both[1] = l2;
	s = fx_staff(fx, fx->user, both, 2);
	assert_int_equal(store_hours_set(fx->c, s, l1, w1, 3, &fx->err), 0);
	assert_int_equal(store_hours_set(fx->c, s, l2, w2, 1, &fx->err), 0);
	assert_int_equal(store_hours_get(fx->c, s, 0, fx->a, &out, &n, &fx->err), 0);
	assert_int_equal(n, 4);
	assert_int_equal(out[0].location_id, l1);
	assert_int_equal(out[0].weekday, 1);
	assert_int_equal(out[0].start_min, 540);
	assert_int_equal(out[0].end_min, 720);
	assert_int_equal(out[1].start_min, 780);
	assert_int_equal(out[2].weekday, 3);
	assert_int_equal(out[2].location_id, l1);
	assert_int_equal(out[3].location_id, l2);
	assert_int_equal(out[3].end_min, 1440);

	/* Replacing one location's schedule leaves the other alone. */
	assert_int_equal(store_hours_set(fx->c, s, l1, w1 + 2, 1, &fx->err), 0);
	assert_int_equal(store_hours_get(fx->c, s, l1, fx->a, &out, &n, &fx->err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].start_min, 540);
	assert_int_equal(store_hours_set(fx->c, s, l1, NULL, 0, &fx->err), 0);
	assert_int_equal(store_hours_get(fx->c, s, 0, fx->a, &out, &n, &fx->err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].location_id, l2);

	assert_int_equal(store_hours_set(fx->c, 9999, l1, w1, 1, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_hours_set(fx->c, s, 9999, w1, 1, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_hours_set(fx->c, 9999, l1, NULL, 0, &fx->err), STORE_ENOTFOUND);
}

static void test_exceptions(void **state)
{
	struct fx *fx = *state;
	int64_t l1 = fx_location(fx, "L1"), s = fx_staff(fx, fx->user, &l1, 1), id[4];
	struct store_exception in[] = {
		{ .staff_id = s,
		  .day = 20010,
		  .start_min = 600,
		  .end_min = 660,
		  .note = "dentist" },
		{ .staff_id = s, .day = 20000, .start_min = 0, .end_min = 1440, .note = "holiday" },
		{ .staff_id = s,
		  .location_id = l1,
		  .day = 20010,
		  .start_min = 60,
		  .end_min = 120,
		  .available = 1 },
		{ .staff_id = s, .day = 20020, .start_min = 0, .end_min = 1440 },
	};
	struct store_exception *out;
	size_t n;

	for (size_t i = 0; i < 4; i++)
		assert_int_equal(store_exception_create(fx->c, &in[i], &id[i], &fx->err), 0);
	/* [20000, 20020): the day 20020 is out. */
	assert_int_equal(store_exception_list(fx->c, s, 20000, 20020, fx->a, &out, &n, &fx->err),
	                 0);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].id, id[1]);
	assert_string_equal(out[0].note, "holiday");
	assert_int_equal(out[0].location_id, 0);
	assert_int_equal(out[0].available, 0);
	assert_int_equal(out[1].id, id[2]);
	assert_int_equal(out[1].location_id, l1);
	assert_int_equal(out[1].available, 1);
	assert_string_equal(out[1].note, "");
	assert_int_equal(out[2].id, id[0]);
	assert_int_equal(out[2].staff_id, s);
	assert_int_equal(out[2].day, 20010);
	assert_int_equal(out[2].start_min, 600);
	assert_int_equal(out[2].end_min, 660);
	assert_true(out[2].created > 0);

	assert_int_equal(store_exception_delete(fx->c, id[1], &fx->err), 0);
	assert_int_equal(store_exception_delete(fx->c, id[1], &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_exception_list(fx->c, s, 20001, 20100, fx->a, &out, &n, &fx->err),
	                 0);
	assert_int_equal(n, 3);

	in[0].staff_id = 9999;
	assert_int_equal(store_exception_create(fx->c, &in[0], NULL, &fx->err), STORE_ENOTFOUND);
	in[2].location_id = 9999;
	assert_int_equal(store_exception_create(fx->c, &in[2], NULL, &fx->err), STORE_ENOTFOUND);
}

/* ---- services ---- */

static void test_service_crud(void **state)
{
	struct fx *fx = *state;
	int64_t l1 = fx_location(fx, "L1"), l2 = fx_location(fx, "L2");
	int64_t s1 = fx_staff(fx, fx->user, &l1, 1), s2 = fx_staff(fx, fx_user(fx, "bob"), &l1, 1);
	int64_t staff[] = { s2, s1 }, bad[] = { s1, 9999 };
	struct store_service in = { .location_id = l1,
		                    .name = "Haircut",
		                    .description = "Wash and cut",
		                    .duration_min = 45,
		                    .buffer_before_min = 5,
		                    .buffer_after_min = 10,
		                    .rules = "{\"realtime\":0}",
		                    .active = 1,
		                    .staff_ids = staff,
		                    .nstaff = 2 };
	struct store_service out, *all;
	int64_t id = 0, id2, cust;
	size_t n;

	assert_int_equal(store_service_create(fx->c, &in, &id, &fx->err), 0);
	assert_int_equal(store_service_get(fx->c, id, fx->a, &out, &fx->err), 0);
	assert_int_equal(out.location_id, l1);
	assert_string_equal(out.name, "Haircut");
	assert_string_equal(out.description, "Wash and cut");
	assert_int_equal(out.duration_min, 45);
	assert_int_equal(out.buffer_before_min, 5);
	assert_int_equal(out.buffer_after_min, 10);
	assert_string_equal(out.rules, "{\"realtime\":0}");
	assert_int_equal(out.active, 1);
	assert_string_equal(ids_str(fx, out.staff_ids, out.nstaff),
	                    ids_str(fx, (int64_t[]){ s1, s2 }, 2));

	/* References must exist; a failed create leaves no row behind. */
	in.staff_ids = bad;
	assert_int_equal(store_service_create(fx->c, &in, NULL, &fx->err), STORE_ENOTFOUND);
	in.staff_ids = NULL;
	in.nstaff = 0;
	in.location_id = 9999;
	assert_int_equal(store_service_create(fx->c, &in, NULL, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_service_list(fx->c, 0, fx->a, &all, &n, &fx->err), 0);
	assert_int_equal(n, 1);

	in.location_id = l2;
	id2 = 0;
	assert_int_equal(store_service_create(fx->c, &in, &id2, &fx->err), 0);
	assert_int_equal(store_service_get(fx->c, id2, fx->a, &out, &fx->err), 0);
	assert_int_equal(out.nstaff, 0);
	assert_null(out.staff_ids);

	in.id = id;
	in.location_id = l1;
	in.name = "Short cut";
	in.duration_min = 20;
	in.active = 0;
	in.staff_ids = &s2;
	in.nstaff = 1;
	assert_int_equal(store_service_update(fx->c, &in, &fx->err), 0);
	assert_int_equal(store_service_get(fx->c, id, fx->a, &out, &fx->err), 0);
	assert_string_equal(out.name, "Short cut");
	assert_int_equal(out.duration_min, 20);
	assert_int_equal(out.active, 0);
	assert_string_equal(ids_str(fx, out.staff_ids, out.nstaff), ids_str(fx, &s2, 1));
	in.staff_ids = bad;
	in.nstaff = 2;
	in.name = "Never";
	assert_int_equal(store_service_update(fx->c, &in, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_service_get(fx->c, id, fx->a, &out, &fx->err), 0);
	assert_string_equal(out.name, "Short cut");
	assert_int_equal(out.nstaff, 1);
	in.id = 9999;
	in.nstaff = 0;
	assert_int_equal(store_service_update(fx->c, &in, &fx->err), STORE_ENOTFOUND);

	assert_int_equal(store_service_list(fx->c, l2, fx->a, &all, &n, &fx->err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(all[0].id, id2);
	assert_int_equal(store_service_list(fx->c, 0, fx->a, &all, &n, &fx->err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(all[0].id, id);

	cust = fx_customer(fx, "C", "", "");
	fx_booking(fx, "b1", l1, id, s1, cust, 0, 60);
	assert_int_equal(store_service_delete(fx->c, id, &fx->err), STORE_EINUSE);
	assert_int_equal(store_service_delete(fx->c, id2, &fx->err), 0);
	assert_int_equal(store_service_delete(fx->c, id2, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_service_get(fx->c, id2, fx->a, &out, &fx->err), STORE_ENOTFOUND);
}

/* ---- customers ---- */

static void test_customer_crud(void **state)
{
	struct fx *fx = *state;
	int64_t bob = fx_user(fx, "bob"), cal = fx_cal(fx, fx->home, "appointments");
	struct store_customer in = { .name = "Bob",
		                     .email = "Bob@Example.org",
		                     .phone = "+49 30 1234",
		                     .user_id = bob,
		                     .coll_id = cal };
	struct store_customer out;
	int64_t id = 0, id2, l1, svc, s;

	assert_int_equal(store_customer_create(fx->c, &in, &id, &fx->err), 0);
	assert_int_equal(store_customer_get(fx->c, id, fx->a, &out, &fx->err), 0);
	assert_string_equal(out.name, "Bob");
	assert_string_equal(out.email, "Bob@Example.org");
	assert_string_equal(out.phone, "+49 30 1234");
	assert_int_equal(out.user_id, bob);
	assert_int_equal(out.coll_id, cal);
	assert_true(out.created > 0);
	assert_int_equal(store_customer_get_by_user(fx->c, bob, fx->a, &out, &fx->err), 0);
	assert_int_equal(out.id, id);
	assert_int_equal(
	    store_customer_get_by_email(fx->c, "bob@EXAMPLE.ORG", fx->a, &out, &fx->err), 0);
	assert_int_equal(out.id, id);

	/* A login is one customer; references must exist. */
	assert_int_equal(store_customer_create(fx->c, &in, NULL, &fx->err), STORE_EEXISTS);
	in.user_id = 9999;
	assert_int_equal(store_customer_create(fx->c, &in, NULL, &fx->err), STORE_ENOTFOUND);
	in.user_id = 0;
	in.coll_id = 0;
	in.email = "";
	id2 = 0;
	assert_int_equal(store_customer_create(fx->c, &in, &id2, &fx->err), 0);
	assert_int_equal(store_customer_get(fx->c, id2, fx->a, &out, &fx->err), 0);
	assert_int_equal(out.user_id, 0);
	assert_int_equal(out.coll_id, 0);
	assert_int_equal(store_customer_get_by_email(fx->c, "", fx->a, &out, &fx->err),
	                 STORE_ENOTFOUND);
	in.id = id2;
	in.user_id = bob;
	assert_int_equal(store_customer_update(fx->c, &in, &fx->err), STORE_EEXISTS);
	in.user_id = 0;
	in.name = "Robert";
	in.email = "robert@example.org";
	assert_int_equal(store_customer_update(fx->c, &in, &fx->err), 0);
	assert_int_equal(
	    store_customer_get_by_email(fx->c, "ROBERT@example.org", fx->a, &out, &fx->err), 0);
	assert_string_equal(out.name, "Robert");
	in.id = 9999;
	assert_int_equal(store_customer_update(fx->c, &in, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_customer_get(fx->c, 9999, fx->a, &out, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_customer_get_by_user(fx->c, fx->user, fx->a, &out, &fx->err),
	                 STORE_ENOTFOUND);
	assert_int_equal(
	    store_customer_get_by_email(fx->c, "nobody@example.org", fx->a, &out, &fx->err),
	    STORE_ENOTFOUND);

	/* The customer outlives their login and calendar. */
	assert_int_equal(store_user_delete(fx->c, "bob", &fx->err), 0);
	assert_int_equal(store_coll_delete(fx->c, cal, &fx->err), 0);
	assert_int_equal(store_customer_get(fx->c, id, fx->a, &out, &fx->err), 0);
	assert_int_equal(out.user_id, 0);
	assert_int_equal(out.coll_id, 0);

	l1 = fx_location(fx, "L1");
	s = fx_staff(fx, fx->user, &l1, 1);
	svc = fx_service(fx, l1, &s, 1);
	fx_booking(fx, "b1", l1, svc, s, id, 0, 60);
	assert_int_equal(store_customer_delete(fx->c, id, &fx->err), STORE_EINUSE);
	assert_int_equal(store_customer_delete(fx->c, id2, &fx->err), 0);
	assert_int_equal(store_customer_delete(fx->c, id2, &fx->err), STORE_ENOTFOUND);
}

static const char *search(struct fx *fx, const char *q, int limit)
{
	struct store_customer *out;
	size_t n;

	assert_int_equal(store_customer_search(fx->c, q, limit, fx->a, &out, &n, &fx->err), 0);
	return customer_names(fx, out, n);
}

static void test_customer_search(void **state)
{
	struct fx *fx = *state;

	fx_customer(fx, "Anna Schmidt", "anna@x.de", "+49 (30) 123-456");
	fx_customer(fx, "bob_smith", "bob@y.org", "030.123.456");
	fx_customer(fx, "Carl 100%", "carl@z.net", "");
	fx_customer(fx, "dora", "DORA@X.DE", "0171 99");

	/* Name, email, case-insensitively; ordered by name. */
	assert_string_equal(search(fx, "schMIDT", 0), "Anna Schmidt");
	assert_string_equal(search(fx, "x.DE", 0), "Anna Schmidt|dora");
	assert_string_equal(search(fx, "", 0), "Anna Schmidt|bob_smith|Carl 100%|dora");
	assert_string_equal(search(fx, NULL, 2), "Anna Schmidt|bob_smith");
	/* Phones without spaces, dashes, dots and parentheses, both sides. */
	assert_string_equal(search(fx, "30123", 0), "Anna Schmidt|bob_smith");
	assert_string_equal(search(fx, "30-12 3", 0), "Anna Schmidt|bob_smith");
	assert_string_equal(search(fx, "(030) 123", 0), "bob_smith");
	assert_string_equal(search(fx, "+49 30", 0), "Anna Schmidt");
	assert_string_equal(search(fx, "017199", 0), "dora");
	/* LIKE's wildcards match only themselves. */
	assert_string_equal(search(fx, "%", 0), "Carl 100%");
	assert_string_equal(search(fx, "_", 0), "bob_smith");
	assert_string_equal(search(fx, "0%", 0), "Carl 100%");
	assert_string_equal(search(fx, "\\", 0), "");
	/* Only separators: no phone condition, and no name has them. */
	assert_string_equal(search(fx, "--", 0), "");
	assert_string_equal(search(fx, "nobody", 0), "");
}

int test_store_bk_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_location_crud, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_location_delete_in_use, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_staff_crud, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_staff_delete, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_hours, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_exceptions, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_service_crud, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_customer_crud, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_customer_search, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
