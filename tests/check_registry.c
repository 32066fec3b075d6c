/*
 * The registry: exeunt_foreach(3) and exeunt_count(3).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "tests.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#define MAX_VISITS 32

struct walk {
	int n;
	unsigned long long seq[MAX_VISITS];
	exeunt_thread_t *handle[MAX_VISITS];
	int stop_at;		/* 1-based visit that returns stop_value */
	int stop_value;
};

static int
visit_record(exeunt_thread_t *t, void *arg)
{
	struct walk *w = arg;

	if (w->n < MAX_VISITS) {
		w->seq[w->n] = exeunt_thread_seq(t);
		w->handle[w->n] = t;
	}
	w->n++;
	if (w->stop_at != 0 && w->n == w->stop_at)
		return w->stop_value;
	return 0;
}

START_TEST(foreach_null_is_einval)
{
	ck_assert_int_eq(exeunt_foreach(NULL, NULL), EINVAL);
}
END_TEST

START_TEST(foreach_empty)
{
	struct walk w;

	memset(&w, 0, sizeof w);
	ck_assert_uint_eq(exeunt_count(), 0);
	ck_assert_int_eq(exeunt_foreach(visit_record, &w), 0);
	ck_assert_int_eq(w.n, 0);
}
END_TEST

/*
 * Counts every unfinished registered thread: created or adopted, daemon
 * or not; a finished one leaves the count before it is joined.
 */
START_TEST(count_tracks_registry)
{
	exeunt_thread_t *t[3];
	exeunt_attr_t a;
	struct gate g;

	gate_init(&g);
	ck_assert_uint_eq(exeunt_count(), 0);
	t[0] = create_or_fail(NULL, start_wait_stop, NULL);
	ck_assert_uint_eq(exeunt_count(), 1);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setdaemon(&a, 1), 0);
	t[1] = create_or_fail(&a, start_wait_stop, NULL);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	ck_assert_uint_eq(exeunt_count(), 2);
	ck_assert_int_eq(exeunt_thread_adopt(NULL), 0);
	ck_assert_uint_eq(exeunt_count(), 3);
	t[2] = create_or_fail(NULL, start_wait_gate, &g);
	ck_assert_uint_eq(exeunt_count(), 4);

	ck_assert_int_eq(exeunt_thread_request_stop(t[0]), 0);
	join_or_fail(t[0]);
	ck_assert_uint_eq(exeunt_count(), 3);
	ck_assert_int_eq(exeunt_thread_release(), 0);
	ck_assert_uint_eq(exeunt_count(), 2);
	/* Finished but not joined: no longer counted. */
	gate_open(&g);
	ck_assert(wait_count(1));
	ck_assert_ptr_eq(join_or_fail(t[2]), &g);
	ck_assert_uint_eq(exeunt_count(), 1);
	ck_assert_int_eq(exeunt_thread_request_stop(t[1]), 0);
	join_or_fail(t[1]);
	ck_assert_uint_eq(exeunt_count(), 0);
}
END_TEST

/* Creation order, with adopted and daemon threads among them. */
START_TEST(foreach_in_creation_order)
{
	exeunt_thread_t *t[4];
	exeunt_attr_t a;
	struct walk w;
	int i;

	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setdaemon(&a, 1), 0);
	t[0] = create_or_fail(NULL, start_wait_stop, NULL);
	t[1] = create_or_fail(&a, start_wait_stop, NULL);
	ck_assert_int_eq(exeunt_thread_adopt(NULL), 0);		/* seq 3 */
	t[2] = create_or_fail(NULL, start_wait_stop, NULL);
	t[3] = create_or_fail(&a, start_wait_stop, NULL);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);

	memset(&w, 0, sizeof w);
	ck_assert_int_eq(exeunt_foreach(visit_record, &w), 0);
	ck_assert_int_eq(w.n, 5);
	for (i = 0; i < 5; i++)
		ck_assert_uint_eq(w.seq[i], (unsigned long long)i + 1);
	ck_assert_uint_eq(exeunt_thread_seq(t[0]), 1);
	ck_assert_uint_eq(exeunt_thread_seq(t[1]), 2);
	ck_assert_uint_eq(exeunt_thread_seq(t[2]), 4);
	ck_assert_uint_eq(exeunt_thread_seq(t[3]), 5);
	ck_assert(pthread_equal(exeunt_thread_pthread(w.handle[2]),
	    pthread_self()));
	ck_assert(pthread_equal(exeunt_thread_pthread(w.handle[0]),
	    exeunt_thread_pthread(t[0])));
	ck_assert(pthread_equal(exeunt_thread_pthread(w.handle[4]),
	    exeunt_thread_pthread(t[3])));

	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(exeunt_thread_request_stop(t[i]), 0);
		join_or_fail(t[i]);
	}
	ck_assert_int_eq(exeunt_thread_release(), 0);
}
END_TEST

