/*
 * When a thread is finished with, and where it may be cancelled:
 * exeunt_thread_join() and exeunt_thread_release() wait for a terminate
 * callback that another thread runs; a thread counts until it has ended,
 * its thread-specific data and thread_local destructors included; and of
 * the library's functions only exeunt_thread_join(), and
 * exeunt_pool_submit() while it waits for room, are cancellation points.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * The cancellation cases use deferred cancellation of the calling thread:
 * pthread_cancel(pthread_self()) leaves the request pending, and the first
 * cancellation point reached acts on it, inside the library call if the
 * call reaches one.  A call cancelled inside may leave a lock held, so
 * whatever could then block runs in a thread that must end in time.
 */
#include "tests.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One child per test process: each test runs in its own fork. */
static struct child ch;

/* Bound on the calls below that must not block, in ms before scaling. */
#define IN_TIME_MS 2000

/*
 * Joins the raw thread t, or fails the test if it has not ended in time:
 * a bounded poll, because a thread stuck on a lock that a cancelled
 * thread left held never ends.
 */
static void *
join_in_time(pthread_t t, const char *what)
{
	struct timespec deadline = deadline_in(IN_TIME_MS);
	void *ret = NULL;
	int rc;

	while ((rc = pthread_tryjoin_np(t, &ret)) == EBUSY &&
	    !deadline_passed(&deadline))
		poll_pause();
	ck_assert_msg(rc == 0, "%s: not done after %d ms (%s)", what,
	    IN_TIME_MS, strerror(rc));
	return ret;
}

static void *
start_request_stop(void *arg)
{
	exeunt_thread_request_stop(arg);
	return NULL;
}

static void *
start_shutdown(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)exeunt_shutdown();
}

/* 1. Join and release wait for the terminate callback ------------- */

/*
 * What a blocking terminate callback and the test say to each other.  The
 * callback sets its box's flag as the last thing before it returns; the
 * flag is past the first words of the box, where the allocator keeps its
 * free-list links, so that when the box is freed too early the plain
 * build reports the order and only AddressSanitizer the use after free.
 */
struct box {
	char pad[32];
	atomic_int done;
};

static struct {
	struct gate started;	/* the callback runs */
	struct gate release;	/* the callback may return */
	struct gate returned;	/* it has returned */
	struct gate ran;	/* the thread's own code is done */
	struct gate back;	/* the owner's join or release returned */
} cb;

static void
cb_init(void)
{
	gate_init(&cb.started);
	gate_init(&cb.release);
	gate_init(&cb.returned);
	gate_init(&cb.ran);
	gate_init(&cb.back);
}

static void
terminate_block(exeunt_thread_t *t, void *arg)
{
	struct box *box = arg;

	(void)t;
	gate_open(&cb.started);
	gate_wait(&cb.release);
	atomic_store(&box->done, 1);
	gate_open(&cb.returned);
}

/*
 * Lets the callback return once the owner's call has stayed blocked for
 * 100 ms.  The wait only makes the check stronger: the owner's assertion
 * is on the flag it finds when its call returns.
 */
static void *
start_releaser(void *arg)
{
	(void)arg;
	(void)gate_wait_ms(&cb.back, 100);
	gate_open(&cb.release);
	return NULL;
}

static void *
start_stop_then_return(void *arg)
{
	exeunt_wait_stop(NULL);
	gate_open(&cb.ran);
	return arg;
}

/*
 * Creates a thread whose terminate callback blocks on box, starts stopper
 * (which makes some thread other than the owner run the callback), and
 * joins the thread once its start routine has returned while the callback
 * still blocks.  Frees box right after the join if told to.  Returns the
 * callback's flag as the join left it; *st is the stopper.
 */
static int
join_while_callback_blocks(struct box *box, int free_box,
    void *(*stopper)(void *), pthread_t *st)
{
	exeunt_attr_t a;
	exeunt_thread_t *t;
	pthread_t rel;
	int done;

	cb_init();
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(&a, terminate_block, box), 0);
	t = create_or_fail(&a, start_stop_then_return, box);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	*st = start_raw(stopper, t);
	gate_wait(&cb.started);
	gate_wait(&cb.ran);
	rel = start_raw(start_releaser, NULL);
	ck_assert_ptr_eq(join_or_fail(t), box);
	done = atomic_load(&box->done);
	if (free_box)
		free(box);
	gate_open(&cb.back);
	join_raw(rel);
	return done;
}

