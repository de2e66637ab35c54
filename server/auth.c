/* auth.c - HTTP Basic authentication, argon2id hashes, the credentials cache.
 *
 * The cache is a fixed array of entries used as a ring (the slot after the
 * newest is the next to be reused, so the oldest entry is evicted first),
 * indexed by a chained hash table over the HMAC key: bucket[] holds the
 * first entry index of each chain and entry.next the following one (-1 ends
 * a chain). The HMAC output is uniformly random, so its first bytes are the
 * bucket number. One mutex guards the whole structure; it is held only for
 * lookups and updates, never during argon2 or storage calls.
 *
 * Check, in order (srv_auth_check):
 *   1. key = HMAC-SHA256(secret, header)
 *   2. cached and not expired -> read the user by the cached name; same id
 *      and SHA-256(stored hash) unchanged -> accept (no argon2)
 *                              otherwise   -> drop the entry, go on
 *   3. parse the header, read the user, argon2id-verify (the dummy hash when
 *      the user does not exist) -> accept and cache, or deny
 */
#include "auth.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sd_log.h"
#include "sd_util.h"

#define KEY_LEN      32
#define NAME_MAX_LEN 64

struct cache_entry {
	unsigned char key[KEY_LEN];    /* HMAC-SHA256(secret, header value) */
	unsigned char digest[KEY_LEN]; /* SHA-256 of the stored hash when verified */
	int64_t user_id;
	int64_t expires;
	char name[NAME_MAX_LEN + 1];
	int next; /* next entry in the bucket chain, -1 at the end */
	int used;
};

struct srv_auth {
	char *realm;
	int cache_seconds;
	int64_t (*now)(void);
	unsigned char secret[KEY_LEN];
	char dummy_hash[SRV_PWHASH_MAX];

	pthread_mutex_t lock; /* guards everything below */
	struct cache_entry *ent;
	size_t cap, ring; /* ring: the slot to reuse next */
	int *bucket;
	size_t nbuckets; /* power of two */
	struct srv_auth_stats stats;
};

/* ---- passwords ---------------------------------------------------------- */

int srv_password_hash(char out[SRV_PWHASH_MAX], const char *password, struct sd_err *err)
{
	unsigned char salt[SRV_PWHASH_SALT_LEN];
	int rc;

	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return sd_err_set(err, SRV_AUTH_EIO, "no random bytes for the salt");
	rc = argon2id_hash_encoded(SRV_PWHASH_T_COST, SRV_PWHASH_M_COST, SRV_PWHASH_PARALLELISM,
	                           password, strlen(password), salt, sizeof(salt),
	                           SRV_PWHASH_HASH_LEN, out, SRV_PWHASH_MAX);
	if (rc != ARGON2_OK)
		return sd_err_set(err, SRV_AUTH_EIO, "argon2id: %s", argon2_error_message(rc));
	return 0;
}

int srv_password_verify(const char *encoded, const char *password)
{
	int rc = argon2id_verify(encoded, password, strlen(password));

	if (rc != ARGON2_OK && rc != ARGON2_VERIFY_MISMATCH)
		SD_WARN("password hash unusable", "reason=\"%s\"", argon2_error_message(rc));
	return rc == ARGON2_OK ? 0 : SRV_AUTH_EDENIED;
}

/* ---- the Basic scheme --------------------------------------------------- */

static int b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* Strict base64 of s[0..n): length a multiple of 4, '=' only as the last one
 * or two characters. The result is NUL-terminated arena memory. */
static int b64_decode(char **out, size_t *outlen, const char *s, size_t n, struct sd_arena *ar)
{
	size_t pad = 0;
	unsigned char *buf;
	int len;

	if (!n || n % 4)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=')
			pad++;
		else if (pad || !b64_char((unsigned char)s[i]))
			return -1;
	}
	if (pad > 2)
		return -1;
	buf = sd_arena_alloc(ar, n / 4 * 3 + 1);
	len = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n);
	if (len < 0 || (size_t)len < pad)
		return -1;
	*outlen = (size_t)len - pad;
	buf[*outlen] = '\0';
	*out = (char *)buf;
	return 0;
}

static int credentials_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return sd_utf8_valid(s, n);
}

int srv_basic_parse(char **user, char **pass, const char *header, struct sd_arena *ar)
{
	const char *p = header, *end;
	char *dec, *colon;
	size_t declen;

	if (!header || strlen(header) > SRV_AUTH_HEADER_MAX || strncasecmp(p, "Basic", 5) ||
	    (p[5] != ' ' && p[5] != '\t'))
		return SRV_AUTH_EDENIED;
	for (p += 5; *p == ' ' || *p == '\t'; p++)
		;
	end = p + strcspn(p, " \t");
	if (end[strspn(end, " \t")] != '\0')
		return SRV_AUTH_EDENIED; /* something after the token */
	if (b64_decode(&dec, &declen, p, (size_t)(end - p), ar) || !credentials_ok(dec, declen))
		return SRV_AUTH_EDENIED;
	if (!(colon = strchr(dec, ':')) || colon == dec)
		return SRV_AUTH_EDENIED;
	*colon = '\0';
	*user = dec;
	*pass = colon + 1;
	return 0;
}

