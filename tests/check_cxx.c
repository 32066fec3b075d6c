/*
 * The C++ face, include/exeunt.hpp: exeunt::thread, exeunt::adopt and the
 * free functions, in scenario programs written in C++ (scenario_cx_*.cc)
 * that this suite runs as children and whose output, standard error and
 * exit status it checks exactly.  Exit-time behaviour always runs in a
 * child; so does the rest, since the runner is C.
 *
 * The programs are built only when $CXX uses the C library of $CC
 * (configure.ac); otherwise the suite says that it left them out.
 * header-hpp.sh checks that the header compiles on its own.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "tests.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#ifdef TEST_CXX_SCENARIOS
static struct child ch;

/* Runs prog with up to two arguments (NULL: none). */
static void
run(const char *prog, const char *arg1, const char *arg2, int flags)
{
	const char *args[3] = { arg1, arg2, NULL };

	child_run(&ch, prog, args, NULL, flags);
	/* The failure messages name the case. */
	snprintf(ch.name, sizeof ch.name, "%s %s%s%s", prog,
	    arg1 != NULL ? arg1 : "", arg2 != NULL ? " " : "",
	    arg2 != NULL ? arg2 : "");
}

/* A case of scenario_cx_unit that ends with status 0, quietly. */
static void
unit(const char *name, const char *arg, const char *want)
{
	run("scenario_cx_unit", name, arg, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch, want);
	child_assert_quiet(&ch);
}

/* How many times text occurs in s. */
static int
occurrences(const char *s, const char *text)
{
	int n = 0;

	while ((s = strstr(s, text)) != NULL) {
		n++;
		s += strlen(text);
	}
	return n;
}

/*
 * The child's standard error has exactly one line from the library
 * ("exeunt: ..."); it begins with prefix, names the type (if type is not
 * NULL) and ends with ": " what (if what is not NULL); and what appears
 * nowhere else in the standard error.  If alone, that line is all there
 * is on the standard error.
 */
static void
assert_one_report(const char *prefix, const char *type, const char *what,
    int alone)
{
	char buf[CHILD_OUT_MAX], *line[64], tail[256];
	int n, i, reports = 0, at = -1;
	size_t len;

	memcpy(buf, ch.err_buf, ch.err_len + 1);
	n = split_lines(buf, line, 64);
	for (i = 0; i < n; i++)
		if (strncmp(line[i], "exeunt: ", 8) == 0) {
			reports++;
			at = i;
		}
	ck_assert_msg(reports == 1, "%s: %d lines from the library on "
	    "stderr, want 1:\n%s", ch.name, reports, ch.err_buf);
	ck_assert_msg(strncmp(line[at], prefix, strlen(prefix)) == 0,
	    "%s: the report\n%s\ndoes not begin with\n%s", ch.name, line[at],
	    prefix);
	if (type != NULL)
		ck_assert_msg(strstr(line[at], type) != NULL,
		    "%s: the report\n%s\ndoes not name the type %s", ch.name,
		    line[at], type);
	if (what != NULL) {
		snprintf(tail, sizeof tail, ": %s", what);
		len = strlen(line[at]);
		ck_assert_msg(len >= strlen(tail) &&
		    strcmp(line[at] + len - strlen(tail), tail) == 0,
		    "%s: the report\n%s\ndoes not end with what(): %s",
		    ch.name, line[at], what);
		ck_assert_msg(occurrences(ch.err_buf, what) == 1,
		    "%s: what() is on stderr %d times, want once:\n%s",
		    ch.name, occurrences(ch.err_buf, what), ch.err_buf);
	}
	if (alone)
		ck_assert_msg(n == 1, "%s: more than the report on "
		    "stderr:\n%s", ch.name, ch.err_buf);
}

/* 1. At exit ---------------------------------------------------------- */

