/*
 * phases -- what happens, in which order, when main returns.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Three registered threads are started:
 *
 *   worker-1  non-daemon, blocks in exeunt_wait_stop();
 *   worker-2  non-daemon, waits on its own condition variable; its
 *             terminate callback wakes it;
 *   ticker    daemon, blocks in read() on a pipe nobody writes to and
 *             never notices the stop request.
 *
 * Then main registers an exeunt_atexit() hook and returns.  Every event
 * is printed with the phase it happens in: the terminate callbacks run
 * newest first, the join phase waits for the two workers (not for the
 * daemon), the hook runs after that.  Two plain atexit(3) handlers show
 * where ordinary handlers fall: after the whole shutdown, whether they
 * were registered before the first exeunt call or after it (on musl, a
 * handler registered after it runs before the shutdown when main
 * returns: see exeunt(7), "Order at exit").
 *
 * The two "finished" lines of the workers come from the workers
 * themselves, so their order, and whether they say "terminating" or
 * "joining", can change from run to run.  All the other lines always come
 * in the same order.
 */
#include <exeunt.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *
phase_name(void)
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

/* All threads are up before main goes on, so the output is in order. */
static pthread_barrier_t started;

/* worker-2's mailbox: it sleeps on this until told to stop. */
static pthread_mutex_t mbox_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t mbox_cond = PTHREAD_COND_INITIALIZER;

static int ticker_pipe[2];

static void *
worker1(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&started);
	exeunt_wait_stop(NULL);
	printf("[%-11s] worker-1: stop seen, finished\n", phase_name());
	return NULL;
}

static void *
worker2(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&started);
	pthread_mutex_lock(&mbox_lock);
	while (!exeunt_stop_requested())
		pthread_cond_wait(&mbox_cond, &mbox_lock);
	pthread_mutex_unlock(&mbox_lock);
	printf("[%-11s] worker-2: stop seen, finished\n", phase_name());
	return NULL;
}

static void *
ticker(void *arg)
{
	char c;

	(void)arg;
	pthread_barrier_wait(&started);
	/* Nobody ever writes: the process ends around this thread. */
	while (read(ticker_pipe[0], &c, 1) != 0)
		continue;
	return NULL;
}

/*
 * The terminate callback runs in the thread that shuts down (here: main,
 * inside exit()), after the stop flag is set.
 */
static void
on_terminate(exeunt_thread_t *t, void *arg)
{
	printf("[%-11s] terminate callback: %s (seq %llu, %s)\n", phase_name(),
	    exeunt_thread_name(t), exeunt_thread_seq(t),
	    exeunt_thread_isdaemon(t) ? "daemon" : "non-daemon");
	if (arg != NULL) {
		/*
		 * Taking the lock orders the broadcast after worker-2's
		 * check of the flag: the wake-up cannot be lost.
		 */
		pthread_mutex_lock(&mbox_lock);
		pthread_cond_broadcast(&mbox_cond);
		pthread_mutex_unlock(&mbox_lock);
	}
}

static void
hook(void *arg)
{
	printf("[%-11s] exeunt_atexit hook \"%s\": %zu registered thread(s)"
	    " left (the daemon)\n", phase_name(), (const char *)arg,
	    exeunt_count());
}

static void
early_handler(void)
{
	printf("[%-11s] atexit handler registered before exeunt\n",
	    phase_name());
}

static void
late_handler(void)
{
	printf("[%-11s] atexit handler registered after exeunt: %zu "
	    "registered thread(s) still running\n", phase_name(),
	    exeunt_count());
}

static void
start(exeunt_thread_t **t, const char *name, int daemon,
    void *(*fn)(void *), void *cbarg)
{
	exeunt_attr_t attr;
	int rc;

	exeunt_attr_init(&attr);
	exeunt_attr_setname(&attr, name);
	exeunt_attr_setdaemon(&attr, daemon);
	exeunt_attr_setterminate(&attr, on_terminate, cbarg);
	rc = exeunt_thread_create(t, &attr, fn, NULL);
	exeunt_attr_destroy(&attr);
	if (rc != 0) {
		fprintf(stderr, "phases: exeunt_thread_create: %s\n",
		    strerror(rc));
		exit(EXIT_FAILURE);
	}
	/* Nobody joins: the join phase waits for non-daemon threads. */
	exeunt_thread_detach(*t);
}

int
main(void)
{
	exeunt_thread_t *t;

	if (pipe(ticker_pipe) != 0 || atexit(early_handler) != 0) {
		perror("phases");
		return EXIT_FAILURE;
	}
	pthread_barrier_init(&started, NULL, 4);

	start(&t, "worker-1", 0, worker1, NULL);
	start(&t, "worker-2", 0, worker2, &mbox_cond);
	start(&t, "ticker", 1, ticker, NULL);
	pthread_barrier_wait(&started);

	if (exeunt_atexit(hook, "flush") != 0 || atexit(late_handler) != 0) {
		fprintf(stderr, "phases: cannot register the exit handlers\n");
		return EXIT_FAILURE;
	}

	printf("[%-11s] main: 3 threads running, returning from main\n",
	    phase_name());
	return 0;
}
