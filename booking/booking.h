/* booking.h - the booking engine: rules, availability and the lifecycle of
 * a booking, and the checked writes of the things bookings refer to.
 *
 * Fronts (api/, later caldav/'s Bookings hook and web/) decode a request,
 * call one function here and encode the result; every rule lives here.
 * This module uses storage (store.h, store_bk.h) and ical (ics*.h) and
 * knows nothing of HTTP, JSON requests or XML. Rule sets are stored as a
 * small JSON object (jansson), which is this module's own encoding.
 *
 * Every call gets a struct booking_ctx: the storage connection, the arena
 * results go to, the clock and who acts through which channel. A call that
 * writes runs in one write transaction of its own: the rule checks read the
 * committed state under the write lock, so two requests for one slot are
 * serialised and the second is refused (BOOKING_ESLOT). Nothing is written
 * when a call fails.
 *
 * Errors: 0 or a negative BOOKING_E* code (BOOKING_CODES below), with the
 * human message in err. Each code has a stable name that fronts show to
 * machines (api/ JSON "code", caldav/ DAV:error element).
 */
#ifndef BOOKING_H
#define BOOKING_H

#include <stddef.h>
#include <stdint.h>

#include "sd_arena.h"
#include "sd_err.h"
#include "store.h"
#include "store_bk.h"

/* X(enum name, value, stable code). Values are negative, never reused. */
#define BOOKING_CODES(X)                                                                          \
	X(BOOKING_ENOTFOUND, -1, "not_found")        /* no such id (or not visible) */            \
	X(BOOKING_EINVALID, -2, "invalid")           /* a value is malformed or out of range */   \
	X(BOOKING_EFORBIDDEN, -3, "forbidden")       /* this role may not do this */              \
	X(BOOKING_EINUSE, -4, "in_use")              /* still referenced */                       \
	X(BOOKING_EEXISTS, -5, "exists")             /* duplicate (user already staff, ...) */    \
	X(BOOKING_ESTALE, -6, "version_mismatch")    /* the booking changed since read */         \
	X(BOOKING_EIO, -7, "internal")               /* storage failure */                        \
	X(BOOKING_EBUSY, -8, "busy")                 /* could not get the write lock in time */   \
	X(BOOKING_ESTATE, -20, "invalid_transition") /* not from this status */                   \
	X(BOOKING_ESLOT, -21, "slot_unavailable")    /* conflicts with a booking or busy time */  \
	X(BOOKING_EHOURS, -22, "outside_working_hours")                                           \
	X(BOOKING_EGRID, -23, "off_slot_grid") /* start not on the slot step */                   \
	X(BOOKING_EPAST, -24, "in_the_past")                                                      \
	X(BOOKING_ENOTICE, -25, "booking_notice") /* sooner than the booking notice */            \
	X(BOOKING_EHORIZON, -26, "beyond_horizon")                                                \
	X(BOOKING_ECANCEL_NOTICE, -27, "cancellation_notice")                                     \
	X(BOOKING_ERESCHEDULE_NOTICE, -28, "reschedule_notice")                                   \
	X(BOOKING_ENOT_PERMITTED, -29, "not_permitted") /* customers may not cancel/reschedule */ \
	X(BOOKING_ESERVICE_STAFF, -30, "staff_cannot_perform")                                    \
	X(BOOKING_ENOT_STARTED, -31, "not_started") /* no-show/complete before the start */       \
	X(BOOKING_EPENDING_REQUEST, -32, "request_pending") /* a reschedule request is open */    \
	X(BOOKING_EOVERLAP, -33, "overlapping_exception")

enum booking_code {
	BOOKING_OK = 0,
#define BOOKING_ENUM(name, value, code) name = value,
	BOOKING_CODES(BOOKING_ENUM)
#undef BOOKING_ENUM
};

/* "slot_unavailable" etc.; "ok" for 0; "internal" for an unknown value. */
const char *booking_code_name(int code);

