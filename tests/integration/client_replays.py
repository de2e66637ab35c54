"""client_replays.py - what real calendar clients send when their user drags,
resizes, deletes or cancels an event, and how they sync afterwards.

Used by test_booking_edits.py. Standard library only.

Each client profile (THUNDERBIRD, APPLE_MACOS, APPLE_IOS, DAVX5) transforms an
object it fetched the way that client rewrites it before its PUT:

- Thunderbird (Lightning, calDavCalendar.js): reserialises the whole object
  with libical: its own PRODID, DTSTAMP and LAST-MODIFIED, X-MOZ-GENERATION
  increased on every local change, X-MOZ-LASTACK once an alarm was
  acknowledged, a VALARM with "Default Mozilla Description"; parameters
  reordered (RSVP first); times kept in the zone they had (UTC here). PUT and
  DELETE carry If-Match with the ETag it holds. It syncs with PROPFIND
  (getctag, sync-token), then sync-collection, then calendar-multiget.
- Apple Calendar (macOS CalendarAgent, iOS dataaccessd): moves the event into
  the device's zone (DTSTART;TZID=Europe/Berlin plus a VTIMEZONE), adds
  X-APPLE-TRAVEL-ADVISORY-BEHAVIOR, X-APPLE-CREATOR-IDENTITY, CREATED, TRANSP,
  alarms with UID, X-WR-ALARMUID and ACKNOWLEDGED, and reorders/extends
  ATTENDEE parameters (CUTYPE, EMAIL). PROPFIND (getctag, sync-token), then
  sync-collection, then multiget, then PUT/DELETE with If-Match.
- DAVx5 (ical4android): Europe/Berlin times, DURATION instead of DTEND, its
  PRODID naming the Android app, SEQUENCE increased on a local change, a
  DISPLAY alarm; If-Match on PUT and DELETE; sync-collection then multiget.

ClientView models one client's local cache of one calendar (href -> ETag,
data, dirty flag), syncing with the request sequence of its profile, so a test
can check that what the client shows converges to what the server holds.
"""

import re
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import urllib.parse

from harness import VTIMEZONE_BERLIN, d, c, norm_href as _norm_href

BERLIN = ZoneInfo("Europe/Berlin")
XML_DECL = '<?xml version="1.0" encoding="utf-8"?>\n'

# --------------------------------------------------------------------------
# iCalendar text, line by line


def norm_href(href):
    """Path of an href, percent-escapes decoded ("%40" and "@" are one member)."""
    return urllib.parse.unquote(_norm_href(href))


def unfold(text):
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    text = re.sub(r"\r?\n[ \t]", "", text)
    return [l for l in re.split(r"\r?\n", text) if l != ""]


def fold(lines):
    out = []
    for line in lines:
        b = line.encode("utf-8")
        first = True
        while len(b) > (75 if first else 74):
            cut = 75 if first else 74
            while cut > 0 and (b[cut] & 0xC0) == 0x80:  # not inside a UTF-8 sequence
                cut -= 1
            out.append((b"" if first else b" ") + b[:cut])
            b = b[cut:]
            first = False
        out.append((b"" if first else b" ") + b)
    return (b"\r\n".join(out) + b"\r\n").decode("utf-8")


def split_line(line):
    """'ATTENDEE;CN="A, B";PARTSTAT=X:mailto:a' -> ('ATTENDEE', [('CN', '"A, B"'), ...], 'mailto:a')."""
    i, quoted, n = 0, False, len(line)
    while i < n:
        ch = line[i]
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            break
        i += 1
    head, value = line[:i], line[i + 1:]
    parts, cur, quoted = [], "", False
    for ch in head:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    params = []
    for p in parts[1:]:
        k, _, v = p.partition("=")
        params.append((k.upper(), v))
    return parts[0].upper(), params, value


def join_line(name, params, value):
    return name + "".join(";%s=%s" % (k, v) for k, v in params) + ":" + value


