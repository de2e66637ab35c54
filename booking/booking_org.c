/* booking_org.c - the organisation bookings refer to: checked writes of
 * locations, staff, working hours, exceptions, services and customers;
 * who an authenticated login is; the error and transaction plumbing the
 * other files share.
 *
 * Every write here checks the actor's role, then the values, then runs in
 * one write transaction, so a refused or failed call leaves nothing
 * behind. The checks are the ones a front cannot be trusted with: zones
 * must be known, intervals inside a day and not overlapping, a service's
 * staff must work at its location.
 */
#include <stdlib.h>
#include <string.h>

#include "booking_int.h"
#include "ics_zone.h"

/* ---- errors, transactions, roles ---------------------------------------- */

int booking_store_rc(int store_rc, struct sd_err *err)
{
	int rc;

	switch (store_rc) {
	case STORE_OK:
		return BOOKING_OK;
	case STORE_ENOTFOUND:
		rc = BOOKING_ENOTFOUND;
		break;
	case STORE_EEXISTS:
		rc = BOOKING_EEXISTS;
		break;
	case STORE_EBUSY:
		rc = BOOKING_EBUSY;
		break;
	case STORE_EINUSE:
		rc = BOOKING_EINUSE;
		break;
	case STORE_ESTALE:
		rc = BOOKING_ESTALE;
		break;
	default:
		rc = BOOKING_EIO;
		break;
	}
	if (err)
		err->code = rc;
	return rc;
}

int booking_txn_begin(struct booking_ctx *x, struct sd_err *err)
{
	if (x->nested)
		return BOOKING_OK;
	return booking_store_rc(store_begin(x->conn, STORE_TXN_WRITE, err), err);
}

int booking_read_begin(struct booking_ctx *x, struct sd_err *err)
{
	if (x->nested)
		return BOOKING_OK;
	return booking_store_rc(store_begin(x->conn, STORE_TXN_READ, err), err);
}

void booking_read_end(struct booking_ctx *x)
{
	if (!x->nested)
		store_rollback(x->conn);
}

int booking_txn_end(struct booking_ctx *x, int rc, struct sd_err *err)
{
	if (x->nested)
		return rc;
	if (!rc && !(rc = booking_store_rc(store_commit(x->conn, err), err)))
		return BOOKING_OK;
	/* A failed COMMIT can leave the transaction open: end it here. */
	store_rollback(x->conn);
	return rc;
}

int booking_is_admin(const struct booking_ctx *x)
{
	return x->actor->role == BOOKING_ROLE_SYSTEM || x->actor->role == BOOKING_ROLE_ADMIN;
}

int booking_is_staff(const struct booking_ctx *x)
{
	return booking_is_admin(x) || x->actor->role == BOOKING_ROLE_STAFF;
}

int booking_need_admin(const struct booking_ctx *x, const char *what, struct sd_err *err)
{
	if (booking_is_admin(x))
		return BOOKING_OK;
	return sd_err_set(err, BOOKING_EFORBIDDEN, "only an admin may %s", what);
}

int booking_actor_for_user(struct store_conn *c, struct sd_arena *a, int64_t user_id,
                           const char *user_name, const char *channel, const char *user_agent,
                           struct booking_actor *out, struct sd_err *err)
{
	struct store_staff st;
	struct store_customer cu;
	int rc;

