/*
 * The report function, exeunt_set_report(3): scenario programs
 * (scenario_rp_*.c) run as children, their stdout (what the function got)
 * and stderr compared with the contract.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct child ch, ch2;

#define MAX_LINES 256

/* The function's lines, and no complaint of the scenario's. */
static void
assert_no_bad(const struct child *c)
{
	ck_assert_msg(strstr(c->out_buf, "BAD") == NULL,
	    "%s complained:\n%s", c->name, c->out_buf);
}

static void
run_route(struct child *c, const char *mode, int to_stderr,
    const char *const *env)
{
	const char *const args[] = { mode, to_stderr ? "stderr" : NULL, NULL };

	child_run(c, "scenario_rp_route", args, env, 0);
	child_assert_exit(c, 0);
	assert_no_bad(c);
}

/* exeunt_report(): its line, cut to 511 bytes, reaches the function in
 * the calling thread, without a newline, and nothing reaches stderr. */
START_TEST(report_line_goes_to_fn)
{
	char want[1024], x[503];

	/* 510 bytes, as on stderr before its newline. */
	memset(x, 'x', sizeof x - 1);
	x[sizeof x - 1] = '\0';
	run_route(&ch, "report", 0, NULL);
	snprintf(want, sizeof want, "fnm: exeunt: hello 42\nfnm: exeunt: "
	    "%s\nmain exits\n", x);
	child_assert_out(&ch, want);
	child_assert_quiet(&ch);
}
END_TEST

/* NULL sets stderr back. */
START_TEST(report_null_restores_stderr)
{
	run_route(&ch, "null", 0, NULL);
	child_assert_out(&ch, "fnm: exeunt: one\nset NULL: 0\nmain exits\n");
	ck_assert_msg(ch.err_len == strlen("exeunt: two\n") &&
	    strcmp(ch.err_buf, "exeunt: two\n") == 0, "stderr:\n%s",
	    ch.err_buf);
}
END_TEST

/*
 * From inside the function: exeunt_set_report() is EDEADLK (with a
 * function or NULL), exeunt_report() writes to stderr without deadlock
 * or recursion, the library can be called, and the setting stays.
 */
START_TEST(report_inside_fn)
{
	run_route(&ch, "inner", 0, NULL);
	child_assert_out(&ch, "fnm: exeunt: outer\n"
	    "in fn: set EDEADLK, set NULL EDEADLK, report 0, count 0\n"
	    "fnm: exeunt: after\nmain exits\n");
	ck_assert_msg(strcmp(ch.err_buf, "exeunt: inner\n") == 0,
	    "stderr:\n%s", ch.err_buf);
}
END_TEST

/*
 * A rejected environment variable: the warning reaches the function,
 * from the exiting thread that read it, exactly as it appears on stderr
 * without one; nothing reaches stderr.
 */
START_TEST(report_env_warning)
{
	static const char *const envs[][3] = {
		{ "EXEUNT_TIMEOUT=bogus", NULL, NULL },
		{ "EXEUNT_TIMEOUT=5s", "EXEUNT_ON_TIMEOUT=bogus", NULL },
	};
	char want[1024];

	run_route(&ch2, "env", 1, envs[_i]);
	child_assert_out(&ch2, "main exits\n");
	ck_assert_msg(ch2.err_len > 9 && strncmp(ch2.err_buf, "exeunt: "
	    "ignoring EXEUNT_", 24) == 0 && strchr(ch2.err_buf, '\n') ==
	    ch2.err_buf + ch2.err_len - 1, "stderr without a function:\n%s",
	    ch2.err_buf);
	run_route(&ch, "env", 0, envs[_i]);
	child_assert_quiet(&ch);
	snprintf(want, sizeof want, "main exits\nfnm: %.900s", ch2.err_buf);
	child_assert_out(&ch, want);
}
END_TEST

/* The message after "exeunt: [  12.345678] ", or NULL. */
static char *
trace_message(char *line)
{
	char *p;

	if (strncmp(line, "exeunt: [", 9) != 0)
		return NULL;
	p = line + 9 + strspn(line + 9, " ");
	if (strspn(p, "0123456789") == 0)
		return NULL;
	p += strspn(p, "0123456789");
	if (*p != '.' || strspn(p + 1, "0123456789") != 6 ||
	    strncmp(p + 7, "] ", 2) != 0)
		return NULL;
	return p + 9;
}

