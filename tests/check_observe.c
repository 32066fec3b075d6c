/*
 * Hostile cases of the observation features of 0.6: the call stacks
 * (exeunt_dump_stacks(3)), the report function (exeunt_set_report(3)) and
 * the systemd notification (exeunt_notify(3)).  Each test names the
 * promise it holds the library to.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "tests.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

Suite *
make_observe_suite(void)
{
	Suite *s = suite_create("observe");
	TCase *st = tcase_create("stacks");

	tcase_set_timeout(st, UNIT_TIMEOUT);
	tcase_add_test(st, stacks_blocked_thread_gets_one_signal);
	tcase_add_test(st, stacks_after_unblocking);
	suite_add_tcase(s, st);
	return s;
}
