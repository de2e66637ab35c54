/* store.h - the storage interface: users, collections, resources, dead
 * properties and the per-collection change log that sync tokens index.
 *
 * Nothing here knows HTTP, XML or iCalendar. A backend (SQLite today,
 * PostgreSQL later) implements struct store_backend (store_backend.h); the
 * functions below dispatch to it, so callers never see which one runs.
 *
 * Model
 * -----
 * - A user owns one *home*: a collection with parent_id 0 and name = the
 *   user's name. Inside a home live calendar collections and plain WebDAV
 *   collections; plain collections nest. Calendars hold resources only.
 * - A resource (struct store_obj) is a named byte string in a collection with
 *   a strong ETag that storage computes from the bytes (hex of the first 16
 *   bytes of SHA-256). Calendar resources carry their UID, component kind and
 *   the instant range [first_start, last_end) over all their instances, so
 *   time-range queries can use an index (STORE_TIME_MIN/MAX when unbounded),
 *   and may carry finer spans (one per instance, say) that the index keeps
 *   instead, so that a query's cost follows the instances near its window
 *   rather than the series whose range covers it.
 * - Every collection has a revision counter, rev. Each change of a member
 *   (created, changed, deleted) increments the collection's rev and records
 *   (member name, new rev, deleted flag) in the change log, one row per
 *   member name (a later change replaces the earlier row). Deleted members
 *   keep their row as a tombstone. A change to a collection's own properties
 *   increments its rev without a member row. Any change to a collection's
 *   rev also records a member change of that collection in its parent's log
 *   (so the home's log lists changed calendars; deleting a collection leaves
 *   a tombstone there). rev is both the getctag and the sync token.
 *
 * Connections and transactions
 * ----------------------------
 * A struct store is the database (thread-safe); a struct store_conn is one
 * connection, used by one thread at a time, taken from the store's pool with
 * store_conn_acquire() and returned with store_conn_release().
 * Every write function is atomic on its own. To make a read-check-write
 * sequence atomic (If-Match, UID conflicts), wrap it in
 * store_begin(conn, STORE_TXN_WRITE) ... store_commit(); writers are then
 * serialised and the reads see the latest committed state. store_begin(conn,
 * STORE_TXN_READ) gives a consistent snapshot for multi-statement reads.
 *
 * Errors
 * ------
 * Functions return 0 or a negative STORE_E* code and, if err is not NULL,
 * describe the failure in it. Only the codes listed at each function are
 * "expected"; STORE_EIO is always possible (disk, corruption, backend bug).
 *
 * Memory
 * ------
 * Results are copied into the arena the caller passes (valid until the arena
 * is freed) unless a function says they are borrowed from an iterator, in
 * which case they are valid until the next call on that iterator.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include "sd_arena.h"
#include "sd_err.h"

enum {
	STORE_OK = 0,
	STORE_ENOTFOUND = -1, /* no such user, collection, resource or property */
	STORE_EEXISTS = -2,   /* name already taken */
	STORE_EBUSY = -3,     /* could not get the write lock in time */
	STORE_EIO = -4,       /* anything else: I/O, corruption, backend failure */
};

#define STORE_TIME_MIN INT64_MIN
#define STORE_TIME_MAX INT64_MAX

enum store_coll_kind {
	STORE_COLL_HOME = 1,
	STORE_COLL_CALENDAR = 2,
	STORE_COLL_PLAIN = 3,
};

/* Calendar component kinds, as a bitmask (supported-calendar-component-set
 * of a calendar, and the kind of a calendar resource). */
enum store_comp {
	STORE_COMP_VEVENT = 1 << 0,
	STORE_COMP_VTODO = 1 << 1,
	STORE_COMP_VJOURNAL = 1 << 2,
	STORE_COMP_VFREEBUSY = 1 << 3,
	STORE_COMP_VAVAILABILITY = 1 << 4,
};

struct store;
struct store_conn;

struct store_user {
	int64_t id;
	const char *name;        /* login, unique, [A-Za-z0-9._@-]+ (checked by callers) */
	const char *displayname; /* may be "" */
	const char *email;       /* may be "" */
	const char *pwhash;      /* encoded argon2id hash */
	int64_t created;         /* Unix seconds */
};

