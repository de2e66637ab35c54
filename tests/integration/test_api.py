#!/usr/bin/python3
"""test_api.py - the JSON API (/api/v1) over HTTP, against the real binary
and the real booking engine.

One server for the class. setUpClass builds a small business through the
API itself: an admin creates a location in Europe/Berlin, two staff members
(logins made with the CLI) with working hours every day 09:00-17:00, a
service both perform, a service nobody performs, a service that needs
approval, and two customers (one with a login). Each test then books on a
day of its own (today + N in Berlin), so the tests do not see each other's
bookings and can run in any order.

Covers: reads of the configuration; availability (days and instants, RFC
3339 UTC out); the lifecycle of a booking (create, reschedule, stale
version, cancel with each reason, restore by an admin only, no-show before
the start, approve/decline, a customer's reschedule request) and its
activity log; the cancellation report as JSON and CSV; who sees what
(staff: their own bookings, customers: theirs, a login without a role:
nothing); bad input (404, 400, 415, 405, 422 naming the member, time in the
past, beyond the horizon, off the grid, outside working hours, a staff
member who does not perform the service); twenty clients racing for one
slot; and the staff member's Bookings calendar as python3-caldav sees it.

The first admin: only an admin may create staff through the API, so the
first one is made with the admin CLI (make_admin below).
"""

import csv
import io
import json
import logging
import threading
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import caldav

import harness
from harness import ServerTestCase

logging.getLogger("caldav").setLevel(logging.ERROR)

BERLIN = ZoneInfo("Europe/Berlin")
API = "/api/v1"
UA = "slotdav-test-api/1.0"
REASONS = ("customer", "business", "no_show", "other")


def make_admin(server, user):
    """Makes `user` (an existing login) an admin staff member. The API
    cannot: creating staff needs an admin. Contract with the CLI:
    `slotdav staff add USER --admin` makes USER a staff member with admin
    set, as the booking engine's SYSTEM actor."""
    server.cli("staff", "add", user, "--admin")


def day(offset):
    """The Berlin calendar day `offset` days from today."""
    return datetime.now(BERLIN).date() + timedelta(days=offset)


def at(offset, hh, mm=0):
    """Berlin wall-clock hh:mm on day(offset), as RFC 3339 UTC."""
    local = datetime.combine(day(offset), time(hh, mm), tzinfo=BERLIN)
    return local.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(s):
    assert s.endswith("Z"), "not UTC: %r" % s
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


