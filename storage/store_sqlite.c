/* store_sqlite.c - the SQLite backend: connections, statements, transactions.
 *
 * One database file in WAL mode: readers never block the writer and the
 * writer never blocks readers; writers queue on the write lock for up to
 * busy_ms, then get STORE_EBUSY. synchronous=FULL fsyncs the WAL at every
 * commit: "durable once acknowledged" means a power cut after a 201 must not
 * lose the write, which synchronous=NORMAL in WAL mode allows (it only
 * guarantees consistency, and syncs at checkpoints). foreign_keys=ON on every
 * connection: deleting a collection cascades through its subtree.
 *
 * Transactions. A connection is either in autocommit mode or inside one
 * transaction, begun by the caller (store_begin) or by a write operation for
 * itself. Each write operation is atomic on its own (store_sq_wtx_*):
 *   - outside a transaction it runs BEGIN IMMEDIATE ... COMMIT. Not a bare
 *     SAVEPOINT: that opens a *deferred* transaction which takes its read
 *     snapshot at the first SELECT and, in WAL mode, fails the upgrade to a
 *     writer with SQLITE_BUSY_SNAPSHOT (without waiting) whenever another
 *     connection committed in between;
 *   - inside the caller's transaction it is SAVEPOINT ... RELEASE, and on
 *     failure ROLLBACK TO, so a failed write undoes only itself.
 * A write inside a caller's READ transaction may fail with STORE_EBUSY:
 * callers that write use STORE_TXN_WRITE.
 *
 * Statement cache: see store_sqlite_int.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sd_log.h"
#include "sd_util.h"
#include "store_sqlite_int.h"

/* ---- statements -------------------------------------------------------- */

_Static_assert((SQ_STMT_SLOTS & (SQ_STMT_SLOTS - 1)) == 0, "slot count is a power of 2");

/* Fibonacci hashing of the SQL text's address. */
static size_t slot_hash(const char *sql)
{
	uint64_t h = (uint64_t)(uintptr_t)sql * 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 32) & (SQ_STMT_SLOTS - 1);
}

static int prepare(struct sq_conn *c, const char *sql, unsigned flags, sqlite3_stmt **out,
                   struct sd_err *err)
{
	int rc = sqlite3_prepare_v3(c->db, sql, -1, flags, out, NULL);

	if (rc != SQLITE_OK) {
		*out = NULL;
		return sd_err_set(err, STORE_EIO, "sqlite prepare: %s (%.60s)",
		                  sqlite3_errmsg(c->db), sql);
	}
	return STORE_OK;
}

/* The cache slot of sql: the one holding it, else the empty one where it
 * goes; NULL when the cache is full. */
static struct sq_stmt *slot_find(struct sq_conn *c, const char *sql)
{
	size_t i = slot_hash(sql);

	for (size_t n = 0; n < SQ_STMT_SLOTS; n++, i = (i + 1) & (SQ_STMT_SLOTS - 1))
		if (c->slots[i].sql == sql || !c->slots[i].sql)
			return &c->slots[i];
	return NULL;
}

int store_sq_get(struct sq_conn *c, struct sq_stmt **out, const char *sql, struct sd_err *err)
{
	struct sq_stmt *s = slot_find(c, sql);

	*out = NULL;
	if (s && !s->sql) {
		if (prepare(c, sql, SQLITE_PREPARE_PERSISTENT, &s->st, err))
			return STORE_EIO;
		s->sql = sql;
	}
	if (!s || s->busy) {
		/* In use by an outer caller (or the cache is full): a private one. */
		s = sd_xcalloc(1, sizeof(*s));
		if (prepare(c, sql, 0, &s->st, err)) {
			free(s);
			return STORE_EIO;
		}
		s->sql = sql;
		s->transient = 1;
	}
	s->busy = 1;
	s->bind_rc = SQLITE_OK;
	*out = s;
	return STORE_OK;
}

void store_sq_put(struct sq_conn *c, struct sq_stmt *s)
{
	if (!s)
		return;
	if (s->transient) {
		sqlite3_finalize(s->st);
		free(s);
		return;
	}
	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
	s->busy = 0;
}

static int param_index(struct sq_stmt *s, const char *param)
{
	int i = sqlite3_bind_parameter_index(s->st, param);

	if (i == 0 && s->bind_rc == SQLITE_OK)
		s->bind_rc = SQLITE_RANGE;
	return i;
}

