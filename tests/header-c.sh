#!/bin/sh
# include/exeunt.h compiles on its own, as C11 and as C++11, without a
# warning, and in C++ exactly the functions that must be are noexcept
# (EXEUNT_NOEXCEPT).  Fails when a compiler fails.  CXX is empty when
# configure found no working C++ compiler: the C part runs, and the test
# then says that the C++ part was left out and ends with 77 (a SKIP).
#
# Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.

: "${CC:?CC is not set}"
: "${CXX?CXX is not set}"
: "${top_srcdir:?top_srcdir is not set}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/header-c.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# Included twice (the guard), alone, and every declaration used.
cat >"$tmp/use.c" <<'SRC'
#include <exeunt.h>
#include <exeunt.h>

typedef char exeunt_attr_size_is_abi[sizeof(exeunt_attr_t) == 256 ? 1 : -1];
typedef char exeunt_stop_callback_size_is_abi[
    sizeof(exeunt_stop_callback_t) == 96 ? 1 : -1];

typedef void (*exeunt_header_fn)(void);
exeunt_header_fn exeunt_header_uses[] = {
	(exeunt_header_fn)exeunt_attr_init, (exeunt_header_fn)exeunt_attr_destroy,
	(exeunt_header_fn)exeunt_attr_setdaemon, (exeunt_header_fn)exeunt_attr_getdaemon,
	(exeunt_header_fn)exeunt_attr_setterminate, (exeunt_header_fn)exeunt_attr_setname,
	(exeunt_header_fn)exeunt_attr_setpthreadattr, (exeunt_header_fn)exeunt_thread_create,
	(exeunt_header_fn)exeunt_thread_join, (exeunt_header_fn)exeunt_thread_detach,
	(exeunt_header_fn)exeunt_thread_adopt, (exeunt_header_fn)exeunt_thread_release,
	(exeunt_header_fn)exeunt_thread_self, (exeunt_header_fn)exeunt_thread_name,
	(exeunt_header_fn)exeunt_thread_isdaemon, (exeunt_header_fn)exeunt_thread_pthread,
	(exeunt_header_fn)exeunt_thread_seq, (exeunt_header_fn)exeunt_thread_request_stop,
	(exeunt_header_fn)exeunt_stop_requested, (exeunt_header_fn)exeunt_stop_fd,
	(exeunt_header_fn)exeunt_wait_stop, (exeunt_header_fn)exeunt_foreach,
	(exeunt_header_fn)exeunt_count, (exeunt_header_fn)exeunt_atexit,
	(exeunt_header_fn)exeunt_shutdown, (exeunt_header_fn)exeunt_phase,
	(exeunt_header_fn)exeunt_exit, (exeunt_header_fn)exeunt_set_timeout,
	(exeunt_header_fn)exeunt_trap_signal, (exeunt_header_fn)exeunt_dump,
	(exeunt_header_fn)exeunt_attr_setstage, (exeunt_header_fn)exeunt_attr_getstage,
	(exeunt_header_fn)exeunt_thread_stage, (exeunt_header_fn)exeunt_shutdown_stage,
	(exeunt_header_fn)exeunt_stop_callback_push,
	(exeunt_header_fn)exeunt_stop_callback_pop,
	(exeunt_header_fn)exeunt_cond_wait, (exeunt_header_fn)exeunt_cond_timedwait,
	(exeunt_header_fn)exeunt_sleep, (exeunt_header_fn)exeunt_poll,
	(exeunt_header_fn)exeunt_attr_setdestroy,
	(exeunt_header_fn)exeunt_attr_getdestroy,
	(exeunt_header_fn)exeunt_report,
};

int exeunt_header_phase(void);
int
exeunt_header_phase(void)
{
	enum exeunt_phase p = EXEUNT_DONE;
	enum exeunt_overrun o = EXEUNT_OVERRUN_ABORT;
	exeunt_terminate_fn fn = 0;

	(void)fn;
	return (int)p + (int)o + EXEUNT_NAME_MAX + EXEUNT_VERSION_MAJOR +
	    EXEUNT_VERSION_MINOR + EXEUNT_EXIT_TIMEOUT + EXEUNT_STAGE_MIN +
	    EXEUNT_STAGE_MAX;
}
SRC
cp "$tmp/use.c" "$tmp/use.cc"

# C++: which functions are noexcept (EXEUNT_NOEXCEPT), one line each, so
# that the check below finds every function of the header here.
cat >>"$tmp/use.cc" <<'SRC'

namespace {
exeunt_attr_t *a;
exeunt_thread_t *t;
exeunt_stop_callback_t *cb;
exeunt_pool_t *p;
struct exeunt_pool_stats *ps;
pthread_cond_t *c;
pthread_mutex_t *m;
struct pollfd *fds;
const struct timespec *ts;
int *ip;
void (*fn)(void *);
void (**fnp)(void *);
void *(*start)(void *);
int (*visit)(exeunt_thread_t *, void *);
}

#define NOEXCEPT(call) static_assert(noexcept(call), #call " is noexcept")
#define THROWS(call) static_assert(!noexcept(call), #call " is not noexcept")

