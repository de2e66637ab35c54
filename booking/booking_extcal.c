/* booking_extcal.c - who may attach which external busy calendar to whom.
 *
 * Fetching and parsing belong to extcal/ (and its poller); availability
 * reads the stored periods in booking_slots.c. What is decided here:
 * - a staff member manages their own external calendars; an admin anyone's
 *   (BOOKING_EFORBIDDEN otherwise, customers included);
 * - a source is an http or https URL (no credentials in it are refused:
 *   private feed URLs carry their secret in the path, and user:password@
 *   would be shown back in every listing) or, for admins only, an absolute
 *   path of a local file. Files are admin-only because the server reads
 *   them with its own rights: a staff member naming /etc/shadow or the
 *   database must not learn anything, not even through error messages or
 *   busy times derived from it. Admins operate the server anyway;
 * - a calendar belongs to the staff member in its URL: another member's
 *   id is BOOKING_ENOTFOUND, so ids cannot be probed.
 * A new calendar is due at once: the poller (or a refresh) fetches it.
 */
#include <string.h>

#include "booking_int.h"

#define URL_MAX      2048
#define PATH_MAX_LEN 1024
#define NAME_MAX_LEN 200

static int may_manage(const struct booking_ctx *x, int64_t staff_id, struct sd_err *err)
{
	if (booking_is_admin(x) ||
	    (x->actor->role == BOOKING_ROLE_STAFF && x->actor->staff_id == staff_id))
		return BOOKING_OK;
	return sd_err_set(err, BOOKING_EFORBIDDEN,
	                  "only an admin or the staff member may manage their external calendars");
}

static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int check_url(const char *u, struct sd_err *err)
{
	const char *host, *end;

	if (strncmp(u, "http://", 7) && strncmp(u, "https://", 8))
		return sd_err_set(err, BOOKING_EINVALID, "the url must be http:// or https://");
	if (strlen(u) > URL_MAX || !printable(u) || strchr(u, ' '))
		return sd_err_set(err, BOOKING_EINVALID, "the url is malformed or too long");
	host = strstr(u, "//") + 2;
	end = host + strcspn(host, "/?#");
	if (end == host)
		return sd_err_set(err, BOOKING_EINVALID, "the url has no host");
	if (memchr(host, '@', (size_t)(end - host)))
		return sd_err_set(err, BOOKING_EINVALID,
		                  "the url may not carry a user or password");
	return BOOKING_OK;
}

static int check_source(const struct booking_ctx *x, struct store_extcal *in, struct sd_err *err)
{
	if (!in->url)
		in->url = "";
	if (!in->path)
		in->path = "";
	if (!*in->url == !*in->path)
		return sd_err_set(err, BOOKING_EINVALID, "give either a url or a path");
	if (*in->url)
		return check_url(in->url, err);
	if (!booking_is_admin(x))
		return sd_err_set(err, BOOKING_EFORBIDDEN, "only an admin may name a local file");
	if (in->path[0] != '/' || strlen(in->path) > PATH_MAX_LEN || !printable(in->path))
		return sd_err_set(err, BOOKING_EINVALID, "the path must be an absolute file name");
	return BOOKING_OK;
}

int booking_extcal_add(struct booking_ctx *x, struct store_extcal *in, int64_t *id_out,
                       struct sd_err *err)
{
	int rc;

	if ((rc = may_manage(x, in->staff_id, err)) || (rc = check_source(x, in, err)))
		return rc;
	if (!in->name || !*in->name)
		in->name = *in->url ? "external calendar" : "file";
	if (strlen(in->name) > NAME_MAX_LEN || !printable(in->name))
		return sd_err_set(err, BOOKING_EINVALID,
		                  "the name is too long or has control characters");
	in->created = x->now;
	in->next_poll = x->now;
	rc = store_extcal_create(x->conn, in, id_out, err);
	if (rc == STORE_ENOTFOUND)
		return sd_err_set(err, BOOKING_ENOTFOUND, "no staff member with id %lld",
		                  (long long)in->staff_id);
	return booking_store_rc(rc, err);
}

int booking_extcal_list(struct booking_ctx *x, int64_t staff_id, struct store_extcal **out,
                        size_t *n, struct sd_err *err)
{
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = may_manage(x, staff_id, err)))
		return rc;
	return booking_store_rc(store_extcal_list(x->conn, staff_id, x->a, out, n, err), err);
}

int booking_extcal_get(struct booking_ctx *x, int64_t staff_id, int64_t id,
                       struct store_extcal *out, struct sd_err *err)
{
	int rc;

	if ((rc = may_manage(x, staff_id, err)))
		return rc;
	rc = store_extcal_get(x->conn, id, x->a, out, err);
	if (rc == STORE_ENOTFOUND || (!rc && out->staff_id != staff_id))
		return sd_err_set(err, BOOKING_ENOTFOUND, "no external calendar %lld of staff %lld",
		                  (long long)id, (long long)staff_id);
	return booking_store_rc(rc, err);
}

int booking_extcal_delete(struct booking_ctx *x, int64_t staff_id, int64_t id, struct sd_err *err)
{
	struct store_extcal e;
	int rc;

	if ((rc = booking_extcal_get(x, staff_id, id, &e, err)))
		return rc;
	return booking_store_rc(store_extcal_delete(x->conn, id, err), err);
}
