/* sd_util.h - allocation that aborts on out-of-memory, and small string helpers.
 *
 * Out of memory is not an error slotdav recovers from: every allocation goes
 * through these wrappers, so error paths elsewhere only deal with real errors.
 */
#ifndef SD_UTIL_H
#define SD_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define SD_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Like malloc/calloc/realloc/strdup, but abort() instead of returning NULL.
 * Caller frees with free(). */
void *sd_xmalloc(size_t n);
void *sd_xcalloc(size_t nmemb, size_t size);
void *sd_xrealloc(void *p, size_t n);
char *sd_xstrdup(const char *s);

/* Non-zero when s[0..len) is well-formed UTF-8 with no NUL and no C0 control
 * characters other than TAB, CR and LF. */
int sd_utf8_valid(const char *s, size_t len);

/* ASCII case-insensitive equality of two NUL-terminated strings. */
int sd_strcaseeq(const char *a, const char *b);

/* Current time in Unix seconds (UTC). */
int64_t sd_now(void);

#endif
