/* cli_io.c - `slotdav import` and `slotdav export`: a user's calendars to
 * and from one iCalendar file.
 *
 * import FILE.ics --user U --calendar C [--replace]
 *   ics_split cuts the file into calendar object resources, one per UID
 *   (a recurring master with its overrides together), each with the
 *   VTIMEZONEs it uses; each is checked with ics_object_check against the
 *   calendar's component set and stored with store_obj_put, with the
 *   instant spans the CalDAV PUT path stores (so time-range REPORTs find
 *   them). Writes go in transactions of IMPORT_BATCH objects; a storage
 *   failure inside a batch rolls it back and the batch is redone one
 *   object per transaction, so one bad object never costs the others.
 *   A UID already in the calendar is replaced with --replace (same
 *   resource name), else skipped. Resource names are "<uid>.ics" when the
 *   UID is a safe path segment, else the SHA-256 of the UID in hex; a name
 *   another resource (another UID) already has is never reused, as a
 *   client may name its objects as it likes.
 *   Bookings calendars are refused: their objects are bookings, made by
 *   the booking engine only.
 *   Output: a progress bar on stderr when it is a terminal; then one line
 *   per skipped object (input line numbers, the reason) and a summary.
 *   Exit status: 0 if at least one object was imported or replaced (or
 *   the file held none), 1 if nothing could be imported.
 *
 * export --user U [--calendar C]
 *   One VCALENDAR on stdout with every object of the calendar (all the
 *   user's calendars without --calendar), each VTIMEZONE once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cli.h"
#include "ics.h"
#include "ics_split.h"
#include "sd_buf.h"
#include "sd_util.h"

#define IMPORT_BATCH    200
#define IMPORT_FILE_MAX (512 * 1024 * 1024)

struct io_args {
	const char *file, *user, *calendar;
	int replace;
	struct sd_arena *a;
	char *data;
	size_t len;
	struct store_coll home, coll;
	size_t imported, replaced, skipped;
	struct ics_merge *merge;
};

static int coll_find(struct srv_cli *cli, struct store_conn *c, struct io_args *x, int need_cal)
{
	struct store_user u;
	struct sd_err err = { 0 };

	if (store_user_get(c, x->user, x->a, &u, &err))
		return srv_cli_fail(cli, "no user \"%s\"", x->user);
	if (store_home_get(c, u.id, x->a, &x->home, &err))
		return srv_cli_fail(cli, "cannot read the home of \"%s\": %s", x->user, err.msg);
	if (!need_cal)
		return 0;
	if (store_coll_get(c, x->home.id, x->calendar, x->a, &x->coll, &err) ||
	    x->coll.kind != STORE_COLL_CALENDAR)
		return srv_cli_fail(cli, "user \"%s\" has no calendar \"%s\"", x->user,
		                    x->calendar);
	return 0;
}

/* The k-th candidate name of a new UID: "<uid>.ics" if the UID is a safe
 * path segment (k == 0), else the SHA-256 of the UID in hex, "-k" added
 * from k == 2 on. */
