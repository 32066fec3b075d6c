/*
 * Stop callbacks and stop-aware waits: exeunt_stop_callback_push(3),
 * exeunt_cond_wait(3), exeunt_sleep(3) and exeunt_poll(3).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * The race tests run a stop request against the entry of each wait many
 * thousand times, one new registered thread per round (a stop cannot be
 * taken back): a stop that the wait misses leaves the round hanging,
 * which the round's own deadline reports.  In those loops the checks are
 * plain ifs: each Check assertion that passes writes a record for the
 * runner.
 */
#include "tests.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static struct child ch;

/* How long a thread may take to leave a wait that must have ended. */
#define END_MS 5000

/*
 * n, divided by CK_TIMEOUT_MULTIPLIER (at least min): the sanitizers and
 * valgrind, which get a multiplier, run each thread many times slower.
 */
static int
scaled(int n, int min)
{
	int m = (int)(n / test_scale());

	return m > min ? m : min;
}

static int
fd_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

static void
errorcheck_init(pthread_mutex_t *mu)
{
	pthread_mutexattr_t ma;

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(mu, &ma);
	pthread_mutexattr_destroy(&ma);
}

static void
gate_destroy(struct gate *g)
{
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
}

/* Waits for the thread to open done, then joins it; fails if it does not
 * within END_MS: what is the wait it was left in. */
static void *
join_within(exeunt_thread_t *t, struct gate *done, const char *what)
{
	ck_assert_msg(gate_wait_ms(done, END_MS) == 0,
	    "%s did not return", what);
	return join_or_fail(t);
}

static const char *
rcname(int rc)
{
	static char buf[32];

	switch (rc) {
	case 0: return "0";
	case ECANCELED: return "ECANCELED";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case EINTR: return "EINTR";
	default:
		snprintf(buf, sizeof buf, "%d", rc);
		return buf;
	}
}

/* Both sides call it; it returns once both have, so that what each
 * does next happens at about the same moment. */
static void
meet(atomic_int *arrived)
{
	unsigned spins = 0;

	atomic_fetch_add(arrived, 1);
	while (atomic_load(arrived) < 2)
		if (++spins % 256 == 0)
			sched_yield();
}

static void
spin(unsigned n)
{
	volatile unsigned i;

	for (i = 0; i < n; i++)
		continue;
}

/* A stop request made by a raw thread: started opens before it, requested
 * once it returned. */
struct held_request {
	exeunt_thread_t *t;
	pid_t tid;
	struct gate started;
	struct gate requested;
	int rc;
};

static void
held_request_init(struct held_request *h, exeunt_thread_t *t)
{
	memset(h, 0, sizeof *h);
	h->t = t;
	h->rc = -1;
	gate_init(&h->started);
	gate_init(&h->requested);
}

static void *
start_held_request(void *arg)
{
	struct held_request *h = arg;

	h->tid = test_gettid();
	gate_open(&h->started);
	h->rc = exeunt_thread_request_stop(h->t);
	gate_open(&h->requested);
	return NULL;
}

/* 1. Stop callbacks ---------------------------------------------------- */

/* What the callbacks of a test saw: who was called, in which order and
 * in which thread. */
#define LOG_MAX 8
struct calls {
	atomic_int n;
	int order[LOG_MAX];
	pthread_t caller[LOG_MAX];
};

struct rec {
	struct calls *log;
	int id;
	atomic_int count;
};

static void
rec_init(struct rec *r, struct calls *log, int id)
{
	r->log = log;
	r->id = id;
	atomic_init(&r->count, 0);
}

static void
record(void *arg)
{
	struct rec *r = arg;
	int i = atomic_fetch_add(&r->log->n, 1);

	if (i < LOG_MAX) {
		r->log->order[i] = r->id;
		r->log->caller[i] = pthread_self();
	}
	atomic_fetch_add(&r->count, 1);
}

static void
record_terminate(exeunt_thread_t *t, void *arg)
{
	(void)t;
	record(arg);
}

static exeunt_thread_t *
create_with_terminate(struct rec *term, void *(*start)(void *), void *arg)
{
	exeunt_attr_t a;
	exeunt_thread_t *t;

	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(&a, record_terminate, term),
	    0);
	t = create_or_fail(&a, start, arg);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	return t;
}

/* A registered thread that runs a script of pushes and pops around its
 * stop request. */
struct script {
	struct calls log;
	struct rec rec[3];
	struct rec term;
	exeunt_stop_callback_t cb[3];
	struct gate pushed;
	struct gate go;
	int push_rc[3];
	int pop_rc[3];
	int extra_rc;
	int repop_rc;
};

static void
script_init(struct script *s)
{
	int i;

	memset(s, 0, sizeof *s);
	atomic_init(&s->log.n, 0);
	for (i = 0; i < 3; i++) {
		rec_init(&s->rec[i], &s->log, i + 1);
		s->push_rc[i] = s->pop_rc[i] = -1;
	}
	rec_init(&s->term, &s->log, 0);
	s->extra_rc = s->repop_rc = -1;
	gate_init(&s->pushed);
	gate_init(&s->go);
}

static int
push_rec(struct script *s, int i)
{
	return exeunt_stop_callback_push(&s->cb[i], record, &s->rec[i]);
}

/* Pushes 1, 2, 3; after go, pops them in that order. */
static void *
start_push_three(void *arg)
{
	struct script *s = arg;
	int i;

	for (i = 0; i < 3; i++)
		s->push_rc[i] = push_rec(s, i);
	gate_open(&s->pushed);
	gate_wait(&s->go);
	for (i = 0; i < 3; i++)
		s->pop_rc[i] = exeunt_stop_callback_pop(&s->cb[i]);
	return s;
}

/* Popped before any stop: 0, and the callback is never called, not even
 * by the stop request that comes later. */
START_TEST(pop_before_stop_returns_0)
{
	struct script s;
	exeunt_stop_callback_t mine;
	exeunt_thread_t *t;
	int i;

	script_init(&s);
	t = create_with_terminate(&s.term, start_push_three, &s);
	gate_wait(&s.pushed);
	gate_open(&s.go);
	join_or_fail(t);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(s.push_rc[i], 0);
		ck_assert_int_eq(s.pop_rc[i], 0);
	}
	/* The thread has ended: its record is kept by the handle. */
	ck_assert_int_eq(atomic_load(&s.log.n), 0);

	/* In an unregistered thread too, with a stop request of a
	 * registered thread in between, which is not its stop. */
	memset(&mine, 0, sizeof mine);
	ck_assert_int_eq(exeunt_stop_callback_push(&mine, record, &s.rec[0]),
	    0);
	t = create_or_fail(NULL, start_wait_stop, NULL);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	join_or_fail(t);
	ck_assert_int_eq(exeunt_stop_callback_pop(&mine), 0);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq(atomic_load(&s.log.n), 0);
}
END_TEST

/* Waits for go, then pushes: the stop was requested before. */
static void *
start_push_late(void *arg)
{
	struct script *s = arg;

	gate_wait(&s->go);
	s->push_rc[0] = push_rec(s, 0);
	/* Nothing was registered, so there is nothing to pop. */
	s->pop_rc[0] = exeunt_stop_callback_pop(&s->cb[0]);
	return s;
}

START_TEST(push_after_stop_is_ecanceled)
{
	struct script s;
	exeunt_thread_t *t;

	script_init(&s);
	t = create_with_terminate(&s.term, start_push_late, &s);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	ck_assert_int_eq(atomic_load(&s.term.count), 1);
	gate_open(&s.go);
	join_or_fail(t);
	ck_assert_int_eq(s.push_rc[0], ECANCELED);
	ck_assert_int_eq(s.pop_rc[0], EINVAL);
	ck_assert_int_eq(atomic_load(&s.rec[0].count), 0);
	ck_assert_int_eq(atomic_load(&s.log.n), 1);
}
END_TEST

/*
 * A stop request runs the callbacks in the requesting thread before it
 * returns, newest push first, then the terminate callback; each once, a
 * second request calls nothing; popping a callback that ran returns
 * ECANCELED.
 */
START_TEST(request_runs_newest_first_then_terminate)
{
	struct script s;
	exeunt_thread_t *t;
	int i;

	script_init(&s);
	t = create_with_terminate(&s.term, start_push_three, &s);
	gate_wait(&s.pushed);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	ck_assert_int_eq(atomic_load(&s.log.n), 4);
	ck_assert_int_eq(s.log.order[0], 3);
	ck_assert_int_eq(s.log.order[1], 2);
	ck_assert_int_eq(s.log.order[2], 1);
	ck_assert_int_eq(s.log.order[3], 0);
	for (i = 0; i < 4; i++)
		ck_assert_msg(pthread_equal(s.log.caller[i], pthread_self()),
		    "call %d ran in another thread than the requester's", i);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	ck_assert_int_eq(atomic_load(&s.log.n), 4);
	gate_open(&s.go);
	join_or_fail(t);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(s.push_rc[i], 0);
		ck_assert_int_eq(s.pop_rc[i], ECANCELED);
		ck_assert_int_eq(atomic_load(&s.rec[i].count), 1);
	}
	ck_assert_int_eq(atomic_load(&s.term.count), 1);
}
END_TEST

struct requester {
	exeunt_thread_t *t;
	atomic_int *arrived;
	int rc;
};

static void *
start_meet_and_request(void *arg)
{
	struct requester *r = arg;

	meet(r->arrived);
	r->rc = exeunt_thread_request_stop(r->t);
	return NULL;
}

/* Two requests at the same moment: every callback runs once. */
#define CONCURRENT_ROUNDS 300
START_TEST(concurrent_requests_run_each_once)
{
	struct script s;
	struct requester r1, r2;
	atomic_int arrived;
	pthread_t p1, p2;
	int round, rounds = scaled(CONCURRENT_ROUNDS, 20), i;

	for (round = 0; round < rounds; round++) {
		script_init(&s);
		atomic_store(&arrived, 0);
		r1.t = r2.t = create_with_terminate(&s.term, start_push_three,
		    &s);
		r1.arrived = r2.arrived = &arrived;
		r1.rc = r2.rc = -1;
		gate_wait(&s.pushed);
		p1 = start_raw(start_meet_and_request, &r1);
		p2 = start_raw(start_meet_and_request, &r2);
		join_raw(p1);
		join_raw(p2);
		gate_open(&s.go);
		join_or_fail(r1.t);
		ck_assert_int_eq(r1.rc, 0);
		ck_assert_int_eq(r2.rc, 0);
		for (i = 0; i < 3; i++) {
			ck_assert_msg(atomic_load(&s.rec[i].count) == 1,
			    "round %d: callback %d ran %d times", round, i + 1,
			    atomic_load(&s.rec[i].count));
			ck_assert_int_eq(s.pop_rc[i], ECANCELED);
		}
		ck_assert_msg(atomic_load(&s.term.count) == 1,
		    "round %d: terminate callback ran %d times", round,
		    atomic_load(&s.term.count));
		gate_destroy(&s.pushed);
		gate_destroy(&s.go);
	}
}
END_TEST

