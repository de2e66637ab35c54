/* store_sqlite_bk_booking.c - bookings, reschedule requests, the activity
 * log and feed tokens in the SQLite backend.
 *
 * Bookings are never deleted; every change is booking_update, guarded by
 * the row's version: "UPDATE ... SET version = version + 1 WHERE id = :id
 * AND version = :version" is the whole optimistic check, made atomic by
 * the statement itself. When it changes no row, the booking either does
 * not exist (ENOTFOUND) or was changed since the caller read it (ESTALE);
 * a second read tells which, and since rows never go away the answer
 * cannot be stale in the one direction that matters.
 *
 * booking_list is one of five static statements, each driven by one index:
 *
 *	filter set (first match)   index                 statement
 *	customer_id                bookings_customer     ..._list_customer
 *	staff_id                   bookings_staff        ..._list_staff
 *	location_id                bookings_location     ..._list_location
 *	service_id                 bookings_service      ..._list_service
 *	none of them               bookings_start        ..._list_time
 *
 * Each index is (x_id, start_time) and so, with the rowid, in (start, id)
 * order: the order the list returns, which the LIMIT then cuts without a
 * sort. The remaining filters are checked on each row. Overlap with
 * [from, to) is "start < to AND end > from"; the index range is
 * start_time in [from - max_len + 1, to), where max_len, the longest
 * booking ever stored (meta.booking_max_len, kept by triggers; see the
 * schema), makes the lower bound exact: a booking that ends after from
 * started after from - max_len. "Any time" is a range far wider than any
 * real instant, so the same statements serve it. Paging continues after
 * the booking after_id in (start, id) order: its start (a subquery) is one
 * more lower bound, and rows at that start with ids up to after_id are
 * skipped.
 *
 * One pending request per booking is the partial unique index
 * requests_pending: a second pending insert fails as EEXISTS, with no
 * read-then-write window. The activity log is insert-only here and
 * append-only in the schema (triggers refuse UPDATE and DELETE).
 */
#include <stdio.h>

#include "sd_util.h"
#include "store_sqlite_int.h"

/* Far beyond any real Unix time, small enough that from - max_len cannot
 * overflow. */
#define BK_TIME_ANY (INT64_C(1) << 62)

/* ---- bookings ---------------------------------------------------------- */

#define BK_COLS                                                                             \
	"id, uid, location_id, service_id, staff_id, customer_id, start_time, end_time, "   \
	"buffer_before_min, buffer_after_min, status, cancel_reason, cancel_text, "         \
	"cancelled_at, notes_public, notes_private, created_channel, created_by, version, " \
	"sequence, obj_name, created, modified"

static const char bk_refs[] = "the location, service, staff member or customer";

static void booking_row(sqlite3_stmt *st, struct sd_arena *a, struct store_booking *out)
{
	out->id = sqlite3_column_int64(st, 0);
	out->uid = store_sq_col_text(st, 1, a);
	out->location_id = sqlite3_column_int64(st, 2);
	out->service_id = sqlite3_column_int64(st, 3);
	out->staff_id = sqlite3_column_int64(st, 4);
	out->customer_id = sqlite3_column_int64(st, 5);
	out->start = sqlite3_column_int64(st, 6);
	out->end = sqlite3_column_int64(st, 7);
	out->buffer_before_min = sqlite3_column_int(st, 8);
	out->buffer_after_min = sqlite3_column_int(st, 9);
	out->status = sqlite3_column_int(st, 10);
	out->cancel_reason = sqlite3_column_int(st, 11);
	out->cancel_text = store_sq_col_text(st, 12, a);
	out->cancelled_at = sqlite3_column_int64(st, 13);
	out->notes_public = store_sq_col_text(st, 14, a);
	out->notes_private = store_sq_col_text(st, 15, a);
	out->created_channel = store_sq_col_text(st, 16, a);
	out->created_by = store_sq_col_text(st, 17, a);
	out->version = sqlite3_column_int64(st, 18);
	out->sequence = sqlite3_column_int64(st, 19);
	out->obj_name = store_sq_col_text(st, 20, a);
	out->created = sqlite3_column_int64(st, 21);
	out->modified = sqlite3_column_int64(st, 22);
}

