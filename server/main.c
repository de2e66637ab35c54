/* main.c - the slotdav binary: every subcommand is in cli.c. */
#include "cli.h"

int main(int argc, char **argv)
{
	return srv_cli_main(argc, argv);
}
