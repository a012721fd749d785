/*
 * modconf.h - struct coffer_conf: a module entry's settings, checked against
 * the module's option table and read through the host accessors.
 */
#ifndef COFFER_MODCONF_H
#define COFFER_MODCONF_H

#include <libconfig.h>
#include <limits.h>

#include "coffer/module.h"

struct coffer_conf {
	const config_setting_t		*group;
	const struct coffer_option	*options;
	const char			*module;	/* for messages */
	char				 where[PATH_MAX + 16];
};

void	 modconf_init(struct coffer_conf *c, const config_setting_t *group,
	    const struct coffer_option *options, const char *module);
/* Check every key against the option table, logging each problem with
 * FILE:LINE.  Returns 0, or -1 if anything is wrong. */
int	 modconf_check(const struct coffer_conf *c);

const char *modconf_string(const struct coffer_conf *c, const char *key,
	    const char *def);
int64_t	 modconf_int(const struct coffer_conf *c, const char *key,
	    int64_t def);
int	 modconf_bool(const struct coffer_conf *c, const char *key, int def);
size_t	 modconf_count(const struct coffer_conf *c, const char *key);
const char *modconf_item(const struct coffer_conf *c, const char *key,
	    size_t index);
const char *modconf_where(const struct coffer_conf *c, const char *key);

#endif
