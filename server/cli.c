/* cli.c - command-line dispatch, option parsing, `serve`, `version`, `help`.
 *
 * srv_cli_main() finds the command words (one, or two for the groups
 * `user` and `calendar`), accepting configuration options before and between
 * them, and hands the remaining arguments to the command's function. That
 * function declares its own options and calls srv_cli_parse(), which knows
 * the configuration options too, so `slotdav --database x user list` and
 * `slotdav user list --database x` mean the same. Everything a command needs
 * to describe itself (synopsis, summary, option help, number of positionals)
 * is its row in cmds[]; the help screens are generated from that table.
 *
 * `serve` blocks SIGINT and SIGTERM before any thread exists, so every
 * thread inherits the mask and the main thread alone takes them in
 * sigwait(); no signal handler runs, nothing async-signal-unsafe happens.
 */
#include "cli.h"

#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "booking_link.h"
#include "dav.h"
#include "http.h"
#include "links.h"
#include "extcal.h"
#include "notify.h"
#include "sd_log.h"
#include "sd_util.h"

#ifndef SLOTDAV_VERSION
#define SLOTDAV_VERSION "0.0.0"
#endif

static int cmd_serve(struct srv_cli *cli, int argc, char **argv);
static int cmd_version(struct srv_cli *cli, int argc, char **argv);
static int cmd_help(struct srv_cli *cli, int argc, char **argv);

static const struct srv_cmd cmds[] = {
	{ NULL, "serve", "[OPTIONS]", "run the CalDAV server until SIGTERM or SIGINT", NULL, 0,
	  cmd_serve },
	{ "user", "add", "NAME [--email ADDR] [--displayname TEXT] [--password-stdin]",
	  "create a user with a default calendar",
	  "  --email ADDR        e-mail address\n"
	  "  --displayname TEXT  name shown to clients\n"
	  "  --password-stdin    read the password from the first line of standard input\n"
	  "                      (default: ask twice on the terminal)\n",
	  1, srv_cmd_user_add },
	{ "user", "passwd", "NAME [--password-stdin]", "set a user's password",
	  "  --password-stdin    read the password from the first line of standard input\n", 1,
	  srv_cmd_user_passwd },
	{ "user", "list", "[--long]", "list users, one name per line",
	  "  --long              a table with e-mail, creation date and display name\n", 0,
	  srv_cmd_user_list },
	{ "user", "delete", "NAME", "delete a user and all their calendars and events", NULL, 1,
	  srv_cmd_user_delete },
	{ "calendar", "create", "USER NAME [--displayname TEXT] [--color #RRGGBB]",
	  "create a calendar (events and tasks) for a user",
	  "  --displayname TEXT  name shown to clients (default: NAME)\n"
	  "  --color #RRGGBB     colour shown to clients (#RRGGBBAA also accepted)\n",
	  2, srv_cmd_calendar_create },
	{ "calendar", "list", "USER", "list a user's calendars", NULL, 1, srv_cmd_calendar_list },
	{ "calendar", "delete", "USER NAME", "delete a calendar and its events", NULL, 2,
	  srv_cmd_calendar_delete },
	{ "staff", "add", "USER [--admin] [--name TEXT]",
	  "make an existing user a staff member (--admin: an admin of the organisation)",
	  "  --admin             may change everything through the API\n"
	  "  --name TEXT         name shown to customers (default: the user's display name)\n",
	  1, srv_cmd_staff_add },
	{ "staff", "list", "", "list staff members: id, login, name, role", NULL, 0,
	  srv_cmd_staff_list },
	{ NULL, "link", "BOOKING_ID [--expires UNIX_SECONDS]",
	  "print the customer's manage link of a booking",
	  "  --expires N         the link stops working at Unix time N\n"
	  "                      (default: now + links.ttl_days)\n",
	  1, srv_cmd_link },
	{ "notifications", "list", "[--state S]",
	  "list the email notifications and their delivery state",
	  "  --state S           only queued, sent, failed or withdrawn ones\n", 0,
	  srv_cmd_notifications_list },
	{ "notifications", "resend", "ID", "queue a notification again (e.g. after a failure)",
	  NULL, 1, srv_cmd_notifications_resend },
	{ "feed", "create",
	  "--customer ID|--staff ID|--location ID [--busy-only] [--with-cancelled] "
	  "[--personal busy|full]",
	  "make an iCalendar feed and print its token and URLs (shown only this once)",
	  "  --customer ID       the customer's bookings\n"
	  "  --staff ID          the bookings of a staff member\n"
	  "  --location ID       every booking of a location\n"
	  "  --busy-only         times only: no names, notes or services\n"
	  "  --with-cancelled    include cancelled bookings (as STATUS:CANCELLED)\n"
	  "  --personal busy|full  staff feeds: also the member's personal calendars, as\n"
	  "                      \"Busy\" blocks or with their summary and location\n",
	  0, srv_cmd_feed_create },
	{ "feed", "list", "", "list feeds: id, kind, subject, privacy, cancelled, state, personal",
	  NULL, 0, srv_cmd_feed_list },
	{ "feed", "revoke", "ID", "revoke a feed: its URL answers 404 from now on", NULL, 1,
	  srv_cmd_feed_revoke },
	{ NULL, "import", "FILE.ics --user USER --calendar NAME [--replace]",
	  "import the events and tasks of an iCalendar file (- for stdin) into a calendar",
	  "  --user USER         the owner of the calendar\n"
	  "  --calendar NAME     the calendar (see `slotdav calendar list`)\n"
	  "  --replace           replace objects whose UID is already there (default: skip)\n"
	  "Exit status 1 only if nothing could be imported.\n",
	  1, srv_cmd_import },
	{ NULL, "export", "--user USER [--calendar NAME]",
	  "write a user's calendar (default: all their calendars) as one iCalendar file to stdout",
	  "  --user USER         whose calendars\n"
	  "  --calendar NAME     only this calendar\n",
	  0, srv_cmd_export },
	{ NULL, "demo", "",
	  "fill the database with a demo workshop: staff, services, customers, bookings", NULL, 0,
	  srv_cmd_demo },
	{ NULL, "version", "", "print the version", NULL, 0, cmd_version },
	{ NULL, "help", "[COMMAND [SUBCOMMAND]]", "show help", NULL, -1, cmd_help },
};

