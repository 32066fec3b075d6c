/*
 * pool_server -- an exeunt_pool that serves jobs until SIGTERM.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Usage: pool_server [N]
 *
 * main is the producer: it submits jobs (count the primes below a limit)
 * to a pool of four workers with a queue of at most 64 jobs, as fast as
 * the pool takes them: while the queue is full, exeunt_pool_submit()
 * blocks, which paces the producer.  It goes on until the shutdown stops
 * it, that is until exeunt_pool_submit() fails with ESHUTDOWN.
 *
 * Without N, the server runs until it is sent SIGTERM (kill PID, or
 * systemctl stop).  With N, the producer sends SIGTERM to its own process
 * once N jobs have been submitted, so that 'examples/pool_server 1000'
 * ends by itself and shows the whole path.
 *
 * SIGTERM is trapped with exeunt_trap_signal(): the signal starts the
 * shutdown in the library's signal thread.  In its terminate phase the
 * workers' terminate callback closes the pool, so the producer's next
 * submit fails with ESHUTDOWN (also when it is blocked on the full
 * queue), and applies the pending action to the jobs still queued: by
 * default they are run; with EXEUNT_POOL_PENDING=cancel in the
 * environment they are handed back to cancel_job(), in the signal
 * thread.  The join phase waits for the workers to finish, within the
 * deadline of 2 seconds set with exeunt_set_timeout(); then the
 * exeunt_atexit() hook prints the pool's accounting and checks that every
 * accepted job was either completed or cancelled.
 *
 * The process then ends killed by SIGTERM, so the shell reports status
 * 143 (128 + 15): that is the designed behaviour, what a service manager
 * expects of a service it stopped with SIGTERM, not a crash.
 *
 * The producer leaves with exeunt_exit(), not by returning from main: the
 * shutdown already runs inside exit() in the signal thread, and
 * exeunt_exit() parks the producer until the process ends instead of
 * letting two threads run exit() at once.
 */
#include <exeunt.h>

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NWORKERS	4
#define QUEUE_MAX	64
#define DEADLINE_S	2

struct job {
	unsigned long id;
	unsigned limit;		/* count the primes below this */
};

static exeunt_pool_t *pool;

/* What the jobs themselves saw: checked against the pool's counters. */
static atomic_ulong ran, handed_back, primes;

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

/* Runs in a worker.  The job owns its argument. */
static void
run_job(void *arg)
{
	struct job *job = arg;

	atomic_fetch_add(&primes, count_primes(job->limit));
	atomic_fetch_add(&ran, 1);
	free(job);
}

/*
 * Runs instead of run_job() for a job still queued when the pool is
 * closed with EXEUNT_PENDING_CANCEL: here, in the thread that runs the
 * shutdown.  A real server would answer "try again later" or put the job
 * back in durable storage.
 */
static void
cancel_job(void *arg)
{
	atomic_fetch_add(&handed_back, 1);
	free(arg);
}

/* The exeunt_atexit() hook: every non-daemon worker has ended. */
static void
report(void *arg)
{
	struct exeunt_pool_stats st;
	int ok;

	(void)arg;
	if (exeunt_pool_stats(pool, &st) != 0)
		return;
	printf("pool_server: %llu submitted, %llu completed, %llu cancelled"
	    " (%zu queued, %zu running)\n", st.submitted, st.completed,
	    st.cancelled, st.queued, st.running);
	if (st.queued + st.running != 0) {
		/* Only if the deadline passed and the workers were
		 * abandoned (EXEUNT_OVERRUN_PROCEED). */
		printf("pool_server: the deadline passed with jobs left\n");
		return;
	}
	ok = st.submitted == st.completed + st.cancelled &&
	    st.completed == atomic_load(&ran) &&
	    st.cancelled == atomic_load(&handed_back);
	printf("pool_server: submitted == completed + cancelled: %s"
	    " (%lu primes counted)\n", ok ? "yes, every job accounted for" :
	    "NO, JOBS LOST", atomic_load(&primes));
}

int
main(int argc, char **argv)
{
	struct timespec deadline = { .tv_sec = DEADLINE_S };
	unsigned long n, stop_after = 0;
	exeunt_attr_t attr;
	struct job *job;
	char *end;
	int error;

	if (argc > 2 || (argc == 2 && ((stop_after = strtoul(argv[1], &end,
	    10)) == 0 || *end != '\0'))) {
		fprintf(stderr, "usage: pool_server [N]\n"
		    "  N: send myself SIGTERM after N jobs (N > 0)\n");
		return 2;
	}
	if ((error = exeunt_trap_signal(SIGTERM)) != 0 ||
	    (error = exeunt_set_timeout(&deadline,
	    EXEUNT_OVERRUN_PROCEED)) != 0 ||
	    (error = exeunt_atexit(report, NULL)) != 0) {
		fprintf(stderr, "pool_server: %s\n", strerror(error));
		return 1;
	}

	exeunt_attr_init(&attr);
	exeunt_attr_setname(&attr, "job");
	exeunt_attr_setdaemon(&attr, 0);	/* waited for at exit */
	error = exeunt_pool_create(&pool, NWORKERS, QUEUE_MAX, &attr);
	exeunt_attr_destroy(&attr);
	if (error != 0) {
		fprintf(stderr, "pool_server: exeunt_pool_create: %s\n",
		    strerror(error));
		return 1;
	}
	printf("pool_server: pid %ld, %d workers, queue of %d; %s\n",
	    (long)getpid(), NWORKERS, QUEUE_MAX, stop_after ?
	    "SIGTERM after the last job" : "serving until SIGTERM");
	fflush(stdout);

	for (n = 0;; n++) {
		if ((job = malloc(sizeof(*job))) == NULL) {
			fprintf(stderr, "pool_server: out of memory\n");
			exeunt_exit(EXIT_FAILURE);
		}
		job->id = n;
		job->limit = 20000 + (unsigned)(n % 16) * 1000;
		error = exeunt_pool_submit(pool, run_job, cancel_job, job);
		if (error != 0) {
			free(job);	/* not accepted: still ours */
			if (error == ESHUTDOWN)
				break;
			fprintf(stderr, "pool_server: exeunt_pool_submit: %s\n",
			    strerror(error));
			exeunt_exit(EXIT_FAILURE);
		}
		if (n + 1 == stop_after)
			kill(getpid(), SIGTERM);
	}
	/* The shutdown has begun.  Print nothing more here: the hook
	 * reports, and the process may end at any moment now. */
	exeunt_exit(EXIT_SUCCESS);	/* parked: the signal thread exits */
}
