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

#include "sd_buf.h"

static enum sd_log_level threshold = SD_LOG_INFO;
static const char *const names[] = {"debug", "info", "warn", "error"};

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