class Ics:
    """One calendar object resource; edits address the master VEVENT (the
    first VEVENT) and its direct properties, not those of its VALARMs."""

    def __init__(self, text):
        self.lines = unfold(text)

    def text(self):
        return fold(self.lines)

    def _event(self, index=0):
        seen = -1
        for i, l in enumerate(self.lines):
            if l.upper() == "BEGIN:VEVENT":
                seen += 1
                if seen == index:
                    depth = 0
                    for j in range(i, len(self.lines)):
                        u = self.lines[j].upper()
                        if u.startswith("BEGIN:"):
                            depth += 1
                        elif u.startswith("END:"):
                            depth -= 1
                            if depth == 0:
                                return i, j
        raise KeyError("no VEVENT #%d" % index)

    def _direct(self):
        """Indices of the master's own property lines."""
        b, e = self._event()
        depth = 0
        out = []
        for i in range(b + 1, e):
            u = self.lines[i].upper()
            if u.startswith("BEGIN:"):
                depth += 1
            elif u.startswith("END:"):
                depth -= 1
            elif depth == 0:
                out.append(i)
        return out

    def props(self, name):
        name = name.upper()
        return [split_line(self.lines[i]) for i in self._direct() if split_line(self.lines[i])[0] == name]

    def get(self, name):
        p = self.props(name)
        return p[0][2] if p else None

    def has(self, name):
        return bool(self.props(name))

    def remove(self, name):
        name = name.upper()
        drop = set(i for i in self._direct() if split_line(self.lines[i])[0] == name)
        self.lines = [l for i, l in enumerate(self.lines) if i not in drop]
        return self

    def set(self, name, value, params=()):
        """Replaces the first `name` (keeping its place), or adds it."""
        name = name.upper()
        new = join_line(name, list(params), value)
        for i in self._direct():
            if split_line(self.lines[i])[0] == name:
                self.lines[i] = new
                # drop further ones
                rest = [j for j in self._direct() if j != i and split_line(self.lines[j])[0] == name]
                self.lines = [l for j, l in enumerate(self.lines) if j not in rest]
                return self
        return self.add(new)

    def add(self, *lines):
        """Adds property lines (or whole components) at the end of the master."""
        _, e = self._event()
        self.lines[e:e] = list(lines)
        return self

    def map_props(self, name, fn):
        """Rewrites every `name` line of the master: fn(params, value) -> (params, value)."""
        name = name.upper()
        for i in self._direct():
            n, p, v = split_line(self.lines[i])
            if n == name:
                p, v = fn(p, v)
                self.lines[i] = join_line(n, p, v)
        return self

    def components(self, comp):
        """Lines of each `comp` (e.g. VALARM) inside the master."""
        b, e = self._event()
        out, cur = [], None
        for i in range(b + 1, e):
            u = self.lines[i].upper()
            if u == "BEGIN:" + comp.upper():
                cur = []
            if cur is not None:
                cur.append(self.lines[i])
            if u == "END:" + comp.upper() and cur is not None:
                out.append(cur)
                cur = None
        return out

    def count(self, comp):
        return sum(1 for l in self.lines if l.upper() == "BEGIN:" + comp.upper())

    def set_calendar_prop(self, name, value):
        """A VCALENDAR property (PRODID, ...), replaced or added after VERSION."""
        for i, l in enumerate(self.lines):
            if l.upper().startswith("BEGIN:V") and i > 0:
                break
            if split_line(l)[0] == name.upper():
                self.lines[i] = "%s:%s" % (name.upper(), value)
                return self
        self.lines.insert(1, "%s:%s" % (name.upper(), value))
        return self

    def add_vtimezone(self, vtz=VTIMEZONE_BERLIN):
        if any(l.upper() == "BEGIN:VTIMEZONE" for l in self.lines):
            return self
        b, _ = self._event()
        self.lines[b:b] = vtz.strip().splitlines()
        return self

    def dt(self, name):
        """DTSTART/DTEND of the master as an aware datetime (UTC, TZID, or floating in Berlin)."""
        p = self.props(name)
        if not p:
            return None
        _, params, value = p[0]
        return parse_dt(value, dict(params).get("TZID"))

    def duration(self):
        v = self.get("DURATION")
        return parse_duration(v) if v else None

    def end(self):
        e = self.dt("DTEND")
        if e is not None:
            return e
        du = self.duration()
        return self.dt("DTSTART") + du if du is not None else None

    def attendee(self, address):
        """(params dict, value) of the ATTENDEE whose address is `address`
        (compared case-insensitively, mailto: optional)."""
        want = address.lower().replace("mailto:", "")
        for _, params, value in self.props("ATTENDEE"):
            if value.lower().replace("mailto:", "") == want:
                return dict(params), value
        return None


