/*
 * exeunt::thread, exeunt::adopt and the free functions of exeunt.hpp
 * (C++20), one case per run: argv[1] names it.  Each case says what it
 * sees, one line per fact, and check_cxx.c compares the lines and the
 * exit status with what the contract says.  A case that hangs is killed
 * by the test's deadline.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "cxx_scenario.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace {

struct sc_count ready = SC_COUNT_INIT;
struct sc_flag go = SC_FLAG_INIT;
struct sc_flag done = SC_FLAG_INIT;
pthread_t requester;

exeunt::options
named(const char *name)
{
	exeunt::options o;

	o.name = name;
	return o;
}

const char *
where()
{
	return pthread_equal(pthread_self(), requester) ? "requesting thread" :
	    "another thread";
}

/* A body that says when its token is stopped, and waits for that. */
void
stop_aware(std::stop_token st)
{
	cx_until_own_callback(st, &ready, [] {
		say("token stopped in the %s\n", where());
	});
}

/*
 * request_stop(), or exeunt_thread_request_stop() on the C handle: the
 * token is stopped, then the terminate callback runs, both in the
 * requesting thread; the token stays stopped after the join.
 */
int
request(bool through_c)
{
	exeunt::options o = named("requested");

	requester = pthread_self();
	o.terminate = [] { say("terminate in the %s\n", where()); };
	exeunt::thread t(std::move(o), stop_aware);
	count_wait(&ready, 1);
	if (through_c)
		say("exeunt_thread_request_stop: %s\n",
		    errname(exeunt_thread_request_stop(t.exeunt_handle())));
	else
		say("request_stop: %d\n", t.request_stop());
	t.join();
	say("joined: joinable %d, token stopped %d\n", t.joinable(),
	    t.get_stop_token().stop_requested());
	say("request_stop after the join: %d\n", t.request_stop());
	return 0;
}

/*
 * A thread whose body has returned, and which has finished (the library
 * counts no thread): request_stop() still stops its token, as
 * std::jthread's does, and so does the destructor; a std::stop_callback
 * on the token then runs in the requesting thread.
 */
int
request_finished()
{
	const struct timespec deadline = sc_deadline();
	std::stop_token by_request, by_destructor;

	{
		exeunt::thread t(named("finished"), [](std::stop_token) {});
		exeunt::thread u(named("destroyed"), [](std::stop_token) {});

		by_request = t.get_stop_token();
		by_destructor = u.get_stop_token();
		while (exeunt_count() != 0 && !sc_passed(&deadline))
			sc_pause();
		say("finished: %d\n", exeunt_count() == 0);
		std::stop_callback cb(by_request, [] {
			say("stop_callback in the %s\n", where());
		});
		requester = pthread_self();
		const bool requested = t.request_stop();

		say("request_stop: %d, token stopped %d\n", requested,
		    by_request.stop_requested());
		say("before the destructor: token stopped %d\n",
		    by_destructor.stop_requested());
	}
	say("after the destructor: token stopped %d\n",
	    by_destructor.stop_requested());
	return 0;
}

/*
 * A static exeunt::thread whose thread ignores its stop, abandoned by a
 * deadline with EXEUNT_OVERRUN_PROCEED: exit() goes on, runs the hook,
 * and destroys the object after the join phase without waiting for it.
 */
int
proceed_static()
{
	static exeunt::thread t(named("abandoned"), [] {
		count_up(&ready);
		sc_forever();
	});

	count_wait(&ready, 1);
	exeunt::set_timeout(std::chrono::milliseconds(200),
	    EXEUNT_OVERRUN_PROCEED);
	exeunt::at_exit([] { say("hook\n"); });
	return 0;
}

/* 1 if exeunt_dump() lists a record named name. */
bool
dumped(const char *name)
{
	char *buf = nullptr;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool found;

	if (f == nullptr)
		return true;
	(void)exeunt_dump(f);
	fclose(f);
	found = buf != nullptr && strstr(buf, name) != nullptr;
	free(buf);
	return found;
}

/*
 * The destructor where the join fails: in the thread's own terminate
 * callback (EDEADLK), and in a fork child for a thread of the parent
 * (ESRCH).  It detaches instead, so the record goes once the thread has
 * ended; a destructor that left it would leave it in the registry.
 */
