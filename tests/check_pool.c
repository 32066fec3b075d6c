/*
 * Work pools: exeunt_pool_create(3) and the rest of the family in this
 * process, and the exit-time drain in scenario programs run as children
 * (child.c).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Jobs never call ck_assert(): they count what happened to them (run,
 * cancel, in which thread, in which order) and the test thread asserts
 * once the pool has been shut down.  A job is held in its worker with a
 * semaphore, never with a sleep; the only sleeps are the bounded polls of
 * tests.h.
 */
#include "config.h"	/* HAVE_SEM_CLOCKWAIT */
#include "tests.h"

#include <dirent.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Also in tests.h, with the other suites. */
Suite *make_pool_suite(void);

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define POOL_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define POOL_SANITIZED 1
#endif
#endif
#ifndef POOL_SANITIZED
#define POOL_SANITIZED 0
#endif

static const struct timespec zero_timeout = { 0, 0 };
static const struct timespec short_timeout = { 0, 20 * 1000000L };

/* 0. Helpers --------------------------------------------------------- */

/*
 * 0 once s could be taken, else the error (ETIMEDOUT after ms, scaled).
 * Without sem_clockwait() (musl), a bounded poll on the same monotonic
 * deadline: sem_timedwait() would take a CLOCK_REALTIME one.
 */
static int
sem_wait_ms(sem_t *s, long ms)
{
	struct timespec deadline = deadline_in(ms);

#ifdef HAVE_SEM_CLOCKWAIT
	while (sem_clockwait(s, CLOCK_MONOTONIC, &deadline) != 0) {
		if (errno != EINTR)
			return errno;
	}
#else
	while (sem_trywait(s) != 0) {
		if (errno != EAGAIN && errno != EINTR)
			return errno;
		if (deadline_passed(&deadline))
			return ETIMEDOUT;
		poll_pause();
	}
#endif
	return 0;
}

static void
sem_wait_intr(sem_t *s)
{
	while (sem_wait(s) != 0 && errno == EINTR)
		continue;
}

#define JOBS_MAX 256

/* A job of a test: how often each of its functions was called, where. */
struct job {
	int id;
	atomic_int runs;
	atomic_int cancels;
	pthread_t cancel_thread;	/* guarded by order.mu */
};

/* The order in which jobs ran and were cancelled. */
static struct {
	pthread_mutex_t mu;
	int nrun, ncancel;
	int run[JOBS_MAX];
	int cancel[JOBS_MAX];
} order = { .mu = PTHREAD_MUTEX_INITIALIZER };

static struct job jobs[JOBS_MAX];

static void
jobs_reset(void)
{
	int i;

	pthread_mutex_lock(&order.mu);
	for (i = 0; i < JOBS_MAX; i++) {
		jobs[i].id = i;
		atomic_store(&jobs[i].runs, 0);
		atomic_store(&jobs[i].cancels, 0);
	}
	order.nrun = order.ncancel = 0;
	pthread_mutex_unlock(&order.mu);
}

static void
job_run(void *arg)
{
	struct job *j = arg;

	atomic_fetch_add(&j->runs, 1);
	pthread_mutex_lock(&order.mu);
	if (order.nrun < JOBS_MAX)
		order.run[order.nrun] = j->id;
	order.nrun++;
	pthread_mutex_unlock(&order.mu);
}

static void
job_cancel(void *arg)
{
	struct job *j = arg;

	atomic_fetch_add(&j->cancels, 1);
	pthread_mutex_lock(&order.mu);
	j->cancel_thread = pthread_self();
	if (order.ncancel < JOBS_MAX)
		order.cancel[order.ncancel] = j->id;
	order.ncancel++;
	pthread_mutex_unlock(&order.mu);
}

static int
order_count(int cancelled)
{
	int n;

	pthread_mutex_lock(&order.mu);
	n = cancelled ? order.ncancel : order.nrun;
	pthread_mutex_unlock(&order.mu);
	return n;
}

/* Polls until n jobs were cancelled; 1 if seen before the deadline. */
static int
wait_cancelled(int n)
{
	struct timespec deadline = deadline_in(POLL_DEADLINE_MS);

	while (order_count(1) < n) {
		if (deadline_passed(&deadline))
			return 0;
		poll_pause();
	}
	return order_count(1) == n;
}

/* Jobs first..last ran once each, in that order, and none was cancelled. */
static void
assert_ran_in_order(int first, int last)
{
	int i;

	ck_assert_int_eq(order.nrun, last - first + 1);
	for (i = first; i <= last; i++) {
		ck_assert_msg(order.run[i - first] == i,
		    "run %d was job %d, want job %d", i - first,
		    order.run[i - first], i);
		ck_assert_int_eq(atomic_load(&jobs[i].runs), 1);
		ck_assert_int_eq(atomic_load(&jobs[i].cancels), 0);
	}
}

/* Jobs first..last were cancelled once each, in that order, in thread
 * by, and none ran. */
static void
assert_cancelled_in_order(int first, int last, pthread_t by)
{
	int i;

	ck_assert_int_eq(order.ncancel, last - first + 1);
	for (i = first; i <= last; i++) {
		ck_assert_msg(order.cancel[i - first] == i,
		    "cancel %d was job %d, want job %d", i - first,
		    order.cancel[i - first], i);
		ck_assert_int_eq(atomic_load(&jobs[i].cancels), 1);
		ck_assert_int_eq(atomic_load(&jobs[i].runs), 0);
		ck_assert_msg(pthread_equal(jobs[i].cancel_thread, by),
		    "job %d was cancelled in another thread than the one "
		    "applying CANCEL", i);
	}
}

/* Job i was neither run nor cancelled. */
static void
assert_untouched(int i)
{
	ck_assert_int_eq(atomic_load(&jobs[i].runs), 0);
	ck_assert_int_eq(atomic_load(&jobs[i].cancels), 0);
}

static void
submit_jobs(exeunt_pool_t *pool, int first, int last, int with_cancel)
{
	int i;

	for (i = first; i <= last; i++)
		ck_assert_int_eq(exeunt_pool_submit(pool, job_run,
		    with_cancel ? job_cancel : NULL, &jobs[i]), 0);
}

/* A job that holds its worker until the test releases it. */
struct hold {
	sem_t started;
	sem_t release;
	atomic_int runs;
	atomic_int cancels;
	pthread_t worker;		/* written before started is posted */
};

static void
hold_init(struct hold *h)
{
	memset(h, 0, sizeof *h);
	ck_assert_int_eq(sem_init(&h->started, 0, 0), 0);
	ck_assert_int_eq(sem_init(&h->release, 0, 0), 0);
}

static void
hold_run(void *arg)
{
	struct hold *h = arg;

	h->worker = pthread_self();
	sem_post(&h->started);
	sem_wait_intr(&h->release);
	atomic_fetch_add(&h->runs, 1);
}

static void
hold_cancel(void *arg)
{
	struct hold *h = arg;

	atomic_fetch_add(&h->cancels, 1);
}

/* Submits h and waits until a worker runs it. */
static void
submit_hold(exeunt_pool_t *pool, struct hold *h)
{
	ck_assert_int_eq(exeunt_pool_submit(pool, hold_run, hold_cancel, h),
	    0);
	ck_assert_msg(sem_wait_ms(&h->started, POLL_DEADLINE_MS) == 0,
	    "the held job never started");
}

static void
hold_release(struct hold *h)
{
	sem_post(&h->release);
}

static exeunt_pool_t *
pool_or_fail(unsigned nthreads, size_t capacity, const exeunt_attr_t *attr)
{
	exeunt_pool_t *pool = NULL;
	int rc;

	rc = exeunt_pool_create(&pool, nthreads, capacity, attr);
	ck_assert_msg(rc == 0, "exeunt_pool_create: %s", strerror(rc));
	ck_assert_ptr_nonnull(pool);
	return pool;
}

/* A pool whose workers are named "<prefix>-<n>". */
static exeunt_pool_t *
named_pool_or_fail(const char *prefix, unsigned nthreads, size_t capacity)
{
	exeunt_attr_t a;
	exeunt_pool_t *pool;

	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setname(&a, prefix), 0);
	pool = pool_or_fail(nthreads, capacity, &a);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	return pool;
}

static struct exeunt_pool_stats
stats_of(exeunt_pool_t *pool)
{
	struct exeunt_pool_stats s;

	memset(&s, 0xff, sizeof s);
	ck_assert_int_eq(exeunt_pool_stats(pool, &s), 0);
	return s;
}

static int
stats_consistent(const struct exeunt_pool_stats *s)
{
	return s->submitted == s->started + s->cancelled + s->queued &&
	    s->started == s->completed + s->running;
}

static void
assert_stats(exeunt_pool_t *pool, unsigned long long submitted,
    unsigned long long started, unsigned long long completed,
    unsigned long long cancelled, size_t queued, size_t running)
{
	struct exeunt_pool_stats s = stats_of(pool);

	ck_assert_msg(s.submitted == submitted && s.started == started &&
	    s.completed == completed && s.cancelled == cancelled &&
	    s.queued == queued && s.running == running,
	    "stats: submitted %llu started %llu completed %llu cancelled %llu "
	    "queued %zu running %zu; want %llu %llu %llu %llu %zu %zu",
	    s.submitted, s.started, s.completed, s.cancelled, s.queued,
	    s.running, submitted, started, completed, cancelled, queued,
	    running);
}

/*
 * Once the process shutdown has begun, exeunt_pool_destroy() joins the
 * workers but leaves the pool's memory to the process's end (a terminate
 * callback of that shutdown may still use it).  Such pools are kept
 * reachable here, so that leak checkers do not report them as lost.
 */
#define KEPT_MAX 4
/* volatile: stores that nothing reads must not be optimised away. */
static exeunt_pool_t *volatile kept[KEPT_MAX];
static int nkept;

static void
destroy_or_fail(exeunt_pool_t *pool)
{
	int late = exeunt_phase() != EXEUNT_RUNNING;

	ck_assert_int_eq(exeunt_pool_destroy(pool), 0);
	if (late) {
		ck_assert_int_lt(nkept, KEPT_MAX);
		kept[nkept++] = pool;
	}
}

