/*
 * systemd notification (check_notify.c): four non-daemon threads in
 * three stages that finish one at a time, and a daemon thread that the
 * shutdown does not wait for.
 *
 * argv[1]: "call1" calls exeunt_notify(1), "call0" exeunt_notify(0),
 *          "none" neither (EXEUNT_NOTIFY from the test decides).
 * argv[2]: optional, "fork": acceptor's terminate callback forks a child
 *          that reports its phase and what exeunt_notify(1) returns
 *          there, then _exits; the callback reaps it.
 *
 *   seq 1 "acceptor"  stage 0
 *   seq 2 "worker-1"  stage 1, once stopped joins worker-2
 *   seq 3 "worker-2"  stage 1, once stopped joins acceptor
 *   seq 4 "logger"    stage 2, once stopped joins worker-1
 *   seq 5 "ticker"    stage 0, daemon, never ends
 *
 * Each thread ends only once the one before it has wholly ended (its
 * join returns after the thread's last destructor), so their finishes,
 * and the messages those send, come in this order: acceptor, worker-2,
 * worker-1, logger.  main prints what exeunt_notify() returns for bad
 * arguments, a hook what it returns during the shutdown, and main exits
 * with 3.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_flag created = SC_FLAG_INIT;
static exeunt_thread_t *acceptor, *worker1, *worker2;
static int forking;

static void *
waits_for(void *arg)
{
	exeunt_thread_t **before = arg;

	exeunt_wait_stop(NULL);
	flag_wait(&created);
	if (before != NULL)
		sc_check("exeunt_thread_join", exeunt_thread_join(*before,
		    NULL));
	return NULL;
}

static void *
forever(void *arg)
{
	(void)arg;
	sc_forever();
	return NULL;
}

static void
acceptor_stop(exeunt_thread_t *t, void *arg)
{
	int status;
	pid_t pid;

	(void)t;
	(void)arg;
	if (!forking)
		return;
	if ((pid = fork()) == 0) {
		say("child: phase %s, notify(1) %s\n", phasename(exeunt_phase()),
		    errname(exeunt_notify(1)));
		_exit(0);
	}
	if (pid < 0 || !sc_reap(pid, SC_DEADLINE_MS, &status))
		say("child lost\n");
	else
		say("child reaped\n");
}

static void
hook(void *arg)
{
	(void)arg;
	say("hook: notify(0) %s\n", errname(exeunt_notify(0)));
}

static exeunt_thread_t *
create(const char *name, int stage, int daemon, exeunt_terminate_fn fn,
    void *(*start)(void *), void *arg)
{
	exeunt_thread_t *t;
	exeunt_attr_t a;

	exeunt_attr_init(&a);
	exeunt_attr_setname(&a, name);
	exeunt_attr_setstage(&a, stage);
	exeunt_attr_setdaemon(&a, daemon);
	if (fn != NULL)
		exeunt_attr_setterminate(&a, fn, NULL);
	sc_check("exeunt_thread_create", exeunt_thread_create(&t, &a, start,
	    arg));
	exeunt_attr_destroy(&a);
	return t;
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "none";

	forking = argc > 2 && strcmp(argv[2], "fork") == 0;
	say("notify(2) %s, notify(-1) %s\n", errname(exeunt_notify(2)),
	    errname(exeunt_notify(-1)));
	if (strcmp(mode, "call1") == 0)
		sc_check("exeunt_notify", exeunt_notify(1));
	else if (strcmp(mode, "call0") == 0)
		sc_check("exeunt_notify", exeunt_notify(0));
	sc_check("exeunt_atexit", exeunt_atexit(hook, NULL));
	acceptor = create("acceptor", 0, 0, acceptor_stop, waits_for, NULL);
	worker1 = create("worker-1", 1, 0, NULL, waits_for, &worker2);
	worker2 = create("worker-2", 1, 0, NULL, waits_for, &acceptor);
	exeunt_thread_detach(create("logger", 2, 0, NULL, waits_for,
	    &worker1));
	exeunt_thread_detach(create("ticker", 0, 1, NULL, forever,
	    NULL));
	flag_set(&created);
	say("main exits\n");
	exit(3);
}
