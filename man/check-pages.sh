#!/bin/sh
# Checks the manual pages, for 'make check'.  For every page:
#
#  - Every function declared with EXEUNT_API in include/exeunt.h has a page
#    named after it, man3/<function>.3, and every page in man3/ is named
#    after such a function, or is one of the pages of the C++ header,
#    below.
#  - When the C++ header, include/exeunt.hpp, exists, it has its page,
#    man3/exeunt_cxx.3, and the stub man3/exeunt.hpp.3; they document no
#    function of include/exeunt.h, and are checked as the others are.
#  - A page in man3/ is either a full page whose NAME section lists its
#    function, or a one-line stub '.so man3/<page>.3' naming a full page
#    whose NAME section lists the stub's function.
#  - When MANDOC is set, 'mandoc -Tlint -W warning' prints nothing about the
#    page.  The one exception is the warning that mandoc gives for every .so
#    request ("fragile"), which a stub cannot avoid.
#
# The pages live under man3/ and man7/ as they do once installed, so that
# mandoc, run from $srcdir, resolves '.so man3/...' as man(1) does under
# $(mandir).  Nothing is written, so a read-only $srcdir is fine.
#
# Environment: srcdir (this directory in the source tree), top_srcdir, and
# MANDOC (the mandoc program; empty to skip the lint).

srcdir=${srcdir:-.}
top_srcdir=${top_srcdir:-$srcdir/..}
MANDOC=${MANDOC:-}
header=$top_srcdir/include/exeunt.h
cxx_header=$top_srcdir/include/exeunt.hpp

# The functions declared in the header, one per line.
functions=
if test -r "$header"; then
	functions=$(sed -n \
	    's/^EXEUNT_API[^(]*[^A-Za-z0-9_]\(exeunt_[A-Za-z0-9_]*\) *(.*/\1/p' \
	    "$header" | sort -u)
fi
if test -z "$functions"; then
	echo "FAIL: no EXEUNT_API function declarations found in $header"
	echo "0 passed, 1 failed"
	exit 1
fi

# The pages of the C++ header, one per line.
cxx_pages=
if test -r "$cxx_header"; then
	cxx_pages=$(printf '%s\n' exeunt_cxx exeunt.hpp)
fi

if test -n "$MANDOC"; then
	echo "# each page is linted with: $MANDOC -Tlint -W warning"
else
	echo "# MANDOC is empty: the pages are not linted"
fi

# stub_target PAGE: the target of PAGE if PAGE is a .so stub, else nothing.
stub_target() {
	sed -n '1s/^\.so[ 	]*//p' "$srcdir/$1"
}

# names PAGE: the names in the NAME section of PAGE.
names() {
	sed -n '/^\.Sh NAME/,/^\.Sh /s/^\.Nm  *\([A-Za-z0-9_.]*\).*/\1/p' \
	    "$srcdir/$1"
}

# lint PAGE: mandoc's messages about PAGE, less the expected .so warning in
# a stub, or a line saying that mandoc failed without a message.
lint() {
	out=$(cd "$srcdir" && "$MANDOC" -Tlint -W warning "$1" 2>&1)
	status=$?
	target=$(stub_target "$1")
	ok=0
	if test -n "$target"; then
		out=$(printf '%s\n' "$out" | grep -v \
		    ": WARNING: \.so is fragile, better use ln(1): so $target\$")
		ok=2		# mandoc's exit status for warnings
	fi
	if test -n "$out"; then
		printf '%s\n' "$out"
	elif test "$status" -gt "$ok"; then
		echo "$MANDOC exited with status $status"
	fi
}

# problems PAGE: the problems with PAGE, one per line; nothing if none.
problems() {
	page=$1
	base=${page##*/}
	name=${base%.*}

	if test ! -f "$srcdir/$page"; then
		if printf '%s\n' "$cxx_pages" | grep -qxF "$name"; then
			echo "missing: include/exeunt.hpp needs $name.3"
		else
			echo "missing: $name is declared in include/exeunt.h"
		fi
		return
	fi
	case $page in
	man3/*)
		printf '%s\n' "$functions" "$cxx_pages" | grep -qxF "$name" ||
		    echo "$name is not declared in include/exeunt.h" \
		    "nor a page of include/exeunt.hpp"
		target=$(stub_target "$page")
		if test -z "$target"; then
			names "$page" | grep -qxF "$name" ||
			    echo "$name is not in the page's NAME section"
		elif test "$(grep -c '' "$srcdir/$page")" -ne 1; then
			echo "a .so stub must be one line"
		elif test "$target" != "man3/${target#man3/}" ||
		    test "${target%.3}" = "$target"; then
			echo "the .so target must be man3/<page>.3: $target"
		elif test ! -f "$srcdir/$target"; then
			echo "the .so target $target does not exist"
		elif test -n "$(stub_target "$target")"; then
			echo "the .so target $target is itself a stub"
		else
			names "$target" | grep -qxF "$name" ||
			    echo "$name is not in the NAME section of $target"
		fi
		;;
	esac
	if test -n "$MANDOC"; then
		lint "$page"
	fi
}

# Every page that exists, and every page that should.
pages=$( {
	for f in $functions $cxx_pages; do
		echo "man3/$f.3"
	done
	for p in "$srcdir"/man3/*.3 "$srcdir"/man7/*.7; do
		test -f "$p" && echo "${p#"$srcdir"/}"
	done
} | sort -u)

passed=0
failed=0
for page in $pages; do
	out=$(problems "$page")
	if test -z "$out"; then
		echo "PASS: $page"
		passed=$((passed + 1))
	else
		echo "FAIL: $page"
		printf '%s\n' "$out" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed"
test "$failed" -eq 0
