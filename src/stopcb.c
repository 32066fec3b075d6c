/*
 * Stop callbacks: exeunt_stop_callback_push() and _pop().
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Each registered thread has a list of the callbacks it pushed, in its
 * record; unregistered threads share the process's list, which the
 * shutdown's process-wide stop runs.  Push and pop are on the path of every
 * stop-aware wait, so a registered thread changes its own list with no
 * atomic read-modify-write at all, as long as its stop has not been
 * requested: it marks the list busy, checks its stop word, and changes the
 * list.  A stop request raises the word, then makes every thread of the
 * process execute a full memory barrier (membarrier(2)), then waits until
 * the list is no longer busy: after the barrier, either the request sees
 * the owner's busy mark, or the owner sees the raised word and takes the
 * slow path.  From the moment the word is raised, everything that touches
 * the list takes its spin lock, which is held only to link or unlink a
 * callback, never while one runs.  The library lock is never taken under
 * it (the lock order is the library lock, then a list's).  Where the
 * kernel has no membarrier(2), and for the process's list, which many
 * threads share, every change takes the spin lock.
 *
 * A stop request takes the callbacks off the list one at a time, newest
 * first, and runs each without any lock.  A callback that is running
 * points to a frame on its runner's stack; the runner marks it done under
 * the library lock, and a pop from another thread waits for that on the
 * library's condition variable, so once pop returns, the runner touches
 * the callback no more.
 */
#include "internal.h"

#include <errno.h>
#include <linux/membarrier.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STOPCB_MAGIC 0x65787363u	/* "exsc" */

enum {
	CB_LINKED = 1,		/* on its list, waiting for a stop */
	CB_RUNNING,		/* taken off by a stop request, running */
	CB_DONE			/* it ran and returned */
};

/*
 * A callback being run: on its runner's stack, and on its list's list of
 * runs while the runner may still touch the callback.
 */
struct exeunt__cbrun {
	pthread_t runner;
	int popped;			/* popped by fn itself: do not touch */
	struct exeunt__stopcb *c;
	struct exeunt__cblist *list;	/* NULL once done */
	struct exeunt__cbrun *prev, *next;	/* the list's runs */
	struct exeunt__cbrun *outer;	/* a callback this one runs in */
};

struct exeunt__stopcb {
	unsigned magic;		/* STOPCB_MAGIC from push to pop */
	atomic_int state;
	struct exeunt__stopcb *prev, *next;
	void (*fn)(void *);
	void *arg;
	struct exeunt__cblist *list;
	struct exeunt__cbrun *run;	/* while CB_RUNNING */
	pthread_t pusher;
};

_Static_assert(sizeof(struct exeunt__stopcb) <= sizeof(exeunt_stop_callback_t),
    "struct exeunt__stopcb outgrew exeunt_stop_callback_t");
_Static_assert(_Alignof(struct exeunt__stopcb) <=
    _Alignof(exeunt_stop_callback_t),
    "struct exeunt__stopcb needs more alignment than exeunt_stop_callback_t");

/* 1 if this process may use the owners' lock-free path: registered for
 * expedited membarrier(2) at start-up. */
static int asymmetric;

