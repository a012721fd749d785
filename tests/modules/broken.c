/*
 * broken.c - store modules that are wrong in exactly one way, one per
 * BROKEN_* macro, for the loader's tests:
 *
 *   BROKEN_MAJOR     built for another ABI major
 *   BROKEN_MINOR     built for a newer ABI minor than the daemon's
 *   BROKEN_INIT      init() fails with a message
 *   BROKEN_NO_ENTRY  exports no coffer_module_entry
 *   BROKEN_EXPORTS   exports a helper too, and calls exit()
 */
#include <stdio.h>
#include <stdlib.h>

#include "coffer/module.h"

#if defined(BROKEN_INIT)
static enum coffer_rc
broken_init(const struct coffer_host *host, struct coffer_error *err)
{
	(void)host;
	snprintf(err->msg, sizeof(err->msg), "this module always fails");
	return COFFER_ERROR;
}
#endif

static enum coffer_rc
broken_open(const struct coffer_host *host, const struct coffer_conf *conf,
    void **inst_r, struct coffer_error *err)
{
	(void)host; (void)conf; (void)err;
	*inst_r = NULL;
	return COFFER_OK;
}

static void
broken_close(void *inst)
{
	(void)inst;
}

static void
broken_limits(void *inst, struct coffer_store_limits *limits)
{
	(void)inst;
	limits->max_record = 1;
}

#if defined(BROKEN_EXPORTS)
COFFER_MODULE_EXPORT int	broken_helper(int);

COFFER_MODULE_EXPORT int
broken_helper(int code)
{
	if (code != 0)
		exit(code);
	return 0;
}
#endif

static enum coffer_rc
broken_op(void)
{
	return COFFER_ERROR;
}

static const struct coffer_store_ops broken_ops = {
	.struct_size = sizeof(struct coffer_store_ops),
	.limits = broken_limits,
	/* Never called: the loader refuses these modules first. */
	.put = (void *)broken_op,
	.get = (void *)broken_op,
	.list = (void *)broken_op,
	.revisions = (void *)broken_op,
	.remove = (void *)broken_op,
};

static const struct coffer_module broken_module = {
	.struct_size = sizeof(struct coffer_module),
#if defined(BROKEN_MAJOR)
	.abi_major = COFFER_ABI_MAJOR + 1,
#else
	.abi_major = COFFER_ABI_MAJOR,
#endif
#if defined(BROKEN_MINOR)
	.abi_minor = COFFER_ABI_MINOR + 1,
#else
	.abi_minor = COFFER_ABI_MINOR,
#endif
	.name = "broken",
	.kind = COFFER_KIND_STORE,
#if defined(BROKEN_INIT)
	.init = broken_init,
#endif
	.open = broken_open,
	.close = broken_close,
	.store = &broken_ops,
};

#if defined(BROKEN_NO_ENTRY)
COFFER_MODULE_EXPORT const struct coffer_module *
    coffer_module_entry_misspelt(void);
COFFER_MODULE_EXPORT const struct coffer_module *
coffer_module_entry_misspelt(void)
#else
COFFER_MODULE_EXPORT const struct coffer_module *
coffer_module_entry(void)
#endif
{
	return &broken_module;
}
