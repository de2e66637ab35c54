/* web.c - the manage page's entry point: path, method, link, booking.
 *
 * web_handle() takes every request through the same steps, each of which
 * may end it with a page:
 *
 *   path     <prefix>/<token>[/cancel|/reschedule]; tokens are base64url
 *            and '.', so anything else is not a link (404)
 *   method   GET/HEAD for the page, POST for the two actions (405 + Allow)
 *   link     booking_link_check with purpose "manage": tampered or signed
 *            by a retired secret: 403; expired: 410
 *   booking  read in one read transaction with its location, service,
 *            staff member, rules and open reschedule request; gone: 404;
 *            more than WEB_GRACE_SECONDS after its end: 410
 *   actor    the booking's customer, channel "manage", the User-Agent;
 *            booking_get with that actor must agree that they may see it
 *
 * and then hands over to web_manage.c. Nothing here writes; a GET never
 * reaches a write at all, so mail scanners that open links change nothing.
 */
#include <string.h>

#include "sd_log.h"
#include "web_int.h"

#define TOKEN_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
#define TOKEN_MAX   256

/* The token and the action of rel (the path below the prefix); 0 if the
 * path is not one of ours. */
static int split_path(struct web_ctx *x, const char *rel, const char **action)
{
	size_t n;

	if (*rel++ != '/')
		return 0;
	n = strspn(rel, TOKEN_CHARS);
	if (!n || n > TOKEN_MAX)
		return 0;
	x->token = sd_arena_strndup(x->a, rel, n);
	rel += n;
	if (!*rel)
		*action = NULL;
	else if (!strcmp(rel, "/cancel"))
		*action = "cancel";
	else if (!strcmp(rel, "/reschedule"))
		*action = "reschedule";
	else
		return 0;
	return 1;
}

static int check_link(struct web_ctx *x, int64_t *id)
{
	const char *purpose;
	int rc = booking_link_check(x->a, x->cfg->secrets, x->token, x->now, id, &purpose, &x->err);

	if (rc == BOOKING_LINK_EEXPIRED)
		return web_message_page(x->req, 410, "This link has expired",
		                        "Links to manage a booking work for a limited time. Please "
		                        "use the link in the most recent email about your booking, "
		                        "or contact us.");
	if (rc || strcmp(purpose, BOOKING_LINK_MANAGE))
		return web_message_page(x->req, 403, "This link is not valid",
		                        "The link may have been copied incompletely or changed. "
		                        "Please open it again from your email, or contact us.");
	return 0;
}

/* The booking and what the page shows of it, in one read transaction. */
static int load_booking(struct web_ctx *x, int64_t id)
{
	int rc;

	if ((rc = store_begin(x->conn, STORE_TXN_READ, &x->err)))
		goto out;
	if ((rc = store_booking_get(x->conn, id, x->a, &x->b, &x->err)) ||
	    (rc = store_location_get(x->conn, x->b.location_id, x->a, &x->loc, &x->err)) ||
	    (rc = store_service_get(x->conn, x->b.service_id, x->a, &x->svc, &x->err)) ||
	    (rc = store_staff_get(x->conn, x->b.staff_id, x->a, &x->staff, &x->err)))
		goto out;
	rc = store_request_pending(x->conn, id, x->a, &x->pending, &x->err);
	if (rc == STORE_ENOTFOUND) {
		memset(&x->pending, 0, sizeof(x->pending));
		rc = 0;
	}
out:
	store_rollback(x->conn);
	if (rc == STORE_ENOTFOUND)
		return web_message_page(x->req, 404, "Booking not found",
		                        "This booking does not exist any more. Please contact us "
		                        "if you think this is a mistake.");
	if (rc) {
		SD_ERROR("manage page: cannot read the booking", "id=%lld detail=\"%s\"",
		         (long long)id, x->err.msg);
		return web_message_page(x->req, 500, "Something went wrong",
		                        web_code_text(BOOKING_EIO));
	}
	return 0;
}

/* The customer as the engine's actor; the engine's own view must agree. */
static int act_as_customer(struct web_ctx *x)
{
	const char *ua = sd_req_header(x->req, "User-Agent");
	struct store_booking seen;
	int rc;

	x->actor = (struct booking_actor){
		.role = BOOKING_ROLE_CUSTOMER,
		.customer_id = x->b.customer_id,
		.who = sd_arena_printf(x->a, "customer:%lld", (long long)x->b.customer_id),
		.channel = "manage",
		.user_agent = ua ? ua : "",
	};
	x->bx =
	    (struct booking_ctx){ .conn = x->conn, .a = x->a, .now = x->now, .actor = &x->actor };
	if ((rc = booking_get(&x->bx, x->b.id, &seen, &x->err)) ||
	    (rc = booking_rules_for_service(&x->bx, x->b.service_id, &x->rules, &x->err)))
		return web_message_page(x->req, web_code_status(rc), "This booking cannot be shown",
		                        web_code_text(rc));
	x->b = seen;
	return 0;
}

int web_handle(struct sd_req *req, struct store_conn *conn, const struct web_config *cfg,
               int64_t now)
{
	struct web_ctx *x = sd_arena_alloc(req->arena, sizeof(*x));
	const char *action = NULL;
	int64_t id = 0;
	int status, post;

	memset(x, 0, sizeof(*x));
	*x = (struct web_ctx){ .req = req, .a = req->arena, .conn = conn, .cfg = cfg, .now = now };
	web_headers(req);
	if (strncmp(req->path, cfg->prefix, strlen(cfg->prefix)) ||
	    !split_path(x, req->path + strlen(cfg->prefix), &action))
		return web_message_page(req, 404, "Page not found",
		                        "There is no page at this address. Please open the link "
		                        "from your email again.");
	x->page_url = sd_arena_printf(x->a, "%s/%s", cfg->prefix, x->token);
	post = !strcmp(req->method, "POST");
	if (action ? !post : strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
		sd_req_set_header(req, "Allow", action ? "POST" : "GET, HEAD");
		return web_message_page(req, 405, "Not possible",
		                        "This page cannot be used that way.");
	}
	if ((status = check_link(x, &id)) || (status = load_booking(x, id)))
		return status;
	if (now > x->b.end + WEB_GRACE_SECONDS)
		return web_message_page(req, 410, "This link has expired",
		                        "This appointment is over, so its link no longer works.");
	if ((status = act_as_customer(x)))
		return status;
	if (!action)
		return web_manage_show(x);
	if (!strcmp(action, "cancel"))
		return web_manage_cancel(x);
	return web_manage_reschedule(x);
}
