/* ics_select.c - writing CALDAV:calendar-data (RFC 4791 9.6): components and
 * properties selected, recurrences expanded or limited, FREEBUSY limited.
 *
 * The object is parsed once (ics_doc_parse: content lines from ics_lex.c,
 * libical's tree from ics.c). The text written is made of the stored
 * content lines, walked in document order: a line carries the index of its
 * component (a BEGIN or END line the one it opens or closes), so a
 * component is the run of lines from its BEGIN to its END (begin[], end[]),
 * and a child starts wherever a line of another component turns up. Lines
 * go out as stored, folded again; only what the request changes is built
 * anew: a time moved to an instance or to UTC (head of the line without
 * TZID, new value), a FREEBUSY line with fewer periods, a value cut by
 * novalue. libical's writer is never used, so values keep their bytes and
 * the X-LIC-ERRORs of its tree never show.
 *
 * Time decisions use libical's tree (d.comps[i] is component i, when the
 * tree and the lines agree on the number of components, checked first) and
 * the recurrence walk of ics_filter.c through ics_instances: which
 * instances overlap a range (RFC 4791 9.9), EXDATEs, overrides, floating
 * times in the default zone, the expansion budget. An expanded instance is
 * the master's lines with DTSTART, DTEND and DUE moved (struct inst_edit):
 * - a time with a zone or in UTC becomes the instant of the instance (its
 *   start, or for DTEND and DUE its end) in UTC;
 * - a floating time or a DATE moves on the wall clock by as much as the
 *   instance's start is from the master's. The walk gives instants; the
 *   wall clock is read back in the default zone (a DATE at midday, so the
 *   day is right whatever the offset). A floating start in the hour a
 *   spring-forward skips shares its instant with a wall clock an hour away:
 *   the wall clock with the master's time of day is taken when it maps to
 *   that instant, else the one the zone shows (RFC 5545 3.3.5).
 *
 * Approximations, on purpose: an instance from an RDATE;VALUE=PERIOD gets
 * the period's end as DTEND but keeps the master's DURATION line as it is;
 * components other than VEVENT, VTODO and VJOURNAL (VAVAILABILITY and its
 * AVAILABLEs, ...) are not expanded, only moved to UTC, so they keep their
 * rules. An instance that a RANGE=THISANDFUTURE override moved (see
 * ics_filter_time.c) gets its new DTSTART and DTEND (or DUE) and keeps its
 * RECURRENCE-ID; the master's other lines (SUMMARY, a DURATION line) go
 * out as they are, not the override's.
 *
 * Bounds: ics_instances spends the object's budget (ICS_STEPS_MAX), and an
 * expand writes at most max_instances components. A walk that runs out of
 * budget, or a rule it will not walk, fails the expand with ICS_ETOOMANY
 * rather than return a partial set; for limit-recurrence-set it keeps the
 * override (one component too many, never one missing).
 *
 * Thread safety: the tree, its zones and the private arena belong to one
 * call; libical's zones go through ics_tz_lookup as ics_tz.c requires.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ics_int.h"
#include "ics_select.h"
#include "sd_buf.h"

#define DAY  INT64_C(86400)
#define FOLD 75 /* octets per physical line, CRLF not counted */

/* The forms a time value takes, and how each is written back. */
enum tform { TF_UTC, TF_ZONED, TF_FLOAT, TF_DATE };

/* A line whose value is one DATE or DATE-TIME. */
struct ltime {
	enum tform form;
	int64_t wall;       /* the value, read as UTC */
	int64_t t;          /* the instant */
	icaltimezone *zone; /* its zone, the default zone, or NULL (UTC) */
};

/* What an instance of a master changes in its lines. */
struct inst_edit {
	int64_t s, e;        /* the instance's start and end, instants */
	int64_t shift;       /* wall-clock distance from the master's start */
	int64_t r, rshift;   /* the same for its RECURRENCE-ID, which differs
			       if a THISANDFUTURE override moved it */
	struct ltime anchor; /* the master's DTSTART (DUE for a to-do without) */
	size_t anchor_line;  /* RECURRENCE-ID is written after it */
	int rid;             /* the master is a series: write RECURRENCE-ID */
};

