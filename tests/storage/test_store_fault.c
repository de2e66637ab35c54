/* test_store_fault.c - a write that fails at any step leaves no trace.
 *
 * Each sweep runs one write with the fault backend armed for n = 1, 2, ...:
 * the nth fault point (the operation's entry, or any statement, commit or
 * savepoint release inside it) fails. Every failed attempt must return
 * STORE_EIO, leave the committed database byte-for-byte as it was, and leave
 * the connection outside any transaction. The sweep ends at the first n the
 * write gets through without the fault firing; that write must change the
 * database. A sweep that ends after too few points did not test the write's
 * inner steps, so each sweep also states a minimum.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage_test.h"
#include "store_fault.h"

int fx_fault_setup(void **state)
{
	struct fx *fx;
	int rc = fx_setup(state);

	if (rc)
		return rc;
	fx = *state;
	fx_close(fx);
	fx_open(fx, 1);
	return 0;
}

long fx_sweep(struct fx *fx, int (*op)(struct fx *fx), long min_points)
{
	char *before = fx_dump(fx->path), *after;
	long n;
	int rc;

	for (n = 1;; n++) {
		store_fault_arm(fx->fault, n);
		rc = op(fx);
		if (!store_fault_fired(fx->fault))
			break;
		store_fault_arm(fx->fault, 0);
		assert_int_equal(rc, STORE_EIO);
		after = fx_dump(fx->path);
		assert_string_equal(before, after);
		free(after);
		/* Not left inside a transaction: a new one can begin. */
		assert_int_equal(store_begin(fx->c, STORE_TXN_WRITE, &fx->err), 0);
		store_rollback(fx->c);
	}
	store_fault_arm(fx->fault, 0);
	assert_int_equal(rc, 0);
	after = fx_dump(fx->path);
	assert_string_not_equal(before, after);
	free(before);
	free(after);
	if (getenv("STORE_FAULT_VERBOSE"))
		fprintf(stderr, "sweep: %ld fault points\n", n - 1);
	assert_true(n - 1 >= min_points);
	return n - 1;
}

/* Fixture content for the sweeps: home/plain/cal with resources and
 * properties, ids in fx->id[0] (plain) and fx->id[1] (cal). */
static void populate(struct fx *fx)
{
	fx->id[0] = fx_coll(fx, fx->home, STORE_COLL_PLAIN, "plain");
	fx->id[1] = fx_cal(fx, fx->id[0], "cal");
	fx->id[2] = fx_cal(fx, fx->home, "other");
	fx_put(fx, fx->id[1], "a.ics", "A", "ua", STORE_COMP_VEVENT, 0, 10);
	fx_put(fx, fx->id[1], "b.ics", "B", "ub", STORE_COMP_VTODO, 5, 20);
	fx_prop(fx, fx->id[1], NULL, "cp", "<cp/>");
	fx_prop(fx, fx->id[1], "a.ics", "op", "<op/>");
}

/* Three spans: a failure between their rows must leave none. */
static const struct store_span three[] = { { 1, 2 }, { 5, 6 }, { 9, 100000000 } };

static int op_put_new(struct fx *fx)
{
	struct store_obj in = { .coll_id = fx->id[1],
		                .name = "new.ics",
		                .data = "N",
		                .len = 1,
		                .uid = "un",
		                .comp = STORE_COMP_VEVENT,
		                .first_start = 1,
		                .last_end = 100000000,
		                .spans = three,
		                .nspans = 3 };
	return store_obj_put(fx->c, &in, fx->a, NULL, NULL, &fx->err);
}

static int op_put_replace(struct fx *fx)
{
	struct store_obj in = { .coll_id = fx->id[1],
		                .name = "a.ics",
		                .data = "A2",
		                .len = 2,
		                .uid = "ua",
		                .comp = STORE_COMP_VEVENT,
		                .first_start = 1,
		                .last_end = 100000000,
		                .spans = three,
		                .nspans = 3 };
	return store_obj_put(fx->c, &in, fx->a, NULL, NULL, &fx->err);
}

static int op_obj_delete(struct fx *fx)
{
	return store_obj_delete(fx->c, fx->id[1], "a.ics", &fx->err);
}

static int op_obj_move(struct fx *fx)
{
	return store_obj_move(fx->c, fx->id[1], "b.ics", fx->id[2], "moved.ics", &fx->err);
}

static int op_coll_create(struct fx *fx)
{
	struct store_coll in = { .parent_id = fx->id[0],
		                 .owner_id = fx->user,
		                 .kind = STORE_COLL_CALENDAR,
		                 .name = "new" };
	return store_coll_create(fx->c, &in, NULL, &fx->err);
}

static int op_coll_update(struct fx *fx)
{
	struct store_coll in = { .id = fx->id[1], .displayname = "New name" };
	return store_coll_update(fx->c, &in, &fx->err);
}

static int op_coll_delete(struct fx *fx)
{
	return store_coll_delete(fx->c, fx->id[0], &fx->err);
}

static int op_coll_move(struct fx *fx)
{
	return store_coll_move(fx->c, fx->id[1], fx->home, "cal-moved", &fx->err);
}

