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
 * Tables (v2): the booking side (store_bk.h). Enums are stored as their
 * integer values, which store_bk.h promises never to renumber. Ids use
 * AUTOINCREMENT: they leave the database (URLs, feeds, the actor
 * "customer:12" in the activity log), so an id must never be handed to a
 * new row after the old one was deleted.
 *   locations        time zone and rules are opaque text to storage.
 *   staff            one row per login: user_id UNIQUE, ON DELETE RESTRICT.
 *                    Deleting a login must not take a staff member, their
 *                    schedule and (through them) bookings with it; deleting
 *                    the staff member first is an explicit act that bookings
 *                    refuse (EINUSE), and store_user_delete reports EINUSE
 *                    for a login that is still staff. bookings_coll_id is
 *                    SET NULL when the calendar goes: booking/ makes a new
 *                    one.
 *   staff_locations  the location set; cascades with the staff member,
 *                    RESTRICTs a location that still has staff.
 *   hours            the weekly schedule, one row per interval; no key of
 *                    its own: hours_set replaces a (staff, location) set.
 *                    Cascades with the staff member and the location.
 *   exceptions       dated exceptions; location_id NULL for "off" rows that
 *                    name no location. Cascade like hours.
 *   services         RESTRICT their location; service_staff cascades with
 *                    either side (removing a staff member who has no
 *                    bookings takes them off every service).
 *   customers        user_id UNIQUE (a login is at most one customer) and
 *                    SET NULL with the login, as is coll_id with the
 *                    calendar: the customer and their bookings stay when
 *                    their login goes. phone_norm is the phone without
 *                    spaces, dashes, dots and parentheses, a generated
 *                    column so it can never disagree with phone;
 *                    customer_search strips q the same way.
 *   bookings         uid UNIQUE. Every reference is RESTRICT: bookings are
 *                    never deleted, so nothing they name may go. Overlap
 *                    queries ("start < :to AND end > :from") are index
 *                    ranges on (x_id, start_time) for x = staff, location,
 *                    customer, service, and on (start_time) alone: the
 *                    lower bound is start > from - max_len, where max_len,
 *                    the longest end - start ever stored, is kept in
 *                    meta.booking_max_len by the bookings_max_len_*
 *                    triggers (it only grows, which keeps the bound sound).
 *                    The rowid in each index entry makes the index order
 *                    (start_time, id), the order booking_list returns, so
 *                    no sort is needed and LIMIT stops the scan early.
 *   requests         reschedule requests; requests_pending, a partial
 *                    unique index on booking_id WHERE status = pending,
 *                    allows one pending request per booking.
 *   activity         the log. Append-only by trigger: UPDATE and DELETE
 *                    of a row RAISE(ABORT), whoever runs them.
 *   feed_tokens      token_hash UNIQUE. subject_id names a customer, staff
 *                    member or location by kind, which no foreign key can
 *                    express: triggers delete a subject's tokens with it.
 *
 * Tables (v3)
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
 *                it: the test needs no table row. Migration 3 fills it with
 *                one [first_start, last_end) row per calendar resource,
 *                which is right but coarse; the next PUT of the resource
 *                writes its instances.
 *
 * Tables (v6): external busy calendars (store_sqlite_bk_extcal.c)
 *   extcals      one row per attached calendar: its source (url or path),
 *                the validators and outcome of the last fetches, next_poll
 *                (extcals_due serves the poller's scan). Cascades with the
 *                staff member: their external calendars are theirs alone.
 *   extcal_busy  the busy periods of the last good fetch, [begins, ends),
 *                keyed (extcal_id, begins, ends): a staff member's periods
 *                in a window are an index range per calendar. Cascades with
 *                the calendar.
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

/* The booking side. One self-contained step: it is renumbered, not edited,
 * if another step lands first. */
static const char migration_2[] =
    "INSERT INTO meta (key, value) VALUES ('booking_max_len', '0');\n"
    "CREATE TABLE locations (\n"
    "	id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "	name TEXT NOT NULL,\n"
    "	address TEXT NOT NULL,\n"
    "	timezone TEXT NOT NULL,\n"
    "	email TEXT NOT NULL,\n"
    "	rules TEXT NOT NULL,\n"
    "	created INTEGER NOT NULL,\n"
    "	modified INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE staff (\n"
    "	id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "	user_id INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE RESTRICT,\n"
    "	name TEXT NOT NULL,\n"
    "	email TEXT NOT NULL,\n"
    "	admin INTEGER NOT NULL,\n"
    "	active INTEGER NOT NULL,\n"
    "	bookings_coll_id INTEGER REFERENCES collections (id) ON DELETE SET NULL,\n"
    "	created INTEGER NOT NULL,\n"
    "	modified INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX staff_coll ON staff (bookings_coll_id);\n"
    "CREATE TABLE staff_locations (\n"
    "	staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,\n"
    "	location_id INTEGER NOT NULL REFERENCES locations (id) ON DELETE RESTRICT,\n"
    "	PRIMARY KEY (staff_id, location_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX staff_locations_location ON staff_locations (location_id, staff_id);\n"
    "CREATE TABLE hours (\n"
    "	staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,\n"
    "	location_id INTEGER NOT NULL REFERENCES locations (id) ON DELETE CASCADE,\n"
    "	weekday INTEGER NOT NULL,\n"
    "	start_min INTEGER NOT NULL,\n"
    "	end_min INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX hours_staff ON hours (staff_id, location_id, weekday, start_min, end_min);\n"
    "CREATE INDEX hours_location ON hours (location_id);\n"
    "CREATE TABLE exceptions (\n"
    "	id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "	staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,\n"
    "	location_id INTEGER REFERENCES locations (id) ON DELETE CASCADE,\n"
    "	day INTEGER NOT NULL,\n"
    "	start_min INTEGER NOT NULL,\n"
    "	end_min INTEGER NOT NULL,\n"
    "	available INTEGER NOT NULL,\n"
    "	note TEXT NOT NULL,\n"
    "	created INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX exceptions_staff ON exceptions (staff_id, day, start_min);\n"
    "CREATE INDEX exceptions_location ON exceptions (location_id);\n"
    "CREATE TABLE services (\n"
    "	id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "	location_id INTEGER NOT NULL REFERENCES locations (id) ON DELETE RESTRICT,\n"
    "	name TEXT NOT NULL,\n"
    "	description TEXT NOT NULL,\n"
    "	duration_min INTEGER NOT NULL,\n"
    "	buffer_before_min INTEGER NOT NULL,\n"
    "	buffer_after_min INTEGER NOT NULL,\n"
    "	rules TEXT NOT NULL,\n"
    "	active INTEGER NOT NULL,\n"
    "	created INTEGER NOT NULL,\n"
    "	modified INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX services_location ON services (location_id);\n"
    "CREATE TABLE service_staff (\n"
    "	service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,\n"
    "	staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,\n"
    "	PRIMARY KEY (service_id, staff_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX service_staff_staff ON service_staff (staff_id, service_id);\n"
    "CREATE TABLE customers (\n"
    "	id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "	name TEXT NOT NULL,\n"
    "	email TEXT NOT NULL,\n"
    "	phone TEXT NOT NULL,\n"
    "	user_id INTEGER UNIQUE REFERENCES users (id) ON DELETE SET NULL,\n"
    "	coll_id INTEGER REFERENCES collections (id) ON DELETE SET NULL,\n"
    "	created INTEGER NOT NULL,\n"
    "	modified INTEGER NOT NULL,\n"
    "	phone_norm TEXT GENERATED ALWAYS AS (replace(replace(replace(replace(replace(\n"
    "		phone, ' ', ''), '-', ''), '.', ''), '(', ''), ')', '')) VIRTUAL\n"
    ");\n"
    "CREATE INDEX customers_name ON customers (name COLLATE NOCASE);\n"
    "CREATE INDEX customers_email ON customers (email COLLATE NOCASE);\n"
    "CREATE INDEX customers_coll ON customers (coll_id);\n"
    "CREATE TABLE bookings (\n"
    "	id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "	uid TEXT NOT NULL UNIQUE,\n"
    "	location_id INTEGER NOT NULL REFERENCES locations (id) ON DELETE RESTRICT,\n"
    "	service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE RESTRICT,\n"
    "	staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,\n"
    "	customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,\n"
    "	start_time INTEGER NOT NULL,\n"
    "	end_time INTEGER NOT NULL,\n"
    "	buffer_before_min INTEGER NOT NULL,\n"
    "	buffer_after_min INTEGER NOT NULL,\n"
    "	status INTEGER NOT NULL,\n"
    "	cancel_reason INTEGER NOT NULL,\n"
    "	cancel_text TEXT NOT NULL,\n"
    "	cancelled_at INTEGER NOT NULL,\n"
    "	notes_public TEXT NOT NULL,\n"
    "	notes_private TEXT NOT NULL,\n"
    "	created_channel TEXT NOT NULL,\n"
    "	created_by TEXT NOT NULL,\n"
    "	version INTEGER NOT NULL,\n"
    "	sequence INTEGER NOT NULL,\n"
    "	obj_name TEXT NOT NULL,\n"
    "	created INTEGER NOT NULL,\n"
    "	modified INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX bookings_staff ON bookings (staff_id, start_time);\n"
    "CREATE INDEX bookings_location ON bookings (location_id, start_time);\n"
    "CREATE INDEX bookings_customer ON bookings (customer_id, start_time);\n"
    "CREATE INDEX bookings_service ON bookings (service_id, start_time);\n"
    "CREATE INDEX bookings_start ON bookings (start_time);\n"
    "CREATE TRIGGER bookings_max_len_insert AFTER INSERT ON bookings\n"
    "WHEN NEW.end_time - NEW.start_time >\n"
    "	(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'booking_max_len')\n"
    "BEGIN\n"
    "	UPDATE meta SET value = NEW.end_time - NEW.start_time WHERE key = 'booking_max_len';\n"
    "END;\n"
    "CREATE TRIGGER bookings_max_len_update AFTER UPDATE OF start_time, end_time ON bookings\n"
    "WHEN NEW.end_time - NEW.start_time >\n"
    "	(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'booking_max_len')\n"
    "BEGIN\n"
    "	UPDATE meta SET value = NEW.end_time - NEW.start_time WHERE key = 'booking_max_len';\n"
    "END;\n"
    "CREATE TABLE requests (\n"
    "	id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "	booking_id INTEGER NOT NULL REFERENCES bookings (id) ON DELETE RESTRICT,\n"
    "	start_time INTEGER NOT NULL,\n"
    "	end_time INTEGER NOT NULL,\n"
    "	status INTEGER NOT NULL,\n"
    "	requested_by TEXT NOT NULL,\n"
    "	channel TEXT NOT NULL,\n"
    "	obj_name TEXT NOT NULL,\n"
    "	created INTEGER NOT NULL,\n"
    "	decided INTEGER NOT NULL,\n"
    "	decided_by TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX requests_booking ON requests (booking_id);\n"
    "CREATE UNIQUE INDEX requests_pending ON requests (booking_id) WHERE status = 1;\n"
    "CREATE TABLE activity (\n"
    "	id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "	booking_id INTEGER NOT NULL REFERENCES bookings (id) ON DELETE RESTRICT,\n"
    "	at INTEGER NOT NULL,\n"
    "	actor TEXT NOT NULL,\n"
    "	channel TEXT NOT NULL,\n"
    "	user_agent TEXT NOT NULL,\n"
    "	action TEXT NOT NULL,\n"
    "	outcome TEXT NOT NULL,\n"
    "	detail TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX activity_booking ON activity (booking_id);\n"
    "CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity\n"
    "BEGIN\n"
    "	SELECT RAISE(ABORT, 'the activity log is append-only');\n"
    "END;\n"
    "CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity\n"
    "BEGIN\n"
    "	SELECT RAISE(ABORT, 'the activity log is append-only');\n"
    "END;\n"
    "CREATE TABLE feed_tokens (\n"
    "	id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "	kind INTEGER NOT NULL,\n"
    "	subject_id INTEGER NOT NULL,\n"
    "	token_hash TEXT NOT NULL UNIQUE,\n"
    "	busy_only INTEGER NOT NULL,\n"
    "	with_cancelled INTEGER NOT NULL,\n"
    "	created INTEGER NOT NULL,\n"
    "	revoked INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX feed_tokens_subject ON feed_tokens (kind, subject_id);\n"
    "CREATE TRIGGER customers_feed_tokens AFTER DELETE ON customers\n"
    "BEGIN\n"
    "	DELETE FROM feed_tokens WHERE kind = 1 AND subject_id = OLD.id;\n"
    "END;\n"
    "CREATE TRIGGER staff_feed_tokens AFTER DELETE ON staff\n"
    "BEGIN\n"
    "	DELETE FROM feed_tokens WHERE kind = 2 AND subject_id = OLD.id;\n"
    "END;\n"
    "CREATE TRIGGER locations_feed_tokens AFTER DELETE ON locations\n"
    "BEGIN\n"
    "	DELETE FROM feed_tokens WHERE kind = 3 AND subject_id = OLD.id;\n"
    "END;\n";

#define SQ_STR_(x) #x
#define SQ_STR(x)  SQ_STR_(x)

/* v3: the instance index, backfilled with ranges. The CASE classifies as
 * span_class() in store_sqlite_obj.c does: an empty or reversed range is
 * class 0, an unbounded one the last (last_end - first_start overflows,
 * and SQLite then subtracts in floating point). */
static const char migration_3[] =
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
    "		WHEN last_end - first_start <= " SQ_STR(
        SQ_SPAN_LEN0) " THEN 0\n"
                      "		WHEN last_end - first_start <= " SQ_STR(
                          SQ_SPAN_LEN1) " THEN 1\n"
                                        "		WHEN last_end - first_start <= " SQ_STR(
                                            SQ_SPAN_LEN2) " THEN 2\n"
                                                          "		WHEN last_end - "
                                                          "first_start <= " SQ_STR(
                                                              SQ_SPAN_LEN3) " THEN 3\n"
                                                                            "		ELSE 4 "
                                                                            "END, comp\n"
                                                                            "	FROM objects WHERE "
                                                                            "uid IS NOT NULL;\n";

_Static_assert(SQ_SPAN_CLASSES == 5, "migration 3 knows five span classes");

/* v4: the notification queue (store_sqlite_bk_notify.c). Rows belong to
 * their booking, which is never deleted (RESTRICT); queue_pending serves
 * the delivery worker's "queued and due" scan. */
static const char migration_4[] =
    "CREATE TABLE notifications (\n"
    "	id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "	booking_id INTEGER NOT NULL REFERENCES bookings (id) ON DELETE RESTRICT,\n"
    "	kind TEXT NOT NULL,\n"
    "	recipient TEXT NOT NULL,\n"
    "	state INTEGER NOT NULL,\n"
    "	created INTEGER NOT NULL,\n"
    "	not_before INTEGER NOT NULL,\n"
    "	attempts INTEGER NOT NULL,\n"
    "	last_error TEXT NOT NULL,\n"
    "	sent INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX notifications_booking ON notifications (booking_id, id);\n"
    "CREATE INDEX notifications_pending ON notifications (state, not_before);\n";

/* v5: delivery of the queue (notify/). claimed_until is the lease of the
 * worker that sends a row: a claim sets it, finishing clears it, and a row
 * whose lease ran out (a worker that died mid-send) is claimed again.
 * next_try is when a row that failed with a temporary error may be tried
 * again (0: at once). notifications_due serves the worker's scan. */
static const char migration_5[] =
    "ALTER TABLE notifications ADD COLUMN claimed_until INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE notifications ADD COLUMN next_try INTEGER NOT NULL DEFAULT 0;\n"
    "CREATE INDEX notifications_due ON notifications (state, claimed_until, next_try);\n";

/* v6: external busy calendars (store_sqlite_bk_extcal.c). */
static const char migration_6[] =
    "CREATE TABLE extcals (\n"
    "	id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "	staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,\n"
    "	url TEXT NOT NULL,\n"
    "	path TEXT NOT NULL,\n"
    "	name TEXT NOT NULL,\n"
    "	etag TEXT NOT NULL DEFAULT '',\n"
    "	last_modified TEXT NOT NULL DEFAULT '',\n"
    "	last_fetch INTEGER NOT NULL DEFAULT 0,\n"
    "	last_success INTEGER NOT NULL DEFAULT 0,\n"
    "	last_error TEXT NOT NULL DEFAULT '',\n"
    "	next_poll INTEGER NOT NULL DEFAULT 0,\n"
    "	created INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX extcals_staff ON extcals (staff_id, id);\n"
    "CREATE INDEX extcals_due ON extcals (next_poll, id);\n"
    "CREATE TABLE extcal_busy (\n"
    "	extcal_id INTEGER NOT NULL REFERENCES extcals (id) ON DELETE CASCADE,\n"
    "	begins INTEGER NOT NULL,\n"
    "	ends INTEGER NOT NULL,\n"
    "	PRIMARY KEY (extcal_id, begins, ends)\n"
    ") WITHOUT ROWID;\n";

/* v7: a staff feed may show the member's personal calendars
 * (store_feed_token.personal: 0 no, 1 busy blocks, 2 with details). */
static const char migration_7[] =
    "ALTER TABLE feed_tokens ADD COLUMN personal INTEGER NOT NULL DEFAULT 0;\n";

static const char *const migrations[] = {
	migration_1, migration_2, migration_3, migration_4, migration_5, migration_6, migration_7,
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == SQ_SCHEMA_VERSION,
               "one migration step per schema version");

const char *store_sq_migration(int v)
{
	return v >= 0 && v < SQ_SCHEMA_VERSION ? migrations[v] : NULL;
}

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
		rc =
		    sd_err_set(err, STORE_EIO,
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
