#!/usr/bin/python3
"""test_booking_edits.py - edits made in calendar clients become booking
operations (SPEC 4), against the real binary.

One server for the class. setUpClass builds the business through the JSON
API: an admin (made with `slotdav staff add --admin`), a location in
Europe/Berlin, staff sam and tia working Mon-Sun 08:00-18:00, a 60-minute
service with a 15-minute buffer after that both perform, customer cara with
a CalDAV login and customer dan without one. Each test books on days of its
own (today + N in Berlin; the server runs on the real clock), so the tests
do not see each other's bookings.

For every row of SPEC 4 a test checks
- the HTTP answer: status, ETag present only when the stored object is what
  was sent, on refusal a DAV:error naming the rule in slotdav's namespace
  plus an s:message;
- the booking record (GET /api/v1/bookings/{id});
- the calendar object the client fetches next: DTSTART, STATUS, SEQUENCE,
  and that the client's own data (VALARM, CATEGORIES, X-APPLE-*, X-MOZ-*)
  survived;
- the sync-collection delta from the token before the edit;
- the activity log entry: action, outcome, channel "caldav", User-Agent.

Then the request sequences of real clients (client_replays.py: Thunderbird,
Apple Calendar on macOS and iOS, DAVx5) for a drag, a refused drag, a
cancel, a delete and a customer's decline, each followed by the client's
re-sync, checking that what the client holds converges to the server's
truth. And two races: twenty writers (CalDAV moves and API creations) for
one slot, and two clients writing one booking with the same If-Match.
"""

import json
import socket
import threading
import uuid
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import harness
from client_replays import (APPLE_IOS, APPLE_MACOS, DAVX5, THUNDERBIRD, ClientView, Ics, local, norm_href,
                            sync_body, utc)
from harness import ServerTestCase, d

import caldav

BERLIN = ZoneInfo("Europe/Berlin")
API = "/api/v1"
SD = "https://slotdav.org/ns"
CALDAV_NS = "urn:ietf:params:xml:ns:caldav"
UA_API = "slotdav-test-edits/1.0"
UA_STAFF = "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.6.0"
UA_CUSTOMER = "iOS/17.2 (21C62) dataaccessd/1.0"


def sd(name):
    return "{%s}%s" % (SD, name)


def day(offset):
    return datetime.now(BERLIN).date() + timedelta(days=offset)


def at(offset, hh, mm=0):
    """Berlin wall-clock hh:mm on day(offset), as an aware UTC datetime."""
    return datetime.combine(day(offset), time(hh, mm), tzinfo=BERLIN).astimezone(timezone.utc)


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def staff_cal(user="sam"):
    return "/dav/calendars/%s/bookings/" % user


def cust_cal(user="cara"):
    return "/dav/calendars/%s/appointments/" % user


def decorate(ics, tag="t"):
    """What a client stores of its own: an alarm, categories, its X- data."""
    ics.set("CATEGORIES", "Workshop,%s" % tag)
    ics.set("X-APPLE-TRAVEL-ADVISORY-BEHAVIOR", "AUTOMATIC")
    ics.set("X-MOZ-GENERATION", "3")
    au = str(uuid.uuid4()).upper()
    ics.add("BEGIN:VALARM", "X-WR-ALARMUID:" + au, "UID:" + au, "ACTION:DISPLAY",
            "TRIGGER:-PT15M", "DESCRIPTION:Reminder %s" % tag, "END:VALARM")
    return ics


# The notification the last queued for an accepted edit (SPEC 5).
QUEUED_BY = {
    ("create", "ok"): "created",
    ("reschedule", "ok"): "rescheduled",
    ("cancel", "ok"): "cancelled",
    ("reschedule_request", "pending"): "approval_needed",
    ("approve_request", "ok"): "request_approved",
    ("approve", "ok"): "confirmed",
    ("decline_request", "ok"): "request_declined",
}


