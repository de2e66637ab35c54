/* test_store_change.c - the change log behind getctag and sync tokens. */
#include <stdlib.h>
#include <string.h>

#include "storage_test.h"

static void test_change_initial_sync(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");

	assert_string_equal(fx_changes(fx, cal, 0), "");
	fx_put(fx, cal, "a", "A", "ua", STORE_COMP_VEVENT, 0, 1);
	fx_put(fx, cal, "b", "B", "ub", STORE_COMP_VEVENT, 0, 1);
	fx_put(fx, cal, "c", "C", "uc", STORE_COMP_VEVENT, 0, 1);
	assert_int_equal(store_obj_delete(fx->c, cal, "b", &fx->err), 0);
	fx_put(fx, cal, "a", "A2", "ua", STORE_COMP_VEVENT, 0, 1);
	/* Live members only, in the order of their latest change. */
	assert_string_equal(fx_changes(fx, cal, 0), "c a");
	assert_int_equal(fx_rev(fx, cal), 5);
}

static void test_change_incremental(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	int64_t token;

	fx_put(fx, cal, "a", "A", "ua", STORE_COMP_VEVENT, 0, 1);
	fx_put(fx, cal, "b", "B", "ub", STORE_COMP_VEVENT, 0, 1);
	fx_put(fx, cal, "c", "C", "uc", STORE_COMP_VEVENT, 0, 1);
	token = fx_rev(fx, cal);

	fx_put(fx, cal, "b", "B2", "ub", STORE_COMP_VEVENT, 0, 1);
	assert_int_equal(store_obj_delete(fx->c, cal, "c", &fx->err), 0);
	fx_put(fx, cal, "d", "D", "ud", STORE_COMP_VEVENT, 0, 1);
	assert_string_equal(fx_changes(fx, cal, token), "b c- d");

	/* One row per name: its latest change. */
	fx_put(fx, cal, "b", "B3", "ub", STORE_COMP_VEVENT, 0, 1);
	fx_put(fx, cal, "b", "B4", "ub", STORE_COMP_VEVENT, 0, 1);
	assert_string_equal(fx_changes(fx, cal, token), "c- d b");

	/* A tombstone revived by a new resource of the same name. */
	fx_put(fx, cal, "c", "C2", "uc", STORE_COMP_VEVENT, 0, 1);
	assert_string_equal(fx_changes(fx, cal, token), "d b c");

	/* Nothing after the current revision. */
	assert_string_equal(fx_changes(fx, cal, fx_rev(fx, cal)), "");
}

static void test_change_revs(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	struct store_change_iter *it;
	struct store_change ch;

	fx_put(fx, cal, "a", "A", "ua", STORE_COMP_VEVENT, 0, 1);
	fx_put(fx, cal, "b", "B", "ub", STORE_COMP_VEVENT, 0, 1);
	assert_int_equal(store_obj_delete(fx->c, cal, "a", &fx->err), 0);

	assert_int_equal(store_change_iter_new(fx->c, cal, 1, &it, &fx->err), 0);
	assert_int_equal(store_change_iter_next(it, &ch, &fx->err), 1);
	assert_string_equal(ch.name, "b");
	assert_int_equal(ch.rev, 2);
	assert_int_equal(ch.deleted, 0);
	assert_int_equal(store_change_iter_next(it, &ch, &fx->err), 1);
	assert_string_equal(ch.name, "a");
	assert_int_equal(ch.rev, 3);
	assert_int_equal(ch.deleted, 1);
	assert_int_equal(store_change_iter_next(it, &ch, &fx->err), 0);
	assert_int_equal(store_change_iter_next(it, &ch, &fx->err), 0);
	store_change_iter_free(it);
	store_change_iter_free(NULL);
}

/* A change deep in the tree bumps every ancestor and is logged at each
 * level under the name of the child it happened in. */
static void test_change_propagates_to_home(void **state)
{
	struct fx *fx = *state;
	int64_t plain = fx_coll(fx, fx->home, STORE_COLL_PLAIN, "plain");
	int64_t cal = fx_cal(fx, plain, "cal");
	int64_t other = fx_cal(fx, fx->home, "other");
	int64_t home_rev = fx_rev(fx, fx->home), plain_rev = fx_rev(fx, plain);
	struct store_coll h;

	fx_put(fx, cal, "e", "E", "ue", STORE_COMP_VEVENT, 0, 1);
	assert_int_equal(fx_rev(fx, cal), 1);
	assert_int_equal(fx_rev(fx, plain), plain_rev + 1);
	assert_int_equal(fx_rev(fx, fx->home), home_rev + 1);
	assert_string_equal(fx_changes(fx, plain, plain_rev), "cal");
	assert_string_equal(fx_changes(fx, fx->home, home_rev), "plain");

	fx_put(fx, other, "o", "O", "uo", STORE_COMP_VEVENT, 0, 1);
	assert_string_equal(fx_changes(fx, fx->home, home_rev), "plain other");
	assert_string_equal(fx_changes(fx, fx->home, 0), "plain other");

	/* modified follows the change. */
	assert_int_equal(store_coll_get_by_id(fx->c, fx->home, fx->a, &h, &fx->err), 0);
	assert_true(h.modified >= h.created);
}

static void test_change_logs_collection_props(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	int64_t rev = fx_rev(fx, cal), home_rev = fx_rev(fx, fx->home);

	fx_prop(fx, cal, NULL, "color", "<c/>");
	assert_int_equal(fx_rev(fx, cal), rev + 1);
	assert_string_equal(fx_changes(fx, cal, rev), "");
	assert_string_equal(fx_changes(fx, fx->home, home_rev), "cal");
}

int test_store_change_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_change_initial_sync, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_change_incremental, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_change_revs, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_change_propagates_to_home, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_change_logs_collection_props, fx_setup,
		                                fx_teardown),
	};
	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
