/* store_backend.h - the interface a storage backend implements.
 *
 * Modelled on libgit2's include/git2/sys/odb_backend.h: a versioned struct of
 * exactly typed function pointers, one per operation of store.h and of
 * store_bk.h, which the dispatch layer (store.c) calls; the store_bk.h
 * entries are generated from STORE_BK_OPS, so they cannot drift from that
 * header. There are no void * parameters and no casts of function
 * pointers; a backend extends the base structs below by embedding them as
 * its *first* member
 *
 *	struct my_backend { struct store_backend base; ...private... };
 *	struct my_conn    { struct store_conn base; ...private... };
 *
 * and converts the base pointer it is handed back to its own struct (the
 * offset is 0, so the conversion is exact).
 *
 * Each operation has the contract of the store.h function of the same name
 * (codes, arena copies, borrowed results); the dispatch layer adds nothing
 * but the connection pool and the open-iterator bookkeeping.
 *
 * Who frees what
 * --------------
 * - The backend object: created by its constructor (store_sqlite_backend_new),
 *   owned by the store after store_open_backend(), freed by the store with
 *   be->free(be) after every connection has been closed.
 * - Connections: allocated by conn_open, freed by conn_close. The pool
 *   (store.c) decides when; backends never close a connection on their own.
 * - Iterators: allocated by *_iter_new, freed by the matching *_iter_free.
 *   They must be freed before their connection is released. What *_iter_next
 *   returns is borrowed from the iterator until its next call.
 * - Results with an arena: copied into that arena; nobody frees them
 *   individually. Results handed to foreach callbacks are borrowed for the
 *   call only.
 * - Inputs (names, struct store_obj data, ...) are borrowed for the call.
 *
 * Threads
 * -------
 * The struct store_backend is shared by every connection and thread: after
 * its constructor returns it must be immutable or internally locked. A
 * connection and its iterators are used by one thread at a time.
 */
#ifndef STORE_BACKEND_H
#define STORE_BACKEND_H

#include "store.h"
#include "store_bk.h"

/* 2: the booking operations of store_bk.h; 3: user_get_by_email. */
#define STORE_BACKEND_VERSION 3

struct store_backend;

/* One connection. The backend's conn_open fills be; the other fields belong
 * to the dispatch layer (store.c) and backends leave them alone. */
struct store_conn {
	struct store_backend *be;
	struct store *st;             /* the pool this connection belongs to */
	struct store_conn *next_idle; /* idle list link, while pooled */
	int iters;                    /* open iterators, must be 0 at release */
};

/* Iterator bases. The backend that made the iterator sets be; store.c sets
 * conn (the connection it counts the iterator against). */
struct store_obj_iter {
	struct store_backend *be;
	struct store_conn *conn;
};

struct store_change_iter {
	struct store_backend *be;
	struct store_conn *conn;
};

struct store_backend {
	unsigned version; /* STORE_BACKEND_VERSION */

	/* ---- lifecycle ---- */
	/* A new connection in *out (its be set). STORE_EIO. */
	int (*conn_open)(struct store_backend *be, struct store_conn **out, struct sd_err *err);
	/* Frees c, rolling back anything still open. */
	void (*conn_close)(struct store_conn *c);
	/* Frees the backend; all its connections are closed. */
	void (*free)(struct store_backend *be);
	/* Optional (NULL if unsupported): from now on, call hook(cls) before
	 * each internal step of a write or read (each SQL statement, commit and
	 * savepoint release); when it returns non-zero, treat the step as
	 * failed with an I/O error. Rollbacks are never hooked. Used by the
	 * fault backend (store_fault.h) to fail operations half-way. hook NULL
	 * removes it. Not called while other threads use the backend. */
	void (*set_fault_hook)(struct store_backend *be, int (*hook)(void *cls), void *cls);

	/* ---- database ---- */
	/* Borrowed from the backend, valid until free. */
	const char *(*epoch)(struct store_conn *c);
	int (*schema_version)(struct store_conn *c);
	int (*begin)(struct store_conn *c, enum store_txn kind, struct sd_err *err);
	int (*commit)(struct store_conn *c, struct sd_err *err);
	void (*rollback)(struct store_conn *c);

	/* ---- users ---- */
	int (*user_create)(struct store_conn *c, const char *name, const char *displayname,
	                   const char *email, const char *pwhash, int64_t *id_out,
	                   struct sd_err *err);
	int (*user_get)(struct store_conn *c, const char *name, struct sd_arena *a,
	                struct store_user *out, struct sd_err *err);
	int (*user_get_by_id)(struct store_conn *c, int64_t id, struct sd_arena *a,
	                      struct store_user *out, struct sd_err *err);
	int (*user_get_by_email)(struct store_conn *c, const char *email, struct sd_arena *a,
	                         struct store_user *out, struct sd_err *err);
	int (*user_set_password)(struct store_conn *c, const char *name, const char *pwhash,
	                         struct sd_err *err);
	int (*user_delete)(struct store_conn *c, const char *name, struct sd_err *err);
	int (*user_foreach)(struct store_conn *c, int (*fn)(void *cls, const struct store_user *u),
	                    void *cls, struct sd_err *err);

