/*
 * The coordinator: the shutdown, one object per process, and its phases.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * exeunt__sd holds the whole state of the shutdown and of the exit() that
 * ends the process; only the functions of this file change its state,
 * exit and exit_thread fields, under the library lock.  Two machines, side
 * by side:
 *
 *   state (the phases run once, by the owner, or by the watchdog that took
 *   over from an owner held in a terminate callback):
 *
 *     NONE --begin--> RUNNING --phases done--> DONE
 *             ^                  (TERMINATING and JOINING once per stage,
 *             |                   HOOKS, then DONE in exeunt__reg.phase)
 *             +-- fork() child of the owner, from a callback or a hook:
 *                 NONE, then RUNNING again when that callback returns
 *
 *   exit (which thread ends the process, and where it is):
 *
 *     NONE --exeunt__exit()--> BEFORE --enter--> ENTERING --handler--> IN
 *       |                        |                  |                   ^
 *       |                        +------------------+-- handler in -----+
 *       |                          another thread already inside the
 *       |                          C library's exit(): it goes on instead
 *       +--the library's exit handler, exit() that did not come through
 *          the library-------------------------------------------------+
 *
 * A thread that calls exit() while the exit belongs to another is parked.
 * BEFORE begins the shutdown (or, if exeunt_shutdown() runs it in another
 * thread, waits for it to be done); the exit handler does the same when it
 * meets NONE.  A watchdog that took over the shutdown from an owner held
 * in a callback at BEFORE enters the C library's exit() in its place.
 * The deadline's fields (owner_in_callback, abandon, taken_over,
 * reported) change with the phases: see deadline.c.
 *
 *   step (within RUNNING, where the stages stand):
 *
 *     IDLE --stage begins--> REQUESTS --requests made--> JOIN --+
 *       ^                                                       |
 *       +---------------- stage's threads finished -------------+
 *                          (DONE after the last stage; then the hooks)
 *
 * The phases keep their progress here, not on the stack: the stop requests
 * still to make (the snapshot, by stage), the step of the current stage,
 * the hooks still to run.  So the shutdown can be resumed
 * where it stands, by a nested exit() from a terminate callback or a
 * hook, or by the watchdog when a callback never returns, and every step
 * still runs once.
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

struct exeunt__shutdown exeunt__sd;

static void
set_phase_locked(enum exeunt_phase phase)
{
	atomic_store(&exeunt__reg.phase, phase);
}

/*
 * The snapshot of the threads to stop: every unfinished registered
 * thread, by stage, lowest first, and within a stage newest first.  One
 * bucket per stage, each filled by a walk in creation order.  It holds a
 * reference on each record so that none goes away before its request is
 * made.  The caller holds the lock.
 */
static void
take_snapshot_locked(void)
{
	enum { NSTAGES = EXEUNT_STAGE_MAX - EXEUNT_STAGE_MIN + 1 };
	struct exeunt_thread *first[NSTAGES] = { NULL }, *last[NSTAGES];
	struct exeunt_thread *t, *snap = NULL;
	int i, lo = NSTAGES, hi = -1;

	for (t = exeunt__reg.head; t != NULL; t = t->next) {
		if (t->finished)
			continue;
		t->refs++;
		i = t->stage - EXEUNT_STAGE_MIN;
		lo = i < lo ? i : lo;
		hi = i > hi ? i : hi;
		if (first[i] == NULL)
			last[i] = t;
		t->snap_next = first[i];	/* newest first */
		first[i] = t;
	}
	for (i = hi; i >= lo; i--) {
		if (first[i] == NULL)
			continue;
		last[i]->snap_next = snap;
		snap = first[i];
	}
	exeunt__sd.snap = snap;
	exeunt__sd.multi = hi > lo;
	exeunt__sd.step = EXEUNT__STEP_IDLE;
}

/*
 * Start the shutdown in the calling thread: no registration from now on,
 * and a snapshot of the threads to stop, taken once creations in flight
 * have landed.  The caller holds the lock.
 */