/* What exeunt_foreach() shows of the registered threads. */
#define SEEN_MAX 16
struct seen {
	int n;
	char name[SEEN_MAX][EXEUNT_NAME_MAX + 2];
	int daemon[SEEN_MAX];
	int self[SEEN_MAX];
};

static int
visit_record(exeunt_thread_t *t, void *arg)
{
	struct seen *s = arg;
	const char *name = exeunt_thread_name(t);

	if (s->n < SEEN_MAX) {
		snprintf(s->name[s->n], sizeof s->name[s->n], "%s",
		    name != NULL ? name : "(null)");
		s->daemon[s->n] = exeunt_thread_isdaemon(t);
		s->self[s->n] = t == exeunt_thread_self();
	}
	s->n++;
	return 0;
}

/* The registered threads other than the calling one, creation order. */
static void
seen_workers(struct seen *s)
{
	struct seen all;
	int i;

	memset(&all, 0, sizeof all);
	memset(s, 0, sizeof *s);
	ck_assert_int_eq(exeunt_foreach(visit_record, &all), 0);
	ck_assert_int_le(all.n, SEEN_MAX);
	for (i = 0; i < all.n; i++) {
		if (all.self[i])
			continue;
		memcpy(s->name[s->n], all.name[i], sizeof s->name[s->n]);
		s->daemon[s->n] = all.daemon[i];
		s->n++;
	}
}

/* Makes a stop request to the registered thread named arg. */
static int
visit_stop_named(exeunt_thread_t *t, void *arg)
{
	const char *name = exeunt_thread_name(t);

	if (name == NULL || strcmp(name, arg) != 0)
		return 0;
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	return 1;
}

static void
stop_worker(const char *name)
{
	ck_assert_msg(exeunt_foreach(visit_stop_named, (void *)name) == 1,
	    "no worker named %s", name);
}

/* The number of threads of this process, from /proc. */
static int
task_count(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Polls until the process has n threads; 1 if seen before the deadline
 * (a joined thread may stay listed for a moment after its join). */
static int
wait_task_count(int n)
{
	struct timespec deadline = deadline_in(POLL_DEADLINE_MS);

	while (task_count() != n) {
		if (deadline_passed(&deadline))
			return 0;
		poll_pause();
	}
	return 1;
}

/* A raw thread blocked in exeunt_pool_submit(). */
struct submitter {
	pthread_t th;
	exeunt_pool_t *pool;
	void *arg;
	pid_t tid;
	struct gate calling;
	struct gate returned;
	int rc;
};

static void *
start_submitter(void *arg)
{
	struct submitter *s = arg;

	s->tid = test_gettid();
	gate_open(&s->calling);
	s->rc = exeunt_pool_submit(s->pool, job_run, job_cancel, s->arg);
	gate_open(&s->returned);
	return NULL;
}

static void
submitter_start(struct submitter *s, exeunt_pool_t *pool, void *job)
{
	memset(s, 0, sizeof *s);
	s->pool = pool;
	s->arg = job;
	s->rc = -1;
	gate_init(&s->calling);
	gate_init(&s->returned);
	s->th = start_raw(start_submitter, s);
	gate_wait(&s->calling);
}

/* The submitter is blocked: asleep, not returned, its job not taken. */
static void
assert_submitter_blocked(struct submitter *s, unsigned long long submitted)
{
	ck_assert_msg(wait_until_sleeping(s->tid),
	    "the submitter never blocked");
	ck_assert_msg(!gate_is_open(&s->returned),
	    "exeunt_pool_submit returned (%d) on a full queue", s->rc);
	ck_assert_uint_eq(stats_of(s->pool).submitted, submitted);
}

/* A raw thread that closes a pool, or the process. */
struct closer {
	pthread_t th;
	pthread_t self;
	exeunt_pool_t *pool;		/* NULL: exeunt_shutdown() */
	enum exeunt_pending action;
	const struct timespec *timeout;
	struct gate calling;
	struct gate returned;
	int rc;
};

static void *
start_closer(void *arg)
{
	struct closer *c = arg;

	c->self = pthread_self();
	gate_open(&c->calling);
	if (c->pool != NULL)
		c->rc = exeunt_pool_shutdown(c->pool, c->action, c->timeout);
	else
		c->rc = exeunt_shutdown();
	gate_open(&c->returned);
	return NULL;
}

static void
closer_start(struct closer *c, exeunt_pool_t *pool,
    enum exeunt_pending action, const struct timespec *timeout)
{
	memset(c, 0, sizeof *c);
	c->pool = pool;
	c->action = action;
	c->timeout = timeout;
	c->rc = -1;
	gate_init(&c->calling);
	gate_init(&c->returned);
	c->th = start_raw(start_closer, c);
	gate_wait(&c->calling);
}

static void
set_env_pending(const char *value)
{
	if (value == NULL)
		ck_assert_int_eq(unsetenv("EXEUNT_POOL_PENDING"), 0);
	else
		ck_assert_int_eq(setenv("EXEUNT_POOL_PENDING", value, 1), 0);
}

/* 1. exeunt_pool_create ---------------------------------------------- */

START_TEST(create_errors)
{
	exeunt_pool_t *pool = NULL;
	exeunt_attr_t a;
	int tasks = task_count();

	ck_assert_int_eq(exeunt_pool_create(NULL, 1, 0, NULL), EINVAL);
	ck_assert_int_eq(exeunt_pool_create(&pool, 0, 0, NULL), EINVAL);
	ck_assert_int_eq(exeunt_pool_create(&pool, 0, 4, NULL), EINVAL);
	memset(&a, 0xa5, sizeof a);
	ck_assert_int_eq(exeunt_pool_create(&pool, 1, 0, &a), EINVAL);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	ck_assert_int_eq(exeunt_pool_create(&pool, 2, 0, &a), EINVAL);
	ck_assert_uint_eq(exeunt_count(), 0);
	ck_assert_int_eq(task_count(), tasks);
}
END_TEST

/* Workers "<prefix>-<n>": prefix from the attr's name, else "pool". */
START_TEST(create_names_workers)
{
	static const char *const prefix[] = { NULL, "io", "pool" };
	exeunt_pool_t *pool;
	struct seen s;
	char want[EXEUNT_NAME_MAX + 1];
	unsigned i, n = _i == 1 ? 12 : 3;

	pool = prefix[_i] != NULL ? named_pool_or_fail(prefix[_i], n, 0) :
	    pool_or_fail(n, 0, NULL);
	ck_assert_uint_eq(exeunt_count(), n);
	seen_workers(&s);
	ck_assert_int_eq(s.n, (int)n);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof want, "%s-%u",
		    prefix[_i] != NULL ? prefix[_i] : "pool", i);
		ck_assert_str_eq(s.name[i], want);
	}
	destroy_or_fail(pool);
	ck_assert_uint_eq(exeunt_count(), 0);
}
END_TEST

/* A long prefix is cut so that the name fits 63 bytes; "-<n>" never is. */
START_TEST(create_cuts_long_prefix)
{
	char prefix[EXEUNT_NAME_MAX + 1];
	char want[EXEUNT_NAME_MAX + 8];
	exeunt_pool_t *pool;
	struct seen s;
	unsigned i, n = 12;
	int len, tail;

	for (i = 0; i < EXEUNT_NAME_MAX; i++)
		prefix[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[i % 36];
	prefix[EXEUNT_NAME_MAX] = '\0';
	pool = named_pool_or_fail(prefix, n, 0);
	seen_workers(&s);
	ck_assert_int_eq(s.n, (int)n);
	for (i = 0; i < n; i++) {
		tail = snprintf(NULL, 0, "-%u", i);
		snprintf(want, sizeof want, "%.*s-%u", EXEUNT_NAME_MAX - tail,
		    prefix, i);
		len = (int)strlen(s.name[i]);
		ck_assert_msg(len <= EXEUNT_NAME_MAX, "name %s: %d bytes",
		    s.name[i], len);
		ck_assert_str_eq(s.name[i], want);
	}
	destroy_or_fail(pool);
}
END_TEST

/*
 * The daemon flag comes from the attr; without one, Python's rule: the
 * creating thread's flag if it is registered, else non-daemon.
 */
struct daemon_case {
	int attr;		/* -1: NULL attr; -2: attr, daemon not set */
	int creator;		/* -1: unregistered; else adopted, this flag */
	int want;
};

static const struct daemon_case daemon_cases[] = {
	{ 1, -1, 1 },
	{ 0, -1, 0 },
	{ -1, -1, 0 },
	{ -2, -1, 0 },
	{ -1, 1, 1 },
	{ -2, 1, 1 },
	{ 0, 1, 0 },
	{ -1, 0, 0 },
	{ 1, 0, 1 },
};

START_TEST(create_daemon_flag)
{
	const struct daemon_case *dc = &daemon_cases[_i];
	exeunt_attr_t a;
	exeunt_pool_t *pool;
	struct seen s;
	int i;

	if (dc->creator >= 0) {
		ck_assert_int_eq(exeunt_attr_init(&a), 0);
		ck_assert_int_eq(exeunt_attr_setdaemon(&a, dc->creator), 0);
		ck_assert_int_eq(exeunt_thread_adopt(&a), 0);
		ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	}
	if (dc->attr == -1) {
		pool = pool_or_fail(3, 0, NULL);
	} else {
		ck_assert_int_eq(exeunt_attr_init(&a), 0);
		if (dc->attr >= 0)
			ck_assert_int_eq(exeunt_attr_setdaemon(&a, dc->attr),
			    0);
		pool = pool_or_fail(3, 0, &a);
		ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	}
	seen_workers(&s);
	ck_assert_int_eq(s.n, 3);
	for (i = 0; i < 3; i++)
		ck_assert_msg(s.daemon[i] == dc->want, "%s: daemon %d, want %d",
		    s.name[i], s.daemon[i], dc->want);
	destroy_or_fail(pool);
	if (dc->creator >= 0)
		ck_assert_int_eq(exeunt_thread_release(), 0);
}
END_TEST

/* The workers run with the attr's pthread attributes (stack size). */
static void
job_stack_size(void *arg)
{
	pthread_attr_t pa;
	size_t *size = arg;

	if (pthread_getattr_np(pthread_self(), &pa) == 0) {
		(void)pthread_attr_getstacksize(&pa, size);
		pthread_attr_destroy(&pa);
	}
}

/* An attr whose pthread attributes set the stack size. */
static void
stack_attr(exeunt_attr_t *a, size_t size)
{
	pthread_attr_t pa;

	ck_assert_int_eq(pthread_attr_init(&pa), 0);
	ck_assert_int_eq(pthread_attr_setstacksize(&pa, size), 0);
	ck_assert_int_eq(exeunt_attr_init(a), 0);
	ck_assert_int_eq(exeunt_attr_setpthreadattr(a, &pa), 0);
	ck_assert_int_eq(pthread_attr_destroy(&pa), 0);
}

START_TEST(create_uses_pthread_attr)
{
	const size_t want = 3u << 20;
	exeunt_attr_t a;
	exeunt_pool_t *pool;
	size_t size[2] = { 0, 0 };

	stack_attr(&a, want);
	pool = pool_or_fail(2, 0, &a);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	ck_assert_int_eq(exeunt_pool_submit(pool, job_stack_size, NULL,
	    &size[0]), 0);
	ck_assert_int_eq(exeunt_pool_submit(pool, job_stack_size, NULL,
	    &size[1]), 0);
	destroy_or_fail(pool);
	ck_assert_msg(size[0] >= want && size[0] < want + (64u << 10) &&
	    size[1] >= want && size[1] < want + (64u << 10),
	    "worker stack sizes %zu and %zu, want %zu", size[0], size[1],
	    want);
}
END_TEST

/* The attr's terminate callback is not the workers': the pool's own is. */
static atomic_int user_terminate_calls;

static void
terminate_user(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	atomic_fetch_add(&user_terminate_calls, 1);
}

START_TEST(create_ignores_attr_terminate)
{
	exeunt_attr_t a;
	exeunt_pool_t *pool;
	struct hold h;

	jobs_reset();
	set_env_pending(NULL);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setname(&a, "term"), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(&a, terminate_user, NULL),
	    0);
	pool = pool_or_fail(2, 0, &a);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	hold_init(&h);
	submit_hold(pool, &h);
	submit_jobs(pool, 0, 1, 1);
	/* A stop request to one worker runs its terminate callback here:
	 * the pool's, which closes the pool. */
	stop_worker("term-1");
	ck_assert_int_eq(exeunt_pool_submit(pool, job_run, job_cancel,
	    &jobs[2]), ESHUTDOWN);
	hold_release(&h);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq(atomic_load(&user_terminate_calls), 0);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN, NULL),
	    0);
	/* Two workers: both ran, in either order. */
	ck_assert_int_eq(atomic_load(&jobs[0].runs), 1);
	ck_assert_int_eq(atomic_load(&jobs[1].runs), 1);
	ck_assert_int_eq(order_count(1), 0);
	ck_assert_int_eq(atomic_load(&jobs[2].runs), 0);
	destroy_or_fail(pool);
}
END_TEST

