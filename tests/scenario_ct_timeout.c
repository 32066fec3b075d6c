/*
 * A shutdown with a deadline far away, or none: it waits for a slow
 * non-daemon thread and drains a pool, and no report is made.
 *
 * argv[1]: the deadline, with action EXEUNT_OVERRUN_EXIT:
 *   sec   exeunt_set_timeout({ LONG_MAX, 0 })
 *   max   exeunt_set_timeout({ LONG_MAX, 999999999 })
 *   none  no call: the environment the test passes decides.
 * The thread "slow" takes about 50 ms to end once told to stop; a
 * 1-worker pool holds one job until its worker is told to stop and has 3
 * queued behind it, which the default pending action (RUN) runs.  The
 * hook prints the pool's counters.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <limits.h>

static exeunt_pool_t *pool;
static struct sc_count held = SC_COUNT_INIT;

static void
job_hold(void *arg)
{
	(void)arg;
	count_up(&held);
	(void)exeunt_wait_stop(NULL);
}

static void
job_nothing(void *arg)
{
	(void)arg;
}

static void *
start_slow(void *arg)
{
	struct timespec d;

	(void)arg;
	(void)exeunt_wait_stop(NULL);
	/* Not a synchronisation: the thread is slow to stop, on purpose. */
	d = sc_deadline_ms(50);
	while (!sc_passed(&d))
		sc_pause();
	say("slow done\n");
	return NULL;
}

static void
hook_stats(void *arg)
{
	struct exeunt_pool_stats s;

	(void)arg;
	sc_check("exeunt_pool_stats", exeunt_pool_stats(pool, &s));
	say("hook: submitted %llu started %llu completed %llu cancelled "
	    "%llu\n", s.submitted, s.started, s.completed, s.cancelled);
}

/* Runs after the coordinator: joins the ended worker (for TSan). */
static void
atexit_destroy(void)
{
	say("atexit: destroy %s\n", errname(exeunt_pool_destroy(pool)));
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "none";
	struct timespec limit = { LONG_MAX, 0 };
	int i;

	atexit(atexit_destroy);
	if (strcmp(mode, "max") == 0)
		limit.tv_nsec = 999999999L;
	if (strcmp(mode, "none") != 0)
		sc_check("exeunt_set_timeout", exeunt_set_timeout(&limit,
		    EXEUNT_OVERRUN_EXIT));
	sc_check("exeunt_pool_create", exeunt_pool_create(&pool, 1, 0, NULL));
	sc_check("exeunt_atexit", exeunt_atexit(hook_stats, NULL));
	sc_check("submit", exeunt_pool_submit(pool, job_hold, NULL, NULL));
	count_wait(&held, 1);
	for (i = 0; i < 3; i++)
		sc_check("submit", exeunt_pool_submit(pool, job_nothing, NULL,
		    NULL));
	sc_start_named("slow", 0, NULL, NULL, start_slow, NULL);
	say("main returns\n");
	return 0;
}
