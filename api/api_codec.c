/* api_codec.c - the JSON form of every record of the booking side, as field
 * tables, and the two functions that read and write a record by its table.
 *
 * A table row names a JSON member, its type (api_int.h enum api_type) and
 * the offset of the C member in the storage struct, so one row serves both
 * directions and a new column is a new row. Types map as:
 *   API_STR    string               API_TIME   "2026-11-23T09:00:00Z" (UTC)
 *   API_INT    integer (int range)  API_DAY    "2026-11-23"
 *   API_I64    integer              API_HHMM   "09:30"
 *   API_BOOL   true / false         API_IDS    [1, 2, 3]
 *   API_STATUS "confirmed", ...     API_REASON "customer", ... or null
 * Members are read and written with memcpy at their offset, so a row can
 * never misalign; the row's type says what C type is there.
 *
 * The tables leave out what the API does not show: rule sets (their own
 * endpoints), calendar collection ids and resource names. What a handler
 * adds itself (a staff member's login name) is an API_EXTRA row, so the
 * strict decoder still knows the member.
 */
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "sd_util.h"

/* clang-format off */
#define ROW(st, name, type, member, flags) {name, type, offsetof(st, member), 0, flags}
#define IDS(st, name, member, count, flags) \
	{name, API_IDS, offsetof(st, member), offsetof(st, count), flags}
#define EXTRA(name) {name, API_EXTRA, 0, 0, 0}
#define FIELDSET(var, rows) const struct api_fieldset var = {rows, SD_ARRAY_LEN(rows)}

/* ---- the tables ------------------------------------------------------------ */

#define L(name, type, member, flags) ROW(struct store_location, name, type, member, flags)
static const struct api_field location_rows[] = {
	L("id", API_I64, id, API_F_OUT),
	L("name", API_STR, name, API_F_REQ),
	L("address", API_STR, address, 0),
	L("timezone", API_STR, timezone, API_F_REQ),
	L("email", API_STR, email, 0),
	L("created", API_TIME, created, API_F_OUT),
	L("modified", API_TIME, modified, API_F_OUT),
};
FIELDSET(api_location_fields, location_rows);

#define S(name, type, member, flags) ROW(struct store_staff, name, type, member, flags)
static const struct api_field staff_rows[] = {
	S("id", API_I64, id, API_F_OUT),
	S("user_id", API_I64, user_id, 0),
	EXTRA("user"), /* the login name, in and out */
	S("name", API_STR, name, 0),
	S("email", API_STR, email, 0),
	S("admin", API_BOOL, admin, 0),
	S("active", API_BOOL, active, 0),
	IDS(struct store_staff, "location_ids", location_ids, nlocations, 0),
	S("created", API_TIME, created, API_F_OUT),
	S("modified", API_TIME, modified, API_F_OUT),
};
FIELDSET(api_staff_fields, staff_rows);

#define V(name, type, member, flags) ROW(struct store_service, name, type, member, flags)
static const struct api_field service_rows[] = {
	V("id", API_I64, id, API_F_OUT),
	V("location_id", API_I64, location_id, API_F_REQ),
	V("name", API_STR, name, API_F_REQ),
	V("description", API_STR, description, 0),
	V("duration_min", API_INT, duration_min, API_F_REQ),
	V("buffer_before_min", API_INT, buffer_before_min, 0),
	V("buffer_after_min", API_INT, buffer_after_min, 0),
	V("active", API_BOOL, active, 0),
	IDS(struct store_service, "staff_ids", staff_ids, nstaff, 0),
	V("created", API_TIME, created, API_F_OUT),
	V("modified", API_TIME, modified, API_F_OUT),
};
FIELDSET(api_service_fields, service_rows);

#define C(name, type, member, flags) ROW(struct store_customer, name, type, member, flags)
static const struct api_field customer_rows[] = {
	C("id", API_I64, id, API_F_OUT),
	C("name", API_STR, name, API_F_REQ),
	C("email", API_STR, email, 0),
	C("phone", API_STR, phone, 0),
	C("user_id", API_I64, user_id, API_F_NULL),
	EXTRA("user"),
	C("created", API_TIME, created, API_F_OUT),
	C("modified", API_TIME, modified, API_F_OUT),
};
FIELDSET(api_customer_fields, customer_rows);

/* The location of a weekly interval comes from the query of the PUT. */
#define H(name, type, member, flags) ROW(struct store_hours, name, type, member, flags)
static const struct api_field hours_rows[] = {
	H("location_id", API_I64, location_id, API_F_OUT),
	H("weekday", API_INT, weekday, API_F_REQ),
	H("start", API_HHMM, start_min, API_F_REQ),
	H("end", API_HHMM, end_min, API_F_REQ),
};
FIELDSET(api_hours_fields, hours_rows);

