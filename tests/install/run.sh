#!/bin/sh
# make installcheck: programs built against the installed exeunt, and run.
#
#   run.sh SRCDIR    (SRCDIR: this directory, tests/install)
#
# The Makefile passes, in the environment: DESTDIR, prefix, libdir,
# includedir (make's), version (the package's), CC, WARN_CFLAGS, CXX
# (empty when configure found no C++ compiler for $CC's C library),
# PKG_CONFIG, CMAKE and full_static (yes if a fully static program links
# libexeunt.a with libdw).  Everything is built in a temporary directory,
# removed at the end; each program must print what it is expected to and
# end with the expected status.
#
# Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.

srcdir=${1:?usage: run.sh SRCDIR}
: "${prefix:?prefix is not set}" "${libdir:?libdir is not set}"
: "${includedir:?includedir is not set}" "${version:?version is not set}"
: "${CC:?CC is not set}" "${PKG_CONFIG:=pkg-config}" "${CMAKE:=cmake}"
DESTDIR=${DESTDIR-} CXX=${CXX-} WARN_CFLAGS=${WARN_CFLAGS-}

srcdir=$(cd "$srcdir" && pwd) || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exeunt-installcheck.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# The installed tree, staged under DESTDIR or not.
ilibdir=$DESTDIR$libdir
if ! ilibdir=$(cd "$ilibdir" 2>/dev/null && pwd -P); then
	echo "FAIL: $DESTDIR$libdir does not exist: run make install first"
	exit 1
fi
PKG_CONFIG_PATH=$ilibdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export PKG_CONFIG_PATH
if [ -n "$DESTDIR" ]; then
	# exeunt.pc names the final directories: pkg-config puts DESTDIR
	# in front of its -I and -L paths.
	PKG_CONFIG_SYSROOT_DIR=$DESTDIR
	export PKG_CONFIG_SYSROOT_DIR
fi
unset exeunt_DIR exeunt_ROOT EXEUNT_ROOT 2>/dev/null || true
# The library's own diagnostics would be unexpected output.
unset EXEUNT_DEBUG EXEUNT_TIMEOUT EXEUNT_ON_TIMEOUT EXEUNT_POOL_PENDING \
	2>/dev/null || true

npass=0 nskip=0 nfail=0
pass() {
	echo "PASS: $1"
	npass=$((npass + 1))
}
skip() {
	echo "SKIP: $1"
	nskip=$((nskip + 1))
}
fail() {
	echo "FAIL: $1"
	nfail=$((nfail + 1))
}

# build NAME COMMAND...: runs a build command; its output goes to the
# terminal only if it fails.  (These functions set globals: name, want,
# status, line, dir.)
build() {
	name=$1
	shift
	if ! "$@" >"$tmp/$name.build" 2>&1; then
		cat "$tmp/$name.build"
		fail "$name: the build failed: $*"
		return 1
	fi
}

# check NAME STATUS PROGRAM [ARG]: runs PROGRAM (bounded: a hang fails
# it) and compares its status with STATUS and its output, stdout and
# stderr, with $tmp/NAME.expected.  A line "libexeunt: DIR" in the output
# is compared once DIR is made canonical.
check() {
	name=$1 want=$2
	shift 2
	timeout 30 "$@" >"$tmp/$name.raw" 2>&1
	status=$?
	while IFS= read -r line; do
		case $line in
		"libexeunt: /"*)
			dir=${line#libexeunt: }
			if dir=$(cd "$dir" 2>/dev/null && pwd -P); then
				line="libexeunt: $dir"
			fi
			;;
		esac
		printf '%s\n' "$line"
	done <"$tmp/$name.raw" >"$tmp/$name.out"
	if [ "$status" -ne "$want" ]; then
		cat "$tmp/$name.raw"
		fail "$name: exit status $status, not $want"
	elif ! diff -u "$tmp/$name.expected" "$tmp/$name.out"; then
		fail "$name: unexpected output (above: - expected, + printed)"
	else
		pass "$name"
	fi
}

