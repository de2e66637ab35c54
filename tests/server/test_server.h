/* test_server.h - the groups of test_server, one per tests/server/test_*.c,
 * and helpers they share. */
#ifndef TEST_SERVER_H
#define TEST_SERVER_H

int test_config_run(void);
int test_gate_run(void);
int test_auth_run(void);
int test_cli_run(void);
int test_http_run(void);

/* A fresh directory under $TMPDIR (or /tmp); caller frees the string and
 * removes the tree with test_rmtree(). */
char *test_tmpdir(void);
void test_rmtree(const char *dir);

#endif
