/*
 * cxx_server -- a C++20 TCP server that stops cleanly on SIGTERM.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 *
 * Usage: cxx_server [port]
 *
 * The server listens on 127.0.0.1, on the given port or, by default, on
 * one that the kernel chooses; it prints the port and its process ID.  A
 * client sends a line with a number N, at most 1000000, and gets back one
 * line with the number of primes below N:
 *
 *	printf '100000\n' | nc 127.0.0.1 PORT
 *
 * It is examples/server.c with exeunt.hpp.  A listener exeunt::thread in
 * stage 0 accepts connections into a queue; three worker exeunt::threads
 * in stage 1 take them from the queue and answer them.  Every thread is a
 * non-daemon thread, and none needs a terminate callback:
 *
 *  - The listener waits in exeunt_poll(), which returns ECANCELED on its
 *    stop request.  It closes the listening socket and returns; the
 *    kernel resets the connections that it had not accepted yet.
 *  - A worker takes a body with a std::stop_token, and waits for the queue
 *    with std::condition_variable_any::wait(lock, token, pred), which
 *    returns false only once the token is stopped and the queue is empty.
 *    While it reads a request, a std::stop_callback on the same token
 *    shuts the reading side of the connection down, so that a client that
 *    never sends its line does not hold the worker at exit.
 *
 * SIGTERM and SIGINT are trapped with exeunt::trap_signal(): the signal
 * starts the shutdown, in the library's signal thread.  Stage 0 comes
 * first: the listener is asked to stop, and the shutdown waits until it
 * has returned.  Then, in stage 1, the workers' tokens are stopped; the
 * listener has ended, so the queue only shrinks, and the workers take
 * every connection still in it before they return: a request that has
 * arrived is answered, a connection without one is closed.  Then the
 * exeunt::at_exit() hook prints what the server did, and checks that every
 * accepted connection was handled.  The deadline of 10 seconds, set with
 * exeunt::set_timeout(), keeps a late worker from holding up the exit.
 *
 * The process then ends killed by SIGTERM, so that the shell reports
 * status 143 (128 + 15), as exeunt_trap_signal(3) explains: that is what
 * a service manager expects of a service it stopped with SIGTERM.
 *
 * main is not registered: it waits in exeunt::wait_stop() until the
 * shutdown begins, and joins the threads while the shutdown stops them.
 * The thread objects are declared in the reverse order of their stages:
 * if main leaves early, by an exception, their destructors ask them to
 * stop and join them in the same order as the shutdown would.
 */
#include <exeunt.h>
#include <exeunt.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <stop_token>
#include <string>
#include <system_error>
#include <vector>

namespace {

constexpr unsigned nworkers = 3;
constexpr unsigned long max_limit = 1000000;

// The accepted connections, from the listener to the workers.
struct {
	std::mutex lock;
	std::condition_variable_any ready;
	std::deque<int> fds;
} queue;

std::atomic<unsigned> accepted, answered, unanswered;

[[noreturn]] void
fail(const char *what)
{
	std::fprintf(stderr, "cxx_server: %s: %s\n", what,
	    std::strerror(errno));
	std::exit(EXIT_FAILURE);
}

unsigned
count_primes(unsigned long limit)
{
	unsigned count = 0;

	for (unsigned long n = 2; n < limit; n++) {
		unsigned long d = 2;

		while (d * d <= n && n % d != 0)
			d++;
		if (d * d > n)
			count++;
	}
	return count;
}

// Stage 0.  A function without a std::stop_token parameter: it sees its
// stop request in exeunt_poll().  A failure other than the stop ends the
// process: exit() runs the shutdown in this thread.
void
listener(int lfd)
{
	pollfd pfd{lfd, POLLIN, 0};
	unsigned n = 0;

	for (;;) {
		if (exeunt_poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECANCELED)
				break;		// stop requested
			fail("exeunt_poll");
		}
		int fd = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EINTR ||
			    errno == ECONNABORTED)
				continue;
			fail("accept4");
		}
		{
			std::lock_guard lk(queue.lock);
			queue.fds.push_back(fd);
		}
		queue.ready.notify_one();
		accepted++;
		n++;
	}
	close(lfd);
	std::printf("listener: stopped, %u connection%s accepted\n", n,
	    n == 1 ? "" : "s");
}

