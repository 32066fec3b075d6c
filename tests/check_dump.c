/*
 * Diagnostics: exeunt_dump(3) in this process, and the EXEUNT_DEBUG
 * trace of a scenario program run as a child.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct child ch;

START_TEST(dump_null_is_einval)
{
	ck_assert_int_eq(exeunt_dump(NULL), EINVAL);
}
END_TEST

/* One parsed line of a dump. */
struct row {
	unsigned long long seq;
	char name[64];
	int tid;
	char daemon[8];
	char state[32];
	double age;
};

/*
 * Parses a dump: the header line (its phase and count returned), an
 * optional column-title line, then rows.  Returns the number of rows.
 */
static int
parse_dump(char *text, char *phase, size_t *unfinished, struct row *row,
    int max)
{
	char *line[64], *tok[8], *save, *p;
	int n, i, first, nrows = 0, ntok;

	n = split_lines(text, line, 64);
	ck_assert_msg(n >= 1, "empty dump");
	ck_assert_msg(sscanf(line[0], "exeunt: phase %31[a-z], %zu registered "
	    "threads unfinished", phase, unfinished) == 2,
	    "dump header: %s", line[0]);
	first = 1;
	p = n > 1 ? line[1] + strspn(line[1], " ") : NULL;
	if (p != NULL && strncmp(p, "seq ", 4) == 0) {
		ck_assert_msg(strstr(p, "name") != NULL &&
		    strstr(p, "tid") > strstr(p, "name") &&
		    strstr(p, "daemon") > strstr(p, "tid") &&
		    strstr(p, "state") > strstr(p, "daemon") &&
		    strstr(p, "age") > strstr(p, "state"),
		    "dump column titles: %s", p);
		first = 2;
	}
	for (i = first; i < n && nrows < max; i++) {
		struct row *r = &row[nrows++];

		ntok = 0;
		for (p = strtok_r(line[i], " ", &save); p != NULL && ntok < 8;
		    p = strtok_r(NULL, " ", &save))
			tok[ntok++] = p;
		ck_assert_msg(ntok == 6 || ntok == 7, "dump line %d has %d "
		    "fields", i, ntok);
		r->seq = strtoull(tok[0], NULL, 10);
		snprintf(r->name, sizeof r->name, "%s", tok[1]);
		r->tid = atoi(tok[2]);
		snprintf(r->daemon, sizeof r->daemon, "%s", tok[3]);
		if (ntok == 7)
			snprintf(r->state, sizeof r->state, "%s %s", tok[4],
			    tok[5]);
		else
			snprintf(r->state, sizeof r->state, "%s", tok[4]);
		p = tok[ntok - 1];
		ck_assert_msg(strlen(p) >= 6 && p[strlen(p) - 1] == 's' &&
		    p[strlen(p) - 5] == '.', "dump age: %s", p);
		r->age = strtod(p, NULL);
	}
	return nrows;
}

static void
assert_row(const struct row *r, unsigned long long seq, const char *name,
    int tid, const char *daemon, const char *state)
{
	ck_assert_msg(r->seq == seq && strcmp(r->name, name) == 0 &&
	    r->tid == tid && strcmp(r->daemon, daemon) == 0 &&
	    strcmp(r->state, state) == 0 && r->age >= 0.0,
	    "dump row: %llu %s %d %s \"%s\" %.3f\nwant: %llu %s %d %s \"%s\"",
	    r->seq, r->name, r->tid, r->daemon, r->state, r->age, seq, name,
	    tid, daemon, state);
}

/* A thread that records its tid, then holds until its gate opens. */
struct held {
	struct gate ready;
	struct gate hold;
	pid_t tid;
};

static void
held_init(struct held *h)
{
	memset(h, 0, sizeof *h);
	gate_init(&h->ready);
	gate_init(&h->hold);
}

static void *
start_held(void *arg)
{
	struct held *h = arg;

	h->tid = test_gettid();
	gate_open(&h->ready);
	gate_wait(&h->hold);
	return h;
}

