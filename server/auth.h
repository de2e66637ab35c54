/* auth.h - HTTP Basic authentication (RFC 7617), argon2id password hashes and
 * a cache of verified credentials.
 *
 * Verifying an argon2id hash costs tens of milliseconds and 19 MiB on
 * purpose, so it must not be paid on every request (SPEC §7). A successful
 * verification is remembered for auth.cache_seconds under a keyed hash of the
 * whole Authorization header value (HMAC-SHA256 with a key drawn at start-up);
 * neither the header nor the password is ever stored. A cached entry holds the
 * user's id and name and a SHA-256 of the stored password hash as it was when
 * verified. A hit still reads the user's row (one indexed lookup) and is
 * dropped if the user is gone or the stored hash changed, so `slotdav user
 * passwd` in another process takes effect at the next request.
 *
 * An unknown user costs the same argon2id verification (against a dummy hash)
 * as a wrong password, and both give the same 401, so neither the answer nor
 * its timing tells whether a name exists.
 */
#ifndef SRV_AUTH_H
#define SRV_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "sd_arena.h"
#include "sd_err.h"
#include "sd_req.h"
#include "store.h"

/* Room for an encoded argon2id hash with slotdav's parameters (~97 bytes). */
#define SRV_PWHASH_MAX 128
/* argon2id parameters for new hashes (OWASP's minimum for argon2id). */
#define SRV_PWHASH_T_COST      2
#define SRV_PWHASH_M_COST      19456 /* KiB */
#define SRV_PWHASH_PARALLELISM 1
#define SRV_PWHASH_SALT_LEN    16
#define SRV_PWHASH_HASH_LEN    32

#define SRV_AUTH_CACHE_DEFAULT 1024
/* Longest Authorization header value considered at all. */
#define SRV_AUTH_HEADER_MAX 4096

enum {
	SRV_AUTH_OK = 0,
	SRV_AUTH_EDENIED = -1, /* no credentials, malformed, unknown user, wrong password */
	SRV_AUTH_EIO = -2,     /* storage or crypto failure: not the client's fault */
};

struct srv_auth;

struct srv_auth_opts {
	const char *realm;    /* copied */
	int cache_seconds;    /* 0: no cache, every request verifies */
	size_t cache_max;     /* entries; 0: SRV_AUTH_CACHE_DEFAULT; oldest evicted */
	int64_t (*now)(void); /* seconds; NULL: sd_now (tests pass a fake clock) */
};

/* The authenticated user. name is arena memory of the call. */
struct srv_auth_user {
	int64_t id;
	const char *name;
};

/* Counters, for tests and metrics. */
struct srv_auth_stats {
	uint64_t verifications; /* argon2id verifications run (dummy ones included) */
	uint64_t hits;          /* requests answered from the cache */
	uint64_t entries;       /* entries in the cache now */
};

/* A new authenticator: draws the HMAC key and computes the dummy hash.
 * SRV_AUTH_EIO if the random generator or argon2 fails.
 * Caller frees with srv_auth_free(). Thread-safe once created. */
int srv_auth_new(struct srv_auth **out, const struct srv_auth_opts *opts, struct sd_err *err);
void srv_auth_free(struct srv_auth *a);

/* Checks an Authorization header value (NULL when absent) against the users
 * in c. 0 and *who filled (name in ar); SRV_AUTH_EDENIED; SRV_AUTH_EIO with
 * err set. Never logs or keeps the header or the password. */
int srv_auth_check(struct srv_auth *a, struct srv_auth_user *who, struct store_conn *c,
                   const char *header, struct sd_arena *ar, struct sd_err *err);

/* srv_auth_check() on req's Authorization header. On success sets
 * req->user_id and req->user_name. On SRV_AUTH_EDENIED fills req with the
 * 401 response (WWW-Authenticate with the realm). SRV_AUTH_EIO leaves the
 * response to the caller. */
int srv_auth_request(struct srv_auth *a, struct store_conn *c, struct sd_req *req,
                     struct sd_err *err);

/* Drops every cached entry (tests; could serve a SIGHUP later). */
void srv_auth_cache_clear(struct srv_auth *a);
void srv_auth_stats(struct srv_auth *a, struct srv_auth_stats *out);

/* Parses "Basic <base64(user:pass)>" (scheme case-insensitive). The user is
 * everything before the first ':' and must not be empty; the password may
 * contain ':'. Refuses bad base64 (alphabet, length, padding), NUL and other
 * control characters, and invalid UTF-8. 0 with *user and *pass pointing into
 * one arena buffer, or SRV_AUTH_EDENIED. */
int srv_basic_parse(char **user, char **pass, const char *header, struct sd_arena *ar);

/* Hashes password with argon2id (parameters above, random salt) into out as
 * an encoded "$argon2id$v=19$m=19456,t=2,p=1$..." string. SRV_AUTH_EIO. */
int srv_password_hash(char out[SRV_PWHASH_MAX], const char *password, struct sd_err *err);

/* 0 if password matches the encoded argon2id hash, SRV_AUTH_EDENIED if not
 * (or if encoded is not a valid argon2id hash). Constant time in the
 * password. */
int srv_password_verify(const char *encoded, const char *password);

#endif
