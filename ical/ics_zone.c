/* ics_zone.c - wall clocks and instants in the zones of the system database
 * (ics_zone.h), for callers outside ical/.
 *
 * libical answers one question exactly: the UTC offset of a zone at an
 * instant (ics_wall_of). Everything here is built on that answer alone. The
 * inverse is not asked of libical: icaltimezone_get_utc_offset() on a local
 * time picks one of the two instants of a repeated hour and makes one up
 * for a skipped hour. Instead the offsets of a stretch of time are laid out
 * as spans of constant offset (spans_walk): the offset is probed every
 * PROBE seconds and, where two probes differ, bisected down to the second
 * it changes. A wall clock w then has the instant w - o in each span of
 * offset o that holds w - o: none, one or two of them, exactly.
 *
 * The answers are libical's, so they are as right as libical's reading of
 * the system's TZif files. Checked against those files for the 312 zones of
 * zone1970.tab, 1900 to 2037 (tz 2025b): the same changes to the second
 * after April 2022; before that, libical 3.0.16 loses some years of
 * summer time in a few zones (Africa/Cairo, Asia/Tehran, Asia/Jerusalem
 * 2013-2016, Pacific/Easter until 2022: libical issue #478), and after 2037
 * it times some zones' changes wrong. The rest of ical/ converts with the
 * same zones, so at least every part of the server agrees.
 *
 * Invariants:
 * - spans_walk is exact as long as no zone changes its offset twice within
 *   PROBE seconds (a change and its undoing between two probes would go
 *   unseen). In the tz database (2025b, every zone, the transitions it
 *   lists and the yearly rules after them) the closest two changes are
 *   3.98 days apart (Africa/Freetown, 1939); PROBE is 12 hours.
 * - UTC offsets stay within REACH (real ones within 16 hours), so the
 *   instants of wall clock w lie in (w - REACH, w + REACH).
 * - Zones are looked up through ics_tz_system() only, which serialises
 *   libical's list of system zones; "UTC" needs no lookup (a NULL zone).
 *   Times are checked against ICS_ZONE_TIME_MIN..MAX first, so no sum
 *   below can overflow.
 */
#include <string.h>

#include "ics_int.h"
#include "ics_zone.h"

#define PROBE INT64_C(43200)
#define REACH INT64_C(86400)

/* The zone tzid names in *z (NULL for UTC). ICS_EPARSE if none. */
static int zone_get(const char *tzid, icaltimezone **z)
{
	*z = NULL;
	if (!tzid || !*tzid)
		return ICS_EPARSE;
	if (strcmp(tzid, "UTC") == 0)
		return ICS_OK;
	ics_once();
	*z = ics_tz_system(tzid);
	return *z ? ICS_OK : ICS_EPARSE;
}

static int time_ok(int64_t t)
{
	return t >= ICS_ZONE_TIME_MIN && t <= ICS_ZONE_TIME_MAX;
}

static int64_t offset_at(icaltimezone *z, int64_t t)
{
	return ics_wall_of(z, t) - t;
}

/* The first instant in (lo, hi] whose offset is not off, where lo's is and
 * hi's is not. */
static int64_t change_at(icaltimezone *z, int64_t lo, int64_t hi, int64_t off)
{
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;

		if (offset_at(z, mid) == off)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/* Calls fn on the spans of z that cover [from, to) (from < to), in order. */
static void spans_walk(icaltimezone *z, int64_t from, int64_t to,
                       void (*fn)(const struct ics_zone_span *sp, void *arg), void *arg)
{
	struct ics_zone_span sp = { from, to, offset_at(z, from) };
	int64_t t = from;

	while (z && t < to - 1) {
		int64_t next = to - 1 - t > PROBE ? t + PROBE : to - 1;

		if (offset_at(z, next) == sp.offset) {
			t = next;
			continue;
		}
		t = change_at(z, t, next, sp.offset);
		sp.end = t;
		fn(&sp, arg);
		sp.start = t;
		sp.offset = offset_at(z, t);
	}
	sp.end = to;
	fn(&sp, arg);
}

int ics_zone_valid(const char *tzid)
{
	icaltimezone *z;

	return zone_get(tzid, &z) == ICS_OK;
}

int ics_zone_wall(const char *tzid, int64_t instant, int64_t *wall_out)
{
	icaltimezone *z;
	int rc = zone_get(tzid, &z);

	if (rc == ICS_OK && !time_ok(instant))
		rc = ICS_EPARSE;
	if (rc == ICS_OK)
		*wall_out = ics_wall_of(z, instant);
	return rc;
}

struct inst_ctx {
	int64_t wall;
	int64_t *out;
	int n;
};

static void inst_add(const struct ics_zone_span *sp, void *arg)
{
	struct inst_ctx *c = arg;
	int64_t t = c->wall - sp->offset;

	/* Spans come in order, so the instants do too; two at most, as no
	 * two changes fall within 2 * REACH (see the file comment). */
	if (t >= sp->start && t < sp->end && c->n < 2)
		c->out[c->n++] = t;
}

int ics_zone_instants(const char *tzid, int64_t wall, int64_t out[2], int *n)
{
	struct inst_ctx c = { wall, out, 0 };
	icaltimezone *z;
	int rc = zone_get(tzid, &z);

	if (rc == ICS_OK && !time_ok(wall))
		rc = ICS_EPARSE;
	if (rc == ICS_OK)
		spans_walk(z, wall - REACH, wall + REACH, inst_add, &c);
	*n = c.n;
	return rc;
}

struct span_list {
	struct sd_arena *a;
	struct ics_zone_span *v;
	size_t n, cap;
};

static void span_add(const struct ics_zone_span *sp, void *arg)
{
	struct span_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		struct ics_zone_span *v = sd_arena_alloc(l->a, cap * sizeof(*v));

		if (l->n)
			memcpy(v, l->v, l->n * sizeof(*v));
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *sp;
}

int ics_zone_spans(struct sd_arena *a, const char *tzid, int64_t from, int64_t to,
                   struct ics_zone_span **out, size_t *n)
{
	struct span_list l = { a, NULL, 0, 0 };
	icaltimezone *z;
	int rc = zone_get(tzid, &z);

	if (rc == ICS_OK && !(time_ok(from) && time_ok(to) && from < to))
		rc = ICS_EPARSE;
	if (rc == ICS_OK)
		spans_walk(z, from, to, span_add, &l);
	*out = l.v;
	*n = l.n;
	return rc;
}
