/*
 * Stop requests: exeunt_thread_request_stop(3), exeunt_stop_requested(3),
 * exeunt_stop_fd(3), exeunt_wait_stop(3) and terminate callbacks.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "tests.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct timespec zero_timeout = { 0, 0 };

/* 1 if fd is readable right now. */
static int
fd_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

START_TEST(request_stop_null_is_einval)
{
	ck_assert_int_eq(exeunt_thread_request_stop(NULL), EINVAL);
}
END_TEST

struct waiter {
	struct gate ready;
	atomic_int returned;
	pid_t tid;
	int flag_before;
	int poll_before;
	int rc;
	int flag_after;
};

static void
waiter_init(struct waiter *w)
{
	memset(w, 0, sizeof *w);
	gate_init(&w->ready);
	w->flag_before = w->poll_before = w->rc = w->flag_after = -1;
}

static void *
start_waiter(void *arg)
{
	struct waiter *w = arg;

	w->flag_before = exeunt_stop_requested();
	w->poll_before = exeunt_wait_stop(&zero_timeout);
	w->tid = test_gettid();
	/* From here on the only thing this thread does is wait. */
	gate_open(&w->ready);
	w->rc = exeunt_wait_stop(NULL);
	atomic_store(&w->returned, 1);
	w->flag_after = exeunt_stop_requested();
	return w;
}

/* A stop request sets the flag and wakes a thread blocked in wait_stop. */
START_TEST(request_stop_wakes_wait_stop)
{
	struct waiter w;
	exeunt_thread_t *t;

	waiter_init(&w);
	t = create_or_fail(NULL, start_waiter, &w);
	gate_wait(&w.ready);
	ck_assert_msg(wait_until_sleeping(w.tid),
	    "thread never blocked in exeunt_wait_stop");
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	ck_assert_ptr_eq(join_or_fail(t), &w);
	ck_assert_int_eq(w.flag_before, 0);
	ck_assert_int_eq(w.poll_before, ETIMEDOUT);
	ck_assert_int_eq(w.rc, 0);
	ck_assert_int_eq(w.flag_after, 1);
}
END_TEST

struct late {
	struct gate go;
	int rc_null, rc_zero, rc_long, flag;
};

static void *
start_late_waiter(void *arg)
{
	static const struct timespec hour = { 3600, 0 };
	struct late *l = arg;

	gate_wait(&l->go);
	l->flag = exeunt_stop_requested();
	l->rc_zero = exeunt_wait_stop(&zero_timeout);
	l->rc_long = exeunt_wait_stop(&hour);
	l->rc_null = exeunt_wait_stop(NULL);
	return l;
}

/* Requested before the thread waits: every wait returns 0 at once. */
START_TEST(wait_stop_after_request_returns_at_once)
{
	struct late l;
	exeunt_thread_t *t;

	memset(&l, 0, sizeof l);
	l.rc_null = l.rc_zero = l.rc_long = l.flag = -1;
	gate_init(&l.go);
	t = create_or_fail(NULL, start_late_waiter, &l);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	gate_open(&l.go);
	join_or_fail(t);
	ck_assert_int_eq(l.flag, 1);
	ck_assert_int_eq(l.rc_zero, 0);
	ck_assert_int_eq(l.rc_long, 0);
	ck_assert_int_eq(l.rc_null, 0);
}
END_TEST

struct timed {
	int rc_zero, rc_short;
	double waited_ms;
};

static void
timed_waits(struct timed *tw)
{
	const struct timespec short_timeout = { 0, 60 * 1000000L };
	struct timespec start;

	tw->rc_zero = exeunt_wait_stop(&zero_timeout);
	clock_gettime(CLOCK_MONOTONIC, &start);
	tw->rc_short = exeunt_wait_stop(&short_timeout);
	tw->waited_ms = elapsed_ms(&start);
}

static void *
start_timed(void *arg)
{
	timed_waits(arg);
	return arg;
}

