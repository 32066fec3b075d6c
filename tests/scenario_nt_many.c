/*
 * systemd notification (check_notify.c) with more thread names than a
 * datagram holds: argv[1] non-daemon threads named
 * "a-thread-with-a-rather-long-name-NNN" (NNN from 001, in creation
 * order) that end once told to stop, and an exit hook (with none of
 * them, it makes the program use the library, so that exit() runs a
 * shutdown).  exeunt_notify(1); main exits with 0.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

int
main(int argc, char **argv)
{
	int i, n = argc > 1 ? atoi(argv[1]) : 0;
	char name[64];

	sc_check("exeunt_notify", exeunt_notify(1));
	sc_check("exeunt_atexit", exeunt_atexit(hook_say, "runs"));
	for (i = 1; i <= n; i++) {
		snprintf(name, sizeof name,
		    "a-thread-with-a-rather-long-name-%03d", i);
		sc_start_named(name, 0, NULL, NULL, sc_until_stopped, NULL);
	}
	say("main exits\n");
	exit(0);
}
