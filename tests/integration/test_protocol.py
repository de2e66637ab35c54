#!/usr/bin/python3
"""test_protocol.py - raw HTTP tests of slotdav's WebDAV/CalDAV front.

Every test class starts its own slotdav (harness.ServerTestCase) with its own
users, so classes are independent; tests inside a class use their own
calendars (unique names) and do not depend on each other's order.

Covers: discovery (RFC 6764, 5397), principal properties, OPTIONS, the
PROPFIND bodies of Apple Calendar, Thunderbird, DAVx5 and Evolution with
their sync sequences, MKCALENDAR, extended MKCOL, PROPPATCH (live, dead,
protected), DELETE, objects with ETags and conditional requests, CalDAV
preconditions, calendar-multiget, calendar-query, sync-collection (RFC 6578),
getctag, tokens across a restart, MOVE/COPY, size limits, hostile input,
authentication and isolation between users, scheduling (RFC 6638: the
Inbox and Outbox, free-busy lookups POSTed to the Outbox).
"""

import http.client
import http.server
import re
import select
import signal
import socket
import subprocess
import threading
import time

import harness
from davtest import (XML_DECL, DavTestCase, canon, cal_path, header_tokens, home, multiget_body, principal,
                     proppatch_body, query_body, sync_body)
from harness import (ET, VTIMEZONE_BERLIN, c, cs, d, ical, ics_event, ics_prop, ics_todo, ics_uid, norm_href,
                     raw_exchange, send_streaming, unique)

ME_NS = "http://me.com/_namespace/"


def _redirect_path(resp):
    loc = resp.header("Location")
    return norm_href(loc) if loc else None


