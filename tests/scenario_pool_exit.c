/*
 * A pool the program forgot about, at exit: its workers' terminate
 * callbacks close it, with the pending action (the pool's setting, the
 * process default, EXEUNT_POOL_PENDING, else RUN); the join phase waits
 * while the queue drains (RUN), or the thread running the shutdown hands
 * the queue back (CANCEL); then the exeunt_atexit() hooks run.
 *
 * argv[1]: the shape:
 *   single POOL DEFAULT  one worker "single-0"; job 0 holds it until the
 *             worker is told to stop and the join phase began; jobs 1..4
 *             wait behind it and print when they run or are cancelled.
 *             POOL and DEFAULT ("-", "run" or "cancel") are passed to
 *             exeunt_pool_set_pending(pool) and (NULL).
 *   multi     three workers held like job 0, 20 jobs behind them.
 *   two       two pools "a" and "b" like single, quiet, no setting.
 *   daemon POOL DEFAULT  a daemon pool whose one worker is held forever,
 *             3 jobs behind it.
 * main returns 0 once its jobs are queued; the hook prints the stats.
 * An atexit(3) handler registered before the first exeunt call runs after
 * the shutdown: it destroys the pools whose workers ended (joining them,
 * so that ThreadSanitizer sees no leaked thread) and prints the result.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <stdatomic.h>
#include <stdint.h>

static pthread_t main_thread;
static exeunt_pool_t *pool_a, *pool_b;

/* The held jobs that started. */
static struct sc_count held = SC_COUNT_INIT;

static struct sc_flag never = SC_FLAG_INIT;

static atomic_int held_saw_stop, ran_joining, ran_elsewhere;
static atomic_int cancelled_main, cancelled_elsewhere;

static const char *
where(void)
{
	return pthread_equal(pthread_self(), main_thread) ? "in main" :
	    "in another thread";
}

/* Holds its worker until the worker is told to stop and the join phase,
 * which waits for it, began. */
static void
job_hold(void *arg)
{
	count_up(&held);
	exeunt_wait_stop(NULL);
	if (!await_phase(EXEUNT_JOINING, "held job"))
		return;
	if (arg != NULL)
		say("job 0: stop requested %d, %s\n", exeunt_stop_requested(),
		    phasename(exeunt_phase()));
	else
		atomic_fetch_add(&held_saw_stop, exeunt_stop_requested());
}

static void
job_forever(void *arg)
{
	(void)arg;
	count_up(&held);
	flag_wait(&never);
}

static void
job_say(void *arg)
{
	say("job %d ran, %s\n", (int)(intptr_t)arg, phasename(exeunt_phase()));
}

static void
job_cancelled(void *arg)
{
	say("job %d cancelled %s, %s\n", (int)(intptr_t)arg, where(),
	    phasename(exeunt_phase()));
}

static void
job_count(void *arg)
{
	(void)arg;
	if (exeunt_phase() == EXEUNT_JOINING)
		atomic_fetch_add(&ran_joining, 1);
	else
		atomic_fetch_add(&ran_elsewhere, 1);
}

static void
cancel_count(void *arg)
{
	(void)arg;
	if (pthread_equal(pthread_self(), main_thread))
		atomic_fetch_add(&cancelled_main, 1);
	else
		atomic_fetch_add(&cancelled_elsewhere, 1);
}

static void
format_stats(exeunt_pool_t *pool, char *buf, size_t len)
{
	struct exeunt_pool_stats s;
	int rc = exeunt_pool_stats(pool, &s);

	if (rc != 0)
		snprintf(buf, len, "stats: %s", errname(rc));
	else
		snprintf(buf, len, "submitted %llu started %llu completed %llu "
		    "cancelled %llu queued %zu running %zu", s.submitted,
		    s.started, s.completed, s.cancelled, s.queued, s.running);
}

static void
hook_single(void *arg)
{
	char s[160];

	(void)arg;
	format_stats(pool_a, s, sizeof s);
	say("hook: %s\n", s);
}

static void
hook_multi(void *arg)
{
	char s[160];

	(void)arg;
	format_stats(pool_a, s, sizeof s);
	say("hook: %d held jobs saw the stop, %d queued jobs ran in JOINING, "
	    "%d elsewhere; %s\n", atomic_load(&held_saw_stop),
	    atomic_load(&ran_joining), atomic_load(&ran_elsewhere), s);
}

