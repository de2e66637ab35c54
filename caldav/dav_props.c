/* dav_props.c - the property table and per-resource property responses.
 *
 * Every live property is one row of props[]: its name, the kinds of
 * resource it exists on, whether allprop returns it, whether clients may
 * write it, a getter that writes its value and, for writable ones, a setter
 * that validates a new value and stages it in a struct store_coll. A
 * property not in the table (or not defined for the resource's kind) is a
 * dead property: stored as the client sent it, element and all, and given
 * back byte for byte.
 *
 * A getter returns 0 when it wrote a value, PROP_ABSENT when the resource
 * has no such value (404 in its propstat). A setter returns 200, or 403/409
 * with the precondition that failed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dav_int.h"
#include "ics_select.h"
#include "sd_util.h"

#define SD_STR_(x) #x
#define SD_STR(x)  SD_STR_(x)

#define PROP_ABSENT    1 /* 404 in its propstat */
#define PROP_FORBIDDEN 2 /* 403: an expansion past DAV_MAX_INSTANCES */

enum {
	P_ALLPROP = 1 << 0,   /* returned by allprop (RFC 4918 live properties) */
	P_PROTECTED = 1 << 1, /* PROPPATCH answers 403 */
	P_CREATE = 1 << 2,    /* writable in MKCALENDAR / extended MKCOL only */
};

typedef int prop_get_fn(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                        struct sd_buf *out);
typedef int prop_set_fn(struct dav_ctx *x, struct store_coll *c, xmlNode *v, enum dav_cond *cond);

struct prop_def {
	const char *ns, *name;
	unsigned kinds; /* enum dav_kind mask */
	unsigned flags;
	prop_get_fn *get;
	prop_set_fn *set;
};

/* ---- getters ----------------------------------------------------------- */

static const char *principal_of(struct dav_ctx *x)
{
	return dav_href_principal(x, x->req->user_name);
}

static int get_resourcetype(struct dav_ctx *x, const struct dav_res *r,
                            const struct dav_propreq *pr, struct sd_buf *out)
{
	if (r->kind & DAV_K_COLLECTIONS)
		sd_buf_adds(out, "<d:collection/>");
	if (r->kind == DAV_K_CALENDAR)
		sd_buf_adds(out, "<c:calendar/>");
	if (r->kind == DAV_K_PRINCIPAL)
		sd_buf_adds(out, "<d:principal/>");
	if (r->kind == DAV_K_INBOX)
		sd_buf_adds(out, "<c:schedule-inbox/>");
	if (r->kind == DAV_K_OUTBOX)
		sd_buf_adds(out, "<c:schedule-outbox/>");
	return 0;
}

static int get_displayname(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                           struct sd_buf *out)
{
	const char *v = NULL;
	struct store_user u;

	if (r->kind == DAV_K_PRINCIPAL) {
		if (store_user_get_by_id(x->conn, r->owner_id, x->a, &u, NULL) == 0)
			v = *u.displayname ? u.displayname : u.name;
	} else {
		v = r->coll.displayname;
	}
	if (!v)
		return PROP_ABSENT;
	sd_buf_add_xml(out, v);
	return 0;
}

static int get_text_column(const char *v, struct sd_buf *out)
{
	if (!v)
		return PROP_ABSENT;
	sd_buf_add_xml(out, v);
	return 0;
}

static int get_description(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                           struct sd_buf *out)
{
	return get_text_column(r->coll.description, out);
}

static int get_color(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                     struct sd_buf *out)
{
	return get_text_column(r->coll.color, out);
}

static int get_order(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                     struct sd_buf *out)
{
	return get_text_column(r->coll.order, out);
}

static int get_timezone(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                        struct sd_buf *out)
{
	return get_text_column(r->coll.timezone, out);
}

static int get_etag(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                    struct sd_buf *out)
{
	sd_buf_adds(out, "&quot;");
	sd_buf_adds(out, r->obj.etag);
	sd_buf_adds(out, "&quot;");
	return 0;
}

