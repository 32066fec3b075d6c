/*
 * Deadlines: exeunt_set_timeout(3), the overrun actions and their report,
 * and the EXEUNT_TIMEOUT and EXEUNT_ON_TIMEOUT variables.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * The deadlines are short (200 ms, times CK_TIMEOUT_MULTIPLIER) and no
 * test measures time: each asserts on what happened (which lines, which
 * status).  The report's phase and callback states are asserted where the
 * scenario makes them certain: a callback that blocks forever keeps the
 * shutdown in its terminate phase; a thread that ignores its stop keeps
 * it in its join phase once the quick callbacks have returned.
 */
#include "tests.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static struct child ch;

/* The deadline the scenarios set, in milliseconds, scaled. */
static long
limit_ms(void)
{
	return (long)(200 * test_scale());
}

/* "0.200s": how the report writes a deadline of ms milliseconds. */
static void
seconds(char *buf, size_t len, long ms)
{
	snprintf(buf, len, "%ld.%03lds", ms / 1000, ms % 1000);
}

struct want_thread {
	unsigned long long seq;
	const char *name;
	int tid;
	int daemon;
	const char *state;	/* NULL: any of the four */
};

static const char *const states[] = {
	"no terminate callback", "terminate callback not called",
	"terminate callback running", "terminate callback returned"
};

/* line is "exeunt:   seq N "name" tid T daemon|non-daemon age S.SSSs STATE". */
static void
assert_thread_line(const char *line, const struct want_thread *w)
{
	char prefix[160];
	const char *p;
	size_t len;
	int i, ok;

	snprintf(prefix, sizeof prefix, "exeunt:   seq %llu \"%s\" tid %d %s "
	    "age ", w->seq, w->name, w->tid, w->daemon ? "daemon" :
	    "non-daemon");
	len = strlen(prefix);
	ck_assert_msg(strncmp(line, prefix, len) == 0,
	    "report line:\n%s\nwant it to begin:\n%s", line, prefix);
	p = line + len;
	while (*p >= '0' && *p <= '9')
		p++;
	ok = p > line + len && p[0] == '.' && p[1] >= '0' && p[1] <= '9' &&
	    p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9' &&
	    p[4] == 's' && p[5] == ' ';
	ck_assert_msg(ok, "report line:\n%s\nwant an age like 1.204s", line);
	p += 6;
	if (w->state != NULL) {
		ck_assert_msg(strcmp(p, w->state) == 0,
		    "report line:\n%s\nwant state \"%s\"", line, w->state);
		return;
	}
	for (i = 0, ok = 0; i < 4; i++)
		ok |= strcmp(p, states[i]) == 0;
	ck_assert_msg(ok, "report line:\n%s\nwant a callback state", line);
}

/*
 * Lines line[0..] are the whole report: the heading, one line per
 * unfinished thread (newest first) and the action.  phase NULL: the
 * terminate or the join phase.
 */
static void
assert_report(char **line, int n, long ms, const char *phase,
    const struct want_thread *w, int nw, const char *action)
{
	char want[256], secs[32];
	int i;

	ck_assert_msg(n == nw + 2, "report of %d lines, want %d", n, nw + 2);
	seconds(secs, sizeof secs, ms);
	if (phase != NULL) {
		snprintf(want, sizeof want, "exeunt: shutdown deadline of %s "
		    "passed in phase %s; %d threads unfinished:", secs, phase,
		    nw);
		ck_assert_msg(strcmp(line[0], want) == 0,
		    "report heading:\n%s\nwant:\n%s", line[0], want);
	} else {
		char alt[256];

		snprintf(want, sizeof want, "exeunt: shutdown deadline of %s "
		    "passed in phase terminating; %d threads unfinished:",
		    secs, nw);
		snprintf(alt, sizeof alt, "exeunt: shutdown deadline of %s "
		    "passed in phase joining; %d threads unfinished:", secs,
		    nw);
		ck_assert_msg(strcmp(line[0], want) == 0 ||
		    strcmp(line[0], alt) == 0,
		    "report heading:\n%s\nwant:\n%s", line[0], want);
	}
	for (i = 0; i < nw; i++)
		assert_thread_line(line[1 + i], &w[i]);
	snprintf(want, sizeof want, "exeunt: action: %s", action);
	ck_assert_msg(strcmp(line[1 + nw], want) == 0,
	    "report's last line:\n%s\nwant:\n%s", line[1 + nw], want);
}

