/* test_http.c - routing, request targets, and the libmicrohttpd glue on a real
 * loopback socket with a fake front in place of caldav (so what the glue
 * hands a front, and how it renders what a front returns, is checked alone).
 */
#define _GNU_SOURCE /* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "config.h"
#include "http.h"
#include "sd_arena.h"
#include "sd_req.h"
#include "store.h"
#include "test_server.h"

/* ---- pure functions ----------------------------------------------------- */

static void test_route(void **state)
{
	(void)state;
	assert_int_equal(srv_http_route("/.well-known/caldav"), SRV_ROUTE_WELL_KNOWN);
	assert_int_equal(srv_http_route("/.well-known/caldav/"), SRV_ROUTE_WELL_KNOWN);
	assert_int_equal(srv_http_route("/.well-known/caldavx"), SRV_ROUTE_NOT_FOUND);
	assert_int_equal(srv_http_route("/.well-known/carddav"), SRV_ROUTE_NOT_FOUND);
	assert_int_equal(srv_http_route("/manage"), SRV_ROUTE_WEB);
	assert_int_equal(srv_http_route("/manage/abc.def"), SRV_ROUTE_WEB);
	assert_int_equal(srv_http_route("/managex"), SRV_ROUTE_NOT_FOUND);
	assert_int_equal(srv_http_route("/health"), SRV_ROUTE_HEALTH);
	assert_int_equal(srv_http_route("/health/"), SRV_ROUTE_NOT_FOUND);
	assert_int_equal(srv_http_route("/"), SRV_ROUTE_DAV);
	assert_int_equal(srv_http_route("/dav"), SRV_ROUTE_DAV);
	assert_int_equal(srv_http_route("/dav/"), SRV_ROUTE_DAV);
	assert_int_equal(srv_http_route("/dav/calendars/alice/default/x.ics"), SRV_ROUTE_DAV);
	assert_int_equal(srv_http_route("/davx"), SRV_ROUTE_NOT_FOUND);
	assert_int_equal(srv_http_route("/DAV/"), SRV_ROUTE_NOT_FOUND);
	assert_int_equal(srv_http_route("/favicon.ico"), SRV_ROUTE_NOT_FOUND);
	assert_int_equal(srv_http_route(""), SRV_ROUTE_NOT_FOUND);
	assert_int_equal(srv_http_route("/api/v1"), SRV_ROUTE_API);
	assert_int_equal(srv_http_route("/api/v1/"), SRV_ROUTE_API);
	assert_int_equal(srv_http_route("/api/v1/bookings/12/cancel"), SRV_ROUTE_API);
	assert_int_equal(srv_http_route("/api/v1x"), SRV_ROUTE_NOT_FOUND);
	assert_int_equal(srv_http_route("/api"), SRV_ROUTE_NOT_FOUND);
	assert_int_equal(srv_http_route("/api/v2/bookings"), SRV_ROUTE_NOT_FOUND);
}

static void test_split_target(void **state)
{
	struct sd_arena *a = sd_arena_new();
	const char *path, *query;

	(void)state;
	srv_http_split_target(&path, &query, "/dav/a%20b/c%2Fd?x=1+2&y=%26", a);
	assert_string_equal(path, "/dav/a%20b/c%2Fd");
	assert_string_equal(query, "x=1+2&y=%26");
	srv_http_split_target(&path, &query, "/dav/", a);
	assert_string_equal(path, "/dav/");
	assert_null(query);
	srv_http_split_target(&path, &query, "/dav/?", a);
	assert_string_equal(query, "");
	srv_http_split_target(&path, &query, "http://example.com:8008/dav/x?y", a);
	assert_string_equal(path, "/dav/x");
	assert_string_equal(query, "y");
	srv_http_split_target(&path, &query, "HTTPS://example.com", a);
	assert_string_equal(path, "/");
	assert_null(query);
	srv_http_split_target(&path, &query, "http://example.com?q", a);
	assert_string_equal(path, "/");
	assert_string_equal(query, "q");
	srv_http_split_target(&path, &query, "*", a);
	assert_null(path);
	srv_http_split_target(&path, &query, "", a);
	assert_null(path);
	sd_arena_free(a);
}