/*
 * Argument errors: EINVAL for NULL or a cb not pushed (zeroed, or popped
 * already); EPERM for a pop by another thread than the pusher, which
 * leaves cb pushed.  (Pushing a pushed cb is undefined: not tested.)
 */
static void *
start_push_errors(void *arg)
{
	struct script *s = arg;
	int *rc = s->pop_rc;

	memset(s->cb, 0, sizeof s->cb);
	s->push_rc[0] = exeunt_stop_callback_push(NULL, record, &s->rec[0]);
	s->push_rc[1] = exeunt_stop_callback_push(&s->cb[0], NULL, NULL);
	rc[0] = exeunt_stop_callback_pop(NULL);
	/* Zeroed, never pushed. */
	rc[1] = exeunt_stop_callback_pop(&s->cb[1]);
	s->push_rc[2] = push_rec(s, 2);
	gate_open(&s->pushed);
	gate_wait(&s->go);
	/* Still pushed after the other thread's pop: called once. */
	rc[2] = exeunt_stop_callback_pop(&s->cb[2]);
	s->repop_rc = exeunt_stop_callback_pop(&s->cb[2]);
	return s;
}

START_TEST(push_pop_errors)
{
	struct script s;
	exeunt_thread_t *t;

	script_init(&s);
	t = create_with_terminate(&s.term, start_push_errors, &s);
	gate_wait(&s.pushed);
	ck_assert_int_eq(exeunt_stop_callback_pop(&s.cb[2]), EPERM);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	gate_open(&s.go);
	join_or_fail(t);
	ck_assert_int_eq(s.push_rc[0], EINVAL);
	ck_assert_int_eq(s.push_rc[1], EINVAL);
	ck_assert_int_eq(s.pop_rc[0], EINVAL);
	ck_assert_int_eq(s.pop_rc[1], EINVAL);
	ck_assert_int_eq(s.push_rc[2], 0);
	ck_assert_int_eq(atomic_load(&s.rec[2].count), 1);
	ck_assert_int_eq(s.pop_rc[2], ECANCELED);
	ck_assert_int_eq(s.repop_rc, EINVAL);
	ck_assert_int_eq(atomic_load(&s.log.n), 2);
	ck_assert_int_eq(s.log.order[0], 3);
	ck_assert_int_eq(s.log.order[1], 0);
}
END_TEST

/* Pushes 1, 2, 3, pops 2 (the middle one), pops 1 and pushes it again;
 * after the stop, pops 3 and 1. */
static void *
start_pop_middle(void *arg)
{
	struct script *s = arg;
	int i;

	for (i = 0; i < 3; i++)
		s->push_rc[i] = push_rec(s, i);
	s->pop_rc[1] = exeunt_stop_callback_pop(&s->cb[1]);
	/* Popped, then pushed again: now the newest. */
	s->pop_rc[0] = exeunt_stop_callback_pop(&s->cb[0]);
	s->extra_rc = push_rec(s, 0);
	gate_open(&s->pushed);
	gate_wait(&s->go);
	s->pop_rc[2] = exeunt_stop_callback_pop(&s->cb[2]);
	s->repop_rc = exeunt_stop_callback_pop(&s->cb[0]);
	return s;
}

/* Popped in any order; a popped callback pushed again runs as the newest. */
START_TEST(pop_middle_and_push_again)
{
	struct script s;
	exeunt_thread_t *t;

	script_init(&s);
	t = create_with_terminate(&s.term, start_pop_middle, &s);
	gate_wait(&s.pushed);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	gate_open(&s.go);
	join_or_fail(t);
	ck_assert_int_eq(s.push_rc[0], 0);
	ck_assert_int_eq(s.push_rc[2], 0);
	ck_assert_int_eq(s.pop_rc[1], 0);
	ck_assert_int_eq(s.pop_rc[0], 0);
	ck_assert_int_eq(s.extra_rc, 0);
	/* 1 (pushed again, newest), 3, then the terminate callback. */
	ck_assert_int_eq(atomic_load(&s.log.n), 3);
	ck_assert_int_eq(s.log.order[0], 1);
	ck_assert_int_eq(s.log.order[1], 3);
	ck_assert_int_eq(s.log.order[2], 0);
	ck_assert_int_eq(atomic_load(&s.rec[1].count), 0);
	ck_assert_int_eq(s.pop_rc[2], ECANCELED);
	ck_assert_int_eq(s.repop_rc, ECANCELED);
}
END_TEST

/* What a callback saw of the thread whose stop it is called for. */
struct seen {
	struct gate ready;
	struct gate saw_flag;
	struct gate in_fn;
	exeunt_stop_callback_t cb;
	int fd;
	int readable_in_fn;
	int flag_wait_in_fn;
	int own_flag_in_fn;
	int pop_rc;
	int saw;
};

static void
probe(void *arg)
{
	struct seen *s = arg;

	s->readable_in_fn = fd_readable(s->fd);
	s->own_flag_in_fn = exeunt_stop_requested();
	gate_open(&s->in_fn);
	/* The target sees its flag while this callback still runs. */
	s->flag_wait_in_fn = gate_wait_ms(&s->saw_flag, 3000);
}

static void *
start_probed(void *arg)
{
	struct seen *s = arg;
	struct timespec d;

	s->fd = exeunt_stop_fd();
	s->pop_rc = exeunt_stop_callback_push(&s->cb, probe, s);
	gate_open(&s->ready);
	d = deadline_in(POLL_DEADLINE_MS);
	while (!(s->saw = exeunt_stop_requested()) && !deadline_passed(&d))
		poll_pause();
	gate_open(&s->saw_flag);
	/* A pop before the request reaches the callback would take it off
	 * unrun, as it may: pop only once it runs. */
	(void)gate_wait_ms(&s->in_fn, 3000);
	if (s->pop_rc == 0)
		s->pop_rc = exeunt_stop_callback_pop(&s->cb);
	return s;
}

/*
 * By the time a callback runs (in the requester), the target's stop flag
 * is set (the target, polling exeunt_stop_requested(), sees it while the
 * callback waits for it) and its stop fd is readable.
 */
START_TEST(flag_and_fd_set_before_callback)
{
	struct seen s;
	exeunt_thread_t *t;

	memset(&s, 0, sizeof s);
	s.fd = s.readable_in_fn = s.flag_wait_in_fn = -1;
	s.own_flag_in_fn = s.pop_rc = -1;
	gate_init(&s.ready);
	gate_init(&s.saw_flag);
	gate_init(&s.in_fn);
	t = create_or_fail(NULL, start_probed, &s);
	gate_wait(&s.ready);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	join_or_fail(t);
	ck_assert_int_eq(s.saw, 1);
	ck_assert_int_eq(s.readable_in_fn, 1);
	ck_assert_msg(s.flag_wait_in_fn == 0, "the target did not see its "
	    "stop flag set while its callback ran");
	/* The requester's own flag is its own. */
	ck_assert_int_eq(s.own_flag_in_fn, 0);
	ck_assert_int_eq(s.pop_rc, ECANCELED);
}
END_TEST

/* pop and a callback that runs in another thread. */
struct popwait {
	exeunt_stop_callback_t cb;
	struct gate pushed, entered, release, go_pop;
	atomic_int fn_returned, popping, popped;
	exeunt_thread_t *t;
	pid_t tid;
	int pop_rc;
	int returned_at_pop;
};

static void
blocking_fn(void *arg)
{
	struct popwait *p = arg;

	gate_open(&p->entered);
	gate_wait(&p->release);
	atomic_store(&p->fn_returned, 1);
}

static void *
start_pops_while_running(void *arg)
{
	struct popwait *p = arg;

	p->tid = test_gettid();
	p->pop_rc = exeunt_stop_callback_push(&p->cb, blocking_fn, p);
	gate_open(&p->pushed);
	gate_wait(&p->go_pop);
	atomic_store(&p->popping, 1);
	p->pop_rc = exeunt_stop_callback_pop(&p->cb);
	p->returned_at_pop = atomic_load(&p->fn_returned);
	atomic_store(&p->popped, 1);
	return p;
}

/*
 * pop of a callback running in another thread returns only once it has
 * returned (ECANCELED), so that the caller may free what it uses.
 */
START_TEST(pop_waits_for_running_callback)
{
	struct popwait p;
	struct held_request h;
	struct timespec d;
	pthread_t r;

	memset(&p, 0, sizeof p);
	p.pop_rc = p.returned_at_pop = -1;
	gate_init(&p.pushed);
	gate_init(&p.entered);
	gate_init(&p.release);
	gate_init(&p.go_pop);
	p.t = create_or_fail(NULL, start_pops_while_running, &p);
	gate_wait(&p.pushed);
	held_request_init(&h, p.t);
	r = start_raw(start_held_request, &h);
	gate_wait(&p.entered);
	gate_open(&p.go_pop);

	/* A bounded look, not synchronisation: the popping thread gets
	 * into pop and stays there while the callback is held. */
	d = deadline_in(POLL_DEADLINE_MS);
	while (!atomic_load(&p.popping) && !deadline_passed(&d))
		poll_pause();
	d = deadline_in(200);
	while (!atomic_load(&p.popped) && thread_state(p.tid) != 'S' &&
	    !deadline_passed(&d))
		poll_pause();
	ck_assert_msg(!atomic_load(&p.popped), "pop returned while the "
	    "callback was still running");

	gate_open(&p.release);
	join_raw(r);
	join_or_fail(p.t);
	ck_assert_int_eq(h.rc, 0);
	ck_assert_int_eq(p.pop_rc, ECANCELED);
	ck_assert_msg(p.returned_at_pop == 1, "pop returned before the "
	    "callback did");
}
END_TEST

struct selfpop {
	exeunt_stop_callback_t cb;
	struct gate done;
	struct gate go;
	atomic_int calls;
	int pop_in_fn;
	int req_rc;
	int pop_after;
	int pop_final;
};

static void
pop_own_cb(void *arg)
{
	struct selfpop *s = arg;

	atomic_fetch_add(&s->calls, 1);
	s->pop_in_fn = exeunt_stop_callback_pop(&s->cb);
}

static void *
start_stops_itself(void *arg)
{
	struct selfpop *s = arg;

	s->req_rc = exeunt_stop_callback_push(&s->cb, pop_own_cb, s);
	if (s->req_rc == 0)
		s->req_rc = exeunt_thread_request_stop(exeunt_thread_self());
	/* Popped by the callback already. */
	s->pop_after = exeunt_stop_callback_pop(&s->cb);
	gate_open(&s->done);
	return s;
}

static void
selfpop_init(struct selfpop *s)
{
	memset(s, 0, sizeof *s);
	s->pop_in_fn = s->req_rc = s->pop_after = s->pop_final = -1;
	gate_init(&s->done);
	gate_init(&s->go);
}

/*
 * A callback that pops itself gets ECANCELED at once: pop does not wait
 * for the callback it is called from (that would never end).  Here the
 * thread requests its own stop, so the callback runs in the thread that
 * pushed it.
 */
