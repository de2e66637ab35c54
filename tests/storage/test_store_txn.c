/* test_store_txn.c - transactions, locking between connections, the pool. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage_test.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void test_txn_rollback_undoes(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	char *before = fx_dump(fx->path), *after;
	struct store_obj o;

	assert_int_equal(store_begin(fx->c, STORE_TXN_WRITE, &fx->err), 0);
	fx_put(fx, cal, "a", "A", "ua", STORE_COMP_VEVENT, 0, 1);
	fx_cal(fx, fx->home, "cal2");
	fx_prop(fx, cal, NULL, "p", "<p/>");
	/* The transaction sees its own writes. */
	assert_int_equal(store_obj_get(fx->c, cal, "a", 0, fx->a, &o, &fx->err), 0);
	store_rollback(fx->c);
	after = fx_dump(fx->path);
	assert_string_equal(before, after);
	assert_int_equal(store_obj_get(fx->c, cal, "a", 0, fx->a, &o, &fx->err), STORE_ENOTFOUND);
	free(before);
	free(after);
	store_rollback(fx->c); /* no transaction: harmless */
}

static void test_txn_commit_and_savepoints(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	struct store_coll in = { .parent_id = fx->home,
		                 .owner_id = fx->user,
		                 .kind = STORE_COLL_CALENDAR,
		                 .name = "cal" };
	struct store_obj o;

	assert_int_equal(store_begin(fx->c, STORE_TXN_WRITE, &fx->err), 0);
	fx_put(fx, cal, "a", "A", "ua", STORE_COMP_VEVENT, 0, 1);
	/* A failing write undoes only itself. */
	assert_int_equal(store_coll_create(fx->c, &in, NULL, &fx->err), STORE_EEXISTS);
	fx_put(fx, cal, "b", "B", "ub", STORE_COMP_VEVENT, 0, 1);
	assert_int_equal(store_commit(fx->c, &fx->err), 0);
	assert_int_equal(store_obj_get(fx->c, cal, "a", 0, fx->a, &o, &fx->err), 0);
	assert_int_equal(store_obj_get(fx->c, cal, "b", 0, fx->a, &o, &fx->err), 0);
	assert_string_equal(fx_changes(fx, cal, 0), "a b");
}

static void test_txn_misuse(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(store_commit(fx->c, &fx->err), STORE_EIO);
	assert_int_equal(store_begin(fx->c, STORE_TXN_READ, &fx->err), 0);
	assert_int_equal(store_begin(fx->c, STORE_TXN_WRITE, &fx->err), STORE_EIO);
	assert_int_equal(store_commit(fx->c, &fx->err), 0);
}

static void test_txn_release_rolls_back(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	struct store_obj o;

	assert_int_equal(store_begin(fx->c, STORE_TXN_WRITE, &fx->err), 0);
	fx_put(fx, cal, "a", "A", "ua", STORE_COMP_VEVENT, 0, 1);
	store_conn_release(fx->c);
	assert_int_equal(store_conn_acquire(fx->st, &fx->c, &fx->err), 0);
	assert_int_equal(store_obj_get(fx->c, cal, "a", 0, fx->a, &o, &fx->err), STORE_ENOTFOUND);
	/* And the connection is usable: not stuck in the old transaction. */
	assert_int_equal(store_begin(fx->c, STORE_TXN_WRITE, &fx->err), 0);
	store_rollback(fx->c);
}

