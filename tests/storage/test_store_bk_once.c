/* test_store_bk_once.c - the booking schema and fault injection into the
 * booking writes; run once, not per backend variant.
 *
 * Schema: the booking_list statements search their indexes (no scan, no
 * sort), the tables and triggers exist, and a v1 database file migrates
 * with its data. Faults: each multi-statement write (and a few single ones)
 * is swept with fx_sweep, so a failure at any step leaves the database
 * exactly as it was.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "sd_util.h"
#include "storage_test.h"
#include "store_bk.h"
#include "store_fault.h"
#include "store_sqlite_int.h"

/* ---- run once: schema ---- */

/* The plan of every booking_list statement: a search of its index with a
 * two-sided range on start_time, no scan, no sort. */
static void test_booking_list_plans(void **state)
{
	struct fx *fx = *state;
	const struct {
		const char *sql, *plan;
	} cases[] = {
		{ store_sq_sql_booking_list_staff,
		  "bookings USING INDEX bookings_staff (staff_id=? AND start_time>? AND "
		  "start_time<?)" },
		{ store_sq_sql_booking_list_customer,
		  "bookings USING INDEX bookings_customer (customer_id=? AND start_time>? AND "
		  "start_time<?)" },
		{ store_sq_sql_booking_list_location,
		  "bookings USING INDEX bookings_location (location_id=? AND start_time>? AND "
		  "start_time<?)" },
		{ store_sq_sql_booking_list_service,
		  "bookings USING INDEX bookings_service (service_id=? AND start_time>? AND "
		  "start_time<?)" },
		{ store_sq_sql_booking_list_time,
		  "bookings USING INDEX bookings_start (start_time>? AND start_time<?)" },
	};
	sqlite3 *db;

	assert_int_equal(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	for (size_t i = 0; i < SD_ARRAY_LEN(cases); i++) {
		char *sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", cases[i].sql);
		char plan[1024] = "";
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			strncat(plan, (const char *)sqlite3_column_text(st, 3),
			        sizeof(plan) - strlen(plan) - 2);
			strcat(plan, ";");
		}
		sqlite3_finalize(st);
		sqlite3_free(sql);
		if (!strstr(plan, cases[i].plan))
			fail_msg("plan: %s", plan);
		assert_null(strstr(plan, "SCAN"));
		assert_null(strstr(plan, "TEMP B-TREE"));
	}
	sqlite3_close(db);
}

