/*
 * A process linked with libexeunt that registers nothing: exit does
 * nothing extra (the phase stays RUNNING) and an unregistered thread that
 * never ends does not hold it up.  With "query" it asks the library
 * questions that register nothing; with "_exit" it registers a hook and a
 * worker and leaves with _exit(2), which skips the coordinator.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static int query;

static void
atexit_handler(void)
{
	if (query)
		say("atexit: %s\n", phasename(exeunt_phase()));
	else
		say("atexit\n");
}

static void *
forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* Keeps the library linked in even when no function is called. */
int (*volatile keep_linked)(void) = exeunt_shutdown;

int
main(int argc, char **argv)
{
	pthread_t t;

	query = argc > 1 && strcmp(argv[1], "query") == 0;
	if (argc > 1 && strcmp(argv[1], "_exit") == 0) {
		exeunt_atexit(hook_say, "1");
		sc_create(0, terminate_say, "worker", forever, NULL);
		say("main calls _exit\n");
		_exit(2);
	}
	atexit(atexit_handler);
	if (pthread_create(&t, NULL, forever, NULL) != 0)
		return 100;
	if (query)
		say("phase %s, count %zu, self %s, stop_requested %d\n",
		    phasename(exeunt_phase()), exeunt_count(),
		    exeunt_thread_self() == NULL ? "NULL" : "set",
		    exeunt_stop_requested());
	say("main returns\n");
	return 3;
}
