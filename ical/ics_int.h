/* ics_int.h - what the files of ical/ share; only ical/ includes it, as it
 * pulls in libical.
 *
 * A check runs in four steps over one struct ics_doc: ics_lex.c splits the
 * bytes into unfolded content lines and checks their syntax and nesting,
 * with line numbers; ics.c feeds those lines to libical and checks the tree
 * (libical's X-LIC-ERRORs, RFC 4791 4.1); ics_tz.c resolves TZIDs (the
 * zones of VTIMEZONEs come from ics_tzcache.c, shared by the process) and
 * checks VTIMEZONEs; ics_range.c checks the times and works out the instant
 * range.
 */
#ifndef ICS_INT_H
#define ICS_INT_H

#include <libical/ical.h>
#include <stdint.h>

#include "ics.h"
#include "ics_zone.h"

/* UTC offsets run from -12:00 to +14:00: a floating time or a date is, in
 * UTC, at most this far from its wall clock read as UTC. */
#define ICS_FLOAT_SLACK (14 * 3600)
/* 2582-12-31T23:59:59 as a wall clock read as UTC. libical 3.0.16 works
 * out a zone's transitions up to the year 2582 and no further, and asked
 * about any later year it works them all out again, from the first, on
 * every call (milliseconds each). Past this instant a zone's offset is the
 * one its last transition set, so the time a zone is asked about is
 * clamped here first: the same answer (checked against eleven zones, for
 * times up to the year 9999), without the work. */
#define ICS_ZONE_WALL_MAX INT64_C(19344441599)
/* Recurrence expansion budget of one object: iterator steps, and RRULEs
 * expanded at all (one libical step can itself loop for a while on a rule
 * that never matches, so the number of rules is bounded too). */
#define ICS_STEPS_MAX 100000
#define ICS_RULES_MAX 4

/* ---- ics_lex.c: content lines ---- */

struct ics_line {
	char *text;        /* unfolded line, NUL-terminated (arena) */
	const char *value; /* within text: after the first ':' outside quotes */
	size_t name_len;   /* text[0..name_len) is the name */
	unsigned lineno;   /* 1-based physical line it starts on */
	unsigned comp;     /* document-order index of its component; BEGIN and
			      END lines carry the component they open/close */
	int taken;         /* an X-LIC-ERROR line matched to a property */
};

struct ics_lex {
	struct ics_line *lines; /* arena */
	size_t n;
	unsigned ncomp; /* components (BEGIN lines) */
};

/* Splits data[0..len) (no NUL) into content lines: UTF-8 without control
 * characters, folding undone, every line NAME[;PARAMS]:VALUE, BEGIN/END
 * balanced and nested at most 16 deep, one VCALENDAR and nothing after it.
 * ICS_EPARSE with "line N: ..." in err. */
int ics_lex_scan(struct ics_lex *out, const char *data, size_t len, struct sd_arena *a,
                 struct sd_err *err);
/* The line number of the nth (0-based) line named name in component comp,
 * the last such line if there are fewer, 0 if none. */
unsigned ics_lex_find(const struct ics_lex *lx, unsigned comp, const char *name, unsigned nth);
/* The line number of the first line of component comp whose value ends msg
 * (libical quotes the offending value at the end of its messages), 0 if none. */
unsigned ics_lex_find_value(const struct ics_lex *lx, unsigned comp, const char *msg);
/* The line number of the first line of component comp named name ("X": any
 * X- name) with an empty value, 0 if none. */
unsigned ics_lex_find_empty(const struct ics_lex *lx, unsigned comp, const char *name);
/* Marks and returns non-zero if component comp has an X-LIC-ERROR line, not
 * yet taken, whose unescaped value is text: the client sent that error
 * property, libical did not add it. */
int ics_lex_take_xlic(struct ics_lex *lx, unsigned comp, const char *text);
/* How many bytes of s to print so that at most max are, cut at a character
 * boundary: user text in messages stays valid UTF-8 ("%.*s"). */
int ics_clip(const char *s, size_t max);

/* ---- ics.c: the parsed document ---- */

