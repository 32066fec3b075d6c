/*
 * Call stacks (check_stacks.c): threads stuck in static functions of this
 * program, whose names and file:line the stacks must show, in
 * exeunt_dump_stacks() output and in the deadline report.  Built with -g
 * and without -rdynamic (the default CFLAGS); scenario_sk_stuck_static is
 * the same program linked with libexeunt.a.
 *
 * The first line says what the test needs to check the stacks:
 *   "file F wait W read R dump D deaf E rdynamic no|yes signal S"
 * F: this file's name as compiled; W, R, D, E: the lines of the blocking
 * calls in wait_in_here(), read_in_here(), deaf_in_here() and of the
 * dump in dump_here(), each set on its call's line (0: not reached in
 * this mode; in mode late, R is the line of pause_in_here()'s pause());
 * rdynamic: whether a global function of the program is in its dynamic
 * symbol table (it is with -rdynamic or -Wl,--export-dynamic); S: the
 * stack signal.
 *
 * argv[1], the mode:
 *   dump      "main" (this thread, adopted) and "worker" (non-daemon,
 *             stuck in wait_in_here() until its stop request): main
 *             dumps the stacks to stdout from dump_here(), says
 *             "dump rc X" and "main exits"; the worker then says
 *             "worker stops" when stopped.
 *   deadline  "stuck" (non-daemon) blocks in read_in_here() on stdin,
 *             ignoring its stop request; main says "shutdown at SEC.NSEC"
 *             (CLOCK_MONOTONIC) and returns; EXEUNT_TIMEOUT and
 *             EXEUNT_ON_TIMEOUT (set by the test) decide the rest.
 *   blocked   as deadline, and "deaf" (non-daemon) blocks every signal,
 *             then waits in deaf_in_here() forever.
 *   off       as deadline, after exeunt_set_stack_signal(0).
 *   hook      as deadline, with a report function (exeunt_set_report)
 *             that writes each line it gets to stdout as "hook: LINE",
 *             or "BAD newline: LINE" for a line holding a newline.
 *   late      as hook, but "stuck" waits in pause_in_here() and returns
 *             when a signal interrupts it: the stack signal of the
 *             report ends it while the report is being made.  An
 *             exeunt_atexit() hook says "exit hook runs".
 *   fork      as dump, but main forks in fork_and_dump(); the child
 *             dumps the stacks to stdout, says "child line L rc X" (L:
 *             the line of its call) and ends with _exit(0); the parent
 *             then says its first line, "child status X", "main exits".
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
/*
 * read_in_here()'s frame must be named at the line of its read() call:
 * with _FORTIFY_SOURCE (Debian's build flags set it), read() is an inline
 * wrapper from <bits/unistd.h>, whose line libdw would name instead.
 */
#undef _FORTIFY_SOURCE
#include "scenario.h"

#include <dlfcn.h>

#define NOINLINE __attribute__((noinline))

/* The lines of the calls, each set on the line of its call, before it. */
static int wait_line, read_line, dump_line, deaf_line;

/* Threads in place: each counts itself just before its blocking call. */
static struct sc_count placed = SC_COUNT_INIT;
static atomic_int tids[2];
/*
 * Counted after each call of interest: work after the call keeps it from
 * being a tail call, so that the calling function's frame stays on the
 * stack while the call blocks.
 */
static atomic_int returned;

/* Global, so that -rdynamic would export it: see main(). */
void sk_exported_probe(void);
void
sk_exported_probe(void)
{
}

static NOINLINE int
wait_in_here(void)
{
	int rc;

	wait_line = __LINE__; count_up(&placed); rc = exeunt_wait_stop(NULL);
	atomic_fetch_add(&returned, 1);
	return rc;
}

static NOINLINE ssize_t
read_in_here(void)
{
	char buf[16];
	ssize_t n;

	read_line = __LINE__; count_up(&placed); n = read(STDIN_FILENO, buf, sizeof buf);
	atomic_fetch_add(&returned, 1);
	return n;
}

static NOINLINE void
pause_in_here(void)
{
	read_line = __LINE__; count_up(&placed); pause();
	atomic_fetch_add(&returned, 1);
}

static NOINLINE void
deaf_in_here(void)
{
	deaf_line = __LINE__; count_up(&placed); sc_forever();
	say("deaf returned\n");
}

static void *
worker(void *arg)
{
	(void)arg;
	atomic_store(&tids[0], gettid());
	if (wait_in_here() == 0)
		say("worker stops\n");
	return NULL;
}

static void *
stuck(void *arg)
{
	(void)arg;
	atomic_store(&tids[0], gettid());
	while (read_in_here() < 0 && errno == EINTR)
		continue;
	return NULL;
}