START_TEST(pop_inside_callback_does_not_wait)
{
	struct selfpop s;
	exeunt_thread_t *t;

	selfpop_init(&s);
	t = create_or_fail(NULL, start_stops_itself, &s);
	join_within(t, &s.done, "a request_stop whose callback pops itself");
	ck_assert_int_eq(s.req_rc, 0);
	ck_assert_int_eq(atomic_load(&s.calls), 1);
	ck_assert_int_eq(s.pop_in_fn, ECANCELED);
	ck_assert_int_eq(s.pop_after, EINVAL);
}
END_TEST

static void *
start_pushes_for_other(void *arg)
{
	struct selfpop *s = arg;

	s->pop_after = exeunt_stop_callback_push(&s->cb, pop_own_cb, s);
	gate_open(&s->done);
	gate_wait(&s->go);
	s->pop_final = exeunt_stop_callback_pop(&s->cb);
	return s;
}

/*
 * When the callback runs in the requester, another thread than the one
 * that pushed it, its pop of itself is a pop by another thread: EPERM,
 * at once (no wait for itself), and the pusher's pop then returns
 * ECANCELED.
 */
START_TEST(pop_inside_callback_other_thread)
{
	struct selfpop s;
	struct held_request h;
	exeunt_thread_t *t;
	pthread_t p;

	selfpop_init(&s);
	t = create_or_fail(NULL, start_pushes_for_other, &s);
	gate_wait(&s.done);
	ck_assert_int_eq(s.pop_after, 0);
	held_request_init(&h, t);
	p = start_raw(start_held_request, &h);
	ck_assert_msg(gate_wait_ms(&h.requested, END_MS) == 0,
	    "the callback's pop of itself did not return");
	join_raw(p);
	ck_assert_int_eq(h.rc, 0);
	ck_assert_int_eq(atomic_load(&s.calls), 1);
	ck_assert_int_eq(s.pop_in_fn, EPERM);
	gate_open(&s.go);
	join_or_fail(t);
	ck_assert_int_eq(s.pop_final, ECANCELED);
}
END_TEST

/*
 * Unregistered threads' callbacks belong to the process-wide stop: not
 * called by a registered thread's stop request, called by the shutdown
 * at its start (in the thread that makes it), newest first.
 */
struct unreg_pusher {
	struct script *s;
	struct gate pushed;
	struct gate go;
	int push_rc, wait_rc, pop_rc;
};

static void *
start_unreg_pusher(void *arg)
{
	struct unreg_pusher *u = arg;

	u->push_rc = push_rec(u->s, 1);
	gate_open(&u->pushed);
	u->wait_rc = exeunt_wait_stop(NULL);
	gate_wait(&u->go);
	u->pop_rc = exeunt_stop_callback_pop(&u->s->cb[1]);
	return NULL;
}

START_TEST(unregistered_callbacks_run_on_shutdown)
{
	struct script s;
	struct unreg_pusher u;
	exeunt_thread_t *t;
	pthread_t p;

	script_init(&s);
	memset(&u, 0, sizeof u);
	u.s = &s;
	u.push_rc = u.wait_rc = u.pop_rc = -1;
	gate_init(&u.pushed);
	gate_init(&u.go);
	ck_assert_int_eq(push_rec(&s, 0), 0);
	p = start_raw(start_unreg_pusher, &u);
	gate_wait(&u.pushed);
	ck_assert_int_eq(u.push_rc, 0);
	ck_assert_int_eq(push_rec(&s, 2), 0);
	ck_assert_int_eq(exeunt_stop_callback_pop(&s.cb[2]), 0);

	t = create_or_fail(NULL, start_wait_stop, NULL);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	join_or_fail(t);
	ck_assert_int_eq(atomic_load(&s.log.n), 0);

	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq(atomic_load(&s.log.n), 2);
	ck_assert_int_eq(s.log.order[0], 2);
	ck_assert_int_eq(s.log.order[1], 1);
	ck_assert(pthread_equal(s.log.caller[0], pthread_self()));
	ck_assert(pthread_equal(s.log.caller[1], pthread_self()));
	ck_assert_int_eq(exeunt_stop_callback_pop(&s.cb[0]), ECANCELED);
	ck_assert_int_eq(push_rec(&s, 2), ECANCELED);
	gate_open(&u.go);
	join_raw(p);
	ck_assert_int_eq(u.wait_rc, 0);
	ck_assert_int_eq(u.pop_rc, ECANCELED);
	ck_assert_int_eq(atomic_load(&s.log.n), 2);
}
END_TEST

/* The same at exit(), in a process of its own. */
START_TEST(unregistered_callbacks_run_at_exit)
{
	child_run(&ch, "scenario_sw_unreg", NULL, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch,
	    "pop: 0\n"
	    "main exits\n"
	    "callback raw, in main\n"
	    "callback main, in main\n"
	    "terminate worker\n"
	    "raw pop: ECANCELED\n");
	child_assert_quiet(&ch);
}
END_TEST

struct adopted {
	exeunt_stop_callback_t cb;
	struct rec rec;
	struct calls log;
	int adopt_rc, push_rc, busy_rc, still_self, pop_rc, release_rc;
	int self_after;
};

static void *
start_adopt_push_release(void *arg)
{
	struct adopted *a = arg;

	a->adopt_rc = exeunt_thread_adopt(NULL);
	a->push_rc = exeunt_stop_callback_push(&a->cb, record, &a->rec);
	a->busy_rc = exeunt_thread_release();
	a->still_self = exeunt_thread_self() != NULL;
	a->pop_rc = exeunt_stop_callback_pop(&a->cb);
	a->release_rc = exeunt_thread_release();
	a->self_after = exeunt_thread_self() != NULL;
	return NULL;
}

/* A thread cannot release itself with a callback pushed. */
START_TEST(release_with_callback_is_ebusy)
{
	struct adopted a;

	memset(&a, 0, sizeof a);
	rec_init(&a.rec, &a.log, 1);
	join_raw(start_raw(start_adopt_push_release, &a));
	ck_assert_int_eq(a.adopt_rc, 0);
	ck_assert_int_eq(a.push_rc, 0);
	ck_assert_int_eq(a.busy_rc, EBUSY);
	ck_assert_int_eq(a.still_self, 1);
	ck_assert_int_eq(a.pop_rc, 0);
	ck_assert_int_eq(a.release_rc, 0);
	ck_assert_int_eq(a.self_after, 0);
	ck_assert_int_eq(atomic_load(&a.log.n), 0);
}
END_TEST

struct dropped {
	exeunt_stop_callback_t *cb;
	struct calls log;
	struct rec rec;
	int push_rc;
};

static void *
start_push_and_end(void *arg)
{
	struct dropped *d = arg;

	d->push_rc = exeunt_stop_callback_push(d->cb, record, &d->rec);
	return d;
}

/*
 * A thread that ends with a callback pushed: the callback is dropped,
 * never called, its storage never touched again (here it is freed, for
 * AddressSanitizer and valgrind to see a late use).
 */
START_TEST(callbacks_dropped_at_thread_end)
{
	struct dropped d;
	exeunt_thread_t *t;

	memset(&d, 0, sizeof d);
	rec_init(&d.rec, &d.log, 1);
	d.push_rc = -1;
	d.cb = malloc(sizeof *d.cb);
	ck_assert_ptr_nonnull(d.cb);
	t = create_or_fail(NULL, start_push_and_end, &d);
	ck_assert_msg(wait_count(0), "the thread never finished");
	memset(d.cb, 0xa5, sizeof *d.cb);
	free(d.cb);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	ck_assert_ptr_eq(join_or_fail(t), &d);
	ck_assert_int_eq(d.push_rc, 0);
	ck_assert_int_eq(atomic_load(&d.log.n), 0);
}
END_TEST

/* 2. exeunt_cond_wait and exeunt_cond_timedwait ------------------------ */

/* A thread waiting on a condition variable, with a predicate. */
struct cwait {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int timed;
	struct timespec abstime;
	int go;
	struct gate start, ready, done;
	pid_t tid;
	int rc, waits, unlock_rc;
	struct timespec ended;
};

static void
cwait_init(struct cwait *w, int timed, clockid_t clock)
{
	pthread_condattr_t ca;

	memset(w, 0, sizeof *w);
	errorcheck_init(&w->mu);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, clock);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	w->timed = timed;
	/* An hour away on the condition variable's clock. */
	clock_gettime(clock, &w->abstime);
	w->abstime.tv_sec += 3600;
	gate_init(&w->start);
	gate_init(&w->ready);
	gate_init(&w->done);
	w->rc = w->unlock_rc = -1;
}

static int
cwait_once(struct cwait *w)
{
	return w->timed ? exeunt_cond_timedwait(&w->cv, &w->mu, &w->abstime) :
	    exeunt_cond_wait(&w->cv, &w->mu);
}

static void *
start_cwait(void *arg)
{
	struct cwait *w = arg;

	gate_wait(&w->start);
	pthread_mutex_lock(&w->mu);
	w->tid = test_gettid();
	/* Opened with the mutex held: whoever locks it next finds this
	 * thread inside the wait. */
	gate_open(&w->ready);
	do {
		w->rc = cwait_once(w);
		w->waits++;
	} while (w->rc == 0 && !w->go);
	clock_gettime(CLOCK_MONOTONIC, &w->ended);
	/* An errorcheck mutex: 0 only if this thread holds it. */
	w->unlock_rc = pthread_mutex_unlock(&w->mu);
	gate_open(&w->done);
	return w;
}

