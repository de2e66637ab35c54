/* dav_proppatch.c - PROPPATCH (RFC 4918 9.2), MKCALENDAR (RFC 4791 5.3.1)
 * and MKCOL, plain or extended (RFC 4918 9.3, RFC 5689).
 *
 * All three set properties the same way and all or nothing: inside one
 * write transaction every instruction is applied in document order; if any
 * fails, the transaction is rolled back and the others are reported as
 * 424 Failed Dependency. Calendar properties are staged in a struct
 * store_coll and written once at the end; dead properties go straight to
 * storage (and are undone by the rollback).
 */
#include <string.h>

#include "dav_int.h"
#include "sd_util.h"

struct outcome {
	const char *ns, *name;
	int status;
	enum dav_cond cond;
	struct outcome *next;
};

struct patch {
	struct outcome *head, **tail;
	int failed;
	int live; /* a calendar column was staged */
};

static void record(struct dav_ctx *x, struct patch *p, const char *ns, const char *name, int status,
                   enum dav_cond cond)
{
	struct outcome *o = sd_arena_alloc(x->a, sizeof(*o));

	o->ns = ns;
	o->name = name;
	o->status = status;
	o->cond = cond;
	*p->tail = o;
	p->tail = &o->next;
	if (status != 200)
		p->failed = 1;
}

/* Applies one DAV:set or DAV:remove element. */
static void apply_instruction(struct dav_ctx *x, struct dav_res *res, struct store_coll *coll,
                              xmlNode *ins, int creating, struct patch *p)
{
	int set = dav_xml_is(ins, NS_DAV, "set");

	for (xmlNode *prop = dav_xml_child(ins, NS_DAV, "prop"); prop; prop = dav_xml_next(prop)) {
		if (!dav_xml_is(prop, NS_DAV, "prop"))
			continue;
		for (xmlNode *n = dav_xml_first(prop); n; n = dav_xml_next(n)) {
			const char *ns = dav_xml_ns(n), *name = (const char *)n->name;
			enum dav_cond cond;
			int st;

			if (creating && dav_xml_is(n, NS_DAV, "resourcetype"))
				continue; /* consumed by the caller */
			st = dav_props_apply(x, res, coll, set ? n : NULL, ns, name, creating,
			                     &cond);
			if (st == 200 && (res->kind & (DAV_K_CALENDAR | DAV_K_HOME | DAV_K_PLAIN)))
				p->live = 1;
			record(x, p, ns, name, st, cond);
		}
	}
}

/* Runs every set/remove child of root against res. */
static int apply_all(struct dav_ctx *x, struct dav_res *res, xmlNode *root, int creating,
                     struct patch *p)
{
	struct store_coll coll = res->coll;
	int rc;

	p->tail = &p->head;
	for (xmlNode *ins = dav_xml_first(root); ins; ins = dav_xml_next(ins))
		if (dav_xml_is(ins, NS_DAV, "set") || dav_xml_is(ins, NS_DAV, "remove"))
			apply_instruction(x, res, &coll, ins, creating, p);
	if (p->failed || !p->live || !(res->kind & (DAV_K_CALENDAR | DAV_K_HOME | DAV_K_PLAIN)))
		return 0;
	rc = store_coll_update(x->conn, &coll, &x->err);
	return rc ? dav_fail_store(x, rc) : 0;
}

/* Writes the propstat groups: one per (status, condition). */
static void write_propstats(struct dav_ctx *x, struct patch *p, struct sd_buf *out)
{
	for (struct outcome *o = p->head; o; o = o->next)
		if (p->failed && o->status == 200)
			o->status = 424;
	for (struct outcome *o = p->head; o; o = o->next) {
		int dup = 0;
		for (struct outcome *q = p->head; q != o; q = q->next)
			dup |= q->status == o->status && q->cond == o->cond;
		if (dup)
			continue;
		sd_buf_adds(out, "<d:propstat><d:prop>");
		for (struct outcome *q = o; q; q = q->next)
			if (q->status == o->status && q->cond == o->cond)
				dav_out_empty(out, q->ns, q->name);
		sd_buf_printf(out, "</d:prop><d:status>%s</d:status>", dav_status_line(o->status));
		if (o->cond != DAV_COND_NONE) {
			sd_buf_adds(out, "<d:error>");
			dav_out_empty(out, dav_cond_ns(o->cond), dav_cond_name(o->cond));
			sd_buf_adds(out, "</d:error>");
		}
		if (o->status >= 400 && o->status != 424 && x->message) {
			sd_buf_adds(out, "<d:responsedescription>");
			sd_buf_add_xml(out, x->message);
			sd_buf_adds(out, "</d:responsedescription>");
		}
		sd_buf_adds(out, "</d:propstat>");
	}
}

