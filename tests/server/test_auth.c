/* test_auth.c - Basic header parsing, argon2id hashes and the credentials cache
 * (against a real SQLite store in a temporary directory). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "sd_arena.h"
#include "sd_req.h"
#include "store.h"
#include "test_server.h"

/* ---- srv_basic_parse ---------------------------------------------------- */

static char *b64(const char *s)
{
	static char out[512];

	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)strlen(s));
	return out;
}

static char *basic(const char *userpass)
{
	static char hdr[600];

	snprintf(hdr, sizeof(hdr), "Basic %s", b64(userpass));
	return hdr;
}

static int parse(const char *header, const char **user, const char **pass)
{
	static struct sd_arena *a;
	char *u = NULL, *p = NULL;
	int rc;

	sd_arena_free(a);
	a = sd_arena_new();
	rc = srv_basic_parse(&u, &p, header, a);
	*user = u;
	*pass = p;
	if (!header) { /* the last call frees the arena */
		sd_arena_free(a);
		a = NULL;
	}
	return rc;
}

static void test_basic_valid(void **state)
{
	const char *u, *p;

	(void)state;
	assert_int_equal(parse(basic("alice:secret"), &u, &p), 0);
	assert_string_equal(u, "alice");
	assert_string_equal(p, "secret");
	/* the password may hold ':'; scheme case-insensitive; extra blanks */
	assert_int_equal(parse(basic("bob:a:b:c"), &u, &p), 0);
	assert_string_equal(u, "bob");
	assert_string_equal(p, "a:b:c");
	assert_int_equal(parse("bAsIc   Ym9iOng=  ", &u, &p), 0);
	assert_string_equal(u, "bob");
	assert_string_equal(p, "x");
	/* padding: none, one, two */
	assert_int_equal(parse(basic("abc:def"), &u, &p), 0); /* "YWJjOmRlZg==" */
	assert_int_equal(parse(basic("ab:cdef"), &u, &p), 0);
	assert_int_equal(parse(basic("abc:defg"), &u, &p), 0);
	assert_string_equal(p, "defg");
	/* UTF-8 credentials (RFC 7617 charset="UTF-8") and empty passwords parse */
	assert_int_equal(parse(basic("j\xc3\xbcrgen:p\xc3\xa4ss"), &u, &p), 0);
	assert_string_equal(u, "j\xc3\xbcrgen");
	assert_int_equal(parse(basic("carol:"), &u, &p), 0);
	assert_string_equal(p, "");
	parse(NULL, &u, &p);
}

static void test_basic_invalid(void **state)
{
	const char *u, *p;
	char big[SRV_AUTH_HEADER_MAX + 16];

	(void)state;
	assert_int_equal(parse(NULL, &u, &p), SRV_AUTH_EDENIED);
	assert_int_equal(parse("", &u, &p), SRV_AUTH_EDENIED);
	assert_int_equal(parse(basic("nocolon"), &u, &p), SRV_AUTH_EDENIED);
	assert_int_equal(parse(basic(":emptyuser"), &u, &p), SRV_AUTH_EDENIED);
	assert_int_equal(parse("Bearer YWxpY2U6c2VjcmV0", &u, &p), SRV_AUTH_EDENIED);
	assert_int_equal(parse("Digest username=\"alice\"", &u, &p), SRV_AUTH_EDENIED);
	assert_int_equal(parse("BasicYWxpY2U6c2VjcmV0", &u, &p), SRV_AUTH_EDENIED);
	assert_int_equal(parse("Basic", &u, &p), SRV_AUTH_EDENIED);
	assert_int_equal(parse("Basic ", &u, &p), SRV_AUTH_EDENIED);
	assert_int_equal(parse("Basic YWxpY2U6c2VjcmV0!", &u, &p), SRV_AUTH_EDENIED); /* alphabet */
	assert_int_equal(parse("Basic YWxpY2U6c2VjcmV", &u, &p), SRV_AUTH_EDENIED);   /* length */
	assert_int_equal(parse("Basic YWJjOmRlZg=", &u, &p), SRV_AUTH_EDENIED);       /* padding */
	assert_int_equal(parse("Basic YW=jOmRlZg==", &u, &p), SRV_AUTH_EDENIED); /* '=' inside */
	assert_int_equal(parse("Basic YWJjOmRl====", &u, &p), SRV_AUTH_EDENIED); /* too much */
	assert_int_equal(parse("Basic YWxp Y2U6c2VjcmV0", &u, &p),
	                 SRV_AUTH_EDENIED);                                  /* two tokens */
	assert_int_equal(parse("Basic YQBiOmM=", &u, &p), SRV_AUTH_EDENIED); /* "a\0b:c" */
	assert_int_equal(parse(basic("a\tb:c"), &u, &p), SRV_AUTH_EDENIED);  /* control char */
	assert_int_equal(parse(basic("a:b\nc"), &u, &p), SRV_AUTH_EDENIED);
	assert_int_equal(parse(basic("\xff\xfe:x"), &u, &p), SRV_AUTH_EDENIED); /* not UTF-8 */
	memset(big, 'A', sizeof(big));
	memcpy(big, "Basic ", 6);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(parse(big, &u, &p), SRV_AUTH_EDENIED);
	parse(NULL, &u, &p);
}

