/* feed.c - the iCalendar feed front: GET/HEAD /feeds/<token>.ics.
 *
 * Why a front of its own (feed/, the library sd_feed) and not a page of
 * api/ or server/: like api/ and web/ it decodes a request, calls booking
 * and encodes the answer, but it speaks neither JSON nor HTML, is reached
 * without a login, and owns HTTP behaviour nobody else needs (conditional
 * GET on a generated body, gzip, rate limits). booking/booking_feed.c
 * owns what a feed is (tokens, which bookings, privacy); this file owns
 * only how it travels.
 *
 * One request, step by step (each step may end it with its status):
 *   method   GET or HEAD, else 405
 *   address  the client address's bucket (feeds.rate_per_minute_ip), taken
 *            before the token is looked at, so guessing tokens is slow
 *            too: 429 with Retry-After
 *   token    <prefix>/<token>.ics; malformed, unknown or revoked: 404
 *            (never 401/403 and never WWW-Authenticate: there is no
 *            login to offer, and a different answer would tell a guesser
 *            which tokens once existed)
 *   feed     the feed's own bucket (feeds.rate_per_minute): 429
 *   render   booking_feed_render
 *   validate strong ETag: the first 128 bits of SHA-256 of the body, hex;
 *            the gzip form has "-gz" appended (a strong ETag names one
 *            representation, RFC 9110 8.8.3). If-None-Match ("*" or a list,
 *            compared weakly, either form) wins over If-Modified-Since
 *            (RFC 9110 13.2.2); a match is 304 with the validators
 *   encode   gzip (zlib, RFC 1952) when Accept-Encoding allows it
 *            (gzip or x-gzip, q > 0; or "*"); Vary: Accept-Encoding always
 * Cache-Control: private, max-age=feeds.max_age (300 s): the body is
 * somebody's appointments, so no shared cache may keep it, and a client
 * that re-reads within five minutes need not even ask.
 */
#define _XOPEN_SOURCE 700 /* strptime */
#include "feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "booking.h"
#include "sd_log.h"
#include "sd_util.h"

static const struct booking_actor feed_actor = { BOOKING_ROLE_SYSTEM, 0, 0, "feed", "feed", "" };

static int reply_text(struct sd_req *req, int status, const char *text)
{
	req->status = status;
	req->resp_type = "text/plain; charset=utf-8";
	sd_buf_reset(&req->resp_body);
	sd_buf_adds(&req->resp_body, text);
	return status;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int too_many(struct sd_req *req, int retry_after)
{
	sd_req_set_header(req, "Retry-After", sd_arena_printf(req->arena, "%d", retry_after));
	return reply_text(req, 429, "Too many requests for this feed; try again later.\n");
}

/* The token of "<prefix>/<token>.ics", or NULL. */
static const char *token_of(struct sd_req *req, const char *prefix)
{
	const char *p = req->path + strlen(prefix);
	size_t n;

	if (*p++ != '/')
		return NULL;
	n = strlen(p);
	if (n < 5 || strcmp(p + n - 4, ".ics"))
		return NULL;
	return sd_arena_strndup(req->arena, p, n - 4);
}

static const char *etag_of(struct sd_arena *a, const char *body, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	char s[33];

	if (EVP_Digest(body, len, md, NULL, EVP_sha256(), NULL) != 1)
		abort(); /* only out of memory makes a digest fail */
	for (int i = 0; i < 16; i++) {
		s[2 * i] = hex[md[i] >> 4];
		s[2 * i + 1] = hex[md[i] & 15];
	}
	s[32] = '\0';
	return sd_arena_strdup(a, s);
}

/* Whether the If-None-Match list names tag (with or without "-gz"),
 * compared weakly. */
static int none_match(const char *list, const char *tag)
{
	size_t tl = strlen(tag);

	for (const char *p = list; *p;) {
		const char *q;

		p += strspn(p, " \t,");
		if (*p == '*')
			return 1;
		if (!strncmp(p, "W/", 2))
			p += 2;
		if (*p != '"')
			break;
		q = strchr(++p, '"');
		if (!q)
			break;
		if (((size_t)(q - p) == tl ||
		     ((size_t)(q - p) == tl + 3 && !strncmp(p + tl, "-gz", 3))) &&
		    !strncmp(p, tag, tl))
			return 1;
		p = q + 1;
	}
	return 0;
}

/* IMF-fixdate (the only form we send) and RFC 850/asctime are rare enough
 * from calendar clients to be ignored: an unparsable date is no condition. */
static int parse_http_date(const char *s, int64_t *out)
{
	struct tm tm = { 0 };
	const char *end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);

	if (!end || *end)
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

static const char *http_date(struct sd_arena *a, int64_t when)
{
	char s[64];
	time_t t = (time_t)when;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return sd_arena_strdup(a, s);
}

/* Whether Accept-Encoding lets us send gzip: a gzip, x-gzip or "*" entry
 * whose q is not 0. */
static int wants_gzip(const char *ae)
{
	if (!ae)
		return 0;
	for (const char *p = ae; *p;) {
		size_t n;
		const char *semi, *q;
		int ok;

		p += strspn(p, " \t,");
		n = strcspn(p, " \t;,");
		ok = (n == 4 && !strncasecmp(p, "gzip", 4)) ||
		     (n == 6 && !strncasecmp(p, "x-gzip", 6)) || (n == 1 && *p == '*');
		semi = p + n;
		p += strcspn(p, ",");
		if (!ok)
			continue;
		q = strstr(semi, "q=");
		if (q && q < p && strtod(q + 2, NULL) <= 0.0)
			continue;
		return 1;
	}
	return 0;
}

/* out: the gzip stream of s[0..n). -1 if zlib fails. */
static int gzip(struct sd_buf *out, const char *s, size_t n)
{
	z_stream z = { 0 };
	unsigned char chunk[16384];
	int rc;

	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)s;
	z.avail_in = (uInt)n;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = deflate(&z, Z_FINISH);
		if (rc == Z_STREAM_ERROR)
			break;
		sd_buf_add(out, chunk, sizeof(chunk) - z.avail_out);
	} while (rc != Z_STREAM_END);
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

