/*
 * op_service.c - services: which secrets a service principal may read
 * (docs/protocol.md).
 *
 *	service.put     { name, secrets, enabled?, comment?, expect? }
 *	service.get     { name, revision? }
 *	service.list    { prefix?, cursor?, limit? }
 *	service.history { name, after?, limit? }
 *	service.revert  { name, revision, comment?, expect? }
 *
 * A service is revisioned like a secret.  A user reading a service gets its
 * mapping; the service principal of the same name gets, in one reply, every
 * mapped secret that exists and is enabled, decrypted, and the pair keys
 * that more than one of them holds.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "op_walk.h"
#include "record.h"
#include "validate.h"
#include "xalloc.h"

#define V_MSG(ctx, ...) snprintf((ctx)->msg, sizeof((ctx)->msg), __VA_ARGS__)
#define SERVICE_SECRETS_MAX	256

struct svc_change {
	json_t		*secrets;	/* NULL: keep */
	int		 enabled;	/* -1: keep */
	json_t		*comment;
	uint64_t	 from;		/* revert: the revision to copy */
};

/* The latest revision of every secret named in SECRETS, read together
 * (one request per hundred names on store_dynamo): DOCS[I] NULL for a
 * name that does not exist.  The caller frees both arrays and the docs. */
static enum errcode
svc_read(struct op_ctx *ctx, json_t *secrets, json_t ***docs_r,
    uint64_t **revs_r)
{
	size_t n = json_array_size(secrets), i;
	const char **names = xcalloc(n ? n : 1, sizeof(*names));
	json_t *v;
	enum errcode e;

	*docs_r = xcalloc(n ? n : 1, sizeof(**docs_r));
	*revs_r = xcalloc(n ? n : 1, sizeof(**revs_r));
	json_array_foreach(secrets, i, v)	/* strings: checked on write */
		names[i] = json_is_string(v) ? json_string_value(v) : "";
	e = record_read_latest_many(ctx, SECRET_KIND, names, n, *docs_r,
	    *revs_r);
	free(names);
	return e;
}

/* The mapped names: distinct valid secret names that exist. */
static enum errcode
svc_check_secrets(struct op_ctx *ctx, json_t *secrets)
{
	json_t *v, **docs;
	uint64_t *revs;
	size_t i, j;
	enum errcode e;

	if (!json_is_array(secrets) ||
	    json_array_size(secrets) > SERVICE_SECRETS_MAX) {
		V_MSG(ctx, "\"secrets\" must be an array of at most %d secret "
		    "names", SERVICE_SECRETS_MAX);
		return ERR_BAD_ARGS;
	}
	json_array_foreach(secrets, i, v) {
		if ((e = validate_name(v, ctx->msg)) != ERR_NONE)
			return e;
		for (j = 0; j < i; j++) {
			if (json_equal(json_array_get(secrets, j), v)) {
				V_MSG(ctx, "secret %s is listed twice",
				    json_string_value(v));
				return ERR_BAD_ARGS;
			}
		}
	}
	e = svc_read(ctx, secrets, &docs, &revs);
	json_array_foreach(secrets, i, v) {
		if (e == ERR_NONE && docs[i] == NULL) {
			V_MSG(ctx, "no secret %.200s", json_string_value(v));
			e = ERR_NOT_FOUND;
		}
		json_decref(docs[i]);
	}
	free(docs);
	free(revs);
	return e;
}

static json_t *
svc_doc(const struct op_ctx *ctx, json_t *secrets, int enabled,
    json_t *comment)
{
	json_t *doc = json_pack("{s:O, s:b, s:O*}", "secrets", secrets,
	    "enabled", enabled, "comment", comment);

	if (doc != NULL && record_stamp(ctx, doc) < 0) {
		json_decref(doc);
		doc = NULL;
	}
	return doc;
}

