/*
 * Trapped signals: the first one ends the process gracefully, whatever
 * main is doing (terminate, join, hooks, the atexit handlers and the
 * stdio flush, then death by that signal); a second one while the first
 * is handled ends it at once; no thread sees EINTR because of them.
 *
 * argv[1]:
 *   pause, read, join, accept
 *            main traps SIGTERM, says "ready" and blocks in that call;
 *            the test sends SIGTERM.
 *   second   SIGTERM and SIGINT trapped; a terminate callback never
 *            returns; the test sends a second signal once it blocks.
 *   eintr    SIGTERM is blocked in every thread but a reader blocked in
 *            read(2) on a pipe, so the handler runs in it; its terminate
 *            callback writes to the pipe: the read must complete then.
 *   exiting  main is in exit(3), waiting for the worker, when a trapped
 *            SIGTERM arrives: that exit goes on, and the process still
 *            ends by SIGTERM once done.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

/*
 * ThreadSanitizer runs a handler only when the thread that got the signal
 * next enters one of its interceptors, which a thread blocked in read(2)
 * or accept(2) never does.  In that build main keeps SIGTERM blocked while
 * it blocks, so that the worker, which calls into the library every few
 * milliseconds, gets it; and "eintr" cannot be run at all.
 */
#if defined(__SANITIZE_THREAD__)
#define TSAN_BUILD 1
#else
#define TSAN_BUILD 0
#endif

static struct sc_flag started = SC_FLAG_INIT;
static struct sc_flag never = SC_FLAG_INIT;
static struct sc_flag handled = SC_FLAG_INIT;
static int pipe_fd[2];
static pthread_t catcher_th;
static pid_t reader_tid;

/* Registered before the first exeunt call: runs after the coordinator. */
static void
atexit_before(void)
{
	say("atexit\n");
}

static void *
worker(void *arg)
{
	(void)arg;
	flag_set(&started);
	work_until_stopped();
	if (await_phase(EXEUNT_JOINING, "worker"))
		say("worker done\n");
	return NULL;
}

static void *
forever(void *arg)
{
	(void)arg;
	sc_forever();
	return NULL;
}

static void
terminate_block(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	say("callback blocks\n");
	flag_wait(&never);
}

static void
block_in(const char *call)
{
	struct sockaddr_un sa;
	pthread_t t;
	char c;
	int s;

	if (strcmp(call, "pause") == 0) {
		say("ready\n");
		for (;;)
			pause();	/* returns after every handler */
	} else if (strcmp(call, "read") == 0) {
		if (pipe(pipe_fd) != 0)
			exit(100);
		say("ready\n");
		for (;;)
			say("main: read returned %zd (%s)\n",
			    read(pipe_fd[0], &c, 1), strerror(errno));
	} else if (strcmp(call, "join") == 0) {
		if (pthread_create(&t, NULL, forever, NULL) != 0)
			exit(100);
		say("ready\n");
		say("main: pthread_join returned %s\n",
		    errname(pthread_join(t, NULL)));
	} else if (strcmp(call, "accept") == 0) {
		s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		memset(&sa, 0, sizeof sa);
		sa.sun_family = AF_UNIX;
		/* An address length of just the family: autobind. */
		if (s < 0 || bind(s, (struct sockaddr *)&sa,
		    sizeof(sa_family_t)) != 0 || listen(s, 1) != 0)
			exit(100);
		say("ready\n");
		for (;;)
			say("main: accept returned %d (%s)\n",
			    accept(s, NULL, NULL), strerror(errno));
	}
	sc_forever();
}

static void
terminate_write(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	say("terminate reader\n");
	if (write(pipe_fd[1], "data", 4) != 4)
		say("write failed\n");
}

static void *
reader(void *arg)
{
	sigset_t term;
	char buf[8];
	ssize_t n;

	(void)arg;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	pthread_sigmask(SIG_UNBLOCK, &term, NULL);
	reader_tid = gettid();
	flag_set(&started);
	n = read(pipe_fd[0], buf, sizeof buf);
	if (n < 0)
		say("reader: read failed: %s\n", strerror(errno));
	else
		say("reader: read %zd bytes\n", n);
	return NULL;
}

/*
 * SIGTERM is blocked here as everywhere; sigsuspend() unblocks it and
 * returns once the handler ran in this thread, even for a signal sent
 * before the call.
 */
static void *
catcher(void *arg)
{
	sigset_t mask;

	(void)arg;
	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	sigdelset(&mask, SIGTERM);
	flag_set(&started);
	sigsuspend(&mask);
	flag_set(&handled);
	sc_forever();
	return NULL;
}

static void *
exiting_worker(void *arg)
{
	(void)arg;
	work_until_stopped();
	if (!await_phase(EXEUNT_JOINING, "worker"))
		return NULL;
	/* Main is in exit(), waiting for this thread: signal now. */
	pthread_kill(catcher_th, SIGTERM);
	flag_wait(&handled);
	say("signal handled\n");
	say("worker done\n");
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "pause";
	sigset_t term;
	int rc;

	if (TSAN_BUILD && strcmp(mode, "eintr") == 0) {
		say("not under ThreadSanitizer\n");
		return 0;
	}
	atexit(atexit_before);
	if (strcmp(mode, "eintr") == 0 || strcmp(mode, "exiting") == 0) {
		/* Before any thread exists, so that all inherit the mask. */
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &term, NULL);
	}
	rc = exeunt_trap_signal(SIGTERM);
	if (rc == 0 && strcmp(mode, "second") == 0)
		rc = exeunt_trap_signal(SIGINT);
	if (rc != 0) {
		say("exeunt_trap_signal: %s\n", errname(rc));
		return 100;
	}
	exeunt_atexit(hook_say, "1");
	if (strcmp(mode, "second") == 0) {
		sc_start(0, terminate_block, NULL, forever, NULL);
		say("ready\n");
		sc_forever();
	}
	if (strcmp(mode, "eintr") == 0) {
		if (pipe(pipe_fd) != 0)
			return 100;
		sc_start(0, terminate_write, NULL, reader, NULL);
		flag_wait(&started);
		/* The reader's only step left is the read. */
		if (!await_sleeping(reader_tid))
			say("the reader never blocked\n");
		say("ready\n");
		sc_forever();
	}
	if (strcmp(mode, "exiting") == 0) {
		if (pthread_create(&catcher_th, NULL, catcher, NULL) != 0)
			return 100;
		flag_wait(&started);
		sc_start(0, terminate_say, "worker", exiting_worker, NULL);
		say("main exits\n");
		exit(3);
	}
	sc_start(0, terminate_say, "worker", worker, NULL);
	flag_wait(&started);
	/* Left in stdio's buffer: exit's flush writes it, last. */
	printf("stdio tail");
	if (TSAN_BUILD) {
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &term, NULL);
	}
	block_in(mode);
	return 0;
}
