/* ics.c - checking a calendar object resource (RFC 4791 4.1) and a
 * CALDAV:calendar-timezone value.
 *
 * A check runs in stages; the first failure ends it with one code and one
 * message, and every stage may rely on the ones before it:
 *
 *   stage                         fails with         where
 *   bytes, lines, nesting         ICS_EPARSE         ics_lex_scan (ics_lex.c)
 *   libical's tree, values        ICS_EPARSE         doc_parse, doc_scan
 *   VERSION, PRODID, CALSCALE     ICS_EPARSE         calendar_check
 *   METHOD                        ICS_EOBJECT        calendar_check
 *   VTIMEZONEs                    ICS_EPARSE         timezones_check, ics_tz.c
 *   member kinds                  ICS_ECOMPONENT     members_check
 *   one kind, UID, one master     ICS_EOBJECT        members_check
 *   TZIDs resolve                 ICS_EOBJECT        tzids_check
 *   times, instant range          ICS_EPARSE         ics_range (ics_range.c)
 *
 * The lines come from ics_lex.c, already unfolded, and are fed to libical
 * one by one with icalparser_add_line(); icalparser_parse_string() is not
 * used because it needs a NUL-terminated copy and flips a process-wide
 * error-state setting around every parse, a data race between threads.
 * libical is lenient and records what it cannot parse as X-LIC-ERROR
 * properties; doc_scan turns those into ICS_EPARSE, except for what RFC
 * 5545 says to accept and clients do send (unknown IANA properties, empty
 * text values) and X-LIC-ERROR properties the client itself sent back.
 *
 * libical reads nothing beyond the tree once it is built, and the tree is
 * freed before a check returns: results that outlive it (the UID) are copied
 * into the caller's arena.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ics_int.h"
#include "sd_util.h"

static const struct {
	unsigned bit;
	icalcomponent_kind kind;
	const char *name;
} comp_table[] = {
	{ ICS_COMP_VEVENT, ICAL_VEVENT_COMPONENT, "VEVENT" },
	{ ICS_COMP_VTODO, ICAL_VTODO_COMPONENT, "VTODO" },
	{ ICS_COMP_VJOURNAL, ICAL_VJOURNAL_COMPONENT, "VJOURNAL" },
	{ ICS_COMP_VFREEBUSY, ICAL_VFREEBUSY_COMPONENT, "VFREEBUSY" },
	{ ICS_COMP_VAVAILABILITY, ICAL_VAVAILABILITY_COMPONENT, "VAVAILABILITY" },
};

/* Properties that may occur at most once in whatever component holds them. */
static const icalproperty_kind single_props[] = {
	ICAL_UID_PROPERTY,          ICAL_DTSTART_PROPERTY, ICAL_DTEND_PROPERTY,
	ICAL_DURATION_PROPERTY,     ICAL_DUE_PROPERTY,     ICAL_RECURRENCEID_PROPERTY,
	ICAL_VERSION_PROPERTY,      ICAL_PRODID_PROPERTY,  ICAL_CALSCALE_PROPERTY,
	ICAL_METHOD_PROPERTY,       ICAL_TZID_PROPERTY,    ICAL_TZOFFSETTO_PROPERTY,
	ICAL_TZOFFSETFROM_PROPERTY,
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* Process-wide libical settings, set before any thread uses libical: a
 * libical built with ICAL_ERRORS_ARE_FATAL would abort() on bad input. */
static void ics_init(void)
{
	icalerror_set_errors_are_fatal(0);
	ics_tz_init();
}

/* ---- the document ---- */

static long comp_index(const struct ics_doc *d, const icalcomponent *c)
{
	for (size_t i = 0; i < d->ncomps; i++)
		if (d->comps[i] == c)
			return (long)i;
	return -1;
}

/* The line of p in c (its nth line of that name), else of c's BEGIN. */
static unsigned locate(struct ics_doc *d, icalcomponent *c, icalproperty *p)
{
	long ci = c && d->ncomps == d->lex.ncomp ? comp_index(d, c) : -1;
	const char *pname;
	unsigned nth = 0;
	char name[64];

	if (ci < 0)
		return 0;
	pname = p ? icalproperty_get_property_name(p) : NULL;
	if (!pname)
		return ics_lex_find(&d->lex, (unsigned)ci, "BEGIN", 0);
	snprintf(name, sizeof(name), "%s", pname);
	for (icalproperty *q = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); q && q != p;
	     q = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
		const char *qname = icalproperty_get_property_name(q);

		nth += qname && strcasecmp(qname, name) == 0;
	}
	return ics_lex_find(&d->lex, (unsigned)ci, name, nth);
}

