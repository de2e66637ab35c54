/* test_storage.c - main of test_storage: every group, on every backend.
 *
 * The functional groups run once on the SQLite backend and once on the same
 * backend behind a disarmed fault wrapper; schema and fault-injection tests
 * run once. The exit status is the number of failed tests.
 */
#include <stdio.h>

#include "storage_test.h"

int main(void)
{
	int (*const functional[])(const char *) = {
		test_store_user_run,   test_store_coll_run,       test_store_obj_run,
		test_store_change_run, test_store_prop_run,       test_store_txn_run,
		test_store_bk_run,     test_store_bk_booking_run, test_store_bk_extcal_run,
	};
	const char *const names[] = { "users",       "collections", "resources",
		                      "change log",  "properties",  "transactions",
		                      "booking org", "bookings",    "external calendars" };
	char name[96];
	int failed = 0;

	failed += test_store_schema_run("schema");
	for (int v = FX_SQLITE; v <= FX_FAULT; v++) {
		fx_variant = (enum fx_variant)v;
		for (size_t i = 0; i < sizeof(functional) / sizeof(functional[0]); i++) {
			snprintf(name, sizeof(name), "%s (%s)", names[i], fx_variant_names[v]);
			failed += functional[i](name);
		}
	}
	fx_variant = FX_SQLITE;
	failed += test_store_fault_run("fault injection");
	failed += test_store_bk_once_run("booking schema and faults");
	return failed;
}
