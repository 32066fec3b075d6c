/*
 * Registered threads: creation, join, detach, adoption and properties.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* The OS thread name holds 15 bytes and a NUL. */
static void
set_os_name(const char *name)
{
	char comm[16];
	size_t len = strnlen(name, sizeof(comm) - 1);

	memcpy(comm, name, len);
	comm[len] = '\0';
	(void)pthread_setname_np(pthread_self(), comm);
}

/*
 * Every registered thread has its record as the value of finish_key.  The
 * key's destructor counts the thread out only in the second round of
 * thread-specific data destructors, so that the thread has ended, as far
 * as its own code goes, when the shutdown's join phase or
 * exeunt_thread_join() sees it finished: C++ thread_local destructors
 * (which glibc runs before the key destructors, and libstdc++ on musl
 * runs from a key destructor) and every key's destructor have run once.
 * The first round sets the value again, which makes the C library run
 * a second one.  Not the last round (PTHREAD_DESTRUCTOR_ITERATIONS, 4 on
 * glibc and musl): the sanitizers end their own view of the thread there,
 * and library code must not run after that.
 */
static pthread_key_t finish_key;
static int finish_key_err = -1;

static void finish_at_end(void *arg);

/* Made when the library loads, so that its index is low. */
void
exeunt__thread_init(void)
{
	finish_key_err = pthread_key_create(&finish_key, finish_at_end);
}

/* 1 if the calling thread is running a terminate callback for t; the
 * caller holds the lock. */
static int
runs_callback_of_locked(const struct exeunt_thread *t)
{
	return t->term_state == EXEUNT__TERM_RUNNING &&
	    pthread_equal(t->term_runner, pthread_self());
}

/* The record whose destroy function the calling thread is running. */
static _Thread_local struct exeunt_thread *destroying;

/* Count t out and drop the thread's own reference; the caller holds the
 * lock.  Returns 1 if t is to be freed once the lock is dropped. */
static int
count_out_locked(struct exeunt_thread *t, int never_ends)
{
	t->never_ends = never_ends;
	exeunt__finish_locked(t);
	return exeunt__unref_locked(t);
}

/* The same, taking the lock; t must not be touched afterwards. */
static void
count_out(struct exeunt_thread *t, int never_ends)
{
	int last;

	exeunt__lock();
	last = count_out_locked(t, never_ends);
	exeunt__unlock();
	EXEUNT__NOTIFY(exeunt__notify_flush());
	if (last)
		exeunt__free(t);
}

/* A destroy function being run: what its cleanup handler needs. */
struct destroy_call {
	struct exeunt_thread *t;
	int cancel;		/* the caller's cancelability */
};

/* The destroy function did not return (pthread_exit, or a C++ exception
 * in exeunt_thread_release): the thread has still ended. */
static void
destroy_unwound(void *arg)
{
	struct destroy_call *d = arg;

	destroying = NULL;
	count_out(d->t, 0);
	(void)pthread_setcancelstate(d->cancel, NULL);
}

/*
 * The calling thread t has finished: count it out and drop the thread's
 * own reference.  With wait set, first wait until no terminate callback
 * for t, and none of the stop callbacks it pushed, is running in another
 * thread: once t counts as finished, none can start, so its owner may
 * then free what the callback uses.  Then the destroy function, if t has
 * one, runs without the lock: t is marked ending first, so that no
 * terminate callback can start meanwhile, and is counted out only once
 * it returns, so that a join (exeunt_thread_join, the shutdown's join
 * phase) returns after it.  Without wait (the thread never ends) there
 * is no destroy call.  t must not be touched afterwards.
 */
