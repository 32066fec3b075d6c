/*
 * Returning from main, or with "exit" calling exit(0) there: the shutdown
 * first (terminate callbacks newest first, the wait for the non-daemon
 * worker, the hooks last registered first), then every atexit handler,
 * whenever it was registered.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static exeunt_thread_t *worker_t, *idler_t;

/* Registered before the first exeunt call: runs after the coordinator,
 * when both threads have finished; joining them frees their records. */
static void
atexit_before(void)
{
	int w = exeunt_thread_join(worker_t, NULL);
	int i = exeunt_thread_join(idler_t, NULL);

	say("atexit before: %s, joins %s %s\n", phasename(exeunt_phase()),
	    errname(w), errname(i));
}

static void
atexit_after(void)
{
	say("atexit after: %s, %zu running\n", phasename(exeunt_phase()),
	    exeunt_count());
}

static struct sc_flag started = SC_FLAG_INIT;

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
idler(void *arg)
{
	(void)arg;
	exeunt_wait_stop(NULL);
	return NULL;
}

int
main(int argc, char **argv)
{
	atexit(atexit_before);
	/* The first exeunt call registers the coordinator with atexit(3). */
	exeunt_atexit(hook_say, "1");
	atexit(atexit_after);
	exeunt_atexit(hook_say, "2");
	worker_t = sc_create(-1, terminate_say, "worker", worker, NULL);
	idler_t = sc_create(-1, terminate_say, "idler", idler, NULL);
	flag_wait(&started);
	if (argc > 1 && strcmp(argv[1], "exit") == 0) {
		say("main exits\n");
		exit(0);
	}
	say("main returns\n");
	return 0;
}