static void test_txn_read_snapshot(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	struct store_conn *c2;
	int64_t n = -1;

	assert_int_equal(store_conn_acquire(fx->st, &c2, &fx->err), 0);
	assert_int_equal(store_begin(fx->c, STORE_TXN_READ, &fx->err), 0);
	assert_int_equal(store_obj_count(fx->c, cal, &n, &fx->err), 0);
	assert_int_equal(n, 0);
	{
		struct store_obj in = { .coll_id = cal, .name = "x", .data = "X", .len = 1 };
		assert_int_equal(store_obj_put(c2, &in, fx->a, NULL, NULL, &fx->err), 0);
	}
	assert_int_equal(store_obj_count(fx->c, cal, &n, &fx->err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_commit(fx->c, &fx->err), 0);
	assert_int_equal(store_obj_count(fx->c, cal, &n, &fx->err), 0);
	assert_int_equal(n, 1);
	store_conn_release(c2);
}

struct writer {
	struct store *st;
	int64_t cal;
	atomic_int done;
	int rc_begin, rc_put, rc_commit;
};

static void *writer_main(void *p)
{
	struct writer *w = p;
	struct store_obj in = { .coll_id = w->cal, .name = "from-thread", .data = "T", .len = 1 };
	struct sd_arena *a = sd_arena_new();
	struct store_conn *c;
	struct sd_err err;

	if (store_conn_acquire(w->st, &c, &err) == 0) {
		w->rc_begin = store_begin(c, STORE_TXN_WRITE, &err);
		w->rc_put = store_obj_put(c, &in, a, NULL, NULL, &err);
		w->rc_commit = store_commit(c, &err);
		store_conn_release(c);
	}
	sd_arena_free(a);
	atomic_store(&w->done, 1);
	return NULL;
}

/* BEGIN IMMEDIATE on one connection makes another writer wait, not fail. */
static void test_txn_writer_waits(void **state)
{
	struct fx *fx = *state;
	struct writer w = { .st = fx->st, .cal = fx_cal(fx, fx->home, "cal"), .rc_begin = -99 };
	struct store_obj o;
	pthread_t t;

	assert_int_equal(store_begin(fx->c, STORE_TXN_WRITE, &fx->err), 0);
	fx_put(fx, w.cal, "from-main", "M", "um", STORE_COMP_VEVENT, 0, 1);
	assert_int_equal(pthread_create(&t, NULL, writer_main, &w), 0);
	sleep_ms(300);
	assert_int_equal(atomic_load(&w.done), 0);
	assert_int_equal(store_commit(fx->c, &fx->err), 0);
	pthread_join(t, NULL);
	assert_int_equal(w.rc_begin, 0);
	assert_int_equal(w.rc_put, 0);
	assert_int_equal(w.rc_commit, 0);
	assert_int_equal(store_obj_get(fx->c, w.cal, "from-thread", 0, fx->a, &o, &fx->err), 0);
	assert_string_equal(fx_changes(fx, w.cal, 0), "from-main from-thread");
}

/* Past the busy timeout a writer gets STORE_EBUSY. */
static void test_txn_busy_timeout(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal");
	struct store_obj in = { .coll_id = cal, .name = "x", .data = "X", .len = 1 };
	struct store_backend *be;
	struct store_conn *c2;
	struct store *st2;

	assert_int_equal(store_sqlite_backend_new(&be, fx->path, 50, &fx->err), 0);
	assert_int_equal(store_open_backend(&st2, be, 1, &fx->err), 0);
	assert_int_equal(store_conn_acquire(st2, &c2, &fx->err), 0);

	assert_int_equal(store_begin(fx->c, STORE_TXN_WRITE, &fx->err), 0);
	assert_int_equal(store_begin(c2, STORE_TXN_WRITE, &fx->err), STORE_EBUSY);
	assert_int_equal(fx->err.code, STORE_EBUSY);
	assert_int_equal(store_obj_put(c2, &in, fx->a, NULL, NULL, &fx->err), STORE_EBUSY);
	/* Readers are not blocked (WAL). */
	{
		struct store_coll out;
		assert_int_equal(store_coll_get_by_id(c2, cal, fx->a, &out, &fx->err), 0);
	}
	store_rollback(fx->c);
	assert_int_equal(store_obj_put(c2, &in, fx->a, NULL, NULL, &fx->err), 0);
	store_conn_release(c2);
	store_close(st2);
}

struct pool_run {
	struct store *st;
	int64_t cal;
	int id;
	atomic_int *in_use, *max_in_use, *failures;
};

static void *pool_worker(void *p)
{
	struct pool_run *r = p;
	struct sd_arena *a = sd_arena_new();
	char name[32];

	for (int i = 0; i < 25; i++) {
		struct store_conn *c;
		struct sd_err err;
		int now, max;

		if (store_conn_acquire(r->st, &c, &err)) {
			atomic_fetch_add(r->failures, 1);
			continue;
		}
		now = atomic_fetch_add(r->in_use, 1) + 1;
		max = atomic_load(r->max_in_use);
		while (now > max && !atomic_compare_exchange_weak(r->max_in_use, &max, now))
			;
		snprintf(name, sizeof(name), "t%d-%d", r->id, i);
		{
			struct store_obj in = {
				.coll_id = r->cal, .name = name, .data = name, .len = strlen(name)
			};
			if (store_obj_put(c, &in, a, NULL, NULL, &err))
				atomic_fetch_add(r->failures, 1);
		}
		atomic_fetch_sub(r->in_use, 1);
		store_conn_release(c);
	}
	sd_arena_free(a);
	return NULL;
}

static void test_pool_threads(void **state)
{
	struct fx *fx = *state;
	int64_t cal = fx_cal(fx, fx->home, "cal"), n = 0;
	atomic_int in_use = 0, max_in_use = 0, failures = 0;
	struct pool_run runs[6];
	pthread_t t[6];
	struct store *st2;

	/* A store of its own with a pool of 2 for 6 threads. */
	assert_int_equal(store_open(&st2, fx->path, 2, &fx->err), 0);
	for (int i = 0; i < 6; i++) {
		runs[i] = (struct pool_run){ .st = st2,
			                     .cal = cal,
			                     .id = i,
			                     .in_use = &in_use,
			                     .max_in_use = &max_in_use,
			                     .failures = &failures };
		assert_int_equal(pthread_create(&t[i], NULL, pool_worker, &runs[i]), 0);
	}
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	store_close(st2);
	assert_int_equal(atomic_load(&failures), 0);
	assert_true(atomic_load(&max_in_use) >= 1 && atomic_load(&max_in_use) <= 2);
	assert_int_equal(store_obj_count(fx->c, cal, &n, &fx->err), 0);
	assert_int_equal(n, 150);
	assert_int_equal(fx_rev(fx, cal), 150);
}

struct waiter {
	struct store *st;
	atomic_int got;
};

static void *waiter_main(void *p)
{
	struct waiter *w = p;
	struct store_conn *c;
	struct sd_err err;

	if (store_conn_acquire(w->st, &c, &err) == 0) {
		atomic_store(&w->got, 1);
		store_conn_release(c);
	}
	return NULL;
}

/* With every connection taken, acquire waits for a release. */
static void test_pool_waits(void **state)
{
	struct fx *fx = *state;
	struct waiter w = { 0 };
	struct store_conn *c;
	pthread_t t;

	assert_int_equal(store_open(&w.st, fx->path, 1, &fx->err), 0);
	assert_int_equal(store_conn_acquire(w.st, &c, &fx->err), 0);
	assert_int_equal(pthread_create(&t, NULL, waiter_main, &w), 0);
	sleep_ms(200);
	assert_int_equal(atomic_load(&w.got), 0);
	store_conn_release(c);
	pthread_join(t, NULL);
	assert_int_equal(atomic_load(&w.got), 1);
	/* The released connection is reused, not a second one opened. */
	assert_int_equal(store_conn_acquire(w.st, &c, &fx->err), 0);
	store_conn_release(c);
	store_close(w.st);
}

int test_store_txn_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_txn_rollback_undoes, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_txn_commit_and_savepoints, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_txn_misuse, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_txn_release_rolls_back, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_txn_read_snapshot, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_txn_writer_waits, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_txn_busy_timeout, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_pool_threads, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_pool_waits, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
