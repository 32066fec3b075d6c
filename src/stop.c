/*
 * Stop requests: the stop word, the stop fd and exeunt_wait_stop.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * A registered thread waits on its own record's stop word; an unregistered
 * thread waits on the process-wide one, which the shutdown sets.  The
 * words are futexes, so a stop request wakes exactly the threads that wait
 * for it, and exeunt_stop_requested() is one thread-local read and one
 * atomic load: no lock and no system call.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

static atomic_int *
stop_word(void)
{
	struct exeunt_thread *self = exeunt__self;

	return self != NULL ? &self->stop : &exeunt__reg.stopping;
}

static int *
stop_fd_slot(void)
{
	struct exeunt_thread *self = exeunt__self;

	return self != NULL ? &self->stop_fd : &exeunt__reg.stop_fd;
}

static void
signal_fd(int fd)
{
	uint64_t one = 1;
	ssize_t n;

	/* The counter cannot overflow from 1s: a failure is not possible
	 * short of a bad descriptor, and the caller owns no other recourse. */
	n = write(fd, &one, sizeof(one));
	(void)n;
}

/*
 * Raise a stop word, under the lock, then make its fd readable if it has
 * one: a thread woken through the fd finds the word set, and
 * exeunt_wait_stop() takes the lock once before it returns, so it finds
 * the fd readable.  exeunt_stop_fd() installs the fd under the lock and
 * then reads the word, so it cannot miss a request either.  Returns the
 * word's old value; the caller wakes its waiters after unlocking.
 */
static int
raise_stop_locked(atomic_int *word, int fd)
{
	int was = atomic_exchange(word, 1);

	if (!was && fd >= 0)
		signal_fd(fd);
	return was;
}

