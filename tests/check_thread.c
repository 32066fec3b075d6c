/*
 * Threads: exeunt_thread_create(3), exeunt_thread_adopt(3) and the
 * property functions of exeunt_thread_self(3).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "tests.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char sentinel_object;
#define SENTINEL ((exeunt_thread_t *)(void *)&sentinel_object)

START_TEST(create_einval)
{
	exeunt_thread_t *t = SENTINEL;

	ck_assert_int_eq(exeunt_thread_create(NULL, NULL, start_return_arg,
	    NULL), EINVAL);
	ck_assert_int_eq(exeunt_thread_create(&t, NULL, NULL, NULL), EINVAL);
	ck_assert_ptr_eq(t, SENTINEL);
	ck_assert_uint_eq(exeunt_count(), 0);
}
END_TEST

START_TEST(join_returns_value)
{
	exeunt_thread_t *t;
	int x;

	t = create_or_fail(NULL, start_return_arg, &x);
	ck_assert_ptr_eq(join_or_fail(t), &x);
	ck_assert_uint_eq(exeunt_count(), 0);

	/* retval may be NULL. */
	t = create_or_fail(NULL, start_return_arg, &x);
	ck_assert_int_eq(exeunt_thread_join(t, NULL), 0);
}
END_TEST

static void *
start_pthread_exit(void *arg)
{
	pthread_exit(arg);
	return NULL;
}

START_TEST(join_returns_pthread_exit_value)
{
	exeunt_thread_t *t;
	int x;

	t = create_or_fail(NULL, start_pthread_exit, &x);
	ck_assert_ptr_eq(join_or_fail(t), &x);
	ck_assert_uint_eq(exeunt_count(), 0);
}
END_TEST

/*
 * Waits to be cancelled at pthread_testcancel() rather than in a blocking
 * call: ThreadSanitizer loses track of locks taken by the cleanup after a
 * cancellation inside one of its intercepted calls.  The spin lasts only
 * until the test thread cancels it.
 */
static void
until_cancelled(void)
{
	for (;;) {
		pthread_testcancel();
		sched_yield();
	}
}

static void *
start_until_cancelled(void *arg)
{
	gate_open(arg);
	until_cancelled();
	return NULL;
}

START_TEST(join_returns_canceled)
{
	exeunt_thread_t *t;
	struct gate ready;

	gate_init(&ready);
	t = create_or_fail(NULL, start_until_cancelled, &ready);
	gate_wait(&ready);
	ck_assert_int_eq(pthread_cancel(exeunt_thread_pthread(t)), 0);
	ck_assert_ptr_eq(join_or_fail(t), PTHREAD_CANCELED);
	/* A cancelled thread counts as finished. */
	ck_assert_uint_eq(exeunt_count(), 0);
}
END_TEST

START_TEST(join_null_is_einval)
{
	void *ret;

	ck_assert_int_eq(exeunt_thread_join(NULL, &ret), EINVAL);
	ck_assert_int_eq(exeunt_thread_detach(NULL), EINVAL);
}
END_TEST

struct self_join {
	struct gate done;
	int rc;
};

static void *
start_join_self(void *arg)
{
	struct self_join *sj = arg;

	sj->rc = exeunt_thread_join(exeunt_thread_self(), NULL);
	gate_open(&sj->done);
	return sj;
}

START_TEST(join_self_is_edeadlk)
{
	struct self_join sj;
	exeunt_thread_t *t;

	gate_init(&sj.done);
	sj.rc = -1;
	t = create_or_fail(NULL, start_join_self, &sj);
	/* No join of ours in progress meanwhile (that would be EINVAL). */
	gate_wait(&sj.done);
	ck_assert_int_eq(sj.rc, EDEADLK);
	ck_assert_ptr_eq(join_or_fail(t), &sj);
}
END_TEST

/* Join and detach of a detached handle fail while the thread still runs. */
START_TEST(detached_handle_is_einval)
{
	exeunt_thread_t *t;
	struct gate g;

	gate_init(&g);
	t = create_or_fail(NULL, start_wait_gate, &g);
	ck_assert_int_eq(exeunt_thread_detach(t), 0);
	ck_assert_int_eq(exeunt_thread_join(t, NULL), EINVAL);
	ck_assert_int_eq(exeunt_thread_detach(t), EINVAL);
	ck_assert_uint_eq(exeunt_count(), 1);
	gate_open(&g);
	/* Detached, it finishes on its own and leaves the registry. */
	ck_assert(wait_count(0));
}
END_TEST

