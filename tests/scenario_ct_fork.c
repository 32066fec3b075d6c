/*
 * A pool in a child made by fork(): the child has none of the workers,
 * so the pool refuses work there (ESRCH) at once, and its shutdown and
 * destroy neither wait nor run or cancel the parent's queued jobs.  The
 * parent's pool goes on as if nothing happened.
 *
 * The parent's 2-worker pool (capacity 3) has both workers held in jobs
 * and 2 jobs queued (3, so the queue is full, for "full").  Then it forks;
 * the child prints the pool's counters as it sees them, makes one call
 * (argv[1]), prints its result and how many queued jobs it ran or
 * cancelled, and _exit()s.  A child that has not ended within a second
 * (scaled) is killed and said to hang.  The parent then lets the held
 * jobs go, shuts its pool down and prints what its queued jobs did.
 *
 * argv[1]: submit | full (submit to a full queue) | shutdown (RUN) |
 * cancel (shutdown with CANCEL) | destroy.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <signal.h>
#include <sys/wait.h>

static exeunt_pool_t *pool;
static struct sc_count held = SC_COUNT_INIT;
static struct sc_flag release = SC_FLAG_INIT;
static atomic_int ran, cancelled;

static void
job_hold(void *arg)
{
	(void)arg;
	count_up(&held);
	flag_wait(&release);
}

static void
job_count(void *arg)
{
	(void)arg;
	atomic_fetch_add(&ran, 1);
}

static void
job_cancelled(void *arg)
{
	(void)arg;
	atomic_fetch_add(&cancelled, 1);
}

static void
in_child(const char *op)
{
	struct exeunt_pool_stats s;
	int rc;

	rc = exeunt_pool_stats(pool, &s);
	if (rc != 0)
		say("child: stats %s\n", errname(rc));
	else
		say("child: stats submitted %llu queued %zu running %zu\n",
		    s.submitted, s.queued, s.running);
	if (strcmp(op, "submit") == 0 || strcmp(op, "full") == 0)
		rc = exeunt_pool_submit(pool, job_count, job_cancelled, NULL);
	else if (strcmp(op, "shutdown") == 0)
		rc = exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN, NULL);
	else if (strcmp(op, "cancel") == 0)
		rc = exeunt_pool_shutdown(pool, EXEUNT_PENDING_CANCEL, NULL);
	else
		rc = exeunt_pool_destroy(pool);
	say("child: %s %s; ran %d cancelled %d\n", op, errname(rc),
	    atomic_load(&ran), atomic_load(&cancelled));
	_exit(0);
}

/* Waits for the child, a second (scaled) at most; kills it then. */
static void
reap(pid_t pid)
{
	struct timespec d = sc_deadline_ms(1000);
	int status;
	pid_t w;

	while ((w = waitpid(pid, &status, WNOHANG)) == 0 && !sc_passed(&d))
		sc_pause();
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		say("child: hangs, killed\n");
	} else if (w != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		say("child: ended badly (%#x)\n", status);
	}
}

int
main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "submit";
	int i, queue = strcmp(op, "full") == 0 ? 3 : 2;
	struct exeunt_pool_stats s;
	pid_t pid;

	sc_check("exeunt_pool_create", exeunt_pool_create(&pool, 2, 3, NULL));
	for (i = 0; i < 2; i++)
		sc_check("submit", exeunt_pool_submit(pool, job_hold, NULL,
		    NULL));
	/* Both workers are in their jobs: neither holds the pool's lock. */
	count_wait(&held, 2);
	for (i = 0; i < queue; i++)
		sc_check("submit", exeunt_pool_submit(pool, job_count,
		    job_cancelled, NULL));
	pid = fork();
	if (pid < 0) {
		say("fork failed\n");
		return 100;
	}
	if (pid == 0)
		in_child(op);
	reap(pid);
	flag_set(&release);
	sc_check("exeunt_pool_shutdown", exeunt_pool_shutdown(pool,
	    EXEUNT_PENDING_RUN, NULL));
	sc_check("exeunt_pool_stats", exeunt_pool_stats(pool, &s));
	say("parent: ran %d cancelled %d; completed %llu\n", atomic_load(&ran),
	    atomic_load(&cancelled), s.completed);
	sc_check("exeunt_pool_destroy", exeunt_pool_destroy(pool));
	return 0;
}
