/* sd_url.h - percent-encoding of URL paths and splitting them into segments.
 *
 * Paths arrive percent-encoded; storage keeps decoded UTF-8 names. Decoding
 * refuses anything that could let a path mean something other than what it
 * looks like: an encoded '/' or NUL, "." and ".." segments (encoded or
 * not), empty segments, control characters and invalid UTF-8. Encoding is
 * canonical (RFC 3986 unreserved characters plus a few sub-delims and '@'
 * stay as they are), so an href the server emits always reads back as the
 * same name.
 */
#ifndef SD_URL_H
#define SD_URL_H

#include <stddef.h>

#include "sd_arena.h"

#define SD_URL_MAX_SEGMENTS 32

struct sd_path {
	const char *seg[SD_URL_MAX_SEGMENTS]; /* decoded, arena */
	int n;
	int trailing_slash;
};

enum {
	SD_URL_OK = 0,
	SD_URL_EINVALID = -1,   /* malformed escape, invalid UTF-8, control char */
	SD_URL_EFORBIDDEN = -2, /* ".", "..", encoded '/', empty segment */
	SD_URL_ETOODEEP = -3,
};

/* Splits the raw absolute path (starting with '/', no query) into decoded
 * segments. "/" gives n = 0. */
int sd_path_parse(struct sd_path *out, const char *raw, struct sd_arena *a);

/* Decodes one %XX-encoded string (no '/' handling). NULL if malformed. */
char *sd_url_decode(struct sd_arena *a, const char *s, size_t len);

/* Percent-encodes one path segment (so '/' becomes %2F). */
char *sd_url_encode_segment(struct sd_arena *a, const char *seg);

/* Appends the encoded segment to an arena string: returns "<base><enc>". */
char *sd_url_join(struct sd_arena *a, const char *base, const char *seg, int trailing_slash);

#endif
