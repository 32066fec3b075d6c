/*
 * Call stacks: exeunt_dump_stacks(3), exeunt_set_stack_signal(3) and the
 * stacks in the deadline report (exeunt_set_timeout(3)).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * The names and file:line of static functions are checked in
 * scenario_sk_stuck (built with -g, without -rdynamic), which says on its
 * first line where its calls are; the other tests dump the stacks of
 * threads of this process.  Every thread is in place (it said so, and
 * sleeps in its blocking call where that matters) before a dump.
 * Without libdw (HAVE_STACKS undefined, as with musl), each
 * test checks the lines that the contract gives instead of frames.
 */
#include "config.h"
#include "tests.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_STACKS
static const int have_stacks = 1;
#else
static const int have_stacks = 0;
#endif

#define NOINLINE __attribute__((noinline))
#define MAX_LINES 8192

static const char built_without[] =
    "(no stack: exeunt was built without libdw)";
static const char turned_off[] =
    "(no stack: the stack signal is turned off, exeunt_set_stack_signal(0))";

static struct child ch;

/* Parsing ----------------------------------------------------------- */

/* The first line of scenario_sk_stuck. */
struct sk_lines {
	char file[256];
	int wait, read, dump, deaf;
	char rdynamic[8];
	int signo;
};

static void
sk_lines(const char *out, struct sk_lines *l)
{
	const char *p = strstr(out, "file ");

	ck_assert_msg(p != NULL && sscanf(p, "file %255s wait %d read %d "
	    "dump %d deaf %d rdynamic %7s signal %d", l->file, &l->wait,
	    &l->read, &l->dump, &l->deaf, l->rdynamic, &l->signo) == 7,
	    "no \"file ...\" line in:\n%s", out);
	/* Without -rdynamic: else its static functions' names would
	 * prove nothing about the symbol tables being read. */
	ck_assert_msg(strcmp(l->rdynamic, "no") == 0, "%s was linked with "
	    "-rdynamic or --export-dynamic", ch.name);
}

/* A thread of a dump or a report, and the lines under it. */
struct listed {
	unsigned long long seq;
	char name[64];
	int tid;
	char **stack;		/* its stack lines, prefix removed */
	int nstack;
};

static int
is_hex(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strchr("0123456789abcdef", p[i]) == NULL || p[i] == '\0')
			return 0;
	return 1;
}

/*
 * Whether text is a frame numbered num, in the contract's format
 * "#%-2d 0x%016lx in NAME+0xOFF (OBJECT) at FILE:LINE", NAME "??" without
 * "+0x..", the object and " at FILE:LINE" optional.
 */
static int
frame_ok(const char *text, int num)
{
	char want[16];
	const char *p, *plus, *end;
	size_t len;

	snprintf(want, sizeof want, "#%-2d ", num);
	if (strncmp(text, want, strlen(want)) != 0)
		return 0;
	p = text + strlen(want);
	if (strncmp(p, "0x", 2) != 0 || !is_hex(p + 2, 2 * sizeof(void *)))
		return 0;
	p += 2 + 2 * sizeof(void *);
	if (strncmp(p, " in ", 4) != 0)
		return 0;
	p += 4;
	len = strcspn(p, " ");
	if (len == 0)
		return 0;
	end = p + len;
	if (len == 2 && strncmp(p, "??", 2) == 0) {
		/* no offset */
	} else {
		plus = NULL;
		for (const char *q = p; q + 3 < end; q++)
			if (strncmp(q, "+0x", 3) == 0)
				plus = q;
		if (plus == NULL || plus == p ||
		    !is_hex(plus + 3, (size_t)(end - plus - 3)) ||
		    end == plus + 3)
			return 0;
	}
	p = end;
	if (strncmp(p, " (", 2) == 0) {
		/* The object, up to ") at " or the closing ')' at the end. */
		if ((end = strstr(p, ") at ")) != NULL)
			p = end + 1;
		else if (p[strlen(p) - 1] == ')')
			p += strlen(p);
		else
			return 0;
	}
	if (*p == '\0')
		return 1;
	if (strncmp(p, " at ", 4) != 0)
		return 0;
	end = strrchr(p, ':');
	return end != NULL && end > p + 4 && end[1] != '\0' &&
	    strspn(end + 1, "0123456789") == strlen(end + 1) && atoi(end + 1) > 0;
}

/*
 * Splits a dump (prefix_thread "  seq ", prefix_stack "    ") or a report
 * ("exeunt:   seq ", "exeunt:     ") into threads; lines that are
 * neither are left out.  Every stack line is checked: frames numbered
 * from 0 in the contract's format, or one "(no stack: ...)" line, and
 * "(more frames)" only last, after 32 frames.  Returns the number of
 * threads.
 */
