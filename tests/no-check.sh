#!/bin/sh
# Run by 'make check' in place of the test suite when configure did not
# find Check (libcheck): says what is missing and fails, so that a build
# without it can never pass for a tested one.
#
# Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.

# To the log, and to the terminal through fd 9 (tests/Makefile.am's
# AM_TESTS_FD_REDIRECT) when make check opened it.
msg() {
	cat <<'MSG'
make check: the test suite needs Check (libcheck) >= 0.11, and configure
did not find it (through pkg-config), so its tests were not built.
Install it and configure again, e.g. on Debian or Ubuntu:

    apt-get install check pkg-config && ./configure && make check
MSG
}
msg >&2
if (: >&9) 2>/dev/null; then
	msg >&9
fi
exit 99
