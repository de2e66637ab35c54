/* gate.c - slots, a FIFO of parked tickets, hand-over on leave.
 *
 * State of a ticket (flags, all changed under g->lock):
 *
 *   idle --enter, slot free--> held --leave--> idle
 *   idle --enter, none free--> queued --leave of another (hand-over)--> held+woken
 *   held+woken --enter--> held          queued --leave--> idle
 *   queued --close--> woken --enter--> held if a slot is free, else idle
 *                                      (SRV_GATE_CLOSED)
 *
 * Invariants: slots + (tickets held) = the slots the gate was made with;
 * a slot is free only while the queue is empty (leave hands it over
 * otherwise); g->woken counts tickets resumed that have not come back,
 * which srv_gate_close() waits for, since the server must not stop while
 * one of them is still in the middle of being resumed.
 */
#include "gate.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "sd_util.h"

struct srv_gate {
	pthread_mutex_t lock;
	pthread_cond_t settled; /* woken dropped to 0 */
	int slots;              /* free */
	int woken;              /* resumed, not back yet */
	int closed;
	struct srv_gate_ticket *head, *tail;
	void (*suspend)(void *cls);
	void (*resume)(void *cls);
};

struct srv_gate *srv_gate_new(int slots, void (*suspend)(void *cls), void (*resume)(void *cls))
{
	struct srv_gate *g = sd_xcalloc(1, sizeof(*g));
	pthread_condattr_t attr;

	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&g->settled, &attr);
	pthread_condattr_destroy(&attr);
	g->slots = slots;
	g->suspend = suspend;
	g->resume = resume;
	return g;
}

void srv_gate_free(struct srv_gate *g)
{
	if (!g)
		return;
	pthread_cond_destroy(&g->settled);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

/* ---- under g->lock ------------------------------------------------------ */

static void back_from_wake(struct srv_gate *g, struct srv_gate_ticket *t)
{
	if (!t->woken)
		return;
	t->woken = 0;
	if (--g->woken == 0)
		pthread_cond_broadcast(&g->settled);
}

static struct srv_gate_ticket *dequeue(struct srv_gate *g)
{
	struct srv_gate_ticket *t = g->head;

	if (t) {
		g->head = t->next;
		if (!g->head)
			g->tail = NULL;
		t->next = NULL;
		t->queued = 0;
	}
	return t;
}

static void unlink_ticket(struct srv_gate *g, struct srv_gate_ticket *t)
{
	struct srv_gate_ticket **link = &g->head, *prev = NULL;

	while (*link && *link != t) {
		prev = *link;
		link = &(*link)->next;
	}
	if (*link) {
		*link = t->next;
		if (g->tail == t)
			g->tail = prev;
	}
	t->next = NULL;
	t->queued = 0;
}

static void wake(struct srv_gate *g, struct srv_gate_ticket *t)
{
	t->woken = 1;
	g->woken++;
	g->resume(t->cls);
}

/* ---- the calls ---------------------------------------------------------- */

int srv_gate_enter(struct srv_gate *g, struct srv_gate_ticket *t)
{
	int rc = SRV_GATE_HELD;

	pthread_mutex_lock(&g->lock);
	back_from_wake(g, t);
	if (t->held) {
		/* handed over while parked */
	} else if (g->slots > 0) {
		g->slots--;
		t->held = 1;
	} else if (g->closed) {
		rc = SRV_GATE_CLOSED;
	} else if (!t->queued) {
		t->queued = 1;
		if (g->tail)
			g->tail->next = t;
		else
			g->head = t;
		g->tail = t;
		g->suspend(t->cls);
		rc = SRV_GATE_QUEUED;
	} else {
		rc = SRV_GATE_QUEUED; /* entered twice while parked: still parked */
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

void srv_gate_leave(struct srv_gate *g, struct srv_gate_ticket *t)
{
	struct srv_gate_ticket *next;

	pthread_mutex_lock(&g->lock);
	if (t->queued)
		unlink_ticket(g, t);
	back_from_wake(g, t);
	if (t->held) {
		t->held = 0;
		if ((next = dequeue(g))) {
			next->held = 1;
			wake(g, next);
		} else {
			g->slots++;
		}
	}
	pthread_mutex_unlock(&g->lock);
}

int srv_gate_close(struct srv_gate *g, int timeout_ms)
{
	struct srv_gate_ticket *t;
	struct timespec until;
	int left;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&g->lock);
	g->closed = 1;
	while ((t = dequeue(g)))
		wake(g, t);
	while (g->woken > 0 && pthread_cond_timedwait(&g->settled, &g->lock, &until) != ETIMEDOUT)
		;
	left = g->woken;
	pthread_mutex_unlock(&g->lock);
	return left;
}
