/* sd_arena.h - region allocator: one per request, freed all at once.
 *
 * Request code allocates from the request's arena and never calls free().
 * Objects owned by libraries (libxml2 documents, libical components, SQLite
 * statements) register a cleanup with sd_arena_defer(); cleanups run in
 * reverse order of registration when the arena is freed.
 *
 * Built with SD_ARENA_DEBUG (the sanitizer build), every allocation is its own
 * malloc() so AddressSanitizer sees overflows between neighbours.
 */
#ifndef SD_ARENA_H
#define SD_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct sd_arena;

/* A new, empty arena. Caller frees with sd_arena_free(). */
struct sd_arena *sd_arena_new(void);

/* Runs the registered cleanups (last registered first), then releases every
 * allocation. NULL is accepted. */
void sd_arena_free(struct sd_arena *a);

/* n bytes, aligned for any type, zero-filled; arena-owned. n may be 0. */
void *sd_arena_alloc(struct sd_arena *a, size_t n);

/* Copies; arena-owned. sd_arena_strdup(a, NULL) returns NULL. */
char *sd_arena_strdup(struct sd_arena *a, const char *s);
char *sd_arena_strndup(struct sd_arena *a, const char *s, size_t n);
void *sd_arena_memdup(struct sd_arena *a, const void *p, size_t n);

/* printf into the arena. */
char *sd_arena_printf(struct sd_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *sd_arena_vprintf(struct sd_arena *a, const char *fmt, va_list ap);

/* Calls fn(p) when the arena is freed. */
void sd_arena_defer(struct sd_arena *a, void (*fn)(void *), void *p);

/* Bytes handed out so far (for tests and the memory benchmark). */
size_t sd_arena_used(const struct sd_arena *a);

#endif
