/*
 * conf.c - load cofferd.conf and check every key it holds.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "confdir.h"
#include "log.h"
#include "pathsafe.h"
#include "xalloc.h"

struct conf_key {
	const char	*name;
	int		 type;		/* CONFIG_TYPE_*, INT covers INT64 */
	int		 required;
	int		(*apply)(struct conf *, const config_setting_t *);
};

const char *
conf_where(const config_setting_t *s, char *buf, size_t len)
{
	const char *file = config_setting_source_file(s);

	snprintf(buf, len, "%s:%u", file != NULL ? file : "?",
	    config_setting_source_line(s));
	return buf;
}

static void
conf_error(const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
conf_error(const config_setting_t *s, const char *fmt, ...)
{
	char where[PATH_MAX + 16], msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("%s: %s", conf_where(s, where, sizeof(where)), msg);
}

static const char *
conf_type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:		return "a group { ... }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:		return "an integer";
	case CONFIG_TYPE_FLOAT:		return "a number";
	case CONFIG_TYPE_STRING:	return "a string";
	case CONFIG_TYPE_BOOL:		return "true or false";
	case CONFIG_TYPE_ARRAY:		return "an array [ ... ]";
	case CONFIG_TYPE_LIST:		return "a list ( ... )";
	}
	return "unknown";
}

static int
conf_type_ok(int want, int have)
{
	if (want == CONFIG_TYPE_INT)
		return have == CONFIG_TYPE_INT || have == CONFIG_TYPE_INT64;
	return want == have;
}

static int
conf_int_range(const config_setting_t *s, long long lo, long long hi,
    long long *val_r)
{
	long long v = config_setting_get_int64(s);

	if (v < lo || v > hi) {
		conf_error(s, "'%s' must be between %lld and %lld, not %lld",
		    config_setting_name(s), lo, hi, v);
		return -1;
	}
	*val_r = v;
	return 0;
}

static int
conf_apply_listen(struct conf *c, const config_setting_t *s)
{
	c->listen = config_setting_get_string(s);
	if (strncmp(c->listen, "tcp://", 6) != 0 &&
	    strncmp(c->listen, "ipc://", 6) != 0) {
		conf_error(s, "'listen' must be a tcp:// or ipc:// endpoint, "
		    "not \"%s\"", c->listen);
		return -1;
	}
	return 0;
}

static int
conf_apply_server_key(struct conf *c, const config_setting_t *s)
{
	c->server_key = config_setting_get_string(s);
	return 0;
}

static int
conf_apply_name(const config_setting_t *s, const char **out)
{
	const char *v = config_setting_get_string(s);

	if (v[0] == '\0' || strlen(v) > 32 || strchr(v, ':') != NULL) {
		conf_error(s, "'%s' must name a user or group, not \"%s\"",
		    config_setting_name(s), v);
		return -1;
	}
	*out = v;
	return 0;
}

static int
conf_apply_user(struct conf *c, const config_setting_t *s)
{
	return conf_apply_name(s, &c->user);
}

static int
conf_apply_group(struct conf *c, const config_setting_t *s)
{
	return conf_apply_name(s, &c->group);
}

static int
conf_apply_module_dir(struct conf *c, const config_setting_t *s)
{
	c->module_dir = config_setting_get_string(s);
	if (c->module_dir[0] != '/') {
		conf_error(s, "'module_dir' must be an absolute path");
		return -1;
	}
	return 0;
}

static int
conf_apply_include_dir(struct conf *c, const config_setting_t *s)
{
	c->include_dir = config_setting_get_string(s);
	if (c->include_dir[0] == '\0') {
		conf_error(s, "'include_dir' must name a directory");
		return -1;
	}
	return 0;
}

