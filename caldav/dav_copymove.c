/* dav_copymove.c - COPY and MOVE (RFC 4918 9.8, 9.9; RFC 4791 5.3.2.1).
 *
 * Both run in one write transaction: resolve the Destination, apply
 * Overwrite, remove what is in the way, then copy or move. A calendar
 * object going into a calendar is checked like a PUT there (component set,
 * size, UID uniqueness), so COPY and MOVE can never sneak in what PUT would
 * refuse. Dead properties travel with the resource. Collections move whole
 * (storage keeps their id, members and properties); COPY of a collection
 * with Depth: infinity copies its tree, Depth: 0 the collection and its
 * properties only.
 */
#include <string.h>
#include <strings.h>

#include "dav_int.h"
#include "sd_util.h"

struct copy_job {
	struct dav_ctx *x;
	struct dav_res *src, *dst;
	int move, depth_inf;
	struct dav_hook_write w; /* the hook's refusal, if any */
};

static int overwrite_flag(struct dav_ctx *x, int *overwrite)
{
	const char *o = sd_req_header(x->req, "Overwrite");

	*overwrite = 1;
	if (!o || !strcmp(o, "T"))
		return 0;
	if (!strcmp(o, "F")) {
		*overwrite = 0;
		return 0;
	}
	return dav_fail(x, 400, DAV_COND_NONE, "Overwrite must be T or F");
}

/* Puts one object (data and calendar fields) at dst_coll/dst_name, with its
 * dead properties. The destination name must be free. */
static int copy_object(struct dav_ctx *x, const struct store_obj *o, int64_t src_coll,
                       const struct store_coll *dst_coll, const char *dst_href,
                       const char *dst_name)
{
	struct store_obj in = *o;
	struct ics_info info;
	int rc;

	in.coll_id = dst_coll->id;
	in.name = dst_name;
	if (dst_coll->kind == STORE_COLL_CALENDAR) {
		rc = dav_object_check(x, dst_coll, o->data, o->len, &info);
		if (!rc)
			rc = dav_uid_check(x, dst_coll, dst_href, dst_name, NULL, info.uid);
		if (rc)
			return rc;
		dav_object_index(x, &in, &info);
		in.content_type = "text/calendar; charset=utf-8";
	}
	rc = store_obj_put(x->conn, &in, x->a, NULL, NULL, &x->err);
	if (!rc)
		rc = dav_props_copy(x, src_coll, o->name, dst_coll->id, dst_name);
	return rc ? dav_fail_store(x, rc) : 0;
}

/* Copies collection src (and, with depth_inf, its tree) to parent/name. */
static int copy_tree(struct dav_ctx *x, const struct store_coll *src, int64_t parent,
                     const char *name, const char *href, int depth_inf)
{
	struct store_coll c = *src, made, *kids;
	size_t nkids;
	struct store_obj_iter *it = NULL;
	struct store_obj o;
	int64_t id;
	int rc;

	c.parent_id = parent;
	c.name = name;
	rc = store_coll_create(x->conn, &c, &id, &x->err);
	if (!rc)
		rc = dav_props_copy(x, src->id, NULL, id, NULL);
	if (!rc)
		rc = store_coll_get_by_id(x->conn, id, x->a, &made, &x->err);
	if (rc)
		return dav_fail_store(x, rc);
	if (!depth_inf)
		return 0;
	rc = store_obj_iter_new(x->conn, src->id, 1, &it, &x->err);
	while (rc == 0 && (rc = store_obj_iter_next(it, &o, &x->err)) == 1)
		rc = copy_object(x, &o, src->id, &made, href, o.name);
	store_obj_iter_free(it);
	if (rc)
		return rc < 0 ? dav_fail_store(x, rc) : rc;
	rc = dav_children(x, src->id, &kids, &nkids);
	for (size_t i = 0; i < nkids && !rc; i++)
		rc = copy_tree(x, &kids[i], id, kids[i].name,
		               dav_href_member(x, href, kids[i].name, 1), 1);
	return rc;
}

