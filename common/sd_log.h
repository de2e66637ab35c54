/* sd_log.h - structured logs: one line per event, key=value pairs.
 *
 * Lines go to stderr (journald captures them under systemd) as
 *   ts=2026-11-22T10:00:00Z level=info msg="request" method=PUT status=201 ...
 * Callers format the key=value tail themselves; values with spaces or quotes
 * are quoted with sd_log_quote().
 */
#ifndef SD_LOG_H
#define SD_LOG_H

#include "sd_arena.h"

enum sd_log_level { SD_LOG_DEBUG, SD_LOG_INFO, SD_LOG_WARN, SD_LOG_ERROR };

/* Values longer than this are cut and end in "...". */
#define SD_LOG_VALUE_MAX 400

/* s as a log value: as it is when it has no space, quote, backslash, '='
 * or control character; otherwise double-quoted with '"' and '\\' escaped
 * and control characters as \xNN, so one request can never forge a log
 * line. Borrowed s or an arena copy. */
const char *sd_log_quote(struct sd_arena *a, const char *s);

void sd_log_set_level(enum sd_log_level lvl);
/* Parses "debug", "info", "warn", "error"; -1 if unknown. */
int sd_log_level_parse(const char *s);

void sd_log(enum sd_log_level lvl, const char *msg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define SD_DEBUG(msg, ...) sd_log(SD_LOG_DEBUG, msg, __VA_ARGS__)
#define SD_INFO(msg, ...)  sd_log(SD_LOG_INFO, msg, __VA_ARGS__)
#define SD_WARN(msg, ...)  sd_log(SD_LOG_WARN, msg, __VA_ARGS__)
#define SD_ERROR(msg, ...) sd_log(SD_LOG_ERROR, msg, __VA_ARGS__)

#endif
