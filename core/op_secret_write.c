/*
 * op_secret_write.c - operations that write a secret (docs/protocol.md).
 *
 *	secret.create  { name, pairs, metadata?, comment? }
 *	secret.update  { name, pairs?, metadata?, comment?, expect? }
 *	secret.revert  { name, revision, comment?, expect? }
 *	secret.enable  { name, comment?, expect? }
 *	secret.disable { name, comment?, expect? }
 *	secret.delete  { name }
 *
 * Each but delete writes a new revision and answers { name, revision }.
 */
#include "config.h"

#include <stdio.h>

#include "args.h"
#include "record.h"
#include "validate.h"

#define W_MSG(ctx, ...) snprintf((ctx)->msg, sizeof((ctx)->msg), __VA_ARGS__)

/* The changes an operation asks for; NULL/-1 leave the latest as it is. */
struct change {
	json_t		*pairs;
	json_t		*metadata;
	json_t		*comment;
	int		 enabled;
	uint64_t	 from;		/* revert: the revision to copy */
};

/* A new revision's document: PAIRS, METADATA, COMMENT (may be NULL) and
 * ENABLED, stamped with who and when. */
static json_t *
write_doc(const struct op_ctx *ctx, json_t *pairs, json_t *metadata,
    json_t *comment, int enabled)
{
	json_t *doc = json_pack("{s:O, s:o, s:b, s:O*}", "pairs", pairs,
	    "metadata", metadata ? json_incref(metadata) : json_object(),
	    "enabled", enabled, "comment", comment);

	if (doc != NULL && record_stamp(ctx, doc) < 0) {
		json_decref(doc);
		doc = NULL;
	}
	return doc;
}

static enum errcode
write_result(struct op_ctx *ctx, const char *name, uint64_t rev)
{
	ctx->revision = rev;
	ctx->result = json_pack("{s:s, s:I}", "name", name, "revision",
	    (json_int_t)rev);
	return ERR_NONE;
}

/* The optional fields common to every write, validated. */
static enum errcode
write_fields(struct op_ctx *ctx, struct change *c)
{
	json_t *args = ctx->req->args;
	enum errcode e = ERR_NONE;

	c->pairs = json_object_get(args, "pairs");
	c->metadata = json_object_get(args, "metadata");
	c->comment = json_object_get(args, "comment");
	c->enabled = -1;
	if (c->pairs != NULL)
		e = validate_pairs(c->pairs, ctx->msg);
	if (e == ERR_NONE && c->metadata != NULL)
		e = validate_metadata(c->metadata, ctx->msg);
	if (e == ERR_NONE && c->comment != NULL)
		e = validate_comment(c->comment, ctx->msg);
	return e;
}

static json_t *
write_apply(struct op_ctx *ctx, json_t *latest, void *arg, enum errcode *e)
{
	struct change *c = arg;
	json_t *pairs = c->pairs, *meta = c->metadata, *from = NULL, *doc;
	int enabled = c->enabled;
	uint64_t rev;

	if (c->from != 0) {	/* revert: everything from that revision */
		if ((*e = record_read(ctx, SECRET_KIND, ctx->target, c->from, &from, &rev))
		    != ERR_NONE)
			return NULL;
		latest = from;
	}
	if (pairs == NULL)
		pairs = json_object_get(latest, "pairs");
	if (meta == NULL)
		meta = json_object_get(latest, "metadata");
	if (enabled < 0)
		enabled = json_is_true(json_object_get(latest, "enabled"));
	doc = write_doc(ctx, pairs, meta, c->comment, enabled);
	json_decref(from);
	if (doc == NULL) {
		W_MSG(ctx, "cannot build the secret");
		*e = ERR_INTERNAL;
	}
	return doc;
}

/* The common tail of update, revert, enable and disable. */
static enum errcode
write_change(struct op_ctx *ctx, const char *const *known,
    struct change *c)
{
	const char *name;
	uint64_t expect, rev = 0;
	enum errcode e;

