/*
 * Shutdown: exeunt_shutdown(3), exeunt_atexit(3), exeunt_phase(3) in this
 * process, and exit-time behaviour in scenario programs run as children.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "tests.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* An event log shared by callbacks and hooks, in call order. */
#define LOG_MAX 32
struct log {
	pthread_mutex_t mu;
	int n;
	int item[LOG_MAX];
	int phase[LOG_MAX];
	pthread_t caller[LOG_MAX];
};

static struct log events;

static void
log_reset(void)
{
	pthread_mutex_init(&events.mu, NULL);
	events.n = 0;
}

static void
log_add(int item)
{
	pthread_mutex_lock(&events.mu);
	if (events.n < LOG_MAX) {
		events.item[events.n] = item;
		events.phase[events.n] = (int)exeunt_phase();
		events.caller[events.n] = pthread_self();
	}
	events.n++;
	pthread_mutex_unlock(&events.mu);
}

static void
assert_log(const int *want, int n)
{
	int i;

	ck_assert_int_eq(events.n, n);
	for (i = 0; i < n; i++)
		ck_assert_msg(events.item[i] == want[i],
		    "event %d is %d, want %d", i, events.item[i], want[i]);
}

/* Terminate callback: logs its thread's seq. */
static void
terminate_log(exeunt_thread_t *t, void *arg)
{
	(void)arg;
	log_add((int)exeunt_thread_seq(t));
}

static void
hook_log(void *arg)
{
	log_add((int)(intptr_t)arg);
}

static exeunt_thread_t *
create_with(int daemon, exeunt_terminate_fn fn, void *fn_arg,
    void *(*start)(void *), void *arg)
{
	exeunt_attr_t a;
	exeunt_thread_t *t;

	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	if (daemon >= 0)
		ck_assert_int_eq(exeunt_attr_setdaemon(&a, daemon), 0);
	if (fn != NULL)
		ck_assert_int_eq(exeunt_attr_setterminate(&a, fn, fn_arg), 0);
	t = create_or_fail(&a, start, arg);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	return t;
}

/* A raw thread that runs exeunt_shutdown(). */
struct coord {
	pthread_t th;
	struct gate calling;
	struct gate returned;
	pid_t tid;
	int rc;
	int phase_after;
};

static void *
start_coord(void *arg)
{
	struct coord *c = arg;

	c->tid = test_gettid();
	gate_open(&c->calling);
	c->rc = exeunt_shutdown();
	c->phase_after = (int)exeunt_phase();
	gate_open(&c->returned);
	return c;
}

static void
coord_start(struct coord *c)
{
	memset(c, 0, sizeof *c);
	gate_init(&c->calling);
	gate_init(&c->returned);
	c->rc = c->phase_after = -1;
	c->th = start_raw(start_coord, c);
	gate_wait(&c->calling);
}

/* A thread that, once told to stop, is held until the test lets it go. */
struct held {
	struct gate woken;
	struct gate hold;
	atomic_int done;
};

static void
held_init(struct held *h)
{
	memset(h, 0, sizeof *h);
	gate_init(&h->woken);
	gate_init(&h->hold);
}

static void *
start_held(void *arg)
{
	struct held *h = arg;

	exeunt_wait_stop(NULL);
	gate_open(&h->woken);
	gate_wait(&h->hold);
	atomic_store(&h->done, 1);
	return h;
}

/* The coordinator c is blocked in the join phase and has not returned. */
static void
assert_coordinator_waiting(struct coord *c)
{
	ck_assert_msg(wait_phase(EXEUNT_JOINING), "phase %d, not JOINING",
	    (int)exeunt_phase());
	ck_assert_msg(wait_until_sleeping(c->tid),
	    "the coordinator never blocked");
	ck_assert_int_eq((int)exeunt_phase(), EXEUNT_JOINING);
	ck_assert_msg(!gate_is_open(&c->returned),
	    "exeunt_shutdown returned while a non-daemon thread ran");
}

START_TEST(shutdown_phases_once)
{
	ck_assert_int_eq((int)exeunt_phase(), EXEUNT_RUNNING);
	ck_assert_int_eq(exeunt_stop_requested(), 0);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq((int)exeunt_phase(), EXEUNT_DONE);
	ck_assert_int_eq(exeunt_stop_requested(), 1);
	ck_assert_int_eq(exeunt_wait_stop(NULL), 0);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq((int)exeunt_phase(), EXEUNT_DONE);
}
END_TEST

