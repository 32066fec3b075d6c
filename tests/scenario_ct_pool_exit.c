/*
 * exit() from a job of a 1-worker pool with jobs still queued: the queued
 * jobs are run (pending RUN) or cancelled (pending CANCEL) before the
 * hooks; none is lost.  Job 0 waits until main has queued jobs 1..4 and
 * calls exit(0); main then blocks.  The hook prints the pool's counters
 * and what the jobs saw.
 *
 * argv[1]: the pool's pending action: "run" or "cancel".
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static exeunt_pool_t *pool;
static struct sc_flag go = SC_FLAG_INIT;
static atomic_int ran, cancelled;

static void
job_exit(void *arg)
{
	(void)arg;
	flag_wait(&go);
	say("job 0 calls exit\n");
	exit(0);
}

static void
job_count(void *arg)
{
	(void)arg;
	atomic_fetch_add(&ran, 1);
}

static void
job_cancelled(void *arg)
{
	(void)arg;
	atomic_fetch_add(&cancelled, 1);
}

static void
hook_stats(void *arg)
{
	struct exeunt_pool_stats s;

	(void)arg;
	sc_check("exeunt_pool_stats", exeunt_pool_stats(pool, &s));
	say("hook: submitted %llu started %llu completed %llu cancelled %llu; "
	    "ran %d cancel %d\n", s.submitted, s.started, s.completed,
	    s.cancelled, atomic_load(&ran), atomic_load(&cancelled));
}

int
main(int argc, char **argv)
{
	const char *pending = argc > 1 ? argv[1] : "run";
	int i;

	sc_check("exeunt_pool_create", exeunt_pool_create(&pool, 1, 0, NULL));
	sc_check("exeunt_pool_set_pending", exeunt_pool_set_pending(pool,
	    strcmp(pending, "cancel") == 0 ? EXEUNT_PENDING_CANCEL :
	    EXEUNT_PENDING_RUN));
	sc_check("exeunt_atexit", exeunt_atexit(hook_stats, NULL));
	sc_check("submit", exeunt_pool_submit(pool, job_exit, NULL, NULL));
	for (i = 1; i <= 4; i++)
		sc_check("submit", exeunt_pool_submit(pool, job_count,
		    job_cancelled, NULL));
	flag_set(&go);
	sc_forever();
}
