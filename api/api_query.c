/* api_query.c - query strings: decoding them by a table of parameters, and
 * turning a day given in one into an instant of a location's zone.
 *
 * Parameters are name=value pairs separated by '&', percent-encoded, with
 * '+' for a space (HTML forms). As with bodies, an unknown parameter is
 * refused (422 naming it) rather than ignored, and so is one given twice.
 *
 * Days. A range may be given as days ("from=2026-11-23&to=2026-11-29"):
 * whole days of the location's zone, the last one included; the instant a
 * local day starts is booking_day_start()'s (midnight, or the first
 * instant that exists when a DST change skips midnight).
 */
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "sd_url.h"
#include "sd_util.h"

#define DAY_SECS   86400
#define MAX_PARAMS 32

/* One decoded name or value: '+' is a space, then %XX; valid UTF-8. */
static char *unescape(struct api_ctx *x, const char *s, size_t n)
{
	char *t = sd_arena_strndup(x->a, s, n), *out;

	for (char *p = t; *p; p++)
		if (*p == '+')
			*p = ' ';
	out = sd_url_decode(x->a, t, strlen(t));
	return out && sd_utf8_valid(out, strlen(out)) ? out : NULL;
}

static int parse_id(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (*s < '1' || *s > '9' || strlen(s) > 18)
		return -1;
	v = strtoll(s, &end, 10);
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static int parse_statuses(const char *s, unsigned *mask)
{
	const char *p = s;

	*mask = 0;
	while (1) {
		size_t n = strcspn(p, ",");
		char name[32];
		int st;

		if (!n || n >= sizeof(name))
			return -1;
		memcpy(name, p, n);
		name[n] = '\0';
		if (!(st = booking_status_from_name(name)) || st > 30)
			return -1;
		*mask |= 1u << st;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

static int parse_int(const char *v, int *out)
{
	int64_t i = 0;

	if (strcmp(v, "0") && (parse_id(v, &i) || i > 1000000000))
		return -1;
	*out = (int)i;
	return 0;
}

static int parse_str(const char *v, const char **out)
{
	*out = v;
	return 0;
}

static int parse_when(const char *v, struct api_when *w)
{
	w->set = 1;
	w->is_day = strlen(v) == 10;
	return w->is_day ? api_day_parse(v, &w->day) : api_time_parse(v, &w->t);
}

static int parse_value(const struct api_param *p, const char *v)
{
	switch (p->type) {
	case API_P_ID:
		return parse_id(v, p->dst);
	case API_P_INT:
		return parse_int(v, p->dst);
	case API_P_STR:
		return parse_str(v, p->dst);
	case API_P_DAY:
		return api_day_parse(v, p->dst);
	case API_P_WHEN:
		return parse_when(v, p->dst);
	case API_P_STATUSES:
		return parse_statuses(v, p->dst);
	}
	return -1;
}

static const char *ptype_name(enum api_ptype t)
{
	switch (t) {
	case API_P_ID:
		return "a positive integer";
	case API_P_INT:
		return "a non-negative integer";
	case API_P_STR:
		return "text";
	case API_P_DAY:
		return "a date such as 2026-11-23";
	case API_P_WHEN:
		return "a date (2026-11-23) or an RFC 3339 date-time (2026-11-23T09:00:00Z)";
	case API_P_STATUSES:
		return "booking statuses separated by commas";
	}
	return "something else";
}

/* Decodes one "name=value" pair. */
static int one_param(struct api_ctx *x, const char *s, size_t len, const struct api_param *p,
                     size_t n, unsigned *seen)
{
	const char *eq = memchr(s, '=', len);
	size_t nlen = eq ? (size_t)(eq - s) : len;
	char *name = unescape(x, s, nlen),
	     *val = unescape(x, eq ? eq + 1 : "", eq ? len - nlen - 1 : 0);
	size_t i;

	if (!name || !val)
		return api_invalid(x, NULL, "the query string is not valid percent-encoded UTF-8");
	for (i = 0; i < n && strcmp(p[i].name, name); i++)
		;
	if (i == n)
		return api_invalid(x, name, "unknown query parameter \"%s\"", name);
	if (*seen & (1u << i))
		return api_invalid(x, p[i].name, "query parameter \"%s\" is given twice", name);
	*seen |= 1u << i;
	if (parse_value(&p[i], val))
		return api_invalid(x, p[i].name, "query parameter \"%s\" must be %s", name,
		                   ptype_name(p[i].type));
	return 0;
}

int api_query(struct api_ctx *x, const struct api_param *p, size_t n)
{
	const char *q = x->req->query ? x->req->query : "";
	unsigned seen = 0;
	int status;

	if (n > MAX_PARAMS)
		return api_fail_booking(x, BOOKING_EIO);
	while (*q) {
		size_t len = strcspn(q, "&");

		if (len && (status = one_param(x, q, len, p, n, &seen)))
			return status;
		q += len + (q[len] == '&');
	}
	for (size_t i = 0; i < n; i++)
		if (p[i].required && !(seen & (1u << i)))
			return api_invalid(x, p[i].name, "query parameter \"%s\" is required",
			                   p[i].name);
	return 0;
}

/* ---- days in a zone -------------------------------------------------------- */

static int day_start(struct api_ctx *x, const char *tzid, int64_t day, int64_t *out)
{
	int rc = booking_day_start(tzid, day, out, &x->err);

	return rc ? api_fail_booking(x, rc) : 0;
}

int api_when_resolve(struct api_ctx *x, const struct api_when *w, const char *tzid, int end,
                     int64_t *out)
{
	int64_t day;

	if (!w->is_day) {
		*out = w->t;
		return 0;
	}
	day = w->day + (end ? 1 : 0);
	if (!tzid || !*tzid || !strcmp(tzid, "UTC")) {
		*out = day * DAY_SECS;
		return 0;
	}
	return day_start(x, tzid, day, out);
}
