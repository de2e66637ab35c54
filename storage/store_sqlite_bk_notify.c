/* store_sqlite_bk_notify.c - the notification queue in the SQLite backend.
 *
 * A notification row is written by booking/ in the transaction of the
 * booking change that causes it, so a change is never without its message
 * and a rolled-back change never has one. The delivery worker (the email
 * front) claims, sends and updates rows; until then they wait in state
 * queued, not before their settle time. Rows are never deleted: they are
 * the record of what was told to whom.
 *
 * Delivery (v5): a worker claims due rows with one UPDATE ... RETURNING,
 * which sets a lease (claimed_until) on exactly the rows it returns, so two
 * workers, or a worker and its restarted self, never hold one row at once;
 * finishing a row (sent, failed, retry later, withdrawn) drops the lease in
 * the same statement that records the outcome. A worker that dies between
 * the SMTP transaction and the finish leaves a lease that runs out, and the
 * row is sent again with the same Message-ID: at-least-once at the SMTP
 * level, exactly-once for every outcome the worker got to record.
 *
 *   queued --claim--> queued+lease --finish--> sent | failed | withdrawn
 *                                      \--finish(next_try)--> queued
 *   any --resend--> queued
 */
#include <stdlib.h>

#include "store_sqlite_int.h"

#define NOTIF_COLS                                                                            \
	"id, booking_id, kind, recipient, state, created, not_before, attempts, last_error, " \
	"sent, next_try, claimed_until"

static void notif_row(struct sqlite3_stmt *st, struct sd_arena *a, struct store_notification *e)
{
	e->id = sqlite3_column_int64(st, 0);
	e->booking_id = sqlite3_column_int64(st, 1);
	e->kind = store_sq_col_text(st, 2, a);
	e->recipient = store_sq_col_text(st, 3, a);
	e->state = sqlite3_column_int(st, 4);
	e->created = sqlite3_column_int64(st, 5);
	e->not_before = sqlite3_column_int64(st, 6);
	e->attempts = sqlite3_column_int(st, 7);
	e->last_error = store_sq_col_text(st, 8, a);
	e->sent = sqlite3_column_int64(st, 9);
	e->next_try = sqlite3_column_int64(st, 10);
	e->claimed_until = sqlite3_column_int64(st, 11);
}

int store_sq_notification_enqueue(struct store_conn *sc, const struct store_notification *in,
                                  int64_t *id_out, struct sd_err *err)
{
	static const char sql[] =
	    "INSERT INTO notifications (booking_id, kind, recipient, state, created, "
	    "not_before, attempts, last_error, sent) VALUES (:booking, :kind, :recipient, "
	    ":state, :created, :not_before, 0, '', 0)";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":booking", in->booking_id);
	store_sq_bind_text(s, ":kind", sq_nz(in->kind));
	store_sq_bind_text(s, ":recipient", sq_nz(in->recipient));
	store_sq_bind_i64(s, ":state", in->state ? in->state : STORE_NOTIFY_QUEUED);
	store_sq_bind_i64(s, ":created", in->created);
	store_sq_bind_i64(s, ":not_before", in->not_before);
	return store_sq_bk_insert(c, s, id_out, "the booking", NULL, err);
}

int store_sq_notification_list(struct store_conn *sc, int64_t booking_id, int state, int limit,
                               struct sd_arena *a, struct store_notification **out, size_t *n,
                               struct sd_err *err)
{
	static const char by_booking[] =
	    "SELECT " NOTIF_COLS " FROM notifications WHERE booking_id = :booking "
	    "AND (:state = 0 OR state = :state) ORDER BY id LIMIT :limit";
	static const char all[] = "SELECT " NOTIF_COLS " FROM notifications "
	                          "WHERE (:state = 0 OR state = :state) ORDER BY id LIMIT :limit";
	struct sq_conn *c = sq_conn(sc);
	struct sq_vec v = { .size = sizeof(**out) };
	struct sq_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sq_get(c, &s, booking_id ? by_booking : all, err)))
		return rc;
	if (booking_id)
		store_sq_bind_i64(s, ":booking", booking_id);
	store_sq_bind_i64(s, ":state", state);
	store_sq_bind_i64(s, ":limit", limit > 0 ? limit : -1);
	while ((rc = store_sq_step(c, s, err)) == 1)
		notif_row(s->st, a, store_sq_vec_push(&v));
	store_sq_put(c, s);
	*out = store_sq_vec_finish(&v, rc ? NULL : a, n);
	return rc;
}

