/* cli_staff.c - `slotdav staff add|list`: staff members from the command
 * line, chiefly the first admin (the API lets only admins create staff).
 *
 * The CLI acts as the booking engine's SYSTEM actor, so the same checks as
 * the API apply (the login must exist; its Bookings calendar is created).
 */
#include <stdio.h>
#include <string.h>

#include "booking.h"
#include "cli.h"
#include "sd_util.h"

struct staff_add {
	const char *user, *name;
	int admin;
	struct sd_arena *a;
};

static struct booking_actor cli_actor = { BOOKING_ROLE_SYSTEM, 0, 0, "cli", "cli", "" };

static int staff_add_run(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	struct staff_add *s = cls;
	struct booking_ctx x = { c, s->a, sd_now(), &cli_actor };
	struct store_staff st = { .active = 1, .admin = s->admin, .name = s->name };
	struct store_user u;
	struct sd_err err = { 0 };
	int64_t id;
	int rc;

	rc = store_user_get(c, s->user, s->a, &u, &err);
	if (rc == STORE_ENOTFOUND)
		return srv_cli_fail(cli, "no user \"%s\" (create it with `slotdav user add`)",
		                    s->user);
	if (rc)
		return srv_cli_fail(cli, "cannot read user \"%s\": %s", s->user, err.msg);
	st.user_id = u.id;
	if (store_staff_get_by_user(c, u.id, s->a, &st, &err) == STORE_OK) {
		st.admin = s->admin || st.admin;
		st.active = 1;
	}
	if (booking_staff_save(&x, &st, &id, &err))
		return srv_cli_fail(cli, "cannot make \"%s\" staff: %s", s->user, err.msg);
	printf("staff %lld: %s%s\n", (long long)id, s->user, st.admin ? " (admin)" : "");
	return 0;
}

int srv_cmd_staff_add(struct srv_cli *cli, int argc, char **argv)
{
	struct staff_add s = { .name = "" };
	const struct srv_opt opts[] = {
		{ "name", &s.name, NULL },
		{ "admin", NULL, &s.admin },
		{ NULL, NULL, NULL },
	};
	int rc;

	if ((rc = srv_cli_parse(cli, argc, argv, opts)))
		return rc;
	s.user = cli->pos[0];
	s.a = sd_arena_new();
	rc = srv_cli_with_conn(cli, staff_add_run, &s);
	sd_arena_free(s.a);
	return rc;
}

static int staff_list_run(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	struct sd_arena *a = cls;
	struct store_staff *v;
	struct store_user u;
	struct sd_err err = { 0 };
	size_t n;

	if (store_staff_list(c, 0, a, &v, &n, &err))
		return srv_cli_fail(cli, "cannot list staff: %s", err.msg);
	for (size_t i = 0; i < n; i++) {
		const char *login =
		    store_user_get_by_id(c, v[i].user_id, a, &u, &err) ? "?" : u.name;

		printf("%lld\t%s\t%s%s%s\n", (long long)v[i].id, login, v[i].name,
		       v[i].admin ? "\tadmin" : "", v[i].active ? "" : "\tinactive");
	}
	return 0;
}

int srv_cmd_staff_list(struct srv_cli *cli, int argc, char **argv)
{
	const struct srv_opt opts[] = { { NULL, NULL, NULL } };
	struct sd_arena *a;
	int rc;

	if ((rc = srv_cli_parse(cli, argc, argv, opts)))
		return rc;
	a = sd_arena_new();
	rc = srv_cli_with_conn(cli, staff_list_run, a);
	sd_arena_free(a);
	return rc;
}
