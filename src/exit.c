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

/* Block forever; signal handlers still run in this thread. */
void
exeunt__park(void)
{
	sigset_t none;

	exeunt__finish_current();
	sigemptyset(&none);
	for (;;)
		sigsuspend(&none);
}

static void park_handler(int status, void *arg);

/*
 * Arm the park handler; the caller holds the lock.  Claims the exit for
 * the calling thread, if no exeunt_exit() has, so that later
 * exeunt_exit() callers park at once.
 */
int
exeunt__arm_park_locked(void)
{
	int expected = 0;

	if (atomic_compare_exchange_strong(&exit_claimed, &expected, 1))
		exit_claimer = pthread_self();
	return on_exit(park_handler, NULL);
}

/*
 * Run by exit() after the coordinator has started.  In the thread whose
 * exit() goes on it is a nested exit() (from a callback or a hook): the
 * shutdown goes on from where it stands.  Any other thread is parked;
 * before it parks it arms the handler again for the next one.
 */
static void
park_handler(int status, void *arg)
{
	struct exeunt_thread *self = exeunt__self;
	int mine;

	(void)arg;
	exeunt__lock();
	if (!exeunt__reg.in_exit) {
		/* Armed by an exit() of the parent process, before fork():
		 * no exit is going on in this one. */
		exeunt__unlock();
		return;
	}
	mine = pthread_equal(exeunt__reg.exit_thread, pthread_self());
	if (mine) {
		if (exeunt__reg.state == EXEUNT__SHUT_RUNNING &&
		    pthread_equal(exeunt__reg.owner, pthread_self())) {
			exeunt__reg.exit_status = status;
			exeunt__unlock();
			EXEUNT__TRACE("exit(%d) from a callback or hook: "
			    "the shutdown goes on", status);
			exeunt__run_phases();
			return;
		}
		exeunt__unlock();
		return;
	}
	(void)on_exit(park_handler, NULL);
	exeunt__unlock();
	EXEUNT__TRACE("exit(%d) from thread %s/%d discarded", status,
	    self != NULL ? self->name : "unregistered", (int)gettid());
	exeunt__park();
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

/* After fork(): the child has not begun to exit. */
void
exeunt__exit_reset_child(void)
{
	atomic_store(&exit_claimed, 0);
}
