/* store_bk.h - the storage interface of the booking side: locations, staff,
 * working hours, services, customers, bookings, reschedule requests, the
 * activity log, feed tokens, the notification queue and the external busy
 * calendars of staff members.
 *
 * Like store.h this knows nothing of HTTP, JSON or iCalendar, and nothing of
 * the booking rules: it stores what booking/ decided. Rule sets are opaque
 * text to storage (booking/ encodes them). Times are Unix seconds (UTC);
 * minutes-of-day and days are wall-clock values of the location's zone,
 * which storage does not interpret.
 *
 * The operations are listed once, in STORE_BK_OPS below; that list generates
 * the function table of the backend (the booking entries of struct
 * store_backend in store_backend.h), the dispatch functions of store.c and
 * the wrappers of the fault backend, so an operation is added in one place
 * and implemented by each backend. Every operation takes the connection first and struct
 * sd_err *err last, returns 0 or a negative STORE_E* code, and follows the
 * memory rules of store.h: results are copied into the arena a the caller
 * passes; inputs are borrowed for the call.
 *
 * Atomicity: every write is atomic on its own. booking/ wraps a rule check
 * and the writes it allows in store_begin(STORE_TXN_WRITE) ... commit, so
 * that two requests for one slot are serialised and the second sees the
 * first's booking.
 *
 * Ids are positive; 0 means "none" in optional references and "all" in
 * list filters.
 */
#ifndef STORE_BK_H
#define STORE_BK_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Extra codes of this interface (store.h has 0 to -4). */
enum {
	STORE_EINUSE = -5, /* still referenced (a location with bookings ...) */
	STORE_ESTALE = -6, /* the row's version is not the one the caller read */
};

struct store_location {
	int64_t id;
	const char *name;
	const char *address;  /* "" when unknown */
	const char *timezone; /* IANA zone name, e.g. "Europe/Berlin" */
	const char *email;    /* contact address, "" when none */
	const char *rules;    /* booking/'s encoding of the rule set, "" = defaults */
	int64_t created, modified;
};

struct store_staff {
	int64_t id;
	int64_t user_id;             /* the login (users.id); unique */
	const char *name;            /* display name */
	const char *email;           /* "" when none */
	int admin;                   /* 1: an admin of the organisation */
	int active;                  /* 0: may not be booked any more */
	int64_t bookings_coll_id;    /* the Bookings calendar; 0 until made */
	const int64_t *location_ids; /* sorted, no duplicates */
	size_t nlocations;
	int64_t created, modified;
};

/* One interval of the weekly schedule: on weekday (ISO 8601: 1 = Monday ..
 * 7 = Sunday) from start_min to end_min minutes after local midnight
 * (0 <= start_min < end_min <= 1440), at one location. */
struct store_hours {
	int64_t location_id;
	int weekday;
	int start_min, end_min;
};

/* A dated exception to the weekly schedule of a staff member: on day (days
 * since 1970-01-01 of the local calendar) from start_min to end_min, either
 * off (available 0: a holiday, a doctor's appointment) or an extra shift
 * (available 1) at location_id. */
struct store_exception {
	int64_t id;
	int64_t staff_id;
	int64_t location_id;
	int64_t day;
	int start_min, end_min;
	int available;
	const char *note; /* "" when none */
	int64_t created;
};

struct store_service {
	int64_t id;
	int64_t location_id;
	const char *name;
	const char *description;                 /* "" when none */
	int duration_min;                        /* > 0 */
	int buffer_before_min, buffer_after_min; /* >= 0 */
	const char *rules;                       /* overrides, booking/'s encoding; "" = none */
	int active;
	const int64_t *staff_ids; /* who can perform it, sorted, no duplicates */
	size_t nstaff;
	int64_t created, modified;
};

struct store_customer {
	int64_t id;
	const char *name;
	const char *email; /* "" when none */
	const char *phone; /* "" when none */
	int64_t user_id;   /* a CalDAV login, 0 when none */
	int64_t coll_id;   /* their "My appointments" calendar, 0 when none */
	int64_t created, modified;
};