static void bind_result(struct sq_stmt *s, int rc)
{
	if (rc != SQLITE_OK && s->bind_rc == SQLITE_OK)
		s->bind_rc = rc;
}

void store_sq_bind_i64(struct sq_stmt *s, const char *param, int64_t v)
{
	int i = param_index(s, param);

	if (i)
		bind_result(s, sqlite3_bind_int64(s->st, i, v));
}

void store_sq_bind_id(struct sq_stmt *s, const char *param, int64_t id)
{
	int i = param_index(s, param);

	if (i)
		bind_result(s, id ? sqlite3_bind_int64(s->st, i, id) : sqlite3_bind_null(s->st, i));
}

void store_sq_bind_text(struct sq_stmt *s, const char *param, const char *v)
{
	int i = param_index(s, param);

	if (!i)
		return;
	if (v)
		bind_result(s, sqlite3_bind_text(s->st, i, v, -1, SQLITE_STATIC));
	else
		bind_result(s, sqlite3_bind_null(s->st, i));
}

void store_sq_bind_blob(struct sq_stmt *s, const char *param, const void *p, size_t n)
{
	int i = param_index(s, param);

	if (!i)
		return;
	/* A NULL pointer would bind SQL NULL; an empty body is an empty blob. */
	if (n == 0)
		bind_result(s, sqlite3_bind_zeroblob(s->st, i, 0));
	else
		bind_result(s, sqlite3_bind_blob64(s->st, i, p, (sqlite3_uint64)n, SQLITE_STATIC));
}

