/* test_store_schema.c - opening databases: migrations (v1 -> v2 fills the
 * instance index), epoch, WAL. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage_test.h"
#include "store_sqlite_int.h"

static int is_lower_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static void test_open_twice_is_stable(void **state)
{
	struct fx *fx = *state;
	char epoch[SQ_EPOCH_HEX + 1];
	int version;

	version = store_schema_version(fx->c);
	assert_int_equal(version, SQ_SCHEMA_VERSION);
	assert_true(is_lower_hex(store_epoch(fx->c), 32));
	strcpy(epoch, store_epoch(fx->c));

	fx_close(fx);
	fx_open(fx, 0);
	assert_int_equal(store_schema_version(fx->c), version);
	assert_string_equal(store_epoch(fx->c), epoch);
	/* The data survived too. */
	assert_int_equal(fx_rev(fx, fx->home), 0);
}

static void test_epochs_differ_between_databases(void **state)
{
	const char *const sfx[] = { "", "-wal", "-shm" };
	struct fx *fx = *state;
	struct store_conn *c2;
	struct store *st2;
	char path[128], p[160];

	snprintf(path, sizeof(path), "%s/other.db", fx->dir);
	assert_int_equal(store_open(&st2, path, 1, &fx->err), 0);
	assert_int_equal(store_conn_acquire(st2, &c2, &fx->err), 0);
	assert_true(is_lower_hex(store_epoch(c2), 32));
	assert_string_not_equal(store_epoch(c2), store_epoch(fx->c));
	store_conn_release(c2);
	store_close(st2);
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		remove(p);
	}
}

static void test_newer_schema_is_refused(void **state)
{
	struct fx *fx = *state;
	struct store *st2 = NULL;
	sqlite3 *db;

	fx_close(fx);
	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(&st2, fx->path, 1, &fx->err), STORE_EIO);
	assert_null(st2);
	assert_non_null(strstr(fx->err.msg, "99"));
}

static void test_memory_database_is_refused(void **state)
{
	struct fx *fx = *state;
	struct store *st2 = NULL;

	assert_int_equal(store_open(&st2, ":memory:", 1, &fx->err), STORE_EIO);
	assert_null(st2);
}

static void test_bad_pool_size_is_refused(void **state)
{
	struct fx *fx = *state;
	struct store *st2 = NULL;

	assert_int_equal(store_open(&st2, fx->path, 0, &fx->err), STORE_EIO);
	assert_null(st2);
}

static void test_database_is_wal_with_schema(void **state)
{
	struct fx *fx = *state;
	sqlite3_stmt *st;
	sqlite3 *db;

	assert_int_equal(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	assert_int_equal(
	    sqlite3_prepare_v2(db,
	                       "SELECT count(*) FROM sqlite_schema WHERE name IN "
	                       "('meta', 'users', 'collections', 'objects', 'changes', "
	                       "'props', 'objects_uid', 'objects_range', "
	                       "'changes_rev', 'spans', 'spans_range')",
	                       -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 11);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* A v2 database: this one with what migrations 3 to 7 added (the spans,
 * notifications and extcal tables, feed_tokens.personal) dropped, and
 * user_version 2. */
static void make_v2(struct fx *fx)
{
	sqlite3 *db;

	fx_close(fx);
	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db,
	                 "DROP TABLE extcal_busy; DROP TABLE extcals; DROP TABLE notifications; "
	                 "DROP TABLE spans; ALTER TABLE feed_tokens DROP COLUMN personal; "
	                 "PRAGMA user_version = 2",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
}

/* Migration 3 gives each calendar resource of a v2 database one span, its
 * range, in the class a PUT without spans gives it: the database comes out
 * as if written by this version. A later PUT writes the instances. */
static void test_migration_3_backfills_spans(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	const int64_t len[] = { 0,
		                1,
		                SQ_SPAN_LEN0,
		                SQ_SPAN_LEN0 + 1,
		                SQ_SPAN_LEN1,
		                SQ_SPAN_LEN1 + 1,
		                SQ_SPAN_LEN2,
		                SQ_SPAN_LEN2 + 1,
		                SQ_SPAN_LEN3,
		                SQ_SPAN_LEN3 + 1 };
	const struct store_span two[] = { { 100, 200 }, { 300, 400 } };
	struct store_obj in = { .coll_id = cal,
		                .name = "r0",
		                .data = "R",
		                .len = 1,
		                .uid = "r0",
		                .comp = STORE_COMP_VEVENT,
		                .spans = two,
		                .nspans = 2 };
	struct store_obj_iter *it;
	char *before, *after;

	for (size_t i = 0; i < sizeof(len) / sizeof(len[0]); i++)
		fx_put(fx, cal, sd_arena_printf(fx->a, "e%zu", i), "E",
		       sd_arena_printf(fx->a, "u%zu", i), STORE_COMP_VEVENT, 1000, 1000 + len[i]);
	fx_put(fx, cal, "reversed", "R", "ur", STORE_COMP_VEVENT, 50, 40);
	fx_put(fx, cal, "forever", "F", "uf", STORE_COMP_VTODO, 10, STORE_TIME_MAX);
	fx_put(fx, cal, "always", "A", "ua", STORE_COMP_VTODO, STORE_TIME_MIN, STORE_TIME_MAX);
	fx_put_plain(fx, fx->home, "plain", "P");
	before = fx_dump(fx->path);
	assert_non_null(strstr(before, "spans"));

	make_v2(fx);
	fx_open(fx, 0);
	assert_int_equal(store_schema_version(fx->c), SQ_SCHEMA_VERSION);
	after = fx_dump(fx->path);
	assert_string_equal(after, before);
	free(before);
	free(after);

	/* Queries find them through it; a PUT makes the spans fine. */
	assert_int_equal(
	    store_obj_iter_new_range(fx->c, cal, STORE_COMP_VTODO, 5000, 5001, 0, &it, &fx->err),
	    0);
	assert_string_equal(fx_iter_names(fx, it), "always forever");
	store_obj_iter_free(it);
	in.first_start = 100;
	in.last_end = 400;
	assert_int_equal(store_obj_put(fx->c, &in, fx->a, NULL, NULL, &fx->err), 0);
	assert_int_equal(
	    store_obj_iter_new_range(fx->c, cal, STORE_COMP_VEVENT, 250, 260, 0, &it, &fx->err), 0);
	assert_string_equal(fx_iter_names(fx, it), "");
	store_obj_iter_free(it);
	assert_int_equal(
	    store_obj_iter_new_range(fx->c, cal, STORE_COMP_VEVENT, 150, 160, 0, &it, &fx->err), 0);
	assert_string_equal(fx_iter_names(fx, it), "r0");
	store_obj_iter_free(it);
}

/* The migration of an empty v2 database, and of one whose objects are all
 * plain, adds the table with no rows. */
static void test_migration_3_without_calendar_data(void **state)
{
	struct fx *fx = *state;
	char *before, *after;

	fx_put_plain(fx, fx->home, "plain", "P");
	before = fx_dump(fx->path);
	make_v2(fx);
	fx_open(fx, 0);
	after = fx_dump(fx->path);
	assert_string_equal(after, before);
	free(before);
	free(after);
}

int test_store_schema_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_twice_is_stable, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_epochs_differ_between_databases, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_is_refused, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_memory_database_is_refused, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_pool_size_is_refused, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_database_is_wal_with_schema, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_migration_3_backfills_spans, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_migration_3_without_calendar_data, fx_setup,
		                                fx_teardown),
	};
	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