int ics_fail(struct ics_doc *d, int code, icalcomponent *c, icalproperty *p, const char *fmt, ...)
{
	char msg[400];
	unsigned line;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	line = locate(d, c, p);
	if (line)
		return sd_err_set(d->err, code, "line %u: %s", line, msg);
	return sd_err_set(d->err, code, "%s", msg);
}

const char *ics_doc_comp_name(struct ics_doc *d, icalcomponent *c)
{
	icalcomponent_kind kind = icalcomponent_isa(c);
	long ci;

	if (kind != ICAL_NO_COMPONENT && kind != ICAL_X_COMPONENT &&
	    kind != ICAL_XLICINVALID_COMPONENT)
		return icalcomponent_kind_to_string(kind);
	/* libical does not name unknown components; their BEGIN line does. */
	ci = d->ncomps == d->lex.ncomp ? comp_index(d, c) : -1;
	for (size_t i = 0; ci >= 0 && i < d->lex.n; i++)
		if (d->lex.lines[i].comp == (unsigned)ci)
			return d->lex.lines[i].value;
	return "an unknown component";
}

icalproperty **ics_props(struct ics_doc *d, icalcomponent *c, icalproperty_kind kind, size_t *n)
{
	icalproperty **v;
	size_t i = 0;

	*n = (size_t)icalcomponent_count_properties(c, kind);
	v = sd_arena_alloc(d->a, (*n + 1) * sizeof(*v));
	for (icalproperty *p = icalcomponent_get_first_property(c, kind); p && i < *n;
	     p = icalcomponent_get_next_property(c, kind))
		v[i++] = p;
	*n = i;
	return v;
}

static void index_tree(struct ics_doc *d, icalcomponent *c, size_t cap)
{
	if (d->ncomps == cap)
		return;
	d->comps[d->ncomps++] = c;
	for (icalcomponent *k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); k;
	     k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		index_tree(d, k, cap);
}

/* Feeds the lexed lines to libical and indexes the tree in document order,
 * which is the order of the BEGIN lines. */
static int doc_parse(struct ics_doc *d)
{
	icalparser *ps = icalparser_new();

	if (!ps)
		abort();
	for (size_t i = 0; i < d->lex.n; i++) {
		/* libical 3.0 neither keeps nor frees the line (checked), its
		 * comment on ownership notwithstanding. */
		icalcomponent *c = icalparser_add_line(ps, d->lex.lines[i].text);

		if (c) {
			if (d->root)
				icalcomponent_free(d->root);
			d->root = c;
		}
	}
	if (!d->root)
		d->root = icalparser_clean(ps);
	icalparser_free(ps);
	if (!d->root || icalcomponent_isa(d->root) != ICAL_VCALENDAR_COMPONENT)
		return sd_err_set(d->err, ICS_EPARSE, "libical could not read the calendar");
	d->comps = sd_arena_alloc(d->a, (d->lex.ncomp + 1) * sizeof(*d->comps));
	index_tree(d, d->root, d->lex.ncomp + 1);
	return ICS_OK;
}

/* ---- libical's complaints and the values it let through ---- */

/* X-LIC-ERRORs for what RFC 5545 says to accept: a property name libical
 * does not know (the lexer made sure it is a well-formed IANA token) and an
 * empty TEXT value (LOCATION:, DESCRIPTION:, X-FOO:), which clients send. */
static int xlic_benign(icalproperty *p, const char *msg)
{
	icalparameter *tp = icalproperty_get_first_parameter(p, ICAL_XLICERRORTYPE_PARAMETER);
	icalparameter_xlicerrortype type =
	    tp ? icalparameter_get_xlicerrortype(tp) : ICAL_XLICERRORTYPE_NONE;
	char name[64];
	icalproperty_kind kind;

	if (type == ICAL_XLICERRORTYPE_PROPERTYPARSEERROR)
		return strncmp(msg, "Parse error in property name", 28) == 0;
	if (type != ICAL_XLICERRORTYPE_VALUEPARSEERROR ||
	    sscanf(msg, "No value for %63s property", name) != 1)
		return 0;
	if (strcmp(name, "X") == 0)
		return 1;
	kind = icalproperty_string_to_kind(name);
	return kind != ICAL_NO_PROPERTY && icalproperty_kind_to_value_kind(kind) == ICAL_TEXT_VALUE;
}

