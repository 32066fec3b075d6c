/*
 * The logger case: a logger thread of stage 1 writes the records that
 * four workers of stage 0 put in its queue, the most of them during the
 * workers' wind-down, after their stop request ("worker N stopping", then
 * RECORDS records, then "worker N stopped").  Stage 1 begins only once
 * every worker ended, so the logger writes every record ("log ..." lines)
 * before it says "logger exits", with how many workers had ended when it
 * was told to stop.  The logger is created last, newest: without stages
 * it would be told to stop first.  The hook says how many records were
 * left in the queue.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#define WORKERS 4
#define RECORDS 25
/* Per worker: "starts", "stopping", RECORDS records, "stopped". */
#define QUEUE_MAX (WORKERS * (RECORDS + 3))

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char rec[QUEUE_MAX][48];
	int head, tail;
	int overflow;
} queue = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, { { 0 } },
    0, 0, 0 };

static atomic_int ended;
static struct sc_count started = SC_COUNT_INIT;

static void
log_put(const char *rec)
{
	pthread_mutex_lock(&queue.mu);
	if (queue.tail < QUEUE_MAX)
		snprintf(queue.rec[queue.tail++], sizeof queue.rec[0], "%s",
		    rec);
	else
		queue.overflow++;
	pthread_cond_broadcast(&queue.cv);
	pthread_mutex_unlock(&queue.mu);
}

static void *
worker(void *arg)
{
	int n = (int)(long)arg, k;
	char rec[48];

	snprintf(rec, sizeof rec, "worker %d starts", n);
	log_put(rec);
	count_up(&started);
	work_until_stopped();
	snprintf(rec, sizeof rec, "worker %d stopping", n);
	log_put(rec);
	for (k = 0; k < RECORDS; k++) {
		snprintf(rec, sizeof rec, "worker %d record %d", n, k);
		log_put(rec);
	}
	snprintf(rec, sizeof rec, "worker %d stopped", n);
	log_put(rec);
	atomic_fetch_add(&ended, 1);
	return NULL;
}

/* Writes records until told to stop with the queue empty. */
static void *
logger(void *arg)
{
	char rec[48];
	int written = 0, at_stop;

	(void)arg;
	count_up(&started);
	pthread_mutex_lock(&queue.mu);
	for (;;) {
		while (queue.head < queue.tail) {
			memcpy(rec, queue.rec[queue.head++], sizeof rec);
			pthread_mutex_unlock(&queue.mu);
			say("log %s\n", rec);
			written++;
			pthread_mutex_lock(&queue.mu);
		}
		if (exeunt_stop_requested())
			break;
		sc_cond_tick(&queue.cv, &queue.mu, 5);
	}
	pthread_mutex_unlock(&queue.mu);
	at_stop = atomic_load(&ended);
	say("logger exits: %d records, %d of %d workers ended\n", written,
	    at_stop, WORKERS);
	return NULL;
}

static void
hook_queue(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&queue.mu);
	say("hook: %d records left, %d lost\n", queue.tail - queue.head,
	    queue.overflow);
	pthread_mutex_unlock(&queue.mu);
}

int
main(void)
{
	long i;

	exeunt_atexit(hook_queue, NULL);
	for (i = 0; i < WORKERS; i++)
		sc_start(0, NULL, NULL, worker, (void *)i);
	sc_start_staged("logger", 1, -1, NULL, NULL, logger, NULL);
	count_wait(&started, WORKERS + 1);
	say("main exits\n");
	return 0;
}
