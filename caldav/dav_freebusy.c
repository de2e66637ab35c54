/* dav_freebusy.c - the free-busy-query REPORT (RFC 4791 7.10).
 *
 * Answers with one VFREEBUSY for the requested range, built by ical/ from
 * every object of the calendar (or, on the calendar home, of every
 * calendar in it) whose indexed instance range meets the range. Busy time
 * is what a person would call busy: opaque, not cancelled events, with
 * tentative ones as BUSY-TENTATIVE, plus stored VFREEBUSY periods and
 * VAVAILABILITY's unavailable time.
 *
 * The scheduling Outbox's free-busy lookups (dav_sched.c) add a user's
 * calendars the same way, one at a time.
 */
#include <string.h>

#include "dav_int.h"
#include "ics_freebusy.h"
#include "sd_log.h"

#define FB_COMPS (STORE_COMP_VEVENT | STORE_COMP_VFREEBUSY | STORE_COMP_VAVAILABILITY)

int dav_freebusy_add_calendar(struct dav_ctx *x, const struct store_coll *cal, struct ics_fb *fb,
                              const struct ics_time_range *r, const char *mask_uid)
{
	struct store_obj_iter *it = NULL;
	struct store_obj o;
	int rc =
	    store_obj_iter_new_range(x->conn, cal->id, FB_COMPS, r->start, r->end, 1, &it, &x->err);

	while (rc == 0 && (rc = store_obj_iter_next(it, &o, &x->err)) == 1) {
		struct sd_err e;

		rc = 0;
		if (mask_uid && o.uid && !strcmp(o.uid, mask_uid))
			continue;
		if (ics_fb_add(fb, o.data, o.len, cal->timezone, &e) != 0)
			SD_WARN("free-busy skipped an object", "coll=%lld name=\"%s\" why=\"%s\"",
			        (long long)cal->id, o.name, e.msg);
	}
	store_obj_iter_free(it);
	return rc < 0 ? dav_fail_store(x, rc) : 0;
}

int dav_report_freebusy(struct dav_ctx *x, struct dav_res *res, xmlNode *root)
{
	xmlNode *tr = dav_xml_child(root, NS_CALDAV, "time-range");
	struct ics_time_range r;
	struct store_coll *cals;
	size_t n;
	struct ics_fb *fb;
	int rc = 0;

	if (!(res->kind & (DAV_K_CALENDAR | DAV_K_HOME)))
		return dav_fail(x, 403, DAV_COND_SUPPORTED_REPORT,
		                "free-busy-query works on calendars and the calendar home");
	if (!tr)
		return dav_fail(x, 400, DAV_COND_BAD_XML, "free-busy-query needs a time-range");
	if (dav_time_range_parse(x, tr, &r))
		return 403;
	if ((rc = store_begin(x->conn, STORE_TXN_READ, &x->err)))
		return dav_fail_store(x, rc);
	if (res->kind == DAV_K_CALENDAR) {
		cals = &res->coll;
		n = 1;
	} else if ((rc = dav_children(x, res->coll.id, &cals, &n))) {
		store_rollback(x->conn);
		return rc;
	}
	fb = ics_fb_new(x->a, r.start, r.end);
	for (size_t i = 0; i < n && !rc; i++)
		if (cals[i].kind == STORE_COLL_CALENDAR)
			rc = dav_freebusy_add_calendar(x, &cals[i], fb, &r, NULL);
	store_rollback(x->conn);
	if (rc)
		return rc;
	x->req->resp_type = "text/calendar; charset=utf-8";
	sd_buf_adds(&x->req->resp_body, ics_fb_render(fb, "-//slotdav//slotdav//EN"));
	return 200;
}