static int
find_msg(char **msg, int n, int from, const char *text)
{
	int i;

	for (i = from; i < n; i++)
		if (strncmp(msg[i], text, strlen(text)) == 0)
			return i;
	return -1;
}

/*
 * EXEUNT_DEBUG: every trace line reaches the function, in order (most
 * are made under the library's lock and passed once it is released),
 * the last one, "hooks end", too; nothing reaches stderr.
 */
START_TEST(report_trace)
{
	const char *const env[] = { "EXEUNT_DEBUG=1", NULL };
	static const char *const order[] = {
		"terminate phase begins",
		"terminate seq 3 \"d3\" called",
		"terminate seq 3 \"d3\" returned after ",
		"terminate seq 2 \"w2\" called",
		"terminate seq 1 \"w1\" returned after ",
		"terminate phase ends",
		"join phase begins",
		"join phase ends",
		"hooks begin",
		"hooks end",
	};
	char *line[MAX_LINES], *msg[MAX_LINES];
	int n, i, m = 0, at, w1, w2, hook = -1;

	run_route(&ch, "trace", 0, env);
	child_assert_quiet(&ch);
	n = split_lines(ch.out_buf, line, MAX_LINES);
	for (i = 0; i < n; i++) {
		if (strcmp(line[i], "hook 1") == 0)
			hook = m;
		if (strncmp(line[i], "fn", 2) != 0)
			continue;
		ck_assert_msg(strncmp(line[i], "fnm: ", 5) == 0 ||
		    strncmp(line[i], "fno: ", 5) == 0, "line: %s", line[i]);
		msg[m] = trace_message(line[i] + 5);
		ck_assert_msg(msg[m] != NULL, "not a trace line: %s",
		    line[i]);
		m++;
	}
	for (i = 0, at = 0; i < (int)(sizeof order / sizeof order[0]); i++) {
		at = find_msg(msg, m, at, order[i]);
		ck_assert_msg(at >= 0, "no \"%s\" in order", order[i]);
		at++;
	}
	ck_assert_str_eq(msg[m - 1], "hooks end");
	w1 = find_msg(msg, m, 0, "joined seq 1 \"w1\"");
	w2 = find_msg(msg, m, 0, "joined seq 2 \"w2\"");
	at = find_msg(msg, m, 0, "join phase begins");
	ck_assert_msg(w1 > at && w2 > at && w1 < find_msg(msg, m, 0,
	    "join phase ends") && w2 < find_msg(msg, m, 0, "join phase ends"),
	    "joined lines out of the join phase");
	/* The hook ran after "hooks begin" was passed. */
	ck_assert_msg(hook > find_msg(msg, m, 0, "hooks begin") &&
	    hook <= find_msg(msg, m, 0, "hooks end"), "hook 1 at %d", hook);
}
END_TEST

/* Digits replaced by '#': tids and ages differ between runs. */
static void
mask_digits(char *s)
{
	char *d = s;
	int digits = 0;

	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9') {
			if (!digits)
				*d++ = '#';
			digits = 1;
			continue;
		}
		digits = 0;
		*d++ = *s;
	}
	*d = '\0';
}

/*
 * The deadline report: every line reaches the function, from a thread of
 * the library's (not the exiting main thread), in the order and with the
 * text of stderr's report; consecutively, although
 * another thread's line is waiting for its turn from the first one on;
 * nothing reaches stderr.
 */
START_TEST(report_deadline)
{
	char *line[MAX_LINES], *want[MAX_LINES];
	int n, nw, i, first = -1;

	/* Without stacks, so that the two runs' reports are alike (the
	 * stacks in the report: check_stacks.c). */
	static const char *const env[] = { "EXEUNT_STACKS=0", NULL };

	run_route(&ch2, "deadline", 1, env);
	nw = split_lines(ch2.err_buf, want, MAX_LINES);
	ck_assert_msg(nw == 5, "stderr's report has %d lines", nw);
	run_route(&ch, "deadline", 0, env);
	child_assert_quiet(&ch);
	n = split_lines(ch.out_buf, line, MAX_LINES);
	for (i = 0; i < n && first < 0; i++)
		if (strncmp(line[i], "fno: exeunt: shutdown deadline", 30) ==
		    0)
			first = i;
	ck_assert_msg(first >= 0 && first + nw < n, "no report");
	for (i = 0; i < nw; i++) {
		ck_assert_msg(strncmp(line[first + i], "fno: ", 5) == 0,
		    "report line %d: %s", i, line[first + i]);
		mask_digits(line[first + i]);
		mask_digits(want[i]);
		ck_assert_str_eq(line[first + i] + 5, want[i]);
	}
	ck_assert_str_eq(line[first + nw], "fno: exeunt: noise");
}
END_TEST

