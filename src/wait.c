/*
 * Waits that a stop request ends: exeunt_cond_wait(), exeunt_sleep(),
 * exeunt_poll().
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * exeunt_cond_wait() pushes a stop callback that locks the caller's mutex
 * and broadcasts the condition variable.  Taking the mutex is what makes
 * the stop impossible to lose: the caller holds it from its push until
 * pthread_cond_wait() releases it, so the broadcast comes either before
 * the push (which then fails with ECANCELED) or once the caller waits.
 * The opposite trap is a deadlock: the callback may be blocked on the
 * mutex when the caller wakes for another reason and pops it, and pop
 * waits for a running callback.  So the caller never waits for the
 * callback while it holds the mutex: it lets go of the mutex first.
 */
#include "internal.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

struct cond_wait {
	exeunt_stop_callback_t cb;
	pthread_cond_t *cond;
	pthread_mutex_t *mutex;
};

/* The stop callback: wake the waiter, under its mutex. */
static void
wake_waiter(void *arg)
{
	struct cond_wait *w = arg;
	int err = pthread_mutex_lock(w->mutex);

	pthread_cond_broadcast(w->cond);
	/* EDEADLK: an error-checking mutex that the requesting thread
	 * holds, so the waiter is not between its push and its wait. */
	if (err == 0)
		pthread_mutex_unlock(w->mutex);
}

/*
 * The wait is over, and the mutex held: take the callback back.  Returns
 * ECANCELED if the stop was requested, else 0.  With the mutex held
 * again on return.
 */
static int
end_wait(struct cond_wait *w)
{
	int err = exeunt__stop_callback_pop_nowait(&w->cb);

	if (err == EBUSY) {
		/* Running in the requesting thread, maybe blocked on the
		 * mutex: let it finish before its storage goes. */
		pthread_mutex_unlock(w->mutex);
		(void)exeunt_stop_callback_pop(&w->cb);
		pthread_mutex_lock(w->mutex);
		err = ECANCELED;
	}
	if (err == ECANCELED || exeunt_stop_requested())
		return ECANCELED;
	return 0;
}

/* Cancelled in pthread_cond_wait(), which holds the mutex again. */
static void
wait_cancelled(void *arg)
{
	(void)end_wait(arg);
}

static int
cond_wait(pthread_cond_t *cond, pthread_mutex_t *mutex,
    const struct timespec *abstime)
{
	struct cond_wait w;
	int err;

	if (cond == NULL || mutex == NULL)
		return EINVAL;
	w.cond = cond;
	w.mutex = mutex;
	if (exeunt_stop_callback_push(&w.cb, wake_waiter, &w) != 0)
		return ECANCELED;
	pthread_cleanup_push(wait_cancelled, &w);
	if (abstime != NULL)
		err = pthread_cond_timedwait(cond, mutex, abstime);
	else
		err = pthread_cond_wait(cond, mutex);
	pthread_cleanup_pop(0);
	if (end_wait(&w) == ECANCELED)
		return ECANCELED;
	return err;
}

int
exeunt_cond_wait(pthread_cond_t *cond, pthread_mutex_t *mutex)
{
	return cond_wait(cond, mutex, NULL);
}

int
exeunt_cond_timedwait(pthread_cond_t *cond, pthread_mutex_t *mutex,
    const struct timespec *abstime)
{
	if (abstime == NULL || abstime->tv_nsec < 0 ||
	    abstime->tv_nsec >= 1000000000L)
		return EINVAL;
	return cond_wait(cond, mutex, abstime);
}

int
exeunt_sleep(const struct timespec *duration)
{
	if (duration == NULL || exeunt__ts_check(duration) != 0)
		return EINVAL;
	/* exeunt_wait_stop() returns 0 on a stop, ETIMEDOUT at the end. */
	return exeunt_wait_stop(duration) == 0 ? ECANCELED : 0;
}

/* A set this large is copied to the heap. */
#define POLL_ON_STACK 64
/* How late a stop is seen by a poll of RLIMIT_NOFILE descriptors. */
#define POLL_SLICE_MS 10

/*
 * poll(2) of a set that has no room for the stop descriptor: the kernel
 * takes at most RLIMIT_NOFILE entries.  The caller's set is polled alone,
 * in slices of POLL_SLICE_MS, and the stop word read between them.
 */
static int
poll_full_set(struct pollfd *fds, nfds_t nfds, int timeout)
{
	struct timespec end, now;
	long left;
	int n;

	if (timeout > 0) {
		clock_gettime(CLOCK_MONOTONIC, &end);
		end.tv_sec += timeout / 1000;
		end.tv_nsec += (timeout % 1000) * 1000000L;
		if (end.tv_nsec >= 1000000000L) {
			end.tv_sec++;
			end.tv_nsec -= 1000000000L;
		}
	}
	for (;;) {
		if (exeunt_stop_requested())
			return -2;
		left = POLL_SLICE_MS;
		if (timeout >= 0) {
			left = 0;
			if (timeout > 0) {
				clock_gettime(CLOCK_MONOTONIC, &now);
				left = (end.tv_sec - now.tv_sec) * 1000L +
				    (end.tv_nsec - now.tv_nsec) / 1000000L;
				left = left < 0 ? 0 : left;
			}
			left = left < POLL_SLICE_MS ? left : POLL_SLICE_MS;
		}
		n = poll(fds, nfds, (int)left);
		if (n != 0 || (timeout >= 0 && left < POLL_SLICE_MS))
			return exeunt_stop_requested() ? -2 : n;
	}
}

/* 1 if the kernel takes a set of nfds entries, but not one more: the
 * stop descriptor. */
static int
no_room(nfds_t nfds)
{
	struct rlimit rl;

	return getrlimit(RLIMIT_NOFILE, &rl) == 0 && nfds == rl.rlim_cur;
}

static void
free_set(void *set)
{
	free(set);
}

int
exeunt_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	struct pollfd small[POLL_ON_STACK + 1], *all = small, *heap = NULL;
	nfds_t i;
	int fd, n, saved;

	if (nfds > 0 && fds == NULL) {
		errno = EFAULT;
		return -1;
	}
	if (!exeunt_stop_requested()) {
		if ((fd = exeunt_stop_fd()) < 0)
			return -1;
		if (nfds > POLL_ON_STACK) {
			if (nfds >= SIZE_MAX / sizeof(*all) ||
			    (heap = malloc((nfds + 1) * sizeof(*all))) == NULL) {
				errno = ENOMEM;
				return -1;
			}
			all = heap;
		}
		if (nfds > 0)
			memcpy(all, fds, nfds * sizeof(*all));
		all[nfds].fd = fd;
		all[nfds].events = POLLIN;
		all[nfds].revents = 0;
		/* A cancellation point, as poll() is. */
		pthread_cleanup_push(free_set, heap);
		n = poll(all, nfds + 1, timeout);
		pthread_cleanup_pop(0);
		saved = errno;
		if (n < 0 && saved == EINVAL && no_room(nfds)) {
			free(heap);
			if ((n = poll_full_set(fds, nfds, timeout)) != -2)
				return n;
			heap = NULL;
			n = -1;
		}
		if (n >= 0 && all[nfds].revents == 0 &&
		    !exeunt_stop_requested()) {
			for (i = 0; i < nfds; i++)
				fds[i].revents = all[i].revents;
			free(heap);
			errno = saved;
			return n;
		}
		free(heap);
		if (n < 0 && !exeunt_stop_requested()) {
			errno = saved;
			return -1;
		}
	}
	for (i = 0; i < nfds; i++)
		fds[i].revents = 0;
	errno = ECANCELED;
	return -1;
}