START_TEST(create_after_shutdown)
{
	exeunt_pool_t *pool = NULL;
	int tasks;

	ck_assert_int_eq(exeunt_shutdown(), 0);
	tasks = task_count();
	ck_assert_int_eq(exeunt_pool_create(&pool, 2, 0, NULL), ESHUTDOWN);
	ck_assert_uint_eq(exeunt_count(), 0);
	ck_assert_int_eq(task_count(), tasks);
}
END_TEST

/* The sequence number the next registered thread gets. */
static unsigned long long
next_seq(void)
{
	exeunt_thread_t *t;
	unsigned long long seq;

	t = create_or_fail(NULL, start_return_arg, NULL);
	seq = exeunt_thread_seq(t);
	join_or_fail(t);
	return seq + 1;
}

/* No worker can start (a stack no system maps): the error, nothing left. */
START_TEST(create_failure_leaves_nothing)
{
	exeunt_attr_t a;
	exeunt_pool_t *pool = NULL, *other;
	int rc, tasks;

	/* A thread first: a runtime that starts a helper thread with the
	 * first one (a sanitizer's) has done so before the count. */
	(void)next_seq();
	tasks = task_count();
	/* SIZE_MAX / 4: musl's pthread_attr_setstacksize() refuses more. */
	stack_attr(&a, SIZE_MAX / 4);
	rc = exeunt_pool_create(&pool, 4, 0, &a);
	ck_assert_msg(rc == EAGAIN || rc == ENOMEM || rc == EINVAL,
	    "exeunt_pool_create with a huge stack: %d (%s)", rc, strerror(rc));
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	ck_assert_uint_eq(exeunt_count(), 0);
	ck_assert_msg(wait_task_count(tasks), "%d threads, want %d",
	    task_count(), tasks);
	other = pool_or_fail(2, 0, NULL);
	ck_assert_uint_eq(exeunt_count(), 2);
	destroy_or_fail(other);
	ck_assert_uint_eq(exeunt_count(), 0);
}
END_TEST

/* Bytes of address space this process maps now. */
static unsigned long long
vm_size(void)
{
	char line[256];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmSize: %llu kB", &kb) == 1)
			break;
	fclose(f);
	ck_assert_uint_gt(kb, 0);
	return kb * 1024;
}

/* Valgrind's preload libraries are in the environment of its client. */
static int
under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p != NULL && strstr(p, "vgpreload") != NULL;
}

/*
 * Some workers start, then one cannot (the address space allows about
 * two stacks): the error is returned and the workers already started
 * are stopped and joined.  Sanitizer runtimes and valgrind map far more
 * than the limit allows (valgrind gives up when it is reached), so the
 * case is left to the plain builds run natively.
 */
START_TEST(create_partial_failure_stops_started)
{
	const size_t stack = 256u << 20;
	exeunt_attr_t a;
	exeunt_pool_t *pool = NULL;
	struct rlimit old, lim;
	unsigned long long before, after;
	int rc, tasks;

	if (POOL_SANITIZED || under_valgrind())
		return;
	before = next_seq();
	tasks = task_count();
	stack_attr(&a, stack);
	ck_assert_int_eq(getrlimit(RLIMIT_AS, &old), 0);
	lim = old;
	lim.rlim_cur = vm_size() + 2 * stack + stack / 2;
	if (old.rlim_max != RLIM_INFINITY && lim.rlim_cur > old.rlim_max)
		return;
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &lim), 0);
	rc = exeunt_pool_create(&pool, 6, 0, &a);
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &old), 0);
	ck_assert_msg(rc == EAGAIN || rc == ENOMEM,
	    "exeunt_pool_create beyond RLIMIT_AS: %d (%s)", rc, strerror(rc));
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	ck_assert_uint_eq(exeunt_count(), 0);
	ck_assert_msg(wait_task_count(tasks), "%d threads, want %d",
	    task_count(), tasks);
	/* Every worker took a sequence number, the failed one too. */
	after = next_seq();
	ck_assert_msg(after - before >= 3,
	    "no worker started before the failure (%llu numbers used)",
	    after - before - 1);
}
END_TEST

/* 2. exeunt_pool_submit ---------------------------------------------- */

START_TEST(submit_errors)
{
	exeunt_pool_t *pool;

	jobs_reset();
	pool = pool_or_fail(1, 0, NULL);
	ck_assert_int_eq(exeunt_pool_submit(NULL, job_run, job_cancel,
	    &jobs[0]), EINVAL);
	ck_assert_int_eq(exeunt_pool_submit(pool, NULL, job_cancel,
	    &jobs[0]), EINVAL);
	assert_stats(pool, 0, 0, 0, 0, 0, 0);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_CANCEL,
	    NULL), 0);
	assert_untouched(0);
	destroy_or_fail(pool);
}
END_TEST

/* One worker runs the jobs in submission order. */
START_TEST(submit_fifo_one_worker)
{
	exeunt_pool_t *pool;
	struct hold h;

	jobs_reset();
	hold_init(&h);
	pool = pool_or_fail(1, _i == 0 ? 0 : 7, NULL);
	submit_hold(pool, &h);
	if (_i == 0) {
		submit_jobs(pool, 0, 99, 1);
		assert_stats(pool, 101, 1, 0, 0, 100, 1);
		hold_release(&h);
	} else {
		/* A bounded queue, refilled as the worker frees slots. */
		submit_jobs(pool, 0, 6, 1);
		hold_release(&h);
		submit_jobs(pool, 7, 99, 1);
	}
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN, NULL),
	    0);
	assert_ran_in_order(0, 99);
	assert_stats(pool, 101, 101, 101, 0, 0, 0);
	destroy_or_fail(pool);
	ck_assert_int_eq(atomic_load(&h.runs), 1);
}
END_TEST

/* A full bounded queue blocks the submitter until a slot frees. */
START_TEST(submit_blocks_when_full)
{
	exeunt_pool_t *pool;
	struct submitter s;
	struct hold h;

	jobs_reset();
	hold_init(&h);
	pool = pool_or_fail(1, 2, NULL);
	submit_hold(pool, &h);
	submit_jobs(pool, 0, 1, 1);
	assert_stats(pool, 3, 1, 0, 0, 2, 1);
	submitter_start(&s, pool, &jobs[2]);
	assert_submitter_blocked(&s, 3);
	ck_assert_int_eq(order_count(0), 0);

	hold_release(&h);
	ck_assert_msg(gate_wait_ms(&s.returned, POLL_DEADLINE_MS) == 0,
	    "the submitter stayed blocked once a slot was free");
	join_raw(s.th);
	ck_assert_int_eq(s.rc, 0);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN, NULL),
	    0);
	assert_ran_in_order(0, 2);
	assert_stats(pool, 4, 4, 4, 0, 0, 0);
	destroy_or_fail(pool);
}
END_TEST

/* A closed pool refuses jobs: ESHUTDOWN, neither run nor cancel called. */
START_TEST(submit_after_shutdown)
{
	enum exeunt_pending action = _i == 0 ? EXEUNT_PENDING_RUN :
	    EXEUNT_PENDING_CANCEL;
	exeunt_pool_t *pool;

	jobs_reset();
	pool = pool_or_fail(2, 0, NULL);
	submit_jobs(pool, 0, 0, 1);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, action, NULL), 0);
	ck_assert_int_eq(exeunt_pool_submit(pool, job_run, job_cancel,
	    &jobs[1]), ESHUTDOWN);
	ck_assert_int_eq(exeunt_pool_submit(pool, job_run, NULL, &jobs[1]),
	    ESHUTDOWN);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_CANCEL,
	    NULL), 0);
	ck_assert_uint_eq(stats_of(pool).submitted, 1);
	destroy_or_fail(pool);
	ck_assert_int_eq(atomic_load(&jobs[0].runs) +
	    atomic_load(&jobs[0].cancels), 1);
	assert_untouched(1);
}
END_TEST

