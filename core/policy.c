/*
 * policy.c - the default policy, narrowed by config.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "policy.h"

/* A service may ask who it is, and read its own service: nothing else. */
static int
policy_service_may(const struct op_ctx *ctx)
{
	if (strcmp(ctx->op->name, "whoami") == 0)
		return 1;
	return strcmp(ctx->op->name, "service.get") == 0 &&
	    strcmp(ctx->target, ctx->who->name) == 0;
}

static int
policy_matches(const char *const *prefixes, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	}
	return 0;
}

static int
policy_user_may(const struct policy *p, const struct op_ctx *ctx)
{
	const char *name = ctx->who->name;

	if (p == NULL || !p->narrowed ||
	    policy_matches(p->write, p->nwrite, name))
		return 1;
	if (!ctx->op->writes && policy_matches(p->read, p->nread, name))
		return 1;
	return strcmp(ctx->op->name, "whoami") == 0;
}

enum errcode
policy_check(const struct policy *p, struct op_ctx *ctx)
{
	if (ctx->who->type == COFFER_PRINCIPAL_USER &&
	    policy_user_may(p, ctx))
		return ERR_NONE;
	if (ctx->who->type == COFFER_PRINCIPAL_SERVICE &&
	    policy_service_may(ctx))
		return ERR_NONE;
	snprintf(ctx->msg, sizeof(ctx->msg), "%s %.100s may not %.64s%s%.60s",
	    principal_type_name(ctx->who->type), ctx->who->name,
	    ctx->op->name, ctx->target[0] ? " " : "", ctx->target);
	return ERR_DENIED;
}
