/*
 * Work pools with phased drain: exeunt_pool_*.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * A pool is a queue and a fixed set of registered worker threads.  Its
 * shutdown runs in phases: stop accepting, settle the queued jobs (run
 * them, or hand each back through its cancel function), wait for the jobs
 * in flight, then let the workers end.  The workers' terminate callback
 * closes the pool, so a pool the program forgot about still drains at
 * exit, and its workers are joined like any non-daemon thread.
 *
 * Lock order: the library lock, then a pool's lock (the deadline report
 * reads a pool's queue).  Pool code never takes the library lock while it
 * holds its pool's lock, and runs no job and no cancel function with it.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct job {
	struct job *next;
	exeunt_job_fn run, cancel;
	void *arg;
};

/* One per worker: what the deadline report tells of it. */
struct slot {
	struct exeunt_pool *pool;
	const struct exeunt_thread *thread;	/* set by the worker */
	int busy;				/* running a job */
};

struct exeunt_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;		/* workers: a job, or the close */
	pthread_cond_t space;		/* submitters: room in the queue */
	pthread_cond_t ended;		/* shutdown: a worker has ended */
	struct job *head, *tail;	/* the queue, oldest first */
	struct job *spare;		/* freed jobs, for reuse */
	size_t queued, running, capacity;
	unsigned nthreads, nstarted, nended;
	int closed;
	int pending;			/* -1: the process default */
	int joined;
	int generation;			/* exeunt__fork_generation at create */
	int stage;			/* its workers' shutdown stage */
	unsigned long long submitted, started, completed, cancelled;
	char prefix[EXEUNT_NAME_MAX + 1];
	exeunt_thread_t **workers;
	struct slot *slots;
};

/* The pool whose worker the calling thread is, if any, and its slot. */
static _Thread_local struct exeunt_pool *current_pool;
static _Thread_local struct slot *current_slot;

/* 1 in a child made by fork() after the pool was made: it has no
 * workers there, and its lock may have been held by a thread of the
 * parent, so nothing may wait on it. */
static int
forked_away(const struct exeunt_pool *pool)
{
	return pool->generation != exeunt__fork_generation;
}

/* The process-wide default; guarded by the library lock. */
static int default_pending = -1;
static int env_pending = -1;

static int
pending_valid(int action)
{
	return action == EXEUNT_PENDING_RUN || action == EXEUNT_PENDING_CANCEL;
}

/* The action of a close that names none: the pool's, the process's, the
 * environment's, else RUN. */
static int
effective_pending(struct exeunt_pool *pool)
{
	const char *v;
	int action;

	pthread_mutex_lock(&pool->lock);
	action = pool->pending;
	pthread_mutex_unlock(&pool->lock);
	if (action >= 0)
		return action;
	exeunt__lock();
	if (default_pending < 0 && env_pending < 0) {
		env_pending = EXEUNT_PENDING_RUN;
		v = secure_getenv("EXEUNT_POOL_PENDING");
		if (v != NULL && *v != '\0') {
			if (strcmp(v, "cancel") == 0)
				env_pending = EXEUNT_PENDING_CANCEL;
			else if (strcmp(v, "run") != 0)
				exeunt__say("ignoring EXEUNT_POOL_PENDING=\"%s\" "
				    "(not run or cancel); keeping run", v);
		}
	}
	action = default_pending >= 0 ? default_pending : env_pending;
	exeunt__unlock();
	return action;
}

/*
 * Close the pool and settle its queue: with CANCEL, hand every queued job
 * back through its cancel function, in submission order, in the calling
 * thread, without the lock.  A closed pool stays closed; a later CANCEL
 * still cancels what is queued.
 */
static void
close_pool(struct exeunt_pool *pool, int action)
{
	struct job *list = NULL, *j, *next;

	pthread_mutex_lock(&pool->lock);
	if (!pool->closed) {
		pool->closed = 1;
		pthread_cond_broadcast(&pool->work);
		pthread_cond_broadcast(&pool->space);
	}
	if (action == EXEUNT_PENDING_CANCEL && pool->head != NULL) {
		list = pool->head;
		pool->head = pool->tail = NULL;
		pool->cancelled += pool->queued;
		pool->queued = 0;
	}
	pthread_mutex_unlock(&pool->lock);

	for (j = list; j != NULL; j = next) {
		next = j->next;
		if (j->cancel != NULL)
			j->cancel(j->arg);
		free(j);
	}
}