struct ics_tzc;

struct ics_tzent {
	const char *tzid;     /* borrowed from the tree */
	icaltimezone *zone;   /* the zone cache's (held), libical's or the tree's */
	struct ics_tzc *held; /* the cache entry d holds a reference on, or NULL */
};

struct ics_doc {
	icalcomponent *root; /* the VCALENDAR; freed by ics_doc_close() */
	struct ics_lex lex;
	icalcomponent **comps; /* every component in document order (arena) */
	size_t ncomps;         /* == lex.ncomp, else no lines are named */
	struct ics_tzent *tz;  /* TZIDs resolved so far (arena) */
	size_t ntz, tzcap;
	long steps_left; /* expansion budget, see ICS_STEPS_MAX */
	int rules_left;
	struct sd_arena *a;
	struct sd_err *err;
};

/* Sets libical up for this process, once (pthread_once); every entry point
 * calls it before anything else of libical. */
void ics_once(void);
/* Lexes data and has libical build the tree (calls ics_once()): no checks
 * beyond ics_lex_scan's, for data checked when it was stored. ICS_EPARSE.
 * ics_doc_close(d) afterwards, whatever it returns. */
int ics_doc_parse(struct ics_doc *d, const char *data, size_t len, struct sd_arena *a,
                  struct sd_err *err);
/* ics_doc_parse, then the checks of libical's tree every caller wants: its
 * X-LIC-ERRORs (except those RFC 5545 says to accept and those the client
 * sent), single properties occurring once, values that are real dates and
 * times. ICS_EPARSE. ics_doc_close(d) afterwards, whatever it returns. */
int ics_doc_open(struct ics_doc *d, const char *data, size_t len, struct sd_arena *a,
                 struct sd_err *err);
/* Gives back the cached zones d holds (ics_tz_release) and frees the tree
 * (and the zones of its VTIMEZONEs). Before the arena d was parsed in is
 * freed: the list of held zones lives there. */
void ics_doc_close(struct ics_doc *d);
/* Sets err to "line N: " (when the line of property p, or else of component
 * c, is known) followed by the message; returns code. c and p may be NULL. */
