/* dav_filter.c - from a CALDAV:filter element to an ics_comp_filter tree.
 *
 * Follows the grammar of RFC 4791 9.7 strictly: a comp-filter holds either
 * is-not-defined or (time-range?, prop-filter*, comp-filter*); a
 * prop-filter either is-not-defined or ((time-range | text-match)?,
 * param-filter*); a param-filter either is-not-defined or text-match?. The
 * root is one comp-filter named VCALENDAR, which takes no time-range.
 * Anything else is CALDAV:valid-filter; a collation other than i;octet,
 * i;ascii-casemap and i;unicode-casemap is CALDAV:supported-collation.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dav_int.h"

#define MAX_FILTER_DEPTH 8

static int invalid(struct dav_ctx *x, const char *what)
{
	return dav_fail(x, 403, DAV_COND_VALID_FILTER, "invalid filter: %s", what);
}

/* An attribute, arena copy, or NULL. */
static char *attr(struct dav_ctx *x, xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *r = v ? sd_arena_strdup(x->a, (const char *)v) : NULL;

	xmlFree(v);
	return r;
}

/* "20060104T000000Z" to Unix seconds; -1 if malformed. */
static int parse_utc(const char *s, int64_t *out)
{
	struct tm tm = { 0 };
	int n = 0;

	if (strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
		return -1;
	if (sscanf(s, "%4d%2d%2dT%2d%2d%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
	           &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n != 16 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

int dav_time_range_parse(struct dav_ctx *x, xmlNode *n, struct ics_time_range *out)
{
	char *s = attr(x, n, "start"), *e = attr(x, n, "end");

	out->start = ICS_TIME_MIN;
	out->end = ICS_TIME_MAX;
	if ((!s && !e) || (s && parse_utc(s, &out->start)) || (e && parse_utc(e, &out->end)))
		return dav_fail(x, 403, DAV_COND_VALID_FILTER,
		                "time-range needs a start and/or an end in UTC (YYYYMMDDTHHMMSSZ)");
	if (out->start >= out->end)
		return dav_fail(x, 403, DAV_COND_VALID_FILTER,
		                "time-range must start before it ends");
	return 0;
}

static int parse_text_match(struct dav_ctx *x, xmlNode *n, struct ics_text_match **out)
{
	struct ics_text_match *tm = sd_arena_alloc(x->a, sizeof(*tm));
	char *coll = attr(x, n, "collation"), *neg = attr(x, n, "negate-condition");

	if (!coll || !strcmp(coll, "i;ascii-casemap"))
		tm->collation = ICS_COLL_ASCII_CASEMAP;
	else if (!strcmp(coll, "i;octet"))
		tm->collation = ICS_COLL_OCTET;
	else if (!strcmp(coll, "i;unicode-casemap"))
		tm->collation = ICS_COLL_UNICODE_CASEMAP;
	else
		return dav_fail(x, 403, DAV_COND_SUPPORTED_COLLATION,
		                "collation %s is not supported (use i;ascii-casemap, i;octet or "
		                "i;unicode-casemap)",
		                coll);
	if (neg && strcmp(neg, "yes") && strcmp(neg, "no"))
		return invalid(x, "negate-condition must be yes or no");
	tm->negate = neg && !strcmp(neg, "yes");
	tm->text = dav_xml_text(x, n);
	*out = tm;
	return 0;
}

static char *required_name(struct dav_ctx *x, xmlNode *n)
{
	char *name = attr(x, n, "name");

	return name && *name ? name : NULL;
}

/* is-not-defined must stand alone. */
static int lone_not_defined(xmlNode *n)
{
	xmlNode *first = dav_xml_first(n);

	return dav_xml_is(first, NS_CALDAV, "is-not-defined") && !dav_xml_next(first);
}

static int parse_param(struct dav_ctx *x, xmlNode *n, struct ics_param_filter **out)
{
	struct ics_param_filter *pf = sd_arena_alloc(x->a, sizeof(*pf));
	xmlNode *c = dav_xml_first(n);

	if (!(pf->name = required_name(x, n)))
		return invalid(x, "param-filter without a name");
	if (c && dav_xml_is(c, NS_CALDAV, "is-not-defined")) {
		if (!lone_not_defined(n))
			return invalid(x, "is-not-defined must be alone in param-filter");
		pf->is_not_defined = 1;
	} else if (c) {
		if (!dav_xml_is(c, NS_CALDAV, "text-match") || dav_xml_next(c))
			return invalid(x, "param-filter holds is-not-defined or one text-match");
		if (parse_text_match(x, c, &pf->text))
			return 403;
	}
	*out = pf;
	return 0;
}

static int parse_prop(struct dav_ctx *x, xmlNode *n, struct ics_prop_filter **out)
{
	struct ics_prop_filter *pf = sd_arena_alloc(x->a, sizeof(*pf));
	struct ics_param_filter **tail = &pf->params;
	xmlNode *c = dav_xml_first(n);

	if (!(pf->name = required_name(x, n)))
		return invalid(x, "prop-filter without a name");
	if (c && dav_xml_is(c, NS_CALDAV, "is-not-defined")) {
		if (!lone_not_defined(n))
			return invalid(x, "is-not-defined must be alone in prop-filter");
		pf->is_not_defined = 1;
		*out = pf;
		return 0;
	}
	if (c && dav_xml_is(c, NS_CALDAV, "time-range")) {
		pf->range = sd_arena_alloc(x->a, sizeof(*pf->range));
		if (dav_time_range_parse(x, c, pf->range))
			return 403;
		c = dav_xml_next(c);
	} else if (c && dav_xml_is(c, NS_CALDAV, "text-match")) {
		if (parse_text_match(x, c, &pf->text))
			return 403;
		c = dav_xml_next(c);
	}
	for (; c; c = dav_xml_next(c)) {
		if (!dav_xml_is(c, NS_CALDAV, "param-filter"))
			return invalid(x, "unexpected element in prop-filter");
		if (parse_param(x, c, tail))
			return 403;
		tail = &(*tail)->next;
	}
	*out = pf;
	return 0;
}

static int parse_comp(struct dav_ctx *x, xmlNode *n, int depth, struct ics_comp_filter **out)
{
	struct ics_comp_filter *cf = sd_arena_alloc(x->a, sizeof(*cf));
	struct ics_prop_filter **ptail = &cf->props;
	struct ics_comp_filter **ctail = &cf->comps;
	xmlNode *c = dav_xml_first(n);

	if (depth > MAX_FILTER_DEPTH)
		return invalid(x, "comp-filters nested too deeply");
	if (!(cf->name = required_name(x, n)))
		return invalid(x, "comp-filter without a name");
	if (c && dav_xml_is(c, NS_CALDAV, "is-not-defined")) {
		if (!lone_not_defined(n))
			return invalid(x, "is-not-defined must be alone in comp-filter");
		cf->is_not_defined = 1;
		*out = cf;
		return 0;
	}
	if (c && dav_xml_is(c, NS_CALDAV, "time-range")) {
		cf->range = sd_arena_alloc(x->a, sizeof(*cf->range));
		if (dav_time_range_parse(x, c, cf->range))
			return 403;
		c = dav_xml_next(c);
	}
	for (; c && dav_xml_is(c, NS_CALDAV, "prop-filter"); c = dav_xml_next(c)) {
		if (parse_prop(x, c, ptail))
			return 403;
		ptail = &(*ptail)->next;
	}
	for (; c && dav_xml_is(c, NS_CALDAV, "comp-filter"); c = dav_xml_next(c)) {
		if (parse_comp(x, c, depth + 1, ctail))
			return 403;
		ctail = &(*ctail)->next;
	}
	if (c)
		return invalid(
		    x, "comp-filter children must be time-range, prop-filters, then comp-filters");
	*out = cf;
	return 0;
}

int dav_filter_parse(struct dav_ctx *x, xmlNode *filter, struct ics_comp_filter **out)
{
	xmlNode *root = dav_xml_first(filter);
	int rc;

	if (!filter || !dav_xml_is(root, NS_CALDAV, "comp-filter") || dav_xml_next(root))
		return invalid(x, "a filter holds exactly one comp-filter");
	rc = parse_comp(x, root, 0, out);
	if (rc)
		return rc;
	if (strcmp((*out)->name, "VCALENDAR") || (*out)->is_not_defined || (*out)->range)
		return invalid(x, "the outer comp-filter must name VCALENDAR, without time-range");
	return 0;
}
