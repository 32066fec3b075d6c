/*
 * The shutdown deadline: exeunt_set_timeout(), EXEUNT_TIMEOUT and
 * EXEUNT_ON_TIMEOUT, the watchdog and the report of who is late.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * The deadline covers the terminate and join phases.  A watchdog thread,
 * started with the shutdown, keeps it even while a terminate callback
 * blocks the coordinator; the join phase keeps it too, in case no
 * watchdog could be started.  Whichever sees the deadline pass first
 * makes the report and carries out the action, once.
 */
#include "internal.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Guarded by the library lock. */
static struct {
	int by_call;		/* exeunt_set_timeout() was called */
	int env_read;
	int has_limit;
	struct timespec limit;
	enum exeunt_overrun action;
	int armed;		/* the running shutdown has a deadline */
	int late_at_once;	/* a zero limit, and something to wait for */
	int ending;		/* reported, and the action ends the process */
	struct timespec deadline;
} dl = { .action = EXEUNT_OVERRUN_PROCEED };

static const char *const action_name[] = {
	"wait", "proceed", "exit", "abort",
};

int
exeunt_set_timeout(const struct timespec *limit, enum exeunt_overrun action)
{
	if (limit != NULL && exeunt__ts_check(limit) != 0)
		return EINVAL;
	if ((unsigned)action > EXEUNT_OVERRUN_ABORT)
		return EINVAL;
	exeunt__lock();
	if (exeunt__sd.state == EXEUNT__SHUT_RUNNING) {
		exeunt__unlock();
		return EBUSY;
	}
	dl.by_call = 1;
	dl.has_limit = limit != NULL;
	if (limit != NULL)
		dl.limit = *limit;
	dl.action = action;
	exeunt__unlock();
	return 0;
}

/*
 * "250ms", "2s", "1.5": a non-negative decimal number of seconds, or of
 * milliseconds with "ms".  Returns 0 and the duration, or -1.
 */
static int
parse_duration(const char *s, struct timespec *out)
{
	unsigned long long whole = 0, frac = 0, scale = 1000000000ULL;
	unsigned long long ns, unit;
	int digits = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (whole > 1000000000ULL)
			return -1;
		whole = whole * 10 + (unsigned)(*s - '0');
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, digits++) {
			if (scale > 1) {
				scale /= 10;
				frac += (unsigned)(*s - '0') * scale;
			}
		}
	}
	if (digits == 0)
		return -1;
	if (strcmp(s, "ms") == 0)
		unit = 1000000ULL;
	else if (strcmp(s, "s") == 0 || *s == '\0')
		unit = 1000000000ULL;
	else
		return -1;
	/* whole * unit + frac * unit / 1e9, in nanoseconds. */
	ns = frac / (1000000000ULL / unit);
	out->tv_sec = (time_t)(whole * unit / 1000000000ULL);
	ns += whole * unit % 1000000000ULL;
	out->tv_sec += (time_t)(ns / 1000000000ULL);
	out->tv_nsec = (long)(ns % 1000000000ULL);
	return 0;
}

/* Read EXEUNT_TIMEOUT and EXEUNT_ON_TIMEOUT; the caller holds the lock. */
static void
read_environment_locked(void)
{
	const char *timeout, *action;
	struct timespec limit;
	unsigned i;

	dl.env_read = 1;
	timeout = secure_getenv("EXEUNT_TIMEOUT");
	action = secure_getenv("EXEUNT_ON_TIMEOUT");
	/* An empty variable counts as unset. */
	if (timeout == NULL || *timeout == '\0')
		return;
	if (parse_duration(timeout, &limit) != 0) {
		exeunt__say("ignoring EXEUNT_TIMEOUT=\"%s\" (not a duration "
		    "such as 250ms, 2s or 1.5); keeping no deadline", timeout);
		return;
	}
	dl.has_limit = 1;
	dl.limit = limit;
	dl.action = EXEUNT_OVERRUN_PROCEED;
	if (action == NULL || *action == '\0')
		return;
	for (i = 0; i < sizeof(action_name) / sizeof(action_name[0]); i++) {
		if (strcmp(action, action_name[i]) == 0) {
			dl.action = (enum exeunt_overrun)i;
			return;
		}
	}
	exeunt__say("ignoring EXEUNT_ON_TIMEOUT=\"%s\" (not wait, proceed, "
	    "exit or abort); keeping proceed", action);
}

