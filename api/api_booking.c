/* api_booking.c - availability, bookings and their lifecycle.
 *
 * Every handler here is decode, one booking_* call, encode: booking checks
 * who may see and do what, the rules and the slot, and writes the activity
 * log. What this file adds is presentation:
 * - ranges in a query may be days; they are whole days of the location's
 *   zone (availability: the service's location; lists: location_id's, or
 *   UTC without one), the last one included (api_query.c);
 * - a customer never sees private notes (SPEC 2: "private notes they do
 *   not [see]"), so they are left out of what a customer gets;
 * - a reschedule that became a request for approval answers 202 with
 *   "outcome": "requested" (the booking keeps its slot); an applied one
 *   200 with "outcome": "applied";
 * - a customer creating a booking may leave out customer_id (their own).
 * Optimistic checks: actions take an optional "version" (the booking's
 * version the client read); a stale one gives 412 version_mismatch.
 */
#include <string.h>

#include "api_int.h"
#include "sd_util.h"

/* ---- encoding ----------------------------------------------------------------- */

static json_t *booking_json(struct api_ctx *x, const struct store_booking *b)
{
	json_t *o = api_encode(&api_booking_fields, b);

	if (x->actor.role == BOOKING_ROLE_CUSTOMER)
		json_object_del(o, "notes_private");
	return o;
}

/* The reply of a booking call: its error, or the booking with status. */
static int booking_reply(struct api_ctx *x, int rc, const struct store_booking *b, int status)
{
	return rc ? api_fail_booking(x, rc) : api_reply(x, status, booking_json(x, b));
}

static json_t *time_json(int64_t t)
{
	char buf[API_TIME_LEN];

	return json_string(api_time_format(buf, t));
}

/* ---- zones of the range ---------------------------------------------------------- */

/* The zone of location_id (read transaction of its own), for days given in
 * a query. */
static int location_zone(struct api_ctx *x, int64_t location_id, const char **tzid)
{
	struct store_location l;
	int status, rc;

	if ((status = api_read_begin(x)))
		return status;
	rc = store_location_get(x->conn, location_id, x->a, &l, &x->err);
	api_read_end(x);
	if (rc)
		return api_fail_store(x, rc);
	*tzid = l.timezone;
	return 0;
}

static int service_zone(struct api_ctx *x, int64_t service_id, const char **tzid)
{
	struct store_service s;
	int status, rc;

	if ((status = api_read_begin(x)))
		return status;
	rc = store_service_get(x->conn, service_id, x->a, &s, &x->err);
	api_read_end(x);
	if (rc)
		return api_fail_store(x, rc);
	return location_zone(x, s.location_id, tzid);
}

/* from and to as instants; to defaults to unbounded when only from is
 * given, and the other way round. */
static int range(struct api_ctx *x, const struct api_when *from, const struct api_when *to,
                 const char *tzid, int64_t *f, int64_t *t)
{
	int status;

	*f = from->set ? 0 : STORE_TIME_MIN;
	*t = to->set ? 0 : STORE_TIME_MAX;
	if ((from->set && (status = api_when_resolve(x, from, tzid, 0, f))) ||
	    (to->set && (status = api_when_resolve(x, to, tzid, 1, t))))
		return status;
	if (*f > *t)
		return api_invalid(x, "to", "\"to\" is before \"from\"");
	return 0;
}

/* ---- availability -------------------------------------------------------------- */

int api_availability(struct api_ctx *x)
{
	int64_t service_id = 0, staff_id = 0, f, t;
	struct api_when from = { 0 }, to = { 0 };
	struct api_param p[] = {
		{ "service_id", API_P_ID, &service_id, 1 },
		{ "staff_id", API_P_ID, &staff_id, 0 },
		{ "from", API_P_WHEN, &from, 1 },
		{ "to", API_P_WHEN, &to, 1 },
	};
	const char *tzid = NULL;
	struct booking_slot *slots = NULL;
	size_t n = 0;
	json_t *arr;
	int status, rc;

	if ((status = api_query(x, p, SD_ARRAY_LEN(p))))
		return status;
	if ((from.is_day || to.is_day) && (status = service_zone(x, service_id, &tzid)))
		return status;
	if ((status = range(x, &from, &to, tzid, &f, &t)))
		return status;
	rc = booking_availability(&x->bx, service_id, staff_id, f, t, &slots, &n, &x->err);
	if (rc)
		return api_fail_booking(x, rc);
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_encode(&api_slot_fields, &slots[i]));
	return api_reply(x, 200,
	                 json_pack("{s:I,s:o,s:o,s:o,s:o}", "service_id", (json_int_t)service_id,
	                           "staff_id", staff_id ? json_integer(staff_id) : json_null(),
	                           "from", time_json(f), "to", time_json(t), "slots", arr));
}

