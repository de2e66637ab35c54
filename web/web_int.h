/* web_int.h - what the files of web/ share: the request context, the page
 * frame and the mapping of booking codes to pages. */
#ifndef WEB_INT_H
#define WEB_INT_H

#include <stdint.h>

#include "booking.h"
#include "booking_link.h"
#include "sd_buf.h"
#include "sd_req.h"
#include "web.h"
#include "web_html.h"

/* One request to the manage page. Everything is arena memory. */
struct web_ctx {
	struct sd_req *req;
	struct sd_arena *a;
	struct store_conn *conn;
	const struct web_config *cfg;
	int64_t now;
	const char *token;    /* the link token from the path */
	const char *page_url; /* prefix + "/" + token (a path) */
	struct booking_actor actor;
	struct booking_ctx bx;
	struct sd_err err;
	/* the booking and what it refers to */
	struct store_booking b;
	struct store_location loc;
	struct store_service svc;
	struct store_staff staff;
	struct booking_rules rules;
	struct store_request pending; /* pending.id 0: no open request */
};

/* ---- web_page.c --------------------------------------------------------- */

/* Sets the security headers every answer carries. */
void web_headers(struct sd_req *req);
/* Starts the HTML document in req->resp_body: doctype, head with the
 * title (escaped), the stylesheet, the body's main element. */
void web_page_begin(struct sd_req *req, const char *title);
/* Ends it and returns status, also set in req->status. */
int web_page_end(struct sd_req *req, int status);
/* A whole page of one heading and one paragraph (both escaped). */
int web_message_page(struct sd_req *req, int status, const char *title, const char *text);
/* Appends literal markup (not escaped: string literals of web/ only). */
void web_raw(struct sd_req *req, const char *html);
/* Appends text, escaped. */
void web_text(struct sd_req *req, const char *text);
/* Appends printf output, escaped as a whole. */
void web_textf(struct sd_req *req, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "Monday, 3 March 2025" and "14:30" of instant t in zone tzid, in a;
 * "?" when the zone is unknown. */
const char *web_date(struct sd_arena *a, const char *tzid, int64_t t);
const char *web_clock(struct sd_arena *a, const char *tzid, int64_t t);
/* The local day number of t in tzid (days since 1970-01-01), -1 on error. */
int64_t web_local_day(const char *tzid, int64_t t);

/* The status and the customer's explanation for a booking code. */
int web_code_status(int code);
const char *web_code_text(int code);

/* ---- web_manage.c, web_form.c ---------------------------------------------- */

/* The GET page of x's booking; done is the ?done= message key or NULL. */
int web_manage_show(struct web_ctx *x);
/* The form posts. */
int web_manage_cancel(struct web_ctx *x);
int web_manage_reschedule(struct web_ctx *x);

#endif
