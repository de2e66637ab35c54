#!/usr/bin/python3
"""test_manage.py - the customer manage page (/manage/<token>) over HTTP and
in a real browser, against the real binary and booking engine.

setUpClass builds a small business through the JSON API (the first admin
made with `slotdav staff add USER --admin`): a location in Europe/Berlin,
a staff member whose name is hostile HTML, working hours 00:00-24:00 every
day (so any whole hour can be booked), and three services: a plain one
(24 h cancel/reschedule notice), one the customer may neither cancel nor
move, and one whose moves need approval. Links come from `slotdav link`
(the browser test takes its link from the confirmation email the server
sent to a real SMTP server, aiosmtpd);
form tokens the page would not offer are made in Python from the secret
file next to the database, which also checks the token format
independently of the C code.

Covers: GET shows the booking (escaped) and never writes (activity log and
version unchanged after several GETs); the security headers; cancel and
move by form post (303, channel "manage", actor customer:<id>), a move that
becomes a request; the notice period and customer_may_cancel=false (no form,
the post refused by the engine); CSRF (no token, another booking's token, a
stale version's token, a foreign Origin, Sec-Fetch-Site cross-site, a wrong
content type); tampered, expired, unknown and malformed links; the secret
surviving a restart. BrowserTests drive headless Chromium (Debian's chromium
+ chromium-driver through python3-selenium): open the link of the
customer's email, move by clicking an offered slot, cancel, a tampered and an expired link, with screenshots saved to
$SLOTDAV_ARTIFACTS.
"""

import base64
import email
import email.policy
import hashlib
import hmac
import json
import os
import re
import shutil
import stat
import threading
import time as _time
import unittest
import urllib.parse
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import harness
from harness import ServerTestCase

BERLIN = ZoneInfo("Europe/Berlin")
API = "/api/v1"
UA = "slotdav-test-manage/1.0"
HOSTILE = "Sam <script>alert(1)</script> & \"Co\" 'x'"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def day(offset):
    return datetime.now(BERLIN).date() + timedelta(days=offset)


def at(offset, hh, mm=0):
    local = datetime.combine(day(offset), time(hh, mm), tzinfo=BERLIN)
    return local.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Org:
    """The business of a test class, built through the API."""

    def __init__(self, server):
        self.server = server
        for name in ("admin", "sam"):
            server.add_user(name, password="secret-" + name)
        server.cli("staff", "add", "admin", "--admin")
        self.loc = self.created("/locations", {
            "name": "Mitte & <Co>", "timezone": "Europe/Berlin", "address": "Torstr. 1",
            "email": "mitte@example.com"})["id"]
        self.sam = self.created("/staff", {"user": "sam", "name": HOSTILE,
                                           "location_ids": [self.loc]})["id"]
        week = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(1, 8)]
        r = self.call("PUT", "/staff/%d/hours?location_id=%d" % (self.sam, self.loc), week)
        assert r.status == 200, r.describe()
        self.svc = self.service("Consultation", {})
        self.svc_locked = self.service("Locked", {"customer_may_cancel": False,
                                                  "customer_may_reschedule": False})
        self.svc_approval = self.service("Approval", {"reschedule_needs_approval": True,
                                                      "reschedule_notice_hours": 0,
                                                      "cancel_notice_hours": 0})
        self.cara = self.created("/customers", {"name": "Cara <b>Customer</b>",
                                                "email": "cara@example.com"})["id"]

    def call(self, method, path, body=None, headers=None):
        h = {"Accept": "application/json", "User-Agent": UA}
        data = None
        if body is not None:
            data = json.dumps(body)
            h["Content-Type"] = "application/json"
        if headers:
            h.update(headers)
        r = self.server.client().request(method, API + path, data, h,
                                          auth=("admin", "secret-admin"))
        r.json = json.loads(r.body) if r.body and (r.header("Content-Type") or "").startswith(
            "application/json") else None
        return r

    def created(self, path, body):
        r = self.call("POST", path, body)
        assert r.status == 201, r.describe()
        return r.json

    def service(self, name, rules):
        sid = self.created("/services", {"location_id": self.loc, "name": name,
                                         "duration_min": 60, "staff_ids": [self.sam]})["id"]
        if rules:
            r = self.call("PUT", "/services/%d/rules" % sid, rules)
            assert r.status == 200, r.describe()
        return sid

    def book(self, start, service=None):
        r = self.call("POST", "/bookings", {"service_id": service or self.svc, "start": start,
                                            "customer_id": self.cara, "staff_id": self.sam,
                                            "notes_public": "Bring <your> papers & forms"})
        assert r.status == 201, r.describe()
        return r.json

    def booking(self, bid):
        r = self.call("GET", "/bookings/%d" % bid)
        assert r.status == 200, r.describe()
        return r.json

    def activity(self, bid):
        r = self.call("GET", "/bookings/%d/activity" % bid)
        assert r.status == 200, r.describe()
        return r.json["activity"]

    def link(self, bid, expires=None):
        """The path of the booking's manage link, from `slotdav link`."""
        args = ["link", str(bid)] + (["--expires", str(expires)] if expires else [])
        url = self.server.cli(*args).stdout.strip()
        path = urllib.parse.urlsplit(url).path
        assert path.startswith("/manage/"), url
        return path

    def secret(self):
        with open(self.server.db + ".link-secret") as f:
            return f.read().strip()

    def token(self, bid, purpose, expires=None):
        """A token made as booking_link_make does, from the secret file."""
        expires = expires or int(_time.time()) + 3600
        payload = ("1:%d:%s:%d" % (bid, purpose, expires)).encode()
        mac = hmac.new(self.secret().encode(), b"slotdav manage link v1\0" + payload,
                       hashlib.sha256).digest()
        return b64url(payload) + "." + b64url(mac)


