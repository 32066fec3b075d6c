/*
 * The robust exit path: exit() from several threads, fork(), dlopen(),
 * and stress with fault injection.  Most cases are scenario programs run
 * as children (child.c), whose output and wait status tell what happened
 * at exit; the stress cases that need no exit run in the test process.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "tests.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* One child per test process: each test runs in its own fork. */
static struct child ch;

static const char *const debug_env[] = { "EXEUNT_DEBUG=1", NULL };

/* The number after prefix in the child's stdout, or -1. */
static int
out_number(const struct child *c, const char *prefix)
{
	const char *p = strstr(c->out_buf, prefix);

	return p != NULL ? atoi(p + strlen(prefix)) : -1;
}

/* Counts the lines of the child's stderr that contain text. */
static int
err_lines_with(const struct child *c, const char *text)
{
	const char *p = c->err_buf, *nl;
	int n = 0;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (memmem(p, (size_t)(nl - p), text, strlen(text)) != NULL)
			n++;
		p = *nl == '\0' ? nl : nl + 1;
	}
	return n;
}

/* 1. exit() from several threads ----------------------------------- */

static const char *const others_mode[] = { "exit", "exeunt_exit", "raw" };

/*
 * A second thread's exit(7) while main's exit(3) runs the coordinator in
 * its join phase: the process ends once, with 3; the hook and the atexit
 * handler run once; the join does not wait for the second thread.
 */
START_TEST(exit_from_thread_while_joining)
{
	const char *args[] = { others_mode[_i], NULL };
	char want[512];
	int tid;

	child_run(&ch, "scenario_exit_others", args, NULL, 0);
	child_assert_exit(&ch, 3);
	tid = out_number(&ch, "quitter tid ");
	snprintf(want, sizeof want,
	    "quitter tid %d\n"
	    "main exits\n"
	    "%s"
	    "terminate worker\n"
	    "quitter calls exit(7)\n"
	    "hook: count 0\n"
	    "atexit: DONE\n", tid,
	    _i == 2 ? "" : "terminate quitter\n");
	child_assert_out(&ch, want);
	child_assert_quiet(&ch);
}
END_TEST

/* With EXEUNT_DEBUG=1 the discarded status is in the trace. */
START_TEST(exit_from_thread_discarded_in_trace)
{
	const char *args[] = { others_mode[_i], NULL };
	char want[128];
	int tid;

	child_run(&ch, "scenario_exit_others", args, debug_env, 0);
	child_assert_exit(&ch, 3);
	tid = out_number(&ch, "quitter tid ");
	ck_assert_int_gt(tid, 0);
	if (_i == 2)
		snprintf(want, sizeof want, "/%d discarded", tid);
	else
		snprintf(want, sizeof want,
		    "exit(7) from thread quitter/%d discarded", tid);
	ck_assert_msg(err_lines_with(&ch, want) == 1 &&
	    err_lines_with(&ch, "exit(7) from thread ") == 1 &&
	    err_lines_with(&ch, "discarded") == 1,
	    "want one trace line with \"%s\"; stderr:\n%s", want, ch.err_buf);
	ck_assert_int_eq(err_lines_with(&ch, "exit(3) from thread"), 0);
}
END_TEST

/*
 * exeunt_exit() from 8 registered non-daemon threads at once: every
 * phase, hook and handler runs once; the status is one of the callers'.
 * Several runs, for the race.
 */
START_TEST(exeunt_exit_from_eight_threads)
{
	int status;

	child_run(&ch, "scenario_exit_many", NULL, NULL, 0);
	child_assert_quiet(&ch);
	ck_assert_msg(!ch.hung && WIFEXITED(ch.status),
	    "scenario_exit_many hung or died (%#x); output:\n%s", ch.status,
	    ch.out_buf);
	status = WEXITSTATUS(ch.status);
	ck_assert_msg(status >= 10 && status <= 17,
	    "exit status %d is none of the callers' (10..17)", status);
	child_assert_out(&ch,
	    "exiters go\n"
	    "terminate worker\n"
	    "worker done\n"
	    "hook 1\n"
	    "atexit: DONE\n");
}
END_TEST

