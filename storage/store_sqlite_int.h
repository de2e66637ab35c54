/* store_sqlite_int.h - declarations shared by the files of the SQLite backend.
 *
 *	store_sqlite.c         backend and connections, statement cache, binds,
 *	                       steps, error mapping, transactions
 *	store_sqlite_schema.c  migrations and the database epoch
 *	store_sqlite_user.c    users
 *	store_sqlite_coll.c    collections
 *	store_sqlite_obj.c     resources and their iterators
 *	store_sqlite_change.c  the change log: recording and iterating
 *	store_sqlite_prop.c    dead properties
 *	store_sqlite_bk_org.c  booking side: locations, staff, working hours,
 *	                       exceptions; the helpers the bk files share
 *	store_sqlite_bk_svc.c  booking side: services and customers
 *	store_sqlite_bk_booking.c  booking side: bookings, reschedule
 *	                       requests, the activity log, feed tokens
 *	store_sqlite_bk_notify.c   booking side: the notification queue
 *	store_sqlite_bk_extcal.c   booking side: external busy calendars
 *
 * Statements. Every SQL text is a static array next to the function that
 * runs it, with named parameters (:coll, :name). Its address is the key of
 * the connection's statement cache: sq_get() prepares it on first use and
 * hands it out; sq_put() resets it and clears its bindings. A cached
 * statement is marked busy while handed out, so a nested user of the same
 * text (a foreach callback walking a tree, a second iterator) gets a
 * private, transient statement instead of resetting one in use. Iterators
 * hold their statement until they are freed.
 *
 * Atomic writes. A write that runs more than one statement brackets them
 * with sq_wtx_begin()/sq_wtx_end(): a savepoint inside the caller's
 * transaction, or its own BEGIN IMMEDIATE ... COMMIT otherwise.
 */
#ifndef STORE_SQLITE_INT_H
#define STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store.h"
#include "store_backend.h"
#include "store_bk.h"

#define SQ_SCHEMA_VERSION 7
#define SQ_EPOCH_HEX      32
#define SQ_STMT_SLOTS     256 /* > the number of SQL texts; a full cache still works */

/* Length classes of the spans table (schema v2, see store_sqlite_schema.c):
 * a span of class k < SQ_SPAN_CLASSES - 1 lasts at most SQ_SPAN_LEN<k>
 * seconds, the last class any longer (unbounded ones too). The bounds are
 * part of the stored data: migration 2 classifies with them, so changing
 * one takes a new migration that reclassifies every row. */
#define SQ_SPAN_LEN0    86400    /* a day: timed events */
#define SQ_SPAN_LEN1    259200   /* 3 days: all-day and floating ones (+-14 h) */
#define SQ_SPAN_LEN2    3024000  /* 35 days */
#define SQ_SPAN_LEN3    34560000 /* 400 days */
#define SQ_SPAN_CLASSES 5
/* Windows up to this long are answered from spans, longer ones (and open
 * ones) from the objects' ranges. */
#define SQ_SPAN_WINDOW_MAX SQ_SPAN_LEN3

struct sq_backend {
	struct store_backend base;
	char *path;
	int busy_ms;
	int schema_version;
	char epoch[SQ_EPOCH_HEX + 1];
	int (*fault_hook)(void *cls);
	void *fault_cls;
};

struct sq_stmt {
	const char *sql; /* cache key: the address of a static SQL text */
	sqlite3_stmt *st;
	int busy;      /* handed out by sq_get, not yet put back */
	int transient; /* not in the cache: finalized and freed by sq_put */
	int bind_rc;   /* first failed bind since sq_get, reported by sq_step */
};

struct sq_conn {
	struct store_conn base;
	struct sq_backend *sb;
	sqlite3 *db;
	/* The extended SQLite code of the last step's failure: SQLITE_OK if
	 * it succeeded or failed before SQLite ran it (a bind, an injected
	 * fault). Lets a caller tell a broken foreign key from other errors. */
	int last_rc;
	struct sq_stmt slots[SQ_STMT_SLOTS]; /* open addressing on the SQL address */
};

/* The private structs embed their bases first, so these are exact. */
static inline struct sq_conn *sq_conn(struct store_conn *c)
{
	return (struct sq_conn *)c;
}

static inline struct sq_backend *sq_backend(struct store_backend *be)
{
	return (struct sq_backend *)be;
}

/* ---- statements (store_sqlite.c) ---- */