/*
 * The whole contract at exit: a thread at namespace scope and two made in
 * main, each with a std::stop_callback and in condition_variable_any's
 * wait with its token.  Their tokens are stopped newest first, each wait
 * wakes, the threads are waited for before the hook, and a static
 * destructor runs last; whether main returns, calls exit() or another
 * thread calls exit(); linked with libexeunt.so and with libexeunt.a.
 */
static const struct {
	const char *how;
	int status;
} done_cases[] = {
	{ "return", 5 },
	{ "exit", 6 },
	{ "thread", 7 },
};
#define NDONE ((int)(sizeof done_cases / sizeof done_cases[0]))

START_TEST(tokens_stopped_newest_first_and_joined_at_exit)
{
	run(linked("scenario_cx_done", _i / NDONE), done_cases[_i % NDONE].how,
	    NULL, 0);
	child_assert_exit(&ch, done_cases[_i % NDONE].status);
	child_assert_out(&ch,
	    "stop worker2\n"
	    "stop worker1\n"
	    "stop namespace\n"
	    "hook: woke 3, finished 3\n"
	    "static destructor: phase DONE, woke 3, finished 3\n");
	child_assert_quiet(&ch);
}
END_TEST

/*
 * options::stage: the lowest stage is stopped first and, within a stage,
 * the newest thread; a thread made without a stage is in its creator's
 * stage (0 for main, which is not registered).
 */
START_TEST(stages_stop_lowest_first_newest_first)
{
	run("scenario_cx_stages", NULL, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch,
	    "stages: A 1, B 0, C 1, D -1, E 0, F 1, G 0\n"
	    "stop D\n"
	    "stop G\n"
	    "stop E\n"
	    "stop B\n"
	    "stop C\n"
	    "stop F\n"
	    "stop A\n");
	child_assert_quiet(&ch);
}
END_TEST

/*
 * Threads exeunt did not start: a std::thread and a std::jthread under
 * exeunt::adopt are stopped at exit and waited for; a thread of the C API
 * gets a this_thread::stop_token() that its stop request stops, and an
 * unregistered std::thread one that is stopped as the shutdown begins,
 * before any registered thread's.
 */
START_TEST(adopted_and_unregistered_tokens_stopped_at_exit)
{
	run("scenario_cx_adopt", NULL, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch,
	    "std::thread: stopped in TERMINATING, ended 1\n"
	    "std::jthread: stopped in TERMINATING, ended 1\n"
	    "C thread: stopped in TERMINATING, ended 1\n"
	    "unregistered: stopped in TERMINATING, first 1\n");
	child_assert_quiet(&ch);
}
END_TEST

/* C++17: no stop_token, but wait_stop() and this_thread::
 * stop_requested(); stopped at exit and waited for. */
START_TEST(cxx17_thread_stopped_and_joined_at_exit)
{
	run("scenario_cx_cxx17", NULL, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch,
	    "name \"cxx17\", daemon 0, stage 0\n"
	    "terminate cxx17\n"
	    "stopped: stop_requested() 1, wait_stop() 1\n"
	    "hook: ended 1\n");
	child_assert_quiet(&ch);
}
END_TEST

/* at_exit() hooks with captures (one move-only) run once, LIFO with the
 * hooks of exeunt_atexit(). */
START_TEST(at_exit_hooks_lifo_with_c_hooks)
{
	unit("hooks", NULL,
	    "hook c++ 4, move-only\n"
	    "hook c 3\n"
	    "hook c++ 2\n"
	    "hook c 1\n");
}
END_TEST

/* Made, or adopted, once the shutdown has begun: ESHUTDOWN; at_exit()
 * once it has finished: ESHUTDOWN. */
START_TEST(creation_after_shutdown_began_fails)
{
	unit("after_shutdown", NULL,
	    "thread made in a hook: ESHUTDOWN\n"
	    "adopt in a hook: ESHUTDOWN\n"
	    "at_exit in a static destructor: ESHUTDOWN\n");
}
END_TEST

/*
 * set_timeout(): negative limits are EINVAL; max() of nanoseconds,
 * seconds and hours is accepted and never passes (a limit that wrapped
 * would end the process with status 124 while the worker runs on).
 */