/*
 * Every registered thread, daemon or not, the calling (adopted) one
 * included, gets its stop request newest first, in the calling thread,
 * during TERMINATING; the caller is not waited for.
 */
START_TEST(shutdown_terminates_newest_first)
{
	const int want[] = { 5, 4, 3, 2, 1 };
	exeunt_thread_t *t[4];
	exeunt_attr_t a;
	int i;

	log_reset();
	t[0] = create_with(0, terminate_log, NULL, start_wait_stop, NULL);
	t[1] = create_with(1, terminate_log, NULL, start_wait_stop, NULL);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(&a, terminate_log, NULL), 0);
	ck_assert_int_eq(exeunt_thread_adopt(&a), 0);	/* seq 3 */
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	t[2] = create_with(0, terminate_log, NULL, start_wait_stop, NULL);
	t[3] = create_with(1, terminate_log, NULL, start_wait_stop, NULL);

	ck_assert_int_eq(exeunt_shutdown(), 0);
	assert_log(want, 5);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(events.phase[i], EXEUNT_TERMINATING);
		ck_assert(pthread_equal(events.caller[i], pthread_self()));
	}
	ck_assert_int_eq(exeunt_stop_requested(), 1);
	for (i = 0; i < 4; i++)
		join_or_fail(t[i]);
	ck_assert_int_eq(exeunt_thread_release(), 0);
}
END_TEST

struct flag_probe {
	int fd;
	int flag[2];
	int readable[2];
	int n;
};

static void
terminate_probe(exeunt_thread_t *t, void *arg)
{
	struct flag_probe *p = arg;
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

	(void)t;
	if (p->n < 2) {
		p->flag[p->n] = exeunt_stop_requested();
		p->readable[p->n] = poll(&pfd, 1, 0) == 1;
	}
	p->n++;
}

/* The process-wide flag and fd are set before the first stop request. */
START_TEST(shutdown_sets_process_flag_first)
{
	struct flag_probe p;
	exeunt_thread_t *t[2];

	memset(&p, 0, sizeof p);
	p.fd = exeunt_stop_fd();
	ck_assert_int_ge(p.fd, 0);
	t[0] = create_with(0, terminate_probe, &p, start_wait_stop, NULL);
	t[1] = create_with(0, terminate_probe, &p, start_wait_stop, NULL);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq(p.n, 2);
	ck_assert_int_eq(p.flag[0], 1);
	ck_assert_int_eq(p.readable[0], 1);
	ck_assert_int_eq(p.flag[1], 1);
	join_or_fail(t[0]);
	join_or_fail(t[1]);
}
END_TEST

static struct held *hook_probe_held;
static int hook_saw_done = -1;

static void
hook_check_done(void *arg)
{
	(void)arg;
	hook_saw_done = atomic_load(&hook_probe_held->done);
}

/*
 * The join phase waits for non-daemon threads, joinable (loop 0) or
 * detached (loop 1): exeunt_shutdown() stays in JOINING while one is
 * held, and the hooks run after it finished.
 */
START_TEST(shutdown_waits_for_nondaemon)
{
	struct coord c;
	struct held h;
	exeunt_thread_t *t;

	held_init(&h);
	hook_probe_held = &h;
	ck_assert_int_eq(exeunt_atexit(hook_check_done, NULL), 0);
	t = create_with(0, NULL, NULL, start_held, &h);
	if (_i == 1)
		ck_assert_int_eq(exeunt_thread_detach(t), 0);
	coord_start(&c);
	gate_wait(&h.woken);
	assert_coordinator_waiting(&c);
	ck_assert_int_eq(hook_saw_done, -1);
	gate_open(&h.hold);
	join_raw(c.th);
	ck_assert_int_eq(c.rc, 0);
	ck_assert_int_eq(c.phase_after, EXEUNT_DONE);
	ck_assert_int_eq(hook_saw_done, 1);
	if (_i == 0)
		ck_assert_ptr_eq(join_or_fail(t), &h);
}
END_TEST

struct term_count {
	atomic_int calls;
};

static void
terminate_count(exeunt_thread_t *t, void *arg)
{
	(void)t;
	atomic_fetch_add(&((struct term_count *)arg)->calls, 1);
}

/* Daemon threads are stopped but not waited for. */
START_TEST(shutdown_skips_daemon)
{
	struct term_count tc = { 0 };
	exeunt_thread_t *t;
	struct held h;

	held_init(&h);
	t = create_with(1, terminate_count, &tc, start_held, &h);
	/* Would hang here if the daemon were waited for. */
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq(atomic_load(&tc.calls), 1);
	ck_assert_int_eq(atomic_load(&h.done), 0);
	gate_open(&h.hold);
	ck_assert_ptr_eq(join_or_fail(t), &h);
}
END_TEST