/* ---- passwords ---------------------------------------------------------- */

static void test_password_hash_verify(void **state)
{
	char h1[SRV_PWHASH_MAX], h2[SRV_PWHASH_MAX];
	struct sd_err err;

	(void)state;
	assert_int_equal(srv_password_hash(h1, "correct horse", &err), 0);
	assert_int_equal(strncmp(h1, "$argon2id$v=19$m=19456,t=2,p=1$", 31), 0);
	assert_int_equal(srv_password_hash(h2, "correct horse", &err), 0);
	assert_string_not_equal(h1, h2); /* random salt */
	assert_int_equal(srv_password_verify(h1, "correct horse"), 0);
	assert_int_equal(srv_password_verify(h2, "correct horse"), 0);
	assert_int_equal(srv_password_verify(h1, "correct horsE"), SRV_AUTH_EDENIED);
	assert_int_equal(srv_password_verify(h1, ""), SRV_AUTH_EDENIED);
	assert_int_equal(srv_password_verify("not a hash", "x"), SRV_AUTH_EDENIED);
	assert_int_equal(srv_password_verify("", "x"), SRV_AUTH_EDENIED);
}

/* ---- the cache, against a real store ------------------------------------ */

static int64_t fake_time = 1000000;

static int64_t fake_now(void)
{
	return fake_time;
}

struct fixture {
	char *dir;
	struct store *st;
	struct store_conn *c;
	struct srv_auth *auth;
	struct sd_arena *arena;
	int64_t alice;
};

static void set_password(struct fixture *f, const char *name, const char *pw)
{
	char hash[SRV_PWHASH_MAX];
	struct sd_err err;

	assert_int_equal(srv_password_hash(hash, pw, &err), 0);
	assert_int_equal(store_user_set_password(f->c, name, hash, &err), 0);
}

static int setup_cache(void **state, int cache_seconds, size_t cache_max)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct srv_auth_opts o = { "test realm", cache_seconds, cache_max, fake_now };
	char path[4200], hash[SRV_PWHASH_MAX];
	struct sd_err err;

	f->dir = test_tmpdir();
	snprintf(path, sizeof(path), "%s/auth.db", f->dir);
	assert_int_equal(store_open(&f->st, path, 2, &err), 0);
	assert_int_equal(store_conn_acquire(f->st, &f->c, &err), 0);
	assert_int_equal(srv_password_hash(hash, "alice-pw", &err), 0);
	assert_int_equal(store_user_create(f->c, "alice", "Alice", "", hash, &f->alice, &err), 0);
	assert_int_equal(srv_password_hash(hash, "bob-pw", &err), 0);
	assert_int_equal(store_user_create(f->c, "bob", "", "", hash, NULL, &err), 0);
	assert_int_equal(srv_auth_new(&f->auth, &o, &err), 0);
	f->arena = sd_arena_new();
	fake_time = 1000000;
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_cache(state, 60, 0);
}

