/*
 * exit() from inside a shutdown that is already running, where the
 * thread that calls it is not the one whose exit() the process ends
 * with.  argv[1] says where:
 *
 * "hook": main runs exeunt_shutdown(); hook 2 lets a plain thread call
 * exit(0), which waits for that shutdown, and only once that exit() has
 * blocked calls exit(3) itself.  The hook's thread finishes the shutdown
 * (hook 1 runs, once) and is parked; the waiting exit() goes on: the
 * atexit handler runs once and the status is 0.
 *
 * "atexit": main calls exit(0) with a 100 ms deadline, PROCEED; the
 * worker's terminate callback never returns, so the watchdog takes over,
 * runs the hook and calls the C library's exit(), whose first handler
 * calls exit(9).  As on glibc for any exit() from an exit handler, the
 * handlers left run once and the status is 9 (musl crashes on a nested
 * exit() by design of the C library: not run there).
 *
 * "owner": main calls exit(4) with a 100 ms deadline, PROCEED; the
 * worker's terminate callback, in main, waits until the watchdog, which
 * took over, has begun hook 2, then calls exit(7).  Hook 2 ends only once
 * that exit() has blocked.  The callback's thread is parked and its exit
 * discarded; the hooks run once each, in order (hook 2 ends before hook 1
 * begins), and the status is main's.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static const struct timespec limit = { 0, 100000000L };

static struct sc_flag exiter_ready = SC_FLAG_INIT, go = SC_FLAG_INIT;
static atomic_int exiter_calling, exiter_tid;

/* Registered before the first exeunt call: runs after the shutdown. */
static void
atexit_say(void)
{
	say("atexit\n");
}

static void
atexit_exit(void)
{
	say("handler calls exit(9)\n");
	exit(9);
}

/* "hook": a plain thread whose exit() comes while the shutdown runs. */
static void *
exiter(void *arg)
{
	(void)arg;
	atomic_store(&exiter_tid, (int)gettid());
	flag_set(&exiter_ready);
	flag_wait(&go);
	say("thread calls exit(0)\n");
	atomic_store(&exiter_calling, 1);
	exit(0);
}

static void
hook_exit(void *arg)
{
	(void)arg;
	release_into_exit(&go, &exiter_calling,
	    (pid_t)atomic_load(&exiter_tid), "exiting thread");
	say("hook calls exit(3)\n");
	exit(3);
}

/* "owner": hook 2, run by the watchdog, and the held callback's exit(). */
static atomic_int hook2_began, callback_calling, callback_tid;

static void
hook_slow(void *arg)
{
	struct timespec d = sc_deadline();

	(void)arg;
	say("hook 2 begins\n");
	atomic_store(&hook2_began, 1);
	while (!atomic_load(&callback_calling) && !sc_passed(&d))
		sc_pause();
	if (!await_sleeping((pid_t)atomic_load(&callback_tid)))
		say("the callback's thread never blocked\n");
	say("hook 2 ends\n");
}

static void
terminate_exit_late(exeunt_thread_t *t, void *arg)
{
	struct timespec d = sc_deadline();

	(void)t;
	(void)arg;
	atomic_store(&callback_tid, (int)gettid());
	while (!atomic_load(&hook2_began)) {
		if (sc_passed(&d)) {
			say("hook 2 never began\n");
			return;
		}
		sc_pause();
	}
	say("callback calls exit(7)\n");
	atomic_store(&callback_calling, 1);
	exit(7);
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	pthread_t th;

	atexit(atexit_say);
	if (strcmp(mode, "hook") == 0) {
		sc_check("exeunt_atexit", exeunt_atexit(hook_say, "1"));
		sc_check("exeunt_atexit", exeunt_atexit(hook_exit, NULL));
		if (pthread_create(&th, NULL, exiter, NULL) != 0)
			return 100;
		/* Its tid is known before the hook needs it. */
		flag_wait(&exiter_ready);
		say("main calls exeunt_shutdown()\n");
		say("exeunt_shutdown: %s\n", errname(exeunt_shutdown()));
		sc_forever();
	}
	if (strcmp(mode, "atexit") == 0) {
		atexit(atexit_exit);
		sc_check("exeunt_set_timeout", exeunt_set_timeout(&limit,
		    EXEUNT_OVERRUN_PROCEED));
		sc_check("exeunt_atexit", exeunt_atexit(hook_say, "1"));
		sc_start(0, sc_terminate_blocks, NULL, sc_until_stopped, NULL);
		say("main calls exit(0)\n");
		exit(0);
	}
	if (strcmp(mode, "owner") == 0) {
		sc_check("exeunt_set_timeout", exeunt_set_timeout(&limit,
		    EXEUNT_OVERRUN_PROCEED));
		sc_check("exeunt_atexit", exeunt_atexit(hook_say, "1"));
		sc_check("exeunt_atexit", exeunt_atexit(hook_slow, NULL));
		sc_start(0, terminate_exit_late, NULL, sc_until_stopped, NULL);
		say("main calls exit(4)\n");
		exit(4);
	}
	say("unknown case %s\n", mode);
	return 100;
}