static const char global_help[] =
    "Options accepted by every command, before or after it:\n"
    "  --config FILE       read the configuration from FILE (INI)\n"
    "  --database PATH     same as --storage.database=PATH\n"
    "  --listen ADDR       same as --server.listen=ADDR\n"
    "  --port N            same as --server.port=N\n"
    "  --section.key=VALUE set a configuration key (see `slotdav serve --help`)\n"
    "  -h, --help          show help\n";

/* ---- names -------------------------------------------------------------- */

int srv_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n < 1 || n > SRV_NAME_MAX || !strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@-") ==
	       n;
}

int srv_text_valid(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return n <= 256 && sd_utf8_valid(s, n);
}

/* ---- help --------------------------------------------------------------- */

static void print_usage(FILE *out, const struct srv_cmd *c)
{
	fprintf(out, "usage: slotdav %s%s%s%s%s\n", c->group ? c->group : "", c->group ? " " : "",
	        c->name, *c->args ? " " : "", c->args);
}

static void print_cmd_help(const struct srv_cmd *c)
{
	print_usage(stdout, c);
	printf("\n%c%s.\n", toupper((unsigned char)c->summary[0]), c->summary + 1);
	if (c->help)
		printf("\n%s", c->help);
	printf("\n%s", global_help);
	if (c->run == cmd_serve) {
		putchar('\n');
		srv_config_help(stdout);
	}
}

/* The commands of group (NULL: all). */
static void print_overview(FILE *out, const char *group)
{
	fprintf(out, "usage: slotdav COMMAND [SUBCOMMAND] [ARGS] [OPTIONS]\n\nCommands:\n");
	for (size_t i = 0; i < SD_ARRAY_LEN(cmds); i++) {
		const struct srv_cmd *c = &cmds[i];
		char name[40];

		if (group && (!c->group || strcmp(c->group, group)))
			continue;
		snprintf(name, sizeof(name), "%s%s%s", c->group ? c->group : "",
		         c->group ? " " : "", c->name);
		fprintf(out, "  %-18s %s\n", name, c->summary);
	}
	fprintf(out, "\n%s\nRun `slotdav COMMAND --help` for a command's options.\n", global_help);
}

/* ---- parsing ------------------------------------------------------------ */

static int is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

static int is_group(const char *word)
{
	for (size_t i = 0; i < SD_ARRAY_LEN(cmds); i++)
		if (cmds[i].group && !strcmp(cmds[i].group, word))
			return 1;
	return 0;
}

