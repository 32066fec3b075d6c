/*
 * The exit path: the program's exit() is the library's, so the first
 * caller runs the whole shutdown before any exit handler or static
 * destructor and then calls the C library's exit() once, every other
 * caller being parked; a static link gets the same through
 * -Wl,--wrap=exit.  Every case is a scenario program (scenario_xp_*, and
 * scenario_xr_* for the findings of a review) run as a child, whose
 * output and status are checked exactly.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "tests.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static struct child ch;

#ifdef TEST_CXX_SCENARIOS
/*
 * A function-local static that registered threads create after the first
 * exeunt call is destroyed only once every one of them has stopped and
 * been joined, the hook run: whether main calls exit() (_i 0), a
 * registered thread does (_i 1) or main returns (_i 2).
 */
static const struct {
	const char *how;
	int status;
} static_cases[] = {
	{ "exit", 6 },
	{ "thread", 7 },
	{ "return", 5 },
};
#define NSTATIC_CASES ((int)(sizeof static_cases / sizeof static_cases[0]))

START_TEST(static_destroyed_after_join)
{
	const char *args[] = { static_cases[_i].how, NULL };

	child_run(&ch, "scenario_xp_static", args, NULL, 0);
	child_assert_exit(&ch, static_cases[_i].status);
	child_assert_out(&ch,
	    "worker stops\n"
	    "worker stops\n"
	    "hook 1\n"
	    "metrics: phase DONE, users 0\n");
	child_assert_quiet(&ch);
}
END_TEST
#endif

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

/*
 * Four threads and main call exit() (or exeunt_exit()) at once, before
 * any shutdown: in each of 100 children the shutdown runs exactly once
 * and the status is one of the callers' (10 to 14).  _i picks the
 * callers and what they call; prog is the scenario, linked with the
 * shared library or statically with -Wl,--wrap=exit.
 */
static const char *const race_args[][2] = {
	{ "registered", "exit" },
	{ "plain", "exit" },
	{ "registered", "exeunt_exit" },
	{ "plain", "exeunt_exit" },
};
#define NRACE_CASES ((int)(sizeof race_args / sizeof race_args[0]))

static void
race(const char *prog, int which)
{
	const char *args[] = { race_args[which][0], race_args[which][1],
	    NULL };
	const char *want =
	    "terminate worker\n"
	    "worker stops\n"
	    "hook 1\n"
	    "atexit\n";
	int i, n = runs(100), status;

	for (i = 0; i < n; i++) {
		child_run(&ch, prog, args, NULL, 0);
		ck_assert_msg(!ch.hung && WIFEXITED(ch.status),
		    "run %d of %d: %s %s %s hung or died (wait status %#x); "
		    "stdout:\n%s--- stderr:\n%s", i + 1, n, prog, args[0],
		    args[1], ch.status, ch.out_buf, ch.err_buf);
		status = WEXITSTATUS(ch.status);
		ck_assert_msg(status >= 10 && status <= 14,
		    "run %d of %d: %s %s %s exit status %d, not a caller's",
		    i + 1, n, prog, args[0], args[1], status);
		ck_assert_msg(strcmp(ch.out_buf, want) == 0 && ch.err_len == 0,
		    "run %d of %d: %s %s %s printed:\n%s--- instead of:\n%s"
		    "--- stderr:\n%s", i + 1, n, prog, args[0], args[1],
		    ch.out_buf, want, ch.err_buf);
	}
}

START_TEST(simultaneous_exits_shut_down_once)
{
	race("scenario_xp_race", _i);
}
END_TEST

/* The same, linked statically: exit() comes through --wrap=exit. */
START_TEST(simultaneous_exits_shut_down_once_static)
{
	race("scenario_xp_race_static", _i);
}
END_TEST

/*
 * A registered non-daemon thread calls plain exit(9) while the shutdown
 * of main's exit(4) waits for a slower worker: that thread is parked and
 * counts as finished, the slow worker finishes, the hook and the atexit
 * handler run once, and the status is main's.
 */
START_TEST(exit_from_joined_thread_is_parked)
{
	const char *args[] = { "slow", NULL };

	child_run(&ch, "scenario_xp_exit", args, NULL, 0);
	child_assert_exit(&ch, 4);
	child_assert_out(&ch,
	    "main calls exit(4)\n"
	    "quick calls exit(9)\n"
	    "slow finishes\n"
	    "hook 1\n"
	    "atexit\n");
	child_assert_quiet(&ch);
}
END_TEST

#ifdef __GLIBC__
/*
 * exit(8) from an atexit handler that runs after the shutdown (it was
 * registered before the first exeunt call): the process ends with 8, and
 * the handler registered before it runs once.  glibc only: musl's exit()
 * crashes on a nested exit(), by design of the C library.
 */
