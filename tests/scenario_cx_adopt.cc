/*
 * Threads that exeunt did not start, at exit (C++20): a std::thread and
 * a std::jthread that register under exeunt::adopt, an unregistered
 * std::thread and a thread of the C API (exeunt_thread_create) that take
 * exeunt::this_thread::stop_token().  Each records the phase in which its
 * token was stopped, and how many tokens were stopped before it; the
 * registered ones record whether they still ran in the join phase, that
 * is whether the shutdown waited for them.  The hook says what they
 * recorded.  (The adopted threads register themselves as they start: in
 * no set order, so their stops have none either.)
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "cxx_scenario.h"

#include <optional>
#include <thread>

namespace {

struct Seen {
	const char *name;
	std::atomic<int> phase{-1};	/* when the token was stopped */
	std::atomic<int> before{-1};	/* tokens stopped before it */
	std::atomic<int> ended{0};	/* ran on in the join phase */
};

std::atomic<int> stopped{0};

void
record_stop(Seen &s)
{
	s.phase = exeunt_phase();
	s.before = stopped++;
}

Seen plain{"std::thread"}, joining{"std::jthread"};
Seen unregistered{"unregistered"}, c_api{"C thread"};
struct sc_count ready = SC_COUNT_INIT;
std::optional<std::jthread> jthread;

const char *
phase_of(const Seen &s)
{
	int p = s.phase.load();

	return p < 0 ? "never" : phasename(static_cast<enum exeunt_phase>(p));
}

/* Waits for st, recording the phase, then for the join phase. */
void
runs_to_join(Seen &s, std::stop_token st)
{
	std::stop_callback cb(st, [&s] { record_stop(s); });

	count_up(&ready);
	cx_until_stopped(st);
	if (await_phase(EXEUNT_JOINING, s.name))
		s.ended = 1;
}

void
adopted(Seen &s)
{
	exeunt::options o;

	o.name = s.name;
	exeunt::adopt a(o);
	runs_to_join(s, a.get_stop_token());
}

void *
c_thread(void *arg)
{
	runs_to_join(c_api, exeunt::this_thread::stop_token());
	return arg;
}

}

int
main()
{
	std::thread(adopted, std::ref(plain)).detach();
	jthread.emplace([](std::stop_token) { adopted(joining); });
	std::thread([] {
		std::stop_token st = exeunt::this_thread::stop_token();
		std::stop_callback cb(st, [] { record_stop(unregistered); });

		count_up(&ready);
		sc_forever();
	}).detach();
	sc_start_named("C thread", 0, nullptr, nullptr, c_thread, nullptr);
	exeunt::at_exit([] {
		for (Seen *s : { &plain, &joining, &c_api })
			say("%s: stopped in %s, ended %d\n", s->name,
			    phase_of(*s), s->ended.load());
		say("unregistered: stopped in %s, first %d\n",
		    phase_of(unregistered), unregistered.before.load() == 0);
	});
	count_wait(&ready, 4);
	return 0;
}