static void
begin_locked(void)
{
	exeunt__sd.state = EXEUNT__SHUT_RUNNING;
	exeunt__sd.owner = pthread_self();
	clock_gettime(CLOCK_MONOTONIC, &exeunt__sd.started);
	set_phase_locked(EXEUNT_TERMINATING);
	while (exeunt__reg.creating > 0)
		exeunt__wait_locked();
	take_snapshot_locked();
	exeunt__deadline_start_locked();
	exeunt__notify_begin_locked();
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
	if (exeunt__sd.state != EXEUNT__SHUT_RUNNING || t == NULL)
		return 0;
	if (by != NULL && !pthread_equal(exeunt__sd.owner, by->pthread))
		return 0;
	return !t->finished && !t->daemon && !exeunt__sd.abandon &&
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
	if (!exeunt__sd.child_resume)
		return 0;
	exeunt__sd.child_resume = 0;
	if (exeunt__sd.state != EXEUNT__SHUT_NONE)
		return 0;
	EXEUNT__TRACE("fork() from a callback or hook: the child shuts "
	    "down its own threads");
	begin_locked();
	return 1;
}

/*
 * The next stage begins: the one of the oldest request still to make (an
 * empty snapshot has one stage, 0, with nothing in it).  From now on a
 * pool of this stage or a lower one takes no job (exeunt__stage_begun).
 * The caller holds the lock.
 */
static void
begin_stage_locked(void)
{
	exeunt__sd.stage = exeunt__sd.snap != NULL ? exeunt__sd.snap->stage : 0;
	exeunt__sd.step = EXEUNT__STEP_REQUESTS;
	atomic_store(&exeunt__reg.shut_stage, exeunt__sd.stage);
	set_phase_locked(EXEUNT_TERMINATING);
	if (exeunt__sd.multi)
		EXEUNT__TRACE("stage %d begins", exeunt__sd.stage);
	EXEUNT__TRACE("terminate phase begins");
}

/* The stage's next stop request to make, or NULL; the caller holds the
 * lock. */
static struct exeunt_thread *
next_request_locked(void)
{
	struct exeunt_thread *t = exeunt__sd.snap;

	if (t == NULL || t->stage != exeunt__sd.stage)
		return NULL;
	exeunt__sd.snap = t->snap_next;
	return t;
}

/*
 * The stage's stop requests are made: count the threads its join waits
 * for, the non-daemon threads of this stage and of lower ones that have
 * not finished, the calling thread excepted.  From now on each of them
 * that finishes counts itself out (exeunt__stage_finish_locked).  The
 * caller holds the lock.
 */
static void
begin_join_locked(void)
{
	const struct exeunt_thread *t, *self = exeunt__self;
	size_t n = 0;

	for (t = exeunt__reg.head; t != NULL; t = t->next)
		n += !t->finished && !t->daemon && t != self &&
		    t->stage <= exeunt__sd.stage;
	exeunt__sd.join_left = n;
	exeunt__sd.join_self = self;
	exeunt__sd.join_counting = 1;
	exeunt__sd.step = EXEUNT__STEP_JOIN;
	EXEUNT__TRACE("terminate phase ends");
	EXEUNT__TRACE("join phase begins");
	set_phase_locked(EXEUNT_JOINING);
}

/*
 * The stop request for t that the calling thread, the owner, makes for
 * the shutdown never returns (exit() from one of t's stop callbacks)
 * before t's terminate callback was called: make it again, first, when
 * the shutdown goes on, so that the callback is called.  The caller holds
 * the lock.
 */
void
exeunt__request_again_locked(struct exeunt_thread *t)
{
	if (exeunt__sd.state != EXEUNT__SHUT_RUNNING ||
	    !pthread_equal(exeunt__sd.owner, pthread_self()) ||
	    exeunt__sd.step != EXEUNT__STEP_REQUESTS ||
	    t->stage != exeunt__sd.stage)
		return;
	t->refs++;
	t->snap_next = exeunt__sd.snap;
	exeunt__sd.snap = t;
}

/* t has finished; the caller holds the lock. */
void
exeunt__stage_finish_locked(const struct exeunt_thread *t)
{
	if (!exeunt__sd.join_counting || t->daemon ||
	    t == exeunt__sd.join_self || t->stage > exeunt__sd.stage ||
	    exeunt__sd.join_left == 0)
		return;
	if (--exeunt__sd.join_left == 0 && exeunt__reg.waiters > 0)
		pthread_cond_broadcast(&exeunt__reg.cond);
}

/*
 * Wait for the threads of the stage's join.  Detached threads count too:
 * this waits on the records.  A passed deadline ends the wait when its
 * action says so.  The caller holds the lock.
 */
