/* booking_read.c - what an actor may see of bookings: single bookings,
 * lists, the activity log, the cancellation report.
 *
 * Visibility is one rule applied everywhere: admins (and the system) see
 * every booking, staff the bookings assigned to them, customers their own.
 * A booking the actor may not see is reported as not found, so ids cannot
 * be probed. Lists narrow the caller's filter instead of refusing it.
 */
#include <stdlib.h>
#include <string.h>

#include "booking_int.h"
#include "ics_zone.h"

int booking_visible(const struct booking_ctx *x, const struct store_booking *b, struct sd_err *err)
{
	const struct booking_actor *ac = x->actor;
	int ok;

	switch (ac->role) {
	case BOOKING_ROLE_SYSTEM:
	case BOOKING_ROLE_ADMIN:
		ok = 1;
		break;
	case BOOKING_ROLE_STAFF:
		ok = b->staff_id == ac->staff_id;
		break;
	default:
		ok = b->customer_id == ac->customer_id;
		break;
	}
	return ok ? BOOKING_OK
	          : sd_err_set(err, BOOKING_ENOTFOUND, "no booking %lld", (long long)b->id);
}

int booking_get(struct booking_ctx *x, int64_t id, struct store_booking *out, struct sd_err *err)
{
	int rc = store_booking_get(x->conn, id, x->a, out, err);

	if (rc == STORE_ENOTFOUND)
		return sd_err_set(err, BOOKING_ENOTFOUND, "no booking %lld", (long long)id);
	if (rc)
		return booking_store_rc(rc, err);
	return booking_visible(x, out, err);
}

int booking_list(struct booking_ctx *x, const struct store_booking_filter *f,
                 struct store_booking **out, size_t *n, struct sd_err *err)
{
	struct store_booking_filter g = *f;

	if (x->actor->role == BOOKING_ROLE_STAFF) {
		if (g.staff_id && g.staff_id != x->actor->staff_id)
			return *out = NULL, *n = 0, BOOKING_OK;
		g.staff_id = x->actor->staff_id;
	} else if (x->actor->role == BOOKING_ROLE_CUSTOMER) {
		if (g.customer_id && g.customer_id != x->actor->customer_id)
			return *out = NULL, *n = 0, BOOKING_OK;
		g.customer_id = x->actor->customer_id;
	}
	return booking_store_rc(store_booking_list(x->conn, &g, x->a, out, n, err), err);
}

int booking_activity(struct booking_ctx *x, int64_t id, struct store_activity **out, size_t *n,
                     struct sd_err *err)
{
	struct store_booking b;
	int rc;

	if ((rc = booking_get(x, id, &b, err)))
		return rc;
	return booking_store_rc(store_activity_list(x->conn, id, x->a, out, n, err), err);
}

int booking_day_start(const char *tzid, int64_t day, int64_t *out, struct sd_err *err)
{
	int64_t t[2];
	int n;

	/* A skipped midnight: the first wall minute after it that exists (DST
	 * changes move clocks by at most a few hours). */
	for (int64_t m = 0; m < 24 * 60; m++) {
		if (ics_zone_instants(tzid, day * 86400 + m * 60, t, &n))
			return sd_err_set(err, BOOKING_EINVALID,
			                  "\"%.64s\" is not a known time zone", tzid);
		if (n) {
			*out = t[0];
			return BOOKING_OK;
		}
	}
	return sd_err_set(err, BOOKING_EINVALID, "that day has no time in the zone %.64s", tzid);
}

int booking_wall_time(const char *tzid, int64_t instant, int64_t *out, struct sd_err *err)
{
	if (ics_zone_wall(tzid, instant, out))
		return sd_err_set(err, BOOKING_EINVALID, "\"%.64s\" is not a known time zone",
		                  tzid);
	return BOOKING_OK;
}

int booking_notifications(struct booking_ctx *x, int64_t id, struct store_notification **out,
                          size_t *n, struct sd_err *err)
{
	struct store_booking b;
	int rc;

	*out = NULL;
	*n = 0;
	if (!booking_is_staff(x))
		return sd_err_set(err, BOOKING_EFORBIDDEN, "only staff see the notifications");
	if ((rc = booking_get(x, id, &b, err)))
		return rc;
	return booking_store_rc(store_notification_list(x->conn, id, 0, 0, x->a, out, n, err), err);
}

const char *booking_notify_state_name(int state)
{
	static const char *const names[] = {
		[STORE_NOTIFY_QUEUED] = "queued",
		[STORE_NOTIFY_SENT] = "sent",
		[STORE_NOTIFY_FAILED] = "failed",
		[STORE_NOTIFY_WITHDRAWN] = "withdrawn",
	};

	return state > 0 && (size_t)state < SD_ARRAY_LEN(names) ? names[state] : NULL;
}

int booking_notify_state_parse(const char *name)
{
	for (int s = STORE_NOTIFY_QUEUED; s <= STORE_NOTIFY_WITHDRAWN; s++)
		if (!strcmp(booking_notify_state_name(s), name))
			return s;
	return 0;
}

