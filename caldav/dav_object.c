/* dav_object.c - GET, HEAD, PUT and DELETE of resources (RFC 4918 9.4-9.7,
 * RFC 4791 5.3.2), and the conditional-request checks they share.
 *
 * A write is one storage transaction: the current state is read again
 * inside it, the If-Match / If-None-Match conditions and the UID rules are
 * checked against that state, and only then is anything written. Two
 * clients racing on one resource are therefore serialised: the loser sees
 * the winner's ETag and gets 412.
 *
 * Calendar objects are stored exactly as sent once ical/ has validated
 * them, so the ETag returned by PUT is the ETag of what the client sent.
 */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dav_int.h"
#include "sd_util.h"

/* Whether the header value (a list of entity tags, or "*") names etag. */
static int etag_listed(struct dav_ctx *x, const char *list, const char *etag)
{
	const char *p = list;

	while (*p) {
		const char *start, *end;

		p += strspn(p, " \t,");
		if (!*p)
			break;
		if (*p == '*')
			return etag != NULL;
		start = p;
		end = p + strcspn(p, ",");
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		/* Weak tags never match: writes need the strong comparison. */
		if (etag && end - start == (ptrdiff_t)strlen(etag) + 2 && *start == '"' &&
		    !strncmp(start + 1, etag, strlen(etag)))
			return 1;
		p = *end ? end + 1 : end;
	}
	return 0;
}

int dav_preconditions(struct dav_ctx *x, const char *etag)
{
	const char *im = sd_req_header(x->req, "If-Match");
	const char *inm = sd_req_header(x->req, "If-None-Match");
	int read = !strcmp(x->req->method, "GET") || !strcmp(x->req->method, "HEAD");

	if (im && !etag_listed(x, im, etag))
		return dav_fail(x, 412, DAV_COND_NONE,
		                etag ? "the resource has changed (If-Match failed)"
		                     : "the resource does not exist (If-Match failed)");
	if (inm && etag_listed(x, inm, etag)) {
		if (read)
			return 304;
		return dav_fail(x, 412, DAV_COND_NONE,
		                "the resource already exists (If-None-Match failed)");
	}
	return 0;
}

static void set_etag(struct dav_ctx *x, const char *etag)
{
	sd_req_set_header(x->req, "ETag", sd_arena_printf(x->a, "\"%s\"", etag));
}

static void set_last_modified(struct dav_ctx *x, int64_t when)
{
	char s[64];
	time_t t = (time_t)when;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	sd_req_set_header(x->req, "Last-Modified", s);
}

/* The href of the collection holding res (an object or null resource). */
static const char *parent_href(struct dav_ctx *x, const struct dav_res *res)
{
	const char *slash = strrchr(res->href, '/');

	return sd_arena_strndup(x->a, res->href, (size_t)(slash - res->href) + 1);
}

int dav_method_get(struct dav_ctx *x, struct dav_res *res, int head)
{
	struct store_obj o;
	int rc;

	if (res->kind == DAV_K_NULL)
		return dav_fail(x, 404, DAV_COND_NONE, "no such resource");
	if (res->kind != DAV_K_OBJECT) {
		dav_method_options(x, res);
		return dav_fail(x, 405, DAV_COND_NONE, "collections have no content to GET");
	}
	rc = store_obj_get(x->conn, res->coll.id, res->name, 1, x->a, &o, &x->err);
	if (rc)
		return dav_fail_store(x, rc);
	set_etag(x, o.etag);
	set_last_modified(x, o.modified);
	rc = dav_preconditions(x, o.etag);
	if (rc)
		return rc;
	x->req->resp_type = o.uid ? "text/calendar; charset=utf-8"
	                          : (o.content_type ? o.content_type : "application/octet-stream");
	sd_buf_add(&x->req->resp_body, o.data, o.len);
	x->req->resp_no_body = head;
	return 200;
}

int dav_object_check(struct dav_ctx *x, const struct store_coll *coll, const char *data, size_t len,
                     struct ics_info *info)
{
	int rc;

