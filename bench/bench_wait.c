/*
 * bench_wait -- what the stop-aware wait and a stop callback cost.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * 1. exeunt_cond_wait() against pthread_cond_wait().  Two threads pass a
 *    turn back and forth through one mutex and a condition variable
 *    each: each waits for its turn, hands the turn over, signals the
 *    other.  A round trip is two waits and two wake-ups.  Each round
 *    times a batch of round trips of each variant, in an order that
 *    rotates from round to round:
 *
 *      pthread     two registered threads, pthread_cond_wait();
 *      exeunt      the same two threads' code with exeunt_cond_wait();
 *      unreg       exeunt_cond_wait() in two plain (unregistered)
 *                  threads, which wait for the process-wide stop.
 *
 *    The report gives the median ns per round trip and the ratio
 *    exeunt/pthread.  Target: <= 1.1.
 *
 * 2. exeunt_stop_callback_push() + exeunt_stop_callback_pop(), the pair
 *    that a thread puts around a blocking call, next to an empty loop
 *    of the same length; in a registered thread (the main thread,
 *    adopted for that loop and released after it) and in an
 *    unregistered one.  Medians in ns per pair, with the empty loop's
 *    time per iteration taken off.  Target: < 20 ns in a registered
 *    thread.  For reference, the floor of a list guarded by a spin lock:
 *    a loop that takes and releases an uncontended spin lock twice per
 *    iteration (an atomic exchange and a store each time), as a push and
 *    a pop that link and unlink under a lock must.
 *
 * Usage: bench_wait [rounds [round-trips [pairs]]]
 *        (default 31 rounds, 20000 round trips, 2000000 pairs)
 */
#include <exeunt.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define TARGET_RATIO	1.1
#define TARGET_PAIR_NS	20.0

typedef int wait_fn(pthread_cond_t *, pthread_mutex_t *);

enum { PTHREAD, EXEUNT, UNREG, NVARIANTS };

static const char *const variant_name[NVARIANTS] = {
	"pthread_cond_wait, registered threads",
	"exeunt_cond_wait, registered threads",
	"exeunt_cond_wait, unregistered threads",
};

static void
die(const char *what, int rc)
{
	fprintf(stderr, "bench_wait: %s: %s\n", what, strerror(rc));
	exit(EXIT_FAILURE);
}

/* ---- 1. ping-pong ----------------------------------------------------- */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond[2];
	pthread_barrier_t start;
	int turn;
	unsigned trips;
	wait_fn *wait;
	uint64_t t0, t1;
} pp = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = { PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER },
};

/* Player k waits for turn k, then gives the turn to the other one. */
static void *
player(void *arg)
{
	int k = (int)(size_t)arg, rc;
	unsigned i;

	pthread_barrier_wait(&pp.start);
	if (k == 0)
		pp.t0 = bench_now();
	for (i = 0; i < pp.trips; i++) {
		pthread_mutex_lock(&pp.lock);
		while (pp.turn != k)
			if ((rc = pp.wait(&pp.cond[k], &pp.lock)) != 0)
				die("wait", rc);
		pp.turn = !k;
		pthread_cond_signal(&pp.cond[!k]);
		pthread_mutex_unlock(&pp.lock);
	}
	if (k == 0)
		pp.t1 = bench_now();
	return NULL;
}

/* One batch of round trips; ns per round trip. */
static double
pingpong(int variant)
{
	exeunt_thread_t *et[2];
	pthread_t pt[2];
	size_t k;
	int rc;

	pp.turn = 0;
	pp.wait = variant == PTHREAD ? pthread_cond_wait : exeunt_cond_wait;
	for (k = 0; k < 2; k++) {
		if (variant == UNREG)
			rc = pthread_create(&pt[k], NULL, player, (void *)k);
		else
			rc = exeunt_thread_create(&et[k], NULL, player,
			    (void *)k);
		if (rc != 0)
			die("thread create", rc);
	}
	for (k = 0; k < 2; k++)
		if (variant == UNREG)
			pthread_join(pt[k], NULL);
		else
			exeunt_thread_join(et[k], NULL);
	return (double)(pp.t1 - pp.t0) / pp.trips;
}

/* ---- 2. push + pop ---------------------------------------------------- */

static unsigned long pairs;

static void
never(void *arg)
{
	(void)arg;
	abort();		/* no stop is requested here */
}

static double
loop_pairs(void)
{
	exeunt_stop_callback_t cb;
	unsigned long i;
	uint64_t t0;
	int rc;

	t0 = bench_now();
	for (i = 0; i < pairs; i++) {
		if ((rc = exeunt_stop_callback_push(&cb, never, NULL)) != 0)
			die("exeunt_stop_callback_push", rc);
		if ((rc = exeunt_stop_callback_pop(&cb)) != 0)
			die("exeunt_stop_callback_pop", rc);
	}
	return (double)(bench_now() - t0) / (double)pairs;
}

static atomic_int spin;