/* How the lines of one component are written. */
struct emit {
	const struct inst_edit *ed; /* an instance of a master; its own lines only */
	int utc;                    /* DATE-TIMEs with a TZID in UTC (expand) */
	int norules;                /* no RRULE, RDATE, EXDATE, EXRULE (expand) */
};

struct sctx {
	struct ics_doc d;    /* the object, in a private arena */
	struct ics_doc tz;   /* default_tz, parsed */
	icaltimezone *deftz; /* floating times and dates; NULL: UTC */
	const struct ics_select *sel;
	size_t *begin, *end; /* per component: its BEGIN and END lines */
	struct sd_buf out;
	unsigned written, max; /* components an expand wrote, and may write */
	int rc;                /* ICS_ETOOMANY once an expand is over its bounds */
};

/* Instances of one master, gathered by ics_instances. */
struct icoll {
	struct sd_arena *a;
	struct ics_inst *v;
	size_t n, cap;
};

static void emit_comp(struct sctx *x, size_t i, const struct ics_comp_sel *cs,
                      const struct emit *em);

/* ---- lines out ---- */

void ics_fold(struct sd_buf *out, const char *s, size_t n)
{
	size_t room = FOLD;

	while (n > room) {
		size_t k = room;

		while (k > 1 && ((unsigned char)s[k] & 0xC0) == 0x80)
			k--;
		sd_buf_add(out, s, k);
		sd_buf_add(out, "\r\n ", 3);
		s += k;
		n -= k;
		room = FOLD - 1;
	}
	sd_buf_add(out, s, n);
	sd_buf_add(out, "\r\n", 2);
}

static void put_folded(struct sctx *x, const char *s, size_t n)
{
	ics_fold(&x->out, s, n);
}

/* A stored line; with novalue, up to and including its ':'. */
static void put_line(struct sctx *x, const struct ics_line *l, int novalue)
{
	size_t n = novalue ? (size_t)(l->value - l->text) : strlen(l->text);

	put_folded(x, l->text, n);
}

static int line_named(const struct ics_line *l, const char *name)
{
	return l->name_len == strlen(name) && strncasecmp(l->text, name, l->name_len) == 0;
}

/* ---- selection (9.6.1-9.6.4) ---- */

/* A comp element with no children selects its whole component. */
static int sel_whole(const struct ics_comp_sel *cs)
{
	return !cs || (!cs->allprop && !cs->allcomp && !cs->props && !cs->comps);
}

static int name_selected(const struct ics_comp_sel *cs, const char *name, size_t n, int *novalue)
{
	*novalue = 0;
	if (sel_whole(cs) || cs->allprop)
		return 1;
	for (const struct ics_prop_sel *ps = cs->props; ps; ps = ps->next) {
		if (ps->name && strlen(ps->name) == n && strncasecmp(ps->name, name, n) == 0) {
			*novalue = ps->novalue;
			return 1;
		}
	}
	return 0;
}

/* Whether child components named name are written, and under which
 * selection (*sub NULL: whole). */
static int child_selected(const struct ics_comp_sel *cs, const char *name,
                          const struct ics_comp_sel **sub)
{
	*sub = NULL;
	if (sel_whole(cs) || cs->allcomp)
		return 1;
	for (const struct ics_comp_sel *c = cs->comps; c; c = c->next) {
		if (c->name && strcasecmp(c->name, name) == 0) {
			*sub = c;
			return 1;
		}
	}
	return 0;
}

/* ---- time values of lines ---- */

/* The name and parameters of l without TZID ("DTSTART;VALUE=DATE", arena);
 * *tzid gets the TZID's value, unquoted, or NULL. */
