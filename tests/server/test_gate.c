/* test_gate.c - the slot gate with recording suspend/resume callbacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "gate.h"
#include "test_server.h"

/* Callback log: "s1" = suspended ticket 1, "r3" = resumed ticket 3. */
static char events[256];

static void note(char what, void *cls)
{
	size_t n = strlen(events);

	events[n] = what;
	events[n + 1] = (char)('0' + (int)(intptr_t)cls);
	events[n + 2] = '\0';
}

static void on_suspend(void *cls)
{
	note('s', cls);
}

static void on_resume(void *cls)
{
	note('r', cls);
}

static void tickets(struct srv_gate_ticket *t, int n)
{
	memset(t, 0, (size_t)n * sizeof(*t));
	for (int i = 0; i < n; i++)
		t[i].cls = (void *)(intptr_t)i;
	events[0] = '\0';
}

static void test_slots_then_queue_in_order(void **state)
{
	struct srv_gate *g = srv_gate_new(2, on_suspend, on_resume);
	struct srv_gate_ticket t[6];

	(void)state;
	tickets(t, 6);
	assert_int_equal(srv_gate_enter(g, &t[1]), SRV_GATE_HELD);
	assert_int_equal(srv_gate_enter(g, &t[2]), SRV_GATE_HELD);
	assert_int_equal(srv_gate_enter(g, &t[3]), SRV_GATE_QUEUED);
	assert_int_equal(srv_gate_enter(g, &t[4]), SRV_GATE_QUEUED);
	assert_string_equal(events, "s3s4");
	/* a slot given back goes to the first parked ticket, which is woken */
	srv_gate_leave(g, &t[1]);
	assert_string_equal(events, "s3s4r3");
	assert_int_equal(srv_gate_enter(g, &t[3]), SRV_GATE_HELD);
	/* a newcomer does not overtake the queue */
	assert_int_equal(srv_gate_enter(g, &t[5]), SRV_GATE_QUEUED);
	srv_gate_leave(g, &t[2]);
	assert_string_equal(events, "s3s4r3s5r4");
	/* a woken ticket that goes away without entering passes its slot on */
	srv_gate_leave(g, &t[4]);
	assert_string_equal(events, "s3s4r3s5r4r5");
	assert_int_equal(srv_gate_enter(g, &t[5]), SRV_GATE_HELD);
	srv_gate_leave(g, &t[3]);
	srv_gate_leave(g, &t[5]);
	srv_gate_leave(g, &t[5]); /* idempotent */
	/* both slots free again, nobody woken for nothing */
	assert_int_equal(srv_gate_enter(g, &t[1]), SRV_GATE_HELD);
	assert_int_equal(srv_gate_enter(g, &t[2]), SRV_GATE_HELD);
	assert_string_equal(events, "s3s4r3s5r4r5");
	srv_gate_leave(g, &t[1]);
	srv_gate_leave(g, &t[2]);
	assert_int_equal(srv_gate_close(g, 0), 0);
	srv_gate_free(g);
}

static void test_parked_ticket_leaves_queue(void **state)
{
	struct srv_gate *g = srv_gate_new(1, on_suspend, on_resume);
	struct srv_gate_ticket t[4];

	(void)state;
	tickets(t, 4);
	assert_int_equal(srv_gate_enter(g, &t[1]), SRV_GATE_HELD);
	assert_int_equal(srv_gate_enter(g, &t[2]), SRV_GATE_QUEUED);
	assert_int_equal(srv_gate_enter(g, &t[3]), SRV_GATE_QUEUED);
	srv_gate_leave(g, &t[2]); /* gone while parked (e.g. shutdown) */
	srv_gate_leave(g, &t[1]);
	assert_string_equal(events, "s2s3r3"); /* 2 is never resumed */
	assert_int_equal(srv_gate_enter(g, &t[3]), SRV_GATE_HELD);
	srv_gate_leave(g, &t[3]);
	/* the last of the queue leaving keeps the tail right */
	assert_int_equal(srv_gate_enter(g, &t[1]), SRV_GATE_HELD);
	assert_int_equal(srv_gate_enter(g, &t[2]), SRV_GATE_QUEUED);
	assert_int_equal(srv_gate_enter(g, &t[3]), SRV_GATE_QUEUED);
	srv_gate_leave(g, &t[3]);
	assert_int_equal(srv_gate_enter(g, &t[0]), SRV_GATE_QUEUED);
	srv_gate_leave(g, &t[1]);
	assert_int_equal(srv_gate_enter(g, &t[2]), SRV_GATE_HELD);
	srv_gate_leave(g, &t[2]);
	assert_int_equal(srv_gate_enter(g, &t[0]), SRV_GATE_HELD);
	srv_gate_leave(g, &t[0]);
	srv_gate_free(g);
}

static void test_close_wakes_everyone(void **state)
{
	struct srv_gate *g = srv_gate_new(1, on_suspend, on_resume);
	struct srv_gate_ticket t[4];

	(void)state;
	tickets(t, 4);
	assert_int_equal(srv_gate_enter(g, &t[1]), SRV_GATE_HELD);
	assert_int_equal(srv_gate_enter(g, &t[2]), SRV_GATE_QUEUED);
	assert_int_equal(srv_gate_enter(g, &t[3]), SRV_GATE_QUEUED);
	/* nobody comes back within the time: both still outstanding */
	assert_int_equal(srv_gate_close(g, 20), 2);
	assert_string_equal(events, "s2s3r2r3");
	assert_int_equal(srv_gate_enter(g, &t[2]), SRV_GATE_CLOSED);
	srv_gate_leave(g, &t[3]);
	assert_int_equal(srv_gate_close(g, 0), 0);
	/* a slot that comes free after closing can still be used */
	srv_gate_leave(g, &t[1]);
	assert_int_equal(srv_gate_enter(g, &t[1]), SRV_GATE_HELD);
	assert_int_equal(srv_gate_enter(g, &t[2]), SRV_GATE_CLOSED);
	srv_gate_leave(g, &t[1]);
	srv_gate_free(g);
}

int test_gate_run(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots_then_queue_in_order),
		cmocka_unit_test(test_parked_ticket_leaves_queue),
		cmocka_unit_test(test_close_wakes_everyone),
	};

	return cmocka_run_group_tests_name("gate", tests, NULL, NULL);
}