NOEXCEPT(exeunt_attr_init(a));
NOEXCEPT(exeunt_attr_destroy(a));
NOEXCEPT(exeunt_attr_setdaemon(a, 0));
NOEXCEPT(exeunt_attr_getdaemon(a, ip));
NOEXCEPT(exeunt_attr_setterminate(a, 0, 0));
NOEXCEPT(exeunt_attr_setname(a, ""));
NOEXCEPT(exeunt_attr_setpthreadattr(a, 0));
NOEXCEPT(exeunt_attr_setdestroy(a, fn));
NOEXCEPT(exeunt_attr_getdestroy(a, fnp));
NOEXCEPT(exeunt_attr_setstage(a, 0));
NOEXCEPT(exeunt_attr_getstage(a, ip));
NOEXCEPT(exeunt_thread_create(&t, a, start, 0));
THROWS(exeunt_thread_join(t, 0));
NOEXCEPT(exeunt_thread_detach(t));
NOEXCEPT(exeunt_thread_adopt(a));
THROWS(exeunt_thread_release());
NOEXCEPT(exeunt_thread_self());
NOEXCEPT(exeunt_thread_name(t));
NOEXCEPT(exeunt_thread_isdaemon(t));
NOEXCEPT(exeunt_thread_pthread(t));
NOEXCEPT(exeunt_thread_seq(t));
NOEXCEPT(exeunt_thread_stage(t));
THROWS(exeunt_thread_request_stop(t));
NOEXCEPT(exeunt_stop_requested());
NOEXCEPT(exeunt_stop_fd());
NOEXCEPT(exeunt_wait_stop(ts));
NOEXCEPT(exeunt_stop_callback_push(cb, fn, 0));
NOEXCEPT(exeunt_stop_callback_pop(cb));
THROWS(exeunt_cond_wait(c, m));
THROWS(exeunt_cond_timedwait(c, m, ts));
NOEXCEPT(exeunt_sleep(ts));
THROWS(exeunt_poll(fds, 1, 0));
THROWS(exeunt_foreach(visit, 0));
NOEXCEPT(exeunt_count());
NOEXCEPT(exeunt_atexit(fn, 0));
THROWS(exeunt_shutdown());
NOEXCEPT(exeunt_phase());
NOEXCEPT(exeunt_shutdown_stage(ip));
THROWS(exeunt_exit(0));
NOEXCEPT(exeunt_set_timeout(ts, EXEUNT_OVERRUN_WAIT));
NOEXCEPT(exeunt_trap_signal(0));
THROWS(exeunt_dump(stderr));
THROWS(exeunt_dump_stacks(stderr));
NOEXCEPT(exeunt_set_stack_signal(0));
NOEXCEPT(exeunt_get_stack_signal());
NOEXCEPT(exeunt_set_report(0, 0));
NOEXCEPT(exeunt_notify(1));
NOEXCEPT(exeunt_report("%d", 0));
NOEXCEPT(exeunt_pool_create(&p, 1, 0, a));
THROWS(exeunt_pool_submit(p, fn, fn, 0));
NOEXCEPT(exeunt_pool_set_pending(p, EXEUNT_PENDING_RUN));
THROWS(exeunt_pool_shutdown(p, EXEUNT_PENDING_RUN, ts));
THROWS(exeunt_pool_destroy(p));
NOEXCEPT(exeunt_pool_stats(p, ps));
SRC

status=0

# Every function of the header is in the list above, once.
listed=$(sed -n 's/^\(NOEXCEPT\|THROWS\)(\(exeunt_[a-z_]*\)(.*/\2/p' \
    "$tmp/use.cc" | sort)
declared=$(sed -n \
    's/^EXEUNT_API[^(]*[^A-Za-z0-9_]\(exeunt_[A-Za-z0-9_]*\) *(.*/\1/p' \
    "$top_srcdir/include/exeunt.h" | sort)
if test "$listed" != "$declared"; then
	echo "FAIL: the noexcept list differs from the header's functions:" >&2
	echo "$listed" >"$tmp/listed"
	echo "$declared" >"$tmp/declared"
	diff "$tmp/listed" "$tmp/declared" >&2
	status=1
fi
echo "C: $CC -std=c11 -Wall -Wextra -Werror -pedantic"
if ! $CC -std=c11 -Wall -Wextra -Werror -pedantic -I"$top_srcdir/include" \
    -c "$tmp/use.c" -o "$tmp/use-c.o"; then
	echo "FAIL: include/exeunt.h does not compile as C11" >&2
	status=1
fi
if test -z "$CXX"; then
	test $status -ne 0 && exit $status
	echo "SKIP (C++ part): configure found no working C++ compiler, so" \
	    "include/exeunt.h was checked as C only"
	exit 77
fi
echo "C++: $CXX -std=c++11 -Wall -Wextra -Werror -pedantic"
if ! $CXX -std=c++11 -Wall -Wextra -Werror -pedantic \
    -I"$top_srcdir/include" -c "$tmp/use.cc" -o "$tmp/use-cxx.o"; then
	echo "FAIL: include/exeunt.h does not compile as C++11" >&2
	status=1
elif ! ${NM:-nm} "$tmp/use-cxx.o" | grep -q ' U exeunt_attr_init$'; then
	# The C++ object must refer to the C names: extern "C" in effect.
	echo "FAIL: C++ does not see include/exeunt.h as extern \"C\"" >&2
	status=1
fi
exit $status