static const char *line_head(struct sctx *x, const struct ics_line *l, const char **tzid)
{
	const char *p = l->text + l->name_len, *stop = l->value - 1;
	char *head = sd_arena_alloc(x->d.a, (size_t)(stop - l->text) + 1);
	size_t n = l->name_len;

	memcpy(head, l->text, n);
	*tzid = NULL;
	while (p < stop) { /* at a ';' */
		const char *seg = ++p;
		int quoted = 0;

		for (; p < stop && (quoted || *p != ';'); p++)
			quoted ^= *p == '"';
		if (p - seg > 5 && strncasecmp(seg, "TZID=", 5) == 0) {
			seg += 5;
			*tzid = seg[0] == '"' && p - seg >= 2
			            ? sd_arena_strndup(x->d.a, seg + 1, (size_t)(p - seg) - 2)
			            : sd_arena_strndup(x->d.a, seg, (size_t)(p - seg));
			continue;
		}
		head[n++] = ';';
		memcpy(head + n, seg, (size_t)(p - seg));
		n += (size_t)(p - seg);
	}
	head[n] = '\0';
	return head;
}

/* Whether l's value is one DATE or DATE-TIME, and what it is. */
static int line_time(struct sctx *x, const struct ics_line *l, struct ltime *t)
{
	size_t n = strlen(l->value);
	struct icaltimetype tt;
	const char *tzid;

	if (n != 8 && n != 15 && n != 16)
		return 0;
	tt = icaltime_from_string(l->value);
	if (icaltime_is_null_time(tt) || !ics_time_valid(tt))
		return 0;
	line_head(x, l, &tzid);
	t->wall = ics_wall_secs(tt);
	t->form = tt.is_date ? TF_DATE : icaltime_is_utc(tt) ? TF_UTC : TF_FLOAT;
	t->zone = t->form == TF_UTC ? NULL : x->deftz;
	if (t->form == TF_FLOAT && tzid && ics_tz_lookup(&x->d, tzid)) {
		t->form = TF_ZONED;
		t->zone = ics_tz_lookup(&x->d, tzid);
	}
	t->t = ics_to_instant(t->zone, t->wall);
	return 1;
}

/* head:value, the value secs in form (TF_UTC: an instant; else a wall clock). */
static void put_time(struct sctx *x, const char *head, int64_t secs, enum tform form, int novalue)
{
	struct icaltimetype tt = ics_wall_time(ics_clamp_wall(secs), form == TF_DATE);
	const char *line;

	if (novalue)
		line = sd_arena_printf(x->d.a, "%s:", head);
	else if (form == TF_DATE)
		line = sd_arena_printf(x->d.a, "%s:%04d%02d%02d", head, tt.year, tt.month, tt.day);
	else
		line = sd_arena_printf(x->d.a, "%s:%04d%02d%02dT%02d%02d%02d%s", head, tt.year,
		                       tt.month, tt.day, tt.hour, tt.minute, tt.second,
		                       form == TF_FLOAT ? "" : "Z");
	put_folded(x, line, strlen(line));
}

/* A DATE-TIME with a TZID, in UTC. 0 if l is not one. */
static int put_utc(struct sctx *x, const struct ics_line *l, int novalue)
{
	struct ltime t;
	const char *tzid;

	if (!line_time(x, l, &t) || t.form != TF_ZONED)
		return 0;
	put_time(x, line_head(x, l, &tzid), t.t, TF_UTC, novalue);
	return 1;
}

/* ---- expanded instances ---- */

static int64_t mod_day(int64_t w)
{
	return (w % DAY + DAY) % DAY;
}

/* How far on the wall clock the instance starting at s is from the master
 * (see the file comment for DATEs and skipped hours). */
static int64_t inst_shift(const struct ltime *a, int64_t s)
{
	int64_t w, c;

	if (a->form == TF_DATE) {
		w = ics_wall_of(a->zone, s + DAY / 2);
		return w - mod_day(w) - a->wall;
	}
	w = ics_wall_of(a->zone, s);
	c = w - mod_day(w) + mod_day(a->wall);
	if (a->form == TF_FLOAT && c != w && ics_to_instant(a->zone, c) == s)
		w = c;
	return w - a->wall;
}

/* DTSTART, DTEND or DUE of a master, moved to the instance. 0 if l is none
 * of them. */
