/*
 * Internal declarations shared by the files of libexeunt.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Lock order.  There is one library lock, exeunt__reg.lock.  It protects
 * the registry list, its counters, the shutdown state, the hook list and
 * every mutable field of every record except the stop word (an atomic that
 * is read without the lock).  No user code (start routine, terminate
 * callback, visitor, hook) ever runs with it held, and the library calls
 * no pthread_join or blocking system call with it held except waits on
 * its own condition variable.  The only pthread_create calls under it
 * start the library's own watchdog and signal threads, which take the
 * lock only after they run.  fork() holds it (pthread_atfork).  The
 * report function's lock (debug.c) is taken before it, never under it:
 * a line made under the library lock waits for its release.
 */
#ifndef EXEUNT_INTERNAL_H
#define EXEUNT_INTERNAL_H

#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "exeunt.h"

/* The stack of the library's own threads (watchdog, signal thread, the
 * deadline report's hand-off): they run terminate callbacks, hooks and
 * the report function, and name call stacks with libdw, which
 * ThreadSanitizer's instrumentation makes deeper still.  Reserved, not
 * committed: only the pages used are. */
#define EXEUNT__THREAD_STACK (2 * 1024 * 1024)

/* Static inline helpers that are not part of the ABI. */
#define EXEUNT__HIDDEN __attribute__((visibility("hidden")))

/* Initial-exec TLS: no call to __tls_get_addr.  glibc keeps a static TLS
 * reserve for libraries loaded with dlopen() that use it; musl has none
 * and refuses to load such a library with dlopen(). */
#ifdef __GLIBC__
#define EXEUNT__TLS_IE __attribute__((tls_model("initial-exec")))
#else
#define EXEUNT__TLS_IE
#endif

/* Terminate callback states of a record (term_state). */
enum {
	EXEUNT__TERM_NONE,	/* never called (or no callback) */
	EXEUNT__TERM_RUNNING,	/* running now, in some thread */
	EXEUNT__TERM_DONE	/* returned */
};

/* Stop callbacks pushed by one thread (a record's), or by unregistered
 * threads (the process's): see stopcb.c. */
struct exeunt__stopcb;
struct exeunt__cbrun;
struct exeunt__cblist {
	atomic_int lock;		/* a spin lock: see stopcb.c */
	atomic_int busy;		/* its owner changes it without */
	struct exeunt__stopcb *head;	/* newest first */
	struct exeunt__cbrun *runs;	/* its callbacks running now */
};

struct exeunt_thread {
	/* Registry list, creation order; linked while refs > 0. */
	struct exeunt_thread *prev, *next;
	/* The shutdown's snapshot, newest first. */
	struct exeunt_thread *snap_next;

	unsigned long long seq;
	char name[EXEUNT_NAME_MAX + 1];
	int daemon;
	int stage;		/* shutdown stage, fixed at creation */
	int adopted;
	exeunt_terminate_fn term_fn;
	void *term_arg;
	void (*destroy)(void *arg);	/* called with term_arg at the end */
	pthread_t pthread;
	pid_t tid;		/* kernel thread id; 0 until known */
	struct timespec born;	/* CLOCK_MONOTONIC when the record was made */
	void *(*start)(void *);
	void *start_arg;
	int set_os_name;

	/* Set to 1 by a stop request; waited on as a futex word. */
	atomic_int stop;
	/* A stack signal was sent to the thread and its handler has not run
	 * yet: no other is sent meanwhile (stacks.c). */
	atomic_int stack_sent;
	/* The thread's stop eventfd, -1 until exeunt_stop_fd() makes it. */
	int stop_fd;
	/* Its stop callbacks. */
	struct exeunt__cblist cbs;

	/* Guarded by the library lock. */
	int refs;		/* registry (until finished) + handle + callers */
	int starting;		/* in pthread_create: not visited yet */
	int finished;
	int term_state;
	int detached;
	int joining;
	int forked_away;	/* a parent's thread, seen from a child */
	int never_ends;		/* finished, but parked or in exit() */
	int ending;		/* in its destroy function: no terminate
				   callback may start */
	pthread_t term_runner;	/* the thread running the callback */

	/* Touched only by the thread itself. */
	int has_key;		/* finishes through the finish key */
	int tsd_rounds;		/* the key's destructor calls so far */
};

/* Caller-allocated attributes, laid over exeunt_attr_t's storage. */
#define EXEUNT__ATTR_MAGIC 0x65786174u	/* "exat" */
struct exeunt__attr {
	unsigned magic;
	int daemon;		/* -1: inherit from the creating thread */
	exeunt_terminate_fn term_fn;
	void *term_arg;
	void (*destroy)(void *arg);
	int has_name;
	char name[EXEUNT_NAME_MAX + 1];
	int has_pattr;
	pthread_attr_t pattr;
	int has_stage;
	int stage;
};