def parse_dt(value, tzid=None):
    if value.endswith("Z"):
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    if len(value) == 8:
        return datetime.strptime(value, "%Y%m%d").replace(tzinfo=ZoneInfo(tzid) if tzid else BERLIN)
    zone = ZoneInfo(tzid.strip('"')) if tzid else BERLIN
    return datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=zone)


def parse_duration(v):
    m = re.match(r"^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", v)
    if not m:
        raise ValueError("not a DURATION: %r" % v)
    sign = -1 if m.group(1) == "-" else 1
    w, dd, h, mi, s = (int(x) if x else 0 for x in m.groups()[1:])
    return sign * timedelta(weeks=w, days=dd, hours=h, minutes=mi, seconds=s)


def fmt_duration(td):
    secs = int(td.total_seconds())
    h, rest = divmod(secs, 3600)
    m, s = divmod(rest, 60)
    out = "PT"
    if h:
        out += "%dH" % h
    if m:
        out += "%dM" % m
    if s or out == "PT":
        out += "%dS" % s
    return out


def utc(dt):
    return dt.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def local(dt, zone=BERLIN):
    return dt.astimezone(zone).strftime("%Y%m%dT%H%M%S")


def stamp():
    return utc(datetime.now(timezone.utc))


# --------------------------------------------------------------------------
# The clients


class Profile:
    name = "client"
    user_agent = "client"
    kept = ()  # the client's own properties of the master, which the server must keep

    # -- what the client sends -------------------------------------------

    def put_headers(self, etag):
        h = {"Content-Type": "text/calendar; charset=utf-8"}
        if etag:
            h["If-Match"] = etag
        return h

    def delete_headers(self, etag):
        return {"If-Match": etag} if etag else {}

    def new_headers(self):
        return {"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"}

    def touch(self, ics):
        """What the client changes on every local edit."""
        ics.set("DTSTAMP", stamp())
        ics.set("LAST-MODIFIED", stamp())
        return ics

    def add_alarm(self, text):
        """The user adds a reminder (and the client its own data)."""
        raise NotImplementedError

    def drag(self, text, start, end):
        """The user drags (or resizes) the event to [start, end)."""
        ics = self.touch(Ics(text))
        self.set_times(ics, start, end)
        return ics.text()

    def set_times(self, ics, start, end):
        ics.set("DTSTART", utc(start))
        ics.remove("DURATION")
        ics.set("DTEND", utc(end))

    def cancel(self, text):
        """The user sets the event's status to cancelled."""
        ics = self.touch(Ics(text))
        ics.set("STATUS", "CANCELLED")
        return ics.text()

    def decline(self, text, address):
        """The user (attendee `address`) declines the invitation."""
        ics = self.touch(Ics(text))
        want = address.lower().replace("mailto:", "")

        def fn(params, value):
            if value.lower().replace("mailto:", "") == want:
                params = [(k, v) for k, v in params if k not in ("PARTSTAT", "RSVP")] + [("PARTSTAT", "DECLINED")]
            return params, value

        ics.map_props("ATTENDEE", fn)
        return ics.text()

    # -- how it syncs ----------------------------------------------------

    def sync_prelude(self, client, path):
        """Requests the client sends before sync-collection (capability and ctag checks)."""
        body = (XML_DECL + '<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/">'
                "<D:prop><CS:getctag/><D:sync-token/></D:prop></D:propfind>")
        return [client.request("PROPFIND", path, body, {"Depth": "0", "User-Agent": self.user_agent})]


