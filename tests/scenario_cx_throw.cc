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
 *   cancel        the same for pthread_cancel() of the thread itself,
 *                 acted on in pthread_testcancel();
 *   cancel_wait   the same for pthread_cancel() from main while the
 *                 thread waits in pause().
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

enum ending { EXITS, CANCELS_ITSELF, CANCELLED_WAITING };

/* Ends the thread as e says. */
void
end_thread(enum ending e)
{
	count_up(&ready);
	switch (e) {
	case EXITS:
		pthread_exit(nullptr);
	case CANCELS_ITSELF:
		sc_check("pthread_cancel", pthread_cancel(pthread_self()));
		pthread_testcancel();
		say("not cancelled\n");
		return;
	case CANCELLED_WAITING:
		sc_forever();
	}
}

int
forced_unwind(enum ending e, bool token)
{
	std::optional<exeunt::thread> t;

	if (token)
		t.emplace([e](std::stop_token st) {
			std::stop_callback cb(st, [] {});
			Unwound u;

			end_thread(e);
		});
	else
		t.emplace([e] {
			Unwound u;

			end_thread(e);
		});
	count_wait(&ready, 1);
	if (e == CANCELLED_WAITING)
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
		return forced_unwind(EXITS, token);
	if (c == "cancel")
		return forced_unwind(CANCELS_ITSELF, token);
	if (c == "cancel_wait")
		return forced_unwind(CANCELLED_WAITING, token);
	say("no case \"%s\"\n", c.c_str());
	return 100;
}
