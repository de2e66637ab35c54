/* feed_rate.c - token buckets for the feed front (feed.h).
 *
 * One fixed table of FEED_RATE_SLOTS buckets under one mutex: a request
 * costs a hash, a lock and a few arithmetic operations, and the memory
 * does not grow with the number of clients. A key (a token hash, a client
 * address) picks its slot by a 64-bit FNV-1a hash; a slot found holding
 * another key is taken over and starts full. So a client can never be
 * limited by a stranger's requests except on a full 64-bit hash collision,
 * and an attacker cycling through many keys only resets slots, costing
 * themselves: the worst case is a limit briefly forgotten, never a wrong
 * refusal. Buckets hold per_minute requests and refill continuously.
 */
#include <pthread.h>
#include <stdlib.h>

#include "feed.h"
#include "sd_util.h"

#define FEED_RATE_SLOTS 4096

struct bucket {
	uint64_t key;
	double tokens;
	int64_t at_ms;
};

struct feed_rate {
	pthread_mutex_t lock;
	struct bucket slot[FEED_RATE_SLOTS];
};

struct feed_rate *feed_rate_new(void)
{
	struct feed_rate *r = sd_xcalloc(1, sizeof(*r));

	pthread_mutex_init(&r->lock, NULL);
	return r;
}

void feed_rate_free(struct feed_rate *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return h ? h : 1; /* 0 marks an empty slot */
}

int feed_rate_take(struct feed_rate *r, const char *key, int per_minute, int64_t now_ms,
                   int *retry_after)
{
	uint64_t h = fnv1a(key);
	struct bucket *b = &r->slot[h % FEED_RATE_SLOTS];
	double per_ms = per_minute / 60000.0;
	int ok;

	*retry_after = 0;
	if (per_minute <= 0)
		return 1;
	pthread_mutex_lock(&r->lock);
	if (b->key != h) {
		b->key = h;
		b->tokens = per_minute;
	} else if (now_ms > b->at_ms) {
		b->tokens += (double)(now_ms - b->at_ms) * per_ms;
		if (b->tokens > per_minute)
			b->tokens = per_minute;
	}
	b->at_ms = now_ms;
	if ((ok = b->tokens >= 1.0))
		b->tokens -= 1.0;
	else
		*retry_after = (int)((1.0 - b->tokens) / per_ms / 1000.0) + 1;
	pthread_mutex_unlock(&r->lock);
	return ok;
}
