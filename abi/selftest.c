/*
 * make check-abi's self-test library: see abi/selftest.h and abi/abi.sh.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "selftest.h"

int
abi_selftest_scale(struct abi_selftest_point *p,
#ifdef ABI_SELFTEST_PARAM
    long factor
#else
    int factor
#endif
    )
{
	p->x *= factor;
	p->y *= factor;
	return 0;
}

#ifdef ABI_SELFTEST_ADDED
int
abi_selftest_added(void)
{
	return 1;
}
#endif