static const char *const timeout_max[] = { "ns", "s", "h" };

START_TEST(set_timeout_rejects_negative_saturates_max)
{
	unit("timeout", timeout_max[_i],
	    "set_timeout(-1ms): EINVAL\n"
	    "set_timeout(nanoseconds::min()): EINVAL\n"
	    "set_timeout(1s): ok\n"
	    "set_timeout(max): ok\n"
	    "worker stops\n");
}
END_TEST

/* A daemon exeunt::thread that ignores its stop, destroyed in a scope or
 * static, holds up neither its destructor nor the exit; its destructor
 * requests the stop. */
START_TEST(daemon_never_holds_exit)
{
	unit("destructor_daemon", NULL,
	    "daemon destroyed: its stop requested 1\n"
	    "daemon 1\n"
	    "scope left\n");
	unit("static_daemon", NULL, "daemon 1\n");
}
END_TEST

/* 2. Stop requests ----------------------------------------------------- */

/*
 * request_stop(): the token is stopped, then options::terminate runs,
 * both in the requesting thread; the token stays stopped after the join;
 * exeunt_thread_request_stop() on exeunt_handle() does the same.
 */
START_TEST(request_stop_token_then_terminate)
{
	unit("request", NULL,
	    "token stopped in the requesting thread\n"
	    "terminate in the requesting thread\n"
	    "request_stop: 1\n"
	    "joined: joinable 0, token stopped 1\n"
	    "request_stop after the join: 0\n");
}
END_TEST

START_TEST(c_request_stop_token_then_terminate)
{
	unit("request_c", NULL,
	    "token stopped in the requesting thread\n"
	    "terminate in the requesting thread\n"
	    "exeunt_thread_request_stop: 0\n"
	    "joined: joinable 0, token stopped 1\n"
	    "request_stop after the join: 0\n");
}
END_TEST

/* A deadline with EXEUNT_OVERRUN_PROCEED abandons the thread of a static
 * exeunt::thread: exit() still ends, its destructor does not join. */
START_TEST(static_thread_abandoned_at_deadline_does_not_hang_exit)
{
	run("scenario_cx_unit", "proceed_static", NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch, "hook\n");
	ck_assert_msg(strstr(ch.err_buf, "action: proceed") != NULL,
	    "%s: no deadline report on stderr:\n%s", ch.name, ch.err_buf);
}
END_TEST

/* The destructor detaches where its join fails, so the record goes. */
START_TEST(destructor_detaches_where_join_fails)
{
	unit("destructor_join_fails", NULL,
	    "owner reset: 1\n"
	    "record gone: 1\n");
}
END_TEST

/*
 * The same in a fork child, for a thread of the parent.  Not under
 * valgrind: in the child, what the parent's thread owns (its callable,
 * the state its terminate callback holds) is never freed, since that
 * thread does not exist there and no destroy function is called for it
 * (exeunt_attr_setdestroy(3)); valgrind counts it lost.
 */
START_TEST(destructor_detaches_where_join_fails_in_fork_child)
{
	unit("destructor_join_fails_in_fork_child", NULL,
	    "fork child: record gone: 1\n"
	    "fork child: exit status 0\n");
}
END_TEST

/* A pending cancellation does not unwind the destructor's request. */
START_TEST(destructor_is_no_cancellation_point_in_stop_callbacks)
{
	unit("destructor_cancel_pending", NULL,
	    "stop_callback runs\n"
	    "destroyer returned\n");
}
END_TEST

/* this_thread::stop_token() after exit() destroyed its bridge. */
START_TEST(stop_token_after_its_bridge_is_stopped)
{
	unit("token_after_bridge", NULL,
	    "main: stopped 0\n"
	    "static destructor: stopped 1\n");
}
END_TEST

/* Periods such as 3/2 s and 1001/30000 s saturate without overflow. */
START_TEST(odd_periods_saturate)
{
	unit("odd_periods", NULL,
	    "set_timeout(3/2 s * (LLONG_MAX / 2)): ok\n"
	    "set_timeout(frames::max()): ok\n");
}
END_TEST

