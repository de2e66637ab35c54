/* test_config.c - the configuration table, INI files and command-line options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "sd_log.h"
#include "test_server.h"

struct fixture {
	char *dir;
	char path[4200];
	struct srv_config cfg;
	struct srv_config_src src;
	struct sd_err err;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->dir = test_tmpdir();
	snprintf(f->path, sizeof(f->path), "%s/slotdav.ini", f->dir);
	srv_config_init(&f->cfg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	srv_config_free(&f->cfg);
	srv_config_src_free(&f->src);
	test_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void write_ini(struct fixture *f, const char *text)
{
	FILE *fp = fopen(f->path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Feeds argv (NULL-terminated) through srv_config_arg like the CLI does. */
static int feed_args(struct fixture *f, char **argv)
{
	int argc = 0, i = 0, rc = 0;

	while (argv[argc])
		argc++;
	while (i < argc && (rc = srv_config_arg(&f->src, argc, argv, &i, &f->err)) == 1)
		;
	return i < argc ? rc : 1;
}

static void test_defaults(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(f->cfg.server_listen, "127.0.0.1");
	assert_int_equal(f->cfg.server_port, 8008);
	assert_int_equal(f->cfg.server_threads, 4);
	assert_int_equal(f->cfg.server_max_body, 10 * 1024 * 1024);
	assert_int_equal(f->cfg.server_timeout, 60);
	assert_string_equal(f->cfg.server_base_url, "");
	assert_string_equal(f->cfg.server_tls_cert, "");
	assert_string_equal(f->cfg.server_tls_key, "");
	assert_string_equal(f->cfg.storage_database, "var/slotdav.db");
	assert_int_equal(f->cfg.storage_pool, 8);
	assert_int_equal(f->cfg.caldav_max_resource_size, 1024 * 1024);
	assert_string_equal(f->cfg.auth_realm, "slotdav");
	assert_int_equal(f->cfg.auth_cache_seconds, 60);
	assert_int_equal(f->cfg.log_level, SD_LOG_INFO);
	assert_int_equal(srv_config_check(&f->cfg, &f->err), 0);
}

static void test_ini_file(void **state)
{
	struct fixture *f = *state;

	write_ini(f, "; comment\n"
	             "[server]\n"
	             "listen = ::1\n"
	             "port = 8443\n"
	             "max_body = 2M\n"
	             "base_url = https://cal.example.com/\n"
	             "\n"
	             "# another comment\n"
	             "[storage]\n"
	             "database = /srv/slotdav/db.sqlite\n"
	             "[caldav]\n"
	             "max_resource_size = 512KiB\n"
	             "[auth]\n"
	             "realm = Example Calendars\n"
	             "cache_seconds = 0\n"
	             "[log]\n"
	             "level = debug\n");
	assert_int_equal(srv_config_load_file(&f->cfg, f->path, &f->err), 0);
	assert_string_equal(f->cfg.server_listen, "::1");
	assert_int_equal(f->cfg.server_port, 8443);
	assert_int_equal(f->cfg.server_max_body, 2 * 1024 * 1024);
	assert_string_equal(f->cfg.server_base_url, "https://cal.example.com");
	assert_string_equal(f->cfg.storage_database, "/srv/slotdav/db.sqlite");
	assert_int_equal(f->cfg.caldav_max_resource_size, 512 * 1024);
	assert_string_equal(f->cfg.auth_realm, "Example Calendars");
	assert_int_equal(f->cfg.auth_cache_seconds, 0);
	assert_int_equal(f->cfg.log_level, SD_LOG_DEBUG);
	assert_int_equal(f->cfg.server_threads, 4); /* untouched keys keep defaults */
}

static void test_overrides_win(void **state)
{
	struct fixture *f = *state;
	char *argv[] = { "--config",    f->path,   "--server.port=9000",
		         "--listen",    "0.0.0.0", "--database=/tmp/x.db",
		         "--log.level", "warn",    NULL };

	write_ini(f, "[server]\nport = 8100\nthreads = 2\n[log]\nlevel = debug\n");
	assert_int_equal(feed_args(f, argv), 1);
	assert_string_equal(f->src.file, f->path);
	assert_int_equal(srv_config_load(&f->cfg, &f->src, &f->err), 0);
	assert_int_equal(f->cfg.server_port, 9000);           /* option beats file */
	assert_int_equal(f->cfg.server_threads, 2);           /* file beats default */
	assert_string_equal(f->cfg.server_listen, "0.0.0.0"); /* alias */
	assert_string_equal(f->cfg.storage_database, "/tmp/x.db");
	assert_int_equal(f->cfg.log_level, SD_LOG_WARN);
}