/* Unregistered threads are never waited for. */
START_TEST(shutdown_skips_unregistered)
{
	struct gate hold;
	pthread_t r;

	gate_init(&hold);
	r = start_raw(start_wait_gate, &hold);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq((int)exeunt_phase(), EXEUNT_DONE);
	gate_open(&hold);
	join_raw(r);
}
END_TEST

struct adopted_worker {
	struct gate adopted;
	struct gate released;
	struct gate woken;
	struct gate hold;
	struct gate hold_after;
	struct term_count tc;
	int adopt_rc, release_rc;
	int release;		/* 1: release; 0: just return */
};

static void *
start_adopted_worker(void *arg)
{
	struct adopted_worker *w = arg;
	exeunt_attr_t a;

	exeunt_attr_init(&a);
	exeunt_attr_setterminate(&a, terminate_count, &w->tc);
	w->adopt_rc = exeunt_thread_adopt(&a);
	exeunt_attr_destroy(&a);
	gate_open(&w->adopted);
	exeunt_wait_stop(NULL);
	if (!w->release)
		return w;
	gate_open(&w->woken);
	gate_wait(&w->hold);
	w->release_rc = exeunt_thread_release();
	gate_open(&w->released);
	/* Still running, but no longer waited for. */
	gate_wait(&w->hold_after);
	return w;
}

static void
adopted_worker_init(struct adopted_worker *w, int release)
{
	memset(w, 0, sizeof *w);
	gate_init(&w->adopted);
	gate_init(&w->released);
	gate_init(&w->woken);
	gate_init(&w->hold);
	gate_init(&w->hold_after);
	w->adopt_rc = w->release_rc = -1;
	w->release = release;
}

/* An adopted thread is waited for until it releases itself. */
START_TEST(shutdown_waits_adopted_until_release)
{
	struct adopted_worker w;
	struct coord c;
	pthread_t r;

	adopted_worker_init(&w, 1);
	r = start_raw(start_adopted_worker, &w);
	gate_wait(&w.adopted);
	ck_assert_int_eq(w.adopt_rc, 0);
	coord_start(&c);
	gate_wait(&w.woken);
	assert_coordinator_waiting(&c);
	/* The terminate phase, callbacks included, is over. */
	ck_assert_int_eq(atomic_load(&w.tc.calls), 1);
	gate_open(&w.hold);
	/* Returns while the released thread is still running. */
	join_raw(c.th);
	ck_assert_int_eq(c.rc, 0);
	gate_wait(&w.released);
	ck_assert_int_eq(w.release_rc, 0);
	gate_open(&w.hold_after);
	join_raw(r);
}
END_TEST

/* An adopted thread that ends without releasing is finished all the same. */
START_TEST(shutdown_adopted_thread_ends)
{
	struct adopted_worker w;
	pthread_t r;

	adopted_worker_init(&w, 0);
	r = start_raw(start_adopted_worker, &w);
	gate_wait(&w.adopted);
	ck_assert_int_eq(w.adopt_rc, 0);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq(atomic_load(&w.tc.calls), 1);
	ck_assert_ptr_eq(join_raw(r), &w);
}
END_TEST

static void
hook_register(void *arg)
{
	log_add((int)(intptr_t)arg);
	ck_assert_int_eq(exeunt_atexit(hook_log, (void *)(intptr_t)9), 0);
}

/* Hooks run last registered first, once per registration; one
 * registered by a running hook runs next. */
START_TEST(shutdown_hooks_lifo)
{
	const int want[] = { 2, 3, 10, 9, 2, 1 };
	int i;

	log_reset();
	ck_assert_int_eq(exeunt_atexit(hook_log, (void *)(intptr_t)1), 0);
	ck_assert_int_eq(exeunt_atexit(hook_log, (void *)(intptr_t)2), 0);
	ck_assert_int_eq(exeunt_atexit(hook_register, (void *)(intptr_t)10), 0);
	ck_assert_int_eq(exeunt_atexit(hook_log, (void *)(intptr_t)3), 0);
	ck_assert_int_eq(exeunt_atexit(hook_log, (void *)(intptr_t)2), 0);
	ck_assert_int_eq(events.n, 0);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	assert_log(want, 6);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(events.phase[i], EXEUNT_HOOKS);
		ck_assert(pthread_equal(events.caller[i], pthread_self()));
	}
	/* Done: the hooks do not run again. */
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq(events.n, 6);
}
END_TEST

