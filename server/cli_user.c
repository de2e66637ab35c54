/* cli_user.c - `slotdav user add|passwd|list|delete`.
 *
 * Passwords come from the first line of standard input (--password-stdin,
 * for scripts) or are asked twice on the terminal with echo off. They are
 * hashed before the database is opened, so a slow typist holds no lock, and
 * wiped from memory once hashed. A password must be one that HTTP Basic can
 * carry and srv_basic_parse() accepts: non-empty UTF-8 without control
 * characters.
 *
 * While echo is off, the terminating signals are blocked: Ctrl-C then takes
 * effect after the line is read and the terminal restored, never leaving
 * the user's terminal silent.
 */
#include "cli.h"

#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "dav.h"
#include "sd_util.h"

#define PASSWORD_MAX 1024

/* ---- reading passwords -------------------------------------------------- */

static void secret_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

/* One line without its line end, malloc'd; NULL at end of input. */
static char *read_line(FILE *fp)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, fp);

	if (n < 0) {
		free(line);
		return NULL;
	}
	if (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	return line;
}

static char *prompt_tty(FILE *tty, const char *prompt)
{
	struct termios old, quiet;
	sigset_t sigs, saved;
	char *line;
	int fd = fileno(tty);

	if (tcgetattr(fd, &old))
		return NULL;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGQUIT);
	sigaddset(&sigs, SIGTSTP);
	sigprocmask(SIG_BLOCK, &sigs, &saved);
	tcsetattr(fd, TCSAFLUSH, &quiet); /* typed ahead before the prompt: dropped */
	fputs(prompt, tty);
	fflush(tty);
	line = read_line(tty);
	tcsetattr(fd, TCSANOW, &old);
	fputc('\n', tty);
	fflush(tty);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return line;
}

/* The password, malloc'd (free with secret_free), or NULL with a message. */
static char *password_from_tty(struct srv_cli *cli)
{
	FILE *tty;
	char *p1 = NULL, *p2 = NULL;

	if (!isatty(STDIN_FILENO) || !(tty = fopen("/dev/tty", "r+"))) {
		srv_cli_fail(cli, "no terminal to ask for the password; use --password-stdin");
		return NULL;
	}
	if ((p1 = prompt_tty(tty, "Password: ")) && (p2 = prompt_tty(tty, "Repeat password: ")) &&
	    strcmp(p1, p2)) {
		srv_cli_fail(cli, "the passwords do not match");
		secret_free(p1);
		p1 = NULL;
	} else if (!p1 || !p2) {
		srv_cli_fail(cli, "no password entered");
		secret_free(p1);
		p1 = NULL;
	}
	secret_free(p2);
	fclose(tty);
	return p1;
}

static int password_acceptable(struct srv_cli *cli, const char *pw)
{
	size_t n = strlen(pw);

	if (!n)
		return srv_cli_fail(cli, "empty password refused");
	if (n > PASSWORD_MAX)
		return srv_cli_fail(cli, "password longer than %d bytes", PASSWORD_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)pw[i] < 0x20 || pw[i] == 0x7f)
			return srv_cli_fail(cli, "password contains control characters");
	if (!sd_utf8_valid(pw, n))
		return srv_cli_fail(cli, "password is not valid UTF-8");
	return 0;
}

/* Reads, checks and hashes the password into hash. 0 or SRV_EXIT_FAIL. */
static int password_read_hash(struct srv_cli *cli, int from_stdin, char hash[SRV_PWHASH_MAX])
{
	struct sd_err err = { 0 };
	char *pw = NULL;
	int rc;

	if (from_stdin && !(pw = read_line(stdin)))
		return srv_cli_fail(cli, "no password on standard input");
	if (!from_stdin && !(pw = password_from_tty(cli)))
		return SRV_EXIT_FAIL;
	if (!(rc = password_acceptable(cli, pw)) && srv_password_hash(hash, pw, &err))
		rc = srv_cli_fail(cli, "cannot hash the password: %s", err.msg);
	secret_free(pw);
	return rc;
}

/* ---- user add ----------------------------------------------------------- */

struct user_add {
	const char *name, *email, *displayname;
	char hash[SRV_PWHASH_MAX];
	int64_t id;
};

static int user_add_txn(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	struct user_add *u = cls;
	struct sd_err err = { 0 };
	int rc = store_user_create(c, u->name, u->displayname, u->email, u->hash, &u->id, &err);

	if (rc == STORE_EEXISTS)
		return srv_cli_fail(cli, "user \"%s\" already exists", u->name);
	if (rc)
		return srv_cli_fail(cli, "cannot create user \"%s\": %s", u->name, err.msg);
	if (dav_user_provision(c, u->id, &err))
		return srv_cli_fail(cli, "cannot create the default calendar: %s", err.msg);
	return 0;
}

static int email_valid(const char *s)
{
	const char *at = strchr(s, '@');

	return !*s || (srv_text_valid(s) && at && at != s && at[1] && !strchr(s, ' '));
}