static int move_collection(struct dav_ctx *x, struct copy_job *j)
{
	int rc = store_coll_move(x->conn, j->src->coll.id, j->dst->coll.id, j->dst->name, &x->err);

	return rc ? dav_fail_store(x, rc) : 0;
}

/* A COPY or MOVE that touches a calendar the hooks watch is what a client
 * would do with PUT and DELETE: the PUT at the destination, then (MOVE) the
 * DELETE at the source, each shown to the hook, in this one transaction.
 * So moving a booking's event out of a Bookings calendar cancels it, and
 * into one books, under the same rules as the methods themselves. */
static int transfer_hooked(struct dav_ctx *x, struct copy_job *j, const struct store_obj *o)
{
	const char *dst_coll_href = sd_arena_strndup(
	    x->a, j->dst->href, (size_t)(strrchr(j->dst->href, '/') - j->dst->href) + 1);
	int rc = 0;

	/* A MOVE between two hooked calendars is first offered whole to the
	 * hook (a booking given to another staff member is one reassignment,
	 * not a cancel and a new booking). */
	if (j->move && dav_hooked(x, &j->src->coll) && dav_hooked(x, &j->dst->coll)) {
		rc = dav_hook_move(x, &j->src->coll, j->src->name, &j->dst->coll, j->dst->name,
		                   &j->w, o);
		if (rc || j->w.handled)
			return rc;
	}
	if (j->move && dav_hooked(x, &j->src->coll)) {
		rc = dav_hook_write(x, &j->src->coll, j->src->name, &j->w, o->data, NULL, 0);
		if (!rc && !j->w.handled &&
		    (rc = store_obj_delete(x->conn, j->src->coll.id, j->src->name, &x->err)))
			rc = dav_fail_store(x, rc);
		if (rc)
			return rc;
	}
	if (dav_hooked(x, &j->dst->coll)) {
		struct ics_info info;

		rc = dav_object_check(x, &j->dst->coll, o->data, o->len, &info);
		if (!rc)
			rc = dav_uid_check(x, &j->dst->coll, dst_coll_href, j->dst->name, NULL,
			                   info.uid);
		if (!rc)
			rc = dav_hook_write(x, &j->dst->coll, j->dst->name, &j->w, NULL, o->data,
			                    o->len);
		if (rc || j->w.handled)
			return rc;
	}
	rc = copy_object(x, o, j->src->coll.id, &j->dst->coll, dst_coll_href, j->dst->name);
	if (!rc && j->move && !dav_hooked(x, &j->src->coll) &&
	    (rc = store_obj_delete(x->conn, j->src->coll.id, j->src->name, &x->err)))
		rc = dav_fail_store(x, rc);
	return rc;
}

static int transfer_object(struct dav_ctx *x, struct copy_job *j)
{
	struct store_obj o;
	int rc = store_obj_get(x->conn, j->src->coll.id, j->src->name, 1, x->a, &o, &x->err);
	const char *dst_coll_href;

	if (rc)
		return dav_fail_store(x, rc);
	rc = dav_preconditions(x, o.etag);
	if (rc)
		return rc;
	if (dav_hooked(x, &j->src->coll) || dav_hooked(x, &j->dst->coll))
		return transfer_hooked(x, j, &o);
	if (j->move && j->src->coll.id == j->dst->coll.id) {
		/* A rename inside one collection: the UID stays unique. */
		rc = store_obj_move(x->conn, j->src->coll.id, j->src->name, j->dst->coll.id,
		                    j->dst->name, &x->err);
		return rc ? dav_fail_store(x, rc) : 0;
	}
	dst_coll_href = sd_arena_strndup(x->a, j->dst->href,
	                                 (size_t)(strrchr(j->dst->href, '/') - j->dst->href) + 1);
	rc = copy_object(x, &o, j->src->coll.id, &j->dst->coll, dst_coll_href, j->dst->name);
	if (!rc && j->move &&
	    (rc = store_obj_delete(x->conn, j->src->coll.id, j->src->name, &x->err)))
		rc = dav_fail_store(x, rc);
	return rc;
}