static int
conf_apply_keyring(struct conf *c, const config_setting_t *s)
{
	int n = config_setting_length(s);

	if (n == 0 || n > CONF_MAX_KEYS) {
		conf_error(s, "'keyring' lists 1 to %d master key files, newest "
		    "first", CONF_MAX_KEYS);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s,
		    (unsigned)i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING ||
		    config_setting_get_string(e)[0] != '/') {
			conf_error(e, "'keyring' entries must be absolute "
			    "paths of master key files");
			return -1;
		}
		c->keyring[c->nkeyring++] = config_setting_get_string(e);
	}
	return 0;
}

static int
conf_apply_audit_log(struct conf *c, const config_setting_t *s)
{
	c->audit_log = config_setting_get_string(s);
	if (c->audit_log[0] != '/') {
		conf_error(s, "'audit_log' must be an absolute path");
		return -1;
	}
	return 0;
}

static int
conf_apply_audit_failure(struct conf *c, const config_setting_t *s)
{
	const char *word = config_setting_get_string(s);

	if (strcmp(word, "deny") == 0)
		c->audit_fail_closed = 1;
	else if (strcmp(word, "log") == 0)
		c->audit_fail_closed = 0;
	else {
		conf_error(s, "'audit_failure' must be \"deny\" (refuse the "
		    "request) or \"log\" (log and carry on), not \"%s\"",
		    word);
		return -1;
	}
	return 0;
}

/* One list of the policy group: principal name prefixes. */
static int
conf_policy_list(const config_setting_t *group, const char *key,
    const char **out, size_t *n)
{
	const config_setting_t *s = config_setting_get_member(group, key);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY ||
	    config_setting_length(s) > POLICY_MAX_PREFIXES) {
		conf_error(s, "'policy.%s' must be an array of at most %d name "
		    "prefixes", key, POLICY_MAX_PREFIXES);
		return -1;
	}
	for (int i = 0; i < config_setting_length(s); i++) {
		const char *v = config_setting_get_string_elem(s, i);

		if (v == NULL) {
			conf_error(s, "'policy.%s' holds strings only", key);
			return -1;
		}
		out[(*n)++] = v;
	}
	return 0;
}

static int
conf_apply_policy(struct conf *c, const config_setting_t *s)
{
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *m = config_setting_get_elem(s,
		    (unsigned)i);

		if (strcmp(config_setting_name(m), "write") != 0 &&
		    strcmp(config_setting_name(m), "read") != 0) {
			conf_error(m, "unknown key 'policy.%s' (write, read)",
			    config_setting_name(m));
			return -1;
		}
	}
	c->policy.narrowed = 1;
	return conf_policy_list(s, "write", c->policy.write,
	    &c->policy.nwrite) | conf_policy_list(s, "read", c->policy.read,
	    &c->policy.nread);
}

static int
conf_apply_workers(struct conf *c, const config_setting_t *s)
{
	long long v;

	if (conf_int_range(s, 0, 256, &v) < 0)
		return -1;
	c->workers = (int)v;
	return 0;
}

static int
conf_apply_inline_reads(struct conf *c, const config_setting_t *s)
{
	c->inline_reads = config_setting_get_bool(s);
	return 0;
}

static int
conf_apply_queue(struct conf *c, const config_setting_t *s)
{
	long long v;

	if (conf_int_range(s, 16, 1000000, &v) < 0)
		return -1;
	c->queue_max = (int)v;
	return 0;
}

static int
conf_apply_max_request(struct conf *c, const config_setting_t *s)
{
	long long v;

	if (conf_int_range(s, 1024, 64LL * 1024 * 1024, &v) < 0)
		return -1;
	c->max_request = (size_t)v;
	return 0;
}

static int
conf_apply_max_depth(struct conf *c, const config_setting_t *s)
{
	long long v;

	if (conf_int_range(s, 2, 256, &v) < 0)
		return -1;
	c->max_depth = (int)v;
	return 0;
}

static int
conf_apply_log_level(struct conf *c, const config_setting_t *s)
{
	const char *word = config_setting_get_string(s);

	if (log_level_parse(word, &c->log_level) < 0) {
		conf_error(s, "'log_level' must be error, warning, notice, "
		    "info or debug, not \"%s\"", word);
		return -1;
	}
	c->log_level_set = 1;
	return 0;
}

