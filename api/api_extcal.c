/* api_extcal.c - a staff member's external busy calendars:
 *   GET    /staff/{id}/external-calendars              list
 *   POST   /staff/{id}/external-calendars              {url | path, name}
 *   GET    /staff/{id}/external-calendars/{eid}        one
 *   DELETE /staff/{id}/external-calendars/{eid}
 *   POST   /staff/{id}/external-calendars/{eid}/refresh  fetch now
 *
 * Decoding and encoding only: who may attach what to whom is booking's
 * decision (booking_extcal_*), fetching is extcal/'s, reached through the
 * refresh hook of struct api_config. A refresh is synchronous and bounded
 * by extcal.timeout_seconds; its outcome (also a failure of the feed) is
 * the calendar's new state, answered with 200: the request worked even
 * when the feed did not.
 */
#include <string.h>

#include "api_int.h"

static json_t *extcal_json(const struct store_extcal *e)
{
	char fetch[API_TIME_LEN], ok[API_TIME_LEN], next[API_TIME_LEN], made[API_TIME_LEN];

	return json_pack(
	    "{s:I,s:I,s:s?,s:s?,s:s,s:s?,s:s?,s:s?,s:s?,s:s?,s:I,s:s,s:s}", "id", (json_int_t)e->id,
	    "staff_id", (json_int_t)e->staff_id, "url", *e->url ? e->url : NULL, "path",
	    *e->path ? e->path : NULL, "name", e->name, "etag", *e->etag ? e->etag : NULL,
	    "last_modified", *e->last_modified ? e->last_modified : NULL, "last_fetch",
	    e->last_fetch ? api_time_format(fetch, e->last_fetch) : NULL, "last_success",
	    e->last_success ? api_time_format(ok, e->last_success) : NULL, "last_error",
	    *e->last_error ? e->last_error : NULL, "busy_periods", (json_int_t)e->nbusy,
	    "next_poll", api_time_format(next, e->next_poll), "created",
	    api_time_format(made, e->created));
}

int api_extcals_list(struct api_ctx *x)
{
	struct store_extcal *v = NULL;
	size_t n = 0;
	json_t *arr;
	int rc;

	if ((rc = booking_extcal_list(&x->bx, x->id[0], &v, &n, &x->err)))
		return api_fail_booking(x, rc);
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, extcal_json(&v[i]));
	return api_reply(x, 200, json_pack("{s:o}", "external_calendars", arr));
}

/* A member that must be a string when present. */
static int str_member(struct api_ctx *x, json_t *obj, const char *key, const char **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return api_invalid(x, key, "%s must be a string", key);
	*out = json_string_value(v);
	return 0;
}

int api_extcal_create(struct api_ctx *x)
{
	struct store_extcal in = { .staff_id = x->id[0] }, made;
	const char *key;
	json_t *obj, *v;
	int64_t id = 0;
	int status, rc;

	if ((status = api_body_object(x, 0, &obj)))
		return status;
	json_object_foreach (obj, key, v) {
		if (strcmp(key, "url") && strcmp(key, "path") && strcmp(key, "name"))
			return api_invalid(x, key, "unknown member %s", key);
	}
	if ((status = str_member(x, obj, "url", &in.url)) ||
	    (status = str_member(x, obj, "path", &in.path)) ||
	    (status = str_member(x, obj, "name", &in.name)))
		return status;
	if ((rc = booking_extcal_add(&x->bx, &in, &id, &x->err)) ||
	    (rc = booking_extcal_get(&x->bx, in.staff_id, id, &made, &x->err)))
		return api_fail_booking(x, rc);
	return api_reply_created(x,
	                         sd_arena_printf(x->a, "/staff/%lld/external-calendars/%lld",
	                                         (long long)in.staff_id, (long long)id),
	                         extcal_json(&made));
}

int api_extcal_get(struct api_ctx *x)
{
	struct store_extcal e;
	int rc;

	if ((rc = booking_extcal_get(&x->bx, x->id[0], x->id[1], &e, &x->err)))
		return api_fail_booking(x, rc);
	return api_reply(x, 200, extcal_json(&e));
}

int api_extcal_delete(struct api_ctx *x)
{
	int rc;

	if ((rc = booking_extcal_delete(&x->bx, x->id[0], x->id[1], &x->err)))
		return api_fail_booking(x, rc);
	return 204;
}

int api_extcal_refresh(struct api_ctx *x)
{
	struct store_extcal e;
	int rc;

	if ((rc = booking_extcal_get(&x->bx, x->id[0], x->id[1], &e, &x->err)))
		return api_fail_booking(x, rc);
	if (!x->cfg->extcal_refresh)
		return api_fail(x, 503, "unavailable", NULL,
		                "external calendars are not fetched here");
	if ((rc = x->cfg->extcal_refresh(x->cfg->extcal_cls, x->conn, e.id, &x->err)) &&
	    rc != STORE_ENOTFOUND)
		return api_fail_store(x, rc);
	if ((rc = booking_extcal_get(&x->bx, x->id[0], x->id[1], &e, &x->err)))
		return api_fail_booking(x, rc);
	return api_reply(x, 200, extcal_json(&e));
}
