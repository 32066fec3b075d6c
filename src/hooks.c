/*
 * Hooks: exeunt_atexit() and the shutdown's hooks phase.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Like musl's atexit, the first 32 hooks live in static slots, so that
 * registering them needs no allocation; further blocks are allocated.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>

#define HOOKS_PER_BLOCK 32

struct hook_block {
	struct hook_block *prev;
	int n;
	struct {
		void (*fn)(void *);
		void *arg;
	} slot[HOOKS_PER_BLOCK];
};

/* Guarded by the library lock. */
static struct hook_block builtin;
static struct hook_block *top = &builtin;

int
exeunt_atexit(void (*hook)(void *arg), void *arg)
{
	struct hook_block *b;
	int err;

	if (hook == NULL)
		return EINVAL;
	exeunt__lock();
	if (exeunt__reg.state == EXEUNT__SHUT_DONE) {
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
	top->n++;
out:
	exeunt__unlock();
	return err;
}

/*
 * Run the hooks, last registered first, each once, without the lock.  A
 * hook registered meanwhile lands on top and so runs next.
 */
void
exeunt__run_hooks(void)
{
	void (*fn)(void *);
	void *arg;

	exeunt__lock();
	for (;;) {
		while (top->n == 0 && top->prev != NULL) {
			struct hook_block *b = top;

			top = b->prev;
			free(b);
		}
		if (top->n == 0)
			break;
		top->n--;
		fn = top->slot[top->n].fn;
		arg = top->slot[top->n].arg;
		exeunt__unlock();
		fn(arg);
		exeunt__lock();
	}
	exeunt__unlock();
}
