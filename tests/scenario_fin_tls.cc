/*
 * scenario_fin_tsd.c in C++: a thread counts until it has ended, its
 * thread_local destructors included.  A non-daemon worker stops on
 * request; the destructor of its thread_local object then takes a
 * millisecond and says "flushed", which must come before the hook.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

namespace {

struct flusher {
	int used = 0;

	~flusher()
	{
		/* The work that the join phase waits for. */
		const struct timespec ms = { 0, 1000000L };

		nanosleep(&ms, nullptr);
		say("flushed\n");
	}
};

/* Made on a thread's first use; the main thread never uses it. */
thread_local flusher buffer;

char hook_name[] = "1";

void *
worker(void *arg)
{
	buffer.used = 1;
	exeunt_wait_stop(nullptr);
	return arg;
}

}

int
main()
{
	sc_check("exeunt_atexit", exeunt_atexit(hook_say, hook_name));
	sc_start(0, nullptr, nullptr, worker, nullptr);
	return 0;
}