/* The kernel thread ids from the scenario's first line. */
static void
scenario_tids(const struct child *c, int tid[3])
{
	ck_assert_msg(sscanf(c->out_buf, "tids %d %d %d", &tid[0], &tid[1],
	    &tid[2]) == 3, "no tids line in:\n%s", c->out_buf);
}

/*
 * What EXIT (_exit) and ABORT (abort) leave of stdio's buffer: glibc's
 * _exit() and abort() do not write it, but ThreadSanitizer's flush it,
 * and valgrind's clean-up does in some runs and not in others.  Whether
 * it is written is not the library's doing: the tests accept both
 * (EITHER), and check what matters, that no hook and no atexit handler
 * ran.
 */
#define EITHER "(flushed or not)"

/* The stdout of the "stuck" shape, from its tids line to the end. */
static void
assert_stuck_out(const struct child *c, const int tid[3], const char *rest)
{
	char want[512], flushed[sizeof(want) + 16];

	if (strcmp(rest, EITHER) == 0) {
		snprintf(want, sizeof want, "tids %d %d 0\nmain exits\n"
		    "terminate stuck\n", tid[0], tid[1]);
		snprintf(flushed, sizeof flushed, "%sstdio tail", want);
		ck_assert_msg(strcmp(c->out_buf, want) == 0 ||
		    strcmp(c->out_buf, flushed) == 0,
		    "printed:\n%s\n--- instead of:\n%s[stdio tail]",
		    c->out_buf, want);
		return;
	}
	snprintf(want, sizeof want, "tids %d %d 0\nmain exits\n"
	    "terminate stuck\n%s", tid[0], tid[1], rest);
	child_assert_out(c, want);
}

/*
 * The stderr lines of c, in place (c's buffer is split), but for the
 * lines of the threads' call stacks ("exeunt:     "), which the report
 * has where the library was built with them (check_stacks.c checks
 * those); each must follow a thread's line or another stack line.
 */
static int
err_lines(struct child *c, char **line, int max)
{
	char *all[512];
	int n = split_lines(c->err_buf, all, 512), i, kept = 0;
	int after_thread = 0;

	for (i = 0; i < n; i++) {
		if (strncmp(all[i], "exeunt:     ", 12) == 0) {
			ck_assert_msg(after_thread, "stack line where no "
			    "thread's line comes before it:\n%s", all[i]);
			continue;
		}
		after_thread = strncmp(all[i], "exeunt:   seq ", 14) == 0;
		if (kept < max)
			line[kept] = all[i];
		kept++;
	}
	return kept < max ? kept : max;
}

static void
stuck_threads(struct want_thread w[2], const int tid[3], int exact)
{
	struct want_thread idle = { 2, "idle", tid[1], 1,
	    "no terminate callback" };
	struct want_thread stuck = { 1, "stuck", tid[0], 0,
	    exact ? "terminate callback returned" : NULL };

	w[0] = idle;
	w[1] = stuck;
}

/* Runs scenario_deadline with action ms shape and extra environment. */
static void
run_deadline(const char *action, long ms, const char *shape,
    const char *const *env, int flags)
{
	char msbuf[32];
	const char *args[] = { action, msbuf, shape, NULL };

	snprintf(msbuf, sizeof msbuf, "%ld", ms);
	child_run(&ch, "scenario_deadline", args, env, flags);
}

/* exeunt_set_timeout(3) in this process ------------------------------ */