static void test_booking_schema_objects(void **state)
{
	struct fx *fx = *state;
	sqlite3_stmt *st;
	sqlite3 *db;

	assert_int_equal(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db,
	                       "SELECT count(*) FROM sqlite_schema WHERE name IN "
	                       "('locations', 'staff', 'staff_locations', 'hours', "
	                       "'exceptions', 'services', 'service_staff', 'customers', "
	                       "'bookings', 'requests', 'activity', 'feed_tokens', "
	                       "'requests_pending', 'activity_no_update', "
	                       "'activity_no_delete', 'bookings_max_len_insert', "
	                       "'bookings_max_len_update')",
	                       -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 17);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* A database made by the v1 schema, with data, opens as the current one. */
static void test_migration_from_v1(void **state)
{
	struct fx *fx = *state;
	struct store_location loc;
	struct store_user u;
	struct store_obj o;
	char path[128], p[160], *e = NULL;
	const char *const sfx[] = { "", "-wal", "-shm" };
	struct store_conn *c;
	struct store *st;
	int64_t id = 0;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/v1.db", fx->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, store_sq_migration(0), NULL, NULL, &e), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db,
	                 "PRAGMA user_version = 1;"
	                 "INSERT INTO meta VALUES ('epoch', "
	                 "'0123456789abcdef0123456789abcdef');"
	                 "INSERT INTO users VALUES (1, 'old', '', '', 'h', 1);"
	                 "INSERT INTO collections (id, parent_id, owner_id, kind, name, "
	                 "components, rev, created, modified) VALUES "
	                 "(1, NULL, 1, 1, 'old', 0, 1, 1, 1),"
	                 "(2, 1, 1, 2, 'cal', 1, 1, 1, 1);"
	                 "INSERT INTO objects VALUES (2, 'a.ics', 'e', 'text/calendar', "
	                 "1, 'ua', 1, 0, 10, 1, 1, 'A');",
	                 NULL, NULL, &e),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_sq_migration(SQ_SCHEMA_VERSION));

	assert_int_equal(store_open(&st, path, 1, &fx->err), 0);
	assert_int_equal(store_conn_acquire(st, &c, &fx->err), 0);
	assert_int_equal(store_schema_version(c), SQ_SCHEMA_VERSION);
	assert_string_equal(store_epoch(c), "0123456789abcdef0123456789abcdef");
	assert_int_equal(store_user_get(c, "old", fx->a, &u, &fx->err), 0);
	assert_int_equal(store_obj_get(c, 2, "a.ics", 1, fx->a, &o, &fx->err), 0);
	assert_string_equal(o.data, "A");
	/* The new tables work, and an old user can become staff. */
	loc = (struct store_location){ .name = "L", .timezone = "UTC" };
	assert_int_equal(store_location_create(c, &loc, &id, &fx->err), 0);
	assert_int_equal(store_staff_create(c,
	                                    &(struct store_staff){ .user_id = 1,
	                                                           .name = "Old",
	                                                           .active = 1,
	                                                           .location_ids = &id,
	                                                           .nlocations = 1 },
	                                    NULL, &fx->err),
	                 0);
	store_conn_release(c);
	store_close(st);
	for (size_t i = 0; i < SD_ARRAY_LEN(sfx); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		remove(p);
	}
}

/* ---- fault injection ---- */

/* What the sweeps work on; fx->id holds [0], [1] locations, [2] alice's
 * staff row, [3] a service she performs. */
static struct {
	int64_t carol;          /* a user who is not staff yet */
	int64_t bob_staff;      /* staff at L1, no bookings, on the service */
	int64_t loc3;           /* a location nobody belongs to, with hours and a token */
	int64_t cust;           /* a customer without bookings, with a token */
	int64_t booking;        /* alice's booking of the service */
	struct store_booking b; /* and as read after populate (fx->a) */
} bk;

static void populate(struct fx *fx)
{
	struct store_hours h[] = { { .weekday = 1, .start_min = 540, .end_min = 1020 },
		                   { .weekday = 2, .start_min = 540, .end_min = 1020 } };
	struct store_exception ex = { .day = 20000, .end_min = 60, .available = 1 };
	struct store_feed_token tok = { .kind = STORE_FEED_LOCATION, .token_hash = "t-loc" };
	int64_t staff[2];

	bk.carol = fx_user(fx, "carol");
	fx->id[0] = fx_location(fx, "L1");
	fx->id[1] = fx_location(fx, "L2");
	bk.loc3 = fx_location(fx, "L3");
	fx->id[2] = fx_staff(fx, fx->user, fx->id, 2);
	bk.bob_staff = fx_staff(fx, fx_user(fx, "bob"), fx->id, 1);
	staff[0] = fx->id[2];
	staff[1] = bk.bob_staff;
	fx->id[3] = fx_service(fx, fx->id[0], staff, 2);
	assert_int_equal(store_hours_set(fx->c, fx->id[2], fx->id[0], h, 2, &fx->err), 0);
	assert_int_equal(store_hours_set(fx->c, fx->id[2], bk.loc3, h, 1, &fx->err), 0);
	assert_int_equal(store_hours_set(fx->c, bk.bob_staff, fx->id[0], h, 2, &fx->err), 0);
	ex.staff_id = bk.bob_staff;
	ex.location_id = bk.loc3;
	assert_int_equal(store_exception_create(fx->c, &ex, NULL, &fx->err), 0);
	tok.subject_id = bk.loc3;
	assert_int_equal(store_feed_token_create(fx->c, &tok, NULL, &fx->err), 0);
	bk.cust = fx_customer(fx, "Token holder", "", "");
	tok = (struct store_feed_token){ .kind = STORE_FEED_CUSTOMER,
		                         .subject_id = bk.cust,
		                         .token_hash = "t-cust" };
	assert_int_equal(store_feed_token_create(fx->c, &tok, NULL, &fx->err), 0);
	bk.booking = fx_booking(fx, "b1", fx->id[0], fx->id[3], fx->id[2],
	                        fx_customer(fx, "C", "", ""), 0, 60);
}

