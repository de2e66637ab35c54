/* api_int.h - what the files of api/ share: the request context, the error
 * helpers, the field tables that drive the JSON codecs, the query decoder,
 * the time formats and the handlers the route table of api.c names.
 *
 * Decoding is strict: a body member or query parameter that the endpoint
 * does not know is refused (422 "invalid", naming it), so a typo never
 * passes silently as "not given". Members that are only ever output (id,
 * created, ...) are accepted and ignored, so a GET result can be sent back
 * with PUT. Values are checked for their JSON type and format only; whether
 * a value is acceptable is booking's decision.
 */
#ifndef API_INT_H
#define API_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "booking.h"
#include "sd_err.h"
#include "store_bk.h"

/* Roles as bits, for who may call a route. */
#define API_ROLE(r)  (1u << (r))
#define API_ADMIN    API_ROLE(BOOKING_ROLE_ADMIN)
#define API_STAFF    API_ROLE(BOOKING_ROLE_STAFF)
#define API_CUSTOMER API_ROLE(BOOKING_ROLE_CUSTOMER)
#define API_ANY      (API_ADMIN | API_STAFF | API_CUSTOMER)

#define API_MAX_IDS        2 /* {id} segments in one path */
#define API_LIST_LIMIT     100
#define API_LIST_LIMIT_MAX 1000

struct api_route;

/* One request. Everything is arena memory of req. */
struct api_ctx {
	struct sd_req *req;
	struct sd_arena *a;
	struct store_conn *conn;
	const struct api_config *cfg;
	const struct api_route *route;
	int64_t id[API_MAX_IDS]; /* the {id} segments of the path, in order */
	json_t *body;            /* the parsed body; NULL when there was none */
	struct booking_actor actor;
	struct booking_ctx bx; /* conn, arena, now and &actor */
	struct sd_err err;     /* for the calls below */
	/* The error to render when the status is >= 400. */
	const char *code, *message, *field;
};

typedef int (*api_handler_fn)(struct api_ctx *x);

struct api_route {
	const char *method;  /* "GET" also answers HEAD */
	const char *pattern; /* below the prefix; "{id}" matches a positive integer */
	api_handler_fn fn;
	const void *arg; /* handler data (an entity description) */
	unsigned who;    /* roles that may call it; writes are checked again by booking */
};

/* ---- errors and replies (api_error.c) ---------------------------------- */

/* Records the error and returns status. code is one of booking_code_name()'s
 * or of the API's own: "malformed_json", "method_not_allowed",
 * "unsupported_media_type". field may be NULL. */
int api_fail(struct api_ctx *x, int status, const char *code, const char *field, const char *fmt,
             ...) __attribute__((format(printf, 5, 6)));