static int put_inst_time(struct sctx *x, const struct ics_line *l, const struct inst_edit *ed,
                         int novalue)
{
	int at_end = line_named(l, "DTEND") || line_named(l, "DUE");
	const char *tzid, *head;
	struct ltime t;

	if ((!at_end && !line_named(l, "DTSTART")) || !line_time(x, l, &t))
		return 0;
	head = line_head(x, l, &tzid);
	if (t.form == TF_UTC || t.form == TF_ZONED)
		put_time(x, head, at_end ? ed->e : ed->s, TF_UTC, novalue);
	else if (at_end && ed->r != ed->s) /* moved: it may last longer too */
		put_time(x, head, t.wall + inst_shift(&t, ed->e), t.form, novalue);
	else
		put_time(x, head, t.wall + ed->shift, t.form, novalue);
	return 1;
}

/* The RECURRENCE-ID of an instance: its start, in the form of the master's. */
static void put_rid(struct sctx *x, const struct ics_comp_sel *cs, const struct inst_edit *ed)
{
	const struct ltime *a = &ed->anchor;
	int novalue;

	if (!ed->rid || !name_selected(cs, "RECURRENCE-ID", 13, &novalue))
		return;
	if (a->form == TF_UTC || a->form == TF_ZONED)
		put_time(x, "RECURRENCE-ID", ed->r, TF_UTC, novalue);
	else
		put_time(x, a->form == TF_DATE ? "RECURRENCE-ID;VALUE=DATE" : "RECURRENCE-ID",
		         a->wall + ed->rshift, a->form, novalue);
}

/* ---- FREEBUSY periods (9.6.7) ---- */

static int span_hits(int64_t s, int64_t e, int64_t start, int64_t end)
{
	if (e <= s)
		return start <= s && s < end;
	return start < e && end > s;
}

/* A value of FREEBUSY ("start/end" or "start/duration"), as instants;
 * FREEBUSY is UTC (RFC 5545 3.8.2.6): other times are read as floating. */
static int period_span(struct sctx *x, const char *v, int64_t *s, int64_t *e)
{
	struct icalperiodtype p = icalperiodtype_from_string(v);

	if (icaltime_is_null_time(p.start))
		return 0;
	*s = icaltime_is_utc(p.start) ? ics_wall_secs(p.start)
	                              : ics_to_instant(x->deftz, ics_wall_secs(p.start));
	if (icaltime_is_null_time(p.end))
		*e = *s + icaldurationtype_as_int(p.duration);
	else
		*e = icaltime_is_utc(p.end) ? ics_wall_secs(p.end)
		                            : ics_to_instant(x->deftz, ics_wall_secs(p.end));
	return 1;
}

/* l with only the periods that overlap the limit; nothing if none does. */
static void put_freebusy(struct sctx *x, const struct ics_line *l, int novalue)
{
	size_t head = (size_t)(l->value - l->text), n = head, len = strlen(l->text);
	char *line = sd_arena_alloc(x->d.a, len + 1), *vals = sd_arena_strdup(x->d.a, l->value);
	int kept = 0;

	memcpy(line, l->text, head);
	for (char *save = NULL, *v = strtok_r(vals, ",", &save); v;
	     v = strtok_r(NULL, ",", &save)) {
		int64_t s, e;

		if (!period_span(x, v, &s, &e) ||
		    !span_hits(s, e, x->sel->lf_start, x->sel->lf_end))
			continue;
		if (kept++)
			line[n++] = ',';
		memcpy(line + n, v, strlen(v));
		n += strlen(v);
	}
	if (kept)
		put_folded(x, line, novalue ? head : n);
}

/* ---- components ---- */

static int rule_line(const struct ics_line *l)
{
	return line_named(l, "RRULE") || line_named(l, "RDATE") || line_named(l, "EXDATE") ||
	       line_named(l, "EXRULE");
}

static void put_prop(struct sctx *x, unsigned ci, const struct ics_line *l, int novalue,
                     const struct emit *em)
{
	const char *cname = x->d.lex.lines[x->begin[ci]].value;

	if (em->norules && rule_line(l))
		return;
	if (em->ed && put_inst_time(x, l, em->ed, novalue))
		return;
	if (x->sel->limit_fbset && line_named(l, "FREEBUSY") && strcasecmp(cname, "VFREEBUSY") == 0)
		put_freebusy(x, l, novalue);
	else if (!em->utc || !put_utc(x, l, novalue))
		put_line(x, l, novalue);
}

