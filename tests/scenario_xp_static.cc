/*
 * A function-local static that registered threads create while they run,
 * after the first exeunt call: its destructor, registered with the C
 * library then, must run only once every registered thread has stopped
 * and been joined, since those threads use it to the end.  It says the
 * phase and how many threads still use it.  argv[1] says how the process
 * ends: "return" (return 5 from main), "exit" (exit(6) from main) or
 * "thread" (exit(7) from a registered thread).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <atomic>

namespace {

#define WORKERS 2

struct Metrics {
	std::atomic<int> users{0};
	std::atomic<long> events{0};

	~Metrics()
	{
		say("metrics: phase %s, users %d\n", phasename(exeunt_phase()),
		    users.load());
	}
};

/*
 * Made on first use, by a worker: its destructor is registered with the
 * C library after every handler that the library registered.
 */
Metrics &
metrics()
{
	static Metrics m;

	return m;
}

struct sc_count made = SC_COUNT_INIT;
char hook_name[] = "1";

/*
 * Uses the metrics until told to stop, and once more while the join phase
 * waits for it: a destructor run before the join would see it as a user.
 */
void *
worker(void *arg)
{
	metrics().users++;
	metrics().events++;
	count_up(&made);
	work_until_stopped();
	await_phase(EXEUNT_JOINING, "worker");
	metrics().events++;
	metrics().users--;
	say("worker stops\n");
	return arg;
}

void *
exiter(void *arg)
{
	(void)arg;
	count_wait(&made, WORKERS);
	exit(7);
}

}

int
main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "return";
	int i;

	sc_check("exeunt_atexit", exeunt_atexit(hook_say, hook_name));
	for (i = 0; i < WORKERS; i++)
		sc_start(0, nullptr, nullptr, worker, nullptr);
	if (strcmp(how, "thread") == 0) {
		sc_start(0, nullptr, nullptr, exiter, nullptr);
		sc_forever();
	}
	count_wait(&made, WORKERS);
	if (strcmp(how, "exit") == 0)
		exit(6);
	return 5;
}
