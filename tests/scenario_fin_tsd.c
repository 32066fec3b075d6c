/*
 * A thread counts until it has ended, its thread-specific data destructors
 * included: a non-daemon worker stops on request, and its key's
 * destructor then takes a millisecond, as a flush would, and says
 * "flushed".  The exit's join phase waits for the worker, so that comes
 * before the hook.  check_finish.c runs this many times: on a library that
 * counts the thread out when its start routine returns, the hook wins.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static pthread_key_t key;

static void
flush(void *arg)
{
	/* The work that the join phase waits for, not synchronisation. */
	const struct timespec ms = { 0, 1000000L };

	(void)arg;
	nanosleep(&ms, NULL);
	say("flushed\n");
}

static void *
worker(void *arg)
{
	pthread_setspecific(key, arg);
	exeunt_wait_stop(NULL);
	return NULL;
}

int
main(void)
{
	if (pthread_key_create(&key, flush) != 0)
		return 100;
	sc_check("exeunt_atexit", exeunt_atexit(hook_say, "1"));
	sc_start(0, NULL, NULL, worker, &key);
	return 0;
}
