/* dav_res.c - from a request path to the resource it names.
 *
 * Paths are decoded segment by segment (sd_path_parse refuses dot segments,
 * encoded slashes and NULs), then walked from the top of the URL space
 * through storage: principal, home, then one collection per segment; the
 * last segment is a collection, a resource, or nothing (a "null resource",
 * which PUT, MKCOL and MKCALENDAR create). Hrefs are rebuilt from the
 * decoded names, so every href slotdav sends is canonical.
 *
 * A path into another user's space is not looked up at all: it resolves to
 * a resource owned by nobody the caller may see, and dav_handle answers 403
 * whether or not that user exists.
 *
 * The scheduling Inbox and Outbox (RFC 6638) are not in storage: the
 * reserved names DAV_INBOX and DAV_OUTBOX in a home resolve to them before
 * storage is asked, and a path below them to a null resource that cannot
 * be created (sched_member).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dav_int.h"
#include "sd_util.h"

#define OWNER_FOREIGN (-1)

const char *dav_href_principal(struct dav_ctx *x, const char *user)
{
	return sd_arena_printf(x->a, "%s/principals/%s/", x->cfg->prefix,
	                       sd_url_encode_segment(x->a, user));
}

const char *dav_href_home(struct dav_ctx *x, const char *user)
{
	return sd_arena_printf(x->a, "%s/calendars/%s/", x->cfg->prefix,
	                       sd_url_encode_segment(x->a, user));
}

const char *dav_href_member(struct dav_ctx *x, const char *parent_href, const char *name,
                            int is_collection)
{
	return sd_url_join(x->a, parent_href, name, is_collection);
}

const char *dav_sync_token(struct dav_ctx *x, int64_t coll_id, int64_t rev)
{
	return sd_arena_printf(x->a, "https://slotdav.org/ns/sync/%s-%" PRId64 "-%" PRId64,
	                       store_epoch(x->conn), coll_id, rev);
}

int dav_sync_token_parse(struct dav_ctx *x, const char *token, int64_t coll_id, int64_t *rev)
{
	const char *prefix = dav_sync_token(x, coll_id, 0);
	size_t plen = strlen(prefix) - 1; /* without the trailing "0" */
	char *end;
	long long v;

	if (strncmp(token, prefix, plen) != 0 || token[plen] < '0' || token[plen] > '9')
		return -1;
	v = strtoll(token + plen, &end, 10);
	if (*end || v < 0)
		return -1;
	*rev = v;
	return 0;
}

static int path_error(struct dav_ctx *x, int rc)
{
	if (rc == SD_URL_ETOODEEP)
		return dav_fail(x, 404, DAV_COND_NONE, "the path is too deep");
	if (rc == SD_URL_EFORBIDDEN)
		return dav_fail(
		    x, 400, DAV_COND_NONE,
		    "paths may not contain empty, '.' or '..' segments or an encoded '/'");
	return dav_fail(
	    x, 400, DAV_COND_NONE,
	    "the path is not valid: bad percent-encoding, invalid UTF-8 or a control character");
}

static int not_found(struct dav_ctx *x)
{
	return dav_fail(x, 404, DAV_COND_NONE, "no such resource");
}

/* Walks from the home through collections; see the file comment. */
static int walk(struct dav_ctx *x, const struct sd_path *p, int first, struct dav_res *r)
{
	const char *href = r->href;

	for (int i = first; i < p->n; i++) {
		struct store_coll c;
		int last = i == p->n - 1;
		int rc = store_coll_get(x->conn, r->coll.id, p->seg[i], x->a, &c, &x->err);

		if (rc == 0) {
			r->coll = c;
			r->kind = c.kind == STORE_COLL_CALENDAR ? DAV_K_CALENDAR : DAV_K_PLAIN;
			href = dav_href_member(x, href, p->seg[i], 1);
			continue;
		}
		if (rc != STORE_ENOTFOUND)
			return dav_fail_store(x, rc);
		r->name = p->seg[i];
		r->href = dav_href_member(x, href, p->seg[i], 0);
		if (!last) {
			r->kind = DAV_K_NULL;
			r->has_parent = 0;
			return 0;
		}
		rc = store_obj_get(x->conn, r->coll.id, p->seg[i], 0, x->a, &r->obj, &x->err);
		if (rc && rc != STORE_ENOTFOUND)
			return dav_fail_store(x, rc);
		r->kind = rc ? DAV_K_NULL : DAV_K_OBJECT;
		r->has_parent = 1;
		if (r->kind == DAV_K_OBJECT && p->trailing_slash)
			return not_found(x);
		return 0;
	}
	r->href = href;
	return 0;
}

int dav_name_reserved(const char *name)
{
	return !strcmp(name, DAV_INBOX) || !strcmp(name, DAV_OUTBOX);
}

void dav_res_sched_box(struct dav_ctx *x, const struct dav_res *home, int inbox,
                       struct dav_res *out)
{
	*out = *home;
	out->kind = inbox ? DAV_K_INBOX : DAV_K_OUTBOX;
	out->href = dav_href_member(x, home->href, inbox ? DAV_INBOX : DAV_OUTBOX, 1);
}

/* The Inbox or Outbox named by p->seg[3], or a path inside it. */
static int resolve_box(struct dav_ctx *x, const struct sd_path *p, struct dav_res *r)
{
	struct dav_res home = *r;

	dav_res_sched_box(x, &home, !strcmp(p->seg[3], DAV_INBOX), r);
	if (p->n == 4)
		return 0;
	r->kind = DAV_K_NULL;
	r->sched_member = 1;
	r->name = p->seg[p->n - 1];
	for (int i = 4; i < p->n; i++)
		r->href = dav_href_member(x, r->href, p->seg[i], i < p->n - 1 || p->trailing_slash);
	return 0;
}

