/*
 * bench_exit -- how long exit() takes with N threads to stop and join.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Each run forks a child.  The child starts N threads and waits until all
 * of them are blocked, then takes a CLOCK_MONOTONIC timestamp, sends it
 * to the parent through a pipe and calls exit(0).  The parent takes its
 * own timestamp when waitpid() returns; the difference is the time exit
 * took, process teardown included.  A plain atexit(3) handler registered
 * first, so run last, also reports the part spent in exit's handlers.
 * Variants:
 *
 *   exeunt    N registered non-daemon threads blocked in
 *             exeunt_wait_stop(NULL); the library's shutdown stops them
 *             (newest first) and waits for them.  The program keeps the
 *             handles, as one does that would join its workers; they are
 *             joinable threads, like the baseline's;
 *   detached  the same with each thread detached after its creation, so
 *             each thread frees its own stack when it ends (glibc);
 *   baseline  N plain threads blocked on one condition variable until an
 *             atomic flag is set; an atexit(3) handler sets the flag,
 *             broadcasts and calls pthread_join() on each;
 *   each      for reference, the hand-written form of what exeunt does:
 *             N plain threads, each blocked on its own condition
 *             variable and flag; an atexit(3) handler sets and signals
 *             each, newest first, then joins each.
 *
 * Runs alternate between the variants and the two values of N, and the
 * variant that goes first changes from run to run.  The report gives the
 * median per variant and N, the ratio exeunt/baseline, and how the time
 * grows from N to 4N.
 *
 * All run with 128 KiB stacks, set as the process default with
 * pthread_setattr_default_np(3), so that 4N threads fit in any machine.
 *
 * Usage: bench_exit [runs [N]]   (N and 4N threads; default 21 runs, 1000)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* pthread_setattr_default_np */
#endif
#include <exeunt.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define STACK_SIZE	(128 * 1024)
#define TARGET_RATIO	1.3
#define TARGET_GROWTH	5.0

enum { EXEUNT, DETACHED, BASELINE, EACH, NVARIANTS };

static const char *const variant_name[NVARIANTS] = {
	"exeunt", "detached", "baseline", "each",
};

static unsigned nthreads;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cond = PTHREAD_COND_INITIALIZER;
static unsigned ready;

/* Counts the thread in; the last one wakes the child's main thread. */
static void
count_ready_locked(void)
{
	if (++ready == nthreads)
		pthread_cond_signal(&ready_cond);
}

/* ---- exeunt ----------------------------------------------------------- */

static void *
ex_thread(void *arg)
{
	pthread_mutex_lock(&lock);
	count_ready_locked();
	pthread_mutex_unlock(&lock);
	exeunt_wait_stop(NULL);
	return arg;
}

static exeunt_thread_t **handles;

static void
ex_start(int detach)
{
	exeunt_attr_t attr;
	unsigned i;

	if ((handles = calloc(nthreads, sizeof(*handles))) == NULL ||
	    exeunt_attr_init(&attr) != 0 ||
	    exeunt_attr_setdaemon(&attr, 0) != 0)
		_exit(20);
	for (i = 0; i < nthreads; i++) {
		if (exeunt_thread_create(&handles[i], &attr, ex_thread,
		    NULL) != 0)
			_exit(21);
		if (detach)
			exeunt_thread_detach(handles[i]);
	}
	exeunt_attr_destroy(&attr);
}

/* ---- baseline: one flag, one broadcast -------------------------------- */

static atomic_int stop;
static pthread_cond_t stop_cond = PTHREAD_COND_INITIALIZER;
static pthread_t *tids;

static void *
bl_thread(void *arg)
{
	pthread_mutex_lock(&lock);
	count_ready_locked();
	while (!atomic_load(&stop))
		pthread_cond_wait(&stop_cond, &lock);
	pthread_mutex_unlock(&lock);
	return arg;
}

