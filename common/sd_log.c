/* sd_log.c - structured log lines on stderr.
 *
 * Each line is written with a single fputs on a locked stream, so lines from
 * concurrent request threads never interleave.
 */
#include "sd_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sd_arena.h"
#include "sd_buf.h"

static enum sd_log_level threshold = SD_LOG_INFO;
static const char *const names[] = { "debug", "info", "warn", "error" };

void sd_log_set_level(enum sd_log_level lvl)
{
	threshold = lvl;
}

int sd_log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

void sd_log(enum sd_log_level lvl, const char *msg, const char *fmt, ...)
{
	char line[2048], ts[32];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	int n;

	if (lvl < threshold)
		return;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "ts=%s level=%s msg=\"%s\"", ts, names[lvl], msg);
	if (fmt && *fmt && n > 0 && (size_t)n < sizeof(line) - 2) {
		line[n++] = ' ';
		va_start(ap, fmt);
		vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
		va_end(ap);
	}
	line[sizeof(line) - 2] = '\0';
	n = (int)strlen(line);
	line[n] = '\n';
	line[n + 1] = '\0';
	flockfile(stderr);
	fputs(line, stderr);
	funlockfile(stderr);
}

const char *sd_log_quote(struct sd_arena *a, const char *s)
{
	struct sd_buf b;
	const char *out;
	size_t n = strlen(s);

	if (*s && n <= SD_LOG_VALUE_MAX && !s[strcspn(s, " \"\\=")]) {
		for (const unsigned char *p = (const unsigned char *)s; *p; p++)
			if (*p < 0x21 || *p == 0x7f)
				goto quote;
		return s;
	}
quote:
	sd_buf_init(&b, 0);
	sd_buf_addc(&b, '"');
	for (size_t i = 0; i < n && i < SD_LOG_VALUE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			sd_buf_printf(&b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			sd_buf_printf(&b, "\\x%02x", c);
		else
			sd_buf_addc(&b, (char)c);
	}
	sd_buf_adds(&b, n > SD_LOG_VALUE_MAX ? "...\"" : "\"");
	out = sd_arena_strdup(a, sd_buf_cstr(&b));
	sd_buf_free(&b);
	return out;
}