/* ---- a fake front ------------------------------------------------------- */

static atomic_int front_calls, cleanups;

static void count_cleanup(void *p)
{
	(void)p;
	atomic_fetch_add(&cleanups, 1);
}

struct stream_state {
	int n, fail_at, parts;
	size_t size;
};

static int stream_next(void *cls, struct sd_buf *out)
{
	struct stream_state *s = cls;

	if (++s->n == s->fail_at)
		return -1;
	sd_buf_printf(out, "part %d\n", s->n);
	for (size_t i = 7; i < s->size; i++)
		sd_buf_addc(out, '.');
	return s->n < s->parts;
}

static int front_stream(struct sd_req *req, int fail_at, int parts, size_t size)
{
	struct stream_state *s = sd_arena_alloc(req->arena, sizeof(*s));

	s->fail_at = fail_at;
	s->parts = parts;
	s->size = size;
	req->resp_stream = stream_next;
	req->resp_stream_cls = s;
	req->resp_type = "text/plain";
	sd_buf_adds(&req->resp_body, "head\n");
	return req->status = 200;
}

static int front_echo(struct sd_req *req)
{
	const char *x = sd_req_header(req, "X-Test");

	req->resp_type = "text/plain";
	sd_req_set_header(req, "X-Echo", "yes");
	sd_buf_printf(&req->resp_body,
	              "method=%s\npath=%s\nquery=%s\nuser=%s\nx-test=%s\nbase=%s\nbody=",
	              req->method, req->path, req->query ? req->query : "(none)", req->user_name,
	              x ? x : "(none)", req->base_url);
	sd_buf_add(&req->resp_body, req->body, req->body_len);
	return req->status = 200;
}

static int fake_front(struct sd_req *req, struct store_conn *conn, const struct dav_config *cfg)
{
	(void)conn;
	(void)cfg;
	atomic_fetch_add(&front_calls, 1);
	sd_arena_defer(req->arena, count_cleanup, NULL);
	if (!strcmp(req->method, "FOOBAR"))
		return req->status = 501;
	if (!strcmp(req->path, "/dav/stream"))
		return front_stream(req, 0, 3, 0);
	if (!strcmp(req->path, "/dav/stream-fails"))
		return front_stream(req, 2, 3, 0);
	if (!strcmp(req->path, "/dav/bigstream")) /* 8 MiB: more than socket buffers */
		return front_stream(req, 0, 128, 64 * 1024);
	if (!strcmp(req->path, "/dav/badstatus"))
		return 0;
	if (!strcmp(req->path, "/dav/headlen")) {
		req->resp_no_body = 1;
		req->resp_type = "text/calendar";
		sd_req_set_header(req, "Content-Length", "1234");
		return req->status = 200;
	}
	if (!strcmp(req->path, "/dav/big")) {
		static char block[64 * 1024];

		memset(block, 'b', sizeof(block));
		for (int i = 0; i < 128; i++) /* 8 MiB: more than the socket buffers */
			sd_buf_add(&req->resp_body, block, sizeof(block));
		return req->status = 200;
	}
	if (!strcmp(req->path, "/dav/fixed")) {
		req->resp_type = "text/plain";
		sd_buf_adds(&req->resp_body, "0123456789");
		return req->status = 200;
	}
	if (!strcmp(req->path, "/dav/nocontent")) {
		sd_buf_adds(&req->resp_body, "ignored");
		return req->status = 204;
	}
	return front_echo(req);
}

/* ---- the server under test ---------------------------------------------- */

struct fixture {
	char *dir;
	struct srv_config cfg;
	struct store *st;
	struct srv_auth *auth;
	struct srv_http *http;
	int port;
};

