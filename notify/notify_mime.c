/* notify_mime.c - building one email: headers, encodings, the multipart
 * body of an iMIP message (RFC 5322, 2045-2047, 6047).
 *
 * Header injection is impossible by construction: every header value is
 * checked for control characters (CR and LF above all) before anything is
 * written, and a message with one is refused (NOTIFY_EINVALID) rather than
 * repaired here; the worker flattens names and subjects (notify_flatten)
 * before they get here, so user data folds to spaces and only a bug is
 * refused. Display names are quoted (quoted-string, with \ and " escaped)
 * when they hold specials such as , or ", and become encoded-words when not
 * ASCII; an encoded-word never splits a UTF-8 sequence and no header line
 * passes 78 bytes unless a single ASCII word is longer.
 *
 * Bodies: text and HTML are quoted-printable, the calendar part base64,
 * so no body line is longer than 76 bytes and no 8-bit byte is on the
 * wire. The boundary starts with "=_": quoted-printable output has '='
 * only before two hex digits or a line end, and base64 has neither '='
 * followed by '_' nor '_', so no encoded body can contain the boundary.
 */
#include <string.h>
#include <time.h>

#include "notify_int.h"

#define LINE_MAX_LEN 76 /* RFC 2047: encoded-word lines; QP and base64 too */

static int is_ascii_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/* No control characters (CR, LF, tab, DEL, C0). */
static int header_safe(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

char *notify_flatten(struct sd_arena *a, const char *s)
{
	char *r = sd_arena_strdup(a, s ? s : "");

	for (char *p = r; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			*p = ' ';
	return r;
}

int notify_addr_valid(const char *addr)
{
	const char *at;
	size_t n;

	if (!addr || !(n = strlen(addr)) || n > 254 || !(at = strchr(addr, '@')) ||
	    strchr(at + 1, '@') || at == addr || !at[1])
		return 0;
	for (const char *p = addr; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c >= 0x7f || strchr("\"(),:;<>[\\]", c))
			return 0;
	}
	return at[1] != '.' && addr[n - 1] != '.';
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of p[0..n) without line breaks. */
static void b64_raw(struct sd_buf *b, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
		             (i + 2 < n ? p[i + 2] : 0);
		char q[4] = { b64chars[v >> 18 & 63], b64chars[v >> 12 & 63],
			      i + 1 < n ? b64chars[v >> 6 & 63] : '=',
			      i + 2 < n ? b64chars[v & 63] : '=' };

		sd_buf_add(b, q, 4);
	}
}

void notify_mime_b64(struct sd_buf *b, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i += 57) {
		b64_raw(b, s + i, n - i < 57 ? n - i : 57);
		sd_buf_adds(b, "\r\n");
	}
}

/* Encoded-words of s, the first on a line that has *col bytes already. */
static void encoded_words(struct sd_buf *b, const char *s, size_t *col)
{
	size_t len = strlen(s), i = 0;

	while (i < len) {
		size_t room, take;

		if (*col + 12 + 4 > LINE_MAX_LEN) {
			sd_buf_adds(b, "\r\n ");
			*col = 1;
		}
		room = (LINE_MAX_LEN - *col - 12) / 4 * 3;
		take = len - i < room ? len - i : room;
		/* never split a UTF-8 sequence */
		while (take && i + take < len && ((unsigned char)s[i + take] & 0xc0) == 0x80)
			take--;
		if (!take)
			take = 1;
		sd_buf_adds(b, "=?UTF-8?B?");
		b64_raw(b, (const unsigned char *)s + i, take);
		sd_buf_adds(b, "?=");
		*col += 12 + (take + 2) / 3 * 4;
		i += take;
		if (i < len) {
			sd_buf_adds(b, "\r\n ");
			*col = 1;
		}
	}
}

void notify_mime_text(struct sd_buf *b, const char *s, size_t used)
{
	size_t col = used;
	const char *p = s;

	if (!is_ascii_printable(s) || strstr(s, "=?")) {
		encoded_words(b, s, &col);
		return;
	}
	/* ASCII: fold before a space when the next word would pass 78. */
	while (*p) {
		size_t sp = *p == ' ' ? 1 : 0, w = strcspn(p + sp, " ");

		if (sp && col + 1 + w > 78 && col > 1) {
			sd_buf_adds(b, "\r\n");
			col = 0;
		}
		sd_buf_add(b, p, sp + w);
		col += sp + w;
		p += sp + w;
	}
}

void notify_mime_mailbox(struct sd_buf *b, const char *name, const char *addr)
{
	size_t col = 6;

	if (name && *name) {
		if (!is_ascii_printable(name) || strstr(name, "=?")) {
			encoded_words(b, name, &col);
		} else if (strpbrk(name, "()<>[]:;@\\,.\"")) {
			sd_buf_addc(b, '"');
			for (const char *p = name; *p; p++) {
				if (*p == '"' || *p == '\\')
					sd_buf_addc(b, '\\');
				sd_buf_addc(b, *p);
			}
			sd_buf_addc(b, '"');
		} else {
			sd_buf_adds(b, name);
		}
		sd_buf_printf(b, " <%s>", addr);
	} else {
		sd_buf_adds(b, addr);
	}
}

