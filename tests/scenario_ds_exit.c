/*
 * Destroy functions at exit (check_destroy.c).  argv[1] is the case:
 *
 *   exit         a non-daemon worker's destroy function runs in the join
 *                phase, before the hook: the shutdown waits for it.
 *   self-exit    a worker that calls exit(7) never finishes: no destroy
 *                call for it; the other worker's comes before the hook.
 *   destroy-exit a destroy function that calls exit(5): the shutdown
 *                does not wait for the thread that runs it.
 *   fork         a fork child's shutdown calls no destroy function for
 *                the parent's thread; the parent's join then does.
 *   destroy-fork a destroy function of a detached thread that forks: in
 *                the child too the function returns and the record ends
 *                (AddressSanitizer sees a record freed by the fork).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static atomic_int calls;
static atomic_int hook_ran;

static void
hook_note(void *arg)
{
	(void)arg;
	atomic_store(&hook_ran, 1);
	say("hook\n");
}

/*
 * Says "destroy NAME".  It first gives the hook 200 ms to run, which it
 * can only do on a library that counted the thread out before its
 * destroy function: then "hook" comes first.  A bounded wait, not
 * synchronisation.
 */
static void
destroy_say(void *arg)
{
	struct timespec d = sc_deadline_ms(200);

	while (!atomic_load(&hook_ran) && !sc_passed(&d))
		sc_pause();
	atomic_fetch_add(&calls, 1);
	say("destroy %s\n", (const char *)arg);
}

static void
destroy_exit(void *arg)
{
	(void)arg;
	say("destroy exits\n");
	exit(5);
}

static void
destroy_fork(void *arg)
{
	pid_t pid;
	int status;

	(void)arg;
	if ((pid = fork()) < 0) {
		say("fork: %s\n", strerror(errno));
		return;
	}
	if (pid == 0) {
		/* The record still counts here, as in the parent, until
		 * the function returns; then the thread, the child's last,
		 * ends the child. */
		say("child: %zu thread in its destroy function\n",
		    exeunt_count());
		return;
	}
	if (waitpid(pid, &status, 0) != pid)
		say("waitpid: %s\n", strerror(errno));
	else if (WIFEXITED(status))
		say("child exited %d\n", WEXITSTATUS(status));
	else
		say("child status %#x\n", status);
}

static void
terminate_quiet(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
}

static void
terminate_says(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	say("terminate\n");
}

/* A non-daemon thread; the caller detaches or joins it (the shutdown
 * waits for it all the same). */
static exeunt_thread_t *
start(exeunt_terminate_fn fn, void (*destroy)(void *), const char *name,
    void *(*body)(void *))
{
	exeunt_attr_t a;
	exeunt_thread_t *t;

	exeunt_attr_init(&a);
	exeunt_attr_setdaemon(&a, 0);
	exeunt_attr_setterminate(&a, fn, (void *)name);
	exeunt_attr_setdestroy(&a, destroy);
	sc_check("exeunt_thread_create", exeunt_thread_create(&t, &a, body,
	    NULL));
	exeunt_attr_destroy(&a);
	return t;
}

static void *
wait_stop(void *arg)
{
	exeunt_wait_stop(NULL);
	return arg;
}

static void *
start_return(void *arg)
{
	return arg;
}

static void *
call_exit(void *arg)
{
	(void)arg;
	exit(7);
}

static void
forever(void)
{
	for (;;)
		pause();
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	exeunt_thread_t *t;
	pid_t pid;
	int status;

	if (strcmp(mode, "exit") == 0) {
		sc_check("exeunt_atexit", exeunt_atexit(hook_note, NULL));
		t = start(terminate_says, destroy_say, "worker", wait_stop);
		sc_check("exeunt_thread_detach", exeunt_thread_detach(t));
		return 0;
	}
	if (strcmp(mode, "self-exit") == 0) {
		sc_check("exeunt_atexit", exeunt_atexit(hook_note, NULL));
		t = start(terminate_quiet, destroy_say, "other", wait_stop);
		sc_check("exeunt_thread_detach", exeunt_thread_detach(t));
		t = start(terminate_quiet, destroy_say, "exiting", call_exit);
		sc_check("exeunt_thread_detach", exeunt_thread_detach(t));
		forever();
	}
	if (strcmp(mode, "destroy-exit") == 0) {
		sc_check("exeunt_atexit", exeunt_atexit(hook_note, NULL));
		t = start(terminate_quiet, destroy_exit, "worker", wait_stop);
		exeunt_thread_request_stop(t);
		sc_check("exeunt_thread_detach", exeunt_thread_detach(t));
		forever();
	}
	if (strcmp(mode, "fork") == 0) {
		t = start(terminate_quiet, destroy_say, "worker", wait_stop);
		if ((pid = fork()) < 0)
			return 100;
		if (pid == 0) {
			sc_check("exeunt_shutdown", exeunt_shutdown());
			say("child: %d calls\n", atomic_load(&calls));
			exit(0);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			say("child: status %#x\n", status);
		sc_check("exeunt_atexit", exeunt_atexit(hook_note, NULL));
		exeunt_thread_request_stop(t);
		sc_check("exeunt_thread_join", exeunt_thread_join(t, NULL));
		return 0;
	}
	if (strcmp(mode, "destroy-fork") == 0) {
		struct timespec d = sc_deadline();

		t = start(terminate_quiet, destroy_fork, "worker",
		    start_return);
		sc_check("exeunt_thread_detach", exeunt_thread_detach(t));
		while (exeunt_count() != 0 && !sc_passed(&d))
			sc_pause();
		return 0;
	}
	say("unknown case \"%s\"\n", mode);
	return 100;
}