static const struct srv_cmd *cmd_find(const char *group, const char *name)
{
	for (size_t i = 0; i < SD_ARRAY_LEN(cmds); i++) {
		const struct srv_cmd *c = &cmds[i];

		if (!strcmp(c->name, name) &&
		    (group ? c->group && !strcmp(c->group, group) : !c->group))
			return c;
	}
	return NULL;
}

static void report(const struct srv_cli *cli, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", cli->prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int srv_cli_fail(const struct srv_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(cli, fmt, ap);
	va_end(ap);
	return SRV_EXIT_FAIL;
}

int srv_cli_usage(const struct srv_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(cli, fmt, ap);
	va_end(ap);
	if (cli->cmd)
		print_usage(stderr, cli->cmd);
	return SRV_EXIT_USAGE;
}

/* A subcommand option at argv[*i]: 1 (consumed), 0 (not one of opts) or
 * SRV_EXIT_USAGE. */
static int own_option(struct srv_cli *cli, int argc, char **argv, int *i,
                      const struct srv_opt *opts)
{
	const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);

	for (const struct srv_opt *o = opts; o && o->name; o++) {
		if (strlen(o->name) != len || memcmp(o->name, arg, len))
			continue;
		if (!o->value) {
			if (eq)
				return srv_cli_usage(cli, "option --%s takes no value", o->name);
			*o->flag = 1;
		} else if (eq) {
			*o->value = eq + 1;
		} else if (*i + 1 < argc) {
			*o->value = argv[++*i];
		} else {
			return srv_cli_usage(cli, "option --%s needs a value", o->name);
		}
		(*i)++;
		return 1;
	}
	return 0;
}

/* The name of positional argument i in the synopsis ("NAME") into out. */
static void positional_name(char *out, size_t size, const struct srv_cmd *c, int i)
{
	const char *p = c->args;
	size_t n;

	for (;; i--) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (!n || *p == '[') {
			snprintf(out, size, "argument");
			return;
		}
		if (!i)
			break;
		p += n;
	}
	snprintf(out, size, "%.*s", (int)n, p);
}

static int parse_args(struct srv_cli *cli, int argc, char **argv, const struct srv_opt *opts)
{
	struct sd_err err;
	char name[32];
	int rc, only_pos = 0;

	for (int i = 0; i < argc;) {
		const char *arg = argv[i];

		if (only_pos || arg[0] != '-' || !arg[1]) {
			if (cli->npos >= SRV_CLI_MAX_POS || cli->npos >= cli->cmd->npos)
				return srv_cli_usage(cli, "unexpected argument \"%s\"", arg);
			cli->pos[cli->npos++] = argv[i++];
		} else if (!strcmp(arg, "--")) {
			only_pos = 1;
			i++;
		} else if (is_help(arg)) {
			print_cmd_help(cli->cmd);
			return SRV_CLI_HELP;
		} else if (!strncmp(arg, "--", 2) && (rc = own_option(cli, argc, argv, &i, opts))) {
			if (rc != 1)
				return rc;
		} else if ((rc = srv_config_arg(&cli->src, argc, argv, &i, &err)) < 0) {
			return srv_cli_usage(cli, "%s", err.msg);
		} else if (rc == 0) {
			return srv_cli_usage(cli, "unknown option %s", arg);
		}
	}
	if (cli->npos < cli->cmd->npos) {
		positional_name(name, sizeof(name), cli->cmd, cli->npos);
		return srv_cli_usage(cli, "missing %s", name);
	}
	return 0;
}

int srv_cli_parse(struct srv_cli *cli, int argc, char **argv, const struct srv_opt *opts)
{
	struct sd_err err;
	int rc;

	if ((rc = parse_args(cli, argc, argv, opts)))
		return rc;
	if (srv_config_load(&cli->cfg, &cli->src, &err)) {
		fprintf(stderr, "%s: %s\n", cli->prog, err.msg);
		return SRV_EXIT_USAGE;
	}
	sd_log_set_level((enum sd_log_level)cli->cfg.log_level);
	return 0;
}

/* ---- storage for the admin commands ------------------------------------- */

static int store_open_pool(struct srv_cli *cli, struct store **st, int pool)
{
	struct sd_err err = { 0 };
	const char *path = cli->cfg.storage_database;

	if (store_open(st, path, pool, &err))
		return srv_cli_fail(cli, "cannot open the database %s: %s", path, err.msg);
	return 0;
}

