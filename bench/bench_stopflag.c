/*
 * bench_stopflag -- what exeunt_stop_requested() costs, and that it takes
 * no lock and makes no system call.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * 1. Cost.  Each round times a loop of calls of exeunt_stop_requested(),
 *    in an unregistered thread and in a registered one, next to the same
 *    loop over a plain atomic load of a flag (inline, and through a call
 *    the compiler cannot inline, as a library call is).  The report gives
 *    medians in ns/call and the ratios.
 *
 * 2. No system call.  A child process installs a seccomp filter that
 *    kills it on any system call other than exit/exit_group, then calls
 *    exeunt_stop_requested() millions of times and exits with a status
 *    that says it saw the expected value.  It is done unregistered,
 *    registered, and registered with a stop requested.  Surviving is the
 *    proof.
 *
 * 3. No lock.  Two registered threads call it at the same time, on the
 *    two cores; with a shared lock each call would bounce the lock's
 *    cache line between the cores (shown next to it: a shared mutex
 *    locked and unlocked by two threads).  The per-call time stays that
 *    of one thread alone, and the threads are never switched out
 *    (getrusage: voluntary context switches).
 *
 * Usage: bench_stopflag [rounds [calls-per-loop]]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* RUSAGE_THREAD */
#endif
#include <exeunt.h>

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static atomic_int flag;
static unsigned long calls = 20000000;

static __attribute__((noinline)) int
flag_get(void)
{
	return atomic_load_explicit(&flag, memory_order_acquire);
}

/* Read through a volatile pointer, so the call cannot be inlined. */
static int (*volatile flag_fn)(void) = flag_get;

static double
loop_inline(void)
{
	unsigned long i, sum = 0;
	uint64_t t0 = bench_now();

	for (i = 0; i < calls; i++)
		sum += (unsigned)atomic_load_explicit(&flag,
		    memory_order_acquire);
	if (sum != 0)
		abort();
	return (double)(bench_now() - t0) / (double)calls;
}

static double
loop_call(void)
{
	int (*fn)(void) = flag_fn;
	unsigned long i, sum = 0;
	uint64_t t0 = bench_now();

	for (i = 0; i < calls; i++)
		sum += (unsigned)fn();
	if (sum != 0)
		abort();
	return (double)(bench_now() - t0) / (double)calls;
}

static double
loop_exeunt(void)
{
	unsigned long i, sum = 0;
	uint64_t t0 = bench_now();

	for (i = 0; i < calls; i++)
		sum += (unsigned)exeunt_stop_requested();
	if (sum != 0)
		abort();
	return (double)(bench_now() - t0) / (double)calls;
}

/* ---- 2. no system call: a seccomp filter that allows only exit ------- */

enum { UNREGISTERED, REGISTERED, STOPPED };

static void
child_check(int mode)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(insns) / sizeof(insns[0]),
		.filter = insns,
	};
	unsigned long i, sum = 0, want;

	if (mode != UNREGISTERED && exeunt_thread_adopt(NULL) != 0)
		syscall(SYS_exit_group, 10);
	if (mode == STOPPED &&
	    exeunt_thread_request_stop(exeunt_thread_self()) != 0)
		syscall(SYS_exit_group, 11);
	want = mode == STOPPED ? calls : 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
		syscall(SYS_exit_group, 12);

	/* From here on, any system call but exit kills the process. */
	for (i = 0; i < calls; i++)
		sum += (unsigned)exeunt_stop_requested();
	syscall(SYS_exit_group, sum == want ? 0 : 13);
}

static int
syscall_check(int mode)
{
	static const char *const what[] = {
		"unregistered thread", "registered thread",
		"registered thread, stop requested",
	};
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return -1;
	}
	if (pid == 0)
		child_check(mode);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("  %lu calls, %s: no system call (ran under a seccomp"
		    " filter that allows only exit)\n", calls, what[mode]);
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 12) {
		printf("  %s: seccomp not available here, not checked\n",
		    what[mode]);
		return 0;
	}
	if (WIFSIGNALED(status))
		printf("  %s: KILLED by signal %d: a system call was made\n",
		    what[mode], WTERMSIG(status));
	else
		printf("  %s: FAILED (exit status %d)\n", what[mode],
		    WEXITSTATUS(status));
	return -1;
}

/* ---- 3. two threads at once ------------------------------------------ */

static pthread_barrier_t go;
static pthread_mutex_t shared = PTHREAD_MUTEX_INITIALIZER;

struct par {
	int use_mutex;
	double ns;
	long vcsw;
};

static void *
par_thread(void *arg)
{
	struct par *p = arg;
	struct rusage r0, r1;
	unsigned long i, sum = 0;
	uint64_t t0;

	pthread_barrier_wait(&go);
	getrusage(RUSAGE_THREAD, &r0);
	t0 = bench_now();
	if (p->use_mutex) {
		for (i = 0; i < calls / 4; i++) {
			pthread_mutex_lock(&shared);
			sum += (unsigned)atomic_load_explicit(&flag,
			    memory_order_relaxed);
			pthread_mutex_unlock(&shared);
		}
		p->ns = (double)(bench_now() - t0) / (double)(calls / 4);
	} else {
		for (i = 0; i < calls; i++)
			sum += (unsigned)exeunt_stop_requested();
		p->ns = (double)(bench_now() - t0) / (double)calls;
	}
	getrusage(RUSAGE_THREAD, &r1);
	p->vcsw = r1.ru_nvcsw - r0.ru_nvcsw;
	return (void *)(size_t)sum;
}