	if (len > x->cfg->max_resource_size)
		return dav_fail(
		    x, 403, DAV_COND_MAX_RESOURCE_SIZE,
		    "the calendar object is %zu bytes; this calendar accepts at most %zu", len,
		    x->cfg->max_resource_size);
	rc = ics_object_check(data, len, coll->components, x->a, info, &x->err);
	switch (rc) {
	case ICS_OK:
		break;
	case ICS_EPARSE:
		return dav_fail(x, 403, DAV_COND_VALID_CALENDAR_DATA, "%s", x->err.msg);
	case ICS_ECOMPONENT:
		return dav_fail(x, 403, DAV_COND_SUPPORTED_COMPONENT, "%s", x->err.msg);
	default:
		return dav_fail(x, 403, DAV_COND_VALID_CALENDAR_OBJECT, "%s", x->err.msg);
	}
	/* An unbounded set has no last instance to compare (ICS_TIME_MAX). */
	if (info->first_start != ICS_TIME_MIN && info->first_start < DAV_MIN_DATE_UNIX)
		return dav_fail(x, 403, DAV_COND_MIN_DATE_TIME,
		                "the object starts before %s, the earliest date this server stores",
		                DAV_MIN_DATE_TIME);
	/* Too many instances: a bounded set over the limit (one past the
	 * expansion budget counts as uncounted, UINT64_MAX, but has an end). */
	if (info->instances > DAV_MAX_INSTANCES &&
	    (info->instances != UINT64_MAX || info->last_end != ICS_TIME_MAX))
		return dav_fail(
		    x, 403, DAV_COND_MAX_INSTANCES,
		    "the recurrence has more than %d instances, the most this server stores",
		    DAV_MAX_INSTANCES);
	if (info->last_end != ICS_TIME_MAX && info->last_end > DAV_MAX_DATE_UNIX)
		return dav_fail(x, 403, DAV_COND_MAX_DATE_TIME,
		                "the object ends after %s, the latest date this server stores",
		                DAV_MAX_DATE_TIME);
	return 0;
}

void dav_object_index(struct dav_ctx *x, struct store_obj *in, const struct ics_info *info)
{
	struct store_span *v = NULL;

	if (info->nspans)
		v = sd_arena_alloc(x->a, info->nspans * sizeof(*v));
	for (size_t i = 0; i < info->nspans; i++) {
		v[i].start = info->spans[i].start;
		v[i].end = info->spans[i].end;
	}
	in->uid = info->uid;
	in->comp = info->comp;
	in->first_start = info->first_start;
	in->last_end = info->last_end;
	in->spans = v;
	in->nspans = info->nspans;
}

int dav_uid_check(struct dav_ctx *x, const struct store_coll *coll, const char *coll_href,
                  const char *name, const struct store_obj *cur, const char *uid)
{
	const char *other;
	int rc;

	if (cur && cur->uid && strcmp(cur->uid, uid) != 0) {
		x->cond_href = dav_href_member(x, coll_href, name, 0);
		return dav_fail(x, 403, DAV_COND_NO_UID_CONFLICT,
		                "the UID of an existing calendar object cannot change");
	}
	rc = store_obj_find_uid(x->conn, coll->id, uid, name, x->a, &other, &x->err);
	if (rc == STORE_ENOTFOUND)
		return 0;
	if (rc)
		return dav_fail_store(x, rc);
	x->cond_href = dav_href_member(x, coll_href, other, 0);
	return dav_fail(x, 403, DAV_COND_NO_UID_CONFLICT,
	                "another calendar object in this calendar already has UID %s", uid);
}

int dav_hooked(const struct dav_ctx *x, const struct store_coll *coll)
{
	return x->cfg->hooks && coll->kind == STORE_COLL_CALENDAR;
}

/* Runs the hook on *w: 0, or its refusal after dav_fail. */
static int hook_call(struct dav_ctx *x, struct dav_hook_write *w)
{
	if (!x->cfg->hooks->write(x->cfg->hooks->cls, w))
		return 0;
	x->cond_name = w->cond;
	return dav_fail(x, w->status ? w->status : 403,
	                w->cond ? DAV_COND_BOOKING_RULE : DAV_COND_NONE, "%s",
	                w->message ? w->message : "refused");
}

