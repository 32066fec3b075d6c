/*
 * bench_pool -- jobs per second through a work pool, for short jobs.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * One producer (the main thread) submits short jobs to a pool of W
 * workers, W = 2 and 4, and the pool is then drained: the time runs from
 * the first submit until every job has run and the workers are joined.
 * Three pools run the same job with the same number of threads:
 *
 *   exeunt   exeunt_pool_create() with an unbounded queue,
 *            exeunt_pool_submit(), then exeunt_pool_shutdown(RUN, NULL);
 *   minimal  a hand-written pool: one mutex, one condition variable, an
 *            unbounded linked list of jobs with a free list of nodes, a
 *            signal per submit; the closing broadcast and pthread_join();
 *   glib     GLib's GThreadPool, g_thread_pool_new(exclusive = TRUE),
 *            g_thread_pool_push(), g_thread_pool_free(pool, FALSE, TRUE)
 *            (only when configure found glib-2.0; otherwise skipped, and
 *            the program says so).
 *
 * The job is about 100 ns of integer arithmetic on its argument; it
 * counts itself and adds its result in a per-thread tally, so that the
 * jobs share no cache line.  After each run the tallies must add up to
 * the number of jobs and to the checksum computed beforehand in one
 * thread: every job ran exactly once, or the program fails.
 *
 * Each round runs every pool once for each W, in an order that rotates
 * from round to round, so that a slow moment of the machine affects all
 * alike.  The report gives, per pool and W, the median throughput in
 * jobs per second, the median context switches per job (getrusage), and
 * the ratios exeunt/minimal and exeunt/glib of the medians.  Targets:
 * exeunt >= 0.9 x minimal and >= glib.
 *
 * Usage: bench_pool [rounds [jobs-per-run [pools]]]   default 31 200000
 * where pools is a comma-separated subset of exeunt,minimal,glib (for
 * profiling one of them alone; the ratios need exeunt and the other).
 */
#include <exeunt.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#ifdef HAVE_GLIB
#include <glib.h>
#endif

#include "bench.h"

#define MAX_THREADS	64
#define WORK_ROUNDS	100	/* multiply-adds per job: about 100 ns */

/* ---- The job ---------------------------------------------------------- */

/* One per worker thread, on its own cache line. */
struct tally {
	_Alignas(64) uint64_t jobs;
	uint64_t sum;
	unsigned gen;
};

static struct tally tallies[MAX_THREADS];
static atomic_uint ntallies;
static atomic_uint generation;		/* of the current run */
static _Thread_local struct tally *my_tally;
static _Thread_local unsigned my_gen;

static inline uint64_t
work(uint64_t x)
{
	unsigned i;

	for (i = 0; i < WORK_ROUNDS; i++)
		x = x * 6364136223846793005u + 1442695040888963407u;
	return x;
}

static void
job(void *arg)
{
	unsigned gen = atomic_load_explicit(&generation,
	    memory_order_relaxed);
	struct tally *t = my_tally;

	/* A thread's first job of the run takes a tally. */
	if (t == NULL || my_gen != gen) {
		unsigned i = atomic_fetch_add(&ntallies, 1);

		if (i >= MAX_THREADS)
			abort();
		t = my_tally = &tallies[i];
		my_gen = gen;
	}
	t->jobs++;
	t->sum += work((uint64_t)(uintptr_t)arg);
}

/* Before a run: clear the tallies.  No worker of an earlier run is left. */
static void
tally_reset(void)
{
	memset(tallies, 0, sizeof(tallies));
	atomic_store(&ntallies, 0);
	atomic_fetch_add(&generation, 1);
}

static unsigned long jobs_per_run = 200000;
static uint64_t expected_sum;

