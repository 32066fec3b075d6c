/*
 * One deadline across stages, with EXEUNT_TIMEOUT and
 * EXEUNT_ON_TIMEOUT=proceed from the test: seq 1 "stuck", stage 2,
 * non-daemon, ignores its stop request (it reads stdin, which the test
 * never writes); seq 2 "late", stage 5, non-daemon, ends once told to
 * stop.  Both terminate callbacks say so.  Once the deadline passed in
 * stage 2's wait, "stuck" is abandoned, and stage 5 still gets its stop
 * request, then the hook runs.  The first line gives the kernel thread
 * ids for the report on stderr; main exits with 3.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_count started = SC_COUNT_INIT;
static pid_t tids[2];

static void *
stuck(void *arg)
{
	char buf[16];
	ssize_t n;

	(void)arg;
	tids[0] = gettid();
	count_up(&started);
	while ((n = read(STDIN_FILENO, buf, sizeof buf)) < 0 && errno == EINTR)
		continue;
	say("stuck released\n");
	return NULL;
}

static void *
late(void *arg)
{
	(void)arg;
	tids[1] = gettid();
	count_up(&started);
	exeunt_wait_stop(NULL);
	return NULL;
}

int
main(void)
{
	exeunt_atexit(hook_say, "1");
	sc_start_staged("stuck", 2, -1, terminate_say, "stuck", stuck, NULL);
	sc_start_staged("late", 5, -1, terminate_say, "late", late, NULL);
	count_wait(&started, 2);
	say("tids %d %d\n", (int)tids[0], (int)tids[1]);
	say("main exits\n");
	exit(3);
}