START_TEST(foreach_stops_on_nonzero)
{
	struct walk w;
	int i;

	/* Left running, detached: they are stopped and waited for at exit. */
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(exeunt_thread_detach(create_or_fail(NULL,
		    start_wait_stop, NULL)), 0);
	memset(&w, 0, sizeof w);
	w.stop_at = 3;
	w.stop_value = 42;
	ck_assert_int_eq(exeunt_foreach(visit_record, &w), 42);
	ck_assert_int_eq(w.n, 3);
	ck_assert_uint_eq(w.seq[2], 3);

	memset(&w, 0, sizeof w);
	w.stop_at = 1;
	w.stop_value = -5;
	ck_assert_int_eq(exeunt_foreach(visit_record, &w), -5);
	ck_assert_int_eq(w.n, 1);
	/* Threads stop at exit; the walk left them alone. */
	ck_assert_uint_eq(exeunt_count(), 5);
}
END_TEST

struct owner {
	exeunt_thread_t *t[4];
	void *ret[4];
	int rc[4];
	int n;
	size_t count_seen;
	int nested_rc;
	int nested_n;
};

static int
visit_nested(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(*(int *)arg)++;
	return 0;
}

/* The visitor stops and joins the handle it owns, then walks again. */
static int
visit_stop_join(exeunt_thread_t *t, void *arg)
{
	struct owner *o = arg;
	int i;

	if (o->n == 0) {
		o->count_seen = exeunt_count();
		o->nested_rc = exeunt_foreach(visit_nested, &o->nested_n);
	}
	o->n++;
	for (i = 0; i < 4; i++) {
		if (exeunt_thread_seq(o->t[i]) == exeunt_thread_seq(t)) {
			exeunt_thread_request_stop(t);
			o->rc[i] = exeunt_thread_join(o->t[i], &o->ret[i]);
			o->t[i] = NULL;
			return 0;
		}
	}
	return -1;
}

START_TEST(foreach_visitor_uses_library)
{
	struct owner o;
	int i, tag[4];

	memset(&o, 0, sizeof o);
	for (i = 0; i < 4; i++) {
		o.rc[i] = -1;
		o.t[i] = create_or_fail(NULL, start_wait_stop, &tag[i]);
	}
	ck_assert_int_eq(exeunt_foreach(visit_stop_join, &o), 0);
	ck_assert_int_eq(o.n, 4);
	ck_assert_uint_eq(o.count_seen, 4);
	ck_assert_int_eq(o.nested_rc, 0);
	ck_assert_int_eq(o.nested_n, 4);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(o.rc[i], 0);
		ck_assert_ptr_eq(o.ret[i], &tag[i]);
	}
	ck_assert_uint_eq(exeunt_count(), 0);
}
END_TEST

struct grow {
	exeunt_thread_t *made;
	int create_rc;
	struct walk w;
};

static int
visit_create(exeunt_thread_t *t, void *arg)
{
	struct grow *g = arg;

	if (g->w.n == 0)
		g->create_rc = exeunt_thread_create(&g->made, NULL,
		    start_wait_stop, NULL);
	return visit_record(t, &g->w);
}

/* A thread registered during the walk, after the position, is visited. */
START_TEST(foreach_visits_threads_made_during_walk)
{
	struct grow g;
	int i;

	for (i = 0; i < 2; i++)
		ck_assert_int_eq(exeunt_thread_detach(create_or_fail(NULL,
		    start_wait_stop, NULL)), 0);
	memset(&g, 0, sizeof g);
	g.create_rc = -1;
	ck_assert_int_eq(exeunt_foreach(visit_create, &g), 0);
	ck_assert_int_eq(g.create_rc, 0);
	ck_assert_int_eq(g.w.n, 3);
	ck_assert_uint_eq(g.w.seq[0], 1);
	ck_assert_uint_eq(g.w.seq[1], 2);
	ck_assert_uint_eq(g.w.seq[2], 3);
	ck_assert_uint_eq(exeunt_thread_seq(g.made), 3);
	ck_assert_uint_eq(exeunt_count(), 3);
	/* All three are stopped and waited for at exit. */
	ck_assert_int_eq(exeunt_thread_detach(g.made), 0);
}
END_TEST

struct shrink {
	exeunt_thread_t *last;
	int join_rc;
	struct walk w;
};

static int
visit_finish_last(exeunt_thread_t *t, void *arg)
{
	struct shrink *s = arg;

	if (s->w.n == 0) {
		exeunt_thread_request_stop(s->last);
		s->join_rc = exeunt_thread_join(s->last, NULL);
	}
	return visit_record(t, &s->w);
}

