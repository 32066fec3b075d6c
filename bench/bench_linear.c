/*
 * bench_linear -- the library's own work for N threads, to be counted in
 * instructions by callgrind: no quadratic step in registering, finishing
 * or shutting down.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Starts N detached registered threads blocked in exeunt_wait_stop(),
 * waits until all run, then calls exeunt_shutdown().  Instruction counts
 * are repeatable whatever the machine is doing, unlike times; run by
 * 'make bench-linear' (needs valgrind):
 *
 *   valgrind --tool=callgrind --max-threads=4100 \
 *       --toggle-collect=exeunt_thread_create --toggle-collect=finish_self \
 *       --toggle-collect=exeunt_shutdown ./bench_linear N
 *
 * counts the instructions spent in creating (pthread_create included),
 * finishing and stopping the threads.  Per thread, they must not grow
 * with N.
 */
#include <exeunt.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>

static atomic_int running;

static void *
waiter(void *arg)
{
	(void)arg;
	atomic_fetch_add(&running, 1);
	(void)exeunt_wait_stop(NULL);
	return NULL;
}

int
main(int argc, char **argv)
{
	exeunt_attr_t attr;
	pthread_attr_t pattr;
	exeunt_thread_t *t;
	int i, n = argc > 1 ? atoi(argv[1]) : 1000, err;

	pthread_attr_init(&pattr);
	pthread_attr_setstacksize(&pattr, 64 * 1024);
	exeunt_attr_init(&attr);
	exeunt_attr_setpthreadattr(&attr, &pattr);
	for (i = 0; i < n; i++) {
		if ((err = exeunt_thread_create(&t, &attr, waiter, NULL)) != 0) {
			fprintf(stderr, "bench_linear: thread %d: error %d\n",
			    i, err);
			return 1;
		}
		exeunt_thread_detach(t);
	}
	while (atomic_load(&running) < n)
		sched_yield();
	exeunt_shutdown();
	exeunt_attr_destroy(&attr);
	pthread_attr_destroy(&pattr);
	return 0;
}
