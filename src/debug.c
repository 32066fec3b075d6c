/*
 * Diagnostics: exeunt_dump(), exeunt_report() and the EXEUNT_DEBUG trace.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Trace lines are formatted on the stack and written with one write(2)
 * each: they are made at exit, from any thread, with or without the
 * library lock, and must take no stdio lock.
 *
 * The report function (exeunt_set_report) gets them instead, one line a
 * call, by the one thread that has taken the report (report_take), which
 * serializes its calls.  Lock order: the report, then the library lock;
 * never the other way round, so a line made under the library lock (a
 * trace, an environment warning) is held in a buffer and passed to the
 * function once the lock is released (exeunt__report_flush, from
 * exeunt__unlock): the function is user code, which never runs under the
 * library lock.
 *
 * The report is a flag under a mutex, not a mutex, so that a thread
 * waiting for it can be let go: once the function has kept the deadline
 * report for a second (exeunt__emit_report), it is "stuck", and until
 * that call returns the lines go to stderr instead of waiting for it; a
 * shutdown that proceeds past its deadline must not hang on its trace or
 * its hooks' lines.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/syscall.h>
#include <linux/futex.h>

int exeunt__debug;

void
exeunt__debug_init(void)
{
	const char *v = secure_getenv("EXEUNT_DEBUG");

	exeunt__debug = v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

static void
vwrite_line(const char *prefix, const char *fmt, va_list ap)
{
	char line[512];
	size_t len, i;
	int n;

	n = snprintf(line, sizeof(line), "%s", prefix);
	if (n < 0)
		return;
	len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	if (n < 0)
		return;
	len += (size_t)n;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	/* One line: a newline or another control character from a thread's
	 * name or the caller's text would make one of its own (a forged
	 * line of the library's); a tab is kept. */
	for (i = 0; i < len; i++)
		if (((unsigned char)line[i] < 0x20 && line[i] != '\t') ||
		    line[i] == 0x7f)
			line[i] = '?';
	line[len++] = '\n';
	exeunt__emit(line, len);
}

/* The report: busy while a thread passes lines or runs the function;
 * stuck while the function keeps the deadline report past its second.
 * Guarded by report_mu. */
static pthread_mutex_t report_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t report_cv = PTHREAD_COND_INITIALIZER;
static int report_busy, report_stuck;
/* Guarded by the report and the library lock: both are held to change
 * them, so that a fork child, which the library lock is held across, gets
 * a function and its own argument. */
static exeunt_report_fn report_fn;
static void *report_arg;
/* report_fn != NULL, read without a lock: with no function set, lines go
 * to stderr as they always did, without taking the report. */
static atomic_int report_on;
/* The calling thread has taken the report: it is passing lines to the
 * function, or running it.  Its own lines then go to stderr. */
static _Thread_local int holding EXEUNT__TLS_IE;
/* The calling thread has held lines back, under the library lock. */
static _Thread_local int deferred EXEUNT__TLS_IE;

/* Lines made under the library lock, whole, for the function; guarded by
 * the library lock.  lost counts those that did not fit. */
static struct {
	char buf[8192];
	size_t len;
	unsigned lost;
} held;
/* held has something: read by exeunt__unlock without the lock. */
atomic_int exeunt__report_pending;

static void
write_stderr(const char *text, size_t len)
{
	ssize_t w = write(STDERR_FILENO, text, len);

	(void)w;
}

/*
 * Take the report: wait until no other thread has it.  Returns 1 once
 * the calling thread has it, or 0 at once, or as soon as it happens,
 * when the function is stuck and ANYWAY is 0: the caller writes to
 * stderr instead.  The caller has disabled cancellation.
 */
static int
report_take(int anyway)
{
	int took;

	pthread_mutex_lock(&report_mu);
	while (report_busy && (anyway || !report_stuck))
		pthread_cond_wait(&report_cv, &report_mu);
	took = !report_busy;
	if (took)
		report_busy = 1;
	pthread_mutex_unlock(&report_mu);
	holding = took;
	return took;
}