	memset(out, 0, sizeof(*out));
	out->who = sd_arena_printf(a, "user:%s", user_name ? user_name : "?");
	out->channel = sd_arena_strdup(a, channel ? channel : "");
	out->user_agent = sd_arena_strdup(a, user_agent ? user_agent : "");
	rc = store_staff_get_by_user(c, user_id, a, &st, err);
	if (rc == STORE_OK && st.active) {
		out->role = st.admin ? BOOKING_ROLE_ADMIN : BOOKING_ROLE_STAFF;
		out->staff_id = st.id;
		return BOOKING_OK;
	}
	if (rc && rc != STORE_ENOTFOUND)
		return booking_store_rc(rc, err);
	rc = store_customer_get_by_user(c, user_id, a, &cu, err);
	if (rc == STORE_OK) {
		out->role = BOOKING_ROLE_CUSTOMER;
		out->customer_id = cu.id;
		return BOOKING_OK;
	}
	if (rc != STORE_ENOTFOUND)
		return booking_store_rc(rc, err);
	return sd_err_set(err, BOOKING_EFORBIDDEN,
	                  "the login %s is neither an active staff member nor a customer",
	                  user_name ? user_name : "?");
}

/* ---- value checks -------------------------------------------------------- */

static int check_name(const char *what, const char *s, size_t max, struct sd_err *err)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n > max || !sd_utf8_valid(s, n) || strpbrk(s, "\r\n"))
		return sd_err_set(err, BOOKING_EINVALID,
		                  "%s must be 1 to %zu characters of text on one line", what, max);
	return BOOKING_OK;
}

static int check_text(const char *what, const char *s, size_t max, struct sd_err *err)
{
	size_t n = s ? strlen(s) : 0;

	if (n > max || !sd_utf8_valid(s ? s : "", n))
		return sd_err_set(err, BOOKING_EINVALID,
		                  "%s must be at most %zu characters of text", what, max);
	return BOOKING_OK;
}

/* An address good enough to send to: local@domain, no spaces, controls,
 * angle brackets or quotes (they would break a mail header). */
static int check_email(const char *s, int required, struct sd_err *err)
{
	const char *at;

	if (!s || !*s)
		return required ? sd_err_set(err, BOOKING_EINVALID, "an email address is required")
		                : BOOKING_OK;
	at = strchr(s, '@');
	if (strlen(s) > 254 || !at || at == s || !at[1] || strchr(at + 1, '@') ||
	    !strchr(at + 1, '.') || strpbrk(s, " \t\r\n<>\"(),;:\\[]"))
		return sd_err_set(err, BOOKING_EINVALID, "\"%.80s\" is not an email address", s);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return sd_err_set(err, BOOKING_EINVALID,
			                  "the email address has control characters");
	return BOOKING_OK;
}

static int check_phone(const char *s, struct sd_err *err)
{
	int digits = 0;

	if (!s || !*s)
		return BOOKING_OK;
	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!strchr("+-(). /", *p))
			return sd_err_set(err, BOOKING_EINVALID,
			                  "a phone number has digits, spaces and + - ( ) . / only");
	}
	if (digits < 3 || strlen(s) > 32)
		return sd_err_set(err, BOOKING_EINVALID, "\"%.40s\" is not a phone number", s);
	return BOOKING_OK;
}

static int64_t id_or_zero(int64_t *p)
{
	return p ? *p : 0;
}

/* ---- locations ----------------------------------------------------------- */

static int location_check(struct store_location *in, struct sd_err *err)
{
	int rc;

	if ((rc = check_name("the location's name", in->name, 200, err)) ||
	    (rc = check_text("the address", in->address, 1000, err)) ||
	    (rc = check_email(in->email, 1, err)) || (rc = booking_rules_check(in->rules, err)))
		return rc;
	if (!in->timezone || !ics_zone_valid(in->timezone))
		return sd_err_set(err, BOOKING_EINVALID, "\"%.64s\" is not a known time zone",
		                  in->timezone ? in->timezone : "");
	return BOOKING_OK;
}

int booking_location_save(struct booking_ctx *x, struct store_location *in, int64_t *id_out,
                          struct sd_err *err)
{
	int rc;