/* After a run: every job ran exactly once. */
static void
tally_check(const char *pool, unsigned workers)
{
	uint64_t jobs = 0, sum = 0;
	unsigned i, n = atomic_load(&ntallies);

	for (i = 0; i < n; i++) {
		jobs += tallies[i].jobs;
		sum += tallies[i].sum;
	}
	if (jobs != jobs_per_run || sum != expected_sum || n > workers) {
		fprintf(stderr, "bench_pool: %s with %u workers: %llu jobs "
		    "ran in %u threads, expected %lu in at most %u; checksum "
		    "%s\n", pool, workers, (unsigned long long)jobs, n,
		    jobs_per_run, workers, sum == expected_sum ? "right" :
		    "WRONG");
		exit(EXIT_FAILURE);
	}
}

/* The argument of job i: never NULL (GThreadPool refuses NULL). */
static inline void *
job_arg(unsigned long i)
{
	return (void *)(uintptr_t)(i + 1);
}

/* ---- The minimal hand-written pool ------------------------------------ */

struct node {
	struct node *next;
	void (*fn)(void *);
	void *arg;
};

struct minipool {
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct node *head, *tail, *spare;
	int closed;
	unsigned n;
	pthread_t threads[MAX_THREADS];
};

static void *
mini_worker(void *arg)
{
	struct minipool *p = arg;
	struct node *nd;
	void (*fn)(void *);
	void *a;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->head == NULL && !p->closed)
			pthread_cond_wait(&p->work, &p->lock);
		if ((nd = p->head) == NULL)
			break;
		if ((p->head = nd->next) == NULL)
			p->tail = NULL;
		fn = nd->fn;
		a = nd->arg;
		nd->next = p->spare;	/* recycle the node at once */
		p->spare = nd;
		pthread_mutex_unlock(&p->lock);
		fn(a);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void
mini_create(struct minipool *p, unsigned n)
{
	unsigned i;

	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	p->n = n;
	for (i = 0; i < n; i++)
		if (pthread_create(&p->threads[i], NULL, mini_worker, p) != 0)
			abort();
}

static int
mini_submit(struct minipool *p, void (*fn)(void *), void *arg)
{
	struct node *nd;

	pthread_mutex_lock(&p->lock);
	if ((nd = p->spare) != NULL) {
		p->spare = nd->next;
	} else if ((nd = malloc(sizeof(*nd))) == NULL) {
		pthread_mutex_unlock(&p->lock);
		return ENOMEM;
	}
	nd->next = NULL;
	nd->fn = fn;
	nd->arg = arg;
	if (p->tail != NULL)
		p->tail->next = nd;
	else
		p->head = nd;
	p->tail = nd;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/* Drain: close, let the workers empty the queue, join them. */
static void
mini_drain(struct minipool *p)
{
	unsigned i;

	pthread_mutex_lock(&p->lock);
	p->closed = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->n; i++)
		pthread_join(p->threads[i], NULL);
}

static void
mini_free(struct minipool *p)
{
	struct node *nd;

	while ((nd = p->spare) != NULL) {
		p->spare = nd->next;
		free(nd);
	}
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
}

/* ---- One run of each pool --------------------------------------------- */

struct sample {
	double rate;		/* jobs per second */
	double csw;		/* context switches per job, whole process */
};

