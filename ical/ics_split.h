/* ics_split.h - a VCALENDAR of many components cut into calendar object
 * resources (import), and resources merged into one VCALENDAR (export).
 *
 * Both work on content lines, not on libical's tree, so that one broken
 * component is reported (with its line number) and skipped instead of
 * failing the whole file, and so that every byte of a good component is
 * kept as it was. Each part of a split is meant to be checked with
 * ics_object_check, which does the full validation.
 */
#ifndef ICS_SPLIT_H
#define ICS_SPLIT_H

#include <stddef.h>

#include "sd_arena.h"
#include "sd_err.h"

struct ics_part {
	const char *uid;  /* NULL if the components had none */
	const char *text; /* a VCALENDAR: VERSION, PRODID, the VTIMEZONEs its
			      TZIDs name, then the components of this UID */
	size_t len;
	unsigned line;     /* line of the group's first BEGIN in the input */
	size_t ncomp;      /* components (master and overrides) */
	const char *error; /* NULL, or why the group cannot be imported,
			      starting "line N: " with an input line */
	/* Input line of each line of text (1-based; 0 for made-up lines),
	 * to translate ics_object_check's "line N" back to the input. */
	const unsigned *linemap;
	size_t nlines;
};

/* Splits data[0..len) (one VCALENDAR) into parts, one per UID, in the
 * order UIDs first appear; components of one UID anywhere in the file
 * (a master and its RECURRENCE-ID overrides) go together, with the
 * VTIMEZONEs they use. A component that is broken in structure (no END,
 * an END that closes something else, no UID) makes its group's error.
 * ICS_EPARSE only if data is not a VCALENDAR at all. Everything in a. */
int ics_split(struct sd_arena *a, const char *data, size_t len, struct ics_part **out, size_t *n,
              struct sd_err *err);

/* The input line a part's line N comes from (0 if unknown). */
unsigned ics_part_line(const struct ics_part *p, unsigned n);

/* Export: a growing VCALENDAR. Caller frees with ics_merge_free. */
struct ics_merge;
struct ics_merge *ics_merge_new(const char *prodid);
/* Adds the components of one calendar object resource; VTIMEZONEs are
 * kept once per TZID. ICS_EPARSE if data is not a VCALENDAR. */
int ics_merge_add(struct ics_merge *m, const char *data, size_t len);
/* The VCALENDAR (VTIMEZONEs first), in a. */
char *ics_merge_finish(struct ics_merge *m, struct sd_arena *a, size_t *len);
void ics_merge_free(struct ics_merge *m);

#endif