START_TEST(set_timeout_einval)
{
	const struct timespec bad[] = {
		{ -1, 0 }, { 0, -1 }, { 0, 1000000000L }, { -1, 999999999L },
		{ 5, 1000000000L },
	};
	struct timespec ok = { 0, 0 }, max = { 0, 999999999L };
	struct timespec big = { 1000000, 0 };
	size_t i;
	int a;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(exeunt_set_timeout(&bad[i],
		    EXEUNT_OVERRUN_PROCEED) == EINVAL, "{ %lld, %ld } accepted",
		    (long long)bad[i].tv_sec, bad[i].tv_nsec);
	ck_assert_int_eq(exeunt_set_timeout(&ok, (enum exeunt_overrun)4),
	    EINVAL);
	ck_assert_int_eq(exeunt_set_timeout(&ok, (enum exeunt_overrun)-1),
	    EINVAL);
	ck_assert_int_eq(exeunt_set_timeout(NULL, (enum exeunt_overrun)4),
	    EINVAL);
	for (a = EXEUNT_OVERRUN_WAIT; a <= EXEUNT_OVERRUN_ABORT; a++) {
		ck_assert_int_eq(exeunt_set_timeout(&ok,
		    (enum exeunt_overrun)a), 0);
		ck_assert_int_eq(exeunt_set_timeout(NULL,
		    (enum exeunt_overrun)a), 0);
	}
	ck_assert_int_eq(exeunt_set_timeout(&max, EXEUNT_OVERRUN_EXIT), 0);
	ck_assert_int_eq(exeunt_set_timeout(&big, EXEUNT_OVERRUN_ABORT), 0);
	ck_assert_int_eq(exeunt_set_timeout(NULL, EXEUNT_OVERRUN_WAIT), 0);
}
END_TEST

static int busy_term = -1, busy_hook = -1, busy_thread = -1;
static const struct timespec busy_limit = { 5, 0 };

static void
terminate_busy(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	busy_term = exeunt_set_timeout(&busy_limit, EXEUNT_OVERRUN_PROCEED);
}

static void
hook_busy(void *arg)
{
	(void)arg;
	busy_hook = exeunt_set_timeout(NULL, EXEUNT_OVERRUN_WAIT);
}

static void *
start_busy(void *arg)
{
	exeunt_wait_stop(NULL);
	busy_thread = exeunt_set_timeout(&busy_limit, EXEUNT_OVERRUN_EXIT);
	return arg;
}

/* While a shutdown runs: EBUSY, from its callbacks, hooks and others. */
START_TEST(set_timeout_ebusy_during_shutdown)
{
	exeunt_attr_t a;
	exeunt_thread_t *t;

	ck_assert_int_eq(exeunt_atexit(hook_busy, NULL), 0);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(&a, terminate_busy, NULL),
	    0);
	t = create_or_fail(&a, start_busy, NULL);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq(busy_term, EBUSY);
	ck_assert_int_eq(busy_hook, EBUSY);
	join_or_fail(t);
	ck_assert_int_eq(busy_thread, EBUSY);
}
END_TEST

/* Overrun actions ----------------------------------------------------- */

/*
 * WAIT: the report, once, then the shutdown keeps waiting; the thread,
 * released by the test after the report, finishes and exit goes on.
 */
START_TEST(deadline_wait_reports_and_waits)
{
	char msbuf[32], *line[16];
	const char *args[] = { "wait", msbuf, "stuck", NULL };
	struct want_thread w[2];
	long ms = limit_ms();
	int tid[3], n;

	snprintf(msbuf, sizeof msbuf, "%ld", ms);
	child_start(&ch, "scenario_deadline", args, NULL, 0);
	ck_assert_msg(child_await(&ch, CHILD_STDERR, "exeunt: action: wait\n"),
	    "no report; stdout:\n%s\n--- stderr:\n%s", ch.out_buf,
	    ch.err_buf);
	ck_assert_msg(strstr(ch.out_buf, "hook") == NULL,
	    "the hooks ran before the thread was released:\n%s", ch.out_buf);
	child_write(&ch, "go\n");
	child_finish(&ch);
	child_assert_exit(&ch, 3);
	scenario_tids(&ch, tid);
	assert_stuck_out(&ch, tid, "stuck released\nhook 1\natexit before\n"
	    "stdio tail");
	stuck_threads(w, tid, 1);
	n = err_lines(&ch, line, 16);
	assert_report(line, n, ms, "joining", w, 2, "wait");
}
END_TEST

/* PROCEED: the straggler is abandoned, hooks and exit go on: status 3. */
START_TEST(deadline_proceed_abandons)
{
	struct want_thread w[2];
	char *line[16];
	long ms = limit_ms();
	int tid[3], n;

	run_deadline("proceed", ms, "stuck", NULL, 0);
	child_assert_exit(&ch, 3);
	scenario_tids(&ch, tid);
	assert_stuck_out(&ch, tid, "hook 1\natexit before\nstdio tail");
	stuck_threads(w, tid, 1);
	n = err_lines(&ch, line, 16);
	assert_report(line, n, ms, "joining", w, 2, "proceed");
}
END_TEST

