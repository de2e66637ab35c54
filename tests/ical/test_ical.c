/* test_ical.c - main of test_ical, and the fixtures of test_ical.h.
 * The exit status is the number of failed tests. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "test_ical.h"

/* In the sanitizer build, freed memory is overwritten: a thread that reads
 * memory another thread has freed inside libical (not instrumented, so
 * AddressSanitizer cannot see the read) then crashes instead of reading
 * stale but plausible data. See test_ics_thread.c. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "max_free_fill_size=65536:free_fill_byte=255";
}

int fx_setup_sized(void **state, size_t size)
{
	struct sd_arena **fx = calloc(1, size);

	if (!fx)
		return -1;
	*fx = sd_arena_new();
	*state = fx;
	return 0;
}

int fx_setup(void **state)
{
	return fx_setup_sized(state, sizeof(struct fx));
}

int64_t fx_utc(const char *s)
{
	struct tm tm = { 0 };

	if (sscanf(s, "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
	           &tm.tm_min, &tm.tm_sec) != 6)
		fail_msg("bad time %s", s);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

int fx_teardown(void **state)
{
	struct fx *fx = *state;

	sd_arena_free(fx->a);
	free(fx);
	return 0;
}

int fx_check_mask(struct fx *fx, const char *text, unsigned mask)
{
	sd_err_clear(&fx->err);
	return ics_object_check(text, strlen(text), mask, fx->a, &fx->info, &fx->err);
}

int fx_check(struct fx *fx, const char *text)
{
	return fx_check_mask(fx, text, ALL_COMPS);
}

const char *fx_crlf(struct fx *fx, const char *text)
{
	char *out = sd_arena_alloc(fx->a, 2 * strlen(text) + 1);
	char *o = out;

	for (const char *s = text; *s; s++) {
		if (*s == '\n')
			*o++ = '\r';
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

const char *fx_cal(struct fx *fx, const char *body)
{
	return fx_crlf(fx, sd_arena_printf(fx->a,
	                                   "BEGIN:VCALENDAR\nVERSION:2.0\n"
	                                   "PRODID:-//slotdav//test//EN\n%sEND:VCALENDAR\n",
	                                   body));
}

void fx_assert_fail(struct fx *fx, int rc, int code, const char *needle)
{
	if (rc != code || !strstr(fx->err.msg, needle))
		print_error("expected code %d with \"%s\", got %d: \"%s\"\n", code, needle, rc,
		            fx->err.msg);
	assert_int_equal(rc, code);
	assert_non_null(strstr(fx->err.msg, needle));
}

void fx_assert_ok(struct fx *fx, const char *text)
{
	int rc = fx_check(fx, text);

	if (rc != ICS_OK)
		print_error("expected ICS_OK, got %d: \"%s\"\n", rc, fx->err.msg);
	assert_int_equal(rc, ICS_OK);
}

void fx_assert_range(struct fx *fx, int64_t first_start, int64_t last_end)
{
	if (fx->info.first_start != first_start || fx->info.last_end != last_end)
		print_error("expected [%lld, %lld), got [%lld, %lld)\n", (long long)first_start,
		            (long long)last_end, (long long)fx->info.first_start,
		            (long long)fx->info.last_end);
	assert_true(fx->info.first_start == first_start);
	assert_true(fx->info.last_end == last_end);
}

int main(void)
{
	int failed = 0;

	failed += test_ics_check_run("ical: checks");
	failed += test_ics_clients_run("ical: real clients");
	failed += test_ics_range_run("ical: instant ranges");
	failed += test_ics_thread_run("ical: threads");
	failed += test_ics_tz_run("ical: zone cache");
	failed += ics_filter_tests_run();
	failed += ics_select_tests_run();
	failed += ics_freebusy_tests_run();
	failed += test_ics_zone_run("ical: zones");
	failed += test_ics_edit_run("ical: client edits");
	failed += test_ics_sched_run("ical: scheduling messages");
	failed += test_ics_split_run("ical: import and export");
	return failed;
}