/* Runs nthreads registered threads at once; the mean ns/call per thread. */
static double
parallel(unsigned nthreads, int use_mutex, long *vcsw)
{
	exeunt_thread_t *t[2];
	struct par p[2];
	unsigned i;
	double ns = 0;

	pthread_barrier_init(&go, NULL, nthreads);
	for (i = 0; i < nthreads; i++) {
		p[i].use_mutex = use_mutex;
		if (exeunt_thread_create(&t[i], NULL, par_thread, &p[i]) != 0)
			abort();
	}
	*vcsw = 0;
	for (i = 0; i < nthreads; i++) {
		exeunt_thread_join(t[i], NULL);
		ns += p[i].ns;
		*vcsw += p[i].vcsw;
	}
	pthread_barrier_destroy(&go);
	return ns / nthreads;
}

int
main(int argc, char **argv)
{
	unsigned rounds = 21, r;
	double *in, *call, *unreg, *reg, *p1, *p2, *m1, *m2;
	double min, mcall, munreg, mreg;
	long vcsw, vcsw_total = 0;
	int failed = 0;

	if (argc > 1)
		rounds = (unsigned)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		calls = strtoul(argv[2], NULL, 10);
	if (rounds == 0 || calls < 4) {
		fprintf(stderr, "usage: bench_stopflag [rounds [calls]]\n");
		return EXIT_FAILURE;
	}

	/* Forked first, while this process has a single thread. */
	printf("exeunt_stop_requested(): system calls\n");
	for (r = UNREGISTERED; r <= STOPPED; r++)
		failed |= syscall_check((int)r) != 0;

	in = calloc(2 * (size_t)rounds, sizeof(double));
	call = calloc(rounds, sizeof(double));
	unreg = calloc(rounds, sizeof(double));
	reg = calloc(rounds, sizeof(double));
	p1 = calloc(rounds, sizeof(double));
	p2 = calloc(rounds, sizeof(double));
	m1 = calloc(rounds, sizeof(double));
	m2 = calloc(rounds, sizeof(double));
	if (!in || !call || !unreg || !reg || !p1 || !p2 || !m1 || !m2)
		return EXIT_FAILURE;

	/* 1. cost, side by side; this thread is unregistered at first. */
	loop_inline();
	loop_exeunt();
	for (r = 0; r < rounds; r++) {
		in[r] = loop_inline();
		unreg[r] = loop_exeunt();
		call[r] = loop_call();
	}
	if (exeunt_thread_adopt(NULL) != 0)
		return EXIT_FAILURE;
	for (r = 0; r < rounds; r++) {
		reg[r] = loop_exeunt();
		in[rounds + r] = loop_inline();
	}
	min = bench_median(in, 2 * (size_t)rounds);
	mcall = bench_median(call, rounds);
	munreg = bench_median(unreg, rounds);
	mreg = bench_median(reg, rounds);
	printf("exeunt_stop_requested(): cost, %u rounds of %lu calls"
	    " (medians)\n", rounds, calls);
	printf("  atomic load of a flag, inline           %6.2f ns/call\n",
	    min);
	printf("  atomic load of a flag, in a called function %5.2f"
	    " ns/call\n", mcall);
	printf("  exeunt_stop_requested(), unregistered   %6.2f ns/call"
	    "  ratio %.2f to inline, %.2f to call\n", munreg, munreg / min,
	    munreg / mcall);
	printf("  exeunt_stop_requested(), registered     %6.2f ns/call"
	    "  ratio %.2f to inline, %.2f to call\n", mreg, mreg / min,
	    mreg / mcall);

	/* 3. two threads at once, against one, and against a shared lock. */
	for (r = 0; r < rounds; r++) {
		p1[r] = parallel(1, 0, &vcsw);
		p2[r] = parallel(2, 0, &vcsw);
		vcsw_total += vcsw;
		m1[r] = parallel(1, 1, &vcsw);
		m2[r] = parallel(2, 1, &vcsw);
	}
	printf("exeunt_stop_requested(): two registered threads at once"
	    " (medians)\n");
	printf("  1 thread  %6.2f ns/call; 2 threads %6.2f ns/call each:"
	    " ratio %.2f\n", bench_median(p1, rounds), bench_median(p2, rounds),
	    bench_median(p2, rounds) / bench_median(p1, rounds));
	printf("  voluntary context switches in the 2-thread loops: %ld\n",
	    vcsw_total);
	printf("  for scale, a shared mutex lock+unlock: 1 thread %.2f ns,"
	    " 2 threads %.2f ns each: ratio %.2f\n", bench_median(m1, rounds),
	    bench_median(m2, rounds),
	    bench_median(m2, rounds) / bench_median(m1, rounds));

	free(in);
	free(call);
	free(unreg);
	free(reg);
	free(p1);
	free(p2);
	free(m1);
	free(m2);
	/* The adopted main thread is the coordinator: exit excludes it. */
	return failed ? EXIT_FAILURE : 0;
}