/* Booking status and cancellation reason: the values are stored, never
 * renumber them. */
enum store_booking_status {
	STORE_BK_PENDING = 1,
	STORE_BK_CONFIRMED = 2,
	STORE_BK_CANCELLED = 3,
	STORE_BK_COMPLETED = 4,
	STORE_BK_NO_SHOW = 5,
};

enum store_cancel_reason {
	STORE_CANCEL_NONE = 0,
	STORE_CANCEL_CUSTOMER = 1,
	STORE_CANCEL_BUSINESS = 2,
	STORE_CANCEL_NO_SHOW = 3,
	STORE_CANCEL_OTHER = 4,
};

struct store_booking {
	int64_t id;
	const char *uid; /* iCalendar UID, stable for the booking's life */
	int64_t location_id, service_id, staff_id, customer_id;
	int64_t start, end;                      /* appointment time */
	int buffer_before_min, buffer_after_min; /* copied from the service when booked */
	int status;                              /* enum store_booking_status */
	int cancel_reason;           /* enum store_cancel_reason; NONE unless cancelled */
	const char *cancel_text;     /* "" when none */
	int64_t cancelled_at;        /* 0 unless cancelled */
	const char *notes_public;    /* "" when none */
	const char *notes_private;   /* "" when none */
	const char *created_channel; /* "api", "caldav", "manage", "cli", "demo" */
	const char *created_by;      /* who: "user:alice", "customer:12", ... */
	int64_t version;             /* +1 on every update (optimistic check) */
	int64_t sequence;            /* iCalendar SEQUENCE: +1 on time or status change */
	const char *obj_name;        /* resource name in the staff's Bookings calendar */
	int64_t created, modified;
};

/* What store_booking_list returns: every condition that is set must hold. */
struct store_booking_filter {
	int64_t location_id, service_id, staff_id, customer_id; /* 0: any */
	unsigned status_mask;                                   /* bit (1 << status); 0: any */
	/* Appointments overlapping [from, to) (buffers not included);
	 * from = to = 0: any time. */
	int64_t from, to;
	/* Paging: only rows after booking after_id in (start, id) order, so
	 * the next page passes the last id of the previous one (0: from the
	 * first; an id that does not exist: no rows). */
	int64_t after_id;
	int limit; /* at most this many, in (start, id) order; 0: no limit */
};

enum store_request_status {
	STORE_REQ_PENDING = 1,
	STORE_REQ_APPROVED = 2,
	STORE_REQ_DECLINED = 3,
	STORE_REQ_WITHDRAWN = 4, /* superseded, or the booking was cancelled */
};

/* A customer's request to move a confirmed booking; the booking keeps its
 * slot until the request is approved. At most one pending per booking. */
struct store_request {
	int64_t id;
	int64_t booking_id;
	int64_t start, end; /* the requested time */
	int status;         /* enum store_request_status */
	const char *requested_by;
	const char *channel;
	const char *obj_name; /* the tentative event in the Bookings calendar, "" if none */
	int64_t created;
	int64_t decided;        /* 0 while pending */
	const char *decided_by; /* "" while pending */
};

/* One line of the append-only activity log. */
struct store_activity {
	int64_t id;
	int64_t booking_id;
	int64_t at;             /* Unix seconds */
	const char *actor;      /* "user:alice", "customer:12", "system" */
	const char *channel;    /* "api", "caldav", "manage", "cli", "demo" */
	const char *user_agent; /* "" when none */
	const char *action;     /* "create", "reschedule", "cancel", ... */
	const char *outcome;    /* "ok", "pending", "refused" */
	const char *detail;     /* human-readable: what changed, or why refused */
};

enum store_feed_kind {
	STORE_FEED_CUSTOMER = 1,
	STORE_FEED_STAFF = 2,
	STORE_FEED_LOCATION = 3,
};

