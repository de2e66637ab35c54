#!/usr/bin/python3
"""test_notify.py - email delivery of the notification queue against a real
SMTP server (aiosmtpd on 127.0.0.1, started by the test), read back with
Python's email package and python3-icalendar.

Covers: an iMIP message per change (multipart, text + HTML + text/calendar
with METHOD, UID, SEQUENCE, DTSTART; the manage link; an encoded subject);
an outage (SMTP down while bookings change, then up: every message once,
none again after a restart of slotdav); a 5xx rejection (failed, visible in
the API, resend through the API); reminders queued and withdrawn on
cancel; the admin endpoints and the CLI.
"""

import email
import email.policy
import json
import re
import threading
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
from aiosmtpd.controller import Controller

import harness
from harness import ServerTestCase

BERLIN = ZoneInfo("Europe/Berlin")
API = "/api/v1"


class Sink:
    """aiosmtpd handler: keeps every message; rejects RCPT to addresses
    starting with "reject" with 550."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.rcpt_tos[:], envelope.content))
        return "250 Message accepted"

    def parsed(self):
        with self.lock:
            return [(r, email.message_from_bytes(c, policy=email.policy.default))
                    for r, c in self.messages]


SMTP_PORT = harness.free_port()


def at(offset, hh):
    d = datetime.now(BERLIN).date() + timedelta(days=offset)
    local = datetime(d.year, d.month, d.day, hh, 0, tzinfo=BERLIN)
    return local.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class NotifyTests(ServerTestCase):
    server_args = ("--smtp.url=smtp://127.0.0.1:%d" % SMTP_PORT, "--smtp.from=noreply@example.org",
                   "--smtp.starttls=off", "--notify.poll_ms=100", "--notify.settle_seconds=1",
                   "--notify.backoff_seconds=1", "--notify.retry_max=50",
                   "--notify.reminders=24,2", "--links.secret=" + "ab" * 32)

    @classmethod
    def setUpClass(cls):
        cls.sink = Sink()
        cls.smtp = None
        super().setUpClass()
        srv = cls.server
        for name in ("admin", "sam"):
            srv.add_user(name, password="secret-" + name, displayname=name.title())
        srv.cli("staff", "add", "admin", "--admin")
        cls.loc = cls.created("/locations", {"name": "Zürich Süd", "timezone": "Europe/Berlin",
                                             "address": "Bahnhofstr. 1", "email": "sued@example.com"})
        cls.sam = cls.created("/staff", {"user": "sam", "name": "Sam", "location_ids": [cls.loc]})
        week = [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(1, 8)]
        r = cls.call("PUT", "/staff/%d/hours?location_id=%d" % (cls.sam, cls.loc), week)
        assert r.status == 200, r.describe()
        cls.svc = cls.created("/services", {"location_id": cls.loc, "name": "Schnitt & Föhn",
                                            "duration_min": 60, "staff_ids": [cls.sam]})
        cls.jo = cls.created("/customers", {"name": "Jö O'Brien, \"Jr\"", "email": "jo@example.org"})
        cls.bad = cls.created("/customers", {"name": "Rex", "email": "reject@example.org"})
        cls.none = cls.created("/customers", {"name": "Nomail"})

    @classmethod
    def tearDownClass(cls):
        cls.smtp_stop()
        super().tearDownClass()

    @classmethod
    def smtp_start(cls):
        if cls.smtp is None:
            cls.smtp = Controller(cls.sink, hostname="127.0.0.1", port=SMTP_PORT)
            cls.smtp.start()

    @classmethod
    def smtp_stop(cls):
        if cls.smtp is not None:
            cls.smtp.stop()
            cls.smtp = None

    @classmethod
    def call(cls, method, path, body=None):
        h = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body)
            h["Content-Type"] = "application/json"
        r = cls.server.client().request(method, API + path, data, h, auth=("admin", "secret-admin"))
        r.json = json.loads(r.body) if r.body else None
        return r

    @classmethod
    def created(cls, path, body):
        r = cls.call("POST", path, body)
        assert r.status == 201, r.describe()
        return r.json["id"]

    def book(self, customer, offset, hh):
        r = self.call("POST", "/bookings", {"service_id": self.svc, "customer_id": customer,
                                            "start": at(offset, hh)})
        self.assertStatus(r, 201)
        return r.json

    def notifs(self, booking):
        r = self.call("GET", "/notifications?booking_id=%d" % booking)
        self.assertStatus(r, 200)
        return r.json["notifications"]

    def wait_for(self, pred, timeout=20, what="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            v = pred()
            if v:
                return v
            time.sleep(0.1)
        self.fail("timed out waiting for " + what)

    def mails_for(self, uid):
        return [m for _, m in self.sink.parsed()
                if any(p.get_content_type() == "text/calendar" and uid in p.get_content()
                       for p in m.walk())]

    def calendar(self, m):
        for p in m.walk():
            if p.get_content_type() == "text/calendar":
                return p, icalendar.Calendar.from_ical(p.get_content())
        return None, None

    # -- tests ----------------------------------------------------------------

    def test_1_outage_then_delivery_once(self):
        self.smtp_stop()
        b = self.book(self.jo, 3, 10)
        r = self.call("POST", "/bookings/%d/reschedule" % b["id"],
                      {"start": at(3, 12), "version": b["version"]})
        self.assertStatus(r, 200)
        b2 = self.book(self.jo, 4, 10)
        r = self.call("POST", "/bookings/%d/cancel" % b2["id"],
                      {"reason": "business", "version": b2["version"], "text": "Sick\r\nBcc: x@y"})
        self.assertStatus(r, 200)
        # SMTP down: attempts are made and recorded, nothing lost
        self.wait_for(lambda: any(n["attempts"] > 0 and n["state"] == "queued"
                                  for n in self.notifs(b["id"])), what="a failed attempt")
        self.smtp_start()
        self.wait_for(lambda: all(n["state"] != "queued" or n["kind"] == "reminder"
                                  for n in self.notifs(b["id"]) + self.notifs(b2["id"])),
                      timeout=40, what="delivery after the outage")
        mine = self.mails_for(b["uid"])
        self.assertEqual(len(mine), 1, "created + rescheduled fold into one message")
        m = mine[0]
        self.assertIn("jo@example.org", m["To"])
        self.assertEqual(m["To"].addresses[0].display_name, "Jö O'Brien, \"Jr\"")
        self.assertIn("Schnitt & Föhn", str(m["Subject"]))
        self.assertEqual(m["Reply-To"], "sued@example.com")
        self.assertRegex(m["Message-ID"], r"^<notif-\d+\.[0-9a-f]+@slotdav>$")
        self.assertEqual(m.get_content_type(), "multipart/alternative")
        types = [p.get_content_type() for p in m.iter_parts()]
        self.assertEqual(types, ["text/plain", "text/html", "text/calendar"])
        text = m.get_body(("plain",)).get_content()
        html = m.get_body(("html",)).get_content()
        self.assertRegex(text, r"/manage/\S+")
        self.assertIn("/manage/", html)
        # The link in the email opens the customer's manage page (no login).
        link = re.search(r"(/manage/[A-Za-z0-9_\-.]+)", text).group(1)
        page = self.server.client().request("GET", link, auth=False)
        self.assertStatus(page, 200)
        self.assertIn("Schnitt &amp; Föhn", page.body.decode())
        self.assertIn("Schnitt &amp; Föhn", html)
        part, cal = self.calendar(m)
        self.assertEqual(part.get_param("method"), "REQUEST")
        self.assertEqual(str(cal["METHOD"]), "REQUEST")
        ev = cal.walk("VEVENT")[0]
        self.assertEqual(str(ev["UID"]), b["uid"])
        now = self.call("GET", "/bookings/%d" % b["id"]).json
        self.assertEqual(int(ev["SEQUENCE"]), now["sequence"])
        self.assertGreater(now["sequence"], b["sequence"])
        self.assertEqual(ev.decoded("DTSTART").strftime("%Y-%m-%dT%H:%M:%SZ"), at(3, 12))
        # the cancelled one: one CANCEL (created + cancelled in the settle
        # time are withdrawn, or one CANCEL is sent)
        other = self.mails_for(b2["uid"])
        self.assertLessEqual(len(other), 1)
        for m in other:
            _, cal = self.calendar(m)
            self.assertEqual(str(cal["METHOD"]), "CANCEL")
            self.assertNotIn("Bcc", m)
        # no message twice, also after a restart
        count = len(self.sink.messages)
        ids = [m["Message-ID"] for _, m in self.sink.parsed()]
        self.assertEqual(len(ids), len(set(ids)))
        self.server.restart()
        time.sleep(2)
        self.assertEqual(len(self.sink.messages), count)

    def test_2_reject_is_failed_and_visible(self):
        self.smtp_start()
        b = self.book(self.bad, 5, 10)
        n = self.wait_for(lambda: [n for n in self.notifs(b["id"]) if n["state"] == "failed"],
                          what="failed state")[0]
        self.assertIn("550", n["last_error"])
        self.assertEqual(n["attempts"], 1)
        r = self.call("GET", "/notifications?state=failed")
        self.assertIn(n["id"], [x["id"] for x in r.json["notifications"]])
        r = self.call("POST", "/notifications/%d/resend" % n["id"])
        self.assertStatus(r, 200)
        self.assertEqual(r.json["state"], "queued")
        self.wait_for(lambda: [x for x in self.notifs(b["id"])
                               if x["id"] == n["id"] and x["state"] == "failed"], what="failed again")
        out = self.server.cli("notifications", "list", "--state", "failed")
        self.assertIn("550", out if isinstance(out, str) else out.stdout)
        # no address: failed with a clear reason, the booking stands
        b3 = self.book(self.none, 5, 14)
        n = self.wait_for(lambda: [n for n in self.notifs(b3["id"]) if n["state"] == "failed"],
                          what="no address")[0]
        self.assertIn("no email address", n["last_error"])
        self.assertEqual(self.call("GET", "/bookings/%d" % b3["id"]).json["status"], "confirmed")
        r = self.call("GET", "/notifications?state=bogus")
        self.assertStatus(r, 422)

    def test_3_reminders_follow_the_booking(self):
        self.smtp_start()
        b = self.book(self.jo, 6, 10)
        rem = self.wait_for(lambda: [n for n in self.notifs(b["id"])
                                     if n["kind"] == "reminder" and n["state"] == "queued"],
                            what="reminders")
        self.assertEqual(len(rem), 2)
        r = self.call("POST", "/bookings/%d/cancel" % b["id"],
                      {"reason": "customer", "version": b["version"]})
        self.assertStatus(r, 200)
        self.wait_for(lambda: all(n["state"] == "withdrawn" for n in self.notifs(b["id"])
                                  if n["kind"] == "reminder"), what="reminders withdrawn")


if __name__ == "__main__":
    harness.main()