/* Notifications wait this long before they are sent (SPEC 5), so that a
 * change undone at once (a move between calendars by DELETE + PUT) can be
 * folded into one message, or none. */
#define BOOKING_SETTLE_SECONDS 60

/* ---- who acts --------------------------------------------------------- */

enum booking_role {
	BOOKING_ROLE_SYSTEM = 0, /* the CLI, the demo, internal jobs: everything */
	BOOKING_ROLE_ADMIN = 1,
	BOOKING_ROLE_STAFF = 2,
	BOOKING_ROLE_CUSTOMER = 3,
};

struct booking_actor {
	enum booking_role role;
	int64_t staff_id;       /* ADMIN and STAFF: their staff row (0 for an admin without one) */
	int64_t customer_id;    /* CUSTOMER */
	const char *who;        /* for the log: "user:alice", "customer:12", "cli" */
	const char *channel;    /* "api", "caldav", "manage", "cli", "demo" */
	const char *user_agent; /* "" or NULL when none */
};

struct booking_ctx {
	struct store_conn *conn;
	struct sd_arena *a; /* results are copied here */
	int64_t now;        /* Unix seconds: the clock rules are checked against */
	const struct booking_actor *actor;
	/* 1: the caller holds the write transaction (a CalDAV write that
	 * checked If-Match in it): calls neither begin nor end one, and do
	 * not log refusals, since the caller rolls back everything on
	 * failure; it logs them after with booking_log_refusal(). */
	int nested;
	/* A calendar client's copy of the resource client_name in calendar
	 * client_coll: when a call publishes that resource, the client's own
	 * data (alarms, categories, colour, ...) is kept from client_text
	 * rather than from the stored copy. Set by booking_dav_*; 0/NULL
	 * otherwise. */
	int64_t client_coll;
	const char *client_name, *client_text;
};

/* Works out the actor of an authenticated login: SYSTEM never; ADMIN if the
 * user is staff with admin set; STAFF if staff; CUSTOMER if a customer has
 * this login; else BOOKING_EFORBIDDEN. who/channel/user_agent are copied
 * from the arguments into a. */
int booking_actor_for_user(struct store_conn *c, struct sd_arena *a, int64_t user_id,
                           const char *user_name, const char *channel, const char *user_agent,
                           struct booking_actor *out, struct sd_err *err);

/* ---- rules ------------------------------------------------------------ */

/* X(type, name, default, min, max). Durations in minutes, notices in
 * hours, the horizon in days, booleans 0/1. */
#define BOOKING_RULES(X)                             \
	X(int, realtime, 1, 0, 1)                    \
	X(int, slot_step_min, 15, 5, 1440)           \
	X(int, booking_notice_min, 60, 0, 525600)    \
	X(int, horizon_days, 90, 1, 3650)            \
	X(int, cancel_notice_hours, 24, 0, 8760)     \
	X(int, reschedule_notice_hours, 24, 0, 8760) \
	X(int, customer_may_cancel, 1, 0, 1)         \
	X(int, customer_may_reschedule, 1, 0, 1)     \
	X(int, reschedule_needs_approval, 0, 0, 1)   \
	X(int, new_booking_needs_approval, 0, 0, 1)  \
	X(int, staff_bypass_hours, 1, 0, 1)          \
	X(int, staff_bypass_conflicts, 0, 0, 1)      \
	X(int, staff_may_reassign, 0, 0, 1)          \
	X(int, details_email, 0, 0, 1)

struct booking_rules {
#define BOOKING_RULE_FIELD(type, name, def, min, max) type name;
	BOOKING_RULES(BOOKING_RULE_FIELD)
#undef BOOKING_RULE_FIELD
};

/* The shipped defaults. */
void booking_rules_defaults(struct booking_rules *out);
/* Applies the stored text (a JSON object of rule names to integers or
 * booleans, "" or NULL for none) over *r. BOOKING_EINVALID for unknown
 * names, wrong types or values out of range (r is then unchanged). */
