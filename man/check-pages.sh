#!/bin/sh
# Checks the manual pages, for 'make check'.
#
#  - Every function declared with EXEUNT_API in include/exeunt.h has a
#    page named after it, man3/<function>.3, and every name in man3/ is
#    such a function's or one of the C++ header's, exeunt_cxx.3 and
#    exeunt.hpp.3 (when include/exeunt.hpp exists).
#  - Every file in man3/ and man7/ is installed: it is a page of
#    dist_man_MANS (MAN_PAGES) or a link of man3_links (MAN3_LINKS), in
#    man/Makefile.am.
#  - A link is a symbolic link to its page, in the same directory (in a
#    dist tarball, where tar followed the link, a copy of it); the page is
#    in MAN_PAGES, and its NAME section lists the link's name.  A page in
#    man3/ lists its own name there.
#  - A page's .Os line is '.Os exeunt $PACKAGE_VERSION'.
#  - A page's sections have mdoc(7)'s names, in mdoc(7)'s order; every page
#    has NAME, SYNOPSIS, DESCRIPTION and SEE ALSO, and a page in section 3
#    LIBRARY, RETURN VALUES and ERRORS too.
#  - No line of a page's source is longer than 80 columns (a tab taken to
#    the next multiple of 8), nor any line of the page rendered 80 columns
#    wide by 'mandoc -Tascii' and 'mandoc -Tutf8', and, when man(1) is
#    installed, by 'man -l' in the C locale and in C.UTF-8.  The renderers
#    print nothing on their standard error.
#  - Every page, and every link, renders to some text when read by its
#    path, with mandoc and with 'man -l', and its header and footer do
#    not say BSD (groff 1.22's mdoc macros put it in the header of every
#    page that does not empty their string doc-volume-operating-system).
#  - When MANDOC is set, 'mandoc -Tlint -W style' prints nothing about the
#    page.  mandoc looks up the pages that .Xr names in a manual path made
#    of this directory and of stand-ins for the pages of other packages
#    listed in external-pages.txt, not in the machine's, so that the
#    result is the same on every machine; every line of that list must
#    name a page that some page refers to.
#
# The pages live under man3/ and man7/ as they do once installed.  Nothing
# is written to $srcdir, so a read-only $srcdir is fine; the renderings go
# to a temporary directory.
#
# Environment (man/Makefile.am's TESTS_ENVIRONMENT sets it): srcdir (this
# directory in the source tree), top_srcdir, MANDOC (the mandoc program;
# empty to skip mandoc's lint and renderings), PACKAGE_VERSION, MAN_PAGES
# (dist_man_MANS) and MAN3_LINKS (man3_links: page and link, in pairs).

srcdir=${srcdir:-.}
top_srcdir=${top_srcdir:-$srcdir/..}
MANDOC=${MANDOC:-}
PACKAGE_VERSION=${PACKAGE_VERSION:-}
MAN_PAGES=${MAN_PAGES:-}
MAN3_LINKS=${MAN3_LINKS:-}
header=$top_srcdir/include/exeunt.h
cxx_header=$top_srcdir/include/exeunt.hpp
external=$srcdir/external-pages.txt

# The width of the pages, in the source and rendered.
width=80

# mdoc(7)'s section names, in its order.
mdoc_sections='NAME|LIBRARY|SYNOPSIS|DESCRIPTION|CONTEXT|IMPLEMENTATION NOTES'
mdoc_sections="$mdoc_sections|RETURN VALUES|ENVIRONMENT|FILES|EXIT STATUS"
mdoc_sections="$mdoc_sections|EXAMPLES|DIAGNOSTICS|ERRORS|SEE ALSO|STANDARDS"
mdoc_sections="$mdoc_sections|HISTORY|AUTHORS|CAVEATS|BUGS"
mdoc_sections="$mdoc_sections|SECURITY CONSIDERATIONS"

fail() {
	echo "FAIL: $*"
	echo "0 passed, 1 failed"
	exit 1
}

test -n "$PACKAGE_VERSION" ||
    fail "PACKAGE_VERSION is not set (run this from 'make check')"
test -n "$MAN_PAGES" || fail "MAN_PAGES is not set (run this from 'make check')"