static void *
watchdog(void *arg)
{
	int late = 0;

	(void)arg;
	exeunt__lock();
	while (exeunt__sd.state == EXEUNT__SHUT_RUNNING &&
	    atomic_load(&exeunt__reg.phase) < EXEUNT_HOOKS &&
	    !exeunt__sd.reported) {
		if (exeunt__cond_wait_until(&exeunt__reg.cond,
		    &exeunt__reg.lock, &dl.deadline) == ETIMEDOUT) {
			late = 1;
			break;
		}
	}
	exeunt__unlock();
	if (late)
		exeunt__overrun();
	return NULL;
}

/*
 * With a zero limit the deadline has passed as the shutdown begins, so
 * whether it is late is decided now, under the lock, and not by a race
 * with the threads: it is late if it has anything to wait for, that is a
 * registered thread other than the caller that has not finished and is
 * not a daemon (the join phase waits for it) or has a terminate callback
 * still to call (the terminate phase waits for it).  A daemon thread
 * without a callback never makes a shutdown late.
 */
static int
late_at_once_locked(void)
{
	const struct exeunt_thread *t, *self = exeunt__self;

	for (t = exeunt__reg.head; t != NULL; t = t->next) {
		if (t == self || t->finished)
			continue;
		if (!t->daemon || (t->term_fn != NULL &&
		    t->term_state == EXEUNT__TERM_NONE))
			return 1;
	}
	return 0;
}

/*
 * The shutdown starts: fix its deadline and start the watchdog.  The
 * caller holds the lock; the watchdog waits for it.
 */
