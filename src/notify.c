/*
 * systemd's notification protocol at shutdown: exeunt_notify().
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * When the program opted in (exeunt_notify(1), or EXEUNT_NOTIFY=1) and
 * $NOTIFY_SOCKET names an AF_UNIX socket, the shutdown tells the service
 * manager that it is stopping and how far it has got: the threads it
 * still waits for, the deadline passed, the exit hooks.  The protocol is
 * sd_notify(3)'s, without libsystemd: one datagram per message.
 *
 * Every message is built under the library lock, where the registry is
 * seen, into one slot (msg) with a version number one higher than the
 * last; it is sent outside that lock by exeunt__notify_flush(), which
 * takes the notify mutex, copies the slot under the library lock and
 * sends it only if it is newer than the last one sent.  So two threads
 * that finish one after the other cannot send their messages out of
 * order: a message overtaken by a newer one is dropped, and the newer
 * one says what is true now.  Lock order: the notify mutex, then the
 * library lock.  No system call is made under the library lock.
 *
 * Which threads count: those the shutdown waits for, the registered
 * non-daemon threads that had not finished when it began, except the
 * thread that runs it (see begin_join_locked() in coordinator.c).  No
 * thread can be registered once it has begun, so that set only shrinks:
 * a counter, set when it begins and counted down as each of them
 * finishes, says how many are left.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* A datagram stays under 1 KiB: STOPPING=1 and EXTEND_TIMEOUT_USEC= with
 * 20 digits are added to STATUS= when it is sent. */
#define DGRAM_MAX 1023
#define STOPPING "STOPPING=1\n"
#define EXTEND "\nEXTEND_TIMEOUT_USEC="
#define STATUS_MAX (DGRAM_MAX - (sizeof(STOPPING) - 1) - \
    (sizeof(EXTEND) - 1) - 20)
/* Room kept for ", and N more". */
#define MORE_MAX 32

/* 1 while a running shutdown notifies: the one flag the call sites test
 * (EXEUNT__NOTIFY).  Written under the library lock. */
atomic_int exeunt__notify_on;

/* Guarded by the library lock. */
static struct {
	int by_call;		/* exeunt_notify() was called */
	int enable;
	int env_read;
	struct sockaddr_un addr;	/* $NOTIFY_SOCKET, read at the start */
	socklen_t addrlen;
	const struct exeunt_thread *owner;	/* not counted */
	size_t waiting;		/* threads the shutdown still waits for */
	int counting;		/* finishes send a message */
	int final;		/* the joins' end was told */
	/* The last message built. */
	unsigned long long version;
	char text[STATUS_MAX + 1];
	size_t len;
	int extend;		/* with EXTEND_TIMEOUT_USEC, until: */
	struct timespec deadline;
} nt;

/* Guarded by the notify mutex. */
static pthread_mutex_t send_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long sent;		/* version of the last message sent */
static int stopping_sent;		/* STOPPING=1 went with it */

int
exeunt_notify(int enable)
{
	if (enable != 0 && enable != 1)
		return EINVAL;
	exeunt__lock();
	if (exeunt__sd.state == EXEUNT__SHUT_RUNNING) {
		exeunt__unlock();
		return EBUSY;
	}
	nt.by_call = 1;
	nt.enable = enable;
	exeunt__unlock();
	return 0;
}

/* EXEUNT_NOTIFY: "1" on, "0", empty or unset off, else a warning and
 * off.  Read once; the caller holds the lock. */
static void
read_environment_locked(void)
{
	const char *v = secure_getenv("EXEUNT_NOTIFY");

	nt.env_read = 1;
	nt.enable = 0;
	if (v == NULL || *v == '\0' || strcmp(v, "0") == 0)
		return;
	if (strcmp(v, "1") == 0) {
		nt.enable = 1;
		return;
	}
	exeunt__say("ignoring EXEUNT_NOTIFY=\"%s\" (not 0 or 1); not "
	    "notifying the service manager", v);
}

/*
 * $NOTIFY_SOCKET into nt.addr: an absolute path, or "@name" for a name
 * in the abstract namespace.  Returns 0 for anything else (a vsock:
 * address, a relative path, a name too long), which is not used.
 */
