/* notify_int.h - the parts of notify/ shared between its files (and its
 * unit tests): MIME building, templates, the SMTP client. */
#ifndef NOTIFY_INT_H
#define NOTIFY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "notify.h"
#include "sd_arena.h"
#include "sd_buf.h"
#include "sd_err.h"

/* ---- MIME (notify_mime.c) ---- */

/* One message. Header values are borrowed; none may hold CR or LF. */
struct notify_msg {
	const char *from_name, *from_addr;
	const char *to_name, *to_addr;
	const char *reply_to;         /* address, NULL/"": none */
	const char *subject;          /* UTF-8 */
	const char *message_id;       /* without the angle brackets */
	int64_t date;                 /* Unix seconds */
	const char *list_unsubscribe; /* a URL, NULL/"": none */
	const char *text, *html;      /* UTF-8 bodies, "\n" line ends */
	const char *ics;              /* the iCalendar object, NULL: no calendar part */
	const char *method;           /* its iTIP method, "REQUEST" or "CANCEL" */
};

/* The message in RFC 5322 form with CRLF line ends, in a:
 * multipart/alternative of text/plain and text/html (quoted-printable,
 * UTF-8) and, with ics, text/calendar; method=M (base64). Non-ASCII display
 * names and subjects become RFC 2047 encoded-words; ASCII names with
 * specials are quoted. NOTIFY_EINVALID (err names the field) if a header
 * value holds CR, LF or another control character, or an address is not
 * notify_addr_valid. */
int notify_mime_build(struct sd_arena *a, const struct notify_msg *m, char **out,
                      struct sd_err *err);

/* name <addr> as a header value: name quoted or encoded as needed; just
 * addr when name is empty. Appends to b. */
void notify_mime_mailbox(struct sd_buf *b, const char *name, const char *addr);
/* Appends s as an unstructured header value (after "Name: ", which takes
 * used bytes of the first line): as is when printable ASCII, else as
 * encoded-words; folded to lines under 78 bytes. */
void notify_mime_text(struct sd_buf *b, const char *s, size_t used);
/* Quoted-printable (RFC 2045 6.7) of s with "\n" as line break -> CRLF. */
void notify_mime_qp(struct sd_buf *b, const char *s);
/* Base64 in lines of 76. */
void notify_mime_b64(struct sd_buf *b, const void *p, size_t n);

/* A copy of s in a with every control character (CR, LF, tab, ...)
 * replaced by a space: what a name or a subject becomes before it may go
 * into a header ("folded safely"). */
char *notify_flatten(struct sd_arena *a, const char *s);

/* ---- templates (notify_tmpl.c) ---- */

/* The message types; X(kind, method, subject, text, html): the shipped
 * defaults. method: the iTIP method of the calendar part, NULL: none. */
struct notify_tmpl {
	const char *kind;
	const char *method;
	const char *subject, *text, *html;
};

/* The template of kind (NULL if kind is unknown), with the parts that dir
 * ("" or NULL: none) overrides: dir/location-<id>/<kind>.{subject,txt,html}
 * first, then dir/<kind>.{subject,txt,html}. Read files are in a. */
const struct notify_tmpl *notify_tmpl_default(const char *kind);
int notify_tmpl_load(struct sd_arena *a, const char *dir, int64_t location_id, const char *kind,
                     struct notify_tmpl *out, struct sd_err *err);

struct notify_var {
	const char *name, *value;
};

/* Expands {name} placeholders of tmpl from vars[0..n) into a ("{{" is a
 * literal "{", "}}" a literal "}"); html: values are HTML-escaped.
 * NOTIFY_ETEMPLATE (err names the placeholder) for an unknown name or an
 * unclosed brace. */
int notify_tmpl_render(struct sd_arena *a, const char *tmpl, const struct notify_var *vars,
                       size_t n, int html, char **out, struct sd_err *err);

/* ---- SMTP (notify_smtp.c) ---- */

/* Sends msg from o->smtp_from to rcpt through o's relay: 0, NOTIFY_ETEMP
 * (4xx, connection or TLS trouble) or NOTIFY_EPERM (5xx), with the
 * server's reply in err. */
int notify_smtp_send(const struct notify_opts *o, const char *rcpt, const char *msg,
                     struct sd_err *err);

#endif
