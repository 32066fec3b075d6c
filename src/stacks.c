/*
 * Call stacks of registered threads: exeunt_dump_stacks() and the stacks
 * in the deadline report.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Another thread's stack can only be read by that thread, so each thread
 * is sent a signal (tgkill) whose handler walks its own stack with the
 * unwinder of the compiler's run-time library, _Unwind_Backtrace() (what
 * glibc's backtrace() uses), and stores the addresses in a slot of the
 * request.  Nothing else happens in the handler: the addresses are turned
 * into names, objects and file:line later, in the requesting thread, with
 * elfutils' libdwfl, which reads the symbol tables (static functions of a
 * program built without -rdynamic included) and the DWARF line tables.
 *
 * The requester waits for the answers for STACK_WAIT_MS at most: a thread
 * that blocks the signal, or spins where the signal is not delivered,
 * gets a line saying so.  A late answer finds its slot given up and does
 * nothing; the request's memory is freed only once no handler is inside
 * it (the 'inside' count), or, should one never leave, kept.
 *
 * The signal is a realtime one, which the kernel queues once per tgkill():
 * a thread that blocks it would collect one more with every dump, each
 * charged to the user's RLIMIT_SIGPENDING and each delivered, in the end,
 * to whatever handler or sigwait() the thread then has for it.  So a
 * record's stack_sent says that a signal sent to it has not reached the
 * handler yet; no other is sent meanwhile, and the one pending answers
 * the dump that finds it, if it is delivered in time.
 *
 * Lock order: dump_lock, then the library lock.  dump_lock is held only
 * while the stacks are taken (a bounded time), never while they are
 * written out.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>

#ifdef HAVE_STACKS
#include <elfutils/libdwfl.h>
#include <unwind.h>
#endif

#include <dlfcn.h>

/* How long the requester waits for the threads' answers. */
#define STACK_WAIT_MS 500
/* How long it then waits for a handler still writing its slot. */
#define STACK_LEAVE_MS 1000

/* A slot's states. */
enum {
	SLOT_WAITING,		/* signalled, no answer yet */
	SLOT_BUSY,		/* the handler is writing it */
	SLOT_DONE,		/* the stack is there */
	SLOT_LATE,		/* given up: a late handler leaves it */
	SLOT_GONE,		/* the thread had ended: tgkill failed */
	SLOT_NONE		/* not signalled (unknown tid) */
};

struct slot {
	atomic_int state;
	pid_t tid;
	int nframes;
	int truncated;		/* more frames than EXEUNT__STACK_FRAMES */
	int exact;		/* ip[0] is where the thread was interrupted,
				   not a return address */
	uintptr_t ip[EXEUNT__STACK_FRAMES];
};

/* What the handler reads; freed only when no handler is inside. */
struct request {
	atomic_uint answered;	/* a futex word: slots answered */
	size_t n;
	struct slot slot[];
};

struct exeunt__stacks {
	struct request *req;
	int kept;		/* a handler never left: req is not freed */
	int why;		/* 0, or why there are no stacks: STACKS_* */
	int signo;
#ifdef HAVE_STACKS
	Dwfl *dwfl;
	int dwfl_tried;
#endif
};

/* Why a dump has no stacks. */
enum {
	STACKS_OK,
	STACKS_BUILT_WITHOUT,
	STACKS_TURNED_OFF,
	STACKS_SIGNAL_TAKEN,
	STACKS_NO_MEMORY
};

static pthread_mutex_t dump_lock = PTHREAD_MUTEX_INITIALIZER;
static int stack_signal;		/* 0: off, when set: */
static int stack_signal_set;		/* exeunt_set_stack_signal() */
/* What the handler reads; reset in a fork child. */
static _Atomic(struct request *) current;
static atomic_int inside;

#ifdef HAVE_STACKS
static int primed;
static void on_signal(int signo, siginfo_t *si, void *uc);
#endif

/* The signal's disposition is SIG_DFL or the library's handler. */
static int
signal_free(const struct sigaction *sa)
{
#ifdef HAVE_STACKS
	if ((sa->sa_flags & SA_SIGINFO) && sa->sa_sigaction == on_signal)
		return 1;
#endif
	return !(sa->sa_flags & SA_SIGINFO) && sa->sa_handler == SIG_DFL;
}

