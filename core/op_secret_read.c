/*
 * op_secret_read.c - operations that read secrets (docs/protocol.md).
 *
 *	secret.get     { name, revision? }      the pairs, decrypted (written
 *	                                        from the record in place)
 *	secret.meta    { name, revision? }      everything but the values
 *	secret.list    { prefix?, cursor?, limit? }
 *	secret.history { name, after?, limit? }
 *	secret.diff    { name, from, to }       which keys changed, no values
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "op_walk.h"
#include "record.h"
#include "secdoc.h"
#include "validate.h"

#define R_MSG(ctx, ...) snprintf((ctx)->msg, sizeof((ctx)->msg), __VA_ARGS__)

static int
read_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The pair keys of DOC, sorted: what a secret holds, without values. */
static json_t *
read_keys(json_t *doc)
{
	json_t *pairs = json_object_get(doc, "pairs"), *keys = json_array(), *v;
	const char *sorted[VALIDATE_PAIRS_MAX], *key;
	size_t n = 0;

	json_object_foreach(pairs, key, v) {
		if (n < VALIDATE_PAIRS_MAX)
			sorted[n++] = key;
	}
	qsort(sorted, n, sizeof(*sorted), read_cmp);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(keys, json_string(sorted[i]));
	return keys;
}

/* What secret.meta and a history entry show of revision REV of NAME:
 * everything but the values. */
static json_t *
read_meta_view(const char *name, uint64_t rev, json_t *doc)
{
	json_t *view = record_view(name, rev, doc);

	if (view == NULL)
		return NULL;
	json_object_set(view, "enabled", json_object_get(doc, "enabled"));
	json_object_set(view, "metadata", json_object_get(doc, "metadata"));
	json_object_set_new(view, "keys", read_keys(doc));
	return view;
}

/* What secret.get answers, written from the decrypted text in place. */
struct read_get {
	const char	*name;
	uint64_t	 rev;
	struct secdoc	 doc;
};

static int
read_get_write(struct jsonw *w, const void *arg)
{
	const struct read_get *g = arg;

	secdoc_write_get(w, g->name, g->rev, &g->doc);
	return 0;
}

enum errcode
op_secret_get(struct op_ctx *ctx)
{
	struct record_texts ts;
	struct read_get g;
	char why[SECDOC_WHY_MAX];
	enum errcode e;

	if ((e = op_walk_read_text(ctx, SECRET_KIND, &g.name, &ts)) !=
	    ERR_NONE)
		return e;
	g.rev = ts.t[0].rev;
	if (secdoc_read(&g.doc, ts.t[0].text, ts.t[0].len, why) < 0)
		e = record_damaged(ctx, SECRET_KIND, g.name, g.rev, why);
	else
		e = op_result_text(ctx, read_get_write, &g);
	record_texts_done(&ts);
	return e;
}

enum errcode
op_secret_meta(struct op_ctx *ctx)
{
	const char *name;
	uint64_t rev;
	json_t *doc;
	enum errcode e;

	if ((e = op_walk_read(ctx, SECRET_KIND, &name, &doc, &rev)) !=
	    ERR_NONE)
		return e;
	ctx->result = read_meta_view(name, rev, doc);
	json_decref(doc);
	return ctx->result != NULL ? ERR_NONE : ERR_INTERNAL;
}

enum errcode
op_secret_list(struct op_ctx *ctx)
{
	return op_walk_list(ctx, SECRET_KIND, "secrets");
}

enum errcode
op_secret_history(struct op_ctx *ctx)
{
	return op_walk_history(ctx, SECRET_KIND, read_meta_view);
}

/* Keys added, removed and changed from A to B (objects of strings). */
static json_t *
read_diff_map(json_t *a, json_t *b)
{
	json_t *added = json_array(), *removed = json_array();
	json_t *changed = json_array(), *v;
	const char *key;

	json_object_foreach(b, key, v) {
		json_t *old = json_object_get(a, key);

		if (old == NULL)
			json_array_append_new(added, json_string(key));
		else if (!json_equal(old, v))
			json_array_append_new(changed, json_string(key));
	}
	json_object_foreach(a, key, v) {
		if (json_object_get(b, key) == NULL)
			json_array_append_new(removed, json_string(key));
	}
	return json_pack("{s:o, s:o, s:o}", "added", added, "removed",
	    removed, "changed", changed);
}

enum errcode
op_secret_diff(struct op_ctx *ctx)
{
	static const char *const known[] = { "name", "from", "to", NULL };
	const char *name;
	uint64_t from, to;
	json_t *a = NULL, *b = NULL;
	enum errcode e;

	if ((e = args_only(ctx, known)) != ERR_NONE ||
	    (e = args_name(ctx, "name", &name)) != ERR_NONE ||
	    (e = args_uint(ctx, "from", 0, INT64_MAX, &from)) != ERR_NONE ||
	    (e = args_uint(ctx, "to", 0, INT64_MAX, &to)) != ERR_NONE)
		return e;
	if (from == 0 || to == 0) {
		R_MSG(ctx, "secret.diff needs \"from\" and \"to\" revisions");
		return ERR_BAD_ARGS;
	}
	if ((e = record_read(ctx, SECRET_KIND, name, from, &a, &from)) == ERR_NONE &&
	    (e = record_read(ctx, SECRET_KIND, name, to, &b, &to)) == ERR_NONE)
		ctx->result = json_pack("{s:s, s:I, s:I, s:o, s:o, s:b, s:b}",
		    "name", name, "from", (json_int_t)from, "to",
		    (json_int_t)to, "pairs", read_diff_map(json_object_get(a,
		    "pairs"), json_object_get(b, "pairs")), "metadata",
		    read_diff_map(json_object_get(a, "metadata"),
		    json_object_get(b, "metadata")), "enabled_from",
		    json_is_true(json_object_get(a, "enabled")), "enabled_to",
		    json_is_true(json_object_get(b, "enabled")));
	json_decref(a);
	json_decref(b);
	return e;
}