int dav_method_proppatch(struct dav_ctx *x, struct dav_res *res)
{
	struct patch p = { 0 };
	xmlDoc *doc;
	xmlNode *root;
	int rc;

	if (res->kind == DAV_K_NULL)
		return dav_fail(x, 404, DAV_COND_NONE, "no such resource");
	rc = dav_xml_parse(x, &doc);
	if (rc)
		return rc;
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!dav_xml_is(root, NS_DAV, "propertyupdate"))
		return dav_fail(x, 400, DAV_COND_BAD_XML, "expected a DAV:propertyupdate body");
	rc = store_begin(x->conn, STORE_TXN_WRITE, &x->err);
	if (rc)
		return dav_fail_store(x, rc);
	rc = apply_all(x, res, root, 0, &p);
	if (rc || p.failed || store_commit(x->conn, &x->err)) {
		store_rollback(x->conn);
		if (rc)
			return rc;
		p.failed = 1;
	}
	dav_multistatus_begin(x);
	sd_buf_adds(&x->req->resp_body, "<d:response>");
	dav_out_href(&x->req->resp_body, res->href);
	write_propstats(x, &p, &x->req->resp_body);
	sd_buf_adds(&x->req->resp_body, "</d:response>");
	dav_multistatus_end(x);
	return 207;
}

/* ---- MKCOL / MKCALENDAR ------------------------------------------------ */

/* The kind an extended MKCOL asks for through DAV:resourcetype. */
static int requested_kind(struct dav_ctx *x, xmlNode *root, int calendar, int *kind)
{
	xmlNode *rt = NULL;

	*kind = calendar ? STORE_COLL_CALENDAR : STORE_COLL_PLAIN;
	for (xmlNode *s = dav_xml_child(root, NS_DAV, "set"); s && !rt; s = dav_xml_next(s))
		if (dav_xml_is(s, NS_DAV, "set"))
			rt =
			    dav_xml_child(dav_xml_child(s, NS_DAV, "prop"), NS_DAV, "resourcetype");
	if (!rt)
		return 0;
	*kind = STORE_COLL_PLAIN;
	for (xmlNode *n = dav_xml_first(rt); n; n = dav_xml_next(n)) {
		if (dav_xml_is(n, NS_DAV, "collection"))
			continue;
		if (dav_xml_is(n, NS_CALDAV, "calendar"))
			*kind = STORE_COLL_CALENDAR;
		else
			return dav_fail(x, 403, DAV_COND_VALID_RESOURCETYPE,
			                "slotdav cannot create collections of type {%s}%s",
			                dav_xml_ns(n), (const char *)n->name);
	}
	return 0;
}

static int mkcol_body(struct dav_ctx *x, int calendar, xmlNode **root_out)
{
	const char *type = sd_req_header(x->req, "Content-Type");
	xmlDoc *doc;
	xmlNode *root;
	int rc;

	*root_out = NULL;
	if (x->req->body_len == 0)
		return 0;
	if (type && !strstr(type, "xml"))
		return dav_fail(x, 415, DAV_COND_NONE, "the request body must be XML");
	rc = dav_xml_parse(x, &doc);
	if (rc)
		return rc == 400 && !calendar && !type
		           ? dav_fail(x, 415, DAV_COND_NONE, "the request body must be XML")
		           : rc;
	root = xmlDocGetRootElement(doc);
	if (!(calendar ? dav_xml_is(root, NS_CALDAV, "mkcalendar")
	               : dav_xml_is(root, NS_DAV, "mkcol")))
		return dav_fail(x, calendar ? 400 : 415, DAV_COND_BAD_XML,
		                calendar ? "expected a CALDAV:mkcalendar body"
		                         : "expected a DAV:mkcol body");
	*root_out = root;
	return 0;
}

