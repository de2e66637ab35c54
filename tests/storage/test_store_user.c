/* test_store_user.c - users and their homes. */
#include <stdlib.h>
#include <string.h>

#include "storage_test.h"

static void test_user_create_and_get(void **state)
{
	struct fx *fx = *state;
	struct store_user u, v;
	struct store_coll home;
	int64_t id = 0;

	assert_int_equal(store_user_create(fx->c, "bob", "Bob B", "bob@example.org", "$argon2id$x",
	                                   &id, &fx->err),
	                 0);
	assert_int_equal(store_user_get(fx->c, "bob", fx->a, &u, &fx->err), 0);
	assert_int_equal(u.id, id);
	assert_string_equal(u.name, "bob");
	assert_string_equal(u.displayname, "Bob B");
	assert_string_equal(u.email, "bob@example.org");
	assert_string_equal(u.pwhash, "$argon2id$x");
	assert_true(u.created > 0);

	assert_int_equal(store_user_get_by_id(fx->c, id, fx->a, &v, &fx->err), 0);
	assert_string_equal(v.name, "bob");

	assert_int_equal(store_home_get(fx->c, id, fx->a, &home, &fx->err), 0);
	assert_int_equal(home.kind, STORE_COLL_HOME);
	assert_int_equal(home.parent_id, 0);
	assert_int_equal(home.owner_id, id);
	assert_string_equal(home.name, "bob");
	/* The home is also the child "bob" of parent 0. */
	assert_int_equal(store_coll_get(fx->c, 0, "bob", fx->a, &home, &fx->err), 0);
	assert_int_equal(home.owner_id, id);
}

static void test_user_null_optional_fields(void **state)
{
	struct fx *fx = *state;
	struct store_user u;

	assert_int_equal(store_user_create(fx->c, "carol", NULL, NULL, "h", NULL, &fx->err), 0);
	assert_int_equal(store_user_get(fx->c, "carol", fx->a, &u, &fx->err), 0);
	assert_string_equal(u.displayname, "");
	assert_string_equal(u.email, "");
}

static void test_user_get_by_email(void **state)
{
	struct fx *fx = *state;
	struct store_user u;
	int64_t bob = 0;

	assert_int_equal(
	    store_user_create(fx->c, "bob", "", "Bob@Example.org", "h", &bob, &fx->err), 0);
	assert_int_equal(
	    store_user_create(fx->c, "bob2", "", "bob@example.org", "h", NULL, &fx->err), 0);
	assert_int_equal(store_user_create(fx->c, "noemail", "", "", "h", NULL, &fx->err), 0);
	/* ASCII case-insensitive; the lowest id of those sharing the address. */
	assert_int_equal(store_user_get_by_email(fx->c, "BOB@example.ORG", fx->a, &u, &fx->err), 0);
	assert_int_equal(u.id, bob);
	assert_string_equal(u.name, "bob");
	assert_int_equal(store_user_get_by_email(fx->c, "bob@example", fx->a, &u, &fx->err),
	                 STORE_ENOTFOUND);
	/* An empty address is nobody's, not the user without one. */
	assert_int_equal(store_user_get_by_email(fx->c, "", fx->a, &u, &fx->err), STORE_ENOTFOUND);
}

