/* ics_occur.c - instances of an object's events with their summary and
 * location (see ics_occur.h).
 *
 * A thin walk over ics_instances, the expansion every time-range query and
 * free-busy lookup uses, so a feed shows the same instances as a
 * calendar-query and counts the same busy time as availability does.
 * RRULE and RDATE may give one start twice: instances are kept once per
 * (component, RECURRENCE-ID).
 */
#include "ics_occur.h"

#include <string.h>

#include "ics.h"
#include "ics_int.h"

struct walk {
	struct sd_arena *a;
	struct ics_occur *v;
	size_t n, cap, first; /* first: this component's first instance */
	struct ics_occur proto;
};

static int add(const struct ics_inst *in, void *arg)
{
	struct walk *w = arg;

	if (in->e <= in->s)
		return 0;
	for (size_t i = w->first; i < w->n; i++)
		if (w->v[i].rid == in->rid)
			return 0;
	if (w->n == ICS_OCCUR_MAX)
		return 1;
	if (w->n == w->cap) {
		struct ics_occur *v;

		w->cap = w->cap ? 2 * w->cap : 16;
		v = sd_arena_alloc(w->a, w->cap * sizeof(*v));
		if (w->n)
			memcpy(v, w->v, w->n * sizeof(*v));
		w->v = v;
	}
	w->v[w->n] = w->proto;
	w->v[w->n].start = in->s;
	w->v[w->n].end = in->e;
	w->v[w->n].rid = in->rid;
	w->n++;
	return 0;
}

static const char *text_of(struct sd_arena *a, icalcomponent *c, icalproperty_kind kind)
{
	icalproperty *p = icalcomponent_get_first_property(c, kind);
	const char *s = NULL;

	if (p && kind == ICAL_SUMMARY_PROPERTY)
		s = icalproperty_get_summary(p);
	else if (p && kind == ICAL_LOCATION_PROPERTY)
		s = icalproperty_get_location(p);
	return s ? sd_arena_strdup(a, s) : NULL;
}

static void event_walk(struct ics_doc *d, icaltimezone *deftz, icalcomponent *c, int64_t start,
                       int64_t end, struct walk *w)
{
	icalproperty *pt = icalcomponent_get_first_property(c, ICAL_TRANSP_PROPERTY);
	icalproperty *ps = icalcomponent_get_first_property(c, ICAL_STATUS_PROPERTY);
	icalproperty_transp tr = pt ? icalproperty_get_transp(pt) : ICAL_TRANSP_OPAQUE;
	icalproperty_status st = ps ? icalproperty_get_status(ps) : ICAL_STATUS_NONE;
	const char *uid = icalcomponent_get_uid(c);

	if (tr == ICAL_TRANSP_TRANSPARENT || tr == ICAL_TRANSP_TRANSPARENTNOCONFLICT ||
	    st == ICAL_STATUS_CANCELLED)
		return;
	w->proto = (struct ics_occur){
		.tentative = st == ICAL_STATUS_TENTATIVE,
		.uid = sd_arena_strdup(w->a, uid ? uid : ""),
		.summary = text_of(w->a, c, ICAL_SUMMARY_PROPERTY),
		.location = text_of(w->a, c, ICAL_LOCATION_PROPERTY),
	};
	w->first = w->n;
	ics_instances(d, deftz, c, start, end, add, w);
}

int ics_occurrences(const char *data, size_t len, const char *default_tz, int64_t start,
                    int64_t end, struct sd_arena *a, struct ics_occur **out, size_t *n,
                    struct sd_err *err)
{
	struct sd_arena *tmp = sd_arena_new();
	struct ics_doc d, tz;
	struct walk w = { .a = a };
	icaltimezone *deftz;
	icalcomponent **cs;
	size_t nc;
	int rc;

	memset(&d, 0, sizeof(d));
	memset(&tz, 0, sizeof(tz));
	*out = NULL;
	*n = 0;
	rc = ics_doc_parse(&d, data ? data : "", data ? len : 0, tmp, err);
	if (rc)
		goto out;
	deftz = ics_deftz_load(&tz, default_tz, tmp);
	/* the events first: a master's walk moves libical's iterator over
	 * its parent (it looks for overrides) */
	nc = (size_t)icalcomponent_count_components(d.root, ICAL_VEVENT_COMPONENT);
	cs = sd_arena_alloc(tmp, (nc + 1) * sizeof(*cs));
	nc = 0;
	for (icalcomponent *c = icalcomponent_get_first_component(d.root, ICAL_VEVENT_COMPONENT); c;
	     c = icalcomponent_get_next_component(d.root, ICAL_VEVENT_COMPONENT))
		cs[nc++] = c;
	for (size_t i = 0; i < nc && w.n < ICS_OCCUR_MAX; i++)
		event_walk(&d, deftz, cs[i], start, end, &w);
	*out = w.v;
	*n = w.n;
out:
	ics_doc_close(&d);
	ics_doc_close(&tz);
	sd_arena_free(tmp);
	return rc;
}