START_TEST(exit_from_atexit_handler)
{
	const char *args[] = { "nested", NULL };

	child_run(&ch, "scenario_xp_exit", args, NULL, 0);
	child_assert_exit(&ch, 8);
	child_assert_out(&ch,
	    "terminate worker\n"
	    "worker stops\n"
	    "hook 1\n"
	    "handler calls exit(8)\n"
	    "atexit\n");
	child_assert_quiet(&ch);
}
END_TEST
#endif

/*
 * A terminate callback called by exeunt_thread_request_stop() before any
 * shutdown calls exit(): the shutdown that exit() runs does not wait for
 * that callback, which never returns, to let its thread end.
 */
START_TEST(exit_from_requested_callback)
{
	const char *args[] = { "request", NULL };

	child_run(&ch, "scenario_xp_exit", args, NULL, 0);
	child_assert_exit(&ch, 5);
	child_assert_out(&ch,
	    "callback calls exit(5)\n"
	    "hook 1\n"
	    "atexit\n");
	child_assert_quiet(&ch);
}
END_TEST

/*
 * The program linked with -lexeunt finds libexeunt's exit() by name and
 * calls it: the shared build only (a static one has no objects to name).
 */
START_TEST(program_exit_is_the_librarys)
{
	child_run(&ch, "scenario_xp_which", NULL, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch,
	    "dlsym: libexeunt\n"
	    "call: libexeunt\n");
	child_assert_quiet(&ch);
}
END_TEST

/*
 * exit(3) from a hook of exeunt_shutdown() while another thread's exit(0)
 * waits for that shutdown: the hook's thread finishes the shutdown (hook
 * 1 runs once) and is parked, and the waiting exit() ends the process
 * with its status, 0, the atexit handler run once.  It must not hang.
 */
START_TEST(exit_from_shutdown_hook_yields_to_waiting_exit)
{
	const char *args[] = { "hook", NULL };

	child_run(&ch, "scenario_xr_exit", args, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch,
	    "main calls exeunt_shutdown()\n"
	    "thread calls exit(0)\n"
	    "hook calls exit(3)\n"
	    "hook 1\n"
	    "atexit\n");
	child_assert_quiet(&ch);
}
END_TEST

/* The watchdog's report of a shutdown it took over, on the child's stderr. */
static void
assert_taken_over(const struct child *c)
{
	ck_assert_msg(strstr(c->err_buf, "exeunt: action: proceed\n") != NULL,
	    "%s: the watchdog did not take over; stderr:\n%s", c->name,
	    c->err_buf);
}

#ifdef __GLIBC__
/*
 * exit(9) from an atexit handler that the watchdog's call of the C
 * library's exit() runs, after it took over from a terminate callback
 * that never returns: the process ends with 9, and the handler registered
 * before that one runs once.  glibc only: musl's exit() crashes on a
 * nested exit(), by design of the C library.
 */
START_TEST(exit_from_atexit_handler_after_takeover)
{
	const char *args[] = { "atexit", NULL };

	child_run(&ch, "scenario_xr_exit", args, NULL, 0);
	child_assert_exit(&ch, 9);
	child_assert_out(&ch,
	    "main calls exit(0)\n"
	    "callback blocks\n"
	    "hook 1\n"
	    "handler calls exit(9)\n"
	    "atexit\n");
	assert_taken_over(&ch);
}
END_TEST
#endif

/*
 * The terminate callback that held main's exit(4) calls exit(7) once the
 * watchdog, which took over, is inside hook 2, and hook 2 ends only after
 * that exit() blocked: the callback's thread is parked and its exit()
 * discarded, the phases do not run a second time beside the watchdog's
 * (hook 1 only after hook 2 ended, once), and the status is 4.
 */
START_TEST(exit_from_callback_after_takeover_is_parked)
{
	const char *args[] = { "owner", NULL };

	child_run(&ch, "scenario_xr_exit", args, NULL, 0);
	child_assert_exit(&ch, 4);
	child_assert_out(&ch,
	    "main calls exit(4)\n"
	    "hook 2 begins\n"
	    "callback calls exit(7)\n"
	    "hook 2 ends\n"
	    "hook 1\n"
	    "atexit\n");
	assert_taken_over(&ch);
}
END_TEST

/*
 * fork() from a hook that the watchdog runs after taking over main's
 * exit(3): the child begins a shutdown of its own when the hook returns,
 * which stops and joins the registered thread the child started (_i 1),
 * runs hook 1, and ends the child with 3; the parent goes on likewise.
 */
START_TEST(fork_from_hook_after_takeover)
{
	const char *args[] = { _i == 0 ? "plain" : "thread", NULL };
	char want[256];

	snprintf(want, sizeof want,
	    "main calls exit(3)\n"
	    "callback blocks\n"
	    "%s"
	    "hook 1 in child\n"
	    "child status 3\n"
	    "hook 1 in parent\n",
	    _i == 0 ? "" : "child started a thread\nchild thread stops\n");
	child_run(&ch, "scenario_xr_fork", args, NULL, 0);
	child_assert_exit(&ch, 3);
	child_assert_out(&ch, want);
	assert_taken_over(&ch);
}
END_TEST