/* Removes what is at the destination (Overwrite: T). */
static int clear_destination(struct dav_ctx *x, struct dav_res *dst)
{
	int rc = 0;

	if (dst->kind == DAV_K_OBJECT)
		rc = store_obj_delete(x->conn, dst->coll.id, dst->name, &x->err);
	else if (dst->kind & (DAV_K_CALENDAR | DAV_K_PLAIN))
		rc = store_coll_delete(x->conn, dst->coll.id, &x->err);
	else if (dst->kind != DAV_K_NULL)
		return dav_fail(x, 403, DAV_COND_NONE, "the destination cannot be replaced");
	if (rc)
		return dav_fail_store(x, rc);
	/* The destination is now a null resource in its parent. */
	if (dst->kind & (DAV_K_CALENDAR | DAV_K_PLAIN)) {
		dst->name = dst->coll.name;
		rc = store_coll_get_by_id(x->conn, dst->coll.parent_id, x->a, &dst->coll, &x->err);
		if (rc)
			return dav_fail_store(x, rc);
		dst->href = sd_arena_strndup(x->a, dst->href, strlen(dst->href) - 1);
	}
	dst->kind = DAV_K_NULL;
	return 0;
}

/* Whether href is base itself or lies inside it (base a collection). */
static int within(const char *href, const char *base)
{
	size_t n = strlen(base), m = strlen(href);

	if (n && base[n - 1] == '/')
		n--;
	if (m && href[m - 1] == '/')
		m--;
	if (m < n || strncmp(href, base, n) != 0)
		return 0;
	return m == n || href[n] == '/';
}

/* Checks that cannot fail later: where the destination is and may be. */
static int check_target(struct dav_ctx *x, struct copy_job *j)
{
	struct dav_res *s = j->src, *d = j->dst;

	if (!dav_allowed(x, d))
		return dav_fail(x, 403, DAV_COND_NEED_PRIVILEGES,
		                "the destination belongs to another user");
	if (!(d->kind & (DAV_K_NULL | DAV_K_OBJECT | DAV_K_CALENDAR | DAV_K_PLAIN)))
		return dav_fail(x, 403, DAV_COND_NONE, "the destination cannot be replaced");
	if (d->sched_member)
		return dav_fail(x, 403, DAV_COND_NONE,
		                "nothing can be put into the scheduling inbox or outbox");
	if (within(d->href, s->href) || within(s->href, d->href))
		return dav_fail(x, 403, DAV_COND_NONE,
		                "source and destination are the same or contain each other");
	if (d->kind == DAV_K_NULL && !d->has_parent)
		return dav_fail(x, 409, DAV_COND_NONE, "the destination's parent does not exist");
	return 0;
}

/* Where a collection may go; d is a null resource in its parent by now. */
static int check_location(struct dav_ctx *x, struct copy_job *j)
{
	if (j->src->kind == DAV_K_CALENDAR && j->dst->coll.kind != STORE_COLL_HOME)
		return dav_fail(x, 403, DAV_COND_CALENDAR_LOCATION_OK,
		                "calendars can only live in the calendar home");
	if ((j->src->kind & DAV_K_COLLECTIONS) && j->dst->coll.kind == STORE_COLL_CALENDAR)
		return dav_fail(x, 403, DAV_COND_CALENDAR_LOCATION_OK,
		                "a calendar collection cannot contain collections");
	return 0;
}

