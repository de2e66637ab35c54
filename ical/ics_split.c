/* ics_split.c - cutting a VCALENDAR into calendar object resources and
 * merging resources into one (see ics_split.h).
 *
 * A tolerant scanner of its own rather than ics_lex_scan: the lexer (and
 * libical behind it) judges a document as a whole, and an import must go
 * on past a broken component. The scanner only follows BEGIN/END and picks
 * out what grouping needs (a component's own UID, a VTIMEZONE's TZID, the
 * TZID parameters used); the physical lines of each component are copied
 * untouched, with their input line numbers. Whether a part is valid
 * iCalendar is ics_object_check's call, made by the caller part by part.
 *
 * Structure errors and how the scanner recovers (the component is marked
 * broken, with the line, and the scan goes on):
 *   BEGIN of a top-level kind inside a component  the open one had no END;
 *                                                  a new one starts
 *   END that closes an outer BEGIN                 the inner ones had none
 *   END with no BEGIN of that name                 ignored
 *   END:VCALENDAR or the end of input inside one   it had no END
 *   a line without ':'                             not a content line
 */
#include "ics_split.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ics.h"
#include "sd_buf.h"
#include "sd_util.h"

#define STACK_MAX 16

struct comp {
	char kind[24];
	const char *uid, *tzid; /* arena */
	struct sd_buf text;
	unsigned *map;
	size_t nmap, capmap;
	const char **refs;
	size_t nrefs, caprefs;
	unsigned line;
	const char *error;
	int top; /* a top-level component (not a stray) */
};

struct scan {
	struct sd_arena *a;
	struct comp *c;
	size_t n, cap;
	const char *prodid, *calscale; /* raw lines, arena */
	unsigned prodid_line, calscale_line;
	int seen_cal;
};

static int is_top_kind(const char *k)
{
	static const char *const kinds[] = { "VEVENT",    "VTODO",     "VJOURNAL",
		                             "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY" };

	for (size_t i = 0; i < SD_ARRAY_LEN(kinds); i++)
		if (!strcasecmp(k, kinds[i]))
			return 1;
	return 0;
}

static void comp_add_line(struct comp *c, const char *s, size_t n, unsigned line)
{
	sd_buf_add(&c->text, s, n);
	sd_buf_add(&c->text, "\r\n", 2);
	if (c->nmap == c->capmap) {
		c->capmap = c->capmap ? 2 * c->capmap : 16;
		c->map = sd_xrealloc(c->map, c->capmap * sizeof(*c->map));
	}
	c->map[c->nmap++] = line;
}

static void comp_add_ref(struct comp *c, const char *tzid)
{
	for (size_t i = 0; i < c->nrefs; i++)
		if (!strcmp(c->refs[i], tzid))
			return;
	if (c->nrefs == c->caprefs) {
		c->caprefs = c->caprefs ? 2 * c->caprefs : 4;
		c->refs = sd_xrealloc(c->refs, c->caprefs * sizeof(*c->refs));
	}
	c->refs[c->nrefs++] = tzid;
}

static void comp_release(void *p)
{
	struct comp *c = p;

	sd_buf_free(&c->text);
	free(c->map);
	free(c->refs);
}

static void scan_release(void *p)
{
	struct scan *s = p;

	for (size_t i = 0; i < s->n; i++)
		comp_release(&s->c[i]);
	free(s->c);
}

static struct comp *comp_new(struct scan *s, const char *kind, unsigned line)
{
	struct comp *c;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->c = sd_xrealloc(s->c, s->cap * sizeof(*s->c));
	}
	c = &s->c[s->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->kind, sizeof(c->kind), "%s", kind);
	sd_buf_init(&c->text, 0);
	c->line = line;
	c->top = 1;
	return c;
}

static void broken(struct scan *s, struct comp *c, unsigned line, const char *msg)
{
	if (!c->error)
		c->error = sd_arena_printf(s->a, "line %u: %s", line, msg);
}