	if (!in->address)
		in->address = "";
	if (!in->rules)
		in->rules = "";
	if ((rc = booking_need_admin(x, "change locations", err)) || (rc = location_check(in, err)))
		return rc;
	if ((rc = booking_txn_begin(x, err)))
		return rc;
	if (in->id)
		rc = booking_store_rc(store_location_update(x->conn, in, err), err);
	else
		rc = booking_store_rc(store_location_create(x->conn, in, &in->id, err), err);
	rc = booking_txn_end(x, rc, err);
	if (!rc && id_out)
		*id_out = in->id;
	return rc;
}

int booking_location_delete(struct booking_ctx *x, int64_t id, struct sd_err *err)
{
	int rc;

	if ((rc = booking_need_admin(x, "delete locations", err)))
		return rc;
	return booking_store_rc(store_location_delete(x->conn, id, err), err);
}

/* ---- staff --------------------------------------------------------------- */

static int staff_check(struct booking_ctx *x, struct store_staff *in, struct sd_err *err)
{
	struct store_user u;
	int rc;

	rc = store_user_get_by_id(x->conn, in->user_id, x->a, &u, err);
	if (rc == STORE_ENOTFOUND)
		return sd_err_set(err, BOOKING_ENOTFOUND, "no user with id %lld",
		                  (long long)in->user_id);
	if (rc)
		return booking_store_rc(rc, err);
	if (!in->name || !*in->name)
		in->name = *u.displayname ? u.displayname : u.name;
	if (!in->email || !*in->email)
		in->email = u.email;
	if ((rc = check_name("the staff member's name", in->name, 200, err)) ||
	    (rc = check_email(in->email, 0, err)))
		return rc;
	for (size_t i = 0; i < in->nlocations; i++) {
		struct store_location loc;

		rc = store_location_get(x->conn, in->location_ids[i], x->a, &loc, err);
		if (rc)
			return rc == STORE_ENOTFOUND
			           ? sd_err_set(err, BOOKING_ENOTFOUND, "no location with id %lld",
			                        (long long)in->location_ids[i])
			           : booking_store_rc(rc, err);
	}
	return BOOKING_OK;
}

static int ids_sort_unique(struct sd_arena *a, const int64_t **ids, size_t *n);

int booking_staff_save(struct booking_ctx *x, struct store_staff *in, int64_t *id_out,
                       struct sd_err *err)
{
	struct store_staff old;
	int rc;

	if ((rc = booking_need_admin(x, "change staff", err)))
		return rc;
	ids_sort_unique(x->a, &in->location_ids, &in->nlocations);
	if ((rc = booking_txn_begin(x, err)))
		return rc;
	if ((rc = staff_check(x, in, err)))
		goto out;
	if (in->id) {
		if ((rc = booking_store_rc(store_staff_get(x->conn, in->id, x->a, &old, err), err)))
			goto out;
		if (old.user_id != in->user_id) {
			rc = sd_err_set(err, BOOKING_EINVALID,
			                "a staff member's login cannot change");
			goto out;
		}
		in->bookings_coll_id = old.bookings_coll_id;
	}
	if ((rc = booking_staff_calendar(x, in->user_id, &in->bookings_coll_id, err)))
		goto out;
	if (in->id)
		rc = booking_store_rc(store_staff_update(x->conn, in, err), err);
	else
		rc = booking_store_rc(store_staff_create(x->conn, in, &in->id, err), err);
out:
	rc = booking_txn_end(x, rc, err);
	if (!rc && id_out)
		*id_out = in->id;
	return rc;
}

int booking_staff_delete(struct booking_ctx *x, int64_t id, struct sd_err *err)
{
	int rc;

	if ((rc = booking_need_admin(x, "delete staff", err)))
		return rc;
	return booking_store_rc(store_staff_delete(x->conn, id, err), err);
}

static int cmp_i64(const void *p, const void *q)
{
	int64_t a = *(const int64_t *)p, b = *(const int64_t *)q;

	return (a > b) - (a < b);
}

/* Sorts *ids into a fresh arena array without duplicates or non-positive
 * ids. */
