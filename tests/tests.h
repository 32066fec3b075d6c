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

#endif /* EXEUNT_TESTS_H */
