/*
 * Allocation failures.  Through interpose.h this program's allocator
 * fails on demand the calling thread's allocations from the n-th one
 * on (persistent) or just the n-th (single).  Sweeping n from 1 up, each
 * of exeunt_thread_create, exeunt_thread_adopt and exeunt_atexit must
 * fail cleanly (ENOMEM; for creation also EAGAIN from pthread_create),
 * leave the registry as it was (count and walk), and succeed once the
 * allocations do.  The process then exits normally.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include "interpose.h"

#define SWEEP_MAX 64

/* Injection state of the calling thread. */
static _Thread_local long countdown;	/* 0: off; n: the n-th fails */
static _Thread_local int persistent;	/* fail every one after it too */
static _Thread_local int failing;
static _Thread_local long injected;	/* failures made */

NOT_INSTRUMENTED static int
interpose_fail(void)
{
	if (countdown > 0 && --countdown == 0) {
		failing = 1;
		injected++;
		return 1;
	}
	if (failing && persistent) {
		injected++;
		return 1;
	}
	return 0;
}

static void
inject_on(long n, int all_after)
{
	injected = 0;
	failing = 0;
	persistent = all_after;
	countdown = n;
}

static void
inject_off(void)
{
	countdown = 0;
	failing = 0;
	persistent = 0;
}

static int
visit_count(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(*(int *)arg)++;
	return 0;
}

/* The registry holds want unfinished threads, counted and walked. */
static int
consistent(size_t want)
{
	int visited = 0;

	exeunt_foreach(visit_count, &visited);
	return exeunt_count() == want && (size_t)visited == want;
}

static atomic_int hooks_registered, hooks_ran;

static void
hook_count(void *arg)
{
	(void)arg;
	atomic_fetch_add(&hooks_ran, 1);
}

/* Registered first, so it runs last. */
static void
hook_report(void *arg)
{
	(void)arg;
	if (atomic_load(&hooks_ran) == atomic_load(&hooks_registered))
		say("hooks: all ran once\n");
	else
		say("hooks: %d ran, %d registered\n", atomic_load(&hooks_ran),
		    atomic_load(&hooks_registered));
}

static void *
start_wait(void *arg)
{
	exeunt_wait_stop(NULL);
	return arg;
}

static void
terminate_quiet(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
}

static char sentinel_object;
#define SENTINEL ((exeunt_thread_t *)(void *)&sentinel_object)

/* Sweeps exeunt_thread_create(); all_after: persistent failures. */
static void
sweep_create(int all_after)
{
	exeunt_attr_t a;
	exeunt_thread_t *t;
	size_t base = exeunt_count();
	int rc = -1, first = -1, n, ok = 1;

	exeunt_attr_init(&a);
	exeunt_attr_setname(&a, "swept");
	exeunt_attr_setterminate(&a, terminate_quiet, NULL);
	for (n = 1; n <= SWEEP_MAX; n++) {
		t = SENTINEL;
		inject_on(n, all_after);
		rc = exeunt_thread_create(&t, &a, start_wait, NULL);
		inject_off();
		if (first < 0 && rc != 0)
			first = rc;
		if (rc == 0) {
			/* A single failure may have been absorbed. */
			if (!consistent(base + 1)) {
				say("create at %d: count %zu after success\n",
				    n, exeunt_count());
				ok = 0;
			}
			exeunt_thread_request_stop(t);
			exeunt_thread_join(t, NULL);
			if (injected == 0)
				break;
			continue;
		}
		if (rc != ENOMEM && rc != EAGAIN) {
			say("create at %d: %s\n", n, errname(rc));
			ok = 0;
		}
		if (t != SENTINEL) {
			say("create at %d: handle set on failure\n", n);
			ok = 0;
		}
		if (!consistent(base)) {
			say("create at %d: count %zu, want %zu\n", n,
			    exeunt_count(), base);
			ok = 0;
		}
	}
	exeunt_attr_destroy(&a);
	if (rc != 0)
		say("create: still failing after %d allocations\n", SWEEP_MAX);
	else if (ok)
		say("create (%s): fails cleanly, first %s, then succeeds\n",
		    all_after ? "all after n" : "the n-th", errname(first));
}

struct adopt_sweep {
	int ok, first, rc;
};

static void *
sweep_adopt(void *arg)
{
	struct adopt_sweep *s = arg;
	size_t base = exeunt_count();
	int n;

	s->ok = 1;
	s->first = -1;
	for (n = 1; n <= SWEEP_MAX; n++) {
		inject_on(n, 1);
		s->rc = exeunt_thread_adopt(NULL);
		inject_off();
		if (s->rc == 0)
			break;
		if (s->first < 0)
			s->first = s->rc;
		if (s->rc != ENOMEM) {
			say("adopt at %d: %s\n", n, errname(s->rc));
			s->ok = 0;
		}
		if (exeunt_thread_self() != NULL || !consistent(base)) {
			say("adopt at %d: registered after failing\n", n);
			s->ok = 0;
		}
	}
	if (s->rc == 0) {
		if (exeunt_thread_self() == NULL || !consistent(base + 1)) {
			say("adopt: not registered after success\n");
			s->ok = 0;
		}
		exeunt_thread_release();
	}
	return NULL;
}

static void
sweep_atexit(void)
{
	int rc = 0, n;

	/* Every allocation fails: registration must fail at some point
	 * (a library may keep a few static slots first). */
	for (n = 0; n < SWEEP_MAX * 4; n++) {
		inject_on(1, 1);
		rc = exeunt_atexit(hook_count, NULL);
		inject_off();
		if (rc != 0)
			break;
		atomic_fetch_add(&hooks_registered, 1);
	}
	if (rc != ENOMEM) {
		say("atexit with no memory: %s after %d\n", errname(rc), n);
		return;
	}
	rc = exeunt_atexit(hook_count, NULL);
	if (rc != 0) {
		say("atexit after the failure: %s\n", errname(rc));
		return;
	}
	atomic_fetch_add(&hooks_registered, 1);
	say("atexit: fails cleanly with ENOMEM, then succeeds\n");
}

static void *
worker(void *arg)
{
	(void)arg;
	exeunt_wait_stop(NULL);
	return NULL;
}

int
main(void)
{
	struct adopt_sweep s;
	pthread_t raw;

	free(malloc(1));	/* resolve the real functions first */
	exeunt_atexit(hook_report, NULL);
	sweep_create(1);
	sweep_create(0);
	if (pthread_create(&raw, NULL, sweep_adopt, &s) != 0)
		return 100;
	pthread_join(raw, NULL);
	if (s.rc != 0)
		say("adopt: still failing after %d allocations\n", SWEEP_MAX);
	else if (s.ok)
		say("adopt: fails cleanly, first %s, then succeeds\n",
		    errname(s.first));
	sweep_atexit();
	sc_start(0, terminate_say, "worker", worker, NULL);
	say("main exits\n");
	return 0;
}
