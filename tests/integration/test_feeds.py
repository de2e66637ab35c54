#!/usr/bin/python3
"""test_feeds.py - iCalendar feeds (/feeds/<token>.ics) over HTTP.

One server for the class, with low feed rate limits so that 429 can be
reached quickly (a test of its own with its own token and the per-address
bucket set high enough for the rest). setUpClass builds a business through
the JSON API (as test_api.py does): a location in Europe/Berlin, a staff
member, a service, a customer with name, e-mail, phone and notes, and three
bookings on days relative to today in Berlin: two confirmed, one cancelled.

Checks: feeds parsed by python3-icalendar; every TZID has a VTIMEZONE;
UIDs and SEQUENCE equal the API's bookings; METHOD, REFRESH-INTERVAL,
X-WR-*; conditional GET (ETag and Last-Modified) gives 304; gzip; HEAD;
revocation and unknown or malformed tokens give 404 without
WWW-Authenticate; the rate limit gives 429 with Retry-After; busy-only
leaks none of the customer's details; cancelled bookings in and out;
who may create/list/revoke feeds; the CLI; a staff feed with the member's
personal calendars (busy blocks or summaries; a recurring event expanded,
an EXDATE honoured, transparent and cancelled events left out; a busy-only
feed shows none of their details).
"""

import gzip
import json
import re
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar

import harness
from harness import ServerTestCase

BERLIN = ZoneInfo("Europe/Berlin")
API = "/api/v1"
SECRETS = ("Cara Customer", "cara@example.com", "+49 30 123 456", "public note xyz",
           "private note qqq", "Consultation")


