/*
 * op_reseal.c - "keyring.reseal": seal old revisions under the newest key.
 *
 *	keyring.reseal { kind?, cursor?, limit? }
 *	    -> { kind, names, revisions, resealed, cursor }
 *
 * Walks LIMIT names of KIND ("secret", the default; "service", "blind")
 * from CURSOR, and reseals every revision that another master key sealed.
 * Call again with the returned cursor until it is null; then no record
 * needs the old keys, and they can leave the keyring (docs/keys.md).
 * Idempotent: a record sealed under the newest key is left alone.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "args.h"
#include "record.h"

#define R_MSG(ctx, ...) snprintf((ctx)->msg, sizeof((ctx)->msg), __VA_ARGS__)

struct reseal_count {
	uint64_t	revisions, resealed;
};

/* Every revision of NAME, a thousand at a time. */
static enum errcode
reseal_name(struct op_ctx *ctx, const char *kind, const char *name,
    struct reseal_count *n)
{
	uint64_t after = 0;
	enum errcode e;

	for (;;) {
		json_t *revs = json_array(), *v;
		size_t i;
		int done;

		e = record_revisions(ctx, kind, name, after, 1000, revs);
		json_array_foreach(revs, i, v) {
			after = (uint64_t)json_integer_value(v);
			done = 0;
			if (e == ERR_NONE)
				e = record_reseal(ctx, kind, name, after,
				    &done);
			n->revisions++;
			n->resealed += (uint64_t)done;
		}
		i = json_array_size(revs);
		json_decref(revs);
		if (e == ERR_NOT_FOUND)
			return ERR_NONE;	/* removed meanwhile */
		if (e != ERR_NONE || i < 1000)
			return e;
	}
}

static const char *
reseal_kind(struct op_ctx *ctx, enum errcode *e)
{
	static const char *const kinds[] = { SECRET_KIND, SERVICE_KIND,
	    BLIND_KIND };
	const char *kind;

	if ((*e = args_string(ctx, "kind", 16, &kind)) != ERR_NONE)
		return NULL;
	if (kind == NULL)
		return SECRET_KIND;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return kinds[i];
	R_MSG(ctx, "\"kind\" is secret, service or blind");
	*e = ERR_BAD_ARGS;
	return NULL;
}

enum errcode
op_keyring_reseal(struct op_ctx *ctx)
{
	static const char *const known[] = { "kind", "cursor", "limit", NULL };
	struct coffer_buf next = { 0 };
	struct reseal_count n = { 0 };
	const char *kind, *cursor;
	json_t *names = json_array(), *v;
	uint64_t limit;
	size_t i;
	enum errcode e;

	if ((e = args_only(ctx, known)) != ERR_NONE ||
	    (kind = reseal_kind(ctx, &e)) == NULL ||
	    (e = args_string(ctx, "cursor", 1024, &cursor)) != ERR_NONE ||
	    (e = args_uint(ctx, "limit", 100, 1000, &limit)) != ERR_NONE)
		goto out;
	snprintf(ctx->target, sizeof(ctx->target), "%s", kind);
	if (keyring_newest(ctx->ring) == NULL ||
	    modules_store_replace(ctx->mods) == NULL) {
		R_MSG(ctx, "resealing needs a keyring and a store that can "
		    "replace records (module ABI 1.1)");
		e = ERR_UNAVAILABLE;
		goto out;
	}
	e = record_list(ctx, kind, "", cursor, limit ? limit : 100, names,
	    &next);
	json_array_foreach(names, i, v) {
		if (e != ERR_NONE)
			break;
		e = reseal_name(ctx, kind, json_string_value(json_object_get(v,
		    "name")), &n);
	}
	if (e == ERR_NONE)
		ctx->result = json_pack("{s:s, s:I, s:I, s:I, s:s?}", "kind",
		    kind, "names", (json_int_t)json_array_size(names),
		    "revisions", (json_int_t)n.revisions, "resealed",
		    (json_int_t)n.resealed, "cursor", next.len > 0 ?
		    (char *)next.data : NULL);
out:
	json_decref(names);
	buf_free(&next);
	return e;
}