# consumer.c's output, with libexeunt.so from $1, or "static", when it
# returns from main (no $2) or calls exit() in a thread ($2 "thread").
expect_c() {
	echo "libexeunt: $1"
	if [ "${2-}" = thread ]; then
		echo "thread: exit(3)"
	else
		echo "main: returning 3"
	fi
	cat <<'OUT'
worker: stop requested
exeunt_atexit hook: worker finished: yes
atexit handler: worker finished: yes
OUT
}

# check_c NAME DIR PROGRAM: runs consumer.c's PROGRAM both ways.
check_c() {
	expect_c "$2" >"$tmp/$1.expected"
	check "$1" 3 "$3"
	expect_c "$2" thread >"$tmp/$1-thread.expected"
	check "$1-thread" 3 "$3" thread
}

have_static=no
[ -f "$ilibdir/libexeunt.a" ] && have_static=yes
have_shared=no
[ -f "$ilibdir/libexeunt.so" ] && have_shared=yes

# --- pkg-config -------------------------------------------------------------
got=$($PKG_CONFIG --modversion exeunt 2>&1)
if [ "$got" != "$version" ]; then
	fail "pkg-config --modversion exeunt: '$got', not '$version'"
else
	pass "pkg-config --modversion exeunt: $got"
fi
cflags=$($PKG_CONFIG --cflags exeunt) || fail "pkg-config --cflags exeunt"
libs=$($PKG_CONFIG --libs exeunt) || fail "pkg-config --libs exeunt"
slibs=$($PKG_CONFIG --static --libs exeunt) ||
	fail "pkg-config --static --libs exeunt"
rpath=-Wl,-rpath,$ilibdir
# The static programs: fully static where that links (configure's
# finding, full_static: Debian 13's static libelf needs a library that
# Debian does not ship), else libexeunt.a with the other libraries
# shared, as pkg-config --static still gives them.  Either way the
# program must not load libexeunt.so (consumer.c prints "static").
if [ "${full_static:-yes}" = yes ]; then
	static_ld=-static
	static_libs=$slibs
else
	echo "note: a fully static program cannot link libdw here; linking libexeunt.a, the other libraries shared"
	static_ld=
	static_libs=
	for word in $slibs; do
		[ "$word" = -lexeunt ] && word=-l:libexeunt.a
		static_libs="$static_libs $word"
	done
fi

if [ "$have_shared" = yes ]; then
	# shellcheck disable=SC2086 # the flags are words
	build c-shared $CC $WARN_CFLAGS -o "$tmp/c-shared" \
	    "$srcdir/consumer.c" $cflags $libs $rpath &&
		check_c c-shared "$ilibdir" "$tmp/c-shared"
else
	skip "c-shared: no libexeunt.so installed"
fi
if [ "$have_static" = yes ]; then
	# shellcheck disable=SC2086
	build c-static $CC $WARN_CFLAGS $static_ld -o "$tmp/c-static" \
	    "$srcdir/consumer.c" $cflags $static_libs &&
		check_c c-static static "$tmp/c-static"
else
	skip "c-static: no libexeunt.a installed"
fi

# --- call stacks ------------------------------------------------------------
# check_stacks NAME PROGRAM: the dump names installed_wait_here with
# stacks.c and the line the program prints, where the library takes
# stacks (libdw among exeunt.pc's Requires.private); else it says why not.
check_stacks() {
	timeout 30 "$2" >"$tmp/$1.out" 2>&1
	status=$?
	line=$(sed -n 's/^dump 0, wait line \([0-9]*\)$/\1/p' "$tmp/$1.out")
	if [ "$status" -ne 0 ] || [ -z "$line" ]; then
		cat "$tmp/$1.out"
		fail "$1: exit status $status, or no 'dump 0' line"
	elif $PKG_CONFIG --print-requires-private exeunt | grep -q libdw; then
		if grep -q "in installed_wait_here+0x[0-9a-f]* (.*) at .*stacks\.c:$line\$" \
		    "$tmp/$1.out"; then
			pass "$1"
		else
			cat "$tmp/$1.out"
			fail "$1: no frame of installed_wait_here at stacks.c:$line"
		fi
	elif grep -q "(no stack: exeunt was built without libdw)" \
	    "$tmp/$1.out"; then
		pass "$1 (the library was built without libdw)"
	else
		cat "$tmp/$1.out"
		fail "$1: neither frames nor the line of a library without them"
	fi
}
if [ "$have_shared" = yes ]; then
	# shellcheck disable=SC2086
	build stacks-shared $CC $WARN_CFLAGS -g -o "$tmp/stacks-shared" \
	    "$srcdir/stacks.c" $cflags $libs $rpath &&
		check_stacks stacks-shared "$tmp/stacks-shared"
