/*
 * record.c - read and write sealed revisions (of secrets, of services)
 * through the store.
 */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "jsonmem.h"
#include "jsonr.h"
#include "log.h"
#include "modules.h"
#include "seal.h"
#include "record.h"
#include "scratch.h"
#include "xalloc.h"

#define S_MSG(ctx, ...) snprintf((ctx)->msg, sizeof((ctx)->msg), __VA_ARGS__)

/* The store's answer as a protocol error, logging what the client is not
 * told. */
static enum errcode
record_store_error(struct op_ctx *ctx, enum coffer_rc rc, const char *what,
    const char *kind, const char *name, const struct coffer_error *err)
{
	switch (rc) {
	case COFFER_NOT_FOUND:
		S_MSG(ctx, "no %s %.200s", kind, name);
		return ERR_NOT_FOUND;
	case COFFER_CONFLICT:
		S_MSG(ctx, "%s %.200s changed meanwhile", kind, name);
		return ERR_CONFLICT;
	case COFFER_TOO_LARGE:
		S_MSG(ctx, "%s %.200s is larger than the store takes", kind,
		    name);
		return ERR_TOO_LARGE;
	case COFFER_UNAVAILABLE:
		log_warn("store: %s %s %s: %s", what, kind, name, err->msg);
		/* The client may retry: say why (an AWS error code, say;
		 * store messages never hold secrets). */
		S_MSG(ctx, "the store is unavailable (%.180s); try again later",
		    err->msg);
		return ERR_UNAVAILABLE;
	default:
		log_error("store: %s %s %s: %s", what, kind, name, err->msg);
		S_MSG(ctx, "the store failed; see the server log");
		return ERR_INTERNAL;
	}
}

enum errcode
record_damaged(struct op_ctx *ctx, const char *kind, const char *name,
    uint64_t rev, const char *why)
{
	log_error("%s %s revision %llu: %s", kind, name,
	    (unsigned long long)rev, why);
	S_MSG(ctx, "%s %.120s revision %llu is damaged or was tampered "
	    "with; it is not served", kind, name, (unsigned long long)rev);
	return ERR_TAMPERED;
}

/* Open the N sealed records in BUFS (RCS[I] COFFER_OK for those found)
 * into one scratch buffer, as TS's texts. */
static enum errcode
record_open(struct op_ctx *ctx, const char *kind, const char *const *names,
    size_t n, const struct coffer_buf *bufs, const uint64_t *revs,
    const enum coffer_rc *rcs, struct record_texts *ts)
{
	char err[SEAL_ERR_MAX];
	size_t off = 0, len;

	ts->used = 1;
	for (size_t i = 0; i < n; i++)
		ts->used += rcs[i] == COFFER_OK ? bufs[i].len : 0;
	if ((ts->plain = scratch_get(ts->used)) == NULL) {
		S_MSG(ctx, "out of memory");
		return ERR_INTERNAL;
	}
	for (size_t i = 0; i < n; i++) {
		ts->t[i].rev = revs[i];
		if (rcs[i] != COFFER_OK)
			continue;
		if (seal_open(ctx->ring, kind, names[i], revs[i], bufs[i].data,
		    bufs[i].len, ts->plain + off, &len, err) != SEAL_OK)
			return record_damaged(ctx, kind, names[i], revs[i], err);
		ts->t[i].text = (const char *)ts->plain + off;
		ts->t[i].len = len;
		off += len;
	}
	return ERR_NONE;
}

static void
record_texts_init(struct record_texts *ts, size_t n)
{
	ts->t = xcalloc(n ? n : 1, sizeof(*ts->t));
	ts->n = n;
	ts->plain = NULL;
	ts->used = 0;
}

void
record_texts_done(struct record_texts *ts)
{
	scratch_done(ts->plain, ts->used);
	free(ts->t);
	ts->t = NULL;
	ts->plain = NULL;
}

enum errcode
record_read_text(struct op_ctx *ctx, const char *kind, const char *name,
    uint64_t rev, struct record_texts *ts)
{
	const struct instance *st = &ctx->mods->store;
	struct coffer_error err = { "" };
	struct coffer_buf rec = { 0 };
	enum coffer_rc rc;
	enum errcode e;
	uint64_t got = 0;

	record_texts_init(ts, 1);
	rc = st->mod->desc->store->get(st->inst, kind, name, rev, &got,
	    &rec, &err);
	if (rc == COFFER_NOT_FOUND && rev != 0) {
		S_MSG(ctx, "%s %.200s has no revision %llu", kind, name,
		    (unsigned long long)rev);
		e = ERR_NOT_FOUND;
	} else if (rc != COFFER_OK) {
		e = record_store_error(ctx, rc, "read", kind, name, &err);
	} else {
		e = record_open(ctx, kind, &name, 1, &rec, &got, &rc, ts);
	}
	buf_free(&rec);
	if (e != ERR_NONE)
		record_texts_done(ts);
	return e;
}

