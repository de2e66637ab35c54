/* ics_event.c - writing one event as an iCalendar object (see ics_event.h).
 *
 * Plain text assembly rather than libical's component tree: the object is
 * small and fixed in shape, and writing it directly keeps the escaping
 * rules in one visible place. Each content line is built unfolded in a
 * scratch buffer and then folded by ics_fold. A calendar of many events
 * (a feed) shares the same event writer; its VTIMEZONEs are libical's
 * (ics_tz_system_vtimezone), serialised by libical, which folds and ends
 * lines the same way.
 */
#include "ics_event.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ics_int.h"
#include "sd_buf.h"

static void put_utc(struct sd_buf *b, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[32];

	gmtime_r(&tt, &tm);
	strftime(s, sizeof(s), "%Y%m%dT%H%M%SZ", &tm);
	sd_buf_adds(b, s);
}

/* TEXT (RFC 5545 3.3.11); CR LF and lone CR become one "\n", other
 * controls a space. */
static void put_text(struct sd_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\' || c == ';' || c == ',') {
			sd_buf_addc(b, '\\');
			sd_buf_addc(b, (char)c);
		} else if (c == '\r' || c == '\n') {
			sd_buf_adds(b, "\\n");
			if (c == '\r' && s[1] == '\n')
				s++;
		} else if (c < 0x20 || c == 0x7f) {
			sd_buf_addc(b, ' ');
		} else {
			sd_buf_addc(b, (char)c);
		}
	}
}

/* A parameter value: DQUOTE and controls dropped, quoted when it holds
 * ':', ';' or ','. */
static void put_param(struct sd_buf *b, const char *name, const char *v)
{
	int quote = strpbrk(v, ":;,") != NULL;

	sd_buf_printf(b, ";%s=", name);
	if (quote)
		sd_buf_addc(b, '"');
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (c != '"' && c >= 0x20 && c != 0x7f)
			sd_buf_addc(b, (char)c);
	}
	if (quote)
		sd_buf_addc(b, '"');
}

/* Emits the scratch line into out, folded, and empties it. */
static void flush(struct sd_buf *out, struct sd_buf *line)
{
	ics_fold(out, line->data, line->len);
	sd_buf_reset(line);
}

static void put_text_prop(struct sd_buf *out, struct sd_buf *line, const char *name, const char *v)
{
	if (!v)
		return;
	sd_buf_printf(line, "%s:", name);
	put_text(line, v);
	flush(out, line);
}

/* A cal-address keeps its characters but not controls (it is a URI). */
static void put_party(struct sd_buf *out, struct sd_buf *line, const char *name,
                      const struct ics_party *p)
{
	sd_buf_adds(line, name);
	if (p->cn && *p->cn)
		put_param(line, "CN", p->cn);
	if (p->role)
		put_param(line, "ROLE", p->role);
	if (p->partstat)
		put_param(line, "PARTSTAT", p->partstat);
	sd_buf_addc(line, ':');
	for (const char *s = p->uri; *s; s++)
		if ((unsigned char)*s > 0x20 && *s != 0x7f)
			sd_buf_addc(line, *s);
	flush(out, line);
}

/* tzid NULL: UTC; else the wall clock in tzid (a known zone). */
static void put_time_prop(struct sd_buf *out, struct sd_buf *line, const char *name, int64_t t,
                          const char *tzid)
{
	int64_t wall;

	if (tzid && !ics_zone_wall(tzid, t, &wall)) {
		sd_buf_printf(line, "%s;TZID=%s:", name, tzid);
		put_utc(line, wall);
		line->len--; /* the wall clock carries no 'Z' */
	} else {
		sd_buf_printf(line, "%s:", name);
		put_utc(line, t);
	}
	flush(out, line);
}

/* A zone for zoned times: known and not UTC, else NULL. */
static const char *zone_of(const char *tzid)
{
	return tzid && strcmp(tzid, "UTC") && ics_zone_valid(tzid) ? tzid : NULL;
}

