/*
 * exeunt_exit(7) from a registered worker W while a registered non-daemon
 * supervisor S is blocked in exeunt_thread_join(W), with no deadline set.
 * The shutdown W runs would wait for S, and S waits for W: instead S's
 * join returns EDEADLK, S says so and returns, the hook runs and the
 * process ends with 7.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_flag joining = SC_FLAG_INIT;
static exeunt_thread_t *w;
static pid_t s_tid;

static void *
worker(void *arg)
{
	(void)arg;
	flag_wait(&joining);
	/* S's only step left is the join: once asleep, it is in it. */
	if (!await_sleeping(s_tid))
		say("S never blocked\n");
	say("W calls exeunt_exit(7)\n");
	exeunt_exit(7);
}

static void *
supervisor(void *arg)
{
	(void)arg;
	s_tid = gettid();
	say("S joins W\n");
	flag_set(&joining);
	say("S: join returned %s\n", errname(exeunt_thread_join(w, NULL)));
	return NULL;
}

int
main(void)
{
	sc_check("exeunt_atexit", exeunt_atexit(hook_say, "1"));
	w = sc_create_named("W", 0, NULL, NULL, worker, NULL);
	sc_start_named("S", 0, NULL, NULL, supervisor, NULL);
	sc_forever();
	return 0;
}