static int run(struct dav_ctx *x, struct copy_job *j, int *existed)
{
	int overwrite, rc;

	if ((rc = overwrite_flag(x, &overwrite)) || (rc = check_target(x, j)))
		return rc;
	/* The booking system's calendars stay where they are, whole. */
	if ((j->move && j->src->kind == DAV_K_CALENDAR &&
	     (rc = dav_hook_owned(x, &j->src->coll))) ||
	    (j->dst->kind == DAV_K_CALENDAR && (rc = dav_hook_owned(x, &j->dst->coll))))
		return rc;
	*existed = j->dst->kind != DAV_K_NULL;
	if (*existed && !overwrite)
		return dav_fail(x, 412, DAV_COND_NONE, "the destination exists and Overwrite is F");
	if ((rc = clear_destination(x, j->dst)) || (rc = check_location(x, j)))
		return rc;
	if (j->src->kind == DAV_K_OBJECT)
		return transfer_object(x, j);
	if (j->move)
		return move_collection(x, j);
	return copy_tree(x, &j->src->coll, j->dst->coll.id, j->dst->name,
	                 sd_arena_printf(x->a, "%s/", j->dst->href), j->depth_inf);
}

/* The authority of an absolute URL ("host:port"), arena copy; NULL for a path. */
static const char *authority_of(struct dav_ctx *x, const char *url)
{
	const char *p = strstr(url, "://"), *end;

	if (!p || strchr(url, '/') < p)
		return NULL;
	p += 3;
	end = p + strcspn(p, "/?#");
	return sd_arena_strndup(x->a, p, (size_t)(end - p));
}

/* RFC 4918 9.8.4 / 9.9.4: a Destination on another server is 502. Ours is
 * the Host the client used, or the configured public URL's. */
static int same_server(struct dav_ctx *x, const char *dest)
{
	const char *auth = authority_of(x, dest), *host = sd_req_header(x->req, "Host");
	const char *base = x->req->base_url ? authority_of(x, x->req->base_url) : NULL;

	if (!auth)
		return dest[0] == '/';
	return (host && !strcasecmp(auth, host)) || (base && !strcasecmp(auth, base));
}

int dav_method_copymove(struct dav_ctx *x, struct dav_res *res, int move)
{
	const char *dest = sd_req_header(x->req, "Destination");
	struct dav_res dst;
	struct copy_job j = { x, res, &dst, move, 1, { 0 } };
	int depth = dav_depth(x, -1), existed = 0, rc;

	if (res->kind == DAV_K_NULL)
		return dav_fail(x, 404, DAV_COND_NONE, "no such resource");
	if (!(res->kind & (DAV_K_OBJECT | DAV_K_CALENDAR | DAV_K_PLAIN)))
		return dav_fail(x, 403, DAV_COND_NONE, "this resource cannot be copied or moved");
	if (!dest)
		return dav_fail(x, 400, DAV_COND_NONE, "a Destination header is required");
	if (!same_server(x, dest))
		return dav_fail(x, 502, DAV_COND_NONE, "the Destination is not on this server");
	if (depth == -2 || (depth == 1 && (res->kind & DAV_K_COLLECTIONS)) ||
	    (move && depth == 0 && (res->kind & DAV_K_COLLECTIONS)))
		return dav_fail(x, 400, DAV_COND_NONE, "invalid Depth for %s", x->req->method);
	j.depth_inf = depth != 0;
	rc = store_begin(x->conn, STORE_TXN_WRITE, &x->err);
	if (rc)
		return dav_fail_store(x, rc);
	/* Resolved inside the transaction, so nothing changes under us. */
	rc = dav_res_resolve_href(x, dest, &dst);
	if (!rc)
		rc = run(x, &j, &existed);
	if (!rc && (rc = store_commit(x->conn, &x->err)) != 0)
		rc = dav_fail_store(x, rc);
	if (rc) {
		store_rollback(x->conn);
		dav_hook_refused(x, &j.w);
		return rc;
	}
	return existed ? 204 : 201;
}
