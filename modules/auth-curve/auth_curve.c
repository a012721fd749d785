/*
 * auth_curve.c - the auth_curve module: clients known by their CURVE key.
 *
 * The client's public key is proven by the CURVE handshake; this module
 * looks it up in an admin-managed directory of certificates (the format
 * czmq and pyzmq write) and answers with the principal the certificate
 * names.  Changes to the directory are in force within a second, for every
 * following request, even on connections opened before.  See
 * coffer-auth-curve(5).
 */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curve.h"

#define CURVE_ERR(err, ...) \
	snprintf((err)->msg, sizeof((err)->msg), __VA_ARGS__)

struct curve {
	struct curve_opts	 o;
	char			*dir;
	int			 reject_unknown;
	pthread_rwlock_t	 lock;		/* guards idx */
	pthread_mutex_t		 build;		/* one rebuild at a time */
	struct curve_index	*idx;
	struct curve_watch	 watch;
};

static const struct coffer_option curve_options[] = {
	{ "certs", COFFER_OPT_STRING, COFFER_OPT_REQUIRED,
	  "directory of public certificates" },
	{ "default_type", COFFER_OPT_STRING, 0,
	  "type of certificates without one: service (default) or user" },
	{ "strict", COFFER_OPT_BOOL, 0,
	  "refuse to start, or keep the old keys, if any file is bad" },
	{ "strict_permissions", COFFER_OPT_BOOL, 0,
	  "refuse a directory others may write (default true)" },
	{ "reject_unknown", COFFER_OPT_BOOL, 0,
	  "refuse unknown keys already at the handshake (default false)" },
	{ NULL, 0, 0, NULL }
};

static void
curve_swap(struct curve *c, struct curve_index *idx)
{
	struct curve_index *old;

	pthread_rwlock_wrlock(&c->lock);
	old = c->idx;
	c->idx = idx;
	pthread_rwlock_unlock(&c->lock);
	curve_index_free(old);
}

/* The directory is gone or no longer safe: accept no key until fixed. */
static void
curve_fail_closed(struct curve *c, const char *why)
{
	struct curve_index *empty = curve_index_new();

	if (empty != NULL)
		curve_swap(c, empty);
	c->o.host->log(c->o.host, COFFER_LOG_ERROR, "%s; no key is accepted "
	    "until it is fixed", why);
}

/*
 * Read the whole store again and put it in force.  When a file is bad in
 * strict mode the old index stays; when the directory itself is gone or no
 * longer safe, no key is accepted.
 */
static enum coffer_rc
curve_rebuild(struct curve *c, struct coffer_error *err)
{
	struct coffer_error dir_err = { "" };
	struct curve_index *idx;
	enum coffer_rc rc = COFFER_OK;

	pthread_mutex_lock(&c->build);
	idx = curve_index_build(&c->o, err);
	if (idx != NULL) {
		curve_swap(c, idx);
		c->o.host->log(c->o.host, COFFER_LOG_INFO, "%zu certificates "
		    "from %s (%zu skipped)", idx->n, c->dir, idx->skipped);
	} else if (curve_dir_check(&c->o, &dir_err) != COFFER_OK) {
		curve_fail_closed(c, dir_err.msg);
		rc = COFFER_ERROR;
	} else {
		c->o.host->log(c->o.host, COFFER_LOG_ERROR, "%s; keeping the "
		    "certificates loaded before", err->msg);
		rc = COFFER_ERROR;
	}
	pthread_mutex_unlock(&c->build);
	return rc;
}

static void
curve_watch_rescan(void *arg)
{
	struct coffer_error err = { "" };

	curve_rebuild(arg, &err);
}

/* One changed file: read it unlocked, then swap its entry in. */
static void
curve_apply_one(struct curve *c, const char *name)
{
	const struct coffer_host *h = c->o.host;
	struct coffer_error err = { "" };
	struct curve_cert *cert;
	int gone;

	if (certstore_classify(name) == CERTSTORE_IGNORED)
		return;
	cert = curve_cert_read(&c->o, name, &gone, &err);
	if (cert == NULL && err.msg[0] != '\0') {
		h->log(h, COFFER_LOG_WARNING, "%s; %s", err.msg, c->o.strict ?
		    "keeping what it held before (strict)" : "skipped");
		if (c->o.strict)
			return;
	}
	pthread_rwlock_wrlock(&c->lock);
	curve_index_apply(&c->o, c->idx, name, cert, &err);
	pthread_rwlock_unlock(&c->lock);
	h->log(h, COFFER_LOG_INFO, "certificate %s/%s %s", c->dir, name,
	    cert != NULL ? "loaded" : "removed");
}

static void
curve_watch_changed(void *arg, char **names, size_t n)
{
	struct curve *c = arg;
	struct coffer_error err = { "" };

	pthread_mutex_lock(&c->build);
	if (curve_dir_check(&c->o, &err) != COFFER_OK)
		curve_fail_closed(c, err.msg);
	else
		for (size_t i = 0; i < n; i++)
			curve_apply_one(c, names[i]);
	pthread_mutex_unlock(&c->build);
}

static void
curve_close(void *inst)
{
	struct curve *c = inst;

	curve_watch_stop(&c->watch);
	curve_index_free(c->idx);
	pthread_rwlock_destroy(&c->lock);
	pthread_mutex_destroy(&c->build);
	free(c->dir);
	free(c);
}

