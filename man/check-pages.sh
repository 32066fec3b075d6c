#!/bin/sh
# Checks the manual pages, for 'make check'.  For every page:
#
#  - Every function declared with EXEUNT_API in include/exeunt.h has a page
#    named after it, man3/<function>.3, and every page in man3/ is named
#    after such a function.
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
	sed -n '/^\.Sh NAME/,/^\.Sh /s/^\.Nm  *\([A-Za-z0-9_]*\).*/\1/p' \
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
		echo "missing: $name is declared in include/exeunt.h"
		return
	fi
	case $page in
	man3/*)
		echo "$functions" | grep -qx "$name" ||
		    echo "$name is not declared in include/exeunt.h"
		target=$(stub_target "$page")
		if test -z "$target"; then
			names "$page" | grep -qx "$name" ||
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
			names "$target" | grep -qx "$name" ||
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
	for f in $functions; do
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
