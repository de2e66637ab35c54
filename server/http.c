/* http.c - libmicrohttpd glue: one exchange from request line to access log.
 *
 * libmicrohttpd (MHD) calls us at five points of an exchange; each is one
 * function here and does one step (STYLE.md "A request, step by step"):
 *
 *   on_uri        request line read: the exchange (arena, struct sd_req,
 *                 capped body buffer) is created and becomes MHD's req_cls;
 *                 the raw target is split into path and query here, since
 *                 this is the only place MHD shows the query undecoded
 *   on_request #1 headers read: method and headers copied; a target with a
 *                 NUL byte (400) or a Content-Length over server.max_body
 *                 (413) is answered before the upload
 *   on_request #n a body chunk: appended, or counted as overflow (413 later)
 *   on_request    body complete: a DAV or API request first takes one of
 *                 the storage.pool slots of the gate (gate.h), or is suspended
 *                 until one is handed to it; then route, handle, render,
 *                 queue the response. A buffered response is then
 *                 independent of us, so the exchange is released at once
 *                 (release_exchange)
 *   on_completed  response sent or connection gone: release what is left
 *                 (a streamed response's arena and storage connection),
 *                 write the access log line
 *
 * Invariants: the exchange itself is heap memory that lives until
 * on_completed; the request and response it describes are arena memory.
 * Releasing an exchange frees the arena (running the fronts' cleanups) and
 * only then returns the storage connection, because a front's cleanups may
 * still use it. A streamed response keeps both until on_completed; a
 * buffered one (handed to MHD without copying) gives them back as soon as
 * it is queued, so a slow client never pins a connection of the pool. No
 * worker thread ever waits for a storage connection (the gate parks the
 * request instead): a thread blocked in the pool's acquire could not finish
 * the streams that would free one. MHD's URL unescaping is replaced by the
 * identity, so paths reach the fronts percent-encoded (sd_path_parse
 * decodes them with the checks MHD would not make).
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "dav_hooks.h"

#include "api.h"
#include "extcal.h"
#include "feed.h"
#include "dav.h"
#include "gate.h"
#include "links.h"
#include "sd_log.h"
#include "sd_util.h"
#include "web.h"

#define STREAM_BLOCK (32 * 1024)
#define TLS_FILE_MAX (1024 * 1024)
#define URL_SPAN_MAX (64 * 1024) /* beyond MHD's whole header buffer */
#define STOP_WAIT_MS 5000

void srv_extcal_opts(const struct srv_config *cfg, struct extcal_opts *out)
{
	*out = (struct extcal_opts){
		.poll_seconds = cfg->extcal_poll_seconds,
		.max_bytes = cfg->extcal_max_bytes,
		.timeout_seconds = cfg->extcal_timeout_seconds,
		.max_redirects = cfg->extcal_max_redirects,
	};
}

/* The API's refresh (api_extcal_refresh_fn), in the request's thread. */
static int extcal_refresh_hook(void *cls, struct store_conn *c, int64_t id, struct sd_err *err)
{
	struct extcal_opts o;

	srv_extcal_opts(cls, &o);
	return extcal_refresh(c, &o, id, err);
}

struct srv_http {
	struct MHD_Daemon *daemon;
	const struct srv_config *cfg;
	struct store *store;
	struct srv_auth *auth;
	struct dav_config dav;
	struct api_config api;
	struct web_config web;
	struct srv_links *links; /* the manage-link secrets */
	struct feed_config feed;
	srv_front_fn front;
	int tls;
	char *url;           /* "http://127.0.0.1:8008/" */
	char *fallback_base; /* the same without the '/', when Host is unusable */
	char *tls_cert, *tls_key;
	struct srv_gate *gate; /* one slot per pooled storage connection */
};