/* EXIT: _exit(124) after the report: no hooks, handlers or flush. */
START_TEST(deadline_exit_124)
{
	struct want_thread w[2];
	char *line[16];
	long ms = limit_ms();
	int tid[3], n;

	run_deadline("exit", ms, "stuck", NULL, 0);
	child_assert_exit(&ch, EXEUNT_EXIT_TIMEOUT);
	ck_assert_int_eq(EXEUNT_EXIT_TIMEOUT, 124);
	scenario_tids(&ch, tid);
	assert_stuck_out(&ch, tid, EITHER);
	stuck_threads(w, tid, 1);
	n = err_lines(&ch, line, 16);
	assert_report(line, n, ms, "joining", w, 2, "exit");
}
END_TEST

/* ABORT: abort() after the report (core dumps off in the child). */
START_TEST(deadline_abort)
{
	struct want_thread w[2];
	char *line[16];
	long ms = limit_ms();
	int tid[3], n;

	run_deadline("abort", ms, "stuck", NULL, CHILD_NO_CORE);
	child_assert_signal(&ch, SIGABRT);
	scenario_tids(&ch, tid);
	assert_stuck_out(&ch, tid, EITHER);
	stuck_threads(w, tid, 1);
	n = err_lines(&ch, line, 16);
	assert_report(line, n, ms, "joining", w, 2, "abort");
}
END_TEST

static void
blocker_threads(struct want_thread w[3], const int tid[3])
{
	struct want_thread late = { 3, "late", tid[2], 1,
	    "terminate callback returned" };
	struct want_thread blocker = { 2, "blocker", tid[1], 0,
	    "terminate callback running" };
	struct want_thread worker = { 1, "worker", tid[0], 0,
	    "terminate callback not called" };

	w[0] = late;
	w[1] = blocker;
	w[2] = worker;
}

/*
 * A terminate callback that never returns, PROCEED, shutdown started by
 * exit(3): the watchdog stops the rest, runs the hooks, flushes stdio and
 * ends the process with 3.  The exit handlers that exit() would run after
 * the coordinator ("atexit before") belong to the blocked thread: they do
 * not run, on any C library.
 */
START_TEST(deadline_blocked_callback_exit)
{
	struct want_thread w[3];
	char want[512], *line[16];
	long ms = limit_ms();
	int tid[3], n;

	/* exit(), or return from main: both come through the library, which
	 * has not called the C library's exit() yet; the watchdog calls it,
	 * so the atexit handler runs and the status is main's. */
	run_deadline("proceed", ms, _i == 0 ? "blocker" : "blocker-return",
	    NULL, 0);
	child_assert_exit(&ch, 3);
	scenario_tids(&ch, tid);
	snprintf(want, sizeof want, "tids %d %d %d\n"
	    "%s\n"
	    "terminate late\n"
	    "blocker callback blocks\n"
	    "terminate worker\n"
	    "hook 1\n"
	    "%s"
	    "stdio tail", tid[0], tid[1], tid[2],
	    _i == 0 ? "main exits" : "main returns", "atexit before\n");
	child_assert_out(&ch, want);
	blocker_threads(w, tid);
	n = err_lines(&ch, line, 16);
	assert_report(line, n, ms, "terminating", w, 3, "proceed");
}
END_TEST

/*
 * The same, and a hook that the watchdog runs calls exit(7): the hooks
 * left run, then the C library's exit(), with that status.
 */
START_TEST(deadline_blocked_callback_hook_exits)
{
	char want[512];
	long ms = limit_ms();
	int tid[3];

	run_deadline("proceed", ms, "blocker-hookexit", NULL, 0);
	child_assert_exit(&ch, 7);
	scenario_tids(&ch, tid);
	snprintf(want, sizeof want, "tids %d %d %d\n"
	    "main exits\n"
	    "terminate late\n"
	    "blocker callback blocks\n"
	    "terminate worker\n"
	    "hook 1\n"
	    "hook calls exit(7)\n"
	    "atexit before\n"
	    "stdio tail", tid[0], tid[1], tid[2]);
	child_assert_out(&ch, want);
}
END_TEST

