/*
 * policy.c - the default policy.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "policy.h"

static const char *const policy_service_ops[] = { "whoami", NULL };

enum errcode
policy_check(struct op_ctx *ctx)
{
	if (ctx->who->type == COFFER_PRINCIPAL_USER)
		return ERR_NONE;
	if (ctx->who->type == COFFER_PRINCIPAL_SERVICE) {
		for (size_t i = 0; policy_service_ops[i] != NULL; i++) {
			if (strcmp(ctx->req->op, policy_service_ops[i]) == 0)
				return ERR_NONE;
		}
	}
	snprintf(ctx->msg, sizeof(ctx->msg), "%s %.128s may not %.64s",
	    principal_type_name(ctx->who->type), ctx->who->name,
	    ctx->req->op);
	return ERR_DENIED;
}
