/*
 * The process deadline and pools at exit: the report of the late threads
 * says of each pool worker what it does and how long its queue is.  The
 * deadline is 200 ms (exeunt_set_timeout, PROCEED); then the hook runs and
 * the process exits with main's status, 0.
 *
 * argv[1]: the shape:
 *   busy   both workers of pool "rep" are held in jobs that ignore the
 *          stop request, 3 jobs wait behind them: "in a job, 3 jobs
 *          queued".
 *   idle   pool "idl" has one idle worker (seq 1); thread "blocker"
 *          (seq 2) has a terminate callback that never returns, so the
 *          worker is never told to stop: "idle, 0 jobs queued".  The
 *          watchdog then makes the remaining stop requests, runs the hook
 *          and calls the C library's exit() in place of main's return,
 *          which came through the library: the atexit(3) handler
 *          registered before the first exeunt call destroys the pool.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_count held = SC_COUNT_INIT;

static struct sc_flag never = SC_FLAG_INIT;
static exeunt_pool_t *pool;

static void
job_forever(void *arg)
{
	(void)arg;
	count_up(&held);
	flag_wait(&never);
}

static void
job_never(void *arg)
{
	say("queued job %d ran\n", (int)(long)arg);
}

static void
hook(void *arg)
{
	(void)arg;
	say("hook\n");
}

static void
terminate_block(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	flag_wait(&never);
}

static void *
start_forever(void *arg)
{
	(void)arg;
	flag_wait(&never);
	return NULL;
}

static void
atexit_destroy(void)
{
	say("atexit: destroy %s\n", errname(exeunt_pool_destroy(pool)));
}

int
main(int argc, char **argv)
{
	const struct timespec limit = { 0, 200 * 1000000L };
	int idle = argc > 1 && strcmp(argv[1], "idle") == 0;
	exeunt_attr_t a;
	long i;

	if (idle)
		atexit(atexit_destroy);
	sc_check("exeunt_set_timeout", exeunt_set_timeout(&limit,
	    EXEUNT_OVERRUN_PROCEED));
	sc_check("exeunt_atexit", exeunt_atexit(hook, NULL));
	exeunt_attr_init(&a);
	exeunt_attr_setname(&a, idle ? "idl" : "rep");
	sc_check("exeunt_pool_create", exeunt_pool_create(&pool, idle ? 1 : 2, 0,
	    &a));
	exeunt_attr_destroy(&a);
	if (idle) {
		(void)sc_create_named("blocker", 0, terminate_block, NULL,
		    start_forever, NULL);
		say("main returns\n");
		return 0;
	}
	sc_check("submit", exeunt_pool_submit(pool, job_forever, NULL, NULL));
	sc_check("submit", exeunt_pool_submit(pool, job_forever, NULL, NULL));
	count_wait(&held, 2);
	for (i = 1; i <= 3; i++)
		sc_check("submit", exeunt_pool_submit(pool, job_never, NULL,
		    (void *)i));
	say("main returns\n");
	return 0;
}
