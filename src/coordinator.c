/*
 * The coordinator: the shutdown's phases, run once per process, by
 * exeunt_shutdown() or by the on_exit() handler that the first
 * registration arms.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * The phases keep their progress in the registry, not on the stack: the
 * stop requests still to make, the hooks still to run.  So the shutdown
 * can be resumed where it stands, by a nested exit() from a terminate
 * callback or a hook, or by the watchdog when a callback never returns,
 * and every step still runs once.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static void
set_phase_locked(enum exeunt_phase phase)
{
	atomic_store(&exeunt__reg.phase, phase);
}

/*
 * Start the shutdown in the calling thread: no registration from now on,
 * and a snapshot of the threads to stop, taken once creations in flight
 * have landed.  The snapshot holds a reference on each record so that
 * none goes away before its request is made.  The caller holds the lock.
 */
static void
begin_locked(void)
{
	struct exeunt_thread *t, *snap = NULL;

	exeunt__reg.state = EXEUNT__SHUT_RUNNING;
	exeunt__reg.owner = pthread_self();
	clock_gettime(CLOCK_MONOTONIC, &exeunt__reg.started);
	set_phase_locked(EXEUNT_TERMINATING);
	EXEUNT__TRACE("terminate phase begins");
	while (exeunt__reg.creating > 0)
		exeunt__wait_locked();
	for (t = exeunt__reg.head; t != NULL; t = t->next) {
		if (t->finished)
			continue;
		t->refs++;
		t->snap_next = snap;	/* head-first walk: snap is newest first */
		snap = t;
	}
	exeunt__reg.snap = snap;
	exeunt__deadline_start_locked();
	/* Joiners check whether the shutdown now waits for them. */
	pthread_cond_broadcast(&exeunt__reg.cond);
}

/*
 * 1 if a running shutdown will wait for t (a registered thread that has
 * not finished and is not a daemon), and, if by is not NULL, that
 * shutdown is run by by's thread.  The caller holds the lock.
 */
int
exeunt__shutdown_waits_for_locked(const struct exeunt_thread *by,
    const struct exeunt_thread *t)
{
	if (exeunt__reg.state != EXEUNT__SHUT_RUNNING || t == NULL)
		return 0;
	if (by != NULL && !pthread_equal(exeunt__reg.owner, by->pthread))
		return 0;
	return !t->finished && !t->daemon && !exeunt__reg.abandon &&
	    atomic_load(&exeunt__reg.phase) < EXEUNT_HOOKS;
}

/*
 * A child forked by a terminate callback or a hook of the shutdown that
 * its forking thread ran is back in that shutdown's code: if it has not
 * begun one of its own meanwhile, it begins it now, so that its own
 * threads are stopped and joined before the hooks left run.  Returns 1 if
 * it did.  The caller holds the lock.
 */
int
exeunt__resume_in_child_locked(void)
{
	if (!exeunt__reg.child_resume)
		return 0;
	exeunt__reg.child_resume = 0;
	if (exeunt__reg.state != EXEUNT__SHUT_NONE)
		return 0;
	EXEUNT__TRACE("fork() from a callback or hook: the child shuts "
	    "down its own threads");
	begin_locked();
	return 1;
}

/* The next stop request to make, or NULL; the caller holds the lock. */
static struct exeunt_thread *
next_request_locked(void)
{
	struct exeunt_thread *t = exeunt__reg.snap;

	if (t != NULL)
		exeunt__reg.snap = t->snap_next;
	return t;
}

/*
 * Phase 1: a stop request to every unfinished registered thread, newest
 * first.  Also run by the watchdog when it takes over; the owner's part
 * then ends as soon as its blocked callback returns: in exit() it parks
 * (the watchdog's exit() goes on), in exeunt_shutdown() it waits until
 * the watchdog is done and returns 1, and does nothing more.
 */
static int
terminate_phase(void)
{
	int owner = pthread_equal(exeunt__reg.owner, pthread_self());
	struct exeunt_thread *t;

	exeunt__deadline_begin();
	exeunt__stop_process();
	exeunt__lock();
	while ((t = next_request_locked()) != NULL) {
		if (owner)
			exeunt__reg.owner_in_callback = 1;
		exeunt__unlock();
		exeunt__request_stop(t);
		exeunt__release_ref(t);
		exeunt__lock();
		if (exeunt__resume_in_child_locked()) {
			exeunt__unlock();
			exeunt__stop_process();
			exeunt__lock();
			continue;
		}
		if (owner) {
			exeunt__reg.owner_in_callback = 0;
			/* The watchdog took over and runs the rest: this
			 * thread must not run a phase, a hook or exit
			 * handlers too. */
			if (exeunt__reg.taken_over && exeunt__reg.in_exit) {
				exeunt__unlock();
				exeunt__park();
			}
			if (exeunt__reg.taken_over) {
				exeunt__await_done_locked();
				exeunt__unlock();
				return 1;
			}
		}
	}
	exeunt__unlock();
	return 0;
}

/*
 * Phase 2: wait for every non-daemon registered thread but the calling
 * one.  Detached threads count too: this waits on the records.  A passed
 * deadline ends the wait when its action says so.
 */
