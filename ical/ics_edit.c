/* ics_edit.c - a client's edited copy of a booking's calendar object: read
 * into plain values, and merged with the server's form (see ics_edit.h).
 *
 * Both work mostly on content lines (ics_lex.c), not on libical's tree:
 * the merge copies what the client wrote, line for line, and reading TEXT
 * values and parameters from the lines keeps their escaping rules in this
 * file instead of in libical's version-dependent handling of X- values.
 * libical is used for what it is needed for: the checks of
 * ics_object_check, and times (zones through ics_tz_lookup, which takes
 * the module's lock for the system zones).
 *
 * A struct ldoc adds to the lexed lines the shape of the tree: for each
 * component (in document order, the index ics_lex gives its lines) its
 * name, parent and the lines of its BEGIN and END. Components are
 * contiguous: a component's lines, its children's included, are the lines
 * from its BEGIN to its END.
 *
 * The merge. Items are what the client keeps: a VCALENDAR property, a
 * property of the master VEVENT (one line) or a subcomponent of it (its
 * lines, BEGIN to END); VTIMEZONEs come along only when a kept item names
 * their TZID. The output is the server's lines in order, with the items
 * spliced in at three points: the calendar's properties end (the first
 * child's BEGIN), the master's properties end, and the master's END. So
 * merging a merge finds the same items, in the same order, and writes the
 * same bytes. The result is checked whole with ics_object_check; only when
 * that fails is each item checked alone (in a small object of its own,
 * with the zones it names), the bad ones left out, and the whole checked
 * again; if that still fails, the server's text is the result.
 *
 * Invariants that make a second merge a no-op:
 * - items are taken in document order up to the first that does not fit
 *   the caps (a zone counts when an item first brings it along); a second
 *   merge sees only what the first kept, a prefix that fits;
 * - the SUMMARY item is outside the caps: the merged object always has
 *   one, the client's or the server's, and the second merge takes it as
 *   the client's;
 * - what the server's VEVENT and VCALENDAR have themselves is never an
 *   item, so the server's lines are never copied twice; nor is a child of
 *   the client's master that equals one of the server's master.
 */
#include "ics_edit.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ics_int.h"
#include "sd_buf.h"
#include "sd_util.h"

#define DAY            INT64_C(86400)
#define KEEP_ITEMS_MAX 1000  /* items kept from the client */
#define KEEP_LINES_MAX 10000 /* their lines */
#define DEPTH_MAX      20    /* ics_lex nests at most 16 */

/* ---- the tree of a lexed document ---- */

struct node {
	const char *name;  /* the BEGIN line's value */
	long parent;       /* -1 for the VCALENDAR */
	size_t begin, end; /* indices of its BEGIN and END lines */
	int has_rid;       /* has a RECURRENCE-ID line */
};

struct ldoc {
	struct ics_lex lx;
	struct node *n; /* lx.ncomp of them */
};

static int line_named(const struct ics_line *l, const char *name)
{
	return l->name_len == strlen(name) && strncasecmp(l->text, name, l->name_len) == 0;
}

static int line_prefixed(const struct ics_line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l->name_len >= n && strncasecmp(l->text, prefix, n) == 0;
}

static int line_is_begin_end(const struct ics_line *l)
{
	return line_named(l, "BEGIN") || line_named(l, "END");
}

static void ldoc_index(struct ldoc *d, struct sd_arena *a)
{
	long stack[DEPTH_MAX];
	int depth = 0;

	d->n = sd_arena_alloc(a, (d->lx.ncomp + 1) * sizeof(*d->n));
	for (size_t i = 0; i < d->lx.n; i++) {
		const struct ics_line *l = &d->lx.lines[i];

		if (line_named(l, "BEGIN") && depth < DEPTH_MAX) {
			struct node *k = &d->n[l->comp];

			k->name = l->value;
			k->parent = depth ? stack[depth - 1] : -1;
			k->begin = k->end = i;
			stack[depth++] = l->comp;
		} else if (line_named(l, "END") && depth > 0) {
			d->n[stack[--depth]].end = i;
		} else if (line_named(l, "RECURRENCE-ID")) {
			d->n[l->comp].has_rid = 1;
		}
	}
}