/*
 * The same, started by exeunt_shutdown(): that call stays blocked, but
 * another thread waiting in exeunt_shutdown() is released at DONE.
 */
START_TEST(deadline_blocked_callback_shutdown)
{
	struct want_thread w[3];
	char want[512], *line[16];
	long ms = limit_ms();
	int tid[3], n;

	run_deadline("proceed", ms, "blocker-shutdown", NULL, 0);
	child_assert_exit(&ch, 5);
	scenario_tids(&ch, tid);
	snprintf(want, sizeof want, "tids %d %d %d\n"
	    "main calls exeunt_shutdown\n"
	    "terminate late\n"
	    "blocker callback blocks\n"
	    "terminate worker\n"
	    "hook 1\n"
	    "second caller: shutdown 0, DONE\n"
	    "atexit before\n"
	    "stdio tail", tid[0], tid[1], tid[2]);
	child_assert_out(&ch, want);
	blocker_threads(w, tid);
	n = err_lines(&ch, line, 16);
	assert_report(line, n, ms, "terminating", w, 3, "proceed");
}
END_TEST

/* The environment ------------------------------------------------------ */

struct env_form {
	const char *timeout;
	const char *on_timeout;	/* NULL: unset (proceed) */
	long ms;
	const char *action;
};

static const struct env_form forms[] = {
	{ "250ms", NULL, 250, "proceed" },
	{ "0.3s", "exit", 300, "exit" },
	{ "0.25", "abort", 250, "abort" },
	{ "1.5", "proceed", 1500, "proceed" },
	{ "2s", "wait", 2000, "wait" },
};

/* EXEUNT_TIMEOUT in its forms, with each EXEUNT_ON_TIMEOUT. */
START_TEST(env_timeout_forms)
{
	const struct env_form *f = &forms[_i];
	char tv[64], av[64], *line[16];
	const char *env[3] = { tv, NULL, NULL };
	const char *args[] = { "env", "0", "stuck", NULL };
	struct want_thread w[2];
	int tid[3], n;

	snprintf(tv, sizeof tv, "EXEUNT_TIMEOUT=%s", f->timeout);
	if (f->on_timeout != NULL) {
		snprintf(av, sizeof av, "EXEUNT_ON_TIMEOUT=%s", f->on_timeout);
		env[1] = av;
	}
	child_start(&ch, "scenario_deadline", args, env, CHILD_NO_CORE);
	if (strcmp(f->action, "wait") == 0) {
		ck_assert_msg(child_await(&ch, CHILD_STDERR,
		    "exeunt: action: wait\n"), "no report; stderr:\n%s",
		    ch.err_buf);
		child_write(&ch, "go\n");
	}
	child_finish(&ch);
	if (strcmp(f->action, "abort") == 0)
		child_assert_signal(&ch, SIGABRT);
	else if (strcmp(f->action, "exit") == 0)
		child_assert_exit(&ch, 124);
	else
		child_assert_exit(&ch, 3);
	scenario_tids(&ch, tid);
	if (strcmp(f->action, "proceed") == 0)
		assert_stuck_out(&ch, tid, "hook 1\natexit before\n"
		    "stdio tail");
	else if (strcmp(f->action, "wait") == 0)
		assert_stuck_out(&ch, tid, "stuck released\nhook 1\n"
		    "atexit before\nstdio tail");
	else
		assert_stuck_out(&ch, tid, EITHER);
	stuck_threads(w, tid, 0);
	n = err_lines(&ch, line, 16);
	assert_report(line, n, f->ms, NULL, w, 2, f->action);
}
END_TEST

/* EXEUNT_TIMEOUT=0: the report comes at once. */
START_TEST(env_timeout_zero)
{
	const char *const env[] = { "EXEUNT_TIMEOUT=0",
	    "EXEUNT_ON_TIMEOUT=exit", NULL };
	const char *args[] = { "env", "0", "stuck", NULL };
	struct want_thread w[2];
	char want[128], *line[16];
	const char *out;
	size_t len;
	int tid[3], n;

	child_run(&ch, "scenario_deadline", args, env, 0);
	child_assert_exit(&ch, 124);
	scenario_tids(&ch, tid);
	/* Whether the callback ran before the report is not certain. */
	snprintf(want, sizeof want, "tids %d %d 0\nmain exits\n", tid[0],
	    tid[1]);
	len = strlen(want);
	ck_assert_msg(strncmp(ch.out_buf, want, len) == 0,
	    "scenario_deadline printed:\n%s", ch.out_buf);
	/* Either stdio tail (EITHER), with or without the callback's line. */
	out = ch.out_buf + len;
	if (strncmp(out, "terminate stuck\n", 16) == 0)
		out += 16;
	ck_assert_msg(*out == '\0' || strcmp(out, "stdio tail") == 0,
	    "scenario_deadline printed:\n%s", ch.out_buf);
	stuck_threads(w, tid, 0);
	n = err_lines(&ch, line, 16);
	assert_report(line, n, 0, NULL, w, 2, "exit");
}
END_TEST