static int ids_sort_unique(struct sd_arena *a, const int64_t **ids, size_t *n)
{
	int64_t *v;
	size_t k = 0;

	if (!*n)
		return 0;
	v = sd_arena_memdup(a, *ids, *n * sizeof(*v));
	qsort(v, *n, sizeof(*v), cmp_i64);
	for (size_t i = 0; i < *n; i++)
		if (v[i] > 0 && (k == 0 || v[k - 1] != v[i]))
			v[k++] = v[i];
	*ids = v;
	*n = k;
	return 0;
}

static int staff_at(const struct store_staff *st, int64_t location_id)
{
	for (size_t i = 0; i < st->nlocations; i++)
		if (st->location_ids[i] == location_id)
			return 1;
	return 0;
}

/* Admins, or the staff member themself. */
static int self_or_admin(const struct booking_ctx *x, int64_t staff_id, struct sd_err *err)
{
	if (booking_is_admin(x) ||
	    (x->actor->role == BOOKING_ROLE_STAFF && x->actor->staff_id == staff_id))
		return BOOKING_OK;
	return sd_err_set(err, BOOKING_EFORBIDDEN,
	                  "only an admin or the staff member may change their working hours");
}

static int cmp_hours(const void *p, const void *q)
{
	const struct store_hours *a = p, *b = q;

	if (a->weekday != b->weekday)
		return a->weekday - b->weekday;
	return a->start_min - b->start_min;
}

static int hours_check(struct store_hours *v, size_t n, struct sd_err *err)
{
	if (n) /* v is NULL for an empty schedule */
		qsort(v, n, sizeof(*v), cmp_hours);
	for (size_t i = 0; i < n; i++) {
		if (v[i].weekday < 1 || v[i].weekday > 7)
			return sd_err_set(err, BOOKING_EINVALID,
			                  "weekday %d: use 1 (Monday) to 7 (Sunday)", v[i].weekday);
		if (v[i].start_min < 0 || v[i].start_min >= v[i].end_min || v[i].end_min > 1440)
			return sd_err_set(
			    err, BOOKING_EINVALID,
			    "working hours must start before they end, within one day");
		if (i && v[i - 1].weekday == v[i].weekday && v[i - 1].end_min > v[i].start_min)
			return sd_err_set(err, BOOKING_EINVALID,
			                  "working hours of weekday %d overlap", v[i].weekday);
	}
	return BOOKING_OK;
}

int booking_hours_set(struct booking_ctx *x, int64_t staff_id, int64_t location_id,
                      const struct store_hours *rows, size_t n, struct sd_err *err)
{
	struct store_hours *v = n ? sd_arena_memdup(x->a, rows, n * sizeof(*v)) : NULL;
	struct store_staff st;
	int rc;

	if ((rc = self_or_admin(x, staff_id, err)))
		return rc;
	for (size_t i = 0; i < n; i++)
		v[i].location_id = location_id;
	if ((rc = hours_check(v, n, err)) || (rc = booking_txn_begin(x, err)))
		return rc;
	if ((rc = booking_store_rc(store_staff_get(x->conn, staff_id, x->a, &st, err), err)))
		goto out;
	if (!staff_at(&st, location_id)) {
		rc = sd_err_set(err, BOOKING_EINVALID,
		                "staff member %lld does not work at location %lld",
		                (long long)staff_id, (long long)location_id);
		goto out;
	}
	rc = booking_store_rc(store_hours_set(x->conn, staff_id, location_id, v, n, err), err);
out:
	return booking_txn_end(x, rc, err);
}

int booking_exception_add(struct booking_ctx *x, struct store_exception *in, int64_t *id_out,
                          struct sd_err *err)
{
	struct store_exception *ex;
	struct store_staff st;
	size_t n;
	int rc;