/* A thread that finishes before the walk reaches it is not visited. */
START_TEST(foreach_skips_threads_finished_during_walk)
{
	exeunt_thread_t *t[3];
	struct shrink s;
	int i;

	for (i = 0; i < 3; i++)
		t[i] = create_or_fail(NULL, start_wait_stop, NULL);
	memset(&s, 0, sizeof s);
	s.join_rc = -1;
	s.last = t[2];
	ck_assert_int_eq(exeunt_foreach(visit_finish_last, &s), 0);
	ck_assert_int_eq(s.join_rc, 0);
	ck_assert_int_eq(s.w.n, 2);
	ck_assert_uint_eq(s.w.seq[0], 1);
	ck_assert_uint_eq(s.w.seq[1], 2);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(exeunt_thread_request_stop(t[i]), 0);
		join_or_fail(t[i]);
	}
}
END_TEST

/* Finished but unjoined threads are neither counted nor visited. */
START_TEST(foreach_skips_finished_unjoined)
{
	exeunt_thread_t *t[2];
	struct walk w;
	int x;

	t[0] = create_or_fail(NULL, start_return_arg, &x);
	t[1] = create_or_fail(NULL, start_wait_stop, NULL);
	ck_assert(wait_count(1));
	memset(&w, 0, sizeof w);
	ck_assert_int_eq(exeunt_foreach(visit_record, &w), 0);
	ck_assert_int_eq(w.n, 1);
	ck_assert_uint_eq(w.seq[0], 2);
	ck_assert_ptr_eq(join_or_fail(t[0]), &x);
	ck_assert_int_eq(exeunt_thread_request_stop(t[1]), 0);
	join_or_fail(t[1]);
}
END_TEST

/*
 * The window between registration and the return of pthread_create(): a
 * thread may run its start routine before its creator is back from
 * pthread_create().  To test that window every time, this program
 * interposes pthread_create() (the executable's definition comes first
 * in symbol lookup, for the library too): when create_hold is set, the
 * next successful creation waits for that gate before it returns.
 */
static struct gate *_Atomic create_hold;

int
pthread_create(pthread_t *restrict thread, const pthread_attr_t *restrict attr,
    void *(*start)(void *), void *restrict arg)
{
	static int (*real)(pthread_t *restrict, const pthread_attr_t *restrict,
	    void *(*)(void *), void *restrict);
	struct gate *hold;
	int rc;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "pthread_create");
	rc = real(thread, attr, start, arg);
	hold = atomic_exchange(&create_hold, NULL);
	if (rc == 0 && hold != NULL)
		gate_wait(hold);
	return rc;
}

struct early {
	struct gate walked;
	struct walk w;
	size_t count;
	int has_self;
};

static void *
start_walk_early(void *arg)
{
	struct early *e = arg;

	e->has_self = exeunt_thread_self() != NULL;
	e->count = exeunt_count();
	exeunt_foreach(visit_record, &e->w);
	/* Only now may the creator return from pthread_create(). */
	gate_open(&e->walked);
	return e;
}

/*
 * A thread whose creator is still inside exeunt_thread_create() is
 * registered: it is itself, it is counted, and the walk visits it.
 */
START_TEST(foreach_sees_thread_being_created)
{
	struct early e;
	exeunt_thread_t *t;

	memset(&e, 0, sizeof e);
	gate_init(&e.walked);
	atomic_store(&create_hold, &e.walked);
	t = create_or_fail(NULL, start_walk_early, &e);
	ck_assert_ptr_null(atomic_load(&create_hold));
	ck_assert_ptr_eq(join_or_fail(t), &e);
	ck_assert_int_eq(e.has_self, 1);
	ck_assert_uint_eq(e.count, 1);
	ck_assert_int_eq(e.w.n, 1);
	ck_assert_uint_eq(e.w.seq[0], 1);
}
END_TEST

Suite *
make_registry_suite(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("registry");

	tcase_set_timeout(tc, UNIT_TIMEOUT);
	tcase_add_test(tc, foreach_null_is_einval);
	tcase_add_test(tc, foreach_empty);
	tcase_add_test(tc, count_tracks_registry);
	tcase_add_test(tc, foreach_in_creation_order);
	tcase_add_test(tc, foreach_stops_on_nonzero);
	tcase_add_test(tc, foreach_visitor_uses_library);
	tcase_add_test(tc, foreach_visits_threads_made_during_walk);
	tcase_add_test(tc, foreach_skips_threads_finished_during_walk);
	tcase_add_test(tc, foreach_skips_finished_unjoined);
	tcase_add_test(tc, foreach_sees_thread_being_created);
	suite_add_tcase(s, tc);
	return s;
}