static int get_contenttype(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                           struct sd_buf *out)
{
	if (r->obj.uid) {
		char comp[16] = "";
		const char *n = ics_comp_name(r->obj.comp);
		for (size_t i = 0; n && n[i] && i < sizeof(comp) - 1; i++)
			comp[i] = (char)(n[i] | 0x20);
		sd_buf_adds(out, "text/calendar; charset=utf-8; component=");
		sd_buf_adds(out, comp);
		return 0;
	}
	return get_text_column(r->obj.content_type, out);
}

static int get_contentlength(struct dav_ctx *x, const struct dav_res *r,
                             const struct dav_propreq *pr, struct sd_buf *out)
{
	sd_buf_add_uint(out, r->obj.len);
	return 0;
}

static int64_t modified_of(const struct dav_res *r)
{
	return r->kind == DAV_K_OBJECT ? r->obj.modified : r->coll.modified;
}

static int get_lastmodified(struct dav_ctx *x, const struct dav_res *r,
                            const struct dav_propreq *pr, struct sd_buf *out)
{
	char s[64];
	time_t t = (time_t)modified_of(r);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	sd_buf_adds(out, s);
	return 0;
}

static int get_creationdate(struct dav_ctx *x, const struct dav_res *r,
                            const struct dav_propreq *pr, struct sd_buf *out)
{
	char s[64];
	time_t t = (time_t)(r->kind == DAV_K_OBJECT ? r->obj.created : r->coll.created);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sd_buf_adds(out, s);
	return 0;
}

static int get_current_user_principal(struct dav_ctx *x, const struct dav_res *r,
                                      const struct dav_propreq *pr, struct sd_buf *out)
{
	dav_out_href(out, principal_of(x));
	return 0;
}

static int get_principal_url(struct dav_ctx *x, const struct dav_res *r,
                             const struct dav_propreq *pr, struct sd_buf *out)
{
	dav_out_href(out, r->href);
	return 0;
}

static int get_principal_collection_set(struct dav_ctx *x, const struct dav_res *r,
                                        const struct dav_propreq *pr, struct sd_buf *out)
{
	dav_out_href(out, sd_arena_printf(x->a, "%s/principals/", x->cfg->prefix));
	return 0;
}

static int get_owner(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                     struct sd_buf *out)
{
	dav_out_href(out, dav_href_principal(x, r->owner));
	return 0;
}

static int get_privileges(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                          struct sd_buf *out)
{
	static const char *const rw[] = { "read",
		                          "write",
		                          "write-properties",
		                          "write-content",
		                          "bind",
		                          "unbind",
		                          "read-current-user-privilege-set" };
	size_t n = (r->kind & DAV_K_STORED) ? SD_ARRAY_LEN(rw) : 1;

	for (size_t i = 0; i < n; i++)
		sd_buf_printf(out, "<d:privilege><d:%s/></d:privilege>", rw[i]);
	if (n == 1)
		sd_buf_adds(out, "<d:privilege><d:read-current-user-privilege-set/></d:privilege>");
	if (r->kind == DAV_K_CALENDAR)
		sd_buf_adds(out, "<d:privilege><c:read-free-busy/></d:privilege>");
	/* RFC 6638 6.1: the owner's aggregates on their own Inbox and Outbox. */
	if (r->kind == DAV_K_INBOX)
		sd_buf_adds(out, "<d:privilege><c:schedule-deliver/></d:privilege>");
	if (r->kind == DAV_K_OUTBOX)
		sd_buf_adds(out, "<d:privilege><c:schedule-send/></d:privilege>");
	return 0;
}

static void report_row(struct sd_buf *out, const char *ns, const char *name)
{
	sd_buf_adds(out, "<d:supported-report><d:report>");
	dav_out_empty(out, ns, name);
	sd_buf_adds(out, "</d:report></d:supported-report>");
}