#define E(name, type, member, flags) ROW(struct store_exception, name, type, member, flags)
static const struct api_field exception_rows[] = {
	E("id", API_I64, id, API_F_OUT),
	E("staff_id", API_I64, staff_id, API_F_OUT),
	E("location_id", API_I64, location_id, API_F_NULL),
	E("date", API_DAY, day, API_F_REQ),
	E("start", API_HHMM, start_min, 0),
	E("end", API_HHMM, end_min, 0),
	E("available", API_BOOL, available, 0),
	E("note", API_STR, note, 0),
	E("created", API_TIME, created, API_F_OUT),
};
FIELDSET(api_exception_fields, exception_rows);

#define B(name, type, member, flags) ROW(struct store_booking, name, type, member, flags)
static const struct api_field booking_rows[] = {
	B("id", API_I64, id, API_F_OUT),
	B("uid", API_STR, uid, API_F_OUT),
	B("status", API_STATUS, status, API_F_OUT),
	B("location_id", API_I64, location_id, API_F_OUT),
	B("service_id", API_I64, service_id, API_F_OUT),
	B("staff_id", API_I64, staff_id, API_F_OUT),
	B("customer_id", API_I64, customer_id, API_F_OUT),
	B("start", API_TIME, start, API_F_OUT),
	B("end", API_TIME, end, API_F_OUT),
	B("buffer_before_min", API_INT, buffer_before_min, API_F_OUT),
	B("buffer_after_min", API_INT, buffer_after_min, API_F_OUT),
	B("cancel_reason", API_REASON, cancel_reason, API_F_OUT | API_F_NULL),
	B("cancel_text", API_STR, cancel_text, API_F_OUT),
	B("cancelled_at", API_TIME, cancelled_at, API_F_OUT | API_F_NULL),
	B("notes_public", API_STR, notes_public, API_F_OUT),
	B("notes_private", API_STR, notes_private, API_F_OUT),
	B("created_channel", API_STR, created_channel, API_F_OUT),
	B("created_by", API_STR, created_by, API_F_OUT),
	B("version", API_I64, version, API_F_OUT),
	B("sequence", API_I64, sequence, API_F_OUT),
	B("created", API_TIME, created, API_F_OUT),
	B("modified", API_TIME, modified, API_F_OUT),
};
FIELDSET(api_booking_fields, booking_rows);

#define N(name, type, member, flags) ROW(struct booking_new, name, type, member, flags)
static const struct api_field booking_new_rows[] = {
	N("service_id", API_I64, service_id, API_F_REQ),
	N("staff_id", API_I64, staff_id, API_F_NULL),
	N("customer_id", API_I64, customer_id, 0),
	N("start", API_TIME, start, API_F_REQ),
	N("notes_public", API_STR, notes_public, 0),
	N("notes_private", API_STR, notes_private, 0),
};
FIELDSET(api_booking_new_fields, booking_new_rows);

#define A(name, type, member) ROW(struct store_activity, name, type, member, API_F_OUT)
static const struct api_field activity_rows[] = {
	A("id", API_I64, id),
	A("booking_id", API_I64, booking_id),
	A("at", API_TIME, at),
	A("actor", API_STR, actor),
	A("channel", API_STR, channel),
	A("user_agent", API_STR, user_agent),
	A("action", API_STR, action),
	A("outcome", API_STR, outcome),
	A("detail", API_STR, detail),
};
FIELDSET(api_activity_fields, activity_rows);

static const struct api_field slot_rows[] = {
	ROW(struct booking_slot, "start", API_TIME, start, API_F_OUT),
	ROW(struct booking_slot, "end", API_TIME, end, API_F_OUT),
	ROW(struct booking_slot, "staff_id", API_I64, staff_id, API_F_OUT),
};
FIELDSET(api_slot_fields, slot_rows);

#define R(name, type, member, flags) ROW(struct booking_report_row, name, type, member, flags)
static const struct api_field report_rows[] = {
	R("period", API_STR, period, API_F_OUT),
	R("location_id", API_I64, location_id, API_F_OUT | API_F_NULL),
	R("staff_id", API_I64, staff_id, API_F_OUT | API_F_NULL),
	R("reason", API_REASON, reason, API_F_OUT),
	R("count", API_I64, count, API_F_OUT),
};
FIELDSET(api_report_row_fields, report_rows);

#define ACT(name, type, member, flags) ROW(struct api_action, name, type, member, flags)
static const struct api_field reschedule_rows[] = {
	ACT("start", API_TIME, start, API_F_REQ),
	ACT("staff_id", API_I64, staff_id, API_F_NULL),
	ACT("version", API_I64, version, API_F_NULL),
};
FIELDSET(api_reschedule_fields, reschedule_rows);