int store_sq_notification_get(struct store_conn *sc, int64_t id, struct sd_arena *a,
                              struct store_notification *out, struct sd_err *err)
{
	static const char sql[] = "SELECT " NOTIF_COLS " FROM notifications WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":id", id);
	rc = store_sq_step(c, s, err);
	if (rc == 1) {
		notif_row(s->st, a, out);
		rc = 0;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no notification %lld", (long long)id);
	}
	store_sq_put(c, s);
	return rc;
}

static int by_booking_id(const void *pa, const void *pb)
{
	const struct store_notification *x = pa, *y = pb;

	if (x->booking_id != y->booking_id)
		return x->booking_id < y->booking_id ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

int store_sq_notification_claim(struct store_conn *sc, int64_t now, int64_t settle, int64_t lease,
                                int limit, struct sd_arena *a, struct store_notification **out,
                                size_t *n, struct sd_err *err)
{
	/* RETURNING has no ORDER BY: the rows are sorted below. */
	static const char sql[] =
	    "UPDATE notifications SET claimed_until = :until WHERE id IN ("
	    "SELECT id FROM notifications WHERE state = 1 AND claimed_until <= :now "
	    "AND next_try <= :now AND CASE WHEN kind = '" STORE_NOTIFY_REMINDER "' "
	    "THEN not_before ELSE created + :settle END <= :now "
	    "ORDER BY id LIMIT :limit) RETURNING " NOTIF_COLS;
	struct sq_conn *c = sq_conn(sc);
	struct sq_vec v = { .size = sizeof(**out) };
	struct sq_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":until", now + (lease > 0 ? lease : 1));
	store_sq_bind_i64(s, ":now", now);
	store_sq_bind_i64(s, ":settle", settle);
	store_sq_bind_i64(s, ":limit", limit > 0 ? limit : -1);
	while ((rc = store_sq_step(c, s, err)) == 1)
		notif_row(s->st, a, store_sq_vec_push(&v));
	store_sq_put(c, s);
	*out = store_sq_vec_finish(&v, rc ? NULL : a, n);
	if (*out && *n > 1)
		qsort(*out, *n, sizeof(**out), by_booking_id);
	return rc;
}

int store_sq_notification_finish(struct store_conn *sc, const struct store_notification *in,
                                 struct sd_err *err)
{
	static const char sql[] =
	    "UPDATE notifications SET state = :state, attempts = :attempts, "
	    "last_error = :error, sent = :sent, next_try = :next_try, claimed_until = 0 "
	    "WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":state", in->state);
	store_sq_bind_i64(s, ":attempts", in->attempts);
	store_sq_bind_text(s, ":error", sq_nz(in->last_error));
	store_sq_bind_i64(s, ":sent", in->sent);
	store_sq_bind_i64(s, ":next_try", in->next_try);
	store_sq_bind_i64(s, ":id", in->id);
	return store_sq_bk_exec_one(c, s, "notification", in->id, err);
}

int store_sq_notification_resend(struct store_conn *sc, int64_t id, int64_t now, struct sd_err *err)
{
	static const char sql[] =
	    "UPDATE notifications SET state = 1, attempts = 0, last_error = '', "
	    "next_try = 0, claimed_until = 0, not_before = min(not_before, :now) "
	    "WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":now", now);
	store_sq_bind_i64(s, ":id", id);
	return store_sq_bk_exec_one(c, s, "notification", id, err);
}

static int reminders_withdraw(struct sq_conn *c, int64_t booking_id, struct sd_err *err)
{
	static const char sql[] =
	    "UPDATE notifications SET state = 4, last_error = 'superseded', claimed_until = 0 "
	    "WHERE booking_id = :booking AND state = 1 AND kind = '" STORE_NOTIFY_REMINDER "'";
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":booking", booking_id);
	rc = store_sq_exec(c, s, err);
	store_sq_put(c, s);
	return rc;
}

int store_sq_notification_reminders_set(struct store_conn *sc, int64_t booking_id,
                                        const int64_t *at, size_t n, int64_t now,
                                        struct sd_err *err)
{
	struct sq_conn *c = sq_conn(sc);
	struct sq_wtx w;
	int rc;

	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = reminders_withdraw(c, booking_id, err)))
		goto out;
	for (size_t i = 0; i < n && !rc; i++) {
		struct store_notification r = { .booking_id = booking_id,
			                        .kind = STORE_NOTIFY_REMINDER,
			                        .recipient = "customer",
			                        .state = STORE_NOTIFY_QUEUED,
			                        .created = now,
			                        .not_before = at[i] };

		if (at[i] > now)
			rc = store_sq_notification_enqueue(sc, &r, NULL, err);
	}
out:
	return store_sq_wtx_end(c, &w, rc, err);
}