static int
default_signal(void)
{
	return SIGRTMAX - 3;
}

static int
signal_now_locked(void)
{
	return stack_signal_set ? stack_signal : default_signal();
}

#ifdef HAVE_STACKS
/* The state of one walk, for walk_frame(). */
struct walk {
	struct slot *s;
	uintptr_t from;		/* the first frame to keep, or 0 */
	int seen;		/* that frame was reached */
	int n;
};

static _Unwind_Reason_Code
walk_frame(struct _Unwind_Context *ctx, void *arg)
{
	struct walk *w = arg;
	int exact = 0;
	uintptr_t ip = (uintptr_t)_Unwind_GetIPInfo(ctx, &exact);

	if (ip == 0)
		return _URC_END_OF_STACK;
	/* In the handler the first exact address, one that is not a return
	 * address, is where the signal interrupted the thread: the frames
	 * before it are the handler's and the trampoline's. */
	if (!w->seen && (w->from == 0 ? exact : ip == w->from)) {
		w->seen = 1;
		w->n = 0;
		w->s->truncated = 0;
		w->s->exact = exact;
	}
	if (w->n == EXEUNT__STACK_FRAMES) {
		w->s->truncated = 1;
		/* Before the mark, the oldest frames are kept in case it
		 * never comes; after it, the walk is done. */
		return w->seen ? _URC_END_OF_STACK : _URC_NO_REASON;
	}
	w->s->ip[w->n++] = ip;
	return _URC_NO_REASON;
}

/*
 * Walk the calling thread's stack into s with the unwinder of the
 * compiler's run-time library (libgcc), recording from the frame whose
 * address is 'from' (the return address into the caller of the public
 * function) or, with from == 0 (in the handler), from the interrupted
 * instruction.  If no frame has the mark (a sanitizer that runs handlers
 * later, out of the signal frame), every frame walked is kept.
 */
static void
walk(struct slot *s, uintptr_t from)
{
	struct walk w = { s, from, 0, 0 };

	s->truncated = 0;
	s->exact = 0;
	(void)_Unwind_Backtrace(walk_frame, &w);
	s->nframes = w.n;
}

/* The signal handler: atomics, gettid, the unwinder and a futex wake;
 * errno is kept.  The unwinder finds each frame's unwind information
 * with _dl_find_object() (glibc 2.35 and later; async-signal-safe), or
 * else dl_iterate_phdr(); whatever it sets up on first use was set up by
 * prime() before any signal was sent. */