static int stop_at_first(const struct ics_inst *in, void *arg)
{
	return 1;
}

/* A component's instances, ics_instances' way: an ICS_WALK_ value. */
static int walk_hits(struct sctx *x, icalcomponent *c, int64_t start, int64_t end)
{
	return ics_instances(&x->d, x->deftz, c, start, end, stop_at_first, NULL);
}

static icalcomponent *comp_at(struct sctx *x, size_t line)
{
	return x->d.comps[x->d.lex.lines[line].comp];
}

/* Another component of the kind and UID of c: with a RECURRENCE-ID (want
 * 1), an override; without (want 0), the master. NULL if none. */
static icalcomponent *sibling(icalcomponent *c, int want_rid)
{
	icalcomponent *cal = icalcomponent_get_parent(c);
	icalcomponent_kind kind = icalcomponent_isa(c);
	const char *uid = icalcomponent_get_uid(c);

	for (icalcomponent *k = cal ? icalcomponent_get_first_component(cal, kind) : NULL; k;
	     k = icalcomponent_get_next_component(cal, kind)) {
		const char *ku = icalcomponent_get_uid(k);
		int rid = icalcomponent_get_first_property(k, ICAL_RECURRENCEID_PROPERTY) != NULL;

		if (k != c && rid == want_rid && uid && ku && strcmp(uid, ku) == 0)
			return k;
	}
	return NULL;
}

/* How long an instance of master m lasts, in seconds. */
static int64_t master_len(struct sctx *x, icalcomponent *m)
{
	icalproperty *ps = icalcomponent_get_first_property(m, ICAL_DTSTART_PROPERTY);
	icalproperty *pe = icalcomponent_get_first_property(m, ICAL_DTEND_PROPERTY);
	icalproperty *pd = icalcomponent_get_first_property(m, ICAL_DURATION_PROPERTY);
	struct icaltimetype st;
	int64_t len = 0;

	if (!pe)
		pe = icalcomponent_get_first_property(m, ICAL_DUE_PROPERTY);
	if (!ps)
		return 0;
	st = icalvalue_get_datetimedate(icalproperty_get_value(ps));
	if (pe)
		len = ics_time_instant(&x->d, x->deftz, pe,
		                       icalvalue_get_datetimedate(icalproperty_get_value(pe))) -
		      ics_time_instant(&x->d, x->deftz, ps, st);
	else if (pd)
		len = icaldurationtype_as_int(icalproperty_get_duration(pd));
	else if (st.is_date && icalcomponent_isa(m) == ICAL_VEVENT_COMPONENT)
		len = DAY;
	return len > 0 ? len : 0;
}

/* 9.6.6: whether override c overlaps the limit, by its own time or by the
 * instance it replaces. A walk that cannot tell keeps it. */
static int rset_keeps(struct sctx *x, icalcomponent *c)
{
	const struct ics_select *sel = x->sel;
	icalproperty *rp = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
	icalcomponent *m = sibling(c, 0);
	int64_t r;

	if (walk_hits(x, c, sel->lr_start, sel->lr_end) != ICS_WALK_DONE)
		return 1;
	r = ics_time_instant(&x->d, x->deftz, rp, icalproperty_get_recurrenceid(rp));
	return m && span_hits(r, r + master_len(x, m), sel->lr_start, sel->lr_end);
}

/* Counts one more component written by an expand. */
static int count_one(struct sctx *x)
{
	if (++x->written <= x->max)
		return 1;
	x->rc = ICS_ETOOMANY;
	return 0;
}

static int icoll_add(const struct ics_inst *in, void *arg)
{
	struct icoll *ic = arg;

	if (ic->n == ic->cap) {
		struct ics_inst *v;

		ic->cap = ic->cap ? 2 * ic->cap : 16;
		v = sd_arena_alloc(ic->a, ic->cap * sizeof(*v));
		if (ic->n)
			memcpy(v, ic->v, ic->n * sizeof(*v));
		ic->v = v;
	}
	ic->v[ic->n++] = *in;
	return 0;
}

