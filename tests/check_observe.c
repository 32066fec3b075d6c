/*
 * Hostile cases of the observation features of 0.6: the call stacks
 * (exeunt_dump_stacks(3)), the report function (exeunt_set_report(3)) and
 * the systemd notification (exeunt_notify(3)).  Each test names the
 * promise it holds the library to.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "config.h"
#include "tests.h"

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static struct child ch;

/* A registered thread that blocks the stack signal while dumps are made. */
struct blocker {
	int signo;
	struct gate blocked;	/* the signal is blocked */
	struct gate dumped;	/* the dumps are done: count, then unblock */
	struct gate unblocked;	/* unblocked: a pending signal was taken */
	struct gate release;	/* return */
	int queued;		/* instances of the signal pending */
};

static void *
blocker_main(void *arg)
{
	struct blocker *b = arg;
	struct timespec zero = { 0, 0 };
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, b->signo);
	(void)pthread_sigmask(SIG_BLOCK, &set, NULL);
	gate_open(&b->blocked);
	gate_wait(&b->dumped);
	/* Count the pending instances (and take them, so that none is left
	 * for a handler), or, with queued == -1, unblock and let the
	 * library's handler take what is pending. */
	if (b->queued == 0) {
		while (sigtimedwait(&set, &si, &zero) == b->signo)
			b->queued++;
	}
	(void)pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	gate_open(&b->unblocked);
	gate_wait(&b->release);
	return NULL;
}

/* One dump into a string, which the caller frees. */
static char *
dump_text(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(exeunt_dump_stacks(f), 0);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

#ifdef HAVE_STACKS
/*
 * A thread that blocks the stack signal keeps the dumps' signals pending.
 * The signal is a realtime one: each tgkill() queues another instance,
 * charged to the user's RLIMIT_SIGPENDING, which every process of the
 * user shares, until sigqueue(3) and timer signals fail with EAGAIN;
 * and each is a signal the program did not ask for, delivered to
 * whatever handler or sigwait(3) the thread has for it later.  A dump
 * must not queue a second one while one it sent is still pending.
 */
START_TEST(stacks_blocked_thread_gets_one_signal)
{
	struct blocker b = { .queued = 0 };
	exeunt_thread_t *t;
	char *text;
	int i;

	b.signo = exeunt_get_stack_signal();
	ck_assert_int_ne(b.signo, 0);
	gate_init(&b.blocked);
	gate_init(&b.dumped);
	gate_init(&b.unblocked);
	gate_init(&b.release);
	t = create_or_fail(NULL, blocker_main, &b);
	gate_wait(&b.blocked);
	for (i = 0; i < 3; i++) {
		text = dump_text();
		ck_assert_msg(strstr(text, "no answer to signal") != NULL,
		    "dump %d:\n%s", i, text);
		free(text);
	}
	gate_open(&b.dumped);
	gate_wait(&b.unblocked);
	gate_open(&b.release);
	join_or_fail(t);
	ck_assert_msg(b.queued == 1, "%d instances of signal %d pending "
	    "after 3 dumps", b.queued, b.signo);
}
END_TEST

/* Once the thread unblocks the signal, the pending one goes to the
 * library's handler, and the next dump shows the thread's stack. */
START_TEST(stacks_after_unblocking)
{
	struct blocker b = { .queued = -1 };
	exeunt_thread_t *t;
	char *text, *own;

	b.signo = exeunt_get_stack_signal();
	gate_init(&b.blocked);
	gate_init(&b.dumped);
	gate_init(&b.unblocked);
	gate_init(&b.release);
	t = create_or_fail(NULL, blocker_main, &b);
	gate_wait(&b.blocked);
	text = dump_text();
	ck_assert_msg(strstr(text, "no answer to signal") != NULL, "%s", text);
	free(text);
	gate_open(&b.dumped);
	gate_wait(&b.unblocked);
	text = dump_text();
	/* The thread's line is the first "seq 1"; its frames follow it. */
	own = strstr(text, "seq 1 ");
	ck_assert_msg(own != NULL && strstr(own, "\n    #0 ") != NULL &&
	    strstr(text, "no stack") == NULL, "%s", text);
	free(text);
	gate_open(&b.release);
	join_or_fail(t);
}
END_TEST
#endif

/*
 * exeunt_set_report(3): "The deadline's action waits for it at most one
 * second ... So a function that blocks ... never holds up the deadline."
 * With the action proceed the shutdown goes on to its hooks, and the
 * trace (EXEUNT_DEBUG) makes lines on the way, under the library lock,
 * that are passed when it is released: if the thread that makes them
 * waits for the function that never returns, the process never ends
 * and the child is killed as hung.
 */
START_TEST(report_stuck_fn_proceed_with_trace)
{
	static const char *const env[] = { "EXEUNT_STACKS=0",
	    "EXEUNT_DEBUG=1", NULL };

	child_run(&ch, "scenario_ob_stuck", NULL, env, 0);
	child_assert_exit(&ch, 0);
	ck_assert_msg(strstr(ch.out_buf, "hook ran\n") != NULL, "stdout:\n%s",
	    ch.out_buf);
	/* The trace after the deadline went to stderr. */
	ck_assert_msg(strstr(ch.err_buf, "hooks begin") != NULL,
	    "stderr:\n%s", ch.err_buf);
}
END_TEST

/* Likewise a hook's exeunt_report() after the deadline: its line goes to
 * stderr, and the hook returns. */
START_TEST(report_stuck_fn_proceed_hook_reports)
{
	static const char *const env[] = { "EXEUNT_STACKS=0", NULL };

	child_run(&ch, "scenario_ob_stuck", (const char *const[]){ "report",
	    NULL }, env, 0);
	child_assert_exit(&ch, 0);
	ck_assert_msg(strstr(ch.out_buf, "hook ran\nexeunt_report: 0\n") !=
	    NULL, "stdout:\n%s", ch.out_buf);
	ck_assert_msg(strstr(ch.err_buf, "\nexeunt: from hook\n") != NULL,
	    "stderr:\n%s", ch.err_buf);
}
END_TEST

/* The test's end of NOTIFY_SOCKET: an abstract name unique to it. */
static int
sink_open(char *env, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, n;

	n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1,
	    "exeunt-ob-%d", (int)getpid());
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	ck_assert_msg(fd >= 0, "socket: %s", strerror(errno));
	ck_assert_msg(bind(fd, (const struct sockaddr *)&sa,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) == 0,
	    "bind: %s", strerror(errno));
	snprintf(env, size, "NOTIFY_SOCKET=@%s", sa.sun_path + 1);
	return fd;
}