/* The fields booking_update may change (all but uid, created_*, version). */
static void booking_bind_mutable(struct sq_stmt *s, const struct store_booking *in)
{
	store_sq_bind_i64(s, ":loc", in->location_id);
	store_sq_bind_i64(s, ":svc", in->service_id);
	store_sq_bind_i64(s, ":staff", in->staff_id);
	store_sq_bind_i64(s, ":cust", in->customer_id);
	store_sq_bind_i64(s, ":start", in->start);
	store_sq_bind_i64(s, ":end", in->end);
	store_sq_bind_i64(s, ":before", in->buffer_before_min);
	store_sq_bind_i64(s, ":after", in->buffer_after_min);
	store_sq_bind_i64(s, ":status", in->status);
	store_sq_bind_i64(s, ":reason", in->cancel_reason);
	store_sq_bind_text(s, ":ctext", sq_nz(in->cancel_text));
	store_sq_bind_i64(s, ":cat", in->cancelled_at);
	store_sq_bind_text(s, ":npub", sq_nz(in->notes_public));
	store_sq_bind_text(s, ":npriv", sq_nz(in->notes_private));
	store_sq_bind_i64(s, ":seq", in->sequence);
	store_sq_bind_text(s, ":obj", sq_nz(in->obj_name));
	store_sq_bind_i64(s, ":now", sd_now());
}

int store_sq_booking_create(struct store_conn *sc, const struct store_booking *in, int64_t *id_out,
                            struct sd_err *err)
{
	static const char sql[] =
	    "INSERT INTO bookings (uid, location_id, service_id, staff_id, customer_id, "
	    "start_time, end_time, buffer_before_min, buffer_after_min, status, cancel_reason, "
	    "cancel_text, cancelled_at, notes_public, notes_private, created_channel, "
	    "created_by, version, sequence, obj_name, created, modified) VALUES (:uid, :loc, "
	    ":svc, :staff, :cust, :start, :end, :before, :after, :status, :reason, :ctext, "
	    ":cat, :npub, :npriv, :channel, :by, 1, :seq, :obj, :now, :now)";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	char dup[160];
	int rc;

	snprintf(dup, sizeof(dup), "UID %.120s is taken", sq_nz(in->uid));
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_text(s, ":uid", in->uid);
	booking_bind_mutable(s, in);
	store_sq_bind_text(s, ":channel", sq_nz(in->created_channel));
	store_sq_bind_text(s, ":by", sq_nz(in->created_by));
	return store_sq_bk_insert(c, s, id_out, bk_refs, dup, err);
}

/* After an update that changed nothing: ENOTFOUND or ESTALE. */
static int booking_why_not(struct sq_conn *c, int64_t id, int64_t version, struct sd_err *err)
{
	static const char sql[] = "SELECT version FROM bookings WHERE id = :id";
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":id", id);
	rc = store_sq_step(c, s, err);
	if (rc == 1)
		rc = sd_err_set(err, STORE_ESTALE, "booking %lld is at version %lld, not %lld",
		                (long long)id, (long long)sqlite3_column_int64(s->st, 0),
		                (long long)version);
	else if (rc == 0)
		rc = sd_err_set(err, STORE_ENOTFOUND, "no booking %lld", (long long)id);
	store_sq_put(c, s);
	return rc;
}

int store_sq_booking_update(struct store_conn *sc, const struct store_booking *in,
                            int64_t *version_out, struct sd_err *err)
{
	static const char sql[] =
	    "UPDATE bookings SET location_id = :loc, service_id = :svc, staff_id = :staff, "
	    "customer_id = :cust, start_time = :start, end_time = :end, "
	    "buffer_before_min = :before, buffer_after_min = :after, status = :status, "
	    "cancel_reason = :reason, cancel_text = :ctext, cancelled_at = :cat, "
	    "notes_public = :npub, notes_private = :npriv, sequence = :seq, obj_name = :obj, "
	    "version = version + 1, modified = :now WHERE id = :id AND version = :version";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	booking_bind_mutable(s, in);
	store_sq_bind_i64(s, ":id", in->id);
	store_sq_bind_i64(s, ":version", in->version);
	rc = store_sq_exec(c, s, err);
	if (rc == STORE_OK && sqlite3_changes(c->db) == 0)
		rc = 1; /* nothing matched: find out why, below */
	store_sq_put(c, s);
	if (rc == 1)
		return booking_why_not(c, in->id, in->version, err);
	if ((rc = store_sq_bk_write_rc(c, rc, bk_refs, NULL, err)))
		return rc;
	if (version_out)
		*version_out = in->version + 1;
	return STORE_OK;
}

