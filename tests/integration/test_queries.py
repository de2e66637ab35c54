#!/usr/bin/python3
"""test_queries.py - CalDAV queries (RFC 4791 7.8-7.10, 9.6-9.9) end to end.

Part 1 drives slotdav with python3-caldav (Debian 0.11): date searches with
and without server-side expansion over a calendar that mixes single,
recurring (COUNT, UNTIL + EXDATE, overridden instance), all-day, floating and
zoned events (Europe/Berlin, America/New_York, Asia/Tokyo, UTC). The windows
cross DST changes and hit an overridden instance's new time and an EXDATE'd
date. Expected answers are worked out by hand in query_data.py and below.

Part 2 sends raw REPORTs: free-busy-query, partial calendar-data,
limit-recurrence-set, text-match + param-filter, negate-condition and
collations, is-not-defined, calendar-timezone for floating times, the
error cases (valid-filter, supported-collation, expand without a range,
min/max-date-time on PUT) and a hostile RRULE that must not hang the server.
"""

import datetime
import logging
import re

import caldav
import caldav.objects

import harness
import query_data
from davtest import XML_DECL, DavTestCase, proppatch_body
from harness import c, norm_href, unique
from query_data import VTIMEZONE_NEW_YORK, vcalendar, vevent

logging.getLogger("caldav").setLevel(logging.ERROR)

UTC = datetime.timezone.utc


def utc(*a):
    return datetime.datetime(*a, tzinfo=UTC)


def unfold(text):
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return re.sub(r"\r?\n[ \t]", "", text)


def components(text, name="VEVENT"):
    """List of the property lines (unfolded, without CR) of each `name`
    component in an iCalendar text, nested components left out."""
    out = []
    cur = None
    depth = 0
    for line in unfold(text).splitlines():
        line = line.rstrip("\r")
        if cur is None:
            if line == "BEGIN:%s" % name:
                cur, depth = [], 0
            continue
        if line.startswith("BEGIN:"):
            depth += 1
        elif line.startswith("END:"):
            if depth == 0:
                out.append(cur)
                cur = None
                continue
            depth -= 1
        elif depth == 0:
            cur.append(line)
    return out


def prop_line(lines, name):
    """(params, value) of the first property `name` in a component's lines."""
    for ln in lines:
        m = re.match(r"([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$", ln)
        if m and m.group(1).upper() == name:
            return m.group(2), m.group(3)
    return None


