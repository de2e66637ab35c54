/* config.c - the configuration table, its parsers and the INI and argv readers.
 *
 * SRV_CONFIG_KEYS is expanded once here into `keys[]`, a descriptor per key
 * (names, type, range, the field's offset in struct srv_config). Everything
 * else is generic over that table: cfg_set() parses a value according to the
 * key's type and stores it at the offset, srv_config_init() feeds it the
 * defaults (so a bad default fails loudly in every test), the INI handler and
 * the option reader only look keys up, and srv_config_help() prints it.
 *
 * Line numbers: the libinih shipped by Debian calls its handler without the
 * line number, so the file is fed through ini_parse_stream() with a reader
 * that counts lines itself. The reader also refuses lines longer than inih's
 * buffer, which inih would otherwise split into two "lines" silently.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "links.h"
#include "notify.h"
#include "sd_log.h"
#include "sd_util.h"

enum cfg_type { T_INT, T_BYTES, T_ADDR, T_URL, T_PATH, T_TEXT, T_LEVEL };

struct cfg_key {
	const char *section, *key, *def, *help;
	enum cfg_type type;
	long long min, max;
	size_t offset;
};

static const struct cfg_key keys[] = {
#define SRV_CONFIG_ROW(sec, key, type, def, min, max, help) \
	{ #sec, #key, def, help, T_##type, min, max, offsetof(struct srv_config, sec##_##key) },
	SRV_CONFIG_KEYS(SRV_CONFIG_ROW)
#undef SRV_CONFIG_ROW
};

static int is_string_type(enum cfg_type t)
{
	return t == T_ADDR || t == T_URL || t == T_PATH || t == T_TEXT;
}

static const struct cfg_key *key_find(const char *section, const char *key)
{
	for (size_t i = 0; i < SD_ARRAY_LEN(keys); i++)
		if (!strcmp(keys[i].section, section) && !strcmp(keys[i].key, key))
			return &keys[i];
	return NULL;
}

/* "section.key" form; NULL if there is no such key. */
static const struct cfg_key *key_find_dotted(const char *dotted, size_t len)
{
	const char *dot = memchr(dotted, '.', len);
	char sec[64];
	size_t seclen;

	if (!dot || (seclen = (size_t)(dot - dotted)) >= sizeof(sec))
		return NULL;
	memcpy(sec, dotted, seclen);
	sec[seclen] = '\0';
	for (size_t i = 0; i < SD_ARRAY_LEN(keys); i++)
		if (!strcmp(keys[i].section, sec) && strlen(keys[i].key) == len - seclen - 1 &&
		    !memcmp(keys[i].key, dot + 1, len - seclen - 1))
			return &keys[i];
	return NULL;
}

/* ---- value parsers and checks ------------------------------------------- */

static int parse_integer(const char *v, long long *out, const char **end)
{
	char *e;

	if (!*v || !(*v >= '0' && *v <= '9'))
		return -1;
	errno = 0;
	*out = strtoll(v, &e, 10);
	if (errno)
		return -1;
	*end = e;
	return 0;
}

static int parse_bytes(const char *v, long long *out)
{
	const char *e;
	long long n, mul = 1;

	if (parse_integer(v, &n, &e))
		return -1;
	switch (*e) {
	case 'k':
	case 'K':
		mul = 1024;
		e++;
		break;
	case 'm':
	case 'M':
		mul = 1024 * 1024;
		e++;
		break;
	case 'g':
	case 'G':
		mul = 1024 * 1024 * 1024;
		e++;
		break;
	default:
		break;
	}
	if (mul > 1 && (!strcmp(e, "iB") || !strcmp(e, "B")))
		e += strlen(e);
	if (*e || n > LLONG_MAX / mul)
		return -1;
	*out = n * mul;
	return 0;
}

static int check_range(const struct cfg_key *k, long long n, const char *v, struct sd_err *err)
{
	if (n < k->min || n > k->max)
		return sd_err_set(err, SRV_CONFIG_EINVALID,
		                  "%s.%s: \"%s\" is out of range %lld..%lld", k->section, k->key, v,
		                  k->min, k->max);
	return 0;
}

static int check_addr(const char *v)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, v, buf) == 1 || inet_pton(AF_INET6, v, buf) == 1 ? 0 : -1;
}

