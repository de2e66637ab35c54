/* fake_booking.c - a fake booking engine and fake storage reads for the
 * tests of api/: just enough of booking.h, booking_avail.h, store.h and
 * store_bk.h for the router and the codecs to run. See test_api.h for its
 * world. Only test_api links this; the product links the real ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking_avail.h"
#include "sd_err.h"
#include "store.h"
#include "store_bk.h"
#include "test_api.h"

struct fake fake;

void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
}

/* Every booking call starts here: no transaction may be open, and the
 * scripted result comes back. */
static int enter(const char *name, struct sd_err *err)
{
	fake.last = name;
	if (fake.txn_open)
		fake.txn_errors++;
	if (fake.rc)
		sd_err_set(err, fake.rc, "%s", fake.msg ? fake.msg : "scripted failure");
	return fake.rc;
}

/* ---- names ----------------------------------------------------------------- */

const char *booking_code_name(int code)
{
	switch (code) {
	case 0: return "ok";
#define NAME(e, v, s) \
	case v: return s;
		BOOKING_CODES(NAME)
#undef NAME
	}
	return "internal";
}

static const char *const statuses[] = {NULL,        "pending",   "confirmed",
				       "cancelled", "completed", "no_show"};
static const char *const reasons[] = {"none", "customer", "business", "no_show", "other"};

const char *booking_status_name(int s)
{
	return s > 0 && s < 6 ? statuses[s] : NULL;
}

int booking_status_from_name(const char *s)
{
	for (int i = 1; i < 6; i++)
		if (!strcmp(statuses[i], s))
			return i;
	return 0;
}

const char *booking_reason_name(int r)
{
	return r >= 0 && r < 5 ? reasons[r] : NULL;
}

int booking_reason_from_name(const char *s)
{
	for (int i = 1; i < 5; i++)
		if (!strcmp(reasons[i], s))
			return i;
	return 0;
}

/* ---- actors ---------------------------------------------------------------- */

int booking_actor_for_user(struct store_conn *c, struct sd_arena *a, int64_t user_id,
			   const char *user_name, const char *channel, const char *user_agent,
			   struct booking_actor *out, struct sd_err *err)
{
	memset(out, 0, sizeof(*out));
	fake.channel = channel;
	fake.user_agent = user_agent;
	out->channel = channel;
	out->user_agent = user_agent;
	out->who = sd_arena_printf(a, "user:%s", user_name ? user_name : "?");
	switch (user_id) {
	case 1: out->role = BOOKING_ROLE_ADMIN, out->staff_id = 10; return 0;
	case 2: out->role = BOOKING_ROLE_STAFF, out->staff_id = 20; return 0;
	case 3: out->role = BOOKING_ROLE_CUSTOMER, out->customer_id = 30; return 0;
	}
	return sd_err_set(err, BOOKING_EFORBIDDEN, "no role");
}

/* ---- rules ------------------------------------------------------------------ */

void booking_rules_defaults(struct booking_rules *out)
{
#define DEF(type, name, def, min, max) out->name = def;
	BOOKING_RULES(DEF)
#undef DEF
}

