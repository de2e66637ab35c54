/* test_link.c - signed manage links (booking_link.c): round trip, every
 * part tampered, expiry, rotation with and after the grace period, purpose
 * and garbage. The test binary is linked with --wrap=CRYPTO_memcmp, so the
 * tests can see that MACs are compared by OpenSSL's constant-time compare
 * and by nothing else.
 */
#include <stdio.h>
#include <string.h>

#include "booking_link.h"
#include "test_booking.h"

#define NOW      INT64_C(1790000000)
#define SECRET_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SECRET_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define SECRET_C "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

int __real_CRYPTO_memcmp(const void *a, const void *b, size_t n);
int __wrap_CRYPTO_memcmp(const void *a, const void *b, size_t n);

static int memcmp_calls;

int __wrap_CRYPTO_memcmp(const void *a, const void *b, size_t n)
{
	memcmp_calls++;
	return __real_CRYPTO_memcmp(a, b, n);
}

static const struct booking_secrets only_a = { SECRET_A, NULL, 0, 0 };

static int check(struct sd_arena *a, const struct booking_secrets *s, const char *tok, int64_t now,
                 int64_t *id, const char **purpose)
{
	struct sd_err err = { 0 };
	int rc = booking_link_check(a, s, tok, now, id, purpose, &err);

	if (rc)
		assert_true(err.msg[0] != '\0');
	return rc;
}

static void test_round_trip(void **state)
{
	struct sd_arena *a = sd_arena_new();
	const char *purpose;
	int64_t id;
	char *tok = booking_link_make(a, &only_a, 4711, BOOKING_LINK_MANAGE, NOW + 3600);

	assert_non_null(tok);
	assert_int_equal(
	    strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
	    strlen(tok));
	memcmp_calls = 0;
	assert_int_equal(check(a, &only_a, tok, NOW, &id, &purpose), BOOKING_LINK_OK);
	assert_int_equal(memcmp_calls, 1);
	assert_int_equal(id, 4711);
	assert_string_equal(purpose, BOOKING_LINK_MANAGE);
	/* deterministic: the same inputs give the same token */
	assert_string_equal(tok,
	                    booking_link_make(a, &only_a, 4711, BOOKING_LINK_MANAGE, NOW + 3600));
	/* another secret does not verify it */
	struct booking_secrets b = { SECRET_B, NULL, 0, 0 };
	assert_int_equal(check(a, &b, tok, NOW, &id, &purpose), BOOKING_LINK_EBAD);
	assert_int_equal(id, 0);
	assert_null(purpose);
	sd_arena_free(a);
}

/* Every single character changed, in either part and the separator. */
static void test_tampered(void **state)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/";
	struct sd_arena *a = sd_arena_new();
	const char *tok = booking_link_make(a, &only_a, 12, BOOKING_LINK_MANAGE, NOW + 3600);
	size_t n = strlen(tok);
	const char *purpose;
	int64_t id;

	for (size_t i = 0; i < n; i++) {
		for (const char *c = alpha; *c; c++) {
			char *t = sd_arena_strdup(a, tok);

			if (*c == tok[i])
				continue;
			t[i] = *c;
			memcmp_calls = 0;
			assert_int_equal(check(a, &only_a, t, NOW, &id, &purpose),
			                 BOOKING_LINK_EBAD);
			assert_int_equal(id, 0);
			assert_true(memcmp_calls <= 1);
		}
	}
	/* truncated, extended, parts swapped */
	assert_int_equal(check(a, &only_a, sd_arena_strndup(a, tok, n - 1), NOW, &id, &purpose),
	                 BOOKING_LINK_EBAD);
	assert_int_equal(check(a, &only_a, sd_arena_printf(a, "%sA", tok), NOW, &id, &purpose),
	                 BOOKING_LINK_EBAD);
	assert_int_equal(check(a, &only_a, sd_arena_printf(a, "%s.AAAA", tok), NOW, &id, &purpose),
	                 BOOKING_LINK_EBAD);
	const char *dot = strchr(tok, '.');
	assert_int_equal(check(a, &only_a,
	                       sd_arena_printf(a, "%s.%.*s", dot + 1, (int)(dot - tok), tok), NOW,
	                       &id, &purpose),
	                 BOOKING_LINK_EBAD);
	sd_arena_free(a);
}

/* A payload of our own making with a MAC of another payload. */
static void test_spliced(void **state)
{
	struct sd_arena *a = sd_arena_new();
	const char *t1 = booking_link_make(a, &only_a, 1, BOOKING_LINK_MANAGE, NOW + 3600);
	const char *t2 = booking_link_make(a, &only_a, 2, BOOKING_LINK_MANAGE, NOW + 3600);
	const char *purpose;
	int64_t id;
	char *mix = sd_arena_printf(a, "%.*s%s", (int)(strchr(t2, '.') - t2), t2, strchr(t1, '.'));

	assert_int_equal(check(a, &only_a, mix, NOW, &id, &purpose), BOOKING_LINK_EBAD);
	sd_arena_free(a);
}

