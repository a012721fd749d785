/*
 * modules.c - load, open, reload and close the configured modules.
 */
#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "log.h"
#include "modules.h"
#include "pathsafe.h"

const char *
modules_name(const struct instance *in)
{
	return in->mod->desc->name;
}

static const char *
modules_kind_name(enum coffer_kind kind)
{
	return kind == COFFER_KIND_STORE ? "store" : "auth";
}

static struct loaded *
modules_find(struct modules *m, const char *path)
{
	for (struct loaded *l = m->loaded; l != NULL; l = l->next) {
		if (strcmp(l->path, path) == 0)
			return l;
	}
	return NULL;
}

/* Load (once) and init the module file an entry names. */
static struct loaded *
modules_load(struct modules *m, const struct conf *c,
    const struct conf_entry *e)
{
	char path[PATH_MAX], err[LOADER_ERR_MAX];
	struct coffer_error merr = { "" };
	struct loaded *l;

	if (loader_resolve(e->module, loader_moduledir(c->module_dir), path,
	    err) < 0) {
		log_error("%s: module '%s': %s", e->where, e->module, err);
		return NULL;
	}
	if ((l = modules_find(m, path)) != NULL)
		return l;
	if (pathsafe_check(path, err, sizeof(err)) < 0 ||
	    (l = loader_open(path, err)) == NULL) {
		log_error("%s: module '%s' (%s): %s", e->where, e->module,
		    path, err);
		return NULL;
	}
	host_init(l);
	l->next = m->loaded;
	m->loaded = l;
	if (l->desc->init != NULL && l->desc->init(&l->host, &merr) !=
	    COFFER_OK) {
		log_error("%s: module '%s' (%s): init failed: %s", e->where,
		    e->module, path, merr.msg[0] ? merr.msg : "no reason given");
		return NULL;
	}
	l->inited = 1;
	return l;
}

static int
modules_instance_open(struct modules *m, const struct conf *c,
    const struct conf_entry *e, enum coffer_kind kind, struct instance *in)
{
	struct coffer_error merr = { "" };
	struct loaded *l = modules_load(m, c, e);

	if (l == NULL)
		return -1;
	if (l->desc->kind != kind) {
		log_error("%s: module '%s' (%s) is %s module, not %s module",
		    e->where, e->module, l->path,
		    kind == COFFER_KIND_STORE ? "an auth" : "a store",
		    kind == COFFER_KIND_STORE ? "a store" : "an auth");
		return -1;
	}
	in->mod = l;
	modconf_init(&in->conf, e->group, l->desc->options, l->desc->name);
	if (modconf_check(&in->conf) < 0)
		return -1;
	if (l->desc->open(&l->host, &in->conf, &in->inst, &merr) !=
	    COFFER_OK) {
		log_error("%s: module '%s' (%s): open failed: %s", e->where,
		    e->module, l->path, merr.msg[0] ? merr.msg :
		    "no reason given");
		return -1;
	}
	in->opened = 1;
	l->refs++;
	log_debug("opened %s module %s %s from %s",
	    modules_kind_name(kind), l->desc->name,
	    l->desc->version != NULL ? l->desc->version : "", l->path);
	return 0;
}

static void
modules_store_limits(struct modules *m)
{
	const struct coffer_store_ops *ops = m->store.mod->desc->store;

	memset(&m->limits, 0, sizeof(m->limits));
	m->limits.struct_size = sizeof(m->limits);
	ops->limits(m->store.inst, &m->limits);
}

int
modules_open_store(struct modules *m, const struct conf *c)
{
	memset(m, 0, sizeof(*m));
	if (modules_instance_open(m, c, &c->store, COFFER_KIND_STORE,
	    &m->store) < 0) {
		modules_close(m);
		return -1;
	}
	modules_store_limits(m);
	return 0;
}

static int
modules_auth_open(struct modules *m, const struct conf *c)
{
	for (size_t i = 0; i < c->nauth; i++) {
		m->controls[i] = c->auth[i].control;
		if (modules_instance_open(m, c, &c->auth[i], COFFER_KIND_AUTH,
		    &m->auth[i]) < 0) {
			modules_close(m);
			return -1;
		}
		m->nauth++;
	}
	return 0;
}

