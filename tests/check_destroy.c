/*
 * The destroy function of exeunt_attr_setdestroy(3), and exeunt_report(3).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * A destroy function is called exactly once, with the terminate callback's
 * arg, in the finishing thread, after its thread-specific destructors and
 * after every terminate callback for it has returned; for
 * exeunt_thread_release() in the releasing thread before the call returns.
 * Never when creation or adoption fails.  Its exit-time behaviour (the
 * shutdown waits for it; not called for a thread that never ends, nor in a
 * fork child for the parent's threads) is checked with scenario_ds_exit.
 */
#include "tests.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One child per test process: each test runs in its own fork. */
static struct child ch;

/* Bound on waits that must end, in ms before scaling. */
#define IN_TIME_MS 2000

/* What the destroy function saw; reset by each test. */
static struct {
	atomic_int calls;
	void *arg;
	pthread_t thread;		/* where it ran */
	int callback_returned;		/* the terminate callback had */
	int key_destructed;		/* the thread's key destructor had */
	int registered;			/* exeunt_thread_self() in it */
} seen;

static atomic_int callback_done;
static atomic_int key_done;

static void
record_destroy(void *arg)
{
	seen.arg = arg;
	seen.thread = pthread_self();
	seen.callback_returned = atomic_load(&callback_done);
	seen.key_destructed = atomic_load(&key_done);
	seen.registered = exeunt_thread_self() != NULL;
	atomic_fetch_add(&seen.calls, 1);
}

static void
other_destroy(void *arg)
{
	(void)arg;
}

static void
terminate_note(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	atomic_store(&callback_done, 1);
}

static void
attr_with_destroy(exeunt_attr_t *a, exeunt_terminate_fn fn, void *arg)
{
	ck_assert_int_eq(exeunt_attr_init(a), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(a, fn, arg), 0);
	ck_assert_int_eq(exeunt_attr_setdestroy(a, record_destroy), 0);
}

/* 1. The attribute ----------------------------------------------------- */

START_TEST(getdestroy_reads_what_setdestroy_set)
{
	void (*fn)(void *) = other_destroy;
	exeunt_attr_t a;

	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_getdestroy(&a, &fn), 0);
	ck_assert_msg(fn == NULL, "the default destroy function is not NULL");
	ck_assert_int_eq(exeunt_attr_setdestroy(&a, record_destroy), 0);
	ck_assert_int_eq(exeunt_attr_getdestroy(&a, &fn), 0);
	ck_assert_msg(fn == record_destroy, "getdestroy: not what was set");
	ck_assert_int_eq(exeunt_attr_setdestroy(&a, NULL), 0);
	ck_assert_int_eq(exeunt_attr_getdestroy(&a, &fn), 0);
	ck_assert_msg(fn == NULL, "setdestroy(NULL) did not remove it");
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
}
END_TEST

START_TEST(destroy_attribute_einval)
{
	void (*fn)(void *) = NULL;
	exeunt_attr_t a;

	ck_assert_int_eq(exeunt_attr_setdestroy(NULL, record_destroy), EINVAL);
	ck_assert_int_eq(exeunt_attr_getdestroy(NULL, &fn), EINVAL);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_getdestroy(&a, NULL), EINVAL);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	/* A destroyed object. */
	ck_assert_int_eq(exeunt_attr_setdestroy(&a, record_destroy), EINVAL);
	ck_assert_int_eq(exeunt_attr_getdestroy(&a, &fn), EINVAL);
}
END_TEST

/* 2. Created threads --------------------------------------------------- */

static struct gate cb_started, cb_release, body_done;
static pthread_t body_thread;

static void
gates_init(void)
{
	gate_init(&cb_started);
	gate_init(&cb_release);
	gate_init(&body_done);
	atomic_store(&callback_done, 0);
	atomic_store(&key_done, 0);
	atomic_store(&seen.calls, 0);
}