/* request_stop() and the destructor stop the token of a thread that has
 * already finished, whose terminate callback the library no longer
 * calls. */
START_TEST(request_stop_after_finish_stops_token)
{
	unit("request_finished", NULL,
	    "finished: 1\n"
	    "stop_callback in the requesting thread\n"
	    "request_stop: 1, token stopped 1\n"
	    "before the destructor: token stopped 0\n"
	    "after the destructor: token stopped 1\n");
}
END_TEST

/*
 * wait_stop(): zero and negative timeouts check without waiting (false
 * before the stop, true after it); a timeout of max() waits until the
 * stop comes and returns true.
 */
START_TEST(wait_stop_timeouts)
{
	unit("wait_stop", NULL,
	    "nanoseconds: wait_stop(0ms) 0, wait_stop(-1s) 0, "
	    "stop_requested() 0\n"
	    "nanoseconds: wait_stop(max) 1, then wait_stop(0ms) 1, "
	    "wait_stop() 1, stop_requested() 1\n"
	    "seconds: wait_stop(0ms) 0, wait_stop(-1s) 0, "
	    "stop_requested() 0\n"
	    "seconds: wait_stop(max) 1, then wait_stop(0ms) 1, "
	    "wait_stop() 1, stop_requested() 1\n"
	    "hours: wait_stop(0ms) 0, wait_stop(-1s) 0, "
	    "stop_requested() 0\n"
	    "hours: wait_stop(max) 1, then wait_stop(0ms) 1, "
	    "wait_stop() 1, stop_requested() 1\n");
}
END_TEST

/*
 * this_thread::stop_token() is the thread's token in an exeunt::thread
 * and under an exeunt::adopt, which takes stage, daemon and terminate from
 * the options and ignores pthread_attr; adopting a registered thread is
 * EEXIST; the C request stops an adopted thread's token, then runs its
 * terminate; a C API thread's token is stopped by its stop request, an
 * unregistered thread's is not stopped before exit; a thread adopted
 * through the C API that took the token cannot be released (EBUSY).
 */
START_TEST(this_thread_tokens_and_adopt)
{
	unit("tokens", NULL,
	    "exeunt::thread: this_thread::stop_token() is its token 1\n"
	    "exeunt::adopt in an exeunt::thread: EEXIST\n"
	    "adopted: this_thread::stop_token() is its token 1, "
	    "registered 1, name \"adopted\"\n"
	    "adopted: stage 2, daemon 1\n"
	    "adopt again: EEXIST\n"
	    "adopted: token stopped\n"
	    "adopted: terminate\n"
	    "adopted: stopped by the C request 1, "
	    "this_thread::stop_requested() 1\n"
	    "released: registered 0\n"
	    "adopt after the release: ok\n"
	    "unregistered: stop possible 1, requested 0\n"
	    "C-adopted: exeunt_thread_release() after "
	    "this_thread::stop_token(): EBUSY\n"
	    "C thread: token stopped in the requesting thread\n"
	    "C thread joined\n");
}
END_TEST

/* 3. The object -------------------------------------------------------- */

/* The destructor of a joinable non-daemon thread requests the stop and
 * joins, whether its body takes a token or not. */
START_TEST(destructor_stops_and_joins)
{
	unit("destructor", NULL,
	    "token body ends; main waits\n"
	    "scope left\n"
	    "plain body ends; main waits\n"
	    "scope left\n");
}
END_TEST

/* The destructor run in the thread itself requests the stop and
 * detaches: no deadlock, no std::terminate(). */
START_TEST(destructor_in_own_thread_detaches)
{
	unit("destructor_in_thread", NULL,
	    "destroyed in its own thread: stop requested 1\n"
	    "main: held 0\n");
}
END_TEST

/* Move assignment stops and joins the old thread first; the moved-from
 * object holds nothing; move construction and swap() carry the thread. */
