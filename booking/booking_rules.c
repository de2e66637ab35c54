/* booking_rules.c - the rule set, its stored encoding, and the names of the
 * stored enums and error codes.
 *
 * A location stores a full rule set (its defaults for every service); a
 * service stores only the rules it overrides. Both are kept as a JSON
 * object of rule name -> integer (booleans are accepted for 0/1 rules), so
 * adding a rule is one row of BOOKING_RULES and old rows simply lack it and
 * get the default. Applying text is all-or-nothing: a bad name, type or
 * value leaves the rule set as it was.
 */
#include <jansson.h>
#include <string.h>

#include "booking_int.h"

/* ---- names ------------------------------------------------------------- */

const char *booking_code_name(int code)
{
	switch (code) {
	case BOOKING_OK:
		return "ok";
#define BOOKING_NAME(name, value, str) \
	case name:                     \
		return str;
		BOOKING_CODES(BOOKING_NAME)
#undef BOOKING_NAME
	default:
		return "internal";
	}
}

static const char *const status_names[] = {
	[STORE_BK_PENDING] = "pending",     [STORE_BK_CONFIRMED] = "confirmed",
	[STORE_BK_CANCELLED] = "cancelled", [STORE_BK_COMPLETED] = "completed",
	[STORE_BK_NO_SHOW] = "no_show",
};

static const char *const reason_names[] = {
	[STORE_CANCEL_CUSTOMER] = "customer",
	[STORE_CANCEL_BUSINESS] = "business",
	[STORE_CANCEL_NO_SHOW] = "no_show",
	[STORE_CANCEL_OTHER] = "other",
};

static const char *name_of(const char *const *names, size_t n, int v)
{
	return v > 0 && (size_t)v < n ? names[v] : NULL;
}

static int value_of(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 1; s && i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return 0;
}

const char *booking_status_name(int status)
{
	return name_of(status_names, SD_ARRAY_LEN(status_names), status);
}

int booking_status_from_name(const char *s)
{
	return value_of(status_names, SD_ARRAY_LEN(status_names), s);
}

const char *booking_reason_name(int reason)
{
	return name_of(reason_names, SD_ARRAY_LEN(reason_names), reason);
}

int booking_reason_from_name(const char *s)
{
	return value_of(reason_names, SD_ARRAY_LEN(reason_names), s);
}

/* ---- rules ------------------------------------------------------------- */

struct rule_desc {
	const char *name;
	size_t offset;
	int def, min, max;
};

static const struct rule_desc rule_table[] = {
#define BOOKING_RULE_DESC(type, name, def, min, max) \
	{ #name, offsetof(struct booking_rules, name), def, min, max },
	BOOKING_RULES(BOOKING_RULE_DESC)
#undef BOOKING_RULE_DESC
};

static int *rule_slot(struct booking_rules *r, const struct rule_desc *d)
{
	return (int *)((char *)r + d->offset);
}

void booking_rules_defaults(struct booking_rules *out)
{
	for (size_t i = 0; i < SD_ARRAY_LEN(rule_table); i++)
		*rule_slot(out, &rule_table[i]) = rule_table[i].def;
}

static const struct rule_desc *rule_find(const char *name)
{
	for (size_t i = 0; i < SD_ARRAY_LEN(rule_table); i++)
		if (!strcmp(rule_table[i].name, name))
			return &rule_table[i];
	return NULL;
}

/* The value of one member: an integer, or a boolean for a 0/1 rule. */
static int rule_value(const struct rule_desc *d, json_t *v, int *out, struct sd_err *err)
{
	json_int_t i;

	if (json_is_boolean(v) && d->min == 0 && d->max == 1) {
		*out = json_is_true(v);
		return BOOKING_OK;
	}
	if (!json_is_integer(v))
		return sd_err_set(err, BOOKING_EINVALID, "rule %s: expected %s", d->name,
		                  d->max == 1 ? "true or false" : "an integer");
	i = json_integer_value(v);
	if (i < d->min || i > d->max)
		return sd_err_set(err, BOOKING_EINVALID, "rule %s: %lld is out of range (%d to %d)",
		                  d->name, (long long)i, d->min, d->max);
	*out = (int)i;
	return BOOKING_OK;
}

int booking_rules_apply(struct booking_rules *r, const char *text, struct sd_err *err)
{
	struct booking_rules next = *r;
	json_error_t jerr;
	const char *key;
	json_t *root, *v;
	int rc = BOOKING_OK;

	if (!text || !*text)
		return BOOKING_OK;
	root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return sd_err_set(err, BOOKING_EINVALID, "rules: %s (line %d)", jerr.text,
		                  jerr.line);
	if (!json_is_object(root)) {
		rc = sd_err_set(err, BOOKING_EINVALID, "rules: expected an object");
		goto out;
	}
	json_object_foreach (root, key, v) {
		const struct rule_desc *d = rule_find(key);

		if (!d) {
			rc = sd_err_set(err, BOOKING_EINVALID, "unknown rule \"%s\"", key);
			goto out;
		}
		if ((rc = rule_value(d, v, rule_slot(&next, d), err)))
			goto out;
	}
	*r = next;
out:
	json_decref(root);
	return rc;
}

/* rules: every rule of r; only: when not NULL, only the rules whose value
 * differs from only's (the overrides of a service over its location). */
static char *rules_encode(struct sd_arena *a, const struct booking_rules *r,
                          const struct booking_rules *base)
{
	json_t *o = json_object();
	char *text, *copy;

	for (size_t i = 0; i < SD_ARRAY_LEN(rule_table); i++) {
		const struct rule_desc *d = &rule_table[i];
		int v = *rule_slot((struct booking_rules *)r, d);

		if (base && v == *rule_slot((struct booking_rules *)base, d))
			continue;
		json_object_set_new(o, d->name,
		                    d->min == 0 && d->max == 1 ? json_boolean(v) : json_integer(v));
	}
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	copy = sd_arena_strdup(a, text);
	free(text);
	json_decref(o);
	return copy;
}

char *booking_rules_encode(struct sd_arena *a, const struct booking_rules *r)
{
	return rules_encode(a, r, NULL);
}

char *booking_rules_encode_overrides(struct sd_arena *a, const struct booking_rules *r,
                                     const struct booking_rules *base)
{
	return rules_encode(a, r, base);
}

int booking_rules_check(const char *text, struct sd_err *err)
{
	struct booking_rules r;

	booking_rules_defaults(&r);
	return booking_rules_apply(&r, text, err);
}

int booking_rules_for_location(const struct store_location *loc, struct booking_rules *out,
                               struct sd_err *err)
{
	booking_rules_defaults(out);
	return booking_rules_apply(out, loc->rules, err) ? BOOKING_EIO : BOOKING_OK;
}

int booking_rules_for_service(struct booking_ctx *x, int64_t service_id, struct booking_rules *out,
                              struct sd_err *err)
{
	struct store_service svc;
	struct store_location loc;
	int rc;

	if ((rc = booking_store_rc(store_service_get(x->conn, service_id, x->a, &svc, err), err)))
		return rc;
	if ((rc = booking_store_rc(store_location_get(x->conn, svc.location_id, x->a, &loc, err),
	                           err)))
		return rc;
	if (booking_rules_for_location(&loc, out, err) || booking_rules_apply(out, svc.rules, err))
		return sd_err_set(err, BOOKING_EIO, "stored rules of service %lld are unreadable",
		                  (long long)service_id);
	return BOOKING_OK;
}
