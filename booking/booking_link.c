/* booking_link.c - signed manage links (booking_link.h).
 *
 * A token is two base64url fields (RFC 4648 section 5, no padding) joined
 * by a '.':
 *
 *   B64URL("1:<booking id>:<purpose>:<expires>") "." B64URL(HMAC-SHA256)
 *
 * The MAC is keyed with the secret's text and covers a fixed domain label
 * followed by the decoded payload, so a MAC made for some other use of the
 * same secret never verifies as a link. Verification checks the MAC first
 * (in constant time, CRYPTO_memcmp, against the current secret and, until
 * old_until, each previous one) and only then reads the payload: nothing
 * an attacker sends is interpreted before it is known to be ours.
 *
 * Decoding is strict: only the base64url alphabet, no padding, and the
 * unused low bits of the last character must be zero, so each token has
 * exactly one spelling and any changed character is a different token
 * (and a failed check). Tokens longer than LINK_MAX are refused unread.
 */
#include "booking_link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define LINK_VERSION     "1"
#define LINK_DOMAIN      "slotdav manage link v1"
#define LINK_MAC_LEN     32
#define LINK_PURPOSE_MAX 32
#define LINK_PAYLOAD_MAX 128
#define LINK_MAX         256

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int purpose_valid(const char *p)
{
	size_t n = p ? strlen(p) : 0;

	if (!n || n > LINK_PURPOSE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
			return 0;
	return 1;
}

/* Encodes n bytes into out (room for 4 * ceil(n / 3) + 1), NUL-terminated. */
static void b64url_encode(char *out, const unsigned char *in, size_t n)
{
	size_t i = 0;

	for (; i + 3 <= n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];

		*out++ = b64url[v >> 18];
		*out++ = b64url[(v >> 12) & 63];
		*out++ = b64url[(v >> 6) & 63];
		*out++ = b64url[v & 63];
	}
	if (n - i == 1) {
		*out++ = b64url[in[i] >> 2];
		*out++ = b64url[(in[i] & 3) << 4];
	} else if (n - i == 2) {
		unsigned v = (unsigned)in[i] << 8 | in[i + 1];

		*out++ = b64url[v >> 10];
		*out++ = b64url[(v >> 4) & 63];
		*out++ = b64url[(v & 15) << 2];
	}
	*out = '\0';
}

static int b64url_value(char c)
{
	const char *p = c ? strchr(b64url, c) : NULL;

	return p ? (int)(p - b64url) : -1;
}

/* Strict decoding of s[0..n) into out (room for n * 3 / 4): -1 on a
 * character outside the alphabet, an impossible length, or non-zero
 * unused bits; else the number of bytes. */
static long b64url_decode(unsigned char *out, const char *s, size_t n)
{
	unsigned acc = 0;
	int bits = 0;
	long len = 0;

	if (n % 4 == 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int v = b64url_value(s[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[len++] = (unsigned char)(acc >> bits);
		}
	}
	if (bits && (acc & ((1u << bits) - 1)))
		return -1;
	return len;
}

static int mac(unsigned char out[LINK_MAC_LEN], const char *secret, const unsigned char *payload,
               size_t n)
{
	unsigned char msg[sizeof(LINK_DOMAIN) + LINK_PAYLOAD_MAX];
	unsigned int len = 0;

	if (!secret || !*secret || n > LINK_PAYLOAD_MAX)
		return -1;
	memcpy(msg, LINK_DOMAIN, sizeof(LINK_DOMAIN)); /* with its NUL: a separator */
	memcpy(msg + sizeof(LINK_DOMAIN), payload, n);
	if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), msg, sizeof(LINK_DOMAIN) + n, out,
	          &len) ||
	    len != LINK_MAC_LEN)
		return -1;
	return 0;
}

char *booking_link_make(struct sd_arena *a, const struct booking_secrets *s, int64_t booking_id,
                        const char *purpose, int64_t expires)
{
	char payload[LINK_PAYLOAD_MAX + 1];
	unsigned char m[LINK_MAC_LEN];
	char enc_p[LINK_PAYLOAD_MAX / 3 * 4 + 8], enc_m[LINK_MAC_LEN / 3 * 4 + 8];
	int n;

	if (!s || !s->current || !*s->current || !purpose_valid(purpose) || booking_id <= 0)
		return NULL;
	n = snprintf(payload, sizeof(payload), LINK_VERSION ":%lld:%s:%lld", (long long)booking_id,
	             purpose, (long long)expires);
	if (n < 0 || n >= (int)sizeof(payload))
		return NULL;
	if (mac(m, s->current, (const unsigned char *)payload, (size_t)n))
		return NULL;
	b64url_encode(enc_p, (const unsigned char *)payload, (size_t)n);
	b64url_encode(enc_m, m, sizeof(m));
	return sd_arena_printf(a, "%s.%s", enc_p, enc_m);
}

