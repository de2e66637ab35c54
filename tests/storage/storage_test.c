/* storage_test.c - fixtures of the storage tests: temporary databases,
 * helpers that assert success, and a canonical dump of a database file. */
#include "storage_test.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sd_buf.h"
#include "sd_util.h"
#include "store_bk.h"
#include "store_fault.h"

enum fx_variant fx_variant = FX_SQLITE;
const char *const fx_variant_names[] = { "sqlite", "fault-wrapped sqlite" };

void fx_open(struct fx *fx, int force_fault)
{
	struct store_backend *be;

	assert_int_equal(store_sqlite_backend_new(&be, fx->path, STORE_SQLITE_BUSY_MS, &fx->err),
	                 0);
	fx->fault = NULL;
	if (force_fault || fx_variant == FX_FAULT) {
		be = store_fault_backend_new(be);
		fx->fault = be;
	}
	assert_int_equal(store_open_backend(&fx->st, be, 4, &fx->err), 0);
	assert_int_equal(store_conn_acquire(fx->st, &fx->c, &fx->err), 0);
}

void fx_close(struct fx *fx)
{
	store_conn_release(fx->c);
	fx->c = NULL;
	store_close(fx->st);
	fx->st = NULL;
	fx->fault = NULL;
}

int fx_setup(void **state)
{
	struct fx *fx = sd_xcalloc(1, sizeof(*fx));
	struct store_coll home;

	strcpy(fx->dir, "/tmp/slotdav-storage-XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/slotdav.db", fx->dir);
	fx_open(fx, 0);
	fx->a = sd_arena_new();
	fx->user = fx_user(fx, "alice");
	assert_int_equal(store_home_get(fx->c, fx->user, fx->a, &home, &fx->err), 0);
	fx->home = home.id;
	*state = fx;
	return 0;
}

