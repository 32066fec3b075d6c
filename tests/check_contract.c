/*
 * The contract of pools, hooks and deadlines at their edges: no queued
 * job starts once a CANCEL shutdown has begun, a hook accepted during the
 * hooks phase runs, deadlines that would overflow or are zero, pools in a
 * child made by fork(), exit() from a job, empty environment variables,
 * and the deadline report without memory.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Most cases are scenario programs (scenario_ct_*.c) run as children.
 * Where a race is the bug, one test runs its scenario many times and
 * fails with the number of bad runs and the first one's output.
 */
#include "tests.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static struct child ch;

/*
 * n runs, divided by CK_TIMEOUT_MULTIPLIER (at least 3): the sanitizers
 * and valgrind, which get a multiplier, run each child many times slower.
 */
static int
runs(int n)
{
	int m = (int)(n / test_scale());

	return m > 3 ? m : 3;
}

/* What is wrong with the run in ch, or NULL. */
typedef const char *check_fn(const struct child *c);

/*
 * Runs prog n times and checks each run; fails with how many were bad,
 * and why the first one was, with its output.
 */
static void
repeat(int n, const char *prog, const char *const *args,
    const char *const *env, check_fn *check)
{
	static char first[2 * CHILD_OUT_MAX + 256];
	const char *why;
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		child_run(&ch, prog, args, env, 0);
		if (ch.hung)
			why = "hung and was killed";
		else
			why = check(&ch);
		if (why != NULL && bad++ == 0)
			snprintf(first, sizeof first, "%s (wait status %#x); "
			    "stdout:\n%s--- stderr:\n%s", why, ch.status,
			    ch.out_buf, ch.err_buf);
	}
	ck_assert_msg(bad == 0, "%s: %d of %d runs bad; the first: %s", prog,
	    bad, n, first);
}

static int
exited_with(const struct child *c, int status)
{
	return WIFEXITED(c->status) && WEXITSTATUS(c->status) == status;
}

/* A line of the child's stderr starts with head. */
static int
err_has_line(const struct child *c, const char *head)
{
	const char *p = c->err_buf;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, head, strlen(head)) == 0)
			return 1;
		p = strchr(p, '\n');
		p = p != NULL ? p + 1 : NULL;
	}
	return 0;
}

/* 1. PENDING_CANCEL: no job starts after the shutdown began ----------- */

static const char *
check_cancel(const struct child *c)
{
	unsigned long long sub, st, can;
	int late, run, cancel;

	if (!exited_with(c, 0) || c->err_len != 0)
		return "not a quiet exit status 0";
	if (sscanf(c->out_buf, "late %d; submitted %llu started %llu "
	    "cancelled %llu; run %d cancel %d", &late, &sub, &st, &can, &run,
	    &cancel) != 6 || sub != 10002)
		return "unexpected output";
	if (late != 0)
		return "queued jobs started after the shutdown began";
	if (st != 2 || can != 10000 || st != (unsigned long long)run ||
	    can != (unsigned long long)cancel)
		return "jobs lost or miscounted";
	return NULL;
}

/*
 * exit(0) with both workers held in a job until their stop request and
 * 10000 jobs queued, pending CANCEL, set on the pool (_i 0) or by
 * EXEUNT_POOL_PENDING=cancel (_i 1): no queued job starts, every one is
 * cancelled, and the two holders ran.
 */
START_TEST(cancel_starts_no_job_after_shutdown)
{
	const char *args[] = { _i == 0 ? "pool" : "env", NULL };
	const char *const env[] = { "EXEUNT_POOL_PENDING=cancel", NULL };

	repeat(runs(100), "scenario_ct_cancel", args, _i == 1 ? env : NULL,
	    check_cancel);
}
END_TEST

/* 2. exeunt_atexit() during the hooks phase -------------------------- */

static const char *
check_hooks(const struct child *c)
{
	int accepted, ran;
	char tail[64];

	if (!exited_with(c, 0) || c->err_len != 0)
		return "not a quiet exit status 0";
	if (sscanf(c->out_buf, "accepted %d ran %d; %63[^\n]", &accepted, &ran,
	    tail) != 3)
		return "unexpected output";
	if (accepted != ran)
		return "an accepted hook did not run";
	if (strcmp(tail, "then ESHUTDOWN") != 0)
		return "registration after the shutdown did not fail with "
		    "ESHUTDOWN";
	return NULL;
}