static int get_supported_reports(struct dav_ctx *x, const struct dav_res *r,
                                 const struct dav_propreq *pr, struct sd_buf *out)
{
	if (r->kind == DAV_K_CALENDAR) {
		report_row(out, NS_CALDAV, "calendar-multiget");
		report_row(out, NS_CALDAV, "calendar-query");
		report_row(out, NS_CALDAV, "free-busy-query");
	}
	if (r->kind & (DAV_K_CALENDAR | DAV_K_HOME | DAV_K_PLAIN | DAV_K_INBOX))
		report_row(out, NS_DAV, "sync-collection");
	return 0;
}

static int get_sync_token(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                          struct sd_buf *out)
{
	sd_buf_add_xml(out, dav_sync_token(x, r->coll.id, r->coll.rev));
	return 0;
}

static int get_home_set(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                        struct sd_buf *out)
{
	dav_out_href(out, dav_href_home(x, r->owner));
	return 0;
}

static int get_address_set(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                           struct sd_buf *out)
{
	struct store_user u;

	if (store_user_get_by_id(x->conn, r->owner_id, x->a, &u, NULL) == 0 && *u.email)
		dav_out_href(out, sd_arena_printf(x->a, "mailto:%s", u.email));
	dav_out_href(out, r->href);
	return 0;
}

static int get_box_url(struct dav_ctx *x, const struct dav_res *r, const char *box,
                       struct sd_buf *out)
{
	dav_out_href(out, dav_href_member(x, dav_href_home(x, r->owner), box, 1));
	return 0;
}

static int get_inbox_url(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                         struct sd_buf *out)
{
	return get_box_url(x, r, DAV_INBOX, out);
}

static int get_outbox_url(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                          struct sd_buf *out)
{
	return get_box_url(x, r, DAV_OUTBOX, out);
}

static int get_default_calendar(struct dav_ctx *x, const struct dav_res *r,
                                const struct dav_propreq *pr, struct sd_buf *out)
{
	const char *href = dav_sched_default_calendar(x, r);

	if (!href)
		return PROP_ABSENT;
	dav_out_href(out, href);
	return 0;
}

static int get_inbox_token(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                           struct sd_buf *out)
{
	sd_buf_add_xml(out, dav_sched_inbox_token(x, r));
	return 0;
}

#define TRANSP_NAME "schedule-calendar-transp"

int dav_calendar_transparent(struct dav_ctx *x, int64_t coll_id)
{
	struct store_prop sp;

	/* What set_transp stored, or what a client stored as a dead property
	 * before slotdav knew the name: either way the element is there by
	 * its local name. Unreadable counts as opaque: a free-busy answer may
	 * say busy wrongly, never free wrongly. */
	if (store_prop_get(x->conn, coll_id, NULL, NS_CALDAV, TRANSP_NAME, x->a, &sp, NULL) != 0)
		return 0;
	return strstr(sp.xml, "transparent") != NULL;
}

static int get_transp(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                      struct sd_buf *out)
{
	sd_buf_adds(out,
	            dav_calendar_transparent(x, r->coll.id) ? "<c:transparent/>" : "<c:opaque/>");
	return 0;
}

static int get_user_type(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                         struct sd_buf *out)
{
	sd_buf_adds(out, "INDIVIDUAL");
	return 0;
}

static int get_components(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                          struct sd_buf *out)
{
	for (unsigned bit = 1; bit <= STORE_COMP_VAVAILABILITY; bit <<= 1)
		if (r->coll.components & bit)
			sd_buf_printf(out, "<c:comp name=\"%s\"/>", ics_comp_name(bit));
	return 0;
}

static int get_calendar_data_types(struct dav_ctx *x, const struct dav_res *r,
                                   const struct dav_propreq *pr, struct sd_buf *out)
{
	sd_buf_adds(out, "<c:calendar-data content-type=\"text/calendar\" version=\"2.0\"/>");
	return 0;
}

static int get_max_size(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                        struct sd_buf *out)
{
	sd_buf_printf(out, "%zu", x->cfg->max_resource_size);
	return 0;
}

