/*
 * The EXEUNT_DEBUG trace: run with EXEUNT_DEBUG=1 it shows the phases,
 * each terminate call and each join on stderr; run without it nothing
 * at all is written to stderr.  Threads: seq 1 "w1" and seq 2 "w2",
 * non-daemon, each finishing during the join phase; seq 3 "d3", daemon,
 * never finishing.  All three have terminate callbacks.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_flag started = SC_FLAG_INIT;

static void *
worker(void *arg)
{
	(void)arg;
	work_until_stopped();
	await_phase(EXEUNT_JOINING, "worker");
	return NULL;
}

static void *
daemon_main(void *arg)
{
	(void)arg;
	flag_set(&started);
	sc_forever();
	return NULL;
}

static void
terminate_quiet(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
}

int
main(void)
{
	exeunt_atexit(hook_say, "1");
	sc_start_named("w1", 0, terminate_quiet, NULL, worker, NULL);
	sc_start_named("w2", 0, terminate_quiet, NULL, worker, NULL);
	sc_start_named("d3", 1, terminate_quiet, NULL, daemon_main, NULL);
	flag_wait(&started);
	say("main exits\n");
	return 0;
}
