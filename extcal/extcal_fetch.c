/* extcal_fetch.c - reading an external calendar: HTTP(S) with libcurl, or a
 * local file, then its busy time with ical/.
 *
 * HTTP. A conditional GET (If-None-Match with the stored ETag,
 * If-Modified-Since with the stored Last-Modified): 304 keeps the data. The
 * fetch is bounded on every axis a remote server controls: size (the body
 * is counted as it arrives and the transfer aborted past max_bytes; a
 * Content-Length over it is refused before the body), time (CURLOPT_TIMEOUT
 * covers connect to last byte, so a server that trickles bytes fails too),
 * redirects (CURLOPT_MAXREDIRS; only http and https, for the first request
 * and for redirects, so a feed cannot send us to file:// or anything
 * else), and encodings (gzip and deflate are accepted; the size bound
 * counts decoded bytes, so a small compressed bomb fails like a big body).
 * Anything but 200 or 304 is an error that names the status.
 *
 * Files. Read up to max_bytes; the validator is "mtime-size", so an
 * unchanged file is a 304 in effect. Only admins may name files (booking/):
 * the server reads them with its own rights.
 *
 * Parsing. The body must be a VCALENDAR (ics_fb_add_calendar); objects in
 * it that do not parse are skipped, a body with no VCALENDAR at all fails.
 * The busy time is computed over [now - EXTCAL_PAST_DAYS, now +
 * EXTCAL_FUTURE_DAYS), merged (all busy types count as busy: a tentative
 * meeting elsewhere blocks a booking all the same).
 *
 * Error messages never quote the body: they go to the staff member who
 * attached the calendar, and must not turn the server into a reader of
 * whatever an URL or file holds.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <curl/curl.h>

#include "extcal.h"
#include "ics.h"
#include "ics_freebusy.h"
#include "sd_buf.h"
#include "sd_util.h"

#define DAY 86400

struct body {
	struct sd_buf buf;
	size_t max;
	int too_big;
	const int *stop;
};

struct headers {
	struct sd_arena *a;
	const char *etag, *last_modified;
};

static size_t write_cb(char *p, size_t size, size_t nmemb, void *cls)
{
	struct body *b = cls;
	size_t n = size * nmemb;

	if (b->buf.len + n > b->max) {
		b->too_big = 1;
		return 0; /* aborts the transfer (CURLE_WRITE_ERROR) */
	}
	sd_buf_add(&b->buf, p, n);
	return n;
}

static int progress_cb(void *cls, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	const struct body *b = cls;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return b->stop && __atomic_load_n(b->stop, __ATOMIC_RELAXED);
}

/* Keeps ETag and Last-Modified of the last response (redirects too: the
 * final one's win, as it comes last). */
static size_t header_cb(char *p, size_t size, size_t nitems, void *cls)
{
	struct headers *h = cls;
	size_t n = size * nitems, k;
	const char **slot = NULL;

	if (n > 5 && !strncasecmp(p, "HTTP/", 5)) {
		h->etag = h->last_modified = NULL;
	} else if (n > 5 && !strncasecmp(p, "ETag:", 5)) {
		slot = &h->etag;
		k = 5;
	} else if (n > 14 && !strncasecmp(p, "Last-Modified:", 14)) {
		slot = &h->last_modified;
		k = 14;
	}
	if (slot) {
		while (k < n && (p[k] == ' ' || p[k] == '\t'))
			k++;
		while (n > k && (p[n - 1] == '\r' || p[n - 1] == '\n' || p[n - 1] == ' '))
			n--;
		/* A validator goes back out in a header: no controls. */
		for (size_t i = k; i < n; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
				return size * nitems;
		if (n > k && n - k < 512)
			*slot = sd_arena_strndup(h->a, p + k, n - k);
	}
	return size * nitems;
}

static void fail(struct extcal_result *r, struct sd_arena *a, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(struct extcal_result *r, struct sd_arena *a, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	r->status = status;
	r->error = sd_arena_vprintf(a, fmt, ap);
	va_end(ap);
}

/* GETs e->url into b; fills r's validators, or its error. */
static void http_get(const struct extcal_opts *o, const struct store_extcal *e, struct sd_arena *a,
                     struct body *b, struct extcal_result *r)
{
	char ebuf[CURL_ERROR_SIZE] = "";
	struct headers h = { .a = a };
	struct curl_slist *hdrs = NULL;
	CURL *c = curl_easy_init();
	curl_off_t clen = -1;
	long code = 0;
	CURLcode cc;

	if (!c) {
		fail(r, a, EXTCAL_EFETCH, "cannot start a transfer");
		return;
	}
	if (e->etag && *e->etag)
		hdrs = curl_slist_append(hdrs, sd_arena_printf(a, "If-None-Match: %s", e->etag));
	if (e->last_modified && *e->last_modified)
		hdrs = curl_slist_append(
		    hdrs, sd_arena_printf(a, "If-Modified-Since: %s", e->last_modified));
	hdrs = curl_slist_append(hdrs, "Accept: text/calendar, */*;q=0.5");
	curl_easy_setopt(c, CURLOPT_URL, e->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)o->max_redirects);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)o->timeout_seconds);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	                 (long)(o->timeout_seconds < 10 ? o->timeout_seconds : 10));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "slotdav-extcal");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, b);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &clen);
	if (b->too_big || cc == CURLE_FILESIZE_EXCEEDED)
		fail(r, a, EXTCAL_EFETCH, "the calendar is larger than %zu bytes", o->max_bytes);
	else if (cc == CURLE_OPERATION_TIMEDOUT)
		fail(r, a, EXTCAL_EFETCH, "no complete answer within %d seconds",
		     o->timeout_seconds);
	else if (cc == CURLE_TOO_MANY_REDIRECTS)
		fail(r, a, EXTCAL_EFETCH, "more than %d redirects", o->max_redirects);
	else if (cc != CURLE_OK)
		fail(r, a, EXTCAL_EFETCH, "%s", *ebuf ? ebuf : curl_easy_strerror(cc));
	else if (code == 304)
		r->status = 1;
	else if (code != 200)
		fail(r, a, EXTCAL_EFETCH, "the server answered HTTP %ld", code);
	if (!r->status || r->status == 1) {
		r->etag = h.etag ? h.etag : (r->status == 1 ? e->etag : "");
		r->last_modified =
		    h.last_modified ? h.last_modified : (r->status == 1 ? e->last_modified : "");
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
}

