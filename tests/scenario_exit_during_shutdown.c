/*
 * exit(8) from a registered non-daemon thread B while exeunt_shutdown()
 * runs in thread A: B counts as finished (the join does not wait for
 * it), waits until the shutdown is done, then its exit goes on (the
 * atexit handlers, once) and the process ends with B's status.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <stdatomic.h>

static struct sc_flag started = SC_FLAG_INIT;
static struct sc_flag go = SC_FLAG_INIT;
static atomic_int calling;
static pid_t exiter_tid;

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
	work_until_stopped();
	if (!await_phase(EXEUNT_JOINING, "worker"))
		return NULL;
	release_into_exit(&go, &calling, exiter_tid, "exiter");
	say("worker done\n");
	return NULL;
}

static void *
exiter(void *arg)
{
	(void)arg;
	exiter_tid = gettid();
	flag_set(&started);
	flag_wait(&go);
	say("exiter calls exit(8)\n");
	atomic_store(&calling, 1);
	exit(8);
}

static void *
shutter(void *arg)
{
	(void)arg;
	say("A calls exeunt_shutdown\n");
	exeunt_shutdown();
	/* The process ends from B's exit, under this thread. */
	sc_forever();
	return NULL;
}

int
main(void)
{
	pthread_t a;

	atexit(atexit_before);
	exeunt_atexit(hook_say, "1");
	sc_start(0, terminate_say, "worker", worker, NULL);
	sc_start(0, terminate_say, "exiter", exiter, NULL);
	flag_wait(&started);
	if (pthread_create(&a, NULL, shutter, NULL) != 0)
		return 100;
	sc_forever();
	return 0;
}
