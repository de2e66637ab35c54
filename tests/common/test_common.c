/* test_common.c - arena, buffer, URL path and request helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sd_arena.h"
#include "sd_buf.h"
#include "sd_err.h"
#include "sd_log.h"
#include "sd_req.h"
#include "sd_url.h"
#include "sd_util.h"

static int cleanups_run;
static int cleanup_order[4];

static void note_cleanup(void *p)
{
	cleanup_order[cleanups_run++] = (int)(intptr_t)p;
}

static void test_arena_alloc_and_cleanup(void **state)
{
	struct sd_arena *a = sd_arena_new();
	char *big = sd_arena_alloc(a, 100000);
	char *s = sd_arena_printf(a, "%s-%d", "x", 42);
	unsigned char *z = sd_arena_alloc(a, 64);

	(void)state;
	memset(big, 'b', 100000);
	assert_string_equal(s, "x-42");
	for (int i = 0; i < 64; i++)
		assert_int_equal(z[i], 0);
	assert_true(((uintptr_t)z % 16) == 0);
	assert_string_equal(sd_arena_strndup(a, "abcdef", 3), "abc");
	assert_null(sd_arena_strdup(a, NULL));
	cleanups_run = 0;
	sd_arena_defer(a, note_cleanup, (void *)1);
	sd_arena_defer(a, note_cleanup, (void *)2);
	sd_arena_free(a);
	assert_int_equal(cleanups_run, 2);
	assert_int_equal(cleanup_order[0], 2); /* last registered runs first */
	assert_int_equal(cleanup_order[1], 1);
}

static void test_arena_many_small(void **state)
{
	struct sd_arena *a = sd_arena_new();
	char *prev = NULL;

	(void)state;
	for (int i = 0; i < 10000; i++) {
		char *p = sd_arena_printf(a, "%d", i);
		assert_non_null(p);
		assert_ptr_not_equal(p, prev);
		prev = p;
	}
	assert_true(sd_arena_used(a) >= 10000);
	sd_arena_free(a);
}

static void test_buf_cap(void **state)
{
	struct sd_buf b;

	(void)state;
	sd_buf_init(&b, 10);
	assert_int_equal(sd_buf_adds(&b, "12345"), 0);
	assert_int_equal(sd_buf_adds(&b, "67890"), 0);
	assert_int_equal(sd_buf_addc(&b, 'x'), SD_BUF_ETOOBIG);
	assert_int_equal(b.len, 10);
	assert_string_equal(sd_buf_cstr(&b), "1234567890");
	sd_buf_consume(&b, 4);
	assert_string_equal(sd_buf_cstr(&b), "567890");
	sd_buf_free(&b);
}

