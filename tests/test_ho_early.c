/*
 * A shared library for scenario_ho_early, linked into it after libexeunt
 * so that its constructor runs before libexeunt's: the exit handler it
 * registers there is older than any of libexeunt's, and exit() runs it
 * after them.  It does not use exeunt.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include <stdlib.h>
#include <unistd.h>

int ho_early_armed(void);

static int armed;

static void
early_handler(void)
{
	static const char line[] = "early handler\n";

	(void)write(STDOUT_FILENO, line, sizeof line - 1);
}

/* Also a symbol the program uses, so that no --as-needed drops us. */
int
ho_early_armed(void)
{
	return armed;
}

__attribute__((constructor)) static void
early_init(void)
{
	armed = atexit(early_handler) == 0;
}