enum store_feed_personal {
	STORE_FEED_PERSONAL_NONE = 0,
	STORE_FEED_PERSONAL_BUSY = 1, /* their events as "Busy" blocks */
	STORE_FEED_PERSONAL_FULL = 2, /* with SUMMARY and LOCATION */
};

struct store_feed_token {
	int64_t id;
	int kind;               /* enum store_feed_kind */
	int64_t subject_id;     /* the customer, staff member or location */
	const char *token_hash; /* hex SHA-256 of the token; the token is never stored */
	int busy_only;          /* privacy: 1 = no names or notes */
	int with_cancelled;     /* include cancelled bookings (as STATUS:CANCELLED) */
	int personal;           /* staff feeds: the member's personal calendars too;
			       enum store_feed_personal */
	int64_t created;
	int64_t revoked; /* 0 while valid */
};

/* A message queued for a booking change (SPEC 5), written in the same
 * transaction as the change; the delivery worker sends it. */
enum store_notify_state {
	STORE_NOTIFY_QUEUED = 1,
	STORE_NOTIFY_SENT = 2,
	STORE_NOTIFY_FAILED = 3,    /* given up: final */
	STORE_NOTIFY_WITHDRAWN = 4, /* made moot before it was sent */
};

struct store_notification {
	int64_t id;
	int64_t booking_id;
	const char *kind;      /* "created", "rescheduled", "cancelled", ... */
	const char *recipient; /* "customer" or "staff" */
	int state;             /* enum store_notify_state */
	int64_t created;
	int64_t not_before; /* not sent before (the settle time) */
	int attempts;
	const char *last_error; /* "" when none */
	int64_t sent;           /* 0 until sent */
	int64_t next_try;       /* after a temporary failure: not before; 0: none */
	int64_t claimed_until;  /* a worker's lease on the row; 0: unclaimed */
};

/* An external calendar whose busy time a staff member's availability
 * subtracts (SPEC 2): an http(s) URL or a local file, fetched by the
 * poller. The fetch state is what the last fetches said; the busy periods
 * of the last good fetch are kept in rows of their own (extcal_record). */
struct store_extcal {
	int64_t id;
	int64_t staff_id;
	const char *url;  /* http(s) URL; "" for a file */
	const char *path; /* absolute file name; "" for a URL */
	const char *name;
	const char *etag;          /* validators of the last good fetch, "" when none */
	const char *last_modified; /* the Last-Modified header as sent */
	int64_t last_fetch;        /* last attempt, 0: never */
	int64_t last_success;      /* last good fetch (200 or 304), 0: never */
	const char *last_error;    /* "" when the last attempt succeeded */
	int64_t next_poll;         /* the poller fetches it at or after this */
	int64_t nbusy;             /* busy periods stored (read only) */
	int64_t created;
};

/* A busy period [start, end), Unix seconds. */
struct store_period {
	int64_t start, end;
};

/* The kind of the reminder rows (notification_reminders_set). */
#define STORE_NOTIFY_REMINDER "reminder"

