/*
 * Diagnostics: exeunt_dump(), exeunt_report() and the EXEUNT_DEBUG trace.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Trace lines are formatted on the stack and written with one write(2)
 * each: they are made at exit, from any thread, with or without the
 * library lock, and must take no stdio lock.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	size_t len;
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
	line[len++] = '\n';
	exeunt__emit(line, len);
}

/*
 * Where the library's lines go: TEXT is LEN bytes of one or more whole
 * lines, each ended by '\n', kept together.
 */
void
exeunt__emit(const char *text, size_t len)
{
	ssize_t w = write(STDERR_FILENO, text, len);

	(void)w;
}

int
exeunt_set_report(void (*fn)(const char *line, void *arg), void *arg)
{
	(void)fn;
	(void)arg;
	return ENOSYS;
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
		memcpy(d.name, t->name, sizeof(d.name));
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
