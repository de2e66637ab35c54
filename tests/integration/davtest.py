"""davtest.py - WebDAV/CalDAV helpers shared by the raw-HTTP tests.

A mixin over harness.ServerTestCase: URL builders, request bodies for the
reports the tests send, and assertions that parse multistatus replies.
"""

import re
import urllib.parse
import xml.etree.ElementTree as ET

from harness import CALDAV, CS, DAV, ICAL, ServerTestCase, cs, d, ics_event, norm_href, unique

XML_DECL = '<?xml version="1.0" encoding="utf-8"?>\n'


def home(user):
    return "/dav/calendars/%s/" % user


def cal_path(user, name):
    return "/dav/calendars/%s/%s/" % (user, name)


def principal(user):
    return "/dav/principals/%s/" % user


def sync_body(token, level="1", props=("getetag",), limit=None):
    tok = "<D:sync-token>%s</D:sync-token>" % _esc(token) if token else "<D:sync-token/>"
    lim = "<D:limit><D:nresults>%d</D:nresults></D:limit>" % limit if limit is not None else ""
    pr = "".join("<D:%s/>" % p for p in props)
    return (XML_DECL + '<D:sync-collection xmlns:D="DAV:">%s<D:sync-level>%s</D:sync-level>%s'
            "<D:prop>%s</D:prop></D:sync-collection>" % (tok, level, lim, pr))


def multiget_body(hrefs, props="<D:getetag/><C:calendar-data/>"):
    hs = "".join("<D:href>%s</D:href>" % _esc(h) for h in hrefs)
    return (XML_DECL + '<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            "<D:prop>%s</D:prop>%s</C:calendar-multiget>" % (props, hs))


def query_body(inner_filter, props="<D:getetag/><C:calendar-data/>"):
    return (XML_DECL + '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            "<D:prop>%s</D:prop><C:filter><C:comp-filter name=\"VCALENDAR\">%s</C:comp-filter></C:filter>"
            "</C:calendar-query>" % (props, inner_filter))


def proppatch_body(set_xml="", remove_xml=""):
    parts = []
    if set_xml:
        parts.append("<D:set><D:prop>%s</D:prop></D:set>" % set_xml)
    if remove_xml:
        parts.append("<D:remove><D:prop>%s</D:prop></D:remove>" % remove_xml)
    return (XML_DECL + '<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" '
            'xmlns:A="http://apple.com/ns/ical/" xmlns:CS="http://calendarserver.org/ns/">%s'
            "</D:propertyupdate>" % "".join(parts))


def _esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def canon(el):
    """Comparable form of an element: tag, attributes, stripped text, children."""
    return (el.tag, sorted(el.attrib.items()), (el.text or "").strip(), [canon(ch) for ch in el])


def header_tokens(resp, name):
    vals = resp.header_all(name)
    return [t.strip() for v in vals for t in v.split(",") if t.strip()]


class DavTestCase(ServerTestCase):
    """ServerTestCase plus CalDAV helpers; subclasses create their users."""

    def make_calendar(self, client, user, name=None, comps=None, displayname=None):
        name = name or unique("cal")
        path = cal_path(user, name)
        props = ""
        if displayname:
            props += "<D:displayname>%s</D:displayname>" % _esc(displayname)
        if comps:
            props += "<C:supported-calendar-component-set>%s</C:supported-calendar-component-set>" % "".join(
                '<C:comp name="%s"/>' % x for x in comps)
        body = None
        if props:
            body = (XML_DECL + '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                    "<D:set><D:prop>%s</D:prop></D:set></C:mkcalendar>" % props)
        r = client.mkcalendar(path, body)
        self.assertStatus(r, 201, "MKCALENDAR %s" % path)
        return path

    def put_new(self, client, path, ics):
        """PUT with If-None-Match: *; asserts 201 and a strong ETag; returns it."""
        r = client.put_ics(path, ics, {"If-None-Match": "*"})
        self.assertStatus(r, 201, "PUT new object")
        etag = r.header("ETag")
        self.assertStrongEtag(etag, r)
        return etag

    def put_event(self, client, calpath, uid=None, summary="Event", **kw):
        uid = uid or unique("uid")
        path = calpath + uid + ".ics"
        etag = self.put_new(client, path, ics_event(uid, summary, **kw))
        return path, uid, etag

    def assertStrongEtag(self, etag, resp=None):
        if etag is None or not re.fullmatch(r'"[^"]*"', etag):
            self.fail("expected a strong ETag (quoted, no W/), got %r\n%s"
                      % (etag, resp.describe() if resp else ""))

    def prop_value(self, client, path, prop, depth="0"):
        """Text of one property on one resource; asserts 207 and 200 for it."""
        r = client.propfind(path, [prop], depth=depth)
        one = self.propstatus(r, path)
        pr = one.prop(prop)
        if pr is None or pr.status != 200:
            self.fail("expected 200 for %s on %s, got %r\n%s" % (prop, path, pr, r.describe()))
        return pr

    def ctag(self, client, path):
        return self.prop_value(client, path, cs("getctag")).text

    def sync(self, client, path, token, limit=None, depth="0", level="1", props=("getetag",), expect=207):
        r = client.report(path, sync_body(token, level=level, props=props, limit=limit), depth=depth)
        self.assertStatus(r, expect, "sync-collection on %s" % path)
        if expect == 207:
            tok = r.sync_token()
            if not tok:
                self.fail("sync-collection reply has no DAV:sync-token\n" + r.describe())
            if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", tok):
                self.fail("DAV:sync-token %r is not a URI (RFC 6578 3.2)\n%s" % (tok, r.describe()))
        return r

    def sync_changes(self, resp, request_path):
        """{normalised href: MSResponse} of a sync reply, without the
        request-URI's own 507 entry."""
        out = {}
        for m in resp.multistatus():
            h = norm_href(m.href)
            if h == norm_href(request_path) and m.status == 507:
                continue
            if h in out:
                self.fail("href %s appears twice in one sync reply\n%s" % (h, resp.describe()))
            out[h] = m
        return out

    def assertChanged(self, entry, resp):
        """A sync entry for an existing member: 200 getetag, no 404 status."""
        if entry.status is not None and entry.status != 200:
            self.fail("expected %s as changed (propstat 200), got status %s\n%s"
                      % (entry.href, entry.status, resp.describe()))
        pr = entry.prop(d("getetag"))
        if pr is None or pr.status != 200 or not pr.text:
            self.fail("expected a 200 getetag for %s, got %r\n%s" % (entry.href, pr, resp.describe()))

    def assertRemoved(self, entry, resp):
        if entry.status != 404:
            self.fail("expected %s reported removed (response status 404), got status %s props %r\n%s"
                      % (entry.href, entry.status, entry.props, resp.describe()))

    def hrefs_in(self, resp):
        return {norm_href(m.href) for m in resp.multistatus()}

    def members(self, client, path, props=(d("getetag"),)):
        """{normalised href: MSResponse} of the members listed by PROPFIND Depth 1 (not the collection)."""
        r = client.propfind(path, list(props), depth="1")
        self.assertStatus(r, 207, "PROPFIND Depth 1 %s" % path)
        return {norm_href(m.href): m for m in r.multistatus() if norm_href(m.href) != norm_href(path)}


__all__ = ["CALDAV", "CS", "DAV", "ICAL", "ET", "urllib", "DavTestCase", "XML_DECL", "home", "cal_path",
           "principal", "sync_body", "multiget_body", "query_body", "proppatch_body", "canon",
           "header_tokens"]