/* Once the process shutdown began, submit says ESHUTDOWN. */
START_TEST(submit_after_process_shutdown)
{
	exeunt_pool_t *pool;

	jobs_reset();
	set_env_pending(NULL);
	pool = pool_or_fail(2, 0, NULL);
	submit_jobs(pool, 0, 9, 1);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_uint_eq(exeunt_count(), 0);
	ck_assert_int_eq(exeunt_pool_submit(pool, job_run, job_cancel,
	    &jobs[10]), ESHUTDOWN);
	ck_assert_int_eq(order_count(0), 10);
	assert_stats(pool, 10, 10, 10, 0, 0, 0);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN, NULL),
	    0);
	destroy_or_fail(pool);
	assert_untouched(10);
}
END_TEST

/*
 * A submitter blocked on a full queue gets ESHUTDOWN when the pool is
 * closed from another thread: exeunt_pool_shutdown() (_i 0), or the
 * process shutdown, through the workers' terminate callback (_i 1).
 * It is woken while the queue is still full: by the close, not by room.
 */
START_TEST(submit_blocked_gets_eshutdown)
{
	exeunt_pool_t *pool;
	struct submitter s;
	struct closer c;
	struct hold h;

	jobs_reset();
	set_env_pending(NULL);
	hold_init(&h);
	pool = pool_or_fail(1, 1, NULL);
	submit_hold(pool, &h);
	submit_jobs(pool, 0, 0, 1);
	submitter_start(&s, pool, &jobs[1]);
	assert_submitter_blocked(&s, 2);

	closer_start(&c, _i == 0 ? pool : NULL, EXEUNT_PENDING_RUN, NULL);
	ck_assert_msg(gate_wait_ms(&s.returned, POLL_DEADLINE_MS) == 0,
	    "the blocked submitter was not woken by the close");
	ck_assert_int_eq(s.rc, ESHUTDOWN);
	join_raw(s.th);
	assert_stats(pool, 2, 1, 0, 0, 1, 1);
	ck_assert_msg(!gate_is_open(&c.returned),
	    "the close returned while a job ran");

	hold_release(&h);
	join_raw(c.th);
	ck_assert_int_eq(c.rc, 0);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN, NULL),
	    0);
	assert_ran_in_order(0, 0);
	assert_stats(pool, 2, 2, 2, 0, 0, 0);
	destroy_or_fail(pool);
	assert_untouched(1);
}
END_TEST

/* 3. Every job ends one way ----------------------------------------- */

/*
 * Queued jobs are cancelled once each, in submission order, in the thread
 * applying CANCEL: the caller with a zero timeout (_i 0), a raw thread
 * waiting without one (_i 1).  The running job completes.
 */
START_TEST(cancel_in_order_in_applying_thread)
{
	exeunt_pool_t *pool;
	struct closer c;
	struct hold h;

	jobs_reset();
	hold_init(&h);
	pool = pool_or_fail(1, 0, NULL);
	submit_hold(pool, &h);
	submit_jobs(pool, 0, 49, 1);
	if (_i == 0) {
		ck_assert_int_eq(exeunt_pool_shutdown(pool,
		    EXEUNT_PENDING_CANCEL, &zero_timeout), ETIMEDOUT);
		assert_cancelled_in_order(0, 49, pthread_self());
		assert_stats(pool, 51, 1, 0, 50, 0, 1);
		hold_release(&h);
	} else {
		closer_start(&c, pool, EXEUNT_PENDING_CANCEL, NULL);
		ck_assert_msg(wait_cancelled(50), "%d jobs cancelled, want 50",
		    order_count(1));
		assert_stats(pool, 51, 1, 0, 50, 0, 1);
		ck_assert_msg(!gate_is_open(&c.returned),
		    "exeunt_pool_shutdown returned while a job ran");
		hold_release(&h);
		join_raw(c.th);
		ck_assert_int_eq(c.rc, 0);
		assert_cancelled_in_order(0, 49, c.self);
	}
	destroy_or_fail(pool);
	ck_assert_int_eq(order_count(0), 0);
	ck_assert_int_eq(atomic_load(&h.runs), 1);
	ck_assert_int_eq(atomic_load(&h.cancels), 0);
}
END_TEST

/* A NULL cancel function: the job is dropped, counted as cancelled. */
START_TEST(cancel_null_drops_and_counts)
{
	exeunt_pool_t *pool;
	struct hold h;

	jobs_reset();
	hold_init(&h);
	pool = pool_or_fail(1, 0, NULL);
	submit_hold(pool, &h);
	submit_jobs(pool, 0, 4, 0);
	submit_jobs(pool, 5, 9, 1);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_CANCEL,
	    &zero_timeout), ETIMEDOUT);
	assert_stats(pool, 11, 1, 0, 10, 0, 1);
	hold_release(&h);
	destroy_or_fail(pool);
	ck_assert_int_eq(order_count(0), 0);
	assert_cancelled_in_order(5, 9, pthread_self());
}
END_TEST

/*
 * Cancel functions and jobs run with no lock held: they may use the pool
 * (stats, a refused submit) and the library.
 */
static exeunt_pool_t *reentry_pool;
static struct {
	atomic_int calls;
	atomic_int stats_bad;
	atomic_int submit_not_eshutdown;
	atomic_int count_bad;
} reentry;

static void
cancel_reenters(void *arg)
{
	struct exeunt_pool_stats s;

	(void)arg;
	atomic_fetch_add(&reentry.calls, 1);
	if (exeunt_pool_stats(reentry_pool, &s) != 0 ||
	    !stats_consistent(&s) || s.queued != 0 || s.cancelled != 5)
		atomic_fetch_add(&reentry.stats_bad, 1);
	if (exeunt_pool_submit(reentry_pool, job_run, job_cancel, &jobs[0]) !=
	    ESHUTDOWN)
		atomic_fetch_add(&reentry.submit_not_eshutdown, 1);
	if (exeunt_count() != 1)
		atomic_fetch_add(&reentry.count_bad, 1);
}

static void
job_reenters(void *arg)
{
	struct exeunt_pool_stats s;

	(void)arg;
	atomic_fetch_add(&reentry.calls, 1);
	if (exeunt_pool_stats(reentry_pool, &s) != 0 ||
	    !stats_consistent(&s) || s.running != 1)
		atomic_fetch_add(&reentry.stats_bad, 1);
	if (exeunt_count() != 1)
		atomic_fetch_add(&reentry.count_bad, 1);
}

START_TEST(callbacks_run_without_lock)
{
	struct hold h;
	int i;

	jobs_reset();
	hold_init(&h);
	reentry_pool = pool_or_fail(1, 0, NULL);
	ck_assert_int_eq(exeunt_pool_submit(reentry_pool, job_reenters, NULL,
	    NULL), 0);
	submit_hold(reentry_pool, &h);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(exeunt_pool_submit(reentry_pool, job_run,
		    cancel_reenters, NULL), 0);
	ck_assert_int_eq(exeunt_pool_shutdown(reentry_pool,
	    EXEUNT_PENDING_CANCEL, &zero_timeout), ETIMEDOUT);
	hold_release(&h);
	destroy_or_fail(reentry_pool);
	ck_assert_int_eq(atomic_load(&reentry.calls), 6);
	ck_assert_int_eq(atomic_load(&reentry.stats_bad), 0);
	ck_assert_int_eq(atomic_load(&reentry.submit_not_eshutdown), 0);
	ck_assert_int_eq(atomic_load(&reentry.count_bad), 0);
	ck_assert_int_eq(order_count(0), 0);
}
END_TEST

/* The stats at each stage of a job's life. */
START_TEST(stats_follow_each_stage)
{
	struct exeunt_pool_stats s;
	exeunt_pool_t *pool;
	struct hold h[2];

	jobs_reset();
	hold_init(&h[0]);
	hold_init(&h[1]);
	ck_assert_int_eq(exeunt_pool_stats(NULL, &s), EINVAL);
	pool = pool_or_fail(2, 0, NULL);
	ck_assert_int_eq(exeunt_pool_stats(pool, NULL), EINVAL);
	assert_stats(pool, 0, 0, 0, 0, 0, 0);
	submit_hold(pool, &h[0]);
	assert_stats(pool, 1, 1, 0, 0, 0, 1);
	submit_hold(pool, &h[1]);
	assert_stats(pool, 2, 2, 0, 0, 0, 2);
	submit_jobs(pool, 0, 2, 1);
	assert_stats(pool, 5, 2, 0, 0, 3, 2);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_CANCEL,
	    &zero_timeout), ETIMEDOUT);
	assert_stats(pool, 5, 2, 0, 3, 0, 2);
	hold_release(&h[0]);
	hold_release(&h[1]);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN, NULL),
	    0);
	assert_stats(pool, 5, 2, 2, 3, 0, 0);
	destroy_or_fail(pool);
}
END_TEST

/* 4. The pending action --------------------------------------------- */

START_TEST(set_pending_errors)
{
	exeunt_pool_t *pool;

	pool = pool_or_fail(1, 0, NULL);
	ck_assert_int_eq(exeunt_pool_set_pending(pool,
	    (enum exeunt_pending)2), EINVAL);
	ck_assert_int_eq(exeunt_pool_set_pending(pool,
	    (enum exeunt_pending)-1), EINVAL);
	ck_assert_int_eq(exeunt_pool_set_pending(NULL,
	    (enum exeunt_pending)7), EINVAL);
	ck_assert_int_eq(exeunt_pool_set_pending(pool, EXEUNT_PENDING_RUN),
	    0);
	ck_assert_int_eq(exeunt_pool_set_pending(pool, EXEUNT_PENDING_CANCEL),
	    0);
	ck_assert_int_eq(exeunt_pool_set_pending(NULL, EXEUNT_PENDING_RUN),
	    0);
	ck_assert_int_eq(exeunt_pool_set_pending(NULL, EXEUNT_PENDING_CANCEL),
	    0);
	destroy_or_fail(pool);
}
END_TEST

