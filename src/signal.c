/*
 * Signal-initiated graceful shutdown: exeunt_trap_signal().
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * The handler only counts and writes one byte to a pipe: no lock, no
 * allocation, no stdio.  A library thread reads the pipe and ends the
 * process with exeunt_exit(), so the shutdown runs whatever the other
 * threads are doing; it runs the callbacks and hooks with the signal mask
 * of the program, not its own.  After exit's usual work (every atexit
 * handler, whenever it was registered, and C++ static destructors), the
 * library's ELF destructor flushes stdio and ends the process by the
 * signal's default action: the C library runs ELF destructors after the
 * atexit handlers.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_int sig_count;	/* trapped signals received */
static atomic_int sig_first;	/* the first one */
static atomic_int sig_wfd = -1;	/* the handler's end of the pipe */
static atomic_int exit_by;	/* the signal the process ends by */

/* Guarded by the library lock. */
static int sig_rfd = -1;
static int sig_thread_up;
static sigset_t trapped;
static sigset_t program_mask;	/* of the thread that started ours */
static sigset_t fork_mask;	/* the forking thread's, across fork() */

/*
 * End the process now by signo's default action.  Async-signal-safe.
 * It returns (and the caller then calls _exit) only if that action does
 * not end the process.  Not a noreturn function on purpose: AddressSanitizer
 * prepares every call of one, and warns when it does so in a signal
 * handler on a thread whose stack it does not know.
 */
static void
die_by(int signo)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(signo, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, signo);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(signo);
}

static void
handler(int signo)
{
	int saved = errno, fd;
	char byte = 1;
	ssize_t n;

	if (atomic_fetch_add(&sig_count, 1) != 0) {
		die_by(signo);		/* the second: at once */
		_exit(128 + signo);
	}
	atomic_store(&sig_first, signo);
	/* Set here, not in the thread: an exit() already under way may end
	 * before that thread runs, and must still end by the signal. */
	atomic_store(&exit_by, signo);
	if ((fd = atomic_load(&sig_wfd)) >= 0) {
		n = write(fd, &byte, 1);
		(void)n;
	}
	errno = saved;
}

static void *
signal_thread(void *arg)
{
	int fd = (int)(long)arg, signo;
	sigset_t mask;
	char byte;
	ssize_t n;

	while ((n = read(fd, &byte, 1)) != 1) {
		if (n == 0 || (n < 0 && errno != EINTR))
			return NULL;	/* the pipe was replaced (fork) */
	}
	signo = atomic_load(&sig_first);
	EXEUNT__TRACE("signal %d (%s): graceful shutdown begins", signo,
	    strsignal(signo));
	/* Callbacks, hooks and what they spawn see the program's mask.  A
	 * second trapped signal may now land here: it ends the process at
	 * once, as it would anywhere. */
	exeunt__lock();
	mask = program_mask;
	exeunt__unlock();
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
	exeunt_exit(128 + signo);
}

/*
 * Make the pipe and start the thread that reads it, with every signal
 * blocked and registered nowhere.  The caller holds the lock.
 */
static int
start_thread_locked(void)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t pth;
	int fds[2], err;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return errno;
	if ((err = pthread_attr_init(&attr)) != 0)
		goto fail;
	(void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	(void)pthread_attr_setstacksize(&attr, 256 * 1024);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&pth, &attr, signal_thread, (void *)(long)fds[0]);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (err != 0)
		goto fail;
	sig_rfd = fds[0];
	atomic_store(&sig_wfd, fds[1]);
	sig_thread_up = 1;
	program_mask = old;
	return 0;
fail:
	close(fds[0]);
	close(fds[1]);
	return err;
}

/* Signals that may not be trapped: they cannot be caught, they report a
 * fault of the thread that gets them, or by default they do not end the
 * process. */
static int
trappable(int signo)
{
	switch (signo) {
	case SIGKILL: case SIGSTOP:
	case SIGSEGV: case SIGBUS: case SIGFPE: case SIGILL: case SIGTRAP:
	case SIGSYS: case SIGABRT:	/* abort() dies right after a handler */
	case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
	case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return 0;
	}
	return signo > 0 && signo < NSIG;
}

int
exeunt_trap_signal(int signo)
{
	struct sigaction sa;
	int err;

	if (!trappable(signo))
		return EINVAL;
	exeunt__lock();
	if (!sig_thread_up && (err = start_thread_locked()) != 0) {
		exeunt__unlock();
		return err;
	}
	if (sigismember(&trapped, signo)) {
		exeunt__unlock();
		return 0;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;	/* no EINTR elsewhere because of us */
	sigemptyset(&sa.sa_mask);
	if (sigaction(signo, &sa, NULL) != 0) {
		err = errno;
		exeunt__unlock();
		return err;
	}
	sigaddset(&trapped, signo);
	exeunt__unlock();
	return 0;
}

/* The C library runs ELF destructors after every atexit handler, and
 * this one only at exit (the library is never unloaded: -z nodelete): a
 * signal-initiated exit ends by that signal. */
__attribute__((destructor)) static void
signal_at_exit(void)
{
	int signo = atomic_load(&exit_by);

	if (signo == 0)
		return;
	fflush(NULL);
	die_by(signo);
	_exit(128 + signo);
}

/*
 * After fork(), with the lock held: the pipe is shared with the parent,
 * whose thread would read the child's signals.  The child gets its own
 * pipe and thread, and has received no signal yet.
 */
void
exeunt__signal_reset_child(void)
{
	int wfd = atomic_load(&sig_wfd);
	sigset_t mask;

	atomic_store(&sig_count, 0);
	atomic_store(&sig_first, 0);
	atomic_store(&exit_by, 0);
	if (!sig_thread_up)
		return;
	atomic_store(&sig_wfd, -1);
	close(sig_rfd);
	close(wfd);
	sig_rfd = -1;
	sig_thread_up = 0;
	/* The forking thread's mask now blocks the trapped signals: the
	 * program's stays the one from before fork(). */
	mask = program_mask;
	(void)start_thread_locked();
	program_mask = mask;
}

/* fork() begins, with the lock held: block the trapped signals in the
 * forking thread until the child has its own pipe. */
void
exeunt__signal_fork_prepare(void)
{
	pthread_sigmask(SIG_BLOCK, &trapped, &fork_mask);
}

/* fork() is done, in the parent or in the child, with the lock held. */
void
exeunt__signal_fork_done(void)
{
	pthread_sigmask(SIG_SETMASK, &fork_mask, NULL);
}
