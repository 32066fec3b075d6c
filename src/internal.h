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
 * no pthread_create, pthread_join or blocking system call with it held
 * except pthread_cond_wait on its own condition variables.
 */
#ifndef EXEUNT_INTERNAL_H
#define EXEUNT_INTERNAL_H

#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>

#include "exeunt.h"

/* Static inline helpers that are not part of the ABI. */
#define EXEUNT__HIDDEN __attribute__((visibility("hidden")))

/* Terminate callback states of a record (term_state). */
enum {
	EXEUNT__TERM_NONE,	/* never called (or no callback) */
	EXEUNT__TERM_RUNNING,	/* running now, in some thread */
	EXEUNT__TERM_DONE	/* returned */
};

struct exeunt_thread {
	/* Registry list, creation order; linked while refs > 0. */
	struct exeunt_thread *prev, *next;
	/* The shutdown's snapshot, newest first. */
	struct exeunt_thread *snap_next;

	unsigned long long seq;
	char name[EXEUNT_NAME_MAX + 1];
	int daemon;
	int adopted;
	exeunt_terminate_fn term_fn;
	void *term_arg;
	pthread_t pthread;
	void *(*start)(void *);
	void *start_arg;
	int set_os_name;

	/* Set to 1 by a stop request; waited on as a futex word. */
	atomic_int stop;
	/* The thread's stop eventfd, -1 until exeunt_stop_fd() makes it. */
	int stop_fd;

	/* Guarded by the library lock. */
	int refs;		/* registry (until finished) + handle + callers */
	int starting;		/* in pthread_create: not visited yet */
	int finished;
	int term_state;
	int detached;
	int joining;
};

/* Caller-allocated attributes, laid over exeunt_attr_t's storage. */
#define EXEUNT__ATTR_MAGIC 0x65786174u	/* "exat" */
struct exeunt__attr {
	unsigned magic;
	int daemon;		/* -1: inherit from the creating thread */
	exeunt_terminate_fn term_fn;
	void *term_arg;
	int has_name;
	char name[EXEUNT_NAME_MAX + 1];
	int has_pattr;
	pthread_attr_t pattr;
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
	int coordinator_armed;		/* atexit() done */
	int state;			/* EXEUNT__SHUT_* */
	pthread_t owner;		/* the thread running the shutdown */
	atomic_int phase;		/* enum exeunt_phase */
	atomic_int stopping;		/* process-wide stop word (futex) */
	int stop_fd;			/* process-wide stop eventfd or -1 */
};

enum { EXEUNT__SHUT_NONE, EXEUNT__SHUT_RUNNING, EXEUNT__SHUT_DONE };

extern struct exeunt__registry exeunt__reg EXEUNT__HIDDEN;
/* Initial-exec TLS: exeunt_stop_requested() reads it with no call to
 * __tls_get_addr.  It is 8 bytes, well within glibc's static TLS reserve
 * for libraries loaded with dlopen. */
extern _Thread_local struct exeunt_thread *exeunt__self EXEUNT__HIDDEN
    __attribute__((tls_model("initial-exec")));

/* registry.c */
void exeunt__lock(void) EXEUNT__HIDDEN;
void exeunt__unlock(void) EXEUNT__HIDDEN;
int exeunt__arm_locked(void) EXEUNT__HIDDEN;
int exeunt__register_locked(struct exeunt_thread *t) EXEUNT__HIDDEN;
void exeunt__finish_locked(struct exeunt_thread *t) EXEUNT__HIDDEN;
int exeunt__unref_locked(struct exeunt_thread *t) EXEUNT__HIDDEN;
void exeunt__free(struct exeunt_thread *t) EXEUNT__HIDDEN;
void exeunt__release_ref(struct exeunt_thread *t) EXEUNT__HIDDEN;
struct exeunt_thread *exeunt__new_record(const struct exeunt__attr *a)
    EXEUNT__HIDDEN;
int exeunt__default_daemon(void) EXEUNT__HIDDEN;

/* attr.c */
const struct exeunt__attr *exeunt__attr_get(const exeunt_attr_t *attr)
    EXEUNT__HIDDEN;

/* stop.c */
void exeunt__request_stop(struct exeunt_thread *t) EXEUNT__HIDDEN;
void exeunt__stop_process(void) EXEUNT__HIDDEN;

/* hooks.c */
void exeunt__run_hooks(void) EXEUNT__HIDDEN;

/* coordinator.c */
void exeunt__coordinator(void) EXEUNT__HIDDEN;

#endif /* EXEUNT_INTERNAL_H */