/* No stop: a timed wait returns ETIMEDOUT, and not before its time. */
START_TEST(wait_stop_times_out)
{
	struct timed mine, theirs;
	exeunt_thread_t *t;

	/* Unregistered thread, no shutdown. */
	timed_waits(&mine);
	ck_assert_int_eq(mine.rc_zero, ETIMEDOUT);
	ck_assert_int_eq(mine.rc_short, ETIMEDOUT);
	ck_assert_msg(mine.waited_ms >= 59.0, "waited only %.3f ms",
	    mine.waited_ms);

	/* Registered thread, no request. */
	t = create_or_fail(NULL, start_timed, &theirs);
	join_or_fail(t);
	ck_assert_int_eq(theirs.rc_zero, ETIMEDOUT);
	ck_assert_int_eq(theirs.rc_short, ETIMEDOUT);
	ck_assert_msg(theirs.waited_ms >= 59.0, "waited only %.3f ms",
	    theirs.waited_ms);
}
END_TEST

static int
bad_timeouts(void)
{
	const struct timespec bad[] = {
		{ 0, -1 }, { 0, 1000000000L }, { -1, 0 }, { -1, 500 },
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rc = exeunt_wait_stop(&bad[i]);
		if (rc != EINVAL)
			return (int)i * 1000 + rc;
	}
	return 0;
}

static void *
start_bad_timeouts(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)bad_timeouts();
}

START_TEST(wait_stop_bad_timeout_is_einval)
{
	exeunt_thread_t *t;

	ck_assert_int_eq(bad_timeouts(), 0);
	t = create_or_fail(NULL, start_bad_timeouts, NULL);
	ck_assert_int_eq((int)(intptr_t)join_or_fail(t), 0);
}
END_TEST

static sem_t signal_seen;

static void
on_sigusr1(int sig)
{
	(void)sig;
	sem_post(&signal_seen);
}

/* A signal handled while blocked in wait_stop does not end the wait. */
START_TEST(wait_stop_ignores_signals)
{
	struct sigaction sa;
	struct waiter w;
	exeunt_thread_t *t;
	int i;

	ck_assert_int_eq(sem_init(&signal_seen, 0, 0), 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigusr1;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: EINTR would show */
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);

	waiter_init(&w);
	t = create_or_fail(NULL, start_waiter, &w);
	gate_wait(&w.ready);
	for (i = 0; i < 3; i++) {
		ck_assert_msg(wait_until_sleeping(w.tid),
		    "round %d: thread not blocked in exeunt_wait_stop", i);
		ck_assert_int_eq(atomic_load(&w.returned), 0);
		ck_assert_int_eq(pthread_kill(exeunt_thread_pthread(t),
		    SIGUSR1), 0);
		while (sem_wait(&signal_seen) != 0)
			continue;
	}
	/* After the last handler: back asleep in the wait, not returned. */
	ck_assert_msg(wait_until_sleeping(w.tid),
	    "exeunt_wait_stop returned after a signal");
	ck_assert_int_eq(atomic_load(&w.returned), 0);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	join_or_fail(t);
	ck_assert_int_eq(w.rc, 0);
	ck_assert_int_eq(w.flag_after, 1);
}
END_TEST

struct fd_probe {
	struct gate ready;
	struct gate go;
	pid_t tid;
	int fd, fd_again;
	int readable_before;
	int cloexec, nonblock;
	char link[64];
	int poll_rc;
	short revents;
	int readable_after;
	int wait_rc;
};

static void
fd_probe_init(struct fd_probe *p)
{
	memset(p, 0, sizeof *p);
	gate_init(&p->ready);
	gate_init(&p->go);
	p->fd = p->fd_again = p->readable_before = p->poll_rc = -1;
	p->readable_after = p->wait_rc = -1;
}

static void
describe_fd(struct fd_probe *p)
{
	char path[64];
	ssize_t n;
	int fl;

	fl = fcntl(p->fd, F_GETFD);
	p->cloexec = fl != -1 && (fl & FD_CLOEXEC) != 0;
	fl = fcntl(p->fd, F_GETFL);
	p->nonblock = fl != -1 && (fl & O_NONBLOCK) != 0;
	snprintf(path, sizeof path, "/proc/self/fd/%d", p->fd);
	n = readlink(path, p->link, sizeof p->link - 1);
	p->link[n > 0 ? n : 0] = '\0';
}