/* http(s)://host[:port]; host a name, an IPv4 address or [IPv6]. */
static int check_url(const char *v)
{
	const char *p;
	size_t n;

	if (!*v)
		return 0;
	if (!strncmp(v, "http://", 7))
		p = v + 7;
	else if (!strncmp(v, "https://", 8))
		p = v + 8;
	else
		return -1;
	n = strlen(p);
	if (n && p[n - 1] == '/')
		n--;
	if (!n || *p == ':' || strcspn(p, "/?#@ \t\"\\") < n)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return -1;
	return 0;
}

static int check_text(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
			return -1;
	return 0;
}

static int parse_string(const struct cfg_key *k, const char *v, char **out, struct sd_err *err)
{
	const char *why = NULL;
	size_t n = strlen(v);

	if (n < (size_t)k->min)
		why = n ? "is too short" : "must not be empty";
	else if (k->type == T_ADDR && check_addr(v))
		why = "is not an IPv4 or IPv6 address";
	else if (k->type == T_URL && check_url(v))
		why = "is not http(s)://host[:port]";
	else if (k->type == T_TEXT && check_text(v))
		why = "must not contain control characters, quotes or backslashes";
	if (why)
		return sd_err_set(err, SRV_CONFIG_EINVALID, "%s.%s: \"%s\" %s", k->section, k->key,
		                  v, why);
	*out = sd_xstrdup(v);
	if (k->type == T_URL && n && (*out)[n - 1] == '/')
		(*out)[n - 1] = '\0';
	return 0;
}

static int parse_number(const struct cfg_key *k, const char *v, long long *out, struct sd_err *err)
{
	const char *e;
	int rc;

	if (k->type == T_BYTES)
		rc = parse_bytes(v, out);
	else
		rc = parse_integer(v, out, &e) || *e ? -1 : 0;
	if (rc)
		return sd_err_set(
		    err, SRV_CONFIG_EINVALID, "%s.%s: \"%s\" is not %s", k->section, k->key, v,
		    k->type == T_BYTES ? "a size (e.g. 65536, 512K, 10M)" : "an integer");
	return check_range(k, *out, v, err);
}

/* Parses v for key k and stores it in cfg; cfg is untouched on error. */
static int cfg_set(struct srv_config *cfg, const struct cfg_key *k, const char *v,
                   struct sd_err *err)
{
	char *field = (char *)cfg + k->offset;
	long long n = 0;
	char *s = NULL;
	int lvl;

	if (is_string_type(k->type)) {
		if (parse_string(k, v, &s, err))
			return SRV_CONFIG_EINVALID;
		free(*(char **)field);
		*(char **)field = s;
		return 0;
	}
	if (k->type == T_LEVEL) {
		if ((lvl = sd_log_level_parse(v)) < 0)
			return sd_err_set(err, SRV_CONFIG_EINVALID,
			                  "%s.%s: \"%s\" is not debug, info, warn or error",
			                  k->section, k->key, v);
		*(int *)field = lvl;
		return 0;
	}
	if (parse_number(k, v, &n, err))
		return SRV_CONFIG_EINVALID;
	if (k->type == T_BYTES)
		*(size_t *)field = (size_t)n;
	else
		*(int *)field = (int)n;
	return 0;
}

/* ---- defaults and setters ----------------------------------------------- */

void srv_config_init(struct srv_config *cfg)
{
	struct sd_err err;

	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < SD_ARRAY_LEN(keys); i++) {
		if (cfg_set(cfg, &keys[i], keys[i].def, &err)) {
			fprintf(stderr, "slotdav: bad default: %s\n", err.msg);
			abort();
		}
	}
}

void srv_config_free(struct srv_config *cfg)
{
	for (size_t i = 0; i < SD_ARRAY_LEN(keys); i++) {
		if (is_string_type(keys[i].type)) {
			char **field = (char **)((char *)cfg + keys[i].offset);
			free(*field);
			*field = NULL;
		}
	}
}

int srv_config_set(struct srv_config *cfg, const char *section, const char *key, const char *value,
                   struct sd_err *err)
{
	const struct cfg_key *k = key_find(section, key);

	if (!k)
		return sd_err_set(err, SRV_CONFIG_EINVALID, "unknown key \"%s.%s\"", section, key);
	return cfg_set(cfg, k, value, err);
}