int srv_cmd_user_add(struct srv_cli *cli, int argc, char **argv)
{
	struct user_add u = { .email = "", .displayname = "" };
	int from_stdin = 0, rc;
	const struct srv_opt opts[] = {
		{ "email", &u.email, NULL },
		{ "displayname", &u.displayname, NULL },
		{ "password-stdin", NULL, &from_stdin },
		{ NULL, NULL, NULL },
	};

	if ((rc = srv_cli_parse(cli, argc, argv, opts)))
		return rc;
	u.name = cli->pos[0];
	if (!srv_name_valid(u.name))
		return srv_cli_usage(cli, "invalid user name \"%s\" (1-64 of A-Z a-z 0-9 . _ @ -)",
		                     u.name);
	if (!email_valid(u.email))
		return srv_cli_usage(cli, "invalid e-mail address \"%s\"", u.email);
	if (!srv_text_valid(u.displayname))
		return srv_cli_usage(cli, "invalid display name (control characters, bad UTF-8 "
		                          "or longer than 256 bytes)");
	if ((rc = password_read_hash(cli, from_stdin, u.hash)))
		return rc;
	if ((rc = srv_cli_with_store(cli, STORE_TXN_WRITE, user_add_txn, &u)))
		return rc;
	printf("created user %s (id %lld) with calendar \"%s\"\n", u.name, (long long)u.id,
	       DAV_DEFAULT_CALENDAR);
	return 0;
}

/* ---- user passwd -------------------------------------------------------- */

struct user_passwd {
	const char *name;
	char hash[SRV_PWHASH_MAX];
};

static int user_passwd_txn(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	struct user_passwd *u = cls;
	struct sd_err err = { 0 };
	int rc = store_user_set_password(c, u->name, u->hash, &err);

	if (rc == STORE_ENOTFOUND)
		return srv_cli_fail(cli, "no user \"%s\"", u->name);
	if (rc)
		return srv_cli_fail(cli, "cannot set the password: %s", err.msg);
	return 0;
}

int srv_cmd_user_passwd(struct srv_cli *cli, int argc, char **argv)
{
	struct user_passwd u = { 0 };
	int from_stdin = 0, rc;
	const struct srv_opt opts[] = {
		{ "password-stdin", NULL, &from_stdin },
		{ NULL, NULL, NULL },
	};

	if ((rc = srv_cli_parse(cli, argc, argv, opts)))
		return rc;
	u.name = cli->pos[0];
	if (!srv_name_valid(u.name))
		return srv_cli_fail(cli, "no user \"%s\"", u.name);
	if ((rc = password_read_hash(cli, from_stdin, u.hash)) ||
	    (rc = srv_cli_with_store(cli, STORE_TXN_WRITE, user_passwd_txn, &u)))
		return rc;
	printf("password changed for %s\n", u.name);
	return 0;
}

/* ---- user list ---------------------------------------------------------- */

static int print_name(void *cls, const struct store_user *u)
{
	puts(u->name);
	return 0;
}

static int print_user(void *cls, const struct store_user *u)
{
	char day[16] = "-";
	time_t t = (time_t)u->created;
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	printf("%-24s %-32s %-10s %s\n", u->name, *u->email ? u->email : "-", day,
	       *u->displayname ? u->displayname : "-");
	return 0;
}

static int user_list_txn(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	const int *long_form = cls;
	struct sd_err err = { 0 };

	if (*long_form)
		printf("%-24s %-32s %-10s %s\n", "NAME", "EMAIL", "CREATED", "DISPLAY NAME");
	if (store_user_foreach(c, *long_form ? print_user : print_name, NULL, &err))
		return srv_cli_fail(cli, "cannot list users: %s", err.msg);
	return 0;
}

int srv_cmd_user_list(struct srv_cli *cli, int argc, char **argv)
{
	int long_form = 0, rc;
	const struct srv_opt opts[] = {
		{ "long", NULL, &long_form },
		{ NULL, NULL, NULL },
	};

	if ((rc = srv_cli_parse(cli, argc, argv, opts)))
		return rc;
	return srv_cli_with_store(cli, STORE_TXN_READ, user_list_txn, &long_form);
}

/* ---- user delete -------------------------------------------------------- */

static int user_delete_txn(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	const char *name = cls;
	struct sd_err err = { 0 };
	int rc = store_user_delete(c, name, &err);

	if (rc == STORE_ENOTFOUND)
		return srv_cli_fail(cli, "no user \"%s\"", name);
	if (rc)
		return srv_cli_fail(cli, "cannot delete user \"%s\": %s", name, err.msg);
	return 0;
}

int srv_cmd_user_delete(struct srv_cli *cli, int argc, char **argv)
{
	int rc;

	if ((rc = srv_cli_parse(cli, argc, argv, NULL)))
		return rc;
	if (!srv_name_valid(cli->pos[0]))
		return srv_cli_fail(cli, "no user \"%s\"", cli->pos[0]);
	if ((rc = srv_cli_with_store(cli, STORE_TXN_WRITE, user_delete_txn, (void *)cli->pos[0])))
		return rc;
	printf("deleted user %s\n", cli->pos[0]);
	return 0;
}