static void *
start_fd_probe(void *arg)
{
	struct fd_probe *p = arg;
	struct pollfd pfd;

	p->fd = exeunt_stop_fd();
	p->fd_again = exeunt_stop_fd();
	p->readable_before = fd_readable(p->fd);
	describe_fd(p);
	p->tid = test_gettid();
	gate_open(&p->ready);
	pfd.fd = p->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	p->poll_rc = poll(&pfd, 1, -1);
	p->revents = pfd.revents;
	/* It stays readable. */
	p->readable_after = fd_readable(p->fd);
	p->wait_rc = exeunt_wait_stop(&zero_timeout);
	/* Stay until the test has looked at the fd. */
	gate_wait(&p->go);
	return p;
}

/*
 * Each registered thread has its own stop fd (an eventfd, close-on-exec,
 * nonblocking) that becomes readable on its stop request only; the
 * process-wide fd of unregistered threads is another one.
 */
START_TEST(stop_fd_registered)
{
	struct fd_probe a, b;
	exeunt_thread_t *ta, *tb;
	int pfd;

	fd_probe_init(&a);
	fd_probe_init(&b);
	ta = create_or_fail(NULL, start_fd_probe, &a);
	tb = create_or_fail(NULL, start_fd_probe, &b);
	gate_wait(&a.ready);
	gate_wait(&b.ready);
	pfd = exeunt_stop_fd();
	ck_assert_int_ge(pfd, 0);
	ck_assert_int_ge(a.fd, 0);
	ck_assert_int_ge(b.fd, 0);
	ck_assert_int_eq(a.fd_again, a.fd);
	ck_assert_int_eq(b.fd_again, b.fd);
	ck_assert_int_ne(a.fd, b.fd);
	ck_assert_int_ne(a.fd, pfd);
	ck_assert_int_ne(b.fd, pfd);
	ck_assert_int_eq(a.readable_before, 0);
	ck_assert_int_eq(a.cloexec, 1);
	ck_assert_int_eq(a.nonblock, 1);
	ck_assert_str_eq(a.link, "anon_inode:[eventfd]");

	ck_assert_msg(wait_until_sleeping(a.tid), "a never blocked in poll");
	ck_assert_int_eq(exeunt_thread_request_stop(ta), 0);
	/* Readable when request_stop returns; b's and the process-wide fd
	 * stay quiet. */
	ck_assert_int_eq(fd_readable(a.fd), 1);
	ck_assert_int_eq(fd_readable(b.fd), 0);
	ck_assert_int_eq(fd_readable(pfd), 0);
	ck_assert_int_eq(exeunt_stop_requested(), 0);
	gate_open(&a.go);
	join_or_fail(ta);
	ck_assert_int_eq(a.poll_rc, 1);
	ck_assert(a.revents & POLLIN);
	ck_assert_int_eq(a.readable_after, 1);
	ck_assert_int_eq(a.wait_rc, 0);

	ck_assert_int_eq(exeunt_thread_request_stop(tb), 0);
	gate_open(&b.go);
	join_or_fail(tb);
	ck_assert_int_eq(b.poll_rc, 1);
	ck_assert_int_eq(b.readable_after, 1);
}
END_TEST

static void *
start_fd_after_request(void *arg)
{
	struct fd_probe *p = arg;

	gate_wait(&p->go);
	p->fd = exeunt_stop_fd();
	p->readable_after = p->fd >= 0 ? fd_readable(p->fd) : -1;
	return p;
}

struct woken_fd {
	struct gate ready;
	pid_t tid;
	int fd;
	int rc;
	int readable;
};

/* Pins the calling thread to the n-th CPU it may use, if there is one. */
static void
pin_to_nth_cpu(int n)
{
	cpu_set_t mine, one;
	int cpu, seen = 0;

	if (pthread_getaffinity_np(pthread_self(), sizeof mine, &mine) != 0)
		return;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (CPU_ISSET(cpu, &mine) && seen++ == n) {
			CPU_ZERO(&one);
			CPU_SET(cpu, &one);
			pthread_setaffinity_np(pthread_self(), sizeof one, &one);
			return;
		}
	}
}

static void *
start_woken_fd(void *arg)
{
	struct woken_fd *w = arg;

	pin_to_nth_cpu(1);
	w->fd = exeunt_stop_fd();
	w->tid = test_gettid();
	gate_open(&w->ready);
	w->rc = exeunt_wait_stop(NULL);
	w->readable = fd_readable(w->fd);
	return w;
}

/*
 * A request makes the fd readable before it wakes the waiter: a thread
 * woken from exeunt_wait_stop() finds its fd readable.  A window between
 * the two would be short: with the requester and the waiter on two CPUs
 * (when there are two) the waiter runs at once, and many rounds make it
 * show.
 */
