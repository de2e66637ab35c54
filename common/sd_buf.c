/* sd_buf.c - growable buffer; see sd_buf.h for the contract. */
#include "sd_buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sd_util.h"

void sd_buf_init(struct sd_buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

void sd_buf_free(struct sd_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void sd_buf_reset(struct sd_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int grow(struct sd_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1, cap;

	if (need < b->len || (b->max && b->len + extra > b->max))
		return SD_BUF_ETOOBIG;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	b->data = sd_xrealloc(b->data, cap);
	b->cap = cap;
	return 0;
}

int sd_buf_add(struct sd_buf *b, const void *p, size_t n)
{
	if (grow(b, n))
		return SD_BUF_ETOOBIG;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int sd_buf_adds(struct sd_buf *b, const char *s)
{
	return sd_buf_add(b, s, strlen(s));
}

int sd_buf_addc(struct sd_buf *b, char c)
{
	return sd_buf_add(b, &c, 1);
}

int sd_buf_printf(struct sd_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n))
		return SD_BUF_ETOOBIG;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int sd_buf_add_uint(struct sd_buf *b, unsigned long long v)
{
	char digits[24];
	size_t i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return sd_buf_add(b, digits + i, sizeof(digits) - i);
}

/* Bytes that sd_buf_add_xmln must replace: the XML specials and the C0
 * controls XML 1.0 cannot carry (TAB, LF and CR pass). */
static int xml_special(unsigned char c)
{
	return c == '&' || c == '<' || c == '>' || c == '"' || c == '\'' ||
	       (c < 0x20 && c != '\t' && c != '\n' && c != '\r');
}

int sd_buf_add_xmln(struct sd_buf *b, const char *s, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;

		if (!xml_special(c))
			continue;
		switch (c) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			rep = ""; /* a control character XML cannot carry */
		}
		if (sd_buf_add(b, s + run, i - run) || sd_buf_adds(b, rep))
			return SD_BUF_ETOOBIG;
		run = i + 1;
	}
	return sd_buf_add(b, s + run, n - run);
}

int sd_buf_add_xml(struct sd_buf *b, const char *s)
{
	return sd_buf_add_xmln(b, s, strlen(s));
}

const char *sd_buf_cstr(struct sd_buf *b)
{
	return b->data ? b->data : "";
}

void sd_buf_consume(struct sd_buf *b, size_t n)
{
	if (n >= b->len) {
		sd_buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}
