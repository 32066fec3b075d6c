/*
 * Helpers of the scenario programs: small processes that check_exit.c
 * runs and whose standard output and exit status it compares with what
 * the exit-time contract says.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Every event is one write(2) of one line to fd 1, so lines from several
 * threads never mix and nothing waits in a stdio buffer.  The only sleeps
 * are the bounded polls below; their deadlines scale with
 * CK_TIMEOUT_MULTIPLIER like Check's timeouts.
 */
#ifndef EXEUNT_SCENARIO_H
#define EXEUNT_SCENARIO_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#ifndef __cplusplus
#include <stdatomic.h>	/* C only: C++ has it from C++23 */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exeunt.h"

#define SC_DEADLINE_MS 10000

static inline void
say(const char *fmt, ...)
{
	char buf[512];
	size_t off = 0;
	ssize_t n;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof buf)
		len = (int)sizeof buf - 1;
	while (off < (size_t)len) {
		n = write(STDOUT_FILENO, buf + off, (size_t)len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		off += (size_t)n;
	}
}

static inline const char *
errname(int e)
{
	static char other[32];

	switch (e) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case EDEADLK: return "EDEADLK";
	case ESHUTDOWN: return "ESHUTDOWN";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EPERM: return "EPERM";
	case EEXIST: return "EEXIST";
	case ESRCH: return "ESRCH";
	case EBUSY: return "EBUSY";
	case ENOMEM: return "ENOMEM";
	case EAGAIN: return "EAGAIN";
	case EIO: return "EIO";
	default:
		snprintf(other, sizeof other, "error %d", e);
		return other;
	}
}

static inline const char *
phasename(enum exeunt_phase p)
{
	switch (p) {
	case EXEUNT_RUNNING: return "RUNNING";
	case EXEUNT_TERMINATING: return "TERMINATING";
	case EXEUNT_JOINING: return "JOINING";
	case EXEUNT_HOOKS: return "HOOKS";
	case EXEUNT_DONE: return "DONE";
	}
	return "?";
}

/* CK_TIMEOUT_MULTIPLIER, at least 1. */
static inline double
sc_scale(void)
{
	const char *s = getenv("CK_TIMEOUT_MULTIPLIER");
	double m = s != NULL ? strtod(s, NULL) : 1.0;

	return m >= 1.0 ? m : 1.0;
}

/* An absolute CLOCK_MONOTONIC time ms milliseconds (scaled) from now. */
static inline struct timespec
sc_deadline_ms(long ms)
{
	struct timespec ts;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns = (long long)((double)ms * sc_scale() * 1e6);
	ts.tv_sec += (time_t)(ns / 1000000000LL);
	ts.tv_nsec += (long)(ns % 1000000000LL);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/* The scenario's own deadline: SC_DEADLINE_MS (scaled) from now. */
static inline struct timespec
sc_deadline(void)
{
	return sc_deadline_ms(SC_DEADLINE_MS);
}

static inline int
sc_passed(const struct timespec *d)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > d->tv_sec ||
	    (now.tv_sec == d->tv_sec && now.tv_nsec >= d->tv_nsec);
}

static inline void
sc_pause(void)
{
	struct timespec ms = { 0, 1000000L };

	nanosleep(&ms, NULL);
}

/*
 * Waits until the shutdown is in phase p.  A worker calls it once told to
 * stop: it returns only while the coordinator is in its join phase, i.e.
 * waiting for this very thread, so whatever the worker prints next shows
 * that exit waited for it.  Prints and returns 0 if the phase never came.
 */
static inline int
await_phase(enum exeunt_phase p, const char *who)
{
	struct timespec d = sc_deadline();
	enum exeunt_phase now;

	while ((now = exeunt_phase()) != p) {
		if (sc_passed(&d) || now > p) {
			say("%s: phase %s, not %s\n", who, phasename(now),
			    phasename(p));
			return 0;
		}
		sc_pause();
	}
	return 1;
}

/*
 * A registered worker that waits for its stop request and says "worker
 * stops" once the join phase, which waits for it, has begun.
 */
