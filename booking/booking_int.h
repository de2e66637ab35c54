/* booking_int.h - declarations shared by the files of the booking module.
 *
 *	booking_rules.c    the rule set and its encoding; enum and code names
 *	booking_org.c      checked writes of locations, staff, hours,
 *	                   exceptions, services, customers; actors
 *	booking_slots.c    gathering what availability depends on; the slot
 *	                   check every lifecycle call makes; free slots
 *	booking_life.c     the lifecycle state machine
 *	booking_publish.c  bookings as calendar objects (Bookings calendars)
 *	booking_read.c     visibility, lists, the activity log, reports
 *	booking_avail.c    the pure availability engine (booking_avail.h)
 */
#ifndef BOOKING_INT_H
#define BOOKING_INT_H

#include "booking.h"
#include "booking_avail.h"
#include "sd_util.h"

/* The Bookings calendar's collection name in a staff member's home, and a
 * customer's calendar. */
#define BOOKING_STAFF_CAL         "bookings"
#define BOOKING_STAFF_CAL_NAME    "Bookings"
#define BOOKING_CUSTOMER_CAL      "appointments"
#define BOOKING_CUSTOMER_CAL_NAME "My appointments"
#define BOOKING_PRODID            "-//slotdav//slotdav booking//EN"

/* ---- errors and transactions ---- */

/* Maps a STORE_E* code to the BOOKING_E* one (err keeps storage's
 * message). */
int booking_store_rc(int store_rc, struct sd_err *err);

/* One write transaction per call: begin, and end with commit when rc is 0
 * or rollback otherwise; returns rc or the commit's failure. */
int booking_txn_begin(struct booking_ctx *x, struct sd_err *err);
int booking_txn_end(struct booking_ctx *x, int rc, struct sd_err *err);
int booking_read_begin(struct booking_ctx *x, struct sd_err *err);
/* Ends what booking_read_begin began (nothing when nested). */
void booking_read_end(struct booking_ctx *x);

/* ---- roles ---- */

/* SYSTEM or ADMIN. */
int booking_is_admin(const struct booking_ctx *x);
/* SYSTEM, ADMIN or STAFF. */
int booking_is_staff(const struct booking_ctx *x);
/* BOOKING_EFORBIDDEN unless SYSTEM or ADMIN. */
int booking_need_admin(const struct booking_ctx *x, const char *what, struct sd_err *err);

/* ---- rules (booking_rules.c) ---- */

/* Only the rules of r that differ from base, as JSON. */
char *booking_rules_encode_overrides(struct sd_arena *a, const struct booking_rules *r,
                                     const struct booking_rules *base);
/* BOOKING_EINVALID if text is not a valid rules object. */
int booking_rules_check(const char *text, struct sd_err *err);
/* Defaults, then the location's. BOOKING_EIO if the stored text is bad. */
int booking_rules_for_location(const struct store_location *loc, struct booking_rules *out,
                               struct sd_err *err);

/* ---- the activity log (booking_life.c) ---- */

/* Appends a line for booking_id by x's actor; detail printf-style. */
int booking_log(struct booking_ctx *x, int64_t booking_id, const char *action, const char *outcome,
                struct sd_err *err, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* ---- slots (booking_slots.c) ---- */

/* What a slot check is about. */
struct booking_slot_req {
	const struct store_service *svc;
	const struct store_location *loc;
	const struct booking_rules *rules;
	int64_t staff_id;
	int64_t start, end;
	int64_t exclude_booking_id; /* the booking being moved, 0 for none */
	int customer;               /* a customer asks: notice and horizon apply */
	int bypass_hours, bypass_conflicts;
};

/* 0 if the slot may be booked; else the rule that forbids it
 * (BOOKING_EPAST, ENOTICE, EHORIZON, EGRID, EHOURS, ESLOT,
 * ESERVICE_STAFF) with a message in words. */
int booking_slot_check(struct booking_ctx *x, const struct booking_slot_req *r, struct sd_err *err);

/* ---- publishing (booking_publish.c) ---- */

/* Writes the booking's calendar objects: in its staff member's Bookings
 * calendar (removing it from old_staff_id's, when not 0 and different) and
 * in the customer's calendar when they have one. Inside the caller's
 * transaction. */
int booking_publish(struct booking_ctx *x, const struct store_booking *b, int64_t old_staff_id,
                    struct sd_err *err);
/* Shows (req not NULL) or removes (req NULL) the tentative "awaiting
 * approval" event of a pending reschedule request of b. */
int booking_publish_request(struct booking_ctx *x, const struct store_booking *b,
                            const struct store_request *req, const char *old_obj_name,
                            struct sd_err *err);
/* Finds or creates the calendar name of user_id when *coll_out is 0. */
int booking_user_calendar(struct booking_ctx *x, int64_t user_id, const char *name,
                          const char *displayname, int64_t *coll_out, struct sd_err *err);
/* The resource name of b's pending-request event. */
const char *booking_request_obj_name(struct booking_ctx *x, const struct store_booking *b);
/* Creates the Bookings calendar of a staff user if missing; *coll_out. */
int booking_staff_calendar(struct booking_ctx *x, int64_t user_id, int64_t *coll_out,
                           struct sd_err *err);

/* ---- visibility (booking_read.c) ---- */

/* BOOKING_ENOTFOUND unless x's actor may see b. */
int booking_visible(const struct booking_ctx *x, const struct store_booking *b, struct sd_err *err);

#endif