/* The line libical complains about: the one whose value it quotes, or the
 * empty one for "No value for NAME property". */
static unsigned xlic_line(struct ics_doc *d, unsigned ci, const char *msg)
{
	char name[64];

	if (d->ncomps != d->lex.ncomp)
		return 0;
	if (sscanf(msg, "No value for %63s property", name) == 1)
		return ics_lex_find_empty(&d->lex, ci, name);
	return ics_lex_find_value(&d->lex, ci, msg);
}

static int scan_xlic(struct ics_doc *d, unsigned ci, icalcomponent *c, icalproperty *p)
{
	static const char removing[] = ". Removing entire property";
	const char *msg = icalproperty_get_xlicerror(p);
	const char *cut, *rest = "";
	unsigned line;
	int n;

	if (!msg)
		msg = "";
	if (ics_lex_take_xlic(&d->lex, ci, msg) || xlic_benign(p, msg))
		return ICS_OK;
	/* Removing the property is libical's plan, not ours: we refuse. */
	cut = strstr(msg, removing);
	if (cut) {
		n = (int)(cut - msg);
		rest = cut + sizeof(removing) - 1;
		if (strcmp(rest, ":") == 0)
			rest = "";
	} else {
		n = ics_clip(msg, 200);
	}
	line = xlic_line(d, ci, msg);
	if (line)
		return sd_err_set(d->err, ICS_EPARSE, "line %u: %.*s%.*s", line, n, msg,
		                  ics_clip(rest, 100), rest);
	return sd_err_set(d->err, ICS_EPARSE, "%s: %.*s%.*s", ics_doc_comp_name(d, c), n, msg,
	                  ics_clip(rest, 100), rest);
}

static int bad_time(struct ics_doc *d, icalcomponent *c, icalproperty *p, struct icaltimetype t)
{
	const char *name = icalproperty_get_property_name(p);

	if (icaltime_is_null_time(t) || ics_time_valid(t))
		return ICS_OK;
	return ics_fail(d, ICS_EPARSE, c, p,
	                "%s has an impossible date or time (%04d-%02d-%02d %02d:%02d:%02d)",
	                name ? name : "a property", t.year, t.month, t.day, t.hour, t.minute,
	                t.second);
}

/* libical takes 2024-02-30 and 25:00:00 as they come. */
static int scan_value(struct ics_doc *d, icalcomponent *c, icalproperty *p)
{
	icalvalue *v = icalproperty_get_value(p);
	struct icaldatetimeperiodtype dp;
	struct icalperiodtype per;
	int rc;

	switch (v ? icalvalue_isa(v) : ICAL_NO_VALUE) {
	case ICAL_DATE_VALUE:
	case ICAL_DATETIME_VALUE:
		return bad_time(d, c, p, icalvalue_get_datetimedate(v));
	case ICAL_DATETIMEPERIOD_VALUE:
		dp = icalvalue_get_datetimeperiod(v);
		if (!icaltime_is_null_time(dp.time))
			return bad_time(d, c, p, dp.time);
		per = dp.period;
		break;
	case ICAL_PERIOD_VALUE:
		per = icalvalue_get_period(v);
		break;
	case ICAL_RECUR_VALUE:
		return bad_time(d, c, p, icalvalue_get_recur(v).until);
	case ICAL_TRIGGER_VALUE:
		return bad_time(d, c, p, icalvalue_get_trigger(v).time);
	default:
		return ICS_OK;
	}
	rc = bad_time(d, c, p, per.start);
	return rc ? rc : bad_time(d, c, p, per.end);
}

static int single_index(icalproperty_kind kind)
{
	for (size_t i = 0; i < SD_ARRAY_LEN(single_props); i++)
		if (single_props[i] == kind)
			return (int)i;
	return -1;
}

static int scan_comp(struct ics_doc *d, unsigned ci, icalcomponent *c)
{
	unsigned seen[SD_ARRAY_LEN(single_props)] = { 0 };
	int rc = ICS_OK;

	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p && !rc;
	     p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
		icalproperty_kind kind = icalproperty_isa(p);
		int si = single_index(kind);

		if (kind == ICAL_XLICERROR_PROPERTY) {
			rc = scan_xlic(d, ci, c, p);
		} else if (si >= 0 && ++seen[si] > 1) {
			rc = ics_fail(d, ICS_EPARSE, c, p, "%s has more than one %s",
			              ics_doc_comp_name(d, c), icalproperty_kind_to_string(kind));
		} else {
			rc = scan_value(d, c, p);
		}
	}
	return rc;
}