int booking_rules_apply(struct booking_rules *r, const char *text, struct sd_err *err);
/* A JSON object of every rule of r, in arena a. */
char *booking_rules_encode(struct sd_arena *a, const struct booking_rules *r);
/* The effective rules of a service: defaults, then its location's, then
 * its own overrides. */
int booking_rules_for_service(struct booking_ctx *x, int64_t service_id, struct booking_rules *out,
                              struct sd_err *err);

/* ---- the things bookings refer to -------------------------------------- */
/* Checked writes. Creation fills *id_out; updates take the whole record.
 * Only ADMIN and SYSTEM may write them, except: staff may write their own
 * working hours and exceptions (BOOKING_EFORBIDDEN otherwise). Values are
 * checked (BOOKING_EINVALID: empty names, unknown time zones, bad email,
 * durations out of range, rules text, hours not inside a day or
 * overlapping); references must exist (BOOKING_ENOTFOUND); deletes of
 * referenced rows give BOOKING_EINUSE. */
int booking_location_save(struct booking_ctx *x, struct store_location *in, int64_t *id_out,
                          struct sd_err *err);
int booking_location_delete(struct booking_ctx *x, int64_t id, struct sd_err *err);
/* Makes user_id staff (or updates them): also creates their Bookings
 * calendar if they have none. */
int booking_staff_save(struct booking_ctx *x, struct store_staff *in, int64_t *id_out,
                       struct sd_err *err);
int booking_staff_delete(struct booking_ctx *x, int64_t id, struct sd_err *err);
/* Replaces the weekly schedule of staff_id at location_id (the staff member
 * must belong to it). Intervals of one weekday must not overlap. */
int booking_hours_set(struct booking_ctx *x, int64_t staff_id, int64_t location_id,
                      const struct store_hours *rows, size_t n, struct sd_err *err);
/* BOOKING_EOVERLAP if it overlaps another exception of the staff member on
 * that day. */
int booking_exception_add(struct booking_ctx *x, struct store_exception *in, int64_t *id_out,
                          struct sd_err *err);
int booking_exception_delete(struct booking_ctx *x, int64_t id, struct sd_err *err);
/* Every staff member of the service must belong to its location. */
int booking_service_save(struct booking_ctx *x, struct store_service *in, int64_t *id_out,
                         struct sd_err *err);
int booking_service_delete(struct booking_ctx *x, int64_t id, struct sd_err *err);
/* Staff and admins may create and edit customers; a customer may edit
 * their own record (not its login). */
int booking_customer_save(struct booking_ctx *x, struct store_customer *in, int64_t *id_out,
                          struct sd_err *err);
int booking_customer_delete(struct booking_ctx *x, int64_t id, struct sd_err *err);

/* ---- external busy calendars (booking_extcal.c) ------------------------ */
/* A staff member's external calendars (store_bk.h struct store_extcal;
 * fetched by extcal/). Only ADMIN/SYSTEM or the staff member themself
 * (BOOKING_EFORBIDDEN). in->url (http/https, no user:password) or in->path
 * (an absolute file name, admins only: BOOKING_EFORBIDDEN), exactly one
 * (BOOKING_EINVALID); name optional. The new calendar is due for a fetch
 * at once. BOOKING_ENOTFOUND: no such staff member. */
int booking_extcal_add(struct booking_ctx *x, struct store_extcal *in, int64_t *id_out,
                       struct sd_err *err);
/* staff_id's calendars, by id, in x->a. */
int booking_extcal_list(struct booking_ctx *x, int64_t staff_id, struct store_extcal **out,
                        size_t *n, struct sd_err *err);
/* Calendar id of staff_id (BOOKING_ENOTFOUND if it is someone else's). */
int booking_extcal_get(struct booking_ctx *x, int64_t staff_id, int64_t id,
                       struct store_extcal *out, struct sd_err *err);
