/*
 * Adopted threads: main adopted (it coordinates and does not wait for
 * itself) and a raw pthread adopted: both get their terminate callbacks,
 * newest first, and exit waits for the raw thread until it calls
 * exeunt_thread_release(), not until it ends.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_flag adopted = SC_FLAG_INIT;
static int adopt_rc = -1;

static void *
raw_main(void *arg)
{
	exeunt_attr_t a;
	int rc;

	(void)arg;
	exeunt_attr_init(&a);
	exeunt_attr_setterminate(&a, terminate_say, "raw");
	adopt_rc = exeunt_thread_adopt(&a);
	exeunt_attr_destroy(&a);
	flag_set(&adopted);
	work_until_stopped();
	if (await_phase(EXEUNT_JOINING, "raw")) {
		/* Said before: once released, exit may go on at once. */
		say("raw releases\n");
		rc = exeunt_thread_release();
		if (rc != 0)
			say("exeunt_thread_release: %s\n", errname(rc));
	}
	/* Unregistered now: nobody waits for this thread any more. */
	for (;;)
		pause();
	return NULL;
}

int
main(void)
{
	exeunt_attr_t a;
	pthread_t raw;
	int rc;

	exeunt_attr_init(&a);
	exeunt_attr_setterminate(&a, terminate_say, "main");
	rc = exeunt_thread_adopt(&a);
	exeunt_attr_destroy(&a);
	say("main adopted: %s\n", errname(rc));
	exeunt_atexit(hook_say, "1");
	if (pthread_create(&raw, NULL, raw_main, NULL) != 0)
		return 100;
	flag_wait(&adopted);
	say("raw adopted: %s\n", errname(adopt_rc));
	say("main returns\n");
	return 0;
}
