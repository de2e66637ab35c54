/* ics_filter.c - evaluating a CALDAV:filter (RFC 4791 9.7) against one
 * calendar object resource: the walk of the filter tree, and the matching
 * of properties, parameters and text.
 *
 * The object is parsed by ics_doc_parse (ics.c, without the checks it
 * passed when it was stored) into a struct ics_doc, whose zone cache
 * (ics_tz_lookup) and expansion budget (steps_left, rules_left) the
 * evaluation uses too; the tree and a private arena live for one call, in
 * a struct ics_fctx (ics_int.h). The filter tree is walked top down:
 *
 *   comp_filter_match   some child named N satisfies comp_matches
 *   comp_matches        every prop-filter, every nested comp-filter, and
 *                       the time-range (ics_comp_in_range) last, as the
 *                       dearest
 *   prop_filter_match   some property named N: text, time-range
 *                       (ics_prop_in_range), params
 *   param_filter_match  some parameter named N whose value matches
 *
 * Time ranges, of components and of properties, are ics_filter_time.c's.
 * Children and properties are first copied into arrays (ics_comp_kids,
 * ics_props): libical keeps one iterator per component, and the checks
 * call functions that reset it.
 *
 * Approximations, on purpose:
 * - A property name that is neither X- nor known to libical (an IANA name
 *   newer than libical 3.0) becomes an X-LIC-ERROR in libical's tree and
 *   cannot be filtered on.
 * - i;unicode-casemap folds with a small table (fold_cp): simple case
 *   folding of ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic; other
 *   characters compare as they are, and there is no normalisation (RFC 5051
 *   asks for NFKD too).
 *
 * Thread safety: the tree and the arena belong to one call; zones come
 * from ics_tz_lookup (shared by the process: the VTIMEZONE cache of
 * ics_tzcache.c and libical's system zones, safe to convert with from any
 * thread), and libical's process-wide setup is ics_once() (in
 * ics_doc_parse).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ics_filter.h"
#include "ics_int.h"

/* ---- the parsed object ---- */

/* The zone of default_tz (a VCALENDAR with one VTIMEZONE). One that does
 * not parse leaves UTC: it was checked when it was set. */
static void deftz_load(struct ics_fctx *x, const char *text)
{
	icalcomponent *vtz;
	icalproperty *p;

	if (!text || ics_doc_parse(&x->tz, text, strlen(text), x->d.a, NULL) != ICS_OK)
		return;
	vtz = icalcomponent_get_first_component(x->tz.root, ICAL_VTIMEZONE_COMPONENT);
	p = vtz ? icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY) : NULL;
	if (p && icalproperty_get_tzid(p))
		x->deftz = ics_tz_lookup(&x->tz, icalproperty_get_tzid(p));
}

icalcomponent **ics_comp_kids(struct ics_fctx *x, icalcomponent *c, size_t *n)
{
	icalcomponent **v;
	size_t i = 0;

	*n = (size_t)icalcomponent_count_components(c, ICAL_ANY_COMPONENT);
	v = sd_arena_alloc(x->d.a, (*n + 1) * sizeof(*v));
	for (icalcomponent *k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	     k && i < *n; k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		v[i++] = k;
	*n = i;
	return v;
}

/* ---- text-match (RFC 4791 9.7.5) ---- */

static uint32_t fold_greek(uint32_t c)
{
	if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
		return c + 0x20;
	if ((c >= 0x370 && c <= 0x373) || c == 0x376 || (c >= 0x3D8 && c <= 0x3EF))
		return c | 1;
	if (c >= 0x388 && c <= 0x38A)
		return c + 0x25;
	if (c == 0x38E || c == 0x38F)
		return c + 0x3F;
	if (c >= 0x3FD)
		return c - 0x82; /* Ͻ Ͼ Ͽ */
	switch (c) {
	case 0x37F:
		return 0x3F3;
	case 0x386:
		return 0x3AC;
	case 0x38C:
		return 0x3CC;
	case 0x3C2:
		return 0x3C3; /* final sigma */
	case 0x3CF:
		return 0x3D7;
	case 0x3D0:
		return 0x3B2;
	case 0x3D1:
	case 0x3F4:
		return 0x3B8;
	case 0x3D5:
		return 0x3C6;
	case 0x3D6:
		return 0x3C0;
	case 0x3F0:
		return 0x3BA;
	case 0x3F1:
		return 0x3C1;
	case 0x3F5:
		return 0x3B5;
	case 0x3F7:
	case 0x3FA:
		return c + 1;
	case 0x3F9:
		return 0x3F2;
	default:
		return c;
	}
}

static uint32_t fold_cyrillic(uint32_t c)
{
	if (c <= 0x40F)
		return c + 0x50;
	if (c <= 0x42F)
		return c + 0x20;
	if (c == 0x4C0)
		return 0x4CF;
	if (c >= 0x4C1 && c <= 0x4CE)
		return c & 1 ? c + 1 : c;
	if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || c >= 0x4D0)
		return c | 1;
	return c;
}

/* Simple case folding (Unicode CaseFolding.txt, status C and S) for the
 * blocks named in the file comment. */