/* Steps a bound single-booking query into out and puts it back. */
static int booking_read(struct sq_conn *c, struct sq_stmt *s, struct sd_arena *a,
                        struct store_booking *out, const char *who, struct sd_err *err)
{
	int rc = store_sq_step(c, s, err);

	if (rc == 1) {
		booking_row(s->st, a, out);
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no booking %.120s", who);
	}
	store_sq_put(c, s);
	return rc;
}

int store_sq_booking_get(struct store_conn *sc, int64_t id, struct sd_arena *a,
                         struct store_booking *out, struct sd_err *err)
{
	static const char sql[] = "SELECT " BK_COLS " FROM bookings WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	char who[24];
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":id", id);
	snprintf(who, sizeof(who), "%lld", (long long)id);
	return booking_read(c, s, a, out, who, err);
}

int store_sq_booking_get_by_uid(struct store_conn *sc, const char *uid, struct sd_arena *a,
                                struct store_booking *out, struct sd_err *err)
{
	static const char sql[] = "SELECT " BK_COLS " FROM bookings WHERE uid = :uid";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_text(s, ":uid", sq_nz(uid));
	return booking_read(c, s, a, out, sq_nz(uid), err);
}

/* drive: the equality on the index's column, "" for bookings_start. */
#define BK_LIST_SQL(drive)                                                              \
	"SELECT " BK_COLS " FROM bookings WHERE " drive                                 \
	"start_time >= max(CASE WHEN :after = 0 THEN -:any ELSE "                       \
	"(SELECT start_time FROM bookings WHERE id = :after) END, :from - "             \
	"(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'booking_max_len') + 1) " \
	"AND start_time < :to AND end_time > :from "                                    \
	"AND NOT (:after <> 0 AND id <= :after AND start_time = "                       \
	"(SELECT start_time FROM bookings WHERE id = :after)) "                         \
	"AND (:cust = 0 OR customer_id = :cust) AND (:staff = 0 OR staff_id = :staff) " \
	"AND (:loc = 0 OR location_id = :loc) AND (:svc = 0 OR service_id = :svc) "     \
	"AND (:mask = 0 OR (:mask >> status) & 1) ORDER BY start_time, id LIMIT :limit"

const char store_sq_sql_booking_list_customer[] = BK_LIST_SQL("customer_id = :cust AND ");
const char store_sq_sql_booking_list_staff[] = BK_LIST_SQL("staff_id = :staff AND ");
const char store_sq_sql_booking_list_location[] = BK_LIST_SQL("location_id = :loc AND ");
const char store_sq_sql_booking_list_service[] = BK_LIST_SQL("service_id = :svc AND ");
const char store_sq_sql_booking_list_time[] = BK_LIST_SQL("");

int store_sq_booking_list(struct store_conn *sc, const struct store_booking_filter *f,
                          struct sd_arena *a, struct store_booking **out, size_t *n,
                          struct sd_err *err)
{
	struct sq_conn *c = sq_conn(sc);
	struct sq_vec v = { .size = sizeof(**out) };
	int any_time = f->from == 0 && f->to == 0;
	struct sq_stmt *s;
	const char *sql;
	int rc;