/* TEXT (LEN bytes) as a document: a new object in *DOC_R. */
static enum errcode
record_parse(struct op_ctx *ctx, const char *kind, const char *name,
    const struct record_text *t, json_t **doc_r)
{
	*doc_r = jsonr_load(t->text, t->len, 0, NULL);
	if (json_is_object(*doc_r))
		return ERR_NONE;
	json_decref(*doc_r);
	*doc_r = NULL;
	return record_damaged(ctx, kind, name, t->rev,
	    "opens, but holds no secret document");
}

enum errcode
record_read(struct op_ctx *ctx, const char *kind, const char *name, uint64_t rev,
    json_t **doc_r, uint64_t *rev_r)
{
	struct record_texts ts;
	enum errcode e;

	*doc_r = NULL;
	if ((e = record_read_text(ctx, kind, name, rev, &ts)) != ERR_NONE)
		return e;
	*rev_r = ts.t[0].rev;
	e = record_parse(ctx, kind, name, &ts.t[0], doc_r);
	record_texts_done(&ts);
	return e;
}

/* The store's answers for one batch of N names, through MANY, the store's
 * get_latest_many() (N up to its maximum), or get() when it has none (N is
 * 1).  *FAILED: the name, or the batch's first, a failure is reported
 * for. */
static enum coffer_rc
record_fetch(struct op_ctx *ctx, coffer_store_many_fn many, const char *kind,
    const char *const *names, size_t n, struct coffer_buf *bufs,
    uint64_t *revs, enum coffer_rc *rcs, const char **failed,
    struct coffer_error *err)
{
	const struct instance *st = &ctx->mods->store;
	struct coffer_buf *outs[COFFER_STORE_BATCH_MAX];
	enum coffer_rc rc;

	*failed = names[0];
	if (many == NULL) {
		rcs[0] = st->mod->desc->store->get(st->inst, kind, names[0], 0,
		    &revs[0], &bufs[0], err);
		return rcs[0] == COFFER_NOT_FOUND ? COFFER_OK : rcs[0];
	}
	for (size_t i = 0; i < n; i++) {
		outs[i] = &bufs[i];
		rcs[i] = COFFER_ERROR;
	}
	if ((rc = many(st->inst, kind, names, n, outs, revs, rcs, err)) !=
	    COFFER_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (rcs[i] != COFFER_OK && rcs[i] != COFFER_NOT_FOUND) {
			*failed = names[i];	/* not an answer get() gives */
			snprintf(err->msg, sizeof(err->msg), "get_latest_many "
			    "answered %d for one name", (int)rcs[i]);
			return COFFER_ERROR;
		}
	}
	return COFFER_OK;
}

enum errcode
record_read_latest_many_text(struct op_ctx *ctx, const char *kind,
    const char *const *names, size_t n, struct record_texts *ts)
{
	struct coffer_buf *bufs = xcalloc(n ? n : 1, sizeof(*bufs));
	enum coffer_rc *rcs = xcalloc(n ? n : 1, sizeof(*rcs)), rc = COFFER_OK;
	uint64_t *revs = xcalloc(n ? n : 1, sizeof(*revs));
	coffer_store_many_fn many = modules_store_get_latest_many(ctx->mods);
	size_t batch = many != NULL ? COFFER_STORE_BATCH_MAX : 1;
	struct coffer_error err = { "" };
	enum errcode e = ERR_NONE;
	const char *failed = "";

	record_texts_init(ts, n);
	for (size_t i = 0; i < n && rc == COFFER_OK; i += batch)
		rc = record_fetch(ctx, many, kind, names + i, n - i < batch ?
		    n - i : batch, bufs + i, revs + i, rcs + i, &failed, &err);
	if (rc != COFFER_OK)
		e = record_store_error(ctx, rc, "read", kind, failed, &err);
	else
		e = record_open(ctx, kind, names, n, bufs, revs, rcs, ts);
	for (size_t i = 0; i < n; i++)
		buf_free(&bufs[i]);
	free(bufs);
	free(rcs);
	free(revs);
	if (e != ERR_NONE)
		record_texts_done(ts);
	return e;
}

