/* web_page.c - the frame of every manage page: security headers, the HTML
 * document around the content, message pages, dates in a zone, and the one
 * table from booking codes to statuses and sentences.
 *
 * The page works without CSS and without JavaScript; the small stylesheet
 * is inline, which the Content-Security-Policy allows and nothing else:
 * no script, no image, no frame, forms only to this origin. Text that is
 * not a string literal of web/ is appended only through web_text/_textf,
 * which escape it.
 */
#include <stdarg.h>
#include <stdio.h>

#include "web_int.h"

static const char *const weekdays[] = { "Monday", "Tuesday",  "Wednesday", "Thursday",
	                                "Friday", "Saturday", "Sunday" };
static const char *const months[] = { "January",   "February", "March",    "April",
	                              "May",       "June",     "July",     "August",
	                              "September", "October",  "November", "December" };

static const char style[] =
    "body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;color:#1a1a1a;"
    "background:#f6f6f4}"
    "main{max-width:40rem;margin:0 auto;padding:1rem}"
    "section,.notice{background:#fff;border:1px solid #ddd;border-radius:6px;"
    "padding:.75rem 1rem;margin:1rem 0}"
    ".notice{border-color:#2a7;background:#eefaf2}.problem{border-color:#c33;background:#fdf0f0}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}"
    "dd{margin:0}fieldset{border:1px solid #ccc;border-radius:4px;margin:.5rem 0}"
    ".slots label{display:inline-block;padding:.3rem .6rem;margin:.15rem;border:1px solid "
    "#bbb;border-radius:4px}"
    "button{font:inherit;padding:.5rem 1rem;margin-top:.5rem}"
    "textarea{width:100%;box-sizing:border-box}"
    "nav a{margin-right:1rem}";

void web_headers(struct sd_req *req)
{
	sd_req_set_header(req, "Content-Security-Policy",
	                  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
	                  "base-uri 'none'; frame-ancestors 'none'");
	sd_req_set_header(req, "X-Frame-Options", "DENY");
	sd_req_set_header(req, "Referrer-Policy", "no-referrer");
	sd_req_set_header(req, "Cache-Control", "no-store");
	sd_req_set_header(req, "X-Content-Type-Options", "nosniff");
}

void web_raw(struct sd_req *req, const char *html)
{
	sd_buf_adds(&req->resp_body, html);
}

void web_text(struct sd_req *req, const char *text)
{
	web_html_escape(&req->resp_body, text);
}

void web_textf(struct sd_req *req, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = sd_arena_vprintf(req->arena, fmt, ap);
	va_end(ap);
	web_text(req, s);
}

void web_page_begin(struct sd_req *req, const char *title)
{
	sd_buf_reset(&req->resp_body);
	web_raw(req, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	             "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>");
	web_text(req, title);
	web_raw(req, "</title>\n<style>");
	web_raw(req, style);
	web_raw(req, "</style>\n</head>\n<body>\n<main>\n");
}

int web_page_end(struct sd_req *req, int status)
{
	web_raw(req, "</main>\n</body>\n</html>\n");
	req->resp_type = "text/html; charset=utf-8";
	return req->status = status;
}

int web_message_page(struct sd_req *req, int status, const char *title, const char *text)
{
	web_page_begin(req, title);
	web_raw(req, "<h1>");
	web_text(req, title);
	web_raw(req, "</h1>\n<p>");
	web_text(req, text);
	web_raw(req, "</p>\n");
	return web_page_end(req, status);
}

int64_t web_local_day(const char *tzid, int64_t t)
{
	int64_t wall;

	if (booking_wall_time(tzid, t, &wall, NULL))
		return -1;
	return wall >= 0 ? wall / 86400 : (wall - 86399) / 86400;
}

/* Day number to civil date (Howard Hinnant's civil_from_days). */
static void civil(int64_t day, int64_t *y, int *m, int *d)
{
	int64_t z = day + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

const char *web_date(struct sd_arena *a, const char *tzid, int64_t t)
{
	int64_t day = web_local_day(tzid, t), y;
	int m, d;

	if (day < 0)
		return "?";
	civil(day, &y, &m, &d);
	return sd_arena_printf(a, "%s, %d %s %lld", weekdays[((day % 7) + 10) % 7], d,
	                       months[m - 1], (long long)y);
}

const char *web_clock(struct sd_arena *a, const char *tzid, int64_t t)
{
	int64_t wall, s;

	if (booking_wall_time(tzid, t, &wall, NULL))
		return "?";
	s = ((wall % 86400) + 86400) % 86400;
	return sd_arena_printf(a, "%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60));
}

/* X(code, HTTP status, what the customer reads) */
#define WEB_CODES(X)                                                                             \
	X(BOOKING_ENOTFOUND, 404, "This booking could not be found.")                            \
	X(BOOKING_EINVALID, 400, "The form was not filled in correctly. Please try again.")      \
	X(BOOKING_EFORBIDDEN, 403, "This change is not possible online.")                        \
	X(BOOKING_ESTALE, 409,                                                                   \
	  "The booking changed while the page was open. Please look at it again.")               \
	X(BOOKING_EIO, 500, "Something went wrong on our side. Please try again later.")         \
	X(BOOKING_EBUSY, 503, "We are very busy right now. Please try again in a moment.")       \
	X(BOOKING_ESTATE, 409, "This booking can no longer be changed.")                         \
	X(BOOKING_ESLOT, 409, "That time is no longer free. Please choose another one.")         \
	X(BOOKING_EHOURS, 409, "That time is not available. Please choose another one.")         \
	X(BOOKING_EGRID, 409, "That time is not available. Please choose another one.")          \
	X(BOOKING_EPAST, 409, "That time is in the past. Please choose another one.")            \
	X(BOOKING_ENOTICE, 409, "That time is too soon. Please choose a later one.")             \
	X(BOOKING_EHORIZON, 409, "That time is too far ahead. Please choose an earlier one.")    \
	X(BOOKING_ECANCEL_NOTICE, 403,                                                           \
	  "It is too late to cancel online. Please contact us directly.")                        \
	X(BOOKING_ERESCHEDULE_NOTICE, 403,                                                       \
	  "It is too late to move this booking online. Please contact us directly.")             \
	X(BOOKING_ENOT_PERMITTED, 403, "This change is not possible online. Please contact us.") \
	X(BOOKING_ESERVICE_STAFF, 409, "That time is not available. Please choose another one.") \
	X(BOOKING_EPENDING_REQUEST, 409,                                                         \
	  "A request to move this booking is already waiting for approval.")

int web_code_status(int code)
{
	switch (code) {
#define WEB_STATUS_CASE(c, status, text) \
	case c:                          \
		return status;
		WEB_CODES(WEB_STATUS_CASE)
#undef WEB_STATUS_CASE
	default:
		return 500;
	}
}

const char *web_code_text(int code)
{
	switch (code) {
#define WEB_TEXT_CASE(c, status, text) \
	case c:                        \
		return text;
		WEB_CODES(WEB_TEXT_CASE)
#undef WEB_TEXT_CASE
	default:
		return "Something went wrong on our side. Please try again later.";
	}
}