#define WOKEN_ROUNDS 200
START_TEST(stop_fd_readable_when_woken)
{
	struct woken_fd w;
	exeunt_thread_t *t;
	int round, late = 0;

	pin_to_nth_cpu(0);
	for (round = 0; round < WOKEN_ROUNDS; round++) {
		memset(&w, 0, sizeof w);
		gate_init(&w.ready);
		w.rc = w.readable = -1;
		t = create_or_fail(NULL, start_woken_fd, &w);
		gate_wait(&w.ready);
		ck_assert(wait_until_sleeping(w.tid));
		ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
		join_or_fail(t);
		ck_assert_int_eq(w.rc, 0);
		if (w.readable != 1)
			late++;
	}
	ck_assert_msg(late == 0, "%d of %d woken threads found their stop fd "
	    "not yet readable", late, WOKEN_ROUNDS);
}
END_TEST

struct polled_fd {
	struct gate ready;
	pid_t tid;
	int fd;
	int poll_rc;
	int flag;
};

static void *
start_polled_fd(void *arg)
{
	struct polled_fd *p = arg;
	struct pollfd pfd;

	pin_to_nth_cpu(1);
	p->fd = exeunt_stop_fd();
	p->tid = test_gettid();
	gate_open(&p->ready);
	pfd.fd = p->fd;
	pfd.events = POLLIN;
	p->poll_rc = poll(&pfd, 1, -1);
	p->flag = exeunt_stop_requested();
	return p;
}

/*
 * The flag is set before the fd is made readable: a thread woken by its
 * stop fd finds exeunt_stop_requested() true.  Same method as above.
 */
START_TEST(stop_flag_set_when_fd_readable)
{
	struct polled_fd p;
	exeunt_thread_t *t;
	int round, early = 0;

	pin_to_nth_cpu(0);
	for (round = 0; round < WOKEN_ROUNDS; round++) {
		memset(&p, 0, sizeof p);
		gate_init(&p.ready);
		p.poll_rc = p.flag = -1;
		t = create_or_fail(NULL, start_polled_fd, &p);
		gate_wait(&p.ready);
		ck_assert(wait_until_sleeping(p.tid));
		ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
		join_or_fail(t);
		ck_assert_int_eq(p.poll_rc, 1);
		if (p.flag != 1)
			early++;
	}
	ck_assert_msg(early == 0, "%d of %d threads woken by their stop fd "
	    "found exeunt_stop_requested() still 0", early, WOKEN_ROUNDS);
}
END_TEST

/* Made after the request, the fd is readable from the start; it is
 * closed once the joined thread's record is freed. */
