/* test_booking.c - main of test_booking: runs the groups of every test file
 * of booking/. The exit status is the number of failed tests. */
#include "test_booking.h"

int main(void)
{
	int failed = 0;

	failed += test_avail_run("booking: availability");
	failed += life_run();
	failed += test_link_run("booking: manage links");
	failed += feed_run();
	return failed;
}
