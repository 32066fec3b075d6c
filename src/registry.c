/*
 * The registry: every registered thread's record, in creation order.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * A record is reference-counted.  The thread itself holds one reference
 * until it finishes; the handle returned by exeunt_thread_create holds one
 * until exeunt_thread_join or exeunt_thread_detach; a terminate callback,
 * a visitor or the shutdown's snapshot holds one while it uses the record.
 * A record stays on the list until its last reference goes, so a walk
 * that drops the lock can always continue from the record it holds.
 * Registering and unregistering are O(1).
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct exeunt__registry exeunt__reg = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.phase = EXEUNT_RUNNING,
	.shut_stage = INT_MIN,
	.stop_fd = -1,
};

_Thread_local struct exeunt_thread *exeunt__self;

/* The cancelability state of the thread that holds the lock, from before
 * it took it.  The lock is not recursive, so one slot per thread does. */
static _Thread_local int lock_cancel_state
    EXEUNT__TLS_IE;
/* The calling thread holds the lock (taken by exeunt__lock). */
static _Thread_local int lock_held EXEUNT__TLS_IE;

/*
 * The library lock.  Cancellation is disabled while it is held: the
 * library makes cancellation points under it (the write(2) that signals
 * a stop fd, the waits on its condition variable, trace lines), and a
 * thread cancelled there would take the lock with it.
 */
void
exeunt__lock(void)
{
	int old;

	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	pthread_mutex_lock(&exeunt__reg.lock);
	lock_cancel_state = old;
	lock_held = 1;
}

void
exeunt__unlock(void)
{
	int old = lock_cancel_state;

	lock_held = 0;
	pthread_mutex_unlock(&exeunt__reg.lock);
	/* Lines made under the lock for the report function, which is
	 * user code, go out now that it is released (debug.c). */
	if (atomic_load_explicit(&exeunt__report_pending,
	    memory_order_relaxed))
		exeunt__report_flush();
	(void)pthread_setcancelstate(old, NULL);
}

/* 1 if the calling thread holds the lock. */
int
exeunt__holding_lock(void)
{
	return lock_held;
}

/* The caller's own cancelability, for a wait under the lock that is a
 * cancellation point on purpose (exeunt_thread_join). */
int
exeunt__caller_cancel_state(void)
{
	return lock_cancel_state;
}

/* Wait on the registry's condition variable; the caller holds the lock. */
void
exeunt__wait_locked(void)
{
	exeunt__reg.waiters++;
	pthread_cond_wait(&exeunt__reg.cond, &exeunt__reg.lock);
	exeunt__reg.waiters--;
}

/*
 * Register the library's exit handler on the first registration of a
 * thread or a hook: from then on, exit() runs the shutdown.  Where exit()
 * does not come through the library's (see exit.c), the handler runs at
 * its place in the list of exit handlers, after those registered later.
 */
int
exeunt__arm_locked(void)
{
	int err;

	if (exeunt__reg.coordinator_armed)
		return 0;
	if ((err = exeunt__arm_exit_handler()) != 0)
		return err;
	exeunt__reg.coordinator_armed = 1;
	return 0;
}

/* The daemon flag a thread created now by the calling thread inherits. */
int
exeunt__default_daemon(void)
{
	struct exeunt_thread *self = exeunt__self;

	return self != NULL ? self->daemon : 0;
}

/* 1 if a registered thread is in a stage other than 0: the dump and the
 * deadline report then show each thread's stage.  The caller holds the
 * lock. */
int
exeunt__staged_locked(void)
{
	const struct exeunt_thread *t;

	for (t = exeunt__reg.head; t != NULL; t = t->next)
		if (t->stage != 0 && !t->finished && !t->starting)
			return 1;
	return 0;
}

/* The stage a thread created now by the calling thread inherits. */
int
exeunt__default_stage(void)
{
	struct exeunt_thread *self = exeunt__self;

	return self != NULL ? self->stage : 0;
}

/* A new, unlinked record for the given attributes (NULL: defaults). */
struct exeunt_thread *
exeunt__new_record(const struct exeunt__attr *a)
{
	struct exeunt_thread *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->stop_fd = -1;
	t->daemon = exeunt__default_daemon();
	t->stage = exeunt__default_stage();
	/* Here, not under the lock: a system call made while holding the
	 * lock (clock_gettime is one under valgrind) lets the threads that
	 * queue on it starve behind a thread that registers in a loop. */
	clock_gettime(CLOCK_MONOTONIC, &t->born);
	if (a != NULL) {
		if (a->daemon >= 0)
			t->daemon = a->daemon;
		if (a->has_stage)
			t->stage = a->stage;
		t->term_fn = a->term_fn;
		t->term_arg = a->term_arg;
		t->destroy = a->destroy;
		if (a->has_name) {
			memcpy(t->name, a->name, sizeof(t->name));
			t->set_os_name = 1;
		}
	}
	return t;
}

/*
 * Link t at the tail of the registry and count it as live.  Fails with
 * ESHUTDOWN once the terminate phase has begun.  The caller holds the lock.
 */