/* (a) The callback of a stop request made in a third thread. */
START_TEST(join_waits_for_callback_of_request_stop)
{
	static struct box box;
	pthread_t st;

	ck_assert_msg(join_while_callback_blocks(&box, 0, start_request_stop,
	    &st), "exeunt_thread_join returned while the terminate callback "
	    "that exeunt_thread_request_stop started still ran");
	join_raw(st);
}
END_TEST

/* (b) The callback of exeunt_shutdown() running in another thread. */
START_TEST(join_waits_for_callback_of_shutdown)
{
	static struct box box;
	pthread_t st;

	ck_assert_msg(join_while_callback_blocks(&box, 0, start_shutdown, &st),
	    "exeunt_thread_join returned while the terminate callback that "
	    "exeunt_shutdown started still ran");
	ck_assert_ptr_null(join_raw(st));
}
END_TEST

/*
 * (e) The owner frees the callback's argument right after the join.
 * AddressSanitizer reports the callback's write if the join returned
 * first; the plain build checks the order.
 */
START_TEST(callback_argument_freed_after_join)
{
	struct box *box = calloc(1, sizeof(*box));
	pthread_t st;
	int done;

	ck_assert_ptr_nonnull(box);
	done = join_while_callback_blocks(box, 1, start_request_stop, &st);
	/* On a broken library the callback writes the freed box now. */
	ck_assert_int_eq(gate_wait_ms(&cb.returned, IN_TIME_MS), 0);
	join_raw(st);
	ck_assert_msg(done, "exeunt_thread_join returned while the terminate "
	    "callback still used its argument");
}
END_TEST

struct adopted {
	struct box *box;
	exeunt_thread_t *self;
	int adopt_rc, release_rc, done;
};

/* An adopted thread whose callback another thread runs, released then. */
static void *
start_adopt_release(void *arg)
{
	struct adopted *ad = arg;
	exeunt_attr_t a;

	exeunt_attr_init(&a);
	exeunt_attr_setterminate(&a, terminate_block, ad->box);
	ad->adopt_rc = exeunt_thread_adopt(&a);
	exeunt_attr_destroy(&a);
	if (ad->adopt_rc == 0)
		ad->self = exeunt_thread_self();
	gate_open(&cb.ran);
	if (ad->adopt_rc != 0)
		return NULL;
	gate_wait(&cb.started);
	ad->release_rc = exeunt_thread_release();
	ad->done = atomic_load(&ad->box->done);
	gate_open(&cb.back);
	return NULL;
}

/* (c) exeunt_thread_release() waits for the callback likewise. */
START_TEST(release_waits_for_callback)
{
	static struct box box;
	struct adopted ad = { .box = &box };
	pthread_t th, st, rel;

	cb_init();
	th = start_raw(start_adopt_release, &ad);
	gate_wait(&cb.ran);
	ck_assert_int_eq(ad.adopt_rc, 0);
	st = start_raw(start_request_stop, ad.self);
	rel = start_raw(start_releaser, NULL);
	join_raw(th);
	join_raw(rel);
	join_raw(st);
	ck_assert_int_eq(ad.release_rc, 0);
	ck_assert_msg(ad.done, "exeunt_thread_release returned while the "
	    "thread's terminate callback still ran in another thread");
}
END_TEST

static int target_join_rc = -1;
static struct gate target_joined;

static void
terminate_join_target(exeunt_thread_t *t, void *arg)
{
	(void)arg;
	target_join_rc = exeunt_thread_join(t, NULL);
	gate_open(&target_joined);
}

/*
 * (d) A callback that joins the thread it was called for would wait for
 * itself: EDEADLK at once, and the handle stays its owner's.
 */