/* Every hook exeunt_atexit() accepts runs, however late in the phase. */
START_TEST(atexit_accepted_hook_runs)
{
	repeat(runs(200), "scenario_ct_hooks", NULL, NULL, check_hooks);
}
END_TEST

/* 3. Timeouts that would overflow ------------------------------------- */

#define TIMEOUT_OUT \
	"main returns\n" \
	"slow done\n" \
	"hook: submitted 4 started 4 completed 4 cancelled 0\n" \
	"atexit: destroy 0\n"

/*
 * exeunt_set_timeout({ LONG_MAX, 0 }) (_i 0) or ({ LONG_MAX, 999999999 })
 * (_i 1) with action EXIT: the deadline is far away, not passed at once.
 */
START_TEST(set_timeout_huge_is_not_passed)
{
	const char *args[] = { _i == 0 ? "sec" : "max", NULL };

	child_run(&ch, "scenario_ct_timeout", args, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch, TIMEOUT_OUT);
	child_assert_quiet(&ch);
}
END_TEST

static const char *const huge_env[][3] = {
	{ "EXEUNT_TIMEOUT=9223372036854775807", "EXEUNT_ON_TIMEOUT=exit",
	    NULL },
	{ "EXEUNT_TIMEOUT=9223372036854775807ms", "EXEUNT_ON_TIMEOUT=exit",
	    NULL },
};

/* A huge EXEUNT_TIMEOUT is refused with a warning or kept as huge. */
START_TEST(env_timeout_huge_is_not_passed)
{
	const char *args[] = { "none", NULL };

	child_run(&ch, "scenario_ct_timeout", args, huge_env[_i], 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch, TIMEOUT_OUT);
	ck_assert_msg(!err_has_line(&ch, "exeunt: shutdown deadline"),
	    "a deadline report; stderr:\n%s", ch.err_buf);
}
END_TEST

static const struct timespec huge[] = {
	{ LONG_MAX, 0 },
	{ LONG_MAX, 999999999L },
};

static struct gate job_started;

/* Takes about 50 ms, whatever the pool's shutdown does. */
static void
job_slow(void *arg)
{
	const struct timespec ms50 = { 0, 50 * 1000000L };

	(void)arg;
	gate_open(&job_started);
	(void)exeunt_wait_stop(&ms50);
}

/* exeunt_pool_shutdown() with a huge timeout waits for the job: 0. */
START_TEST(pool_shutdown_huge_timeout)
{
	struct exeunt_pool_stats s;
	exeunt_pool_t *pool;

	gate_init(&job_started);
	ck_assert_int_eq(exeunt_pool_create(&pool, 1, 0, NULL), 0);
	ck_assert_int_eq(exeunt_pool_submit(pool, job_slow, NULL, NULL), 0);
	ck_assert_int_eq(gate_wait_ms(&job_started, POLL_DEADLINE_MS), 0);
	ck_assert_int_eq(exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN,
	    &huge[_i]), 0);
	ck_assert_int_eq(exeunt_pool_stats(pool, &s), 0);
	ck_assert_uint_eq(s.completed, 1);
	ck_assert_int_eq(exeunt_pool_destroy(pool), 0);
}
END_TEST

struct waiter {
	struct gate entered;
	pid_t tid;
	const struct timespec *timeout;
	int rc;
};

static void *
start_wait_huge(void *arg)
{
	struct waiter *w = arg;

	w->tid = test_gettid();
	gate_open(&w->entered);
	w->rc = exeunt_wait_stop(w->timeout);
	return NULL;
}

/* exeunt_wait_stop() with a huge timeout returns 0 on a stop request. */
START_TEST(wait_stop_huge_timeout)
{
	struct waiter w = { .timeout = &huge[_i], .rc = -1 };
	exeunt_thread_t *t;

	gate_init(&w.entered);
	t = create_or_fail(NULL, start_wait_huge, &w);
	gate_wait(&w.entered);
	ck_assert_msg(wait_until_sleeping(w.tid),
	    "the thread never slept in exeunt_wait_stop");
	ck_assert_int_eq(exeunt_thread_request_stop(t), 0);
	join_or_fail(t);
	ck_assert_int_eq(w.rc, 0);
}
END_TEST

/* 4. A zero deadline -------------------------------------------------- */

struct zero_case {
	const char *who;
	int status;		/* 0: no report; 124: report naming name */
	const char *name;
};