/* A terminate callback that blocks until released. */
static void
terminate_block(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	gate_open(&cb_started);
	gate_wait(&cb_release);
	atomic_store(&callback_done, 1);
}

static void *
start_request_stop(void *arg)
{
	exeunt_thread_request_stop(arg);
	return NULL;
}

static void *
start_stop_then_return(void *arg)
{
	body_thread = pthread_self();
	exeunt_wait_stop(NULL);
	gate_open(&body_done);
	return arg;
}

/*
 * Lets the callback return after 100 ms or once the destroy function ran
 * (on a broken library): the wait makes the check stronger, the assertion
 * is on what the destroy function saw.
 */
static void *
start_releaser(void *arg)
{
	struct timespec d = deadline_in(100);

	(void)arg;
	while (!deadline_passed(&d) && atomic_load(&seen.calls) == 0)
		poll_pause();
	gate_open(&cb_release);
	return NULL;
}

/*
 * Once, with the arg, in the thread, after the terminate callback that
 * another thread ran returned, before the join returned.
 */
START_TEST(destroy_once_after_callback_in_the_thread)
{
	static int value, ret;
	exeunt_attr_t a;
	exeunt_thread_t *t;
	pthread_t st, rel;

	gates_init();
	attr_with_destroy(&a, terminate_block, &value);
	t = create_or_fail(&a, start_stop_then_return, &ret);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	st = start_raw(start_request_stop, t);
	gate_wait(&cb_started);
	gate_wait(&body_done);
	rel = start_raw(start_releaser, NULL);
	ck_assert_ptr_eq(join_or_fail(t), &ret);
	ck_assert_int_eq(atomic_load(&seen.calls), 1);
	ck_assert_ptr_eq(seen.arg, &value);
	ck_assert_msg(pthread_equal(seen.thread, body_thread),
	    "the destroy function did not run in the finishing thread");
	ck_assert_msg(seen.callback_returned, "the destroy function ran "
	    "while the terminate callback still ran in another thread");
	ck_assert_msg(!seen.registered, "exeunt_thread_self() is not NULL "
	    "in the destroy function");
	join_raw(rel);
	join_raw(st);
	ck_assert_int_eq(atomic_load(&seen.calls), 1);
}
END_TEST

/* With no terminate callback ever called, and with none set: the arg
 * of exeunt_attr_setterminate all the same, or NULL. */
START_TEST(destroy_without_callback_call)
{
	static int value;
	exeunt_attr_t a;
	exeunt_thread_t *t;

	gates_init();
	attr_with_destroy(&a, terminate_note, &value);
	t = create_or_fail(&a, start_return_arg, NULL);
	join_or_fail(t);
	ck_assert_int_eq(atomic_load(&seen.calls), 1);
	ck_assert_ptr_eq(seen.arg, &value);
	ck_assert_int_eq(atomic_load(&callback_done), 0);

	/* A NULL callback keeps its arg for the destroy function. */
	ck_assert_int_eq(exeunt_attr_setterminate(&a, NULL, &value), 0);
	t = create_or_fail(&a, start_return_arg, NULL);
	join_or_fail(t);
	ck_assert_int_eq(atomic_load(&seen.calls), 2);
	ck_assert_ptr_eq(seen.arg, &value);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);

	/* No exeunt_attr_setterminate at all. */
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setdestroy(&a, record_destroy), 0);
	t = create_or_fail(&a, start_return_arg, NULL);
	join_or_fail(t);
	ck_assert_int_eq(atomic_load(&seen.calls), 3);
	ck_assert_ptr_null(seen.arg);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
}
END_TEST

static pthread_key_t key;

static void
key_destructor(void *arg)
{
	(void)arg;
	/* On a library that destroys first, calls is already 1 here. */
	if (atomic_load(&seen.calls) == 0)
		atomic_store(&key_done, 1);
}

static void *
start_set_key(void *arg)
{
	pthread_setspecific(key, arg);
	return arg;
}