int booking_rules_apply(struct booking_rules *r, const char *text, struct sd_err *err)
{
	json_t *j = text && *text ? json_loads(text, 0, NULL) : json_object();
	const char *key;
	json_t *v;
	int rc = 0;

	json_object_foreach(j, key, v) {
#define SET(type, name, def, min, max)                \
	if (!strcmp(key, #name)) {                    \
		r->name = (int)json_integer_value(v); \
		continue;                             \
	}
		BOOKING_RULES(SET)
#undef SET
		rc = sd_err_set(err, BOOKING_EINVALID, "unknown rule %s", key);
	}
	json_decref(j);
	return rc;
}

char *booking_rules_encode(struct sd_arena *a, const struct booking_rules *r)
{
	json_t *j = json_object();
	char *s, *out;

#define ENC(type, name, def, min, max) json_object_set_new(j, #name, json_integer(r->name));
	BOOKING_RULES(ENC)
#undef ENC
	s = json_dumps(j, JSON_COMPACT);
	out = sd_arena_strdup(a, s);
	free(s);
	json_decref(j);
	return out;
}

int booking_rules_for_service(struct booking_ctx *x, int64_t service_id, struct booking_rules *out,
			      struct sd_err *err)
{
	booking_rules_defaults(out);
	out->slot_step_min = 30;
	return enter("rules_for_service", err);
}

/* ---- checked writes ------------------------------------------------------------ */

int booking_location_save(struct booking_ctx *x, struct store_location *in, int64_t *id_out,
			  struct sd_err *err)
{
	fake.location = *in;
	*id_out = in->id ? in->id : 1;
	return enter("location_save", err);
}

int booking_location_delete(struct booking_ctx *x, int64_t id, struct sd_err *err)
{
	fake.id = id;
	return enter("location_delete", err);
}

int booking_staff_save(struct booking_ctx *x, struct store_staff *in, int64_t *id_out,
		       struct sd_err *err)
{
	fake.staff = *in;
	*id_out = in->id ? in->id : 20;
	return enter("staff_save", err);
}

int booking_staff_delete(struct booking_ctx *x, int64_t id, struct sd_err *err)
{
	fake.id = id;
	return enter("staff_delete", err);
}

int booking_hours_set(struct booking_ctx *x, int64_t staff_id, int64_t location_id,
		      const struct store_hours *rows, size_t n, struct sd_err *err)
{
	fake.staff_id = staff_id;
	fake.location_id = location_id;
	fake.nhours = n < 16 ? n : 16;
	memcpy(fake.hours, rows, fake.nhours * sizeof(*rows));
	return enter("hours_set", err);
}

int booking_exception_add(struct booking_ctx *x, struct store_exception *in, int64_t *id_out,
			  struct sd_err *err)
{
	fake.exception = *in;
	*id_out = 77;
	return enter("exception_add", err);
}

int booking_exception_delete(struct booking_ctx *x, int64_t id, struct sd_err *err)
{
	fake.id = id;
	return enter("exception_delete", err);
}

int booking_service_save(struct booking_ctx *x, struct store_service *in, int64_t *id_out,
			 struct sd_err *err)
{
	fake.service = *in;
	*id_out = in->id ? in->id : 5;
	return enter("service_save", err);
}

int booking_service_delete(struct booking_ctx *x, int64_t id, struct sd_err *err)
{
	fake.id = id;
	return enter("service_delete", err);
}

int booking_customer_save(struct booking_ctx *x, struct store_customer *in, int64_t *id_out,
			  struct sd_err *err)
{
	fake.customer = *in;
	*id_out = in->id ? in->id : 30;
	return enter("customer_save", err);
}

int booking_customer_delete(struct booking_ctx *x, int64_t id, struct sd_err *err)
{
	fake.id = id;
	return enter("customer_delete", err);
}

/* ---- availability ------------------------------------------------------------------ */

/* Europe/Berlin as a fixed UTC+1 (the tests use winter dates): every whole
 * minute in [from, to) whose local weekday is the schedule's. */
int booking_day_start(const char *tzid, int64_t day, int64_t *out, struct sd_err *err)
{
	int64_t off = !strcmp(tzid, "Europe/Berlin") ? 3600 : 0;

	if (!off && strcmp(tzid, "UTC"))
		return sd_err_set(err, BOOKING_EINVALID, "unknown zone %s", tzid);
	*out = day * 86400 - off;
	return 0;
}

int booking_availability(struct booking_ctx *x, int64_t service_id, int64_t staff_id, int64_t from,
			 int64_t to, struct booking_slot **out, size_t *n, struct sd_err *err)
{
	struct booking_slot *s = sd_arena_alloc(x->a, 2 * sizeof(*s));

	fake.id = service_id;
	fake.staff_id = staff_id;
	fake.from = from;
	fake.to = to;
	s[0] = (struct booking_slot){from + 36000, from + 39600, 20};
	s[1] = (struct booking_slot){from + 39600, from + 43200, 20};
	*out = s;
	*n = 2;
	return enter("availability", err);
}

/* ---- lifecycle ------------------------------------------------------------------- */

static void booking_fill(struct store_booking *b, int64_t id, int status)
{
	memset(b, 0, sizeof(*b));
	b->id = id;
	b->uid = "b-100@slotdav";
	b->location_id = 1;
	b->service_id = 5;
	b->staff_id = 20;
	b->customer_id = 30;
	b->start = 1795424400; /* 2026-11-23T09:00:00Z */
	b->end = b->start + 3600;
	b->status = status;
	b->cancel_text = "";
	b->notes_public = "see you";
	b->notes_private = "secret";
	b->created_channel = "api";
	b->created_by = "user:bob";
	b->version = 3;
	b->sequence = 1;
	b->obj_name = "b-100.ics";
	b->created = b->modified = 1795000000;
}

int booking_create(struct booking_ctx *x, const struct booking_new *in, struct store_booking *out,
		   struct sd_err *err)
{
	fake.bnew = *in;
	booking_fill(out, 100, STORE_BK_CONFIRMED);
	out->start = in->start;
	out->end = in->start + 3600;
	return enter("create", err);
}

int booking_reschedule(struct booking_ctx *x, int64_t id, int64_t version, int64_t start,
		       int64_t staff_id, struct store_booking *out, enum booking_outcome *outcome,
		       struct sd_err *err)
{
	fake.id = id;
	fake.version = version;
	fake.start = start;
	fake.staff_id = staff_id;
	booking_fill(out, id, STORE_BK_CONFIRMED);
	*outcome = x->actor->role == BOOKING_ROLE_CUSTOMER ? BOOKING_REQUESTED : BOOKING_APPLIED;
	return enter("reschedule", err);
}

int booking_cancel(struct booking_ctx *x, int64_t id, int64_t version, int reason, const char *text,
		   struct store_booking *out, struct sd_err *err)
{
	fake.id = id;
	fake.version = version;
	fake.reason = reason;
	fake.text = text;
	booking_fill(out, id, STORE_BK_CANCELLED);
	out->cancel_reason = reason;
	out->cancel_text = text;
	out->cancelled_at = 1795100000;
	return enter("cancel", err);
}

int booking_no_show(struct booking_ctx *x, int64_t id, int64_t version, struct store_booking *out,
		    struct sd_err *err)
{
	fake.id = id;
	fake.version = version;
	booking_fill(out, id, STORE_BK_NO_SHOW);
	return enter("no_show", err);
}

int booking_complete(struct booking_ctx *x, int64_t id, int64_t version, struct store_booking *out,
		     struct sd_err *err)
{
	fake.id = id;
	fake.version = version;
	booking_fill(out, id, STORE_BK_COMPLETED);
	return enter("complete", err);
}

int booking_approve(struct booking_ctx *x, int64_t id, struct store_booking *out,
		    struct sd_err *err)
{
	fake.id = id;
	booking_fill(out, id, STORE_BK_CONFIRMED);
	return enter("approve", err);
}

int booking_decline(struct booking_ctx *x, int64_t id, const char *text, struct store_booking *out,
		    struct sd_err *err)
{
	fake.id = id;
	fake.text = text;
	booking_fill(out, id, STORE_BK_CONFIRMED);
	return enter("decline", err);
}

int booking_restore(struct booking_ctx *x, int64_t id, struct store_booking *out,
		    struct sd_err *err)
{
	fake.id = id;
	booking_fill(out, id, STORE_BK_CONFIRMED);
	return enter("restore", err);
}

int booking_set_notes(struct booking_ctx *x, int64_t id, int64_t version, const char *notes_public,
		      const char *notes_private, struct store_booking *out, struct sd_err *err)
{
	fake.id = id;
	fake.version = version;
	fake.notes_public = notes_public;
	fake.notes_private = notes_private;
	booking_fill(out, id, STORE_BK_CONFIRMED);
	out->notes_public = notes_public;
	out->notes_private = notes_private;
	return enter("set_notes", err);
}

/* ---- reading -------------------------------------------------------------------- */

int booking_get(struct booking_ctx *x, int64_t id, struct store_booking *out, struct sd_err *err)
{
	int rc = enter("get", err);

	if (!rc && id != 100)
		return sd_err_set(err, BOOKING_ENOTFOUND, "no booking %lld", (long long)id);
	booking_fill(out, id, STORE_BK_CONFIRMED);
	return rc;
}

int booking_list(struct booking_ctx *x, const struct store_booking_filter *f,
		 struct store_booking **out, size_t *n, struct sd_err *err)
{
	fake.filter = *f;
	*out = sd_arena_alloc(x->a, sizeof(**out));
	booking_fill(*out, 100, STORE_BK_CONFIRMED);
	*n = 1;
	return enter("list", err);
}

int booking_activity(struct booking_ctx *x, int64_t id, struct store_activity **out, size_t *n,
		     struct sd_err *err)
{
	struct store_activity *a = sd_arena_alloc(x->a, sizeof(*a));

	fake.id = id;
	*a = (struct store_activity){1,        id,       1795000000, "user:bob", "api",
				     "curl/8", "create", "ok",       "created"};
	*out = a;
	*n = 1;
	return enter("activity", err);
}

int booking_cancel_report(struct booking_ctx *x, int64_t from, int64_t to, int64_t location_id,
			  int64_t staff_id, enum booking_report_period period,
			  struct booking_report_row **out, size_t *n, struct sd_err *err)
{
	struct booking_report_row *r = sd_arena_alloc(x->a, 2 * sizeof(*r));

	fake.from = from;
	fake.to = to;
	fake.location_id = location_id;
	fake.staff_id = staff_id;
	fake.period = period;
	r[0] = (struct booking_report_row){"2026-11-23", 1, 20, STORE_CANCEL_CUSTOMER, 2};
	r[1] = (struct booking_report_row){"2026-11-24", 1, 0, STORE_CANCEL_OTHER, 1};
	*out = r;
	*n = 2;
	return enter("cancel_report", err);
}

/* ---- storage reads --------------------------------------------------------------- */

int store_begin(struct store_conn *c, enum store_txn kind, struct sd_err *err)
{
	if (fake.txn_open || kind != STORE_TXN_READ)
		fake.txn_errors++;
	fake.txn_open = 1;
	return 0;
}

void store_rollback(struct store_conn *c)
{
	fake.txn_open = 0;
}

static int notfound(struct sd_err *err, const char *what, int64_t id)
{
	return sd_err_set(err, STORE_ENOTFOUND, "no %s %lld", what, (long long)id);
}

static int64_t staff_locations[] = {1};
static int64_t service_staff[] = {20};

static void location_fill(struct store_location *l)
{
	*l = (struct store_location){1,
				     "Berlin",
				     "Street 1",
				     "Europe/Berlin",
				     "b@example.com",
				     "{\"slot_step_min\":30}",
				     1795000000,
				     1795000000};
}

int store_location_get(struct store_conn *c, int64_t id, struct sd_arena *a,
		       struct store_location *out, struct sd_err *err)
{
	if (id != 1)
		return notfound(err, "location", id);
	location_fill(out);
	return 0;
}

int store_location_list(struct store_conn *c, struct sd_arena *a, struct store_location **out,
			size_t *n, struct sd_err *err)
{
	*out = sd_arena_alloc(a, sizeof(**out));
	location_fill(*out);
	*n = 1;
	return 0;
}

static void staff_fill(struct store_staff *s)
{
	*s = (struct store_staff){20, 2,          "Bob",     "bob@example.com",
				  0,  1,          7,         staff_locations,
				  1,  1795000000, 1795000000};
}

int store_staff_get(struct store_conn *c, int64_t id, struct sd_arena *a, struct store_staff *out,
		    struct sd_err *err)
{
	if (id != 20)
		return notfound(err, "staff member", id);
	staff_fill(out);
	return 0;
}

int store_staff_list(struct store_conn *c, int64_t location_id, struct sd_arena *a,
		     struct store_staff **out, size_t *n, struct sd_err *err)
{
	fake.location_id = location_id;
	*out = sd_arena_alloc(a, sizeof(**out));
	staff_fill(*out);
	*n = 1;
	return 0;
}

int store_hours_get(struct store_conn *c, int64_t staff_id, int64_t location_id, struct sd_arena *a,
		    struct store_hours **out, size_t *n, struct sd_err *err)
{
	struct store_hours *h = sd_arena_alloc(a, 2 * sizeof(*h));

	h[0] = (struct store_hours){1, 1, 540, 1020};
	h[1] = (struct store_hours){1, 2, 540, 1440};
	*out = h;
	*n = 2;
	return 0;
}

int store_exception_list(struct store_conn *c, int64_t staff_id, int64_t from_day, int64_t to_day,
			 struct sd_arena *a, struct store_exception **out, size_t *n,
			 struct sd_err *err)
{
	struct store_exception *e = sd_arena_alloc(a, sizeof(*e));

	fake.from = from_day;
	fake.to = to_day;
	*e = (struct store_exception){77, staff_id, 1, 20780, 0, 1440, 0, "holiday", 1795000000};
	*out = e;
	*n = from_day <= 20780 && 20780 < to_day;
	return 0;
}

static void service_fill(struct store_service *s)
{
	*s = (struct store_service){5,         1,
				    "Cut",     "",
				    60,        0,
				    15,        "{\"booking_notice_min\":120}",
				    1,         service_staff,
				    1,         1795000000,
				    1795000000};
}

int store_service_get(struct store_conn *c, int64_t id, struct sd_arena *a,
		      struct store_service *out, struct sd_err *err)
{
	if (id != 5)
		return notfound(err, "service", id);
	service_fill(out);
	return 0;
}

int store_service_list(struct store_conn *c, int64_t location_id, struct sd_arena *a,
		       struct store_service **out, size_t *n, struct sd_err *err)
{
	*out = sd_arena_alloc(a, sizeof(**out));
	service_fill(*out);
	*n = 1;
	return 0;
}

static void customer_fill(struct store_customer *cu)
{
	*cu = (struct store_customer){30, "Carol", "carol@example.com", "+49 30 1234",
				      3,  0,       1795000000,          1795000000};
}

int store_customer_get(struct store_conn *c, int64_t id, struct sd_arena *a,
		       struct store_customer *out, struct sd_err *err)
{
	if (id != 30)
		return notfound(err, "customer", id);
	customer_fill(out);
	return 0;
}

int store_customer_search(struct store_conn *c, const char *q, int limit, struct sd_arena *a,
			  struct store_customer **out, size_t *n, struct sd_err *err)
{
	fake.text = q;
	fake.version = limit;
	*out = sd_arena_alloc(a, sizeof(**out));
	customer_fill(*out);
	*n = 1;
	return 0;
}

static const char *const logins[] = {NULL, "admin", "bob", "carol", "nobody"};

int store_user_get(struct store_conn *c, const char *name, struct sd_arena *a,
		   struct store_user *out, struct sd_err *err)
{
	for (int i = 1; i < 5; i++)
		if (!strcmp(logins[i], name)) {
			*out = (struct store_user){i, logins[i], "", "", "x", 0};
			return 0;
		}
	return sd_err_set(err, STORE_ENOTFOUND, "no user %s", name);
}

int store_user_get_by_id(struct store_conn *c, int64_t id, struct sd_arena *a,
			 struct store_user *out, struct sd_err *err)
{
	if (id < 1 || id > 4)
		return notfound(err, "user", id);
	*out = (struct store_user){id, logins[id], id == 2 ? "Bob Builder" : "", "", "x", 0};
	return 0;
}
