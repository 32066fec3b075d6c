/*
 * exeunt_shutdown() runs the phases now; the exit() after it repeats
 * none of them.  After it nothing can be created or registered.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_flag started = SC_FLAG_INIT;

static void
atexit_after(void)
{
	say("atexit after: %s\n", phasename(exeunt_phase()));
}

static void *
worker(void *arg)
{
	(void)arg;
	flag_set(&started);
	work_until_stopped();
	if (await_phase(EXEUNT_JOINING, "worker"))
		say("worker done\n");
	return arg;
}

int
main(void)
{
	exeunt_thread_t *t, *t2;
	int marker;
	void *ret = NULL;
	int rc;

	exeunt_atexit(hook_say, "1");
	atexit(atexit_after);
	t = sc_create(0, terminate_say, "worker", worker, &marker);
	flag_wait(&started);
	say("shutdown\n");
	rc = exeunt_shutdown();
	say("shutdown: %s, %s\n", errname(rc), phasename(exeunt_phase()));
	t2 = NULL;
	rc = exeunt_thread_create(&t2, NULL, worker, NULL);
	say("create: %s%s\n", errname(rc), t2 == NULL ? "" : ", handle set");
	say("adopt: %s\n", errname(exeunt_thread_adopt(NULL)));
	say("atexit: %s\n", errname(exeunt_atexit(hook_say, "late")));
	say("shutdown again: %s\n", errname(exeunt_shutdown()));
	rc = exeunt_thread_join(t, &ret);
	say("join: %s%s\n", errname(rc), ret == &marker ? "" : ", wrong value");
	say("main exits\n");
	exit(5);
}