static void *
start_tid_return(void *arg)
{
	struct held *h = arg;

	h->tid = test_gettid();
	gate_open(&h->ready);
	return h;
}

static struct gate in_callback, callback_hold;

static void
terminate_hold(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	gate_open(&in_callback);
	gate_wait(&callback_hold);
}

static void *
start_request_stop(void *arg)
{
	exeunt_thread_request_stop(arg);
	return NULL;
}

static exeunt_thread_t *
create_named(const char *name, int daemon, exeunt_terminate_fn fn,
    void *(*start)(void *), void *arg)
{
	exeunt_attr_t a;
	exeunt_thread_t *t;

	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setname(&a, name), 0);
	ck_assert_int_eq(exeunt_attr_setdaemon(&a, daemon), 0);
	if (fn != NULL)
		ck_assert_int_eq(exeunt_attr_setterminate(&a, fn, NULL), 0);
	t = create_or_fail(&a, start, arg);
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	return t;
}

/*
 * A dump names every thread not yet freed, in creation order, with its
 * tid, daemon flag and state: running, stop requested, terminate running
 * (its callback is running now), finished (handle not yet joined).
 */
START_TEST(dump_lists_threads)
{
	struct held alpha, beta, gamma, delta;
	exeunt_thread_t *t[4];
	struct row row[8];
	char phase[32], *text = NULL;
	size_t len = 0, unfinished;
	exeunt_attr_t a;
	pthread_t stopper;
	FILE *f;
	int n, i;

	gate_init(&in_callback);
	gate_init(&callback_hold);
	held_init(&alpha);
	held_init(&beta);
	held_init(&gamma);
	held_init(&delta);
	t[0] = create_named("alpha", 0, NULL, start_held, &alpha);
	t[1] = create_named("beta", 1, NULL, start_held, &beta);
	t[2] = create_named("gamma", 0, terminate_hold, start_held, &gamma);
	t[3] = create_named("delta", 0, NULL, start_tid_return, &delta);
	ck_assert_int_eq(exeunt_attr_init(&a), 0);
	ck_assert_int_eq(exeunt_attr_setname(&a, "tester"), 0);
	ck_assert_int_eq(exeunt_thread_adopt(&a), 0);	/* seq 5 */
	ck_assert_int_eq(exeunt_attr_destroy(&a), 0);
	gate_wait(&alpha.ready);
	gate_wait(&beta.ready);
	gate_wait(&gamma.ready);
	gate_wait(&delta.ready);
	ck_assert_int_eq(exeunt_thread_request_stop(t[1]), 0);
	stopper = start_raw(start_request_stop, t[2]);
	ck_assert_int_eq(gate_wait_ms(&in_callback, POLL_DEADLINE_MS), 0);
	ck_assert_msg(wait_count(4), "delta never finished");

	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(exeunt_dump(f), 0);
	ck_assert_int_eq(fclose(f), 0);
	n = parse_dump(text, phase, &unfinished, row, 8);
	ck_assert_str_eq(phase, "running");
	ck_assert_uint_eq(unfinished, 4);
	ck_assert_int_eq(n, 5);
	assert_row(&row[0], 1, "alpha", alpha.tid, "no", "running");
	assert_row(&row[1], 2, "beta", beta.tid, "yes", "stop requested");
	assert_row(&row[2], 3, "gamma", gamma.tid, "no", "terminate running");
	assert_row(&row[3], 4, "delta", delta.tid, "no", "finished");
	assert_row(&row[4], 5, "tester", test_gettid(), "no", "running");
	free(text);

	/* Joined: gone from the dump. */
	join_or_fail(t[3]);
	gate_open(&callback_hold);
	join_raw(stopper);
	gate_open(&alpha.hold);
	gate_open(&beta.hold);
	gate_open(&gamma.hold);
	for (i = 0; i < 3; i++)
		join_or_fail(t[i]);
	ck_assert_int_eq(exeunt_thread_release(), 0);
	text = NULL;
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(exeunt_dump(f), 0);
	ck_assert_int_eq(fclose(f), 0);
	n = parse_dump(text, phase, &unfinished, row, 8);
	ck_assert_uint_eq(unfinished, 0);
	ck_assert_int_eq(n, 0);
	free(text);
}
END_TEST

