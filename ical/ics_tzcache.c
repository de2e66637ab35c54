/* ics_tzcache.c - the zones of VTIMEZONEs, built once per process and
 * shared by every object that carries the same VTIMEZONE.
 *
 * Why. libical works out a zone's transitions the first time it converts a
 * time in it, from the first observance (1970 for most clients) up to five
 * years past the year asked, at least this year's, by running the rules'
 * recurrence iterators: about a millisecond for Europe/Berlin. A zone made
 * from an object's own VTIMEZONE (icalcomponent_get_timezone) belongs to
 * that object's tree, so every PUT and every candidate of a calendar-query
 * paid for it again. Here the zone outlives the tree: the first object
 * pays, later ones reuse the transitions.
 *
 * Key. The VTIMEZONE's content lines as the object sent them (ics_lex.c,
 * unfolded, one '\n' after each), TZID included; when the tree and the
 * lines disagree on the components, libical's serialisation of it. An
 * entry matches only on the whole text (hash, length, then bytes), so two
 * VTIMEZONEs with the same TZID and different rules never share a zone,
 * and no crafted text can collide. Texts that differ in a byte that does
 * not matter (LAST-MODIFIED, X-props) only cost an entry each.
 *
 * Bound and lifetime. At most CACHE_SLOTS entries in the table, replaced
 * by a clock sweep: a lookup sets an entry's recent bit; the hand clears
 * it or, if clear, evicts that entry. An entry is counted: one reference
 * for being in the table, one for each document holding it (struct
 * ics_tzent.held, given back by ics_doc_close through ics_tz_release). An
 * evicted entry is freed when its last holder lets go, so a zone is never
 * freed under a thread converting with it, and memory stays bounded by
 * the table plus the zones that open documents hold (about 50 KB for a
 * zone expanded to libical's last year, 2582). Reference counts rather
 * than "never free" or a retire list: the set of distinct VTIMEZONE texts a
 * server sees grows without end, so entries must go, and a retire list
 * would only move the leak.
 *
 * Threads. cache_lock guards the table, the counts and the statistics;
 * it is never held while libical builds or frees a zone, nor while a zone
 * converts. Sharing a zone between threads is safe in libical 3.0.16 for
 * the two calls ical/ makes with it: icaltimezone_get_utc_offset and
 * icaltimezone_get_utc_offset_of_utc_time each lock one process-wide mutex
 * (changes_mutex upstream), call icaltimezone_ensure_coverage, which
 * works the transitions out and replaces zone->changes, search them, and
 * unlock on every way out (read in the disassembly of Debian's
 * libical.so.3.0.16; upstream's source has the same lock). The other
 * fields (TZID, location, names) are set when the zone is built and never
 * change. Nothing in ical/ touches a cached zone's VTIMEZONE component,
 * whose iterators are not thread-safe: only libical's expansion does,
 * under that mutex.
 *
 * Invariants: an entry's refs is 1 for being in slots[] plus the number of
 * struct ics_tzent.held that point to it, and it is freed when refs drops
 * to 0, outside cache_lock; stats.entries counts the non-NULL slots,
 * stats.live the entries not yet freed.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ics_int.h"
#include "sd_util.h"

#define CACHE_SLOTS 256

struct ics_tzc {
	uint64_t hash;
	char *key; /* the VTIMEZONE's text (malloc) */
	size_t keylen;
	icaltimezone *zone; /* owns a copy of the VTIMEZONE */
	unsigned refs;      /* the table's and each holding document's */
	int recent;         /* looked up since the clock hand last passed */
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ics_tzc *slots[CACHE_SLOTS];
static size_t hand;
static struct ics_tz_stats stats;

/* FNV-1a: only to skip most entries quickly; equality is on the bytes. */
static uint64_t text_hash(const char *s, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
	return h;
}

static int line_named(const struct ics_line *l, const char *name)
{
	return l->name_len == strlen(name) && strncasecmp(l->text, name, l->name_len) == 0;
}

/* The lines of component ci, its BEGIN to its END, joined (arena); NULL if
 * they cannot be found. */
static char *lines_text(struct ics_doc *d, unsigned ci, size_t *len)
{
	size_t b = 0, e, n = 0;
	char *s, *o;

	while (b < d->lex.n && d->lex.lines[b].comp != ci)
		b++;
	for (e = b; e < d->lex.n; e++)
		if (d->lex.lines[e].comp == ci && e > b && line_named(&d->lex.lines[e], "END"))
			break;
	if (e >= d->lex.n)
		return NULL;
	for (size_t i = b; i <= e; i++)
		n += strlen(d->lex.lines[i].text) + 1;
	s = o = sd_arena_alloc(d->a, n + 1);
	for (size_t i = b; i <= e; i++) {
		size_t k = strlen(d->lex.lines[i].text);

		memcpy(o, d->lex.lines[i].text, k);
		o[k] = '\n';
		o += k + 1;
	}
	*o = '\0';
	*len = n;
	return s;
}

