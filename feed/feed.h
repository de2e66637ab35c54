/* feed.h - the iCalendar feed front: GET/HEAD /feeds/<token>.ics.
 *
 * Feeds are for calendar programs that subscribe to a URL and cannot log
 * in: the token in the path is the credential, so this front is reached
 * without HTTP authentication and never asks for it. Every way a token
 * can fail (malformed, unknown, revoked) is the same 404.
 */
#ifndef FEED_H
#define FEED_H

#include <stdint.h>

#include "sd_req.h"
#include "store.h"

#define FEED_PREFIX "/feeds"

/* In-memory token buckets, shared by the server's threads. */
struct feed_rate;

/* A table of buckets (fixed size: keys that collide share a bucket, and a
 * new key takes over a slot from an old one). Caller frees with
 * feed_rate_free. */
struct feed_rate *feed_rate_new(void);
void feed_rate_free(struct feed_rate *r);
/* Takes one request from key's bucket, which holds per_minute requests
 * and refills at per_minute a minute; now_ms a monotonic clock. 1 if
 * allowed; 0 if not, with *retry_after the seconds until one is back.
 * per_minute 0: no limit. */
int feed_rate_take(struct feed_rate *r, const char *key, int per_minute, int64_t now_ms,
                   int *retry_after);

struct feed_config {
	const char *prefix;     /* FEED_PREFIX */
	struct feed_rate *rate; /* NULL: no rate limits */
	int rate_per_token;     /* requests a minute per feed */
	int rate_per_ip;        /* requests a minute per client address */
	int max_age;            /* Cache-Control max-age, seconds */
};

/* Serves req (whose path is under cfg->prefix) from conn; client_ip the
 * peer's address as text ("" if unknown). Returns the HTTP status, which
 * is also in req->status. */
int feed_handle(struct sd_req *req, struct store_conn *conn, const struct feed_config *cfg,
                const char *client_ip);

#endif
