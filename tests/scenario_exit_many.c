/*
 * exeunt_exit() from 8 registered non-daemon threads at once (released
 * by a barrier): the first caller runs exit(), every other one is parked
 * and counts as finished, so the join waits only for the worker; every
 * phase, hook and atexit handler runs once, and the exit status is one
 * of the callers' (10 to 17).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <stdint.h>

#define EXITERS 8

static pthread_barrier_t barrier;
static struct sc_flag started = SC_FLAG_INIT;

/* Registered before the first exeunt call: runs after the coordinator. */
static void
atexit_before(void)
{
	say("atexit: %s\n", phasename(exeunt_phase()));
}

static void *
worker(void *arg)
{
	(void)arg;
	flag_set(&started);
	work_until_stopped();
	if (await_phase(EXEUNT_JOINING, "worker"))
		say("worker done\n");
	return NULL;
}

static void *
exiter(void *arg)
{
	pthread_barrier_wait(&barrier);
	exeunt_exit(10 + (int)(intptr_t)arg);
}

int
main(void)
{
	char name[16];
	int i;

	atexit(atexit_before);
	exeunt_atexit(hook_say, "1");
	if (pthread_barrier_init(&barrier, NULL, EXITERS) != 0)
		return 100;
	sc_start(0, terminate_say, "worker", worker, NULL);
	flag_wait(&started);
	say("exiters go\n");
	for (i = 0; i < EXITERS; i++) {
		snprintf(name, sizeof name, "exiter-%d", i);
		sc_start_named(name, 0, NULL, NULL, exiter,
		    (void *)(intptr_t)i);
	}
	sc_forever();
	return 0;
}
