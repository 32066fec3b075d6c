/*
 * bench_stages -- what shutdown stages add to the time of exit().
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * As bench_exit does: each run forks a child, which starts N registered
 * non-daemon threads blocked in exeunt_wait_stop(NULL), waits until all
 * of them are blocked, takes a CLOCK_MONOTONIC timestamp, sends it to the
 * parent through a pipe and calls exit(0).  The parent takes its own
 * timestamp when waitpid() returns; the difference is the time exit took,
 * process teardown included.  A plain atexit(3) handler registered first,
 * so run last, also reports the part spent in exit's handlers.  Variants:
 *
 *   1 stage    every thread at stage 0 (the default): one round of stop
 *              requests, one wait;
 *   4 stages   thread i at stage i % 4: four rounds of stop requests,
 *              each followed by a wait for that stage's threads.
 *
 * Runs alternate between the two, and the one that goes first changes
 * from run to run.  The report gives the medians and the ratio
 * 4 stages / 1 stage.  Target: <= 1.1.
 *
 * Usage: bench_stages [runs [N]]   (default 301 runs, 64 threads)
 */
#include <exeunt.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define TARGET_RATIO	1.1

static const unsigned nstages[] = { 1, 4 };
#define NVARIANTS	(sizeof(nstages) / sizeof(nstages[0]))

static unsigned nthreads;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cond = PTHREAD_COND_INITIALIZER;
static unsigned ready;
static int report_fd;

static void *
blocked(void *arg)
{
	pthread_mutex_lock(&lock);
	if (++ready == nthreads)
		pthread_cond_signal(&ready_cond);
	pthread_mutex_unlock(&lock);
	exeunt_wait_stop(NULL);
	return arg;
}

/* Registered first, so exit() runs it last, after the shutdown. */
static void
mark(void)
{
	uint64_t t = bench_now();

	if (write(report_fd, &t, sizeof(t)) != (ssize_t)sizeof(t))
		_exit(12);
}

static void
child(unsigned stages, int fd)
{
	exeunt_thread_t *t;
	exeunt_attr_t attr;
	uint64_t t0;
	unsigned i;

	report_fd = fd;
	if (atexit(mark) != 0 || exeunt_attr_init(&attr) != 0 ||
	    exeunt_attr_setdaemon(&attr, 0) != 0)
		_exit(20);
	for (i = 0; i < nthreads; i++) {
		if (exeunt_attr_setstage(&attr, (int)(i % stages)) != 0 ||
		    exeunt_thread_create(&t, &attr, blocked, NULL) != 0)
			_exit(21);
	}
	exeunt_attr_destroy(&attr);

	pthread_mutex_lock(&lock);
	while (ready < nthreads)
		pthread_cond_wait(&ready_cond, &lock);
	pthread_mutex_unlock(&lock);

	t0 = bench_now();
	if (write(fd, &t0, sizeof(t0)) != (ssize_t)sizeof(t0))
		_exit(11);
	exit(0);
}

/* The time from the child's exit() to waitpid()'s return, in ns. */
static double
run(unsigned stages, double *handlers)
{
	uint64_t t[2], t1;
	int fd[2], status;
	pid_t pid;

	if (pipe(fd) != 0) {
		perror("pipe");
		exit(EXIT_FAILURE);
	}
	fflush(stdout);
	if ((pid = fork()) < 0) {
		perror("fork");
		exit(EXIT_FAILURE);
	}
	if (pid == 0) {
		close(fd[0]);
		child(stages, fd[1]);
	}
	close(fd[1]);
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		exit(EXIT_FAILURE);
	}
	t1 = bench_now();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    read(fd[0], t, sizeof(t)) != (ssize_t)sizeof(t)) {
		fprintf(stderr, "bench_stages: a child with %u stages failed"
		    " (status %#x)\n", stages, status);
		exit(EXIT_FAILURE);
	}
	close(fd[0]);
	*handlers = (double)(t[1] - t[0]);
	return (double)(t1 - t[0]);
}

int
main(int argc, char **argv)
{
	double *t[NVARIANTS], *h[NVARIANTS], med[NVARIANTS], medh[NVARIANTS];
	double dummy, ratio;
	unsigned runs = 301, r, v, w;

	nthreads = 64;
	if (argc > 1)
		runs = (unsigned)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		nthreads = (unsigned)strtoul(argv[2], NULL, 10);
	if (runs == 0 || nthreads == 0) {
		fprintf(stderr, "usage: bench_stages [runs [N]]\n");
		return EXIT_FAILURE;
	}
	for (v = 0; v < NVARIANTS; v++)
		if ((t[v] = calloc(runs, sizeof(double))) == NULL ||
		    (h[v] = calloc(runs, sizeof(double))) == NULL)
			return EXIT_FAILURE;

	for (v = 0; v < NVARIANTS; v++)
		run(nstages[v], &dummy);
	for (r = 0; r < runs; r++)
		for (v = 0; v < NVARIANTS; v++) {
			w = (r + v) % NVARIANTS;
			t[w][r] = run(nstages[w], &h[w][r]);
		}

	printf("exit() with %u blocked threads over 1 or 4 stages: %u runs"
	    " each, medians\n", nthreads, runs);
	printf("  %-9s %12s %14s\n", "", "whole exit", "in handlers");
	for (v = 0; v < NVARIANTS; v++) {
		med[v] = bench_median(t[v], runs);
		medh[v] = bench_median(h[v], runs);
		printf("  %u stage%s  %9.1f us %11.1f us\n", nstages[v],
		    nstages[v] > 1 ? "s" : " ", med[v] / 1e3, medh[v] / 1e3);
	}
	ratio = med[1] / med[0];
	printf("  ratio 4 stages / 1 stage: %.3f (target <= %.1f: %s);"
	    " in handlers: %.3f\n", ratio, TARGET_RATIO,
	    ratio <= TARGET_RATIO ? "met" : "NOT MET", medh[1] / medh[0]);
	for (v = 0; v < NVARIANTS; v++) {
		free(t[v]);
		free(h[v]);
	}
	return 0;
}