static void put_event(struct sd_buf *out, struct sd_buf *line, const struct ics_event *ev,
                      const char *tzid)
{
	sd_buf_adds(out, "BEGIN:VEVENT\r\n");
	put_text_prop(out, line, "UID", ev->uid);
	put_time_prop(out, line, "DTSTAMP", ev->dtstamp, NULL);
	put_time_prop(out, line, "DTSTART", ev->start, tzid);
	put_time_prop(out, line, "DTEND", ev->end, tzid);
	sd_buf_printf(out, "SEQUENCE:%lld\r\n", (long long)ev->sequence);
	if (ev->status)
		sd_buf_printf(out, "STATUS:%s\r\n", ev->status);
	if (ev->transp)
		sd_buf_printf(out, "TRANSP:%s\r\n", ev->transp);
	put_text_prop(out, line, "SUMMARY", ev->summary);
	put_text_prop(out, line, "LOCATION", ev->location);
	put_text_prop(out, line, "DESCRIPTION", ev->description);
	if (ev->organizer)
		put_party(out, line, "ORGANIZER", ev->organizer);
	for (size_t i = 0; i < ev->nattendees; i++)
		put_party(out, line, "ATTENDEE", &ev->attendees[i]);
	for (size_t i = 0; i < ev->nxprops; i++)
		put_text_prop(out, line, ev->xprops[i].name, ev->xprops[i].value);
	sd_buf_adds(out, "END:VEVENT\r\n");
}

char *ics_event_render(struct sd_arena *a, const struct ics_event *ev, const char *prodid)
{
	return ics_event_render_method(a, ev, prodid, NULL);
}

char *ics_event_render_method(struct sd_arena *a, const struct ics_event *ev, const char *prodid,
                              const char *method)
{
	struct sd_buf out, line;
	char *text;

	sd_buf_init(&out, 0);
	sd_buf_init(&line, 0);
	sd_buf_adds(&out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
	put_text_prop(&out, &line, "PRODID", prodid);
	if (method)
		sd_buf_printf(&out, "METHOD:%s\r\n", method);
	sd_buf_adds(&out, "CALSCALE:GREGORIAN\r\n");
	put_event(&out, &line, ev, NULL);
	sd_buf_adds(&out, "END:VCALENDAR\r\n");
	text = sd_arena_strndup(a, sd_buf_cstr(&out), out.len);
	sd_buf_free(&line);
	sd_buf_free(&out);
	return text;
}

/* One VTIMEZONE per distinct zone of the events, in first-use order. */
static void put_zones(struct sd_buf *out, struct sd_arena *a, const struct ics_event *ev, size_t n,
                      int64_t from)
{
	const char **seen = sd_arena_alloc(a, (n + 1) * sizeof(*seen));
	size_t nseen = 0;

	for (size_t i = 0; i < n; i++) {
		const char *z = zone_of(ev[i].tzid);
		size_t k;
		char *vtz;

		if (!z)
			continue;
		for (k = 0; k < nseen && strcmp(seen[k], z); k++)
			;
		if (k < nseen)
			continue;
		seen[nseen++] = z;
		if ((vtz = ics_tz_system_vtimezone(z, from))) {
			sd_buf_adds(out, vtz);
			free(vtz);
		}
	}
}

char *ics_calendar_render(struct sd_arena *a, const struct ics_calendar *cal,
                          const struct ics_event *ev, size_t n)
{
	struct sd_buf out, line;
	char *text;

	sd_buf_init(&out, 0);
	sd_buf_init(&line, 0);
	sd_buf_adds(&out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
	put_text_prop(&out, &line, "PRODID", cal->prodid);
	sd_buf_adds(&out, "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n");
	put_text_prop(&out, &line, "NAME", cal->name);
	put_text_prop(&out, &line, "X-WR-CALNAME", cal->name);
	put_text_prop(&out, &line, "X-WR-TIMEZONE", cal->tzid);
	if (cal->refresh) {
		sd_buf_printf(&line, "REFRESH-INTERVAL;VALUE=DURATION:%s", cal->refresh);
		flush(&out, &line);
		sd_buf_printf(&line, "X-PUBLISHED-TTL:%s", cal->refresh);
		flush(&out, &line);
	}
	put_zones(&out, a, ev, n, cal->zones_from);
	for (size_t i = 0; i < n; i++)
		put_event(&out, &line, &ev[i], zone_of(ev[i].tzid));
	sd_buf_adds(&out, "END:VCALENDAR\r\n");
	text = sd_arena_strndup(a, sd_buf_cstr(&out), out.len);
	sd_buf_free(&line);
	sd_buf_free(&out);
	return text;
}