	if ((rc = self_or_admin(x, in->staff_id, err)))
		return rc;
	if (!in->note)
		in->note = "";
	if (in->start_min < 0 || in->start_min >= in->end_min || in->end_min > 1440)
		return sd_err_set(err, BOOKING_EINVALID,
		                  "an exception must start before it ends, within one day");
	if ((rc = check_text("the note", in->note, 1000, err)) || (rc = booking_txn_begin(x, err)))
		return rc;
	if ((rc = booking_store_rc(store_staff_get(x->conn, in->staff_id, x->a, &st, err), err)))
		goto out;
	if (in->available && !staff_at(&st, in->location_id)) {
		rc = sd_err_set(err, BOOKING_EINVALID,
		                "an extra shift must be at one of the staff member's locations");
		goto out;
	}
	if ((rc = booking_store_rc(store_exception_list(x->conn, in->staff_id, in->day, in->day + 1,
	                                                x->a, &ex, &n, err),
	                           err)))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (ex[i].start_min < in->end_min && in->start_min < ex[i].end_min) {
			rc = sd_err_set(err, BOOKING_EOVERLAP,
			                "it overlaps exception %lld of the same day",
			                (long long)ex[i].id);
			goto out;
		}
	rc = booking_store_rc(store_exception_create(x->conn, in, &in->id, err), err);
out:
	rc = booking_txn_end(x, rc, err);
	if (!rc && id_out)
		*id_out = in->id;
	return rc;
}

int booking_exception_delete(struct booking_ctx *x, int64_t id, struct sd_err *err)
{
	int rc;

	/* Staff may delete their own: find the owner first. */
	if (!booking_is_admin(x)) {
		struct store_exception *ex;
		size_t n;
		int mine = 0;

		if (x->actor->role != BOOKING_ROLE_STAFF)
			return sd_err_set(err, BOOKING_EFORBIDDEN,
			                  "customers cannot change working hours");
		rc = store_exception_list(x->conn, x->actor->staff_id, INT64_MIN / 2, INT64_MAX / 2,
		                          x->a, &ex, &n, err);
		if (rc)
			return booking_store_rc(rc, err);
		for (size_t i = 0; i < n; i++)
			mine |= ex[i].id == id;
		if (!mine)
			return sd_err_set(err, BOOKING_ENOTFOUND, "no exception %lld of yours",
			                  (long long)id);
	}
	return booking_store_rc(store_exception_delete(x->conn, id, err), err);
}

/* ---- services ------------------------------------------------------------ */

static int service_check(struct booking_ctx *x, struct store_service *in, struct sd_err *err)
{
	int rc;

	if ((rc = check_name("the service's name", in->name, 200, err)) ||
	    (rc = check_text("the description", in->description, 4000, err)) ||
	    (rc = booking_rules_check(in->rules, err)))
		return rc;
	if (in->duration_min < 5 || in->duration_min > 1440)
		return sd_err_set(err, BOOKING_EINVALID, "a duration is 5 to 1440 minutes");
	if (in->buffer_before_min < 0 || in->buffer_before_min > 720 || in->buffer_after_min < 0 ||
	    in->buffer_after_min > 720)
		return sd_err_set(err, BOOKING_EINVALID, "buffers are 0 to 720 minutes");
	for (size_t i = 0; i < in->nstaff; i++) {
		struct store_staff st;

		rc = store_staff_get(x->conn, in->staff_ids[i], x->a, &st, err);
		if (rc == STORE_ENOTFOUND)
			return sd_err_set(err, BOOKING_ENOTFOUND, "no staff member with id %lld",
			                  (long long)in->staff_ids[i]);
		if (rc)
			return booking_store_rc(rc, err);
		if (!staff_at(&st, in->location_id))
			return sd_err_set(err, BOOKING_ESERVICE_STAFF,
			                  "staff member %lld does not work at location %lld",
			                  (long long)st.id, (long long)in->location_id);
	}
	return BOOKING_OK;
}