static int doc_scan(struct ics_doc *d)
{
	int rc = ICS_OK;

	for (size_t i = 0; i < d->ncomps && !rc; i++)
		rc = scan_comp(d, (unsigned)i, d->comps[i]);
	return rc;
}

void ics_once(void)
{
	pthread_once(&init_once, ics_init);
}

int ics_doc_parse(struct ics_doc *d, const char *data, size_t len, struct sd_arena *a,
                  struct sd_err *err)
{
	int rc;

	memset(d, 0, sizeof(*d));
	d->a = a;
	d->err = err;
	d->steps_left = ICS_STEPS_MAX;
	d->rules_left = ICS_RULES_MAX;
	ics_once();
	if (len == 0)
		return sd_err_set(err, ICS_EPARSE, "the calendar data is empty");
	if (memchr(data, '\0', len))
		return sd_err_set(err, ICS_EPARSE, "the calendar data contains a NUL byte");
	rc = ics_lex_scan(&d->lex, data, len, a, err);
	return rc ? rc : doc_parse(d);
}

void ics_doc_close(struct ics_doc *d)
{
	ics_tz_release(d);
	if (d->root)
		icalcomponent_free(d->root);
	d->root = NULL;
}

int ics_doc_open(struct ics_doc *d, const char *data, size_t len, struct sd_arena *a,
                 struct sd_err *err)
{
	int rc = ics_doc_parse(d, data, len, a, err);

	return rc ? rc : doc_scan(d);
}

/* ---- the calendar and its members ---- */

static int calendar_check(struct ics_doc *d, int object)
{
	icalcomponent *cal = d->root;
	icalproperty *p;
	const char *v;

	p = icalcomponent_get_first_property(cal, ICAL_VERSION_PROPERTY);
	v = p ? icalproperty_get_version(p) : NULL;
	if (!p && object)
		return ics_fail(d, ICS_EPARSE, cal, NULL, "the calendar has no VERSION:2.0");
	if (p && (!v || strcmp(v, "2.0") != 0))
		return ics_fail(d, ICS_EPARSE, cal, p,
		                "VERSION is %.*s; only iCalendar 2.0 (RFC 5545) is supported",
		                v ? ics_clip(v, 20) : 0, v ? v : "");
	if (object && !icalcomponent_get_first_property(cal, ICAL_PRODID_PROPERTY))
		return ics_fail(d, ICS_EPARSE, cal, NULL, "the calendar has no PRODID");
	p = icalcomponent_get_first_property(cal, ICAL_CALSCALE_PROPERTY);
	v = p ? icalproperty_get_calscale(p) : NULL;
	if (v && strcasecmp(v, "GREGORIAN") != 0)
		return ics_fail(d, ICS_EPARSE, cal, p,
		                "CALSCALE:%.*s is not supported (only GREGORIAN)", ics_clip(v, 40),
		                v);
	p = icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY);
	if (object && p)
		return ics_fail(
		    d, ICS_EOBJECT, cal, p,
		    "METHOD is not allowed in a calendar object resource (RFC 4791 4.1); "
		    "store the calendar without METHOD:%s",
		    icalproperty_method_to_string(icalproperty_get_method(p)));
	return ICS_OK;
}

static int timezones_check(struct ics_doc *d, size_t *count)
{
	const char **seen;
	size_t n = 0;
	int rc = ICS_OK;

	seen = sd_arena_alloc(d->a, (d->ncomps + 1) * sizeof(*seen));
	for (icalcomponent *z =
	         icalcomponent_get_first_component(d->root, ICAL_VTIMEZONE_COMPONENT);
	     z && !rc; z = icalcomponent_get_next_component(d->root, ICAL_VTIMEZONE_COMPONENT)) {
		const char *tzid;

		rc = ics_vtimezone_check(d, z);
		if (rc)
			break;
		tzid =
		    icalproperty_get_tzid(icalcomponent_get_first_property(z, ICAL_TZID_PROPERTY));
		for (size_t i = 0; i < n && !rc; i++)
			if (strcmp(seen[i], tzid) == 0)
				rc = ics_fail(d, ICS_EPARSE, z, NULL,
				              "two VTIMEZONEs define TZID '%.*s'",
				              ics_clip(tzid, 60), tzid);
		seen[n++] = tzid;
	}
	*count = n;
	return rc;
}

