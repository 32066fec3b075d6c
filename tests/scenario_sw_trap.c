/*
 * Two registered threads wait on ONE condition variable with ONE mutex
 * while an unregistered thread broadcasts that condition variable in a
 * loop, with and without the mutex, and main calls exit().  The
 * shutdown's stop request of each waiter locks the mutex and broadcasts
 * while the other waiter wakes, re-locks and waits again and the
 * broadcaster takes and drops the same mutex: a stop aware wait that
 * holds a lock of its own while it takes the mutex, or a wake-up that
 * one waiter consumes for the other, hangs the exit here.
 *
 * argv[1]: "timed" for exeunt_cond_timedwait() with an abstime an hour
 * away, else exeunt_cond_wait().  check_waits.c runs it many times.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct sc_count waiting = SC_COUNT_INIT;
static atomic_int done;
static pthread_t broadcaster_th;
static int timed;
/* Written by each waiter before it ends; read by the hook, after the
 * shutdown joined them. */
static int rcs[2] = { -1, -1 };

static void *
waiter(void *arg)
{
	struct timespec far;
	int *rc = arg;

	clock_gettime(CLOCK_REALTIME, &far);
	far.tv_sec += 3600;
	pthread_mutex_lock(&mu);
	count_up(&waiting);
	/* Spurious wake-ups are allowed and the broadcaster makes plenty:
	 * wait again until the stop request ends the wait. */
	do {
		*rc = timed ? exeunt_cond_timedwait(&cv, &mu, &far) :
		    exeunt_cond_wait(&cv, &mu);
	} while (*rc == 0);
	pthread_mutex_unlock(&mu);
	return NULL;
}

static void *
broadcaster(void *arg)
{
	unsigned long i;

	(void)arg;
	for (i = 0; !atomic_load(&done); i++) {
		if (i % 2 == 0) {
			pthread_mutex_lock(&mu);
			pthread_cond_broadcast(&cv);
			pthread_mutex_unlock(&mu);
		} else {
			pthread_cond_broadcast(&cv);
		}
	}
	return NULL;
}

static const char *
rcname(int rc)
{
	return rc == ECANCELED ? "ECANCELED" : errname(rc);
}

/* After the join phase: both waiters have ended. */
static void
hook(void *arg)
{
	(void)arg;
	atomic_store(&done, 1);
	pthread_join(broadcaster_th, NULL);
	say("waiters: %s %s\n", rcname(rcs[0]), rcname(rcs[1]));
}

int
main(int argc, char **argv)
{
	timed = argc > 1 && strcmp(argv[1], "timed") == 0;
	sc_check("exeunt_atexit", exeunt_atexit(hook, NULL));
	if (pthread_create(&broadcaster_th, NULL, broadcaster, NULL) != 0)
		return 100;
	sc_start(0, NULL, NULL, waiter, &rcs[0]);
	sc_start(0, NULL, NULL, waiter, &rcs[1]);
	/* Both have waited once, and wake and wait again all the time. */
	count_wait(&waiting, 2);
	exit(0);
}
