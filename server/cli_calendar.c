/* cli_calendar.c - `slotdav calendar create|list|delete`.
 *
 * Calendars live in the user's home collection (storage's model); a
 * calendar created here is the same as one a client makes with MKCALENDAR:
 * kind calendar, components VEVENT and VTODO. Names become URL path
 * segments, so they follow the same rule as user names; "inbox" and
 * "outbox" are taken by the scheduling Inbox and Outbox (dav.h). The
 * calendars that hold bookings cannot be deleted here (booking.h).
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "booking.h"
#include "dav.h"
#include "sd_arena.h"

struct cal_args {
	const char *user, *name, *displayname, *color;
	struct sd_arena *arena;
	struct store_coll home;
};

static int color_valid(const char *s)
{
	size_t n = strlen(s);

	return s[0] == '#' && (n == 7 || n == 9) &&
	       strspn(s + 1, "0123456789abcdefABCDEF") == n - 1;
}

/* The user's home collection into a->home. 0 or SRV_EXIT_FAIL. */
static int home_find(struct srv_cli *cli, struct store_conn *c, struct cal_args *a)
{
	struct store_user u;
	struct sd_err err = { 0 };
	int rc = store_user_get(c, a->user, a->arena, &u, &err);

	if (rc == STORE_ENOTFOUND)
		return srv_cli_fail(cli, "no user \"%s\"", a->user);
	if (!rc)
		rc = store_home_get(c, u.id, a->arena, &a->home, &err);
	if (rc)
		return srv_cli_fail(cli, "cannot read the home of \"%s\": %s", a->user, err.msg);
	return 0;
}

/* Parses USER [NAME] and opens an arena; 0 or an exit status. */
static int cal_parse(struct srv_cli *cli, int argc, char **argv, const struct srv_opt *opts,
                     struct cal_args *a)
{
	int rc = srv_cli_parse(cli, argc, argv, opts);

	if (rc)
		return rc;
	a->user = cli->pos[0];
	a->name = cli->npos > 1 ? cli->pos[1] : NULL;
	if (!srv_name_valid(a->user))
		return srv_cli_fail(cli, "no user \"%s\"", a->user);
	if (a->name && !srv_name_valid(a->name))
		return srv_cli_usage(
		    cli, "invalid calendar name \"%s\" (1-64 of A-Z a-z 0-9 . _ @ -)", a->name);
	a->arena = sd_arena_new();
	return 0;
}

/* ---- calendar create ---------------------------------------------------- */

static int create_txn(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	struct cal_args *a = cls;
	struct store_coll coll = { 0 };
	struct sd_err err = { 0 };
	int rc;

	if ((rc = home_find(cli, c, a)))
		return rc;
	coll.parent_id = a->home.id;
	coll.owner_id = a->home.owner_id;
	coll.kind = STORE_COLL_CALENDAR;
	coll.name = a->name;
	coll.displayname = a->displayname ? a->displayname : a->name;
	coll.color = a->color;
	coll.components = STORE_COMP_VEVENT | STORE_COMP_VTODO;
	rc = store_coll_create(c, &coll, NULL, &err);
	if (rc == STORE_EEXISTS)
		return srv_cli_fail(cli, "user \"%s\" already has \"%s\"", a->user, a->name);
	if (rc)
		return srv_cli_fail(cli, "cannot create the calendar: %s", err.msg);
	return 0;
}

int srv_cmd_calendar_create(struct srv_cli *cli, int argc, char **argv)
{
	struct cal_args a = { 0 };
	const struct srv_opt opts[] = {
		{ "displayname", &a.displayname, NULL },
		{ "color", &a.color, NULL },
		{ NULL, NULL, NULL },
	};
	int rc;

	if ((rc = cal_parse(cli, argc, argv, opts, &a)))
		goto out;
	if (a.displayname && !srv_text_valid(a.displayname)) {
		rc = srv_cli_usage(cli, "invalid display name (control characters, bad UTF-8 or "
		                        "longer than 256 bytes)");
		goto out;
	}
	if (a.color && !color_valid(a.color)) {
		rc = srv_cli_usage(cli, "invalid colour \"%s\" (expected #RRGGBB)", a.color);
		goto out;
	}
	if (dav_name_reserved(a.name)) {
		rc = srv_cli_usage(cli, "\"%s\" is reserved: it is the user's scheduling %s",
		                   a.name, a.name);
		goto out;
	}
	if (!(rc = srv_cli_with_store(cli, STORE_TXN_WRITE, create_txn, &a)))
		printf("created calendar %s/%s\n", a.user, a.name);
out:
	sd_arena_free(a.arena);
	return rc;
}

