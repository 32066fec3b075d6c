#!/bin/sh
# include/exeunt.hpp compiles on its own and included twice, and a
# translation unit that uses every public name compiles, with g++ and
# clang++ as C++17 and C++20, with -Wall -Wextra -Wpedantic -Werror.  Two
# units that include it link together (everything in it is inline).
# Fails when g++ is missing or anything fails; clang++ is left out, with a
# note, when it is not installed.  CXX is empty when configure found no
# working C++ compiler: then nothing of C++ is checked, the test says so
# and ends with 77 (a SKIP).
#
# Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.

: "${CXX?CXX is not set}"
: "${top_srcdir:?top_srcdir is not set}"

if test -z "$CXX"; then
	echo "SKIP: configure found no working C++ compiler: include/exeunt.hpp" \
	    "was not checked"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/header-hpp.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

printf '#include <exeunt.hpp>\n' >"$tmp/alone.cc"

# Every public name, the noexcept the synopsis gives, and the C++20 names
# where the header offers them (it says so through CXX20_NAMES).
cat >"$tmp/use.cc" <<'SRC'
#include <exeunt.hpp>
#include <exeunt.hpp>

#include <chrono>
#include <climits>
#include <csignal>
#include <string>
#include <type_traits>
#include <utility>

static_assert(exeunt::inherit_stage == INT_MIN, "inherit_stage");
static_assert(std::is_same<const int, decltype(exeunt::inherit_stage)>::value,
    "inherit_stage is a constexpr int");
static_assert(std::is_same<exeunt::thread::native_handle_type,
    pthread_t>::value, "native_handle_type");
static_assert(std::is_same<decltype(exeunt::options::name),
    std::string>::value, "options::name");
static_assert(std::is_same<decltype(exeunt::options::daemon), bool>::value,
    "options::daemon");
static_assert(std::is_same<decltype(exeunt::options::stage), int>::value,
    "options::stage");
static_assert(std::is_same<decltype(exeunt::options::terminate),
    std::function<void()>>::value, "options::terminate");
static_assert(std::is_same<decltype(exeunt::options::pthread_attr),
    const pthread_attr_t *>::value, "options::pthread_attr");
static_assert(std::is_nothrow_default_constructible<exeunt::thread>::value,
    "thread()");
static_assert(std::is_nothrow_move_constructible<exeunt::thread>::value,
    "thread(thread &&)");
static_assert(std::is_nothrow_move_assignable<exeunt::thread>::value,
    "operator=(thread &&)");
static_assert(std::is_nothrow_destructible<exeunt::thread>::value,
    "~thread()");
static_assert(!std::is_copy_constructible<exeunt::thread>::value &&
    !std::is_copy_assignable<exeunt::thread>::value, "thread is not copied");
static_assert(!std::is_convertible<void (*)(), exeunt::thread>::value,
    "thread(F &&) is explicit");
static_assert(!std::is_copy_constructible<exeunt::adopt>::value &&
    !std::is_copy_assignable<exeunt::adopt>::value, "adopt is not copied");
static_assert(!std::is_convertible<exeunt::options, exeunt::adopt>::value,
    "adopt(options) is explicit");
static_assert(std::is_default_constructible<exeunt::adopt>::value, "adopt()");

void exeunt_hpp_uses(exeunt::thread &t, const exeunt::thread &ct);

void
exeunt_hpp_uses(exeunt::thread &t, const exeunt::thread &ct)
{
	exeunt::options o;
	o.name = "n";
	o.daemon = true;
	o.stage = exeunt::inherit_stage;
	o.terminate = [] {};
	o.pthread_attr = nullptr;

	exeunt::thread a;
	exeunt::thread b([] {});
	exeunt::thread c([](int, const std::string &) {}, 1, std::string("s"));
	exeunt::thread d(o, [] {});
	exeunt::thread e(exeunt::options(), [](int) {}, 2);
	exeunt::thread f(std::move(b));
	a = std::move(c);
	a.swap(f);

	static_assert(noexcept(ct.joinable()), "joinable");
	static_assert(noexcept(t.request_stop()), "request_stop");
	static_assert(noexcept(ct.daemon()), "daemon");
	static_assert(noexcept(ct.stage()), "stage");
	static_assert(noexcept(ct.native_handle()), "native_handle");
	static_assert(noexcept(ct.exeunt_handle()), "exeunt_handle");
	static_assert(noexcept(t.swap(a)), "swap");
	static_assert(noexcept(exeunt::this_thread::stop_requested()),
	    "this_thread::stop_requested");

	bool j = ct.joinable();
	bool r = t.request_stop();
	std::string n = ct.name();
	bool dm = ct.daemon();
	int st = ct.stage();
	exeunt::thread::native_handle_type h = ct.native_handle();
	exeunt_thread_t *x = ct.exeunt_handle();
	t.join();
	t.detach();
	(void)j; (void)r; (void)n; (void)dm; (void)st; (void)h; (void)x;

	{
		exeunt::adopt ad;
	}
	{
		exeunt::adopt ad(o);
	}
	bool sr = exeunt::this_thread::stop_requested();
	int captured = 3;
	exeunt::at_exit([captured] { (void)captured; });
	exeunt::at_exit(+[] {});
	exeunt::set_timeout(std::chrono::seconds(1), EXEUNT_OVERRUN_WAIT);
	exeunt::set_timeout(std::chrono::milliseconds::max(),
	    EXEUNT_OVERRUN_PROCEED);
	bool w = exeunt::wait_stop();
	bool w1 = exeunt::wait_stop(std::chrono::milliseconds(1));
	bool w2 = exeunt::wait_stop(std::chrono::duration<double>(0.5));
	exeunt::trap_signal(SIGTERM);
	(void)sr; (void)w; (void)w1; (void)w2;

#if __cplusplus >= 202002L && defined(__cpp_lib_jthread)
#define CXX20_NAMES 1
	static_assert(noexcept(ct.get_stop_token()), "get_stop_token");
	std::stop_token t1 = ct.get_stop_token();
	exeunt::thread g([](std::stop_token) {});
	exeunt::thread k(exeunt::options{.name = "k", .stage = 1},
	    [](std::stop_token, int) {}, 1);
	{
		exeunt::adopt ad;
		static_assert(noexcept(ad.get_stop_token()),
		    "adopt::get_stop_token");
		std::stop_token t2 = ad.get_stop_token();
		std::stop_token t3 = exeunt::this_thread::stop_token();
		(void)t2; (void)t3;
	}
	(void)t1;
#endif
}

