/*
 * fork() from a hook that the watchdog runs after taking over a shutdown.
 * main calls exit(3) with a 100 ms deadline, PROCEED; the worker's
 * terminate callback never returns, so the watchdog takes over and runs
 * hook 2, which forks.  The child returns from the hook, and so begins a
 * shutdown of its own: with argv[1] "thread" it first starts a registered
 * non-daemon thread, which that shutdown must stop and join.  Then the
 * child runs hook 1, the hook still to run, and ends with the status of
 * the exit() it was forked in, 3.  The parent waits for the child, up to
 * three seconds (scaled), says how it ended, runs hook 1 and ends with 3.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static const struct timespec limit = { 0, 100000000L };
static int with_thread;
static pid_t parent;

static void *
child_worker(void *arg)
{
	(void)arg;
	exeunt_wait_stop(NULL);
	say("child thread stops\n");
	return NULL;
}

static void
hook_where(void *arg)
{
	(void)arg;
	say("hook 1 in %s\n", getpid() == parent ? "parent" : "child");
}

static void
hook_fork(void *arg)
{
	pid_t pid;
	int status;

	(void)arg;
	pid = fork();
	if (pid < 0) {
		say("fork failed\n");
		return;
	}
	if (pid == 0) {
		if (with_thread) {
			sc_start(0, NULL, NULL, child_worker, NULL);
			say("child started a thread\n");
		}
		return;
	}
	if (!sc_reap(pid, 3000, &status))
		say("child hangs, killed\n");
	else if (WIFEXITED(status))
		say("child status %d\n", WEXITSTATUS(status));
	else
		say("child signal %d\n", WTERMSIG(status));
}

int
main(int argc, char **argv)
{
	with_thread = argc > 1 && strcmp(argv[1], "thread") == 0;
	parent = getpid();
	sc_check("exeunt_set_timeout", exeunt_set_timeout(&limit,
	    EXEUNT_OVERRUN_PROCEED));
	sc_check("exeunt_atexit", exeunt_atexit(hook_where, NULL));
	sc_check("exeunt_atexit", exeunt_atexit(hook_fork, NULL));
	sc_start(0, sc_terminate_blocks, NULL, sc_until_stopped, NULL);
	say("main calls exit(3)\n");
	exit(3);
}
