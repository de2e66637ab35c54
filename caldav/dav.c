/* dav.c - the WebDAV/CalDAV entry point: resolve, authorise, dispatch.
 *
 * dav_handle() is the whole pipeline for a DAV request in one place:
 * resolve the path to a resource, refuse resources of other users, look the
 * method up in a table and call its handler, then render the DAV:error body
 * if the handler failed with a precondition. Every handler returns the HTTP
 * status; there is one exit.
 *
 * The scheduling Inbox and Outbox take a few methods only (dav_sched.c
 * says which); the rest is refused before dispatch.
 *
 * Authorisation is ownership: a user reads and writes what lies under their
 * own principal and calendar home, and sees the shared roots (/dav/,
 * /dav/principals/, /dav/calendars/) with only their own members. Anything
 * of another user is 403 whatever the method, so paths cannot be probed.
 */
#include <libxml/parser.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dav_int.h"
#include "sd_log.h"
#include "sd_util.h"

/* The component bits of ical/ and storage/ are one set of values. */
_Static_assert((unsigned)ICS_COMP_VEVENT == (unsigned)STORE_COMP_VEVENT &&
                   (unsigned)ICS_COMP_VTODO == (unsigned)STORE_COMP_VTODO &&
                   (unsigned)ICS_COMP_VJOURNAL == (unsigned)STORE_COMP_VJOURNAL &&
                   (unsigned)ICS_COMP_VFREEBUSY == (unsigned)STORE_COMP_VFREEBUSY &&
                   (unsigned)ICS_COMP_VAVAILABILITY == (unsigned)STORE_COMP_VAVAILABILITY,
               "component bits differ between ical/ and storage/");

enum method_id {
	M_OPTIONS,
	M_PROPFIND,
	M_PROPPATCH,
	M_MKCOL,
	M_MKCALENDAR,
	M_GET,
	M_HEAD,
	M_PUT,
	M_DELETE,
	M_COPY,
	M_MOVE,
	M_REPORT,
	M_POST,
	M_UNSUPPORTED
};

static const struct {
	const char *name;
	enum method_id id;
} methods[] = {
	{ "OPTIONS", M_OPTIONS },
	{ "PROPFIND", M_PROPFIND },
	{ "PROPPATCH", M_PROPPATCH },
	{ "MKCOL", M_MKCOL },
	{ "MKCALENDAR", M_MKCALENDAR },
	{ "GET", M_GET },
	{ "HEAD", M_HEAD },
	{ "PUT", M_PUT },
	{ "DELETE", M_DELETE },
	{ "COPY", M_COPY },
	{ "MOVE", M_MOVE },
	{ "REPORT", M_REPORT },
	{ "POST", M_POST },
	/* Known to WebDAV but not offered: answered 405 rather than 501. */
	{ "LOCK", M_UNSUPPORTED },
	{ "UNLOCK", M_UNSUPPORTED },
	{ "ACL", M_UNSUPPORTED },
	{ "PATCH", M_UNSUPPORTED },
	{ "SEARCH", M_UNSUPPORTED },
	{ "BIND", M_UNSUPPORTED },
	{ "TRACE", M_UNSUPPORTED },
	{ "CONNECT", M_UNSUPPORTED },
};

void dav_global_init(void)
{
	xmlInitParser();
}

void dav_global_cleanup(void)
{
	xmlCleanupParser();
}

int dav_fail(struct dav_ctx *x, int status, enum dav_cond cond, const char *fmt, ...)
{
	va_list ap;

	x->cond = cond;
	if (fmt) {
		va_start(ap, fmt);
		x->message = sd_arena_vprintf(x->a, fmt, ap);
		va_end(ap);
	}
	return status;
}

int dav_fail_store(struct dav_ctx *x, int code)
{
	switch (code) {
	case STORE_ENOTFOUND:
		return dav_fail(x, 404, DAV_COND_NONE, "%s", x->err.msg);
	case STORE_EEXISTS:
		return dav_fail(x, 409, DAV_COND_NONE, "%s", x->err.msg);
	case STORE_EBUSY:
		sd_req_set_header(x->req, "Retry-After", "1");
		return dav_fail(x, 503, DAV_COND_NONE, "the server is busy, try again");
	default:
		SD_ERROR("storage failure", "code=%d detail=\"%s\"", code, x->err.msg);
		return dav_fail(x, 500, DAV_COND_NONE, "internal storage error");
	}
}