static const struct zero_case zero_cases[] = {
	{ "daemon", 0, NULL },
	{ "adopted", 0, NULL },
	{ "worker", 124, "\"worker\"" },
	{ "callback", 124, "\"daemon\"" },
};
#define NZERO_CASES ((int)(sizeof zero_cases / sizeof zero_cases[0]))

static const struct zero_case *zero_now;

static const char *
check_zero(const struct child *c)
{
	if (zero_now->status == 0) {
		if (!exited_with(c, 0))
			return "not exit status 0";
		if (c->err_len != 0)
			return "wrote to stderr";
		return NULL;
	}
	if (!exited_with(c, 124))
		return "not exit status 124";
	if (!err_has_line(c, "exeunt: shutdown deadline of 0.000s") ||
	    !err_has_line(c, "exeunt: action: exit"))
		return "no deadline report";
	if (strstr(c->err_buf, zero_now->name) == NULL)
		return "the report does not name the late thread";
	return NULL;
}

/*
 * A zero deadline with action EXIT, by EXEUNT_TIMEOUT=0 (even _i) or
 * exeunt_set_timeout({ 0, 0 }) (odd _i): late at once if and only if a
 * thread other than the exiting one is non-daemon or has a callback.
 */
START_TEST(zero_deadline_decided_at_begin)
{
	const char *const env[] = { "EXEUNT_TIMEOUT=0",
	    "EXEUNT_ON_TIMEOUT=exit", NULL };
	const char *args[3];

	zero_now = &zero_cases[_i / 2];
	args[0] = zero_now->who;
	args[1] = _i % 2 == 0 ? "env" : "call";
	args[2] = NULL;
	repeat(20, "scenario_ct_zero", args, _i % 2 == 0 ? env : NULL,
	    check_zero);
}
END_TEST

/* 5. Pools and fork() ------------------------------------------------- */

struct fork_case {
	const char *op;
	const char *want;
};

static const struct fork_case fork_cases[] = {
	{ "submit",
	    "child: stats submitted 4 queued 2 running 2\n"
	    "child: submit ESRCH; ran 0 cancelled 0\n"
	    "parent: ran 2 cancelled 0; completed 4\n" },
	{ "full",
	    "child: stats submitted 5 queued 3 running 2\n"
	    "child: full ESRCH; ran 0 cancelled 0\n"
	    "parent: ran 3 cancelled 0; completed 5\n" },
	{ "shutdown",
	    "child: stats submitted 4 queued 2 running 2\n"
	    "child: shutdown ESRCH; ran 0 cancelled 0\n"
	    "parent: ran 2 cancelled 0; completed 4\n" },
	{ "cancel",
	    "child: stats submitted 4 queued 2 running 2\n"
	    "child: cancel ESRCH; ran 0 cancelled 0\n"
	    "parent: ran 2 cancelled 0; completed 4\n" },
	{ "destroy",
	    "child: stats submitted 4 queued 2 running 2\n"
	    "child: destroy 0; ran 0 cancelled 0\n"
	    "parent: ran 2 cancelled 0; completed 4\n" },
};

/*
 * In a child made by fork() the pool has no workers: submit and shutdown
 * return ESRCH at once, destroy 0, stats work, and none of the parent's
 * queued jobs is run or cancelled there; the parent's all run.
 */
START_TEST(pool_in_forked_child)
{
	const char *args[] = { fork_cases[_i].op, NULL };

	child_run(&ch, "scenario_ct_fork", args, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch, fork_cases[_i].want);
	child_assert_quiet(&ch);
}
END_TEST

/* 6. exit() from a job ------------------------------------------------ */

/*
 * A job of a 1-worker pool calls exit(0) with 4 jobs queued: before the
 * hooks they all ran (pending RUN, _i 0) or were cancelled (CANCEL, _i 1).
 */