std::unique_ptr<exeunt::thread> owner;

int
destructor_join_fails()
{
	const struct timespec deadline = sc_deadline();
	exeunt::options o = named("owned by its callback");
	exeunt_thread_t *h;

	o.terminate = [] { owner.reset(); };
	owner = std::make_unique<exeunt::thread>(std::move(o), [] {
		exeunt::wait_stop();
	});
	h = owner->exeunt_handle();
	(void)exeunt_thread_request_stop(h);
	say("owner reset: %d\n", owner == nullptr);
	while (dumped("owned by its callback") && !sc_passed(&deadline))
		sc_pause();
	say("record gone: %d\n", !dumped("owned by its callback"));
	return 0;
}

int
destructor_join_fails_in_fork_child()
{
	exeunt::thread parents(named("of the parent"), [] {
		count_up(&ready);
		exeunt::wait_stop();
	});
	pid_t pid;
	int status;

	count_wait(&ready, 1);
	if ((pid = fork()) == 0) {
		{
			exeunt::thread gone(std::move(parents));
		}
		say("fork child: record gone: %d\n", !dumped("of the parent"));
		_exit(0);
	}
	waitpid(pid, &status, 0);
	say("fork child: exit status %d\n",
	    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

/*
 * Durations whose period is neither a multiple nor a fraction of a
 * second saturate too: the conversion must not multiply before it
 * divides.
 */
int
odd_periods()
{
	using half_seconds_3 = std::chrono::duration<long long, std::ratio<3, 2>>;
	using frames = std::chrono::duration<long long, std::ratio<1001, 30000>>;

	cx_expect("set_timeout(3/2 s * (LLONG_MAX / 2))", [] {
		exeunt::set_timeout(half_seconds_3(LLONG_MAX / 2),
		    EXEUNT_OVERRUN_WAIT);
	});
	cx_expect("set_timeout(frames::max())", [] {
		exeunt::set_timeout(frames::max(), EXEUNT_OVERRUN_WAIT);
	});
	return 0;
}

/*
 * request_stop() in the destructor of a finished thread's object runs
 * the std::stop_callback objects on its token in the destroying thread;
 * one that reaches a cancellation point while a cancellation is pending
 * must not unwind the noexcept destructor (std::terminate()).
 */
struct sc_flag holding = SC_FLAG_INIT;

void *
destroyer(void *)
{
	const struct timespec deadline = sc_deadline();
	int old;

	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	{
		exeunt::thread t(named("finished"), [] {});
		auto write_line = [] { say("stop_callback runs\n"); };
		std::stop_callback<decltype(write_line)> cb(t.get_stop_token(),
		    write_line);
		exeunt::thread held(std::move(t));

		while (exeunt_count() != 0 && !sc_passed(&deadline))
			sc_pause();
		flag_set(&holding);
		flag_wait(&go);
		/* Not a cancellation point; the cancellation is pending. */
		(void)pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, nullptr);
	}
	return nullptr;
}

int
destructor_cancel_pending()
{
	pthread_t p;
	void *ret;

	if (pthread_create(&p, nullptr, destroyer, nullptr) != 0)
		return 100;
	flag_wait(&holding);
	pthread_cancel(p);
	flag_set(&go);
	pthread_join(p, &ret);
	say("destroyer %s\n", ret == PTHREAD_CANCELED ? "cancelled" :
	    "returned");
	return 0;
}

/*
 * this_thread::stop_token() in the main thread, then again in a static
 * object's destructor, once exit() has destroyed the thread's
 * thread_local objects, the token's bridge among them: a token that is
 * stopped, not the bridge's freed state (AddressSanitizer).
 */
struct late_caller {
	~late_caller()
	{
		say("static destructor: stopped %d\n",
		    exeunt::this_thread::stop_token().stop_requested());
	}
};

int
token_after_bridge()
{
	static late_caller late;

	say("main: stopped %d\n",
	    exeunt::this_thread::stop_token().stop_requested());
	return 0;
}

/* "main waits" if main has not set on within 100 ms (scaled): it waits
 * for the caller to end. */
const char *
main_state(struct sc_flag *on)
{
	return cx_flag_wait_ms(on, 100) ? "went on" : "waits";
}

/* The destructor of a joinable non-daemon thread asks it to stop and
 * joins it, whether the body takes a token or not. */
int
destructor()
{
	struct sc_flag left1 = SC_FLAG_INIT, left2 = SC_FLAG_INIT;

	{
		exeunt::thread t([&left1](std::stop_token st) {
			count_up(&ready);
			cx_until_stopped(st);
			say("token body ends; main %s\n", main_state(&left1));
		});
		count_wait(&ready, 1);
	}
	flag_set(&left1);
	say("scope left\n");
	{
		exeunt::thread t([&left2] {
			count_up(&ready);
			exeunt::wait_stop();
			say("plain body ends; main %s\n", main_state(&left2));
		});
		count_wait(&ready, 2);
	}
	flag_set(&left2);
	say("scope left\n");
	return 0;
}

/* A daemon thread that ignores its stop request: its destructor, and the
 * exit after it, do not wait for it.  One that heeds it is asked to stop
 * by its destructor. */
struct sc_flag daemon_stopped = SC_FLAG_INIT;

int
destructor_daemon()
{
	{
		exeunt::options o = named("heeds");

		o.daemon = true;
		exeunt::thread t(std::move(o), [](std::stop_token st) {
			cx_until_stopped(st);
			flag_set(&daemon_stopped);
		});
	}
	say("daemon destroyed: its stop requested %d\n",
	    cx_flag_wait_ms(&daemon_stopped, SC_DEADLINE_MS));
	{
		exeunt::options o = named("daemon");

		o.daemon = true;
		exeunt::thread t(std::move(o), [] {
			count_up(&ready);
			sc_forever();
		});
		count_wait(&ready, 1);
		say("daemon %d\n", t.daemon());
	}
	say("scope left\n");
	return 0;
}

/* A static daemon exeunt::thread that ignores its stop request: the exit
 * does not wait for it, nor does its destructor after the shutdown. */
int
static_daemon()
{
	static exeunt::thread t(exeunt::options{.name = "static daemon",
	    .daemon = true}, [] {
		count_up(&ready);
		sc_forever();
	});

	count_wait(&ready, 1);
	say("daemon %d\n", t.daemon());
	return 0;
}

/* The destructor run in the thread itself detaches it, after the stop
 * request: no deadlock, no std::terminate(). */
std::optional<exeunt::thread> self_held;

int
destructor_in_thread()
{
	self_held.emplace([] {
		flag_wait(&go);
		self_held.reset();
		say("destroyed in its own thread: stop requested %d\n",
		    exeunt::this_thread::stop_requested());
		flag_set(&done);
	});
	flag_set(&go);
	flag_wait(&done);
	say("main: held %d\n", self_held.has_value());
	return 0;
}

void
announce_end(std::stop_token st, const char *name, struct sc_flag *on)
{
	count_up(&ready);
	cx_until_stopped(st);
	say("%s ends; main %s\n", name, main_state(on));
}

/*
 * Move assignment to a joinable thread stops and joins the old thread
 * first; the moved-from object holds no thread; the move constructor and
 * swap() carry the thread.
 */
int
moves()
{
	struct sc_flag first_on = SC_FLAG_INIT, second_on = SC_FLAG_INIT;
	exeunt::thread a(named("first"), announce_end, "first", &first_on);
	count_wait(&ready, 1);
	exeunt::thread b(named("second"), announce_end, "second", &second_on);
	count_wait(&ready, 2);

	a = std::move(b);
	flag_set(&first_on);
	say("assigned: a \"%s\"; b joinable %d, name \"%s\", handle %s, "
	    "daemon %d, stage %d, token possible %d\n", a.name().c_str(),
	    b.joinable(), b.name().c_str(),
	    b.exeunt_handle() == nullptr ? "null" : "set", b.daemon(),
	    b.stage(), b.get_stop_token().stop_possible());
	exeunt::thread c(std::move(a));
	say("moved: c \"%s\" joinable %d; a joinable %d, name \"%s\"\n",
	    c.name().c_str(), c.joinable(), a.joinable(), a.name().c_str());
	exeunt::thread d;
	c.swap(d);
	say("swapped: c joinable %d; d \"%s\" joinable %d\n", c.joinable(),
	    d.name().c_str(), d.joinable());
	d.request_stop();
	d.join();
	flag_set(&second_on);
	say("joined\n");
	return 0;
}

/* Move assignment of a thread to itself has no effect (as for
 * std::jthread). */
int
self_move()
{
	struct sc_flag on = SC_FLAG_INIT;
	exeunt::thread t(named("self"), announce_end, "self", &on);
	exeunt::thread &same = t;

	count_wait(&ready, 1);
	t = std::move(same);
	say("self-assigned: joinable %d, name \"%s\"\n", t.joinable(),
	    t.name().c_str());
	t.request_stop();
	t.join();
	flag_set(&on);
	say("joined\n");
	return 0;
}

/* join() and detach() errors, as std::system_error of the system
 * category with the spec's errno values. */
exeunt::thread *joins_itself;

int
errors()
{
	exeunt::thread e;

	say("empty: joinable %d, name \"%s\", daemon %d, stage %d, handle %s, "
	    "token possible %d, request_stop %d\n", e.joinable(),
	    e.name().c_str(), e.daemon(), e.stage(),
	    e.exeunt_handle() == nullptr ? "null" : "set",
	    e.get_stop_token().stop_possible(), e.request_stop());
	cx_expect("join of an empty thread", [&] { e.join(); });
	cx_expect("detach of an empty thread", [&] { e.detach(); });

	exeunt::thread t([] {});
	cx_expect("join", [&] { t.join(); });
	cx_expect("join again", [&] { t.join(); });
	cx_expect("detach after the join", [&] { t.detach(); });

	exeunt::thread s([] {
		flag_wait(&go);
		cx_expect("join from the thread itself",
		    [] { joins_itself->join(); });
		flag_set(&done);
	});
	joins_itself = &s;
	flag_set(&go);
	/* Not at the same time: the C library refuses a concurrent join
	 * with EINVAL. */
	flag_wait(&done);
	cx_expect("join", [&] { s.join(); });

	exeunt::thread u([](std::stop_token st) { cx_until_stopped(st); });
	cx_expect("detach", [&] { u.detach(); });
	cx_expect("detach again", [&] { u.detach(); });
	cx_expect("join after the detach", [&] { u.join(); });
	return 0;
}

/* Names and stages that the C library refuses. */
int
limits()
{
	auto make = [](const char *what, exeunt::options o) {
		cx_expect(what, [&] {
			exeunt::thread t(std::move(o), [] {});
			say("%s: name of %zu bytes, stage %d\n", what,
			    t.name().size(), t.stage());
			t.join();
		});
	};
	exeunt::options o;

	o.name = std::string(EXEUNT_NAME_MAX, 'n');
	make("name of 63 bytes", o);
	o.name = std::string(EXEUNT_NAME_MAX + 1, 'n');
	make("name of 64 bytes", o);
	o.name = "staged";
	o.stage = EXEUNT_STAGE_MAX;
	make("stage 100", o);
	o.stage = EXEUNT_STAGE_MIN;
	make("stage -100", o);
	o.stage = EXEUNT_STAGE_MAX + 1;
	make("stage 101", o);
	o.stage = EXEUNT_STAGE_MIN - 1;
	make("stage -101", o);
	return 0;
}

struct Counter {
	int base;

	void run(int n) { say("member function: %d\n", base + n); }
};

/*
 * What the object reports, against the C handle; the arguments are
 * copied in the constructing thread; pthread_attr is copied.
 */
int
properties()
{
	exeunt::options o = named("props");
	pthread_attr_t pa;

	o.stage = 3;
	exeunt::thread t(o, [](std::stop_token st) {
		say("in the thread: self is the handle %d\n",
		    exeunt_thread_self() != nullptr &&
		    pthread_equal(pthread_self(),
		    exeunt_thread_pthread(exeunt_thread_self())));
		count_up(&ready);
		cx_until_stopped(st);
	});
	count_wait(&ready, 1);
	say("name \"%s\", daemon %d, stage %d, C name \"%s\", C stage %d, "
	    "C daemon %d\n", t.name().c_str(), t.daemon(), t.stage(),
	    exeunt_thread_name(t.exeunt_handle()),
	    exeunt_thread_stage(t.exeunt_handle()),
	    exeunt_thread_isdaemon(t.exeunt_handle()));
	say("native_handle() is the C handle's pthread_t: %d\n",
	    pthread_equal(t.native_handle(),
	    exeunt_thread_pthread(t.exeunt_handle())) != 0);
	t.request_stop();
	t.join();
	say("after the join: name \"%s\"\n", t.name().c_str());

	o = named("detached");
	o.daemon = true;
	exeunt::thread dt(o, [] { exeunt::wait_stop(); });
	say("daemon %d\n", dt.daemon());
	dt.detach();
	say("after the detach: name \"%s\", joinable %d\n", dt.name().c_str(),
	    dt.joinable());

	exeunt::thread df([] {});
	std::string c_name = exeunt_thread_name(df.exeunt_handle());
	say("default: name is the C name %d, starts with thread- %d, "
	    "daemon %d, stage %d\n", df.name() == c_name,
	    df.name().compare(0, 7, "thread-") == 0, df.daemon(), df.stage());
	df.join();

	/* Decay copies, made before the constructor returns. */
	std::string text = "copied";
	exeunt::thread args([](std::string s, int n) {
		flag_wait(&go);
		say("arguments: %s %d\n", s.c_str(), n);
	}, text, 7);
	text = "changed";
	flag_set(&go);
	args.join();
	exeunt::thread token_args([](std::stop_token st, std::string s) {
		say("token first: possible %d, %s\n", st.stop_possible(),
		    s.c_str());
	}, std::string("then the arguments"));
	token_args.join();
	exeunt::thread move_only([](std::unique_ptr<int> p) {
		say("move-only argument: %d\n", *p);
	}, std::make_unique<int>(42));
	move_only.join();
	Counter counter{40};
	exeunt::thread member(&Counter::run, &counter, 2);
	member.join();

	/* pthread_attr: copied; the thread gets its stack size. */
	pthread_attr_init(&pa);
	pthread_attr_setstacksize(&pa, 16 << 20);
	o = named("big stack");
	o.pthread_attr = &pa;
	exeunt::thread big(o, [] {
		pthread_attr_t got;
		size_t size = 0;

		if (pthread_getattr_np(pthread_self(), &got) == 0) {
			pthread_attr_getstacksize(&got, &size);
			pthread_attr_destroy(&got);
		}
		say("stack of 16 MiB at least: %d\n", size >= (16u << 20));
	});
	pthread_attr_destroy(&pa);
	big.join();
	return 0;
}

/* Creation, and adoption, once the shutdown has begun: ESHUTDOWN; an
 * exit hook once it has finished: ESHUTDOWN too. */
struct AfterShutdown {
	~AfterShutdown()
	{
		cx_expect("at_exit in a static destructor",
		    [] { exeunt::at_exit([] {}); });
	}
};

int
after_shutdown()
{
	static AfterShutdown after;

	(void)after;
	exeunt::at_exit([] {
		cx_expect("thread made in a hook", [] {
			exeunt::thread t([] {});
			t.join();
		});
		cx_expect("adopt in a hook", [] { exeunt::adopt a; });
	});
	return 0;
}

/*
 * this_thread::stop_token() is the thread's own token in an
 * exeunt::thread and under an exeunt::adopt; adopting twice is EEXIST;
 * a thread registered through the C API gets a token that its stop
 * request stops; an unregistered thread's is not stopped before exit.
 */
void *
c_registered(void *arg)
{
	cx_until_own_callback(exeunt::this_thread::stop_token(), &ready, [] {
		say("C thread: token stopped in the %s\n", where());
	});
	return arg;
}

int
tokens()
{
	exeunt::thread t([](std::stop_token st) {
		say("exeunt::thread: this_thread::stop_token() is its token "
		    "%d\n", exeunt::this_thread::stop_token() == st);
		cx_expect("exeunt::adopt in an exeunt::thread",
		    [] { exeunt::adopt a; });
	});
	t.join();

	std::thread u([] {
		{
			exeunt::options o = named("adopted");
			pthread_attr_t pa;

			/* pthread_attr is ignored: here, a destroyed one. */
			pthread_attr_init(&pa);
			pthread_attr_destroy(&pa);
			o.pthread_attr = &pa;
			o.stage = 2;
			o.daemon = true;
			o.terminate = [] { say("adopted: terminate\n"); };
			exeunt::adopt a(o);
			std::stop_token st = a.get_stop_token();
			std::stop_callback cb(st, [] {
				say("adopted: token stopped\n");
			});

			say("adopted: this_thread::stop_token() is its "
			    "token %d, registered %d, name \"%s\"\n",
			    exeunt::this_thread::stop_token() == st,
			    exeunt_thread_self() != nullptr,
			    exeunt_thread_name(exeunt_thread_self()));
			say("adopted: stage %d, daemon %d\n",
			    exeunt_thread_stage(exeunt_thread_self()),
			    exeunt_thread_isdaemon(exeunt_thread_self()));
			cx_expect("adopt again", [] { exeunt::adopt b; });
			/* The C request: token first, then terminate. */
			exeunt_thread_request_stop(exeunt_thread_self());
			say("adopted: stopped by the C request %d, "
			    "this_thread::stop_requested() %d\n",
			    st.stop_requested(),
			    exeunt::this_thread::stop_requested());
		}
		say("released: registered %d\n",
		    exeunt_thread_self() != nullptr);
		cx_expect("adopt after the release", [] { exeunt::adopt b; });
	});
	u.join();

	std::thread v([] {
		std::stop_token st = exeunt::this_thread::stop_token();

		say("unregistered: stop possible %d, requested %d\n",
		    st.stop_possible(), st.stop_requested());
	});
	v.join();

	/* Adopted through the C API, the token's stop callback keeps the
	 * thread from being released, as the contract warns. */
	std::thread w([] {
		sc_check("exeunt_thread_adopt", exeunt_thread_adopt(nullptr));
		(void)exeunt::this_thread::stop_token();
		say("C-adopted: exeunt_thread_release() after "
		    "this_thread::stop_token(): %s\n",
		    errname(exeunt_thread_release()));
	});
	w.join();

	exeunt_thread_t *c = sc_create_named("C thread", 0, nullptr, nullptr,
	    c_registered, nullptr);
	requester = pthread_self();
	count_wait(&ready, 1);
	sc_check("exeunt_thread_request_stop", exeunt_thread_request_stop(c));
	sc_check("exeunt_thread_join", exeunt_thread_join(c, nullptr));
	say("C thread joined\n");
	return 0;
}

/* at_exit hooks with captures, LIFO with the C library's hooks. */
char c1[] = "c 1", c3[] = "c 3";

int
hooks()
{
	sc_check("exeunt_atexit", exeunt_atexit(hook_say, c1));
	exeunt::at_exit([text = std::string("c++ 2")] {
		say("hook %s\n", text.c_str());
	});
	sc_check("exeunt_atexit", exeunt_atexit(hook_say, c3));
	auto owned = std::make_unique<std::string>("c++ 4, move-only");
	exeunt::at_exit([p = std::move(owned)] {
		say("hook %s\n", p->c_str());
	});
	return 0;
}

/*
 * set_timeout(): a negative limit is EINVAL; max() of any duration is
 * accepted and saturates.  argv[2] picks the one set last, with
 * EXEUNT_OVERRUN_EXIT: a limit that wrapped to zero or to a few
 * nanoseconds would end the process with status 124 while the worker
 * still runs in the join phase.
 */
int
timeout(const std::string &last)
{
	using namespace std::chrono;

	cx_expect("set_timeout(-1ms)", [] {
		exeunt::set_timeout(milliseconds(-1), EXEUNT_OVERRUN_EXIT);
	});
	cx_expect("set_timeout(nanoseconds::min())", [] {
		exeunt::set_timeout(nanoseconds::min(), EXEUNT_OVERRUN_EXIT);
	});
	cx_expect("set_timeout(1s)", [] {
		exeunt::set_timeout(seconds(1), EXEUNT_OVERRUN_WAIT);
	});
	cx_expect("set_timeout(max)", [&] {
		if (last == "ns")
			exeunt::set_timeout(nanoseconds::max(),
			    EXEUNT_OVERRUN_EXIT);
		else if (last == "s")
			exeunt::set_timeout(seconds::max(),
			    EXEUNT_OVERRUN_EXIT);
		else
			exeunt::set_timeout(hours::max(), EXEUNT_OVERRUN_EXIT);
	});
	exeunt::thread t([](std::stop_token st) {
		count_up(&ready);
		cx_until_stopped(st);
		if (await_phase(EXEUNT_JOINING, "worker"))
			say("worker stops\n");
	});
	count_wait(&ready, 1);
	t.detach();
	return 0;
}

/*
 * wait_stop(): zero and negative timeouts only check; a huge timeout
 * waits and returns true when the stop comes (the worker is seen
 * sleeping in it first: a timeout that overflowed would have returned
 * false at once).
 */
template <class D>
void
waits_for_stop(const char *label, D huge)
{
	struct sc_flag waiting = SC_FLAG_INIT;
	pid_t tid = 0;

	exeunt::thread t([label, huge, &waiting, &tid] {
		using namespace std::chrono;

		say("%s: wait_stop(0ms) %d, wait_stop(-1s) %d, "
		    "stop_requested() %d\n", label,
		    exeunt::wait_stop(milliseconds(0)),
		    exeunt::wait_stop(seconds(-1)),
		    exeunt::this_thread::stop_requested());
		tid = gettid();
		flag_set(&waiting);
		bool stopped = exeunt::wait_stop(huge);
		say("%s: wait_stop(max) %d, then wait_stop(0ms) %d, "
		    "wait_stop() %d, stop_requested() %d\n", label, stopped,
		    exeunt::wait_stop(milliseconds(0)),
		    exeunt::wait_stop(),
		    exeunt::this_thread::stop_requested());
	});
	flag_wait(&waiting);
	if (!await_sleeping(tid))
		say("%s: the thread never slept\n", label);
	t.request_stop();
	t.join();
}

int
waits()
{
	waits_for_stop("nanoseconds", std::chrono::nanoseconds::max());
	waits_for_stop("seconds", std::chrono::seconds::max());
	waits_for_stop("hours", std::chrono::hours::max());
	return 0;
}

/* trap_signal(): the C library's errors as std::system_error. */
int
trap()
{
	cx_expect("trap_signal(SIGKILL)", [] {
		exeunt::trap_signal(SIGKILL);
	});
	cx_expect("trap_signal(SIGTERM)", [] {
		exeunt::trap_signal(SIGTERM);
	});
	return 0;
}

}