START_TEST(stop_fd_late_and_closed_after_join)
{
	struct fd_probe p;
	exeunt_thread_t *t;

	fd_probe_init(&p);
	t = create_or_fail(NULL, start_fd_after_request, &p);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	gate_open(&p.go);
	join_or_fail(t);
	ck_assert_int_ge(p.fd, 0);
	ck_assert_int_eq(p.readable_after, 1);
	errno = 0;
	ck_assert_int_eq(fcntl(p.fd, F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

struct unreg {
	struct gate ready;
	pid_t tid;
	int fd;
	int poll_rc;
	int wait_rc;
	int flag;
	int use_wait;
};

static void *
start_unregistered(void *arg)
{
	struct unreg *u = arg;
	struct pollfd pfd;

	/* Away from the CPU of the shutdown, to run as soon as woken. */
	pin_to_nth_cpu(1);
	u->fd = exeunt_stop_fd();
	u->tid = test_gettid();
	gate_open(&u->ready);
	if (u->use_wait) {
		u->wait_rc = exeunt_wait_stop(NULL);
	} else {
		pfd.fd = u->fd;
		pfd.events = POLLIN;
		u->poll_rc = poll(&pfd, 1, -1);
	}
	u->flag = exeunt_stop_requested();
	return u;
}

/*
 * Unregistered threads share one process-wide fd and flag: quiet while
 * the process runs, fired by exeunt_shutdown(), waking blocked waiters.
 */
START_TEST(stop_unregistered_fires_at_shutdown)
{
	struct unreg by_poll, by_wait;
	exeunt_thread_t *t;
	pthread_t r1, r2;
	int fd;

	fd = exeunt_stop_fd();
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(exeunt_stop_fd(), fd);
	ck_assert_int_eq(exeunt_stop_requested(), 0);
	ck_assert_int_eq(exeunt_wait_stop(&zero_timeout), ETIMEDOUT);
	ck_assert_int_eq(fd_readable(fd), 0);

	/* A stop request of a registered thread does not touch them. */
	t = create_or_fail(NULL, start_wait_stop, NULL);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	join_or_fail(t);
	ck_assert_int_eq(exeunt_stop_requested(), 0);
	ck_assert_int_eq(fd_readable(fd), 0);

	memset(&by_poll, 0, sizeof by_poll);
	memset(&by_wait, 0, sizeof by_wait);
	gate_init(&by_poll.ready);
	gate_init(&by_wait.ready);
	by_poll.poll_rc = by_poll.wait_rc = by_wait.poll_rc = -1;
	by_wait.wait_rc = by_poll.flag = by_wait.flag = -1;
	by_wait.use_wait = 1;
	r1 = start_raw(start_unregistered, &by_poll);
	r2 = start_raw(start_unregistered, &by_wait);
	gate_wait(&by_poll.ready);
	gate_wait(&by_wait.ready);
	ck_assert_int_eq(by_poll.fd, fd);
	ck_assert_int_eq(by_wait.fd, fd);
	ck_assert(wait_until_sleeping(by_poll.tid));
	ck_assert(wait_until_sleeping(by_wait.tid));

	pin_to_nth_cpu(0);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	join_raw(r1);
	join_raw(r2);
	ck_assert_int_eq(by_poll.poll_rc, 1);
	ck_assert_int_eq(by_poll.flag, 1);
	ck_assert_int_eq(by_wait.wait_rc, 0);
	ck_assert_int_eq(by_wait.flag, 1);
	ck_assert_int_eq(exeunt_stop_requested(), 1);
	ck_assert_int_eq(exeunt_wait_stop(NULL), 0);
	ck_assert_int_eq(fd_readable(fd), 1);
	/* Never closed. */
	ck_assert_int_ne(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(exeunt_stop_fd(), fd);
}
END_TEST

struct cb_log {
	atomic_int calls;
	atomic_int done;
	pthread_t caller;
	unsigned long long seq;
	void *arg;
};

static void
counting_terminate(exeunt_thread_t *t, void *arg)
{
	struct cb_log *log = arg;

	log->caller = pthread_self();
	log->seq = exeunt_thread_seq(t);
	log->arg = arg;
	atomic_fetch_add(&log->calls, 1);
	atomic_store(&log->done, 1);
}

/*
 * The callback runs in the requesting thread, before request_stop
 * returns, and at most once ever: not again for a second request nor in
 * the shutdown's terminate phase.
 */
START_TEST(callback_once_in_caller)
{
	struct cb_log log;
	exeunt_attr_t a;
	exeunt_thread_t *t;
	unsigned long long seq;

	memset(&log, 0, sizeof log);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(&a, counting_terminate, &log),
	    0);
	t = create_or_fail(&a, start_wait_stop, NULL);
	seq = exeunt_thread_seq(t);
	ck_assert_int_eq(atomic_load(&log.calls), 0);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	ck_assert_int_eq(atomic_load(&log.done), 1);
	ck_assert_int_eq(atomic_load(&log.calls), 1);
	ck_assert(pthread_equal(log.caller, pthread_self()));
	ck_assert_uint_eq(log.seq, seq);
	ck_assert_ptr_eq(log.arg, &log);
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	ck_assert_int_eq(atomic_load(&log.calls), 1);
	/* Not joined yet: the thread may or may not have finished; the
	 * shutdown must not call the callback again either way. */
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq(atomic_load(&log.calls), 1);
	join_or_fail(t);
	ck_assert_int_eq(atomic_load(&log.calls), 1);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
}
END_TEST

/* A finished (not yet joined) thread's callback is not called. */
START_TEST(callback_not_called_after_finish)
{
	struct cb_log log;
	exeunt_attr_t a;
	exeunt_thread_t *t;
	int x;

	memset(&log, 0, sizeof log);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(&a, counting_terminate, &log),
	    0);
	t = create_or_fail(&a, start_return_arg, &x);
	ck_assert_msg(wait_count(0), "the thread never finished");
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	ck_assert_int_eq(atomic_load(&log.calls), 0);
	ck_assert_ptr_eq(join_or_fail(t), &x);
	ck_assert_int_eq(atomic_load(&log.calls), 0);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
}
END_TEST

static int
visit_count(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(*(int *)arg)++;
	return 0;
}

struct nolock {
	exeunt_thread_t *self;
	exeunt_thread_t *other;
	struct cb_log other_log;
	atomic_int calls;
	size_t count;
	int visited, foreach_rc;
	int again_rc, other_rc;
	int create_rc, join_rc;
	void *joined;
	int phase;
	char name[EXEUNT_NAME_MAX + 1];
};

/*
 * A terminate callback that uses the library: if any library lock were
 * held while it runs, one of these calls would deadlock.
 */
static void
busy_terminate(exeunt_thread_t *t, void *arg)
{
	struct nolock *n = arg;
	exeunt_thread_t *helper = NULL;
	int x = 0;

	atomic_fetch_add(&n->calls, 1);
	n->count = exeunt_count();
	n->foreach_rc = exeunt_foreach(visit_count, &n->visited);
	n->again_rc = exeunt_thread_request_stop(t);
	n->other_rc = exeunt_thread_request_stop(n->other);
	snprintf(n->name, sizeof n->name, "%s", exeunt_thread_name(t));
	n->phase = (int)exeunt_phase();
	n->create_rc = exeunt_thread_create(&helper, NULL, start_return_arg, &x);
	if (n->create_rc == 0) {
		n->join_rc = exeunt_thread_join(helper, &n->joined);
		n->joined = n->joined == &x ? n : NULL;
	}
}

START_TEST(callback_runs_without_lock)
{
	struct nolock n;
	exeunt_attr_t a;
	exeunt_thread_t *t;

	memset(&n, 0, sizeof n);
	n.join_rc = -1;
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(&a, counting_terminate,
	    &n.other_log), 0);
	n.other = create_or_fail(&a, start_wait_stop, NULL);
	ck_assert_int_eq(exeunt_attr_setname(&a, "busy"), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(&a, busy_terminate, &n), 0);
	t = create_or_fail(&a, start_wait_stop, NULL);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);

	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	ck_assert_int_eq(atomic_load(&n.calls), 1);
	/* Both threads are held by their handles; t's own request sets its
	 * flag but it may finish before the count: 1 or 2 then. */
	ck_assert_uint_ge(n.count, 1);
	ck_assert_uint_le(n.count, 2);
	ck_assert_int_eq(n.foreach_rc, 0);
	ck_assert_int_ge(n.visited, 1);
	ck_assert_int_eq(n.again_rc, 0);
	ck_assert_int_eq(n.other_rc, 0);
	ck_assert_int_eq(atomic_load(&n.other_log.calls), 1);
	ck_assert_str_eq(n.name, "busy");
	ck_assert_int_eq(n.phase, EXEUNT_RUNNING);
	ck_assert_int_eq(n.create_rc, 0);
	ck_assert_int_eq(n.join_rc, 0);
	ck_assert_ptr_eq(n.joined, &n);
	join_or_fail(t);
	join_or_fail(n.other);
	ck_assert_int_eq(atomic_load(&n.calls), 1);
}
END_TEST