START_TEST(exit_from_job_settles_queue)
{
	const char *args[] = { _i == 0 ? "run" : "cancel", NULL };
	unsigned long long sub, st, done, can;
	int ran, cancel;
	const char *hook;

	child_run(&ch, "scenario_ct_pool_exit", args, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_quiet(&ch);
	hook = strstr(ch.out_buf, "hook: ");
	ck_assert_msg(hook != NULL && sscanf(hook, "hook: submitted %llu "
	    "started %llu completed %llu cancelled %llu; ran %d cancel %d",
	    &sub, &st, &done, &can, &ran, &cancel) == 6,
	    "no hook line; stdout:\n%s", ch.out_buf);
	ck_assert_msg(sub == 5 && st + can == sub && (_i == 0 ?
	    ran == 4 && can == 0 : cancel == 4 && st == 1),
	    "queued jobs lost; stdout:\n%s", ch.out_buf);
}
END_TEST

/* 7. Empty variables count as unset ----------------------------------- */

static const char *const empty_env[][3] = {
	{ "EXEUNT_TIMEOUT=", NULL },
	{ "EXEUNT_TIMEOUT=", "EXEUNT_ON_TIMEOUT=exit", NULL },
	{ "EXEUNT_POOL_PENDING=", NULL },
	{ "EXEUNT_ON_TIMEOUT=", NULL },
};

/* Nothing on stderr; no deadline; the queued jobs run. */
START_TEST(empty_variable_is_unset)
{
	const char *args[] = { "none", NULL };

	child_run(&ch, "scenario_ct_timeout", args, empty_env[_i], 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch, TIMEOUT_OUT);
	child_assert_quiet(&ch);
}
END_TEST

/* 8. The deadline report without memory ------------------------------- */

/* Every allocation fails once the shutdown began: the report is made. */
START_TEST(deadline_report_without_memory)
{
	child_run(&ch, "scenario_ct_nomem_report", NULL, NULL, 0);
	child_assert_exit(&ch, 124);
	ck_assert_msg(err_has_line(&ch, "exeunt: shutdown deadline"),
	    "no report; stderr:\n%s", ch.err_buf);
}
END_TEST

/*
 * Tags, as in check_robust.c: ThreadSanitizer cannot start threads in
 * the child of a threaded process, and valgrind reports, in each forked
 * child, memory that the parent's threads held; valgrind's allocator
 * bypasses a program's malloc.
 */
Suite *
make_contract_suite(void)
{
	Suite *s = suite_create("contract");
	TCase *ca = tcase_create("cancel");
	TCase *hk = tcase_create("hooks");
	TCase *hu = tcase_create("huge");
	TCase *ze = tcase_create("zero");
	TCase *fk = tcase_create("fork");
	TCase *jx = tcase_create("job_exit");
	TCase *en = tcase_create("empty_env");
	TCase *nm = tcase_create("nomem");

	tcase_set_timeout(ca, SCENARIO_TIMEOUT);
	tcase_add_loop_test(ca, cancel_starts_no_job_after_shutdown, 0, 2);
	suite_add_tcase(s, ca);

	tcase_set_timeout(hk, SCENARIO_TIMEOUT);
	tcase_add_test(hk, atexit_accepted_hook_runs);
	suite_add_tcase(s, hk);

	tcase_set_timeout(hu, SCENARIO_TIMEOUT);
	tcase_add_loop_test(hu, set_timeout_huge_is_not_passed, 0, 2);
	tcase_add_loop_test(hu, env_timeout_huge_is_not_passed, 0,
	    (int)(sizeof huge_env / sizeof huge_env[0]));
	tcase_add_loop_test(hu, pool_shutdown_huge_timeout, 0, 2);
	tcase_add_loop_test(hu, wait_stop_huge_timeout, 0, 2);
	suite_add_tcase(s, hu);

	tcase_set_timeout(ze, SCENARIO_TIMEOUT);
	tcase_add_loop_test(ze, zero_deadline_decided_at_begin, 0, 2 * NZERO_CASES);
	suite_add_tcase(s, ze);

	tcase_set_timeout(fk, SCENARIO_TIMEOUT);
	tcase_set_tags(fk, "no-tsan no-valgrind");
	tcase_add_loop_test(fk, pool_in_forked_child, 0,
	    (int)(sizeof fork_cases / sizeof fork_cases[0]));
	suite_add_tcase(s, fk);

	tcase_set_timeout(jx, SCENARIO_TIMEOUT);
	tcase_add_loop_test(jx, exit_from_job_settles_queue, 0, 2);
	suite_add_tcase(s, jx);

	tcase_set_timeout(en, SCENARIO_TIMEOUT);
	tcase_add_loop_test(en, empty_variable_is_unset, 0,
	    (int)(sizeof empty_env / sizeof empty_env[0]));
	suite_add_tcase(s, en);

	tcase_set_timeout(nm, SCENARIO_TIMEOUT);
	tcase_set_tags(nm, "no-valgrind");
	tcase_add_test(nm, deadline_report_without_memory);
	suite_add_tcase(s, nm);
	return s;
}
