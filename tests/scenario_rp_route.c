/*
 * The report function (exeunt_set_report): which lines reach it, and
 * from which thread.  The function writes each line it gets to stdout as
 * "fnm: <line>" when called in the main thread, "fno: <line>" in another
 * one, and "BAD: ..." if a line has a newline, is longer than 511 bytes
 * or comes with cancellation enabled.  It calls exeunt_count() each time,
 * which would deadlock if it were called under the library lock.
 *
 * argv[1], the mode:
 *   report    exeunt_report() twice, the second line longer than 511
 *             bytes; "main exits".
 *   null      exeunt_report("one"), the function unset (NULL), then
 *             exeunt_report("two"), which goes to stderr.
 *   inner     for the line "exeunt: outer", the function calls
 *             exeunt_set_report() twice (with a function, with NULL),
 *             exeunt_report("inner") and exeunt_count(), and says what
 *             they returned; then exeunt_report("after").
 *   env       one registered thread; exit, whose shutdown reads
 *             EXEUNT_TIMEOUT and EXEUNT_ON_TIMEOUT (set by the test).
 *   trace     as scenario_debug: "w1" and "w2" non-daemon, finishing in
 *             the join phase, "d3" daemon, never finishing, each with a
 *             terminate callback; EXEUNT_DEBUG set by the test.
 *   deadline  a zero deadline with the action proceed; "a", "b", "c",
 *             non-daemon, never finish; a plain thread waits.  When the
 *             function gets the report's first line it lets the plain
 *             thread call exeunt_report("noise") and waits until that
 *             thread sleeps in it, before it returns; a hook waits
 *             until that line was passed.
 * A second argument "stderr" sets no function (for the same lines on
 * stderr).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static pthread_t main_thread;
static const char *mode;

static void
out(const char *tag, const char *line)
{
	char buf[1024];
	int n = snprintf(buf, sizeof buf, "%s: %s\n", tag, line);
	ssize_t w;

	if (n < 0)
		return;
	if ((size_t)n >= sizeof buf)
		n = (int)sizeof buf - 1;
	w = write(STDOUT_FILENO, buf, (size_t)n);
	(void)w;
}

static void
check_line(const char *line)
{
	int old;

	if (strchr(line, '\n') != NULL)
		out("BAD: newline in", line);
	if (strlen(line) > 511)
		out("BAD: longer than 511 bytes", line);
	if (pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old) != 0 ||
	    old != PTHREAD_CANCEL_DISABLE)
		out("BAD: cancellation enabled for", line);
	else
		pthread_setcancelstate(old, NULL);
}

static void
other_fn(const char *line, void *arg)
{
	(void)arg;
	out("BAD: other_fn", line);
}

/* deadline: the plain thread that makes a line during the report. */
static struct sc_flag noise_go = SC_FLAG_INIT;
static struct sc_flag noise_ready = SC_FLAG_INIT;
static atomic_int noise_tid;
static atomic_int noise_calling;
static atomic_int noise_done;

static void *
noise_main(void *arg)
{
	(void)arg;
	atomic_store(&noise_tid, (int)gettid());
	flag_set(&noise_ready);
	flag_wait(&noise_go);
	atomic_store(&noise_calling, 1);
	exeunt_report("noise");
	atomic_store(&noise_done, 1);
	sc_forever();
	return NULL;
}

static void
let_noise_in(void)
{
	struct timespec d = sc_deadline();

	flag_set(&noise_go);
	while (!atomic_load(&noise_calling) && !sc_passed(&d))
		sc_pause();
	if (!await_sleeping((pid_t)atomic_load(&noise_tid)))
		say("BAD: the noise thread never blocked\n");
}

/* A hook: the noise line is passed before the process ends. */
static void
await_noise(void *arg)
{
	struct timespec d = sc_deadline();

	(void)arg;
	while (!atomic_load(&noise_done) && !sc_passed(&d))
		sc_pause();
	if (!atomic_load(&noise_done))
		say("BAD: the noise line was never passed\n");
}