struct slow_cb {
	struct gate entered;
	struct gate release;
	atomic_int calls;
	exeunt_thread_t *t;
	int rc;
};

static void
slow_terminate(exeunt_thread_t *t, void *arg)
{
	struct slow_cb *s = arg;

	(void)t;
	atomic_fetch_add(&s->calls, 1);
	gate_open(&s->entered);
	gate_wait(&s->release);
}

static void *
start_requester(void *arg)
{
	struct slow_cb *s = arg;

	s->rc = exeunt_thread_request_stop(s->t);
	return NULL;
}

/*
 * While the callback runs in one thread, another request returns without
 * waiting for it (if it waited, this test would deadlock: only the test
 * thread lets the callback finish).
 */
START_TEST(callback_running_elsewhere_not_waited)
{
	struct slow_cb s;
	exeunt_attr_t a;
	pthread_t r;

	memset(&s, 0, sizeof s);
	s.rc = -1;
	gate_init(&s.entered);
	gate_init(&s.release);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(&a, slow_terminate, &s), 0);
	s.t = create_or_fail(&a, start_wait_stop, NULL);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);

	r = start_raw(start_requester, &s);
	gate_wait(&s.entered);
	ck_assert_int_eq(exeunt_thread_request_stop(s.t), 0);
	ck_assert_int_eq(atomic_load(&s.calls), 1);
	ck_assert_int_eq(s.rc, -1);
	gate_open(&s.release);
	join_raw(r);
	ck_assert_int_eq(s.rc, 0);
	join_or_fail(s.t);
	ck_assert_int_eq(atomic_load(&s.calls), 1);
}
END_TEST