/*
 * An explicit exeunt_pool_shutdown() uses its argument whatever the
 * pool, the process and the environment say.
 */
START_TEST(pending_explicit_argument_wins)
{
	enum exeunt_pending explicit = _i == 0 ? EXEUNT_PENDING_RUN :
	    EXEUNT_PENDING_CANCEL;
	enum exeunt_pending other = _i == 0 ? EXEUNT_PENDING_CANCEL :
	    EXEUNT_PENDING_RUN;
	exeunt_pool_t *pool;
	struct hold h;

	jobs_reset();
	hold_init(&h);
	set_env_pending(_i == 0 ? "cancel" : "run");
	pool = pool_or_fail(1, 0, NULL);
	ck_assert_int_eq(exeunt_pool_set_pending(NULL, other), 0);
	ck_assert_int_eq(exeunt_pool_set_pending(pool, other), 0);
	submit_hold(pool, &h);
	submit_jobs(pool, 0, 3, 1);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, explicit, &zero_timeout),
	    ETIMEDOUT);
	hold_release(&h);
	destroy_or_fail(pool);
	if (explicit == EXEUNT_PENDING_RUN) {
		assert_ran_in_order(0, 3);
		ck_assert_int_eq(order.ncancel, 0);
	} else {
		assert_cancelled_in_order(0, 3, pthread_self());
		ck_assert_int_eq(order.nrun, 0);
	}
}
END_TEST

/*
 * Without an explicit action: the pool's setting, else the process
 * default, else EXEUNT_POOL_PENDING, else RUN.  "-" leaves a level unset.
 */
struct precedence {
	const char *pool;
	const char *process;
	const char *env;	/* NULL: not in the environment */
	enum exeunt_pending want;
};

static const struct precedence precedence[] = {
	{ "-", "-", NULL, EXEUNT_PENDING_RUN },
	{ "-", "-", "cancel", EXEUNT_PENDING_CANCEL },
	{ "-", "-", "run", EXEUNT_PENDING_RUN },
	{ "-", "cancel", NULL, EXEUNT_PENDING_CANCEL },
	{ "-", "run", "cancel", EXEUNT_PENDING_RUN },
	{ "-", "cancel", "run", EXEUNT_PENDING_CANCEL },
	{ "cancel", "-", NULL, EXEUNT_PENDING_CANCEL },
	{ "cancel", "run", "run", EXEUNT_PENDING_CANCEL },
	{ "run", "cancel", "cancel", EXEUNT_PENDING_RUN },
	{ "run", "-", "cancel", EXEUNT_PENDING_RUN },
};
#define NPRECEDENCE ((int)(sizeof precedence / sizeof precedence[0]))

static void
apply_setting(exeunt_pool_t *pool, const char *setting)
{
	if (strcmp(setting, "-") == 0)
		return;
	ck_assert_int_eq(exeunt_pool_set_pending(pool,
	    strcmp(setting, "cancel") == 0 ? EXEUNT_PENDING_CANCEL :
	    EXEUNT_PENDING_RUN), 0);
}

/*
 * The pool closes without an explicit action: a stop request to a worker
 * (_i < NPRECEDENCE, in this thread) or the process shutdown (from a raw
 * thread): the queued jobs run, or are cancelled in the closing thread.
 */
START_TEST(pending_precedence)
{
	const struct precedence *pc = &precedence[_i % NPRECEDENCE];
	int by_shutdown = _i >= NPRECEDENCE;
	exeunt_pool_t *pool;
	struct closer c;
	struct hold h;
	pthread_t closer_thread;

	jobs_reset();
	hold_init(&h);
	set_env_pending(pc->env);
	pool = named_pool_or_fail("prec", 1, 0);
	apply_setting(pool, pc->pool);
	apply_setting(NULL, pc->process);
	submit_hold(pool, &h);
	submit_jobs(pool, 0, 4, 1);
	if (!by_shutdown) {
		stop_worker("prec-0");
		closer_thread = pthread_self();
	} else {
		closer_start(&c, NULL, EXEUNT_PENDING_RUN, NULL);
		/* The terminate phase, with its callbacks, comes first. */
		ck_assert_msg(wait_phase(EXEUNT_JOINING), "phase %d, not "
		    "JOINING", (int)exeunt_phase());
		closer_thread = c.self;
	}
	ck_assert_int_eq(exeunt_pool_submit(pool, job_run, job_cancel,
	    &jobs[5]), ESHUTDOWN);
	if (pc->want == EXEUNT_PENDING_CANCEL) {
		ck_assert_int_eq(order_count(1), 5);
		assert_stats(pool, 6, 1, 0, 5, 0, 1);
	} else {
		ck_assert_int_eq(order_count(1), 0);
		assert_stats(pool, 6, 1, 0, 0, 5, 1);
	}
	hold_release(&h);
	if (by_shutdown) {
		join_raw(c.th);
		ck_assert_int_eq(c.rc, 0);
	}
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN, NULL),
	    0);
	destroy_or_fail(pool);
	if (pc->want == EXEUNT_PENDING_CANCEL) {
		assert_cancelled_in_order(0, 4, closer_thread);
		ck_assert_int_eq(order.nrun, 0);
	} else {
		assert_ran_in_order(0, 4);
		ck_assert_int_eq(order.ncancel, 0);
	}
	ck_assert_int_eq(atomic_load(&jobs[5].runs) +
	    atomic_load(&jobs[5].cancels), 0);
}
END_TEST

/*
 * EXEUNT_POOL_PENDING is read the first time it is needed (not when the
 * library is first used), and only then.
 */
START_TEST(pending_env_read_once_when_needed)
{
	exeunt_pool_t *pool[2];
	struct hold h[2];
	int i;

	jobs_reset();
	set_env_pending(NULL);
	pool[0] = named_pool_or_fail("first", 1, 0);
	pool[1] = named_pool_or_fail("second", 1, 0);
	for (i = 0; i < 2; i++) {
		hold_init(&h[i]);
		submit_hold(pool[i], &h[i]);
	}
	submit_jobs(pool[0], 0, 2, 1);
	submit_jobs(pool[1], 3, 5, 1);
	set_env_pending("cancel");
	stop_worker("first-0");
	ck_assert_int_eq(order_count(1), 3);
	set_env_pending("run");
	stop_worker("second-0");
	ck_assert_int_eq(order_count(1), 6);
	for (i = 0; i < 2; i++) {
		hold_release(&h[i]);
		destroy_or_fail(pool[i]);
	}
	assert_cancelled_in_order(0, 5, pthread_self());
	ck_assert_int_eq(order.nrun, 0);
}
END_TEST

/*
 * A process default set after the environment was read still comes
 * before it, for the pools that close from then on.
 */
START_TEST(pending_default_after_env_read)
{
	const char *env = _i == 0 ? "cancel" : "run";
	enum exeunt_pending later = _i == 0 ? EXEUNT_PENDING_RUN :
	    EXEUNT_PENDING_CANCEL;
	exeunt_pool_t *pool[2];
	struct hold h[2];
	int i;

	jobs_reset();
	set_env_pending(env);
	pool[0] = named_pool_or_fail("early", 1, 0);
	pool[1] = named_pool_or_fail("late", 1, 0);
	for (i = 0; i < 2; i++) {
		hold_init(&h[i]);
		submit_hold(pool[i], &h[i]);
	}
	submit_jobs(pool[0], 0, 1, 1);
	submit_jobs(pool[1], 2, 3, 1);
	stop_worker("early-0");
	ck_assert_int_eq(order_count(1), _i == 0 ? 2 : 0);
	ck_assert_int_eq(exeunt_pool_set_pending(NULL, later), 0);
	stop_worker("late-0");
	ck_assert_int_eq(order_count(1), 2);
	for (i = 0; i < 2; i++) {
		hold_release(&h[i]);
		destroy_or_fail(pool[i]);
	}
	if (_i == 0) {
		assert_cancelled_in_order(0, 1, pthread_self());
		assert_ran_in_order(2, 3);
	} else {
		assert_ran_in_order(0, 1);
		assert_cancelled_in_order(2, 3, pthread_self());
	}
}
END_TEST

/* A stop request to one worker closes the whole pool. */
START_TEST(request_stop_closes_whole_pool)
{
	exeunt_pool_t *pool;
	struct hold h;

	jobs_reset();
	set_env_pending(NULL);
	hold_init(&h);
	pool = named_pool_or_fail("rs", 3, 0);
	submit_hold(pool, &h);
	submit_jobs(pool, 0, 9, 1);
	ck_assert_uint_eq(exeunt_count(), 3);
	stop_worker("rs-1");
	ck_assert_int_eq(exeunt_pool_submit(pool, job_run, job_cancel,
	    &jobs[10]), ESHUTDOWN);
	/* The two free workers drain the queue and end; then the third. */
	ck_assert_msg(wait_count(1), "count %zu, want the held worker only",
	    exeunt_count());
	hold_release(&h);
	ck_assert_msg(wait_count(0), "count %zu", exeunt_count());
	ck_assert_int_eq(order_count(0), 10);
	ck_assert_int_eq(order_count(1), 0);
	assert_stats(pool, 11, 11, 11, 0, 0, 0);
	destroy_or_fail(pool);
	ck_assert_int_eq(atomic_load(&jobs[10].runs), 0);
}
END_TEST

/* 5. exeunt_pool_shutdown and exeunt_pool_destroy -------------------- */

START_TEST(shutdown_errors)
{
	const struct timespec bad[] = {
		{ -1, 0 }, { 0, -1 }, { 0, 1000000000L }, { 1, 2000000000L },
	};
	exeunt_pool_t *pool;
	size_t i;

	jobs_reset();
	pool = pool_or_fail(1, 0, NULL);
	ck_assert_int_eq(exeunt_pool_shutdown(NULL, EXEUNT_PENDING_RUN, NULL),
	    EINVAL);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, (enum exeunt_pending)2,
	    NULL), EINVAL);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, (enum exeunt_pending)-1,
	    NULL), EINVAL);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_int_eq(exeunt_pool_shutdown(pool,
		    EXEUNT_PENDING_CANCEL, &bad[i]), EINVAL);
	ck_assert_int_eq(exeunt_pool_destroy(NULL), EINVAL);
	/* None of them closed the pool. */
	submit_jobs(pool, 0, 0, 1);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN, NULL),
	    0);
	assert_ran_in_order(0, 0);
	destroy_or_fail(pool);
}
END_TEST