	*out = NULL;
	*n = 0;
	sql = f->customer_id   ? store_sq_sql_booking_list_customer
	      : f->staff_id    ? store_sq_sql_booking_list_staff
	      : f->location_id ? store_sq_sql_booking_list_location
	      : f->service_id  ? store_sq_sql_booking_list_service
	                       : store_sq_sql_booking_list_time;
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":cust", f->customer_id);
	store_sq_bind_i64(s, ":staff", f->staff_id);
	store_sq_bind_i64(s, ":loc", f->location_id);
	store_sq_bind_i64(s, ":svc", f->service_id);
	store_sq_bind_i64(s, ":mask", f->status_mask);
	store_sq_bind_i64(s, ":from", any_time ? -BK_TIME_ANY : f->from);
	store_sq_bind_i64(s, ":to", any_time ? BK_TIME_ANY : f->to);
	store_sq_bind_i64(s, ":any", BK_TIME_ANY);
	store_sq_bind_i64(s, ":after", f->after_id);
	store_sq_bind_i64(s, ":limit", f->limit > 0 ? f->limit : -1);
	while ((rc = store_sq_step(c, s, err)) == 1)
		booking_row(s->st, a, store_sq_vec_push(&v));
	store_sq_put(c, s);
	*out = store_sq_vec_finish(&v, rc ? NULL : a, n);
	return rc;
}

/* ---- reschedule requests ----------------------------------------------- */

#define REQ_COLS                                                                          \
	"id, booking_id, start_time, end_time, status, requested_by, channel, obj_name, " \
	"created, decided, decided_by"

static void request_row(sqlite3_stmt *st, struct sd_arena *a, struct store_request *out)
{
	out->id = sqlite3_column_int64(st, 0);
	out->booking_id = sqlite3_column_int64(st, 1);
	out->start = sqlite3_column_int64(st, 2);
	out->end = sqlite3_column_int64(st, 3);
	out->status = sqlite3_column_int(st, 4);
	out->requested_by = store_sq_col_text(st, 5, a);
	out->channel = store_sq_col_text(st, 6, a);
	out->obj_name = store_sq_col_text(st, 7, a);
	out->created = sqlite3_column_int64(st, 8);
	out->decided = sqlite3_column_int64(st, 9);
	out->decided_by = store_sq_col_text(st, 10, a);
}

/* Steps a bound single-request query into out and puts it back. */
static int request_read(struct sq_conn *c, struct sq_stmt *s, struct sd_arena *a,
                        struct store_request *out, const char *what, int64_t id, struct sd_err *err)
{
	int rc = store_sq_step(c, s, err);

	if (rc == 1) {
		request_row(s->st, a, out);
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no %s %lld", what, (long long)id);
	}
	store_sq_put(c, s);
	return rc;
}

int store_sq_request_create(struct store_conn *sc, const struct store_request *in, int64_t *id_out,
                            struct sd_err *err)
{
	static const char sql[] =
	    "INSERT INTO requests (booking_id, start_time, end_time, status, requested_by, "
	    "channel, obj_name, created, decided, decided_by) VALUES (:booking, :start, :end, "
	    ":status, :by, :channel, :obj, :now, :decided, :decided_by)";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	char dup[80];
	int rc;

	snprintf(dup, sizeof(dup), "booking %lld has a pending request", (long long)in->booking_id);
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":booking", in->booking_id);
	store_sq_bind_i64(s, ":start", in->start);
	store_sq_bind_i64(s, ":end", in->end);
	store_sq_bind_i64(s, ":status", in->status);
	store_sq_bind_text(s, ":by", sq_nz(in->requested_by));
	store_sq_bind_text(s, ":channel", sq_nz(in->channel));
	store_sq_bind_text(s, ":obj", sq_nz(in->obj_name));
	store_sq_bind_i64(s, ":now", sd_now());
	store_sq_bind_i64(s, ":decided", in->decided);
	store_sq_bind_text(s, ":decided_by", sq_nz(in->decided_by));
	return store_sq_bk_insert(c, s, id_out, "the booking", dup, err);
}

int store_sq_request_update(struct store_conn *sc, const struct store_request *in,
                            struct sd_err *err)
{
	static const char sql[] = "UPDATE requests SET status = :status, decided = :decided, "
	                          "decided_by = :decided_by, obj_name = :obj WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":status", in->status);
	store_sq_bind_i64(s, ":decided", in->decided);
	store_sq_bind_text(s, ":decided_by", sq_nz(in->decided_by));
	store_sq_bind_text(s, ":obj", sq_nz(in->obj_name));
	store_sq_bind_i64(s, ":id", in->id);
	rc = store_sq_bk_exec_one(c, s, "request", in->id, err);
	return store_sq_bk_write_rc(c, rc, "the booking", "the booking has a pending request", err);
}