int fx_teardown(void **state)
{
	struct fx *fx = *state;
	const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
	char p[128];

	if (fx->st)
		fx_close(fx);
	sd_arena_free(fx->a);
	for (size_t i = 0; i < SD_ARRAY_LEN(suffixes); i++) {
		snprintf(p, sizeof(p), "%s%s", fx->path, suffixes[i]);
		unlink(p);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

int64_t fx_user(struct fx *fx, const char *name)
{
	int64_t id = 0;

	assert_int_equal(store_user_create(fx->c, name, "", "", "hash", &id, &fx->err), 0);
	assert_true(id > 0);
	return id;
}

int64_t fx_coll(struct fx *fx, int64_t parent, int kind, const char *name)
{
	struct store_coll in = {
		.parent_id = parent, .owner_id = fx->user, .kind = kind, .name = name
	};
	int64_t id = 0;

	if (kind == STORE_COLL_CALENDAR)
		in.components = STORE_COMP_VEVENT | STORE_COMP_VTODO;
	assert_int_equal(store_coll_create(fx->c, &in, &id, &fx->err), 0);
	assert_true(id > 0);
	return id;
}

int64_t fx_cal(struct fx *fx, int64_t parent, const char *name)
{
	return fx_coll(fx, parent, STORE_COLL_CALENDAR, name);
}

const char *fx_put(struct fx *fx, int64_t coll, const char *name, const char *data, const char *uid,
                   unsigned comp, int64_t start, int64_t end)
{
	struct store_obj in = { .coll_id = coll,
		                .name = name,
		                .content_type = "text/calendar",
		                .data = data,
		                .len = strlen(data),
		                .uid = uid,
		                .comp = comp,
		                .first_start = start,
		                .last_end = end };
	const char *etag = NULL;

	assert_int_equal(store_obj_put(fx->c, &in, fx->a, &etag, NULL, &fx->err), 0);
	assert_non_null(etag);
	return etag;
}

const char *fx_put_plain(struct fx *fx, int64_t coll, const char *name, const char *data)
{
	struct store_obj in = { .coll_id = coll,
		                .name = name,
		                .content_type = "text/plain",
		                .data = data,
		                .len = strlen(data) };
	const char *etag = NULL;

	assert_int_equal(store_obj_put(fx->c, &in, fx->a, &etag, NULL, &fx->err), 0);
	return etag;
}

int64_t fx_rev(struct fx *fx, int64_t coll)
{
	struct store_coll out;

	if (!coll)
		return 0;
	assert_int_equal(store_coll_get_by_id(fx->c, coll, fx->a, &out, &fx->err), 0);
	return out.rev;
}

void fx_prop(struct fx *fx, int64_t coll, const char *obj, const char *name, const char *xml)
{
	struct store_prop p = { .ns = "urn:test", .name = name, .xml = xml };

	assert_int_equal(store_prop_set(fx->c, coll, obj, &p, &fx->err), 0);
}

int64_t fx_location(struct fx *fx, const char *name)
{
	struct store_location in = {
		.name = name, .address = "", .timezone = "Europe/Berlin", .email = "", .rules = ""
	};
	int64_t id = 0;

	assert_int_equal(store_location_create(fx->c, &in, &id, &fx->err), 0);
	assert_true(id > 0);
	return id;
}

int64_t fx_staff(struct fx *fx, int64_t user, const int64_t *locs, size_t nlocs)
{
	struct store_staff in = { .user_id = user,
		                  .name = "Staff",
		                  .email = "",
		                  .active = 1,
		                  .location_ids = locs,
		                  .nlocations = nlocs };
	int64_t id = 0;

	assert_int_equal(store_staff_create(fx->c, &in, &id, &fx->err), 0);
	assert_true(id > 0);
	return id;
}

int64_t fx_service(struct fx *fx, int64_t loc, const int64_t *staff, size_t nstaff)
{
	struct store_service in = { .location_id = loc,
		                    .name = "Service",
		                    .description = "",
		                    .duration_min = 30,
		                    .rules = "",
		                    .active = 1,
		                    .staff_ids = staff,
		                    .nstaff = nstaff };
	int64_t id = 0;

	assert_int_equal(store_service_create(fx->c, &in, &id, &fx->err), 0);
	assert_true(id > 0);
	return id;
}

int64_t fx_customer(struct fx *fx, const char *name, const char *email, const char *phone)
{
	struct store_customer in = { .name = name, .email = email, .phone = phone };
	int64_t id = 0;

	assert_int_equal(store_customer_create(fx->c, &in, &id, &fx->err), 0);
	assert_true(id > 0);
	return id;
}

int64_t fx_booking(struct fx *fx, const char *uid, int64_t loc, int64_t svc, int64_t staff,
                   int64_t cust, int64_t start, int64_t end)
{
	struct store_booking in = { .uid = uid,
		                    .location_id = loc,
		                    .service_id = svc,
		                    .staff_id = staff,
		                    .customer_id = cust,
		                    .start = start,
		                    .end = end,
		                    .status = STORE_BK_CONFIRMED,
		                    .created_channel = "api",
		                    .created_by = "user:alice",
		                    .obj_name = "" };
	int64_t id = 0;

	assert_int_equal(store_booking_create(fx->c, &in, &id, &fx->err), 0);
	assert_true(id > 0);
	return id;
}

const char *fx_changes(struct fx *fx, int64_t coll, int64_t since)
{
	struct store_change_iter *it;
	struct store_change ch;
	int64_t last = since;
	struct sd_buf b;
	const char *out;
	int rc;

	sd_buf_init(&b, 0);
	assert_int_equal(store_change_iter_new(fx->c, coll, since, &it, &fx->err), 0);
	while ((rc = store_change_iter_next(it, &ch, &fx->err)) == 1) {
		assert_true(ch.rev > last);
		last = ch.rev;
		sd_buf_printf(&b, "%s%s%s", b.len ? " " : "", ch.name, ch.deleted ? "-" : "");
	}
	assert_int_equal(rc, 0);
	store_change_iter_free(it);
	out = sd_arena_strdup(fx->a, sd_buf_cstr(&b));
	sd_buf_free(&b);
	return out;
}

const char *fx_iter_names(struct fx *fx, struct store_obj_iter *it)
{
	struct store_obj o;
	struct sd_buf b;
	const char *out;
	int rc;

	sd_buf_init(&b, 0);
	while ((rc = store_obj_iter_next(it, &o, &fx->err)) == 1)
		sd_buf_printf(&b, "%s%s", b.len ? " " : "", o.name);
	assert_int_equal(rc, 0);
	out = sd_arena_strdup(fx->a, sd_buf_cstr(&b));
	sd_buf_free(&b);
	return out;
}

/* Appends every row of table, ordered by all its columns. */
static void dump_table(sqlite3 *db, const char *table, struct sd_buf *b)
{
	sqlite3_stmt *st;
	char *sql;
	int n;

	sql = sqlite3_mprintf("SELECT * FROM \"%w\" LIMIT 0", table);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	n = sqlite3_column_count(st);
	sqlite3_finalize(st);
	sqlite3_free(sql);

	sql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY 1", table);
	for (int i = 2; i <= n; i++) {
		char *more = sqlite3_mprintf("%s, %d", sql, i);
		sqlite3_free(sql);
		sql = more;
	}
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		sd_buf_adds(b, table);
		for (int i = 0; i < n; i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			sd_buf_printf(b, "|%s", v ? v : "NULL");
		}
		sd_buf_addc(b, '\n');
	}
	sqlite3_finalize(st);
	sqlite3_free(sql);
}

char *fx_dump(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	struct sd_buf b;
	char *out;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	sd_buf_init(&b, 0);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT name FROM sqlite_schema WHERE type = 'table' "
	                                    "ORDER BY name",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		dump_table(db, (const char *)sqlite3_column_text(st, 0), &b);
	sqlite3_finalize(st);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	out = sd_xstrdup(sd_buf_cstr(&b));
	sd_buf_free(&b);
	return out;
}
