/*
 * An allocator for the scenario programs that test running out of memory:
 * a program that includes this defines malloc, calloc, realloc and free
 * (the executable's definitions come first in symbol lookup, so the
 * library and libc use them) and forwards them to the next definitions,
 * except that each fails with ENOMEM whenever interpose_fail(), which the
 * program defines, returns non-zero.  Link with -ldl.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#ifndef EXEUNT_INTERPOSE_H
#define EXEUNT_INTERPOSE_H

#include <dlfcn.h>
#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);

/*
 * The allocator is called by the dynamic loader and, in sanitizer
 * builds, by the sanitizer's own start-up before it can handle an
 * instrumented call: none of its functions is instrumented.
 */
#if defined(__SANITIZE_THREAD__)
#define NOT_INSTRUMENTED __attribute__((no_sanitize_thread))
#elif defined(__SANITIZE_ADDRESS__)
#define NOT_INSTRUMENTED __attribute__((no_sanitize_address))
#else
#define NOT_INSTRUMENTED
#endif

/* Served while dlsym() itself allocates, before the real ones are known. */
static alignas(max_align_t) char boot[8192];
static atomic_size_t boot_used;
static _Thread_local int resolving;

NOT_INSTRUMENTED static void *
boot_alloc(size_t n)
{
	size_t off;

	n = (n + 15) & ~(size_t)15;
	off = atomic_fetch_add(&boot_used, n);
	return off + n <= sizeof boot ? boot + off : NULL;
}

NOT_INSTRUMENTED static int
from_boot(const void *p)
{
	return (const char *)p >= boot && (const char *)p < boot + sizeof boot;
}

NOT_INSTRUMENTED static void
resolve(void)
{
	if (real_free != NULL)
		return;
	resolving = 1;
	*(void **)&real_malloc = dlsym(RTLD_NEXT, "malloc");
	*(void **)&real_calloc = dlsym(RTLD_NEXT, "calloc");
	*(void **)&real_realloc = dlsym(RTLD_NEXT, "realloc");
	*(void **)&real_free = dlsym(RTLD_NEXT, "free");
	resolving = 0;
}

/* Whether the calling allocation fails; defined by the program. */
NOT_INSTRUMENTED static int interpose_fail(void);

NOT_INSTRUMENTED void *
malloc(size_t n)
{
	if (resolving)
		return boot_alloc(n);
	resolve();
	if (interpose_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return real_malloc(n);
}

NOT_INSTRUMENTED void *
calloc(size_t n, size_t size)
{
	void *p;

	if (resolving) {
		if (size != 0 && n > SIZE_MAX / size)
			return NULL;
		p = boot_alloc(n * size);
		if (p != NULL)
			memset(p, 0, n * size);
		return p;
	}
	resolve();
	if (interpose_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return real_calloc(n, size);
}

NOT_INSTRUMENTED void *
realloc(void *old, size_t n)
{
	void *p;

	if (resolving || from_boot(old)) {
		p = malloc(n);
		if (p != NULL && old != NULL)
			memcpy(p, old, n);	/* boot blocks are large enough */
		return p;
	}
	resolve();
	if (interpose_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return real_realloc(old, n);
}

NOT_INSTRUMENTED void
free(void *p)
{
	if (p == NULL || from_boot(p))
		return;
	resolve();
	real_free(p);
}

#endif /* EXEUNT_INTERPOSE_H */