static int free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static int setup_with(void **state, int pool, int threads)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct srv_auth_opts ao = { .realm = "slotdav", .cache_seconds = 60 };
	struct store_conn *c;
	char path[4200], port[16], hash[SRV_PWHASH_MAX], num[16];
	struct sd_err err;

	f->dir = test_tmpdir();
	f->port = free_port();
	snprintf(path, sizeof(path), "%s/http.db", f->dir);
	snprintf(port, sizeof(port), "%d", f->port);
	srv_config_init(&f->cfg);
	assert_int_equal(srv_config_set(&f->cfg, "server", "port", port, &err), 0);
	assert_int_equal(srv_config_set(&f->cfg, "server", "max_body", "1024", &err), 0);
	snprintf(num, sizeof(num), "%d", threads);
	assert_int_equal(srv_config_set(&f->cfg, "server", "threads", num, &err), 0);
	snprintf(num, sizeof(num), "%d", pool);
	assert_int_equal(srv_config_set(&f->cfg, "storage", "pool", num, &err), 0);
	/* the manage-link secret file goes next to the database */
	assert_int_equal(srv_config_set(&f->cfg, "storage", "database", path, &err), 0);
	assert_int_equal(store_open(&f->st, path, pool, &err), 0);
	assert_int_equal(store_conn_acquire(f->st, &c, &err), 0);
	assert_int_equal(srv_password_hash(hash, "alice-pw", &err), 0);
	assert_int_equal(store_user_create(c, "alice", "", "", hash, NULL, &err), 0);
	store_conn_release(c);
	assert_int_equal(srv_auth_new(&f->auth, &ao, &err), 0);
	assert_int_equal(srv_http_start(&f->http, &f->cfg, f->st, f->auth, &err), 0);
	srv_http_set_front(f->http, fake_front);
	atomic_store(&front_calls, 0);
	atomic_store(&cleanups, 0);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, 4, 2);
}

/* One worker thread, one storage connection: what makes blocking deadly. */
static int setup_narrow(void **state)
{
	return setup_with(state, 1, 1);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	srv_http_stop(f->http);
	srv_auth_free(f->auth);
	store_close(f->st);
	srv_config_free(&f->cfg);
	test_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Sends raw bytes, reads until the server closes; the response is
 * malloc'd. */
static char *exchange(struct fixture *f, const char *raw, size_t rawlen)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)f->port) };
	struct timeval tv = { .tv_sec = 10 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(send(fd, raw, rawlen, MSG_NOSIGNAL), (ssize_t)rawlen);
	while ((n = recv(fd, buf + len, cap - len - 1, 0)) > 0) {
		len += (size_t)n;
		if (cap - len < 1024)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	close(fd);
	return buf;
}

static char *request(struct fixture *f, const char *method, const char *target,
                     const char *extra_headers, const char *body)
{
	char raw[8192];
	int n = snprintf(raw, sizeof(raw),
	                 "%s %s HTTP/1.1\r\nHost: cal.example:%d\r\nConnection: close\r\n%s",
	                 method, target, f->port, extra_headers ? extra_headers : "");

	if (body)
		n += snprintf(raw + n, sizeof(raw) - (size_t)n, "Content-Length: %zu\r\n\r\n%s",
		              strlen(body), body);
	else
		n += snprintf(raw + n, sizeof(raw) - (size_t)n, "\r\n");
	return exchange(f, raw, (size_t)n);
}

#define ALICE "Authorization: Basic YWxpY2U6YWxpY2UtcHc=\r\n" /* alice:alice-pw */

static int status_of(const char *resp)
{
	int status = 0;

	sscanf(resp, "HTTP/1.1 %d", &status);
	return status;
}

static const char *body_of(const char *resp)
{
	const char *p = strstr(resp, "\r\n\r\n");

	return p ? p + 4 : "";
}

static void assert_has(const char *hay, const char *needle)
{
	if (!strcasestr(hay, needle))
		fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

/* The completion callback runs after the response is out; wait for it. */
static void wait_cleanups(int n)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < 300 && atomic_load(&cleanups) < n; i++)
		nanosleep(&ts, NULL);
	assert_int_equal(atomic_load(&cleanups), n);
}

/* ---- exchanges ---------------------------------------------------------- */

static void test_well_known(void **state)
{
	struct fixture *f = *state;
	char *r = request(f, "GET", "/.well-known/caldav", NULL, NULL);
	char want[128];

	assert_int_equal(status_of(r), 301);
	snprintf(want, sizeof(want), "Location: http://cal.example:%d/dav/\r\n", f->port);
	assert_has(r, want);
	free(r);
	r = request(f, "PROPFIND", "/.well-known/caldav/", NULL, "<x/>");
	assert_int_equal(status_of(r), 301);
	free(r);
	assert_int_equal(atomic_load(&front_calls), 0);
}

