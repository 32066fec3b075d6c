/*
 * Review: exit() from a stop callback.  Thread "T" waits for what only
 * its terminate callback gives it, with a stop callback pushed that calls
 * exit(7).  The stop request for T is made by the shutdown of main's
 * exit(0) ("exit"), or by main's exeunt_thread_request_stop() ("request").
 * Either way the callback's exit(7) goes on with the shutdown; T's stop
 * request is "stop flag, stop fd, stop callbacks, terminate callback", so
 * its terminate callback must still run once, and T end, before the hook;
 * the process ends with 7.  The test gives a deadline with action exit,
 * so that a T left waiting ends the process with EXEUNT_EXIT_TIMEOUT.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_flag woken = SC_FLAG_INIT;
static struct sc_count started = SC_COUNT_INIT;

static void
terminate_wakes(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	say("terminate T\n");
	flag_set(&woken);
}

static void
callback_exits(void *arg)
{
	(void)arg;
	say("stop callback exits\n");
	exit(7);
}

static void *
worker(void *arg)
{
	exeunt_stop_callback_t cb;

	(void)arg;
	sc_check("exeunt_stop_callback_push",
	    exeunt_stop_callback_push(&cb, callback_exits, NULL));
	count_up(&started);
	flag_wait(&woken);
	(void)exeunt_stop_callback_pop(&cb);
	say("T ends\n");
	return NULL;
}

int
main(int argc, char **argv)
{
	exeunt_thread_t *t;

	sc_check("exeunt_atexit", exeunt_atexit(hook_say, "1"));
	t = sc_create_named("T", 0, terminate_wakes, NULL, worker, NULL);
	count_wait(&started, 1);
	if (argc > 1 && strcmp(argv[1], "request") == 0) {
		say("main requests\n");
		exeunt_thread_request_stop(t);
		say("request returned\n");	/* never: exit(7) */
		_exit(100);
	}
	say("main exits\n");
	exit(0);
}
