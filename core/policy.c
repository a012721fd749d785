/*
 * policy.c - the default policy.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "policy.h"

/* A service may ask who it is, and read its own service: nothing else. */
static int
policy_service_may(const struct op_ctx *ctx)
{
	if (strcmp(ctx->req->op, "whoami") == 0)
		return 1;
	return strcmp(ctx->req->op, "service.get") == 0 &&
	    strcmp(ctx->target, ctx->who->name) == 0;
}

enum errcode
policy_check(struct op_ctx *ctx)
{
	if (ctx->who->type == COFFER_PRINCIPAL_USER)
		return ERR_NONE;
	if (ctx->who->type == COFFER_PRINCIPAL_SERVICE &&
	    policy_service_may(ctx))
		return ERR_NONE;
	snprintf(ctx->msg, sizeof(ctx->msg), "%s %.100s may not %.64s%s%.60s",
	    principal_type_name(ctx->who->type), ctx->who->name,
	    ctx->req->op, ctx->target[0] ? " " : "", ctx->target);
	return ERR_DENIED;
}
