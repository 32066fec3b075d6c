/*
 * Ending the process from several threads: exeunt_exit() and the park
 * handler.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * glibc's exit() lets a second thread run the remaining exit handlers
 * and _exit() while the first is still in the coordinator.  Like musl's
 * exit lock, exeunt parks every thread but one: exeunt_exit() from its
 * first instruction, and plain exit() through a handler that the
 * coordinator registers when it starts, which glibc runs next in any
 * thread that calls exit() after that.
 */
#include "internal.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

/* 0 until a thread is ending the process; then its pthread_t is in
 * exit_claimer, which the lock guards. */
static atomic_int exit_claimed;
static pthread_t exit_claimer;

/* Block forever; signal handlers still run in this thread, for the
 * signals it does not block (its mask stays as it was). */
void
exeunt__park(void)
{
	sigset_t mask;

	exeunt__lock();
	exeunt__leave_callbacks_locked();
	exeunt__unlock();
	exeunt__pool_parked();
	exeunt__finish_current();
	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	for (;;)
		sigsuspend(&mask);
}

static void park_handler(int status, void *arg);

#ifdef HAVE_ON_EXIT
#define on_exit_park() on_exit(park_handler, NULL)
#else
static void
park_atexit(void)
{
	park_handler(0, NULL);
}
#define on_exit_park() atexit(park_atexit)
#endif

/*
 * Arm the park handler; the caller holds the lock.  With claim, the
 * calling thread's exit() is the one that goes on: it claims the exit, if
 * no exeunt_exit() has, so that later exeunt_exit() callers park at once.
 */
int
exeunt__arm_park_locked(int claim)
{
	int expected = 0;

	if (claim && atomic_compare_exchange_strong(&exit_claimed, &expected,
	    1))
		exit_claimer = pthread_self();
	return on_exit_park();
}

/*
 * exit(status) reached one of exeunt's exit handlers while a shutdown has
 * begun or is done.  The caller holds the lock; this releases it.
 * - Another thread's exit() goes on: this thread is parked (and arms the
 *   handler again for the next one).
 * - exit() from a callback or hook of the shutdown this thread runs: the
 *   shutdown goes on from where it stands, and the process ends with this
 *   status.
 * - The first exit() while exeunt_shutdown() runs in another thread: this
 *   thread counts as finished, waits until the shutdown is done, and its
 *   exit() goes on; later exit() calls park.
 * - Otherwise (this thread's exit() is the one going on, or the shutdown
 *   finished before exit() was called) exit() simply goes on.
 */
void
exeunt__exit_locked(int status)
{
	struct exeunt_thread *self = exeunt__self;
	int running = exeunt__reg.state == EXEUNT__SHUT_RUNNING;

	if (exeunt__reg.in_exit &&
	    !pthread_equal(exeunt__reg.exit_thread, pthread_self())) {
		(void)on_exit_park();
		exeunt__unlock();
		EXEUNT__TRACE("exit(%d) from thread %s/%d discarded", status,
		    self != NULL ? self->name : "unregistered", (int)gettid());
		exeunt__park();
	}
	if (running && pthread_equal(exeunt__reg.owner, pthread_self())) {
		exeunt__leave_callbacks_locked();
		if (!exeunt__reg.in_exit)
			(void)exeunt__arm_park_locked(1);
		exeunt__reg.in_exit = 1;
		exeunt__reg.exit_status = status;
		exeunt__reg.exit_thread = pthread_self();
		exeunt__unlock();
		EXEUNT__TRACE("exit(%d) from a callback or hook: "
		    "the shutdown goes on", status);
		exeunt__run_phases();
		return;
	}
	if (exeunt__reg.in_exit || !running) {
		exeunt__unlock();
		return;
	}
	/* This thread's code never runs again, callbacks it is in included. */
	exeunt__leave_callbacks_locked();
	exeunt__reg.in_exit = 1;
	exeunt__reg.exit_status = status;
	exeunt__reg.exit_thread = pthread_self();
	(void)exeunt__arm_park_locked(1);
	exeunt__unlock();
	exeunt__pool_parked();
	exeunt__finish_current();
	exeunt__lock();
	exeunt__await_done_locked();
	exeunt__unlock();
}

/* Run by exit() once a shutdown has begun (or, in a child, once the
 * parent's had): see exeunt__exit_locked(). */
static void
park_handler(int status, void *arg)
{
	(void)arg;
	exeunt__lock();
	if (exeunt__reg.state == EXEUNT__SHUT_NONE) {
		/* Armed by the parent process, before fork(): no shutdown
		 * has begun in this one. */
		exeunt__unlock();
		return;
	}
	exeunt__exit_locked(status);
}

void
exeunt_exit(int status)
{
	int expected = 0;

	if (atomic_compare_exchange_strong(&exit_claimed, &expected, 1)) {
		exeunt__lock();
		exit_claimer = pthread_self();
		exeunt__unlock();
		exit(status);
	}
	/* The claimer itself, from a callback or hook of its shutdown:
	 * a nested exit(), which goes on with the shutdown. */
	exeunt__lock();
	expected = pthread_equal(exit_claimer, pthread_self());
	exeunt__unlock();
	if (expected)
		exit(status);
	EXEUNT__TRACE("exit(%d) from thread %s/%d discarded", status,
	    exeunt__self != NULL ? exeunt__self->name : "unregistered",
	    (int)gettid());
	exeunt__park();
}

/* After fork(): the child has not begun to exit, unless it goes on with
 * the exit() its forking thread was in (keep). */
void
exeunt__exit_reset_child(int keep)
{
	if (!keep)
		atomic_store(&exit_claimed, 0);
}
