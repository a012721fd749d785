/*
 * dispatch.c - the table of operations, and what they share.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dispatch.h"

enum errcode
op_result_text(struct op_ctx *ctx, jsonw_fn fn, const void *arg)
{
	if ((ctx->result_text = jsonw_dump_fn(fn, arg, &ctx->result_len)) !=
	    NULL)
		return ERR_NONE;
	snprintf(ctx->msg, sizeof(ctx->msg), "out of memory");
	return ERR_INTERNAL;
}

static const struct op_desc dispatch_ops[] = {
	{ "whoami", op_whoami, 0 },
	{ "secret.create", op_secret_create, 1 },
	{ "secret.update", op_secret_update, 1 },
	{ "secret.get", op_secret_get, 0 },
	{ "secret.meta", op_secret_meta, 0 },
	{ "secret.list", op_secret_list, 0 },
	{ "secret.history", op_secret_history, 0 },
	{ "secret.diff", op_secret_diff, 0 },
	{ "secret.revert", op_secret_revert, 1 },
	{ "secret.enable", op_secret_enable, 1 },
	{ "secret.disable", op_secret_disable, 1 },
	{ "secret.delete", op_secret_delete, 1 },
	{ "service.put", op_service_put, 1 },
	{ "service.get", op_service_get, 0 },
	{ "service.list", op_service_list, 0 },
	{ "service.history", op_service_history, 0 },
	{ "service.revert", op_service_revert, 1 },
	{ "blind.put", op_blind_put, 1 },
	{ "blind.get", op_blind_get, 0 },
	{ "blind.list", op_blind_list, 0 },
	{ "blind.history", op_blind_history, 0 },
	{ "blind.delete", op_blind_delete, 1 },
	{ "keyring.reseal", op_keyring_reseal, 1 },
};

const struct op_desc *
dispatch_find(const char *name)
{
	for (size_t i = 0; i < sizeof(dispatch_ops) / sizeof(*dispatch_ops);
	    i++) {
		if (strcmp(dispatch_ops[i].name, name) == 0)
			return &dispatch_ops[i];
	}
	return NULL;
}
