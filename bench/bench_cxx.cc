/*
 * bench_cxx -- what the C++ face costs over the C API and over std::jthread.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * The life of a thread that returns at once, four ways, side by side in
 * one process: std::jthread, exeunt_thread_create() + exeunt_thread_join(),
 * exeunt::thread, and exeunt::thread whose callable takes the
 * std::stop_token.  Each round times a batch of each, in an order that
 * rotates from round to round, so that drift affects all alike; the report
 * gives the median time per thread and the ratios of the medians.  Then
 * the check a worker loop makes: exeunt::this_thread::stop_requested()
 * against std::stop_token::stop_requested(), in an exeunt::thread.
 *
 * Usage: bench_cxx [rounds [threads-per-batch]]
 */
#include <exeunt.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <stop_token>
#include <thread>
#include <vector>

#include "bench.h"

namespace {

void *
nothing(void *arg)
{
	return arg;
}

double
batch_jthread(unsigned n)
{
	const uint64_t t0 = bench_now();

	for (unsigned i = 0; i < n; i++) {
		std::jthread t([] {});
	}
	return (double)(bench_now() - t0) / n;
}

double
batch_c(unsigned n)
{
	const uint64_t t0 = bench_now();

	for (unsigned i = 0; i < n; i++) {
		exeunt_thread_t *t;
		int rc = exeunt_thread_create(&t, nullptr, nothing, nullptr);

		if (rc != 0) {
			std::fprintf(stderr, "exeunt_thread_create: %d\n", rc);
			std::exit(EXIT_FAILURE);
		}
		exeunt_thread_join(t, nullptr);
	}
	return (double)(bench_now() - t0) / n;
}

double
batch_cxx(unsigned n)
{
	const uint64_t t0 = bench_now();

	for (unsigned i = 0; i < n; i++) {
		exeunt::thread t([] {});
	}
	return (double)(bench_now() - t0) / n;
}

double
batch_cxx_token(unsigned n)
{
	const uint64_t t0 = bench_now();

	for (unsigned i = 0; i < n; i++) {
		exeunt::thread t([](std::stop_token st) { (void)st; });
	}
	return (double)(bench_now() - t0) / n;
}

/* ns per check of a loop of n checks, run in an exeunt::thread. */
template <class Check>
double
loop_in_thread(unsigned long n, Check check)
{
	double ns = 0;

	exeunt::thread t([&ns, n, check](std::stop_token st) {
		unsigned long hits = 0;
		const uint64_t t0 = bench_now();

		for (unsigned long i = 0; i < n; i++)
			hits += check(st);
		ns = (double)(bench_now() - t0) / (double)n;
		if (hits != 0)
			std::abort();
	});
	t.join();
	return ns;
}

} // namespace

int
main(int argc, char **argv)
{
	unsigned rounds = 31, n = 2000;
	const unsigned long checks = 20000000;

	if (argc > 1)
		rounds = (unsigned)std::strtoul(argv[1], nullptr, 10);
	if (argc > 2)
		n = (unsigned)std::strtoul(argv[2], nullptr, 10);
	if (rounds == 0 || n == 0) {
		std::fprintf(stderr, "usage: bench_cxx [rounds [threads]]\n");
		return EXIT_FAILURE;
	}

	double (*const ways[])(unsigned) = {
		batch_jthread, batch_c, batch_cxx, batch_cxx_token
	};
	const char *const names[] = {
		"std::jthread", "exeunt_thread_create (C)", "exeunt::thread",
		"exeunt::thread(stop_token)"
	};
	const unsigned nways = 4;
	std::vector<std::vector<double>> t(nways, std::vector<double>(rounds));
	std::vector<double> med(nways);

	for (unsigned w = 0; w < nways; w++)	/* warm up */
		ways[w](n / 4 + 1);
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned k = 0; k < nways; k++) {
			const unsigned w = (r + k) % nways;
			t[w][r] = ways[w](n);
		}

	std::printf("create+join: %u rounds of %u threads, side by side\n",
	    rounds, n);
	for (unsigned w = 0; w < nways; w++) {
		med[w] = bench_median(t[w].data(), rounds);
		std::printf("  %-28s %8.0f ns/thread (median)\n", names[w],
		    med[w]);
	}
	std::printf("  exeunt::thread / exeunt_thread_create      %6.3f\n",
	    med[2] / med[1]);
	std::printf("  exeunt::thread / std::jthread              %6.3f\n",
	    med[2] / med[0]);
	std::printf("  exeunt::thread(stop_token) / std::jthread  %6.3f\n",
	    med[3] / med[0]);

	std::vector<double> ex(rounds / 2 + 1), tok(rounds / 2 + 1);
	for (unsigned r = 0; r < ex.size(); r++) {
		auto by_exeunt = [](const std::stop_token &) {
			return exeunt::this_thread::stop_requested() ? 1 : 0;
		};
		auto by_token = [](const std::stop_token &st) {
			return st.stop_requested() ? 1 : 0;
		};
		if (r % 2 == 0) {
			ex[r] = loop_in_thread(checks, by_exeunt);
			tok[r] = loop_in_thread(checks, by_token);
		} else {
			tok[r] = loop_in_thread(checks, by_token);
			ex[r] = loop_in_thread(checks, by_exeunt);
		}
	}
	const double mex = bench_median(ex.data(), ex.size());
	const double mtok = bench_median(tok.data(), tok.size());
	std::printf("stop check in a loop of %lu, %zu runs each\n", checks,
	    ex.size());
	std::printf("  exeunt::this_thread::stop_requested() %6.2f ns/call\n",
	    mex);
	std::printf("  std::stop_token::stop_requested()     %6.2f ns/call\n",
	    mtok);
	return 0;
}