/* ---- bookings ------------------------------------------------------------------ */

int api_bookings_list(struct api_ctx *x)
{
	struct store_booking_filter f = { .limit = API_LIST_LIMIT };
	struct api_when from = { 0 }, to = { 0 };
	struct api_param p[] = {
		{ "location_id", API_P_ID, &f.location_id, 0 },
		{ "service_id", API_P_ID, &f.service_id, 0 },
		{ "staff_id", API_P_ID, &f.staff_id, 0 },
		{ "customer_id", API_P_ID, &f.customer_id, 0 },
		{ "status", API_P_STATUSES, &f.status_mask, 0 },
		{ "from", API_P_WHEN, &from, 0 },
		{ "to", API_P_WHEN, &to, 0 },
		{ "after", API_P_ID, &f.after_id, 0 },
		{ "limit", API_P_INT, &f.limit, 0 },
	};
	const char *tzid = NULL;
	struct store_booking *b = NULL;
	size_t n = 0;
	json_t *arr;
	int status, rc;

	if ((status = api_query(x, p, SD_ARRAY_LEN(p))))
		return status;
	if (f.limit <= 0 || f.limit > API_LIST_LIMIT_MAX)
		f.limit = API_LIST_LIMIT_MAX;
	if ((from.is_day || to.is_day) && f.location_id &&
	    (status = location_zone(x, f.location_id, &tzid)))
		return status;
	if ((from.set || to.set) && (status = range(x, &from, &to, tzid, &f.from, &f.to)))
		return status;
	if ((rc = booking_list(&x->bx, &f, &b, &n, &x->err)))
		return api_fail_booking(x, rc);
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, booking_json(x, &b[i]));
	return api_reply(x, 200, json_pack("{s:o}", "bookings", arr));
}

int api_booking_create(struct api_ctx *x)
{
	struct booking_new in = { 0 };
	struct store_booking out;
	json_t *obj;
	int status, rc;

	if ((status = api_body_object(x, 0, &obj)) ||
	    (status = api_decode(x, obj, &api_booking_new_fields, &in, API_CREATE)))
		return status;
	if (x->actor.role == BOOKING_ROLE_CUSTOMER && !in.customer_id)
		in.customer_id = x->actor.customer_id;
	if ((rc = booking_create(&x->bx, &in, &out, &x->err)))
		return api_fail_booking(x, rc);
	return api_reply_created(x, sd_arena_printf(x->a, "/bookings/%lld", (long long)out.id),
	                         booking_json(x, &out));
}

int api_booking_get(struct api_ctx *x)
{
	struct store_booking b;
	int status = api_query(x, NULL, 0);

	if (status)
		return status;
	return booking_reply(x, booking_get(&x->bx, x->id[0], &b, &x->err), &b, 200);
}

/* Decodes an action's body (none is an empty object). */
static int action_in(struct api_ctx *x, const struct api_fieldset *fs, struct api_action *in)
{
	json_t *obj;
	int status;

	memset(in, 0, sizeof(*in));
	if ((status = api_body_object(x, 1, &obj)))
		return status;
	return api_decode(x, obj, fs, in, API_CREATE);
}

/* Notes only; a note not given keeps its value. */
int api_booking_patch(struct api_ctx *x)
{
	struct store_booking b;
	struct api_action in;
	int status, rc;

	if ((status = action_in(x, &api_notes_fields, &in)))
		return status;
	if (!in.notes_public || !in.notes_private) {
		if ((rc = booking_get(&x->bx, x->id[0], &b, &x->err)))
			return api_fail_booking(x, rc);
		if (!in.notes_public)
			in.notes_public = b.notes_public;
		if (!in.notes_private)
			in.notes_private = b.notes_private;
	}
	rc = booking_set_notes(&x->bx, x->id[0], in.version, in.notes_public, in.notes_private, &b,
	                       &x->err);
	return booking_reply(x, rc, &b, 200);
}

