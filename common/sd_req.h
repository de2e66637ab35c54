/* sd_req.h - one HTTP exchange, independent of the HTTP library.
 *
 * server/ fills the request half from libmicrohttpd; the fronts (caldav/,
 * later api/ and web/) read it and fill the response half; server/ then
 * sends it. Tests build a struct sd_req by hand and call a front directly,
 * with no socket (see tests/caldav).
 *
 * The response body is a buffer (resp_body), optionally followed by a
 * stream: when resp_stream is set, resp_body is sent first (it may hold the
 * head of the document), then resp_stream is called repeatedly to append
 * the next part to the buffer it is given. Whatever it appended is sent;
 * it returns 1 to be called again, 0 when that was the last part, and a
 * negative value to abort the connection. A stream keeps whatever it needs (an open storage
 * iterator, a transaction) in arena memory with cleanups registered on the
 * arena, which server/ frees only after the response has been sent.
 *
 * Everything reachable from a struct sd_req is arena memory, valid until the
 * exchange completes, except resp_body's storage, which sd_req_init()
 * registers for release with the arena.
 */
#ifndef SD_REQ_H
#define SD_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "sd_arena.h"
#include "sd_buf.h"

struct sd_header {
	const char *name;
	const char *value;
	struct sd_header *next;
};

struct sd_req {
	struct sd_arena *arena;

	/* Request. */
	const char *method; /* as sent, e.g. "PROPFIND" */
	const char *path;   /* as sent: percent-encoded, no query, starts with '/' */
	const char *query;  /* raw, without '?'; NULL if none */
	struct sd_header *headers;
	const char *body; /* NUL-terminated for convenience; may hold NULs */
	size_t body_len;
	const char *base_url; /* scheme://host[:port] of this server, for absolute URLs */

	/* Authenticated user; user_id 0 when anonymous. */
	int64_t user_id;
	const char *user_name;

	/* Response. */
	int status;
	struct sd_header *resp_headers;
	const char *resp_type; /* Content-Type, or NULL for no body */
	struct sd_buf resp_body;
	int (*resp_stream)(void *cls, struct sd_buf *out);
	void *resp_stream_cls;
	int resp_no_body; /* HEAD, 204, 304: headers only (Content-Length kept for HEAD) */
};

/* Zeroes r and attaches the arena (which must outlive r). */
void sd_req_init(struct sd_req *r, struct sd_arena *a);

/* Adds a request header (names compared case-insensitively). Copies. */
void sd_req_add_header(struct sd_req *r, const char *name, const char *value);
/* The first request header of that name, or NULL. Borrowed from r. */
const char *sd_req_header(const struct sd_req *r, const char *name);

/* Adds a response header. Copies. Values with CR or LF are refused (the
 * header is not added and -1 returned), so no caller can split a response. */
int sd_req_set_header(struct sd_req *r, const char *name, const char *value);
/* The first response header of that name, or NULL. */
const char *sd_req_resp_header(const struct sd_req *r, const char *name);

#endif