static void
on_signal(int signo, siginfo_t *si, void *uc)
{
	struct request *req;
	struct slot *s;
	pid_t tid;
	size_t i;
	int saved = errno, expect = SLOT_WAITING;

	(void)signo;
	(void)uc;
	/* Only the library's own tgkill() from this process. */
	if (si == NULL || si->si_code != SI_TKILL || si->si_pid != getpid()) {
		errno = saved;
		return;
	}
	/* The signal has arrived: the next dump may send another.  The
	 * record is valid while exeunt__self points to it (it is cleared
	 * before the thread finishes), and this is the thread's own. */
	if (exeunt__self != NULL)
		atomic_store(&exeunt__self->stack_sent, 0);
	atomic_fetch_add(&inside, 1);
	req = atomic_load(&current);
	if (req != NULL) {
		tid = (pid_t)syscall(SYS_gettid);
		for (i = 0; i < req->n; i++) {
			s = &req->slot[i];
			if (s->tid != tid)
				continue;
			if (atomic_compare_exchange_strong(&s->state, &expect,
			    SLOT_BUSY)) {
				walk(s, 0);
				atomic_store(&s->state, SLOT_DONE);
				atomic_fetch_add(&req->answered, 1);
				syscall(SYS_futex, &req->answered,
				    FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
			}
			break;
		}
	}
	atomic_fetch_sub(&inside, 1);
	errno = saved;
}

/*
 * The handler must be the signal's: install it over SIG_DFL, accept it
 * if it is there already, and leave a signal the program uses alone.
 * The caller holds dump_lock.
 */
static int
ensure_handler(int signo)
{
	struct sigaction old, sa;

	if (sigaction(signo, NULL, &old) != 0)
		return EINVAL;
	if (!signal_free(&old))
		return EBUSY;
	if ((old.sa_flags & SA_SIGINFO) && old.sa_sigaction == on_signal)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	/* SA_RESTART: a read() or a wait that the signal interrupts goes
	 * on, where the kernel allows it. */
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	return sigaction(signo, &sa, NULL) == 0 ? 0 : errno;
}

/* Walk once outside any handler, so that whatever the unwinder sets up
 * on first use (glibc's backtrace() has the same need) is not first done
 * in one. */
static void
prime(void)
{
	struct slot s;

	if (!primed) {
		walk(&s, 0);
		primed = 1;
	}
}

/* Wait on the answered count until it reaches want or abs passes.
 * FUTEX_WAIT_BITSET takes the absolute CLOCK_MONOTONIC time, as
 * exeunt_wait_stop() does: no arithmetic on the clock here. */
static void
wait_answers(struct request *req, unsigned want, const struct timespec *abs)
{
	unsigned seen;

	while ((seen = atomic_load(&req->answered)) < want) {
		if (syscall(SYS_futex, &req->answered, FUTEX_WAIT_BITSET |
		    FUTEX_PRIVATE_FLAG, seen, abs, NULL,
		    FUTEX_BITSET_MATCH_ANY) == -1 && errno == ETIMEDOUT)
			return;
	}
}

/* A bounded pause while waiting for handlers to leave. */
static void
pause_1ms(void)
{
	struct timespec ms = { 0, 1000000L };

	nanosleep(&ms, NULL);
}

/*
 * Send the stack signal to thread t (tid): 1 if an answer may come, 0 if
 * the thread has ended.  A signal already on its way (t->stack_sent) is
 * not sent again; the handler clears the flag before it reads 'current',
 * which the caller has set, so that signal answers this request.
 */
static int
send_signal(struct exeunt__stacks *st, struct exeunt_thread *t, pid_t pid,
    pid_t tid)
{
	if (t != NULL && atomic_exchange(&t->stack_sent, 1) != 0)
		return 1;
	if (syscall(SYS_tgkill, pid, tid, st->signo) == 0)
		return 1;
	if (t != NULL)
		atomic_store(&t->stack_sent, 0);
	return 0;
}

static void
take(struct exeunt__stacks *st, const pid_t *tids,
    struct exeunt_thread *const *threads, size_t n, uintptr_t from)
{
	struct request *req = st->req;
	struct timespec deadline, wait = { 0, STACK_WAIT_MS * 1000000L };
	pid_t self = (pid_t)syscall(SYS_gettid), pid = getpid();
	unsigned sent = 0;
	size_t i;
	int expect, spins;

	prime();
	for (i = 0; i < n; i++) {
		req->slot[i].tid = tids[i];
		atomic_init(&req->slot[i].state,
		    tids[i] > 0 ? SLOT_WAITING : SLOT_NONE);
	}
	atomic_store(&current, req);
	for (i = 0; i < n; i++) {
		struct slot *s = &req->slot[i];

		if (s->tid <= 0)
			continue;
		if (s->tid == self) {
			walk(s, from);
			atomic_store(&s->state, SLOT_DONE);
			continue;
		}
		if (!send_signal(st, threads != NULL ? threads[i] : NULL, pid,
		    s->tid))
			atomic_store(&s->state, SLOT_GONE);
		else
			sent++;
	}
	exeunt__ts_after(&deadline, &wait);
	wait_answers(req, sent, &deadline);
	/* Give up on the rest; a handler that has begun is let finish. */
	for (i = 0; i < n; i++) {
		expect = SLOT_WAITING;
		(void)atomic_compare_exchange_strong(&req->slot[i].state,
		    &expect, SLOT_LATE);
	}
	atomic_store(&current, NULL);
	for (spins = 0; atomic_load(&inside) > 0; spins++) {
		if (spins == STACK_LEAVE_MS) {
			st->kept = 1;
			break;
		}
		pause_1ms();
	}
	/* A handler still inside could write any slot of req: read none
	 * that is not done. */
	for (i = 0; i < n && st->kept; i++) {
		expect = SLOT_BUSY;
		(void)atomic_compare_exchange_strong(&req->slot[i].state,
		    &expect, SLOT_LATE);
	}
}
#endif /* HAVE_STACKS */

/*
 * Take the stacks of the threads whose kernel ids are tids[0..n-1] (0: no
 * stack), whose records are threads[0..n-1].  The records must be held by
 * the caller so that none ends unnoticed.  Bounded in time; returns NULL
 * only without memory.
 */
struct exeunt__stacks *
exeunt__stacks_take(const pid_t *tids, struct exeunt_thread *const *threads,
    size_t n, uintptr_t from)
{
	struct exeunt__stacks *st;
	size_t i;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->req = calloc(1, sizeof(*st->req) + n * sizeof(struct slot));
	if (st->req == NULL) {
		st->why = STACKS_NO_MEMORY;
		return st;
	}
	st->req->n = n;
	for (i = 0; i < n; i++)
		atomic_init(&st->req->slot[i].state, SLOT_NONE);
#ifndef HAVE_STACKS
	(void)tids;
	(void)threads;
	(void)from;
	st->why = STACKS_BUILT_WITHOUT;
#else
	pthread_mutex_lock(&dump_lock);
	st->signo = signal_now_locked();
	if (st->signo == 0)
		st->why = STACKS_TURNED_OFF;
	else if (ensure_handler(st->signo) != 0)
		st->why = STACKS_SIGNAL_TAKEN;
	else
		take(st, tids, threads, n, from);
	pthread_mutex_unlock(&dump_lock);
#endif
	return st;
}

void
exeunt__stacks_free(struct exeunt__stacks *st)
{
	if (st == NULL)
		return;
#ifdef HAVE_STACKS
	if (st->dwfl != NULL)
		dwfl_end(st->dwfl);
#endif
	if (!st->kept)
		free(st->req);
	free(st);
}

#ifdef HAVE_STACKS
/*
 * Separate debug information, looked up by build id under /usr/lib/debug
 * only: never through debuginfod, which would reach the network while
 * the process is stopping.
 */
static int
find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
    Dwarf_Addr base, const char *file_name, const char *debuglink_file,
    GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	char path[PATH_MAX];
	size_t len;
	int n, i, fd;

	(void)userdata;
	(void)modname;
	(void)base;
	(void)file_name;
	(void)debuglink_file;
	(void)debuglink_crc;
	n = dwfl_module_build_id(mod, &bits, &vaddr);
	if (n < 2)
		return -1;
	len = (size_t)snprintf(path, sizeof(path),
	    "/usr/lib/debug/.build-id/%02x/", bits[0]);
	for (i = 1; i < n && len + 3 < sizeof(path); i++)
		len += (size_t)snprintf(path + len, sizeof(path) - len,
		    "%02x", bits[i]);
	if (len + sizeof(".debug") > sizeof(path))
		return -1;
	memcpy(path + len, ".debug", sizeof(".debug"));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if ((*debuginfo_file_name = strdup(path)) == NULL) {
		close(fd);
		return -1;
	}
	return fd;
}