/* *out: the statement for the static text sql, ready to bind. STORE_EIO
 * (*out NULL) if it cannot be prepared. Give it back with store_sq_put(). */
int store_sq_get(struct sq_conn *c, struct sq_stmt **out, const char *sql, struct sd_err *err);
/* Resets it (or finalizes a transient one). NULL is accepted. */
void store_sq_put(struct sq_conn *c, struct sq_stmt *s);

/* Bind to the named parameter. Text and blobs are not copied: they must stay
 * valid until the statement is reset. A NULL string binds SQL NULL. A failure
 * (unknown name, too big) is kept in s and reported by the next step. */
void store_sq_bind_i64(struct sq_stmt *s, const char *param, int64_t v);
void store_sq_bind_text(struct sq_stmt *s, const char *param, const char *v);
void store_sq_bind_blob(struct sq_stmt *s, const char *param, const void *p, size_t n);
/* Binds NULL when id is 0: "no collection" (a home's parent). */
void store_sq_bind_id(struct sq_stmt *s, const char *param, int64_t id);

/* Steps once: 1 with a row, 0 when done, or a negative STORE_E* code with
 * err set (the fault hook counts here). */
int store_sq_step(struct sq_conn *c, struct sq_stmt *s, struct sd_err *err);
/* Steps a statement that returns no rows to completion: 0 or STORE_E*. */
int store_sq_exec(struct sq_conn *c, struct sq_stmt *s, struct sd_err *err);

/* Maps the connection's last SQLite error to a STORE_E* code and describes
 * it, prefixed by what, in err. */
int store_sq_error(struct sq_conn *c, int sqlite_rc, const char *what, struct sd_err *err);

/* Column i as text: NULL for SQL NULL; copied into a, or borrowed from the
 * statement (valid until its next step or reset) when a is NULL. */
const char *store_sq_col_text(struct sqlite3_stmt *st, int i, struct sd_arena *a);
/* Column i as an id: 0 for SQL NULL. */
int64_t store_sq_col_id(struct sqlite3_stmt *st, int i);

/* ---- atomic writes (store_sqlite.c) ---- */

struct sq_wtx {
	int outer; /* 1: we ran BEGIN IMMEDIATE; 0: a savepoint in the caller's txn */
};

/* Opens the atomic bracket of one write operation. STORE_EBUSY, STORE_EIO. */
int store_sq_wtx_begin(struct sq_conn *c, struct sq_wtx *w, struct sd_err *err);
/* Closes it: commits (releases) when rc is 0, undoes everything since
 * store_sq_wtx_begin otherwise. Returns rc, or the commit's error. */
int store_sq_wtx_end(struct sq_conn *c, struct sq_wtx *w, int rc, struct sd_err *err);

/* ---- schema (store_sqlite_schema.c) ---- */

/* Brings the database to SQ_SCHEMA_VERSION in one transaction, creating the
 * epoch if it has none. STORE_EIO (also for a database newer than this
 * code), STORE_EBUSY. */
int store_sq_migrate(sqlite3 *db, int *version_out, char epoch_out[SQ_EPOCH_HEX + 1],
                     struct sd_err *err);
/* The SQL of migration step v -> v + 1 (tests build old databases with
 * it); NULL when there is no such step. */
const char *store_sq_migration(int v);

/* ---- change log (store_sqlite_change.c) ---- */

/* Records a change in collection coll_id: increments its rev and, when
 * member is not NULL, logs (member, rev, deleted); then records the change
 * of coll_id itself in its parent's log, up to the home. Run inside a
 * store_sq_wtx bracket. STORE_ENOTFOUND if coll_id does not exist. */
int store_sq_change_record(struct sq_conn *c, int64_t coll_id, const char *member, int deleted,
                           struct sd_err *err);

/* ---- shared checks (store_sqlite_coll.c) ---- */

/* What a name is in a collection: whether coll_id exists, and whether name
 * is taken in it by a child collection or by a resource (each 0 or 1). */
struct sq_name {
	int coll_exists;
	int is_coll;
	int is_obj;
};
int store_sq_name_check(struct sq_conn *c, int64_t coll_id, const char *name, struct sq_name *out,
                        struct sd_err *err);

/* ---- operations (one file each group) ---- */

int store_sq_user_create(struct store_conn *c, const char *name, const char *displayname,
                         const char *email, const char *pwhash, int64_t *id_out,
                         struct sd_err *err);
int store_sq_user_get(struct store_conn *c, const char *name, struct sd_arena *a,
                      struct store_user *out, struct sd_err *err);