/* Many hooks (more than any fixed table), still last first, each once. */
#define MANY_HOOKS 100
START_TEST(shutdown_many_hooks)
{
	int i;

	log_reset();
	for (i = 0; i < MANY_HOOKS; i++)
		ck_assert_int_eq(exeunt_atexit(hook_log, (void *)(intptr_t)i),
		    0);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq(events.n, MANY_HOOKS);
	for (i = 0; i < LOG_MAX; i++)
		ck_assert_int_eq(events.item[i], MANY_HOOKS - 1 - i);
}
END_TEST

START_TEST(atexit_errors)
{
	ck_assert_int_eq(exeunt_atexit(NULL, NULL), EINVAL);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq(exeunt_atexit(hook_log, NULL), ESHUTDOWN);
}
END_TEST

static void *
start_adopt_rc(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)exeunt_thread_adopt(NULL);
}

static char sentinel_object;
#define SENTINEL ((exeunt_thread_t *)(void *)&sentinel_object)

struct refusals {
	int term_create, term_adopt, term_atexit, term_phase;
	int hook_create, hook_atexit;
	exeunt_thread_t *term_handle, *hook_handle;
};

static struct refusals refused;

static void
terminate_try_create(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	refused.term_handle = SENTINEL;
	refused.term_create = exeunt_thread_create(&refused.term_handle, NULL,
	    start_return_arg, NULL);
	refused.term_adopt = exeunt_thread_adopt(NULL);
	refused.term_atexit = exeunt_atexit(hook_log, (void *)(intptr_t)7);
	refused.term_phase = (int)exeunt_phase();
}

static void
hook_try_create(void *arg)
{
	(void)arg;
	refused.hook_handle = SENTINEL;
	refused.hook_create = exeunt_thread_create(&refused.hook_handle, NULL,
	    start_return_arg, NULL);
	refused.hook_atexit = exeunt_atexit(hook_log, (void *)(intptr_t)8);
}

/*
 * From the terminate phase on, threads can be neither created nor
 * adopted (the handle is left alone); hooks can still be registered
 * until the shutdown is done.
 */
START_TEST(shutdown_refuses_new_threads)
{
	exeunt_thread_t *t, *h = SENTINEL;
	pthread_t r;

	log_reset();
	memset(&refused, -1, sizeof refused);
	ck_assert_int_eq(exeunt_atexit(hook_try_create, NULL), 0);
	t = create_with(0, terminate_try_create, NULL, start_wait_stop, NULL);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq(refused.term_phase, EXEUNT_TERMINATING);
	ck_assert_int_eq(refused.term_create, ESHUTDOWN);
	ck_assert_ptr_eq(refused.term_handle, SENTINEL);
	ck_assert_int_eq(refused.term_adopt, ESHUTDOWN);
	ck_assert_int_eq(refused.term_atexit, 0);
	ck_assert_int_eq(refused.hook_create, ESHUTDOWN);
	ck_assert_ptr_eq(refused.hook_handle, SENTINEL);
	ck_assert_int_eq(refused.hook_atexit, 0);
	/* 7 was registered during the terminate phase: the last one when
	 * the hooks began, then 8, registered by the running hook. */
	ck_assert_int_eq(events.n, 2);
	ck_assert_int_eq(events.item[0], 7);
	ck_assert_int_eq(events.item[1], 8);

	ck_assert_int_eq(exeunt_thread_create(&h, NULL, start_return_arg, NULL),
	    ESHUTDOWN);
	ck_assert_ptr_eq(h, SENTINEL);
	ck_assert_int_eq(exeunt_thread_adopt(NULL), ESHUTDOWN);
	r = start_raw(start_adopt_rc, NULL);
	ck_assert_int_eq((int)(intptr_t)join_raw(r), ESHUTDOWN);
	ck_assert_uint_eq(exeunt_count(), 0);
	join_or_fail(t);
}
END_TEST

static int reentrant_term = -1, reentrant_hook = -1;

static void
terminate_reenter(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	reentrant_term = exeunt_shutdown();
}

static void
hook_reenter(void *arg)
{
	(void)arg;
	reentrant_hook = exeunt_shutdown();
}