/* The keys of a module entry that belong to the daemon. */
static int
conf_entry_load(struct conf_entry *e, const config_setting_t *group,
    int is_auth)
{
	char where[PATH_MAX + 16];
	const char *control = NULL;

	e->group = (config_setting_t *)group;
	e->where = xstrdup(conf_where(group, where, sizeof(where)));
	if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
		conf_error(group, "a module entry must be a group "
		    "{ module = \"...\"; ... }");
		return -1;
	}
	if (config_setting_lookup_string(group, "module", &e->module) !=
	    CONFIG_TRUE) {
		conf_error(group, "module entry needs 'module', a string");
		return -1;
	}
	if (config_setting_lookup_string(group, "control", &control) ==
	    CONFIG_TRUE) {
		if (!is_auth) {
			conf_error(config_setting_get_member(group, "control"),
			    "'control' belongs to auth entries, not the store");
			return -1;
		}
		if (control_parse(control, &e->control) < 0) {
			conf_error(config_setting_get_member(group, "control"),
			    "'control' must be required, requisite, "
			    "sufficient or optional, not \"%s\"", control);
			return -1;
		}
	} else if (is_auth) {
		conf_error(group, "auth entry for '%s' needs 'control' "
		    "(required, requisite, sufficient or optional)",
		    e->module);
		return -1;
	}
	return 0;
}

static int
conf_apply_store(struct conf *c, const config_setting_t *s)
{
	return conf_entry_load(&c->store, s, 0);
}

static int
conf_apply_auth(struct conf *c, const config_setting_t *s)
{
	int n = config_setting_length(s), rc = 0;

	if (n == 0) {
		conf_error(s, "'auth' needs at least one module entry");
		return -1;
	}
	if (c->nauth + (size_t)n > CONF_MAX_AUTH) {
		conf_error(s, "'auth' makes a stack of %zu entries; at most %d "
		    "are allowed", c->nauth + (size_t)n, CONF_MAX_AUTH);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (conf_entry_load(&c->auth[c->nauth++],
		    config_setting_get_elem(s, (unsigned)i), 1) < 0)
			rc = -1;
	}
	return rc;
}

static const struct conf_key conf_keys[] = {
	{ "audit_failure",     CONFIG_TYPE_STRING, 0, conf_apply_audit_failure },
	{ "audit_log",	       CONFIG_TYPE_STRING, 0, conf_apply_audit_log },
	{ "auth",	       CONFIG_TYPE_LIST,   1, conf_apply_auth },
	{ "group",	       CONFIG_TYPE_STRING, 0, conf_apply_group },
	{ "include_dir",       CONFIG_TYPE_STRING, 0, conf_apply_include_dir },
	{ "inline_reads",      CONFIG_TYPE_BOOL,   0, conf_apply_inline_reads },
	{ "keyring",	       CONFIG_TYPE_ARRAY,  0, conf_apply_keyring },
	{ "listen",	       CONFIG_TYPE_STRING, 1, conf_apply_listen },
	{ "log_level",	       CONFIG_TYPE_STRING, 0, conf_apply_log_level },
	{ "max_json_depth",    CONFIG_TYPE_INT,    0, conf_apply_max_depth },
	{ "max_request_bytes", CONFIG_TYPE_INT,    0, conf_apply_max_request },
	{ "module_dir",	       CONFIG_TYPE_STRING, 0, conf_apply_module_dir },
	{ "policy",	       CONFIG_TYPE_GROUP,  0, conf_apply_policy },
	{ "queue_max",	       CONFIG_TYPE_INT,    0, conf_apply_queue },
	{ "server_key",	       CONFIG_TYPE_STRING, 1, conf_apply_server_key },
	{ "store",	       CONFIG_TYPE_GROUP,  1, conf_apply_store },
	{ "user",	       CONFIG_TYPE_STRING, 0, conf_apply_user },
	{ "workers",	       CONFIG_TYPE_INT,    0, conf_apply_workers },
};
#define CONF_NKEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