static void test_buf_xml_escape(void **state)
{
	struct sd_buf b;

	(void)state;
	sd_buf_init(&b, 0);
	sd_buf_add_xml(&b, "a<b>&\"c'\x01"
	                   "d");
	assert_string_equal(sd_buf_cstr(&b), "a&lt;b&gt;&amp;&quot;c&#39;d");
	sd_buf_reset(&b);
	assert_int_equal(sd_buf_printf(&b, "%05d|%s", 42, "z"), 0);
	assert_string_equal(sd_buf_cstr(&b), "00042|z");
	sd_buf_free(&b);
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(sd_utf8_valid("caf\xc3\xa9", 5));
	assert_true(sd_utf8_valid("\xf0\x9f\x98\x80", 4));  /* U+1F600 */
	assert_false(sd_utf8_valid("\xc3", 1));             /* truncated */
	assert_false(sd_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
	assert_false(sd_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	assert_false(sd_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(sd_utf8_valid("a\x01", 2));
	assert_true(sd_utf8_valid("a\tb\r\n", 5));
}

static int parse(struct sd_arena *a, const char *raw, struct sd_path *p)
{
	return sd_path_parse(p, raw, a);
}

static void test_path_parse(void **state)
{
	struct sd_arena *a = sd_arena_new();
	struct sd_path p;

	(void)state;
	assert_int_equal(parse(a, "/", &p), SD_URL_OK);
	assert_int_equal(p.n, 0);
	assert_int_equal(parse(a, "/dav/calendars/alice/", &p), SD_URL_OK);
	assert_int_equal(p.n, 3);
	assert_string_equal(p.seg[2], "alice");
	assert_true(p.trailing_slash);
	assert_int_equal(parse(a, "/dav/caf%C3%A9%201.ics", &p), SD_URL_OK);
	assert_string_equal(p.seg[1], "caf\xc3\xa9 1.ics");
	assert_false(p.trailing_slash);
	/* Hostile paths. */
	assert_int_equal(parse(a, "/dav/../etc", &p), SD_URL_EFORBIDDEN);
	assert_int_equal(parse(a, "/dav/%2e%2e/bob/", &p), SD_URL_EFORBIDDEN);
	assert_int_equal(parse(a, "/dav/./x", &p), SD_URL_EFORBIDDEN);
	assert_int_equal(parse(a, "/dav/a%2Fb", &p), SD_URL_EFORBIDDEN);
	assert_int_equal(parse(a, "/dav//x", &p), SD_URL_EFORBIDDEN);
	assert_int_equal(parse(a, "/dav/a%00b", &p), SD_URL_EINVALID);
	assert_int_equal(parse(a, "/dav/%zz", &p), SD_URL_EINVALID);
	assert_int_equal(parse(a, "/dav/%4", &p), SD_URL_EINVALID);
	assert_int_equal(parse(a, "/dav/%C3", &p), SD_URL_EINVALID);
	assert_int_equal(parse(a, "/dav/a%0Ab", &p), SD_URL_EINVALID);
	assert_int_equal(parse(a, "dav/x", &p), SD_URL_EINVALID);
	assert_int_equal(
	    parse(a, "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/1/2/3/4/5/6/7", &p),
	    SD_URL_ETOODEEP);
	sd_arena_free(a);
}

static void test_url_encode_roundtrip(void **state)
{
	struct sd_arena *a = sd_arena_new();
	const char *names[] = { "plain.ics", "caf\xc3\xa9 1.ics", "a/b", "100%",
		                "x?y#z",     "@~!$&'()*+,;=:" };

	(void)state;
	assert_string_equal(sd_url_encode_segment(a, "caf\xc3\xa9 1.ics"), "caf%C3%A9%201.ics");
	assert_string_equal(sd_url_encode_segment(a, "a/b"), "a%2Fb");
	for (size_t i = 0; i < SD_ARRAY_LEN(names); i++) {
		const char *enc = sd_url_encode_segment(a, names[i]);
		assert_string_equal(sd_url_decode(a, enc, strlen(enc)), names[i]);
	}
	assert_string_equal(sd_url_join(a, "/dav/", "x y", 1), "/dav/x%20y/");
	sd_arena_free(a);
}

static void test_req_headers(void **state)
{
	struct sd_arena *a = sd_arena_new();
	struct sd_req r;

	(void)state;
	sd_req_init(&r, a);
	sd_req_add_header(&r, "Content-Type", "text/calendar");
	assert_string_equal(sd_req_header(&r, "content-type"), "text/calendar");
	assert_null(sd_req_header(&r, "Depth"));
	assert_int_equal(sd_req_set_header(&r, "ETag", "\"abc\""), 0);
	assert_int_equal(sd_req_set_header(&r, "X-Evil", "a\r\nSet-Cookie: x"), -1);
	assert_string_equal(sd_req_resp_header(&r, "etag"), "\"abc\"");
	assert_null(sd_req_resp_header(&r, "X-Evil"));
	sd_buf_adds(&r.resp_body, "freed with the arena");
	sd_arena_free(a);
}

static void test_err(void **state)
{
	struct sd_err e;

	(void)state;
	assert_int_equal(sd_err_set(&e, -7, "bad %s", "thing"), -7);
	assert_int_equal(e.code, -7);
	assert_string_equal(e.msg, "bad thing");
	assert_int_equal(sd_err_set(NULL, -3, "ignored"), -3);
	sd_err_clear(&e);
	assert_int_equal(e.code, 0);
	assert_string_equal(e.msg, "");
}

static void test_log_quote(void **state)
{
	struct sd_arena *a = sd_arena_new();
	char *long_value = sd_arena_alloc(a, SD_LOG_VALUE_MAX + 10);

	(void)state;
	assert_string_equal(sd_log_quote(a, "/dav/x.ics"), "/dav/x.ics");
	assert_string_equal(sd_log_quote(a, "Mozilla/5.0 (X11)"), "\"Mozilla/5.0 (X11)\"");
	/* A forged second log line stays on this one. */
	assert_string_equal(sd_log_quote(a, "a\nlevel=error msg=\"x\""),
	                    "\"a\\x0alevel=error msg=\\\"x\\\"\"");
	assert_string_equal(sd_log_quote(a, ""), "\"\"");
	memset(long_value, 'x', SD_LOG_VALUE_MAX + 9);
	assert_int_equal(strlen(sd_log_quote(a, long_value)), SD_LOG_VALUE_MAX + 5);
	sd_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_alloc_and_cleanup),
		cmocka_unit_test(test_arena_many_small),
		cmocka_unit_test(test_buf_cap),
		cmocka_unit_test(test_buf_xml_escape),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_path_parse),
		cmocka_unit_test(test_url_encode_roundtrip),
		cmocka_unit_test(test_req_headers),
		cmocka_unit_test(test_err),
		cmocka_unit_test(test_log_quote),
	};
	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