/*
 * The next job for the calling worker, or NULL once the pool is closed and
 * nothing is left to run.  A worker whose stop was requested, or whose
 * process is shutting down, takes no job until the close that follows
 * (its terminate callback) has said what becomes of the queue: with
 * CANCEL, no queued job may start once the shutdown began the pool's
 * stage.  The caller holds the pool's lock.
 */
static struct job *
take_job_locked(struct exeunt_pool *pool)
{
	struct job *j;

	while (!pool->closed && (pool->head == NULL ||
	    exeunt_stop_requested() || exeunt__stage_begun(pool->stage)))
		pthread_cond_wait(&pool->work, &pool->lock);
	if ((j = pool->head) == NULL)
		return NULL;
	if ((pool->head = j->next) == NULL)
		pool->tail = NULL;
	pool->queued--;
	if (pool->capacity != 0)
		pthread_cond_signal(&pool->space);
	return j;
}

/* Run j in the calling worker; the caller holds the pool's lock, which
 * is dropped while the job runs. */
static void
run_job_locked(struct exeunt_pool *pool, struct slot *slot, struct job *j)
{
	pool->running++;
	pool->started++;
	slot->busy = 1;
	pthread_mutex_unlock(&pool->lock);

	j->run(j->arg);

	pthread_mutex_lock(&pool->lock);
	pool->running--;
	pool->completed++;
	slot->busy = 0;
	j->next = pool->spare;
	pool->spare = j;
}

/*
 * The workers' terminate callback: the process is shutting down (or
 * someone asked a worker to stop): close the pool.  When it runs in one
 * of this pool's own workers, a job of the pool has ended the process
 * (exit()) or stopped its own worker; that worker may never return to its
 * loop, so it runs what is queued now (with CANCEL, the close handed it
 * back already).
 */
static void
worker_terminate(exeunt_thread_t *thread, void *arg)
{
	struct exeunt_pool *pool = arg;
	struct job *j;

	(void)thread;
	close_pool(pool, effective_pending(pool));
	if (current_pool != pool)
		return;
	pthread_mutex_lock(&pool->lock);
	while ((j = take_job_locked(pool)) != NULL)
		run_job_locked(pool, current_slot, j);
	pthread_mutex_unlock(&pool->lock);
}

static void *
worker(void *arg)
{
	struct slot *slot = arg;
	struct exeunt_pool *pool = slot->pool;
	struct job *j;

	current_pool = pool;
	current_slot = slot;
	pthread_mutex_lock(&pool->lock);
	slot->thread = exeunt_thread_self();
	while ((j = take_job_locked(pool)) != NULL)
		run_job_locked(pool, slot, j);
	pool->nended++;
	pthread_cond_broadcast(&pool->ended);
	pthread_mutex_unlock(&pool->lock);
	current_pool = NULL;
	return NULL;
}

static void
free_pool(struct exeunt_pool *pool)
{
	struct job *j;

	while ((j = pool->spare) != NULL) {
		pool->spare = j->next;
		free(j);
	}
	/* Jobs still queued only in a fork() child, where they are the
	 * parent's to run or cancel. */
	while ((j = pool->head) != NULL) {
		pool->head = j->next;
		free(j);
	}
	/* In a fork() child the copies may still count the parent's
	 * waiters (glibc's pthread_cond_destroy waits for them): leave them. */
	if (!forked_away(pool)) {
		pthread_cond_destroy(&pool->ended);
		pthread_cond_destroy(&pool->space);
		pthread_cond_destroy(&pool->work);
		pthread_mutex_destroy(&pool->lock);
	}
	free(pool->slots);
	free(pool->workers);
	free(pool);
}

/* Join every worker once they have all ended. */
static void
join_workers(struct exeunt_pool *pool)
{
	unsigned i;
	int join;

	pthread_mutex_lock(&pool->lock);
	join = !pool->joined && pool->nended == pool->nstarted;
	pool->joined |= join;
	pthread_mutex_unlock(&pool->lock);
	if (!join)
		return;
	/* A worker counted in nended has left its loop but not yet
	 * finished, so the shutdown may still start its terminate callback,
	 * which uses the pool.  exeunt_thread_join() returns once the worker
	 * has finished and no callback of it runs: none can start after. */
	for (i = 0; i < pool->nstarted; i++)
		(void)exeunt_thread_join(pool->workers[i], NULL);
}

/*
 * The calling thread never returns to its code (its job called exit()
 * while another thread's shutdown runs: it is parked, or its exit() waits
 * for that shutdown): if it is a worker, it counts as ended, so that a
 * shutdown or destroy of its pool, from a hook say, does not wait for it.
 */