START_TEST(shutdown_reentrant_is_edeadlk)
{
	exeunt_thread_t *t;

	ck_assert_int_eq(exeunt_atexit(hook_reenter, NULL), 0);
	t = create_with(0, terminate_reenter, NULL, start_wait_stop, NULL);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq(reentrant_term, EDEADLK);
	ck_assert_int_eq(reentrant_hook, EDEADLK);
	join_or_fail(t);
}
END_TEST

/*
 * A second, unregistered thread calling exeunt_shutdown() while one runs
 * waits until it is done, then gets 0.
 */
START_TEST(shutdown_concurrent_caller_waits)
{
	struct coord c1, c2;
	struct held h;
	exeunt_thread_t *t;

	held_init(&h);
	t = create_with(0, NULL, NULL, start_held, &h);
	coord_start(&c1);
	gate_wait(&h.woken);
	assert_coordinator_waiting(&c1);
	coord_start(&c2);
	ck_assert_msg(wait_until_sleeping(c2.tid),
	    "the second caller never blocked");
	ck_assert_msg(!gate_is_open(&c2.returned),
	    "the second exeunt_shutdown returned before the first was done");
	ck_assert_int_eq((int)exeunt_phase(), EXEUNT_JOINING);
	gate_open(&h.hold);
	join_raw(c1.th);
	join_raw(c2.th);
	ck_assert_int_eq(c1.rc, 0);
	ck_assert_int_eq(c2.rc, 0);
	ck_assert_int_eq(c2.phase_after, EXEUNT_DONE);
	join_or_fail(t);
}
END_TEST

struct inner_call {
	struct gate calling;
	pid_t tid;
	int rc;
	int phase_after;
};

static void *
start_stop_then_shutdown(void *arg)
{
	struct inner_call *ic = arg;

	exeunt_wait_stop(NULL);
	ic->tid = test_gettid();
	gate_open(&ic->calling);
	ic->rc = exeunt_shutdown();
	ic->phase_after = (int)exeunt_phase();
	return ic;
}

/*
 * A registered non-daemon thread calling exeunt_shutdown() while the
 * shutdown waits for it gets EDEADLK at once (waiting would deadlock).
 */
START_TEST(shutdown_from_waited_thread_is_edeadlk)
{
	struct inner_call ic;
	exeunt_thread_t *t;

	memset(&ic, 0, sizeof ic);
	gate_init(&ic.calling);
	ic.rc = -1;
	t = create_with(0, NULL, NULL, start_stop_then_shutdown, &ic);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_ptr_eq(join_or_fail(t), &ic);
	ck_assert_int_eq(ic.rc, EDEADLK);
}
END_TEST

/*
 * A registered daemon thread is not waited for, so it may wait: its
 * exeunt_shutdown() returns 0 once the running shutdown is done.
 */
START_TEST(shutdown_from_daemon_waits)
{
	struct inner_call ic;
	struct coord c;
	struct held h;
	exeunt_thread_t *d, *n;

	memset(&ic, 0, sizeof ic);
	gate_init(&ic.calling);
	ic.rc = ic.phase_after = -1;
	held_init(&h);
	d = create_with(1, NULL, NULL, start_stop_then_shutdown, &ic);
	n = create_with(0, NULL, NULL, start_held, &h);
	coord_start(&c);
	gate_wait(&h.woken);
	gate_wait(&ic.calling);
	assert_coordinator_waiting(&c);
	ck_assert_msg(wait_until_sleeping(ic.tid),
	    "the daemon's exeunt_shutdown never blocked");
	gate_open(&h.hold);
	join_raw(c.th);
	ck_assert_int_eq(c.rc, 0);
	ck_assert_ptr_eq(join_or_fail(d), &ic);
	ck_assert_int_eq(ic.rc, 0);
	ck_assert_int_eq(ic.phase_after, EXEUNT_DONE);
	join_or_fail(n);
}
END_TEST

struct self_coord {
	struct term_count own;
	struct held *other;
	int rc, phase_after, flag, other_done;
	pthread_t caller;
};

static void
terminate_note_caller(exeunt_thread_t *t, void *arg)
{
	struct self_coord *s = arg;

	(void)t;
	s->caller = pthread_self();
	atomic_fetch_add(&s->own.calls, 1);
}

static void *
start_self_coord(void *arg)
{
	struct self_coord *s = arg;

	s->rc = exeunt_shutdown();
	s->phase_after = (int)exeunt_phase();
	s->flag = exeunt_stop_requested();
	s->other_done = atomic_load(&s->other->done);
	return s;
}

