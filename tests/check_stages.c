/*
 * Shutdown stages: exeunt_attr_setstage(3) and its inheritance,
 * exeunt_thread_stage(), exeunt_shutdown_stage(), and the order of a
 * shutdown of several stages, in this process (exeunt_shutdown()) and
 * in scenario programs run as children (exit()).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "tests.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct child ch;

/* No stage in the attribute: what create_staged() passes to leave it. */
#define NO_STAGE INT_MIN

static exeunt_thread_t *
create_staged(int stage, const char *name, exeunt_terminate_fn fn,
    void *fn_arg, void *(*start)(void *), void *arg)
{
	exeunt_thread_t *t;
	exeunt_attr_t a;

	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	if (stage != NO_STAGE)
		ck_assert_int_eq(exeunt_attr_setstage(&a, stage), 0);
	if (name != NULL)
		ck_assert_int_eq(exeunt_attr_setname(&a, name), 0);
	if (fn != NULL)
		ck_assert_int_eq(exeunt_attr_setterminate(&a, fn, fn_arg), 0);
	t = create_or_fail(&a, start, arg);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	return t;
}

/* Runs fn(arg) in a registered thread of the given stage, and joins it. */
struct in_stage {
	void (*fn)(void *);
	void *arg;
};

static void *
start_in_stage(void *arg)
{
	struct in_stage *is = arg;

	is->fn(is->arg);
	return NULL;
}

static void
run_in_stage(int stage, void (*fn)(void *), void *arg)
{
	struct in_stage is = { fn, arg };

	join_or_fail(create_staged(stage, NULL, NULL, NULL, start_in_stage,
	    &is));
}

/* The stage of the registered calling thread, -1000 if unregistered. */
static int
own_stage(void)
{
	exeunt_thread_t *self = exeunt_thread_self();

	return self != NULL ? exeunt_thread_stage(self) : -1000;
}

static void *
start_own_stage(void *arg)
{
	*(int *)arg = own_stage();
	return arg;
}

/* exeunt_attr_setstage(3), exeunt_attr_getstage(3) -------------------- */

/* -100 and 100 are stages, -101 and 101 are not (nor the int limits);
 * a refused stage leaves the one set before. */
START_TEST(attr_stage_bounds)
{
	static const int good[] = { EXEUNT_STAGE_MIN, -1, 0, 1, 42,
	    EXEUNT_STAGE_MAX };
	static const int bad[] = { EXEUNT_STAGE_MIN - 1, EXEUNT_STAGE_MAX + 1,
	    INT_MIN, INT_MAX, -1000, 1000 };
	exeunt_attr_t a;
	size_t i;
	int s;

	ck_assert_int_eq(EXEUNT_STAGE_MIN, -100);
	ck_assert_int_eq(EXEUNT_STAGE_MAX, 100);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		s = -7777;
		ck_assert_int_eq(exeunt_attr_setstage(&a, good[i]), 0);
		ck_assert_int_eq(exeunt_attr_getstage(&a, &s), 0);
		ck_assert_int_eq(s, good[i]);
	}
	ck_assert_int_eq(exeunt_attr_setstage(&a, 3), 0);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(exeunt_attr_setstage(&a, bad[i]) == EINVAL,
		    "exeunt_attr_setstage(%d) accepted", bad[i]);
		ck_assert_int_eq(exeunt_attr_getstage(&a, &s), 0);
		ck_assert_int_eq(s, 3);
	}
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
}
END_TEST

static void
assert_stage_rejected(exeunt_attr_t *a)
{
	int s = -7777;

	ck_assert_int_eq(exeunt_attr_setstage(a, 1), EINVAL);
	ck_assert_int_eq(exeunt_attr_getstage(a, &s), EINVAL);
	ck_assert_int_eq(s, -7777);
}

/* EINVAL for a NULL, uninitialised or destroyed attribute, and for a
 * NULL stage pointer. */
START_TEST(attr_stage_einval)
{
	exeunt_attr_t a;

	assert_stage_rejected(NULL);
	memset(&a, 0, sizeof a);
	assert_stage_rejected(&a);
	memset(&a, 0xa5, sizeof a);
	assert_stage_rejected(&a);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setstage(&a, 5), 0);
	ck_assert_int_eq(exeunt_attr_getstage(&a, NULL), EINVAL);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	assert_stage_rejected(&a);
}
END_TEST

struct getstage_probe {
	int rc_default, stage_default;
	int rc_set, stage_set;
};

static void
probe_getstage(void *arg)
{
	struct getstage_probe *p = arg;
	exeunt_attr_t a;

	exeunt_attr_init(&a);
	p->rc_default = exeunt_attr_getstage(&a, &p->stage_default);
	exeunt_attr_setstage(&a, -3);
	p->rc_set = exeunt_attr_getstage(&a, &p->stage_set);
	exeunt_attr_destroy(&a);
}

/*
 * With no stage set, exeunt_attr_getstage() gives the stage a thread
 * created now would get: the calling registered thread's (created with
 * stage 2, adopted with stage -7), 0 in an unregistered thread.  A stage
 * set wins.
 */
