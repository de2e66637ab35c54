/* store_fault.h - a fault-injecting backend wrapper, for tests.
 *
 * store_fault_backend_new() wraps another backend and forwards every
 * operation to it. It counts *fault points*: each operation that can fail
 * (every entry of struct store_backend that returns int), and, when the
 * wrapped backend supports set_fault_hook, each internal step the backend
 * takes inside an operation (for SQLite: every statement, commit and
 * savepoint release). Once armed with n, the nth fault point from then on
 * fails with STORE_EIO, so a test can fail a write at each of its steps in
 * turn (n = 1, 2, ... until the write succeeds without the fault firing) and
 * check that every failure left the database exactly as it was.
 *
 * Counting is thread-safe, but a test that wants a deterministic n runs the
 * operation under test alone.
 */
#ifndef STORE_FAULT_H
#define STORE_FAULT_H

#include "store_backend.h"

/* Wraps inner, which the wrapper owns from now on (freed with it). Disarmed
 * at first. Hand the result to store_open_backend(). */
struct store_backend *store_fault_backend_new(struct store_backend *inner);

/* Makes the nth fault point from now fail (n >= 1); n = 0 disarms. Resets
 * the point counter and the fired flag. be is a store_fault_backend_new()
 * result (borrowed from the store that owns it). */
void store_fault_arm(struct store_backend *be, long n);

/* Fault points passed since the last store_fault_arm(). */
long store_fault_points(struct store_backend *be);

/* 1 if the armed fault fired since the last store_fault_arm(). */
int store_fault_fired(struct store_backend *be);

#endif