struct exchange {
	struct srv_http *http;
	struct sd_arena *arena; /* NULL once released */
	struct sd_req req;      /* points into the arena: dead once released */
	struct sd_buf body;     /* request body, capped at server.max_body */
	struct sd_buf out;      /* streamed response: the part being sent */
	size_t out_off;
	struct store_conn *conn;
	struct srv_gate_ticket ticket; /* cls: the MHD connection */
	char *log_who, *log_what;      /* access log fields, kept past the release */
	uintptr_t target_at;           /* where MHD's raw request target starts */
	size_t target_len;             /* its strlen() */
	struct timespec t0;
	char client_ip[INET6_ADDRSTRLEN]; /* the peer, for the feeds' rate limit */
	uint64_t bytes;                   /* response body bytes handed to MHD */
	int status;                       /* as queued; 0: none */
	unsigned started : 1, malformed : 1, too_big : 1, streaming : 1, stream_done : 1;
};

static void release_exchange(struct exchange *ex);

/* ---- request targets and routes ----------------------------------------- */

void srv_http_split_target(const char **path, const char **query, const char *target,
                           struct sd_arena *a)
{
	const char *p = target, *q;

	*path = *query = NULL;
	if (!strncasecmp(p, "http://", 7) || !strncasecmp(p, "https://", 8)) {
		p = strstr(p, "://") + 3;
		p += strcspn(p, "/?");
		if (*p != '/') {
			*path = "/";
			*query = *p == '?' ? sd_arena_strdup(a, p + 1) : NULL;
			return;
		}
	}
	if (*p != '/')
		return;
	q = strchr(p, '?');
	*path = sd_arena_strndup(a, p, q ? (size_t)(q - p) : strlen(p));
	*query = q ? sd_arena_strdup(a, q + 1) : NULL;
}

/* path is prefix, or below it. */
static int under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

enum srv_route srv_http_route(const char *path)
{
	if (!strcmp(path, "/.well-known/caldav") || !strcmp(path, "/.well-known/caldav/"))
		return SRV_ROUTE_WELL_KNOWN;
	if (!strcmp(path, "/health"))
		return SRV_ROUTE_HEALTH;
	if (!strcmp(path, "/") || under(path, SRV_DAV_PREFIX))
		return SRV_ROUTE_DAV;
	if (under(path, SRV_API_PREFIX))
		return SRV_ROUTE_API;
	if (under(path, WEB_PREFIX))
		return SRV_ROUTE_WEB;
	if (under(path, SRV_FEED_PREFIX))
		return SRV_ROUTE_FEED;
	return SRV_ROUTE_NOT_FOUND;
}

/* ---- handlers (transport-neutral: they fill req) ------------------------ */

static int respond_text(struct sd_req *req, int status, const char *text)
{
	req->status = status;
	req->resp_type = "text/plain; charset=utf-8";
	sd_buf_reset(&req->resp_body);
	sd_buf_adds(&req->resp_body, text);
	return status;
}

static int handle_well_known(struct sd_req *req)
{
	sd_req_set_header(req, "Location",
	                  sd_arena_printf(req->arena, "%s%s/", req->base_url, SRV_DAV_PREFIX));
	return respond_text(req, 301, "Moved to " SRV_DAV_PREFIX "/\n");
}

static int handle_health(struct sd_req *req)
{
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
		sd_req_set_header(req, "Allow", "GET, HEAD");
		return respond_text(req, 405, "Method not allowed.\n");
	}
	sd_req_set_header(req, "Cache-Control", "no-store");
	respond_text(req, 200, "{\"status\":\"ok\"}\n");
	req->resp_type = "application/json";
	return 200;
}

/* A front that needs storage: DAV or the JSON API (and a user), or the
 * manage page (no HTTP authentication: its signed link is the credential). */