/*
 * A fully static program (C library included) linked with
 * -Wl,--wrap=exit: exit(3) (_i 0) and main's return of 3 (_i 1) run the
 * shutdown once, then the C library's exit(), whose atexit handler runs,
 * and end with 3.  Passes on glibc, whose libc.a links exit() in anyway;
 * the musl CI run catches a __real_exit left NULL there, which recursed.
 */
START_TEST(fully_static_wrapped_exit)
{
	const char *args[] = { _i == 0 ? "exit" : "return", NULL };
	char want[256];

	snprintf(want, sizeof want,
	    "main %s 3\n"
	    "terminate worker\n"
	    "worker stops\n"
	    "hook 1\n"
	    "atexit\n", _i == 0 ? "calls exit with" : "returns");
	child_run(&ch, "scenario_xr_static_wrap", args, NULL, CHILD_NO_CORE);
	child_assert_exit(&ch, 3);
	child_assert_out(&ch, want);
	child_assert_quiet(&ch);
}
END_TEST

Suite *
make_exitpath_suite(void)
{
	Suite *s = suite_create("exitpath");
	TCase *st = tcase_create("exitpath_static");
	TCase *ra = tcase_create("exitpath_race");
	TCase *rs = tcase_create("exitpath_race_static");
	TCase *ex = tcase_create("exitpath_exit");
	TCase *rv = tcase_create("exitpath_review");
	TCase *rf = tcase_create("exitpath_review_fork");
	TCase *sw = tcase_create("exitpath_static_wrap");

	tcase_set_timeout(st, SCENARIO_TIMEOUT);
#ifdef TEST_CXX_SCENARIOS
	tcase_add_loop_test(st, static_destroyed_after_join, 0,
	    NSTATIC_CASES);
#else
	fprintf(stderr, "note: exitpath:exitpath_static: C++ scenario "
	    "programs not built (no C++ compiler, or one that uses another C "
	    "library): "
	    "left out static_destroyed_after_join\n");
#endif
	suite_add_tcase(s, st);

	tcase_set_timeout(ra, SCENARIO_TIMEOUT);
	tcase_add_loop_test(ra, simultaneous_exits_shut_down_once, 0,
	    NRACE_CASES);
	suite_add_tcase(s, ra);

	tcase_set_timeout(rs, SCENARIO_TIMEOUT);
	tcase_add_loop_test(rs, simultaneous_exits_shut_down_once_static, 0,
	    NRACE_CASES);
	suite_add_tcase(s, rs);

	tcase_set_timeout(ex, SCENARIO_TIMEOUT);
	tcase_add_test(ex, exit_from_joined_thread_is_parked);
	tcase_add_test(ex, exit_from_requested_callback);
#ifdef __GLIBC__
	tcase_add_test(ex, exit_from_atexit_handler);
#endif
	tcase_add_test(ex, program_exit_is_the_librarys);
	suite_add_tcase(s, ex);

	tcase_set_timeout(rv, SCENARIO_TIMEOUT);
	tcase_add_test(rv, exit_from_shutdown_hook_yields_to_waiting_exit);
#ifdef __GLIBC__
	tcase_add_test(rv, exit_from_atexit_handler_after_takeover);
#endif
	tcase_add_test(rv, exit_from_callback_after_takeover_is_parked);
	suite_add_tcase(s, rv);

	/* ThreadSanitizer cannot start threads in the child of a threaded
	 * process, and LeakSanitizer's check at the exit of such a child
	 * now and then writes "Running thread ... was not suspended"
	 * (check_hostile.c). */
	tcase_set_timeout(rf, SCENARIO_TIMEOUT);
	tcase_set_tags(rf, "no-tsan no-asan");
	tcase_add_loop_test(rf, fork_from_hook_after_takeover, 0, 2);
	suite_add_tcase(s, rf);

	/* gcc refuses -static with -fsanitize=thread or address:
	 * scenario_xr_static_wrap is not built under the sanitizers
	 * (scenarios.am).  valgrind cannot put its allocator and string
	 * functions in place of a static glibc's, and reports about 90
	 * uninitialised values in glibc's own start-up and malloc (seen
	 * with valgrind 3.19): the process fails with status 97. */
	tcase_set_timeout(sw, SCENARIO_TIMEOUT);
	tcase_set_tags(sw, "no-tsan no-asan no-valgrind");
	tcase_add_loop_test(sw, fully_static_wrapped_exit, 0, 2);
	suite_add_tcase(s, sw);
	return s;
}
