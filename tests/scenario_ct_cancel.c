/*
 * EXEUNT_PENDING_CANCEL at exit: no queued job starts once the shutdown
 * has begun.  A 2-worker pool has 10000 jobs queued, each of which takes
 * about a millisecond (less once its worker is told to stop); main calls
 * exit(0) with the pool's pending action CANCEL.  Each job notes, as it
 * starts, whether the phase had left RUNNING: jobs running when the
 * shutdown begins may finish, but none may start after that.  The hook
 * runs once the pool is settled and prints what happened.
 *
 * argv[1]: how CANCEL is chosen: "pool" (exeunt_pool_set_pending) or
 * "env" (EXEUNT_POOL_PENDING=cancel, set by the test).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#define JOBS 10000

static exeunt_pool_t *pool;
static atomic_int started, started_late, cancelled;

static void
job_tick(void *arg)
{
	const struct timespec ms = { 0, 1000000L };

	(void)arg;
	/* First thing: a job that starts late must be seen as late. */
	if (exeunt_phase() != EXEUNT_RUNNING)
		atomic_fetch_add(&started_late, 1);
	atomic_fetch_add(&started, 1);
	(void)exeunt_wait_stop(&ms);
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
	for (i = 0; i < JOBS; i++)
		sc_check("submit", exeunt_pool_submit(pool, job_tick,
		    job_cancelled, NULL));
	exit(0);
}