struct joiner {
	exeunt_thread_t *t;
	void *ret;
	int rc;
	struct gate *reported;
	atomic_int *order;
	int rank;
};

static void *
start_joiner(void *arg)
{
	struct joiner *j = arg;

	j->rc = exeunt_thread_join(j->t, &j->ret);
	j->rank = atomic_fetch_add(j->order, 1);
	gate_open(j->reported);
	return NULL;
}

/*
 * Two threads join the same handle while the thread is held: one of them
 * must get EINVAL at once (a join is in progress); the other gets the
 * value once the thread is let go.
 */
START_TEST(join_in_progress_is_einval)
{
	struct gate hold, reported;
	struct joiner j[2];
	atomic_int order = 0;
	exeunt_thread_t *t;
	pthread_t r[2];
	int i, first;

	gate_init(&hold);
	gate_init(&reported);
	t = create_or_fail(NULL, start_wait_gate, &hold);
	for (i = 0; i < 2; i++) {
		memset(&j[i], 0, sizeof j[i]);
		j[i].t = t;
		j[i].rc = -1;
		j[i].reported = &reported;
		j[i].order = &order;
		j[i].rank = -1;
		r[i] = start_raw(start_joiner, &j[i]);
	}
	/* Nothing can complete a join before hold opens. */
	gate_wait(&reported);
	first = j[0].rank == 0 ? 0 : 1;
	ck_assert_int_eq(j[first].rank, 0);
	ck_assert_int_eq(j[first].rc, EINVAL);
	gate_open(&hold);
	join_raw(r[0]);
	join_raw(r[1]);
	ck_assert_int_eq(j[1 - first].rc, 0);
	ck_assert_ptr_eq(j[1 - first].ret, &hold);
	ck_assert_uint_eq(exeunt_count(), 0);
}
END_TEST

/*
 * A join and a detach race on one held thread: whichever comes second
 * gets EINVAL (detached, or being joined); never both succeed.
 */
START_TEST(detach_while_joining_is_einval)
{
	struct gate hold, reported;
	struct joiner j;
	atomic_int order = 0;
	exeunt_thread_t *t;
	pthread_t r;
	int drc;

	gate_init(&hold);
	gate_init(&reported);
	t = create_or_fail(NULL, start_wait_gate, &hold);
	memset(&j, 0, sizeof j);
	j.t = t;
	j.rc = -1;
	j.reported = &reported;
	j.order = &order;
	r = start_raw(start_joiner, &j);
	drc = exeunt_thread_detach(t);
	if (drc == 0) {
		/* Detached first: the join must fail, before hold opens. */
		gate_wait(&reported);
		ck_assert_int_eq(j.rc, EINVAL);
		gate_open(&hold);
		join_raw(r);
		ck_assert(wait_count(0));
	} else {
		ck_assert_int_eq(drc, EINVAL);
		gate_open(&hold);
		join_raw(r);
		ck_assert_int_eq(j.rc, 0);
		ck_assert_ptr_eq(j.ret, &hold);
	}
}
END_TEST

START_TEST(detach_then_finish)
{
	exeunt_thread_t *t;
	int i;

	for (i = 0; i < 8; i++) {
		t = create_or_fail(NULL, start_return_arg, NULL);
		ck_assert_int_eq(exeunt_thread_detach(t), 0);
	}
	ck_assert(wait_count(0));
}
END_TEST

struct self_probe {
	struct gate go;
	unsigned long long seq;
	pthread_t pself;
	int same_pthread;
	char name[EXEUNT_NAME_MAX + 1];
	char os[16];
	int isdaemon;
};

static void *
start_self_probe(void *arg)
{
	struct self_probe *p = arg;
	exeunt_thread_t *me;

	/* The creator lets us go once exeunt_thread_create() returned. */
	gate_wait(&p->go);
	me = exeunt_thread_self();
	if (me != NULL) {
		p->seq = exeunt_thread_seq(me);
		p->same_pthread = pthread_equal(exeunt_thread_pthread(me),
		    pthread_self()) != 0;
		snprintf(p->name, sizeof p->name, "%s", exeunt_thread_name(me));
		p->isdaemon = exeunt_thread_isdaemon(me);
	}
	p->pself = pthread_self();
	os_name(pthread_self(), p->os, sizeof p->os);
	return p;
}