/* Deletes it with its busy periods. */
int booking_extcal_delete(struct booking_ctx *x, int64_t staff_id, int64_t id, struct sd_err *err);

/* ---- availability ------------------------------------------------------ */

struct booking_slot {
	int64_t start, end; /* appointment time, Unix seconds */
	int64_t staff_id;
};

/* Free slots for service_id (staff_id 0: any staff member who performs it)
 * with a start in [from, to), sorted by (start, staff_id); bounded by the
 * rules' notice and horizon (for STAFF/ADMIN actors the same bounds apply:
 * this is what would be offered). Availability = working hours (weekly
 * plus exceptions, wall-clock in the location's zone) - bookings (pending
 * and confirmed, with buffers) - busy time in the staff member's other
 * calendars (recurrences included, TRANSP/STATUS respected). With realtime
 * off, bookings and busy time are not subtracted. The range is at most 62
 * days (BOOKING_EINVALID). *out in x->a. */
int booking_availability(struct booking_ctx *x, int64_t service_id, int64_t staff_id, int64_t from,
                         int64_t to, struct booking_slot **out, size_t *n, struct sd_err *err);

/* ---- the lifecycle ----------------------------------------------------- */

struct booking_new {
	int64_t service_id;
	int64_t staff_id;    /* 0: the first free staff member who performs it */
	int64_t customer_id; /* a CUSTOMER actor may book only for themself */
	int64_t start;
	const char *notes_public;  /* NULL: "" */
	const char *notes_private; /* NULL: ""; not settable by customers */
	/* A booking made in a calendar client keeps the client's UID and
	 * resource name; NULL: made up. */
	const char *uid, *obj_name;
};

/* Creates a booking: pending if the rules want approval of new customer
 * bookings and a customer books, else confirmed. Checks the grid, notice,
 * horizon, working hours and availability (staff bypass as the rules
 * say). Publishes it and logs "create". *out is the stored booking. */
int booking_create(struct booking_ctx *x, const struct booking_new *in, struct store_booking *out,
                   struct sd_err *err);

/* What a reschedule did. */
enum booking_outcome { BOOKING_APPLIED = 1, BOOKING_REQUESTED = 2 };

/* Moves booking id to start (staff_id 0: keep the staff member), keeping
 * the service's duration. version: the version the caller read, 0 to skip
 * the check (BOOKING_ESTALE). A customer's move may become a pending
 * request (the rules), *outcome says which. Publishes, logs. */
int booking_reschedule(struct booking_ctx *x, int64_t id, int64_t version, int64_t start,
                       int64_t staff_id, struct store_booking *out, enum booking_outcome *outcome,
                       struct sd_err *err);
/* booking_reschedule with a new length too: end 0 keeps the service's
 * duration; customers always keep it (their end is ignored). */
int booking_reschedule_span(struct booking_ctx *x, int64_t id, int64_t version, int64_t start,
                            int64_t end, int64_t staff_id, struct store_booking *out,
                            enum booking_outcome *outcome, struct sd_err *err);
/* reason: enum store_cancel_reason (not NONE); text required for OTHER.
 * Customers cancel with reason CUSTOMER only, within the rules. */
int booking_cancel(struct booking_ctx *x, int64_t id, int64_t version, int reason, const char *text,
                   struct store_booking *out, struct sd_err *err);
/* Confirmed bookings, from their start on; staff and admins. */
int booking_no_show(struct booking_ctx *x, int64_t id, int64_t version, struct store_booking *out,
                    struct sd_err *err);
int booking_complete(struct booking_ctx *x, int64_t id, int64_t version, struct store_booking *out,
                     struct sd_err *err);
/* A pending booking becomes confirmed, or the pending reschedule request
 * of a confirmed booking is applied (if its slot is still free). Staff of
 * the booking and admins. */
int booking_approve(struct booking_ctx *x, int64_t id, struct store_booking *out,
                    struct sd_err *err);
