/* cli_link.c - `slotdav link BOOKING_ID`: prints the manage link of a
 * booking, the same link the customer's emails carry, so that an admin can
 * hand it over (and tests can get one without email).
 *
 * The link is made with the server's secrets (links.h), so the CLI must see
 * the same configuration as the server (the same --config or database).
 * The URL starts with server.base_url, or http://LISTEN:PORT when unset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking.h"
#include "cli.h"
#include "links.h"
#include "sd_util.h"

static struct booking_actor cli_actor = { BOOKING_ROLE_SYSTEM, 0, 0, "cli", "cli", "" };

struct link_cmd {
	int64_t id, expires;
	struct sd_arena *a;
};

static int link_run(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	struct link_cmd *k = cls;
	struct srv_links *l = NULL;
	struct store_booking b;
	struct sd_err err = { 0 };
	const struct srv_config *cfg = &cli->cfg;
	const char *base = cfg->server_base_url;
	char *url;
	int rc;

	struct booking_ctx x = { c, k->a, sd_now(), &cli_actor };

	rc = booking_get(&x, k->id, &b, &err);
	if (rc == BOOKING_ENOTFOUND)
		return srv_cli_fail(cli, "no booking %lld", (long long)k->id);
	if (rc)
		return srv_cli_fail(cli, "cannot read booking %lld: %s", (long long)k->id, err.msg);
	if (srv_links_open(&l, cfg, &err))
		return srv_cli_fail(cli, "%s", err.msg);
	if (!*base)
		base = sd_arena_printf(
		    k->a, strchr(cfg->server_listen, ':') ? "http://[%s]:%d" : "http://%s:%d",
		    cfg->server_listen, cfg->server_port);
	url = srv_links_url(l, k->a, base, b.id, sd_now(), k->expires);
	srv_links_free(l);
	if (!url)
		return srv_cli_fail(cli, "cannot make a link");
	printf("%s\n", url);
	return 0;
}

int srv_cmd_link(struct srv_cli *cli, int argc, char **argv)
{
	struct link_cmd k = { 0 };
	const char *expires = NULL;
	const struct srv_opt opts[] = {
		{ "expires", &expires, NULL },
		{ NULL, NULL, NULL },
	};
	char *end;
	int rc;

	if ((rc = srv_cli_parse(cli, argc, argv, opts)))
		return rc;
	k.id = strtoll(cli->pos[0], &end, 10);
	if (*end || k.id <= 0 || !*cli->pos[0])
		return srv_cli_usage(cli, "BOOKING_ID must be a positive number");
	if (expires) {
		k.expires = strtoll(expires, &end, 10);
		if (*end || !*expires || k.expires <= 0)
			return srv_cli_usage(cli, "--expires takes Unix seconds");
	}
	k.a = sd_arena_new();
	rc = srv_cli_with_store(cli, STORE_TXN_READ, link_run, &k);
	sd_arena_free(k.a);
	return rc;
}