int booking_notifications_all(struct booking_ctx *x, int64_t booking_id, int state, int limit,
                              struct store_notification **out, size_t *n, struct sd_err *err)
{
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = booking_need_admin(x, "list all notifications", err)))
		return rc;
	return booking_store_rc(
	    store_notification_list(x->conn, booking_id, state, limit, x->a, out, n, err), err);
}

int booking_notification_resend(struct booking_ctx *x, int64_t id, struct store_notification *out,
                                struct sd_err *err)
{
	int rc;

	if ((rc = booking_need_admin(x, "resend notifications", err)) ||
	    (rc = booking_store_rc(store_notification_resend(x->conn, id, x->now, err), err)))
		return rc;
	return booking_store_rc(store_notification_get(x->conn, id, x->a, out, err), err);
}

/* ---- the cancellation report ------------------------------------------- */

/* The label of the period holding the local day `day` (days since
 * 1970-01-01). */
static const char *period_label(struct sd_arena *a, int64_t day, enum booking_report_period p)
{
	int y, m, d;

	if (p == BOOKING_PERIOD_WEEK) {
		/* ISO 8601: the week belongs to the year of its Thursday. */
		int64_t wd = ((day % 7) + 7 + 3) % 7; /* 0 = Monday; 1970-01-01 was a Thursday */
		int64_t thursday = day - wd + 3;
		int64_t jan1;

		ics_civil_from_days(thursday, &y, &m, &d);
		jan1 = ics_days_from_civil(y, 1, 1);
		return sd_arena_printf(a, "%04d-W%02d", y, (int)((thursday - jan1) / 7 + 1));
	}
	ics_civil_from_days(day, &y, &m, &d);
	if (p == BOOKING_PERIOD_MONTH)
		return sd_arena_printf(a, "%04d-%02d", y, m);
	return sd_arena_printf(a, "%04d-%02d-%02d", y, m, d);
}

static int cmp_row(const void *p, const void *q)
{
	const struct booking_report_row *a = p, *b = q;
	int c = strcmp(a->period, b->period);

	if (c)
		return c;
	if (a->location_id != b->location_id)
		return a->location_id < b->location_id ? -1 : 1;
	if (a->staff_id != b->staff_id)
		return a->staff_id < b->staff_id ? -1 : 1;
	return a->reason - b->reason;
}

/* The zone of a location, looked up once per report. */
struct zone_memo {
	int64_t location_id;
	const char *tz;
};

static const char *zone_of(struct booking_ctx *x, struct zone_memo *memo, size_t *nmemo,
                           int64_t location_id)
{
	struct store_location loc;
	struct sd_err e;

	for (size_t i = 0; i < *nmemo; i++)
		if (memo[i].location_id == location_id)
			return memo[i].tz;
	if (store_location_get(x->conn, location_id, x->a, &loc, &e))
		return "UTC";
	memo[*nmemo] = (struct zone_memo){ location_id, loc.timezone };
	return memo[(*nmemo)++].tz;
}

int booking_cancel_report(struct booking_ctx *x, int64_t from, int64_t to, int64_t location_id,
                          int64_t staff_id, enum booking_report_period period,
                          struct booking_report_row **out, size_t *n, struct sd_err *err)
{
	struct store_booking_filter f = {
		.location_id = location_id,
		.staff_id = staff_id,
		.status_mask = 1u << STORE_BK_CANCELLED,
		.from = from,
		.to = to,
	};
	struct booking_report_row *rows;
	struct zone_memo *memo;
	struct store_booking *b;
	size_t nb, nr = 0, nmemo = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = booking_need_admin(x, "see reports", err)))
		return rc;
	if (from >= to)
		return sd_err_set(err, BOOKING_EINVALID, "the period must start before it ends");
	if ((rc = booking_read_begin(x, err)))
		return rc;
	if ((rc = booking_store_rc(store_booking_list(x->conn, &f, x->a, &b, &nb, err), err)))
		goto out;
	rows = sd_arena_alloc(x->a, (nb ? nb : 1) * sizeof(*rows));
	memo = sd_arena_alloc(x->a, (nb ? nb : 1) * sizeof(*memo));
	for (size_t i = 0; i < nb; i++) {
		int64_t wall;
		struct booking_report_row r;
		size_t k;

		if (b[i].start < from || b[i].start >= to)
			continue; /* overlapping, but starting outside the period */
		if (ics_zone_wall(zone_of(x, memo, &nmemo, b[i].location_id), b[i].start, &wall))
			wall = b[i].start;
		r = (struct booking_report_row){
			period_label(x->a, wall >= 0 ? wall / 86400 : (wall - 86399) / 86400,
			             period),
			b[i].location_id, b[i].staff_id, b[i].cancel_reason, 1
		};
		for (k = 0; k < nr; k++)
			if (!cmp_row(&rows[k], &r))
				break;
		if (k < nr)
			rows[k].count++;
		else
			rows[nr++] = r;
	}
	qsort(rows, nr, sizeof(*rows), cmp_row);
	*out = rows;
	*n = nr;
out:
	booking_read_end(x);
	return rc;
}
