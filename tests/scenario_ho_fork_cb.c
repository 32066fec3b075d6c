/*
 * fork() from a terminate callback while main's exit(3) runs the
 * shutdown.  The child starts at phase RUNNING and creates a non-daemon
 * thread C there; when the callback returns in the child, the child runs
 * a shutdown of its own: C is asked to stop and joined, the hook (not yet
 * run when the parent forked) runs, and the child ends with 3, the status
 * of the exit() it was forked in.  The parent's callback reaps the child
 * and says how it ended; the parent then ends with 3 too.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static pid_t parent_pid;

static void
hook_where(void *arg)
{
	(void)arg;
	say("hook in the %s\n", getpid() == parent_pid ? "parent" : "child");
}

static void *
child_thread(void *arg)
{
	(void)arg;
	exeunt_wait_stop(NULL);
	say("child thread stopped\n");
	return NULL;
}

static void *
t_main(void *arg)
{
	(void)arg;
	exeunt_wait_stop(NULL);
	return NULL;
}

static void
terminate_fork(exeunt_thread_t *t, void *arg)
{
	int status;
	pid_t pid;

	(void)t;
	(void)arg;
	pid = fork();
	if (pid < 0) {
		say("fork: %s\n", strerror(errno));
		return;
	}
	if (pid == 0) {
		say("child at phase %s\n", phasename(exeunt_phase()));
		sc_start(0, NULL, NULL, child_thread, NULL);
		return;		/* the child's own shutdown follows */
	}
	if (!sc_reap(pid, SC_DEADLINE_MS / 2, &status))
		say("the child hung\n");
	else if (WIFEXITED(status))
		say("child exited %d\n", WEXITSTATUS(status));
	else
		say("child wait status %#x\n", status);
}

int
main(void)
{
	parent_pid = getpid();
	sc_check("exeunt_atexit", exeunt_atexit(hook_where, NULL));
	sc_start_named("T", 0, terminate_fork, NULL, t_main, NULL);
	say("main exits\n");
	exit(3);
}
