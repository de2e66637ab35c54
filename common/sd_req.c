/* sd_req.c - helpers for struct sd_req. */
#include "sd_req.h"

#include <string.h>

#include "sd_util.h"

static void buf_release(void *p)
{
	sd_buf_free(p);
}

void sd_req_init(struct sd_req *r, struct sd_arena *a)
{
	memset(r, 0, sizeof(*r));
	r->arena = a;
	sd_buf_init(&r->resp_body, 0);
	sd_arena_defer(a, buf_release, &r->resp_body);
}

static struct sd_header *header_new(struct sd_arena *a, const char *name, const char *value)
{
	struct sd_header *h = sd_arena_alloc(a, sizeof(*h));
	h->name = sd_arena_strdup(a, name);
	h->value = sd_arena_strdup(a, value);
	return h;
}

void sd_req_add_header(struct sd_req *r, const char *name, const char *value)
{
	struct sd_header *h = header_new(r->arena, name, value);
	h->next = r->headers;
	r->headers = h;
}

static const char *find(const struct sd_header *h, const char *name)
{
	for (; h; h = h->next)
		if (sd_strcaseeq(h->name, name))
			return h->value;
	return NULL;
}

const char *sd_req_header(const struct sd_req *r, const char *name)
{
	return find(r->headers, name);
}

int sd_req_set_header(struct sd_req *r, const char *name, const char *value)
{
	struct sd_header *h, **tail;

	if (strpbrk(value, "\r\n") || strpbrk(name, "\r\n: "))
		return -1;
	h = header_new(r->arena, name, value);
	for (tail = &r->resp_headers; *tail; tail = &(*tail)->next)
		;
	*tail = h;
	return 0;
}

const char *sd_req_resp_header(const struct sd_req *r, const char *name)
{
	return find(r->resp_headers, name);
}
