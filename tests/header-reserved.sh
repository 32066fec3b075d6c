#!/bin/sh
# include/exeunt.h declares no reserved identifier: clang's
# -Wreserved-identifier is silent on it as C (C11) and as C++ (C++11 and
# C++17; in C++ every name with "__" in it is reserved), with -Werror.
# Skips (77) only when clang, or a clang that knows the warning (clang 13
# and later), is missing; CLANG and CLANGXX name other ones.
#
# Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.

: "${top_srcdir:?top_srcdir is not set}"
CLANG=${CLANG:-clang}
CLANGXX=${CLANGXX:-clang++}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/header-reserved.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/empty.c" <<'SRC'
int exeunt_header_reserved_empty;
SRC
for cc in "$CLANG" "$CLANGXX"; do
	if ! command -v "$cc" >/dev/null 2>&1; then
		echo "SKIP: $cc is not installed"
		exit 77
	fi
	if ! "$cc" -x c -Werror=unknown-warning-option -Wreserved-identifier \
	    -fsyntax-only "$tmp/empty.c" >/dev/null 2>&1; then
		echo "SKIP: $cc does not know -Wreserved-identifier"
		exit 77
	fi
done

# The header alone, then every type of it used.
cat >"$tmp/use.c" <<'SRC'
#include <exeunt.h>

int exeunt_header_sizes(void);
int
exeunt_header_sizes(void)
{
	exeunt_attr_t a;
	exeunt_stop_callback_t cb;
	struct exeunt_pool_stats st;

	return (int)(sizeof(a) + sizeof(cb) + sizeof(st));
}
SRC
cp "$tmp/use.c" "$tmp/use.cc"

status=0
flags="-Wall -Wextra -pedantic -Wreserved-identifier -Werror"
echo "C: $CLANG -std=c11 $flags"
if ! "$CLANG" -std=c11 $flags -I"$top_srcdir/include" -fsyntax-only \
    "$tmp/use.c"; then
	echo "FAIL: include/exeunt.h declares a reserved identifier (C)" >&2
	status=1
fi
for std in c++11 c++17; do
	echo "C++: $CLANGXX -std=$std $flags"
	if ! "$CLANGXX" -std=$std $flags -I"$top_srcdir/include" \
	    -fsyntax-only "$tmp/use.cc"; then
		echo "FAIL: include/exeunt.h declares a reserved identifier" \
		    "($std)" >&2
		status=1
	fi
done
exit $status