static void *
interruptible(void *arg)
{
	(void)arg;
	atomic_store(&tids[0], gettid());
	pause_in_here();
	say("stuck: interrupted\n");
	return NULL;
}

static void
exit_hook(void *arg)
{
	(void)arg;
	say("exit hook runs\n");
}

static void *
deaf(void *arg)
{
	sigset_t all;

	(void)arg;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	atomic_store(&tids[1], gettid());
	deaf_in_here();
	return NULL;
}

static void
hook_fn(const char *line, void *arg)
{
	(void)arg;
	if (strchr(line, '\n') != NULL)
		say("BAD newline: %s\n", line);
	else
		say("hook: %s\n", line);
}

/* Waits until n threads are in place and each of tids[0..n-1] sleeps in
 * its blocking call; ends the scenario (status 101) if one never does. */
static void
await_placed(int n)
{
	pid_t tid;
	int i;

	count_wait(&placed, n);
	for (i = 0; i < n; i++) {
		tid = atomic_load(&tids[i]);
		if (!await_sleeping(tid)) {
			say("thread %d never slept\n", (int)tid);
			_exit(101);
		}
	}
}

static NOINLINE int
dump_here(void)
{
	int rc;

	dump_line = __LINE__; rc = exeunt_dump_stacks(stdout);
	atomic_fetch_add(&returned, 1);
	return rc;
}

/*
 * The child dumps from here and says "child line L rc X", L the line of
 * its call; the parent returns its status.
 */
static NOINLINE int
fork_and_dump(void)
{
	int status = -1, rc, line;
	pid_t pid;

	if ((pid = fork()) == 0) {
		line = __LINE__; rc = exeunt_dump_stacks(stdout);
		say("child line %d rc %s\n", line, errname(rc));
		_exit(0);
	}
	if (pid < 0)
		return -1;
	if (!sc_reap(pid, SC_DEADLINE_MS, &status))
		say("the child hung\n");
	return status;
}

static void
adopt_main(void)
{
	exeunt_attr_t a;

	exeunt_attr_init(&a);
	exeunt_attr_setname(&a, "main");
	if (exeunt_thread_adopt(&a) != 0) {
		say("adopt failed\n");
		_exit(100);
	}
	exeunt_attr_destroy(&a);
}

/* The first line: see the top of the file. */
static void
say_lines(void)
{
	say("file %s wait %d read %d dump %d deaf %d rdynamic %s signal %d\n",
	    __FILE__, wait_line, read_line, dump_line, deaf_line,
	    dlsym(RTLD_DEFAULT, "sk_exported_probe") != NULL ? "yes" : "no",
	    exeunt_get_stack_signal());
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "dump";
	struct timespec now;
	int rc;

	if (strcmp(mode, "dump") == 0 || strcmp(mode, "fork") == 0) {
		adopt_main();
		sc_start_named("worker", 0, NULL, NULL, worker, NULL);
		await_placed(1);
		fflush(stdout);
		if (strcmp(mode, "dump") == 0) {
			rc = dump_here();
			say_lines();
			say("dump rc %s\n", errname(rc));
		} else {
			rc = fork_and_dump();
			say_lines();
			say("child status %d\n", rc);
		}
		say("main exits\n");
		exeunt_thread_release();
		return 0;
	}
	if (strcmp(mode, "deadline") != 0 && strcmp(mode, "blocked") != 0 &&
	    strcmp(mode, "hook") != 0 && strcmp(mode, "off") != 0 &&
	    strcmp(mode, "late") != 0) {
		say("unknown mode %s\n", mode);
		return 100;
	}
	if (strcmp(mode, "hook") == 0 || strcmp(mode, "late") == 0)
		exeunt_set_report(hook_fn, NULL);
	if (strcmp(mode, "off") == 0 && (rc = exeunt_set_stack_signal(0)) != 0)
		say("exeunt_set_stack_signal(0): %s\n", errname(rc));
	if (strcmp(mode, "late") == 0) {
		if ((rc = exeunt_atexit(exit_hook, NULL)) != 0) {
			say("exeunt_atexit: %s\n", errname(rc));
			return 100;
		}
		sc_start_named("stuck", 0, NULL, NULL, interruptible, NULL);
	} else {
		sc_start_named("stuck", 0, NULL, NULL, stuck, NULL);
	}
	if (strcmp(mode, "blocked") == 0) {
		sc_start_named("deaf", 0, NULL, NULL, deaf, NULL);
		await_placed(2);
	} else {
		await_placed(1);
	}
	say_lines();
	clock_gettime(CLOCK_MONOTONIC, &now);
	say("shutdown at %lld.%09ld\n", (long long)now.tv_sec, now.tv_nsec);
	return 0;
}
