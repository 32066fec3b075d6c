/*
 * Exceptions that leave a callable exeunt.hpp runs (C++20), one case per
 * run (argv[1]):
 *   body          a thread body throws: one report line, then
 *                 std::terminate() (SIGABRT);
 *   body_int      the same with an exception that is no std::exception;
 *   terminate     a terminate callback throws at exit: reported, and the
 *                 shutdown goes on (exit status 3);
 *   request       a terminate callback throws in request_stop(): reported,
 *                 request_stop() returns;
 *   hook          an at_exit hook throws: reported, the other hooks run
 *                 (exit status 4);
 *   pthread_exit  a body calls pthread_exit() (argv[2] "token": a body
 *                 that takes a std::stop_token), which is no exception:
 *                 the thread unwinds and is joined;
 *   cancel        the same for pthread_cancel().
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "cxx_scenario.h"

#include <optional>
#include <string>

namespace {

struct sc_count ready = SC_COUNT_INIT;
std::atomic<int> a_ended{0}, b_ended{0};
std::optional<exeunt::thread> a, b;

exeunt::options
named(const char *name)
{
	exeunt::options o;

	o.name = name;
	return o;
}

int
body(bool std_exception)
{
	exeunt::thread t(named("thrower"), [std_exception] {
		if (std_exception)
			throw cx_boom("boom in the body");
		throw 42;
	});

	t.join();
	say("joined\n");
	return 0;
}

void
stopped_at_exit(std::stop_token st, const char *name, std::atomic<int> *ended)
{
	std::stop_callback cb(st, [name] { say("stop %s\n", name); });

	count_up(&ready);
	cx_until_stopped(st);
	if (await_phase(EXEUNT_JOINING, name))
		(*ended)++;
}

/* B first, then A, whose terminate callback throws: at exit A is asked
 * first and B still after it, both are waited for, the hook runs. */
int
terminate_at_exit()
{
	exeunt::options o = named("A");

	b.emplace(named("B"), stopped_at_exit, "B", &b_ended);
	o.terminate = [] {
		say("terminate A throws\n");
		throw cx_boom("boom in a terminate callback");
	};
	a.emplace(std::move(o), stopped_at_exit, "A", &a_ended);
	exeunt::at_exit([] {
		say("hook: A ended %d, B ended %d\n", a_ended.load(),
		    b_ended.load());
	});
	count_wait(&ready, 2);
	exit(3);
}

int
terminate_on_request()
{
	exeunt::options o = named("requested");

	o.terminate = [] { throw cx_boom("boom on request"); };
	exeunt::thread t(std::move(o), [](std::stop_token st) {
		cx_until_stopped(st);
	});
	say("request_stop: %d\n", t.request_stop());
	t.join();
	say("joined\n");
	return 0;
}

char one[] = "1";

int
hook()
{
	sc_check("exeunt_atexit", exeunt_atexit(hook_say, one));
	exeunt::at_exit([] {
		say("hook 2 throws\n");
		throw cx_boom("boom in a hook");
	});
	exeunt::at_exit([] { say("hook 3\n"); });
	return 4;
}

/* Says that the thread's stack was unwound. */
struct Unwound {
	~Unwound() { say("unwound\n"); }
};

int
forced_unwind(bool cancel, bool token)
{
	std::optional<exeunt::thread> t;

	if (token)
		t.emplace([cancel](std::stop_token st) {
			std::stop_callback cb(st, [] {});
			Unwound u;

			count_up(&ready);
			if (cancel)
				sc_forever();
			pthread_exit(nullptr);
		});
	else
		t.emplace([cancel] {
			Unwound u;

			count_up(&ready);
			if (cancel)
				sc_forever();
			pthread_exit(nullptr);
		});
	count_wait(&ready, 1);
	if (cancel)
		sc_check("pthread_cancel", pthread_cancel(t->native_handle()));
	t->join();
	say("joined\n");
	return 0;
}

}

int
main(int argc, char **argv)
{
	std::string c = argc > 1 ? argv[1] : "";
	bool token = argc > 2 && std::string(argv[2]) == "token";

	if (c == "body")
		return body(true);
	if (c == "body_int")
		return body(false);
	if (c == "terminate")
		return terminate_at_exit();
	if (c == "request")
		return terminate_on_request();
	if (c == "hook")
		return hook();
	if (c == "pthread_exit")
		return forced_unwind(false, token);
	if (c == "cancel")
		return forced_unwind(true, token);
	say("no case \"%s\"\n", c.c_str());
	return 100;
}
