/* notify_tmpl.c - message templates: the shipped defaults, overrides from
 * a directory, and the expansion of {placeholders}.
 *
 * NOTIFY_TEMPLATES is the one list of message types: kind, the iTIP method
 * of its calendar part (NULL: no calendar part), and the default subject,
 * text and HTML. An override is a file per part, so an operator can change
 * one subject without copying the rest:
 *
 *   <notify.templates>/<kind>.subject|.txt|.html               all locations
 *   <notify.templates>/location-<id>/<kind>.subject|.txt|.html one location
 *
 * Expansion knows only the names the worker passes (an unknown one is a
 * template error, recorded on the row, never a guess), escapes values for
 * HTML in the HTML part, and never reads a value as a template, so a
 * customer named "{manage_url}" is just that.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "notify_int.h"

#define GREETING "Hello {customer_name},\n\n"
#define HTML_HEAD                                                                   \
	"<!DOCTYPE html>\n<html><body style=\"font-family:sans-serif\">\n<p>Hello " \
	"{customer_name},</p>\n"
#define MANAGE_TEXT "\nView, move or cancel your appointment: {manage_url}\n\n{location}\n"
#define MANAGE_HTML                                              \
	"<p><a href=\"{manage_url}\">View, move or cancel your " \
	"appointment</a></p>\n<p>{location}</p>\n</body></html>\n"
#define WHEN_TEXT "  {service}\n  {start_local}\n  {location}\n"
#define WHEN_HTML "<p><strong>{service}</strong><br>{start_local}<br>{location}</p>\n"

/* X(kind, method, subject, text, html) */
#define NOTIFY_TEMPLATES(X)                                                                       \
	X(created, "REQUEST", "Your appointment: {service} on {start_local}",                     \
	  GREETING "your appointment is booked:\n\n" WHEN_TEXT MANAGE_TEXT,                       \
	  HTML_HEAD "<p>Your appointment is booked:</p>\n" WHEN_HTML MANAGE_HTML)                 \
	X(confirmed, "REQUEST", "Confirmed: {service} on {start_local}",                          \
	  GREETING "your appointment is confirmed:\n\n" WHEN_TEXT MANAGE_TEXT,                    \
	  HTML_HEAD "<p>Your appointment is confirmed:</p>\n" WHEN_HTML MANAGE_HTML)              \
	X(rescheduled, "REQUEST", "New time: {service} on {start_local}",                         \
	  GREETING "your appointment has a new time:\n\n" WHEN_TEXT MANAGE_TEXT,                  \
	  HTML_HEAD "<p>Your appointment has a new time:</p>\n" WHEN_HTML MANAGE_HTML)            \
	X(restored, "REQUEST", "Your appointment is back: {service} on {start_local}",            \
	  GREETING "your appointment is booked again:\n\n" WHEN_TEXT MANAGE_TEXT,                 \
	  HTML_HEAD "<p>Your appointment is booked again:</p>\n" WHEN_HTML MANAGE_HTML)           \
	X(request_approved, "REQUEST", "New time approved: {service} on {start_local}",           \
	  GREETING "your request for a new time was approved:\n\n" WHEN_TEXT MANAGE_TEXT,         \
	  HTML_HEAD "<p>Your request for a new time was approved:</p>\n" WHEN_HTML MANAGE_HTML)   \
	X(details_updated, "REQUEST", "Updated: {service} on {start_local}",                      \
	  GREETING "the details of your appointment were updated:\n\n" WHEN_TEXT MANAGE_TEXT,     \
	  HTML_HEAD                                                                               \
	  "<p>The details of your appointment were updated:</p>\n" WHEN_HTML MANAGE_HTML)         \
	X(cancelled, "CANCEL", "Cancelled: {service} on {start_local}",                           \
	  GREETING "your appointment is cancelled{reason}:\n\n" WHEN_TEXT MANAGE_TEXT,            \
	  HTML_HEAD "<p>Your appointment is cancelled{reason}:</p>\n" WHEN_HTML MANAGE_HTML)      \
	X(request_received, NULL, "We received your request: {service}",                          \
	  GREETING "we received your request to move your appointment to {start_local}. "         \
	           "It keeps its current time until the request is approved.\n" MANAGE_TEXT,      \
	  HTML_HEAD "<p>We received your request to move your appointment to {start_local}. "     \
	            "It keeps its current time until the request is approved.</p>\n" MANAGE_HTML) \
	X(request_declined, NULL, "Your request was declined: {service}",                         \
	  GREETING "your request for a new time was declined{reason}. Your appointment "          \
	           "stays as it was:\n\n" WHEN_TEXT MANAGE_TEXT,                                  \
	  HTML_HEAD "<p>Your request for a new time was declined{reason}. Your appointment "      \
	            "stays as it was:</p>\n" WHEN_HTML MANAGE_HTML)                               \
	X(reminder, NULL, "Reminder: {service} on {start_local}",                                 \
	  GREETING "a reminder of your appointment:\n\n" WHEN_TEXT MANAGE_TEXT,                   \
	  HTML_HEAD "<p>A reminder of your appointment:</p>\n" WHEN_HTML MANAGE_HTML)             \
	X(approval_needed, NULL, "Awaiting your approval: {service}, {customer_name}",            \
	  "Hello {staff_name},\n\n{customer_name} asks for {service} on {start_local} at "        \
	  "{location}. Approve or decline it in your Bookings calendar or the API "               \
	  "(booking {booking_id}).\n",                                                            \
	  "<!DOCTYPE html>\n<html><body style=\"font-family:sans-serif\">\n<p>Hello "             \
	  "{staff_name},</p>\n<p>{customer_name} asks for {service} on {start_local} at "         \
	  "{location}. Approve or decline it in your Bookings calendar or the API (booking "      \
	  "{booking_id}).</p>\n</body></html>\n")