void
exeunt__deadline_start_locked(void)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t pth;

	if (!dl.by_call && !dl.env_read)
		read_environment_locked();
	dl.armed = dl.has_limit;
	dl.late_at_once = 0;
	if (dl.armed && dl.limit.tv_sec == 0 && dl.limit.tv_nsec == 0) {
		/* Late at once, or never: nothing can make it late. */
		dl.late_at_once = late_at_once_locked();
		dl.armed = dl.late_at_once;
	}
	if (!dl.armed)
		return;
	exeunt__ts_add(&dl.deadline, &exeunt__sd.started, &dl.limit);
	/* Late at once: the thread that runs the shutdown reports and acts
	 * as it begins (exeunt__deadline_begin); a watchdog would only race
	 * it. */
	if (dl.late_at_once)
		return;
	/* The watchdog takes no signal of the process's and is not a
	 * registered thread.  If it cannot be made, the join phase keeps
	 * the deadline alone. */
	if (pthread_attr_init(&attr) != 0)
		return;
	(void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	(void)pthread_attr_setstacksize(&attr, EXEUNT__THREAD_STACK);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	(void)pthread_create(&pth, &attr, watchdog, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
}

/*
 * A shutdown with a zero limit that is late as it begins: report and act
 * now, in the thread that runs it, before the first stop request, so
 * that the report names every thread it was late for and the action
 * comes before anything else of the shutdown.
 */
void
exeunt__deadline_begin(void)
{
	int late;

	exeunt__lock();
	late = dl.late_at_once;
	dl.late_at_once = 0;
	exeunt__unlock();
	if (late)
		exeunt__overrun();
}

/*
 * 1 once the deadline report was made and its action (EXIT or ABORT) is
 * ending the process in the thread that made it: the shutdown must not
 * end the process first, with its own status.  The caller holds the lock.
 */
int
exeunt__deadline_ending_locked(void)
{
	return dl.ending;
}

/* The running shutdown's deadline, if it has one. */
int
exeunt__deadline_get(struct timespec *abs)
{
	if (dl.armed)
		*abs = dl.deadline;
	return dl.armed;
}

/* A growing buffer for the report, written in one go. */
struct report {
	char *buf;
	size_t len, cap;
	int lost;		/* a line could not be added (no memory) */
};

/* Add one line, given without its newline; a longer line is cut. */
static void
report_add(struct report *r, const char *fmt, ...)
{
	va_list ap;
	char line[EXEUNT__LINE_MAX];
	int n;
	char *grown;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (r->len + (size_t)n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;

		while (cap < r->len + (size_t)n + 1)
			cap *= 2;
		if ((grown = realloc(r->buf, cap)) == NULL) {
			r->lost = 1;
			return;
		}
		r->buf = grown;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, line, (size_t)n);
	r->len += (size_t)n;
	r->buf[r->len] = '\0';
}

/* A line of a thread's stack, under its thread's line. */
static void
report_stack_line(void *ctx, const char *text)
{
	report_add(ctx, "exeunt:     %s", text);
}

/*
 * Whether the report shows the late threads' stacks: when the library
 * was built with them, EXEUNT_STACKS is not "0" and the stack signal is
 * not turned off.
 */
static int
stacks_wanted(void)
{
#ifdef HAVE_STACKS
	const char *v = secure_getenv("EXEUNT_STACKS");

	return (v == NULL || strcmp(v, "0") != 0) &&
	    exeunt_get_stack_signal() != 0;
#else
	return 0;
#endif
}

/* A late thread of the report, held until its stack is taken. */
struct late {
	struct exeunt_thread *t;
	char line[EXEUNT__LINE_MAX];
};

/*
 * The report, newest thread first.  The caller holds the lock.  With
 * late != NULL the thread lines go there, each record held (and in
 * threads, its kernel id in tids), for the stacks to be added under them
 * once the lock is dropped; otherwise they go straight into r.  Returns the number of threads listed.
 */
static size_t
build_report_locked(struct report *r, struct late *late, pid_t *tids,
    struct exeunt_thread **threads, size_t max)
{
	struct exeunt_thread *t;
	char pool[128], stage[24], line[EXEUNT__LINE_MAX];
	char name[EXEUNT_NAME_MAX + 1];
	int staged = exeunt__staged_locked();
	size_t n = 0;

	for (t = exeunt__reg.tail; t != NULL; t = t->prev)
		n += !t->finished && !t->starting;
	report_add(r, "exeunt: shutdown deadline of %.3fs passed in phase %s; "
	    "%zu thread%s unfinished:",
	    (double)dl.limit.tv_sec + (double)dl.limit.tv_nsec / 1e9,
	    atomic_load(&exeunt__reg.phase) == EXEUNT_TERMINATING ?
	    "terminating" : "joining", n, n == 1 ? "" : "s");
	n = 0;
	for (t = exeunt__reg.tail; t != NULL; t = t->prev) {
		if (t->finished || t->starting)
			continue;
		exeunt__pool_describe(t, pool, sizeof(pool));
		if (staged)
			snprintf(stage, sizeof(stage), "stage %d ", t->stage);
		exeunt__clean_name(name, t->name);
		snprintf(line, sizeof(line), "exeunt:   seq %llu \"%s\" tid %d "
		    "%s %sage %.3fs %s%s", t->seq, name, (int)t->tid,
		    t->daemon ? "daemon" : "non-daemon", staged ? stage : "",
		    exeunt__since(&t->born), exeunt__term_state_name(t), pool);
		if (late == NULL || n == max) {
			report_add(r, "%s", line);
			continue;
		}
		t->refs++;
		late[n].t = t;
		memcpy(late[n].line, line, sizeof(line));
		tids[n] = t->forked_away ? 0 : t->tid;
		threads[n] = t;
		n++;
	}
	return n;
}

/*
 * The deadline has passed: report, once, and act.  Called by the watchdog
 * or by the join phase, without the lock.  With stacks, the report comes
 * up to half a second later: the time the threads have to answer.  The
 * shutdown does not go on to its hooks while a report is being written
 * (exeunt__sd.reporting), so that the process cannot end without it.
 */
void
exeunt__overrun(void)
{
	static const char no_memory[] = "exeunt: shutdown deadline passed; "
	    "the report is incomplete: out of memory\n";
	struct report r = { NULL, 0, 0, 0 };
	struct exeunt__stacks *st;
	struct exeunt_thread *t;
	struct late *late = NULL;
	struct exeunt_thread **threads = NULL;
	pid_t *tids = NULL;
	enum exeunt_overrun action;
	size_t n = 0, i;
	int takeover, stacks = stacks_wanted();
	/* The thread making the report shows from its caller on. */
	uintptr_t from = (uintptr_t)__builtin_return_address(0);

	exeunt__lock();
	if (exeunt__sd.reported ||
	    exeunt__sd.state != EXEUNT__SHUT_RUNNING ||
	    atomic_load(&exeunt__reg.phase) >= EXEUNT_HOOKS) {
		exeunt__unlock();
		return;
	}
	exeunt__sd.reported = 1;
	exeunt__sd.reporting = 1;
	action = dl.action;
	dl.ending = action == EXEUNT_OVERRUN_EXIT ||
	    action == EXEUNT_OVERRUN_ABORT;
	if (stacks) {
		for (t = exeunt__reg.head; t != NULL; t = t->next)
			n++;
		late = calloc(n ? n : 1, sizeof(*late));
		tids = calloc(n ? n : 1, sizeof(*tids));
		threads = calloc(n ? n : 1, sizeof(*threads));
		if (late == NULL || tids == NULL || threads == NULL) {
			free(late);
			late = NULL;
			r.lost = 1;
		}
	}
	n = build_report_locked(&r, late, tids, threads, n);
	exeunt__unlock();
	if (late != NULL) {
		st = exeunt__stacks_take(tids, threads, n, from);
		for (i = 0; i < n; i++) {
			report_add(&r, "%s", late[i].line);
			exeunt__stacks_lines(st, i, report_stack_line, &r);
		}
		exeunt__stacks_free(st);
		for (i = 0; i < n; i++)
			exeunt__release_ref(late[i].t);
		free(late);
	}
	free(tids);
	free(threads);
	report_add(&r, "exeunt: action: %s", action_name[action]);
	if (r.buf != NULL)
		exeunt__emit_report(r.buf, r.len);
	if (r.lost)
		exeunt__emit(no_memory, sizeof(no_memory) - 1);
	exeunt__notify_overrun(action == EXEUNT_OVERRUN_WAIT);
	/* The late threads may all have finished meanwhile (the stack
	 * signal can be what ends them): the hooks wait for this. */
	exeunt__lock();
	exeunt__sd.reporting = 0;
	pthread_cond_broadcast(&exeunt__reg.cond);
	exeunt__unlock();

	switch (action) {
	case EXEUNT_OVERRUN_WAIT:
		return;
	case EXEUNT_OVERRUN_EXIT:
		_exit(EXEUNT_EXIT_TIMEOUT);
	case EXEUNT_OVERRUN_ABORT:
		abort();
	case EXEUNT_OVERRUN_PROCEED:
		break;
	}

	/* Abandon the late threads.  If the coordinator is itself held in
	 * a terminate callback, carry on in its place. */
	exeunt__lock();
	exeunt__sd.abandon = 1;
	pthread_cond_broadcast(&exeunt__reg.cond);
	takeover = exeunt__sd.owner_in_callback &&
	    !pthread_equal(exeunt__sd.owner, pthread_self());
	if (takeover)
		exeunt__take_over_locked();
	exeunt__unlock();
	if (!takeover)
		return;
	EXEUNT__TRACE("the coordinator is held in a terminate callback: "
	    "the watchdog goes on in its place");
	exeunt__run_phases();
	exeunt__end_taken_over(0, 0);
}

/* After fork(): no shutdown runs in the child. */
void
exeunt__deadline_reset_child(void)
{
	dl.armed = 0;
	dl.ending = 0;
}