/*
 * Checks each datagram waiting on fd: one assignment a line, only those
 * exeunt_notify(3) names, at most one EXTEND_TIMEOUT_USEC, never past
 * limit_us; the STATUS= texts are appended to status.  Returns the
 * number of datagrams read.
 */
static int
sink_check(int fd, long long limit_us, char *status, size_t size)
{
	char buf[2048], *line, *save, *end;
	int n = 0, extends;
	long long us;
	ssize_t len;

	while ((len = recv(fd, buf, sizeof(buf) - 1, 0)) >= 0 ||
	    errno == EINTR) {
		if (len < 0)
			continue;
		buf[len] = '\0';
		n++;
		extends = 0;
		for (line = strtok_r(buf, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			if (strncmp(line, "EXTEND_TIMEOUT_USEC=", 20) == 0) {
				us = strtoll(line + 20, &end, 10);
				ck_assert_msg(*end == '\0' && us <= limit_us &&
				    ++extends == 1, "datagram %d: %s", n,
				    line);
			} else if (strncmp(line, "STATUS=", 7) == 0) {
				strncat(status, line + 7,
				    size - strlen(status) - 2);
				strcat(status, "\n");
			} else
				ck_assert_msg(strcmp(line, "STOPPING=1") == 0,
				    "datagram %d has an assignment the "
				    "library did not make: \"%s\"", n, line);
		}
	}
	ck_assert_int_eq(errno, EAGAIN);
	return n;
}

/*
 * exeunt_notify(3): each datagram is assignments separated by newlines,
 * and EXTEND_TIMEOUT_USEC "never reaches past the deadline".  A thread
 * name is the program's, often made from input (a client's name): one
 * with a newline must not add an assignment of its own, here an
 * EXTEND_TIMEOUT_USEC of a day that systemd would take as the first one
 * of the datagram.
 */
START_TEST(notify_name_adds_no_assignment)
{
	const char *const args[] = { "30", "w\nEXTEND_TIMEOUT_USEC=86400000000",
	    NULL };
	char env_sock[128], status[8192] = "";
	const char *const env[] = { env_sock, NULL };
	struct pollfd p;
	int fd, n = 0;

	fd = sink_open(env_sock, sizeof(env_sock));
	p.fd = fd;
	p.events = POLLIN;
	child_start(&ch, "scenario_ob_name", args, env, 0);
	child_finish(&ch);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch, "main exits\n");
	/* The child has ended: its datagrams are all queued. */
	if (poll(&p, 1, 0) == 1)
		n = sink_check(fd, 30000000LL, status, sizeof(status));
	close(fd);
	ck_assert_msg(n >= 2, "%d datagrams", n);
	/* The name is shown, with its newline replaced. */
	ck_assert_msg(strstr(status, "stopping: waiting for 1 thread: "
	    "w?EXTEND_TIMEOUT_USEC=86400000000\n") != NULL, "%s", status);
}
END_TEST

