/*
 * server -- a worker pool that stops cleanly when main returns.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * The server reads requests from one end of a local socketpair; main is
 * the client on the other end.  A listener thread accepts requests into a
 * queue, three workers take jobs from the queue (mutex and condition
 * variable) and send the replies.  Every server thread is a registered
 * non-daemon thread, so nobody calls a stop function: main sends its
 * requests, reads a few replies and returns.
 *
 * The listener runs at stage 0 and the workers at stage 1, so the
 * shutdown stops the listener and waits for it to end before it tells
 * any worker to stop.  Nothing is added to the queue after that: the
 * queue needs no "closed" flag and no thread needs a terminate callback.
 * Each thread waits in a stop-aware call that returns ECANCELED on its
 * stop request: the listener in exeunt_poll(), a worker in
 * exeunt_cond_wait(), which it only calls when the queue is empty, so a
 * worker answers every job already accepted before it returns.  The
 * exeunt_atexit() hook, which runs after the last stage, reports that
 * every accepted request was answered.  Requests the listener never read
 * are left in the socket; the hook counts them.
 */
#include <exeunt.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define NWORKERS	3
#define NREQUESTS	24
#define NREAD		6	/* replies main waits for before it returns */
#define QUEUE_MAX	NREQUESTS

struct request {
	unsigned id;
	unsigned limit;		/* count the primes below this */
};

struct reply {
	unsigned id;
	unsigned primes;
	unsigned worker;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct request jobs[QUEUE_MAX];
	unsigned head, len;
	unsigned accepted, answered;
} queue = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

/* sock[0]: the server's end, sock[1]: the client's (main's) end. */
static int sock[2];

static unsigned
count_primes(unsigned limit)
{
	unsigned n, d, count = 0;

	for (n = 2; n < limit; n++) {
		for (d = 2; d * d <= n; d++)
			if (n % d == 0)
				break;
		if (d * d > n)
			count++;
	}
	return count;
}

static void *
listener(void *arg)
{
	struct pollfd pfd = { .fd = sock[0], .events = POLLIN };
	struct request req;

	(void)arg;
	for (;;) {
		if (exeunt_poll(&pfd, 1, -1) < 0) {
			if (errno == ECANCELED)
				return NULL;	/* stop requested */
			if (errno == EINTR)
				continue;
			break;
		}
		if (recv(sock[0], &req, sizeof(req), 0) != (ssize_t)sizeof(req))
			break;
		pthread_mutex_lock(&queue.lock);
		if (queue.len == QUEUE_MAX) {
			pthread_mutex_unlock(&queue.lock);
			break;
		}
		queue.jobs[(queue.head + queue.len++) % QUEUE_MAX] = req;
		queue.accepted++;
		pthread_cond_signal(&queue.cond);
		pthread_mutex_unlock(&queue.lock);
	}
	/* Not stopped but failed: the client sees EOF instead of waiting. */
	shutdown(sock[0], SHUT_RDWR);
	return NULL;
}

/*
 * Takes the next job into *req, waiting for one; returns 0 once the
 * worker is told to stop and the queue is empty.  The listener has ended
 * by then (it is in an earlier stage), so the queue only shrinks.
 */
static int
take(struct request *req)
{
	pthread_mutex_lock(&queue.lock);
	while (queue.len == 0)
		if (exeunt_cond_wait(&queue.cond, &queue.lock) != 0) {
			pthread_mutex_unlock(&queue.lock);
			return 0;
		}
	*req = queue.jobs[queue.head];
	queue.head = (queue.head + 1) % QUEUE_MAX;
	queue.len--;
	pthread_mutex_unlock(&queue.lock);
	return 1;
}

static void *
worker(void *arg)
{
	unsigned self = (unsigned)(size_t)arg, done = 0;
	struct request req;
	struct reply rep;

	while (take(&req)) {
		rep.id = req.id;
		rep.primes = count_primes(req.limit);
		rep.worker = self;
		if (send(sock[0], &rep, sizeof(rep), MSG_NOSIGNAL) ==
		    (ssize_t)sizeof(rep)) {
			pthread_mutex_lock(&queue.lock);
			queue.answered++;
			pthread_mutex_unlock(&queue.lock);
		}
		done++;
	}
	return (void *)(size_t)done;
}

/* Runs after the last stage: every server thread has finished. */
static void
report(void *arg)
{
	struct request req;
	unsigned unread = 0;

	(void)arg;
	while (recv(sock[0], &req, sizeof(req), MSG_DONTWAIT) ==
	    (ssize_t)sizeof(req))
		unread++;
	pthread_mutex_lock(&queue.lock);
	printf("server: %u requests accepted, %u answered, %u never read:"
	    " %s\n", queue.accepted, queue.answered, unread,
	    queue.accepted == queue.answered ?
	    "every accepted request was answered" : "ACCEPTED WORK LOST");
	pthread_mutex_unlock(&queue.lock);
}

static void
start(const char *name, void *(*fn)(void *), void *arg, int stage)
{
	exeunt_thread_t *t;
	exeunt_attr_t attr;
	int rc;

	exeunt_attr_init(&attr);
	exeunt_attr_setname(&attr, name);
	exeunt_attr_setdaemon(&attr, 0);
	exeunt_attr_setstage(&attr, stage);
	rc = exeunt_thread_create(&t, &attr, fn, arg);
	exeunt_attr_destroy(&attr);
	if (rc != 0) {
		fprintf(stderr, "server: exeunt_thread_create: %s\n",
		    strerror(rc));
		exit(EXIT_FAILURE);
	}
	exeunt_thread_detach(t);
}

int
main(void)
{
	struct request req;
	struct reply rep;
	unsigned i;
	char name[16];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock) != 0) {
		perror("server: socketpair");
		return EXIT_FAILURE;
	}
	if (exeunt_atexit(report, NULL) != 0) {
		fprintf(stderr, "server: exeunt_atexit failed\n");
		return EXIT_FAILURE;
	}

	start("listener", listener, NULL, 0);
	for (i = 1; i <= NWORKERS; i++) {
		snprintf(name, sizeof(name), "worker-%u", i);
		start(name, worker, (void *)(size_t)i, 1);
	}

	for (i = 0; i < NREQUESTS; i++) {
		req.id = i;
		req.limit = 20000 + 2000 * i;
		if (send(sock[1], &req, sizeof(req), MSG_NOSIGNAL) !=
		    (ssize_t)sizeof(req)) {
			perror("server: send");
			return EXIT_FAILURE;
		}
	}
	for (i = 0; i < NREAD; i++) {
		if (recv(sock[1], &rep, sizeof(rep), 0) != (ssize_t)sizeof(rep)) {
			fprintf(stderr, "server: no reply from the server\n");
			return EXIT_FAILURE;
		}
		printf("client: request %2u: %u primes (worker-%u)\n", rep.id,
		    rep.primes, rep.worker);
	}
	printf("client: sent %u requests, read %u replies, returning from"
	    " main\n", NREQUESTS, NREAD);
	return 0;
}