static void
signal_cwait(struct cwait *w)
{
	pthread_mutex_lock(&w->mu);
	w->go = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* A wake-up returns 0 with the mutex held, in a registered thread and
 * in an unregistered one, with and without a timeout. */
START_TEST(cond_wait_signal_returns_0)
{
	struct cwait w;
	int timed, reg;
	exeunt_thread_t *t = NULL;
	pthread_t p = 0;

	for (reg = 0; reg < 2; reg++) {
		for (timed = 0; timed < 2; timed++) {
			cwait_init(&w, timed, CLOCK_REALTIME);
			if (reg)
				t = create_or_fail(NULL, start_cwait, &w);
			else
				p = start_raw(start_cwait, &w);
			gate_open(&w.start);
			gate_wait(&w.ready);
			signal_cwait(&w);
			ck_assert_msg(gate_wait_ms(&w.done, END_MS) == 0,
			    "the wait did not end on a signal");
			if (reg)
				join_or_fail(t);
			else
				join_raw(p);
			ck_assert_int_eq(w.rc, 0);
			ck_assert_int_eq(w.unlock_rc, 0);
		}
	}
}
END_TEST

/* Stop requested before the wait: ECANCELED at once, mutex held. */
START_TEST(cond_wait_stopped_before)
{
	struct cwait w;
	exeunt_thread_t *t;
	int timed;

	for (timed = 0; timed < 2; timed++) {
		cwait_init(&w, timed, CLOCK_REALTIME);
		t = create_or_fail(NULL, start_cwait, &w);
		ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
		gate_open(&w.start);
		join_within(t, &w.done, "a wait after the stop request");
		ck_assert_int_eq(w.rc, ECANCELED);
		ck_assert_int_eq(w.waits, 1);
		ck_assert_int_eq(w.unlock_rc, 0);
	}
}
END_TEST

/* Stop requested during the wait: ECANCELED, mutex held. */
START_TEST(cond_wait_stopped_during)
{
	struct cwait w;
	exeunt_thread_t *t;
	int timed;

	for (timed = 0; timed < 2; timed++) {
		cwait_init(&w, timed, CLOCK_REALTIME);
		t = create_or_fail(NULL, start_cwait, &w);
		gate_open(&w.start);
		gate_wait(&w.ready);
		ck_assert(wait_until_sleeping(w.tid));
		ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
		join_within(t, &w.done, "a wait during the stop request");
		ck_assert_int_eq(w.rc, ECANCELED);
		ck_assert_int_eq(w.unlock_rc, 0);
	}
}
END_TEST

/* abstime in the past: ETIMEDOUT at once, mutex held; EINVAL for a bad
 * abstime, mutex held. */
START_TEST(cond_timedwait_past_and_invalid)
{
	const struct timespec bad[] = { { 0, -1 }, { 0, 1000000000L } };
	struct timespec past;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t i;

	errorcheck_init(&mu);
	pthread_cond_init(&cv, NULL);
	clock_gettime(CLOCK_REALTIME, &past);
	past.tv_sec -= 1;
	ck_assert_int_eq(pthread_mutex_lock(&mu), 0);
	ck_assert_int_eq(exeunt_cond_timedwait(&cv, &mu, &past), ETIMEDOUT);
	ck_assert_int_eq(pthread_mutex_unlock(&mu), 0);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(pthread_mutex_lock(&mu), 0);
		ck_assert_int_eq(exeunt_cond_timedwait(&cv, &mu, &bad[i]),
		    EINVAL);
		ck_assert_int_eq(pthread_mutex_unlock(&mu), 0);
	}
	ck_assert_int_eq(pthread_mutex_lock(&mu), 0);
	ck_assert_int_eq(exeunt_cond_timedwait(&cv, &mu, NULL), EINVAL);
	ck_assert_int_eq(pthread_mutex_unlock(&mu), 0);
}
END_TEST

/*
 * abstime is on the condition variable's clock: 100 ms from now on
 * CLOCK_MONOTONIC (a time long past on CLOCK_REALTIME) and on
 * CLOCK_REALTIME (decades away on CLOCK_MONOTONIC) both end with
 * ETIMEDOUT after 100 ms.  A wait that never ends is stopped after
 * END_MS, so that the test can fail.
 */
START_TEST(cond_timedwait_uses_cond_clock)
{
	static const clockid_t clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME };
	struct cwait w;
	struct timespec t0;
	exeunt_thread_t *t;
	double waited;
	int i, ended;

	for (i = 0; i < 2; i++) {
		cwait_init(&w, 1, clocks[i]);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		clock_gettime(clocks[i], &w.abstime);
		w.abstime.tv_nsec += 100 * 1000000L;
		if (w.abstime.tv_nsec >= 1000000000L) {
			w.abstime.tv_sec++;
			w.abstime.tv_nsec -= 1000000000L;
		}
		t = create_or_fail(NULL, start_cwait, &w);
		gate_open(&w.start);
		ended = gate_wait_ms(&w.done, END_MS) == 0;
		if (!ended)
			exeunt_thread_request_stop(t);
		join_or_fail(t);
		ck_assert_msg(ended, "%s: no timeout in %d ms",
		    i == 0 ? "CLOCK_MONOTONIC" : "CLOCK_REALTIME", END_MS);
		ck_assert_int_eq(w.rc, ETIMEDOUT);
		ck_assert_int_eq(w.unlock_rc, 0);
		waited = (double)(w.ended.tv_sec - t0.tv_sec) * 1e3 +
		    (double)(w.ended.tv_nsec - t0.tv_nsec) / 1e6;
		ck_assert_msg(waited >= 100.0, "%s: timed out after %.3f ms",
		    i == 0 ? "CLOCK_MONOTONIC" : "CLOCK_REALTIME", waited);
	}
}
END_TEST

/* Stop requested and abstime past: ECANCELED wins. */
START_TEST(cond_timedwait_ecanceled_beats_etimedout)
{
	struct cwait w;
	exeunt_thread_t *t;

	cwait_init(&w, 1, CLOCK_REALTIME);
	clock_gettime(CLOCK_REALTIME, &w.abstime);
	w.abstime.tv_sec -= 1;
	t = create_or_fail(NULL, start_cwait, &w);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	gate_open(&w.start);
	join_within(t, &w.done, "a timed wait after the stop request");
	ck_assert_int_eq(w.rc, ECANCELED);
	ck_assert_int_eq(w.unlock_rc, 0);
}
END_TEST

/*
 * The timeout passes and the stop is requested while the waiter cannot
 * have the mutex back (the test holds it): when it gets the mutex, both
 * have happened, and it returns ECANCELED.
 */
START_TEST(cond_timedwait_ecanceled_beats_etimedout_during)
{
	struct cwait w;
	struct held_request h;
	struct timespec d;
	exeunt_thread_t *t;
	pthread_t r;
	int attempt;

	for (attempt = 0; attempt < 10; attempt++) {
		cwait_init(&w, 1, CLOCK_MONOTONIC);
		w.abstime = deadline_in(50);
		t = create_or_fail(NULL, start_cwait, &w);
		gate_open(&w.start);
		gate_wait(&w.ready);
		pthread_mutex_lock(&w.mu);
		/* The waiter timed out and took the mutex back before this
		 * thread had it: nothing to judge; again. */
		if (w.waits > 0) {
			pthread_mutex_unlock(&w.mu);
			join_within(t, &w.done, "a timed wait");
			continue;
		}
		break;
	}
	ck_assert_msg(attempt < 10, "the waiter always timed out first");
	/* The waiter is in its wait (it let go of the mutex); wait until its
	 * abstime has passed. */
	while (!deadline_passed(&w.abstime))
		poll_pause();
	held_request_init(&h, t);
	r = start_raw(start_held_request, &h);
	gate_wait(&h.started);
	/* The request sets the flag, then blocks on the mutex we hold (or
	 * ends, if it does not take it): a bounded look. */
	d = deadline_in(200);
	while (thread_state(h.tid) != 'S' && !gate_is_open(&h.requested) &&
	    !deadline_passed(&d))
		poll_pause();
	pthread_mutex_unlock(&w.mu);
	join_raw(r);
	join_within(t, &w.done, "a timed wait");
	ck_assert_int_eq(h.rc, 0);
	ck_assert_int_eq(w.rc, ECANCELED);
	ck_assert_int_eq(w.unlock_rc, 0);
}
END_TEST

/* 3. The race of a stop request and the entry of a wait ------------------ */

enum race_kind { RACE_COND, RACE_TIMED, RACE_SLEEP, RACE_POLL };

static const char *const race_name[] = {
	"exeunt_cond_wait", "exeunt_cond_timedwait", "exeunt_sleep",
	"exeunt_poll"
};

struct race {
	enum race_kind kind;
	atomic_int arrived;
	unsigned waiter_spin;
	int lock_late;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fds[2];
	struct timespec far;
	struct gate done;
	int rc;
};

static void *
start_race_waiter(void *arg)
{
	static const struct timespec hour = { 3600, 0 };
	struct race *r = arg;
	struct pollfd p;
	int rc;

	switch (r->kind) {
	case RACE_COND:
	case RACE_TIMED:
		/* Locked before or after the request may have come. */
		if (!r->lock_late)
			pthread_mutex_lock(&r->mu);
		meet(&r->arrived);
		spin(r->waiter_spin);
		if (r->lock_late)
			pthread_mutex_lock(&r->mu);
		do {
			rc = r->kind == RACE_COND ?
			    exeunt_cond_wait(&r->cv, &r->mu) :
			    exeunt_cond_timedwait(&r->cv, &r->mu, &r->far);
		} while (rc == 0);
		pthread_mutex_unlock(&r->mu);
		break;
	case RACE_SLEEP:
		meet(&r->arrived);
		spin(r->waiter_spin);
		rc = exeunt_sleep(&hour);
		break;
	case RACE_POLL:
	default:
		meet(&r->arrived);
		spin(r->waiter_spin);
		p.fd = r->fds[0];
		p.events = POLLIN;
		p.revents = 0;
		rc = exeunt_poll(&p, 1, -1);
		rc = rc == -1 ? errno : 1000 + rc;
		break;
	}
	r->rc = rc;
	gate_open(&r->done);
	return NULL;
}

/* How long the handler of SIGUSR2 holds up the thread it interrupts. */
static atomic_uint pause_spins;

static void
on_pause_signal(int sig)
{
	(void)sig;
	spin(atomic_load(&pause_spins));
}

/*
 * RACE_ROUNDS rounds: a new registered thread enters the wait while the
 * test thread requests its stop at the same moment, each side after a
 * short spin that varies from round to round so that the request lands
 * at every point of the wait's entry.  Each round must end with
 * ECANCELED; a lost stop hangs the round, which fails after END_MS.
 *
 * The gap between a wait's last look at the stop and the moment it
 * sleeps is a few instructions, while a stop request takes microseconds
 * from its flag to its wake-up: left alone the two would rarely overlap.
 * So in every other round the requester first sends the waiter a signal
 * whose handler holds it up for a while, wherever it is: when that is in
 * the gap, the whole request fits in it.  (Not for exeunt_poll, which a
 * signal ends with EINTR, as poll(2); its gap is the poll itself.)
 */
#define RACE_ROUNDS 10000
static void
race(enum race_kind kind)
{
	struct sigaction sa;
	struct race r;
	exeunt_thread_t *t;
	int round, rounds = scaled(RACE_ROUNDS, 200), rc;
	unsigned requester_spin;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_pause_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	ck_assert_int_eq(sigaction(SIGUSR2, &sa, NULL), 0);
	memset(&r, 0, sizeof r);
	r.kind = kind;
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	ck_assert_int_eq(pipe(r.fds), 0);
	clock_gettime(CLOCK_REALTIME, &r.far);
	r.far.tv_sec += 3600;
	for (round = 0; round < rounds; round++) {
		atomic_store(&r.arrived, 0);
		r.rc = -1;
		r.lock_late = round % 2;
		/* Rounds in threes: no spin, the waiter spins, the
		 * requester spins, up to about a microsecond. */
		r.waiter_spin = round % 3 == 1 ? (unsigned)(round / 3) % 512 :
		    0;
		requester_spin = round % 3 == 2 ? (unsigned)(round / 3) % 512 :
		    0;
		gate_init(&r.done);
		rc = exeunt_thread_create(&t, NULL, start_race_waiter, &r);
		if (rc != 0)
			ck_abort_msg("round %d: exeunt_thread_create: %s",
			    round, strerror(rc));
		atomic_store(&pause_spins, (unsigned)(round / 2) % 4096);
		meet(&r.arrived);
		if (kind != RACE_POLL && round % 2 == 1)
			pthread_kill(exeunt_thread_pthread(t), SIGUSR2);
		spin(requester_spin);
		rc = exeunt_thread_request_stop(t);
		if (rc != 0)
			ck_abort_msg("round %d: request_stop: %s", round,
			    strerror(rc));
		if (gate_wait_ms(&r.done, END_MS) != 0)
			ck_abort_msg("round %d of %d: %s missed its stop "
			    "request and still waits", round, rounds,
			    race_name[kind]);
		rc = exeunt_thread_join(t, NULL);
		if (rc != 0)
			ck_abort_msg("round %d: join: %s", round, strerror(rc));
		if (r.rc != ECANCELED)
			ck_abort_msg("round %d: %s returned %s, not ECANCELED",
			    round, race_name[kind], rcname(r.rc));
		gate_destroy(&r.done);
	}
	close(r.fds[0]);
	close(r.fds[1]);
}

