/* ics_freebusy.c - free-busy time of calendar objects (RFC 4791 7.10,
 * RFC 7953 4), summed up in one accumulator.
 *
 * Adding an object parses it (ics_doc_parse, a private arena per object)
 * and turns what it says into items, each [s, e) clipped to the range:
 *
 *   IT_BUSY  type        an event instance or a FREEBUSY period
 *   IT_SPAN  rank, type  the span of a VAVAILABILITY, with its BUSYTYPE
 *   IT_FREE  rank        an AVAILABLE instance, clipped to its span
 *
 * rank orders VAVAILABILITY by PRIORITY: 0 (none) lowest, then 9 down to 1
 * highest (rank 10 - PRIORITY). Event instances come from the recurrence
 * walk of ics_filter.c (ics_instances: overrides, EXDATE, RDATE, floating
 * times in the default zone, the expansion budget).
 *
 * Items are only collected; ics_fb_periods resolves them in one sweep over
 * their edges, sorted by time, keeping counts per class of item. Between
 * two edges the type reported is the strongest of: the IT_BUSY types
 * present, and the availability of the highest rank with a span present
 * (free if one of its IT_FREE is present, else the strongest type of its
 * spans). Runs of one type that touch are merged. As items of one class
 * only count while one of them is present, overlapping or touching items
 * of a class can be merged without changing the result: the accumulator
 * does that (compact) when it has grown, so a busy calendar of many
 * objects stays small; it never holds more than ICS_FB_MAX_ITEMS.
 *
 * An object that would pass that bound adds nothing (its items are cut off
 * again: they are the last ones). A failed add leaves fb as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "ics_freebusy.h"
#include "ics_int.h"
#include "ics_select.h"
#include "ics_split.h"
#include "sd_buf.h"
#include "sd_util.h"

#define RANKS      10    /* PRIORITY none (0), 9, 8, ..., 1 */
#define COMPACT_AT 65536 /* items before the accumulator merges them */

enum { IT_BUSY, IT_SPAN, IT_FREE };

struct item {
	int64_t s, e;
	unsigned char kind, type, rank;
};

struct ics_fb {
	struct sd_arena *a;
	int64_t start, end;
	struct item *v; /* malloc'd, freed with the arena */
	size_t n, cap;
	size_t compact_at;
	struct ics_period *res; /* ics_fb_periods' answer (arena) */
	size_t nres;
	int fresh; /* res holds for the items as they are */
};

/* One ics_fb_add. */
struct fbctx {
	struct ics_fb *fb;
	struct ics_doc d, tz;
	icaltimezone *deftz;
	int full; /* an item did not fit */
};

/* Items ics_instances' callback makes, clipped to [lo, hi). */
struct adder {
	struct fbctx *x;
	unsigned char kind, type, rank;
	int64_t lo, hi;
};

/* An item's edge, for the sweep. */
struct edge {
	int64_t t;
	int delta;
	unsigned char kind, type, rank;
};

/* Items present between two edges, per class. */
struct counts {
	long busy[4];
	long span[RANKS][4];
	long free[RANKS];
};

/* ---- the accumulator ---- */

static void fb_release(void *p)
{
	free(((struct ics_fb *)p)->v);
}

struct ics_fb *ics_fb_new(struct sd_arena *a, int64_t start, int64_t end)
{
	struct ics_fb *fb = sd_arena_alloc(a, sizeof(*fb));

	fb->a = a;
	fb->start = start;
	fb->end = end;
	fb->compact_at = COMPACT_AT;
	sd_arena_defer(a, fb_release, fb);
	return fb;
}

static int cmp_item(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;

	if (a->kind != b->kind)
		return a->kind - b->kind;
	if (a->rank != b->rank)
		return a->rank - b->rank;
	if (a->type != b->type)
		return a->type - b->type;
	return (a->s > b->s) - (a->s < b->s);
}

/* Merges overlapping or touching items of one class (see the file head). */
static void compact(struct ics_fb *fb)
{
	size_t n = 0;

	qsort(fb->v, fb->n, sizeof(*fb->v), cmp_item);
	for (size_t i = 0; i < fb->n; i++) {
		struct item *p = n ? &fb->v[n - 1] : NULL, *q = &fb->v[i];

		if (p && p->kind == q->kind && p->rank == q->rank && p->type == q->type &&
		    q->s <= p->e) {
			if (q->e > p->e)
				p->e = q->e;
		} else {
			fb->v[n++] = *q;
		}
	}
	fb->n = n;
	fb->compact_at = 2 * n > COMPACT_AT ? 2 * n : COMPACT_AT;
}

