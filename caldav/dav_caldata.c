/* dav_caldata.c - the CALDAV:calendar-data request element (RFC 4791 9.6).
 *
 * A report may ask for less than the whole object (comp/prop selection),
 * for the instances of a recurring set expanded in UTC (expand), for only
 * the overrides that matter (limit-recurrence-set) or for FREEBUSY limited
 * to a range (limit-freebusy-set). This file turns the element into a
 * struct ics_select once per request; ical/ applies it to each object.
 */
#include <string.h>

#include "dav_int.h"
#include "ics_select.h"

#define MAX_SELECT_DEPTH 8

static char *attr(xmlNode *n, const char *name, struct sd_arena *a)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *r = v ? sd_arena_strdup(a, (const char *)v) : NULL;

	xmlFree(v);
	return r;
}

static int bad(struct dav_ctx *x, const char *what)
{
	return dav_fail(x, 400, DAV_COND_BAD_XML, "calendar-data: %s", what);
}

static int parse_prop(struct dav_ctx *x, xmlNode *n, struct ics_prop_sel **out)
{
	struct ics_prop_sel *p = sd_arena_alloc(x->a, sizeof(*p));
	char *novalue = attr(n, "novalue", x->a);

	p->name = attr(n, "name", x->a);
	if (!p->name || !*p->name)
		return bad(x, "prop needs a name");
	if (novalue && strcmp(novalue, "yes") && strcmp(novalue, "no"))
		return bad(x, "novalue must be yes or no");
	p->novalue = novalue && !strcmp(novalue, "yes");
	*out = p;
	return 0;
}

/* comp: (allprop | prop*), (allcomp | comp*) */
static int parse_comp(struct dav_ctx *x, xmlNode *n, int depth, struct ics_comp_sel **out)
{
	struct ics_comp_sel *c = sd_arena_alloc(x->a, sizeof(*c));
	struct ics_prop_sel **pt = &c->props;
	struct ics_comp_sel **ct = &c->comps;

	if (depth > MAX_SELECT_DEPTH)
		return bad(x, "comp nested too deeply");
	c->name = attr(n, "name", x->a);
	if (!c->name || !*c->name)
		return bad(x, "comp needs a name");
	for (xmlNode *k = dav_xml_first(n); k; k = dav_xml_next(k)) {
		int rc = 0;

		if (dav_xml_is(k, NS_CALDAV, "allprop")) {
			c->allprop = 1;
		} else if (dav_xml_is(k, NS_CALDAV, "allcomp")) {
			c->allcomp = 1;
		} else if (dav_xml_is(k, NS_CALDAV, "prop")) {
			if (!(rc = parse_prop(x, k, pt)))
				pt = &(*pt)->next;
		} else if (dav_xml_is(k, NS_CALDAV, "comp")) {
			if (!(rc = parse_comp(x, k, depth + 1, ct)))
				ct = &(*ct)->next;
		} else {
			rc = bad(x, "unexpected element inside comp");
		}
		if (rc)
			return rc;
	}
	if ((c->allprop && c->props) || (c->allcomp && c->comps))
		return bad(x, "allprop/allcomp cannot be combined with prop/comp");
	*out = c;
	return 0;
}

/* expand and the limits need both ends (RFC 4791 9.6.5-9.6.7). */
static int parse_range(struct dav_ctx *x, xmlNode *n, int64_t *start, int64_t *end)
{
	struct ics_time_range r;
	xmlChar *s = xmlGetProp(n, (const xmlChar *)"start"),
	        *e = xmlGetProp(n, (const xmlChar *)"end");
	int both = s && e;

	xmlFree(s);
	xmlFree(e);
	if (!both)
		return dav_fail(x, 400, DAV_COND_BAD_XML, "calendar-data: %s needs start and end",
		                (const char *)n->name);
	if (dav_time_range_parse(x, n, &r))
		return 403;
	*start = r.start;
	*end = r.end;
	return 0;
}

static int parse_child(struct dav_ctx *x, xmlNode *k, struct ics_select *sel)
{
	if (dav_xml_is(k, NS_CALDAV, "comp")) {
		if (sel->comp)
			return bad(x, "only one top-level comp");
		return parse_comp(x, k, 0, &sel->comp);
	}
	if (dav_xml_is(k, NS_CALDAV, "expand")) {
		sel->expand = 1;
		return parse_range(x, k, &sel->expand_start, &sel->expand_end);
	}
	if (dav_xml_is(k, NS_CALDAV, "limit-recurrence-set")) {
		sel->limit_rset = 1;
		return parse_range(x, k, &sel->lr_start, &sel->lr_end);
	}
	if (dav_xml_is(k, NS_CALDAV, "limit-freebusy-set")) {
		sel->limit_fbset = 1;
		return parse_range(x, k, &sel->lf_start, &sel->lf_end);
	}
	return bad(x, "unexpected element");
}

int dav_caldata_parse(struct dav_ctx *x, xmlNode *n, const struct ics_select **out)
{
	struct ics_select *sel;
	char *type = attr(n, "content-type", x->a), *version = attr(n, "version", x->a);
	int rc;

	*out = NULL;
	if ((type && strcmp(type, "text/calendar")) || (version && strcmp(version, "2.0")))
		return dav_fail(x, 403, DAV_COND_SUPPORTED_CALENDAR_DATA,
		                "calendar data is available as text/calendar version 2.0 only");
	if (!dav_xml_first(n))
		return 0;
	sel = sd_arena_alloc(x->a, sizeof(*sel));
	for (xmlNode *k = dav_xml_first(n); k; k = dav_xml_next(k))
		if ((rc = parse_child(x, k, sel)))
			return rc;
	if (sel->comp && strcmp(sel->comp->name, "VCALENDAR"))
		return bad(x, "the top-level comp must be VCALENDAR");
	if (sel->expand && sel->limit_rset)
		return bad(x, "expand and limit-recurrence-set exclude each other");
	sel->max_instances = DAV_MAX_INSTANCES;
	*out = sel;
	return 0;
}