static enum coffer_rc
curve_settings(struct curve *c, const struct coffer_host *h,
    const struct coffer_conf *conf, struct coffer_error *err)
{
	const char *dir = h->conf_string(conf, "certs", NULL);
	const char *type = h->conf_string(conf, "default_type", "service");

	if (dir == NULL || dir[0] != '/') {
		CURVE_ERR(err, "%s: 'certs' must be an absolute path",
		    h->conf_where(conf, "certs"));
		return COFFER_ERROR;
	}
	if (certstore_type_parse(type, &c->o.default_type) < 0) {
		CURVE_ERR(err, "%s: 'default_type' must be \"service\" or "
		    "\"user\"", h->conf_where(conf, "default_type"));
		return COFFER_ERROR;
	}
	if ((c->dir = strdup(dir)) == NULL) {
		CURVE_ERR(err, "out of memory");
		return COFFER_ERROR;
	}
	c->o.host = h;
	c->o.dir = c->dir;
	c->o.strict = h->conf_bool(conf, "strict", 0);
	c->o.strict_permissions = h->conf_bool(conf, "strict_permissions", 1);
	c->reject_unknown = h->conf_bool(conf, "reject_unknown", 0);
	return COFFER_OK;
}

static enum coffer_rc
curve_open(const struct coffer_host *h, const struct coffer_conf *conf,
    void **inst_r, struct coffer_error *err)
{
	struct curve *c = calloc(1, sizeof(*c));

	if (c == NULL || sodium_init() < 0) {
		free(c);
		CURVE_ERR(err, "out of memory");
		return COFFER_ERROR;
	}
	pthread_rwlock_init(&c->lock, NULL);
	pthread_mutex_init(&c->build, NULL);
	if (curve_settings(c, h, conf, err) != COFFER_OK ||
	    (c->idx = curve_index_build(&c->o, err)) == NULL ||
	    curve_watch_start(&c->watch, c->dir, curve_watch_changed,
	    curve_watch_rescan, c, err) < 0) {
		curve_close(c);
		return COFFER_ERROR;
	}
	h->log(h, COFFER_LOG_INFO, "%zu certificates from %s (%zu skipped)",
	    c->idx->n, c->dir, c->idx->skipped);
	*inst_r = c;
	return COFFER_OK;
}

static enum coffer_rc
curve_reload(void *inst, struct coffer_error *err)
{
	return curve_rebuild(inst, err);
}

/* Copy what the principal needs out of the index, under the read lock;
 * the number of files holding KEY. */
static size_t
curve_lookup(struct curve *c, const uint8_t key[32], struct curve_found *f)
{
	size_t n;

	pthread_rwlock_rdlock(&c->lock);
	n = curve_index_find(c->idx, key, f);
	pthread_rwlock_unlock(&c->lock);
	return n;
}

static enum coffer_rc
curve_authenticate(void *inst, const struct coffer_auth_request *req,
    struct coffer_principal *p, struct coffer_error *err)
{
	struct curve *c = inst;
	const struct coffer_host *h = c->o.host;
	struct curve_found f;
	size_t n;

	if (req->curve_key == NULL)
		return COFFER_IGNORE;
	if ((n = curve_lookup(c, req->curve_key, &f)) == 0) {
		CURVE_ERR(err, "unknown key %s", req->curve_key_z85 ?
		    req->curve_key_z85 : "");
		return COFFER_DENIED;
	}
	if (n > 1) {
		CURVE_ERR(err, "key is in both %.100s and %.100s: refused",
		    f.file, f.other);
		return COFFER_DENIED;
	}
	if (h->principal_set(p, f.name, f.type) < 0 ||
	    h->principal_attr(p, "certificate", f.file) < 0) {
		CURVE_ERR(err, "certificate %.200s names an unusable principal",
		    f.file);
		return COFFER_DENIED;
	}
	return COFFER_OK;
}

static enum coffer_rc
curve_admit(void *inst, const uint8_t key[32], const char *peer,
    struct coffer_error *err)
{
	struct curve *c = inst;
	struct curve_found f;

	(void)peer;
	if (!c->reject_unknown)
		return COFFER_IGNORE;
	if (curve_lookup(c, key, &f) != 1) {
		CURVE_ERR(err, "unknown or ambiguous key");
		return COFFER_DENIED;
	}
	return COFFER_OK;
}

static const struct coffer_auth_ops curve_ops = {
	.struct_size = sizeof(struct coffer_auth_ops),
	.authenticate = curve_authenticate,
	.admit = curve_admit,
};

static const struct coffer_module curve_module = {
	COFFER_MODULE_HEADER,
	.name = "auth_curve",
	.version = PACKAGE_VERSION,
	.kind = COFFER_KIND_AUTH,
	.options = curve_options,
	.open = curve_open,
	.close = curve_close,
	.reload = curve_reload,
	.auth = &curve_ops,
	/* curve_rebuild() builds the index aside and swaps it in under the
	 * instance's lock, as the watcher thread already does; keys are
	 * looked up in that index, in memory. */
	.flags = COFFER_MODULE_RELOAD_CONCURRENT | COFFER_MODULE_LOCAL_READS,
};

COFFER_MODULE_EXPORT const struct coffer_module *
coffer_module_entry(void)
{
	return &curve_module;
}