struct store_coll {
	int64_t id;
	int64_t parent_id; /* 0 for a home */
	int64_t owner_id;  /* user */
	int kind;          /* enum store_coll_kind */
	const char *name;  /* path segment, decoded UTF-8, no '/' */
	/* Calendar properties; NULL when unset. */
	const char *displayname;
	const char *description;
	const char *color;    /* as the client sent it, e.g. "#FF2968FF" */
	const char *order;    /* calendar-order, decimal text */
	const char *timezone; /* calendar-timezone: a VCALENDAR text */
	unsigned components;  /* enum store_comp mask; 0 for non-calendars */
	int64_t rev;          /* getctag / sync token revision */
	int64_t created;      /* Unix seconds */
	int64_t modified;     /* Unix seconds, last change of anything in it */
};

/* An instant range [start, end) in Unix seconds. */
struct store_span {
	int64_t start, end;
};

struct store_obj {
	int64_t coll_id;
	const char *name; /* path segment, decoded UTF-8 */
	const char *etag; /* 32 hex digits, without quotes; set by storage */
	const char *content_type;
	const char *data; /* NULL when the read did not ask for data */
	size_t len;       /* always set */
	/* Calendar resources only (uid NULL otherwise). */
	const char *uid;
	unsigned comp; /* one enum store_comp bit */
	int64_t first_start, last_end;
	/* Written by store_obj_put, never read back (NULL, 0 in results):
	 * spans whose union covers every instant at which a time-range may
	 * match the resource; each may lie anywhere, overlap others or repeat.
	 * NULL (or nspans 0): the one span [first_start, last_end). Borrowed
	 * for the call; a few thousand at most (ical/ gives up to 1,000). */
	const struct store_span *spans;
	size_t nspans;
	int64_t created, modified; /* Unix seconds */
};

struct store_change {
	const char *name; /* member name, borrowed from the iterator */
	int64_t rev;
	int deleted;
};

struct store_prop {
	const char *ns;   /* namespace URI, "" for none */
	const char *name; /* local name */
	const char *xml;  /* the whole property element, serialised, self-contained */
};

/* ---- database ---------------------------------------------------------- */

/* Opens (creating if needed) the database at path, applies pending schema
 * migrations, and sets up a pool of up to pool_size connections.
 * path ":memory:" is not supported (each connection would see its own
 * database); tests use a temporary file. STORE_EIO on failure.
 * Caller closes with store_close(). */
int store_open(struct store **out, const char *path, int pool_size, struct sd_err *err);
/* All connections must have been released. NULL is accepted. */
void store_close(struct store *st);

/* A connection from the pool, waiting if all are in use. Never fails except
 * STORE_EIO. Release with store_conn_release(); an open transaction is rolled
 * back on release. */
int store_conn_acquire(struct store *st, struct store_conn **out, struct sd_err *err);
void store_conn_release(struct store_conn *c);

/* A random identifier of this database, made when it was created (hex).
 * Part of sync tokens, so tokens of another database never validate.
 * Borrowed from the store, valid until store_close(). */
const char *store_epoch(struct store_conn *c);

/* The schema version the database is at after migrations. */
int store_schema_version(struct store_conn *c);

enum store_txn { STORE_TXN_READ = 0, STORE_TXN_WRITE = 1 };
/* STORE_EBUSY if the write lock could not be had within the busy timeout. */
int store_begin(struct store_conn *c, enum store_txn kind, struct sd_err *err);
int store_commit(struct store_conn *c, struct sd_err *err);
/* Safe to call when no transaction is open. */
void store_rollback(struct store_conn *c);

/* ---- users ------------------------------------------------------------- */

/* Creates the user and its home collection. STORE_EEXISTS if the name is taken.
 * *id_out (may be NULL) receives the new id. */
int store_user_create(struct store_conn *c, const char *name, const char *displayname,
                      const char *email, const char *pwhash, int64_t *id_out, struct sd_err *err);
/* STORE_ENOTFOUND. */
int store_user_get(struct store_conn *c, const char *name, struct sd_arena *a,
                   struct store_user *out, struct sd_err *err);
int store_user_get_by_id(struct store_conn *c, int64_t id, struct sd_arena *a,
                         struct store_user *out, struct sd_err *err);
/* The user whose email is email, compared ASCII case-insensitively (a
 * calendar user address "mailto:" names them this way); the one with the
 * lowest id when several share it. An empty email matches nobody.
 * STORE_ENOTFOUND. */
