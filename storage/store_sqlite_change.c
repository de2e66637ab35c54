/* store_sqlite_change.c - the per-collection change log in SQLite.
 *
 * collections.rev is the collection's revision; changes holds one row per
 * (collection, member name) with the rev of the member's latest change and
 * whether that change was a deletion. Recording a change is an UPDATE of
 * rev (RETURNING the new value) and an upsert of the member's row, then the
 * same one level up with the collection as the member, until a home: a PUT
 * into home/cal bumps cal.rev and logs the resource, then bumps home.rev and
 * logs "cal". So a collection's rev changes exactly when something in its
 * subtree or its own properties changes, which is what getctag promises.
 *
 * Reading the log is a range scan of changes_rev: rows of the collection
 * with rev > since, in rev order. since = 0 is the initial sync: every live
 * member, no tombstones.
 */
#include <stdlib.h>

#include "sd_util.h"
#include "store_sqlite_int.h"

/* Increments coll_id's rev; its new rev, parent and name (caller frees). */
static int bump(struct sq_conn *c, int64_t coll_id, int64_t now, int64_t *rev, int64_t *parent,
                char **name, struct sd_err *err)
{
	static const char sql[] =
	    "UPDATE collections SET rev = rev + 1, modified = :now WHERE id = :coll "
	    "RETURNING rev, parent_id, name";
	struct sq_stmt *s;
	int rc;

	*name = NULL;
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":now", now);
	store_sq_bind_i64(s, ":coll", coll_id);
	rc = store_sq_step(c, s, err);
	if (rc == 1) {
		*rev = sqlite3_column_int64(s->st, 0);
		*parent = store_sq_col_id(s->st, 1);
		*name = sd_xstrdup(store_sq_col_text(s->st, 2, NULL));
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no collection %lld", (long long)coll_id);
	}
	store_sq_put(c, s);
	return rc;
}

static int log_member(struct sq_conn *c, int64_t coll_id, const char *member, int64_t rev,
                      int deleted, struct sd_err *err)
{
	static const char sql[] =
	    "INSERT INTO changes (coll_id, name, rev, deleted) "
	    "VALUES (:coll, :name, :rev, :deleted) ON CONFLICT (coll_id, name) "
	    "DO UPDATE SET rev = excluded.rev, deleted = excluded.deleted";
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":coll", coll_id);
	store_sq_bind_text(s, ":name", member);
	store_sq_bind_i64(s, ":rev", rev);
	store_sq_bind_i64(s, ":deleted", deleted != 0);
	rc = store_sq_exec(c, s, err);
	store_sq_put(c, s);
	return rc;
}

int store_sq_change_record(struct sq_conn *c, int64_t coll_id, const char *member, int deleted,
                           struct sd_err *err)
{
	int64_t now = sd_now(), rev = 0, parent = 0;
	char *held = NULL, *name;
	int rc;

	for (;;) {
		rc = bump(c, coll_id, now, &rev, &parent, &name, err);
		if (rc == STORE_OK && member)
			rc = log_member(c, coll_id, member, rev, deleted, err);
		free(held); /* member may point into it until here */
		held = name;
		if (rc || !parent)
			break;
		coll_id = parent;
		member = held;
		deleted = 0;
	}
	free(held);
	return rc;
}

/* ---- iterator ---------------------------------------------------------- */

struct sq_change_iter {
	struct store_change_iter base;
	struct sq_conn *c;
	struct sq_stmt *s; /* held (busy) until the iterator is freed */
	int last;          /* 1 while rows may follow, else the final result */
};

int store_sq_change_iter_new(struct store_conn *sc, int64_t coll_id, int64_t since,
                             struct store_change_iter **out, struct sd_err *err)
{
	static const char sql[] =
	    "SELECT name, rev, deleted FROM changes "
	    "WHERE coll_id = :coll AND rev > :since AND (:since > 0 OR deleted = 0) "
	    "ORDER BY rev";
	struct sq_conn *c = sq_conn(sc);
	struct sq_change_iter *it;
	struct sq_stmt *s;
	int rc;

	*out = NULL;
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":coll", coll_id);
	store_sq_bind_i64(s, ":since", since);
	it = sd_xcalloc(1, sizeof(*it));
	it->base.be = sc->be;
	it->c = c;
	it->s = s;
	it->last = 1;
	*out = &it->base;
	return STORE_OK;
}

int store_sq_change_iter_next(struct store_change_iter *base, struct store_change *out,
                              struct sd_err *err)
{
	struct sq_change_iter *it = (struct sq_change_iter *)base;
	int rc;

	/* Stepping past the end would restart the statement. */
	if (it->last < 0)
		return sd_err_set(err, it->last, "iterator failed earlier");
	if (it->last == 0)
		return 0;
	rc = store_sq_step(it->c, it->s, err);
	if (rc == 1) {
		out->name = store_sq_col_text(it->s->st, 0, NULL);
		out->rev = sqlite3_column_int64(it->s->st, 1);
		out->deleted = sqlite3_column_int(it->s->st, 2);
	}
	it->last = rc;
	return rc;
}

void store_sq_change_iter_free(struct store_change_iter *base)
{
	struct sq_change_iter *it = (struct sq_change_iter *)base;

	if (!it)
		return;
	store_sq_put(it->c, it->s);
	free(it);
}