START_TEST(callback_joining_its_thread_is_edeadlk)
{
	static int value;
	exeunt_attr_t a;
	exeunt_thread_t *t;
	pthread_t st;

	gate_init(&target_joined);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(&a, terminate_join_target,
	    NULL), 0);
	t = create_or_fail(&a, start_wait_stop, &value);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	st = start_raw(start_request_stop, t);
	ck_assert_msg(gate_wait_ms(&target_joined, IN_TIME_MS) == 0,
	    "exeunt_thread_join of its own thread from a terminate callback "
	    "hangs");
	join_raw(st);
	ck_assert_msg(target_join_rc == EDEADLK, "exeunt_thread_join of its "
	    "own thread from a terminate callback: %d (%s), want EDEADLK",
	    target_join_rc, strerror(target_join_rc));
	ck_assert_ptr_eq(join_or_fail(t), &value);
}
END_TEST

/* 2. A thread counts until it has ended ---------------------------- */

static pthread_key_t slow_key;
static struct gate in_destructor, destructor_release;
static atomic_int destructor_done;

static void
destructor_block(void *arg)
{
	(void)arg;
	gate_open(&in_destructor);
	gate_wait(&destructor_release);
	atomic_store(&destructor_done, 1);
}

static void *
start_set_key(void *arg)
{
	pthread_setspecific(slow_key, arg);
	exeunt_wait_stop(NULL);
	return arg;
}

static void
slow_key_init(void)
{
	gate_init(&in_destructor);
	gate_init(&destructor_release);
	ck_assert_int_eq(pthread_key_create(&slow_key, destructor_block), 0);
}

/* exeunt_count() counts a thread still in a key destructor. */
START_TEST(count_includes_thread_in_key_destructor)
{
	exeunt_thread_t *t;
	size_t n;

	slow_key_init();
	t = create_or_fail(NULL, start_set_key, &slow_key);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	gate_wait(&in_destructor);
	n = exeunt_count();
	gate_open(&destructor_release);
	join_or_fail(t);
	ck_assert_msg(n == 1, "exeunt_count() is %zu while the thread runs "
	    "its key destructor, want 1", n);
	ck_assert_uint_eq(exeunt_count(), 0);
}
END_TEST

static struct gate shutdown_back;
static int shutdown_rc = -1, destructor_done_seen = -1;

/* exeunt_shutdown(), then what the destructor had done by its return. */
static void *
start_shutdown_then_look(void *arg)
{
	(void)arg;
	shutdown_rc = exeunt_shutdown();
	destructor_done_seen = atomic_load(&destructor_done);
	gate_open(&shutdown_back);
	return NULL;
}

/* The shutdown's join phase waits for a key destructor too. */
START_TEST(shutdown_waits_for_key_destructor)
{
	exeunt_thread_t *t;
	pthread_t sh;

	slow_key_init();
	gate_init(&shutdown_back);
	t = create_or_fail(NULL, start_set_key, &slow_key);
	sh = start_raw(start_shutdown_then_look, NULL);
	gate_wait(&in_destructor);
	/* Lets a broken shutdown return first; the check needs no wait. */
	(void)gate_wait_ms(&shutdown_back, 100);
	gate_open(&destructor_release);
	join_raw(sh);
	join_or_fail(t);
	ck_assert_int_eq(shutdown_rc, 0);
	ck_assert_msg(destructor_done_seen == 1, "exeunt_shutdown returned "
	    "while a non-daemon thread still ran its key destructor");
}
END_TEST

/*
 * The C++ scenario programs are built when the C++ compiler uses the C
 * library of the C compiler (configure); not with CC=musl-gcc, where the
 * tests that run them are left out and the suite says so.
 */
static const char *const destructor_scenario[] = {
	"scenario_fin_tsd",	/* a pthread_key destructor */
	"scenario_fin_tsd_ctor_static",	/* the same, from a constructor */
#ifdef TEST_CXX_SCENARIOS
	"scenario_fin_tls",	/* a C++ thread_local destructor */
#endif
};

#define DESTRUCTOR_RUNS 40

/*
 * At exit, the join phase waits for a worker's destructors: "flushed"
 * before the hook, in every run.  The destructor's millisecond makes a
 * library that counts the thread out too early lose about 19 runs in 20;
 * 40 runs make it certain.  Under the tools (a CK_TIMEOUT_MULTIPLIER),
 * where each run takes a second, fewer runs, which lose all the same.
 */
