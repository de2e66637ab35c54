/* store_sqlite_coll.c - collections in the SQLite backend.
 *
 * The tree lives in collections.parent_id (NULL for a home; the API's 0 is
 * bound as NULL by store_sq_bind_id, and lookups use "parent_id IS :parent"
 * so both cases use the (parent_id, name) index). Collections and resources
 * share one namespace per parent: every create, put and move checks both
 * (store_sq_name_check) inside its write bracket.
 *
 * Deleting a collection is one DELETE: the foreign keys cascade through
 * child collections, resources, properties and change rows. What cascades
 * cannot do is write the tombstone into the parent's log; the functions
 * here do that in the same bracket. A move re-parents the row and keeps its
 * id, so the members, properties and change log come along untouched.
 */
#include <stdlib.h>

#include "sd_util.h"
#include "store_sqlite_int.h"

#define COLL_COLS                                                                \
	"id, parent_id, owner_id, kind, name, displayname, description, color, " \
	"sort_order, timezone, components, rev, created, modified"

/* Fills out from a row of COLL_COLS; strings into a, or borrowed if a is NULL. */
static void coll_row(sqlite3_stmt *st, struct sd_arena *a, struct store_coll *out)
{
	out->id = sqlite3_column_int64(st, 0);
	out->parent_id = store_sq_col_id(st, 1);
	out->owner_id = sqlite3_column_int64(st, 2);
	out->kind = sqlite3_column_int(st, 3);
	out->name = store_sq_col_text(st, 4, a);
	out->displayname = store_sq_col_text(st, 5, a);
	out->description = store_sq_col_text(st, 6, a);
	out->color = store_sq_col_text(st, 7, a);
	out->order = store_sq_col_text(st, 8, a);
	out->timezone = store_sq_col_text(st, 9, a);
	out->components = (unsigned)sqlite3_column_int64(st, 10);
	out->rev = sqlite3_column_int64(st, 11);
	out->created = sqlite3_column_int64(st, 12);
	out->modified = sqlite3_column_int64(st, 13);
}

/* Steps a bound single-collection query into out and puts it back. */
static int coll_read(struct sq_conn *c, struct sq_stmt *s, struct sd_arena *a,
                     struct store_coll *out, struct sd_err *err)
{
	int rc = store_sq_step(c, s, err);

	if (rc == 1) {
		coll_row(s->st, a, out);
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no such collection");
	}
	store_sq_put(c, s);
	return rc;
}

int store_sq_home_get(struct store_conn *sc, int64_t owner_id, struct sd_arena *a,
                      struct store_coll *out, struct sd_err *err)
{
	static const char sql[] = "SELECT " COLL_COLS " FROM collections "
	                          "WHERE owner_id = :owner AND parent_id IS NULL";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":owner", owner_id);
	return coll_read(c, s, a, out, err);
}

int store_sq_coll_get(struct store_conn *sc, int64_t parent_id, const char *name,
                      struct sd_arena *a, struct store_coll *out, struct sd_err *err)
{
	static const char sql[] = "SELECT " COLL_COLS " FROM collections "
	                          "WHERE parent_id IS :parent AND name = :name";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_id(s, ":parent", parent_id);
	store_sq_bind_text(s, ":name", name);
	return coll_read(c, s, a, out, err);
}

int store_sq_coll_get_by_id(struct store_conn *sc, int64_t id, struct sd_arena *a,
                            struct store_coll *out, struct sd_err *err)
{
	static const char sql[] = "SELECT " COLL_COLS " FROM collections WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":id", id);
	return coll_read(c, s, a, out, err);
}

int store_sq_name_check(struct sq_conn *c, int64_t coll_id, const char *name, struct sq_name *out,
                        struct sd_err *err)
{
	static const char sql[] =
	    "SELECT EXISTS (SELECT 1 FROM collections WHERE id = :coll), "
	    "EXISTS (SELECT 1 FROM collections WHERE parent_id = :coll AND name = :name), "
	    "EXISTS (SELECT 1 FROM objects WHERE coll_id = :coll AND name = :name)";
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":coll", coll_id);
	store_sq_bind_text(s, ":name", name);
	rc = store_sq_step(c, s, err);
	if (rc == 1) {
		out->coll_exists = sqlite3_column_int(s->st, 0);
		out->is_coll = sqlite3_column_int(s->st, 1);
		out->is_obj = sqlite3_column_int(s->st, 2);
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_EIO, "name check returned no row");
	}
	store_sq_put(c, s);
	return rc;
}

