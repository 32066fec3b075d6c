/*
 * exeunt -- the C++ face: exeunt::thread, exeunt::adopt and friends.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Header-only, on top of <exeunt.h>; C++17, with std::stop_token in C++20.
 * Errors of the C calls are thrown as std::system_error holding the errno
 * value; no exception is ever thrown through the C library.  See
 * exeunt_cxx(3) for the contract.
 */
#ifndef EXEUNT_HPP
#define EXEUNT_HPP

#include <exeunt.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

#if defined(__GLIBCXX__) || defined(_LIBCPP_VERSION)
#include <cxxabi.h>
#define EXEUNT_HPP_CXXABI 1
#endif

#if __cplusplus >= 202002L && __has_include(<stop_token>)
#include <stop_token>
#if defined(__cpp_lib_jthread)
#define EXEUNT_HPP_STOP_TOKEN 1
#endif
#endif

namespace exeunt {

/* options::stage's default: the creating thread's stage, as in C. */
inline constexpr int inherit_stage = INT_MIN;

/*
 * How a thread is made.  An aggregate: in C++20,
 * exeunt::options{.name = "worker", .stage = 1}.
 */
struct options {
	std::string name = {};		/* empty: "thread-N" */
	bool daemon = false;			/* not inherited: as given */
	int stage = inherit_stage;
	std::function<void()> terminate = {};	/* the terminate callback */
	const pthread_attr_t *pthread_attr = nullptr;	/* copied */
};

/*
 * The rest differs between C++17 and C++20 (a thread's state holds its
 * std::stop_source in C++20), so each has names of its own: a C++17
 * library and a C++20 program that both use the header link together
 * without one's definitions replacing the other's.
 */
#if defined(EXEUNT_HPP_STOP_TOKEN)
inline namespace cxx20 {
#else
inline namespace cxx17 {
#endif

namespace detail {

[[noreturn]] inline void
fail(int err, const char *what)
{
	throw std::system_error(err, std::system_category(), what);
}

inline void
check(int err, const char *what)
{
	if (err != 0)
		fail(err, what);
}

template <class T>
using remove_cvref_t = std::remove_cv_t<std::remove_reference_t<T>>;

/* A duration as a timespec, saturating; d must not be negative. */
template <class Rep, class Period>
inline struct timespec
to_timespec(std::chrono::duration<Rep, Period> d) noexcept
{
	using namespace std::chrono;
	const long double max_s =
	    static_cast<long double>(std::numeric_limits<std::time_t>::max());
	struct timespec ts = {};

	if (!(d > d.zero()))
		return ts;
	if (duration<long double>(d).count() >= max_s) {
		ts.tv_sec = std::numeric_limits<std::time_t>::max();
		ts.tv_nsec = 999999999L;
		return ts;
	}
	if constexpr (!std::is_floating_point_v<Rep> && Period::num != 1 &&
	    Period::den != 1) {
		/* duration_cast would multiply by num before it divides by
		 * den, and overflow (3/2 s, or 1001/30000 s video frames):
		 * split the seconds in long double instead. */
		const long double x = duration<long double>(d).count();
		const long double whole = static_cast<long double>(
		    static_cast<std::time_t>(x));

		ts.tv_sec = static_cast<std::time_t>(whole);
		ts.tv_nsec = static_cast<long>((x - whole) * 1e9L);
	} else {
		/* Exact: the seconds fit a time_t, and the part under a
		 * second converts to nanoseconds without overflow. */
		const auto s = duration_cast<seconds>(d);

		ts.tv_sec = static_cast<std::time_t>(s.count());
		ts.tv_nsec = static_cast<long>(
		    duration_cast<nanoseconds>(d - s).count());
	}
	if (ts.tv_nsec < 0)
		ts.tv_nsec = 0;
	if (ts.tv_nsec > 999999999L)
		ts.tv_nsec = 999999999L;
	return ts;
}

inline std::string
type_name(const std::type_info *ti)
{
	if (ti == nullptr)
		return "unknown exception";
#if defined(EXEUNT_HPP_CXXABI)
	int status = 0;
	char *d = abi::__cxa_demangle(ti->name(), nullptr, nullptr, &status);
	if (d != nullptr) {
		std::string s(d);
		std::free(d);
		return s;
	}
#endif
	return ti->name();
}

/*
 * Report the exception being handled, once, through the library's
 * diagnostics.  Call only inside a catch block.
 */
inline void
report_current(const std::string &context) noexcept
{
	try {
		try {
			throw;
		} catch (const std::exception &e) {
			const std::string type = type_name(&typeid(e));
			(void)exeunt_report("%s: %s: %s", context.c_str(),
			    type.c_str(), e.what());
		} catch (...) {
#if defined(EXEUNT_HPP_CXXABI)
			const std::string type =
			    type_name(abi::__cxa_current_exception_type());
#else
			const std::string type = "unknown exception";
#endif
			(void)exeunt_report("%s: %s", context.c_str(),
			    type.c_str());
		}
	} catch (...) {
		(void)exeunt_report("%s", "exception (no memory to describe it)");
	}
}

inline std::string
quoted_name(const exeunt_thread_t *t)
{
	const char *n = t != nullptr ? exeunt_thread_name(t) : nullptr;

	return n != nullptr ? "\"" + std::string(n) + "\"" : "(unregistered)";
}

/*
 * 1 if the exception being handled is not a C++ exception: glibc's forced
 * unwinding for pthread_exit() and cancellation is one, and must go on.
 * std::current_exception() holds no foreign exception.  A handler of
 * abi::__forced_unwind would bind a reference to what is not a C++
 * object (UndefinedBehaviorSanitizer says so), and is libstdc++'s only.
 * Call only inside a catch block.
 */
inline bool
foreign_exception() noexcept
{
	return !std::current_exception();
}

/*
 * Run f; an exception that escapes it is reported with context and
 * dropped.  Forced unwinding (pthread_exit, cancellation) passes.
 */
template <class F, class C>
inline void
run_reported(F &&f, C &&context)
{
	try {
		f();
	} catch (...) {
		if (foreign_exception())
			throw;
		std::string what;
		try {
			what = context();
		} catch (...) {
		}
		report_current(what);
	}
}

/* What a thread and its terminate callback share. */
struct state {
	std::function<void()> terminate;
#if defined(EXEUNT_HPP_STOP_TOKEN)
	std::stop_source source;
#endif
};

/* The state of the calling thread, for an exeunt::thread's body and
 * under an exeunt::adopt. */
inline state *&
current() noexcept
{
	static thread_local state *self = nullptr;
	return self;
}

/* The terminate callback of every thread that has a state: the token
 * first, as the C library runs stop callbacks first, then the user's. */
inline void
on_terminate(exeunt_thread_t *t, void *arg)
{
	state &st = **static_cast<std::shared_ptr<state> *>(arg);

#if defined(EXEUNT_HPP_STOP_TOKEN)
	st.source.request_stop();
#endif
	if (st.terminate)
		run_reported([&] { st.terminate(); }, [&] {
			return "exception in terminate callback of thread " +
			    quoted_name(t);
		});
}

inline void
on_destroy(void *arg)
{
	delete static_cast<std::shared_ptr<state> *>(arg);
}

/* exeunt_attr_t, initialised and destroyed. */
struct attr {
	exeunt_attr_t a;

	attr() { check(exeunt_attr_init(&a), "exeunt_attr_init"); }
	~attr() { (void)exeunt_attr_destroy(&a); }
	attr(const attr &) = delete;
	attr &operator=(const attr &) = delete;

	void
	apply(const options &o, bool with_pthread_attr)
	{
		if (!o.name.empty())
			check(exeunt_attr_setname(&a, o.name.c_str()),
			    "exeunt_attr_setname");
		check(exeunt_attr_setdaemon(&a, o.daemon ? 1 : 0),
		    "exeunt_attr_setdaemon");
		if (o.stage != inherit_stage)
			check(exeunt_attr_setstage(&a, o.stage),
			    "exeunt_attr_setstage");
		if (with_pthread_attr && o.pthread_attr != nullptr)
			check(exeunt_attr_setpthreadattr(&a, o.pthread_attr),
			    "exeunt_attr_setpthreadattr");
	}
};

/*
 * A state for a thread made with options o, and, when the thread needs
 * the terminate callback, the reference its callback holds: the library
 * drops it through on_destroy once no callback can run any more.
 */
struct bridge {
	std::shared_ptr<state> st;
	std::unique_ptr<std::shared_ptr<state>> held;

	explicit bridge(options &o) : st(std::make_shared<state>())
	{
		st->terminate = std::move(o.terminate);
#if defined(EXEUNT_HPP_STOP_TOKEN)
		const bool needed = true;
#else
		const bool needed = static_cast<bool>(st->terminate);
#endif
		if (needed)
			held.reset(new std::shared_ptr<state>(st));
	}

	void
	install(attr &a)
	{
		if (!held)
			return;
		check(exeunt_attr_setterminate(&a.a, on_terminate, held.get()),
		    "exeunt_attr_setterminate");
		check(exeunt_attr_setdestroy(&a.a, on_destroy),
		    "exeunt_attr_setdestroy");
	}

	/* The library owns the callback's reference now. */
	void committed() noexcept { (void)held.release(); }
};

/* A thread's callable and arguments, decay-copied by the creator. */
template <class F, class... Args>
struct invoker {
	std::shared_ptr<state> st;
	std::tuple<std::decay_t<F>, std::decay_t<Args>...> call;

	template <class G, class... A>
	invoker(std::shared_ptr<state> s, G &&f, A &&...args)
	    : st(std::move(s)),
	      call(std::forward<G>(f), std::forward<A>(args)...)
	{
	}

	void
	run()
	{
#if defined(EXEUNT_HPP_STOP_TOKEN)
		if constexpr (std::is_invocable_v<std::decay_t<F>,
		    std::stop_token, std::decay_t<Args>...>) {
			std::stop_token token = st->source.get_token();
			std::apply([&token](auto &f, auto &...a) {
				std::invoke(std::move(f), std::move(token),
				    std::move(a)...);
			}, call);
			return;
		} else
#endif
		{
			static_assert(std::is_invocable_v<std::decay_t<F>,
			    std::decay_t<Args>...>,
			    "exeunt::thread: the callable cannot be called "
			    "with these arguments");
			std::apply([](auto &f, auto &...a) {
				std::invoke(std::move(f), std::move(a)...);
			}, call);
		}
	}

	/* The start routine given to exeunt_thread_create(). */
	static void *
	start(void *arg)
	{
		std::unique_ptr<invoker> self(static_cast<invoker *>(arg));
		bool failed = false;

		current() = self->st.get();
		try {
			self->run();
		} catch (...) {
			if (foreign_exception()) {
				current() = nullptr;
				throw;
			}
			std::string what;
			try {
				what = "uncaught exception in thread " +
				    quoted_name(exeunt_thread_self());
			} catch (...) {
			}
			report_current(what);
			failed = true;
		}
		/* Outside the handler: the runtime does not describe the
		 * exception a second time, as std::thread's would. */
		if (failed)
			std::terminate();
		current() = nullptr;
		return nullptr;
	}
};

#if defined(EXEUNT_HPP_STOP_TOKEN)
/*
 * this_thread::stop_token() in a thread that has no state: a token that a
 * stop callback of the calling thread stops, pushed until the thread ends.
 */
struct token_bridge {
	std::stop_source source;
	exeunt_stop_callback_t cb;
	bool pushed = false;

	token_bridge()
	{
		const int err = exeunt_stop_callback_push(&cb, fire, this);

		if (err == 0)
			pushed = true;
		else if (err == ECANCELED)
			source.request_stop();
		else
			fail(err, "exeunt_stop_callback_push");
	}
	~token_bridge()
	{
		if (pushed)
			(void)exeunt_stop_callback_pop(&cb);
		ended() = true;
	}

	/* Set once the calling thread's bridge is destroyed: its
	 * thread_local destructors have run, or, in the main thread, exit()
	 * is destroying the static objects.  Trivially destructible, so
	 * still readable then. */
	static bool &
	ended() noexcept
	{
		static thread_local bool gone = false;
		return gone;
	}
	token_bridge(const token_bridge &) = delete;
	token_bridge &operator=(const token_bridge &) = delete;

	static void
	fire(void *arg)
	{
		static_cast<token_bridge *>(arg)->source.request_stop();
	}
};
#endif

} /* namespace detail */

/*
 * A registered thread, as std::jthread: the destructor requests its stop
 * and joins it (a daemon thread: requests its stop and detaches it).
 */
class thread {
public:
	using native_handle_type = pthread_t;

	thread() noexcept {}

	template <class F, class... Args,
	    class = std::enable_if_t<
		!std::is_same_v<detail::remove_cvref_t<F>, thread> &&
		!std::is_same_v<detail::remove_cvref_t<F>, options>>>
	explicit thread(F &&f, Args &&...args)
	    : thread(options{}, std::forward<F>(f), std::forward<Args>(args)...)
	{
	}

	template <class F, class... Args>
	explicit thread(options opts, F &&f, Args &&...args)
	{
		using inv_t = detail::invoker<F, Args...>;
		detail::bridge b(opts);
		std::unique_ptr<inv_t> inv(new inv_t(b.st, std::forward<F>(f),
		    std::forward<Args>(args)...));
		detail::attr a;
		exeunt_thread_t *h = nullptr;
		std::string name;

		a.apply(opts, true);
		b.install(a);
		name.reserve(EXEUNT_NAME_MAX);	/* no throw once it runs */
		detail::check(exeunt_thread_create(&h, &a.a, &inv_t::start,
		    inv.get()), "exeunt_thread_create");
		(void)inv.release();
		b.committed();
		name = exeunt_thread_name(h);
		handle_ = h;
		pthread_ = exeunt_thread_pthread(h);
		daemon_ = exeunt_thread_isdaemon(h) != 0;
		stage_ = exeunt_thread_stage(h);
		name_.swap(name);
		state_ = std::move(b.st);
	}

	thread(const thread &) = delete;
	thread &operator=(const thread &) = delete;

	thread(thread &&o) noexcept { swap(o); }

	thread &
	operator=(thread &&o) noexcept
	{
		if (this != &o) {
			end();
			thread gone;
			swap(gone);
			swap(o);
		}
		return *this;
	}

	~thread() { end(); }

	bool joinable() const noexcept { return handle_ != nullptr; }

	void
	join()
	{
		if (handle_ == nullptr)
			detail::fail(EINVAL, "exeunt::thread::join");
		detail::check(exeunt_thread_join(handle_, nullptr),
		    "exeunt_thread_join");
		handle_ = nullptr;
	}

	void
	detach()
	{
		if (handle_ == nullptr)
			detail::fail(EINVAL, "exeunt::thread::detach");
		detail::check(exeunt_thread_detach(handle_),
		    "exeunt_thread_detach");
		handle_ = nullptr;
	}

	bool
	request_stop() noexcept
	{
		int cancel;

		if (handle_ == nullptr)
			return false;
		/* The std::stop_callback objects run here may reach a
		 * cancellation point, and this function must not unwind, as
		 * the library's own request does not. */
		(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
		(void)exeunt_thread_request_stop(handle_);
#if defined(EXEUNT_HPP_STOP_TOKEN)
		/* Done already by the terminate callback, unless the thread
		 * had finished: the token is stopped either way, as
		 * std::jthread's. */
		if (state_)
			(void)state_->source.request_stop();
#endif
		(void)pthread_setcancelstate(cancel, nullptr);
		return true;
	}

	std::string name() const { return name_; }
	bool daemon() const noexcept { return daemon_; }
	int stage() const noexcept { return stage_; }
	native_handle_type native_handle() const noexcept { return pthread_; }
	exeunt_thread_t *exeunt_handle() const noexcept { return handle_; }

#if defined(EXEUNT_HPP_STOP_TOKEN)
	std::stop_token
	get_stop_token() const noexcept
	{
		return state_ ? state_->source.get_token() : std::stop_token();
	}
#endif

	void
	swap(thread &o) noexcept
	{
		std::swap(handle_, o.handle_);
		std::swap(pthread_, o.pthread_);
		std::swap(daemon_, o.daemon_);
		std::swap(stage_, o.stage_);
		name_.swap(o.name_);
		state_.swap(o.state_);
	}

	static unsigned
	hardware_concurrency() noexcept
	{
		return std::thread::hardware_concurrency();
	}

private:
	/*
	 * The destructor's rule: request the stop, then join; or detach
	 * where no join can be waited for: a daemon thread, the thread
	 * itself, a thread that the shutdown has abandoned at its deadline
	 * (the join phase is over: static objects are destroyed after it),
	 * and wherever the join fails (EDEADLK in the thread's own terminate
	 * callback, ESRCH in a fork child), so that the record is freed.
	 * Not a cancellation point: a destructor must not unwind.
	 */
	void
	end() noexcept
	{
		int cancel;

		if (handle_ == nullptr)
			return;
		(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
		(void)request_stop();
		if (daemon_ || exeunt_thread_self() == handle_ ||
		    exeunt_phase() >= EXEUNT_HOOKS ||
		    exeunt_thread_join(handle_, nullptr) != 0)
			(void)exeunt_thread_detach(handle_);
		(void)pthread_setcancelstate(cancel, nullptr);
		handle_ = nullptr;
	}

	exeunt_thread_t *handle_ = nullptr;
	pthread_t pthread_{};
	bool daemon_ = false;
	int stage_ = 0;
	std::string name_;
	std::shared_ptr<detail::state> state_;
};

inline void
swap(thread &a, thread &b) noexcept
{
	a.swap(b);
}

/*
 * Registers the calling thread for the object's lifetime: for a
 * std::thread, a std::jthread or a thread of another library.  Destroy it
 * in the thread that made it.
 */
class adopt {
public:
	adopt() : adopt(options{}) {}

	explicit adopt(options opts)
	{
		detail::bridge b(opts);
		detail::attr a;

		a.apply(opts, false);
		b.install(a);
		detail::check(exeunt_thread_adopt(&a.a), "exeunt_thread_adopt");
		b.committed();
		state_ = std::move(b.st);
		outer_ = detail::current();
		detail::current() = state_.get();
	}

	adopt(const adopt &) = delete;
	adopt &operator=(const adopt &) = delete;

	~adopt()
	{
		detail::current() = outer_;
		(void)exeunt_thread_release();
	}

#if defined(EXEUNT_HPP_STOP_TOKEN)
	std::stop_token
	get_stop_token() const noexcept
	{
		return state_->source.get_token();
	}
#endif

private:
	std::shared_ptr<detail::state> state_;
	detail::state *outer_ = nullptr;
};

namespace this_thread {

/* exeunt_stop_requested(3) of the calling thread. */
inline bool
stop_requested() noexcept
{
	return exeunt_stop_requested() != 0;
}

#if defined(EXEUNT_HPP_STOP_TOKEN)
/* A token that is stopped when the calling thread's stop is requested. */
inline std::stop_token
stop_token()
{
	if (detail::state *st = detail::current())
		return st->source.get_token();
	if (detail::token_bridge::ended()) {
		/* The thread is ending: a token that is stopped already. */
		std::stop_source ending;

		(void)ending.request_stop();
		return ending.get_token();
	}
	static thread_local detail::token_bridge bridge;
	return bridge.source.get_token();
}
#endif

} /* namespace this_thread */

namespace detail {

template <class Fn>
inline void
run_hook(void *arg)
{
	std::unique_ptr<Fn> fn(static_cast<Fn *>(arg));

	run_reported([&] { (*fn)(); },
	    [] { return std::string("exception in exit hook"); });
}

} /* namespace detail */

/* exeunt_atexit(3) with a callable, which may hold captures. */
template <class F>
inline void
at_exit(F &&f)
{
	using fn_t = std::decay_t<F>;
	std::unique_ptr<fn_t> fn(new fn_t(std::forward<F>(f)));

	detail::check(exeunt_atexit(&detail::run_hook<fn_t>, fn.get()),
	    "exeunt_atexit");
	(void)fn.release();
}

/* exeunt_set_timeout(3); a negative limit is EINVAL, a huge one
 * saturates. */
template <class Rep, class Period>
inline void
set_timeout(std::chrono::duration<Rep, Period> limit,
    enum exeunt_overrun action)
{
	if (!(limit >= limit.zero()))
		detail::fail(EINVAL, "exeunt_set_timeout");
	const struct timespec ts = detail::to_timespec(limit);
	detail::check(exeunt_set_timeout(&ts, action), "exeunt_set_timeout");
}

/* exeunt_wait_stop(3): true once the calling thread's stop is
 * requested, false when the timeout passed first. */
inline bool
wait_stop() noexcept
{
	return exeunt_wait_stop(nullptr) == 0;
}

template <class Rep, class Period>
inline bool
wait_stop(std::chrono::duration<Rep, Period> timeout) noexcept
{
	const struct timespec ts = detail::to_timespec(timeout);

	return exeunt_wait_stop(&ts) == 0;
}

/* exeunt_trap_signal(3). */
inline void
trap_signal(int signo)
{
	detail::check(exeunt_trap_signal(signo), "exeunt_trap_signal");
}

} /* inline namespace cxx17 or cxx20 */
} /* namespace exeunt */

#endif /* EXEUNT_HPP */