/*
 * A registered thread that calls exeunt_shutdown() coordinates: it gets
 * its own stop request and callback, waits for the others, not itself.
 */
START_TEST(shutdown_from_registered_thread)
{
	struct self_coord s;
	struct held h;
	exeunt_thread_t *t, *n;
	pthread_t pt;

	memset(&s, 0, sizeof s);
	held_init(&h);
	s.other = &h;
	s.rc = s.phase_after = s.flag = s.other_done = -1;
	gate_open(&h.hold);	/* the other finishes as soon as stopped */
	n = create_with(0, NULL, NULL, start_held, &h);
	t = create_with(0, terminate_note_caller, &s, start_self_coord, &s);
	pt = exeunt_thread_pthread(t);
	ck_assert_ptr_eq(join_or_fail(t), &s);
	ck_assert_int_eq(s.rc, 0);
	ck_assert_int_eq(s.phase_after, EXEUNT_DONE);
	ck_assert_int_eq(s.flag, 1);
	ck_assert_int_eq(s.other_done, 1);
	ck_assert_int_eq(atomic_load(&s.own.calls), 1);
	ck_assert(pthread_equal(s.caller, pt));
	join_or_fail(n);
}
END_TEST

struct walker {
	exeunt_thread_t *oldest;
	size_t count;
	int visited;
};

static struct walker walk_probe;

static int
visit_one(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(*(int *)arg)++;
	return 0;
}

static void
terminate_walk(exeunt_thread_t *t, void *arg)
{
	(void)arg;
	log_add((int)exeunt_thread_seq(t));
	walk_probe.count = exeunt_count();
	exeunt_foreach(visit_one, &walk_probe.visited);
	/* Stopping the oldest now: the shutdown must not call it again. */
	exeunt_thread_request_stop(walk_probe.oldest);
}

/*
 * Callbacks run with no lock held during the shutdown too: the newest
 * one walks the registry and stops the oldest, whose callback then does
 * not run a second time.
 */
START_TEST(shutdown_callbacks_use_library)
{
	const int want[] = { 3, 1, 2 };
	exeunt_thread_t *t[3];
	struct gate hold;
	int i;

	log_reset();
	gate_init(&hold);
	memset(&walk_probe, 0, sizeof walk_probe);
	/* Daemons that ignore the request: all unfinished during the walk. */
	t[0] = create_with(1, terminate_log, NULL, start_wait_gate, &hold);
	t[1] = create_with(1, terminate_log, NULL, start_wait_gate, &hold);
	t[2] = create_with(1, terminate_walk, NULL, start_wait_gate, &hold);
	walk_probe.oldest = t[0];
	ck_assert_int_eq(exeunt_shutdown(), 0);
	assert_log(want, 3);
	ck_assert_uint_eq(walk_probe.count, 3);
	ck_assert_int_eq(walk_probe.visited, 3);
	gate_open(&hold);
	for (i = 0; i < 3; i++)
		join_or_fail(t[i]);
}
END_TEST

/* Scenario programs ------------------------------------------------- */

#define OUT_MAX 8192

struct outcome {
	int status;
	int hung;
	char out[OUT_MAX];
	size_t outlen;
	char err[OUT_MAX];
	size_t errlen;
};

static void
drain(int *fd, char *buf, size_t *len)
{
	char scratch[512];
	ssize_t n;

	n = read(*fd, scratch, sizeof scratch);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	if (*len + (size_t)n >= OUT_MAX)
		n = (ssize_t)(OUT_MAX - 1 - *len);
	memcpy(buf + *len, scratch, (size_t)n);
	*len += (size_t)n;
	buf[*len] = '\0';
}

/* Runs BUILDDIR/prog [arg], collecting stdout and stderr until it ends or
 * the deadline passes (then it is killed and marked hung). */
