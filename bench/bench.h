/*
 * Small helpers shared by the benchmarks: a monotonic clock in
 * nanoseconds and the median of a sample.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline uint64_t
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n-1]; v is left untouched. */
static inline double
bench_median(const double *v, size_t n)
{
	double *s, m;

	if (n == 0)
		return 0.0;
	s = (double *)malloc(n * sizeof(*s));
	if (s == NULL)
		abort();
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), bench_cmp);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
	free(s);
	return m;
}

#endif /* BENCH_H */