static int coll_insert(struct sq_conn *c, const struct store_coll *in, int64_t *id_out,
                       struct sd_err *err)
{
	static const char sql[] =
	    "INSERT INTO collections (parent_id, owner_id, kind, name, displayname, "
	    "description, color, sort_order, timezone, components, rev, created, modified) "
	    "VALUES (:parent, :owner, :kind, :name, :displayname, :description, :color, "
	    ":order, :timezone, :components, 0, :now, :now) RETURNING id";
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_id(s, ":parent", in->parent_id);
	store_sq_bind_i64(s, ":owner", in->owner_id);
	store_sq_bind_i64(s, ":kind", in->kind);
	store_sq_bind_text(s, ":name", in->name);
	store_sq_bind_text(s, ":displayname", in->displayname);
	store_sq_bind_text(s, ":description", in->description);
	store_sq_bind_text(s, ":color", in->color);
	store_sq_bind_text(s, ":order", in->order);
	store_sq_bind_text(s, ":timezone", in->timezone);
	store_sq_bind_i64(s, ":components", in->components);
	store_sq_bind_i64(s, ":now", sd_now());
	rc = store_sq_step(c, s, err);
	if (rc == 1) {
		*id_out = sqlite3_column_int64(s->st, 0);
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_EIO, "INSERT ... RETURNING returned no row");
	}
	store_sq_put(c, s);
	return rc;
}

int store_sq_coll_create(struct store_conn *sc, const struct store_coll *in, int64_t *id_out,
                         struct sd_err *err)
{
	struct sq_conn *c = sq_conn(sc);
	struct sq_name nm = { 0 };
	struct sq_wtx w;
	int64_t id = 0;
	int rc;

	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = store_sq_name_check(c, in->parent_id, in->name, &nm, err)))
		goto out;
	if (!nm.coll_exists) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no parent collection %lld",
		                (long long)in->parent_id);
		goto out;
	}
	if (nm.is_coll || nm.is_obj) {
		rc = sd_err_set(err, STORE_EEXISTS, "%s exists", in->name);
		goto out;
	}
	if ((rc = coll_insert(c, in, &id, err)))
		goto out;
	rc = store_sq_change_record(c, in->parent_id, in->name, 0, err);
out:
	rc = store_sq_wtx_end(c, &w, rc, err);
	if (rc == STORE_OK && id_out)
		*id_out = id;
	return rc;
}

int store_sq_coll_update(struct store_conn *sc, const struct store_coll *in, struct sd_err *err)
{
	static const char sql[] =
	    "UPDATE collections SET displayname = :displayname, description = :description, "
	    "color = :color, sort_order = :order, timezone = :timezone, "
	    "components = :components WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s = NULL;
	struct sq_wtx w;
	int rc;

	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = store_sq_get(c, &s, sql, err)))
		goto out;
	store_sq_bind_text(s, ":displayname", in->displayname);
	store_sq_bind_text(s, ":description", in->description);
	store_sq_bind_text(s, ":color", in->color);
	store_sq_bind_text(s, ":order", in->order);
	store_sq_bind_text(s, ":timezone", in->timezone);
	store_sq_bind_i64(s, ":components", in->components);
	store_sq_bind_i64(s, ":id", in->id);
	if ((rc = store_sq_exec(c, s, err)))
		goto out;
	if (sqlite3_changes(c->db) == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no collection %lld", (long long)in->id);
		goto out;
	}
	rc = store_sq_change_record(c, in->id, NULL, 0, err);
out:
	store_sq_put(c, s);
	return store_sq_wtx_end(c, &w, rc, err);
}

/* *parent_out and *name_out (caller frees) of collection id. STORE_ENOTFOUND. */
static int coll_place(struct sq_conn *c, int64_t id, int64_t *parent_out, char **name_out,
                      struct sd_err *err)
{
	static const char sql[] = "SELECT parent_id, name FROM collections WHERE id = :id";
	struct sq_stmt *s;
	int rc;

	*name_out = NULL;
	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":id", id);
	rc = store_sq_step(c, s, err);
	if (rc == 1) {
		*parent_out = store_sq_col_id(s->st, 0);
		*name_out = sd_xstrdup(store_sq_col_text(s->st, 1, NULL));
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no collection %lld", (long long)id);
	}
	store_sq_put(c, s);
	return rc;
}