static const char *const bad_timeouts[] = {
	"abc", "-1", "10min", "1.2.3", "ms", "0x10", "1 s", "1e3", "inf",
};

/* An invalid EXEUNT_TIMEOUT: one line on stderr, and no deadline. */
START_TEST(env_timeout_invalid)
{
	char tv[64], head[96], *line[16];
	const char *env[] = { tv, "EXEUNT_ON_TIMEOUT=exit", NULL };
	const char *args[] = { "env", "0", "finishing", NULL };
	const char *tail = "keeping no deadline";
	int tid[3], n;
	size_t len;

	snprintf(tv, sizeof tv, "EXEUNT_TIMEOUT=%s", bad_timeouts[_i]);
	child_run(&ch, "scenario_deadline", args, env, CHILD_NO_CORE);
	child_assert_exit(&ch, 3);
	scenario_tids(&ch, tid);
	snprintf(head, sizeof head, "tids %d 0 0\nmain exits\n"
	    "terminate worker\nhook 1\natexit before\nstdio tail", tid[0]);
	child_assert_out(&ch, head);
	snprintf(head, sizeof head, "exeunt: ignoring EXEUNT_TIMEOUT=\"%s\"",
	    bad_timeouts[_i]);
	ck_assert_msg(ch.err_len > 0 && ch.err_buf[ch.err_len - 1] == '\n',
	    "want one whole line on stderr, got:\n%s", ch.err_buf);
	n = err_lines(&ch, line, 16);
	ck_assert_msg(n == 1, "%d lines on stderr, want 1", n);
	len = strlen(line[0]);
	ck_assert_msg(strncmp(line[0], head, strlen(head)) == 0 &&
	    len > strlen(tail) && strcmp(line[0] + len - strlen(tail),
	    tail) == 0, "stderr line:\n%s\nwant it to begin with:\n%s\n"
	    "and end with:\n%s", line[0], head, tail);
}
END_TEST

static const char *const bad_actions[] = { "kill", "waiting", "124" };

/* An invalid EXEUNT_ON_TIMEOUT: one line, and the default, proceed. */
START_TEST(env_on_timeout_invalid)
{
	char av[64], head[96], *line[16];
	const char *env[] = { "EXEUNT_TIMEOUT=250ms", av, NULL };
	const char *args[] = { "env", "0", "stuck", NULL };
	const char *tail = "keeping proceed";
	struct want_thread w[2];
	int tid[3], n;
	size_t len;

	snprintf(av, sizeof av, "EXEUNT_ON_TIMEOUT=%s", bad_actions[_i]);
	child_run(&ch, "scenario_deadline", args, env, CHILD_NO_CORE);
	child_assert_exit(&ch, 3);
	scenario_tids(&ch, tid);
	assert_stuck_out(&ch, tid, "hook 1\natexit before\nstdio tail");
	n = err_lines(&ch, line, 16);
	ck_assert_int_ge(n, 1);
	snprintf(head, sizeof head, "exeunt: ignoring EXEUNT_ON_TIMEOUT="
	    "\"%s\"", bad_actions[_i]);
	len = strlen(line[0]);
	ck_assert_msg(strncmp(line[0], head, strlen(head)) == 0 &&
	    len > strlen(tail) && strcmp(line[0] + len - strlen(tail),
	    tail) == 0, "stderr line:\n%s\nwant it to begin with:\n%s\n"
	    "and end with:\n%s", line[0], head, tail);
	stuck_threads(w, tid, 0);
	assert_report(line + 1, n - 1, 250, NULL, w, 2, "proceed");
}
END_TEST