	if ((e = args_only(ctx, known)) != ERR_NONE ||
	    (e = args_name(ctx, "name", &name)) != ERR_NONE ||
	    (e = args_uint(ctx, "expect", 0, INT64_MAX, &expect)) !=
	    ERR_NONE)
		return e;
	if ((e = record_change(ctx, SECRET_KIND, name, expect, write_apply, c, &rev)) !=
	    ERR_NONE)
		return e;
	return write_result(ctx, name, rev);
}

enum errcode
op_secret_create(struct op_ctx *ctx)
{
	static const char *const known[] = { "name", "pairs", "metadata",
	    "comment", NULL };
	struct change c;
	const char *name;
	json_t *doc;
	enum errcode e;

	if ((e = args_only(ctx, known)) != ERR_NONE ||
	    (e = args_name(ctx, "name", &name)) != ERR_NONE ||
	    (e = write_fields(ctx, &c)) != ERR_NONE)
		return e;
	if (c.pairs == NULL) {
		W_MSG(ctx, "secret.create needs \"pairs\"");
		return ERR_BAD_ARGS;
	}
	if ((doc = write_doc(ctx, c.pairs, c.metadata, c.comment, 1)) ==
	    NULL) {
		W_MSG(ctx, "cannot build the secret");
		return ERR_INTERNAL;
	}
	e = record_write(ctx, SECRET_KIND, name, 1, doc);
	json_decref(doc);
	if (e == ERR_CONFLICT)
		W_MSG(ctx, "secret %.200s exists already; use secret.update",
		    name);
	return e != ERR_NONE ? e : write_result(ctx, name, 1);
}

enum errcode
op_secret_update(struct op_ctx *ctx)
{
	static const char *const known[] = { "name", "pairs", "metadata",
	    "comment", "expect", NULL };
	struct change c = { 0 };
	enum errcode e;

	if ((e = write_fields(ctx, &c)) != ERR_NONE)
		return e;
	return write_change(ctx, known, &c);
}

enum errcode
op_secret_revert(struct op_ctx *ctx)
{
	static const char *const known[] = { "name", "revision", "comment",
	    "expect", NULL };
	char comment[64];
	struct change c = { 0 };
	enum errcode e;
	json_t *note;

	if ((e = write_fields(ctx, &c)) != ERR_NONE ||
	    (e = args_uint(ctx, "revision", 0, INT64_MAX, &c.from)) !=
	    ERR_NONE)
		return e;
	if (c.from == 0) {
		W_MSG(ctx, "secret.revert needs \"revision\", 1 or more");
		return ERR_BAD_ARGS;
	}
	snprintf(comment, sizeof(comment), "revert to revision %llu",
	    (unsigned long long)c.from);
	note = c.comment == NULL ? json_string(comment) : NULL;
	if (note != NULL)
		c.comment = note;
	e = write_change(ctx, known, &c);
	json_decref(note);
	return e;
}

static enum errcode
write_enabled(struct op_ctx *ctx, int enabled)
{
	static const char *const known[] = { "name", "comment", "expect",
	    NULL };
	struct change c = { 0 };
	enum errcode e;

	if ((e = write_fields(ctx, &c)) != ERR_NONE)
		return e;
	c.enabled = enabled;
	return write_change(ctx, known, &c);
}

enum errcode
op_secret_enable(struct op_ctx *ctx)
{
	return write_enabled(ctx, 1);
}

enum errcode
op_secret_disable(struct op_ctx *ctx)
{
	return write_enabled(ctx, 0);
}

enum errcode
op_secret_delete(struct op_ctx *ctx)
{
	static const char *const known[] = { "name", NULL };
	const char *name;
	enum errcode e;

	if ((e = args_only(ctx, known)) != ERR_NONE ||
	    (e = args_name(ctx, "name", &name)) != ERR_NONE ||
	    (e = record_remove(ctx, SECRET_KIND, name)) != ERR_NONE)
		return e;
	ctx->result = json_pack("{s:s, s:b}", "name", name, "deleted", 1);
	return ERR_NONE;
}