static const struct api_field cancel_rows[] = {
	ACT("reason", API_REASON, reason, API_F_REQ),
	ACT("text", API_STR, text, 0),
	ACT("version", API_I64, version, API_F_NULL),
};
FIELDSET(api_cancel_fields, cancel_rows);

static const struct api_field version_rows[] = {
	ACT("version", API_I64, version, API_F_NULL),
};
FIELDSET(api_version_fields, version_rows);

static const struct api_field decline_rows[] = {
	ACT("text", API_STR, text, 0),
};
FIELDSET(api_decline_fields, decline_rows);

static const struct api_field notes_rows[] = {
	ACT("notes_public", API_STR, notes_public, 0),
	ACT("notes_private", API_STR, notes_private, 0),
	ACT("version", API_I64, version, API_F_NULL),
};
FIELDSET(api_notes_fields, notes_rows);

const struct api_fieldset api_no_fields = {NULL, 0};

/* clang-format on */

/* ---- members at offsets ---------------------------------------------------- */

static void put(void *rec, size_t off, const void *v, size_t n)
{
	memcpy((char *)rec + off, v, n);
}

static void get(const void *rec, size_t off, void *v, size_t n)
{
	memcpy(v, (const char *)rec + off, n);
}

static int64_t get_i64(const void *rec, size_t off)
{
	int64_t v;

	get(rec, off, &v, sizeof(v));
	return v;
}

static int get_int(const void *rec, size_t off)
{
	int v;

	get(rec, off, &v, sizeof(v));
	return v;
}

static const char *get_str(const void *rec, size_t off)
{
	const char *v;

	get(rec, off, &v, sizeof(v));
	return v;
}

/* ---- decoding ------------------------------------------------------------- */

static const char *type_name(enum api_type t)
{
	switch (t) {
	case API_STR:
		return "a string";
	case API_INT:
	case API_I64:
		return "an integer";
	case API_BOOL:
		return "true or false";
	case API_TIME:
		return "an RFC 3339 date-time such as \"2026-11-23T09:00:00Z\"";
	case API_DAY:
		return "a date such as \"2026-11-23\"";
	case API_HHMM:
		return "a time of day such as \"09:30\"";
	case API_IDS:
		return "an array of positive integers";
	case API_STATUS:
		return "a booking status (pending, confirmed, ...)";
	case API_REASON:
		return "a cancellation reason (customer, business, no_show, other)";
	case API_EXTRA:
		break;
	}
	return "something else";
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Sorted, without duplicates, as storage keeps id sets. -1 if not ids. */
static int decode_ids(struct api_ctx *x, const json_t *v, void *rec, const struct api_field *f)
{
	size_t n = json_array_size(v), k = 0;
	int64_t *ids = sd_arena_alloc(x->a, (n ? n : 1) * sizeof(*ids));

	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);

		if (!json_is_integer(e) || json_integer_value(e) <= 0)
			return -1;
		ids[i] = json_integer_value(e);
	}
	qsort(ids, n, sizeof(*ids), cmp_id);
	for (size_t i = 0; i < n; i++)
		if (!k || ids[k - 1] != ids[i])
			ids[k++] = ids[i];
	put(rec, f->off, &(const int64_t *){ ids }, sizeof(const int64_t *));
	put(rec, f->off2, &k, sizeof(k));
	return 0;
}

/* A string member through a parser into an int64_t or int. */
static int decode_text(const json_t *v, void *rec, const struct api_field *f)
{
	const char *s = json_string_value(v);
	int64_t t;
	int i;

	switch (f->type) {
	case API_TIME:
		if (api_time_parse(s, &t))
			return -1;
		put(rec, f->off, &t, sizeof(t));
		return 0;
	case API_DAY:
		if (api_day_parse(s, &t))
			return -1;
		put(rec, f->off, &t, sizeof(t));
		return 0;
	case API_HHMM:
		if (api_hhmm_parse(s, &i))
			return -1;
		break;
	case API_STATUS:
		if (!(i = booking_status_from_name(s)))
			return -1;
		break;
	case API_REASON:
		if (!(i = booking_reason_from_name(s)))
			return -1;
		break;
	default:
		return -1;
	}
	put(rec, f->off, &i, sizeof(i));
	return 0;
}