static int
read_socket_locked(void)
{
	const char *v = getenv("NOTIFY_SOCKET");
	size_t len;

	if (v == NULL || (v[0] != '/' && v[0] != '@'))
		return 0;
	/* A path and its NUL, or the '@' (a NUL) and the name, in
	 * sun_path; an empty abstract name is none. */
	len = strlen(v);
	if (len + (v[0] == '/') > sizeof(nt.addr.sun_path) ||
	    (v[0] == '@' && len == 1))
		return 0;
	memset(&nt.addr, 0, sizeof(nt.addr));
	nt.addr.sun_family = AF_UNIX;
	memcpy(nt.addr.sun_path, v, len);
	if (v[0] == '@') {
		nt.addr.sun_path[0] = '\0';
		nt.addrlen = (socklen_t)(offsetof(struct sockaddr_un,
		    sun_path) + len);
	} else
		nt.addrlen = (socklen_t)(offsetof(struct sockaddr_un,
		    sun_path) + len + 1);
	return 1;
}

static int
counted(const struct exeunt_thread *t)
{
	return !t->daemon && t != nt.owner;
}

/* Appends to the slot's text, within STATUS_MAX. */
static void
add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
add(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(nt.text + nt.len, sizeof(nt.text) - nt.len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	nt.len += (size_t)n;
	if (nt.len > STATUS_MAX)
		nt.len = STATUS_MAX;
}

/* SEP and NAME, each control character of the name replaced by '?'
 * (exeunt__clean_name): a newline would begin an assignment of its own
 * in the datagram.  The caller has checked that it fits. */
static void
add_name(const char *sep, const char *name)
{
	char clean[EXEUNT_NAME_MAX + 1];

	exeunt__clean_name(clean, name);
	add("%s%s", sep, clean);
}

/*
 * The names of the threads still waited for, newest first, after what
 * the text holds: ": a, b" or ": a, b, and 3 more" so that the text stays
 * within STATUS_MAX.  Nothing when none is left.  The caller holds the
 * lock.
 */
static void
add_names_locked(void)
{
	const struct exeunt_thread *t;
	size_t listed = 0, need;

	for (t = exeunt__reg.tail; t != NULL && listed < nt.waiting;
	    t = t->prev) {
		if (t->finished || !counted(t))
			continue;
		need = 2 + strlen(t->name);
		/* The last name needs no room for ", and N more". */
		if (nt.len + need + (listed + 1 < nt.waiting ? MORE_MAX : 0) >
		    STATUS_MAX)
			break;
		add_name(listed == 0 ? ": " : ", ", t->name);
		listed++;
	}
	if (listed < nt.waiting)
		add("%sand %zu more", listed == 0 ? ": " : ", ",
		    nt.waiting - listed);
}

/* A new message in the slot: "STATUS=stopping: " + what, and a new
 * version.  The caller holds the lock. */
static void
begin_message_locked(const char *what)
{
	nt.version++;
	nt.len = 0;
	nt.extend = 0;
	add("STATUS=stopping: %s", what);
}

/*
 * "waiting for N thread(s): names", with EXTEND_TIMEOUT_USEC up to the
 * deadline if the shutdown has one; once none is left, "all threads
 * finished; running exit hooks", the final message.  The caller holds
 * the lock.
 */
static void
build_waiting_locked(void)
{
	if (nt.waiting == 0 && nt.counting) {
		begin_message_locked("all threads finished; running exit "
		    "hooks");
		nt.final = 1;
		nt.counting = 0;
		return;
	}
	begin_message_locked("waiting for ");
	add("%zu thread%s", nt.waiting, nt.waiting == 1 ? "" : "s");
	add_names_locked();
	nt.extend = exeunt__deadline_get(&nt.deadline);
}

/*
 * The shutdown begins in the calling thread: read whether to notify
 * (exeunt_notify(), else EXEUNT_NOTIFY, once) and where ($NOTIFY_SOCKET,
 * every time), count the threads it waits for and build the first
 * message.  Called after take_snapshot_locked(), with the lock held.
 */
void
exeunt__notify_begin_locked(void)
{
	const struct exeunt_thread *t;

	if (!nt.by_call && !nt.env_read)
		read_environment_locked();
	atomic_store(&exeunt__notify_on, 0);
	if (!nt.enable || !read_socket_locked())
		return;
	nt.owner = exeunt__self;
	nt.waiting = 0;
	for (t = exeunt__reg.head; t != NULL; t = t->next)
		nt.waiting += !t->finished && counted(t);
	/* "waiting for 0 threads" too: the final message is the joins'. */
	nt.counting = 0;
	nt.final = 0;
	build_waiting_locked();
	nt.counting = 1;
	atomic_store(&exeunt__notify_on, 1);
}

/* t has finished (exeunt__finish_locked); the caller holds the lock. */
void
exeunt__notify_finish_locked(const struct exeunt_thread *t)
{
	if (!nt.counting || !counted(t) || nt.waiting == 0 ||
	    exeunt__sd.state != EXEUNT__SHUT_RUNNING)
		return;
	nt.waiting--;
	build_waiting_locked();
}

/*
 * The stages' joins have ended, and the hooks begin: the final message,
 * unless the last thread's finish built it.  After a deadline that
 * abandoned threads, "deadline passed; running exit hooks".  The caller
 * holds the lock.
 */
void
exeunt__notify_joins_end_locked(void)
{
	if (nt.final)
		return;
	nt.final = 1;
	nt.counting = 0;
	begin_message_locked(exeunt__sd.abandon ? "deadline passed; running "
	    "exit hooks" : "all threads finished; running exit hooks");
}

/*
 * The whole microseconds from now until the CLOCK_MONOTONIC time abs,
 * rounded down so as never to reach past it; 0 once it has passed.  A
 * deadline that saturated (exeunt__ts_add) gives a bound of about 31000
 * years, not an overflow.
 */
static long long
usec_until(const struct timespec *abs)
{
	const time_t cap = 1000000000000LL;	/* seconds */
	struct timespec now;
	time_t sec;
	long nsec;

	clock_gettime(CLOCK_MONOTONIC, &now);
	sec = abs->tv_sec - now.tv_sec;
	nsec = abs->tv_nsec - now.tv_nsec;
	if (nsec < 0) {
		sec--;
		nsec += 1000000000L;
	}
	if (sec < 0)
		return 0;
	if (sec > cap)
		sec = cap;
	return (long long)sec * 1000000LL + nsec / 1000;
}

/*
 * Send the slot's message if it is newer than the last one sent: the
 * first message sent carries STOPPING=1, and a "waiting for" message
 * the time left until the deadline, if any is.  Errors are ignored; the
 * send never blocks.  Not a cancellation point.  Called without the
 * library lock.
 */
void
exeunt__notify_flush(void)
{
	char buf[DGRAM_MAX + 1];
	struct sockaddr_un addr;
	struct timespec deadline;
	unsigned long long version;
	long long left;
	socklen_t addrlen;
	size_t len = 0;
	int extend, cancel, fd, saved = errno;

	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	pthread_mutex_lock(&send_lock);
	exeunt__lock();
	version = nt.version;
	if (version > sent && atomic_load(&exeunt__notify_on)) {
		if (!stopping_sent) {
			memcpy(buf, STOPPING, sizeof(STOPPING) - 1);
			len = sizeof(STOPPING) - 1;
		}
		memcpy(buf + len, nt.text, nt.len);
		len += nt.len;
		extend = nt.extend;
		deadline = nt.deadline;
		addr = nt.addr;
		addrlen = nt.addrlen;
	} else
		version = 0;
	exeunt__unlock();
	if (version == 0)
		goto out;
	sent = version;
	stopping_sent = 1;
	if (extend && (left = usec_until(&deadline)) > 0)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%lld",
		    EXTEND, left);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		(void)sendto(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL,
		    (const struct sockaddr *)&addr, addrlen);
		close(fd);
	}