static int handle_front(struct exchange *ex, enum srv_route route)
{
	struct srv_http *h = ex->http;
	struct sd_req *req = &ex->req;
	struct sd_err err = { 0 };
	int rc;

	if (store_conn_acquire(h->store, &ex->conn, &err)) {
		ex->conn = NULL;
		SD_ERROR("no storage connection", "detail=\"%s\"", err.msg);
		return respond_text(req, 503, "Service temporarily unavailable.\n");
	}
	if (route == SRV_ROUTE_WEB) {
		rc = web_handle(req, ex->conn, &h->web, sd_now());
		goto out;
	}
	rc = srv_auth_request(h->auth, ex->conn, req, &err);
	if (rc == SRV_AUTH_EDENIED)
		return req->status;
	if (rc) {
		SD_ERROR("authentication failed", "detail=\"%s\"", err.msg);
		return respond_text(req, 500, "Internal server error.\n");
	}
	if (route == SRV_ROUTE_API)
		rc = api_handle(req, ex->conn, &h->api);
	else
		rc = h->front(req, ex->conn, &h->dav);
out:
	if (rc < 100 || rc > 599) {
		SD_ERROR("front returned no status", "status=%d", rc);
		req->resp_headers = NULL;
		req->resp_stream = NULL;
		req->resp_no_body = 0;
		return respond_text(req, 500, "Internal server error.\n");
	}
	return req->status = rc;
}

/* Feeds: storage, but no authentication (the token in the path is the
 * right), so no WWW-Authenticate can ever come from here. */
static int handle_feed(struct exchange *ex)
{
	struct srv_http *h = ex->http;
	struct sd_req *req = &ex->req;
	struct sd_err err = { 0 };

	if (store_conn_acquire(h->store, &ex->conn, &err)) {
		ex->conn = NULL;
		SD_ERROR("no storage connection", "detail=\"%s\"", err.msg);
		return respond_text(req, 503, "Service temporarily unavailable.\n");
	}
	return req->status = feed_handle(req, ex->conn, &h->feed, ex->client_ip);
}

static int dispatch(struct exchange *ex)
{
	struct sd_req *req = &ex->req;
	enum srv_route route;

	if (ex->malformed || !req->path)
		return respond_text(req, 400, "Malformed request.\n");
	if (ex->too_big)
		return respond_text(req, 413, "Request body too large.\n");
	switch ((route = srv_http_route(req->path))) {
	case SRV_ROUTE_WELL_KNOWN:
		return handle_well_known(req);
	case SRV_ROUTE_HEALTH:
		return handle_health(req);
	case SRV_ROUTE_DAV:
	case SRV_ROUTE_API:
	case SRV_ROUTE_WEB:
		return handle_front(ex, route);
	case SRV_ROUTE_FEED:
		return handle_feed(ex);
	case SRV_ROUTE_NOT_FOUND:
		break;
	}
	return respond_text(req, 404, "Not found.\n");
}

/* ---- rendering ---------------------------------------------------------- */

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct exchange *ex = cls;
	size_t n;
	int rc;

	while (ex->out_off == ex->out.len) {
		if (ex->stream_done)
			return MHD_CONTENT_READER_END_OF_STREAM;
		sd_buf_reset(&ex->out);
		ex->out_off = 0;
		if ((rc = ex->req.resp_stream(ex->req.resp_stream_cls, &ex->out)) < 0) {
			SD_ERROR("response stream failed", "path=\"%s\" rc=%d", ex->req.path, rc);
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
		ex->stream_done = rc == 0;
	}
	n = ex->out.len - ex->out_off;
	if (n > max)
		n = max;
	memcpy(buf, ex->out.data + ex->out_off, n);
	ex->out_off += n;
	ex->bytes += n;
	return (ssize_t)n;
}

/* For HEAD when the front announced a length but built no body: MHD sends
 * the length and never asks for the bytes. */
static ssize_t no_body_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	return MHD_CONTENT_READER_END_WITH_ERROR;
}

static int status_has_body(int status)
{
	return status >= 200 && status != 204 && status != 304;
}

/* The body: a stream, the buffer (handed over without copying), or none. */
static struct MHD_Response *render_body(struct exchange *ex)
{
	struct sd_req *req = &ex->req;
	int head = !strcmp(req->method, "HEAD");
	const char *cl = sd_req_resp_header(req, "Content-Length");
	struct MHD_Response *r;
	char *data;
	size_t len;