int store_sq_request_get(struct store_conn *sc, int64_t id, struct sd_arena *a,
                         struct store_request *out, struct sd_err *err)
{
	static const char sql[] = "SELECT " REQ_COLS " FROM requests WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":id", id);
	return request_read(c, s, a, out, "request", id, err);
}

int store_sq_request_pending(struct store_conn *sc, int64_t booking_id, struct sd_arena *a,
                             struct store_request *out, struct sd_err *err)
{
	static const char sql[] = "SELECT " REQ_COLS " FROM requests "
	                          "WHERE booking_id = :booking AND status = 1";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	_Static_assert(STORE_REQ_PENDING == 1, "requests_pending and this query say status = 1");
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":booking", booking_id);
	return request_read(c, s, a, out, "pending request of booking", booking_id, err);
}

int store_sq_request_list(struct store_conn *sc, int64_t booking_id, struct sd_arena *a,
                          struct store_request **out, size_t *n, struct sd_err *err)
{
	static const char sql[] = "SELECT " REQ_COLS " FROM requests "
	                          "WHERE booking_id = :booking ORDER BY id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_vec v = { .size = sizeof(**out) };
	struct sq_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":booking", booking_id);
	while ((rc = store_sq_step(c, s, err)) == 1)
		request_row(s->st, a, store_sq_vec_push(&v));
	store_sq_put(c, s);
	*out = store_sq_vec_finish(&v, rc ? NULL : a, n);
	return rc;
}

/* ---- the activity log -------------------------------------------------- */

int store_sq_activity_append(struct store_conn *sc, const struct store_activity *in,
                             struct sd_err *err)
{
	static const char sql[] =
	    "INSERT INTO activity (booking_id, at, actor, channel, user_agent, action, "
	    "outcome, detail) VALUES (:booking, :at, :actor, :channel, :ua, :action, "
	    ":outcome, :detail)";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":booking", in->booking_id);
	store_sq_bind_i64(s, ":at", in->at);
	store_sq_bind_text(s, ":actor", sq_nz(in->actor));
	store_sq_bind_text(s, ":channel", sq_nz(in->channel));
	store_sq_bind_text(s, ":ua", sq_nz(in->user_agent));
	store_sq_bind_text(s, ":action", sq_nz(in->action));
	store_sq_bind_text(s, ":outcome", sq_nz(in->outcome));
	store_sq_bind_text(s, ":detail", sq_nz(in->detail));
	return store_sq_bk_insert(c, s, NULL, "the booking", NULL, err);
}

int store_sq_activity_list(struct store_conn *sc, int64_t booking_id, struct sd_arena *a,
                           struct store_activity **out, size_t *n, struct sd_err *err)
{
	static const char sql[] =
	    "SELECT id, booking_id, at, actor, channel, user_agent, action, outcome, detail "
	    "FROM activity WHERE booking_id = :booking ORDER BY id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_vec v = { .size = sizeof(**out) };
	struct store_activity *e;
	struct sq_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":booking", booking_id);
	while ((rc = store_sq_step(c, s, err)) == 1) {
		e = store_sq_vec_push(&v);
		e->id = sqlite3_column_int64(s->st, 0);
		e->booking_id = sqlite3_column_int64(s->st, 1);
		e->at = sqlite3_column_int64(s->st, 2);
		e->actor = store_sq_col_text(s->st, 3, a);
		e->channel = store_sq_col_text(s->st, 4, a);
		e->user_agent = store_sq_col_text(s->st, 5, a);
		e->action = store_sq_col_text(s->st, 6, a);
		e->outcome = store_sq_col_text(s->st, 7, a);
		e->detail = store_sq_col_text(s->st, 8, a);
	}
	store_sq_put(c, s);
	*out = store_sq_vec_finish(&v, rc ? NULL : a, n);
	return rc;
}

/* ---- feed tokens ------------------------------------------------------- */

#define FEED_COLS                                                                         \
	"id, kind, subject_id, token_hash, busy_only, with_cancelled, created, revoked, " \
	"personal"