int store_user_get_by_email(struct store_conn *c, const char *email, struct sd_arena *a,
                            struct store_user *out, struct sd_err *err);
/* STORE_ENOTFOUND. */
int store_user_set_password(struct store_conn *c, const char *name, const char *pwhash,
                            struct sd_err *err);
/* Deletes the user, its home and everything in it. STORE_ENOTFOUND;
 * STORE_EINUSE (store_bk.h) while the user is a staff member. A customer
 * record of the user stays, without its login and calendar. */
int store_user_delete(struct store_conn *c, const char *name, struct sd_err *err);
/* Calls fn for each user in name order; stops early and returns fn's value
 * if it returns non-zero. The user is borrowed for the duration of the call. */
int store_user_foreach(struct store_conn *c, int (*fn)(void *cls, const struct store_user *u),
                       void *cls, struct sd_err *err);

/* ---- collections ------------------------------------------------------- */

/* The home of a user (the collection with parent 0 named after the user).
 * STORE_ENOTFOUND. */
int store_home_get(struct store_conn *c, int64_t owner_id, struct sd_arena *a,
                   struct store_coll *out, struct sd_err *err);
/* The child collection of parent_id named name. STORE_ENOTFOUND. */
int store_coll_get(struct store_conn *c, int64_t parent_id, const char *name, struct sd_arena *a,
                   struct store_coll *out, struct sd_err *err);
int store_coll_get_by_id(struct store_conn *c, int64_t id, struct sd_arena *a,
                         struct store_coll *out, struct sd_err *err);

/* Creates a collection from in (parent_id, owner_id, kind, name and the
 * calendar properties; id, rev and times are ignored). STORE_EEXISTS if the
 * parent already has a collection or a resource of that name; STORE_ENOTFOUND
 * if the parent does not exist. *id_out may be NULL. */
int store_coll_create(struct store_conn *c, const struct store_coll *in, int64_t *id_out,
                      struct sd_err *err);
/* Writes the calendar properties of in (displayname, description, color,
 * order, timezone, components) to collection in->id; NULL clears one.
 * Increments the collection's rev. STORE_ENOTFOUND. */
int store_coll_update(struct store_conn *c, const struct store_coll *in, struct sd_err *err);
/* Deletes the collection, its members (recursively), their properties and
 * its change log; leaves a tombstone in the parent's log. STORE_ENOTFOUND. */
int store_coll_delete(struct store_conn *c, int64_t id, struct sd_err *err);
/* Moves/renames collection id to (new_parent_id, new_name), keeping its id,
 * members and properties. Tombstone in the old parent, change in the new.
 * STORE_EEXISTS if the target name is taken, STORE_ENOTFOUND (also when id
 * is a home, or new_parent_id is id or inside it: a collection cannot move
 * into itself; callers that want 403 there check first). */
int store_coll_move(struct store_conn *c, int64_t id, int64_t new_parent_id, const char *new_name,
                    struct sd_err *err);
/* Calls fn for each child collection of parent_id in name order; the
 * collection is borrowed for the call. Stops when fn returns non-zero and
 * returns that value. */
int store_coll_foreach(struct store_conn *c, int64_t parent_id,
                       int (*fn)(void *cls, const struct store_coll *coll), void *cls,
                       struct sd_err *err);

/* ---- resources --------------------------------------------------------- */

/* The resource name in coll_id. with_data: also read the bytes.
 * STORE_ENOTFOUND. */
int store_obj_get(struct store_conn *c, int64_t coll_id, const char *name, int with_data,
                  struct sd_arena *a, struct store_obj *out, struct sd_err *err);
/* Creates or replaces the resource (in->coll_id, in->name) with in->data,
 * in->len, in->content_type and the calendar fields; computes the ETag.
 * Records the change. etag_out (may be NULL) receives the new ETag in a.
 * *created_out (may be NULL) is 1 if it did not exist before.
 * STORE_EEXISTS if a collection of that name exists; STORE_ENOTFOUND if the
 * collection does not. Dead properties of a replaced resource are kept. */
int store_obj_put(struct store_conn *c, const struct store_obj *in, struct sd_arena *a,
                  const char **etag_out, int *created_out, struct sd_err *err);
/* Deletes the resource and its dead properties; records a tombstone.
 * STORE_ENOTFOUND. */
