/* links.c - the manage-link secrets (links.h).
 *
 * A secret is text of at least 64 hex digits (32 bytes of entropy); it is
 * used as the HMAC key as written. When links.secret is unset the secret
 * lives in DATABASE.link-secret: the first process to need it writes a new
 * one into a temporary file and link()s it into place, which fails if
 * another process got there first, so two processes starting together
 * still end up with one secret, and no reader ever sees a half-written
 * file. The file is never rewritten; rotating means moving its content to
 * links.previous_secrets and setting links.secret (or deleting the file).
 */
#include "links.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "sd_util.h"
#include "web.h"

#define SECRET_HEX_MIN 64
#define SECRET_MAX     1024
#define DAY            86400

struct srv_links {
	struct booking_secrets s;
	char *current;
	char **previous;
	size_t nprevious;
	int ttl_days;
};

static int hex_secret(const char *s, size_t n)
{
	if (n < SECRET_HEX_MIN || n > SECRET_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return 0;
	return 1;
}

int64_t srv_links_until(const char *s)
{
	int y, m, d, k = 0;

	if (!*s)
		return 0;
	if (strspn(s, "0123456789") == strlen(s)) {
		if (strlen(s) > 12)
			return -1;
		return strtoll(s, NULL, 10);
	}
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &k) != 3 || k != 10 ||
	    m < 1 || m > 12 || d < 1 || d > 31 || y < 1970)
		return -1;
	/* days_from_civil (Howard Hinnant), then the end of that day */
	{
		int64_t yy = y - (m <= 2), era = yy / 400, yoe = yy - era * 400;
		int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		return (era * 146097 + doe - 719468 + 1) * DAY;
	}
}

/* Calls fn for each comma-separated item of list (spaces around trimmed). */
static int each_item(const char *list, int (*fn)(void *cls, const char *s, size_t n), void *cls)
{
	const char *p = list;
	int rc;

	while (*p) {
		size_t n = strcspn(p, ",");
		const char *s = p, *e = p + n;

		while (s < e && *s == ' ')
			s++;
		while (e > s && e[-1] == ' ')
			e--;
		if ((rc = fn(cls, s, (size_t)(e - s))))
			return rc;
		p += n + (p[n] == ',');
	}
	return 0;
}

static int item_check(void *cls, const char *s, size_t n)
{
	return hex_secret(s, n) ? 0 : -1;
}

int srv_links_check(const struct srv_config *cfg, struct sd_err *err)
{
	if (*cfg->links_secret && !hex_secret(cfg->links_secret, strlen(cfg->links_secret)))
		return sd_err_set(
		    err, SRV_CONFIG_EINVALID,
		    "links.secret: must be at least %d hex digits (e.g. `openssl rand "
		    "-hex 32`)",
		    SECRET_HEX_MIN);
	if (each_item(cfg->links_previous_secrets, item_check, NULL))
		return sd_err_set(err, SRV_CONFIG_EINVALID,
		                  "links.previous_secrets: each must be at least %d hex digits",
		                  SECRET_HEX_MIN);
	if (srv_links_until(cfg->links_previous_until) < 0)
		return sd_err_set(err, SRV_CONFIG_EINVALID,
		                  "links.previous_until: \"%s\" is not YYYY-MM-DD or Unix seconds",
		                  cfg->links_previous_until);
	return 0;
}

static int item_add(void *cls, const char *s, size_t n)
{
	struct srv_links *l = cls;
	char *v = sd_xmalloc(n + 1);

	memcpy(v, s, n);
	v[n] = '\0';
	l->previous = sd_xrealloc(l->previous, (l->nprevious + 1) * sizeof(*l->previous));
	l->previous[l->nprevious++] = v;
	return 0;
}