/* [s, e) clipped to [lo, hi) and the range, as an item of a's class. */
static void push(struct adder *ad, int64_t s, int64_t e)
{
	struct ics_fb *fb = ad->x->fb;
	struct item *it;

	s = s > ad->lo ? s : ad->lo;
	e = e < ad->hi ? e : ad->hi;
	if (e <= s)
		return;
	if (fb->n == fb->cap) {
		if (fb->cap == ICS_FB_MAX_ITEMS) {
			ad->x->full = 1;
			return;
		}
		fb->cap = fb->cap ? 2 * fb->cap : 64;
		if (fb->cap > ICS_FB_MAX_ITEMS)
			fb->cap = ICS_FB_MAX_ITEMS;
		fb->v = sd_xrealloc(fb->v, fb->cap * sizeof(*fb->v));
	}
	it = &fb->v[fb->n++];
	*it = (struct item){ .s = s, .e = e, .kind = ad->kind, .type = ad->type, .rank = ad->rank };
}

static int push_inst(const struct ics_inst *in, void *arg)
{
	struct adder *ad = arg;

	push(ad, in->s, in->e);
	return ad->x->full;
}

/* ---- what objects say ---- */

/* The children of c of kind, in order, NULL-terminated (arena): the walk
 * resets libical's iterator of a master's parent. */
static icalcomponent **kids(struct fbctx *x, icalcomponent *c, icalcomponent_kind kind, size_t *n)
{
	icalcomponent **v;
	size_t i = 0;

	*n = (size_t)icalcomponent_count_components(c, kind);
	v = sd_arena_alloc(x->d.a, (*n + 1) * sizeof(*v));
	for (icalcomponent *k = icalcomponent_get_first_component(c, kind); k && i < *n;
	     k = icalcomponent_get_next_component(c, kind))
		v[i++] = k;
	*n = i;
	return v;
}

static int64_t prop_instant(struct fbctx *x, icalproperty *p, int64_t dflt)
{
	icalvalue *v = p ? icalproperty_get_value(p) : NULL;
	icalvalue_kind k = v ? icalvalue_isa(v) : ICAL_NO_VALUE;

	if (k != ICAL_DATE_VALUE && k != ICAL_DATETIME_VALUE)
		return dflt;
	return ics_time_instant(&x->d, x->deftz, p, icalvalue_get_datetimedate(v));
}

/* A VEVENT's instances (7.10: TRANSP and STATUS decide). */
static void event_add(struct fbctx *x, icalcomponent *c)
{
	icalproperty *pt = icalcomponent_get_first_property(c, ICAL_TRANSP_PROPERTY);
	icalproperty *ps = icalcomponent_get_first_property(c, ICAL_STATUS_PROPERTY);
	struct ics_fb *fb = x->fb;
	struct adder ad = {
		.x = x, .kind = IT_BUSY, .type = ICS_FB_BUSY, .lo = fb->start, .hi = fb->end
	};
	icalproperty_transp tr = pt ? icalproperty_get_transp(pt) : ICAL_TRANSP_OPAQUE;
	icalproperty_status st = ps ? icalproperty_get_status(ps) : ICAL_STATUS_NONE;

	if (tr == ICAL_TRANSP_TRANSPARENT || tr == ICAL_TRANSP_TRANSPARENTNOCONFLICT ||
	    st == ICAL_STATUS_CANCELLED)
		return;
	if (st == ICAL_STATUS_TENTATIVE)
		ad.type = ICS_FB_BUSY_TENTATIVE;
	if (ics_instances(&x->d, x->deftz, c, fb->start, fb->end, push_inst, &ad) ==
	    ICS_WALK_CAPPED) /* not walked to the end: busy from its start on */
		push(&ad,
		     prop_instant(x, icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY),
		                  fb->start),
		     fb->end);
}

static unsigned char fbtype_of(icalproperty *p)
{
	icalparameter *q = icalproperty_get_first_parameter(p, ICAL_FBTYPE_PARAMETER);

	switch (q ? icalparameter_get_fbtype(q) : ICAL_FBTYPE_BUSY) {
	case ICAL_FBTYPE_FREE:
		return 0;
	case ICAL_FBTYPE_BUSYTENTATIVE:
		return ICS_FB_BUSY_TENTATIVE;
	case ICAL_FBTYPE_BUSYUNAVAILABLE:
		return ICS_FB_BUSY_UNAVAILABLE;
	default: /* BUSY, and unknown types (RFC 5545 3.2.9) */
		return ICS_FB_BUSY;
	}
}

