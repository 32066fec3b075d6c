/*
 * Threads that never return, and the owner of a shutdown taken over by the
 * watchdog.
 *
 * argv[1]:
 *   join      worker W calls exit(1) once its stop is requested, while
 *             main's exit(0) runs the shutdown: W is parked and counts as
 *             finished.  Registered non-daemon supervisor S joins W: the
 *             join returns 0 (it must not wait for a thread that never
 *             ends), S returns, the hook runs, status 0.
 *   pool      the job of a 1-worker pool calls exit(1) the same way, with
 *             two jobs queued behind it: the worker, the pool's last,
 *             runs them before it is parked (pending RUN); the hook
 *             destroys the pool: 0, at once.
 *   pool-shutdown  the same, but main runs exeunt_shutdown(): the job's
 *             exit(1) waits for that shutdown, whose hook destroys the
 *             pool (0, at once); then main waits, and the job's exit()
 *             ends the process with 1.
 *   mask      SIGUSR1 is blocked in every thread; thread O calls exit(3)
 *             during the shutdown and is parked; the hook looks at O's
 *             blocked signals in /proc: a parked thread keeps its mask.
 *   takeover  exeunt_shutdown() with a 100 ms deadline, PROCEED: the
 *             terminate callback blocks until the watchdog, which took
 *             over, runs the hook; the hook then waits, up to a bounded
 *             time, for exeunt_shutdown() to return.  It must not return
 *             before the hook is done.
 *   cancel    with EXEUNT_DEBUG set (by the test), a thread whose
 *             cancellation is pending calls exeunt_thread_request_stop():
 *             the call returns (its trace line is no cancellation
 *             point), the callback runs, and the target can be joined.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static exeunt_thread_t *worker_t;
static struct sc_flag started = SC_FLAG_INIT;

/* Asked to stop by the shutdown: ends the process itself, and is parked. */
static void *
start_exit_on_stop(void *arg)
{
	int *tid = arg;

	if (tid != NULL)
		*tid = (int)gettid();
	flag_set(&started);
	(void)exeunt_wait_stop(NULL);
	exit(1);
}

static void *
start_return_when_stopped(void *arg)
{
	flag_set(&started);
	(void)exeunt_wait_stop(NULL);
	return arg;
}

static void *
start_supervisor(void *arg)
{
	(void)arg;
	say("join %s\n", errname(exeunt_thread_join(worker_t, NULL)));
	return NULL;
}

static void
job_exit_on_stop(void *arg)
{
	(void)arg;
	flag_set(&started);
	(void)exeunt_wait_stop(NULL);
	exit(1);
}

static atomic_int jobs_run, jobs_cancelled;

static void
job_count(void *arg)
{
	(void)arg;
	atomic_fetch_add(&jobs_run, 1);
}

static void
job_cancel(void *arg)
{
	(void)arg;
	atomic_fetch_add(&jobs_cancelled, 1);
}

static void
hook_destroy(void *arg)
{
	int rc = exeunt_pool_destroy(arg);

	say("destroy %s; queued jobs run %d, cancelled %d\n", errname(rc),
	    atomic_load(&jobs_run), atomic_load(&jobs_cancelled));
}

/* The blocked signals of thread tid, from /proc, or 0. */
static unsigned long long
blocked_of(int tid)
{
	char buf[2048], *p;

	if (!sc_read_task_file(tid, "status", buf, sizeof buf) ||
	    (p = strstr(buf, "SigBlk:")) == NULL)
		return 0;
	return strtoull(p + 7, NULL, 16);
}

static int parked_tid;
static char hook_name[] = "1";

static void
hook_mask(void *arg)
{
	(void)arg;
	if (!await_sleeping(parked_tid))
		say("the parked thread does not sleep\n");
	say("parked thread blocks SIGUSR1: %s\n",
	    blocked_of(parked_tid) & (1ULL << (SIGUSR1 - 1)) ? "yes" : "no");
}