static void
report_give(void)
{
	holding = 0;
	pthread_mutex_lock(&report_mu);
	report_busy = 0;
	pthread_cond_broadcast(&report_cv);
	pthread_mutex_unlock(&report_mu);
}

/*
 * Pass TEXT, LEN bytes of whole lines, to the function, one line a call,
 * without its newline, cut to 510 bytes like a line on stderr; to stderr
 * if the function was unset meanwhile.  The caller has taken the report
 * and has disabled cancellation.
 */
static void
pass(const char *text, size_t len)
{
	char line[512];
	const char *nl;
	size_t n, k;

	if (report_fn == NULL) {
		write_stderr(text, len);
		return;
	}
	while (len > 0) {
		nl = memchr(text, '\n', len);
		n = nl != NULL ? (size_t)(nl - text) : len;
		k = n < sizeof(line) - 2 ? n : sizeof(line) - 2;
		memcpy(line, text, k);
		line[k] = '\0';
		report_fn(line, report_arg);
		n += nl != NULL;
		text += n;
		len -= n;
	}
}

/* Keep TEXT for the function until the library lock, which the caller
 * holds, is released: all of it, or none if it does not fit. */
static void
hold_locked(const char *text, size_t len)
{
	const char *p;

	if (len <= sizeof(held.buf) - held.len) {
		memcpy(held.buf + held.len, text, len);
		held.len += len;
	} else {
		for (p = text; p < text + len; p++)
			held.lost += *p == '\n';
	}
	deferred = 1;
	atomic_store(&exeunt__report_pending, 1);
}

/*
 * Pass the held lines to the function, oldest first, one at a time
 * copied out under the library lock and passed without it.  The caller
 * has taken the report, so no other line comes between them.
 */
static void
pass_held(void)
{
	char line[512];
	const char *nl;
	size_t n;
	int k;

	while (atomic_load(&exeunt__report_pending)) {
		exeunt__lock();
		if (held.len == 0 && held.lost == 0) {
			/* Passed by another thread meanwhile. */
			atomic_store(&exeunt__report_pending, 0);
			exeunt__unlock();
			break;
		}
		if (held.len > 0) {
			nl = memchr(held.buf, '\n', held.len);
			n = nl != NULL ? (size_t)(nl - held.buf) + 1 : held.len;
			memcpy(line, held.buf, n < sizeof(line) ? n :
			    sizeof(line));
			if (n > sizeof(line))
				line[sizeof(line) - 1] = '\n';
			memmove(held.buf, held.buf + n, held.len - n);
			held.len -= n;
			n = n < sizeof(line) ? n : sizeof(line);
		} else {
			k = snprintf(line, sizeof(line), "exeunt: %u line%s "
			    "dropped while the report function was busy\n",
			    held.lost, held.lost == 1 ? "" : "s");
			held.lost = 0;
			n = k > 0 ? (size_t)k : 0;
		}
		if (held.len == 0 && held.lost == 0)
			atomic_store(&exeunt__report_pending, 0);
		exeunt__unlock();
		pass(line, n);
	}
}

/*
 * The function is stuck: the held lines go to stderr, oldest first, in
 * one write, and the count of those that did not fit after them.  The
 * caller does not hold the library lock.
 */
static void
held_to_stderr(void)
{
	char buf[sizeof(held.buf)], lost[96];
	size_t len;
	unsigned n;
	int k;

	exeunt__lock();
	len = held.len;
	memcpy(buf, held.buf, len);
	n = held.lost;
	held.len = 0;
	held.lost = 0;
	atomic_store(&exeunt__report_pending, 0);
	exeunt__unlock();
	write_stderr(buf, len);
	if (n > 0 && (k = snprintf(lost, sizeof(lost), "exeunt: %u line%s "
	    "dropped while the report function was busy\n", n,
	    n == 1 ? "" : "s")) > 0)
		write_stderr(lost, (size_t)k);
}