START_TEST(attr_getstage_default)
{
	struct getstage_probe p;
	exeunt_attr_t a;

	memset(&p, 0, sizeof p);
	probe_getstage(&p);
	ck_assert_int_eq(p.rc_default, 0);
	ck_assert_int_eq(p.stage_default, 0);
	ck_assert_int_eq(p.rc_set, 0);
	ck_assert_int_eq(p.stage_set, -3);

	memset(&p, 0, sizeof p);
	run_in_stage(2, probe_getstage, &p);
	ck_assert_int_eq(p.rc_default, 0);
	ck_assert_int_eq(p.stage_default, 2);
	ck_assert_int_eq(p.stage_set, -3);

	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setstage(&a, -7), 0);
	ck_assert_int_eq(exeunt_thread_adopt(&a), 0);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	memset(&p, 0, sizeof p);
	probe_getstage(&p);
	ck_assert_int_eq(p.rc_default, 0);
	ck_assert_int_eq(p.stage_default, -7);
	ck_assert_int_eq(exeunt_thread_release(), 0);
}
END_TEST

/* Inheritance ----------------------------------------------------------- */

struct inherit_probe {
	int null_attr;		/* created with attr NULL */
	int no_stage;		/* with an attribute without a stage */
	int set_stage;		/* with stage 4 */
	int grandchild;		/* created by the first, attr NULL */
	int handle_stage;	/* exeunt_thread_stage() of the handle */
};

static void *
start_child_creates(void *arg)
{
	exeunt_thread_t *t = create_or_fail(NULL, start_own_stage, arg);

	join_or_fail(t);
	return NULL;
}

static void
probe_inherit(void *arg)
{
	struct inherit_probe *p = arg;
	exeunt_thread_t *t;

	t = create_or_fail(NULL, start_own_stage, &p->null_attr);
	p->handle_stage = exeunt_thread_stage(t);
	join_or_fail(t);
	join_or_fail(create_staged(NO_STAGE, "plain", NULL, NULL,
	    start_own_stage, &p->no_stage));
	join_or_fail(create_staged(4, NULL, NULL, NULL, start_own_stage,
	    &p->set_stage));
	join_or_fail(create_or_fail(NULL, start_child_creates,
	    &p->grandchild));
}

/*
 * A thread created without a stage takes its registered creator's
 * (stage 2, and its own children after it); a stage set wins; an
 * unregistered creator gives 0.
 */
START_TEST(stage_inherited_by_create)
{
	struct inherit_probe p;
	exeunt_thread_t *t;
	int s = -1;

	memset(&p, 0, sizeof p);
	run_in_stage(2, probe_inherit, &p);
	ck_assert_int_eq(p.null_attr, 2);
	ck_assert_int_eq(p.handle_stage, 2);
	ck_assert_int_eq(p.no_stage, 2);
	ck_assert_int_eq(p.set_stage, 4);
	ck_assert_int_eq(p.grandchild, 2);

	t = create_or_fail(NULL, start_own_stage, &s);
	ck_assert_int_eq(exeunt_thread_stage(t), 0);
	join_or_fail(t);
	ck_assert_int_eq(s, 0);

	t = create_staged(-100, NULL, NULL, NULL, start_own_stage, &s);
	ck_assert_int_eq(exeunt_thread_stage(t), -100);
	join_or_fail(t);
	ck_assert_int_eq(s, -100);
}
END_TEST

struct adopt_probe {
	exeunt_attr_t *made_by_creator;	/* initialised in the stage-2 thread */
	int creator_getstage;
	int rc[4];
	int stage[4];
};

/* A plain thread, started by a registered thread of stage 2, adopts
 * itself four ways. */
static void *
start_adopter(void *arg)
{
	struct adopt_probe *p = arg;
	exeunt_attr_t a;
	int i;

	for (i = 0; i < 4; i++) {
		exeunt_attr_init(&a);
		if (i == 2)
			exeunt_attr_setname(&a, "adopted");
		if (i == 3)
			exeunt_attr_setstage(&a, 9);
		p->rc[i] = exeunt_thread_adopt(i == 0 ? NULL : i == 1 ?
		    p->made_by_creator : &a);
		exeunt_attr_destroy(&a);
		p->stage[i] = own_stage();
		if (p->rc[i] == 0)
			exeunt_thread_release();
	}
	return NULL;
}

static void
probe_adopt(void *arg)
{
	struct adopt_probe *p = arg;
	exeunt_attr_t a;

	exeunt_attr_init(&a);
	exeunt_attr_getstage(&a, &p->creator_getstage);
	p->made_by_creator = &a;
	join_raw(start_raw(start_adopter, p));
	exeunt_attr_destroy(&a);
}

/*
 * exeunt_thread_adopt() takes the attribute's stage or 0, never one
 * inherited: here from the stage-2 registered thread that started the
 * plain thread, nor from an attribute initialised there (whose
 * exeunt_attr_getstage() said 2) without a stage set.
 */