static void
fn(const char *line, void *arg)
{
	int rc1, rc2, rc3;
	size_t count;

	check_line(line);
	/* Takes the library lock: fn must never run under it. */
	(void)exeunt_count();
	out(pthread_equal(pthread_self(), main_thread) ? "fnm" : "fno", line);
	if (arg != (void *)&main_thread)
		out("BAD: wrong arg for", line);
	if (strcmp(mode, "inner") == 0 && strcmp(line, "exeunt: outer") == 0) {
		rc1 = exeunt_set_report(other_fn, NULL);
		rc2 = exeunt_set_report(NULL, NULL);
		rc3 = exeunt_report("inner");
		count = exeunt_count();
		say("in fn: set %s, set NULL %s, report %s, count %zu\n",
		    errname(rc1), errname(rc2), errname(rc3), count);
	}
	if (strcmp(mode, "deadline") == 0 &&
	    strncmp(line, "exeunt: shutdown deadline", 25) == 0)
		let_noise_in();
	/* A function that never returns, as a syslog() whose daemon has
	 * gone may not: the deadline's action must not wait for it. */
	if (strcmp(mode, "stuck") == 0 &&
	    strncmp(line, "exeunt: shutdown deadline", 25) == 0)
		sc_forever();
}

static void *
worker(void *arg)
{
	(void)arg;
	work_until_stopped();
	await_phase(EXEUNT_JOINING, "worker");
	return NULL;
}

static struct sc_flag started = SC_FLAG_INIT;

static void *
daemon_main(void *arg)
{
	(void)arg;
	flag_set(&started);
	sc_forever();
	return NULL;
}

static void
terminate_quiet(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
}

static void *
forever(void *arg)
{
	(void)arg;
	sc_forever();
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct timespec zero = { 0, 0 };
	char big[600];
	pthread_t pt;
	int rc;

	if (argc < 2)
		return 99;
	mode = argv[1];
	main_thread = pthread_self();
	if (argc < 3 || strcmp(argv[2], "stderr") != 0) {
		rc = exeunt_set_report(fn, &main_thread);
		if (rc != 0) {
			say("exeunt_set_report: %s\n", errname(rc));
			return 100;
		}
	}
	if (strcmp(mode, "report") == 0) {
		exeunt_report("hello %d", 42);
		memset(big, 'x', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		exeunt_report("%s", big);
	} else if (strcmp(mode, "null") == 0) {
		exeunt_report("one");
		say("set NULL: %s\n", errname(exeunt_set_report(NULL,
		    &main_thread)));
		exeunt_report("two");
	} else if (strcmp(mode, "inner") == 0) {
		exeunt_report("outer");
		exeunt_report("after");
	} else if (strcmp(mode, "env") == 0) {
		sc_start(0, NULL, NULL, worker, NULL);
	} else if (strcmp(mode, "trace") == 0) {
		exeunt_atexit(hook_say, "1");
		sc_start_named("w1", 0, terminate_quiet, NULL, worker, NULL);
		sc_start_named("w2", 0, terminate_quiet, NULL, worker, NULL);
		sc_start_named("d3", 1, terminate_quiet, NULL, daemon_main,
		    NULL);
		flag_wait(&started);
	} else if (strcmp(mode, "deadline") == 0) {
		if (exeunt_set_timeout(&zero, EXEUNT_OVERRUN_PROCEED) != 0)
			return 101;
		sc_start_named("a", 0, NULL, NULL, forever, NULL);
		sc_start_named("b", 0, NULL, NULL, forever, NULL);
		sc_start_named("c", 0, NULL, NULL, forever, NULL);
		if (pthread_create(&pt, NULL, noise_main, NULL) != 0)
			return 102;
		flag_wait(&noise_ready);
		if (argc < 3)
			exeunt_atexit(await_noise, NULL);
	} else if (strcmp(mode, "stuck") == 0) {
		if (exeunt_set_timeout(&zero, EXEUNT_OVERRUN_EXIT) != 0)
			return 101;
		sc_start_named("a", 0, NULL, NULL, forever, NULL);
	} else {
		return 99;
	}
	say("main exits\n");
	return 0;
}
