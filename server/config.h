/* config.h - slotdav's configuration: one INI file plus command-line overrides.
 *
 * Every key is described once, in SRV_CONFIG_KEYS below; that table generates
 * the fields of struct srv_config, the defaults, the parser of the INI file
 * and of the command line, and the `slotdav serve --help` listing. Adding a
 * key is adding a row.
 *
 * Precedence, lowest first: the defaults in the table, the file named by
 * --config, then the --section.key options in the order given. A value is
 * checked when it is set (type and range), and the whole configuration once
 * more at the end (keys that only make sense together).
 */
#ifndef SRV_CONFIG_H
#define SRV_CONFIG_H

#include <stdio.h>
#include <stddef.h>

#include "sd_err.h"

/* X(section, key, type, default, min, max, help)
 *
 * Types (the C type of the field in parentheses):
 *   INT    (int)     decimal integer in [min, max]
 *   BYTES  (size_t)  integer with an optional K, M or G suffix (powers of
 *                    1024, "KiB" etc. also accepted) in [min, max]
 *   ADDR   (char *)  IPv4 or IPv6 literal address
 *   URL    (char *)  "" or http(s)://host[:port], no path; a trailing '/'
 *                    is dropped
 *   PATH   (char *)  file name; at least min bytes long ("" = unset if 0)
 *   TEXT   (char *)  printable text without quotes or backslashes (it goes
 *                    into a quoted HTTP header parameter), min bytes or more
 *   LEVEL  (int)     log level: debug, info, warn, error (enum sd_log_level)
 */
#define SRV_MIB (1024LL * 1024)
#define SRV_CONFIG_KEYS(X)                                                                        \
	X(server, listen, ADDR, "127.0.0.1", 0, 0, "address to listen on (IPv4 or IPv6 literal)") \
	X(server, port, INT, "8008", 1, 65535, "TCP port to listen on")                           \
	X(server, threads, INT, "4", 1, 1024, "worker threads (libmicrohttpd thread pool size)")  \
	X(server, max_body, BYTES, "10M", 1024, 1024 * SRV_MIB,                                   \
	  "largest request body accepted; larger ones get 413")                                   \
	X(server, timeout, INT, "60", 1, 86400, "seconds before an idle connection is closed")    \
	X(server, base_url, URL, "", 0, 0,                                                        \
	  "public http(s)://host[:port] when behind a reverse proxy (default: from Host)")        \
	X(server, tls_cert, PATH, "", 0, 0, "PEM certificate chain; with tls_key: serve HTTPS")   \
	X(server, tls_key, PATH, "", 0, 0, "PEM private key for tls_cert")                        \
	X(storage, database, PATH, "var/slotdav.db", 1, 0, "SQLite database file")                \
	X(storage, pool, INT, "8", 1, 1024, "database connections in the pool")                   \
	X(caldav, max_resource_size, BYTES, "1M", 1024, 1024 * SRV_MIB,                           \
	  "largest calendar object resource accepted")                                            \
	X(auth, realm, TEXT, "slotdav", 1, 0, "HTTP Basic authentication realm")                  \
	X(auth, cache_seconds, INT, "60", 0, 86400,                                               \
	  "seconds verified credentials are cached (0: verify every request)")                    \
	X(feeds, rate_per_minute, INT, "60", 0, 1000000,                                          \
	  "requests a minute one iCalendar feed may serve (0: no limit)")                         \
	X(feeds, rate_per_minute_ip, INT, "120", 0, 1000000,                                      \
	  "feed requests a minute from one client address (0: no limit)")                         \
	X(feeds, max_age, INT, "300", 0, 86400,                                                   \
	  "seconds clients may reuse a feed without asking (Cache-Control max-age)")              \
	X(log, level, LEVEL, "info", 0, 0, "log level: debug, info, warn or error")               \
	X(links, secret, TEXT, "", 0, 0,                                                          \
	  "manage-link HMAC secret, 64+ hex digits (unset: made once, kept in "                   \
	  "DATABASE.link-secret)")                                                                \
	X(links, previous_secrets, TEXT, "", 0, 0,                                                \
	  "retired link secrets, comma-separated, accepted until links.previous_until")           \
	X(links, previous_until, TEXT, "", 0, 0,                                                  \
	  "YYYY-MM-DD (UTC, through that day) or Unix seconds; unset: previous never accepted")   \
	X(links, ttl_days, INT, "60", 1, 3650,                                                    \
	  "days a new manage link works (never past 7 days after its appointment)")               \
	X(smtp, url, TEXT, "", 0, 0,                                                              \
	  "relay, smtp://host:port or smtps://host:port (empty: email delivery off)")             \
	X(smtp, from, TEXT, "", 0, 0, "sender address of notifications (needed with smtp.url)")   \
	X(smtp, user, TEXT, "", 0, 0, "SMTP AUTH user name (empty: no AUTH)")                     \
	X(smtp, password, TEXT, "", 0, 0, "SMTP AUTH password")                                   \
	X(smtp, starttls, TEXT, "try", 0, 0, "STARTTLS on smtp://: off, try or required")         \
	X(notify, retry_max, INT, "8", 1, 100, "delivery attempts before a message fails")        \
	X(notify, backoff_seconds, INT, "60", 1, 86400,                                           \
	  "delay before the first retry; doubles per attempt, at most 6 hours")                   \
	X(notify, reminders, TEXT, "24", 0, 0,                                                    \
	  "reminders, hours before the start, e.g. \"24,2\" (empty: none)")                       \
	X(notify, templates, PATH, "", 0, 0,                                                      \
	  "directory of template overrides (docs/operations.md)")                                 \
	X(notify, poll_ms, INT, "5000", 10, 600000, "how often the queue is looked at (ms)")      \
	X(notify, settle_seconds, INT, "60", 0, 3600,                                             \
	  "seconds a change's message waits, so that changes undone at once fold")                \
	X(extcal, poll_seconds, INT, "900", 1, 604800,                                            \
	  "how often each external busy calendar is fetched (seconds)")                           \
	X(extcal, max_bytes, BYTES, "5M", 1024, 1024 * SRV_MIB,                                   \
	  "largest external calendar accepted (decoded); larger fetches fail")                    \
	X(extcal, timeout_seconds, INT, "20", 1, 600,                                             \
	  "seconds one fetch of an external calendar may take, connect to last byte")             \
	X(extcal, max_redirects, INT, "3", 0, 20,                                                 \
	  "redirects followed when fetching (http/https only)")

