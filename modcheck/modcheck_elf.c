/*
 * modcheck_elf.c - what a module file exports and what it calls.
 *
 * Reads the dynamic symbol table of the file, the table dlopen() and
 * dlsym() work from, before anything of the module runs.  A module exports
 * coffer_module_entry and nothing else (a helper it exports could be bound
 * in place of another's), and it must not call what belongs to the daemon
 * alone: ending the process, handling signals, changing its identity or its
 * working directory.  Calls are warnings, not failures: a module may link a
 * library that references one without ever calling it.
 */
#include "config.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coffer/module.h"
#include "modcheck.h"

struct mc_elf {
	const unsigned char	*base;
	size_t			 size;
};

static const struct {
	const char	*name;
	const char	*why;
} mc_forbidden[] = {
	{ "exit", "ends the daemon" },
	{ "_exit", "ends the daemon" },
	{ "_Exit", "ends the daemon" },
	{ "quick_exit", "ends the daemon" },
	{ "atexit", "runs code after the module is unloaded" },
	{ "at_quick_exit", "runs code after the module is unloaded" },
	{ "signal", "takes a signal from the daemon" },
	{ "sigaction", "takes a signal from the daemon" },
	{ "bsd_signal", "takes a signal from the daemon" },
	{ "fork", "forks the daemon with its keys" },
	{ "vfork", "forks the daemon with its keys" },
	{ "daemon", "detaches the daemon" },
	{ "system", "runs a shell inside the daemon" },
	{ "popen", "runs a shell inside the daemon" },
	{ "setuid", "changes the daemon's identity" },
	{ "seteuid", "changes the daemon's identity" },
	{ "setgid", "changes the daemon's identity" },
	{ "chdir", "changes the daemon's working directory" },
	{ "chroot", "changes the daemon's root" },
	{ "umask", "changes the mode of every file the daemon makes" },
	{ "setenv", "changes the environment other threads read" },
	{ "putenv", "changes the environment other threads read" },
	{ "unsetenv", "changes the environment other threads read" },
};

/* The section headers, or NULL when the file is not a shared object of
 * this machine's kind. */
static const ElfW(Shdr) *
mc_elf_sections(const struct mc_elf *e, size_t *n, char *why, size_t len)
{
	const ElfW(Ehdr) *h = (const void *)e->base;

	if (e->size < sizeof(*h) || memcmp(h->e_ident, ELFMAG, SELFMAG) != 0) {
		snprintf(why, len, "not an ELF file");
		return NULL;
	}
	if (h->e_ident[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 :
	    ELFCLASS32) || h->e_type != ET_DYN) {
		snprintf(why, len, "not a shared object for this machine "
		    "(build it with -shared or libtool's -module)");
		return NULL;
	}
	if (h->e_shentsize != sizeof(ElfW(Shdr)) || h->e_shoff > e->size ||
	    h->e_shnum > (e->size - h->e_shoff) / sizeof(ElfW(Shdr))) {
		snprintf(why, len, "damaged section table");
		return NULL;
	}
	*n = h->e_shnum;
	return (const void *)(e->base + h->e_shoff);
}

static int
mc_elf_in(const struct mc_elf *e, ElfW(Off) off, size_t size)
{
	return off <= e->size && size <= e->size - off;
}

static void
mc_elf_symbol(struct mc_report *r, const ElfW(Sym) *s, const char *name,
    int *entry, int *extra)
{
	int bind = s->st_info >> 4;	/* ELF32_ST_BIND = ELF64_ST_BIND */

	if (name[0] == '\0' || (bind != STB_GLOBAL && bind != STB_WEAK))
		return;
	if (s->st_shndx != SHN_UNDEF) {
		if (strcmp(name, COFFER_MODULE_ENTRY) == 0)
			*entry = 1;
		else if ((*extra)++ < 10)
			mc_report_warn(r, "exports %s: build with "
			    "-fvisibility=hidden and -export-symbols-regex "
			    "'^coffer_module_entry$'", name);
		return;
	}
	for (size_t i = 0; i < sizeof(mc_forbidden) / sizeof(*mc_forbidden);
	    i++) {
		if (strcmp(name, mc_forbidden[i].name) == 0)
			mc_report_warn(r, "calls %s(), which %s; a module "
			    "never does (coffer-modules(7))", name,
			    mc_forbidden[i].why);
	}
}

/* Walk the dynamic symbols: -1 with WHY when the table cannot be read. */
static int
mc_elf_symbols(const struct mc_elf *e, struct mc_report *r, int *entry,
    int *extra, char *why, size_t len)
{
	const ElfW(Shdr) *sh;
	size_t n;

	if ((sh = mc_elf_sections(e, &n, why, len)) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const ElfW(Shdr) *str;
		const ElfW(Sym) *sym;

		if (sh[i].sh_type != SHT_DYNSYM)
			continue;
		if (sh[i].sh_link >= n || !mc_elf_in(e, sh[i].sh_offset,
		    sh[i].sh_size) || !mc_elf_in(e, sh[sh[i].sh_link].sh_offset,
		    sh[sh[i].sh_link].sh_size)) {
			snprintf(why, len, "damaged dynamic symbol table");
			return -1;
		}
		str = &sh[sh[i].sh_link];
		sym = (const void *)(e->base + sh[i].sh_offset);
		for (size_t k = 1; k < sh[i].sh_size / sizeof(*sym); k++) {
			if (sym[k].st_name >= str->sh_size)
				continue;
			mc_elf_symbol(r, &sym[k], (const char *)e->base +
			    str->sh_offset + sym[k].st_name, entry, extra);
		}
		return 0;
	}
	snprintf(why, len, "no dynamic symbol table");
	return -1;
}

int
mc_elf_check(const char *path, struct mc_report *r)
{
	struct mc_elf e = { NULL, 0 };
	char why[256] = "";
	int fd, entry = 0, extra = 0, rc = -1;
	struct stat st;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(fd, &st) < 0) {
		snprintf(why, sizeof(why), "cannot open: %m");
	} else if (st.st_size == 0 || (e.base = mmap(NULL,
	    (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) ==
	    MAP_FAILED) {
		e.base = NULL;
		snprintf(why, sizeof(why), "cannot map: %s", st.st_size ?
		    "mmap failed" : "empty file");
	} else {
		e.size = (size_t)st.st_size;
		rc = mc_elf_symbols(&e, r, &entry, &extra, why, sizeof(why));
	}
	if (e.base != NULL)
		munmap((void *)e.base, e.size);
	if (fd >= 0)
		close(fd);
	if (rc == 0 && !entry) {
		snprintf(why, sizeof(why), "does not export %s (declare it "
		    "with COFFER_MODULE_EXPORT)", COFFER_MODULE_ENTRY);
		rc = -1;
	}
	if (rc == 0 && extra > 0) {
		snprintf(why, sizeof(why), "exports %d symbol%s besides %s",
		    extra, extra > 1 ? "s" : "", COFFER_MODULE_ENTRY);
		rc = -1;
	}
	if (rc < 0)
		mc_report_fail(r, "symbols", why);
	else
		mc_report_ok(r, "symbols", "exports %s only",
		    COFFER_MODULE_ENTRY);
	return rc;
}
