/* api_feed.c - /feeds: making, listing and revoking iCalendar feeds.
 *
 * The feeds themselves are served by feed/ at /feeds/<token>.ics; here
 * their tokens are managed. The token is in the answer to POST only, with
 * the https and webcal URLs built from it: the server keeps only its hash.
 * Who may manage which feed is booking's decision (booking_feed_create).
 */
#include <string.h>

#include "api_int.h"

static json_t *feed_json(const struct store_feed_token *t)
{
	const char *personal = booking_feed_personal_name(t->personal);

	return json_pack("{s:I, s:s, s:I, s:b, s:b, s:s, s:I, s:o}", "id", (json_int_t)t->id,
	                 "kind", booking_feed_kind_name(t->kind), "subject_id",
	                 (json_int_t)t->subject_id, "busy_only", t->busy_only, "with_cancelled",
	                 t->with_cancelled, "personal", personal ? personal : "none", "created",
	                 (json_int_t)t->created, "revoked",
	                 t->revoked ? json_integer(t->revoked) : json_null());
}

static int flag(struct api_ctx *x, json_t *obj, const char *name, int *out)
{
	json_t *v = json_object_get(obj, name);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return api_invalid(x, name, "%s must be true or false", name);
	*out = json_is_true(v);
	return 0;
}

int api_feed_create(struct api_ctx *x)
{
	struct store_feed_token in = { 0 }, made;
	const char *token, *base, *host;
	json_t *obj, *v, *out;
	int status, rc;

	if ((status = api_body_object(x, 0, &obj)))
		return status;
	v = json_object_get(obj, "kind");
	if (!json_is_string(v) || !(in.kind = booking_feed_kind_from_name(json_string_value(v))))
		return api_invalid(x, "kind",
		                   "kind must be \"customer\", \"staff\" or \"location\"");
	v = json_object_get(obj, "subject_id");
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return api_invalid(x, "subject_id", "subject_id must be a positive id");
	in.subject_id = (int64_t)json_integer_value(v);
	if ((status = flag(x, obj, "busy_only", &in.busy_only)) ||
	    (status = flag(x, obj, "with_cancelled", &in.with_cancelled)))
		return status;
	v = json_object_get(obj, "personal");
	if (v && !json_is_null(v) &&
	    (!json_is_string(v) ||
	     (in.personal = booking_feed_personal_from_name(json_string_value(v))) < 0))
		return api_invalid(x, "personal",
		                   "personal must be \"none\", \"busy\" or \"full\"");
	if (in.personal && in.kind != STORE_FEED_STAFF)
		return api_invalid(x, "personal",
		                   "personal calendars can be shown in staff feeds only");
	if ((rc = booking_feed_create(&x->bx, &in, &made, &token, &x->err)))
		return api_fail_booking(x, rc);
	base = x->req->base_url ? x->req->base_url : "";
	host = strstr(base, "://") ? strstr(base, "://") + 3 : base;
	out = api_keep(x, feed_json(&made));
	json_object_set_new(out, "token", json_string(token));
	json_object_set_new(out, "url",
	                    json_string(sd_arena_printf(x->a, "%s/feeds/%s.ics", base, token)));
	json_object_set_new(
	    out, "webcal_url",
	    json_string(sd_arena_printf(x->a, "webcal://%s/feeds/%s.ics", host, token)));
	return api_reply_created(x, sd_arena_printf(x->a, "/feeds/%lld", (long long)made.id),
	                         json_incref(out));
}

int api_feeds_list(struct api_ctx *x)
{
	struct store_feed_token *v;
	size_t n;
	json_t *items;
	int rc;

	if ((rc = booking_feed_list(&x->bx, &v, &n, &x->err)))
		return api_fail_booking(x, rc);
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, feed_json(&v[i]));
	return api_reply(x, 200, json_pack("{s:o}", "feeds", items));
}

int api_feed_revoke(struct api_ctx *x)
{
	int rc;

	if ((rc = booking_feed_revoke(&x->bx, x->id[0], &x->err)))
		return api_fail_booking(x, rc);
	return 204;
}