static int get_calendar_data(struct dav_ctx *x, const struct dav_res *r,
                             const struct dav_propreq *pr, struct sd_buf *out)
{
	struct store_obj o;
	const char *data;
	size_t len;
	int rc;

	if (!r->obj.uid)
		return PROP_ABSENT;
	if (store_obj_get(x->conn, r->coll.id, r->name, 1, x->a, &o, &x->err))
		return PROP_ABSENT;
	data = o.data;
	len = o.len;
	if (pr && pr->sel) {
		rc = ics_calendar_data(o.data, o.len, pr->sel, r->coll.timezone, x->a, &data, &len,
		                       &x->err);
		if (rc == ICS_ETOOMANY)
			return PROP_FORBIDDEN;
		if (rc)
			return PROP_ABSENT;
	}
	sd_buf_add_xmln(out, data, len);
	return 0;
}

static int get_collations(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                          struct sd_buf *out)
{
	sd_buf_adds(out, "<c:supported-collation>i;ascii-casemap</c:supported-collation>"
	                 "<c:supported-collation>i;octet</c:supported-collation>"
	                 "<c:supported-collation>i;unicode-casemap</c:supported-collation>");
	return 0;
}

static int get_min_date(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                        struct sd_buf *out)
{
	sd_buf_adds(out, DAV_MIN_DATE_TIME);
	return 0;
}

static int get_max_date(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                        struct sd_buf *out)
{
	sd_buf_adds(out, DAV_MAX_DATE_TIME);
	return 0;
}

static int get_max_instances(struct dav_ctx *x, const struct dav_res *r,
                             const struct dav_propreq *pr, struct sd_buf *out)
{
	sd_buf_add_uint(out, DAV_MAX_INSTANCES);
	return 0;
}

static int get_ctag(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *pr,
                    struct sd_buf *out)
{
	return get_sync_token(x, r, pr, out);
}

/* ---- setters ----------------------------------------------------------- */

static char *value_text(struct dav_ctx *x, xmlNode *v)
{
	return v ? dav_xml_text(x, v) : NULL;
}

static int set_displayname(struct dav_ctx *x, struct store_coll *c, xmlNode *v, enum dav_cond *cond)
{
	c->displayname = value_text(x, v);
	return 200;
}

static int set_description(struct dav_ctx *x, struct store_coll *c, xmlNode *v, enum dav_cond *cond)
{
	c->description = value_text(x, v);
	return 200;
}

static int set_color(struct dav_ctx *x, struct store_coll *c, xmlNode *v, enum dav_cond *cond)
{
	char *s = value_text(x, v);
	size_t n = s ? strlen(s) : 0;

	if (s && (s[0] != '#' || (n != 7 && n != 9) ||
	          strspn(s + 1, "0123456789abcdefABCDEF") != n - 1)) {
		x->message = "calendar-color must be #RRGGBB or #RRGGBBAA";
		return 409;
	}
	c->color = s;
	return 200;
}

static int set_order(struct dav_ctx *x, struct store_coll *c, xmlNode *v, enum dav_cond *cond)
{
	char *s = value_text(x, v), *end;

	if (s) {
		long long n = strtoll(s, &end, 10);
		if (!*s || *end || n < INT32_MIN || n > INT32_MAX) {
			x->message = "calendar-order must be an integer";
			return 409;
		}
	}
	c->order = s;
	return 200;
}

static int set_timezone(struct dav_ctx *x, struct store_coll *c, xmlNode *v, enum dav_cond *cond)
{
	char *s = value_text(x, v);

	if (s && ics_timezone_check(s, strlen(s), &x->err)) {
		*cond = DAV_COND_VALID_CALENDAR_DATA;
		x->message = sd_arena_printf(x->a, "calendar-timezone: %s", x->err.msg);
		return 403;
	}
	c->timezone = s;
	return 200;
}

