/*
 * Time arithmetic on CLOCK_MONOTONIC, written once: checking a relative
 * timeout, turning it into an absolute time, measuring an age, and
 * condition variables that wait until such a time.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Every sum saturates at the largest time_t instead of overflowing: a
 * timeout of LONG_MAX seconds means "never", not "already passed".
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>

#define NSEC_PER_SEC 1000000000L

/* 0 if rel is a valid relative timeout (non-negative, nanoseconds in
 * range), else EINVAL. */
int
exeunt__ts_check(const struct timespec *rel)
{
	if (rel->tv_sec < 0 || rel->tv_nsec < 0 || rel->tv_nsec >= NSEC_PER_SEC)
		return EINVAL;
	return 0;
}

/* *abs = base + rel, saturating; base and rel are valid, rel >= 0. */
void
exeunt__ts_add(struct timespec *abs, const struct timespec *base,
    const struct timespec *rel)
{
	/* time_t is signed; its maximum, without assuming its width. */
	const time_t max = (time_t)(((uintmax_t)1 <<
	    (sizeof(time_t) * CHAR_BIT - 1)) - 1);
	time_t sec;
	long nsec = base->tv_nsec + rel->tv_nsec;

	if (rel->tv_sec > max - base->tv_sec - 1) {
		abs->tv_sec = max;
		abs->tv_nsec = NSEC_PER_SEC - 1;
		return;
	}
	sec = base->tv_sec + rel->tv_sec;
	if (nsec >= NSEC_PER_SEC) {
		sec++;
		nsec -= NSEC_PER_SEC;
	}
	abs->tv_sec = sec;
	abs->tv_nsec = nsec;
}

/* *abs = now + rel on CLOCK_MONOTONIC, saturating. */
void
exeunt__ts_after(struct timespec *abs, const struct timespec *rel)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	exeunt__ts_add(abs, &now, rel);
}

/* Seconds from then to now, on CLOCK_MONOTONIC. */
double
exeunt__since(const struct timespec *then)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - then->tv_sec) +
	    (double)(now.tv_nsec - then->tv_nsec) / 1e9;
}

/*
 * A condition variable whose timed waits take CLOCK_MONOTONIC times.
 * pthread_condattr_setclock() is POSIX, unlike glibc's
 * pthread_cond_clockwait(), which musl lacks.
 */
void
exeunt__cond_init(pthread_cond_t *cond)
{
	pthread_condattr_t attr;

	if (pthread_condattr_init(&attr) == 0) {
		if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
		    pthread_cond_init(cond, &attr) == 0) {
			pthread_condattr_destroy(&attr);
			return;
		}
		pthread_condattr_destroy(&attr);
	}
	pthread_cond_init(cond, NULL);	/* not reached on Linux */
}

/* Wait on a condition variable made by exeunt__cond_init() until abs, on
 * CLOCK_MONOTONIC; 0 or ETIMEDOUT. */
int
exeunt__cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mutex,
    const struct timespec *abs)
{
	return pthread_cond_timedwait(cond, mutex, abs);
}