#if __cplusplus >= 202002L && defined(__cpp_lib_jthread)
#ifndef CXX20_NAMES
#error the C++20 names were not used
#endif
extern const char exeunt_hpp_mode[];
const char exeunt_hpp_mode[] = "C++20 names used";
#else
extern const char exeunt_hpp_mode[];
const char exeunt_hpp_mode[] = "C++17 names only";
#endif
SRC

# A second unit with the same use, under other names, for the link.
sed 's/exeunt_hpp_/exeunt_hpp2_/g' "$tmp/use.cc" >"$tmp/use2.cc"

status=0
ran=0
compilers=
for c in g++ clang++ "$CXX"; do
	case " $compilers " in *" $c "*) continue ;; esac
	if ! command -v "${c%% *}" >/dev/null 2>&1; then
		case $c in
		clang++)
			echo "note: clang++ is not installed: left out" ;;
		*)
			echo "FAIL: $c is not installed" >&2
			status=1 ;;
		esac
		continue
	fi
	compilers="$compilers $c"
done

for c in $compilers; do
	for std in c++17 c++20; do
		flags="-std=$std -Wall -Wextra -Wpedantic -Werror"
		echo "$c $flags"
		ran=$((ran + 1))
		for unit in alone use use2; do
			if ! $c $flags -fPIC -I"$top_srcdir/include" \
			    -c "$tmp/$unit.cc" -o "$tmp/$unit.o"; then
				echo "FAIL: $unit.cc with $c -std=$std" >&2
				status=1
				continue 2
			fi
		done
		# Two units, one shared object: no symbol defined twice.
		if ! $c -shared -o "$tmp/both.so" "$tmp/use.o" \
		    "$tmp/use2.o"; then
			echo "FAIL: two units that include exeunt.hpp do not" \
			    "link together ($c -std=$std)" >&2
			status=1
		fi
		if ! grep -q 'C++20 names used' "$tmp/use.o" &&
		    [ "$std" = c++20 ]; then
			echo "note: $c -std=c++20 has no std::jthread: only" \
			    "the C++17 names were checked"
		fi
	done
done
# A C++17 unit and a C++20 unit in one program: the header's types
# differ between the two (a std::stop_source in C++20), so they must not
# share names, or the linker keeps one definition for both and the other
# reads past its objects.  g++'s link-time optimiser checks the One
# Definition Rule across units (-Wodr).
if case " $compilers " in *" g++ "*) true ;; *) false ;; esac; then
	echo "g++ -flto -Wodr: a C++17 unit and a C++20 unit linked together"
	if ! g++ -std=c++17 -flto -fPIC -I"$top_srcdir/include" \
	    -c "$tmp/use.cc" -o "$tmp/use17.o" ||
	    ! g++ -std=c++20 -flto -fPIC -I"$top_srcdir/include" \
	    -c "$tmp/use2.cc" -o "$tmp/use20.o" ||
	    ! g++ -shared -flto -Wodr -Werror -o "$tmp/mixed.so" \
	    "$tmp/use17.o" "$tmp/use20.o"; then
		echo "FAIL: C++17 and C++20 units that include exeunt.hpp" \
		    "break the One Definition Rule together" >&2
		status=1
	fi
fi
[ "$ran" -gt 0 ] || { echo "FAIL: no C++ compiler ran" >&2; exit 1; }
exit $status