static int ldoc_open(struct ldoc *d, const char *text, struct sd_arena *a)
{
	size_t len = text ? strlen(text) : 0;

	memset(d, 0, sizeof(*d));
	if (len == 0 || ics_lex_scan(&d->lx, text, len, a, NULL) != ICS_OK)
		return ICS_EPARSE;
	ldoc_index(d, a);
	return ICS_OK;
}

static int is_event(const struct ldoc *d, size_t k)
{
	return d->n[k].parent == 0 && strcasecmp(d->n[k].name, "VEVENT") == 0;
}

/* The master VEVENT: the one without RECURRENCE-ID; with any_first, the
 * first VEVENT when every one has one. -1 if none. */
static long ldoc_master(const struct ldoc *d, int any_first)
{
	long first = -1;

	for (size_t k = 1; k < d->lx.ncomp; k++) {
		if (!is_event(d, k))
			continue;
		if (!d->n[k].has_rid)
			return (long)k;
		if (first < 0)
			first = (long)k;
	}
	return any_first ? first : -1;
}

/* ---- values and parameters ---- */

/* The raw value of parameter name of l (quoted or not), NULL if absent. */
static const char *param_span(const struct ics_line *l, const char *name, size_t *len)
{
	const char *s = l->text + l->name_len, *stop = l->value - 1;
	size_t nlen = strlen(name);

	while (s < stop && *s == ';') {
		const char *pn = ++s, *v;
		int quoted = 0;

		while (s < stop && *s != '=' && *s != ';')
			s++;
		if (s >= stop || *s != '=')
			continue;
		v = ++s;
		for (; s < stop && (quoted || *s != ';'); s++)
			if (*s == '"')
				quoted = !quoted;
		if ((size_t)(v - 1 - pn) == nlen && strncasecmp(pn, name, nlen) == 0) {
			*len = (size_t)(s - v);
			return v;
		}
	}
	return NULL;
}

/* A parameter's value: the quotes of a quoted one dropped, RFC 6868's ^n,
 * ^' and ^^ undone; NULL if absent. */
static char *param_get(struct sd_arena *a, const struct ics_line *l, const char *name)
{
	size_t n;
	const char *v = param_span(l, name, &n);
	char *out, *o;

	if (!v)
		return NULL;
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"' && !memchr(v + 1, '"', n - 2)) {
		v++;
		n -= 2;
	}
	out = o = sd_arena_alloc(a, n + 1);
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '^' && i + 1 < n && strchr("n'^", v[i + 1])) {
			i++;
			*o++ = v[i] == 'n' ? '\n' : v[i] == '\'' ? '"' : '^';
		} else {
			*o++ = v[i];
		}
	}
	*o = '\0';
	return out;
}

