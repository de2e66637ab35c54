/* ics_lex.c - content lines: the first look at the bytes of an object.
 *
 * libical's parser is lenient and knows no line numbers: a stray line or an
 * unclosed component becomes an X-LIC-ERROR property somewhere in the tree,
 * or nothing at all. This pass does what RFC 5545 3.1 asks of the bytes and
 * says where it fails: valid UTF-8 without control characters (the data
 * ends up in XML), lines ending in CRLF or LF, folding (CRLF followed by a
 * space or tab) undone, every line NAME[;PARAM=...]:VALUE with a name of
 * letters, digits and '-', BEGIN/END balanced, one VCALENDAR with nothing
 * after it. Blank lines are skipped, as libical skips them; a UTF-8 byte
 * order mark at the start is dropped.
 *
 * The unfolded lines are what ics.c feeds to libical, one at a time; each
 * remembers its physical line and the document-order index of its
 * component, which is how later errors found in libical's tree are traced
 * back to a line (ics_lex_find, ics_lex_find_value).
 *
 * Invariant: lines[i].text holds no CR or LF, and lines[i].value points into
 * it, past the first ':' that is not inside a quoted parameter value.
 */
#include <string.h>
#include <strings.h>

#include "ics_int.h"
#include "sd_util.h"

#define LEX_DEPTH_MAX 16

struct open_comp {
	const char *name; /* the value of its BEGIN line */
	unsigned lineno, comp;
};

struct lexer {
	struct ics_lex *out;
	struct sd_err *err;
	char *buf;            /* arena space the unfolded lines are written to */
	size_t used;          /* bytes of buf in use */
	struct ics_line *cur; /* the logical line being assembled, or NULL */
	struct open_comp stack[LEX_DEPTH_MAX];
	int depth;
	int closed; /* the VCALENDAR has been closed */
};

static int is_name_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

static size_t name_span(const char *s)
{
	size_t n = 0;

	while (is_name_char((unsigned char)s[n]))
		n++;
	return n;
}

static int line_is(const struct ics_line *l, const char *name)
{
	return l->name_len == strlen(name) && strncasecmp(l->text, name, l->name_len) == 0;
}

int ics_clip(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return (int)n;
	/* Back off continuation bytes (10xxxxxx) to the start of a character. */
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return (int)max;
}

/* Splits a finished line into name and value; the syntax of the parameters
 * beyond quoting is left to libical, which reports what it cannot parse. */
static int split_line(struct lexer *lx, struct ics_line *l)
{
	const char *s = l->text;
	int quoted = 0;

	l->name_len = name_span(s);
	if (l->name_len > 0 && (s[l->name_len] == ';' || s[l->name_len] == ':')) {
		for (s += l->name_len; *s; s++) {
			if (*s == '"')
				quoted = !quoted;
			else if (*s == ':' && !quoted)
				break;
		}
		if (*s == ':') {
			l->value = s + 1;
			return ICS_OK;
		}
		if (quoted)
			return sd_err_set(lx->err, ICS_EPARSE,
			                  "line %u: a quoted parameter value is not closed",
			                  l->lineno);
	}
	return sd_err_set(lx->err, ICS_EPARSE,
	                  "line %u: expected NAME:VALUE or NAME;PARAMETERS:VALUE, found \"%.*s\"",
	                  l->lineno, ics_clip(l->text, 60), l->text);
}

static int lex_begin(struct lexer *lx, struct ics_line *l)
{
	const char *name = l->value;
	struct open_comp *oc;

	if (name[0] == '\0' || name[name_span(name)] != '\0')
		return sd_err_set(lx->err, ICS_EPARSE, "line %u: BEGIN needs a component name",
		                  l->lineno);
	if (lx->depth == 0 && lx->closed)
		return sd_err_set(lx->err, ICS_EPARSE,
		                  "line %u: data after END:VCALENDAR (one calendar per object)",
		                  l->lineno);
	if (lx->depth == 0 && strcasecmp(name, "VCALENDAR") != 0)
		return sd_err_set(lx->err, ICS_EPARSE,
		                  "line %u: the data must start with BEGIN:VCALENDAR", l->lineno);
	if (lx->depth == LEX_DEPTH_MAX)
		return sd_err_set(lx->err, ICS_EPARSE,
		                  "line %u: components are nested more than %d deep", l->lineno,
		                  LEX_DEPTH_MAX);
	oc = &lx->stack[lx->depth++];
	oc->name = name;
	oc->lineno = l->lineno;
	oc->comp = lx->out->ncomp++;
	l->comp = oc->comp;
	return ICS_OK;
}

