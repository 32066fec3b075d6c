/*
 * Out of memory when the deadline passes: the report must not be dropped
 * silently.  Through interpose.h, as in scenario_nomem.c, every
 * allocation, in every thread, fails from the moment the shutdown begins
 * (the terminate callback of the one thread raises the flag).  The
 * deadline is 50 ms with action EXIT, and the thread never stops: the
 * process must end with status 124 and at least the report's heading
 * ("exeunt: shutdown deadline ...") on stderr.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include "interpose.h"

static atomic_int out_of_memory;

NOT_INSTRUMENTED static int
interpose_fail(void)
{
	return atomic_load(&out_of_memory);
}

static struct sc_flag started = SC_FLAG_INIT;
static struct sc_flag never = SC_FLAG_INIT;

/* Ignores its stop request: the deadline passes. */
static void *
start_stuck(void *arg)
{
	(void)arg;
	flag_set(&started);
	flag_wait(&never);
	return NULL;
}

/* The shutdown has begun (and armed its deadline): no memory from now. */
static void
terminate_starve(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	atomic_store(&out_of_memory, 1);
}

int
main(void)
{
	static const struct timespec limit = { 0, 50 * 1000000L };

	free(malloc(1));	/* resolve the real functions first */
	sc_check("exeunt_set_timeout", exeunt_set_timeout(&limit,
	    EXEUNT_OVERRUN_EXIT));
	sc_start_named("stuck", 0, terminate_starve, NULL, start_stuck, NULL);
	flag_wait(&started);
	say("main exits\n");
	exit(0);
}