static int decode_one(struct api_ctx *x, const struct api_field *f, const json_t *v, void *rec)
{
	int64_t zero = 0;
	int i;

	if (json_is_null(v) && (f->flags & API_F_NULL)) {
		if (f->type == API_I64 || f->type == API_TIME)
			put(rec, f->off, &zero, sizeof(zero));
		else
			put(rec, f->off, &(int){ 0 }, sizeof(int));
		return 0;
	}
	switch (f->type) {
	case API_STR:
		if (!json_is_string(v))
			return -1;
		put(rec, f->off, &(const char *){ json_string_value(v) }, sizeof(const char *));
		return 0;
	case API_INT:
		if (!json_is_integer(v) || json_integer_value(v) < -1000000000 ||
		    json_integer_value(v) > 1000000000)
			return -1;
		i = (int)json_integer_value(v);
		put(rec, f->off, &i, sizeof(i));
		return 0;
	case API_I64:
		if (!json_is_integer(v))
			return -1;
		put(rec, f->off, &(int64_t){ json_integer_value(v) }, sizeof(int64_t));
		return 0;
	case API_BOOL:
		if (!json_is_boolean(v))
			return -1;
		put(rec, f->off, &(int){ json_is_true(v) }, sizeof(int));
		return 0;
	case API_IDS:
		return json_is_array(v) ? decode_ids(x, v, rec, f) : -1;
	case API_EXTRA:
		return 0;
	default:
		return json_is_string(v) ? decode_text(v, rec, f) : -1;
	}
}

static const struct api_field *field_find(const struct api_fieldset *fs, const char *name)
{
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->f[i].name, name))
			return &fs->f[i];
	return NULL;
}

int api_decode(struct api_ctx *x, json_t *obj, const struct api_fieldset *fs, void *rec,
               enum api_mode mode)
{
	const struct api_field *f;
	const char *key;
	json_t *v;

	json_object_foreach (obj, key, v) {
		if (!(f = field_find(fs, key)))
			return api_invalid(x, sd_arena_strdup(x->a, key), "unknown member \"%s\"",
			                   key);
		if (f->flags & API_F_OUT)
			continue;
		if (decode_one(x, f, v, rec))
			return api_invalid(x, f->name, "\"%s\" must be %s", f->name,
			                   type_name(f->type));
	}
	if (mode != API_CREATE)
		return 0;
	for (size_t i = 0; i < fs->n; i++)
		if ((fs->f[i].flags & API_F_REQ) && !json_object_get(obj, fs->f[i].name))
			return api_invalid(x, fs->f[i].name, "\"%s\" is required", fs->f[i].name);
	return 0;
}

int api_body_object(struct api_ctx *x, int empty_ok, json_t **obj)
{
	if (!x->body && empty_ok) {
		*obj = api_keep(x, json_object());
		return 0;
	}
	if (!x->body)
		return api_invalid(x, NULL, "a JSON object is required as the body");
	if (!json_is_object(x->body))
		return api_invalid(x, NULL, "the body must be a JSON object");
	*obj = x->body;
	return 0;
}

/* ---- encoding ------------------------------------------------------------- */

static json_t *text(const char *s)
{
	json_t *j = json_string(s ? s : "");

	return j ? j : json_string("");
}

static json_t *encode_ids(const void *rec, const struct api_field *f)
{
	const int64_t *ids;
	size_t n;
	json_t *a = json_array();

	get(rec, f->off, &ids, sizeof(ids));
	get(rec, f->off2, &n, sizeof(n));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(ids[i]));
	return a;
}

static json_t *encode_one(const struct api_field *f, const void *rec)
{
	char buf[API_TIME_LEN];
	const char *name;
	int64_t t;

	switch (f->type) {
	case API_STR:
		return text(get_str(rec, f->off));
	case API_INT:
		return json_integer(get_int(rec, f->off));
	case API_I64:
		t = get_i64(rec, f->off);
		return !t && (f->flags & API_F_NULL) ? json_null() : json_integer(t);
	case API_BOOL:
		return json_boolean(get_int(rec, f->off));
	case API_TIME:
		t = get_i64(rec, f->off);
		return !t && (f->flags & API_F_NULL) ? json_null() : text(api_time_format(buf, t));
	case API_DAY:
		return text(api_day_format(buf, get_i64(rec, f->off)));
	case API_HHMM:
		return text(api_hhmm_format(buf, get_int(rec, f->off)));
	case API_IDS:
		return encode_ids(rec, f);
	case API_STATUS:
		name = booking_status_name(get_int(rec, f->off));
		return name ? text(name) : json_null();
	case API_REASON:
		name = booking_reason_name(get_int(rec, f->off));
		return name && get_int(rec, f->off) ? text(name) : json_null();
	case API_EXTRA:
		break;
	}
	return json_null();
}

json_t *api_encode(const struct api_fieldset *fs, const void *rec)
{
	json_t *o = json_object();

	for (size_t i = 0; i < fs->n; i++)
		if (!(fs->f[i].flags & API_F_IN) && fs->f[i].type != API_EXTRA)
			json_object_set_new(o, fs->f[i].name, encode_one(&fs->f[i], rec));
	return o;
}
