/* test_api.h - what the tests of api/ share: a world of real records in a
 * real SQLite store, and a helper that runs one request through
 * api_handle() in-process, as server/ would after authentication.
 *
 * The world (world_setup, fresh for every test): one location "Workshop"
 * in Europe/Berlin; staff alice (admin), bob and carol, all at it; alice
 * and bob work 08:00-18:00 every day there; a 60-minute service with a
 * 15-minute buffer after, performed by alice and bob; customers dora
 * ("Dora Explorer") and eve, each with a login; and the login "nobody",
 * which is neither staff nor a customer. There are no bookings.
 *
 * api/ reads the real clock (sd_now), so no test names a date: times are
 * taken relative to w.mon, a Monday 8 to 14 days ahead (beyond every
 * notice, within the 90-day horizon), or to w.today, both local days of
 * Europe/Berlin computed when the world is made.
 */
#ifndef TEST_API_H
#define TEST_API_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "api.h"
#include "booking.h"
#include "sd_req.h"
#include "store_backend.h"

#define TZ   "Europe/Berlin"
#define HOUR 3600LL

/* The logins of the world; run() acts as one of them. */
enum login { ALICE, BOB, CAROL, DORA, EVE, NOBODY, NLOGINS };

struct world {
	char dir[64];
	struct store *st;
	struct store_backend *fault; /* wraps SQLite; disarmed unless a test arms it */
	struct store_conn *c;        /* the connection api_handle() gets */
	struct sd_arena *a;          /* the tests' own memory, freed at teardown */
	struct sd_err err;
	int64_t user[NLOGINS]; /* users.id of each login */
	int64_t loc, svc;
	int64_t alice, bob, carol; /* staff ids */
	int64_t dora, eve;         /* customer ids */
	int64_t now;               /* the clock when the world was made */
	int64_t today, mon;        /* local day numbers: today, a Monday 8..14 days ahead */
};

extern struct world w;

/* cmocka setup and teardown: a fresh world in a temporary directory. */
int world_setup(void **state);
int world_teardown(void **state);

/* Local time hour:min on local day `day` (days since 1970-01-01) in TZ. */
int64_t day_at(int64_t day, int hour, int min);
/* day_at(w.mon + d, hour, min). */
int64_t at(int d, int hour, int min);

/* Text in w.a (valid until teardown). */
const char *S(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "2026-11-23T09:00:00Z" of t. */
const char *iso(int64_t t);
/* t as TZ's wall clock with its offset: "2026-11-23T10:00:00+01:00". */
const char *iso_local(int64_t t);
/* "2026-11-23" of a day number. */
const char *day_str(int64_t day);

/* Creates a booking of the service directly through booking/, as the
 * system with the clock at now (so it may lie in the real past); its id. */
int64_t book_as_system(int64_t staff_id, int64_t customer_id, int64_t start, int64_t now);
/* The stored booking id (through storage, not the API). */
void booking_stored(int64_t id, struct store_booking *out);

/* The number of free slots of service_id (staff_id 0: anyone) on local
 * day `day`, asked through GET /availability as dora; *first (may be NULL)
 * gets the first slot's start (0 when there is none). */
size_t slots_on(int64_t service_id, int64_t staff_id, int64_t day, int64_t *first);

/* One exchange: request in, response out, its arena freed by reply_free. */
struct reply {
	struct sd_arena *a;
	struct sd_req req;
	int status;
	json_t *json; /* the body parsed, when it is JSON */
};

/* Runs method on the target (path[?query], printf-style) as login who,
 * with body (NULL: none) and headers "Name: value\n..." (NULL: none; a JSON
 * body gets application/json unless headers name a Content-Type). After
 * the call it checks that no transaction was left open on w.c. */
void run(struct reply *r, int who, const char *method, const char *body, const char *headers,
         const char *target, ...) __attribute__((format(printf, 6, 7)));
void reply_free(struct reply *r);

/* Checks the status (and for errors the JSON error body: its code, and its
 * field when field is not NULL) and Cache-Control. */
void expect(struct reply *r, int status, const char *code, const char *field);
/* error.code / error.field / error.message of a JSON error body, or "". */
const char *reply_code(const struct reply *r);
const char *reply_field(const struct reply *r);
const char *reply_message(const struct reply *r);
/* A response header, or "". */
const char *header(const struct reply *r, const char *name);
/* The body as text, or "". */
const char *body(struct reply *r);

/* Members of a JSON object: a string ("(none)" if absent or not one), an
 * integer (0), an array's size (0). */
const char *jstr(const json_t *o, const char *key);
int64_t jint(const json_t *o, const char *key);
size_t jlen(const json_t *o, const char *key);
/* The instant of an RFC 3339 member (fails the test if it is not one). */
int64_t jtime(const json_t *o, const char *key);
/* Asserts that the instant t was made during this test. */
void assert_recent(int64_t t);

int test_api_time(void);
int test_api_codec(void);
int test_api_route(void);
int test_api_config(void);
int test_api_booking(void);

#endif
