/*
 * Hooks: exeunt_atexit() and the shutdown's hooks phase.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Like musl's atexit, the first 32 hooks live in static slots, so that
 * registering them needs no allocation; further blocks are allocated.
 *
 * A hook remembers the object (program or shared library) its function
 * was in when it was registered.  If that object has been unloaded by
 * dlclose() when the hooks run, the hook is dropped: its code is gone.
 */
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#define HOOKS_PER_BLOCK 32

struct hook_block {
	struct hook_block *prev;
	int n;
	struct {
		void (*fn)(void *);
		void *arg;
		void *base;	/* load address of fn's object, or NULL */
	} slot[HOOKS_PER_BLOCK];
};

/* Guarded by the library lock. */
static struct hook_block builtin;
static struct hook_block *top = &builtin;

/* The load address of the object that holds fn, or NULL if none is known
 * (dladdr() fails, for instance in a static program). */
static void *
object_of(void (*fn)(void *))
{
	Dl_info info;

	if (dladdr((void *)(uintptr_t)fn, &info) == 0)
		return NULL;
	return info.dli_fbase;
}

int
exeunt_atexit(void (*hook)(void *arg), void *arg)
{
	struct hook_block *b;
	void *base;
	int err;

	if (hook == NULL)
		return EINVAL;
	base = object_of(hook);		/* takes the loader's lock: not ours */
	exeunt__lock();
	if (exeunt__sd.state == EXEUNT__SHUT_DONE) {
		err = ESHUTDOWN;
		goto out;
	}
	if ((err = exeunt__arm_locked()) != 0)
		goto out;
	if (top->n == HOOKS_PER_BLOCK) {
		if ((b = calloc(1, sizeof(*b))) == NULL) {
			err = ENOMEM;
			goto out;
		}
		b->prev = top;
		top = b;
	}
	top->slot[top->n].fn = hook;
	top->slot[top->n].arg = arg;
	top->slot[top->n].base = base;
	top->n++;
out:
	exeunt__unlock();
	return err;
}

/*
 * Run the hooks, last registered first, each once, without the lock.  A
 * hook registered meanwhile lands on top and so runs next.  Returns with
 * the lock held: 0 once no hook is left (the caller marks the shutdown
 * done before it unlocks, so exeunt_atexit() cannot accept a hook that
 * would never run), or 1 if a fork() child begins its own shutdown.
 */
int
exeunt__run_hooks(void)
{
	void (*fn)(void *);
	void *arg, *base;

	exeunt__lock();
	for (;;) {
		while (top->n == 0 && top->prev != NULL) {
			struct hook_block *b = top;

			top = b->prev;
			free(b);
		}
		if (top->n == 0)
			return 0;
		top->n--;
		fn = top->slot[top->n].fn;
		arg = top->slot[top->n].arg;
		base = top->slot[top->n].base;
		exeunt__unlock();
		if (base == NULL || object_of(fn) == base)
			fn(arg);
		else
			EXEUNT__TRACE("hook %p dropped: its object was unloaded",
			    (void *)(uintptr_t)fn);
		exeunt__lock();
		if (exeunt__resume_in_child_locked())
			return 1;
	}
}
