/*
 * op_walk.c - reading one revision, listing and history: the same for
 * every kind.
 *
 *	KIND.list    { prefix?, cursor?, limit? } -> { KEY: [ { name,
 *	             revision } ], cursor }
 *	KIND.history { name, after?, limit? }     -> { name, revisions: [ VIEW
 *	             of each revision ] }
 */
#include "config.h"

#include <stdio.h>

#include "args.h"
#include "op_walk.h"
#include "record.h"
#include "validate.h"

#define WALK_LIST_MAX		1000
#define WALK_HISTORY_MAX	100

/* The name and revision ({ name, revision? }, nothing else). */
static enum errcode
op_walk_named(struct op_ctx *ctx, const char **name_r, uint64_t *rev_r)
{
	static const char *const known[] = { "name", "revision", NULL };
	enum errcode e;

	if ((e = args_only(ctx, known)) != ERR_NONE ||
	    (e = args_name(ctx, "name", name_r)) != ERR_NONE)
		return e;
	return args_uint(ctx, "revision", 0, INT64_MAX, rev_r);
}

enum errcode
op_walk_read(struct op_ctx *ctx, const char *kind, const char **name_r,
    json_t **doc_r, uint64_t *rev_r)
{
	enum errcode e;

	if ((e = op_walk_named(ctx, name_r, rev_r)) != ERR_NONE ||
	    (e = record_read(ctx, kind, *name_r, *rev_r, doc_r, rev_r)) !=
	    ERR_NONE)
		return e;
	ctx->revision = *rev_r;
	return ERR_NONE;
}

enum errcode
op_walk_read_text(struct op_ctx *ctx, const char *kind, const char **name_r,
    struct record_texts *ts)
{
	uint64_t rev;
	enum errcode e;

	if ((e = op_walk_named(ctx, name_r, &rev)) != ERR_NONE ||
	    (e = record_read_text(ctx, kind, *name_r, rev, ts)) != ERR_NONE)
		return e;
	ctx->revision = ts->t[0].rev;
	return ERR_NONE;
}

enum errcode
op_walk_list(struct op_ctx *ctx, const char *kind, const char *key)
{
	static const char *const known[] = { "prefix", "cursor", "limit",
	    NULL };
	struct coffer_buf next = { 0 };
	const char *prefix, *cursor;
	json_t *list = json_array();
	uint64_t limit;
	enum errcode e;

	if ((e = args_only(ctx, known)) == ERR_NONE &&
	    (e = args_string(ctx, "prefix", VALIDATE_NAME_MAX, &prefix)) ==
	    ERR_NONE &&
	    (e = args_string(ctx, "cursor", 1024, &cursor)) == ERR_NONE &&
	    (e = args_uint(ctx, "limit", 100, WALK_LIST_MAX, &limit)) ==
	    ERR_NONE) {
		snprintf(ctx->target, sizeof(ctx->target), "%s*",
		    prefix ? prefix : "");
		e = record_list(ctx, kind, prefix ? prefix : "", cursor,
		    limit ? limit : 100, list, &next);
	}
	if (e == ERR_NONE)
		ctx->result = json_pack("{s:O, s:s?}", key, list, "cursor",
		    next.len > 0 ? (char *)next.data : NULL);
	json_decref(list);
	buf_free(&next);
	return e;
}

enum errcode
op_walk_history(struct op_ctx *ctx, const char *kind, op_view_fn view)
{
	static const char *const known[] = { "name", "after", "limit", NULL };
	json_t *revs = json_array(), *out = json_array(), *v, *doc;
	const char *name = NULL;
	uint64_t after, limit, rev;
	size_t i;
	enum errcode e;

	if ((e = args_only(ctx, known)) == ERR_NONE &&
	    (e = args_name(ctx, "name", &name)) == ERR_NONE &&
	    (e = args_uint(ctx, "after", 0, INT64_MAX, &after)) == ERR_NONE &&
	    (e = args_uint(ctx, "limit", 20, WALK_HISTORY_MAX, &limit)) ==
	    ERR_NONE)
		e = record_revisions(ctx, kind, name, after, limit ? limit :
		    20, revs);
	json_array_foreach(revs, i, v) {
		if (e != ERR_NONE || (e = record_read(ctx, kind, name,
		    (uint64_t)json_integer_value(v), &doc, &rev)) != ERR_NONE)
			break;
		json_array_append_new(out, view(name, rev, doc));
		json_decref(doc);
	}
	json_decref(revs);
	if (e == ERR_NONE)
		ctx->result = json_pack("{s:s, s:O}", "name", name,
		    "revisions", out);
	json_decref(out);
	return e;
}
