/* notify_smtp.c - handing one message to the SMTP relay with libcurl.
 *
 * libcurl does SMTP right where a hand-written client would not: STARTTLS
 * and implicit TLS (smtps://) with certificate checks, AUTH with the
 * mechanisms the server offers, dot-stuffing of the body, and the refusal
 * of CR/LF in the envelope addresses (lib/smtp.c, smtp_parse_address).
 *
 * The outcome is sorted by the last SMTP reply code, which decides what
 * the worker does with the row: 5xx is permanent (the relay will never
 * take this message), 4xx and everything without a reply (refused
 * connection, timeout, TLS trouble) are temporary and retried.
 */
#include <curl/curl.h>
#include <string.h>

#include "notify_int.h"

struct reader {
	const char *p;
	size_t left;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *cls)
{
	struct reader *r = cls;
	size_t n = size * nitems < r->left ? size * nitems : r->left;

	memcpy(buf, r->p, n);
	r->p += n;
	r->left -= n;
	return n;
}

int notify_smtp_send(const struct notify_opts *o, const char *rcpt, const char *msg,
                     struct sd_err *err)
{
	static const curl_usessl tls[] = { CURLUSESSL_NONE, CURLUSESSL_TRY, CURLUSESSL_ALL };
	char ebuf[CURL_ERROR_SIZE] = "", from[320], to[320];
	struct reader r = { msg, strlen(msg) };
	struct curl_slist *rcpts = NULL;
	long code = 0;
	CURLcode cc;
	CURL *h;
	int rc = 0;

	if (!(h = curl_easy_init()))
		return sd_err_set(err, NOTIFY_ETEMP, "curl_easy_init failed");
	snprintf(from, sizeof(from), "<%s>", o->smtp_from);
	snprintf(to, sizeof(to), "<%s>", rcpt);
	rcpts = curl_slist_append(NULL, to);
	curl_easy_setopt(h, CURLOPT_URL, o->smtp_url);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &r);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_USE_SSL,
	                 (long)tls[o->starttls >= 0 && o->starttls <= 2 ? o->starttls : 0]);
	if (o->smtp_user && *o->smtp_user) {
		curl_easy_setopt(h, CURLOPT_USERNAME, o->smtp_user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, o->smtp_password ? o->smtp_password : "");
	}
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (cc != CURLE_OK)
		rc = sd_err_set(err, code >= 500 && code < 600 ? NOTIFY_EPERM : NOTIFY_ETEMP,
		                "smtp %ld: %s", code, *ebuf ? ebuf : curl_easy_strerror(cc));
	curl_slist_free_all(rcpts);
	curl_easy_cleanup(h);
	return rc;
}
