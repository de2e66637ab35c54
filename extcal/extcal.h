/* extcal.h - external busy calendars: fetching, parsing and the poller
 * (SPEC 2: availability - busy time from imported external calendars).
 *
 * A staff member's external calendar (store_bk.h, struct store_extcal) is
 * an http(s) URL, typically the private iCalendar address of a Google or
 * Outlook calendar, or a local file an admin named. This module fetches
 * it, turns it into busy periods with ical/ (ics_fb_add_calendar:
 * recurrences, EXDATEs, TRANSP and STATUS, VFREEBUSY) over a bounded
 * window, and records the outcome with store_extcal_record; booking/
 * subtracts the stored periods from availability.
 *
 * Dependencies: extcal -> {ical, storage}, libcurl. A fetch never touches
 * storage: extcal_fetch works on a copy of the row, so the poller holds no
 * database connection while it waits on the network. Failures of any kind
 * (HTTP error, not iCalendar, too big, too slow, too many redirects) are
 * recorded in last_error and keep the previous busy periods.
 */
#ifndef EXTCAL_H
#define EXTCAL_H

#include <stddef.h>
#include <stdint.h>

#include "sd_arena.h"
#include "sd_err.h"
#include "store.h"
#include "store_bk.h"

enum {
	EXTCAL_EFETCH = -1, /* the source could not be read (message in err) */
	EXTCAL_EPARSE = -2, /* what it sent is not iCalendar */
};

/* The busy window kept per fetch, relative to the fetch time. */
#define EXTCAL_PAST_DAYS   7
#define EXTCAL_FUTURE_DAYS 400

struct extcal_opts {
	int poll_seconds;    /* fetch each calendar this often */
	size_t max_bytes;    /* a body larger than this fails the fetch */
	int timeout_seconds; /* a whole fetch, connect to last byte */
	int max_redirects;   /* followed, http(s) only */
	/* When not NULL and it reads non-zero, a fetch in progress is given
	 * up at once (the poller's stop); read atomically. */
	const int *stop;
};

/* What one fetch found. */
struct extcal_result {
	int status;        /* 0 new data, 1 not modified, or EXTCAL_E* */
	const char *error; /* "" unless status < 0 */
	const char *etag;  /* validators to keep (new ones on 200) */
	const char *last_modified;
	struct store_period *busy; /* status 0: the busy periods, merged */
	size_t nbusy;
};

/* Fetches e (conditionally, with its validators) and parses it at time now.
 * Everything in a. Never fails: the outcome is in *out. */
void extcal_fetch(const struct extcal_opts *o, const struct store_extcal *e, int64_t now,
                  struct sd_arena *a, struct extcal_result *out);

/* Records r for e fetched at now: the state, and the periods when there
 * are new ones; next_poll = now + poll_seconds. STORE_E* (ENOTFOUND: e
 * was deleted meanwhile). */
int extcal_record(struct store_conn *c, const struct extcal_opts *o, const struct store_extcal *e,
                  const struct extcal_result *r, int64_t now, struct sd_err *err);

/* Fetches and records calendar id now, in the caller's thread, on c (no
 * transaction open): the API's refresh. Bounded by timeout_seconds.
 * STORE_E* of storage; the fetch's own outcome is recorded, not returned. */
int extcal_refresh(struct store_conn *c, const struct extcal_opts *o, int64_t id,
                   struct sd_err *err);

/* One round of the poller at time now: every due calendar (at most a
 * batch) is fetched with no connection held, then recorded. *handled (may
 * be NULL): calendars fetched. STORE_E* of the due scan. */
int extcal_poll(struct store *st, const struct extcal_opts *o, int64_t now, int *handled,
                struct sd_err *err);

struct extcal_poller;
/* Starts the poller thread on st (which must outlive it): a round every
 * few seconds (at most poll_seconds). 0, or EXTCAL_EFETCH if no thread. */
int extcal_start(struct extcal_poller **out, struct store *st, const struct extcal_opts *o,
                 struct sd_err *err);
/* Stops and joins it; a fetch in progress ends within its timeout. NULL
 * is a no-op. */
void extcal_stop(struct extcal_poller *p);

#endif