int dav_hook_write(struct dav_ctx *x, const struct store_coll *coll, const char *name,
                   struct dav_hook_write *w, const char *cur_data, const char *data, size_t len)
{
	*w = (struct dav_hook_write){
		.conn = x->conn,
		.a = x->a,
		.req = x->req,
		.coll_id = coll->id,
		.owner_id = coll->owner_id,
		.name = name,
		.default_tz = coll->timezone,
		.coll_name = coll->name,
		.cur_data = cur_data,
		.data = data,
		.len = len,
	};
	return hook_call(x, w);
}

int dav_hook_owned(struct dav_ctx *x, const struct store_coll *coll)
{
	const struct dav_hooks *h = x->cfg->hooks;

	if (!h || !h->owns || coll->kind != STORE_COLL_CALENDAR ||
	    !h->owns(h->cls, x->conn, x->a, coll))
		return 0;
	return dav_fail(x, 403, DAV_COND_NEED_PRIVILEGES,
	                "this calendar holds bookings: it cannot be deleted, moved or replaced "
	                "(the events in it can be edited)");
}

int dav_hook_move(struct dav_ctx *x, const struct store_coll *src, const char *src_name,
                  const struct store_coll *dst, const char *dst_name, struct dav_hook_write *w,
                  const struct store_obj *o)
{
	*w = (struct dav_hook_write){
		.conn = x->conn,
		.a = x->a,
		.req = x->req,
		.coll_id = dst->id,
		.owner_id = dst->owner_id,
		.name = dst_name,
		.default_tz = dst->timezone,
		.coll_name = dst->name,
		.data = o->data,
		.len = o->len,
		.from_coll = src->id,
		.from_name = src_name,
	};
	return hook_call(x, w);
}

void dav_hook_refused(struct dav_ctx *x, struct dav_hook_write *w)
{
	if (x->cfg->hooks && w->status && x->cfg->hooks->refused)
		x->cfg->hooks->refused(x->cfg->hooks->cls, w);
}

/* Reads the current state, checks conditions and UID, writes (or lets the
 * hook write). In a txn. *etag NULL when what is stored is not what was
 * sent. */
static int put_locked(struct dav_ctx *x, struct dav_res *res, struct store_obj *in,
                      const char **etag, int *created, struct dav_hook_write *w)
{
	struct store_obj cur;
	int hook = dav_hooked(x, &res->coll);
	int rc = store_obj_get(x->conn, res->coll.id, res->name, hook, x->a, &cur, &x->err);
	int exists = rc == 0;

	if (rc && rc != STORE_ENOTFOUND)
		return dav_fail_store(x, rc);
	rc = dav_preconditions(x, exists ? cur.etag : NULL);
	if (!rc && in->uid)
		rc = dav_uid_check(x, &res->coll, parent_href(x, res), res->name,
		                   exists ? &cur : NULL, in->uid);
	if (!rc && hook)
		rc = dav_hook_write(x, &res->coll, res->name, w, exists ? cur.data : NULL, in->data,
		                    in->len);
	if (rc)
		return rc;
	if (hook && w->handled) {
		*created = !exists;
		*etag = NULL;
		if (w->same &&
		    !(rc = store_obj_get(x->conn, res->coll.id, res->name, 0, x->a, &cur, &x->err)))
			*etag = cur.etag;
		return rc ? dav_fail_store(x, rc) : 0;
	}
	rc = store_obj_put(x->conn, in, x->a, etag, created, &x->err);
	return rc ? dav_fail_store(x, rc) : 0;
}

static int is_calendar_type(const char *type)
{
	return !type || !*type || !strncasecmp(type, "text/calendar", 13);
}