/*
 * A job held running: ETIMEDOUT; the pool stays closed and its queue
 * waits (RUN); once the job is let go a later shutdown (_i 0) or destroy
 * (_i 1) waits again, and succeeds.
 */
START_TEST(shutdown_timeout)
{
	exeunt_pool_t *pool;
	struct hold h;

	jobs_reset();
	hold_init(&h);
	pool = pool_or_fail(1, 0, NULL);
	submit_hold(pool, &h);
	submit_jobs(pool, 0, 2, 1);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN,
	    &short_timeout), ETIMEDOUT);
	ck_assert_int_eq(exeunt_pool_submit(pool, job_run, job_cancel,
	    &jobs[3]), ESHUTDOWN);
	assert_stats(pool, 4, 1, 0, 0, 3, 1);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN,
	    &zero_timeout), ETIMEDOUT);
	ck_assert_uint_eq(exeunt_count(), 1);
	hold_release(&h);
	if (_i == 0) {
		ck_assert_int_eq(exeunt_pool_shutdown(pool,
		    EXEUNT_PENDING_RUN, NULL), 0);
		ck_assert_uint_eq(exeunt_count(), 0);
		assert_stats(pool, 4, 4, 4, 0, 0, 0);
	}
	destroy_or_fail(pool);
	ck_assert_uint_eq(exeunt_count(), 0);
	assert_ran_in_order(0, 2);
	assert_untouched(3);
}
END_TEST

/* A later CANCEL still cancels the jobs queued then. */
START_TEST(shutdown_later_cancel)
{
	exeunt_pool_t *pool;
	struct hold h;

	jobs_reset();
	hold_init(&h);
	pool = pool_or_fail(1, 0, NULL);
	submit_hold(pool, &h);
	submit_jobs(pool, 0, 3, 1);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN,
	    &zero_timeout), ETIMEDOUT);
	ck_assert_int_eq(order_count(1), 0);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_CANCEL,
	    &zero_timeout), ETIMEDOUT);
	assert_cancelled_in_order(0, 3, pthread_self());
	hold_release(&h);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN, NULL),
	    0);
	assert_stats(pool, 5, 1, 1, 4, 0, 0);
	destroy_or_fail(pool);
	ck_assert_int_eq(order_count(0), 0);
}
END_TEST

/* Shutdown is idempotent: once ended, every later call is 0 at once. */
START_TEST(shutdown_idempotent)
{
	exeunt_pool_t *pool;

	jobs_reset();
	pool = pool_or_fail(3, 0, NULL);
	submit_jobs(pool, 0, 5, 1);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN, NULL),
	    0);
	ck_assert_uint_eq(exeunt_count(), 0);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN, NULL),
	    0);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_CANCEL,
	    &zero_timeout), 0);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN,
	    &zero_timeout), 0);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_CANCEL,
	    NULL), 0);
	assert_stats(pool, 6, 6, 6, 0, 0, 0);
	destroy_or_fail(pool);
	ck_assert_int_eq(order_count(0), 6);
}
END_TEST

/*
 * exeunt_pool_shutdown() from a job of the same pool: it closes, applies
 * the action (CANCEL: in the worker), and returns EDEADLK at once instead
 * of waiting for itself.
 */
struct self_call {
	exeunt_pool_t *pool;
	enum exeunt_pending action;
	const struct timespec *timeout;
	int destroy;
	int rc;
	int submit_rc;
	pthread_t worker;
	struct gate returned;
};

static void
job_self_call(void *arg)
{
	struct self_call *sc = arg;

	sc->worker = pthread_self();
	if (sc->destroy)
		sc->rc = exeunt_pool_destroy(sc->pool);
	else
		sc->rc = exeunt_pool_shutdown(sc->pool, sc->action,
		    sc->timeout);
	sc->submit_rc = exeunt_pool_submit(sc->pool, job_run, job_cancel,
	    &jobs[10]);
	gate_open(&sc->returned);
}

static const struct timespec long_timeout = { 3600, 0 };

START_TEST(shutdown_from_job_is_edeadlk)
{
	static const struct timespec *const timeouts[] = {
		NULL, &zero_timeout, &long_timeout,
	};
	struct self_call sc;
	exeunt_pool_t *pool;
	struct hold h;

	jobs_reset();
	hold_init(&h);
	memset(&sc, 0, sizeof sc);
	gate_init(&sc.returned);
	sc.action = _i % 2 == 0 ? EXEUNT_PENDING_CANCEL : EXEUNT_PENDING_RUN;
	sc.timeout = timeouts[_i / 2];
	pool = sc.pool = pool_or_fail(1, 0, NULL);
	submit_hold(pool, &h);
	ck_assert_int_eq(exeunt_pool_submit(pool, job_self_call, NULL, &sc),
	    0);
	submit_jobs(pool, 0, 4, 1);
	hold_release(&h);
	ck_assert_msg(gate_wait_ms(&sc.returned, POLL_DEADLINE_MS) == 0,
	    "exeunt_pool_shutdown from a job did not return");
	ck_assert_int_eq(sc.rc, EDEADLK);
	ck_assert_int_eq(sc.submit_rc, ESHUTDOWN);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN, NULL),
	    0);
	if (sc.action == EXEUNT_PENDING_CANCEL) {
		assert_cancelled_in_order(0, 4, sc.worker);
		ck_assert_int_eq(order.nrun, 0);
		assert_stats(pool, 7, 2, 2, 5, 0, 0);
	} else {
		assert_ran_in_order(0, 4);
		ck_assert_int_eq(order.ncancel, 0);
		assert_stats(pool, 7, 7, 7, 0, 0, 0);
	}
	destroy_or_fail(pool);
	ck_assert_int_eq(atomic_load(&jobs[10].runs), 0);
}
END_TEST

/* exeunt_pool_destroy() from a job: EDEADLK, and nothing done. */
START_TEST(destroy_from_job_is_edeadlk)
{
	struct self_call sc;
	exeunt_pool_t *pool;

	jobs_reset();
	memset(&sc, 0, sizeof sc);
	gate_init(&sc.returned);
	sc.destroy = 1;
	pool = sc.pool = pool_or_fail(2, 0, NULL);
	ck_assert_int_eq(exeunt_pool_submit(pool, job_self_call, NULL, &sc),
	    0);
	ck_assert_msg(gate_wait_ms(&sc.returned, POLL_DEADLINE_MS) == 0,
	    "exeunt_pool_destroy from a job did not return");
	ck_assert_int_eq(sc.rc, EDEADLK);
	/* Still open: the job's own submit was taken, and runs. */
	ck_assert_int_eq(sc.submit_rc, 0);
	submit_jobs(pool, 0, 0, 1);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN, NULL),
	    0);
	ck_assert_int_eq(atomic_load(&jobs[0].runs), 1);
	ck_assert_int_eq(atomic_load(&jobs[10].runs), 1);
	assert_stats(pool, 3, 3, 3, 0, 0, 0);
	destroy_or_fail(pool);
}
END_TEST

/* A job may shut down another pool: it waits as any thread would. */
struct other_pool {
	exeunt_pool_t *pool;
	int rc;
};

static void
job_shutdown_other(void *arg)
{
	struct other_pool *op = arg;

	op->rc = exeunt_pool_shutdown(op->pool, EXEUNT_PENDING_RUN, NULL);
}

START_TEST(shutdown_other_pool_from_job)
{
	struct other_pool op = { NULL, -1 };
	exeunt_pool_t *pool;

	jobs_reset();
	pool = pool_or_fail(1, 0, NULL);
	op.pool = pool_or_fail(2, 0, NULL);
	submit_jobs(op.pool, 0, 9, 1);
	ck_assert_int_eq(exeunt_pool_submit(pool, job_shutdown_other, NULL,
	    &op), 0);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN, NULL),
	    0);
	ck_assert_int_eq(op.rc, 0);
	assert_stats(op.pool, 10, 10, 10, 0, 0, 0);
	destroy_or_fail(op.pool);
	destroy_or_fail(pool);
}
END_TEST

/*
 * The asgiref deadlock: a job waits for a value that this thread only
 * produces after exeunt_pool_shutdown() returns.  With a timeout it
 * returns ETIMEDOUT; with CANCEL (_i 0) the queued jobs were cancelled
 * at once, with RUN (_i 1) they wait; then the value comes, the job
 * completes, and destroy returns 0.
 */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int produced;
	int consumed;
	sem_t waiting;
} value = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void
job_wait_value(void *arg)
{
	(void)arg;
	sem_post(&value.waiting);
	pthread_mutex_lock(&value.mu);
	while (value.produced == 0)
		pthread_cond_wait(&value.cv, &value.mu);
	value.consumed = value.produced;
	pthread_mutex_unlock(&value.mu);
}

START_TEST(asgiref_deadlock_broken_by_timeout)
{
	enum exeunt_pending action = _i == 0 ? EXEUNT_PENDING_CANCEL :
	    EXEUNT_PENDING_RUN;
	const struct timespec timeout = { 0, 100 * 1000000L };
	exeunt_pool_t *pool;

	jobs_reset();
	ck_assert_int_eq(sem_init(&value.waiting, 0, 0), 0);
	pool = pool_or_fail(1, 0, NULL);
	ck_assert_int_eq(exeunt_pool_submit(pool, job_wait_value, NULL, NULL),
	    0);
	submit_jobs(pool, 0, 2, 1);
	ck_assert_int_eq(sem_wait_ms(&value.waiting, POLL_DEADLINE_MS), 0);

	ck_assert_int_eq(exeunt_pool_shutdown(pool, action, &timeout),
	    ETIMEDOUT);
	if (action == EXEUNT_PENDING_CANCEL) {
		assert_cancelled_in_order(0, 2, pthread_self());
		assert_stats(pool, 4, 1, 0, 3, 0, 1);
	} else {
		ck_assert_int_eq(order_count(1), 0);
		assert_stats(pool, 4, 1, 0, 0, 3, 1);
	}
	ck_assert_int_eq(order_count(0), 0);

	/* Only now does this thread produce the value. */
	pthread_mutex_lock(&value.mu);
	value.produced = 42;
	pthread_cond_broadcast(&value.cv);
	pthread_mutex_unlock(&value.mu);
	ck_assert_int_eq(exeunt_pool_destroy(pool), 0);
	ck_assert_int_eq(value.consumed, 42);
	if (action == EXEUNT_PENDING_CANCEL)
		ck_assert_int_eq(order_count(0), 0);
	else
		assert_ran_in_order(0, 2);
	ck_assert_uint_eq(exeunt_count(), 0);
}
END_TEST

