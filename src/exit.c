/*
 * The exit path: exit() and exeunt_exit(), the library's exit handler,
 * and parked threads.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Built only on what every C library guarantees: one thread runs the
 * exit handlers and ends the process, and an exit() from another thread
 * meanwhile never returns.  glibc before 2.41 lets that other thread run
 * the remaining handlers itself; glibc 2.41 and later, and musl, block it
 * for ever before any handler runs, and musl crashes on an exit() from an
 * exit handler.  So the library decides which thread ends the process
 * before the C library's exit() is called, and calls it once:
 *
 * - The shared library defines exit() in a version node of its own
 *   (EXEUNT_EXIT), and a program linked with -lexeunt gets its calls
 *   bound to it, since the library comes before the C library on the
 *   link line; so is __libc_start_main(), which the program's start-up
 *   code calls, and which here wraps main so that its return is such a
 *   call.  A static link gets the same through -Wl,--wrap=exit
 *   (pkg-config --static), which turns every call of exit(), the C
 *   library's own call after main returns included, into __wrap_exit().
 *   All run exeunt__exit(): the first caller runs the shutdown, before
 *   any atexit handler, and then calls the C library's exit(); every
 *   other caller is parked.
 * - An exit() that does not come through there (a library linked without
 *   -lexeunt; a program that loads the library with dlopen()) reaches
 *   the library's exit handler instead, from inside the C library's
 *   exit(): it runs the shutdown there.  On glibc a thread_local
 *   destructor of the main thread, which glibc runs before every exit
 *   handler, registers that handler once more, so that it runs first
 *   there too, with the exit status.
 */
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#ifdef PIC
void __wrap_exit(int status) __attribute__((noreturn));
#endif

/* 1 in a thread that is in exeunt__exit() or the exit handler. */
static _Thread_local int exiting;

/* The exit handler's frame, while it runs the shutdown inside the C
 * library's exit() on a C library that crashes on a nested exit(). */
#ifndef __GLIBC__
static jmp_buf handler_frame;
static int handler_frame_set;
#endif

#ifdef PIC
typedef void exit_fn(int);
static exit_fn *libc_exit_fn;

static void
find_libc_exit(void)
{
	libc_exit_fn = (exit_fn *)dlsym(RTLD_NEXT, "exit");
}

/* The C library's exit(). */
void
exeunt__libc_exit(int status)
{
	if (libc_exit_fn == NULL)
		find_libc_exit();
	if (libc_exit_fn != NULL)
		libc_exit_fn(status);
	_exit(status);		/* no exit() in the C library: cannot be */
}

/* The program's exit(), bound here by the version node EXEUNT_EXIT. */
__attribute__((visibility("default"))) void
exit(int status)
{
	exeunt__exit(status);
}

/* A program linked with the static library's flags but against this one. */
__attribute__((visibility("default"), noreturn)) void
__wrap_exit(int status)
{
	exeunt__exit(status);
}

/*
 * main's return, too, comes through the library, with its status: the
 * program's call of __libc_start_main() from its start-up code (crt1.o)
 * is bound here as its exit() is, and main is wrapped.
 */
typedef int main_fn(int, char **, char **);
#ifdef __GLIBC__
#define START_PARAMS main_fn *main, int argc, char **argv, \
	void (*init)(void), void (*fini)(void), void (*rtld_fini)(void), \
	void *stack_end
#define START_ARGS main_returns, argc, argv, init, fini, rtld_fini, stack_end
#else
#define START_PARAMS main_fn *main, int argc, char **argv, \
	void (*init)(void), void (*fini)(void), void (*ldso)(void)
#define START_ARGS main_returns, argc, argv, init, fini, ldso
#endif
typedef int start_fn(START_PARAMS);
start_fn __libc_start_main;
static main_fn *program_main;

static int
main_returns(int argc, char **argv, char **envp)
{
	exeunt__exit(program_main(argc, argv, envp));
}

__attribute__((visibility("default"))) int
__libc_start_main(START_PARAMS)
{
	start_fn *next = (start_fn *)dlsym(RTLD_NEXT, "__libc_start_main");

	program_main = main;
	return next(START_ARGS);
}
#else
/* wrap.c, which only a link with -Wl,--wrap=exit pulls in from the static
 * library, sets it to the C library's exit(). */
extern void (*const exeunt__real_exit)(int) __attribute__((weak));

static void
find_libc_exit(void)
{
}

void
exeunt__libc_exit(int status)
{
	if (&exeunt__real_exit != NULL)
		(*exeunt__real_exit)(status);
	exit(status);		/* not wrapped: the C library's */
}
#endif

