/*
 * exeunt_atexit() while the hooks phase runs: a hook that is accepted
 * (0 returned) must run; once the shutdown is done registration fails
 * with ESHUTDOWN.  The one hook main registers lets 4 unregistered
 * threads race to register counting hooks in a loop until one returns
 * non-zero; the hooks phase runs what they add, until the phase ends
 * while they still try.  The racers keep at most BACKLOG hooks waiting,
 * or four threads would add them faster than one runs them, and the
 * phase would never end.  A plain atexit(3) handler registered before the
 * first exeunt call runs after the coordinator: it waits for the racers
 * and prints how many hooks were accepted and how many ran.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <sched.h>

#define RACERS 4
/* Hooks accepted and not yet run, at most (give or take the racers). */
#define BACKLOG 4

static struct sc_flag go = SC_FLAG_INIT;
static pthread_t racer[RACERS];
static int last_rc[RACERS];
static atomic_int accepted, ran;

static void
hook_count(void *arg)
{
	(void)arg;
	atomic_fetch_add(&ran, 1);
}

static void *
racer_main(void *arg)
{
	int *rc = arg;
	unsigned spins = 0;

	flag_wait(&go);
	while ((*rc = exeunt_atexit(hook_count, NULL)) == 0) {
		atomic_fetch_add(&accepted, 1);
		/*
		 * Spin, to register again the moment a hook has run: the
		 * phase ends right after that.  Once the shutdown is done
		 * no hook will run: try again, which must fail.  A yield now
		 * and then lets the coordinator run on a single CPU.
		 */
		while (atomic_load(&accepted) - atomic_load(&ran) >= BACKLOG &&
		    exeunt_phase() != EXEUNT_DONE)
			if (++spins % 1024 == 0)
				sched_yield();
	}
	return NULL;
}

/* Lets the racers go and returns once they have filled the backlog. */
static void
hook_start(void *arg)
{
	struct timespec d = sc_deadline();

	(void)arg;
	flag_set(&go);
	while (atomic_load(&accepted) < BACKLOG && !sc_passed(&d))
		sc_pause();
}

/* Registered before the first exeunt call: runs after the coordinator. */
static void
report(void)
{
	int i, all = 1;

	for (i = 0; i < RACERS; i++) {
		pthread_join(racer[i], NULL);
		all &= last_rc[i] == ESHUTDOWN;
	}
	say("accepted %d ran %d; %s\n", atomic_load(&accepted),
	    atomic_load(&ran), all ? "then ESHUTDOWN" :
	    "not all ended with ESHUTDOWN");
}

int
main(void)
{
	int i;

	atexit(report);
	for (i = 0; i < RACERS; i++)
		if (pthread_create(&racer[i], NULL, racer_main, &last_rc[i]) != 0)
			return 100;
	sc_check("exeunt_atexit", exeunt_atexit(hook_start, NULL));
	return 0;
}
