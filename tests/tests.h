/*
 * Shared declarations of the check_exeunt runner and its suites.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Every test runs in its own forked child (Check's CK_FORK mode) that ends
 * with exit(), so the exeunt coordinator runs at the end of every test: a
 * test must leave no non-daemon thread that nothing will stop.  Threads
 * never call ck_assert(); they record what they saw and the test thread
 * asserts.  Waiting is done with gates (mutex and condition variable);
 * the only sleeps are the bounded polls of the deadline helpers below.
 */
#ifndef EXEUNT_TESTS_H
#define EXEUNT_TESTS_H

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "exeunt.h"

/* Per-test timeouts in seconds; Check scales them by CK_TIMEOUT_MULTIPLIER. */
#define UNIT_TIMEOUT 15
#define SCENARIO_TIMEOUT 40

/* Deadline of the bounded polls, in milliseconds before scaling. */
#define POLL_DEADLINE_MS 10000

Suite *make_attr_suite(void);
Suite *make_thread_suite(void);
Suite *make_stop_suite(void);
Suite *make_registry_suite(void);
Suite *make_exit_suite(void);
Suite *make_robust_suite(void);
Suite *make_deadline_suite(void);
Suite *make_signal_suite(void);
Suite *make_dump_suite(void);
Suite *make_pool_suite(void);
Suite *make_hostile_suite(void);
Suite *make_finish_suite(void);
Suite *make_contract_suite(void);
Suite *make_exitpath_suite(void);
Suite *make_stages_suite(void);
Suite *make_waits_suite(void);
Suite *make_destroy_suite(void);
Suite *make_cxx_suite(void);
Suite *make_notify_suite(void);
Suite *make_report_suite(void);
Suite *make_observe_suite(void);
Suite *make_stacks_suite(void);

/* CK_TIMEOUT_MULTIPLIER (at least 1), for the deadlines of the helpers. */
double test_scale(void);

/* An absolute CLOCK_MONOTONIC time ms milliseconds (times test_scale()) from now. */
struct timespec deadline_in(long ms);
int deadline_passed(const struct timespec *deadline);
/* Sleeps one millisecond: only ever called inside a deadline loop. */
void poll_pause(void);
/* Milliseconds elapsed on CLOCK_MONOTONIC since *start. */
double elapsed_ms(const struct timespec *start);

/* A one-shot event: opened once, waited for by any number of threads. */
struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int open;
};
void gate_init(struct gate *g);
void gate_open(struct gate *g);
void gate_wait(struct gate *g);
/* 0 once open, ETIMEDOUT if ms (scaled) pass first. */
int gate_wait_ms(struct gate *g, long ms);
int gate_is_open(struct gate *g);

/* The kernel thread id of the calling thread. */
pid_t test_gettid(void);
/*
 * Polls /proc until thread tid of this process sleeps (state 'S'); 1 if
 * seen before the deadline, else 0.  Used after the thread announced that
 * the only thing left for it to do is the blocking call under test, so a
 * sleeping thread is known to be inside that call.
 */
int wait_until_sleeping(pid_t tid);
/* The state letter of thread tid of this process ('S': sleeping), or 0
 * if it is gone. */
char thread_state(pid_t tid);
/* Polls exeunt_count() until it equals n; 1 if seen before the deadline. */
int wait_count(size_t n);
/* Polls exeunt_phase() until it equals p; 1 if seen before the deadline. */
int wait_phase(enum exeunt_phase p);

/* pthread_create, or the test fails. */
pthread_t start_raw(void *(*fn)(void *), void *arg);
/* pthread_join, or the test fails; returns the thread's value. */
void *join_raw(pthread_t t);

/* The OS (comm) name of a thread, for comparisons. */
void os_name(pthread_t t, char *buf, size_t len);

/* A start routine that waits for its stop request and returns arg. */
void *start_wait_stop(void *arg);
/* A start routine that returns arg at once. */
void *start_return_arg(void *arg);
/* A start routine that waits for the gate arg and returns arg. */
void *start_wait_gate(void *arg);

/* Creates a thread or fails the test. */
exeunt_thread_t *create_or_fail(const exeunt_attr_t *attr,
    void *(*start)(void *), void *arg);
/* Joins a thread or fails the test; returns its value. */
void *join_or_fail(exeunt_thread_t *t);

/*
 * Scenario children (child.c): a scenario program run as a process that
 * the test can talk to while it runs.  Its environment is ours without
 * any EXEUNT_* variable, plus env (NAME=value entries, NULL-terminated);
 * its standard input is a pipe that stays open until it was reaped.
 */
#define CHILD_OUT_MAX 65536
#define CHILD_STDOUT 1
#define CHILD_STDERR 2
#define CHILD_NO_CORE 1		/* flags: RLIMIT_CORE 0 in the child */

struct child {
	char name[64];
	pid_t pid;
	int in, out, err;
	char out_buf[CHILD_OUT_MAX];
	size_t out_len;
	char err_buf[CHILD_OUT_MAX];
	size_t err_len;
	struct timespec deadline;
	int status;
	int hung;
};

void child_start(struct child *c, const char *prog, const char *const *args,
    const char *const *env, int flags);
/* Reads the child's output until text appears in stream which; 1 if it
 * did, 0 if the child closed it or the deadline passed first. */
int child_await(struct child *c, int which, const char *text);
void child_write(struct child *c, const char *text);
void child_kill(struct child *c, int signo);
/* Reads everything until the child ends, then reaps it. */
void child_finish(struct child *c);
/* child_start() then child_finish(). */
void child_run(struct child *c, const char *prog, const char *const *args,
    const char *const *env, int flags);
/*
 * Some scenario programs are also linked with libexeunt.a: their name
 * plus a suffix (scenarios.am).  Tests that run them loop over these.
 */
#define LINKAGES 2
/* prog's name for linkage (0 or 1), in a static buffer. */
const char *linked(const char *prog, int linkage);
void child_assert_exit(const struct child *c, int status);
void child_assert_signal(const struct child *c, int signo);
void child_assert_out(const struct child *c, const char *want);
/* Nothing was written to stderr. */
void child_assert_quiet(const struct child *c);
/* Splits buf in place at newlines; returns the number of lines. */
int split_lines(char *buf, char **line, int max);

#endif /* EXEUNT_TESTS_H */
