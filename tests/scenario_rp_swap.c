/*
 * exeunt_set_report() under load: EMITTERS plain threads make lines with
 * exeunt_report() until the main thread, which waits until each made
 * one, has replaced the function's argument ARGS - 1 times, a fresh one
 * each time.  Once exeunt_set_report()
 * returns, the old argument is retired: a call that still uses it, in
 * progress or begun later, is counted as a violation (Dekker-style: the
 * swapper marks it retired, then looks for a call inside; a call counts
 * itself inside, then looks at the mark, so one of the two sees the
 * other).  Two calls at once count as an overlap.  Prints the counts;
 * every line must have been passed exactly once.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#define EMITTERS 4
#define ARGS 4096

struct arg {
	atomic_int inside;
	atomic_int retired;
};

static struct arg args[ARGS];
static atomic_int calls, violations, overlaps, running, emitted;

static void
fn(const char *line, void *p)
{
	struct arg *a = p;

	atomic_fetch_add(&a->inside, 1);
	if (atomic_fetch_add(&running, 1) != 0)
		atomic_fetch_add(&overlaps, 1);
	if (atomic_load(&a->retired))
		atomic_fetch_add(&violations, 1);
	if (strncmp(line, "exeunt: line ", 13) == 0)
		atomic_fetch_add(&calls, 1);
	atomic_fetch_sub(&running, 1);
	atomic_fetch_sub(&a->inside, 1);
}

static atomic_int stop;
static atomic_int ready;

/* Makes lines until told to stop, counting them. */
static void *
emitter(void *p)
{
	int i, id = (int)(long)p;

	for (i = 0; !atomic_load(&stop); i++) {
		exeunt_report("line %d of %d", i, id);
		atomic_fetch_add(&emitted, 1);
		if (i == 0)
			atomic_fetch_add(&ready, 1);
	}
	return NULL;
}

int
main(void)
{
	struct timespec d = sc_deadline();
	pthread_t t[EMITTERS];
	int i, n, rc;

	if ((rc = exeunt_set_report(fn, &args[0])) != 0) {
		say("exeunt_set_report: %s\n", errname(rc));
		return 100;
	}
	for (i = 0; i < EMITTERS; i++)
		if (pthread_create(&t[i], NULL, emitter, (void *)(long)i) != 0)
			return 101;
	/* Every swap is made while every emitter is making lines. */
	while (atomic_load(&ready) < EMITTERS && !sc_passed(&d))
		sc_pause();
	for (n = 1; n < ARGS; n++) {
		if ((rc = exeunt_set_report(fn, &args[n])) != 0) {
			say("exeunt_set_report: %s\n", errname(rc));
			return 102;
		}
		/* The old argument may be freed now. */
		atomic_store(&args[n - 1].retired, 1);
		if (atomic_load(&args[n - 1].inside) != 0)
			atomic_fetch_add(&violations, 1);
	}
	atomic_store(&stop, 1);
	for (i = 0; i < EMITTERS; i++)
		pthread_join(t[i], NULL);
	say("ready %d, passed %s, violations %d, overlaps %d\n",
	    atomic_load(&ready), atomic_load(&calls) ==
	    atomic_load(&emitted) ? "all" : "NOT ALL",
	    atomic_load(&violations), atomic_load(&overlaps));
	return 0;
}
