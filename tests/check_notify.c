/*
 * systemd notification at shutdown: exeunt_notify(3), EXEUNT_NOTIFY and
 * $NOTIFY_SOCKET.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * The test plays the service manager: it binds a datagram socket (a path
 * in a temporary directory, or an abstract name), passes it to a
 * scenario program in NOTIFY_SOCKET and reads every datagram the program
 * sends while it runs and after it has ended.  Each test asserts on the
 * exact messages and their order, the program's output and exit status.
 * No test measures time: EXTEND_TIMEOUT_USEC is checked against the
 * limit, which it must never exceed.
 */
#include "tests.h"

#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define MSG_MAX 64
#define DGRAM_BUF 2048

static struct child ch;

/* The test's end of NOTIFY_SOCKET. */
static struct {
	int fd;
	char dir[64];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char env[256];		/* NOTIFY_SOCKET=... */
} sink = { -1, "", "", "" };

/* The datagrams received, in order. */
static struct {
	int n;
	char m[MSG_MAX][DGRAM_BUF];
	size_t len[MSG_MAX];
} got;

static void
sink_bind(const struct sockaddr_un *sa, socklen_t len)
{
	sink.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	ck_assert_msg(sink.fd >= 0, "socket: %s", strerror(errno));
	ck_assert_msg(bind(sink.fd, (const struct sockaddr *)sa, len) == 0,
	    "bind: %s", strerror(errno));
	got.n = 0;
}

/* A socket at a path in a new temporary directory: "<dir>/notify". */
static void
sink_path(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *tmp = getenv("TMPDIR");

	snprintf(sink.dir, sizeof sink.dir, "%s/exeunt-nt-XXXXXX",
	    tmp != NULL && *tmp == '/' && strlen(tmp) < 30 ? tmp : "/tmp");
	ck_assert_msg(mkdtemp(sink.dir) != NULL, "mkdtemp: %s",
	    strerror(errno));
	snprintf(sink.path, sizeof sink.path, "%s/notify", sink.dir);
	memcpy(sa.sun_path, sink.path, strlen(sink.path) + 1);
	sink_bind(&sa, (socklen_t)sizeof sa);
	snprintf(sink.env, sizeof sink.env, "NOTIFY_SOCKET=%s", sink.path);
}

/* A socket with the abstract name name (no leading NUL), and
 * NOTIFY_SOCKET=@name. */
static void
sink_abstract(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(name);

	ck_assert(len + 1 <= sizeof sa.sun_path);
	memcpy(sa.sun_path + 1, name, len);
	sink_bind(&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    1 + len));
	snprintf(sink.env, sizeof sink.env, "NOTIFY_SOCKET=@%s", name);
}

/* An abstract name unique to this test process, len bytes long. */
static void
unique_name(char *buf, size_t len)
{
	size_t n;

	ck_assert(len >= 32);
	n = (size_t)snprintf(buf, len + 1, "exeunt-nt-%d-", (int)getpid());
	memset(buf + n, 'x', len - n);
	buf[len] = '\0';
}

static void
sink_close(void)
{
	if (sink.fd >= 0)
		close(sink.fd);
	sink.fd = -1;
	if (sink.path[0] != '\0')
		unlink(sink.path);
	if (sink.dir[0] != '\0')
		rmdir(sink.dir);
	sink.path[0] = sink.dir[0] = '\0';
}

/* Reads the datagrams waiting, without blocking. */
static void
drain(void)
{
	ssize_t n;

	for (;;) {
		ck_assert_msg(got.n < MSG_MAX, "more than %d datagrams",
		    MSG_MAX);
		n = recv(sink.fd, got.m[got.n], DGRAM_BUF - 1, 0);
		if (n < 0) {
			ck_assert_msg(errno == EAGAIN || errno == EINTR,
			    "recv: %s", strerror(errno));
			if (errno == EAGAIN)
				return;
			continue;
		}
		got.m[got.n][n] = '\0';
		got.len[got.n++] = (size_t)n;
	}
}