/* A pending booking is cancelled (reason business, text), or the pending
 * request is declined and the booking keeps its slot. */
int booking_decline(struct booking_ctx *x, int64_t id, const char *text, struct store_booking *out,
                    struct sd_err *err);
/* The pending reschedule request of booking id is withdrawn (its
 * customer, its staff, admins); the booking keeps its slot.
 * BOOKING_ESTATE when there is none. */
int booking_request_withdraw(struct booking_ctx *x, int64_t id, struct store_booking *out,
                             struct sd_err *err);
/* Admins: a booking cancelled within the settle time (a calendar client
 * moving its event between two Bookings calendars by DELETE + PUT) comes
 * back, confirmed, with staff_id at [start, end) if that is free; the
 * queued cancellation message is withdrawn, so the customer hears at most
 * of a new time. BOOKING_ESTATE past the settle time. */
int booking_revive(struct booking_ctx *x, int64_t id, int64_t staff_id, int64_t start, int64_t end,
                   struct store_booking *out, struct sd_err *err);
/* Admins: a cancelled booking becomes confirmed again if its slot is still
 * available; the cancellation reason is cleared (the log keeps it). */
int booking_restore(struct booking_ctx *x, int64_t id, struct store_booking *out,
                    struct sd_err *err);
/* Notes only: no rule check. Customers may not set private notes. */
int booking_set_notes(struct booking_ctx *x, int64_t id, int64_t version, const char *notes_public,
                      const char *notes_private, struct store_booking *out, struct sd_err *err);

/* ---- edits from calendar clients --------------------------------------- */

/* A CalDAV write into a calendar, handed over by caldav/ inside its write
 * transaction (x->nested set, x->actor the calendar's owner with channel
 * "caldav" and the client's User-Agent). */
struct booking_dav_edit {
	int64_t coll_id;        /* the calendar */
	int64_t owner_id;       /* its owner (users.id) */
	const char *name;       /* the resource name */
	const char *cur_data;   /* the stored object, NULL when there is none */
	const char *data;       /* what the client sent (PUT; NULL for DELETE), */
	size_t len;             /* already a valid calendar object resource */
	const char *default_tz; /* CALDAV:calendar-timezone of the calendar, or NULL */
	int64_t from_coll;      /* a MOVE into this calendar: where it comes from */
	const char *from_name;  /* (0/NULL for a PUT) */
	/* Out. */
	int handled;        /* 0: not a booking matter; caldav does the write */
	int same;           /* the stored object is byte for byte what was sent */
	int64_t booking_id; /* the booking concerned, 0 if none (for the log) */
	const char *action; /* what the edit meant: "reschedule", "cancel", ... */
};

/* The meaning of a PUT (SPEC 4): in a staff member's Bookings calendar a
 * moved or resized event reschedules, STATUS:CANCELLED cancels (reason
 * from X-SLOTDAV-CANCEL-REASON, else business), other changes keep the
 * booking-owned properties and the client's own data; an event with a
 * customer ATTENDEE is a new booking; the TENTATIVE request event
 * confirmed approves the request. In a customer's calendar a move
 * reschedules (or asks), STATUS:CANCELLED or PARTSTAT=DECLINED cancels
 * (reason customer). A MOVE from one staff member's Bookings calendar into
 * another's (from_coll set) reassigns the booking (admins), keeping its
 * resource name; a time changed on the way reschedules it too. Changing the UID or the customer, adding a second
 * VEVENT or a recurrence: BOOKING_EFORBIDDEN / BOOKING_EINVALID. Other
 * refusals are the lifecycle's codes. When handled, the object has been
 * written (e->same says whether it is what the client sent). */
int booking_dav_put(struct booking_ctx *x, struct booking_dav_edit *e, struct sd_err *err);
/* Whether a calendar of this name can be a booking calendar (a staff
 * member's Bookings or a customer's My appointments): a cheap first test,
 * so that writes to every other calendar cost no look-up at all. */