/*
 * The library lock was just released: if the calling thread held lines
 * back under it, pass them, and any held before, oldest first.  It waits
 * for its turn, so that its lines are out when its call returns (unless
 * a thread that passed a line meanwhile passed them first); if the
 * function is stuck, they go to stderr.  Called by exeunt__unlock, with
 * cancellation disabled.
 */
void
exeunt__report_flush(void)
{
	if (holding || !deferred)
		return;
	deferred = 0;
	if (!report_take(0)) {
		held_to_stderr();
		return;
	}
	pass_held();
	report_give();
}

/*
 * Where the library's lines go: TEXT is LEN bytes of one or more whole
 * lines, each ended by '\n', kept together: one write(2) to stderr, or
 * consecutive calls of the report function.  A line of the function's
 * own thread goes to stderr: it would deadlock or recurse; so do the
 * lines made while the function is stuck.
 */
void
exeunt__emit(const char *text, size_t len)
{
	int cancel;

	if (!atomic_load(&report_on) || holding) {
		write_stderr(text, len);
		return;
	}
	if (exeunt__holding_lock()) {
		hold_locked(text, len);
		return;
	}
	/* A cancellation in the function would leave the report taken. */
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	if (report_take(0)) {
		pass_held();	/* older lines first */
		pass(text, len);
		report_give();
	} else {
		held_to_stderr();
		write_stderr(text, len);
	}
	(void)pthread_setcancelstate(cancel, NULL);
}

/* The deadline report, passed by a thread of its own. */
struct handoff {
	char *text;
	size_t len;
	/* A futex word: the function has it all.  Set under report_mu, so
	 * that the waiter that gave up marks the function stuck only while
	 * it has not. */
	atomic_int done;
	atomic_int refs;	/* the passer's and the waiter's */
};

static void
handoff_unref(struct handoff *h)
{
	if (atomic_fetch_sub(&h->refs, 1) == 1) {
		free(h->text);
		free(h);
	}
}