static void
bl_atexit(void)
{
	unsigned i;

	pthread_mutex_lock(&lock);
	atomic_store(&stop, 1);
	pthread_cond_broadcast(&stop_cond);
	pthread_mutex_unlock(&lock);
	for (i = 0; i < nthreads; i++)
		pthread_join(tids[i], NULL);
}

/* ---- each: a flag and a condition variable per thread ----------------- */

struct slot {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;
};

static struct slot *slots;

static void *
each_thread(void *arg)
{
	struct slot *s = arg;

	pthread_mutex_lock(&lock);
	count_ready_locked();
	pthread_mutex_unlock(&lock);
	pthread_mutex_lock(&s->lock);
	while (!s->stop)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void
each_atexit(void)
{
	unsigned i;

	for (i = nthreads; i-- > 0;) {
		pthread_mutex_lock(&slots[i].lock);
		slots[i].stop = 1;
		pthread_cond_signal(&slots[i].cond);
		pthread_mutex_unlock(&slots[i].lock);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(tids[i], NULL);
}

static void
plain_start(int variant)
{
	unsigned i;
	int rc;

	tids = calloc(nthreads, sizeof(*tids));
	if (tids == NULL)
		_exit(30);
	if (variant == EACH) {
		if ((slots = calloc(nthreads, sizeof(*slots))) == NULL)
			_exit(30);
		for (i = 0; i < nthreads; i++) {
			pthread_mutex_init(&slots[i].lock, NULL);
			pthread_cond_init(&slots[i].cond, NULL);
		}
	}
	if (atexit(variant == EACH ? each_atexit : bl_atexit) != 0)
		_exit(31);
	for (i = 0; i < nthreads; i++) {
		if (variant == EACH)
			rc = pthread_create(&tids[i], NULL, each_thread,
			    &slots[i]);
		else
			rc = pthread_create(&tids[i], NULL, bl_thread, NULL);
		if (rc != 0)
			_exit(32);
	}
}

/* ---- one run ---------------------------------------------------------- */

static int report_fd;

/*
 * Registered before anything else, so exit() runs it last: after the
 * exeunt shutdown or the hand-written handler.  Its timestamp splits the
 * elapsed time into stopping and joining, and process teardown.
 */
static void
mark(void)
{
	uint64_t t = bench_now();

	if (write(report_fd, &t, sizeof(t)) != (ssize_t)sizeof(t))
		_exit(12);
}

static void
child(int variant, int fd)
{
	pthread_attr_t pattr;
	uint64_t t0;

	report_fd = fd;
	if (atexit(mark) != 0)
		_exit(9);
	if (pthread_attr_init(&pattr) != 0 ||
	    pthread_attr_setstacksize(&pattr, STACK_SIZE) != 0 ||
	    pthread_setattr_default_np(&pattr) != 0)
		_exit(10);
	pthread_attr_destroy(&pattr);
	if (variant == EXEUNT || variant == DETACHED)
		ex_start(variant == DETACHED);
	else
		plain_start(variant);

	pthread_mutex_lock(&lock);
	while (ready < nthreads)
		pthread_cond_wait(&ready_cond, &lock);
	pthread_mutex_unlock(&lock);

	t0 = bench_now();
	if (write(fd, &t0, sizeof(t0)) != (ssize_t)sizeof(t0))
		_exit(11);
	exit(0);
}

/*
 * The time from the child's exit() call to waitpid()'s return, in ns;
 * *handlers gets the part spent in exit's handlers.
 */
static double
run(int variant, unsigned n, double *handlers)
{
	uint64_t t[2], t1;
	int fd[2], status;
	pid_t pid;

	if (pipe(fd) != 0) {
		perror("pipe");
		exit(EXIT_FAILURE);
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(EXIT_FAILURE);
	}
	if (pid == 0) {
		close(fd[0]);
		nthreads = n;
		child(variant, fd[1]);
	}
	close(fd[1]);
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		exit(EXIT_FAILURE);
	}
	t1 = bench_now();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    read(fd[0], t, sizeof(t)) != (ssize_t)sizeof(t)) {
		fprintf(stderr, "bench_exit: a %s child with %u threads"
		    " failed (status %#x)\n", variant_name[variant], n, status);
		exit(EXIT_FAILURE);
	}
	close(fd[0]);
	*handlers = (double)(t[1] - t[0]);
	return (double)(t1 - t[0]);
}