int store_sq_user_get_by_id(struct store_conn *c, int64_t id, struct sd_arena *a,
                            struct store_user *out, struct sd_err *err);
int store_sq_user_get_by_email(struct store_conn *c, const char *email, struct sd_arena *a,
                               struct store_user *out, struct sd_err *err);
int store_sq_user_set_password(struct store_conn *c, const char *name, const char *pwhash,
                               struct sd_err *err);
int store_sq_user_delete(struct store_conn *c, const char *name, struct sd_err *err);
int store_sq_user_foreach(struct store_conn *c, int (*fn)(void *cls, const struct store_user *u),
                          void *cls, struct sd_err *err);

int store_sq_home_get(struct store_conn *c, int64_t owner_id, struct sd_arena *a,
                      struct store_coll *out, struct sd_err *err);
int store_sq_coll_get(struct store_conn *c, int64_t parent_id, const char *name, struct sd_arena *a,
                      struct store_coll *out, struct sd_err *err);
int store_sq_coll_get_by_id(struct store_conn *c, int64_t id, struct sd_arena *a,
                            struct store_coll *out, struct sd_err *err);
int store_sq_coll_create(struct store_conn *c, const struct store_coll *in, int64_t *id_out,
                         struct sd_err *err);
int store_sq_coll_update(struct store_conn *c, const struct store_coll *in, struct sd_err *err);
int store_sq_coll_delete(struct store_conn *c, int64_t id, struct sd_err *err);
int store_sq_coll_move(struct store_conn *c, int64_t id, int64_t new_parent_id,
                       const char *new_name, struct sd_err *err);
int store_sq_coll_foreach(struct store_conn *c, int64_t parent_id,
                          int (*fn)(void *cls, const struct store_coll *coll), void *cls,
                          struct sd_err *err);
/* Deletes collection id and its subtree, tombstone in its parent (shared by
 * store_sq_coll_delete and store_sq_user_delete; runs inside a bracket). */
int store_sq_coll_delete_tree(struct sq_conn *c, int64_t id, struct sd_err *err);

int store_sq_obj_get(struct store_conn *c, int64_t coll_id, const char *name, int with_data,
                     struct sd_arena *a, struct store_obj *out, struct sd_err *err);
int store_sq_obj_put(struct store_conn *c, const struct store_obj *in, struct sd_arena *a,
                     const char **etag_out, int *created_out, struct sd_err *err);
int store_sq_obj_delete(struct store_conn *c, int64_t coll_id, const char *name,
                        struct sd_err *err);
int store_sq_obj_move(struct store_conn *c, int64_t src_coll_id, const char *src_name,
                      int64_t dst_coll_id, const char *dst_name, struct sd_err *err);
int store_sq_obj_find_uid(struct store_conn *c, int64_t coll_id, const char *uid,
                          const char *except_name, struct sd_arena *a, const char **name_out,
                          struct sd_err *err);
int store_sq_obj_iter_new(struct store_conn *c, int64_t coll_id, int with_data,
                          struct store_obj_iter **out, struct sd_err *err);
int store_sq_obj_iter_new_range(struct store_conn *c, int64_t coll_id, unsigned comp_mask,
                                int64_t start, int64_t end, int with_data,
                                struct store_obj_iter **out, struct sd_err *err);
int store_sq_obj_iter_next(struct store_obj_iter *it, struct store_obj *out, struct sd_err *err);
void store_sq_obj_iter_free(struct store_obj_iter *it);
int store_sq_obj_count(struct store_conn *c, int64_t coll_id, int64_t *count_out,
                       struct sd_err *err);

int store_sq_change_iter_new(struct store_conn *c, int64_t coll_id, int64_t since,
                             struct store_change_iter **out, struct sd_err *err);
int store_sq_change_iter_next(struct store_change_iter *it, struct store_change *out,
                              struct sd_err *err);
void store_sq_change_iter_free(struct store_change_iter *it);

int store_sq_prop_set(struct store_conn *c, int64_t coll_id, const char *obj_name,
                      const struct store_prop *p, struct sd_err *err);
int store_sq_prop_remove(struct store_conn *c, int64_t coll_id, const char *obj_name,
                         const char *ns, const char *name, struct sd_err *err);
int store_sq_prop_get(struct store_conn *c, int64_t coll_id, const char *obj_name, const char *ns,
                      const char *name, struct sd_arena *a, struct store_prop *out,
                      struct sd_err *err);
