/*
 * A thread counts until it has ended, its thread-specific data destructors
 * included: a non-daemon worker stops on request, and its key's
 * destructor then takes a millisecond, as a flush would, and says
 * "flushed".  The exit's join phase waits for the worker, so that comes
 * before the hook.  check_finish.c runs this many times: on a library that
 * counts the thread out when its start routine returns, the hook wins.
 *
 * Built with SC_FROM_CONSTRUCTOR and linked statically
 * (scenario_fin_tsd_ctor_static), all of it happens in a constructor of
 * the program, which comes before the library's own in .init_array: the
 * library's start-up must still run first, or the worker starts without
 * the key through which it is counted out.
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

static int
start(void)
{
	if (pthread_key_create(&key, flush) != 0)
		return 100;
	sc_check("exeunt_atexit", exeunt_atexit(hook_say, "1"));
	sc_start(0, NULL, NULL, worker, &key);
	return 0;
}

#ifdef SC_FROM_CONSTRUCTOR
static int started;

__attribute__((constructor)) static void
start_early(void)
{
	started = start();
}

int
main(void)
{
	return started;
}
#else
int
main(void)
{
	return start();
}
#endif