/* Reads e->path into b; a file unchanged since the last fetch is "not
 * modified". */
static void file_get(const struct extcal_opts *o, const struct store_extcal *e, struct sd_arena *a,
                     struct body *b, struct extcal_result *r)
{
	char chunk[16384];
	const char *tag;
	struct stat sb;
	FILE *f = fopen(e->path, "rb");
	size_t k;

	if (!f || fstat(fileno(f), &sb) || !S_ISREG(sb.st_mode)) {
		fail(r, a, EXTCAL_EFETCH, "cannot read the file");
		goto out;
	}
	tag = sd_arena_printf(a, "%lld-%lld", (long long)sb.st_mtime, (long long)sb.st_size);
	r->etag = tag;
	r->last_modified = "";
	if (e->etag && !strcmp(e->etag, tag)) {
		r->status = 1;
		goto out;
	}
	if ((size_t)sb.st_size > o->max_bytes) {
		fail(r, a, EXTCAL_EFETCH, "the calendar is larger than %zu bytes", o->max_bytes);
		goto out;
	}
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b->buf.len + k > o->max_bytes) {
			fail(r, a, EXTCAL_EFETCH, "the calendar is larger than %zu bytes",
			     o->max_bytes);
			goto out;
		}
		sd_buf_add(&b->buf, chunk, k);
	}
	if (ferror(f))
		fail(r, a, EXTCAL_EFETCH, "cannot read the file");
out:
	if (f)
		fclose(f);
}

/* The busy time of body[0..len) over the window of now, merged. */
static void parse(const char *body, size_t len, int64_t now, struct sd_arena *a,
                  struct extcal_result *r)
{
	struct ics_fb *fb = ics_fb_new(a, now - EXTCAL_PAST_DAYS * (int64_t)DAY,
	                               now + EXTCAL_FUTURE_DAYS * (int64_t)DAY);
	const struct ics_period *p;
	struct sd_err e = { 0 };
	size_t n, k = 0;
	int rc;

	if ((rc = ics_fb_add_calendar(fb, body, len, NULL, NULL, &e))) {
		fail(r, a, EXTCAL_EPARSE, "%s",
		     rc == ICS_ETOOMANY ? "the calendar has too much busy time"
		                        : "the answer is not an iCalendar file (no VCALENDAR)");
		return;
	}
	ics_fb_periods(fb, &p, &n);
	r->busy = sd_arena_alloc(a, (n ? n : 1) * sizeof(*r->busy));
	for (size_t i = 0; i < n; i++) {
		if (k && r->busy[k - 1].end >= p[i].start) {
			if (p[i].end > r->busy[k - 1].end)
				r->busy[k - 1].end = p[i].end;
			continue;
		}
		r->busy[k++] = (struct store_period){ p[i].start, p[i].end };
	}
	r->nbusy = k;
}

void extcal_fetch(const struct extcal_opts *o, const struct store_extcal *e, int64_t now,
                  struct sd_arena *a, struct extcal_result *out)
{
	struct body b = { .max = o->max_bytes, .stop = o->stop };

	memset(out, 0, sizeof(*out));
	out->error = "";
	sd_buf_init(&b.buf, 0);
	if (e->path && *e->path)
		file_get(o, e, a, &b, out);
	else
		http_get(o, e, a, &b, out);
	if (out->status == 0)
		parse(sd_buf_cstr(&b.buf), b.buf.len, now, a, out);
	if (out->status < 0)
		out->etag = out->last_modified = NULL;
	sd_buf_free(&b.buf);
}
