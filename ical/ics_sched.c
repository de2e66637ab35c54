/* ics_sched.c - reading an iTIP scheduling message (see ics_sched.h).
 *
 * The message is parsed and its values checked as every calendar object is
 * (ics_doc_open), then read in two steps: the METHOD and the kind of its
 * components, which is all a refusal needs; then, for a free-busy request
 * only, the fields a reply is built from. Everything that outlives the
 * tree is copied into the caller's arena before the tree is freed.
 */
#include <string.h>
#include <strings.h>

#include "ics_int.h"
#include "ics_sched.h"
#include "sd_util.h"

static char *upper_dup(struct sd_arena *a, const char *s)
{
	char *u = sd_arena_strdup(a, s ? s : "");

	for (char *p = u; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return u;
}

/* METHOD, and the one kind of component the message carries. */
static int read_kind(struct ics_doc *d, struct ics_sched_msg *out, icalcomponent **first)
{
	icalproperty *m = icalcomponent_get_first_property(d->root, ICAL_METHOD_PROPERTY);
	icalcomponent_kind kind = ICAL_NO_COMPONENT;

	if (!m)
		return ics_fail(d, ICS_EOBJECT, d->root, NULL,
		                "a scheduling message needs a METHOD (RFC 5546)");
	out->method = upper_dup(d->a, icalproperty_get_value_as_string(m));
	*first = NULL;
	for (icalcomponent *c = icalcomponent_get_first_component(d->root, ICAL_ANY_COMPONENT); c;
	     c = icalcomponent_get_next_component(d->root, ICAL_ANY_COMPONENT)) {
		icalcomponent_kind k = icalcomponent_isa(c);

		if (k == ICAL_VTIMEZONE_COMPONENT)
			continue;
		if (!*first) {
			*first = c;
			kind = k;
			out->comp = sd_arena_strdup(d->a, ics_doc_comp_name(d, c));
		} else if (k != kind || (k == ICAL_X_COMPONENT &&
		                         strcmp(out->comp, ics_doc_comp_name(d, c)) != 0)) {
			return ics_fail(d, ICS_EOBJECT, c, NULL,
			                "a scheduling message carries components of one kind; "
			                "this one has %s and %s",
			                out->comp, ics_doc_comp_name(d, c));
		}
	}
	if (!*first)
		return ics_fail(d, ICS_EOBJECT, d->root, NULL,
		                "the scheduling message has no component");
	out->comp_bit = ics_comp_from_name(out->comp);
	return ICS_OK;
}

/* DTSTART or DTEND of a free-busy request, as an instant. */
static int read_time(struct ics_doc *d, icalcomponent *c, icalproperty_kind kind, const char *name,
                     int64_t *out)
{
	icalproperty *p = icalcomponent_get_first_property(c, kind);
	icalvalue *v = p ? icalproperty_get_value(p) : NULL;
	icalvalue_kind vk = v ? icalvalue_isa(v) : ICAL_NO_VALUE;
	icalparameter *tz = p ? icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER) : NULL;
	const char *tzid = tz ? icalparameter_get_tzid(tz) : NULL;

	if (vk != ICAL_DATE_VALUE && vk != ICAL_DATETIME_VALUE)
		return ics_fail(d, ICS_EOBJECT, c, p,
		                "a free-busy request needs %s as a date-time (RFC 5546 3.3.2)",
		                name);
	if (tzid && !ics_tz_lookup(d, tzid))
		return ics_fail(d, ICS_EOBJECT, c, p, "%s names the unknown time zone '%.*s'", name,
		                ics_clip(tzid, 60), tzid);
	*out = ics_time_instant(d, NULL, p, icalvalue_get_datetimedate(v));
	return ICS_OK;
}

static const char *x_value(icalcomponent *c, const char *name)
{
	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_X_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY))
		if (icalproperty_get_x_name(p) && !strcasecmp(icalproperty_get_x_name(p), name))
			return icalproperty_get_x(p);
	return NULL;
}

/* The fields of a free-busy request (RFC 5546 3.3.2). */
static int read_fb_request(struct ics_doc *d, icalcomponent *c, struct ics_sched_msg *out)
{
	size_t norg, natt;
	icalproperty **org = ics_props(d, c, ICAL_ORGANIZER_PROPERTY, &norg);
	icalproperty **att = ics_props(d, c, ICAL_ATTENDEE_PROPERTY, &natt);
	icalproperty *uid = icalcomponent_get_first_property(c, ICAL_UID_PROPERTY);
	const char **v;
	const char *mask;
	int rc;

	if (icalcomponent_count_components(d->root, ICAL_VFREEBUSY_COMPONENT) != 1)
		return ics_fail(d, ICS_EOBJECT, c, NULL,
		                "a free-busy request carries exactly one VFREEBUSY");
	if ((rc = read_time(d, c, ICAL_DTSTART_PROPERTY, "DTSTART", &out->start)) ||
	    (rc = read_time(d, c, ICAL_DTEND_PROPERTY, "DTEND", &out->end)))
		return rc;
	if (out->end <= out->start)
		return ics_fail(d, ICS_EOBJECT, c, NULL,
		                "the free-busy request's DTEND is not after its DTSTART");
	if (norg != 1 || !icalproperty_get_organizer(org[0]) ||
	    !*icalproperty_get_organizer(org[0]))
		return ics_fail(d, ICS_EOBJECT, c, norg ? org[1] : NULL,
		                "a free-busy request names exactly one ORGANIZER (RFC 5546 3.3.2)");
	if (!natt)
		return ics_fail(
		    d, ICS_EOBJECT, c, NULL,
		    "a free-busy request names an ATTENDEE at least: whose busy time to look up");
	out->organizer = sd_arena_strdup(d->a, icalproperty_get_organizer(org[0]));
	v = sd_arena_alloc(d->a, natt * sizeof(*v));
	for (size_t i = 0; i < natt; i++) {
		const char *s = icalproperty_get_attendee(att[i]);
		v[i] = sd_arena_strdup(d->a, s ? s : "");
	}
	out->attendees = v;
	out->nattendees = natt;
	out->uid = sd_arena_strdup(
	    d->a, uid && icalproperty_get_uid(uid) ? icalproperty_get_uid(uid) : "");
	mask = x_value(c, "X-CALENDARSERVER-MASK-UID");
	out->mask_uid = mask && *mask ? sd_arena_strdup(d->a, mask) : NULL;
	out->fb_request = 1;
	return ICS_OK;
}

int ics_sched_parse(const char *data, size_t len, struct sd_arena *a, struct ics_sched_msg *out,
                    struct sd_err *err)
{
	struct ics_doc d;
	icalcomponent *first = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ics_doc_open(&d, data, len, a, err);
	if (!rc)
		rc = read_kind(&d, out, &first);
	if (!rc && !strcmp(out->method, "REQUEST") &&
	    icalcomponent_isa(first) == ICAL_VFREEBUSY_COMPONENT)
		rc = read_fb_request(&d, first, out);
	ics_doc_close(&d);
	return rc;
}
