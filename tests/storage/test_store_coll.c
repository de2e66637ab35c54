/* test_store_coll.c - collections: create, get, update, delete, move, foreach. */
#include <stdlib.h>
#include <string.h>

#include "storage_test.h"

static void test_coll_create_and_get(void **state)
{
	struct fx *fx = *state;
	struct store_coll in = { .parent_id = fx->home,
		                 .owner_id = fx->user,
		                 .kind = STORE_COLL_CALENDAR,
		                 .name = "work",
		                 .displayname = "Work",
		                 .description = "Office hours",
		                 .color = "#FF2968FF",
		                 .order = "3",
		                 .timezone = "BEGIN:VCALENDAR",
		                 .components = STORE_COMP_VEVENT | STORE_COMP_VTODO };
	struct store_coll a, b;
	int64_t id = 0;

	assert_int_equal(store_coll_create(fx->c, &in, &id, &fx->err), 0);
	assert_int_equal(store_coll_get(fx->c, fx->home, "work", fx->a, &a, &fx->err), 0);
	assert_int_equal(a.id, id);
	assert_int_equal(a.parent_id, fx->home);
	assert_int_equal(a.owner_id, fx->user);
	assert_int_equal(a.kind, STORE_COLL_CALENDAR);
	assert_string_equal(a.name, "work");
	assert_string_equal(a.displayname, "Work");
	assert_string_equal(a.description, "Office hours");
	assert_string_equal(a.color, "#FF2968FF");
	assert_string_equal(a.order, "3");
	assert_string_equal(a.timezone, "BEGIN:VCALENDAR");
	assert_int_equal(a.components, STORE_COMP_VEVENT | STORE_COMP_VTODO);
	assert_int_equal(a.rev, 0);
	assert_true(a.created > 0 && a.modified >= a.created);

	assert_int_equal(store_coll_get_by_id(fx->c, id, fx->a, &b, &fx->err), 0);
	assert_string_equal(b.name, "work");

	/* Unset calendar properties read back as NULL. */
	id = fx_coll(fx, fx->home, STORE_COLL_PLAIN, "plain");
	assert_int_equal(store_coll_get_by_id(fx->c, id, fx->a, &b, &fx->err), 0);
	assert_null(b.displayname);
	assert_null(b.color);
	assert_int_equal(b.components, 0);
}

