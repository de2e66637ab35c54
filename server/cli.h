/* cli.h - the slotdav command line: `slotdav <command> [<subcommand>] ...`.
 *
 * main() only calls srv_cli_main(). Each subcommand is a row of the command
 * table in cli.c and a function srv_cmd_* (cli.c, cli_user.c,
 * cli_calendar.c) that parses its own arguments with srv_cli_parse(), which
 * also accepts the configuration options (--config, --section.key=VALUE,
 * --listen, --port, --database) anywhere, so they work before or after the
 * subcommand.
 *
 * Exit status: 0 success, 1 the operation failed (message on stderr),
 * 2 usage or configuration error.
 */
#ifndef SRV_CLI_H
#define SRV_CLI_H

#include "config.h"
#include "store.h"

enum { SRV_EXIT_OK = 0, SRV_EXIT_FAIL = 1, SRV_EXIT_USAGE = 2 };

/* Returned by srv_cli_parse() after printing --help: the command exits 0. */
#define SRV_CLI_HELP (-100)

#define SRV_CLI_MAX_POS 4
#define SRV_NAME_MAX    64

struct srv_cmd;

/* State of one invocation, shared by the command functions. */
struct srv_cli {
	const struct srv_cmd *cmd;
	char prog[64];                    /* "slotdav user add", for messages */
	struct srv_config_src src;        /* --config and overrides, from anywhere */
	struct srv_config cfg;            /* loaded by srv_cli_parse() */
	const char *pos[SRV_CLI_MAX_POS]; /* positional arguments, borrowed */
	int npos;
};

typedef int (*srv_cmd_fn)(struct srv_cli *cli, int argc, char **argv);

struct srv_cmd {
	const char *group; /* "user", or NULL for a top-level command */
	const char *name;
	const char *args; /* synopsis after the name */
	const char *summary;
	const char *help; /* option descriptions, may be NULL */
	int npos;         /* positional arguments required */
	srv_cmd_fn run;
};

/* An option of a subcommand: --name VALUE (value != NULL) or a flag. */
struct srv_opt {
	const char *name; /* without "--" */
	const char **value;
	int *flag;
};

/* Runs the command line; returns the exit status. */
int srv_cli_main(int argc, char **argv);

/* Parses a subcommand's arguments: the options in opts (terminated by a
 * {NULL} row), configuration options, --help/-h, and exactly
 * cli->cmd->npos positionals into cli->pos. Then loads the configuration
 * into cli->cfg. Returns 0, SRV_CLI_HELP (usage printed on stdout) or
 * SRV_EXIT_USAGE (message on stderr). */
int srv_cli_parse(struct srv_cli *cli, int argc, char **argv, const struct srv_opt *opts);

/* Prints "<prog>: <message>" on stderr; returns SRV_EXIT_FAIL. */
int srv_cli_fail(const struct srv_cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints "<prog>: <message>" and the command's usage on stderr; returns
 * SRV_EXIT_USAGE. */
int srv_cli_usage(const struct srv_cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The body of an admin command: runs inside a transaction on c and returns
 * 0 or an exit status (having printed why). */
typedef int (*srv_store_fn)(struct srv_cli *cli, struct store_conn *c, void *cls);

/* Opens the configured database (its directory must exist), takes
 * one connection, runs fn inside a transaction of the given kind, commits
 * if fn returned 0 (rolls back otherwise) and closes the database. Returns
 * fn's status, or SRV_EXIT_FAIL with a message if the database failed. */
int srv_cli_with_store(struct srv_cli *cli, enum store_txn kind, srv_store_fn fn, void *cls);

/* Names of users and calendars: [A-Za-z0-9._@-]{1,64}, not "." or ".."
 * (they are URL path segments). Non-zero when valid. */
int srv_name_valid(const char *name);

/* Text for displaynames: valid UTF-8, no control characters, at most 256
 * bytes. Non-zero when valid. */
int srv_text_valid(const char *s);

/* The subcommands. */
/* Like srv_cli_with_store, without a transaction around fn (fn's callees
 * open their own); anything fn leaves open is rolled back. */
int srv_cli_with_conn(struct srv_cli *cli, srv_store_fn fn, void *cls);

int srv_cmd_staff_add(struct srv_cli *cli, int argc, char **argv);
int srv_cmd_staff_list(struct srv_cli *cli, int argc, char **argv);
int srv_cmd_demo(struct srv_cli *cli, int argc, char **argv);
int srv_cmd_link(struct srv_cli *cli, int argc, char **argv);
int srv_cmd_notifications_list(struct srv_cli *cli, int argc, char **argv);
int srv_cmd_notifications_resend(struct srv_cli *cli, int argc, char **argv);
int srv_cmd_import(struct srv_cli *cli, int argc, char **argv);
int srv_cmd_export(struct srv_cli *cli, int argc, char **argv);
int srv_cmd_feed_create(struct srv_cli *cli, int argc, char **argv);
int srv_cmd_feed_list(struct srv_cli *cli, int argc, char **argv);
int srv_cmd_feed_revoke(struct srv_cli *cli, int argc, char **argv);
int srv_cmd_user_add(struct srv_cli *cli, int argc, char **argv);
int srv_cmd_user_passwd(struct srv_cli *cli, int argc, char **argv);
int srv_cmd_user_list(struct srv_cli *cli, int argc, char **argv);
int srv_cmd_user_delete(struct srv_cli *cli, int argc, char **argv);
int srv_cmd_calendar_create(struct srv_cli *cli, int argc, char **argv);
int srv_cmd_calendar_list(struct srv_cli *cli, int argc, char **argv);
int srv_cmd_calendar_delete(struct srv_cli *cli, int argc, char **argv);

#endif
