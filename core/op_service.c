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

#include <sodium.h>

#include "args.h"
#include "keyset.h"
#include "op_walk.h"
#include "record.h"
#include "secdoc.h"
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

/* The latest revision of each of the N secrets NAMES, read together
 * (one request per hundred names on store_dynamo) and decrypted in place:
 * TS->t[I].text NULL for a name that does not exist, DOCS[I] (N of them)
 * the others' documents.  On success the caller frees TS with
 * record_texts_done(); on failure nothing is held. */
static enum errcode
svc_read(struct op_ctx *ctx, const char *const *names, size_t n,
    struct record_texts *ts, struct secdoc *docs)
{
	char why[SECDOC_WHY_MAX];
	enum errcode e;

	e = record_read_latest_many_text(ctx, SECRET_KIND, names, n, ts);
	for (size_t i = 0; e == ERR_NONE && i < n; i++) {
		const struct record_text *t = &ts->t[i];

		if (t->text != NULL &&
		    secdoc_read(&docs[i], t->text, t->len, why) < 0) {
			e = record_damaged(ctx, SECRET_KIND, names[i], t->rev,
			    why);
			record_texts_done(ts);
		}
	}
	return e;
}

/* The mapped names: distinct valid secret names that exist. */
static enum errcode
svc_check_secrets(struct op_ctx *ctx, json_t *secrets)
{
	const char *names[SERVICE_SECRETS_MAX];
	struct secdoc docs[SERVICE_SECRETS_MAX];
	struct record_texts ts;
	json_t *v;
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
		names[i] = json_string_value(v);
		for (j = 0; j < i; j++) {
			if (json_equal(json_array_get(secrets, j), v)) {
				V_MSG(ctx, "secret %s is listed twice",
				    json_string_value(v));
				return ERR_BAD_ARGS;
			}
		}
	}
	if ((e = svc_read(ctx, names, json_array_size(secrets), &ts, docs)) !=
	    ERR_NONE)
		return e;
	for (i = 0; e == ERR_NONE && i < ts.n; i++) {
		if (ts.t[i].text == NULL) {
			V_MSG(ctx, "no secret %.200s", names[i]);
			e = ERR_NOT_FOUND;
		}
	}
	record_texts_done(&ts);
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

/* Which of a service's secrets, by index, the pair keys come from. */
struct svc_keys {
	struct keyset	 set;
	uint32_t	 secret;	/* the one whose keys come next */
};

static void
svc_note_key(void *arg, const char *key, size_t len,
    const struct jsonr_span *value)
{
	struct svc_keys *k = arg;

	(void)value;
	keyset_note(&k->set, key, len, k->secret);
}

/* A revision of a service as read, its document in place in a copy of
 * its text (the thread's scratch, where it was opened, is needed next for
 * its secrets). */
struct svc_rev {
	const char		*name;
	uint64_t		 rev;
	char			*text;
	size_t			 len;
	struct secdoc_svc	 doc;
};

static void
svc_close(struct svc_rev *v)
{
	if (v->text != NULL)
		sodium_memzero(v->text, v->len);
	free(v->text);
	v->text = NULL;
}

/* The revision of the service the request names. */
static enum errcode
svc_open(struct op_ctx *ctx, struct svc_rev *v)
{
	struct record_texts ts;
	char why[SECDOC_WHY_MAX];
	enum errcode e;

	if ((e = op_walk_read_text(ctx, SERVICE_KIND, &v->name, &ts)) !=
	    ERR_NONE)
		return e;
	v->rev = ts.t[0].rev;
	v->len = ts.t[0].len;
	v->text = xmalloc(v->len + 1);
	memcpy(v->text, ts.t[0].text, v->len);
	record_texts_done(&ts);
	if (secdoc_read_svc(&v->doc, v->text, v->len, why) < 0) {
		e = record_damaged(ctx, SERVICE_KIND, v->name, v->rev, why);
		svc_close(v);
	}
	return e;
}

/* What a user reading a service gets: its view. */
static int
svc_view_write(struct jsonw *w, const void *arg)
{
	const struct svc_rev *v = arg;

	secdoc_write_svc(w, v->name, v->rev, &v->doc);
	jsonw_raw(w, "}");
	return 0;
}

/* A service's secret names as its document lists them, each decoded
 * into TEXT with a NUL after it. */
struct svc_names {
	const char	*name[SERVICE_SECRETS_MAX];
	size_t		 n;		/* more than SERVICE_SECRETS_MAX: too many */
	char		*text, *end;
};