static struct sc_flag hook_began = SC_FLAG_INIT;
static atomic_int shutdown_back, hook_done;

static void
terminate_until_hook(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	flag_wait(&hook_began);
}

static void
hook_slow(void *arg)
{
	struct timespec d = sc_deadline_ms(300);

	(void)arg;
	flag_set(&hook_began);
	/* A bounded wait: exeunt_shutdown() must not return meanwhile. */
	while (!atomic_load(&shutdown_back) && !sc_passed(&d))
		sc_pause();
	atomic_store(&hook_done, 1);
}

static void
terminate_say_called(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	say("callback\n");
}

static atomic_int stop_returned;

static void *
start_stopper(void *arg)
{
	pthread_cancel(pthread_self());		/* pending, deferred */
	exeunt_thread_request_stop(arg);
	atomic_store(&stop_returned, 1);	/* no cancellation point */
	pthread_testcancel();
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "join";
	static const struct timespec limit = { 0, 100000000L };
	exeunt_pool_t *pool;
	sigset_t usr1;
	pthread_t p;
	void *ret;

	if (strcmp(how, "join") == 0) {
		worker_t = sc_create(0, NULL, NULL, start_exit_on_stop, NULL);
		flag_wait(&started);
		sc_start(0, NULL, NULL, start_supervisor, NULL);
		sc_check("exeunt_atexit", exeunt_atexit(hook_say, hook_name));
		exit(0);
	}
	if (strncmp(how, "pool", 4) == 0) {
		sc_check("exeunt_pool_create",
		    exeunt_pool_create(&pool, 1, 0, NULL));
		sc_check("exeunt_atexit", exeunt_atexit(hook_destroy, pool));
		sc_check("exeunt_pool_submit", exeunt_pool_submit(pool,
		    job_exit_on_stop, NULL, NULL));
		sc_check("exeunt_pool_submit", exeunt_pool_submit(pool,
		    job_count, job_cancel, NULL));
		sc_check("exeunt_pool_submit", exeunt_pool_submit(pool,
		    job_count, job_cancel, NULL));
		flag_wait(&started);
		if (strcmp(how, "pool") == 0)
			exit(0);
		sc_check("exeunt_shutdown", exeunt_shutdown());
		sc_forever();
	}
	if (strcmp(how, "mask") == 0) {
		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		pthread_sigmask(SIG_BLOCK, &usr1, NULL);
		sc_start(0, NULL, NULL, start_exit_on_stop, &parked_tid);
		flag_wait(&started);
		sc_check("exeunt_atexit", exeunt_atexit(hook_mask, NULL));
		exit(0);
	}
	if (strcmp(how, "takeover") == 0) {
		sc_start(1, terminate_until_hook, NULL,
		    start_return_when_stopped, NULL);
		flag_wait(&started);
		sc_check("exeunt_atexit", exeunt_atexit(hook_slow, NULL));
		sc_check("exeunt_set_timeout", exeunt_set_timeout(&limit,
		    EXEUNT_OVERRUN_PROCEED));
		sc_check("exeunt_shutdown", exeunt_shutdown());
		atomic_store(&shutdown_back, 1);
		say("shutdown returned; hook %s; phase %s\n",
		    atomic_load(&hook_done) ? "done" : "still running",
		    phasename(exeunt_phase()));
		_exit(0);
	}
	if (strcmp(how, "cancel") == 0) {
		worker_t = sc_create(0, terminate_say_called, NULL,
		    start_return_when_stopped, NULL);
		if (pthread_create(&p, NULL, start_stopper, worker_t) != 0 ||
		    pthread_join(p, &ret) != 0)
			return 100;
		say("request_stop %s; stopper %s\n",
		    atomic_load(&stop_returned) ? "returned" : "did not return",
		    ret == PTHREAD_CANCELED ? "cancelled" : "not cancelled");
		say("join %s\n", errname(exeunt_thread_join(worker_t, NULL)));
		return 0;
	}
	say("unknown case %s\n", how);
	return 100;
}
