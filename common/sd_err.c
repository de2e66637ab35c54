/* sd_err.c - error struct helpers. */
#include "sd_err.h"

#include <stdarg.h>
#include <stdio.h>

int sd_err_set(struct sd_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

void sd_err_clear(struct sd_err *e)
{
	if (!e)
		return;
	e->code = 0;
	e->msg[0] = '\0';
}
