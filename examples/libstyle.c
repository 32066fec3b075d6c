/*
 * libstyle -- a library's background thread, cleaned up at exit.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * The first half of this file is a small logging "library": log_printf()
 * puts a line in a buffer and a background thread writes the lines out
 * in batches.  The library starts the thread itself, on first use, and
 * registers an exeunt_atexit() hook that writes whatever is still in the
 * buffer.  It has no close function, and the application in the second
 * half never calls one.
 *
 * The background thread is a daemon: exit does not wait for it.  Its
 * terminate callback wakes it so that it stops taking batches.  The hook
 * runs after the join phase, so the lines that the application's own
 * (non-daemon) threads log while they are being stopped are written too.
 * A lock taken around each write keeps the lines in order whether the
 * thread or the hook writes them.
 */
#include <exeunt.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the library ------------------------------------------------------ */

#define LOG_MAX		64	/* lines buffered */
#define LOG_BATCH	4	/* lines that wake the background thread */
#define LOG_LINE	120

enum { BY_THREAD, BY_HOOK, BY_CALLER };

/* Lock order: out_lock, then lock. */
static struct {
	pthread_once_t once;
	pthread_mutex_t out_lock;	/* held while lines are written */
	pthread_mutex_t lock;		/* the buffer */
	pthread_cond_t cond;
	char lines[LOG_MAX][LOG_LINE];
	unsigned head, len;
	int background;			/* the thread and hook are set up */
	int closed;			/* the hook has run */
	unsigned written[3];
} lg = {
	.once = PTHREAD_ONCE_INIT,
	.out_lock = PTHREAD_MUTEX_INITIALIZER,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

/* Writes out every buffered line; "by" says who did it. */
static void
log_flush(int by)
{
	char out[LOG_MAX][LOG_LINE];
	unsigned i, n;

	pthread_mutex_lock(&lg.out_lock);
	pthread_mutex_lock(&lg.lock);
	for (n = 0; lg.len > 0; n++, lg.len--) {
		memcpy(out[n], lg.lines[lg.head], LOG_LINE);
		lg.head = (lg.head + 1) % LOG_MAX;
	}
	pthread_mutex_unlock(&lg.lock);
	for (i = 0; i < n; i++)
		fputs(out[i], stdout);
	fflush(stdout);
	lg.written[by] += n;
	pthread_mutex_unlock(&lg.out_lock);
}

static void *
log_thread(void *arg)
{
	int stop;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&lg.lock);
		while (lg.len < LOG_BATCH && !exeunt_stop_requested())
			pthread_cond_wait(&lg.cond, &lg.lock);
		stop = exeunt_stop_requested();
		pthread_mutex_unlock(&lg.lock);
		if (stop)
			return NULL;	/* the hook writes the rest */
		log_flush(BY_THREAD);
	}
}

/* Terminate callback: the stop flag is set, wake the thread to see it. */
static void
log_terminate(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	pthread_mutex_lock(&lg.lock);
	pthread_cond_broadcast(&lg.cond);
	pthread_mutex_unlock(&lg.lock);
}

/* The exeunt_atexit hook: the application's threads have all finished. */
static void
log_atexit(void *arg)
{
	(void)arg;
	log_flush(BY_HOOK);
	pthread_mutex_lock(&lg.out_lock);
	pthread_mutex_lock(&lg.lock);
	lg.closed = 1;
	pthread_mutex_unlock(&lg.lock);
	printf("liblog: closed at exit: %u lines written by the background"
	    " thread, %u by the exit hook, %u by the callers\n",
	    lg.written[BY_THREAD], lg.written[BY_HOOK], lg.written[BY_CALLER]);
	fflush(stdout);
	pthread_mutex_unlock(&lg.out_lock);
}

static void
log_init(void)
{
	exeunt_thread_t *t;
	exeunt_attr_t attr;

	/* The hook first: if it cannot be registered, log synchronously. */
	if (exeunt_atexit(log_atexit, NULL) != 0)
		return;
	exeunt_attr_init(&attr);
	exeunt_attr_setname(&attr, "liblog");
	exeunt_attr_setdaemon(&attr, 1);
	exeunt_attr_setterminate(&attr, log_terminate, NULL);
	if (exeunt_thread_create(&t, &attr, log_thread, NULL) == 0) {
		exeunt_thread_detach(t);
		lg.background = 1;
	}
	exeunt_attr_destroy(&attr);
}

static void log_printf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* The library's one public function. */
static void
log_printf(const char *fmt, ...)
{
	va_list ap;
	int direct;

	pthread_once(&lg.once, log_init);
	pthread_mutex_lock(&lg.lock);
	va_start(ap, fmt);
	vsnprintf(lg.lines[(lg.head + lg.len) % LOG_MAX], LOG_LINE, fmt, ap);
	va_end(ap);
	lg.len++;
	/* Without the thread, after the hook, or when full: write now. */
	direct = !lg.background || lg.closed || lg.len == LOG_MAX;
	if (!direct && lg.len >= LOG_BATCH)
		pthread_cond_signal(&lg.cond);
	pthread_mutex_unlock(&lg.lock);
	if (direct)
		log_flush(BY_CALLER);
}

/* ---- the application -------------------------------------------------- */

/* main returns once both workers have done their steps. */
static pthread_barrier_t steps_done;

static void *
app_worker(void *arg)
{
	unsigned self = (unsigned)(size_t)arg, step;

	for (step = 1; step <= 5; step++)
		log_printf("worker-%u: step %u\n", self, step);
	pthread_barrier_wait(&steps_done);
	exeunt_wait_stop(NULL);
	log_printf("worker-%u: told to stop, saving state\n", self);
	log_printf("worker-%u: finished\n", self);
	return NULL;
}

int
main(void)
{
	exeunt_thread_t *t;
	unsigned i;
	int rc;

	pthread_barrier_init(&steps_done, NULL, 3);
	log_printf("main: starting\n");
	for (i = 1; i <= 2; i++) {
		/* Created by an unregistered thread: non-daemon by default. */
		rc = exeunt_thread_create(&t, NULL, app_worker,
		    (void *)(size_t)i);
		if (rc != 0) {
			fprintf(stderr, "libstyle: exeunt_thread_create: %s\n",
			    strerror(rc));
			return EXIT_FAILURE;
		}
		exeunt_thread_detach(t);
	}
	pthread_barrier_wait(&steps_done);
	log_printf("main: returning, without closing the log\n");
	return 0;
}
