/*
 * The coordinator: the shutdown's phases, run once per process, by
 * exeunt_shutdown() or by the atexit() handler that the first
 * registration arms.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "internal.h"

#include <errno.h>

static void
set_phase_locked(enum exeunt_phase phase)
{
	atomic_store(&exeunt__reg.phase, phase);
}

/* Wait on the registry's condition variable; the caller holds the lock. */
static void
wait_locked(void)
{
	exeunt__reg.waiters++;
	pthread_cond_wait(&exeunt__reg.cond, &exeunt__reg.lock);
	exeunt__reg.waiters--;
}

/*
 * Phase 1: a stop request to every unfinished registered thread, newest
 * first.  No thread can be registered any more, so a snapshot taken once
 * creations in flight have landed is complete; it holds a reference on
 * each record so that none goes away while its callback runs.
 */
static void
terminate_phase(void)
{
	struct exeunt_thread *t, *next, *snap = NULL;

	exeunt__stop_process();
	exeunt__lock();
	while (exeunt__reg.creating > 0)
		wait_locked();
	for (t = exeunt__reg.head; t != NULL; t = t->next) {
		if (t->finished)
			continue;
		t->refs++;
		t->snap_next = snap;	/* head-first walk: snap is newest first */
		snap = t;
	}
	exeunt__unlock();

	for (t = snap; t != NULL; t = next) {
		next = t->snap_next;
		exeunt__request_stop(t);
		exeunt__release_ref(t);
	}
}

/*
 * Phase 2: wait for every non-daemon registered thread but the calling
 * one.  Detached threads count too: this waits on the records.
 */
static void
join_phase(void)
{
	struct exeunt_thread *self = exeunt__self;

	exeunt__lock();
	set_phase_locked(EXEUNT_JOINING);
	for (;;) {
		size_t mine = self != NULL && !self->finished && !self->daemon;

		if (exeunt__reg.live_nondaemon <= mine)
			break;
		wait_locked();
	}
	set_phase_locked(EXEUNT_HOOKS);
	exeunt__unlock();
}

int
exeunt_shutdown(void)
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
		if (self != NULL && !self->finished && !self->daemon &&
		    atomic_load(&exeunt__reg.phase) < EXEUNT_HOOKS) {
			exeunt__unlock();
			return EDEADLK;
		}
		while (exeunt__reg.state != EXEUNT__SHUT_DONE)
			wait_locked();
	}
	if (exeunt__reg.state == EXEUNT__SHUT_DONE) {
		exeunt__unlock();
		return 0;
	}
	exeunt__reg.state = EXEUNT__SHUT_RUNNING;
	exeunt__reg.owner = pthread_self();
	set_phase_locked(EXEUNT_TERMINATING);
	exeunt__unlock();

	terminate_phase();
	join_phase();
	exeunt__run_hooks();

	exeunt__lock();
	set_phase_locked(EXEUNT_DONE);
	exeunt__reg.state = EXEUNT__SHUT_DONE;
	pthread_cond_broadcast(&exeunt__reg.cond);
	exeunt__unlock();
	return 0;
}

enum exeunt_phase
exeunt_phase(void)
{
	return (enum exeunt_phase)atomic_load(&exeunt__reg.phase);
}

/* The atexit() handler: exit() runs the same phases, once. */
void
exeunt__coordinator(void)
{
	(void)exeunt_shutdown();
}