void
exeunt__pool_parked(void)
{
	struct exeunt_pool *pool = current_pool;
	struct job *j;

	if (pool == NULL)
		return;
	pthread_mutex_lock(&pool->lock);
	/* The last worker: no other will take what is queued, so it settles
	 * the queue here, as the pool's close decides (run, or hand back),
	 * before it counts as finished: no job is lost. */
	if (pool->nended + 1 == pool->nstarted) {
		while ((j = take_job_locked(pool)) != NULL)
			run_job_locked(pool, current_slot, j);
	}
	current_pool = NULL;
	pool->nended++;
	pthread_cond_broadcast(&pool->ended);
	pthread_mutex_unlock(&pool->lock);
}

int
exeunt_pool_create(exeunt_pool_t **poolp, unsigned nthreads, size_t capacity,
    const exeunt_attr_t *attr)
{
	const struct exeunt__attr *a = NULL;
	void (*destroy)(void *);
	struct exeunt_pool *pool;
	exeunt_attr_t wattr;
	char name[EXEUNT_NAME_MAX + 1];
	int err = 0, cancel;
	unsigned i;

	if (poolp == NULL || nthreads == 0)
		return EINVAL;
	if (attr != NULL && (a = exeunt__attr_get(attr)) == NULL)
		return EINVAL;
	/* The workers' terminate callback and its arg are the pool's: a
	 * destroy function would get the pool. */
	if (attr != NULL && (exeunt_attr_getdestroy(attr, &destroy) != 0 ||
	    destroy != NULL))
		return EINVAL;
	if ((pool = calloc(1, sizeof(*pool))) == NULL)
		return ENOMEM;
	if ((pool->workers = calloc(nthreads, sizeof(*pool->workers))) == NULL ||
	    (pool->slots = calloc(nthreads, sizeof(*pool->slots))) == NULL) {
		free(pool->workers);
		free(pool);
		return ENOMEM;
	}
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->work, NULL);
	pthread_cond_init(&pool->space, NULL);
	exeunt__cond_init(&pool->ended);	/* timed: see clock.c */
	pool->capacity = capacity;
	pool->nthreads = nthreads;
	pool->pending = -1;
	pool->generation = exeunt__fork_generation;
	snprintf(pool->prefix, sizeof(pool->prefix), "%s",
	    a != NULL && a->has_name ? a->name : "pool");

	/* The workers take the caller's attributes, with their own name
	 * and terminate callback.  The copy shares the caller's pthread
	 * attributes and is never destroyed. */
	if (attr != NULL)
		wattr = *attr;
	else
		exeunt_attr_init(&wattr);
	exeunt_attr_setterminate(&wattr, worker_terminate, pool);
	(void)exeunt_attr_getstage(&wattr, &pool->stage);
	for (i = 0; i < nthreads; i++) {
		/* Keep "-<n>" whole: cut the prefix, not the number. */
		int n = snprintf(NULL, 0, "-%u", i);

		snprintf(name, sizeof(name), "%.*s-%u",
		    EXEUNT_NAME_MAX - n, pool->prefix, i);
		exeunt_attr_setname(&wattr, name);
		pool->slots[i].pool = pool;
		if ((err = exeunt_thread_create(&pool->workers[i], &wattr,
		    worker, &pool->slots[i])) != 0)
			break;
		pool->nstarted++;
	}
	if (err != 0) {
		/* Not a cancellation point: the workers must be joined. */
		(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
		close_pool(pool, EXEUNT_PENDING_RUN);
		pthread_mutex_lock(&pool->lock);
		while (pool->nended < pool->nstarted)
			pthread_cond_wait(&pool->ended, &pool->lock);
		pthread_mutex_unlock(&pool->lock);
		join_workers(pool);
		free_pool(pool);
		(void)pthread_setcancelstate(cancel, NULL);
		return err;
	}
	*poolp = pool;
	return 0;
}

static void
unlock_pool(void *arg)
{
	struct exeunt_pool *pool = arg;

	pthread_mutex_unlock(&pool->lock);
}

