/* gate.h - a counting gate whose callers never block: they are parked.
 *
 * The HTTP server's worker threads each serve many connections. If one of
 * them blocked waiting for a storage connection while the connections were
 * held by streamed responses that only that same thread can finish, it
 * would wait forever. So an exchange does not wait for a storage connection:
 * it asks the gate for a slot (one per pooled connection). With none free,
 * the gate parks it (the suspend callback: libmicrohttpd suspends the
 * connection and the thread goes on serving the others) and queues it;
 * whoever gives a slot back hands it to the first in the queue and wakes it
 * (the resume callback). A woken ticket comes back through
 * srv_gate_enter(), which then finds its slot.
 *
 * suspend and resume are called with the gate's lock held, so a ticket is
 * always suspended before it is resumed (libmicrohttpd requires that). They
 * must not call back into the gate.
 */
#ifndef SRV_GATE_H
#define SRV_GATE_H

struct srv_gate;

/* One per exchange, zeroed; cls is what the callbacks receive. */
struct srv_gate_ticket {
	void *cls;
	struct srv_gate_ticket *next;
	unsigned queued : 1, woken : 1, held : 1;
};

enum {
	SRV_GATE_HELD = 1,    /* the ticket holds a slot */
	SRV_GATE_QUEUED = 0,  /* parked (suspend was called); enter again when woken */
	SRV_GATE_CLOSED = -1, /* no slot and the gate is closing: answer 503 */
};

/* A gate with `slots` slots. Caller frees with srv_gate_free(). */
struct srv_gate *srv_gate_new(int slots, void (*suspend)(void *cls), void (*resume)(void *cls));
void srv_gate_free(struct srv_gate *g);

/* Asks for a slot; see the enum. Calling it again after being woken (or
 * while holding a slot) is how a parked ticket collects its slot. */
int srv_gate_enter(struct srv_gate *g, struct srv_gate_ticket *t);

/* The ticket is done: its slot (if any) goes to the first queued ticket, a
 * queued ticket leaves the queue. Idempotent. */
void srv_gate_leave(struct srv_gate *g, struct srv_gate_ticket *t);

/* Closes the gate: queued tickets are woken (to get SRV_GATE_CLOSED), then
 * waits up to timeout_ms for all woken tickets to have entered or left
 * again. Returns the number still outstanding (0 when clean). */
int srv_gate_close(struct srv_gate *g, int timeout_ms);

#endif
