/*
 * An unregistered thread calls exeunt_shutdown() while exit() runs the
 * shutdown: it waits until the shutdown is done, then gets 0.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <stdatomic.h>

static struct sc_flag started = SC_FLAG_INIT;
static struct sc_flag go = SC_FLAG_INIT;
static atomic_int calling;
static pid_t other_tid;
static pthread_t other;
static int other_rc = -1;
static enum exeunt_phase other_phase;

/* Registered before the first exeunt call: runs after the coordinator. */
static void
report(void)
{
	pthread_join(other, NULL);
	say("other: shutdown %s, %s\n", errname(other_rc),
	    phasename(other_phase));
}

static void *
other_main(void *arg)
{
	(void)arg;
	other_tid = gettid();
	flag_wait(&go);
	atomic_store(&calling, 1);
	other_rc = exeunt_shutdown();
	other_phase = exeunt_phase();
	return NULL;
}

static void *
worker(void *arg)
{
	struct timespec d;

	(void)arg;
	flag_set(&started);
	work_until_stopped();
	if (!await_phase(EXEUNT_JOINING, "worker"))
		return NULL;
	/* The shutdown now waits for us: let the other thread call in, and
	 * finish only once it is blocked inside exeunt_shutdown(). */
	flag_set(&go);
	d = sc_deadline();
	while (!atomic_load(&calling) && !sc_passed(&d))
		sc_pause();
	if (!await_sleeping(other_tid))
		say("other thread never blocked\n");
	say("worker done\n");
	return NULL;
}

int
main(void)
{
	if (pthread_create(&other, NULL, other_main, NULL) != 0)
		return 100;
	atexit(report);
	exeunt_atexit(hook_say, "1");
	/* Detached: exit waits for it all the same. */
	exeunt_thread_detach(sc_create(0, terminate_say, "worker", worker,
	    NULL));
	flag_wait(&started);
	say("main returns\n");
	return 0;
}
