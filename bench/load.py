#!/usr/bin/python3
"""load.py - generate realistic calendar events and load them with PUT.

Standard library only (Debian's /usr/bin/python3). Used by run.py, and on
its own:

    bench/load.py --url http://127.0.0.1:8008 --user bench --password pw \\
        --collection /dav/calendars/bench/default/ --events 10000
    bench/load.py --dump /tmp/events --events 100     # write .ics files only

The generator is deterministic: the same --seed and --events give the same
bytes. The mix (see generate()):
  single timed events (UTC, Europe/Berlin or America/New_York with the
  VTIMEZONE included), all-day events (some several days long), weekly and
  daily recurrences with COUNT or UNTIL, some with EXDATE and an overridden
  instance (a second VEVENT with RECURRENCE-ID), VALARMs, ORGANIZER and
  ATTENDEEs, multi-line DESCRIPTIONs with non-ASCII text, LOCATION,
  CATEGORIES; lines folded at 75 octets as RFC 5545 requires.
"""

import argparse
import base64
import datetime as dt
import http.client
import json
import os
import random
import sys
import threading
import time
import unicodedata
import urllib.parse
import uuid
from collections import Counter

# ---- iCalendar text --------------------------------------------------------

VTIMEZONES = {
    "Europe/Berlin": [
        "BEGIN:VTIMEZONE",
        "TZID:Europe/Berlin",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "TZNAME:CEST",
        "DTSTART:19700329T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "TZNAME:CET",
        "DTSTART:19701025T030000",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "END:STANDARD",
        "END:VTIMEZONE",
    ],
    "America/New_York": [
        "BEGIN:VTIMEZONE",
        "TZID:America/New_York",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:-0500",
        "TZOFFSETTO:-0400",
        "TZNAME:EDT",
        "DTSTART:19700308T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:-0400",
        "TZOFFSETTO:-0500",
        "TZNAME:EST",
        "DTSTART:19701101T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
        "END:STANDARD",
        "END:VTIMEZONE",
    ],
}

