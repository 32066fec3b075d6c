/*
 * Review: a stop callback pushed by an unregistered thread that blocks,
 * with EXEUNT_TIMEOUT and EXEUNT_ON_TIMEOUT=proceed from the test.  The
 * callback runs in main, which runs the shutdown, at the start of it (the
 * process-wide stop).  exeunt_set_timeout(3): "a blocked stop callback
 * counts as a blocked terminate callback everywhere on this page", so
 * once the deadline passes the watchdog takes over and the hook runs,
 * and the process ends with main's status, 3.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_flag pushed = SC_FLAG_INIT;

static void
blocks(void *arg)
{
	(void)arg;
	say("callback blocks\n");
	sc_forever();
}

/* An unregistered thread that waits in a call the library cannot see. */
static void *
pusher(void *arg)
{
	exeunt_stop_callback_t cb;

	(void)arg;
	sc_check("exeunt_stop_callback_push",
	    exeunt_stop_callback_push(&cb, blocks, NULL));
	flag_set(&pushed);
	sc_forever();
	return NULL;
}

int
main(void)
{
	pthread_t pth;

	sc_check("exeunt_atexit", exeunt_atexit(hook_say, "1"));
	sc_check("pthread_create", pthread_create(&pth, NULL, pusher, NULL));
	flag_wait(&pushed);
	say("main exits\n");
	exit(3);
}
