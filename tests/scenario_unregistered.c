/*
 * An unregistered thread's stop fd and exeunt_wait_stop() fire when exit
 * starts the shutdown; the thread itself is not waited for.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_flag ready = SC_FLAG_INIT;
static pthread_t watcher;
static int watcher_fd = -1, poll_rc = -1, wait_rc = -1, flag = -1;
static short revents;

/* Registered before the first exeunt call: runs after the coordinator. */
static void
report(void)
{
	pthread_join(watcher, NULL);
	say("watcher: poll %d%s, wait_stop %s, stop_requested %d, "
	    "same fd %d\n", poll_rc, (revents & POLLIN) ? " POLLIN" : "",
	    errname(wait_rc), flag, watcher_fd == exeunt_stop_fd());
}

static void *
watcher_main(void *arg)
{
	struct pollfd p;

	(void)arg;
	watcher_fd = exeunt_stop_fd();
	flag_set(&ready);
	p.fd = watcher_fd;
	p.events = POLLIN;
	p.revents = 0;
	poll_rc = poll(&p, 1, -1);
	revents = p.revents;
	wait_rc = exeunt_wait_stop(NULL);
	flag = exeunt_stop_requested();
	return NULL;
}

int
main(void)
{
	if (pthread_create(&watcher, NULL, watcher_main, NULL) != 0)
		return 100;
	atexit(report);
	flag_wait(&ready);
	say("stop_requested: %d\n", exeunt_stop_requested());
	exeunt_atexit(hook_say, "1");
	say("main returns\n");
	return 0;
}