START_TEST(exit_waits_for_thread_destructors)
{
	int runs = (int)(DESTRUCTOR_RUNS / test_scale()), i;

	if (runs < 2)
		runs = 2;
	for (i = 0; i < runs; i++) {
		child_run(&ch, destructor_scenario[_i], NULL, NULL, 0);
		child_assert_exit(&ch, 0);
		child_assert_quiet(&ch);
		ck_assert_msg(strcmp(ch.out_buf, "flushed\nhook 1\n") == 0,
		    "%s, run %d of %d, printed:\n%s--- instead of:\n"
		    "flushed\nhook 1\n---", ch.name, i + 1, runs,
		    ch.out_buf);
	}
}
END_TEST

/*
 * A terminate callback that throws: the exception reaches the caller of
 * exeunt_thread_request_stop(), and the record does not stay marked
 * running, so the thread finishes and its join returns.  A library whose
 * callback state stayed "running" would hang in the join.
 */
#ifdef TEST_CXX_SCENARIOS
START_TEST(throwing_callback_leaves_no_running_record)
{
	child_run(&ch, "scenario_fin_throw", NULL, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_quiet(&ch);
	child_assert_out(&ch, "caught: terminate callback\njoined\n");
}
END_TEST
#endif

/* 3. Cancellation points --------------------------------------------- */

/*
 * One library call made by a thread of its own, optionally with its own
 * cancellation pending.  returned says that the call came back; after
 * that the pending cancellation acts at pthread_testcancel(), and after
 * says that it did not.
 */
struct call {
	int (*fn)(void *arg);
	void *arg;
	int cancel_self;
	struct gate calling;	/* the call is the next thing the thread does */
	struct gate back;	/* the call returned */
	pid_t tid;
	int rc, returned, after;
};

static void
call_init(struct call *c, int (*fn)(void *), void *arg, int cancel_self)
{
	memset(c, 0, sizeof(*c));
	c->fn = fn;
	c->arg = arg;
	c->cancel_self = cancel_self;
	gate_init(&c->calling);
	gate_init(&c->back);
}

static void *
start_call(void *arg)
{
	struct call *c = arg;

	c->tid = test_gettid();
	if (c->cancel_self)
		pthread_cancel(pthread_self());
	gate_open(&c->calling);
	c->rc = c->fn(c->arg);
	c->returned = 1;
	gate_open(&c->back);
	pthread_testcancel();
	c->after = 1;
	return NULL;
}

/* The call in a raw thread with its cancellation pending: returns in
 * time, and the thread is cancelled after it, not inside. */
static void
call_not_cancelled(struct call *c, const char *what)
{
	void *ret;

	ret = join_in_time(start_raw(start_call, c), what);
	ck_assert_msg(c->returned, "%s was cancelled inside: it is not a "
	    "cancellation point", what);
	ck_assert_msg(ret == PTHREAD_CANCELED && !c->after, "after %s the "
	    "pending cancellation did not act at pthread_testcancel()", what);
}

/* The call in a raw thread, in time, with its rc; fails if it blocks. */
static int
call_in_time(int (*fn)(void *), void *arg, const char *what)
{
	struct call c;

	call_init(&c, fn, arg, 0);
	join_in_time(start_raw(start_call, &c), what);
	return c.rc;
}

static int
do_request_stop(void *arg)
{
	return exeunt_thread_request_stop(arg);
}

static int
do_stop_fd(void *arg)
{
	(void)arg;
	return exeunt_stop_fd();
}

static int
do_shutdown(void *arg)
{
	(void)arg;
	return exeunt_shutdown();
}

static int
do_wait_stop_1ms(void *arg)
{
	const struct timespec ms = { 0, 1000000L };

	(void)arg;
	return exeunt_wait_stop(&ms);
}

static int
do_join(void *arg)
{
	return exeunt_thread_join(arg, NULL);
}

/* The same from a registered non-daemon thread, whose join waits where a
 * shutdown could tell it EDEADLK. */
static int
do_join_adopted(void *arg)
{
	int rc = exeunt_thread_adopt(NULL);

	return rc != 0 ? -rc : exeunt_thread_join(arg, NULL);
}

static int
do_count(void *arg)
{
	(void)arg;
	return (int)exeunt_count();
}

/* Creates, joins and counts threads, then shuts down; 0 if all went. */
static int
do_library_round(void *arg)
{
	exeunt_thread_t *t;
	void *ret = NULL;
	int rc;

	if ((rc = exeunt_thread_create(&t, NULL, start_return_arg, arg)) != 0 ||
	    (rc = exeunt_thread_join(t, &ret)) != 0)
		return rc;
	if (ret != arg)
		return EIO;
	(void)exeunt_count();
	return exeunt_shutdown();
}

/* The library still works: nothing was left locked by a cancellation. */
static void
assert_library_works(void)
{
	ck_assert_int_eq(call_in_time(do_library_round, &ch,
	    "create, join, exeunt_count and exeunt_shutdown"), 0);
}

static int stop_fd_made = -2;
static struct gate has_stop_fd;

static void *
start_make_fd_then_wait(void *arg)
{
	stop_fd_made = exeunt_stop_fd();
	gate_open(&has_stop_fd);
	exeunt_wait_stop(NULL);
	return arg;
}

/*
 * exeunt_thread_request_stop() of a thread that has a stop fd (a write to
 * an eventfd inside) is no cancellation point.
 */
START_TEST(request_stop_is_no_cancellation_point)
{
	static int value;
	exeunt_thread_t *t;
	struct call c;

	gate_init(&has_stop_fd);
	t = create_or_fail(NULL, start_make_fd_then_wait, &value);
	gate_wait(&has_stop_fd);
	ck_assert_int_ge(stop_fd_made, 0);
	call_init(&c, do_request_stop, t, 1);
	call_not_cancelled(&c, "exeunt_thread_request_stop");
	ck_assert_int_eq(c.rc, 0);
	ck_assert_ptr_eq(join_or_fail(t), &value);
	assert_library_works();
}
END_TEST

/* A registered thread, once stopped, makes its stop fd with its
 * cancellation pending: the fd is signalled at once (a write). */
static void *
start_stopped_then_call(void *arg)
{
	exeunt_wait_stop(NULL);
	return start_call(arg);
}

/* exeunt_stop_fd() is no cancellation point. */
START_TEST(stop_fd_is_no_cancellation_point)
{
	exeunt_thread_t *t;
	struct call c;

	call_init(&c, do_stop_fd, NULL, 1);
	t = create_or_fail(NULL, start_stopped_then_call, &c);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	ck_assert_msg(gate_wait_ms(&c.back, IN_TIME_MS) == 0, "exeunt_stop_fd "
	    "of a stopped thread was cancelled inside (or hangs)");
	ck_assert_int_ge(c.rc, 0);
	ck_assert_ptr_eq(join_or_fail(t), PTHREAD_CANCELED);
	ck_assert_int_eq(c.after, 0);
	assert_library_works();
}
END_TEST

/*
 * exeunt_shutdown() while another thread's shutdown runs waits for it,
 * and is no cancellation point while it waits.
 */
START_TEST(shutdown_waiting_is_no_cancellation_point)
{
	static struct box box;
	exeunt_attr_t a;
	exeunt_thread_t *t;
	struct call c;
	pthread_t first, second;
	void *ret;

	cb_init();
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(&a, terminate_block, &box),
	    0);
	t = create_or_fail(&a, start_wait_stop, NULL);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	first = start_raw(start_shutdown, NULL);
	gate_wait(&cb.started);
	call_init(&c, do_shutdown, NULL, 1);
	second = start_raw(start_call, &c);
	gate_wait(&c.calling);
	/* It waits for the first: it must not return meanwhile. */
	ck_assert_msg(gate_wait_ms(&c.back, 100) == ETIMEDOUT,
	    "the second exeunt_shutdown returned (%d) while the first ran",
	    c.rc);
	gate_open(&cb.release);
	ret = join_in_time(second, "the second exeunt_shutdown");
	ck_assert_msg(c.returned, "the second exeunt_shutdown was cancelled "
	    "while it waited for the first: it is not a cancellation point");
	ck_assert_int_eq(c.rc, 0);
	ck_assert_msg(ret == PTHREAD_CANCELED && !c.after, "after "
	    "exeunt_shutdown the pending cancellation did not act");
	ck_assert_ptr_null(join_in_time(first, "the first exeunt_shutdown"));
	join_or_fail(t);
	/* No creation after a shutdown: the rest still answers. */
	ck_assert_int_eq(call_in_time(do_count, NULL, "exeunt_count"), 0);
	ck_assert_int_eq(call_in_time(do_shutdown, NULL, "exeunt_shutdown"),
	    0);
}
END_TEST

