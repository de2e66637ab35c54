/* dav_propfind.c - OPTIONS and PROPFIND (RFC 4918 9.1).
 *
 * PROPFIND answers the resource itself from the request, then streams its
 * members: the response body is produced in chunks of about 16 KiB by
 * pf_stream(), which walks an open storage iterator inside one read
 * transaction (a consistent snapshot for the whole listing). Per-member
 * temporaries go into a scratch arena that is dropped after each chunk, so
 * memory stays flat however large the collection is.
 */
#include <string.h>

#include "dav_int.h"
#include "sd_util.h"

#define CHUNK 16384

int dav_method_options(struct dav_ctx *x, struct dav_res *res)
{
	const char *allow;

	switch (res->kind) {
	case DAV_K_NULL:
		allow = "OPTIONS, PUT, MKCOL, MKCALENDAR";
		break;
	case DAV_K_OBJECT:
		allow = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, COPY, MOVE";
		break;
	case DAV_K_HOME:
		allow = "OPTIONS, PROPFIND, PROPPATCH, REPORT";
		break;
	case DAV_K_CALENDAR:
	case DAV_K_PLAIN:
		allow = "OPTIONS, DELETE, PROPFIND, PROPPATCH, COPY, MOVE, REPORT";
		break;
	case DAV_K_OUTBOX:
		allow = "OPTIONS, POST, PROPFIND";
		break;
	default:
		allow = "OPTIONS, PROPFIND, REPORT";
	}
	sd_req_set_header(x->req, "DAV",
	                  "1, 3, access-control, calendar-access, calendar-auto-schedule, "
	                  "extended-mkcol");
	sd_req_set_header(x->req, "Allow", allow);
	return 200;
}

void dav_multistatus_begin(struct dav_ctx *x)
{
	x->req->resp_type = "application/xml; charset=utf-8";
	sd_buf_adds(&x->req->resp_body,
	            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:multistatus" DAV_XMLNS_DECL
	            ">");
}

void dav_multistatus_end(struct dav_ctx *x)
{
	sd_buf_adds(&x->req->resp_body, "</d:multistatus>\n");
}

/* Parses the PROPFIND body; an empty body means allprop. */
static int parse_propfind(struct dav_ctx *x, struct dav_propfind *pf)
{
	xmlDoc *doc;
	xmlNode *root;
	int rc = dav_xml_parse(x, &doc);

	memset(pf, 0, sizeof(*pf));
	pf->mode = DAV_PF_ALLPROP;
	if (rc || !doc)
		return rc;
	root = xmlDocGetRootElement(doc);
	if (!dav_xml_is(root, NS_DAV, "propfind"))
		return dav_fail(x, 400, DAV_COND_BAD_XML, "expected a DAV:propfind element");
	if (!dav_xml_child(root, NS_DAV, "prop") && !dav_xml_child(root, NS_DAV, "propname") &&
	    !dav_xml_child(root, NS_DAV, "allprop"))
		return dav_fail(x, 400, DAV_COND_BAD_XML,
		                "DAV:propfind needs one of prop, propname or allprop");
	return dav_report_props(x, root, pf);
}

struct pf_stream {
	struct dav_ctx x;         /* a copy: the handler's frame is gone */
	struct sd_arena *scratch; /* per-chunk temporaries */
	struct dav_propfind pf;
	struct dav_res parent;
	struct dav_res *virt; /* members that are not stored objects */
	int nvirt, next_virt;
	struct store_obj_iter *it;
	int finished;
};

static void pf_stream_free(void *p)
{
	struct pf_stream *s = p;

	store_obj_iter_free(s->it);
	sd_arena_free(s->scratch);
}

static void txn_end(void *p)
{
	store_rollback(p);
}

/* One member object as a resource, in the scratch arena. */
static void object_res(struct pf_stream *s, const struct store_obj *o, struct dav_res *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = DAV_K_OBJECT;
	r->owner_id = s->parent.owner_id;
	r->owner = s->parent.owner;
	r->coll = s->parent.coll;
	r->obj = *o;
	r->name = o->name;
	r->has_parent = 1;
	r->href = dav_href_member(&s->x, s->parent.href, o->name, 0);
}

