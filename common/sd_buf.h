/* sd_buf.h - growable byte buffer with an optional hard cap.
 *
 * The cap is what turns an oversized request body into a 413 instead of an
 * unbounded allocation: every append past it fails with SD_BUF_ETOOBIG and
 * leaves the buffer as it was. data is always NUL-terminated when len > 0 or
 * after sd_buf_cstr(), so text can be handed to C string APIs.
 */
#ifndef SD_BUF_H
#define SD_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define SD_BUF_ETOOBIG (-1)

struct sd_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* 0: no cap */
};

/* Empty buffer; max 0 means no cap. Caller releases with sd_buf_free(). */
void sd_buf_init(struct sd_buf *b, size_t max);
void sd_buf_free(struct sd_buf *b);
void sd_buf_reset(struct sd_buf *b);

/* Appends; 0 or SD_BUF_ETOOBIG (nothing appended). */
int sd_buf_add(struct sd_buf *b, const void *p, size_t n);
int sd_buf_adds(struct sd_buf *b, const char *s);
int sd_buf_addc(struct sd_buf *b, char c);
int sd_buf_printf(struct sd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends the decimal digits of v. */
int sd_buf_add_uint(struct sd_buf *b, unsigned long long v);

/* Appends s with the five XML special characters escaped. Also used for HTML
 * text and attribute values. Control characters that XML 1.0 cannot carry
 * are dropped. */
int sd_buf_add_xml(struct sd_buf *b, const char *s);
int sd_buf_add_xmln(struct sd_buf *b, const char *s, size_t n);

/* The contents as a NUL-terminated string, borrowed from b ("" when empty). */
const char *sd_buf_cstr(struct sd_buf *b);

/* Removes the first n bytes. */
void sd_buf_consume(struct sd_buf *b, size_t n);

#endif
