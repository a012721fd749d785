/*
 * modconf.c - module settings: checked against the module's declared options
 * before open(), then read by the module through the host table.
 */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "log.h"
#include "modconf.h"

/* Keys of a module entry that the daemon reads itself. */
static const char *const modconf_reserved[] = { "module", "control" };

void
modconf_init(struct coffer_conf *c, const config_setting_t *group,
    const struct coffer_option *options, const char *module)
{
	c->group = group;
	c->options = options;
	c->module = module;
	c->where[0] = '\0';
}

static int
modconf_is_reserved(const char *key)
{
	for (size_t i = 0; i < sizeof(modconf_reserved) /
	    sizeof(*modconf_reserved); i++) {
		if (strcmp(key, modconf_reserved[i]) == 0)
			return 1;
	}
	return 0;
}

static const struct coffer_option *
modconf_option(const struct coffer_conf *c, const char *key)
{
	for (const struct coffer_option *o = c->options;
	    o != NULL && o->name != NULL; o++) {
		if (strcmp(o->name, key) == 0)
			return o;
	}
	return NULL;
}

static int
modconf_list_ok(const config_setting_t *s)
{
	int n = config_setting_length(s);

	for (int i = 0; i < n; i++) {
		if (config_setting_type(config_setting_get_elem(s,
		    (unsigned)i)) != CONFIG_TYPE_STRING)
			return 0;
	}
	return 1;
}

static int
modconf_type_ok(enum coffer_option_type type, const config_setting_t *s)
{
	int have = config_setting_type(s);

	switch (type) {
	case COFFER_OPT_STRING:
		return have == CONFIG_TYPE_STRING;
	case COFFER_OPT_INT:
		return have == CONFIG_TYPE_INT || have == CONFIG_TYPE_INT64;
	case COFFER_OPT_BOOL:
		return have == CONFIG_TYPE_BOOL;
	case COFFER_OPT_LIST:
		return (have == CONFIG_TYPE_ARRAY || have == CONFIG_TYPE_LIST)
		    && modconf_list_ok(s);
	}
	return 0;
}

static const char *
modconf_type_name(enum coffer_option_type type)
{
	switch (type) {
	case COFFER_OPT_STRING:	return "a string";
	case COFFER_OPT_INT:	return "an integer";
	case COFFER_OPT_BOOL:	return "true or false";
	case COFFER_OPT_LIST:	return "a list of strings";
	}
	return "?";
}

static int
modconf_check_member(const struct coffer_conf *c, const config_setting_t *s)
{
	const char *key = config_setting_name(s);
	const struct coffer_option *o;
	char where[PATH_MAX + 16];

	if (modconf_is_reserved(key))
		return 0;
	o = modconf_option(c, key);
	if (o == NULL) {
		log_error("%s: unknown key '%s' for module %s",
		    conf_where(s, where, sizeof(where)), key, c->module);
		return -1;
	}
	if (!modconf_type_ok(o->type, s)) {
		log_error("%s: '%s' of module %s must be %s",
		    conf_where(s, where, sizeof(where)), key, c->module,
		    modconf_type_name(o->type));
		return -1;
	}
	return 0;
}

int
modconf_check(const struct coffer_conf *c)
{
	int n = config_setting_length(c->group), rc = 0;
	char where[PATH_MAX + 16];

	for (int i = 0; i < n; i++) {
		if (modconf_check_member(c, config_setting_get_elem(c->group,
		    (unsigned)i)) < 0)
			rc = -1;
	}
	for (const struct coffer_option *o = c->options;
	    o != NULL && o->name != NULL; o++) {
		if ((o->flags & COFFER_OPT_REQUIRED) &&
		    config_setting_get_member(c->group, o->name) == NULL) {
			log_error("%s: module %s needs '%s' (%s)",
			    conf_where(c->group, where, sizeof(where)),
			    c->module, o->name, o->help != NULL ? o->help :
			    modconf_type_name(o->type));
			rc = -1;
		}
	}
	return rc;
}

/* The member KEY if the module declared it with TYPE; NULL if absent. */
static const config_setting_t *
modconf_get(const struct coffer_conf *c, const char *key,
    enum coffer_option_type type)
{
	const struct coffer_option *o = modconf_option(c, key);

	if (o == NULL || o->type != type) {
		log_warn("module %s reads option '%s' it did not declare as "
		    "%s: a bug in the module", c->module, key,
		    modconf_type_name(type));
		return NULL;
	}
	return config_setting_get_member(c->group, key);
}

const char *
modconf_string(const struct coffer_conf *c, const char *key, const char *def)
{
	const config_setting_t *s = modconf_get(c, key, COFFER_OPT_STRING);

	return s != NULL ? config_setting_get_string(s) : def;
}

int64_t
modconf_int(const struct coffer_conf *c, const char *key, int64_t def)
{
	const config_setting_t *s = modconf_get(c, key, COFFER_OPT_INT);

	return s != NULL ? (int64_t)config_setting_get_int64(s) : def;
}

int
modconf_bool(const struct coffer_conf *c, const char *key, int def)
{
	const config_setting_t *s = modconf_get(c, key, COFFER_OPT_BOOL);

	return s != NULL ? config_setting_get_bool(s) : def;
}

size_t
modconf_count(const struct coffer_conf *c, const char *key)
{
	const config_setting_t *s = modconf_get(c, key, COFFER_OPT_LIST);

	return s != NULL ? (size_t)config_setting_length(s) : 0;
}

const char *
modconf_item(const struct coffer_conf *c, const char *key, size_t index)
{
	const config_setting_t *s = modconf_get(c, key, COFFER_OPT_LIST);

	if (s == NULL || index >= (size_t)config_setting_length(s))
		return NULL;
	return config_setting_get_string_elem(s, (int)index);
}

const char *
modconf_where(const struct coffer_conf *c, const char *key)
{
	const config_setting_t *s = NULL;
	struct coffer_conf *w = (struct coffer_conf *)c;

	if (key != NULL)
		s = config_setting_get_member(c->group, key);
	return conf_where(s != NULL ? s : c->group, w->where,
	    sizeof(w->where));
}