static int cmp_inst(const void *a, const void *b)
{
	int64_t u = ((const struct ics_inst *)a)->s, v = ((const struct ics_inst *)b)->s;

	return (u > v) - (u < v);
}

/* The instances of master c in the expand range, by start, each start once. */
static int gather(struct sctx *x, icalcomponent *c, struct icoll *ic)
{
	size_t n = 0;

	memset(ic, 0, sizeof(*ic));
	ic->a = x->d.a;
	if (ics_instances(&x->d, x->deftz, c, x->sel->expand_start, x->sel->expand_end, icoll_add,
	                  ic) != ICS_WALK_DONE)
		return ICS_ETOOMANY;
	if (ic->n)
		qsort(ic->v, ic->n, sizeof(*ic->v), cmp_inst);
	for (size_t i = 0; i < ic->n; i++)
		if (n == 0 || ic->v[i].s != ic->v[n - 1].s || ic->v[i].rid != ic->v[n - 1].rid)
			ic->v[n++] = ic->v[i];
	ic->n = n;
	return ICS_OK;
}

/* The master's DTSTART, else its DUE: line and value. 0 if neither. */
static int find_anchor(struct sctx *x, size_t i, struct inst_edit *ed)
{
	const struct ics_line *lines = x->d.lex.lines;
	unsigned ci = lines[i].comp;
	size_t due = 0;

	for (size_t k = i + 1; k < x->end[ci]; k++) {
		if (lines[k].comp != ci)
			continue;
		if (line_named(&lines[k], "DTSTART") && line_time(x, &lines[k], &ed->anchor)) {
			ed->anchor_line = k;
			return 1;
		}
		if (!due && line_named(&lines[k], "DUE"))
			due = k;
	}
	ed->anchor_line = due;
	return due && line_time(x, &lines[due], &ed->anchor);
}

/* 9.6.5 for a VEVENT, VTODO or VJOURNAL starting at line i. */
static void expand_member(struct sctx *x, size_t i, const struct ics_comp_sel *cs)
{
	icalcomponent *c = comp_at(x, i);
	struct emit em = { .utc = 1, .norules = 1 };
	struct inst_edit ed = { 0 };
	struct icoll ic;
	int hit;

	if (icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY)) {
		hit = walk_hits(x, c, x->sel->expand_start, x->sel->expand_end);
		if (hit == ICS_WALK_CAPPED)
			x->rc = ICS_ETOOMANY;
		else if (hit == ICS_WALK_STOPPED && count_one(x))
			emit_comp(x, i, cs, &em);
		return;
	}
	x->rc = gather(x, c, &ic);
	ed.rid = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY) ||
	         icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY) || sibling(c, 1);
	if (x->rc || ic.n == 0)
		return;
	if (!ed.rid || !find_anchor(x, i, &ed)) {
		if (count_one(x))
			emit_comp(x, i, cs, &em);
		return;
	}
	em.ed = &ed;
	for (size_t k = 0; k < ic.n && count_one(x); k++) {
		ed.s = ic.v[k].s;
		ed.e = ic.v[k].e;
		ed.shift = inst_shift(&ed.anchor, ed.s);
		ed.r = ic.v[k].rid;
		ed.rshift = ed.r == ed.s ? ed.shift : inst_shift(&ed.anchor, ed.r);
		emit_comp(x, i, cs, &em);
	}
}

/* A child of the VCALENDAR, starting at line i. */
static void emit_member(struct sctx *x, size_t i, const struct ics_comp_sel *cs)
{
	static const struct emit plain = { 0 }, utc = { .utc = 1 };
	icalcomponent_kind kind;

	if (x->rc)
		return;
	if (!x->sel->expand && !x->sel->limit_rset) {
		emit_comp(x, i, cs, &plain);
		return;
	}
	kind = icalcomponent_isa(comp_at(x, i));
	if (x->sel->expand) {
		if (kind == ICAL_VEVENT_COMPONENT || kind == ICAL_VTODO_COMPONENT ||
		    kind == ICAL_VJOURNAL_COMPONENT)
			expand_member(x, i, cs);
		else if (kind != ICAL_VTIMEZONE_COMPONENT)
			emit_comp(x, i, cs, &utc);
		return;
	}
	if (!icalcomponent_get_first_property(comp_at(x, i), ICAL_RECURRENCEID_PROPERTY) ||
	    rset_keeps(x, comp_at(x, i)))
		emit_comp(x, i, cs, &plain);
}

