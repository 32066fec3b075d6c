/*
 * A report function that never returns once it has the deadline report
 * (check_observe.c): after the deadline's action, the shutdown must not
 * wait for it.  A zero deadline with the action proceed; one non-daemon
 * thread, "a", never finishes; a hook says "hook ran" and, with argv[1]
 * "report", calls exeunt_report("from hook").  The function writes each
 * line it gets to stdout as "fn: <line>".  EXEUNT_DEBUG may be set by the
 * test: then trace lines are made after the deadline too.  main says
 * "main exits" and returns 0.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static void
fn(const char *line, void *arg)
{
	(void)arg;
	say("fn: %s\n", line);
	if (strncmp(line, "exeunt: shutdown deadline", 25) == 0)
		sc_forever();
}

static void
hook(void *arg)
{
	say("hook ran\n");
	if (arg != NULL)
		say("exeunt_report: %s\n", errname(exeunt_report("from hook")));
}

static void *
forever(void *arg)
{
	(void)arg;
	sc_forever();
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct timespec zero = { 0, 0 };
	int report = argc > 1 && strcmp(argv[1], "report") == 0;

	sc_check("exeunt_set_report", exeunt_set_report(fn, NULL));
	sc_check("exeunt_set_timeout", exeunt_set_timeout(&zero,
	    EXEUNT_OVERRUN_PROCEED));
	sc_check("exeunt_atexit", exeunt_atexit(hook, report ? "" : NULL));
	sc_start_named("a", 0, NULL, NULL, forever, NULL);
	say("main exits\n");
	return 0;
}
