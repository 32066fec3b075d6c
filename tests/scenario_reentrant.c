/*
 * Calls back into the library from the coordinator: a terminate callback
 * and a hook calling exeunt_shutdown() get EDEADLK; creation fails with
 * ESHUTDOWN; hooks registered by a callback or by a hook run (a hook
 * registered while hooks run is next).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static void *
idler(void *arg)
{
	(void)arg;
	exeunt_wait_stop(NULL);
	return NULL;
}

static void
terminate_reenter(exeunt_thread_t *t, void *arg)
{
	exeunt_thread_t *n = NULL;
	int shutdown_rc, create_rc, atexit_rc;

	(void)t;
	(void)arg;
	shutdown_rc = exeunt_shutdown();
	create_rc = exeunt_thread_create(&n, NULL, idler, NULL);
	atexit_rc = exeunt_atexit(hook_say, "from callback");
	say("terminate: shutdown %s, create %s, atexit %s, %s\n",
	    errname(shutdown_rc), errname(create_rc), errname(atexit_rc),
	    phasename(exeunt_phase()));
}

static void
hook_reenter(void *arg)
{
	int shutdown_rc, atexit_rc;

	(void)arg;
	shutdown_rc = exeunt_shutdown();
	atexit_rc = exeunt_atexit(hook_say, "from hook");
	say("hook reenter: shutdown %s, atexit %s, %s\n", errname(shutdown_rc),
	    errname(atexit_rc), phasename(exeunt_phase()));
}

int
main(void)
{
	exeunt_atexit(hook_say, "first");
	exeunt_atexit(hook_reenter, NULL);
	/* Detached: exit waits for it all the same. */
	exeunt_thread_detach(sc_create(0, terminate_reenter, NULL, idler,
	    NULL));
	say("main returns\n");
	return 0;
}
