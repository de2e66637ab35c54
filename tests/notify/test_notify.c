/* test_notify.c - notify/: the MIME builder (read back with a strict
 * parser: line ends and lengths, headers, folding, boundaries, encodings,
 * injection), templates and the backoff schedule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include <cmocka.h>

#include "notify_int.h"

/* ---- a strict reader of what notify_mime_build writes ---- */

static int b64val(char c)
{
	const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(t, c) : NULL;

	return p ? (int)(p - t) : -1;
}

/* Decodes base64 (line breaks skipped) into a malloc'd string. */
static char *b64dec(const char *s, size_t n)
{
	char *out = calloc(1, n + 1);
	unsigned v = 0;
	int bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int d;

		if (s[i] == '\r' || s[i] == '\n' || s[i] == '=')
			continue;
		d = b64val(s[i]);
		assert_true(d >= 0);
		v = v << 6 | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)(v >> bits & 0xff);
		}
	}
	return out;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes quoted-printable; checks the line rules on the way. */
static char *qpdec(const char *s, size_t n)
{
	char *out = calloc(1, n + 1);
	size_t o = 0, col = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			assert_true(i + 1 < n && s[i + 1] == '\n');
			assert_true(i == 0 || (s[i - 1] != ' ' && s[i - 1] != '\t'));
			out[o++] = '\n';
			i++;
			col = 0;
			continue;
		}
		assert_true(s[i] != '\n');
		assert_true(++col <= 76);
		if (s[i] == '=') {
			if (s[i + 1] == '\r') { /* soft break */
				i += 2;
				col = 0;
				continue;
			}
			assert_true(hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0);
			out[o++] = (char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
			i += 2;
			col += 2;
		} else {
			assert_true((unsigned char)s[i] < 0x7f);
			out[o++] = s[i];
		}
	}
	return out;
}

/* The unfolded value of header name (malloc'd), NULL if absent; asserts
 * that it appears at most once. */
static char *header(const char *msg, const char *name)
{
	size_t nl = strlen(name), hlen = strstr(msg, "\r\n\r\n") - msg;
	char *found = NULL;

	for (const char *p = msg; p < msg + hlen;) {
		const char *e = strstr(p, "\r\n");

		if (!strncasecmp(p, name, nl) && p[nl] == ':') {
			const char *v = p + nl + 1;
			size_t cap = hlen, o = 0;
			char *val = calloc(1, cap + 1);

			assert_null(found);
			while (*v == ' ')
				v++;
			for (;;) {
				e = strstr(v, "\r\n");
				memcpy(val + o, v, (size_t)(e - v));
				o += (size_t)(e - v);
				if (e[2] != ' ' && e[2] != '\t')
					break;
				v = e + 2;
			}
			found = val;
			p = e + 2;
			continue;
		}
		p = e + 2;
	}
	return found;
}

/* Decodes encoded-words of an unfolded header value (whitespace between
 * adjacent encoded-words dropped, RFC 2047 6.2). */
static char *decode_words(const char *v)
{
	char *out = calloc(1, strlen(v) + 1);
	size_t o = 0;
	int prev_word = 0;

	while (*v) {
		if (!strncmp(v, "=?UTF-8?B?", 10)) {
			const char *e = strstr(v + 10, "?=");
			char *d = b64dec(v + 10, (size_t)(e - v - 10));

			assert_true(e - v <= 75);
			memcpy(out + o, d, strlen(d));
			o += strlen(d);
			free(d);
			v = e + 2;
			prev_word = 1;
			continue;
		}
		if (*v == ' ' && prev_word && !strncmp(v + strspn(v, " "), "=?", 2)) {
			v += strspn(v, " ");
			continue;
		}
		prev_word = 0;
		out[o++] = *v++;
	}
	return out;
}

/* Every line ends in CRLF and is at most 78 bytes; returns the number of
 * body parts of the multipart and checks their decoded content. */
