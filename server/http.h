/* http.h - the HTTP server: libmicrohttpd glue, routing, rendering, access log.
 *
 * One struct srv_http is one running libmicrohttpd daemon with its worker
 * threads. Each exchange gets an arena and a struct sd_req (common/sd_req.h);
 * the request half is filled from libmicrohttpd exactly as sent (the path and
 * query stay percent-encoded), routed, handled by a front, and the response
 * half is rendered back. See http.c for the step-by-step flow.
 *
 * URL space:
 *   /.well-known/caldav[/]  301 to /dav/ (RFC 6764), any method, no auth
 *   /health                 200 {"status":"ok"}, no auth
 *   / , /dav , /dav/...     authenticated, then caldav's dav_handle()
 *   /api/v1 , /api/v1/...   authenticated, then api's api_handle() (JSON)
 *   /manage/...             no HTTP auth (the signed link is the credential),
 *                           then web's web_handle() (the customer manage page)
 *   anything else           404
 */
#ifndef SRV_HTTP_H
#define SRV_HTTP_H

#include "auth.h"
#include "config.h"
#include "sd_err.h"
#include "store.h"

#define SRV_DAV_PREFIX  "/dav"
#define SRV_API_PREFIX  "/api/v1"
#define SRV_FEED_PREFIX "/feeds"

enum {
	SRV_HTTP_OK = 0,
	SRV_HTTP_EINVALID = -1, /* configuration cannot be served (TLS unsupported, bad files) */
	SRV_HTTP_EIO = -2,      /* could not listen (address in use, permission) */
};

struct srv_http;

/* Starts listening on cfg's server.listen:server.port and serving with the
 * given store and authenticator, which are borrowed and must outlive the
 * server. cfg is borrowed too. With server.tls_cert and server.tls_key, serves
 * HTTPS. Returns once the socket is bound and threads run. SRV_HTTP_EINVALID,
 * SRV_HTTP_EIO. Caller stops and frees with srv_http_stop().
 *
 * st must have been opened with a pool of cfg's storage.pool connections and
 * be used by nothing else meanwhile: the server holds at most that many at
 * once and parks further requests (gate.h) rather than letting a worker
 * thread block in store_conn_acquire(). */
struct extcal_opts;
/* The fetch options of external calendars (extcal.h) from cfg. */
void srv_extcal_opts(const struct srv_config *cfg, struct extcal_opts *out);

int srv_http_start(struct srv_http **out, const struct srv_config *cfg, struct store *st,
                   struct srv_auth *auth, struct sd_err *err);

/* Stops accepting, lets running handlers finish, joins the threads and frees
 * h. Every exchange's completion (log, arena, storage connection) has run
 * when it returns. NULL is accepted. */
void srv_http_stop(struct srv_http *h);

/* The URL the server answers on, e.g. "http://127.0.0.1:8008/" or
 * "https://[::1]:8443/". Borrowed from h. */
const char *srv_http_url(const struct srv_http *h);

/* The function that serves the DAV routes, dav_handle() by default. Tests
 * install a fake front to check the glue alone; call before any request
 * arrives. */
struct dav_config;
struct srv_links;

/* The manage-link secrets the server signs and checks links with;
 * borrowed from h until srv_http_stop(). */
const struct srv_links *srv_http_links(const struct srv_http *h);
typedef int (*srv_front_fn)(struct sd_req *req, struct store_conn *conn,
                            const struct dav_config *cfg);
void srv_http_set_front(struct srv_http *h, srv_front_fn fn);

/* Routing, exposed for tests. */
enum srv_route {
	SRV_ROUTE_NOT_FOUND = 0,
	SRV_ROUTE_WELL_KNOWN,
	SRV_ROUTE_HEALTH,
	SRV_ROUTE_DAV,
	SRV_ROUTE_API,
	SRV_ROUTE_WEB,
	SRV_ROUTE_FEED, /* iCalendar feeds: no login, the token is the right */
};

/* The route of a raw path (percent-encoded, no query). */
enum srv_route srv_http_route(const char *path);

/* Splits a raw request target into its path and query (arena strings; query
 * NULL when there is no '?'). Absolute-form targets ("http://host/p?q",
 * RFC 9112 3.2.2) are reduced to their path. A target that yields no path
 * starting with '/' (e.g. "*") gives *path = NULL. */
void srv_http_split_target(const char **path, const char **query, const char *target,
                           struct sd_arena *a);

#endif
