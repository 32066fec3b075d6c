/*
 * The autopkgtest's program (debian/tests/build-consumer), built against
 * the installed libexeunt-dev with pkg-config.  A registered thread
 * sleeps on a condition variable that only its terminate callback
 * signals.  Then main registers an exeunt_atexit() hook and, after it, an
 * atexit(3) handler, and returns 3; or, with the argument "thread", a
 * thread of its own calls exit(3).  Either way exeunt must run the
 * terminate callback, wait for the registered thread to finish, run the
 * hook, and only then let the C library run the handler, which it would
 * otherwise run first (it was registered last).  Each step prints a line,
 * and the test compares them, in order, with what it expects.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include <exeunt.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int woken;	/* set by the terminate callback, under lock */
static int finished;	/* set by the worker, under lock */

static const char *
phase(void)
{
	switch (exeunt_phase()) {
	case EXEUNT_RUNNING:
		return "running";
	case EXEUNT_TERMINATING:
		return "terminating";
	case EXEUNT_JOINING:
		return "joining";
	case EXEUNT_HOOKS:
		return "hooks";
	case EXEUNT_DONE:
		return "done";
	}
	return "?";
}

static int
is_finished(void)
{
	int f;

	pthread_mutex_lock(&lock);
	f = finished;
	pthread_mutex_unlock(&lock);
	return f;
}

/* Waits on its own condition variable, which only on_terminate() wakes. */
static void *
worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	while (!woken)
		pthread_cond_wait(&wake, &lock);
	printf("worker: woken, stop requested: %s\n",
	    exeunt_stop_requested() ? "yes" : "no");
	finished = 1;
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* Runs in the exiting thread; prints before the worker can wake. */
static void
on_terminate(exeunt_thread_t *t, void *arg)
{
	(void)arg;
	printf("terminate callback: %s (%s)\n", exeunt_thread_name(t),
	    phase());
	pthread_mutex_lock(&lock);
	woken = 1;
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
}

static void
hook(void *arg)
{
	(void)arg;
	printf("exeunt_atexit hook (%s): worker finished: %s\n", phase(),
	    is_finished() ? "yes" : "no");
}

static void
handler(void)
{
	printf("atexit handler (%s): worker finished: %s, threads left: %zu\n",
	    phase(), is_finished() ? "yes" : "no", exeunt_count());
}

static void *
exiter(void *arg)
{
	(void)arg;
	printf("thread: exit(3)\n");
	exit(3);
}

int
main(int argc, char **argv)
{
	exeunt_attr_t attr;
	exeunt_thread_t *t;
	pthread_t other;
	int rc;

	if ((rc = exeunt_attr_init(&attr)) != 0 ||
	    (rc = exeunt_attr_setname(&attr, "worker")) != 0 ||
	    (rc = exeunt_attr_setterminate(&attr, on_terminate, NULL)) != 0 ||
	    (rc = exeunt_thread_create(&t, &attr, worker, NULL)) != 0 ||
	    (rc = exeunt_thread_detach(t)) != 0 ||
	    (rc = exeunt_atexit(hook, NULL)) != 0) {
		printf("exeunt: %s\n", strerror(rc));
		return 1;
	}
	exeunt_attr_destroy(&attr);
	if (atexit(handler) != 0)
		return 1;
	printf("main: %zu registered thread(s) (%s)\n", exeunt_count(),
	    phase());
	if (argc > 1 && strcmp(argv[1], "thread") == 0) {
		if (pthread_create(&other, NULL, exiter, NULL) != 0)
			return 1;
		pthread_join(other, NULL);	/* the process ends first */
		return 1;
	}
	printf("main: returning 3\n");
	return 3;
}