# ==========================================================================
class DiscoveryTests(DavTestCase):
    """/.well-known, /dav/, principals, homes, OPTIONS, client discovery."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.add_user("alice", email="alice@example.com", displayname="Alice Example")
        cls.alice = cls.server.client("alice")

    def test_health(self):
        r = self.server.client().get("/health", auth=False)
        self.assertStatus(r, 200)

    def test_well_known_redirects_to_dav(self):
        for method, auth in (("GET", False), ("GET", True), ("PROPFIND", True)):
            with self.subTest(method=method, auth=auth):
                r = self.alice.request(method, "/.well-known/caldav", None,
                                       {"Depth": "0"} if method == "PROPFIND" else None, auth=auth)
                self.assertStatus(r, 301)
                self.assertEqual(_redirect_path(r), "/dav/", r.describe())

    def test_dav_root_gives_current_user_principal(self):
        r = self.alice.propfind("/dav/", [d("current-user-principal"), d("resourcetype")])
        one = self.propstatus(r)
        cup = one.prop(d("current-user-principal"))
        self.assertIsNotNone(cup, r.describe())
        self.assertEqual(cup.status, 200, r.describe())
        self.assertEqual([norm_href(h) for h in cup.hrefs()], [principal("alice")], r.describe())

    def test_server_root_discovery(self):
        # Discovery from the server root (SPEC 3): PROPFIND / must give the
        # principal, directly or through redirects a client follows.
        path = "/"
        for _ in range(4):
            r = self.alice.propfind(path, [d("current-user-principal")])
            if r.status in (301, 302, 307, 308):
                path = _redirect_path(r)
                self.assertTrue(path, "redirect without Location\n" + r.describe())
                continue
            break
        one = self.propstatus(r)
        cup = one.prop(d("current-user-principal"))
        self.assertTrue(cup is not None and cup.status == 200, r.describe())
        self.assertEqual([norm_href(h) for h in cup.hrefs()], [principal("alice")], r.describe())

    def test_discovery_chain(self):
        r = self.alice.request("PROPFIND", "/.well-known/caldav", None, {"Depth": "0"})
        self.assertStatus(r, 301)
        dav_root = _redirect_path(r)
        r = self.alice.propfind(dav_root, [d("current-user-principal")])
        p = self.propstatus(r).prop(d("current-user-principal"))
        self.assertTrue(p is not None and p.status == 200, r.describe())
        princ = norm_href(p.hrefs()[0])
        self.assertEqual(princ, principal("alice"))
        r = self.alice.propfind(princ, [c("calendar-home-set")])
        p = self.propstatus(r).prop(c("calendar-home-set"))
        self.assertTrue(p is not None and p.status == 200, r.describe())
        hs = [norm_href(h) for h in p.hrefs()]
        self.assertEqual(hs, [home("alice")], r.describe())
        r = self.alice.propfind(hs[0], [d("resourcetype"), d("displayname")], depth="1")
        self.assertStatus(r, 207)
        by = r.by_href()
        self.assertIn(home("alice"), by, r.describe())
        default = by.get(cal_path("alice", "default"))
        self.assertIsNotNone(default, "the default calendar is not listed\n" + r.describe())
        rt = default.prop(d("resourcetype"))
        self.assertIsNotNone(rt.element.find(c("calendar")), r.describe())
        self.assertIsNotNone(rt.element.find(d("collection")), r.describe())
        self.assertEqual(default.prop(d("displayname")).text, "Calendar", r.describe())

    def test_principal_properties(self):
        props = [d("current-user-principal"), d("principal-URL"), c("calendar-home-set"),
                 c("calendar-user-address-set"), d("displayname"), d("supported-report-set"),
                 d("current-user-privilege-set"), d("owner"), d("resourcetype")]
        r = self.alice.propfind(principal("alice"), props)
        one = self.propstatus(r)
        for p in props:
            pr = one.prop(p)
            with self.subTest(prop=p):
                self.assertTrue(pr is not None and pr.status == 200,
                                "%s: expected 200, got %r\n%s" % (p, pr, r.describe()))
        self.assertEqual([norm_href(h) for h in one.prop(d("current-user-principal")).hrefs()],
                         [principal("alice")])
        self.assertEqual([norm_href(h) for h in one.prop(d("principal-URL")).hrefs()], [principal("alice")])
        self.assertEqual([norm_href(h) for h in one.prop(c("calendar-home-set")).hrefs()], [home("alice")])
        addrs = [h.strip() for h in one.prop(c("calendar-user-address-set")).hrefs()]
        self.assertIn("mailto:alice@example.com", addrs, r.describe())
        self.assertEqual(one.prop(d("displayname")).text, "Alice Example", r.describe())
        self.assertEqual([norm_href(h) for h in one.prop(d("owner")).hrefs()], [principal("alice")], r.describe())
        rt = one.prop(d("resourcetype")).element
        self.assertIsNotNone(rt.find(d("principal")), "resourcetype lacks DAV:principal\n" + r.describe())
        privs = {ch.tag for p in one.prop(d("current-user-privilege-set")).element.findall(d("privilege"))
                 for ch in p}
        self.assertTrue(privs & {d("read"), d("all")}, "no read privilege listed\n" + r.describe())

    def test_calendar_properties(self):
        path = cal_path("alice", "default")
        props = [d("resourcetype"), d("displayname"), cs("getctag"), d("sync-token"), d("owner"),
                 c("supported-calendar-component-set"), d("supported-report-set"),
                 d("current-user-privilege-set"), c("supported-calendar-data")]
        r = self.alice.propfind(path, props)
        one = self.propstatus(r)
        for p in props[:-1]:
            with self.subTest(prop=p):
                pr = one.prop(p)
                self.assertTrue(pr is not None and pr.status == 200, "%s: %r\n%s" % (p, pr, r.describe()))
        reports = {ch.tag for sr in one.prop(d("supported-report-set")).element.iter(d("report")) for ch in sr}
        for rep in (c("calendar-multiget"), c("calendar-query"), d("sync-collection")):
            self.assertIn(rep, reports, "supported-report-set lacks %s\n%s" % (rep, r.describe()))
        comps = {e.get("name") for e in one.prop(c("supported-calendar-component-set")).element.findall(c("comp"))}
        self.assertIn("VEVENT", comps, r.describe())
        self.assertTrue(one.prop(cs("getctag")).text, "empty getctag\n" + r.describe())
        self.assertRegex(one.prop(d("sync-token")).text or "", r"^[A-Za-z][A-Za-z0-9+.-]*:",
                         "sync-token is not a URI\n" + r.describe())
        self.assertEqual([norm_href(h) for h in one.prop(d("owner")).hrefs()], [principal("alice")], r.describe())
        privs = {ch.tag for p in one.prop(d("current-user-privilege-set")).element.findall(d("privilege"))
                 for ch in p}
        self.assertTrue(privs & {d("all"), d("write"), d("write-content"), d("bind")},
                        "owner has no write privilege on own calendar\n" + r.describe())

    def test_options_headers(self):
        # Allow lists what applies to the resource itself: no PUT or
        # MKCALENDAR on an existing collection.
        for path, methods in ((home("alice"), ("OPTIONS", "PROPFIND", "REPORT")),
                              (cal_path("alice", "default"), ("OPTIONS", "PROPFIND", "PROPPATCH", "REPORT",
                                                              "DELETE"))):
            with self.subTest(path=path):
                r = self.alice.request("OPTIONS", path)
                self.assertStatus(r, (200, 204))
                dav = header_tokens(r, "DAV")
                for tok in ("1", "3", "calendar-access", "calendar-auto-schedule", "extended-mkcol"):
                    self.assertIn(tok, dav, "DAV header lacks %s\n%s" % (tok, r.describe()))
                self.assertNotIn("2", dav, "DAV: 2 advertised, but the server has no LOCK\n" + r.describe())
                allow = {t.upper() for t in header_tokens(r, "Allow")}
                for m in methods:
                    self.assertIn(m, allow, "Allow lacks %s\n%s" % (m, r.describe()))
                self.assertNotIn("LOCK", allow, r.describe())

    def test_options_on_object(self):
        path, _, _ = self.put_event(self.alice, cal_path("alice", "default"))
        r = self.alice.request("OPTIONS", path)
        self.assertStatus(r, (200, 204))
        allow = {t.upper() for t in header_tokens(r, "Allow")}
        for m in ("GET", "HEAD", "PUT", "DELETE", "PROPFIND", "COPY", "MOVE"):
            self.assertIn(m, allow, r.describe())
        self.assertIn("calendar-access", header_tokens(r, "DAV"), r.describe())

    # Apple Calendar (macOS 14) home PROPFIND, Depth 1.
    APPLE_PROPS = [
        d("add-member"), cs("allowed-sharing-modes"), ical("autoprovisioned"), "{%s}bulk-requests" % ME_NS,
        ical("calendar-color"), c("calendar-description"), c("calendar-free-busy-set"), ical("calendar-order"),
        c("calendar-timezone"), d("current-user-privilege-set"), c("default-alarm-vevent-date"),
        c("default-alarm-vevent-datetime"), d("displayname"), cs("getctag"), cs("invite"),
        ical("language-code"), ical("location-code"), d("owner"), cs("pre-publish-url"), cs("publish-url"),
        cs("push-transports"), cs("pushkey"), d("quota-available-bytes"), d("quota-used-bytes"),
        ical("refreshrate"), d("resource-id"), d("resourcetype"), c("schedule-calendar-transp"),
        c("schedule-default-calendar-URL"), cs("source"), cs("subscribed-strip-alarms"),
        cs("subscribed-strip-attachments"), cs("subscribed-strip-todos"), c("supported-calendar-component-set"),
        c("supported-calendar-component-sets"), d("supported-report-set"), d("sync-token"),
        c("max-resource-size"), cs("getctag"), d("getetag"),
    ]
    # Properties no part of slotdav implements: must be 404, each in a 404 propstat.
    APPLE_UNKNOWN = [cs("allowed-sharing-modes"), ical("autoprovisioned"), "{%s}bulk-requests" % ME_NS,
                     cs("invite"), ical("language-code"), ical("location-code"), cs("pre-publish-url"),
                     cs("publish-url"), cs("push-transports"), cs("pushkey"), ical("refreshrate"), cs("source"),
                     cs("subscribed-strip-alarms"), cs("subscribed-strip-attachments"),
                     cs("subscribed-strip-todos")]
    APPLE_CAL_KNOWN = [d("current-user-privilege-set"), d("displayname"), cs("getctag"), d("owner"),
                       d("resourcetype"), c("supported-calendar-component-set"), d("supported-report-set"),
                       d("sync-token"), ical("calendar-color"), ical("calendar-order")]
    APPLE_HOME_KNOWN = [d("resourcetype"), d("current-user-privilege-set"), d("sync-token"), d("owner")]

    def test_apple_calendar_home_propfind(self):
        user = unique("apple")
        self.server.add_user(user, email=user + "@example.com")
        cl = self.server.client(user)
        calp = cal_path(user, "default")
        r = cl.proppatch(calp, proppatch_body(
            '<A:calendar-color symbolic-color="custom">#FF2968FF</A:calendar-color>'
            "<A:calendar-order>3</A:calendar-order>"))
        self.assertStatus(r, 207)
        seen = set()
        props = [p for p in self.APPLE_PROPS if not (p in seen or seen.add(p))]
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<A:propfind xmlns:A="DAV:"><A:prop>'
                + "".join(self._apple_el(p) for p in props) + "</A:prop></A:propfind>")
        r = cl.request("PROPFIND", home(user), body,
                       {"Depth": "1", "Content-Type": "text/xml", "User-Agent":
                        "macOS/14.4 (23E214) CalendarAgent/1000"})
        self.assertStatus(r, 207)
        ctype = (r.header("Content-Type") or "").lower()
        self.assertTrue("xml" in ctype, "207 Content-Type is %r\n%s" % (ctype, r.describe()))
        by = r.by_href()
        self.assertIn(home(user), by, r.describe())
        self.assertIn(calp, by, r.describe())
        for href, resp in by.items():
            for p in props:
                pr = resp.prop(p)
                with self.subTest(href=href, prop=p):
                    self.assertIsNotNone(pr, "property %s missing from the response for %s\n%s"
                                         % (p, href, r.describe()))
                    self.assertIn(pr.status, (200, 403, 404), r.describe())
                    if p in self.APPLE_UNKNOWN:
                        self.assertEqual(pr.status, 404, "%s on %s\n%s" % (p, href, r.describe()))
                        self.assertEqual(len(pr.element), 0, r.describe())
        for p in self.APPLE_CAL_KNOWN:
            with self.subTest(calendar_prop=p):
                self.assertEqual(by[calp].prop(p).status, 200, "%s on the calendar\n%s" % (p, r.describe()))
        for p in self.APPLE_HOME_KNOWN:
            with self.subTest(home_prop=p):
                self.assertEqual(by[home(user)].prop(p).status, 200, "%s on the home\n%s" % (p, r.describe()))
        self.assertEqual(by[calp].prop(ical("calendar-color")).text, "#FF2968FF", r.describe())
        self.assertEqual(by[calp].prop(ical("calendar-order")).text, "3", r.describe())
        hrt = by[home(user)].prop(d("resourcetype")).element
        self.assertIsNotNone(hrt.find(d("collection")), r.describe())
        self.assertIsNone(hrt.find(c("calendar")), "the home claims to be a calendar\n" + r.describe())

    def test_apple_calendar_principal_propfind(self):
        props = [c("calendar-home-set"), c("calendar-user-address-set"), d("current-user-principal"),
                 d("displayname"), cs("dropbox-home-URL"), cs("email-address-set"), cs("notification-URL"),
                 d("principal-collection-set"), d("principal-URL"), d("resource-id"), c("schedule-inbox-URL"),
                 c("schedule-outbox-URL"), d("supported-report-set")]
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<A:propfind xmlns:A="DAV:"><A:prop>'
                + "".join(self._apple_el(p) for p in props) + "</A:prop></A:propfind>")
        r = self.alice.request("PROPFIND", principal("alice"), body,
                               {"Depth": "0", "Content-Type": "text/xml",
                                "User-Agent": "macOS/14.4 (23E214) CalendarAgent/1000"})
        one = self.propstatus(r)
        for p in props:
            with self.subTest(prop=p):
                pr = one.prop(p)
                self.assertIsNotNone(pr, "property %s missing\n%s" % (p, r.describe()))
                if p in (c("calendar-home-set"), c("calendar-user-address-set"), d("current-user-principal"),
                         d("displayname"), d("principal-URL"), d("supported-report-set")):
                    self.assertEqual(pr.status, 200, r.describe())
                elif p in (cs("dropbox-home-URL"), cs("notification-URL")):
                    self.assertEqual(pr.status, 404, r.describe())
                else:
                    self.assertIn(pr.status, (200, 404), r.describe())
        self.assertEqual([norm_href(h) for h in one.prop(c("calendar-home-set")).hrefs()], [home("alice")])

    @staticmethod
    def _apple_el(p):
        uri, local = p[1:].split("}", 1)
        if uri == "DAV:":
            return "<A:%s/>" % local
        return '<X:%s xmlns:X="%s"/>' % (local, uri)

    def test_propfind_unknown_property_on_object(self):
        path, _, etag = self.put_event(self.alice, cal_path("alice", "default"))
        r = self.alice.propfind(path, [d("getetag"), d("getcontenttype"), "{urn:x-test}nope"])
        one = self.propstatus(r)
        self.assertEqual(one.prop(d("getetag")).status, 200, r.describe())
        self.assertEqual(one.prop(d("getetag")).text, etag, r.describe())
        self.assertTrue(one.prop(d("getcontenttype")).text.startswith("text/calendar"), r.describe())
        self.assertEqual(one.prop("{urn:x-test}nope").status, 404, r.describe())

    def test_propfind_allprop_and_propname(self):
        path, _, etag = self.put_event(self.alice, cal_path("alice", "default"))
        r = self.alice.propfind(path, body=XML_DECL + '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>')
        one = self.propstatus(r)
        self.assertEqual(one.prop(d("getetag")).status, 200, r.describe())
        self.assertEqual(one.prop(d("getetag")).text, etag)
        self.assertEqual(one.prop(d("getcontenttype")).status, 200, r.describe())
        r = self.alice.propfind(cal_path("alice", "default"),
                                body=XML_DECL + '<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>')
        one = self.propstatus(r)
        for p in (d("resourcetype"), d("displayname"), cs("getctag"), d("sync-token")):
            self.assertIn(p, one.props, "propname lacks %s\n%s" % (p, r.describe()))
            self.assertEqual(len(one.props[p].element), 0, "propname must return empty elements\n" + r.describe())
            self.assertEqual(one.props[p].status, 200, r.describe())
        r = self.alice.propfind(cal_path("alice", "default"), body=None)  # empty body = allprop
        one = self.propstatus(r)
        self.assertEqual(one.prop(d("resourcetype")).status, 200, r.describe())

    def test_propfind_depth1_lists_objects_with_etags(self):
        calp = self.make_calendar(self.alice, "alice")
        items = [self.put_event(self.alice, calp) for _ in range(3)]
        m = self.members(self.alice, calp, [d("getetag"), d("resourcetype")])
        self.assertEqual(set(m), {norm_href(p) for p, _, _ in items})
        for p, _, etag in items:
            self.assertEqual(m[norm_href(p)].prop(d("getetag")).text, etag)

    def test_propfind_missing_resource(self):
        r = self.alice.propfind(cal_path("alice", "default") + "nope-%s.ics" % unique(), [d("getetag")])
        self.assertStatus(r, 404)
        r = self.alice.propfind(cal_path("alice", unique("nocal")), [d("resourcetype")])
        self.assertStatus(r, 404)


# ==========================================================================
class ClientEmulationTests(DavTestCase):
    """The requests Thunderbird, DAVx5 and Evolution send, in their order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.add_user("tb", email="tb@example.com")
        cls.server.add_user("dx", email="dx@example.com")
        cls.server.add_user("evo", email="evo@example.com")

    def test_thunderbird_discovery_and_sync(self):
        cl = self.server.client("tb")
        calp = cal_path("tb", "default")
        ua = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.9.0"}
        seed = [self.put_event(cl, calp, summary="seed %d" % i) for i in range(2)]

        # checkDavResourceType
        body = (XML_DECL + '<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/" '
                'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:resourcetype/><D:owner/>'
                "<D:current-user-principal/><D:current-user-privilege-set/><D:supported-report-set/>"
                "<C:supported-calendar-component-set/><CS:getctag/></D:prop></D:propfind>")
        r = cl.propfind(calp, body=body, depth="0", headers=dict(ua, **{"Content-Type": "text/xml; charset=utf-8"}))
        one = self.propstatus(r)
        self.assertIsNotNone(one.prop(d("resourcetype")).element.find(c("calendar")), r.describe())
        for p in (cs("getctag"), d("current-user-principal"), c("supported-calendar-component-set"),
                  d("current-user-privilege-set")):
            self.assertEqual(one.prop(p).status, 200, "%s\n%s" % (p, r.describe()))
        princ = norm_href(one.prop(d("current-user-principal")).hrefs()[0])
        self.assertEqual(princ, principal("tb"))

        # checkServerCaps
        r = cl.request("OPTIONS", calp, headers=ua)
        self.assertStatus(r, (200, 204))
        self.assertIn("calendar-access", header_tokens(r, "DAV"), r.describe())

        # checkPrincipalsNameSpace
        body = (XML_DECL + '<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop>'
                "<C:calendar-home-set/><C:calendar-user-address-set/><C:schedule-inbox-URL/>"
                "<C:schedule-outbox-URL/></D:prop></D:propfind>")
        r = cl.propfind(princ, body=body, depth="0", headers=ua)
        one = self.propstatus(r)
        self.assertEqual([norm_href(h) for h in one.prop(c("calendar-home-set")).hrefs()], [home("tb")])
        self.assertIn("mailto:tb@example.com", one.prop(c("calendar-user-address-set")).hrefs(), r.describe())
        for p, box in ((c("schedule-inbox-URL"), "inbox"), (c("schedule-outbox-URL"), "outbox")):
            self.assertEqual(one.prop(p).status, 200, r.describe())
            self.assertEqual([norm_href(h) for h in one.prop(p).hrefs()], [home("tb") + box + "/"], r.describe())

        # getUpdatedItems: webdav sync, Depth 1 as Thunderbird sends it
        r = cl.report(calp, sync_body(None, props=("getcontenttype", "getetag")), depth="1", headers=ua)
        self.assertStatus(r, 207)
        token = r.sync_token()
        self.assertTrue(token, r.describe())
        ch = self.sync_changes(r, calp)
        self.assertEqual(set(ch), {norm_href(p) for p, _, _ in seed}, r.describe())
        for p, _, etag in seed:
            e = ch[norm_href(p)]
            self.assertEqual(e.prop(d("getetag")).text, etag, r.describe())
            self.assertTrue(e.prop(d("getcontenttype")).text.startswith("text/calendar"), r.describe())

        # etag fallback PROPFIND Depth 1 (used when sync is not available)
        body = (XML_DECL + '<D:propfind xmlns:D="DAV:"><D:prop><D:getcontenttype/><D:resourcetype/>'
                "<D:getetag/></D:prop></D:propfind>")
        r = cl.propfind(calp, body=body, depth="1", headers=ua)
        self.assertStatus(r, 207)
        by = r.by_href()
        self.assertIsNotNone(by[norm_href(calp)].prop(d("resourcetype")).element.find(d("collection")))
        for p, _, etag in seed:
            self.assertEqual(by[norm_href(p)].prop(d("getetag")).text, etag, r.describe())

        # multiget of what changed
        r = cl.report(calp, multiget_body([p for p, _, _ in seed]), depth="1", headers=ua)
        self.assertStatus(r, 207)
        by = r.by_href()
        for p, uid, etag in seed:
            e = by[norm_href(p)]
            self.assertEqual(e.prop(d("getetag")).text, etag, r.describe())
            self.assertEqual(ics_uid(e.prop(c("calendar-data")).text), uid, r.describe())

        # the user creates, edits and deletes
        uid = unique("tb")
        newp = calp + uid + ".ics"
        r = cl.put_ics(newp, ics_event(uid, "from thunderbird"), dict(ua, **{"If-None-Match": "*"}))
        self.assertStatus(r, 201)
        r = cl.get(newp)
        etag = r.header("ETag")
        r = cl.put_ics(newp, ics_event(uid, "edited in thunderbird"), dict(ua, **{"If-Match": etag}))
        self.assertStatus(r, (200, 204))
        r = cl.delete(seed[0][0], dict(ua, **{"If-Match": seed[0][2]}))
        self.assertStatus(r, (200, 204))

        r = cl.report(calp, sync_body(token, props=("getcontenttype", "getetag")), depth="1", headers=ua)
        self.assertStatus(r, 207)
        ch = self.sync_changes(r, calp)
        self.assertEqual(set(ch), {norm_href(newp), norm_href(seed[0][0])}, r.describe())
        self.assertChanged(ch[norm_href(newp)], r)
        self.assertRemoved(ch[norm_href(seed[0][0])], r)

    def test_davx5_discovery_and_sync(self):
        cl = self.server.client("dx")
        ua = {"User-Agent": "DAVx5/4.3.13-ose (2024/01/01; dav4jvm; okhttp/4.12.0) Android/14"}
        calp = cal_path("dx", "default")
        seed = [self.put_event(cl, calp, summary="seed %d" % i) for i in range(2)]

        # service discovery: well-known, then the redirect target
        body = (XML_DECL + '<propfind xmlns="DAV:" xmlns:CAL="urn:ietf:params:xml:ns:caldav" '
                'xmlns:CARD="urn:ietf:params:xml:ns:carddav"><prop><resourcetype/><displayname/>'
                "<CARD:addressbook-home-set/><CAL:calendar-home-set/><current-user-principal/></prop></propfind>")
        r = cl.propfind("/.well-known/caldav", body=body, depth="0", headers=ua)
        self.assertStatus(r, 301)
        target = _redirect_path(r)
        r = cl.propfind(target, body=body, depth="0", headers=ua)
        one = self.propstatus(r)
        self.assertEqual([norm_href(h) for h in one.prop(d("current-user-principal")).hrefs()], [principal("dx")])
        self.assertEqual(one.prop("{urn:ietf:params:xml:ns:carddav}addressbook-home-set").status, 404,
                         r.describe())

        body = (XML_DECL + '<propfind xmlns="DAV:" xmlns:CAL="urn:ietf:params:xml:ns:caldav"><prop>'
                "<CAL:calendar-home-set/><CAL:calendar-user-address-set/><displayname/>"
                '<group-membership/><CS:calendar-proxy-read-for xmlns:CS="http://calendarserver.org/ns/"/>'
                "</prop></propfind>")
        r = cl.propfind(principal("dx"), body=body, depth="0", headers=ua)
        one = self.propstatus(r)
        self.assertEqual([norm_href(h) for h in one.prop(c("calendar-home-set")).hrefs()], [home("dx")])
        self.assertEqual(one.prop(cs("calendar-proxy-read-for")).status, 404, r.describe())

        body = (XML_DECL + '<propfind xmlns="DAV:" xmlns:CAL="urn:ietf:params:xml:ns:caldav" '
                'xmlns:CS="http://calendarserver.org/ns/" xmlns:ICAL="http://apple.com/ns/ical/"><prop>'
                "<resourcetype/><displayname/><current-user-privilege-set/><CAL:calendar-description/>"
                "<ICAL:calendar-color/><CAL:calendar-timezone/><CAL:supported-calendar-component-set/>"
                "<CS:source/><owner/></prop></propfind>")
        r = cl.propfind(home("dx"), body=body, depth="1", headers=ua)
        self.assertStatus(r, 207)
        by = r.by_href()
        e = by.get(calp)
        self.assertIsNotNone(e, r.describe())
        self.assertIsNotNone(e.prop(d("resourcetype")).element.find(c("calendar")), r.describe())
        self.assertEqual(e.prop(d("displayname")).text, "Calendar", r.describe())
        self.assertEqual(e.prop(cs("source")).status, 404, r.describe())
        self.assertEqual(e.prop(c("supported-calendar-component-set")).status, 200, r.describe())

        # sync: capabilities, then sync-collection Depth 0, then multiget Depth 0
        body = (XML_DECL + '<propfind xmlns="DAV:" xmlns:CS="http://calendarserver.org/ns/"><prop>'
                "<supported-report-set/><CS:getctag/><sync-token/></prop></propfind>")
        r = cl.propfind(calp, body=body, depth="0", headers=ua)
        one = self.propstatus(r)
        reports = {ch.tag for sr in one.prop(d("supported-report-set")).element.iter(d("report")) for ch in sr}
        self.assertIn(d("sync-collection"), reports, r.describe())

        body = (XML_DECL + '<sync-collection xmlns="DAV:"><sync-token/><sync-level>1</sync-level>'
                "<prop><getetag/></prop></sync-collection>")
        r = cl.report(calp, body, depth="0", headers=ua)
        self.assertStatus(r, 207)
        token = r.sync_token()
        ch = self.sync_changes(r, calp)
        self.assertEqual(set(ch), {norm_href(p) for p, _, _ in seed}, r.describe())

        mg = multiget_body([p for p, _, _ in seed],
                           props="<D:getetag/><C:calendar-data/><C:schedule-tag/>")
        r = cl.report(calp, mg, depth="0", headers=ua)
        self.assertStatus(r, 207)
        by = r.by_href()
        for p, uid, etag in seed:
            self.assertEqual(by[norm_href(p)].prop(d("getetag")).text, etag, r.describe())
            self.assertEqual(ics_uid(by[norm_href(p)].prop(c("calendar-data")).text), uid, r.describe())
            self.assertIn(by[norm_href(p)].prop(c("schedule-tag")).status, (200, 404), r.describe())

        # uploads: create (If-None-Match: *), update (If-Match), delete (If-Match)
        uid = unique("dx")
        newp = calp + uid + ".ics"
        r = cl.put_ics(newp, ics_event(uid, "from davx5"), dict(ua, **{"If-None-Match": "*"}))
        self.assertStatus(r, 201)
        etag = r.header("ETag")
        self.assertStrongEtag(etag, r)
        r = cl.put_ics(newp, ics_event(uid, "davx5 edit"), dict(ua, **{"If-Match": etag}))
        self.assertStatus(r, (200, 204))
        etag2 = r.header("ETag")
        self.assertStrongEtag(etag2, r)
        self.assertNotEqual(etag, etag2)
        r = cl.delete(seed[1][0], dict(ua, **{"If-Match": seed[1][2]}))
        self.assertStatus(r, (200, 204))

        body = (XML_DECL + '<sync-collection xmlns="DAV:"><sync-token>%s</sync-token><sync-level>1</sync-level>'
                "<prop><getetag/></prop></sync-collection>" % token)
        r = cl.report(calp, body, depth="0", headers=ua)
        self.assertStatus(r, 207)
        ch = self.sync_changes(r, calp)
        self.assertEqual(set(ch), {norm_href(newp), norm_href(seed[1][0])}, r.describe())
        self.assertEqual(ch[norm_href(newp)].prop(d("getetag")).text, etag2, r.describe())
        self.assertRemoved(ch[norm_href(seed[1][0])], r)

    def test_evolution_ctag_polling(self):
        cl = self.server.client("evo")
        other = self.server.client("evo")
        ua = {"User-Agent": "Evolution/3.46.4"}
        calp = cal_path("evo", "default")
        seed = [self.put_event(cl, calp, summary="seed %d" % i, start="20300105T100000Z", end="20300105T110000Z")
                for i in range(2)]
        ctag_body = (XML_DECL + '<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/">'
                     "<D:prop><CS:getctag/></D:prop></D:propfind>")

        def poll():
            r = cl.propfind(calp, body=ctag_body, depth="0", headers=ua)
            pr = self.propstatus(r).prop(cs("getctag"))
            self.assertEqual(pr.status, 200, r.describe())
            self.assertTrue(pr.text)
            return pr.text

        ctag1 = poll()
        self.assertEqual(poll(), ctag1, "getctag changed without any change")

        q = query_body('<C:comp-filter name="VEVENT"><C:time-range start="20240101T000000Z"/></C:comp-filter>',
                       props="<D:getetag/>")
        r = cl.report(calp, q, depth="1", headers=ua)
        self.assertStatus(r, 207)
        etags = {h: m.prop(d("getetag")).text for h, m in r.by_href().items()}
        self.assertEqual(etags, {norm_href(p): e for p, _, e in seed}, r.describe())
        for m in r.multistatus():
            self.assertNotIn(c("calendar-data"), m.props, "calendar-data was not asked for\n" + r.describe())

        # another device changes the calendar
        uid = unique("evo")
        newp = calp + uid + ".ics"
        self.put_new(other, newp, ics_event(uid, "other device", start="20300106T100000Z", end="20300106T110000Z"))
        r = other.put_ics(seed[0][0], ics_event(seed[0][1], "changed elsewhere", start="20300105T100000Z",
                                                end="20300105T110000Z"), {"If-Match": seed[0][2]})
        self.assertStatus(r, (200, 204))
        ctag2 = poll()
        self.assertNotEqual(ctag2, ctag1)

        r = cl.report(calp, q, depth="1", headers=ua)
        self.assertStatus(r, 207)
        etags2 = {h: m.prop(d("getetag")).text for h, m in r.by_href().items()}
        self.assertEqual(set(etags2), {norm_href(seed[0][0]), norm_href(seed[1][0]), norm_href(newp)})
        changed = [h for h in etags2 if etags.get(h) != etags2[h]]
        self.assertEqual(set(changed), {norm_href(seed[0][0]), norm_href(newp)})

        r = cl.report(calp, multiget_body(changed), depth="1", headers=ua)
        self.assertStatus(r, 207)
        by = r.by_href()
        self.assertEqual(ics_prop(by[norm_href(seed[0][0])].prop(c("calendar-data")).text, "SUMMARY"),
                         "changed elsewhere")
        self.assertEqual(by[norm_href(newp)].prop(d("getetag")).text, etags2[norm_href(newp)])


