/*
 * A zero shutdown deadline with action EXIT is decided when the shutdown
 * begins: late at once if a registered thread other than the one running
 * the shutdown is unfinished and either non-daemon or has a terminate
 * callback not yet called; otherwise the shutdown cannot be late.
 *
 * argv[1]: the threads alive when main calls exit(0):
 *   daemon    one daemon thread, no terminate callback, never ends
 *   adopted   main itself, adopted; no other thread
 *   worker    one non-daemon thread "worker" that stops on request
 *   callback  one daemon thread "daemon" with a terminate callback, that
 *             never ends
 * argv[2]: "env" (EXEUNT_TIMEOUT=0 and EXEUNT_ON_TIMEOUT=exit, set by the
 * test) or "call" (exeunt_set_timeout({ 0, 0 }, EXEUNT_OVERRUN_EXIT)).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_count started = SC_COUNT_INIT;
static struct sc_flag never = SC_FLAG_INIT;

static void *
start_forever(void *arg)
{
	(void)arg;
	count_up(&started);
	flag_wait(&never);
	return NULL;
}

static void *
start_until_stopped(void *arg)
{
	(void)arg;
	count_up(&started);
	(void)exeunt_wait_stop(NULL);
	return NULL;
}

static void
terminate_quiet(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
}

int
main(int argc, char **argv)
{
	static const struct timespec zero = { 0, 0 };
	const char *who = argc > 1 ? argv[1] : "daemon";
	const char *how = argc > 2 ? argv[2] : "env";

	if (strcmp(how, "call") == 0)
		sc_check("exeunt_set_timeout", exeunt_set_timeout(&zero,
		    EXEUNT_OVERRUN_EXIT));
	if (strcmp(who, "daemon") == 0) {
		sc_start_named("daemon", 1, NULL, NULL, start_forever, NULL);
	} else if (strcmp(who, "adopted") == 0) {
		sc_check("exeunt_thread_adopt", exeunt_thread_adopt(NULL));
		count_up(&started);
	} else if (strcmp(who, "worker") == 0) {
		sc_start_named("worker", 0, NULL, NULL, start_until_stopped,
		    NULL);
	} else if (strcmp(who, "callback") == 0) {
		sc_start_named("daemon", 1, terminate_quiet, NULL,
		    start_forever, NULL);
	} else {
		say("unknown case %s\n", who);
		return 100;
	}
	count_wait(&started, 1);
	say("main exits\n");
	exit(0);
}
