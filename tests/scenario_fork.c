/*
 * fork() while other threads keep creating, finishing, adopting and
 * releasing registered threads.  In every child the registry holds only
 * the forking thread (if it was registered), the phase is RUNNING and no
 * stop is requested; the stop fds keep their numbers and are fresh; a
 * handle of a parent-only thread can only be detached (join: ESRCH); the
 * child creates a thread and exits normally, without waiting for the
 * parent's threads; its terminate callback and the hooks registered
 * before the fork run in it.  The child reports what ran in it through a
 * pipe: W (its own worker's callback), T (the forking thread's callback),
 * H (a hook); its problems go to stdout, where the test sees them.
 *
 * Modes (argv[1]):
 *   registered    the forking thread is registered (100 forks)
 *   unregistered  it is a plain pthread (100 forks)
 *   shutdown      a registered worker forks during the parent's join
 *                 phase, the shutdown started by exit()
 *   shutdown-call the same, the shutdown started by exeunt_shutdown()
 *   signal        SIGTERM is trapped before forking: in the child, a
 *                 SIGTERM ends it gracefully (a new signal thread)
 *   deadline      a 100 ms EXIT deadline set before forking holds in the
 *                 child, whose own worker ignores its stop
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "config.h"	/* HAVE_PTHREAD_RWLOCKATTR_SETKIND_NP */
#include "scenario.h"

#include <dirent.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>

#define CHURNERS 3
#define CHILD_OK 42

static pid_t parent_pid;
static int report_fd = -1;	/* the child's end of the report pipe */
static exeunt_thread_t *sleeper;	/* lives only in the parent */
static int forker_registered;
static const char *mode;
static int problems;

/*
 * AddressSanitizer's runtime (GCC 12) does not hold its allocator's lock
 * across fork(): a child may deadlock in malloc if another thread held
 * it.  In that build the other threads pause around each fork (and join,
 * never detach, what they create), so only the normal build races the
 * library's own lock with fork().  ThreadSanitizer cannot run threads in
 * the child of a threaded process at all: there the scenario says so.
 */
#if defined(__SANITIZE_ADDRESS__)
#define QUIET_FORK 1
#else
#define QUIET_FORK 0
#endif
static pthread_rwlock_t churn_lock;

static void
churn_begin(void)
{
	if (QUIET_FORK)
		pthread_rwlock_rdlock(&churn_lock);
}

static void
churn_end(void)
{
	if (QUIET_FORK)
		pthread_rwlock_unlock(&churn_lock);
}