/* A VFREEBUSY's FREEBUSY periods (libical splits comma lists into one
 * property per period). */
static void freebusy_add(struct fbctx *x, icalcomponent *c)
{
	struct adder ad = { .x = x, .kind = IT_BUSY, .lo = x->fb->start, .hi = x->fb->end };
	size_t n;
	icalproperty **ps = ics_props(&x->d, c, ICAL_FREEBUSY_PROPERTY, &n);

	for (size_t i = 0; i < n; i++) {
		struct icalperiodtype per = icalproperty_get_freebusy(ps[i]);
		int64_t s, e;

		ad.type = fbtype_of(ps[i]);
		if (!ad.type || icaltime_is_null_time(per.start))
			continue;
		s = ics_time_instant(&x->d, x->deftz, ps[i], per.start);
		e = icaltime_is_null_time(per.end)
		        ? s + icaldurationtype_as_int(per.duration)
		        : ics_time_instant(&x->d, x->deftz, ps[i], per.end);
		push(&ad, s, e);
	}
}

/* The rank and busy type of a VAVAILABILITY (RFC 7953 3.1, 3.2). */
static void availability_class(icalcomponent *c, struct adder *ad)
{
	icalproperty *pp = icalcomponent_get_first_property(c, ICAL_PRIORITY_PROPERTY);
	icalproperty *pb = icalcomponent_get_first_property(c, ICAL_BUSYTYPE_PROPERTY);
	int prio = pp ? icalproperty_get_priority(pp) : 0;

	ad->rank = (unsigned char)(prio >= 1 && prio <= 9 ? RANKS - prio : 0);
	switch (pb ? icalproperty_get_busytype(pb) : ICAL_BUSYTYPE_BUSYUNAVAILABLE) {
	case ICAL_BUSYTYPE_BUSY:
		ad->type = ICS_FB_BUSY;
		break;
	case ICAL_BUSYTYPE_BUSYTENTATIVE:
		ad->type = ICS_FB_BUSY_TENTATIVE;
		break;
	default:
		ad->type = ICS_FB_BUSY_UNAVAILABLE;
		break;
	}
}

/* A VAVAILABILITY: its span, then its AVAILABLE instances within it. */
static void availability_add(struct fbctx *x, icalcomponent *c)
{
	icalproperty *pd = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
	icalproperty *ps = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
	struct ics_fb *fb = x->fb;
	struct adder ad = { .x = x, .kind = IT_SPAN };
	int64_t lo = prop_instant(x, ps, ICS_TIME_MIN), hi = ICS_TIME_MAX;
	icalcomponent **av;
	size_t n;

	if (pd && ps)
		hi = lo + icaldurationtype_as_int(icalproperty_get_duration(pd));
	hi = prop_instant(x, icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY), hi);
	ad.lo = lo > fb->start ? lo : fb->start;
	ad.hi = hi < fb->end ? hi : fb->end;
	if (ad.hi <= ad.lo)
		return;
	availability_class(c, &ad);
	push(&ad, ad.lo, ad.hi);
	ad.kind = IT_FREE;
	av = kids(x, c, ICAL_XAVAILABLE_COMPONENT, &n);
	/* A walk cut short frees what it saw: the rest stays unavailable. */
	for (size_t i = 0; i < n && !x->full; i++)
		ics_instances(&x->d, x->deftz, av[i], ad.lo, ad.hi, push_inst, &ad);
}

int ics_fb_add(struct ics_fb *fb, const char *data, size_t len, const char *default_tz,
               struct sd_err *err)
{
	struct fbctx x;
	icalcomponent **cs;
	size_t n0, n;
	int rc;