int
exeunt_pool_submit(exeunt_pool_t *pool, exeunt_job_fn run,
    exeunt_job_fn cancel, void *arg)
{
	struct job *j;

	if (pool == NULL || run == NULL)
		return EINVAL;
	if (forked_away(pool))
		return ESRCH;
	pthread_mutex_lock(&pool->lock);
	/* A cancellation point while the queue is full, like a blocking
	 * write(): the job is then not accepted. */
	pthread_cleanup_push(unlock_pool, pool);
	while (!pool->closed && pool->capacity != 0 &&
	    pool->queued >= pool->capacity &&
	    !exeunt__stage_begun(pool->stage))
		pthread_cond_wait(&pool->space, &pool->lock);
	pthread_cleanup_pop(0);
	if (pool->closed || exeunt__stage_begun(pool->stage)) {
		pthread_mutex_unlock(&pool->lock);
		return ESHUTDOWN;
	}
	if ((j = pool->spare) != NULL) {
		pool->spare = j->next;
	} else if ((j = malloc(sizeof(*j))) == NULL) {
		pthread_mutex_unlock(&pool->lock);
		return ENOMEM;
	}
	j->next = NULL;
	j->run = run;
	j->cancel = cancel;
	j->arg = arg;
	if (pool->tail != NULL)
		pool->tail->next = j;
	else
		pool->head = j;
	pool->tail = j;
	pool->queued++;
	pool->submitted++;
	pthread_cond_signal(&pool->work);
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

int
exeunt_pool_set_pending(exeunt_pool_t *pool, enum exeunt_pending action)
{
	if (!pending_valid(action))
		return EINVAL;
	if (pool == NULL) {
		exeunt__lock();
		default_pending = action;
		exeunt__unlock();
		return 0;
	}
	pthread_mutex_lock(&pool->lock);
	pool->pending = action;
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

int
exeunt_pool_shutdown(exeunt_pool_t *pool, enum exeunt_pending action,
    const struct timespec *timeout)
{
	struct timespec deadline;
	int err = 0, cancel;

	if (pool == NULL || !pending_valid(action))
		return EINVAL;
	if (timeout != NULL && exeunt__ts_check(timeout) != 0)
		return EINVAL;
	if (forked_away(pool))
		return ESRCH;
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	close_pool(pool, action);
	/* A worker waiting for its own pool would wait for itself. */
	if (current_pool == pool) {
		(void)pthread_setcancelstate(cancel, NULL);
		return EDEADLK;
	}

	if (timeout != NULL)
		exeunt__ts_after(&deadline, timeout);
	pthread_mutex_lock(&pool->lock);
	while (pool->nended < pool->nstarted && err == 0) {
		if (timeout == NULL)
			pthread_cond_wait(&pool->ended, &pool->lock);
		else
			err = exeunt__cond_wait_until(&pool->ended,
			    &pool->lock, &deadline);
	}
	err = pool->nended < pool->nstarted ? ETIMEDOUT : 0;
	pthread_mutex_unlock(&pool->lock);
	if (err == 0)
		join_workers(pool);
	(void)pthread_setcancelstate(cancel, NULL);
	return err;
}

int
exeunt_pool_destroy(exeunt_pool_t *pool)
{
	int err;

	if (pool == NULL)
		return EINVAL;
	if (current_pool == pool)
		return EDEADLK;
	/* In a fork() child: the copy is freed; the jobs are the parent's. */
	if (!forked_away(pool) &&
	    (err = exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN, NULL)) != 0)
		return err;
	free_pool(pool);
	return 0;
}

int
exeunt_pool_stats(exeunt_pool_t *pool, struct exeunt_pool_stats *out)
{
	int locked;

	if (pool == NULL || out == NULL)
		return EINVAL;
	/* In a fork() child nothing else touches the copy. */
	if ((locked = !forked_away(pool)))
		pthread_mutex_lock(&pool->lock);
	out->submitted = pool->submitted;
	out->started = pool->started;
	out->completed = pool->completed;
	out->cancelled = pool->cancelled;
	out->queued = pool->queued;
	out->running = pool->running;
	if (locked)
		pthread_mutex_unlock(&pool->lock);
	return 0;
}

/*
 * For the deadline report, with the library lock held: if t is a pool
 * worker, what it is doing and how much is queued.  Writes "" otherwise.
 */
void
exeunt__pool_describe(const struct exeunt_thread *t, char *buf, size_t size)
{
	struct exeunt_pool *pool;
	unsigned i;
	int busy = 0;

	buf[0] = '\0';
	if (t->term_fn != worker_terminate)
		return;
	pool = t->term_arg;
	pthread_mutex_lock(&pool->lock);
	for (i = 0; i < pool->nstarted; i++)
		if (pool->slots[i].thread == t)
			busy = pool->slots[i].busy;
	snprintf(buf, size, "; pool \"%s\": %s, %zu job%s queued",
	    pool->prefix, busy ? "in a job" : "idle", pool->queued,
	    pool->queued == 1 ? "" : "s");
	pthread_mutex_unlock(&pool->lock);
}