static void
finish_self(struct exeunt_thread *t, int wait)
{
	void (*destroy)(void *) = NULL;
	struct destroy_call dc;
	void *arg = NULL;
	int last = 0;

	exeunt__self = NULL;
	exeunt__drop_stop_callbacks(&t->cbs);
	exeunt__lock();
	while (wait && ((t->term_state == EXEUNT__TERM_RUNNING &&
	    !runs_callback_of_locked(t)) ||
	    exeunt__stop_callbacks_running_locked(&t->cbs)))
		exeunt__wait_locked();
	if (wait && t->destroy != NULL) {
		t->ending = 1;
		destroy = t->destroy;
		arg = t->term_arg;
	} else {
		/* Counted out without waiting: the thread never returns. */
		last = count_out_locked(t, !wait);
	}
	exeunt__unlock();
	if (destroy == NULL) {
		/* The message of its finish, sent outside the lock. */
		EXEUNT__NOTIFY(exeunt__notify_flush());
		if (last)
			exeunt__free(t);
		return;
	}
	/* Like every callback, with cancellation disabled:
	 * exeunt_thread_release() is not a cancellation point. */
	dc.t = t;
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &dc.cancel);
	destroying = t;
	pthread_cleanup_push(destroy_unwound, &dc);
	destroy(arg);
	pthread_cleanup_pop(0);
	destroying = NULL;
	count_out(t, 0);
	(void)pthread_setcancelstate(dc.cancel, NULL);
}

static void
finish_at_end(void *arg)
{
	struct exeunt_thread *t = arg;

	if (++t->tsd_rounds < 2 && pthread_setspecific(finish_key, t) == 0)
		return;
	finish_self(t, 1);
}

/* Without the key (pthread_setspecific failed), the start routine's end
 * is the thread's end. */
static void
finish_without_key(void *arg)
{
	struct exeunt_thread *t = arg;

	if (!t->has_key)
		finish_self(t, 1);
}

/*
 * Every created thread runs here.  The thread counts as finished through
 * finish_key's destructor, whether the start routine returns, calls
 * pthread_exit or is cancelled.
 */
static void *
trampoline(void *arg)
{
	struct exeunt_thread *t = arg;
	pid_t tid = gettid();	/* a system call: not under the lock */
	void *ret;

	exeunt__self = t;
	t->has_key = finish_key_err == 0 &&
	    pthread_setspecific(finish_key, t) == 0;
	/* Running proves the creation succeeded: from now on a visitor may
	 * see this thread, for instance this thread itself. */
	exeunt__lock();
	t->starting = 0;
	t->pthread = pthread_self();
	t->tid = tid;
	exeunt__unlock();
	if (t->set_os_name)
		set_os_name(t->name);
	pthread_cleanup_push(finish_without_key, t);
	ret = t->start(t->start_arg);
	pthread_cleanup_pop(1);
	return ret;
}

int
exeunt_thread_create(exeunt_thread_t **thread, const exeunt_attr_t *attr,
    void *(*start)(void *), void *arg)
{
	const struct exeunt__attr *a = NULL;
	struct exeunt_thread *t;
	pthread_t pth;
	int err, last;

	if (thread == NULL || start == NULL)
		return EINVAL;
	if (attr != NULL && (a = exeunt__attr_get(attr)) == NULL)
		return EINVAL;
	if ((t = exeunt__new_record(a)) == NULL)
		return ENOMEM;
	t->start = start;
	t->start_arg = arg;
	t->refs = 2;		/* the thread's and the handle's */
	t->starting = 1;

	/* Registering first makes "no creation once shutdown began" exact;
	 * the terminate phase waits until no creation is in flight. */
	exeunt__lock();
	if ((err = exeunt__register_locked(t)) != 0) {
		exeunt__unlock();
		exeunt__free(t);
		return err;
	}
	exeunt__reg.creating++;
	exeunt__unlock();

	err = pthread_create(&pth, a != NULL && a->has_pattr ? &a->pattr : NULL,
	    trampoline, t);

	exeunt__lock();
	t->starting = 0;
	if (err == 0)
		t->pthread = pth;
	if (--exeunt__reg.creating == 0 && exeunt__reg.waiters > 0)
		pthread_cond_broadcast(&exeunt__reg.cond);
	last = 0;
	if (err != 0) {
		/* Never started: take it out as if it had finished. */
		exeunt__finish_locked(t);
		t->refs--;
		last = exeunt__unref_locked(t);
	}
	exeunt__unlock();
	if (err != 0) {
		if (last)
			exeunt__free(t);
		return err;
	}
	*thread = t;
	return 0;
}

