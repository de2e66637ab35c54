/* dav_xml.c - safe parsing of request bodies and writing of XML text.
 *
 * Request bodies are hostile until proven otherwise. A body with a document
 * type declaration is refused before libxml2 sees it: without a DTD there
 * are no entities to expand (billion laughs) or fetch (XXE). The parser
 * runs with XML_PARSE_NONET and its default nesting limit, and a document
 * that is not namespace-well-formed (e.g. xmlns:x="") is refused too.
 *
 * Responses are written as text straight into a buffer, so they can be
 * streamed: the multistatus root declares the prefixes of the namespaces
 * slotdav knows (DAV_XMLNS_DECL); an element of any other namespace carries
 * its own declaration.
 */
#define _GNU_SOURCE /* memmem */
#include <libxml/parser.h>
#include <libxml/xmlsave.h>
#include <string.h>

#include "dav_int.h"

static void doc_free(void *p)
{
	xmlFreeDoc(p);
}

int dav_xml_parse(struct dav_ctx *x, xmlDoc **out)
{
	const char *body = x->req->body;
	size_t len = x->req->body_len;
	xmlParserCtxt *ctxt;
	xmlDoc *doc;
	int ok;

	*out = NULL;
	if (!body || len == 0)
		return 0;
	if (len > INT32_MAX)
		return dav_fail(x, 413, DAV_COND_NONE, "request body too large");
	if (memmem(body, len, "<!DOCTYPE", 9) || memmem(body, len, "<!ENTITY", 8))
		return dav_fail(x, 400, DAV_COND_BAD_XML,
		                "document type declarations are not allowed");
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return dav_fail(x, 500, DAV_COND_NONE, "cannot create the XML parser");
	doc = xmlCtxtReadMemory(ctxt, body, (int)len, NULL, NULL,
	                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	                            XML_PARSE_NOCDATA);
	ok = doc && ctxt->wellFormed && ctxt->nsWellFormed && xmlDocGetRootElement(doc);
	xmlFreeParserCtxt(ctxt);
	if (!ok) {
		xmlFreeDoc(doc);
		return dav_fail(x, 400, DAV_COND_BAD_XML,
		                "the request body is not well-formed XML");
	}
	sd_arena_defer(x->a, doc_free, doc);
	*out = doc;
	return 0;
}

const char *dav_xml_ns(const xmlNode *n)
{
	return n->ns && n->ns->href ? (const char *)n->ns->href : "";
}

int dav_xml_is(const xmlNode *n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name) &&
	       !strcmp(dav_xml_ns(n), ns);
}

static xmlNode *element_from(xmlNode *n)
{
	while (n && n->type != XML_ELEMENT_NODE)
		n = n->next;
	return n;
}

xmlNode *dav_xml_first(const xmlNode *n)
{
	return n ? element_from(n->children) : NULL;
}

xmlNode *dav_xml_next(const xmlNode *n)
{
	return n ? element_from(n->next) : NULL;
}

xmlNode *dav_xml_child(const xmlNode *n, const char *ns, const char *name)
{
	for (xmlNode *c = dav_xml_first(n); c; c = dav_xml_next(c))
		if (dav_xml_is(c, ns, name))
			return c;
	return NULL;
}

char *dav_xml_text(struct dav_ctx *x, const xmlNode *n)
{
	xmlChar *s = xmlNodeGetContent(n);
	char *r = sd_arena_strdup(x->a, s ? (const char *)s : "");

	xmlFree(s);
	return r;
}

char *dav_xml_dump(struct dav_ctx *x, xmlNode *n)
{
	xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNode *copy = xmlDocCopyNode(n, doc, 1);
	xmlBuffer *buf = xmlBufferCreate();
	char *r;

	xmlDocSetRootElement(doc, copy);
	xmlReconciliateNs(doc, copy);
	xmlNodeDump(buf, doc, copy, 0, 0);
	r = sd_arena_strndup(x->a, (const char *)xmlBufferContent(buf),
	                     (size_t)xmlBufferLength(buf));
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return r;
}

static const char *prefix_of(const char *ns)
{
	static const struct {
		const char *ns, *prefix;
	} known[] = {
		{ NS_DAV, "d" },   { NS_CALDAV, "c" },  { NS_CS, "cs" },
		{ NS_ICAL, "ic" }, { NS_SLOTDAV, "s" },
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(ns, known[i].ns))
			return known[i].prefix;
	return NULL;
}

static void out_start(struct sd_buf *b, const char *ns, const char *name)
{
	const char *p = prefix_of(ns);

	/* Hot path of every multistatus: plain appends, no printf. */
	sd_buf_addc(b, '<');
	if (p) {
		sd_buf_adds(b, p);
		sd_buf_addc(b, ':');
		sd_buf_adds(b, name);
	} else if (!*ns) {
		sd_buf_adds(b, name);
		sd_buf_adds(b, " xmlns=\"\"");
	} else {
		sd_buf_adds(b, "x:");
		sd_buf_adds(b, name);
		sd_buf_adds(b, " xmlns:x=\"");
		sd_buf_add_xml(b, ns);
		sd_buf_addc(b, '"');
	}
}

void dav_out_open(struct sd_buf *b, const char *ns, const char *name)
{
	out_start(b, ns, name);
	sd_buf_addc(b, '>');
}

void dav_out_empty(struct sd_buf *b, const char *ns, const char *name)
{
	out_start(b, ns, name);
	sd_buf_adds(b, "/>");
}

void dav_out_close(struct sd_buf *b, const char *ns, const char *name)
{
	const char *p = prefix_of(ns);

	sd_buf_adds(b, "</");
	if (p) {
		sd_buf_adds(b, p);
		sd_buf_addc(b, ':');
	} else if (*ns) {
		sd_buf_adds(b, "x:");
	}
	sd_buf_adds(b, name);
	sd_buf_addc(b, '>');
}

void dav_out_href(struct sd_buf *b, const char *href)
{
	sd_buf_adds(b, "<d:href>");
	sd_buf_add_xml(b, href);
	sd_buf_adds(b, "</d:href>");
}