static void
svc_names_add(void *arg, const char *s, size_t len)
{
	struct svc_names *sn = arg;

	if (sn->n >= SERVICE_SECRETS_MAX) {
		sn->n++;
		return;
	}
	memcpy(sn->end, s, len);
	sn->end[len] = '\0';
	sn->name[sn->n++] = sn->end;
	sn->end += len + 1;
}

/* What a service principal gets: the view, and every mapped secret that
 * exists and is enabled, decrypted, written from its text in place; the
 * names missing; the pair keys that collide. */
struct svc_reply {
	const struct svc_rev	*svc;
	const struct svc_names	*names;
	const struct record_texts *ts;
	const struct secdoc	*docs;
	const struct keyset	*conflicts;
};

/* The items of R's "credentials" (MISSING 0: its secrets that are there
 * and enabled) or of its "missing" (1: the names not there). */
static void
svc_reply_list(struct jsonw *w, const struct svc_reply *r, int missing)
{
	size_t k = 0;

	for (size_t i = 0; i < r->ts->n; i++) {
		const struct record_text *t = &r->ts->t[i];
		int there = t->text != NULL;

		if (missing ? there : !there ||
		    !secdoc_true(&r->docs[i].enabled))
			continue;
		if (k++ > 0)
			jsonw_raw(w, ",");
		if (missing)
			jsonw_strz(w, r->names->name[i]);
		else
			secdoc_write_credential(w, r->names->name[i], t->rev,
			    &r->docs[i]);
	}
}

static int
svc_reply_write(struct jsonw *w, const void *arg)
{
	const struct svc_reply *r = arg;

	secdoc_write_svc(w, r->svc->name, r->svc->rev, &r->svc->doc);
	jsonw_raw(w, ",\"credentials\":[");
	svc_reply_list(w, r, 0);
	jsonw_raw(w, "],\"missing\":[");
	svc_reply_list(w, r, 1);
	jsonw_raw(w, "],\"conflicts\":");
	keyset_write(r->conflicts, w, r->names->name);
	jsonw_raw(w, "}");
	return 0;
}

/* The pair keys of R's enabled secrets, noted in K->set. */
static void
svc_note_keys(const struct svc_reply *r, struct svc_keys *k)
{
	for (size_t i = 0; i < r->ts->n; i++) {
		if (r->ts->t[i].text != NULL &&
		    secdoc_true(&r->docs[i].enabled)) {
			k->secret = (uint32_t)i;
			secdoc_pair_keys(&r->docs[i], svc_note_key, k);
		}
	}
}

static enum errcode
svc_credentials(struct op_ctx *ctx, const struct svc_rev *v,
    const struct svc_names *sn)
{
	struct secdoc docs[SERVICE_SECRETS_MAX];
	struct record_texts ts;
	struct svc_keys k;
	struct svc_reply r = { v, sn, &ts, docs, &k.set };
	enum errcode e;

	if ((e = svc_read(ctx, sn->name, sn->n, &ts, docs)) != ERR_NONE)
		return e;
	keyset_init(&k.set);
	svc_note_keys(&r, &k);
	e = op_result_text(ctx, svc_reply_write, &r);
	keyset_free(&k.set);
	record_texts_done(&ts);
	return e;
}

/* What the service principal of V gets, when V is enabled. */
static enum errcode
svc_get_own(struct op_ctx *ctx, const struct svc_rev *v)
{
	struct svc_names sn;	/* not zeroed: name[] is filled up to n */
	enum errcode e;

	if (!secdoc_true(&v->doc.enabled)) {
		V_MSG(ctx, "service %s is disabled", v->name);
		return ERR_DENIED;
	}
	/* Decoded, each name is shorter than its text with its quotes. */
	sn.n = 0;
	sn.text = sn.end = xmalloc(v->doc.secrets.len + 1);
	if (jsonr_strings(v->doc.secrets.s, v->doc.secrets.len,
	    svc_names_add, &sn, NULL) < 0) {
		e = record_damaged(ctx, SERVICE_KIND, v->name, v->rev,
		    "\"secrets\" is not a list of names");
	} else if (sn.n > SERVICE_SECRETS_MAX) {
		V_MSG(ctx, "service %.200s maps more than %d secrets",
		    v->name, SERVICE_SECRETS_MAX);
		e = ERR_INTERNAL;
	} else {
		e = svc_credentials(ctx, v, &sn);
	}
	free(sn.text);
	return e;
}

enum errcode
op_service_get(struct op_ctx *ctx)
{
	struct svc_rev v;
	enum errcode e;

	if ((e = svc_open(ctx, &v)) != ERR_NONE)
		return e;
	if (ctx->who->type != COFFER_PRINCIPAL_SERVICE)
		e = op_result_text(ctx, svc_view_write, &v);
	else
		e = svc_get_own(ctx, &v);
	svc_close(&v);
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
