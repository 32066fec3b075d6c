// A C++17 program built against the installed exeunt.hpp by 'make
// installcheck' (tests/install/run.sh): no std::stop_token there, so the
// exeunt::thread waits with exeunt::wait_stop() and checks
// exeunt::this_thread::stop_requested(); main returns.  The exit must stop
// the thread, wait until it has ended (its thread_local destructors
// included), run the exeunt::at_exit hook, and only then destroy the
// static objects: the witness below, constructed after the thread had
// started, says whether the thread had ended.
//
// Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.

#include <exeunt.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <utility>

namespace {

std::atomic<bool> ended{false};

const char *
yes_no(bool b)
{
	return b ? "yes" : "no";
}

// Set as the worker's last act: its thread_local destructor.
struct at_thread_end {
	bool armed = false;
	~at_thread_end() { ended = armed; }
};
thread_local at_thread_end thread_end;

struct witness {
	~witness()
	{
		std::printf("static destructor: worker ended: %s\n",
		    yes_no(ended));
	}
};

exeunt::thread
start_worker()
{
	exeunt::options opts;

	opts.name = "worker";
	return exeunt::thread(std::move(opts), [] {
		thread_end.armed = true;
		bool stopped = exeunt::wait_stop();
		std::printf("worker: stopped: %s, stop_requested: %s\n",
		    yes_no(stopped),
		    yes_no(exeunt::this_thread::stop_requested()));
	});
}

} // namespace

int
main()
{
	static exeunt::thread worker = start_worker();
	static witness w;

	exeunt::at_exit([] {
		std::printf("exeunt::at_exit hook: worker ended: %s\n",
		    yes_no(ended));
	});
	// No stop yet: the wait times out at once.
	std::printf("main: thread \"%s\", wait_stop(0): %s, returning\n",
	    worker.name().c_str(),
	    yes_no(exeunt::wait_stop(std::chrono::milliseconds(0))));
	return 0;
}
