/*
 * args.c - typed access to an operation's arguments.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "args.h"
#include "validate.h"

#define A_MSG(ctx, ...) snprintf((ctx)->msg, sizeof((ctx)->msg), __VA_ARGS__)

enum errcode
args_only(struct op_ctx *ctx, const char *const *known)
{
	const char *key;
	json_t *v;

	json_object_foreach(ctx->req->args, key, v) {
		size_t i;

		for (i = 0; known[i] != NULL && strcmp(key, known[i]) != 0;
		    i++)
			;
		if (known[i] == NULL) {
			A_MSG(ctx, "%s takes no argument \"%.64s\"",
			    ctx->req->op, key);
			return ERR_BAD_ARGS;
		}
	}
	return ERR_NONE;
}

enum errcode
args_name(struct op_ctx *ctx, const char *key, const char **name_r)
{
	json_t *v = json_object_get(ctx->req->args, key);
	enum errcode e;

	if (v == NULL) {
		A_MSG(ctx, "%s needs \"%s\"", ctx->req->op, key);
		return ERR_BAD_ARGS;
	}
	if ((e = validate_name(v, ctx->msg)) != ERR_NONE)
		return e;
	*name_r = json_string_value(v);
	snprintf(ctx->target, sizeof(ctx->target), "%s", *name_r);
	return ERR_NONE;
}

enum errcode
args_uint(struct op_ctx *ctx, const char *key, uint64_t def, uint64_t max,
    uint64_t *val_r)
{
	json_t *v = json_object_get(ctx->req->args, key);

	if (v == NULL) {
		*val_r = def;
		return ERR_NONE;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max) {
		A_MSG(ctx, "\"%s\" must be an integer from 0 to %llu", key,
		    (unsigned long long)max);
		return ERR_BAD_ARGS;
	}
	*val_r = (uint64_t)json_integer_value(v);
	return ERR_NONE;
}

enum errcode
args_string(struct op_ctx *ctx, const char *key, size_t max,
    const char **val_r)
{
	json_t *v = json_object_get(ctx->req->args, key);

	*val_r = NULL;
	if (v == NULL)
		return ERR_NONE;
	if (!json_is_string(v) || json_string_length(v) > max ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		A_MSG(ctx, "\"%s\" must be a string of at most %zu bytes", key,
		    max);
		return ERR_BAD_ARGS;
	}
	*val_r = json_string_value(v);
	return ERR_NONE;
}

enum errcode
args_bool(struct op_ctx *ctx, const char *key, int *val_r)
{
	json_t *v = json_object_get(ctx->req->args, key);

	*val_r = -1;
	if (v == NULL)
		return ERR_NONE;
	if (!json_is_boolean(v)) {
		A_MSG(ctx, "\"%s\" must be true or false", key);
		return ERR_BAD_ARGS;
	}
	*val_r = json_is_true(v);
	return ERR_NONE;
}
