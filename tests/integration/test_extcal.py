#!/usr/bin/python3
"""test_extcal.py - external busy calendars: a staff member's iCalendar feed
(or an admin-named file) whose busy time availability subtracts.

One slotdav for the class, with a short poll interval and tight fetch
bounds, and one local HTTP server (http.server in a thread on 127.0.0.1)
that serves .ics bodies per path, counts requests, answers If-None-Match
with 304, and can be told to misbehave: 500, garbage, a body over the size
bound, a body slower than the timeout, a redirect loop.

Covers: attach (staff for themself, admins for anyone; files admins only;
another member's calendar 403), refresh, the busy time removing slots from
GET /availability and a booking there getting 409 slot_unavailable; a
changed feed changing availability; 304 keeping the data; every failure
setting last_error while the previous busy data and availability stay and
the server keeps answering; the poller fetching on its own; delete.
"""

import json
import os
import tempfile
import threading
import time as systime
from datetime import datetime, time, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import harness
from harness import ServerTestCase

BERLIN = ZoneInfo("Europe/Berlin")
API = "/api/v1"


def day(offset):
    return datetime.now(BERLIN).date() + timedelta(days=offset)


def at(offset, hh, mm=0):
    local = datetime.combine(day(offset), time(hh, mm), tzinfo=BERLIN)
    return local.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def ics_event(offset, start_h, end_h, uid="ev"):
    """A VCALENDAR with one busy event on day(offset), plus a transparent
    one and a cancelled one that must not count."""
    def utc(h):
        return at(offset, h).replace("-", "").replace(":", "")
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//extcal//EN\r\n"
            "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\n"
            "SUMMARY:elsewhere\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:%s-free\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\n"
            "TRANSP:TRANSPARENT\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:%s-off\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\n"
            "STATUS:CANCELLED\r\nEND:VEVENT\r\n"
            "END:VCALENDAR\r\n" % (uid, utc(start_h), utc(end_h), uid, utc(15), utc(16),
                                   uid, utc(16), utc(17))).encode()


