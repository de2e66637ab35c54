/* cli_demo.c - `slotdav demo`: a workshop to look at.
 *
 * Fills an empty organisation with one location (Europe/Berlin), three
 * staff members (the user "demo", made an admin, plus "anna" and "ben",
 * password "demo"), working hours with a day off, three services, five
 * customers (one with a login, "carla"), and bookings over the next two
 * weeks placed on free slots found by the availability engine, one of them
 * cancelled. Everything goes through the booking engine as the CLI actor,
 * so the demo obeys the same rules as real use and fills the Bookings
 * calendars a CalDAV client will show. Run twice, it does nothing the
 * second time (it checks for an existing location).
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "booking.h"
#include "cli.h"
#include "dav.h"
#include "sd_util.h"

#define DAY 86400

struct demo {
	struct booking_ctx x;
	struct booking_actor actor;
	int64_t loc;
	int64_t staff[3];
	int64_t svc[3];
	int64_t cust[5];
	struct sd_err err;
};

/* The user name, created with password "demo" if missing. */
static int demo_user(struct srv_cli *cli, struct demo *d, const char *name, const char *displayname,
                     const char *email, int64_t *id)
{
	struct store_user u;
	char hash[SRV_PWHASH_MAX];
	int rc = store_user_get(d->x.conn, name, d->x.a, &u, &d->err);

	if (rc == STORE_OK) {
		*id = u.id;
		return 0;
	}
	if (rc != STORE_ENOTFOUND || srv_password_hash(hash, "demo", &d->err) ||
	    store_user_create(d->x.conn, name, displayname, email, hash, id, &d->err) ||
	    dav_user_provision(d->x.conn, *id, &d->err))
		return srv_cli_fail(cli, "cannot create user %s: %s", name, d->err.msg);
	return 0;
}

static int demo_staff(struct srv_cli *cli, struct demo *d)
{
	static const char *const names[3][3] = {
		{ "demo", "Demo Admin", "demo@example.com" },
		{ "anna", "Anna Lindqvist", "anna@example.com" },
		{ "ben", "Ben Okafor", "ben@example.com" },
	};
	int64_t user;

	for (int i = 0; i < 3; i++) {
		struct store_staff st = {
			.active = 1, .admin = i == 0, .location_ids = &d->loc, .nlocations = 1
		};

		if (demo_user(cli, d, names[i][0], names[i][1], names[i][2], &user))
			return SRV_EXIT_FAIL;
		st.user_id = user;
		st.name = names[i][1];
		st.email = names[i][2];
		if (booking_staff_save(&d->x, &st, &d->staff[i], &d->err))
			return srv_cli_fail(cli, "staff %s: %s", names[i][0], d->err.msg);
	}
	return 0;
}

/* Mon-Fri 08:00-12:00 and 13:00-17:00; Ben also Saturday morning; Anna
 * has next week's Wednesday off. */
static int demo_hours(struct srv_cli *cli, struct demo *d)
{
	struct store_hours h[11];
	size_t n = 0;

	for (int wd = 1; wd <= 5; wd++) {
		h[n++] = (struct store_hours){ d->loc, wd, 8 * 60, 12 * 60 };
		h[n++] = (struct store_hours){ d->loc, wd, 13 * 60, 17 * 60 };
	}
	for (int i = 0; i < 3; i++) {
		h[10] = (struct store_hours){ d->loc, 6, 9 * 60, 13 * 60 };
		if (booking_hours_set(&d->x, d->staff[i], d->loc, h, i == 2 ? 11 : 10, &d->err))
			return srv_cli_fail(cli, "working hours: %s", d->err.msg);
	}
	{
		int64_t today = d->x.now / DAY, wd = ((today % 7) + 3) % 7; /* 0 = Monday */
		struct store_exception ex = { .staff_id = d->staff[1],
			                      .location_id = d->loc,
			                      .day = today - wd + 7 + 2,
			                      .start_min = 0,
			                      .end_min = 1440,
			                      .note = "Training day" };

		if (booking_exception_add(&d->x, &ex, NULL, &d->err))
			return srv_cli_fail(cli, "day off: %s", d->err.msg);
	}
	return 0;
}

