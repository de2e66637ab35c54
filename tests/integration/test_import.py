#!/usr/bin/python3
"""test_import.py - `slotdav import` and `slotdav export` next to a running server.

A generated file of ~5,100 objects (timed UTC events, all-day events,
events in four TZIDs with their VTIMEZONEs once at the top, weekly series
with an EXDATE and a RECURRENCE-ID override (half of the overrides far from
their master in the file), VTODOs, and UIDs that are no safe path segment)
is imported, then checked through CalDAV: the PROPFIND Depth 1 count, a
calendar-multiget of sampled hrefs compared with the generated components,
and a one-week calendar-query time-range returning exactly the UIDs the
test computes itself (zoneinfo for the TZIDs, its own expansion of the
series). Then: a file with broken components at known lines (the good ones
imported, each broken one reported on stderr with its line, exit status as
documented in docs/operations.md), --replace, re-import skipping with a
reason, an export round trip into another user's calendar (same UIDs, same
normalised components), export of all of a user's calendars, and the
progress bar drawn only when stderr is a terminal.
"""

import hashlib
import os
import pty
import random
import re
import subprocess
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import harness
from davtest import DavTestCase, cal_path, multiget_body, query_body
from harness import VTIMEZONE_BERLIN, c, d, ics_event, norm_href

UTC = timezone.utc
SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@._-")

VTIMEZONE_NEW_YORK = """
BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:20070311T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:20071104T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE
"""

VTIMEZONE_TOKYO = """
BEGIN:VTIMEZONE
TZID:Asia/Tokyo
BEGIN:STANDARD
TZOFFSETFROM:+0900
TZOFFSETTO:+0900
TZNAME:JST
DTSTART:19700101T000000
END:STANDARD
END:VTIMEZONE
"""

VTIMEZONE_SYDNEY = """
BEGIN:VTIMEZONE
TZID:Australia/Sydney
BEGIN:STANDARD
TZOFFSETFROM:+1100
TZOFFSETTO:+1000
TZNAME:AEST
DTSTART:20080406T030000
RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU
END:STANDARD
BEGIN:DAYLIGHT
TZOFFSETFROM:+1000
TZOFFSETTO:+1100
TZNAME:AEDT
DTSTART:20081005T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU
END:DAYLIGHT
END:VTIMEZONE
"""

ZONES = {"Europe/Berlin": VTIMEZONE_BERLIN, "America/New_York": VTIMEZONE_NEW_YORK,
         "Asia/Tokyo": VTIMEZONE_TOKYO, "Australia/Sydney": VTIMEZONE_SYDNEY}
ZONE_NAMES = sorted(ZONES)

# The calendar-query window: one week around the EU DST change of 2031
# (30 March); boundaries at :30 so no instance (all start on the hour in
# whole-hour zones) touches one exactly.
WIN_START = datetime(2031, 3, 27, 12, 30, tzinfo=UTC)
WIN_END = datetime(2031, 4, 3, 12, 30, tzinfo=UTC)
BASE = date(2031, 1, 1)


def fmt_utc(dt):
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fmt_local(dt):
    return dt.strftime("%Y%m%dT%H%M%S")


def obj_href(calpath, uid, k=0):
    if not k and uid and len(uid) <= 200 and uid[0] != "." and set(uid) <= SAFE:
        return norm_href(calpath + uid + ".ics")
    return norm_href(calpath + hashlib.sha256(uid.encode()).hexdigest() + ".ics")


def unfold(text):
    return re.sub(r"\r?\n[ \t]", "", text.replace("\r\n", "\n")).split("\n")


def norm_components(text):
    """The non-VTIMEZONE top-level components of an iCalendar text, each as
    a sorted tuple of its unfolded lines, sorted (order-free comparison)."""
    out, cur, depth, skip = [], None, 0, False
    for line in unfold(text):
        if not line:
            continue
        up = line.upper()
        if depth == 1 and up.startswith("BEGIN:"):
            skip = up == "BEGIN:VTIMEZONE"
            cur = []
        if cur is not None and not skip:
            cur.append(line)
        if up.startswith("BEGIN:"):
            depth += 1
        elif up.startswith("END:"):
            depth -= 1
            if depth == 1 and cur is not None:
                if not skip:
                    out.append(tuple(sorted(cur)))
                cur, skip = None, False
    return sorted(out)