static int set_components(struct dav_ctx *x, struct store_coll *c, xmlNode *v, enum dav_cond *cond)
{
	unsigned mask = 0;

	if (!v)
		return 403;
	for (xmlNode *n = dav_xml_first(v); n; n = dav_xml_next(n)) {
		xmlChar *name = xmlGetProp(n, (const xmlChar *)"name");
		unsigned bit = name ? ics_comp_from_name((const char *)name) : 0;

		xmlFree(name);
		if (!dav_xml_is(n, NS_CALDAV, "comp") || !bit) {
			x->message = "supported-calendar-component-set names an unknown component";
			return 403;
		}
		mask |= bit;
	}
	if (!mask) {
		x->message = "supported-calendar-component-set is empty";
		return 403;
	}
	c->components = mask;
	return 200;
}

/* CALDAV:schedule-calendar-transp (RFC 6638 9.1) is kept among the dead
 * properties, in one form, written at once (the PROPPATCH transaction
 * undoes it with the rest). */
static int set_transp(struct dav_ctx *x, struct store_coll *c, xmlNode *v, enum dav_cond *cond)
{
	xmlNode *k = v ? dav_xml_first(v) : NULL;
	struct store_prop p = { .ns = NS_CALDAV, .name = TRANSP_NAME };
	int rc;

	if (!v) {
		rc = store_prop_remove(x->conn, c->id, NULL, NS_CALDAV, TRANSP_NAME, &x->err);
		return rc == 0 || rc == STORE_ENOTFOUND ? 200 : 500;
	}
	if (!k || dav_xml_next(k) ||
	    !(dav_xml_is(k, NS_CALDAV, "opaque") || dav_xml_is(k, NS_CALDAV, "transparent"))) {
		x->message = "schedule-calendar-transp holds one element: CALDAV:opaque or "
		             "CALDAV:transparent";
		return 409;
	}
	p.xml = sd_arena_printf(x->a, "<c:%s xmlns:c=\"%s\"><c:%s/></c:%s>", TRANSP_NAME, NS_CALDAV,
	                        (const char *)k->name, TRANSP_NAME);
	rc = store_prop_set(x->conn, c->id, NULL, &p, &x->err);
	return rc ? 500 : 200;
}

/* ---- the table --------------------------------------------------------- */

#define K_ALL    (DAV_K_COLLECTIONS | DAV_K_OBJECT)
#define K_COLL   (DAV_K_HOME | DAV_K_CALENDAR | DAV_K_PLAIN)
#define K_STORED DAV_K_STORED
#define K_CAL    DAV_K_CALENDAR
#define K_PRINC  DAV_K_PRINCIPAL
#define K_INBOX  DAV_K_INBOX
#define K_SCHED  DAV_K_SCHED