static int pf_stream(void *cls, struct sd_buf *out)
{
	struct pf_stream *s = cls;
	struct store_obj o;
	struct dav_res r;

	sd_arena_free(s->scratch);
	s->scratch = sd_arena_new();
	s->x.a = s->scratch;
	while (out->len < CHUNK && !s->finished) {
		if (s->next_virt < s->nvirt) {
			dav_props_response(&s->x, &s->virt[s->next_virt++], &s->pf, out);
			continue;
		}
		if (s->it) {
			int rc = store_obj_iter_next(s->it, &o, &s->x.err);
			if (rc < 0)
				return -1;
			if (rc == 1) {
				object_res(s, &o, &r);
				dav_props_response(&s->x, &r, &s->pf, out);
				continue;
			}
			store_obj_iter_free(s->it);
			s->it = NULL;
		}
		sd_buf_adds(out, "</d:multistatus>\n");
		s->finished = 1;
	}
	return s->finished ? 0 : 1;
}

/* The members of the shared roots: what this user may see there. */
static int virtual_members(struct dav_ctx *x, struct pf_stream *s)
{
	struct dav_res *r = sd_arena_alloc(x->a, 2 * sizeof(*r));
	const char *user = x->req->user_name;

	s->virt = r;
	if (s->parent.kind == DAV_K_ROOT) {
		const char *paths[2] = { sd_arena_printf(x->a, "%s/principals/", x->cfg->prefix),
			                 sd_arena_printf(x->a, "%s/calendars/", x->cfg->prefix) };
		for (int i = 0; i < 2; i++)
			if (dav_res_resolve(x, paths[i], &r[s->nvirt]) == 0)
				s->nvirt++;
	} else if (user && s->parent.kind == DAV_K_PRINCIPALS) {
		if (dav_res_resolve(x, dav_href_principal(x, user), &r[0]) == 0)
			s->nvirt = 1;
	} else if (user && s->parent.kind == DAV_K_CALROOT) {
		if (dav_res_resolve(x, dav_href_home(x, user), &r[0]) == 0)
			s->nvirt = 1;
	}
	return 0;
}

static int start_members(struct dav_ctx *x, struct dav_res *res, struct pf_stream *s)
{
	struct store_coll *kids;
	size_t n;
	int rc;

	if (!(res->kind & (DAV_K_HOME | DAV_K_CALENDAR | DAV_K_PLAIN)))
		return virtual_members(x, s);
	if ((rc = dav_children(x, res->coll.id, &kids, &n)))
		return rc;
	s->virt = sd_arena_alloc(x->a, (n + 2) * sizeof(*s->virt));
	for (size_t i = 0; i < n; i++) {
		struct dav_res *r = &s->virt[s->nvirt++];
		r->kind = kids[i].kind == STORE_COLL_CALENDAR ? DAV_K_CALENDAR : DAV_K_PLAIN;
		r->owner_id = res->owner_id;
		r->owner = res->owner;
		r->coll = kids[i];
		r->href = dav_href_member(x, res->href, kids[i].name, 1);
	}
	/* The Inbox and Outbox are members of the home (RFC 6638 2.1, 2.2):
	 * Apple Calendar finds them in this listing. */
	if (res->kind == DAV_K_HOME) {
		dav_res_sched_box(x, res, 1, &s->virt[s->nvirt++]);
		dav_res_sched_box(x, res, 0, &s->virt[s->nvirt++]);
	}
	rc = store_obj_iter_new(x->conn, res->coll.id, 0, &s->it, &x->err);
	return rc ? dav_fail_store(x, rc) : 0;
}

int dav_method_propfind(struct dav_ctx *x, struct dav_res *res)
{
	struct pf_stream *s;
	int depth = dav_depth(x, -1), rc;

	if (depth == -2)
		return dav_fail(x, 400, DAV_COND_NONE, "Depth must be 0, 1 or infinity");
	if (depth == -1)
		return dav_fail(x, 403, DAV_COND_PROPFIND_FINITE_DEPTH,
		                "PROPFIND with Depth: infinity is not supported; use Depth: 1");
	if (res->kind == DAV_K_NULL)
		return dav_fail(x, 404, DAV_COND_NONE, "no such resource");
	s = sd_arena_alloc(x->a, sizeof(*s));
	rc = parse_propfind(x, &s->pf);
	if (rc)
		return rc;
	rc = store_begin(x->conn, STORE_TXN_READ, &x->err);
	if (rc)
		return dav_fail_store(x, rc);
	sd_arena_defer(x->a, txn_end, x->conn);
	dav_multistatus_begin(x);
	dav_props_response(x, res, &s->pf, &x->req->resp_body);
	s->x = *x;
	s->parent = *res;
	if (depth == 1 && (res->kind & DAV_K_COLLECTIONS)) {
		rc = start_members(x, res, s);
		if (rc) {
			store_obj_iter_free(s->it);
			return rc;
		}
	}
	sd_arena_defer(x->a, pf_stream_free, s);
	x->req->resp_stream = pf_stream;
	x->req->resp_stream_cls = s;
	return 207;
}