# The functions declared in the header, one per line.
functions=
if test -r "$header"; then
	functions=$(sed -n \
	    's/^EXEUNT_API[^(]*[^A-Za-z0-9_]\(exeunt_[A-Za-z0-9_]*\) *(.*/\1/p' \
	    "$header" | sort -u)
fi
test -n "$functions" ||
    fail "no EXEUNT_API function declarations found in $header"

# The pages of the C++ header, one per line.
cxx_pages=
if test -r "$cxx_header"; then
	cxx_pages=$(printf '%s\n' exeunt_cxx exeunt.hpp)
fi

# The links, "link page" one per line.
set -- $MAN3_LINKS
test $(($# % 2)) -eq 0 || fail "MAN3_LINKS is not a list of pairs"
links=$(set -- $MAN3_LINKS
	while test $# -ge 2; do
		echo "$2 $1"
		shift 2
	done)

# The programs.  A UTF-8 locale measures UTF-8 output in columns; man(1)
# renders pages with groff in the locale's character set.
man=$(command -v man 2>/dev/null)
utf8=
for l in C.UTF-8 C.utf8; do
	if test "$(LC_ALL=$l locale charmap 2>/dev/null)" = UTF-8; then
		utf8=$l
		break
	fi
done
unset MANOPT MANROFFOPT MAN_KEEP_FORMATTING MANPAGER PAGER
bs=$(printf '\b')

tmp=$(mktemp -d "${TMPDIR:-/tmp}/exeunt-pages.XXXXXX") ||
    fail "cannot make a temporary directory"
trap 'rm -rf "$tmp"' 0
trap 'exit 1' HUP INT TERM
abs_srcdir=$(cd "$srcdir" && pwd)

# The stand-ins for the pages of other packages: empty files, which mandoc
# takes as the pages for -Tlint.
external_pages=
if test -r "$external"; then
	external_pages=$(sed -e 's/#.*//' -e '/^[ 	]*$/d' "$external" |
	    awk '{ print $1 " " $2 }')
fi
printf '%s\n' "$external_pages" | while read -r name sec; do
	test -n "$name" || continue
	mkdir -p "$tmp/xr/man$sec" && : >"$tmp/xr/man$sec/$name.$sec"
done

if test -n "$MANDOC"; then
	echo "# each page is linted with: $MANDOC -Tlint -W style"
	echo "#   (manual path: $srcdir and stand-ins for external-pages.txt)"
else
	echo "# MANDOC is empty: the pages are not linted nor rendered by mandoc"
fi
if test -n "$man"; then
	echo "# each page is rendered with: MANWIDTH=$width $man -l"
else
	echo "# man is not installed: the pages are not rendered by man -l"
fi
test -n "$utf8" ||
    echo "# no C.UTF-8 locale: UTF-8 renderings are not measured"

# names PAGE: the names in the NAME section of PAGE.
names() {
	sed -n '/^\.Sh NAME/,/^\.Sh /s/^\.Nm  *\([A-Za-z0-9_.]*\).*/\1/p' \
	    "$srcdir/$1"
}

# link_of PATH: the page that PATH links to, if PATH is a link in MAN3_LINKS.
link_of() {
	case $1 in
	man3/*) printf '%s\n' "$links" | awk -v l="${1#man3/}" \
	    '$1 == l { print $2; exit }' ;;
	esac
}

# is_page PATH: whether PATH is in MAN_PAGES.
is_page() {
	for p in $MAN_PAGES; do
		test "$p" = "$1" && return 0
	done
	return 1
}

# sections PAGE: problems with the section names of PAGE.
sections() {
	case $1 in
	man3/*) required='NAME|LIBRARY|SYNOPSIS|DESCRIPTION|RETURN VALUES'
		required="$required|ERRORS|SEE ALSO" ;;
	*) required='NAME|SYNOPSIS|DESCRIPTION|SEE ALSO' ;;
	esac
	sed -n -e 's/^\.Sh[ 	][ 	]*//p' "$srcdir/$1" |
	    sed -e 's/[ 	]*$//' -e 's/"//g' |
	    awk -v order="$mdoc_sections" -v required="$required" '
	BEGIN {
		n = split(order, o, "|")
		for (i = 1; i <= n; i++)
			rank[o[i]] = i
	}
	{
		seen[$0] = 1
		if (!($0 in rank)) {
			print "section \"" $0 "\": not one of mdoc(7)\047s names"
		} else if (rank[$0] <= last) {
			print "section " $0 " after " prev ": not in mdoc(7)\047s order"
		} else {
			last = rank[$0]
			prev = $0
		}
	}
	END {
		n = split(required, r, "|")
		for (i = 1; i <= n; i++)
			if (!(r[i] in seen))
				print "no section " r[i]
	}'
}

# source_width PAGE: the lines of PAGE's source wider than $width columns.
source_width() {
	expand "$srcdir/$1" | awk -v w="$width" \
	    'length($0) > w { print "line " NR ": " length($0) " columns" }'
}

# too_wide LABEL FILE: the lines of FILE, a rendering, wider than $width
# columns (overstruck characters taken once), with their width.
too_wide() {
	loc=${utf8:-C}
	LC_ALL=$loc sed "s/.$bs//g" "$2" >"$2.plain"
	test "$(LC_ALL=$loc wc -L <"$2.plain")" -gt "$width" || return 0
	awk -v w="$width" 'length($0) > w || /\t/' "$2.plain" |
	while IFS= read -r line; do
		n=$(printf '%s\n' "$line" | LC_ALL=$loc wc -L)
		test "$n" -le "$width" ||
		    printf '%s: %s columns: %s\n' "$1" "$n" "$line"
	done
}

# renders LABEL FILE LOCALE COMMAND...: runs COMMAND, a renderer, into FILE
# and prints the problems: a message on its standard error, a failure, or
# no text.
renders() {
	label=$1 out=$2 loc=$3
	shift 3
	if LC_ALL=$loc "$@" >"$out" 2>"$out.err"; then
		status=0
	else
		status=$?
	fi
	sed "s/^/$label: /" "$out.err"
	test "$status" -eq 0 || echo "$label: exited with status $status"
	grep -q '[^[:space:]]' "$out" || echo "$label: renders no text"
	# The header and the footer name no other system: groff 1.22's
	# mdoc puts BSD in them unless the page says otherwise.
	sed "s/.$bs//g" "$out" | grep -v '^[[:space:]]*$' | sed -n '1p;$p' |
	    grep 'BSD' | sed "s/^/$label: BSD in the header or footer: /"
}

# render LABEL FILE LOCALE COMMAND...: renders, and prints the lines too
# wide too (unless LOCALE is UTF-8 and there is no UTF-8 locale to measure
# in).
render() {
	renders "$@"
	if test "$3" = C || test -n "$utf8"; then
		too_wide "$1" "$2"
	fi
}

# renderings PAGE: the problems with the renderings of PAGE, read by path.
renderings() {
	r=$tmp/render
	if test -n "$MANDOC"; then
		render "mandoc -Tascii" "$r" C \
		    "$MANDOC" -Tascii -O width=$width "$srcdir/$1"
		render "mandoc -Tutf8" "$r" "${utf8:-C.UTF-8}" \
		    "$MANDOC" -Tutf8 -O width=$width "$srcdir/$1"
	fi
	if test -n "$man"; then
		render "man -l (C)" "$r" C \
		    env MANWIDTH=$width "$man" -l "$srcdir/$1"
		if test -n "$utf8"; then
			render "man -l ($utf8)" "$r" "$utf8" \
			    env MANWIDTH=$width "$man" -l "$srcdir/$1"
		fi
	fi
}

# lint PAGE: mandoc's messages about PAGE, or a line saying that mandoc
# failed without a message.  mandoc says on its standard error when it
# found a page by its file name, there being no mandoc.db in the manual
# path; those lines alone are left out.
lint() {
	out=$(cd "$srcdir" && MANPATH="$abs_srcdir:$tmp/xr" \
	    "$MANDOC" -Tlint -W style "$1" 2>"$tmp/lint.err")
	status=$?
	note='mandoc: outdated mandoc.db lacks '
	while IFS= read -r line; do
		case $line in
		"$note"*" entry, run makewhatis $abs_srcdir" | \
		"$note"*" entry, run makewhatis $tmp/xr") ;;
		*) printf '%s\n' "$line" ;;
		esac
	done <"$tmp/lint.err"
	if test -n "$out"; then
		printf '%s\n' "$out"
	elif test "$status" -ne 0; then
		echo "$MANDOC -Tlint exited with status $status"
	fi
}