/*
 * The operations. X(name, params, args): params after the connection, in
 * parentheses, ending with struct sd_err *err; args the same names.
 * Contracts (codes besides STORE_EIO, which is always possible):
 *
 * location_create   in->id ignored; *id_out the new id.
 * location_update   all fields of in->id. ENOTFOUND.
 * location_get      ENOTFOUND.
 * location_list     all, by id.
 * location_delete   ENOTFOUND; EINUSE while services, bookings or staff
 *                   refer to it.
 * staff_create      EEXISTS if the user is staff already; ENOTFOUND if
 *                   the user or a location does not exist.
 * staff_update      name, email, admin, active, bookings_coll_id and the
 *                   location set of in->id. ENOTFOUND.
 * staff_get, staff_get_by_user   ENOTFOUND.
 * staff_list        location_id 0: all; else the staff of that location.
 * staff_delete      ENOTFOUND; EINUSE while bookings refer to them.
 * hours_set         replaces the weekly schedule of staff_id at
 *                   location_id with rows[0..n) (their location_id is
 *                   not read). ENOTFOUND (staff or location).
 * hours_get         location_id 0: all locations; by (location,
 *                   weekday, start).
 * exception_create  ENOTFOUND (staff). Overlap is booking/'s check.
 * exception_delete  ENOTFOUND.
 * exception_list    staff_id's exceptions with from_day <= day < to_day,
 *                   by (day, start_min).
 * service_create / service_update   as locations; the staff set too.
 *                   ENOTFOUND if the location or a staff member does not
 *                   exist.
 * service_get       ENOTFOUND.
 * service_list      location_id 0: all.
 * service_delete    ENOTFOUND; EINUSE while bookings refer to it.
 * customer_create / customer_update / customer_get   as above; EEXISTS
 *                   if the login (user_id) is another customer's.
 * customer_get_by_user   ENOTFOUND.
 * customer_get_by_email  exact (ASCII case-insensitive) match. ENOTFOUND.
 * customer_search   q matched as a substring (case-insensitive) of name,
 *                   email or phone (phone also with spaces, dashes, dots
 *                   and parentheses ignored on both sides); q "" lists
 *                   everyone; by name, at most limit (0: no limit).
 * customer_delete   ENOTFOUND; EINUSE while bookings refer to them.
 * booking_create    in->id, version, created, modified ignored (version
 *                   starts at 1). EEXISTS if the UID is taken.
 * booking_update    every mutable field of in->id (not uid, created,
 *                   created_*), only if its stored version is
 *                   in->version; stores version + 1 and sets
 *                   *version_out. ENOTFOUND, ESTALE.
 * booking_get, booking_get_by_uid   ENOTFOUND.
 * booking_list      see struct store_booking_filter.
 * request_create    EEXISTS if the booking has a pending request.
 * request_update    status, decided, decided_by, obj_name of in->id.
 *                   ENOTFOUND.
 * request_get       ENOTFOUND.
 * request_pending   the pending request of booking_id. ENOTFOUND.
 * request_list      all requests of booking_id, by id.
 * activity_append   appends; in->id ignored. There is no update or
 *                   delete, by design.
 * activity_list     booking_id's log, oldest first.
 * feed_token_create EEXISTS if the hash is taken.
 * feed_token_revoke sets revoked = at. ENOTFOUND (also when revoked).
 * feed_token_find   the valid (not revoked) token with this hash.
 *                   ENOTFOUND.
 * feed_token_list   kind 0 / subject 0: all.
 * notification_enqueue  in->id, attempts, last_error, sent ignored (a new
 *                   notification is queued). ENOTFOUND (booking).
 * notification_list booking_id's notifications, by id; booking_id 0:
 *                   every notification in state (0: any), by id, at most
 *                   limit (0: no limit).
 * notification_get  ENOTFOUND.
 * notification_claim    the delivery worker's claim, atomic on its own:
 *                   every queued row that is due at now (reminders: at
 *                   not_before; other kinds: at created + settle), whose
 *                   next_try is not after now and that no live lease
 *                   holds, at most limit (0: no limit), gets
 *                   claimed_until = now + lease and is returned, by
 *                   (booking_id, id). A row is thus handed to one worker
 *                   only, and again only after its lease ran out.
 * notification_finish   stores state, attempts, last_error, sent and
 *                   next_try of in->id and drops the lease. ENOTFOUND.
 * notification_resend   puts id back in the queue, due now: state queued,
 *                   no lease, next_try 0, attempts 0, last_error "".
 *                   ENOTFOUND.
 * notification_reminders_set   withdraws booking_id's queued reminders
 *                   and queues one per at[0..n) that is after now
 *                   (kind STORE_NOTIFY_REMINDER, recipient "customer",
 *                   not_before at[i]). ENOTFOUND (booking).
 * extcal_create     in->id, nbusy and the fetch state ignored (none yet;
 *                   next_poll as given). ENOTFOUND (staff).
 * extcal_get        ENOTFOUND.
 * extcal_list       staff_id's calendars (0: everyone's), by id.
 * extcal_delete     with its busy periods. ENOTFOUND.
 * extcal_due        calendars with next_poll <= now, by (next_poll, id), at
 *                   most limit (0: no limit).
 * extcal_record     the outcome of a fetch of in->id: stores etag,
 *                   last_modified, last_fetch, last_success, last_error and
 *                   next_poll; with replace, also replaces its busy periods
 *                   by busy[0..n) (sorted or not), all in one bracket, so a
 *                   reader sees the old set or the new one. Without
 *                   replace the periods stay as they are (a 304, a failed
 *                   fetch). ENOTFOUND (deleted meanwhile).
 * extcal_busy_list  the busy periods of all of staff_id's calendars that
 *                   overlap [from, to), by start (periods of different
 *                   calendars may overlap).
 */