static void
join_stage_locked(void)
{
	struct timespec deadline;
	int timed = exeunt__deadline_get(&deadline);

	while (exeunt__sd.join_left > 0 && !exeunt__sd.abandon) {
		if (!timed || exeunt__sd.reported) {
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
	exeunt__sd.join_counting = 0;
	exeunt__sd.step = exeunt__sd.snap != NULL ? EXEUNT__STEP_IDLE :
	    EXEUNT__STEP_DONE;
	EXEUNT__TRACE("join phase ends");
}

/*
 * Run user callbacks without the lock, which the caller holds: the stop
 * request for t (its stop callbacks and terminate callback), or with t
 * NULL the process-wide stop (the stop callbacks of the unregistered
 * threads).  Returns 1, without the lock, if the watchdog took over
 * meanwhile from the owner, the calling thread, and finished the
 * shutdown; else 0 with the lock held again.
 */
static int
in_callbacks_locked(int owner, struct exeunt_thread *t)
{
	if (owner)
		exeunt__sd.owner_in_callback = 1;
	exeunt__unlock();
	if (t != NULL) {
		exeunt__request_stop(t);
		exeunt__release_ref(t);
	} else
		exeunt__stop_process();
	exeunt__lock();
	if (exeunt__resume_in_child_locked())
		return in_callbacks_locked(owner, NULL);
	if (!owner)
		return 0;
	exeunt__sd.owner_in_callback = 0;
	/* The watchdog took over and runs the rest: this thread must not
	 * run a stage, a hook or exit handlers too. */
	if (exeunt__sd.taken_over && exeunt__exiting()) {
		exeunt__unlock();
		exeunt__park();
	}
	if (!exeunt__sd.taken_over)
		return 0;
	exeunt__await_done_locked();
	exeunt__unlock();
	return 1;
}

/*
 * The stages, lowest first: for each, a stop request to each of its
 * threads, newest first, then the wait for its non-daemon threads (and
 * those of lower stages) to finish.  Also run by the watchdog when it
 * takes over; the owner's part then ends as soon as its blocked callback
 * returns: in exit() it parks (the watchdog's exit() goes on), in
 * exeunt_shutdown() it waits until the watchdog is done and returns 1,
 * and does nothing more.
 */
static int
run_stages(void)
{
	int owner = pthread_equal(exeunt__sd.owner, pthread_self());
	struct exeunt_thread *t;

	/* STOPPING=1 before the first stop request, and before a deadline
	 * that has passed as the shutdown begins. */
	EXEUNT__NOTIFY(exeunt__notify_flush());
	exeunt__deadline_begin();
	exeunt__lock();
	if (in_callbacks_locked(owner, NULL))
		return 1;
	while (exeunt__sd.step != EXEUNT__STEP_DONE) {
		if (exeunt__sd.step == EXEUNT__STEP_IDLE)
			begin_stage_locked();
		if (exeunt__sd.step == EXEUNT__STEP_JOIN) {
			join_stage_locked();
			continue;
		}
		if ((t = next_request_locked()) == NULL) {
			begin_join_locked();
			continue;
		}
		if (in_callbacks_locked(owner, t))
			return 1;
	}
	/* A deadline report that began before the last thread finished is
	 * written before the hooks run and the process ends. */
	while (exeunt__sd.reporting)
		exeunt__wait_locked();
	if (atomic_load(&exeunt__reg.phase) < EXEUNT_HOOKS) {
		EXEUNT__TRACE("hooks begin");
		atomic_store(&exeunt__reg.shut_stage, INT_MAX);
		set_phase_locked(EXEUNT_HOOKS);
		pthread_cond_broadcast(&exeunt__reg.cond);	/* watchdog */
		EXEUNT__NOTIFY(exeunt__notify_joins_end_locked());
	}
	exeunt__unlock();
	EXEUNT__NOTIFY(exeunt__notify_flush());
	return 0;
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
		if (run_stages())
			return;		/* the watchdog finished it */
		/* It returns with the lock held: once it found no hook left,
		 * no hook can be accepted until the shutdown is done. */
		if (exeunt__run_hooks() == 0)
			break;
		exeunt__unlock();	/* a fork child's own shutdown */
	}

	set_phase_locked(EXEUNT_DONE);
	exeunt__sd.state = EXEUNT__SHUT_DONE;
	if (!exeunt__sd.done_traced) {
		exeunt__sd.done_traced = 1;
		EXEUNT__TRACE("hooks end");
	}
	pthread_cond_broadcast(&exeunt__reg.cond);
	exeunt__unlock();
}

/* Wait until the running shutdown is done; the caller holds the lock. */
void
exeunt__await_done_locked(void)
{
	while (exeunt__sd.state != EXEUNT__SHUT_DONE)
		exeunt__wait_locked();
}

/* The shutdown, once; the caller's cancellation is disabled. */
static int
shutdown_once(void)
{
	struct exeunt_thread *self = exeunt__self;

	exeunt__lock();
	if (exeunt__sd.state == EXEUNT__SHUT_RUNNING) {
		/* From a callback or hook of this very shutdown. */
		if (pthread_equal(exeunt__sd.owner, pthread_self())) {
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
	if (exeunt__sd.state == EXEUNT__SHUT_DONE) {
		exeunt__unlock();
		return 0;
	}
	begin_locked();
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

int
exeunt_shutdown_stage(int *stage)
{
	int err = ESRCH;

	if (stage == NULL)
		return EINVAL;
	exeunt__lock();
	if (exeunt__sd.state == EXEUNT__SHUT_RUNNING &&
	    atomic_load(&exeunt__reg.phase) < EXEUNT_HOOKS &&
	    atomic_load(&exeunt__reg.shut_stage) != INT_MIN) {
		*stage = exeunt__sd.stage;
		err = 0;
	}
	exeunt__unlock();
	return err;
}

/*
 * 1 once the shutdown has begun the given stage, or a later one, and
 * until a fork() child begins anew: a pool of that stage takes no job
 * then.  Without the lock, which a pool may not take under its own.
 */
int
exeunt__stage_begun(int stage)
{
	return atomic_load(&exeunt__reg.phase) != EXEUNT_RUNNING &&
	    atomic_load(&exeunt__reg.shut_stage) >= stage;
}

/*
 * The calling thread's exit() is the first: it owns the exit, at stage
 * (BEFORE or IN), with this status.  The library's exit handler is
 * registered once more: where the C library lets a second thread's exit()
 * run the handlers (glibc before 2.41), that thread runs it first.  The
 * caller holds the lock.
 */
void
exeunt__claim_exit_locked(int stage, int status, int known)
{
	if (exeunt__sd.exit == EXEUNT__EXIT_NONE &&
	    exeunt__reg.coordinator_armed)
		(void)exeunt__arm_exit_handler();
	exeunt__sd.exit = stage;
	exeunt__sd.exit_thread = pthread_self();
	exeunt__sd.status = status;
	exeunt__sd.status_known = known;
}

/*
 * The calling thread owns the exit: run the shutdown, or what is left of
 * it, before its exit() goes on.  With none begun and the library in use,
 * it begins here.  If exeunt_shutdown() runs it in another thread, this
 * thread counts as finished and waits until it is done.  The caller holds
 * the lock; it is held again on return.
 */
void
exeunt__shutdown_for_exit_locked(void)
{
	/* From a destroy function: its thread never finishes its record. */
	exeunt__finish_destroying_locked();
	if (exeunt__sd.state == EXEUNT__SHUT_NONE) {
		if (!exeunt__reg.coordinator_armed)
			return;		/* the library was never used */
		/* A callback this thread is in (exeunt_thread_request_stop()
		 * called it) never returns: its thread must not wait for
		 * it. */
		exeunt__leave_callbacks_locked();
		begin_locked();
		exeunt__unlock();
		exeunt__run_phases();
		exeunt__lock();
		return;
	}
	if (exeunt__sd.state != EXEUNT__SHUT_RUNNING)
		return;
	/* This thread's code never runs again, callbacks it is in
	 * included. */
	exeunt__leave_callbacks_locked();
	if (pthread_equal(exeunt__sd.owner, pthread_self())) {
		/* exit() from a callback or hook of exeunt_shutdown(). */
		exeunt__unlock();
		exeunt__run_phases();
		exeunt__lock();
		return;
	}
	exeunt__unlock();
	exeunt__pool_parked();
	exeunt__finish_current();
	exeunt__lock();
	exeunt__await_done_locked();
}

/* exit() called again by the owner of the exit, from a callback, a hook
 * or an exit handler: the process ends with this status.  The caller holds
 * the lock. */
void
exeunt__exit_again_locked(int status)
{
	exeunt__sd.status = status;
	exeunt__sd.status_known = 1;
}

/* The library's exit handler runs in the owner of the exit: it is inside
 * the C library's exit() now.  The caller holds the lock. */
void
exeunt__exit_inside_locked(void)
{
	exeunt__sd.exit = EXEUNT__EXIT_IN;
}

/*
 * The owner of the exit is about to call the C library's exit(): 1 if it
 * still owns it, 0 if a thread inside the C library's exit() has taken it
 * (the caller must then park).  The caller holds the lock.
 */
int
exeunt__enter_exit_locked(void)
{
	if (!pthread_equal(exeunt__sd.exit_thread, pthread_self()))
		return 0;
	if (exeunt__sd.exit == EXEUNT__EXIT_BEFORE)
		exeunt__sd.exit = EXEUNT__EXIT_ENTERING;
	return 1;
}

/* 1 in the watchdog once it has taken over the shutdown. */
static _Thread_local int taking_over;

/*
 * The watchdog goes on with the shutdown in place of its owner, held in a
 * terminate callback; the caller, the watchdog, holds the lock.  When the
 * owner's callback returns, it parks if it was ending the process, and
 * otherwise (exeunt_shutdown()) waits until the shutdown is done.
 */
void
exeunt__take_over_locked(void)
{
	exeunt__sd.taken_over = 1;
	taking_over = 1;
}

/* 1 in the watchdog that took over the shutdown. */
int
exeunt__taking_over(void)
{
	return taking_over;
}

/*
 * The watchdog has finished a shutdown that it took over.  If the owner,
 * still held in a terminate callback, was ending the process, end it here:
 * - BEFORE: the owner has not called the C library's exit() yet: call it
 *   here, so that the exit handlers, the destructors of static objects
 *   and the flush of stdio all run;
 * - IN: the C library's exit() is under way in the owner, and on glibc
 *   2.41 and later and on musl holds a lock that no other thread's exit()
 *   gets past: flush stdio and end the process here with the status
 *   (EXEUNT_EXIT_TIMEOUT if the handler did not learn it), or by the
 *   trapped signal that started it.
 * Otherwise (exeunt_shutdown(), or another thread ends the process)
 * return.  With exiting, a callback or hook that the watchdog ran called
 * exit(status): the process ends with that status, here, unless another
 * thread owns the exit (this one then parks).
 */
void
exeunt__end_taken_over(int exiting, int status)
{
	exeunt__lock();
	if (exiting && exeunt__sd.exit == EXEUNT__EXIT_NONE)
		exeunt__claim_exit_locked(EXEUNT__EXIT_BEFORE, status, 1);
	else if (exeunt__sd.exit == EXEUNT__EXIT_NONE ||
	    !pthread_equal(exeunt__sd.exit_thread, exeunt__sd.owner)) {
		exeunt__unlock();
		if (exiting)
			exeunt__park();
		return;
	} else if (exiting)
		exeunt__exit_again_locked(status);
	status = exeunt__sd.status_known ? exeunt__sd.status :
	    EXEUNT_EXIT_TIMEOUT;
	/* The shutdown is over: an exit() from an exit handler is a nested
	 * exit() of this thread's, no longer the watchdog's. */
	taking_over = 0;
	if (exeunt__sd.exit == EXEUNT__EXIT_BEFORE) {
		exeunt__sd.exit_thread = pthread_self();
		exeunt__sd.exit = EXEUNT__EXIT_ENTERING;
		exeunt__unlock();
		exeunt__libc_exit(status);
	}
	exeunt__unlock();
	exeunt__end_process(status);
}

/* After fork(), with the lock held: the child has begun no shutdown, but
 * resumes its forking thread's (resume) when its callback or hook returns,
 * and goes on with that thread's exit() if there was one. */
void
exeunt__shutdown_reset_child(int resume)
{
	/* References held by a shutdown's snapshot in the parent. */
	struct exeunt_thread *t, *next;

	for (t = exeunt__sd.snap; t != NULL; t = next) {
		next = t->snap_next;
		t->refs--;
	}
	exeunt__sd.snap = NULL;
	exeunt__sd.state = EXEUNT__SHUT_NONE;
	exeunt__sd.step = EXEUNT__STEP_IDLE;
	exeunt__sd.join_counting = 0;
	atomic_store(&exeunt__reg.shut_stage, INT_MIN);
	atomic_store(&exeunt__reg.phase, EXEUNT_RUNNING);
	exeunt__sd.child_resume = resume;
	/* Forked by the watchdog that took over: in the child, its thread
	 * owns the shutdown it resumes, and the exit the owner was in. */
	if (resume && taking_over) {
		exeunt__sd.exit_thread = pthread_self();
		taking_over = 0;
	}
	/* The exit of the forking thread goes on only in a child that
	 * resumes; elsewhere the child's exit() is its own. */
	if (!resume || !pthread_equal(exeunt__sd.exit_thread, pthread_self()))
		exeunt__sd.exit = EXEUNT__EXIT_NONE;
	exeunt__sd.owner_in_callback = 0;
	exeunt__sd.abandon = 0;
	exeunt__sd.taken_over = 0;
	exeunt__sd.reported = 0;
	exeunt__sd.reporting = 0;
	exeunt__sd.done_traced = 0;
}