static double
loop_spin(void)
{
	unsigned long i;
	uint64_t t0;
	int k;

	t0 = bench_now();
	for (i = 0; i < pairs; i++)
		for (k = 0; k < 2; k++) {
			while (atomic_exchange_explicit(&spin, 1,
			    memory_order_acquire))
				;
			atomic_store_explicit(&spin, 0, memory_order_release);
		}
	return (double)(bench_now() - t0) / (double)pairs;
}

static double
loop_empty(void)
{
	unsigned long i;
	uint64_t t0;

	t0 = bench_now();
	for (i = 0; i < pairs; i++)
		__asm__ __volatile__("" ::: "memory");
	return (double)(bench_now() - t0) / (double)pairs;
}

int
main(int argc, char **argv)
{
	double *t[NVARIANTS], *reg, *unreg, *empty, *spins, med[NVARIANTS];
	double mreg, munreg, mempty, mspin, ratio, net;
	unsigned rounds = 31, r, v, w;
	int rc;

	pp.trips = 20000;
	pairs = 2000000;
	if (argc > 1)
		rounds = (unsigned)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		pp.trips = (unsigned)strtoul(argv[2], NULL, 10);
	if (argc > 3)
		pairs = strtoul(argv[3], NULL, 10);
	if (rounds == 0 || pp.trips == 0 || pairs == 0) {
		fprintf(stderr, "usage: bench_wait [rounds [round-trips"
		    " [pairs]]]\n");
		return EXIT_FAILURE;
	}
	if ((rc = pthread_barrier_init(&pp.start, NULL, 2)) != 0)
		die("pthread_barrier_init", rc);
	for (v = 0; v < NVARIANTS; v++)
		if ((t[v] = calloc(rounds, sizeof(double))) == NULL)
			return EXIT_FAILURE;
	if ((reg = calloc(rounds, sizeof(double))) == NULL ||
	    (unreg = calloc(rounds, sizeof(double))) == NULL ||
	    (empty = calloc(rounds, sizeof(double))) == NULL ||
	    (spins = calloc(rounds, sizeof(double))) == NULL)
		return EXIT_FAILURE;

	/* 1. A warm-up batch of each, then rotate who goes first. */
	for (v = 0; v < NVARIANTS; v++)
		pingpong((int)v);
	for (r = 0; r < rounds; r++)
		for (v = 0; v < NVARIANTS; v++) {
			w = (r + v) % NVARIANTS;
			t[w][r] = pingpong((int)w);
		}
	for (v = 0; v < NVARIANTS; v++)
		med[v] = bench_median(t[v], rounds);
	ratio = med[EXEUNT] / med[PTHREAD];
	printf("condition variable ping-pong, 2 threads: %u rounds of %u"
	    " round trips, medians\n", rounds, pp.trips);
	for (v = 0; v < NVARIANTS; v++)
		printf("  %-40s %9.0f ns/round trip  %6.3f\n", variant_name[v],
		    med[v], med[v] / med[PTHREAD]);
	printf("  ratio exeunt/pthread: %.3f (target <= %.1f: %s)\n", ratio,
	    TARGET_RATIO, ratio <= TARGET_RATIO ? "met" : "NOT MET");

	/* 2. The order alternates; the main thread is unregistered here. */
	loop_pairs();
	for (r = 0; r < rounds; r++) {
		if (r % 2)
			unreg[r] = loop_pairs();
		empty[r] = loop_empty();
		spins[r] = loop_spin();
		if ((rc = exeunt_thread_adopt(NULL)) != 0)
			die("exeunt_thread_adopt", rc);
		reg[r] = loop_pairs();
		if ((rc = exeunt_thread_release()) != 0)
			die("exeunt_thread_release", rc);
		if (r % 2 == 0)
			unreg[r] = loop_pairs();
	}
	mreg = bench_median(reg, rounds);
	munreg = bench_median(unreg, rounds);
	mempty = bench_median(empty, rounds);
	mspin = bench_median(spins, rounds);
	net = mreg - mempty;
	printf("exeunt_stop_callback_push() + pop(): %u rounds of %lu pairs,"
	    " medians\n", rounds, pairs);
	printf("  empty loop                               %6.2f"
	    " ns/iteration\n", mempty);
	printf("  push + pop, registered thread            %6.2f ns/pair"
	    "  (%.2f net)\n", mreg, net);
	printf("  push + pop, unregistered thread          %6.2f ns/pair"
	    "  (%.2f net)\n", munreg, munreg - mempty);
	printf("  for reference: 2 spin lock/unlock pairs  %6.2f ns/iteration"
	    "  (%.2f net)\n", mspin, mspin - mempty);
	printf("  registered, net of the loop: %.2f ns (target < %.0f: %s)\n",
	    net, TARGET_PAIR_NS, net < TARGET_PAIR_NS ? "met" : "NOT MET");

	for (v = 0; v < NVARIANTS; v++)
		free(t[v]);
	free(reg);
	free(unreg);
	free(empty);
	free(spins);
	return 0;
}
