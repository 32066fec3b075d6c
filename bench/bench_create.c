/*
 * bench_create -- the cost of a registered thread's life.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Times exeunt_thread_create() + exeunt_thread_join() of a thread that
 * returns at once against pthread_create() + pthread_join() of the same
 * thread.  The two run side by side: each round times a batch of raw
 * threads and a batch of registered ones (the order alternates from round
 * to round, so drift affects both alike), and the report gives the median
 * time per thread of each and their ratio.
 *
 * Usage: bench_create [rounds [threads-per-batch]]
 */
#include <exeunt.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define TARGET 1.15

static void *
nothing(void *arg)
{
	return arg;
}

static double
batch_pthread(unsigned n)
{
	pthread_t t;
	uint64_t t0;
	unsigned i;
	int rc;

	t0 = bench_now();
	for (i = 0; i < n; i++) {
		rc = pthread_create(&t, NULL, nothing, NULL);
		if (rc != 0) {
			fprintf(stderr, "pthread_create: %s\n", strerror(rc));
			exit(EXIT_FAILURE);
		}
		pthread_join(t, NULL);
	}
	return (double)(bench_now() - t0) / n;
}

static double
batch_exeunt(unsigned n)
{
	exeunt_thread_t *t;
	uint64_t t0;
	unsigned i;
	int rc;

	t0 = bench_now();
	for (i = 0; i < n; i++) {
		rc = exeunt_thread_create(&t, NULL, nothing, NULL);
		if (rc != 0) {
			fprintf(stderr, "exeunt_thread_create: %s\n",
			    strerror(rc));
			exit(EXIT_FAILURE);
		}
		exeunt_thread_join(t, NULL);
	}
	return (double)(bench_now() - t0) / n;
}

int
main(int argc, char **argv)
{
	unsigned rounds = 41, n = 2000, r;
	double *raw, *ex, *ratio, mraw, mex;

	if (argc > 1)
		rounds = (unsigned)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		n = (unsigned)strtoul(argv[2], NULL, 10);
	if (rounds == 0 || n == 0) {
		fprintf(stderr, "usage: bench_create [rounds [threads]]\n");
		return EXIT_FAILURE;
	}
	raw = calloc(rounds, sizeof(*raw));
	ex = calloc(rounds, sizeof(*ex));
	ratio = calloc(rounds, sizeof(*ratio));
	if (raw == NULL || ex == NULL || ratio == NULL)
		return EXIT_FAILURE;

	/* Warm up: stacks cached, library initialised, pages touched. */
	batch_pthread(n / 4 + 1);
	batch_exeunt(n / 4 + 1);

	for (r = 0; r < rounds; r++) {
		if (r % 2 == 0) {
			raw[r] = batch_pthread(n);
			ex[r] = batch_exeunt(n);
		} else {
			ex[r] = batch_exeunt(n);
			raw[r] = batch_pthread(n);
		}
		ratio[r] = ex[r] / raw[r];
	}
	mraw = bench_median(raw, rounds);
	mex = bench_median(ex, rounds);

	printf("create+join: %u rounds of %u threads, side by side\n",
	    rounds, n);
	printf("  pthread_create+pthread_join          %8.0f ns/thread"
	    " (median)\n", mraw);
	printf("  exeunt_thread_create+exeunt_thread_join %5.0f ns/thread"
	    " (median)\n", mex);
	printf("  ratio of medians exeunt/pthread      %8.3f  (median of"
	    " per-round ratios %.3f; target <= %.2f: %s)\n", mex / mraw,
	    bench_median(ratio, rounds), TARGET,
	    mex / mraw <= TARGET ? "met" : "NOT MET");
	free(raw);
	free(ex);
	free(ratio);
	return 0;
}