static void test_later_override_wins(void **state)
{
	struct fixture *f = *state;
	char *argv[] = { "--port=1", "--server.port", "2", NULL };

	assert_int_equal(feed_args(f, argv), 1);
	assert_int_equal(srv_config_load(&f->cfg, &f->src, &f->err), 0);
	assert_int_equal(f->cfg.server_port, 2);
}

static void expect_file_error(struct fixture *f, const char *ini, const char *needle)
{
	struct srv_config cfg;

	srv_config_init(&cfg);
	write_ini(f, ini);
	assert_int_equal(srv_config_load_file(&cfg, f->path, &f->err), SRV_CONFIG_EINVALID);
	if (!strstr(f->err.msg, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, f->err.msg);
	srv_config_free(&cfg);
}

static void test_file_errors_name_the_line(void **state)
{
	struct fixture *f = *state;
	char want[4300];

	snprintf(want, sizeof(want), "%s:3: unknown key \"prot\" in section [server]", f->path);
	expect_file_error(f, "[server]\nport = 80\nprot = 80\n", want);
	snprintf(want, sizeof(want), "%s:2: unknown key \"x\" in section [nosuch]", f->path);
	expect_file_error(f, "[nosuch]\nx = 1\n", want);
	expect_file_error(f, "[server]\n\nport = 65536\n",
	                  ":3: server.port: \"65536\" is out of range");
	expect_file_error(f, "[server]\nport = 0\n", ":2: server.port");
	expect_file_error(f, "[server]\nport = 80x\n",
	                  ":2: server.port: \"80x\" is not an integer");
	expect_file_error(f, "[server]\nport = -1\n", "is not an integer");
	expect_file_error(f, "[server]\nthreads = 0\n", "server.threads");
	expect_file_error(f, "[server]\nlisten = localhost\n", "not an IPv4 or IPv6 address");
	expect_file_error(f, "[server]\nmax_body = 10Q\n", "is not a size");
	expect_file_error(f, "[server]\nmax_body = 12\n", "out of range");
	expect_file_error(f, "[server]\nbase_url = ftp://x\n", "is not http(s)://host[:port]");
	expect_file_error(f, "[server]\nbase_url = https://x/path\n", "is not http(s)");
	expect_file_error(f, "[server]\nbase_url = http://:80\n", "is not http(s)");
	expect_file_error(f, "[storage]\ndatabase =\n", "storage.database: \"\" must not be empty");
	expect_file_error(f, "[auth]\nrealm = a\"b\n", "auth.realm");
	expect_file_error(f, "[log]\nlevel = loud\n", "log.level: \"loud\" is not debug");
	expect_file_error(f, "[server]\nport = 80\nthis is not ini\n", ":3: syntax error");
	expect_file_error(f, "port = 80\n", ":1: unknown key \"port\" in section []");
}

static void test_first_error_reported(void **state)
{
	struct fixture *f = *state;

	/* a syntax error before a bad value: the syntax error's line */
	expect_file_error(f, "[server]\nnonsense\nport = 0\n", ":2: syntax error");
	/* a bad value before a syntax error: the value's line */
	expect_file_error(f, "[server]\nport = 0\nnonsense\n", ":2: server.port");
}

static void test_long_line(void **state)
{
	struct fixture *f = *state;
	char ini[1024];

	snprintf(ini, sizeof(ini), "[auth]\nrealm = %0400d\n", 0);
	expect_file_error(f, ini, ":2: line longer than");
}

static void test_missing_file(void **state)
{
	struct fixture *f = *state;
	char path[4300];

	snprintf(path, sizeof(path), "%s/nope.ini", f->dir);
	assert_int_equal(srv_config_load_file(&f->cfg, path, &f->err), SRV_CONFIG_EIO);
	assert_non_null(strstr(f->err.msg, "nope.ini"));
}

static void test_bad_override(void **state)
{
	struct fixture *f = *state;
	char *bad_value[] = { "--server.port=70000", NULL };
	char *bad_alias[] = { "--port", "http", NULL };

	assert_int_equal(feed_args(f, bad_value), 1);
	assert_int_equal(srv_config_load(&f->cfg, &f->src, &f->err), SRV_CONFIG_EINVALID);
	assert_string_equal(
	    f->err.msg, "option --server.port: server.port: \"70000\" is out of range 1..65535");
	srv_config_src_free(&f->src);
	assert_int_equal(feed_args(f, bad_alias), 1);
	assert_int_equal(srv_config_load(&f->cfg, &f->src, &f->err), SRV_CONFIG_EINVALID);
	assert_non_null(strstr(f->err.msg, "option --port: server.port"));
}

static void test_option_forms(void **state)
{
	struct fixture *f = *state;
	char *unknown_key[] = { "--server.prot=1", NULL };
	char *unknown_section[] = { "--nosuch.key", "1", NULL };
	char *missing[] = { "--server.port", NULL };
	char *missing_cfg[] = { "--config", NULL };
	char *empty_cfg[] = { "--config=", NULL };
	char *not_config[] = { "--email", "x@example.com", NULL };
	int i = 0;

	assert_int_equal(feed_args(f, unknown_key), SRV_CONFIG_EINVALID);
	assert_string_equal(f->err.msg, "unknown option --server.prot");
	assert_int_equal(feed_args(f, unknown_section), SRV_CONFIG_EINVALID);
	assert_int_equal(feed_args(f, missing), SRV_CONFIG_EINVALID);
	assert_string_equal(f->err.msg, "option --server.port needs a value");
	assert_int_equal(feed_args(f, missing_cfg), SRV_CONFIG_EINVALID);
	assert_int_equal(feed_args(f, empty_cfg), SRV_CONFIG_EINVALID);
	/* not a configuration option: left to the caller, i unchanged */
	assert_int_equal(srv_config_arg(&f->src, 2, not_config, &i, &f->err), 0);
	assert_int_equal(i, 0);
	assert_int_equal(f->src.n, 0);
}

static void test_tls_pair(void **state)
{
	struct fixture *f = *state;
	char *only_cert[] = { "--server.tls_cert=/etc/cert.pem", NULL };
	char *both[] = { "--server.tls_key=/etc/key.pem", NULL };

	assert_int_equal(feed_args(f, only_cert), 1);
	assert_int_equal(srv_config_load(&f->cfg, &f->src, &f->err), SRV_CONFIG_EINVALID);
	assert_non_null(strstr(f->err.msg, "tls_cert and server.tls_key"));
	assert_int_equal(feed_args(f, both), 1);
	assert_int_equal(srv_config_load(&f->cfg, &f->src, &f->err), 0);
}

static void test_set_by_name(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(srv_config_set(&f->cfg, "server", "max_body", "1G", &f->err), 0);
	assert_int_equal(f->cfg.server_max_body, 1024LL * 1024 * 1024);
	assert_int_equal(srv_config_set(&f->cfg, "server", "max_body", "2G", &f->err),
	                 SRV_CONFIG_EINVALID);
	assert_int_equal(f->cfg.server_max_body, 1024LL * 1024 * 1024); /* unchanged */
	assert_int_equal(srv_config_set(&f->cfg, "server", "max_body", "65536", &f->err), 0);
	assert_int_equal(f->cfg.server_max_body, 65536);
	assert_int_equal(
	    srv_config_set(&f->cfg, "server", "max_body", "99999999999999999999G", &f->err),
	    SRV_CONFIG_EINVALID);
	assert_int_equal(srv_config_set(&f->cfg, "nope", "x", "1", &f->err), SRV_CONFIG_EINVALID);
	assert_int_equal(srv_config_set(&f->cfg, "server", "listen", "::", &f->err), 0);
	assert_int_equal(
	    srv_config_set(&f->cfg, "server", "base_url", "http://[::1]:8008", &f->err), 0);
	assert_int_equal(srv_config_set(&f->cfg, "server", "base_url", "", &f->err), 0);
}

static void test_help_lists_every_key(void **state)
{
	static const char *const keys[] = {
		"server.listen",
		"server.port",
		"server.threads",
		"server.max_body",
		"server.timeout",
		"server.base_url",
		"server.tls_cert",
		"server.tls_key",
		"storage.database",
		"storage.pool",
		"caldav.max_resource_size",
		"auth.realm",
		"auth.cache_seconds",
		"log.level",
	};
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	(void)state;
	srv_config_help(fp);
	fclose(fp);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strstr(text, keys[i]))
			fail_msg("%s missing from the help", keys[i]);
	assert_non_null(strstr(text, "var/slotdav.db"));
	assert_non_null(strstr(text, "8008"));
	assert_non_null(strstr(text, "10M"));
	free(text);
}

int test_config_run(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ini_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overrides_win, setup, teardown),
		cmocka_unit_test_setup_teardown(test_later_override_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_errors_name_the_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_error_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_override, setup, teardown),
		cmocka_unit_test_setup_teardown(test_option_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_pair, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_by_name, setup, teardown),
		cmocka_unit_test(test_help_lists_every_key),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
