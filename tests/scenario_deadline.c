/*
 * Shutdown deadlines: a thread that ignores its stop request, or a
 * terminate callback that never returns, and what each overrun action
 * does about it.  The test checks the report on stderr.
 *
 * argv[1]: the action passed to exeunt_set_timeout(): wait, proceed,
 *          exit or abort; "env" to call nothing (EXEUNT_TIMEOUT and
 *          EXEUNT_ON_TIMEOUT decide); "none" for no deadline at all.
 * argv[2]: the deadline in milliseconds; negative: none (NULL).
 * argv[3]: the shape:
 *   stuck     seq 1 "stuck": non-daemon, its callback returns, the thread
 *             goes on reading stdin (a line from the test releases it);
 *             seq 2 "idle": daemon, no callback, never ends;
 *             main exits with 3.
 *   finishing seq 1 "worker": non-daemon, ends once told to stop.
 *   blocker   seq 1 "worker": non-daemon, ends once told to stop;
 *             seq 2 "blocker": non-daemon, its callback never returns and
 *             the thread never ends; seq 3 "late": daemon, never ends;
 *             main exits with 3.
 *   blocker-return  the same, but main returns 3.
 *   blocker-hookexit  the same as blocker, and a hook registered before
 *             hook 1, which the watchdog runs, calls exit(7).
 *   blocker-shutdown  the same, but main calls exeunt_shutdown() and a
 *             plain thread calls it too once the callback blocks, then
 *             exit(5).
 * The first line gives the threads' kernel ids, for the report.  Text
 * left in stdio's buffer shows whether exit flushed it.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_flag blocked = SC_FLAG_INIT;
static struct sc_flag never = SC_FLAG_INIT;

#define MAX_TIDS 3
static struct {
	struct sc_flag ready;
	pid_t tid;
} tids[MAX_TIDS] = {
	{ SC_FLAG_INIT, 0 }, { SC_FLAG_INIT, 0 }, { SC_FLAG_INIT, 0 }
};

static void
ready(int i)
{
	tids[i].tid = gettid();
	flag_set(&tids[i].ready);
}

/* Registered before the first exeunt call: runs after the coordinator. */
static void
atexit_before(void)
{
	say("atexit before\n");
}

static void
hook_exit(void *arg)
{
	(void)arg;
	say("hook calls exit(7)\n");
	exit(7);
}

static void *
stuck(void *arg)
{
	char buf[16];
	ssize_t n;

	(void)arg;
	ready(0);
	/* Ignores its stop request: only the test can release it. */
	while ((n = read(STDIN_FILENO, buf, sizeof buf)) < 0 && errno == EINTR)
		continue;
	say("stuck released\n");
	return NULL;
}

static void *
forever(void *arg)
{
	ready((int)(long)arg);
	sc_forever();
	return NULL;
}

static void *
worker(void *arg)
{
	(void)arg;
	ready(0);
	exeunt_wait_stop(NULL);
	return NULL;
}

static void
terminate_block(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	say("blocker callback blocks\n");
	flag_set(&blocked);
	flag_wait(&never);
}

static void *
second_caller(void *arg)
{
	int rc;

	(void)arg;
	flag_wait(&blocked);
	rc = exeunt_shutdown();
	say("second caller: shutdown %s, %s\n", errname(rc),
	    phasename(exeunt_phase()));
	exit(5);
}

static int
action_of(const char *name, enum exeunt_overrun *action)
{
	static const char *const names[] = { "wait", "proceed", "exit",
	    "abort" };
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0) {
			*action = (enum exeunt_overrun)i;
			return 1;
		}
	return 0;
}

int
main(int argc, char **argv)
{
	enum exeunt_overrun action;
	struct timespec limit;
	const char *shape;
	pthread_t second;
	long ms;
	int i, n, rc;

	if (argc < 4)
		return 100;
	ms = strtol(argv[2], NULL, 10);
	shape = argv[3];
	limit.tv_sec = ms / 1000;
	limit.tv_nsec = ms % 1000 * 1000000L;
	atexit(atexit_before);
	if (action_of(argv[1], &action)) {
		rc = exeunt_set_timeout(ms < 0 ? NULL : &limit, action);
		if (rc != 0) {
			say("exeunt_set_timeout: %s\n", errname(rc));
			return 100;
		}
	}
	if (strcmp(shape, "blocker-hookexit") == 0)
		exeunt_atexit(hook_exit, NULL);
	exeunt_atexit(hook_say, "1");
	if (strcmp(shape, "stuck") == 0) {
		sc_start_named("stuck", 0, terminate_say, "stuck", stuck, NULL);
		sc_start_named("idle", 1, NULL, NULL, forever, (void *)1L);
		n = 2;
	} else if (strcmp(shape, "finishing") == 0) {
		sc_start_named("worker", 0, terminate_say, "worker", worker,
		    NULL);
		n = 1;
	} else {
		sc_start_named("worker", 0, terminate_say, "worker", worker,
		    NULL);
		sc_start_named("blocker", 0, terminate_block, NULL, forever,
		    (void *)1L);
		sc_start_named("late", 1, terminate_say, "late", forever,
		    (void *)2L);
		n = 3;
	}
	for (i = 0; i < n; i++)
		flag_wait(&tids[i].ready);
	say("tids %d %d %d\n", (int)tids[0].tid, (int)tids[1].tid,
	    (int)tids[2].tid);
	printf("stdio tail");
	if (strcmp(shape, "blocker-shutdown") == 0) {
		if (pthread_create(&second, NULL, second_caller, NULL) != 0)
			return 100;
		say("main calls exeunt_shutdown\n");
		rc = exeunt_shutdown();
		say("main: exeunt_shutdown returned %s\n", errname(rc));
		sc_forever();
	}
	if (strcmp(shape, "blocker-return") == 0) {
		say("main returns\n");
		return 3;
	}
	say("main exits\n");
	exit(3);
}