/*
 * Every line the library writes is one line of its own: a thread name
 * and a text of exeunt_report() with newlines (a forged "exeunt: action:
 * exit") show them as '?', in the deadline report (late at once), the
 * trace and the reported line alike.
 */
START_TEST(lines_stay_lines)
{
	const char *const args[] = { "0", "w\nexeunt: action: exit",
	    "one\nexeunt: action: abort\ttab", NULL };
	const char *const env[] = { "EXEUNT_STACKS=0", "EXEUNT_DEBUG=1",
	    NULL };
	char *line[256];
	int n, i, actions = 0, named = 0;

	child_run(&ch, "scenario_ob_name", args, env, 0);
	child_assert_exit(&ch, 0);
	n = split_lines(ch.err_buf, line, 256);
	for (i = 0; i < n; i++) {
		ck_assert_msg(strncmp(line[i], "exeunt: ", 8) == 0,
		    "a line not of the library's: %s", line[i]);
		actions += strncmp(line[i], "exeunt: action: ", 16) == 0;
		named += strstr(line[i], "\"w?exeunt: action: exit\"") !=
		    NULL;
	}
	ck_assert_msg(actions == 1, "%d action lines:\n%s", actions,
	    ch.err_buf);
	ck_assert_msg(named >= 1, "the name in %d lines:\n%s", named,
	    ch.err_buf);
	for (i = 0; i < n; i++)
		if (strcmp(line[i], "exeunt: one?exeunt: action: abort\ttab") ==
		    0)
			break;
	ck_assert_msg(i < n, "no reported line with '?' for its newline");
}
END_TEST

#ifndef HAVE_STACKS
/* Built without libdw (as with musl): the dump says so for each thread,
 * and sends no signal at all: the blocked thread has none pending. */
START_TEST(stacks_without_libdw_send_nothing)
{
	struct blocker b = { .queued = 0 };
	exeunt_thread_t *t;
	char *text;

	b.signo = exeunt_get_stack_signal();
	gate_init(&b.blocked);
	gate_init(&b.dumped);
	gate_init(&b.unblocked);
	gate_init(&b.release);
	t = create_or_fail(NULL, blocker_main, &b);
	gate_wait(&b.blocked);
	text = dump_text();
	ck_assert_msg(strstr(text, "(no stack: exeunt was built without "
	    "libdw)") != NULL, "%s", text);
	free(text);
	gate_open(&b.dumped);
	gate_wait(&b.unblocked);
	gate_open(&b.release);
	join_or_fail(t);
	ck_assert_msg(b.queued == 0, "%d instances of signal %d pending",
	    b.queued, b.signo);
}
END_TEST
#endif

Suite *
make_observe_suite(void)
{
	Suite *s = suite_create("observe");
	TCase *st = tcase_create("stacks");

	tcase_set_timeout(st, UNIT_TIMEOUT);
#ifdef HAVE_STACKS
	tcase_add_test(st, stacks_blocked_thread_gets_one_signal);
	tcase_add_test(st, stacks_after_unblocking);
#else
	tcase_add_test(st, stacks_without_libdw_send_nothing);
#endif
	suite_add_tcase(s, st);

	st = tcase_create("report");
	tcase_set_timeout(st, SCENARIO_TIMEOUT);
	tcase_add_test(st, report_stuck_fn_proceed_with_trace);
	tcase_add_test(st, report_stuck_fn_proceed_hook_reports);
	suite_add_tcase(s, st);

	st = tcase_create("notify");
	tcase_set_timeout(st, SCENARIO_TIMEOUT);
	tcase_add_test(st, notify_name_adds_no_assignment);
	tcase_add_test(st, lines_stay_lines);
	suite_add_tcase(s, st);
	return s;
}
