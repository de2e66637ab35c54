/* web_html.h - the text helpers of the manage page: HTML escaping and the
 * decoding of form posts and query strings.
 *
 * Everything the page shows that did not come from a string literal in
 * web/ goes through web_html_escape: names, addresses, notes, the status
 * message, even numbers. Form bodies are decoded strictly, because their
 * values reach the booking engine: a malformed escape, a NUL, a control
 * character other than tab, CR and LF, invalid UTF-8 or a name that occurs
 * twice make the whole body malformed rather than something guessed at.
 */
#ifndef WEB_HTML_H
#define WEB_HTML_H

#include <stddef.h>

#include "sd_arena.h"
#include "sd_buf.h"

/* Appends s with &, <, >, " and ' replaced by character references, safe
 * in element content and in quoted attribute values. Returns sd_buf_add's
 * result (-1 when the buffer's cap is reached). */
int web_html_escape(struct sd_buf *b, const char *s);
/* The same into a new string in a. */
char *web_html_escape_str(struct sd_arena *a, const char *s);

struct web_field {
	const char *name, *value; /* decoded, NUL-terminated, in the arena */
};

#define WEB_FORM_MAX_FIELDS 32

/* Decodes an application/x-www-form-urlencoded text (a body or a query
 * string) of len bytes: '&'-separated name=value pairs, '+' as space,
 * %XX escapes. Empty pairs are skipped. 0 with *out (in a) and *n, or -1
 * when malformed (see the file comment) or over WEB_FORM_MAX_FIELDS. */
int web_form_decode(struct sd_arena *a, const char *s, size_t len, struct web_field **out,
                    size_t *n);
/* The value of the field name, or NULL. Borrowed from f. */
const char *web_form_get(const struct web_field *f, size_t n, const char *name);

#endif
