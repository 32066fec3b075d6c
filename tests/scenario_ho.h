/*
 * Helpers of the scenario_ho_* programs (the hostile suite) that the
 * other scenarios do not need: reaping a forked child within a deadline.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#ifndef EXEUNT_SCENARIO_HO_H
#define EXEUNT_SCENARIO_HO_H

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "scenario.h"

/*
 * Waits up to ms (scaled) for the child pid, so that a scenario can say
 * which child hung before the test kills the scenario itself; 1 if it
 * ended, else 0, with the child killed and reaped.
 */
static inline int
ho_reap(pid_t pid, long ms, int *status)
{
	struct timespec d = sc_deadline_ms(ms);
	pid_t w;

	while ((w = waitpid(pid, status, WNOHANG)) == 0) {
		if (sc_passed(&d)) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			return 0;
		}
		sc_pause();
	}
	return w == pid;
}

#endif /* EXEUNT_SCENARIO_HO_H */