/* exeunt_wait_stop() with a timeout is no cancellation point. */
START_TEST(wait_stop_is_no_cancellation_point)
{
	struct call c;

	call_init(&c, do_wait_stop_1ms, NULL, 1);
	call_not_cancelled(&c, "exeunt_wait_stop");
	ck_assert_int_eq(c.rc, ETIMEDOUT);
	assert_library_works();
}
END_TEST

/*
 * exeunt_thread_join() is a cancellation point, like pthread_join(): a
 * joiner cancelled in it (with its cancellation pending when it calls,
 * _i & 1 == 0, or cancelled by another thread while it blocks, _i & 1)
 * leaves the thread joinable, with its value.  The joiner is a raw
 * thread, or (_i & 2) a registered non-daemon one, which waits on the
 * registry rather than in pthread_join().
 */
START_TEST(join_is_cancellation_point)
{
	struct gate go;
	exeunt_thread_t *t;
	struct call c;
	pthread_t joiner;
	void *ret;

	gate_init(&go);
	t = create_or_fail(NULL, start_wait_gate, &go);
	call_init(&c, _i & 2 ? do_join_adopted : do_join, t, !(_i & 1));
	joiner = start_raw(start_call, &c);
	if (_i & 1) {
		gate_wait(&c.calling);
		ck_assert(wait_until_sleeping(c.tid));
		ck_assert_int_eq(pthread_cancel(joiner), 0);
	}
	ret = join_in_time(joiner, "the cancelled exeunt_thread_join");
	ck_assert_msg(ret == PTHREAD_CANCELED && !c.returned,
	    "exeunt_thread_join was not cancelled (returned %d)", c.rc);
	gate_open(&go);
	ck_assert_ptr_eq(join_or_fail(t), &go);
	assert_library_works();
}
END_TEST