static void *
handoff_main(void *arg)
{
	struct handoff *h = arg;

	exeunt__emit(h->text, h->len);
	pthread_mutex_lock(&report_mu);
	atomic_store(&h->done, 1);
	report_stuck = 0;
	pthread_cond_broadcast(&report_cv);
	pthread_mutex_unlock(&report_mu);
	syscall(SYS_futex, &h->done, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	handoff_unref(h);
	return NULL;
}

/*
 * The deadline report: TEXT (malloc'd, taken over) as exeunt__emit()
 * passes it, but the deadline's action waits at most REPORT_WAIT_S for
 * the report function.  It is called by a thread of the library's, so
 * that a function that never returns (a syslog() whose daemon is gone)
 * holds up nobody: after that time the report goes to stderr as well,
 * with a line that says why, and the caller goes on; until the function
 * returns, lines go to stderr instead of waiting for it.
 */
#define REPORT_WAIT_S 1
void
exeunt__emit_report(char *text, size_t len)
{
	static const char late[] = "exeunt: the report function did not "
	    "return within 1s: the report went to standard error too\n";
	struct timespec abs, wait = { REPORT_WAIT_S, 0 };
	struct handoff *h;
	pthread_attr_t attr;
	pthread_t pth;
	sigset_t all, old;
	int err;

	if (!atomic_load(&report_on) || holding ||
	    (h = calloc(1, sizeof(*h))) == NULL) {
		exeunt__emit(text, len);
		free(text);
		return;
	}
	h->text = text;
	h->len = len;
	atomic_init(&h->refs, 2);
	err = pthread_attr_init(&attr);
	if (err == 0) {
		(void)pthread_attr_setdetachstate(&attr,
		    PTHREAD_CREATE_DETACHED);
		(void)pthread_attr_setstacksize(&attr, EXEUNT__THREAD_STACK);
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		err = pthread_create(&pth, &attr, handoff_main, h);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		pthread_attr_destroy(&attr);
	}
	if (err != 0) {
		/* No thread: pass it here, however long it takes. */
		exeunt__emit(text, len);
		atomic_store(&h->done, 1);
		handoff_unref(h);
		handoff_unref(h);
		return;
	}
	exeunt__ts_after(&abs, &wait);
	while (!atomic_load(&h->done)) {
		if (syscall(SYS_futex, &h->done, FUTEX_WAIT_BITSET |
		    FUTEX_PRIVATE_FLAG, 0, &abs, NULL,
		    FUTEX_BITSET_MATCH_ANY) == -1 && errno == ETIMEDOUT)
			break;
	}
	if (!atomic_load(&h->done)) {
		write_stderr(text, len);
		write_stderr(late, sizeof(late) - 1);
		pthread_mutex_lock(&report_mu);
		if (!atomic_load(&h->done)) {
			report_stuck = 1;
			pthread_cond_broadcast(&report_cv);
		}
		pthread_mutex_unlock(&report_mu);
	}
	handoff_unref(h);
}

/*
 * Set the report function.  Once the report is ours no call of the old
 * one is in progress, and none begins after, since every call is made
 * by the thread that has it; a stuck function is waited for too.
 */
int
exeunt_set_report(void (*fn)(const char *line, void *arg), void *arg)
{
	int cancel;

	if (holding)
		return EDEADLK;
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	(void)report_take(1);
	exeunt__lock();
	report_fn = fn;
	report_arg = fn != NULL ? arg : NULL;
	atomic_store(&report_on, fn != NULL);
	exeunt__unlock();
	report_give();
	(void)pthread_setcancelstate(cancel, NULL);
	return 0;
}

/*
 * fork() child, with the library lock held: the report may have been
 * taken by a thread of the parent, in the function, or report_mu held
 * for a moment; the report is free here, or taken again by this thread
 * if it forked from the function.  The held lines are for the parent's
 * threads to pass.
 */
void
exeunt__report_reset_child(void)
{
	pthread_mutex_init(&report_mu, NULL);
	pthread_cond_init(&report_cv, NULL);
	report_busy = holding;
	report_stuck = 0;
	held.len = 0;
	held.lost = 0;
	deferred = 0;
	atomic_store(&exeunt__report_pending, 0);
}

/* A trace line with a CLOCK_MONOTONIC timestamp. */
void
exeunt__trace(const char *fmt, ...)
{
	struct timespec now;
	char prefix[48];
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &now);
	snprintf(prefix, sizeof(prefix), "exeunt: [%4lld.%06ld] ",
	    (long long)now.tv_sec, now.tv_nsec / 1000);
	va_start(ap, fmt);
	vwrite_line(prefix, fmt, ap);
	va_end(ap);
}

/*
 * A line on the diagnostics stream for a binding (the C++ one reports an
 * uncaught exception with it).  Not a cancellation point: the write is
 * made with cancellation disabled, so that a C++ caller may declare it
 * noexcept.  errno is kept.
 */
int
exeunt_report(const char *fmt, ...)
{
	va_list ap;
	int cancel, saved = errno;

	if (fmt == NULL)
		return EINVAL;
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	va_start(ap, fmt);
	vwrite_line("exeunt: ", fmt, ap);
	va_end(ap);
	(void)pthread_setcancelstate(cancel, NULL);
	errno = saved;
	return 0;
}

/* A line for the user, such as a rejected environment variable. */
void
exeunt__say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwrite_line("exeunt: ", fmt, ap);
	va_end(ap);
}

/*
 * A thread's name as the library writes it in a line: each control
 * character replaced by '?'.  A name is the program's, often made from
 * input, and a newline in it would make a line of its own (a forged
 * "exeunt: action: exit" in a report, an assignment in a systemd
 * message).
 */