/* 1 once the child has ended (it is not reaped). */
static int
child_ended(const struct child *c)
{
	siginfo_t si;

	memset(&si, 0, sizeof si);
	if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
		return 1;
	return si.si_pid == c->pid;
}

/*
 * Reads datagrams until the child has ended, or until one holds text
 * (text not NULL) or the deadline passes.  The socket's queue is short
 * (net.unix.max_dgram_qlen, 10 by default), so it is read while the
 * child runs.
 */
static void
collect(const char *text)
{
	struct pollfd p = { .fd = sink.fd, .events = POLLIN };
	int i;

	for (;;) {
		drain();
		for (i = 0; text != NULL && i < got.n; i++)
			if (strstr(got.m[i], text) != NULL)
				return;
		if (child_ended(&ch) || deadline_passed(&ch.deadline))
			return;
		(void)poll(&p, 1, 20);
	}
}

/* Runs prog with args and env to its end, collecting every datagram. */
static void
run(const char *prog, const char *const *args, const char *const *env)
{
	child_start(&ch, prog, args, env, 0);
	collect(NULL);
	child_finish(&ch);
	drain();
}

/* Removes "\nEXTEND_TIMEOUT_USEC=N" from message i; its N, or -1. */
static long long
take_extend(int i)
{
	char *p = strstr(got.m[i], "\nEXTEND_TIMEOUT_USEC=");
	long long usec;
	char *end;

	if (p == NULL)
		return -1;
	usec = strtoll(p + 21, &end, 10);
	ck_assert_msg(end > p + 21 && *end == '\0',
	    "message %d: malformed EXTEND_TIMEOUT_USEC:\n%s", i, got.m[i]);
	*p = '\0';
	return usec;
}

static void
dump_got(char *buf, size_t size)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < got.n && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "[%d] %s\n", i,
		    got.m[i]);
}

/* The messages, with EXTEND_TIMEOUT_USEC taken out, are want[]. */
static void
assert_messages(const char *const *want, int n)
{
	char all[8192];
	int i;

	dump_got(all, sizeof all);
	ck_assert_msg(got.n == n, "%d datagrams, want %d:\n%s--- stderr:\n%s",
	    got.n, n, all, ch.err_buf);
	for (i = 0; i < n; i++)
		ck_assert_msg(strcmp(got.m[i], want[i]) == 0,
		    "datagram %d:\n%s\nwant:\n%s\nall:\n%s", i, got.m[i],
		    want[i], all);
}

static void
assert_none(void)
{
	char all[8192];

	drain();
	dump_got(all, sizeof all);
	ck_assert_msg(got.n == 0, "%d datagrams, want none:\n%s", got.n, all);
}

/* scenario_nt_chain ------------------------------------------------- */

static const char *const chain_msgs[] = {
	"STOPPING=1\nSTATUS=stopping: waiting for 4 threads: logger, "
	    "worker-2, worker-1, acceptor",
	"STATUS=stopping: waiting for 3 threads: logger, worker-2, worker-1",
	"STATUS=stopping: waiting for 2 threads: logger, worker-1",
	"STATUS=stopping: waiting for 1 thread: logger",
	"STATUS=stopping: all threads finished; running exit hooks",
};
#define CHAIN_N 5

static const char chain_out[] = "notify(2) EINVAL, notify(-1) EINVAL\n"
    "main exits\nhook: notify(0) EBUSY\n";

/* The chain ran as it should, and sent no EXTEND_TIMEOUT_USEC. */
static void
assert_chain(void)
{
	int i;

	child_assert_exit(&ch, 3);
	child_assert_quiet(&ch);
	child_assert_out(&ch, chain_out);
	for (i = 0; i < got.n; i++)
		ck_assert_msg(take_extend(i) == -1, "datagram %d has "
		    "EXTEND_TIMEOUT_USEC with no deadline:\n%s", i, got.m[i]);
	assert_messages(chain_msgs, CHAIN_N);
}