static const Dwfl_Callbacks dwfl_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = find_debuginfo,
};

/* The process's modules, read once per dump; NULL if they cannot be. */
static Dwfl *
get_dwfl(struct exeunt__stacks *st)
{
	if (st->dwfl_tried)
		return st->dwfl;
	st->dwfl_tried = 1;
	if ((st->dwfl = dwfl_begin(&dwfl_callbacks)) == NULL)
		return NULL;
	dwfl_report_begin(st->dwfl);
	if (dwfl_linux_proc_report(st->dwfl, getpid()) != 0 ||
	    dwfl_report_end(st->dwfl, NULL, NULL) != 0) {
		dwfl_end(st->dwfl);
		st->dwfl = NULL;
	}
	return st->dwfl;
}

/*
 * One frame's text: "#N  0xADDR in NAME+0xOFF (OBJECT) at FILE:LINE".
 * A return address is looked up one byte back, inside the call; the
 * first frame's address is where the thread was interrupted.
 */
static void
describe(struct exeunt__stacks *st, int i, uintptr_t ip, int exact,
    char *buf, size_t size)
{
	uintptr_t at = exact ? ip : ip - 1;
	const char *name = NULL, *object = NULL, *file = NULL;
	GElf_Off off = 0;
	GElf_Sym sym;
	int line = 0, n;
	Dwfl *dwfl = get_dwfl(st);
	Dwfl_Module *mod = NULL;
	Dwfl_Line *dline;
	Dl_info dli;

	if (dwfl != NULL && (mod = dwfl_addrmodule(dwfl, at)) != NULL) {
		name = dwfl_module_addrinfo(mod, at, &off, &sym, NULL, NULL,
		    NULL);
		off += at != ip;
		object = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL,
		    NULL, NULL);
		if ((dline = dwfl_module_getsrc(mod, at)) != NULL)
			file = dwfl_lineinfo(dline, NULL, &line, NULL, NULL,
			    NULL);
	} else if (dladdr((void *)at, &dli) != 0) {
		object = dli.dli_fname;
		if (dli.dli_sname != NULL) {
			name = dli.dli_sname;
			off = (GElf_Off)(ip - (uintptr_t)dli.dli_saddr);
		}
	}
	n = snprintf(buf, size, "#%-2d 0x%0*lx in %s", i,
	    (int)(2 * sizeof(void *)), (unsigned long)ip,
	    name != NULL ? name : "??");
	if (n > 0 && (size_t)n < size && name != NULL)
		n += snprintf(buf + n, size - (size_t)n, "+0x%lx",
		    (unsigned long)off);
	if (n > 0 && (size_t)n < size && object != NULL)
		n += snprintf(buf + n, size - (size_t)n, " (%s)", object);
	if (n > 0 && (size_t)n < size && file != NULL && line > 0)
		(void)snprintf(buf + n, size - (size_t)n, " at %s:%d", file,
		    line);
}
#endif /* HAVE_STACKS */