/* 6. Submit racing shutdown ------------------------------------------ */

#define RACE_ROUNDS 200
#define RACE_SUBMITTERS 4
#define RACE_JOBS 40

struct race_job {
	atomic_int runs;
	atomic_int cancels;
	int cancel_seq;			/* written by the closer only */
	int rc;				/* written by its submitter only */
};

struct race {
	exeunt_pool_t *pool;
	struct race_job job[RACE_SUBMITTERS][RACE_JOBS];
	pthread_barrier_t go;
	sem_t accepted;
	int target;
	pthread_t closer_self;
	int closer_rc;
	int next_cancel;		/* the closer's only */
	atomic_int cancel_elsewhere;
	atomic_int stop_sampling;
	atomic_long samples;
	atomic_int bad_samples;
};

struct race_submitter {
	struct race *r;
	int who;
};

static void
race_run(void *arg)
{
	struct race_job *j = arg;

	atomic_fetch_add(&j->runs, 1);
}

static struct race *the_race;

static void
race_cancel(void *arg)
{
	struct race_job *j = arg;
	struct race *r = the_race;

	if (!pthread_equal(pthread_self(), r->closer_self))
		atomic_fetch_add(&r->cancel_elsewhere, 1);
	j->cancel_seq = ++r->next_cancel;
	atomic_fetch_add(&j->cancels, 1);
}

static void *
race_submit(void *arg)
{
	struct race_submitter *s = arg;
	struct race *r = s->r;
	int k;

	pthread_barrier_wait(&r->go);
	for (k = 0; k < RACE_JOBS; k++) {
		r->job[s->who][k].rc = exeunt_pool_submit(r->pool, race_run,
		    race_cancel, &r->job[s->who][k]);
		if (r->job[s->who][k].rc == 0)
			sem_post(&r->accepted);
		if ((k + s->who) % 8 == 0)
			sched_yield();
	}
	return NULL;
}

static void *
race_close(void *arg)
{
	struct race *r = arg;
	int i;

	r->closer_self = pthread_self();
	pthread_barrier_wait(&r->go);
	for (i = 0; i < r->target; i++)
		sem_wait_intr(&r->accepted);
	r->closer_rc = exeunt_pool_shutdown(r->pool, EXEUNT_PENDING_CANCEL,
	    NULL);
	atomic_store(&r->stop_sampling, 1);
	return NULL;
}

/* Samples the stats until the close returned: always consistent, never
 * going back. */
static void *
race_sample(void *arg)
{
	struct race *r = arg;
	struct exeunt_pool_stats s, last;

	memset(&last, 0, sizeof last);
	pthread_barrier_wait(&r->go);
	while (!atomic_load(&r->stop_sampling)) {
		if (exeunt_pool_stats(r->pool, &s) != 0 ||
		    !stats_consistent(&s) || s.submitted < last.submitted ||
		    s.started < last.started ||
		    s.completed < last.completed ||
		    s.cancelled < last.cancelled)
			atomic_fetch_add(&r->bad_samples, 1);
		last = s;
		atomic_fetch_add(&r->samples, 1);
		sched_yield();
	}
	return NULL;
}

/* Checks one round; returns a description of the first fault, or NULL. */
static const char *
race_verify(struct race *r, char *buf, size_t len)
{
	struct exeunt_pool_stats s;
	unsigned long long accepted = 0, ran = 0, cancelled = 0;
	int w, k, closed, cancelling, last_seq;

	if (r->closer_rc != 0)
		snprintf(buf, len, "shutdown: %d", r->closer_rc);
	else if (atomic_load(&r->cancel_elsewhere) != 0)
		snprintf(buf, len, "%d jobs cancelled outside the closer",
		    atomic_load(&r->cancel_elsewhere));
	else if (atomic_load(&r->bad_samples) != 0)
		snprintf(buf, len, "%d of %ld stats samples inconsistent",
		    atomic_load(&r->bad_samples), atomic_load(&r->samples));
	else
		buf[0] = '\0';
	if (buf[0] != '\0')
		return buf;
	for (w = 0; w < RACE_SUBMITTERS; w++) {
		closed = cancelling = 0;
		last_seq = 0;
		for (k = 0; k < RACE_JOBS; k++) {
			struct race_job *j = &r->job[w][k];
			int runs = atomic_load(&j->runs);
			int cancels = atomic_load(&j->cancels);

			if (j->rc != 0 && j->rc != ESHUTDOWN) {
				snprintf(buf, len, "submit %d.%d: %d", w, k,
				    j->rc);
				return buf;
			}
			if (j->rc == ESHUTDOWN) {
				closed = 1;
				if (runs + cancels != 0) {
					snprintf(buf, len, "refused job %d.%d "
					    "ran %d, cancelled %d", w, k, runs,
					    cancels);
					return buf;
				}
				continue;
			}
			if (closed) {
				snprintf(buf, len, "job %d.%d accepted after "
				    "an ESHUTDOWN", w, k);
				return buf;
			}
			accepted++;
			ran += (unsigned)runs;
			cancelled += (unsigned)cancels;
			if (runs + cancels != 1) {
				snprintf(buf, len, "job %d.%d ran %d times, "
				    "cancelled %d times", w, k, runs, cancels);
				return buf;
			}
			/* FIFO: what a submitter got cancelled is the tail
			 * of what it got accepted, in order. */
			if (runs == 1 && cancelling) {
				snprintf(buf, len, "job %d.%d ran after an "
				    "earlier job of its submitter was "
				    "cancelled", w, k);
				return buf;
			}
			if (cancels == 1) {
				if (j->cancel_seq <= last_seq) {
					snprintf(buf, len, "job %d.%d "
					    "cancelled out of order", w, k);
					return buf;
				}
				last_seq = j->cancel_seq;
				cancelling = 1;
			}
		}
	}
	if (exeunt_pool_stats(r->pool, &s) != 0 || s.submitted != accepted ||
	    s.started != ran || s.completed != ran ||
	    s.cancelled != cancelled || s.queued != 0 || s.running != 0) {
		snprintf(buf, len, "stats: submitted %llu started %llu "
		    "completed %llu cancelled %llu queued %zu running %zu; "
		    "counted accepted %llu ran %llu cancelled %llu",
		    s.submitted, s.started, s.completed, s.cancelled, s.queued,
		    s.running, accepted, ran, cancelled);
		return buf;
	}
	return NULL;
}

START_TEST(submit_races_shutdown)
{
	struct race_submitter sub[RACE_SUBMITTERS];
	pthread_t th[RACE_SUBMITTERS + 2];
	const char *fault;
	char buf[256];
	struct race *r;
	int round, i;

	for (round = 0; round < RACE_ROUNDS; round++) {
		r = calloc(1, sizeof *r);
		ck_assert_ptr_nonnull(r);
		the_race = r;
		ck_assert_int_eq(pthread_barrier_init(&r->go, NULL,
		    RACE_SUBMITTERS + 2), 0);
		ck_assert_int_eq(sem_init(&r->accepted, 0, 0), 0);
		r->target = 1 + (round * 7) % (RACE_SUBMITTERS * RACE_JOBS / 2);
		/* Unbounded, and bounded queues of 1 to 5 slots. */
		r->pool = pool_or_fail(1 + round % 3,
		    round % 6 == 0 ? 0 : (size_t)(round % 6), NULL);
		for (i = 0; i < RACE_SUBMITTERS; i++) {
			sub[i].r = r;
			sub[i].who = i;
			th[i] = start_raw(race_submit, &sub[i]);
		}
		th[RACE_SUBMITTERS] = start_raw(race_close, r);
		th[RACE_SUBMITTERS + 1] = start_raw(race_sample, r);
		for (i = 0; i < RACE_SUBMITTERS + 2; i++)
			join_raw(th[i]);
		fault = race_verify(r, buf, sizeof buf);
		ck_assert_msg(fault == NULL, "round %d (target %d): %s", round,
		    r->target, fault);
		destroy_or_fail(r->pool);
		ck_assert_uint_eq(exeunt_count(), 0);
		sem_destroy(&r->accepted);
		pthread_barrier_destroy(&r->go);
		free(r);
	}
}
END_TEST

/* 7. At exit: scenario programs ------------------------------------- */

/* One child per test process: each test runs in its own fork. */
static struct child ch;

struct exit_case {
	const char *args[5];
	const char *env[2];
	const char *want;
	const char *err;	/* the whole of stderr */
};

#define STATS(sub, st, co, ca, q, r) \
	"submitted " #sub " started " #st " completed " #co " cancelled " \
	#ca " queued " #q " running " #r

#define SINGLE_RAN \
	"main returns\n" \
	"job 0: stop requested 1, JOINING\n" \
	"job 1 ran, JOINING\n" \
	"job 2 ran, JOINING\n" \
	"job 3 ran, JOINING\n" \
	"job 4 ran, JOINING\n" \
	"hook: " STATS(5, 5, 5, 0, 0, 0) "\n" \
	"atexit: destroy 0\n"

#define SINGLE_CANCELLED \
	"main returns\n" \
	"job 1 cancelled in main, TERMINATING\n" \
	"job 2 cancelled in main, TERMINATING\n" \
	"job 3 cancelled in main, TERMINATING\n" \
	"job 4 cancelled in main, TERMINATING\n" \
	"job 0: stop requested 1, JOINING\n" \
	"hook: " STATS(5, 1, 1, 4, 0, 0) "\n" \
	"atexit: destroy 0\n"

#define BAD_ENV_LINE \
	"exeunt: ignoring EXEUNT_POOL_PENDING=\"bogus\" (not run or " \
	"cancel); keeping run\n"

