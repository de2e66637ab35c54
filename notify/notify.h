/* notify.h - delivery of the notification queue by email (SPEC 5).
 *
 * booking/ queues a row per change in the change's transaction
 * (store_bk.h, notification_enqueue); this module is the worker that turns
 * due rows into iMIP messages (RFC 6047) and hands them to an SMTP relay
 * with libcurl. It reads the booking record and its parties from storage
 * and never changes a booking: whatever happens to a message (no address,
 * a template error, a relay that refuses it), the change it reports stands
 * and the row records the outcome.
 *
 * The worker is one thread started by `serve`: every poll it claims the due
 * rows (a lease, so a row is held by one worker at a time), folds a
 * booking's rows that settled together into at most one message, sends,
 * and finishes each row: sent, failed (final), withdrawn (folded away), or
 * back to queued with a later next_try (a temporary failure, exponential
 * backoff). It also keeps the booking's reminder rows in step with the
 * change it reports (notification_reminders_set).
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <stdint.h>

#include "sd_arena.h"
#include "sd_err.h"
#include "store.h"

enum {
	NOTIFY_EINVALID = -1,  /* a value that may not go into a message (CR/LF in a header) */
	NOTIFY_ETEMPLATE = -2, /* a template with an unknown placeholder or bad syntax */
	NOTIFY_ETEMP = -3,     /* temporary delivery failure (4xx, connection): retry */
	NOTIFY_EPERM = -4,     /* permanent delivery failure (5xx): give up */
};

enum notify_tls { NOTIFY_TLS_OFF = 0, NOTIFY_TLS_TRY = 1, NOTIFY_TLS_REQUIRED = 2 };

/* The manage link's token of booking_id, valid until expires, in a; NULL
 * when none can be made. The server wires booking_link_make here, which
 * keeps notify/ free of booking/ (STYLE: notify -> storage). */
typedef char *(*notify_link_fn)(void *cls, struct sd_arena *a, int64_t booking_id, int64_t expires);

/* All strings borrowed for the worker's life. */
struct notify_opts {
	const char *smtp_url;  /* smtp://host:port or smtps://...; "": delivery off */
	const char *smtp_from; /* envelope and header From address */
	const char *smtp_user, *smtp_password; /* "": no AUTH */
	int starttls;                          /* enum notify_tls */
	int retry_max;         /* attempts before a temporary failure becomes final */
	int backoff_seconds;   /* the first retry's delay; doubles, capped at 6 h */
	int poll_ms;           /* how often the queue is looked at */
	int settle_seconds;    /* a change's message waits this long (SPEC 5) */
	const char *reminders; /* default hours before start, "24,2"; "": none */
	const char *templates; /* directory of template overrides; "": defaults only */
	const char *base_url;  /* "https://host" of the manage links */
	const char *host;      /* for Message-IDs: <notif-ID.EPOCH@host> */
	notify_link_fn link;   /* NULL: messages without a manage link */
	void *link_cls;
};

struct notify_worker;

/* Starts the worker thread on st (which must outlive it). With an empty
 * smtp_url the worker still schedules reminders but sends nothing: rows
 * stay queued. 0 or NOTIFY_EINVALID (a bad option, named in err). */
int notify_start(struct notify_worker **out, struct store *st, const struct notify_opts *o,
                 struct sd_err *err);
/* Stops and joins the thread (a send in progress is finished first); NULL
 * is a no-op. */
void notify_stop(struct notify_worker *w);

/* One poll at time now, in the caller's thread: what the worker does
 * every poll_ms. *handled (may be NULL): rows finished. 0 or a STORE_E*
 * code of the queue itself; delivery outcomes are recorded, not returned. */
int notify_poll(struct store *st, const struct notify_opts *o, int64_t now, int *handled,
                struct sd_err *err);

/* The delay before retry number attempts (1: the first retry):
 * backoff_seconds * 2^(attempts-1), capped at 6 hours. */
int64_t notify_backoff(int backoff_seconds, int attempts);

/* Parses "24,2" (hours, 1..8760, at most NOTIFY_MAX_REMINDERS) into
 * hours[0..*n). 0 or NOTIFY_EINVALID. */
#define NOTIFY_MAX_REMINDERS 8
int notify_reminders_parse(const char *s, int hours[NOTIFY_MAX_REMINDERS], int *n,
                           struct sd_err *err);

/* 1 if addr is a plain addr-spec we send to: printable ASCII, one '@',
 * non-empty local part and domain, no spaces, quotes, brackets, commas,
 * semicolons or controls, at most 254 bytes. */
int notify_addr_valid(const char *addr);

/* "off", "try", "required" -> enum notify_tls; -1 if none of them. */
int notify_tls_parse(const char *s);

#endif