/* The chain ran as it should, without a single datagram. */
static void
assert_chain_silent(void)
{
	child_assert_exit(&ch, 3);
	child_assert_quiet(&ch);
	child_assert_out(&ch, chain_out);
	assert_none();
}

START_TEST(messages_in_order_path)
{
	const char *args[] = { "call1", NULL };
	const char *env[] = { NULL, NULL };

	sink_path();
	env[0] = sink.env;
	run("scenario_nt_chain", args, env);
	assert_chain();
	sink_close();
}
END_TEST

START_TEST(messages_in_order_abstract)
{
	const char *args[] = { "call1", NULL };
	const char *env[] = { NULL, NULL };
	char name[40];

	unique_name(name, sizeof name - 1);
	sink_abstract(name);
	env[0] = sink.env;
	run("scenario_nt_chain", args, env);
	assert_chain();
	sink_close();
}
END_TEST

/* EXEUNT_NOTIFY=1 opts in, with no call. */
START_TEST(env_opts_in)
{
	const char *args[] = { "none", NULL };
	const char *env[] = { NULL, "EXEUNT_NOTIFY=1", NULL };

	sink_path();
	env[0] = sink.env;
	run("scenario_nt_chain", args, env);
	assert_chain();
	sink_close();
}
END_TEST

/* Not opted in: nothing at all. */
static const struct {
	const char *mode, *var;
} off_cases[] = {
	{ "none", NULL },
	{ "none", "EXEUNT_NOTIFY=0" },
	{ "none", "EXEUNT_NOTIFY=" },
	{ "call0", "EXEUNT_NOTIFY=1" },	/* the call wins */
};

START_TEST(not_opted_in_sends_nothing)
{
	const char *args[] = { off_cases[_i].mode, NULL };
	const char *env[] = { NULL, off_cases[_i].var, NULL };

	sink_path();
	env[0] = sink.env;
	run("scenario_nt_chain", args, env);
	assert_chain_silent();
	sink_close();
}
END_TEST

/* EXEUNT_NOTIFY=yes: one warning, and off. */
START_TEST(env_bogus_warns_once)
{
	const char *args[] = { "none", NULL };
	const char *env[] = { NULL, "EXEUNT_NOTIFY=yes", NULL };
	static const char want[] = "exeunt: ignoring EXEUNT_NOTIFY=\"yes\" "
	    "(not 0 or 1); not notifying the service manager\n";

	sink_path();
	env[0] = sink.env;
	run("scenario_nt_chain", args, env);
	child_assert_exit(&ch, 3);
	child_assert_out(&ch, chain_out);
	ck_assert_msg(strcmp(ch.err_buf, want) == 0, "stderr:\n%s\nwant:\n%s",
	    ch.err_buf, want);
	assert_none();
	sink_close();
}
END_TEST

/* exeunt_notify(1) wins over a bad variable, which is not even read. */
START_TEST(call_wins_over_bogus_env)
{
	const char *args[] = { "call1", NULL };
	const char *env[] = { NULL, "EXEUNT_NOTIFY=yes", NULL };

	sink_path();
	env[0] = sink.env;
	run("scenario_nt_chain", args, env);
	assert_chain();
	sink_close();
}
END_TEST

/*
 * With a deadline, every "waiting for" message carries the time left
 * until it, more than none and never more than the limit, and never more
 * than the message before; the final one carries none.
 */
START_TEST(extend_timeout_with_deadline)
{
	const char *args[] = { "call1", NULL };
	const char *env[] = { NULL, NULL, NULL };
	long long usec, limit_usec, prev;
	char timeout[64];
	long ms = (long)(30000 * test_scale());
	int i;

	snprintf(timeout, sizeof timeout, "EXEUNT_TIMEOUT=%ldms", ms);
	limit_usec = (long long)ms * 1000;
	sink_path();
	env[0] = sink.env;
	env[1] = timeout;
	run("scenario_nt_chain", args, env);
	child_assert_exit(&ch, 3);
	child_assert_quiet(&ch);
	child_assert_out(&ch, chain_out);
	ck_assert_int_eq(got.n, CHAIN_N);
	prev = limit_usec;
	for (i = 0; i < CHAIN_N; i++) {
		usec = take_extend(i);
		if (i == CHAIN_N - 1) {
			ck_assert_msg(usec == -1, "final message has "
			    "EXTEND_TIMEOUT_USEC=%lld", usec);
			continue;
		}
		ck_assert_msg(usec > 0 && usec <= prev, "datagram %d: "
		    "EXTEND_TIMEOUT_USEC=%lld, want 0 < it <= %lld", i, usec,
		    prev);
		prev = usec;
	}
	assert_messages(chain_msgs, CHAIN_N);
	sink_close();
}
END_TEST