static unsigned comp_bit(icalcomponent_kind kind)
{
	for (size_t i = 0; i < SD_ARRAY_LEN(comp_table); i++)
		if (comp_table[i].kind == kind)
			return comp_table[i].bit;
	return 0;
}

static int member_uid(struct ics_doc *d, icalcomponent *c, const char **uid)
{
	icalproperty *p = icalcomponent_get_first_property(c, ICAL_UID_PROPERTY);
	const char *v = p ? icalproperty_get_uid(p) : NULL;

	if (!v || !*v)
		return ics_fail(d, ICS_EOBJECT, c, p, "%s has no UID", ics_doc_comp_name(d, c));
	if (*uid && strcmp(*uid, v) != 0)
		return ics_fail(d, ICS_EOBJECT, c, p,
		                "UID '%.*s' differs from the first component's '%.*s'; all "
		                "components of one object share one UID",
		                ics_clip(v, 60), v, ics_clip(*uid, 60), *uid);
	*uid = v;
	return ICS_OK;
}

struct recur_key {
	char *key;
	icalcomponent *comp;
	size_t pos; /* in document order: the later of two equal keys is reported */
};

static int recur_key_cmp(const void *x, const void *y)
{
	const struct recur_key *a = x, *b = y;
	int c = strcmp(a->key, b->key);

	return c ? c : (a->pos > b->pos) - (a->pos < b->pos);
}

/* Two overrides of the same instance: compared as written (with TZID). */
static int overrides_check(struct ics_doc *d, icalcomponent_kind kind, size_t n)
{
	struct recur_key *keys = sd_arena_alloc(d->a, (n + 1) * sizeof(*keys));
	size_t k = 0;

	for (icalcomponent *c = icalcomponent_get_first_component(d->root, kind); c && k < n;
	     c = icalcomponent_get_next_component(d->root, kind)) {
		icalproperty *p = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
		icalparameter *tz =
		    p ? icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER) : NULL;

		if (!p)
			continue;
		keys[k].comp = c;
		keys[k].pos = k;
		keys[k++].key = sd_arena_printf(d->a, "%s|%s", tz ? icalparameter_get_tzid(tz) : "",
		                                icalproperty_get_value_as_string(p));
	}
	qsort(keys, k, sizeof(*keys), recur_key_cmp);
	for (size_t i = 1; i < k; i++)
		if (strcmp(keys[i - 1].key, keys[i].key) == 0)
			return ics_fail(d, ICS_EOBJECT, keys[i].comp, NULL,
			                "two %ss override the same instance (RECURRENCE-ID %.*s)",
			                ics_doc_comp_name(d, keys[i].comp),
			                ics_clip(strchr(keys[i].key, '|') + 1, 60),
			                strchr(keys[i].key, '|') + 1);
	return ICS_OK;
}

/* One member: a kind stored here and the same as the first's, the same
 * UID, and no second master. */
static int member_check(struct ics_doc *d, icalcomponent *c, icalcomponent **first,
                        icalcomponent **master, const char **uid)
{
	icalcomponent_kind k = icalcomponent_isa(c);
	int rc;

	if (!comp_bit(k))
		return ics_fail(d, ICS_ECOMPONENT, c, NULL,
		                "%s is not a calendar component this server stores (VEVENT, "
		                "VTODO, VJOURNAL, VFREEBUSY or VAVAILABILITY)",
		                ics_doc_comp_name(d, c));
	if (*first && k != icalcomponent_isa(*first))
		return ics_fail(d, ICS_EOBJECT, c, NULL,
		                "the object mixes %s and %s; one calendar object holds "
		                "components of one kind",
		                ics_doc_comp_name(d, *first), ics_doc_comp_name(d, c));
	if (!*first)
		*first = c;
	rc = member_uid(d, c, uid);
	if (rc || icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY))
		return rc;
	if (*master)
		return ics_fail(d, ICS_EOBJECT, c, NULL,
		                "a second %s without RECURRENCE-ID: an object holds one event "
		                "(or task...) and the overrides of its instances",
		                ics_doc_comp_name(d, c));
	*master = c;
	return ICS_OK;
}