START_TEST(race_cond_wait)
{
	race(RACE_COND);
}
END_TEST

START_TEST(race_cond_timedwait)
{
	race(RACE_TIMED);
}
END_TEST

START_TEST(race_sleep)
{
	race(RACE_SLEEP);
}
END_TEST

START_TEST(race_poll)
{
	race(RACE_POLL);
}
END_TEST

/* 4. Two waiters on one condition variable, spurious broadcasts --------- */

struct trap {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_int stop_broadcasting;
	atomic_int entered;
};

struct trap_waiter {
	struct trap *trap;
	struct gate done;
	int rc;
};

static void *
start_trap_waiter(void *arg)
{
	struct trap_waiter *w = arg;
	int rc;

	pthread_mutex_lock(&w->trap->mu);
	atomic_fetch_add(&w->trap->entered, 1);
	do {
		rc = exeunt_cond_wait(&w->trap->cv, &w->trap->mu);
	} while (rc == 0);
	pthread_mutex_unlock(&w->trap->mu);
	w->rc = rc;
	gate_open(&w->done);
	return NULL;
}

static void *
start_broadcaster(void *arg)
{
	struct trap *tr = arg;
	unsigned long i;

	for (i = 0; !atomic_load(&tr->stop_broadcasting); i++) {
		if (i % 2 == 0) {
			pthread_mutex_lock(&tr->mu);
			pthread_cond_broadcast(&tr->cv);
			pthread_mutex_unlock(&tr->mu);
		} else {
			pthread_cond_broadcast(&tr->cv);
		}
	}
	return NULL;
}

/*
 * Two registered waiters on ONE condition variable and ONE mutex, and a
 * third thread that broadcasts it all the time; both stopped by
 * requests from two threads at once.  Every round must end.
 */
#define TRAP_ROUNDS 400
START_TEST(two_waiters_one_cond_by_request)
{
	struct trap tr;
	struct trap_waiter w[2];
	struct requester other;
	exeunt_thread_t *t[2];
	atomic_int arrived;
	struct timespec d;
	pthread_t b, p;
	int round, rounds = scaled(TRAP_ROUNDS, 20), i;

	memset(&tr, 0, sizeof tr);
	pthread_mutex_init(&tr.mu, NULL);
	pthread_cond_init(&tr.cv, NULL);
	b = start_raw(start_broadcaster, &tr);
	for (round = 0; round < rounds; round++) {
		atomic_store(&tr.entered, 0);
		for (i = 0; i < 2; i++) {
			w[i].trap = &tr;
			w[i].rc = -1;
			gate_init(&w[i].done);
			if (exeunt_thread_create(&t[i], NULL, start_trap_waiter,
			    &w[i]) != 0)
				ck_abort_msg("round %d: create failed", round);
		}
		/* Every other round, both are waiting (or woken by the
		 * broadcasts) when their stops come. */
		d = deadline_in(POLL_DEADLINE_MS);
		while (round % 2 == 0 && atomic_load(&tr.entered) < 2 &&
		    !deadline_passed(&d))
			sched_yield();
		atomic_store(&arrived, 0);
		other.t = t[0];
		other.arrived = &arrived;
		other.rc = -1;
		p = start_raw(start_meet_and_request, &other);
		meet(&arrived);
		if (exeunt_thread_request_stop(t[1]) != 0)
			ck_abort_msg("round %d: request_stop failed", round);
		join_raw(p);
		for (i = 0; i < 2; i++) {
			if (gate_wait_ms(&w[i].done, END_MS) != 0)
				ck_abort_msg("round %d of %d: waiter %d never "
				    "ended", round, rounds, i);
			if (exeunt_thread_join(t[i], NULL) != 0)
				ck_abort_msg("round %d: join failed", round);
			if (w[i].rc != ECANCELED)
				ck_abort_msg("round %d: waiter %d: %s", round,
				    i, rcname(w[i].rc));
			gate_destroy(&w[i].done);
		}
		if (other.rc != 0)
			ck_abort_msg("round %d: request_stop: %d", round,
			    other.rc);
	}
	atomic_store(&tr.stop_broadcasting, 1);
	join_raw(b);
}
END_TEST

/* The same stopped by exit(), each run a process of its own. */
#define TRAP_RUNS 60
START_TEST(two_waiters_one_cond_at_exit)
{
	static char first[2 * CHILD_OUT_MAX + 256];
	const char *const timed[] = { "timed", NULL };
	int run, runs = scaled(TRAP_RUNS, 4), bad = 0;

	for (run = 0; run < runs; run++) {
		child_run(&ch, "scenario_sw_trap", run % 2 ? timed : NULL,
		    NULL, 0);
		if (!ch.hung && WIFEXITED(ch.status) &&
		    WEXITSTATUS(ch.status) == 0 &&
		    strcmp(ch.out_buf, "waiters: ECANCELED ECANCELED\n") == 0 &&
		    ch.err_len == 0)
			continue;
		if (bad++ == 0)
			snprintf(first, sizeof first, "run %d%s: %s (wait status "
			    "%#x); stdout:\n%s--- stderr:\n%s", run,
			    run % 2 ? " (timed)" : "",
			    ch.hung ? "hung" : "wrong", ch.status, ch.out_buf,
			    ch.err_buf);
	}
	ck_assert_msg(bad == 0, "%d of %d runs failed; the first: %s", bad,
	    runs, first);
}
END_TEST

/* 5. Cancellation ---------------------------------------------------------- */

struct cancelled {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fds[2];
	struct gate ready, in_cleanup, resume;
	pid_t tid;
	atomic_int returned;
	int cleanup_ran;
	int unlock_rc;
	int rc;
	int after_testcancel;
};

static void
cancelled_init(struct cancelled *c)
{
	memset(c, 0, sizeof *c);
	errorcheck_init(&c->mu);
	pthread_cond_init(&c->cv, NULL);
	gate_init(&c->ready);
	gate_init(&c->in_cleanup);
	gate_init(&c->resume);
	c->fds[0] = c->fds[1] = -1;
	c->unlock_rc = c->rc = -1;
}

/* Stays in the cleanup handler until the test has made its stop request. */
static void
cleanup_cond(void *arg)
{
	struct cancelled *c = arg;

	c->cleanup_ran = 1;
	gate_open(&c->in_cleanup);
	gate_wait(&c->resume);
	c->unlock_rc = pthread_mutex_unlock(&c->mu);
}

static void *
start_cancel_in_cond(void *arg)
{
	struct cancelled *c = arg;

	pthread_mutex_lock(&c->mu);
	c->tid = test_gettid();
	pthread_cleanup_push(cleanup_cond, c);
	gate_open(&c->ready);
	while ((c->rc = exeunt_cond_wait(&c->cv, &c->mu)) == 0)
		continue;
	pthread_cleanup_pop(0);
	pthread_mutex_unlock(&c->mu);
	atomic_store(&c->returned, 1);
	return c;
}

/*
 * exeunt_cond_wait is a cancellation point: the cleanup handler runs with
 * the mutex held, and the wait's stop callback is gone by then: a stop
 * request during the cleanup handler calls nothing of the wait (which
 * would lock the mutex that the handler holds, or touch its unwound
 * frame).
 */
START_TEST(cancel_in_cond_wait)
{
	struct cancelled c;
	struct held_request h;
	exeunt_thread_t *t;
	pthread_t r;
	int requested;

	cancelled_init(&c);
	t = create_or_fail(NULL, start_cancel_in_cond, &c);
	gate_wait(&c.ready);
	ck_assert(wait_until_sleeping(c.tid));
	ck_assert_int_eq(pthread_cancel(exeunt_thread_pthread(t)), 0);
	ck_assert_msg(gate_wait_ms(&c.in_cleanup, END_MS) == 0,
	    "the cancelled wait never ran the cleanup handler");
	held_request_init(&h, t);
	r = start_raw(start_held_request, &h);
	requested = gate_wait_ms(&h.requested, 2000) == 0;
	gate_open(&c.resume);
	join_raw(r);
	ck_assert_ptr_eq(join_or_fail(t), PTHREAD_CANCELED);
	ck_assert_int_eq(atomic_load(&c.returned), 0);
	ck_assert_int_eq(c.cleanup_ran, 1);
	ck_assert_int_eq(c.unlock_rc, 0);
	ck_assert_msg(requested, "a stop request after the cancellation "
	    "blocked on the mutex: the wait's callback is still pushed");
	ck_assert_int_eq(h.rc, 0);
}
END_TEST

static void
cleanup_mark(void *arg)
{
	struct cancelled *c = arg;

	c->cleanup_ran = 1;
	gate_open(&c->in_cleanup);
}

static void *
start_cancel_in_poll(void *arg)
{
	struct cancelled *c = arg;
	struct pollfd p = { .fd = c->fds[0], .events = POLLIN };

	c->tid = test_gettid();
	pthread_cleanup_push(cleanup_mark, c);
	gate_open(&c->ready);
	c->rc = exeunt_poll(&p, 1, -1);
	pthread_cleanup_pop(0);
	atomic_store(&c->returned, 1);
	return c;
}

/* exeunt_poll is a cancellation point. */
START_TEST(cancel_in_poll)
{
	struct cancelled c;
	exeunt_thread_t *t;

	cancelled_init(&c);
	ck_assert_int_eq(pipe(c.fds), 0);
	t = create_or_fail(NULL, start_cancel_in_poll, &c);
	gate_wait(&c.ready);
	ck_assert(wait_until_sleeping(c.tid));
	ck_assert_int_eq(pthread_cancel(exeunt_thread_pthread(t)), 0);
	/* A poll that is no cancellation point would wait on: the stop
	 * request ends it then, and the test fails on the value. */
	if (gate_wait_ms(&c.in_cleanup, 2000) != 0)
		exeunt_thread_request_stop(t);
	ck_assert_ptr_eq(join_or_fail(t), PTHREAD_CANCELED);
	ck_assert_int_eq(c.cleanup_ran, 1);
	ck_assert_int_eq(atomic_load(&c.returned), 0);
	close(c.fds[0]);
	close(c.fds[1]);
}
END_TEST