static inline void *
worker_stops_in_join(void *arg)
{
	(void)arg;
	exeunt_wait_stop(NULL);
	/* After its terminate callback, which the shutdown calls after
	 * the stop request: stopping while the join waits for it. */
	if (await_phase(EXEUNT_JOINING, "worker"))
		say("worker stops\n");
	return NULL;
}

/* A worker's loop: ticks of work until it is told to stop. */
static inline void
work_until_stopped(void)
{
	const struct timespec tick = { 0, 5 * 1000000L };

	while (exeunt_wait_stop(&tick) == ETIMEDOUT)
		continue;
}

/* A one-shot event. */
struct sc_flag {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int set;
};
#define SC_FLAG_INIT { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 }

static inline void
flag_set(struct sc_flag *f)
{
	pthread_mutex_lock(&f->mu);
	f->set = 1;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

static inline void
flag_wait(struct sc_flag *f)
{
	pthread_mutex_lock(&f->mu);
	while (!f->set)
		pthread_cond_wait(&f->cv, &f->mu);
	pthread_mutex_unlock(&f->mu);
}

/* Reads /proc/self/task/<tid>/<file> into buf, NUL-terminated; 0 if the
 * thread is gone or the file cannot be read. */
static inline int
sc_read_task_file(pid_t tid, const char *file, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/self/task/%d/%s", (int)tid, file);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return 1;
}

/* The state letter of thread tid of this process, 0 if gone. */
static inline char
sc_thread_state(pid_t tid)
{
	char buf[512], *p;

	if (!sc_read_task_file(tid, "stat", buf, sizeof buf))
		return 0;
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' ? p[2] : 0;
}

/* Polls until thread tid sleeps; 1 if it did before the deadline. */
static inline int
await_sleeping(pid_t tid)
{
	struct timespec d = sc_deadline();

	while (sc_thread_state(tid) != 'S') {
		if (sc_passed(&d))
			return 0;
		sc_pause();
	}
	return 1;
}

/* C only: no <stdatomic.h> and no designated initializers in C++17. */
#ifndef __cplusplus
/*
 * Lets the thread tid, waiting on go, call exit: sets go, waits until it
 * has said so through calling, then until it is blocked in that exit.
 */
static inline void
release_into_exit(struct sc_flag *go, atomic_int *calling, pid_t tid,
    const char *who)
{
	struct timespec d = sc_deadline();

	flag_set(go);
	while (!atomic_load(calling) && !sc_passed(&d))
		sc_pause();
	if (!await_sleeping(tid))
		say("the %s never blocked\n", who);
}

static inline int
fd_is_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}
#endif /* !__cplusplus */

static inline void
hook_say(void *arg)
{
	say("hook %s\n", (const char *)arg);
}

static inline void
terminate_say(exeunt_thread_t *t, void *arg)
{
	(void)t;
	say("terminate %s\n", (const char *)arg);
}

/* Creates a thread or ends the scenario with status 100. */
static inline exeunt_thread_t *
sc_create(int daemon, exeunt_terminate_fn fn, void *fn_arg,
    void *(*start)(void *), void *arg)
{
	exeunt_attr_t a;
	exeunt_thread_t *t;
	int rc;

	exeunt_attr_init(&a);
	if (daemon >= 0)
		exeunt_attr_setdaemon(&a, daemon);
	if (fn != NULL)
		exeunt_attr_setterminate(&a, fn, fn_arg);
	rc = exeunt_thread_create(&t, &a, start, arg);
	exeunt_attr_destroy(&a);
	if (rc != 0) {
		say("exeunt_thread_create: %s\n", errname(rc));
		_exit(100);
	}
	return t;
}

/* Creates a thread with a name or ends the scenario with status 100. */
static inline exeunt_thread_t *
sc_create_named(const char *name, int daemon, exeunt_terminate_fn fn,
    void *fn_arg, void *(*start)(void *), void *arg)
{
	exeunt_attr_t a;
	exeunt_thread_t *t;
	int rc;

	exeunt_attr_init(&a);
	exeunt_attr_setname(&a, name);
	if (daemon >= 0)
		exeunt_attr_setdaemon(&a, daemon);
	if (fn != NULL)
		exeunt_attr_setterminate(&a, fn, fn_arg);
	rc = exeunt_thread_create(&t, &a, start, arg);
	exeunt_attr_destroy(&a);
	if (rc != 0) {
		say("exeunt_thread_create %s: %s\n", name, errname(rc));
		_exit(100);
	}
	return t;
}