static int lex_end(struct lexer *lx, struct ics_line *l)
{
	const struct open_comp *oc;

	if (lx->depth == 0)
		return sd_err_set(lx->err, ICS_EPARSE, "line %u: END:%.*s without BEGIN", l->lineno,
		                  ics_clip(l->value, 40), l->value);
	oc = &lx->stack[lx->depth - 1];
	if (strcasecmp(l->value, oc->name) != 0)
		return sd_err_set(lx->err, ICS_EPARSE,
		                  "line %u: END:%.*s does not match BEGIN:%.*s on line %u",
		                  l->lineno, ics_clip(l->value, 40), l->value,
		                  ics_clip(oc->name, 40), oc->name, oc->lineno);
	l->comp = oc->comp;
	if (--lx->depth == 0)
		lx->closed = 1;
	return ICS_OK;
}

/* A logical line is complete: check it and place it in the component tree. */
static int lex_finish(struct lexer *lx)
{
	struct ics_line *l = lx->cur;
	int rc;

	lx->cur = NULL;
	lx->buf[lx->used++] = '\0';
	rc = split_line(lx, l);
	if (rc)
		return rc;
	if (line_is(l, "BEGIN"))
		return lex_begin(lx, l);
	if (line_is(l, "END"))
		return lex_end(lx, l);
	if (lx->depth == 0)
		return sd_err_set(lx->err, ICS_EPARSE,
		                  lx->closed ? "line %u: data after END:VCALENDAR"
		                             : "line %u: the data must start with BEGIN:VCALENDAR",
		                  l->lineno);
	l->comp = lx->stack[lx->depth - 1].comp;
	return ICS_OK;
}

/* One physical line s[0..n), without its line ending. */
static int lex_physical(struct lexer *lx, const char *s, size_t n, unsigned lineno)
{
	int rc;

	if (!sd_utf8_valid(s, n) || memchr(s, '\r', n))
		return sd_err_set(lx->err, ICS_EPARSE,
		                  "line %u: not UTF-8 text, or a control character in a line",
		                  lineno);
	if (n == 0)
		return ICS_OK;
	if (s[0] == ' ' || s[0] == '\t') {
		if (!lx->cur)
			return sd_err_set(
			    lx->err, ICS_EPARSE,
			    "line %u: a folded continuation line with no line before it", lineno);
		memcpy(lx->buf + lx->used, s + 1, n - 1);
		lx->used += n - 1;
		return ICS_OK;
	}
	if (lx->cur) {
		rc = lex_finish(lx);
		if (rc)
			return rc;
	}
	lx->cur = &lx->out->lines[lx->out->n++];
	memset(lx->cur, 0, sizeof(*lx->cur));
	lx->cur->text = lx->buf + lx->used;
	lx->cur->lineno = lineno;
	memcpy(lx->buf + lx->used, s, n);
	lx->used += n;
	return ICS_OK;
}

static int lex_eof(struct lexer *lx)
{
	const struct open_comp *oc;

	if (lx->cur) {
		int rc = lex_finish(lx);
		if (rc)
			return rc;
	}
	if (lx->depth > 0) {
		oc = &lx->stack[lx->depth - 1];
		return sd_err_set(lx->err, ICS_EPARSE,
		                  "line %u: BEGIN:%.*s is never closed (is the data cut short?)",
		                  oc->lineno, ics_clip(oc->name, 40), oc->name);
	}
	if (!lx->closed)
		return sd_err_set(lx->err, ICS_EPARSE, "the calendar data has only blank lines");
	return ICS_OK;
}

