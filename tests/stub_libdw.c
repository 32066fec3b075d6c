/*
 * A stand-in for libdw in the test suite's fully static program
 * (scenario_xr_static_wrap), where the system's static libdw cannot be
 * linked: Debian 13's libelf.a needs libeu, which Debian does not ship.
 * dwfl_begin() fails, so call stacks are listed with the names dladdr()
 * finds; that program tests exit(), not stacks.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include <elfutils/libdwfl.h>
#include <stddef.h>

Dwfl *
dwfl_begin(const Dwfl_Callbacks *callbacks)
{
	(void)callbacks;
	return NULL;
}

void
dwfl_end(Dwfl *dwfl)
{
	(void)dwfl;
}

void
dwfl_report_begin(Dwfl *dwfl)
{
	(void)dwfl;
}

int
dwfl_linux_proc_report(Dwfl *dwfl, pid_t pid)
{
	(void)dwfl;
	(void)pid;
	return -1;
}

int
dwfl_report_end(Dwfl *dwfl, int (*removed)(Dwfl_Module *, void *,
    const char *, Dwarf_Addr, void *), void *arg)
{
	(void)dwfl;
	(void)removed;
	(void)arg;
	return -1;
}

Dwfl_Module *
dwfl_addrmodule(Dwfl *dwfl, Dwarf_Addr address)
{
	(void)dwfl;
	(void)address;
	return NULL;
}

const char *
dwfl_module_addrinfo(Dwfl_Module *mod, GElf_Addr address, GElf_Off *offset,
    GElf_Sym *sym, GElf_Word *shndxp, Elf **elfp, Dwarf_Addr *bias)
{
	(void)mod;
	(void)address;
	(void)offset;
	(void)sym;
	(void)shndxp;
	(void)elfp;
	(void)bias;
	return NULL;
}

const char *
dwfl_module_info(Dwfl_Module *mod, void ***userdata, Dwarf_Addr *start,
    Dwarf_Addr *end, Dwarf_Addr *dwbias, Dwarf_Addr *symbias,
    const char **mainfile, const char **debugfile)
{
	(void)mod;
	(void)userdata;
	(void)start;
	(void)end;
	(void)dwbias;
	(void)symbias;
	(void)mainfile;
	(void)debugfile;
	return NULL;
}

Dwfl_Line *
dwfl_module_getsrc(Dwfl_Module *mod, Dwarf_Addr addr)
{
	(void)mod;
	(void)addr;
	return NULL;
}

const char *
dwfl_lineinfo(Dwfl_Line *line, Dwarf_Addr *addr, int *linep, int *colp,
    Dwarf_Word *mtime, Dwarf_Word *length)
{
	(void)line;
	(void)addr;
	(void)linep;
	(void)colp;
	(void)mtime;
	(void)length;
	return NULL;
}

int
dwfl_module_build_id(Dwfl_Module *mod, const unsigned char **bits,
    GElf_Addr *vaddr)
{
	(void)mod;
	(void)bits;
	(void)vaddr;
	return -1;
}

int
dwfl_linux_proc_find_elf(Dwfl_Module *mod, void **userdata,
    const char *module_name, Dwarf_Addr base, char **file_name, Elf **elfp)
{
	(void)mod;
	(void)userdata;
	(void)module_name;
	(void)base;
	(void)file_name;
	(void)elfp;
	return -1;
}
