/* store_sqlite_bk_notify.c - the notification queue in the SQLite backend.
 *
 * A notification row is written by booking/ in the transaction of the
 * booking change that causes it, so a change is never without its message
 * and a rolled-back change never has one. The delivery worker (the email
 * front) claims, sends and updates rows; until then they wait in state
 * queued, not before their settle time. Rows are never deleted: they are
 * the record of what was told to whom.
 */
#include "store_sqlite_int.h"

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
		"SELECT id, booking_id, kind, recipient, state, created, not_before, attempts, "
		"last_error, sent FROM notifications WHERE booking_id = :booking "
		"AND (:state = 0 OR state = :state) ORDER BY id LIMIT :limit";
	static const char all[] =
		"SELECT id, booking_id, kind, recipient, state, created, not_before, attempts, "
		"last_error, sent FROM notifications WHERE (:state = 0 OR state = :state) "
		"ORDER BY id LIMIT :limit";
	struct sq_conn *c = sq_conn(sc);
	struct sq_vec v = {.size = sizeof(**out)};
	struct store_notification *e;
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
	while ((rc = store_sq_step(c, s, err)) == 1) {
		e = store_sq_vec_push(&v);
		e->id = sqlite3_column_int64(s->st, 0);
		e->booking_id = sqlite3_column_int64(s->st, 1);
		e->kind = store_sq_col_text(s->st, 2, a);
		e->recipient = store_sq_col_text(s->st, 3, a);
		e->state = sqlite3_column_int(s->st, 4);
		e->created = sqlite3_column_int64(s->st, 5);
		e->not_before = sqlite3_column_int64(s->st, 6);
		e->attempts = sqlite3_column_int(s->st, 7);
		e->last_error = store_sq_col_text(s->st, 8, a);
		e->sent = sqlite3_column_int64(s->st, 9);
	}
	store_sq_put(c, s);
	*out = store_sq_vec_finish(&v, rc ? NULL : a, n);
	return rc;
}
