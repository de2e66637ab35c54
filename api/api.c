/* api.c - the JSON API's entry point: the route table and the pipeline.
 *
 * api_handle() runs every request through the same steps, each of which
 * may end it with a status:
 *
 *   route   the path below the prefix against the table: no pattern
 *           matches: 404; patterns match but not for this method: 405
 *           with Allow (OPTIONS: 204 with Allow)
 *   actor   booking_actor_for_user: who acts, in which role; a login that
 *           is neither staff nor a customer: 403; a role the route's `who`
 *           does not list: 403
 *   body    POST, PUT and PATCH bodies must be application/json (415) and
 *           well-formed (400 "malformed_json" with jansson's line and
 *           column); duplicate members count as malformed
 *   handle  the row's handler: decode (422), call booking, encode
 *
 * and renders the JSON error body once, at the end, for any status >= 400.
 *
 * Who may call what is booking's decision for every write and every read
 * of bookings. The one decision made here is for the reads of
 * configuration that booking has no call for (the `who` column): everyone
 * with a role may read locations, services and staff and ask for
 * availability; listing and searching customers, and reading working
 * hours, exceptions and rule sets, is for staff and admins.
 */
#include <string.h>
#include <strings.h>

#include "api_int.h"
#include "sd_util.h"

#define STAFF_UP (API_ADMIN | API_STAFF)

/* clang-format off */
static const struct api_route routes[] = {
	{"GET",    "/locations",                   api_entity_list,   &api_locations, API_ANY},
	{"POST",   "/locations",                   api_entity_create, &api_locations, API_ANY},
	{"GET",    "/locations/{id}",              api_entity_get,    &api_locations, API_ANY},
	{"PUT",    "/locations/{id}",              api_entity_update, &api_locations, API_ANY},
	{"DELETE", "/locations/{id}",              api_entity_delete, &api_locations, API_ANY},
	{"GET",    "/locations/{id}/rules",        api_rules_get,     &api_locations, STAFF_UP},
	{"PUT",    "/locations/{id}/rules",        api_rules_put,     &api_locations, API_ANY},

	{"GET",    "/staff",                       api_entity_list,   &api_staff, API_ANY},
	{"POST",   "/staff",                       api_entity_create, &api_staff, API_ANY},
	{"GET",    "/staff/{id}",                  api_entity_get,    &api_staff, API_ANY},
	{"PUT",    "/staff/{id}",                  api_entity_update, &api_staff, API_ANY},
	{"DELETE", "/staff/{id}",                  api_entity_delete, &api_staff, API_ANY},
	{"GET",    "/staff/{id}/hours",            api_hours_get,         NULL, STAFF_UP},
	{"PUT",    "/staff/{id}/hours",            api_hours_put,         NULL, API_ANY},
	{"GET",    "/staff/{id}/exceptions",       api_exceptions_list,   NULL, STAFF_UP},
	{"POST",   "/staff/{id}/exceptions",       api_exception_create,  NULL, API_ANY},
	{"DELETE", "/staff/{id}/exceptions/{id}",  api_exception_delete,  NULL, API_ANY},
	{"GET",    "/staff/{id}/external-calendars",             api_extcals_list,   NULL, STAFF_UP},
	{"POST",   "/staff/{id}/external-calendars",             api_extcal_create,  NULL, STAFF_UP},
	{"GET",    "/staff/{id}/external-calendars/{id}",        api_extcal_get,     NULL, STAFF_UP},
	{"DELETE", "/staff/{id}/external-calendars/{id}",        api_extcal_delete,  NULL, STAFF_UP},
	{"POST",   "/staff/{id}/external-calendars/{id}/refresh", api_extcal_refresh, NULL, STAFF_UP},

	{"GET",    "/services",                    api_entity_list,   &api_services, API_ANY},
	{"POST",   "/services",                    api_entity_create, &api_services, API_ANY},
	{"GET",    "/services/{id}",               api_entity_get,    &api_services, API_ANY},
	{"PUT",    "/services/{id}",               api_entity_update, &api_services, API_ANY},
	{"DELETE", "/services/{id}",               api_entity_delete, &api_services, API_ANY},
	{"GET",    "/services/{id}/rules",         api_rules_get,     &api_services, STAFF_UP},
	{"PUT",    "/services/{id}/rules",         api_rules_put,     &api_services, API_ANY},

	{"GET",    "/customers",                   api_entity_list,   &api_customers, STAFF_UP},
	{"POST",   "/customers",                   api_entity_create, &api_customers, API_ANY},
	{"GET",    "/customers/{id}",              api_entity_get,    &api_customers, API_ANY},
	{"PUT",    "/customers/{id}",              api_entity_update, &api_customers, API_ANY},
	{"DELETE", "/customers/{id}",              api_entity_delete, &api_customers, API_ANY},

	{"GET",    "/availability",                api_availability,       NULL, API_ANY},

	{"GET",    "/bookings",                    api_bookings_list,      NULL, API_ANY},
	{"POST",   "/bookings",                    api_booking_create,     NULL, API_ANY},
	{"GET",    "/bookings/{id}",               api_booking_get,        NULL, API_ANY},
	{"PATCH",  "/bookings/{id}",               api_booking_patch,      NULL, API_ANY},
	{"POST",   "/bookings/{id}/reschedule",    api_booking_reschedule, NULL, API_ANY},
	{"POST",   "/bookings/{id}/cancel",        api_booking_cancel,     NULL, API_ANY},
	{"POST",   "/bookings/{id}/no-show",       api_booking_no_show,    NULL, API_ANY},
	{"POST",   "/bookings/{id}/complete",      api_booking_complete,   NULL, API_ANY},
	{"POST",   "/bookings/{id}/approve",       api_booking_approve,    NULL, API_ANY},
	{"POST",   "/bookings/{id}/decline",       api_booking_decline,    NULL, API_ANY},
	{"POST",   "/bookings/{id}/restore",       api_booking_restore,    NULL, API_ANY},
	{"GET",    "/bookings/{id}/activity",      api_booking_activity,   NULL, API_ANY},
	{"GET",    "/bookings/{id}/notifications", api_booking_notifications, NULL, API_ANY},

	{"GET",    "/notifications",               api_notifications_list,  NULL, API_ANY},
	{"POST",   "/notifications/{id}/resend",   api_notification_resend, NULL, API_ANY},

	{"GET",    "/reports/cancellations",       api_report_cancellations, NULL, API_ANY},

	{"GET",    "/feeds",                       api_feeds_list,         NULL, API_ANY},
	{"POST",   "/feeds",                       api_feed_create,        NULL, API_ANY},
	{"DELETE", "/feeds/{id}",                  api_feed_revoke,        NULL, API_ANY},
};
/* clang-format on */