static long
switches(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

static struct sample
finish(uint64_t t0, long c0)
{
	struct sample s;
	uint64_t t1 = bench_now();

	s.rate = (double)jobs_per_run * 1e9 / (double)(t1 - t0);
	s.csw = (double)(switches() - c0) / (double)jobs_per_run;
	return s;
}

static struct sample
run_exeunt(unsigned w)
{
	exeunt_pool_t *pool;
	struct sample s;
	unsigned long i;
	uint64_t t0;
	long c0;
	int rc;

	tally_reset();
	if ((rc = exeunt_pool_create(&pool, w, 0, NULL)) != 0) {
		fprintf(stderr, "exeunt_pool_create: %s\n", strerror(rc));
		exit(EXIT_FAILURE);
	}
	c0 = switches();
	t0 = bench_now();
	for (i = 0; i < jobs_per_run; i++)
		if ((rc = exeunt_pool_submit(pool, job, NULL,
		    job_arg(i))) != 0) {
			fprintf(stderr, "exeunt_pool_submit: %s\n",
			    strerror(rc));
			exit(EXIT_FAILURE);
		}
	if ((rc = exeunt_pool_shutdown(pool, EXEUNT_PENDING_RUN,
	    NULL)) != 0) {
		fprintf(stderr, "exeunt_pool_shutdown: %s\n", strerror(rc));
		exit(EXIT_FAILURE);
	}
	s = finish(t0, c0);
	exeunt_pool_destroy(pool);
	tally_check("exeunt", w);
	return s;
}

static struct sample
run_minimal(unsigned w)
{
	struct minipool p;
	struct sample s;
	unsigned long i;
	uint64_t t0;
	long c0;

	tally_reset();
	mini_create(&p, w);
	c0 = switches();
	t0 = bench_now();
	for (i = 0; i < jobs_per_run; i++)
		if (mini_submit(&p, job, job_arg(i)) != 0) {
			fprintf(stderr, "minimal pool: out of memory\n");
			exit(EXIT_FAILURE);
		}
	mini_drain(&p);
	s = finish(t0, c0);
	mini_free(&p);
	tally_check("minimal", w);
	return s;
}

#ifdef HAVE_GLIB
static void
glib_job(gpointer data, gpointer user_data)
{
	(void)user_data;
	job(data);
}

static struct sample
run_glib(unsigned w)
{
	GThreadPool *pool;
	GError *err = NULL;
	struct sample s;
	unsigned long i;
	uint64_t t0;
	long c0;

	tally_reset();
	pool = g_thread_pool_new(glib_job, NULL, (gint)w, TRUE, &err);
	if (pool == NULL) {
		fprintf(stderr, "g_thread_pool_new: %s\n", err->message);
		exit(EXIT_FAILURE);
	}
	c0 = switches();
	t0 = bench_now();
	for (i = 0; i < jobs_per_run; i++)
		if (!g_thread_pool_push(pool, job_arg(i), &err)) {
			fprintf(stderr, "g_thread_pool_push: %s\n",
			    err->message);
			exit(EXIT_FAILURE);
		}
	g_thread_pool_free(pool, FALSE, TRUE);	/* runs every queued job */
	s = finish(t0, c0);
	tally_check("glib", w);
	return s;
}
#endif

/* ---- The report ------------------------------------------------------- */

enum { EXEUNT, MINIMAL, GLIB, NPOOLS };

static const char *const pool_name[NPOOLS] = {
	"exeunt_pool", "minimal mutex+cond", "GThreadPool"
};

static struct sample (*const pool_run[NPOOLS])(unsigned) = {
	run_exeunt, run_minimal,
#ifdef HAVE_GLIB
	run_glib
#else
	NULL
#endif
};

static const unsigned workers[] = { 2, 4 };
#define NW (sizeof(workers) / sizeof(workers[0]))

/* The q-quantile of v[0..n-1], 0 <= q <= 1, by nearest rank. */
static double
quantile(const double *v, size_t n, double q)
{
	double *s, x;

	if ((s = malloc(n * sizeof(*s))) == NULL)
		abort();
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), bench_cmp);
	x = s[(size_t)(q * (double)(n - 1) + 0.5)];
	free(s);
	return x;
}

/* The pools named in a list such as "exeunt,glib"; all if list is NULL. */
static unsigned
choose(const char *list, unsigned *active)
{
	unsigned p, n = 0;
	size_t len;

	for (p = 0; p < NPOOLS; p++) {
		if (list != NULL) {
			const char *at = list, *name = p == EXEUNT ? "exeunt" :
			    p == MINIMAL ? "minimal" : "glib";

			len = strlen(name);
			while ((at = strstr(at, name)) != NULL &&
			    ((at != list && at[-1] != ',') ||
			    (at[len] != '\0' && at[len] != ',')))
				at += len;
			if (at == NULL)
				continue;
		}
		if (pool_run[p] != NULL)
			active[n++] = p;
	}
	return n;
}