/* The registry and the shutdown state: one per process. */
struct exeunt__registry {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* finishes, creations, shutdown done */
	struct exeunt_thread *head, *tail;
	unsigned long long seq;		/* last sequence number given */
	size_t live;			/* registered, not finished */
	size_t live_nondaemon;		/* of which non-daemon */
	size_t creating;		/* in pthread_create right now */
	int waiters;			/* threads waiting on cond */
	int coordinator_armed;		/* the exit handler is registered */
	atomic_int phase;		/* enum exeunt_phase */
	atomic_int shut_stage;		/* the last stage begun; INT_MIN
					   before the first, INT_MAX after
					   the last */
	atomic_int stopping;		/* process-wide stop word (futex) */
	int stop_fd;			/* process-wide stop eventfd or -1 */
	struct exeunt__cblist cbs;	/* unregistered threads' callbacks */
};

extern struct exeunt__registry exeunt__reg EXEUNT__HIDDEN;

/* The shutdown: see the state diagram at the top of coordinator.c. */
enum { EXEUNT__SHUT_NONE, EXEUNT__SHUT_RUNNING, EXEUNT__SHUT_DONE };
enum {
	EXEUNT__EXIT_NONE,	/* no exit() has begun */
	EXEUNT__EXIT_BEFORE,	/* claimed in the library, before libc's */
	EXEUNT__EXIT_ENTERING,	/* about to call the C library's exit() */
	EXEUNT__EXIT_IN		/* inside the C library's exit() */
};

/* Where the shutdown stands in its current stage. */
enum {
	EXEUNT__STEP_IDLE,	/* between stages: none begun, or one joined */
	EXEUNT__STEP_REQUESTS,	/* making the stage's stop requests */
	EXEUNT__STEP_JOIN,	/* waiting for the stage's threads */
	EXEUNT__STEP_DONE	/* the last stage joined */
};

struct exeunt__shutdown {
	int state;			/* EXEUNT__SHUT_*; phase says more */
	pthread_t owner;		/* the thread that runs the phases */
	struct exeunt_thread *snap;	/* stop requests still to make, by
					   stage, then newest first */
	int multi;			/* the snapshot has several stages */
	int step;			/* EXEUNT__STEP_*, of this stage: */
	int stage;
	int join_counting;		/* finishes count down join_left */
	size_t join_left;		/* threads the stage's join waits for */
	const struct exeunt_thread *join_self;	/* not counted in it */
	struct timespec started;	/* CLOCK_MONOTONIC */
	int owner_in_callback;		/* the owner is running a callback */
	int abandon;			/* deadline: stop waiting, go on */
	int taken_over;			/* the watchdog runs the rest */
	int reported;			/* the deadline report was made */
	int reporting;			/* ... and is still being written */
	int done_traced;
	int child_resume;		/* fork child of the owner: see
					   exeunt__resume_in_child_locked() */

	/* The exit() that ends the process, once one has begun. */
	int exit;			/* EXEUNT__EXIT_* */
	pthread_t exit_thread;		/* the thread whose exit() goes on */
	int status;			/* its status, */
	int status_known;		/* unless an atexit() handler ran it */
};

extern struct exeunt__shutdown exeunt__sd EXEUNT__HIDDEN;
/* Initial-exec TLS: exeunt_stop_requested() reads it with no call to
 * __tls_get_addr.  It is 8 bytes, well within glibc's static TLS reserve
 * for libraries loaded with dlopen. */
extern _Thread_local struct exeunt_thread *exeunt__self EXEUNT__HIDDEN
    EXEUNT__TLS_IE;

/* registry.c */
void exeunt__lock(void) EXEUNT__HIDDEN;
void exeunt__unlock(void) EXEUNT__HIDDEN;
int exeunt__holding_lock(void) EXEUNT__HIDDEN;
void exeunt__wait_locked(void) EXEUNT__HIDDEN;
int exeunt__caller_cancel_state(void) EXEUNT__HIDDEN;
int exeunt__arm_locked(void) EXEUNT__HIDDEN;
int exeunt__register_locked(struct exeunt_thread *t) EXEUNT__HIDDEN;
void exeunt__finish_locked(struct exeunt_thread *t) EXEUNT__HIDDEN;
int exeunt__unref_locked(struct exeunt_thread *t) EXEUNT__HIDDEN;
void exeunt__free(struct exeunt_thread *t) EXEUNT__HIDDEN;
void exeunt__release_ref(struct exeunt_thread *t) EXEUNT__HIDDEN;
struct exeunt_thread *exeunt__new_record(const struct exeunt__attr *a)
    EXEUNT__HIDDEN;