int store_sq_prop_foreach(struct store_conn *c, int64_t coll_id, const char *obj_name,
                          int (*fn)(void *cls, const struct store_prop *p), void *cls,
                          struct sd_err *err);

/* ---- the booking side (store_sqlite_bk_*.c) ---- */

/* One store_sq_<name> per STORE_BK_OPS entry, with the contract of
 * store_<name> in store_bk.h. */
#define SQ_BK_DECLARE(name, params, args) \
	int store_sq_##name(struct store_conn *c, STORE_BK_UNPAREN params);
STORE_BK_OPS(SQ_BK_DECLARE)
#undef SQ_BK_DECLARE

/* Helpers shared by the bk files (store_sqlite_bk_org.c). */

/* A growing array of elements of size bytes, malloc'd while it fills. */
struct sq_vec {
	char *p;
	size_t n, cap, size;
};
/* A new zeroed element at the end. */
void *store_sq_vec_push(struct sq_vec *v);
/* Copies the elements into a and frees v's buffer; returns the copy and
 * its length in *n (NULL and 0 when there are none, or when a is NULL,
 * which failure paths pass to just free). */
void *store_sq_vec_finish(struct sq_vec *v, struct sd_arena *a, size_t *n);

/* Maps rc of a failed insert or update: a broken foreign key (a referenced
 * row that does not exist) becomes STORE_ENOTFOUND "<what> does not exist",
 * a UNIQUE violation STORE_EEXISTS with dup as the message (when not
 * NULL); anything else stays. */
int store_sq_bk_write_rc(struct sq_conn *c, int rc, const char *what, const char *dup,
                         struct sd_err *err);
/* Runs a bound single-row write (s is put back) and requires it to touch a
 * row: STORE_ENOTFOUND "no <what> <id>" when it changed none. */
int store_sq_bk_exec_one(struct sq_conn *c, struct sq_stmt *s, const char *what, int64_t id,
                         struct sd_err *err);
/* Runs a bound INSERT to completion (s is put back) and maps its failure
 * with store_sq_bk_write_rc; *id_out (may be NULL) gets the new rowid. An
 * INSERT ... SELECT that inserted nothing is STORE_ENOTFOUND (what). */
int store_sq_bk_insert(struct sq_conn *c, struct sq_stmt *s, int64_t *id_out, const char *what,
                       const char *dup, struct sd_err *err);
/* Checks that row id exists and nothing refers to it, then deletes it, in
 * one bracket. check_sql binds :id and returns one row: whether the row
 * exists, then one flag per kind of reference, named by refs[] (NULL ends
 * it); del_sql binds :id. STORE_ENOTFOUND, STORE_EINUSE. */
int store_sq_bk_delete(struct sq_conn *c, const char *check_sql, const char *del_sql, int64_t id,
                       const char *what, const char *const refs[], struct sd_err *err);
/* A string for a NOT NULL text column: NULL is stored as "". */
static inline const char *sq_nz(const char *s)
{
	return s ? s : "";
}
/* Column i, a comma-separated id list (group_concat), as a sorted array in
 * a; *n 0 and NULL for SQL NULL. */
const int64_t *store_sq_col_ids(sqlite3_stmt *st, int i, struct sd_arena *a, size_t *n);
/* Replaces the set of ids linked to owner in a link table: runs del_sql
 * (binding :owner; NULL for a new owner, which has no links yet) then
 * ins_sql (binding :owner and :id) for each id. Run inside a bracket. A
 * missing id is STORE_ENOTFOUND naming what. */
int store_sq_bk_link_set(struct sq_conn *c, const char *del_sql, const char *ins_sql, int64_t owner,
                         const int64_t *ids, size_t n, const char *what, struct sd_err *err);

/* SQL whose plan matters at scale, exported so a test can check with
 * EXPLAIN QUERY PLAN that it searches an index instead of scanning. */
extern const char store_sq_sql_obj_range[];
extern const char store_sq_sql_obj_range_data[];
extern const char store_sq_sql_obj_spans[];
extern const char store_sq_sql_obj_spans_data[];
extern const char store_sq_sql_obj_find_uid[];
/* booking_list, driven by the index of its most selective filter. */
extern const char store_sq_sql_booking_list_staff[];
extern const char store_sq_sql_booking_list_customer[];
extern const char store_sq_sql_booking_list_location[];
extern const char store_sq_sql_booking_list_service[];
extern const char store_sq_sql_booking_list_time[];

#endif
