/*
 * Signals: exeunt_trap_signal(3), and what a trapped signal does to a
 * scenario program run as a child.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "tests.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

static struct child ch;

START_TEST(trap_signal_einval)
{
	static const int bad[] = {
		SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP,
		SIGSYS, SIGCHLD, SIGCONT, SIGURG, SIGWINCH, 0, -1, 65, NSIG,
		1000,
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(exeunt_trap_signal(bad[i]) == EINVAL,
		    "exeunt_trap_signal(%d) is not EINVAL", bad[i]);
}
END_TEST

/* Trapping is idempotent; any signal that ends a process may be. */
START_TEST(trap_signal_twice)
{
	ck_assert_int_eq(exeunt_trap_signal(SIGTERM), 0);
	ck_assert_int_eq(exeunt_trap_signal(SIGTERM), 0);
	ck_assert_int_eq(exeunt_trap_signal(SIGHUP), 0);
	ck_assert_int_eq(exeunt_trap_signal(SIGUSR1), 0);
	ck_assert_int_eq(exeunt_trap_signal(SIGRTMIN), 0);
	ck_assert_int_eq(exeunt_trap_signal(SIGINT), 0);
	ck_assert_int_eq(exeunt_trap_signal(SIGINT), 0);
}
END_TEST

static const char *const blocking_call[] = { "pause", "read", "join",
    "accept" };
#define NCALLS (int)(sizeof blocking_call / sizeof blocking_call[0])

/*
 * SIGTERM, trapped, while main blocks in pause(), read(), pthread_join()
 * or accept(): terminate, join, hooks, the atexit handler, the stdio
 * flush, then death by SIGTERM.
 */
START_TEST(signal_ends_gracefully)
{
	const char *args[] = { blocking_call[_i % NCALLS], NULL };

	child_start(&ch, linked("scenario_signal", _i / NCALLS), args, NULL,
	    0);
	ck_assert_msg(child_await(&ch, CHILD_STDOUT, "ready\n"),
	    "not ready:\n%s%s", ch.out_buf, ch.err_buf);
	child_kill(&ch, SIGTERM);
	child_finish(&ch);
	child_assert_signal(&ch, SIGTERM);
	child_assert_out(&ch,
	    "ready\n"
	    "terminate worker\n"
	    "worker done\n"
	    "hook 1\n"
	    "atexit\n"
	    "stdio tail");
	child_assert_quiet(&ch);
}
END_TEST

static const int second_signal[] = { SIGINT, SIGTERM };
#define NSECOND (int)(sizeof second_signal / sizeof second_signal[0])

/* A second trapped signal while the first is handled: death at once. */
START_TEST(second_signal_ends_at_once)
{
	const char *args[] = { "second", NULL };
	int sig = second_signal[_i % NSECOND];

	child_start(&ch, linked("scenario_signal", _i / NSECOND), args, NULL,
	    0);
	ck_assert_msg(child_await(&ch, CHILD_STDOUT, "ready\n"),
	    "not ready:\n%s%s", ch.out_buf, ch.err_buf);
	child_kill(&ch, SIGTERM);
	ck_assert_msg(child_await(&ch, CHILD_STDOUT, "callback blocks\n"),
	    "the callback never ran:\n%s%s", ch.out_buf, ch.err_buf);
	child_kill(&ch, sig);
	child_finish(&ch);
	child_assert_signal(&ch, sig);
	child_assert_out(&ch, "ready\ncallback blocks\n");
	child_assert_quiet(&ch);
}
END_TEST

/*
 * The handler runs in a thread blocked in read() on a pipe (the only one
 * with SIGTERM unblocked): the read is restarted, and completes with the
 * data its terminate callback writes, not with EINTR.
 */
START_TEST(signal_no_eintr)
{
	const char *args[] = { "eintr", NULL };

	child_start(&ch, linked("scenario_signal", _i), args, NULL, 0);
	if (!child_await(&ch, CHILD_STDOUT, "ready\n")) {
		child_finish(&ch);
		/* The one build where the case cannot happen says so. */
		if (strcmp(ch.out_buf, "not under ThreadSanitizer\n") == 0)
			return;
		ck_abort_msg("not ready:\n%s%s", ch.out_buf, ch.err_buf);
	}
	child_kill(&ch, SIGTERM);
	child_finish(&ch);
	child_assert_signal(&ch, SIGTERM);
	child_assert_out(&ch,
	    "ready\n"
	    "terminate reader\n"
	    "reader: read 4 bytes\n"
	    "hook 1\n"
	    "atexit\n");
	child_assert_quiet(&ch);
}
END_TEST

/*
 * A trapped SIGTERM while main's exit(3) waits for a thread: that exit
 * goes on, and the process still ends by SIGTERM.
 */
START_TEST(signal_while_exiting)
{
	const char *args[] = { "exiting", NULL };

	child_run(&ch, linked("scenario_signal", _i), args, NULL, 0);
	child_assert_signal(&ch, SIGTERM);
	child_assert_out(&ch,
	    "main exits\n"
	    "terminate worker\n"
	    "signal handled\n"
	    "worker done\n"
	    "hook 1\n"
	    "atexit\n");
	child_assert_quiet(&ch);
}
END_TEST

/*
 * ThreadSanitizer runs a handler only once the thread that got the signal
 * enters one of its interceptors, which a thread blocked in read(2) never
 * does: "eintr" is tagged for .ci/run to leave out there.
 */
Suite *
make_signal_suite(void)
{
	Suite *s = suite_create("signal");
	TCase *un = tcase_create("trap_signal");
	TCase *sc = tcase_create("trapped");
	TCase *ei = tcase_create("eintr");

	tcase_set_timeout(un, UNIT_TIMEOUT);
	tcase_add_test(un, trap_signal_einval);
	tcase_add_test(un, trap_signal_twice);
	suite_add_tcase(s, un);

	tcase_set_timeout(sc, SCENARIO_TIMEOUT);
	/* Each case with shared and with static libexeunt (linked()). */
	tcase_add_loop_test(sc, signal_ends_gracefully, 0, NCALLS * LINKAGES);
	tcase_add_loop_test(sc, second_signal_ends_at_once, 0,
	    NSECOND * LINKAGES);
	tcase_add_loop_test(sc, signal_while_exiting, 0, LINKAGES);
	suite_add_tcase(s, sc);

	tcase_set_timeout(ei, SCENARIO_TIMEOUT);
	tcase_set_tags(ei, "no-tsan");
	tcase_add_loop_test(ei, signal_no_eintr, 0, LINKAGES);
	suite_add_tcase(s, ei);
	return s;
}
