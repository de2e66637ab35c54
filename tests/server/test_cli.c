/* test_cli.c - name validation and the command line's argument handling
 * (exit statuses; the commands themselves run end to end in cli_smoke.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "test_server.h"

static void test_name_valid(void **state)
{
	char longest[SRV_NAME_MAX + 2];

	(void)state;
	assert_true(srv_name_valid("alice"));
	assert_true(srv_name_valid("a"));
	assert_true(srv_name_valid("Alice.Smith-2_x@example.com"));
	assert_true(srv_name_valid("..."));
	assert_true(srv_name_valid(".hidden"));
	assert_false(srv_name_valid(""));
	assert_false(srv_name_valid("."));
	assert_false(srv_name_valid(".."));
	assert_false(srv_name_valid("a b"));
	assert_false(srv_name_valid("a/b"));
	assert_false(srv_name_valid("a%2Fb"));
	assert_false(srv_name_valid("a:b"));
	assert_false(srv_name_valid("j\xc3\xbcrgen"));
	assert_false(srv_name_valid("tab\t"));
	memset(longest, 'x', SRV_NAME_MAX);
	longest[SRV_NAME_MAX] = '\0';
	assert_true(srv_name_valid(longest));
	longest[SRV_NAME_MAX] = 'x';
	longest[SRV_NAME_MAX + 1] = '\0';
	assert_false(srv_name_valid(longest));
}

static void test_text_valid(void **state)
{
	char big[300];

	(void)state;
	assert_true(srv_text_valid(""));
	assert_true(srv_text_valid("Work \xe2\x80\x93 J\xc3\xbcrgen's \"calendar\""));
	assert_false(srv_text_valid("line\nbreak"));
	assert_false(srv_text_valid("\xc3"));
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(srv_text_valid(big));
}

/* srv_cli_main with stdout and stderr sent to /dev/null. */
static int run(char **argv)
{
	int argc = 0, out = dup(1), err = dup(2), null = open("/dev/null", O_WRONLY), rc;

	while (argv[argc])
		argc++;
	fflush(stdout);
	fflush(stderr);
	dup2(null, 1);
	dup2(null, 2);
	rc = srv_cli_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(err, 2);
	close(out);
	close(err);
	close(null);
	return rc;
}

static void test_exit_statuses(void **state)
{
	char *version[] = { "slotdav", "version", NULL };
	char *version_cfg[] = { "slotdav", "--port", "9000", "version", "--log.level=warn", NULL };
	char *help[] = { "slotdav", "--help", NULL };
	char *help_cmd[] = { "slotdav", "help", "user", "add", NULL };
	char *sub_help[] = { "slotdav", "user", "add", "--help", NULL };
	char *serve_help[] = { "slotdav", "serve", "--help", NULL };
	char *group_help[] = { "slotdav", "calendar", "--help", NULL };
	char *none[] = { "slotdav", NULL };
	char *unknown[] = { "slotdav", "frobnicate", NULL };
	char *unknown_sub[] = { "slotdav", "user", "frobnicate", NULL };
	char *group_only[] = { "slotdav", "user", NULL };
	char *missing_arg[] = { "slotdav", "user", "add", NULL };
	char *extra_arg[] = { "slotdav", "user", "list", "extra", NULL };
	char *unknown_opt[] = { "slotdav", "user", "list", "--frob", NULL };
	char *unknown_key[] = { "slotdav", "version", "--server.frob=1", NULL };
	char *bad_value[] = { "slotdav", "--server.port=0", "version", NULL };
	char *flag_value[] = { "slotdav", "user", "add", "x", "--password-stdin=yes", NULL };
	char *missing_value[] = { "slotdav", "user", "add", "x", "--email", NULL };
	char *bad_name[] = { "slotdav", "user", "add", "no/slash", "--password-stdin", NULL };
	char *bad_color[] = { "slotdav", "calendar", "create", "alice",
		              "work",    "--color",  "red",    NULL };
	char *missing_config[] = { "slotdav", "version", "--config", "/nonexistent/slotdav.ini",
		                   NULL };

	(void)state;
	assert_int_equal(run(version), SRV_EXIT_OK);
	assert_int_equal(run(version_cfg), SRV_EXIT_OK);
	assert_int_equal(run(help), SRV_EXIT_OK);
	assert_int_equal(run(help_cmd), SRV_EXIT_OK);
	assert_int_equal(run(sub_help), SRV_EXIT_OK);
	assert_int_equal(run(serve_help), SRV_EXIT_OK);
	assert_int_equal(run(group_help), SRV_EXIT_OK);
	assert_int_equal(run(none), SRV_EXIT_USAGE);
	assert_int_equal(run(unknown), SRV_EXIT_USAGE);
	assert_int_equal(run(unknown_sub), SRV_EXIT_USAGE);
	assert_int_equal(run(group_only), SRV_EXIT_USAGE);
	assert_int_equal(run(missing_arg), SRV_EXIT_USAGE);
	assert_int_equal(run(extra_arg), SRV_EXIT_USAGE);
	assert_int_equal(run(unknown_opt), SRV_EXIT_USAGE);
	assert_int_equal(run(unknown_key), SRV_EXIT_USAGE);
	assert_int_equal(run(bad_value), SRV_EXIT_USAGE);
	assert_int_equal(run(flag_value), SRV_EXIT_USAGE);
	assert_int_equal(run(missing_value), SRV_EXIT_USAGE);
	assert_int_equal(run(bad_name), SRV_EXIT_USAGE);
	assert_int_equal(run(bad_color), SRV_EXIT_USAGE);
	assert_int_equal(run(missing_config), SRV_EXIT_USAGE);
}

int test_cli_run(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_text_valid),
		cmocka_unit_test(test_exit_statuses),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
