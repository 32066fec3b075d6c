#!/bin/sh
# The library's ABI against the last release's, with libabigail's abidw
# and abidiff (Debian: abigail-tools).  abi/abi.am runs it:
#
#   abi.sh dump LIBRARY HEADERS-DIR OUTPUT      (make abi-dump)
#       Writes LIBRARY's ABI as abidw XML: the functions and variables it
#       exports and the types they use that HEADERS-DIR defines, without
#       anything of the machine that built it (no paths but file names).
#
#   abi.sh check HEADERS-DIR LIBRARY BASELINE...   (make check-abi)
#       Runs the self-test below, then compares the newest BASELINE (by
#       version: abi/libexeunt-X.Y.Z.abi) with LIBRARY, whose public
#       headers are in HEADERS-DIR.  Added functions and variables pass,
#       and are listed; a removed one, or a changed function, variable or
#       public type (of its size, members, parameters, return type), fails
#       with abidiff's report.  Private types (not defined in HEADERS-DIR,
#       such as struct exeunt_thread) may change.
#
# The verdict is abidiff's exit status with --no-added-syms, a bit mask
# (abidiff(1)): 1 ABIDIFF_ERROR, 2 ABIDIFF_USAGE_ERROR (the tool failed),
# 4 ABIDIFF_ABI_CHANGE (something changed), 8
# ABIDIFF_ABI_INCOMPATIBLE_CHANGE (a symbol was removed).  Added symbols
# set 4 too, unless --no-added-syms leaves them out: so with it, any
# status but 0 fails; the listing of what was added comes from a second
# run without it.
#
# The self-test proves both directions of the verdict on every run:
# abi/selftest.c, built as a small shared library four ways (as it is;
# with a function added; with a parameter's type changed; with a member
# of a public struct changed), compared the way LIBRARY is, from an XML
# dump to a library: adding passes, and removing (the added library as
# the old one), the parameter and the struct fail.  Then LIBRARY itself as
# the old one against the oldest BASELINE must fail, its functions added
# since then being removed in that direction.
#
# Environment: CC (the self-test's compiler), ABIDW, ABIDIFF, srcdir (the
# directory that the BASELINE names and abi/selftest.c are relative to).
#
# Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.

CC=${CC:-cc}
ABIDW=${ABIDW:-abidw}
ABIDIFF=${ABIDIFF:-abidiff}
srcdir=${srcdir:-.}

# What abidw keeps: types only from the public headers, and locations as
# bare file names, so that the XML is the same from any clone and build
# directory.
DUMP_FLAGS="--drop-private-types --no-corpus-path --no-comp-dir-path
	--no-elf-needed --short-locs"

die() {
	echo "abi.sh: $*" >&2
	exit 1
}

need_tools() {
	for tool in "$ABIDW" "$ABIDIFF"; do
		command -v "$tool" >/dev/null 2>&1 ||
			die "$tool is not installed (Debian: apt-get install abigail-tools)"
	done
}

# dump LIBRARY HEADERS-DIR OUTPUT: fails, writing nothing, if LIBRARY has
# no debug information (built without -g), whose types the comparison
# needs.
dump() {
	$ABIDW $DUMP_FLAGS --headers-dir "$2" --out-file "$3.tmp" "$1" ||
		{ rm -f "$3.tmp"; die "$ABIDW failed on $1"; }
	if ! grep -q '<abi-instr ' "$3.tmp"; then
		rm -f "$3.tmp"
		die "$1 has no debug information: build it with -g (the default CFLAGS)"
	fi
	if grep -q "path='/" "$3.tmp"; then
		grep -n "path='/" "$3.tmp" | head -n 3 >&2
		rm -f "$3.tmp"
		die "$ABIDW left an absolute path in the XML"
	fi
	mv "$3.tmp" "$3"
}

# The architecture attribute of the abidw XML $1.
architecture() {
	sed -n "s/^<abi-corpus .*architecture='\([^']*\)'.*/\1/p" "$1"
}

