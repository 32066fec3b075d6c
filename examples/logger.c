/*
 * logger -- workers that log their last words at exit.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Three workers at stage 0 send records to a logger thread at stage 1
 * through a queue; the logger prints them.  main lets them run for a
 * moment and returns.
 *
 * The shutdown stops stage 0 first: each worker's exeunt_sleep() returns
 * ECANCELED and the worker, winding down, queues a last record saying how
 * many it wrote.  Only when every worker has ended does stage 1 begin:
 * the logger's exeunt_cond_wait() returns ECANCELED once the queue is
 * empty, so it prints every record, the last ones included, and then
 * stops.  No flag, no terminate callback.
 */
#include <exeunt.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NWORKERS	3

struct record {
	struct record *next;
	char text[64];
};

/* A FIFO of records: workers append at the tail, the logger takes the head. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct record *head, **tail;
} q = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.tail = &q.head,
};

static void
log_record(const char *name, const char *text)
{
	struct record *r;

	if ((r = malloc(sizeof(*r))) == NULL)
		return;
	r->next = NULL;
	snprintf(r->text, sizeof(r->text), "%s: %s", name, text);
	pthread_mutex_lock(&q.lock);
	*q.tail = r;
	q.tail = &r->next;
	pthread_cond_signal(&q.cond);
	pthread_mutex_unlock(&q.lock);
}

static void *
logger(void *arg)
{
	struct record *r;
	unsigned n = 0;

	(void)arg;
	pthread_mutex_lock(&q.lock);
	for (;;) {
		/* ECANCELED only when the queue is empty: nothing is lost. */
		while (q.head == NULL)
			if (exeunt_cond_wait(&q.cond, &q.lock) != 0)
				goto out;
		r = q.head;
		if ((q.head = r->next) == NULL)
			q.tail = &q.head;
		pthread_mutex_unlock(&q.lock);
		printf("logger: %s\n", r->text);
		free(r);
		n++;
		pthread_mutex_lock(&q.lock);
	}
out:
	pthread_mutex_unlock(&q.lock);
	printf("logger: stop requested, %u records printed, none left\n", n);
	return NULL;
}

static void *
worker(void *arg)
{
	const char *name = exeunt_thread_name(exeunt_thread_self());
	struct timespec pause = { .tv_nsec = 20000000 * (long)(size_t)arg };
	unsigned n = 0;
	char text[32];

	while (exeunt_sleep(&pause) == 0) {
		snprintf(text, sizeof(text), "record %u", ++n);
		log_record(name, text);
	}
	/* Stopped: stage 1, the logger, is still running. */
	snprintf(text, sizeof(text), "stopping after %u records", n);
	log_record(name, text);
	return NULL;
}

static void
start(const char *name, void *(*fn)(void *), void *arg, int stage)
{
	exeunt_thread_t *t;
	exeunt_attr_t attr;
	int rc;

	exeunt_attr_init(&attr);
	exeunt_attr_setname(&attr, name);
	exeunt_attr_setstage(&attr, stage);
	rc = exeunt_thread_create(&t, &attr, fn, arg);
	exeunt_attr_destroy(&attr);
	if (rc != 0) {
		fprintf(stderr, "logger: exeunt_thread_create: %s\n",
		    strerror(rc));
		exit(EXIT_FAILURE);
	}
	exeunt_thread_detach(t);
}

int
main(void)
{
	struct timespec run = { .tv_nsec = 100000000 };
	char name[16];
	unsigned i;

	start("logger", logger, NULL, 1);
	for (i = 1; i <= NWORKERS; i++) {
		snprintf(name, sizeof(name), "worker-%u", i);
		start(name, worker, (void *)(size_t)i, 0);
	}
	nanosleep(&run, NULL);
	printf("main: returning\n");
	return 0;
}