/* The logical line starting at p (continuations joined), in a; *next the
 * start of the following one, *phys the raw bytes' end. */
static char *logical(struct sd_arena *a, const char *p, const char *end, const char **next)
{
	struct sd_buf b;
	char *r;

	sd_buf_init(&b, 0);
	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		size_t n = (size_t)(e - p);

		if (n && p[n - 1] == '\r')
			n--;
		sd_buf_add(&b, p, n);
		p = nl ? nl + 1 : end;
		if (p >= end || (*p != ' ' && *p != '\t'))
			break;
		p++;
	}
	*next = p;
	r = sd_arena_strndup(a, sd_buf_cstr(&b), b.len);
	sd_buf_free(&b);
	return r;
}

/* The value of parameter TZID in the parameters of line l, or NULL. */
static const char *tzid_param(struct sd_arena *a, const char *l, const char *colon)
{
	const char *p = l;

	while ((p = strchr(p, ';')) && p < colon) {
		p++;
		if (!strncasecmp(p, "TZID=", 5)) {
			const char *v = p + 5, *e;

			if (*v == '"') {
				v++;
				e = strchr(v, '"');
			} else {
				e = v + strcspn(v, ";:");
			}
			return e ? sd_arena_strndup(a, v, (size_t)(e - v)) : NULL;
		}
	}
	return NULL;
}

/* The ':' that ends the name and parameters (outside quotes), or NULL. */
static const char *value_colon(const char *l)
{
	int q = 0;

	for (; *l; l++) {
		if (*l == '"')
			q = !q;
		else if (*l == ':' && !q)
			return l;
	}
	return NULL;
}

/* Whether the property name of line l (before any ';' parameters) is
 * name: "UID;X-FOO=1:abc" is a UID. */
static int named(const char *l, const char *colon, const char *name)
{
	size_t n = strlen(name), len = strcspn(l, ";");

	if (l + len > colon)
		len = (size_t)(colon - l);
	return len == n && !strncasecmp(l, name, n);
}

