/* dav_report.c - REPORT dispatch, calendar-multiget and calendar-query
 * (RFC 4791 7.8, 7.9).
 *
 * calendar-query parses the filter (dav_filter.c), asks storage for the
 * candidates its index allows (the component kind and time range of the
 * filter's single component filter, matched against the spans of each
 * object's instances that PUT stored, see dav_object_index), and lets
 * ical/ evaluate the whole filter on each candidate. The index only ever
 * narrows: its spans are conservative, so no true match is lost.
 */
#include <string.h>
#include <time.h>

#include "dav_int.h"
#include "sd_util.h"

/* Reads DAV:prop / propname / allprop (with include) from a PROPFIND or
 * REPORT body; none of them means allprop. */
int dav_report_props(struct dav_ctx *x, xmlNode *root, struct dav_propfind *pf)
{
	xmlNode *n;

	memset(pf, 0, sizeof(*pf));
	pf->mode = DAV_PF_ALLPROP;
	if ((n = dav_xml_child(root, NS_DAV, "prop"))) {
		pf->mode = DAV_PF_PROP;
		return dav_props_parse_list(x, n, &pf->props);
	}
	if (dav_xml_child(root, NS_DAV, "propname")) {
		pf->mode = DAV_PF_PROPNAME;
		return 0;
	}
	n = dav_xml_child(root, NS_DAV, "allprop") ? dav_xml_child(root, NS_DAV, "include") : NULL;
	return n ? dav_props_parse_list(x, n, &pf->props) : 0;
}

static void status_response(struct sd_buf *b, const char *href, int status)
{
	sd_buf_adds(b, "<d:response>");
	dav_out_href(b, href);
	sd_buf_printf(b, "<d:status>%s</d:status></d:response>", dav_status_line(status));
}

int dav_report_multiget(struct dav_ctx *x, struct dav_res *res, xmlNode *root)
{
	struct dav_propfind pf;
	struct sd_buf *b = &x->req->resp_body;
	int rc;

	if (!(res->kind & (DAV_K_CALENDAR | DAV_K_HOME | DAV_K_PLAIN)))
		return dav_fail(x, 403, DAV_COND_SUPPORTED_REPORT,
		                "calendar-multiget works on collections only");
	if ((rc = dav_report_props(x, root, &pf)))
		return rc;
	dav_multistatus_begin(x);
	for (xmlNode *n = dav_xml_first(root); n; n = dav_xml_next(n)) {
		struct dav_res r;
		char *href;
		struct dav_ctx sub = *x;

		if (!dav_xml_is(n, NS_DAV, "href"))
			continue;
		href = dav_xml_text(x, n);
		href += strspn(href, " \t\r\n");
		href[strcspn(href, " \t\r\n")] = '\0';
		/* A bad href is that href's failure, not the report's. */
		if (dav_res_resolve_href(&sub, href, &r) != 0 || r.kind != DAV_K_OBJECT) {
			status_response(b, href, 404);
			continue;
		}
		if (r.owner_id != x->req->user_id) {
			status_response(b, href, 403);
			continue;
		}
		r.href = href;
		dav_props_response(x, &r, &pf, b);
	}
	dav_multistatus_end(x);
	return 207;
}

/* The part of a filter the storage index can use: the component kind and
 * time range of the single component filter under VCALENDAR, if any. */
static void index_hint(const struct ics_comp_filter *root, unsigned *comp, int64_t *start,
                       int64_t *end)
{
	const struct ics_comp_filter *c = root->comps;

	*comp = 0;
	*start = STORE_TIME_MIN;
	*end = STORE_TIME_MAX;
	if (!c || c->next || c->is_not_defined)
		return;
	*comp = ics_comp_from_name(c->name);
	if (c->range) {
		*start = c->range->start;
		*end = c->range->end;
	}
}

/* Evaluates the filter on each candidate the index offers. */
static int query_run(struct dav_ctx *x, struct dav_res *res, const struct ics_comp_filter *f,
                     const struct dav_propfind *pf)
{
	struct store_obj_iter *it = NULL;
	struct store_obj o;
	unsigned comp;
	int64_t start, end;
	int rc;

	index_hint(f, &comp, &start, &end);
	rc = store_obj_iter_new_range(x->conn, res->coll.id, comp, start, end, 1, &it, &x->err);
	if (rc)
		return dav_fail_store(x, rc);
	while ((rc = store_obj_iter_next(it, &o, &x->err)) == 1) {
		struct dav_res r = *res;

		if (ics_filter_match(o.data, o.len, f, res->coll.timezone, &x->err) != 1)
			continue;
		r.kind = DAV_K_OBJECT;
		r.obj = o;
		r.obj.data = NULL;
		r.name = o.name;
		r.href = dav_href_member(x, res->href, o.name, 0);
		dav_props_response(x, &r, pf, &x->req->resp_body);
	}
	store_obj_iter_free(it);
	return rc < 0 ? dav_fail_store(x, rc) : 0;
}

int dav_report_query(struct dav_ctx *x, struct dav_res *res, xmlNode *root)
{
	struct dav_propfind pf;
	struct ics_comp_filter *f;
	int rc;

	if (res->kind != DAV_K_CALENDAR)
		return dav_fail(x, 403, DAV_COND_SUPPORTED_REPORT,
		                "calendar-query works on calendar collections only");
	rc = dav_filter_parse(x, dav_xml_child(root, NS_CALDAV, "filter"), &f);
	if (rc || (rc = dav_report_props(x, root, &pf)))
		return rc;
	rc = store_begin(x->conn, STORE_TXN_READ, &x->err);
	if (rc)
		return dav_fail_store(x, rc);
	dav_multistatus_begin(x);
	rc = query_run(x, res, f, &pf);
	store_rollback(x->conn);
	if (rc) {
		sd_buf_reset(&x->req->resp_body);
		return rc;
	}
	dav_multistatus_end(x);
	return 207;
}

int dav_method_report(struct dav_ctx *x, struct dav_res *res)
{
	xmlDoc *doc;
	xmlNode *root;
	int rc;

	if (res->kind == DAV_K_NULL)
		return dav_fail(x, 404, DAV_COND_NONE, "no such resource");
	rc = dav_xml_parse(x, &doc);
	if (rc)
		return rc;
	if (!doc)
		return dav_fail(x, 400, DAV_COND_BAD_XML, "REPORT needs a request body");
	root = xmlDocGetRootElement(doc);
	if (dav_xml_is(root, NS_CALDAV, "calendar-multiget"))
		return dav_report_multiget(x, res, root);
	if (dav_xml_is(root, NS_CALDAV, "calendar-query"))
		return dav_report_query(x, res, root);
	if (dav_xml_is(root, NS_DAV, "sync-collection"))
		return dav_report_sync(x, res, root);
	if (dav_xml_is(root, NS_CALDAV, "free-busy-query"))
		return dav_report_freebusy(x, res, root);
	return dav_fail(x, 403, DAV_COND_SUPPORTED_REPORT,
	                "the report {%s}%s is not supported here", dav_xml_ns(root),
	                (const char *)root->name);
}
