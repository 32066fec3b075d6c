/*
 * Scenario children: the helpers of the suites that run scenario programs
 * as processes, talk to them while they run (wait for a line, send a
 * signal, write to their standard input) and then check how they ended.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * A child gets a clean environment: every EXEUNT_* variable of ours is
 * dropped, so only the variables a test passes reach it.  Its standard
 * input is a pipe that stays open until the child has been reaped, so a
 * scenario thread blocked reading it is released only when the test says
 * so.  Every wait has a deadline (POLL_DEADLINE_MS, scaled): a child still
 * running then is killed and marked hung.
 */
#include "tests.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define CHILD_ENV_MAX 256

static int
dropped(const char *entry, const char *const *extra)
{
	size_t n;

	if (strncmp(entry, "EXEUNT_", 7) == 0)
		return 1;
	for (; extra != NULL && *extra != NULL; extra++) {
		n = strcspn(*extra, "=");
		if (strncmp(entry, *extra, n) == 0 && entry[n] == '=')
			return 1;
	}
	return 0;
}

const char *
linked(const char *prog, int linkage)
{
	/* Linked with libexeunt.so, and with libexeunt.a. */
	static const char *const suffix[LINKAGES] = { "", "_static" };
	static char name[64];

	ck_assert(linkage >= 0 && linkage < LINKAGES);
	snprintf(name, sizeof name, "%s%s", prog, suffix[linkage]);
	return name;
}

void
child_start(struct child *c, const char *prog, const char *const *args,
    const char *const *env, int flags)
{
	char path[PATH_MAX];
	char *argv[16];
	char *envp[CHILD_ENV_MAX];
	int in[2], out[2], err[2];
	size_t n = 0;
	char **e;
	int i;

	memset(c, 0, sizeof *c);
	c->pid = -1;
	c->in = c->out = c->err = -1;
	snprintf(c->name, sizeof c->name, "%s", prog);
	snprintf(path, sizeof path, "%s/%s", BUILDDIR, prog);
	argv[0] = path;
	for (i = 0; args != NULL && args[i] != NULL && i < 14; i++)
		argv[i + 1] = (char *)args[i];
	argv[i + 1] = NULL;
	for (e = environ; *e != NULL && n < CHILD_ENV_MAX - 32; e++)
		if (!dropped(*e, env))
			envp[n++] = *e;
	for (i = 0; env != NULL && env[i] != NULL && n < CHILD_ENV_MAX - 1;
	    i++)
		envp[n++] = (char *)env[i];
	envp[n] = NULL;

	/* Writing to a child that already ended must fail, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(err, O_CLOEXEC), 0);
	c->pid = fork();
	ck_assert_msg(c->pid >= 0, "fork: %s", strerror(errno));
	if (c->pid == 0) {
		/* Only async-signal-safe calls from here to execve(). */
		struct sigaction dfl;
		struct rlimit none = { 0, 0 };
		sigset_t all;

		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		sigaction(SIGPIPE, &dfl, NULL);
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		if ((flags & CHILD_NO_CORE) != 0)
			setrlimit(RLIMIT_CORE, &none);
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 ||
		    dup2(err[1], 2) < 0)
			_exit(127);
		execve(path, argv, envp);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	c->in = in[1];
	c->out = out[0];
	c->err = err[0];
	c->deadline = deadline_in(POLL_DEADLINE_MS);
}

static void
drain_into(int *fd, char *buf, size_t *len)
{
	char scratch[4096];
	ssize_t n;

	n = read(*fd, scratch, sizeof scratch);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	if (*len + (size_t)n >= CHILD_OUT_MAX)
		n = (ssize_t)(CHILD_OUT_MAX - 1 - *len);
	memcpy(buf + *len, scratch, (size_t)n);
	*len += (size_t)n;
	buf[*len] = '\0';
}

/* Reads what is there, waiting up to 50 ms; 0 once both pipes are shut. */
static int
pump(struct child *c)
{
	struct pollfd p[2] = {
		{ .fd = c->out, .events = POLLIN },
		{ .fd = c->err, .events = POLLIN },
	};

	if (c->out < 0 && c->err < 0)
		return 0;
	if (poll(p, 2, 50) <= 0)
		return 1;
	if (p[0].revents != 0)
		drain_into(&c->out, c->out_buf, &c->out_len);
	if (p[1].revents != 0)
		drain_into(&c->err, c->err_buf, &c->err_len);
	return 1;
}

