/*
 * exeunt::thread at exit (C++20): a thread at namespace scope and two
 * made in main, each with a std::stop_callback on its token and waiting
 * in condition_variable_any::wait(lock, token, pred).  At exit each token
 * is stopped, newest thread first (the callbacks say so, in the thread
 * that requests the stops), every wait wakes, every thread is waited for
 * before the hooks, and a static object's destructor comes last.
 * argv[1] says how the process ends: "return" (return 5 from main),
 * "exit" (exit(6) from main) or "thread" (exit(7) from an exeunt::thread,
 * whose own object is then destroyed in that thread).
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "cxx_scenario.h"

#include <optional>
#include <string>

namespace {

std::atomic<int> woke{0};	/* waits that returned on the stop */
std::atomic<int> finished{0};	/* threads that saw the join phase */
struct sc_count ready = SC_COUNT_INIT;
struct sc_flag held = SC_FLAG_INIT;	/* exiter holds its thread */

/* First in the file, and constant-initialised: destroyed after every
 * other static object of the program. */
struct Last {
	~Last()
	{
		say("static destructor: phase %s, woke %d, finished %d\n",
		    phasename(exeunt_phase()), woke.load(), finished.load());
	}
} last;

void
body(std::stop_token st, const char *name)
{
	std::stop_callback cb(st, [name] { say("stop %s\n", name); });
	std::mutex mu;
	std::condition_variable_any cv;
	std::unique_lock<std::mutex> lock(mu);

	count_up(&ready);
	if (!cv.wait(lock, st, [] { return false; }) && st.stop_requested())
		woke++;
	lock.unlock();
	/* Still running while the join phase waits for it. */
	if (await_phase(EXEUNT_JOINING, name))
		finished++;
}

exeunt::thread at_namespace_scope(exeunt::options{.name = "namespace"}, body,
    "namespace");

/* The threads that main makes, held until the static destructors. */
std::optional<exeunt::thread> worker1, worker2, exiter;

}

int
main(int argc, char **argv)
{
	std::string how = argc > 1 ? argv[1] : "return";

	worker1.emplace(exeunt::options{.name = "worker1"}, body, "worker1");
	worker2.emplace(exeunt::options{.name = "worker2"}, body, "worker2");
	exeunt::at_exit([text = std::string("hook")] {
		say("%s: woke %d, finished %d\n", text.c_str(), woke.load(),
		    finished.load());
	});
	if (how == "thread") {
		exiter.emplace(exeunt::options{.name = "exiter"}, [] {
			count_wait(&ready, 3);
			/* exit() destroys exiter: once emplace() is done. */
			flag_wait(&held);
			exit(7);
		});
		flag_set(&held);
		sc_forever();
	}
	count_wait(&ready, 3);
	if (how == "exit")
		exit(6);
	return 5;
}
