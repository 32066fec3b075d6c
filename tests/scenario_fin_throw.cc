/*
 * A terminate callback that throws a C++ exception (which the pages say
 * it must not do): on glibc the library sees the callback leave as the
 * exception passes through exeunt_thread_request_stop(), which it
 * propagates to the caller.  The record must not stay marked running:
 * the thread still finishes, so the join returns (it would wait for ever
 * for a callback that never returns) and the exit goes on.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include <stdexcept>

#include "scenario.h"

namespace {

void
throwing(exeunt_thread_t *, void *)
{
	throw std::runtime_error("terminate callback");
}

void *
worker(void *arg)
{
	exeunt_wait_stop(nullptr);
	return arg;
}

}

int
main()
{
	exeunt_thread_t *t = sc_create(0, throwing, nullptr, worker, nullptr);

	try {
		exeunt_thread_request_stop(t);
		say("no exception\n");
	} catch (const std::runtime_error &e) {
		say("caught: %s\n", e.what());
	}
	sc_check("exeunt_thread_join", exeunt_thread_join(t, nullptr));
	say("joined\n");
	return 0;
}