int
main(int argc, char **argv)
{
	std::string c = argc > 1 ? argv[1] : "";

	if (c == "request")
		return request(false);
	if (c == "request_c")
		return request(true);
	if (c == "request_finished")
		return request_finished();
	if (c == "token_after_bridge")
		return token_after_bridge();
	if (c == "proceed_static")
		return proceed_static();
	if (c == "destructor_join_fails")
		return destructor_join_fails();
	if (c == "destructor_join_fails_in_fork_child")
		return destructor_join_fails_in_fork_child();
	if (c == "odd_periods")
		return odd_periods();
	if (c == "destructor_cancel_pending")
		return destructor_cancel_pending();
	if (c == "destructor")
		return destructor();
	if (c == "destructor_daemon")
		return destructor_daemon();
	if (c == "static_daemon")
		return static_daemon();
	if (c == "destructor_in_thread")
		return destructor_in_thread();
	if (c == "move")
		return moves();
	if (c == "self_move")
		return self_move();
	if (c == "errors")
		return errors();
	if (c == "limits")
		return limits();
	if (c == "properties")
		return properties();
	if (c == "after_shutdown")
		return after_shutdown();
	if (c == "tokens")
		return tokens();
	if (c == "hooks")
		return hooks();
	if (c == "timeout")
		return timeout(argc > 2 ? argv[2] : "h");
	if (c == "wait_stop")
		return waits();
	if (c == "trap")
		return trap();
	say("no case \"%s\"\n", c.c_str());
	return 100;
}
