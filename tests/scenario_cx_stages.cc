/*
 * options::stage (C++20): threads of stages -1, 0 and 1, made in a mixed
 * order, one of them (F) by a thread of stage 1 without a stage of its
 * own, so in stage 1 too, and one (G) by main with the default options,
 * so in stage 0.  At exit their tokens are stopped stage by stage, the
 * lowest first, and newest first within a stage; the stop callbacks say
 * so in the thread that requests the stops.  First the stages that
 * stage() reports.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "cxx_scenario.h"

#include <optional>

namespace {

struct sc_count made = SC_COUNT_INIT;
struct sc_count ready = SC_COUNT_INIT;	/* callbacks in place */
std::optional<exeunt::thread> a, b, c, d, e, f, g;

/* Says "stop NAME" from the stop request, and ends only once it has. */
void
waits(std::stop_token st, const char *name)
{
	cx_until_own_callback(st, &ready, [name] { say("stop %s\n", name); });
}

exeunt::options
staged(const char *name, int stage)
{
	return exeunt::options{.name = name, .stage = stage};
}

}

int
main()
{
	a.emplace(staged("A", 1), [](std::stop_token st) {
		f.emplace(exeunt::options{.name = "F"}, waits, "F");
		count_up(&made);
		waits(st, "A");
	});
	count_wait(&made, 1);
	b.emplace(staged("B", 0), waits, "B");
	c.emplace(staged("C", 1), waits, "C");
	d.emplace(staged("D", -1), waits, "D");
	e.emplace(staged("E", 0), waits, "E");
	g.emplace(waits, "G");
	say("stages: A %d, B %d, C %d, D %d, E %d, F %d, G %d\n", a->stage(),
	    b->stage(), c->stage(), d->stage(), e->stage(), f->stage(),
	    g->stage());
	count_wait(&ready, 7);
	return 0;
}