static void
run_scenario(const char *prog, const char *arg, struct outcome *o)
{
	char path[PATH_MAX];
	char *argv[3];
	posix_spawn_file_actions_t fa;
	struct timespec deadline;
	int out[2], err[2], rc;
	pid_t pid, w;

	memset(o, 0, sizeof *o);
	snprintf(path, sizeof path, "%s/%s", BUILDDIR, prog);
	argv[0] = path;
	argv[1] = (char *)arg;
	argv[2] = NULL;
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(err, O_CLOEXEC), 0);
	ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
	ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, out[1], 1), 0);
	ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, err[1], 2), 0);
	rc = posix_spawn(&pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	ck_assert_msg(rc == 0, "posix_spawn %s: %s", path, strerror(rc));
	close(out[1]);
	close(err[1]);

	deadline = deadline_in(POLL_DEADLINE_MS);
	while (out[0] >= 0 || err[0] >= 0) {
		struct pollfd p[2] = {
			{ .fd = out[0], .events = POLLIN },
			{ .fd = err[0], .events = POLLIN },
		};

		if (deadline_passed(&deadline)) {
			o->hung = 1;
			break;
		}
		if (poll(p, 2, 50) <= 0)
			continue;
		if (p[0].revents != 0)
			drain(&out[0], o->out, &o->outlen);
		if (p[1].revents != 0)
			drain(&err[0], o->err, &o->errlen);
	}
	if (o->hung)
		kill(pid, SIGKILL);
	for (;;) {
		w = waitpid(pid, &o->status, o->hung ? 0 : WNOHANG);
		if (w == pid)
			break;
		if (w < 0) {
			ck_assert_msg(errno == EINTR, "waitpid: %s",
			    strerror(errno));
			continue;
		}
		if (deadline_passed(&deadline)) {
			o->hung = 1;
			kill(pid, SIGKILL);
			continue;
		}
		poll_pause();
	}
	if (out[0] >= 0)
		close(out[0]);
	if (err[0] >= 0)
		close(err[0]);
}

static void
check_scenario(const char *prog, const char *arg, const char *want,
    int want_status)
{
	struct outcome o;

	run_scenario(prog, arg, &o);
	ck_assert_msg(!o.hung, "%s hung and was killed; output:\n%s%s", prog,
	    o.out, o.err);
	ck_assert_msg(WIFEXITED(o.status), "%s died of signal %d; output:\n%s%s",
	    prog, WIFSIGNALED(o.status) ? WTERMSIG(o.status) : 0, o.out, o.err);
	ck_assert_msg(strcmp(o.out, want) == 0,
	    "%s printed:\n%s--- instead of:\n%s---", prog, o.out, want);
	ck_assert_msg(WEXITSTATUS(o.status) == want_status,
	    "%s exit status %d, want %d", prog, WEXITSTATUS(o.status),
	    want_status);
	ck_assert_msg(o.errlen == 0, "%s wrote to stderr:\n%s", prog, o.err);
}

/*
 * The shutdown runs before every atexit handler, the one registered after
 * the first exeunt call included, when main calls exit() (_i 0) and when
 * it returns (_i 1).
 */
START_TEST(exit_order)
{
	static const char shutdown_first[] =
	    "terminate idler\n"
	    "terminate worker\n"
	    "worker done\n"
	    "hook 2\n"
	    "hook 1\n"
	    "atexit after: DONE, 0 running\n"
	    "atexit before: DONE, joins 0 0\n";
	char want[512];

	snprintf(want, sizeof want, "%s\n%s",
	    _i == 0 ? "main exits" : "main returns", shutdown_first);
	check_scenario("scenario_order", _i == 0 ? "exit" : NULL, want, 0);
}
END_TEST

START_TEST(exit_daemon_not_waited)
{
	check_scenario("scenario_daemon", NULL,
	    "child daemon: 1\n"
	    "main exits\n"
	    "terminate daemon\n"
	    "hook 1\n", 6);
}
END_TEST

START_TEST(exit_detached_waited)
{
	check_scenario("scenario_detached", NULL,
	    "detach: 0\n"
	    "main returns\n"
	    "terminate detached\n"
	    "detached done\n"
	    "hook 1\n", 0);
}
END_TEST

START_TEST(exit_from_registered_thread)
{
	check_scenario("scenario_exit_thread", NULL,
	    "quitter calls exit\n"
	    "terminate quitter\n"
	    "terminate worker\n"
	    "worker done\n"
	    "hook 1\n"
	    "main woke: wait_stop 0, stop_requested 1, fd readable 1\n"
	    "join worker: 0\n", 4);
}
END_TEST

START_TEST(exit_after_shutdown_repeats_nothing)
{
	check_scenario("scenario_shutdown_exit", NULL,
	    "shutdown\n"
	    "terminate worker\n"
	    "worker done\n"
	    "hook 1\n"
	    "shutdown: 0, DONE\n"
	    "create: ESHUTDOWN\n"
	    "adopt: ESHUTDOWN\n"
	    "atexit: ESHUTDOWN\n"
	    "shutdown again: 0\n"
	    "join: 0\n"
	    "main exits\n"
	    "atexit after: DONE\n", 5);
}
END_TEST