static void
join_phase(void)
{
	struct exeunt_thread *self = exeunt__self;
	struct timespec deadline;
	int timed;

	exeunt__lock();
	if (atomic_load(&exeunt__reg.phase) < EXEUNT_JOINING) {
		EXEUNT__TRACE("terminate phase ends");
		EXEUNT__TRACE("join phase begins");
		set_phase_locked(EXEUNT_JOINING);
	}
	timed = exeunt__deadline_get(&deadline);
	for (;;) {
		size_t mine = self != NULL && !self->finished && !self->daemon;

		if (exeunt__reg.live_nondaemon <= mine || exeunt__reg.abandon)
			break;
		if (!timed || exeunt__reg.reported) {
			exeunt__wait_locked();
			continue;
		}
		exeunt__reg.waiters++;
		if (exeunt__cond_wait_until(&exeunt__reg.cond,
		    &exeunt__reg.lock, &deadline) == ETIMEDOUT) {
			/* No watchdog made the report: make it here. */
			exeunt__reg.waiters--;
			exeunt__unlock();
			exeunt__overrun();
			exeunt__lock();
			continue;
		}
		exeunt__reg.waiters--;
	}
	/* The deadline passed and its report's thread is ending the process
	 * (EXIT, ABORT): wait for it rather than race it to the end. */
	if (exeunt__deadline_ending_locked()) {
		exeunt__unlock();
		for (;;)
			pause();
	}
	if (atomic_load(&exeunt__reg.phase) < EXEUNT_HOOKS) {
		EXEUNT__TRACE("join phase ends");
		EXEUNT__TRACE("hooks begin");
		set_phase_locked(EXEUNT_HOOKS);
		pthread_cond_broadcast(&exeunt__reg.cond);	/* watchdog */
	}
	exeunt__unlock();
}

/*
 * Run what is left of the shutdown that the calling thread owns or has
 * taken over, then mark it done.  Each step takes its work from the
 * registry, so a second caller only finishes what the first left.
 */
void
exeunt__run_phases(void)
{
	for (;;) {
		if (terminate_phase())
			return;		/* the watchdog finished it */
		join_phase();
		/* It returns with the lock held: once it found no hook left,
		 * no hook can be accepted until the shutdown is done. */
		if (exeunt__run_hooks() == 0)
			break;
		exeunt__unlock();	/* a fork child's own shutdown */
	}

	set_phase_locked(EXEUNT_DONE);
	exeunt__reg.state = EXEUNT__SHUT_DONE;
	if (!exeunt__reg.done_traced) {
		exeunt__reg.done_traced = 1;
		EXEUNT__TRACE("hooks end");
	}
	pthread_cond_broadcast(&exeunt__reg.cond);
	exeunt__unlock();
}

/* Wait until the running shutdown is done; the caller holds the lock. */
void
exeunt__await_done_locked(void)
{
	while (exeunt__reg.state != EXEUNT__SHUT_DONE)
		exeunt__wait_locked();
}

/* The shutdown, once; the caller's cancellation is disabled. */
static int
shutdown_once(void)
{
	struct exeunt_thread *self = exeunt__self;

	exeunt__lock();
	if (exeunt__reg.state == EXEUNT__SHUT_RUNNING) {
		/* From a callback or hook of this very shutdown. */
		if (pthread_equal(exeunt__reg.owner, pthread_self())) {
			exeunt__unlock();
			return EDEADLK;
		}
		/* The running shutdown would wait for the caller, and the
		 * caller for it. */
		if (exeunt__shutdown_waits_for_locked(NULL, self)) {
			exeunt__unlock();
			return EDEADLK;
		}
		exeunt__await_done_locked();
	}
	if (exeunt__reg.state == EXEUNT__SHUT_DONE) {
		exeunt__unlock();
		return 0;
	}
	begin_locked();
	/* An exit() in another thread from now on waits for this shutdown
	 * (the park handler runs before the coordinator). */
	(void)exeunt__arm_park_locked(0);
	exeunt__unlock();
	exeunt__run_phases();
	return 0;
}

/* Not a cancellation point: a thread cancelled in a callback or hook, or
 * while it waits for another thread's shutdown, would leave the shutdown
 * half done. */
int
exeunt_shutdown(void)
{
	int cancel, err;

	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	err = shutdown_once();
	(void)pthread_setcancelstate(cancel, NULL);
	return err;
}

enum exeunt_phase
exeunt_phase(void)
{
	return (enum exeunt_phase)atomic_load(&exeunt__reg.phase);
}

/*
 * The on_exit() handler: exit() runs the same phases, once.  With no
 * shutdown yet, this thread runs it, and first arms the park handler,
 * which glibc runs next in any other thread that calls exit().  Otherwise
 * exeunt__exit_locked() says what this exit() does.
 */
void
exeunt__coordinator(int status, void *arg)
{
	(void)arg;
	/* exit() does not return: nothing to restore. */
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	exeunt__lock();
	if (exeunt__reg.state != EXEUNT__SHUT_NONE) {
		exeunt__exit_locked(status);
		return;
	}
	exeunt__reg.in_exit = 1;
	exeunt__reg.exit_status = status;
	exeunt__reg.exit_thread = pthread_self();
	(void)exeunt__arm_park_locked(1);
	begin_locked();
	exeunt__unlock();
	exeunt__run_phases();
}
