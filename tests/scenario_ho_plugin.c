/*
 * A program that links libexeunt loads test_ho_plugin, whose init
 * function registers a hook of the plugin's own, unloads it and exits:
 * the process must end normally, without the plugin's hook (its code was
 * unmapped by dlclose), and the program's own hook still runs.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <dlfcn.h>

#define PLUGIN BUILDDIR "/.libs/test_ho_plugin.so"

int
main(void)
{
	int (*init)(void);
	void *plugin;

	sc_check("exeunt_atexit", exeunt_atexit(hook_say, "program"));
	plugin = dlopen(PLUGIN, RTLD_NOW | RTLD_LOCAL);
	if (plugin == NULL) {
		say("dlopen: %s\n", dlerror());
		return 100;
	}
	*(void **)&init = dlsym(plugin, "plugin_init");
	if (init == NULL) {
		say("dlsym plugin_init failed\n");
		return 100;
	}
	say("plugin_init: %s\n", errname(init()));
	if (dlclose(plugin) != 0)
		say("dlclose: %s\n", dlerror());
	/* musl's dlclose() unloads nothing: the hook's code stays mapped,
	 * and the hook runs. */
	if (dlopen(PLUGIN, RTLD_NOW | RTLD_NOLOAD) != NULL)
		say("plugin still loaded\n");
	say("main exits\n");
	exit(0);
}
