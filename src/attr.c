/*
 * Creation attributes: exeunt_attr_t is caller-allocated storage that
 * holds a struct exeunt__attr.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "internal.h"

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>

_Static_assert(sizeof(struct exeunt__attr) <= sizeof(exeunt_attr_t),
    "struct exeunt__attr outgrew exeunt_attr_t");
_Static_assert(_Alignof(struct exeunt__attr) <= _Alignof(exeunt_attr_t),
    "struct exeunt__attr needs more alignment than exeunt_attr_t");

/* The attributes behind attr, or NULL if attr is NULL or not initialised. */
static struct exeunt__attr *
attr_impl(exeunt_attr_t *attr)
{
	struct exeunt__attr *a = (struct exeunt__attr *)(void *)attr;

	if (attr == NULL || a->magic != EXEUNT__ATTR_MAGIC)
		return NULL;
	return a;
}

const struct exeunt__attr *
exeunt__attr_get(const exeunt_attr_t *attr)
{
	return attr_impl((exeunt_attr_t *)attr);
}

int
exeunt_attr_init(exeunt_attr_t *attr)
{
	struct exeunt__attr *a = (struct exeunt__attr *)(void *)attr;

	if (attr == NULL)
		return EINVAL;
	memset(attr, 0, sizeof(*attr));
	a->magic = EXEUNT__ATTR_MAGIC;
	a->daemon = -1;
	return 0;
}

int
exeunt_attr_destroy(exeunt_attr_t *attr)
{
	struct exeunt__attr *a = attr_impl(attr);

	if (a == NULL)
		return EINVAL;
	if (a->has_pattr)
		pthread_attr_destroy(&a->pattr);
	memset(attr, 0, sizeof(*attr));
	return 0;
}

int
exeunt_attr_setdaemon(exeunt_attr_t *attr, int daemon)
{
	struct exeunt__attr *a = attr_impl(attr);

	if (a == NULL)
		return EINVAL;
	a->daemon = daemon != 0;
	return 0;
}

int
exeunt_attr_getdaemon(const exeunt_attr_t *attr, int *daemon)
{
	const struct exeunt__attr *a = exeunt__attr_get(attr);

	if (a == NULL || daemon == NULL)
		return EINVAL;
	*daemon = a->daemon >= 0 ? a->daemon : exeunt__default_daemon();
	return 0;
}

int
exeunt_attr_setterminate(exeunt_attr_t *attr, exeunt_terminate_fn fn,
    void *arg)
{
	struct exeunt__attr *a = attr_impl(attr);

	if (a == NULL)
		return EINVAL;
	a->term_fn = fn;
	/* Kept without a callback too: the destroy function gets it. */
	a->term_arg = arg;
	return 0;
}

int
exeunt_attr_setdestroy(exeunt_attr_t *attr, void (*destroy)(void *arg))
{
	struct exeunt__attr *a = attr_impl(attr);

	if (a == NULL)
		return EINVAL;
	a->destroy = destroy;
	return 0;
}

int
exeunt_attr_getdestroy(const exeunt_attr_t *attr,
    void (**destroy)(void *arg))
{
	const struct exeunt__attr *a = exeunt__attr_get(attr);

	if (a == NULL || destroy == NULL)
		return EINVAL;
	*destroy = a->destroy;
	return 0;
}

int
exeunt_attr_setname(exeunt_attr_t *attr, const char *name)
{
	struct exeunt__attr *a = attr_impl(attr);
	size_t len;

	if (a == NULL || name == NULL)
		return EINVAL;
	len = strnlen(name, EXEUNT_NAME_MAX + 1);
	if (len > EXEUNT_NAME_MAX)
		return ERANGE;
	memcpy(a->name, name, len);
	a->name[len] = '\0';
	a->has_name = 1;
	return 0;
}