static void *
start_sleep_then_testcancel(void *arg)
{
	static const struct timespec forever = { LONG_MAX, 999999999L };
	struct cancelled *c = arg;

	c->tid = test_gettid();
	gate_open(&c->ready);
	c->rc = exeunt_sleep(&forever);
	atomic_store(&c->returned, 1);
	pthread_testcancel();
	c->after_testcancel = 1;
	return c;
}

/*
 * exeunt_sleep is not a cancellation point: a cancel sent during the
 * sleep stays pending; the stop request ends the sleep (ECANCELED) and
 * the cancel acts at the next cancellation point.
 */
START_TEST(sleep_not_cancellation_point)
{
	struct cancelled c;
	exeunt_thread_t *t;

	cancelled_init(&c);
	t = create_or_fail(NULL, start_sleep_then_testcancel, &c);
	gate_wait(&c.ready);
	ck_assert(wait_until_sleeping(c.tid));
	ck_assert_int_eq(pthread_cancel(exeunt_thread_pthread(t)), 0);
	/* Asleep again after the cancel's signal, if it was woken. */
	ck_assert(wait_until_sleeping(c.tid));
	ck_assert_int_eq(atomic_load(&c.returned), 0);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	ck_assert_ptr_eq(join_or_fail(t), PTHREAD_CANCELED);
	ck_assert_int_eq(atomic_load(&c.returned), 1);
	ck_assert_int_eq(c.rc, ECANCELED);
	ck_assert_int_eq(c.after_testcancel, 0);
}
END_TEST

/* 6. exeunt_sleep ------------------------------------------------------- */

/* Runs check in a registered thread; returns what it returned. */
static const char *
in_registered(void *(*check)(void *))
{
	exeunt_thread_t *t = create_or_fail(NULL, check, NULL);

	return join_or_fail(t);
}

static void *
sleep_basics(void *arg)
{
	static const struct timespec bad[] = {
		{ -1, 0 }, { 0, -1 }, { 0, 1000000000L }, { -1, 999999999L },
	};
	static char why[128];
	const struct timespec zero = { 0, 0 }, short_ = { 0, 30 * 1000000L };
	struct timespec t0;
	double ms;
	size_t i;
	int rc;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = exeunt_sleep(&short_);
	ms = elapsed_ms(&t0);
	if (rc != 0 || ms < 30.0) {
		snprintf(why, sizeof why, "30 ms: %s after %.3f ms",
		    rcname(rc), ms);
		return why;
	}
	if ((rc = exeunt_sleep(&zero)) != 0) {
		snprintf(why, sizeof why, "zero: %s", rcname(rc));
		return why;
	}
	if ((rc = exeunt_sleep(NULL)) != EINVAL) {
		snprintf(why, sizeof why, "NULL: %s", rcname(rc));
		return why;
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if ((rc = exeunt_sleep(&bad[i])) != EINVAL) {
			snprintf(why, sizeof why, "{%ld, %ld}: %s",
			    (long)bad[i].tv_sec, bad[i].tv_nsec, rcname(rc));
			return why;
		}
	}
	return NULL;
}

/* 0 after the whole duration, 0 for zero, EINVAL for bad ones; in an
 * unregistered and in a registered thread. */
START_TEST(sleep_returns_after_duration)
{
	const char *why;

	why = sleep_basics(NULL);
	ck_assert_msg(why == NULL, "unregistered: %s", why);
	why = in_registered(sleep_basics);
	ck_assert_msg(why == NULL, "registered: %s", why);
}
END_TEST

struct sleeper {
	struct gate go, ready, done;
	struct timespec duration;
	pid_t tid;
	atomic_int returned;
	int rc, rc_zero, rc_long;
	double ms;
};

static void
sleeper_init(struct sleeper *s, time_t sec, long nsec)
{
	memset(s, 0, sizeof *s);
	gate_init(&s->go);
	gate_init(&s->ready);
	gate_init(&s->done);
	s->duration.tv_sec = sec;
	s->duration.tv_nsec = nsec;
	s->rc = s->rc_zero = s->rc_long = -1;
}

static void *
start_sleeper(void *arg)
{
	struct sleeper *s = arg;
	struct timespec t0;

	gate_wait(&s->go);
	s->tid = test_gettid();
	gate_open(&s->ready);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	s->rc = exeunt_sleep(&s->duration);
	s->ms = elapsed_ms(&t0);
	atomic_store(&s->returned, 1);
	gate_open(&s->done);
	return s;
}

/* Stop requested before: ECANCELED at once, even for a zero duration. */
static void *
start_late_sleeper(void *arg)
{
	static const struct timespec zero = { 0, 0 }, hour = { 3600, 0 };
	struct sleeper *s = arg;

	gate_wait(&s->go);
	s->rc_zero = exeunt_sleep(&zero);
	s->rc_long = exeunt_sleep(&hour);
	gate_open(&s->done);
	return s;
}

START_TEST(sleep_stopped_before)
{
	struct sleeper s;
	exeunt_thread_t *t;

	sleeper_init(&s, 0, 0);
	t = create_or_fail(NULL, start_late_sleeper, &s);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	gate_open(&s.go);
	join_within(t, &s.done, "exeunt_sleep after the stop request");
	ck_assert_int_eq(s.rc_zero, ECANCELED);
	ck_assert_int_eq(s.rc_long, ECANCELED);
}
END_TEST

/* {LONG_MAX, 999999999} sleeps until the stop request: ECANCELED. */
START_TEST(sleep_forever_ends_on_stop)
{
	struct sleeper s;
	exeunt_thread_t *t;

	sleeper_init(&s, LONG_MAX, 999999999L);
	t = create_or_fail(NULL, start_sleeper, &s);
	gate_open(&s.go);
	gate_wait(&s.ready);
	ck_assert(wait_until_sleeping(s.tid));
	ck_assert_int_eq(atomic_load(&s.returned), 0);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	join_within(t, &s.done, "exeunt_sleep during the stop request");
	ck_assert_int_eq(s.rc, ECANCELED);
}
END_TEST

static sem_t handled;

static void
on_sigusr1(int sig)
{
	(void)sig;
	sem_post(&handled);
}

/* A signal handled during the sleep (no SA_RESTART) does not shorten it. */
START_TEST(sleep_not_shortened_by_signal)
{
	struct sigaction sa;
	struct sleeper s;
	exeunt_thread_t *t;
	int i;

	ck_assert_int_eq(sem_init(&handled, 0, 0), 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigusr1;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);

	sleeper_init(&s, 0, 300 * 1000000L);
	t = create_or_fail(NULL, start_sleeper, &s);
	gate_open(&s.go);
	gate_wait(&s.ready);
	for (i = 0; i < 2; i++) {
		if (!wait_until_sleeping(s.tid) || atomic_load(&s.returned))
			break;
		ck_assert_int_eq(pthread_kill(exeunt_thread_pthread(t),
		    SIGUSR1), 0);
		while (sem_wait(&handled) != 0)
			continue;
	}
	join_within(t, &s.done, "a 300 ms exeunt_sleep");
	ck_assert_int_eq(s.rc, 0);
	ck_assert_msg(s.ms >= 300.0, "a signal ended the sleep after %.3f ms",
	    s.ms);
}
END_TEST

/* 7. exeunt_poll -------------------------------------------------------- */

static void
pipe_or_fail(int fds[2])
{
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
}