// Reads one request from fd and answers it; returns whether it answered.
// The stop callback shuts the reading side down: recv() then returns
// what the client had sent already, then 0.  Its destructor waits for it
// if it is running in another thread, so fd is still open when it runs.
bool
serve(int fd, std::stop_token st, unsigned id)
{
	char line[32];
	size_t len = 0;

	{
		std::stop_callback cut(st, [fd] { shutdown(fd, SHUT_RD); });

		while (len < sizeof(line) - 1 &&
		    std::memchr(line, '\n', len) == nullptr) {
			ssize_t n = recv(fd, line + len,
			    sizeof(line) - 1 - len, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += static_cast<size_t>(n);
		}
	}
	if (std::memchr(line, '\n', len) == nullptr)
		return false;		// no complete request
	line[len] = '\0';

	char reply[96], *end;
	errno = 0;
	unsigned long limit = std::strtoul(line, &end, 10);
	if (end == line || (*end != '\n' && *end != '\r') || errno != 0 ||
	    limit > max_limit)
		std::snprintf(reply, sizeof(reply),
		    "worker-%u: send a number from 0 to %lu\n", id, max_limit);
	else
		std::snprintf(reply, sizeof(reply),
		    "worker-%u: %u primes below %lu\n", id,
		    count_primes(limit), limit);
	size_t rlen = std::strlen(reply);
	return send(fd, reply, rlen, MSG_NOSIGNAL) ==
	    static_cast<ssize_t>(rlen);
}

// Stage 1.  The library passes the thread's token first, since the
// function takes one; it is stopped with the thread's stop request.
void
worker(std::stop_token st, unsigned id)
{
	unsigned n = 0;

	for (;;) {
		int fd;
		{
			std::unique_lock lk(queue.lock);
			if (!queue.ready.wait(lk, st,
			    [] { return !queue.fds.empty(); }))
				break;	// stopped, and the queue is empty
			fd = queue.fds.front();
			queue.fds.pop_front();
		}
		if (serve(fd, st, id))
			answered++;
		else
			unanswered++;
		close(fd);
		n++;
	}
	std::printf("worker-%u: stopped, %u connection%s served\n", id, n,
	    n == 1 ? "" : "s");
}

// Runs after the last stage: every server thread has finished.
void
report()
{
	size_t left;
	{
		std::lock_guard lk(queue.lock);
		left = queue.fds.size();
	}
	unsigned n = accepted;
	std::printf("cxx_server: %u connection%s accepted, %u answered, "
	    "%u closed without a request, %zu left in the queue: %s\n",
	    n, n == 1 ? "" : "s", answered.load(), unanswered.load(), left,
	    n == answered + unanswered && left == 0 ?
	    "every accepted connection was handled" :
	    "ACCEPTED CONNECTIONS LOST");
}

// A non-blocking listening socket on 127.0.0.1:port; stores the port.
int
open_listener(unsigned short *port)
{
	sockaddr_in sin{};
	socklen_t sinlen = sizeof(sin);
	int one = 1;

	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0)
		fail("socket");
	sin.sin_family = AF_INET;
	sin.sin_port = htons(*port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
		fail("setsockopt");
	if (bind(fd, reinterpret_cast<sockaddr *>(&sin), sizeof(sin)) != 0)
		fail("bind");
	if (listen(fd, 64) != 0)
		fail("listen");
	if (getsockname(fd, reinterpret_cast<sockaddr *>(&sin), &sinlen) != 0)
		fail("getsockname");
	*port = ntohs(sin.sin_port);
	return fd;
}

}

int
main(int argc, char **argv)
{
	unsigned long arg = 0;
	char *end = nullptr;

	if (argc == 2)
		arg = std::strtoul(argv[1], &end, 10);
	if (argc > 2 || (argc == 2 && (*end != '\0' || arg > 65535))) {
		std::fprintf(stderr, "usage: cxx_server [port]\n");
		return EXIT_FAILURE;
	}
	unsigned short port = static_cast<unsigned short>(arg);
	int lfd = open_listener(&port);

	try {
		exeunt::trap_signal(SIGTERM);
		exeunt::trap_signal(SIGINT);
		exeunt::set_timeout(std::chrono::seconds(10),
		    EXEUNT_OVERRUN_PROCEED);
		exeunt::at_exit(report);

		std::vector<exeunt::thread> workers;
		for (unsigned i = 1; i <= nworkers; i++)
			workers.emplace_back(exeunt::options{
			    .name = "worker-" + std::to_string(i), .stage = 1},
			    worker, i);
		exeunt::thread accept_thread(exeunt::options{
		    .name = "listener", .stage = 0}, listener, lfd);

		std::printf("cxx_server: listening on 127.0.0.1:%u, pid %ld;"
		    " stop it with SIGTERM\n", port, static_cast<long>(getpid()));
		std::fflush(stdout);

		// Returns when the shutdown begins: main is not registered.
		exeunt::wait_stop();
		accept_thread.join();
		for (exeunt::thread &w : workers)
			w.join();
	} catch (const std::system_error &e) {
		std::fprintf(stderr, "cxx_server: %s\n", e.what());
		return EXIT_FAILURE;
	}
	return 0;
}
