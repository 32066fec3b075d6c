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
 * The calling thread t has finished: count it out and drop the thread's
 * own reference.  t must not be touched afterwards.
 */
static void
finish_self(void *arg)
{
	struct exeunt_thread *t = arg;
	int last;

	exeunt__self = NULL;
	exeunt__lock();
	exeunt__finish_locked(t);
	last = exeunt__unref_locked(t);
	exeunt__unlock();
	if (last)
		exeunt__free(t);
}

/*
 * Every created thread runs here.  The cleanup handler also runs when the
 * start routine calls pthread_exit or the thread is cancelled, so the
 * thread counts as finished in every case.
 */
static void *
trampoline(void *arg)
{
	struct exeunt_thread *t = arg;
	pid_t tid = gettid();	/* a system call: not under the lock */
	void *ret;

	exeunt__self = t;
	/* Running proves the creation succeeded: from now on a visitor may
	 * see this thread, for instance this thread itself. */
	exeunt__lock();
	t->starting = 0;
	t->pthread = pthread_self();
	t->tid = tid;
	exeunt__unlock();
	if (t->set_os_name)
		set_os_name(t->name);
	pthread_cleanup_push(finish_self, t);
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

int
exeunt_thread_join(exeunt_thread_t *t, void **retval)
{
	pthread_t pth;
	int err;

	if (t == NULL)
		return EINVAL;
	exeunt__lock();
	if ((err = check_owned_locked(t)) == 0 && t == exeunt__self)
		err = EDEADLK;
	if (err != 0) {
		exeunt__unlock();
		return err;
	}
	if (t->forked_away) {
		/* A thread of the parent process: there is none to join. */
		exeunt__unlock();
		return ESRCH;
	}
	t->joining = 1;
	pth = t->pthread;
	exeunt__unlock();

	if ((err = pthread_join(pth, retval)) != 0) {
		exeunt__lock();
		t->joining = 0;
		exeunt__unlock();
		return err;
	}
	exeunt__release_ref(t);
	return 0;
}

int
exeunt_thread_detach(exeunt_thread_t *t)
{
	pthread_t pth;
	int err;

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

	if (!err)
		(void)pthread_detach(pth);
	exeunt__release_ref(t);
	return 0;
}

/* An adopted thread that exits without exeunt_thread_release() finishes
 * through this thread-specific data destructor. */
static pthread_key_t adopted_key;
static int adopted_key_err;
static pthread_once_t adopted_once = PTHREAD_ONCE_INIT;

static void
make_adopted_key(void)
{
	adopted_key_err = pthread_key_create(&adopted_key, finish_self);
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
	pthread_once(&adopted_once, make_adopted_key);
	if (adopted_key_err != 0)
		return adopted_key_err;
	if ((t = exeunt__new_record(a)) == NULL)
		return ENOMEM;
	t->adopted = 1;
	t->refs = 1;		/* the thread's own */
	t->pthread = pthread_self();
	t->tid = gettid();
	if ((err = pthread_setspecific(adopted_key, t)) != 0) {
		exeunt__free(t);
		return err;
	}

	exeunt__lock();
	err = exeunt__register_locked(t);
	exeunt__unlock();
	if (err != 0) {
		(void)pthread_setspecific(adopted_key, NULL);
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
	(void)pthread_setspecific(adopted_key, NULL);
	finish_self(t);
	return 0;
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

	if (t == NULL)
		return;
	/* The cleanup handler of a created thread must never run now. */
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	if (t->adopted)
		(void)pthread_setspecific(adopted_key, NULL);
	finish_self(t);
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