void
exeunt__clean_name(char dst[EXEUNT_NAME_MAX + 1], const char *name)
{
	size_t i;

	for (i = 0; name[i] != '\0' && i < EXEUNT_NAME_MAX; i++)
		dst[i] = (unsigned char)name[i] < 0x20 || name[i] == 0x7f ?
		    '?' : name[i];
	dst[i] = '\0';
}

const char *
exeunt__term_state_name(const struct exeunt_thread *t)
{
	if (t->term_fn == NULL)
		return "no terminate callback";
	switch (t->term_state) {
	case EXEUNT__TERM_RUNNING:
		return "terminate callback running";
	case EXEUNT__TERM_DONE:
		return "terminate callback returned";
	default:
		return "terminate callback not called";
	}
}

const char *
exeunt__state_name(const struct exeunt_thread *t)
{
	if (t->finished)
		return "finished";
	if (t->term_state == EXEUNT__TERM_RUNNING)
		return "terminate running";
	if (atomic_load(&t->stop))
		return "stop requested";
	return "running";
}

static const char *const phase_name[] = {
	"running", "terminating", "joining", "hooks", "done",
};

const char *
exeunt__phase_name(int phase)
{
	return phase_name[phase];
}

/* One record's line, copied under the lock and printed without it. */
struct dump_line {
	unsigned long long seq;
	char name[EXEUNT_NAME_MAX + 1];
	int tid, daemon, stage;
	const char *state;
	double age;
};

/* The dump; the caller's cancellation is disabled (a cancellation in
 * fprintf would leave a record held). */
static int
dump(FILE *out)
{
	struct exeunt_thread *t, *next, *dead = NULL;
	struct dump_line d;
	char stage[16];
	size_t live;
	int phase, staged, failed = 0;

	exeunt__lock();
	live = exeunt__reg.live;
	phase = atomic_load(&exeunt__reg.phase);
	staged = exeunt__staged_locked();
	exeunt__unlock();
	if (fprintf(out, "exeunt: phase %s, %zu registered thread%s "
	    "unfinished\n", phase_name[phase], live,
	    live == 1 ? "" : "s") < 0 ||
	    fprintf(out, "  %5s %-16s %-8s %-6s %.*s%-17s %s\n", "seq",
	    "name", "tid", "daemon", staged ? 6 : 0, "stage ", "state",
	    "age") < 0)
		failed = 1;

	/* Walk as exeunt_foreach() does: hold the record, drop the lock. */
	exeunt__lock();
	for (t = exeunt__reg.head; t != NULL && !failed; t = next) {
		if (t->starting) {
			next = t->next;
			continue;
		}
		t->refs++;
		d.seq = t->seq;
		exeunt__clean_name(d.name, t->name);
		d.tid = (int)t->tid;
		d.daemon = t->daemon;
		d.stage = t->stage;
		d.state = exeunt__state_name(t);
		d.age = exeunt__since(&t->born);
		exeunt__unlock();
		if (dead != NULL) {
			exeunt__free(dead);
			dead = NULL;
		}
		if (staged)
			snprintf(stage, sizeof(stage), "%5d ", d.stage);
		if (fprintf(out, "  %5llu %-16s %-8d %-6s %s%-17s %.3fs\n",
		    d.seq, d.name, d.tid, d.daemon ? "yes" : "no",
		    staged ? stage : "", d.state, d.age) < 0)
			failed = 1;
		exeunt__lock();
		next = t->next;
		if (exeunt__unref_locked(t))
			dead = t;
	}
	exeunt__unlock();
	if (dead != NULL)
		exeunt__free(dead);
	if (fflush(out) != 0 || ferror(out))
		failed = 1;
	return failed ? EIO : 0;
}

int
exeunt_dump(FILE *out)
{
	int cancel, err;

	if (out == NULL)
		return EINVAL;
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	err = dump(out);
	(void)pthread_setcancelstate(cancel, NULL);
	return err;
}