/* At the thread's end: after its thread-specific data destructors. */
START_TEST(destroy_after_thread_specific_destructors)
{
	static int value;
	exeunt_attr_t a;
	exeunt_thread_t *t;

	gates_init();
	ck_assert_int_eq(pthread_key_create(&key, key_destructor), 0);
	attr_with_destroy(&a, NULL, NULL);
	t = create_or_fail(&a, start_set_key, &value);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	join_or_fail(t);
	ck_assert_int_eq(atomic_load(&seen.calls), 1);
	ck_assert_msg(seen.key_destructed, "the destroy function ran before "
	    "the thread's key destructor");
}
END_TEST

static void *
start_exit_thread(void *arg)
{
	pthread_exit(arg);
}

static void *
start_cancel_self(void *arg)
{
	pthread_cancel(pthread_self());
	for (;;)
		pthread_testcancel();
	return arg;
}

/* A thread that ends through pthread_exit() or a cancellation too. */
START_TEST(destroy_after_pthread_exit_and_cancel)
{
	static int value, ret;
	exeunt_attr_t a;
	exeunt_thread_t *t;

	gates_init();
	attr_with_destroy(&a, terminate_note, &value);
	t = create_or_fail(&a, start_exit_thread, &ret);
	ck_assert_ptr_eq(join_or_fail(t), &ret);
	ck_assert_int_eq(atomic_load(&seen.calls), 1);
	ck_assert_ptr_eq(seen.arg, &value);
	t = create_or_fail(&a, start_cancel_self, &ret);
	ck_assert_ptr_eq(join_or_fail(t), PTHREAD_CANCELED);
	ck_assert_int_eq(atomic_load(&seen.calls), 2);
	ck_assert_ptr_eq(seen.arg, &value);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
}
END_TEST

static struct gate in_destroy, leave_destroy;

static void
destroy_block(void *arg)
{
	gate_open(&in_destroy);
	gate_wait(&leave_destroy);
	record_destroy(arg);
}

/* A detached thread: called once all the same; the thread counts (in
 * exeunt_count()) until the call returned. */
START_TEST(destroy_of_detached_thread)
{
	static int value;
	exeunt_attr_t a;
	exeunt_thread_t *t;

	gates_init();
	gate_init(&in_destroy);
	gate_init(&leave_destroy);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(&a, NULL, &value), 0);
	ck_assert_int_eq(exeunt_attr_setdestroy(&a, destroy_block), 0);
	t = create_or_fail(&a, start_return_arg, NULL);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	ck_assert_int_eq(exeunt_thread_detach(t), 0);
	gate_wait(&in_destroy);
	ck_assert_msg(exeunt_count() == 1, "a thread in its destroy function "
	    "no longer counts");
	gate_open(&leave_destroy);
	ck_assert_msg(wait_count(0), "the thread never finished");
	ck_assert_int_eq(atomic_load(&seen.calls), 1);
	ck_assert_ptr_eq(seen.arg, &value);
}
END_TEST

/* While the destroy function runs, a stop request calls no terminate
 * callback: it could no longer run once the destroy function began. */
START_TEST(no_callback_while_destroying)
{
	static int value;
	exeunt_attr_t a;
	exeunt_thread_t *t;

	gates_init();
	gate_init(&in_destroy);
	gate_init(&leave_destroy);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(&a, terminate_note, &value),
	    0);
	ck_assert_int_eq(exeunt_attr_setdestroy(&a, destroy_block), 0);
	t = create_or_fail(&a, start_return_arg, NULL);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	gate_wait(&in_destroy);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	ck_assert_msg(atomic_load(&callback_done) == 0, "a stop request "
	    "called the terminate callback while the destroy function ran");
	gate_open(&leave_destroy);
	join_or_fail(t);
	ck_assert_int_eq(atomic_load(&seen.calls), 1);
	ck_assert_int_eq(atomic_load(&callback_done), 0);
}
END_TEST

