/*
 * Four threads and main call exit() at the same instant (a barrier lets
 * them go) before any shutdown began: one of them runs the shutdown, once
 * (the worker's terminate callback, the hook and an atexit handler each
 * once), and the process ends with that caller's status; the others are
 * parked.  argv[1] "registered" or "plain" says whether the four are
 * registered non-daemon threads or plain pthreads; argv[2] "exit" or
 * "exeunt_exit" what they all call.  Thread i exits with 10 + i, main
 * with 10 + EXITERS.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <stdint.h>

#define EXITERS 4

static pthread_barrier_t barrier;
static int use_exeunt_exit;

/* Registered before the first exeunt call: runs after the shutdown. */
static void
atexit_handler(void)
{
	say("atexit\n");
}

static void __attribute__((noreturn))
end(int status)
{
	pthread_barrier_wait(&barrier);
	if (use_exeunt_exit)
		exeunt_exit(status);
	exit(status);
}

static void *
exiter(void *arg)
{
	end(10 + (int)(intptr_t)arg);
}

int
main(int argc, char **argv)
{
	int registered = argc > 1 && strcmp(argv[1], "registered") == 0;
	pthread_t th;
	int i;

	use_exeunt_exit = argc > 2 && strcmp(argv[2], "exeunt_exit") == 0;
	atexit(atexit_handler);
	if (pthread_barrier_init(&barrier, NULL, EXITERS + 1) != 0)
		return 100;
	sc_check("exeunt_atexit", exeunt_atexit(hook_say, "1"));
	sc_start(0, terminate_say, "worker", worker_stops_in_join, NULL);
	for (i = 0; i < EXITERS; i++) {
		if (registered)
			sc_start(0, NULL, NULL, exiter, (void *)(intptr_t)i);
		else if (pthread_create(&th, NULL, exiter,
		    (void *)(intptr_t)i) != 0)
			return 100;
	}
	end(10 + EXITERS);
}