static int scan(struct scan *s, const char *data, size_t len)
{
	const char *p = data, *end = data + len, *next;
	char stack[STACK_MAX][24];
	unsigned stack_line[STACK_MAX];
	int depth = 0, in_cal = 0, done = 0;
	struct comp *cur = NULL;
	unsigned line = 1;

	while (p < end && !done) {
		const char *raw = p, *colon, *v;
		char *l = logical(s->a, p, end, &next);
		unsigned first = line, nphys = 0;

		for (const char *q = raw; q < next; q++)
			nphys += *q == '\n';
		if (next == end && next > raw && next[-1] != '\n')
			nphys++;
		line += nphys;
		p = next;
		if (!*l)
			continue;
		colon = value_colon(l);
		v = colon ? colon + 1 : "";
		if (!in_cal) {
			if (colon && named(l, colon, "BEGIN") && !strcasecmp(v, "VCALENDAR"))
				in_cal = s->seen_cal = 1;
			continue;
		}
		if (!cur) {
			if (!colon)
				continue;
			if (named(l, colon, "END") && !strcasecmp(v, "VCALENDAR")) {
				done = 1;
			} else if (named(l, colon, "BEGIN")) {
				cur = comp_new(s, v, first);
				cur->top = is_top_kind(v);
				snprintf(stack[0], sizeof(stack[0]), "%s", v);
				stack_line[0] = first;
				depth = 1;
				goto copy;
			} else if (named(l, colon, "PRODID")) {
				s->prodid = l;
				s->prodid_line = first;
			} else if (named(l, colon, "CALSCALE")) {
				s->calscale = l;
				s->calscale_line = first;
			}
			continue;
		}
		if (colon && named(l, colon, "BEGIN") && is_top_kind(v) &&
		    strcasecmp(stack[depth - 1], "VAVAILABILITY")) {
			broken(s, cur, stack_line[0],
			       sd_arena_printf(s->a, "BEGIN:%s has no END:%s", stack[0], stack[0]));
			cur = comp_new(s, v, first);
			snprintf(stack[0], sizeof(stack[0]), "%s", v);
			stack_line[0] = first;
			depth = 1;
		} else if (colon && named(l, colon, "BEGIN")) {
			if (depth == STACK_MAX) {
				broken(s, cur, first, "components nested too deep");
			} else {
				snprintf(stack[depth], sizeof(stack[depth]), "%s", v);
				stack_line[depth++] = first;
			}
		} else if (colon && named(l, colon, "END")) {
			int k = depth - 1;

			while (k >= 0 && strcasecmp(stack[k], v))
				k--;
			if (k < 0 && !strcasecmp(v, "VCALENDAR")) {
				broken(s, cur, stack_line[0],
				       sd_arena_printf(s->a, "BEGIN:%s has no END:%s", stack[0],
				                       stack[0]));
				cur = NULL;
				done = 1;
				continue;
			}
			if (k < 0) {
				broken(s, cur, first,
				       sd_arena_printf(s->a, "END:%s without BEGIN:%s", v, v));
			} else {
				if (k != depth - 1)
					broken(s, cur, first,
					       sd_arena_printf(s->a,
					                       "END:%s closes BEGIN:%s (line %u)",
					                       v, stack[k], stack_line[k]));
				depth = k;
			}
		} else if (!colon) {
			broken(s, cur, first, "not a content line (NAME:VALUE)");
		} else if (depth == 1 && named(l, colon, "UID")) {
			cur->uid = v;
		} else if (depth == 1 && named(l, colon, "TZID")) {
			cur->tzid = v;
		}
	copy:
		if (colon && !named(l, colon, "BEGIN") && !named(l, colon, "END")) {
			const char *tz = tzid_param(s->a, l, colon);

			if (tz)
				comp_add_ref(cur, tz);
		}
		/* the raw physical lines, one by one */
		for (const char *q = raw; q < next;) {
			const char *nl = memchr(q, '\n', (size_t)(next - q));
			const char *e = nl ? nl : next;
			size_t n = (size_t)(e - q);

			if (n && q[n - 1] == '\r')
				n--;
			comp_add_line(cur, q, n, first++);
			q = nl ? nl + 1 : next;
		}
		if (depth == 0)
			cur = NULL;
	}
	if (cur)
		broken(s, cur, stack_line[0],
		       sd_arena_printf(s->a, "BEGIN:%s has no END:%s", stack[0], stack[0]));
	return s->seen_cal ? 0 : ICS_EPARSE;
}

/* ---- import: groups by UID ---------------------------------------------- */

struct out {
	struct sd_buf text;
	unsigned *map;
	size_t nmap, cap;
};

static void out_line(struct out *o, const char *s, size_t n, unsigned line)
{
	sd_buf_add(&o->text, s, n);
	sd_buf_add(&o->text, "\r\n", 2);
	if (o->nmap == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 64;
		o->map = sd_xrealloc(o->map, o->cap * sizeof(*o->map));
	}
	o->map[o->nmap++] = line;
}

static void out_comp(struct out *o, const struct comp *c)
{
	const char *p = c->text.data;

	for (size_t i = 0; i < c->nmap; i++) {
		const char *e = strstr(p, "\r\n");

		out_line(o, p, (size_t)(e - p), c->map[i]);
		p = e + 2;
	}
}

static const struct comp *zone_find(const struct scan *s, const char *tzid)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcasecmp(s->c[i].kind, "VTIMEZONE") && s->c[i].tzid && !s->c[i].error &&
		    !strcmp(s->c[i].tzid, tzid))
			return &s->c[i];
	return NULL;
}

static void head(const struct scan *s, struct out *o)
{
	out_line(o, "BEGIN:VCALENDAR", 15, 0);
	out_line(o, "VERSION:2.0", 11, 0);
	if (s->prodid)
		out_line(o, s->prodid, strlen(s->prodid), s->prodid_line);
	else
		out_line(o, "PRODID:-//slotdav//import//EN", 29, 0);
	if (s->calscale)
		out_line(o, s->calscale, strlen(s->calscale), s->calscale_line);
}

