/* web.h - the customer manage page (/manage/<token>): what a customer
 * opens from the link in an email to see, cancel or move one booking,
 * without an account (SPEC 4, 5).
 *
 * server/ routes cfg->prefix and everything below it here, with a storage
 * connection but without HTTP authentication: the signed link
 * (booking_link.h, purpose "manage") is the credential, and it names the
 * booking. The customer acts as BOOKING_ROLE_CUSTOMER with the booking's
 * customer_id through channel "manage", so every rule of the engine
 * applies as on every other channel; this module only renders and decodes.
 *
 *   GET  <prefix>/<token>              the booking; forms to cancel and to
 *                                      move it, or why not (never writes)
 *   POST <prefix>/<token>/cancel       form post; 303 to the page
 *   POST <prefix>/<token>/reschedule   form post; 303 to the page
 *
 * Every answer is an HTML page (errors too) with Content-Security-Policy,
 * X-Frame-Options DENY, Referrer-Policy no-referrer and Cache-Control
 * no-store. web_handle returns the HTTP status, also left in req->status.
 */
#ifndef WEB_H
#define WEB_H

#include <stdint.h>

#include "booking_link.h"
#include "sd_req.h"
#include "store.h"

#define WEB_PREFIX "/manage"

/* A link stops working this long after its appointment ended, whatever
 * the token's own expiry. */
#define WEB_GRACE_SECONDS (7 * 86400)

struct web_config {
	const char *prefix;                    /* WEB_PREFIX */
	const struct booking_secrets *secrets; /* borrowed; NULL: every link is bad */
};

/* Handles the request; see the file comment. conn is borrowed for the call
 * (no transaction may be open on it; none is left open). now: the clock
 * (Unix seconds). */
int web_handle(struct sd_req *req, struct store_conn *conn, const struct web_config *cfg,
               int64_t now);

#endif