static const struct conf_key *
conf_key_find(const char *name)
{
	for (size_t i = 0; i < CONF_NKEYS; i++) {
		if (strcmp(conf_keys[i].name, name) == 0)
			return &conf_keys[i];
	}
	return NULL;
}

/*
 * Where each top-level key was set, across cofferd.conf and its drop-ins:
 * a key may be set once, except "auth", whose entries each file appends
 * to the stack.
 */
struct conf_seen {
	const config_setting_t *at[CONF_NKEYS];
};

static int
conf_check_setting(struct conf *c, const config_setting_t *s,
    struct conf_seen *seen, int is_main)
{
	const struct conf_key *k = conf_key_find(config_setting_name(s));
	char where[PATH_MAX + 16];
	size_t i;

	if (k == NULL) {
		conf_error(s, "unknown key '%s'", config_setting_name(s));
		return -1;
	}
	i = (size_t)(k - conf_keys);
	if (!is_main && strcmp(k->name, "include_dir") == 0) {
		conf_error(s, "'include_dir' belongs in the main "
		    "configuration file, not in a drop-in");
		return -1;
	}
	if (seen->at[i] != NULL && strcmp(k->name, "auth") != 0) {
		conf_error(s, "'%s' is set already at %s", k->name,
		    conf_where(seen->at[i], where, sizeof(where)));
		return -1;
	}
	if (!conf_type_ok(k->type, config_setting_type(s))) {
		conf_error(s, "'%s' must be %s, not %s", k->name,
		    conf_type_name(k->type),
		    conf_type_name(config_setting_type(s)));
		return -1;
	}
	seen->at[i] = s;
	return k->apply(c, s);
}

/* Apply every top-level setting of one file. */
static int
conf_check_file(struct conf *c, const config_t *cfg, struct conf_seen *seen,
    int is_main)
{
	const config_setting_t *root = config_root_setting(cfg);
	int n = config_setting_length(root), rc = 0;

	for (int i = 0; i < n; i++) {
		if (conf_check_setting(c, config_setting_get_elem(root,
		    (unsigned)i), seen, is_main) < 0)
			rc = -1;
	}
	return rc;
}

static int
conf_check_required(const struct conf *c, const struct conf_seen *seen)
{
	int rc = 0;

	for (size_t i = 0; i < CONF_NKEYS; i++) {
		if (conf_keys[i].required && seen->at[i] == NULL) {
			log_error("%s: missing required key '%s'", c->path,
			    conf_keys[i].name);
			rc = -1;
		}
	}
	return rc;
}

/* Each @include'd file that settings under S came from (SEEN: the last
 * one checked; settings of one file are mostly adjacent).  TOP is the file
 * CFG was read from, checked already. */
static int
conf_safe_includes(const config_t *cfg, const char *top,
    const config_setting_t *s, const char **seen)
{
	const char *file = config_setting_source_file(s);
	char err[PATHSAFE_ERR_MAX], path[PATH_MAX];
	int n = config_setting_length(s), rc = 0;

	if (file != NULL && file != *seen && strcmp(file, top) != 0) {
		*seen = file;
		if (file[0] != '/' && config_get_include_dir(cfg) != NULL)
			snprintf(path, sizeof(path), "%s/%s",
			    config_get_include_dir(cfg), file);
		else
			snprintf(path, sizeof(path), "%s", file);
		if (pathsafe_check(path, err, sizeof(err)) < 0) {
			log_error("%s: refusing an included file: %s", top,
			    err);
			return -1;
		}
	}
	for (int i = 0; i < n && rc == 0; i++)
		rc = conf_safe_includes(cfg, top, config_setting_get_elem(s,
		    (unsigned)i), seen);
	return rc;
}