/* The same through a temporary file; the header names the phase. */
START_TEST(dump_to_tmpfile)
{
	struct held h;
	exeunt_thread_t *t;
	struct row row[4];
	char phase[32], buf[4096];
	size_t unfinished, len;
	FILE *f;

	held_init(&h);
	t = create_named("solo", 1, NULL, start_held, &h);
	gate_wait(&h.ready);
	f = tmpfile();
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(exeunt_dump(f), 0);
	rewind(f);
	len = fread(buf, 1, sizeof buf - 1, f);
	buf[len] = '\0';
	fclose(f);
	ck_assert_int_eq(parse_dump(buf, phase, &unfinished, row, 4), 1);
	ck_assert_str_eq(phase, "running");
	ck_assert_uint_eq(unfinished, 1);
	assert_row(&row[0], 1, "solo", h.tid, "yes", "running");
	gate_open(&h.hold);
	join_or_fail(t);
}
END_TEST

static char hook_dump[4096];

static void
hook_dumps(void *arg)
{
	FILE *f = fmemopen(hook_dump, sizeof hook_dump - 1, "w");

	(void)arg;
	if (f != NULL) {
		exeunt_dump(f);
		fclose(f);
	}
}

/* A hook's dump says phase hooks. */
START_TEST(dump_from_hook)
{
	char phase[32];
	size_t unfinished;
	struct row row[4];

	ck_assert_int_eq(exeunt_atexit(hook_dumps, NULL), 0);
	ck_assert_int_eq(exeunt_shutdown(), 0);
	ck_assert_int_eq(parse_dump(hook_dump, phase, &unfinished, row, 4), 0);
	ck_assert_str_eq(phase, "hooks");
	ck_assert_uint_eq(unfinished, 0);
}
END_TEST

