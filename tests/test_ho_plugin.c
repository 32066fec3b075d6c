/*
 * A plugin for scenario_ho_plugin: its init function registers a hook
 * that is a function of this plugin, which the program then unloads.
 * The hook must not run after that: its code is gone.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include <unistd.h>

#include "exeunt.h"

int plugin_init(void);

static void
plugin_hook(void *arg)
{
	static const char line[] = "plugin hook\n";

	(void)arg;
	(void)write(STDOUT_FILENO, line, sizeof line - 1);
}

int
plugin_init(void)
{
	return exeunt_atexit(plugin_hook, NULL);
}
