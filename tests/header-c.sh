#!/bin/sh
# include/exeunt.h compiles on its own, as C11 and as C++11, without a
# warning.  Fails (never skips) when either compiler is missing or fails.
#
# Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.

: "${CC:?CC is not set}"
: "${CXX:?CXX is not set}"
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

status=0
echo "C: $CC -std=c11 -Wall -Wextra -Werror -pedantic"
if ! $CC -std=c11 -Wall -Wextra -Werror -pedantic -I"$top_srcdir/include" \
    -c "$tmp/use.c" -o "$tmp/use-c.o"; then
	echo "FAIL: include/exeunt.h does not compile as C11" >&2
	status=1
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
