/*
 * args.h - read an operation's arguments (the request's "args" object).
 *
 * Each returns ERR_NONE or ERR_BAD_ARGS (or the validator's own code) with
 * CTX->msg naming the argument.  Strings point into the request.
 */
#ifndef COFFER_ARGS_H
#define COFFER_ARGS_H

#include <stdint.h>

#include "dispatch.h"

/* Refuse members not in KNOWN (a NULL-terminated list). */
enum errcode	 args_only(struct op_ctx *ctx, const char *const *known);
/* A secret or service name, required, validated; also the audit target. */
enum errcode	 args_name(struct op_ctx *ctx, const char *key,
		    const char **name_r);
/* An optional non-negative integer: DEF when absent. */
enum errcode	 args_uint(struct op_ctx *ctx, const char *key, uint64_t def,
		    uint64_t max, uint64_t *val_r);
/* An optional string of at most MAX bytes: NULL when absent. */
enum errcode	 args_string(struct op_ctx *ctx, const char *key, size_t max,
		    const char **val_r);
/* An optional boolean: -1 when absent, else 0 or 1. */
enum errcode	 args_bool(struct op_ctx *ctx, const char *key, int *val_r);

#endif
