/* cli_feed.c - `slotdav feed create|list|revoke`: iCalendar feed tokens
 * from the command line, as the booking engine's SYSTEM actor (so any
 * subject), with the same checks as the API.
 *
 * The token is printed once, with its URLs; they are built from
 * server.base_url, or from server.listen and server.port when that is
 * unset (behind a proxy, set base_url so the URLs are the public ones).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking.h"
#include "cli.h"
#include "sd_util.h"

static const struct booking_actor cli_actor = { BOOKING_ROLE_SYSTEM, 0, 0, "cli", "cli", "" };

struct feed_args {
	const char *customer, *staff, *location, *personal;
	int busy_only, with_cancelled;
	int64_t id;
	struct sd_arena *a;
};

static const char *base_url(const struct srv_cli *cli, struct sd_arena *a)
{
	const struct srv_config *c = &cli->cfg;
	int v6 = strchr(c->server_listen, ':') != NULL;

	if (*c->server_base_url)
		return c->server_base_url;
	return sd_arena_printf(a, "%s://%s%s%s:%d", *c->server_tls_cert ? "https" : "http",
	                       v6 ? "[" : "", c->server_listen, v6 ? "]" : "", c->server_port);
}

static int feed_create_run(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	struct feed_args *f = cls;
	struct booking_ctx x = { c, f->a, sd_now(), &cli_actor };
	struct store_feed_token in = { .busy_only = f->busy_only,
		                       .with_cancelled = f->with_cancelled },
	                        out;
	struct sd_err err = { 0 };
	const char *token, *base = base_url(cli, f->a), *host;

	in.kind = f->customer ? STORE_FEED_CUSTOMER
	          : f->staff  ? STORE_FEED_STAFF
	                      : STORE_FEED_LOCATION;
	in.subject_id = f->id;
	in.personal = f->personal ? booking_feed_personal_from_name(f->personal) : 0;
	if (booking_feed_create(&x, &in, &out, &token, &err))
		return srv_cli_fail(cli, "cannot create the feed: %s", err.msg);
	host = strstr(base, "://") + 3;
	printf("feed %lld: %s %lld%s%s%s%s\n", (long long)out.id, booking_feed_kind_name(out.kind),
	       (long long)out.subject_id, out.busy_only ? " busy-only" : "",
	       out.with_cancelled ? " with-cancelled" : "", out.personal ? " personal-" : "",
	       out.personal ? booking_feed_personal_name(out.personal) : "");
	printf("token:  %s\n", token);
	printf("url:    %s/feeds/%s.ics\n", base, token);
	printf("webcal: webcal://%s/feeds/%s.ics\n", host, token);
	return 0;
}

static int parse_id(const char *s, int64_t *out)
{
	char *end;
	long long v = s ? strtoll(s, &end, 10) : 0;

	if (!s || !*s || *end || v <= 0)
		return -1;
	*out = v;
	return 0;
}

int srv_cmd_feed_create(struct srv_cli *cli, int argc, char **argv)
{
	struct feed_args f = { 0 };
	const struct srv_opt opts[] = {
		{ "customer", &f.customer, NULL },
		{ "staff", &f.staff, NULL },
		{ "location", &f.location, NULL },
		{ "busy-only", NULL, &f.busy_only },
		{ "with-cancelled", NULL, &f.with_cancelled },
		{ "personal", &f.personal, NULL },
		{ NULL, NULL, NULL },
	};
	int rc;

	if ((rc = srv_cli_parse(cli, argc, argv, opts)))
		return rc;
	if (!!f.customer + !!f.staff + !!f.location != 1)
		return srv_cli_usage(cli, "give exactly one of --customer, --staff, --location");
	if (f.personal && booking_feed_personal_from_name(f.personal) < 0)
		return srv_cli_usage(cli, "--personal must be none, busy or full");
	if (f.personal && booking_feed_personal_from_name(f.personal) && !f.staff)
		return srv_cli_usage(cli, "--personal goes with --staff only");
	if (parse_id(f.customer ? f.customer : f.staff ? f.staff : f.location, &f.id))
		return srv_cli_usage(cli, "the id must be a positive number");
	f.a = sd_arena_new();
	rc = srv_cli_with_conn(cli, feed_create_run, &f);
	sd_arena_free(f.a);
	return rc;
}

static int feed_list_run(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	struct sd_arena *a = cls;
	struct booking_ctx x = { c, a, sd_now(), &cli_actor };
	struct store_feed_token *v;
	struct sd_err err = { 0 };
	size_t n;

	if (booking_feed_list(&x, &v, &n, &err))
		return srv_cli_fail(cli, "cannot list feeds: %s", err.msg);
	for (size_t i = 0; i < n; i++)
		printf("%lld\t%s\t%lld\t%s\t%s\t%s\tpersonal-%s\n", (long long)v[i].id,
		       booking_feed_kind_name(v[i].kind), (long long)v[i].subject_id,
		       v[i].busy_only ? "busy-only" : "full",
		       v[i].with_cancelled ? "with-cancelled" : "-",
		       v[i].revoked ? "revoked" : "valid",
		       booking_feed_personal_name(v[i].personal));
	return 0;
}

int srv_cmd_feed_list(struct srv_cli *cli, int argc, char **argv)
{
	const struct srv_opt opts[] = { { NULL, NULL, NULL } };
	struct sd_arena *a;
	int rc;

	if ((rc = srv_cli_parse(cli, argc, argv, opts)))
		return rc;
	a = sd_arena_new();
	rc = srv_cli_with_conn(cli, feed_list_run, a);
	sd_arena_free(a);
	return rc;
}

static int feed_revoke_run(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	struct feed_args *f = cls;
	struct booking_ctx x = { c, f->a, sd_now(), &cli_actor };
	struct sd_err err = { 0 };

	if (booking_feed_revoke(&x, f->id, &err))
		return srv_cli_fail(cli, "cannot revoke feed %lld: %s", (long long)f->id, err.msg);
	printf("feed %lld revoked\n", (long long)f->id);
	return 0;
}

int srv_cmd_feed_revoke(struct srv_cli *cli, int argc, char **argv)
{
	struct feed_args f = { 0 };
	const struct srv_opt opts[] = { { NULL, NULL, NULL } };
	int rc;

	if ((rc = srv_cli_parse(cli, argc, argv, opts)))
		return rc;
	if (parse_id(cli->pos[0], &f.id))
		return srv_cli_usage(cli, "the feed id must be a positive number");
	f.a = sd_arena_new();
	rc = srv_cli_with_conn(cli, feed_revoke_run, &f);
	sd_arena_free(f.a);
	return rc;
}