static const struct prop_def props[] = {
	{ NS_DAV, "resourcetype", K_ALL, P_ALLPROP | P_PROTECTED, get_resourcetype, NULL },
	{ NS_DAV, "displayname", K_COLL, P_ALLPROP, get_displayname, set_displayname },
	{ NS_DAV, "displayname", K_PRINC, P_ALLPROP | P_PROTECTED, get_displayname, NULL },
	{ NS_DAV, "getetag", DAV_K_OBJECT, P_ALLPROP | P_PROTECTED, get_etag, NULL },
	{ NS_DAV, "getcontenttype", DAV_K_OBJECT, P_ALLPROP | P_PROTECTED, get_contenttype, NULL },
	{ NS_DAV, "getcontentlength", DAV_K_OBJECT, P_ALLPROP | P_PROTECTED, get_contentlength,
	  NULL },
	{ NS_DAV, "getlastmodified", K_STORED, P_ALLPROP | P_PROTECTED, get_lastmodified, NULL },
	{ NS_DAV, "creationdate", K_STORED, P_ALLPROP | P_PROTECTED, get_creationdate, NULL },
	{ NS_DAV, "current-user-principal", K_ALL, P_PROTECTED, get_current_user_principal, NULL },
	{ NS_DAV, "principal-URL", K_PRINC, P_PROTECTED, get_principal_url, NULL },
	{ NS_DAV, "principal-collection-set", K_ALL, P_PROTECTED, get_principal_collection_set,
	  NULL },
	{ NS_DAV, "owner", K_STORED | K_PRINC | K_SCHED, P_PROTECTED, get_owner, NULL },
	{ NS_DAV, "current-user-privilege-set", K_ALL, P_PROTECTED, get_privileges, NULL },
	{ NS_DAV, "supported-report-set", K_ALL, P_PROTECTED, get_supported_reports, NULL },
	{ NS_DAV, "sync-token", K_COLL, P_PROTECTED, get_sync_token, NULL },
	{ NS_CS, "getctag", K_COLL, P_PROTECTED, get_ctag, NULL },
	{ NS_DAV, "sync-token", K_INBOX, P_PROTECTED, get_inbox_token, NULL },
	{ NS_CS, "getctag", K_INBOX, P_PROTECTED, get_inbox_token, NULL },
	{ NS_CALDAV, "calendar-home-set", K_PRINC, P_PROTECTED, get_home_set, NULL },
	{ NS_CALDAV, "calendar-user-address-set", K_PRINC, P_PROTECTED, get_address_set, NULL },
	{ NS_CALDAV, "calendar-user-type", K_PRINC, P_PROTECTED, get_user_type, NULL },
	{ NS_CALDAV, "schedule-inbox-URL", K_PRINC, P_PROTECTED, get_inbox_url, NULL },
	{ NS_CALDAV, "schedule-outbox-URL", K_PRINC, P_PROTECTED, get_outbox_url, NULL },
	{ NS_CALDAV, "schedule-default-calendar-URL", DAV_K_HOME | K_INBOX, P_PROTECTED,
	  get_default_calendar, NULL },
	{ NS_CALDAV, TRANSP_NAME, K_CAL, 0, get_transp, set_transp },
	{ NS_CALDAV, "calendar-description", K_CAL, 0, get_description, set_description },
	{ NS_CALDAV, "calendar-timezone", K_CAL, 0, get_timezone, set_timezone },
	{ NS_CALDAV, "supported-calendar-component-set", K_CAL, P_CREATE, get_components,
	  set_components },
	{ NS_CALDAV, "supported-calendar-data", K_CAL, P_PROTECTED, get_calendar_data_types, NULL },
	{ NS_CALDAV, "max-resource-size", K_CAL, P_PROTECTED, get_max_size, NULL },
	{ NS_CALDAV, "supported-collation-set", K_CAL, P_PROTECTED, get_collations, NULL },
	{ NS_CALDAV, "min-date-time", K_CAL, P_PROTECTED, get_min_date, NULL },
	{ NS_CALDAV, "max-date-time", K_CAL, P_PROTECTED, get_max_date, NULL },
	{ NS_CALDAV, "max-instances", K_CAL, P_PROTECTED, get_max_instances, NULL },
	{ NS_CALDAV, "calendar-data", DAV_K_OBJECT, P_PROTECTED, get_calendar_data, NULL },
	{ NS_ICAL, "calendar-color", K_CAL, 0, get_color, set_color },
	{ NS_ICAL, "calendar-order", K_CAL, 0, get_order, set_order },
};

/* The row for (ns, name) on a resource of this kind; NULL means dead. */
static const struct prop_def *lookup(const char *ns, const char *name, enum dav_kind kind)
{
	for (size_t i = 0; i < SD_ARRAY_LEN(props); i++)
		if ((props[i].kinds & kind) && !strcmp(props[i].name, name) &&
		    !strcmp(props[i].ns, ns))
			return &props[i];
	return NULL;
}

/* Whether (ns, name) is a server-computed property wherever it exists
 * (getetag, calendar-data, ...): such a name is never stored as a dead
 * property. A name that is writable on some kinds (displayname) is an
 * ordinary dead property on the others. */
static int live_only(const char *ns, const char *name)
{
	int seen = 0;

	for (size_t i = 0; i < SD_ARRAY_LEN(props); i++) {
		if (strcmp(props[i].name, name) || strcmp(props[i].ns, ns))
			continue;
		if (props[i].set)
			return 0;
		seen = 1;
	}
	return seen;
}