class ApiTests(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.server
        for name in ("admin", "sam", "tia", "cara", "nobody"):
            srv.add_user(name, password="secret-" + name, displayname=name.title())
        make_admin(srv, "admin")
        cls.loc = cls.created("admin", "/locations", {
            "name": "Berlin Mitte", "timezone": "Europe/Berlin", "address": "Torstr. 1",
            "email": "mitte@example.com"})["id"]
        cls.sam = cls.created("admin", "/staff", {"user": "sam", "name": "Sam Staff",
                                                  "location_ids": [cls.loc]})["id"]
        cls.tia = cls.created("admin", "/staff", {"user": "tia", "location_ids": [cls.loc]})["id"]
        week = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(1, 8)]
        for staff in (cls.sam, cls.tia):
            r = cls.call("admin", "PUT", "/staff/%d/hours?location_id=%d" % (staff, cls.loc), week)
            assert r.status == 200, r.describe()
        cls.svc = cls.created("admin", "/services", {
            "location_id": cls.loc, "name": "Consultation", "duration_min": 60,
            "staff_ids": [cls.sam, cls.tia]})["id"]
        cls.svc_none = cls.created("admin", "/services", {
            "location_id": cls.loc, "name": "Nobody does this", "duration_min": 30,
            "staff_ids": []})["id"]
        cls.svc_approval = cls.created("admin", "/services", {
            "location_id": cls.loc, "name": "Needs approval", "duration_min": 30,
            "staff_ids": [cls.sam]})["id"]
        r = cls.call("admin", "PUT", "/services/%d/rules" % cls.svc_approval,
                     {"new_booking_needs_approval": True, "reschedule_needs_approval": True,
                      "reschedule_notice_hours": 0, "cancel_notice_hours": 0})
        assert r.status == 200, r.describe()
        cls.cara = cls.created("admin", "/customers", {
            "name": "Cara Customer", "email": "cara@example.com", "phone": "+49 30 123 456",
            "user": "cara"})["id"]
        cls.dan = cls.created("admin", "/customers", {"name": "Dan Doe", "email": "dan@example.com"})["id"]

    # -- helpers --------------------------------------------------------------

    @classmethod
    def call(cls, user, method, path, body=None, headers=None, raw=None):
        """One API request as user (None: no credentials). body is encoded
        as JSON; raw is sent as is (with the headers given)."""
        h = {"Accept": "application/json", "User-Agent": UA}
        data = None
        if body is not None:
            data = json.dumps(body)
            h["Content-Type"] = "application/json"
        if raw is not None:
            data = raw
        if headers:
            h.update(headers)
        auth = ("%s" % user, "secret-" + user) if user else False
        r = cls.server.client().request(method, API + path, data, h, auth=auth)
        r.json = None
        ctype = r.header("Content-Type") or ""
        if r.body and ctype.startswith("application/json"):
            r.json = json.loads(r.body)
        return r

    @classmethod
    def created(cls, user, path, body):
        r = cls.call(user, "POST", path, body)
        assert r.status == 201, r.describe()
        assert r.header("Location").endswith("%s%s/%d" % (API, path, r.json["id"])), r.describe()
        return r.json

    def ok(self, r, status=200):
        self.assertStatus(r, status)
        self.assertEqual(r.header("Cache-Control"), "no-store", r.describe())
        return r.json

    def assertApiError(self, r, status, code, field=None):
        self.assertStatus(r, status)
        self.assertTrue((r.header("Content-Type") or "").startswith("application/json"), r.describe())
        err = (r.json or {}).get("error")
        self.assertIsInstance(err, dict, r.describe())
        self.assertEqual(err.get("code"), code, r.describe())
        self.assertTrue(err.get("message"), r.describe())
        if field is not None:
            self.assertEqual(err.get("field"), field, r.describe())

    def book(self, user, start, customer=None, staff=None, service=None, status=201, **extra):
        body = {"service_id": service or self.svc, "start": start}
        if customer is not None:
            body["customer_id"] = customer
        if staff is not None:
            body["staff_id"] = staff
        body.update(extra)
        r = self.call(user, "POST", "/bookings", body)
        if status is None:
            return r
        self.assertStatus(r, status)
        return r.json

    def slots(self, user, service, frm, to, staff=None):
        q = "/availability?service_id=%d&from=%s&to=%s" % (service, frm, to)
        if staff:
            q += "&staff_id=%d" % staff
        return self.ok(self.call(user, "GET", q.replace("+", "%2B")))["slots"]

    # -- configuration --------------------------------------------------------

    def test_configuration_reads(self):
        locs = self.ok(self.call("admin", "GET", "/locations"))["locations"]
        mine = [l for l in locs if l["id"] == self.loc]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["timezone"], "Europe/Berlin")
        self.assertRegex(mine[0]["created"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

        sam = self.ok(self.call("tia", "GET", "/staff/%d" % self.sam))
        self.assertEqual((sam["user"], sam["name"], sam["location_ids"]), ("sam", "Sam Staff", [self.loc]))
        tia = self.ok(self.call("admin", "GET", "/staff/%d" % self.tia))
        self.assertEqual(tia["name"], "Tia", "the name defaults to the login's display name")

        hours = self.ok(self.call("sam", "GET", "/staff/%d/hours?location_id=%d" % (self.sam, self.loc)))["hours"]
        self.assertEqual(len(hours), 7)
        self.assertEqual({(h["weekday"], h["start"], h["end"]) for h in hours},
                         {(d, "09:00", "17:00") for d in range(1, 8)})

        svc = self.ok(self.call("cara", "GET", "/services/%d" % self.svc))
        self.assertEqual((svc["duration_min"], sorted(svc["staff_ids"])), (60, sorted([self.sam, self.tia])))

        for q in ("cara", "CARA", "example.com", "30123456", "30-123-456"):
            found = self.ok(self.call("sam", "GET", "/customers?q=%s" % q))["customers"]
            self.assertIn(self.cara, [c["id"] for c in found], "search %r" % q)
        found = self.ok(self.call("sam", "GET", "/customers?q=dan"))["customers"]
        self.assertEqual([c["id"] for c in found], [self.dan])
        self.assertEqual(self.ok(self.call("cara", "GET", "/customers/%d" % self.cara))["user"], "cara")

    def test_rules_merge(self):
        loc = self.created("admin", "/locations", {"name": "Rules", "timezone": "Europe/Berlin",
                                                   "email": "rules@example.org"})["id"]
        r = self.ok(self.call("admin", "GET", "/locations/%d/rules" % loc))
        self.assertEqual(r["rules"], {})
        self.assertEqual(r["effective"]["slot_step_min"], 15)
        r = self.ok(self.call("admin", "PUT", "/locations/%d/rules" % loc, {"slot_step_min": 30, "horizon_days": 10}))
        self.assertEqual(r["rules"], {"slot_step_min": 30, "horizon_days": 10})
        r = self.ok(self.call("admin", "PUT", "/locations/%d/rules" % loc, {"slot_step_min": None}))
        self.assertEqual(r["rules"], {"horizon_days": 10})
        self.assertEqual(r["effective"]["slot_step_min"], 15)
        self.assertApiError(self.call("admin", "PUT", "/locations/%d/rules" % loc, {"slot_stpe_min": 5}), 422, "invalid")
        self.assertApiError(self.call("admin", "PUT", "/locations/%d/rules" % loc, {"slot_step_min": 0}), 422, "invalid")
        self.assertApiError(self.call("sam", "PUT", "/locations/%d/rules" % loc, {"horizon_days": 5}), 403, "forbidden")
        self.assertEqual(self.ok(self.call("admin", "GET", "/locations/%d/rules" % loc))["rules"], {"horizon_days": 10})
        self.ok(self.call("admin", "DELETE", "/locations/%d" % loc), 204)
        self.assertApiError(self.call("admin", "GET", "/locations/%d" % loc), 404, "not_found")

    # -- availability ---------------------------------------------------------

    def test_availability(self):
        d = day(7).isoformat()
        slots = self.slots("cara", self.svc, d, d, staff=self.sam)
        self.assertTrue(slots, "no slots on %s" % d)
        starts = [s["start"] for s in slots]
        self.assertEqual(starts[0], at(7, 9), "first slot at 09:00 Berlin")
        self.assertEqual(starts[-1], at(7, 16), "last start so that the hour ends at 17:00")
        self.assertEqual(len(slots), 29, "09:00 to 16:00 every 15 minutes")
        for s in slots:
            self.assertEqual(s["staff_id"], self.sam)
            self.assertEqual(parse_utc(s["end"]) - parse_utc(s["start"]), timedelta(hours=1))
        both = self.slots("cara", self.svc, d, d)
        self.assertEqual({s["staff_id"] for s in both}, {self.sam, self.tia})
        self.assertEqual(len(both), 58)
        # instants with an offset mean the same
        frm = datetime.combine(day(7), time(12), tzinfo=BERLIN).isoformat()
        to = datetime.combine(day(7), time(14), tzinfo=BERLIN).isoformat()
        part = self.slots("cara", self.svc, frm, to, staff=self.sam)
        self.assertEqual([s["start"] for s in part], [at(7, 12, m) for m in (0, 15, 30, 45)] +
                         [at(7, 13, m) for m in (0, 15, 30, 45)])
        self.assertEqual(self.slots("cara", self.svc_none, d, d), [])

    def test_exception_blocks_a_day(self):
        d = day(14)
        self.assertTrue(self.slots("sam", self.svc, d.isoformat(), d.isoformat(), staff=self.sam))
        ex = self.created("sam", "/staff/%d/exceptions" % self.sam,
                          {"date": d.isoformat(), "note": "holiday", "location_id": self.loc})
        self.assertEqual((ex["start"], ex["end"], ex["available"]), ("00:00", "24:00", False))
        self.assertEqual(self.slots("sam", self.svc, d.isoformat(), d.isoformat(), staff=self.sam), [])
        listed = self.ok(self.call("sam", "GET", "/staff/%d/exceptions?from=%s&to=%s" % (self.sam, d, d)))
        self.assertEqual([e["id"] for e in listed["exceptions"]], [ex["id"]])
        self.assertApiError(self.call("tia", "DELETE", "/staff/%d/exceptions/%d" % (self.tia, ex["id"])),
                            404, "not_found")
        self.ok(self.call("sam", "DELETE", "/staff/%d/exceptions/%d" % (self.sam, ex["id"])), 204)
        self.assertTrue(self.slots("sam", self.svc, d.isoformat(), d.isoformat(), staff=self.sam))

    # -- the lifecycle ---------------------------------------------------------

    def test_lifecycle_and_activity(self):
        b = self.book("sam", at(8, 10), customer=self.dan, staff=self.sam, notes_private="regular")
        self.assertEqual(b["status"], "confirmed")
        self.assertEqual((b["start"], b["end"]), (at(8, 10), at(8, 11)))
        self.assertEqual((b["staff_id"], b["customer_id"], b["location_id"]), (self.sam, self.dan, self.loc))
        self.assertTrue(b["uid"])
        self.assertEqual(b["created_channel"], "api")
        bid = b["id"]
        got = self.ok(self.call("sam", "GET", "/bookings/%d" % bid))
        self.assertEqual((got["uid"], got["version"]), (b["uid"], b["version"]))
        starts = {s["start"] for s in self.slots("sam", self.svc, day(8).isoformat(), day(8).isoformat(),
                                                 staff=self.sam)}
        for taken in (at(8, 9, 15), at(8, 10), at(8, 10, 45)):
            self.assertNotIn(taken, starts)
        self.assertIn(at(8, 11), starts)

        moved = self.ok(self.call("sam", "POST", "/bookings/%d/reschedule" % bid,
                                  {"start": at(8, 13), "version": got["version"]}))
        self.assertEqual((moved["start"], moved["outcome"]), (at(8, 13), "applied"))
        self.assertGreater(moved["version"], got["version"])
        self.assertApiError(self.call("sam", "POST", "/bookings/%d/reschedule" % bid,
                                      {"start": at(8, 14), "version": got["version"]}), 412, "version_mismatch")
        self.assertApiError(self.call("sam", "POST", "/bookings/%d/no-show" % bid), 409, "not_started")
        self.assertApiError(self.call("sam", "POST", "/bookings/%d/complete" % bid), 409, "not_started")
        r = self.call("sam", "POST", "/bookings/%d/cancel" % bid, {"reason": "other"})
        self.assertTrue(400 <= r.status < 500, r.describe())
        self.assertEqual(r.json["error"]["code"], "invalid", r.describe())

        cancelled = self.ok(self.call("sam", "POST", "/bookings/%d/cancel" % bid,
                                      {"reason": "other", "text": "the workshop is flooded"}))
        self.assertEqual((cancelled["status"], cancelled["cancel_reason"], cancelled["cancel_text"]),
                         ("cancelled", "other", "the workshop is flooded"))
        self.assertIsNotNone(cancelled["cancelled_at"])
        self.assertApiError(self.call("sam", "POST", "/bookings/%d/cancel" % bid, {"reason": "business"}),
                            409, "invalid_transition")
        self.assertApiError(self.call("sam", "POST", "/bookings/%d/restore" % bid), 403, "forbidden")
        restored = self.ok(self.call("admin", "POST", "/bookings/%d/restore" % bid))
        self.assertEqual((restored["status"], restored["cancel_reason"]), ("confirmed", None))
        self.assertEqual(restored["start"], at(8, 13))

        log = self.ok(self.call("admin", "GET", "/bookings/%d/activity" % bid))["activity"]
        ok_steps = [(e["action"], e["actor"]) for e in log if e["outcome"] == "ok"]
        actions = [a for a, _ in ok_steps]
        for step in ("create", "reschedule", "cancel", "restore"):
            self.assertIn(step, actions, "activity: %s" % log)
        self.assertLess(actions.index("create"), actions.index("reschedule"))
        self.assertLess(actions.index("reschedule"), actions.index("cancel"))
        self.assertLess(actions.index("cancel"), actions.index("restore"))
        for action, actor in ok_steps:
            self.assertIn("admin" if action == "restore" else "sam", actor, "actor of %s" % action)
        for e in log:
            self.assertEqual(e["channel"], "api", e)
            self.assertEqual(e["user_agent"], UA, e)
            self.assertRegex(e["at"], r"Z$")
        self.assertEqual(self.ok(self.call("sam", "GET", "/bookings/%d/activity" % bid))["booking_id"], bid)

        # Each change the customer should hear of queued its message, in
        # order; refusals queued none.
        queued = self.ok(self.call("sam", "GET", "/bookings/%d/notifications" % bid))["notifications"]
        self.assertEqual([(n["kind"], n["recipient"], n["state"]) for n in queued],
                         [("created", "customer", "queued"), ("rescheduled", "customer", "queued"),
                          ("cancelled", "customer", "queued"), ("restored", "customer", "queued")])
        for n in queued:
            self.assertGreater(n["not_before"], n["created"])
        self.assertApiError(self.call("cara", "GET", "/bookings/%d/notifications" % bid), 403, "forbidden")

    def test_notes(self):
        b = self.book("sam", at(15, 10), customer=self.cara, staff=self.sam, notes_public="bring the papers",
                      notes_private="speaks slowly")
        r = self.ok(self.call("sam", "PATCH", "/bookings/%d" % b["id"], {"notes_public": "bring the car"}))
        self.assertEqual((r["notes_public"], r["notes_private"]), ("bring the car", "speaks slowly"))
        mine = self.ok(self.call("cara", "GET", "/bookings/%d" % b["id"]))
        self.assertEqual(mine["notes_public"], "bring the car")
        self.assertNotIn("notes_private", mine, "customers never see private notes")
        self.assertApiError(self.call("sam", "PATCH", "/bookings/%d" % b["id"],
                                      {"notes_public": "x", "version": r["version"] - 1}), 412, "version_mismatch")

    def test_cancel_reasons_and_report(self):
        n = 16
        ids = {}
        for i, reason in enumerate(REASONS):
            b = self.book("sam", at(n, 9 + i), customer=self.dan, staff=self.sam)
            body = {"reason": reason}
            if reason == "other":
                body["text"] = "another reason"
            c = self.ok(self.call("sam", "POST", "/bookings/%d/cancel" % b["id"], body))
            self.assertEqual((c["status"], c["cancel_reason"]), ("cancelled", reason))
            ids[reason] = b["id"]
        self.book("tia", at(n, 14), customer=self.dan, staff=self.tia)  # not cancelled: not counted
        self.assertApiError(self.call("sam", "POST", "/bookings/%d/cancel" % ids["customer"], {"reason": "whim"}),
                            422, "invalid", "reason")

        q = "/reports/cancellations?from=%s&to=%s&location_id=%d&period=day" % (day(n), day(n), self.loc)
        rep = self.ok(self.call("admin", "GET", q))
        self.assertEqual(rep["period"], "day")
        rows = rep["rows"]
        self.assertEqual({(r["reason"], r["count"]) for r in rows}, {(x, 1) for x in REASONS}, rows)
        for r in rows:
            self.assertEqual((r["period"], r["location_id"], r["staff_id"]), (day(n).isoformat(), self.loc, self.sam))

        for how in ({"Accept": "text/csv"}, None):
            r = self.call("admin", "GET", q + ("" if how else "&format=csv"), headers=how)
            self.assertStatus(r, 200)
            self.assertTrue(r.header("Content-Type").startswith("text/csv"), r.describe())
            self.assertIn(b"\r\n", r.body)
            table = list(csv.reader(io.StringIO(r.body.decode("utf-8"), newline="")))
            self.assertEqual(table[0], ["period", "location_id", "staff_id", "reason", "count"])
            self.assertEqual(sorted((t[3], t[4]) for t in table[1:]), sorted((x, "1") for x in REASONS))
        self.assertApiError(self.call("sam", "GET", q), 403, "forbidden")
        self.assertApiError(self.call("admin", "GET", q + "&period=year"), 422, "invalid", "period")

    def test_approval_flow(self):
        n = 17
        p = self.book("cara", at(n, 10), service=self.svc_approval)
        self.assertEqual((p["status"], p["customer_id"], p["staff_id"]), ("pending", self.cara, self.sam))
        a = self.ok(self.call("sam", "POST", "/bookings/%d/approve" % p["id"]))
        self.assertEqual(a["status"], "confirmed")
        # the customer's reschedule becomes a request; the booking keeps its slot until approved
        r = self.call("cara", "POST", "/bookings/%d/reschedule" % p["id"], {"start": at(n, 12)})
        self.assertStatus(r, 202)
        self.assertEqual((r.json["outcome"], r.json["start"]), ("requested", at(n, 10)))
        self.assertApiError(self.call("cara", "POST", "/bookings/%d/reschedule" % p["id"], {"start": at(n, 13)}),
                            409, "request_pending")
        a = self.ok(self.call("sam", "POST", "/bookings/%d/approve" % p["id"]))
        self.assertEqual((a["status"], a["start"]), ("confirmed", at(n, 12)))
        q = self.book("cara", at(n, 14), service=self.svc_approval)
        self.assertEqual(q["status"], "pending")
        self.assertApiError(self.call("cara", "POST", "/bookings/%d/approve" % q["id"]), 403, "forbidden")
        d = self.ok(self.call("sam", "POST", "/bookings/%d/decline" % q["id"], {"text": "fully booked"}))
        self.assertEqual((d["status"], d["cancel_reason"]), ("cancelled", "business"))

    # -- who sees what ----------------------------------------------------------

    def test_roles(self):
        n = 11
        s = self.book("sam", at(n, 10), customer=self.cara, staff=self.sam)
        t = self.book("tia", at(n, 10), customer=self.dan, staff=self.tia)
        rng = "?from=%s&to=%s&location_id=%d" % (day(n), day(n), self.loc)

        def listed(user):
            return {b["id"] for b in self.ok(self.call(user, "GET", "/bookings" + rng))["bookings"]}

        self.assertEqual(listed("sam"), {s["id"]})
        self.assertEqual(listed("tia"), {t["id"]})
        self.assertEqual(listed("cara"), {s["id"]})
        self.assertEqual(listed("admin"), {s["id"], t["id"]})
        self.assertApiError(self.call("sam", "GET", "/bookings/%d" % t["id"]), 404, "not_found")
        self.assertApiError(self.call("cara", "GET", "/bookings/%d" % t["id"]), 404, "not_found")
        r = self.call("sam", "POST", "/bookings/%d/cancel" % t["id"], {"reason": "business"})
        self.assertIn((r.status, r.json["error"]["code"]), ((404, "not_found"), (403, "forbidden")), r.describe())
        self.assertEqual(self.ok(self.call("tia", "GET", "/bookings/%d" % t["id"]))["status"], "confirmed")
        self.assertApiError(self.call("cara", "GET", "/customers"), 403, "forbidden")
        self.assertApiError(self.call("cara", "GET", "/customers/%d" % self.dan), 404, "not_found")
        self.assertApiError(self.call("cara", "POST", "/locations", {"name": "x", "timezone": "UTC"}),
                            403, "forbidden")
        self.assertApiError(self.call("sam", "POST", "/locations", {"name": "x", "timezone": "UTC"}),
                            403, "forbidden")
        self.assertApiError(self.call("cara", "POST", "/bookings",
                                      {"service_id": self.svc, "customer_id": self.dan, "start": at(n, 12)}),
                            403, "forbidden")
        for path in ("/locations", "/bookings", "/availability?service_id=%d&from=%s&to=%s" % (self.svc, day(n), day(n))):
            self.assertApiError(self.call("nobody", "GET", path), 403, "forbidden")
        r = self.call(None, "GET", "/locations")
        self.assertStatus(r, 401)

    # -- bad input ---------------------------------------------------------------

    def test_bad_input(self):
        n = 12
        self.assertApiError(self.call("admin", "GET", "/bookings/999999"), 404, "not_found")
        self.assertApiError(self.call("admin", "GET", "/locations/999999"), 404, "not_found")
        self.assertApiError(self.call("admin", "GET", "/no-such-thing"), 404, "not_found")
        self.assertApiError(self.book("sam", at(n, 10), customer=999999, staff=self.sam, status=None),
                            404, "not_found")
        r = self.call("sam", "POST", "/bookings", raw='{"service_id": 1,', headers={"Content-Type": "application/json"})
        self.assertApiError(r, 400, "malformed_json")
        self.assertIn("line 1", r.json["error"]["message"])
        r = self.call("sam", "POST", "/bookings", raw='{"service_id": 1}', headers={"Content-Type": "text/plain"})
        self.assertApiError(r, 415, "unsupported_media_type")
        r = self.call("sam", "DELETE", "/bookings")
        self.assertApiError(r, 405, "method_not_allowed")
        self.assertEqual(r.header("Allow"), "GET, HEAD, POST, OPTIONS")
        self.assertApiError(self.call("sam", "POST", "/bookings", {"service_id": str(self.svc), "start": at(n, 10)}),
                            422, "invalid", "service_id")
        self.assertApiError(self.call("sam", "POST", "/bookings", {"service_id": self.svc, "customer_id": self.dan,
                                                                   "start": at(n, 10), "staf_id": self.sam}),
                            422, "invalid", "staf_id")
        self.assertApiError(self.call("sam", "POST", "/bookings", {"service_id": self.svc, "customer_id": self.dan,
                                                                   "start": "tomorrow at ten"}),
                            422, "invalid", "start")
        self.assertApiError(self.call("sam", "GET", "/bookings?stauts=confirmed"), 422, "invalid", "stauts")

        self.assertApiError(self.book("sam", at(-1, 10), customer=self.dan, staff=self.sam, status=None),
                            422, "in_the_past")
        self.assertApiError(self.book("sam", at(200, 10), customer=self.dan, staff=self.sam, status=None),
                            422, "beyond_horizon")
        self.assertApiError(self.book("sam", at(n, 10, 7), customer=self.dan, staff=self.sam, status=None),
                            422, "off_slot_grid")
        # on the grid, but the hour would end at 17:30; customers have no bypass
        self.assertApiError(self.book("cara", at(n, 16, 30), status=None, staff=self.sam), 422,
                            "outside_working_hours")
        self.assertApiError(self.book("sam", at(n, 10), customer=self.dan, staff=self.sam, service=self.svc_none,
                                      status=None), 422, "staff_cannot_perform")
        self.assertApiError(self.book("sam", at(n, 11), customer=self.dan, staff=self.sam, service=999999,
                                      status=None), 404, "not_found")

    # -- races ---------------------------------------------------------------------

    def test_twenty_clients_one_slot(self):
        start = at(9, 10)
        body = {"service_id": self.svc, "customer_id": self.dan, "staff_id": self.sam, "start": start}
        barrier = threading.Barrier(20)
        results = [None] * 20

        def one(i):
            barrier.wait()
            results[i] = self.call("sam", "POST", "/bookings", body)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        statuses = sorted(r.status for r in results)
        self.assertEqual(statuses, [201] + [409] * 19, [r.describe() for r in results if r.status not in (201, 409)])
        for r in results:
            if r.status == 409:
                self.assertEqual(r.json["error"]["code"], "slot_unavailable", r.describe())
        listed = self.ok(self.call("admin", "GET", "/bookings?staff_id=%d&location_id=%d&from=%s&to=%s"
                                   % (self.sam, self.loc, day(9), day(9))))
        self.assertEqual(len([b for b in listed["bookings"] if b["status"] != "cancelled"]), 1)

    # -- the Bookings calendar -----------------------------------------------------

    def test_bookings_calendar_in_caldav(self):
        n = 13
        client = caldav.DAVClient(url=self.server.base_url + "/", username="sam", password="secret-sam", timeout=30)
        self.addCleanup(client.close)
        cal = client.calendar(url=self.server.base_url + "/dav/calendars/sam/bookings/")
        before = cal.objects_by_sync_token(load_objects=True)
        token = before.sync_token

        b = self.book("sam", at(n, 10), customer=self.dan, staff=self.sam)
        p = self.book("cara", at(n, 14), service=self.svc_approval)
        changed = cal.objects_by_sync_token(token, load_objects=True)
        by_uid = {str(o.icalendar_component["UID"]): o for o in changed}
        self.assertIn(b["uid"], by_uid, "sync after the booking: %s" % list(by_uid))
        self.assertIn(p["uid"], by_uid)
        ev = by_uid[b["uid"]].icalendar_component
        self.assertEqual(str(ev["STATUS"]), "CONFIRMED")
        self.assertEqual(ev["DTSTART"].dt.astimezone(timezone.utc), parse_utc(b["start"]))
        self.assertEqual(ev["DTEND"].dt.astimezone(timezone.utc), parse_utc(b["end"]))
        self.assertEqual(str(by_uid[p["uid"]].icalendar_component["STATUS"]), "TENTATIVE")
        uids = [str(o.icalendar_component["UID"]) for o in cal.objects_by_sync_token(load_objects=True)]
        self.assertEqual(uids.count(b["uid"]), 1, "one object per booking")

        token = changed.sync_token
        self.ok(self.call("sam", "POST", "/bookings/%d/cancel" % b["id"], {"reason": "business"}))
        self.ok(self.call("sam", "POST", "/bookings/%d/approve" % p["id"]))
        changed = cal.objects_by_sync_token(token, load_objects=True)
        by_uid = {str(o.icalendar_component["UID"]): o for o in changed}
        self.assertEqual(str(by_uid[b["uid"]].icalendar_component["STATUS"]), "CANCELLED")
        self.assertEqual(str(by_uid[p["uid"]].icalendar_component["STATUS"]), "CONFIRMED")


if __name__ == "__main__":
    harness.main()