static int run_txn(struct srv_cli *cli, struct store_conn *c, enum store_txn kind, srv_store_fn fn,
                   void *cls)
{
	struct sd_err err = { 0 };
	int rc;

	if (store_begin(c, kind, &err))
		return srv_cli_fail(cli, "cannot start a transaction: %s", err.msg);
	if ((rc = fn(cli, c, cls))) {
		store_rollback(c);
		return rc;
	}
	if (store_commit(c, &err))
		return srv_cli_fail(cli, "cannot commit: %s", err.msg);
	return 0;
}

int srv_cli_with_store(struct srv_cli *cli, enum store_txn kind, srv_store_fn fn, void *cls)
{
	struct store *st = NULL;
	struct store_conn *c = NULL;
	struct sd_err err = { 0 };
	int rc;

	if ((rc = store_open_pool(cli, &st, 1)))
		return rc;
	if (store_conn_acquire(st, &c, &err)) {
		rc = srv_cli_fail(cli, "cannot use the database: %s", err.msg);
		goto out;
	}
	rc = run_txn(cli, c, kind, fn, cls);
	store_conn_release(c);
out:
	store_close(st);
	return rc;
}

int srv_cli_with_conn(struct srv_cli *cli, srv_store_fn fn, void *cls)
{
	struct store *st = NULL;
	struct store_conn *c = NULL;
	struct sd_err err = { 0 };
	int rc;

	if ((rc = store_open_pool(cli, &st, 1)))
		return rc;
	if (store_conn_acquire(st, &c, &err)) {
		rc = srv_cli_fail(cli, "cannot use the database: %s", err.msg);
		goto out;
	}
	rc = fn(cli, c, cls);
	store_rollback(c);
	store_conn_release(c);
out:
	store_close(st);
	return rc;
}

/* ---- serve, version, help ----------------------------------------------- */

/* The manage link token of a booking (notify_link_fn): signed with the
 * server's link secrets (links.c), the same the manage page checks. */
static char *manage_token(void *cls, struct sd_arena *a, int64_t booking_id, int64_t expires)
{
	return booking_link_make(a, srv_links_secrets(cls), booking_id, BOOKING_LINK_MANAGE,
	                         expires);
}

static int notify_begin(struct srv_cli *cli, struct store *st, struct srv_http *http,
                        struct notify_worker **out, struct sd_err *err)
{
	const struct srv_config *cfg = &cli->cfg;
	struct notify_opts o = {
		.smtp_url = cfg->smtp_url,
		.smtp_from = cfg->smtp_from,
		.smtp_user = cfg->smtp_user,
		.smtp_password = cfg->smtp_password,
		.starttls = notify_tls_parse(cfg->smtp_starttls),
		.retry_max = cfg->notify_retry_max,
		.backoff_seconds = cfg->notify_backoff_seconds,
		.poll_ms = cfg->notify_poll_ms,
		.settle_seconds = cfg->notify_settle_seconds,
		.reminders = cfg->notify_reminders,
		.templates = cfg->notify_templates,
		.base_url = *cfg->server_base_url ? cfg->server_base_url : srv_http_url(http),
		.host = "slotdav",
		.link = manage_token,
		.link_cls = (void *)srv_http_links(http),
	};

	return notify_start(out, st, &o, err);
}

static int serve_until_signal(struct srv_cli *cli, struct store *st, const sigset_t *sigs)
{
	struct notify_worker *nw = NULL;
	struct extcal_poller *ep = NULL;
	struct extcal_opts eo;
	struct srv_auth_opts ao = { .realm = cli->cfg.auth_realm,
		                    .cache_seconds = cli->cfg.auth_cache_seconds };
	struct srv_auth *auth = NULL;
	struct srv_http *http = NULL;
	struct sd_err err = { 0 };
	int sig = 0, rc = SRV_EXIT_FAIL;

	if (srv_auth_new(&auth, &ao, &err)) {
		srv_cli_fail(cli, "%s", err.msg);
		goto out;
	}
	if (srv_http_start(&http, &cli->cfg, st, auth, &err)) {
		srv_cli_fail(cli, "%s", err.msg);
		goto out;
	}
	if (notify_begin(cli, st, http, &nw, &err)) {
		srv_cli_fail(cli, "%s", err.msg);
		goto out;
	}
	srv_extcal_opts(&cli->cfg, &eo);
	if (extcal_start(&ep, st, &eo, &err)) {
		srv_cli_fail(cli, "%s", err.msg);
		goto out;
	}
	printf("listening on %s\n", srv_http_url(http));
	fflush(stdout);
	SD_INFO("started", "url=%s version=%s threads=%d", srv_http_url(http), SLOTDAV_VERSION,
	        cli->cfg.server_threads);
	while (sigwait(sigs, &sig) != 0)
		;
	SD_INFO("stopping", "signal=%s", sig == SIGINT ? "INT" : "TERM");
	rc = SRV_EXIT_OK;
out:
	extcal_stop(ep);
	notify_stop(nw);
	srv_http_stop(http);
	srv_auth_free(auth);
	if (rc == SRV_EXIT_OK)
		SD_INFO("stopped", "signal=%s", sig == SIGINT ? "INT" : "TERM");
	return rc;
}

