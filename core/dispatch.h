/*
 * dispatch.h - operations by name, and the context each one runs in.
 */
#ifndef COFFER_DISPATCH_H
#define COFFER_DISPATCH_H

#include <jansson.h>

#include "errcode.h"
#include "modules.h"
#include "principal.h"
#include "request.h"

struct op_ctx {
	const struct request		*req;
	const struct coffer_principal	*who;	/* authenticated */
	struct modules			*mods;
	json_t				*result;	/* set on success */
	char				 msg[REQUEST_MSG_MAX];
};

typedef enum errcode (*op_fn)(struct op_ctx *ctx);

/* The operation named NAME, or NULL. */
op_fn		 dispatch_find(const char *name);

/* The operations (one file each). */
enum errcode	 op_whoami(struct op_ctx *ctx);

#endif