/*
 * sc_create() or sc_create_named(), detached at once: exit waits for the
 * thread all the same, and no finished thread is left unjoined (which
 * ThreadSanitizer reports).
 */
static inline void
sc_start(int daemon, exeunt_terminate_fn fn, void *fn_arg,
    void *(*start)(void *), void *arg)
{
	exeunt_thread_detach(sc_create(daemon, fn, fn_arg, start, arg));
}

static inline void
sc_start_named(const char *name, int daemon, exeunt_terminate_fn fn,
    void *fn_arg, void *(*start)(void *), void *arg)
{
	exeunt_thread_detach(sc_create_named(name, daemon, fn, fn_arg, start,
	    arg));
}

/* Blocks the calling thread until the process ends. */
static inline void
sc_forever(void)
{
	for (;;)
		pause();
}

/* A start routine that waits for its stop request, then returns. */
static inline void *
sc_until_stopped(void *arg)
{
	(void)arg;
	exeunt_wait_stop(NULL);
	return NULL;
}

/* A terminate callback that says so and never returns. */
static inline void
sc_terminate_blocks(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	say("callback blocks\n");
	sc_forever();
}

/* Ends the scenario with status 100 if rc is an error. */
static inline void
sc_check(const char *what, int rc)
{
	if (rc != 0) {
		say("%s: %s\n", what, errname(rc));
		_exit(100);
	}
}

/* sc_start_named() in a shutdown stage; name NULL: the default name. */
static inline void
sc_start_staged(const char *name, int stage, int daemon,
    exeunt_terminate_fn fn, void *fn_arg, void *(*start)(void *), void *arg)
{
	exeunt_attr_t a;
	exeunt_thread_t *t;

	exeunt_attr_init(&a);
	if (name != NULL)
		exeunt_attr_setname(&a, name);
	sc_check("exeunt_attr_setstage", exeunt_attr_setstage(&a, stage));
	if (daemon >= 0)
		exeunt_attr_setdaemon(&a, daemon);
	if (fn != NULL)
		exeunt_attr_setterminate(&a, fn, fn_arg);
	sc_check("exeunt_thread_create", exeunt_thread_create(&t, &a, start,
	    arg));
	exeunt_attr_destroy(&a);
	exeunt_thread_detach(t);
}

/* Waits on cv, under mu, for a broadcast or ms milliseconds at most:
 * the bound on how late a change that is not broadcast is noticed. */
static inline void
sc_cond_tick(pthread_cond_t *cv, pthread_mutex_t *mu, long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_cond_timedwait(cv, mu, &ts);
}

/* A counter that threads can wait to reach a value. */
struct sc_count {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int n;
};
#define SC_COUNT_INIT { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 }

static inline void
count_up(struct sc_count *c)
{
	pthread_mutex_lock(&c->mu);
	c->n++;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

static inline void
count_wait(struct sc_count *c, int n)
{
	pthread_mutex_lock(&c->mu);
	while (c->n < n)
		pthread_cond_wait(&c->cv, &c->mu);
	pthread_mutex_unlock(&c->mu);
}

/*
 * Waits up to ms (scaled) for the child pid to end; 1 if it did, with its
 * status, else 0 (it is killed then, so that the scenario can say which
 * child hung before the test kills the scenario).
 */
static inline int
sc_reap(pid_t pid, long ms, int *status)
{
	struct timespec d = sc_deadline_ms(ms);
	pid_t w;

	while ((w = waitpid(pid, status, WNOHANG)) == 0) {
		if (sc_passed(&d)) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			return 0;
		}
		sc_pause();
	}
	return w == pid;
}

#endif /* EXEUNT_SCENARIO_H */