int store_sq_coll_delete_tree(struct sq_conn *c, int64_t id, struct sd_err *err)
{
	static const char sql[] = "DELETE FROM collections WHERE id = :id";
	struct sq_stmt *s = NULL;
	int64_t parent = 0;
	char *name = NULL;
	int rc;

	if ((rc = coll_place(c, id, &parent, &name, err)))
		goto out;
	if ((rc = store_sq_get(c, &s, sql, err)))
		goto out;
	store_sq_bind_i64(s, ":id", id);
	if ((rc = store_sq_exec(c, s, err)))
		goto out;
	if (parent)
		rc = store_sq_change_record(c, parent, name, 1, err);
out:
	store_sq_put(c, s);
	free(name);
	return rc;
}

int store_sq_coll_delete(struct store_conn *sc, int64_t id, struct sd_err *err)
{
	struct sq_conn *c = sq_conn(sc);
	struct sq_wtx w;
	int rc;

	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	rc = store_sq_coll_delete_tree(c, id, err);
	return store_sq_wtx_end(c, &w, rc, err);
}

/* Whether collection id is new_parent or one of its ancestors: moving id
 * under new_parent would then cut a cycle out of the tree. */
static int move_makes_cycle(struct sq_conn *c, int64_t id, int64_t new_parent, int *cycle,
                            struct sd_err *err)
{
	static const char sql[] =
	    "WITH RECURSIVE up (id) AS (SELECT :parent UNION ALL "
	    "SELECT c.parent_id FROM collections AS c JOIN up ON c.id = up.id "
	    "WHERE c.parent_id IS NOT NULL) "
	    "SELECT EXISTS (SELECT 1 FROM up WHERE id = :id)";
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":parent", new_parent);
	store_sq_bind_i64(s, ":id", id);
	rc = store_sq_step(c, s, err);
	if (rc == 1) {
		*cycle = sqlite3_column_int(s->st, 0);
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_EIO, "cycle check returned no row");
	}
	store_sq_put(c, s);
	return rc;
}

/* The checks of a move, in the order callers expect the codes. */
static int move_check(struct sq_conn *c, int64_t id, int64_t old_parent, int64_t new_parent,
                      const char *new_name, struct sd_err *err)
{
	struct sq_name nm = { 0 };
	int cycle = 0, rc;

	if (!old_parent)
		return sd_err_set(err, STORE_ENOTFOUND, "a home cannot be moved");
	if ((rc = store_sq_name_check(c, new_parent, new_name, &nm, err)))
		return rc;
	if (!nm.coll_exists)
		return sd_err_set(err, STORE_ENOTFOUND, "no collection %lld",
		                  (long long)new_parent);
	if ((rc = move_makes_cycle(c, id, new_parent, &cycle, err)))
		return rc;
	if (cycle)
		return sd_err_set(err, STORE_ENOTFOUND, "cannot move a collection into itself");
	if (nm.is_coll || nm.is_obj)
		return sd_err_set(err, STORE_EEXISTS, "%s exists", new_name);
	return STORE_OK;
}

int store_sq_coll_move(struct store_conn *sc, int64_t id, int64_t new_parent_id,
                       const char *new_name, struct sd_err *err)
{
	static const char sql[] =
	    "UPDATE collections SET parent_id = :parent, name = :name WHERE id = :id";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s = NULL;
	int64_t old_parent = 0;
	char *old_name = NULL;
	struct sq_wtx w;
	int rc;

	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = coll_place(c, id, &old_parent, &old_name, err)) ||
	    (rc = move_check(c, id, old_parent, new_parent_id, new_name, err)))
		goto out;
	if ((rc = store_sq_get(c, &s, sql, err)))
		goto out;
	store_sq_bind_i64(s, ":parent", new_parent_id);
	store_sq_bind_text(s, ":name", new_name);
	store_sq_bind_i64(s, ":id", id);
	if ((rc = store_sq_exec(c, s, err)))
		goto out;
	if ((rc = store_sq_change_record(c, old_parent, old_name, 1, err)))
		goto out;
	rc = store_sq_change_record(c, new_parent_id, new_name, 0, err);
out:
	store_sq_put(c, s);
	free(old_name);
	return store_sq_wtx_end(c, &w, rc, err);
}

int store_sq_coll_foreach(struct store_conn *sc, int64_t parent_id,
                          int (*fn)(void *cls, const struct store_coll *coll), void *cls,
                          struct sd_err *err)
{
	static const char sql[] = "SELECT " COLL_COLS " FROM collections "
	                          "WHERE parent_id IS :parent ORDER BY name";
	struct sq_conn *c = sq_conn(sc);
	struct store_coll coll;
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_id(s, ":parent", parent_id);
	while ((rc = store_sq_step(c, s, err)) == 1) {
		coll_row(s->st, NULL, &coll);
		if ((rc = fn(cls, &coll)))
			break;
	}
	store_sq_put(c, s);
	return rc;
}