int store_sq_error(struct sq_conn *c, int sqlite_rc, const char *what, struct sd_err *err)
{
	int code = STORE_EIO;

	switch (sqlite_rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		code = STORE_EBUSY;
		break;
	case SQLITE_CONSTRAINT:
		if (sqlite_rc == SQLITE_CONSTRAINT_UNIQUE ||
		    sqlite_rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			code = STORE_EEXISTS;
		break;
	}
	return sd_err_set(err, code, "sqlite: %s (%.80s: %s)", sqlite3_errstr(sqlite_rc), what,
	                  sqlite3_errmsg(c->db));
}

/* One sqlite3_step; the fault hook, if any and if hooked, may fail it first. */
static int step(struct sq_conn *c, struct sq_stmt *s, int hooked, struct sd_err *err)
{
	struct sq_backend *sb = c->sb;
	int rc;

	c->last_rc = SQLITE_OK;
	if (s->bind_rc != SQLITE_OK)
		return sd_err_set(err, STORE_EIO, "sqlite bind: %s (%.60s)",
		                  sqlite3_errstr(s->bind_rc), s->sql);
	if (hooked && sb->fault_hook && sb->fault_hook(sb->fault_cls))
		return sd_err_set(err, STORE_EIO, "injected fault (%.60s)", s->sql);
	rc = sqlite3_step(s->st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	c->last_rc = rc;
	return store_sq_error(c, rc, s->sql, err);
}

int store_sq_step(struct sq_conn *c, struct sq_stmt *s, struct sd_err *err)
{
	return step(c, s, 1, err);
}

int store_sq_exec(struct sq_conn *c, struct sq_stmt *s, struct sd_err *err)
{
	int rc;

	while ((rc = step(c, s, 1, err)) == 1)
		;
	return rc;
}

const char *store_sq_col_text(struct sqlite3_stmt *st, int i, struct sd_arena *a)
{
	const char *p = (const char *)sqlite3_column_text(st, i);

	if (!p)
		return NULL;
	return a ? sd_arena_strndup(a, p, (size_t)sqlite3_column_bytes(st, i)) : p;
}

int64_t store_sq_col_id(struct sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, i);
}

/* ---- transactions ------------------------------------------------------ */

/* Runs a control statement (BEGIN, COMMIT, SAVEPOINT, ...). Rollbacks pass
 * hooked 0: a fault injected into the undo path would test nothing real. */
static int ctl(struct sq_conn *c, const char *sql, int hooked, struct sd_err *err)
{
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	rc = step(c, s, hooked, err);
	store_sq_put(c, s);
	return rc;
}

static const char sql_begin_immediate[] = "BEGIN IMMEDIATE";
static const char sql_begin_deferred[] = "BEGIN";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";
static const char sql_savepoint[] = "SAVEPOINT store_write";
static const char sql_release[] = "RELEASE store_write";
static const char sql_rollback_to[] = "ROLLBACK TO store_write";

static void rollback_quiet(struct sq_conn *c)
{
	struct sd_err e;

	/* SQLite rolls back by itself after some errors (I/O, full disk). */
	if (sqlite3_get_autocommit(c->db))
		return;
	if (ctl(c, sql_rollback, 0, &e))
		SD_ERROR("sqlite rollback failed", "err=\"%s\"", e.msg);
}

int store_sq_wtx_begin(struct sq_conn *c, struct sq_wtx *w, struct sd_err *err)
{
	w->outer = sqlite3_get_autocommit(c->db);
	return ctl(c, w->outer ? sql_begin_immediate : sql_savepoint, 1, err);
}

int store_sq_wtx_end(struct sq_conn *c, struct sq_wtx *w, int rc, struct sd_err *err)
{
	struct sd_err e;

	if (rc == STORE_OK) {
		rc = ctl(c, w->outer ? sql_commit : sql_release, 1, err);
		if (rc == STORE_OK)
			return rc;
	}
	if (w->outer) {
		rollback_quiet(c);
	} else if (!sqlite3_get_autocommit(c->db)) {
		if (ctl(c, sql_rollback_to, 0, &e) || ctl(c, sql_release, 0, &e))
			SD_ERROR("sqlite savepoint rollback failed", "err=\"%s\"", e.msg);
	}
	return rc;
}

static int sq_begin(struct store_conn *sc, enum store_txn kind, struct sd_err *err)
{
	struct sq_conn *c = sq_conn(sc);

	if (!sqlite3_get_autocommit(c->db))
		return sd_err_set(err, STORE_EIO, "a transaction is already open");
	return ctl(c, kind == STORE_TXN_WRITE ? sql_begin_immediate : sql_begin_deferred, 1, err);
}

static int sq_commit(struct store_conn *sc, struct sd_err *err)
{
	struct sq_conn *c = sq_conn(sc);
	int rc;

	if (sqlite3_get_autocommit(c->db))
		return sd_err_set(err, STORE_EIO, "no transaction is open");
	/* A failed commit is a rolled-back transaction, never one left open
	 * for the caller to retry: the contract has no "still pending" state. */
	rc = ctl(c, sql_commit, 1, err);
	if (rc)
		rollback_quiet(c);
	return rc;
}

static void sq_rollback(struct store_conn *sc)
{
	rollback_quiet(sq_conn(sc));
}

/* ---- connections and the backend --------------------------------------- */

/* Opens path with the per-connection settings every connection needs. */
static int db_open(const char *path, int flags, int busy_ms, sqlite3 **out, struct sd_err *err)
{
	static const char setup[] = "PRAGMA foreign_keys = ON;"
	                            "PRAGMA synchronous = FULL;"
	                            "PRAGMA trusted_schema = OFF;";
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, busy_ms);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	rc = sqlite3_exec(db, setup, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	*out = db;
	return STORE_OK;
fail:
	sd_err_set(err, STORE_EIO, "sqlite open %s: %s", path,
	           db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	sqlite3_close(db);
	*out = NULL;
	return STORE_EIO;
}

static int sq_conn_open(struct store_backend *be, struct store_conn **out, struct sd_err *err)
{
	struct sq_backend *sb = sq_backend(be);
	struct sq_conn *c;
	sqlite3 *db;
	int rc;

	*out = NULL;
	rc = db_open(sb->path, SQLITE_OPEN_READWRITE, sb->busy_ms, &db, err);
	if (rc)
		return rc;
	c = sd_xcalloc(1, sizeof(*c));
	c->base.be = be;
	c->sb = sb;
	c->db = db;
	*out = &c->base;
	return STORE_OK;
}

static void sq_conn_close(struct store_conn *sc)
{
	struct sq_conn *c = sq_conn(sc);
	int rc;

	if (!c)
		return;
	/* Closing rolls back an open transaction. */
	for (size_t i = 0; i < SQ_STMT_SLOTS; i++)
		sqlite3_finalize(c->slots[i].st);
	rc = sqlite3_close(c->db);
	if (rc != SQLITE_OK)
		SD_ERROR("sqlite close failed", "err=\"%s\"", sqlite3_errstr(rc));
	free(c);
}

static void sq_free(struct store_backend *be)
{
	struct sq_backend *sb = sq_backend(be);

	if (!sb)
		return;
	free(sb->path);
	free(sb);
}

static void sq_set_fault_hook(struct store_backend *be, int (*hook)(void *cls), void *cls)
{
	struct sq_backend *sb = sq_backend(be);

	sb->fault_hook = hook;
	sb->fault_cls = cls;
}

static const char *sq_epoch(struct store_conn *sc)
{
	return sq_conn(sc)->sb->epoch;
}

static int sq_schema_version(struct store_conn *sc)
{
	return sq_conn(sc)->sb->schema_version;
}

static const struct store_backend sq_ops = { .version = STORE_BACKEND_VERSION,
	                                     .conn_open = sq_conn_open,
	                                     .conn_close = sq_conn_close,
	                                     .free = sq_free,
	                                     .set_fault_hook = sq_set_fault_hook,
	                                     .epoch = sq_epoch,
	                                     .schema_version = sq_schema_version,
	                                     .begin = sq_begin,
	                                     .commit = sq_commit,
	                                     .rollback = sq_rollback,
	                                     .user_create = store_sq_user_create,
	                                     .user_get = store_sq_user_get,
	                                     .user_get_by_id = store_sq_user_get_by_id,
	                                     .user_get_by_email = store_sq_user_get_by_email,
	                                     .user_set_password = store_sq_user_set_password,
	                                     .user_delete = store_sq_user_delete,
	                                     .user_foreach = store_sq_user_foreach,
	                                     .home_get = store_sq_home_get,
	                                     .coll_get = store_sq_coll_get,
	                                     .coll_get_by_id = store_sq_coll_get_by_id,
	                                     .coll_create = store_sq_coll_create,
	                                     .coll_update = store_sq_coll_update,
	                                     .coll_delete = store_sq_coll_delete,
	                                     .coll_move = store_sq_coll_move,
	                                     .coll_foreach = store_sq_coll_foreach,
	                                     .obj_get = store_sq_obj_get,
	                                     .obj_put = store_sq_obj_put,
	                                     .obj_delete = store_sq_obj_delete,
	                                     .obj_move = store_sq_obj_move,
	                                     .obj_find_uid = store_sq_obj_find_uid,
	                                     .obj_iter_new = store_sq_obj_iter_new,
	                                     .obj_iter_new_range = store_sq_obj_iter_new_range,
	                                     .obj_iter_next = store_sq_obj_iter_next,
	                                     .obj_iter_free = store_sq_obj_iter_free,
	                                     .obj_count = store_sq_obj_count,
	                                     .change_iter_new = store_sq_change_iter_new,
	                                     .change_iter_next = store_sq_change_iter_next,
	                                     .change_iter_free = store_sq_change_iter_free,
	                                     .prop_set = store_sq_prop_set,
	                                     .prop_remove = store_sq_prop_remove,
	                                     .prop_get = store_sq_prop_get,
	                                     .prop_foreach = store_sq_prop_foreach,
#define SQ_BK_ENTRY(name, params, args) .name = store_sq_##name,
	                                     STORE_BK_OPS(SQ_BK_ENTRY)
#undef SQ_BK_ENTRY
};

/* WAL is a property of the file (it persists), so it is set once, here. */
static int set_wal(sqlite3 *db, struct sd_err *err)
{
	sqlite3_stmt *st = NULL;
	const char *mode;
	int rc = STORE_OK;

	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = sd_err_set(err, STORE_EIO, "sqlite journal_mode: %s", sqlite3_errmsg(db));
		goto out;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	if (!mode || strcmp(mode, "wal") != 0)
		rc = sd_err_set(err, STORE_EIO, "sqlite: cannot switch to WAL mode (got %s)",
		                mode ? mode : "nothing");
out:
	sqlite3_finalize(st);
	return rc;
}

int store_sqlite_backend_new(struct store_backend **out, const char *path, int busy_ms,
                             struct sd_err *err)
{
	struct sq_backend *sb = NULL;
	sqlite3 *db = NULL;
	int rc;

	*out = NULL;
	if (!strcmp(path, ":memory:") || !*path)
		return sd_err_set(err, STORE_EIO, "sqlite: a database file is required");
	rc = db_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, busy_ms, &db, err);
	if (rc)
		goto out;
	sb = sd_xcalloc(1, sizeof(*sb));
	sb->base = sq_ops;
	sb->path = sd_xstrdup(path);
	sb->busy_ms = busy_ms;
	if ((rc = set_wal(db, err)) ||
	    (rc = store_sq_migrate(db, &sb->schema_version, sb->epoch, err)))
		goto out;
	*out = &sb->base;
out:
	if (rc)
		sq_free(sb ? &sb->base : NULL);
	sqlite3_close(db);
	return rc;
}