START_TEST(move_assignment_stops_old_thread)
{
	unit("move", NULL,
	    "first ends; main waits\n"
	    "assigned: a \"second\"; b joinable 0, name \"\", handle null, "
	    "daemon 0, stage 0, token possible 0\n"
	    "moved: c \"second\" joinable 1; a joinable 0, name \"\"\n"
	    "swapped: c joinable 0; d \"second\" joinable 1\n"
	    "second ends; main waits\n"
	    "joined\n");
}
END_TEST

/* Self-move-assignment has no effect, as for std::jthread. */
START_TEST(self_move_assignment_is_no_op)
{
	unit("self_move", NULL,
	    "self-assigned: joinable 1, name \"self\"\n"
	    "self ends; main waits\n"
	    "joined\n");
}
END_TEST

/* join() and detach() throw std::system_error of the system category:
 * EINVAL when not joinable, EDEADLK for a join from the thread itself. */
START_TEST(join_detach_errors)
{
	unit("errors", NULL,
	    "empty: joinable 0, name \"\", daemon 0, stage 0, handle null, "
	    "token possible 0, request_stop 0\n"
	    "join of an empty thread: EINVAL\n"
	    "detach of an empty thread: EINVAL\n"
	    "join: ok\n"
	    "join again: EINVAL\n"
	    "detach after the join: EINVAL\n"
	    "join from the thread itself: EDEADLK\n"
	    "join: ok\n"
	    "detach: ok\n"
	    "detach again: EINVAL\n"
	    "join after the detach: EINVAL\n");
}
END_TEST

/* A name over 63 bytes is ERANGE, a stage out of -100..100 EINVAL. */
START_TEST(name_and_stage_limits)
{
	unit("limits", NULL,
	    "name of 63 bytes: name of 63 bytes, stage 0\n"
	    "name of 63 bytes: ok\n"
	    "name of 64 bytes: ERANGE\n"
	    "stage 100: name of 6 bytes, stage 100\n"
	    "stage 100: ok\n"
	    "stage -100: name of 6 bytes, stage -100\n"
	    "stage -100: ok\n"
	    "stage 101: EINVAL\n"
	    "stage -101: EINVAL\n");
}
END_TEST

/*
 * name(), daemon(), stage() against the C handle, native_handle() its
 * pthread_t, the name kept after join() and detach(), the default name;
 * arguments decay-copied (move-only ones too), a member function,
 * options::pthread_attr copied.
 */
START_TEST(properties_and_arguments)
{
	unit("properties", NULL,
	    "in the thread: self is the handle 1\n"
	    "name \"props\", daemon 0, stage 3, C name \"props\", C stage 3, "
	    "C daemon 0\n"
	    "native_handle() is the C handle's pthread_t: 1\n"
	    "after the join: name \"props\"\n"
	    "daemon 1\n"
	    "after the detach: name \"detached\", joinable 0\n"
	    "default: name is the C name 1, starts with thread- 1, daemon 0, "
	    "stage 0\n"
	    "arguments: copied 7\n"
	    "token first: possible 1, then the arguments\n"
	    "move-only argument: 42\n"
	    "member function: 42\n"
	    "stack of 16 MiB at least: 1\n");
}
END_TEST

/* trap_signal(): the C library's errors as std::system_error. */
START_TEST(trap_signal_errors)
{
	unit("trap", NULL,
	    "trap_signal(SIGKILL): EINVAL\n"
	    "trap_signal(SIGTERM): ok\n");
}
END_TEST

/* 4. Exceptions -------------------------------------------------------- */

/*
 * A body that throws: one report line, with the thread's name, the
 * exception's type and what(), which appears nowhere else on stderr;
 * then std::terminate(), so SIGABRT.  An exception of another type
 * (an int) is reported too.
 */