	memset(&x, 0, sizeof(x));
	x.fb = fb;
	if (fb->n >= fb->compact_at)
		compact(fb);
	n0 = fb->n;
	rc = ics_doc_parse(&x.d, data ? data : "", data ? len : 0, sd_arena_new(), err);
	if (rc)
		goto out;
	x.deftz = ics_deftz_load(&x.tz, default_tz, x.d.a);
	cs = kids(&x, x.d.root, ICAL_ANY_COMPONENT, &n);
	for (size_t i = 0; i < n && !x.full; i++) {
		switch (icalcomponent_isa(cs[i])) {
		case ICAL_VEVENT_COMPONENT:
			event_add(&x, cs[i]);
			break;
		case ICAL_VFREEBUSY_COMPONENT:
			freebusy_add(&x, cs[i]);
			break;
		case ICAL_VAVAILABILITY_COMPONENT:
			availability_add(&x, cs[i]);
			break;
		default:
			break;
		}
	}
	if (x.full) {
		fb->n = n0;
		rc = sd_err_set(err, ICS_ETOOMANY, "more than %u busy periods", ICS_FB_MAX_ITEMS);
	}
	fb->fresh = 0;
out:
	ics_doc_close(&x.d);
	ics_doc_close(&x.tz);
	sd_arena_free(x.d.a);
	return rc;
}

