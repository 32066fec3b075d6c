/*
 * exeunt_phase() and exeunt_shutdown_stage() in a shutdown of two stages,
 * as the callbacks, the threads and a hook see them.
 *
 * Threads: seq 1 "w1" and seq 2 "w2", stage 0, non-daemon; seq 3
 * "observer", stage 1, non-daemon.  Every terminate callback says
 * "terminate NAME: PHASE, stage S" (S: what exeunt_shutdown_stage()
 * gave, or its error).  Until its own stop, the observer polls the phase
 * and the stage and records each change; w1 and w2, once told to stop,
 * wait until the observer has seen stage 0 in its join phase, then end.
 * Once stopped, the observer says what it saw ("observer saw PHASE S,
 * ...") and where it is now.  The hook says the phase and stage too.
 * Run with EXEUNT_DEBUG=1 for the trace of two stages.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static atomic_int saw_joining_0, observer_stopped;
static struct sc_count started = SC_COUNT_INIT;

/* "0", "1", ... or the error of exeunt_shutdown_stage(), in buf. */
static const char *
stage_now(char *buf, size_t len)
{
	int s = -1000, rc = exeunt_shutdown_stage(&s);

	if (rc != 0)
		snprintf(buf, len, "%s", errname(rc));
	else
		snprintf(buf, len, "%d", s);
	return buf;
}

static void
terminate_phase(exeunt_thread_t *t, void *arg)
{
	char s[32];

	(void)t;
	say("terminate %s: %s, stage %s\n", (const char *)arg,
	    phasename(exeunt_phase()), stage_now(s, sizeof s));
}

static void *
worker(void *arg)
{
	struct timespec d;

	count_up(&started);
	exeunt_wait_stop(NULL);
	d = sc_deadline();
	while (!atomic_load(&saw_joining_0)) {
		if (atomic_load(&observer_stopped) || sc_passed(&d)) {
			say("%s: the observer never saw JOINING 0\n",
			    (const char *)arg);
			break;
		}
		sc_pause();
	}
	say("%s ends\n", (const char *)arg);
	return NULL;
}

static void *
observer(void *arg)
{
	struct timespec d = sc_deadline();
	char seen[512], s1[32], s2[32], now[64], last[64] = "";
	size_t off = 0;
	enum exeunt_phase p;

	(void)arg;
	seen[0] = '\0';
	count_up(&started);
	while (!exeunt_stop_requested() && !sc_passed(&d)) {
		/* The stage read on both sides of the phase: a pair read
		 * across a change of stage is read again. */
		stage_now(s1, sizeof s1);
		p = exeunt_phase();
		if (strcmp(stage_now(s2, sizeof s2), s1) != 0)
			continue;
		snprintf(now, sizeof now, "%s %s", phasename(p), s1);
		if (strcmp(now, last) != 0 && off < sizeof seen - 64) {
			off += (size_t)snprintf(seen + off, sizeof seen - off,
			    "%s%s", off > 0 ? ", " : "", now);
			snprintf(last, sizeof last, "%s", now);
		}
		if (p == EXEUNT_JOINING && strcmp(s1, "0") == 0)
			atomic_store(&saw_joining_0, 1);
		sc_pause();
	}
	atomic_store(&observer_stopped, 1);
	say("observer saw %s\n", seen);
	say("observer stopped in %s, stage %s\n", phasename(exeunt_phase()),
	    stage_now(s1, sizeof s1));
	/* End in stage 1's join, so that the trace has it joined. */
	(void)await_phase(EXEUNT_JOINING, "observer");
	return NULL;
}

static void
hook_phase(void *arg)
{
	char s[32];

	(void)arg;
	say("hook: %s, stage %s\n", phasename(exeunt_phase()),
	    stage_now(s, sizeof s));
}

int
main(void)
{
	exeunt_atexit(hook_phase, NULL);
	sc_start_staged("w1", 0, -1, terminate_phase, "w1", worker, "w1");
	sc_start_staged("w2", 0, -1, terminate_phase, "w2", worker, "w2");
	sc_start_staged("observer", 1, -1, terminate_phase, "observer",
	    observer, "observer");
	count_wait(&started, 3);
	say("main exits\n");
	return 0;
}
