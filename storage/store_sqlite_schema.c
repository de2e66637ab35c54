/* store_sqlite_schema.c - the SQLite schema, its migrations, the epoch.
 *
 * The schema version is PRAGMA user_version (0 for a new, empty file).
 * migrations[i] takes the database from version i to i + 1; store_sq_migrate
 * applies the pending ones in order, in one BEGIN IMMEDIATE transaction with
 * the version bump, so a crash or a concurrent opener never sees a half
 * migrated file. A database whose version is past the last step was written
 * by a newer slotdav and is refused rather than misread. Steps are append
 * only: a released step is never edited, a change is a new step.
 *
 * Tables (v1)
 *   meta         key/value; "epoch": 32 hex digits of RAND_bytes, made once.
 *   users        login name unique.
 *   collections  tree: parent_id NULL for a home (the API says 0). Children
 *                cascade on delete, so deleting a collection deletes its
 *                subtree, objects, properties and change rows in one
 *                statement. (parent_id, name) is unique, and so is name
 *                among homes (NULLs are distinct in UNIQUE, hence the
 *                partial index).
 *   objects      resources; the body is the last column, so reading the
 *                metadata of a row never touches the body's overflow pages.
 *                objects_uid serves UID lookups (with name, so "the first
 *                match by name" is read off the index, not a sorted scan of
 *                the collection); objects_range serves time
 *                ranges: coll_id = ? AND last_end > :start is the index
 *                range (clients mostly ask about now and later, and most
 *                events are in the past, so last_end is the selective bound),
 *                first_start < :end and the comp mask are checked on the
 *                index entry without reading the row. (Since v2 it serves
 *                open and long windows only; spans serve the others.)
 *   changes      one row per (collection, member name): its latest rev and
 *                whether it is a tombstone; changes_rev makes "since rev"
 *                a range scan.
 *   props        dead properties; obj_name '' for the collection itself.
 *
 * Tables (v2)
 *   spans        the instance index: rows [begins, ends) of a calendar
 *                resource whose union covers every instant a time-range
 *                may match it at (one per instance of a bounded series, one
 *                [first_start, last_end) otherwise; see store_obj.spans).
 *                They belong to their object by a foreign key that cascades
 *                on delete and on update, so deleting or moving the object
 *                (or deleting its collection or user) takes them along in
 *                the same statement; a PUT replaces them in its bracket.
 *                Each row has a length class (SQ_SPAN_LEN<k> in
 *                store_sqlite_int.h), and spans_range orders them by
 *                (coll_id, class, begins): a row of class k that meets
 *                [S, E) begins in [S - SQ_SPAN_LEN<k>, E), an index range
 *                as wide as the window plus the class bound, whatever the
 *                size of the collection; only the last class (longer than
 *                400 days, unbounded) is read from its first row. ends and
 *                name come with the index (the table's key), comp is in
 *                it: the test needs no table row. Migration 2 fills it with
 *                one [first_start, last_end) row per calendar resource,
 *                which is right but coarse; the next PUT of the resource
 *                writes its instances.
 */
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "store_sqlite_int.h"

static const char migration_1[] =
	"CREATE TABLE meta (\n"
	"	key TEXT PRIMARY KEY,\n"
	"	value TEXT NOT NULL\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE users (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	name TEXT NOT NULL UNIQUE,\n"
	"	displayname TEXT NOT NULL,\n"
	"	email TEXT NOT NULL,\n"
	"	pwhash TEXT NOT NULL,\n"
	"	created INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE collections (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	parent_id INTEGER REFERENCES collections (id) ON DELETE CASCADE,\n"
	"	owner_id INTEGER NOT NULL REFERENCES users (id),\n"
	"	kind INTEGER NOT NULL,\n"
	"	name TEXT NOT NULL,\n"
	"	displayname TEXT,\n"
	"	description TEXT,\n"
	"	color TEXT,\n"
	"	sort_order TEXT,\n"
	"	timezone TEXT,\n"
	"	components INTEGER NOT NULL,\n"
	"	rev INTEGER NOT NULL,\n"
	"	created INTEGER NOT NULL,\n"
	"	modified INTEGER NOT NULL,\n"
	"	UNIQUE (parent_id, name)\n"
	");\n"
	"CREATE UNIQUE INDEX collections_home ON collections (name) WHERE parent_id IS NULL;\n"
	"CREATE INDEX collections_owner ON collections (owner_id);\n"
	"CREATE TABLE objects (\n"
	"	coll_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,\n"
	"	name TEXT NOT NULL,\n"
	"	etag TEXT NOT NULL,\n"
	"	content_type TEXT NOT NULL,\n"
	"	size INTEGER NOT NULL,\n"
	"	uid TEXT,\n"
	"	comp INTEGER NOT NULL,\n"
	"	first_start INTEGER,\n"
	"	last_end INTEGER,\n"
	"	created INTEGER NOT NULL,\n"
	"	modified INTEGER NOT NULL,\n"
	"	data BLOB NOT NULL,\n"
	"	PRIMARY KEY (coll_id, name)\n"
	");\n"
	"CREATE INDEX objects_uid ON objects (coll_id, uid, name);\n"
	"CREATE INDEX objects_range ON objects (coll_id, last_end, first_start, comp);\n"
	"CREATE TABLE changes (\n"
	"	coll_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,\n"
	"	name TEXT NOT NULL,\n"
	"	rev INTEGER NOT NULL,\n"
	"	deleted INTEGER NOT NULL,\n"
	"	PRIMARY KEY (coll_id, name)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX changes_rev ON changes (coll_id, rev);\n"
	"CREATE TABLE props (\n"
	"	coll_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,\n"
	"	obj_name TEXT NOT NULL,\n"
	"	ns TEXT NOT NULL,\n"
	"	name TEXT NOT NULL,\n"
	"	xml TEXT NOT NULL,\n"
	"	PRIMARY KEY (coll_id, obj_name, ns, name)\n"
	") WITHOUT ROWID;\n";