int booking_service_save(struct booking_ctx *x, struct store_service *in, int64_t *id_out,
                         struct sd_err *err)
{
	struct store_location loc;
	int rc;

	if (!in->description)
		in->description = "";
	if (!in->rules)
		in->rules = "";
	if ((rc = booking_need_admin(x, "change services", err)))
		return rc;
	ids_sort_unique(x->a, &in->staff_ids, &in->nstaff);
	if ((rc = booking_txn_begin(x, err)))
		return rc;
	rc = store_location_get(x->conn, in->location_id, x->a, &loc, err);
	if (rc == STORE_ENOTFOUND)
		rc = sd_err_set(err, BOOKING_ENOTFOUND, "no location with id %lld",
		                (long long)in->location_id);
	else
		rc = booking_store_rc(rc, err);
	if (rc || (rc = service_check(x, in, err)))
		goto out;
	if (in->id)
		rc = booking_store_rc(store_service_update(x->conn, in, err), err);
	else
		rc = booking_store_rc(store_service_create(x->conn, in, &in->id, err), err);
out:
	rc = booking_txn_end(x, rc, err);
	if (!rc && id_out)
		*id_out = in->id;
	return rc;
}

int booking_service_delete(struct booking_ctx *x, int64_t id, struct sd_err *err)
{
	int rc;

	if ((rc = booking_need_admin(x, "delete services", err)))
		return rc;
	return booking_store_rc(store_service_delete(x->conn, id, err), err);
}

/* ---- customers ----------------------------------------------------------- */

int booking_customer_save(struct booking_ctx *x, struct store_customer *in, int64_t *id_out,
                          struct sd_err *err)
{
	struct store_customer old;
	int rc;

	if (!in->email)
		in->email = "";
	if (!in->phone)
		in->phone = "";
	if (x->actor->role == BOOKING_ROLE_CUSTOMER && (!in->id || in->id != x->actor->customer_id))
		return sd_err_set(err, BOOKING_EFORBIDDEN,
		                  "customers may edit only their own record");
	if ((rc = check_name("the customer's name", in->name, 200, err)) ||
	    (rc = check_email(in->email, 0, err)) || (rc = check_phone(in->phone, err)))
		return rc;
	if ((rc = booking_txn_begin(x, err)))
		return rc;
	if (in->id) {
		if ((rc = booking_store_rc(store_customer_get(x->conn, in->id, x->a, &old, err),
		                           err)))
			goto out;
		if (!booking_is_admin(x)) { /* the login is the admin's business */
			in->user_id = old.user_id;
			in->coll_id = old.coll_id;
		}
		if (in->user_id && !in->coll_id &&
		    (rc = booking_user_calendar(x, in->user_id, BOOKING_CUSTOMER_CAL,
		                                BOOKING_CUSTOMER_CAL_NAME, &in->coll_id, err)))
			goto out;
		rc = booking_store_rc(store_customer_update(x->conn, in, err), err);
	} else {
		in->coll_id = 0;
		if (in->user_id && !booking_is_admin(x)) {
			rc = sd_err_set(err, BOOKING_EFORBIDDEN,
			                "only an admin may give a customer a login");
			goto out;
		}
		if (in->user_id &&
		    (rc = booking_user_calendar(x, in->user_id, BOOKING_CUSTOMER_CAL,
		                                BOOKING_CUSTOMER_CAL_NAME, &in->coll_id, err)))
			goto out;
		rc = booking_store_rc(store_customer_create(x->conn, in, &in->id, err), err);
	}
out:
	rc = booking_txn_end(x, rc, err);
	if (!rc && id_out)
		*id_out = id_or_zero(&in->id);
	return rc;
}

int booking_customer_delete(struct booking_ctx *x, int64_t id, struct sd_err *err)
{
	int rc;

	if ((rc = booking_need_admin(x, "delete customers", err)))
		return rc;
	return booking_store_rc(store_customer_delete(x->conn, id, err), err);
}
