/* test_api.c - the unit tests of api/ in one cmocka binary: time formats,
 * codecs and the router, run in-process against the fake booking engine
 * (fake_booking.c), with no socket and no database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "sd_arena.h"
#include "test_api.h"

static const char *const names[] = {NULL, "admin", "bob", "carol", "nobody"};

static void add_headers(struct sd_req *req, const char *headers)
{
	char line[512];

	while (headers && *headers) {
		size_t n = strcspn(headers, "\n");
		char *colon;

		assert_true(n < sizeof(line));
		memcpy(line, headers, n);
		line[n] = '\0';
		headers += n + (headers[n] == '\n');
		if (!(colon = strchr(line, ':')))
			continue;
		*colon = '\0';
		sd_req_add_header(req, line, colon + 1 + strspn(colon + 1, " "));
	}
}

void run(struct reply *r, int64_t user_id, const char *method, const char *target, const char *body,
	 const char *headers)
{
	static const struct api_config cfg = {"/api/v1"};
	const char *q = strchr(target, '?');

	memset(r, 0, sizeof(*r));
	r->a = sd_arena_new();
	sd_req_init(&r->req, r->a);
	r->req.method = method;
	r->req.path = q ? sd_arena_strndup(r->a, target, (size_t)(q - target)) : target;
	r->req.query = q ? q + 1 : NULL;
	r->req.base_url = "http://127.0.0.1:8008";
	r->req.user_id = user_id;
	r->req.user_name = user_id >= 1 && user_id <= 4 ? names[user_id] : "ghost";
	add_headers(&r->req, headers);
	if (body) {
		r->req.body = body;
		r->req.body_len = strlen(body);
		if (!sd_req_header(&r->req, "Content-Type"))
			sd_req_add_header(&r->req, "Content-Type", "application/json");
	} else {
		r->req.body = "";
	}
	fake.txn_open = fake.txn_errors = 0;
	r->status = api_handle(&r->req, NULL, &cfg);
	assert_int_equal(r->req.status, r->status);
	assert_int_equal(fake.txn_open, 0);   /* no read transaction left open */
	assert_int_equal(fake.txn_errors, 0); /* none nested, none around a booking call */
	if (r->req.resp_type && !strncmp(r->req.resp_type, "application/json", 16))
		r->json = json_loadb(r->req.resp_body.data, r->req.resp_body.len, 0, NULL);
}

void reply_free(struct reply *r)
{
	json_decref(r->json);
	sd_arena_free(r->a);
	memset(r, 0, sizeof(*r));
}

const char *reply_code(const struct reply *r)
{
	const char *s =
		json_string_value(json_object_get(json_object_get(r->json, "error"), "code"));

	return s ? s : "";
}

const char *reply_field(const struct reply *r)
{
	const char *s =
		json_string_value(json_object_get(json_object_get(r->json, "error"), "field"));

	return s ? s : "";
}

int main(void)
{
	int failed = 0;

	failed += test_api_time();
	failed += test_api_codec();
	failed += test_api_route();
	return failed ? 1 : 0;
}