/* A job that blocks its worker until the gate opens. */
static struct gate job_running, job_go;
static atomic_int jobs_run;

static void
job_block(void *arg)
{
	(void)arg;
	gate_open(&job_running);
	gate_wait(&job_go);
	atomic_fetch_add(&jobs_run, 1);
}

static void
job_count(void *arg)
{
	(void)arg;
	atomic_fetch_add(&jobs_run, 1);
}

static int
do_submit(void *arg)
{
	return exeunt_pool_submit(arg, job_count, NULL, NULL);
}

static exeunt_pool_t *stats_pool;
static struct exeunt_pool_stats stats_out;

static int
do_stats(void *arg)
{
	(void)arg;
	return exeunt_pool_stats(stats_pool, &stats_out);
}

static int
do_destroy(void *arg)
{
	return exeunt_pool_destroy(arg);
}

/*
 * exeunt_pool_submit() waiting for room in a full queue is a cancellation
 * point: the job is not taken, and the pool goes on working.
 */
START_TEST(pool_submit_full_is_cancellation_point)
{
	struct exeunt_pool_stats before;
	exeunt_pool_t *pool;
	struct call c;
	void *ret;

	gate_init(&job_running);
	gate_init(&job_go);
	ck_assert_int_eq(exeunt_pool_create(&pool, 1, 1, NULL), 0);
	ck_assert_int_eq(exeunt_pool_submit(pool, job_block, NULL, NULL), 0);
	gate_wait(&job_running);
	ck_assert_int_eq(exeunt_pool_submit(pool, job_count, NULL, NULL), 0);
	ck_assert_int_eq(exeunt_pool_stats(pool, &before), 0);
	ck_assert_uint_eq(before.queued, 1);

	call_init(&c, do_submit, pool, 1);
	ret = join_in_time(start_raw(start_call, &c), "exeunt_pool_submit");
	ck_assert_msg(ret == PTHREAD_CANCELED && !c.returned,
	    "exeunt_pool_submit on a full queue was not cancelled (%d)", c.rc);

	stats_pool = pool;
	ck_assert_int_eq(call_in_time(do_stats, NULL,
	    "exeunt_pool_stats after a cancelled submit"), 0);
	ck_assert_uint_eq(stats_out.submitted, before.submitted);
	ck_assert_uint_eq(stats_out.queued, before.queued);
	gate_open(&job_go);
	ck_assert_int_eq(call_in_time(do_submit, pool, "exeunt_pool_submit"),
	    0);
	ck_assert_int_eq(call_in_time(do_destroy, pool, "exeunt_pool_destroy"),
	    0);
	ck_assert_int_eq(atomic_load(&jobs_run), 3);
	assert_library_works();
}
END_TEST