START_TEST(body_exception_reported_once_then_abort)
{
	run("scenario_cx_throw", "body", NULL, CHILD_NO_CORE);
	child_assert_signal(&ch, SIGABRT);
	assert_one_report("exeunt: uncaught exception in thread \"thrower\": ",
	    "cx_boom", "boom in the body", 0);
	child_assert_out(&ch, "");

	run("scenario_cx_throw", "body_int", NULL, CHILD_NO_CORE);
	child_assert_signal(&ch, SIGABRT);
	assert_one_report("exeunt: uncaught exception in thread \"thrower\"",
	    NULL, NULL, 0);
	child_assert_out(&ch, "");
}
END_TEST

/*
 * A terminate callback that throws at exit is reported once; the
 * shutdown goes on: the next thread is stopped, both are waited for, the
 * hook runs and the status is exit()'s.
 */
START_TEST(terminate_exception_reported_shutdown_goes_on)
{
	run("scenario_cx_throw", "terminate", NULL, CHILD_NO_CORE);
	child_assert_exit(&ch, 3);
	child_assert_out(&ch,
	    "stop A\n"
	    "terminate A throws\n"
	    "stop B\n"
	    "hook: A ended 1, B ended 1\n");
	assert_one_report(
	    "exeunt: exception in terminate callback of thread \"A\": ",
	    "cx_boom", "boom in a terminate callback", 1);
}
END_TEST

/* The same in request_stop(), which returns. */
START_TEST(terminate_exception_in_request_stop_reported)
{
	run("scenario_cx_throw", "request", NULL, CHILD_NO_CORE);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch, "request_stop: 1\njoined\n");
	assert_one_report("exeunt: exception in terminate callback of thread "
	    "\"requested\": ", "cx_boom", "boom on request", 1);
}
END_TEST

/* A hook that throws is reported once; the other hooks still run. */
START_TEST(hook_exception_reported_other_hooks_run)
{
	run("scenario_cx_throw", "hook", NULL, CHILD_NO_CORE);
	child_assert_exit(&ch, 4);
	child_assert_out(&ch, "hook 3\nhook 2 throws\nhook 1\n");
	assert_one_report("exeunt: exception in exit hook: ", "cx_boom",
	    "boom in a hook", 1);
}
END_TEST

/*
 * pthread_exit() and pthread_cancel() in a body (glibc unwinds them as a
 * "forced unwind" exception): no report, the stack unwinds, the thread
 * is joined.  _i: pthread_exit, or a cancellation of the thread by itself
 * or (cancel_wait) by main while it waits in pause(), in a body with or
 * without a std::stop_token.
 */
static const char *const unwind_cases[][2] = {
	{ "pthread_exit", "plain" },
	{ "pthread_exit", "token" },
	{ "cancel", "plain" },
	{ "cancel", "token" },
	{ "cancel_wait", "plain" },
	{ "cancel_wait", "token" },
};
#define NUNWIND_ANYWHERE 4	/* the cases before cancel_wait */
#define NUNWIND ((int)(sizeof unwind_cases / sizeof unwind_cases[0]))

START_TEST(forced_unwind_not_reported)
{
	run("scenario_cx_throw", unwind_cases[_i][0], unwind_cases[_i][1],
	    CHILD_NO_CORE);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch, "unwound\njoined\n");
	child_assert_quiet(&ch);
}
END_TEST
#endif /* TEST_CXX_SCENARIOS */