# compare OLD NEW REPORT [abidiff options]: abidiff's verdict on OLD (an
# XML dump or a library) against NEW; its report in REPORT, what was
# added in REPORT.added.  Returns 0 (compatible), 1 (an incompatible
# change) or 2 (abidiff failed: status bit 1 or 2), and sets $status to
# abidiff's status.
compare() {
	old=$1 new=$2 report=$3
	shift 3
	status=0
	$ABIDIFF --no-added-syms "$@" "$old" "$new" >"$report" 2>&1 || status=$?
	if test $((status & 3)) -ne 0; then
		return 2
	elif test $status -ne 0; then
		return 1
	fi
	$ABIDIFF "$@" "$old" "$new" >"$report.added" 2>&1 || true
	return 0
}

# expect WHAT RESULT WANT [TEXT]: the self-test's account of a comparison
# that returned RESULT (compare's), which must be WANT (pass or fail);
# for a failure, the report must match TEXT (an extended regular
# expression).  Sets $selftest to 1 if not.
expect() {
	what=$1 result=$2 want=$3 text=${4:-}
	case $result in
	0) got=pass ;;
	1) got=fail ;;
	*) got="an error (abidiff status $status)" ;;
	esac
	if test "$got" = "$want" &&
	    { test -z "$text" || grep -q -E -- "$text" "$report"; }; then
		test "$want" = pass && verb=passes || verb=fails
		echo "  $what: $verb, as it must (abidiff status $status)"
		return 0
	fi
	echo "  FAIL: $what: $got (abidiff status $status), where it must $want${text:+ with a report matching $text}:" >&2
	cat "$report" >&2
	selftest=1
}

# The self-test's libraries: abi/selftest.c and its header, built with
# $CC as they are and with one of the changes, each into $tmp/NAME/.
build_selftest() {
	name=$1
	shift
	mkdir -p "$tmp/$name/include" || exit 1
	cp "$srcdir/abi/selftest.h" "$tmp/$name/include/" || exit 1
	$CC -g -O0 -fPIC -shared "$@" -I"$tmp/$name/include" \
	    -o "$tmp/$name/libselftest.so" "$srcdir/abi/selftest.c" ||
		die "cannot build the self-test's library ($name) with $CC"
}

selftest() {
	selftest=0
	echo "check-abi: self-test: abi/selftest.c, built with $CC as a shared library four ways"
	build_selftest base
	build_selftest added -DABI_SELFTEST_ADDED
	build_selftest param -DABI_SELFTEST_PARAM
	build_selftest struct -DABI_SELFTEST_STRUCT
	dump "$tmp/base/libselftest.so" "$tmp/base/include" "$tmp/base.abi"
	dump "$tmp/added/libselftest.so" "$tmp/added/include" "$tmp/added.abi"
	report=$tmp/selftest.report

	r=0
	compare "$tmp/base.abi" "$tmp/added/libselftest.so" "$report" \
	    --headers-dir2 "$tmp/added/include" || r=$?
	expect "a function added" $r pass
	if test $r -eq 0 && ! grep -q abi_selftest_added "$report.added"; then
		echo "  FAIL: abidiff does not list the added function:" >&2
		cat "$report.added" >&2
		selftest=1
	fi
	r=0
	compare "$tmp/added.abi" "$tmp/base/libselftest.so" "$report" \
	    --headers-dir2 "$tmp/base/include" || r=$?
	expect "a function removed" $r fail abi_selftest_added
	test $((status & 8)) -ne 0 || {
		echo "  FAIL: abidiff did not call the removal incompatible" >&2
		selftest=1
	}
	r=0
	compare "$tmp/base.abi" "$tmp/param/libselftest.so" "$report" \
	    --headers-dir2 "$tmp/param/include" || r=$?
	expect "a parameter's type changed (int to long)" $r fail abi_selftest_scale
	r=0
	compare "$tmp/base.abi" "$tmp/struct/libselftest.so" "$report" \
	    --headers-dir2 "$tmp/struct/include" || r=$?
	expect "a public struct's member changed (int to long)" $r fail abi_selftest_point
	test $selftest -eq 0 || die "the self-test failed: the checker cannot be trusted"
}