/* Validators and cache headers, on 200 and 304 alike. */
static void set_cache_headers(struct sd_req *req, const struct feed_config *cfg, const char *etag,
                              int gz, int64_t last_modified)
{
	struct sd_arena *a = req->arena;

	sd_req_set_header(req, "ETag", sd_arena_printf(a, "\"%s%s\"", etag, gz ? "-gz" : ""));
	sd_req_set_header(req, "Last-Modified", http_date(a, last_modified));
	sd_req_set_header(req, "Cache-Control",
	                  sd_arena_printf(a, "private, max-age=%d", cfg->max_age));
	sd_req_set_header(req, "Vary", "Accept-Encoding");
}

static int not_modified(struct sd_req *req, const char *etag, int64_t last_modified)
{
	const char *inm = sd_req_header(req, "If-None-Match");
	const char *ims = sd_req_header(req, "If-Modified-Since");
	int64_t since;

	if (inm)
		return none_match(inm, etag);
	return ims && !parse_http_date(ims, &since) && last_modified <= since;
}

static int serve(struct sd_req *req, const struct feed_config *cfg, const struct booking_feed *f)
{
	const char *etag = etag_of(req->arena, f->text, f->len);
	int gz = wants_gzip(sd_req_header(req, "Accept-Encoding"));
	struct sd_buf z;

	if (not_modified(req, etag, f->last_modified)) {
		set_cache_headers(req, cfg, etag, gz, f->last_modified);
		req->resp_no_body = 1;
		return req->status = 304;
	}
	sd_buf_reset(&req->resp_body);
	if (gz) {
		sd_buf_init(&z, 0);
		if (gzip(&z, f->text, f->len)) {
			sd_buf_free(&z);
			gz = 0;
		} else {
			sd_buf_add(&req->resp_body, z.data, z.len);
			sd_buf_free(&z);
			sd_req_set_header(req, "Content-Encoding", "gzip");
		}
	}
	if (!gz)
		sd_buf_add(&req->resp_body, f->text, f->len);
	set_cache_headers(req, cfg, etag, gz, f->last_modified);
	sd_req_set_header(req, "X-Content-Type-Options", "nosniff");
	sd_req_set_header(req, "Content-Disposition", "inline; filename=\"calendar.ics\"");
	req->resp_type = "text/calendar; charset=utf-8";
	return req->status = 200;
}

int feed_handle(struct sd_req *req, struct store_conn *conn, const struct feed_config *cfg,
                const char *client_ip)
{
	struct booking_ctx x = { conn, req->arena, sd_now(), &feed_actor };
	struct store_feed_token t = { 0 };
	struct booking_feed f;
	struct sd_err err = { 0 };
	const char *token;
	int wait, rc;

	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
		sd_req_set_header(req, "Allow", "GET, HEAD");
		return reply_text(req, 405, "Method not allowed.\n");
	}
	if (cfg->rate && !feed_rate_take(cfg->rate, sd_arena_printf(req->arena, "ip:%s", client_ip),
	                                 cfg->rate_per_ip, now_ms(), &wait))
		return too_many(req, wait);
	token = token_of(req, cfg->prefix);
	rc = token ? booking_feed_find(&x, token, &t, &err) : BOOKING_ENOTFOUND;
	if (rc == BOOKING_ENOTFOUND)
		return reply_text(req, 404, "Not found.\n");
	if (rc)
		goto fail;
	if (cfg->rate &&
	    !feed_rate_take(cfg->rate, sd_arena_printf(req->arena, "feed:%s", t.token_hash),
	                    cfg->rate_per_token, now_ms(), &wait))
		return too_many(req, wait);
	rc = booking_feed_render(&x, &t, &f, &err);
	if (rc == BOOKING_ENOTFOUND)
		return reply_text(req, 404, "Not found.\n");
	if (rc)
		goto fail;
	return serve(req, cfg, &f);
fail:
	SD_ERROR("feed failed", "feed=%lld code=%s detail=\"%s\"", (long long)t.id,
	         booking_code_name(rc), err.msg);
	return reply_text(req, rc == BOOKING_EBUSY ? 503 : 500, "Internal server error.\n");
}
