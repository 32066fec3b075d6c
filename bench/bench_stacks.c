/*
 * bench_stacks: what exeunt_dump_stacks() costs, against exeunt_dump() of
 * the same threads in the same process (the baseline: a list without
 * stacks), for 1, 20 and 200 registered threads waiting in
 * exeunt_wait_stop().  Both write to /dev/null.  Prints the median of 7
 * runs of each, in milliseconds, and their ratio.  A dump takes each
 * thread's stack in a signal handler and names the frames with libdw
 * afterwards; without libdw it lists the threads with a line saying so.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include <exeunt.h>

#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

#define RUNS 7

static void *
waiter(void *arg)
{
	(void)arg;
	while (exeunt_wait_stop(NULL) == 0 && !exeunt_stop_requested())
		;
	return NULL;
}

static double
time_ms(int (*dump)(FILE *), FILE *out)
{
	uint64_t t0 = bench_now();

	if (dump(out) != 0)
		abort();
	return (double)(bench_now() - t0) / 1e6;
}

int
main(void)
{
	static const size_t counts[] = { 1, 20, 200 };
	double stacks[RUNS], list[RUNS], s, l;
	exeunt_thread_t **t;
	FILE *null = fopen("/dev/null", "w");
	size_t i, k, n = 0;
	int r;

	if (null == NULL || (t = calloc(200, sizeof(*t))) == NULL)
		return 1;
	printf("bench_stacks: exeunt_dump_stacks() against exeunt_dump() "
	    "(median of %d, ms)\n", RUNS);
	for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		for (; n < counts[k]; n++)
			if (exeunt_thread_create(&t[n], NULL, waiter,
			    NULL) != 0)
				return 1;
		while (exeunt_count() < n)
			;
		for (r = 0; r < RUNS; r++) {
			stacks[r] = time_ms(exeunt_dump_stacks, null);
			list[r] = time_ms(exeunt_dump, null);
		}
		s = bench_median(stacks, RUNS);
		l = bench_median(list, RUNS);
		printf("  %3zu threads: dump_stacks %8.2f ms, dump %6.3f ms, "
		    "ratio %.0fx\n", n, s, l, s / l);
	}
	for (i = 0; i < n; i++)
		exeunt_thread_request_stop(t[i]);
	for (i = 0; i < n; i++)
		exeunt_thread_join(t[i], NULL);
	free(t);
	fclose(null);
	return 0;
}
