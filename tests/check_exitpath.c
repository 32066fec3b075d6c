/*
 * The exit path: the program's exit() is the library's, so the first
 * caller runs the whole shutdown before any exit handler or static
 * destructor and then calls the C library's exit() once, every other
 * caller being parked; a static link gets the same through
 * -Wl,--wrap=exit.  Every case is a scenario program (scenario_xp_*) run
 * as a child, whose output and status are checked exactly.
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

Suite *
make_exitpath_suite(void)
{
	Suite *s = suite_create("exitpath");
	TCase *st = tcase_create("exitpath_static");
	TCase *ra = tcase_create("exitpath_race");
	TCase *rs = tcase_create("exitpath_race_static");
	TCase *ex = tcase_create("exitpath_exit");

	tcase_set_timeout(st, SCENARIO_TIMEOUT);
#ifdef TEST_CXX_SCENARIOS
	tcase_add_loop_test(st, static_destroyed_after_join, 0,
	    NSTATIC_CASES);
#else
	fprintf(stderr, "note: exitpath:exitpath_static: C++ scenario "
	    "programs not built (the C++ compiler uses another C library): "
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
	return s;
}
