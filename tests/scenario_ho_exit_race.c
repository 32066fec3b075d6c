/*
 * Two plain exit(5) calls, from two unregistered threads, while
 * exeunt_shutdown() runs in main and waits for a non-daemon worker.  The
 * worker, once told to stop, lets both exiters call exit() and waits
 * until each is blocked in it; only then does it finish.  Neither exit()
 * may cut the shutdown short: the worker's line and the hook's are
 * printed, then the process ends with 5.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <stdatomic.h>

struct exiter {
	const char *name;
	struct sc_flag go;
	atomic_int calling;
	pid_t tid;
};

static struct exiter exiters[2] = {
	{ "exiter 1", SC_FLAG_INIT, 0, 0 },
	{ "exiter 2", SC_FLAG_INIT, 0, 0 },
};
static struct sc_count started = SC_COUNT_INIT;

static void *
worker(void *arg)
{
	int i;

	(void)arg;
	work_until_stopped();
	if (!await_phase(EXEUNT_JOINING, "worker"))
		return NULL;
	for (i = 0; i < 2; i++)
		release_into_exit(&exiters[i].go, &exiters[i].calling,
		    exiters[i].tid, exiters[i].name);
	say("worker stops\n");
	return NULL;
}

static void *
exiter(void *arg)
{
	struct exiter *e = arg;

	e->tid = gettid();
	count_up(&started);
	flag_wait(&e->go);
	say("%s calls exit(5)\n", e->name);
	atomic_store(&e->calling, 1);
	exit(5);
}

int
main(void)
{
	pthread_t t;
	int i;

	sc_check("exeunt_atexit", exeunt_atexit(hook_say, "1"));
	for (i = 0; i < 2; i++)
		if (pthread_create(&t, NULL, exiter, &exiters[i]) != 0)
			return 100;
	count_wait(&started, 2);
	sc_start(0, terminate_say, "worker", worker, NULL);
	say("main calls exeunt_shutdown\n");
	exeunt_shutdown();
	/* The process ends from the exiters' exit(), under this thread. */
	sc_forever();
	return 0;
}