int srv_config_check(const struct srv_config *cfg, struct sd_err *err)
{
	int hours[NOTIFY_MAX_REMINDERS], nh;
	struct sd_err e = { 0 };

	if (notify_tls_parse(cfg->smtp_starttls) < 0)
		return sd_err_set(err, SRV_CONFIG_EINVALID,
		                  "smtp.starttls: \"%s\" is not off, try or required",
		                  cfg->smtp_starttls);
	if (notify_reminders_parse(cfg->notify_reminders, hours, &nh, &e))
		return sd_err_set(err, SRV_CONFIG_EINVALID, "notify.reminders: %s", e.msg);
	if (*cfg->smtp_url && strncmp(cfg->smtp_url, "smtp://", 7) &&
	    strncmp(cfg->smtp_url, "smtps://", 8))
		return sd_err_set(
		    err, SRV_CONFIG_EINVALID,
		    "smtp.url: \"%s\" is not smtp://host[:port] or smtps://host[:port]",
		    cfg->smtp_url);
	if (*cfg->smtp_url && !notify_addr_valid(cfg->smtp_from))
		return sd_err_set(
		    err, SRV_CONFIG_EINVALID,
		    "smtp.from: a plain address (user@example.org) is needed with smtp.url");
	if (!*cfg->server_tls_cert != !*cfg->server_tls_key)
		return sd_err_set(err, SRV_CONFIG_EINVALID,
		                  "server.tls_cert and server.tls_key must be set together");
	return srv_links_check(cfg, err);
}

/* ---- the INI file ------------------------------------------------------- */

struct ini_state {
	struct srv_config *cfg;
	FILE *fp;
	char *line; /* getline buffer */
	size_t linecap;
	int lineno;   /* of the line last handed to inih */
	int err_line; /* first error, 0: none */
	struct sd_err err;
};

static char *read_ini_line(char *str, int num, void *stream)
{
	struct ini_state *st = stream;
	ssize_t n = getline(&st->line, &st->linecap, st->fp);

	if (n < 0)
		return NULL;
	st->lineno++;
	if ((size_t)n > (size_t)num - 1) {
		if (!st->err_line) {
			st->err_line = st->lineno;
			sd_err_set(&st->err, SRV_CONFIG_EINVALID, "line longer than %d bytes",
			           num - 2);
		}
		return NULL;
	}
	memcpy(str, st->line, (size_t)n + 1);
	return str;
}

static int on_ini_pair(void *user, const char *section, const char *name, const char *value)
{
	struct ini_state *st = user;
	const struct cfg_key *k;

	if (st->err_line)
		return 1; /* keep only the first error */
	if (!(k = key_find(section, name)))
		sd_err_set(&st->err, SRV_CONFIG_EINVALID, "unknown key \"%s\" in section [%s]",
		           name, section);
	else if (!cfg_set(st->cfg, k, value, &st->err))
		return 1;
	st->err_line = st->lineno;
	return 0;
}

int srv_config_load_file(struct srv_config *cfg, const char *path, struct sd_err *err)
{
	struct ini_state st = { .cfg = cfg };
	int rc = SRV_CONFIG_OK, line;

	if (!(st.fp = fopen(path, "r")))
		return sd_err_set(err, SRV_CONFIG_EIO, "%s: %s", path, strerror(errno));
	line = ini_parse_stream(read_ini_line, &st, on_ini_pair, &st);
	if (ferror(st.fp)) {
		rc = sd_err_set(err, SRV_CONFIG_EIO, "%s: read error", path);
		goto out;
	}
	/* inih reports its own (syntax) errors by line, ours are in st. */
	if (line > 0 && (!st.err_line || line < st.err_line))
		rc = sd_err_set(err, SRV_CONFIG_EINVALID, "%s:%d: syntax error", path, line);
	else if (st.err_line)
		rc = sd_err_set(err, SRV_CONFIG_EINVALID, "%s:%d: %s", path, st.err_line,
		                st.err.msg);
	else if (line < 0)
		rc = sd_err_set(err, SRV_CONFIG_EIO, "%s: cannot parse", path);
out:
	free(st.line);
	fclose(st.fp);
	return rc;
}

/* ---- the command line --------------------------------------------------- */