int
exeunt__register_locked(struct exeunt_thread *t)
{
	int err;

	if (exeunt__sd.state != EXEUNT__SHUT_NONE)
		return ESHUTDOWN;
	if ((err = exeunt__arm_locked()) != 0)
		return err;
	t->seq = ++exeunt__reg.seq;
	if (t->name[0] == '\0')
		snprintf(t->name, sizeof(t->name), "thread-%llu", t->seq);
	t->prev = exeunt__reg.tail;
	t->next = NULL;
	if (exeunt__reg.tail != NULL)
		exeunt__reg.tail->next = t;
	else
		exeunt__reg.head = t;
	exeunt__reg.tail = t;
	exeunt__reg.live++;
	if (!t->daemon)
		exeunt__reg.live_nondaemon++;
	return 0;
}

/*
 * Mark t finished: it no longer counts, and a shutdown waiting in its
 * join phase is woken when the last non-daemon thread is done.  The
 * caller holds the lock and still owns the thread's own reference.
 */
void
exeunt__finish_locked(struct exeunt_thread *t)
{
	if (t->finished)
		return;
	t->finished = 1;
	if (atomic_load(&exeunt__reg.phase) == EXEUNT_JOINING && !t->daemon)
		EXEUNT__TRACE("joined seq %llu \"%s\"", t->seq, t->name);
	exeunt__reg.live--;
	if (!t->daemon)
		exeunt__reg.live_nondaemon--;
	exeunt__stage_finish_locked(t);
	EXEUNT__NOTIFY(exeunt__notify_finish_locked(t));
	/* The join phase waits for live_nondaemon to reach 0, or 1 when the
	 * coordinator is itself a live non-daemon thread; a joiner waits for
	 * this record. */
	if (exeunt__reg.waiters > 0 &&
	    (exeunt__reg.live_nondaemon <= 1 || t->joining))
		pthread_cond_broadcast(&exeunt__reg.cond);
}

/*
 * Drop a reference.  On the last one the record is unlinked and 1 is
 * returned: the caller frees it with exeunt__free() after unlocking.
 */
int
exeunt__unref_locked(struct exeunt_thread *t)
{
	if (--t->refs > 0)
		return 0;
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		exeunt__reg.head = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	else
		exeunt__reg.tail = t->prev;
	return 1;
}

/* Free an unlinked record.  Not a cancellation point, although close(2)
 * is one: exeunt_thread_detach() and the failure paths of creation and
 * adoption end here, and they are not. */
void
exeunt__free(struct exeunt_thread *t)
{
	int cancel;

	if (t->stop_fd >= 0) {
		(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
		close(t->stop_fd);
		(void)pthread_setcancelstate(cancel, NULL);
	}
	free(t);
}

/* Drop a reference, taking the lock. */
void
exeunt__release_ref(struct exeunt_thread *t)
{
	int last;

	exeunt__lock();
	last = exeunt__unref_locked(t);
	exeunt__unlock();
	if (last)
		exeunt__free(t);
}

/*
 * Library start-up.  Here, in a file that every program using the
 * library links, so that a static link keeps the fork handlers too.  With
 * the first priority a program may use: in a static link the program's
 * own constructors and C++ namespace-scope objects come first in
 * .init_array, and they may create threads.
 */
__attribute__((constructor(101))) static void
exeunt__init(void)
{
	/* Its timed waits are on CLOCK_MONOTONIC.  No thread waits on it
	 * yet: the library's threads start later. */
	exeunt__cond_init(&exeunt__reg.cond);
	exeunt__debug_init();
	exeunt__thread_init();
	exeunt__fork_init();
	exeunt__stopcb_init();
	exeunt__signal_init();
	exeunt__exit_init();
}

int
exeunt_foreach(int (*visit)(exeunt_thread_t *thread, void *arg), void *arg)
{
	struct exeunt_thread *t, *next, *dead = NULL;
	int result = 0, cancel;

	if (visit == NULL)
		return EINVAL;
	/* Not a cancellation point, visitors included: a cancelled visitor
	 * would leave its record held. */
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	exeunt__lock();
	for (t = exeunt__reg.head; t != NULL; t = next) {
		if (t->finished || t->starting) {
			next = t->next;
			continue;
		}
		/* Hold t so that its next pointer stays meaningful while the
		 * visitor runs without the lock. */
		t->refs++;
		exeunt__unlock();
		if (dead != NULL) {
			exeunt__free(dead);
			dead = NULL;
		}
		result = visit(t, arg);
		exeunt__lock();
		next = result == 0 ? t->next : NULL;
		/* Free the last holder's record only once the lock is
		 * dropped anyway, so that next cannot vanish meanwhile. */
		if (exeunt__unref_locked(t))
			dead = t;
	}
	exeunt__unlock();
	if (dead != NULL)
		exeunt__free(dead);
	(void)pthread_setcancelstate(cancel, NULL);
	return result;
}

size_t
exeunt_count(void)
{
	size_t n;

	exeunt__lock();
	n = exeunt__reg.live;
	exeunt__unlock();
	return n;
}
