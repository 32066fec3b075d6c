/*
 * exit()'s whole work runs before a trapped signal ends the process,
 * including the exit handlers registered before libexeunt's constructor
 * ran: libtest_ho_early, linked after libexeunt, registers one with
 * atexit() from its constructor, which runs first.
 *
 * argv[1]:
 *   exit     control: main calls exit(0).
 *   signal   main traps SIGTERM, says "ready" and waits; the test sends
 *            SIGTERM: the hook, then the early handler, then death by
 *            SIGTERM.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <signal.h>

int ho_early_armed(void);

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "signal";

	if (!ho_early_armed()) {
		say("the early handler is not registered\n");
		return 100;
	}
	sc_check("exeunt_atexit", exeunt_atexit(hook_say, "1"));
	if (strcmp(mode, "exit") == 0) {
		say("main exits\n");
		exit(0);
	}
	sc_check("exeunt_trap_signal", exeunt_trap_signal(SIGTERM));
	say("ready\n");
	sc_forever();
	return 0;
}