int exeunt__default_daemon(void) EXEUNT__HIDDEN;
int exeunt__default_stage(void) EXEUNT__HIDDEN;
int exeunt__staged_locked(void) EXEUNT__HIDDEN;

/* clock.c */
int exeunt__ts_check(const struct timespec *rel) EXEUNT__HIDDEN;
void exeunt__ts_add(struct timespec *abs, const struct timespec *base,
    const struct timespec *rel) EXEUNT__HIDDEN;
void exeunt__ts_after(struct timespec *abs, const struct timespec *rel)
    EXEUNT__HIDDEN;
double exeunt__since(const struct timespec *then) EXEUNT__HIDDEN;
void exeunt__cond_init(pthread_cond_t *cond) EXEUNT__HIDDEN;
int exeunt__cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mutex,
    const struct timespec *abs) EXEUNT__HIDDEN;

/* attr.c */
const struct exeunt__attr *exeunt__attr_get(const exeunt_attr_t *attr)
    EXEUNT__HIDDEN;

/* thread.c */
void exeunt__thread_init(void) EXEUNT__HIDDEN;
void exeunt__finish_current(void) EXEUNT__HIDDEN;
void exeunt__finish_destroying_locked(void) EXEUNT__HIDDEN;
struct exeunt_thread *exeunt__destroying(void) EXEUNT__HIDDEN;

/* stop.c */
void exeunt__request_stop(struct exeunt_thread *t) EXEUNT__HIDDEN;
void exeunt__stop_process(void) EXEUNT__HIDDEN;
void exeunt__leave_callbacks_locked(void) EXEUNT__HIDDEN;
int exeunt__renew_fd(int fd) EXEUNT__HIDDEN;

/* stopcb.c */
void exeunt__stopcb_init(void) EXEUNT__HIDDEN;
void exeunt__run_stop_callbacks(struct exeunt__cblist *list) EXEUNT__HIDDEN;
int exeunt__stop_callbacks_pushed(struct exeunt__cblist *list)
    EXEUNT__HIDDEN;
void exeunt__leave_stop_callbacks_locked(void) EXEUNT__HIDDEN;
void exeunt__drop_stop_callbacks(struct exeunt__cblist *list) EXEUNT__HIDDEN;
int exeunt__stop_callbacks_running_locked(struct exeunt__cblist *list)
    EXEUNT__HIDDEN;
void exeunt__stop_callbacks_reset_child(struct exeunt__cblist *list,
    int keep_own) EXEUNT__HIDDEN;
int exeunt__stop_callback_pop_nowait(exeunt_stop_callback_t *cb)
    EXEUNT__HIDDEN;

/* hooks.c */
int exeunt__run_hooks(void) EXEUNT__HIDDEN;

/* coordinator.c */
void exeunt__run_phases(void) EXEUNT__HIDDEN;
int exeunt__shutdown_waits_for_locked(const struct exeunt_thread *owner,
    const struct exeunt_thread *t) EXEUNT__HIDDEN;
int exeunt__resume_in_child_locked(void) EXEUNT__HIDDEN;
int exeunt__stage_begun(int stage) EXEUNT__HIDDEN;

void exeunt__stage_finish_locked(const struct exeunt_thread *t)
    EXEUNT__HIDDEN;
void exeunt__request_again_locked(struct exeunt_thread *t) EXEUNT__HIDDEN;
void exeunt__await_done_locked(void) EXEUNT__HIDDEN;
void exeunt__claim_exit_locked(int stage, int status, int known)
    EXEUNT__HIDDEN;
void exeunt__shutdown_for_exit_locked(void) EXEUNT__HIDDEN;
int exeunt__enter_exit_locked(void) EXEUNT__HIDDEN;
void exeunt__exit_again_locked(int status) EXEUNT__HIDDEN;
void exeunt__exit_inside_locked(void) EXEUNT__HIDDEN;
void exeunt__take_over_locked(void) EXEUNT__HIDDEN;
int exeunt__taking_over(void) EXEUNT__HIDDEN;
void exeunt__end_taken_over(int exiting, int status) EXEUNT__HIDDEN;
void exeunt__shutdown_reset_child(int resume) EXEUNT__HIDDEN;

/* exit.c */
void exeunt__exit_init(void) EXEUNT__HIDDEN;
int exeunt__arm_exit_handler(void) EXEUNT__HIDDEN;
void exeunt__exit(int status) __attribute__((noreturn)) EXEUNT__HIDDEN;
void exeunt__libc_exit(int status) __attribute__((noreturn)) EXEUNT__HIDDEN;
int exeunt__exiting(void) EXEUNT__HIDDEN;
void exeunt__park(void) __attribute__((noreturn)) EXEUNT__HIDDEN;