int booking_dav_calendar_name(const char *name);
/* Whether calendar coll_id of owner_id is a booking calendar (their
 * Bookings or My appointments). 1 or 0. */
int booking_dav_owned(struct store_conn *c, struct sd_arena *a, int64_t coll_id, int64_t owner_id);
/* Whether user_id may use calendar coll_id of another user: an active
 * admin, and the Bookings calendar of a staff member (so that admins can
 * see and reassign bookings in their calendar client); coll_id 0: whether
 * owner_id is a staff member whose Bookings calendar an admin may use.
 * 1 or 0. */
int booking_dav_may_access(struct store_conn *c, struct sd_arena *a, int64_t user_id,
                           int64_t coll_id, int64_t owner_id);
/* The meaning of a DELETE: a booking's event deleted by its staff member
 * cancels (reason business) and leaves their calendar; by the customer,
 * cancels (reason customer); the request event deleted declines the
 * request. */
int booking_dav_delete(struct booking_ctx *x, struct booking_dav_edit *e, struct sd_err *err);
/* Logs a refused edit (outcome "refused", the code and message) in a write
 * of its own; for callers that held the transaction (x->nested). */
int booking_log_refusal(struct booking_ctx *x, int64_t booking_id, const char *action, int code,
                        const char *message);
/* After a refused CalDAV edit was rolled back (outside any transaction):
 * logs the refusal and writes the booking's calendar objects again, so
 * that they appear in the next sync-collection and the client that made
 * the edit fetches the truth instead of keeping its own version. */
int booking_dav_refused(struct booking_ctx *x, const struct booking_dav_edit *e, int code,
                        const char *message, struct sd_err *err);

/* ---- reading ----------------------------------------------------------- */

/* The booking, if the actor may see it (staff: their own; customers:
 * theirs; admins: all): BOOKING_ENOTFOUND otherwise. */
int booking_get(struct booking_ctx *x, int64_t id, struct store_booking *out, struct sd_err *err);
/* store_booking_list narrowed to what the actor may see. */
int booking_list(struct booking_ctx *x, const struct store_booking_filter *f,
                 struct store_booking **out, size_t *n, struct sd_err *err);
int booking_activity(struct booking_ctx *x, int64_t id, struct store_activity **out, size_t *n,
                     struct sd_err *err);

/* The notifications queued for booking id (staff of it and admins), in
 * order. */
int booking_notifications(struct booking_ctx *x, int64_t id, struct store_notification **out,
                          size_t *n, struct sd_err *err);
/* "queued", "sent", "failed", "withdrawn"; NULL if unknown. */
const char *booking_notify_state_name(int state);
/* The inverse; 0 if name is none of them. */
int booking_notify_state_parse(const char *name);
/* Admins only: every notification (booking_id 0) or booking_id's, in state
 * (0: any), by id, at most limit (0: no limit). BOOKING_EFORBIDDEN. */
int booking_notifications_all(struct booking_ctx *x, int64_t booking_id, int state, int limit,
                              struct store_notification **out, size_t *n, struct sd_err *err);
/* Admins only: queues notification id again, due at once (notify/ sends
 * it on its next poll); *out the row as it is now. BOOKING_EFORBIDDEN,
 * BOOKING_ENOTFOUND. */
int booking_notification_resend(struct booking_ctx *x, int64_t id, struct store_notification *out,
                                struct sd_err *err);

/* Cancellation report: cancelled bookings whose appointment starts in
 * [from, to), optionally one location/staff member, counted per group. */
enum booking_report_period { BOOKING_PERIOD_DAY, BOOKING_PERIOD_WEEK, BOOKING_PERIOD_MONTH };

struct booking_report_row {
	const char *period; /* "2026-11-23", "2026-W48", "2026-11" (location's zone) */
	int64_t location_id, staff_id;
	int reason; /* enum store_cancel_reason */
	int64_t count;
};

