/* test_web.c - test_web: the text helpers of web/ (web_html.c): the HTML
 * escaper with hostile names, and the strict form decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "web_html.h"

static void test_escape(void **state)
{
	struct sd_arena *a = sd_arena_new();

	assert_string_equal(web_html_escape_str(a, "<script>alert(1)</script>"),
	                    "&lt;script&gt;alert(1)&lt;/script&gt;");
	assert_string_equal(web_html_escape_str(a, "Tom & \"Jerry\" 'x'"),
	                    "Tom &amp; &quot;Jerry&quot; &#39;x&#39;");
	assert_string_equal(web_html_escape_str(a, "&amp;"), "&amp;amp;");
	assert_string_equal(web_html_escape_str(a, "\" onmouseover=\"x"),
	                    "&quot; onmouseover=&quot;x");
	assert_string_equal(web_html_escape_str(a, "Müller – 東京"), "Müller – 東京");
	assert_string_equal(web_html_escape_str(a, ""), "");
	assert_string_equal(web_html_escape_str(a, NULL), "");
	assert_string_equal(web_html_escape_str(a, "plain"), "plain");
	assert_string_equal(web_html_escape_str(a, "<<>>"), "&lt;&lt;&gt;&gt;");
	sd_arena_free(a);
}

static void test_escape_capped(void **state)
{
	struct sd_buf b;

	sd_buf_init(&b, 8);
	assert_int_not_equal(web_html_escape(&b, "<<<<<<"), 0);
	sd_buf_free(&b);
}

static void test_form(void **state)
{
	struct sd_arena *a = sd_arena_new();
	struct web_field *f;
	size_t n;
	const char *body =
	    "csrf=a.b-_&reason=ill+%3C3+%26+sorry%0D%0Aline+2&start=1795968900&empty=";

	assert_int_equal(web_form_decode(a, body, strlen(body), &f, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(web_form_get(f, n, "csrf"), "a.b-_");
	assert_string_equal(web_form_get(f, n, "reason"), "ill <3 & sorry\r\nline 2");
	assert_string_equal(web_form_get(f, n, "start"), "1795968900");
	assert_string_equal(web_form_get(f, n, "empty"), "");
	assert_null(web_form_get(f, n, "missing"));
	/* empty pairs and a name without '=' */
	assert_int_equal(web_form_decode(a, "&&a&&b=2&", 9, &f, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(web_form_get(f, n, "a"), "");
	assert_string_equal(web_form_get(f, n, "b"), "2");
	assert_int_equal(web_form_decode(a, "", 0, &f, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(web_form_decode(a, NULL, 0, &f, &n), 0);
	/* UTF-8 escapes */
	assert_int_equal(web_form_decode(a, "n=M%C3%BCller", 13, &f, &n), 0);
	assert_string_equal(web_form_get(f, n, "n"), "Müller");
	/* only len bytes are read */
	assert_int_equal(web_form_decode(a, "a=1&b=2", 3, &f, &n), 0);
	assert_int_equal(n, 1);
	sd_arena_free(a);
}

static void test_form_hostile(void **state)
{
	static const char *const bad[] = {
		"a=%",     "a=%4",      "a=%zz",    "a=%4g",       "a=%00",  "a=%01",
		"a=%7F",   "a=%C3",     "a=%C3%28", "a=%ED%A0%80", "a=%FF",  "=value",
		"a=1&a=2", "%61=1&a=2", "a=\x01",   "a=x%0",       "a=%%41",
	};
	struct sd_arena *a = sd_arena_new();
	struct web_field *f;
	size_t n;
	char many[2048] = "";
	const char nul[] = "a=1\0b=2";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = (void *)1;
		n = 99;
		assert_int_equal(web_form_decode(a, bad[i], strlen(bad[i]), &f, &n), -1);
		assert_null(f);
		assert_int_equal(n, 0);
	}
	assert_int_equal(web_form_decode(a, nul, sizeof(nul) - 1, &f, &n), -1);
	for (int i = 0; i <= WEB_FORM_MAX_FIELDS; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "f%d=1&", i);
	assert_int_equal(web_form_decode(a, many, strlen(many), &f, &n), -1);
	/* hostile but well-formed text is kept as is, for the escaper */
	assert_int_equal(web_form_decode(a, "r=%3Cscript%3E%22%27", 20, &f, &n), 0);
	assert_string_equal(web_form_get(f, n, "r"), "<script>\"'");
	assert_string_equal(web_html_escape_str(a, web_form_get(f, n, "r")),
	                    "&lt;script&gt;&quot;&#39;");
	sd_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_capped),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_form_hostile),
	};

	return cmocka_run_group_tests_name("web: html and forms", tests, NULL, NULL);
}