def uids_of(text):
    return {m for m in re.findall(r"(?m)^UID:(.*?)\r?$", "\n".join(unfold(text)))}


class BigFile:
    """The generated import: text, per UID the components (line lists) and,
    for VEVENTs, the UTC instances [start, end)."""

    def __init__(self):
        self.comps = {}      # uid -> [[lines]]
        self.instances = {}  # uid -> [(start, end)] in UTC (VEVENT only)
        self.kinds = {}      # uid -> "VEVENT" | "VTODO"
        self.late = []       # components written after all others
        self.body = []
        self.build()

    def add(self, uid, lines, kind="VEVENT", late=False):
        comp = ["BEGIN:" + kind, "UID:" + uid, "DTSTAMP:20240101T000000Z"] + lines + ["END:" + kind]
        self.comps.setdefault(uid, []).append(comp)
        self.kinds[uid] = kind
        (self.late if late else self.body).append(comp)

    def span(self, uid, start, end):
        self.instances.setdefault(uid, []).append((start.astimezone(UTC), end.astimezone(UTC)))

    def build(self):
        for i in range(3000):  # timed, UTC
            uid = "ev-%05d@import.test" % i
            s = datetime.combine(BASE + timedelta(days=i % 365), datetime.min.time(),
                                 tzinfo=UTC) + timedelta(hours=6 + (i * 7) % 12)
            e = s + timedelta(hours=1 + i % 2)
            self.add(uid, ["DTSTART:" + fmt_utc(s), "DTEND:" + fmt_utc(e),
                           "SUMMARY:Event %d" % i, "LOCATION:Room %d" % (i % 9)])
            self.span(uid, s, e)
        for k in range(400):  # all-day, 1 or 2 days (floating: UTC in the query)
            uid = "allday-%04d@import.test" % k
            day = BASE + timedelta(days=(k * 5) % 365)
            n = 1 + k % 2
            self.add(uid, ["DTSTART;VALUE=DATE:" + day.strftime("%Y%m%d"),
                           "DTEND;VALUE=DATE:" + (day + timedelta(days=n)).strftime("%Y%m%d"),
                           "SUMMARY:All day %d" % k, "TRANSP:TRANSPARENT"])
            s = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
            self.span(uid, s, s + timedelta(days=n))
        for j in range(800):  # in a TZID
            uid = "tz-%04d@import.test" % j
            tzid = ZONE_NAMES[j % 4]
            z = ZoneInfo(tzid)
            s = datetime.combine(BASE + timedelta(days=(j * 3) % 365), datetime.min.time(),
                                 tzinfo=z).replace(hour=8 + j % 10)
            e = s + timedelta(minutes=30 + 30 * (j % 3))
            self.add(uid, ["DTSTART;TZID=%s:%s" % (tzid, fmt_local(s)),
                           "DTEND;TZID=%s:%s" % (tzid, fmt_local(e)), "SUMMARY:Zoned %d" % j])
            self.span(uid, s, e)
        for r in range(300):  # weekly series, EXDATE on #3, #5 moved by 26 h
            uid = "series-%03d@import.test" % r
            tzid = ZONE_NAMES[r % 4] if r % 5 else None
            z = ZoneInfo(tzid) if tzid else UTC
            first = datetime.combine(BASE + timedelta(days=(r * 2) % 300), datetime.min.time(),
                                     tzinfo=z).replace(hour=9 + r % 8)
            occ = [first + timedelta(weeks=w) for w in range(10)]  # wall clock in z

            def when(dt, name):
                if tzid:
                    return "%s;TZID=%s:%s" % (name, tzid, fmt_local(dt))
                return "%s:%s" % (name, fmt_utc(dt))
            self.add(uid, [when(first, "DTSTART"), "DURATION:PT1H", "RRULE:FREQ=WEEKLY;COUNT=10",
                           when(occ[2], "EXDATE"), "SUMMARY:Series %d" % r])
            moved = occ[4] + timedelta(hours=26)
            self.add(uid, [when(occ[4], "RECURRENCE-ID"), when(moved, "DTSTART"), "DURATION:PT1H",
                           "SUMMARY:Series %d (moved)" % r], late=r % 2 == 0)
            for w, o in enumerate(occ):
                if w == 2:
                    continue
                s = moved if w == 4 else o
                self.span(uid, s, s + timedelta(hours=1))
        for t in range(300):
            uid = "todo-%03d@import.test" % t
            due = datetime(2031, 1, 1, 12, tzinfo=UTC) + timedelta(days=t)
            self.add(uid, ["DUE:" + fmt_utc(due), "SUMMARY:Task %d" % t, "STATUS:NEEDS-ACTION"],
                     kind="VTODO")
        for w, uid in enumerate(("has space@import.test", "slash/and+plus@import.test",
                                 ".dotfirst@import.test")):
            s = datetime(2031, 3, 28 + w, 9, tzinfo=UTC)  # inside the window
            self.add(uid, ["DTSTART:" + fmt_utc(s), "DTEND:" + fmt_utc(s + timedelta(hours=1)),
                           "SUMMARY:Odd UID %d" % w])
            self.span(uid, s, s + timedelta(hours=1))

    def text(self):
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//slotdav tests//import//EN"]
        for z in ZONE_NAMES:
            lines += ZONES[z].strip().splitlines()
        for comp in self.body + self.late:
            lines += comp
        lines.append("END:VCALENDAR")
        return "\r\n".join(lines) + "\r\n"

    def in_window(self):
        return {u for u, v in self.instances.items()
                if any(s < WIN_END and e > WIN_START for s, e in v)}