/* Seal PLAIN for its place and put it; the store's answer. */
static enum coffer_rc
record_put_sealed(struct op_ctx *ctx, const char *kind, const char *name, uint64_t rev,
    const char *plain, size_t len, struct coffer_error *err)
{
	const struct instance *st = &ctx->mods->store;
	uint8_t *rec = malloc(len + SEAL_OVERHEAD);
	enum coffer_rc rc;

	if (rec == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return COFFER_ERROR;
	}
	seal_close(ctx->ring, kind, name, rev, plain, len, rec);
	rc = st->mod->desc->store->put(st->inst, kind, name, rev, rec,
	    len + SEAL_OVERHEAD, err);
	free(rec);
	return rc;
}

enum errcode
record_write(struct op_ctx *ctx, const char *kind, const char *name, uint64_t rev, json_t *doc)
{
	struct coffer_error err = { "" };
	enum coffer_rc rc;
	char *plain;
	size_t len;

	if (keyring_newest(ctx->ring) == NULL) {
		S_MSG(ctx, "the daemon has no master key (keyring) to seal "
		    "secrets with");
		return ERR_UNAVAILABLE;
	}
	if ((plain = json_dumps(doc, JSON_COMPACT)) == NULL) {
		S_MSG(ctx, "cannot encode the secret");
		return ERR_INTERNAL;
	}
	len = strlen(plain);
	if (len + SEAL_OVERHEAD > ctx->mods->limits.max_record)
		rc = COFFER_TOO_LARGE;
	else
		rc = record_put_sealed(ctx, kind, name, rev, plain, len, &err);
	jsonmem_free_text(plain);	/* wipes */
	if (rc == COFFER_OK)
		return ERR_NONE;
	return record_store_error(ctx, rc, "write", kind, name, &err);
}

json_t *
record_view(const char *name, uint64_t rev, json_t *doc)
{
	json_t *view = json_pack("{s:s, s:I, s:O, s:O}", "name", name,
	    "revision", (json_int_t)rev, "modified_by",
	    json_object_get(doc, "modified_by"), "modified_at",
	    json_object_get(doc, "modified_at"));

	if (view != NULL && json_is_string(json_object_get(doc, "comment")))
		json_object_set(view, "comment", json_object_get(doc, "comment"));
	return view;
}

int
record_stamp(const struct op_ctx *ctx, json_t *doc)
{
	char when[32], who[COFFER_NAME_MAX + 16];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(who, sizeof(who), "%s/%s", principal_type_name(ctx->who->type),
	    ctx->who->name);
	return json_object_set_new(doc, "modified_by", json_string(who)) |
	    json_object_set_new(doc, "modified_at", json_string(when));
}

#define RECORD_RETRIES	16

enum errcode
record_change(struct op_ctx *ctx, const char *kind, const char *name, uint64_t expect,
    record_change_fn change, void *arg, uint64_t *rev_r)
{
	json_t *latest, *doc;
	uint64_t rev;
	enum errcode e;

	for (int tries = 0; tries < RECORD_RETRIES; tries++) {
		if ((e = record_read(ctx, kind, name, 0, &latest, &rev)) != ERR_NONE)
			return e;
		if (expect != 0 && expect != rev) {
			json_decref(latest);
			S_MSG(ctx, "%s %.200s is at revision %llu, not %llu",
			    kind, name, (unsigned long long)rev,
			    (unsigned long long)expect);
			return ERR_CONFLICT;
		}
		doc = change(ctx, latest, arg, &e);
		json_decref(latest);
		if (doc == NULL)
			return e;
		e = record_write(ctx, kind, name, rev + 1, doc);
		json_decref(doc);
		if (e != ERR_CONFLICT || expect != 0) {
			*rev_r = rev + 1;
			return e;
		}
	}
	S_MSG(ctx, "%s %.200s changed %d times while writing; try again",
	    kind, name, RECORD_RETRIES);
	return ERR_CONFLICT;
}

enum errcode
record_remove(struct op_ctx *ctx, const char *kind, const char *name)
{
	const struct instance *st = &ctx->mods->store;
	struct coffer_error err = { "" };
	enum coffer_rc rc;

	rc = st->mod->desc->store->remove(st->inst, kind, name, &err);
	return rc == COFFER_OK ? ERR_NONE :
	    record_store_error(ctx, rc, "remove", kind, name, &err);
}

