/*
 * main calls pthread_exit() while a registered non-daemon thread runs:
 * the process goes on; when that last thread ends, glibc calls exit(0) in
 * it, and the coordinator runs once, there, with status 0.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_flag started = SC_FLAG_INIT;
static pid_t main_tid, worker_tid;

/* Registered before the first exeunt call: runs after the coordinator. */
static void
atexit_before(void)
{
	say("atexit: %s, on the worker %d\n", phasename(exeunt_phase()),
	    gettid() == worker_tid);
}

static void
hook_where(void *arg)
{
	(void)arg;
	say("hook: on the worker %d, count %zu\n", gettid() == worker_tid,
	    exeunt_count());
}

static void *
worker(void *arg)
{
	struct timespec d = sc_deadline();
	char state;

	(void)arg;
	worker_tid = gettid();
	flag_set(&started);
	/* A thread group leader that has left is a zombie until the end. */
	while ((state = sc_thread_state(main_tid)) != 'Z' && state != 0) {
		if (sc_passed(&d)) {
			say("main never left\n");
			break;
		}
		sc_pause();
	}
	say("worker returns\n");
	return NULL;
}

int
main(void)
{
#if defined(__SANITIZE_THREAD__)
	/* ThreadSanitizer's own background thread never ends: no thread of
	 * ours is ever the last one, so glibc never calls exit(). */
	say("not under ThreadSanitizer\n");
	return 0;
#endif
	main_tid = gettid();
	atexit(atexit_before);
	exeunt_atexit(hook_where, NULL);
	sc_start(0, terminate_say, "worker", worker, NULL);
	flag_wait(&started);
	say("main calls pthread_exit\n");
	pthread_exit(NULL);
}