/* The component whose BEGIN is line i, its lines and its children's. */
static void emit_comp(struct sctx *x, size_t i, const struct ics_comp_sel *cs,
                      const struct emit *em)
{
	const struct ics_line *lines = x->d.lex.lines;
	unsigned ci = lines[i].comp;
	size_t last = x->end[ci];
	struct emit sub = { .utc = em->utc };

	put_line(x, &lines[i], 0);
	for (i++; i < last; i++) {
		const struct ics_line *l = &lines[i];
		const struct ics_comp_sel *cc;
		int novalue;

		if (l->comp != ci) { /* the BEGIN of a child */
			if (!child_selected(cs, l->value, &cc))
				; /* left out, with all its lines */
			else if (ci == 0)
				emit_member(x, i, cc);
			else
				emit_comp(x, i, cc, &sub);
			i = x->end[l->comp];
			continue;
		}
		if (name_selected(cs, l->text, l->name_len, &novalue))
			put_prop(x, ci, l, novalue, em);
		if (em->ed && i == em->ed->anchor_line)
			put_rid(x, cs, em->ed);
	}
	put_line(x, &lines[last], 0);
}

/* begin[] and end[]: where each component's lines start and stop. */
static void index_lines(struct sctx *x)
{
	const struct ics_lex *lx = &x->d.lex;

	x->begin = sd_arena_alloc(x->d.a, (lx->ncomp + 1) * sizeof(*x->begin));
	x->end = sd_arena_alloc(x->d.a, (lx->ncomp + 1) * sizeof(*x->end));
	for (size_t i = 0; i < lx->n; i++) {
		if (line_named(&lx->lines[i], "BEGIN"))
			x->begin[lx->lines[i].comp] = i;
		else if (line_named(&lx->lines[i], "END"))
			x->end[lx->lines[i].comp] = i;
	}
}

/* ---- public ---- */

int ics_calendar_data(const char *data, size_t len, const struct ics_select *sel,
                      const char *default_tz, struct sd_arena *a, const char **out, size_t *out_len,
                      struct sd_err *err)
{
	static const struct ics_select whole = { 0 };
	static const struct emit plain = { 0 };
	const struct ics_comp_sel *root;
	struct sctx x;
	int rc;

	memset(&x, 0, sizeof(x));
	sd_buf_init(&x.out, 0);
	x.sel = sel ? sel : &whole;
	x.max = x.sel->max_instances ? x.sel->max_instances : ICS_SELECT_MAX_INSTANCES;
	root = x.sel->comp;
	rc = ics_doc_parse(&x.d, data ? data : "", data ? len : 0, sd_arena_new(), err);
	if (rc)
		goto out;
	if ((x.sel->expand || x.sel->limit_rset) && x.d.ncomps != x.d.lex.ncomp) {
		rc = sd_err_set(err, ICS_EPARSE, "libical reads the components differently");
		goto out;
	}
	x.deftz = ics_deftz_load(&x.tz, default_tz, x.d.a);
	index_lines(&x);
	if (root && (!root->name || strcasecmp(root->name, "VCALENDAR") != 0))
		sd_buf_adds(&x.out, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
	else
		emit_comp(&x, 0, root, &plain);
	rc = x.rc;
	if (rc)
		goto out;
	*out_len = x.out.len;
	*out = sd_arena_strndup(a, sd_buf_cstr(&x.out), x.out.len);
out:
	if (rc == ICS_ETOOMANY)
		sd_err_set(err, rc, "expanding gives more than %u instances, or a rule too costly",
		           x.max);
	sd_buf_free(&x.out);
	ics_doc_close(&x.d);
	ics_doc_close(&x.tz);
	sd_arena_free(x.d.a);
	return rc;
}
