/*
 * exeunt -- threads that are told to stop and waited for at exit.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * One public header.  Every function returns 0 on success or a positive
 * errno value on failure, as pthreads does, unless its comment says
 * otherwise.  See exeunt(7) for the model and a page per function.
 */
#ifndef EXEUNT_H
#define EXEUNT_H

#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define EXEUNT_API __attribute__((visibility("default")))
#else
#define EXEUNT_API
#endif

/*
 * EXEUNT_NOEXCEPT marks, for C++, the functions that can neither throw nor
 * unwind: those that are not cancellation points (nor wait in a way that
 * a cancellation ends, which glibc does by unwinding), that never call
 * code of the program (callbacks, hooks, visitors, destroy functions,
 * jobs, a FILE's functions) and never end the thread.  The others are
 * left without it:
 *   exeunt_thread_join, exeunt_cond_wait, exeunt_cond_timedwait,
 *   exeunt_poll: cancellation points.
 *   exeunt_pool_submit: a cancellation point while the queue is full.
 *   exeunt_thread_request_stop: runs stop and terminate callbacks.
 *   exeunt_thread_release: runs the destroy function.
 *   exeunt_foreach: runs the visitor.
 *   exeunt_shutdown, exeunt_exit: run callbacks and hooks; exit ends.
 *   exeunt_pool_shutdown, exeunt_pool_destroy: run cancel functions
 *   (and, for a worker's job that ends the process, jobs).
 *   exeunt_dump, exeunt_dump_stacks: write through a FILE, whose
 *   functions may be the program's (fopencookie).
 * exeunt_report is marked although it calls the function given to
 * exeunt_set_report (which must not throw or unwind), as is
 * exeunt_set_report, which waits for a call of it to return.
 * Marked although they wait, with cancellation disabled and no code of
 * the program: exeunt_stop_callback_pop (for a callback that runs in
 * another thread), exeunt_wait_stop and exeunt_sleep (a futex, not a
 * cancellation point), exeunt_pool_create (joins its workers when one
 * cannot be started).
 */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define EXEUNT_NOEXCEPT noexcept(true)
#elif defined(__cplusplus)
#define EXEUNT_NOEXCEPT throw()
#else
#define EXEUNT_NOEXCEPT
#endif

#define EXEUNT_VERSION_MAJOR 0
#define EXEUNT_VERSION_MINOR 6

/* Longest thread name, not counting the terminating NUL. */
#define EXEUNT_NAME_MAX 63

/* A registered thread.  Opaque; the library owns it. */
typedef struct exeunt_thread exeunt_thread_t;

/*
 * Creation attributes.  Caller-allocated, like pthread_attr_t: initialise
 * with exeunt_attr_init() and release with exeunt_attr_destroy().  The
 * size is fixed for the life of the ABI; the contents are private.
 */
typedef struct exeunt_attr {
	union {
		unsigned char exeunt_size[256];
		long long exeunt_align;
		void *exeunt_ptr;
	} exeunt_opaque;
} exeunt_attr_t;

typedef void (*exeunt_terminate_fn)(exeunt_thread_t *thread, void *arg);

/* What happens when the shutdown deadline passes: exeunt_set_timeout(3). */
enum exeunt_overrun {
	EXEUNT_OVERRUN_WAIT,	/* report, and keep waiting */
	EXEUNT_OVERRUN_PROCEED,	/* report, abandon the late threads, run hooks */
	EXEUNT_OVERRUN_EXIT,	/* report, then _exit(EXEUNT_EXIT_TIMEOUT) */
	EXEUNT_OVERRUN_ABORT	/* report, then abort() */
};

/* The exit status of EXEUNT_OVERRUN_EXIT, as timeout(1) uses. */
#define EXEUNT_EXIT_TIMEOUT 124

enum exeunt_phase {
	EXEUNT_RUNNING,		/* no shutdown has begun */
	EXEUNT_TERMINATING,	/* stop requests and terminate callbacks */
	EXEUNT_JOINING,		/* waiting for the non-daemon threads */
	EXEUNT_HOOKS,		/* running the exeunt_atexit() hooks */
	EXEUNT_DONE		/* shutdown finished */
};

