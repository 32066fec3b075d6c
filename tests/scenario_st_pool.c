/*
 * Pools and stages: pool "late" (stage 1, two workers) keeps accepting
 * and running jobs until stage 1 begins; pool "early" (stage 0, one
 * worker) refuses them from the start of the shutdown.  Three stage-0
 * threads, once told to stop, each submit JOBS jobs to "late" and one to
 * "early", and end; their terminate callbacks submit one to each too,
 * before the stop request to the worker of "early" (which would close it
 * even without stages).  The hook says how many submissions each pool took
 * and refused, how many jobs ran, and the stats of "late": every job
 * accepted ran, in the drain that stage 1 waits for.
 *
 * An atexit(3) handler registered before the first exeunt call runs after
 * the shutdown and destroys both pools (joining their workers).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#define SUBMITTERS 3
#define JOBS 40

static exeunt_pool_t *early, *late;
static atomic_int late_ok, late_refused, late_other;
static atomic_int early_ok, early_refused, early_other;
static atomic_int ran;
static struct sc_count started = SC_COUNT_INIT;

static void
job_count(void *arg)
{
	(void)arg;
	atomic_fetch_add(&ran, 1);
}

static void
tally(int rc, atomic_int *ok, atomic_int *refused, atomic_int *other)
{
	if (rc == 0)
		atomic_fetch_add(ok, 1);
	else if (rc == ESHUTDOWN)
		atomic_fetch_add(refused, 1);
	else
		atomic_fetch_add(other, 1);
}

/* In the thread that makes the stop request, before the request to the
 * worker of "early", which is older: a job for each pool. */
static void
terminate_submit(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	tally(exeunt_pool_submit(late, job_count, NULL, NULL), &late_ok,
	    &late_refused, &late_other);
	tally(exeunt_pool_submit(early, job_count, NULL, NULL), &early_ok,
	    &early_refused, &early_other);
}

static void *
submitter(void *arg)
{
	int i;

	(void)arg;
	count_up(&started);
	exeunt_wait_stop(NULL);
	for (i = 0; i < JOBS; i++)
		tally(exeunt_pool_submit(late, job_count, NULL, NULL), &late_ok,
		    &late_refused, &late_other);
	tally(exeunt_pool_submit(early, job_count, NULL, NULL), &early_ok,
	    &early_refused, &early_other);
	return NULL;
}

static void
hook_pools(void *arg)
{
	struct exeunt_pool_stats s;
	int rc;

	(void)arg;
	say("hook: late took %d, refused %d, other %d; early took %d, "
	    "refused %d, other %d; %d ran\n", atomic_load(&late_ok),
	    atomic_load(&late_refused), atomic_load(&late_other),
	    atomic_load(&early_ok), atomic_load(&early_refused),
	    atomic_load(&early_other), atomic_load(&ran));
	if ((rc = exeunt_pool_stats(late, &s)) != 0)
		say("hook: stats %s\n", errname(rc));
	else
		say("hook: late submitted %llu completed %llu queued %zu\n",
		    s.submitted, s.completed, s.queued);
}

static void
atexit_destroy(void)
{
	int a = exeunt_pool_destroy(early);
	int b = exeunt_pool_destroy(late);

	say("atexit: destroy %s %s\n", errname(a), errname(b));
}

static exeunt_pool_t *
make_pool(const char *name, unsigned nthreads, int stage)
{
	exeunt_pool_t *pool;
	exeunt_attr_t a;

	exeunt_attr_init(&a);
	exeunt_attr_setname(&a, name);
	sc_check("exeunt_attr_setstage", exeunt_attr_setstage(&a, stage));
	sc_check("exeunt_pool_create", exeunt_pool_create(&pool, nthreads, 0,
	    &a));
	exeunt_attr_destroy(&a);
	return pool;
}

int
main(void)
{
	int i;

	atexit(atexit_destroy);
	exeunt_atexit(hook_pools, NULL);
	late = make_pool("late", 2, 1);
	early = make_pool("early", 1, 0);
	for (i = 0; i < SUBMITTERS; i++)
		sc_start(0, terminate_submit, NULL, submitter, NULL);
	count_wait(&started, SUBMITTERS);
	/* Both take jobs while no shutdown began. */
	sc_check("submit late", exeunt_pool_submit(late, job_count, NULL,
	    NULL));
	sc_check("submit early", exeunt_pool_submit(early, job_count, NULL,
	    NULL));
	say("main exits\n");
	return 0;
}