/*
 * The lines of the stack of thread i, each passed to put() without a
 * newline: frames, or one line saying why there are none.
 */
void
exeunt__stacks_lines(struct exeunt__stacks *st, size_t i,
    void (*put)(void *ctx, const char *text), void *ctx)
{
	char buf[EXEUNT__LINE_MAX];
	const struct slot *s;
	int state;

	switch (st != NULL ? st->why : STACKS_NO_MEMORY) {
	case STACKS_BUILT_WITHOUT:
		put(ctx, "(no stack: exeunt was built without libdw)");
		return;
	case STACKS_TURNED_OFF:
		put(ctx, "(no stack: the stack signal is turned off, "
		    "exeunt_set_stack_signal(0))");
		return;
	case STACKS_SIGNAL_TAKEN:
		snprintf(buf, sizeof(buf), "(no stack: signal %d, the stack "
		    "signal, has a handler of the program's)", st->signo);
		put(ctx, buf);
		return;
	case STACKS_NO_MEMORY:
		put(ctx, "(no stack: out of memory)");
		return;
	}
	s = &st->req->slot[i];
	state = atomic_load(&s->state);
	switch (state) {
	case SLOT_NONE:
		put(ctx, "(no stack: the thread has not started)");
		return;
	case SLOT_GONE:
		put(ctx, "(no stack: the thread has ended)");
		return;
	case SLOT_DONE:
		break;
	default:
		snprintf(buf, sizeof(buf), "(no stack: no answer to signal "
		    "%d within %.1fs: the thread blocks it, has ended, or "
		    "runs where it is not delivered)", st->signo,
		    STACK_WAIT_MS / 1000.0);
		put(ctx, buf);
		return;
	}
#ifdef HAVE_STACKS
	for (int f = 0; f < s->nframes; f++) {
		describe(st, f, s->ip[f], f == 0 && s->exact, buf,
		    sizeof(buf));
		put(ctx, buf);
	}
	if (s->nframes == 0)
		put(ctx, "(no stack: the unwinder found no frame)");
	if (s->truncated)
		put(ctx, "(more frames)");
#endif
}

int
exeunt_set_stack_signal(int signo)
{
	struct sigaction old;
	int err = 0;

	if (signo != 0 && (signo < SIGRTMIN || signo > SIGRTMAX))
		return EINVAL;
	pthread_mutex_lock(&dump_lock);
	if (signo != 0 && (sigaction(signo, NULL, &old) != 0 ||
	    !signal_free(&old)))
		err = EBUSY;
	if (err == 0) {
		stack_signal = signo;
		stack_signal_set = 1;
	}
	pthread_mutex_unlock(&dump_lock);
	return err;
}