static const struct {
	const char *option, *key;
} aliases[] = {
	{ "listen", "server.listen" },
	{ "port", "server.port" },
	{ "database", "storage.database" },
	{ "config", NULL }, /* the file itself */
};

static void src_add(struct srv_config_src *src, const char *option, const char *key,
                    const char *value)
{
	if (src->n == src->cap) {
		src->cap = src->cap ? 2 * src->cap : 8;
		src->ov = sd_xrealloc(src->ov, (size_t)src->cap * sizeof(*src->ov));
	}
	src->ov[src->n++] = (struct srv_config_override){ option, key, value };
}

/* The key an option name (without "--" and "=VALUE") stands for: 1 and *key
 * (NULL for --config), 0 if it is not a configuration option, -1 if it looks
 * like one (has a dot) but names no key. */
static int option_key(const char *name, size_t len, const char **key)
{
	const struct cfg_key *k;

	for (size_t i = 0; i < SD_ARRAY_LEN(aliases); i++) {
		if (strlen(aliases[i].option) == len && !memcmp(aliases[i].option, name, len)) {
			*key = aliases[i].key;
			return 1;
		}
	}
	if (!memchr(name, '.', len))
		return 0;
	if (!(k = key_find_dotted(name, len)))
		return -1;
	*key = name; /* "section.key", up to len */
	return 1;
}

int srv_config_arg(struct srv_config_src *src, int argc, char **argv, int *i, struct sd_err *err)
{
	const char *arg = argv[*i], *name, *eq, *key = NULL, *value;
	size_t len;
	int rc;

	if (strncmp(arg, "--", 2) || !arg[2])
		return 0;
	name = arg + 2;
	eq = strchr(name, '=');
	len = eq ? (size_t)(eq - name) : strlen(name);
	if ((rc = option_key(name, len, &key)) <= 0)
		return rc ? sd_err_set(err, SRV_CONFIG_EINVALID, "unknown option --%.*s", (int)len,
		                       name)
		          : 0;
	if (eq)
		value = eq + 1;
	else if (*i + 1 < argc)
		value = argv[++*i];
	else
		return sd_err_set(err, SRV_CONFIG_EINVALID, "option --%s needs a value", name);
	if (!key && !*value)
		return sd_err_set(err, SRV_CONFIG_EINVALID, "option --config needs a file name");
	(*i)++;
	if (!key)
		src->file = value;
	else
		src_add(src, arg, key, value);
	return 1;
}

void srv_config_src_free(struct srv_config_src *src)
{
	free(src->ov);
	src->ov = NULL;
	src->n = src->cap = 0;
}

static int apply_override(struct srv_config *cfg, const struct srv_config_override *ov,
                          struct sd_err *err)
{
	const char *eq = strchr(ov->option, '=');
	size_t optlen = eq ? (size_t)(eq - ov->option) : strlen(ov->option);
	const struct cfg_key *k = key_find_dotted(ov->key, strcspn(ov->key, "="));
	struct sd_err e;

	if (!k)
		return sd_err_set(err, SRV_CONFIG_EINVALID, "unknown option %.*s", (int)optlen,
		                  ov->option);
	if (cfg_set(cfg, k, ov->value, &e))
		return sd_err_set(err, SRV_CONFIG_EINVALID, "option %.*s: %s", (int)optlen,
		                  ov->option, e.msg);
	return 0;
}

int srv_config_load(struct srv_config *cfg, const struct srv_config_src *src, struct sd_err *err)
{
	int rc;

	if (src->file && (rc = srv_config_load_file(cfg, src->file, err)))
		return rc;
	for (int i = 0; i < src->n; i++)
		if ((rc = apply_override(cfg, &src->ov[i], err)))
			return rc;
	return srv_config_check(cfg, err);
}

/* ---- help --------------------------------------------------------------- */

void srv_config_help(FILE *out)
{
	char name[64];

	fputs("Configuration keys (INI file: [section] key = value; command line:\n"
	      "--section.key=VALUE; aliases --listen, --port, --database):\n",
	      out);
	for (size_t i = 0; i < SD_ARRAY_LEN(keys); i++) {
		snprintf(name, sizeof(name), "%s.%s", keys[i].section, keys[i].key);
		fprintf(out, "  %-26s %-16s %s\n", name, *keys[i].def ? keys[i].def : "(unset)",
		        keys[i].help);
	}
}