def next_hour_utc(hours_ahead):
    t = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    return (t + timedelta(hours=hours_ahead + 1)).strftime("%Y-%m-%dT%H:%M:%SZ")


class ManageTests(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.org = Org(cls.server)

    def get(self, path, headers=None):
        h = {"User-Agent": UA}
        h.update(headers or {})
        return self.server.client().request("GET", path, None, h, auth=False)

    def post(self, path, fields, headers=None):
        h = {"User-Agent": UA, "Origin": self.server.base_url}
        h.update(FORM)
        h.update(headers or {})
        body = urllib.parse.urlencode(fields) if isinstance(fields, dict) else fields
        return self.server.client().request("POST", path, body, h, auth=False)

    def form_token(self, page, action):
        m = re.search(r'action="[^"]*/%s">\s*<input type="hidden" name="csrf" value="([^"]+)"'
                      % action, page.text)
        self.assertIsNotNone(m, "no %s form\n%s" % (action, page.text))
        return m.group(1)

    def assertPage(self, r, status, *needles):
        self.assertStatus(r, status)
        self.assertTrue((r.header("Content-Type") or "").startswith("text/html"), r.describe())
        for n in needles:
            self.assertIn(n, r.text, r.describe())
        self.assertIn('<html lang="en">', r.text)
        self.assertNotIn("<script>", r.text)

    # -- reading ----------------------------------------------------------------

    def test_get_shows_and_never_changes(self):
        b = self.org.book(at(5, 10))
        path = self.org.link(b["id"])
        before = self.org.activity(b["id"])
        for _ in range(3):
            r = self.get(path)
            self.assertPage(r, 200, "Consultation", "Torstr. 1", "Mitte &amp; &lt;Co&gt;",
                            "Sam &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot; &#39;x&#39;",
                            "Bring &lt;your&gt; papers &amp; forms", "10:00 to 11:00",
                            day(5).strftime("%A"), "Confirmed", 'name="viewport"',
                            "<legend>Choose a new time</legend>", '<label for="reason">')
            self.assertEqual(r.header("Content-Security-Policy").split(";")[0], "default-src 'none'")
            self.assertIn("style-src 'unsafe-inline'", r.header("Content-Security-Policy"))
            self.assertEqual(r.header("X-Frame-Options"), "DENY")
            self.assertEqual(r.header("Referrer-Policy"), "no-referrer")
            self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertStatus(self.server.client().request("HEAD", path, auth=False), 200)
        self.assertPage(self.get(path + "?week=1"), 200, "Earlier times")
        self.assertPage(self.get(path + "?week=999&done=%3Cscript%3E"), 200)
        self.assertEqual(self.org.activity(b["id"]), before)
        self.assertEqual(self.org.booking(b["id"])["version"], b["version"])

    # -- cancel -----------------------------------------------------------------

    def test_cancel(self):
        b = self.org.book(at(6, 10))
        path = self.org.link(b["id"])
        tok = self.form_token(self.get(path), "cancel")
        r = self.post(path + "/cancel", {"csrf": tok, "reason": "ill <3 & sorry"})
        self.assertStatus(r, 303)
        self.assertTrue(r.header("Location").endswith(path + "?done=cancelled"), r.describe())
        got = self.org.booking(b["id"])
        self.assertEqual((got["status"], got["cancel_reason"], got["cancel_text"]),
                         ("cancelled", "customer", "ill <3 & sorry"))
        last = [e for e in self.org.activity(b["id"]) if e["action"] == "cancel"][-1]
        self.assertEqual((last["channel"], last["actor"], last["outcome"], last["user_agent"]),
                         ("manage", "customer:%d" % self.org.cara, "ok", UA))
        self.assertPage(self.get(path + "?done=cancelled"), 200, "has been cancelled",
                        "This booking was cancelled.")
        self.assertNotIn("<form", self.get(path).text)
        # the used form again: gone, nothing changes
        self.assertPage(self.post(path + "/cancel", {"csrf": tok}), 410, "already been cancelled")
        self.assertEqual(self.org.booking(b["id"])["version"], got["version"])

    # -- reschedule -------------------------------------------------------------

    def test_reschedule_to_offered_slot(self):
        b = self.org.book(at(7, 10))
        path = self.org.link(b["id"])
        page = self.get(path)
        tok = self.form_token(page, "reschedule")
        starts = [int(v) for v in re.findall(r'name="start" required id="slot-\d+" value="(\d+)"', page.text)]
        self.assertTrue(starts, page.text)
        target = starts[len(starts) // 2]
        r = self.post(path + "/reschedule", {"csrf": tok, "start": str(target)})
        self.assertStatus(r, 303)
        self.assertTrue(r.header("Location").endswith("?done=moved"), r.describe())
        got = self.org.booking(b["id"])
        want = datetime.fromtimestamp(target, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.assertEqual((got["start"], got["status"]), (want, "confirmed"))
        last = self.org.activity(b["id"])[-1]
        self.assertEqual((last["action"], last["channel"]), ("reschedule", "manage"))
        # the same form again: the booking's version moved on
        self.assertPage(self.post(path + "/reschedule", {"csrf": tok, "start": str(starts[0])}),
                        409, "out of date")

    def test_reschedule_needs_approval(self):
        b = self.org.book(at(8, 10), service=self.org.svc_approval)
        path = self.org.link(b["id"])
        page = self.get(path)
        self.assertIn("needs our approval", page.text)
        tok = self.form_token(page, "reschedule")
        start = re.findall(r'value="(\d+)"><label', page.text)[3]
        r = self.post(path + "/reschedule", {"csrf": tok, "start": start})
        self.assertStatus(r, 303)
        self.assertTrue(r.header("Location").endswith("?done=requested"), r.describe())
        got = self.org.booking(b["id"])
        self.assertEqual(got["start"], b["start"])
        self.assertPage(self.get(path), 200, "waiting for approval")

    # -- rules ------------------------------------------------------------------

    def test_notice_period(self):
        b = self.org.book(next_hour_utc(3))  # within the 24 h notice
        path = self.org.link(b["id"])
        page = self.get(path)
        self.assertPage(page, 200, 'id="cancel-closed"', 'id="move-closed"', "24 hours",
                        "mitte@example.com")
        self.assertNotIn("<form", page.text)
        r = self.post(path + "/cancel", {"csrf": self.org.token(b["id"], "cancel_%d" % b["version"])})
        self.assertPage(r, 403, "too late to cancel")
        r = self.post(path + "/reschedule", {"csrf": self.org.token(b["id"], "reschedule_%d" % b["version"]),
                                             "start": str(int(_time.time()) // 3600 * 3600 + 86400 * 3)})
        self.assertPage(r, 403, "too late to move")
        self.assertEqual(self.org.booking(b["id"])["status"], "confirmed")
        refused = [e for e in self.org.activity(b["id"]) if e["outcome"] == "refused"]
        self.assertTrue(refused and all(e["channel"] == "manage" for e in refused), refused)

    def test_customer_may_not_cancel(self):
        b = self.org.book(at(9, 10), service=self.org.svc_locked)
        path = self.org.link(b["id"])
        page = self.get(path)
        self.assertPage(page, 200, "cannot be cancelled online", "cannot be moved online")
        self.assertNotIn("<form", page.text)
        r = self.post(path + "/cancel", {"csrf": self.org.token(b["id"], "cancel_%d" % b["version"])})
        self.assertPage(r, 403, "not possible online")
        self.assertEqual(self.org.booking(b["id"])["status"], "confirmed")

    # -- forgery ----------------------------------------------------------------

    def test_csrf(self):
        b = self.org.book(at(10, 10))
        other = self.org.book(at(10, 14))
        path = self.org.link(b["id"])
        tok = self.form_token(self.get(path), "cancel")
        other_tok = self.form_token(self.get(self.org.link(other["id"])), "cancel")
        cases = [
            ({}, {}, 403),
            ({"csrf": ""}, {}, 403),
            ({"csrf": "x" + tok}, {}, 403),
            ({"csrf": other_tok}, {}, 403),
            ({"csrf": self.form_token(self.get(path), "reschedule")}, {}, 403),
            ({"csrf": self.org.token(b["id"], "cancel_%d" % b["version"], expires=int(_time.time()) - 5)}, {}, 403),
            ({"csrf": tok}, {"Origin": "http://evil.example"}, 403),
            ({"csrf": tok}, {"Origin": "null", "Referer": "http://evil.example/x"}, 403),
            ({"csrf": tok}, {"Sec-Fetch-Site": "cross-site"}, 403),
            ({"csrf": tok}, {"Content-Type": "text/plain"}, 415),
            ("csrf=%zz", {}, 400),
            ("csrf=a&csrf=b", {}, 400),
        ]
        for fields, headers, status in cases:
            self.assertPage(self.post(path + "/cancel", fields, headers), status)
        self.assertEqual(self.org.booking(b["id"])["status"], "confirmed")
        self.assertEqual(self.org.booking(b["id"])["version"], b["version"])
        # GET on an action, POST on the page
        self.assertPage(self.get(path + "/cancel"), 405)
        self.assertPage(self.post(path, {"csrf": tok}), 405)
        # browsers' own posts under no-referrer: Origin null, same-origin
        r = self.post(path + "/cancel", {"csrf": tok}, {"Origin": "null", "Sec-Fetch-Site": "same-origin"})
        self.assertStatus(r, 303)

    # -- links ------------------------------------------------------------------

    def test_bad_links(self):
        b = self.org.book(at(11, 10))
        path = self.org.link(b["id"])
        tok = path.rsplit("/", 1)[1]
        for i in (0, len(tok) // 3, tok.index(".") + 2, len(tok) - 1):
            bad = tok[:i] + ("A" if tok[i] != "A" else "B") + tok[i + 1:]
            self.assertPage(self.get("/manage/" + bad), 403, "This link is not valid")
        expired = self.org.link(b["id"], expires=int(_time.time()) - 10)
        self.assertPage(self.get(expired), 410, "This link has expired")
        self.assertPage(self.post(expired + "/cancel", {"csrf": "x"}), 410)
        self.assertPage(self.get("/manage/" + self.org.token(999999, "manage")), 404, "Booking not found")
        self.assertPage(self.get("/manage/" + self.org.token(b["id"], "cancel_1")), 403)
        self.assertPage(self.get("/manage/%3Cscript%3E"), 404)
        self.assertPage(self.get("/manage"), 404)
        self.assertPage(self.get(path + "/other"), 404)
        self.assertEqual(self.org.booking(b["id"])["version"], b["version"])

    def test_secret_file_and_restart(self):
        st = os.stat(self.server.db + ".link-secret")
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        b = self.org.book(at(12, 10))
        path = self.org.link(b["id"])
        self.server.restart()
        self.assertPage(self.get(path), 200, "Consultation")
        r = self.server.cli("link", "999999", check=False)
        self.assertEqual(r.returncode, 1, r.stderr)


# --------------------------------------------------------------------------
# In a browser


def _chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _why_no_browser():
    if not _chromium():
        return "chromium is not installed (scripts/deps.sh --test installs it)"
    if not shutil.which("chromedriver") and not os.path.exists("/usr/bin/chromedriver"):
        return "chromium-driver is not installed (scripts/deps.sh --test installs it)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "python3-selenium is not installed (scripts/deps.sh --test installs it)"
    return None


_NO_BROWSER = _why_no_browser()
if _NO_BROWSER:
    print("test_manage: skipping the browser tests: %s" % _NO_BROWSER, flush=True)


@unittest.skipIf(_NO_BROWSER, _NO_BROWSER or "")
class Inbox:
    """aiosmtpd handler: the messages the server sent, parsed."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def link_for(self, uid, timeout=30):
        """The manage link path of the first email about booking uid (its
        calendar part names the UID), waiting for the delivery worker."""
        deadline = _time.monotonic() + timeout
        while _time.monotonic() < deadline:
            with self.lock:
                for m in self.messages:
                    cal = [p for p in m.walk() if p.get_content_type() == "text/calendar"]
                    if cal and uid in cal[0].get_content():
                        text = m.get_body(("plain",)).get_content()
                        return re.search(r"(/manage/[A-Za-z0-9_\-.]+)", text).group(1)
            _time.sleep(0.1)
        raise AssertionError("no email about %s arrived" % uid)


SMTP_PORT = harness.free_port()


class BrowserTests(ServerTestCase):
    # Emails go to a real SMTP server of the test: the browser opens the
    # manage link the customer received.
    server_args = ("--smtp.url=smtp://127.0.0.1:%d" % SMTP_PORT, "--smtp.from=noreply@example.org",
                   "--smtp.starttls=off", "--notify.poll_ms=100", "--notify.settle_seconds=0")

    @classmethod
    def setUpClass(cls):
        from aiosmtpd.controller import Controller
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        cls.inbox = Inbox()
        cls.smtp = Controller(cls.inbox, hostname="127.0.0.1", port=SMTP_PORT)
        cls.smtp.start()
        cls.addClassCleanup(cls.smtp.stop)
        super().setUpClass()
        cls.org = Org(cls.server)
        cls.artifacts = os.environ.get("SLOTDAV_ARTIFACTS") or os.path.join(cls.server.tmp, "artifacts")
        os.makedirs(cls.artifacts, exist_ok=True)
        opts = webdriver.ChromeOptions()
        opts.binary_location = _chromium()
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--window-size=420,900", "--no-first-run", "--disable-extensions",
                  "--user-data-dir=" + os.path.join(cls.server.tmp, "chrome")):
            opts.add_argument(a)
        cls.driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                                      options=opts)
        cls.addClassCleanup(cls.driver.quit)
        cls.driver.set_page_load_timeout(30)

    def shot(self, name):
        path = os.path.join(self.artifacts, "manage-%s.png" % name)
        self.driver.save_screenshot(path)
        return path

    def open(self, path):
        self.driver.get(self.server.base_url + path)
        return self.driver.find_element("tag name", "body").text

    def done_text(self, want, timeout=15):
        """The text of the result line once the page after a form post has
        loaded: the click returns before the navigation ends, so the old
        page's elements may still be there (or go stale under us)."""
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait

        def ready(d):
            try:
                els = d.find_elements("id", "done")
                return els and want in els[0].text and els[0].text
            except StaleElementReferenceException:
                return False

        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(ready)
        except Exception:
            els = self.driver.find_elements("id", "done")
            return els[0].text if els else "(no result line: %s)" % self.driver.title

    def test_move_then_cancel(self):
        b = self.org.book(at(5, 10))
        path = self.inbox.link_for(b["uid"])  # from the confirmation email
        text = self.open(path)
        self.assertIn("Consultation", text)
        self.assertIn(HOSTILE, text)  # shown as text, not run
        self.shot("1-page")
        # a day at the end of the week, far from the notice period
        days = self.driver.find_elements("css selector", "fieldset.day")
        self.assertTrue(days)
        labels = days[-1].find_elements("css selector", "label")
        self.assertTrue(labels)
        label = labels[2]
        target = int(label.get_attribute("for").split("-")[1])
        label.click()
        self.driver.find_element("id", "move-button").click()
        self.assertIn("has been moved", self.done_text("has been moved"))
        self.shot("2-moved")
        got = self.org.booking(b["id"])
        self.assertEqual(got["start"], datetime.fromtimestamp(target, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.driver.find_element("id", "reason").send_keys("Something came up")
        self.driver.find_element("id", "cancel-button").click()
        self.assertIn("has been cancelled", self.done_text("has been cancelled"))
        self.shot("3-cancelled")
        got = self.org.booking(b["id"])
        self.assertEqual((got["status"], got["cancel_reason"], got["cancel_text"]),
                         ("cancelled", "customer", "Something came up"))
        self.assertEqual(self.org.activity(b["id"])[-1]["channel"], "manage")

    def test_bad_links(self):
        b = self.org.book(at(6, 10))
        path = self.org.link(b["id"])
        bad = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
        self.assertIn("This link is not valid", self.open(bad))
        self.shot("4-tampered")
        self.assertIn("This link has expired", self.open(self.org.link(b["id"], expires=int(_time.time()) - 1)))
        self.shot("5-expired")


if __name__ == "__main__":
    harness.main()