int dav_props_parse_list(struct dav_ctx *x, const xmlNode *prop, struct dav_propreq **out)
{
	struct dav_propreq **tail = out;
	int rc;

	*out = NULL;
	for (xmlNode *n = dav_xml_first(prop); n; n = dav_xml_next(n)) {
		struct dav_propreq *p = sd_arena_alloc(x->a, sizeof(*p));
		p->ns = sd_arena_strdup(x->a, dav_xml_ns(n));
		p->name = sd_arena_strdup(x->a, (const char *)n->name);
		p->node = n;
		if (dav_xml_is(n, NS_CALDAV, "calendar-data") &&
		    (rc = dav_caldata_parse(x, n, &p->sel)))
			return rc;
		*tail = p;
		tail = &p->next;
	}
	return 0;
}

/* ---- PROPFIND responses ----------------------------------------------- */

struct groups {
	struct sd_buf ok, missing, forbidden;
};

static const char *dead_obj(const struct dav_res *r)
{
	return r->kind == DAV_K_OBJECT ? r->name : NULL;
}

static void answer_one(struct dav_ctx *x, const struct dav_res *r, const struct dav_propreq *p,
                       struct groups *g)
{
	const struct prop_def *d = lookup(p->ns, p->name, r->kind);
	struct store_prop sp;
	size_t mark = g->ok.len;

	if (d) {
		int rc;

		dav_out_open(&g->ok, p->ns, p->name);
		if ((rc = d->get(x, r, p, &g->ok)) == 0) {
			dav_out_close(&g->ok, p->ns, p->name);
			return;
		}
		g->ok.len = mark;
		g->ok.data[mark] = '\0';
		if (rc == PROP_FORBIDDEN) {
			dav_out_empty(&g->forbidden, p->ns, p->name);
			return;
		}
	} else if ((r->kind & DAV_K_STORED) && !live_only(p->ns, p->name) &&
	           store_prop_get(x->conn, r->coll.id, dead_obj(r), p->ns, p->name, x->a, &sp,
	                          NULL) == 0) {
		sd_buf_adds(&g->ok, sp.xml);
		return;
	}
	dav_out_empty(&g->missing, p->ns, p->name);
}

struct dead_walk {
	struct dav_ctx *x;
	struct sd_buf *out;
	int names_only;
	enum dav_kind kind;
};

static int dead_each(void *cls, const struct store_prop *p)
{
	struct dead_walk *w = cls;

	if (lookup(p->ns, p->name, w->kind))
		return 0; /* kept as dead, answered by its row (schedule-calendar-transp) */
	if (w->names_only)
		dav_out_empty(w->out, p->ns, p->name);
	else
		sd_buf_adds(w->out, p->xml);
	return 0;
}

static void answer_all(struct dav_ctx *x, const struct dav_res *r, int names_only, struct groups *g)
{
	struct dead_walk w = { x, &g->ok, names_only, r->kind };

	for (size_t i = 0; i < SD_ARRAY_LEN(props); i++) {
		const struct prop_def *d = &props[i];
		size_t mark = g->ok.len;

		if (!(d->kinds & r->kind) || (!names_only && !(d->flags & P_ALLPROP)))
			continue;
		if (names_only) {
			dav_out_empty(&g->ok, d->ns, d->name);
			continue;
		}
		dav_out_open(&g->ok, d->ns, d->name);
		if (d->get(x, r, NULL, &g->ok) == 0) {
			dav_out_close(&g->ok, d->ns, d->name);
		} else {
			g->ok.len = mark;
			g->ok.data[mark] = '\0';
		}
	}
	if (r->kind & DAV_K_STORED)
		store_prop_foreach(x->conn, r->coll.id, dead_obj(r), dead_each, &w, NULL);
}

static void propstat(struct sd_buf *out, struct sd_buf *props_xml, int status, const char *why)
{
	if (!props_xml->len)
		return;
	sd_buf_adds(out, "<d:propstat><d:prop>");
	sd_buf_add(out, props_xml->data, props_xml->len);
	sd_buf_adds(out, "</d:prop><d:status>");
	sd_buf_adds(out, dav_status_line(status));
	sd_buf_adds(out, "</d:status>");
	if (why) {
		sd_buf_adds(out, "<d:responsedescription>");
		sd_buf_add_xml(out, why);
		sd_buf_adds(out, "</d:responsedescription>");
	}
	sd_buf_adds(out, "</d:propstat>");
}

