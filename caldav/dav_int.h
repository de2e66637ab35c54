/* dav_int.h - what the caldav/ files share and nobody else sees.
 *
 * A request runs as: dav_handle() parses the path into a struct dav_res
 * (dav_res.c), checks ownership, and calls the method's handler
 * (dav_method_*). Handlers report failure with dav_fail(), naming the HTTP
 * status and, when RFC 4918/4791/6578 define one, the precondition element
 * that goes into the DAV:error body (dav_error.c renders it). Properties are
 * rows of one table (dav_props.c): adding a property is adding a row.
 */
#ifndef DAV_INT_H
#define DAV_INT_H

#include <libxml/tree.h>

#include "dav.h"
#include "ics.h"
#include "ics_filter.h"
#include "sd_buf.h"
#include "sd_url.h"

#define NS_DAV     "DAV:"
#define NS_CALDAV  "urn:ietf:params:xml:ns:caldav"
#define NS_CS      "http://calendarserver.org/ns/"
#define NS_ICAL    "http://apple.com/ns/ical/"
#define NS_SLOTDAV "https://slotdav.org/ns"

/* CALDAV:min-date-time / max-date-time (RFC 4791 5.2.6, 5.2.7): the
 * earliest and latest instants a stored object may reach. */
#define DAV_MIN_DATE_TIME "19000101T000000Z"
#define DAV_MIN_DATE_UNIX (-2208988800LL)
#define DAV_MAX_DATE_TIME "21001231T235959Z"
#define DAV_MAX_DATE_UNIX 4133980799LL

/* CALDAV:max-instances (RFC 4791 5.2.8): the most instances a bounded
 * recurrence set may have, and the most one expansion may produce. Sets
 * without an end are accepted: clients create them all the time. */
#define DAV_MAX_INSTANCES 10000

/* Preconditions and postconditions (RFC 4918 16, RFC 4791 5.3.2.1 and 9,
 * RFC 6578 3.2, RFC 5689 3, RFC 6638 5), plus slotdav's own. One row each: the enum
 * value, the namespace and the element name. */
#define DAV_CONDITIONS(X)                                                     \
	X(NONE, NULL, NULL)                                                   \
	X(VALID_CALENDAR_DATA, NS_CALDAV, "valid-calendar-data")              \
	X(VALID_CALENDAR_OBJECT, NS_CALDAV, "valid-calendar-object-resource") \
	X(SUPPORTED_COMPONENT, NS_CALDAV, "supported-calendar-component")     \
	X(SUPPORTED_CALENDAR_DATA, NS_CALDAV, "supported-calendar-data")      \
	X(NO_UID_CONFLICT, NS_CALDAV, "no-uid-conflict")                      \
	X(MAX_RESOURCE_SIZE, NS_CALDAV, "max-resource-size")                  \
	X(CALENDAR_LOCATION_OK, NS_CALDAV, "calendar-collection-location-ok") \
	X(SUPPORTED_FILTER, NS_CALDAV, "supported-filter")                    \
	X(VALID_FILTER, NS_CALDAV, "valid-filter")                            \
	X(SUPPORTED_COLLATION, NS_CALDAV, "supported-collation")              \
	X(MIN_DATE_TIME, NS_CALDAV, "min-date-time")                          \
	X(MAX_DATE_TIME, NS_CALDAV, "max-date-time")                          \
	X(MAX_INSTANCES, NS_CALDAV, "max-instances")                          \
	X(RESOURCE_MUST_BE_NULL, NS_DAV, "resource-must-be-null")             \
	X(VALID_SYNC_TOKEN, NS_DAV, "valid-sync-token")                       \
	X(SYNC_TRAVERSAL, NS_DAV, "sync-traversal-supported")                 \
	X(SUPPORTED_REPORT, NS_DAV, "supported-report")                       \
	X(PROPFIND_FINITE_DEPTH, NS_DAV, "propfind-finite-depth")             \
	X(PROTECTED_PROPERTY, NS_DAV, "cannot-modify-protected-property")     \
	X(VALID_RESOURCETYPE, NS_DAV, "valid-resourcetype")                   \
	X(NEED_PRIVILEGES, NS_DAV, "need-privileges")                         \
	X(NUMBER_OF_MATCHES, NS_DAV, "number-of-matches-within-limits")       \
	X(SUPPORTED_COLLECTION, NS_CALDAV, "supported-collection")            \
	X(VALID_SCHEDULING_MESSAGE, NS_CALDAV, "valid-scheduling-message")    \
	X(ORGANIZER_ALLOWED, NS_CALDAV, "organizer-allowed")                  \
	X(BAD_XML, NS_SLOTDAV, "malformed-request")                           \
	X(BOOKING_RULE, NS_SLOTDAV, "booking-rule") /* the hook names the element */