int
exeunt__exiting(void)
{
	return exiting;
}

/* Block forever; signal handlers still run in this thread, for the
 * signals it does not block (its mask stays as it was). */
void
exeunt__park(void)
{
	sigset_t mask;

	exeunt__lock();
	exeunt__leave_callbacks_locked();
	exeunt__unlock();
	exeunt__pool_parked();
	exeunt__finish_current();
	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	for (;;)
		sigsuspend(&mask);
}

static void
trace_discarded(int status)
{
	EXEUNT__TRACE("exit(%d) from thread %s/%d discarded", status,
	    exeunt__self != NULL ? exeunt__self->name : "unregistered",
	    (int)gettid());
}

/*
 * exit() called from a terminate callback or a hook of the shutdown that
 * the calling thread runs, or from an exit handler, in the thread whose
 * exit() goes on.  The caller holds the lock; this releases it.
 */
static void __attribute__((noreturn))
nested_exit_locked(int status)
{
	int running = exeunt__sd.state == EXEUNT__SHUT_RUNNING &&
	    pthread_equal(exeunt__sd.owner, pthread_self());
	int in_libc = exeunt__sd.exit == EXEUNT__EXIT_IN;

	exeunt__exit_again_locked(status);
	if (running) {
		/* The callback or hook never returns. */
		exeunt__leave_callbacks_locked();
		exeunt__unlock();
		EXEUNT__TRACE("exit(%d) from a callback or hook: "
		    "the shutdown goes on", status);
		exeunt__run_phases();
		exeunt__lock();
	}
	if (!in_libc) {
		/* Not in the C library's exit() yet: call it, once. */
		if (!exeunt__enter_exit_locked()) {
			exeunt__unlock();
			exeunt__park();
		}
		exeunt__unlock();
		exeunt__libc_exit(status);
	}
	exeunt__unlock();
#ifdef __GLIBC__
	/* glibc's exit() from an exit handler goes on with the handlers
	 * left, and ends the process with this status. */
	exeunt__libc_exit(status);
#else
	/* musl crashes on an exit() from an exit handler: back to the
	 * library's handler, whose return lets the C library's exit() go
	 * on, with the status it was called with. */
	if (running && handler_frame_set)
		longjmp(handler_frame, 1);
	exeunt__libc_exit(status);
#endif
}

/*
 * Every exit() of the program, and exeunt_exit(): the first caller runs
 * the shutdown, then calls the C library's exit(); every other one parks.
 */
void
exeunt__exit(int status)
{
	int owner;

	/* exit() does not return: nothing to restore. */
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	exeunt__lock();
	if (exeunt__taking_over()) {
		/* From a callback or a hook that the watchdog runs in place
		 * of the shutdown's owner: the shutdown goes on here. */
		exeunt__leave_callbacks_locked();
		exeunt__unlock();
		EXEUNT__TRACE("exit(%d) from a callback or hook of the "
		    "watchdog: the shutdown goes on", status);
		exeunt__run_phases();
		exeunt__end_taken_over(1, status);
		exeunt__park();		/* not reached */
	}
	owner = exeunt__sd.state == EXEUNT__SHUT_RUNNING &&
	    pthread_equal(exeunt__sd.owner, pthread_self());
	if (owner && exeunt__sd.taken_over) {
		/* From the callback that held the shutdown's owner until the
		 * watchdog took over: the watchdog runs the rest. */
		exeunt__unlock();
		trace_discarded(status);
		exeunt__park();
	}
	if (exeunt__sd.exit != EXEUNT__EXIT_NONE) {
		if (pthread_equal(exeunt__sd.exit_thread, pthread_self()))
			nested_exit_locked(status);
		if (owner) {
			/* From a callback or a hook of the shutdown that this
			 * thread runs, while another thread's exit() waits
			 * for that shutdown: finish it; that exit() then goes
			 * on. */
			exeunt__leave_callbacks_locked();
			exeunt__unlock();
			exeunt__run_phases();
			trace_discarded(status);
			exeunt__park();
		}
		exeunt__unlock();
		trace_discarded(status);
		exeunt__park();
	}
	exiting = 1;
	exeunt__claim_exit_locked(EXEUNT__EXIT_BEFORE, status, 1);
	exeunt__shutdown_for_exit_locked();
	if (!exeunt__enter_exit_locked()) {
		/* A thread that was already inside the C library's exit()
		 * goes on in this one's place. */
		exeunt__unlock();
		trace_discarded(status);
		exeunt__park();
	}
	status = exeunt__sd.status;
	exeunt__unlock();
	exeunt__libc_exit(status);
}