static uint32_t fold_cp(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 0x20 : c;
	if (c < 0x100) {
		if (c == 0xB5)
			return 0x3BC; /* micro sign: mu */
		return c >= 0xC0 && c <= 0xDE && c != 0xD7 ? c + 0x20 : c;
	}
	if (c < 0x180) {
		if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149)
			return c; /* no simple folding */
		if (c == 0x178)
			return 0xFF;
		if (c == 0x17F)
			return 's';
		if ((c >= 0x139 && c <= 0x148) || c >= 0x179)
			return c & 1 ? c + 1 : c;
		return c | 1;
	}
	if (c >= 0x370 && c < 0x400)
		return fold_greek(c);
	if (c >= 0x400 && c < 0x530)
		return fold_cyrillic(c);
	return c;
}

/* Decodes one UTF-8 character of s; 0 if s does not start with one. */
static size_t utf8_get(const unsigned char *s, uint32_t *cp)
{
	size_t n = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
	uint32_t c = n == 4 ? s[0] & 0x07u : n == 3 ? s[0] & 0x0Fu : s[0] & 0x1Fu;

	if (s[0] >= 0xF5)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3Fu);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) || (n == 4 && c < 0x10000))
		return 0;
	*cp = c;
	return n;
}

static size_t utf8_put(unsigned char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (unsigned char)(0xC0 | c >> 6);
		o[1] = (unsigned char)(0x80 | (c & 0x3F));
		return 2;
	}
	o[0] = (unsigned char)(0xE0 | c >> 12); /* folding stays in the BMP */
	o[1] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
	o[2] = (unsigned char)(0x80 | (c & 0x3F));
	return 3;
}

/* s folded under the collation (arena). Bytes that are not UTF-8 are kept:
 * they match only themselves. */
static const char *fold(struct ics_fctx *x, const char *s, enum ics_collation coll)
{
	const unsigned char *in = (const unsigned char *)s;
	unsigned char *out, *o;
	uint32_t cp;
	size_t n;

	if (coll == ICS_COLL_OCTET)
		return s;
	/* Folding maps 1-, 2- and 3-byte characters to ones no longer. */
	out = o = sd_arena_alloc(x->d.a, strlen(s) + 1);
	while (*in) {
		if (*in < 0x80 || coll == ICS_COLL_ASCII_CASEMAP) {
			*o++ = (unsigned char)(*in >= 'A' && *in <= 'Z' ? *in + 0x20 : *in);
			in++;
		} else if ((n = utf8_get(in, &cp)) == 0 || n == 4) {
			n = n ? n : 1; /* not UTF-8, or beyond the BMP: as it is */
			memcpy(o, in, n);
			o += n;
			in += n;
		} else {
			o += utf8_put(o, fold_cp(cp));
			in += n;
		}
	}
	*o = '\0';
	return (const char *)out;
}

static int text_match(struct ics_fctx *x, const struct ics_text_match *tm, const char *value)
{
	const char *hay = fold(x, value ? value : "", tm->collation);
	const char *needle = fold(x, tm->text ? tm->text : "", tm->collation);
	int hit = strstr(hay, needle) != NULL;

	return tm->negate ? !hit : hit;
}

/* A property's value as text: TEXT unescaped, addresses and URIs as they
 * are, anything else as libical writes it (arena, or borrowed from p). */
static const char *prop_text(struct ics_fctx *x, icalproperty *p)
{
	icalvalue *v = icalproperty_get_value(p);
	const char *s;
	char *w;

	switch (v ? icalvalue_isa(v) : ICAL_NO_VALUE) {
	case ICAL_NO_VALUE:
		return "";
	case ICAL_TEXT_VALUE:
		s = icalvalue_get_text(v);
		break;
	case ICAL_X_VALUE:
		s = icalvalue_get_x(v);
		break;
	case ICAL_CALADDRESS_VALUE:
		s = icalvalue_get_caladdress(v);
		break;
	case ICAL_URI_VALUE:
		s = icalvalue_get_uri(v);
		break;
	default:
		w = icalvalue_as_ical_string_r(v);
		s = sd_arena_strdup(x->d.a, w ? w : "");
		free(w);
		break;
	}
	return s ? s : "";
}

/* ---- param-filter (9.7.3) ---- */

static const char *param_name(icalparameter *q)
{
	icalparameter_kind k = icalparameter_isa(q);

	if (k == ICAL_X_PARAMETER)
		return icalparameter_get_xname(q);
	if (k == ICAL_IANA_PARAMETER)
		return icalparameter_get_iana_name(q);
	return icalparameter_kind_to_string(k);
}

/* The value of q without quotes (arena, or borrowed from q). */
static const char *param_value(struct ics_fctx *x, icalparameter *q)
{
	const char *v = icalparameter_get_xvalue(q); /* string-valued ones */
	char *w, *eq;
	size_t n;

	if (v)
		return v;
	w = icalparameter_as_ical_string_r(q); /* enumerated: NAME=VALUE */
	eq = w ? strchr(w, '=') : NULL;
	if (!eq) {
		free(w);
		return "";
	}
	eq++;
	n = strlen(eq);
	if (n >= 2 && eq[0] == '"' && eq[n - 1] == '"')
		v = sd_arena_strndup(x->d.a, eq + 1, n - 2);
	else
		v = sd_arena_strdup(x->d.a, eq);
	free(w);
	return v;
}

