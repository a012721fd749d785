/*
 * loader.c - dlopen a module file safely and check its ABI.
 */
#include "config.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "xalloc.h"

#define LOADER_ERR(err, ...) snprintf((err), LOADER_ERR_MAX, __VA_ARGS__)

/* What ABI 1.0 store modules have: everything before replace(). */
#define LOADER_STORE_OPS_1_0	offsetof(struct coffer_store_ops, replace)
/* What ABI 1.0 and 1.1 module descriptions have: everything before flags. */
#define LOADER_MODULE_1_0	offsetof(struct coffer_module, flags)

const char *
loader_moduledir(const char *conf_dir)
{
	const char *env = getenv("COFFER_MODULEDIR");

	if (env != NULL && env[0] != '\0')
		return env;
	if (conf_dir != NULL)
		return conf_dir;
	return MODULEDIR;
}

int
loader_name_ok(const char *name)
{
	if (!islower((unsigned char)name[0]))
		return 0;
	for (const char *p = name; *p != '\0'; p++) {
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p)
		    && *p != '_')
			return 0;
	}
	return strlen(name) <= 64;
}

int
loader_resolve(const char *name, const char *moduledir, char *path,
    char *err)
{
	int n;

	if (name[0] == '/') {
		n = snprintf(path, PATH_MAX, "%s", name);
	} else if (loader_name_ok(name)) {
		n = snprintf(path, PATH_MAX, "%s/%s.so", moduledir, name);
	} else {
		LOADER_ERR(err, "not a module name ([a-z][a-z0-9_]*) nor an "
		    "absolute path");
		return -1;
	}
	if (n < 0 || n >= PATH_MAX) {
		LOADER_ERR(err, "path too long");
		return -1;
	}
	return 0;
}

static int
loader_check_ops(const struct coffer_module *d, char *err)
{
	if (d->open == NULL || d->close == NULL) {
		LOADER_ERR(err, "module has no open() or close()");
		return -1;
	}
	if (d->kind == COFFER_KIND_STORE) {
		const struct coffer_store_ops *s = d->store;

		if (s == NULL || s->struct_size < LOADER_STORE_OPS_1_0 ||
		    s->limits == NULL || s->put == NULL || s->get == NULL ||
		    s->list == NULL || s->revisions == NULL ||
		    s->remove == NULL) {
			LOADER_ERR(err, "store module lacks store operations");
			return -1;
		}
		return 0;
	}
	if (d->kind == COFFER_KIND_AUTH) {
		if (d->auth == NULL || d->auth->struct_size <
		    sizeof(*d->auth) || d->auth->authenticate == NULL) {
			LOADER_ERR(err, "auth module lacks authenticate()");
			return -1;
		}
		return 0;
	}
	LOADER_ERR(err, "unknown module kind %d", (int)d->kind);
	return -1;
}

static int
loader_check_desc(const struct coffer_module *d, char *err)
{
	if (d == NULL) {
		LOADER_ERR(err, COFFER_MODULE_ENTRY "() returned NULL");
		return -1;
	}
	if (d->abi_major != COFFER_ABI_MAJOR) {
		LOADER_ERR(err, "module ABI %u.%u, daemon ABI %u.%u: "
		    "different major version; rebuild the module",
		    d->abi_major, d->abi_minor, COFFER_ABI_MAJOR,
		    COFFER_ABI_MINOR);
		return -1;
	}
	if (d->abi_minor > COFFER_ABI_MINOR) {
		LOADER_ERR(err, "module ABI %u.%u is newer than the daemon's "
		    "%u.%u; upgrade cofferd", d->abi_major, d->abi_minor,
		    COFFER_ABI_MAJOR, COFFER_ABI_MINOR);
		return -1;
	}
	if (d->struct_size < LOADER_MODULE_1_0) {
		LOADER_ERR(err, "module description is %u bytes, ABI %u.%u "
		    "needs %zu", d->struct_size, d->abi_major, d->abi_minor,
		    (size_t)LOADER_MODULE_1_0);
		return -1;
	}
	if (d->name == NULL || !loader_name_ok(d->name)) {
		LOADER_ERR(err, "module has no valid name");
		return -1;
	}
	return loader_check_ops(d, err);
}

struct loaded *
loader_open(const char *path, char *err)
{
	coffer_module_entry_fn entry;
	struct loaded *m;
	void *h;

	dlerror();
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		LOADER_ERR(err, "dlopen failed: %s", dlerror());
		return NULL;
	}
	*(void **)&entry = dlsym(h, COFFER_MODULE_ENTRY);
	if (entry == NULL) {
		LOADER_ERR(err, "no entry symbol " COFFER_MODULE_ENTRY
		    " (not a coffer module?)");
		dlclose(h);
		return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	m->handle = h;
	m->path = xstrdup(path);
	m->desc = entry();
	if (loader_check_desc(m->desc, err) < 0) {
		loader_close(m);
		return NULL;
	}
	return m;
}

void
loader_close(struct loaded *m)
{
	if (m == NULL)
		return;
	if (m->inited && m->desc->fini != NULL)
		m->desc->fini();
	dlclose(m->handle);
	free(m->path);
	free(m);
}