class Thunderbird(Profile):
    name = "Thunderbird"
    kept = ("X-MOZ-GENERATION", "X-MOZ-LASTACK", "X-MOZ-SNOOZE-TIME", "CATEGORIES")
    user_agent = "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.6.0"

    def touch(self, ics):
        ics.set_calendar_prop("PRODID", "-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN")
        super().touch(ics)
        gen = ics.get("X-MOZ-GENERATION")
        ics.set("X-MOZ-GENERATION", str(int(gen) + 1 if gen else 1))
        # libical writes RSVP first and drops nothing
        def fn(params, value):
            rsvp = [(k, v) for k, v in params if k == "RSVP"] or [("RSVP", "FALSE")]
            return rsvp + [(k, v) for k, v in params if k != "RSVP"], value
        ics.map_props("ATTENDEE", fn)
        return ics

    def add_alarm(self, text):
        ics = self.touch(Ics(text))
        ics.set("X-MOZ-LASTACK", stamp())
        ics.set("X-MOZ-SNOOZE-TIME", utc(datetime.now(timezone.utc) + timedelta(days=30)))
        ics.set("CATEGORIES", "Business")
        ics.add("BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER;VALUE=DURATION:-PT15M",
                "DESCRIPTION:Default Mozilla Description", "END:VALARM")
        return ics.text()


class Apple(Profile):
    name = "Apple Calendar (macOS)"
    kept = ("X-APPLE-TRAVEL-ADVISORY-BEHAVIOR", "X-APPLE-CREATOR-IDENTITY", "X-APPLE-CREATOR-TEAM-IDENTITY",
            "CATEGORIES")
    user_agent = "macOS/14.2.1 (23C71) CalendarAgent/1000"
    prodid = "-//Apple Inc.//macOS 14.2.1//EN"

    def touch(self, ics):
        ics.set_calendar_prop("PRODID", self.prodid)
        super().touch(ics)
        if not ics.has("CREATED"):
            ics.set("CREATED", stamp())
        ics.set("TRANSP", "OPAQUE")
        ics.set("X-APPLE-TRAVEL-ADVISORY-BEHAVIOR", "AUTOMATIC")
        ics.set("X-APPLE-CREATOR-IDENTITY", "com.apple.calendar")
        ics.set("X-APPLE-CREATOR-TEAM-IDENTITY", "0000000000")

        def fn(params, value):
            p = dict(params)
            p.setdefault("CUTYPE", "INDIVIDUAL")
            p.setdefault("EMAIL", '"%s"' % value.split(":", 1)[-1])
            return sorted(p.items()), value
        ics.map_props("ATTENDEE", fn)
        # The device's zone: Apple rewrites UTC times as Europe/Berlin.
        for name in ("DTSTART", "DTEND"):
            v = ics.dt(name)
            if v is not None:
                ics.set(name, local(v), [("TZID", "Europe/Berlin")])
        ics.add_vtimezone()
        return ics

    def set_times(self, ics, start, end):
        ics.remove("DURATION")
        ics.set("DTSTART", local(start), [("TZID", "Europe/Berlin")])
        ics.set("DTEND", local(end), [("TZID", "Europe/Berlin")])

    def add_alarm(self, text):
        ics = self.touch(Ics(text))
        au = str(uuid.uuid4()).upper()
        ics.set("CATEGORIES", "Work")
        ics.add("BEGIN:VALARM", "X-WR-ALARMUID:" + au, "UID:" + au, "TRIGGER:-PT30M",
                "ATTACH;VALUE=URI:Chord", "ACTION:AUDIO", "ACKNOWLEDGED:" + stamp(),
                "X-APPLE-DEFAULT-ALARM:TRUE", "END:VALARM")
        return ics.text()

    def sync_prelude(self, client, path):
        h = {"Depth": "0", "User-Agent": self.user_agent}
        body = (XML_DECL + '<A:propfind xmlns:A="DAV:" xmlns:B="http://calendarserver.org/ns/" '
                'xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:D="http://apple.com/ns/ical/">'
                "<A:prop><B:getctag/><A:sync-token/><A:displayname/><D:calendar-color/>"
                "<C:supported-calendar-component-set/><A:current-user-privilege-set/></A:prop></A:propfind>")
        return [client.request("PROPFIND", path, body, h)]


