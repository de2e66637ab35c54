/* store_sqlite_prop.c - dead properties in the SQLite backend.
 *
 * A property row belongs to a collection (obj_name '') or to one of its
 * resources (obj_name = the resource's name); the API's NULL obj_name is
 * the ''. Rows of a collection go with it through the coll_id foreign key;
 * rows of a resource are deleted and moved by store_sqlite_obj.c, since no
 * foreign key can point at (coll_id, name) and also allow ''.
 *
 * Writes record a change: of the collection itself (its rev, and its
 * parent's log) or of the resource (a member row), so a sync reports a
 * PROPPATCHed resource even though its ETag did not change.
 */
#include "store_sqlite_int.h"

/* The '' that stands for "the collection itself" in props.obj_name. */
static const char *owner_key(const char *obj_name)
{
	return obj_name ? obj_name : "";
}

/* The member whose change a write records: NULL for the collection itself. */
static const char *member_of(const char *obj_name)
{
	return obj_name && *obj_name ? obj_name : NULL;
}

/* Whether the owner of the properties exists. STORE_ENOTFOUND if not. */
static int owner_check(struct sq_conn *c, int64_t coll_id, const char *obj_name, struct sd_err *err)
{
	static const char sql[] =
	    "SELECT CASE WHEN :obj = '' "
	    "THEN EXISTS (SELECT 1 FROM collections WHERE id = :coll) "
	    "ELSE EXISTS (SELECT 1 FROM objects WHERE coll_id = :coll AND name = :obj) END";
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":coll", coll_id);
	store_sq_bind_text(s, ":obj", owner_key(obj_name));
	rc = store_sq_step(c, s, err);
	if (rc == 1)
		rc = sqlite3_column_int(s->st, 0)
		         ? STORE_OK
		         : sd_err_set(err, STORE_ENOTFOUND, "no such collection or resource");
	else if (rc == 0)
		rc = sd_err_set(err, STORE_EIO, "owner check returned no row");
	store_sq_put(c, s);
	return rc;
}

static int prop_upsert(struct sq_conn *c, int64_t coll_id, const char *obj_name,
                       const struct store_prop *p, struct sd_err *err)
{
	static const char sql[] =
	    "INSERT INTO props (coll_id, obj_name, ns, name, xml) "
	    "VALUES (:coll, :obj, :ns, :name, :xml) "
	    "ON CONFLICT (coll_id, obj_name, ns, name) DO UPDATE SET xml = excluded.xml";
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":coll", coll_id);
	store_sq_bind_text(s, ":obj", owner_key(obj_name));
	store_sq_bind_text(s, ":ns", p->ns ? p->ns : "");
	store_sq_bind_text(s, ":name", p->name);
	store_sq_bind_text(s, ":xml", p->xml);
	rc = store_sq_exec(c, s, err);
	store_sq_put(c, s);
	return rc;
}

int store_sq_prop_set(struct store_conn *sc, int64_t coll_id, const char *obj_name,
                      const struct store_prop *p, struct sd_err *err)
{
	struct sq_conn *c = sq_conn(sc);
	struct sq_wtx w;
	int rc;

	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = owner_check(c, coll_id, obj_name, err)) ||
	    (rc = prop_upsert(c, coll_id, obj_name, p, err)))
		goto out;
	rc = store_sq_change_record(c, coll_id, member_of(obj_name), 0, err);
out:
	return store_sq_wtx_end(c, &w, rc, err);
}

int store_sq_prop_remove(struct store_conn *sc, int64_t coll_id, const char *obj_name,
                         const char *ns, const char *name, struct sd_err *err)
{
	static const char sql[] = "DELETE FROM props WHERE coll_id = :coll AND obj_name = :obj "
	                          "AND ns = :ns AND name = :name";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s = NULL;
	struct sq_wtx w;
	int rc;

	if ((rc = store_sq_wtx_begin(c, &w, err)))
		return rc;
	if ((rc = store_sq_get(c, &s, sql, err)))
		goto out;
	store_sq_bind_i64(s, ":coll", coll_id);
	store_sq_bind_text(s, ":obj", owner_key(obj_name));
	store_sq_bind_text(s, ":ns", ns ? ns : "");
	store_sq_bind_text(s, ":name", name);
	if ((rc = store_sq_exec(c, s, err)))
		goto out;
	if (sqlite3_changes(c->db) == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no property {%s}%s", ns ? ns : "", name);
		goto out;
	}
	rc = store_sq_change_record(c, coll_id, member_of(obj_name), 0, err);
out:
	store_sq_put(c, s);
	return store_sq_wtx_end(c, &w, rc, err);
}

int store_sq_prop_get(struct store_conn *sc, int64_t coll_id, const char *obj_name, const char *ns,
                      const char *name, struct sd_arena *a, struct store_prop *out,
                      struct sd_err *err)
{
	static const char sql[] = "SELECT ns, name, xml FROM props WHERE coll_id = :coll "
	                          "AND obj_name = :obj AND ns = :ns AND name = :name";
	struct sq_conn *c = sq_conn(sc);
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":coll", coll_id);
	store_sq_bind_text(s, ":obj", owner_key(obj_name));
	store_sq_bind_text(s, ":ns", ns ? ns : "");
	store_sq_bind_text(s, ":name", name);
	rc = store_sq_step(c, s, err);
	if (rc == 1) {
		out->ns = store_sq_col_text(s->st, 0, a);
		out->name = store_sq_col_text(s->st, 1, a);
		out->xml = store_sq_col_text(s->st, 2, a);
		rc = STORE_OK;
	} else if (rc == 0) {
		rc = sd_err_set(err, STORE_ENOTFOUND, "no property {%s}%s", ns ? ns : "", name);
	}
	store_sq_put(c, s);
	return rc;
}

int store_sq_prop_foreach(struct store_conn *sc, int64_t coll_id, const char *obj_name,
                          int (*fn)(void *cls, const struct store_prop *p), void *cls,
                          struct sd_err *err)
{
	static const char sql[] = "SELECT ns, name, xml FROM props "
	                          "WHERE coll_id = :coll AND obj_name = :obj ORDER BY ns, name";
	struct sq_conn *c = sq_conn(sc);
	struct store_prop p;
	struct sq_stmt *s;
	int rc;

	if ((rc = store_sq_get(c, &s, sql, err)))
		return rc;
	store_sq_bind_i64(s, ":coll", coll_id);
	store_sq_bind_text(s, ":obj", owner_key(obj_name));
	while ((rc = store_sq_step(c, s, err)) == 1) {
		p.ns = store_sq_col_text(s->st, 0, NULL);
		p.name = store_sq_col_text(s->st, 1, NULL);
		p.xml = store_sq_col_text(s->st, 2, NULL);
		if ((rc = fn(cls, &p)))
			break;
	}
	store_sq_put(c, s);
	return rc;
}