static void check_lines(const char *msg)
{
	for (const char *p = msg; *p;) {
		const char *e = strstr(p, "\r\n");

		assert_non_null(e);
		assert_null(memchr(p, '\n', (size_t)(e - p)));
		assert_null(memchr(p, '\r', (size_t)(e - p)));
		assert_true(e - p <= 78);
		p = e + 2;
	}
}

struct part {
	char *ctype, *cte, *body;
};

/* Splits the multipart body by the boundary of Content-Type; at most 4. */
static size_t parts(const char *msg, struct part out[4])
{
	char *ct = header(msg, "Content-Type"), *b, bnd[200];
	const char *body = strstr(msg, "\r\n\r\n") + 4, *p;
	size_t n = 0;

	assert_non_null(strstr(ct, "multipart/alternative"));
	b = strstr(ct, "boundary=\"") + 10;
	snprintf(bnd, sizeof(bnd), "\r\n--%.*s", (int)(strchr(b, '"') - b), b);
	free(ct);
	p = strstr(body, bnd + 2) == body ? body - 2 : strstr(body, bnd);
	assert_non_null(p);
	for (;;) {
		const char *start = p + strlen(bnd), *next;

		if (!strncmp(start, "--\r\n", 4))
			break;
		assert_true(start[0] == '\r' && start[1] == '\n');
		next = strstr(start, bnd);
		assert_non_null(next);
		assert_true(n < 4);
		{
			size_t len = (size_t)(next - start - 2);
			char *raw = strndup(start + 2, len);
			const char *sep = strstr(raw, "\r\n\r\n");
			char *hdr = strndup(raw, (size_t)(sep - raw) + 2), *full;

			full = malloc(strlen(hdr) + 5);
			sprintf(full, "%s\r\n", hdr);
			out[n].ctype = header(full, "Content-Type");
			out[n].cte = header(full, "Content-Transfer-Encoding");
			if (!strcmp(out[n].cte, "base64"))
				out[n].body = b64dec(sep + 4, strlen(sep + 4));
			else
				out[n].body =
				    qpdec(sep + 4, strlen(sep + 4) + 2 > 2 ? strlen(sep + 4) : 0);
			free(full);
			free(hdr);
			free(raw);
		}
		n++;
		p = next;
	}
	return n;
}

static void parts_free(struct part *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].ctype);
		free(p[i].cte);
		free(p[i].body);
	}
}

