/* storage_test.h - fixtures shared by the storage tests (test_storage).
 *
 * Every test gets a fresh database in its own mkdtemp directory under /tmp,
 * a store on it, one acquired connection and an arena; teardown releases
 * them and removes the directory. The functional groups run once per
 * backend variant: the SQLite backend itself, and the same backend behind a
 * disarmed fault wrapper (which proves the wrapper forwards every operation
 * faithfully). The fault-injection tests always use the wrapper.
 */
#ifndef STORAGE_TEST_H
#define STORAGE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sd_arena.h"
#include "sd_err.h"
#include "store.h"
#include "store_backend.h"

enum fx_variant { FX_SQLITE, FX_FAULT };

/* The variant the fixtures of the next group run on. */
extern enum fx_variant fx_variant;
extern const char *const fx_variant_names[];

struct fx {
	char dir[64];
	char path[96];
	struct store *st;
	struct store_backend *fault; /* the wrapper (borrowed from st), FX_FAULT only */
	struct store_conn *c;
	struct sd_arena *a;
	struct sd_err err;
	/* A user "alice" with her home, made by every setup. */
	int64_t user;
	int64_t home;
	/* Free slots for tests (fault sweeps read their arguments here). */
	int64_t id[4];
};

/* cmocka setup/teardown. */
int fx_setup(void **state);
int fx_teardown(void **state);

/* Opens fx->st on fx->path with the current variant (or always the fault
 * wrapper when force_fault) and acquires fx->c. */
void fx_open(struct fx *fx, int force_fault);
/* Releases fx->c and closes fx->st. */
void fx_close(struct fx *fx);

/* Helpers that assert success. */
int64_t fx_user(struct fx *fx, const char *name);
int64_t fx_coll(struct fx *fx, int64_t parent, int kind, const char *name);
int64_t fx_cal(struct fx *fx, int64_t parent, const char *name);
/* A calendar resource (uid set) with instants [start, end); returns its ETag (arena). */
const char *fx_put(struct fx *fx, int64_t coll, const char *name, const char *data, const char *uid,
                   unsigned comp, int64_t start, int64_t end);
/* A plain resource (no uid). */
const char *fx_put_plain(struct fx *fx, int64_t coll, const char *name, const char *data);
int64_t fx_rev(struct fx *fx, int64_t coll);
void fx_prop(struct fx *fx, int64_t coll, const char *obj, const char *name, const char *xml);

/* Booking-side rows (store_bk.h), asserting success; "" for the optional
 * text fields. */
int64_t fx_location(struct fx *fx, const char *name);
int64_t fx_staff(struct fx *fx, int64_t user, const int64_t *locs, size_t nlocs);
int64_t fx_service(struct fx *fx, int64_t loc, const int64_t *staff, size_t nstaff);
int64_t fx_customer(struct fx *fx, const char *name, const char *email, const char *phone);
/* A confirmed booking of [start, end). */
int64_t fx_booking(struct fx *fx, const char *uid, int64_t loc, int64_t svc, int64_t staff,
                   int64_t cust, int64_t start, int64_t end);

/* The change log of coll since rev as "name name- ..." ('-' marks a
 * tombstone), in the iterator's order; asserts revs strictly increase and
 * are > since. Arena string. */
const char *fx_changes(struct fx *fx, int64_t coll, int64_t since);
/* The names the iterator yields, space separated. Arena string. */
const char *fx_iter_names(struct fx *fx, struct store_obj_iter *it);

/* Every row of every table of the database file, in a canonical order, read
 * through a separate SQLite connection (so it shows what is committed).
 * Caller frees with free(). */
char *fx_dump(const char *path);

/* The fault-injection sweep (test_store_fault.c): runs op with the nth
 * fault point failing for n = 1, 2, ... until it gets through; every failed
 * attempt must leave the database as it was. Returns the number of points,
 * at least min_points. fx_fault_setup is fx_setup on the fault wrapper. */
long fx_sweep(struct fx *fx, int (*op)(struct fx *fx), long min_points);
int fx_fault_setup(void **state);

/* Group runners, one per test file; name is the group name cmocka prints. */
int test_store_schema_run(const char *name);
int test_store_user_run(const char *name);
int test_store_coll_run(const char *name);
int test_store_obj_run(const char *name);
int test_store_change_run(const char *name);
int test_store_prop_run(const char *name);
int test_store_txn_run(const char *name);
int test_store_fault_run(const char *name);
int test_store_bk_run(const char *name);
int test_store_bk_booking_run(const char *name);
int test_store_bk_extcal_run(const char *name);
/* Run once: schema and migration, fault injection. */
int test_store_bk_once_run(const char *name);

#endif
