/* rfc4791_data.h - the calendar objects of RFC 4791 Appendix B (abcd1.ics
 * to abcd8.ics, the collection "bernard/work" the examples of 7.8 and 7.10
 * query), as string literals with LF line ends, for the tests of ical/.
 *
 * Typed from the RFC as test_ics_filter.c has them; RFC4791_ABCDn is
 * abcdn.ics. Shared so that the tests read the same data.
 */
#ifndef RFC4791_DATA_H
#define RFC4791_DATA_H

#define RFC4791_CAL(body)                                                                 \
	"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Example Corp.//CalDAV Client//EN\n" body \
	"END:VCALENDAR\n"
#define RFC4791_TZ                                                                           \
	"BEGIN:VTIMEZONE\nLAST-MODIFIED:20040110T032845Z\nTZID:US/Eastern\n"                 \
	"BEGIN:DAYLIGHT\nDTSTART:20000404T020000\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4\n"   \
	"TZNAME:EDT\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0400\nEND:DAYLIGHT\n"                   \
	"BEGIN:STANDARD\nDTSTART:20001026T020000\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\n" \
	"TZNAME:EST\nTZOFFSETFROM:-0400\nTZOFFSETTO:-0500\nEND:STANDARD\nEND:VTIMEZONE\n"

/* abcd1.ics */
#define RFC4791_ABCD1                                                                     \
	RFC4791_CAL(RFC4791_TZ "BEGIN:VEVENT\nDTSTAMP:20060206T001102Z\n"                 \
	                       "DTSTART;TZID=US/Eastern:20060102T100000\nDURATION:PT1H\n" \
	                       "SUMMARY:Event #1\nDescription:Go Steelers!\n"             \
	                       "UID:74855313FA803DA593CD579A@example.com\nEND:VEVENT\n")

/* abcd2.ics */
#define RFC4791_ABCD2                                                                           \
	RFC4791_CAL(RFC4791_TZ                                                                  \
	            "BEGIN:VEVENT\nDTSTAMP:20060206T001121Z\n"                                  \
	            "DTSTART;TZID=US/Eastern:20060102T120000\nDURATION:PT1H\n"                  \
	            "RRULE:FREQ=DAILY;COUNT=5\nSUMMARY:Event #2\n"                              \
	            "UID:00959BC664CA650E933C892C@example.com\nEND:VEVENT\n"                    \
	            "BEGIN:VEVENT\nDTSTAMP:20060206T001121Z\n"                                  \
	            "DTSTART;TZID=US/Eastern:20060104T140000\nDURATION:PT1H\n"                  \
	            "RECURRENCE-ID;TZID=US/Eastern:20060104T120000\nSUMMARY:Event #2 bis\n"     \
	            "UID:00959BC664CA650E933C892C@example.com\nEND:VEVENT\n"                    \
	            "BEGIN:VEVENT\nDTSTAMP:20060206T001121Z\n"                                  \
	            "DTSTART;TZID=US/Eastern:20060106T140000\nDURATION:PT1H\n"                  \
	            "RECURRENCE-ID;TZID=US/Eastern:20060106T120000\nSUMMARY:Event #2 bis bis\n" \
	            "UID:00959BC664CA650E933C892C@example.com\nEND:VEVENT\n")

/* abcd3.ics */
#define RFC4791_ABCD3                                                                     \
	RFC4791_CAL(RFC4791_TZ                                                            \
	            "BEGIN:VEVENT\n"                                                      \
	            "ATTENDEE;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:cyrus@example.com\n"    \
	            "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:lisa@example.com\n"            \
	            "DTSTAMP:20060206T001220Z\nDTSTART;TZID=US/Eastern:20060104T100000\n" \
	            "DURATION:PT1H\nLAST-MODIFIED:20060206T001330Z\n"                     \
	            "ORGANIZER:mailto:cyrus@example.com\nSEQUENCE:1\nSTATUS:TENTATIVE\n"  \
	            "SUMMARY:Event #3\nUID:DC6C50A017428C5216A2F1CD@example.com\n"        \
	            "X-ABC-GUID:E1CX5Dr-0007ym-Hz@example.com\nEND:VEVENT\n")

/* abcd4.ics */
#define RFC4791_ABCD4                                                                          \
	RFC4791_CAL(                                                                           \
	    "BEGIN:VTODO\nDTSTAMP:20060205T235335Z\nDUE;VALUE=DATE:20060104\n"                 \
	    "STATUS:NEEDS-ACTION\nSUMMARY:Task #1\nUID:DDDEEB7915FA61233B861457@example.com\n" \
	    "BEGIN:VALARM\nACTION:AUDIO\nTRIGGER;RELATED=START:-PT10M\nEND:VALARM\n"           \
	    "END:VTODO\n")

/* abcd5.ics */
#define RFC4791_ABCD5                                                                              \
	RFC4791_CAL("BEGIN:VTODO\nDTSTAMP:20060205T235300Z\nDUE;TZID=US/Eastern:20060106T120000\n" \
	            "LAST-MODIFIED:20060205T235308Z\nSEQUENCE:1\nSTATUS:NEEDS-ACTION\n"            \
	            "SUMMARY:Task #2\nUID:E10BA47467C5C69BB74E8720@example.com\n"                  \
	            "BEGIN:VALARM\nACTION:AUDIO\nTRIGGER;RELATED=START:-PT10M\nEND:VALARM\n"       \
	            "END:VTODO\n")

/* abcd6.ics */
#define RFC4791_ABCD6                                                                       \
	RFC4791_CAL(                                                                        \
	    "BEGIN:VTODO\nCOMPLETED:20051223T122322Z\nDTSTAMP:20060205T235400Z\n"           \
	    "DUE;VALUE=DATE:20051225\nLAST-MODIFIED:20060205T235308Z\nSEQUENCE:1\n"         \
	    "STATUS:COMPLETED\nSUMMARY:Task #3\nUID:E10BA47467C5C69BB74E8722@example.com\n" \
	    "END:VTODO\n")

/* abcd7.ics */
#define RFC4791_ABCD7                                                                  \
	RFC4791_CAL("BEGIN:VTODO\nDTSTAMP:20060205T235600Z\nDUE;VALUE=DATE:20060101\n" \
	            "LAST-MODIFIED:20060205T235308Z\nSEQUENCE:1\nSTATUS:CANCELLED\n"   \
	            "SUMMARY:Task #4\nUID:E10BA47467C5C69BB74E8725@example.com\nEND:VTODO\n")

/* abcd8.ics */
#define RFC4791_ABCD8                                                                      \
	RFC4791_CAL("BEGIN:VFREEBUSY\n"                                                    \
	            "ORGANIZER;CN=\"Bernard Desruisseaux\":mailto:bernard@example.com\n"   \
	            "UID:76ef34-54a3d2@example.com\nDTSTAMP:20050530T123421Z\n"            \
	            "DTSTART:20060101T000000Z\nDTEND:20060108T000000Z\n"                   \
	            "FREEBUSY:20050531T230000Z/20050601T010000Z\n"                         \
	            "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20060102T100000Z/20060102T120000Z\n"   \
	            "FREEBUSY:20060103T100000Z/20060103T120000Z\n"                         \
	            "FREEBUSY:20060104T100000Z/20060104T120000Z\n"                         \
	            "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20060105T100000Z/20060105T120000Z\n" \
	            "FREEBUSY:20060106T100000Z/20060106T120000Z\nEND:VFREEBUSY\n")

#endif
