/* web_html.c - HTML escaping and form decoding (web_html.h).
 *
 * The escaper replaces the five characters that can end a text node or a
 * quoted attribute; bytes above 0x7f pass through (the page is UTF-8 and
 * every value in it was UTF-8-checked where it was stored or decoded).
 * The form decoder works on a copy in the arena and checks each decoded
 * value as a whole, so an escape cannot smuggle in what a literal byte
 * could not.
 */
#include "web_html.h"

#include <string.h>

#include "sd_util.h"

int web_html_escape(struct sd_buf *b, const char *s)
{
	const char *p = s ? s : "", *run = p;
	int rc = 0;

	for (; *p; p++) {
		const char *ref;

		switch (*p) {
		case '&':
			ref = "&amp;";
			break;
		case '<':
			ref = "&lt;";
			break;
		case '>':
			ref = "&gt;";
			break;
		case '"':
			ref = "&quot;";
			break;
		case '\'':
			ref = "&#39;";
			break;
		default:
			continue;
		}
		if ((rc = sd_buf_add(b, run, (size_t)(p - run))) || (rc = sd_buf_adds(b, ref)))
			return rc;
		run = p + 1;
	}
	return sd_buf_add(b, run, (size_t)(p - run));
}

char *web_html_escape_str(struct sd_arena *a, const char *s)
{
	struct sd_buf b;
	char *out;

	sd_buf_init(&b, 0);
	web_html_escape(&b, s);
	out = sd_arena_strndup(a, b.data ? b.data : "", b.len);
	sd_buf_free(&b);
	return out;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..len) into a new arena string; NULL if malformed. */
static char *component_decode(struct sd_arena *a, const char *s, size_t len)
{
	char *out = sd_arena_alloc(a, len + 1), *o = out;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (i + 2 >= len || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				return NULL;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
			return NULL;
		*o++ = (char)c;
	}
	*o = '\0';
	return sd_utf8_valid(out, (size_t)(o - out)) ? out : NULL;
}

int web_form_decode(struct sd_arena *a, const char *s, size_t len, struct web_field **out,
                    size_t *n)
{
	struct web_field *f = sd_arena_alloc(a, sizeof(*f) * WEB_FORM_MAX_FIELDS);
	const char *p = s ? s : "", *end = p + (s ? len : 0);
	size_t k = 0;

	*out = NULL;
	*n = 0;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p)), *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));

		if (stop > p) {
			if (k == WEB_FORM_MAX_FIELDS)
				return -1;
			f[k].name = component_decode(a, p, (size_t)((eq ? eq : stop) - p));
			f[k].value = eq ? component_decode(a, eq + 1, (size_t)(stop - eq - 1)) : "";
			if (!f[k].name || !f[k].value || !*f[k].name)
				return -1;
			for (size_t j = 0; j < k; j++)
				if (!strcmp(f[j].name, f[k].name))
					return -1;
			k++;
		}
		p = stop + (amp ? 1 : 0);
	}
	*out = f;
	*n = k;
	return 0;
}

const char *web_form_get(const struct web_field *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].name, name))
			return f[i].value;
	return NULL;
}
