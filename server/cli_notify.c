/* cli_notify.c - `slotdav notifications list|resend`: the delivery state of
 * the email queue (notify/) from the command line, for an operator who
 * wants to see what failed and send it again after fixing the cause.
 *
 * Both act on storage directly (the CLI is the SYSTEM actor): a resend puts
 * the row back in the queue, due at once; the running server's worker
 * sends it on its next poll.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sd_util.h"
#include "store_bk.h"

static const char *const state_names[] = { "", "queued", "sent", "failed", "withdrawn" };

static int state_parse(const char *s)
{
	for (int i = 1; i < (int)SD_ARRAY_LEN(state_names); i++)
		if (!strcmp(s, state_names[i]))
			return i;
	return -1;
}

struct notif_list {
	struct sd_arena *a;
	int state;
};

static int list_run(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	struct notif_list *l = cls;
	struct store_notification *v;
	struct sd_err err = { 0 };
	size_t n;

	if (store_notification_list(c, 0, l->state, 0, l->a, &v, &n, &err))
		return srv_cli_fail(cli, "cannot list notifications: %s", err.msg);
	printf("id\tbooking\tkind\trecipient\tstate\tattempts\tlast_error\n");
	for (size_t i = 0; i < n; i++) {
		int st = v[i].state;

		printf("%lld\t%lld\t%s\t%s\t%s\t%d\t%s\n", (long long)v[i].id,
		       (long long)v[i].booking_id, v[i].kind, v[i].recipient,
		       st > 0 && st < (int)SD_ARRAY_LEN(state_names) ? state_names[st] : "?",
		       v[i].attempts, v[i].last_error);
	}
	return 0;
}

int srv_cmd_notifications_list(struct srv_cli *cli, int argc, char **argv)
{
	const char *state = NULL;
	const struct srv_opt opts[] = { { "state", &state, NULL }, { NULL, NULL, NULL } };
	struct notif_list l = { 0 };
	int rc;

	if ((rc = srv_cli_parse(cli, argc, argv, opts)))
		return rc;
	if (state && (l.state = state_parse(state)) < 0)
		return srv_cli_usage(
		    cli, "--state: \"%s\" is not queued, sent, failed or withdrawn", state);
	l.a = sd_arena_new();
	rc = srv_cli_with_store(cli, STORE_TXN_READ, list_run, &l);
	sd_arena_free(l.a);
	return rc;
}

static int resend_run(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	int64_t id = *(int64_t *)cls;
	struct sd_err err = { 0 };
	int rc = store_notification_resend(c, id, sd_now(), &err);

	if (rc == STORE_ENOTFOUND)
		return srv_cli_fail(cli, "no notification %lld", (long long)id);
	if (rc)
		return srv_cli_fail(cli, "cannot resend notification %lld: %s", (long long)id,
		                    err.msg);
	printf("notification %lld queued again\n", (long long)id);
	return 0;
}

int srv_cmd_notifications_resend(struct srv_cli *cli, int argc, char **argv)
{
	char *end;
	int64_t id;
	int rc;

	if ((rc = srv_cli_parse(cli, argc, argv, NULL)))
		return rc;
	id = strtoll(cli->pos[0], &end, 10);
	if (*end || id <= 0)
		return srv_cli_usage(cli, "\"%s\" is not a notification id", cli->pos[0]);
	return srv_cli_with_store(cli, STORE_TXN_WRITE, resend_run, &id);
}