# check HEADERS-DIR LIBRARY BASELINE...
check() {
	headers=$1 lib=$2
	shift 2
	test -f "$lib" || die "$lib is missing: make check-abi needs the shared library (configure --enable-shared, the default)"
	selftest

	# The baselines, oldest first by version; each abi/*.abi of the
	# source tree must be among them (abi/abi.am's ABI_BASELINES, which
	# puts them in the release tarball).
	for f in "$@"; do
		test -f "$srcdir/$f" || die "the baseline $srcdir/$f is missing"
	done
	for f in "$srcdir"/abi/*.abi; do
		test -f "$f" || continue
		case " $* " in
		*" abi/${f##*/} "*) ;;
		*) die "abi/${f##*/} is not in ABI_BASELINES (abi/abi.am)" ;;
		esac
	done
	if test $# -eq 0; then
		echo "check-abi: no baseline in ABI_BASELINES: nothing to compare $lib with (a new SONAME's first release has none)"
		exit 0
	fi
	baselines=$(printf '%s\n' "$@" | sort -V)
	oldest=$srcdir/$(echo "$baselines" | head -n 1)
	newest=$srcdir/$(echo "$baselines" | tail -n 1)

	dump "$lib" "$headers" "$tmp/build.abi"
	if test "$(architecture "$newest")" != "$(architecture "$tmp/build.abi")"; then
		echo "check-abi: SKIP: the baseline ${newest##*/} is for $(architecture "$newest"), this build for $(architecture "$tmp/build.abi"): no comparison"
		exit 0
	fi

	echo "check-abi: ${newest##*/} (the last release) against $lib"
	report=$tmp/check.report
	r=0
	compare "$newest" "$lib" "$report" --headers-dir2 "$headers" || r=$?
	case $r in
	0)
		echo "  compatible (abidiff status $status); abidiff's account, added symbols included:"
		sed 's/^/  | /' "$report.added"
		;;
	1)
		echo "check-abi: FAIL: $lib changes or removes what ${newest##*/} has (abidiff status $status):" >&2
		cat "$report" >&2
		echo "check-abi: an incompatible change needs a new SONAME: see HACKING, \"Libtool's version numbers\"" >&2
		exit 1
		;;
	*)
		cat "$report" >&2
		die "$ABIDIFF failed (status $status)"
		;;
	esac

	# The other direction, on the real library: against the oldest
	# baseline, what was added since is removed, and that must fail.
	r=0
	compare "$oldest" "$lib" "$report" --headers-dir2 "$headers" || r=$?
	if test $r -ne 0 ||
	    ! grep -q -E '^[0-9]+ Added (function|variable)' "$report.added"; then
		echo "check-abi: self-test: $lib adds nothing to ${oldest##*/}: the reverse comparison would prove nothing, not run"
		return 0
	fi
	echo "check-abi: self-test: $lib as the old library, ${oldest##*/} as the new one"
	selftest=0
	r=0
	compare "$lib" "$oldest" "$report" --headers-dir1 "$headers" || r=$?
	expect "what was added since ${oldest##*/} is removed" $r fail "Removed (function|variable)"
	test $((status & 8)) -ne 0 || {
		echo "  FAIL: abidiff did not call the removal incompatible" >&2
		selftest=1
	}
	test $selftest -eq 0 || die "the self-test failed: the checker cannot be trusted"
}

case ${1:-} in
dump)
	test $# -eq 4 || die "usage: abi.sh dump LIBRARY HEADERS-DIR OUTPUT"
	need_tools
	test -f "$2" || die "$2 is missing: make abi-dump needs the shared library"
	test ! -e "$4" || die "$4 exists: a released baseline is never rewritten (remove it first if it is wrong)"
	dump "$2" "$3" "$4"
	echo "abi.sh: wrote $4; add it to ABI_BASELINES in abi/abi.am and commit it"
	;;
check)
	test $# -ge 3 || die "usage: abi.sh check HEADERS-DIR LIBRARY BASELINE..."
	shift
	need_tools
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-abi.XXXXXX") || exit 1
	trap 'rm -rf "$tmp"' EXIT
	check "$@"
	echo "check-abi: PASS"
	;;
*)
	die "usage: abi.sh dump|check ... (see the comment at its top)"
	;;
esac
