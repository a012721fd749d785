/*
 * dispatch.h - operations by name, and the context each one runs in.
 */
#ifndef COFFER_DISPATCH_H
#define COFFER_DISPATCH_H

#include <jansson.h>

#include "errcode.h"
#include "jsonw.h"
#include "keyring.h"
#include "modules.h"
#include "principal.h"
#include "request.h"

struct op_ctx {
	const struct request		*req;
	const struct coffer_principal	*who;	/* authenticated */
	struct modules			*mods;
	const struct keyring		*ring;
	const struct op_desc		*op;		/* once found */
	json_t				*result;	/* set on success, */
	/* or the result as JSON text when it is written without a tree
	 * (op_result_text()) */
	char				*result_text;
	size_t				 result_len;
	char				 msg[REQUEST_MSG_MAX];
	/* For the audit log: what the operation acted on. */
	char				 target[REQUEST_MSG_MAX];
	uint64_t			 revision;
};

typedef enum errcode (*op_fn)(struct op_ctx *ctx);

/* Set CTX's result to what FN writes (jsonw_dump_fn()): ERR_NONE, or
 * ERR_INTERNAL when out of memory. */
enum errcode	 op_result_text(struct op_ctx *ctx, jsonw_fn fn, const void *arg);

struct op_desc {
	const char	*name;
	op_fn		 fn;
	int		 writes;	/* changes something (for the policy) */
};

/* The operation named NAME, or NULL. */
const struct op_desc *dispatch_find(const char *name);

/* The operations: op_whoami.c, op_secret_read.c, op_secret_write.c,
 * op_service.c, op_blind.c, op_reseal.c. */
enum errcode	 op_whoami(struct op_ctx *ctx);
enum errcode	 op_secret_create(struct op_ctx *ctx);
enum errcode	 op_secret_update(struct op_ctx *ctx);
enum errcode	 op_secret_get(struct op_ctx *ctx);
enum errcode	 op_secret_meta(struct op_ctx *ctx);
enum errcode	 op_secret_list(struct op_ctx *ctx);
enum errcode	 op_secret_history(struct op_ctx *ctx);
enum errcode	 op_secret_diff(struct op_ctx *ctx);
enum errcode	 op_secret_revert(struct op_ctx *ctx);
enum errcode	 op_secret_enable(struct op_ctx *ctx);
enum errcode	 op_secret_disable(struct op_ctx *ctx);
enum errcode	 op_secret_delete(struct op_ctx *ctx);
enum errcode	 op_service_put(struct op_ctx *ctx);
enum errcode	 op_service_get(struct op_ctx *ctx);
enum errcode	 op_service_list(struct op_ctx *ctx);
enum errcode	 op_service_history(struct op_ctx *ctx);
enum errcode	 op_service_revert(struct op_ctx *ctx);
enum errcode	 op_blind_put(struct op_ctx *ctx);
enum errcode	 op_blind_get(struct op_ctx *ctx);
enum errcode	 op_blind_list(struct op_ctx *ctx);
enum errcode	 op_blind_history(struct op_ctx *ctx);
enum errcode	 op_blind_delete(struct op_ctx *ctx);
enum errcode	 op_keyring_reseal(struct op_ctx *ctx);

#endif