static int
record_list_one(void *arg, const char *name, uint64_t latest)
{
	return json_array_append_new(arg, json_pack("{s:s, s:I}", "name", name,
	    "revision", (json_int_t)latest));
}

enum errcode
record_list(struct op_ctx *ctx, const char *kind, const char *prefix, const char *cursor,
    size_t limit, json_t *list, struct coffer_buf *next)
{
	const struct instance *st = &ctx->mods->store;
	struct coffer_error err = { "" };
	enum coffer_rc rc;

	rc = st->mod->desc->store->list(st->inst, kind, prefix, cursor,
	    limit, record_list_one, list, next, &err);
	return rc == COFFER_OK ? ERR_NONE :
	    record_store_error(ctx, rc, "list", kind, prefix, &err);
}

static int
record_revision_one(void *arg, uint64_t rev)
{
	return json_array_append_new(arg, json_integer((json_int_t)rev));
}

enum errcode
record_revisions(struct op_ctx *ctx, const char *kind, const char *name, uint64_t after,
    size_t limit, json_t *revs)
{
	const struct instance *st = &ctx->mods->store;
	struct coffer_error err = { "" };
	enum coffer_rc rc;

	rc = st->mod->desc->store->revisions(st->inst, kind, name,
	    after, limit, record_revision_one, revs, &err);
	return rc == COFFER_OK ? ERR_NONE :
	    record_store_error(ctx, rc, "history", kind, name, &err);
}

/* Open REC (sealed for its place) and seal it again under the newest key,
 * into OUT (REC's length). */
static enum errcode
record_reseal_bytes(struct op_ctx *ctx, const char *kind, const char *name,
    uint64_t rev, const struct coffer_buf *rec, uint8_t *out)
{
	size_t len = rec->len - SEAL_OVERHEAD, used = len + 1;
	uint8_t *plain = scratch_get(used);
	char err[SEAL_ERR_MAX];
	enum seal_result r;

	if (plain == NULL) {
		S_MSG(ctx, "out of memory");
		return ERR_INTERNAL;
	}
	r = seal_open(ctx->ring, kind, name, rev, rec->data, rec->len, plain,
	    &len, err);
	if (r == SEAL_OK)
		seal_close(ctx->ring, kind, name, rev, plain, len, out);
	scratch_done(plain, used);
	if (r != SEAL_OK) {
		log_error("%s %s revision %llu: %s; not resealed", kind, name,
		    (unsigned long long)rev, err);
		S_MSG(ctx, "%s %.120s revision %llu does not open; it was not "
		    "resealed (see the server log)", kind, name,
		    (unsigned long long)rev);
		return ERR_TAMPERED;
	}
	return ERR_NONE;
}

enum errcode
record_reseal(struct op_ctx *ctx, const char *kind, const char *name,
    uint64_t rev, int *done_r)
{
	const struct instance *st = &ctx->mods->store;
	const struct master_key *newest = keyring_newest(ctx->ring);
	coffer_store_replace_fn replace = modules_store_replace(ctx->mods);
	struct coffer_error err = { "" };
	struct coffer_buf rec = { 0 };
	const uint8_t *id;
	uint8_t *out = NULL;
	enum coffer_rc rc;
	enum errcode e = ERR_NONE;
	uint64_t got;

	*done_r = 0;
	rc = st->mod->desc->store->get(st->inst, kind, name, rev, &got, &rec,
	    &err);
	if (rc != COFFER_OK)
		e = record_store_error(ctx, rc, "read", kind, name, &err);
	else if ((id = seal_key_id(rec.data, rec.len)) != NULL &&
	    sodium_memcmp(id, newest->id, MASTERKEY_ID_BYTES) == 0)
		e = ERR_NONE;			/* sealed under the newest key */
	else if ((out = malloc(rec.len)) == NULL)
		e = record_store_error(ctx, COFFER_ERROR, "reseal", kind, name,
		    &err);
	else if ((e = record_reseal_bytes(ctx, kind, name, rev, &rec, out)) ==
	    ERR_NONE) {
		rc = replace(st->inst, kind, name, rev, out, rec.len, &err);
		e = rc == COFFER_OK ? ERR_NONE :
		    record_store_error(ctx, rc, "reseal", kind, name, &err);
		*done_r = rc == COFFER_OK;
	}
	free(out);
	buf_free(&rec);
	return e;
}
