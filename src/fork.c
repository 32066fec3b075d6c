/*
 * fork(): the fork handlers.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * The registry's lock is held across fork(), so the child never inherits
 * it held by a thread that does not exist there, and so are the trapped
 * signals blocked in the forking thread, so that a signal sent to the new
 * child before its handler has its own pipe is not passed to the parent.
 * In the child the registry keeps only the forking thread; every other
 * thread belongs to the parent and counts as finished.  The child has not
 * begun to shut down, whatever the parent was doing; if its forking
 * thread was running the parent's shutdown (fork() from a terminate
 * callback or a hook), the child begins a shutdown of its own when that
 * callback or hook returns.
 */
#include "internal.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

/* Bumped in every child: a pool made before fork() has no workers. */
int exeunt__fork_generation;

static void
prepare(void)
{
	exeunt__lock();
	exeunt__signal_fork_prepare();
}

static void
parent(void)
{
	exeunt__signal_fork_done();
	exeunt__unlock();
}

static void
child(void)
{
	struct exeunt_thread *self = exeunt__self, *t, *next;
	/* fork() from a destroy function: that record ends in the child
	 * too, when the function returns. */
	struct exeunt_thread *ending = exeunt__destroying();
	int resume = exeunt__sd.state == EXEUNT__SHUT_RUNNING &&
	    (pthread_equal(exeunt__sd.owner, pthread_self()) ||
	    exeunt__taking_over());
	int in_libc = exeunt__sd.exit == EXEUNT__EXIT_IN;

	exeunt__fork_generation++;

	exeunt__shutdown_reset_child(resume);
	exeunt__reg.live = exeunt__reg.live_nondaemon = 0;
	for (t = exeunt__reg.head; t != NULL; t = next) {
		next = t->next;
		if (t == self || t == ending) {
			exeunt__stop_callbacks_reset_child(&t->cbs, 1);
			atomic_store(&t->stop, 0);
			t->term_state = EXEUNT__TERM_NONE;
			t->stop_fd = exeunt__renew_fd(t->stop_fd);
			t->tid = gettid();
			if (!t->finished) {
				exeunt__reg.live++;
				exeunt__reg.live_nondaemon += !t->daemon;
			}
			continue;
		}
		/* A parent's thread: its own reference goes with it. */
		t->forked_away = 1;
		exeunt__stop_callbacks_reset_child(&t->cbs, 0);
		if (t->stop_fd >= 0) {
			close(t->stop_fd);
			t->stop_fd = -1;
		}
		if (!t->finished) {
			t->finished = 1;
			t->refs--;
		}
		if (t->refs <= 0) {
			t->refs = 1;
			if (exeunt__unref_locked(t))
				exeunt__free(t);
		}
	}

	exeunt__reg.creating = 0;
	exeunt__reg.waiters = 0;
	atomic_store(&exeunt__reg.stopping, 0);
	exeunt__stop_callbacks_reset_child(&exeunt__reg.cbs, 1);
	exeunt__reg.stop_fd = exeunt__renew_fd(exeunt__reg.stop_fd);
	/* Forked while the parent's exit() was inside the C library's: it
	 * has taken the library's handler off its list already, so arm it
	 * again for the child's own exit(). */
	if (in_libc) {
		exeunt__reg.coordinator_armed = 0;
		(void)exeunt__arm_locked();
	}
	exeunt__deadline_reset_child();
	exeunt__notify_reset_child();
	exeunt__signal_reset_child();
	exeunt__stacks_reset_child();
	exeunt__report_reset_child();
	/* Nobody waits on it here; waiters of the parent do not exist. */
	exeunt__cond_init(&exeunt__reg.cond);
	exeunt__signal_fork_done();
	exeunt__unlock();
}

void
exeunt__fork_init(void)
{
	(void)pthread_atfork(prepare, parent, child);
}