static exeunt_thread_t *self_handle;
static struct gate handle_set, self_joined;
static int self_join_rc = -1;

static void
destroy_join_self(void *arg)
{
	(void)arg;
	self_join_rc = exeunt_thread_join(self_handle, NULL);
	gate_open(&self_joined);
}

static void *
start_await_handle(void *arg)
{
	gate_wait(&handle_set);
	return arg;
}

/* A destroy function that joins its own thread would wait for itself:
 * EDEADLK at once, and the handle stays its owner's. */
START_TEST(destroy_joining_its_thread_is_edeadlk)
{
	static int value;
	exeunt_attr_t a;

	gates_init();
	gate_init(&handle_set);
	gate_init(&self_joined);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setdestroy(&a, destroy_join_self), 0);
	self_handle = create_or_fail(&a, start_await_handle, &value);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	gate_open(&handle_set);
	/* Not joined before: the owner's join would make it EINVAL. */
	ck_assert_msg(gate_wait_ms(&self_joined, IN_TIME_MS) == 0,
	    "exeunt_thread_join of its own thread from its destroy function "
	    "hangs");
	ck_assert_ptr_eq(join_or_fail(self_handle), &value);
	ck_assert_msg(self_join_rc == EDEADLK, "exeunt_thread_join of its own "
	    "thread from its destroy function: %d, want EDEADLK",
	    self_join_rc);
}
END_TEST

/* setdestroy(NULL): nothing called. */
START_TEST(null_destroy_is_not_called)
{
	static int value;
	exeunt_attr_t a;
	exeunt_thread_t *t;

	gates_init();
	attr_with_destroy(&a, terminate_note, &value);
	ck_assert_int_eq(exeunt_attr_setdestroy(&a, NULL), 0);
	t = create_or_fail(&a, start_return_arg, NULL);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	join_or_fail(t);
	ck_assert_int_eq(atomic_load(&seen.calls), 0);
}
END_TEST

/* 3. Adopted threads --------------------------------------------------- */

struct adopted {
	int adopt_rc, release_rc, calls_at_return;
	exeunt_thread_t *self;
	pthread_t thread;
	int release;		/* release, or end without it */
};

static void *
start_adopt(void *arg)
{
	static int value;
	struct adopted *ad = arg;
	exeunt_attr_t a;

	ad->thread = pthread_self();
	exeunt_attr_init(&a);
	exeunt_attr_setterminate(&a, terminate_block, &value);
	exeunt_attr_setdestroy(&a, record_destroy);
	ad->adopt_rc = exeunt_thread_adopt(&a);
	exeunt_attr_destroy(&a);
	if (ad->adopt_rc == 0)
		ad->self = exeunt_thread_self();
	gate_open(&body_done);
	if (ad->adopt_rc != 0 || !ad->release)
		return &value;
	gate_wait(&cb_started);
	ad->release_rc = exeunt_thread_release();
	ad->calls_at_return = atomic_load(&seen.calls);
	return &value;
}

/* exeunt_thread_release(): in the releasing thread, before it returns,
 * after the callback that another thread runs returned. */
START_TEST(destroy_in_release)
{
	struct adopted ad = { .release = 1 };
	pthread_t th, st, rel;
	void *value;

	gates_init();
	th = start_raw(start_adopt, &ad);
	gate_wait(&body_done);
	ck_assert_int_eq(ad.adopt_rc, 0);
	st = start_raw(start_request_stop, ad.self);
	rel = start_raw(start_releaser, NULL);
	value = join_raw(th);
	join_raw(rel);
	join_raw(st);
	ck_assert_int_eq(ad.release_rc, 0);
	ck_assert_int_eq(ad.calls_at_return, 1);
	ck_assert_int_eq(atomic_load(&seen.calls), 1);
	ck_assert_ptr_eq(seen.arg, value);
	ck_assert_msg(pthread_equal(seen.thread, ad.thread),
	    "the destroy function did not run in the releasing thread");
	ck_assert_msg(seen.callback_returned, "the destroy function ran "
	    "while the terminate callback still ran in another thread");
}
END_TEST

