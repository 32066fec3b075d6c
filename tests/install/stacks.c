/*
 * Call stacks through the installed exeunt ('make installcheck',
 * tests/install/run.sh): built with -g and pkg-config's flags, without
 * -rdynamic, shared and -static.  A registered thread waits in a static
 * function of this file; main dumps the stacks of its threads, prints
 * the line of that wait as "wait line N", and returns.  run.sh checks
 * that the dump names the function, with this file and that line, or,
 * where the library was built without libdw, that it says so.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include <exeunt.h>

#include <stdatomic.h>
#include <stdio.h>

static atomic_int wait_line;

static __attribute__((noinline)) void
installed_wait_here(void)
{
	/* The line of the call of exeunt_wait_stop(), the next one. */
	while (atomic_store(&wait_line, __LINE__ + 1), 1) {
		exeunt_wait_stop(NULL);
		if (exeunt_stop_requested())
			return;
	}
}

static void *
worker(void *arg)
{
	(void)arg;
	installed_wait_here();
	return NULL;
}

int
main(void)
{
	exeunt_thread_t *t;
	int rc;

	if (exeunt_thread_create(&t, NULL, worker, NULL) != 0)
		return 1;
	while (atomic_load(&wait_line) == 0)
		;
	rc = exeunt_dump_stacks(stdout);
	printf("dump %d, wait line %d\n", rc, atomic_load(&wait_line));
	return 0;
}
