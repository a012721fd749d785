/*
 * loader.h - find, check and dlopen one module file.
 *
 * A bare name ("store_fs") is looked up as MODULEDIR/store_fs.so, where
 * MODULEDIR is $COFFER_MODULEDIR if set (for tests), else the config's
 * module_dir, else the build-time default.  An absolute path is used as is.
 * The caller checks the file with pathsafe_check() (sshd's StrictModes).
 * Then dlopen(RTLD_NOW | RTLD_LOCAL), the entry symbol, and the ABI handshake.
 */
#ifndef COFFER_LOADER_H
#define COFFER_LOADER_H

#include <stddef.h>

#include "coffer/module.h"

#define LOADER_ERR_MAX	1024

struct loaded {
	char			*path;		/* resolved, absolute */
	void			*handle;
	const struct coffer_module *desc;
	struct coffer_host	 host;		/* this module's host table */
	int			 inited;	/* init() succeeded */
	int			 refs;		/* open instances */
	struct loaded		*next;
};

/* The module directory in effect for CONF_DIR (NULL: none configured). */
const char *loader_moduledir(const char *conf_dir);

/* NAME matches [a-z][a-z0-9_]*, at most 64 bytes: a module's name, or a
 * setting's in its table. */
int	 loader_name_ok(const char *name);
/* Resolve NAME to an absolute path in PATH (PATH_MAX bytes). */
int	 loader_resolve(const char *name, const char *moduledir, char *path,
	    char *err);
/* dlopen PATH, call its entry point and check what it returns. */
struct loaded *loader_open(const char *path, char *err);
/* dlclose and free; call fini() first if init() had succeeded. */
void	 loader_close(struct loaded *m);

#endif
