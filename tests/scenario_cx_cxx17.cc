/*
 * exeunt.hpp in C++17, without std::stop_token: an exeunt::thread whose
 * body polls exeunt::wait_stop(timeout) is stopped at exit (its
 * terminate callback runs), sees this_thread::stop_requested(), and is
 * waited for before the hook.  The C++20 members are absent.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "cxx_scenario.h"

#include <chrono>
#include <optional>
#include <type_traits>
#include <utility>

static_assert(__cplusplus < 202002L, "this scenario is built as C++17");

namespace {

template <class T, class = void>
struct has_get_stop_token : std::false_type {};
template <class T>
struct has_get_stop_token<T,
    std::void_t<decltype(std::declval<const T &>().get_stop_token())>>
    : std::true_type {};
static_assert(!has_get_stop_token<exeunt::thread>::value,
    "no get_stop_token() before C++20");

struct sc_count ready = SC_COUNT_INIT;
std::atomic<int> ended{0};
std::optional<exeunt::thread> worker;

}

int
main()
{
	exeunt::options o;

	o.name = "cxx17";
	o.terminate = [] { say("terminate cxx17\n"); };
	worker.emplace(std::move(o), [](int tick_ms) {
		count_up(&ready);
		while (!exeunt::wait_stop(
		    std::chrono::milliseconds(tick_ms)))
			continue;
		/* After the terminate callback: in the join phase. */
		if (!await_phase(EXEUNT_JOINING, "cxx17"))
			return;
		say("stopped: stop_requested() %d, wait_stop() %d\n",
		    exeunt::this_thread::stop_requested(),
		    exeunt::wait_stop());
		ended = 1;
	}, 5);
	exeunt::at_exit([] { say("hook: ended %d\n", ended.load()); });
	say("name \"%s\", daemon %d, stage %d\n", worker->name().c_str(),
	    worker->daemon(), worker->stage());
	count_wait(&ready, 1);
	return 0;
}
