/* api_report.c - the cancellation report, as JSON or as CSV.
 *
 * booking_cancel_report counts the cancelled bookings whose appointment
 * starts in [from, to), per period (day, ISO week or month in the
 * location's zone), location, staff member and reason; admins only.
 * from and to may be days (of location_id's zone, or UTC without one; to
 * included) or instants.
 *
 * CSV is chosen by ?format=csv, or by an Accept header naming text/csv
 * when no format is given. It follows RFC 4180: a header line, CRLF line
 * ends, cells quoted when they hold a comma, a quote or a line end, quotes
 * doubled. A spreadsheet runs a cell starting with = + - @ (or tab or CR)
 * as a formula, so text cells starting so get a leading ' (OWASP "CSV
 * Injection"); numbers are written as numbers. Today's cells are all
 * server-made, but the guard is in the one function that writes cells, so
 * a future column of user text cannot forget it.
 */
#include <string.h>

#include "api_int.h"
#include "sd_util.h"

static const struct {
	const char *name;
	enum booking_report_period period;
} periods[] = {
	{ "day", BOOKING_PERIOD_DAY },
	{ "week", BOOKING_PERIOD_WEEK },
	{ "month", BOOKING_PERIOD_MONTH },
};

void api_csv_cell(struct sd_buf *b, const char *s)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		sd_buf_addc(b, '"');
	if (*s && strchr("=+-@\t\r", *s))
		sd_buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			sd_buf_addc(b, '"');
		sd_buf_addc(b, *s);
	}
	if (quote)
		sd_buf_addc(b, '"');
}

static void csv_id(struct sd_buf *b, int64_t id)
{
	if (id)
		sd_buf_printf(b, "%lld", (long long)id);
}

static int reply_csv(struct api_ctx *x, const struct booking_report_row *rows, size_t n)
{
	struct sd_buf *b = &x->req->resp_body;
	const char *reason;

	sd_buf_reset(b);
	sd_buf_adds(b, "period,location_id,staff_id,reason,count\r\n");
	for (size_t i = 0; i < n; i++) {
		reason = booking_reason_name(rows[i].reason);
		api_csv_cell(b, rows[i].period ? rows[i].period : "");
		sd_buf_addc(b, ',');
		csv_id(b, rows[i].location_id);
		sd_buf_addc(b, ',');
		csv_id(b, rows[i].staff_id);
		sd_buf_addc(b, ',');
		api_csv_cell(b, reason ? reason : "");
		sd_buf_printf(b, ",%lld\r\n", (long long)rows[i].count);
	}
	x->req->resp_type = "text/csv; charset=utf-8; header=present";
	sd_req_set_header(x->req, "Content-Disposition",
	                  "attachment; filename=\"cancellations.csv\"");
	return 200;
}

/* format=csv|json, else the Accept header. -1 for another format. */
static int wants_csv(struct api_ctx *x, const char *format)
{
	const char *accept = sd_req_header(x->req, "Accept");

	if (format)
		return !strcmp(format, "csv") ? 1 : !strcmp(format, "json") ? 0 : -1;
	return accept && strstr(accept, "text/csv") != NULL;
}

/* The report's range: days in location_id's zone (or UTC). */
static int report_range(struct api_ctx *x, int64_t location_id, const struct api_when *from,
                        const struct api_when *to, int64_t *f, int64_t *t)
{
	const char *tzid = NULL;
	struct store_location l;
	int status, rc;

	if ((from->is_day || to->is_day) && location_id) {
		if ((status = api_read_begin(x)))
			return status;
		rc = store_location_get(x->conn, location_id, x->a, &l, &x->err);
		api_read_end(x);
		if (rc)
			return api_fail_store(x, rc);
		tzid = l.timezone;
	}
	if ((status = api_when_resolve(x, from, tzid, 0, f)) ||
	    (status = api_when_resolve(x, to, tzid, 1, t)))
		return status;
	return *f > *t ? api_invalid(x, "to", "\"to\" is before \"from\"") : 0;
}

int api_report_cancellations(struct api_ctx *x)
{
	int64_t location_id = 0, staff_id = 0, f, t;
	struct api_when from = { 0 }, to = { 0 };
	const char *period = "day", *format = NULL;
	struct api_param p[] = {
		{ "from", API_P_WHEN, &from, 1 },
		{ "to", API_P_WHEN, &to, 1 },
		{ "location_id", API_P_ID, &location_id, 0 },
		{ "staff_id", API_P_ID, &staff_id, 0 },
		{ "period", API_P_STR, &period, 0 },
		{ "format", API_P_STR, &format, 0 },
	};
	struct booking_report_row *rows = NULL;
	size_t n = 0, k;
	json_t *arr;
	int status, rc, csv;

	if ((status = api_query(x, p, SD_ARRAY_LEN(p))))
		return status;
	for (k = 0; k < SD_ARRAY_LEN(periods) && strcmp(periods[k].name, period); k++)
		;
	if (k == SD_ARRAY_LEN(periods))
		return api_invalid(x, "period", "\"period\" must be day, week or month");
	if ((csv = wants_csv(x, format)) < 0)
		return api_invalid(x, "format", "\"format\" must be json or csv");
	if ((status = report_range(x, location_id, &from, &to, &f, &t)))
		return status;
	rc = booking_cancel_report(&x->bx, f, t, location_id, staff_id, periods[k].period, &rows,
	                           &n, &x->err);
	if (rc)
		return api_fail_booking(x, rc);
	if (csv)
		return reply_csv(x, rows, n);
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_encode(&api_report_row_fields, &rows[i]));
	return api_reply(
	    x, 200,
	    json_pack("{s:s,s:s,s:s,s:o,s:o,s:o}", "from",
	              api_time_format((char[API_TIME_LEN]){ 0 }, f), "to",
	              api_time_format((char[API_TIME_LEN]){ 0 }, t), "period", period,
	              "location_id", location_id ? json_integer(location_id) : json_null(),
	              "staff_id", staff_id ? json_integer(staff_id) : json_null(), "rows", arr));
}