int
modules_open_auth(struct modules *m, const struct conf *c)
{
	memset(m, 0, sizeof(*m));
	return modules_auth_open(m, c);
}

int
modules_open(struct modules *m, const struct conf *c)
{
	if (modules_open_store(m, c) < 0)
		return -1;
	return modules_auth_open(m, c);
}

static void
modules_instance_close(struct instance *in)
{
	if (!in->opened)
		return;
	in->mod->desc->close(in->inst);
	in->mod->refs--;
	in->opened = 0;
}

void
modules_close(struct modules *m)
{
	struct loaded *next;

	for (size_t i = CONF_MAX_AUTH; i-- > 0;)
		modules_instance_close(&m->auth[i]);
	modules_instance_close(&m->store);
	for (struct loaded *l = m->loaded; l != NULL; l = next) {
		next = l->next;
		loader_close(l);
	}
	memset(m, 0, sizeof(*m));
}

static int
modules_instance_reload(struct instance *in)
{
	struct coffer_error merr = { "" };

	if (!in->opened || in->mod->desc->reload == NULL)
		return 0;
	if (in->mod->desc->reload(in->inst, &merr) != COFFER_OK) {
		log_error("module %s: reload failed, keeping the previous "
		    "state: %s", modules_name(in), merr.msg);
		return 1;
	}
	return 0;
}

int
modules_flag(const struct instance *in, uint32_t flag)
{
	const struct coffer_module *d;

	if (!in->opened)
		return 0;
	d = in->mod->desc;
	return d->struct_size >= offsetof(struct coffer_module, flags) +
	    sizeof(d->flags) && (d->flags & flag) != 0;
}

int
modules_reload(struct modules *m, int concurrent)
{
	int failed = 0;

	if (modules_flag(&m->store, COFFER_MODULE_RELOAD_CONCURRENT) ==
	    concurrent)
		failed += modules_instance_reload(&m->store);
	for (size_t i = 0; i < m->nauth; i++) {
		if (modules_flag(&m->auth[i], COFFER_MODULE_RELOAD_CONCURRENT)
		    == concurrent)
			failed += modules_instance_reload(&m->auth[i]);
	}
	if (!concurrent && m->store.opened)
		modules_store_limits(m);
	return failed;
}

coffer_auth_answers_now_fn
modules_auth_answers_now(const struct instance *in)
{
	const struct coffer_auth_ops *ops = in->mod->desc->auth;

	if (ops->struct_size < offsetof(struct coffer_auth_ops, answers_now) +
	    sizeof(ops->answers_now))
		return NULL;	/* built for ABI 1.2 or before */
	return ops->answers_now;
}

enum modules_reads
modules_reads(const struct modules *m)
{
	enum modules_reads r = MODULES_READS_LOCAL;

	if (!modules_flag(&m->store, COFFER_MODULE_LOCAL_READS))
		return MODULES_READS_WAIT;
	for (size_t i = 0; i < m->nauth; i++) {
		if (modules_flag(&m->auth[i], COFFER_MODULE_LOCAL_READS))
			continue;
		if (modules_auth_answers_now(&m->auth[i]) == NULL)
			return MODULES_READS_WAIT;
		r = MODULES_READS_ASK;
	}
	return r;
}

coffer_store_replace_fn
modules_store_replace(const struct modules *m)
{
	const struct coffer_store_ops *ops = m->store.mod->desc->store;

	if (ops->struct_size < offsetof(struct coffer_store_ops, replace) +
	    sizeof(ops->replace))
		return NULL;	/* built for ABI 1.0 */
	return ops->replace;
}

coffer_store_many_fn
modules_store_get_latest_many(const struct modules *m)
{
	const struct coffer_store_ops *ops = m->store.mod->desc->store;

	if (ops->struct_size < offsetof(struct coffer_store_ops,
	    get_latest_many) + sizeof(ops->get_latest_many))
		return NULL;	/* built for ABI 1.0 or 1.1 */
	return ops->get_latest_many;
}