static void test_coll_create_errors(void **state)
{
	struct fx *fx = *state;
	struct store_coll in = { .parent_id = fx->home,
		                 .owner_id = fx->user,
		                 .kind = STORE_COLL_CALENDAR,
		                 .name = "cal" };
	char *before, *after;

	fx_cal(fx, fx->home, "cal");
	fx_put_plain(fx, fx->home, "file.txt", "hello");
	before = fx_dump(fx->path);
	assert_int_equal(store_coll_create(fx->c, &in, NULL, &fx->err), STORE_EEXISTS);
	in.name = "file.txt"; /* taken by a resource */
	assert_int_equal(store_coll_create(fx->c, &in, NULL, &fx->err), STORE_EEXISTS);
	in.name = "new";
	in.parent_id = 424242;
	assert_int_equal(store_coll_create(fx->c, &in, NULL, &fx->err), STORE_ENOTFOUND);
	in.parent_id = 0; /* homes are made by store_user_create only */
	assert_int_equal(store_coll_create(fx->c, &in, NULL, &fx->err), STORE_ENOTFOUND);
	after = fx_dump(fx->path);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_coll_get_not_found(void **state)
{
	struct fx *fx = *state;
	struct store_coll out;

	assert_int_equal(store_coll_get(fx->c, fx->home, "none", fx->a, &out, &fx->err),
	                 STORE_ENOTFOUND);
	assert_int_equal(store_coll_get(fx->c, 0, "nobody", fx->a, &out, &fx->err),
	                 STORE_ENOTFOUND);
	assert_int_equal(store_coll_get_by_id(fx->c, 999, fx->a, &out, &fx->err), STORE_ENOTFOUND);
}

static void test_coll_update(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	int64_t home_rev = fx_rev(fx, fx->home);
	struct store_coll in = { .id = cal,
		                 .displayname = "Renamed",
		                 .color = "#000000",
		                 .components = STORE_COMP_VTODO };
	struct store_coll out;

	assert_int_equal(store_coll_update(fx->c, &in, &fx->err), 0);
	assert_int_equal(store_coll_get_by_id(fx->c, cal, fx->a, &out, &fx->err), 0);
	assert_string_equal(out.displayname, "Renamed");
	assert_string_equal(out.color, "#000000");
	assert_null(out.description);
	assert_int_equal(out.components, STORE_COMP_VTODO);
	assert_int_equal(out.rev, 1);
	/* Its own properties: no member row, but the parent logs it. */
	assert_string_equal(fx_changes(fx, cal, 0), "");
	assert_string_equal(fx_changes(fx, fx->home, home_rev), "cal");

	in.displayname = NULL; /* clears */
	assert_int_equal(store_coll_update(fx->c, &in, &fx->err), 0);
	assert_int_equal(store_coll_get_by_id(fx->c, cal, fx->a, &out, &fx->err), 0);
	assert_null(out.displayname);
	assert_int_equal(out.rev, 2);

	in.id = 999;
	assert_int_equal(store_coll_update(fx->c, &in, &fx->err), STORE_ENOTFOUND);
}

static void test_coll_delete_recursive(void **state)
{
	struct fx *fx = *state;
	int64_t plain = fx_coll(fx, fx->home, STORE_COLL_PLAIN, "plain");
	int64_t sub = fx_coll(fx, plain, STORE_COLL_PLAIN, "sub");
	int64_t cal = fx_cal(fx, sub, "cal");
	int64_t keep = fx_cal(fx, fx->home, "keep");
	int64_t rev, count = -1;
	struct store_coll out;
	struct store_obj o;
	char *dump;

	fx_put(fx, cal, "a.ics", "A", "uid-a", STORE_COMP_VEVENT, 0, 10);
	fx_put(fx, keep, "k.ics", "K", "uid-k", STORE_COMP_VEVENT, 0, 10);
	fx_prop(fx, cal, NULL, "cp", "<cp/>");
	fx_prop(fx, cal, "a.ics", "op", "<op/>");
	fx_prop(fx, plain, NULL, "pp", "<pp/>");
	rev = fx_rev(fx, fx->home);

	assert_int_equal(store_coll_delete(fx->c, plain, &fx->err), 0);
	assert_int_equal(store_coll_get_by_id(fx->c, plain, fx->a, &out, &fx->err),
	                 STORE_ENOTFOUND);
	assert_int_equal(store_coll_get_by_id(fx->c, sub, fx->a, &out, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_coll_get_by_id(fx->c, cal, fx->a, &out, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_obj_get(fx->c, cal, "a.ics", 0, fx->a, &o, &fx->err),
	                 STORE_ENOTFOUND);
	assert_int_equal(store_obj_count(fx->c, cal, &count, &fx->err), 0);
	assert_int_equal(count, 0);
	assert_string_equal(fx_changes(fx, cal, 0), "");

	/* No row of the subtree is left; the sibling is untouched. */
	dump = fx_dump(fx->path);
	assert_null(strstr(dump, "<cp/>"));
	assert_null(strstr(dump, "<op/>"));
	assert_null(strstr(dump, "<pp/>"));
	assert_null(strstr(dump, "a.ics"));
	assert_non_null(strstr(dump, "k.ics"));
	free(dump);

	/* A tombstone in the parent, one rev up; initial syncs skip it. */
	assert_int_equal(fx_rev(fx, fx->home), rev + 1);
	assert_string_equal(fx_changes(fx, fx->home, rev), "plain-");
	assert_string_equal(fx_changes(fx, fx->home, 0), "keep");

	assert_int_equal(store_coll_delete(fx->c, plain, &fx->err), STORE_ENOTFOUND);
}

static void test_coll_move(void **state)
{
	struct fx *fx = *state;
	int64_t dst = fx_coll(fx, fx->home, STORE_COLL_PLAIN, "dst");
	int64_t cal = fx_cal(fx, fx->home, "cal");
	int64_t home_rev, dst_rev;
	struct store_coll out;
	struct store_prop p;
	struct store_obj o;

	fx_put(fx, cal, "a.ics", "A", "uid-a", STORE_COMP_VEVENT, 0, 10);
	fx_prop(fx, cal, NULL, "cp", "<cp/>");
	home_rev = fx_rev(fx, fx->home);
	dst_rev = fx_rev(fx, dst);

	assert_int_equal(store_coll_move(fx->c, cal, dst, "moved", &fx->err), 0);
	assert_int_equal(store_coll_get(fx->c, dst, "moved", fx->a, &out, &fx->err), 0);
	assert_int_equal(out.id, cal);
	assert_int_equal(out.parent_id, dst);
	assert_int_equal(store_coll_get(fx->c, fx->home, "cal", fx->a, &out, &fx->err),
	                 STORE_ENOTFOUND);
	/* Members, properties and log come along. */
	assert_int_equal(store_obj_get(fx->c, cal, "a.ics", 0, fx->a, &o, &fx->err), 0);
	assert_int_equal(store_prop_get(fx->c, cal, NULL, "urn:test", "cp", fx->a, &p, &fx->err),
	                 0);
	assert_string_equal(fx_changes(fx, cal, 0), "a.ics");
	/* Tombstone at the source, change at the destination. */
	assert_string_equal(fx_changes(fx, dst, dst_rev), "moved");
	assert_string_equal(fx_changes(fx, fx->home, home_rev), "cal- dst");

	/* Rename in place. */
	assert_int_equal(store_coll_move(fx->c, cal, dst, "renamed", &fx->err), 0);
	assert_string_equal(fx_changes(fx, dst, 0), "renamed");
}

static void test_coll_move_errors(void **state)
{
	struct fx *fx = *state;
	int64_t a = fx_coll(fx, fx->home, STORE_COLL_PLAIN, "a");
	int64_t b = fx_coll(fx, a, STORE_COLL_PLAIN, "b");
	int64_t cal = fx_cal(fx, fx->home, "cal");
	char *before, *after;

	fx_put_plain(fx, fx->home, "file.txt", "x");
	before = fx_dump(fx->path);
	assert_int_equal(store_coll_move(fx->c, cal, fx->home, "a", &fx->err), STORE_EEXISTS);
	assert_int_equal(store_coll_move(fx->c, cal, fx->home, "file.txt", &fx->err),
	                 STORE_EEXISTS);
	assert_int_equal(store_coll_move(fx->c, cal, fx->home, "cal", &fx->err), STORE_EEXISTS);
	assert_int_equal(store_coll_move(fx->c, cal, 4242, "x", &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_coll_move(fx->c, 4242, fx->home, "x", &fx->err), STORE_ENOTFOUND);
	/* Into itself or its own subtree. */
	assert_int_equal(store_coll_move(fx->c, a, a, "x", &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_coll_move(fx->c, a, b, "x", &fx->err), STORE_ENOTFOUND);
	/* A home stays where it is. */
	assert_int_equal(store_coll_move(fx->c, fx->home, a, "x", &fx->err), STORE_ENOTFOUND);
	after = fx_dump(fx->path);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

struct seen {
	char buf[256];
	int stop_after;
	int n;
};

static int collect_coll(void *cls, const struct store_coll *coll)
{
	struct seen *s = cls;

	strcat(s->buf, coll->name);
	strcat(s->buf, " ");
	return ++s->n == s->stop_after ? -7 : 0;
}

static void test_coll_foreach(void **state)
{
	struct fx *fx = *state;
	struct seen s = { 0 };

	fx_cal(fx, fx->home, "zeta");
	fx_cal(fx, fx->home, "alpha");
	fx_coll(fx, fx->home, STORE_COLL_PLAIN, "mid");
	assert_int_equal(store_coll_foreach(fx->c, fx->home, collect_coll, &s, &fx->err), 0);
	assert_string_equal(s.buf, "alpha mid zeta ");

	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	assert_int_equal(store_coll_foreach(fx->c, fx->home, collect_coll, &s, &fx->err), -7);
	assert_string_equal(s.buf, "alpha ");

	/* Parent 0: the homes. */
	fx_user(fx, "bob");
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_coll_foreach(fx->c, 0, collect_coll, &s, &fx->err), 0);
	assert_string_equal(s.buf, "alice bob ");
}

/* A foreach callback that walks the tree with the same statement. */
struct walk {
	struct fx *fx;
	char buf[256];
};

static int walk_coll(void *cls, const struct store_coll *coll)
{
	struct walk *w = cls;

	strcat(w->buf, coll->name);
	strcat(w->buf, "(");
	assert_int_equal(store_coll_foreach(w->fx->c, coll->id, walk_coll, w, &w->fx->err), 0);
	strcat(w->buf, ")");
	return 0;
}

static void test_coll_foreach_nested(void **state)
{
	struct fx *fx = *state;
	int64_t a = fx_coll(fx, fx->home, STORE_COLL_PLAIN, "a");
	struct walk w = { .fx = fx };

	fx_coll(fx, a, STORE_COLL_PLAIN, "a1");
	fx_coll(fx, a, STORE_COLL_PLAIN, "a2");
	fx_cal(fx, fx->home, "b");
	assert_int_equal(store_coll_foreach(fx->c, fx->home, walk_coll, &w, &fx->err), 0);
	assert_string_equal(w.buf, "a(a1()a2())b()");
}

int test_store_coll_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_coll_create_and_get, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_coll_create_errors, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_coll_get_not_found, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_coll_update, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_coll_delete_recursive, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_coll_move, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_coll_move_errors, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_coll_foreach, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_coll_foreach_nested, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