static void
hook_two(void *arg)
{
	char a[160], b[160];

	(void)arg;
	format_stats(pool_a, a, sizeof a);
	format_stats(pool_b, b, sizeof b);
	say("hook: a: %s; b: %s; cancelled in main %d, elsewhere %d\n", a, b,
	    atomic_load(&cancelled_main), atomic_load(&cancelled_elsewhere));
}

/* Runs after the coordinator: the workers of a non-daemon pool ended. */
static void
atexit_destroy(void)
{
	int a, b;

	if (pool_a == NULL)
		return;
	a = exeunt_pool_destroy(pool_a);
	if (pool_b == NULL) {
		say("atexit: destroy %s\n", errname(a));
		return;
	}
	b = exeunt_pool_destroy(pool_b);
	say("atexit: destroy %s, %s\n", errname(a), errname(b));
}

static void
set_pending(exeunt_pool_t *pool, const char *setting)
{
	if (strcmp(setting, "-") == 0)
		return;
	sc_check("exeunt_pool_set_pending", exeunt_pool_set_pending(pool,
	    strcmp(setting, "cancel") == 0 ? EXEUNT_PENDING_CANCEL :
	    EXEUNT_PENDING_RUN));
}

static exeunt_pool_t *
make_pool(const char *name, unsigned nthreads, int daemon)
{
	exeunt_pool_t *pool;
	exeunt_attr_t a;

	exeunt_attr_init(&a);
	exeunt_attr_setname(&a, name);
	if (daemon)
		exeunt_attr_setdaemon(&a, 1);
	sc_check("exeunt_pool_create", exeunt_pool_create(&pool, nthreads, 0,
	    &a));
	exeunt_attr_destroy(&a);
	return pool;
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "single";
	intptr_t i;

	main_thread = pthread_self();
	if (strcmp(mode, "daemon") != 0)
		atexit(atexit_destroy);
	if (strcmp(mode, "single") == 0 || strcmp(mode, "daemon") == 0) {
		int daemon = strcmp(mode, "daemon") == 0;

		if (argc < 4) {
			say("usage: %s POOL DEFAULT\n", mode);
			return 100;
		}
		set_pending(NULL, argv[3]);
		pool_a = make_pool(mode, 1, daemon);
		set_pending(pool_a, argv[2]);
		sc_check("exeunt_atexit", exeunt_atexit(hook_single, NULL));
		sc_check("submit", exeunt_pool_submit(pool_a,
		    daemon ? job_forever : job_hold, NULL, (void *)1));
		count_wait(&held, 1);
		for (i = 1; i <= (daemon ? 3 : 4); i++)
			sc_check("submit", exeunt_pool_submit(pool_a, job_say,
			    job_cancelled, (void *)i));
	} else if (strcmp(mode, "multi") == 0) {
		pool_a = make_pool("multi", 3, 0);
		sc_check("exeunt_atexit", exeunt_atexit(hook_multi, NULL));
		for (i = 0; i < 3; i++)
			sc_check("submit", exeunt_pool_submit(pool_a, job_hold,
			    NULL, NULL));
		count_wait(&held, 3);
		for (i = 0; i < 20; i++)
			sc_check("submit", exeunt_pool_submit(pool_a, job_count,
			    cancel_count, NULL));
	} else if (strcmp(mode, "two") == 0) {
		pool_a = make_pool("a", 1, 0);
		pool_b = make_pool("b", 1, 0);
		sc_check("exeunt_atexit", exeunt_atexit(hook_two, NULL));
		sc_check("submit", exeunt_pool_submit(pool_a, job_hold, NULL,
		    NULL));
		sc_check("submit", exeunt_pool_submit(pool_b, job_hold, NULL,
		    NULL));
		count_wait(&held, 2);
		for (i = 0; i < 2; i++) {
			sc_check("submit", exeunt_pool_submit(pool_a, job_count,
			    cancel_count, NULL));
			sc_check("submit", exeunt_pool_submit(pool_b, job_count,
			    cancel_count, NULL));
		}
	} else {
		say("unknown mode %s\n", mode);
		return 100;
	}
	say("main returns\n");
	return 0;
}