static void test_user_duplicate(void **state)
{
	struct fx *fx = *state;
	char *before = fx_dump(fx->path);
	char *after;

	assert_int_equal(store_user_create(fx->c, "alice", "", "", "h", NULL, &fx->err),
	                 STORE_EEXISTS);
	assert_int_equal(fx->err.code, STORE_EEXISTS);
	after = fx_dump(fx->path);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_user_not_found(void **state)
{
	struct fx *fx = *state;
	struct store_user u;
	struct store_coll home;

	assert_int_equal(store_user_get(fx->c, "nobody", fx->a, &u, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_user_get_by_id(fx->c, 9999, fx->a, &u, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_home_get(fx->c, 9999, fx->a, &home, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_user_set_password(fx->c, "nobody", "h", &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_user_delete(fx->c, "nobody", &fx->err), STORE_ENOTFOUND);
}

static void test_user_set_password(void **state)
{
	struct fx *fx = *state;
	struct store_user u;

	assert_int_equal(store_user_set_password(fx->c, "alice", "new-hash", &fx->err), 0);
	assert_int_equal(store_user_get(fx->c, "alice", fx->a, &u, &fx->err), 0);
	assert_string_equal(u.pwhash, "new-hash");
}

static void test_user_delete_cascades(void **state)
{
	struct fx *fx = *state;
	int64_t plain = fx_coll(fx, fx->home, STORE_COLL_PLAIN, "plain");
	int64_t cal = fx_cal(fx, plain, "cal");
	struct store_coll coll;
	struct store_user u;
	struct store_obj o;
	int64_t id;

	fx_put(fx, cal, "e.ics", "BEGIN:VCALENDAR", "uid-1", STORE_COMP_VEVENT, 0, 10);
	fx_prop(fx, cal, NULL, "p", "<p/>");
	fx_prop(fx, cal, "e.ics", "q", "<q/>");

	assert_int_equal(store_user_delete(fx->c, "alice", &fx->err), 0);
	assert_int_equal(store_user_get(fx->c, "alice", fx->a, &u, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_home_get(fx->c, fx->user, fx->a, &coll, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_coll_get_by_id(fx->c, cal, fx->a, &coll, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_obj_get(fx->c, cal, "e.ics", 0, fx->a, &o, &fx->err),
	                 STORE_ENOTFOUND);

	/* Nothing of hers is left in any table but meta. */
	{
		char *dump = fx_dump(fx->path);
		assert_null(strstr(dump, "alice"));
		assert_null(strstr(dump, "collections|"));
		assert_null(strstr(dump, "props|"));
		assert_null(strstr(dump, "changes|"));
		assert_null(strstr(dump, "objects|"));
		free(dump);
	}

	/* The name is free again, with a fresh, empty home. */
	id = fx_user(fx, "alice");
	assert_int_equal(store_home_get(fx->c, id, fx->a, &coll, &fx->err), 0);
	assert_string_equal(fx_changes(fx, coll.id, 0), "");
}

/* A collection alice owns inside bob's home goes with her, leaving a
 * tombstone in bob's home log. */
static void test_user_delete_foreign_parent(void **state)
{
	struct fx *fx = *state;
	struct store_coll bob_home;
	int64_t bob = fx_user(fx, "bob"), rev;

	assert_int_equal(store_home_get(fx->c, bob, fx->a, &bob_home, &fx->err), 0);
	fx_cal(fx, bob_home.id, "alices-in-bob"); /* owner: alice (fx->user) */
	rev = fx_rev(fx, bob_home.id);
	assert_int_equal(store_user_delete(fx->c, "alice", &fx->err), 0);
	assert_string_equal(fx_changes(fx, bob_home.id, rev), "alices-in-bob-");
	assert_string_equal(fx_changes(fx, bob_home.id, 0), "");
}

struct names {
	char buf[128];
	int stop_after;
	int seen;
};

static int collect_user(void *cls, const struct store_user *u)
{
	struct names *n = cls;

	strcat(n->buf, u->name);
	strcat(n->buf, " ");
	return ++n->seen == n->stop_after ? 42 : 0;
}

static void test_user_foreach(void **state)
{
	struct fx *fx = *state;
	struct names n = { 0 };

	fx_user(fx, "zed");
	fx_user(fx, "bob");
	assert_int_equal(store_user_foreach(fx->c, collect_user, &n, &fx->err), 0);
	assert_string_equal(n.buf, "alice bob zed ");

	memset(&n, 0, sizeof(n));
	n.stop_after = 2;
	assert_int_equal(store_user_foreach(fx->c, collect_user, &n, &fx->err), 42);
	assert_string_equal(n.buf, "alice bob ");
}

int test_store_user_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_user_create_and_get, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_user_null_optional_fields, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_user_get_by_email, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_user_duplicate, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_user_not_found, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_user_set_password, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_user_delete_cascades, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_user_delete_foreign_parent, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_user_foreach, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
