/* sd_err.h - an error code with a human-readable message.
 *
 * Lower layers return 0 or a negative code of their own module and, when the
 * caller passed a struct sd_err, say what went wrong at the point of failure.
 * Fronts (caldav/, api/, web/) turn codes into HTTP status and show msg.
 */
#ifndef SD_ERR_H
#define SD_ERR_H

struct sd_err {
	int code;
	char msg[512];
};

/* Records code and the formatted message in e (e may be NULL); returns code,
 * so a failure point reads `return sd_err_set(err, STORE_ENOTFOUND, "...")`. */
int sd_err_set(struct sd_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clears e (e may be NULL). */
void sd_err_clear(struct sd_err *e);

#endif