static int resolve_user(struct dav_ctx *x, const char *name, struct dav_res *r)
{
	struct store_user u;
	int rc;

	r->owner = name;
	if (!x->req->user_name || strcmp(name, x->req->user_name) != 0) {
		/* Another user's tree is resolved only for a requester the hooks
		 * grant some of it (an admin and a staff member's Bookings
		 * calendar; dav_allowed decides per resource); for anyone else it
		 * stays unresolved, so nothing in it can be probed (403). */
		const struct dav_hooks *h = x->cfg->hooks;
		struct store_coll any = { 0 };

		r->owner_id = OWNER_FOREIGN;
		if (!h || !h->may_access || store_user_get(x->conn, name, x->a, &u, &x->err))
			return 0;
		any.owner_id = u.id;
		if (h->may_access(h->cls, x->conn, x->a, x->req, &any))
			r->owner_id = u.id;
		return 0;
	}
	rc = store_user_get(x->conn, name, x->a, &u, &x->err);
	if (rc)
		return rc == STORE_ENOTFOUND ? not_found(x) : dav_fail_store(x, rc);
	r->owner_id = u.id;
	return 0;
}

static int resolve_calendars(struct dav_ctx *x, const struct sd_path *p, struct dav_res *r)
{
	int rc;

	if (p->n == 2) {
		r->kind = DAV_K_CALROOT;
		r->href = sd_arena_printf(x->a, "%s/calendars/", x->cfg->prefix);
		return 0;
	}
	rc = resolve_user(x, p->seg[2], r);
	if (rc || r->owner_id == OWNER_FOREIGN)
		return rc;
	rc = store_home_get(x->conn, r->owner_id, x->a, &r->coll, &x->err);
	if (rc)
		return dav_fail_store(x, rc);
	r->kind = DAV_K_HOME;
	r->href = dav_href_home(x, r->owner);
	if (p->n > 3 && dav_name_reserved(p->seg[3]))
		return resolve_box(x, p, r);
	return walk(x, p, 3, r);
}

static int resolve_parsed(struct dav_ctx *x, const struct sd_path *p, struct dav_res *r)
{
	const char *prefix = x->cfg->prefix + 1; /* "dav" */

	memset(r, 0, sizeof(*r));
	if (p->n == 0) {
		r->kind = DAV_K_ROOT;
		r->href = "/";
		return 0;
	}
	if (strcmp(p->seg[0], prefix) != 0)
		return not_found(x);
	if (p->n == 1) {
		r->kind = DAV_K_ROOT;
		r->href = sd_arena_printf(x->a, "%s/", x->cfg->prefix);
		return 0;
	}
	if (!strcmp(p->seg[1], "calendars"))
		return resolve_calendars(x, p, r);
	if (strcmp(p->seg[1], "principals") != 0 || p->n > 3)
		return not_found(x);
	if (p->n == 2) {
		r->kind = DAV_K_PRINCIPALS;
		r->href = sd_arena_printf(x->a, "%s/principals/", x->cfg->prefix);
		return 0;
	}
	r->kind = DAV_K_PRINCIPAL;
	r->href = dav_href_principal(x, p->seg[2]);
	return resolve_user(x, p->seg[2], r);
}

int dav_res_resolve(struct dav_ctx *x, const char *raw_path, struct dav_res *out)
{
	struct sd_path p;
	int rc = sd_path_parse(&p, raw_path, x->a);

	if (rc)
		return path_error(x, rc);
	return resolve_parsed(x, &p, out);
}

int dav_res_resolve_href(struct dav_ctx *x, const char *href, struct dav_res *out)
{
	const char *path = href;
	char *q;

	/* An absolute URL: drop scheme and authority (a reverse proxy may have
	 * rewritten the host, so it is not compared). */
	if (strncmp(href, "http://", 7) == 0 || strncmp(href, "https://", 8) == 0) {
		path = strchr(strstr(href, "//") + 2, '/');
		if (!path)
			path = "/";
	}
	q = sd_arena_strdup(x->a, path);
	q[strcspn(q, "?#")] = '\0';
	return dav_res_resolve(x, q, out);
}

struct child_list {
	struct sd_arena *a;
	struct store_coll *items;
	size_t n, cap;
};

static int collect_child(void *cls, const struct store_coll *c)
{
	struct child_list *l = cls;
	struct store_coll *it;

	if (l->n == l->cap) {
		struct store_coll *grown;
		l->cap = l->cap ? 2 * l->cap : 8;
		grown = sd_arena_alloc(l->a, l->cap * sizeof(*grown));
		if (l->n)
			memcpy(grown, l->items, l->n * sizeof(*grown));
		l->items = grown;
	}
	it = &l->items[l->n++];
	*it = *c;
	it->name = sd_arena_strdup(l->a, c->name);
	it->displayname = sd_arena_strdup(l->a, c->displayname);
	it->description = sd_arena_strdup(l->a, c->description);
	it->color = sd_arena_strdup(l->a, c->color);
	it->order = sd_arena_strdup(l->a, c->order);
	it->timezone = sd_arena_strdup(l->a, c->timezone);
	return 0;
}

int dav_children(struct dav_ctx *x, int64_t parent_id, struct store_coll **out, size_t *n)
{
	struct child_list l = { x->a, NULL, 0, 0 };
	int rc = store_coll_foreach(x->conn, parent_id, collect_child, &l, &x->err);

	*out = l.items;
	*n = l.n;
	return rc ? dav_fail_store(x, rc) : 0;
}
