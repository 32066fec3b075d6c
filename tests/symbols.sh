#!/bin/sh
# The shared library exports exactly what it promises: the dynamic
# symbols of src/.libs/libexeunt.so ('nm -D --defined-only', each with its
# version node, the nodes themselves included) are the symbols that the
# version script src/libexeunt.map puts in each node, and the symbols that
# Debian's symbols file lists (debian/libexeunt0.symbols for the SONAME
# libexeunt.so.0, and so on), each symbol there with its version node's
# release as its minimum version; and every function that
# include/exeunt.h declares (the EXEUNT_API lines) is exported, and no
# exeunt_ symbol is exported that the header does not declare.  A
# difference fails with a diff.
#
# Skips (77) when the build has no shared library (configure
# --disable-shared).  debian/ is not in the release tarball: without the
# symbols file the library is compared with the version script and the
# header only, and the test says so.
#
# Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.

: "${top_srcdir:?top_srcdir is not set}"
NM=${NM:-nm}
top_builddir=${top_builddir:-..}

la=$top_builddir/src/libexeunt.la
map=$top_srcdir/src/libexeunt.map
header=$top_srcdir/include/exeunt.h

if ! test -f "$la"; then
	echo "ERROR: $la is missing: the library is not built" >&2
	exit 99
fi
# libtool's dlname is the shared library's file name, empty when the
# build is static only.
dlname=$(sed -n "s/^dlname='\(.*\)'$/\1/p" "$la")
if test -z "$dlname"; then
	echo "SKIP: no shared library in this build (static only:" \
	    "configure --disable-shared), so no dynamic symbols to check"
	exit 77