void notify_mime_qp(struct sd_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char enc[4];
		size_t n;
		int eol = p[0] == '\n' || (p[0] == '\r' && p[1] == '\n');

		if (eol) {
			if (*p == '\r')
				p++;
			sd_buf_adds(b, "\r\n");
			col = 0;
			continue;
		}
		/* trailing white space would be lost in transport: encode it */
		if ((*p >= 33 && *p <= 126 && *p != '=') ||
		    ((*p == ' ' || *p == '\t') && p[1] && p[1] != '\n' && p[1] != '\r')) {
			enc[0] = (char)*p;
			n = 1;
		} else {
			enc[0] = '=';
			enc[1] = hex[*p >> 4];
			enc[2] = hex[*p & 15];
			n = 3;
		}
		if (col + n > LINE_MAX_LEN - 1) {
			sd_buf_adds(b, "=\r\n");
			col = 0;
		}
		sd_buf_add(b, enc, n);
		col += n;
	}
	if (col)
		sd_buf_adds(b, "\r\n");
}

static void put_date(struct sd_buf *b, int64_t t)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	sd_buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
	              tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	              tm.tm_sec);
}

/* Every header value of m, checked before anything is written. */
static int check(const struct notify_msg *m, struct sd_err *err)
{
	const struct {
		const char *name, *value;
	} hv[] = { { "From name", m->from_name },
		   { "To name", m->to_name },
		   { "Subject", m->subject },
		   { "Message-ID", m->message_id },
		   { "List-Unsubscribe", m->list_unsubscribe },
		   { "method", m->method } };

	for (size_t i = 0; i < sizeof(hv) / sizeof(hv[0]); i++)
		if (!header_safe(hv[i].value))
			return sd_err_set(err, NOTIFY_EINVALID,
			                  "%s holds a control character (CR/LF refused)",
			                  hv[i].name);
	if (!notify_addr_valid(m->from_addr))
		return sd_err_set(err, NOTIFY_EINVALID, "no valid From address");
	if (!notify_addr_valid(m->to_addr))
		return sd_err_set(err, NOTIFY_EINVALID, "no valid recipient address");
	if (m->reply_to && *m->reply_to && !notify_addr_valid(m->reply_to))
		return sd_err_set(err, NOTIFY_EINVALID, "no valid Reply-To address");
	if (!m->message_id || !*m->message_id || strpbrk(m->message_id, " <>\"") ||
	    !is_ascii_printable(m->message_id))
		return sd_err_set(err, NOTIFY_EINVALID, "bad Message-ID");
	if (m->list_unsubscribe && strpbrk(m->list_unsubscribe, " <>\""))
		return sd_err_set(err, NOTIFY_EINVALID, "bad List-Unsubscribe URL");
	if (m->ics &&
	    (!m->method || strspn(m->method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ-") != strlen(m->method)))
		return sd_err_set(err, NOTIFY_EINVALID, "bad iTIP method");
	return 0;
}

int notify_mime_build(struct sd_arena *a, const struct notify_msg *m, char **out,
                      struct sd_err *err)
{
	struct sd_buf b;
	const char *bnd;
	int rc;

	*out = NULL;
	if ((rc = check(m, err)))
		return rc;
	bnd = sd_arena_printf(a, "=_slotdav_%s", m->message_id);
	/* the boundary is a quoted parameter: keep it to token characters */
	for (char *p = (char *)bnd; *p; p++)
		if (!strchr("=_.-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
		            *p))
			*p = '_';
	sd_buf_init(&b, 0);
	put_date(&b, m->date);
	sd_buf_adds(&b, "From: ");
	notify_mime_mailbox(&b, m->from_name, m->from_addr);
	sd_buf_adds(&b, "\r\nTo: ");
	notify_mime_mailbox(&b, m->to_name, m->to_addr);
	sd_buf_adds(&b, "\r\n");
	if (m->reply_to && *m->reply_to)
		sd_buf_printf(&b, "Reply-To: %s\r\n", m->reply_to);
	sd_buf_adds(&b, "Subject: ");
	notify_mime_text(&b, m->subject ? m->subject : "", 9);
	sd_buf_printf(&b, "\r\nMessage-ID: <%s>\r\n", m->message_id);
	if (m->list_unsubscribe && *m->list_unsubscribe)
		sd_buf_printf(&b, "List-Unsubscribe: <%s>\r\n", m->list_unsubscribe);
	sd_buf_adds(&b, "Auto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n");
	sd_buf_printf(&b, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n", bnd);
	sd_buf_adds(&b, "This is a message in MIME format.\r\n");
	sd_buf_printf(&b,
	              "--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	              "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	              bnd);
	notify_mime_qp(&b, m->text ? m->text : "");
	sd_buf_printf(&b,
	              "--%s\r\nContent-Type: text/html; charset=UTF-8\r\n"
	              "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	              bnd);
	notify_mime_qp(&b, m->html ? m->html : "");
	if (m->ics) {
		sd_buf_printf(&b,
		              "--%s\r\nContent-Type: text/calendar; charset=UTF-8; method=%s\r\n"
		              "Content-Transfer-Encoding: base64\r\n\r\n",
		              bnd, m->method);
		notify_mime_b64(&b, m->ics, strlen(m->ics));
	}
	sd_buf_printf(&b, "--%s--\r\n", bnd);
	*out = sd_arena_strndup(a, sd_buf_cstr(&b), b.len);
	sd_buf_free(&b);
	return 0;
}
