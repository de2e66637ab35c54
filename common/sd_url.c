/* sd_url.c - path decoding and canonical encoding; see sd_url.h. */
#include "sd_url.h"

#include <string.h>

#include "sd_buf.h"
#include "sd_util.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..len); *n_out receives the decoded length, which is shorter
 * than strlen() of the result when the input encodes a NUL. */
static char *decode(struct sd_arena *a, const char *s, size_t len, size_t *n_out)
{
	char *out = sd_arena_alloc(a, len + 1), *o = out;

	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		if (len - i < 3)
			return NULL;
		int hi = hexval((unsigned char)s[i + 1]), lo = hexval((unsigned char)s[i + 2]);
		if (hi < 0 || lo < 0)
			return NULL;
		*o++ = (char)(hi * 16 + lo);
		i += 2;
	}
	*o = '\0';
	*n_out = (size_t)(o - out);
	return out;
}

char *sd_url_decode(struct sd_arena *a, const char *s, size_t len)
{
	size_t n;
	char *out = decode(a, s, len, &n);

	return out && strlen(out) == n ? out : NULL;
}

/* One segment: decoded, then refused if it could change the path's shape. */
static int segment(struct sd_arena *a, const char *p, size_t len, char **out)
{
	size_t n;
	char *seg;

	if (len == 0)
		return SD_URL_EFORBIDDEN;
	seg = decode(a, p, len, &n);
	if (!seg || strlen(seg) != n || n == 0)
		return SD_URL_EINVALID;
	if (memchr(seg, '/', n) || !strcmp(seg, ".") || !strcmp(seg, ".."))
		return SD_URL_EFORBIDDEN;
	if (!sd_utf8_valid(seg, n) || strpbrk(seg, "\t\r\n"))
		return SD_URL_EINVALID;
	*out = seg;
	return SD_URL_OK;
}

int sd_path_parse(struct sd_path *out, const char *raw, struct sd_arena *a)
{
	const char *p = raw;

	memset(out, 0, sizeof(*out));
	if (*p != '/')
		return SD_URL_EINVALID;
	p++;
	if (*p == '\0') {
		out->trailing_slash = 1;
		return SD_URL_OK;
	}
	for (;;) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *seg;
		int rc;

		if (out->n == SD_URL_MAX_SEGMENTS)
			return SD_URL_ETOODEEP;
		rc = segment(a, p, len, &seg);
		if (rc)
			return rc;
		out->seg[out->n++] = seg;
		if (!end)
			return SD_URL_OK;
		p = end + 1;
		if (*p == '\0') {
			out->trailing_slash = 1;
			return SD_URL_OK;
		}
	}
}

static int keep(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("-._~!$&'()*+,;=:@", c) != NULL;
}

char *sd_url_encode_segment(struct sd_arena *a, const char *seg)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(seg), plain = 0;
	char *out, *o;

	while (plain < n && keep((unsigned char)seg[plain]))
		plain++;
	if (plain == n)
		return sd_arena_strndup(a, seg, n);
	out = sd_arena_alloc(a, 3 * n + 1);
	o = out;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)seg[i];
		if (c && keep(c)) {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

char *sd_url_join(struct sd_arena *a, const char *base, const char *seg, int trailing_slash)
{
	const char *enc = sd_url_encode_segment(a, seg);
	size_t lb = strlen(base), le = strlen(enc);
	char *out = sd_arena_alloc(a, lb + le + 2);

	memcpy(out, base, lb);
	memcpy(out + lb, enc, le);
	if (trailing_slash)
		out[lb + le++] = '/';
	out[lb + le] = '\0';
	return out;
}
