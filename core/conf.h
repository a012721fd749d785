/*
 * conf.h - cofferd.conf: the daemon's own settings and the module entries.
 *
 * The file is libconfig syntax (with @include).  Every top-level key is
 * checked against a table: an unknown key, a wrong type or a missing
 * required key is reported as "FILE:LINE: message" through the log, and
 * conf_load() fails.  include_dir names a directory of drop-ins (see
 * confdir.h), read after the file: each may set keys the others leave
 * unset, and append entries to the auth stack.  The settings of each
 * module entry are checked later, against the module's own option table,
 * once the module is loaded (modconf.c).
 *
 * The file, and every file it includes, must be safe from others (see
 * pathsafe.h): whoever can change the config decides who gets in.
 */
#ifndef COFFER_CONF_H
#define COFFER_CONF_H

#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>

#include "coffer/module.h"
#include "stack.h"

#define CONF_DEFAULT_WORKERS		8
#define CONF_DEFAULT_MAX_REQUEST	(1024 * 1024)
#define CONF_DEFAULT_MAX_DEPTH		32
#define CONF_DEFAULT_QUEUE		4096
#define CONF_MAX_AUTH			16
#define CONF_MAX_KEYS			16

/* One module entry: the store group, or one group of the auth list. */
struct conf_entry {
	const char	*module;	/* bare name or absolute path */
	enum control	 control;	/* auth entries only */
	config_setting_t *group;	/* the whole group, for modconf */
	char		*where;		/* "FILE:LINE" of the group */
};

/* The "policy" group: see policy.h. */
#define POLICY_MAX_PREFIXES	64
struct policy {
	int		 narrowed;	/* a policy group is configured */
	const char	*write[POLICY_MAX_PREFIXES];
	size_t		 nwrite;
	const char	*read[POLICY_MAX_PREFIXES];
	size_t		 nread;
};

struct conf {
	config_t	 cfg;
	char		*path;
	const char	*include_dir;	/* drop-ins, or NULL */
	config_t	*dropin;	/* its files, read after cfg */
	size_t		 ndropin;
	const char	*listen;
	const char	*server_key;
	const char	*module_dir;	/* NULL: the built-in default */
	const char	*keyring[CONF_MAX_KEYS];	/* newest first */
	const char	*audit_log;	/* NULL: no audit log */
	const char	*user;		/* NULL: stay who we were started as */
	const char	*group;		/* NULL: the user's primary group */
	struct policy	 policy;
	int		 audit_fail_closed;
	size_t		 nkeyring;
	int		 workers;
	int		 inline_reads;	/* reads on the I/O thread when the
					 * modules allow it (server.c) */
	int		 queue_max;
	size_t		 max_request;
	int		 max_depth;
	enum coffer_log_level log_level;
	int		 log_level_set;
	struct conf_entry store;
	struct conf_entry auth[CONF_MAX_AUTH];
	size_t		 nauth;
};

/* Load and check PATH into C.  Every problem is logged; returns 0 or -1.
 * On -1, C is left empty and conf_free() is still safe to call. */
int	 conf_load(struct conf *c, const char *path);
void	 conf_free(struct conf *c);

/* "FILE:LINE" of a setting, in BUF. */
const char *conf_where(const config_setting_t *s, char *buf, size_t len);

#endif