/* The number of threads of this process. */
static int
task_count(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * Waits, for at most a second, until every other thread of the process
 * sleeps in the kernel (state S or D in /proc/self/task/TID/stat): none
 * is then inside the sanitizer's allocator, whose lock a child would
 * inherit held.  The rwlock pauses the churners and the adopter between
 * two steps; this covers the rest: threads still starting (the first
 * fork comes right after they were created) and the library's own
 * signal thread.
 */
static void
await_quiet(void)
{
	struct timespec d = sc_deadline_ms(1000);
	char path[64], buf[256], *p;
	struct dirent *e;
	DIR *dir;
	FILE *f;
	int busy, tid;

	do {
		busy = 0;
		if ((dir = opendir("/proc/self/task")) == NULL)
			return;
		while ((e = readdir(dir)) != NULL) {
			if (e->d_name[0] == '.' ||
			    (tid = atoi(e->d_name)) == gettid())
				continue;
			snprintf(path, sizeof path, "/proc/self/task/%d/stat",
			    tid);
			if ((f = fopen(path, "r")) == NULL)
				continue;	/* it has just ended */
			if (fgets(buf, sizeof buf, f) != NULL &&
			    (p = strrchr(buf, ')')) != NULL && p[1] == ' ' &&
			    p[2] != 'S' && p[2] != 'D')
				busy = 1;
			fclose(f);
		}
		closedir(dir);
		if (busy)
			sc_pause();
	} while (busy && !sc_passed(&d));
}

/*
 * LeakSanitizer's hook (unused in other builds): no leak check in a
 * child, where memory that threads of the parent held (on their stacks,
 * between two steps) is unreachable without being leaked.
 */
int __lsan_is_turned_off(void);

int
__lsan_is_turned_off(void)
{
	return parent_pid != 0 && getpid() != parent_pid;
}

static void
report(char c)
{
	if (getpid() != parent_pid && report_fd >= 0)
		(void)write(report_fd, &c, 1);
}

static void
hook_mark(void *arg)
{
	if (getpid() != parent_pid)
		report('H');
	else
		say("hook %s\n", (const char *)arg);
}

static void
terminate_mark(exeunt_thread_t *t, void *arg)
{
	(void)t;
	report(*(const char *)arg);
}

static void
child_problem(const char *what, long got, long want)
{
	say("child %d: %s %ld, want %ld\n", (int)getpid(), what, got, want);
	problems++;
}

static int
visit_count(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(*(int *)arg)++;
	return 0;
}

static void *
child_worker(void *arg)
{
	(void)arg;
	exeunt_wait_stop(NULL);
	return NULL;
}

static void *
child_stuck(void *arg)
{
	(void)arg;
	sc_forever();
	return NULL;
}

/* Runs in the child, in the thread that forked; never returns. */
static void
in_child(exeunt_thread_t *self, unsigned long long seq, int fd)
{
	exeunt_attr_t a;
	exeunt_thread_t *w;
	size_t want = forker_registered ? 1 : 0;
	int visited = 0, rc;

	if (exeunt_count() != want)
		child_problem("count", (long)exeunt_count(), (long)want);
	exeunt_foreach(visit_count, &visited);
	if ((size_t)visited != want)
		child_problem("foreach visited", visited, (long)want);
	if (exeunt_thread_self() != self)
		child_problem("self is the same handle", 0, 1);
	if (self != NULL && exeunt_thread_seq(self) != seq)
		child_problem("seq", (long)exeunt_thread_seq(self), (long)seq);
	if (exeunt_phase() != EXEUNT_RUNNING)
		child_problem("phase", exeunt_phase(), EXEUNT_RUNNING);
	if (exeunt_stop_requested() != 0)
		child_problem("stop_requested", exeunt_stop_requested(), 0);
	if (exeunt_stop_fd() != fd)
		child_problem("stop fd", exeunt_stop_fd(), fd);
	if (fd_is_readable(fd))
		child_problem("stop fd readable", 1, 0);
	if (strncmp(mode, "shutdown", 8) != 0) {
		rc = exeunt_thread_join(sleeper, NULL);
		if (rc != ESRCH)
			child_problem("join of a parent-only thread", rc, ESRCH);
		rc = exeunt_thread_detach(sleeper);
		if (rc != 0)
			child_problem("detach of a parent-only thread", rc, 0);
	}
	exeunt_attr_init(&a);
	exeunt_attr_setdaemon(&a, 0);
	exeunt_attr_setterminate(&a, terminate_mark, "W");
	rc = exeunt_thread_create(&w, &a,
	    strcmp(mode, "deadline") == 0 ? child_stuck : child_worker, NULL);
	exeunt_attr_destroy(&a);
	if (rc != 0)
		child_problem("create", rc, 0);
	else
		exeunt_thread_detach(w);
	if (strcmp(mode, "signal") == 0) {
		/* The child's own signal thread runs the shutdown; this
		 * thread is waited for, so it finishes once told to stop. */
		kill(getpid(), SIGTERM);
		exeunt_wait_stop(NULL);
		pthread_exit(NULL);
	}
	exit(problems == 0 ? CHILD_OK : CHILD_OK + 1);
}

/*
 * Waits for child pid, for half the scenario's deadline (so that the
 * scenario can say which child hung before the test kills it); 0 if it
 * did not end (it is killed then).
 */
static int
reap(pid_t pid, int *status)
{
	return sc_reap(pid, SC_DEADLINE_MS / 2, status);
}

/* Forks n children from the calling thread; 1 if all were right. */
static int
fork_loop(int n)
{
	exeunt_thread_t *self = exeunt_thread_self();
	unsigned long long seq = exeunt_thread_seq(self);
	const char *want;
	char got[8];
	int fd = exeunt_stop_fd(), p[2], status, i;
	ssize_t len;
	pid_t pid;

	if (strcmp(mode, "deadline") == 0)
		want = forker_registered ? "WT" : "W";
	else
		want = forker_registered ? "WTH" : "WH";
	for (i = 0; i < n; i++) {
		if (pipe(p) != 0)
			return 0;
		report_fd = p[1];
		if (QUIET_FORK) {
			pthread_rwlock_wrlock(&churn_lock);
			await_quiet();
		}
		pid = fork();
		if (QUIET_FORK && pid != 0)
			pthread_rwlock_unlock(&churn_lock);
		if (pid < 0) {
			say("fork: %s\n", strerror(errno));
			return 0;
		}
		if (pid == 0) {
			close(p[0]);
			in_child(self, seq, fd);
		}
		close(p[1]);
		if (!reap(pid, &status)) {
			say("child %d hung\n", i);
			return 0;
		}
		len = read(p[0], got, sizeof got - 1);
		close(p[0]);
		got[len > 0 ? len : 0] = '\0';
		if (strcmp(mode, "signal") == 0 ? !(WIFSIGNALED(status) &&
		    WTERMSIG(status) == SIGTERM) : strcmp(mode, "deadline") == 0 ?
		    !(WIFEXITED(status) && WEXITSTATUS(status) == 124) :
		    !(WIFEXITED(status) && WEXITSTATUS(status) == CHILD_OK)) {
			say("child %d: wait status %#x\n", i, status);
			return 0;
		}
		if (strcmp(got, want) != 0) {
			say("child %d ran \"%s\", want \"%s\"\n", i, got, want);
			return 0;
		}
		if (fd_is_readable(fd) && exeunt_phase() == EXEUNT_RUNNING) {
			say("child %d made the parent's stop fd readable\n", i);
			return 0;
		}
	}
	return 1;
}

static void *
churn_child(void *arg)
{
	return arg;
}

/* Creates and finishes threads, named or not, until told to stop. */
static void *
churner(void *arg)
{
	exeunt_attr_t a;
	exeunt_thread_t *t;
	unsigned i;

	(void)arg;
	for (i = 0; !exeunt_stop_requested(); i++) {
		churn_begin();
		exeunt_attr_init(&a);
		if (i % 2 == 0)
			exeunt_attr_setname(&a, "churn");
		exeunt_attr_setdaemon(&a, i % 3 == 0);
		if (i % 5 == 0)
			exeunt_attr_setterminate(&a, terminate_mark, "X");
		if (exeunt_thread_create(&t, &a, churn_child, NULL) == 0) {
			if (i % 4 == 0 && !QUIET_FORK)
				exeunt_thread_detach(t);
			else
				exeunt_thread_join(t, NULL);
		}
		exeunt_attr_destroy(&a);
		churn_end();
	}
	return NULL;
}

/* Adopts itself and releases, until the shutdown refuses. */
static void *
adopter(void *arg)
{
	(void)arg;
	for (;;) {
		churn_begin();
		if (exeunt_thread_adopt(NULL) != 0) {
			churn_end();
			return NULL;
		}
		exeunt_thread_release();
		churn_end();
	}
}

static void *
forker(void *arg)
{
	int n = *(int *)arg;

	if (strncmp(mode, "shutdown", 8) == 0) {
		/* Told to stop: fork while the parent's join waits for us. */
		struct timespec d = sc_deadline();

		work_until_stopped();
		if (!await_phase(EXEUNT_JOINING, "forker"))
			return NULL;
		/* Quiet: only main (in the shutdown) and this thread left. */
		while (QUIET_FORK && task_count() > 2 && !sc_passed(&d))
			sc_pause();
	}
	if (fork_loop(n))
		say("forked %d children: all ok\n", n);
	/* The parent's own exit needs no deadline. */
	if (strcmp(mode, "deadline") == 0)
		exeunt_set_timeout(NULL, EXEUNT_OVERRUN_WAIT);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct timespec limit = { 0, 100 * 1000000L };
	exeunt_thread_t *f = NULL;
	pthread_t raw, adopter_th;
	pthread_rwlockattr_t ra;
	int n = 100, i;

#if defined(__SANITIZE_THREAD__)
	say("not under ThreadSanitizer\n");
	return 0;
#endif
	pthread_rwlockattr_init(&ra);
	/* Writers first, so that the forker is not starved (glibc's). */
#ifdef HAVE_PTHREAD_RWLOCKATTR_SETKIND_NP
	pthread_rwlockattr_setkind_np(&ra,
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
	pthread_rwlock_init(&churn_lock, &ra);
	pthread_rwlockattr_destroy(&ra);
	mode = argc > 1 ? argv[1] : "registered";
	parent_pid = getpid();
	forker_registered = strcmp(mode, "unregistered") != 0;
	if (strcmp(mode, "signal") == 0) {
		n = 5;
		if (exeunt_trap_signal(SIGTERM) != 0)
			return 100;
	} else if (strcmp(mode, "deadline") == 0) {
		n = 3;
		if (exeunt_set_timeout(&limit, EXEUNT_OVERRUN_EXIT) != 0)
			return 100;
	} else if (strncmp(mode, "shutdown", 8) == 0) {
		n = 20;
	}
	exeunt_atexit(hook_mark, "parent");
	sleeper = sc_create(0, NULL, NULL, child_worker, NULL);
	if (strncmp(mode, "shutdown", 8) == 0)
		exeunt_thread_detach(sleeper);
	for (i = 0; i < CHURNERS; i++)
		sc_start_named("churner", 0, NULL, NULL, churner, NULL);
	if (pthread_create(&adopter_th, NULL, adopter, NULL) != 0)
		return 100;
	if (strcmp(mode, "shutdown") == 0) {
		sc_start_named("forker", 0, terminate_mark, "T", forker, &n);
		say("main exits\n");
		exit(0);
	}
	if (strcmp(mode, "shutdown-call") == 0) {
		sc_start_named("forker", 0, terminate_mark, "T", forker, &n);
		say("main calls exeunt_shutdown\n");
		say("exeunt_shutdown: %s\n", errname(exeunt_shutdown()));
		exit(0);
	}
	if (forker_registered) {
		f = sc_create_named("forker", 0, terminate_mark, "T", forker,
		    &n);
		exeunt_thread_join(f, NULL);
	} else {
		if (pthread_create(&raw, NULL, forker, &n) != 0)
			return 100;
		pthread_join(raw, NULL);
	}
	exeunt_thread_detach(sleeper);
	say("main exits\n");
	exit(0);
}
