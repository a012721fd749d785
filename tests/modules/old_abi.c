/*
 * old_abi.c - a store module as built against ABI 1.0: shorter
 * descriptions (no replace(), no get_latest_many(), no flags), which a
 * newer daemon must still load, without reading past what it was given.
 */
#include <stddef.h>
#include <stdio.h>

#include "coffer/module.h"

static enum coffer_rc
old_open(const struct coffer_host *host, const struct coffer_conf *conf,
    void **inst_r, struct coffer_error *err)
{
	(void)host; (void)conf; (void)err;
	*inst_r = NULL;
	return COFFER_OK;
}

static void
old_close(void *inst)
{
	(void)inst;
}

static void
old_limits(void *inst, struct coffer_store_limits *limits)
{
	(void)inst;
	limits->max_record = 1024;
}

static enum coffer_rc
old_get(void *inst, const char *kind, const char *name, uint64_t rev,
    uint64_t *rev_r, struct coffer_buf *out, struct coffer_error *err)
{
	(void)inst; (void)kind; (void)name; (void)rev; (void)rev_r; (void)out;
	snprintf(err->msg, sizeof(err->msg), "nothing here");
	return COFFER_NOT_FOUND;
}

static enum coffer_rc
old_op(void)
{
	return COFFER_ERROR;
}

/* Whatever follows remove() in today's header is not there for 1.0. */
static const struct coffer_store_ops old_ops = {
	.struct_size = offsetof(struct coffer_store_ops, replace),
	.limits = old_limits,
	.put = (void *)old_op,
	.get = old_get,
	.list = (void *)old_op,
	.revisions = (void *)old_op,
	.remove = (void *)old_op,
	.replace = (void *)old_op,		/* past struct_size: unread */
	.get_latest_many = (void *)old_op,	/* past struct_size: unread */
};

static const struct coffer_module old_module = {
	.struct_size = offsetof(struct coffer_module, flags),
	.abi_major = COFFER_ABI_MAJOR,
	.abi_minor = 0,
	.name = "old_abi",
	.kind = COFFER_KIND_STORE,
	.open = old_open,
	.close = old_close,
	.store = &old_ops,
	.flags = COFFER_MODULE_RELOAD_CONCURRENT,	/* past struct_size */
};

COFFER_MODULE_EXPORT const struct coffer_module *
coffer_module_entry(void)
{
	return &old_module;
}