static void
probe_init(struct self_probe *p)
{
	memset(p, 0, sizeof *p);
	gate_init(&p->go);
	p->isdaemon = -5;
}

START_TEST(self_and_properties)
{
	struct self_probe p;
	exeunt_thread_t *t;

	ck_assert_ptr_null(exeunt_thread_self());
	probe_init(&p);
	t = create_or_fail(NULL, start_self_probe, &p);
	gate_open(&p.go);
	/* The handle is valid until joined, whatever the thread does. */
	ck_assert_uint_eq(exeunt_thread_seq(t), 1);
	ck_assert_str_eq(exeunt_thread_name(t), "thread-1");
	ck_assert_int_eq(exeunt_thread_isdaemon(t), 0);
	ck_assert_ptr_eq(join_or_fail(t), &p);
	ck_assert_uint_eq(p.seq, 1);
	ck_assert_int_eq(p.same_pthread, 1);
	ck_assert_str_eq(p.name, "thread-1");
	ck_assert_int_eq(p.isdaemon, 0);
	ck_assert_ptr_null(exeunt_thread_self());
}
END_TEST

START_TEST(pthread_matches_thread)
{
	struct self_probe p;
	exeunt_thread_t *t;
	pthread_t pt;

	probe_init(&p);
	t = create_or_fail(NULL, start_self_probe, &p);
	pt = exeunt_thread_pthread(t);
	gate_open(&p.go);
	join_or_fail(t);
	ck_assert(pthread_equal(pt, p.pself));
}
END_TEST

START_TEST(property_null_handles)
{
	errno = 0;
	ck_assert_int_eq(exeunt_thread_isdaemon(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(exeunt_thread_name(NULL));
	ck_assert(exeunt_thread_pthread(NULL) == (pthread_t)0);
	ck_assert_uint_eq(exeunt_thread_seq(NULL), 0);
}
END_TEST

START_TEST(names_default_custom_and_os)
{
	struct self_probe p[3];
	exeunt_thread_t *t[3];
	exeunt_attr_t a;
	int i;

	ck_assert_int_eq(pthread_setname_np(pthread_self(), "ck-parent"), 0);
	for (i = 0; i < 3; i++)
		probe_init(&p[i]);

	/* Unnamed: "thread-<seq>", OS name inherited from the creator. */
	t[0] = create_or_fail(NULL, start_self_probe, &p[0]);
	/* Named, longer than the OS allows: truncated to 15 bytes there. */
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setname(&a,
	    "abcdefghijklmnopqrstuvwxyz"), 0);
	t[1] = create_or_fail(&a, start_self_probe, &p[1]);
	/* Named, short. */
	ck_assert_int_eq(exeunt_attr_setname(&a, "short"), 0);
	t[2] = create_or_fail(&a, start_self_probe, &p[2]);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);

	for (i = 0; i < 3; i++)
		gate_open(&p[i].go);
	ck_assert_str_eq(exeunt_thread_name(t[0]), "thread-1");
	ck_assert_str_eq(exeunt_thread_name(t[1]), "abcdefghijklmnopqrstuvwxyz");
	ck_assert_str_eq(exeunt_thread_name(t[2]), "short");
	for (i = 0; i < 3; i++)
		join_or_fail(t[i]);
	ck_assert_str_eq(p[0].name, "thread-1");
	ck_assert_str_eq(p[0].os, "ck-parent");
	ck_assert_str_eq(p[1].name, "abcdefghijklmnopqrstuvwxyz");
	ck_assert_str_eq(p[1].os, "abcdefghijklmno");
	ck_assert_str_eq(p[2].name, "short");
	ck_assert_str_eq(p[2].os, "short");
}
END_TEST

START_TEST(seq_increases_never_reused)
{
	exeunt_thread_t *t;
	unsigned long long i;

	for (i = 1; i <= 5; i++) {
		t = create_or_fail(NULL, start_return_arg, NULL);
		ck_assert_uint_eq(exeunt_thread_seq(t), i);
		join_or_fail(t);
	}
	/* Adoption takes the next number too. */
	ck_assert_int_eq(exeunt_thread_adopt(NULL), 0);
	ck_assert_uint_eq(exeunt_thread_seq(exeunt_thread_self()), 6);
	ck_assert_int_eq(exeunt_thread_release(), 0);
	t = create_or_fail(NULL, start_return_arg, NULL);
	ck_assert_uint_eq(exeunt_thread_seq(t), 7);
	join_or_fail(t);
}
END_TEST