static void *
poll_basics(void *arg)
{
	static char why[160];
	struct pollfd p[4];
	struct timespec t0;
	int a[2], b[2], c[2], n, i;
	double ms;

	(void)arg;
	if (pipe2(a, O_CLOEXEC) != 0 || pipe2(b, O_CLOEXEC) != 0 ||
	    pipe2(c, O_CLOEXEC) != 0)
		return "pipe2 failed";
	if (write(a[1], "a", 1) != 1 || write(b[1], "b", 1) != 1)
		return "write failed";
	p[0] = (struct pollfd){ .fd = a[0], .events = POLLIN };
	p[1] = (struct pollfd){ .fd = c[0], .events = POLLIN };
	p[2] = (struct pollfd){ .fd = b[0], .events = POLLIN };
	p[3] = (struct pollfd){ .fd = c[1], .events = POLLOUT };
	n = exeunt_poll(p, 4, 1000);
	if (n != 3 || p[0].revents != POLLIN || p[1].revents != 0 ||
	    p[2].revents != POLLIN || p[3].revents != POLLOUT) {
		snprintf(why, sizeof why, "ready: %d (errno %d), revents "
		    "%#x %#x %#x %#x", n, n < 0 ? errno : 0, p[0].revents,
		    p[1].revents, p[2].revents, p[3].revents);
		return why;
	}
	/* Timeout 0, and a short one: 0, not before the time. */
	n = exeunt_poll(&p[1], 1, 0);
	if (n != 0 || p[1].revents != 0) {
		snprintf(why, sizeof why, "timeout 0: %d", n);
		return why;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = exeunt_poll(&p[1], 1, 30);
	ms = elapsed_ms(&t0);
	if (n != 0 || ms < 30.0) {
		snprintf(why, sizeof why, "timeout 30: %d after %.3f ms", n,
		    ms);
		return why;
	}
	/* No descriptor: a sleep in milliseconds. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = exeunt_poll(NULL, 0, 30);
	ms = elapsed_ms(&t0);
	if (n != 0 || ms < 30.0) {
		snprintf(why, sizeof why, "NULL, 0, 30: %d after %.3f ms", n,
		    ms);
		return why;
	}
	/* Nothing was read. */
	if (!fd_readable(a[0]) || !fd_readable(b[0]))
		return "the data is gone";
	for (i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
		close(c[i]);
	}
	return NULL;
}

/* Like poll(2): the caller's ready count, revents, 0 on timeout; in an
 * unregistered and in a registered thread. */
START_TEST(poll_like_poll)
{
	const char *why;

	why = poll_basics(NULL);
	ck_assert_msg(why == NULL, "unregistered: %s", why);
	why = in_registered(poll_basics);
	ck_assert_msg(why == NULL, "registered: %s", why);
}
END_TEST

struct poller {
	struct gate go, ready, done;
	struct pollfd *p;
	nfds_t n;
	int timeout;
	pid_t tid;
	int rc, err;
	int rc_zero, err_zero;
};

static void
poller_init(struct poller *p, struct pollfd *fds, nfds_t n)
{
	memset(p, 0, sizeof *p);
	gate_init(&p->go);
	gate_init(&p->ready);
	gate_init(&p->done);
	p->p = fds;
	p->n = n;
	p->timeout = -1;
	p->rc = p->err = p->rc_zero = p->err_zero = -2;
}

static void *
start_poller(void *arg)
{
	struct poller *p = arg;

	gate_wait(&p->go);
	p->tid = test_gettid();
	gate_open(&p->ready);
	errno = 0;
	p->rc = exeunt_poll(p->p, p->n, p->timeout);
	p->err = errno;
	gate_open(&p->done);
	return p;
}

static void *
start_late_poller(void *arg)
{
	struct poller *p = arg;
	nfds_t i;

	gate_wait(&p->go);
	errno = 0;
	p->rc_zero = exeunt_poll(p->p, p->n, 0);
	p->err_zero = errno;
	for (i = 0; i < p->n; i++)
		p->p[i].revents = POLLIN;
	errno = 0;
	p->rc = exeunt_poll(p->p, p->n, -1);
	p->err = errno;
	gate_open(&p->done);
	return p;
}

/*
 * Stop requested before: -1 and ECANCELED at once, even with timeout 0
 * and a descriptor that is ready; every revents 0; the caller's data was
 * not read.
 */
START_TEST(poll_stopped_before)
{
	struct poller p;
	struct pollfd fds[2];
	exeunt_thread_t *t;
	int a[2];
	char buf[8];

	pipe_or_fail(a);
	ck_assert_int_eq(write(a[1], "xyz", 3), 3);
	fds[0] = (struct pollfd){ .fd = a[0], .events = POLLIN,
	    .revents = POLLIN };
	fds[1] = (struct pollfd){ .fd = a[1], .events = POLLOUT,
	    .revents = POLLOUT };
	poller_init(&p, fds, 2);
	t = create_or_fail(NULL, start_late_poller, &p);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	gate_open(&p.go);
	join_within(t, &p.done, "exeunt_poll after the stop request");
	ck_assert_int_eq(p.rc_zero, -1);
	ck_assert_int_eq(p.err_zero, ECANCELED);
	ck_assert_int_eq(p.rc, -1);
	ck_assert_int_eq(p.err, ECANCELED);
	ck_assert_int_eq(fds[0].revents, 0);
	ck_assert_int_eq(fds[1].revents, 0);
	ck_assert_int_eq(read(a[0], buf, sizeof buf), 3);
	ck_assert_int_eq(memcmp(buf, "xyz", 3), 0);
	close(a[0]);
	close(a[1]);
}
END_TEST

/* Stop requested during: -1 and ECANCELED; also with no descriptor. */
START_TEST(poll_stopped_during)
{
	struct poller p;
	struct pollfd fds[1];
	exeunt_thread_t *t;
	int a[2], none;

	pipe_or_fail(a);
	for (none = 0; none < 2; none++) {
		fds[0] = (struct pollfd){ .fd = a[0], .events = POLLIN };
		poller_init(&p, none ? NULL : fds, none ? 0 : 1);
		t = create_or_fail(NULL, start_poller, &p);
		gate_open(&p.go);
		gate_wait(&p.ready);
		ck_assert(wait_until_sleeping(p.tid));
		ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
		join_within(t, &p.done, "exeunt_poll during the stop request");
		ck_assert_int_eq(p.rc, -1);
		ck_assert_int_eq(p.err, ECANCELED);
		ck_assert_int_eq(fds[0].revents, 0);
	}
	close(a[0]);
	close(a[1]);
}
END_TEST

/*
 * More than 64 descriptors (the size past which the set is copied to
 * the heap): count and revents right; a stop during such a poll ends it.
 */
#define MANY 100
START_TEST(poll_many_fds)
{
	static struct pollfd fds[MANY];
	static int pipes[MANY][2];
	struct poller p;
	exeunt_thread_t *t;
	int i, want = 0, n;
	char c;

	for (i = 0; i < MANY; i++) {
		pipe_or_fail(pipes[i]);
		fds[i] = (struct pollfd){ .fd = pipes[i][0], .events = POLLIN };
		if (i % 3 == 0) {
			ck_assert_int_eq(write(pipes[i][1], "m", 1), 1);
			want++;
		}
	}
	n = exeunt_poll(fds, MANY, 1000);
	ck_assert_int_eq(n, want);
	for (i = 0; i < MANY; i++)
		ck_assert_msg(fds[i].revents == (i % 3 == 0 ? POLLIN : 0),
		    "fds[%d].revents %#x", i, fds[i].revents);
	for (i = 0; i < MANY; i += 3)
		ck_assert_int_eq(read(pipes[i][0], &c, 1), 1);

	poller_init(&p, fds, MANY);
	t = create_or_fail(NULL, start_poller, &p);
	gate_open(&p.go);
	gate_wait(&p.ready);
	ck_assert(wait_until_sleeping(p.tid));
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	join_within(t, &p.done, "exeunt_poll of 100 descriptors");
	ck_assert_int_eq(p.rc, -1);
	ck_assert_int_eq(p.err, ECANCELED);
	for (i = 0; i < MANY; i++) {
		ck_assert_int_eq(fds[i].revents, 0);
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
}
END_TEST

/* Unregistered threads blocked in each wait: ended by the process-wide
 * stop that exeunt_shutdown() raises in another thread. */
START_TEST(unregistered_waits_end_on_shutdown)
{
	static const struct timespec zero = { 0, 0 };
	struct poller p;
	struct sleeper s;
	struct cwait w;
	struct pollfd fds[1];
	pthread_t tp, ts, tw;
	int a[2];

	pipe_or_fail(a);
	fds[0] = (struct pollfd){ .fd = a[0], .events = POLLIN };
	poller_init(&p, fds, 1);
	sleeper_init(&s, LONG_MAX, 999999999L);
	cwait_init(&w, 0, CLOCK_REALTIME);
	tp = start_raw(start_poller, &p);
	ts = start_raw(start_sleeper, &s);
	tw = start_raw(start_cwait, &w);
	gate_open(&p.go);
	gate_open(&s.go);
	gate_open(&w.start);
	gate_wait(&p.ready);
	gate_wait(&s.ready);
	gate_wait(&w.ready);
	ck_assert(wait_until_sleeping(p.tid));
	ck_assert(wait_until_sleeping(s.tid));
	ck_assert(wait_until_sleeping(w.tid));

	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_msg(gate_wait_ms(&p.done, END_MS) == 0, "poll went on");
	ck_assert_msg(gate_wait_ms(&s.done, END_MS) == 0, "sleep went on");
	ck_assert_msg(gate_wait_ms(&w.done, END_MS) == 0, "wait went on");
	join_raw(tp);
	join_raw(ts);
	join_raw(tw);
	ck_assert_int_eq(p.rc, -1);
	ck_assert_int_eq(p.err, ECANCELED);
	ck_assert_int_eq(s.rc, ECANCELED);
	ck_assert_int_eq(w.rc, ECANCELED);
	ck_assert_int_eq(w.unlock_rc, 0);
	/* And from now on at once, here too. */
	ck_assert_int_eq(exeunt_sleep(&zero), ECANCELED);
	errno = 0;
	ck_assert_int_eq(exeunt_poll(NULL, 0, 0), -1);
	ck_assert_int_eq(errno, ECANCELED);
	close(a[0]);
	close(a[1]);
}
END_TEST

/* 9. Review (rev9) ----------------------------------------------------- */

/* A thread that pushes a callback and ends once told to stop, without
 * popping it; the callback holds its runner until release opens. */
struct endrun {
	exeunt_stop_callback_t *cb;
	struct gate pushed, entered, release;
	int push_rc;
};

static void
endrun_fn(void *arg)
{
	struct endrun *e = arg;

	gate_open(&e->entered);
	gate_wait(&e->release);
}

static void *
start_push_end_unpopped(void *arg)
{
	struct endrun *e = arg;

	e->push_rc = exeunt_stop_callback_push(e->cb, endrun_fn, e);
	gate_open(&e->pushed);
	exeunt_wait_stop(NULL);
	/* End only once the request runs the callback: an end before that
	 * drops it unrun, as it may. */
	(void)gate_wait_ms(&e->entered, 3000);
	return e;
}

struct joiner {
	exeunt_thread_t *t;
	struct gate done;
	int rc;
};

static void *
start_joiner(void *arg)
{
	struct joiner *j = arg;

	j->rc = exeunt_thread_join(j->t, NULL);
	gate_open(&j->done);
	return NULL;
}

/*
 * A thread without a terminate callback ends, unpopped, while its stop
 * callback runs in the thread that requested the stop.  "A thread that
 * ends with callbacks still pushed drops them: ... the library never
 * touches their storage again."  Either its end waits for the callback
 * (the join is still blocked after a while), or once it is joined the
 * storage is the owner's: here it is overwritten after the join, and
 * must be found as left once the callback has returned.  The runner
 * marks the callback done in it (stopcb.c done_locked()).
 */
START_TEST(rv_storage_untouched_after_thread_end)
{
	unsigned char *bytes;
	struct endrun e;
	struct held_request h;
	struct joiner j;
	pthread_t r, jt;
	size_t i, changed = 0;
	int joined_early;

	memset(&e, 0, sizeof e);
	gate_init(&e.pushed);
	gate_init(&e.entered);
	gate_init(&e.release);
	e.push_rc = -1;
	e.cb = malloc(sizeof *e.cb);
	ck_assert_ptr_nonnull(e.cb);
	memset(&j, 0, sizeof j);
	gate_init(&j.done);
	j.rc = -1;
	j.t = create_or_fail(NULL, start_push_end_unpopped, &e);
	gate_wait(&e.pushed);
	ck_assert_int_eq(e.push_rc, 0);
	held_request_init(&h, j.t);
	r = start_raw(start_held_request, &h);
	gate_wait(&e.entered);
	jt = start_raw(start_joiner, &j);
	joined_early = gate_wait_ms(&j.done, 500) == 0;
	if (joined_early) {
		ck_assert_int_eq(j.rc, 0);
		memset(e.cb, 0xa5, sizeof *e.cb);
	}
	gate_open(&e.release);
	join_raw(r);
	join_raw(jt);
	ck_assert_int_eq(h.rc, 0);
	ck_assert_int_eq(j.rc, 0);
	if (joined_early) {
		bytes = (unsigned char *)e.cb;
		for (i = 0; i < sizeof *e.cb; i++)
			changed += bytes[i] != 0xa5;
		ck_assert_msg(changed == 0, "%zu bytes of the callback's "
		    "storage written after its thread was joined", changed);
	}
	free(e.cb);
}
END_TEST

/* What the child of fork() saw, as its exit status's bits. */
enum {
	FK_POP1_ECANCELED = 1,	/* pop of the callback that ran: ECANCELED */
	FK_CB2_RAN = 2,		/* the child's own callback ran on its stop */
	FK_POP2_ECANCELED = 4,	/* and its pop said so */
	FK_ALL = 7
};

struct forker {
	struct calls log;
	struct rec rec1, rec2;
	exeunt_stop_callback_t cb1, cb2;
	int push_rc, req_rc, status, reaped;
};

static void *
start_stop_self_then_fork(void *arg)
{
	struct forker *f = arg;
	struct timespec d;
	pid_t pid, w;
	int bits;

	f->push_rc = exeunt_stop_callback_push(&f->cb1, record, &f->rec1);
	/* cb1 runs here, in its own thread, and is done; not popped. */
	f->req_rc = exeunt_thread_request_stop(exeunt_thread_self());
	if ((pid = fork()) == 0) {
		bits = 0;
		if (exeunt_stop_callback_push(&f->cb2, record, &f->rec2) != 0)
			_exit(64);
		bits |= exeunt_stop_callback_pop(&f->cb1) == ECANCELED ?
		    FK_POP1_ECANCELED : 0;
		exeunt_thread_request_stop(exeunt_thread_self());
		bits |= atomic_load(&f->rec2.count) == 1 ? FK_CB2_RAN : 0;
		bits |= exeunt_stop_callback_pop(&f->cb2) == ECANCELED ?
		    FK_POP2_ECANCELED : 0;
		_exit(bits);
	}
	if (pid < 0)
		return f;
	d = deadline_in(POLL_DEADLINE_MS);
	while ((w = waitpid(pid, &f->status, WNOHANG)) == 0 &&
	    !deadline_passed(&d))
		poll_pause();
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &f->status, 0);
	} else {
		f->reaped = w == pid;
	}
	(void)exeunt_stop_callback_pop(&f->cb1);
	return f;
}