int dav_depth(struct dav_ctx *x, int def)
{
	const char *d = sd_req_header(x->req, "Depth");

	if (!d)
		return def;
	if (!strcmp(d, "0"))
		return 0;
	if (!strcmp(d, "1"))
		return 1;
	if (sd_strcaseeq(d, "infinity"))
		return -1;
	return -2;
}

/* Whether the authenticated user may touch res at all. */
int dav_allowed(struct dav_ctx *x, const struct dav_res *res)
{
	const struct dav_hooks *h = x->cfg->hooks;

	if (res->owner_id == 0 || res->owner_id == x->req->user_id)
		return 1;
	/* Another user's calendar (or an object in it): the hook may grant it. */
	return h && h->may_access && res->coll.kind == STORE_COLL_CALENDAR &&
	       (res->kind & (DAV_K_CALENDAR | DAV_K_OBJECT | DAV_K_NULL)) &&
	       h->may_access(h->cls, x->conn, x->a, x->req, &res->coll);
}

static enum method_id method_lookup(const char *m)
{
	for (size_t i = 0; i < SD_ARRAY_LEN(methods); i++)
		if (!strcmp(methods[i].name, m))
			return methods[i].id;
	return (enum method_id) - 1;
}

static int dispatch(struct dav_ctx *x, struct dav_res *res, enum method_id m)
{
	switch (m) {
	case M_OPTIONS:
		return dav_method_options(x, res);
	case M_PROPFIND:
		return dav_method_propfind(x, res);
	case M_PROPPATCH:
		return dav_method_proppatch(x, res);
	case M_MKCOL:
		return dav_method_mkcol(x, res, 0);
	case M_MKCALENDAR:
		return dav_method_mkcol(x, res, 1);
	case M_GET:
		return dav_method_get(x, res, 0);
	case M_HEAD:
		return dav_method_get(x, res, 1);
	case M_PUT:
		return dav_method_put(x, res);
	case M_DELETE:
		return dav_method_delete(x, res);
	case M_COPY:
		return dav_method_copymove(x, res, 0);
	case M_MOVE:
		return dav_method_copymove(x, res, 1);
	case M_REPORT:
		return dav_method_report(x, res);
	case M_POST:
		return dav_method_post(x, res);
	case M_UNSUPPORTED:
		dav_method_options(x, res); /* for its Allow header */
		x->req->status = 0;
		return dav_fail(x, 405, DAV_COND_NONE, "%s is not supported here", x->req->method);
	}
	return dav_fail(x, 501, DAV_COND_NONE, "unknown method");
}

int dav_handle(struct sd_req *req, struct store_conn *conn, const struct dav_config *cfg)
{
	struct dav_ctx x = { .req = req, .a = req->arena, .conn = conn, .cfg = cfg };
	struct dav_res res;
	enum method_id m = method_lookup(req->method);
	int status;

	if ((int)m < 0) {
		status =
		    dav_fail(&x, 501, DAV_COND_NONE, "method %s is not implemented", req->method);
		goto out;
	}
	status = dav_res_resolve(&x, req->path, &res);
	if (status)
		goto out;
	if (!dav_allowed(&x, &res)) {
		status = dav_fail(&x, 403, DAV_COND_NEED_PRIVILEGES,
		                  "this resource belongs to another user");
		goto out;
	}
	if (((res.kind & DAV_K_SCHED) || res.sched_member) && (status = dav_sched_refuse(&x, &res)))
		goto out;
	status = dispatch(&x, &res, m);
out:
	req->status = status;
	if (status >= 400 && !x.keep_body)
		dav_error_render(&x);
	return status;
}

static int has_calendar(void *cls, const struct store_coll *c)
{
	(void)cls;
	return c->kind == STORE_COLL_CALENDAR;
}

int dav_user_provision(struct store_conn *conn, int64_t user_id, struct sd_err *err)
{
	struct sd_arena *a = sd_arena_new();
	struct store_coll home, cal = { 0 };
	int rc;

	rc = store_home_get(conn, user_id, a, &home, err);
	if (rc)
		goto out;
	rc = store_coll_foreach(conn, home.id, has_calendar, NULL, err);
	if (rc != 0) {
		rc = rc > 0 ? 0 : rc;
		goto out;
	}
	cal.parent_id = home.id;
	cal.owner_id = user_id;
	cal.kind = STORE_COLL_CALENDAR;
	cal.name = DAV_DEFAULT_CALENDAR;
	cal.displayname = DAV_DEFAULT_CALENDAR_NAME;
	cal.components = STORE_COMP_VEVENT | STORE_COMP_VTODO;
	rc = store_coll_create(conn, &cal, NULL, err);
out:
	sd_arena_free(a);
	return rc;
}
