/* api_error.c - from codes to HTTP: the status of every booking code, the
 * JSON error body, and the JSON replies.
 *
 * API_STATUSES below is the one place a BOOKING_E* code becomes an HTTP
 * status. The principle:
 *   403  who you are may not do this (now): the role, or a customer's
 *        permission flag or notice period
 *   404  an id in the path or the body does not exist, or is not visible
 *   409  the request collides with the current state of something: a slot
 *        taken, a status that does not allow the step, a row still in use
 *   412  the version the client read is not the current one
 *   422  a value is unacceptable: malformed, out of range, or against a
 *        rule about the requested time (grid, notice, horizon, hours)
 *   500  storage failed; 503 the write lock was not had in time (retry)
 * The table must list every code of BOOKING_CODES exactly once: the
 * assertion below counts them, and the generated switch refuses a code
 * listed twice or a name that does not exist.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api_int.h"
#include "sd_log.h"

#define API_STATUSES(X)                    \
	X(BOOKING_ENOTFOUND, 404)          \
	X(BOOKING_EINVALID, 422)           \
	X(BOOKING_EFORBIDDEN, 403)         \
	X(BOOKING_EINUSE, 409)             \
	X(BOOKING_EEXISTS, 409)            \
	X(BOOKING_ESTALE, 412)             \
	X(BOOKING_EIO, 500)                \
	X(BOOKING_EBUSY, 503)              \
	X(BOOKING_ESTATE, 409)             \
	X(BOOKING_ESLOT, 409)              \
	X(BOOKING_EHOURS, 422)             \
	X(BOOKING_EGRID, 422)              \
	X(BOOKING_EPAST, 422)              \
	X(BOOKING_ENOTICE, 422)            \
	X(BOOKING_EHORIZON, 422)           \
	X(BOOKING_ECANCEL_NOTICE, 403)     \
	X(BOOKING_ERESCHEDULE_NOTICE, 403) \
	X(BOOKING_ENOT_PERMITTED, 403)     \
	X(BOOKING_ESERVICE_STAFF, 422)     \
	X(BOOKING_ENOT_STARTED, 409)       \
	X(BOOKING_EPENDING_REQUEST, 409)   \
	X(BOOKING_EOVERLAP, 409)

#define API_COUNT(...) +1
_Static_assert(0 BOOKING_CODES(API_COUNT) == 0 API_STATUSES(API_COUNT),
               "API_STATUSES must list every BOOKING_CODES code once");
#undef API_COUNT

int api_booking_status(int rc)
{
	switch (rc) {
#define API_CASE(code, status) \
	case code:             \
		return status;
		API_STATUSES(API_CASE)
#undef API_CASE
	}
	return 500;
}

static int vfail(struct api_ctx *x, int status, const char *code, const char *field,
                 const char *fmt, va_list ap)
{
	x->code = code;
	x->field = field;
	x->message = sd_arena_vprintf(x->a, fmt, ap);
	return status;
}

int api_fail(struct api_ctx *x, int status, const char *code, const char *field, const char *fmt,
             ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(x, status, code, field, fmt, ap);
	va_end(ap);
	return status;
}

int api_invalid(struct api_ctx *x, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(x, 422, booking_code_name(BOOKING_EINVALID), field, fmt, ap);
	va_end(ap);
	return 422;
}

int api_fail_booking(struct api_ctx *x, int rc)
{
	int status = api_booking_status(rc);

	if (status == 500) {
		SD_ERROR("booking failure", "code=%d detail=%s", rc,
		         sd_log_quote(x->a, x->err.msg));
		return api_fail(x, 500, booking_code_name(BOOKING_EIO), NULL,
		                "internal error; see the server log");
	}
	if (status == 503)
		sd_req_set_header(x->req, "Retry-After", "1");
	return api_fail(x, status, booking_code_name(rc), NULL, "%s",
	                *x->err.msg ? x->err.msg : booking_code_name(rc));
}

int api_fail_store(struct api_ctx *x, int rc)
{
	switch (rc) {
	case STORE_ENOTFOUND:
		return api_fail_booking(x, BOOKING_ENOTFOUND);
	case STORE_EBUSY:
		return api_fail_booking(x, BOOKING_EBUSY);
	default:
		return api_fail_booking(x, BOOKING_EIO);
	}
}

/* ---- replies ------------------------------------------------------------- */

static void decref(void *j)
{
	json_decref(j);
}

json_t *api_keep(struct api_ctx *x, json_t *j)
{
	if (j)
		sd_arena_defer(x->a, decref, j);
	return j;
}

/* A JSON string of s; "" if s is not UTF-8 (jansson refuses such text). */
static json_t *text(const char *s)
{
	json_t *j = json_string(s ? s : "");

	return j ? j : json_string("");
}

static int buf_dump(const char *s, size_t n, void *cls)
{
	return sd_buf_add(cls, s, n) ? -1 : 0;
}

int api_reply(struct api_ctx *x, int status, json_t *v)
{
	struct sd_req *req = x->req;

	sd_buf_reset(&req->resp_body);
	if (json_dump_callback(v, buf_dump, &req->resp_body, JSON_INDENT(2)) ||
	    sd_buf_addc(&req->resp_body, '\n')) {
		json_decref(v);
		return api_fail_booking(x, BOOKING_EIO);
	}
	json_decref(v);
	req->resp_type = "application/json";
	return status;
}

int api_reply_created(struct api_ctx *x, const char *path, json_t *v)
{
	const char *base = x->req->base_url ? x->req->base_url : "";

	sd_req_set_header(x->req, "Location",
	                  sd_arena_printf(x->a, "%s%s%s", base, x->cfg->prefix, path));
	return api_reply(x, 201, v);
}

void api_error_render(struct api_ctx *x)
{
	json_t *e = json_object();

	json_object_set_new(e, "code", text(x->code ? x->code : "internal"));
	json_object_set_new(e, "message", text(x->message));
	if (x->field)
		json_object_set_new(e, "field", text(x->field));
	x->req->resp_stream = NULL;
	api_reply(x, 0, json_pack("{s:o}", "error", e));
}

/* ---- read transactions --------------------------------------------------- */

int api_read_begin(struct api_ctx *x)
{
	int rc = store_begin(x->conn, STORE_TXN_READ, &x->err);

	return rc ? api_fail_store(x, rc) : 0;
}

void api_read_end(struct api_ctx *x)
{
	store_rollback(x->conn);
}