def _duration(text):
    m = re.fullmatch(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", text)
    if not m or text in ("P", "PT"):
        raise AssertionError("bad duration %r" % text)
    w, dd, h, mi, se = (int(x or 0) for x in m.groups())
    return datetime.timedelta(weeks=w, days=dd, hours=h, minutes=mi, seconds=se)


def period(text):
    """A FREEBUSY period (start/end or start/duration, UTC) as start/end."""
    a, b = text.split("/")
    if b.startswith("P"):
        start = datetime.datetime.strptime(a, "%Y%m%dT%H%M%SZ")
        b = (start + _duration(b)).strftime("%Y%m%dT%H%M%SZ")
    for x in (a, b):
        if not re.fullmatch(r"\d{8}T\d{6}Z", x):
            raise AssertionError("FREEBUSY period %r is not in UTC" % text)
    return "%s/%s" % (a, b)


def freebusy_periods(fb_lines):
    """Sorted (FBTYPE, start/end) of the FREEBUSY lines of a VFREEBUSY."""
    out = []
    for ln in fb_lines:
        if ln.upper().startswith("FREEBUSY"):
            m = re.fullmatch(r"FREEBUSY(;FBTYPE=([A-Z-]+))?:(.*)", ln)
            if not m:
                raise AssertionError("odd FREEBUSY line %r" % ln)
            out += [(m.group(2) or "BUSY", period(p)) for p in m.group(3).split(",")]
    return sorted(out)


def prop_names(lines):
    return sorted(re.match(r"([A-Za-z0-9-]+)", ln).group(1).upper() for ln in lines)


def instances(text):
    """{(UID, DTSTART, RECURRENCE-ID or None)} of the VEVENTs of an expanded
    reply, asserting that every DTSTART / RECURRENCE-ID is a plain UTC value."""
    out = []
    for comp in components(text):
        uid = prop_line(comp, "UID")[1]
        params, start = prop_line(comp, "DTSTART")
        rid = prop_line(comp, "RECURRENCE-ID")
        for what, p, v in (("DTSTART", params, start),) + ((("RECURRENCE-ID",) + rid,) if rid else ()):
            # RFC 4791 9.6.5: zoned date-times become UTC; DATE values and
            # floating times (no zone reference) may stay as they are.
            if not (p == "" and re.fullmatch(r"\d{8}T\d{6}Z?", v)
                    or p.upper() == ";VALUE=DATE" and re.fullmatch(r"\d{8}", v)):
                raise AssertionError("expanded %s of %s is zoned, not UTC: %s%s:%s\n%s"
                                     % (what, uid, what, p, v, text))
        if "BEGIN:VTIMEZONE" in unfold(text):
            raise AssertionError("expanded data must not include VTIMEZONE (RFC 4791 9.6.5)\n" + text)
        for bad in ("RRULE", "RDATE", "EXDATE", "EXRULE"):
            if prop_line(comp, bad):
                raise AssertionError("expanded instance of %s still has %s\n%s" % (uid, bad, text))
        out.append((uid, start, rid[1] if rid else None))
    return out


# ==========================================================================
# Part 1: python3-caldav date searches


class CaldavDateSearchTests(harness.ServerTestCase):
    """One calendar holding query_data.MIXED; each test searches a window."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pw = cls.server.add_user("dora")
        cls.client_ = caldav.DAVClient(url=cls.server.base_url + "/", username="dora", password=cls.pw,
                                       timeout=30)
        cls.addClassCleanup(cls.client_.close)
        principal = cls.client_.principal()
        cls.cal = principal.make_calendar(name="Mixed", cal_id=unique("mixed"))
        cls.uid = {}
        for key, make in query_data.MIXED.items():
            uid = unique(key)
            cls.uid[key] = uid
            cls.cal.save_event(make(uid))

    def setUp(self):
        # python-caldav silently expands on the client (recurring_ical_events)
        # when the server's expanded reply still carries RRULE/RDATE/EXDATE.
        # Record such fallbacks: these tests are about the server's expansion.
        self.client_fallbacks = []
        orig = caldav.objects.CalendarObjectResource.expand_rrule
        fallbacks = self.client_fallbacks

        def spy(obj, start, end):
            fallbacks.append(str(obj.url))
            return orig(obj, start, end)

        caldav.objects.CalendarObjectResource.expand_rrule = spy
        self.addCleanup(setattr, caldav.objects.CalendarObjectResource, "expand_rrule", orig)

    def U(self, *keys):
        return sorted(self.uid[k] for k in keys)

    def search_uids(self, start, end):
        """date_search without expansion: sorted UIDs, one object per resource."""
        objs = self.cal.date_search(start, end, expand=False)
        # (not o.icalendar_component: python-caldav asserts a single component
        # and the overridden series holds two)
        uids = sorted(harness.ics_uid(o.data) for o in objs)
        self.assertEqual(len(set(str(o.url) for o in objs)), len(objs), "one object per resource")
        return uids

    def expanded(self, start, end):
        """date_search(expand=True): sorted (UID, DTSTART, RECURRENCE-ID) of all instances."""
        objs = self.cal.date_search(start, end, expand=True)
        self.assertEqual(self.client_fallbacks, [],
                         "the server's expanded reply kept recurrence rules; python-caldav expanded on "
                         "the client instead")
        out = []
        for o in objs:
            out.extend(instances(o.data))
        return sorted(out)

    def exp(self, key, *pairs):
        """Expected instances of one event: pairs of (DTSTART, RECURRENCE-ID)."""
        return [(self.uid[key], s, r) for s, r in pairs]

    def test_all_objects_in_the_two_months(self):
        # 1 Mar .. 1 May holds every event.
        start, end = utc(2030, 3, 1), utc(2030, 5, 1)
        self.assertEqual(self.search_uids(start, end), self.U(*query_data.MIXED))
        got = self.expanded(start, end)
        by_uid = {}
        for uid, s, r in got:
            by_uid.setdefault(uid, []).append((s, r))
        self.assertEqual(sorted(by_uid), self.U(*query_data.MIXED), got)
        # Recurring events: every instance, in UTC, with its RECURRENCE-ID.
        self.assertEqual(sorted(by_uid[self.uid["weekly_berlin"]]), [
            ("20300318T080000Z", "20300318T080000Z"), ("20300325T080000Z", "20300325T080000Z"),
            ("20300401T070000Z", "20300401T070000Z"), ("20300408T070000Z", "20300408T070000Z")])
        self.assertEqual(sorted(by_uid[self.uid["daily_ny"]]), [
            ("20300308T230000Z", "20300308T230000Z"), ("20300309T230000Z", "20300309T230000Z"),
            ("20300310T220000Z", "20300310T220000Z"), ("20300312T220000Z", "20300312T220000Z"),
            ("20300313T220000Z", "20300313T220000Z")])
        self.assertEqual(sorted(by_uid[self.uid["tokyo_override"]]), [
            ("20300402T010000Z", "20300402T010000Z"), ("20300411T060000Z", "20300409T010000Z"),
            ("20300416T010000Z", "20300416T010000Z")])
        # Non-recurring zoned events: one component, start in UTC.
        self.assertEqual([s for s, _ in by_uid[self.uid["single_tokyo"]]], ["20300311T230000Z"])
        self.assertEqual([s for s, _ in by_uid[self.uid["single_utc"]]], ["20300305T100000Z"])
        self.assertEqual(len(by_uid[self.uid["allday"]]), 1)
        self.assertEqual(len(by_uid[self.uid["floating"]]), 1)

    def test_window_across_berlin_dst(self):
        # 25 Mar 07:30Z .. 1 Apr 07:30Z crosses 31 Mar (CET -> CEST).
        # weekly_berlin: 25 Mar 08:00Z (CET) in; 1 Apr 07:00Z-08:00Z (CEST)
        # overlaps the end. Taking +1 on 1 Apr (08:00Z) would miss it.
        # Nothing else: tokyo_override starts 2 Apr, floating/all-day are before.
        start, end = utc(2030, 3, 25, 7, 30), utc(2030, 4, 1, 7, 30)
        self.assertEqual(self.search_uids(start, end), self.U("weekly_berlin"))
        self.assertEqual(self.expanded(start, end), self.exp(
            "weekly_berlin", ("20300325T080000Z", "20300325T080000Z"), ("20300401T070000Z", "20300401T070000Z")))

    def test_window_across_new_york_dst(self):
        # 9 Mar 22:30Z .. 10 Mar 22:30Z crosses 10 Mar 07:00Z (EST -> EDT).
        # daily_ny: 9 Mar 23:00Z (EST) in; 10 Mar 18:00 EDT = 22:00Z-23:00Z
        # overlaps the end (with EST it would be 23:00Z, outside).
        start, end = utc(2030, 3, 9, 22, 30), utc(2030, 3, 10, 22, 30)
        self.assertEqual(self.search_uids(start, end), self.U("daily_ny"))
        self.assertEqual(self.expanded(start, end), self.exp(
            "daily_ny", ("20300309T230000Z", "20300309T230000Z"), ("20300310T220000Z", "20300310T220000Z")))

    def test_window_with_only_the_overridden_instance(self):
        # 11 Apr: only the 9 Apr Tokyo instance moved to 11 Apr 06:00Z.
        start, end = utc(2030, 4, 11), utc(2030, 4, 12)
        self.assertEqual(self.search_uids(start, end), self.U("tokyo_override"))
        self.assertEqual(self.expanded(start, end),
                         self.exp("tokyo_override", ("20300411T060000Z", "20300409T010000Z")))
        objs = self.cal.date_search(start, end, expand=True)
        self.assertEqual(len(objs), 1)
        comps = components(objs[0].data)
        self.assertEqual(len(comps), 1, objs[0].data)
        self.assertEqual(prop_line(comps[0], "SUMMARY")[1], "Weekly Tokyo (moved)")

    def test_window_with_the_overridden_original_slot(self):
        # 9 Apr: the Tokyo instance that used to be here moved away; the Berlin
        # series ended on 8 Apr (07:00Z-08:00Z). Nothing matches.
        start, end = utc(2030, 4, 9), utc(2030, 4, 10)
        self.assertEqual(self.search_uids(start, end), [])
        self.assertEqual(self.expanded(start, end), [])

    def test_window_with_only_an_exdate(self):
        # 11 Mar 20:00Z .. 12 Mar 04:00Z: daily_ny's 11 Mar 22:00Z is an
        # EXDATE; its neighbours (10 Mar 22:00Z-23:00Z, 12 Mar 22:00Z) are
        # outside. single_tokyo (11 Mar 23:00Z) is in; were Tokyo taken as
        # UTC it would be 12 Mar 08:00Z, outside.
        start, end = utc(2030, 3, 11, 20), utc(2030, 3, 12, 4)
        self.assertEqual(self.search_uids(start, end), self.U("single_tokyo"))
        self.assertEqual(self.expanded(start, end), self.exp("single_tokyo", ("20300311T230000Z", None)))

    def test_search_api_with_split_expansion(self):
        # search(start, end, event=True, expand=True) splits the instances into
        # one object each: weekly_berlin 18 Mar..8 Apr (4) and daily_ny (5)
        # within 8 Mar .. 9 Apr; single_utc is before 8 Mar; single_tokyo,
        # all-day and floating count once; tokyo_override: 2 Apr only (the
        # 9 Apr instance moved to 11 Apr).
        start, end = utc(2030, 3, 8), utc(2030, 4, 9)
        objs = self.cal.search(start=start, end=end, event=True, expand=True)
        self.assertEqual(self.client_fallbacks, [], "python-caldav had to expand on the client")
        counts = {}
        for o in objs:
            (inst,) = instances(o.data)
            counts[inst[0]] = counts.get(inst[0], 0) + 1
        self.assertEqual(counts, {self.uid["weekly_berlin"]: 4, self.uid["daily_ny"]: 5,
                                  self.uid["single_tokyo"]: 1, self.uid["allday"]: 1,
                                  self.uid["floating"]: 1, self.uid["tokyo_override"]: 1})

    def test_unexpanded_data_is_the_whole_resource(self):
        # Without expand the stored object comes back as is: RRULE, EXDATE and
        # the override all present.
        objs = self.cal.date_search(utc(2030, 3, 11, 20), utc(2030, 4, 12), expand=False)
        data = {harness.ics_uid(o.data): unfold(o.data) for o in objs}
        self.assertIn("RRULE:FREQ=DAILY;UNTIL=20300313T230000Z", data[self.uid["daily_ny"]])
        self.assertIn("EXDATE;TZID=America/New_York:20300311T180000", data[self.uid["daily_ny"]])
        self.assertEqual(len(components(data[self.uid["tokyo_override"]])), 2)


# ==========================================================================
# Part 2: raw REPORTs


def caldata_query(filter_xml, caldata="<C:calendar-data/>", props="<D:getetag/>"):
    return (XML_DECL + '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            "<D:prop>%s%s</D:prop><C:filter>%s</C:filter></C:calendar-query>" % (props, caldata, filter_xml))


def vcal_filter(inner):
    return '<C:comp-filter name="VCALENDAR">%s</C:comp-filter>' % inner


def freebusy_body(start, end):
    return (XML_DECL + '<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">'
            '<C:time-range start="%s" end="%s"/></C:free-busy-query>' % (start, end))


class RawQueryTests(DavTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.add_user("erin")

    def setUp(self):
        self.cl = self.server.client("erin")
        self.cal = self.make_calendar(self.cl, "erin")

    def put(self, name, ics, calpath=None):
        path = (calpath or self.cal) + name + ".ics"
        self.put_new(self.cl, path, ics)
        return path

    def query(self, body, calpath=None, expect=207, timeout=harness.REQUEST_TIMEOUT):
        r = self.cl.report(calpath or self.cal, body, depth="1", timeout=timeout)
        self.assertStatus(r, expect)
        return r

    def matched(self, body, calpath=None):
        """Sorted member names (file names) a calendar-query returns."""
        r = self.query(body, calpath)
        names = []
        for m in r.multistatus():
            if m.status is not None and m.status != 200:
                self.fail("unexpected response status %s for %s\n%s" % (m.status, m.href, r.describe()))
            names.append(norm_href(m.href).rsplit("/", 1)[1])
        self.assertEqual(len(names), len(set(names)), "an href listed twice\n" + r.describe())
        return sorted(names)

    def caldata_of(self, resp):
        """{member name: calendar-data text}; asserts 200 for each."""
        out = {}
        for m in resp.multistatus():
            pr = m.prop(c("calendar-data"))
            if pr is None or pr.status != 200:
                self.fail("no 200 calendar-data for %s\n%s" % (m.href, resp.describe()))
            out[norm_href(m.href).rsplit("/", 1)[1]] = pr.text
        return out

    # -- free-busy-query -----------------------------------------------------

    def test_free_busy_query(self):
        # Week Mon 3 Jun .. Mon 10 Jun 2030.
        # busy-a 09:00-10:00Z and busy-b 09:30-11:00Z on 3 Jun overlap:
        #   one BUSY period 09:00-11:00Z.
        # tentative 4 Jun 13:00-14:00Z                      -> BUSY-TENTATIVE
        # transparent 5 Jun 08:00-09:00Z (TRANSP:TRANSPARENT) -> nothing
        # cancelled 6 Jun 08:00-09:00Z (STATUS:CANCELLED)     -> nothing
        # confirmed 7 Jun 15:00Z + PT30M, STATUS:CONFIRMED   -> BUSY
        # outside 12 Jun                                      -> nothing
        # a VTODO in the week                                 -> nothing (events only)
        evs = {
            "busy-a": ["DTSTART:20300603T090000Z", "DTEND:20300603T100000Z"],
            "busy-b": ["DTSTART:20300603T093000Z", "DTEND:20300603T110000Z", "TRANSP:OPAQUE"],
            "tentative": ["DTSTART:20300604T130000Z", "DTEND:20300604T140000Z", "STATUS:TENTATIVE"],
            "transparent": ["DTSTART:20300605T080000Z", "DTEND:20300605T090000Z", "TRANSP:TRANSPARENT"],
            "cancelled": ["DTSTART:20300606T080000Z", "DTEND:20300606T090000Z", "STATUS:CANCELLED"],
            "confirmed": ["DTSTART:20300607T150000Z", "DURATION:PT30M", "STATUS:CONFIRMED"],
            "outside": ["DTSTART:20300612T090000Z", "DTEND:20300612T100000Z"],
        }
        for name, props in evs.items():
            self.put(name, vcalendar(vevent(unique(name), name, *props)))
        self.put("todo", vcalendar(["VTODO", "UID:%s" % unique("todo"), "DTSTAMP:20240101T000000Z",
                                    "DTSTART:20300604T080000Z", "DUE:20300604T090000Z", "SUMMARY:todo"]))
        r = self.query(freebusy_body("20300603T000000Z", "20300610T000000Z"), expect=200)
        ctype = (r.header("Content-Type") or "").split(";")[0].strip().lower()
        self.assertEqual(ctype, "text/calendar", r.describe())
        fbs = components(r.text, "VFREEBUSY")
        self.assertEqual(len(fbs), 1, r.describe())
        fb = fbs[0]
        self.assertEqual(prop_line(fb, "DTSTART"), ("", "20300603T000000Z"), r.describe())
        self.assertEqual(prop_line(fb, "DTEND"), ("", "20300610T000000Z"), r.describe())
        # Periods may be start/end or start/duration (RFC 5545 3.3.9).
        self.assertEqual(freebusy_periods(fb), [
            ("BUSY", "20300603T090000Z/20300603T110000Z"),
            ("BUSY", "20300607T150000Z/20300607T153000Z"),
            ("BUSY-TENTATIVE", "20300604T130000Z/20300604T140000Z"),
        ], r.describe())

    def test_free_busy_unavailable_from_vfreebusy_and_recurrence(self):
        # A stored VFREEBUSY contributes its periods by FBTYPE; a daily event
        # contributes each instance. Window 1 Jul 00:00Z .. 3 Jul 00:00Z:
        #   daily 08:00-09:00Z from 30 Jun COUNT=3 -> 1 Jul, 2 Jul
        #   VFREEBUSY BUSY-UNAVAILABLE 1 Jul 12:00-13:00Z
        cal = self.make_calendar(self.cl, "erin", comps=["VEVENT", "VFREEBUSY"])
        self.put("daily", calpath=cal, ics=vcalendar(vevent(unique("d"), "daily", "DTSTART:20300630T080000Z",
                                           "DTEND:20300630T090000Z", "RRULE:FREQ=DAILY;COUNT=3")))
        self.put("vfb", calpath=cal, ics=vcalendar(["VFREEBUSY", "UID:%s" % unique("fb"), "DTSTAMP:20240101T000000Z",
                                   "DTSTART:20300701T000000Z", "DTEND:20300702T000000Z",
                                   "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20300701T120000Z/20300701T130000Z"]))
        r = self.query(freebusy_body("20300701T000000Z", "20300703T000000Z"), calpath=cal, expect=200)
        fb = components(r.text, "VFREEBUSY")
        self.assertEqual(len(fb), 1, r.describe())
        self.assertEqual(freebusy_periods(fb[0]), [
            ("BUSY", "20300701T080000Z/20300701T090000Z"),
            ("BUSY", "20300702T080000Z/20300702T090000Z"),
            ("BUSY-UNAVAILABLE", "20300701T120000Z/20300701T130000Z"),
        ], r.describe())

    # -- calendar-data selection --------------------------------------------

    def test_partial_calendar_data(self):
        uid = unique("part")
        self.put("part", vcalendar(vevent(uid, "Partial", "DTSTART;TZID=America/New_York:20300115T090000",
                                          "DTEND;TZID=America/New_York:20300115T100000",
                                          "DESCRIPTION:long text", "LOCATION:Room 1",
                                          "RRULE:FREQ=DAILY;COUNT=2",
                                          ), timezones=[VTIMEZONE_NEW_YORK]))
        sel = ('<C:calendar-data><C:comp name="VCALENDAR"><C:prop name="VERSION"/>'
               '<C:comp name="VEVENT"><C:prop name="SUMMARY"/><C:prop name="UID"/></C:comp>'
               "</C:comp></C:calendar-data>")
        r = self.query(caldata_query(vcal_filter('<C:comp-filter name="VEVENT"/>'), caldata=sel))
        data = self.caldata_of(r)
        self.assertEqual(list(data), ["part.ics"])
        text = unfold(data["part.ics"])
        self.assertTrue(text.startswith("BEGIN:VCALENDAR"), text)
        self.assertNotIn("BEGIN:VTIMEZONE", text, "VTIMEZONE was not selected")
        ev = components(text)
        self.assertEqual(len(ev), 1, text)
        self.assertEqual(prop_names(ev[0]), ["SUMMARY", "UID"], text)
        self.assertEqual(prop_line(ev[0], "UID")[1], uid)
        self.assertEqual(prop_line(ev[0], "SUMMARY")[1], "Partial")
        # VCALENDAR's own properties: VERSION only (PRODID was not selected)
        self.assertEqual(prop_names(components(text, "VCALENDAR")[0]), ["VERSION"], text)

    def test_limit_recurrence_set(self):
        # Weekly from Mon 4 Mar 2030 10:00Z COUNT=10 (4 Mar .. 6 May), with
        # overrides of 11 Mar (moved to 12 Mar) and 22 Apr (moved to 23 Apr).
        # limit-recurrence-set 20 Apr .. 27 Apr: the master and the 22 Apr
        # override only.
        uid = unique("lrs")
        self.put("lrs", vcalendar(
            vevent(uid, "master", "DTSTART:20300304T100000Z", "DTEND:20300304T110000Z",
                   "RRULE:FREQ=WEEKLY;COUNT=10"),
            vevent(uid, "march override", "RECURRENCE-ID:20300311T100000Z",
                   "DTSTART:20300312T100000Z", "DTEND:20300312T110000Z"),
            vevent(uid, "april override", "RECURRENCE-ID:20300422T100000Z",
                   "DTSTART:20300423T100000Z", "DTEND:20300423T110000Z")))
        sel = ('<C:calendar-data><C:limit-recurrence-set start="20300420T000000Z" end="20300427T000000Z"/>'
               "</C:calendar-data>")
        r = self.query(caldata_query(vcal_filter('<C:comp-filter name="VEVENT"/>'), caldata=sel))
        text = self.caldata_of(r)["lrs.ics"]
        got = sorted((prop_line(x, "SUMMARY")[1], (prop_line(x, "RECURRENCE-ID") or (None, None))[1])
                     for x in components(text))
        self.assertEqual(got, [("april override", "20300422T100000Z"), ("master", None)], text)
        master = [x for x in components(text) if not prop_line(x, "RECURRENCE-ID")][0]
        self.assertEqual(prop_line(master, "RRULE")[1], "FREQ=WEEKLY;COUNT=10", text)

    def test_expand_returns_utc_instances(self):
        # Daily 09:00 New York from Sat 9 Mar COUNT=3: 9 Mar 14:00Z (EST),
        # 10 Mar 13:00Z and 11 Mar 13:00Z (EDT). Expand 10 Mar 00:00Z..12 Mar.
        uid = unique("exp")
        self.put("exp", vcalendar(vevent(uid, "ny daily", "DTSTART;TZID=America/New_York:20300309T090000",
                                         "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=3"),
                                  timezones=[VTIMEZONE_NEW_YORK]))
        sel = '<C:calendar-data><C:expand start="20300310T000000Z" end="20300312T000000Z"/></C:calendar-data>'
        flt = vcal_filter('<C:comp-filter name="VEVENT"><C:time-range start="20300310T000000Z" '
                          'end="20300312T000000Z"/></C:comp-filter>')
        r = self.query(caldata_query(flt, caldata=sel))
        text = self.caldata_of(r)["exp.ics"]
        self.assertEqual(sorted(instances(text)), [(uid, "20300310T130000Z", "20300310T130000Z"),
                                                   (uid, "20300311T130000Z", "20300311T130000Z")], text)

    # -- filters ---------------------------------------------------------------

    def test_attendee_text_match_with_partstat_param_filter(self):
        # prop-filter ATTENDEE: text-match "bob@example.com" AND param-filter
        # PARTSTAT text-match NEEDS-ACTION, both on the same ATTENDEE.
        A = "ATTENDEE;PARTSTAT=%s:mailto:%s"
        cases = {
            "bob-needs": [A % ("NEEDS-ACTION", "bob@example.com")],                # match
            "bob-upper": [A % ("NEEDS-ACTION", "BOB@EXAMPLE.COM")],                # match (ascii-casemap)
            "bob-accepted": [A % ("ACCEPTED", "bob@example.com")],                 # no
            "split": [A % ("ACCEPTED", "bob@example.com"),                         # no: bob accepted,
                      A % ("NEEDS-ACTION", "alice@example.com")],                  # alice needs action
            "bob-nopartstat": ["ATTENDEE:mailto:bob@example.com"],                 # no: no PARTSTAT param
            "bob-second": [A % ("DECLINED", "carl@example.com"),                   # match (2nd attendee)
                           "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com"],
            "no-attendee": [],                                                     # no
        }
        for name, extra in cases.items():
            self.put(name, vcalendar(vevent(unique(name), name, "DTSTART:20300110T100000Z",
                                            "DTEND:20300110T110000Z", "ORGANIZER:mailto:org@example.com", *extra)))
        flt = vcal_filter('<C:comp-filter name="VEVENT"><C:prop-filter name="ATTENDEE">'
                          '<C:text-match collation="i;ascii-casemap">bob@example.com</C:text-match>'
                          '<C:param-filter name="PARTSTAT"><C:text-match>NEEDS-ACTION</C:text-match>'
                          "</C:param-filter></C:prop-filter></C:comp-filter>")
        self.assertEqual(self.matched(caldata_query(flt)), ["bob-needs.ics", "bob-second.ics", "bob-upper.ics"])

    def test_negate_condition_and_collations(self):
        # SUMMARY values and what each filter returns:
        #   "Team Meeting", "meeting notes", "Lunch", "Ärztetermin", no SUMMARY
        for name, summary in (("team", "Team Meeting"), ("notes", "meeting notes"), ("lunch", "Lunch"),
                              ("arzt", "Ärztetermin")):
            self.put(name, vcalendar(vevent(unique(name), summary, "DTSTART:20300110T100000Z")))
        self.put("nosummary", vcalendar(["VEVENT", "UID:%s" % unique("ns"), "DTSTAMP:20240101T000000Z",
                                         "DTSTART:20300110T100000Z"]))

        def f(text, collation=None, negate=False):
            attrs = ' collation="%s"' % collation if collation else ""
            if negate:
                attrs += ' negate-condition="yes"'
            return caldata_query(vcal_filter('<C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY">'
                                             "<C:text-match%s>%s</C:text-match></C:prop-filter></C:comp-filter>"
                                             % (attrs, text)), caldata="")

        # default i;ascii-casemap, substring
        self.assertEqual(self.matched(f("MEETING")), ["notes.ics", "team.ics"])
        # negated: the SUMMARYs without "meeting"; an event with no SUMMARY
        # does not match a prop-filter with text-match (RFC 4791 9.7.2).
        self.assertEqual(self.matched(f("MEETING", negate=True)), ["arzt.ics", "lunch.ics"])
        # i;octet is case-sensitive
        self.assertEqual(self.matched(f("Meeting", "i;octet")), ["team.ics"])
        self.assertEqual(self.matched(f("Meeting", "i;octet", negate=True)),
                         ["arzt.ics", "lunch.ics", "notes.ics"])
        # non-ASCII: i;ascii-casemap folds only A-Z; i;unicode-casemap folds Ä
        self.assertEqual(self.matched(f("ärzte", "i;ascii-casemap")), [])
        self.assertEqual(self.matched(f("ärzte", "i;unicode-casemap")), ["arzt.ics"])
        self.assertEqual(self.matched(f("ÄRZTE", "i;unicode-casemap")), ["arzt.ics"])
        self.assertEqual(self.matched(f("Ärzte", "i;octet")), ["arzt.ics"])

    def test_is_not_defined_on_todo_completed(self):
        def todo(name, *props):
            return vcalendar(["VTODO", "UID:%s" % unique(name), "DTSTAMP:20240101T000000Z",
                              "SUMMARY:%s" % name] + list(props))

        self.put("done", todo("done", "STATUS:COMPLETED", "COMPLETED:20300101T120000Z"))
        self.put("open", todo("open", "STATUS:NEEDS-ACTION"))
        self.put("status-only", todo("status-only", "STATUS:COMPLETED"))  # no COMPLETED property
        self.put("bare", todo("bare"))
        self.put("event", vcalendar(vevent(unique("ev"), "event", "DTSTART:20300110T100000Z")))
        flt = vcal_filter('<C:comp-filter name="VTODO"><C:prop-filter name="COMPLETED">'
                          "<C:is-not-defined/></C:prop-filter></C:comp-filter>")
        self.assertEqual(self.matched(caldata_query(flt)), ["bare.ics", "open.ics", "status-only.ics"])
        # and the opposite: a prop-filter with nothing inside = the property exists
        flt = vcal_filter('<C:comp-filter name="VTODO"><C:prop-filter name="COMPLETED"/></C:comp-filter>')
        self.assertEqual(self.matched(caldata_query(flt)), ["done.ics"])
        # comp-filter VEVENT with is-not-defined = calendars with no VEVENT
        flt = vcal_filter('<C:comp-filter name="VEVENT"><C:is-not-defined/></C:comp-filter>')
        self.assertEqual(self.matched(caldata_query(flt)), ["bare.ics", "done.ics", "open.ics", "status-only.ics"])

    def test_calendar_timezone_for_floating_event(self):
        # Floating 15 Jan 2030 10:00-11:00. With calendar-timezone
        # America/New_York (EST, -5) that is 15:00Z-16:00Z.
        self.put("floating", vcalendar(vevent(unique("fl"), "floating", "DTSTART:20300115T100000",
                                              "DTEND:20300115T110000")))
        tz = vcalendar(timezones=[VTIMEZONE_NEW_YORK])
        r = self.cl.proppatch(self.cal, proppatch_body(
            "<C:calendar-timezone>%s</C:calendar-timezone>" % tz.replace("&", "&amp;").replace("<", "&lt;")))
        st = self.propstatus(r)
        self.assertEqual(st.prop(c("calendar-timezone")).status, 200, r.describe())
        got = self.prop_value(self.cl, self.cal, c("calendar-timezone")).text
        self.assertIn("TZID:America/New_York", got)

        def tr(start, end):
            return caldata_query(vcal_filter('<C:comp-filter name="VEVENT"><C:time-range start="%s" end="%s"/>'
                                             "</C:comp-filter>" % (start, end)), caldata="")

        self.assertEqual(self.matched(tr("20300115T143000Z", "20300115T153000Z")), ["floating.ics"])
        self.assertEqual(self.matched(tr("20300115T155900Z", "20300115T160000Z")), ["floating.ics"])
        self.assertEqual(self.matched(tr("20300115T100000Z", "20300115T110000Z")), [])  # UTC reading
        self.assertEqual(self.matched(tr("20300115T160000Z", "20300115T170000Z")), [])  # end is exclusive
        # Expanded floating instance comes back in UTC by the calendar's zone.
        sel = '<C:calendar-data><C:expand start="20300115T000000Z" end="20300116T000000Z"/></C:calendar-data>'
        r = self.query(caldata_query(vcal_filter('<C:comp-filter name="VEVENT"/>'), caldata=sel))
        # (RFC 4791 9.6.5 converts zoned times only: floating may stay floating,
        # but a UTC value must be the calendar-timezone reading.)
        inst = instances(self.caldata_of(r)["floating.ics"])
        self.assertEqual(len(inst), 1, inst)
        self.assertIn(inst[0][1], ("20300115T100000", "20300115T150000Z"))

    # -- bad input -------------------------------------------------------------

    def test_supported_collation_set_and_unsupported_collation(self):
        pr = self.prop_value(self.cl, self.cal, c("supported-collation-set"))
        got = sorted(x.text for x in pr.element.iter(c("supported-collation")))
        self.assertEqual(got, ["i;ascii-casemap", "i;octet", "i;unicode-casemap"])
        flt = vcal_filter('<C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY">'
                          '<C:text-match collation="i;klingon">x</C:text-match></C:prop-filter></C:comp-filter>')
        r = self.cl.report(self.cal, caldata_query(flt), depth="1")
        self.assertDavError(r, 403, c("supported-collation"))

    def test_invalid_time_ranges(self):
        self.put("ev", vcalendar(vevent(unique("ev"), "ev", "DTSTART:20300110T100000Z")))
        for attrs in ('start="20300110T000000Z" end="20300110T000000Z"',  # start == end
                      'start="20300111T000000Z" end="20300110T000000Z"',  # start > end
                      ""):                                                # neither
            flt = vcal_filter('<C:comp-filter name="VEVENT"><C:time-range %s/></C:comp-filter>' % attrs)
            r = self.cl.report(self.cal, caldata_query(flt), depth="1")
            self.assertDavError(r, 403, c("valid-filter"))
        # only start / only end are valid
        for attrs, want in (('start="20300110T000000Z"', ["ev.ics"]), ('end="20300110T100000Z"', []),
                            ('end="20300110T100001Z"', ["ev.ics"])):
            flt = vcal_filter('<C:comp-filter name="VEVENT"><C:time-range %s/></C:comp-filter>' % attrs)
            self.assertEqual(self.matched(caldata_query(flt)), want, attrs)

    def test_expand_needs_start_and_end(self):
        flt = vcal_filter('<C:comp-filter name="VEVENT"/>')
        for attrs in ('start="20300101T000000Z"', 'end="20300101T000000Z"', ""):
            sel = "<C:calendar-data><C:expand %s/></C:calendar-data>" % attrs
            r = self.cl.report(self.cal, caldata_query(flt, caldata=sel), depth="1")
            self.assertStatus(r, 400, "expand %r" % attrs)

    def test_min_max_date_time(self):
        for prop, want in ((c("min-date-time"), "19000101T000000Z"), (c("max-date-time"), "21001231T235959Z")):
            self.assertEqual(self.prop_value(self.cl, self.cal, prop).text.strip(), want)
        cases = (
            ("early", ["DTSTART:18991231T230000Z", "DTEND:18991231T235959Z"], c("min-date-time")),
            ("late", ["DTSTART:21010101T000000Z", "DTEND:21010101T010000Z"], c("max-date-time")),
            ("late-end", ["DTSTART:21001231T230000Z", "DTEND:21010101T010000Z"], c("max-date-time")),
        )
        for name, props, cond in cases:
            r = self.cl.put_ics(self.cal + name + ".ics", vcalendar(vevent(unique(name), name, *props)),
                                {"If-None-Match": "*"})
            self.assertDavError(r, 403, cond)
            self.assertStatus(self.cl.get(self.cal + name + ".ics"), 404)
        # the bounds themselves are fine
        self.put("edge", vcalendar(vevent(unique("edge"), "edge", "DTSTART:19000101T000000Z",
                                          "DTEND:19000101T010000Z")))

    # -- hostile recurrence ----------------------------------------------------

    def test_hostile_secondly_rrule(self):
        # FREQ=SECONDLY without COUNT/UNTIL: 31.5 million instances in 2030.
        uid = unique("sec")
        r = self.cl.put_ics(self.cal + "sec.ics", vcalendar(vevent(
            uid, "every second", "DTSTART:20300101T000000Z", "DURATION:PT1S", "RRULE:FREQ=SECONDLY")),
            {"If-None-Match": "*"})
        self.assertStatus(r, 201, "storing a SECONDLY rule")
        self.put("plain", vcalendar(vevent(unique("pl"), "plain", "DTSTART:20300601T100000Z",
                                           "DTEND:20300601T110000Z")))
        sel = '<C:calendar-data><C:expand start="20300101T000000Z" end="20310101T000000Z"/></C:calendar-data>'
        flt = vcal_filter('<C:comp-filter name="VEVENT"><C:time-range start="20300101T000000Z" '
                          'end="20310101T000000Z"/></C:comp-filter>')
        # That it answers at all is the point (the request's timeout bounds a
        # hang); the expansion is bounded by its cap, asserted below, and its
        # time is measured in bench/, not here.
        r = self.query(caldata_query(flt, caldata=sel))
        self.assertLess(len(r.body), 8 * 1024 * 1024, "unbounded reply (%d bytes)" % len(r.body))
        by = {norm_href(m.href).rsplit("/", 1)[1]: m for m in r.multistatus()}
        self.assertEqual(sorted(by), ["plain.ics", "sec.ics"], r.describe())
        # slotdav caps expansion at 10000 instances (DAV_MAX_INSTANCES) and
        # answers 403 for that calendar-data; the other member is unaffected.
        pr = by["sec.ics"].prop(c("calendar-data"))
        self.assertIsNotNone(pr, r.describe())
        self.assertEqual(pr.status, 403, r.describe())
        # and says why, in words
        self.assertIn(b"narrow the expand range", r.body, r.describe())
        self.assertEqual(by["plain.ics"].prop(c("calendar-data")).status, 200, r.describe())
        # a plain time-range match over a short window is exact
        flt = vcal_filter('<C:comp-filter name="VEVENT"><C:time-range start="20300601T100000Z" '
                          'end="20300601T100001Z"/></C:comp-filter>')
        self.assertEqual(self.matched(caldata_query(flt, caldata="")), ["plain.ics", "sec.ics"])
        # and a window late in the year, far from DTSTART
        flt = vcal_filter('<C:comp-filter name="VEVENT"><C:time-range start="20301231T235959Z" '
                          'end="20310101T000000Z"/></C:comp-filter>')
        # (the last instance of 2030 is 20301231T235959Z: an exact match)
        r = self.cl.report(self.cal, caldata_query(flt, caldata=""), depth="1")
        self.assertStatus(r, 207)
        self.assertEqual(sorted(norm_href(m.href).rsplit("/", 1)[1] for m in r.multistatus()), ["sec.ics"],
                         r.describe())
        # the server is still alive
        self.assertStatus(self.cl.get("/health"), 200)


if __name__ == "__main__":
    harness.main()
