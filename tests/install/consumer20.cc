// A C++20 program built against the installed exeunt.hpp by 'make
// installcheck' (tests/install/run.sh).  An exeunt::thread whose body
// takes a std::stop_token waits on a std::condition_variable_any with that
// token; main returns.  The exit must stop the token, wait until the
// thread has ended (its thread_local destructors included), run the
// exeunt::at_exit hook, and only then destroy the static objects: the
// witness below, constructed after the thread had started, says whether
// the thread had ended.
//
// Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.

#include <exeunt.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <stop_token>

namespace {

std::mutex lock;
std::condition_variable_any cond;
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

} // namespace

int
main()
{
	static exeunt::thread worker([](std::stop_token token) {
		thread_end.armed = true;
		std::unique_lock<std::mutex> hold(lock);
		bool woken = cond.wait(hold, token, [] { return false; });
		std::printf("worker: woken: %s, token stopped: %s\n",
		    yes_no(woken), yes_no(token.stop_requested()));
	});
	static witness w;

	exeunt::at_exit([] {
		std::printf("exeunt::at_exit hook: worker ended: %s\n",
		    yes_no(ended));
	});
	std::printf("main: token stopped: %s, returning\n",
	    yes_no(worker.get_stop_token().stop_requested()));
	return 0;
}