fi
if [ "$have_static" = yes ]; then
	# shellcheck disable=SC2086
	build stacks-static $CC $WARN_CFLAGS -g $static_ld \
	    -o "$tmp/stacks-static" "$srcdir/stacks.c" $cflags $static_libs &&
		check_stacks stacks-static "$tmp/stacks-static"
fi

# --- C++: exeunt.hpp ----------------------------------------------------------
cat >"$tmp/c++20.expected" <<'OUT'
main: token stopped: no, returning
worker: woken: no, token stopped: yes
exeunt::at_exit hook: worker ended: yes
static destructor: worker ended: yes
OUT
cat >"$tmp/c++17.expected" <<'OUT'
main: thread "worker", wait_stop(0): no, returning
worker: stopped: yes, stop_requested: yes
exeunt::at_exit hook: worker ended: yes
static destructor: worker ended: yes
OUT
cxxflags="-Wall -Wextra -Wpedantic"
case " $WARN_CFLAGS " in *" -Werror "*) cxxflags="$cxxflags -Werror" ;; esac
if [ -z "$CXX" ]; then
	skip "c++20, c++17: no C++ compiler for the C library of $CC"
elif [ "$have_shared" != yes ]; then
	skip "c++20, c++17: no libexeunt.so installed"
else
	for std in 20 17; do
		# shellcheck disable=SC2086
		build "c++$std" $CXX -std=c++$std $cxxflags -o "$tmp/c++$std" \
		    "$srcdir/consumer$std.cc" $cflags $libs $rpath &&
			check "c++$std" 0 "$tmp/c++$std"
	done
fi

# --- CMake --------------------------------------------------------------------
if ! command -v "$CMAKE" >/dev/null 2>&1; then
	skip "cmake-shared, cmake-static (skipped: $CMAKE not found)"
else
	# CC and CXX may carry options (CC='gcc -m32'): CMake reads them
	# from the environment.  With a C++ compiler, the project builds
	# consumer17.cc too.
	export CC CXX
	with_cxx=OFF
	[ -n "$CXX" ] && with_cxx=ON
	for kind in shared static; do
		proj=cmake-$kind
		if [ "$kind" = static ] && [ "$have_static" != yes ]; then
			skip "$proj: no libexeunt.a installed"
			continue
		fi
		if [ "$kind" = shared ] && [ "$have_shared" != yes ]; then
			skip "$proj: no libexeunt.so installed"
			continue
		fi
		use_static=OFF
		[ "$kind" = static ] && use_static=ON
		dir=$ilibdir
		[ "$kind" = static ] && dir=static
		if ! build "$proj" "$CMAKE" -S "$srcdir/cmake" -B "$tmp/$proj" \
		    -DCMAKE_PREFIX_PATH="$DESTDIR$prefix;$ilibdir/cmake" \
		    -DCMAKE_C_FLAGS="$WARN_CFLAGS" \
		    -DCMAKE_CXX_FLAGS="$cxxflags" \
		    -DEXEUNT_USE_STATIC_LIBS=$use_static \
		    -DEXPECT_DIR="$ilibdir/cmake/exeunt" \
		    -DEXPECT_VERSION="$version" -DEXPECT_STATIC=$have_static \
		    -DWITH_CXX=$with_cxx ||
		    ! build "$proj" "$CMAKE" --build "$tmp/$proj"; then
			continue
		fi
		check_c "$proj" "$dir" "$tmp/$proj/app"
		if [ "$with_cxx" = ON ]; then
			cp "$tmp/c++17.expected" "$tmp/$proj-c++17.expected"
			check "$proj-c++17" 0 "$tmp/$proj/app17"
		fi
	done
fi

echo "make installcheck: $npass passed, $nskip skipped, $nfail failed"
[ "$nfail" -eq 0 ]