/* 422 "invalid" naming field (a member or query parameter). */
int api_invalid(struct api_ctx *x, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A BOOKING_E* code of a booking call (message from x->err). */
int api_fail_booking(struct api_ctx *x, int rc);
/* A STORE_E* code of a direct read. */
int api_fail_store(struct api_ctx *x, int rc);
/* The HTTP status of a BOOKING_E* code (500 for an unknown one). */
int api_booking_status(int rc);
/* Renders x's error as the JSON error body. */
void api_error_render(struct api_ctx *x);

/* Sends v (a reference is taken over) as the JSON body; returns status. */
int api_reply(struct api_ctx *x, int status, json_t *v);
/* 201 with Location: <base><prefix><path> and the body. */
int api_reply_created(struct api_ctx *x, const char *path, json_t *v);
/* Hands j to the arena (decref'd when the request ends); returns j. */
json_t *api_keep(struct api_ctx *x, json_t *j);

/* A read transaction around direct store_* reads. begin returns 0 or an
 * error status; end is safe after a failed begin. */
int api_read_begin(struct api_ctx *x);
void api_read_end(struct api_ctx *x);

/* ---- field tables (api_codec.c) ---------------------------------------- */

enum api_type {
	API_STR,    /* const char * */
	API_INT,    /* int */
	API_I64,    /* int64_t (ids, versions, counts) */
	API_BOOL,   /* int, 0 or 1 <-> false/true */
	API_TIME,   /* int64_t Unix seconds <-> "2026-11-23T09:00:00Z" */
	API_DAY,    /* int64_t days since 1970-01-01 <-> "2026-11-23" */
	API_HHMM,   /* int minutes after midnight <-> "09:30" ("24:00" too) */
	API_IDS,    /* const int64_t * at off, size_t count at off2 <-> [1, 2] */
	API_STATUS, /* int enum store_booking_status <-> "confirmed" */
	API_REASON, /* int enum store_cancel_reason <-> "customer" */
	API_EXTRA,  /* a member a handler deals with itself; skipped here */
};

enum {
	API_F_REQ = 1,  /* must be given when creating */
	API_F_OUT = 2,  /* output only: ignored on input */
	API_F_NULL = 4, /* 0 is written as null (and null read as 0) */
	API_F_IN = 8,   /* input only: never written */
};

struct api_field {
	const char *name;
	enum api_type type;
	size_t off, off2;
	unsigned flags;
};

struct api_fieldset {
	const struct api_field *f;
	size_t n;
};

enum api_mode { API_CREATE, API_UPDATE };

/* Decodes the members of obj into rec by the table; members not given
 * leave rec as it was. API_CREATE also requires the API_F_REQ members.
 * 0, or 422 (via api_invalid) for an unknown member, a wrong JSON type or a
 * malformed time, day or HH:MM. Strings are borrowed from obj. */
int api_decode(struct api_ctx *x, json_t *obj, const struct api_fieldset *fs, void *rec,
               enum api_mode mode);
/* A new JSON object of rec by the table (API_F_IN members left out). */
json_t *api_encode(const struct api_fieldset *fs, const void *rec);
/* obj, or 422 if the body is missing or not an object (NULL body: an empty
 * object when empty_ok). */
int api_body_object(struct api_ctx *x, int empty_ok, json_t **obj);

/* The body of a booking action (reschedule, cancel, ...); each action has
 * its own table over it. Strings NULL when not given. */
struct api_action {
	int64_t version; /* 0: no check */
	int64_t start, staff_id;
	int reason;
	const char *text, *notes_public, *notes_private;
};

extern const struct api_fieldset api_reschedule_fields, api_cancel_fields, api_version_fields,
    api_decline_fields, api_notes_fields, api_no_fields;

extern const struct api_fieldset api_location_fields, api_staff_fields, api_service_fields,
    api_customer_fields, api_hours_fields, api_exception_fields, api_booking_fields,
    api_booking_new_fields, api_activity_fields, api_slot_fields, api_report_row_fields;

/* ---- query strings (api_query.c) --------------------------------------- */

/* A time given as an RFC 3339 instant or as a day in some zone (which the
 * handler knows); api_when_resolve turns either into an instant. */
struct api_when {
	int set, is_day;
	int64_t t;   /* the instant, when !is_day */
	int64_t day; /* days since 1970-01-01, when is_day */
};

enum api_ptype {
	API_P_ID,       /* int64_t > 0 */
	API_P_INT,      /* int >= 0 */
	API_P_STR,      /* const char *, decoded ('+' is a space) */
	API_P_DAY,      /* int64_t day */
	API_P_WHEN,     /* struct api_when */
	API_P_STATUSES, /* unsigned mask of (1 << status), names separated by ',' */
};

struct api_param {
	const char *name;
	enum api_ptype type;
	void *dst; /* left as it was when the parameter is absent */
	int required;
};

/* Decodes the query string (NULL: none) by the table: 0, or 422 naming the
 * parameter (unknown, repeated, malformed, required and missing). */
int api_query(struct api_ctx *x, const struct api_param *p, size_t n);

/* The instant of w in zone tzid ("" or NULL: UTC): a day is its local
 * midnight, or with end set the local midnight after it (a day given as the
 * end of a range is included). 0 or an error status. */
int api_when_resolve(struct api_ctx *x, const struct api_when *w, const char *tzid, int end,
                     int64_t *out);

/* ---- time formats (api_time.c) ------------------------------------------ */

#define API_TIME_LEN 32

/* RFC 3339 date-time with Z or an offset ("2026-11-23T10:00:00+01:00");
 * fractions must be zero. 0 or -1. */
int api_time_parse(const char *s, int64_t *out);
/* "2026-11-23T09:00:00Z" into buf; returns buf. */
char *api_time_format(char buf[API_TIME_LEN], int64_t t);
/* "YYYY-MM-DD" <-> days since 1970-01-01. */
int api_day_parse(const char *s, int64_t *out);
char *api_day_format(char buf[API_TIME_LEN], int64_t day);
/* "HH:MM", 00:00 to 24:00 <-> minutes. */
int api_hhmm_parse(const char *s, int *out);
char *api_hhmm_format(char buf[API_TIME_LEN], int min);
/* ISO weekday of a day: 1 = Monday .. 7 = Sunday. */
int api_day_weekday(int64_t day);
/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t api_days_from_civil(int64_t y, int m, int d);
void api_civil_from_days(int64_t day, int64_t *y, int *m, int *d);

/* ---- handlers ------------------------------------------------------------ */

/* api_entity.c: locations, staff, services and customers share their list,
 * get, create, update and delete; arg is a struct api_entity. */
struct api_entity;
extern const struct api_entity api_locations, api_staff, api_services, api_customers;
int api_entity_list(struct api_ctx *x);
int api_entity_get(struct api_ctx *x);
int api_entity_create(struct api_ctx *x);
int api_entity_update(struct api_ctx *x);
int api_entity_delete(struct api_ctx *x);

/* api_schedule.c: working hours, exceptions and rule sets. */
int api_hours_get(struct api_ctx *x);
int api_hours_put(struct api_ctx *x);
int api_exceptions_list(struct api_ctx *x);
int api_exception_create(struct api_ctx *x);
int api_exception_delete(struct api_ctx *x);
int api_rules_get(struct api_ctx *x); /* arg: &api_locations or &api_services */
int api_rules_put(struct api_ctx *x);

/* api_booking.c: availability, bookings and their actions. */
int api_availability(struct api_ctx *x);
int api_bookings_list(struct api_ctx *x);
int api_booking_create(struct api_ctx *x);
int api_booking_get(struct api_ctx *x);
int api_booking_patch(struct api_ctx *x);
int api_booking_reschedule(struct api_ctx *x);
int api_booking_cancel(struct api_ctx *x);
int api_booking_no_show(struct api_ctx *x);
int api_booking_complete(struct api_ctx *x);
int api_booking_approve(struct api_ctx *x);
int api_booking_decline(struct api_ctx *x);
int api_booking_restore(struct api_ctx *x);
int api_booking_activity(struct api_ctx *x);
int api_booking_notifications(struct api_ctx *x);

/* api_notify.c: the email queue (admins). */
int api_notifications_list(struct api_ctx *x);
int api_notification_resend(struct api_ctx *x);
json_t *api_notification_json(const struct store_notification *v);

/* api_extcal.c: a staff member's external busy calendars. */
int api_extcals_list(struct api_ctx *x);
int api_extcal_create(struct api_ctx *x);
int api_extcal_get(struct api_ctx *x);
int api_extcal_delete(struct api_ctx *x);
int api_extcal_refresh(struct api_ctx *x);

/* api_report.c */
int api_report_cancellations(struct api_ctx *x);

/* api_feed.c */
int api_feed_create(struct api_ctx *x);
int api_feeds_list(struct api_ctx *x);
int api_feed_revoke(struct api_ctx *x);
/* Appends one RFC 4180 cell; text that a spreadsheet would run as a
 * formula (starting with = + - @, tab or CR) gets a leading '. */
void api_csv_cell(struct sd_buf *b, const char *s);

#endif