static const struct notify_tmpl defaults[] = {
#define NOTIFY_TMPL_ROW(kind, method, subject, text, html) { #kind, method, subject, text, html },
	NOTIFY_TEMPLATES(NOTIFY_TMPL_ROW)
#undef NOTIFY_TMPL_ROW
};

const struct notify_tmpl *notify_tmpl_default(const char *kind)
{
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (!strcmp(defaults[i].kind, kind))
			return &defaults[i];
	return NULL;
}

/* The file's text in *out, left alone if there is no such file. */
static int read_part(struct sd_arena *a, const char *path, const char **out, struct sd_err *err)
{
	FILE *f = fopen(path, "r");
	struct sd_buf b;
	char chunk[4096];
	size_t n;
	int rc = 0;

	if (!f)
		return errno == ENOENT
		           ? 0
		           : sd_err_set(err, NOTIFY_ETEMPLATE, "%s: %s", path, strerror(errno));
	sd_buf_init(&b, 256 * 1024);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (sd_buf_add(&b, chunk, n)) {
			rc = sd_err_set(err, NOTIFY_ETEMPLATE, "%s: too large", path);
			goto out;
		}
	if (ferror(f)) {
		rc = sd_err_set(err, NOTIFY_ETEMPLATE, "%s: read error", path);
		goto out;
	}
	*out = sd_arena_strndup(a, sd_buf_cstr(&b), b.len);
out:
	sd_buf_free(&b);
	fclose(f);
	return rc;
}

int notify_tmpl_load(struct sd_arena *a, const char *dir, int64_t location_id, const char *kind,
                     struct notify_tmpl *out, struct sd_err *err)
{
	const struct notify_tmpl *d = notify_tmpl_default(kind);
	const char *sub[2];
	int rc = 0;

	if (!d)
		return sd_err_set(err, NOTIFY_ETEMPLATE, "no template for kind \"%s\"", kind);
	*out = *d;
	if (!dir || !*dir)
		return 0;
	/* the general override first, then the location's, which wins */
	sub[0] = sd_arena_printf(a, "%s/%s", dir, kind);
	sub[1] = sd_arena_printf(a, "%s/location-%lld/%s", dir, (long long)location_id, kind);
	for (int i = 0; i < 2 && !rc; i++) {
		if ((rc = read_part(a, sd_arena_printf(a, "%s.subject", sub[i]), &out->subject,
		                    err)) ||
		    (rc = read_part(a, sd_arena_printf(a, "%s.txt", sub[i]), &out->text, err)))
			break;
		rc = read_part(a, sd_arena_printf(a, "%s.html", sub[i]), &out->html, err);
	}
	return rc;
}

static void html_escape(struct sd_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			sd_buf_adds(b, "&amp;");
			break;
		case '<':
			sd_buf_adds(b, "&lt;");
			break;
		case '>':
			sd_buf_adds(b, "&gt;");
			break;
		case '"':
			sd_buf_adds(b, "&quot;");
			break;
		case '\'':
			sd_buf_adds(b, "&#39;");
			break;
		default:
			sd_buf_addc(b, *s);
			break;
		}
	}
}

int notify_tmpl_render(struct sd_arena *a, const char *tmpl, const struct notify_var *vars,
                       size_t n, int html, char **out, struct sd_err *err)
{
	struct sd_buf b;
	const char *p = tmpl;
	int rc = 0;

	*out = NULL;
	sd_buf_init(&b, 0);
	while (*p) {
		const char *close;
		size_t len, i;

		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			sd_buf_addc(&b, *p);
			p += 2;
			continue;
		}
		if (*p != '{') {
			sd_buf_addc(&b, *p++);
			continue;
		}
		if (!(close = strchr(p, '}')) || (len = (size_t)(close - p - 1)) > 64) {
			rc = sd_err_set(err, NOTIFY_ETEMPLATE, "template: unclosed '{'");
			goto out;
		}
		for (i = 0; i < n; i++)
			if (strlen(vars[i].name) == len && !memcmp(vars[i].name, p + 1, len))
				break;
		if (i == n) {
			rc = sd_err_set(err, NOTIFY_ETEMPLATE,
			                "template: unknown placeholder {%.*s}", (int)len, p + 1);
			goto out;
		}
		if (html)
			html_escape(&b, vars[i].value ? vars[i].value : "");
		else
			sd_buf_adds(&b, vars[i].value ? vars[i].value : "");
		p = close + 1;
	}
	*out = sd_arena_strndup(a, sd_buf_cstr(&b), b.len);
out:
	sd_buf_free(&b);
	return rc;
}