static int op_staff_create(struct fx *fx)
{
	struct store_staff in = { .user_id = bk.carol,
		                  .name = "Carol",
		                  .active = 1,
		                  .location_ids = fx->id,
		                  .nlocations = 2 };
	return store_staff_create(fx->c, &in, NULL, &fx->err);
}

static int op_staff_update(struct fx *fx)
{
	struct store_staff in = { .id = fx->id[2],
		                  .name = "Alice B",
		                  .active = 1,
		                  .location_ids = &fx->id[1],
		                  .nlocations = 1 };
	return store_staff_update(fx->c, &in, &fx->err);
}

static int op_staff_delete(struct fx *fx)
{
	return store_staff_delete(fx->c, bk.bob_staff, &fx->err);
}

static int op_service_create(struct fx *fx)
{
	int64_t staff[] = { fx->id[2], bk.bob_staff };
	struct store_service in = { .location_id = fx->id[1],
		                    .name = "New",
		                    .duration_min = 15,
		                    .active = 1,
		                    .staff_ids = staff,
		                    .nstaff = 2 };
	return store_service_create(fx->c, &in, NULL, &fx->err);
}

static int op_service_update(struct fx *fx)
{
	struct store_service in = { .id = fx->id[3],
		                    .location_id = fx->id[0],
		                    .name = "Renamed",
		                    .duration_min = 60,
		                    .active = 1,
		                    .staff_ids = &bk.bob_staff,
		                    .nstaff = 1 };
	return store_service_update(fx->c, &in, &fx->err);
}

static int op_hours_set(struct fx *fx)
{
	struct store_hours h[] = { { .weekday = 3, .start_min = 0, .end_min = 60 },
		                   { .weekday = 4, .start_min = 0, .end_min = 60 },
		                   { .weekday = 5, .start_min = 0, .end_min = 60 } };
	return store_hours_set(fx->c, fx->id[2], fx->id[0], h, 3, &fx->err);
}

static int op_location_delete(struct fx *fx)
{
	return store_location_delete(fx->c, bk.loc3, &fx->err);
}

static int op_customer_delete(struct fx *fx)
{
	return store_customer_delete(fx->c, bk.cust, &fx->err);
}

static int op_booking_create(struct fx *fx)
{
	struct store_booking in = { .uid = "b2",
		                    .location_id = fx->id[0],
		                    .service_id = fx->id[3],
		                    .staff_id = fx->id[2],
		                    .customer_id = bk.cust,
		                    .start = 3600,
		                    .end = 99999,
		                    .status = STORE_BK_CONFIRMED };
	return store_booking_create(fx->c, &in, NULL, &fx->err);
}

static int op_booking_update(struct fx *fx)
{
	struct store_booking in = bk.b;

	in.start = 120;
	in.end = 1000000; /* also moves meta.booking_max_len, by trigger */
	in.sequence++;
	in.notes_public = "moved";
	return store_booking_update(fx->c, &in, NULL, &fx->err);
}

static int op_request_create(struct fx *fx)
{
	struct store_request in = { .booking_id = bk.booking,
		                    .start = 7200,
		                    .end = 7260,
		                    .status = STORE_REQ_PENDING,
		                    .requested_by = "customer:1" };
	return store_request_create(fx->c, &in, NULL, &fx->err);
}

static int op_activity_append(struct fx *fx)
{
	struct store_activity in = { .booking_id = bk.booking,
		                     .at = 5,
		                     .actor = "system",
		                     .channel = "cli",
		                     .action = "create",
		                     .outcome = "ok" };
	return store_activity_append(fx->c, &in, &fx->err);
}

