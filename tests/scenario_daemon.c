/*
 * Daemon threads are stopped (their terminate callbacks run) but not
 * waited for: one that ignores the request and blocks forever, and its
 * child that inherited the daemon flag, do not hold up exit.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_flag ready = SC_FLAG_INIT;
static int child_daemon = -1;

static void *
forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *
daemon_main(void *arg)
{
	exeunt_thread_t *child;

	(void)arg;
	if (exeunt_thread_create(&child, NULL, forever, NULL) == 0)
		child_daemon = exeunt_thread_isdaemon(child);
	flag_set(&ready);
	forever(NULL);
	return NULL;
}

int
main(void)
{
	exeunt_atexit(hook_say, "1");
	sc_create(1, terminate_say, "daemon", daemon_main, NULL);
	flag_wait(&ready);
	say("child daemon: %d\n", child_daemon);
	say("main exits\n");
	exit(6);
}