class Broken:
    """A file with good components and broken ones at known lines."""

    def __init__(self):
        self.lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//slotdav tests//broken//EN"]
        self.bad = {}  # uid -> (line of BEGIN, line of the error, needle)
        self.good = []

    def comp(self, uid, body, bad=None, end=True):
        begin = len(self.lines) + 1
        self.lines += ["BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:20240101T000000Z"]
        err = begin
        for ln in body:
            self.lines.append(ln)
            if bad and bad[0] and bad[0] in ln:
                err = len(self.lines)
        self.lines += ["SUMMARY:" + uid] + (["END:VEVENT"] if end else [])
        if bad:
            self.bad[uid] = (begin, err, bad[1])
        else:
            self.good.append(uid)

    def text(self):
        return "\r\n".join(self.lines + ["END:VCALENDAR"]) + "\r\n"


class ImportTests(DavTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for u in ("ivy", "jon", "kim", "lee"):
            cls.server.add_user(u)

    def run_cli(self, *args, input=None):
        return self.server.cli(*args, input=input, check=False)

    def write(self, name, text):
        path = os.path.join(self.server.tmp, name)
        with open(path, "w", newline="") as f:
            f.write(text)
        return path

    def summary(self, p):
        m = re.search(r"imported (\d+), replaced (\d+), skipped (\d+)\s*$", p.stdout)
        self.assertTrue(m, "no summary line on stdout\nstdout: %s\nstderr: %s" % (p.stdout, p.stderr))
        return tuple(int(x) for x in m.groups())

    def new_calendar(self, user, name):
        self.server.cli("calendar", "create", user, name)
        return cal_path(user, name)

    def fetch_all(self, client, calpath, hrefs):
        """{href: calendar-data} by calendar-multiget in chunks."""
        out = {}
        hrefs = list(hrefs)
        for i in range(0, len(hrefs), 500):
            r = client.report(calpath, multiget_body(hrefs[i:i + 500]), depth="1")
            self.assertStatus(r, 207, "calendar-multiget")
            for m in r.multistatus():
                pr = m.prop(c("calendar-data"))
                self.assertIsNotNone(pr, m)
                self.assertEqual(pr.status, 200, m)
                out[norm_href(m.href)] = pr.text
        return out

    # -- the big file ------------------------------------------------------

    def test_large_file(self):
        big = BigFile()
        path = self.write("big.ics", big.text())
        calpath = self.new_calendar("ivy", "big")
        p = self.run_cli("import", path, "--user", "ivy", "--calendar", "big")
        self.assertEqual(p.returncode, 0, p.stderr)
        n = len(big.comps)
        self.assertGreater(n, 4800)
        self.assertEqual(self.summary(p), (n, 0, 0), p.stderr[:2000])
        self.assertEqual(p.stderr, "")  # not a terminal: no progress bar, nothing skipped
        client = self.server.client("ivy")
        members = self.members(client, calpath)
        expect = {obj_href(calpath, u): u for u in big.comps}
        self.assertEqual(set(members), set(expect))
        # a sample, including every odd UID and both kinds of override order
        rnd = random.Random(5)
        sample = rnd.sample(sorted(expect), 150) + [obj_href(calpath, u) for u in big.comps
                                                    if "@" in u and not set(u) <= SAFE]
        sample += [obj_href(calpath, u) for u in ("series-000@import.test", "series-001@import.test",
                                                  ".dotfirst@import.test")]
        got = self.fetch_all(client, calpath, set(sample))
        self.assertEqual(set(got), set(sample))
        for href, data in got.items():
            uid = expect[href]
            with self.subTest(uid=uid):
                self.assertEqual(norm_components(data), sorted(tuple(sorted(x)) for x in big.comps[uid]))
                for tzid in set(re.findall(r"TZID=([^:;]+)", data)):
                    self.assertIn("TZID:" + tzid, data)  # its VTIMEZONE came along
        # the window: exactly the VEVENTs with an instance in it
        r = client.report(calpath, query_body(
            '<C:comp-filter name="VEVENT"><C:time-range start="%s" end="%s"/></C:comp-filter>'
            % (fmt_utc(WIN_START), fmt_utc(WIN_END)), props="<D:getetag/>"), depth="1")
        self.assertStatus(r, 207, "calendar-query")
        found = {expect.get(norm_href(m.href), m.href) for m in r.multistatus()}
        want = big.in_window()
        self.assertGreater(len(want), 50)
        self.assertTrue(any(u.startswith("series-") for u in want))
        self.assertTrue(any(u.startswith("tz-") for u in want))
        self.assertTrue(any(u.startswith("allday-") for u in want))
        self.assertEqual(sorted(found - want), [], "returned but outside the window")
        self.assertEqual(sorted(want - found), [], "in the window but not returned")
        # VTODOs by their own filter
        r = client.report(calpath, query_body('<C:comp-filter name="VTODO"/>', props="<D:getetag/>"),
                          depth="1")
        self.assertEqual(len(r.multistatus()), sum(1 for k in big.kinds.values() if k == "VTODO"))

        # export round trip into another user's calendar
        out = self.run_cli("export", "--user", "ivy", "--calendar", "big")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.count("BEGIN:VTIMEZONE"), 4)
        exp = self.write("export.ics", out.stdout)
        dst = self.new_calendar("jon", "copy")
        p = self.run_cli("import", exp, "--user", "jon", "--calendar", "copy")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.summary(p), (n, 0, 0))
        jclient = self.server.client("jon")
        self.assertEqual(len(self.members(jclient, dst)), n)
        again = self.run_cli("export", "--user", "jon", "--calendar", "copy").stdout
        self.assertEqual(uids_of(again), set(big.comps))
        self.assertEqual(self.by_uid(again), self.by_uid(out.stdout))
        self.assertEqual(self.by_uid(again), {u: sorted(tuple(sorted(x)) for x in v)
                                              for u, v in big.comps.items()})

    def by_uid(self, text):
        out = {}
        for comp in norm_components(text):
            uid = next(x[4:] for x in comp if x.startswith("UID:"))
            out.setdefault(uid, []).append(comp)
        return {u: sorted(v) for u, v in out.items()}

    # -- broken components -------------------------------------------------

    def test_broken_file(self):
        b = Broken()
        b.comp("good-1@b", ["DTSTART:20310101T100000Z", "DTEND:20310101T110000Z"])
        b.comp("no-start@b", ["DTEND:20310101T110000Z"], bad=("", "no DTSTART"))
        b.comp("bad-date@b", ["DTSTART:20311301T100000Z"], bad=("20311301", "DTSTART"))
        b.comp("good-2@b", ["DTSTART;TZID=Europe/Berlin:20310102T100000"])  # a known zone, no VTIMEZONE
        b.comp("bad-tz@b", ["DTSTART;TZID=Mars/Olympus_Mons:20310101T100000"], bad=("Mars", "Mars/Olympus_Mons"))
        b.comp("bad-day@b", ["DTSTART;VALUE=DATE:20310230"], bad=("20310230", "DTSTART"))
        b.comp("unterminated@b", ["DTSTART:20310103T100000Z"], bad=("", "no END:VEVENT"), end=False)
        b.comp("good-3@b", ["DTSTART:20310104T100000Z", "DURATION:PT1H"])
        path = self.write("broken.ics", b.text())
        calpath = self.new_calendar("kim", "broken")
        p = self.run_cli("import", path, "--user", "kim", "--calendar", "broken")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.summary(p), (3, 0, len(b.bad)))
        self.assertNotIn("Traceback", p.stderr)
        for uid, (begin, err, needle) in b.bad.items():
            with self.subTest(uid=uid):
                m = re.search(r"(?m)^skipped %s \(line (\d+)\): line (\d+): (.*)$" % re.escape(uid), p.stderr)
                self.assertTrue(m, "no report for %s\n%s" % (uid, p.stderr))
                self.assertEqual(int(m.group(1)), begin)
                self.assertEqual(int(m.group(2)), err, m.group(0))
                self.assertIn(needle, m.group(3))
        for uid in b.good:
            self.assertNotIn(uid, p.stderr)
        members = self.members(self.server.client("kim"), calpath)
        self.assertEqual(set(members), {obj_href(calpath, u) for u in b.good})
        # the same file with LF line ends: the same lines reported
        lf = self.run_cli("import", self.write("broken-lf.ics", b.text().replace("\r\n", "\n")),
                          "--user", "kim", "--calendar", "broken")
        self.assertEqual(self.summary(lf), (0, 0, len(b.bad) + len(b.good)))
        self.assertEqual([x for x in lf.stderr.splitlines() if "already in" not in x],
                         [x for x in p.stderr.splitlines()])
        # nothing importable: exit 1, reasons still reported
        only_bad = Broken()
        only_bad.comp("x1@b", ["DTEND:20310101T110000Z"], bad=("", "no DTSTART"))
        only_bad.comp("x2@b", ["DTSTART:20310132T100000Z"], bad=("20310132", "DTSTART"))
        p = self.run_cli("import", self.write("bad.ics", only_bad.text()), "--user", "kim",
                         "--calendar", "broken")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(self.summary(p), (0, 0, 2))
        self.assertIn("x1@b", p.stderr)
        self.assertIn("x2@b", p.stderr)
        # an empty calendar file: nothing to do, exit 0
        p = self.run_cli("import", self.write("empty.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
                                                          "PRODID:x\r\nEND:VCALENDAR\r\n"),
                         "--user", "kim", "--calendar", "broken")
        self.assertEqual((p.returncode, self.summary(p)), (0, (0, 0, 0)))
        # not iCalendar at all, a missing file, a Bookings-like calendar or an unknown one: errors
        for args in ((self.write("junk.ics", "hello\n"), "--calendar", "broken"),
                     (os.path.join(self.server.tmp, "missing.ics"), "--calendar", "broken"),
                     (path, "--calendar", "nope")):
            p = self.run_cli("import", args[0], "--user", "kim", *args[1:])
            self.assertNotEqual(p.returncode, 0, args)
            self.assertLess(p.returncode, 128, args)
            self.assertTrue(p.stderr.strip(), args)
        self.assertEqual(len(self.members(self.server.client("kim"), calpath)), 3)

    # -- --replace and re-import ------------------------------------------

    def test_replace_and_reimport(self):
        calpath = self.new_calendar("lee", "rep")
        client = self.server.client("lee")
        # one object a client stored under a name of its own
        self.put_new(client, calpath + "client-name.ics",
                     ics_event("r-client@x", "Client v1", start="20310105T100000Z", end="20310105T110000Z"))

        def file_of(version, uids):
            evs = [ics_event(u, "%s %s" % (u, version), start="20310106T100000Z", end="20310106T110000Z")
                   for u in uids]
            body = [e.split("\r\n", 3)[3].rsplit("END:VCALENDAR", 1)[0] for e in evs]
            return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + "".join(body) + "END:VCALENDAR\r\n"

        v1 = self.write("v1.ics", file_of("v1", ["r-a@x", "r-b@x"]))
        p = self.run_cli("import", v1, "--user", "lee", "--calendar", "rep")
        self.assertEqual((p.returncode, self.summary(p)), (0, (2, 0, 0)), p.stderr)
        # the same file again: both skipped with the reason, nothing imported → 1
        p = self.run_cli("import", v1, "--user", "lee", "--calendar", "rep")
        self.assertEqual((p.returncode, self.summary(p)), (1, (0, 0, 2)), p.stderr)
        for uid in ("r-a@x", "r-b@x"):
            self.assertRegex(p.stderr, r"(?m)^skipped %s \(line \d+\): the UID is already in the calendar"
                             % re.escape(uid))
        # a mix: one new, two known → 0, the known ones skipped
        v2 = self.write("v2.ics", file_of("v2", ["r-a@x", "r-c@x", "r-client@x", "r-b@x"]))
        p = self.run_cli("import", v2, "--user", "lee", "--calendar", "rep")
        self.assertEqual((p.returncode, self.summary(p)), (0, (1, 0, 3)), p.stderr)
        self.assertIn("r-a@x v1", client.get(calpath + "r-a@x.ics").text)
        before = self.members(client, calpath)
        # --replace: same resource names (the client's own too), new content, ETags change
        p = self.run_cli("import", v2, "--user", "lee", "--calendar", "rep", "--replace")
        self.assertEqual((p.returncode, self.summary(p)), (0, (0, 4, 0)), p.stderr)
        after = self.members(client, calpath)
        self.assertEqual(set(after), set(before))
        self.assertEqual(len(after), 4)
        for href in after:
            if href.endswith("/r-c@x.ics"):  # replaced by the same text
                continue
            self.assertNotEqual(after[href].prop(d("getetag")).text, before[href].prop(d("getetag")).text)
        self.assertIn("r-client@x v2", client.get(calpath + "client-name.ics").text)
        self.assertIn("r-a@x v2", client.get(calpath + "r-a@x.ics").text)
        self.assertEqual(client.get(calpath + "r-client@x.ics").status, 404)
        # a new UID whose usual name a client gave another UID: both kept
        self.put_new(client, calpath + "r-e@x.ics", ics_event("not-r-e@x", "Squatter"))
        p = self.run_cli("import", "-", "--user", "lee", "--calendar", "rep",
                         input=file_of("v1", ["r-e@x"]))
        self.assertEqual((p.returncode, self.summary(p)), (0, (1, 0, 0)), p.stderr)
        self.assertIn("Squatter", client.get(calpath + "r-e@x.ics").text)
        self.assertIn("r-e@x v1", client.get(obj_href(calpath, "r-e@x", k=1)).text)
        # a UID line with parameters, LF line ends
        p = self.run_cli("import", "-", "--user", "lee", "--calendar", "rep",
                         input=file_of("v1", ["r-f@x"]).replace("UID:", "UID;X-A=1:").replace("\r\n", "\n"))
        self.assertEqual((p.returncode, self.summary(p)), (0, (1, 0, 0)), p.stderr)
        self.assertEqual(client.get(calpath + "r-f@x.ics").status, 200)
        # from stdin
        p = self.run_cli("import", "-", "--user", "lee", "--calendar", "rep",
                         input=file_of("v3", ["r-d@x"]))
        self.assertEqual((p.returncode, self.summary(p)), (0, (1, 0, 0)), p.stderr)

    # -- export of all calendars, progress bar -----------------------------

    def test_export_all_calendars(self):
        self.server.add_user("max")
        client = self.server.client("max")
        other = self.new_calendar("max", "work")
        self.put_event(client, cal_path("max", "default"), uid="home-1@x", summary="Home")
        self.put_new(client, other + "w.ics", ics_event(
            "work-1@x", "Work", start="DTSTART;TZID=Europe/Berlin:20310301T090000",
            end="DTEND;TZID=Europe/Berlin:20310301T100000", vtimezone=VTIMEZONE_BERLIN))
        self.put_new(client, other + "w2.ics", ics_event(
            "work-2@x", "Work 2", start="DTSTART;TZID=Europe/Berlin:20310302T090000",
            end="DTEND;TZID=Europe/Berlin:20310302T100000", vtimezone=VTIMEZONE_BERLIN))
        p = self.run_cli("export", "--user", "max")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(uids_of(p.stdout), {"home-1@x", "work-1@x", "work-2@x"})
        self.assertEqual(p.stdout.count("BEGIN:VTIMEZONE"), 1)
        self.assertTrue(p.stdout.startswith("BEGIN:VCALENDAR\n"))  # text mode: \r\n read as \n
        self.assertTrue(p.stdout.endswith("END:VCALENDAR\n"))
        self.assertEqual(p.stdout.count("BEGIN:VCALENDAR"), 1)
        p = self.run_cli("export", "--user", "max", "--calendar", "work")
        self.assertEqual(uids_of(p.stdout), {"work-1@x", "work-2@x"})
        for args in (("--user", "nobody-at-all"), ("--user", "max", "--calendar", "nope"), ()):
            p = self.run_cli("export", *args)
            self.assertNotEqual(p.returncode, 0, args)
            self.assertTrue(p.stderr.strip(), args)

    def test_progress_only_on_a_terminal(self):
        self.server.add_user("pat")
        n = 1000
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:x"]
        for i in range(n):
            lines += ["BEGIN:VEVENT", "UID:p-%d@x" % i, "DTSTAMP:20240101T000000Z",
                      "DTSTART:20310101T%02d0000Z" % (i % 24), "SUMMARY:p %d" % i, "END:VEVENT"]
        path = self.write("progress.ics", "\r\n".join(lines + ["END:VCALENDAR"]) + "\r\n")
        self.new_calendar("pat", "tty")
        self.new_calendar("pat", "pipe")
        p = self.run_cli("import", path, "--user", "pat", "--calendar", "pipe")
        self.assertEqual(p.returncode, 0)
        self.assertNotIn("\r", p.stderr)
        self.assertNotIn("[#", p.stderr)
        self.assertNotIn("#", p.stdout)
        master, slave = pty.openpty()
        try:
            proc = subprocess.Popen(self.server.base_args() + ["import", path, "--user", "pat",
                                                               "--calendar", "tty"],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave,
                                    cwd=self.server.tmp)
            os.close(slave)
            slave = None
            err = b""
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO once the child closed its side
                    break
                if not chunk:
                    break
                err += chunk
            out, _ = proc.communicate(timeout=60)
        finally:
            if slave is not None:
                os.close(slave)
            os.close(master)
        self.assertEqual(proc.returncode, 0, err[-2000:])
        self.assertIn(b"\r[", err)
        self.assertIn(b"] %d/%d" % (n, n), err)
        self.assertIn(b"########################################]", err)
        self.assertNotIn(b"\r", out)
        self.assertRegex(out.decode(), r"imported \d+, replaced 0, skipped 0")


if __name__ == "__main__":
    harness.main()