fi
lib=$top_builddir/src/.libs/libexeunt.so
# Debian names the package after the SONAME: libexeunt.so.0, libexeunt0.
symbols_name=debian/libexeunt${dlname#libexeunt.so.}.symbols
symbols=$top_srcdir/$symbols_name
if ! test -f "$lib"; then
	echo "ERROR: $la names $dlname, but $lib is missing" >&2
	exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/symbols.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# The library: "name@node", one a line.  binutils' nm shows a symbol of
# the default version as name@@node (name@node for another version) and,
# up to 2.40 at least, a version node's own symbol as its bare name, of
# type A; later ones may show it as node@@node.
if ! $NM -D --defined-only "$lib" >"$tmp/nm.out"; then
	echo "ERROR: $NM -D --defined-only $lib failed" >&2
	exit 99
fi
awk '
NF >= 3 {
	name = $3
	sub(/@@/, "@", name)
	if (name !~ /@/)
		name = ($2 == "A") ? name "@" name : name "@(no version)"
	print name
}' "$tmp/nm.out" | LC_ALL=C sort >"$tmp/nm"
if ! grep -q '^exeunt_[A-Za-z0-9_]*@EXEUNT_' "$tmp/nm"; then
	echo "ERROR: $NM shows no version node on the symbols of $lib" \
	    "(binutils 2.35 or later is needed):" >&2
	head -n 5 "$tmp/nm.out" >&2
	exit 99
fi

# The version script: each node's name, and each symbol of its global
# part, as "name@node".  Comments go first; a pattern (*, ?, [) or an
# extern "C++" block cannot be listed, and is an error here.
awk '
{ text = text " " $0 }
END {
	while ((i = index(text, "/*")) > 0) {
		j = index(substr(text, i + 2), "*/")
		if (j == 0) {
			print "unterminated comment" > "/dev/stderr"
			exit 1
		}
		text = substr(text, 1, i - 1) " " substr(text, i + j + 3)
	}
	gsub(/[{};:]/, " & ", text)
	n = split(text, tok, /[ \t]+/)
	node = ""
	for (k = 1; k <= n; k++) {
		t = tok[k]
		if (t == "")
			continue
		if (node == "") {
			if (t == "{" || t == "}" || t == ";" || t == ":") {
				printf "unexpected \"%s\" outside a node\n", t > "/dev/stderr"
				exit 1
			}
			node = t
			if (tok[k + 1] != "{") {
				printf "node %s: \"{\" expected\n", node > "/dev/stderr"
				exit 1
			}
			k++
			scope = "global"
			print node "@" node
			continue
		}
		if (t == "}") {
			# "} parent;" or "};"
			while (k <= n && tok[k] != ";")
				k++
			node = ""
			continue
		}
		if ((t == "global" || t == "local") && tok[k + 1] == ":") {
			scope = t
			k++
			continue
		}
		if (t == ";")
			continue
		if (t == "extern" || t ~ /[*?[]/) {
			if (scope == "local")
				continue
			printf "node %s: \"%s\" cannot be listed\n", node, t > "/dev/stderr"
			exit 1
		}
		if (tok[k + 1] != ";") {
			printf "node %s: \";\" expected after %s\n", node, t > "/dev/stderr"
			exit 1
		}
		if (scope == "global")
			print t "@" node
	}
	if (node != "") {
		printf "node %s is not closed\n", node > "/dev/stderr"
		exit 1
	}
}' "$map" >"$tmp/map.unsorted" || {
	echo "ERROR: cannot read the version script $map" >&2
	exit 99
}
LC_ALL=C sort "$tmp/map.unsorted" >"$tmp/map"

status=0

# compare HEADING LABEL1 FILE1 LABEL2 FILE2: fails, with the heading and
# a diff, unless the two lists are equal.
compare() {
	if ! cmp -s "$3" "$5"; then
		echo "FAIL: $1:" >&2
		diff -u --label "$2" --label "$4" "$3" "$5" >&2
		status=1
	fi
}

compare "the library's dynamic symbols differ from what the version script
exports (-: only in the script, +: only in the library)" \
    src/libexeunt.map "$tmp/map" libexeunt.so "$tmp/nm"

# The symbols file: its first line names the SONAME, then come
# " name@node minimum-version" lines ("*" lines are fields, "#" lines
# comments; a symbol may begin with tags in parentheses).
if test -f "$symbols"; then
	awk '
	/^ / {
		s = $1
		if (s ~ /^\(/)
			sub(/^\([^)]*\)/, "", s)
		print s
	}' "$symbols" | LC_ALL=C sort >"$tmp/symbols"
	first=$(awk 'NR == 1 { print $1 }' "$symbols")
	if test "$first" != "$dlname"; then
		echo "FAIL: $symbols_name is for $first, the library's SONAME is" \
		    "$dlname" >&2
		status=1
	fi
	compare "the library's dynamic symbols differ from $symbols_name
(-: only in the symbols file, +: only in the library)" \
	    "$symbols_name" "$tmp/symbols" libexeunt.so "$tmp/nm"
	# The minimum versions, from which dpkg-shlibdeps makes a program's
	# dependency: a symbol of the node EXEUNT_X.Y came with release
	# X.Y.0 (EXEUNT_X.Y.Z with X.Y.Z), and a symbol of another node
	# (EXEUNT_EXIT) with the node itself, as the node's own line says.
	# A lower version would let a program be installed with a library
	# that lacks the symbol; a higher one would ask for a release that
	# need not exist.
	awk '
	/^ / {
		s = $1
		if (s ~ /^\(/)
			sub(/^\([^)]*\)/, "", s)
		node = substr(s, index(s, "@") + 1)
		n++
		sym[n] = s
		ver[n] = $2
		nodeof[n] = node
		if (s == node "@" node)
			nodever[node] = $2
	}
	END {
		for (i = 1; i <= n; i++) {
			node = nodeof[i]
			if (node ~ /^EXEUNT_[0-9]+\.[0-9]+$/)
				want = substr(node, 8) ".0"
			else if (node ~ /^EXEUNT_[0-9]+\.[0-9]+\.[0-9]+$/)
				want = substr(node, 8)
			else if (node in nodever)
				want = nodever[node]
			else
				want = "(the version of the line " node "@" node ")"
			if (ver[i] != want)
				printf " %s %s, where the node %s needs %s\n",
				    sym[i], ver[i], node, want
		}
	}' "$symbols" >"$tmp/versions"
	if test -s "$tmp/versions"; then
		echo "FAIL: $symbols_name gives these symbols another minimum" \
		    "version than their version node's release:" >&2
		cat "$tmp/versions" >&2
		status=1
	fi
	compared="the version script and $symbols_name (with the release of each node)"
else
	echo "note: no $symbols_name here (debian/ is not in the release" \
	    "tarball): compared with the version script only"
	compared="the version script"
fi

# include/exeunt.h: each function is declared on a line that begins with
# EXEUNT_API and has the name before the first "(" (as tests/header-c.sh
# reads them).
sed -n 's/^EXEUNT_API[^(]*[^A-Za-z0-9_]\(exeunt_[A-Za-z0-9_]*\) *(.*/\1/p' \
    "$header" | LC_ALL=C sort -u >"$tmp/declared"
if ! test -s "$tmp/declared"; then
	echo "ERROR: no EXEUNT_API function found in $header" >&2
	exit 99
fi
sed -n 's/^\(exeunt_[A-Za-z0-9_]*\)@.*/\1/p' "$tmp/nm" |
    LC_ALL=C sort -u >"$tmp/exported"
compare "the functions of include/exeunt.h differ from the library's
exeunt_ symbols (-: declared, not exported; +: exported, not declared)" \
    include/exeunt.h "$tmp/declared" libexeunt.so "$tmp/exported"

if test $status -eq 0; then
	echo "PASS: $lib exports $(wc -l <"$tmp/nm") symbols in" \
	    "$(grep -c '^\([^@]*\)@\1$' "$tmp/nm") version nodes, the same" \
	    "as $compared; the $(wc -l <"$tmp/declared") functions of" \
	    "include/exeunt.h are exported"
fi
exit $status