	if (req->resp_stream && status_has_body(req->status) && !req->resp_no_body) {
		struct sd_buf tmp = ex->out; /* what the front already wrote goes first */

		ex->out = req->resp_body;
		req->resp_body = tmp;
		ex->streaming = 1;
		return MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK,
		                                         stream_read, ex, NULL);
	}
	if (!status_has_body(req->status) || (req->resp_no_body && !head) ||
	    (!req->resp_body.len && !(head && cl)))
		return MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!req->resp_body.len)
		return MHD_create_response_from_callback(strtoull(cl, NULL, 10), 1, no_body_read,
		                                         NULL, NULL);
	data = req->resp_body.data;
	len = req->resp_body.len;
	if (!(r = MHD_create_response_from_buffer_with_free_callback(len, data, free)))
		return NULL;
	sd_buf_init(&req->resp_body, 0); /* stolen: MHD frees it */
	ex->bytes = head ? 0 : len;
	return r;
}

static int add_headers(struct MHD_Response *r, const struct sd_req *req)
{
	if (req->resp_type && MHD_add_response_header(r, "Content-Type", req->resp_type) != MHD_YES)
		return -1;
	for (const struct sd_header *h = req->resp_headers; h; h = h->next) {
		if (sd_strcaseeq(h->name, "Content-Length"))
			continue; /* MHD computes it */
		if (MHD_add_response_header(r, h->name, h->value) != MHD_YES)
			SD_WARN("response header refused", "name=\"%s\"", h->name);
	}
	return 0;
}

static enum MHD_Result queue(struct exchange *ex, struct MHD_Connection *conn)
{
	struct MHD_Response *r = render_body(ex);
	enum MHD_Result ret = MHD_NO;

	if (!r || add_headers(r, &ex->req))
		goto out;
	ex->status = ex->req.status;
	ret = MHD_queue_response(conn, (unsigned)ex->req.status, r);
out:
	if (r)
		MHD_destroy_response(r);
	if (!ex->streaming)
		release_exchange(ex);
	return ret;
}

/* ---- the MHD callbacks -------------------------------------------------- */

static void buf_release(void *p)
{
	sd_buf_free(p);
}

static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
	return strlen(s);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct srv_http *h = cls;
	struct sd_arena *a = sd_arena_new();
	struct exchange *ex = sd_xcalloc(1, sizeof(*ex));

	ex->http = h;
	ex->arena = a;
	clock_gettime(CLOCK_MONOTONIC, &ex->t0);
	sd_req_init(&ex->req, a);
	sd_buf_init(&ex->body, h->cfg->server_max_body);
	sd_arena_defer(a, buf_release, &ex->body);
	sd_buf_init(&ex->out, 0);
	sd_arena_defer(a, buf_release, &ex->out);
	srv_http_split_target(&ex->req.path, &ex->req.query, uri, a);
	ex->target_at = (uintptr_t)uri;
	ex->target_len = strlen(uri);
	return ex;
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *name,
                                  const char *value)
{
	sd_req_add_header(cls, name, value ? value : "");
	return MHD_YES;
}

/* libmicrohttpd 0.9.75 hands the request target over as a C string, so a
 * NUL byte inside it would silently cut it short ("/a/\0/../b" read as
 * "/a/"). MHD parses the request line in place: the version string starts
 * right after the target's last byte and the NUL MHD wrote over the space.
 * When it does not start right after what strlen() saw in on_uri, the
 * target held a NUL. Only addresses are compared, nothing is read; laid
 * out differently (another libmicrohttpd, which rejects NULs itself), the
 * check stays silent. */
static int target_has_nul(const struct exchange *ex, const char *version)
{
	uintptr_t v = (uintptr_t)version, end = ex->target_at + ex->target_len + 1;

	return v > end && v - ex->target_at <= URL_SPAN_MAX;
}

/* scheme://Host when the Host header is a plausible authority, so that
 * nothing the client sends can inject into absolute URLs we emit. */
