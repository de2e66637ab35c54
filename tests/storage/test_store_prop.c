/* test_store_prop.c - dead properties of collections and resources. */
#include <stdlib.h>
#include <string.h>

#include "storage_test.h"

struct props {
	char buf[256];
	int stop_after;
	int n;
};

static int collect_prop(void *cls, const struct store_prop *p)
{
	struct props *s = cls;

	strcat(s->buf, "{");
	strcat(s->buf, p->ns);
	strcat(s->buf, "}");
	strcat(s->buf, p->name);
	strcat(s->buf, "=");
	strcat(s->buf, p->xml);
	strcat(s->buf, " ");
	return ++s->n == s->stop_after ? 5 : 0;
}

/* The same checks on a collection (obj NULL) and on a resource. */
static void check_owner(struct fx *fx, int64_t coll, const char *obj)
{
	struct store_prop a = { .ns = "DAV:", .name = "b", .xml = "<D:b/>" };
	struct store_prop b = { .ns = "", .name = "z", .xml = "<z/>" };
	struct store_prop c = { .ns = "DAV:", .name = "a", .xml = "<D:a>1</D:a>" };
	struct props s = { 0 };
	struct store_prop out;

	assert_int_equal(store_prop_set(fx->c, coll, obj, &a, &fx->err), 0);
	assert_int_equal(store_prop_set(fx->c, coll, obj, &b, &fx->err), 0);
	assert_int_equal(store_prop_set(fx->c, coll, obj, &c, &fx->err), 0);
	assert_int_equal(store_prop_get(fx->c, coll, obj, "DAV:", "b", fx->a, &out, &fx->err), 0);
	assert_string_equal(out.ns, "DAV:");
	assert_string_equal(out.name, "b");
	assert_string_equal(out.xml, "<D:b/>");

	/* Replace. */
	c.xml = "<D:a>2</D:a>";
	assert_int_equal(store_prop_set(fx->c, coll, obj, &c, &fx->err), 0);
	assert_int_equal(store_prop_foreach(fx->c, coll, obj, collect_prop, &s, &fx->err), 0);
	assert_string_equal(s.buf, "{}z=<z/> {DAV:}a=<D:a>2</D:a> {DAV:}b=<D:b/> ");

	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	assert_int_equal(store_prop_foreach(fx->c, coll, obj, collect_prop, &s, &fx->err), 5);
	assert_int_equal(s.n, 2);

	assert_int_equal(store_prop_remove(fx->c, coll, obj, "DAV:", "b", &fx->err), 0);
	assert_int_equal(store_prop_get(fx->c, coll, obj, "DAV:", "b", fx->a, &out, &fx->err),
	                 STORE_ENOTFOUND);
	assert_int_equal(store_prop_remove(fx->c, coll, obj, "DAV:", "b", &fx->err),
	                 STORE_ENOTFOUND);
	assert_int_equal(store_prop_get(fx->c, coll, obj, "DAV:", "nope", fx->a, &out, &fx->err),
	                 STORE_ENOTFOUND);
}

static void test_prop_on_collection(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	int64_t rev = fx_rev(fx, cal);

	check_owner(fx, cal, NULL);
	/* Four sets and one remove, each a rev of its own, no member rows. */
	assert_int_equal(fx_rev(fx, cal), rev + 5);
	assert_string_equal(fx_changes(fx, cal, rev), "");
}

static void test_prop_on_resource(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	const char *etag = fx_put(fx, cal, "e.ics", "E", "ue", STORE_COMP_VEVENT, 0, 1);
	int64_t rev;
	struct store_obj o;
	struct props s = { 0 };

	fx_put(fx, cal, "f.ics", "F", "uf", STORE_COMP_VEVENT, 0, 1);
	rev = fx_rev(fx, cal);
	check_owner(fx, cal, "e.ics");
	/* A change of the resource, without a new ETag. */
	assert_string_equal(fx_changes(fx, cal, rev), "e.ics");
	assert_int_equal(store_obj_get(fx->c, cal, "e.ics", 0, fx->a, &o, &fx->err), 0);
	assert_string_equal(o.etag, etag);
	/* Kept over a replacement of the body. */
	fx_put(fx, cal, "e.ics", "E2", "ue", STORE_COMP_VEVENT, 0, 1);
	assert_int_equal(store_prop_foreach(fx->c, cal, "e.ics", collect_prop, &s, &fx->err), 0);
	assert_string_equal(s.buf, "{}z=<z/> {DAV:}a=<D:a>2</D:a> ");
	/* Separate from the collection's and the sibling's. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_prop_foreach(fx->c, cal, NULL, collect_prop, &s, &fx->err), 0);
	assert_int_equal(store_prop_foreach(fx->c, cal, "f.ics", collect_prop, &s, &fx->err), 0);
	assert_string_equal(s.buf, "");
}

static void test_prop_owner_missing(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	struct store_prop p = { .ns = "DAV:", .name = "x", .xml = "<x/>" };
	char *before = fx_dump(fx->path), *after;

	assert_int_equal(store_prop_set(fx->c, cal, "missing.ics", &p, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_prop_set(fx->c, 9999, NULL, &p, &fx->err), STORE_ENOTFOUND);
	assert_int_equal(store_prop_remove(fx->c, cal, NULL, "DAV:", "x", &fx->err),
	                 STORE_ENOTFOUND);
	after = fx_dump(fx->path);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

int test_store_prop_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_prop_on_collection, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_prop_on_resource, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_prop_owner_missing, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