int
child_await(struct child *c, int which, const char *text)
{
	const char *buf = which == CHILD_STDERR ? c->err_buf : c->out_buf;

	for (;;) {
		if (strstr(buf, text) != NULL)
			return 1;
		if (deadline_passed(&c->deadline) || !pump(c))
			return strstr(buf, text) != NULL;
	}
}

void
child_write(struct child *c, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;

	ck_assert_int_ge(c->in, 0);
	n = write(c->in, text, len);
	ck_assert_msg(n == (ssize_t)len, "write to %s: %s", c->name,
	    n < 0 ? strerror(errno) : "short");
}

void
child_kill(struct child *c, int signo)
{
	ck_assert_int_eq(kill(c->pid, signo), 0);
}

void
child_finish(struct child *c)
{
	pid_t w;

	while (!deadline_passed(&c->deadline) && pump(c))
		continue;
	if (c->out >= 0 || c->err >= 0)
		c->hung = 1;
	for (;;) {
		if (c->hung)
			kill(c->pid, SIGKILL);
		w = waitpid(c->pid, &c->status, c->hung ? 0 : WNOHANG);
		if (w == c->pid)
			break;
		if (w < 0) {
			ck_assert_msg(errno == EINTR, "waitpid: %s",
			    strerror(errno));
			continue;
		}
		if (deadline_passed(&c->deadline))
			c->hung = 1;
		else
			poll_pause();
	}
	if (c->out >= 0)
		close(c->out);
	if (c->err >= 0)
		close(c->err);
	/* Only now: a thread blocked reading it must not be released. */
	close(c->in);
	c->in = c->out = c->err = -1;
}

void
child_run(struct child *c, const char *prog, const char *const *args,
    const char *const *env, int flags)
{
	child_start(c, prog, args, env, flags);
	child_finish(c);
}

static void
assert_not_hung(const struct child *c)
{
	ck_assert_msg(!c->hung, "%s hung and was killed; stdout:\n%s\n"
	    "--- stderr:\n%s", c->name, c->out_buf, c->err_buf);
}

void
child_assert_exit(const struct child *c, int status)
{
	assert_not_hung(c);
	ck_assert_msg(WIFEXITED(c->status),
	    "%s died of signal %d, want exit status %d; stdout:\n%s\n"
	    "--- stderr:\n%s", c->name,
	    WIFSIGNALED(c->status) ? WTERMSIG(c->status) : 0, status,
	    c->out_buf, c->err_buf);
	ck_assert_msg(WEXITSTATUS(c->status) == status,
	    "%s exit status %d, want %d; stdout:\n%s\n--- stderr:\n%s",
	    c->name, WEXITSTATUS(c->status), status, c->out_buf, c->err_buf);
}

void
child_assert_signal(const struct child *c, int signo)
{
	assert_not_hung(c);
	ck_assert_msg(WIFSIGNALED(c->status),
	    "%s exited with status %d, want death by signal %d; stdout:\n%s\n"
	    "--- stderr:\n%s", c->name,
	    WIFEXITED(c->status) ? WEXITSTATUS(c->status) : -1, signo,
	    c->out_buf, c->err_buf);
	ck_assert_msg(WTERMSIG(c->status) == signo,
	    "%s died of signal %d, want %d; stdout:\n%s\n--- stderr:\n%s",
	    c->name, WTERMSIG(c->status), signo, c->out_buf, c->err_buf);
}

void
child_assert_out(const struct child *c, const char *want)
{
	ck_assert_msg(strcmp(c->out_buf, want) == 0,
	    "%s printed:\n%s--- instead of:\n%s---\nstderr:\n%s", c->name,
	    c->out_buf, want, c->err_buf);
}

void
child_assert_quiet(const struct child *c)
{
	ck_assert_msg(c->err_len == 0, "%s wrote to stderr:\n%s", c->name,
	    c->err_buf);
}

int
split_lines(char *buf, char **line, int max)
{
	int n = 0;
	char *p = buf, *nl;

	while (*p != '\0' && n < max) {
		line[n++] = p;
		nl = strchr(p, '\n');
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return n;
}