/* deadline.c */
void exeunt__deadline_start_locked(void) EXEUNT__HIDDEN;
int exeunt__deadline_get(struct timespec *abs) EXEUNT__HIDDEN;
void exeunt__deadline_begin(void) EXEUNT__HIDDEN;
int exeunt__deadline_ending_locked(void) EXEUNT__HIDDEN;
void exeunt__overrun(void) EXEUNT__HIDDEN;
void exeunt__deadline_reset_child(void) EXEUNT__HIDDEN;

/* signal.c */
void exeunt__signal_init(void) EXEUNT__HIDDEN;
void exeunt__end_process(int status) __attribute__((noreturn)) EXEUNT__HIDDEN;
void exeunt__signal_reset_child(void) EXEUNT__HIDDEN;
void exeunt__signal_fork_prepare(void) EXEUNT__HIDDEN;
void exeunt__signal_fork_done(void) EXEUNT__HIDDEN;

/* fork.c */
extern int exeunt__fork_generation EXEUNT__HIDDEN;
void exeunt__fork_init(void) EXEUNT__HIDDEN;

/* notify.c: called through EXEUNT__NOTIFY, one flag test when the
 * program did not opt in. */
extern atomic_int exeunt__notify_on EXEUNT__HIDDEN;
void exeunt__notify_begin_locked(void) EXEUNT__HIDDEN;
void exeunt__notify_finish_locked(const struct exeunt_thread *t)
    EXEUNT__HIDDEN;
void exeunt__notify_joins_end_locked(void) EXEUNT__HIDDEN;
void exeunt__notify_flush(void) EXEUNT__HIDDEN;
void exeunt__notify_overrun(int waiting) EXEUNT__HIDDEN;
void exeunt__notify_reset_child(void) EXEUNT__HIDDEN;

#define EXEUNT__NOTIFY(call) do { \
	if (atomic_load_explicit(&exeunt__notify_on, memory_order_relaxed)) \
		call; \
} while (0)

/* pool.c */
void exeunt__pool_describe(const struct exeunt_thread *t, char *buf,
    size_t size) EXEUNT__HIDDEN;
void exeunt__pool_parked(void) EXEUNT__HIDDEN;

/* stacks.c */
#define EXEUNT__STACK_FRAMES 32	/* frames shown of a thread's stack */
#define EXEUNT__LINE_MAX 512	/* a line of the library's, '\n' included */
struct exeunt__stacks;
struct exeunt__stacks *exeunt__stacks_take(const pid_t *tids,
    struct exeunt_thread *const *threads, size_t n, uintptr_t from)
    EXEUNT__HIDDEN;
void exeunt__stacks_lines(struct exeunt__stacks *st, size_t i,
    void (*put)(void *ctx, const char *text), void *ctx) EXEUNT__HIDDEN;
void exeunt__stacks_free(struct exeunt__stacks *st) EXEUNT__HIDDEN;
void exeunt__stacks_reset_child(void) EXEUNT__HIDDEN;

/* debug.c */
extern int exeunt__debug EXEUNT__HIDDEN;
void exeunt__trace(const char *fmt, ...)
    __attribute__((format(printf, 1, 2))) EXEUNT__HIDDEN;
void exeunt__say(const char *fmt, ...)
    __attribute__((format(printf, 1, 2))) EXEUNT__HIDDEN;
void exeunt__debug_init(void) EXEUNT__HIDDEN;
void exeunt__emit(const char *text, size_t len) EXEUNT__HIDDEN;
void exeunt__emit_report(char *text, size_t len) EXEUNT__HIDDEN;
extern atomic_int exeunt__report_pending EXEUNT__HIDDEN;
void exeunt__report_flush(void) EXEUNT__HIDDEN;
void exeunt__report_reset_child(void) EXEUNT__HIDDEN;
const char *exeunt__term_state_name(const struct exeunt_thread *t)
    EXEUNT__HIDDEN;
const char *exeunt__state_name(const struct exeunt_thread *t) EXEUNT__HIDDEN;
const char *exeunt__phase_name(int phase) EXEUNT__HIDDEN;
void exeunt__clean_name(char dst[EXEUNT_NAME_MAX + 1], const char *name)
    EXEUNT__HIDDEN;

#define EXEUNT__TRACE(...) \
	do { if (exeunt__debug) exeunt__trace(__VA_ARGS__); } while (0)

#endif /* EXEUNT_INTERNAL_H */
