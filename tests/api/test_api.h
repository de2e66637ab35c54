/* test_api.h - what the tests of api/ share: the fake booking engine's
 * knobs and records, and a helper that runs one request through
 * api_handle() in-process.
 *
 * The fake (fake_booking.c) stands in for booking/ and for storage's
 * reads. Its world: user 1 is an admin (staff 10), user 2 staff (staff 20,
 * login "bob"), user 3 a customer (customer 30), user 4 a login with no
 * role. Location 1 is in Europe/Berlin, service 5 belongs to it, booking
 * 100 exists. A booking call returns fake.rc (with fake.msg) when set, and
 * records what it was given in fake.* so tests can check the decoding.
 * Every booking call and every store_begin checks that no read
 * transaction is left open.
 */
#ifndef TEST_API_H
#define TEST_API_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "api.h"
#include "booking.h"
#include "sd_req.h"

struct fake {
	int rc;           /* the next booking call's result */
	const char *msg;  /* its message */
	const char *last; /* name of the last booking call */
	int txn_open;     /* a read transaction is open */
	int txn_errors;   /* begin inside a transaction, booking call inside one */
	/* what the last calls were given */
	struct store_location location;
	struct store_staff staff;
	struct store_service service;
	struct store_customer customer;
	struct store_exception exception;
	struct booking_new bnew;
	struct store_booking_filter filter;
	struct store_hours hours[16];
	size_t nhours;
	int64_t id, version, start, staff_id, from, to, location_id;
	int reason;
	const char *text, *notes_public, *notes_private;
	enum booking_report_period period;
	const char *user_agent, *channel;
};

extern struct fake fake;
void fake_reset(void);

/* One exchange: request in, response out, its arena freed by reply_free. */
struct reply {
	struct sd_arena *a;
	struct sd_req req;
	int status;
	json_t *json; /* the body parsed, when it is JSON */
};

/* Runs method path[?query] as user_id with body (NULL: none) and headers
 * "Name: value\n..." (NULL: none; a JSON body gets application/json unless
 * headers name a Content-Type). */
void run(struct reply *r, int64_t user_id, const char *method, const char *target, const char *body,
	 const char *headers);
void reply_free(struct reply *r);
/* error.code of a JSON error body, or "". */
const char *reply_code(const struct reply *r);
const char *reply_field(const struct reply *r);

int test_api_time(void);
int test_api_codec(void);
int test_api_route(void);

#endif