/* EXEUNT_ON_TIMEOUT alone does nothing. */
START_TEST(env_on_timeout_alone)
{
	const char *const env[] = { "EXEUNT_ON_TIMEOUT=exit", NULL };
	const char *args[] = { "env", "0", "finishing", NULL };
	char want[128];
	int tid[3];

	child_run(&ch, "scenario_deadline", args, env, 0);
	child_assert_exit(&ch, 3);
	scenario_tids(&ch, tid);
	snprintf(want, sizeof want, "tids %d 0 0\nmain exits\n"
	    "terminate worker\nhook 1\natexit before\nstdio tail", tid[0]);
	child_assert_out(&ch, want);
	child_assert_quiet(&ch);
}
END_TEST

/*
 * exeunt_set_timeout() overrides both variables, even invalid ones
 * (they are not read, so not reported).
 */
START_TEST(set_timeout_overrides_env)
{
	static const char *const envs[][3] = {
		{ "EXEUNT_TIMEOUT=0", "EXEUNT_ON_TIMEOUT=exit", NULL },
		{ "EXEUNT_TIMEOUT=abc", "EXEUNT_ON_TIMEOUT=kill", NULL },
	};
	struct want_thread w[2];
	char *line[16];
	long ms = limit_ms();
	int tid[3], n;

	run_deadline("proceed", ms, "stuck", envs[_i], 0);
	child_assert_exit(&ch, 3);
	scenario_tids(&ch, tid);
	assert_stuck_out(&ch, tid, "hook 1\natexit before\nstdio tail");
	stuck_threads(w, tid, 1);
	n = err_lines(&ch, line, 16);
	assert_report(line, n, ms, "joining", w, 2, "proceed");
}
END_TEST

/* exeunt_set_timeout(NULL, ...) overrides them too: no deadline. */
START_TEST(set_timeout_null_overrides_env)
{
	const char *const env[] = { "EXEUNT_TIMEOUT=0",
	    "EXEUNT_ON_TIMEOUT=exit", NULL };
	char want[128];
	int tid[3];

	run_deadline("proceed", -1, "finishing", env, 0);
	child_assert_exit(&ch, 3);
	scenario_tids(&ch, tid);
	snprintf(want, sizeof want, "tids %d 0 0\nmain exits\n"
	    "terminate worker\nhook 1\natexit before\nstdio tail", tid[0]);
	child_assert_out(&ch, want);
	child_assert_quiet(&ch);
}
END_TEST

Suite *
make_deadline_suite(void)
{
	Suite *s = suite_create("deadline");
	TCase *un = tcase_create("set_timeout");
	TCase *ov = tcase_create("overrun");
	TCase *en = tcase_create("environment");

	tcase_set_timeout(un, UNIT_TIMEOUT);
	tcase_add_test(un, set_timeout_einval);
	tcase_add_test(un, set_timeout_ebusy_during_shutdown);
	suite_add_tcase(s, un);

	tcase_set_timeout(ov, SCENARIO_TIMEOUT);
	tcase_add_test(ov, deadline_wait_reports_and_waits);
	tcase_add_test(ov, deadline_proceed_abandons);
	tcase_add_test(ov, deadline_exit_124);
	tcase_add_test(ov, deadline_abort);
	tcase_add_loop_test(ov, deadline_blocked_callback_exit, 0, 2);
	tcase_add_test(ov, deadline_blocked_callback_hook_exits);
	tcase_add_test(ov, deadline_blocked_callback_shutdown);
	suite_add_tcase(s, ov);

	tcase_set_timeout(en, SCENARIO_TIMEOUT);
	tcase_add_loop_test(en, env_timeout_forms, 0,
	    (int)(sizeof forms / sizeof forms[0]));
	tcase_add_test(en, env_timeout_zero);
	tcase_add_loop_test(en, env_timeout_invalid, 0,
	    (int)(sizeof bad_timeouts / sizeof bad_timeouts[0]));
	tcase_add_loop_test(en, env_on_timeout_invalid, 0,
	    (int)(sizeof bad_actions / sizeof bad_actions[0]));
	tcase_add_test(en, env_on_timeout_alone);
	tcase_add_loop_test(en, set_timeout_overrides_env, 0, 2);
	tcase_add_test(en, set_timeout_null_overrides_env);
	suite_add_tcase(s, en);
	return s;
}