int
main(int argc, char **argv)
{
	double *t[NVARIANTS][2], *h[NVARIANTS][2];
	double med[NVARIANTS][2], medh[NVARIANTS][2], dummy, ratio, growth;
	unsigned runs = 21, n = 1000, nv[2], r, k, v, w;
	char lab[2][24];

	if (argc > 1)
		runs = (unsigned)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		n = (unsigned)strtoul(argv[2], NULL, 10);
	if (runs == 0 || n == 0) {
		fprintf(stderr, "usage: bench_exit [runs [N]]\n");
		return EXIT_FAILURE;
	}
	nv[0] = n;
	nv[1] = 4 * n;
	for (v = 0; v < NVARIANTS; v++)
		for (k = 0; k < 2; k++)
			if ((t[v][k] = calloc(runs, sizeof(double))) == NULL ||
			    (h[v][k] = calloc(runs, sizeof(double))) == NULL)
				return EXIT_FAILURE;

	/* A warm-up run of each; then rotate who goes first. */
	for (v = 0; v < NVARIANTS; v++)
		run((int)v, n, &dummy);
	for (r = 0; r < runs; r++)
		for (k = 0; k < 2; k++)
			for (v = 0; v < NVARIANTS; v++) {
				w = (r + k + v) % NVARIANTS;
				t[w][k][r] = run((int)w, nv[k], &h[w][k][r]);
			}
	for (v = 0; v < NVARIANTS; v++)
		for (k = 0; k < 2; k++) {
			med[v][k] = bench_median(t[v][k], runs);
			medh[v][k] = bench_median(h[v][k], runs);
		}

	printf("exit() with N blocked threads to stop and join: %u runs"
	    " each, medians, %u KiB stacks\n", runs, STACK_SIZE / 1024);
	printf("  %-9s %-31s %s\n", "", "   ------- whole exit -------",
	    "-- in exit's handlers --");
	snprintf(lab[0], sizeof(lab[0]), "N=%u", nv[0]);
	snprintf(lab[1], sizeof(lab[1]), "N=%u", nv[1]);
	printf("  %-9s %11s %11s %7s  %11s %11s\n", "", lab[0], lab[1],
	    "growth", lab[0], lab[1]);
	for (v = 0; v < NVARIANTS; v++)
		printf("  %-9s %8.2f ms %8.2f ms %7.2f  %8.2f ms %8.2f ms\n",
		    variant_name[v], med[v][0] / 1e6, med[v][1] / 1e6,
		    med[v][1] / med[v][0], medh[v][0] / 1e6, medh[v][1] / 1e6);

	ratio = med[EXEUNT][0] / med[BASELINE][0];
	growth = med[EXEUNT][1] / med[EXEUNT][0];
	printf("  ratio exeunt/baseline at N=%u: %.3f (target <= %.1f: %s);"
	    " at N=%u: %.3f\n", nv[0], ratio, TARGET_RATIO,
	    ratio <= TARGET_RATIO ? "met" : "NOT MET", nv[1],
	    med[EXEUNT][1] / med[BASELINE][1]);
	printf("  exeunt time(N=%u)/time(N=%u): %.2f (target <= %.0f: %s);"
	    " detached: %.2f\n", nv[1], nv[0], growth, TARGET_GROWTH,
	    growth <= TARGET_GROWTH ? "met" : "NOT MET",
	    med[DETACHED][1] / med[DETACHED][0]);
	for (v = 0; v < NVARIANTS; v++)
		for (k = 0; k < 2; k++) {
			free(t[v][k]);
			free(h[v][k]);
		}
	return 0;
}
