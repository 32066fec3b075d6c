/*
 * EXEUNT_PENDING_CANCEL at exit: no queued job starts once the shutdown
 * has begun.  A 2-worker pool's workers are both held in a job that
 * waits for its worker's stop request, with 10000 jobs queued behind;
 * main then calls exit(0) with the pool's pending action CANCEL.  Since
 * neither worker can take a job until its stop has been requested, which
 * is after the shutdown began, any queued job that starts at all starts
 * late: none may, and every one must be handed back.  (A library that
 * lets a woken worker take jobs before the pool is closed starts some.)
 * The hook runs once the pool is settled and prints what happened.
 *
 * argv[1]: how CANCEL is chosen: "pool" (exeunt_pool_set_pending) or
 * "env" (EXEUNT_POOL_PENDING=cancel, set by the test).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#define HOLDERS 2
#define JOBS 10000

static exeunt_pool_t *pool;
static atomic_int started, started_late, cancelled;
static struct sc_count held = SC_COUNT_INIT;

/* Holds its worker until the worker is asked to stop. */
static void
job_hold(void *arg)
{
	(void)arg;
	atomic_fetch_add(&started, 1);
	count_up(&held);
	(void)exeunt_wait_stop(NULL);
}

/* A queued job: it can only start after the shutdown began. */
static void
job_tick(void *arg)
{
	(void)arg;
	atomic_fetch_add(&started_late, 1);
	atomic_fetch_add(&started, 1);
}

static void
job_cancelled(void *arg)
{
	(void)arg;
	atomic_fetch_add(&cancelled, 1);
}

static void
hook_report(void *arg)
{
	struct exeunt_pool_stats s;

	(void)arg;
	sc_check("exeunt_pool_stats", exeunt_pool_stats(pool, &s));
	say("late %d; submitted %llu started %llu cancelled %llu; "
	    "run %d cancel %d\n", atomic_load(&started_late), s.submitted,
	    s.started, s.cancelled, atomic_load(&started),
	    atomic_load(&cancelled));
}

/* Runs after the coordinator: joins the ended workers (for TSan). */
static void
atexit_destroy(void)
{
	int rc = exeunt_pool_destroy(pool);

	if (rc != 0)
		say("atexit: destroy %s\n", errname(rc));
}

int
main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "pool";
	int i;

	atexit(atexit_destroy);
	sc_check("exeunt_pool_create", exeunt_pool_create(&pool, 2, 0, NULL));
	if (strcmp(how, "pool") == 0)
		sc_check("exeunt_pool_set_pending", exeunt_pool_set_pending(pool,
		    EXEUNT_PENDING_CANCEL));
	sc_check("exeunt_atexit", exeunt_atexit(hook_report, NULL));
	for (i = 0; i < HOLDERS; i++)
		sc_check("submit", exeunt_pool_submit(pool, job_hold,
		    job_cancelled, NULL));
	for (i = 0; i < JOBS; i++)
		sc_check("submit", exeunt_pool_submit(pool, job_tick,
		    job_cancelled, NULL));
	count_wait(&held, HOLDERS);
	exit(0);
}
