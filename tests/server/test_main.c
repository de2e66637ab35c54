/* test_main.c - runs every group of test_server; helpers shared by groups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_server.h"

char *test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = malloc(4096);

	snprintf(dir, 4096, "%s/slotdav-test-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
	return dir;
}

void test_rmtree(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
	int failed = 0;

	failed += test_config_run();
	failed += test_gate_run();
	failed += test_auth_run();
	failed += test_cli_run();
	failed += test_http_run();
	return failed ? 1 : 0;
}
