/*
 * exit() from a second thread while main's exit(3) runs the coordinator,
 * which is waiting in its join phase: the process still ends once, with
 * status 3; the hooks and the atexit handlers run once; the second
 * thread counts as finished (the join does not wait for it) and is parked.
 *
 * Modes: "exit" (a registered non-daemon thread calls exit(7)),
 * "exeunt_exit" (the same thread calls exeunt_exit(7)), "raw" (an
 * unregistered thread calls exit(7)).  The first line gives the quitter's
 * kernel thread id, for the EXEUNT_DEBUG trace of the discarded status.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <stdatomic.h>

static struct sc_flag ready = SC_FLAG_INIT;
static struct sc_flag go = SC_FLAG_INIT;
static atomic_int calling;
static pid_t quitter_tid;
static int use_exeunt_exit;

/* Registered before the first exeunt call: runs after the coordinator. */
static void
atexit_before(void)
{
	say("atexit: %s\n", phasename(exeunt_phase()));
}

/* The join has ended: the quitter counts as finished. */
static void
hook_count(void *arg)
{
	(void)arg;
	say("hook: count %zu\n", exeunt_count());
}

static void *
worker(void *arg)
{
	(void)arg;
	work_until_stopped();
	if (!await_phase(EXEUNT_JOINING, "worker"))
		return NULL;
	/* The coordinator is joining: let the quitter call exit now, and
	 * finish only once it is blocked in it. */
	release_into_exit(&go, &calling, quitter_tid, "quitter");
	return NULL;
}

static void *
quitter(void *arg)
{
	(void)arg;
	quitter_tid = gettid();
	flag_set(&ready);
	flag_wait(&go);
	say("quitter calls exit(7)\n");
	atomic_store(&calling, 1);
	if (use_exeunt_exit)
		exeunt_exit(7);
	exit(7);
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "exit";
	pthread_t raw;

	use_exeunt_exit = strcmp(mode, "exeunt_exit") == 0;
	atexit(atexit_before);
	exeunt_atexit(hook_count, NULL);
	sc_start(0, terminate_say, "worker", worker, NULL);
	if (strcmp(mode, "raw") == 0) {
		if (pthread_create(&raw, NULL, quitter, NULL) != 0)
			return 100;
	} else {
		sc_start_named("quitter", 0, terminate_say, "quitter",
		    quitter, NULL);
	}
	flag_wait(&ready);
	say("quitter tid %d\n", (int)quitter_tid);
	say("main exits\n");
	exit(3);
}
