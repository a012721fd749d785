/*
 * dynamo_batch.c - the latest revisions of many names at once: head items
 * carry the latest record, so one BatchGetItem (strongly consistent) reads
 * up to 100 names.  Keys DynamoDB leaves unprocessed (under load, or past
 * its 16 MB reply limit) are asked for again after a jittered pause.
 */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dynamo.h"

#define D_ERR(err, ...) snprintf((err)->msg, sizeof((err)->msg), __VA_ARGS__)
#define BATCH_ATTEMPTS	6
#define BATCH_BASE_MS	50
#define BATCH_MAX_MS	1000

/* A pause before asking again for unprocessed keys: full jitter. */
static void
dynamo_batch_pause(int attempt)
{
	long cap = BATCH_BASE_MS << attempt;
	long ms = (long)randombytes_uniform((uint32_t)(cap < BATCH_MAX_MS ?
	    cap : BATCH_MAX_MS) + 1);
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* KEYS: the head keys of NAMES, each once (a batch refuses duplicates);
 * WHERE: pk -> the indexes of NAMES that have it. */
static enum coffer_rc
dynamo_batch_keys(const char *kind, const char *const *names, size_t n,
    json_t *keys, json_t *where, struct coffer_error *err)
{
	for (size_t i = 0; i < n; i++) {
		char *pk = dynamo_pk(kind, names[i], err);
		json_t *at;

		if (pk == NULL)
			return COFFER_ERROR;
		if ((at = json_object_get(where, pk)) == NULL) {
			json_array_append_new(keys, dynamo_key(pk, 0));
			json_object_set_new(where, pk, at = json_array());
		}
		json_array_append_new(at, json_integer((json_int_t)i));
		free(pk);
	}
	return COFFER_OK;
}

/* The answers in one BatchGetItem reply, for every name they are for. */
static enum coffer_rc
dynamo_batch_answers(struct dynamo *d, json_t *items, json_t *where,
    struct coffer_buf *const *outs, uint64_t *revs, enum coffer_rc *rcs,
    struct coffer_error *err)
{
	json_t *item, *v;
	size_t i, j;

	json_array_foreach(items, i, item) {
		const char *pk = dynamo_item_s(item, "pk");

		json_array_foreach(json_object_get(where, pk ? pk : ""), j, v) {
			size_t at = (size_t)json_integer_value(v);

			rcs[at] = dynamo_head_out(d, pk, item, &revs[at],
			    outs[at], err);
			if (rcs[at] != COFFER_OK && rcs[at] != COFFER_NOT_FOUND)
				return rcs[at];
		}
	}
	return COFFER_OK;
}

/* One BatchGetItem for KEYS; what it left unprocessed replaces KEYS. */
static enum coffer_rc
dynamo_batch_call(struct dynamo *d, json_t **keys, json_t *where,
    struct coffer_buf *const *outs, uint64_t *revs, enum coffer_rc *rcs,
    struct coffer_error *err)
{
	struct aws_result r = { 0 };
	enum coffer_rc rc = dynamo_call(d, "BatchGetItem", json_pack("{s:{s:{"
	    "s:O, s:b}}}", "RequestItems", d->table, "Keys", *keys,
	    "ConsistentRead", 1), &r, err);

	if (rc == COFFER_OK)
		rc = dynamo_batch_answers(d, json_object_get(json_object_get(
		    r.result, "Responses"), d->table), where, outs, revs, rcs,
		    err);
	json_decref(*keys);
	*keys = json_incref(json_object_get(json_object_get(json_object_get(
	    r.result, "UnprocessedKeys"), d->table), "Keys"));
	if (*keys == NULL)
		*keys = json_array();
	aws_result_free(&r);
	return rc;
}

enum coffer_rc
dynamo_get_latest_many(void *inst, const char *kind,
    const char *const *names, size_t n, struct coffer_buf *const *outs,
    uint64_t *revs, enum coffer_rc *rcs, struct coffer_error *err)
{
	struct dynamo *d = inst;
	json_t *keys = json_array(), *where = json_object();
	enum coffer_rc rc;
	int attempt = 0;

	for (size_t i = 0; i < n; i++)
		rcs[i] = COFFER_NOT_FOUND;	/* unless an item comes back */
	if (n > COFFER_STORE_BATCH_MAX) {
		D_ERR(err, "%zu names in one batch (at most %d)", n,
		    COFFER_STORE_BATCH_MAX);
		rc = COFFER_ERROR;
	} else {
		rc = dynamo_batch_keys(kind, names, n, keys, where, err);
	}
	while (rc == COFFER_OK && json_array_size(keys) > 0) {
		if (attempt == BATCH_ATTEMPTS) {
			D_ERR(err, "DynamoDB left %zu keys unprocessed after %d "
			    "attempts", json_array_size(keys), attempt);
			rc = COFFER_UNAVAILABLE;
			break;
		}
		if (attempt > 0)
			dynamo_batch_pause(attempt);
		rc = dynamo_batch_call(d, &keys, where, outs, revs, rcs, err);
		attempt++;
	}
	json_decref(keys);
	json_decref(where);
	return rc;
}