/*
 * A forgotten pool at exit: its worker is told to stop, and the join
 * phase waits for it while it drains the queue (RUN), or the thread
 * running the shutdown (main) cancels the queue in the terminate phase
 * (CANCEL); then the hooks.  The pending action from the pool's setting,
 * the process default, the environment, else RUN.
 */
static const struct exit_case exit_cases[] = {
	{ { "single", "-", "-", NULL }, { NULL }, SINGLE_RAN, "" },
	{ { "single", "cancel", "-", NULL }, { NULL }, SINGLE_CANCELLED, "" },
	{ { "single", "-", "cancel", NULL }, { NULL }, SINGLE_CANCELLED, "" },
	{ { "single", "-", "-", NULL }, { "EXEUNT_POOL_PENDING=cancel" },
	    SINGLE_CANCELLED, "" },
	{ { "single", "-", "-", NULL }, { "EXEUNT_POOL_PENDING=run" },
	    SINGLE_RAN, "" },
	{ { "single", "run", "cancel", NULL },
	    { "EXEUNT_POOL_PENDING=cancel" }, SINGLE_RAN, "" },
	{ { "single", "cancel", "run", NULL }, { "EXEUNT_POOL_PENDING=run" },
	    SINGLE_CANCELLED, "" },
	{ { "single", "-", "run", NULL }, { "EXEUNT_POOL_PENDING=cancel" },
	    SINGLE_RAN, "" },
	{ { "single", "-", "cancel", NULL }, { "EXEUNT_POOL_PENDING=run" },
	    SINGLE_CANCELLED, "" },
	{ { "single", "-", "-", NULL }, { "EXEUNT_POOL_PENDING=bogus" },
	    SINGLE_RAN, BAD_ENV_LINE },
	/* Three workers held, 20 jobs queued behind them. */
	{ { "multi", NULL }, { NULL },
	    "main returns\n"
	    "hook: 3 held jobs saw the stop, 20 queued jobs ran in JOINING, "
	    "0 elsewhere; " STATS(23, 23, 23, 0, 0, 0) "\n"
	    "atexit: destroy 0\n", "" },
	/* Two pools, one environment line. */
	{ { "two", NULL }, { "EXEUNT_POOL_PENDING=bogus" },
	    "main returns\n"
	    "hook: a: " STATS(3, 3, 3, 0, 0, 0) "; b: "
	    STATS(3, 3, 3, 0, 0, 0) "; cancelled in main 0, elsewhere 0\n"
	    "atexit: destroy 0, 0\n",
	    BAD_ENV_LINE },
	{ { "two", NULL }, { "EXEUNT_POOL_PENDING=cancel" },
	    "main returns\n"
	    "hook: a: " STATS(3, 1, 1, 2, 0, 0) "; b: "
	    STATS(3, 1, 1, 2, 0, 0) "; cancelled in main 4, elsewhere 0\n"
	    "atexit: destroy 0, 0\n",
	    "" },
	/* A daemon pool is closed at exit but not waited for. */
	{ { "daemon", "-", "-", NULL }, { NULL },
	    "main returns\n"
	    "hook: " STATS(4, 1, 0, 0, 3, 1) "\n", "" },
	{ { "daemon", "cancel", "-", NULL }, { NULL },
	    "main returns\n"
	    "job 1 cancelled in main, TERMINATING\n"
	    "job 2 cancelled in main, TERMINATING\n"
	    "job 3 cancelled in main, TERMINATING\n"
	    "hook: " STATS(4, 1, 0, 3, 0, 1) "\n", "" },
};

START_TEST(exit_drains_forgotten_pool)
{
	const struct exit_case *ec = &exit_cases[_i];

	child_run(&ch, "scenario_pool_exit", ec->args, ec->env, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch, ec->want);
	ck_assert_msg(strcmp(ch.err_buf, ec->err) == 0,
	    "stderr:\n%s--- instead of:\n%s---", ch.err_buf, ec->err);
}
END_TEST

/* The one line of the child's stderr that starts with head, or NULL. */
static const char *
err_line(const struct child *c, const char *head, char *buf, size_t len)
{
	const char *p = c->err_buf, *nl;
	size_t n;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (strncmp(p, head, strlen(head)) == 0 && n < len) {
			memcpy(buf, p, n);
			buf[n] = '\0';
			return buf;
		}
		p += n + (nl != NULL);
	}
	return NULL;
}

/* The report has a line for the thread seq, named name, ending with tail. */
static void
assert_report_line(const struct child *c, int seq, const char *name,
    const char *tail)
{
	char head[128], line[512];

	snprintf(head, sizeof head, "exeunt:   seq %d \"%s\" tid ", seq, name);
	ck_assert_msg(err_line(c, head, line, sizeof line) != NULL,
	    "no report line for %s; stderr:\n%s", name, c->err_buf);
	ck_assert_msg(strstr(line, " non-daemon ") != NULL &&
	    strlen(line) > strlen(tail) &&
	    strcmp(line + strlen(line) - strlen(tail), tail) == 0,
	    "report line \"%s\" does not end with \"%s\"", line, tail);
}

/*
 * The process deadline: the report names each pool worker, held in a job
 * (_i 0) or idle (_i 1, never told to stop: a newer thread's terminate
 * callback blocks), with the length of its queue; PROCEED then runs the
 * hooks and the process exits with main's status.  When idle, the
 * watchdog calls the C library's exit(), whose atexit handler destroys
 * the pool.
 */
START_TEST(exit_deadline_report_names_pool)
{
	const char *args[] = { _i == 0 ? "busy" : "idle", NULL };
	const char *busy = "; pool \"rep\": in a job, 3 jobs queued";
	const char *idle = " terminate callback not called; pool \"idl\": "
	    "idle, 0 jobs queued";
	char line[512];

	child_run(&ch, "scenario_pool_report", args, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch, _i == 0 ? "main returns\n"
	    "hook\n" : "main returns\n"
	    "hook\n"
	    "atexit: destroy 0\n");
	ck_assert_msg(err_line(&ch, "exeunt: shutdown deadline of ", line,
	    sizeof line) != NULL && strstr(line, "; 2 threads unfinished:") !=
	    NULL && err_line(&ch, "exeunt: action: proceed", line,
	    sizeof line) != NULL,
	    "no deadline report; stderr:\n%s", ch.err_buf);
	if (_i == 0) {
		assert_report_line(&ch, 2, "rep-1", busy);
		assert_report_line(&ch, 1, "rep-0", busy);
	} else {
		assert_report_line(&ch, 1, "idl-0", idle);
	}
}
END_TEST

Suite *
make_pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *cr = tcase_create("create");
	TCase *sb = tcase_create("submit");
	TCase *en = tcase_create("ending");
	TCase *pe = tcase_create("pending");
	TCase *sh = tcase_create("shutdown");
	TCase *ra = tcase_create("race");
	TCase *ex = tcase_create("exit");

	tcase_set_timeout(cr, UNIT_TIMEOUT);
	tcase_add_test(cr, create_errors);
	tcase_add_loop_test(cr, create_names_workers, 0, 3);
	tcase_add_test(cr, create_cuts_long_prefix);
	tcase_add_loop_test(cr, create_daemon_flag, 0,
	    (int)(sizeof daemon_cases / sizeof daemon_cases[0]));
	tcase_add_test(cr, create_uses_pthread_attr);
	tcase_add_test(cr, create_ignores_attr_terminate);
	tcase_add_test(cr, create_after_shutdown);
	tcase_add_test(cr, create_failure_leaves_nothing);
	tcase_add_test(cr, create_partial_failure_stops_started);
	suite_add_tcase(s, cr);

	tcase_set_timeout(sb, UNIT_TIMEOUT);
	tcase_add_test(sb, submit_errors);
	tcase_add_loop_test(sb, submit_fifo_one_worker, 0, 2);
	tcase_add_test(sb, submit_blocks_when_full);
	tcase_add_loop_test(sb, submit_after_shutdown, 0, 2);
	tcase_add_test(sb, submit_after_process_shutdown);
	tcase_add_loop_test(sb, submit_blocked_gets_eshutdown, 0, 2);
	suite_add_tcase(s, sb);

	tcase_set_timeout(en, UNIT_TIMEOUT);
	tcase_add_loop_test(en, cancel_in_order_in_applying_thread, 0, 2);
	tcase_add_test(en, cancel_null_drops_and_counts);
	tcase_add_test(en, callbacks_run_without_lock);
	tcase_add_test(en, stats_follow_each_stage);
	suite_add_tcase(s, en);

	tcase_set_timeout(pe, UNIT_TIMEOUT);
	tcase_add_test(pe, set_pending_errors);
	tcase_add_loop_test(pe, pending_explicit_argument_wins, 0, 2);
	tcase_add_loop_test(pe, pending_precedence, 0, 2 * NPRECEDENCE);
	tcase_add_test(pe, pending_env_read_once_when_needed);
	tcase_add_loop_test(pe, pending_default_after_env_read, 0, 2);
	tcase_add_test(pe, request_stop_closes_whole_pool);
	suite_add_tcase(s, pe);

	tcase_set_timeout(sh, UNIT_TIMEOUT);
	tcase_add_test(sh, shutdown_errors);
	tcase_add_loop_test(sh, shutdown_timeout, 0, 2);
	tcase_add_test(sh, shutdown_later_cancel);
	tcase_add_test(sh, shutdown_idempotent);
	tcase_add_loop_test(sh, shutdown_from_job_is_edeadlk, 0, 6);
	tcase_add_test(sh, destroy_from_job_is_edeadlk);
	tcase_add_test(sh, shutdown_other_pool_from_job);
	tcase_add_loop_test(sh, asgiref_deadlock_broken_by_timeout, 0, 2);
	suite_add_tcase(s, sh);

	tcase_set_timeout(ra, SCENARIO_TIMEOUT);
	tcase_add_test(ra, submit_races_shutdown);
	suite_add_tcase(s, ra);

	tcase_set_timeout(ex, SCENARIO_TIMEOUT);
	tcase_add_loop_test(ex, exit_drains_forgotten_pool, 0,
	    (int)(sizeof exit_cases / sizeof exit_cases[0]));
	tcase_add_loop_test(ex, exit_deadline_report_names_pool, 0, 2);
	suite_add_tcase(s, ex);
	return s;
}