/* Attributes: exeunt_attr_init(3). */
EXEUNT_API int exeunt_attr_init(exeunt_attr_t *attr) EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_attr_destroy(exeunt_attr_t *attr) EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_attr_setdaemon(exeunt_attr_t *attr, int daemon)
    EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_attr_getdaemon(const exeunt_attr_t *attr, int *daemon)
    EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_attr_setterminate(exeunt_attr_t *attr,
    exeunt_terminate_fn fn, void *arg) EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_attr_setname(exeunt_attr_t *attr, const char *name)
    EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_attr_setpthreadattr(exeunt_attr_t *attr,
    const pthread_attr_t *pattr) EXEUNT_NOEXCEPT;

/* exeunt_attr_setdestroy(3): destroy(arg) is called with the terminate
 * callback's arg once a thread created (or adopted) with these attributes
 * has finished and its terminate callback can no longer run (it returned,
 * or was never called). */
EXEUNT_API int exeunt_attr_setdestroy(exeunt_attr_t *attr,
    void (*destroy)(void *arg)) EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_attr_getdestroy(const exeunt_attr_t *attr,
    void (**destroy)(void *arg)) EXEUNT_NOEXCEPT;

/* Shutdown stages: exeunt_attr_setstage(3).  Lower stages stop first;
 * the default is the creating thread's stage, else 0. */
#define EXEUNT_STAGE_MIN (-100)
#define EXEUNT_STAGE_MAX 100
EXEUNT_API int exeunt_attr_setstage(exeunt_attr_t *attr, int stage)
    EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_attr_getstage(const exeunt_attr_t *attr, int *stage)
    EXEUNT_NOEXCEPT;

/* Threads: exeunt_thread_create(3), exeunt_thread_adopt(3). */
EXEUNT_API int exeunt_thread_create(exeunt_thread_t **thread,
    const exeunt_attr_t *attr, void *(*start)(void *), void *arg)
    EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_thread_join(exeunt_thread_t *thread, void **retval);
EXEUNT_API int exeunt_thread_detach(exeunt_thread_t *thread) EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_thread_adopt(const exeunt_attr_t *attr) EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_thread_release(void);

/* Thread properties: exeunt_thread_self(3). */
EXEUNT_API exeunt_thread_t *exeunt_thread_self(void) EXEUNT_NOEXCEPT;
EXEUNT_API const char *exeunt_thread_name(const exeunt_thread_t *thread)
    EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_thread_isdaemon(const exeunt_thread_t *thread)
    EXEUNT_NOEXCEPT;
EXEUNT_API pthread_t exeunt_thread_pthread(const exeunt_thread_t *thread)
    EXEUNT_NOEXCEPT;
EXEUNT_API unsigned long long exeunt_thread_seq(const exeunt_thread_t *thread)
    EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_thread_stage(const exeunt_thread_t *thread)
    EXEUNT_NOEXCEPT;

/* Stop requests: exeunt_stop_requested(3). */
EXEUNT_API int exeunt_thread_request_stop(exeunt_thread_t *thread);
EXEUNT_API int exeunt_stop_requested(void) EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_stop_fd(void) EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_wait_stop(const struct timespec *timeout) EXEUNT_NOEXCEPT;

/*
 * Stop callbacks: exeunt_stop_callback_push(3).  Caller-allocated, like
 * pthread_attr_t, and usually on the stack around a blocking call; the
 * size is fixed for the life of the ABI, the contents are private.
 */
typedef struct exeunt_stop_callback {
	union {
		unsigned char exeunt_size[96];
		long long exeunt_align;
		void *exeunt_ptr;
	} exeunt_opaque;
} exeunt_stop_callback_t;

EXEUNT_API int exeunt_stop_callback_push(exeunt_stop_callback_t *cb,
    void (*fn)(void *arg), void *arg) EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_stop_callback_pop(exeunt_stop_callback_t *cb)
    EXEUNT_NOEXCEPT;

/* Waits that a stop request ends: exeunt_cond_wait(3), exeunt_sleep(3),
 * exeunt_poll(3).  They return ECANCELED once the stop is requested. */
EXEUNT_API int exeunt_cond_wait(pthread_cond_t *cond, pthread_mutex_t *mutex);
EXEUNT_API int exeunt_cond_timedwait(pthread_cond_t *cond,
    pthread_mutex_t *mutex, const struct timespec *abstime);
EXEUNT_API int exeunt_sleep(const struct timespec *duration) EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_poll(struct pollfd *fds, nfds_t nfds, int timeout);