int ics_fail(struct ics_doc *d, int code, icalcomponent *c, icalproperty *p, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The name of component c ("VEVENT"; an unknown one as written). */
const char *ics_doc_comp_name(struct ics_doc *d, icalcomponent *c);
/* The properties of c of one kind, in order, NULL-terminated (arena): lets
 * callers nest loops without sharing libical's one iterator per component. */
icalproperty **ics_props(struct ics_doc *d, icalcomponent *c, icalproperty_kind kind, size_t *n);

/* ---- ics_tz.c: time zones ---- */

/* Once per process, before libical is used (from pthread_once). */
void ics_tz_init(void);

/* The zone for tzid: a VTIMEZONE of the object, else the system database
 * (plain zone names only). NULL if neither knows it. Remembered in d. A
 * VTIMEZONE's zone comes from the process-wide cache (ics_tzcache.c) and
 * is held by d until ics_doc_close; it is valid until then, and may be
 * used from any thread. */
icaltimezone *ics_tz_lookup(struct ics_doc *d, const char *tzid);
/* The zone of the system database named name (a plain zone name only:
 * no "..", no absolute path; zone_name_ok), NULL if there is none. The
 * one way to libical's list of system zones: it takes system_zones_lock.
 * The zone is libical's, valid for the process. */
icaltimezone *ics_tz_system(const char *name);
/* The VTIMEZONE of system zone name as text (CRLF lines, folded), TZID
 * the plain name, observances that ended before from left out; NULL for
 * "UTC" or an unknown zone. Caller frees with free(). */
char *ics_tz_system_vtimezone(const char *name, int64_t from);
/* Gives back every cached zone d holds and forgets d's zones (ics_doc_close
 * calls it). */
void ics_tz_release(struct ics_doc *d);
/* Checks one VTIMEZONE (ICS_EPARSE). */
int ics_vtimezone_check(struct ics_doc *d, icalcomponent *vtz);

/* ---- ics_tzcache.c: zones of VTIMEZONEs, shared by the process ---- */

/* The shared zone for vtz, a VTIMEZONE of d's tree: built the first time
 * its text is seen, then reused by every object whose VTIMEZONE has the
 * same text (TZID and rules). *held is set to the reference taken, which
 * the caller gives back with ics_tzcache_put (ics_tz_lookup keeps it in
 * d->tz, and ics_doc_close gives it back). NULL, *held NULL, if libical
 * cannot make a zone of vtz. The zone may be used from any thread. */
icaltimezone *ics_tzcache_get(struct ics_doc *d, icalcomponent *vtz, struct ics_tzc **held);
/* Gives back a reference (NULL: nothing); the zone may be freed. */
void ics_tzcache_put(struct ics_tzc *e);

/* For tests: counts since the process started. */
struct ics_tz_stats {
	size_t entries;   /* in the table now (at most 256) */
	size_t live;      /* not freed: in the table or held by documents */
	size_t hits;      /* lookups that found an entry */
	size_t misses;    /* zones built and added */
	size_t evictions; /* entries pushed out of the table */
};
void ics_tzcache_stats(struct ics_tz_stats *out);

/* ---- ics_time.c: calendar arithmetic, wall clocks, RRULE parts ---- */

/* Wall clocks (a date and time read as UTC, in seconds) of
 * 0000-01-01T00:00:00 and 9999-12-31T23:59:59: the years libical reads. */
#define ICS_WALL_MIN INT64_C(-62167219200)
#define ICS_WALL_MAX INT64_C(253402300799)

/* a + b and a * b, saturating at ICS_TIME_MIN and ICS_TIME_MAX. */
int64_t ics_sat_add(int64_t a, int64_t b);
int64_t ics_sat_mul(int64_t a, int64_t b);
/* qsort/bsearch order of int64_t. */
int ics_cmp_i64(const void *x, const void *y);
/* w clamped to [ICS_WALL_MIN, ICS_WALL_MAX]. */
int64_t ics_clamp_wall(int64_t w);
/* Non-zero if the fields of t make a real date (and time), years 0-9999. */
int ics_time_valid(struct icaltimetype t);
/* The wall clock of t's fields (a DATE: its midnight); the zone is not
 * looked at. */
int64_t ics_wall_secs(struct icaltimetype t);
/* The fields of a wall clock, without zone; is_date drops the time of day.
 * Not clamped: the year is whatever wall says. */
struct icaltimetype ics_wall_time(int64_t wall, int is_date);
/* The instant of a wall clock in zone (NULL: UTC, or floating: wall). */
int64_t ics_to_instant(icaltimezone *zone, int64_t wall);
/* The wall clock in zone of an instant (NULL: t itself). */
int64_t ics_wall_of(icaltimezone *zone, int64_t t);
/* How many values a BY part of an RRULE has: ICS_BY_COUNT(r, by_day). */
size_t ics_by_count(const short *v, size_t size);
#define ICS_BY_COUNT(r, field) ics_by_count((r)->field, sizeof((r)->field) / sizeof((r)->field[0]))
/* The values of all BY parts of r together. */
size_t ics_by_parts(const struct icalrecurrencetype *r);
/* Whether some month the rule allows has some day of its BYMONTHDAY, or,
 * for a monthly or yearly rule that names no days, start_mday (DTSTART's
 * day): from January 31st, FREQ=MONTHLY;BYMONTH=9 has no instance, which
 * libical takes until the year 2582 to find out. start_mday 1 checks
 * BYMONTHDAY alone. */
int ics_rule_feasible(const struct icalrecurrencetype *r, int start_mday);
/* r's UNTIL, inclusive, as a wall clock in zone, the zone of DTSTART
 * (NULL: UTC or floating): a DATE to the end of its day, a local time as it
 * is, a UTC time converted. 0 if r has no UNTIL. */
int ics_until_wall(const struct icalrecurrencetype *r, icaltimezone *zone, int64_t *cut);

/* ---- ics_range.c: times ---- */

/* Checks the times of the member components of kind (VEVENT, ...) and sets
 * out->first_start, last_end and recurring. ICS_EPARSE or ICS_EOBJECT. */
int ics_range(struct ics_doc *d, icalcomponent_kind kind, struct ics_info *out);

/* ---- ics_filter.c and ics_filter_time.c: one CALDAV:filter ---- */

struct ics_time_range;

/* One evaluation: the object, and the zone of floating times. */
struct ics_fctx {
	struct ics_doc d;    /* the object: tree, lines, zones, budget */
	struct ics_doc tz;   /* the default_tz value, parsed */
	icaltimezone *deftz; /* floating times and dates (held by tz); NULL: UTC */
};

/* ics_filter.c: the children of c, in order, NULL-terminated (x's arena):
 * lets callers nest loops without sharing libical's one iterator. */
icalcomponent **ics_comp_kids(struct ics_fctx *x, icalcomponent *c, size_t *n);
/* ics_filter_time.c: whether component c (a child of parent, NULL for the
 * VCALENDAR) overlaps r under RFC 4791 9.9, one of its instances at least
 * for a recurring one. Spends x->d's budget; when the walk cannot decide,
 * 1 (a query may return one object too many, never hide one). */
int ics_comp_in_range(struct ics_fctx *x, icalcomponent *c, icalcomponent *parent,
                      const struct ics_time_range *r);
/* ics_filter_time.c: whether a value of p falls in r: a DATE-TIME is an
 * instant in [start, end), a DATE its day, a PERIOD its span; other values
 * never do. */
int ics_prop_in_range(struct ics_fctx *x, icalproperty *p, const struct ics_time_range *r);

/* ---- ics_filter_time.c: instances and times, for ics_select.c and
 * ics_freebusy.c (wrappers over its file-local helpers) ---- */

/* One instance: its start and end as instants, e >= s; rid, its start in
 * the master's recurrence set (its RECURRENCE-ID): s, unless an override
 * with RANGE=THISANDFUTURE moved it. */
struct ics_inst {
	int64_t s, e;
	int64_t rid;
};

enum {
	ICS_WALK_DONE = 0,    /* every instance was looked at */
	ICS_WALK_STOPPED = 1, /* fn returned non-zero */
	ICS_WALK_CAPPED = 2,  /* budget of d spent, or a rule too costly to
				 walk: some instances were not looked at */
};

/* Calls fn on the instances of c (VEVENT, VTODO, VJOURNAL or AVAILABLE:
 * DTSTART, RRULE and RDATE, minus EXDATEs and, for a master, the
 * RECURRENCE-IDs of its overrides; the instances after an override with
 * RANGE=THISANDFUTURE moved and resized as it is) that overlap [start, end) under RFC 4791
 * 9.9, in no set order; RRULE and RDATE may give one start twice. A VTODO
 * with neither DTSTART nor DUE that matches gets one call with
 * ICS_TIME_MIN..ICS_TIME_MAX. Floating times and dates are in deftz (NULL:
 * UTC). Spends d's expansion budget. Returns an ICS_WALK_ value. */
int ics_instances(struct ics_doc *d, icaltimezone *deftz, icalcomponent *c, int64_t start,
                  int64_t end, int (*fn)(const struct ics_inst *in, void *arg), void *arg);
/* The instant of t, a value of p: in the zone of p's TZID, UTC, or (floating
 * time, DATE) deftz. */
int64_t ics_time_instant(struct ics_doc *d, icaltimezone *deftz, icalproperty *p,
                         struct icaltimetype t);
/* ics_filter.c: parses text, a CALDAV:calendar-timezone value, into *tz
 * and returns its zone; NULL (UTC) when text is NULL or unusable.
 * ics_doc_close(tz) after. */
icaltimezone *ics_deftz_load(struct ics_doc *tz, const char *text, struct sd_arena *a);

/* ---- ics_select.c ---- */

struct sd_buf;
/* Appends s[0..n) to out as one content line: folded at 75 octets on a
 * character boundary (continuation lines start with a space), then CRLF. */
void ics_fold(struct sd_buf *out, const char *s, size_t n);

#endif