/* Daemon flag of a child made by the calling thread, per attr mode. */
enum { ATTR_NULL, ATTR_UNSET, ATTR_NONDAEMON, ATTR_DAEMON, ATTR_MODES };

static int
child_daemon(int mode)
{
	exeunt_attr_t a;
	exeunt_thread_t *t = NULL;
	int d;

	exeunt_attr_init(&a);
	if (mode == ATTR_NONDAEMON)
		exeunt_attr_setdaemon(&a, 0);
	else if (mode == ATTR_DAEMON)
		exeunt_attr_setdaemon(&a, 1);
	if (exeunt_thread_create(&t, mode == ATTR_NULL ? NULL : &a,
	    start_return_arg, NULL) != 0) {
		exeunt_attr_destroy(&a);
		return -2;
	}
	d = exeunt_thread_isdaemon(t);
	exeunt_thread_join(t, NULL);
	exeunt_attr_destroy(&a);
	return d;
}

struct inherit {
	int child[ATTR_MODES];
	int grandchild;
	int adopted;
};

static void *
start_grandchild_probe(void *arg)
{
	int *out = arg;

	*out = child_daemon(ATTR_NULL);
	return NULL;
}

static void *
start_adopter(void *arg)
{
	int *out = arg;

	*out = -3;
	if (exeunt_thread_adopt(NULL) == 0) {
		*out = exeunt_thread_isdaemon(exeunt_thread_self());
		exeunt_thread_release();
	}
	return NULL;
}

static void *
start_inherit_probe(void *arg)
{
	struct inherit *in = arg;
	exeunt_thread_t *t = NULL;
	int mode;

	for (mode = 0; mode < ATTR_MODES; mode++)
		in->child[mode] = child_daemon(mode);
	/* The default passes down more than one generation. */
	in->grandchild = -2;
	if (exeunt_thread_create(&t, NULL, start_grandchild_probe,
	    &in->grandchild) == 0)
		exeunt_thread_join(t, NULL);
	/* A raw thread is not registered: it adopts itself as non-daemon. */
	in->adopted = -2;
	{
		pthread_t r;

		if (pthread_create(&r, NULL, start_adopter, &in->adopted) == 0)
			pthread_join(r, NULL);
	}
	return NULL;
}

START_TEST(daemon_inheritance)
{
	const int want_daemon[ATTR_MODES] = { 1, 1, 0, 1 };
	const int want_plain[ATTR_MODES] = { 0, 0, 0, 1 };
	struct inherit in;
	exeunt_attr_t a;
	exeunt_thread_t *t;
	int mode;

	/* From the unregistered main thread: non-daemon unless asked. */
	for (mode = 0; mode < ATTR_MODES; mode++)
		ck_assert_int_eq(child_daemon(mode), want_plain[mode]);

	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setdaemon(&a, 1), 0);
	memset(&in, 0, sizeof in);
	t = create_or_fail(&a, start_inherit_probe, &in);
	join_or_fail(t);
	for (mode = 0; mode < ATTR_MODES; mode++)
		ck_assert_msg(in.child[mode] == want_daemon[mode],
		    "daemon creator, mode %d: child daemon %d", mode,
		    in.child[mode]);
	ck_assert_int_eq(in.grandchild, 1);
	ck_assert_int_eq(in.adopted, 0);

	ck_assert_int_eq(exeunt_attr_setdaemon(&a, 0), 0);
	memset(&in, 0, sizeof in);
	t = create_or_fail(&a, start_inherit_probe, &in);
	join_or_fail(t);
	for (mode = 0; mode < ATTR_MODES; mode++)
		ck_assert_msg(in.child[mode] == want_plain[mode],
		    "non-daemon creator, mode %d: child daemon %d", mode,
		    in.child[mode]);
	ck_assert_int_eq(in.grandchild, 0);
	ck_assert_int_eq(in.adopted, 0);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
}
END_TEST