static const char *base_url(struct exchange *ex)
{
	const struct srv_http *h = ex->http;
	const char *host = sd_req_header(&ex->req, "Host");

	if (*h->cfg->server_base_url)
		return h->cfg->server_base_url;
	if (!host || !*host || strlen(host) > 255 ||
	    host[strspn(host,
	                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")])
		return h->fallback_base;
	return sd_arena_printf(ex->arena, "%s://%s", h->tls ? "https" : "http", host);
}

static void client_address(struct exchange *ex, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	ex->client_ip[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		          ex->client_ip, sizeof(ex->client_ip));
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		          ex->client_ip, sizeof(ex->client_ip));
}

static enum MHD_Result on_headers(struct exchange *ex, struct MHD_Connection *conn,
                                  const char *method, const char *version)
{
	struct sd_req *req = &ex->req;
	const char *cl;

	ex->started = 1;
	req->method = sd_arena_strdup(ex->arena, method);
	client_address(ex, conn);
	ex->malformed = target_has_nul(ex, version);
	MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header, req);
	req->base_url = base_url(ex);
	cl = sd_req_header(req, "Content-Length");
	if (cl && strtoull(cl, NULL, 10) > ex->http->cfg->server_max_body)
		ex->too_big = 1;
	if (ex->malformed || ex->too_big) {
		dispatch(ex);
		return queue(ex, conn); /* MHD then skips the upload and closes */
	}
	return MHD_YES;
}

/* Whether the exchange will take a storage connection (a DAV or API
 * request that passed the early checks). */
static int needs_store(const struct exchange *ex)
{
	enum srv_route r;

	if (ex->malformed || ex->too_big || !ex->req.path)
		return 0;
	r = srv_http_route(ex->req.path);
	return r == SRV_ROUTE_DAV || r == SRV_ROUTE_API || r == SRV_ROUTE_WEB ||
	       r == SRV_ROUTE_FEED;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
	struct exchange *ex = *req_cls;

	if (!ex)
		return MHD_NO;
	if (!ex->started)
		return on_headers(ex, conn, method, version);
	if (ex->status) { /* answered early (413): drop the rest */
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!ex->too_big && sd_buf_add(&ex->body, upload, *upload_size))
			ex->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	ex->req.body = ex->body.data ? ex->body.data : "";
	ex->req.body_len = ex->body.len;
	if (needs_store(ex)) {
		ex->ticket.cls = conn;
		switch (srv_gate_enter(ex->http->gate, &ex->ticket)) {
		case SRV_GATE_QUEUED:
			return MHD_YES; /* suspended; called again once it holds a slot */
		case SRV_GATE_CLOSED:
			respond_text(&ex->req, 503, "Shutting down.\n");
			return queue(ex, conn);
		}
	}
	dispatch(ex);
	return queue(ex, conn);
}

static const char *end_reason(enum MHD_RequestTerminationCode toe)
{
	switch (toe) {
	case MHD_REQUEST_TERMINATED_COMPLETED_OK:
		return NULL;
	case MHD_REQUEST_TERMINATED_WITH_ERROR:
		return "error";
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
		return "timeout";
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
		return "shutdown";
	case MHD_REQUEST_TERMINATED_READ_ERROR:
		return "read_error";
	case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
		return "client_abort";
	default:
		return "other";
	}
}

/* Keeps what the access log needs from the arena, frees the arena, then
 * returns the storage connection. Idempotent. */
static void release_exchange(struct exchange *ex)
{
	const struct sd_req *req = &ex->req;
	const char *ua;

	if (!ex->arena) {
		srv_gate_leave(ex->http->gate, &ex->ticket);
		return;
	}
	ua = sd_req_header(req, "User-Agent");
	ex->log_who =
	    sd_xstrdup(sd_arena_printf(ex->arena, "method=%s path=%s",
	                               sd_log_quote(ex->arena, req->method ? req->method : "-"),
	                               sd_log_quote(ex->arena, req->path ? req->path : "-")));
	ex->log_what = sd_xstrdup(
	    sd_arena_printf(ex->arena, "user=%s ua=%s",
	                    sd_log_quote(ex->arena, req->user_name ? req->user_name : "-"),
	                    sd_log_quote(ex->arena, ua ? ua : "-")));
	sd_arena_free(ex->arena);
	ex->arena = NULL;
	if (ex->conn)
		store_conn_release(ex->conn);
	ex->conn = NULL;
	srv_gate_leave(ex->http->gate, &ex->ticket);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct exchange *ex = *req_cls;
	const char *end = end_reason(toe);
	struct timespec t1;
	double ms;

	if (!ex)
		return;
	release_exchange(ex);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms =
	    (double)(t1.tv_sec - ex->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - ex->t0.tv_nsec) / 1e6;
	SD_INFO("request", "%s status=%d bytes=%llu ms=%.1f %s%s%s", ex->log_who, ex->status,
	        (unsigned long long)ex->bytes, ms, ex->log_what, end ? " end=" : "",
	        end ? end : "");
	free(ex->log_who);
	free(ex->log_what);
	free(ex);
	*req_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	for (char *p = msg; *p; p++)
		if (*p == '"' || (unsigned char)*p < 0x20)
			*p = '\'';
	SD_WARN("libmicrohttpd", "detail=\"%s\"", msg);
}

/* ---- start and stop ----------------------------------------------------- */

static void suspend_conn(void *cls)
{
	MHD_suspend_connection(cls);
}

static void resume_conn(void *cls)
{
	MHD_resume_connection(cls);
}

union sockaddr_any {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

static int listen_addr(union sockaddr_any *addr, unsigned *flags, const struct srv_config *cfg,
                       struct sd_err *err)
{
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, cfg->server_listen, &addr->in.sin_addr) == 1) {
		addr->in.sin_family = AF_INET;
		addr->in.sin_port = htons((uint16_t)cfg->server_port);
		return 0;
	}
	if (inet_pton(AF_INET6, cfg->server_listen, &addr->in6.sin6_addr) == 1) {
		addr->in6.sin6_family = AF_INET6;
		addr->in6.sin6_port = htons((uint16_t)cfg->server_port);
		/* "::" means every address, IPv4 ones included */
		*flags |= IN6_IS_ADDR_UNSPECIFIED(&addr->in6.sin6_addr) ? MHD_USE_DUAL_STACK
		                                                        : MHD_USE_IPv6;
		return 0;
	}
	return sd_err_set(err, SRV_HTTP_EINVALID, "server.listen: \"%s\" is not an IP address",
	                  cfg->server_listen);
}

