/*
 * exit() from a registered thread other than main while others run: that
 * thread coordinates, gets its own terminate callback, and does not wait
 * for itself; the unregistered main thread is not waited for, and its
 * exeunt_wait_stop() and process-wide stop fd fire at shutdown.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <semaphore.h>

static struct sc_flag worker_started = SC_FLAG_INIT;
static sem_t main_woke;
static int main_rc = -1, main_flag = -1, main_fd_readable = -1;
static exeunt_thread_t *worker_t;

/* Registered before the first exeunt call: runs after the coordinator. */
static void
report(void)
{
	struct timespec d = sc_deadline(), now;
	int rc;

	/* sem_timedwait measures CLOCK_REALTIME. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	d.tv_sec -= now.tv_sec;
	clock_gettime(CLOCK_REALTIME, &now);
	d.tv_sec += now.tv_sec;
	while ((rc = sem_timedwait(&main_woke, &d)) != 0 && errno == EINTR)
		continue;
	if (rc != 0) {
		say("main never woke\n");
		return;
	}
	say("main woke: wait_stop %s, stop_requested %d, fd readable %d\n",
	    errname(main_rc), main_flag, main_fd_readable);
	/* Any thread may join a handle; the worker has finished. */
	say("join worker: %s\n", errname(exeunt_thread_join(worker_t, NULL)));
}

static void *
worker(void *arg)
{
	(void)arg;
	flag_set(&worker_started);
	work_until_stopped();
	if (await_phase(EXEUNT_JOINING, "worker"))
		say("worker done\n");
	return NULL;
}

static void *
quitter(void *arg)
{
	(void)arg;
	flag_wait(&worker_started);
	say("quitter calls exit\n");
	exit(4);
}

int
main(void)
{
	int fd;

	sem_init(&main_woke, 0, 0);
	atexit(report);
	exeunt_atexit(hook_say, "1");
	fd = exeunt_stop_fd();
	worker_t = sc_create(0, terminate_say, "worker", worker, NULL);
	/* The quitter never finishes: exit() ends the process in it. */
	exeunt_thread_detach(sc_create(0, terminate_say, "quitter", quitter,
	    NULL));
	main_rc = exeunt_wait_stop(NULL);
	main_flag = exeunt_stop_requested();
	main_fd_readable = fd_is_readable(fd);
	sem_post(&main_woke);
	/* The process ends under us, from the quitter's exit(). */
	for (;;)
		pause();
}