int ics_fb_add_calendar(struct ics_fb *fb, const char *data, size_t len, const char *default_tz,
                        size_t *skipped, struct sd_err *err)
{
	struct sd_arena *a = sd_arena_new();
	struct ics_part *parts;
	size_t n, bad = 0;
	int rc;

	if ((rc = ics_split(a, data ? data : "", data ? len : 0, &parts, &n, err)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct sd_err e = { 0 };

		/* A part the splitter found broken may still parse (a
		 * component without UID); the parser has the last word. */
		rc = ics_fb_add(fb, parts[i].text, parts[i].len, default_tz, &e);
		if (rc == ICS_ETOOMANY) {
			sd_err_set(err, rc, "%s", e.msg);
			goto out;
		}
		bad += rc != 0;
		rc = 0;
	}
out:
	sd_arena_free(a);
	if (skipped)
		*skipped = bad;
	return rc;
}

/* ---- the sweep ---- */

static int cmp_edge(const void *pa, const void *pb)
{
	int64_t a = ((const struct edge *)pa)->t, b = ((const struct edge *)pb)->t;

	return (a > b) - (a < b);
}

static void count(struct counts *c, const struct edge *ev)
{
	if (ev->kind == IT_BUSY)
		c->busy[ev->type] += ev->delta;
	else if (ev->kind == IT_SPAN)
		c->span[ev->rank][ev->type] += ev->delta;
	else
		c->free[ev->rank] += ev->delta;
}

/* The type reported where counts c hold; 0: free. */
static int state_type(const struct counts *c)
{
	int t = 0;

	for (int k = ICS_FB_BUSY; k >= ICS_FB_BUSY_TENTATIVE && !t; k--)
		if (c->busy[k])
			t = k;
	for (int r = RANKS - 1; r >= 0; r--) {
		const long *sp = c->span[r];

		if (!sp[1] && !sp[2] && !sp[3])
			continue;
		for (int k = ICS_FB_BUSY; k > t && !c->free[r]; k--)
			if (sp[k]) {
				t = k;
				break;
			}
		break;
	}
	return t;
}

static void append(struct ics_period *res, size_t *n, int64_t s, int64_t e, int type)
{
	struct ics_period *last = *n ? &res[*n - 1] : NULL;

	if (last && last->type == (enum ics_fbtype)type && last->end == s) {
		last->end = e;
		return;
	}
	res[(*n)++] = (struct ics_period){ .start = s, .end = e, .type = type };
}

/* Resolves the items into fb->res (see the file head). */
static void sweep(struct ics_fb *fb)
{
	struct edge *ev = sd_xmalloc((2 * fb->n + 1) * sizeof(*ev));
	struct ics_period *res;
	struct counts c;
	size_t m = 0, n = 0;

	for (size_t i = 0; i < fb->n; i++) {
		const struct item *it = &fb->v[i];

		ev[m++] = (struct edge){ it->s, 1, it->kind, it->type, it->rank };
		ev[m++] = (struct edge){ it->e, -1, it->kind, it->type, it->rank };
	}
	qsort(ev, m, sizeof(*ev), cmp_edge);
	res = sd_xmalloc((m + 1) * sizeof(*res)); /* a period between two edges at most */
	memset(&c, 0, sizeof(c));
	for (size_t i = 0; i < m;) {
		int64_t t = ev[i].t;
		int type;

		for (; i < m && ev[i].t == t; i++)
			count(&c, &ev[i]);
		type = state_type(&c);
		if (type && i < m)
			append(res, &n, t, ev[i].t, type);
	}
	fb->res = sd_arena_memdup(fb->a, res, n * sizeof(*res));
	fb->nres = n;
	fb->fresh = 1;
	free(res);
	free(ev);
}

int ics_fb_periods(struct ics_fb *fb, const struct ics_period **out, size_t *n)
{
	if (!fb->fresh)
		sweep(fb);
	*out = fb->res;
	*n = fb->nres;
	return 0;
}

/* ---- the VFREEBUSY ---- */

/* t in UTC, within the years iCalendar can write (0000 to 9999). */
static void put_utc(struct sd_buf *b, int64_t t)
{
	struct icaltimetype tt = ics_wall_time(ics_clamp_wall(t), 0);

	sd_buf_printf(b, "%04d%02d%02dT%02d%02d%02dZ", tt.year, tt.month, tt.day, tt.hour,
	              tt.minute, tt.second);
}

/* An exact duration, as RFC 5545 3.3.6 writes one: PT1H, PT1H0M30S, PT90S. */
static void put_dur(struct sd_buf *b, int64_t secs)
{
	int64_t h = secs / 3600, m = secs / 60 % 60, s = secs % 60;

	sd_buf_adds(b, "PT");
	if (h)
		sd_buf_printf(b, "%lldH", (long long)h);
	if (m || (h && s))
		sd_buf_printf(b, "%lldM", (long long)m);
	if (s)
		sd_buf_printf(b, "%lldS", (long long)s);
}

/* FREEBUSY with the periods of one type, if there are any. */
static void put_type(struct sd_buf *b, struct ics_fb *fb, enum ics_fbtype type, const char *prop)
{
	struct sd_buf line;
	size_t k = 0;

	sd_buf_init(&line, 0);
	sd_buf_adds(&line, prop);
	for (size_t i = 0; i < fb->nres; i++) {
		if (fb->res[i].type != type)
			continue;
		sd_buf_adds(&line, k++ ? "," : ":");
		put_utc(&line, fb->res[i].start);
		sd_buf_addc(&line, '/');
		put_dur(&line, fb->res[i].end - fb->res[i].start);
	}
	if (k)
		ics_fold(b, line.data, line.len);
	sd_buf_free(&line);
}

/* name:value, folded; control characters in value become spaces. */
static void put_prop(struct sd_buf *b, const char *name, const char *value)
{
	struct sd_buf line;

	sd_buf_init(&line, 0);
	sd_buf_printf(&line, "%s:", name);
	for (const char *s = value ? value : ""; *s; s++)
		sd_buf_addc(&line, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
	ics_fold(b, line.data, line.len);
	sd_buf_free(&line);
}

/* The VCALENDAR of ics_fb_render, as a REPLY when r is not NULL. */
static const char *render(struct ics_fb *fb, const char *prodid, const struct ics_fb_reply *r)
{
	const struct ics_period *p;
	struct sd_buf b;
	const char *text;
	size_t n;

	ics_fb_periods(fb, &p, &n);
	sd_buf_init(&b, 0);
	sd_buf_adds(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
	put_prop(&b, "PRODID", prodid);
	if (r)
		sd_buf_adds(&b, "METHOD:REPLY\r\n");
	sd_buf_adds(&b, "BEGIN:VFREEBUSY\r\n");
	if (r && r->uid && *r->uid)
		put_prop(&b, "UID", r->uid);
	sd_buf_adds(&b, "DTSTAMP:");
	put_utc(&b, sd_now());
	sd_buf_adds(&b, "\r\nDTSTART:");
	put_utc(&b, fb->start);
	sd_buf_adds(&b, "\r\nDTEND:");
	put_utc(&b, fb->end);
	sd_buf_adds(&b, "\r\n");
	if (r) {
		put_prop(&b, "ORGANIZER", r->organizer);
		put_prop(&b, "ATTENDEE", r->attendee);
	}
	put_type(&b, fb, ICS_FB_BUSY_TENTATIVE, "FREEBUSY;FBTYPE=BUSY-TENTATIVE");
	put_type(&b, fb, ICS_FB_BUSY, "FREEBUSY");
	put_type(&b, fb, ICS_FB_BUSY_UNAVAILABLE, "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE");
	sd_buf_adds(&b, "END:VFREEBUSY\r\nEND:VCALENDAR\r\n");
	text = sd_arena_strndup(fb->a, sd_buf_cstr(&b), b.len);
	sd_buf_free(&b);
	return text;
}

const char *ics_fb_render(struct ics_fb *fb, const char *prodid)
{
	return render(fb, prodid, NULL);
}

const char *ics_fb_render_reply(struct ics_fb *fb, const char *prodid, const struct ics_fb_reply *r)
{
	return render(fb, prodid, r);
}