static int read_file(char **out, const char *path, struct sd_err *err)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t n;
	int rc = SRV_HTTP_EINVALID;

	*out = NULL;
	if (!fp)
		return sd_err_set(err, rc, "%s: %s", path, strerror(errno));
	buf = sd_xmalloc(TLS_FILE_MAX + 1);
	n = fread(buf, 1, TLS_FILE_MAX + 1, fp);
	if (ferror(fp) || n == 0 || n > TLS_FILE_MAX) {
		sd_err_set(err, rc, "%s: %s", path,
		           ferror(fp) ? "read error"
		           : n        ? "larger than 1 MiB"
		                      : "empty");
		free(buf);
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	rc = 0;
out:
	fclose(fp);
	return rc;
}

static int tls_load(struct srv_http *h, unsigned *flags, struct sd_err *err)
{
	int rc;

	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		return sd_err_set(err, SRV_HTTP_EINVALID,
		                  "this libmicrohttpd has no TLS support; unset server.tls_cert "
		                  "and server.tls_key and use a reverse proxy");
	if ((rc = read_file(&h->tls_cert, h->cfg->server_tls_cert, err)) ||
	    (rc = read_file(&h->tls_key, h->cfg->server_tls_key, err)))
		return rc;
	h->tls = 1;
	*flags |= MHD_USE_TLS;
	return 0;
}