START_TEST(stage_adopt_not_inherited)
{
	struct adopt_probe p;
	int i;

	memset(&p, 0, sizeof p);
	run_in_stage(2, probe_adopt, &p);
	ck_assert_int_eq(p.creator_getstage, 2);
	for (i = 0; i < 4; i++)
		ck_assert_msg(p.rc[i] == 0, "adopt %d: %s", i,
		    strerror(p.rc[i]));
	ck_assert_int_eq(p.stage[0], 0);
	ck_assert_int_eq(p.stage[1], 0);
	ck_assert_int_eq(p.stage[2], 0);
	ck_assert_int_eq(p.stage[3], 9);
}
END_TEST

/* Pool workers ---------------------------------------------------------- */

struct job_stage {
	struct gate done;
	int stage;
};

static void
job_record_stage(void *arg)
{
	struct job_stage *j = arg;

	j->stage = own_stage();
	gate_open(&j->done);
}

/* The stage a job of a new pool runs at; also checks that every worker
 * of the pool (every registered thread other than the caller and those
 * in skip) has that stage, through exeunt_foreach(). */
struct stage_census {
	int n;
	int stages[16];
};

static int
visit_stage(exeunt_thread_t *t, void *arg)
{
	struct stage_census *c = arg;

	if (t != exeunt_thread_self() && c->n < 16)
		c->stages[c->n++] = exeunt_thread_stage(t);
	return 0;
}

struct pool_probe {
	int use_attr;
	int attr_stage;		/* NO_STAGE: an attribute without one */
	int create_rc;
	int job_stage;
	struct stage_census census;
};

static void
probe_pool(void *arg)
{
	struct pool_probe *p = arg;
	struct job_stage j;
	exeunt_pool_t *pool = NULL;
	exeunt_attr_t a;

	memset(&j, 0, sizeof j);
	gate_init(&j.done);
	j.stage = -1000;
	exeunt_attr_init(&a);
	exeunt_attr_setname(&a, "pool");
	if (p->attr_stage != NO_STAGE)
		exeunt_attr_setstage(&a, p->attr_stage);
	p->create_rc = exeunt_pool_create(&pool, 2, 0, p->use_attr ? &a :
	    NULL);
	exeunt_attr_destroy(&a);
	if (p->create_rc != 0)
		return;
	exeunt_pool_submit(pool, job_record_stage, NULL, &j);
	if (gate_wait_ms(&j.done, POLL_DEADLINE_MS) == 0)
		p->job_stage = j.stage;
	exeunt_foreach(visit_stage, &p->census);
	exeunt_pool_destroy(pool);
}

static void
run_pool_probe(int creator_stage, int use_attr, int attr_stage, int want)
{
	struct pool_probe p;
	int i;

	memset(&p, 0, sizeof p);
	p.use_attr = use_attr;
	p.attr_stage = attr_stage;
	p.job_stage = -2000;
	if (creator_stage == NO_STAGE)
		probe_pool(&p);
	else
		run_in_stage(creator_stage, probe_pool, &p);
	ck_assert_int_eq(p.create_rc, 0);
	ck_assert_msg(p.job_stage == want, "creator stage %d, attr %s, "
	    "stage %d (%d: none): job ran at stage %d, want %d",
	    creator_stage, use_attr ? "set" : "NULL", attr_stage, NO_STAGE,
	    p.job_stage, want);
	ck_assert_int_eq(p.census.n, 2);
	for (i = 0; i < p.census.n; i++)
		ck_assert_int_eq(p.census.stages[i], want);
}

/*
 * A pool's workers take the stage of the pool's attribute, else the
 * creating thread's (0 if unregistered): seen from a job through
 * exeunt_thread_self(), and for every worker through exeunt_foreach().
 */
START_TEST(pool_workers_take_stage)
{
	run_pool_probe(NO_STAGE, 1, 3, 3);
	run_pool_probe(NO_STAGE, 1, NO_STAGE, 0);
	run_pool_probe(NO_STAGE, 0, NO_STAGE, 0);
	run_pool_probe(2, 0, NO_STAGE, 2);
	run_pool_probe(2, 1, NO_STAGE, 2);
	run_pool_probe(2, 1, -4, -4);
}
END_TEST

/* exeunt_thread_stage(), exeunt_shutdown_stage() ------------------------- */

START_TEST(thread_stage_null_is_zero)
{
	ck_assert_int_eq(exeunt_thread_stage(NULL), 0);
}
END_TEST

static int hook_stage_rc = -1, hook_phase = -1;

static void
hook_probe_stage(void *arg)
{
	int s;

	(void)arg;
	hook_stage_rc = exeunt_shutdown_stage(&s);
	hook_phase = (int)exeunt_phase();
}

/* ESRCH while no shutdown is in its stages: before it, in its hooks and
 * after it; EINVAL for NULL. */