struct pair {
	struct gate ready;
	struct gate check;
	struct gate checked;
	int flag_at_check;
	int wait_at_check;
	int wait_rc;
};

static void *
start_pair_member(void *arg)
{
	struct pair *p = arg;

	gate_open(&p->ready);
	gate_wait(&p->check);
	p->flag_at_check = exeunt_stop_requested();
	p->wait_at_check = exeunt_wait_stop(&zero_timeout);
	gate_open(&p->checked);
	p->wait_rc = exeunt_wait_stop(NULL);
	return p;
}

/* A stop request is for one thread only. */
START_TEST(stop_is_per_thread)
{
	struct pair p1, p2;
	exeunt_thread_t *t1, *t2;

	memset(&p1, 0, sizeof p1);
	memset(&p2, 0, sizeof p2);
	gate_init(&p1.ready);
	gate_init(&p1.check);
	gate_init(&p2.ready);
	gate_init(&p2.check);
	gate_init(&p1.checked);
	gate_init(&p2.checked);
	t1 = create_or_fail(NULL, start_pair_member, &p1);
	t2 = create_or_fail(NULL, start_pair_member, &p2);
	gate_wait(&p1.ready);
	gate_wait(&p2.ready);
	ck_assert_int_eq(exeunt_thread_request_stop(t1), 0);
	gate_open(&p1.check);
	gate_open(&p2.check);
	join_or_fail(t1);
	ck_assert_int_eq(p1.flag_at_check, 1);
	ck_assert_int_eq(p1.wait_at_check, 0);
	ck_assert_int_eq(p1.wait_rc, 0);
	/* t2 was not asked: its flag is clear; now ask it. */
	gate_wait(&p2.checked);
	ck_assert_int_eq(exeunt_thread_request_stop(t2), 0);
	join_or_fail(t2);
	ck_assert_int_eq(p2.flag_at_check, 0);
	ck_assert_int_eq(p2.wait_at_check, ETIMEDOUT);
	ck_assert_int_eq(p2.wait_rc, 0);
}
END_TEST

Suite *
make_stop_suite(void)
{
	Suite *s = suite_create("stop");
	TCase *req = tcase_create("request");
	TCase *fd = tcase_create("fd");
	TCase *cb = tcase_create("callback");

	tcase_set_timeout(req, UNIT_TIMEOUT);
	tcase_add_test(req, request_stop_null_is_einval);
	tcase_add_test(req, request_stop_wakes_wait_stop);
	tcase_add_test(req, wait_stop_after_request_returns_at_once);
	tcase_add_test(req, wait_stop_times_out);
	tcase_add_test(req, wait_stop_bad_timeout_is_einval);
	tcase_add_test(req, wait_stop_ignores_signals);
	tcase_add_test(req, stop_is_per_thread);
	suite_add_tcase(s, req);

	tcase_set_timeout(fd, UNIT_TIMEOUT);
	tcase_add_test(fd, stop_fd_registered);
	tcase_add_test(fd, stop_fd_readable_when_woken);
	tcase_add_test(fd, stop_flag_set_when_fd_readable);
	tcase_add_test(fd, stop_fd_late_and_closed_after_join);
	tcase_add_test(fd, stop_unregistered_fires_at_shutdown);
	suite_add_tcase(s, fd);

	tcase_set_timeout(cb, UNIT_TIMEOUT);
	tcase_add_test(cb, callback_once_in_caller);
	tcase_add_test(cb, callback_not_called_after_finish);
	tcase_add_test(cb, callback_runs_without_lock);
	tcase_add_test(cb, callback_running_elsewhere_not_waited);
	suite_add_tcase(s, cb);
	return s;
}
