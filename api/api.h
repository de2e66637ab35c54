/* api.h - the JSON API front (/api/v1): one call per request.
 *
 * server/ routes cfg->prefix and everything below it here after it has
 * authenticated the user (req->user_id and user_name set). api_handle()
 * finds the route, works out who acts (booking_actor_for_user: a login
 * that is neither staff nor a customer gets 403), decodes the JSON body
 * and the query, calls booking (or, for reads of configuration, storage
 * through a read transaction) and encodes the result. It returns the HTTP
 * status, also left in req->status. docs/api.md lists the endpoints.
 *
 * Every response carries Cache-Control: no-store. Bodies are
 * application/json (or text/csv for the cancellation report); an error is
 *   {"error": {"code": "slot_unavailable", "message": "...", "field": "start"}}
 * with "field" only when one member of the request is to blame. The codes
 * are booking_code_name()'s plus a few of this module's own (api_int.h).
 */
#ifndef API_H
#define API_H

#include <stdint.h>

#include "sd_err.h"
#include "sd_req.h"
#include "store.h"

/* Fetches external calendar id now and records the outcome on c (no
 * transaction open), bounded in time; returns a STORE_E* code of storage
 * only. server/ wires extcal_refresh here, which keeps api/ free of
 * extcal/ (STYLE: api -> booking). */
typedef int (*api_extcal_refresh_fn)(void *cls, struct store_conn *c, int64_t id,
                                     struct sd_err *err);

struct api_config {
	const char *prefix;                   /* "/api/v1", no trailing slash */
	api_extcal_refresh_fn extcal_refresh; /* NULL: refresh answers 503 */
	void *extcal_cls;
};

/* Handles the request; see the file comment. conn is borrowed for the call
 * (no transaction may be open on it; none is left open). */
int api_handle(struct sd_req *req, struct store_conn *conn, const struct api_config *cfg);

#endif
