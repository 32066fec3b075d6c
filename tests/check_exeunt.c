/*
 * check_exeunt: the Check runner of the exeunt test suite, and the helpers
 * that tests.h declares.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * The runner itself never calls the library: every test runs in a forked
 * child, and state the parent registered (the coordinator above all)
 * would be inherited by every child.
 */
#include "tests.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

double
test_scale(void)
{
	const char *s = getenv("CK_TIMEOUT_MULTIPLIER");
	double m;
	char *end;

	if (s == NULL || *s == '\0')
		return 1.0;
	m = strtod(s, &end);
	if (*end != '\0' || m < 1.0)
		return 1.0;
	return m;
}

struct timespec
deadline_in(long ms)
{
	struct timespec ts;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns = (long long)((double)ms * test_scale() * 1e6);
	ts.tv_sec += (time_t)(ns / 1000000000LL);
	ts.tv_nsec += (long)(ns % 1000000000LL);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

int
deadline_passed(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	    (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

void
poll_pause(void)
{
	struct timespec ms = { 0, 1000000L };

	nanosleep(&ms, NULL);
}

double
elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

void
gate_init(struct gate *g)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&g->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cv, &ca);
	pthread_condattr_destroy(&ca);
	g->open = 0;
}

void
gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->mu);
	g->open = 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

void
gate_wait(struct gate *g)
{
	pthread_mutex_lock(&g->mu);
	while (!g->open)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
}

int
gate_wait_ms(struct gate *g, long ms)
{
	struct timespec deadline = deadline_in(ms);
	int rc = 0;

	pthread_mutex_lock(&g->mu);
	while (!g->open && rc == 0)
		rc = pthread_cond_timedwait(&g->cv, &g->mu, &deadline);
	rc = g->open ? 0 : ETIMEDOUT;
	pthread_mutex_unlock(&g->mu);
	return rc;
}

int
gate_is_open(struct gate *g)
{
	int open;

	pthread_mutex_lock(&g->mu);
	open = g->open;
	pthread_mutex_unlock(&g->mu);
	return open;
}

pid_t
test_gettid(void)
{
	return gettid();
}

/* The state letter of a thread of this process, or 0 if it is gone. */
char
thread_state(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may hold anything: the state follows the last ')'. */
	p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ')
		return 0;
	return p[2];
}

int
wait_until_sleeping(pid_t tid)
{
	struct timespec deadline = deadline_in(POLL_DEADLINE_MS);

	while (thread_state(tid) != 'S') {
		if (deadline_passed(&deadline))
			return 0;
		poll_pause();
	}
	return 1;
}

int
wait_count(size_t n)
{
	struct timespec deadline = deadline_in(POLL_DEADLINE_MS);

	while (exeunt_count() != n) {
		if (deadline_passed(&deadline))
			return 0;
		poll_pause();
	}
	return 1;
}

int
wait_phase(enum exeunt_phase p)
{
	struct timespec deadline = deadline_in(POLL_DEADLINE_MS);

	while (exeunt_phase() != p) {
		if (deadline_passed(&deadline))
			return 0;
		poll_pause();
	}
	return 1;
}

pthread_t
start_raw(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	int rc;

	rc = pthread_create(&t, NULL, fn, arg);
	ck_assert_msg(rc == 0, "pthread_create: %s", strerror(rc));
	return t;
}

void *
join_raw(pthread_t t)
{
	void *ret = NULL;
	int rc;

	rc = pthread_join(t, &ret);
	ck_assert_msg(rc == 0, "pthread_join: %s", strerror(rc));
	return ret;
}

void
os_name(pthread_t t, char *buf, size_t len)
{
	int rc;

	rc = pthread_getname_np(t, buf, len);
	if (rc != 0)
		snprintf(buf, len, "<error %d>", rc);
}

void *
start_wait_stop(void *arg)
{
	exeunt_wait_stop(NULL);
	return arg;
}

void *
start_return_arg(void *arg)
{
	return arg;
}

void *
start_wait_gate(void *arg)
{
	gate_wait(arg);
	return arg;
}

exeunt_thread_t *
create_or_fail(const exeunt_attr_t *attr, void *(*start)(void *), void *arg)
{
	exeunt_thread_t *t = NULL;
	int rc;

	rc = exeunt_thread_create(&t, attr, start, arg);
	ck_assert_msg(rc == 0, "exeunt_thread_create: %s", strerror(rc));
	ck_assert_ptr_nonnull(t);
	return t;
}

void *
join_or_fail(exeunt_thread_t *t)
{
	void *ret = NULL;
	int rc;

	rc = exeunt_thread_join(t, &ret);
	ck_assert_msg(rc == 0, "exeunt_thread_join: %s", strerror(rc));
	return ret;
}

/*
 * Under the automake harness stdout goes to check_exeunt.log; fd 9 is the
 * terminal (AM_TESTS_FD_REDIRECT), where Check's summary is printed too.
 */
static void
print_summary_to_fd9(SRunner *sr)
{
	int saved;

	if (fcntl(9, F_GETFD) == -1)
		return;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (saved < 0 || dup2(9, STDOUT_FILENO) < 0)
		return;
	srunner_print(sr, CK_NORMAL);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
}

int
main(void)
{
	SRunner *sr;
	int failed, run;

	sr = srunner_create(make_attr_suite());
	srunner_add_suite(sr, make_thread_suite());
	srunner_add_suite(sr, make_stop_suite());
	srunner_add_suite(sr, make_registry_suite());
	srunner_add_suite(sr, make_exit_suite());
	srunner_add_suite(sr, make_robust_suite());
	srunner_add_suite(sr, make_deadline_suite());
	srunner_add_suite(sr, make_signal_suite());
	srunner_add_suite(sr, make_dump_suite());
	srunner_add_suite(sr, make_pool_suite());
	srunner_add_suite(sr, make_hostile_suite());
	srunner_add_suite(sr, make_finish_suite());
	srunner_add_suite(sr, make_contract_suite());
	srunner_add_suite(sr, make_exitpath_suite());
	srunner_add_suite(sr, make_stages_suite());
	srunner_add_suite(sr, make_waits_suite());
	srunner_add_suite(sr, make_destroy_suite());
	srunner_add_suite(sr, make_cxx_suite());
	srunner_add_suite(sr, make_notify_suite());
	srunner_add_suite(sr, make_report_suite());
	srunner_add_suite(sr, make_observe_suite());
	srunner_add_suite(sr, make_stacks_suite());

	/*
	 * The exit-time tests need a process per test: with CK_FORK=no the
	 * first test's coordinator state would leak into every other test.
	 */
	if (srunner_fork_status(sr) != CK_FORK) {
		fprintf(stderr, "check_exeunt: needs Check's fork mode; "
		    "unset CK_FORK or set CK_FORK=yes\n");
		srunner_free(sr);
		return 99;
	}

	srunner_run_all(sr, CK_ENV);
	print_summary_to_fd9(sr);
	failed = srunner_ntests_failed(sr);
	run = srunner_ntests_run(sr);
	srunner_free(sr);
	if (run == 0) {
		fprintf(stderr, "check_exeunt: no test ran\n");
		return 99;
	}
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