/* Whether got is the MAC of payload under secret; constant time in the
 * MAC's bytes. */
static int mac_matches(const char *secret, const unsigned char *payload, size_t n,
                       const unsigned char got[LINK_MAC_LEN])
{
	unsigned char want[LINK_MAC_LEN];
	int ok;

	if (mac(want, secret, payload, n))
		return 0;
	ok = CRYPTO_memcmp(want, got, LINK_MAC_LEN) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

static int authentic(const struct booking_secrets *s, const unsigned char *payload, size_t n,
                     const unsigned char got[LINK_MAC_LEN], int64_t now)
{
	if (mac_matches(s->current, payload, n, got))
		return 1;
	if (!s->old_until || now >= s->old_until)
		return 0;
	for (size_t i = 0; i < s->nprevious; i++)
		if (mac_matches(s->previous[i], payload, n, got))
			return 1;
	return 0;
}

/* A decimal integer filling s[0..n): no sign unless neg_ok, no leading
 * zero, at most 18 digits. */
static int parse_int(const char *s, size_t n, int neg_ok, int64_t *out)
{
	int neg = 0;
	int64_t v = 0;

	if (n && *s == '-' && neg_ok) {
		neg = 1;
		s++;
		n--;
	}
	if (!n || n > 18 || (*s == '0' && n > 1))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

/* "1:<id>:<purpose>:<expires>" */
static int payload_parse(struct sd_arena *a, const char *p, size_t n, int64_t *id,
                         const char **purpose, int64_t *expires)
{
	const char *end = p + n, *f[4];
	size_t len[4];
	int k = 0;

	for (const char *q = p; k < 4; k++) {
		const char *c = memchr(q, ':', (size_t)(end - q));

		f[k] = q;
		len[k] = (size_t)((c ? c : end) - q);
		if (!c) {
			k++;
			break;
		}
		q = c + 1;
	}
	if (k != 4 || f[3] + len[3] != end || len[0] != 1 || *f[0] != *LINK_VERSION)
		return -1;
	if (parse_int(f[1], len[1], 0, id) || *id <= 0 || parse_int(f[3], len[3], 1, expires))
		return -1;
	*purpose = sd_arena_strndup(a, f[2], len[2]);
	return purpose_valid(*purpose) ? 0 : -1;
}

int booking_link_check(struct sd_arena *a, const struct booking_secrets *s, const char *token,
                       int64_t now, int64_t *booking_id, const char **purpose, struct sd_err *err)
{
	unsigned char payload[LINK_MAX], got[LINK_MAX];
	const char *dot, *p = NULL;
	size_t n = token ? strnlen(token, LINK_MAX + 1) : 0;
	long plen, mlen;
	int64_t id = 0, expires = 0;
	int rc = BOOKING_LINK_EBAD;

	*booking_id = 0;
	*purpose = NULL;
	if (!s || !s->current || !n || n > LINK_MAX || !(dot = memchr(token, '.', n))) {
		sd_err_set(err, rc, "not a manage link");
		goto out;
	}
	plen = b64url_decode(payload, token, (size_t)(dot - token));
	mlen = b64url_decode(got, dot + 1, n - (size_t)(dot + 1 - token));
	if (plen <= 0 || plen > LINK_PAYLOAD_MAX || mlen != LINK_MAC_LEN) {
		sd_err_set(err, rc, "not a manage link");
		goto out;
	}
	if (!authentic(s, payload, (size_t)plen, got, now)) {
		sd_err_set(err, rc, "the link's signature does not match");
		goto out;
	}
	if (payload_parse(a, (const char *)payload, (size_t)plen, &id, &p, &expires)) {
		sd_err_set(err, rc, "the link's content is malformed");
		goto out;
	}
	if (now >= expires) {
		rc = sd_err_set(err, BOOKING_LINK_EEXPIRED, "the link expired");
		goto out;
	}
	*booking_id = id;
	*purpose = p;
	rc = BOOKING_LINK_OK;
out:
	return rc;
}
