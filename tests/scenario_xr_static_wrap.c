/*
 * A fully static program (the C library linked in too) built with
 * -Wl,--wrap=exit, as pkg-config --static --libs exeunt says: every
 * exit(), the C library's own call after main returns included, is
 * __wrap_exit(), and the library must still reach the C library's
 * exit() through __real_exit, even where nothing else pulls exit() out
 * of libc.a (musl: it recursed into __wrap_exit until the stack ran out).
 *
 * main registers a hook and a non-daemon worker, then calls exit(3)
 * (argv[1] "exit") or returns 3 ("return"): the worker's callback, its
 * end, the hook and the atexit handler each run once, the status is 3.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

/* Registered before the first exeunt call: runs after the shutdown. */
static void
atexit_say(void)
{
	say("atexit\n");
}

int
main(int argc, char **argv)
{
	int by_return = argc > 1 && strcmp(argv[1], "return") == 0;

	atexit(atexit_say);
	sc_check("exeunt_atexit", exeunt_atexit(hook_say, "1"));
	sc_start(0, terminate_say, "worker", worker_stops_in_join, NULL);
	say("main %s 3\n", by_return ? "returns" : "calls exit with");
	if (by_return)
		return 3;
	exit(3);
}
