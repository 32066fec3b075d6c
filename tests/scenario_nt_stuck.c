/*
 * systemd notification (check_notify.c) when the deadline passes: one
 * non-daemon thread, "stuck", that ignores its stop request and reads
 * stdin; a line from the test releases it.  exeunt_notify(1); the
 * deadline and its action come from EXEUNT_TIMEOUT and EXEUNT_ON_TIMEOUT.
 * main says "main exits" and exits with 3.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_flag started = SC_FLAG_INIT;

static void *
stuck(void *arg)
{
	char buf[16];
	ssize_t n;

	(void)arg;
	flag_set(&started);
	while ((n = read(STDIN_FILENO, buf, sizeof buf)) < 0 && errno == EINTR)
		continue;
	say("stuck released\n");
	return NULL;
}

int
main(void)
{
	sc_check("exeunt_notify", exeunt_notify(1));
	sc_start_named("stuck", 0, NULL, NULL, stuck, NULL);
	flag_wait(&started);
	say("main exits\n");
	exit(3);
}