int ics_lex_scan(struct ics_lex *out, const char *data, size_t len, struct sd_arena *a,
                 struct sd_err *err)
{
	struct lexer lx = { .out = out, .err = err };
	const char *p = data, *end = data + len, *eol;
	size_t nphys = 1;
	unsigned lineno = 1;
	int rc = ICS_OK;

	memset(out, 0, sizeof(*out));
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	for (const char *q = p; (q = memchr(q, '\n', (size_t)(end - q))); q++)
		nphys++;
	out->lines = sd_arena_alloc(a, nphys * sizeof(*out->lines));
	lx.buf = sd_arena_alloc(a, len + nphys + 1);
	for (; p < end && rc == ICS_OK; p = eol + 1, lineno++) {
		size_t n;

		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		n = (size_t)(eol - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		rc = lex_physical(&lx, p, n, lineno);
	}
	if (rc == ICS_OK)
		rc = lex_eof(&lx);
	return rc;
}

unsigned ics_lex_find(const struct ics_lex *lx, unsigned comp, const char *name, unsigned nth)
{
	unsigned found = 0;

	for (size_t i = 0; i < lx->n; i++) {
		const struct ics_line *l = &lx->lines[i];

		if (l->comp != comp || !line_is(l, name))
			continue;
		found = l->lineno;
		if (nth-- == 0)
			break;
	}
	return found;
}

/* The line of comp whose name and parameters (before_value) or whole text
 * contains needle; 0 if none. */
static unsigned find_containing(const struct ics_lex *lx, unsigned comp, const char *needle,
                                int before_value)
{
	for (size_t i = 0; i < lx->n; i++) {
		const struct ics_line *l = &lx->lines[i];
		const char *hit;

		if (l->comp != comp || l->value == NULL)
			continue;
		hit = strstr(l->text, needle);
		if (hit && (!before_value || hit < l->value))
			return l->lineno;
	}
	return 0;
}

unsigned ics_lex_find_value(const struct ics_lex *lx, unsigned comp, const char *msg)
{
	size_t mlen = strlen(msg);
	const char *tail;
	unsigned found;

	for (size_t i = 0; i < lx->n; i++) {
		const struct ics_line *l = &lx->lines[i];
		size_t vlen;

		if (l->comp != comp || l->value == NULL)
			continue;
		vlen = strlen(l->value);
		if (vlen > 0 && vlen <= mlen && memcmp(msg + mlen - vlen, l->value, vlen) == 0)
			return l->lineno;
	}
	/* libical's messages end in ": " and the text it choked on. */
	tail = strstr(msg, ": ");
	for (const char *t = tail; t; t = strstr(t + 1, ": "))
		tail = t;
	if (!tail || tail[2] == '\0')
		return 0;
	found = find_containing(lx, comp, tail + 2, 1);
	return found ? found : find_containing(lx, comp, tail + 2, 0);
}

unsigned ics_lex_find_empty(const struct ics_lex *lx, unsigned comp, const char *name)
{
	int x_name = strcmp(name, "X") == 0; /* libical calls every X- property "X" */

	for (size_t i = 0; i < lx->n; i++) {
		const struct ics_line *l = &lx->lines[i];

		if (l->comp == comp && l->value && *l->value == '\0' &&
		    (x_name ? strncasecmp(l->text, "X-", 2) == 0 : line_is(l, name)))
			return l->lineno;
	}
	return 0;
}

/* Whether the raw property value, once its TEXT escapes are undone, is text. */
static int unescaped_equal(const char *raw, const char *text)
{
	for (; *raw; raw++, text++) {
		char c = *raw;

		if (c == '\\' && raw[1]) {
			c = *++raw;
			if (c == 'n' || c == 'N')
				c = '\n';
		}
		if (c != *text)
			return 0;
	}
	return *text == '\0';
}

int ics_lex_take_xlic(struct ics_lex *lx, unsigned comp, const char *text)
{
	for (size_t i = 0; i < lx->n; i++) {
		struct ics_line *l = &lx->lines[i];

		if (l->comp == comp && !l->taken && line_is(l, "X-LIC-ERROR") &&
		    unescaped_equal(l->value, text)) {
			l->taken = 1;
			return 1;
		}
	}
	return 0;
}