class BookingEditsTests(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.server
        for name in ("admin", "sam", "tia", "cara"):
            srv.add_user(name, password="secret-" + name, email="%s@example.com" % name,
                         displayname=name.title())
        srv.cli("staff", "add", "admin", "--admin")
        cls.loc = cls.created("/locations", {"name": "Berlin Mitte", "timezone": "Europe/Berlin",
                                             "email": "mitte@example.com"})["id"]
        cls.sam = cls.created("/staff", {"user": "sam", "location_ids": [cls.loc]})["id"]
        cls.tia = cls.created("/staff", {"user": "tia", "location_ids": [cls.loc]})["id"]
        week = [{"weekday": wd, "start": "08:00", "end": "18:00"} for wd in range(1, 8)]
        for s in (cls.sam, cls.tia):
            r = cls.call("admin", "PUT", "/staff/%d/hours?location_id=%d" % (s, cls.loc), week)
            assert r.status == 200, r.describe()
        cls.svc = cls.created("/services", {"location_id": cls.loc, "name": "Inspection", "duration_min": 60,
                                            "buffer_after_min": 15, "staff_ids": [cls.sam, cls.tia]})["id"]
        cara = cls.created("/customers", {"name": "Cara Customer", "email": "cara@example.com", "user": "cara"})
        assert cara.get("user") == "cara", cara
        cls.cara = cara["id"]
        cls.dan = cls.created("/customers", {"name": "Dan Doe", "email": "dan@example.com"})["id"]

    # -- the JSON API ----------------------------------------------------------

    @classmethod
    def call(cls, user, method, path, body=None):
        h = {"Accept": "application/json", "User-Agent": UA_API}
        data = None
        if body is not None:
            data = json.dumps(body)
            h["Content-Type"] = "application/json"
        r = cls.server.client().request(method, API + path, data, h, auth=(user, "secret-" + user))
        r.json = None
        if r.body and (r.header("Content-Type") or "").startswith("application/json"):
            r.json = json.loads(r.body)
        return r

    @classmethod
    def created(cls, path, body):
        r = cls.call("admin", "POST", path, body)
        assert r.status == 201, r.describe()
        return r.json

    def book(self, start, customer=None, staff=None):
        r = self.call("admin", "POST", "/bookings", {
            "service_id": self.svc, "customer_id": customer or self.cara, "staff_id": staff or self.sam,
            "start": iso(start)})
        self.assertStatus(r, 201, "booking at %s" % iso(start))
        return r.json

    def record(self, bid):
        r = self.call("admin", "GET", "/bookings/%d" % bid)
        self.assertStatus(r, 200)
        return r.json

    def activity(self, bid):
        r = self.call("admin", "GET", "/bookings/%d/activity" % bid)
        self.assertStatus(r, 200)
        return r.json["activity"]

    def set_rules(self, rules):
        r = self.call("admin", "PUT", "/locations/%d/rules" % self.loc, rules)
        self.assertStatus(r, 200)
        self.addCleanup(self.call, "admin", "PUT", "/locations/%d/rules" % self.loc,
                        {k: None for k in rules})

    def slots(self, n, staff):
        q = "/availability?service_id=%d&staff_id=%d&from=%s&to=%s" % (self.svc, staff, day(n), day(n))
        r = self.call("admin", "GET", q)
        self.assertStatus(r, 200)
        return {s["start"] for s in r.json["slots"]}

    # -- CalDAV ------------------------------------------------------------------

    def dav(self, user, method, path, body=None, headers=None, ua=None):
        h = {"User-Agent": ua or (UA_CUSTOMER if user == "cara" else UA_STAFF)}
        if body is not None and method == "PUT":
            h["Content-Type"] = "text/calendar; charset=utf-8"
        h.update(headers or {})
        return self.server.client(user, "secret-" + user).request(method, path, body, h)

    def fetch(self, user, path):
        """(Response, Ics) of a GET that must succeed."""
        g = self.dav(user, "GET", path)
        self.assertStatus(g, 200, "GET %s" % path)
        self.assertTrue(g.header("ETag"), g.describe())
        return g, Ics(g.text)

    def token(self, user, cal):
        body = ('<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/>'
                "</D:prop></D:propfind>")
        r = self.dav(user, "PROPFIND", cal, body, {"Depth": "0"})
        self.assertStatus(r, 207)
        tok = r.multistatus()[0].prop(d("sync-token"))
        self.assertIsNotNone(tok, r.describe())
        return tok.text

    def delta(self, user, cal, token):
        """{href (decoded path): etag or 404} of a sync-collection from token."""
        r = self.dav(user, "REPORT", cal, sync_body(token), {"Depth": "1"})
        self.assertStatus(r, 207, "sync-collection")
        out = {}
        for m in r.multistatus():
            href = norm_href(m.href)
            if href.rstrip("/") == cal.rstrip("/"):
                continue
            if m.status == 404:
                out[href] = 404
            else:
                et = m.prop(d("getetag"))
                out[href] = et.text if et is not None else None
        return out

    def members(self, user, cal):
        r = self.dav(user, "PROPFIND", cal, None, {"Depth": "1"})
        self.assertStatus(r, 207)
        return {norm_href(m.href) for m in r.multistatus() if norm_href(m.href).rstrip("/") != cal.rstrip("/")}

    # -- assertions ----------------------------------------------------------------

    def assertWritten(self, r, status, user, path, sent):
        """A 2xx write; an ETag only when what is stored is what was sent
        (and then it is the stored object's ETag)."""
        self.assertStatus(r, status)
        g = self.dav(user, "GET", path)
        self.assertStatus(g, 200, "GET after the write")
        same = g.body.replace(b"\r\n", b"\n") == sent.encode("utf-8").replace(b"\r\n", b"\n")
        etag = r.header("ETag")
        if etag is not None:
            self.assertTrue(same, "ETag %s given although the stored object differs from what was sent\n%s\n"
                            "--- stored ---\n%s" % (etag, r.describe(), g.text))
            self.assertEqual(etag, g.header("ETag"), "the ETag of the answer is not the stored one")
        return g

    def assertNoEtag(self, r):
        self.assertIsNone(r.header("ETag"), "an ETag although the server rewrote the object\n" + r.describe())

    def assertRefused(self, r, element, status=403, ns=SD):
        self.assertStatus(r, status)
        self.assertIsNone(r.header("ETag"), r.describe())
        errs = r.error_elements()
        want = "{%s}%s" % (ns, element)
        self.assertIn(want, errs, "DAV:error should name %s\n%s" % (want, r.describe()))
        msg = r.xml.find(sd("message"))
        self.assertIsNotNone(msg, "no s:message in the DAV:error\n" + r.describe())
        self.assertTrue((msg.text or "").strip(), "empty s:message\n" + r.describe())

    def assertLogged(self, bid, action, outcome, ua, actor=None):
        log = self.activity(bid)
        self.assertTrue(log, "empty activity log of booking %d" % bid)
        e = log[-1]
        self.assertEqual((e["action"], e["outcome"], e["channel"], e["user_agent"]),
                         (action, outcome, "caldav", ua), "last activity entry of booking %d: %s" % (bid, log))
        if actor:
            self.assertIn(actor, e["actor"], e)
        kind = QUEUED_BY.get((action, outcome))
        if kind:
            # The change queued its message in the same transaction.
            r = self.call("admin", "GET", "/bookings/%d/notifications" % bid)
            self.assertStatus(r, 200)
            queued = r.json["notifications"]
            self.assertTrue(queued, "nothing queued for booking %d" % bid)
            self.assertEqual((queued[-1]["kind"], queued[-1]["state"]), (kind, "queued"),
                             "last notification of booking %d after %s: %s" % (bid, action, queued))
        return e

    def assertClientData(self, ics, tag="t"):
        self.assertEqual(ics.get("CATEGORIES"), "Workshop,%s" % tag, ics.text())
        self.assertEqual(ics.get("X-APPLE-TRAVEL-ADVISORY-BEHAVIOR"), "AUTOMATIC", ics.text())
        self.assertEqual(ics.get("X-MOZ-GENERATION"), "3", ics.text())
        alarms = ics.components("VALARM")
        self.assertEqual(len(alarms), 1, "the client's VALARM\n" + ics.text())
        self.assertIn("TRIGGER:-PT15M", alarms[0])
        self.assertIn("DESCRIPTION:Reminder %s" % tag, alarms[0])

    def assertObject(self, ics, rec):
        """The booking-owned properties of an object are the record's."""
        self.assertEqual(ics.dt("DTSTART"), datetime.strptime(rec["start"], "%Y-%m-%dT%H:%M:%SZ")
                         .replace(tzinfo=timezone.utc), ics.text())
        self.assertEqual(ics.end(), datetime.strptime(rec["end"], "%Y-%m-%dT%H:%M:%SZ")
                         .replace(tzinfo=timezone.utc), ics.text())
        want = {"pending": "TENTATIVE", "cancelled": "CANCELLED"}.get(rec["status"], "CONFIRMED")
        self.assertEqual(ics.get("STATUS"), want, ics.text())
        self.assertEqual(int(ics.get("SEQUENCE") or 0), rec["sequence"], ics.text())
        self.assertEqual(ics.get("UID"), rec["uid"])

    # -- helpers for one booking -------------------------------------------------------

    def setup_booking(self, n, hh, mm=0, customer=None, decorated=True):
        """A booking at day n hh:mm; with decorated, sam's client has already
        stored its own data on it (alarm, categories, X-)."""
        b = self.book(at(n, hh, mm), customer=customer)
        path = staff_cal() + b["uid"] + ".ics"
        if decorated:
            g, ics = self.fetch("sam", path)
            sent = decorate(ics).text()
            r = self.dav("sam", "PUT", path, sent, {"If-Match": g.header("ETag")})
            self.assertWritten(r, (200, 204), "sam", path, sent)
            rec = self.record(b["id"])
            self.assertEqual((rec["start"], rec["status"], rec["sequence"]), (b["start"], "confirmed", b["sequence"]),
                             "client data alone changes nothing of the booking")
        return b, path

    # ==========================================================================
    # staff, Bookings calendar

    def test_staff_moves(self):
        n = 3
        b, path = self.setup_booking(n, 10)
        cpath = cust_cal() + b["uid"] + ".ics"
        g, ics = self.fetch("sam", path)
        tok, ctok = self.token("sam", staff_cal()), self.token("cara", cust_cal())
        ics.set("DTSTART", utc(at(n, 13))).set("DTEND", utc(at(n, 14)))
        sent = ics.text()
        r = self.dav("sam", "PUT", path, sent, {"If-Match": g.header("ETag")})
        self.assertStatus(r, 204)
        self.assertNoEtag(r)
        self.assertWritten(r, 204, "sam", path, sent)
        rec = self.record(b["id"])
        self.assertEqual((rec["start"], rec["end"], rec["status"]), (iso(at(n, 13)), iso(at(n, 14)), "confirmed"))
        self.assertEqual(rec["sequence"], b["sequence"] + 1)
        g2, got = self.fetch("sam", path)
        self.assertObject(got, rec)
        self.assertClientData(got)
        self.assertNotEqual(g2.header("ETag"), g.header("ETag"))
        self.assertEqual(self.delta("sam", staff_cal(), tok).get(path), g2.header("ETag"))
        cg, cics = self.fetch("cara", cpath)
        self.assertObject(cics, rec)
        self.assertEqual(self.delta("cara", cust_cal(), ctok).get(cpath), cg.header("ETag"),
                         "the customer's copy moved too")
        self.assertLogged(b["id"], "reschedule", "ok", UA_STAFF, "sam")
        # a later change made elsewhere keeps the client's own data
        r = self.call("admin", "POST", "/bookings/%d/reschedule" % b["id"], {"start": iso(at(n, 15))})
        self.assertStatus(r, 200)
        _, got = self.fetch("sam", path)
        self.assertObject(got, self.record(b["id"]))
        self.assertClientData(got)

    def test_staff_resizes(self):
        n = 4
        b, path = self.setup_booking(n, 10)
        g, ics = self.fetch("sam", path)
        tok = self.token("sam", staff_cal())
        ics.set("DTEND", utc(at(n, 11, 30)))
        sent = ics.text()
        r = self.dav("sam", "PUT", path, sent, {"If-Match": g.header("ETag")})
        self.assertStatus(r, 204)
        self.assertNoEtag(r)
        rec = self.record(b["id"])
        self.assertEqual((rec["start"], rec["end"], rec["status"]), (iso(at(n, 10)), iso(at(n, 11, 30)), "confirmed"))
        self.assertEqual(rec["sequence"], b["sequence"] + 1)
        g2, got = self.fetch("sam", path)
        self.assertObject(got, rec)
        self.assertClientData(got)
        self.assertEqual(self.delta("sam", staff_cal(), tok).get(path), g2.header("ETag"))
        self.assertLogged(b["id"], "reschedule", "ok", UA_STAFF)
        # the longer booking blocks its time: 11:15 (inside it) is not offered, 12:45 is (after the buffer)
        starts = self.slots(n, self.sam)
        self.assertNotIn(iso(at(n, 11, 15)), starts)
        self.assertIn(iso(at(n, 12, 45)), starts)

    def test_staff_moves_onto_another_booking(self):
        n = 5
        b, path = self.setup_booking(n, 10)
        other = self.book(at(n, 14), customer=self.dan)
        g, ics = self.fetch("sam", path)
        before = self.record(b["id"])
        tok = self.token("sam", staff_cal())
        ics.set("DTSTART", utc(at(n, 14, 30))).set("DTEND", utc(at(n, 15, 30)))
        r = self.dav("sam", "PUT", path, ics.text(), {"If-Match": g.header("ETag")})
        self.assertRefused(r, "slot-unavailable")
        g2 = self.dav("sam", "GET", path)
        self.assertEqual((g2.body, g2.header("ETag")), (g.body, g.header("ETag")), "the object is unchanged")
        after = self.record(b["id"])
        self.assertEqual(after, before, "the booking is unchanged")
        self.assertEqual(self.record(other["id"])["start"], other["start"])
        self.assertLogged(b["id"], "reschedule", "refused", UA_STAFF)
        self.assertIn("slot_unavailable", self.activity(b["id"])[-1]["detail"])
        # the client that saw the refusal syncs: the object comes back in the delta
        with self.subTest("after a refusal, the sync delta carries the object back"):
            self.assertIn(path, self.delta("sam", staff_cal(), tok),
                          "the refused object is not in the sync delta, so a client that shows the "
                          "refused move keeps showing it")
        # outside working hours is no refusal for staff (bypass by default), on a free time
        g, ics = self.fetch("sam", path)
        ics.set("DTSTART", utc(at(n, 19))).set("DTEND", utc(at(n, 20)))
        r = self.dav("sam", "PUT", path, ics.text(), {"If-Match": g.header("ETag")})
        self.assertStatus(r, 204)
        self.assertEqual(self.record(b["id"])["start"], iso(at(n, 19)))

    def test_stale_if_match(self):
        n = 6
        b, path = self.setup_booking(n, 10)
        g, ics = self.fetch("sam", path)
        ics.set("DTSTART", utc(at(n, 12))).set("DTEND", utc(at(n, 13)))
        r = self.dav("sam", "PUT", path, ics.text(), {"If-Match": '"0123456789abcdef"'})
        self.assertStatus(r, 412)
        self.assertEqual(self.record(b["id"])["start"], iso(at(n, 10)))
        # the booking changed through the API after the client read it
        r = self.call("sam", "POST", "/bookings/%d/reschedule" % b["id"], {"start": iso(at(n, 15))})
        self.assertStatus(r, 200)
        rec = self.record(b["id"])
        r = self.dav("sam", "PUT", path, ics.text(), {"If-Match": g.header("ETag")})
        self.assertStatus(r, 412)
        self.assertIsNone(r.header("ETag"))
        self.assertEqual(self.record(b["id"]), rec, "nothing changed")
        _, got = self.fetch("sam", path)
        self.assertObject(got, rec)
        r = self.dav("sam", "DELETE", path, None, {"If-Match": g.header("ETag")})
        self.assertStatus(r, 412)
        self.assertEqual(self.record(b["id"])["status"], "confirmed")

    def test_staff_deletes(self):
        n = 7
        b, path = self.setup_booking(n, 10)
        cpath = cust_cal() + b["uid"] + ".ics"
        g, _ = self.fetch("sam", path)
        tok, ctok = self.token("sam", staff_cal()), self.token("cara", cust_cal())
        r = self.dav("sam", "DELETE", path, None, {"If-Match": g.header("ETag")})
        self.assertStatus(r, 204)
        rec = self.record(b["id"])
        self.assertEqual((rec["status"], rec["cancel_reason"]), ("cancelled", "business"))
        self.assertEqual(rec["start"], b["start"], "the booking stays, with its time")
        self.assertStatus(self.dav("sam", "GET", path), 404)
        self.assertEqual(self.delta("sam", staff_cal(), tok).get(path), 404, "sync reports it deleted")
        self.assertNotIn(path, self.members("sam", staff_cal()))
        cg, cics = self.fetch("cara", cpath)
        self.assertObject(cics, rec)
        self.assertEqual(self.delta("cara", cust_cal(), ctok).get(cpath), cg.header("ETag"))
        self.assertLogged(b["id"], "cancel", "ok", UA_STAFF)
        # the slot is free again
        self.assertIn(iso(at(n, 10)), self.slots(n, self.sam))

    def test_admin_moves_booking_to_another_staff_member(self):
        """SPEC 4: an admin moves the event from sam's Bookings calendar into
        tia's: one reassignment of the same booking, checked against tia's
        availability; the client's data travels; no notification when the
        time did not change."""
        n = 40
        b, path = self.setup_booking(n, 10)
        dest = staff_cal("tia") + b["uid"] + ".ics"
        base = self.server.base_url
        queued = len(self.call("admin", "GET", "/bookings/%d/notifications" % b["id"]).json["notifications"])
        # Staff may not write into a colleague's calendar.
        r = self.dav("sam", "MOVE", path, None, {"Destination": base + dest})
        self.assertStatus(r, 403)
        self.assertStatus(self.dav("tia", "GET", path), 403)
        # An admin may see both Bookings calendars, and moves it.
        g, _ = self.fetch("admin", path)
        r = self.dav("admin", "MOVE", path, None, {"Destination": base + dest, "If-Match": g.header("ETag")})
        self.assertIn(r.status, (201, 204), r.describe())
        rec = self.record(b["id"])
        self.assertEqual((rec["staff_id"], rec["start"], rec["status"]), (self.tia, b["start"], "confirmed"))
        self.assertStatus(self.dav("sam", "GET", path), 404)
        _, ics = self.fetch("tia", dest)
        self.assertObject(ics, rec)
        self.assertClientData(ics)
        self.assertLogged(b["id"], "reassign", "ok", UA_STAFF, actor="admin")
        after = self.call("admin", "GET", "/bookings/%d/notifications" % b["id"]).json["notifications"]
        self.assertEqual(len(after), queued, "a new staff member at the same time is not news: %s" % after)
        # Back to sam, who has meanwhile been booked at that time: refused
        # with the rule, and nothing moves.
        other = self.book(at(n, 10), staff=self.sam)
        r = self.dav("admin", "MOVE", dest, None, {"Destination": base + path})
        self.assertRefused(r, "slot-unavailable")
        self.assertEqual(self.record(b["id"])["staff_id"], self.tia)
        self.assertStatus(self.dav("tia", "GET", dest), 200)
        self.assertEqual(self.record(other["id"])["staff_id"], self.sam)
        # A booking's event keeps its name when it changes calendars.
        r = self.dav("admin", "MOVE", dest, None,
                     {"Destination": base + staff_cal("sam") + "renamed.ics"})
        self.assertRefused(r, "forbidden")

    def test_admin_moves_by_delete_and_put(self):
        """Thunderbird moves an event between calendars by DELETE in one and
        PUT in the other (either order): within the settle time that is one
        reassignment, and the customer hears of nothing (the cancellation
        message of the DELETE is withdrawn)."""
        n = 41
        for order, hh in (("delete-first", 10), ("put-first", 13)):
            b, path = self.setup_booking(n, hh)
            dest = staff_cal("tia") + b["uid"] + ".ics"
            g, ics = self.fetch("admin", path)
            body = ics.text()
            steps = [("DELETE", path, None, {"If-Match": g.header("ETag")}),
                     ("PUT", dest, body, {"If-None-Match": "*"})]
            if order == "put-first":
                steps.reverse()
            for method, where, data, headers in steps:
                r = self.dav("admin", method, where, data, headers)
                self.assertIn(r.status, (201, 204, 404), "%s %s\n%s" % (order, method, r.describe()))
            rec = self.record(b["id"])
            self.assertEqual((rec["status"], rec["staff_id"], rec["start"]),
                             ("confirmed", self.tia, b["start"]), order)
            self.assertStatus(self.dav("sam", "GET", path), 404)
            _, moved = self.fetch("tia", dest)
            self.assertObject(moved, rec)
            queued = [q for q in self.call("admin", "GET", "/bookings/%d/notifications" % b["id"])
                      .json["notifications"] if q["state"] == "queued"]
            self.assertNotIn("cancelled", [q["kind"] for q in queued], "%s: %s" % (order, queued))
            self.assertEqual(self.activity(b["id"])[-1]["action"], "reassign", order)

    def test_colleague_moves_where_the_location_allows(self):
        """SPEC 4: staff of the same location may move a booking into a
        colleague's Bookings calendar where the location allows it
        (rule staff_may_reassign); otherwise the calendar is not theirs."""
        n = 42
        b, path = self.setup_booking(n, 10)
        dest = staff_cal("tia") + b["uid"] + ".ics"
        base = self.server.base_url
        self.assertStatus(self.dav("sam", "MOVE", path, None, {"Destination": base + dest}), 403)
        self.set_rules({"staff_may_reassign": True})
        r = self.dav("sam", "MOVE", path, None, {"Destination": base + dest})
        self.assertIn(r.status, (201, 204), r.describe())
        rec = self.record(b["id"])
        self.assertEqual(rec["staff_id"], self.tia)
        self.assertLogged(b["id"], "reassign", "ok", UA_STAFF, actor="sam")
        # tia's other calendars stay hers alone.
        self.assertStatus(self.dav("sam", "PROPFIND", "/dav/calendars/tia/default/", None, {"Depth": "0"}), 403)

    # -- through python3-caldav, the client library -------------------------------

    def caldav_calendar(self, user, url):
        client = caldav.DAVClient(url=self.server.base_url + "/", username=user,
                                  password="secret-" + user, timeout=30)
        self.addCleanup(client.close)
        return client.calendar(url=self.server.base_url + url)

    def test_python_caldav_rows(self):
        """SPEC 4 rows driven by python3-caldav: a staff move and a
        STATUS:CANCELLED through event.save(), a delete through
        event.delete(), a refused move raising an error with the booking and
        the object unchanged, and the customer declining in her calendar."""
        n = 43
        cal = self.caldav_calendar("sam", staff_cal())
        moved, cancelled, deleted, refused = (self.book(at(n, hh)) for hh in (9, 12, 14, 16))
        # move 09:00 -> 10:00 (the event keeps its other data)
        ev = cal.event_by_uid(moved["uid"])
        comp = ev.icalendar_component
        comp["DTSTART"].dt = comp["DTSTART"].dt + timedelta(hours=1)
        comp["DTEND"].dt = comp["DTEND"].dt + timedelta(hours=1)
        ev.save()
        self.assertEqual(self.record(moved["id"])["start"], iso(at(n, 10)))
        self.assertLogged(moved["id"], "reschedule", "ok", self.activity(moved["id"])[-1]["user_agent"])
        # STATUS:CANCELLED
        ev = cal.event_by_uid(cancelled["uid"])
        ev.icalendar_component["STATUS"] = "CANCELLED"
        ev.save()
        rec = self.record(cancelled["id"])
        self.assertEqual((rec["status"], rec["cancel_reason"]), ("cancelled", "business"))
        # delete
        cal.event_by_uid(deleted["uid"]).delete()
        self.assertEqual(self.record(deleted["id"])["status"], "cancelled")
        self.assertEqual(self.record(deleted["id"])["cancel_reason"], "business")
        # a move onto the 10:00 booking is refused: the library raises, nothing changes
        ev = cal.event_by_uid(refused["uid"])
        comp = ev.icalendar_component
        comp["DTSTART"].dt = comp["DTSTART"].dt - timedelta(hours=6)
        comp["DTEND"].dt = comp["DTEND"].dt - timedelta(hours=6)
        with self.assertRaises(caldav.lib.error.DAVError):
            ev.save()
        self.assertEqual(self.record(refused["id"])["start"], iso(at(n, 16)))
        self.assertEqual(cal.event_by_uid(refused["uid"]).icalendar_component["DTSTART"].dt
                         .astimezone(timezone.utc), at(n, 16).astimezone(timezone.utc))
        # the customer declines in her own calendar
        mine = self.caldav_calendar("cara", cust_cal())
        ev = mine.event_by_uid(moved["uid"])
        for att in ev.icalendar_component.get("ATTENDEE", []):
            if "cara@example.com" in str(att).lower():
                att.params["PARTSTAT"] = "DECLINED"
        ev.save()
        rec = self.record(moved["id"])
        self.assertEqual((rec["status"], rec["cancel_reason"]), ("cancelled", "customer"))

    def test_only_explicit_actions_change_bookings(self):
        """A client that stops mid-upload, times out, or only reads changes
        nothing: the booking and its object stay as they were."""
        n = 44
        b, path = self.setup_booking(n, 10)
        before = self.record(b["id"])
        g, ics = self.fetch("sam", path)
        body = ics.text().replace(iso(at(n, 10)).replace("-", "").replace(":", ""), "X").encode()
        # a PUT whose body never completes: the connection is dropped
        host, port = self.server.base_url.split("//")[1].split(":")
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(("PUT %s HTTP/1.1\r\nHost: %s:%s\r\nContent-Type: text/calendar\r\n"
                       "Authorization: %s\r\nContent-Length: %d\r\n\r\n"
                       % (path, host, port, self.server.client("sam", "secret-sam").auth_header(),
                          len(body) + 100)).encode() + body[: len(body) // 2])
        for _ in range(3):
            self.fetch("sam", path)
            self.dav("sam", "PROPFIND", staff_cal(), None, {"Depth": "1"})
        after = self.record(b["id"])
        self.assertEqual((after["version"], after["start"], after["status"]),
                         (before["version"], before["start"], before["status"]))
        self.assertEqual(self.fetch("sam", path)[0].header("ETag"), g.header("ETag"))

    def test_booking_calendars_stay_whole(self):
        """The Bookings and My appointments calendars hold bookings: clients
        (and the CLI) cannot delete, move or replace them; their events stay
        editable."""
        base = self.server.base_url
        for user, cal in (("sam", staff_cal()), ("cara", cust_cal())):
            r = self.dav(user, "DELETE", cal)
            self.assertStatus(r, 403)
            self.assertIn("holds bookings", r.text)
            r = self.dav(user, "MOVE", cal, None, {"Destination": base + cal.rstrip("/") + "-old/"})
            self.assertStatus(r, 403)
            self.assertStatus(self.dav(user, "PROPFIND", cal, None, {"Depth": "0"}), 207)
        p = self.server.cli("calendar", "delete", "sam", "bookings", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("bookings", p.stderr)

    def test_staff_cancels_with_reason(self):
        n = 8
        for hh, reason, text in ((9, "no_show", None), (11, None, None), (13, "other", "flooded")):
            b, path = self.setup_booking(n, hh)
            g, ics = self.fetch("sam", path)
            tok = self.token("sam", staff_cal())
            ics.set("STATUS", "CANCELLED")
            if reason:
                ics.set("X-SLOTDAV-CANCEL-REASON", reason)
            if text:
                ics.set("X-SLOTDAV-CANCEL-TEXT", text)
            r = self.dav("sam", "PUT", path, ics.text(), {"If-Match": g.header("ETag")})
            self.assertStatus(r, 204)
            self.assertNoEtag(r)
            rec = self.record(b["id"])
            self.assertEqual((rec["status"], rec["cancel_reason"]), ("cancelled", reason or "business"))
            if text:
                self.assertEqual(rec["cancel_text"], text)
            self.assertEqual(rec["sequence"], b["sequence"] + 1)
            g2, got = self.fetch("sam", path)
            self.assertObject(got, rec)
            self.assertClientData(got)
            self.assertEqual(self.delta("sam", staff_cal(), tok).get(path), g2.header("ETag"))
            self.assertLogged(b["id"], "cancel", "ok", UA_STAFF)

    def test_staff_edits_details_only(self):
        n = 9
        b, path = self.setup_booking(n, 10, decorated=False)
        g, ics = self.fetch("sam", path)
        tok = self.token("sam", staff_cal())
        decorate(ics)
        ics.set("SUMMARY", "Cara - check the brakes")
        ics.set("DESCRIPTION", "Bring the service book\\, please")
        # booking-owned properties the client has no say in
        ics.set("LOCATION", "Somewhere else")
        ics.set("STATUS", "TENTATIVE")
        ics.set("ORGANIZER", "mailto:sam@example.com", [("CN", "Sam")])
        ics.map_props("ATTENDEE", lambda p, v: ([(k, x) for k, x in p if k != "PARTSTAT"] + [("PARTSTAT", "TENTATIVE")], v)
                      if "sam@" in v.lower() else (p, v))
        ics.set("X-SLOTDAV-SERVICE-ID", "999")
        ics.remove("X-SLOTDAV-BOOKING-ID")
        r = self.dav("sam", "PUT", path, ics.text(), {"If-Match": g.header("ETag")})
        self.assertStatus(r, 204)
        self.assertNoEtag(r)
        rec = self.record(b["id"])
        self.assertEqual(rec["notes_public"], "Bring the service book, please")
        self.assertEqual((rec["start"], rec["end"], rec["status"], rec["service_id"]),
                         (b["start"], b["end"], "confirmed", self.svc))
        self.assertEqual(rec["sequence"], b["sequence"], "notes are no change of time or status")
        g2, got = self.fetch("sam", path)
        self.assertObject(got, rec)
        self.assertClientData(got)
        self.assertEqual(got.get("SUMMARY"), "Cara - check the brakes", "SUMMARY is the client's")
        self.assertEqual(got.get("DESCRIPTION"), "Bring the service book\\, please")
        self.assertEqual(got.get("LOCATION"), "Berlin Mitte", got.text())
        self.assertEqual(got.get("ORGANIZER").lower(), "mailto:mitte@example.com", got.text())
        self.assertEqual(got.get("X-SLOTDAV-SERVICE-ID"), str(self.svc), got.text())
        self.assertEqual(got.get("X-SLOTDAV-BOOKING-ID"), str(b["id"]), got.text())
        sam_att = got.attendee("sam@example.com")
        self.assertIsNotNone(sam_att, got.text())
        self.assertEqual(sam_att[0].get("PARTSTAT"), "ACCEPTED", got.text())
        self.assertIsNotNone(got.attendee("cara@example.com"), got.text())
        self.assertEqual(self.delta("sam", staff_cal(), tok).get(path), g2.header("ETag"))
        self.assertLogged(b["id"], "notes", "ok", UA_STAFF)
        # the customer sees the public notes, not the staff member's summary or alarm
        _, cics = self.fetch("cara", cust_cal() + b["uid"] + ".ics")
        self.assertEqual(cics.get("DESCRIPTION"), "Bring the service book\\, please")
        self.assertFalse(cics.components("VALARM"), "sam's alarm leaked into cara's copy\n" + cics.text())
        # a change of client data alone, sent back exactly as stored: kept as sent, so an ETag
        ics = Ics(g2.text)
        ics.set("CATEGORIES", "Workshop,t2")
        sent = ics.text()
        r = self.dav("sam", "PUT", path, sent, {"If-Match": g2.header("ETag")})
        self.assertWritten(r, 204, "sam", path, sent)
        _, got = self.fetch("sam", path)
        self.assertEqual(got.get("CATEGORIES"), "Workshop,t2")
        self.assertEqual(self.record(b["id"])["sequence"], rec["sequence"])

    def test_staff_changes_customer_or_uid(self):
        n = 10
        b, path = self.setup_booking(n, 10)
        g, ics = self.fetch("sam", path)
        before = self.record(b["id"])
        ics.map_props("ATTENDEE", lambda p, v: ([(k, x) for k, x in p if k != "CN"] + [("CN", "Dan Doe")],
                                                "mailto:dan@example.com") if "cara@" in v.lower() else (p, v))
        r = self.dav("sam", "PUT", path, ics.text(), {"If-Match": g.header("ETag")})
        self.assertRefused(r, "forbidden")
        self.assertEqual(self.record(b["id"]), before)
        self.assertEqual(self.dav("sam", "GET", path).body, g.body)
        self.assertLogged(b["id"], "details", "refused", UA_STAFF)
        # dropping the customer is changing it too
        ics = Ics(g.text)
        ics.remove("ATTENDEE")
        r = self.dav("sam", "PUT", path, ics.text(), {"If-Match": g.header("ETag")})
        self.assertRefused(r, "forbidden")
        # another UID at the booking's place
        ics = Ics(g.text)
        ics.set("UID", "someone-else-%s" % uuid.uuid4().hex)
        r = self.dav("sam", "PUT", path, ics.text(), {"If-Match": g.header("ETag")})
        self.assertRefused(r, "no-uid-conflict", ns=CALDAV_NS)
        self.assertEqual(self.record(b["id"]), before)
        self.assertEqual(self.dav("sam", "GET", path).body, g.body)
        # the booking's UID under another name in the same calendar
        r = self.dav("sam", "PUT", staff_cal() + "copy-%s.ics" % uuid.uuid4().hex, g.text,
                     {"If-None-Match": "*"})
        self.assertRefused(r, "no-uid-conflict", ns=CALDAV_NS)
        self.assertEqual(self.record(b["id"]), before)

    def test_staff_creates_booking(self):
        n = 11
        uid = "tb-%s@thunderbird.example" % uuid.uuid4().hex
        path = staff_cal() + uid + ".ics"
        ctok = self.token("cara", cust_cal())
        ics = Ics(harness.ics_event(uid, "Cara: inspection", utc(at(n, 10)), utc(at(n, 11)), extra=[
            "ORGANIZER;CN=Sam:mailto:sam@example.com",
            "ATTENDEE;CN=Sam;PARTSTAT=ACCEPTED:mailto:sam@example.com",
            "ATTENDEE;CN=Cara;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:Cara@Example.com",
            "DESCRIPTION:first visit"]))
        decorate(ics)
        sent = ics.text()
        r = self.dav("sam", "PUT", path, sent, {"If-None-Match": "*"})
        self.assertWritten(r, 201, "sam", path, sent)
        self.assertNoEtag(r)
        lst = self.call("admin", "GET", "/bookings?customer_id=%d&from=%s&to=%s" % (self.cara, day(n), day(n)))
        self.assertStatus(lst, 200)
        mine = [x for x in lst.json["bookings"] if x["uid"] == uid]
        self.assertEqual(len(mine), 1, "one booking with the client's UID: %s" % lst.json)
        rec = mine[0]
        self.assertEqual((rec["status"], rec["staff_id"], rec["service_id"], rec["start"], rec["end"],
                          rec["created_channel"], rec["notes_public"]),
                         ("confirmed", self.sam, self.svc, iso(at(n, 10)), iso(at(n, 11)), "caldav", "first visit"))
        _, got = self.fetch("sam", path)
        self.assertObject(got, rec)
        self.assertClientData(got)
        self.assertEqual(got.get("X-SLOTDAV-BOOKING-ID"), str(rec["id"]))
        cpath = cust_cal() + uid + ".ics"
        _, cics = self.fetch("cara", cpath)
        self.assertObject(cics, rec)
        self.assertIn(cpath, self.delta("cara", cust_cal(), ctok))
        self.assertLogged(rec["id"], "create", "ok", UA_STAFF, "sam")
        # a new event with a customer on a taken slot: refused
        uid2 = "tb-%s@thunderbird.example" % uuid.uuid4().hex
        r = self.dav("sam", "PUT", staff_cal() + uid2 + ".ics",
                     harness.ics_event(uid2, "Dan", utc(at(n, 10, 30)), utc(at(n, 11, 30)),
                                       extra=["ATTENDEE;CN=Dan:mailto:dan@example.com"]),
                     {"If-None-Match": "*"})
        self.assertRefused(r, "slot-unavailable")
        self.assertStatus(self.dav("sam", "GET", staff_cal() + uid2 + ".ics"), 404)

    def test_staff_blocks_time(self):
        n = 12
        before = self.slots(n, self.sam)
        self.assertIn(iso(at(n, 10)), before)
        uid = "block-%s" % uuid.uuid4().hex
        path = staff_cal() + uid + ".ics"
        sent = harness.ics_event(uid, "Dentist", utc(at(n, 10)), utc(at(n, 11)))
        r = self.dav("sam", "PUT", path, sent, {"If-None-Match": "*"})
        self.assertWritten(r, 201, "sam", path, sent)
        lst = self.call("admin", "GET", "/bookings?staff_id=%d&from=%s&to=%s" % (self.sam, day(n), day(n)))
        self.assertEqual(lst.json["bookings"], [], "blocked time is no booking")
        after = self.slots(n, self.sam)
        for hh, mm in ((9, 15), (10, 0), (10, 30), (10, 45)):
            self.assertNotIn(iso(at(n, hh, mm)), after, "slot %02d:%02d overlaps the blocked hour" % (hh, mm))
        self.assertIn(iso(at(n, 12)), after)
        self.assertIn(iso(at(n, 10)), self.slots(n, self.tia), "tia is not blocked")
        r = self.call("admin", "POST", "/bookings", {"service_id": self.svc, "customer_id": self.dan,
                                                     "staff_id": self.sam, "start": iso(at(n, 10))})
        self.assertStatus(r, 409)
        self.assertEqual(r.json["error"]["code"], "slot_unavailable")
        # and a blocked time in the Bookings calendar is plain CalDAV: deleting it frees the slot
        self.assertStatus(self.dav("sam", "DELETE", path), 204)
        self.assertIn(iso(at(n, 10)), self.slots(n, self.sam))

    def test_staff_adds_recurrence_or_second_event(self):
        n = 13
        b, path = self.setup_booking(n, 10)
        g, ics = self.fetch("sam", path)
        before = self.record(b["id"])
        rr = Ics(g.text)
        rr.set("RRULE", "FREQ=DAILY;COUNT=3")
        r = self.dav("sam", "PUT", path, rr.text(), {"If-Match": g.header("ETag")})
        self.assertRefused(r, "invalid")
        self.assertLogged(b["id"], "details", "refused", UA_STAFF)
        two = Ics(g.text)
        ev = [l for l in two.lines[two._event()[0]:two._event()[1] + 1]
              if not l.upper().startswith(("DTSTART", "DTEND", "SEQUENCE"))]
        ev[1:1] = ["RECURRENCE-ID:" + utc(at(n, 10)), "DTSTART:" + utc(at(n, 12)), "DTEND:" + utc(at(n, 13))]
        e = two._event()[1]
        two.lines[e + 1:e + 1] = ev
        r = self.dav("sam", "PUT", path, two.text(), {"If-Match": g.header("ETag")})
        self.assertStatus(r, 403)
        self.assertTrue(r.error_elements(), r.describe())
        self.assertEqual(self.record(b["id"]), before)
        self.assertEqual(self.dav("sam", "GET", path).body, g.body)

    def test_staff_move_refused_by_rules(self):
        n = 31
        b, path = self.setup_booking(n, 10)
        before = self.record(b["id"])
        for start, element in ((at(n, 10, 10), "off-slot-grid"), (at(-1, 10), "in-the-past"),
                               (at(200, 10), "beyond-horizon")):
            g, ics = self.fetch("sam", path)
            ics.set("DTSTART", utc(start)).set("DTEND", utc(start + timedelta(hours=1)))
            r = self.dav("sam", "PUT", path, ics.text(), {"If-Match": g.header("ETag")})
            self.assertRefused(r, element)
            self.assertEqual(self.record(b["id"]), before)
            self.assertLogged(b["id"], "reschedule", "refused", UA_STAFF)
        # Apple turns an event into an all-day one: a booking has a time of day
        g, ics = self.fetch("sam", path)
        ics.set("DTSTART", day(n).strftime("%Y%m%d"), [("VALUE", "DATE")])
        ics.set("DTEND", day(n + 1).strftime("%Y%m%d"), [("VALUE", "DATE")])
        r = self.dav("sam", "PUT", path, ics.text(), {"If-Match": g.header("ETag")})
        self.assertRefused(r, "invalid")
        self.assertEqual(self.record(b["id"]), before)

    def test_staff_uncancels_in_client(self):
        """A cancelled booking set back to CONFIRMED in a client is a restore
        (admins only): refused, not silently turned back."""
        n = 32
        b, path = self.setup_booking(n, 10)
        r = self.call("sam", "POST", "/bookings/%d/cancel" % b["id"], {"reason": "business"})
        self.assertStatus(r, 200)
        rec = self.record(b["id"])
        g, ics = self.fetch("sam", path)
        self.assertEqual(ics.get("STATUS"), "CANCELLED")
        ics.set("STATUS", "CONFIRMED")
        r = self.dav("sam", "PUT", path, ics.text(), {"If-Match": g.header("ETag")})
        self.assertStatus(r, 403, "a staff member cannot restore a booking from a calendar client")
        self.assertTrue(r.error_elements(), r.describe())
        self.assertEqual(self.record(b["id"]), rec)
        # moving the cancelled booking is refused too
        g, ics = self.fetch("sam", path)
        ics.set("DTSTART", utc(at(n, 12))).set("DTEND", utc(at(n, 13)))
        r = self.dav("sam", "PUT", path, ics.text(), {"If-Match": g.header("ETag")})
        self.assertRefused(r, "invalid-transition")
        self.assertEqual(self.record(b["id"]), rec)

    # ==========================================================================
    # customer, My appointments

    def cara_edit(self, b, fn):
        cpath = cust_cal() + b["uid"] + ".ics"
        g, ics = self.fetch("cara", cpath)
        fn(ics)
        sent = ics.text()
        return cpath, g, sent, self.dav("cara", "PUT", cpath, sent, {"If-Match": g.header("ETag")})

    def test_customer_moves(self):
        n = 14
        b, path = self.setup_booking(n, 10)
        tok = self.token("sam", staff_cal())
        cpath, g, sent, r = self.cara_edit(b, lambda i: i.set("DTSTART", local(at(n, 12)), [("TZID", "Europe/Berlin")])
                                           .set("DTEND", local(at(n, 13)), [("TZID", "Europe/Berlin")])
                                           .add_vtimezone())
        self.assertStatus(r, 204)
        self.assertNoEtag(r)
        rec = self.record(b["id"])
        self.assertEqual((rec["start"], rec["end"], rec["status"]), (iso(at(n, 12)), iso(at(n, 13)), "confirmed"))
        self.assertEqual(rec["sequence"], b["sequence"] + 1)
        _, cics = self.fetch("cara", cpath)
        self.assertObject(cics, rec)
        g2, got = self.fetch("sam", path)
        self.assertObject(got, rec)
        self.assertClientData(got)
        self.assertEqual(self.delta("sam", staff_cal(), tok).get(path), g2.header("ETag"))
        self.assertLogged(b["id"], "reschedule", "ok", UA_CUSTOMER)
        # customers have no bypass: another booking's slot, or outside working hours, is refused
        self.book(at(n, 15), customer=self.dan)
        for start, element in ((at(n, 15, 30), "slot-unavailable"), (at(n, 17, 30), "outside-working-hours")):
            before = self.record(b["id"])
            cpath, g, sent, r = self.cara_edit(b, lambda i: i.set("DTSTART", utc(start))
                                               .set("DTEND", utc(start + timedelta(hours=1))))
            self.assertRefused(r, element)
            self.assertEqual(self.record(b["id"]), before)
            self.assertEqual(self.dav("cara", "GET", cpath).body, g.body)
            self.assertLogged(b["id"], "reschedule", "refused", UA_CUSTOMER)

    def test_customer_reschedule_needs_approval(self):
        n = 15
        self.set_rules({"reschedule_needs_approval": True})
        b, path = self.setup_booking(n, 10)
        rpath = staff_cal() + b["uid"] + "-request.ics"
        tok = self.token("sam", staff_cal())
        cpath, g, sent, r = self.cara_edit(b, lambda i: i.set("DTSTART", utc(at(n, 12))).set("DTEND", utc(at(n, 13))))
        self.assertStatus(r, 204)
        self.assertNoEtag(r)
        rec = self.record(b["id"])
        self.assertEqual((rec["start"], rec["status"]), (iso(at(n, 10)), "confirmed"), "the booking keeps its slot")
        self.assertLogged(b["id"], "reschedule_request", "pending", UA_CUSTOMER)
        _, cics = self.fetch("cara", cpath)
        self.assertEqual((cics.dt("DTSTART"), cics.get("STATUS")), (at(n, 12), "TENTATIVE"),
                         "the customer's copy shows the request\n" + cics.text())
        _, got = self.fetch("sam", path)
        self.assertObject(got, rec)
        self.assertClientData(got)
        rg, req = self.fetch("sam", rpath)
        self.assertEqual((req.dt("DTSTART"), req.end(), req.get("STATUS"), req.get("UID")),
                         (at(n, 12), at(n, 13), "TENTATIVE", b["uid"] + "-request"), req.text())
        self.assertIn(rpath, self.delta("sam", staff_cal(), tok))
        # cara's client stores an alarm on her (tentative) copy: client data, not a second request
        with self.subTest("an alarm on the customer's pending copy"):
            cpath, g, sent, r = self.cara_edit(b, lambda i: decorate(i, "cara"))
            self.assertStatus(r, (200, 204))
            self.assertEqual(self.record(b["id"]), rec)
            _, cics = self.fetch("cara", cpath)
            self.assertClientData(cics, "cara")
            self.assertEqual((cics.dt("DTSTART"), cics.get("STATUS")), (at(n, 12), "TENTATIVE"))
        # a second move while the request waits: refused
        cpath, g, sent, r = self.cara_edit(b, lambda i: i.set("DTSTART", utc(at(n, 14))).set("DTEND", utc(at(n, 15))))
        self.assertRefused(r, "request-pending")
        # sam drags the request event (a counter-proposal is not a thing): not silently ignored
        with self.subTest("sam drags the request event"):
            rg, req = self.fetch("sam", rpath)
            moved = Ics(rg.text)
            moved.set("DTSTART", utc(at(n, 16))).set("DTEND", utc(at(n, 17)))
            r = self.dav("sam", "PUT", rpath, moved.text(), {"If-Match": rg.header("ETag")})
            self.assertStatus(r, 403, "a moved request event is refused, not dropped")
            self.assertEqual(self.record(b["id"]), rec)
        rg, req = self.fetch("sam", rpath)
        self.assertEqual(req.dt("DTSTART"), at(n, 12))
        # sam confirms the request event: approved, moved
        tok = self.token("sam", staff_cal())
        req.set("STATUS", "CONFIRMED")
        r = self.dav("sam", "PUT", rpath, req.text(), {"If-Match": rg.header("ETag")})
        self.assertStatus(r, (201, 204))
        self.assertNoEtag(r)
        rec = self.record(b["id"])
        self.assertEqual((rec["start"], rec["end"], rec["status"]), (iso(at(n, 12)), iso(at(n, 13)), "confirmed"))
        self.assertEqual(rec["sequence"], b["sequence"] + 1)
        self.assertLogged(b["id"], "approve_request", "ok", UA_STAFF)
        self.assertStatus(self.dav("sam", "GET", rpath), 404, "the request event is gone")
        g2, got = self.fetch("sam", path)
        self.assertObject(got, rec)
        self.assertClientData(got)
        dl = self.delta("sam", staff_cal(), tok)
        self.assertEqual(dl.get(rpath), 404, dl)
        self.assertEqual(dl.get(path), g2.header("ETag"), dl)
        _, cics = self.fetch("cara", cpath)
        self.assertObject(cics, rec)
        # another request, declined by deleting the request event
        cpath, g, sent, r = self.cara_edit(b, lambda i: i.set("DTSTART", utc(at(n, 15))).set("DTEND", utc(at(n, 16))))
        self.assertStatus(r, 204)
        self.assertLogged(b["id"], "reschedule_request", "pending", UA_CUSTOMER)
        rg, req = self.fetch("sam", rpath)
        self.assertEqual(req.dt("DTSTART"), at(n, 15))
        tok = self.token("sam", staff_cal())
        r = self.dav("sam", "DELETE", rpath, None, {"If-Match": rg.header("ETag")})
        self.assertStatus(r, 204)
        self.assertEqual(self.record(b["id"]), rec, "declined: the booking keeps its slot")
        self.assertLogged(b["id"], "decline_request", "ok", UA_STAFF)
        self.assertStatus(self.dav("sam", "GET", rpath), 404)
        self.assertEqual(self.delta("sam", staff_cal(), tok).get(rpath), 404)
        _, cics = self.fetch("cara", cpath)
        self.assertObject(cics, rec)
        self.assertEqual(cics.get("STATUS"), "CONFIRMED")

    def test_customer_within_reschedule_notice(self):
        n = 16
        self.set_rules({"reschedule_notice_hours": 24 * (n + 2)})
        b, path = self.setup_booking(n, 10)
        before = self.record(b["id"])
        cpath, g, sent, r = self.cara_edit(b, lambda i: i.set("DTSTART", utc(at(n, 12))).set("DTEND", utc(at(n, 13))))
        self.assertRefused(r, "reschedule-notice")
        self.assertEqual(self.record(b["id"]), before)
        self.assertEqual(self.dav("cara", "GET", cpath).body, g.body)
        self.assertLogged(b["id"], "reschedule", "refused", UA_CUSTOMER)
        # staff are not bound by the customers' notice
        g, ics = self.fetch("sam", path)
        ics.set("DTSTART", utc(at(n, 12))).set("DTEND", utc(at(n, 13)))
        self.assertStatus(self.dav("sam", "PUT", path, ics.text(), {"If-Match": g.header("ETag")}), 204)

    def test_customer_may_not_reschedule(self):
        n = 17
        self.set_rules({"customer_may_reschedule": False})
        b, path = self.setup_booking(n, 10)
        before = self.record(b["id"])
        cpath, g, sent, r = self.cara_edit(b, lambda i: i.set("DTSTART", utc(at(n, 12))).set("DTEND", utc(at(n, 13))))
        self.assertRefused(r, "not-permitted")
        self.assertEqual(self.record(b["id"]), before)
        self.assertEqual(self.dav("cara", "GET", cpath).body, g.body)
        self.assertLogged(b["id"], "reschedule", "refused", UA_CUSTOMER)
        # her own data, with the time untouched, is still hers to change
        cpath, g, sent, r = self.cara_edit(b, lambda i: decorate(i, "cara"))
        self.assertWritten(r, (200, 204), "cara", cpath, sent)
        _, cics = self.fetch("cara", cpath)
        self.assertClientData(cics, "cara")
        self.assertEqual(self.record(b["id"])["start"], before["start"])

    def test_customer_declines_or_cancels(self):
        n = 18
        for hh, how in ((9, "decline"), (12, "status")):
            b, path = self.setup_booking(n, hh)
            tok = self.token("sam", staff_cal())
            if how == "decline":
                edit = lambda i: i.map_props("ATTENDEE", lambda p, v: (
                    [(k, x) for k, x in p if k != "PARTSTAT"] + [("PARTSTAT", "DECLINED")], v)
                    if "cara@" in v.lower() else (p, v))
            else:
                edit = lambda i: i.set("STATUS", "CANCELLED")
            cpath, g, sent, r = self.cara_edit(b, edit)
            self.assertStatus(r, 204)
            rec = self.record(b["id"])
            self.assertEqual((rec["status"], rec["cancel_reason"]), ("cancelled", "customer"), how)
            self.assertEqual(rec["sequence"], b["sequence"] + 1)
            _, cics = self.fetch("cara", cpath)
            self.assertEqual(cics.get("STATUS"), "CANCELLED", cics.text())
            g2, got = self.fetch("sam", path)
            self.assertObject(got, rec)
            self.assertClientData(got)
            self.assertEqual(self.delta("sam", staff_cal(), tok).get(path), g2.header("ETag"))
            self.assertLogged(b["id"], "cancel", "ok", UA_CUSTOMER)

    def test_customer_deletes(self):
        n = 19
        b, path = self.setup_booking(n, 10)
        cpath = cust_cal() + b["uid"] + ".ics"
        g, _ = self.fetch("cara", cpath)
        tok, ctok = self.token("sam", staff_cal()), self.token("cara", cust_cal())
        r = self.dav("cara", "DELETE", cpath, None, {"If-Match": g.header("ETag")})
        self.assertStatus(r, 204)
        rec = self.record(b["id"])
        self.assertEqual((rec["status"], rec["cancel_reason"]), ("cancelled", "customer"))
        self.assertStatus(self.dav("cara", "GET", cpath), 404)
        self.assertEqual(self.delta("cara", cust_cal(), ctok).get(cpath), 404)
        g2, got = self.fetch("sam", path)
        self.assertObject(got, rec)
        self.assertEqual(self.delta("sam", staff_cal(), tok).get(path), g2.header("ETag"))
        self.assertLogged(b["id"], "cancel", "ok", UA_CUSTOMER)

    def test_customer_cannot_cancel_within_notice(self):
        n = 20
        self.set_rules({"cancel_notice_hours": 24 * (n + 2)})
        b, path = self.setup_booking(n, 10)
        cpath = cust_cal() + b["uid"] + ".ics"
        g, _ = self.fetch("cara", cpath)
        before = self.record(b["id"])
        r = self.dav("cara", "DELETE", cpath, None, {"If-Match": g.header("ETag")})
        self.assertRefused(r, "cancellation-notice")
        self.assertEqual(self.record(b["id"]), before)
        self.assertEqual(self.dav("cara", "GET", cpath).body, g.body, "the copy stays")
        self.assertLogged(b["id"], "cancel", "refused", UA_CUSTOMER)

    # ==========================================================================
    # real clients

    def server_get(self, user):
        return lambda href: self.dav(user, "GET", href)

    def assertConverged(self, view, user, cal, what):
        delta = view.sync()
        bad = view.diverging(self.server_get(user), self.members(user, cal))
        if bad:
            self.fail("%s, %s: after %s the client's view differs from the server's:\n%s\n"
                      "--- last requests ---\n%s" % (view.profile.name, user, what,
                                                    "\n".join("%s: %s" % x for x in bad), view.transcript()))
        return delta

    def replay(self, profile, n):
        """One client's day: sam adds an alarm, drags, is refused a drag,
        cancels and deletes; cara declines. After each, the client re-syncs."""
        staff = ClientView(self.server.client("sam", "secret-sam"), staff_cal(), profile)
        cust = ClientView(self.server.client("cara", "secret-cara"), cust_cal(), profile)
        staff.sync()
        cust.sync()
        a = self.book(at(n, 9))
        bb = self.book(at(n, 11), customer=self.dan)
        cc = self.book(at(n, 13), customer=self.dan)
        dd = self.book(at(n, 15), customer=self.dan)
        ee = self.book(at(n, 8), staff=self.tia)
        self.assertConverged(staff, "sam", staff_cal(), "the bookings were made")
        self.assertConverged(cust, "cara", cust_cal(), "the bookings were made")
        href = lambda b: norm_href(staff_cal() + b["uid"] + ".ics")
        chref = lambda b: norm_href(cust_cal() + b["uid"] + ".ics")
        ua = profile.user_agent

        # a reminder: client data only
        r = staff.put(href(a), profile.add_alarm(staff.data(href(a))))
        self.assertStatus(r, (200, 204), profile.name)
        self.assertEqual(self.record(a["id"])["sequence"], a["sequence"])
        self.assertConverged(staff, "sam", staff_cal(), "adding an alarm")
        alarms = Ics(staff.data(href(a))).components("VALARM")
        self.assertEqual(len(alarms), 1, staff.data(href(a)))

        # drag a: 09:00 -> 16:30
        sent = profile.drag(staff.data(href(a)), at(n, 16, 30), at(n, 17, 30))
        r = staff.put(href(a), sent)
        self.assertStatus(r, 204, profile.name)
        self.assertNoEtag(r)
        rec = self.record(a["id"])
        self.assertEqual((rec["start"], rec["end"], rec["sequence"]),
                         (iso(at(n, 16, 30)), iso(at(n, 17, 30)), a["sequence"] + 1), profile.name)
        self.assertLogged(a["id"], "reschedule", "ok", ua)
        delta = self.assertConverged(staff, "sam", staff_cal(), "a drag")
        self.assertIn(href(a), delta)
        mine = Ics(staff.data(href(a)))
        self.assertObject(mine, rec)
        self.assertEqual(mine.components("VALARM"), alarms, "the alarm survived the move")
        for prop in profile.kept:
            self.assertEqual(mine.get(prop), Ics(sent).get(prop), "%s: %s survived the move\n%s"
                             % (profile.name, prop, mine.text()))
        self.assertConverged(cust, "cara", cust_cal(), "sam's drag")
        self.assertObject(Ics(cust.data(chref(a))), rec)

        # drag b onto c: refused; the client's next sync brings b back
        before = self.record(bb["id"])
        r = staff.put(href(bb), profile.drag(staff.data(href(bb)), at(n, 13, 15), at(n, 14, 15)))
        self.assertRefused(r, "slot-unavailable")
        self.assertEqual(self.record(bb["id"]), before)
        self.assertLogged(bb["id"], "reschedule", "refused", ua)
        with self.subTest(profile=profile.name, step="refused drag: the object comes back in the delta"):
            delta = staff.sync()
            self.assertIn(href(bb), delta, "%s: after the refusal the sync delta does not carry %s back, so "
                          "the client keeps showing the refused move" % (profile.name, href(bb)))
        with self.subTest(profile=profile.name, step="refused drag: the client converges"):
            self.assertConverged(staff, "sam", staff_cal(), "a refused drag")
            self.assertObject(Ics(staff.data(href(bb))), before)
        staff.refetch(href(bb))  # the user reverts, so the next steps start from the truth

        # cancel c
        r = staff.put(href(cc), profile.cancel(staff.data(href(cc))))
        self.assertStatus(r, 204, profile.name)
        rec = self.record(cc["id"])
        self.assertEqual((rec["status"], rec["cancel_reason"]), ("cancelled", "business"))
        self.assertLogged(cc["id"], "cancel", "ok", ua)
        self.assertConverged(staff, "sam", staff_cal(), "a cancel")
        self.assertEqual(Ics(staff.data(href(cc))).get("STATUS"), "CANCELLED")

        # delete d
        r = staff.delete(href(dd))
        self.assertStatus(r, 204, profile.name)
        rec = self.record(dd["id"])
        self.assertEqual((rec["status"], rec["cancel_reason"]), ("cancelled", "business"))
        self.assertLogged(dd["id"], "cancel", "ok", ua)
        delta = self.assertConverged(staff, "sam", staff_cal(), "a delete")
        self.assertEqual(delta.get(href(dd)), 404)
        self.assertIsNone(staff.data(href(dd)))

        # cara declines e (tia's)
        r = cust.put(chref(ee), profile.decline(cust.data(chref(ee)), "cara@example.com"))
        self.assertStatus(r, 204, profile.name)
        rec = self.record(ee["id"])
        self.assertEqual((rec["status"], rec["cancel_reason"]), ("cancelled", "customer"))
        self.assertLogged(ee["id"], "cancel", "ok", ua)
        self.assertConverged(cust, "cara", cust_cal(), "a decline")
        self.assertEqual(Ics(cust.data(chref(ee))).get("STATUS"), "CANCELLED")

    def test_replay_thunderbird(self):
        self.replay(THUNDERBIRD, 21)

    def test_replay_apple_macos(self):
        self.replay(APPLE_MACOS, 22)

    def test_replay_apple_ios(self):
        self.replay(APPLE_IOS, 23)

    def test_replay_davx5(self):
        self.replay(DAVX5, 24)

    def test_replay_davx5_duration_resize(self):
        """DAVx5 sends DURATION, no DTEND: a longer DURATION is a resize."""
        n = 25
        view = ClientView(self.server.client("sam", "secret-sam"), staff_cal(), DAVX5)
        b = self.book(at(n, 10))
        view.sync()
        href = norm_href(staff_cal() + b["uid"] + ".ics")
        text = DAVX5.drag(view.data(href), at(n, 10), at(n, 11, 45))
        self.assertIn("DURATION:PT1H45M", text)
        self.assertNotIn("DTEND", text)
        r = view.put(href, text)
        self.assertStatus(r, 204)
        rec = self.record(b["id"])
        self.assertEqual((rec["start"], rec["end"]), (iso(at(n, 10)), iso(at(n, 11, 45))))
        self.assertConverged(view, "sam", staff_cal(), "a DURATION resize")
        self.assertObject(Ics(view.data(href)), rec)

    def test_replay_thunderbird_new_booking_and_stale_device(self):
        """Thunderbird creates a booking for cara; a second Thunderbird that
        has not synced yet drags it with its old ETag: 412, then it syncs."""
        n = 26
        one = ClientView(self.server.client("sam", "secret-sam"), staff_cal(), THUNDERBIRD)
        two = ClientView(self.server.client("sam", "secret-sam"), staff_cal(), THUNDERBIRD)
        one.sync()
        uid = str(uuid.uuid4())
        href = norm_href(staff_cal() + uid + ".ics")
        text = harness.ics_event(uid, "Cara", utc(at(n, 10)), utc(at(n, 11)), extra=[
            "ORGANIZER;CN=Sam:mailto:sam@example.com",
            "ATTENDEE;RSVP=TRUE;CN=Cara;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT:mailto:cara@example.com",
            "X-MOZ-GENERATION:1"])
        r = one.create(href, text)
        self.assertStatus(r, 201)
        self.assertNoEtag(r)
        self.assertConverged(one, "sam", staff_cal(), "creating a booking")
        two.sync()
        r = one.put(href, THUNDERBIRD.drag(one.data(href), at(n, 12), at(n, 13)))
        self.assertStatus(r, 204)
        r = two.put(href, THUNDERBIRD.drag(two.data(href), at(n, 14), at(n, 15)))
        self.assertStatus(r, 412)
        self.assertConverged(two, "sam", staff_cal(), "a 412")
        self.assertEqual(Ics(two.data(href)).dt("DTSTART"), at(n, 12))

    # ==========================================================================
    # races

    def test_race_caldav_moves_and_api_creations(self):
        n, m1, m2 = 27, 28, 29
        target = at(n, 12)
        movers = [self.book(at(m1, 8) + timedelta(minutes=75 * i)) for i in range(8)] + \
                 [self.book(at(m2, 8) + timedelta(minutes=75 * i)) for i in range(2)]
        prepared = []
        for b in movers:
            path = staff_cal() + b["uid"] + ".ics"
            g, ics = self.fetch("sam", path)
            ics.set("DTSTART", utc(target)).set("DTEND", utc(target + timedelta(hours=1)))
            prepared.append((b, path, g.header("ETag"), ics.text()))
        barrier = threading.Barrier(20)
        results = [None] * 20

        def mover(i):
            b, path, etag, text = prepared[i]
            barrier.wait()
            results[i] = self.dav("sam", "PUT", path, text, {"If-Match": etag})

        def creator(i):
            barrier.wait()
            results[10 + i] = self.call("sam", "POST", "/bookings", {
                "service_id": self.svc, "customer_id": self.dan, "staff_id": self.sam, "start": iso(target)})

        threads = [threading.Thread(target=mover, args=(i,)) for i in range(10)] + \
                  [threading.Thread(target=creator, args=(i,)) for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertTrue(all(results), "a request did not finish")
        wins = [r for r in results if r.status in (201, 204)]
        self.assertEqual(len(wins), 1, "exactly one writer gets the slot: %s"
                         % sorted((r.method, r.status) for r in results))
        for r in results[:10]:
            if r.status != 204:
                self.assertRefused(r, "slot-unavailable")
        for r in results[10:]:
            if r.status != 201:
                self.assertStatus(r, 409)
                self.assertEqual(r.json["error"]["code"], "slot_unavailable", r.describe())
        lst = self.call("admin", "GET", "/bookings?staff_id=%d&from=%s&to=%s&status=pending,confirmed"
                        % (self.sam, iso(target - timedelta(minutes=75)), iso(target + timedelta(hours=1))))
        self.assertStatus(lst, 200)
        self.assertEqual(len(lst.json["bookings"]), 1, "no double booking: %s" % lst.json["bookings"])
        # the losers' bookings stayed where they were
        for i, (b, path, etag, text) in enumerate(prepared):
            if results[i].status != 204:
                self.assertEqual(self.record(b["id"])["start"], b["start"])

    def test_race_same_if_match(self):
        n = 30
        b, path = self.setup_booking(n, 10)
        g, ics = self.fetch("sam", path)
        texts = []
        for hh in (12, 14):
            x = Ics(g.text)
            x.set("DTSTART", utc(at(n, hh))).set("DTEND", utc(at(n, hh + 1)))
            texts.append(x.text())
        barrier = threading.Barrier(2)
        results = [None, None]

        def one(i):
            barrier.wait()
            results[i] = self.dav("sam", "PUT", path, texts[i], {"If-Match": g.header("ETag")})

        threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(sorted(r.status for r in results), [204, 412],
                         "\n\n".join(r.describe() for r in results))
        won = 12 if results[0].status == 204 else 14
        rec = self.record(b["id"])
        self.assertEqual((rec["start"], rec["sequence"]), (iso(at(n, won)), b["sequence"] + 1))
        _, got = self.fetch("sam", path)
        self.assertObject(got, rec)


if __name__ == "__main__":
    harness.main()