	/* ---- collections ---- */
	int (*home_get)(struct store_conn *c, int64_t owner_id, struct sd_arena *a,
	                struct store_coll *out, struct sd_err *err);
	int (*coll_get)(struct store_conn *c, int64_t parent_id, const char *name,
	                struct sd_arena *a, struct store_coll *out, struct sd_err *err);
	int (*coll_get_by_id)(struct store_conn *c, int64_t id, struct sd_arena *a,
	                      struct store_coll *out, struct sd_err *err);
	int (*coll_create)(struct store_conn *c, const struct store_coll *in, int64_t *id_out,
	                   struct sd_err *err);
	int (*coll_update)(struct store_conn *c, const struct store_coll *in, struct sd_err *err);
	int (*coll_delete)(struct store_conn *c, int64_t id, struct sd_err *err);
	int (*coll_move)(struct store_conn *c, int64_t id, int64_t new_parent_id,
	                 const char *new_name, struct sd_err *err);
	int (*coll_foreach)(struct store_conn *c, int64_t parent_id,
	                    int (*fn)(void *cls, const struct store_coll *coll), void *cls,
	                    struct sd_err *err);

	/* ---- resources ---- */
	int (*obj_get)(struct store_conn *c, int64_t coll_id, const char *name, int with_data,
	               struct sd_arena *a, struct store_obj *out, struct sd_err *err);
	int (*obj_put)(struct store_conn *c, const struct store_obj *in, struct sd_arena *a,
	               const char **etag_out, int *created_out, struct sd_err *err);
	int (*obj_delete)(struct store_conn *c, int64_t coll_id, const char *name,
	                  struct sd_err *err);
	int (*obj_move)(struct store_conn *c, int64_t src_coll_id, const char *src_name,
	                int64_t dst_coll_id, const char *dst_name, struct sd_err *err);
	int (*obj_find_uid)(struct store_conn *c, int64_t coll_id, const char *uid,
	                    const char *except_name, struct sd_arena *a, const char **name_out,
	                    struct sd_err *err);
	int (*obj_iter_new)(struct store_conn *c, int64_t coll_id, int with_data,
	                    struct store_obj_iter **out, struct sd_err *err);
	int (*obj_iter_new_range)(struct store_conn *c, int64_t coll_id, unsigned comp_mask,
	                          int64_t start, int64_t end, int with_data,
	                          struct store_obj_iter **out, struct sd_err *err);
	int (*obj_iter_next)(struct store_obj_iter *it, struct store_obj *out, struct sd_err *err);
	void (*obj_iter_free)(struct store_obj_iter *it);
	int (*obj_count)(struct store_conn *c, int64_t coll_id, int64_t *count_out,
	                 struct sd_err *err);

	/* ---- change log ---- */
	int (*change_iter_new)(struct store_conn *c, int64_t coll_id, int64_t since,
	                       struct store_change_iter **out, struct sd_err *err);
	int (*change_iter_next)(struct store_change_iter *it, struct store_change *out,
	                        struct sd_err *err);
	void (*change_iter_free)(struct store_change_iter *it);

	/* ---- dead properties ---- */
	int (*prop_set)(struct store_conn *c, int64_t coll_id, const char *obj_name,
	                const struct store_prop *p, struct sd_err *err);
	int (*prop_remove)(struct store_conn *c, int64_t coll_id, const char *obj_name,
	                   const char *ns, const char *name, struct sd_err *err);
	int (*prop_get)(struct store_conn *c, int64_t coll_id, const char *obj_name, const char *ns,
	                const char *name, struct sd_arena *a, struct store_prop *out,
	                struct sd_err *err);
	int (*prop_foreach)(struct store_conn *c, int64_t coll_id, const char *obj_name,
	                    int (*fn)(void *cls, const struct store_prop *p), void *cls,
	                    struct sd_err *err);

	/* ---- the booking side (store_bk.h): one entry per STORE_BK_OPS ---- */
#define STORE_BK_FIELD(name, params, args) \
	int (*name)(struct store_conn * c, STORE_BK_UNPAREN params);
	STORE_BK_OPS(STORE_BK_FIELD)
#undef STORE_BK_FIELD
};

/* Opens a store over be with a pool of up to pool_size (>= 1) connections.
 * The store owns be from this call on, also when it fails (be is freed then).
 * STORE_EIO (wrong backend version, bad pool size). Close with store_close(). */
int store_open_backend(struct store **out, struct store_backend *be, int pool_size,
                       struct sd_err *err);

/* The SQLite backend: opens (creating if needed) the database file at path,
 * switches it to WAL and applies pending migrations. busy_ms is how long a
 * writer waits for the write lock before STORE_EBUSY. STORE_EIO. The caller
 * hands *out to store_open_backend() or frees it with (*out)->free(*out). */
int store_sqlite_backend_new(struct store_backend **out, const char *path, int busy_ms,
                             struct sd_err *err);

/* The busy timeout store_open() uses. */
#define STORE_SQLITE_BUSY_MS 5000

#endif
