/*
 * exit() of a statically linked program: -Wl,--wrap=exit, which
 * pkg-config --static --libs exeunt gives, makes every call of exit() in
 * the program and in the C library a call of __wrap_exit(), and
 * __real_exit the C library's exit().  Only such a link refers to
 * __wrap_exit, so only such a link pulls this file in from libexeunt.a;
 * without it, nothing here names __real_exit, which would not link.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * The shared library defines exit() itself (exit.c): nothing here.
 */
#include "internal.h"

#ifndef PIC
void __real_exit(int status) __attribute__((noreturn));
void __wrap_exit(int status) __attribute__((noreturn));

/* Read by exeunt__libc_exit() through a weak reference. */
void (*const exeunt__real_exit)(int) EXEUNT__HIDDEN = __real_exit;

__attribute__((visibility("default"))) void
__wrap_exit(int status)
{
	exeunt__exit(status);
}
#else
typedef int exeunt__wrap_unused;	/* not an empty file */
#endif