/*
 * A report function that never returns holds up neither the deadline's
 * action nor the report: after a second, the report goes to stderr as
 * well, with a line that says why, and EXEUNT_OVERRUN_EXIT ends the
 * process with 124.  Without the bound, the child hangs in the function
 * and the test fails on its timeout.
 */
START_TEST(report_stuck_fn_does_not_hold_deadline)
{
	static const char *const env[] = { "EXEUNT_STACKS=0", NULL };
	char *line[MAX_LINES];
	int n;

	child_run(&ch, "scenario_rp_route", (const char *const[]){ "stuck",
	    NULL }, env, 0);
	child_assert_exit(&ch, 124);
	ck_assert_msg(strncmp(ch.out_buf, "main exits\nfno: exeunt: shutdown "
	    "deadline", 40) == 0, "stdout:\n%s", ch.out_buf);
	n = split_lines(ch.err_buf, line, MAX_LINES);
	ck_assert_msg(n == 4, "stderr has %d lines:\n%s", n, ch.err_buf);
	ck_assert_msg(strncmp(line[0], "exeunt: shutdown deadline", 25) == 0,
	    "stderr: %s", line[0]);
	ck_assert_str_eq(line[2], "exeunt: action: exit");
	ck_assert_str_eq(line[3], "exeunt: the report function did not "
	    "return within 1s: the report went to standard error too");
}
END_TEST

/*
 * Replacing the function while plain threads make lines: no call with an
 * argument whose replacement returned, none at the same time as another,
 * every line passed.
 */
START_TEST(report_swap_under_load)
{
	child_run(&ch, "scenario_rp_swap", NULL, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch, "ready 4, passed all, violations 0, "
	    "overlaps 0\n");
	child_assert_quiet(&ch);
}
END_TEST

/* A fork child keeps the function and its argument. */
START_TEST(report_fork_keeps_fn)
{
	const char *const args[] = { "keep", NULL };

	child_run(&ch, "scenario_rp_fork", args, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch, "fn: exeunt: in child\nchild status 0\n"
	    "main exits\n");
	child_assert_quiet(&ch);
}
END_TEST

/* Forked while another thread is inside the function: the child's lines
 * reach the function, no deadlock. */
START_TEST(report_fork_while_busy)
{
	const char *const args[] = { "busy", NULL };

	child_run(&ch, "scenario_rp_fork", args, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch, "fn: exeunt: hold\nfn: exeunt: in child\n"
	    "child status 0\nmain exits\n");
	child_assert_quiet(&ch);
}
END_TEST

/* Forked from inside the function: in the child, inside it, a line goes
 * to stderr; once it returned, lines reach it again. */
START_TEST(report_fork_inside_fn)
{
	const char *const args[] = { "infn", NULL };

	child_run(&ch, "scenario_rp_fork", args, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch, "fn: exeunt: fork\nfn: exeunt: child after\n"
	    "child status 0\nmain exits\n");
	ck_assert_msg(strcmp(ch.err_buf, "exeunt: child in fn\n") == 0,
	    "stderr:\n%s", ch.err_buf);
}
END_TEST

Suite *
make_report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *rt = tcase_create("route");
	TCase *sw = tcase_create("swap");
	TCase *fk = tcase_create("fork");

	tcase_set_timeout(rt, SCENARIO_TIMEOUT);
	tcase_add_test(rt, report_line_goes_to_fn);
	tcase_add_test(rt, report_null_restores_stderr);
	tcase_add_test(rt, report_inside_fn);
	tcase_add_loop_test(rt, report_env_warning, 0, 2);
	tcase_add_test(rt, report_trace);
	tcase_add_test(rt, report_deadline);
	tcase_add_test(rt, report_stuck_fn_does_not_hold_deadline);
	suite_add_tcase(s, rt);

	tcase_set_timeout(sw, SCENARIO_TIMEOUT);
	tcase_add_test(sw, report_swap_under_load);
	suite_add_tcase(s, sw);

	tcase_set_timeout(fk, SCENARIO_TIMEOUT);
	tcase_add_test(fk, report_fork_keeps_fn);
	tcase_add_test(fk, report_fork_while_busy);
	tcase_add_test(fk, report_fork_inside_fn);
	suite_add_tcase(s, fk);
	return s;
}