/* The 7 statuses that lost are each in the trace, once. */
START_TEST(exeunt_exit_eight_discarded_in_trace)
{
	char *line[64], *p;
	int seen[8] = { 0 }, n, i, status, who, tid;

	child_run(&ch, "scenario_exit_many", NULL, debug_env, 0);
	ck_assert_msg(!ch.hung && WIFEXITED(ch.status),
	    "scenario_exit_many hung or died (%#x)", ch.status);
	status = WEXITSTATUS(ch.status);
	ck_assert_int_ge(status, 10);
	ck_assert_int_le(status, 17);
	seen[status - 10]++;
	n = split_lines(ch.err_buf, line, 64);
	for (i = 0; i < n; i++) {
		p = strstr(line[i], "exit(");
		if (p == NULL || strstr(p, "discarded") == NULL)
			continue;
		ck_assert_msg(sscanf(p, "exit(%d) from thread exiter-%d/%d",
		    &status, &who, &tid) == 3 && status == 10 + who &&
		    status >= 10 && status <= 17,
		    "unexpected trace line: %s", line[i]);
		seen[status - 10]++;
	}
	for (i = 0; i < 8; i++)
		ck_assert_msg(seen[i] == 1, "status %d: %d times (want the "
		    "exit status or one trace line)", 10 + i, seen[i]);
}
END_TEST

/* main's pthread_exit(): the last thread's exit(0) coordinates. */
START_TEST(main_pthread_exit_last_thread_coordinates)
{
	child_run(&ch, "scenario_main_pthread_exit", NULL, NULL, 0);
	child_assert_exit(&ch, 0);
	/* The one build where the case cannot happen says so. */
	if (strcmp(ch.out_buf, "not under ThreadSanitizer\n") == 0)
		return;
	child_assert_out(&ch,
	    "main calls pthread_exit\n"
	    "worker returns\n"
	    "hook: on the worker 1, count 0\n"
	    "atexit: DONE, on the worker 1\n");
	child_assert_quiet(&ch);
}
END_TEST

struct nested_case {
	const char *args[4];
	int status;
	const char *want;
};

static const struct nested_case nested[] = {
	{ { "exit", "callback", "exit", NULL }, 9,
	    "main exits\n"
	    "terminate t3\n"
	    "terminate t2 calls exit(9)\n"
	    "terminate t1\n"
	    "t1 done\n"
	    "hook 3\n"
	    "hook 2\n"
	    "hook 1\n"
	    "atexit after: DONE\n"
	    "atexit before: DONE\n" },
	{ { "exit", "callback", "exeunt_exit", NULL }, 9,
	    "main exits\n"
	    "terminate t3\n"
	    "terminate t2 calls exit(9)\n"
	    "terminate t1\n"
	    "t1 done\n"
	    "hook 3\n"
	    "hook 2\n"
	    "hook 1\n"
	    "atexit after: DONE\n"
	    "atexit before: DONE\n" },
	{ { "exit", "hook", "exit", NULL }, 11,
	    "main exits\n"
	    "terminate t3\n"
	    "terminate t2\n"
	    "terminate t1\n"
	    "t1 done\n"
	    "hook 3\n"
	    "hook 2 calls exit(11)\n"
	    "hook 1\n"
	    "atexit after: DONE\n"
	    "atexit before: DONE\n" },
	{ { "exit", "hook", "exeunt_exit", NULL }, 11,
	    "main exits\n"
	    "terminate t3\n"
	    "terminate t2\n"
	    "terminate t1\n"
	    "t1 done\n"
	    "hook 3\n"
	    "hook 2 calls exit(11)\n"
	    "hook 1\n"
	    "atexit after: DONE\n"
	    "atexit before: DONE\n" },
	{ { "shutdown", "callback", "exit", NULL }, 9,
	    "main calls exeunt_shutdown\n"
	    "terminate t3\n"
	    "terminate t2 calls exit(9)\n"
	    "terminate t1\n"
	    "t1 done\n"
	    "hook 3\n"
	    "hook 2\n"
	    "hook 1\n"
	    "atexit before: DONE\n" },
	{ { "shutdown", "hook", "exit", NULL }, 11,
	    "main calls exeunt_shutdown\n"
	    "terminate t3\n"
	    "terminate t2\n"
	    "terminate t1\n"
	    "t1 done\n"
	    "hook 3\n"
	    "hook 2 calls exit(11)\n"
	    "hook 1\n"
	    "atexit before: DONE\n" },
};