Suite *
make_cxx_suite(void)
{
	Suite *s = suite_create("cxx");
	TCase *ex = tcase_create("cxx_exit");
	TCase *st = tcase_create("cxx_stop");
	TCase *ob = tcase_create("cxx_object");
	TCase *th = tcase_create("cxx_exceptions");
	TCase *uw = tcase_create("cxx_unwind");
	TCase *cw = tcase_create("cxx_cancel_wait");
	TCase *fk = tcase_create("cxx_fork_child");

	tcase_set_timeout(ex, SCENARIO_TIMEOUT);
	tcase_set_timeout(st, SCENARIO_TIMEOUT);
	tcase_set_timeout(ob, SCENARIO_TIMEOUT);
	tcase_set_timeout(th, SCENARIO_TIMEOUT);
	tcase_set_timeout(uw, SCENARIO_TIMEOUT);
	tcase_set_timeout(cw, SCENARIO_TIMEOUT);
	/*
	 * A thread cancelled inside a blocking call that ThreadSanitizer
	 * intercepts (pause()) leaves that call's state in place, and the
	 * library's locking as the thread finishes is then reported as a
	 * race (cancelled in pthread_testcancel(), it is not).
	 */
	tcase_set_tags(cw, "no-tsan");
	tcase_set_timeout(fk, SCENARIO_TIMEOUT);
	tcase_set_tags(fk, "no-valgrind");	/* see the test */
#ifdef TEST_CXX_SCENARIOS
	tcase_add_loop_test(ex, tokens_stopped_newest_first_and_joined_at_exit,
	    0, NDONE * LINKAGES);
	tcase_add_test(ex, stages_stop_lowest_first_newest_first);
	tcase_add_test(ex, adopted_and_unregistered_tokens_stopped_at_exit);
	tcase_add_test(ex, cxx17_thread_stopped_and_joined_at_exit);
	tcase_add_test(ex, at_exit_hooks_lifo_with_c_hooks);
	tcase_add_test(ex, creation_after_shutdown_began_fails);
	tcase_add_loop_test(ex, set_timeout_rejects_negative_saturates_max, 0,
	    (int)(sizeof timeout_max / sizeof timeout_max[0]));
	tcase_add_test(ex, daemon_never_holds_exit);

	tcase_add_test(st, request_stop_token_then_terminate);
	tcase_add_test(st, c_request_stop_token_then_terminate);
	tcase_add_test(st, request_stop_after_finish_stops_token);
	tcase_add_test(st, static_thread_abandoned_at_deadline_does_not_hang_exit);
	tcase_add_test(st, destructor_detaches_where_join_fails);
	tcase_add_test(fk, destructor_detaches_where_join_fails_in_fork_child);
	tcase_add_test(st, destructor_is_no_cancellation_point_in_stop_callbacks);
	tcase_add_test(st, odd_periods_saturate);
	tcase_add_test(st, stop_token_after_its_bridge_is_stopped);
	tcase_add_test(st, wait_stop_timeouts);
	tcase_add_test(st, this_thread_tokens_and_adopt);

	tcase_add_test(ob, destructor_stops_and_joins);
	tcase_add_test(ob, destructor_in_own_thread_detaches);
	tcase_add_test(ob, move_assignment_stops_old_thread);
	tcase_add_test(ob, self_move_assignment_is_no_op);
	tcase_add_test(ob, join_detach_errors);
	tcase_add_test(ob, name_and_stage_limits);
	tcase_add_test(ob, properties_and_arguments);
	tcase_add_test(ob, trap_signal_errors);

	tcase_add_test(th, body_exception_reported_once_then_abort);
	tcase_add_test(th, terminate_exception_reported_shutdown_goes_on);
	tcase_add_test(th, terminate_exception_in_request_stop_reported);
	tcase_add_test(th, hook_exception_reported_other_hooks_run);
	tcase_add_loop_test(uw, forced_unwind_not_reported, 0,
	    NUNWIND_ANYWHERE);
	tcase_add_loop_test(cw, forced_unwind_not_reported, NUNWIND_ANYWHERE,
	    NUNWIND);
#else
	fprintf(stderr, "note: cxx: C++ scenario programs not built (no C++ "
	    "compiler, or one that uses another C library): the cxx suite "
	    "runs no test; header-hpp.sh compiles include/exeunt.hpp when "
	    "there is a C++ compiler\n");
#endif
	suite_add_tcase(s, ex);
	suite_add_tcase(s, st);
	suite_add_tcase(s, ob);
	suite_add_tcase(s, th);
	suite_add_tcase(s, fk);
	suite_add_tcase(s, uw);
	suite_add_tcase(s, cw);
	return s;
}