/* Check that t is a handle from exeunt_thread_create that is still owned. */
static int
check_owned_locked(const struct exeunt_thread *t)
{
	if (t->adopted || t->detached || t->joining)
		return EINVAL;
	return 0;
}

/* exeunt_thread_join() was cancelled while it waited: the thread stays
 * joinable.  Runs with the lock held, as the wait left it. */
static void
join_cancelled(void *arg)
{
	struct exeunt_thread *t = arg;

	exeunt__reg.waiters--;
	t->joining = 0;
	exeunt__unlock();
}

/*
 * Wait until t has finished.  A cancellation point, like pthread_join():
 * the wait runs with the caller's own cancelability.  Fails with EDEADLK
 * once t runs the process shutdown and that shutdown waits for the
 * calling thread.  The caller holds the lock.
 */
static int
await_finish_locked(struct exeunt_thread *t)
{
	while (!t->finished) {
		if (exeunt__shutdown_waits_for_locked(t, exeunt__self))
			return EDEADLK;
		exeunt__reg.waiters++;
		pthread_cleanup_push(join_cancelled, t);
		(void)pthread_setcancelstate(exeunt__caller_cancel_state(),
		    NULL);
		pthread_cond_wait(&exeunt__reg.cond, &exeunt__reg.lock);
		(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		pthread_cleanup_pop(0);
		exeunt__reg.waiters--;
	}
	return 0;
}

/*
 * The wait is on the registry, not in pthread_join(): there a shutdown
 * run by t can answer EDEADLK, and a thread that will never end (parked,
 * or whose exit() ends the process) is seen finished and not waited for.
 */
int
exeunt_thread_join(exeunt_thread_t *t, void **retval)
{
	pthread_t pth;
	int err, never_ends = 0;

	if (t == NULL)
		return EINVAL;
	pthread_testcancel();
	exeunt__lock();
	if ((err = check_owned_locked(t)) == 0 &&
	    (t == exeunt__self || t == destroying ||
	    runs_callback_of_locked(t)))
		err = EDEADLK;
	if (err == 0 && t->forked_away)
		err = ESRCH;	/* a thread of the parent: none to join */
	if (err == 0) {
		t->joining = 1;
		if ((err = await_finish_locked(t)) != 0)
			t->joining = 0;
		never_ends = t->never_ends;
	}
	pth = t->pthread;
	exeunt__unlock();
	if (err != 0)
		return err;

	if (never_ends) {
		if (retval != NULL)
			*retval = NULL;
	} else {
		/* t has finished: it is in its last key destructors, so
		 * this wait is short, and not a cancellation point any more
		 * (a cancelled pthread_join would leave it joined by
		 * nobody). */
		(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &err);
		(void)pthread_join(pth, retval);
		(void)pthread_setcancelstate(err, NULL);
	}
	exeunt__release_ref(t);
	return 0;
}

int
exeunt_thread_detach(exeunt_thread_t *t)
{
	pthread_t pth;
	int err, cancel;

	if (t == NULL)
		return EINVAL;
	exeunt__lock();
	if ((err = check_owned_locked(t)) != 0) {
		exeunt__unlock();
		return err;
	}
	t->detached = 1;
	pth = t->pthread;
	err = t->forked_away;
	exeunt__unlock();

	/* musl's pthread_detach() of a thread that has exited joins it,
	 * and that join is a cancellation point (musl 1.2.3): this
	 * function is not one. */
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	if (!err)
		(void)pthread_detach(pth);
	exeunt__release_ref(t);
	(void)pthread_setcancelstate(cancel, NULL);
	return 0;
}

int
exeunt_thread_adopt(const exeunt_attr_t *attr)
{
	const struct exeunt__attr *a = NULL;
	struct exeunt_thread *t;
	int err;

	if (attr != NULL && (a = exeunt__attr_get(attr)) == NULL)
		return EINVAL;
	if (exeunt__self != NULL)
		return EEXIST;
	if (finish_key_err != 0)
		return finish_key_err != -1 ? finish_key_err : EAGAIN;
	if ((t = exeunt__new_record(a)) == NULL)
		return ENOMEM;
	t->adopted = 1;
	t->refs = 1;		/* the thread's own */
	t->pthread = pthread_self();
	t->tid = gettid();
	/* An adopted thread that ends without exeunt_thread_release()
	 * finishes through finish_key's destructor. */
	if ((err = pthread_setspecific(finish_key, t)) != 0) {
		exeunt__free(t);
		return err;
	}
	t->has_key = 1;

	exeunt__lock();
	err = exeunt__register_locked(t);
	exeunt__unlock();
	if (err != 0) {
		(void)pthread_setspecific(finish_key, NULL);
		exeunt__free(t);
		return err;
	}
	exeunt__self = t;
	if (t->set_os_name)
		set_os_name(t->name);
	return 0;
}

int
exeunt_thread_release(void)
{
	struct exeunt_thread *t = exeunt__self;

	if (t == NULL || !t->adopted)
		return EPERM;
	/* Its stop callbacks would be left on a list that goes away. */
	if (exeunt__stop_callbacks_pushed(&t->cbs))
		return EBUSY;
	(void)pthread_setspecific(finish_key, NULL);
	finish_self(t, 1);
	return 0;
}

/* The record whose destroy function the calling thread runs, or NULL: in
 * a fork() child, the forking thread keeps it as its own. */
struct exeunt_thread *
exeunt__destroying(void)
{
	return destroying;
}

/*
 * The calling thread calls exit() from a destroy function: the record it
 * was finishing counts as finished now, as a thread that never ends, so
 * that the shutdown this exit() runs does not wait for it.  The record
 * keeps the thread's reference: the process ends.  The caller holds the
 * lock.
 */
void
exeunt__finish_destroying_locked(void)
{
	struct exeunt_thread *t = destroying;

	if (t == NULL)
		return;
	destroying = NULL;
	t->never_ends = 1;
	exeunt__finish_locked(t);
}

/*
 * The calling thread will never run its own code again (it is parked, or
 * its exit() goes on): count it as finished now, as if its start routine
 * had returned, so that no shutdown waits for it.
 */
void
exeunt__finish_current(void)
{
	struct exeunt_thread *t = exeunt__self;

	/* In its destroy function, a thread is no longer its own record's,
	 * but the record still waits to be counted out. */
	if (t == NULL && (t = destroying) != NULL)
		destroying = NULL;
	if (t == NULL)
		return;
	/* Neither the cleanup handler of a created thread nor the key's
	 * destructor may count it out a second time. */
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	(void)pthread_setspecific(finish_key, NULL);
	t->has_key = 1;
	finish_self(t, 0);
}

exeunt_thread_t *
exeunt_thread_self(void)
{
	return exeunt__self;
}

const char *
exeunt_thread_name(const exeunt_thread_t *t)
{
	return t != NULL ? t->name : NULL;
}

int
exeunt_thread_isdaemon(const exeunt_thread_t *t)
{
	if (t == NULL) {
		errno = EINVAL;
		return -1;
	}
	return t->daemon;
}

pthread_t
exeunt_thread_pthread(const exeunt_thread_t *t)
{
	pthread_t pth;

	if (t == NULL)
		return (pthread_t)0;
	if (t == exeunt__self)
		return pthread_self();
	/* The creator stores it after pthread_create returns. */
	exeunt__lock();
	pth = t->pthread;
	exeunt__unlock();
	return pth;
}

unsigned long long
exeunt_thread_seq(const exeunt_thread_t *t)
{
	return t != NULL ? t->seq : 0;
}

int
exeunt_thread_stage(const exeunt_thread_t *t)
{
	return t != NULL ? t->stage : 0;
}
