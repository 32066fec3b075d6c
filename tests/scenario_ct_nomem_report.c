/*
 * Out of memory when the deadline passes: the report must not be dropped
 * silently.  Like scenario_nomem.c, this program defines malloc, calloc,
 * realloc and free and forwards them to the next definitions; here every
 * allocation, in every thread, fails from the moment the shutdown begins
 * (the terminate callback of the one thread raises the flag).  The
 * deadline is 50 ms with action EXIT, and the thread never stops: the
 * process must end with status 124 and at least the report's heading
 * ("exeunt: shutdown deadline ...") on stderr.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <dlfcn.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>

static atomic_int out_of_memory;

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);

/* As in scenario_nomem.c: the loader and the sanitizers' start-up call
 * the allocator before they can handle an instrumented call. */
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

NOT_INSTRUMENTED void *
malloc(size_t n)
{
	if (resolving)
		return boot_alloc(n);
	resolve();
	if (atomic_load(&out_of_memory)) {
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
	if (atomic_load(&out_of_memory)) {
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
	if (atomic_load(&out_of_memory)) {
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

static struct sc_flag started = SC_FLAG_INIT;
static struct sc_flag never = SC_FLAG_INIT;

/* Ignores its stop request: the deadline passes. */
static void *
start_stuck(void *arg)
{
	(void)arg;
	flag_set(&started);
	flag_wait(&never);
	return NULL;
}

/* The shutdown has begun (and armed its deadline): no memory from now. */
static void
terminate_starve(exeunt_thread_t *t, void *arg)
{
	(void)t;
	(void)arg;
	atomic_store(&out_of_memory, 1);
}

int
main(void)
{
	static const struct timespec limit = { 0, 50 * 1000000L };

	free(malloc(1));	/* resolve the real functions first */
	sc_check("exeunt_set_timeout", exeunt_set_timeout(&limit,
	    EXEUNT_OVERRUN_EXIT));
	sc_start_named("stuck", 0, terminate_starve, NULL, start_stuck, NULL);
	flag_wait(&started);
	say("main exits\n");
	exit(0);
}