/* The part of components idx[0..n) (one UID). */
static void part_make(struct scan *s, const size_t *idx, size_t n, struct ics_part *p)
{
	struct out o = { 0 };
	const char **zones = sd_arena_alloc(s->a, 64 * sizeof(*zones));
	size_t nz = 0;

	sd_buf_init(&o.text, 0);
	head(s, &o);
	for (size_t i = 0; i < n; i++) {
		const struct comp *c = &s->c[idx[i]];

		if (c->error && !p->error)
			p->error = c->error;
		for (size_t r = 0; r < c->nrefs; r++) {
			const struct comp *z;
			size_t k;

			for (k = 0; k < nz && strcmp(zones[k], c->refs[r]); k++)
				;
			if (k < nz || nz == 64 || !(z = zone_find(s, c->refs[r])))
				continue;
			zones[nz++] = c->refs[r];
			out_comp(&o, z);
		}
	}
	for (size_t i = 0; i < n; i++)
		out_comp(&o, &s->c[idx[i]]);
	out_line(&o, "END:VCALENDAR", 13, 0);
	p->text = sd_arena_strndup(s->a, sd_buf_cstr(&o.text), o.text.len);
	p->len = o.text.len;
	p->nlines = o.nmap;
	p->linemap = sd_arena_alloc(s->a, (o.nmap ? o.nmap : 1) * sizeof(*o.map));
	memcpy((void *)p->linemap, o.map, o.nmap * sizeof(*o.map));
	p->ncomp = n;
	p->line = s->c[idx[0]].line;
	sd_buf_free(&o.text);
	free(o.map);
}

/* FNV-1a */
static size_t uid_hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

int ics_split(struct sd_arena *a, const char *data, size_t len, struct ics_part **out, size_t *n,
              struct sd_err *err)
{
	struct scan *s = sd_arena_alloc(a, sizeof(*s));
	size_t *grp, *idx, *first, *fill, *slot, nslot, ng = 0;
	struct ics_part *parts;

	memset(s, 0, sizeof(*s));
	s->a = a;
	sd_arena_defer(a, scan_release, s);
	*out = NULL;
	*n = 0;
	if (scan(s, data, len))
		return sd_err_set(err, ICS_EPARSE, "line 1: no BEGIN:VCALENDAR in the file");
	/* grp[i]: the group of component i; groups numbered by first UID,
	 * found through an open-addressing table of UIDs (linear time: files
	 * of 100,000 events are real) */
	grp = sd_arena_alloc(a, (s->n + 1) * sizeof(*grp));
	parts = sd_arena_alloc(a, (s->n + 1) * sizeof(*parts));
	memset(parts, 0, (s->n + 1) * sizeof(*parts));
	for (nslot = 16; nslot < 2 * s->n; nslot *= 2)
		;
	slot = sd_arena_alloc(a, nslot * sizeof(*slot));
	for (size_t k = 0; k < nslot; k++)
		slot[k] = (size_t)-1;
	for (size_t i = 0; i < s->n; i++) {
		struct comp *c = &s->c[i];
		size_t g = (size_t)-1, h;

		grp[i] = (size_t)-1;
		if (!strcasecmp(c->kind, "VTIMEZONE"))
			continue;
		if (!c->top) {
			broken(s, c, c->line,
			       sd_arena_printf(a, "BEGIN:%s is not a calendar component", c->kind));
		} else if (!c->uid || !*c->uid) {
			broken(s, c, c->line, sd_arena_printf(a, "%s has no UID", c->kind));
		}
		if (c->uid && *c->uid && c->top) {
			for (h = uid_hash(c->uid) & (nslot - 1); slot[h] != (size_t)-1;
			     h = (h + 1) & (nslot - 1))
				if (!strcmp(parts[slot[h]].uid, c->uid))
					break;
			if (slot[h] == (size_t)-1)
				slot[h] = ng;
			if (slot[h] < ng)
				g = slot[h];
		}
		if (g == (size_t)-1) {
			g = ng++;
			parts[g].uid = c->uid && *c->uid ? c->uid : NULL;
		}
		grp[i] = g;
	}
	/* components by group, in input order within each (counting sort) */
	first = sd_arena_alloc(a, (ng + 1) * sizeof(*first));
	memset(first, 0, (ng + 1) * sizeof(*first));
	for (size_t i = 0; i < s->n; i++)
		if (grp[i] != (size_t)-1)
			first[grp[i] + 1]++;
	for (size_t g = 0; g < ng; g++)
		first[g + 1] += first[g];
	idx = sd_arena_alloc(a, (s->n + 1) * sizeof(*idx));
	fill = sd_arena_alloc(a, (ng + 1) * sizeof(*fill));
	memcpy(fill, first, (ng + 1) * sizeof(*fill));
	for (size_t i = 0; i < s->n; i++)
		if (grp[i] != (size_t)-1)
			idx[fill[grp[i]]++] = i;
	for (size_t g = 0; g < ng; g++)
		part_make(s, idx + first[g], first[g + 1] - first[g], &parts[g]);
	*out = parts;
	*n = ng;
	return ICS_OK;
}

