/* booking_link.h - signed manage links: what lets a customer open their
 * booking from an email without an account (SPEC 5).
 *
 * A link token carries (booking id, purpose, expiry) and an HMAC-SHA256
 * over them with the server's secret; it is URL-safe text. The secret can
 * be rotated: tokens made with a previous secret still verify until
 * old_until. Verification compares MACs in constant time. Tokens are not
 * stored: a used or superseded link is recognised by the booking's state
 * (the manage page decides what a stale link may still show).
 */
#ifndef BOOKING_LINK_H
#define BOOKING_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "sd_arena.h"
#include "sd_err.h"

/* Secrets are text (at least 32 bytes of entropy, e.g. 64 hex digits). */
struct booking_secrets {
	const char *current;
	const char *const *previous; /* accepted until old_until */
	size_t nprevious;
	int64_t old_until; /* Unix seconds; 0: previous never accepted */
};

/* Purposes: what a link may do. */
#define BOOKING_LINK_MANAGE "manage"

/* A token for booking_id and purpose (letters, digits, '_'; at most 32
 * bytes), valid until expires (Unix seconds), in a. NULL if the arguments
 * are unusable (no current secret, a bad purpose). */
char *booking_link_make(struct sd_arena *a, const struct booking_secrets *s, int64_t booking_id,
                        const char *purpose, int64_t expires);

enum {
	BOOKING_LINK_OK = 0,
	BOOKING_LINK_EBAD = -1,     /* malformed or tampered (or signed by a retired secret) */
	BOOKING_LINK_EEXPIRED = -2, /* authentic but past its expiry */
};

/* Checks token at time now: BOOKING_LINK_OK with *booking_id and *purpose
 * (in a) filled, or one of the codes above with a message in err. */
int booking_link_check(struct sd_arena *a, const struct booking_secrets *s, const char *token,
                       int64_t now, int64_t *booking_id, const char **purpose, struct sd_err *err);

#endif