static int op_feed_token_create(struct fx *fx)
{
	struct store_feed_token in = { .kind = STORE_FEED_STAFF,
		                       .subject_id = fx->id[2],
		                       .token_hash = "t-new" };
	return store_feed_token_create(fx->c, &in, NULL, &fx->err);
}

static int op_feed_token_revoke(struct fx *fx)
{
	return store_feed_token_revoke(fx->c, 1, 42, &fx->err); /* "t-loc" */
}

/* Writes of several statements: staff and services with their sets, the
 * weekly schedule, deletes that check references and cascade. */
static void test_fault_org_writes(void **state)
{
	struct fx *fx = *state;

	populate(fx);
	/* entry, BEGIN, INSERT, two location INSERTs, COMMIT */
	fx_sweep(fx, op_staff_create, 6);
	/* entry, BEGIN, UPDATE, DELETE of the set, one INSERT, COMMIT */
	fx_sweep(fx, op_staff_update, 6);
	fx_sweep(fx, op_service_create, 6);
	fx_sweep(fx, op_service_update, 6);
	/* entry, BEGIN, check, DELETE, three INSERTs, COMMIT */
	fx_sweep(fx, op_hours_set, 8);
	/* entry, BEGIN, check, DELETE (cascades, triggers), COMMIT */
	fx_sweep(fx, op_location_delete, 5);
	fx_sweep(fx, op_staff_delete, 5);
	fx_sweep(fx, op_customer_delete, 5);
}

/* Single statements: the fault hits the entry or the statement. */
static void test_fault_booking_writes(void **state)
{
	struct fx *fx = *state;

	populate(fx);
	assert_int_equal(store_booking_get(fx->c, bk.booking, fx->a, &bk.b, &fx->err), 0);
	fx_sweep(fx, op_booking_create, 2);
	fx_sweep(fx, op_booking_update, 2);
	fx_sweep(fx, op_request_create, 2);
	fx_sweep(fx, op_activity_append, 2);
	fx_sweep(fx, op_feed_token_create, 2);
	fx_sweep(fx, op_feed_token_revoke, 2);
}

/* Inside the caller's transaction, a failed multi-statement write undoes
 * only itself: the write before it commits. */
static void test_fault_inside_transaction(void **state)
{
	struct fx *fx = *state;
	struct store_staff st;
	struct store_location loc;
	int64_t first = 0;
	long n;

	populate(fx);
	for (n = 1;; n++) {
		struct store_location in = { .name = "First", .timezone = "UTC" };
		int rc;

		assert_int_equal(store_begin(fx->c, STORE_TXN_WRITE, &fx->err), 0);
		assert_int_equal(store_location_create(fx->c, &in, &first, &fx->err), 0);
		store_fault_arm(fx->fault, n);
		rc = op_staff_create(fx);
		if (!store_fault_fired(fx->fault)) {
			store_fault_arm(fx->fault, 0);
			assert_int_equal(rc, 0);
			assert_int_equal(store_commit(fx->c, &fx->err), 0);
			break;
		}
		store_fault_arm(fx->fault, 0);
		assert_int_equal(rc, STORE_EIO);
		assert_int_equal(store_commit(fx->c, &fx->err), 0);
		assert_int_equal(store_location_get(fx->c, first, fx->a, &loc, &fx->err), 0);
		assert_int_equal(store_staff_get_by_user(fx->c, bk.carol, fx->a, &st, &fx->err),
		                 STORE_ENOTFOUND);
	}
	assert_true(n > 5);
	assert_int_equal(store_staff_get_by_user(fx->c, bk.carol, fx->a, &st, &fx->err), 0);
	assert_int_equal(st.nlocations, 2);
}

int test_store_bk_once_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_booking_list_plans, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_booking_schema_objects, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_migration_from_v1, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fault_org_writes, fx_fault_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fault_booking_writes, fx_fault_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_fault_inside_transaction, fx_fault_setup,
		                                fx_teardown),
	};
	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