START_TEST(adopt_and_release_main)
{
	exeunt_thread_t *me;
	char before[16], after[16];

	ck_assert_int_eq(pthread_setname_np(pthread_self(), "ck-adopter"), 0);
	ck_assert_ptr_null(exeunt_thread_self());
	ck_assert_int_eq(exeunt_thread_adopt(NULL), 0);
	me = exeunt_thread_self();
	ck_assert_ptr_nonnull(me);
	ck_assert_uint_eq(exeunt_thread_seq(me), 1);
	ck_assert_int_eq(exeunt_thread_isdaemon(me), 0);
	ck_assert_str_eq(exeunt_thread_name(me), "thread-1");
	ck_assert(pthread_equal(exeunt_thread_pthread(me), pthread_self()));
	ck_assert_uint_eq(exeunt_count(), 1);
	/* Unnamed: the OS name stays as it was. */
	os_name(pthread_self(), before, sizeof before);
	ck_assert_str_eq(before, "ck-adopter");

	ck_assert_int_eq(exeunt_thread_adopt(NULL), EEXIST);
	ck_assert_uint_eq(exeunt_count(), 1);
	ck_assert_uint_eq(exeunt_thread_seq(exeunt_thread_self()), 1);

	ck_assert_int_eq(exeunt_thread_release(), 0);
	ck_assert_ptr_null(exeunt_thread_self());
	ck_assert_uint_eq(exeunt_count(), 0);
	ck_assert_int_eq(exeunt_thread_release(), EPERM);

	/* Adopting again makes a new record with a new number. */
	ck_assert_int_eq(exeunt_thread_adopt(NULL), 0);
	ck_assert_uint_eq(exeunt_thread_seq(exeunt_thread_self()), 2);
	ck_assert_int_eq(exeunt_thread_release(), 0);
	os_name(pthread_self(), after, sizeof after);
	ck_assert_str_eq(after, "ck-adopter");
}
END_TEST

struct adopt_log {
	atomic_int calls;
	pthread_t caller;
};

static void
adopt_terminate(exeunt_thread_t *t, void *arg)
{
	struct adopt_log *log = arg;

	(void)t;
	log->caller = pthread_self();
	atomic_fetch_add(&log->calls, 1);
}

START_TEST(adopt_with_attr)
{
	struct adopt_log log;
	exeunt_attr_t a;
	exeunt_thread_t *me;
	char os[16];

	memset(&log, 0, sizeof log);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setdaemon(&a, 1), 0);
	ck_assert_int_eq(exeunt_attr_setname(&a, "adopted-main-thread"), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(&a, adopt_terminate, &log), 0);
	ck_assert_int_eq(exeunt_thread_adopt(&a), 0);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);

	me = exeunt_thread_self();
	ck_assert_ptr_nonnull(me);
	ck_assert_int_eq(exeunt_thread_isdaemon(me), 1);
	ck_assert_str_eq(exeunt_thread_name(me), "adopted-main-thread");
	os_name(pthread_self(), os, sizeof os);
	ck_assert_str_eq(os, "adopted-main-th");

	/* Its terminate callback and stop flag work like a created one's. */
	ck_assert_int_eq(exeunt_stop_requested(), 0);
	ck_assert_int_eq(exeunt_thread_request_stop(me), 0);
	ck_assert_int_eq(atomic_load(&log.calls), 1);
	ck_assert(pthread_equal(log.caller, pthread_self()));
	ck_assert_int_eq(exeunt_stop_requested(), 1);

	/* Released, it is an unregistered thread again: no stop requested
	 * while the process runs on. */
	ck_assert_int_eq(exeunt_thread_release(), 0);
	ck_assert_ptr_null(exeunt_thread_self());
	ck_assert_int_eq(exeunt_stop_requested(), 0);
	ck_assert_uint_eq(exeunt_count(), 0);
}
END_TEST

static void *
start_release(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)exeunt_thread_release();
}

START_TEST(release_not_adopted_is_eperm)
{
	exeunt_thread_t *t;

	ck_assert_int_eq(exeunt_thread_release(), EPERM);
	/* A created thread was not adopted: EPERM too, and it stays
	 * registered until it returns. */
	t = create_or_fail(NULL, start_release, NULL);
	ck_assert_int_eq((int)(intptr_t)join_or_fail(t), EPERM);
}
END_TEST

struct adoptee {
	int how;		/* 0 return, 1 pthread_exit, 2 wait to be cancelled */
	int rc;
	unsigned long long seq;
	exeunt_thread_t *self;
	struct gate adopted;
	struct gate release;
	int release_rc;
};