static json_t *
svc_apply(struct op_ctx *ctx, json_t *latest, void *arg, enum errcode *e)
{
	struct svc_change *c = arg;
	json_t *from = NULL, *doc;
	uint64_t rev;

	if (c->from != 0) {
		if ((*e = record_read(ctx, SERVICE_KIND, ctx->target, c->from,
		    &from, &rev)) != ERR_NONE)
			return NULL;
		latest = from;
	}
	doc = svc_doc(ctx, c->secrets ? c->secrets :
	    json_object_get(latest, "secrets"), c->enabled >= 0 ? c->enabled :
	    json_is_true(json_object_get(latest, "enabled")), c->comment);
	json_decref(from);
	if (doc == NULL) {
		V_MSG(ctx, "cannot build the service");
		*e = ERR_INTERNAL;
	}
	return doc;
}

static enum errcode
svc_result(struct op_ctx *ctx, const char *name, uint64_t rev)
{
	ctx->revision = rev;
	ctx->result = json_pack("{s:s, s:I}", "name", name, "revision",
	    (json_int_t)rev);
	return ERR_NONE;
}

/* A new service at revision 1; if someone made it meanwhile, a change. */
static enum errcode
svc_create(struct op_ctx *ctx, const char *name, struct svc_change *c,
    uint64_t *rev_r)
{
	json_t *doc;
	enum errcode e;

	if (c->secrets == NULL) {
		V_MSG(ctx, "a new service needs \"secrets\"");
		return ERR_BAD_ARGS;
	}
	if ((doc = svc_doc(ctx, c->secrets, c->enabled != 0, c->comment)) ==
	    NULL)
		return ERR_INTERNAL;
	e = record_write(ctx, SERVICE_KIND, name, 1, doc);
	json_decref(doc);
	*rev_r = 1;
	if (e == ERR_CONFLICT)
		e = record_change(ctx, SERVICE_KIND, name, 0, svc_apply, c,
		    rev_r);
	return e;
}

enum errcode
op_service_put(struct op_ctx *ctx)
{
	static const char *const known[] = { "name", "secrets", "enabled",
	    "comment", "expect", NULL };
	struct svc_change c = { .enabled = -1 };
	const char *name;
	uint64_t expect, rev = 0;
	enum errcode e;

	if ((e = args_only(ctx, known)) != ERR_NONE ||
	    (e = args_name(ctx, "name", &name)) != ERR_NONE ||
	    (e = args_uint(ctx, "expect", 0, INT64_MAX, &expect)) != ERR_NONE ||
	    (e = args_bool(ctx, "enabled", &c.enabled)) != ERR_NONE)
		return e;
	c.secrets = json_object_get(ctx->req->args, "secrets");
	c.comment = json_object_get(ctx->req->args, "comment");
	if ((c.comment != NULL &&
	    (e = validate_comment(c.comment, ctx->msg)) != ERR_NONE) ||
	    (c.secrets != NULL &&
	    (e = svc_check_secrets(ctx, c.secrets)) != ERR_NONE))
		return e;
	e = record_change(ctx, SERVICE_KIND, name, expect, svc_apply, &c, &rev);
	if (e == ERR_NOT_FOUND && expect == 0)
		e = svc_create(ctx, name, &c, &rev);
	return e != ERR_NONE ? e : svc_result(ctx, name, rev);
}

enum errcode
op_service_revert(struct op_ctx *ctx)
{
	static const char *const known[] = { "name", "revision", "comment",
	    "expect", NULL };
	struct svc_change c = { .enabled = -1 };
	char note[64];
	const char *name;
	uint64_t expect, rev = 0;
	enum errcode e;

	if ((e = args_only(ctx, known)) != ERR_NONE ||
	    (e = args_name(ctx, "name", &name)) != ERR_NONE ||
	    (e = args_uint(ctx, "expect", 0, INT64_MAX, &expect)) != ERR_NONE ||
	    (e = args_uint(ctx, "revision", 0, INT64_MAX, &c.from)) != ERR_NONE)
		return e;
	if (c.from == 0) {
		V_MSG(ctx, "service.revert needs \"revision\", 1 or more");
		return ERR_BAD_ARGS;
	}
	snprintf(note, sizeof(note), "revert to revision %llu",
	    (unsigned long long)c.from);
	c.comment = json_object_get(ctx->req->args, "comment");
	if (c.comment != NULL &&
	    (e = validate_comment(c.comment, ctx->msg)) != ERR_NONE)
		return e;
	c.comment = c.comment ? json_incref(c.comment) : json_string(note);
	e = record_change(ctx, SERVICE_KIND, name, expect, svc_apply, &c, &rev);
	json_decref(c.comment);
	return e != ERR_NONE ? e : svc_result(ctx, name, rev);
}