static const char ics[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:u1\r\nSUMMARY:Haarschnitt f\xc3\xbcr J\xc3\xbcrgen\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n";

static struct notify_msg sample(void)
{
	struct notify_msg m = {
		.from_name = "Salon M\xc3\xbcller, Hauptstra\xc3\x9f"
		             "e",
		.from_addr = "noreply@example.org",
		.to_name = "O'Brien, \"Jo\"",
		.to_addr = "jo@example.org",
		.reply_to = "salon@example.org",
		.subject = "Ihr Termin: Haarschnitt am Mo 23 Nov 2026, 10:00 \xe2\x80\x93 "
		           "bitte best\xc3\xa4tigen Sie den Termin rechtzeitig \xf0\x9f\x98\x80 ok",
		.message_id = "notif-7.0123abcd@slotdav",
		.date = 1795424400,
		.text =
		    "Hello J\xc3\xbcrgen,\n\na line with = and trailing space \n"
		    "a very long line that goes on and on and on and on and on and on and on and "
		    "on and on and on and on past seventy-six\n.\nend",
		.html = "<p>Hello &amp; J\xc3\xbcrgen</p>\n",
		.ics = ics,
		.method = "REQUEST",
	};
	return m;
}

static void test_mime_roundtrip(void **state)
{
	struct sd_arena *a = sd_arena_new();
	struct notify_msg m = sample();
	struct sd_err err = { 0 };
	struct part p[4];
	char *msg, *v, *d;
	size_t n;

	(void)state;
	assert_int_equal(notify_mime_build(a, &m, &msg, &err), 0);
	check_lines(msg);
	v = header(msg, "Subject");
	d = decode_words(v);
	assert_string_equal(d, m.subject);
	free(d);
	free(v);
	v = header(msg, "From");
	d = decode_words(v);
	assert_string_equal(d, "Salon M\xc3\xbcller, Hauptstra\xc3\x9f"
	                       "e <noreply@example.org>");
	free(d);
	free(v);
	v = header(msg, "To");
	assert_string_equal(v, "\"O'Brien, \\\"Jo\\\"\" <jo@example.org>");
	free(v);
	v = header(msg, "Message-ID");
	assert_string_equal(v, "<notif-7.0123abcd@slotdav>");
	free(v);
	v = header(msg, "Date");
	assert_string_equal(v, "Mon, 23 Nov 2026 09:00:00 +0000");
	free(v);
	v = header(msg, "Reply-To");
	assert_string_equal(v, "salon@example.org");
	free(v);
	v = header(msg, "MIME-Version");
	assert_string_equal(v, "1.0");
	free(v);
	n = parts(msg, p);
	assert_int_equal(n, 3);
	assert_string_equal(p[0].ctype, "text/plain; charset=UTF-8");
	assert_string_equal(p[0].cte, "quoted-printable");
	assert_string_equal(p[0].body, "Hello J\xc3\xbcrgen,\n\na line with = and trailing space \n"
	                               "a very long line that goes on and on and on and on and on "
	                               "and on and on and on and on and on and on past "
	                               "seventy-six\n.\nend");
	assert_string_equal(p[1].ctype, "text/html; charset=UTF-8");
	/* the CRLF before a boundary belongs to the boundary (RFC 2046 5.1.1) */
	assert_string_equal(p[1].body, "<p>Hello &amp; J\xc3\xbcrgen</p>");
	assert_string_equal(p[2].ctype, "text/calendar; charset=UTF-8; method=REQUEST");
	assert_string_equal(p[2].cte, "base64");
	assert_string_equal(p[2].body, ics);
	parts_free(p, n);
	sd_arena_free(a);
}

static void test_mime_injection(void **state)
{
	struct sd_arena *a = sd_arena_new();
	struct notify_msg m = sample();
	struct sd_err err = { 0 };
	char *msg, *v;

	(void)state;
	m.to_name = "Eve\r\nBcc: victim@example.org";
	assert_int_equal(notify_mime_build(a, &m, &msg, &err), NOTIFY_EINVALID);
	assert_null(msg);
	m = sample();
	m.subject = "Hi\nBcc: victim@example.org";
	assert_int_equal(notify_mime_build(a, &m, &msg, &err), NOTIFY_EINVALID);
	m = sample();
	m.to_addr = "jo@example.org>\r\nRCPT TO:<x@y";
	assert_int_equal(notify_mime_build(a, &m, &msg, &err), NOTIFY_EINVALID);
	m = sample();
	m.to_addr = "not-an-address";
	assert_int_equal(notify_mime_build(a, &m, &msg, &err), NOTIFY_EINVALID);
	m = sample();
	m.reply_to = "a@b\r\nX: y";
	assert_int_equal(notify_mime_build(a, &m, &msg, &err), NOTIFY_EINVALID);
	/* flattened, the same name is harmless: one To, no Bcc header */
	m = sample();
	m.to_name = notify_flatten(a, "Eve\r\nBcc: victim@example.org");
	m.subject = notify_flatten(a, "Hi\nBcc: victim@example.org");
	assert_int_equal(notify_mime_build(a, &m, &msg, &err), 0);
	check_lines(msg);
	v = header(msg, "Bcc");
	assert_null(v);
	v = header(msg, "To");
	assert_string_equal(v, "\"Eve  Bcc: victim@example.org\" <jo@example.org>");
	free(v);
	sd_arena_free(a);
}

static void test_addr(void **state)
{
	(void)state;
	assert_true(notify_addr_valid("a@example.org"));
	assert_true(notify_addr_valid("first.last+tag@sub.example.org"));
	assert_false(notify_addr_valid(""));
	assert_false(notify_addr_valid("@example.org"));
	assert_false(notify_addr_valid("a@"));
	assert_false(notify_addr_valid("a@b@c"));
	assert_false(notify_addr_valid("a b@example.org"));
	assert_false(notify_addr_valid("a@example.org,b@example.org"));
	assert_false(notify_addr_valid("J\xc3\xbcrgen@example.org"));
}

static void test_template(void **state)
{
	struct sd_arena *a = sd_arena_new();
	struct sd_err err = { 0 };
	const struct notify_var v[] = { { "customer_name", "<b>Tom & \"Jerry\"</b>" },
		                        { "manage_url", "https://x/manage/t" },
		                        { "service", "{manage_url}" } };
	char *out;

	(void)state;
	assert_int_equal(notify_tmpl_render(a, "Hi {customer_name}, {service} {{x}} {manage_url}",
	                                    v, 3, 0, &out, &err),
	                 0);
	assert_string_equal(out, "Hi <b>Tom & \"Jerry\"</b>, {manage_url} {x} https://x/manage/t");
	assert_int_equal(notify_tmpl_render(a, "<p>{customer_name}</p>", v, 3, 1, &out, &err), 0);
	assert_string_equal(out, "<p>&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;</p>");
	assert_int_equal(notify_tmpl_render(a, "Hi {nosuch}", v, 3, 0, &out, &err),
	                 NOTIFY_ETEMPLATE);
	assert_non_null(strstr(err.msg, "nosuch"));
	assert_int_equal(notify_tmpl_render(a, "Hi {customer_name", v, 3, 0, &out, &err),
	                 NOTIFY_ETEMPLATE);
	/* every shipped default renders with the worker's names */
	{
		static const char *const kinds[] = { "created",          "confirmed",
			                             "rescheduled",      "cancelled",
			                             "restored",         "request_received",
			                             "request_approved", "request_declined",
			                             "details_updated",  "approval_needed",
			                             "reminder" };
		const struct notify_var all[] = { { "customer_name", "C" },
			                          { "staff_name", "S" },
			                          { "service", "Svc" },
			                          { "start_local", "T" },
			                          { "end_local", "E" },
			                          { "location", "L" },
			                          { "location_address", "A" },
			                          { "manage_url", "U" },
			                          { "reason", "" },
			                          { "notes", "" },
			                          { "booking_id", "1" } };
		struct notify_tmpl t;

		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
			assert_int_equal(notify_tmpl_load(a, "", 1, kinds[i], &t, &err), 0);
			assert_int_equal(notify_tmpl_render(a, t.subject, all, 11, 0, &out, &err),
			                 0);
			assert_int_equal(notify_tmpl_render(a, t.text, all, 11, 0, &out, &err), 0);
			if (strcmp(kinds[i], "approval_needed"))
				assert_non_null(strstr(out, "U"));
			assert_int_equal(notify_tmpl_render(a, t.html, all, 11, 1, &out, &err), 0);
		}
		assert_int_equal(notify_tmpl_load(a, "", 1, "nosuch", &t, &err), NOTIFY_ETEMPLATE);
	}
	sd_arena_free(a);
}

static void test_backoff(void **state)
{
	int h[NOTIFY_MAX_REMINDERS], n;
	struct sd_err err = { 0 };

	(void)state;
	assert_int_equal(notify_backoff(60, 1), 60);
	assert_int_equal(notify_backoff(60, 2), 120);
	assert_int_equal(notify_backoff(60, 3), 240);
	assert_int_equal(notify_backoff(60, 30), 6 * 3600);
	assert_int_equal(notify_backoff(1, 5), 16);
	assert_int_equal(notify_reminders_parse("24, 2", h, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(h[0], 24);
	assert_int_equal(h[1], 2);
	assert_int_equal(notify_reminders_parse("", h, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(notify_reminders_parse("24;2", h, &n, &err), NOTIFY_EINVALID);
	assert_int_equal(notify_reminders_parse("0", h, &n, &err), NOTIFY_EINVALID);
	assert_int_equal(notify_tls_parse("required"), NOTIFY_TLS_REQUIRED);
	assert_int_equal(notify_tls_parse("maybe"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mime_roundtrip), cmocka_unit_test(test_mime_injection),
		cmocka_unit_test(test_addr),           cmocka_unit_test(test_template),
		cmocka_unit_test(test_backoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
