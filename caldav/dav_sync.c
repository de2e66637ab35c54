/* dav_sync.c - the sync-collection REPORT (RFC 6578).
 *
 * A sync token names a collection and a revision of it (dav_sync_token).
 * The report lists the members whose latest change is newer than the
 * token's revision, in revision order, straight from storage's change log:
 * the cost is the number of changes, not the size of the collection.
 * Deleted members come back as 404 responses. The answer is streamed from
 * one read transaction, and the token at its end is the revision of that
 * snapshot, so a change committed while the client reads is reported by
 * the next sync, never lost.
 *
 * With DAV:limit, at most nresults members are listed; if more exist, the
 * request URI gets a 507 response with number-of-matches-within-limits,
 * and the token is the revision of the last member listed, so the next
 * request continues exactly where this one stopped.
 *
 * On the calendar home, the members are calendars: a calendar whose
 * content or properties changed is reported, which is how Apple Calendar
 * finds the calendars it must sync.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dav_int.h"
#include "sd_util.h"

#define CHUNK 16384

struct sync_stream {
	struct dav_ctx x;
	struct sd_arena *scratch;
	struct dav_res parent;
	struct dav_propfind pf;
	struct store_change_iter *it;
	int64_t limit; /* -1: none */
	int64_t listed;
	int64_t last_rev; /* of the last member listed */
	int64_t snapshot_rev;
	int truncated, finished;
};

static void sync_free(void *p)
{
	struct sync_stream *s = p;

	store_change_iter_free(s->it);
	sd_arena_free(s->scratch);
}

static void txn_end(void *p)
{
	store_rollback(p);
}

/* The response for one changed member. */
static void member(struct sync_stream *s, const struct store_change *ch, struct sd_buf *out)
{
	struct dav_ctx *x = &s->x;
	struct dav_res r = s->parent;
	int in_calendar = s->parent.kind == DAV_K_CALENDAR, rc;

	r.name = ch->name;
	if (!ch->deleted && !in_calendar &&
	    store_coll_get(x->conn, s->parent.coll.id, ch->name, x->a, &r.coll, &x->err) == 0) {
		r.kind = r.coll.kind == STORE_COLL_CALENDAR ? DAV_K_CALENDAR : DAV_K_PLAIN;
		r.href = dav_href_member(x, s->parent.href, ch->name, 1);
		dav_props_response(x, &r, &s->pf, out);
		return;
	}
	rc = ch->deleted
	         ? STORE_ENOTFOUND
	         : store_obj_get(x->conn, s->parent.coll.id, ch->name, 0, x->a, &r.obj, &x->err);
	if (rc == 0) {
		r.kind = DAV_K_OBJECT;
		r.href = dav_href_member(x, s->parent.href, ch->name, 0);
		dav_props_response(x, &r, &s->pf, out);
		return;
	}
	/* Gone. In the home the members are collections, elsewhere resources. */
	sd_buf_adds(out, "<d:response>");
	dav_out_href(out,
	             dav_href_member(x, s->parent.href, ch->name, s->parent.kind == DAV_K_HOME));
	sd_buf_printf(out, "<d:status>%s</d:status></d:response>", dav_status_line(404));
}

static void finish(struct sync_stream *s, struct sd_buf *out)
{
	int64_t rev = s->truncated ? s->last_rev : s->snapshot_rev;

	if (s->truncated) {
		sd_buf_adds(out, "<d:response>");
		dav_out_href(out, s->parent.href);
		sd_buf_printf(out, "<d:status>%s</d:status>", dav_status_line(507));
		sd_buf_adds(out,
		            "<d:error><d:number-of-matches-within-limits/></d:error></d:response>");
	}
	sd_buf_adds(out, "<d:sync-token>");
	sd_buf_add_xml(out, dav_sync_token(&s->x, s->parent.coll.id, rev));
	sd_buf_adds(out, "</d:sync-token></d:multistatus>\n");
	s->finished = 1;
}