/* ---- construction ------------------------------------------------------- */

static size_t pow2_at_least(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

int srv_auth_new(struct srv_auth **out, const struct srv_auth_opts *opts, struct sd_err *err)
{
	struct srv_auth *a = sd_xcalloc(1, sizeof(*a));
	unsigned char dummy_pw[16];
	char pw_hex[2 * sizeof(dummy_pw) + 1];
	int rc = SRV_AUTH_EIO;

	a->realm = sd_xstrdup(opts->realm ? opts->realm : "slotdav");
	a->cache_seconds = opts->cache_seconds;
	a->now = opts->now ? opts->now : sd_now;
	a->cap = opts->cache_max ? opts->cache_max : SRV_AUTH_CACHE_DEFAULT;
	a->ent = sd_xcalloc(a->cap, sizeof(*a->ent));
	a->nbuckets = pow2_at_least(a->cap);
	a->bucket = sd_xmalloc(a->nbuckets * sizeof(*a->bucket));
	memset(a->bucket, 0xff, a->nbuckets * sizeof(*a->bucket)); /* all -1 */
	pthread_mutex_init(&a->lock, NULL);
	if (RAND_bytes(a->secret, sizeof(a->secret)) != 1 ||
	    RAND_bytes(dummy_pw, sizeof(dummy_pw)) != 1) {
		sd_err_set(err, SRV_AUTH_EIO, "no random bytes for the authentication key");
		goto out;
	}
	for (size_t i = 0; i < sizeof(dummy_pw); i++)
		snprintf(pw_hex + 2 * i, 3, "%02x", dummy_pw[i]);
	if (srv_password_hash(a->dummy_hash, pw_hex, err))
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(pw_hex, sizeof(pw_hex));
	if (rc) {
		srv_auth_free(a);
		a = NULL;
	}
	*out = a;
	return rc;
}

void srv_auth_free(struct srv_auth *a)
{
	if (!a)
		return;
	OPENSSL_cleanse(a->secret, sizeof(a->secret));
	pthread_mutex_destroy(&a->lock);
	free(a->bucket);
	free(a->ent);
	free(a->realm);
	free(a);
}

/* ---- the cache (callers hold a->lock) ----------------------------------- */

static int *chain_head(struct srv_auth *a, const unsigned char *key)
{
	uint32_t h;

	memcpy(&h, key, sizeof(h));
	return &a->bucket[h & (a->nbuckets - 1)];
}

static int cache_find(struct srv_auth *a, const unsigned char *key)
{
	for (int i = *chain_head(a, key); i >= 0; i = a->ent[i].next)
		if (!memcmp(a->ent[i].key, key, KEY_LEN))
			return i;
	return -1;
}

static void cache_unlink(struct srv_auth *a, int idx)
{
	int *link = chain_head(a, a->ent[idx].key);

	while (*link != idx)
		link = &a->ent[*link].next;
	*link = a->ent[idx].next;
	a->ent[idx].used = 0;
	a->stats.entries--;
}

/* Copies the live entry for key into *e and returns 1, or 0 (dropping an
 * expired entry on the way). */
static int cache_get(struct srv_auth *a, const unsigned char *key, struct cache_entry *e)
{
	int i, found = 0;

	pthread_mutex_lock(&a->lock);
	if ((i = cache_find(a, key)) >= 0) {
		if (a->ent[i].expires > a->now()) {
			*e = a->ent[i];
			found = 1;
		} else {
			cache_unlink(a, i);
		}
	}
	pthread_mutex_unlock(&a->lock);
	return found;
}

static void cache_drop(struct srv_auth *a, const unsigned char *key)
{
	int i;

	pthread_mutex_lock(&a->lock);
	if ((i = cache_find(a, key)) >= 0)
		cache_unlink(a, i);
	pthread_mutex_unlock(&a->lock);
}

static void cache_put(struct srv_auth *a, const struct cache_entry *e)
{
	int i, *head;

	pthread_mutex_lock(&a->lock);
	if ((i = cache_find(a, e->key)) >= 0)
		cache_unlink(a, i); /* a concurrent miss on the same header got here first */
	i = (int)a->ring;
	a->ring = (a->ring + 1) % a->cap;
	if (a->ent[i].used)
		cache_unlink(a, i);
	a->ent[i] = *e;
	a->ent[i].used = 1;
	head = chain_head(a, e->key);
	a->ent[i].next = *head;
	*head = i;
	a->stats.entries++;
	pthread_mutex_unlock(&a->lock);
}

void srv_auth_cache_clear(struct srv_auth *a)
{
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < a->cap; i++)
		a->ent[i].used = 0;
	memset(a->bucket, 0xff, a->nbuckets * sizeof(*a->bucket));
	a->stats.entries = 0;
	pthread_mutex_unlock(&a->lock);
}

