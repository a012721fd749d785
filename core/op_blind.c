/*
 * op_blind.c - blind secrets: encrypted by the client, opaque here
 * (docs/protocol.md).
 *
 *	blind.put     { name, payload, metadata?, comment?, expect? }
 *	blind.get     { name, revision? }
 *	blind.list    { prefix?, cursor?, limit? }
 *	blind.history { name, after?, limit? }
 *	blind.delete  { name }
 *
 * The payload is the client's ciphertext, in base64; the daemon checks only
 * that it is base64, keeps it (sealed at rest like everything else) and
 * returns it.  No key that opens it ever reaches the daemon.
 */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "op_walk.h"
#include "record.h"
#include "validate.h"

#define B_MSG(ctx, ...) snprintf((ctx)->msg, sizeof((ctx)->msg), __VA_ARGS__)
#define BLIND_PAYLOAD_MAX	(256 * 1024)	/* base64 characters */

struct blind_change {
	json_t	*payload, *metadata, *comment;
};

static enum errcode
blind_payload_ok(struct op_ctx *ctx, json_t *p)
{
	size_t len = json_string_length(p), cap = len / 4 * 3 + 3, n;
	unsigned char *bin;
	int ok;

	if (!json_is_string(p) || len == 0 || len > BLIND_PAYLOAD_MAX) {
		B_MSG(ctx, "\"payload\" must be 1 to %d characters of base64",
		    BLIND_PAYLOAD_MAX);
		return ERR_BAD_ARGS;
	}
	/* Decoded only to check it: the client's ciphertext, of no use here. */
	bin = malloc(cap);
	ok = bin != NULL && sodium_base642bin(bin, cap, json_string_value(p),
	    len, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) == 0;
	free(bin);
	if (!ok) {
		B_MSG(ctx, "\"payload\" is not base64 (standard alphabet, "
		    "padded)");
		return ERR_BAD_ARGS;
	}
	return ERR_NONE;
}

static json_t *
blind_doc(const struct op_ctx *ctx, json_t *payload, json_t *metadata,
    json_t *comment)
{
	json_t *doc = json_pack("{s:O, s:o, s:O*}", "payload", payload,
	    "metadata", metadata ? json_incref(metadata) : json_object(),
	    "comment", comment);

	if (doc != NULL && record_stamp(ctx, doc) < 0) {
		json_decref(doc);
		doc = NULL;
	}
	return doc;
}

static json_t *
blind_apply(struct op_ctx *ctx, json_t *latest, void *arg, enum errcode *e)
{
	struct blind_change *c = arg;
	json_t *doc = blind_doc(ctx, c->payload ? c->payload :
	    json_object_get(latest, "payload"), c->metadata ? c->metadata :
	    json_object_get(latest, "metadata"), c->comment);

	if (doc == NULL) {
		B_MSG(ctx, "cannot build the blind secret");
		*e = ERR_INTERNAL;
	}
	return doc;
}

enum errcode
op_blind_put(struct op_ctx *ctx)
{
	static const char *const known[] = { "name", "payload", "metadata",
	    "comment", "expect", NULL };
	json_t *args = ctx->req->args, *doc;
	struct blind_change c;
	const char *name;
	uint64_t expect, rev = 0;
	enum errcode e;

	c.payload = json_object_get(args, "payload");
	c.metadata = json_object_get(args, "metadata");
	c.comment = json_object_get(args, "comment");
	if ((e = args_only(ctx, known)) != ERR_NONE ||
	    (e = args_name(ctx, "name", &name)) != ERR_NONE ||
	    (e = args_uint(ctx, "expect", 0, INT64_MAX, &expect)) != ERR_NONE ||
	    (c.payload && (e = blind_payload_ok(ctx, c.payload)) != ERR_NONE) ||
	    (c.metadata && (e = validate_metadata(c.metadata, ctx->msg)) !=
	    ERR_NONE) ||
	    (c.comment && (e = validate_comment(c.comment, ctx->msg)) !=
	    ERR_NONE))
		return e;
	e = record_change(ctx, BLIND_KIND, name, expect, blind_apply, &c, &rev);
	if (e == ERR_NOT_FOUND && expect == 0) {
		if (c.payload == NULL) {
			B_MSG(ctx, "a new blind secret needs \"payload\"");
			return ERR_BAD_ARGS;
		}
		if ((doc = blind_doc(ctx, c.payload, c.metadata, c.comment)) ==
		    NULL)
			return ERR_INTERNAL;
		e = record_write(ctx, BLIND_KIND, name, rev = 1, doc);
		json_decref(doc);
		if (e == ERR_CONFLICT)	/* made meanwhile */
			e = record_change(ctx, BLIND_KIND, name, 0, blind_apply,
			    &c, &rev);
	}
	if (e != ERR_NONE)
		return e;
	ctx->revision = rev;
	ctx->result = json_pack("{s:s, s:I}", "name", name, "revision",
	    (json_int_t)rev);
	return ERR_NONE;
}

static json_t *
blind_view(const char *name, uint64_t rev, json_t *doc, int with_payload)
{
	json_t *view = record_view(name, rev, doc);

	if (view == NULL)
		return NULL;
	json_object_set(view, "metadata", json_object_get(doc, "metadata"));
	if (with_payload)
		json_object_set(view, "payload", json_object_get(doc, "payload"));
	return view;
}

enum errcode
op_blind_get(struct op_ctx *ctx)
{
	const char *name;
	uint64_t rev;
	json_t *doc;
	enum errcode e;

	if ((e = op_walk_read(ctx, BLIND_KIND, &name, &doc, &rev)) != ERR_NONE)
		return e;
	ctx->result = blind_view(name, rev, doc, 1);
	json_decref(doc);
	return ctx->result != NULL ? ERR_NONE : ERR_INTERNAL;
}

enum errcode
op_blind_list(struct op_ctx *ctx)
{
	return op_walk_list(ctx, BLIND_KIND, "blind");
}

/* A history entry: everything but the payload. */
static json_t *
blind_meta_view(const char *name, uint64_t rev, json_t *doc)
{
	return blind_view(name, rev, doc, 0);
}

enum errcode
op_blind_history(struct op_ctx *ctx)
{
	return op_walk_history(ctx, BLIND_KIND, blind_meta_view);
}

enum errcode
op_blind_delete(struct op_ctx *ctx)
{
	static const char *const known[] = { "name", NULL };
	const char *name;
	enum errcode e;

	if ((e = args_only(ctx, known)) != ERR_NONE ||
	    (e = args_name(ctx, "name", &name)) != ERR_NONE ||
	    (e = record_remove(ctx, BLIND_KIND, name)) != ERR_NONE)
		return e;
	ctx->result = json_pack("{s:s, s:b}", "name", name, "deleted", 1);
	return ERR_NONE;
}