/*
 * A thread pushes cb1 and requests its own stop (cb1 runs, unpopped),
 * then forks.  In the child its stop is clear again and cb1 stays pushed:
 * its pop must say ECANCELED (fn ran), and must leave the child's own
 * cb2 on the list, so that the child's stop request runs it.  The pop's
 * lock-free path (no stop yet, so "it is on the list") unlinks cb1, which
 * is not on the list, and takes cb2 off with it.
 */
START_TEST(rv_fork_child_pop_of_ran_callback)
{
	struct forker f;
	exeunt_thread_t *t;
	int bits;

	memset(&f, 0, sizeof f);
	atomic_init(&f.log.n, 0);
	rec_init(&f.rec1, &f.log, 1);
	rec_init(&f.rec2, &f.log, 2);
	f.push_rc = f.req_rc = -1;
	t = create_or_fail(NULL, start_stop_self_then_fork, &f);
	join_or_fail(t);
	ck_assert_int_eq(f.push_rc, 0);
	ck_assert_int_eq(f.req_rc, 0);
	ck_assert_int_eq(atomic_load(&f.rec1.count), 1);
	ck_assert_msg(f.reaped && WIFEXITED(f.status), "the child hung or "
	    "was killed (status %#x)", f.status);
	bits = WEXITSTATUS(f.status);
	ck_assert_msg(bits == FK_ALL, "in the child: pop of cb1 %s, cb2 %s, "
	    "pop of cb2 %s", bits & FK_POP1_ECANCELED ? "ECANCELED" :
	    "not ECANCELED", bits & FK_CB2_RAN ? "ran" : "never ran",
	    bits & FK_POP2_ECANCELED ? "ECANCELED" : "not ECANCELED");
}
END_TEST

/*
 * A stop callback of an unregistered thread that blocks holds up the
 * shutdown at its start; with a deadline and proceed the watchdog must
 * take over, as for a blocked terminate callback (exeunt_set_timeout(3)):
 * the hook runs and the process ends with main's status.
 */
START_TEST(rv_unregistered_blocked_callback_taken_over)
{
	char tv[64];
	const char *const env[] = { tv, "EXEUNT_ON_TIMEOUT=proceed", NULL };

	snprintf(tv, sizeof tv, "EXEUNT_TIMEOUT=%ldms",
	    (long)(200 * test_scale()));
	child_run(&ch, "scenario_rv_unreg_stuck", NULL, env, 0);
	child_assert_exit(&ch, 3);
	child_assert_out(&ch, "main exits\ncallback blocks\nhook 1\n");
}
END_TEST

/*
 * exit(7) from a stop callback, run by the shutdown (_i 0) or by
 * exeunt_thread_request_stop() (_i 1): the thread's terminate callback,
 * which comes after its stop callbacks, still runs, the thread ends
 * before the hook, and the process ends with 7.
 */
START_TEST(rv_exit_from_stop_callback_keeps_terminate)
{
	const char *args[] = { _i == 0 ? "exit" : "request", NULL };
	const char *const env[] = { "EXEUNT_TIMEOUT=3s",
	    "EXEUNT_ON_TIMEOUT=exit", NULL };
	char want[256];

	snprintf(want, sizeof want, "%s\nstop callback exits\nterminate T\n"
	    "T ends\nhook 1\n", _i == 0 ? "main exits" : "main requests");
	child_run(&ch, "scenario_rv_exit_stopcb", args, env, 0);
	child_assert_out(&ch, want);
	child_assert_exit(&ch, 7);
}
END_TEST

/*
 * exeunt_poll() "returns as poll(2)": a set of exactly RLIMIT_NOFILE
 * entries is one that poll(2) takes, but exeunt_poll() adds its stop
 * descriptor and passes one more, which poll(2) refuses with EINVAL.
 */
START_TEST(rv_poll_set_at_nofile_limit)
{
	enum { LIMIT = 256 };
	struct pollfd set[LIMIT];
	struct rlimit rl = { LIMIT, LIMIT };
	int i, n;

	ck_assert_int_ge(exeunt_stop_fd(), 0);
	ck_assert_int_lt(exeunt_stop_fd(), LIMIT);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	for (i = 0; i < LIMIT; i++) {
		set[i].fd = -1;
		set[i].events = POLLIN;
		set[i].revents = 0;
	}
	ck_assert_int_eq(poll(set, LIMIT, 0), 0);
	errno = 0;
	n = exeunt_poll(set, LIMIT, 0);
	ck_assert_msg(n == 0, "exeunt_poll of %d entries: %d, errno %s; "
	    "poll(2): 0", LIMIT, n, strerror(errno));
}
END_TEST

Suite *
make_waits_suite(void)
{
	Suite *s = suite_create("waits");
	TCase *cb = tcase_create("callback");
	TCase *cv = tcase_create("cond");
	TCase *rc = tcase_create("race");
	TCase *tr = tcase_create("trap");
	TCase *cn = tcase_create("cancel");
	TCase *cp = tcase_create("cancel_poll");
	TCase *sl = tcase_create("sleep");
	TCase *pl = tcase_create("poll");
	TCase *rv = tcase_create("review");
	TCase *rl = tcase_create("review-nofile");
	TCase *rvs = tcase_create("review-scenario");

	tcase_set_timeout(cb, UNIT_TIMEOUT);
	tcase_add_test(cb, pop_before_stop_returns_0);
	tcase_add_test(cb, push_after_stop_is_ecanceled);
	tcase_add_test(cb, request_runs_newest_first_then_terminate);
	tcase_add_test(cb, concurrent_requests_run_each_once);
	tcase_add_test(cb, push_pop_errors);
	tcase_add_test(cb, pop_middle_and_push_again);
	tcase_add_test(cb, flag_and_fd_set_before_callback);
	tcase_add_test(cb, pop_waits_for_running_callback);
	tcase_add_test(cb, pop_inside_callback_does_not_wait);
	tcase_add_test(cb, pop_inside_callback_other_thread);
	tcase_add_test(cb, unregistered_callbacks_run_on_shutdown);
	tcase_add_test(cb, unregistered_callbacks_run_at_exit);
	tcase_add_test(cb, release_with_callback_is_ebusy);
	tcase_add_test(cb, callbacks_dropped_at_thread_end);
	suite_add_tcase(s, cb);

	tcase_set_timeout(cv, UNIT_TIMEOUT);
	tcase_add_test(cv, cond_wait_signal_returns_0);
	tcase_add_test(cv, cond_wait_stopped_before);
	tcase_add_test(cv, cond_wait_stopped_during);
	tcase_add_test(cv, cond_timedwait_past_and_invalid);
	tcase_add_test(cv, cond_timedwait_uses_cond_clock);
	tcase_add_test(cv, cond_timedwait_ecanceled_beats_etimedout);
	tcase_add_test(cv, cond_timedwait_ecanceled_beats_etimedout_during);
	suite_add_tcase(s, cv);

	tcase_set_timeout(rc, SCENARIO_TIMEOUT);
	tcase_add_test(rc, race_cond_wait);
	tcase_add_test(rc, race_cond_timedwait);
	tcase_add_test(rc, race_sleep);
	tcase_add_test(rc, race_poll);
	suite_add_tcase(s, rc);

	tcase_set_timeout(tr, SCENARIO_TIMEOUT);
	tcase_add_test(tr, two_waiters_one_cond_by_request);
	tcase_add_test(tr, two_waiters_one_cond_at_exit);
	suite_add_tcase(s, tr);

	tcase_set_timeout(cn, UNIT_TIMEOUT);
	tcase_add_test(cn, cancel_in_cond_wait);
	tcase_add_test(cn, sleep_not_cancellation_point);
	suite_add_tcase(s, cn);

	/*
	 * ThreadSanitizer loses the locks of a thread cancelled inside an
	 * intercepted poll(): its cleanup handler's locked writes are then
	 * reported as races (gcc 12; a plain pthread program that cancels
	 * a thread in poll() shows the same report).
	 */
	tcase_set_timeout(cp, UNIT_TIMEOUT);
	tcase_set_tags(cp, "no-tsan");
	tcase_add_test(cp, cancel_in_poll);
	suite_add_tcase(s, cp);

	tcase_set_timeout(sl, UNIT_TIMEOUT);
	tcase_add_test(sl, sleep_returns_after_duration);
	tcase_add_test(sl, sleep_stopped_before);
	tcase_add_test(sl, sleep_forever_ends_on_stop);
	tcase_add_test(sl, sleep_not_shortened_by_signal);
	suite_add_tcase(s, sl);

	tcase_set_timeout(pl, UNIT_TIMEOUT);
	tcase_add_test(pl, poll_like_poll);
	tcase_add_test(pl, poll_stopped_before);
	tcase_add_test(pl, poll_stopped_during);
	tcase_add_test(pl, poll_many_fds);
	tcase_add_test(pl, unregistered_waits_end_on_shutdown);
	suite_add_tcase(s, pl);

	tcase_set_timeout(rv, UNIT_TIMEOUT);
	tcase_add_test(rv, rv_storage_untouched_after_thread_end);
	tcase_add_test(rv, rv_fork_child_pop_of_ran_callback);
	suite_add_tcase(s, rv);

	/* valgrind keeps descriptors of its own above the soft limit of
	 * RLIMIT_NOFILE, and refuses to change it. */
	tcase_set_timeout(rl, UNIT_TIMEOUT);
	tcase_set_tags(rl, "no-valgrind");
	tcase_add_test(rl, rv_poll_set_at_nofile_limit);
	suite_add_tcase(s, rl);

	tcase_set_timeout(rvs, SCENARIO_TIMEOUT);
	tcase_add_test(rvs, rv_unregistered_blocked_callback_taken_over);
	tcase_add_loop_test(rvs, rv_exit_from_stop_callback_keeps_terminate,
	    0, 2);
	suite_add_tcase(s, rvs);
	return s;
}
