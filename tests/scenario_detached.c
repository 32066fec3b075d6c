/*
 * A detached non-daemon thread is waited for at exit all the same.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_flag started = SC_FLAG_INIT;

static void *
worker(void *arg)
{
	(void)arg;
	flag_set(&started);
	work_until_stopped();
	if (await_phase(EXEUNT_JOINING, "detached"))
		say("detached done\n");
	return NULL;
}

int
main(void)
{
	exeunt_thread_t *t;

	exeunt_atexit(hook_say, "1");
	t = sc_create(0, terminate_say, "detached", worker, NULL);
	flag_wait(&started);
	say("detach: %s\n", errname(exeunt_thread_detach(t)));
	say("main returns\n");
	return 0;
}
