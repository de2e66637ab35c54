/* dav_error.c - HTTP status lines and the DAV:error body.
 *
 * The one place a failed precondition becomes XML (RFC 4918 16): the
 * condition element, for no-uid-conflict the href of the resource already
 * holding the UID (RFC 4791 5.3.2.1), and a human-readable message in
 * slotdav's namespace, which clients ignore and people read.
 */
#include <stdio.h>
#include <string.h>

#include "dav_int.h"
#include "sd_util.h"

static const struct {
	const char *ns, *name;
} conditions[] = {
#define X(id, ns, name) { ns, name },
	DAV_CONDITIONS(X)
#undef X
};

const char *dav_cond_ns(enum dav_cond c)
{
	return conditions[c].ns;
}

const char *dav_cond_name(enum dav_cond c)
{
	return conditions[c].name;
}

#define DAV_STATUSES(X)                  \
	X(200, "OK")                     \
	X(201, "Created")                \
	X(204, "No Content")             \
	X(207, "Multi-Status")           \
	X(301, "Moved Permanently")      \
	X(304, "Not Modified")           \
	X(400, "Bad Request")            \
	X(401, "Unauthorized")           \
	X(403, "Forbidden")              \
	X(404, "Not Found")              \
	X(405, "Method Not Allowed")     \
	X(409, "Conflict")               \
	X(412, "Precondition Failed")    \
	X(413, "Payload Too Large")      \
	X(415, "Unsupported Media Type") \
	X(424, "Failed Dependency")      \
	X(500, "Internal Server Error")  \
	X(501, "Not Implemented")        \
	X(502, "Bad Gateway")            \
	X(503, "Service Unavailable")    \
	X(507, "Insufficient Storage")

const char *dav_status_line(int status)
{
	switch (status) {
#define X(code, text) \
	case code:    \
		return "HTTP/1.1 " #code " " text;
		DAV_STATUSES(X)
#undef X
	}
	return "HTTP/1.1 500 Internal Server Error";
}

void dav_error_render(struct dav_ctx *x)
{
	struct sd_buf *b = &x->req->resp_body;

	if (x->req->resp_stream)
		return;
	sd_buf_reset(b);
	x->req->resp_type = "application/xml; charset=utf-8";
	sd_buf_adds(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:error" DAV_XMLNS_DECL ">");
	if (x->cond != DAV_COND_NONE) {
		const char *name = x->cond_name ? x->cond_name : dav_cond_name(x->cond);

		if (x->cond_href) {
			dav_out_open(b, dav_cond_ns(x->cond), name);
			dav_out_href(b, x->cond_href);
			dav_out_close(b, dav_cond_ns(x->cond), name);
		} else {
			dav_out_empty(b, dav_cond_ns(x->cond), name);
		}
	}
	sd_buf_adds(b, "<s:message>");
	sd_buf_add_xml(b, x->message ? x->message : dav_status_line(x->req->status) + 9);
	sd_buf_adds(b, "</s:message></d:error>\n");
}