static json_t *
svc_view(const char *name, uint64_t rev, json_t *doc)
{
	json_t *view = record_view(name, rev, doc);

	if (view != NULL) {
		json_object_set(view, "secrets", json_object_get(doc,
		    "secrets"));
		json_object_set(view, "enabled", json_object_get(doc,
		    "enabled"));
	}
	return view;
}

/* Note in CONFLICTS every key of PAIRS another secret already holds. */
static void
svc_note_keys(json_t *seen, json_t *conflicts, const char *secret,
    json_t *pairs)
{
	const char *key;
	json_t *v, *owners;

	json_object_foreach(pairs, key, v) {
		if ((owners = json_object_get(seen, key)) == NULL) {
			json_object_set_new(seen, key, json_pack("[s]", secret));
			continue;
		}
		json_array_append_new(owners, json_string(secret));
		json_object_set(conflicts, key, owners);
	}
}

/* Add secret NAME (revision REV, document S) to what the service gets,
 * if it is enabled. */
static void
svc_add_credential(json_t *creds, json_t *seen, json_t *conflicts,
    const char *name, uint64_t rev, json_t *s)
{
	if (!json_is_true(json_object_get(s, "enabled")))
		return;
	json_array_append_new(creds, json_pack("{s:s, s:I, s:O, s:O}", "name",
	    name, "revision", (json_int_t)rev, "pairs", json_object_get(s,
	    "pairs"), "metadata", json_object_get(s, "metadata")));
	svc_note_keys(seen, conflicts, name, json_object_get(s, "pairs"));
}

/* What the service principal gets: every mapped secret that exists and is
 * enabled, decrypted, with the pair keys that collide. */
static enum errcode
svc_credentials(struct op_ctx *ctx, json_t *doc, json_t *view)
{
	json_t *secrets = json_object_get(doc, "secrets"), **docs;
	json_t *creds = json_array(), *missing = json_array();
	json_t *seen = json_object(), *conflicts = json_object();
	size_t n = json_array_size(secrets);
	uint64_t *revs;
	enum errcode e = svc_read(ctx, secrets, &docs, &revs);

	for (size_t i = 0; i < n; i++) {
		json_t *name = json_array_get(secrets, i);

		if (e == ERR_NONE && docs[i] == NULL)
			json_array_append(missing, name);
		else if (e == ERR_NONE)
			svc_add_credential(creds, seen, conflicts,
			    json_string_value(name), revs[i], docs[i]);
		json_decref(docs[i]);
	}
	json_object_set_new(view, "credentials", creds);
	json_object_set_new(view, "missing", missing);
	json_object_set_new(view, "conflicts", conflicts);
	json_decref(seen);
	free(docs);
	free(revs);
	return e;
}

enum errcode
op_service_get(struct op_ctx *ctx)
{
	const char *name;
	uint64_t rev;
	json_t *doc;
	enum errcode e;

	if ((e = op_walk_read(ctx, SERVICE_KIND, &name, &doc, &rev)) !=
	    ERR_NONE)
		return e;
	ctx->result = svc_view(name, rev, doc);
	if (ctx->who->type == COFFER_PRINCIPAL_SERVICE) {
		if (!json_is_true(json_object_get(doc, "enabled"))) {
			V_MSG(ctx, "service %s is disabled", name);
			e = ERR_DENIED;
		} else {
			e = svc_credentials(ctx, doc, ctx->result);
		}
	}
	json_decref(doc);
	if (e != ERR_NONE) {
		json_decref(ctx->result);
		ctx->result = NULL;
	}
	return e;
}

enum errcode
op_service_list(struct op_ctx *ctx)
{
	return op_walk_list(ctx, SERVICE_KIND, "services");
}

enum errcode
op_service_history(struct op_ctx *ctx)
{
	return op_walk_history(ctx, SERVICE_KIND, svc_view);
}