void
exeunt_exit(int status)
{
	exeunt__exit(status);
}

/*
 * The library's exit handler, inside the C library's exit(); known says
 * whether status is the exit's (on_exit) or not (atexit).
 */
static void
at_exit(int status, int known)
{
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	exeunt__lock();
	switch (exeunt__sd.exit) {
	case EXEUNT__EXIT_NONE:
		/* The first exit(), and it did not come through the library:
		 * the shutdown runs here. */
		exiting = 1;
		exeunt__claim_exit_locked(EXEUNT__EXIT_IN, status, known);
#ifndef __GLIBC__
		if (setjmp(handler_frame) != 0) {
			handler_frame_set = 0;
			return;		/* a nested exit() finished it */
		}
		handler_frame_set = 1;
#endif
		exeunt__shutdown_for_exit_locked();
#ifndef __GLIBC__
		handler_frame_set = 0;
#endif
		break;
	case EXEUNT__EXIT_BEFORE:
	case EXEUNT__EXIT_ENTERING:
		if (pthread_equal(exeunt__sd.exit_thread, pthread_self())) {
			/* The library's own call of the C library's exit(); a
			 * thread registered since the library let it through
			 * unused is stopped now. */
			exeunt__exit_inside_locked();
			exeunt__shutdown_for_exit_locked();
			break;
		}
		/* Another thread claimed the exit but is not inside the C
		 * library's exit(), and this one is: where the C library has
		 * an exit lock, this thread holds it and that one could
		 * never come in.  This one goes on in its place, once the
		 * shutdown is done (counting as finished meanwhile, or
		 * finishing it if it runs it). */
		exiting = 1;
		exeunt__shutdown_for_exit_locked();
		EXEUNT__TRACE("exit(%d) inside the C library goes on in place "
		    "of exit(%d) from another thread", status,
		    exeunt__sd.status);
		exeunt__claim_exit_locked(EXEUNT__EXIT_IN, status, known);
		break;
	case EXEUNT__EXIT_IN:
		if (pthread_equal(exeunt__sd.exit_thread, pthread_self()))
			break;
		/* A second thread inside the C library's exit(), which
		 * only glibc before 2.41 lets run the handlers. */
		exeunt__unlock();
		trace_discarded(status);
		exeunt__park();
	}
	exeunt__unlock();
}

#ifdef HAVE_ON_EXIT
static void
at_exit_status(int status, void *arg)
{
	(void)arg;
	at_exit(status, 1);
}
#else
static void
at_exit_no_status(void)
{
	at_exit(0, 0);
}
#endif

/* Register the exit handler (once more); 0 or an error number. */
int
exeunt__arm_exit_handler(void)
{
#ifdef HAVE_ON_EXIT
	return on_exit(at_exit_status, NULL) != 0 ? ENOMEM : 0;
#else
	return atexit(at_exit_no_status) != 0 ? ENOMEM : 0;
#endif
}

#ifdef HAVE___CXA_THREAD_ATEXIT_IMPL
int __cxa_thread_atexit_impl(void (*fn)(void *), void *obj, void *dso);
extern void *__dso_handle;
/* LeakSanitizer's, when it is in the process. */
void __lsan_disable(void) __attribute__((weak));
void __lsan_enable(void) __attribute__((weak));

/*
 * The main thread's thread_local destructor: glibc runs it at the start of
 * exit() in the main thread, returning from main included, before any exit
 * handler, so a handler registered now runs first.  It also runs when the
 * main thread calls pthread_exit(); the handler then waits for the exit.
 */
static void
main_thread_ends(void *arg)
{
	int armed;

	(void)arg;
	exeunt__lock();
	armed = exeunt__reg.coordinator_armed &&
	    exeunt__sd.exit == EXEUNT__EXIT_NONE;
	exeunt__unlock();
	if (armed)
		(void)exeunt__arm_exit_handler();
}

#endif

/* From the library's constructor. */
void
exeunt__exit_init(void)
{
	find_libc_exit();
#ifdef HAVE___CXA_THREAD_ATEXIT_IMPL
	/* glibc keeps the destructor in a block of its own, which it frees
	 * when it runs it, but never if the main thread ends with
	 * pthread_exit(), where glibc runs no thread_local destructor: that
	 * block is not a leak of the program's. */
	if (getpid() == gettid()) {
		if (__lsan_disable != NULL)
			__lsan_disable();
		(void)__cxa_thread_atexit_impl(main_thread_ends, NULL,
		    &__dso_handle);
		if (__lsan_enable != NULL)
			__lsan_enable();
	}
#endif
}