#define SQ_STR_(x) #x
#define SQ_STR(x) SQ_STR_(x)

/* v2: the instance index, backfilled with ranges. The CASE classifies as
 * span_class() in store_sqlite_obj.c does: an empty or reversed range is
 * class 0, an unbounded one the last (last_end - first_start overflows,
 * and SQLite then subtracts in floating point). */
static const char migration_2[] =
	"CREATE TABLE spans (\n"
	"	coll_id INTEGER NOT NULL,\n"
	"	name TEXT NOT NULL,\n"
	"	begins INTEGER NOT NULL,\n"
	"	ends INTEGER NOT NULL,\n"
	"	class INTEGER NOT NULL,\n"
	"	comp INTEGER NOT NULL,\n"
	"	PRIMARY KEY (coll_id, name, begins, ends),\n"
	"	FOREIGN KEY (coll_id, name) REFERENCES objects (coll_id, name)\n"
	"		ON DELETE CASCADE ON UPDATE CASCADE\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX spans_range ON spans (coll_id, class, begins, comp);\n"
	"INSERT INTO spans (coll_id, name, begins, ends, class, comp)\n"
	"	SELECT coll_id, name, first_start, last_end, CASE\n"
	"		WHEN last_end - first_start <= " SQ_STR(SQ_SPAN_LEN0) " THEN 0\n"
	"		WHEN last_end - first_start <= " SQ_STR(SQ_SPAN_LEN1) " THEN 1\n"
	"		WHEN last_end - first_start <= " SQ_STR(SQ_SPAN_LEN2) " THEN 2\n"
	"		WHEN last_end - first_start <= " SQ_STR(SQ_SPAN_LEN3) " THEN 3\n"
	"		ELSE 4 END, comp\n"
	"	FROM objects WHERE uid IS NOT NULL;\n";

_Static_assert(SQ_SPAN_CLASSES == 5, "migration 2 knows five span classes");

static const char *const migrations[] = {
	migration_1,
	migration_2,
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == SQ_SCHEMA_VERSION,
	       "one migration step per schema version");

/* Runs one statement without parameters that returns at most one integer. */
static int exec_int(sqlite3 *db, const char *sql, int *out, struct sd_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && out)
		*out = sqlite3_column_int(st, 0);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return sd_err_set(err, (rc & 0xff) == SQLITE_BUSY ? STORE_EBUSY : STORE_EIO,
				  "sqlite: %s (%s)", sqlite3_errmsg(db), sql);
	return STORE_OK;
}

static int apply_steps(sqlite3 *db, int from, struct sd_err *err)
{
	char bump[64];
	int rc = STORE_OK;

	for (int v = from; v < SQ_SCHEMA_VERSION; v++) {
		if (sqlite3_exec(db, migrations[v], NULL, NULL, NULL) != SQLITE_OK)
			return sd_err_set(err, STORE_EIO, "schema migration %d -> %d: %s", v, v + 1,
					  sqlite3_errmsg(db));
		/* PRAGMA takes no parameters; the value is our own integer. */
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v + 1);
		if ((rc = exec_int(db, bump, NULL, err)))
			return rc;
	}
	return rc;
}

/* Reads the epoch, making it first if the database has none. */
static int ensure_epoch(sqlite3 *db, char out[SQ_EPOCH_HEX + 1], struct sd_err *err)
{
	static const char insert_sql[] =
		"INSERT INTO meta (key, value) VALUES ('epoch', :epoch) ON CONFLICT (key) DO NOTHING";
	static const char select_sql[] = "SELECT value FROM meta WHERE key = 'epoch'";
	unsigned char raw[SQ_EPOCH_HEX / 2];
	char hex[SQ_EPOCH_HEX + 1];
	sqlite3_stmt *st = NULL;
	const unsigned char *v;
	int rc = STORE_EIO;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return sd_err_set(err, STORE_EIO, "RAND_bytes failed");
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	if (sqlite3_prepare_v2(db, insert_sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":epoch"), hex, -1,
			      SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, select_sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		goto fail;
	v = sqlite3_column_text(st, 0);
	if (!v || sqlite3_column_bytes(st, 0) != SQ_EPOCH_HEX) {
		rc = sd_err_set(err, STORE_EIO, "sqlite: malformed epoch in meta");
		goto out;
	}
	memcpy(out, v, SQ_EPOCH_HEX + 1);
	rc = STORE_OK;
	goto out;
fail:
	rc = sd_err_set(err, STORE_EIO, "sqlite epoch: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	return rc;
}

int store_sq_migrate(sqlite3 *db, int *version_out, char epoch_out[SQ_EPOCH_HEX + 1],
		     struct sd_err *err)
{
	int version = 0, rc;

	if ((rc = exec_int(db, "BEGIN IMMEDIATE", NULL, err)))
		return rc;
	if ((rc = exec_int(db, "PRAGMA user_version", &version, err)))
		goto out;
	if (version > SQ_SCHEMA_VERSION || version < 0) {
		rc = sd_err_set(err, STORE_EIO,
				"database schema version %d is unknown to this slotdav (which knows "
				"up to %d): written by a newer release?",
				version, SQ_SCHEMA_VERSION);
		goto out;
	}
	if ((rc = apply_steps(db, version, err)) || (rc = ensure_epoch(db, epoch_out, err)))
		goto out;
	rc = exec_int(db, "COMMIT", NULL, err);
out:
	if (rc && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	if (rc == STORE_OK)
		*version_out = SQ_SCHEMA_VERSION;
	return rc;
}
