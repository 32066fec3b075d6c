/*
 * exit() (or exeunt_exit()) from a terminate callback or from a hook
 * running in the coordinator's thread: no deadlock and no second run.
 * The shutdown goes on inside the nested exit from where it was (the
 * remaining stop requests, the join, the remaining hooks, once each),
 * then the nested exit goes on and the process ends with its status.
 *
 * argv[1]: "exit" (main calls exit(3)) or "shutdown" (main calls
 * exeunt_shutdown()); argv[2]: "callback" (thread t2's terminate
 * callback calls exit(9)) or "hook" (hook 2 calls exit(11));
 * argv[3]: "exit" or "exeunt_exit", the call they make.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_flag started = SC_FLAG_INIT;
static int use_exeunt_exit;

static void
nested_exit(int status)
{
	if (use_exeunt_exit)
		exeunt_exit(status);
	exit(status);
}

/* Registered before the first exeunt call: runs after the coordinator. */
static void
atexit_before(void)
{
	say("atexit before: %s\n", phasename(exeunt_phase()));
}

/* Registered after it: runs before it when exit() starts the shutdown. */
static void
atexit_after(void)
{
	say("atexit after: %s\n", phasename(exeunt_phase()));
}

static void
terminate_exit(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	say("terminate t2 calls exit(9)\n");
	nested_exit(9);
	say("terminate t2: exit returned\n");
}

static void
hook_exit(void *arg)
{
	(void)arg;
	say("hook 2 calls exit(11)\n");
	nested_exit(11);
	say("hook 2: exit returned\n");
}

static void *
t1_main(void *arg)
{
	(void)arg;
	flag_set(&started);
	work_until_stopped();
	if (await_phase(EXEUNT_JOINING, "t1"))
		say("t1 done\n");
	return NULL;
}

static void *
idle(void *arg)
{
	(void)arg;
	exeunt_wait_stop(NULL);
	return NULL;
}

int
main(int argc, char **argv)
{
	int by_shutdown, from_hook, rc;

	if (argc < 4)
		return 100;
	by_shutdown = strcmp(argv[1], "shutdown") == 0;
	from_hook = strcmp(argv[2], "hook") == 0;
	use_exeunt_exit = strcmp(argv[3], "exeunt_exit") == 0;

	atexit(atexit_before);
	exeunt_atexit(hook_say, "1");
	if (!by_shutdown)
		atexit(atexit_after);
	if (from_hook)
		exeunt_atexit(hook_exit, NULL);
	else
		exeunt_atexit(hook_say, "2");
	exeunt_atexit(hook_say, "3");
	sc_start(0, terminate_say, "t1", t1_main, NULL);
	if (from_hook)
		sc_start(0, terminate_say, "t2", idle, NULL);
	else
		sc_start(0, terminate_exit, NULL, idle, NULL);
	sc_start(0, terminate_say, "t3", idle, NULL);
	flag_wait(&started);
	if (by_shutdown) {
		say("main calls exeunt_shutdown\n");
		rc = exeunt_shutdown();
		say("exeunt_shutdown returned %s\n", errname(rc));
		exit(4);
	}
	say("main exits\n");
	exit(3);
}
