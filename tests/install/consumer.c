/*
 * A program built against the installed exeunt by 'make installcheck'
 * (tests/install/run.sh), with pkg-config, shared and -static, and with
 * CMake.  A registered thread waits for its stop; main then registers an
 * exeunt_atexit() hook and, after them, an atexit(3) handler, and returns
 * 3, or with the argument "thread" has a thread of its own call exit(3).
 * The library must run its shutdown first: the thread sees its stop and
 * ends, the hook runs, and only then the atexit handler, which the C
 * library alone would run first (it was registered last).  A static link
 * gets that from another thread only with pkg-config's --static flags
 * (-Wl,--wrap=exit).  The first line says which libexeunt the program
 * runs with: the directory of libexeunt.so, or "static".
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#define _GNU_SOURCE
#include <exeunt.h>

#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_int finished;

static void *
worker(void *arg)
{
	(void)arg;
	if (exeunt_wait_stop(NULL) == 0 && exeunt_stop_requested())
		printf("worker: stop requested\n");
	finished = 1;
	return NULL;
}

static void
hook(void *arg)
{
	(void)arg;
	printf("exeunt_atexit hook: worker finished: %s\n",
	    finished ? "yes" : "no");
}

static void
handler(void)
{
	printf("atexit handler: worker finished: %s\n",
	    finished ? "yes" : "no");
}

static void *
exiter(void *arg)
{
	(void)arg;
	printf("thread: exit(3)\n");
	exit(3);
}

/* Finds the directory of a loaded libexeunt.so. */
static int
find_lib(struct dl_phdr_info *info, size_t size, void *arg)
{
	const char *slash;

	(void)size;
	slash = strrchr(info->dlpi_name, '/');
	if (slash == NULL || strncmp(slash, "/libexeunt.so", 13) != 0)
		return 0;
	snprintf(arg, 4096, "%.*s", (int)(slash - info->dlpi_name),
	    info->dlpi_name);
	return 1;
}

int
main(int argc, char **argv)
{
	char dir[4096] = "static";
	exeunt_thread_t *t;
	pthread_t exiting;
	int rc;

	dl_iterate_phdr(find_lib, dir);
	printf("libexeunt: %s\n", dir);
	if ((rc = exeunt_thread_create(&t, NULL, worker, NULL)) != 0 ||
	    (rc = exeunt_thread_detach(t)) != 0 ||
	    (rc = exeunt_atexit(hook, NULL)) != 0) {
		printf("exeunt: %s\n", strerror(rc));
		return 1;
	}
	if (atexit(handler) != 0)
		return 1;
	if (argc > 1 && strcmp(argv[1], "thread") == 0) {
		if (pthread_create(&exiting, NULL, exiter, NULL) != 0)
			return 1;
		pthread_join(exiting, NULL);	/* the process ends first */
		return 1;
	}
	printf("main: returning 3\n");
	return 3;
}