/* The order methods are listed in Allow. */
static const char *const method_order[] = { "GET",   "HEAD",   "POST",   "PUT",
	                                    "PATCH", "DELETE", "OPTIONS" };

/* ---- route -------------------------------------------------------------- */

/* A positive decimal id of at most 18 digits, no leading zero. */
static int seg_id(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;

	if (!n || n > 18 || *s == '0')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

/* Whether rel[0..len) matches pattern segment by segment; fills ids. */
static int match(const char *pattern, const char *rel, size_t len, int64_t ids[API_MAX_IDS])
{
	const char *p = pattern, *r = rel, *end = rel + len;
	int k = 0;

	while (*p && r < end) {
		size_t pl, rl;

		if (*p++ != '/' || *r++ != '/')
			return 0;
		pl = strcspn(p, "/");
		for (rl = 0; r + rl < end && r[rl] != '/'; rl++)
			;
		if (pl == 4 && !strncmp(p, "{id}", 4)) {
			if (k == API_MAX_IDS || !seg_id(r, rl, &ids[k++]))
				return 0;
		} else if (pl != rl || strncmp(p, r, pl)) {
			return 0;
		}
		p += pl;
		r += rl;
	}
	return !*p && r == end;
}

static int method_is(const char *want, const char *m)
{
	return !strcmp(want, m) || (!strcmp(want, "GET") && !strcmp(m, "HEAD"));
}

/* "GET, HEAD, POST, OPTIONS" from the methods a path has. */
static const char *allow_header(struct api_ctx *x, unsigned mask)
{
	struct sd_buf b;
	const char *s;

	sd_buf_init(&b, 0);
	for (size_t i = 0; i < SD_ARRAY_LEN(method_order); i++)
		if (mask & (1u << i))
			sd_buf_printf(&b, "%s%s", b.len ? ", " : "", method_order[i]);
	s = sd_arena_strdup(x->a, sd_buf_cstr(&b));
	sd_buf_free(&b);
	return s;
}

static unsigned method_bit(const char *m)
{
	for (size_t i = 0; i < SD_ARRAY_LEN(method_order); i++)
		if (!strcmp(method_order[i], m))
			return 1u << i;
	return 0;
}

static int route(struct api_ctx *x)
{
	const char *rel = x->req->path + strlen(x->cfg->prefix);
	size_t len = strlen(rel);
	unsigned allow = 0;
	int64_t ids[API_MAX_IDS] = { 0 };

	if (len > 1 && rel[len - 1] == '/')
		len--; /* "/bookings/" is "/bookings" */
	for (size_t i = 0; i < SD_ARRAY_LEN(routes); i++) {
		if (!match(routes[i].pattern, rel, len, ids))
			continue;
		if (method_is(routes[i].method, x->req->method)) {
			x->route = &routes[i];
			memcpy(x->id, ids, sizeof(ids));
			return 0;
		}
		allow |= method_bit(routes[i].method) |
		         (!strcmp(routes[i].method, "GET") ? method_bit("HEAD") : 0);
	}
	if (!allow)
		return api_fail(x, 404, booking_code_name(BOOKING_ENOTFOUND), NULL,
		                "no endpoint %s%.*s", x->cfg->prefix, (int)len, rel);
	allow |= method_bit("OPTIONS");
	sd_req_set_header(x->req, "Allow", allow_header(x, allow));
	if (!strcmp(x->req->method, "OPTIONS"))
		return 204;
	return api_fail(x, 405, "method_not_allowed", NULL, "%s is not allowed here",
	                x->req->method);
}

/* ---- actor --------------------------------------------------------------- */

static int actor(struct api_ctx *x)
{
	const char *ua = sd_req_header(x->req, "User-Agent");
	int rc;

	rc = booking_actor_for_user(x->conn, x->a, x->req->user_id, x->req->user_name, "api",
	                            ua ? ua : "", &x->actor, &x->err);
	if (rc == BOOKING_EFORBIDDEN)
		return api_fail(x, 403, booking_code_name(rc), NULL,
		                "this login is neither staff nor a customer");
	if (rc)
		return api_fail_booking(x, rc);
	if (!(x->route->who & API_ROLE(x->actor.role)))
		return api_fail(x, 403, booking_code_name(BOOKING_EFORBIDDEN), NULL,
		                "your role may not use %s %s", x->route->method, x->route->pattern);
	x->bx.conn = x->conn;
	x->bx.a = x->a;
	x->bx.now = sd_now();
	x->bx.actor = &x->actor;
	return 0;
}

/* ---- body ---------------------------------------------------------------- */

/* application/json or application/<anything>+json, parameters ignored. */
static int is_json(const char *ct)
{
	size_t n = strcspn(ct, "; \t");

	if (n == 16 && !strncasecmp(ct, "application/json", 16))
		return 1;
	return n > 17 && !strncasecmp(ct, "application/", 12) &&
	       !strncasecmp(ct + n - 5, "+json", 5);
}

static int read_body(struct api_ctx *x)
{
	const struct sd_req *req = x->req;
	const char *ct = sd_req_header(req, "Content-Type");
	json_error_t e;

	if (strcmp(req->method, "POST") && strcmp(req->method, "PUT") &&
	    strcmp(req->method, "PATCH"))
		return 0;
	if (!req->body_len)
		return 0;
	if (!ct || !is_json(ct))
		return api_fail(x, 415, "unsupported_media_type", NULL,
		                "the body must be application/json, not %s", ct ? ct : "untyped");
	x->body = api_keep(x, json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &e));
	if (!x->body)
		return api_fail(x, 400, "malformed_json", NULL, "line %d, column %d: %s", e.line,
		                e.column, e.text);
	return 0;
}

/* ---- the pipeline -------------------------------------------------------- */

int api_handle(struct sd_req *req, struct store_conn *conn, const struct api_config *cfg)
{
	struct api_ctx x = { .req = req, .a = req->arena, .conn = conn, .cfg = cfg };
	int status;

	sd_req_set_header(req, "Cache-Control", "no-store");
	if ((status = route(&x)) || (status = actor(&x)) || (status = read_body(&x)))
		goto out;
	status = x.route->fn(&x);
out:
	if (status >= 400)
		api_error_render(&x);
	return req->status = status;
}