/* Admins only. Rows sorted by (period, location, staff, reason). */
int booking_cancel_report(struct booking_ctx *x, int64_t from, int64_t to, int64_t location_id,
                          int64_t staff_id, enum booking_report_period period,
                          struct booking_report_row **out, size_t *n, struct sd_err *err);

/* The first instant of the local date `day` (days since 1970-01-01) in
 * zone tzid: its midnight, or the first instant that exists when a DST
 * change skips midnight. BOOKING_EINVALID for an unknown zone. */
int booking_day_start(const char *tzid, int64_t day, int64_t *out, struct sd_err *err);
/* The wall clock in zone tzid of instant, as seconds since 1970-01-01T00:00
 * of that zone's calendar (so wall / 86400 is the local day, wall % 86400
 * the time of day). BOOKING_EINVALID for an unknown zone. */
int booking_wall_time(const char *tzid, int64_t instant, int64_t *out, struct sd_err *err);

/* ---- iCalendar feeds (SPEC 3; design in booking_feed.c) ---------------- */

#define BOOKING_FEED_TOKEN_LEN   32  /* base64url of 24 random bytes */
#define BOOKING_FEED_PAST_DAYS   90  /* a feed shows appointments from now - 90 days */
#define BOOKING_FEED_FUTURE_DAYS 365 /* to now + 365 days */

/* "customer", "staff", "location" for enum store_feed_kind; NULL if
 * unknown. And back: 0 if unknown. */
const char *booking_feed_kind_name(int kind);
int booking_feed_kind_from_name(const char *name);
/* "none", "busy", "full" for enum store_feed_personal; NULL if unknown.
 * And back: -1 if unknown. */
const char *booking_feed_personal_name(int personal);
int booking_feed_personal_from_name(const char *name);
/* 1 if token has the shape of a feed token (32 base64url characters). */
int booking_feed_token_ok(const char *token);
/* out: the hex SHA-256 of token, as stored. */
void booking_feed_token_hash(char out[65], const char *token);

/* Makes a feed of in->kind and in->subject_id with in's busy_only,
 * with_cancelled and personal (other fields ignored). Admins any; staff
 * their own staff feed; customers their own customer feed
 * (BOOKING_EFORBIDDEN). BOOKING_EINVALID (kind; personal out of range or
 * not on a staff feed), BOOKING_ENOTFOUND (subject). *out is the stored
 * row, *token_out the token (in x->a): the only time it is known. */
int booking_feed_create(struct booking_ctx *x, const struct store_feed_token *in,
                        struct store_feed_token *out, const char **token_out, struct sd_err *err);
/* The feeds the actor may manage (revoked ones included), by id; in x->a. */
int booking_feed_list(struct booking_ctx *x, struct store_feed_token **out, size_t *n,
                      struct sd_err *err);
/* Revokes feed id. BOOKING_ENOTFOUND if there is no such valid feed the
 * actor may manage. */
int booking_feed_revoke(struct booking_ctx *x, int64_t id, struct sd_err *err);
/* The valid feed of token (no actor check: the token is the right).
 * BOOKING_ENOTFOUND for a malformed, unknown or revoked token. */
int booking_feed_find(struct booking_ctx *x, const char *token, struct store_feed_token *out,
                      struct sd_err *err);

struct booking_feed {
	const char *text; /* the VCALENDAR, in x->a */
	size_t len;
	size_t nevents;
	int64_t last_modified; /* Unix seconds */
};

/* The calendar of feed t at x->now. BOOKING_ENOTFOUND if its subject is
 * gone. */
int booking_feed_render(struct booking_ctx *x, const struct store_feed_token *t,
                        struct booking_feed *out, struct sd_err *err);

/* Names of the stored enums: "pending", ...; "customer", ... ; NULL if
 * unknown. And back: 0 if unknown. */
const char *booking_status_name(int status);
int booking_status_from_name(const char *s);
const char *booking_reason_name(int reason);
int booking_reason_from_name(const char *s);

#endif
