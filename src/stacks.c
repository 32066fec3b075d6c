/*
 * Call stacks of registered threads: exeunt_dump_stacks() and the stacks
 * in the deadline report.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>

int
exeunt_dump_stacks(FILE *out)
{
	(void)out;
	return ENOSYS;
}

int
exeunt_set_stack_signal(int signo)
{
	(void)signo;
	return ENOSYS;
}

int
exeunt_get_stack_signal(void)
{
	return 0;
}