static void
wake_waiters(atomic_int *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

void
exeunt__stop_process(void)
{
	int was, cancel;

	exeunt__lock();
	was = raise_stop_locked(&exeunt__reg.stopping, exeunt__reg.stop_fd);
	exeunt__unlock();
	if (!was)
		wake_waiters(&exeunt__reg.stopping);
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	exeunt__run_stop_callbacks(&exeunt__reg.cbs);
	(void)pthread_setcancelstate(cancel, NULL);
}

/* The terminate callback for t has returned, or was left by a C++
 * exception (glibc unwinds through the cleanup handler of a library built
 * with -fexceptions): it no longer runs, and its reference goes. */
static void
callback_ended(void *arg)
{
	struct exeunt_thread *t = arg;
	int last;

	exeunt__lock();
	t->term_state = EXEUNT__TERM_DONE;
	if (exeunt__reg.waiters > 0)
		pthread_cond_broadcast(&exeunt__reg.cond);
	last = exeunt__unref_locked(t);
	exeunt__unlock();
	if (last)
		exeunt__free(t);
}

/*
 * A stop request whose terminate callback is due but has not started: its
 * stop callbacks run first.  On the requesting thread's stack, innermost
 * first (a stop callback may request another thread's stop).
 */
struct pending {
	struct exeunt_thread *t;
	struct pending *outer;
};

static _Thread_local struct pending *pending_top;

/* The terminate callback of p will not be called by this request after
 * all: it may be called by a later one.  The caller holds the lock. */
static void
forgo_locked(struct pending *p)
{
	if (p->t->term_state == EXEUNT__TERM_RUNNING &&
	    pthread_equal(p->t->term_runner, pthread_self())) {
		p->t->term_state = EXEUNT__TERM_NONE;
		pthread_cond_broadcast(&exeunt__reg.cond);
	}
}

/* A stop callback unwound the requesting thread (pthread_exit(), or a C++
 * exception): the terminate callback is not called, and its reference
 * goes. */
static void
pending_unwound(void *arg)
{
	struct pending *p = arg;
	int last;

	pending_top = p->outer;
	exeunt__lock();
	forgo_locked(p);
	last = exeunt__unref_locked(p->t);
	exeunt__unlock();
	if (last)
		exeunt__free(p->t);
}

/*
 * A stop request for t; the caller holds a reference on t.  The stop
 * callbacks pushed for t run first, then its terminate callback.  The
 * decision to call the terminate callback is taken as the stop is raised,
 * under the lock, so a thread that sees its stop and finishes at once
 * still gets its callback (its end waits for the callback to return).  It
 * runs at most once per thread, ever, without the lock and with
 * cancellation disabled; the extra reference keeps the record alive
 * meanwhile.
 */
void
exeunt__request_stop(struct exeunt_thread *t)
{
	struct pending p = { t, NULL };
	struct timespec began;
	int call, was, cancel;

	exeunt__lock();
	call = t->term_fn != NULL && !t->finished && !t->ending &&
	    t->term_state == EXEUNT__TERM_NONE;
	if (call) {
		t->term_state = EXEUNT__TERM_RUNNING;
		t->term_runner = pthread_self();
		t->refs++;
	}
	was = raise_stop_locked(&t->stop, t->stop_fd);
	exeunt__unlock();

	if (!was)
		wake_waiters(&t->stop);
	/* From here the callbacks must run and end: the trace's write(2) is
	 * a cancellation point too. */
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	if (!call) {
		exeunt__run_stop_callbacks(&t->cbs);
		(void)pthread_setcancelstate(cancel, NULL);
		return;
	}
	p.outer = pending_top;
	pending_top = &p;
	pthread_cleanup_push(pending_unwound, &p);
	exeunt__run_stop_callbacks(&t->cbs);
	pthread_cleanup_pop(0);
	pending_top = p.outer;
	if (exeunt__debug) {
		clock_gettime(CLOCK_MONOTONIC, &began);
		exeunt__trace("terminate seq %llu \"%s\" called", t->seq,
		    t->name);
	}
	pthread_cleanup_push(callback_ended, t);
	t->term_fn(t, t->term_arg);
	if (exeunt__debug)
		exeunt__trace("terminate seq %llu \"%s\" returned after "
		    "%.6fs", t->seq, t->name, exeunt__since(&began));
	pthread_cleanup_pop(1);
	(void)pthread_setcancelstate(cancel, NULL);
}

/*
 * The calling thread will never return from the terminate callbacks and
 * stop callbacks it is in (it called exit() there, or is parked): count
 * them as returned, so that their threads can finish.  The caller holds
 * the lock.
 */
void
exeunt__leave_callbacks_locked(void)
{
	struct exeunt_thread *t;
	struct pending *p;

	/* Terminate callbacks that were due after the stop callbacks this
	 * thread is in: not called, so a later request calls them. */
	for (p = pending_top; p != NULL; p = p->outer) {
		if (p->t->term_state == EXEUNT__TERM_RUNNING &&
		    pthread_equal(p->t->term_runner, pthread_self()))
			exeunt__request_again_locked(p->t);
		forgo_locked(p);
	}
	pending_top = NULL;
	exeunt__leave_stop_callbacks_locked();
	for (t = exeunt__reg.head; t != NULL; t = t->next) {
		if (t->term_state == EXEUNT__TERM_RUNNING &&
		    pthread_equal(t->term_runner, pthread_self())) {
			t->term_state = EXEUNT__TERM_DONE;
			pthread_cond_broadcast(&exeunt__reg.cond);
		}
	}
}

int
exeunt_thread_request_stop(exeunt_thread_t *t)
{
	int cancel;

	if (t == NULL)
		return EINVAL;
	/* A reference of the request's own: a join in another thread may
	 * drop the handle's as soon as the thread has ended, and the request
	 * still looks at the thread's list of stop callbacks then. */
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	exeunt__lock();
	t->refs++;
	exeunt__unlock();
	exeunt__request_stop(t);
	exeunt__release_ref(t);
	(void)pthread_setcancelstate(cancel, NULL);
	return 0;
}

int
exeunt_stop_requested(void)
{
	return atomic_load_explicit(stop_word(), memory_order_acquire);
}

int
exeunt_stop_fd(void)
{
	int *slot = stop_fd_slot();
	int fd, made, cancel;

	exeunt__lock();
	fd = *slot;
	exeunt__unlock();
	if (fd >= 0)
		return fd;

	if ((made = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		return -1;
	/* Under the lock, like raise_stop_locked(): a stop raised before
	 * the fd existed is signalled here, one raised after, there. */
	exeunt__lock();
	if (*slot < 0) {
		*slot = made;
		made = -1;
		if (atomic_load(stop_word()))
			signal_fd(*slot);
	}
	fd = *slot;
	exeunt__unlock();
	/* Another thread installed one first.  close(2) is a cancellation
	 * point, and exeunt_stop_fd() is not. */
	if (made >= 0) {
		(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
		close(made);
		(void)pthread_setcancelstate(cancel, NULL);
	}
	return fd;
}

/*
 * After fork(): the child's copy of a stop eventfd is the parent's open
 * file.  Put a fresh, unsignalled eventfd under the same number, so that
 * a thread that polls it keeps its descriptor and the child never signals
 * the parent.  Returns fd, or -1 if no new eventfd could be made (the
 * number is then closed).
 */
int
exeunt__renew_fd(int fd)
{
	int fresh;

	if (fd < 0)
		return -1;
	if ((fresh = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		close(fd);
		return -1;
	}
	if (fresh != fd) {
		if (dup3(fresh, fd, O_CLOEXEC) < 0) {
			close(fresh);
			close(fd);
			return -1;
		}
		close(fresh);
	}
	return fd;
}

int
exeunt_wait_stop(const struct timespec *timeout)
{
	atomic_int *word = stop_word();
	struct timespec abs;
	int saved = errno, ret = 0;

	if (timeout != NULL) {
		if (exeunt__ts_check(timeout) != 0)
			return EINVAL;
		exeunt__ts_after(&abs, timeout);
	}
	/* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time, so a
	 * signal that interrupts the wait does not stretch it. */
	while (!atomic_load_explicit(word, memory_order_acquire)) {
		if (syscall(SYS_futex, word,
		    FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0,
		    timeout != NULL ? &abs : NULL, NULL,
		    FUTEX_BITSET_MATCH_ANY) == -1 && errno == ETIMEDOUT) {
			if (!atomic_load_explicit(word, memory_order_acquire))
				ret = ETIMEDOUT;
			break;
		}
	}
	/* A stop raised under the lock has signalled its fd once the lock
	 * is free again. */
	if (ret == 0) {
		exeunt__lock();
		exeunt__unlock();
	}
	errno = saved;
	return ret;
}