/* EIO when the stream cannot be written. */
START_TEST(dump_write_error_is_eio)
{
	struct held h;
	exeunt_thread_t *t;
	FILE *f;

	held_init(&h);
	t = create_named("solo", 0, NULL, start_held, &h);
	f = fopen("/dev/full", "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(setvbuf(f, NULL, _IONBF, 0), 0);
	ck_assert_int_eq(exeunt_dump(f), EIO);
	fclose(f);
	f = fopen("/dev/null", "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(exeunt_dump(f), EIO);
	fclose(f);
	gate_open(&h.hold);
	join_or_fail(t);
}
END_TEST

/*
 * A stream whose first write (the heading) and the write of the row
 * naming "solo" each block until the test lets them go.
 */
struct slow_out {
	struct gate writing[2];
	struct gate proceed[2];
	int blocks;
	int writes;
	size_t written;
};

static ssize_t
slow_write(void *cookie, const char *buf, size_t n)
{
	struct slow_out *s = cookie;
	int b = s->blocks;

	if (b < 2 && (s->writes == 0 || memmem(buf, n, "solo", 4) != NULL)) {
		s->blocks++;
		gate_open(&s->writing[b]);
		gate_wait(&s->proceed[b]);
	}
	s->writes++;
	s->written += n;
	return (ssize_t)n;
}

struct dumper {
	FILE *f;
	int rc;
};

static void *
start_dump(void *arg)
{
	struct dumper *d = arg;

	d->rc = exeunt_dump(d->f);
	return d;
}

struct meanwhile {
	struct gate done;
	exeunt_thread_t *t;
	int create_rc, stop_rc, join_rc;
	size_t count;
};

static int
visit_none(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	return 0;
}

static void *
start_meanwhile(void *arg)
{
	struct meanwhile *m = arg;

	m->create_rc = exeunt_thread_create(&m->t, NULL, start_wait_stop,
	    NULL);
	m->count = exeunt_count();
	exeunt_foreach(visit_none, NULL);
	if (m->create_rc == 0) {
		m->stop_rc = exeunt_thread_request_stop(m->t);
		m->join_rc = exeunt_thread_join(m->t, NULL);
	}
	gate_open(&m->done);
	return m;
}

/* With the dump's write blocked, the registry can be used. */
static void
assert_registry_usable(void)
{
	struct meanwhile m;
	pthread_t mt;

	memset(&m, 0, sizeof m);
	gate_init(&m.done);
	m.create_rc = m.stop_rc = m.join_rc = -1;
	mt = start_raw(start_meanwhile, &m);
	ck_assert_msg(gate_wait_ms(&m.done, POLL_DEADLINE_MS) == 0,
	    "the registry was locked while the dump was writing");
	join_raw(mt);
	ck_assert_int_eq(m.create_rc, 0);
	ck_assert_uint_eq(m.count, 2);
	ck_assert_int_eq(m.stop_rc, 0);
	ck_assert_int_eq(m.join_rc, 0);
}

/*
 * The dump takes no lock while it writes: with its heading and then its
 * row blocked in write, threads are created, counted, walked, stopped
 * and joined.
 */
START_TEST(dump_takes_no_lock_while_writing)
{
	cookie_io_functions_t io = { .write = slow_write };
	struct slow_out s;
	struct dumper d;
	struct held h;
	exeunt_thread_t *t;
	pthread_t dt;
	int b;

	memset(&s, 0, sizeof s);
	for (b = 0; b < 2; b++) {
		gate_init(&s.writing[b]);
		gate_init(&s.proceed[b]);
	}
	held_init(&h);
	t = create_named("solo", 0, NULL, start_held, &h);
	d.f = fopencookie(&s, "w", io);
	ck_assert_ptr_nonnull(d.f);
	ck_assert_int_eq(setvbuf(d.f, NULL, _IONBF, 0), 0);
	d.rc = -1;
	dt = start_raw(start_dump, &d);
	for (b = 0; b < 2; b++) {
		ck_assert_msg(gate_wait_ms(&s.writing[b], POLL_DEADLINE_MS) ==
		    0, "the dump never wrote %s", b == 0 ? "its heading" :
		    "the row of \"solo\"");
		assert_registry_usable();
		gate_open(&s.proceed[b]);
	}
	join_raw(dt);
	ck_assert_int_eq(d.rc, 0);
	ck_assert_int_eq(s.blocks, 2);
	fclose(d.f);
	gate_open(&h.hold);
	join_or_fail(t);
}
END_TEST

/* EXEUNT_DEBUG ------------------------------------------------------ */

/* Index of the first line from `from` whose message is msg (exact) or,
 * with prefix set, begins with msg; -1 if none. */
static int
find_msg(char **msg, int n, int from, const char *text, int prefix)
{
	int i;

	for (i = from; i < n; i++)
		if (prefix ? strncmp(msg[i], text, strlen(text)) == 0 :
		    strcmp(msg[i], text) == 0)
			return i;
	return -1;
}

/* The message after "exeunt: [  12.345678] ", or NULL. */
static char *
trace_message(char *line)
{
	char *p;

	if (strncmp(line, "exeunt: [", 9) != 0)
		return NULL;
	p = line + 9;
	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	if (strspn(p, ".") != 1 || strspn(p + 1, "0123456789") != 6 ||
	    strncmp(p + 7, "] ", 2) != 0)
		return NULL;
	return p + 9;
}

static int
find_containing(char **msg, int n, const char *text)
{
	int i;

	for (i = 0; i < n; i++)
		if (strstr(msg[i], text) != NULL)
			return i;
	return -1;
}

/*
 * EXEUNT_DEBUG=1: the phases begin and end, each terminate callback is
 * called and returns (newest first), each non-daemon thread is joined,
 * in that order, one timestamped line each.
 */
START_TEST(debug_trace_in_order)
{
	const char *const env[] = { "EXEUNT_DEBUG=1", NULL };
	char *line[128], *msg[128];
	int n, i, at[12], ret;
	static const char *const order[] = {
		"terminate phase begins",
		"terminate seq 3 \"d3\" called",
		"terminate seq 3 \"d3\" returned after ",
		"terminate seq 2 \"w2\" called",
		"terminate seq 2 \"w2\" returned after ",
		"terminate seq 1 \"w1\" called",
		"terminate seq 1 \"w1\" returned after ",
		"terminate phase ends",
	};

	child_run(&ch, linked("scenario_debug", _i), NULL, env, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch, "main exits\nhook 1\n");
	n = split_lines(ch.err_buf, line, 128);
	for (i = 0; i < n; i++) {
		msg[i] = trace_message(line[i]);
		ck_assert_msg(msg[i] != NULL, "not a trace line: %s", line[i]);
	}
	for (i = 0, ret = 0; i < 8; i++) {
		at[i] = find_msg(msg, n, ret, order[i],
		    strstr(order[i], "after ") != NULL);
		ck_assert_msg(at[i] >= 0, "no \"%s\" after line %d", order[i],
		    ret);
		ret = at[i] + 1;
		if (strstr(order[i], "after ") != NULL) {
			char *p = msg[at[i]] + strlen(order[i]);

			ck_assert_msg(strspn(p, "0123456789") > 0 &&
			    strchr(p, '.') != NULL &&
			    p[strlen(p) - 1] == 's', "duration in: %s",
			    msg[at[i]]);
		}
	}
	at[8] = find_containing(msg, n, "join phase begin");
	at[9] = find_containing(msg, n, "join phase end");
	at[10] = find_containing(msg, n, "hooks begin");
	at[11] = find_containing(msg, n, "hooks end");
	ck_assert_msg(at[7] < at[8] && at[8] < at[9] && at[9] < at[10] &&
	    at[10] < at[11], "phase lines out of order:\n%s",
	    "(terminate ends, join begins, join ends, hooks begin, end)");
	i = find_msg(msg, n, 0, "joined seq 1 \"w1\"", 0);
	ck_assert_msg(i > at[8] && i < at[9], "joined w1 at %d", i);
	i = find_msg(msg, n, 0, "joined seq 2 \"w2\"", 0);
	ck_assert_msg(i > at[8] && i < at[9], "joined w2 at %d", i);
	ck_assert_int_eq(find_containing(msg, n, "joined seq 3"), -1);
}
END_TEST

/* Without EXEUNT_DEBUG nothing at all goes to stderr. */
START_TEST(debug_off_is_quiet)
{
	child_run(&ch, linked("scenario_debug", _i), NULL, NULL, 0);
	child_assert_exit(&ch, 0);
	child_assert_out(&ch, "main exits\nhook 1\n");
	child_assert_quiet(&ch);
}
END_TEST

Suite *
make_dump_suite(void)
{
	Suite *s = suite_create("dump");
	TCase *du = tcase_create("dump");
	TCase *db = tcase_create("debug");

	tcase_set_timeout(du, UNIT_TIMEOUT);
	tcase_add_test(du, dump_null_is_einval);
	tcase_add_test(du, dump_lists_threads);
	tcase_add_test(du, dump_to_tmpfile);
	tcase_add_test(du, dump_from_hook);
	tcase_add_test(du, dump_write_error_is_eio);
	tcase_add_test(du, dump_takes_no_lock_while_writing);
	suite_add_tcase(s, du);

	tcase_set_timeout(db, SCENARIO_TIMEOUT);
	/* With shared and with static libexeunt (linked()). */
	tcase_add_loop_test(db, debug_trace_in_order, 0, LINKAGES);
	tcase_add_loop_test(db, debug_off_is_quiet, 0, LINKAGES);
	suite_add_tcase(s, db);
	return s;
}
