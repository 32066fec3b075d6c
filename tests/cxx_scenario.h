/*
 * Helpers of the C++ scenario programs (scenario_cx_*.cc), which check
 * include/exeunt.hpp: on top of scenario.h, waits for a std::stop_token
 * and a way to print what a std::system_error carried.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#ifndef EXEUNT_CXX_SCENARIO_H
#define EXEUNT_CXX_SCENARIO_H

#include "scenario.h"

#include <exeunt.hpp>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <system_error>
#if __cplusplus >= 202002L
#include <stop_token>
#endif

/* An exception type of the scenarios' own: its name in a report shows
 * that the report named the dynamic type. */
struct cx_boom : std::runtime_error {
	using std::runtime_error::runtime_error;
};

/* The errno name of a std::system_error, or why it is not one. */
static inline const char *
cx_code(const std::system_error &e)
{
	if (e.code().category() != std::system_category())
		return "not of std::system_category()";
	if (e.code().value() == ERANGE)
		return "ERANGE";
	return errname(e.code().value());
}

/* Calls f and says "what: ok", or the errno name of what it threw. */
template <class F>
static inline void
cx_expect(const char *what, F &&f)
{
	try {
		f();
		say("%s: ok\n", what);
	} catch (const std::system_error &e) {
		say("%s: %s\n", what, cx_code(e));
	} catch (...) {
		say("%s: an exception other than std::system_error\n", what);
	}
}

/*
 * Waits up to ms (scaled) for f; 1 if it was set.  A thread that a call
 * in another thread must wait for uses it to see whether that call went
 * on without it: set after the call, f is never set in time if the call
 * waited, and is set at once if it did not.
 */
static inline int
cx_flag_wait_ms(struct sc_flag *f, long ms)
{
	struct timespec d = sc_deadline_ms(ms);
	int set;

	pthread_mutex_lock(&f->mu);
	while (!f->set && !sc_passed(&d))
		sc_cond_tick(&f->cv, &f->mu, 10);
	set = f->set;
	pthread_mutex_unlock(&f->mu);
	return set;
}

#if __cplusplus >= 202002L
/* Blocks until st is stopped, in condition_variable_any's wait with a
 * token: what a C++20 program would write. */
static inline void
cx_until_stopped(std::stop_token st)
{
	std::mutex mu;
	std::condition_variable_any cv;
	std::unique_lock<std::mutex> lock(mu);

	(void)cv.wait(lock, st, [] { return false; });
}

/*
 * Registers on_stop as a std::stop_callback on st, counts up *ready, and
 * returns once the stop request has run on_stop.  A thread that prints
 * from its own callback must wait for that callback, not in
 * cx_until_stopped(): that wait's own stop callback, registered later,
 * is run first (libstdc++ runs the newest first), and the thread could
 * end and destroy the printing callback before the request reached it,
 * which the standard allows: the line was then missing (3 runs in 30
 * under valgrind; once in a plain make distcheck).
 */
template <class F>
static inline void
cx_until_own_callback(std::stop_token st, struct sc_count *ready, F on_stop)
{
	std::atomic<bool> ran{false};
	std::stop_callback cb(st, [&on_stop, &ran] {
		on_stop();
		ran = true;
		ran.notify_one();
	});

	count_up(ready);
	ran.wait(false);
}
#endif

#endif /* EXEUNT_CXX_SCENARIO_H */