static const char *obj_name(struct sd_arena *a, const char *uid, int k)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	char s[65];
	size_t n = strlen(uid);

	if (!k && n && n <= 200 && uid[0] != '.' &&
	    strspn(uid, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@._-") == n)
		return sd_arena_printf(a, "%s.ics", uid);
	if (EVP_Digest(uid, n, md, NULL, EVP_sha256(), NULL) != 1)
		abort();
	for (int i = 0; i < 32; i++) {
		s[2 * i] = hex[md[i] >> 4];
		s[2 * i + 1] = hex[md[i] & 15];
	}
	s[64] = '\0';
	return k < 2 ? sd_arena_printf(a, "%s.ics", s) : sd_arena_printf(a, "%s-%d.ics", s, k);
}

/* A name for a new UID that no resource of the calendar has: a client may
 * have stored another UID as "<uid>.ics", which must not be overwritten. */
static int free_name(struct store_conn *c, struct io_args *x, const char *uid, const char **name,
                     struct sd_err *err)
{
	for (int k = 0; k < 100; k++) {
		struct store_obj o;
		int rc;

		*name = obj_name(x->a, uid, k);
		rc = store_obj_get(c, x->coll.id, *name, 0, x->a, &o, err);
		if (rc == STORE_ENOTFOUND)
			return 0;
		if (rc)
			return -1;
	}
	return sd_err_set(err, STORE_EEXISTS, "no free resource name for the UID");
}

/* "line N: ..." of a part's check translated to the input's line. */
static const char *input_message(struct sd_arena *a, const struct ics_part *p, const char *msg)
{
	unsigned n;
	int used = 0;

	if (sscanf(msg, "line %u:%n", &n, &used) == 1 && used && ics_part_line(p, n))
		return sd_arena_printf(a, "line %u:%s", ics_part_line(p, n), msg + used);
	return sd_arena_printf(a, "line %u: %s", p->line, msg);
}

static void skip(struct io_args *x, const struct ics_part *p, const char *why)
{
	fprintf(stderr, "skipped %s (line %u): %s\n", p->uid ? p->uid : "(no UID)", p->line, why);
	x->skipped++;
}

static void progress(size_t done, size_t total)
{
	int w = 40, k = total ? (int)(done * (size_t)w / total) : w;

	if (!isatty(2))
		return;
	fprintf(stderr, "\r[%.*s%*s] %zu/%zu", k, "########################################", w - k,
	        "", done, total);
	if (done == total)
		fputc('\n', stderr);
}

/* Stores one checked part; -1 on a storage failure. */
static int put_one(struct store_conn *c, struct io_args *x, const struct ics_part *p,
                   const struct ics_info *info, int *replaced, struct sd_err *err)
{
	struct store_obj in = { .coll_id = x->coll.id,
		                .content_type = "text/calendar; charset=utf-8",
		                .data = p->text,
		                .len = p->len };
	struct store_span *v = NULL;
	const char *name = NULL, *etag;
	int created, rc;

	rc = store_obj_find_uid(c, x->coll.id, info->uid, NULL, x->a, &name, err);
	if (rc && rc != STORE_ENOTFOUND)
		return -1;
	*replaced = rc == 0;
	if (*replaced && !x->replace)
		return 1;
	if (!name && free_name(c, x, info->uid, &name, err))
		return -1;
	in.name = name;
	if (info->nspans)
		v = sd_arena_alloc(x->a, info->nspans * sizeof(*v));
	for (size_t i = 0; i < info->nspans; i++)
		v[i] = (struct store_span){ info->spans[i].start, info->spans[i].end };
	in.uid = info->uid;
	in.comp = info->comp;
	in.first_start = info->first_start;
	in.last_end = info->last_end;
	in.spans = v;
	in.nspans = info->nspans;
	return store_obj_put(c, &in, x->a, &etag, &created, err) ? -1 : 0;
}

struct checked {
	const struct ics_part *p;
	struct ics_info info;
};

/* Writes ok[0..n) in one transaction; 0, or -1 after a rollback. */
static int batch(struct store_conn *c, struct io_args *x, struct checked *ok, size_t n, int count,
                 struct sd_err *err)
{
	int rep[IMPORT_BATCH];

	if (store_begin(c, STORE_TXN_WRITE, err))
		return -1;
	for (size_t i = 0; i < n; i++) {
		int rc = put_one(c, x, ok[i].p, &ok[i].info, &rep[i], err);

		if (rc < 0) {
			store_rollback(c);
			return -1;
		}
		rep[i] = rc == 1 ? 2 : rep[i];
	}
	if (store_commit(c, err)) {
		store_rollback(c);
		return -1;
	}
	for (size_t i = 0; count && i < n; i++) {
		if (rep[i] == 2)
			skip(x, ok[i].p, "the UID is already in the calendar (use --replace)");
		else if (rep[i])
			x->replaced++;
		else
			x->imported++;
	}
	return 0;
}

static void flush(struct store_conn *c, struct io_args *x, struct checked *ok, size_t n)
{
	struct sd_err err = { 0 };

	if (!n || !batch(c, x, ok, n, 1, &err))
		return;
	for (size_t i = 0; i < n; i++) /* one by one: only the bad one fails */
		if (batch(c, x, &ok[i], 1, 1, &err))
			skip(x, ok[i].p, sd_arena_printf(x->a, "cannot be stored: %s", err.msg));
}

static int import_run(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	struct io_args *x = cls;
	struct ics_part *parts;
	struct checked ok[IMPORT_BATCH];
	struct sd_err err = { 0 };
	size_t np, nok = 0;
	int rc;

	if ((rc = coll_find(cli, c, x, 1)))
		return rc;
	if (!strcmp(x->coll.name, "bookings") || !strcmp(x->coll.name, "appointments"))
		return srv_cli_fail(cli, "\"%s\" holds bookings; import into a personal calendar",
		                    x->calendar);
	if (ics_split(x->a, x->data, x->len, &parts, &np, &err))
		return srv_cli_fail(cli, "%s: %s", x->file, err.msg);
	for (size_t i = 0; i < np; i++) {
		const struct ics_part *p = &parts[i];

		progress(i, np);
		if (p->error) {
			skip(x, p, p->error);
			continue;
		}
		ok[nok].p = p;
		memset(&err, 0, sizeof(err));
		if (ics_object_check(p->text, p->len, x->coll.components, x->a, &ok[nok].info,
		                     &err)) {
			skip(x, p, input_message(x->a, p, err.msg));
			continue;
		}
		if (++nok == IMPORT_BATCH) {
			flush(c, x, ok, nok);
			nok = 0;
		}
	}
	flush(c, x, ok, nok);
	progress(np, np);
	printf("imported %zu, replaced %zu, skipped %zu\n", x->imported, x->replaced, x->skipped);
	return x->imported + x->replaced == 0 && x->skipped ? SRV_EXIT_FAIL : 0;
}

static int read_all(struct io_args *x, struct srv_cli *cli)
{
	FILE *fp = strcmp(x->file, "-") ? fopen(x->file, "rb") : stdin;
	struct sd_buf b;
	char chunk[65536];
	size_t n;

	if (!fp)
		return srv_cli_fail(cli, "cannot open %s", x->file);
	sd_buf_init(&b, IMPORT_FILE_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (sd_buf_add(&b, chunk, n)) {
			sd_buf_free(&b);
			if (fp != stdin)
				fclose(fp);
			return srv_cli_fail(cli, "%s is larger than 512 MiB", x->file);
		}
	if (fp != stdin)
		fclose(fp);
	x->len = b.len;
	x->data = sd_arena_strndup(x->a, b.data ? b.data : "", b.len);
	sd_buf_free(&b);
	return 0;
}

int srv_cmd_import(struct srv_cli *cli, int argc, char **argv)
{
	struct io_args x = { 0 };
	const struct srv_opt opts[] = {
		{ "user", &x.user, NULL },
		{ "calendar", &x.calendar, NULL },
		{ "replace", NULL, &x.replace },
		{ NULL, NULL, NULL },
	};
	int rc;

	if ((rc = srv_cli_parse(cli, argc, argv, opts)))
		return rc;
	if (!x.user || !x.calendar)
		return srv_cli_usage(cli, "--user and --calendar are required");
	x.file = cli->pos[0];
	x.a = sd_arena_new();
	if (!(rc = read_all(&x, cli)))
		rc = srv_cli_with_conn(cli, import_run, &x);
	sd_arena_free(x.a);
	return rc;
}

static int export_coll(struct store_conn *c, struct io_args *x, const struct store_coll *coll,
                       struct sd_err *err)
{
	struct store_obj_iter *it = NULL;
	struct store_obj o;
	int rc;

	if (coll->kind != STORE_COLL_CALENDAR)
		return 0;
	if ((rc = store_obj_iter_new(c, coll->id, 1, &it, err)))
		return rc;
	while ((rc = store_obj_iter_next(it, &o, err)) == 1)
		if (o.uid)
			ics_merge_add(x->merge, o.data, o.len);
	store_obj_iter_free(it);
	return rc;
}

struct exp_ctx {
	struct io_args *x;
	struct store_conn *c;
	struct store_coll *v;
	size_t n, cap;
};

static int collect(void *cls, const struct store_coll *coll)
{
	struct exp_ctx *e = cls;

	if (e->n == e->cap) {
		struct store_coll *v =
		    sd_arena_alloc(e->x->a, (e->cap = e->cap ? 2 * e->cap : 8) * sizeof(*v));

		if (e->n)
			memcpy(v, e->v, e->n * sizeof(*v));
		e->v = v;
	}
	e->v[e->n] = *coll;
	e->v[e->n].name = sd_arena_strdup(e->x->a, coll->name);
	e->n++;
	return 0;
}

static int export_run(struct srv_cli *cli, struct store_conn *c, void *cls)
{
	struct io_args *x = cls;
	struct exp_ctx e = { x, c, NULL, 0, 0 };
	struct sd_err err = { 0 };
	const char *text;
	size_t len;
	int rc;

	if ((rc = coll_find(cli, c, x, x->calendar != NULL)))
		return rc;
	if (x->calendar)
		collect(&e, &x->coll);
	else if (store_coll_foreach(c, x->home.id, collect, &e, &err))
		return srv_cli_fail(cli, "cannot list calendars: %s", err.msg);
	x->merge = ics_merge_new("-//slotdav//export//EN");
	for (size_t i = 0; i < e.n; i++)
		if (export_coll(c, x, &e.v[i], &err) < 0) {
			ics_merge_free(x->merge);
			return srv_cli_fail(cli, "cannot read \"%s\": %s", e.v[i].name, err.msg);
		}
	text = ics_merge_finish(x->merge, x->a, &len);
	ics_merge_free(x->merge);
	fwrite(text, 1, len, stdout);
	return 0;
}

int srv_cmd_export(struct srv_cli *cli, int argc, char **argv)
{
	struct io_args x = { 0 };
	const struct srv_opt opts[] = {
		{ "user", &x.user, NULL },
		{ "calendar", &x.calendar, NULL },
		{ NULL, NULL, NULL },
	};
	int rc;

	if ((rc = srv_cli_parse(cli, argc, argv, opts)))
		return rc;
	if (!x.user)
		return srv_cli_usage(cli, "--user is required");
	x.a = sd_arena_new();
	rc = srv_cli_with_store(cli, STORE_TXN_READ, export_run, &x);
	sd_arena_free(x.a);
	return rc;
}