# problems PAGE: the problems with PAGE, one per line; nothing if none.
problems() {
	page=$1
	base=${page##*/}
	name=${base%.*}
	target=$(link_of "$page")

	if test ! -f "$srcdir/$page"; then
		if test -n "$target" || is_page "$page"; then
			echo "missing: man/Makefile.am names it"
		elif printf '%s\n' "$cxx_pages" | grep -qxF "$name"; then
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
		;;
	esac

	if test -n "$target"; then
		is_page "$page" &&
		    echo "in both dist_man_MANS and man3_links (man/Makefile.am)"
		if test -h "$srcdir/$page"; then
			to=$(readlink "$srcdir/$page")
			test "$to" = "$target" ||
			    echo "a link to $to, not to $target"
		elif ! cmp -s "$srcdir/$page" "$srcdir/man3/$target"; then
			echo "not a symbolic link to $target"
		fi
		if ! is_page "man3/$target"; then
			echo "man3/$target is not in dist_man_MANS"
		elif ! test -f "$srcdir/man3/$target"; then
			echo "man3/$target does not exist"
		else
			names "man3/$target" | grep -qxF "$name" ||
			    echo "$name is not in the NAME section of $target"
		fi
		# What a link shows is its page's: its renderings must have
		# text, and the page's are checked in full.
		r=$tmp/render
		if test -n "$MANDOC"; then
			renders "mandoc -Tascii" "$r" C \
			    "$MANDOC" -Tascii "$srcdir/$page"
		fi
		if test -n "$man"; then
			renders "man -l (C)" "$r" C "$man" -l "$srcdir/$page"
		fi
		return
	fi

	if ! is_page "$page"; then
		echo "not installed: in neither dist_man_MANS nor" \
		    "man3_links (man/Makefile.am)"
	fi
	if test -h "$srcdir/$page"; then
		echo "a symbolic link, but not in man3_links (man/Makefile.am)"
		return
	fi
	case $page in
	man3/*)
		names "$page" | grep -qxF "$name" ||
		    echo "$name is not in the page's NAME section"
		;;
	esac
	os=$(grep '^\.Os' "$srcdir/$page")
	test "$os" = ".Os exeunt $PACKAGE_VERSION" ||
	    echo ".Os is not '.Os exeunt $PACKAGE_VERSION':" ${os:-none}
	sections "$page"
	source_width "$page"
	renderings "$page"
	if test -n "$MANDOC"; then
		lint "$page"
	fi
}

# Every page that exists, and every page that should.
pages=$( {
	for f in $functions $cxx_pages; do
		echo "man3/$f.3"
	done
	for p in $MAN_PAGES; do
		echo "$p"
	done
	printf '%s\n' "$links" | sed -n 's|^\([^ ][^ ]*\) .*|man3/\1|p'
	for p in "$srcdir"/man3/*.3 "$srcdir"/man7/*.7; do
		test -f "$p" || test -h "$p" && echo "${p#"$srcdir"/}"
	done
} | sort -u)

passed=0
failed=0
report() {
	if test -z "$2"; then
		echo "PASS: $1"
		passed=$((passed + 1))
	else
		echo "FAIL: $1"
		printf '%s\n' "$2" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
}

for page in $pages; do
	report "$page" "$(problems "$page")"
done

# Every line of external-pages.txt names a page that a page refers to.
out=$(printf '%s\n' "$external_pages" | while read -r name sec; do
	test -n "$name" || continue
	for p in $MAN_PAGES; do
		grep -Eq "Xr[[:space:]]+$name[[:space:]]+$sec([^0-9a-z]|\$)" \
		    "$srcdir/$p" && continue 2
	done
	echo "$name($sec): no page refers to it"
done)
test -r "$external" || out="missing"
report external-pages.txt "$out"

echo "$passed passed, $failed failed"
test "$failed" -eq 0