#define SRV_CFG_CTYPE_INT   int
#define SRV_CFG_CTYPE_BYTES size_t
#define SRV_CFG_CTYPE_ADDR  char *
#define SRV_CFG_CTYPE_URL   char *
#define SRV_CFG_CTYPE_PATH  char *
#define SRV_CFG_CTYPE_TEXT  char *
#define SRV_CFG_CTYPE_LEVEL int

/* Field names are section_key, e.g. cfg.server_port. Strings are owned by
 * the struct (never NULL; "" when unset) and freed by srv_config_free(). */
struct srv_config {
#define SRV_CONFIG_FIELD(sec, key, type, def, min, max, help) SRV_CFG_CTYPE_##type sec##_##key;
	SRV_CONFIG_KEYS(SRV_CONFIG_FIELD)
#undef SRV_CONFIG_FIELD
};

enum {
	SRV_CONFIG_OK = 0,
	SRV_CONFIG_EINVALID = -1, /* unknown key, bad value, syntax error */
	SRV_CONFIG_EIO = -2,      /* the file could not be read */
};

/* One --section.key=VALUE from the command line; strings borrowed from argv. */
struct srv_config_override {
	const char *option; /* as the user wrote it, for messages: "--port" */
	const char *key;    /* "section.key" */
	const char *value;
};

/* Where a configuration comes from: the file (--config) and the overrides.
 * Zero-initialise; release with srv_config_src_free(). */
struct srv_config_src {
	const char *file; /* borrowed from argv; NULL: none */
	struct srv_config_override *ov;
	int n, cap;
};

/* Sets every field to its default. Release with srv_config_free(). */
void srv_config_init(struct srv_config *cfg);
void srv_config_free(struct srv_config *cfg);

/* Sets one key ("section", "key") from its text form. SRV_CONFIG_EINVALID
 * with a message naming the key if the key is unknown or the value bad; the
 * field is unchanged then. */
int srv_config_set(struct srv_config *cfg, const char *section, const char *key, const char *value,
                   struct sd_err *err);

/* Reads an INI file into cfg. Errors name the file and line:
 * "slotdav.ini:12: server.port: ...". SRV_CONFIG_EIO, SRV_CONFIG_EINVALID.
 * cfg may be partly updated on error. */
int srv_config_load_file(struct srv_config *cfg, const char *path, struct sd_err *err);

/* Recognises a configuration option at argv[*i]: --config FILE,
 * --section.key[=VALUE] and the aliases --listen, --port, --database, each
 * as --opt=VALUE or --opt VALUE. Records it in src and advances *i past the
 * option (and its value). Returns 1 if it was one, 0 if argv[*i] is not a
 * configuration option (left for the caller), SRV_CONFIG_EINVALID for an
 * unknown --section.key or a missing value. */
int srv_config_arg(struct srv_config_src *src, int argc, char **argv, int *i, struct sd_err *err);
void srv_config_src_free(struct srv_config_src *src);

/* Builds the configuration: defaults, then src->file, then the overrides,
 * then the checks across keys. Errors as srv_config_load_file(); an
 * override's error names the option. On error cfg is still valid to free. */
int srv_config_load(struct srv_config *cfg, const struct srv_config_src *src, struct sd_err *err);

/* Checks that go across keys (tls_cert and tls_key together).
 * SRV_CONFIG_EINVALID. */
int srv_config_check(const struct srv_config *cfg, struct sd_err *err);

/* Writes the list of keys with their defaults and help to out. */
void srv_config_help(FILE *out);

#endif
