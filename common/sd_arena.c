/* sd_arena.c - bump allocator over a chain of blocks.
 *
 * Small requests are carved from the current block; a request larger than a
 * quarter of the block size gets a block of its own, so one large body does
 * not waste the rest of a block. Cleanups live in a singly linked list that is
 * itself arena memory, walked newest first on free.
 */
#include "sd_arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sd_util.h"

#define ARENA_BLOCK 8192
#define ARENA_ALIGN 16

struct block {
	struct block *next;
	size_t cap, used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct cleanup {
	struct cleanup *next;
	void (*fn)(void *);
	void *p;
};

struct sd_arena {
	struct block *head; /* current block for small allocations */
	struct block *big;  /* dedicated blocks */
	struct cleanup *cleanups;
	size_t used;
};

struct sd_arena *sd_arena_new(void)
{
	return sd_xcalloc(1, sizeof(struct sd_arena));
}

static void free_chain(struct block *b)
{
	while (b) {
		struct block *next = b->next;
		free(b);
		b = next;
	}
}

void sd_arena_free(struct sd_arena *a)
{
	if (!a)
		return;
	for (struct cleanup *c = a->cleanups; c; c = c->next)
		c->fn(c->p);
	free_chain(a->head);
	free_chain(a->big);
	free(a);
}

static struct block *block_new(size_t cap)
{
	struct block *b = sd_xmalloc(sizeof(*b) + cap);
	b->next = NULL;
	b->cap = cap;
	b->used = 0;
	return b;
}

void *sd_arena_alloc(struct sd_arena *a, size_t n)
{
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void *p;

	if (need < n)
		abort(); /* overflow */
	a->used += n;
#ifdef SD_ARENA_DEBUG
	{
		struct block *b = block_new(n);
		b->next = a->big;
		a->big = b;
		memset(b->data, 0, n);
		return b->data;
	}
#endif
	if (need > ARENA_BLOCK / 4) {
		struct block *b = block_new(need);
		b->next = a->big;
		a->big = b;
		memset(b->data, 0, n);
		return b->data;
	}
	if (!a->head || a->head->cap - a->head->used < need) {
		struct block *b = block_new(ARENA_BLOCK);
		b->next = a->head;
		a->head = b;
	}
	p = a->head->data + a->head->used;
	a->head->used += need;
	memset(p, 0, n);
	return p;
}

char *sd_arena_strndup(struct sd_arena *a, const char *s, size_t n)
{
	char *p = sd_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *sd_arena_strdup(struct sd_arena *a, const char *s)
{
	return s ? sd_arena_strndup(a, s, strlen(s)) : NULL;
}

void *sd_arena_memdup(struct sd_arena *a, const void *src, size_t n)
{
	void *p = sd_arena_alloc(a, n);
	if (n)
		memcpy(p, src, n);
	return p;
}

char *sd_arena_vprintf(struct sd_arena *a, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	char *p;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		abort();
	p = sd_arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *sd_arena_printf(struct sd_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = sd_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void sd_arena_defer(struct sd_arena *a, void (*fn)(void *), void *p)
{
	struct cleanup *c = sd_arena_alloc(a, sizeof(*c));
	c->fn = fn;
	c->p = p;
	c->next = a->cleanups;
	a->cleanups = c;
}

size_t sd_arena_used(const struct sd_arena *a)
{
	return a->used;
}