int dav_props_response(struct dav_ctx *x, const struct dav_res *res, const struct dav_propfind *pf,
                       struct sd_buf *out)
{
	struct groups g;

	sd_buf_init(&g.ok, 0);
	sd_buf_init(&g.missing, 0);
	sd_buf_init(&g.forbidden, 0);
	sd_buf_adds(&g.ok, ""); /* data non-NULL for the rewind in answer_one */
	if (pf->mode == DAV_PF_PROP) {
		for (const struct dav_propreq *p = pf->props; p; p = p->next)
			answer_one(x, res, p, &g);
	} else {
		answer_all(x, res, pf->mode == DAV_PF_PROPNAME, &g);
		for (const struct dav_propreq *p = pf->props; p; p = p->next)
			if (!lookup(p->ns, p->name, res->kind) ||
			    !(lookup(p->ns, p->name, res->kind)->flags & P_ALLPROP))
				answer_one(x, res, p, &g);
	}
	sd_buf_adds(out, "<d:response>");
	dav_out_href(out, res->href);
	propstat(out, &g.ok, 200, NULL);
	propstat(out, &g.forbidden, 403,
	         "the answer would hold more recurrence instances than the server expands "
	         "(" SD_STR(DAV_MAX_INSTANCES) "); narrow the expand range");
	propstat(out, &g.missing, 404, NULL);
	if (!g.ok.len && !g.missing.len && !g.forbidden.len)
		sd_buf_printf(out, "<d:propstat><d:prop/><d:status>%s</d:status></d:propstat>",
		              dav_status_line(200));
	sd_buf_adds(out, "</d:response>");
	sd_buf_free(&g.ok);
	sd_buf_free(&g.missing);
	sd_buf_free(&g.forbidden);
	return 0;
}

/* ---- PROPPATCH --------------------------------------------------------- */

int dav_props_apply(struct dav_ctx *x, struct dav_res *res, struct store_coll *coll, xmlNode *value,
                    const char *ns, const char *name, int creating, enum dav_cond *cond)
{
	const struct prop_def *d = lookup(ns, name, res->kind);
	struct store_prop p;
	int rc;

	*cond = DAV_COND_NONE;
	if (d) {
		if ((d->flags & P_PROTECTED) || !d->set || ((d->flags & P_CREATE) && !creating)) {
			*cond = DAV_COND_PROTECTED_PROPERTY;
			return 403;
		}
		return d->set(x, coll, value, cond);
	}
	if (!(res->kind & DAV_K_STORED) || live_only(ns, name)) {
		*cond = DAV_COND_PROTECTED_PROPERTY;
		return 403;
	}
	if (!value) {
		rc = store_prop_remove(x->conn, res->coll.id, dead_obj(res), ns, name, &x->err);
		return rc == 0 || rc == STORE_ENOTFOUND ? 200 : 500;
	}
	p.ns = ns;
	p.name = name;
	p.xml = dav_xml_dump(x, value);
	rc = store_prop_set(x->conn, res->coll.id, dead_obj(res), &p, &x->err);
	return rc == 0 ? 200 : 500;
}

struct copy_walk {
	struct dav_ctx *x;
	int64_t coll;
	const char *name;
	int rc;
};

static int copy_each(void *cls, const struct store_prop *p)
{
	struct copy_walk *w = cls;

	w->rc = store_prop_set(w->x->conn, w->coll, w->name, p, &w->x->err);
	return w->rc;
}

int dav_props_copy(struct dav_ctx *x, int64_t coll_id, const char *obj_name, int64_t dst_coll,
                   const char *dst_name)
{
	struct copy_walk w = { x, dst_coll, dst_name, 0 };
	int rc = store_prop_foreach(x->conn, coll_id, obj_name, copy_each, &w, &x->err);

	return rc < 0 ? rc : w.rc;
}
