/*
 * op_whoami.c - "whoami": the principal the auth stack found.
 *
 *	args:   {}
 *	result: { "name": "alice", "type": "user", "module": "auth_curve",
 *		  "attributes": { "account": "prod", ... } }
 */
#include "config.h"

#include <stdio.h>

#include "dispatch.h"

enum errcode
op_whoami(struct op_ctx *ctx)
{
	const struct coffer_principal *p = ctx->who;
	json_t *attrs;

	if (json_object_size(ctx->req->args) != 0) {
		snprintf(ctx->msg, sizeof(ctx->msg), "whoami takes no "
		    "arguments");
		return ERR_BAD_ARGS;
	}
	attrs = json_object();
	for (size_t i = 0; i < p->nattrs; i++)
		json_object_set_new(attrs, p->attrs[i].key,
		    json_string(p->attrs[i].value));
	ctx->result = json_pack("{s:s, s:s, s:s, s:o}", "name", p->name,
	    "type", principal_type_name(p->type), "module", p->module,
	    "attributes", attrs);
	if (ctx->result == NULL) {
		snprintf(ctx->msg, sizeof(ctx->msg), "cannot encode principal");
		return ERR_INTERNAL;
	}
	return ERR_NONE;
}
