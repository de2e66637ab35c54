/* links.h - the server's manage-link secrets (docs/operations.md, "Manage
 * links"): where they come from and how a link URL is made.
 *
 * The current secret is links.secret, or when that is unset the content of
 * the file DATABASE.link-secret next to the database, made once (64 hex
 * digits of RAND_bytes, mode 0600) by whichever process needs it first,
 * so restarts, `slotdav link` and the server agree. links.previous_secrets
 * verify until links.previous_until (rotation). Tokens are booking/'s
 * (booking_link.h); this only loads and checks configuration.
 */
#ifndef SRV_LINKS_H
#define SRV_LINKS_H

#include <stdint.h>

#include "booking_link.h"
#include "config.h"
#include "sd_arena.h"
#include "sd_err.h"

#define SRV_LINKS_FILE_SUFFIX ".link-secret"

struct srv_links;

/* Loads (or makes) the secrets of cfg. SRV_CONFIG_EINVALID for a bad key
 * value or a damaged secret file, SRV_CONFIG_EIO when the file cannot be
 * read or written. Caller frees with srv_links_free(). */
int srv_links_open(struct srv_links **out, const struct srv_config *cfg, struct sd_err *err);
void srv_links_free(struct srv_links *l);

/* Borrowed from l. */
const struct booking_secrets *srv_links_secrets(const struct srv_links *l);

/* "<base_url>/manage/<token>" for booking_id, valid until expires (0: now
 * + links.ttl_days), in a; NULL if no token could be made. */
char *srv_links_url(const struct srv_links *l, struct sd_arena *a, const char *base_url,
                    int64_t booking_id, int64_t now, int64_t expires);

/* The configuration checks of the links.* keys (srv_config_check). */
int srv_links_check(const struct srv_config *cfg, struct sd_err *err);

/* links.previous_until as Unix seconds: "" gives 0, YYYY-MM-DD the end of
 * that day in UTC, digits themselves. -1 if malformed. */
int64_t srv_links_until(const char *s);

#endif