/*
 * exit() from a terminate callback or a hook of the running shutdown:
 * the rest of the shutdown runs once inside the nested exit, which then
 * ends the process with its own status.
 */
START_TEST(exit_from_callback_or_hook)
{
	const struct nested_case *nc = &nested[_i];

	child_run(&ch, "scenario_nested_exit", nc->args, NULL, 0);
	child_assert_exit(&ch, nc->status);
	child_assert_out(&ch, nc->want);
	child_assert_quiet(&ch);
}
END_TEST

/* exit(8) in B while exeunt_shutdown() runs in A: B's status, once. */
START_TEST(exit_while_shutdown_runs)
{
	child_run(&ch, "scenario_exit_during_shutdown", NULL, NULL, 0);
	child_assert_exit(&ch, 8);
	child_assert_out(&ch,
	    "A calls exeunt_shutdown\n"
	    "terminate exiter\n"
	    "terminate worker\n"
	    "exiter calls exit(8)\n"
	    "worker done\n"
	    "hook 1\n"
	    "atexit: DONE\n");
	child_assert_quiet(&ch);
}
END_TEST

/* 2. fork() --------------------------------------------------------- */

/*
 * 0 if the scenario could not run in this build (it said why).  linkage:
 * shared or static libexeunt (linked()), the test's loop index.
 */
static int
run_fork(int linkage, const char *mode, const char *want)
{
	const char *args[] = { mode, NULL };

	child_run(&ch, linked("scenario_fork", linkage), args, NULL, 0);
	child_assert_exit(&ch, 0);
	/* The one build where the case cannot happen says so. */
	if (strcmp(ch.out_buf, "not under ThreadSanitizer\n") == 0)
		return 0;
	child_assert_out(&ch, want);
	return 1;
}

/* 100 forks from a registered thread while others churn. */
START_TEST(fork_from_registered_thread)
{
	run_fork(_i, "registered",
	    "forked 100 children: all ok\n"
	    "main exits\n"
	    "hook parent\n");
	child_assert_quiet(&ch);
}
END_TEST

/* 100 forks from an unregistered thread while others churn. */
START_TEST(fork_from_unregistered_thread)
{
	run_fork(_i, "unregistered",
	    "forked 100 children: all ok\n"
	    "main exits\n"
	    "hook parent\n");
	child_assert_quiet(&ch);
}
END_TEST

/* Forks during the parent's join phase start again from RUNNING. */
START_TEST(fork_during_shutdown)
{
	run_fork(_i, "shutdown",
	    "main exits\n"
	    "forked 20 children: all ok\n"
	    "hook parent\n");
	child_assert_quiet(&ch);
}
END_TEST

/* The same when exeunt_shutdown() started the shutdown. */
START_TEST(fork_during_shutdown_call)
{
	run_fork(_i, "shutdown-call",
	    "main calls exeunt_shutdown\n"
	    "forked 20 children: all ok\n"
	    "hook parent\n"
	    "exeunt_shutdown: 0\n");
	child_assert_quiet(&ch);
}
END_TEST

/* Trapped signals stay trapped in the child (a new signal thread). */
START_TEST(fork_keeps_trapped_signals)
{
	run_fork(_i, "signal",
	    "forked 5 children: all ok\n"
	    "main exits\n"
	    "hook parent\n");
	child_assert_quiet(&ch);
}
END_TEST

/* The deadline setting stays in the child. */
START_TEST(fork_keeps_deadline)
{
	if (run_fork(_i, "deadline",
	    "forked 3 children: all ok\n"
	    "main exits\n"
	    "hook parent\n"))
		ck_assert_msg(err_lines_with(&ch, "exeunt: action: exit") ==
		    3, "want 3 deadline reports (one per child); stderr:\n%s",
		    ch.err_buf);
}
END_TEST

/* 2b. dlopen -------------------------------------------------------- */

/*
 * A plugin pulls libexeunt into a program that does not link it, starts
 * threads and registers the program's hook, and is unloaded: the library
 * stays, and the hook runs once, at exit.
 */