/* An adopted thread that ends without exeunt_thread_release(). */
START_TEST(destroy_at_end_of_adopted_thread)
{
	struct adopted ad = { .release = 0 };
	pthread_t th;
	void *value;

	gates_init();
	gate_open(&cb_release);
	th = start_raw(start_adopt, &ad);
	value = join_raw(th);
	ck_assert_int_eq(ad.adopt_rc, 0);
	ck_assert_int_eq(atomic_load(&seen.calls), 1);
	ck_assert_ptr_eq(seen.arg, value);
	ck_assert_msg(pthread_equal(seen.thread, ad.thread),
	    "the destroy function did not run in the ending thread");
}
END_TEST

/* 4. Failures ---------------------------------------------------------- */

static void *
start_adopt_twice(void *arg)
{
	exeunt_attr_t a;
	int *rc = arg;

	exeunt_attr_init(&a);
	exeunt_attr_setdestroy(&a, record_destroy);
	rc[0] = exeunt_thread_adopt(&a);
	rc[1] = exeunt_thread_adopt(&a);	/* EEXIST */
	rc[2] = exeunt_thread_release();
	exeunt_attr_destroy(&a);
	return NULL;
}

/* Not called when exeunt_thread_create or exeunt_thread_adopt fails. */
START_TEST(no_destroy_when_registration_fails)
{
	int rc[3] = { -1, -1, -1 };
	exeunt_attr_t a;
	exeunt_thread_t *t = NULL;

	gates_init();
	join_raw(start_raw(start_adopt_twice, rc));
	ck_assert_int_eq(rc[0], 0);
	ck_assert_int_eq(rc[1], EEXIST);
	ck_assert_int_eq(rc[2], 0);
	ck_assert_int_eq(atomic_load(&seen.calls), 1);	/* the release */

	ck_assert_int_eq(exeunt_shutdown(), 0);
	attr_with_destroy(&a, terminate_note, NULL);
	ck_assert_int_eq(exeunt_thread_create(&t, &a, start_return_arg, NULL),
	    ESHUTDOWN);
	ck_assert_int_eq(exeunt_thread_adopt(&a), ESHUTDOWN);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	ck_assert_int_eq(atomic_load(&seen.calls), 1);
}
END_TEST

/* Pools run their own terminate callback: a destroy function is refused. */
START_TEST(pool_create_refuses_destroy)
{
	exeunt_pool_t *pool = NULL;
	exeunt_attr_t a;

	gates_init();
	attr_with_destroy(&a, NULL, NULL);
	ck_assert_int_eq(exeunt_pool_create(&pool, 2, 4, &a), EINVAL);
	ck_assert_ptr_null(pool);
	ck_assert_uint_eq(exeunt_count(), 0);
	ck_assert_int_eq(exeunt_attr_setdestroy(&a, NULL), 0);
	ck_assert_int_eq(exeunt_pool_create(&pool, 2, 4, &a), 0);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	ck_assert_int_eq(exeunt_pool_destroy(pool), 0);
	ck_assert_int_eq(atomic_load(&seen.calls), 0);
}
END_TEST

/* 5. At exit, and in fork children (scenario_ds_exit) ------------------ */