static void test_health_and_404(void **state)
{
	struct fixture *f = *state;
	char *r = request(f, "GET", "/health", NULL, NULL);

	assert_int_equal(status_of(r), 200);
	assert_string_equal(body_of(r), "{\"status\":\"ok\"}\n");
	assert_has(r, "Content-Type: application/json");
	free(r);
	r = request(f, "DELETE", "/health", NULL, NULL);
	assert_int_equal(status_of(r), 405);
	assert_has(r, "Allow: GET, HEAD");
	free(r);
	r = request(f, "GET", "/davx", NULL, NULL);
	assert_int_equal(status_of(r), 404);
	free(r);
	r = request(f, "OPTIONS", "*", NULL, NULL);
	assert_int_equal(status_of(r), 400);
	free(r);
	assert_int_equal(atomic_load(&front_calls), 0);
}

static void test_auth_required(void **state)
{
	struct fixture *f = *state;
	char *r = request(f, "PROPFIND", "/dav/", NULL, NULL);

	assert_int_equal(status_of(r), 401);
	assert_has(r, "WWW-Authenticate: Basic realm=\"slotdav\", charset=\"UTF-8\"\r\n");
	free(r);
	r = request(f, "GET", "/", "Authorization: Basic YWxpY2U6d3Jvbmc=\r\n", NULL);
	assert_int_equal(status_of(r), 401);
	free(r);
	assert_int_equal(atomic_load(&front_calls), 0);
}

static void test_raw_request_reaches_front(void **state)
{
	struct fixture *f = *state;
	char *r = request(f, "PROPFIND", "/dav/a%20b/c%2Fd%25?x=1+2&y=%26&z",
	                  ALICE "X-Test: hello\r\n", "<propfind/>");
	char want[128];

	assert_int_equal(status_of(r), 200);
	assert_has(r, "X-Echo: yes");
	assert_has(body_of(r), "method=PROPFIND\n");
	assert_has(body_of(r), "path=/dav/a%20b/c%2Fd%25\n");
	assert_has(body_of(r), "query=x=1+2&y=%26&z\n");
	assert_has(body_of(r), "user=alice\n");
	assert_has(body_of(r), "x-test=hello\n");
	snprintf(want, sizeof(want), "base=http://cal.example:%d\n", f->port);
	assert_has(body_of(r), want);
	assert_has(body_of(r), "body=<propfind/>");
	free(r);
	r = request(f, "GET", "/", ALICE, NULL);
	assert_has(body_of(r), "path=/\nquery=(none)\n");
	free(r);
	r = request(f, "GET", "http://elsewhere/dav/abs?q=1", ALICE, NULL);
	assert_has(body_of(r), "path=/dav/abs\nquery=q=1\n");
	free(r);
	wait_cleanups(3);
}

static void test_bad_host_not_reflected(void **state)
{
	struct fixture *f = *state;
	char raw[512], want[128];
	int n = snprintf(raw, sizeof(raw),
	                 "GET /.well-known/caldav HTTP/1.1\r\nHost: evil.example/x\"y\r\n"
	                 "Connection: close\r\n\r\n");
	char *r = exchange(f, raw, (size_t)n);

	assert_int_equal(status_of(r), 301);
	snprintf(want, sizeof(want), "Location: http://127.0.0.1:%d/dav/\r\n", f->port);
	assert_has(r, want);
	free(r);
}

static void test_body_too_large(void **state)
{
	struct fixture *f = *state;
	char body[2048], raw[4096];
	char *r;
	int n;

	/* announced: refused before the upload */
	r = request(f, "PUT", "/dav/x", ALICE "Content-Length: 5000\r\n", NULL);
	assert_int_equal(status_of(r), 413);
	free(r);
	/* chunked: discovered while reading, refused at the end */
	memset(body, 'x', sizeof(body));
	n = snprintf(
	    raw, sizeof(raw),
	    "PUT /dav/x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n" ALICE
	    "Transfer-Encoding: chunked\r\n\r\n400\r\n%.1024s\r\n400\r\n%.1024s\r\n0\r\n\r\n",
	    body, body);
	r = exchange(f, raw, (size_t)n);
	assert_int_equal(status_of(r), 413);
	free(r);
	/* exactly the cap is fine */
	body[1024] = '\0';
	r = request(f, "PUT", "/dav/x", ALICE, body);
	assert_int_equal(status_of(r), 200);
	free(r);
	assert_int_equal(atomic_load(&front_calls), 1);
}