static void make_urls(struct srv_http *h)
{
	const char *scheme = h->tls ? "https" : "http";
	int v6 = strchr(h->cfg->server_listen, ':') != NULL;
	char buf[128];

	snprintf(buf, sizeof(buf), "%s://%s%s%s:%d", scheme, v6 ? "[" : "", h->cfg->server_listen,
	         v6 ? "]" : "", h->cfg->server_port);
	h->fallback_base = sd_xstrdup(buf);
	strncat(buf, "/", sizeof(buf) - strlen(buf) - 1);
	h->url = sd_xstrdup(buf);
}

const struct srv_links *srv_http_links(const struct srv_http *h)
{
	return h->links;
}

int srv_http_start(struct srv_http **out, const struct srv_config *cfg, struct store *st,
                   struct srv_auth *auth, struct sd_err *err)
{
	struct srv_http *h = sd_xcalloc(1, sizeof(*h));
	unsigned flags =
	    MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	struct MHD_OptionItem tls[3] = { { MHD_OPTION_END, 0, NULL } };
	union sockaddr_any addr;
	int rc;

	h->cfg = cfg;
	h->store = st;
	h->auth = auth;
	h->front = dav_handle;
	h->gate = srv_gate_new(cfg->storage_pool, suspend_conn, resume_conn);
	h->dav.prefix = SRV_DAV_PREFIX;
	h->dav.max_resource_size = cfg->caldav_max_resource_size;
	h->dav.hooks = &srv_dav_hooks;
	h->api.prefix = SRV_API_PREFIX;
	h->api.extcal_refresh = extcal_refresh_hook;
	h->api.extcal_cls = (void *)cfg;
	if ((rc = srv_links_open(&h->links, cfg, err)))
		goto out;
	h->web.prefix = WEB_PREFIX;
	h->web.secrets = srv_links_secrets(h->links);
	h->feed =
	    (struct feed_config){ SRV_FEED_PREFIX, feed_rate_new(), cfg->feeds_rate_per_minute,
		                  cfg->feeds_rate_per_minute_ip, cfg->feeds_max_age };
	if ((rc = listen_addr(&addr, &flags, cfg, err)))
		goto out;
	if (*cfg->server_tls_cert && (rc = tls_load(h, &flags, err)))
		goto out;
	if (h->tls) {
		tls[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, h->tls_key };
		tls[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, h->tls_cert };
		tls[2] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	}
	make_urls(h);
	h->daemon = MHD_start_daemon(
	    flags, (uint16_t)cfg->server_port, NULL, NULL, on_request, h,
	    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, /* first, to see every message */
	    MHD_OPTION_SOCK_ADDR, &addr.sa, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned int)cfg->server_threads, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)cfg->server_timeout, MHD_OPTION_URI_LOG_CALLBACK, on_uri, h,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_UNESCAPE_CALLBACK,
	    keep_escaped, NULL, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
	if (!h->daemon)
		rc = sd_err_set(err, SRV_HTTP_EIO,
		                "cannot serve on %s: see the libmicrohttpd message above", h->url);
out:
	if (rc) {
		srv_http_stop(h);
		h = NULL;
	}
	*out = h;
	return rc;
}

void srv_http_stop(struct srv_http *h)
{
	int left;

	if (!h)
		return;
	/* libmicrohttpd must not stop with suspended connections: wake them */
	if (h->gate && (left = srv_gate_close(h->gate, STOP_WAIT_MS)))
		SD_WARN("stopping with exchanges still being resumed", "left=%d", left);
	if (h->daemon)
		MHD_stop_daemon(h->daemon);
	srv_gate_free(h->gate);
	srv_links_free(h->links);
	feed_rate_free(h->feed.rate);
	if (h->tls_key)
		OPENSSL_cleanse(h->tls_key, strlen(h->tls_key));
	free(h->tls_key);
	free(h->tls_cert);
	free(h->url);
	free(h->fallback_base);
	free(h);
}

void srv_http_set_front(struct srv_http *h, srv_front_fn fn)
{
	h->front = fn;
}

const char *srv_http_url(const struct srv_http *h)
{
	return h->url;
}