/* The registry: exeunt_foreach(3). */
EXEUNT_API int exeunt_foreach(int (*visit)(exeunt_thread_t *thread, void *arg),
    void *arg);
EXEUNT_API size_t exeunt_count(void) EXEUNT_NOEXCEPT;

/* Shutdown: exeunt_shutdown(3), exeunt_atexit(3). */
EXEUNT_API int exeunt_atexit(void (*hook)(void *arg), void *arg)
    EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_shutdown(void);
EXEUNT_API enum exeunt_phase exeunt_phase(void) EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_shutdown_stage(int *stage) EXEUNT_NOEXCEPT;

/* Ending the process from any thread: exeunt_exit(3). */
EXEUNT_API void exeunt_exit(int status)
#if defined(__GNUC__)
    __attribute__((noreturn))
#endif
    ;

/* Deadlines: exeunt_set_timeout(3). */
EXEUNT_API int exeunt_set_timeout(const struct timespec *limit,
    enum exeunt_overrun action) EXEUNT_NOEXCEPT;

/* Signals: exeunt_trap_signal(3). */
EXEUNT_API int exeunt_trap_signal(int signo) EXEUNT_NOEXCEPT;

/* Diagnostics: exeunt_dump(3). */
EXEUNT_API int exeunt_dump(FILE *out);

/* exeunt_dump_stacks(3): every registered thread with its call stack. */
EXEUNT_API int exeunt_dump_stacks(FILE *out);
/* The signal that takes another thread's stack: exeunt_dump_stacks(3). */
EXEUNT_API int exeunt_set_stack_signal(int signo) EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_get_stack_signal(void) EXEUNT_NOEXCEPT;

/* exeunt_set_report(3): where the library's lines go; NULL is stderr.
 * The function must not throw or unwind. */
typedef void (*exeunt_report_fn)(const char *line, void *arg);
EXEUNT_API int exeunt_set_report(void (*fn)(const char *line, void *arg),
    void *arg) EXEUNT_NOEXCEPT;

/* exeunt_notify(3): tell systemd how the shutdown goes ($NOTIFY_SOCKET). */
EXEUNT_API int exeunt_notify(int enable) EXEUNT_NOEXCEPT;

/* exeunt_report(3): one line on the library's diagnostics stream (stderr,
 * or the function of exeunt_set_report(3)), "exeunt: " + the formatted
 * text, in one write(2) + "\n"; longer than 511 bytes is truncated.
 * Async-signal-unsafe (vsnprintf). */
EXEUNT_API int exeunt_report(const char *fmt, ...) EXEUNT_NOEXCEPT
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Work pools: exeunt_pool_create(3). */
typedef struct exeunt_pool exeunt_pool_t;	/* opaque */
typedef void (*exeunt_job_fn)(void *arg);

/* What a pool's shutdown does with queued jobs that have not started. */
enum exeunt_pending {
	EXEUNT_PENDING_RUN,	/* run them (drain); the default */
	EXEUNT_PENDING_CANCEL	/* hand each back through its cancel function */
};

struct exeunt_pool_stats {
	unsigned long long submitted;	/* jobs accepted */
	unsigned long long started;	/* of which run() was called */
	unsigned long long completed;	/* of which run() returned */
	unsigned long long cancelled;	/* handed back, never started */
	size_t queued;			/* waiting now */
	size_t running;			/* in run() now */
};

EXEUNT_API int exeunt_pool_create(exeunt_pool_t **pool, unsigned nthreads,
    size_t capacity, const exeunt_attr_t *attr) EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_pool_submit(exeunt_pool_t *pool, exeunt_job_fn run,
    exeunt_job_fn cancel, void *arg);
EXEUNT_API int exeunt_pool_set_pending(exeunt_pool_t *pool,
    enum exeunt_pending action) EXEUNT_NOEXCEPT;
EXEUNT_API int exeunt_pool_shutdown(exeunt_pool_t *pool,
    enum exeunt_pending action, const struct timespec *timeout);
EXEUNT_API int exeunt_pool_destroy(exeunt_pool_t *pool);
EXEUNT_API int exeunt_pool_stats(exeunt_pool_t *pool,
    struct exeunt_pool_stats *out) EXEUNT_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* EXEUNT_H */