static void test_expired(void **state)
{
	struct sd_arena *a = sd_arena_new();
	const char *tok = booking_link_make(a, &only_a, 5, BOOKING_LINK_MANAGE, NOW);
	const char *purpose;
	int64_t id;

	assert_int_equal(check(a, &only_a, tok, NOW - 1, &id, &purpose), BOOKING_LINK_OK);
	assert_int_equal(check(a, &only_a, tok, NOW, &id, &purpose), BOOKING_LINK_EEXPIRED);
	assert_int_equal(id, 0);
	assert_int_equal(check(a, &only_a, tok, NOW + 86400 * 365, &id, &purpose),
	                 BOOKING_LINK_EEXPIRED);
	/* an expired link of another secret is just bad: nothing is revealed */
	struct booking_secrets b = { SECRET_B, NULL, 0, 0 };
	assert_int_equal(check(a, &b, tok, NOW + 10, &id, &purpose), BOOKING_LINK_EBAD);
	sd_arena_free(a);
}

static void test_rotation(void **state)
{
	struct sd_arena *a = sd_arena_new();
	const char *const prev[] = { SECRET_C, SECRET_A };
	struct booking_secrets rotated = { SECRET_B, prev, 2, NOW + 100 };
	const char *old = booking_link_make(a, &only_a, 9, BOOKING_LINK_MANAGE, NOW + 86400);
	const char *fresh = booking_link_make(a, &rotated, 9, BOOKING_LINK_MANAGE, NOW + 86400);
	const char *purpose;
	int64_t id;

	assert_string_not_equal(old, fresh);
	/* within the grace period the old secret still verifies */
	assert_int_equal(check(a, &rotated, old, NOW, &id, &purpose), BOOKING_LINK_OK);
	assert_int_equal(id, 9);
	assert_int_equal(check(a, &rotated, old, NOW + 99, &id, &purpose), BOOKING_LINK_OK);
	/* after it, not */
	assert_int_equal(check(a, &rotated, old, NOW + 100, &id, &purpose), BOOKING_LINK_EBAD);
	/* new links are made with the current secret and always verify */
	assert_int_equal(check(a, &rotated, fresh, NOW + 100, &id, &purpose), BOOKING_LINK_OK);
	/* old_until 0: previous secrets never accepted */
	struct booking_secrets never = { SECRET_B, prev, 2, 0 };
	assert_int_equal(check(a, &never, old, NOW, &id, &purpose), BOOKING_LINK_EBAD);
	/* the old server does not accept the new secret's links */
	assert_int_equal(check(a, &only_a, fresh, NOW, &id, &purpose), BOOKING_LINK_EBAD);
	sd_arena_free(a);
}

static void test_purpose(void **state)
{
	struct sd_arena *a = sd_arena_new();
	const char *purpose;
	int64_t id;
	const char *tok = booking_link_make(a, &only_a, 3, "cancel_7", NOW + 10);

	assert_int_equal(check(a, &only_a, tok, NOW, &id, &purpose), BOOKING_LINK_OK);
	assert_string_equal(purpose, "cancel_7");
	assert_string_not_equal(purpose, BOOKING_LINK_MANAGE);
	/* purposes are letters, digits and '_', at most 32 bytes */
	assert_null(booking_link_make(a, &only_a, 3, "", NOW));
	assert_null(booking_link_make(a, &only_a, 3, NULL, NOW));
	assert_null(booking_link_make(a, &only_a, 3, "a:b", NOW));
	assert_null(booking_link_make(a, &only_a, 3, "a.b", NOW));
	assert_null(booking_link_make(a, &only_a, 3, "abcdefghijklmnopqrstuvwxyz0123456", NOW));
	assert_non_null(booking_link_make(a, &only_a, 3, "abcdefghijklmnopqrstuvwxyz012345", NOW));
	/* no secret, no id */
	struct booking_secrets none = { "", NULL, 0, 0 };
	assert_null(booking_link_make(a, &none, 3, "manage", NOW));
	assert_null(booking_link_make(a, NULL, 3, "manage", NOW));
	assert_null(booking_link_make(a, &only_a, 0, "manage", NOW));
	assert_null(booking_link_make(a, &only_a, -4, "manage", NOW));
	sd_arena_free(a);
}

static void test_garbage(void **state)
{
	static const char *const bad[] = {
		"",
		".",
		"..",
		"a.b",
		"abc",
		"====.====",
		"%00.%00",
		"MToxOm1hbmFnZToxMA",
		"MToxOm1hbmFnZToxMA.",
		".MToxOm1hbmFnZToxMA",
		"MToxOm1hbmFnZToxMA==.AAAA",
		"<script>alert(1)</script>",
		"../../etc/passwd",
		"\xff\xfe.\x01\x02",
		"MToxOm1hbmFnZToxMA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	struct sd_arena *a = sd_arena_new();
	char *huge = sd_arena_alloc(a, 100001);
	const char *purpose;
	int64_t id;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(check(a, &only_a, bad[i], NOW, &id, &purpose), BOOKING_LINK_EBAD);
	assert_int_equal(check(a, &only_a, NULL, NOW, &id, &purpose), BOOKING_LINK_EBAD);
	memset(huge, 'A', 100000);
	huge[50000] = '.';
	huge[100000] = '\0';
	assert_int_equal(check(a, &only_a, huge, NOW, &id, &purpose), BOOKING_LINK_EBAD);
	/* a MAC of the right length over a payload that is not ours */
	assert_int_equal(booking_link_check(a, &only_a, bad[14], NOW, &id, &purpose, NULL),
	                 BOOKING_LINK_EBAD);
	sd_arena_free(a);
}

int test_link_run(const char *name)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip), cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_spliced),    cmocka_unit_test(test_expired),
		cmocka_unit_test(test_rotation),   cmocka_unit_test(test_purpose),
		cmocka_unit_test(test_garbage),
	};

	return _cmocka_run_group_tests(name, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}
