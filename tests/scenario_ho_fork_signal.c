/*
 * With SIGTERM trapped, a SIGTERM sent to a child the moment fork()
 * returns is the child's: the child dies by it, and the parent, whose
 * signal pipe the child inherited, does not begin a shutdown.  20
 * registered threads make the child's fork handler long enough for the
 * signal to land while it runs; 100 children (fewer under the tools,
 * which scale the timeouts: the first child already fails without the
 * fix).  The parent says whether all died by SIGTERM, then its phase,
 * and exits 0.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <sys/prctl.h>

#define THREADS 20
#define CHILDREN 100

static void *
waiter(void *arg)
{
	(void)arg;
	exeunt_wait_stop(NULL);
	return NULL;
}

/*
 * The child: only the signal may end it (pause() returns after each
 * handler).  It holds neither the test's pipes nor, should the signal
 * have been lost, its life beyond the parent's.
 */
static void
await_sigterm(pid_t parent)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
	    dup2(fd, STDERR_FILENO) < 0)
		_exit(100);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(100);
	for (;;)
		pause();
}

int
main(void)
{
	int children = (int)(CHILDREN / sc_scale()), i, status = 0;
	pid_t parent = getpid(), pid;

	sc_check("exeunt_trap_signal", exeunt_trap_signal(SIGTERM));
	for (i = 0; i < THREADS; i++)
		sc_start(0, NULL, NULL, waiter, NULL);
	if (children < 10)
		children = 10;
	for (i = 0; i < children && exeunt_phase() == EXEUNT_RUNNING; i++) {
		pid = fork();
		if (pid < 0) {
			say("fork: %s\n", strerror(errno));
			break;
		}
		if (pid == 0)
			await_sigterm(parent);
		kill(pid, SIGTERM);
		/* It dies in milliseconds, or it lost the signal. */
		if (!sc_reap(pid, 2000, &status)) {
			say("child %d hung\n", i);
			break;
		}
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGTERM) {
			say("child %d: wait status %#x\n", i, status);
			break;
		}
	}
	if (i == children)
		say("all children died by SIGTERM\n");
	say("phase %s\n", phasename(exeunt_phase()));
	exit(0);
}