WORDS = (
    "appointment review service tyre change inspection brake oil filter "
    "consultation follow-up haircut colour massage physio check-up dental "
    "cleaning x-ray meeting call planning budget quarterly workshop training "
    "onboarding interview demo customer supplier delivery invoice warranty "
    "Termin Prüfung Übergabe Beratung Schlüssel Größe Rückruf Anzahlung "
    "café résumé naïve señor"
).split()
NAMES = (
    "Anna Müller", "Ben Schröder", "Chloé Martin", "David Smith", "Eva Novák",
    "Fatima Yılmaz", "George O'Brien", "Hanna Łukasiewicz", "Ivan Petrov",
    "Julia Rossi", "Kenji Tanaka", "Laura García", "Mehmet Öztürk",
    "Nora Lindqvist", "Oskar Weiß", "Priya Nair",
)
LOCATIONS = (
    "Bay 3", "Room 1.04, Hauptstraße 12, 10115 Berlin", "Salon, chair 2",
    "Clinic – Room B", "Workshop; lift 2", "https://meet.example.com/abc-defg",
    "5th Ave & 42nd St, New York, NY",
)
CATEGORIES = ("SERVICE", "REPAIR", "CUSTOMER", "INTERNAL", "FOLLOW-UP")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def escape_text(s):
    return (s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold(line):
    """Fold a content line at 75 octets without splitting a UTF-8 sequence."""
    b = line.encode("utf-8")
    if len(b) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(b):
        end = min(start + limit, len(b))
        while end < len(b) and (b[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(b[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines start with a space
    return "\r\n ".join(parts)


def fmt_utc(t):
    return t.strftime("%Y%m%dT%H%M%SZ")


def fmt_local(t):
    return t.strftime("%Y%m%dT%H%M%S")


def fmt_date(d):
    return d.strftime("%Y%m%d")


# ---- events ----------------------------------------------------------------

class Event:
    """Parameters of one calendar object; render() gives its bytes."""

    __slots__ = ("uid", "name", "kind", "tz", "start", "dur", "allday_days",
                 "rrule", "instances", "exdates", "override", "summary",
                 "description", "location", "categories", "alarms",
                 "organizer", "attendees", "status", "transp", "klass",
                 "created")

    @property
    def href_name(self):
        return self.name + ".ics"


def _instances(start, freq, interval, byday, n):
    """The first n occurrence starts (date or datetime) of a simple rule."""
    out, t = [], start
    if freq == "DAILY":
        while len(out) < n:
            out.append(t)
            t += dt.timedelta(days=interval)
        return out
    wanted = {DAYS.index(d) for d in byday}
    week0 = start - dt.timedelta(days=start.weekday())
    while len(out) < n:
        weeks = (t - week0).days // 7
        if t.weekday() in wanted and weeks % interval == 0:
            out.append(t)
        t += dt.timedelta(days=1)
    return out


def generate(count, seed=1):
    """count Events, deterministic for (count, seed)."""
    rng = random.Random(seed)
    base = dt.datetime(2024, 1, 1, 0, 0, 0)
    events = []
    for i in range(count):
        e = Event()
        u = uuid.UUID(int=rng.getrandbits(128), version=4)
        e.uid = str(u).upper() if rng.random() < 0.3 else str(u)
        e.name = e.uid if rng.random() < 0.8 else "ev-%06d" % i
        r = rng.random()
        e.kind = ("single" if r < 0.55 else "allday" if r < 0.70
                  else "weekly" if r < 0.88 else "daily")
        day = base + dt.timedelta(days=rng.randrange(0, 3 * 365))
        if e.kind == "allday":
            e.tz = None
            e.start = day.date()
            e.allday_days = 1 if rng.random() < 0.8 else rng.randrange(2, 6)
            e.dur = None
        else:
            r = rng.random()
            e.tz = ("Europe/Berlin" if r < 0.40 else
                    "America/New_York" if r < 0.60 else None)
            e.start = day.replace(hour=rng.randrange(7, 19),
                                  minute=rng.choice((0, 15, 30, 45)))
            e.dur = dt.timedelta(minutes=rng.choice((15, 30, 45, 60, 60, 90, 120, 240)))
            e.allday_days = None
        e.rrule = e.instances = None
        e.exdates, e.override = [], None
        if e.kind in ("weekly", "daily") or (e.kind == "allday" and rng.random() < 0.1):
            freq = "DAILY" if e.kind == "daily" else "WEEKLY"
            interval = rng.choice((1, 1, 1, 2))
            byday = None
            if freq == "WEEKLY":
                wd = DAYS[e.start.weekday()]
                byday = [wd]
                if rng.random() < 0.3:
                    byday = sorted({wd, rng.choice(DAYS[:5])}, key=DAYS.index)
            n = rng.randrange(3, 60)
            inst = _instances(e.start, freq, interval, byday or [], n)
            parts = ["FREQ=" + freq]
            if interval > 1:
                parts.append("INTERVAL=%d" % interval)
            if byday:
                parts.append("BYDAY=" + ",".join(byday))
            if rng.random() < 0.5:
                parts.append("COUNT=%d" % n)
            else:
                last = inst[-1]
                if e.kind == "allday":
                    parts.append("UNTIL=" + fmt_date(last))
                else:
                    # UNTIL is UTC; local time + 12 h lies after the last
                    # instance and before the next for UTC-5..UTC+2 zones.
                    parts.append("UNTIL=" + fmt_utc(last + dt.timedelta(hours=12)))
            e.rrule = ";".join(parts)
            e.instances = inst
            pool = inst[1:min(len(inst), 12)]
            if len(pool) >= 3 and rng.random() < 0.3:
                e.exdates = sorted(rng.sample(pool, rng.choice((1, 1, 2))))
            rest = [t for t in pool if t not in e.exdates]
            if rest and rng.random() < 0.25:
                e.override = rng.choice(rest)
        words = rng.sample(WORDS, rng.randrange(2, 5))
        e.summary = " ".join(words).capitalize() + " #%d" % i
        e.description = None
        if rng.random() < 0.6:
            lines = []
            for _ in range(rng.randrange(1, 7)):
                lines.append(" ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 25))))
            e.description = "\n".join(lines)
        e.location = rng.choice(LOCATIONS) if rng.random() < 0.4 else None
        e.categories = (sorted(rng.sample(CATEGORIES, rng.randrange(1, 3)))
                        if rng.random() < 0.2 else None)
        e.alarms = []
        if rng.random() < 0.35:
            e.alarms.append(("DISPLAY", rng.choice((5, 10, 15, 30, 60, 1440))))
            if rng.random() < 0.2:
                e.alarms.append(("AUDIO", 0))
        e.organizer, e.attendees = None, []
        if rng.random() < 0.3:
            people = rng.sample(NAMES, rng.randrange(2, 8))
            e.organizer = people[0]
            e.attendees = [(p, rng.choice(("ACCEPTED", "NEEDS-ACTION", "TENTATIVE", "DECLINED")))
                           for p in people[1:]]
        e.status = rng.choice(("CONFIRMED", "CONFIRMED", "TENTATIVE", None))
        e.transp = "TRANSPARENT" if e.kind == "allday" else None
        e.klass = "PRIVATE" if rng.random() < 0.05 else None
        e.created = base - dt.timedelta(days=rng.randrange(1, 400), seconds=rng.randrange(86400))
        events.append(e)
    return events


def _mail(name):
    plain = unicodedata.normalize("NFKD", name.lower().replace(" ", "."))
    local = "".join(c for c in plain if c.isascii() and (c.isalnum() or c == "."))
    return "mailto:%s@example.com" % local


def _when(e, t):
    """DTSTART-like value (params, value) for an instance start t."""
    if e.kind == "allday" or isinstance(t, dt.date) and not isinstance(t, dt.datetime):
        return ";VALUE=DATE", fmt_date(t)
    if e.tz:
        return ";TZID=" + e.tz, fmt_local(t)
    return "", fmt_utc(t)


def _vevent(e, out, rev, stamp, recurrence_id=None):
    out.append("BEGIN:VEVENT")
    out.append("UID:" + e.uid)
    out.append("DTSTAMP:" + stamp)
    out.append("CREATED:" + fmt_utc(e.created))
    out.append("LAST-MODIFIED:" + stamp)
    start = e.start
    summary = e.summary
    if recurrence_id is not None:
        p, v = _when(e, recurrence_id)
        out.append("RECURRENCE-ID" + p + ":" + v)
        start = recurrence_id + (dt.timedelta(hours=1) if e.kind != "allday" else dt.timedelta(0))
        summary = summary + " (moved)"
    if rev:
        summary = summary + " (rev %d)" % rev
    p, v = _when(e, start)
    out.append("DTSTART" + p + ":" + v)
    if e.kind == "allday":
        out.append("DTEND;VALUE=DATE:" + fmt_date(start + dt.timedelta(days=e.allday_days)))
    elif e.dur.seconds % 3600 == 0 and e.dur.seconds // 3600 in (1, 4):
        out.append("DURATION:PT%dH" % (e.dur.seconds // 3600))
    else:
        p, v = _when(e, start + e.dur)
        out.append("DTEND" + p + ":" + v)
    if e.rrule and recurrence_id is None:
        out.append("RRULE:" + e.rrule)
        if e.exdates:
            p, _ = _when(e, e.exdates[0])
            out.append("EXDATE" + p + ":" + ",".join(_when(e, t)[1] for t in e.exdates))
    out.append("SUMMARY:" + escape_text(summary))
    if e.description:
        out.append("DESCRIPTION:" + escape_text(e.description))
    if e.location:
        out.append("LOCATION:" + escape_text(e.location))
    if e.categories:
        out.append("CATEGORIES:" + ",".join(e.categories))
    if e.status:
        out.append("STATUS:" + e.status)
    if e.transp:
        out.append("TRANSP:" + e.transp)
    if e.klass:
        out.append("CLASS:" + e.klass)
    out.append("SEQUENCE:%d" % rev)
    if e.organizer:
        out.append('ORGANIZER;CN="%s":%s' % (e.organizer, _mail(e.organizer)))
        for name, partstat in e.attendees:
            out.append('ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=%s;'
                       'RSVP=TRUE;CN="%s":%s' % (partstat, name, _mail(name)))
    for action, minutes in e.alarms:
        out.append("BEGIN:VALARM")
        out.append("ACTION:" + action)
        out.append("TRIGGER:-PT%dM" % minutes if minutes else "TRIGGER;RELATED=START:PT0S")
        if action == "DISPLAY":
            out.append("DESCRIPTION:Reminder")
        out.append("END:VALARM")
    out.append("END:VEVENT")


def render(e, rev=0):
    """The bytes of event e; rev > 0 gives a modified version (SUMMARY,
    SEQUENCE, LAST-MODIFIED change)."""
    stamp = fmt_utc(dt.datetime(2025, 1, 1) + dt.timedelta(seconds=rev))
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//slotdav//bench load.py//EN",
           "CALSCALE:GREGORIAN"]
    if e.tz:
        out.extend(VTIMEZONES[e.tz])
    _vevent(e, out, rev, stamp)
    if e.override is not None:
        _vevent(e, out, rev, stamp, recurrence_id=e.override)
    out.append("END:VCALENDAR")
    return ("\r\n".join(fold(l) for l in out) + "\r\n").encode("utf-8")


def describe(events):
    """Counts of the mix, for the report."""
    c = Counter(e.kind for e in events)
    c["with_vtimezone"] = sum(1 for e in events if e.tz)
    c["with_exdate"] = sum(1 for e in events if e.exdates)
    c["with_override"] = sum(1 for e in events if e.override is not None)
    c["with_valarm"] = sum(1 for e in events if e.alarms)
    c["with_attendees"] = sum(1 for e in events if e.attendees)
    c["with_description"] = sum(1 for e in events if e.description)
    return dict(c)


# ---- HTTP ------------------------------------------------------------------

class Client:
    """One keep-alive HTTP/1.1 connection with Basic auth. Reconnects (once
    per request) when the server closed an idle connection; servers that
    close after every answer (HTTP/1.0 ones) work too."""

    def __init__(self, host, port, user=None, password=None, timeout=120):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = None
        self.reconnects = 0
        self.auth = None
        if user is not None:
            tok = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
            self.auth = "Basic " + tok

    def _connect(self):
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def request(self, method, path, body=None, headers=None):
        """(status, headers dict (lower-case names), body bytes, seconds)."""
        h = {"User-Agent": "slotdav-bench"}
        if self.auth:
            h["Authorization"] = self.auth
        if headers:
            h.update(headers)
        for attempt in (0, 1):
            fresh = self.conn is None or self.conn.sock is None
            if self.conn is None:
                self._connect()
            t0 = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
            except (http.client.RemoteDisconnected, ConnectionResetError,
                    BrokenPipeError, http.client.BadStatusLine) as ex:
                self.close()
                if attempt or fresh:
                    raise
                self.reconnects += 1
                continue
            dt_ = time.perf_counter() - t0
            hdrs = {k.lower(): v for k, v in r.getheaders()}
            if r.will_close:
                self.close()
            return r.status, hdrs, data, dt_
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
        self.conn = None


def put_all(host, port, user, password, collection, items, connections=4,
            create=True, timeout=120, deadline=None):
    """PUT every (name, bytes) of items into collection over `connections`
    parallel keep-alive connections. Returns a dict: seconds, statuses,
    etags {name: etag}, problems [first few unexpected answers]."""
    lock = threading.Lock()
    it = iter(items)
    statuses = Counter()
    etags = {}
    problems = []
    reconnects = [0]

    def worker():
        c = Client(host, port, user, password, timeout)
        try:
            while True:
                if deadline and time.monotonic() > deadline:
                    return
                with lock:
                    nxt = next(it, None)
                if nxt is None:
                    return
                name, body = nxt
                hdrs = {"Content-Type": "text/calendar; charset=utf-8"}
                if create:
                    hdrs["If-None-Match"] = "*"
                path = collection + name
                try:
                    st, rh, data, _ = c.request("PUT", path, body, hdrs)
                except Exception as ex:  # noqa: BLE001 - recorded, not hidden
                    with lock:
                        statuses["exception"] += 1
                        if len(problems) < 20:
                            problems.append({"request": "PUT " + path, "error": repr(ex)})
                    c.close()
                    continue
                with lock:
                    statuses[st] += 1
                    if st in (200, 201, 204):
                        if "etag" in rh:
                            etags[name] = rh["etag"]
                    elif len(problems) < 20:
                        problems.append({"request": "PUT " + path, "status": st,
                                         "body": data[:500].decode("utf-8", "replace")})
        finally:
            with lock:
                reconnects[0] += c.reconnects
            c.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"seconds": time.perf_counter() - t0, "statuses": dict(statuses),
            "etags": etags, "problems": problems, "reconnects": reconnects[0]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--url", help="server, e.g. http://127.0.0.1:8008")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--collection", help="collection path, ending in /")
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--dump", help="write the .ics files to this directory instead")
    a = ap.parse_args()
    events = generate(a.events, a.seed)
    print(json.dumps(describe(events)), file=sys.stderr)
    if a.dump:
        os.makedirs(a.dump, exist_ok=True)
        for e in events:
            with open(os.path.join(a.dump, e.href_name), "wb") as f:
                f.write(render(e))
        return 0
    if not (a.url and a.collection):
        ap.error("--url and --collection (or --dump) are required")
    u = urllib.parse.urlsplit(a.url)
    res = put_all(u.hostname, u.port or 80, a.user, a.password, a.collection,
                  ((e.href_name, render(e)) for e in events), a.connections)
    res.pop("etags")
    res["rate"] = a.events / res["seconds"] if res["seconds"] else 0
    print(json.dumps(res, indent=1))
    return 0 if set(res["statuses"]) <= {201, 204} else 1


if __name__ == "__main__":
    sys.exit(main())
