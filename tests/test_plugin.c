/*
 * A plugin that uses exeunt, for scenario_dlopen: the program that loads
 * it does not link libexeunt, so this plugin pulls it in.  It starts
 * threads that run its own code, so its destructor stops and joins them
 * (exeunt(7)); the hook it registers is a function of the program.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include <stdio.h>

#include "exeunt.h"

#define PLUGIN_THREADS 3

int plugin_start(void (*hook)(void *), void *hook_arg,
    void (*out)(const char *));

static exeunt_thread_t *threads[PLUGIN_THREADS];
static int started;
static void (*print_line)(const char *);

static void *
plugin_thread(void *arg)
{
	exeunt_wait_stop(NULL);
	return arg;
}

/* Starts the plugin's threads and registers the program's hook. */
int
plugin_start(void (*hook)(void *), void *hook_arg, void (*out)(const char *))
{
	exeunt_attr_t a;
	char name[16];
	int rc, i;

	print_line = out;
	for (i = 0; i < PLUGIN_THREADS; i++) {
		exeunt_attr_init(&a);
		snprintf(name, sizeof name, "plugin-%d", i);
		exeunt_attr_setname(&a, name);
		exeunt_attr_setdaemon(&a, 0);
		rc = exeunt_thread_create(&threads[i], &a, plugin_thread, NULL);
		exeunt_attr_destroy(&a);
		if (rc != 0)
			return rc;
		started++;
	}
	return exeunt_atexit(hook, hook_arg);
}

/* Its threads run this plugin's code: they end before it is unmapped. */
__attribute__((destructor)) static void
plugin_fini(void)
{
	char line[64];
	int joined = 0, i;

	for (i = 0; i < started; i++) {
		exeunt_thread_request_stop(threads[i]);
		if (exeunt_thread_join(threads[i], NULL) == 0)
			joined++;
	}
	snprintf(line, sizeof line, "plugin destructor: joined %d of %d, "
	    "count %zu\n", joined, started, exeunt_count());
	if (print_line != NULL)
		print_line(line);
}
