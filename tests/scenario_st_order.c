/*
 * Shutdown stages under load: three stages of four non-daemon threads
 * each, created interleaved (stage 0, 1, 2, 0, 1, 2, ...), plus a daemon
 * of stage 0 created among them.  Each thread's terminate callback says
 * "terminate S N" (N is its creation number, which is its seq); each
 * non-daemon thread, once told to stop, winds down and then says
 * "end S N".  The daemon never ends.
 *
 * The wind-down of a thread of stage S asks every thread of a later stage
 * whether it was told to stop, and waits for all their answers: a later
 * thread answers from its own loop for as long as its
 * exeunt_stop_requested() is 0, and leaves the loop (it is "gone") once
 * it is 1.  A later thread gone while an earlier one winds down, or no
 * answer before the deadline, is reported as a "bad:" line.
 *
 * argv[1]: "exit" (main returns) or "shutdown" (main calls
 * exeunt_shutdown() and prints its result, then returns).  The first
 * lines describe the threads: "thread N stage S daemon|worker".
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#define STAGES 3
#define PER_STAGE 4
#define NTHREADS (STAGES * PER_STAGE + 1)

struct member {
	int n;		/* creation number, from 1 */
	int stage;
	int daemon;
};

static struct member members[NTHREADS + 1];

/* The question board, all under mu.  gen counts the questions asked;
 * seen[n] is the last question thread n answered; gone[n] says that its
 * stop was requested. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int gen;
	int seen[NTHREADS + 1];
	int gone[NTHREADS + 1];
} board = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, { 0 },
    { 0 } };

static struct sc_count started = SC_COUNT_INIT;

/* Answers every question until the calling thread is told to stop. */
static void
answer_until_stopped(const struct member *m)
{
	pthread_mutex_lock(&board.mu);
	while (!exeunt_stop_requested()) {
		if (board.seen[m->n] != board.gen) {
			board.seen[m->n] = board.gen;
			pthread_cond_broadcast(&board.cv);
		}
		sc_cond_tick(&board.cv, &board.mu, 5);
	}
	board.gone[m->n] = 1;
	pthread_cond_broadcast(&board.cv);
	pthread_mutex_unlock(&board.mu);
}

/* Asks every thread of a later stage, and waits for all the answers. */
static void
ask_later_stages(const struct member *m)
{
	struct timespec d = sc_deadline();
	int i, g, missing, gone;

	pthread_mutex_lock(&board.mu);
	g = ++board.gen;
	pthread_cond_broadcast(&board.cv);
	for (;;) {
		missing = gone = 0;
		for (i = 1; i <= NTHREADS && !gone; i++) {
			if (members[i].stage <= m->stage)
				continue;
			if ((gone = board.gone[i]) != 0)
				say("bad: thread %d (stage %d) told to stop "
				    "while thread %d (stage %d) winds down\n",
				    i, members[i].stage, m->n, m->stage);
			else if (board.seen[i] < g)
				missing++;
		}
		if (gone || missing == 0)
			break;
		if (sc_passed(&d)) {
			say("bad: thread %d: %d later threads never answered\n",
			    m->n, missing);
			break;
		}
		sc_cond_tick(&board.cv, &board.mu, 5);
	}
	pthread_mutex_unlock(&board.mu);
}

static void *
member_main(void *arg)
{
	struct member *m = arg;

	count_up(&started);
	if (m->daemon)
		sc_forever();
	answer_until_stopped(m);
	ask_later_stages(m);
	say("end %d %d\n", m->stage, m->n);
	return NULL;
}

static void
terminate_member(exeunt_thread_t *t, void *arg)
{
	struct member *m = arg;

	(void)t;
	say("terminate %d %d\n", m->stage, m->n);
}

static void
start_member(int n, int stage, int daemon)
{
	struct member *m = &members[n];
	m->n = n;
	m->stage = stage;
	m->daemon = daemon;
	say("thread %d stage %d %s\n", n, stage, daemon ? "daemon" : "worker");
	sc_start_staged(NULL, stage, daemon, terminate_member, m, member_main,
	    m);
}

int
main(int argc, char **argv)
{
	int n = 0, i, s;

	if (argc < 2)
		return 100;
	exeunt_atexit(hook_say, "1");
	for (i = 0; i < PER_STAGE; i++) {
		for (s = 0; s < STAGES; s++)
			start_member(++n, s, 0);
		/* The daemon: thread STAGES + 1. */
		if (i == 0)
			start_member(++n, 0, 1);
	}
	count_wait(&started, NTHREADS);
	if (strcmp(argv[1], "shutdown") == 0) {
		i = exeunt_shutdown();
		say("main: exeunt_shutdown %s, %s\n", errname(i),
		    phasename(exeunt_phase()));
	}
	say("main exits\n");
	return 0;
}