void srv_auth_stats(struct srv_auth *a, struct srv_auth_stats *out)
{
	pthread_mutex_lock(&a->lock);
	*out = a->stats;
	pthread_mutex_unlock(&a->lock);
}

static void count(struct srv_auth *a, uint64_t *counter)
{
	pthread_mutex_lock(&a->lock);
	(*counter)++;
	pthread_mutex_unlock(&a->lock);
}

/* ---- checking ----------------------------------------------------------- */

static int sha256(unsigned char out[KEY_LEN], const char *s)
{
	return EVP_Digest(s, strlen(s), out, NULL, EVP_sha256(), NULL) == 1 ? 0 : -1;
}

static int header_key(struct srv_auth *a, unsigned char out[KEY_LEN], const char *header)
{
	unsigned int len = KEY_LEN;

	return HMAC(EVP_sha256(), a->secret, sizeof(a->secret), (const unsigned char *)header,
	            strlen(header), out, &len)
	           ? 0
	           : -1;
}

/* Step 2: the cached entry still describes the user's row. 1 yes, 0 no, or
 * SRV_AUTH_EIO. */
static int cache_valid(struct srv_auth_user *who, struct store_conn *c, const struct cache_entry *e,
                       struct sd_arena *ar, struct sd_err *err)
{
	struct store_user u;
	unsigned char digest[KEY_LEN];
	int rc = store_user_get(c, e->name, ar, &u, err);

	if (rc == STORE_ENOTFOUND)
		return 0;
	if (rc)
		return SRV_AUTH_EIO;
	if (u.id != e->user_id || sha256(digest, u.pwhash) ||
	    CRYPTO_memcmp(digest, e->digest, KEY_LEN))
		return 0;
	who->id = u.id;
	who->name = u.name;
	return 1;
}

/* Step 3: the full verification. On success fills *who and, when caching,
 * *e (all but the key). */
static int verify(struct srv_auth *a, struct srv_auth_user *who, struct cache_entry *e,
                  struct store_conn *c, const char *header, struct sd_arena *ar, struct sd_err *err)
{
	struct store_user u;
	char *user = NULL, *pass = NULL;
	int rc;

	if ((rc = srv_basic_parse(&user, &pass, header, ar)))
		return rc;
	rc = store_user_get(c, user, ar, &u, err);
	if (rc && rc != STORE_ENOTFOUND) {
		rc = SRV_AUTH_EIO;
		goto out;
	}
	count(a, &a->stats.verifications);
	if (rc == STORE_ENOTFOUND) {
		srv_password_verify(a->dummy_hash, pass); /* same cost as a wrong password */
		rc = SRV_AUTH_EDENIED;
	} else if ((rc = srv_password_verify(u.pwhash, pass)) == 0) {
		who->id = u.id;
		who->name = u.name;
		e->user_id = u.id;
		e->expires = a->now() + a->cache_seconds;
		snprintf(e->name, sizeof(e->name), "%s", u.name);
		if (sha256(e->digest, u.pwhash) || strlen(u.name) > NAME_MAX_LEN)
			e->expires = 0; /* not cacheable */
	}
out:
	OPENSSL_cleanse(pass, strlen(pass));
	return rc;
}

int srv_auth_check(struct srv_auth *a, struct srv_auth_user *who, struct store_conn *c,
                   const char *header, struct sd_arena *ar, struct sd_err *err)
{
	struct cache_entry e = { 0 };
	int caching = a->cache_seconds > 0, rc;

	if (!header || strlen(header) > SRV_AUTH_HEADER_MAX)
		return SRV_AUTH_EDENIED;
	if (caching && header_key(a, e.key, header))
		caching = 0;
	if (caching && cache_get(a, e.key, &e)) {
		if ((rc = cache_valid(who, c, &e, ar, err)) == 1) {
			count(a, &a->stats.hits);
			return 0;
		}
		if (rc < 0)
			return rc;
		cache_drop(a, e.key);
	}
	if ((rc = verify(a, who, &e, c, header, ar, err)) == 0 && caching && e.expires)
		cache_put(a, &e);
	return rc;
}

int srv_auth_request(struct srv_auth *a, struct store_conn *c, struct sd_req *req,
                     struct sd_err *err)
{
	struct srv_auth_user who;
	int rc = srv_auth_check(a, &who, c, sd_req_header(req, "Authorization"), req->arena, err);

	if (rc == 0) {
		req->user_id = who.id;
		req->user_name = who.name;
	} else if (rc == SRV_AUTH_EDENIED) {
		req->status = 401;
		sd_req_set_header(
		    req, "WWW-Authenticate",
		    sd_arena_printf(req->arena, "Basic realm=\"%s\", charset=\"UTF-8\"", a->realm));
		req->resp_type = "text/plain; charset=utf-8";
		sd_buf_reset(&req->resp_body);
		sd_buf_adds(&req->resp_body, "Authentication required.\n");
	}
	return rc;
}