START_TEST(exit_waits_for_destroy)
{
	child_run(&ch, "scenario_ds_exit", (const char *const[]){ "exit",
	    NULL }, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_quiet(&ch);
	child_assert_out(&ch, "terminate\ndestroy worker\nhook\n");
}
END_TEST

START_TEST(no_destroy_for_thread_that_calls_exit)
{
	child_run(&ch, "scenario_ds_exit", (const char *const[]){ "self-exit",
	    NULL }, NULL, 0);
	child_assert_exit(&ch, 7);
	child_assert_quiet(&ch);
	child_assert_out(&ch, "destroy other\nhook\n");
}
END_TEST

START_TEST(exit_from_destroy)
{
	child_run(&ch, "scenario_ds_exit", (const char *const[]){
	    "destroy-exit", NULL }, NULL, 0);
	child_assert_exit(&ch, 5);
	child_assert_quiet(&ch);
	child_assert_out(&ch, "destroy exits\nhook\n");
}
END_TEST

START_TEST(no_destroy_in_fork_child_for_parent_threads)
{
	child_run(&ch, "scenario_ds_exit", (const char *const[]){ "fork",
	    NULL }, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_quiet(&ch);
	child_assert_out(&ch, "child: 0 calls\ndestroy worker\nhook\n");
}
END_TEST

START_TEST(fork_from_destroy)
{
	child_run(&ch, "scenario_ds_exit", (const char *const[]){
	    "destroy-fork", NULL }, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_quiet(&ch);
	child_assert_out(&ch, "child: 1 thread in its destroy function\n"
	    "child exited 0\n");
}
END_TEST

#ifdef TEST_CXX_SCENARIOS
START_TEST(destroy_after_thread_local_destructors)
{
	child_run(&ch, "scenario_ds_tls", NULL, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_quiet(&ch);
	child_assert_out(&ch, "thread_local\ndestroy\njoined\n"
	    "thread_local\ndestroy\nended\n");
}
END_TEST
#endif

/* 6. exeunt_report ----------------------------------------------------- */

/*
 * Calls report with fd 2 on one end of a SOCK_SEQPACKET pair, so that
 * each write(2) is one record, and reads the first record into buf.
 * Returns its length, or 0 or -1 if nothing was written.
 */
static ssize_t
capture_report(int (*report)(const char *, ...), const char *fmt,
    const char *arg, int *rc, char *buf, size_t size)
{
	int sv[2], saved;
	ssize_t n;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	ck_assert_int_ge(saved = dup(STDERR_FILENO), 0);
	ck_assert_int_ge(dup2(sv[1], STDERR_FILENO), 0);
	errno = 1234;
	*rc = report(fmt, arg);
	n = errno;
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(sv[1]);
	ck_assert_msg(n == 1234, "exeunt_report changed errno to %zd", n);
	n = recv(sv[0], buf, size, MSG_DONTWAIT);
	close(sv[0]);
	return n;
}

START_TEST(report_writes_one_line)
{
	char buf[2048];
	ssize_t n;
	int rc;

	n = capture_report(exeunt_report, "lost %s", "db1", &rc, buf,
	    sizeof(buf));
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(n == (ssize_t)strlen("exeunt: lost db1\n") &&
	    memcmp(buf, "exeunt: lost db1\n", (size_t)n) == 0,
	    "the first write was %zd bytes: \"%.*s\"", n,
	    (int)(n > 0 ? n : 0), buf);
}
END_TEST

/* The format goes through a pointer without the format attribute, so
 * that the compiler lets a NULL one pass. */
static int (*volatile report_ptr)(const char *, ...) = exeunt_report;

START_TEST(report_null_format_is_einval)
{
	char buf[64];
	int rc;

	ck_assert_int_le(capture_report(report_ptr, NULL, NULL, &rc, buf,
	    sizeof(buf)), 0);
	ck_assert_int_eq(rc, EINVAL);
}
END_TEST

/* Text of len bytes: the line is "exeunt: ", the text, "\n", cut to 511
 * bytes in all. */
START_TEST(report_truncates_at_511)
{
	static const size_t lens[] = { 502, 503, 511, 4000 };
	char text[4001], buf[8192], want[512];
	size_t len = lens[_i], keep = len < 502 ? len : 502;
	ssize_t n;
	int rc;

	memset(text, 'a', len);
	text[len] = '\0';
	text[len - 1] = 'z';
	n = capture_report(exeunt_report, "%s", text, &rc, buf, sizeof(buf));
	ck_assert_int_eq(rc, 0);
	memcpy(want, "exeunt: ", 8);
	memcpy(want + 8, text, keep);
	want[8 + keep] = '\n';
	ck_assert_msg(n == (ssize_t)(8 + keep + 1) &&
	    memcmp(buf, want, (size_t)n) == 0, "text of %zu bytes: wrote %zd "
	    "bytes, want %zu", len, n, 8 + keep + 1);
}
END_TEST

static void *
start_report_cancelled(void *arg)
{
	atomic_int *returned = arg;

	pthread_cancel(pthread_self());
	exeunt_report("cancelled %d", 1);
	atomic_store(returned, 1);
	pthread_testcancel();
	return NULL;
}

/* Not a cancellation point: a pending cancellation does not act in it. */
START_TEST(report_is_no_cancellation_point)
{
	static atomic_int returned;
	int sv[2], saved;
	char buf[64];
	void *ret;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	ck_assert_int_ge(saved = dup(STDERR_FILENO), 0);
	ck_assert_int_ge(dup2(sv[1], STDERR_FILENO), 0);
	ret = join_raw(start_raw(start_report_cancelled, &returned));
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(sv[1]);
	ck_assert_ptr_eq(ret, PTHREAD_CANCELED);
	ck_assert_msg(atomic_load(&returned), "the thread was cancelled "
	    "inside exeunt_report");
	ck_assert_int_eq(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT),
	    (ssize_t)strlen("exeunt: cancelled 1\n"));
	close(sv[0]);
}
END_TEST

/* 7. No cancellation points ------------------------------------------- */

static void *
start_make_stop_fd(void *arg)
{
	*(int *)arg = exeunt_stop_fd();
	return NULL;
}

struct detach_case {
	exeunt_thread_t *t;
	int rc;
	atomic_int returned;
};

static void *
start_detach_cancelled(void *arg)
{
	struct detach_case *d = arg;

	pthread_cancel(pthread_self());
	d->rc = exeunt_thread_detach(d->t);
	atomic_store(&d->returned, 1);
	pthread_testcancel();
	return NULL;
}

/*
 * exeunt_thread_detach() of a thread that has finished frees its record,
 * which closes its stop descriptor: close(2) is a cancellation point, the
 * detach is not.
 */
START_TEST(detach_is_no_cancellation_point)
{
	static struct detach_case d;
	int fd = -1;

	d.t = create_or_fail(NULL, start_make_stop_fd, &fd);
	ck_assert_msg(wait_count(0), "the thread never finished");
	ck_assert_int_eq(join_raw(start_raw(start_detach_cancelled, &d)) ==
	    PTHREAD_CANCELED, 1);
	ck_assert_int_ge(fd, 0);
	ck_assert_msg(atomic_load(&d.returned), "the thread was cancelled "
	    "inside exeunt_thread_detach");
	ck_assert_int_eq(d.rc, 0);
}
END_TEST

static void
destroy_testcancel(void *arg)
{
	pthread_testcancel();
	record_destroy(arg);
}

static void *
start_release_cancelled(void *arg)
{
	atomic_int *returned = arg;
	exeunt_attr_t a;
	int rc;

	exeunt_attr_init(&a);
	exeunt_attr_setdestroy(&a, destroy_testcancel);
	rc = exeunt_thread_adopt(&a);
	exeunt_attr_destroy(&a);
	if (rc != 0)
		return NULL;
	pthread_cancel(pthread_self());
	if (exeunt_thread_release() == 0)
		atomic_store(returned, 1);
	pthread_testcancel();
	return NULL;
}

/* exeunt_thread_release() is no cancellation point: its destroy function
 * runs with cancellation disabled, as the other callbacks do. */
START_TEST(release_is_no_cancellation_point)
{
	static atomic_int returned;

	gates_init();
	ck_assert_ptr_eq(join_raw(start_raw(start_release_cancelled,
	    &returned)), PTHREAD_CANCELED);
	ck_assert_int_eq(atomic_load(&seen.calls), 1);
	ck_assert_msg(atomic_load(&returned), "the thread was cancelled "
	    "inside exeunt_thread_release");
	ck_assert_uint_eq(exeunt_count(), 0);
}
END_TEST

Suite *
make_destroy_suite(void)
{
	Suite *s = suite_create("destroy");
	TCase *attr = tcase_create("attr");
	TCase *created = tcase_create("created");
	TCase *adopted = tcase_create("adopted");
	TCase *failures = tcase_create("failures");
	TCase *at_exit = tcase_create("at_exit");
	TCase *fork_destroy = tcase_create("fork_destroy");
	TCase *report = tcase_create("report");
	TCase *noexc = tcase_create("noexcept");

	tcase_set_timeout(attr, UNIT_TIMEOUT);
	tcase_add_test(attr, getdestroy_reads_what_setdestroy_set);
	tcase_add_test(attr, destroy_attribute_einval);
	suite_add_tcase(s, attr);

	tcase_set_timeout(created, UNIT_TIMEOUT);
	tcase_add_test(created, destroy_once_after_callback_in_the_thread);
	tcase_add_test(created, destroy_without_callback_call);
	tcase_add_test(created, destroy_after_thread_specific_destructors);
	tcase_add_test(created, destroy_after_pthread_exit_and_cancel);
	tcase_add_test(created, destroy_of_detached_thread);
	tcase_add_test(created, no_callback_while_destroying);
	tcase_add_test(created, destroy_joining_its_thread_is_edeadlk);
	tcase_add_test(created, null_destroy_is_not_called);
	suite_add_tcase(s, created);

	tcase_set_timeout(adopted, UNIT_TIMEOUT);
	tcase_add_test(adopted, destroy_in_release);
	tcase_add_test(adopted, destroy_at_end_of_adopted_thread);
	suite_add_tcase(s, adopted);

	tcase_set_timeout(failures, UNIT_TIMEOUT);
	tcase_add_test(failures, no_destroy_when_registration_fails);
	tcase_add_test(failures, pool_create_refuses_destroy);
	suite_add_tcase(s, failures);

	tcase_set_timeout(at_exit, SCENARIO_TIMEOUT);
	tcase_add_test(at_exit, exit_waits_for_destroy);
	tcase_add_test(at_exit, no_destroy_for_thread_that_calls_exit);
	tcase_add_test(at_exit, exit_from_destroy);
	tcase_add_test(at_exit, no_destroy_in_fork_child_for_parent_threads);
#ifdef TEST_CXX_SCENARIOS
	tcase_add_test(at_exit, destroy_after_thread_local_destructors);
#endif
	suite_add_tcase(s, at_exit);

	/* ThreadSanitizer fails in the child of a threaded process whose
	 * forking thread goes on and ends it, and LeakSanitizer's check at
	 * the exit of such a child writes "Running thread ... was not
	 * suspended" (check_hostile.c): the tools', not ours. */
	tcase_set_timeout(fork_destroy, SCENARIO_TIMEOUT);
	tcase_set_tags(fork_destroy, "no-tsan no-asan");
	tcase_add_test(fork_destroy, fork_from_destroy);
	suite_add_tcase(s, fork_destroy);

	tcase_set_timeout(report, UNIT_TIMEOUT);
	tcase_add_test(report, report_writes_one_line);
	tcase_add_test(report, report_null_format_is_einval);
	tcase_add_loop_test(report, report_truncates_at_511, 0, 4);
	tcase_add_test(report, report_is_no_cancellation_point);
	suite_add_tcase(s, report);

	tcase_set_timeout(noexc, UNIT_TIMEOUT);
	tcase_add_test(noexc, detach_is_no_cancellation_point);
	tcase_add_test(noexc, release_is_no_cancellation_point);
	suite_add_tcase(s, noexc);
	return s;
}