static int setup_nocache(void **state)
{
	return setup_cache(state, 0, 0);
}

static int setup_small(void **state)
{
	return setup_cache(state, 60, 2);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	srv_auth_free(f->auth);
	sd_arena_free(f->arena);
	store_conn_release(f->c);
	store_close(f->st);
	test_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static int check(struct fixture *f, const char *userpass)
{
	struct srv_auth_user who = { 0 };
	struct sd_err err = { 0 };
	int rc =
	    srv_auth_check(f->auth, &who, f->c, userpass ? basic(userpass) : NULL, f->arena, &err);

	if (rc == 0) {
		assert_non_null(who.name);
		assert_int_equal(strncmp(userpass, who.name, strlen(who.name)), 0);
	}
	return rc;
}

static struct srv_auth_stats stats(struct fixture *f)
{
	struct srv_auth_stats s;

	srv_auth_stats(f->auth, &s);
	return s;
}

static void test_hit_avoids_hashing(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(check(f, "alice:alice-pw"), 0);
	assert_int_equal(stats(f).verifications, 1);
	assert_int_equal(stats(f).entries, 1);
	for (int i = 0; i < 5; i++)
		assert_int_equal(check(f, "alice:alice-pw"), 0);
	assert_int_equal(stats(f).verifications, 1);
	assert_int_equal(stats(f).hits, 5);
	/* another user is another entry */
	assert_int_equal(check(f, "bob:bob-pw"), 0);
	assert_int_equal(check(f, "bob:bob-pw"), 0);
	assert_int_equal(stats(f).verifications, 2);
	assert_int_equal(stats(f).entries, 2);
}

static void test_wrong_and_unknown_denied_alike(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(check(f, "alice:wrong"), SRV_AUTH_EDENIED);
	assert_int_equal(check(f, "mallory:alice-pw"), SRV_AUTH_EDENIED);
	/* both cost one argon2 verification (the unknown user's a dummy one) */
	assert_int_equal(stats(f).verifications, 2);
	/* failures are never cached */
	assert_int_equal(check(f, "alice:wrong"), SRV_AUTH_EDENIED);
	assert_int_equal(stats(f).verifications, 3);
	assert_int_equal(stats(f).entries, 0);
	assert_int_equal(check(f, NULL), SRV_AUTH_EDENIED);
	assert_int_equal(check(f, "alice"), SRV_AUTH_EDENIED);
	assert_int_equal(stats(f).verifications, 3); /* malformed: no hashing */
}

static void test_password_change_invalidates(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(check(f, "alice:alice-pw"), 0);
	assert_int_equal(check(f, "alice:alice-pw"), 0);
	assert_int_equal(stats(f).hits, 1);
	/* as `slotdav user passwd` in another process would */
	set_password(f, "alice", "new-pw");
	assert_int_equal(check(f, "alice:alice-pw"), SRV_AUTH_EDENIED);
	assert_int_equal(stats(f).hits, 1);
	assert_int_equal(stats(f).entries, 0);
	assert_int_equal(check(f, "alice:new-pw"), 0);
	assert_int_equal(check(f, "alice:new-pw"), 0);
	assert_int_equal(stats(f).hits, 2);
	/* even re-setting the same password changes the stored hash (salt) */
	set_password(f, "alice", "new-pw");
	assert_int_equal(check(f, "alice:new-pw"), 0);
	assert_int_equal(stats(f).hits, 2);
}

static void test_deleted_user_denied(void **state)
{
	struct fixture *f = *state;
	struct sd_err err;

	assert_int_equal(check(f, "bob:bob-pw"), 0);
	assert_int_equal(store_user_delete(f->c, "bob", &err), 0);
	assert_int_equal(check(f, "bob:bob-pw"), SRV_AUTH_EDENIED);
	assert_int_equal(stats(f).hits, 0);
	assert_int_equal(stats(f).entries, 0);
}

static void test_expiry(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(check(f, "alice:alice-pw"), 0);
	fake_time += 59;
	assert_int_equal(check(f, "alice:alice-pw"), 0);
	assert_int_equal(stats(f).verifications, 1);
	fake_time += 1; /* 60 s after verification: expired */
	assert_int_equal(check(f, "alice:alice-pw"), 0);
	assert_int_equal(stats(f).verifications, 2);
	assert_int_equal(stats(f).entries, 1);
	assert_int_equal(check(f, "alice:alice-pw"), 0);
	assert_int_equal(stats(f).verifications, 2);
}

static void test_no_cache(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < 3; i++)
		assert_int_equal(check(f, "alice:alice-pw"), 0);
	assert_int_equal(stats(f).verifications, 3);
	assert_int_equal(stats(f).hits, 0);
	assert_int_equal(stats(f).entries, 0);
}