START_TEST(dlopen_plugin_hook_runs_at_exit)
{
	/* libtool gives the uninstalled plugin a run path to the library. */
	child_run(&ch, "scenario_dlopen", NULL, NULL, 0);
	child_assert_exit(&ch, 0);
#ifdef __GLIBC__
	child_assert_out(&ch,
	    "libexeunt loaded: no\n"
	    "plugin started: 0; libexeunt loaded: yes\n"
	    "plugin destructor: joined 3 of 3, count 0\n"
	    "dlclose done; libexeunt loaded: yes\n"
	    "hook from the program\n"
	    "atexit\n");
#else
	/* musl's dlclose() unloads nothing: the plugin's destructor runs at
	 * exit, with the other ELF destructors, after the exit handlers. */
	child_assert_out(&ch,
	    "libexeunt loaded: no\n"
	    "plugin started: 0; libexeunt loaded: yes\n"
	    "dlclose done; libexeunt loaded: yes\n"
	    "hook from the program\n"
	    "atexit\n"
	    "plugin destructor: joined 3 of 3, count 0\n");
#endif
	child_assert_quiet(&ch);
}
END_TEST

/* 6. Stress and fault injection ------------------------------------- */

/*
 * n, divided by CK_TIMEOUT_MULTIPLIER (at least min): the sanitizers and
 * valgrind, which get a multiplier, run each thread many times slower and
 * find what they look for in fewer of them.
 */
static int
scaled(int n, int min)
{
	int m = (int)(n / test_scale());

	return m > min ? m : min;
}

START_TEST(stress_exit_midway)
{
	child_run(&ch, "scenario_stress", NULL, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch,
	    "main exits\n"
	    "hook\n"
	    "stress: ok\n");
	child_assert_quiet(&ch);
}
END_TEST

START_TEST(allocation_failures)
{
	child_run(&ch, "scenario_nomem", NULL, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch,
	    "create (all after n): fails cleanly, first ENOMEM, "
	    "then succeeds\n"
	    "create (the n-th): fails cleanly, first ENOMEM, "
	    "then succeeds\n"
	    "adopt: fails cleanly, first ENOMEM, then succeeds\n"
	    "atexit: fails cleanly with ENOMEM, then succeeds\n"
	    "main exits\n"
	    "terminate worker\n"
	    "hooks: all ran once\n");
	child_assert_quiet(&ch);
}
END_TEST

struct entry {
	atomic_int calls;
	int is_long;
	int created;
};

#define POOL 20000
#define LIVE_MAX 8
static struct entry pool[POOL];
static atomic_int pool_used, pool_created, pool_bad_rc;

static void
terminate_count(exeunt_thread_t *t, void *arg)
{
	(void)t;
	atomic_fetch_add(&((struct entry *)arg)->calls, 1);
}

/* Creates short and long threads until the shutdown refuses. */
static void *
start_creator(void *arg)
{
	exeunt_thread_t *live[LIVE_MAX], *t;
	exeunt_attr_t a;
	struct entry *e;
	int nlive = 0, i, rc, idx;
	unsigned n;

	(void)arg;
	for (n = 0;; n++) {
		idx = atomic_fetch_add(&pool_used, 1);
		if (idx >= POOL)
			break;
		e = &pool[idx];
		e->is_long = n % 4 == 0;
		exeunt_attr_init(&a);
		exeunt_attr_setdaemon(&a, n % 7 == 0);
		exeunt_attr_setterminate(&a, terminate_count, e);
		rc = exeunt_thread_create(&t, &a, e->is_long ?
		    start_wait_stop : start_return_arg, e);
		exeunt_attr_destroy(&a);
		if (rc != 0) {
			if (rc != ESHUTDOWN)
				atomic_store(&pool_bad_rc, rc);
			break;
		}
		e->created = 1;
		atomic_fetch_add(&pool_created, 1);
		if (!e->is_long) {
			if (n % 3 == 0)
				exeunt_thread_detach(t);
			else
				exeunt_thread_join(t, NULL);
			continue;
		}
		if (nlive == LIVE_MAX) {
			exeunt_thread_request_stop(live[0]);
			exeunt_thread_join(live[0], NULL);
			memmove(live, live + 1, sizeof live[0] * --nlive);
		}
		live[nlive++] = t;
	}
	for (i = 0; i < nlive; i++)
		exeunt_thread_join(live[i], NULL);
	return NULL;
}

