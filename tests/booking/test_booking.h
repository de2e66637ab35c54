/* test_booking.h - what the test files of booking/ (test_booking) share:
 * one entry point per file, called by main in test_booking.c. */
#ifndef TEST_BOOKING_H
#define TEST_BOOKING_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* test_avail.c: the availability engine (booking_avail.c). Each returns
 * the number of failed tests. */
int test_avail_run(const char *name);
/* test_life.c: the lifecycle against a real store. */
int life_run(void);
/* test_link.c: signed manage links. */
int test_link_run(const char *name);
/* test_feed.c: iCalendar feeds against a real store. */
int feed_run(void);

#endif
