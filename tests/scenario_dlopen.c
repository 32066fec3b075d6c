/*
 * A program that does not link libexeunt loads a plugin that does
 * (test_plugin), starts threads through it and unloads it.  libexeunt is
 * linked with -z nodelete: dlclose() neither unmaps it nor runs its exit
 * work early, so the hook the plugin registered (a function of this
 * program) runs exactly once, at exit, after the line printed after
 * dlclose().
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PLUGIN BUILDDIR "/.libs/test_plugin.so"

static void
out_line(const char *line)
{
	size_t len = strlen(line), off = 0;
	ssize_t n;

	while (off < len) {
		n = write(STDOUT_FILENO, line + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		off += (size_t)n;
	}
}

static void
hook_main(void *arg)
{
	char line[128];

	snprintf(line, sizeof line, "hook %s\n", (const char *)arg);
	out_line(line);
}

static void
atexit_before(void)
{
	out_line("atexit\n");
}

static int
find_libexeunt(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	return info->dlpi_name != NULL &&
	    strstr(info->dlpi_name, "/libexeunt.so") != NULL;
}

static const char *
libexeunt_loaded(void)
{
	return dl_iterate_phdr(find_libexeunt, NULL) ? "yes" : "no";
}

int
main(void)
{
	int (*start)(void (*)(void *), void *, void (*)(const char *));
	char line[256];
	void *plugin;
	int rc;

	atexit(atexit_before);
	snprintf(line, sizeof line, "libexeunt loaded: %s\n",
	    libexeunt_loaded());
	out_line(line);
	plugin = dlopen(PLUGIN, RTLD_NOW | RTLD_LOCAL);
	if (plugin == NULL) {
		snprintf(line, sizeof line, "dlopen: %s\n", dlerror());
		out_line(line);
		return 100;
	}
	*(void **)&start = dlsym(plugin, "plugin_start");
	if (start == NULL) {
		out_line("dlsym plugin_start failed\n");
		return 100;
	}
	rc = start(hook_main, "from the program", out_line);
	snprintf(line, sizeof line, "plugin started: %d; libexeunt loaded: "
	    "%s\n", rc, libexeunt_loaded());
	out_line(line);
	if (dlclose(plugin) != 0) {
		snprintf(line, sizeof line, "dlclose: %s\n", dlerror());
		out_line(line);
	}
	snprintf(line, sizeof line, "dlclose done; libexeunt loaded: %s\n",
	    libexeunt_loaded());
	out_line(line);
	return 0;
}