static void test_eviction(void **state)
{
	struct fixture *f = *state;

	/* capacity 2: alice, bob, then bob with another header form evicts alice */
	assert_int_equal(check(f, "alice:alice-pw"), 0);
	assert_int_equal(check(f, "bob:bob-pw"), 0);
	assert_int_equal(stats(f).entries, 2);
	{
		struct srv_auth_user who;
		struct sd_err err;

		assert_int_equal(
		    srv_auth_check(f->auth, &who, f->c, "basic Ym9iOmJvYi1wdw==", f->arena, &err),
		    0);
	}
	assert_int_equal(stats(f).verifications, 3);
	assert_int_equal(stats(f).entries, 2);
	assert_int_equal(check(f, "bob:bob-pw"), 0); /* still cached */
	assert_int_equal(stats(f).verifications, 3);
	assert_int_equal(check(f, "alice:alice-pw"), 0); /* evicted: verified again */
	assert_int_equal(stats(f).verifications, 4);
	srv_auth_cache_clear(f->auth);
	assert_int_equal(stats(f).entries, 0);
	assert_int_equal(check(f, "alice:alice-pw"), 0);
	assert_int_equal(stats(f).verifications, 5);
}

static void test_request_401(void **state)
{
	struct fixture *f = *state;
	struct sd_arena *a = sd_arena_new();
	struct sd_req req;
	struct sd_err err;

	sd_req_init(&req, a);
	assert_int_equal(srv_auth_request(f->auth, f->c, &req, &err), SRV_AUTH_EDENIED);
	assert_int_equal(req.status, 401);
	assert_string_equal(sd_req_resp_header(&req, "WWW-Authenticate"),
	                    "Basic realm=\"test realm\", charset=\"UTF-8\"");
	assert_true(req.resp_body.len > 0);
	assert_int_equal(req.user_id, 0);
	sd_arena_free(a);

	a = sd_arena_new();
	sd_req_init(&req, a);
	sd_req_add_header(&req, "authorization", basic("alice:alice-pw"));
	assert_int_equal(srv_auth_request(f->auth, f->c, &req, &err), 0);
	assert_int_equal(req.user_id, f->alice);
	assert_string_equal(req.user_name, "alice");
	assert_int_equal(req.status, 0);
	sd_arena_free(a);
}

int test_auth_run(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_valid),
		cmocka_unit_test(test_basic_invalid),
		cmocka_unit_test(test_password_hash_verify),
		cmocka_unit_test_setup_teardown(test_hit_avoids_hashing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_and_unknown_denied_alike, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_password_change_invalidates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_user_denied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_cache, setup_nocache, teardown),
		cmocka_unit_test_setup_teardown(test_eviction, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_request_401, setup, teardown),
	};

	return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