Suite *
make_finish_suite(void)
{
	Suite *s = suite_create("finish");
	TCase *cb_wait = tcase_create("callback_wait");
	TCase *cb_self = tcase_create("callback_self");
	TCase *ended = tcase_create("ended");
	TCase *ended_exit = tcase_create("ended_exit");
	TCase *not_point = tcase_create("not_cancel_point");
	TCase *join = tcase_create("cancel_join");
	TCase *submit = tcase_create("cancel_submit");

	tcase_set_timeout(cb_wait, UNIT_TIMEOUT);
	tcase_add_test(cb_wait, join_waits_for_callback_of_request_stop);
	tcase_add_test(cb_wait, join_waits_for_callback_of_shutdown);
	tcase_add_test(cb_wait, release_waits_for_callback);
	tcase_add_test(cb_wait, callback_argument_freed_after_join);
	suite_add_tcase(s, cb_wait);

	tcase_set_timeout(cb_self, UNIT_TIMEOUT);
	tcase_add_test(cb_self, callback_joining_its_thread_is_edeadlk);
	suite_add_tcase(s, cb_self);

	tcase_set_timeout(ended, UNIT_TIMEOUT);
	tcase_add_test(ended, count_includes_thread_in_key_destructor);
	tcase_add_test(ended, shutdown_waits_for_key_destructor);
	suite_add_tcase(s, ended);

	tcase_set_timeout(ended_exit, SCENARIO_TIMEOUT);
#ifdef TEST_CXX_SCENARIOS
	tcase_add_test(ended_exit, throwing_callback_leaves_no_running_record);
#else
	fprintf(stderr, "note: finish:ended_exit: C++ scenario programs not "
	    "built (no C++ compiler, or one that uses another C library): "
	    "left out "
	    "throwing_callback_leaves_no_running_record and the "
	    "scenario_fin_tls run of exit_waits_for_thread_destructors\n");
#endif
	tcase_add_loop_test(ended_exit, exit_waits_for_thread_destructors, 0,
	    (int)(sizeof destructor_scenario / sizeof destructor_scenario[0]));
	suite_add_tcase(s, ended_exit);

	tcase_set_timeout(not_point, UNIT_TIMEOUT);
	tcase_add_test(not_point, request_stop_is_no_cancellation_point);
	tcase_add_test(not_point, stop_fd_is_no_cancellation_point);
	tcase_add_test(not_point, shutdown_waiting_is_no_cancellation_point);
	tcase_add_test(not_point, wait_stop_is_no_cancellation_point);
	suite_add_tcase(s, not_point);

	/*
	 * ThreadSanitizer ignores what a thread does inside pthread_join()
	 * and ends the ignore when the call returns: a thread cancelled in
	 * it ends with the ignore on, which it reports (gcc 12; so for a
	 * plain pthread_join() too).
	 */
	tcase_set_timeout(join, UNIT_TIMEOUT);
	tcase_set_tags(join, "no-tsan");
	tcase_add_loop_test(join, join_is_cancellation_point, 0, 4);
	suite_add_tcase(s, join);

	tcase_set_timeout(submit, UNIT_TIMEOUT);
	tcase_add_test(submit, pool_submit_full_is_cancellation_point);
	suite_add_tcase(s, submit);
	return s;
}
