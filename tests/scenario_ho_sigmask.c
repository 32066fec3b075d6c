/*
 * A shutdown started by a trapped SIGTERM runs its terminate callbacks
 * and hooks with the program's signal mask (that of main, which called
 * exeunt_trap_signal() with nothing blocked), not with every signal
 * blocked: each says whether SIGUSR1 is blocked where it runs, and so
 * does a child that the hook forks, which inherits the hook's mask.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static struct sc_flag started = SC_FLAG_INIT;

static const char *
usr1_state(void)
{
	sigset_t now;

	pthread_sigmask(SIG_BLOCK, NULL, &now);
	return sigismember(&now, SIGUSR1) ? "blocked" : "not blocked";
}

static void
terminate_mask(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	say("terminate: SIGUSR1 %s\n", usr1_state());
}

static void
hook_mask(void *arg)
{
	sigset_t now;
	int status;
	pid_t pid;

	(void)arg;
	say("hook: SIGUSR1 %s\n", usr1_state());
	pid = fork();
	if (pid == 0) {
		sigprocmask(SIG_BLOCK, NULL, &now);
		say("child: SIGUSR1 %s\n", sigismember(&now, SIGUSR1) ?
		    "blocked" : "not blocked");
		_exit(0);
	}
	if (pid < 0 || !sc_reap(pid, SC_DEADLINE_MS / 2, &status))
		say("the child failed\n");
}

static void *
worker(void *arg)
{
	(void)arg;
	flag_set(&started);
	work_until_stopped();
	return NULL;
}

int
main(void)
{
	sc_check("exeunt_trap_signal", exeunt_trap_signal(SIGTERM));
	sc_check("exeunt_atexit", exeunt_atexit(hook_mask, NULL));
	sc_start(0, terminate_mask, NULL, worker, NULL);
	flag_wait(&started);
	say("ready\n");
	sc_forever();
	return 0;
}