static int mkcol_location(struct dav_ctx *x, struct dav_res *res, int kind)
{
	if (res->kind != DAV_K_NULL)
		return dav_fail(x, 405, DAV_COND_RESOURCE_MUST_BE_NULL, "%s already exists",
		                res->href);
	if (!res->has_parent)
		return dav_fail(x, 409, DAV_COND_NONE, "the parent collection does not exist");
	if (kind == STORE_COLL_CALENDAR && res->coll.kind != STORE_COLL_HOME)
		return dav_fail(x, 403, DAV_COND_CALENDAR_LOCATION_OK,
		                "calendars can only be created in the calendar home");
	if (res->coll.kind == STORE_COLL_CALENDAR)
		return dav_fail(x, 403, DAV_COND_CALENDAR_LOCATION_OK,
		                "a calendar collection cannot contain collections");
	return 0;
}

/* Creates the collection and applies the body's properties, all or nothing. */
static int mkcol_create(struct dav_ctx *x, struct dav_res *res, int kind, xmlNode *root,
                        struct patch *p)
{
	struct store_coll c = { 0 };
	struct dav_res made;
	int64_t id;
	int rc;

	c.parent_id = res->coll.id;
	c.owner_id = res->owner_id;
	c.kind = kind;
	c.name = res->name;
	if (kind == STORE_COLL_CALENDAR)
		c.components = STORE_COMP_VEVENT | STORE_COMP_VTODO | STORE_COMP_VJOURNAL;
	rc = store_coll_create(x->conn, &c, &id, &x->err);
	if (rc)
		return dav_fail_store(x, rc);
	rc = store_coll_get_by_id(x->conn, id, x->a, &made.coll, &x->err);
	if (rc)
		return dav_fail_store(x, rc);
	made.kind = kind == STORE_COLL_CALENDAR ? DAV_K_CALENDAR : DAV_K_PLAIN;
	made.href = sd_arena_printf(x->a, "%s/", res->href);
	made.owner_id = res->owner_id;
	made.owner = res->owner;
	if (!root)
		return 0;
	for (xmlNode *s = dav_xml_first(root); s; s = dav_xml_next(s))
		if (!dav_xml_is(s, NS_DAV, "set"))
			return dav_fail(x, 400, DAV_COND_BAD_XML, "only DAV:set may appear here");
	return apply_all(x, &made, root, 1, p);
}

int dav_method_mkcol(struct dav_ctx *x, struct dav_res *res, int calendar)
{
	struct patch p = { 0 };
	xmlNode *root;
	int kind, rc;

	rc = mkcol_body(x, calendar, &root);
	if (rc)
		return rc;
	rc = root ? requested_kind(x, root, calendar, &kind) : 0;
	if (!root)
		kind = calendar ? STORE_COLL_CALENDAR : STORE_COLL_PLAIN;
	if (rc || (rc = mkcol_location(x, res, kind)))
		return rc;
	rc = store_begin(x->conn, STORE_TXN_WRITE, &x->err);
	if (rc)
		return dav_fail_store(x, rc);
	rc = mkcol_create(x, res, kind, root, &p);
	if (!rc && !p.failed)
		rc = store_commit(x->conn, &x->err) ? dav_fail_store(x, STORE_EIO) : 0;
	if (rc || p.failed) {
		store_rollback(x->conn);
		if (rc)
			return rc;
		x->req->resp_type = "application/xml; charset=utf-8";
		sd_buf_printf(&x->req->resp_body,
		              "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<%s" DAV_XMLNS_DECL ">",
		              calendar ? "c:mkcalendar-response" : "d:mkcol-response");
		write_propstats(x, &p, &x->req->resp_body);
		sd_buf_printf(&x->req->resp_body, "</%s>\n",
		              calendar ? "c:mkcalendar-response" : "d:mkcol-response");
		x->keep_body = 1;
		return 403;
	}
	sd_req_set_header(x->req, "Location", sd_arena_printf(x->a, "%s/", res->href));
	return 201;
}