/* A fork() child of a terminate callback has no shutdown: there,
 * exeunt_notify() is not EBUSY, and the parent's messages are as ever. */
START_TEST(fork_child_has_no_shutdown)
{
	const char *args[] = { "call1", "fork", NULL };
	const char *env[] = { NULL, NULL };
	static const char want[] = "notify(2) EINVAL, notify(-1) EINVAL\n"
	    "main exits\nchild: phase RUNNING, notify(1) 0\nchild reaped\n"
	    "hook: notify(0) EBUSY\n";

	sink_path();
	env[0] = sink.env;
	run("scenario_nt_chain", args, env);
	child_assert_exit(&ch, 3);
	child_assert_quiet(&ch);
	child_assert_out(&ch, want);
	assert_messages(chain_msgs, CHAIN_N);
	sink_close();
}
END_TEST

/*
 * NOTIFY_SOCKET values that are not used: nothing sent, nothing on
 * stderr, the exit status unchanged.  Where the value could reach the
 * test's socket if it were used anyway (a relative path from the
 * directory of the socket, an abstract name one byte too long whose
 * truncation is the socket's name), the socket stays silent.
 */
enum { BAD_RELATIVE, BAD_TOO_LONG, BAD_VSOCK, BAD_AT, BAD_EMPTY,
    BAD_NOBODY, BAD_N };

START_TEST(bad_notify_socket)
{
	const char *args[] = { "call1", NULL };
	const char *env[] = { NULL, NULL };
	char name[110], cwd[4096], value[256];

	switch (_i) {
	case BAD_RELATIVE:
		sink_path();
		ck_assert(getcwd(cwd, sizeof cwd) != NULL);
		ck_assert_int_eq(chdir(sink.dir), 0);
		env[0] = "NOTIFY_SOCKET=notify";
		break;
	case BAD_TOO_LONG:
		/* sun_path holds the NUL and 107 bytes of name. */
		unique_name(name, 107);
		sink_abstract(name);
		snprintf(value, sizeof value, "NOTIFY_SOCKET=@%sy", name);
		env[0] = value;
		break;
	case BAD_VSOCK:
		sink_path();
		env[0] = "NOTIFY_SOCKET=vsock:2:1234";
		break;
	case BAD_AT:
		sink_path();
		env[0] = "NOTIFY_SOCKET=@";
		break;
	case BAD_EMPTY:
		sink_path();
		env[0] = "NOTIFY_SOCKET=";
		break;
	default:
		/* Absolute, but nobody listens: the errors are ignored. */
		sink_path();
		snprintf(value, sizeof value, "NOTIFY_SOCKET=%s/nobody",
		    sink.dir);
		env[0] = value;
		break;
	}
	run("scenario_nt_chain", args, env);
	if (_i == BAD_RELATIVE)
		ck_assert_int_eq(chdir(cwd), 0);
	assert_chain_silent();
	sink_close();
}
END_TEST

/* The longest abstract name, 107 bytes, is used. */
START_TEST(longest_abstract_name)
{
	const char *args[] = { "call1", NULL };
	const char *env[] = { NULL, NULL };
	char name[110];

	unique_name(name, 107);
	sink_abstract(name);
	env[0] = sink.env;
	run("scenario_nt_chain", args, env);
	assert_chain();
	sink_close();
}
END_TEST

/* scenario_nt_stuck: the deadline passes --------------------------- */