static void test_stream(void **state)
{
	struct fixture *f = *state;
	char *r = request(f, "REPORT", "/dav/stream", ALICE, NULL);

	assert_int_equal(status_of(r), 200);
	assert_has(r, "Transfer-Encoding: chunked");
	/* chunk framing aside, the parts arrive in order after the head */
	assert_non_null(strstr(body_of(r), "head\n"));
	assert_true(strstr(body_of(r), "part 1\n") < strstr(body_of(r), "part 3\n"));
	assert_non_null(strstr(body_of(r), "\r\n0\r\n\r\n")); /* proper end */
	free(r);
	r = request(f, "REPORT", "/dav/stream-fails", ALICE, NULL);
	assert_non_null(strstr(body_of(r), "part 1\n"));
	assert_null(strstr(body_of(r), "\r\n0\r\n\r\n")); /* aborted, no end chunk */
	free(r);
	wait_cleanups(2);
}

static void test_head_and_no_content(void **state)
{
	struct fixture *f = *state;
	char *get = request(f, "GET", "/dav/fixed", ALICE, NULL);
	char *head = request(f, "HEAD", "/dav/fixed", ALICE, NULL);

	assert_string_equal(body_of(get), "0123456789");
	assert_has(get, "Content-Length: 10\r\n");
	assert_has(head, "Content-Length: 10\r\n");
	assert_string_equal(body_of(head), "");
	free(get);
	free(head);
	head = request(f, "HEAD", "/dav/headlen", ALICE, NULL);
	assert_int_equal(status_of(head), 200);
	assert_has(head, "Content-Length: 1234\r\n");
	assert_has(head, "Content-Type: text/calendar\r\n");
	assert_string_equal(body_of(head), "");
	free(head);
	get = request(f, "DELETE", "/dav/nocontent", ALICE, NULL);
	assert_int_equal(status_of(get), 204);
	assert_string_equal(body_of(get), "");
	free(get);
}

static void test_unknown_method_and_bad_status(void **state)
{
	struct fixture *f = *state;
	char *r = request(f, "FOOBAR", "/dav/", ALICE, NULL);

	assert_int_equal(status_of(r), 501);
	free(r);
	r = request(f, "FOOBAR", "/dav/", NULL, NULL);
	assert_int_equal(status_of(r), 401);
	free(r);
	r = request(f, "GET", "/dav/badstatus", ALICE, NULL);
	assert_int_equal(status_of(r), 500);
	free(r);
}

/* A client that does not read a large buffered response must not keep the
 * (only) storage connection: the exchange is released once queued. */
static void test_slow_client_does_not_pin_connection(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)f->port) };
	const char *raw = "GET /dav/big HTTP/1.1\r\nHost: h\r\n" ALICE "\r\n";
	int slow = socket(AF_INET, SOCK_STREAM, 0);
	char *r;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(slow, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(send(slow, raw, strlen(raw), MSG_NOSIGNAL), (ssize_t)strlen(raw));
	wait_cleanups(1); /* the front's arena is gone while the response is pending */
	for (int i = 0; i < 4; i++) {
		r = request(f, "GET", "/dav/fixed", ALICE, NULL);
		assert_int_equal(status_of(r), 200);
		free(r);
	}
	close(slow);
}

static int open_and_send(struct fixture *f, const char *raw)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)f->port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(send(fd, raw, strlen(raw), MSG_NOSIGNAL), (ssize_t)strlen(raw));
	return fd;
}

static int readable_within(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

/* Reads until EOF; returns the byte count, the first bytes in head. */
static size_t drain(int fd, char *head, size_t headsize)
{
	char buf[65536];
	size_t total = 0;
	ssize_t n;

	head[0] = '\0';
	while (readable_within(fd, 10000) && (n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		if (total < headsize - 1) {
			size_t k =
			    (size_t)n < headsize - 1 - total ? (size_t)n : headsize - 1 - total;

			memcpy(head + total, buf, k);
			head[total + k] = '\0';
		}
		total += (size_t)n;
	}
	return total;
}

static void wait_front_calls(int n)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < 300 && atomic_load(&front_calls) < n; i++)
		nanosleep(&ts, NULL);
	assert_int_equal(atomic_load(&front_calls), n);
}