enum dav_cond {
#define X(id, ns, name) DAV_COND_##id,
	DAV_CONDITIONS(X)
#undef X
};

/* What a path names. */
enum dav_kind {
	DAV_K_ROOT = 1 << 0,       /* /dav/ (and /) */
	DAV_K_PRINCIPALS = 1 << 1, /* /dav/principals/ */
	DAV_K_PRINCIPAL = 1 << 2,  /* /dav/principals/<user>/ */
	DAV_K_CALROOT = 1 << 3,    /* /dav/calendars/ */
	DAV_K_HOME = 1 << 4,       /* /dav/calendars/<user>/ */
	DAV_K_CALENDAR = 1 << 5,   /* calendar collection */
	DAV_K_PLAIN = 1 << 6,      /* plain WebDAV collection */
	DAV_K_OBJECT = 1 << 7,     /* a resource in a calendar or plain collection */
	DAV_K_NULL = 1 << 8,       /* nothing there yet; parent is a collection */
	DAV_K_INBOX = 1 << 9,      /* /dav/calendars/<user>/inbox/ (RFC 6638 2.2) */
	DAV_K_OUTBOX = 1 << 10,    /* /dav/calendars/<user>/outbox/ (RFC 6638 2.1) */
};
/* The scheduling Inbox and Outbox are not stored: dav_res.c makes them up
 * for their reserved names in every home (dav_sched.c). */
#define DAV_K_SCHED (DAV_K_INBOX | DAV_K_OUTBOX)
#define DAV_K_COLLECTIONS                                                               \
	(DAV_K_ROOT | DAV_K_PRINCIPALS | DAV_K_PRINCIPAL | DAV_K_CALROOT | DAV_K_HOME | \
	 DAV_K_CALENDAR | DAV_K_PLAIN | DAV_K_SCHED)
#define DAV_K_STORED (DAV_K_HOME | DAV_K_CALENDAR | DAV_K_PLAIN | DAV_K_OBJECT)

struct dav_res {
	enum dav_kind kind;
	const char *href;       /* canonical, percent-encoded, collections end in '/' */
	int64_t owner_id;       /* 0 for ROOT, PRINCIPALS, CALROOT */
	const char *owner;      /* user name, or NULL */
	struct store_coll coll; /* HOME/CALENDAR/PLAIN: itself; OBJECT/NULL: parent;
				   INBOX/OUTBOX: the home */
	struct store_obj obj;   /* OBJECT (without data) */
	const char *name;       /* OBJECT/NULL: member name */
	int has_parent;         /* NULL: parent collection exists */
	int sched_member;       /* NULL: a path inside the Inbox or Outbox, where
				   nothing can be made */
};

struct dav_ctx {
	struct sd_req *req;
	struct sd_arena *a;
	struct store_conn *conn;
	const struct dav_config *cfg;
	struct sd_err err; /* storage/ical detail */

	/* Failure detail for the DAV:error body. */
	enum dav_cond cond;
	const char *cond_href; /* no-uid-conflict: the conflicting resource */
	const char *cond_name; /* BOOKING_RULE: the element the hook named */
	const char *message;
	int keep_body; /* the handler wrote its own error body */
};