/* TEXT (RFC 5545 3.3.11) unescaped; an unknown escape is kept as written. */
static char *text_unescape(struct sd_arena *a, const char *s)
{
	char *out = sd_arena_alloc(a, strlen(s) + 1), *o = out;

	for (; *s; s++) {
		if (*s == '\\' && s[1] && strchr("\\;,nN", s[1])) {
			s++;
			*o++ = (*s == 'n' || *s == 'N') ? '\n' : *s;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

static char *upper_dup(struct sd_arena *a, const char *s)
{
	size_t n = strlen(s);
	char *out;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	out = sd_arena_strndup(a, s, n);
	for (char *p = out; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return out;
}

static void lower(char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
}

/* A cal-address for comparison (see struct ics_edit_party). */
static const char *address_key(struct sd_arena *a, const char *uri)
{
	const char *colon;
	char *k;

	while (*uri == ' ')
		uri++;
	colon = strchr(uri, ':');
	if (!colon && strchr(uri, '@')) {
		k = sd_arena_printf(a, "mailto:%s", uri);
		lower(k, strlen(k));
	} else {
		k = sd_arena_strdup(a, uri);
		if (colon)
			lower(k, (size_t)(colon - uri));
		if (strncmp(k, "mailto:", 7) == 0)
			lower(k, strlen(k));
	}
	for (size_t n = strlen(k); n > 0 && k[n - 1] == ' '; n--)
		k[n - 1] = '\0';
	return k;
}

static void party_read(struct sd_arena *a, const struct ics_line *l, int attendee,
                       struct ics_edit_party *p)
{
	p->uri = sd_arena_strdup(a, l->value);
	p->address = address_key(a, l->value);
	p->cn = param_get(a, l, "CN");
	if (!attendee)
		return;
	p->partstat = param_get(a, l, "PARTSTAT");
	p->partstat = upper_dup(a, p->partstat && *p->partstat ? p->partstat : "NEEDS-ACTION");
	p->role = param_get(a, l, "ROLE");
	p->role = upper_dup(a, p->role && *p->role ? p->role : "REQ-PARTICIPANT");
}

/* ---- ics_edit_read ---- */

/* The zone a value of p is read in: its TZID's, NULL for UTC, deftz for a
 * floating time or a DATE. */
static int value_zone(struct ics_doc *d, icaltimezone *deftz, icalproperty *p,
                      struct icaltimetype t, icaltimezone **zone, int *floating)
{
	icalparameter *tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	const char *tzid = tz ? icalparameter_get_tzid(tz) : NULL;

	*zone = deftz;
	*floating = 1;
	if (t.is_date)
		return ICS_OK;
	if (icaltime_is_utc(t)) {
		*zone = NULL;
		*floating = 0;
	} else if (tzid) {
		*zone = ics_tz_lookup(d, tzid);
		*floating = 0;
		if (!*zone)
			return ics_fail(d, ICS_EOBJECT, NULL, p,
			                "TZID '%.*s' is not defined in the object and not a "
			                "known time zone",
			                ics_clip(tzid, 60), tzid);
	}
	return ICS_OK;
}

static int times_read(struct ics_doc *d, icaltimezone *deftz, icalcomponent *c,
                      struct ics_edit *out)
{
	icalproperty *ps = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
	icalproperty *pe = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY);
	icalproperty *pd = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
	struct icaltimetype ts, te;
	icaltimezone *zs, *ze;
	int64_t ws, days = 0, secs = 0;
	int rc, fl;

	if (!ps)
		return ics_fail(d, ICS_EPARSE, c, NULL, "the VEVENT has no DTSTART");
	ts = icalproperty_get_dtstart(ps);
	if ((rc = value_zone(d, deftz, ps, ts, &zs, &out->floating)))
		return rc;
	out->all_day = ts.is_date;
	ws = ics_wall_secs(ts);
	out->start = ics_to_instant(zs, ws);
	out->end = out->start;
	if (pe) {
		te = icalproperty_get_dtend(pe);
		if ((rc = value_zone(d, deftz, pe, te, &ze, &fl)))
			return rc;
		out->end = ics_to_instant(ze, ics_wall_secs(te));
	} else if (pd) {
		struct icaldurationtype du = icalproperty_get_duration(pd);

		days = du.is_neg ? 0 : (int64_t)du.weeks * 7 + du.days;
		secs = du.is_neg ? 0
		                 : (int64_t)du.hours * 3600 + (int64_t)du.minutes * 60 + du.seconds;
	} else if (ts.is_date) {
		days = 1;
	}
	if (days > 0)
		out->end =
		    ics_to_instant(zs, ics_clamp_wall(ics_sat_add(ws, ics_sat_mul(days, DAY))));
	out->end = ics_sat_add(out->end, secs);
	if (out->end < out->start)
		out->end = out->start;
	return ICS_OK;
}

/* The master in libical's tree, chosen as ldoc_master chooses. */
static icalcomponent *tree_master(icalcomponent *root)
{
	icalcomponent *first = NULL;

	for (icalcomponent *c = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); c;
	     c = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
		if (!icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY))
			return c;
		if (!first)
			first = c;
	}
	return first;
}

static void xprop_read(struct sd_arena *a, const struct ics_line *l, struct ics_xprop *x)
{
	const char *type = param_get(a, l, "VALUE");

	x->name = upper_dup(a, sd_arena_strndup(a, l->text, l->name_len));
	x->value = !type || sd_strcaseeq(type, "TEXT") ? text_unescape(a, l->value)
	                                               : sd_arena_strdup(a, l->value);
}

/* The first occurrence of a TEXT property, unescaped. */
static void text_once(struct sd_arena *a, const struct ics_line *l, const char **slot)
{
	if (!*slot)
		*slot = text_unescape(a, l->value);
}

static void props_read(struct sd_arena *a, const struct ldoc *d, size_t m, struct ics_edit *out)
{
	size_t cap = d->n[m].end - d->n[m].begin + 1, nx = 0, ns = 0, na = 0;
	struct ics_edit_party *att = sd_arena_alloc(a, cap * sizeof(*att)), *org = NULL;
	struct ics_xprop *xs = sd_arena_alloc(a, cap * sizeof(*xs));
	struct ics_xprop *sl = sd_arena_alloc(a, cap * sizeof(*sl));

	for (size_t i = d->n[m].begin + 1; i < d->n[m].end; i++) {
		const struct ics_line *l = &d->lx.lines[i];

		if (l->comp != m)
			continue;
		if (line_named(l, "STATUS") && !out->status) {
			out->status = upper_dup(a, l->value);
		} else if (line_named(l, "SEQUENCE")) {
			long long v = strtoll(l->value, NULL, 10);

			out->sequence = v > 0 ? (int64_t)v : 0;
		} else if (line_named(l, "SUMMARY")) {
			text_once(a, l, &out->summary);
		} else if (line_named(l, "DESCRIPTION")) {
			text_once(a, l, &out->description);
		} else if (line_named(l, "LOCATION")) {
			text_once(a, l, &out->location);
		} else if (line_named(l, "ORGANIZER") && !org) {
			org = sd_arena_alloc(a, sizeof(*org));
			party_read(a, l, 0, org);
		} else if (line_named(l, "ATTENDEE")) {
			party_read(a, l, 1, &att[na++]);
		} else if (line_prefixed(l, "X-")) {
			xprop_read(a, l, &xs[nx]);
			if (line_prefixed(l, "X-SLOTDAV-"))
				sl[ns++] = xs[nx];
			nx++;
		}
	}
	out->organizer = org;
	out->attendees = att;
	out->nattendees = na;
	out->xprops = xs;
	out->nxprops = nx;
	out->x_slotdav = sl;
	out->nx_slotdav = ns;
	out->booking_id = ics_edit_xprop(out, "X-SLOTDAV-BOOKING-ID");
	out->cancel_reason = ics_edit_xprop(out, "X-SLOTDAV-CANCEL-REASON");
}

/* nevents and recurring, over the top-level VEVENTs. */
static void events_count(const struct ldoc *d, struct ics_edit *out)
{
	static const char *const recur[] = { "RRULE", "RDATE", "EXDATE", "EXRULE",
		                             "RECURRENCE-ID" };

	for (size_t k = 1; k < d->lx.ncomp; k++)
		out->nevents += is_event(d, k);
	for (size_t i = 0; i < d->lx.n && !out->recurring; i++) {
		const struct ics_line *l = &d->lx.lines[i];

		if (!is_event(d, l->comp) || line_named(l, "BEGIN"))
			continue;
		for (size_t j = 0; j < SD_ARRAY_LEN(recur); j++)
			if (line_named(l, recur[j]))
				out->recurring = 1;
	}
}

int ics_edit_read(const char *data, size_t len, const char *default_tz, struct sd_arena *a,
                  struct ics_edit *out, struct sd_err *err)
{
	struct ics_info info;
	struct ics_doc d, tz;
	struct ldoc ld;
	icaltimezone *deftz;
	icalcomponent *mc;
	long m;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	memset(&tz, 0, sizeof(tz));
	rc = ics_object_check(data, len, ICS_COMP_VEVENT, a, &info, err);
	if (rc)
		goto out;
	rc = ics_doc_parse(&d, data, len, a, err);
	if (rc)
		goto out;
	deftz = ics_deftz_load(&tz, default_tz, a);
	memset(&ld, 0, sizeof(ld));
	ld.lx = d.lex;
	ldoc_index(&ld, a);
	m = ldoc_master(&ld, 1);
	mc = tree_master(d.root);
	if (m < 0 || !mc) {
		rc = sd_err_set(err, ICS_ECOMPONENT, "the calendar object holds no VEVENT");
		goto out;
	}
	rc = times_read(&d, deftz, mc, out);
	if (rc)
		goto out;
	out->uid = info.uid;
	props_read(a, &ld, (size_t)m, out);
	events_count(&ld, out);
out:
	ics_doc_close(&d);
	ics_doc_close(&tz);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

const char *ics_edit_xprop(const struct ics_edit *e, const char *name)
{
	for (size_t i = 0; name && i < e->nxprops; i++)
		if (sd_strcaseeq(e->xprops[i].name, name))
			return e->xprops[i].value;
	return NULL;
}

/* ---- ics_edit_merge: what the client keeps ---- */

/* Properties of the master VEVENT that are never the client's: the
 * booking's (SPEC 3), and those a VEVENT cannot have. */
static const struct {
	const char *name;
	int prefix;
} event_dropped[] = {
	{ "UID", 0 },        { "DTSTAMP", 0 },  { "DTSTART", 0 },     { "DTEND", 0 },
	{ "DURATION", 0 },   { "SEQUENCE", 0 }, { "STATUS", 0 },      { "ORGANIZER", 0 },
	{ "ATTENDEE", 0 },   { "LOCATION", 0 }, { "DESCRIPTION", 0 }, { "RRULE", 0 },
	{ "RDATE", 0 },      { "EXDATE", 0 },   { "EXRULE", 0 },      { "RECURRENCE-ID", 0 },
	{ "X-SLOTDAV-", 1 }, { "DUE", 0 },      { "VERSION", 0 },     { "PRODID", 0 },
	{ "CALSCALE", 0 },   { "METHOD", 0 },   { "TZID", 0 },        { "TZOFFSETFROM", 0 },
	{ "TZOFFSETTO", 0 },
};

static const char *const calendar_dropped[] = { "VERSION", "PRODID", "CALSCALE", "METHOD" };

enum item_kind { ITEM_CAL, ITEM_PROP, ITEM_SUMMARY, ITEM_COMP };

struct item {
	enum item_kind kind;
	size_t first, last; /* client lines [first, last] */
	int keep;
};

struct vtz {
	const char *tzid;
	size_t first, last;
	int ok;          /* checks alone */
	int used;        /* a kept item names it */
	unsigned picked; /* == merge.stamp: named by the item at hand */
};

struct merge {
	struct sd_arena *s; /* scratch, freed at the end */
	struct ldoc sv, cl;
	long sm, cm; /* the masters */
	struct item *items;
	size_t nall;      /* items */
	size_t nitems;    /* of them counted against the caps */
	size_t lines;     /* their lines */
	int full;         /* a cap was reached */
	struct vtz *tz;   /* the client's, in order */
	struct vtz **tzs; /* the same by TZID, the first of each TZID only */
	size_t ntz, ntzs;
	unsigned stamp;
	int summary_replaces; /* the server has a SUMMARY */
};

static int event_prop_dropped(const struct ics_line *l)
{
	for (size_t i = 0; i < SD_ARRAY_LEN(event_dropped); i++)
		if (event_dropped[i].prefix ? line_prefixed(l, event_dropped[i].name)
		                            : line_named(l, event_dropped[i].name))
			return 1;
	return 0;
}

/* Whether component k of the server has a property named as l. */
static int server_has(const struct merge *x, size_t k, const struct ics_line *l)
{
	const struct ldoc *d = &x->sv;

	for (size_t i = d->n[k].begin + 1; i < d->n[k].end; i++) {
		const struct ics_line *s = &d->lx.lines[i];

		if (s->comp == k && s->name_len == l->name_len &&
		    strncasecmp(s->text, l->text, l->name_len) == 0)
			return 1;
	}
	return 0;
}

/* Whether the client's component ck is, line for line, a child of the
 * server's master (a second merge must not copy the server's own). */
static int server_child(const struct merge *x, size_t ck)
{
	const struct node *c = &x->cl.n[ck];

	if (x->sm < 0)
		return 0;
	for (size_t k = (size_t)x->sm + 1; k < x->sv.lx.ncomp; k++) {
		const struct node *s = &x->sv.n[k];
		size_t i = 0;

		if (s->parent != x->sm || s->end - s->begin != c->end - c->begin)
			continue;
		while (i <= c->end - c->begin && strcmp(x->sv.lx.lines[s->begin + i].text,
		                                        x->cl.lx.lines[c->begin + i].text) == 0)
			i++;
		if (i > c->end - c->begin)
			return 1;
	}
	return 0;
}

static void item_pick(struct merge *x, const struct item *it);
static void item_zones(struct merge *x, const struct item *it);

/* Appends an item unless the caps are reached (then they stay reached:
 * items are kept up to the first that does not fit). The VTIMEZONEs an
 * item brings along count as items, with their lines. The client's
 * SUMMARY does not count: a merged object always has one, which a second
 * merge finds again. */
static void item_add(struct merge *x, enum item_kind kind, size_t first, size_t last)
{
	struct item it = { .kind = kind, .first = first, .last = last, .keep = 1 };
	size_t n = last - first + 1, nz = 0;

	if (kind != ITEM_SUMMARY) {
		if (!x->full) {
			item_pick(x, &it);
			for (size_t j = 0; j < x->ntz; j++)
				if (x->tz[j].picked == x->stamp && !x->tz[j].used) {
					n += x->tz[j].last - x->tz[j].first + 1;
					nz++;
				}
		}
		if (x->full || x->nitems + 1 + nz > KEEP_ITEMS_MAX ||
		    x->lines + n > KEEP_LINES_MAX) {
			x->full = 1;
			return;
		}
		x->nitems += 1 + nz;
		x->lines += n;
	}
	item_zones(x, &it);
	x->items[x->nall++] = it;
}

static int server_has_summary(const struct merge *x)
{
	const struct ldoc *d = &x->sv;
	size_t k = (size_t)x->sm;

	for (size_t i = d->n[k].begin + 1; i < d->n[k].end; i++)
		if (d->lx.lines[i].comp == k && line_named(&d->lx.lines[i], "SUMMARY"))
			return 1;
	return 0;
}

static int calendar_prop_kept(const struct merge *x, const struct ics_line *l)
{
	for (size_t i = 0; i < SD_ARRAY_LEN(calendar_dropped); i++)
		if (line_named(l, calendar_dropped[i]))
			return 0;
	return !server_has(x, 0, l);
}

static int event_prop_kept(const struct merge *x, const struct ics_line *l, int *summary)
{
	if (event_prop_dropped(l))
		return 0;
	if (line_named(l, "SUMMARY")) {
		if (*summary)
			return 0;
		*summary = 1;
		return 1;
	}
	return !server_has(x, (size_t)x->sm, l);
}

/* The client's items, in the order they are written: calendar properties,
 * master properties, master subcomponents. */
static void items_collect(struct merge *x)
{
	const struct ldoc *c = &x->cl;
	int summary = 0;

	x->items = sd_arena_alloc(x->s, (KEEP_ITEMS_MAX + 2) * sizeof(*x->items));
	for (size_t i = 1; i < c->lx.n; i++) {
		const struct ics_line *l = &c->lx.lines[i];

		if (l->comp == 0 && !line_is_begin_end(l) && calendar_prop_kept(x, l))
			item_add(x, ITEM_CAL, i, i);
	}
	if (x->cm < 0)
		return;
	for (size_t i = c->n[x->cm].begin + 1; i < c->n[x->cm].end; i++) {
		const struct ics_line *l = &c->lx.lines[i];
		int had = summary;

		if (l->comp == (unsigned)x->cm && event_prop_kept(x, l, &summary))
			item_add(x, summary != had ? ITEM_SUMMARY : ITEM_PROP, i, i);
	}
	for (size_t k = (size_t)x->cm + 1; k < c->lx.ncomp && !x->full; k++)
		if (c->n[k].parent == x->cm && !server_child(x, k))
			item_add(x, ITEM_COMP, c->n[k].begin, c->n[k].end);
}

static int vtz_cmp(const void *p, const void *q)
{
	const struct vtz *a = *(const struct vtz *const *)p, *b = *(const struct vtz *const *)q;
	int c = strcmp(a->tzid, b->tzid);

	return c ? c : (a->first > b->first) - (a->first < b->first);
}

/* The TZID of component k of d, NULL if it has none. */
static const char *comp_tzid(const struct ldoc *d, size_t k)
{
	for (size_t i = d->n[k].begin + 1; i < d->n[k].end; i++)
		if (d->lx.lines[i].comp == k && line_named(&d->lx.lines[i], "TZID"))
			return d->lx.lines[i].value;
	return NULL;
}

static int is_zone(const struct ldoc *d, size_t k)
{
	return d->n[k].parent == 0 && strcasecmp(d->n[k].name, "VTIMEZONE") == 0;
}

static int server_zone(const struct merge *x, const char *tzid)
{
	for (size_t k = 1; k < x->sv.lx.ncomp; k++)
		if (is_zone(&x->sv, k) && comp_tzid(&x->sv, k) &&
		    strcmp(comp_tzid(&x->sv, k), tzid) == 0)
			return 1;
	return 0;
}

/* The client's VTIMEZONEs but those whose TZID the server defines; for
 * lookups, the first of each TZID. Before items_collect. */
static void zones_collect(struct merge *x)
{
	const struct ldoc *c = &x->cl;
	size_t n = 0;

	x->tz = sd_arena_alloc(x->s, (c->lx.ncomp + 1) * sizeof(*x->tz));
	x->tzs = sd_arena_alloc(x->s, (c->lx.ncomp + 1) * sizeof(*x->tzs));
	for (size_t k = 1; k < c->lx.ncomp; k++) {
		const char *tzid = is_zone(c, k) ? comp_tzid(c, k) : NULL;

		if (tzid && !server_zone(x, tzid)) {
			x->tz[x->ntz] = (struct vtz){
				.tzid = tzid, .first = c->n[k].begin, .last = c->n[k].end, .ok = 1
			};
			x->tzs[x->ntz] = &x->tz[x->ntz];
			x->ntz++;
		}
	}
	qsort(x->tzs, x->ntz, sizeof(*x->tzs), vtz_cmp);
	for (size_t j = 0; j < x->ntz; j++)
		if (n == 0 || strcmp(x->tzs[n - 1]->tzid, x->tzs[j]->tzid) != 0)
			x->tzs[n++] = x->tzs[j];
	x->ntzs = n;
}

/* The usable VTIMEZONE that TZID parameter value v[0..n) names, or NULL. */
static struct vtz *zone_named(struct merge *x, const char *v, size_t n)
{
	size_t lo = 0, hi = x->ntzs;

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v++;
		n -= 2;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *t = x->tzs[mid]->tzid;
		int c = strncmp(t, v, n);

		if (c == 0)
			c = t[n] != '\0'; /* longer than v: after it */
		if (c == 0)
			return x->tzs[mid]->ok ? x->tzs[mid] : NULL;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Marks (picked == a new stamp) each usable VTIMEZONE the item names. */
static void item_pick(struct merge *x, const struct item *it)
{
	x->stamp++;
	for (size_t i = it->first; i <= it->last; i++) {
		size_t n;
		const char *v = param_span(&x->cl.lx.lines[i], "TZID", &n);
		struct vtz *z = v ? zone_named(x, v, n) : NULL;

		if (z)
			z->picked = x->stamp;
	}
}

/* Marks used each usable VTIMEZONE the item names. */
static void item_zones(struct merge *x, const struct item *it)
{
	for (size_t i = it->first; i <= it->last; i++) {
		size_t n;
		const char *v = param_span(&x->cl.lx.lines[i], "TZID", &n);
		struct vtz *z = v ? zone_named(x, v, n) : NULL;

		if (z)
			z->used = 1;
	}
}

static void zones_mark(struct merge *x)
{
	for (size_t j = 0; j < x->ntz; j++)
		x->tz[j].used = 0;
	for (size_t i = 0; i < x->nall; i++)
		if (x->items[i].keep)
			item_zones(x, &x->items[i]);
}

/* ---- ics_edit_merge: writing ---- */

static void put_lines(struct sd_buf *out, const struct ldoc *d, size_t first, size_t last)
{
	for (size_t i = first; i <= last; i++)
		ics_fold(out, d->lx.lines[i].text, strlen(d->lx.lines[i].text));
}

static void put_items(struct sd_buf *out, const struct merge *x, int cal, int comp)
{
	for (size_t i = 0; i < x->nall; i++) {
		const struct item *it = &x->items[i];
		int want = cal    ? it->kind == ITEM_CAL
		           : comp ? it->kind == ITEM_COMP
		                  : it->kind == ITEM_PROP ||
		                        (it->kind == ITEM_SUMMARY && !x->summary_replaces);

		if (it->keep && want)
			put_lines(out, &x->cl, it->first, it->last);
	}
}

static const struct item *summary_item(const struct merge *x)
{
	for (size_t i = 0; i < x->nall; i++)
		if (x->items[i].kind == ITEM_SUMMARY && x->items[i].keep)
			return &x->items[i];
	return NULL;
}

/* The line where a component's properties end: its first child's BEGIN,
 * else its END. */
static size_t props_end(const struct ldoc *d, size_t k)
{
	for (size_t j = k + 1; j < d->lx.ncomp; j++)
		if (d->n[j].parent == (long)k)
			return d->n[j].begin;
	return d->n[k].end;
}

static char *merge_write(struct merge *x)
{
	const struct ldoc *s = &x->sv;
	const struct item *sum = summary_item(x);
	size_t cal_at = props_end(s, 0), ev_at = props_end(s, (size_t)x->sm);
	size_t ev_end = s->n[x->sm].end;
	struct sd_buf out;
	char *text;
	int summary_done = 0;

	sd_buf_init(&out, 0);
	for (size_t i = 0; i < s->lx.n; i++) {
		const struct ics_line *l = &s->lx.lines[i];

		if (i == cal_at) {
			put_items(&out, x, 1, 0);
			for (size_t j = 0; j < x->ntz; j++)
				if (x->tz[j].ok && x->tz[j].used)
					put_lines(&out, &x->cl, x->tz[j].first, x->tz[j].last);
		}
		if (i == ev_at)
			put_items(&out, x, 0, 0);
		if (i == ev_end)
			put_items(&out, x, 0, 1);
		if (l->comp == (unsigned)x->sm && line_named(l, "SUMMARY") && sum) {
			if (!summary_done)
				put_lines(&out, &x->cl, sum->first, sum->first);
			summary_done = 1;
			continue;
		}
		ics_fold(&out, l->text, strlen(l->text));
	}
	text = sd_arena_strndup(x->s, sd_buf_cstr(&out), out.len);
	sd_buf_free(&out);
	return text;
}

/* ---- ics_edit_merge: checking ---- */

static int text_ok(const char *text)
{
	struct sd_arena *a = sd_arena_new();
	struct ics_info info;
	int rc = ics_object_check(text, strlen(text), ICS_COMP_VEVENT, a, &info, NULL);

	sd_arena_free(a);
	return rc == ICS_OK;
}

/* Whether the item (or, it NULL, the zone z) passes ics_object_check in an
 * object of its own, with the zones it names. */
static int alone_ok(struct merge *x, const struct item *it, const struct vtz *z)
{
	struct sd_buf out;
	int ok;

	sd_buf_init(&out, 0);
	sd_buf_adds(&out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//slotdav//merge//EN\r\n");
	if (it && it->kind == ITEM_CAL)
		put_lines(&out, &x->cl, it->first, it->last);
	if (it) {
		item_pick(x, it);
		for (size_t j = 0; j < x->ntz; j++)
			if (x->tz[j].picked == x->stamp)
				put_lines(&out, &x->cl, x->tz[j].first, x->tz[j].last);
	} else {
		put_lines(&out, &x->cl, z->first, z->last);
	}
	sd_buf_adds(&out, "BEGIN:VEVENT\r\nUID:merge-check\r\nDTSTAMP:20000101T000000Z\r\n"
	                  "DTSTART:20000101T000000Z\r\n");
	if (it && it->kind != ITEM_CAL)
		put_lines(&out, &x->cl, it->first, it->last);
	sd_buf_adds(&out, "END:VEVENT\r\nEND:VCALENDAR\r\n");
	ok = text_ok(sd_buf_cstr(&out));
	sd_buf_free(&out);
	return ok;
}

/* Leaves out each zone and item that fails alone; then an item naming a
 * zone left out fails too, unless the system knows the zone's name. */
static void items_filter(struct merge *x)
{
	for (size_t j = 0; j < x->ntz; j++)
		if (x->tz[j].used)
			x->tz[j].ok = alone_ok(x, NULL, &x->tz[j]);
	for (size_t i = 0; i < x->nall; i++)
		x->items[i].keep = alone_ok(x, &x->items[i], NULL);
	zones_mark(x);
}

char *ics_edit_merge(struct sd_arena *a, const char *server_text, const char *client_text)
{
	struct merge x;
	char *text = NULL;

	if (!server_text)
		return NULL;
	memset(&x, 0, sizeof(x));
	x.s = sd_arena_new();
	if (ldoc_open(&x.sv, server_text, x.s) != ICS_OK || (x.sm = ldoc_master(&x.sv, 0)) < 0 ||
	    ldoc_open(&x.cl, client_text, x.s) != ICS_OK)
		goto out;
	x.cm = ldoc_master(&x.cl, 0);
	x.summary_replaces = server_has_summary(&x);
	zones_collect(&x);
	items_collect(&x);
	text = merge_write(&x);
	if (text_ok(text))
		goto out;
	items_filter(&x);
	text = merge_write(&x);
	if (!text_ok(text))
		text = NULL;
out:
	text = sd_arena_strdup(a, text ? text : server_text);
	sd_arena_free(x.s);
	return text;
}