def at(offset, hh, mm=0):
    d = datetime.now(BERLIN).date() + timedelta(days=offset)
    local = datetime.combine(d, time(hh, mm), tzinfo=BERLIN)
    return local.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class FeedTests(ServerTestCase):
    server_args = ("--feeds.rate_per_minute=20", "--feeds.rate_per_minute_ip=1000")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.server
        for name in ("admin", "sam", "cara", "dan"):
            srv.add_user(name, password="secret-" + name, displayname=name.title())
        srv.cli("staff", "add", "admin", "--admin")
        cls.loc = cls.created("admin", "/locations", {
            "name": "Berlin Mitte", "timezone": "Europe/Berlin", "address": "Torstr. 1",
            "email": "mitte@example.com"})["id"]
        cls.sam = cls.created("admin", "/staff", {"user": "sam", "name": "Sam Staff",
                                                  "location_ids": [cls.loc]})["id"]
        week = [{"weekday": d, "start": "08:00", "end": "18:00"} for d in range(1, 8)]
        r = cls.call("admin", "PUT", "/staff/%d/hours?location_id=%d" % (cls.sam, cls.loc), week)
        assert r.status == 200, r.describe()
        cls.svc = cls.created("admin", "/services", {
            "location_id": cls.loc, "name": "Consultation", "duration_min": 60,
            "staff_ids": [cls.sam]})["id"]
        cls.cara = cls.created("admin", "/customers", {
            "name": "Cara Customer", "email": "cara@example.com", "phone": "+49 30 123 456",
            "user": "cara"})["id"]
        cls.dan = cls.created("admin", "/customers", {"name": "Dan Doe", "user": "dan"})["id"]
        cls.bookings = []
        for day in (2, 3, 4):
            cls.bookings.append(cls.created("admin", "/bookings", {
                "service_id": cls.svc, "customer_id": cls.cara, "staff_id": cls.sam,
                "start": at(day, 10), "notes_public": "public note xyz",
                "notes_private": "private note qqq"}))
        r = cls.call("admin", "POST", "/bookings/%d/cancel" % cls.bookings[2]["id"],
                     {"reason": "business"})
        assert r.status == 200, r.describe()
        cls.bookings[2] = r.json

    # -- helpers ----------------------------------------------------------

    @classmethod
    def call(cls, user, method, path, body=None):
        h = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body)
            h["Content-Type"] = "application/json"
        auth = (user, "secret-" + user) if user else False
        r = cls.server.client().request(method, API + path, data, h, auth=auth)
        r.json = json.loads(r.body) if r.body and (r.header("Content-Type") or "").startswith(
            "application/json") else None
        return r

    @classmethod
    def created(cls, user, path, body):
        r = cls.call(user, "POST", path, body)
        assert r.status == 201, r.describe()
        return r.json

    def feed(self, kind, subject, user="admin", **opts):
        body = {"kind": kind, "subject_id": subject}
        body.update(opts)
        r = self.call(user, "POST", "/feeds", body)
        self.assertEqual(r.status, 201, r.describe())
        j = r.json
        self.assertRegex(j["token"], r"^[A-Za-z0-9_-]{32}$")
        self.assertTrue(j["url"].endswith("/feeds/%s.ics" % j["token"]))
        self.assertTrue(j["webcal_url"].startswith("webcal://"))
        return j

    def fetch(self, token, method="GET", headers=None):
        return self.server.client().request(method, "/feeds/%s.ics" % token, None,
                                            headers or {}, auth=False)

    def parse(self, r):
        self.assertEqual(r.status, 200, r.describe())
        self.assertEqual(r.header("Content-Type"), "text/calendar; charset=utf-8")
        body = r.body
        for line in body.split(b"\r\n"):
            self.assertLessEqual(len(line), 75, line)
        cal = icalendar.Calendar.from_ical(body)
        self.assertEqual(str(cal["VERSION"]), "2.0")
        self.assertEqual(str(cal["METHOD"]), "PUBLISH")
        self.assertIn("PRODID", cal)
        self.assertEqual(str(cal["X-WR-TIMEZONE"]), "Europe/Berlin")
        self.assertIn(b"REFRESH-INTERVAL;VALUE=DURATION:PT1H", body)
        self.assertIn(b"X-PUBLISHED-TTL:PT1H", body)
        zones = {str(z["TZID"]) for z in cal.walk("VTIMEZONE")}
        for ev in cal.walk("VEVENT"):
            for prop in ("DTSTART", "DTEND"):
                tzid = ev[prop].params.get("TZID")
                if tzid:
                    self.assertIn(tzid, zones)
        return cal

    def events(self, cal):
        return {str(e["UID"]): e for e in cal.walk("VEVENT")}

    # -- tests -------------------------------------------------------------

    def test_location_feed_matches_bookings(self):
        cal = self.parse(self.fetch(self.feed("location", self.loc)["token"]))
        self.assertEqual(str(cal["X-WR-CALNAME"]), "Berlin Mitte")
        ev = self.events(cal)
        live = [b for b in self.bookings if b["status"] != "cancelled"]
        self.assertEqual(set(ev), {b["uid"] for b in live})
        for b in live:
            e = ev[b["uid"]]
            self.assertEqual(int(e["SEQUENCE"]), b["sequence"])
            self.assertEqual(str(e["STATUS"]), "CONFIRMED")
            start = e["DTSTART"].dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            self.assertEqual(start, b["start"])
            self.assertIn("Cara Customer", str(e["SUMMARY"]))
            self.assertEqual(str(e["DESCRIPTION"]), "public note xyz")
        self.assertNotIn(b"private note qqq", self.fetch(self.feed("location", self.loc)["token"]).body)

    def test_cancelled_in_and_out(self):
        cancelled = self.bookings[2]
        with_c = self.events(self.parse(self.fetch(
            self.feed("staff", self.sam, with_cancelled=True)["token"])))
        self.assertEqual(str(with_c[cancelled["uid"]]["STATUS"]), "CANCELLED")
        self.assertEqual(int(with_c[cancelled["uid"]]["SEQUENCE"]), cancelled["sequence"])
        without = self.events(self.parse(self.fetch(self.feed("staff", self.sam)["token"])))
        self.assertNotIn(cancelled["uid"], without)
        self.assertEqual(len(without), 2)

    def test_busy_only_privacy(self):
        for kind, subject in (("customer", self.cara), ("staff", self.sam), ("location", self.loc)):
            r = self.fetch(self.feed(kind, subject, busy_only=True, with_cancelled=True)["token"])
            cal = self.parse(r)
            for secret in SECRETS:
                self.assertNotIn(secret.encode(), r.body, (kind, secret))
            for e in cal.walk("VEVENT"):
                self.assertEqual(str(e["SUMMARY"]), "Busy")
                for prop in ("DESCRIPTION", "ATTENDEE", "ORGANIZER", "LOCATION"):
                    self.assertNotIn(prop, e)
                self.assertFalse([k for k in e if k.startswith("X-SLOTDAV")])

    def test_conditional_get_gzip_head(self):
        token = self.feed("customer", self.cara)["token"]
        r = self.fetch(token)
        self.parse(r)
        etag, lm = r.header("ETag"), r.header("Last-Modified")
        self.assertRegex(etag, r'^"[0-9a-f]{32}"$')
        self.assertEqual(r.header("Vary"), "Accept-Encoding")
        self.assertIn("private", r.header("Cache-Control"))
        self.assertIn("max-age=", r.header("Cache-Control"))
        self.assertIsNone(r.header("WWW-Authenticate"))
        for h in ({"If-None-Match": etag}, {"If-None-Match": '"x", %s' % etag},
                  {"If-None-Match": "*"}, {"If-Modified-Since": lm}):
            r304 = self.fetch(token, headers=h)
            self.assertEqual(r304.status, 304, (h, r304.describe()))
            self.assertEqual(r304.body, b"")
            self.assertEqual(r304.header("ETag"), etag)
        self.assertEqual(self.fetch(token, headers={"If-None-Match": '"other"'}).status, 200)
        self.assertEqual(self.fetch(token, headers={
            "If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status, 200)
        z = self.fetch(token, headers={"Accept-Encoding": "gzip, deflate"})
        self.assertEqual(z.status, 200)
        self.assertEqual(z.header("Content-Encoding"), "gzip")
        self.assertEqual(gzip.decompress(z.body), r.body)
        self.assertEqual(z.header("ETag"), etag[:-1] + '-gz"')
        self.assertEqual(self.fetch(token, headers={"Accept-Encoding": "gzip",
                                                    "If-None-Match": etag}).status, 304)
        self.assertIsNone(self.fetch(token, headers={"Accept-Encoding": "gzip;q=0"})
                          .header("Content-Encoding"))
        h = self.fetch(token, method="HEAD")
        self.assertEqual(h.status, 200)
        self.assertEqual(h.body, b"")
        self.assertEqual(h.header("ETag"), etag)
        self.assertEqual(int(h.header("Content-Length")), len(r.body))
        # a change moves the validators
        b = self.created("admin", "/bookings", {
            "service_id": self.svc, "customer_id": self.cara, "staff_id": self.sam,
            "start": at(5, 12)})
        r2 = self.fetch(token, headers={"If-None-Match": etag})
        self.assertEqual(r2.status, 200)
        self.assertIn(b["uid"].encode(), r2.body)
        self.assertNotEqual(r2.header("ETag"), etag)
        r = self.call("admin", "POST", "/bookings/%d/cancel" % b["id"], {"reason": "business"})
        self.assertEqual(r.status, 200, r.describe())

    def test_not_found_and_revocation(self):
        j = self.feed("customer", self.cara)
        self.assertEqual(self.fetch(j["token"]).status, 200)
        for bad in ("A" * 32, "short", "../etc/passwd", j["token"] + "x"):
            r = self.fetch(bad)
            self.assertEqual(r.status, 404, bad)
            self.assertIsNone(r.header("WWW-Authenticate"))
        r = self.server.client().request("GET", "/feeds/%s" % j["token"], None, {}, auth=False)
        self.assertEqual(r.status, 404)
        r = self.server.client().request("PUT", "/feeds/%s.ics" % j["token"], "x", {}, auth=False)
        self.assertEqual(r.status, 405)
        listed = self.call("admin", "GET", "/feeds").json["feeds"]
        self.assertIn(j["id"], [f["id"] for f in listed])
        self.assertNotIn("token", listed[0])
        self.assertNotIn(j["token"].encode(), self.call("admin", "GET", "/feeds").body)
        self.assertEqual(self.call("admin", "DELETE", "/feeds/%d" % j["id"]).status, 204)
        r = self.fetch(j["token"])
        self.assertEqual(r.status, 404)
        self.assertIsNone(r.header("WWW-Authenticate"))
        self.assertEqual(self.call("admin", "DELETE", "/feeds/%d" % j["id"]).status, 404)
        # re-issue: a new token works
        self.assertEqual(self.fetch(self.feed("customer", self.cara)["token"]).status, 200)

    def test_roles(self):
        mine = self.feed("customer", self.cara, user="cara")
        r = self.call("cara", "POST", "/feeds", {"kind": "customer", "subject_id": self.dan})
        self.assertEqual(r.status, 403, r.describe())
        r = self.call("cara", "POST", "/feeds", {"kind": "location", "subject_id": self.loc})
        self.assertEqual(r.status, 403, r.describe())
        self.feed("staff", self.sam, user="sam")
        r = self.call("sam", "POST", "/feeds", {"kind": "location", "subject_id": self.loc})
        self.assertEqual(r.status, 403, r.describe())
        ids = [f["id"] for f in self.call("dan", "GET", "/feeds").json["feeds"]]
        self.assertNotIn(mine["id"], ids)
        self.assertEqual(self.call("dan", "DELETE", "/feeds/%d" % mine["id"]).status, 404)
        self.assertIn(mine["id"], [f["id"] for f in self.call("cara", "GET", "/feeds").json["feeds"]])
        r = self.call("admin", "POST", "/feeds", {"kind": "planet", "subject_id": 1})
        self.assertEqual(r.status, 422, r.describe())
        r = self.call("admin", "POST", "/feeds", {"kind": "customer", "subject_id": 99999})
        self.assertEqual(r.status, 404, r.describe())

    def test_rate_limit(self):
        token = self.feed("location", self.loc, busy_only=True)["token"]
        statuses = [self.fetch(token).status for _ in range(25)]
        self.assertIn(429, statuses)
        self.assertEqual(statuses[:20], [200] * 20)
        r = self.fetch(token)
        self.assertEqual(r.status, 429)
        self.assertGreaterEqual(int(r.header("Retry-After")), 1)

    def put_personal(self):
        """sam's personal events (once per class); their summaries."""
        if getattr(type(self), "_personal", None):
            return type(self)._personal
        sam = self.server.client("sam")
        cal = "/dav/calendars/sam/default/"

        def day(offset, hh):
            return at(offset, hh).replace("-", "").replace(":", "")

        def local(offset, hh):
            d = datetime.now(BERLIN).date() + timedelta(days=offset)
            return "%s%02d0000" % (d.strftime("%Y%m%dT"), hh)
        events = [
            ("p-dentist", harness.ics_event("p-dentist", "Dentist xyz", start=day(6, 9), end=day(6, 10),
                                            extra=["LOCATION:Dr. Tooth", "DESCRIPTION:personal desc 777",
                                                   "ATTENDEE:mailto:pal@example.org"])),
            ("p-yoga", harness.ics_event(
                "p-yoga", "Yoga abc", start="DTSTART;TZID=Europe/Berlin:" + local(7, 19),
                end="DTEND;TZID=Europe/Berlin:" + local(7, 20), vtimezone=harness.VTIMEZONE_BERLIN,
                extra=["RRULE:FREQ=WEEKLY;COUNT=3", "EXDATE;TZID=Europe/Berlin:" + local(14, 19)])),
            ("p-holiday", harness.ics_event("p-holiday", "Holiday tp", start=day(8, 8), end=day(8, 17),
                                            extra=["TRANSP:TRANSPARENT"])),
            ("p-lunch", harness.ics_event("p-lunch", "Lunch cx", start=day(9, 12), end=day(9, 13),
                                          extra=["STATUS:CANCELLED"])),
        ]
        for name, ics in events:
            r = sam.put_ics(cal + name + ".ics", ics)
            self.assertIn(r.status, (201, 204), r.describe())
        type(self)._personal = {"yoga": [at(7, 19), at(21, 19)], "dentist": at(6, 9)}
        return type(self)._personal

    def personal_events(self, cal):
        return [e for e in cal.walk("VEVENT") if str(e["UID"]).endswith("@personal.slotdav")]

    def test_personal_calendars(self):
        exp = self.put_personal()
        utc = lambda e: e["DTSTART"].dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
        never = (b"Holiday tp", b"Lunch cx", b"personal desc 777", b"pal@example.org", b"p-dentist",
                 b"p-yoga")
        # none (the default): the bookings only
        j = self.feed("staff", self.sam)
        self.assertEqual(j["personal"], "none")
        self.assertEqual(self.personal_events(self.parse(self.fetch(j["token"]))), [])
        # busy
        j = self.feed("staff", self.sam, personal="busy")
        self.assertEqual(j["personal"], "busy")
        r = self.fetch(j["token"])
        evs = self.personal_events(self.parse(r))
        self.assertEqual(sorted(utc(e) for e in evs), sorted([exp["dentist"]] + exp["yoga"]))
        for e in evs:
            self.assertEqual(str(e["SUMMARY"]), "Busy")
            for prop in ("LOCATION", "DESCRIPTION", "ATTENDEE"):
                self.assertNotIn(prop, e)
        for secret in never + (b"Dentist xyz", b"Yoga abc", b"Dr. Tooth"):
            self.assertNotIn(secret, r.body)
        self.assertEqual(len([e for e in self.parse(r).walk("VEVENT")]), 2 + 3)  # 2 live bookings
        # full
        j = self.feed("staff", self.sam, personal="full")
        r = self.fetch(j["token"])
        evs = {utc(e): e for e in self.personal_events(self.parse(r))}
        self.assertEqual(set(evs), set([exp["dentist"]] + exp["yoga"]))
        self.assertEqual(str(evs[exp["dentist"]]["SUMMARY"]), "Dentist xyz")
        self.assertEqual(str(evs[exp["dentist"]]["LOCATION"]), "Dr. Tooth")
        for t in exp["yoga"]:
            self.assertEqual(str(evs[t]["SUMMARY"]), "Yoga abc")
        for secret in never:
            self.assertNotIn(secret, r.body)
        self.assertIn(b"Cara Customer", r.body)  # the bookings keep their details
        # a busy-only feed: none of their details whatever the level
        r = self.fetch(self.feed("staff", self.sam, busy_only=True, personal="full")["token"])
        cal = self.parse(r)
        self.assertEqual(len(self.personal_events(cal)), 3)
        for secret in never + (b"Dentist xyz", b"Yoga abc", b"Dr. Tooth") + tuple(x.encode() for x in SECRETS):
            self.assertNotIn(secret, r.body)
        for e in cal.walk("VEVENT"):
            self.assertEqual(str(e["SUMMARY"]), "Busy")
        # a change of a personal event changes the feed and its validators
        etag = r.header("ETag")
        token = self.feed("staff", self.sam, personal="full")["token"]
        first = self.fetch(token)
        sam = self.server.client("sam")
        r2 = sam.put_ics("/dav/calendars/sam/default/p-extra.ics", harness.ics_event(
            "p-extra", "Extra qq", start=at(10, 15).replace("-", "").replace(":", ""),
            end=at(10, 16).replace("-", "").replace(":", "")))
        self.assertEqual(r2.status, 201, r2.describe())
        second = self.fetch(token, headers={"If-None-Match": first.header("ETag")})
        self.assertEqual(second.status, 200)
        self.assertIn(b"Extra qq", second.body)
        self.assertEqual(sam.delete("/dav/calendars/sam/default/p-extra.ics").status, 204)
        self.assertTrue(etag)
        # only staff feeds; only known levels; listed
        for body in ({"kind": "customer", "subject_id": self.cara, "personal": "busy"},
                     {"kind": "location", "subject_id": self.loc, "personal": "full"},
                     {"kind": "staff", "subject_id": self.sam, "personal": "loud"},
                     {"kind": "staff", "subject_id": self.sam, "personal": True}):
            r = self.call("admin", "POST", "/feeds", body)
            self.assertEqual(r.status, 422, (body, r.describe()))
        self.assertEqual(self.call("admin", "POST", "/feeds", {
            "kind": "customer", "subject_id": self.cara, "personal": "none"}).status, 201)
        listed = {f["id"]: f for f in self.call("admin", "GET", "/feeds").json["feeds"]}
        self.assertEqual(listed[j["id"]]["personal"], "full")
        # staff may make their own
        self.assertEqual(self.feed("staff", self.sam, user="sam", personal="busy")["personal"], "busy")

    def test_personal_cli(self):
        self.put_personal()
        out = self.server.cli("feed", "create", "--staff", str(self.sam), "--personal", "full").stdout
        self.assertIn("personal-full", out)
        token = re.search(r"token:\s+(\S+)", out).group(1)
        fid = re.search(r"feed (\d+):", out).group(1)
        self.assertIn(b"Dentist xyz", self.fetch(token).body)
        self.assertRegex(self.server.cli("feed", "list").stdout,
                         r"(?m)^%s\tstaff\t%d\tfull\t-\tvalid\tpersonal-full$" % (fid, self.sam))
        for args in (("--customer", str(self.cara), "--personal", "busy"),
                     ("--staff", str(self.sam), "--personal", "loud")):
            r = self.server.cli("feed", "create", *args, check=False)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertTrue(r.stderr.strip(), args)

    def test_cli(self):
        out = self.server.cli("feed", "create", "--customer", str(self.cara), "--busy-only").stdout
        token = re.search(r"token:\s+(\S+)", out).group(1)
        fid = re.search(r"feed (\d+):", out).group(1)
        self.assertIn("webcal://", out)
        self.assertEqual(self.fetch(token).status, 200)
        listing = self.server.cli("feed", "list").stdout
        self.assertRegex(listing, r"(?m)^%s\tcustomer\t%d\tbusy-only" % (fid, self.cara))
        self.server.cli("feed", "revoke", fid)
        self.assertEqual(self.fetch(token).status, 404)
        r = self.server.cli("feed", "create", "--customer", "1", "--staff", "1", check=False)
        self.assertNotEqual(r.returncode, 0)


if __name__ == "__main__":
    harness.main()