static int
parse_listed(char **line, int n, const char *prefix_thread,
    const char *prefix_stack, struct listed *t, int max)
{
	size_t lt = strlen(prefix_thread), ls = strlen(prefix_stack);
	int i, nt = 0, k;
	char *s;

	for (i = 0; i < n; i++) {
		if (strncmp(line[i], prefix_thread, lt) == 0) {
			ck_assert_msg(nt < max, "more than %d threads", max);
			memset(&t[nt], 0, sizeof t[nt]);
			ck_assert_msg(sscanf(line[i] + lt, "%llu \"%63[^\"]\" "
			    "tid %d", &t[nt].seq, t[nt].name, &t[nt].tid) == 3,
			    "thread line: %s", line[i]);
			t[nt].stack = &line[i + 1];
			nt++;
			continue;
		}
		if (strncmp(line[i], prefix_stack, ls) != 0)
			continue;
		ck_assert_msg(nt > 0 && &line[i] == t[nt - 1].stack +
		    t[nt - 1].nstack, "stack line not under its thread: %s",
		    line[i]);
		t[nt - 1].nstack++;
		line[i] += ls;
	}
	for (k = 0; k < nt; k++) {
		for (i = 0; i < t[k].nstack; i++) {
			s = t[k].stack[i];
			if (strncmp(s, "(no stack: ", 11) == 0) {
				ck_assert_msg(t[k].nstack == 1, "\"%s\" with "
				    "other lines under %s", s, t[k].name);
				continue;
			}
			if (strcmp(s, "(more frames)") == 0) {
				ck_assert_msg(i == 32 && i == t[k].nstack - 1,
				    "(more frames) at line %d of %d under %s",
				    i, t[k].nstack, t[k].name);
				continue;
			}
			ck_assert_msg(frame_ok(s, i), "not frame #%d: \"%s\"",
			    i, s);
		}
		ck_assert_msg(t[k].nstack <= 33, "%d lines under %s",
		    t[k].nstack, t[k].name);
	}
	return nt;
}

static struct listed *
find_listed(struct listed *t, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	ck_assert_msg(0, "thread \"%s\" not listed", name);
	return NULL;
}

/* Index of the frame of func in t's stack, or -1. */
static int
frame_of(const struct listed *t, const char *func)
{
	char want[128];
	int i;

	snprintf(want, sizeof want, " in %s+0x", func);
	for (i = 0; i < t->nstack; i++)
		if (strstr(t->stack[i], want) != NULL)
			return i;
	return -1;
}

/* Frame i of t is in func at file:line (file: the name as compiled, the
 * frame's may have the build directory before it). */
static void
assert_frame_at(const struct listed *t, int i, const char *func,
    const char *file, int line)
{
	char want[300];
	const char *s, *at;
	size_t lw, ls;

	ck_assert_msg(i >= 0, "no frame of %s in the stack of %s", func,
	    t->name);
	s = t->stack[i];
	snprintf(want, sizeof want, "%s:%d", file, line);
	at = strstr(s, " at ");
	ck_assert_msg(at != NULL, "frame without file:line: %s", s);
	at += 4;
	lw = strlen(want);
	ls = strlen(at);
	ck_assert_msg(ls >= lw && strcmp(at + ls - lw, want) == 0 &&
	    (ls == lw || at[ls - lw - 1] == '/'),
	    "frame of %s: %s\nwant it at %s", func, s, want);
}

/*
 * Thread t's stack holds func at file:line; without stacks, it is the
 * contract's one line instead (or nothing, where without is NULL).
 */
static void
assert_names(const struct listed *t, const char *func, const char *file,
    int line, const char *without)
{
	if (!have_stacks) {
		if (without == NULL)
			ck_assert_msg(t->nstack == 0, "%s has stack lines",
			    t->name);
		else
			ck_assert_msg(t->nstack == 1 &&
			    strcmp(t->stack[0], without) == 0,
			    "under %s: %s\nwant: %s", t->name,
			    t->nstack ? t->stack[0] : "(nothing)", without);
		return;
	}
	assert_frame_at(t, frame_of(t, func), func, file, line);
}

/* The dump scenario --------------------------------------------------- */

/*
 * exeunt_dump_stacks() shows the worker stuck in wait_in_here(), a
 * static function, with its file:line; the calling thread from
 * dump_here(), its caller, on.  The process goes on, and exits 0 once its
 * worker stopped.
 */