static void *
start_adoptee(void *arg)
{
	struct adoptee *ad = arg;

	ad->rc = exeunt_thread_adopt(NULL);
	ad->self = exeunt_thread_self();
	ad->seq = exeunt_thread_seq(ad->self);
	gate_open(&ad->adopted);
	if (ad->how != 2)
		gate_wait(&ad->release);
	switch (ad->how) {
	case 1:
		pthread_exit(ad);
		break;
	case 2:
		until_cancelled();
		break;
	case 3:
		ad->release_rc = exeunt_thread_release();
		break;
	default:
		break;
	}
	return ad;
}

static void
adoptee_init(struct adoptee *ad, int how)
{
	memset(ad, 0, sizeof *ad);
	ad->how = how;
	ad->rc = -1;
	ad->release_rc = -1;
	gate_init(&ad->adopted);
	gate_init(&ad->release);
}

/* An adopted thread that ends without releasing finishes all the same. */
START_TEST(adopted_thread_finishes_when_it_ends)
{
	struct adoptee ad;
	pthread_t r;
	int how;

	for (how = 0; how < 3; how++) {
		adoptee_init(&ad, how);
		r = start_raw(start_adoptee, &ad);
		gate_wait(&ad.adopted);
		ck_assert_int_eq(ad.rc, 0);
		ck_assert_uint_eq(ad.seq, (unsigned long long)how + 1);
		ck_assert_uint_eq(exeunt_count(), 1);
		if (how == 2)
			ck_assert_int_eq(pthread_cancel(r), 0);
		else
			gate_open(&ad.release);
		ck_assert_ptr_eq(join_raw(r),
		    how == 2 ? PTHREAD_CANCELED : (void *)&ad);
		/* pthread_join returns after the thread's TSD destructors. */
		ck_assert_msg(exeunt_count() == 0, "how %d: count %zu", how,
		    exeunt_count());
	}
}
END_TEST

START_TEST(adopted_handle_join_detach_einval)
{
	struct adoptee ad;
	pthread_t r;

	adoptee_init(&ad, 3);
	r = start_raw(start_adoptee, &ad);
	gate_wait(&ad.adopted);
	ck_assert_int_eq(ad.rc, 0);
	ck_assert_ptr_nonnull(ad.self);
	ck_assert_int_eq(exeunt_thread_join(ad.self, NULL), EINVAL);
	ck_assert_int_eq(exeunt_thread_detach(ad.self), EINVAL);
	ck_assert_uint_eq(exeunt_count(), 1);
	gate_open(&ad.release);
	join_raw(r);
	ck_assert_int_eq(ad.release_rc, 0);
	ck_assert_uint_eq(exeunt_count(), 0);
}
END_TEST

static void *
start_adopt_again(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)exeunt_thread_adopt(NULL);
}

START_TEST(adopt_created_thread_is_eexist)
{
	exeunt_thread_t *t;

	t = create_or_fail(NULL, start_adopt_again, NULL);
	ck_assert_int_eq((int)(intptr_t)join_or_fail(t), EEXIST);
}
END_TEST

/* A thread that is registered finds itself in its first instruction. */
static void *
start_count_self(void *arg)
{
	size_t *count = arg;

	*count = exeunt_count();
	return exeunt_thread_self();
}

START_TEST(registered_before_start_routine)
{
	exeunt_thread_t *t;
	size_t count = 0;

	t = create_or_fail(NULL, start_count_self, &count);
	ck_assert_ptr_nonnull(join_or_fail(t));
	ck_assert_uint_eq(count, 1);
}
END_TEST

/*
 * In its own TSD destructors a created thread has not finished yet: it is
 * finished once it has ended, destructors included (exeunt_thread_self()
 * still names it there).
 */
static pthread_key_t probe_key;

static void
probe_destructor(void *value)
{
	int *out = value;

	*out = exeunt_thread_self() != NULL ? 1 : 0;
}

static void *
start_tsd(void *arg)
{
	pthread_setspecific(probe_key, arg);
	return NULL;
}

START_TEST(self_null_in_tsd_destructor)
{
	exeunt_thread_t *t;
	int finished = -1;

	ck_assert_int_eq(pthread_key_create(&probe_key, probe_destructor), 0);
	t = create_or_fail(NULL, start_tsd, &finished);
	join_or_fail(t);
	ck_assert_int_eq(finished, 1);
}
END_TEST