static int demo_catalogue(struct srv_cli *cli, struct demo *d)
{
	static const struct {
		const char *name;
		int dur, before, after;
	} svcs[3] = { { "Oil change", 30, 0, 10 },
		      { "Tyre change", 45, 5, 15 },
		      { "Inspection", 90, 0, 15 } };
	static const char *const cust[5][3] = {
		{ "Carla Jensen", "carla@example.com", "+49 40 1234567" },
		{ "Mehmet Yılmaz", "mehmet@example.com", "+49 170 5550101" },
		{ "Sophie Müller", "sophie@example.com", "" },
		{ "Jonas Berg", "", "040 555 0199" },
		{ "Ana García", "ana@example.com", "+34 600 123 456" },
	};

	for (int i = 0; i < 3; i++) {
		struct store_service s = { .location_id = d->loc,
			                   .name = svcs[i].name,
			                   .duration_min = svcs[i].dur,
			                   .buffer_before_min = svcs[i].before,
			                   .buffer_after_min = svcs[i].after,
			                   .active = 1,
			                   .staff_ids = i == 2 ? d->staff + 1 : d->staff,
			                   .nstaff = i == 2 ? 2 : 3 };

		if (booking_service_save(&d->x, &s, &d->svc[i], &d->err))
			return srv_cli_fail(cli, "service %s: %s", svcs[i].name, d->err.msg);
	}
	for (int i = 0; i < 5; i++) {
		struct store_customer c = { .name = cust[i][0],
			                    .email = cust[i][1],
			                    .phone = cust[i][2] };

		if (i == 0 && demo_user(cli, d, "carla", cust[0][0], cust[0][1], &c.user_id))
			return SRV_EXIT_FAIL;
		if (booking_customer_save(&d->x, &c, &d->cust[i], &d->err))
			return srv_cli_fail(cli, "customer %s: %s", cust[i][0], d->err.msg);
	}
	return 0;
}

/* Twelve bookings on free slots of the coming days, two a day, each
 * picked from availability asked afresh (a booking changes what is free). */
static int demo_bookings(struct srv_cli *cli, struct demo *d)
{
	int made = 0;

	for (int day = 1; day <= 14 && made < 12; day++) {
		int64_t from = (d->x.now / DAY + day) * DAY;

		for (int j = 0; j < 2 && made < 12; j++) {
			int k = made % 3;
			struct booking_slot *slots;
			struct store_booking out;
			struct booking_new b = { .service_id = d->svc[k],
				                 .customer_id = d->cust[made % 5],
				                 .notes_public =
				                     made % 4 == 0
				                         ? "Bring the wheel lock key, please."
				                         : NULL };
			size_t n;

			if (booking_availability(&d->x, d->svc[k], 0, from, from + DAY, &slots, &n,
			                         &d->err))
				return srv_cli_fail(cli, "availability: %s", d->err.msg);
			if (!n)
				break;
			b.staff_id = slots[(size_t)(made * 7 + j * 11) % n].staff_id;
			b.start = slots[(size_t)(made * 7 + j * 11) % n].start;
			if (booking_create(&d->x, &b, &out, &d->err))
				return srv_cli_fail(cli, "booking: %s", d->err.msg);
			if (made == 5 && booking_cancel(&d->x, out.id, 0, STORE_CANCEL_CUSTOMER,
			                                "Car sold", NULL, &d->err))
				return srv_cli_fail(cli, "cancel: %s", d->err.msg);
			made++;
		}
	}
	printf("demo: 1 location, 3 staff, 3 services, 5 customers, %d bookings\n", made);
	return 0;
}

static int demo_run(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	struct demo *d = cls;
	struct store_location *locs;
	struct store_location loc = { .name = "Riverside Auto Workshop",
		                      .address = "Hafenstraße 12, 20457 Hamburg",
		                      .timezone = "Europe/Berlin",
		                      .email = "workshop@example.com" };
	size_t n;

	d->x.conn = c;
	if (store_location_list(c, d->x.a, &locs, &n, &d->err))
		return srv_cli_fail(cli, "cannot read locations: %s", d->err.msg);
	if (n) {
		printf("demo: the database has locations already; nothing to do\n");
		return 0;
	}
	if (booking_location_save(&d->x, &loc, &d->loc, &d->err))
		return srv_cli_fail(cli, "location: %s", d->err.msg);
	return demo_staff(cli, d) || demo_hours(cli, d) || demo_catalogue(cli, d) ||
	               demo_bookings(cli, d)
	           ? SRV_EXIT_FAIL
	           : 0;
}

int srv_cmd_demo(struct srv_cli *cli, int argc, char **argv)
{
	struct demo d;
	const struct srv_opt opts[] = { { NULL, NULL, NULL } };
	int rc;

	if ((rc = srv_cli_parse(cli, argc, argv, opts)))
		return rc;
	memset(&d, 0, sizeof(d));
	d.actor = (struct booking_actor){ BOOKING_ROLE_SYSTEM, 0, 0, "cli", "cli", "" };
	d.x.actor = &d.actor;
	d.x.now = sd_now();
	d.x.a = sd_arena_new();
	rc = srv_cli_with_conn(cli, demo_run, &d);
	sd_arena_free(d.x.a);
	return rc;
}
