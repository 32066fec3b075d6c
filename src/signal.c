/*
 * Signal-initiated graceful shutdown: exeunt_trap_signal().
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * The handler only counts and writes one byte to a pipe: no lock, no
 * allocation, no stdio.  A library thread reads the pipe and ends the
 * process with exeunt_exit(), so the shutdown runs whatever the other
 * threads are doing; it runs the callbacks and hooks with the signal mask
 * of the program, not its own.
 *
 * The process must then run the whole of exit() and still die by the
 * signal.  No exit handler is sure to run last: handlers registered
 * before libexeunt's constructor (by libraries initialised before it) run
 * after its own, and glibc runs the ELF destructors before the handlers
 * that shared libraries' constructors registered.  So the library's exit
 * handler does not end the process: it arms a seccomp filter, in the
 * exiting thread only, that turns the C library's final exit_group(2)
 * with the exit's status into a SIGSYS, whose handler dies by the
 * signal.  (A process forked later, by an exit handler, inherits the
 * filter: if it exits with that same status, its SIGSYS handler lets it,
 * or, after an exec, it dies by SIGSYS.)  Where no filter can be set (no seccomp in the kernel or the
 * container, or under valgrind, which does not support it), the handler
 * flushes stdio and dies by the signal at once, as it is.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(HAVE_LINUX_SECCOMP_H) && defined(HAVE_LINUX_FILTER_H)
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#define EXEUNT__SECCOMP 1
#endif
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1		/* si_code of a SIGSYS from a filter */
#endif

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
	/* Callbacks, hooks and what they spawn see the program's mask, but
	 * for the trapped signals, which stay blocked here: a second one is
	 * taken by another thread, where it ends the process at once, and
	 * never interrupts the shutdown's own thread (under the sanitizers a
	 * handler's raise() there can be held back). */
	exeunt__lock();
	mask = program_mask;
	for (signo = 1; signo < NSIG; signo++)
		if (sigismember(&trapped, signo))
			sigaddset(&mask, signo);
	exeunt__unlock();
	signo = atomic_load(&sig_first);
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
	(void)pthread_attr_setstacksize(&attr, EXEUNT__THREAD_STACK);
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
	/* The coordinator records the status of the exit() that goes on. */
	if ((err = exeunt__arm_locked()) != 0 ||
	    (!sig_thread_up && (err = start_thread_locked()) != 0)) {
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

#ifdef EXEUNT__SECCOMP
/* What the filter traps: this process's exit_group(armed_status). */
static pid_t armed_pid;
static int armed_status;

/* A SIGSYS: the exiting thread's exit_group(2), trapped by the filter;
 * die by the signal.  In a process forked after the filter was set, or
 * if the signal does not end the process, leave with the same status:
 * 256 more does not match the filter, and the kernel keeps the low 8
 * bits. */
static void
sys_handler(int sig, siginfo_t *si, void *uc)
{
	int signo = atomic_load(&exit_by);

	(void)sig;
	(void)uc;
	if (si->si_code == SYS_SECCOMP && signo != 0 &&
	    getpid() == armed_pid)
		die_by(signo);
	syscall(SYS_exit_group, (armed_status & 0xff) + 256);
}

/* valgrind cannot run a program under a seccomp filter. */
static int
under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p != NULL && strstr(p, "/vgpreload_") != NULL;
}

/* Arm the trap on this thread's exit_group(status); 0 if set. */
static int
arm_death(int status)
{
	/* args[0] holds a long; its low 32 bits come first on little-endian
	 * machines. */
	const unsigned lo = offsetof(struct seccomp_data, args[0]) +
	    (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? 4 : 0);
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, lo),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)status, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};
	struct sigaction sa;
	sigset_t set;

	if (under_valgrind())
		return -1;
	armed_pid = getpid();
	armed_status = status;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sys_handler;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
		return -1;
	return 0;
}
#else
static int
arm_death(int status)
{
	(void)status;
	return -1;
}
#endif

/* Registered with atexit() when the library loads: a signal-initiated
 * exit ends by that signal, once exit() has done all of its work. */
static void
signal_at_exit(void)
{
	int signo = atomic_load(&exit_by), status;

	if (signo == 0)
		return;
	/* The status the exit() going on passes to exit_group(2): the
	 * coordinator was armed by exeunt_trap_signal() at the latest. */
	exeunt__lock();
	status = exeunt__sd.exit != EXEUNT__EXIT_NONE && exeunt__sd.status_known ?
	    exeunt__sd.status : 128 + signo;
	exeunt__unlock();
	if (arm_death(status) == 0)
		return;
	fflush(NULL);
	die_by(signo);
	_exit(128 + signo);
}

/*
 * End the process now, from a thread that cannot go on with the exit()
 * under way: flush stdio, then die by the trapped signal that started
 * that exit, if one did, else _exit(status).
 */
void
exeunt__end_process(int status)
{
	int signo = atomic_load(&exit_by);

	fflush(NULL);
	if (signo != 0)
		die_by(signo);
	_exit(status);
}

void
exeunt__signal_init(void)
{
	(void)atexit(signal_at_exit);
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
