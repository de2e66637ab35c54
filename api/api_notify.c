/* api_notify.c - the email queue for admins: GET /notifications (filters
 * state, booking_id, limit) and POST /notifications/{id}/resend.
 *
 * Decoding and encoding only; who may do it is booking's decision
 * (booking_notifications_all, booking_notification_resend: admins).
 */
#include "api_int.h"
#include "sd_util.h"

json_t *api_notification_json(const struct store_notification *v)
{
	char created[API_TIME_LEN], due[API_TIME_LEN], sent[API_TIME_LEN], next[API_TIME_LEN];
	const char *state = booking_notify_state_name(v->state);

	return json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s*,s:s*}", "id", (json_int_t)v->id,
	                 "booking_id", (json_int_t)v->booking_id, "kind", v->kind, "recipient",
	                 v->recipient, "state", state ? state : "unknown", "created",
	                 api_time_format(created, v->created), "not_before",
	                 api_time_format(due, v->not_before), "attempts", v->attempts, "last_error",
	                 v->last_error, "sent", v->sent ? api_time_format(sent, v->sent) : NULL,
	                 "next_try", v->next_try ? api_time_format(next, v->next_try) : NULL);
}

int api_notifications_list(struct api_ctx *x)
{
	struct store_notification *v = NULL;
	const char *state = NULL;
	int64_t booking_id = 0;
	int limit = 0, st = 0, status, rc;
	size_t n = 0;
	json_t *arr;
	const struct api_param p[] = {
		{ "state", API_P_STR, &state, 0 },
		{ "booking_id", API_P_ID, &booking_id, 0 },
		{ "limit", API_P_INT, &limit, 0 },
	};

	if ((status = api_query(x, p, SD_ARRAY_LEN(p))))
		return status;
	if (state && !(st = booking_notify_state_parse(state)))
		return api_invalid(x, "state", "\"%s\" is not queued, sent, failed or withdrawn",
		                   state);
	if ((rc = booking_notifications_all(&x->bx, booking_id, st, limit, &v, &n, &x->err)))
		return api_fail_booking(x, rc);
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_notification_json(&v[i]));
	return api_reply(x, 200, json_pack("{s:o}", "notifications", arr));
}

int api_notification_resend(struct api_ctx *x)
{
	struct store_notification v;
	int status, rc;

	if ((status = api_query(x, NULL, 0)))
		return status;
	if ((rc = booking_notification_resend(&x->bx, x->id[0], &v, &x->err)))
		return api_fail_booking(x, rc);
	return api_reply(x, 200, api_notification_json(&v));
}
