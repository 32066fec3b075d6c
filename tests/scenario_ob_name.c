/*
 * systemd notification with a hostile thread name (check_observe.c):
 * exeunt_notify(1), a deadline of argv[1] seconds with the action
 * proceed, and one non-daemon thread named argv[2], which returns at its
 * stop request.  With argv[3], main first writes it with exeunt_report().
 * main says "main exits" and returns 0.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

int
main(int argc, char **argv)
{
	struct timespec limit = { 0, 0 };

	if (argc < 3)
		return 99;
	limit.tv_sec = atoi(argv[1]);
	sc_check("exeunt_notify", exeunt_notify(1));
	sc_check("exeunt_set_timeout", exeunt_set_timeout(&limit,
	    EXEUNT_OVERRUN_PROCEED));
	sc_start_named(argv[2], 0, NULL, NULL, sc_until_stopped, NULL);
	if (argc > 3)
		sc_check("exeunt_report", exeunt_report("%s", argv[3]));
	say("main exits\n");
	return 0;
}