/* Reads the secret file: SRV_CONFIG_EIO (errno ENOENT kept) or EINVALID. */
static int file_read(char **out, const char *path, struct sd_err *err)
{
	char buf[SECRET_MAX + 2];
	FILE *fp = fopen(path, "re");
	size_t n;

	*out = NULL;
	if (!fp)
		return sd_err_set(err, SRV_CONFIG_EIO, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	if (!hex_secret(buf, n)) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return sd_err_set(
		    err, SRV_CONFIG_EINVALID,
		    "%s: not a link secret (%d or more hex digits); restore it from a "
		    "backup, or delete it to make a new one (old links then stop working)",
		    path, SECRET_HEX_MIN);
	}
	*out = sd_xstrdup(buf);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

/* Writes a new secret into path unless it exists (then leaves it). */
static int file_make(const char *path, struct sd_err *err)
{
	unsigned char raw[32];
	char hex[sizeof(raw) * 2 + 2], *tmp = NULL;
	int fd = -1, rc = SRV_CONFIG_EIO;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return sd_err_set(err, rc, "no random bytes for a link secret");
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	hex[sizeof(raw) * 2] = '\n';
	hex[sizeof(raw) * 2 + 1] = '\0';
	tmp = sd_xmalloc(strlen(path) + 32);
	sprintf(tmp, "%s.tmp%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
	    write(fd, hex, strlen(hex)) != (ssize_t)strlen(hex) || fsync(fd)) {
		sd_err_set(err, rc, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (link(tmp, path) && errno != EEXIST) {
		sd_err_set(err, rc, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	OPENSSL_cleanse(hex, sizeof(hex));
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}

static int load_current(struct srv_links *l, const struct srv_config *cfg, struct sd_err *err)
{
	char *path;
	int rc;

	if (*cfg->links_secret) {
		l->current = sd_xstrdup(cfg->links_secret);
		return 0;
	}
	path = sd_xmalloc(strlen(cfg->storage_database) + sizeof(SRV_LINKS_FILE_SUFFIX));
	sprintf(path, "%s%s", cfg->storage_database, SRV_LINKS_FILE_SUFFIX);
	rc = file_read(&l->current, path, err);
	if (rc == SRV_CONFIG_EIO && errno == ENOENT) {
		if (!(rc = file_make(path, err)))
			rc = file_read(&l->current, path, err);
	}
	free(path);
	return rc;
}

int srv_links_open(struct srv_links **out, const struct srv_config *cfg, struct sd_err *err)
{
	struct srv_links *l = sd_xcalloc(1, sizeof(*l));
	int rc;

	*out = NULL;
	if ((rc = srv_links_check(cfg, err)) || (rc = load_current(l, cfg, err))) {
		srv_links_free(l);
		return rc;
	}
	each_item(cfg->links_previous_secrets, item_add, l);
	l->ttl_days = cfg->links_ttl_days;
	l->s.current = l->current;
	l->s.previous = (const char *const *)l->previous;
	l->s.nprevious = l->nprevious;
	l->s.old_until = srv_links_until(cfg->links_previous_until);
	*out = l;
	return 0;
}

void srv_links_free(struct srv_links *l)
{
	if (!l)
		return;
	if (l->current)
		OPENSSL_cleanse(l->current, strlen(l->current));
	free(l->current);
	for (size_t i = 0; i < l->nprevious; i++) {
		OPENSSL_cleanse(l->previous[i], strlen(l->previous[i]));
		free(l->previous[i]);
	}
	free(l->previous);
	free(l);
}

const struct booking_secrets *srv_links_secrets(const struct srv_links *l)
{
	return &l->s;
}

char *srv_links_url(const struct srv_links *l, struct sd_arena *a, const char *base_url,
                    int64_t booking_id, int64_t now, int64_t expires)
{
	char *tok;

	if (!expires)
		expires = now + (int64_t)l->ttl_days * DAY;
	tok = booking_link_make(a, &l->s, booking_id, BOOKING_LINK_MANAGE, expires);
	return tok ? sd_arena_printf(a, "%s%s/%s", base_url, WEB_PREFIX, tok) : NULL;
}
