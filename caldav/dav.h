/* dav.h - the WebDAV/CalDAV front: one call per request.
 *
 * server/ routes "/" and everything under cfg->prefix here after it has
 * authenticated the user (req->user_id and user_name set; this module never
 * sees credentials). dav_handle() resolves the path, checks that the
 * resource belongs to the user, runs the method and fills the response,
 * including the DAV:error body of a failed precondition. It returns the
 * HTTP status, also left in req->status.
 *
 * URL space (prefix "/dav"):
 *   /dav/                          root; PROPFIND gives current-user-principal
 *   /dav/principals/<user>/        principal (RFC 3744, 5397)
 *   /dav/calendars/<user>/         calendar home (calendars, plain collections)
 *   /dav/calendars/<user>/<cal>/   calendar collection
 *   /dav/calendars/<user>/<cal>/<name>   calendar object resource
 *   /dav/calendars/<user>/inbox/   scheduling Inbox (RFC 6638), always empty
 *   /dav/calendars/<user>/outbox/  scheduling Outbox: POST of free-busy requests
 */
#ifndef DAV_H
#define DAV_H

#include <stddef.h>
#include <stdint.h>

#include "sd_err.h"
#include "sd_req.h"
#include "store.h"

/* A write to a calendar object, shown to the hook (see struct dav_hooks). */
struct dav_hook_write {
	/* In. */
	struct store_conn *conn; /* inside the write transaction */
	struct sd_arena *a;
	const struct sd_req *req;  /* the user, the User-Agent */
	int64_t coll_id, owner_id; /* the calendar and its owner */
	const char *name;          /* the resource */
	const char *default_tz;    /* CALDAV:calendar-timezone, or NULL */
	const char *coll_name;     /* the calendar's path segment */
	const char *cur_data;      /* what is stored there, NULL if nothing */
	const char *data;          /* PUT: the validated body; DELETE: NULL */
	size_t len;
	/* Out. */
	int64_t from_coll;     /* a MOVE's destination: where the object comes from */
	const char *from_name; /* (0/NULL otherwise); handled: the hook moved it */
	int handled;           /* 1: the hook wrote (or deleted) the resource */
	int same;              /* handled PUT: stored byte for byte as sent */
	int status;            /* a refusal: 403, 409, 412, 503 ... */
	const char *cond;      /* its element, in slotdav's namespace, or NULL */
	const char *message;   /* for people */
	void *state;           /* the hook's own, kept for refused() */
};

/* Hooks that give calendar writes a meaning (the booking engine: SPEC 4).
 * write() runs inside the write transaction after If-Match and the object's
 * checks passed: returns 0 (handled 0: caldav writes as usual; handled 1:
 * done), or non-zero with status/cond/message set, after which caldav rolls
 * the transaction back, answers with a DAV:error body and calls refused()
 * (outside any transaction) so the refusal can be recorded. */
struct dav_hooks {
	int (*write)(void *cls, struct dav_hook_write *w);
	void (*refused)(void *cls, struct dav_hook_write *w);
	/* Optional: 1 if the authenticated user of req may read and write
	 * calendar coll of another user (an admin and a Bookings calendar),
	 * 0 if not. coll->id 0 asks whether some calendar of coll->owner_id
	 * may be granted (before the path is walked). Homes and principals
	 * stay their owners' alone. */
	int (*may_access)(void *cls, struct store_conn *conn, struct sd_arena *a,
	                  const struct sd_req *req, const struct store_coll *coll);
	/* Optional: 1 if calendar coll is the hook's own (a Bookings or My
	 * appointments calendar): it cannot be deleted, moved or replaced. */
	int (*owns)(void *cls, struct store_conn *conn, struct sd_arena *a,
	            const struct store_coll *coll);
	void *cls;
};

struct dav_config {
	const char *prefix;            /* "/dav", no trailing slash */
	size_t max_resource_size;      /* CALDAV:max-resource-size, bytes */
	const struct dav_hooks *hooks; /* NULL: plain CalDAV */
};

#define DAV_DEFAULT_CALENDAR      "default"
#define DAV_DEFAULT_CALENDAR_NAME "Calendar"

/* The names of the scheduling Inbox and Outbox in every calendar home. They
 * are not stored, and nothing else in a home may take them. */
#define DAV_INBOX  "inbox"
#define DAV_OUTBOX "outbox"

/* Whether name is reserved in a calendar home (DAV_INBOX, DAV_OUTBOX):
 * callers that create collections refuse it. */
int dav_name_reserved(const char *name);

/* Once per process, before any thread calls dav_handle (initialises libxml2). */
void dav_global_init(void);
void dav_global_cleanup(void);

/* Handles the request; see the file comment. conn is borrowed for the whole
 * exchange: a streamed response may keep using it until the arena is freed. */
int dav_handle(struct sd_req *req, struct store_conn *conn, const struct dav_config *cfg);

/* Gives a user what every new account has: a default calendar
 * (DAV_DEFAULT_CALENDAR, displayname DAV_DEFAULT_CALENDAR_NAME, VEVENT and
 * VTODO). Does nothing if the home already has a calendar. STORE_E* codes. */
int dav_user_provision(struct store_conn *conn, int64_t user_id, struct sd_err *err);

#endif
