/*
 * The public header of make check-abi's self-test library (abi/abi.sh):
 * built as it is, and with one of the changes below, so that the check
 * shows it passes an added function and fails a removed one, a changed
 * parameter type and a changed public struct.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#ifndef ABI_SELFTEST_H
#define ABI_SELFTEST_H

struct abi_selftest_point {
	int x;
#ifdef ABI_SELFTEST_STRUCT
	long y;
#else
	int y;
#endif
};

int abi_selftest_scale(struct abi_selftest_point *p,
#ifdef ABI_SELFTEST_PARAM
    long factor
#else
    int factor
#endif
    );

#ifdef ABI_SELFTEST_ADDED
int abi_selftest_added(void);
#endif

#endif /* ABI_SELFTEST_H */