/* The key of vtz (arena): its own lines when the tree was indexed against
 * them, else libical's serialisation. */
static char *key_text(struct ics_doc *d, icalcomponent *vtz, size_t *len)
{
	char *s = NULL, *w;

	for (size_t i = 0; d->ncomps == d->lex.ncomp && i < d->ncomps && !s; i++)
		if (d->comps[i] == vtz)
			s = lines_text(d, (unsigned)i, len);
	if (s)
		return s;
	w = icalcomponent_as_ical_string_r(vtz);
	if (!w)
		return NULL;
	s = sd_arena_strdup(d->a, w);
	*len = strlen(s);
	free(w);
	return s;
}

/* A zone of its own for a copy of vtz; NULL if libical refuses it. */
static icaltimezone *zone_build(icalcomponent *vtz)
{
	icalcomponent *copy = icalcomponent_new_clone(vtz);
	icaltimezone *z = icaltimezone_new();

	if (!copy || !z)
		abort(); /* libical's allocation failed: out of memory */
	if (icaltimezone_set_component(z, copy))
		return z; /* z owns copy now */
	icalcomponent_free(copy);
	icaltimezone_free(z, 1);
	return NULL;
}

static void entry_free(struct ics_tzc *e)
{
	icaltimezone_free(e->zone, 1);
	free(e->key);
	free(e);
}

/* Under cache_lock: the entry for the key, with a reference taken. */
static struct ics_tzc *find_locked(uint64_t h, const char *key, size_t len)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct ics_tzc *e = slots[i];

		if (e && e->hash == h && e->keylen == len && memcmp(e->key, key, len) == 0) {
			e->refs++;
			e->recent = 1;
			stats.hits++;
			return e;
		}
	}
	return NULL;
}

/* Under cache_lock: empties a slot, by the clock, and returns its index.
 * The entry evicted from it, if no document holds it either, is put in
 * *drop, to be freed outside the lock. */
static size_t slot_free_locked(struct ics_tzc **drop)
{
	*drop = NULL;
	for (;;) {
		size_t i = hand;
		struct ics_tzc *e = slots[i];

		hand = (hand + 1) % CACHE_SLOTS;
		if (!e)
			return i;
		if (e->recent) {
			e->recent = 0;
			continue;
		}
		slots[i] = NULL;
		stats.entries--;
		stats.evictions++;
		if (--e->refs == 0) {
			stats.live--;
			*drop = e;
		}
		return i;
	}
}

/* Under cache_lock: puts the new entry fresh in the table, holding one
 * reference for the table and one for the caller. */
static void insert_locked(struct ics_tzc *fresh, struct ics_tzc **drop)
{
	size_t i = slot_free_locked(drop);

	fresh->refs = 2;
	fresh->recent = 1;
	slots[i] = fresh;
	stats.entries++;
	stats.live++;
	stats.misses++;
}

static struct ics_tzc *entry_new(uint64_t h, const char *key, size_t len, icaltimezone *z)
{
	struct ics_tzc *e = sd_xcalloc(1, sizeof(*e));

	e->hash = h;
	e->key = sd_xmalloc(len + 1);
	memcpy(e->key, key, len + 1);
	e->keylen = len;
	e->zone = z;
	return e;
}

icaltimezone *ics_tzcache_get(struct ics_doc *d, icalcomponent *vtz, struct ics_tzc **held)
{
	struct ics_tzc *e = NULL, *fresh = NULL, *drop = NULL;
	size_t len = 0;
	char *key = key_text(d, vtz, &len);
	uint64_t h = key ? text_hash(key, len) : 0;
	icaltimezone *z;

	if (!key)
		goto out;
	pthread_mutex_lock(&cache_lock);
	e = find_locked(h, key, len);
	pthread_mutex_unlock(&cache_lock);
	if (e)
		goto out;
	z = zone_build(vtz); /* outside the lock: another thread may race us */
	if (!z)
		goto out;
	fresh = entry_new(h, key, len, z);
	pthread_mutex_lock(&cache_lock);
	e = find_locked(h, key, len);
	if (!e) {
		insert_locked(fresh, &drop);
		e = fresh;
		fresh = NULL;
	}
	pthread_mutex_unlock(&cache_lock);
out:
	if (fresh)
		entry_free(fresh); /* lost the race: the winner's zone is used */
	if (drop)
		entry_free(drop); /* evicted, and no document held it */
	*held = e;
	return e ? e->zone : NULL;
}

void ics_tzcache_put(struct ics_tzc *e)
{
	int last;

	if (!e)
		return;
	pthread_mutex_lock(&cache_lock);
	last = --e->refs == 0;
	if (last)
		stats.live--;
	pthread_mutex_unlock(&cache_lock);
	if (last)
		entry_free(e);
}

void ics_tzcache_stats(struct ics_tz_stats *out)
{
	pthread_mutex_lock(&cache_lock);
	*out = stats;
	pthread_mutex_unlock(&cache_lock);
}