START_TEST(exit_reentrant_calls)
{
	check_scenario("scenario_reentrant", NULL,
	    "main returns\n"
	    "terminate: shutdown EDEADLK, create ESHUTDOWN, atexit 0, "
	    "TERMINATING\n"
	    "hook from callback\n"
	    "hook reenter: shutdown EDEADLK, atexit 0, HOOKS\n"
	    "hook from hook\n"
	    "hook first\n", 0);
}
END_TEST

START_TEST(exit_concurrent_shutdown_waits)
{
	check_scenario("scenario_concurrent", NULL,
	    "main returns\n"
	    "terminate worker\n"
	    "worker done\n"
	    "hook 1\n"
	    "other: shutdown 0, DONE\n", 0);
}
END_TEST

START_TEST(exit_fires_unregistered_stop)
{
	check_scenario("scenario_unregistered", NULL,
	    "stop_requested: 0\n"
	    "main returns\n"
	    "hook 1\n"
	    "watcher: poll 1 POLLIN, wait_stop 0, stop_requested 1, "
	    "same fd 1\n", 0);
}
END_TEST

START_TEST(exit_adopted_threads)
{
	check_scenario("scenario_adopt", NULL,
	    "main adopted: 0\n"
	    "raw adopted: 0\n"
	    "main returns\n"
	    "terminate raw\n"
	    "terminate main\n"
	    "raw releases\n"
	    "hook 1\n", 0);
}
END_TEST

START_TEST(exit_without_exeunt)
{
	check_scenario("scenario_noexeunt", NULL,
	    "main returns\n"
	    "atexit\n", 3);
}
END_TEST

START_TEST(exit_after_queries_only)
{
	check_scenario("scenario_noexeunt", "query",
	    "phase RUNNING, count 0, self NULL, stop_requested 0\n"
	    "main returns\n"
	    "atexit: RUNNING\n", 3);
}
END_TEST

START_TEST(underscore_exit_skips_coordinator)
{
	check_scenario("scenario_noexeunt", "_exit",
	    "main calls _exit\n", 2);
}
END_TEST

Suite *
make_exit_suite(void)
{
	Suite *s = suite_create("exit");
	TCase *sh = tcase_create("shutdown");
	TCase *sc = tcase_create("scenario");

	tcase_set_timeout(sh, UNIT_TIMEOUT);
	tcase_add_test(sh, shutdown_phases_once);
	tcase_add_test(sh, shutdown_terminates_newest_first);
	tcase_add_test(sh, shutdown_sets_process_flag_first);
	tcase_add_loop_test(sh, shutdown_waits_for_nondaemon, 0, 2);
	tcase_add_test(sh, shutdown_skips_daemon);
	tcase_add_test(sh, shutdown_skips_unregistered);
	tcase_add_test(sh, shutdown_waits_adopted_until_release);
	tcase_add_test(sh, shutdown_adopted_thread_ends);
	tcase_add_test(sh, shutdown_hooks_lifo);
	tcase_add_test(sh, shutdown_many_hooks);
	tcase_add_test(sh, atexit_errors);
	tcase_add_test(sh, shutdown_refuses_new_threads);
	tcase_add_test(sh, shutdown_reentrant_is_edeadlk);
	tcase_add_test(sh, shutdown_concurrent_caller_waits);
	tcase_add_test(sh, shutdown_from_waited_thread_is_edeadlk);
	tcase_add_test(sh, shutdown_from_daemon_waits);
	tcase_add_test(sh, shutdown_from_registered_thread);
	tcase_add_test(sh, shutdown_callbacks_use_library);
	suite_add_tcase(s, sh);

	tcase_set_timeout(sc, SCENARIO_TIMEOUT);
	tcase_add_loop_test(sc, exit_order, 0, 2);
	tcase_add_test(sc, exit_daemon_not_waited);
	tcase_add_test(sc, exit_detached_waited);
	tcase_add_test(sc, exit_from_registered_thread);
	tcase_add_test(sc, exit_after_shutdown_repeats_nothing);
	tcase_add_test(sc, exit_reentrant_calls);
	tcase_add_test(sc, exit_concurrent_shutdown_waits);
	tcase_add_test(sc, exit_fires_unregistered_stop);
	tcase_add_test(sc, exit_adopted_threads);
	tcase_add_test(sc, exit_without_exeunt);
	tcase_add_test(sc, exit_after_queries_only);
	tcase_add_test(sc, underscore_exit_skips_coordinator);
	suite_add_tcase(s, sc);
	return s;
}