out:
	pthread_mutex_unlock(&send_lock);
	(void)pthread_setcancelstate(cancel, NULL);
	errno = saved;
}

/*
 * The deadline has passed (exeunt__overrun, after its report): "deadline
 * passed; N thread(s) unfinished: names", and sent at once.  Unless the
 * shutdown keeps waiting (waiting), the threads that finish from now on
 * send nothing more: it no longer waits for them, or the process ends.
 */
void
exeunt__notify_overrun(int waiting)
{
	if (!atomic_load(&exeunt__notify_on))
		return;
	exeunt__lock();
	if (nt.final || exeunt__sd.state != EXEUNT__SHUT_RUNNING) {
		exeunt__unlock();
		return;
	}
	begin_message_locked("deadline passed; ");
	add("%zu thread%s unfinished", nt.waiting, nt.waiting == 1 ? "" : "s");
	add_names_locked();
	if (!waiting)
		nt.counting = 0;
	exeunt__unlock();
	exeunt__notify_flush();
}

/*
 * After fork(), with the lock held: the child has no shutdown, and the
 * notify mutex may be held by a thread of the parent that does not exist
 * here.  The setting (exeunt_notify(), EXEUNT_NOTIFY) is kept.
 */
void
exeunt__notify_reset_child(void)
{
	atomic_store(&exeunt__notify_on, 0);
	nt.counting = 0;
	nt.final = 0;
	nt.waiting = 0;
	nt.owner = NULL;
	nt.version = 0;
	sent = 0;
	stopping_sent = 0;
	pthread_mutex_init(&send_lock, NULL);
}