int api_booking_reschedule(struct api_ctx *x)
{
	enum booking_outcome outcome = BOOKING_APPLIED;
	struct store_booking b;
	struct api_action in;
	json_t *o;
	int status, rc;

	if ((status = action_in(x, &api_reschedule_fields, &in)))
		return status;
	rc = booking_reschedule(&x->bx, x->id[0], in.version, in.start, in.staff_id, &b, &outcome,
	                        &x->err);
	if (rc)
		return api_fail_booking(x, rc);
	o = booking_json(x, &b);
	json_object_set_new(o, "outcome",
	                    json_string(outcome == BOOKING_REQUESTED ? "requested" : "applied"));
	return api_reply(x, outcome == BOOKING_REQUESTED ? 202 : 200, o);
}

int api_booking_cancel(struct api_ctx *x)
{
	struct store_booking b;
	struct api_action in;
	int status, rc;

	if ((status = action_in(x, &api_cancel_fields, &in)))
		return status;
	rc = booking_cancel(&x->bx, x->id[0], in.version, in.reason, in.text ? in.text : "", &b,
	                    &x->err);
	return booking_reply(x, rc, &b, 200);
}

int api_booking_no_show(struct api_ctx *x)
{
	struct store_booking b;
	struct api_action in;
	int status = action_in(x, &api_version_fields, &in);

	if (status)
		return status;
	return booking_reply(x, booking_no_show(&x->bx, x->id[0], in.version, &b, &x->err), &b,
	                     200);
}

int api_booking_complete(struct api_ctx *x)
{
	struct store_booking b;
	struct api_action in;
	int status = action_in(x, &api_version_fields, &in);

	if (status)
		return status;
	return booking_reply(x, booking_complete(&x->bx, x->id[0], in.version, &b, &x->err), &b,
	                     200);
}

int api_booking_approve(struct api_ctx *x)
{
	struct store_booking b;
	struct api_action in;
	int status = action_in(x, &api_no_fields, &in);

	if (status)
		return status;
	return booking_reply(x, booking_approve(&x->bx, x->id[0], &b, &x->err), &b, 200);
}

int api_booking_decline(struct api_ctx *x)
{
	struct store_booking b;
	struct api_action in;
	int status = action_in(x, &api_decline_fields, &in);

	if (status)
		return status;
	return booking_reply(
	    x, booking_decline(&x->bx, x->id[0], in.text ? in.text : "", &b, &x->err), &b, 200);
}

int api_booking_restore(struct api_ctx *x)
{
	struct store_booking b;
	struct api_action in;
	int status = action_in(x, &api_no_fields, &in);

	if (status)
		return status;
	return booking_reply(x, booking_restore(&x->bx, x->id[0], &b, &x->err), &b, 200);
}

int api_booking_activity(struct api_ctx *x)
{
	struct store_activity *log = NULL;
	size_t n = 0;
	json_t *arr;
	int status, rc;

	if ((status = api_query(x, NULL, 0)))
		return status;
	if ((rc = booking_activity(&x->bx, x->id[0], &log, &n, &x->err)))
		return api_fail_booking(x, rc);
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_encode(&api_activity_fields, &log[i]));
	return api_reply(
	    x, 200, json_pack("{s:I,s:o}", "booking_id", (json_int_t)x->id[0], "activity", arr));
}

int api_booking_notifications(struct api_ctx *x)
{
	struct store_notification *v = NULL;
	size_t n = 0;
	json_t *arr;
	int status, rc;

	if ((status = api_query(x, NULL, 0)))
		return status;
	if ((rc = booking_notifications(&x->bx, x->id[0], &v, &n, &x->err)))
		return api_fail_booking(x, rc);
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		char created[API_TIME_LEN], due[API_TIME_LEN];
		const char *state = booking_notify_state_name(v[i].state);
		json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:i,s:s}", "id",
		                      (json_int_t)v[i].id, "kind", v[i].kind, "recipient",
		                      v[i].recipient, "state", state ? state : "unknown", "created",
		                      api_time_format(created, v[i].created), "not_before",
		                      api_time_format(due, v[i].not_before), "attempts",
		                      v[i].attempts, "last_error", v[i].last_error);

		json_array_append_new(arr, o);
	}
	return api_reply(
	    x, 200,
	    json_pack("{s:I,s:o}", "booking_id", (json_int_t)x->id[0], "notifications", arr));
}
