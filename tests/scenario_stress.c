/*
 * Thousands of threads created and finished by several threads, adopted
 * and released by another, stopped by their creators, while main calls
 * exit() midway.  After the coordinator: no thread is registered, every
 * created thread has returned, no terminate callback ran twice, every
 * long-lived thread (alive when first asked to stop) had its callback
 * exactly once, creation failed only with ESHUTDOWN, the hook ran once.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <stdatomic.h>

#define CREATORS 4
#define POOL 40000
#define LONG_MAX_LIVE 8
#define EXIT_AFTER 2000

struct entry {
	atomic_int calls;
	atomic_int returned;
	int is_long;
	int created;	/* set by its creator once created */
};

static struct entry pool[POOL];
static atomic_int used;
static atomic_int created;
static atomic_int hooks;
static atomic_int bad_rc;
static pthread_t creators[CREATORS], adopter_th;

static void
terminate_count(exeunt_thread_t *t, void *arg)
{
	(void)t;
	atomic_fetch_add(&((struct entry *)arg)->calls, 1);
}

static void
hook_once(void *arg)
{
	(void)arg;
	atomic_fetch_add(&hooks, 1);
	say("hook\n");
}

static void *
short_main(void *arg)
{
	atomic_store(&((struct entry *)arg)->returned, 1);
	return NULL;
}

static void *
long_main(void *arg)
{
	exeunt_wait_stop(NULL);
	atomic_store(&((struct entry *)arg)->returned, 1);
	return NULL;
}

static void *
creator(void *arg)
{
	exeunt_thread_t *live[LONG_MAX_LIVE], *t;
	exeunt_attr_t a;
	struct entry *e;
	int nlive = 0, i, rc, idx;
	unsigned n;

	(void)arg;
	for (n = 0;; n++) {
		idx = atomic_fetch_add(&used, 1);
		if (idx >= POOL)
			break;
		e = &pool[idx];
		e->is_long = n % 4 == 0;
		exeunt_attr_init(&a);
		exeunt_attr_setdaemon(&a, 0);
		exeunt_attr_setterminate(&a, terminate_count, e);
		rc = exeunt_thread_create(&t, &a, e->is_long ? long_main :
		    short_main, e);
		exeunt_attr_destroy(&a);
		if (rc == ESHUTDOWN)
			break;
		if (rc != 0) {
			atomic_store(&bad_rc, rc);
			break;
		}
		e->created = 1;
		atomic_fetch_add(&created, 1);
		if (!e->is_long) {
			if (n % 3 == 0)
				exeunt_thread_detach(t);
			else
				exeunt_thread_join(t, NULL);
			continue;
		}
		if (nlive == LONG_MAX_LIVE) {
			/* Races with the shutdown's own stop request. */
			exeunt_thread_request_stop(live[0]);
			exeunt_thread_join(live[0], NULL);
			memmove(live, live + 1, sizeof live[0] * --nlive);
		}
		live[nlive++] = t;
	}
	for (i = 0; i < nlive; i++)
		exeunt_thread_join(live[i], NULL);
	return NULL;
}

static struct entry adopted;

static void *
adopter(void *arg)
{
	exeunt_attr_t a;
	int rc;

	(void)arg;
	exeunt_attr_init(&a);
	exeunt_attr_setterminate(&a, terminate_count, &adopted);
	while ((rc = exeunt_thread_adopt(&a)) == 0)
		exeunt_thread_release();
	if (rc != ESHUTDOWN)
		atomic_store(&bad_rc, rc);
	exeunt_attr_destroy(&a);
	return NULL;
}

/* Registered before the first exeunt call: runs after the coordinator. */
static void
check(void)
{
	int i, n, problems = 0;

	for (i = 0; i < CREATORS; i++)
		pthread_join(creators[i], NULL);
	pthread_join(adopter_th, NULL);
	n = atomic_load(&used);
	if (n > POOL)
		n = POOL;
	if (exeunt_count() != 0) {
		say("count %zu after the shutdown\n", exeunt_count());
		problems++;
	}
	if (atomic_load(&bad_rc) != 0) {
		say("unexpected error %s\n", errname(atomic_load(&bad_rc)));
		problems++;
	}
	if (atomic_load(&hooks) != 1) {
		say("hook ran %d times\n", atomic_load(&hooks));
		problems++;
	}
	if (atomic_load(&adopted.calls) > 1) {
		say("adopted thread's callback ran %d times\n",
		    atomic_load(&adopted.calls));
		problems++;
	}
	for (i = 0; i < n && problems < 10; i++) {
		struct entry *e = &pool[i];
		int calls = atomic_load(&e->calls);

		/* Entries whose creation was refused never ran. */
		if (!e->created)
			continue;
		if (!atomic_load(&e->returned)) {
			say("thread %d has not returned\n", i);
			problems++;
		}
		if (calls > 1 || (e->is_long && calls != 1)) {
			say("thread %d (%s): callback ran %d times\n", i,
			    e->is_long ? "long" : "short", calls);
			problems++;
		}
	}
	if (problems == 0)
		say("stress: ok\n");
}

int
main(void)
{
	struct timespec d = sc_deadline();
	int exit_after, i;

	atexit(check);
	exeunt_atexit(hook_once, NULL);
	for (i = 0; i < CREATORS; i++)
		if (pthread_create(&creators[i], NULL, creator, NULL) != 0)
			return 100;
	if (pthread_create(&adopter_th, NULL, adopter, NULL) != 0)
		return 100;
	/* Fewer under the sanitizers and valgrind (see check_robust.c). */
	exit_after = (int)(EXIT_AFTER / sc_scale());
	if (exit_after < 100)
		exit_after = 100;
	while (atomic_load(&created) < exit_after && !sc_passed(&d))
		sc_pause();
	say("main exits\n");
	exit(0);
}