/* ---- calendar list ------------------------------------------------------ */

static const char *kind_name(int kind)
{
	switch (kind) {
	case STORE_COLL_CALENDAR:
		return "calendar";
	case STORE_COLL_PLAIN:
		return "collection";
	default:
		return "other";
	}
}

static void components_text(char *out, size_t size, unsigned comps)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ STORE_COMP_VEVENT, "VEVENT" },
		{ STORE_COMP_VTODO, "VTODO" },
		{ STORE_COMP_VJOURNAL, "VJOURNAL" },
		{ STORE_COMP_VFREEBUSY, "VFREEBUSY" },
		{ STORE_COMP_VAVAILABILITY, "VAVAILABILITY" },
	};

	snprintf(out, size, "-");
	for (size_t i = 0, n = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(comps & names[i].bit))
			continue;
		n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%s%s", n ? "," : "",
		                      names[i].name);
		if (n >= size)
			break;
	}
}

static int print_coll(void *cls, const struct store_coll *coll)
{
	char comps[64];

	components_text(comps, sizeof(comps), coll->components);
	printf("%-24s %-10s %-14s %-10s %s\n", coll->name, kind_name(coll->kind), comps,
	       coll->color ? coll->color : "-", coll->displayname ? coll->displayname : "-");
	return 0;
}

static int list_txn(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	struct cal_args *a = cls;
	struct sd_err err = { 0 };
	int rc;

	if ((rc = home_find(cli, c, a)))
		return rc;
	printf("%-24s %-10s %-14s %-10s %s\n", "NAME", "KIND", "COMPONENTS", "COLOR",
	       "DISPLAY NAME");
	if (store_coll_foreach(c, a->home.id, print_coll, NULL, &err))
		return srv_cli_fail(cli, "cannot list calendars: %s", err.msg);
	return 0;
}

int srv_cmd_calendar_list(struct srv_cli *cli, int argc, char **argv)
{
	struct cal_args a = { 0 };
	int rc;

	if (!(rc = cal_parse(cli, argc, argv, NULL, &a)))
		rc = srv_cli_with_store(cli, STORE_TXN_READ, list_txn, &a);
	sd_arena_free(a.arena);
	return rc;
}

/* ---- calendar delete ---------------------------------------------------- */

static int delete_txn(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	struct cal_args *a = cls;
	struct store_coll coll;
	struct sd_err err = { 0 };
	int rc;

	if ((rc = home_find(cli, c, a)))
		return rc;
	rc = store_coll_get(c, a->home.id, a->name, a->arena, &coll, &err);
	if (rc == STORE_ENOTFOUND || (!rc && coll.kind != STORE_COLL_CALENDAR))
		return srv_cli_fail(cli, "user \"%s\" has no calendar \"%s\"", a->user, a->name);
	if (!rc && booking_dav_owned(c, a->arena, coll.id, coll.owner_id))
		return srv_cli_fail(cli,
		                    "calendar \"%s\" holds %s's bookings and cannot be deleted "
		                    "(delete the staff member or customer first)",
		                    a->name, a->user);
	if (!rc)
		rc = store_coll_delete(c, coll.id, &err);
	if (rc)
		return srv_cli_fail(cli, "cannot delete the calendar: %s", err.msg);
	return 0;
}

int srv_cmd_calendar_delete(struct srv_cli *cli, int argc, char **argv)
{
	struct cal_args a = { 0 };
	int rc;

	if (!(rc = cal_parse(cli, argc, argv, NULL, &a)) &&
	    !(rc = srv_cli_with_store(cli, STORE_TXN_WRITE, delete_txn, &a)))
		printf("deleted calendar %s/%s\n", a.user, a.name);
	sd_arena_free(a.arena);
	return rc;
}