/*
 * Threads created and finished by three threads while the shutdown
 * starts midway: afterwards nothing is registered, no callback ran
 * twice, every long-lived thread had its callback exactly once.
 */
START_TEST(stress_shutdown_midway)
{
	struct timespec deadline = deadline_in(POLL_DEADLINE_MS);
	pthread_t creators[3];
	int i, n, calls;

	for (i = 0; i < 3; i++)
		creators[i] = start_raw(start_creator, NULL);
	while (atomic_load(&pool_created) < scaled(1500, 100) &&
	    !deadline_passed(&deadline))
		poll_pause();
	ck_assert_int_eq(exeunt_shutdown(), 0);
	for (i = 0; i < 3; i++)
		join_raw(creators[i]);
	ck_assert_int_eq(atomic_load(&pool_bad_rc), 0);
	n = atomic_load(&pool_used);
	if (n > POOL)
		n = POOL;
	for (i = 0; i < n; i++) {
		calls = atomic_load(&pool[i].calls);
		ck_assert_msg(calls <= 1, "thread %d: callback ran %d times",
		    i, calls);
		/* Alive until asked to stop: called at the first request. */
		if (pool[i].created && pool[i].is_long)
			ck_assert_msg(calls == 1, "long thread %d: callback "
			    "ran %d times", i, calls);
	}
	/* Daemon threads may not have finished yet; none is left alive. */
	ck_assert_msg(wait_count(0), "count %zu", exeunt_count());
}
END_TEST

#define RACED 200
static atomic_int raced_calls[RACED];
static exeunt_thread_t *raced[RACED];
static struct gate race_go;

static void
terminate_raced(exeunt_thread_t *t, void *arg)
{
	(void)t;
	atomic_fetch_add((atomic_int *)arg, 1);
}

static int nraced;

static void *
start_stopper(void *arg)
{
	int up = arg != NULL, i;

	gate_wait(&race_go);
	for (i = 0; i < nraced; i++)
		exeunt_thread_request_stop(raced[up ? i : nraced - 1 - i]);
	return NULL;
}

/* Two threads stop every thread while the shutdown does: once each. */
START_TEST(request_stop_races_shutdown)
{
	exeunt_attr_t a;
	pthread_t s[2];
	int i;

	gate_init(&race_go);
	nraced = scaled(RACED, 20);
	for (i = 0; i < nraced; i++) {
		ck_assert_int_eq(exeunt_attr_init(&a), 0);
		ck_assert_int_eq(exeunt_attr_setterminate(&a, terminate_raced,
		    &raced_calls[i]), 0);
		raced[i] = create_or_fail(&a, start_wait_stop, NULL);
		ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	}
	s[0] = start_raw(start_stopper, NULL);
	s[1] = start_raw(start_stopper, &race_go);
	gate_open(&race_go);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	join_raw(s[0]);
	join_raw(s[1]);
	for (i = 0; i < nraced; i++) {
		ck_assert_msg(atomic_load(&raced_calls[i]) == 1,
		    "thread %d: callback ran %d times", i,
		    atomic_load(&raced_calls[i]));
		join_or_fail(raced[i]);
	}
}
END_TEST

static atomic_int failed_calls;

static void
terminate_failed(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	atomic_fetch_add(&failed_calls, 1);
}

static int
visit_count(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(*(int *)arg)++;
	return 0;
}

/*
 * pthread_create() failing (a stack no system can map): the error is
 * passed through, nothing stays registered, the callback never runs,
 * and the next creation works.
 */