void
exeunt__stopcb_init(void)
{
#if defined(SYS_membarrier)
	asymmetric = syscall(SYS_membarrier,
	    MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
#endif
}

/*
 * The owner of l is about to change it: 1 if it may do so without the
 * lock (it must then call owner_end()), 0 if it must take the lock.  word
 * is the stop word of l.
 */
static int
owner_begin(struct exeunt__cblist *l, atomic_int *word)
{
	if (!asymmetric || l == &exeunt__reg.cbs)
		return 0;
	atomic_store_explicit(&l->busy, 1, memory_order_relaxed);
	/* The request's membarrier() stands for the fence between the
	 * store and the load. */
	atomic_signal_fence(memory_order_seq_cst);
	if (!atomic_load_explicit(word, memory_order_relaxed))
		return 1;
	atomic_store_explicit(&l->busy, 0, memory_order_release);
	return 0;
}

static void
owner_end(struct exeunt__cblist *l)
{
	atomic_store_explicit(&l->busy, 0, memory_order_release);
}

/*
 * A stop request, its word raised, is about to take callbacks off l: once
 * this returns, the owner of l takes its lock for every change.
 */
static void
await_owner(struct exeunt__cblist *l)
{
#if defined(SYS_membarrier)
	if (!asymmetric || l == &exeunt__reg.cbs)
		return;
	(void)syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
	while (atomic_load_explicit(&l->busy, memory_order_acquire))
		sched_yield();
#else
	(void)l;
#endif
}

static void
list_lock(struct exeunt__cblist *l)
{
	while (atomic_exchange_explicit(&l->lock, 1, memory_order_acquire)) {
		/* Held only to link or unlink: let its holder finish. */
		while (atomic_load_explicit(&l->lock, memory_order_relaxed))
			sched_yield();
	}
}

static void
list_unlock(struct exeunt__cblist *l)
{
	atomic_store_explicit(&l->lock, 0, memory_order_release);
}

static void
unlink_locked(struct exeunt__cblist *l, struct exeunt__stopcb *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
}

/* The calling thread's list, and the stop word that guards it. */
static struct exeunt__cblist *
own_list(atomic_int **word)
{
	struct exeunt_thread *self = exeunt__self;

	if (self != NULL) {
		*word = &self->stop;
		return &self->cbs;
	}
	*word = &exeunt__reg.stopping;
	return &exeunt__reg.cbs;
}

/*
 * A stop request raises the stop word before it takes the list's lock to
 * run the callbacks, so a push that finds the word clear under that lock
 * is on the list before the request looks, and a push that comes later
 * finds the word set.
 */
int
exeunt_stop_callback_push(exeunt_stop_callback_t *cb, void (*fn)(void *arg),
    void *arg)
{
	struct exeunt__stopcb *c = (struct exeunt__stopcb *)(void *)cb;
	struct exeunt__cblist *l;
	atomic_int *word;
	int locked;

	if (cb == NULL || fn == NULL)
		return EINVAL;
	l = own_list(&word);
	c->fn = fn;
	c->arg = arg;
	c->list = l;
	c->run = NULL;
	c->prev = NULL;
	c->pusher = pthread_self();
	if ((locked = !owner_begin(l, word))) {
		list_lock(l);
		if (atomic_load_explicit(word, memory_order_relaxed)) {
			list_unlock(l);
			c->magic = 0;
			return ECANCELED;
		}
	}
	c->next = l->head;
	if (l->head != NULL)
		l->head->prev = c;
	l->head = c;
	atomic_store_explicit(&c->state, CB_LINKED, memory_order_relaxed);
	c->magic = STOPCB_MAGIC;
	if (locked)
		list_unlock(l);
	else
		owner_end(l);
	return 0;
}

/*
 * Take c off its list if it is still there.  Returns its state as it was:
 * CB_LINKED (now off, it never runs), CB_RUNNING (in another thread, or
 * in this one, from inside fn: then marked so that the runner leaves it
 * alone) or CB_DONE.  A list that is not the calling thread's or the
 * process's belongs to a record that may be gone: the thread has ended
 * as a registered thread since the push, and its list was dropped then.
 */
static int
take_off(struct exeunt__stopcb *c, int *self_running)
{
	struct exeunt__cblist *l = c->list;
	atomic_int *word;
	int state;

	*self_running = 0;
	if (l != own_list(&word) && l != &exeunt__reg.cbs)
		return atomic_load(&c->state);
	if (owner_begin(l, word)) {
		/* No stop yet, so nothing else touches the list or c: it is
		 * on the list, or it ran before a fork() that cleared the
		 * stop. */
		state = atomic_load_explicit(&c->state, memory_order_relaxed);
		if (state == CB_LINKED)
			unlink_locked(l, c);
		owner_end(l);
		return state;
	}
	list_lock(l);
	state = atomic_load_explicit(&c->state, memory_order_relaxed);
	if (state == CB_LINKED)
		unlink_locked(l, c);
	else if (state == CB_RUNNING &&
	    pthread_equal(c->run->runner, pthread_self())) {
		c->run->popped = 1;
		*self_running = 1;
	}
	list_unlock(l);
	return state;
}

/* Wait until c, running in another thread, has returned. */
static void
await_done(struct exeunt__stopcb *c)
{
	exeunt__lock();
	while (atomic_load(&c->state) == CB_RUNNING)
		exeunt__wait_locked();
	exeunt__unlock();
}

int
exeunt_stop_callback_pop(exeunt_stop_callback_t *cb)
{
	struct exeunt__stopcb *c = (struct exeunt__stopcb *)(void *)cb;
	int state, self_running;

	if (cb == NULL || c->magic != STOPCB_MAGIC)
		return EINVAL;
	if (!pthread_equal(c->pusher, pthread_self()))
		return EPERM;
	state = take_off(c, &self_running);
	if (state == CB_RUNNING && !self_running)
		await_done(c);
	c->magic = 0;
	return state == CB_LINKED ? 0 : ECANCELED;
}

/*
 * pop, except that a callback running in another thread is left pushed
 * and EBUSY returned: the caller must not wait while it holds what the
 * callback needs, and pops again once it has let go.
 */
int
exeunt__stop_callback_pop_nowait(exeunt_stop_callback_t *cb)
{
	struct exeunt__stopcb *c = (struct exeunt__stopcb *)(void *)cb;
	int state, self_running;

	if (cb == NULL || c->magic != STOPCB_MAGIC)
		return EINVAL;
	state = take_off(c, &self_running);
	if (state == CB_RUNNING && !self_running)
		return EBUSY;
	c->magic = 0;
	return state == CB_LINKED ? 0 : ECANCELED;
}

/* The callbacks that the calling thread is running, innermost first. */
static _Thread_local struct exeunt__cbrun *running_top;

/*
 * r's callback is done: mark it so, under its list's lock, since a pop
 * that finds it running under that lock may look at r, which lives on
 * until then; and take r off the list's runs, which the end of the
 * callback's thread waits for.  Once.  The caller holds the library lock.
 */
static void
done_locked(struct exeunt__cbrun *r)
{
	struct exeunt__cblist *l = r->list;

	if (l == NULL)
		return;
	list_lock(l);
	if (!r->popped) {
		r->c->run = NULL;
		atomic_store(&r->c->state, CB_DONE);
	}
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		l->runs = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	list_unlock(l);
	r->list = NULL;
	if (exeunt__reg.waiters > 0)
		pthread_cond_broadcast(&exeunt__reg.cond);
}

/* The runner's part ends, by return or by unwinding (a C++ exception
 * from fn): the callback is done, and a pop waiting for it returns. */
static void
mark_done(void *arg)
{
	struct exeunt__cbrun *r = arg;

	running_top = r->outer;
	exeunt__lock();
	done_locked(r);
	exeunt__unlock();
}

/*
 * The calling thread never returns from the stop callbacks it is in (it
 * called exit() there, or is parked): count them as returned, so that
 * their pushers' pops return.  The caller holds the library lock.
 */
void
exeunt__leave_stop_callbacks_locked(void)
{
	struct exeunt__cbrun *r;

	for (r = running_top; r != NULL; r = r->outer)
		done_locked(r);
}

/*
 * Run the callbacks of l, newest first, each once, in the calling thread;
 * the stop word of l is raised.  Two requests at once share the work.
 * The caller's cancellation is disabled.
 */
void
exeunt__run_stop_callbacks(struct exeunt__cblist *l)
{
	struct exeunt__cbrun r;
	void (*fn)(void *);
	void *arg;

	await_owner(l);
	r.runner = pthread_self();
	for (;;) {
		list_lock(l);
		if ((r.c = l->head) == NULL) {
			list_unlock(l);
			return;
		}
		unlink_locked(l, r.c);
		r.popped = 0;
		r.list = l;
		r.prev = NULL;
		if ((r.next = l->runs) != NULL)
			r.next->prev = &r;
		l->runs = &r;
		r.c->run = &r;
		atomic_store_explicit(&r.c->state, CB_RUNNING,
		    memory_order_relaxed);
		fn = r.c->fn;
		arg = r.c->arg;
		list_unlock(l);
		r.outer = running_top;
		running_top = &r;
		pthread_cleanup_push(mark_done, &r);
		fn(arg);
		pthread_cleanup_pop(1);
	}
}

/* 1 if l has a callback pushed, whether it waits or runs now. */
int
exeunt__stop_callbacks_pushed(struct exeunt__cblist *l)
{
	int pushed;

	list_lock(l);
	pushed = l->head != NULL || l->runs != NULL;
	list_unlock(l);
	return pushed;
}

/*
 * The thread of l ends as a registered thread: its callbacks still
 * pushed will never run.  One that runs now in another thread is waited
 * for (exeunt__stop_callbacks_running_locked()) before the storage goes.
 */
void
exeunt__drop_stop_callbacks(struct exeunt__cblist *l)
{
	list_lock(l);
	l->head = NULL;
	list_unlock(l);
}

/* 1 if a callback of l runs in a thread other than the calling one; the
 * caller holds the library lock, which a callback's end takes. */
int
exeunt__stop_callbacks_running_locked(struct exeunt__cblist *l)
{
	struct exeunt__cbrun *r;
	int running = 0;

	list_lock(l);
	for (r = l->runs; r != NULL && !running; r = r->next)
		running = !pthread_equal(r->runner, pthread_self());
	list_unlock(l);
	return running;
}

/*
 * After fork(), in the child: the lock of l may have been held by a
 * thread that does not exist here, and only the forking thread's
 * callbacks may stay (with keep_own; otherwise none).  A thread of the
 * parent may have been linking one: the next links are written before the
 * head, so the walk sees a whole list.
 */
void
exeunt__stop_callbacks_reset_child(struct exeunt__cblist *l, int keep_own)
{
	struct exeunt__stopcb *c, *next, *head = NULL, *tail = NULL;
	struct exeunt__cbrun *r, *rnext, *runs = NULL;

	atomic_store(&l->lock, 0);
	atomic_store(&l->busy, 0);
	for (c = keep_own ? l->head : NULL; c != NULL; c = next) {
		next = c->next;
		if (!pthread_equal(c->pusher, pthread_self()) ||
		    atomic_load(&c->state) != CB_LINKED)
			continue;
		c->prev = tail;
		c->next = NULL;
		if (tail != NULL)
			tail->next = c;
		else
			head = c;
		tail = c;
	}
	l->head = head;
	/* A callback that another thread was running never returns here:
	 * it counts as returned, so that a pop of it does not wait.  Only
	 * the forking thread's own runs go on. */
	for (r = l->runs; r != NULL; r = rnext) {
		rnext = r->next;
		if (!pthread_equal(r->runner, pthread_self())) {
			if (keep_own && !r->popped &&
			    pthread_equal(r->c->pusher, pthread_self())) {
				r->c->run = NULL;
				atomic_store(&r->c->state, CB_DONE);
			}
			continue;
		}
		r->prev = NULL;
		if ((r->next = runs) != NULL)
			runs->prev = r;
		runs = r;
	}
	l->runs = runs;
}