static void
run_stuck(const char *action, const char *const **envp, char *limit,
    size_t size, long long *limit_usec)
{
	static const char *env[4];
	static char action_var[64];
	long ms = (long)(200 * test_scale());

	snprintf(limit, size, "EXEUNT_TIMEOUT=%ldms", ms);
	snprintf(action_var, sizeof action_var, "EXEUNT_ON_TIMEOUT=%s",
	    action);
	*limit_usec = (long long)ms * 1000;
	sink_path();
	env[0] = sink.env;
	env[1] = limit;
	env[2] = action_var;
	env[3] = NULL;
	*envp = env;
}

/* The first message: STOPPING=1, the stuck thread, and the time left. */
static void
assert_stuck_first(long long limit_usec)
{
	long long usec;

	ck_assert_int_ge(got.n, 1);
	usec = take_extend(0);
	ck_assert_msg(usec > 0 && usec <= limit_usec, "EXTEND_TIMEOUT_USEC="
	    "%lld, want 0 < it <= %lld", usec, limit_usec);
}

#define STUCK_FIRST "STOPPING=1\nSTATUS=stopping: waiting for 1 thread: " \
    "stuck"
#define STUCK_LATE "STATUS=stopping: deadline passed; 1 thread " \
    "unfinished: stuck"

START_TEST(deadline_proceed)
{
	static const char *const want[] = {
		STUCK_FIRST, STUCK_LATE,
		"STATUS=stopping: deadline passed; running exit hooks",
	};
	const char *const *env;
	long long limit_usec;
	char limit[64];

	run_stuck("proceed", &env, limit, sizeof limit, &limit_usec);
	run("scenario_nt_stuck", NULL, env);
	child_assert_exit(&ch, 3);
	child_assert_out(&ch, "main exits\n");
	assert_stuck_first(limit_usec);
	ck_assert_msg(take_extend(1) == -1 && take_extend(2) == -1,
	    "EXTEND_TIMEOUT_USEC after the deadline");
	assert_messages(want, 3);
	sink_close();
}
END_TEST

START_TEST(deadline_exit)
{
	static const char *const want[] = { STUCK_FIRST, STUCK_LATE };
	const char *const *env;
	long long limit_usec;
	char limit[64];

	run_stuck("exit", &env, limit, sizeof limit, &limit_usec);
	run("scenario_nt_stuck", NULL, env);
	child_assert_exit(&ch, EXEUNT_EXIT_TIMEOUT);
	assert_stuck_first(limit_usec);
	assert_messages(want, 2);
	sink_close();
}
END_TEST

/* With "wait", the shutdown still waits: once the stuck thread is
 * released after the deadline message, the final message follows. */
START_TEST(deadline_wait)
{
	static const char *const want[] = {
		STUCK_FIRST, STUCK_LATE,
		"STATUS=stopping: all threads finished; running exit hooks",
	};
	const char *const *env;
	long long limit_usec;
	char limit[64];

	run_stuck("wait", &env, limit, sizeof limit, &limit_usec);
	child_start(&ch, "scenario_nt_stuck", NULL, env, 0);
	collect("deadline passed");
	child_write(&ch, "go\n");
	collect(NULL);
	child_finish(&ch);
	drain();
	child_assert_exit(&ch, 3);
	child_assert_out(&ch, "main exits\nstuck released\n");
	assert_stuck_first(limit_usec);
	ck_assert_msg(take_extend(1) == -1 && take_extend(2) == -1,
	    "EXTEND_TIMEOUT_USEC after the deadline");
	assert_messages(want, 3);
	sink_close();
}
END_TEST

/* scenario_nt_many: names and the size of a datagram --------------- */