static void feed_row(sqlite3_stmt *st, struct sd_arena *a, struct store_feed_token *out)
{
	out->id = sqlite3_column_int64(st, 0);
	out->kind = sqlite3_column_int(st, 1);
	out->subject_id = sqlite3_column_int64(st, 2);
	out->token_hash = store_sq_col_text(st, 3, a);
	out->busy_only = sqlite3_column_int(st, 4);
	out->with_cancelled = sqlite3_column_int(st, 5);
	out->created = sqlite3_column_int64(st, 6);
	out->revoked = sqlite3_column_int64(st, 7);
	out->personal = sqlite3_column_int(st, 8);
}

int store_sq_feed_token_create(struct store_conn *sc, const struct store_feed_token *in,
                               int64_t *id_out, struct sd_err *err)
{
	/* No foreign key can point at "a customer, staff member or location
	 * by kind": the subject's existence is the INSERT's own condition,
	 * and triggers delete the tokens with their subject. */
	static const char sql[] =
	    "INSERT INTO feed_tokens (kind, subject_id, token_hash, busy_only, "
	    "with_cancelled, created, revoked, personal) SELECT :kind, :subject, :hash, "
	    ":busy, :cancelled, :now, 0, :personal WHERE CASE :kind "
	    "WHEN 1 THEN EXISTS (SELECT 1 FROM customers WHERE id = :subject) "
	    "WHEN 2 THEN EXISTS (SELECT 1 FROM staff WHERE id = :subject) "
	    "WHEN 3 THEN EXISTS (SELECT 1 FROM locations WHERE id = :subject) ELSE 0 END";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	_Static_assert(STORE_FEED_CUSTOMER == 1 && STORE_FEED_STAFF == 2 &&
	                   STORE_FEED_LOCATION == 3,
	               "the feed token SQL and triggers use these values");
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":kind", in->kind);
	store_sq_bind_i64(s, ":subject", in->subject_id);
	store_sq_bind_text(s, ":hash", in->token_hash);
	store_sq_bind_i64(s, ":busy", in->busy_only != 0);
	store_sq_bind_i64(s, ":cancelled", in->with_cancelled != 0);
	store_sq_bind_i64(s, ":personal", in->personal);
	store_sq_bind_i64(s, ":now", sd_now());
	return store_sq_bk_insert(c, s, id_out, "the feed's subject", "the token hash is taken",
	                          err);
}

int store_sq_feed_token_revoke(struct store_conn *sc, int64_t id, int64_t at, struct sd_err *err)
{
	/* revoked 0 means valid: a revocation at time 0 still revokes. */
	static const char sql[] =
	    "UPDATE feed_tokens SET revoked = max(:at, 1) WHERE id = :id AND revoked = 0";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":at", at);
	store_sq_bind_i64(s, ":id", id);
	return store_sq_bk_exec_one(c, s, "valid feed token", id, err);
}

int store_sq_feed_token_find(struct store_conn *sc, const char *token_hash, struct sd_arena *a,
                             struct store_feed_token *out, struct sd_err *err)
{
	static const char sql[] = "SELECT " FEED_COLS " FROM feed_tokens "
	                          "WHERE token_hash = :hash AND revoked = 0";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_text(s, ":hash", sq_nz(token_hash));
	rc = store_sq_step(c, s, err);
	if (rc == 1) {
		feed_row(s->st, a, out);
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no valid feed token with that hash");
	}
	store_sq_put(c, s);
	return rc;
}

int store_sq_feed_token_list(struct store_conn *sc, int kind, int64_t subject_id,
                             struct sd_arena *a, struct store_feed_token **out, size_t *n,
                             struct sd_err *err)
{
	static const char sql[] = "SELECT " FEED_COLS " FROM feed_tokens "
	                          "WHERE (:kind = 0 OR kind = :kind) "
	                          "AND (:subject = 0 OR subject_id = :subject) ORDER BY id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_vec v = { .size = sizeof(**out) };
	struct sq_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":kind", kind);
	store_sq_bind_i64(s, ":subject", subject_id);
	while ((rc = store_sq_step(c, s, err)) == 1)
		feed_row(s->st, a, store_sq_vec_push(&v));
	store_sq_put(c, s);
	*out = store_sq_vec_finish(&v, rc ? NULL : a, n);
	return rc;
}