/* Several threads create, join and detach at once. */
#define CONC_THREADS 4
#define CONC_ROUNDS 200

struct conc {
	unsigned long long seqs[CONC_ROUNDS];
	int errors;
};

static void *
start_value(void *arg)
{
	return (void *)((uintptr_t)arg * 3 + 1);
}

static void *
start_conc(void *arg)
{
	struct conc *c = arg;
	exeunt_thread_t *t;
	uintptr_t i;
	void *ret;

	for (i = 0; i < CONC_ROUNDS; i++) {
		if (exeunt_thread_create(&t, NULL, start_value,
		    (void *)i) != 0) {
			c->errors++;
			continue;
		}
		c->seqs[i] = exeunt_thread_seq(t);
		if (i % 5 == 4) {
			if (exeunt_thread_detach(t) != 0)
				c->errors++;
		} else if (exeunt_thread_join(t, &ret) != 0 ||
		    ret != (void *)(i * 3 + 1)) {
			c->errors++;
		}
	}
	return NULL;
}

static int
cmp_seq(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

START_TEST(concurrent_create_join)
{
	static struct conc c[CONC_THREADS];
	static unsigned long long all[CONC_THREADS * CONC_ROUNDS];
	pthread_t r[CONC_THREADS];
	int i, j;

	memset(c, 0, sizeof c);
	for (i = 0; i < CONC_THREADS; i++)
		r[i] = start_raw(start_conc, &c[i]);
	for (i = 0; i < CONC_THREADS; i++)
		join_raw(r[i]);
	for (i = 0; i < CONC_THREADS; i++) {
		ck_assert_int_eq(c[i].errors, 0);
		for (j = 0; j < CONC_ROUNDS; j++)
			all[i * CONC_ROUNDS + j] = c[i].seqs[j];
	}
	/* The numbers are exactly 1..N: unique and none skipped. */
	qsort(all, CONC_THREADS * CONC_ROUNDS, sizeof all[0], cmp_seq);
	for (i = 0; i < CONC_THREADS * CONC_ROUNDS; i++)
		ck_assert_uint_eq(all[i], (unsigned long long)i + 1);
	ck_assert(wait_count(0));
}
END_TEST

Suite *
make_thread_suite(void)
{
	Suite *s = suite_create("thread");
	TCase *tc = tcase_create("create_join");
	TCase *props = tcase_create("properties");
	TCase *adopt = tcase_create("adopt");

	tcase_set_timeout(tc, UNIT_TIMEOUT);
	tcase_add_test(tc, create_einval);
	tcase_add_test(tc, join_returns_value);
	tcase_add_test(tc, join_returns_pthread_exit_value);
	tcase_add_test(tc, join_returns_canceled);
	tcase_add_test(tc, join_null_is_einval);
	tcase_add_test(tc, join_self_is_edeadlk);
	tcase_add_test(tc, detached_handle_is_einval);
	tcase_add_test(tc, join_in_progress_is_einval);
	tcase_add_test(tc, detach_while_joining_is_einval);
	tcase_add_test(tc, detach_then_finish);
	tcase_add_test(tc, registered_before_start_routine);
	tcase_add_test(tc, self_null_in_tsd_destructor);
	tcase_add_test(tc, concurrent_create_join);
	suite_add_tcase(s, tc);

	tcase_set_timeout(props, UNIT_TIMEOUT);
	tcase_add_test(props, self_and_properties);
	tcase_add_test(props, pthread_matches_thread);
	tcase_add_test(props, property_null_handles);
	tcase_add_test(props, names_default_custom_and_os);
	tcase_add_test(props, seq_increases_never_reused);
	tcase_add_test(props, daemon_inheritance);
	suite_add_tcase(s, props);

	tcase_set_timeout(adopt, UNIT_TIMEOUT);
	tcase_add_test(adopt, adopt_and_release_main);
	tcase_add_test(adopt, adopt_with_attr);
	tcase_add_test(adopt, release_not_adopted_is_eperm);
	tcase_add_test(adopt, adopted_thread_finishes_when_it_ends);
	tcase_add_test(adopt, adopted_handle_join_detach_einval);
	tcase_add_test(adopt, adopt_created_thread_is_eexist);
	suite_add_tcase(s, adopt);
	return s;
}