unsigned ics_part_line(const struct ics_part *p, unsigned n)
{
	return n >= 1 && n <= p->nlines ? p->linemap[n - 1] : 0;
}

/* ---- export: one VCALENDAR ---------------------------------------------- */

struct ics_merge {
	struct sd_arena *a;
	char *prodid;
	struct sd_buf zones, comps;
	char **tzids;
	size_t ntz, captz;
};

struct ics_merge *ics_merge_new(const char *prodid)
{
	struct ics_merge *m = sd_xcalloc(1, sizeof(*m));

	m->a = sd_arena_new();
	m->prodid = sd_xstrdup(prodid);
	sd_buf_init(&m->zones, 0);
	sd_buf_init(&m->comps, 0);
	return m;
}

int ics_merge_add(struct ics_merge *m, const char *data, size_t len)
{
	struct scan s = { .a = m->a };
	int rc = scan(&s, data, len);

	for (size_t i = 0; !rc && i < s.n; i++) {
		struct comp *c = &s.c[i];
		size_t k;

		if (!strcasecmp(c->kind, "VTIMEZONE")) {
			if (!c->tzid)
				continue;
			for (k = 0; k < m->ntz && strcmp(m->tzids[k], c->tzid); k++)
				;
			if (k < m->ntz)
				continue;
			if (m->ntz == m->captz) {
				m->captz = m->captz ? 2 * m->captz : 8;
				m->tzids = sd_xrealloc(m->tzids, m->captz * sizeof(*m->tzids));
			}
			m->tzids[m->ntz++] = sd_xstrdup(c->tzid);
			sd_buf_add(&m->zones, c->text.data, c->text.len);
		} else {
			sd_buf_add(&m->comps, c->text.data, c->text.len);
		}
	}
	scan_release(&s);
	return rc;
}

char *ics_merge_finish(struct ics_merge *m, struct sd_arena *a, size_t *len)
{
	struct sd_buf b;
	char *r;

	sd_buf_init(&b, 0);
	sd_buf_printf(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:%s\r\nCALSCALE:GREGORIAN\r\n",
	              m->prodid);
	sd_buf_add(&b, m->zones.data, m->zones.len);
	sd_buf_add(&b, m->comps.data, m->comps.len);
	sd_buf_adds(&b, "END:VCALENDAR\r\n");
	*len = b.len;
	r = sd_arena_strndup(a, sd_buf_cstr(&b), b.len);
	sd_buf_free(&b);
	return r;
}

void ics_merge_free(struct ics_merge *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->ntz; i++)
		free(m->tzids[i]);
	free(m->tzids);
	free(m->prodid);
	sd_buf_free(&m->zones);
	sd_buf_free(&m->comps);
	sd_arena_free(m->a);
	free(m);
}