class AppleIOS(Apple):
    name = "Apple Calendar (iOS)"
    user_agent = "iOS/17.2 (21C62) dataaccessd/1.0"
    prodid = "-//Apple Inc.//iPhone OS 17.2//EN"


class DAVx5(Profile):
    name = "DAVx5"
    kept = ("CATEGORIES", "COLOR")
    user_agent = "DAVx5/4.3.10-ose (2023/12/04; dav4jvm; okhttp/4.12.0) Android/14"

    def touch(self, ics):
        ics.set_calendar_prop("PRODID", "DAVx5/4.3.10-ose ical4j/3.2.14 (ws.xsoh.etar)")
        super().touch(ics)
        seq = ics.get("SEQUENCE")
        ics.set("SEQUENCE", str(int(seq) + 1 if seq else 1))
        # Android keeps times in the calendar's zone, and the length as DURATION.
        start, end = ics.dt("DTSTART"), ics.end()
        if start is not None and end is not None:
            self.set_times(ics, start, end)

        def fn(params, value):
            order = ("ROLE", "PARTSTAT", "CN")
            p = dict(params)
            return [(k, p[k]) for k in order if k in p] + [(k, v) for k, v in params if k not in order], value
        ics.map_props("ATTENDEE", fn)
        return ics

    def set_times(self, ics, start, end):
        ics.set("DTSTART", local(start), [("TZID", "Europe/Berlin")])
        ics.remove("DTEND")
        ics.set("DURATION", fmt_duration(end - start))
        ics.add_vtimezone()

    def add_alarm(self, text):
        ics = self.touch(Ics(text))
        ics.set("CATEGORIES", "Android")
        ics.set("COLOR", "teal")
        ics.add("BEGIN:VALARM", "TRIGGER:-PT10M", "ACTION:DISPLAY",
                "DESCRIPTION:%s" % (ics.get("SUMMARY") or "Reminder"), "END:VALARM")
        return ics.text()

    def sync_prelude(self, client, path):
        body = (XML_DECL + '<propfind xmlns="DAV:" xmlns:CS="http://calendarserver.org/ns/">'
                "<prop><CS:getctag/><sync-token/><max-resource-size "
                'xmlns="urn:ietf:params:xml:ns:caldav"/></prop></propfind>')
        return [client.request("PROPFIND", path, body, {"Depth": "0", "User-Agent": self.user_agent})]


THUNDERBIRD = Thunderbird()
APPLE_MACOS = Apple()
APPLE_IOS = AppleIOS()
DAVX5 = DAVx5()
ALL = (THUNDERBIRD, APPLE_MACOS, APPLE_IOS, DAVX5)


# --------------------------------------------------------------------------
# A client's local copy of one calendar


def _esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sync_body(token):
    tok = "<D:sync-token>%s</D:sync-token>" % _esc(token) if token else "<D:sync-token/>"
    return (XML_DECL + '<D:sync-collection xmlns:D="DAV:">%s<D:sync-level>1</D:sync-level>'
            "<D:prop><D:getetag/></D:prop></D:sync-collection>" % tok)


