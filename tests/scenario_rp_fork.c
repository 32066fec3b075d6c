/*
 * The report function across fork().  The function writes "fn: <line>"
 * to stdout, and "BAD: ..." if its argument is not the one set.
 *
 * argv[1], the mode:
 *   keep   fork(); the child calls exeunt_report("in child") and exits.
 *   busy   a plain thread is inside the function (for the line
 *          "exeunt: hold") when the main thread forks; the child calls
 *          exeunt_report("in child") and ends with _exit(); then the
 *          thread is let go.
 *   infn   the function forks for the line "exeunt: fork"; the child,
 *          inside the function, calls exeunt_report("child in fn"), which
 *          goes to stderr, returns from it, then calls
 *          exeunt_report("child after") and exits.
 * The parent waits for the child (a bounded wait: a child that hangs is
 * killed) and says "child status N" or "child hung".
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static const char *mode;
static int arg_token;
static int is_child;
static struct sc_flag inside = SC_FLAG_INIT, release = SC_FLAG_INIT;

static void
reap(pid_t pid)
{
	struct timespec d = sc_deadline();
	int status;
	pid_t w;

	while ((w = waitpid(pid, &status, WNOHANG)) == 0) {
		if (sc_passed(&d)) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			say("child hung\n");
			return;
		}
		sc_pause();
	}
	if (w == pid && WIFEXITED(status))
		say("child status %d\n", WEXITSTATUS(status));
	else
		say("child ended otherwise\n");
}

static void
fn(const char *line, void *arg)
{
	pid_t pid;

	say("fn: %s\n", line);
	if (arg != &arg_token)
		say("BAD: wrong arg for %s\n", line);
	if (strcmp(line, "exeunt: hold") == 0) {
		flag_set(&inside);
		flag_wait(&release);
	} else if (strcmp(line, "exeunt: fork") == 0) {
		pid = fork();
		if (pid == 0) {
			is_child = 1;
			exeunt_report("child in fn");
			return;
		}
		if (pid < 0)
			say("fork: %s\n", strerror(errno));
		else
			reap(pid);
	}
}

static void *
holder(void *arg)
{
	(void)arg;
	exeunt_report("hold");
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t t;
	pid_t pid;

	if (argc < 2)
		return 99;
	mode = argv[1];
	if (exeunt_set_report(fn, &arg_token) != 0)
		return 100;
	if (strcmp(mode, "keep") == 0 || strcmp(mode, "busy") == 0) {
		if (strcmp(mode, "busy") == 0) {
			if (pthread_create(&t, NULL, holder, NULL) != 0)
				return 101;
			flag_wait(&inside);
		}
		pid = fork();
		if (pid == 0) {
			exeunt_report("in child");
			/* busy: the child of a threaded process ends with
			 * _exit(), where LeakSanitizer's check, which can
			 * complain there of a "running thread", does not
			 * run (see check_hostile.c). */
			if (strcmp(mode, "busy") == 0)
				_exit(0);
			exit(0);
		}
		if (pid < 0)
			return 102;
		reap(pid);
		if (strcmp(mode, "busy") == 0) {
			flag_set(&release);
			pthread_join(t, NULL);
		}
	} else if (strcmp(mode, "infn") == 0) {
		exeunt_report("fork");
		if (is_child) {
			exeunt_report("child after");
			exit(0);
		}
	} else {
		return 99;
	}
	say("main exits\n");
	return 0;
}