/*
 * Copy the settings of *from into *to, which is initialised.  A
 * pthread_attr_t cannot be copied as bytes (glibc keeps the CPU set out of
 * line), so each setting is read and written through the API.  The
 * detach state is not copied: exeunt threads always start joinable.
 */
static int
copy_pthread_attr(pthread_attr_t *to, const pthread_attr_t *from)
{
	struct sched_param param;
#ifdef HAVE_PTHREAD_ATTR_SETAFFINITY_NP
	cpu_set_t cpus;
#endif
	void *stackaddr;
	size_t size;
	int value, err;

	if ((err = pthread_attr_getguardsize(from, &size)) != 0 ||
	    (err = pthread_attr_setguardsize(to, size)) != 0)
		return err;
	/* glibc reports a size of 0 when none was set, and an address of
	 * minus the size when only the size was set; musl fails with EINVAL
	 * when no address was set, and then has the size alone. */
	err = pthread_attr_getstack(from, &stackaddr, &size);
	if (err == EINVAL) {
		stackaddr = NULL;
		err = pthread_attr_getstacksize(from, &size);
	}
	if (err != 0)
		return err;
	if (size != 0 && stackaddr != NULL && (uintptr_t)stackaddr + size != 0)
		err = pthread_attr_setstack(to, stackaddr, size);
	else if (size != 0)
		err = pthread_attr_setstacksize(to, size);
	if (err != 0)
		return err;
	if ((err = pthread_attr_getinheritsched(from, &value)) != 0 ||
	    (err = pthread_attr_setinheritsched(to, value)) != 0)
		return err;
	if ((err = pthread_attr_getschedpolicy(from, &value)) != 0 ||
	    (err = pthread_attr_setschedpolicy(to, value)) != 0)
		return err;
	if ((err = pthread_attr_getschedparam(from, &param)) != 0 ||
	    (err = pthread_attr_setschedparam(to, &param)) != 0)
		return err;
	if ((err = pthread_attr_getscope(from, &value)) != 0 ||
	    (err = pthread_attr_setscope(to, value)) != 0)
		return err;
#ifdef HAVE_PTHREAD_ATTR_SETAFFINITY_NP
	/* An attribute without an affinity reports every CPU: copy only a
	 * real restriction, so the default stays "inherit". */
	if (pthread_attr_getaffinity_np(from, sizeof(cpus), &cpus) == 0 &&
	    CPU_COUNT(&cpus) < CPU_SETSIZE) {
		if ((err = pthread_attr_setaffinity_np(to, sizeof(cpus),
		    &cpus)) != 0)
			return err;
	}
#endif
	return 0;
}

int
exeunt_attr_setpthreadattr(exeunt_attr_t *attr, const pthread_attr_t *pattr)
{
	struct exeunt__attr *a = attr_impl(attr);
	pthread_attr_t copy;
	int err;

	if (a == NULL || pattr == NULL)
		return EINVAL;
	if ((err = pthread_attr_init(&copy)) != 0)
		return err;
	if ((err = copy_pthread_attr(&copy, pattr)) != 0) {
		pthread_attr_destroy(&copy);
		return err;
	}
	if (a->has_pattr)
		pthread_attr_destroy(&a->pattr);
	a->pattr = copy;
	a->has_pattr = 1;
	return 0;
}

int
exeunt_attr_setstage(exeunt_attr_t *attr, int stage)
{
	struct exeunt__attr *a = attr_impl(attr);

	if (a == NULL || stage < EXEUNT_STAGE_MIN || stage > EXEUNT_STAGE_MAX)
		return EINVAL;
	a->stage = stage;
	a->has_stage = 1;
	return 0;
}

int
exeunt_attr_getstage(const exeunt_attr_t *attr, int *stage)
{
	const struct exeunt__attr *a = exeunt__attr_get(attr);

	if (a == NULL || stage == NULL)
		return EINVAL;
	*stage = a->has_stage ? a->stage : exeunt__default_stage();
	return 0;
}
