"""query_data.py - calendar data shared by test_queries.py.

All times are in 2030. Calendar facts used in the expected answers:
- 1 Jan 2030 is a Tuesday; 1 Mar 2030 is a Friday, so the Sundays of March
  are 3, 10, 17, 24 and 31.
- America/New_York switches to EDT (-4) on the second Sunday of March:
  10 Mar 2030 at 02:00 local (07:00Z).
- Europe/Berlin switches to CEST (+2) on the last Sunday of March:
  31 Mar 2030 at 02:00 local (01:00Z).
- Asia/Tokyo is +9 all year.
"""

from harness import VTIMEZONE_BERLIN as _BERLIN

VTIMEZONE_BERLIN = _BERLIN.strip()

VTIMEZONE_NEW_YORK = """BEGIN:VTIMEZONE
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
END:VTIMEZONE"""

VTIMEZONE_TOKYO = """BEGIN:VTIMEZONE
TZID:Asia/Tokyo
BEGIN:STANDARD
TZOFFSETFROM:+0900
TZOFFSETTO:+0900
TZNAME:JST
DTSTART:19700101T000000
END:STANDARD
END:VTIMEZONE"""


def vcalendar(*components, timezones=()):
    """A VCALENDAR text (CRLF) from component bodies given as lists of lines
    (without BEGIN/END of the component: the first item is the name)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//slotdav tests//queries//EN"]
    for tz in timezones:
        lines += tz.strip().splitlines()
    for comp in components:
        name, body = comp[0], comp[1:]
        lines.append("BEGIN:%s" % name)
        lines += body
        lines.append("END:%s" % name)
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def vevent(uid, summary, *props):
    return ["VEVENT", "UID:%s" % uid, "DTSTAMP:20240101T000000Z", "SUMMARY:%s" % summary] + list(props)


# --------------------------------------------------------------------------
# The mixed calendar for the python-caldav date searches. Keys are short
# names; the tests make the UIDs unique per run.

MIXED = {
    # Single event in UTC: 5 Mar 10:00Z-11:00Z.
    "single_utc": lambda uid: vcalendar(vevent(
        uid, "Single UTC", "DTSTART:20300305T100000Z", "DTEND:20300305T110000Z")),

    # Weekly in Berlin, 09:00-10:00 local, COUNT=4 from Monday 18 Mar:
    #   18 Mar, 25 Mar (CET, +1)  -> 08:00Z-09:00Z
    #   1 Apr, 8 Apr   (CEST, +2) -> 07:00Z-08:00Z
    "weekly_berlin": lambda uid: vcalendar(vevent(
        uid, "Weekly Berlin",
        "DTSTART;TZID=Europe/Berlin:20300318T090000", "DTEND;TZID=Europe/Berlin:20300318T100000",
        "RRULE:FREQ=WEEKLY;COUNT=4"), timezones=[VTIMEZONE_BERLIN]),

    # Daily in New York 18:00-19:00 local from Fri 8 Mar, UNTIL 13 Mar 23:00Z,
    # 11 Mar excluded:
    #   8 Mar, 9 Mar (EST, -5)           -> 23:00Z-00:00Z
    #   10 Mar (EDT from 02:00 that day) -> 22:00Z-23:00Z
    #   11 Mar -> EXDATE (would be 22:00Z)
    #   12 Mar, 13 Mar                   -> 22:00Z-23:00Z (13 Mar 22:00Z <= UNTIL)
    #   14 Mar 22:00Z > UNTIL            -> not an instance
    "daily_ny": lambda uid: vcalendar(vevent(
        uid, "Daily New York",
        "DTSTART;TZID=America/New_York:20300308T180000", "DTEND;TZID=America/New_York:20300308T190000",
        "RRULE:FREQ=DAILY;UNTIL=20300313T230000Z",
        "EXDATE;TZID=America/New_York:20300311T180000"), timezones=[VTIMEZONE_NEW_YORK]),

    # Weekly in Tokyo 10:00-11:00 local (+9 -> 01:00Z-02:00Z), COUNT=3 from
    # Tue 2 Apr: 2, 9, 16 Apr. The 9 Apr instance is moved to Thu 11 Apr
    # 15:00-16:00 Tokyo = 06:00Z-07:00Z.
    "tokyo_override": lambda uid: vcalendar(
        vevent(uid, "Weekly Tokyo",
               "DTSTART;TZID=Asia/Tokyo:20300402T100000", "DTEND;TZID=Asia/Tokyo:20300402T110000",
               "RRULE:FREQ=WEEKLY;COUNT=3"),
        vevent(uid, "Weekly Tokyo (moved)",
               "RECURRENCE-ID;TZID=Asia/Tokyo:20300409T100000",
               "DTSTART;TZID=Asia/Tokyo:20300411T150000", "DTEND;TZID=Asia/Tokyo:20300411T160000"),
        timezones=[VTIMEZONE_TOKYO]),

    # Single in Tokyo: 12 Mar 08:00-09:00 local = 11 Mar 23:00Z-12 Mar 00:00Z.
    "single_tokyo": lambda uid: vcalendar(vevent(
        uid, "Single Tokyo",
        "DTSTART;TZID=Asia/Tokyo:20300312T080000", "DTEND;TZID=Asia/Tokyo:20300312T090000"),
        timezones=[VTIMEZONE_TOKYO]),

    # All-day on 20 Mar.
    "allday": lambda uid: vcalendar(vevent(
        uid, "All day", "DTSTART;VALUE=DATE:20300320", "DTEND;VALUE=DATE:20300321")),

    # Floating 22 Mar 12:00-13:00 (whatever zone the server takes, it lies
    # within 21 Mar 22:00Z .. 23 Mar 03:00Z).
    "floating": lambda uid: vcalendar(vevent(
        uid, "Floating", "DTSTART:20300322T120000", "DTEND:20300322T130000")),
}