/* Nothing to wait for: "waiting for 0 threads", then the final one. */
START_TEST(nothing_waited_for)
{
	static const char *const want[] = {
		"STOPPING=1\nSTATUS=stopping: waiting for 0 threads",
		"STATUS=stopping: all threads finished; running exit hooks",
	};
	const char *args[] = { "0", NULL };
	const char *env[] = { NULL, NULL };

	sink_path();
	env[0] = sink.env;
	run("scenario_nt_many", args, env);
	child_assert_exit(&ch, 0);
	child_assert_quiet(&ch);
	child_assert_out(&ch, "main exits\nhook runs\n");
	assert_messages(want, 2);
	sink_close();
}
END_TEST

/*
 * 40 names of 36 bytes do not fit in 1 KiB: the first message lists the
 * newest first, as many as fit, then ", and N more" for the others.
 * Every datagram stays under 1 KiB.  (The socket's queue is short, so
 * later messages may be dropped by the sender: only the first is
 * certain.)
 */
START_TEST(names_truncated_under_1k)
{
	const char *args[] = { "40", NULL };
	const char *env[] = { NULL, NULL };
	static const char head[] = "STOPPING=1\nSTATUS=stopping: waiting for "
	    "40 threads: ";
	char name[64];
	const char *p;
	int i, listed = 0, more = -1, end = -1;

	sink_path();
	env[0] = sink.env;
	run("scenario_nt_many", args, env);
	child_assert_exit(&ch, 0);
	child_assert_quiet(&ch);
	ck_assert_int_ge(got.n, 1);
	for (i = 0; i < got.n; i++)
		ck_assert_msg(got.len[i] < 1024, "datagram %d of %zu bytes", i,
		    got.len[i]);
	ck_assert_msg(strncmp(got.m[0], head, sizeof head - 1) == 0,
	    "first datagram:\n%s", got.m[0]);
	p = got.m[0] + sizeof head - 1;
	for (i = 40; i > 0; i--, listed++) {
		snprintf(name, sizeof name, "%sa-thread-with-a-rather-long-"
		    "name-%03d", listed == 0 ? "" : ", ", i);
		if (strncmp(p, name, strlen(name)) != 0)
			break;
		p += strlen(name);
	}
	ck_assert_msg(sscanf(p, ", and %d more%n", &more, &end) == 1 &&
	    end > 0 && p[end] == '\0', "first datagram does not end in "
	    "\", and N more\" after %d names:\n%s", listed, got.m[0]);
	ck_assert_msg(listed > 10 && listed + more == 40, "%d names and %d "
	    "more, want 40:\n%s", listed, more, got.m[0]);
	sink_close();
}
END_TEST

Suite *
make_notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *msg = tcase_create("messages");
	TCase *opt = tcase_create("opt_in");
	TCase *sock = tcase_create("socket");
	TCase *dl = tcase_create("deadline");

	tcase_set_timeout(msg, SCENARIO_TIMEOUT);
	tcase_add_test(msg, messages_in_order_path);
	tcase_add_test(msg, messages_in_order_abstract);
	tcase_add_test(msg, extend_timeout_with_deadline);
	tcase_add_test(msg, fork_child_has_no_shutdown);
	tcase_add_test(msg, nothing_waited_for);
	tcase_add_test(msg, names_truncated_under_1k);
	suite_add_tcase(s, msg);

	tcase_set_timeout(opt, SCENARIO_TIMEOUT);
	tcase_add_test(opt, env_opts_in);
	tcase_add_loop_test(opt, not_opted_in_sends_nothing, 0,
	    (int)(sizeof off_cases / sizeof off_cases[0]));
	tcase_add_test(opt, env_bogus_warns_once);
	tcase_add_test(opt, call_wins_over_bogus_env);
	suite_add_tcase(s, opt);

	tcase_set_timeout(sock, SCENARIO_TIMEOUT);
	tcase_add_loop_test(sock, bad_notify_socket, 0, BAD_N);
	tcase_add_test(sock, longest_abstract_name);
	suite_add_tcase(s, sock);

	tcase_set_timeout(dl, SCENARIO_TIMEOUT);
	tcase_add_test(dl, deadline_proceed);
	tcase_add_test(dl, deadline_exit);
	tcase_add_test(dl, deadline_wait);
	suite_add_tcase(s, dl);
	return s;
}
