/* store_sqlite_user.c - users in the SQLite backend.
 *
 * A user and its home are made and removed together: user_create inserts
 * both in one bracket, user_delete removes every collection tree the user
 * owns, then the user row. The owner_id foreign key has no action on
 * purpose: removing a user that still owns a collection is an error, never
 * a silent cascade that would skip the tombstone in some parent's log.
 * A login that is a staff member (store_bk.h) cannot be deleted at all
 * (STORE_EINUSE): staff rows RESTRICT their user, see the schema.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sd_util.h"
#include "store_sqlite_int.h"

#define USER_COLS "id, name, displayname, email, pwhash, created"

/* Fills u from a row of USER_COLS; strings into a, or borrowed if a is NULL. */
static void user_row(sqlite3_stmt *st, struct sd_arena *a, struct store_user *u)
{
	u->id = sqlite3_column_int64(st, 0);
	u->name = store_sq_col_text(st, 1, a);
	u->displayname = store_sq_col_text(st, 2, a);
	u->email = store_sq_col_text(st, 3, a);
	u->pwhash = store_sq_col_text(st, 4, a);
	u->created = sqlite3_column_int64(st, 5);
}

/* Steps a bound single-user query into out; STORE_ENOTFOUND naming who. */
static int user_read(struct sq_conn *c, struct sq_stmt *s, struct sd_arena *a,
                     struct store_user *out, const char *who, struct sd_err *err)
{
	int rc = store_sq_step(c, s, err);

	if (rc == 1) {
		user_row(s->st, a, out);
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no user %s", who);
	}
	store_sq_put(c, s);
	return rc;
}

int store_sq_user_create(struct store_conn *sc, const char *name, const char *displayname,
                         const char *email, const char *pwhash, int64_t *id_out, struct sd_err *err)
{
	static const char user_sql[] =
	    "INSERT INTO users (name, displayname, email, pwhash, created) "
	    "VALUES (:name, :displayname, :email, :pwhash, :now) RETURNING id";
	static const char home_sql[] =
	    "INSERT INTO collections (parent_id, owner_id, kind, name, components, rev, "
	    "created, modified) VALUES (NULL, :owner, :kind, :name, 0, 0, :now, :now)";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s = NULL;
	struct sq_wtx w;
	int64_t now = sd_now(), id = 0;
	int rc;

	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = store_sq_get(c, &s, user_sql, err)))
		goto out;
	store_sq_bind_text(s, ":name", name);
	store_sq_bind_text(s, ":displayname", displayname ? displayname : "");
	store_sq_bind_text(s, ":email", email ? email : "");
	store_sq_bind_text(s, ":pwhash", pwhash);
	store_sq_bind_i64(s, ":now", now);
	rc = store_sq_step(c, s, err);
	if (rc == STORE_EEXISTS)
		sd_err_set(err, rc, "user %s exists", name);
	if (rc == 0)
		rc = sd_err_set(err, STORE_EIO, "INSERT ... RETURNING returned no row");
	if (rc < 0)
		goto out;
	id = sqlite3_column_int64(s->st, 0);
	store_sq_put(c, s);

	if ((rc = store_sq_get(c, &s, home_sql, err)))
		goto out;
	store_sq_bind_i64(s, ":owner", id);
	store_sq_bind_i64(s, ":kind", STORE_COLL_HOME);
	store_sq_bind_text(s, ":name", name);
	store_sq_bind_i64(s, ":now", now);
	rc = store_sq_exec(c, s, err);
out:
	store_sq_put(c, s);
	rc = store_sq_wtx_end(c, &w, rc, err);
	if (rc == STORE_OK && id_out)
		*id_out = id;
	return rc;
}

int store_sq_user_get(struct store_conn *sc, const char *name, struct sd_arena *a,
                      struct store_user *out, struct sd_err *err)
{
	static const char sql[] = "SELECT " USER_COLS " FROM users WHERE name = :name";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_text(s, ":name", name);
	return user_read(c, s, a, out, name, err);
}

int store_sq_user_get_by_id(struct store_conn *sc, int64_t id, struct sd_arena *a,
                            struct store_user *out, struct sd_err *err)
{
	static const char sql[] = "SELECT " USER_COLS " FROM users WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	char who[32];
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":id", id);
	snprintf(who, sizeof(who), "#%lld", (long long)id);
	return user_read(c, s, a, out, who, err);
}

int store_sq_user_get_by_email(struct store_conn *sc, const char *email, struct sd_arena *a,
                               struct store_user *out, struct sd_err *err)
{
	static const char sql[] = "SELECT " USER_COLS " FROM users "
	                          "WHERE email = :email COLLATE NOCASE AND email <> '' "
	                          "ORDER BY id LIMIT 1";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_text(s, ":email", email ? email : "");
	return user_read(c, s, a, out, email ? email : "", err);
}