/* Everything but VTIMEZONEs: one supported kind, one UID, one master. */
static int members_check(struct ics_doc *d, unsigned allowed, icalcomponent_kind *kind,
                         const char **uid)
{
	icalcomponent *first = NULL, *master = NULL;
	size_t n = 0;
	int rc = ICS_OK;

	*uid = NULL;
	for (icalcomponent *c = icalcomponent_get_first_component(d->root, ICAL_ANY_COMPONENT);
	     c && !rc; c = icalcomponent_get_next_component(d->root, ICAL_ANY_COMPONENT)) {
		if (icalcomponent_isa(c) == ICAL_VTIMEZONE_COMPONENT)
			continue;
		rc = member_check(d, c, &first, &master, uid);
		n++;
	}
	if (rc)
		return rc;
	if (!first)
		return ics_fail(d, ICS_EOBJECT, d->root, NULL,
		                "the calendar has no VEVENT, VTODO, VJOURNAL, VFREEBUSY or "
		                "VAVAILABILITY");
	*kind = icalcomponent_isa(first);
	if (!(allowed & comp_bit(*kind)))
		return ics_fail(d, ICS_ECOMPONENT, first, NULL,
		                "this calendar does not accept %s components",
		                ics_comp_name(comp_bit(*kind)));
	return overrides_check(d, *kind, n);
}

/* Every TZID parameter names a VTIMEZONE of the object or a system zone. */
static int tzids_check(struct ics_doc *d)
{
	for (size_t i = 0; i < d->ncomps; i++) {
		icalcomponent *c = d->comps[i];

		for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
		     p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
			icalparameter *tz =
			    icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
			const char *tzid = tz ? icalparameter_get_tzid(tz) : NULL;

			if (tzid && !ics_tz_lookup(d, tzid))
				return ics_fail(
				    d, ICS_EOBJECT, c, p,
				    "TZID '%.*s' is not defined in the object and not a "
				    "known time zone",
				    ics_clip(tzid, 60), tzid);
		}
	}
	return ICS_OK;
}

/* ---- public ---- */

int ics_object_check(const char *data, size_t len, unsigned allowed_comps, struct sd_arena *a,
                     struct ics_info *out, struct sd_err *err)
{
	struct ics_doc d;
	icalcomponent_kind kind = ICAL_NO_COMPONENT;
	const char *uid = NULL;
	size_t ntz;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ics_doc_open(&d, data, len, a, err);
	if (rc)
		goto out;
	rc = calendar_check(&d, 1);
	if (rc)
		goto out;
	rc = timezones_check(&d, &ntz);
	if (rc)
		goto out;
	rc = members_check(&d, allowed_comps, &kind, &uid);
	if (rc)
		goto out;
	rc = tzids_check(&d);
	if (rc)
		goto out;
	rc = ics_range(&d, kind, out);
	if (rc)
		goto out;
	out->uid = sd_arena_strdup(a, uid);
	out->comp = comp_bit(kind);
out:
	ics_doc_close(&d);
	return rc;
}

int ics_timezone_check(const char *data, size_t len, struct sd_err *err)
{
	struct sd_arena *a = sd_arena_new();
	struct ics_doc d;
	size_t ntz = 0;
	int rc;

	rc = ics_doc_open(&d, data, len, a, err);
	if (rc)
		goto out;
	rc = calendar_check(&d, 0);
	if (rc)
		goto out;
	if ((size_t)icalcomponent_count_components(d.root, ICAL_ANY_COMPONENT) !=
	    (size_t)icalcomponent_count_components(d.root, ICAL_VTIMEZONE_COMPONENT)) {
		rc = sd_err_set(err, ICS_EOBJECT,
		                "a calendar time zone holds one VTIMEZONE and no other component");
		goto out;
	}
	rc = timezones_check(&d, &ntz);
	if (rc)
		goto out;
	if (ntz != 1)
		rc = sd_err_set(err, ICS_EOBJECT,
		                "a calendar time zone holds exactly one VTIMEZONE, not %zu", ntz);
out:
	ics_doc_close(&d);
	sd_arena_free(a);
	return rc;
}

const char *ics_comp_name(unsigned comp)
{
	for (size_t i = 0; i < SD_ARRAY_LEN(comp_table); i++)
		if (comp_table[i].bit == comp)
			return comp_table[i].name;
	return NULL;
}

unsigned ics_comp_from_name(const char *name)
{
	for (size_t i = 0; name && i < SD_ARRAY_LEN(comp_table); i++)
		if (sd_strcaseeq(name, comp_table[i].name))
			return comp_table[i].bit;
	return 0;
}