int
main(int argc, char **argv)
{
	unsigned rounds = 31, r, k, wi, p, j, n, active[NPOOLS];
	double *rate[NW][NPOOLS], *csw[NW][NPOOLS], *ratio;
	double med[NPOOLS], cost;
	unsigned long i;
	uint64_t t0;
	char *end;

	if (argc > 1)
		rounds = (unsigned)strtoul(argv[1], &end, 10);
	if (argc > 2)
		jobs_per_run = strtoul(argv[2], &end, 10);
	n = choose(argc > 3 ? argv[3] : NULL, active);
	if (argc > 4 || rounds == 0 || jobs_per_run == 0 || n == 0) {
		fprintf(stderr, "usage: bench_pool [rounds [jobs-per-run "
		    "[exeunt,minimal,glib]]]\n");
		return 2;
	}
	for (wi = 0; wi < NW; wi++)
		for (p = 0; p < NPOOLS; p++) {
			rate[wi][p] = calloc(rounds, sizeof(double));
			csw[wi][p] = calloc(rounds, sizeof(double));
			if (rate[wi][p] == NULL || csw[wi][p] == NULL)
				abort();
		}
	if ((ratio = calloc(rounds, sizeof(double))) == NULL)
		abort();

	/* The expected checksum, and the cost of the job alone. */
	t0 = bench_now();
	for (i = 0; i < jobs_per_run; i++)
		expected_sum += work((uint64_t)(uintptr_t)job_arg(i));
	cost = (double)(bench_now() - t0) / (double)jobs_per_run;

	printf("pool throughput: 1 producer, short jobs (%.0f ns of arithmetic "
	    "each, alone), %lu jobs per run, %u rounds\n", cost, jobs_per_run,
	    rounds);
	if (pool_run[GLIB] == NULL)
		printf("  GThreadPool: skipped (configure did not find "
		    "glib-2.0; install its development package and "
		    "re-run configure)\n");

	for (r = 0; r < rounds; r++)
		for (k = 0; k < NW * n; k++) {
			/* Rotate the order of the pools and sizes. */
			unsigned slot = (k + r) % (NW * n);
			struct sample s;

			wi = slot / n;
			p = active[(slot + r / NW) % n];
			s = pool_run[p](workers[wi]);
			rate[wi][p][r] = s.rate;
			csw[wi][p][r] = s.csw;
		}

	for (wi = 0; wi < NW; wi++) {
		printf("  %u workers%24s jobs/s: median  (25%% - 75%%)"
		    "   ctx sw/job\n", workers[wi], "");
		for (j = 0; j < n; j++) {
			p = active[j];
			med[p] = bench_median(rate[wi][p], rounds);
			printf("    %-22s %10.3fM  (%6.3fM - %6.3fM) %10.3f\n",
			    pool_name[p], med[p] / 1e6,
			    quantile(rate[wi][p], rounds, 0.25) / 1e6,
			    quantile(rate[wi][p], rounds, 0.75) / 1e6,
			    bench_median(csw[wi][p], rounds));
		}
		if (active[0] != EXEUNT)
			continue;
		for (j = 1; j < n; j++) {
			double target = active[j] == MINIMAL ? 0.9 : 1.0;

			p = active[j];
			for (r = 0; r < rounds; r++)
				ratio[r] = rate[wi][EXEUNT][r] / rate[wi][p][r];
			printf("    exeunt/%-8s %.3f  (median of per-round ratios"
			    " %.3f; target >= %.1f: %s)\n", p == MINIMAL ?
			    "minimal" : "glib", med[EXEUNT] / med[p],
			    bench_median(ratio, rounds), target,
			    med[EXEUNT] >= target * med[p] ? "met" : "MISSED");
		}
		if (pool_run[GLIB] == NULL)
			printf("    exeunt/glib     skipped: no GLib\n");
	}
	return 0;
}