static int cmd_serve(struct srv_cli *cli, int argc, char **argv)
{
	struct store *st = NULL;
	sigset_t sigs;
	int rc;

	if ((rc = srv_cli_parse(cli, argc, argv, NULL)))
		return rc;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	dav_global_init();
	if (store_open_pool(cli, &st, cli->cfg.storage_pool)) {
		rc = SRV_EXIT_FAIL;
		goto out;
	}
	rc = serve_until_signal(cli, st, &sigs);
	store_close(st);
out:
	dav_global_cleanup();
	return rc;
}

static int cmd_version(struct srv_cli *cli, int argc, char **argv)
{
	int rc = srv_cli_parse(cli, argc, argv, NULL);

	if (rc)
		return rc;
	printf("slotdav %s\n", SLOTDAV_VERSION);
	return 0;
}

static int cmd_help(struct srv_cli *cli, int argc, char **argv)
{
	const struct srv_cmd *c = NULL;

	if (argc >= 1 && is_group(argv[0]) && argc >= 2)
		c = cmd_find(argv[0], argv[1]);
	else if (argc >= 1 && !is_group(argv[0]))
		c = cmd_find(NULL, argv[0]);
	if (c)
		print_cmd_help(c);
	else if (argc >= 1 && is_group(argv[0]))
		print_overview(stdout, argv[0]);
	else if (argc == 0)
		print_overview(stdout, NULL);
	else
		return srv_cli_usage(cli, "no command \"%s\"", argv[0]);
	return 0;
}

/* ---- dispatch ----------------------------------------------------------- */

/* Finds the command words, taking configuration options around them.
 * Returns 0 with cli->cmd set and *first the index of the command's own
 * arguments, SRV_CLI_HELP, or an exit status. */
static int find_command(struct srv_cli *cli, int argc, char **argv, int *first)
{
	const char *w1 = NULL, *w2 = NULL;
	struct sd_err err;
	int i = 1, rc;

	while (i < argc && !(w1 && (!is_group(w1) || w2))) {
		if ((rc = srv_config_arg(&cli->src, argc, argv, &i, &err)) < 0)
			return srv_cli_usage(cli, "%s", err.msg);
		if (rc == 1)
			continue;
		if (is_help(argv[i])) {
			print_overview(stdout, w1);
			return SRV_CLI_HELP;
		}
		if (argv[i][0] == '-')
			return srv_cli_usage(cli, "unknown option %s", argv[i]);
		if (!w1)
			w1 = argv[i++];
		else
			w2 = argv[i++];
	}
	if (!w1 || (is_group(w1) && !w2)) {
		print_overview(stderr, w1);
		return SRV_EXIT_USAGE;
	}
	if (!(cli->cmd = cmd_find(w2 ? w1 : NULL, w2 ? w2 : w1)))
		return srv_cli_usage(cli, "no command \"%s%s%s\" (try `slotdav help`)", w1,
		                     w2 ? " " : "", w2 ? w2 : "");
	snprintf(cli->prog, sizeof(cli->prog), "slotdav %s%s%s", w2 ? w1 : "", w2 ? " " : "",
	         cli->cmd->name);
	*first = i;
	return 0;
}

int srv_cli_main(int argc, char **argv)
{
	struct srv_cli cli = { 0 };
	int first = argc, rc;

	snprintf(cli.prog, sizeof(cli.prog), "slotdav");
	srv_config_init(&cli.cfg);
	rc = find_command(&cli, argc, argv, &first);
	if (rc == 0)
		rc = cli.cmd->run(&cli, argc - first, argv + first);
	if (rc == SRV_CLI_HELP)
		rc = SRV_EXIT_OK;
	srv_config_free(&cli.cfg);
	srv_config_src_free(&cli.src);
	return rc;
}