/* ---- dav.c ---- */
/* Records the failure and returns status. message: printf-style, for people. */
int dav_fail(struct dav_ctx *x, int status, enum dav_cond cond, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Whether the user may use res: their own, or granted by the hooks. */
int dav_allowed(struct dav_ctx *x, const struct dav_res *res);
/* Maps a STORE_E* code to a failure (404, 409, 503, 500). */
int dav_fail_store(struct dav_ctx *x, int code);
/* The Depth header: 0, 1 or -1 for infinity; def when absent; -2 if malformed. */
int dav_depth(struct dav_ctx *x, int def);

/* ---- dav_error.c ---- */
/* Writes the DAV:error body for x->cond (with x->message) into the response. */
void dav_error_render(struct dav_ctx *x);
const char *dav_cond_ns(enum dav_cond c);
const char *dav_cond_name(enum dav_cond c);
/* "HTTP/1.1 404 Not Found" */
const char *dav_status_line(int status);

/* ---- dav_res.c ---- */
/* Resolves a raw request path. Returns 0, or an HTTP status after dav_fail. */
int dav_res_resolve(struct dav_ctx *x, const char *raw_path, struct dav_res *out);
/* Resolves an href (absolute URL or path, e.g. from Destination or a
 * multiget) the same way. */
int dav_res_resolve_href(struct dav_ctx *x, const char *href, struct dav_res *out);
/* Canonical hrefs. */
const char *dav_href_principal(struct dav_ctx *x, const char *user);
const char *dav_href_home(struct dav_ctx *x, const char *user);
const char *dav_href_member(struct dav_ctx *x, const char *parent_href, const char *name,
                            int is_collection);
/* The child collections of parent_id, copied into the arena, in name
 * order. 0 or an HTTP status after dav_fail. */
int dav_children(struct dav_ctx *x, int64_t parent_id, struct store_coll **out, size_t *n);
/* The scheduling Inbox (inbox 1) or Outbox of the user whose home is
 * home, a resolved DAV_K_HOME. */
void dav_res_sched_box(struct dav_ctx *x, const struct dav_res *home, int inbox,
                       struct dav_res *out);
/* The sync token / ctag of a collection at revision rev. */
const char *dav_sync_token(struct dav_ctx *x, int64_t coll_id, int64_t rev);
/* Parses a token back: 0 and *rev, or -1 if it is not one of this
 * collection's tokens (another collection, another database, garbage). */
int dav_sync_token_parse(struct dav_ctx *x, const char *token, int64_t coll_id, int64_t *rev);

/* ---- hooks (dav_object.c) ---- */
/* Whether writes to objects of coll go to the hooks (cfg->hooks). */
int dav_hooked(const struct dav_ctx *x, const struct store_coll *coll);
/* Hands a write of coll/name to the hook inside the transaction: a PUT of
 * data[0..len) (data NULL: a DELETE) over cur_data (NULL: nothing there).
 * 0 with w->handled telling whether the hook wrote, or its refusal after
 * dav_fail. */
int dav_hook_write(struct dav_ctx *x, const struct store_coll *coll, const char *name,
                   struct dav_hook_write *w, const char *cur_data, const char *data, size_t len);
/* Offers the hook a MOVE of o from src/src_name to dst/dst_name as one
 * operation (w->from_coll/from_name set); 0 with w->handled, or its
 * refusal after dav_fail. */
int dav_hook_move(struct dav_ctx *x, const struct store_coll *src, const char *src_name,
                  const struct store_coll *dst, const char *dst_name, struct dav_hook_write *w,
                  const struct store_obj *o);
/* 403 after dav_fail if calendar coll is the hook's own (dav_hooks.owns),
 * else 0. */
int dav_hook_owned(struct dav_ctx *x, const struct store_coll *coll);
/* After the rollback of a failed write: lets the hook record a refusal. */
void dav_hook_refused(struct dav_ctx *x, struct dav_hook_write *w);

/* ---- dav_xml.c ---- */
/* Parses the request body as XML with no DTD, no entities, no network,
 * bounded depth. NULL body → *out NULL and 0. Otherwise 0 or an HTTP status
 * (400) after dav_fail. The document is freed with the arena. */
int dav_xml_parse(struct dav_ctx *x, xmlDoc **out);
/* Element test: node is an element named name in namespace ns. */
int dav_xml_is(const xmlNode *n, const char *ns, const char *name);
/* First element child named (ns, name), or NULL. */
xmlNode *dav_xml_child(const xmlNode *n, const char *ns, const char *name);
/* First element child of any name, or the next element sibling. */
xmlNode *dav_xml_first(const xmlNode *n);
xmlNode *dav_xml_next(const xmlNode *n);
/* Namespace of an element ("" when none). */
const char *dav_xml_ns(const xmlNode *n);
/* Text content of an element, arena copy ("" when empty). */
char *dav_xml_text(struct dav_ctx *x, const xmlNode *n);
/* The element serialised on its own with the namespace declarations it
 * needs (for dead properties). Arena string. */
char *dav_xml_dump(struct dav_ctx *x, xmlNode *n);

/* Output helpers. Known namespaces use the prefixes declared by
 * DAV_XMLNS_DECL; others get an inline declaration. */
#define DAV_XMLNS_DECL                                                                       \
	" xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\""                        \
	" xmlns:cs=\"http://calendarserver.org/ns/\" xmlns:ic=\"http://apple.com/ns/ical/\"" \
	" xmlns:s=\"https://slotdav.org/ns\""
void dav_out_open(struct sd_buf *b, const char *ns, const char *name);
void dav_out_close(struct sd_buf *b, const char *ns, const char *name);
void dav_out_empty(struct sd_buf *b, const char *ns, const char *name);
/* <d:href>escaped</d:href> */
void dav_out_href(struct sd_buf *b, const char *href);

/* ---- dav_props.c ---- */
struct ics_select;
struct ics_fb;

struct dav_propreq {
	const char *ns, *name;
	xmlNode *node;                /* the request element */
	const struct ics_select *sel; /* calendar-data: what to return; NULL: all */
	struct dav_propreq *next;
};

enum dav_propfind_mode { DAV_PF_PROP, DAV_PF_ALLPROP, DAV_PF_PROPNAME };

struct dav_propfind {
	enum dav_propfind_mode mode;
	struct dav_propreq *props; /* PROP; ALLPROP: the <include> list */
};

/* Parses a DAV:prop element's children into *out (arena). 0, or an HTTP
 * status after dav_fail (a malformed calendar-data request). */
int dav_props_parse_list(struct dav_ctx *x, const xmlNode *prop, struct dav_propreq **out);
/* Appends one <d:response> for res to out, answering pf. */
int dav_props_response(struct dav_ctx *x, const struct dav_res *res, const struct dav_propfind *pf,
                       struct sd_buf *out);
/* Applies one set (value non-NULL) or remove of property (ns, name) to res,
 * staging calendar properties in *coll. Returns 200, or 403/409 with
 * *cond set. */
int dav_props_apply(struct dav_ctx *x, struct dav_res *res, struct store_coll *coll, xmlNode *value,
                    const char *ns, const char *name, int creating, enum dav_cond *cond);
/* Whether the calendar coll_id is transparent to busy time, by its
 * CALDAV:schedule-calendar-transp (RFC 6638 9.1; opaque when unset). */
int dav_calendar_transparent(struct dav_ctx *x, int64_t coll_id);
/* Copies the dead properties of (coll_id, obj_name) to (dst_coll, dst_name). */
int dav_props_copy(struct dav_ctx *x, int64_t coll_id, const char *obj_name, int64_t dst_coll,
                   const char *dst_name);

/* ---- handlers ---- */
int dav_method_options(struct dav_ctx *x, struct dav_res *res);
int dav_method_propfind(struct dav_ctx *x, struct dav_res *res);
int dav_method_proppatch(struct dav_ctx *x, struct dav_res *res);
int dav_method_mkcol(struct dav_ctx *x, struct dav_res *res, int calendar);
int dav_method_get(struct dav_ctx *x, struct dav_res *res, int head);
int dav_method_put(struct dav_ctx *x, struct dav_res *res);
int dav_method_delete(struct dav_ctx *x, struct dav_res *res);
int dav_method_copymove(struct dav_ctx *x, struct dav_res *res, int move);
int dav_method_report(struct dav_ctx *x, struct dav_res *res);
int dav_method_post(struct dav_ctx *x, struct dav_res *res);

/* ---- dav_sched.c ---- */
/* Refuses what may not be done to the Inbox, the Outbox and paths inside
 * them (PUT, DELETE, MKCOL, MKCALENDAR, COPY, MOVE): 403 after dav_fail,
 * else 0. */
int dav_sched_refuse(struct dav_ctx *x, const struct dav_res *res);
/* The sync-collection REPORT on the Inbox: always empty. */
int dav_sched_inbox_sync(struct dav_ctx *x, struct dav_res *res, xmlNode *root);
/* The Inbox's sync token and ctag; it never changes, as the Inbox stays
 * empty. res is the Inbox. */
const char *dav_sched_inbox_token(struct dav_ctx *x, const struct dav_res *res);
/* The href of the owner's default calendar (CALDAV:schedule-default-
 * calendar-URL): "default" if it is a calendar taking events, else the
 * first such calendar in name order that is not their Bookings calendar;
 * NULL if there is none. home is the owner's HOME or INBOX. */
const char *dav_sched_default_calendar(struct dav_ctx *x, const struct dav_res *home);

/* ---- dav_object.c ---- */
/* Checks data as a calendar object for calendar coll: size, iCalendar
 * validity, component set. Fills *info. 0 or an HTTP status after dav_fail. */
int dav_object_check(struct dav_ctx *x, const struct store_coll *coll, const char *data, size_t len,
                     struct ics_info *info);
/* Sets the calendar fields of in (uid, comp, range, spans for the index of
 * instances) from info; the spans are copied into x's arena. */
void dav_object_index(struct dav_ctx *x, struct store_obj *in, const struct ics_info *info);
/* Evaluates If-Match / If-None-Match against the current ETag (NULL when the
 * resource does not exist). 0 or 412 after dav_fail. */
int dav_preconditions(struct dav_ctx *x, const char *etag);
/* The UID rules of RFC 4791 5.3.2.1 for writing uid as name into coll
 * (whose href is coll_href), cur being what is there now (or NULL). Inside
 * the write transaction. 0 or 403 with no-uid-conflict and its href. */
int dav_uid_check(struct dav_ctx *x, const struct store_coll *coll, const char *coll_href,
                  const char *name, const struct store_obj *cur, const char *uid);

/* ---- dav_report.c / dav_sync.c ---- */
/* Reads DAV:prop / propname / allprop (+ include) from a PROPFIND or
 * REPORT body into pf; none of them means allprop. 0 or an HTTP status. */
int dav_report_props(struct dav_ctx *x, xmlNode *root, struct dav_propfind *pf);
int dav_report_freebusy(struct dav_ctx *x, struct dav_res *res, xmlNode *root);
/* Adds the busy time of calendar cal's objects over r to fb, leaving out
 * the object whose UID is mask_uid (NULL: none). Inside a read
 * transaction. 0 or an HTTP status after dav_fail. */
int dav_freebusy_add_calendar(struct dav_ctx *x, const struct store_coll *cal, struct ics_fb *fb,
                              const struct ics_time_range *r, const char *mask_uid);
int dav_report_multiget(struct dav_ctx *x, struct dav_res *res, xmlNode *root);
int dav_report_query(struct dav_ctx *x, struct dav_res *res, xmlNode *root);
int dav_report_sync(struct dav_ctx *x, struct dav_res *res, xmlNode *root);

/* ---- dav_caldata.c ---- */
/* Parses a CALDAV:calendar-data request element (RFC 4791 9.6): content
 * type, comp/prop selection, expand, limit-recurrence-set,
 * limit-freebusy-set. *out NULL when it asks for the whole object.
 * 0, or 400/403 after dav_fail. */
int dav_caldata_parse(struct dav_ctx *x, xmlNode *n, const struct ics_select **out);

/* ---- dav_filter.c ---- */
/* Parses a CALDAV:filter element into a tree (arena). 0, or 403 after
 * dav_fail with valid-filter or supported-collation. */
int dav_filter_parse(struct dav_ctx *x, xmlNode *filter, struct ics_comp_filter **out);
/* Parses a time-range element's attributes. 0 or 403 (valid-filter). */
int dav_time_range_parse(struct dav_ctx *x, xmlNode *n, struct ics_time_range *out);

/* Begins a 207 multistatus response: sets status, type, and writes the
 * opening tag into the response body. */
void dav_multistatus_begin(struct dav_ctx *x);
void dav_multistatus_end(struct dav_ctx *x);

#endif
