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
 * At exit the listener is stopped first, because it was created last
 * (the terminate phase goes newest first).  Its terminate callback closes
 * the queue under the queue's lock, so no job is accepted after that;
 * its stop file descriptor wakes it from poll(2).  Then each worker's
 * callback wakes the workers, which finish every job already accepted and
 * return.  The join phase waits for all four threads, and the
 * exeunt_atexit() hook, which runs after it, reports that every accepted
 * request was answered.  Requests the listener never read are left in
 * the socket, and one it read while the queue was closing is refused:
 * neither was taken, and the hook counts both.
 */
#include <exeunt.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
	int closed;		/* no job is accepted any more */
	unsigned accepted, refused, answered;
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

/* Terminate callback of the listener: close the queue, wake everyone. */
static void
close_queue(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	pthread_mutex_lock(&queue.lock);
	queue.closed = 1;
	pthread_cond_broadcast(&queue.cond);
	pthread_mutex_unlock(&queue.lock);
}

/*
 * Terminate callback of a worker.  The stop flag is already set; taking
 * the lock before the broadcast means the worker is either about to see
 * the flag or already waiting, so the wake-up is not lost.
 */
static void
wake_workers(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	pthread_mutex_lock(&queue.lock);
	pthread_cond_broadcast(&queue.cond);
	pthread_mutex_unlock(&queue.lock);
}

static void *
listener(void *arg)
{
	struct pollfd pfd[2];
	struct request req;

	(void)arg;
	pfd[0].fd = sock[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = exeunt_stop_fd();
	pfd[1].events = POLLIN;
	if (pfd[1].fd < 0) {
		perror("server: exeunt_stop_fd");
		shutdown(sock[0], SHUT_RDWR);	/* the client sees EOF */
		return NULL;
	}
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents & POLLIN)
			return NULL;	/* stop requested */
		if (!(pfd[0].revents & POLLIN))
			continue;
		if (recv(sock[0], &req, sizeof(req), 0) != (ssize_t)sizeof(req))
			break;
		pthread_mutex_lock(&queue.lock);
		if (queue.closed) {
			/* Read during the shutdown, but not taken. */
			queue.refused++;
			pthread_mutex_unlock(&queue.lock);
			return NULL;
		}
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

static void *
worker(void *arg)
{
	unsigned self = (unsigned)(size_t)arg, done = 0;
	struct request req;
	struct reply rep;

	for (;;) {
		pthread_mutex_lock(&queue.lock);
		/*
		 * Once told to stop, a worker still drains the queue: a job
		 * in the queue has been accepted and will be answered.
		 */
		while (queue.len == 0 && !queue.closed &&
		    !exeunt_stop_requested())
			pthread_cond_wait(&queue.cond, &queue.lock);
		if (queue.len == 0) {
			pthread_mutex_unlock(&queue.lock);
			break;
		}
		req = queue.jobs[queue.head];
		queue.head = (queue.head + 1) % QUEUE_MAX;
		queue.len--;
		pthread_mutex_unlock(&queue.lock);

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

/* Runs after the join phase: every server thread has finished. */
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
	printf("server: %u requests accepted, %u answered, %u refused, %u"
	    " never read: %s\n", queue.accepted, queue.answered,
	    queue.refused, unread, queue.accepted == queue.answered ?
	    "every accepted request was answered" : "ACCEPTED WORK LOST");
	pthread_mutex_unlock(&queue.lock);
}

static void
start(const char *name, void *(*fn)(void *), void *arg,
    exeunt_terminate_fn on_terminate)
{
	exeunt_thread_t *t;
	exeunt_attr_t attr;
	int rc;

	exeunt_attr_init(&attr);
	exeunt_attr_setname(&attr, name);
	exeunt_attr_setdaemon(&attr, 0);
	exeunt_attr_setterminate(&attr, on_terminate, NULL);
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

	/* Workers first, listener last: the listener is stopped first. */
	for (i = 1; i <= NWORKERS; i++) {
		snprintf(name, sizeof(name), "worker-%u", i);
		start(name, worker, (void *)(size_t)i, wake_workers);
	}
	start("listener", listener, NULL, close_queue);

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