int
exeunt_get_stack_signal(void)
{
	int signo;

	pthread_mutex_lock(&dump_lock);
	signo = signal_now_locked();
	pthread_mutex_unlock(&dump_lock);
	return signo;
}

/* exeunt_dump_stacks(): one registered thread, held by the dump. */
struct held {
	struct exeunt_thread *t;
	char line[EXEUNT__LINE_MAX];
};

struct file_put {
	FILE *out;
	int failed;
};

static void
put_file(void *ctx, const char *text)
{
	struct file_put *fp = ctx;

	if (!fp->failed && fprintf(fp->out, "    %s\n", text) < 0)
		fp->failed = 1;
}

/* The dump; the caller's cancellation is disabled. */
static int
dump_stacks(FILE *out, uintptr_t from)
{
	struct exeunt_thread *t;
	struct exeunt__stacks *st;
	struct file_put fp = { out, 0 };
	struct held *held;
	struct exeunt_thread **threads;
	pid_t *tids;
	char stage[24], name[EXEUNT_NAME_MAX + 1];
	size_t n = 0, i;
	int phase, staged;

	exeunt__lock();
	for (t = exeunt__reg.head; t != NULL; t = t->next)
		n += !t->starting && !t->finished;
	held = calloc(n ? n : 1, sizeof(*held));
	tids = calloc(n ? n : 1, sizeof(*tids));
	threads = calloc(n ? n : 1, sizeof(*threads));
	if (held == NULL || tids == NULL || threads == NULL) {
		exeunt__unlock();
		free(held);
		free(tids);
		free(threads);
		return ENOMEM;
	}
	phase = atomic_load(&exeunt__reg.phase);
	staged = exeunt__staged_locked();
	i = 0;
	for (t = exeunt__reg.head; t != NULL && i < n; t = t->next) {
		if (t->starting || t->finished)
			continue;
		t->refs++;
		held[i].t = t;
		threads[i] = t;
		tids[i] = t->forked_away ? 0 : t->tid;
		if (staged)
			snprintf(stage, sizeof(stage), "stage %d ", t->stage);
		exeunt__clean_name(name, t->name);
		snprintf(held[i].line, sizeof(held[i].line), "  seq %llu "
		    "\"%s\" tid %d %s %s%s age %.3fs", t->seq, name,
		    (int)t->tid, t->daemon ? "daemon" : "non-daemon",
		    staged ? stage : "", exeunt__state_name(t),
		    exeunt__since(&t->born));
		i++;
	}
	exeunt__unlock();

	st = exeunt__stacks_take(tids, threads, n, from);
	if (fprintf(out, "exeunt: phase %s, %zu registered thread%s "
	    "unfinished\n", exeunt__phase_name(phase), n,
	    n == 1 ? "" : "s") < 0)
		fp.failed = 1;
	for (i = 0; i < n; i++) {
		if (!fp.failed && fprintf(out, "%s\n", held[i].line) < 0)
			fp.failed = 1;
		exeunt__stacks_lines(st, i, put_file, &fp);
	}
	exeunt__stacks_free(st);
	for (i = 0; i < n; i++)
		exeunt__release_ref(held[i].t);
	free(held);
	free(tids);
	free(threads);
	if (fflush(out) != 0 || ferror(out))
		fp.failed = 1;
	return fp.failed ? EIO : 0;
}

int
exeunt_dump_stacks(FILE *out)
{
	uintptr_t from = (uintptr_t)__builtin_return_address(0);
	int cancel, err;

	if (out == NULL)
		return EINVAL;
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	err = dump_stacks(out, from);
	(void)pthread_setcancelstate(cancel, NULL);
	return err;
}

/* After fork(): the lock may have been held by a thread of the parent.
 * The child's one thread has no signal pending (fork() clears them). */
void
exeunt__stacks_reset_child(void)
{
	pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
	struct exeunt_thread *t;

	if ((t = exeunt__self) != NULL)
		atomic_store(&t->stack_sent, 0);
	if ((t = exeunt__destroying()) != NULL)
		atomic_store(&t->stack_sent, 0);

	memcpy(&dump_lock, &fresh, sizeof(fresh));
	atomic_store(&current, NULL);
	atomic_store(&inside, 0);
}