START_TEST(shutdown_stage_errors)
{
	exeunt_thread_t *t;
	int s = -7777;

	ck_assert_int_eq(exeunt_shutdown_stage(&s), ESRCH);
	ck_assert_int_eq(s, -7777);
	ck_assert_int_eq(exeunt_shutdown_stage(NULL), EINVAL);
	ck_assert_int_eq(exeunt_atexit(hook_probe_stage, NULL), 0);
	t = create_staged(3, NULL, NULL, NULL, start_wait_stop, NULL);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	join_or_fail(t);
	ck_assert_int_eq(hook_phase, EXEUNT_HOOKS);
	ck_assert_int_eq(hook_stage_rc, ESRCH);
	ck_assert_int_eq(exeunt_shutdown_stage(&s), ESRCH);
	ck_assert_int_eq(s, -7777);
	ck_assert_int_eq(exeunt_shutdown_stage(NULL), EINVAL);
}
END_TEST

/* What each terminate callback saw, in call order. */
#define CALLS_MAX 16
static struct {
	pthread_mutex_t mu;
	int n;
	unsigned long long seq[CALLS_MAX];
	int phase[CALLS_MAX];
	int stage_rc[CALLS_MAX];
	int stage[CALLS_MAX];
	int own[CALLS_MAX];
} calls = { PTHREAD_MUTEX_INITIALIZER, 0, { 0 }, { 0 }, { 0 }, { 0 },
    { 0 } };

static void
terminate_record(exeunt_thread_t *t, void *arg)
{
	int i;

	(void)arg;
	pthread_mutex_lock(&calls.mu);
	if ((i = calls.n++) < CALLS_MAX) {
		calls.seq[i] = exeunt_thread_seq(t);
		calls.phase[i] = (int)exeunt_phase();
		calls.stage[i] = -7777;
		calls.stage_rc[i] = exeunt_shutdown_stage(&calls.stage[i]);
		calls.own[i] = exeunt_thread_stage(t);
	}
	pthread_mutex_unlock(&calls.mu);
}

/*
 * exeunt_shutdown() with stages 3, -2, 0, 3, -2, -100, 100 (seq 1..7):
 * it returns 0 and the stop requests go stage by stage, lowest first,
 * newest first within a stage; each callback runs in TERMINATING and
 * exeunt_shutdown_stage() gives its thread's stage there.
 */
START_TEST(shutdown_stages_ascending)
{
	static const int stage[] = { 3, -2, 0, 3, -2, -100, 100 };
	static const unsigned long long want[] = { 6, 5, 2, 3, 4, 1, 7 };
	exeunt_thread_t *t[7];
	int i;

	for (i = 0; i < 7; i++)
		t[i] = create_staged(stage[i], NULL, terminate_record, NULL,
		    start_wait_stop, NULL);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq((int)exeunt_phase(), EXEUNT_DONE);
	ck_assert_int_eq(calls.n, 7);
	for (i = 0; i < 7; i++) {
		ck_assert_msg(calls.seq[i] == want[i], "call %d: seq %llu, "
		    "want %llu", i, calls.seq[i], want[i]);
		ck_assert_int_eq(calls.phase[i], EXEUNT_TERMINATING);
		ck_assert_int_eq(calls.stage_rc[i], 0);
		ck_assert_int_eq(calls.own[i], stage[want[i] - 1]);
		ck_assert_msg(calls.stage[i] == calls.own[i], "call %d (seq "
		    "%llu, stage %d): exeunt_shutdown_stage gave %d", i,
		    calls.seq[i], calls.own[i], calls.stage[i]);
	}
	for (i = 0; i < 7; i++)
		join_or_fail(t[i]);
}
END_TEST

/* exeunt_dump(3) -------------------------------------------------------- */

struct held {
	struct gate ready, hold;
};

static void *
start_held(void *arg)
{
	struct held *h = arg;

	gate_open(&h->ready);
	gate_wait(&h->hold);
	return NULL;
}

/* The stage column of the dump row of thread name; -1000 if none. */
static int
dump_stage_of(char **line, int n, int col, int ncols, const char *name)
{
	char *tok[16], *save, *p, copy[256];
	int i, k;

	for (i = 2; i < n; i++) {
		snprintf(copy, sizeof copy, "%s", line[i]);
		k = 0;
		for (p = strtok_r(copy, " ", &save); p != NULL && k < 16;
		    p = strtok_r(NULL, " ", &save))
			tok[k++] = p;
		/* All of these threads are "running": one word each. */
		if (k == ncols && strcmp(tok[1], name) == 0)
			return atoi(tok[col]);
	}
	return -1000;
}

/* The index of the column title among those of line; -1 if none. */
static int
column_of(const char *line, const char *title, int *ncols)
{
	char copy[256], *save, *p;
	int k = 0, col = -1;

	snprintf(copy, sizeof copy, "%s", line);
	for (p = strtok_r(copy, " ", &save); p != NULL;
	    p = strtok_r(NULL, " ", &save), k++)
		if (strcmp(p, title) == 0)
			col = k;
	*ncols = k;
	return col;
}

