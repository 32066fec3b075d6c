/*
 * A destroy function runs at the end of its thread, after the thread's
 * C++ thread_local destructors (check_destroy.c): for a created thread,
 * and for an adopted one that ends without exeunt_thread_release().
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

namespace {

struct tls_object {
	int used = 0;

	~tls_object()
	{
		say("thread_local\n");
	}
};

/* Made on a thread's first use; the main thread never uses it. */
thread_local tls_object object;

void
destroy_say(void *)
{
	say("destroy\n");
}

void
attr_with_destroy(exeunt_attr_t *a)
{
	exeunt_attr_init(a);
	exeunt_attr_setdestroy(a, destroy_say);
}

void *
body(void *arg)
{
	object.used = 1;
	return arg;
}

void *
adopted_body(void *arg)
{
	exeunt_attr_t a;

	attr_with_destroy(&a);
	sc_check("exeunt_thread_adopt", exeunt_thread_adopt(&a));
	exeunt_attr_destroy(&a);
	object.used = 1;
	return arg;
}

}

int
main()
{
	exeunt_attr_t a;
	exeunt_thread_t *t;
	pthread_t pth;

	attr_with_destroy(&a);
	sc_check("exeunt_thread_create", exeunt_thread_create(&t, &a, body,
	    nullptr));
	exeunt_attr_destroy(&a);
	sc_check("exeunt_thread_join", exeunt_thread_join(t, nullptr));
	say("joined\n");
	if (pthread_create(&pth, nullptr, adopted_body, nullptr) != 0 ||
	    pthread_join(pth, nullptr) != 0)
		return 100;
	say("ended\n");
	return 0;
}