#define GET(path) "GET " path " HTTP/1.1\r\nHost: h\r\n" ALICE "Connection: close\r\n\r\n"

/* One thread, one storage connection, and a streamed response that holds
 * it for as long as its client does not read: a second request must be
 * parked, not block the thread that would finish the stream. */
static void test_parked_while_stream_holds_connection(void **state)
{
	struct fixture *f = *state;
	char head[256];
	int a = open_and_send(f, GET("/dav/bigstream")), b;

	wait_front_calls(1);
	b = open_and_send(f, GET("/dav/fixed"));
	assert_false(readable_within(b, 300)); /* parked: no answer yet */
	assert_true(drain(a, head, sizeof(head)) > 8 * 1024 * 1024);
	assert_int_equal(status_of(head), 200);
	drain(b, head, sizeof(head));
	assert_int_equal(status_of(head), 200);
	assert_string_equal(body_of(head), "0123456789");
	close(a);
	close(b);
	wait_cleanups(2);
}

/* Stopping with a parked request neither hangs nor leaks: it is woken and
 * answered 503 (or closed by the shutdown). */
static void test_stop_with_parked_request(void **state)
{
	struct fixture *f = *state;
	char head[256];
	int a = open_and_send(f, GET("/dav/bigstream")), b;

	wait_front_calls(1);
	b = open_and_send(f, GET("/dav/fixed"));
	assert_false(readable_within(b, 200));
	srv_http_stop(f->http);
	f->http = NULL;
	drain(b, head, sizeof(head));
	assert_true(head[0] == '\0' || status_of(head) == 503);
	assert_int_equal(atomic_load(&front_calls), 1);
	close(a);
	close(b);
}

/* A NUL byte cannot cut a request target short. */
static void test_nul_bytes_refused(void **state)
{
	struct fixture *f = *state;
	static const char target[] =
	    "GET /dav/a/\0/../b HTTP/1.1\r\nHost: h\r\n" ALICE "Connection: close\r\n\r\n";
	static const char at_end[] =
	    "GET /dav/fixed\0 HTTP/1.1\r\nHost: h\r\n" ALICE "Connection: close\r\n\r\n";
	static const char query[] =
	    "GET /dav/fixed?a\0b HTTP/1.1\r\nHost: h\r\n" ALICE "Connection: close\r\n\r\n";
	static const char body[] = "PUT /dav/fixed HTTP/1.1\r\nHost: h\r\n" ALICE
	                           "Content-Length: 3\r\nConnection: close\r\n\r\na\0b";
	char *r;

	r = exchange(f, target, sizeof(target) - 1);
	assert_int_equal(status_of(r), 400);
	free(r);
	r = exchange(f, at_end, sizeof(at_end) - 1);
	assert_int_equal(status_of(r), 400);
	free(r);
	r = exchange(f, query, sizeof(query) - 1);
	assert_int_equal(status_of(r), 400);
	free(r);
	assert_int_equal(atomic_load(&front_calls), 0);
	r = exchange(f, body, sizeof(body) - 1); /* bodies are bytes: fine */
	assert_int_equal(status_of(r), 200);
	free(r);
}

int test_http_run(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route),
		cmocka_unit_test(test_split_target),
		cmocka_unit_test_setup_teardown(test_well_known, setup, teardown),
		cmocka_unit_test_setup_teardown(test_health_and_404, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_required, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw_request_reaches_front, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_host_not_reflected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_body_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head_and_no_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_method_and_bad_status, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_slow_client_does_not_pin_connection,
		                                setup_narrow, teardown),
		cmocka_unit_test_setup_teardown(test_nul_bytes_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parked_while_stream_holds_connection,
		                                setup_narrow, teardown),
		cmocka_unit_test_setup_teardown(test_stop_with_parked_request, setup_narrow,
		                                teardown),
	};

	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