int store_obj_delete(struct store_conn *c, int64_t coll_id, const char *name, struct sd_err *err);
/* Moves the resource with its dead properties to (dst_coll_id, dst_name):
 * tombstone at the source, change at the destination. The destination must
 * not exist (callers delete it first when overwriting): STORE_EEXISTS.
 * STORE_ENOTFOUND if the source does not exist. */
int store_obj_move(struct store_conn *c, int64_t src_coll_id, const char *src_name,
                   int64_t dst_coll_id, const char *dst_name, struct sd_err *err);
/* The name of the calendar resource in coll_id whose UID is uid, other than
 * except_name (may be NULL). STORE_ENOTFOUND. */
int store_obj_find_uid(struct store_conn *c, int64_t coll_id, const char *uid,
                       const char *except_name, struct sd_arena *a, const char **name_out,
                       struct sd_err *err);

/* Iterates over the resources of a collection in name order, or, with a
 * time range [start, end) (Unix seconds; comp_mask 0 = any kind), over the
 * calendar resources that may overlap it, using an index: each resource
 * with a span (without spans: [first_start, last_end)) that has
 * span.start < end and span.end > start, once. A window that is open on a
 * side or longer than 400 days is answered from [first_start, last_end)
 * instead (a resource has one of those against up to a thousand spans),
 * and may then also return resources whose range meets it but no span
 * does. The order is fixed for given data and window (by name when the
 * spans answer). Most of the cost follows the spans near the window, not
 * the size of the collection.
 * Results are borrowed from the iterator until the next
 * call. Streaming responses keep an iterator open across output chunks.
 * store_obj_iter_next returns 1 with *out filled, 0 at the end, or a
 * negative STORE_E* code. Free with store_obj_iter_free (NULL accepted),
 * before the connection is released. */
struct store_obj_iter;
int store_obj_iter_new(struct store_conn *c, int64_t coll_id, int with_data,
                       struct store_obj_iter **out, struct sd_err *err);
int store_obj_iter_new_range(struct store_conn *c, int64_t coll_id, unsigned comp_mask,
                             int64_t start, int64_t end, int with_data, struct store_obj_iter **out,
                             struct sd_err *err);
int store_obj_iter_next(struct store_obj_iter *it, struct store_obj *out, struct sd_err *err);
void store_obj_iter_free(struct store_obj_iter *it);

/* Number of resources in a collection. */
int store_obj_count(struct store_conn *c, int64_t coll_id, int64_t *count_out, struct sd_err *err);

/* ---- change log -------------------------------------------------------- */

/* Iterates over the members of coll_id changed after revision since, in
 * increasing rev order (one entry per member name: its latest change).
 * since 0 lists every live member that ever changed and no tombstones.
 * Results borrowed from the iterator. Returns 1/0/negative like
 * store_obj_iter_next. */
struct store_change_iter;
int store_change_iter_new(struct store_conn *c, int64_t coll_id, int64_t since,
                          struct store_change_iter **out, struct sd_err *err);
int store_change_iter_next(struct store_change_iter *it, struct store_change *out,
                           struct sd_err *err);
void store_change_iter_free(struct store_change_iter *it);

/* ---- dead properties --------------------------------------------------- */
/* A property belongs to a collection (obj_name NULL) or to one of its
 * resources (obj_name set). Setting a property on a collection increments
 * its rev; on a resource it records a change of that resource (its ETag does
 * not change: properties are not part of the representation). */

/* Creates or replaces. STORE_ENOTFOUND if the owner does not exist. */
int store_prop_set(struct store_conn *c, int64_t coll_id, const char *obj_name,
                   const struct store_prop *p, struct sd_err *err);
/* STORE_ENOTFOUND if there was no such property (callers treat removing an
 * absent property as success, as RFC 4918 requires). */
int store_prop_remove(struct store_conn *c, int64_t coll_id, const char *obj_name, const char *ns,
                      const char *name, struct sd_err *err);
/* STORE_ENOTFOUND. */
int store_prop_get(struct store_conn *c, int64_t coll_id, const char *obj_name, const char *ns,
                   const char *name, struct sd_arena *a, struct store_prop *out,
                   struct sd_err *err);
/* Calls fn for each property of the owner in (ns, name) order; borrowed for
 * the call; stops when fn returns non-zero and returns that value. */
int store_prop_foreach(struct store_conn *c, int64_t coll_id, const char *obj_name,
                       int (*fn)(void *cls, const struct store_prop *p), void *cls,
                       struct sd_err *err);

#endif