/* Fills the storage record for the request body. */
static int put_record(struct dav_ctx *x, struct dav_res *res, struct store_obj *in)
{
	const char *type = sd_req_header(x->req, "Content-Type");
	struct ics_info info;
	int rc;

	memset(in, 0, sizeof(*in));
	in->coll_id = res->coll.id;
	in->name = res->name;
	in->data = x->req->body ? x->req->body : "";
	in->len = x->req->body_len;
	if (res->coll.kind != STORE_COLL_CALENDAR) {
		in->content_type = type && *type ? type : "application/octet-stream";
		return 0;
	}
	if (!is_calendar_type(type))
		return dav_fail(x, 403, DAV_COND_SUPPORTED_CALENDAR_DATA,
		                "calendar collections accept text/calendar only, not %s", type);
	rc = dav_object_check(x, &res->coll, in->data, in->len, &info);
	if (rc)
		return rc;
	in->content_type = "text/calendar; charset=utf-8";
	dav_object_index(x, in, &info);
	return 0;
}

int dav_method_put(struct dav_ctx *x, struct dav_res *res)
{
	struct dav_hook_write w = { 0 };
	struct store_obj in;
	const char *etag = NULL;
	int created = 0, rc;

	if (res->kind & DAV_K_COLLECTIONS)
		return dav_fail(x, 405, DAV_COND_NONE, "cannot PUT to a collection");
	if (res->kind == DAV_K_NULL && !res->has_parent)
		return dav_fail(x, 409, DAV_COND_NONE, "the parent collection does not exist");
	rc = put_record(x, res, &in);
	if (rc)
		return rc;
	rc = store_begin(x->conn, STORE_TXN_WRITE, &x->err);
	if (rc)
		return dav_fail_store(x, rc);
	rc = put_locked(x, res, &in, &etag, &created, &w);
	if (!rc && (rc = store_commit(x->conn, &x->err)) != 0)
		rc = dav_fail_store(x, rc);
	if (rc) {
		store_rollback(x->conn);
		dav_hook_refused(x, &w);
		return rc;
	}
	/* Stored exactly as sent, so the client may keep its copy: give the
	 * ETag (RFC 4791 5.3.4). Otherwise none, so it fetches what was
	 * stored (a booking rewrites what it owns). */
	if (etag)
		set_etag(x, etag);
	if (created)
		sd_req_set_header(x->req, "Location", res->href);
	return created ? 201 : 204;
}

int dav_method_delete(struct dav_ctx *x, struct dav_res *res)
{
	struct dav_hook_write w = { 0 };
	struct store_obj cur;
	int rc;

	switch (res->kind) {
	case DAV_K_NULL:
		return dav_fail(x, 404, DAV_COND_NONE, "no such resource");
	case DAV_K_OBJECT:
	case DAV_K_CALENDAR:
	case DAV_K_PLAIN:
		break;
	default:
		return dav_fail(x, 403, DAV_COND_NONE, "this collection cannot be deleted");
	}
	if (res->kind == DAV_K_CALENDAR && (rc = dav_hook_owned(x, &res->coll)))
		return rc;
	rc = store_begin(x->conn, STORE_TXN_WRITE, &x->err);
	if (rc)
		return dav_fail_store(x, rc);
	if (res->kind == DAV_K_OBJECT) {
		rc = store_obj_get(x->conn, res->coll.id, res->name, dav_hooked(x, &res->coll),
		                   x->a, &cur, &x->err);
		rc = rc ? dav_fail_store(x, rc) : dav_preconditions(x, cur.etag);
		if (!rc && dav_hooked(x, &res->coll))
			rc = dav_hook_write(x, &res->coll, res->name, &w, cur.data, NULL, 0);
		if (!rc && !w.handled &&
		    (rc = store_obj_delete(x->conn, res->coll.id, res->name, &x->err)))
			rc = dav_fail_store(x, rc);
	} else if ((rc = store_coll_delete(x->conn, res->coll.id, &x->err)) != 0) {
		rc = dav_fail_store(x, rc);
	}
	if (!rc && (rc = store_commit(x->conn, &x->err)) != 0)
		rc = dav_fail_store(x, rc);
	if (rc) {
		store_rollback(x->conn);
		dav_hook_refused(x, &w);
		return rc;
	}
	return 204;
}