static int op_prop_set(struct fx *fx)
{
	struct store_prop p = { .ns = "DAV:", .name = "x", .xml = "<x/>" };
	return store_prop_set(fx->c, fx->id[1], "b.ics", &p, &fx->err);
}

static int op_prop_remove(struct fx *fx)
{
	return store_prop_remove(fx->c, fx->id[1], NULL, "urn:test", "cp", &fx->err);
}

static int op_user_create(struct fx *fx)
{
	return store_user_create(fx->c, "bob", "Bob", "", "h", NULL, &fx->err);
}

static int op_user_delete(struct fx *fx)
{
	return store_user_delete(fx->c, "alice", &fx->err);
}

static int op_user_set_password(struct fx *fx)
{
	return store_user_set_password(fx->c, "alice", "other", &fx->err);
}

static void test_fault_obj_writes(void **state)
{
	struct fx *fx = *state;

	populate(fx);
	/* A put into home/plain/cal: entry, BEGIN, name check, upsert, three
	 * spans rows, then bump + log at cal, plain and home, COMMIT = 14
	 * points; a replacement deletes the old spans rows first. */
	fx_sweep(fx, op_put_new, 14);
	fx_sweep(fx, op_put_replace, 15);
	fx_sweep(fx, op_obj_delete, 10);
	fx_sweep(fx, op_obj_move, 15);
}

static void test_fault_coll_writes(void **state)
{
	struct fx *fx = *state;

	populate(fx);
	fx_sweep(fx, op_coll_create, 8);
	fx_sweep(fx, op_coll_update, 8);
	fx_sweep(fx, op_coll_move, 12);
	fx_sweep(fx, op_coll_delete, 6);
}

static void test_fault_prop_and_user_writes(void **state)
{
	struct fx *fx = *state;

	populate(fx);
	fx_sweep(fx, op_prop_set, 10);
	fx_sweep(fx, op_prop_remove, 8);
	fx_sweep(fx, op_user_set_password, 2);
	fx_sweep(fx, op_user_create, 5);
	fx_sweep(fx, op_user_delete, 8);
}

/* Inside the caller's transaction a failed write rolls back to its own
 * savepoint: earlier writes of the transaction survive and commit. */
static void test_fault_inside_transaction(void **state)
{
	struct fx *fx = *state;
	struct store_obj o;
	long n;

	populate(fx);
	for (n = 1;; n++) {
		int rc;

		assert_int_equal(store_begin(fx->c, STORE_TXN_WRITE, &fx->err), 0);
		fx_put(fx, fx->id[2], "first.ics", "F", "uf", STORE_COMP_VEVENT, 0, 1);
		store_fault_arm(fx->fault, n);
		rc = op_coll_delete(fx);
		if (!store_fault_fired(fx->fault)) {
			store_fault_arm(fx->fault, 0);
			assert_int_equal(rc, 0);
			assert_int_equal(store_commit(fx->c, &fx->err), 0);
			break;
		}
		store_fault_arm(fx->fault, 0);
		assert_int_equal(rc, STORE_EIO);
		assert_int_equal(store_commit(fx->c, &fx->err), 0);
		/* The first write is in; the failed delete left everything. */
		assert_int_equal(
		    store_obj_get(fx->c, fx->id[2], "first.ics", 0, fx->a, &o, &fx->err), 0);
		assert_int_equal(store_obj_get(fx->c, fx->id[1], "a.ics", 0, fx->a, &o, &fx->err),
		                 0);
		assert_string_equal(fx_changes(fx, fx->home, 0), "plain other");
		assert_string_equal(fx_changes(fx, fx->id[1], 0), "b.ics a.ics");
	}
	assert_true(n > 4);
	assert_int_equal(store_obj_get(fx->c, fx->id[1], "a.ics", 0, fx->a, &o, &fx->err),
	                 STORE_ENOTFOUND);
}

static void test_fault_reads_and_iterators(void **state)
{
	struct fx *fx = *state;
	struct store_obj_iter *it;
	struct store_obj o;

	populate(fx);
	store_fault_arm(fx->fault, 1);
	assert_int_equal(store_obj_get(fx->c, fx->id[1], "a.ics", 1, fx->a, &o, &fx->err),
	                 STORE_EIO);
	assert_true(store_fault_fired(fx->fault));

	assert_int_equal(store_obj_iter_new(fx->c, fx->id[1], 0, &it, &fx->err), 0);
	/* Each next is two points, its entry and its SQL step: 4 is the step
	 * of the second next. */
	store_fault_arm(fx->fault, 4);
	assert_int_equal(store_obj_iter_next(it, &o, &fx->err), 1);
	assert_int_equal(store_obj_iter_next(it, &o, &fx->err), STORE_EIO);
	assert_int_equal(store_obj_iter_next(it, &o, &fx->err), STORE_EIO);
	assert_int_equal(store_fault_points(fx->fault), 5);
	store_obj_iter_free(it);
	store_fault_arm(fx->fault, 0);
	assert_int_equal(store_fault_points(fx->fault), 0);
}

int test_store_fault_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fault_obj_writes, fx_fault_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fault_coll_writes, fx_fault_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_fault_prop_and_user_writes, fx_fault_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_fault_inside_transaction, fx_fault_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_fault_reads_and_iterators, fx_fault_setup,
		                                fx_teardown),
	};
	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