class Feeds:
    """The local feed server: path -> {"body", "etag", "mode"}; counts."""

    def __init__(self):
        self.paths = {}
        self.count = {}
        self.not_modified = 0
        self.lock = threading.Lock()
        feeds = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                with feeds.lock:
                    feeds.count[self.path] = feeds.count.get(self.path, 0) + 1
                    f = dict(feeds.paths.get(self.path) or {})
                mode = f.get("mode", "ok")
                try:
                    if not f:
                        self.send_error(404)
                    elif mode == "500":
                        self.send_error(500)
                    elif mode == "loop":
                        self.send_response(302)
                        self.send_header("Location", self.path)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                    elif mode == "slow":
                        self.send_response(200)
                        self.send_header("Content-Type", "text/calendar")
                        self.end_headers()
                        for _ in range(8):
                            self.wfile.write(b"BEGIN:VCALENDAR\r\n")
                            self.wfile.flush()
                            systime.sleep(0.5)
                    elif mode == "huge":
                        body = b"BEGIN:VCALENDAR\r\n" + b"X-PAD:" + b"x" * 70 + b"\r\n"
                        body = body * 2000
                        self.send_response(200)
                        self.send_header("Content-Type", "text/calendar")
                        self.end_headers()  # no length: the bound must cut the stream
                        self.wfile.write(body)
                    elif mode == "garbage":
                        body = b"<html><body>not a calendar</body></html>"
                        self.send_response(200)
                        self.send_header("Content-Type", "text/html")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    elif self.headers.get("If-None-Match") == f["etag"]:
                        with feeds.lock:
                            feeds.not_modified += 1
                        self.send_response(304)
                        self.send_header("ETag", f["etag"])
                        self.end_headers()
                    else:
                        self.send_response(200)
                        self.send_header("Content-Type", "text/calendar")
                        self.send_header("ETag", f["etag"])
                        self.send_header("Content-Length", str(len(f["body"])))
                        self.end_headers()
                        self.wfile.write(f["body"])
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.httpd.server_address[1], path)

    def serve(self, path, body=None, mode="ok"):
        with self.lock:
            f = self.paths.setdefault(path, {"body": b"", "etag": '"0"'})
            if body is not None and body != f["body"]:
                f["body"] = body
                f["etag"] = '"%d"' % (int(f["etag"].strip('"')) + 1)
            f["mode"] = mode

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class ExtcalTests(ServerTestCase):
    server_args = ("--extcal.poll_seconds=2", "--extcal.timeout_seconds=2",
                   "--extcal.max_bytes=64K", "--extcal.max_redirects=2")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.feeds = Feeds()
        srv = cls.server
        for name in ("admin", "sam", "tia", "cara"):
            srv.add_user(name, password="secret-" + name)
        srv.cli("staff", "add", "admin", "--admin")
        cls.loc = cls.created("admin", "/locations", {"name": "Mitte", "timezone": "Europe/Berlin", "email": "m@example.com"})["id"]
        cls.sam = cls.created("admin", "/staff", {"user": "sam", "location_ids": [cls.loc]})["id"]
        cls.tia = cls.created("admin", "/staff", {"user": "tia", "location_ids": [cls.loc]})["id"]
        week = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(1, 8)]
        for staff in (cls.sam, cls.tia):
            r = cls.call("admin", "PUT", "/staff/%d/hours?location_id=%d" % (staff, cls.loc), week)
            assert r.status == 200, r.describe()
        cls.svc = cls.created("admin", "/services", {
            "location_id": cls.loc, "name": "Consultation", "duration_min": 60,
            "staff_ids": [cls.sam, cls.tia]})["id"]
        cls.cara = cls.created("admin", "/customers", {"name": "Cara", "email": "c@example.com",
                                                       "user": "cara"})["id"]

    @classmethod
    def tearDownClass(cls):
        cls.feeds.stop()
        super().tearDownClass()

    @classmethod
    def call(cls, user, method, path, body=None):
        h = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body)
            h["Content-Type"] = "application/json"
        r = cls.server.client().request(method, API + path, data, h,
                                        auth=(user, "secret-" + user))
        r.json = json.loads(r.body) if r.body and (r.header("Content-Type") or "").startswith(
            "application/json") else None
        return r

    @classmethod
    def created(cls, user, path, body):
        r = cls.call(user, "POST", path, body)
        assert r.status == 201, r.describe()
        return r.json

    def starts(self, offset, staff=None):
        d = day(offset).isoformat()
        r = self.call("cara", "GET", "/availability?service_id=%d&from=%s&to=%s&staff_id=%d"
                      % (self.svc, d, d, staff or self.sam))
        self.assertStatus(r, 200)
        return [s["start"] for s in r.json["slots"]]

    def attach(self, user, staff, **body):
        return self.call(user, "POST", "/staff/%d/external-calendars" % staff, body)

    def refresh(self, staff, eid, user="sam"):
        r = self.call(user, "POST", "/staff/%d/external-calendars/%d/refresh" % (staff, eid))
        self.assertStatus(r, 200)
        return r.json

    # -- tests ----------------------------------------------------------------

    def test_feed_lifecycle(self):
        n = 3
        path = "/sam.ics"
        self.feeds.serve(path, ics_event(n, 10, 12))
        free = self.starts(n)
        self.assertIn(at(n, 10), free)
        r = self.attach("sam", self.sam, url=self.feeds.url(path), name="Google")
        self.assertStatus(r, 201)
        eid = r.json["id"]
        self.assertEqual(r.json["name"], "Google")
        e = self.refresh(self.sam, eid)
        self.assertIsNone(e["last_error"], e)
        self.assertIsNotNone(e["last_success"])
        self.assertEqual(e["etag"], '"1"')
        self.assertEqual(e["busy_periods"], 1)
        busy = self.starts(n)
        for hh, mm in ((9, 15), (10, 0), (11, 45)):
            self.assertNotIn(at(n, hh, mm), busy)
        for hh in (9, 12, 15, 16):  # transparent and cancelled events do not count
            self.assertIn(at(n, hh), busy)
        r = self.call("sam", "POST", "/bookings", {"service_id": self.svc, "customer_id": self.cara,
                                                   "staff_id": self.sam, "start": at(n, 10)})
        self.assertStatus(r, 409)
        self.assertEqual(r.json["error"]["code"], "slot_unavailable")
        # the list shows it
        r = self.call("admin", "GET", "/staff/%d/external-calendars" % self.sam)
        self.assertStatus(r, 200)
        self.assertIn(eid, [c["id"] for c in r.json["external_calendars"]])

        # unchanged: 304 keeps the data
        nm = self.feeds.not_modified
        e = self.refresh(self.sam, eid)
        self.assertGreater(self.feeds.not_modified, nm)
        self.assertEqual(e["busy_periods"], 1)
        self.assertIsNone(e["last_error"])
        self.assertEqual(self.starts(n), busy)

        # changed: availability follows
        self.feeds.serve(path, ics_event(n, 13, 14))
        e = self.refresh(self.sam, eid)
        self.assertEqual(e["etag"], '"2"')
        moved = self.starts(n)
        self.assertIn(at(n, 10), moved)
        self.assertNotIn(at(n, 13), moved)

        # every failure: last_error set, the data kept, the server answers
        for mode, words in (("500", "HTTP 500"), ("garbage", "not an iCalendar"),
                            ("huge", "larger than"), ("slow", "seconds"),
                            ("loop", "redirects")):
            self.feeds.serve(path, mode=mode)
            t0 = systime.monotonic()
            e = self.refresh(self.sam, eid)
            self.assertLess(systime.monotonic() - t0, 6, mode)
            self.assertIsNotNone(e["last_error"], mode)
            self.assertIn(words, e["last_error"], mode)
            self.assertEqual(e["busy_periods"], 1, mode)
            self.assertEqual(self.starts(n), moved, mode)
            self.assertStatus(self.call("cara", "GET", "/locations"), 200)
        # back to good
        self.feeds.serve(path, mode="ok")
        e = self.refresh(self.sam, eid)
        self.assertIsNone(e["last_error"])

        # delete: the busy time goes with it
        self.assertStatus(self.call("sam", "DELETE", "/staff/%d/external-calendars/%d"
                                    % (self.sam, eid)), 204)
        self.assertIn(at(n, 13), self.starts(n))
        self.assertStatus(self.call("sam", "GET", "/staff/%d/external-calendars/%d"
                                    % (self.sam, eid)), 404)

    def test_poller_fetches(self):
        n = 5
        path = "/tia.ics"
        self.feeds.serve(path, ics_event(n, 9, 11, uid="tia"))
        eid = self.attach("admin", self.tia, url=self.feeds.url(path)).json["id"]
        deadline = systime.monotonic() + 15
        while systime.monotonic() < deadline:
            e = self.call("tia", "GET", "/staff/%d/external-calendars/%d" % (self.tia, eid)).json
            if e["last_success"]:
                break
            systime.sleep(0.3)
        self.assertIsNotNone(e["last_success"], e)
        self.assertNotIn(at(n, 9), self.starts(n, self.tia))
        self.assertIn(at(n, 11), self.starts(n, self.tia))
        # polled again: conditional, data kept
        count = self.feeds.count[path]
        deadline = systime.monotonic() + 10
        while systime.monotonic() < deadline and self.feeds.count[path] == count:
            systime.sleep(0.3)
        self.assertGreater(self.feeds.count[path], count)
        self.assertNotIn(at(n, 9), self.starts(n, self.tia))
        self.call("admin", "DELETE", "/staff/%d/external-calendars/%d" % (self.tia, eid))

    def test_local_file_admin_only(self):
        n = 8
        fd, name = tempfile.mkstemp(suffix=".ics", dir=self.server.tmp)
        with os.fdopen(fd, "wb") as f:
            f.write(ics_event(n, 14, 16, uid="file"))
        r = self.attach("sam", self.sam, path=name)
        self.assertStatus(r, 403)
        r = self.attach("admin", self.sam, path=name, name="Rota")
        self.assertStatus(r, 201)
        eid = r.json["id"]
        self.assertEqual(r.json["path"], name)
        e = self.refresh(self.sam, eid, user="admin")
        self.assertIsNone(e["last_error"], e)
        self.assertEqual(e["busy_periods"], 1)
        self.assertNotIn(at(n, 14), self.starts(n))
        self.assertIn(at(n, 9), self.starts(n))
        self.call("admin", "DELETE", "/staff/%d/external-calendars/%d" % (self.sam, eid))
        self.assertIn(at(n, 14), self.starts(n))

    def test_who_may(self):
        url = self.feeds.url("/nobody.ics")
        self.assertStatus(self.attach("sam", self.tia, url=url), 403)
        self.assertStatus(self.attach("cara", self.sam, url=url), 403)
        self.assertStatus(self.call("sam", "GET", "/staff/%d/external-calendars" % self.tia), 403)
        for bad in ({"url": "file:///etc/passwd"}, {"url": "ftp://x/y.ics"},
                    {"url": "http://u:p@127.0.0.1/x.ics"}, {},
                    {"url": url, "path": "/tmp/x.ics"}):
            r = self.attach("admin", self.sam, **bad)
            self.assertStatus(r, 422, bad)
        self.assertStatus(self.attach("admin", self.sam, path="relative.ics"), 422)
        # another member's calendar id is not found through this member
        eid = self.attach("tia", self.tia, url=url).json["id"]
        self.assertStatus(self.call("sam", "DELETE", "/staff/%d/external-calendars/%d"
                                    % (self.sam, eid)), 404)
        self.assertStatus(self.call("tia", "DELETE", "/staff/%d/external-calendars/%d"
                                    % (self.tia, eid)), 204)


if __name__ == "__main__":
    harness.main()