/*
 * Read PATH into CFG: @include "x" is relative to PATH's directory.  The
 * file and everything it includes must be writable by root or us alone.
 */
static int
conf_read(config_t *cfg, const char *path)
{
	char dir[PATH_MAX], err[PATHSAFE_ERR_MAX];
	const char *slash = strrchr(path, '/'), *seen = NULL;

	if (slash != NULL && (size_t)(slash - path) < sizeof(dir)) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		config_set_include_dir(cfg, slash == path ? "/" : dir);
	}
	if (config_read_file(cfg, path) != CONFIG_TRUE) {
		if (config_error_type(cfg) == CONFIG_ERR_FILE_IO)
			log_error("%s: cannot read: %s", path, strerror(errno));
		else
			log_error("%s:%d: %s", config_error_file(cfg) ?
			    config_error_file(cfg) : path,
			    config_error_line(cfg), config_error_text(cfg));
		return -1;
	}
	if (pathsafe_check(path, err, sizeof(err)) < 0) {
		log_error("%s: refusing the configuration: %s", path, err);
		return -1;
	}
	return conf_safe_includes(cfg, path, config_root_setting(cfg), &seen);
}

/* include_dir, relative to the main file's directory unless absolute. */
static void
conf_dropin_dir(const struct conf *c, char *dir, size_t len)
{
	const char *slash = strrchr(c->path, '/');

	if (c->include_dir[0] == '/' || slash == NULL)
		snprintf(dir, len, "%s", c->include_dir);
	else
		snprintf(dir, len, "%.*s/%s", (int)(slash - c->path), c->path,
		    c->include_dir);
}

/* Read and apply the drop-ins of include_dir, in order. */
static int
conf_dropins(struct conf *c, struct conf_seen *seen)
{
	char dir[PATH_MAX], err[1024 + PATH_MAX];
	struct confdir d;
	int rc = 0;

	conf_dropin_dir(c, dir, sizeof(dir));
	if (confdir_list(&d, dir, err, sizeof(err)) < 0) {
		log_error("%s: %s", c->path, err);
		return -1;
	}
	c->dropin = xcalloc(d.n ? d.n : 1, sizeof(*c->dropin));
	for (size_t i = 0; i < d.n && rc == 0; i++) {
		config_init(&c->dropin[c->ndropin++]);
		rc = conf_read(&c->dropin[i], d.paths[i]);
		if (rc == 0)
			rc = conf_check_file(c, &c->dropin[i], seen, 0);
	}
	confdir_free(&d);
	return rc;
}

static void
conf_defaults(struct conf *c)
{
	c->workers = CONF_DEFAULT_WORKERS;
	c->inline_reads = 1;
	c->queue_max = CONF_DEFAULT_QUEUE;
	c->max_request = CONF_DEFAULT_MAX_REQUEST;
	c->max_depth = CONF_DEFAULT_MAX_DEPTH;
	c->log_level = COFFER_LOG_INFO;
	c->audit_fail_closed = 1;
}

int
conf_load(struct conf *c, const char *path)
{
	struct conf_seen seen = { { NULL } };

	memset(c, 0, sizeof(*c));
	conf_defaults(c);
	config_init(&c->cfg);
	c->path = xstrdup(path);
	if (conf_read(&c->cfg, path) < 0 ||
	    conf_check_file(c, &c->cfg, &seen, 1) < 0 ||
	    (c->include_dir != NULL && conf_dropins(c, &seen) < 0) ||
	    conf_check_required(c, &seen) < 0) {
		conf_free(c);
		return -1;
	}
	return 0;
}

void
conf_free(struct conf *c)
{
	free(c->store.where);
	for (size_t i = 0; i < c->nauth; i++)
		free(c->auth[i].where);
	for (size_t i = 0; i < c->ndropin; i++)
		config_destroy(&c->dropin[i]);
	free(c->dropin);
	if (c->path != NULL)
		config_destroy(&c->cfg);
	free(c->path);
	memset(c, 0, sizeof(*c));
}
