/*
 * Which exit() the program calls: linked with -lexeunt, the symbol that
 * the program's own lookup finds, and the one its calls are bound to,
 * are libexeunt's (version node EXEUNT_EXIT), not the C library's.  Says
 * the file name of each, up to ".so".
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

#include <dlfcn.h>

static void
say_object(const char *what, void *addr)
{
	Dl_info info;
	const char *base, *so;

	if (addr == NULL || dladdr(addr, &info) == 0 ||
	    info.dli_fname == NULL) {
		say("%s: not found\n", what);
		return;
	}
	base = strrchr(info.dli_fname, '/');
	base = base != NULL ? base + 1 : info.dli_fname;
	so = strstr(base, ".so");
	say("%s: %.*s\n", what,
	    (int)(so != NULL ? (size_t)(so - base) : strlen(base)), base);
}

int
main(void)
{
	void (*fn)(int) = exit;

	say_object("dlsym", dlsym(RTLD_DEFAULT, "exit"));
	say_object("call", (void *)fn);
	return 0;
}