/* The dump of this process, its lines in line[]; returns their number. */
static int
dump_lines(char **text, char **line, int max)
{
	size_t len = 0;
	FILE *f;

	*text = NULL;
	f = open_memstream(text, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(exeunt_dump(f), 0);
	ck_assert_int_eq(fclose(f), 0);
	return split_lines(*text, line, max);
}

/*
 * While a thread of a stage other than 0 is unfinished, a dump has a
 * "stage" column, between "daemon" and "state", with each thread's stage;
 * once only stage 0 is left, it has none, as before stages.
 */
START_TEST(dump_has_stage_column)
{
	static const char *const name[] = { "neg", "zero", "pos" };
	static const int stage[] = { -5, NO_STAGE, 7 };
	static const int want[] = { -5, 0, 7 };
	char *text, *line[16];
	struct held h[3];
	exeunt_thread_t *t[3];
	int i, n, col, ncols, daemon_col, state_col;

	for (i = 0; i < 3; i++) {
		gate_init(&h[i].ready);
		gate_init(&h[i].hold);
		t[i] = create_staged(stage[i], name[i], NULL, NULL, start_held,
		    &h[i]);
		gate_wait(&h[i].ready);
	}
	n = dump_lines(&text, line, 16);
	ck_assert_int_eq(n, 5);
	col = column_of(line[1], "stage", &ncols);
	daemon_col = column_of(line[1], "daemon", &ncols);
	state_col = column_of(line[1], "state", &ncols);
	ck_assert_msg(col > 0 && col == daemon_col + 1 &&
	    state_col == col + 1, "no stage column between daemon and state "
	    "in: %s", line[1]);
	for (i = 0; i < 3; i++)
		ck_assert_msg(dump_stage_of(line, n, col, ncols, name[i]) ==
		    want[i], "dump row of %s: want stage %d in:\n%s\n%s",
		    name[i], want[i], line[1], line[2 + i]);
	free(text);

	gate_open(&h[0].hold);
	gate_open(&h[2].hold);
	join_or_fail(t[0]);
	join_or_fail(t[2]);
	n = dump_lines(&text, line, 16);
	ck_assert_int_eq(n, 3);
	ck_assert_msg(column_of(line[1], "stage", &ncols) < 0,
	    "a stage column with only stage 0 left: %s", line[1]);
	free(text);
	gate_open(&h[1].hold);
	join_or_fail(t[1]);
}
END_TEST

/* Scenarios ------------------------------------------------------------- */

#define ORDER_THREADS 13
#define ORDER_RUNS 5

/*
 * Checks scenario_st_order's output: the stop requests go stage by
 * stage, each stage's after every non-daemon thread of the stages before
 * it ended (the daemon of stage 0 is not waited for), newest first within
 * a stage; no thread of a later stage was told to stop while one of an
 * earlier stage wound down ("bad:" lines); the hook comes last.
 */
static void
assert_stage_order(struct child *c, int shutdown)
{
	int stage[ORDER_THREADS + 1], daemon[ORDER_THREADS + 1];
	int term_at[ORDER_THREADS + 1], end_at[ORDER_THREADS + 1];
	int n, i, a, b, s, num, nthreads = 0, hook_at = -1, main_at = -1;
	int ret_at = -1;
	char *line[128], kind[16];

	n = split_lines(c->out_buf, line, 128);
	for (i = 0; i < n; i++) {
		if (sscanf(line[i], "thread %d stage %d %15s", &num, &s,
		    kind) == 3) {
			ck_assert_int_eq(num, ++nthreads);
			ck_assert_int_le(num, ORDER_THREADS);
			stage[num] = s;
			daemon[num] = strcmp(kind, "daemon") == 0;
			term_at[num] = end_at[num] = -1;
		} else if (sscanf(line[i], "terminate %d %d", &s, &num) == 2) {
			ck_assert(num >= 1 && num <= nthreads);
			ck_assert_msg(term_at[num] < 0 && stage[num] == s,
			    "line %d: %s", i, line[i]);
			term_at[num] = i;
		} else if (sscanf(line[i], "end %d %d", &s, &num) == 2) {
			ck_assert(num >= 1 && num <= nthreads);
			ck_assert_msg(end_at[num] < 0 && stage[num] == s &&
			    !daemon[num], "line %d: %s", i, line[i]);
			end_at[num] = i;
		} else if (strcmp(line[i], "hook 1") == 0) {
			hook_at = i;
		} else if (strcmp(line[i], "main exits") == 0) {
			main_at = i;
		} else if (shutdown && strcmp(line[i],
		    "main: exeunt_shutdown 0, DONE") == 0) {
			ret_at = i;
		} else {
			ck_abort_msg("line %d: %s", i, line[i]);
		}
	}
	ck_assert_int_eq(nthreads, ORDER_THREADS);
	for (a = 1; a <= nthreads; a++) {
		ck_assert_msg(term_at[a] >= 0, "thread %d: no stop request",
		    a);
		ck_assert_msg(daemon[a] || end_at[a] >= 0, "thread %d never "
		    "ended", a);
		ck_assert_msg(hook_at > term_at[a] && hook_at > end_at[a],
		    "thread %d after the hook", a);
		for (b = 1; b <= nthreads; b++) {
			if (stage[a] < stage[b]) {
				ck_assert_msg(term_at[a] < term_at[b],
				    "thread %d (stage %d) told to stop after "
				    "thread %d (stage %d)", a, stage[a], b,
				    stage[b]);
				ck_assert_msg(daemon[a] || end_at[a] <
				    term_at[b], "thread %d (stage %d) told to "
				    "stop before thread %d (stage %d) ended",
				    b, stage[b], a, stage[a]);
			} else if (stage[a] == stage[b] && a < b) {
				ck_assert_msg(term_at[b] < term_at[a],
				    "stage %d: thread %d told to stop before "
				    "the newer %d", stage[a], a, b);
			}
		}
	}
	if (shutdown)
		ck_assert(hook_at < ret_at && ret_at < main_at);
	else
		ck_assert(main_at >= 0 && main_at < hook_at);
}

/*
 * Three stages of four threads and a daemon, at exit (loop 0) and in
 * exeunt_shutdown() (loop 1), ORDER_RUNS times each.
 */
START_TEST(stages_order_under_load)
{
	const char *args[] = { _i == 0 ? "exit" : "shutdown", NULL };
	int run;

	for (run = 0; run < ORDER_RUNS; run++) {
		child_run(&ch, "scenario_st_order", args, NULL, 0);
		child_assert_exit(&ch, 0);
		child_assert_quiet(&ch);
		assert_stage_order(&ch, _i);
	}
}
END_TEST

/* The index of line text among line[from..n), or -1. */
static int
line_at(char **line, int n, int from, const char *text)
{
	int i;

	for (i = from; i < n; i++)
		if (strcmp(line[i], text) == 0)
			return i;
	return -1;
}

#define LOGGER_WORKERS 4
#define LOGGER_RECORDS 25
#define LOGGER_RUNS 5

/*
 * The stage-1 logger writes every record that the stage-0 workers queue,
 * during their wind-down too, before it exits: it was told to stop only
 * once all four had ended.
 */
START_TEST(stages_logger_gets_wind_down_records)
{
	const int total = LOGGER_WORKERS * (LOGGER_RECORDS + 3);
	char *line[512], want[128];
	int n, i, w, run, logged, exit_at, stopping, stopped;

	for (run = 0; run < LOGGER_RUNS; run++) {
		child_run(&ch, "scenario_st_logger", NULL, NULL, 0);
		child_assert_exit(&ch, 0);
		child_assert_quiet(&ch);
		n = split_lines(ch.out_buf, line, 512);
		snprintf(want, sizeof want, "logger exits: %d records, %d of "
		    "%d workers ended", total, LOGGER_WORKERS, LOGGER_WORKERS);
		exit_at = line_at(line, n, 0, want);
		ck_assert_msg(exit_at >= 0, "no \"%s\" in:\n%s", want,
		    ch.out_buf);
		for (i = 0, logged = 0; i < n; i++)
			if (strncmp(line[i], "log ", 4) == 0) {
				ck_assert_msg(i < exit_at, "after the logger "
				    "exited: %s", line[i]);
				logged++;
			}
		ck_assert_int_eq(logged, total);
		for (w = 0; w < LOGGER_WORKERS; w++) {
			snprintf(want, sizeof want, "log worker %d stopping",
			    w);
			stopping = line_at(line, n, 0, want);
			snprintf(want, sizeof want, "log worker %d stopped", w);
			stopped = line_at(line, n, 0, want);
			ck_assert_msg(stopping >= 0 && stopped > stopping,
			    "worker %d: wind-down records missing", w);
		}
		ck_assert_str_eq(line[n - 1], "hook: 0 records left, 0 lost");
	}
}
END_TEST

/*
 * The phase alternates once per stage: stage 0's callbacks run in
 * TERMINATING with exeunt_shutdown_stage() 0; the stage-1 observer, not
 * yet told to stop, sees stage 0's JOINING; stage 1's callback runs in
 * TERMINATING with stage 1; the hook in HOOKS, with ESRCH.
 */
START_TEST(stages_phase_alternates)
{
	/* TERMINATING before stage 0 and JOINING 1: read in the instants
	 * between two changes, before stage 0's requests began and just
	 * before the observer's stop flag was seen. */
	static const char *const allowed[] = { "RUNNING ESRCH",
	    "TERMINATING ESRCH", "TERMINATING 0", "JOINING 0",
	    "TERMINATING 1", "JOINING 1" };
	const int nallowed = (int)(sizeof allowed / sizeof allowed[0]);
	char *line[32], *seen, *save, *p;
	int n, t2, t1, e1, e2, to, saw, stop, k, last, joining;

	child_run(&ch, "scenario_st_phase", NULL, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_quiet(&ch);
	n = split_lines(ch.out_buf, line, 32);
	ck_assert_msg(n == 9, "%d lines", n);
	ck_assert_str_eq(line[0], "main exits");
	t2 = line_at(line, n, 0, "terminate w2: TERMINATING, stage 0");
	t1 = line_at(line, n, 0, "terminate w1: TERMINATING, stage 0");
	e1 = line_at(line, n, 0, "w1 ends");
	e2 = line_at(line, n, 0, "w2 ends");
	to = line_at(line, n, 0, "terminate observer: TERMINATING, stage 1");
	ck_assert_msg(t2 > 0 && t2 < t1 && t1 < e1 && t1 < e2 && e1 < to &&
	    e2 < to, "printed:\n%s", ch.out_buf);
	for (saw = stop = -1, k = 0; k < n; k++) {
		if (strncmp(line[k], "observer saw ", 13) == 0)
			saw = k;
		if (strcmp(line[k], "observer stopped in TERMINATING, stage 1")
		    == 0 || strcmp(line[k], "observer stopped in JOINING, "
		    "stage 1") == 0)
			stop = k;
	}
	ck_assert_msg(saw > e1 && saw > e2 && stop > saw, "observer lines: "
	    "%d %d", saw, stop);
	ck_assert_str_eq(line[n - 1], "hook: HOOKS, stage ESRCH");
	/* What the observer saw: in this order, any of them but
	 * stage 0's JOINING (which w1 and w2 wait for) possibly missed. */
	seen = line[saw] + 13;
	last = -1;
	joining = 0;
	for (p = strtok_r(seen, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		p += strspn(p, " ");
		for (k = last + 1; k < nallowed && strcmp(p, allowed[k]) != 0;
		    k++)
			continue;
		ck_assert_msg(k < nallowed, "the observer saw \"%s\" after "
		    "\"%s\"", p, last >= 0 ? allowed[last] : "nothing");
		joining |= k == 3;
		last = k;
	}
	ck_assert_msg(joining, "the observer never saw stage 0's JOINING");
}
END_TEST

/* The message after "exeunt: [  12.345678] "; the line if none. */
static char *
trace_text(char *line)
{
	char *p = strncmp(line, "exeunt: [", 9) == 0 ? strstr(line, "] ") :
	    NULL;

	return p != NULL ? p + 2 : line;
}

/*
 * EXEUNT_DEBUG=1 with stages 0 and 1: each stage's lines are preceded by
 * "stage N begins", and the phase lines come once per stage.
 */
START_TEST(stages_debug_trace)
{
	const char *const env[] = { "EXEUNT_DEBUG=1", NULL };
	static const char *const order[] = {
		"stage 0 begins",
		"terminate phase begins",
		"terminate seq 2 \"w2\" called",
		"terminate seq 1 \"w1\" called",
		"terminate phase ends",
		"join phase begins",
		"join phase ends",
		"stage 1 begins",
		"terminate phase begins",
		"terminate seq 3 \"observer\" called",
		"terminate phase ends",
		"join phase begins",
		"joined seq 3 \"observer\"",
		"join phase ends",
		"hooks begin",
	};
	const int norder = (int)(sizeof order / sizeof order[0]);
	char *line[128];
	int n, i, k, at[16], j1, j2;

	child_run(&ch, "scenario_st_phase", NULL, env, 0);
	child_assert_exit(&ch, 0);
	n = split_lines(ch.err_buf, line, 128);
	for (i = 0; i < n; i++)
		line[i] = trace_text(line[i]);
	for (k = 0, i = 0; k < norder; k++) {
		at[k] = line_at(line, n, i, order[k]);
		ck_assert_msg(at[k] >= 0, "no \"%s\" after trace line %d",
		    order[k], i);
		i = at[k] + 1;
	}
	/* Nothing of stage 0 in stage 1 and the reverse. */
	j1 = line_at(line, n, 0, "joined seq 1 \"w1\"");
	j2 = line_at(line, n, 0, "joined seq 2 \"w2\"");
	ck_assert_msg(j1 > at[5] && j1 < at[6] && j2 > at[5] && j2 < at[6],
	    "stage 0 joins at %d and %d, not between %d and %d", j1, j2,
	    at[5], at[6]);
	ck_assert_int_eq(line_at(line, n, 0, "stage 0 begins"), at[0]);
	ck_assert_int_eq(line_at(line, n, at[0] + 1, "stage 0 begins"), -1);
	ck_assert_int_eq(line_at(line, n, at[7] + 1, "stage 1 begins"), -1);
}
END_TEST

/* With every thread in stage 0 the trace is as before: no stage line. */
START_TEST(stages_debug_single_stage_unchanged)
{
	const char *const env[] = { "EXEUNT_DEBUG=1", NULL };
	char *line[128];
	int n, i;

	child_run(&ch, "scenario_debug", NULL, env, 0);
	child_assert_exit(&ch, 0);
	n = split_lines(ch.err_buf, line, 128);
	ck_assert_int_gt(n, 0);
	for (i = 0; i < n; i++)
		ck_assert_msg(strstr(trace_text(line[i]), "stage") == NULL,
		    "single-stage trace line: %s", line[i]);
}
END_TEST

/* The report line of the thread named name ends its "tid T" part with
 * " stage S"; 0 if no line names it. */
static int
report_line_of(char **line, int n, const char *name, char **out)
{
	char quoted[64];
	int i;

	snprintf(quoted, sizeof quoted, " \"%s\" ", name);
	for (i = 0; i < n; i++)
		if (strncmp(line[i], "exeunt:   seq ", 14) == 0 &&
		    strstr(line[i], quoted) != NULL) {
			*out = line[i];
			return 1;
		}
	return 0;
}

/* The report line of a non-daemon thread names its stage between
 * "non-daemon" and its age. */
static void
assert_report_stage(const char *line, unsigned long long seq,
    const char *name, int tid, int stage)
{
	char want[160];

	snprintf(want, sizeof want, "exeunt:   seq %llu \"%s\" tid %d "
	    "non-daemon stage %d age ", seq, name, tid, stage);
	ck_assert_msg(strncmp(line, want, strlen(want)) == 0,
	    "report line:\n%s\nwant it to begin:\n%s", line, want);
}

/*
 * One deadline for all stages (EXEUNT_TIMEOUT, proceed): the stuck
 * stage-2 thread is reported with "stage 2" and abandoned, the stage-5
 * thread still gets its stop request, then the hook runs.
 */
START_TEST(stages_deadline_proceeds_to_later_stage)
{
	char tv[64];
	const char *const env[] = { tv, "EXEUNT_ON_TIMEOUT=proceed", NULL };
	char want[256], *line[32], *l;
	int n, tid[2];

	snprintf(tv, sizeof tv, "EXEUNT_TIMEOUT=%ldms",
	    (long)(200 * test_scale()));
	child_run(&ch, "scenario_st_deadline", NULL, env, 0);
	child_assert_exit(&ch, 3);
	ck_assert_msg(sscanf(ch.out_buf, "tids %d %d", &tid[0], &tid[1]) ==
	    2, "no tids line in:\n%s", ch.out_buf);
	snprintf(want, sizeof want, "tids %d %d\nmain exits\n"
	    "terminate stuck\nterminate late\nhook 1\n", tid[0], tid[1]);
	child_assert_out(&ch, want);
	n = split_lines(ch.err_buf, line, 32);
	ck_assert_msg(n >= 3 && strstr(line[0], "deadline") != NULL,
	    "report:\n%s", ch.err_buf);
	ck_assert_msg(report_line_of(line, n, "stuck", &l),
	    "no report line of \"stuck\"");
	assert_report_stage(l, 1, "stuck", tid[0], 2);
	/* Not yet told to stop when the deadline passed: listed or not. */
	if (report_line_of(line, n, "late", &l))
		assert_report_stage(l, 2, "late", tid[1], 5);
	ck_assert_str_eq(line[n - 1], "exeunt: action: proceed");
}
END_TEST

#define POOL_RUNS 3

/*
 * A stage-1 pool takes and runs (drains) the jobs that stage-0 threads
 * and their terminate callbacks submit in their wind-down; a stage-0 pool
 * refuses them with ESHUTDOWN.
 */
START_TEST(stages_pool_drains_wind_down_jobs)
{
	const char *want = "main exits\n"
	    "hook: late took 123, refused 0, other 0; early took 0, "
	    "refused 6, other 0; 125 ran\n"
	    "hook: late submitted 124 completed 124 queued 0\n"
	    "atexit: destroy 0 0\n";
	int run;

	for (run = 0; run < POOL_RUNS; run++) {
		child_run(&ch, "scenario_st_pool", NULL, NULL, 0);
		child_assert_exit(&ch, 0);
		child_assert_quiet(&ch);
		child_assert_out(&ch, want);
	}
}
END_TEST

Suite *
make_stages_suite(void)
{
	Suite *s = suite_create("stages");
	TCase *un = tcase_create("stages");
	TCase *sc = tcase_create("stages-scenario");

	tcase_set_timeout(un, UNIT_TIMEOUT);
	tcase_add_test(un, attr_stage_bounds);
	tcase_add_test(un, attr_stage_einval);
	tcase_add_test(un, attr_getstage_default);
	tcase_add_test(un, stage_inherited_by_create);
	tcase_add_test(un, stage_adopt_not_inherited);
	tcase_add_test(un, pool_workers_take_stage);
	tcase_add_test(un, thread_stage_null_is_zero);
	tcase_add_test(un, shutdown_stage_errors);
	tcase_add_test(un, shutdown_stages_ascending);
	tcase_add_test(un, dump_has_stage_column);
	suite_add_tcase(s, un);

	tcase_set_timeout(sc, SCENARIO_TIMEOUT);
	tcase_add_loop_test(sc, stages_order_under_load, 0, 2);
	tcase_add_test(sc, stages_logger_gets_wind_down_records);
	tcase_add_test(sc, stages_phase_alternates);
	tcase_add_test(sc, stages_debug_trace);
	tcase_add_test(sc, stages_debug_single_stage_unchanged);
	tcase_add_test(sc, stages_deadline_proceeds_to_later_stage);
	tcase_add_test(sc, stages_pool_drains_wind_down_jobs);
	suite_add_tcase(s, sc);
	return s;
}