# ==========================================================================
class CollectionTests(DavTestCase):
    """MKCALENDAR, extended MKCOL, plain collections, PROPPATCH, DELETE."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.add_user("alice", email="alice@example.com")
        cls.alice = cls.server.client("alice")

    def test_mkcalendar_with_properties(self):
        path = cal_path("alice", unique("work"))
        body = (XML_DECL + '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" '
                'xmlns:A="http://apple.com/ns/ical/"><D:set><D:prop>'
                "<D:displayname>Work &amp; Play</D:displayname>"
                "<C:calendar-description>Shifts \u2013 Schichten</C:calendar-description>"
                '<C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/>'
                "</C:supported-calendar-component-set>"
                "<A:calendar-color>#00AA00FF</A:calendar-color><A:calendar-order>7</A:calendar-order>"
                "<C:calendar-timezone>BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
                + VTIMEZONE_BERLIN.strip().replace("\n", "\r\n") + "\r\nEND:VCALENDAR\r\n</C:calendar-timezone>"
                "</D:prop></D:set></C:mkcalendar>")
        r = self.alice.mkcalendar(path, body)
        self.assertStatus(r, 201)
        props = [d("displayname"), c("calendar-description"), c("supported-calendar-component-set"),
                 ical("calendar-color"), ical("calendar-order"), c("calendar-timezone"), d("resourcetype")]
        r = self.alice.propfind(path, props)
        one = self.propstatus(r)
        for p in props:
            self.assertEqual(one.prop(p).status, 200, "%s\n%s" % (p, r.describe()))
        self.assertEqual(one.prop(d("displayname")).text, "Work & Play")
        self.assertEqual(one.prop(c("calendar-description")).text, "Shifts \u2013 Schichten")
        comps = {e.get("name") for e in one.prop(c("supported-calendar-component-set")).element.findall(c("comp"))}
        self.assertEqual(comps, {"VEVENT", "VTODO"}, r.describe())
        self.assertEqual(one.prop(ical("calendar-color")).text, "#00AA00FF")
        self.assertEqual(one.prop(ical("calendar-order")).text, "7")
        self.assertIn("TZID:Europe/Berlin", one.prop(c("calendar-timezone")).text)
        rt = one.prop(d("resourcetype")).element
        self.assertIsNotNone(rt.find(c("calendar")))
        self.assertIsNotNone(rt.find(d("collection")))
        self.assertIn(norm_href(path), self.members(self.alice, home("alice")))

    def test_mkcalendar_without_body(self):
        path = cal_path("alice", unique("bare"))
        r = self.alice.mkcalendar(path)
        self.assertStatus(r, 201)
        r = self.alice.propfind(path, [d("resourcetype"), c("supported-calendar-component-set"), cs("getctag")])
        one = self.propstatus(r)
        self.assertIsNotNone(one.prop(d("resourcetype")).element.find(c("calendar")), r.describe())
        self.assertEqual(one.prop(c("supported-calendar-component-set")).status, 200, r.describe())
        self.assertEqual(one.prop(cs("getctag")).status, 200, r.describe())

    def test_mkcalendar_on_existing(self):
        path = self.make_calendar(self.alice, "alice")
        self.put_event(self.alice, path)
        r = self.alice.mkcalendar(path)
        self.assertStatus(r, (403, 405))
        self.assertEqual(len(self.members(self.alice, path)), 1, "existing calendar lost its content")

    def test_mkcalendar_missing_parent(self):
        r = self.alice.mkcalendar("/dav/calendars/alice/%s/sub/" % unique("nope"))
        self.assertStatus(r, 409)

    def test_mkcalendar_inside_calendar(self):
        path = self.make_calendar(self.alice, "alice")
        r = self.alice.mkcalendar(path + "inner/")
        self.assertStatus(r, (403, 405, 409))
        self.assertStatus(self.alice.propfind(path + "inner/", [d("resourcetype")]), 404)

    def test_extended_mkcol_calendar(self):
        path = cal_path("alice", unique("xmkcol"))
        body = (XML_DECL + '<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
                "<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>"
                "<D:displayname>Via MKCOL</D:displayname>"
                '<C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set>'
                "</D:prop></D:set></D:mkcol>")
        r = self.alice.mkcol(path, body)
        self.assertStatus(r, 201)
        r = self.alice.propfind(path, [d("resourcetype"), d("displayname"), c("supported-calendar-component-set")])
        one = self.propstatus(r)
        self.assertIsNotNone(one.prop(d("resourcetype")).element.find(c("calendar")), r.describe())
        self.assertEqual(one.prop(d("displayname")).text, "Via MKCOL")
        comps = {e.get("name") for e in one.prop(c("supported-calendar-component-set")).element.findall(c("comp"))}
        self.assertEqual(comps, {"VTODO"}, r.describe())

    def test_plain_collection_holds_any_resource(self):
        path = home("alice") + unique("files") + "/"
        r = self.alice.mkcol(path)
        self.assertStatus(r, 201)
        r = self.alice.propfind(path, [d("resourcetype")])
        rt = self.propstatus(r).prop(d("resourcetype")).element
        self.assertIsNotNone(rt.find(d("collection")), r.describe())
        self.assertIsNone(rt.find(c("calendar")), r.describe())
        data = b"plain bytes \x00\x01\xff not a calendar"
        r = self.alice.request("PUT", path + "blob.bin", data, {"Content-Type": "application/octet-stream"})
        self.assertStatus(r, 201)
        r = self.alice.get(path + "blob.bin")
        self.assertStatus(r, 200)
        self.assertEqual(r.body, data)
        self.assertEqual(r.header("Content-Type").split(";")[0].strip(), "application/octet-stream")
        self.assertIn(norm_href(path + "blob.bin"), self.members(self.alice, path))
        r = self.alice.mkcol(path)
        self.assertStatus(r, 405, "MKCOL on an existing collection")
        r = self.alice.delete(path)
        self.assertStatus(r, (200, 204))
        self.assertStatus(self.alice.get(path + "blob.bin"), 404)

    def test_proppatch_set_and_remove(self):
        path = self.make_calendar(self.alice, "alice")
        tz = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n" + VTIMEZONE_BERLIN.strip().replace(
            "\n", "\r\n") + "\r\nEND:VCALENDAR\r\n"
        r = self.alice.proppatch(path, proppatch_body(
            "<D:displayname>Renamed</D:displayname>"
            "<C:calendar-description>About this</C:calendar-description>"
            "<A:calendar-color>#123456</A:calendar-color>"
            "<A:calendar-order>12</A:calendar-order>"
            "<C:calendar-timezone>%s</C:calendar-timezone>" % tz))
        one = self.propstatus(r)
        props = [d("displayname"), c("calendar-description"), ical("calendar-color"), ical("calendar-order"),
                 c("calendar-timezone")]
        for p in props:
            self.assertEqual(one.prop(p).status, 200, "%s\n%s" % (p, r.describe()))
        r = self.alice.propfind(path, props)
        one = self.propstatus(r)
        self.assertEqual(one.prop(d("displayname")).text, "Renamed")
        self.assertEqual(one.prop(c("calendar-description")).text, "About this")
        self.assertEqual(one.prop(ical("calendar-color")).text, "#123456")
        self.assertEqual(one.prop(ical("calendar-order")).text, "12")
        self.assertIn("TZID:Europe/Berlin", one.prop(c("calendar-timezone")).text)

        r = self.alice.proppatch(path, proppatch_body(
            remove_xml="<C:calendar-description/><A:calendar-color/>"))
        one = self.propstatus(r)
        self.assertEqual(one.prop(c("calendar-description")).status, 200, r.describe())
        self.assertEqual(one.prop(ical("calendar-color")).status, 200, r.describe())
        r = self.alice.propfind(path, [c("calendar-description"), ical("calendar-color"), d("displayname")])
        one = self.propstatus(r)
        self.assertEqual(one.prop(c("calendar-description")).status, 404, r.describe())
        self.assertEqual(one.prop(ical("calendar-color")).status, 404, r.describe())
        self.assertEqual(one.prop(d("displayname")).text, "Renamed")

    def test_proppatch_dead_properties_round_trip(self):
        path = self.make_calendar(self.alice, "alice")
        dead = ('<X:custom xmlns:X="http://example.com/ns/" xmlns:Y="urn:y-ns">'
                '<X:child kind="a">text &amp; &lt;more&gt; \u00e9\u6f22</X:child>'
                '<Y:inner Y:attr="v"><Y:leaf/>deep</Y:inner></X:custom>'
                '<Z:plain xmlns:Z="urn:z">simple value</Z:plain>')
        r = self.alice.proppatch(path, proppatch_body(dead))
        one = self.propstatus(r)
        self.assertEqual(one.prop("{http://example.com/ns/}custom").status, 200, r.describe())
        self.assertEqual(one.prop("{urn:z}plain").status, 200, r.describe())
        sent = ET.fromstring('<w xmlns:D="DAV:">%s</w>' % dead)
        r = self.alice.propfind(path, ["{http://example.com/ns/}custom", "{urn:z}plain"])
        one = self.propstatus(r)
        got = one.prop("{http://example.com/ns/}custom")
        self.assertEqual(got.status, 200, r.describe())
        self.assertEqual(canon(got.element), canon(sent[0]), "dead property changed on the way\n" + r.describe())
        self.assertEqual(canon(one.prop("{urn:z}plain").element), canon(sent[1]), r.describe())
        # survives in Depth 1 and allprop listings too
        m = self.members(self.alice, home("alice"), ["{urn:z}plain"])
        self.assertEqual(m[norm_href(path)].prop("{urn:z}plain").text, "simple value")
        r = self.alice.proppatch(path, proppatch_body(remove_xml='<Z:plain xmlns:Z="urn:z"/>'))
        self.assertEqual(self.propstatus(r).prop("{urn:z}plain").status, 200, r.describe())
        r = self.alice.propfind(path, ["{urn:z}plain", "{http://example.com/ns/}custom"])
        one = self.propstatus(r)
        self.assertEqual(one.prop("{urn:z}plain").status, 404, r.describe())
        self.assertEqual(one.prop("{http://example.com/ns/}custom").status, 200, r.describe())

    def test_proppatch_protected_is_atomic(self):
        path = self.make_calendar(self.alice, "alice", displayname="Before")
        r = self.alice.proppatch(path, proppatch_body(
            "<D:displayname>After</D:displayname><D:getetag>\"forged\"</D:getetag>"
            '<X:dead xmlns:X="urn:x">v</X:dead>'))
        one = self.propstatus(r)
        self.assertEqual(one.prop(d("getetag")).status, 403, r.describe())
        self.assertEqual(one.prop(d("displayname")).status, 424, r.describe())
        self.assertEqual(one.prop("{urn:x}dead").status, 424, r.describe())
        r = self.alice.propfind(path, [d("displayname"), "{urn:x}dead"])
        one = self.propstatus(r)
        self.assertEqual(one.prop(d("displayname")).text, "Before", "PROPPATCH was applied in part\n" + r.describe())
        self.assertEqual(one.prop("{urn:x}dead").status, 404, r.describe())
        for prot in ("<D:resourcetype><D:collection/></D:resourcetype>", "<CS:getctag>x</CS:getctag>",
                     "<D:sync-token>http://x/1</D:sync-token>",
                     "<D:current-user-privilege-set/>"):
            with self.subTest(prop=prot):
                r = self.alice.proppatch(path, proppatch_body(prot + "<D:displayname>X</D:displayname>"))
                one = self.propstatus(r)
                statuses = {k: v.status for k, v in one.props.items()}
                self.assertEqual(statuses.pop(d("displayname")), 424, r.describe())
                self.assertEqual(list(statuses.values()), [403], r.describe())

    def test_proppatch_missing_and_malformed(self):
        r = self.alice.proppatch(cal_path("alice", unique("none")), proppatch_body("<D:displayname>x</D:displayname>"))
        self.assertStatus(r, 404)
        r = self.alice.proppatch(cal_path("alice", "default"), "<D:propertyupdate xmlns:D='DAV:'><D:set>")
        self.assertStatus(r, 400)

    def test_delete_calendar(self):
        path = self.make_calendar(self.alice, "alice")
        obj, _, _ = self.put_event(self.alice, path)
        r = self.alice.delete(path)
        self.assertStatus(r, (200, 204))
        self.assertStatus(self.alice.propfind(path, [d("resourcetype")]), 404)
        self.assertStatus(self.alice.get(obj), 404)
        self.assertNotIn(norm_href(path), self.members(self.alice, home("alice")))
        r = self.alice.mkcalendar(path)
        self.assertStatus(r, 201, "re-creating a deleted calendar")
        self.assertEqual(self.members(self.alice, path), {}, "a re-created calendar shows old objects")
        self.assertStatus(self.alice.get(obj), 404)

    def test_delete_missing(self):
        self.assertStatus(self.alice.delete(cal_path("alice", unique("gone"))), 404)
        self.assertStatus(self.alice.delete(cal_path("alice", "default") + unique("gone") + ".ics"), 404)

    def test_delete_home_refused(self):
        user = unique("u")
        self.server.add_user(user)
        cl = self.server.client(user)
        r = cl.delete(home(user))
        self.assertStatus(r, (403, 405))
        self.assertStatus(cl.propfind(cal_path(user, "default"), [d("resourcetype")]), 207)


# ==========================================================================
class ObjectTests(DavTestCase):
    """Calendar objects: ETags, conditional requests, preconditions, reports."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.add_user("alice", email="alice@example.com")
        cls.alice = cls.server.client("alice")

    def test_object_lifecycle(self):
        calp = self.make_calendar(self.alice, "alice")
        uid = unique("life")
        path = calp + uid + ".ics"
        body = ics_event(uid, "First")
        r = self.alice.put_ics(path, body, {"If-None-Match": "*"})
        self.assertStatus(r, 201)
        etag = r.header("ETag")
        self.assertStrongEtag(etag, r)
        r = self.alice.get(path)
        self.assertStatus(r, 200)
        self.assertEqual(r.header("ETag"), etag, "GET ETag differs from the PUT ETag\n" + r.describe())
        self.assertEqual((r.header("Content-Type") or "").split(";")[0].strip().lower(), "text/calendar")
        self.assertEqual(ics_uid(r.body), uid)
        self.assertEqual(ics_prop(r.body, "SUMMARY"), "First")
        length = len(r.body)
        h = self.alice.request("HEAD", path)
        self.assertStatus(h, 200)
        self.assertEqual(h.body, b"")
        self.assertEqual(h.header("ETag"), etag)
        if h.header("Content-Length") is not None:
            self.assertEqual(int(h.header("Content-Length")), length, h.describe())
        self.assertEqual(self.prop_value(self.alice, path, d("getetag")).text, etag)

        r = self.alice.put_ics(path, ics_event(uid, "Second"), {"If-Match": etag})
        self.assertStatus(r, (200, 204))
        etag2 = r.header("ETag")
        self.assertStrongEtag(etag2, r)
        self.assertNotEqual(etag2, etag)
        r = self.alice.get(path)
        self.assertEqual(r.header("ETag"), etag2)
        self.assertEqual(ics_prop(r.body, "SUMMARY"), "Second")

        r = self.alice.delete(path, {"If-Match": etag2})
        self.assertStatus(r, (200, 204))
        self.assertStatus(self.alice.get(path), 404)
        self.assertStatus(self.alice.request("HEAD", path), 404)
        self.assertStatus(self.alice.propfind(path, [d("getetag")]), 404)

    def _obj(self):
        calp = self.make_calendar(self.alice, "alice")
        path, uid, etag = self.put_event(self.alice, calp, summary="Original")
        return path, uid, etag

    def _unchanged(self, path, etag):
        r = self.alice.get(path)
        self.assertStatus(r, 200)
        self.assertEqual(r.header("ETag"), etag, "object changed by a failed conditional request")
        self.assertEqual(ics_prop(r.body, "SUMMARY"), "Original")

    def test_if_none_match_star_on_existing(self):
        path, uid, etag = self._obj()
        r = self.alice.put_ics(path, ics_event(uid, "Overwrite"), {"If-None-Match": "*"})
        self.assertStatus(r, 412)
        self._unchanged(path, etag)

    def test_if_match_wrong_etag(self):
        path, uid, etag = self._obj()
        r = self.alice.put_ics(path, ics_event(uid, "Overwrite"), {"If-Match": '"not-the-etag"'})
        self.assertStatus(r, 412)
        r = self.alice.delete(path, {"If-Match": '"not-the-etag"'})
        self.assertStatus(r, 412)
        self._unchanged(path, etag)

    def test_if_match_weak_never_matches(self):
        path, uid, etag = self._obj()
        r = self.alice.put_ics(path, ics_event(uid, "Overwrite"), {"If-Match": "W/" + etag})
        self.assertStatus(r, 412)
        self._unchanged(path, etag)

    def test_if_match_star(self):
        path, uid, etag = self._obj()
        missing = path.replace(".ics", "-missing.ics")
        r = self.alice.put_ics(missing, ics_event(unique("m"), "x"), {"If-Match": "*"})
        self.assertStatus(r, 412)
        self.assertStatus(self.alice.get(missing), 404)
        r = self.alice.put_ics(path, ics_event(uid, "Star"), {"If-Match": "*"})
        self.assertStatus(r, (200, 204))
        self.assertEqual(ics_prop(self.alice.get(path).body, "SUMMARY"), "Star")
        r = self.alice.delete(missing, {"If-Match": "*"})
        self.assertStatus(r, (404, 412))

    def test_if_match_list(self):
        path, uid, etag = self._obj()
        r = self.alice.put_ics(path, ics_event(uid, "No"), {"If-Match": '"a", "b"'})
        self.assertStatus(r, 412)
        self._unchanged(path, etag)
        r = self.alice.put_ics(path, ics_event(uid, "Yes"), {"If-Match": '"a", %s, "b"' % etag})
        self.assertStatus(r, (200, 204))
        self.assertEqual(ics_prop(self.alice.get(path).body, "SUMMARY"), "Yes")

    def test_if_none_match_list(self):
        path, uid, etag = self._obj()
        r = self.alice.put_ics(path, ics_event(uid, "No"), {"If-None-Match": '"zzz", %s' % etag})
        self.assertStatus(r, 412)
        self._unchanged(path, etag)
        r = self.alice.put_ics(path, ics_event(uid, "Yes"), {"If-None-Match": '"zzz", "yyy"'})
        self.assertStatus(r, (200, 204))
        self.assertEqual(ics_prop(self.alice.get(path).body, "SUMMARY"), "Yes")

    def test_conditional_get(self):
        path, uid, etag = self._obj()
        r = self.alice.get(path, {"If-None-Match": etag})
        self.assertStatus(r, 304)
        self.assertEqual(r.body, b"")
        self.assertEqual(r.header("ETag"), etag, r.describe())
        self.assertStatus(self.alice.get(path, {"If-None-Match": "*"}), 304)
        self.assertStatus(self.alice.get(path, {"If-None-Match": '"other"'}), 200)
        self.assertStatus(self.alice.get(path, {"If-Match": '"other"'}), 412)
        self.assertStatus(self.alice.get(path, {"If-Match": etag}), 200)
        self.assertStatus(self.alice.request("HEAD", path, headers={"If-None-Match": etag}), 304)

    def test_put_without_parent(self):
        r = self.alice.put_ics("/dav/calendars/alice/%s/x.ics" % unique("nocal"), ics_event(unique()))
        self.assertStatus(r, 409)

    def test_put_on_collection(self):
        calp = self.make_calendar(self.alice, "alice")
        r = self.alice.put_ics(calp, ics_event(unique()))
        self.assertStatus(r, (403, 405, 409))
        r = self.alice.propfind(calp, [d("resourcetype")])
        self.assertIsNotNone(self.propstatus(r).prop(d("resourcetype")).element.find(c("calendar")))

    # ---- preconditions ---------------------------------------------------

    def _rejected(self, calp, name, body, element, content_type="text/calendar; charset=utf-8", status=403):
        path = calp + name
        r = self.alice.request("PUT", path, body, {"Content-Type": content_type})
        if isinstance(element, tuple):
            self.assertStatus(r, status)
            errs = r.error_elements()
            if not set(element) & set(errs):
                self.fail("expected a DAV:error with one of %s, got %s\n%s" % (element, errs, r.describe()))
        else:
            self.assertDavError(r, status, element)
        self.assertStatus(self.alice.get(path), 404, "a rejected PUT stored something")
        return r

    def test_invalid_calendar_data(self):
        calp = self.make_calendar(self.alice, "alice")
        self._rejected(calp, "junk.ics", "this is not iCalendar\r\n", c("valid-calendar-data"))
        broken = ics_event(unique()).replace("END:VCALENDAR\r\n", "")
        self._rejected(calp, "broken.ics", broken, c("valid-calendar-data"))
        bad_date = ics_event(unique(), start="DTSTART:2030-13-45T99:00:00")
        self._rejected(calp, "baddate.ics", bad_date, c("valid-calendar-data"))

    def test_invalid_object_resource(self):
        calp = self.make_calendar(self.alice, "alice", comps=["VEVENT", "VTODO"])
        a = ics_event("uid-one", "A")
        b = ics_event("uid-two", "B")
        two_uids = a.replace("END:VCALENDAR\r\n", "") + b[b.index("BEGIN:VEVENT"):]
        self._rejected(calp, "two-uids.ics", two_uids, c("valid-calendar-object-resource"))
        t = ics_todo("uid-three")
        mixed = a.replace("END:VCALENDAR\r\n", "") + t[t.index("BEGIN:VTODO"):]
        self._rejected(calp, "mixed.ics", mixed, c("valid-calendar-object-resource"))
        no_uid = "\r\n".join(line for line in ics_event("x").split("\r\n") if not line.startswith("UID:"))
        self._rejected(calp, "no-uid.ics", no_uid, (c("valid-calendar-object-resource"), c("valid-calendar-data")))
        empty = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nEND:VCALENDAR\r\n"
        self._rejected(calp, "empty.ics", empty, (c("valid-calendar-object-resource"), c("valid-calendar-data")))

    def test_unsupported_component(self):
        calp = self.make_calendar(self.alice, "alice", comps=["VEVENT"])
        self._rejected(calp, "todo.ics", ics_todo(unique()), c("supported-calendar-component"))

    def test_unsupported_media_type(self):
        calp = self.make_calendar(self.alice, "alice")
        r = self.alice.request("PUT", calp + "j.ics", '{"not": "ical"}', {"Content-Type": "application/json"})
        if r.status == 415:
            pass
        else:
            self.assertDavError(r, 403, c("supported-calendar-data"))
        self.assertStatus(self.alice.get(calp + "j.ics"), 404)

    def test_uid_conflict(self):
        calp = self.make_calendar(self.alice, "alice")
        first, uid, _ = self.put_event(self.alice, calp)
        r = self.alice.put_ics(calp + "other-name.ics", ics_event(uid, "dup"))
        self.assertDavError(r, 403, c("no-uid-conflict"))
        el = ET.fromstring(r.body).find(c("no-uid-conflict"))
        hrefs = [norm_href(h.text) for h in el.iter(d("href"))]
        self.assertEqual(hrefs, [norm_href(first)], "no-uid-conflict must name the existing resource\n"
                         + r.describe())
        self.assertStatus(self.alice.get(calp + "other-name.ics"), 404)
        # the same UID in another calendar is fine, and so is rewriting the same resource
        other = self.make_calendar(self.alice, "alice")
        self.put_new(self.alice, other + uid + ".ics", ics_event(uid, "elsewhere"))
        r = self.alice.put_ics(first, ics_event(uid, "rewrite"))
        self.assertStatus(r, (200, 204))

    # ---- reports -----------------------------------------------------------

    def test_multiget_with_missing_href(self):
        calp = self.make_calendar(self.alice, "alice")
        items = [self.put_event(self.alice, calp, summary="mg %d" % i) for i in range(2)]
        missing = calp + "does-not-exist.ics"
        r = self.alice.report(calp, multiget_body([p for p, _, _ in items] + [missing]), depth="1")
        self.assertStatus(r, 207)
        by = r.by_href()
        self.assertEqual(set(by), {norm_href(p) for p, _, _ in items} | {norm_href(missing)}, r.describe())
        for p, uid, etag in items:
            e = by[norm_href(p)]
            self.assertEqual(e.prop(d("getetag")).status, 200)
            self.assertEqual(e.prop(d("getetag")).text, etag)
            self.assertEqual(ics_uid(e.prop(c("calendar-data")).text), uid)
        self.assertEqual(by[norm_href(missing)].status, 404, "missing href must be a 404 response\n" + r.describe())

    def test_calendar_query_comp_filter(self):
        calp = self.make_calendar(self.alice, "alice", comps=["VEVENT", "VTODO"])
        evs = [self.put_event(self.alice, calp) for _ in range(2)]
        tuid = unique("todo")
        self.put_new(self.alice, calp + tuid + ".ics", ics_todo(tuid))
        r = self.alice.report(calp, query_body('<C:comp-filter name="VEVENT"/>'), depth="1")
        self.assertStatus(r, 207)
        self.assertEqual(self.hrefs_in(r), {norm_href(p) for p, _, _ in evs}, r.describe())
        for m in r.multistatus():
            self.assertIn("BEGIN:VEVENT", m.prop(c("calendar-data")).text)
        r = self.alice.report(calp, query_body('<C:comp-filter name="VTODO"/>'), depth="1")
        self.assertStatus(r, 207)
        self.assertEqual(self.hrefs_in(r), {norm_href(calp + tuid + ".ics")}, r.describe())
        r = self.alice.report(calp, query_body(""), depth="1")
        self.assertStatus(r, 207)
        self.assertEqual(len(self.hrefs_in(r)), 3, r.describe())

    def test_calendar_query_time_range(self):
        calp = self.make_calendar(self.alice, "alice")
        jan = self.put_event(self.alice, calp, start="20300115T100000Z", end="20300115T110000Z")[0]
        feb = self.put_event(self.alice, calp, start="20300205T100000Z", end="20300205T110000Z")[0]
        mar = self.put_event(self.alice, calp, start="20300315T100000Z", end="20300315T110000Z")[0]
        weekly = self.put_event(self.alice, calp, start="20290101T090000Z", end="20290101T093000Z",
                                extra=["RRULE:FREQ=WEEKLY"])[0]
        short = self.put_event(self.alice, calp, start="20290101T090000Z", end="20290101T093000Z",
                               extra=["RRULE:FREQ=WEEKLY;COUNT=3"])[0]
        allday = self.put_event(self.alice, calp, start="DTSTART;VALUE=DATE:20300210",
                                end="DTEND;VALUE=DATE:20300211")[0]
        dur = self.put_event(self.alice, calp, start="20300131T230000Z", end=None, extra=["DURATION:PT2H"])[0]
        # 00:30 in Berlin on 1 Feb 2030 is 23:30 UTC on 31 Jan.
        berlin = self.put_event(self.alice, calp, start="DTSTART;TZID=Europe/Berlin:20300201T003000",
                                end="DTEND;TZID=Europe/Berlin:20300201T010000", vtimezone=VTIMEZONE_BERLIN)[0]
        cases = [
            ("20300201T000000Z", "20300215T000000Z", {feb, weekly, allday, dur}),
            ("20300131T000000Z", "20300131T233000Z", {dur}),
            ("20300108T000000Z", "20300114T000000Z", set()),  # Tuesday to Sunday: no weekly occurrence
            ("20290120T000000Z", "20290201T000000Z", {weekly}),  # after COUNT=3 ended
            ("20300131T233000Z", "20300201T000000Z", {dur, berlin}),
            ("20310101T000000Z", "20310108T000000Z", {weekly}),
            ("20290101T000000Z", "20290102T000000Z", {weekly, short}),
        ]
        for start, end, expected in cases:
            with self.subTest(start=start, end=end):
                q = query_body('<C:comp-filter name="VEVENT"><C:time-range start="%s" end="%s"/></C:comp-filter>'
                               % (start, end), props="<D:getetag/>")
                r = self.alice.report(calp, q, depth="1")
                self.assertStatus(r, 207)
                got = self.hrefs_in(r)
                self.assertEqual(got, {norm_href(p) for p in expected},
                                 "names: jan=%s feb=%s mar=%s weekly=%s short=%s allday=%s dur=%s berlin=%s\n%s"
                                 % tuple([x.rsplit("/", 1)[1] for x in (jan, feb, mar, weekly, short, allday, dur,
                                                                      berlin)] + [r.describe()]))

    def test_calendar_query_uid_text_match(self):
        # python-caldav's event_by_uid sends exactly this filter.
        calp = self.make_calendar(self.alice, "alice")
        items = [self.put_event(self.alice, calp) for _ in range(3)]
        uid = items[1][1]
        q = query_body('<C:comp-filter name="VEVENT"><C:prop-filter name="UID">'
                       '<C:text-match collation="i;octet">%s</C:text-match></C:prop-filter></C:comp-filter>' % uid)
        r = self.alice.report(calp, q, depth="1")
        self.assertStatus(r, 207)
        self.assertEqual(self.hrefs_in(r), {norm_href(items[1][0])}, r.describe())

    def test_calendar_data_round_trip(self):
        calp = self.make_calendar(self.alice, "alice")
        uid = unique("rt")
        body = ics_event(uid, "Caf\u00e9 \u2603 meeting, with; specials\\, and a long line " + "x" * 120,
                         extra=["DESCRIPTION:line one\\nline two",
                                "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder",
                                "TRIGGER:-PT15M", "END:VALARM",
                                "X-CUSTOM-PROP;X-PARAM=1:kept by the server", "CATEGORIES:A,B"])
        self.put_new(self.alice, calp + uid + ".ics", body)
        r = self.alice.get(calp + uid + ".ics")
        self.assertStatus(r, 200)
        got = r.body.decode("utf-8")
        self.assertEqual(ics_prop(got, "SUMMARY"), ics_prop(body, "SUMMARY"))
        self.assertEqual(ics_prop(got, "X-CUSTOM-PROP"), "kept by the server")
        self.assertIn("BEGIN:VALARM", got)
        self.assertEqual(ics_prop(got, "CATEGORIES"), "A,B")