int store_sq_user_set_password(struct store_conn *sc, const char *name, const char *pwhash,
                               struct sd_err *err)
{
	static const char sql[] = "UPDATE users SET pwhash = :pwhash WHERE name = :name";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_text(s, ":pwhash", pwhash);
	store_sq_bind_text(s, ":name", name);
	rc = store_sq_exec(c, s, err);
	if (rc == STORE_OK && sqlite3_changes(c->db) == 0)
		rc = sd_err_set(err, STORE_ENOTFOUND, "no user %s", name);
	store_sq_put(c, s);
	return rc;
}

/* The ids of the roots of the trees user id owns: collections it owns whose
 * parent it does not (its home, usually nothing else). Caller frees *out. */
static int owned_roots(struct sq_conn *c, int64_t id, int64_t **out, size_t *n, struct sd_err *err)
{
	static const char sql[] =
	    "SELECT c.id FROM collections AS c LEFT JOIN collections AS p ON p.id = c.parent_id "
	    "WHERE c.owner_id = :owner AND (p.id IS NULL OR p.owner_id <> :owner)";
	struct sq_stmt *s;
	size_t cap = 4;
	int rc;

	*n = 0;
	*out = sd_xmalloc(cap * sizeof(**out));
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":owner", id);
	while ((rc = store_sq_step(c, s, err)) == 1) {
		if (*n == cap)
			*out = sd_xrealloc(*out, (cap *= 2) * sizeof(**out));
		(*out)[(*n)++] = sqlite3_column_int64(s->st, 0);
	}
	store_sq_put(c, s);
	return rc;
}

/* STORE_EINUSE if user id is a staff member. */
static int staff_check(struct sq_conn *c, int64_t id, struct sd_err *err)
{
	static const char sql[] = "SELECT EXISTS (SELECT 1 FROM staff WHERE user_id = :id)";
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":id", id);
	rc = store_sq_step(c, s, err);
	if (rc == 1)
		rc = sqlite3_column_int(s->st, 0)
		         ? sd_err_set(err, STORE_EINUSE, "user #%lld is a staff member",
		                      (long long)id)
		         : STORE_OK;
	else if (rc == 0)
		rc = sd_err_set(err, STORE_EIO, "staff check returned no row");
	store_sq_put(c, s);
	return rc;
}

/* Deletes what user id owns, then the user row; inside a bracket. */
static int user_remove(struct sq_conn *c, int64_t id, struct sd_err *err)
{
	static const char sql[] = "DELETE FROM users WHERE id = :id";
	struct sq_stmt *s = NULL;
	int64_t *roots = NULL;
	size_t n = 0;
	int rc;

	if ((rc = staff_check(c, id, err)) || (rc = owned_roots(c, id, &roots, &n, err)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		/* A root inside an earlier root's tree went with it. */
		rc = store_sq_coll_delete_tree(c, roots[i], err);
		if (rc == STORE_ENOTFOUND)
			rc = STORE_OK;
		if (rc)
			goto out;
	}
	if ((rc = store_sq_get(c, &s, sql, err)))
		goto out;
	store_sq_bind_i64(s, ":id", id);
	rc = store_sq_exec(c, s, err);
out:
	store_sq_put(c, s);
	free(roots);
	return rc;
}

int store_sq_user_delete(struct store_conn *sc, const char *name, struct sd_err *err)
{
	static const char sql[] = "SELECT id FROM users WHERE name = :name";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s = NULL;
	struct sq_wtx w;
	int64_t id;
	int rc;

	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = store_sq_get(c, &s, sql, err)))
		goto out;
	store_sq_bind_text(s, ":name", name);
	rc = store_sq_step(c, s, err);
	if (rc == 0)
		rc = sd_err_set(err, STORE_ENOTFOUND, "no user %s", name);
	if (rc < 0)
		goto out;
	id = sqlite3_column_int64(s->st, 0);
	store_sq_put(c, s);
	s = NULL;
	rc = user_remove(c, id, err);
out:
	store_sq_put(c, s);
	return store_sq_wtx_end(c, &w, rc, err);
}

int store_sq_user_foreach(struct store_conn *sc, int (*fn)(void *cls, const struct store_user *u),
                          void *cls, struct sd_err *err)
{
	static const char sql[] = "SELECT " USER_COLS " FROM users ORDER BY name";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	struct store_user u;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	while ((rc = store_sq_step(c, s, err)) == 1) {
		user_row(s->st, NULL, &u);
		if ((rc = fn(cls, &u)))
			break;
	}
	store_sq_put(c, s);
	return rc;
}