#define STORE_BK_OPS(X)                                                                            \
	X(location_create, (const struct store_location *in, int64_t *id_out, struct sd_err *err), \
	  (in, id_out, err))                                                                       \
	X(location_update, (const struct store_location *in, struct sd_err *err), (in, err))       \
	X(location_get,                                                                            \
	  (int64_t id, struct sd_arena * a, struct store_location * out, struct sd_err * err),     \
	  (id, a, out, err))                                                                       \
	X(location_list,                                                                           \
	  (struct sd_arena * a, struct store_location * *out, size_t * n, struct sd_err * err),    \
	  (a, out, n, err))                                                                        \
	X(location_delete, (int64_t id, struct sd_err * err), (id, err))                           \
	X(staff_create, (const struct store_staff *in, int64_t *id_out, struct sd_err *err),       \
	  (in, id_out, err))                                                                       \
	X(staff_update, (const struct store_staff *in, struct sd_err *err), (in, err))             \
	X(staff_get,                                                                               \
	  (int64_t id, struct sd_arena * a, struct store_staff * out, struct sd_err * err),        \
	  (id, a, out, err))                                                                       \
	X(staff_get_by_user,                                                                       \
	  (int64_t user_id, struct sd_arena * a, struct store_staff * out, struct sd_err * err),   \
	  (user_id, a, out, err))                                                                  \
	X(staff_list,                                                                              \
	  (int64_t location_id, struct sd_arena * a, struct store_staff * *out, size_t * n,        \
	   struct sd_err * err),                                                                   \
	  (location_id, a, out, n, err))                                                           \
	X(staff_delete, (int64_t id, struct sd_err * err), (id, err))                              \
	X(hours_set,                                                                               \
	  (int64_t staff_id, int64_t location_id, const struct store_hours *rows, size_t n,        \
	   struct sd_err *err),                                                                    \
	  (staff_id, location_id, rows, n, err))                                                   \
	X(hours_get,                                                                               \
	  (int64_t staff_id, int64_t location_id, struct sd_arena * a, struct store_hours * *out,  \
	   size_t * n, struct sd_err * err),                                                       \
	  (staff_id, location_id, a, out, n, err))                                                 \
	X(exception_create,                                                                        \
	  (const struct store_exception *in, int64_t *id_out, struct sd_err *err),                 \
	  (in, id_out, err))                                                                       \
	X(exception_delete, (int64_t id, struct sd_err * err), (id, err))                          \
	X(exception_list,                                                                          \
	  (int64_t staff_id, int64_t from_day, int64_t to_day, struct sd_arena * a,                \
	   struct store_exception * *out, size_t * n, struct sd_err * err),                        \
	  (staff_id, from_day, to_day, a, out, n, err))                                            \
	X(service_create, (const struct store_service *in, int64_t *id_out, struct sd_err *err),   \
	  (in, id_out, err))                                                                       \
	X(service_update, (const struct store_service *in, struct sd_err *err), (in, err))         \
	X(service_get,                                                                             \
	  (int64_t id, struct sd_arena * a, struct store_service * out, struct sd_err * err),      \
	  (id, a, out, err))                                                                       \
	X(service_list,                                                                            \
	  (int64_t location_id, struct sd_arena * a, struct store_service * *out, size_t * n,      \
	   struct sd_err * err),                                                                   \
	  (location_id, a, out, n, err))                                                           \
	X(service_delete, (int64_t id, struct sd_err * err), (id, err))                            \
	X(customer_create, (const struct store_customer *in, int64_t *id_out, struct sd_err *err), \
	  (in, id_out, err))                                                                       \
	X(customer_update, (const struct store_customer *in, struct sd_err *err), (in, err))       \
	X(customer_get,                                                                            \
	  (int64_t id, struct sd_arena * a, struct store_customer * out, struct sd_err * err),     \
	  (id, a, out, err))                                                                       \
	X(customer_get_by_user,                                                                    \
	  (int64_t user_id, struct sd_arena * a, struct store_customer * out,                      \
	   struct sd_err * err),                                                                   \
	  (user_id, a, out, err))                                                                  \
	X(customer_get_by_email,                                                                   \
	  (const char *email, struct sd_arena *a, struct store_customer *out, struct sd_err *err), \
	  (email, a, out, err))                                                                    \
	X(customer_search,                                                                         \
	  (const char *q, int limit, struct sd_arena *a, struct store_customer **out, size_t *n,   \
	   struct sd_err *err),                                                                    \
	  (q, limit, a, out, n, err))                                                              \
	X(customer_delete, (int64_t id, struct sd_err * err), (id, err))                           \
	X(booking_create, (const struct store_booking *in, int64_t *id_out, struct sd_err *err),   \
	  (in, id_out, err))                                                                       \
	X(booking_update,                                                                          \
	  (const struct store_booking *in, int64_t *version_out, struct sd_err *err),              \
	  (in, version_out, err))                                                                  \
	X(booking_get,                                                                             \
	  (int64_t id, struct sd_arena * a, struct store_booking * out, struct sd_err * err),      \
	  (id, a, out, err))                                                                       \
	X(booking_get_by_uid,                                                                      \
	  (const char *uid, struct sd_arena *a, struct store_booking *out, struct sd_err *err),    \
	  (uid, a, out, err))                                                                      \
	X(booking_list,                                                                            \
	  (const struct store_booking_filter *f, struct sd_arena *a, struct store_booking **out,   \
	   size_t *n, struct sd_err *err),                                                         \
	  (f, a, out, n, err))                                                                     \
	X(request_create, (const struct store_request *in, int64_t *id_out, struct sd_err *err),   \
	  (in, id_out, err))                                                                       \
	X(request_update, (const struct store_request *in, struct sd_err *err), (in, err))         \
	X(request_get,                                                                             \
	  (int64_t id, struct sd_arena * a, struct store_request * out, struct sd_err * err),      \
	  (id, a, out, err))                                                                       \
	X(request_pending,                                                                         \
	  (int64_t booking_id, struct sd_arena * a, struct store_request * out,                    \
	   struct sd_err * err),                                                                   \
	  (booking_id, a, out, err))                                                               \
	X(request_list,                                                                            \
	  (int64_t booking_id, struct sd_arena * a, struct store_request * *out, size_t * n,       \
	   struct sd_err * err),                                                                   \
	  (booking_id, a, out, n, err))                                                            \
	X(activity_append, (const struct store_activity *in, struct sd_err *err), (in, err))       \
	X(activity_list,                                                                           \
	  (int64_t booking_id, struct sd_arena * a, struct store_activity * *out, size_t * n,      \
	   struct sd_err * err),                                                                   \
	  (booking_id, a, out, n, err))                                                            \
	X(feed_token_create,                                                                       \
	  (const struct store_feed_token *in, int64_t *id_out, struct sd_err *err),                \
	  (in, id_out, err))                                                                       \
	X(feed_token_revoke, (int64_t id, int64_t at, struct sd_err * err), (id, at, err))         \
	X(feed_token_find,                                                                         \
	  (const char *token_hash, struct sd_arena *a, struct store_feed_token *out,               \
	   struct sd_err *err),                                                                    \
	  (token_hash, a, out, err))                                                               \
	X(feed_token_list,                                                                         \
	  (int kind, int64_t subject_id, struct sd_arena *a, struct store_feed_token **out,        \
	   size_t *n, struct sd_err *err),                                                         \
	  (kind, subject_id, a, out, n, err))                                                      \
	X(notification_enqueue,                                                                    \
	  (const struct store_notification *in, int64_t *id_out, struct sd_err *err),              \
	  (in, id_out, err))                                                                       \
	X(notification_list,                                                                       \
	  (int64_t booking_id, int state, int limit, struct sd_arena *a,                           \
	   struct store_notification **out, size_t *n, struct sd_err *err),                        \
	  (booking_id, state, limit, a, out, n, err))                                              \
	X(notification_get,                                                                        \
	  (int64_t id, struct sd_arena * a, struct store_notification * out, struct sd_err * err), \
	  (id, a, out, err))                                                                       \
	X(notification_claim,                                                                      \
	  (int64_t now, int64_t settle, int64_t lease, int limit, struct sd_arena *a,              \
	   struct store_notification **out, size_t *n, struct sd_err *err),                        \
	  (now, settle, lease, limit, a, out, n, err))                                             \
	X(notification_finish, (const struct store_notification *in, struct sd_err *err),          \
	  (in, err))                                                                               \
	X(notification_resend, (int64_t id, int64_t now, struct sd_err * err), (id, now, err))     \
	X(notification_reminders_set,                                                              \
	  (int64_t booking_id, const int64_t *at, size_t n, int64_t now, struct sd_err *err),      \
	  (booking_id, at, n, now, err))                                                           \
	X(extcal_create, (const struct store_extcal *in, int64_t *id_out, struct sd_err *err),     \
	  (in, id_out, err))                                                                       \
	X(extcal_get,                                                                              \
	  (int64_t id, struct sd_arena * a, struct store_extcal * out, struct sd_err * err),       \
	  (id, a, out, err))                                                                       \
	X(extcal_list,                                                                             \
	  (int64_t staff_id, struct sd_arena * a, struct store_extcal * *out, size_t * n,          \
	   struct sd_err * err),                                                                   \
	  (staff_id, a, out, n, err))                                                              \
	X(extcal_delete, (int64_t id, struct sd_err * err), (id, err))                             \
	X(extcal_due,                                                                              \
	  (int64_t now, int limit, struct sd_arena *a, struct store_extcal **out, size_t *n,       \
	   struct sd_err *err),                                                                    \
	  (now, limit, a, out, n, err))                                                            \
	X(extcal_record,                                                                           \
	  (const struct store_extcal *in, int replace, const struct store_period *busy, size_t n,  \
	   struct sd_err *err),                                                                    \
	  (in, replace, busy, n, err))                                                             \
	X(extcal_busy_list,                                                                        \
	  (int64_t staff_id, int64_t from, int64_t to, struct sd_arena * a,                        \
	   struct store_period * *out, size_t * n, struct sd_err * err),                           \
	  (staff_id, from, to, a, out, n, err))

/* Unwraps a parenthesised list: STORE_BK_UNPAREN (a, b) -> a, b. */
#define STORE_BK_UNPAREN(...) __VA_ARGS__

/* The public functions: store_<name>(struct store_conn *c, params...). */
#define STORE_BK_DECLARE(name, params, args) \
	int store_##name(struct store_conn *c, STORE_BK_UNPAREN params);
STORE_BK_OPS(STORE_BK_DECLARE)
#undef STORE_BK_DECLARE

#endif