# ==========================================================================
class SyncTests(DavTestCase):
    """sync-collection (RFC 6578) and getctag."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.add_user("alice")
        cls.alice = cls.server.client("alice")

    def test_initial_and_incremental(self):
        calp = self.make_calendar(self.alice, "alice")
        a = self.put_event(self.alice, calp, summary="A")
        b = self.put_event(self.alice, calp, summary="B")
        r = self.sync(self.alice, calp, None)
        t1 = r.sync_token()
        ch = self.sync_changes(r, calp)
        self.assertEqual(set(ch), {norm_href(a[0]), norm_href(b[0])}, r.describe())
        for x in (a, b):
            self.assertChanged(ch[norm_href(x[0])], r)
            self.assertEqual(ch[norm_href(x[0])].prop(d("getetag")).text, x[2])

        r = self.alice.put_ics(a[0], ics_event(a[1], "A2"), {"If-Match": a[2]})
        self.assertStatus(r, (200, 204))
        a_etag = r.header("ETag")
        self.assertStatus(self.alice.delete(b[0]), (200, 204))
        cnew = self.put_event(self.alice, calp, summary="C")

        r = self.sync(self.alice, calp, t1)
        t2 = r.sync_token()
        self.assertNotEqual(t2, t1)
        ch = self.sync_changes(r, calp)
        self.assertEqual(set(ch), {norm_href(a[0]), norm_href(b[0]), norm_href(cnew[0])}, r.describe())
        self.assertChanged(ch[norm_href(a[0])], r)
        self.assertEqual(ch[norm_href(a[0])].prop(d("getetag")).text, a_etag)
        self.assertChanged(ch[norm_href(cnew[0])], r)
        self.assertRemoved(ch[norm_href(b[0])], r)

        r = self.sync(self.alice, calp, t2)
        self.assertEqual(self.sync_changes(r, calp), {}, "changes reported without any change\n" + r.describe())

    def test_create_then_delete_between_syncs(self):
        calp = self.make_calendar(self.alice, "alice")
        t1 = self.sync(self.alice, calp, None).sync_token()
        p, _, _ = self.put_event(self.alice, calp)
        self.assertStatus(self.alice.delete(p), (200, 204))
        r = self.sync(self.alice, calp, t1)
        ch = self.sync_changes(r, calp)
        # Either not reported or reported as removed; never as existing.
        if norm_href(p) in ch:
            self.assertRemoved(ch[norm_href(p)], r)

    def test_sync_with_calendar_data(self):
        calp = self.make_calendar(self.alice, "alice")
        p, uid, etag = self.put_event(self.alice, calp)
        body = sync_body(None).replace(
            "<D:getetag/>", '<D:getetag/><C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav"/>')
        r = self.alice.report(calp, body, depth="0")
        self.assertStatus(r, 207)
        e = self.sync_changes(r, calp)[norm_href(p)]
        self.assertEqual(ics_uid(e.prop(c("calendar-data")).text), uid, r.describe())

    def test_invalid_tokens(self):
        calp = self.make_calendar(self.alice, "alice")
        self.put_event(self.alice, calp)
        good = self.sync(self.alice, calp, None).sync_token()
        other = self.make_calendar(self.alice, "alice")
        self.put_event(self.alice, other)
        foreign = self.sync(self.alice, other, None).sync_token()  # another calendar's token
        bad = ["http://example.com/not-a-token", "garbage", "urn:x:1", foreign]
        # tokens the server never issued: each numeric field pushed into the future
        for m in re.finditer(r"(?<![0-9A-Za-z])\d+(?![0-9A-Za-z])", good):
            bad.append(good[:m.start()] + str(int(m.group(0)) + 10 ** 9) + good[m.end():])
        for tok in bad:
            with self.subTest(token=tok):
                r = self.alice.report(calp, sync_body(tok), depth="0")
                self.assertDavError(r, 403, d("valid-sync-token"))

    def test_property_token_is_usable(self):
        calp = self.make_calendar(self.alice, "alice")
        self.put_event(self.alice, calp)
        tok = self.prop_value(self.alice, calp, d("sync-token")).text
        p, _, _ = self.put_event(self.alice, calp)
        r = self.sync(self.alice, calp, tok)
        self.assertEqual(set(self.sync_changes(r, calp)), {norm_href(p)}, r.describe())
        self.assertNotEqual(self.prop_value(self.alice, calp, d("sync-token")).text, tok)

    def test_limit_truncates_with_507(self):
        calp = self.make_calendar(self.alice, "alice")
        items = {norm_href(self.put_event(self.alice, calp)[0]) for _ in range(5)}
        seen = set()
        token = None
        for _ in range(8):
            r = self.sync(self.alice, calp, token, limit=2)
            ms = r.multistatus()
            own = [m for m in ms if norm_href(m.href) == norm_href(calp)]
            objs = [m for m in ms if norm_href(m.href) != norm_href(calp)]
            self.assertLessEqual(len(objs), 2, "limit 2 exceeded\n" + r.describe())
            seen |= {norm_href(m.href) for m in objs}
            token = r.sync_token()
            if not own:
                break
            self.assertEqual([m.status for m in own], [507], r.describe())
            self.assertGreaterEqual(len(objs), 1, "a truncated reply must make progress\n" + r.describe())
        else:
            self.fail("sync with limit did not finish in 8 rounds")
        self.assertEqual(seen, items)
        r = self.sync(self.alice, calp, None, limit=2)
        own = [m for m in r.multistatus() if norm_href(m.href) == norm_href(calp)]
        self.assertEqual([m.status for m in own], [507], "first truncated reply lacks the 507 entry\n" + r.describe())

    def test_sync_on_home(self):
        user = unique("h")
        self.server.add_user(user)
        cl = self.server.client(user)
        r = self.sync(cl, home(user), None, props=("getetag", "resourcetype"))
        t1 = r.sync_token()
        self.assertIn(norm_href(cal_path(user, "default")), set(self.sync_changes(r, home(user))), r.describe())
        newcal = self.make_calendar(cl, user)
        r = self.sync(cl, home(user), t1, props=("getetag", "resourcetype"))
        t2 = r.sync_token()
        ch = self.sync_changes(r, home(user))
        self.assertIn(norm_href(newcal), ch, r.describe())
        self.assertNotEqual(ch[norm_href(newcal)].status, 404, r.describe())
        self.assertStatus(cl.delete(newcal), (200, 204))
        r = self.sync(cl, home(user), t2, props=("getetag", "resourcetype"))
        ch = self.sync_changes(r, home(user))
        self.assertIn(norm_href(newcal), ch, r.describe())
        self.assertRemoved(ch[norm_href(newcal)], r)

    def test_ctag_changes_on_every_change(self):
        calp = self.make_calendar(self.alice, "alice")
        seen = [self.ctag(self.alice, calp)]
        self.assertEqual(self.ctag(self.alice, calp), seen[0])
        p, uid, etag = self.put_event(self.alice, calp)
        seen.append(self.ctag(self.alice, calp))
        r = self.alice.put_ics(p, ics_event(uid, "changed"), {"If-Match": etag})
        self.assertStatus(r, (200, 204))
        seen.append(self.ctag(self.alice, calp))
        self.assertStatus(self.alice.delete(p), (200, 204))
        seen.append(self.ctag(self.alice, calp))
        self.assertEqual(len(set(seen)), len(seen), "getctag did not change on each change: %s" % seen)
        tokens = set()
        for _ in range(3):
            tokens.add(self.prop_value(self.alice, calp, d("sync-token")).text)
            self.put_event(self.alice, calp)
        self.assertEqual(len(tokens), 3, "sync-token did not change on each PUT")


# ==========================================================================
class CopyMoveTests(DavTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.add_user("alice")
        cls.alice = cls.server.client("alice")

    def _pair(self):
        c1 = self.make_calendar(self.alice, "alice")
        c2 = self.make_calendar(self.alice, "alice")
        a = self.put_event(self.alice, c1, summary="A")
        return c1, c2, a

    def _xfer(self, method, src, dst, overwrite=None):
        h = {"Destination": self.alice.url(dst)}
        if overwrite is not None:
            h["Overwrite"] = overwrite
        return self.alice.request(method, src, None, h)

    def test_copy_to_other_calendar(self):
        c1, c2, a = self._pair()
        t2 = self.sync(self.alice, c2, None).sync_token()
        ct1 = self.ctag(self.alice, c1)
        r = self._xfer("COPY", a[0], c2 + "a.ics", "F")
        self.assertStatus(r, 201)
        self.assertEqual(ics_uid(self.alice.get(a[0]).body), a[1])
        got = self.alice.get(c2 + "a.ics")
        self.assertStatus(got, 200)
        self.assertEqual(ics_uid(got.body), a[1])
        self.assertStrongEtag(got.header("ETag"), got)
        self.assertEqual(self.ctag(self.alice, c1), ct1, "source ctag changed by a COPY")
        r = self.sync(self.alice, c2, t2)
        self.assertEqual(set(self.sync_changes(r, c2)), {norm_href(c2 + "a.ics")}, r.describe())
        r = self._xfer("COPY", a[0], c2 + "a.ics", "F")
        self.assertStatus(r, 412)

    def test_copy_overwrite(self):
        c1, c2, a = self._pair()
        x = self.put_event(self.alice, c2, summary="X")
        r = self._xfer("COPY", a[0], x[0], "F")
        self.assertStatus(r, 412)
        self.assertEqual(ics_uid(self.alice.get(x[0]).body), x[1])
        r = self._xfer("COPY", a[0], x[0], "T")
        self.assertStatus(r, 204)
        self.assertEqual(ics_uid(self.alice.get(x[0]).body), a[1])
        r = self._xfer("COPY", a[0], c2 + "again.ics")  # Overwrite defaults to T; UID A is at x now
        self.assertDavError(r, 403, c("no-uid-conflict"))

    def test_move_to_other_calendar(self):
        c1, c2, a = self._pair()
        t1 = self.sync(self.alice, c1, None).sync_token()
        t2 = self.sync(self.alice, c2, None).sync_token()
        ct1, ct2 = self.ctag(self.alice, c1), self.ctag(self.alice, c2)
        r = self._xfer("MOVE", a[0], c2 + "moved.ics", "F")
        self.assertStatus(r, 201)
        self.assertStatus(self.alice.get(a[0]), 404)
        self.assertEqual(ics_uid(self.alice.get(c2 + "moved.ics").body), a[1])
        self.assertNotEqual(self.ctag(self.alice, c1), ct1)
        self.assertNotEqual(self.ctag(self.alice, c2), ct2)
        r = self.sync(self.alice, c1, t1)
        ch = self.sync_changes(r, c1)
        self.assertEqual(set(ch), {norm_href(a[0])}, r.describe())
        self.assertRemoved(ch[norm_href(a[0])], r)
        r = self.sync(self.alice, c2, t2)
        ch = self.sync_changes(r, c2)
        self.assertEqual(set(ch), {norm_href(c2 + "moved.ics")}, r.describe())
        self.assertChanged(ch[norm_href(c2 + "moved.ics")], r)

    def test_move_overwrite(self):
        c1, c2, a = self._pair()
        x = self.put_event(self.alice, c2, summary="X")
        r = self._xfer("MOVE", a[0], x[0], "F")
        self.assertStatus(r, 412)
        self.assertEqual(ics_uid(self.alice.get(a[0]).body), a[1])
        self.assertEqual(ics_uid(self.alice.get(x[0]).body), x[1])
        r = self._xfer("MOVE", a[0], x[0], "T")
        self.assertStatus(r, 204)
        self.assertStatus(self.alice.get(a[0]), 404)
        self.assertEqual(ics_uid(self.alice.get(x[0]).body), a[1])
        self.assertEqual(len(self.members(self.alice, c2)), 1)

    def test_rename_within_calendar(self):
        c1, _, a = self._pair()
        r = self._xfer("MOVE", a[0], c1 + "renamed.ics", "F")
        self.assertStatus(r, 201)
        self.assertStatus(self.alice.get(a[0]), 404)
        self.assertEqual(ics_uid(self.alice.get(c1 + "renamed.ics").body), a[1])

    def test_copy_same_calendar_uid_conflict(self):
        c1, _, a = self._pair()
        r = self._xfer("COPY", a[0], c1 + "copy.ics", "F")
        self.assertDavError(r, 403, c("no-uid-conflict"))
        self.assertStatus(self.alice.get(c1 + "copy.ics"), 404)

    def test_bad_destinations(self):
        c1, _, a = self._pair()
        r = self.alice.request("MOVE", a[0])
        self.assertStatus(r, 400, "MOVE without Destination")
        r = self._xfer("MOVE", a[0], cal_path("alice", unique("nocal")) + "x.ics")
        self.assertStatus(r, 409)
        r = self._xfer("COPY", a[0], a[0])
        self.assertStatus(r, 403, "COPY onto itself")
        r = self.alice.request("MOVE", a[0], None, {"Destination": "http://other.example.com" + c1 + "z.ics"})
        self.assertStatus(r, (400, 403, 502))
        self.assertEqual(ics_uid(self.alice.get(a[0]).body), a[1], "source changed by a refused MOVE")


# ==========================================================================
class RestartTests(DavTestCase):
    """Tokens, ctags and ETags stay valid across a restart."""

    def test_tokens_survive_restart(self):
        srv = self.server
        srv.add_user("alice")
        cl = srv.client("alice")
        calp = self.make_calendar(cl, "alice")
        items = [self.put_event(cl, calp) for _ in range(3)]
        r = self.sync(cl, calp, None)
        token = r.sync_token()
        ctag = self.ctag(cl, calp)
        home_token = self.sync(cl, home("alice"), None).sync_token()
        rc = srv.stop()
        self.assertEqual(rc, 0, "slotdav did not exit 0 on SIGTERM\n" + srv.log_tail())
        srv.start()
        self.assertEqual(self.ctag(cl, calp), ctag, "getctag changed across a restart")
        r = self.sync(cl, calp, token)
        self.assertEqual(self.sync_changes(r, calp), {}, "old token reports changes after restart\n" + r.describe())
        for p, uid, etag in items:
            g = cl.get(p)
            self.assertStatus(g, 200)
            self.assertEqual(g.header("ETag"), etag, "ETag changed across a restart")
        newp = self.put_event(cl, calp)[0]
        r = self.sync(cl, calp, token)
        self.assertEqual(set(self.sync_changes(r, calp)), {norm_href(newp)}, r.describe())
        self.assertNotEqual(r.sync_token(), token)
        self.assertNotEqual(self.ctag(cl, calp), ctag)
        r = self.sync(cl, home("alice"), home_token)
        self.assertStatus(r, 207)

    def test_sigint_stops_cleanly(self):
        srv = self.server
        if not srv.alive():
            srv.start()
        proc = srv.proc
        proc.send_signal(signal.SIGINT)
        try:
            rc = proc.wait(timeout=harness.STOP_TIMEOUT)
        except Exception:
            srv.stop()
            raise
        srv.proc = None
        self.assertEqual(rc, 0, "slotdav did not exit 0 on SIGINT\n" + srv.log_tail())
        srv.start()
        self.assertStatus(srv.client().get("/health", auth=False), 200)


# ==========================================================================
class LimitTests(DavTestCase):
    """max-resource-size (403) and the server's body cap (413)."""

    MAX_BODY = 2 * 1048576
    MAX_RESOURCE = 256 * 1024
    IDLE_TIMEOUT = 2
    server_args = ("--server.max_body=2M", "--caldav.max_resource_size=256K",
                   "--server.timeout=%d" % IDLE_TIMEOUT, "--server.threads=2")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.add_user("alice")
        cls.alice = cls.server.client("alice")

    def _event_of_size(self, uid, size):
        """A valid event of exactly `size` octets (long DESCRIPTION, folded)."""
        def build(n, pad):
            desc = "x" * n
            folded = "\r\n ".join(desc[i:i + 72] for i in range(0, n, 72))
            return ics_event(uid, "big" + "y" * pad, extra=["DESCRIPTION:" + folded]).encode()

        base = len(build(0, 0))
        self.assertLess(base, size)
        n = max(0, int((size - base) * 72 / 75))
        while n > 0 and len(build(n, 0)) > size:
            n -= 1
        while len(build(n + 1, 0)) <= size:
            n += 1
        body = build(n, size - len(build(n, 0)))
        self.assertEqual(len(body), size)
        return body

    def test_max_resource_size(self):
        calp = self.make_calendar(self.alice, "alice")
        pr = self.prop_value(self.alice, calp, c("max-resource-size"))
        limit = int(pr.text)
        self.assertEqual(limit, self.MAX_RESOURCE, "max-resource-size does not follow caldav.max_resource_size")
        uid = unique("big")
        body = self._event_of_size(uid, limit + 1)
        r = self.alice.put_ics(calp + uid + ".ics", body)
        self.assertDavError(r, 403, c("max-resource-size"))
        self.assertStatus(self.alice.get(calp + uid + ".ics"), 404)
        ok = self._event_of_size(uid, min(limit, 200000))
        r = self.alice.put_ics(calp + uid + ".ics", ok)
        self.assertStatus(r, 201)

    def test_body_over_cap_is_413(self):
        calp = self.make_calendar(self.alice, "alice")
        auth = {"Authorization": self.alice.auth_header(), "Content-Type": "text/calendar"}
        for method, path in (("PUT", calp + "huge.ics"), ("PROPFIND", calp), ("REPORT", calp)):
            with self.subTest(method=method):
                st, sent, reply = send_streaming(self.server.port, method, path, auth, self.MAX_BODY * 4)
                self.assertEqual(st, 413, "%s with a %d-byte body: got %r (sent %d)\n%s"
                                 % (method, self.MAX_BODY * 4, st, sent, reply[:2000]))
        self.assertStatus(self.alice.get(calp + "huge.ics"), 404)
        self.assertStatus(self.server.client().get("/health", auth=False), 200)

    def test_chunked_body_over_cap_is_413(self):
        calp = self.make_calendar(self.alice, "alice")
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=30)
        try:
            head = ("PUT %shuge-chunked.ics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\n"
                    "Content-Type: text/calendar\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    % (calp, self.alice.auth_header()))
            s.sendall(head.encode())
            chunk = b"%x\r\n%s\r\n" % (65536, b"B" * 65536)
            reply = b""
            for _ in range(self.MAX_BODY * 3 // 65536):
                try:
                    s.sendall(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    break
                if select.select([s], [], [], 0)[0]:
                    break
            try:
                s.sendall(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    data = s.recv(65536)
                except (ConnectionResetError, socket.timeout):
                    break
                if not data:
                    break
                reply += data
                if b"\r\n\r\n" in reply:
                    break
        finally:
            s.close()
        m = re.match(rb"HTTP/1\.\d (\d{3})", reply)
        self.assertTrue(m and int(m.group(1)) == 413, "chunked upload over the cap: %r" % reply[:500])
        self.assertStatus(self.alice.get(calp + "huge-chunked.ics"), 404)


    def test_idle_connection_is_closed(self):
        # The server closes it (server.timeout=2); the socket's timeout only
        # bounds the wait for a server that never would. How soon it closes
        # is not asserted (shared machines are noisy).
        hang = self.IDLE_TIMEOUT + 30
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=hang)
        self.addCleanup(s.close)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # never finished
        try:
            data = s.recv(4096)
        except ConnectionResetError:
            data = b""
        except socket.timeout:
            self.fail("a half-sent request kept its connection for over %d s (server.timeout=%d)"
                      % (hang, self.IDLE_TIMEOUT))
        self.assertTrue(data == b"" or data.startswith(b"HTTP/1.1 4"), data[:200])

    def test_expect_100_continue(self):
        calp = self.make_calendar(self.alice, "alice")
        uid = unique("curl")
        path = self.server.tmp + "/" + uid + ".ics"
        with open(path, "w", newline="") as f:
            f.write(ics_event(uid, "via curl", extra=["DESCRIPTION:" + "z" * 60] * 100))
        url = self.alice.url(calp + uid + ".ics")
        base = ["curl", "-sS", "--max-time", "20", "-o", "/dev/null", "-w", "%{http_code}", "-T", path,
                "-H", "Content-Type: text/calendar", "-H", "Expect: 100-continue", "--noproxy", "*"]
        p = subprocess.run(base + [url], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.stdout, "401", "unauthenticated PUT with Expect: 100-continue: %s %s"
                         % (p.stdout, p.stderr))
        p = subprocess.run(base + ["-u", "alice:" + self.server.users["alice"], url], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(p.stdout, "201", "PUT with Expect: 100-continue: %s %s" % (p.stdout, p.stderr))
        self.assertEqual(ics_uid(self.alice.get(calp + uid + ".ics").body), uid)
        # Too big: refused before the body is sent. curl waits for the
        # answer to its Expect (--expect100-timeout, else it sends the body
        # after a second anyway), so the bytes it uploaded show whether the
        # server answered first, whatever the machine's speed.
        big = path + ".big"
        with open(big, "wb") as f:
            f.write(b"x" * (self.MAX_BODY + 1))
        p = subprocess.run(["curl", "-sS", "--max-time", "60", "--expect100-timeout", "50", "-o", "/dev/null",
                            "-w", "%{http_code} %{size_upload}", "-T", big,
                            "-H", "Expect: 100-continue", "--noproxy", "*", "-u",
                            "alice:" + self.server.users["alice"], self.alice.url(calp + "big.ics")],
                           capture_output=True, text=True, timeout=90)
        self.assertEqual(p.stdout, "413 0", "oversized PUT with Expect: 100-continue (status, bytes sent): %s %s"
                         % (p.stdout, p.stderr))


# ==========================================================================
class StalledConnectionTests(DavTestCase):
    """Stalled clients do not hold up the others."""

    # Longer than any wait below: the stalled connections stay open for the
    # whole test, so a server that gave each a worker would not answer the
    # requests at all (their timeout then fails the test), rather than
    # answer them late.
    server_args = ("--server.timeout=600", "--server.threads=2")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.add_user("alice")
        cls.alice = cls.server.client("alice")

    def test_idle_connections_do_not_block_others(self):
        # More stalled clients than worker threads (server.threads=2).
        socks = []
        for _ in range(16):
            s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
            self.addCleanup(s.close)
            s.sendall(b"PROPFIND /dav/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n<D:pro")
            socks.append(s)
        for _ in range(5):
            self.assertStatus(self.server.client().get("/health", auth=False), 200)
            self.assertStatus(self.alice.propfind(home("alice"), [d("resourcetype")]), 207)
        # ... answered while every stalled connection was still open
        ready, _, _ = select.select(socks, [], [], 0)
        self.assertEqual(ready, [], "the server answered or closed a stalled connection")


# ==========================================================================
class ConcurrencyTests(DavTestCase):
    """Racing writers: exactly one wins, the others get 412 or 403; nothing lost."""

    WRITERS = 8

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.add_user("alice")
        cls.alice = cls.server.client("alice")

    def race(self, fn):
        barrier = threading.Barrier(self.WRITERS)
        results = [None] * self.WRITERS

        def run(i):
            barrier.wait(timeout=10)
            results[i] = fn(i)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(self.WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        self.assertTrue(all(r is not None for r in results), "a writer did not finish")
        return results

    def test_create_race(self):
        calp = self.make_calendar(self.alice, "alice")
        uid = unique("race")
        path = calp + uid + ".ics"
        rs = self.race(lambda i: self.alice.put_ics(path, ics_event(uid, "writer %d" % i), {"If-None-Match": "*"}))
        codes = sorted(r.status for r in rs)
        self.assertEqual(codes, [201] + [412] * (self.WRITERS - 1), codes)
        winner = [r for r in rs if r.status == 201][0]
        got = self.alice.get(path)
        self.assertEqual(got.header("ETag"), winner.header("ETag"))
        self.assertEqual(ics_prop(got.body, "SUMMARY"), ics_prop(winner.req_body, "SUMMARY"))

    def test_update_race(self):
        calp = self.make_calendar(self.alice, "alice")
        path, uid, etag = self.put_event(self.alice, calp)
        rs = self.race(lambda i: self.alice.put_ics(path, ics_event(uid, "writer %d" % i), {"If-Match": etag}))
        codes = sorted(r.status for r in rs)
        self.assertEqual(len([x for x in codes if x in (200, 204)]), 1, codes)
        self.assertEqual(codes.count(412), self.WRITERS - 1, codes)
        winner = [r for r in rs if r.status in (200, 204)][0]
        self.assertEqual(ics_prop(self.alice.get(path).body, "SUMMARY"), ics_prop(winner.req_body, "SUMMARY"))

    def test_uid_race(self):
        calp = self.make_calendar(self.alice, "alice")
        uid = unique("same")
        rs = self.race(lambda i: self.alice.put_ics(calp + "n%d.ics" % i, ics_event(uid, "writer %d" % i)))
        codes = sorted(r.status for r in rs)
        self.assertEqual(codes, [201] + [403] * (self.WRITERS - 1), codes)
        for r in rs:
            if r.status == 403:
                self.assertIn(c("no-uid-conflict"), r.error_elements(), r.describe())
        self.assertEqual(len(self.members(self.alice, calp)), 1)

    def test_parallel_creates_all_land(self):
        calp = self.make_calendar(self.alice, "alice")
        t0 = self.sync(self.alice, calp, None).sync_token()
        uids = [unique("par") for _ in range(self.WRITERS)]
        rs = self.race(lambda i: self.alice.put_ics(calp + uids[i] + ".ics", ics_event(uids[i]),
                                                    {"If-None-Match": "*"}))
        self.assertEqual([r.status for r in rs], [201] * self.WRITERS)
        r = self.sync(self.alice, calp, t0)
        self.assertEqual(set(self.sync_changes(r, calp)), {norm_href(calp + u + ".ics") for u in uids}, r.describe())
        etags = {norm_href(calp + uids[i] + ".ics"): rs[i].header("ETag") for i in range(self.WRITERS)}
        for h, m in self.members(self.alice, calp).items():
            self.assertEqual(m.prop(d("getetag")).text, etags[h])

    def test_keep_alive_with_401_in_between(self):
        # python-caldav and others send the first request without credentials,
        # with its body, then repeat it with credentials on the same connection.
        calp = self.make_calendar(self.alice, "alice")
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        self.addCleanup(conn.close)
        uid = unique("ka")
        body = ics_event(uid, "keep-alive").encode()
        steps = [("PUT", calp + uid + ".ics", body, {}, 401),
                 ("PUT", calp + uid + ".ics", body, {"Authorization": self.alice.auth_header()}, 201),
                 ("PROPFIND", calp, harness.propfind_body([d("getetag")]).encode(),
                  {"Authorization": self.alice.auth_header(), "Depth": "1"}, 207),
                 ("GET", calp + uid + ".ics", None, {"Authorization": self.alice.auth_header()}, 200),
                 ("PROPFIND", calp, b"<broken", {"Authorization": self.alice.auth_header(), "Depth": "0"}, 400),
                 ("GET", calp + uid + ".ics", None, {"Authorization": self.alice.auth_header()}, 200)]
        for method, path, b, h, expect in steps:
            hdrs = dict(h)
            if b is not None:
                hdrs.setdefault("Content-Type", "text/calendar" if method == "PUT" else "application/xml")
            conn.request(method, path, body=b, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            self.assertEqual(resp.status, expect, "%s %s on a kept-alive connection: %s %r"
                             % (method, path, resp.status, data[:300]))


# ==========================================================================
class _Listener:
    """A TCP listener on loopback counting connections (for XXE tests)."""

    def __init__(self):
        self.hits = []
        parent = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                parent.hits.append(self.path)
                body = b'<!ENTITY leak "LEAKED-BY-EXTERNAL-ENTITY">'
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class BadInputTests(DavTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.add_user("alice")
        cls.server.add_user("bob")
        cls.alice = cls.server.client("alice")
        cls.bob = cls.server.client("bob")
        cls.secret_uid = unique("bob-secret")
        cls.bob_obj = cal_path("bob", "default") + cls.secret_uid + ".ics"
        r = cls.bob.put_ics(cls.bob_obj, ics_event(cls.secret_uid, "BOB-PRIVATE-SUMMARY"))
        if r.status != 201:
            raise AssertionError("setup: " + r.describe())

    def assertNoLeak(self, resp):
        # hrefs may echo the requested path; bob's calendar data must not appear
        for needle in (b"UID:" + self.secret_uid.encode(), b"BOB-PRIVATE-SUMMARY"):
            if needle in resp.body:
                self.fail("bob's data leaked to alice\n" + resp.describe())

    def test_malformed_xml(self):
        calp = cal_path("alice", "default")
        bodies = ['<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop>',
                  "not xml at all",
                  '<D:propfind xmlns:D="DAV:"><D:prop><X:unbound/></D:prop></D:propfind>']
        for b in bodies:
            with self.subTest(body=b):
                self.assertStatus(self.alice.propfind(calp, body=b), 400)
        self.assertStatus(self.alice.proppatch(calp, "<D:propertyupdate xmlns:D='DAV:'><D:set></D:propertyupdate>"),
                          400)
        self.assertStatus(self.alice.report(calp, "<C:calendar-multiget xmlns:C='urn:ietf:params:xml:ns:caldav'>",
                                            depth="1"), 400)
        self.assertStatus(self.alice.mkcalendar(cal_path("alice", unique("m")), "<C:mkcalendar"), 400)
        self.assertStatus(self.alice.report(calp, XML_DECL + '<D:unknown-report xmlns:D="DAV:"/>', depth="0"),
                          (400, 403, 501))

    def test_doctype_and_external_entities_are_refused(self):
        lst = _Listener()
        self.addCleanup(lst.close)
        url = "http://127.0.0.1:%d" % lst.port
        calp = cal_path("alice", "default")
        docs = {
            "external general entity":
                '<?xml version="1.0"?>\n<!DOCTYPE D:propfind [<!ENTITY xxe SYSTEM "%s/general">]>\n'
                '<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/>&xxe;</D:prop></D:propfind>' % url,
            "external parameter entity":
                '<?xml version="1.0"?>\n<!DOCTYPE D:propfind [<!ENTITY %% p SYSTEM "%s/param"> %%p;]>\n'
                '<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>' % url,
            "external DTD":
                '<?xml version="1.0"?>\n<!DOCTYPE D:propfind SYSTEM "%s/dtd">\n'
                '<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>' % url,
            "plain DOCTYPE":
                '<?xml version="1.0"?>\n<!DOCTYPE propfind>\n'
                '<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>',
        }
        for name, body in docs.items():
            with self.subTest(doc=name):
                r = self.alice.propfind(calp, body=body)
                self.assertStatus(r, 400)
                self.assertNotIn(b"LEAKED", r.body)
        r = self.alice.proppatch(calp, '<?xml version="1.0"?>\n<!DOCTYPE D:propertyupdate ['
                                 '<!ENTITY f SYSTEM "file:///etc/passwd"><!ENTITY u SYSTEM "%s/pp">]>\n'
                                 '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>&f;&u;'
                                 "</D:displayname></D:prop></D:set></D:propertyupdate>" % url)
        self.assertStatus(r, 400)
        self.assertEqual(lst.hits, [], "the server fetched an external entity")
        dn = self.prop_value(self.alice, calp, d("displayname")).text or ""
        self.assertNotIn("root:", dn)
        self.assertEqual(dn, "Calendar")

    def test_entity_expansion_bomb(self):
        ents = '<!ENTITY a "aaaaaaaaaa">' + "".join(
            '<!ENTITY %s "%s">' % (chr(ord("b") + i), ("&%s;" % chr(ord("a") + i)) * 10) for i in range(9))
        body = ('<?xml version="1.0"?>\n<!DOCTYPE D:propertyupdate [%s]>\n<D:propertyupdate xmlns:D="DAV:">'
                "<D:set><D:prop><D:displayname>&j;</D:displayname></D:prop></D:set></D:propertyupdate>" % ents)
        # Refused (as every DTD is), not expanded: &j; is 10^10 a's. How fast
        # is not asserted; the request's timeout bounds a hang.
        r = self.alice.proppatch(cal_path("alice", "default"), body)
        self.assertStatus(r, 400)
        self.assertNotIn(b"aaaaaaaaaa", r.body)
        self.assertEqual(self.prop_value(self.alice, cal_path("alice", "default"), d("displayname")).text,
                         "Calendar")

    def test_deeply_nested_xml(self):
        depth = 20000
        body = (XML_DECL + '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><X:deep xmlns:X="urn:x">'
                + "<X:n>" * depth + "</X:n>" * depth + "</X:deep></D:prop></D:set></D:propertyupdate>")
        r = self.alice.proppatch(cal_path("alice", "default"), body)
        self.assertStatus(r, 400)
        self.assertStatus(self.alice.propfind(cal_path("alice", "default"), body=(
            XML_DECL + '<D:propfind xmlns:D="DAV:"><D:prop>' + "<D:x>" * depth + "</D:x>" * depth
            + "</D:prop></D:propfind>")), 400)
        self.assertStatus(self.server.client().get("/health", auth=False), 200)

    def test_invalid_utf8(self):
        calp = self.make_calendar(self.alice, "alice", displayname="Clean")
        body = (XML_DECL.encode() + b'<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>bad \xff\xfe '
                b"\xc3\x28</D:displayname></D:prop></D:set></D:propertyupdate>")
        self.assertStatus(self.alice.proppatch(calp, body), 400)
        self.assertEqual(self.prop_value(self.alice, calp, d("displayname")).text, "Clean")
        uid = unique("u8")
        ics = ics_event(uid, "@@").encode().replace(b"@@", b"bad \xff\xfe\xc3\x28")
        r = self.alice.request("PUT", calp + uid + ".ics", ics, {"Content-Type": "text/calendar; charset=utf-8"})
        if r.status != 400:
            self.assertDavError(r, 403, c("valid-calendar-data"))
        self.assertStatus(self.alice.get(calp + uid + ".ics"), 404)

    def test_unknown_methods(self):
        for m in ("BREW", "LOCK", "UNLOCK", "PATCH", "ACL"):
            with self.subTest(method=m):
                r = self.alice.request(m, cal_path("alice", "default"), None,
                                       {"Lock-Token": "<opaquelocktoken:x>"} if m == "UNLOCK" else None)
                self.assertStatus(r, (405, 501))

    def test_bad_depth(self):
        for depth in ("2", "banana"):
            with self.subTest(depth=depth):
                r = self.alice.propfind(cal_path("alice", "default"), [d("getetag")], depth=depth)
                self.assertStatus(r, 400)
        r = self.alice.propfind(home("alice"), [d("getetag")], depth="infinity")
        if r.status == 403:
            self.assertIn(d("propfind-finite-depth"), r.error_elements(), r.describe())
        else:
            self.assertStatus(r, 207)

    def test_non_ascii_and_encoded_names(self):
        calp = self.make_calendar(self.alice, "alice")
        name = "caf%C3%A9%201.ics"
        uid = unique("cafe")
        self.put_new(self.alice, calp + name, ics_event(uid, "Caf\u00e9"))
        m = self.members(self.alice, calp)
        self.assertEqual(set(m), {norm_href(calp + name)}, "href not found back with the same encoding: %s"
                         % list(m))
        r = self.alice.get(calp + name)
        self.assertStatus(r, 200)
        self.assertEqual(ics_uid(r.body), uid)
        r = self.sync(self.alice, calp, None)
        self.assertEqual(set(self.sync_changes(r, calp)), {norm_href(calp + name)}, r.describe())
        r = self.alice.report(calp, multiget_body([calp + name]), depth="1")
        self.assertStatus(r, 207)
        self.assertEqual(ics_uid(r.by_href()[norm_href(calp + name)].prop(c("calendar-data")).text), uid)
        # A name with XML and URL specials: compare decoded forms.
        name2 = "a%26b%2Bc%25d%27.ics"
        uid2 = unique("amp")
        self.put_new(self.alice, calp + name2, ics_event(uid2))
        decoded = {urllib_unquote(h) for h in self.members(self.alice, calp)}
        self.assertIn(urllib_unquote(calp + name2), decoded)
        self.assertStatus(self.alice.get(calp + name2), 200)
        self.assertStatus(self.alice.delete(calp + name), (200, 204))
        self.assertStatus(self.alice.get(calp + name), 404)
        # A non-ASCII calendar name
        cname = "K%C3%BCche-" + unique("k")
        r = self.alice.mkcalendar(cal_path("alice", cname))
        self.assertStatus(r, 201)
        self.assertIn(norm_href(cal_path("alice", cname)), self.members(self.alice, home("alice")))

    def test_hostile_paths(self):
        paths = [
            "/dav/calendars/alice/../bob/",
            "/dav/calendars/alice/../bob/default/",
            "/dav/calendars/alice/../bob/default/%s.ics" % self.secret_uid,
            "/dav/calendars/alice/%2e%2e/bob/default/",
            "/dav/calendars/alice/%2E%2E/bob/default/" + self.secret_uid + ".ics",
            "/dav/calendars/alice/default/..%2F..%2Fbob%2Fdefault%2F" + self.secret_uid + ".ics",
            "/dav/calendars/alice%2F..%2Fbob/default/",
            "/dav/calendars/bob%2F/default/",
            "/dav//calendars/bob/default/",
            "/dav/calendars/./bob/default/",
            "/dav/calendars/alice/default/%00.ics",
            "/dav/calendars/bob%00/default/",
        ]
        for p in paths:
            for method in ("GET", "PROPFIND"):
                with self.subTest(path=p, method=method):
                    r = self.alice.request(method, p, None, {"Depth": "1"} if method == "PROPFIND" else None)
                    self.assertNoLeak(r)
                    self.assertStatus(r, (400, 403, 404))
        r = self.alice.put_ics("/dav/calendars/alice/../bob/default/planted.ics", ics_event(unique("x")))
        self.assertStatus(r, (400, 403, 404))
        self.assertStatus(self.bob.get(cal_path("bob", "default") + "planted.ics"), 404)
        r = self.alice.put_ics("/dav/calendars/alice/default/x%00y.ics", ics_event(unique("nul")))
        self.assertStatus(r, (400, 403, 404))
        for m in self.members(self.alice, cal_path("alice", "default")):
            self.assertNotIn("%00", m)

    def test_raw_nul_and_garbage_request_lines(self):
        auth = self.alice.auth_header()
        reqs = [
            b"GET /dav/calendars/alice/default/\x00/../../bob/default/" + self.secret_uid.encode()
            + b".ics HTTP/1.1\r\nHost: x\r\nAuthorization: " + auth.encode() + b"\r\nConnection: close\r\n\r\n",
            b"GET /dav/calendars/bob/default/" + self.secret_uid.encode() + b".ics\x00 HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: " + auth.encode() + b"\r\nConnection: close\r\n\r\n",
            b"PROPFIND /dav/calendars/bob\x00alice/ HTTP/1.1\r\nHost: x\r\nDepth: 1\r\nAuthorization: "
            + auth.encode() + b"\r\nConnection: close\r\n\r\n",
        ]
        for raw in reqs:
            with self.subTest(request=raw[:60]):
                st, reply = raw_exchange(self.server.port, raw)
                self.assertNotIn(b"UID:" + self.secret_uid.encode(), reply)
                self.assertNotIn(b"BOB-PRIVATE-SUMMARY", reply)
                self.assertIn(st, (400, 403, 404), "reply: %r" % reply[:300])
        st, reply = raw_exchange(self.server.port, b"\x16\x03\x01\x02\x00garbage\r\n\r\n")
        self.assertTrue(st is None or 400 <= st < 500, reply[:200])
        self.assertStatus(self.server.client().get("/health", auth=False), 200)

    def test_long_url(self):
        p = cal_path("alice", "default") + "a" * 20000 + ".ics"
        st, reply = raw_exchange(self.server.port, ("GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n"
                                                    "Connection: close\r\n\r\n" % (p, self.alice.auth_header()))
                                 .encode())
        self.assertTrue(st is not None and 400 <= st < 500, "long URL: %r" % reply[:300])
        self.assertStatus(self.server.client().get("/health", auth=False), 200)


def urllib_unquote(s):
    import urllib.parse
    return urllib.parse.unquote(s)


# ==========================================================================
class AuthTests(DavTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.add_user("alice", email="alice@example.com")
        cls.server.add_user("bob", email="bob@example.com")
        cls.alice = cls.server.client("alice")
        cls.bob = cls.server.client("bob")
        cls.anon = cls.server.client()
        cls.secret_uid = unique("bob-secret")
        cls.bob_obj = cal_path("bob", "default") + cls.secret_uid + ".ics"
        r = cls.bob.put_ics(cls.bob_obj, ics_event(cls.secret_uid, "BOB-PRIVATE-SUMMARY"))
        if r.status != 201:
            raise AssertionError("setup: " + r.describe())

    def assert401(self, r):
        self.assertStatus(r, 401)
        wa = r.header("WWW-Authenticate") or ""
        self.assertRegex(wa, r'(?i)^\s*basic\s+realm="slotdav"', r.describe())
        self.assertNotIn(b"UID:" + self.secret_uid.encode(), r.body)
        self.assertNotIn(b"BOB-PRIVATE-SUMMARY", r.body)

    def _requests(self):
        return [
            ("PROPFIND", "/dav/", propfind_xml(), {"Depth": "0"}),
            ("PROPFIND", principal("bob"), propfind_xml(), {"Depth": "0"}),
            ("PROPFIND", home("bob"), propfind_xml(), {"Depth": "1"}),
            ("GET", self.bob_obj, None, None),
            ("HEAD", self.bob_obj, None, None),
            ("PUT", cal_path("bob", "default") + "planted.ics", ics_event(unique("p")),
             {"Content-Type": "text/calendar"}),
            ("DELETE", self.bob_obj, None, None),
            ("REPORT", cal_path("bob", "default"), sync_body(None), {"Depth": "0"}),
            ("MKCALENDAR", cal_path("bob", "planted"), None, None),
            ("PROPPATCH", cal_path("bob", "default"),
             proppatch_body("<D:displayname>pwned</D:displayname>"), None),
            ("MOVE", self.bob_obj, None, {"Destination": self.bob.url(cal_path("bob", "default") + "m.ics")}),
        ]

    def _bob_intact(self):
        r = self.bob.get(self.bob_obj)
        self.assertStatus(r, 200, "bob's object was changed")
        self.assertEqual(ics_prop(r.body, "SUMMARY"), "BOB-PRIVATE-SUMMARY")
        self.assertStatus(self.bob.get(cal_path("bob", "default") + "planted.ics"), 404)
        self.assertStatus(self.bob.propfind(cal_path("bob", "planted"), [d("resourcetype")]), 404)
        self.assertEqual(self.prop_value(self.bob, cal_path("bob", "default"), d("displayname")).text, "Calendar")

    def test_no_credentials(self):
        for m, p, b, h in self._requests():
            with self.subTest(method=m, path=p):
                self.assert401(self.anon.request(m, p, b, h, auth=False))
        self._bob_intact()

    def test_wrong_credentials(self):
        for creds in (("bob", "wrong"), ("bob", ""), ("nobody", "x"), ("alice", self.server.users["bob"])):
            with self.subTest(creds=creds[0]):
                for m, p, b, h in self._requests():
                    self.assert401(self.anon.request(m, p, b, h, auth=creds))
        self._bob_intact()

    def test_malformed_authorization(self):
        for value in ("Basic", "Basic !!!not-base64!!!", "Basic " + "Ym9i", "Bearer abc", "Digest username=bob",
                      "Basic " + "A" * 5000):
            with self.subTest(header=value[:30]):
                r = self.anon.request("PROPFIND", home("bob"), propfind_xml(), {"Depth": "0", "Authorization": value},
                                      auth=False)
                self.assertIn(r.status, (400, 401), r.describe())
                self.assertNotIn(b"BOB-PRIVATE-SUMMARY", r.body)

    def test_password_with_colon_and_unicode(self):
        user = unique("pw")
        pw = "p\u00e4ss:w\u00f6rd:with:colons"
        self.server.add_user(user, pw)
        cl = self.server.client(user, pw)
        self.assertStatus(cl.propfind(home(user), [d("resourcetype")]), 207)
        self.assert401(cl.propfind(home(user), [d("resourcetype")], auth=(user, "p\u00e4ss")))

    def test_other_users_home_is_invisible(self):
        reqs = self._requests()
        reqs += [
            ("REPORT", cal_path("bob", "default"), multiget_body([self.bob_obj]), {"Depth": "1"}),
            ("REPORT", cal_path("bob", "default"), query_body('<C:comp-filter name="VEVENT"/>'), {"Depth": "1"}),
            ("DELETE", cal_path("bob", "default"), None, None),
            ("MKCOL", home("bob") + "x/", None, None),
            ("COPY", self.bob_obj, None, {"Destination": self.alice.url(cal_path("alice", "default") + "stolen.ics")}),
        ]
        for m, p, b, h in reqs:
            if p in ("/dav/", principal("bob")):
                continue
            with self.subTest(method=m, path=p):
                r = self.alice.request(m, p, b, h)
                self.assertStatus(r, (403, 404))
                self.assertNotIn(b"UID:" + self.secret_uid.encode(), r.body)
                self.assertNotIn(b"BOB-PRIVATE-SUMMARY", r.body)
        self.assertStatus(self.alice.get(cal_path("alice", "default") + "stolen.ics"), 404)
        self._bob_intact()
        self.assertStatus(self.bob.propfind(cal_path("bob", "default"), [d("resourcetype")]), 207)

    def test_cross_user_destinations_and_hrefs(self):
        p, uid, _ = self.put_event(self.alice, cal_path("alice", "default"))
        r = self.alice.request("COPY", p, None, {"Destination": self.alice.url(cal_path("bob", "default") + "x.ics")})
        self.assertStatus(r, (403, 404, 409))
        r = self.alice.request("MOVE", p, None, {"Destination": self.alice.url(cal_path("bob", "default") + "x.ics")})
        self.assertStatus(r, (403, 404, 409))
        self.assertStatus(self.alice.get(p), 200, "alice's object lost in a refused MOVE")
        self.assertStatus(self.bob.get(cal_path("bob", "default") + "x.ics"), 404)
        # multiget on alice's own calendar naming bob's object
        r = self.alice.report(cal_path("alice", "default"), multiget_body([p, self.bob_obj]), depth="1")
        self.assertStatus(r, 207)
        self.assertNotIn(b"UID:" + self.secret_uid.encode(), r.body)
        self.assertNotIn(b"BOB-PRIVATE-SUMMARY", r.body)
        by = r.by_href()
        self.assertIn(by[norm_href(self.bob_obj)].status, (403, 404), r.describe())
        self.assertEqual(ics_uid(by[norm_href(p)].prop(c("calendar-data")).text), uid)


# ==========================================================================
FB_REQUEST = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\r\n"
              "METHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\nDTSTAMP:20300101T000000Z\r\nORGANIZER:%(org)s\r\n"
              "DTSTART:%(start)s\r\nDTEND:%(end)s\r\nUID:%(uid)s\r\n%(attendees)s"
              "END:VFREEBUSY\r\nEND:VCALENDAR\r\n")


def fb_request(org, attendees, start="20300107T000000Z", end="20300114T000000Z"):
    att = "".join("ATTENDEE;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;CUTYPE=INDIVIDUAL:%s\r\n" % a
                  for a in attendees)
    return FB_REQUEST % {"org": org, "attendees": att, "start": start, "end": end, "uid": unique("fb")}


def schedule_responses(resp):
    """{recipient: (request-status, calendar-data or None)} of a schedule-response."""
    root = resp.xml
    if root.tag != c("schedule-response"):
        raise AssertionError("not a CALDAV:schedule-response\n" + resp.describe())
    out = {}
    for r in root.findall(c("response")):
        href = r.find(c("recipient")).find(d("href")).text
        cd = r.find(c("calendar-data"))
        out[href] = (r.find(c("request-status")).text, cd.text if cd is not None else None)
    return out


def freebusy_lines(caldata):
    """The FREEBUSY lines of a calendar, unfolded, as (params, [periods])."""
    text = re.sub(r"\r?\n[ \t]", "", caldata)
    out = []
    for line in text.splitlines():
        if line.startswith("FREEBUSY"):
            name, _, value = line.partition(":")
            out.append((name, value.split(",")))
    return out


class SchedulingTests(DavTestCase):
    """RFC 6638 as far as slotdav takes part: Inbox, Outbox, free-busy lookups."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.add_user("sam", email="sam@example.com")      # staff
        cls.server.add_user("cleo", email="cleo@example.com")    # a customer login
        cls.server.cli("staff", "add", "sam")
        cls.sam = cls.server.client("sam")
        cls.cleo = cls.server.client("cleo")
        # Sam's shift: daily at 08:00Z for a week, one day off.
        r = cls.sam.put_ics(cal_path("sam", "default") + "shift.ics", ics_event(
            "sam-shift", "Shift", start="20300107T080000Z", end="20300107T120000Z",
            extra=["RRULE:FREQ=DAILY;COUNT=5", "EXDATE:20300109T080000Z"]))
        assert r.status == 201, r.describe()

    def test_discovery(self):
        r = self.cleo.propfind(principal("cleo"), [c("schedule-inbox-URL"), c("schedule-outbox-URL"),
                                                   c("calendar-user-address-set"), c("calendar-user-type")])
        one = self.propstatus(r)
        self.assertEqual([norm_href(h) for h in one.prop(c("schedule-inbox-URL")).hrefs()], [home("cleo") + "inbox/"])
        self.assertEqual([norm_href(h) for h in one.prop(c("schedule-outbox-URL")).hrefs()], [home("cleo") + "outbox/"])
        self.assertEqual(one.prop(c("calendar-user-type")).text, "INDIVIDUAL")
        self.assertIn("mailto:cleo@example.com", one.prop(c("calendar-user-address-set")).hrefs())
        # The home lists them (Apple Calendar looks there), as collections that are not calendars.
        r = self.cleo.propfind(home("cleo"), [d("resourcetype"), c("schedule-default-calendar-URL")], depth="1")
        by = r.by_href()
        for box, tag in (("inbox", c("schedule-inbox")), ("outbox", c("schedule-outbox"))):
            rt = by[home("cleo") + box + "/"].prop(d("resourcetype")).element
            self.assertIsNotNone(rt.find(tag), r.describe())
            self.assertIsNotNone(rt.find(d("collection")), r.describe())
            self.assertIsNone(rt.find(c("calendar")), "%s claims to be a calendar\n%s" % (box, r.describe()))
        self.assertEqual([norm_href(h) for h in by[home("cleo")].prop(c("schedule-default-calendar-URL")).hrefs()],
                         [cal_path("cleo", "default")], r.describe())

    def test_inbox_is_empty_and_syncable(self):
        inbox = home("cleo") + "inbox/"
        r = self.cleo.propfind(inbox, [cs("getctag"), d("sync-token"), d("current-user-privilege-set")], depth="1")
        self.assertEqual(len(r.multistatus()), 1, "the inbox has members\n" + r.describe())
        one = self.propstatus(r)
        ctag = one.prop(cs("getctag")).text
        self.assertTrue(ctag, r.describe())
        privs = {ch.tag for p in one.prop(d("current-user-privilege-set")).element.findall(d("privilege")) for ch in p}
        self.assertIn(c("schedule-deliver"), privs, r.describe())
        r = self.cleo.report(inbox, sync_body(None), depth="1")
        self.assertStatus(r, 207)
        self.assertEqual(r.multistatus(), [], r.describe())
        token = r.sync_token()
        self.assertEqual(token, one.prop(d("sync-token")).text)
        r = self.cleo.report(inbox, sync_body(token), depth="1")
        self.assertStatus(r, 207)
        self.assertEqual(r.sync_token(), token)
        r = self.cleo.report(inbox, sync_body(self.ctag(self.cleo, cal_path("cleo", "default"))), depth="1")
        self.assertDavError(r, 403, d("valid-sync-token"))

    def test_boxes_refuse_writes(self):
        for method, path, body in (("PUT", home("cleo") + "inbox/x.ics", ics_event("inbox-x")),
                                   ("DELETE", home("cleo") + "inbox/", None),
                                   ("DELETE", home("cleo") + "outbox/", None),
                                   ("MKCOL", home("cleo") + "outbox/", None),
                                   ("MKCALENDAR", home("cleo") + "inbox/", None)):
            with self.subTest(method=method, path=path):
                r = self.cleo.request(method, path, body, {"Content-Type": "text/calendar"} if body else None)
                self.assertStatus(r, 403)
                self.assertIn(b"<s:message>", r.body, r.describe())
        self.assertStatus(self.cleo.propfind(home("cleo") + "inbox/", [d("resourcetype")]), 207)
        # Other users' boxes are as closed as the rest of their space.
        r = self.cleo.request("POST", home("sam") + "outbox/", fb_request("mailto:cleo@example.com",
                                                                         ["mailto:sam@example.com"]),
                              {"Content-Type": "text/calendar"})
        self.assertStatus(r, 403)
        self.assertStatus(self.cleo.propfind(home("sam") + "inbox/", [d("resourcetype")]), 403)

    def test_freebusy_lookup(self):
        r = self.cleo.request("POST", home("cleo") + "outbox/",
                              fb_request("mailto:cleo@example.com",
                                         ["mailto:sam@example.com", "mailto:cleo@example.com",
                                          "mailto:stranger@example.org"]),
                              {"Content-Type": "text/calendar; charset=utf-8"})
        self.assertStatus(r, 200)
        self.assertIn("xml", r.header("Content-Type"))
        got = schedule_responses(r)
        status, data = got["mailto:sam@example.com"]
        self.assertTrue(status.startswith("2.0"), r.describe())
        self.assertIn("METHOD:REPLY", data)
        self.assertIn("ATTENDEE:mailto:sam@example.com", data)
        self.assertEqual(freebusy_lines(data), [("FREEBUSY", ["20300107T080000Z/PT4H", "20300108T080000Z/PT4H",
                                                              "20300110T080000Z/PT4H", "20300111T080000Z/PT4H"])],
                         data)
        status, data = got["mailto:cleo@example.com"]
        self.assertTrue(status.startswith("2.0"), r.describe())
        self.assertEqual(freebusy_lines(data), [], data)
        self.assertTrue(got["mailto:stranger@example.org"][0].startswith("3.7"), r.describe())
        # Staff see each other; a customer's busy time is theirs alone.
        r = self.sam.request("POST", home("sam") + "outbox/",
                             fb_request("mailto:sam@example.com", ["mailto:cleo@example.com"]),
                             {"Content-Type": "text/calendar"})
        self.assertTrue(schedule_responses(r)["mailto:cleo@example.com"][0].startswith("3.8"), r.describe())

    def test_outbox_refusals(self):
        outbox = home("cleo") + "outbox/"
        hdr = {"Content-Type": "text/calendar"}
        r = self.cleo.request("POST", outbox, fb_request("mailto:sam@example.com", ["mailto:sam@example.com"]), hdr)
        self.assertDavError(r, 403, c("organizer-allowed"))
        r = self.cleo.request("POST", outbox, "BEGIN:VCALENDAR\r\nnonsense\r\n", hdr)
        self.assertDavError(r, 400, c("valid-calendar-data"))
        invite = ics_event("invite", "Meet", extra=["ORGANIZER:mailto:cleo@example.com",
                                                     "ATTENDEE:mailto:sam@example.com"])
        r = self.cleo.request("POST", outbox, invite.replace("VERSION:2.0", "VERSION:2.0\r\nMETHOD:REQUEST"), hdr)
        self.assertStatus(r, 403)
        self.assertIn(b"schedules bookings itself", r.body, r.describe())
        r = self.cleo.request("POST", cal_path("cleo", "default"), fb_request("mailto:cleo@example.com",
                                                                              ["mailto:cleo@example.com"]), hdr)
        self.assertStatus(r, 405)


def propfind_xml():
    return XML_DECL + '<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:displayname/></D:prop></D:propfind>'


if __name__ == "__main__":
    harness.main()