static int param_filter_match(struct ics_fctx *x, icalproperty *p,
                              const struct ics_param_filter *pf)
{
	int found = 0;

	for (icalparameter *q = icalproperty_get_first_parameter(p, ICAL_ANY_PARAMETER); q;
	     q = icalproperty_get_next_parameter(p, ICAL_ANY_PARAMETER)) {
		const char *name = param_name(q);

		if (!name || !pf->name || strcasecmp(name, pf->name) != 0)
			continue;
		found = 1;
		if (pf->is_not_defined)
			break;
		if (!pf->text || text_match(x, pf->text, param_value(x, q)))
			return 1;
	}
	return pf->is_not_defined && !found;
}

/* ---- prop-filter (9.7.2) ---- */

static int prop_named(icalproperty *p, const char *name)
{
	icalproperty_kind k = icalproperty_isa(p);
	const char *pn =
	    k == ICAL_X_PROPERTY ? icalproperty_get_x_name(p) : icalproperty_kind_to_string(k);

	return pn && name && strcasecmp(pn, name) == 0;
}

static int prop_matches(struct ics_fctx *x, icalproperty *p, const struct ics_prop_filter *pf)
{
	if (pf->text && !text_match(x, pf->text, prop_text(x, p)))
		return 0;
	if (pf->range && !ics_prop_in_range(x, p, pf->range))
		return 0;
	for (const struct ics_param_filter *q = pf->params; q; q = q->next)
		if (!param_filter_match(x, p, q))
			return 0;
	return 1;
}

/* A missing property matches only is-not-defined: a negated text-match
 * needs a property whose value does not contain the text. */
static int prop_filter_match(struct ics_fctx *x, icalcomponent *c, const struct ics_prop_filter *pf)
{
	size_t n;
	icalproperty **ps = ics_props(&x->d, c, ICAL_ANY_PROPERTY, &n);
	int found = 0;

	for (size_t i = 0; i < n; i++) {
		if (!prop_named(ps[i], pf->name))
			continue;
		found = 1;
		if (pf->is_not_defined)
			break;
		if (prop_matches(x, ps[i], pf))
			return 1;
	}
	return pf->is_not_defined && !found;
}

/* ---- comp-filter (9.7.1) ---- */

static int comp_filter_match(struct ics_fctx *x, icalcomponent *parent,
                             const struct ics_comp_filter *cf);

static int comp_matches(struct ics_fctx *x, icalcomponent *c, icalcomponent *parent,
                        const struct ics_comp_filter *cf)
{
	for (const struct ics_prop_filter *pf = cf->props; pf; pf = pf->next)
		if (!prop_filter_match(x, c, pf))
			return 0;
	for (const struct ics_comp_filter *sub = cf->comps; sub; sub = sub->next)
		if (!comp_filter_match(x, c, sub))
			return 0;
	return !cf->range || ics_comp_in_range(x, c, parent, cf->range);
}

static int comp_filter_match(struct ics_fctx *x, icalcomponent *parent,
                             const struct ics_comp_filter *cf)
{
	size_t n;
	icalcomponent **kids = ics_comp_kids(x, parent, &n);
	int found = 0;

	for (size_t i = 0; i < n; i++) {
		const char *name = ics_doc_comp_name(&x->d, kids[i]);

		if (!name || !cf->name || strcasecmp(name, cf->name) != 0)
			continue;
		found = 1;
		if (cf->is_not_defined)
			break;
		if (comp_matches(x, kids[i], parent, cf))
			return 1;
	}
	return cf->is_not_defined && !found;
}

/* ---- public ---- */

int ics_filter_match(const char *data, size_t len, const struct ics_comp_filter *root,
                     const char *default_tz, struct sd_err *err)
{
	struct ics_fctx x;
	int rc;

	memset(&x, 0, sizeof(x));
	rc = ics_doc_parse(&x.d, data ? data : "", data ? len : 0, sd_arena_new(), err);
	if (rc)
		goto out;
	if (!root) {
		rc = 1;
		goto out;
	}
	deftz_load(&x, default_tz);
	/* The root names the VCALENDAR itself, which always exists. */
	rc = root->name && strcasecmp(root->name, "VCALENDAR") == 0 && !root->is_not_defined &&
	     comp_matches(&x, x.d.root, NULL, root);
out:
	ics_doc_close(&x.d);
	ics_doc_close(&x.tz);
	sd_arena_free(x.d.a);
	return rc;
}

icaltimezone *ics_deftz_load(struct ics_doc *tz, const char *text, struct sd_arena *a)
{
	struct ics_fctx x;

	memset(&x, 0, sizeof(x));
	x.d.a = a;
	deftz_load(&x, text);
	*tz = x.tz;
	return x.deftz;
}