START_TEST(dump_names_static_functions)
{
	struct sk_lines l;
	struct listed t[4];
	char *line[MAX_LINES], *after;
	const char *tail = "dump rc 0\nmain exits\nworker stops\n";
	int n, nt;

	child_run(&ch, linked("scenario_sk_stuck", _i), (const char *[]){
	    "dump", NULL }, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_quiet(&ch);
	sk_lines(ch.out_buf, &l);
	after = strstr(ch.out_buf, "dump rc ");
	ck_assert_msg(after != NULL && strcmp(after, tail) == 0,
	    "after the dump:\n%s\nwant:\n%s", after ? after : "(nothing)",
	    tail);
	n = split_lines(ch.out_buf, line, MAX_LINES);
	ck_assert_str_eq(line[0],
	    "exeunt: phase running, 2 registered threads unfinished");
	nt = parse_listed(line, n, "  seq ", "    ", t, 4);
	ck_assert_int_eq(nt, 2);
	ck_assert_msg(t[0].seq == 1 && strcmp(t[0].name, "main") == 0 &&
	    t[1].seq == 2 && strcmp(t[1].name, "worker") == 0,
	    "threads %llu %s, %llu %s", t[0].seq, t[0].name, t[1].seq,
	    t[1].name);
	assert_names(&t[1], "wait_in_here", l.file, l.wait, built_without);
	assert_names(&t[0], "dump_here", l.file, l.dump, built_without);
	if (have_stacks)
		ck_assert_msg(frame_of(&t[0], "dump_here") == 0,
		    "the calling thread's stack begins: %s", t[0].stack[0]);
}
END_TEST

/* The thread lines of a dump: "  seq N "name" tid T daemon|non-daemon
 * [stage S ]STATE age X.XXXs". */
START_TEST(dump_thread_lines)
{
	struct sk_lines l;
	char *line[MAX_LINES], *p, *end;
	const char *key;
	int n, i, found = 0;

	child_run(&ch, "scenario_sk_stuck", (const char *[]){ "dump", NULL },
	    NULL, 0);
	child_assert_exit(&ch, 0);
	sk_lines(ch.out_buf, &l);
	n = split_lines(ch.out_buf, line, MAX_LINES);
	for (i = 0; i < n; i++) {
		if (strncmp(line[i], "  seq ", 6) != 0)
			continue;
		found++;
		key = found == 1 ? "\"main\" tid " : "\"worker\" tid ";
		p = strstr(line[i], key);
		ck_assert_msg(p != NULL, "thread line %d: %s", found, line[i]);
		p += strlen(key);
		ck_assert_msg(strspn(p, "0123456789") > 0, "tid in: %s", line[i]);
		p += strspn(p, "0123456789");
		ck_assert_msg(p != NULL && strncmp(p, " non-daemon running age ",
		    24) == 0, "thread line: %s", line[i]);
		p += 24;
		end = p + strspn(p, "0123456789");
		ck_assert_msg(end > p && end[0] == '.' &&
		    strspn(end + 1, "0123456789") == 3 &&
		    strcmp(end + 4, "s") == 0, "age in: %s", line[i]);
	}
	ck_assert_int_eq(found, 2);
}
END_TEST

/* The deadline report ------------------------------------------------- */

static char timeout_env[64];

/* Runs scenario_sk_stuck in mode with a deadline of 200 ms (scaled) and
 * the action exit, plus extra environment. */
static void
run_deadline(const char *prog, const char *mode, const char *extra)
{
	const char *env[] = { timeout_env, "EXEUNT_ON_TIMEOUT=exit", extra,
	    NULL };

	snprintf(timeout_env, sizeof timeout_env, "EXEUNT_TIMEOUT=%ldms",
	    (long)(200 * test_scale()));
	child_run(&ch, prog, (const char *[]){ mode, NULL }, env, 0);
	child_assert_exit(&ch, EXEUNT_EXIT_TIMEOUT);
}

/* Checks the report on stderr: the heading first, the action last,
 * nthreads threads.  Returns the number of lines (line[] filled). */
static int
report_lines(char **line, int nthreads)
{
	char want[64];
	int n;

	n = split_lines(ch.err_buf, line, MAX_LINES);
	ck_assert_msg(n >= 2 && strncmp(line[0], "exeunt: shutdown deadline "
	    "of ", 26) == 0, "report:\n%s", ch.err_buf);
	snprintf(want, sizeof want, "; %d thread%s unfinished:", nthreads,
	    nthreads == 1 ? "" : "s");
	ck_assert_msg(strstr(line[0], want) != NULL, "heading: %s", line[0]);
	ck_assert_str_eq(line[n - 1], "exeunt: action: exit");
	return n;
}

/*
 * The deadline report shows the late thread's stack under its line,
 * each frame line prefixed "exeunt:     ", with read_in_here() and its
 * file:line; with libexeunt.so and libexeunt.a.
 */
START_TEST(report_names_static_functions)
{
	struct sk_lines l;
	struct listed t[4];
	char *line[MAX_LINES];
	int n;

	run_deadline(linked("scenario_sk_stuck", _i), "deadline", NULL);
	sk_lines(ch.out_buf, &l);
	n = report_lines(line, 1);
	ck_assert_int_eq(parse_listed(line, n, "exeunt:   seq ",
	    "exeunt:     ", t, 4), 1);
	ck_assert_str_eq(t[0].name, "stuck");
	/* The stack follows the thread's line, up to the action. */
	ck_assert_ptr_eq(t[0].stack, &line[2]);
	ck_assert_int_eq(t[0].nstack, n - 3);
	assert_names(&t[0], "read_in_here", l.file, l.read, NULL);
}
END_TEST

/*
 * EXEUNT_STACKS=0, or exeunt_set_stack_signal(0): the report is the
 * heading, the thread's line and the action, no stack line at all.
 */
START_TEST(report_without_stacks)
{
	char *line[MAX_LINES];
	int n;

	if (_i == 0)
		run_deadline("scenario_sk_stuck", "deadline", "EXEUNT_STACKS=0");
	else
		run_deadline("scenario_sk_stuck", "off", NULL);
	n = report_lines(line, 1);
	ck_assert_msg(n == 3 && strncmp(line[1], "exeunt:   seq 1 \"stuck\" "
	    "tid ", 24) == 0, "report of %d lines:\n%s", n, ch.err_buf);
}
END_TEST

/* Seconds on CLOCK_MONOTONIC as "SEC.NSEC" in the scenario's output. */
static double
monotonic_in(const char *out, const char *label)
{
	const char *p = strstr(out, label);
	long long sec;
	long nsec;

	ck_assert_msg(p != NULL && sscanf(p + strlen(label), "%lld.%ld", &sec,
	    &nsec) == 2, "no \"%s\" in:\n%s", label, out);
	return (double)sec + (double)nsec / 1e9;
}

/*
 * A thread that blocks every signal: its line says it did not answer,
 * the other thread's stack is there, and the report (the process ends
 * with it) completes within 1 s (scaled) of the deadline.
 */
START_TEST(report_blocked_thread_bounded)
{
	struct sk_lines l;
	struct listed t[4];
	struct timespec end;
	char *line[MAX_LINES], want[256];
	double started, took, limit = 0.2 * test_scale();
	int n;

	run_deadline("scenario_sk_stuck", "blocked", NULL);
	clock_gettime(CLOCK_MONOTONIC, &end);
	sk_lines(ch.out_buf, &l);
	started = monotonic_in(ch.out_buf, "shutdown at ");
	took = (double)end.tv_sec + (double)end.tv_nsec / 1e9 - started;
	ck_assert_msg(took <= limit + 1.0 * test_scale(), "the process "
	    "ended %.3f s after its shutdown began, with a deadline of "
	    "%.3f s", took, limit);
	n = report_lines(line, 2);
	ck_assert_int_eq(parse_listed(line, n, "exeunt:   seq ",
	    "exeunt:     ", t, 4), 2);
	ck_assert_str_eq(t[0].name, "deaf");
	ck_assert_str_eq(t[1].name, "stuck");
	if (have_stacks) {
		snprintf(want, sizeof want, "(no stack: no answer to signal %d "
		    "within 0.5s: the thread blocks it, has ended, or runs "
		    "where it is not delivered)", l.signo);
		ck_assert_msg(t[0].nstack == 1 && strcmp(t[0].stack[0], want)
		    == 0, "under deaf: %s\nwant: %s", t[0].nstack ?
		    t[0].stack[0] : "(nothing)", want);
	} else {
		ck_assert_int_eq(t[0].nstack, 0);
	}
	assert_names(&t[1], "read_in_here", l.file, l.read, NULL);
}
END_TEST

/*
 * With exeunt_set_report(), the report's lines, stacks included, reach
 * the function one line per call, without '\n'; nothing goes to stderr.
 */
START_TEST(report_hook_gets_stack_lines)
{
	struct sk_lines l;
	struct listed t[4];
	char *line[MAX_LINES];
	int n, nt, i, first = -1;

	run_deadline("scenario_sk_stuck", "hook", NULL);
	child_assert_quiet(&ch);
	sk_lines(ch.out_buf, &l);
	ck_assert_msg(strstr(ch.out_buf, "BAD") == NULL, "%s", ch.out_buf);
	n = split_lines(ch.out_buf, line, MAX_LINES);
	for (i = 0; i < n; i++) {
		if (strncmp(line[i], "hook: ", 6) != 0)
			continue;
		line[i] += 6;
		if (first < 0)
			first = i;
	}
	ck_assert_msg(first >= 0 && strncmp(line[first], "exeunt: shutdown "
	    "deadline of ", 26) == 0, "hook lines:\n%s", ch.out_buf);
	ck_assert_str_eq(line[n - 1], "exeunt: action: exit");
	nt = parse_listed(line + first, n - first, "exeunt:   seq ",
	    "exeunt:     ", t, 4);
	ck_assert_int_eq(nt, 1);
	ck_assert_int_eq(t[0].nstack, n - first - 3);
	assert_names(&t[0], "read_in_here", l.file, l.read, NULL);
}
END_TEST

/*
 * The report is written before the shutdown goes on, even when the late
 * thread finishes while it is being made: here the report's own stack
 * signal ends the thread's pause(), which lets the join phase end at
 * once; the exit hook must still come after the report's last line.
 * With stacks the action is wait, so that the join phase ends only when
 * the thread has said it was interrupted (proceed could abandon it
 * first); without them nothing interrupts it, and proceed abandons it.
 * With libexeunt.so and libexeunt.a.
 */
START_TEST(report_written_before_hooks)
{
	const char *env[] = { timeout_env, have_stacks ?
	    "EXEUNT_ON_TIMEOUT=wait" : "EXEUNT_ON_TIMEOUT=proceed", NULL };
	const char *last = have_stacks ? "hook: exeunt: action: wait" :
	    "hook: exeunt: action: proceed";
	char *line[MAX_LINES];
	int n, i, action = -1, hook = -1, ended = -1;

	snprintf(timeout_env, sizeof timeout_env, "EXEUNT_TIMEOUT=%ldms",
	    (long)(200 * test_scale()));
	child_run(&ch, linked("scenario_sk_stuck", _i),
	    (const char *[]){ "late", NULL }, env, 0);
	child_assert_exit(&ch, 0);
	child_assert_quiet(&ch);
	n = split_lines(ch.out_buf, line, MAX_LINES);
	for (i = 0; i < n; i++) {
		if (strcmp(line[i], last) == 0)
			action = i;
		else if (strcmp(line[i], "exit hook runs") == 0)
			hook = i;
		else if (strcmp(line[i], "stuck: interrupted") == 0)
			ended = i;
	}
	ck_assert_msg(action >= 0 && hook > action, "the report's last line, "
	    "then the exit hook's:\n%s", ch.out_buf);
	/* With stacks, the report's signal ended the late thread. */
	if (have_stacks)
		ck_assert_msg(ended >= 0 && ended < hook, "%s", ch.out_buf);
}
END_TEST

/*
 * fork(): the child of a process with threads dumps the stacks; its only
 * registered thread is the forking one, shown from fork_and_dump() on.
 */
START_TEST(dump_in_fork_child)
{
	struct sk_lines l;
	struct listed t[4];
	char *line[MAX_LINES];
	const char *p;
	int n, child_line;

	child_run(&ch, linked("scenario_sk_stuck", _i), (const char *[]){
	    "fork", NULL }, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_quiet(&ch);
	sk_lines(ch.out_buf, &l);
	ck_assert_msg(strstr(ch.out_buf, "child status 0\nmain exits\n"
	    "worker stops\n") != NULL, "%s", ch.out_buf);
	p = strstr(ch.out_buf, "child line ");
	ck_assert_msg(p != NULL && sscanf(p, "child line %d rc 0",
	    &child_line) == 1, "%s", ch.out_buf);
	n = split_lines(ch.out_buf, line, MAX_LINES);
	ck_assert_str_eq(line[0],
	    "exeunt: phase running, 1 registered thread unfinished");
	ck_assert_int_eq(parse_listed(line, n, "  seq ", "    ", t, 4), 1);
	ck_assert_msg(t[0].seq == 1 && strcmp(t[0].name, "main") == 0,
	    "listed: %llu %s", t[0].seq, t[0].name);
	assert_names(&t[0], "fork_and_dump", l.file, child_line,
	    built_without);
	if (have_stacks)
		ck_assert_int_eq(frame_of(&t[0], "fork_and_dump"), 0);
}
END_TEST

/* In this process ------------------------------------------------------ */

/* A dump into memory; its lines are split in place into line[]. */
struct dump {
	char *text;
	size_t len;
	char *line[MAX_LINES];
	int n;
	struct listed t[256];
	int nt;
};

static void
dump_now(struct dump *d)
{
	FILE *f;

	memset(d, 0, sizeof *d);
	f = open_memstream(&d->text, &d->len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(exeunt_dump_stacks(f), 0);
	ck_assert_int_eq(fclose(f), 0);
	d->n = split_lines(d->text, d->line, MAX_LINES);
	d->nt = parse_listed(d->line, d->n, "  seq ", "    ", d->t, 256);
}

static void
dump_free(struct dump *d)
{
	free(d->text);
	d->text = NULL;
}

/* A thread that says where it is, then blocks in a named function. */
struct placed {
	struct gate ready;
	struct gate release;
	atomic_int tid;
	atomic_int spin;	/* held_spinning: spins while set */
	int fd;			/* held_reading: reads this */
	ssize_t nread;
	int read_errno;
	int errno_after;
	char buf[16];
	atomic_int returned;
};

static void
placed_init(struct placed *p)
{
	memset(p, 0, sizeof *p);
	gate_init(&p->ready);
	gate_init(&p->release);
	p->fd = -1;
}

static NOINLINE void
held_in_here(struct placed *p)
{
	gate_open(&p->ready);
	gate_wait(&p->release);
	atomic_store(&p->returned, 1);
}

static void *
start_held(void *arg)
{
	struct placed *p = arg;

	atomic_store(&p->tid, test_gettid());
	held_in_here(p);
	return p;
}

static exeunt_thread_t *
start_named(const char *name, void *(*start)(void *), void *arg)
{
	exeunt_attr_t a;
	exeunt_thread_t *t;

	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setname(&a, name), 0);
	t = create_or_fail(&a, start, arg);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	return t;
}

/* Starts "held" in held_in_here() and waits until it sleeps there. */
static exeunt_thread_t *
start_held_thread(struct placed *p)
{
	exeunt_thread_t *t;

	placed_init(p);
	t = start_named("held", start_held, p);
	gate_wait(&p->ready);
	ck_assert(wait_until_sleeping(atomic_load(&p->tid)));
	return t;
}

static void
end_held_thread(exeunt_thread_t *t, struct placed *p)
{
	gate_open(&p->release);
	ck_assert_ptr_eq(join_or_fail(t), p);
}

/* "held" is listed with held_in_here() on its stack (any line). */
static void
assert_held_named(struct dump *d)
{
	struct listed *t;

	ck_assert_int_eq(d->nt, 1);
	t = find_listed(d->t, d->nt, "held");
	if (!have_stacks) {
		ck_assert_msg(t->nstack == 1 && strcmp(t->stack[0],
		    built_without) == 0, "under held: %s", t->stack[0]);
		return;
	}
	ck_assert_msg(frame_of(t, "held_in_here") >= 0, "no held_in_here in "
	    "the stack:\n%s", d->text);
}

/* The one line under "held" is want (built_without without stacks). */
static void
assert_held_line(struct dump *d, const char *want)
{
	struct listed *t;

	ck_assert_int_eq(d->nt, 1);
	t = find_listed(d->t, d->nt, "held");
	if (!have_stacks)
		want = built_without;
	ck_assert_msg(t->nstack == 1 && strcmp(t->stack[0], want) == 0,
	    "under held: %s\nwant: %s", t->nstack ? t->stack[0] : "(nothing)",
	    want);
}

/* EINVAL, EBUSY, 0 turns stacks off, get returns what was set. */
START_TEST(errors_and_signal_choice)
{
	struct placed p;
	struct sigaction sa;
	struct dump d;
	exeunt_thread_t *t;
	int bad[] = { SIGUSR1, -1, SIGRTMAX + 1, SIGRTMIN - 1, SIGKILL };
	size_t i;

	ck_assert_int_eq(exeunt_dump_stacks(NULL), EINVAL);
	ck_assert_int_eq(exeunt_get_stack_signal(), SIGRTMAX - 3);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(exeunt_set_stack_signal(bad[i]) == EINVAL,
		    "signal %d accepted", bad[i]);
	ck_assert_int_eq(exeunt_get_stack_signal(), SIGRTMAX - 3);

	/* A signal the program handles, or ignores, is refused. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	ck_assert_int_eq(sigaction(SIGRTMIN + 2, &sa, NULL), 0);
	ck_assert_int_eq(exeunt_set_stack_signal(SIGRTMIN + 2), EBUSY);
	ck_assert_int_eq(exeunt_get_stack_signal(), SIGRTMAX - 3);

	t = start_held_thread(&p);
	ck_assert_int_eq(exeunt_set_stack_signal(0), 0);
	ck_assert_int_eq(exeunt_get_stack_signal(), 0);
	dump_now(&d);
	assert_held_line(&d, turned_off);
	dump_free(&d);

	ck_assert_int_eq(exeunt_set_stack_signal(SIGRTMIN + 3), 0);
	ck_assert_int_eq(exeunt_get_stack_signal(), SIGRTMIN + 3);
	dump_now(&d);
	assert_held_named(&d);
	dump_free(&d);
	end_held_thread(t, &p);
}
END_TEST

/* No registered thread: the heading alone. */
START_TEST(dump_no_threads)
{
	struct dump d;

	dump_now(&d);
	ck_assert_int_eq(d.n, 1);
	ck_assert_str_eq(d.line[0],
	    "exeunt: phase running, 0 registered threads unfinished");
	dump_free(&d);
}
END_TEST

/* EIO when writing fails. */
START_TEST(dump_write_error_is_eio)
{
	struct placed p;
	exeunt_thread_t *t;
	FILE *f;

	t = start_held_thread(&p);
	f = fopen("/dev/full", "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(setvbuf(f, NULL, _IONBF, 0), 0);
	ck_assert_int_eq(exeunt_dump_stacks(f), EIO);
	fclose(f);
	end_held_thread(t, &p);
}
END_TEST

static atomic_int program_handler_calls;

static void
program_handler(int signo)
{
	(void)signo;
	atomic_fetch_add(&program_handler_calls, 1);
}

static void
assert_program_handler_kept(int signo)
{
	struct sigaction sa;

	ck_assert_int_eq(sigaction(signo, NULL, &sa), 0);
	ck_assert_msg(!(sa.sa_flags & SA_SIGINFO) &&
	    sa.sa_handler == program_handler,
	    "the program's handler of signal %d was replaced", signo);
}

/*
 * The program's handler on the stack signal: the dump says so, never
 * replaces the handler nor calls it; another free signal then gives
 * stacks.  _i == 1: the handler replaces the library's after a dump.
 */
START_TEST(program_handler_on_stack_signal)
{
	struct placed p;
	struct sigaction sa;
	struct dump d;
	exeunt_thread_t *t;
	char want[160];
	int signo = SIGRTMAX - 3;

	t = start_held_thread(&p);
	if (_i == 1) {
		dump_now(&d);
		assert_held_named(&d);
		dump_free(&d);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = program_handler;
	ck_assert_int_eq(sigaction(signo, &sa, NULL), 0);
	dump_now(&d);
	snprintf(want, sizeof want, "(no stack: signal %d, the stack signal, "
	    "has a handler of the program's)", signo);
	assert_held_line(&d, want);
	dump_free(&d);
	assert_program_handler_kept(signo);
	ck_assert_int_eq(exeunt_set_stack_signal(signo), EBUSY);

	ck_assert_int_eq(exeunt_set_stack_signal(SIGRTMAX - 6), 0);
	dump_now(&d);
	assert_held_named(&d);
	dump_free(&d);
	assert_program_handler_kept(signo);
	ck_assert_int_eq(atomic_load(&program_handler_calls), 0);
	end_held_thread(t, &p);
}
END_TEST

static NOINLINE void
read_in_here(struct placed *p)
{
	gate_open(&p->ready);
	p->nread = read(p->fd, p->buf, sizeof p->buf);
	p->read_errno = errno;
	atomic_store(&p->returned, 1);
}

static void *
start_reading(void *arg)
{
	struct placed *p = arg;

	atomic_store(&p->tid, test_gettid());
	read_in_here(p);
	return p;
}

/*
 * SA_RESTART: a read() on a pipe that the stack signal interrupts goes
 * on, and returns the data written after the dump (not -1, EINTR).
 */
START_TEST(interrupted_read_is_restarted)
{
	struct placed p;
	struct dump d;
	exeunt_thread_t *t;
	struct listed *l;
	int fds[2];

	placed_init(&p);
	ck_assert_int_eq(pipe(fds), 0);
	p.fd = fds[0];
	t = start_named("reader", start_reading, &p);
	gate_wait(&p.ready);
	ck_assert(wait_until_sleeping(atomic_load(&p.tid)));
	dump_now(&d);
	ck_assert_int_eq(d.nt, 1);
	l = find_listed(d.t, d.nt, "reader");
	if (have_stacks)
		/* Its handler ran: the read was interrupted. */
		ck_assert_msg(frame_of(l, "read_in_here") >= 0, "no "
		    "read_in_here in:\n%s", d.text);
	dump_free(&d);
	ck_assert_msg(!atomic_load(&p.returned), "read() returned %zd "
	    "(%s) before any data", p.nread, strerror(p.read_errno));
	ck_assert_int_eq(write(fds[1], "data", 4), 4);
	ck_assert_ptr_eq(join_or_fail(t), &p);
	ck_assert_msg(p.nread == 4, "read() returned %zd (%s)", p.nread,
	    p.nread < 0 ? strerror(p.read_errno) : "short");
	ck_assert(memcmp(p.buf, "data", 4) == 0);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

#define ERRNO_MARK 12345

static NOINLINE void
spin_in_here(struct placed *p)
{
	struct timespec deadline = deadline_in(POLL_DEADLINE_MS);
	unsigned long loops = 0;

	errno = ERRNO_MARK;
	gate_open(&p->ready);
	errno = ERRNO_MARK;
	/* No call that may set errno while the test dumps. */
	while (atomic_load(&p->spin))
		if (++loops % 1000000 == 0 && deadline_passed(&deadline))
			break;
	p->errno_after = errno;
}

static void *
start_spinning(void *arg)
{
	struct placed *p = arg;

	atomic_store(&p->tid, test_gettid());
	spin_in_here(p);
	return p;
}

/* The handler keeps errno of the thread it interrupts. */
START_TEST(errno_kept)
{
	struct placed p;
	struct dump d;
	exeunt_thread_t *t;
	struct listed *l;

	placed_init(&p);
	atomic_store(&p.spin, 1);
	t = start_named("spinner", start_spinning, &p);
	gate_wait(&p.ready);
	dump_now(&d);
	l = find_listed(d.t, d.nt, "spinner");
	if (have_stacks)
		ck_assert_msg(frame_of(l, "spin_in_here") >= 0, "no "
		    "spin_in_here in:\n%s", d.text);
	dump_free(&d);
	atomic_store(&p.spin, 0);
	ck_assert_ptr_eq(join_or_fail(t), &p);
	ck_assert_int_eq(p.errno_after, ERRNO_MARK);
}
END_TEST

/* 200 registered threads: each listed, each with frames or a line. */
#define MANY 200

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int placed;
} many = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };

static NOINLINE int
many_wait_here(void)
{
	int rc;

	pthread_mutex_lock(&many.mu);
	many.placed++;
	pthread_cond_broadcast(&many.cv);
	pthread_mutex_unlock(&many.mu);
	rc = exeunt_wait_stop(NULL);
	return rc + 1;
}

static void *
start_many(void *arg)
{
	(void)arg;
	return many_wait_here() == 1 ? arg : NULL;
}

START_TEST(dump_many_threads)
{
	static exeunt_thread_t *t[MANY];
	static struct dump d;
	char want[80];
	int i, seen[MANY + 1] = { 0 };

	for (i = 0; i < MANY; i++)
		t[i] = create_or_fail(NULL, start_many, &t[i]);
	pthread_mutex_lock(&many.mu);
	while (many.placed < MANY)
		pthread_cond_wait(&many.cv, &many.mu);
	pthread_mutex_unlock(&many.mu);
	dump_now(&d);
	snprintf(want, sizeof want, "exeunt: phase running, %d registered "
	    "threads unfinished", MANY);
	ck_assert_str_eq(d.line[0], want);
	ck_assert_int_eq(d.nt, MANY);
	for (i = 0; i < MANY; i++) {
		ck_assert_msg(d.t[i].nstack >= 1, "nothing under seq %llu",
		    d.t[i].seq);
		ck_assert(d.t[i].seq >= 1 && d.t[i].seq <= MANY &&
		    !seen[d.t[i].seq]);
		seen[d.t[i].seq] = 1;
		if (!have_stacks)
			ck_assert_str_eq(d.t[i].stack[0], built_without);
	}
	dump_free(&d);
	/* The process goes on. */
	for (i = 0; i < MANY; i++)
		ck_assert_int_eq(exeunt_thread_request_stop(t[i]), 0);
	for (i = 0; i < MANY; i++)
		ck_assert_ptr_eq(join_or_fail(t[i]), &t[i]);
}
END_TEST

/*
 * At most 32 frames, then "(more frames)".  deep() calls itself through
 * a volatile pointer, which the compiler cannot turn into a loop, so
 * each level keeps a frame.
 */
static int deep(struct placed *p, int depth);
static int (*volatile deep_call)(struct placed *, int) = deep;

static NOINLINE int
deep(struct placed *p, int depth)
{
	if (depth == 0) {
		held_in_here(p);
		return 0;
	}
	return deep_call(p, depth - 1) + 1;
}

static void *
start_deep(void *arg)
{
	struct placed *p = arg;

	atomic_store(&p->tid, test_gettid());
	return deep(p, 40) == 40 ? p : NULL;
}

START_TEST(more_frames_line)
{
	struct placed p;
	struct dump d;
	exeunt_thread_t *t;
	struct listed *l;

	placed_init(&p);
	t = start_named("held", start_deep, &p);
	gate_wait(&p.ready);
	ck_assert(wait_until_sleeping(atomic_load(&p.tid)));
	dump_now(&d);
	l = find_listed(d.t, d.nt, "held");
	if (have_stacks) {
		ck_assert_msg(l->nstack == 33 &&
		    strcmp(l->stack[32], "(more frames)") == 0,
		    "%d lines under held:\n%s", l->nstack, d.text);
		ck_assert_msg(frame_of(l, "held_in_here") >= 0 &&
		    frame_of(l, "deep") >= 0, "%s", d.text);
	} else {
		ck_assert_str_eq(l->stack[0], built_without);
	}
	dump_free(&d);
	end_held_thread(t, &p);
}
END_TEST

/*
 * exeunt_dump_stacks() is no cancellation point: a thread with a
 * pending deferred cancellation dumps, and its dump returns.
 */
struct canceller {
	struct gate ready;
	struct gate cancelled;
	atomic_int dumped;
	int rc;
	char *text;
	size_t len;
};

static NOINLINE void
dump_cancelled(struct canceller *c)
{
	FILE *f = open_memstream(&c->text, &c->len);
	int old;

	if (f == NULL)
		return;
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
	c->rc = exeunt_dump_stacks(f);
	/* Reached only if the dump did not act on the cancellation. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	atomic_store(&c->dumped, 1);
	fclose(f);
}

static void *
start_cancel_target(void *arg)
{
	struct canceller *c = arg;
	int old;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	pthread_setcanceltype(PTHREAD_CANCEL_DEFERRED, &old);
	gate_open(&c->ready);
	gate_wait(&c->cancelled);
	dump_cancelled(c);
	/* Cancellation stays disabled: the thread returns c. */
	return c;
}

START_TEST(dump_is_no_cancellation_point)
{
	struct canceller c;
	struct placed p;
	exeunt_thread_t *t, *h;
	char *line[MAX_LINES];
	struct listed l[4];
	int n;

	memset(&c, 0, sizeof c);
	gate_init(&c.ready);
	gate_init(&c.cancelled);
	c.rc = -1;
	h = start_held_thread(&p);
	t = start_named("target", start_cancel_target, &c);
	gate_wait(&c.ready);
	ck_assert_int_eq(pthread_cancel(exeunt_thread_pthread(t)), 0);
	gate_open(&c.cancelled);
	ck_assert_ptr_eq(join_or_fail(t), &c);
	ck_assert_msg(atomic_load(&c.dumped), "the dump was cancelled");
	ck_assert_int_eq(c.rc, 0);
	n = split_lines(c.text, line, MAX_LINES);
	ck_assert_int_eq(parse_listed(line, n, "  seq ", "    ", l, 4), 2);
	if (have_stacks) {
		ck_assert_int_eq(frame_of(find_listed(l, 2, "target"),
		    "dump_cancelled"), 0);
		ck_assert(frame_of(find_listed(l, 2, "held"),
		    "held_in_here") >= 0);
	}
	free(c.text);
	end_held_thread(h, &p);
}
END_TEST

Suite *
make_stacks_suite(void)
{
	Suite *s = suite_create("stacks");
	TCase *nm = tcase_create("names");
	TCase *sc = tcase_create("scenario");
	TCase *rp = tcase_create("report");
	TCase *un = tcase_create("dump");
	TCase *rs = tcase_create("restart");

	/*
	 * Threads blocked in read() or in exeunt_wait_stop()'s futex.
	 * ThreadSanitizer runs a program's handler only when the thread
	 * next passes through its runtime, unless it waits in a call TSan
	 * counts as blocking (pthread_cond_wait, nanosleep, ...): these
	 * threads never answer within the 0.5 s there, and get the
	 * no-answer line instead of their stacks.
	 */
	tcase_set_timeout(nm, SCENARIO_TIMEOUT);
	tcase_set_tags(nm, "no-tsan");
	/* With shared and with static libexeunt (linked()). */
	tcase_add_loop_test(nm, dump_names_static_functions, 0, LINKAGES);
	tcase_add_loop_test(nm, report_names_static_functions, 0, LINKAGES);
	tcase_add_test(nm, report_blocked_thread_bounded);
	tcase_add_test(nm, report_hook_gets_stack_lines);
	tcase_add_loop_test(nm, report_written_before_hooks, 0, LINKAGES);
	suite_add_tcase(s, nm);

	tcase_set_timeout(sc, SCENARIO_TIMEOUT);
	tcase_add_test(sc, dump_thread_lines);
	tcase_add_loop_test(sc, dump_in_fork_child, 0, LINKAGES);
	suite_add_tcase(s, sc);

	tcase_set_timeout(rp, SCENARIO_TIMEOUT);
	/* 0: EXEUNT_STACKS=0; 1: exeunt_set_stack_signal(0). */
	tcase_add_loop_test(rp, report_without_stacks, 0, 2);
	suite_add_tcase(s, rp);

	tcase_set_timeout(un, UNIT_TIMEOUT);
	tcase_add_test(un, errors_and_signal_choice);
	tcase_add_test(un, dump_no_threads);
	tcase_add_test(un, dump_write_error_is_eio);
	tcase_add_loop_test(un, program_handler_on_stack_signal, 0, 2);
	tcase_add_test(un, errno_kept);
	tcase_add_test(un, dump_many_threads);
	tcase_add_test(un, more_frames_line);
	tcase_add_test(un, dump_is_no_cancellation_point);
	suite_add_tcase(s, un);

	/* A thread in read(): as "names" under ThreadSanitizer. */
	tcase_set_timeout(rs, UNIT_TIMEOUT);
	tcase_set_tags(rs, "no-tsan");
	tcase_add_test(rs, interrupted_read_is_restarted);
	suite_add_tcase(s, rs);
	return s;
}