def multiget_body(hrefs):
    hs = "".join("<D:href>%s</D:href>" % _esc(h) for h in hrefs)
    return (XML_DECL + '<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            "<D:prop><D:getetag/><C:calendar-data/></D:prop>%s</C:calendar-multiget>" % hs)


class SyncError(AssertionError):
    pass


class ClientView:
    """What one client holds of one calendar: {href: [etag, data, dirty]}.

    sync() is the client's sync: its prelude, sync-collection with its last
    token, then calendar-multiget of every reported member whose ETag differs
    from the one it holds or whose local copy is dirty (an upload that did not
    go through); members reported 404 are dropped. put()/delete() are its
    uploads: a 2xx with an ETag keeps the sent data under that ETag; a 2xx
    without one keeps the data with no ETag (so the next sync fetches it); a
    refusal keeps the local edit, marked dirty (the client still shows what
    the user did until the server's truth comes back)."""

    def __init__(self, client, path, profile):
        self.client = client
        self.path = path
        self.profile = profile
        self.token = None
        self.items = {}
        self.log = []  # every response, for failure messages
        self.last_delta = None  # {href: status or etag} of the last sync

    def _req(self, method, path, body=None, headers=None):
        h = {"User-Agent": self.profile.user_agent}
        h.update(headers or {})
        r = self.client.request(method, path, body, h)
        self.log.append(r)
        return r

    def sync(self):
        for r in self.profile.sync_prelude(self.client, self.path):
            self.log.append(r)
            if r.status != 207:
                raise SyncError("sync prelude failed\n" + r.describe())
        r = self._req("REPORT", self.path, sync_body(self.token), {"Depth": "1"})
        if r.status != 207:
            raise SyncError("sync-collection failed\n" + r.describe())
        delta = {}
        fetch = []
        for m in r.multistatus():
            href = norm_href(m.href)
            if href.rstrip("/") == norm_href(self.path).rstrip("/"):
                continue
            if m.status == 404:
                delta[href] = 404
                self.items.pop(href, None)
                continue
            et = m.prop(d("getetag"))
            etag = et.text if et is not None and et.status == 200 else None
            delta[href] = etag
            have = self.items.get(href)
            if have is None or have[0] != etag or have[2]:
                fetch.append(href)
        if fetch:
            mg = self._req("REPORT", self.path, multiget_body(fetch), {"Depth": "1"})
            if mg.status != 207:
                raise SyncError("multiget failed\n" + mg.describe())
            for m in mg.multistatus():
                href = norm_href(m.href)
                data = m.prop(c("calendar-data"))
                et = m.prop(d("getetag"))
                if m.status == 404 or data is None or data.status != 200:
                    self.items.pop(href, None)
                    continue
                self.items[href] = [et.text if et is not None else None, data.text, False]
        self.token = r.sync_token()
        self.last_delta = delta
        return delta

    def refetch(self, href):
        """GET of one member (the user's "revert to the server's version")."""
        href = norm_href(href)
        r = self._req("GET", href)
        if r.status == 200:
            self.items[href] = [r.header("ETag"), r.text, False]
        elif r.status == 404:
            self.items.pop(href, None)
        return r

    def data(self, href):
        it = self.items.get(norm_href(href))
        return it[1] if it else None

    def etag(self, href):
        it = self.items.get(norm_href(href))
        return it[0] if it else None

    def put(self, href, text):
        href = norm_href(href)
        have = self.items.get(href)
        r = self._req("PUT", href, text, self.profile.put_headers(have[0] if have else None))
        if 200 <= r.status < 300:
            self.items[href] = [r.header("ETag"), text, False]
        else:
            self.items[href] = [have[0] if have else None, text, True]
        return r

    def create(self, href, text):
        href = norm_href(href)
        r = self._req("PUT", href, text, self.profile.new_headers())
        self.items[href] = [r.header("ETag"), text, not (200 <= r.status < 300)]
        return r

    def delete(self, href):
        href = norm_href(href)
        have = self.items.get(href)
        r = self._req("DELETE", href, None, self.profile.delete_headers(have[0] if have else None))
        if 200 <= r.status < 300:
            self.items.pop(href, None)
        elif have:
            have[2] = True  # still there, to be fetched again
        return r

    def diverging(self, server_get, server_hrefs=None):
        """[(href, why)] where the local copy differs from the server's
        (server_get(href) -> Response of a GET; server_hrefs: the members
        the server lists, to find those the client lacks)."""
        out = []
        for href in sorted(set(server_hrefs or ()) - set(self.items)):
            out.append((href, "the server has it; the client does not"))
        for href, (etag, data, dirty) in sorted(self.items.items()):
            g = server_get(href)
            if g.status == 404:
                out.append((href, "the client still has it; the server has not"))
            elif data is None or g.text.replace("\r\n", "\n") != data.replace("\r\n", "\n"):
                out.append((href, "the client's copy differs from the server's\n--- client ---\n%s\n"
                                  "--- server ---\n%s" % (data, g.text)))
            elif etag != g.header("ETag"):
                out.append((href, "ETag %s held, server has %s" % (etag, g.header("ETag"))))
            elif dirty:
                out.append((href, "still marked as not uploaded"))
        return out

    def transcript(self, last=8):
        return "\n\n".join(r.describe() for r in self.log[-last:])