static int sync_stream(void *cls, struct sd_buf *out)
{
	struct sync_stream *s = cls;
	struct store_change ch;

	sd_arena_free(s->scratch);
	s->scratch = sd_arena_new();
	s->x.a = s->scratch;
	while (out->len < CHUNK && !s->finished) {
		int rc = store_change_iter_next(s->it, &ch, &s->x.err);

		if (rc < 0)
			return -1;
		if (rc == 0) {
			finish(s, out);
			break;
		}
		if (s->limit >= 0 && s->listed == s->limit) {
			s->truncated = 1;
			finish(s, out);
			break;
		}
		member(s, &ch, out);
		s->listed++;
		s->last_rev = ch.rev;
	}
	return s->finished ? 0 : 1;
}

/* Reads token, level and limit. */
static int parse_sync(struct dav_ctx *x, xmlNode *root, struct sync_stream *s, int64_t *since)
{
	xmlNode *tok = dav_xml_child(root, NS_DAV, "sync-token");
	xmlNode *lvl = dav_xml_child(root, NS_DAV, "sync-level");
	xmlNode *lim = dav_xml_child(root, NS_DAV, "limit");
	/* Writable: trimmed in place. No sync-token element: an initial sync. */
	char *t = tok ? dav_xml_text(x, tok) : sd_arena_strdup(x->a, "");
	char *level = lvl ? dav_xml_text(x, lvl) : "1";

	t += strspn(t, " \t\r\n");
	t[strcspn(t, " \t\r\n")] = '\0';
	if (strcmp(level, "1") && strcmp(level, "infinite"))
		return dav_fail(x, 400, DAV_COND_BAD_XML, "sync-level must be 1 or infinite");
	if (!strcmp(level, "infinite") && s->parent.kind != DAV_K_CALENDAR)
		return dav_fail(x, 403, DAV_COND_SYNC_TRAVERSAL,
		                "sync-level infinite is supported on calendars only");
	s->limit = -1;
	if (lim) {
		xmlNode *nr = dav_xml_child(lim, NS_DAV, "nresults");
		char *v = nr ? dav_xml_text(x, nr) : "", *end;
		long long n = strtoll(v, &end, 10);
		if (!nr || !*v || *end || n < 0)
			return dav_fail(x, 400, DAV_COND_BAD_XML,
			                "DAV:limit needs a DAV:nresults count");
		s->limit = n;
	}
	*since = 0;
	if (*t &&
	    (dav_sync_token_parse(x, t, s->parent.coll.id, since) || *since > s->parent.coll.rev))
		return dav_fail(
		    x, 403, DAV_COND_VALID_SYNC_TOKEN,
		    "the sync token is not valid for this collection; sync again from scratch");
	return 0;
}

int dav_report_sync(struct dav_ctx *x, struct dav_res *res, xmlNode *root)
{
	struct sync_stream *s;
	int64_t since;
	int depth = dav_depth(x, 0), rc;

	if (res->kind == DAV_K_INBOX)
		return dav_sched_inbox_sync(x, res, root);
	if (!(res->kind & (DAV_K_HOME | DAV_K_CALENDAR | DAV_K_PLAIN)))
		return dav_fail(x, 403, DAV_COND_SUPPORTED_REPORT,
		                "sync-collection works on collections only");
	if (depth < 0)
		return dav_fail(x, 400, DAV_COND_NONE, "sync-collection takes Depth 0 (or 1)");
	rc = store_begin(x->conn, STORE_TXN_READ, &x->err);
	if (rc)
		return dav_fail_store(x, rc);
	sd_arena_defer(x->a, txn_end, x->conn);
	s = sd_arena_alloc(x->a, sizeof(*s));
	s->parent = *res;
	/* The revision as of this snapshot. */
	rc = store_coll_get_by_id(x->conn, res->coll.id, x->a, &s->parent.coll, &x->err);
	if (rc)
		return dav_fail_store(x, rc);
	rc = parse_sync(x, root, s, &since);
	if (rc)
		return rc;
	s->snapshot_rev = s->parent.coll.rev;
	s->last_rev = since;
	if ((rc = dav_report_props(x, root, &s->pf)))
		return rc;
	rc = store_change_iter_new(x->conn, res->coll.id, since, &s->it, &x->err);
	if (rc)
		return dav_fail_store(x, rc);
	sd_arena_defer(x->a, sync_free, s);
	s->x = *x;
	dav_multistatus_begin(x);
	x->req->resp_stream = sync_stream;
	x->req->resp_stream_cls = s;
	return 207;
}
