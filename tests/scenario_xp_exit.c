/*
 * exit() while the process already ends, argv[1] says where:
 *
 * "slow": main calls exit(4); the shutdown waits for two registered
 * non-daemon threads.  The quick one calls plain exit(9) once the join
 * phase began; the slow one finishes its work only after that exit()
 * blocked.  The quick one is parked and counts as finished, so the join
 * ends when the slow one does; the hook and the atexit handler run once,
 * and the status is main's.
 *
 * "request": main asks a non-daemon worker to stop with
 * exeunt_thread_request_stop(), before any shutdown; the worker's terminate
 * callback, which runs in main, calls exit(5).  The worker ends once told
 * to stop, and its end must not wait for that callback, which never
 * returns: the shutdown joins it, the hook runs, the status is 5.
 *
 * "nested": main calls exit(2); an atexit handler registered before the
 * first exeunt call, which runs after the shutdown, calls exit(8).  On
 * glibc the process ends with 8 and the handler registered before that
 * one runs once (musl crashes on a nested exit() by design: not run
 * there).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static atomic_int quick_calling;
static atomic_int quick_tid;

/* Registered before the first exeunt call: runs after the shutdown. */
static void
atexit_say(void)
{
	say("atexit\n");
}

static void
atexit_exit(void)
{
	say("handler calls exit(8)\n");
	exit(8);
}

static void *
quick(void *arg)
{
	(void)arg;
	atomic_store(&quick_tid, (int)gettid());
	exeunt_wait_stop(NULL);
	if (!await_phase(EXEUNT_JOINING, "quick"))
		return NULL;
	say("quick calls exit(9)\n");
	atomic_store(&quick_calling, 1);
	exit(9);
}

/* Its work ends only once the quick thread's exit() blocked. */
static void *
slow(void *arg)
{
	struct timespec d = sc_deadline();

	(void)arg;
	exeunt_wait_stop(NULL);
	while (!atomic_load(&quick_calling) && !sc_passed(&d))
		sc_pause();
	if (!await_sleeping((pid_t)atomic_load(&quick_tid)))
		say("the quick thread never blocked\n");
	say("slow finishes\n");
	return NULL;
}

static void
terminate_exit(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	say("callback calls exit(5)\n");
	exit(5);
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	exeunt_thread_t *t;

	atexit(atexit_say);
	if (strcmp(mode, "request") == 0) {
		sc_check("exeunt_atexit", exeunt_atexit(hook_say, "1"));
		t = sc_create(0, terminate_exit, NULL, sc_until_stopped, NULL);
		exeunt_thread_request_stop(t);
		say("request_stop returned\n");
		return 1;
	}
	if (strcmp(mode, "nested") == 0) {
		atexit(atexit_exit);
		sc_check("exeunt_atexit", exeunt_atexit(hook_say, "1"));
		sc_start(0, terminate_say, "worker", worker_stops_in_join,
		    NULL);
		exit(2);
	}
	sc_check("exeunt_atexit", exeunt_atexit(hook_say, "1"));
	sc_start(0, NULL, NULL, slow, NULL);
	sc_start(0, NULL, NULL, quick, NULL);
	say("main calls exit(4)\n");
	exit(4);
}