START_TEST(create_fails_with_huge_stack)
{
	pthread_attr_t pa;
	exeunt_attr_t a;
	exeunt_thread_t *t;
	int rc, visited = 0;

	ck_assert_int_eq(pthread_attr_init(&pa), 0);
	/* SIZE_MAX / 4: musl's pthread_attr_setstacksize() refuses more. */
	ck_assert_int_eq(pthread_attr_setstacksize(&pa, SIZE_MAX / 4), 0);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setpthreadattr(&a, &pa), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(&a, terminate_failed, NULL),
	    0);
	ck_assert_int_eq(pthread_attr_destroy(&pa), 0);
	rc = exeunt_thread_create(&t, &a, start_wait_stop, NULL);
	ck_assert_msg(rc == EAGAIN || rc == ENOMEM || rc == EINVAL,
	    "exeunt_thread_create with a huge stack: %d (%s)", rc,
	    strerror(rc));
	ck_assert_uint_eq(exeunt_count(), 0);
	ck_assert_int_eq(exeunt_foreach(visit_count, &visited), 0);
	ck_assert_int_eq(visited, 0);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);

	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setterminate(&a, terminate_failed, NULL),
	    0);
	t = create_or_fail(&a, start_wait_stop, NULL);
	ck_assert_uint_eq(exeunt_count(), 1);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq(atomic_load(&failed_calls), 1);
	join_or_fail(t);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
}
END_TEST

/*
 * Tags name the tools a case cannot run under (.ci/run leaves them out
 * with CK_EXCLUDE_TAGS): ThreadSanitizer keeps a thread of its own to the
 * end (so no thread of ours is ever the last) and cannot start threads in
 * the child of a threaded process; valgrind would report, in each forked
 * child, memory that parent-only threads held on their stacks, and its own
 * allocator bypasses a program's malloc.
 */
Suite *
make_robust_suite(void)
{
	Suite *s = suite_create("robust");
	TCase *ex = tcase_create("exit");
	TCase *pe = tcase_create("pthread_exit");
	TCase *fk = tcase_create("fork");
	TCase *dl = tcase_create("dlopen");
	TCase *st = tcase_create("stress");
	TCase *nm = tcase_create("nomem");

	tcase_set_timeout(ex, SCENARIO_TIMEOUT);
	tcase_add_loop_test(ex, exit_from_thread_while_joining, 0, 3);
	tcase_add_loop_test(ex, exit_from_thread_discarded_in_trace, 0, 3);
	tcase_add_loop_test(ex, exeunt_exit_from_eight_threads, 0, 5);
	tcase_add_test(ex, exeunt_exit_eight_discarded_in_trace);
	tcase_add_loop_test(ex, exit_from_callback_or_hook, 0,
	    (int)(sizeof nested / sizeof nested[0]));
	tcase_add_test(ex, exit_while_shutdown_runs);
	suite_add_tcase(s, ex);

	tcase_set_timeout(pe, SCENARIO_TIMEOUT);
	tcase_set_tags(pe, "no-tsan");
	tcase_add_test(pe, main_pthread_exit_last_thread_coordinates);
	suite_add_tcase(s, pe);

	tcase_set_timeout(fk, SCENARIO_TIMEOUT);
	tcase_set_tags(fk, "no-tsan no-valgrind");
	tcase_add_loop_test(fk, fork_from_registered_thread, 0, LINKAGES);
	tcase_add_loop_test(fk, fork_from_unregistered_thread, 0, LINKAGES);
	tcase_add_loop_test(fk, fork_during_shutdown, 0, LINKAGES);
	tcase_add_loop_test(fk, fork_during_shutdown_call, 0, LINKAGES);
	tcase_add_loop_test(fk, fork_keeps_trapped_signals, 0, LINKAGES);
	tcase_add_loop_test(fk, fork_keeps_deadline, 0, LINKAGES);
	suite_add_tcase(s, fk);

	tcase_set_timeout(dl, SCENARIO_TIMEOUT);
	tcase_add_test(dl, dlopen_plugin_hook_runs_at_exit);
	suite_add_tcase(s, dl);

	tcase_set_timeout(st, SCENARIO_TIMEOUT);
	tcase_add_test(st, stress_exit_midway);
	tcase_add_test(st, stress_shutdown_midway);
	tcase_add_loop_test(st, request_stop_races_shutdown, 0, 3);
	tcase_add_test(st, create_fails_with_huge_stack);
	suite_add_tcase(s, st);

	tcase_set_timeout(nm, SCENARIO_TIMEOUT);
	tcase_set_tags(nm, "no-valgrind");
	tcase_add_test(nm, allocation_failures);
	suite_add_tcase(s, nm);
	return s;
}
