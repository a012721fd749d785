/*
 * dynamo_record.c - revisions: put (a conditional transaction), get (one
 * read), replace, and the revision list.
 */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynamo.h"

#define D_ERR(err, ...) snprintf((err)->msg, sizeof((err)->msg), __VA_ARGS__)
#define B64		sodium_base64_VARIANT_ORIGINAL

static char *
dynamo_b64(const void *data, size_t len)
{
	size_t n = sodium_base64_ENCODED_LEN(len, B64);
	char *s = malloc(n);

	if (s != NULL)
		sodium_bin2base64(s, n, data, len, B64);
	return s;
}

/* One item by its key, strongly consistent; *ITEM_R NULL if none. */
static enum coffer_rc
dynamo_get_item(struct dynamo *d, const char *pk, uint64_t rev,
    struct aws_result *r, json_t **item_r, struct coffer_error *err)
{
	enum coffer_rc rc = dynamo_call(d, "GetItem", json_pack("{s:s, s:o, "
	    "s:b}", "TableName", d->table, "Key", dynamo_key(pk, rev),
	    "ConsistentRead", 1), r, err);

	*item_r = rc == COFFER_OK ? json_object_get(r->result, "Item") : NULL;
	return rc;
}

/* The revision item's Put action. */
static json_t *
dynamo_put_revision(const struct dynamo *d, const char *pk, uint64_t rev,
    const char *rec)
{
	json_t *item = dynamo_key(pk, rev);

	json_object_set_new(item, "rec", json_pack("{s:s}", "S", rec));
	return json_pack("{s:{s:s, s:o, s:s}}", "Put", "TableName", d->table,
	    "Item", item, "ConditionExpression", "attribute_not_exists(pk)");
}

/* The head item's Put action: it moves from REV - 1 to REV, and carries a
 * copy of REV's record so that the latest is one GetItem (and many names'
 * latest one BatchGetItem). */
static json_t *
dynamo_put_head(const struct dynamo *d, const char *pk, const char *kind,
    const char *name, uint64_t rev, const char *rec)
{
	json_t *item = dynamo_key(pk, 0), *put;

	json_object_set_new(item, "kind", json_pack("{s:s}", "S", kind));
	json_object_set_new(item, "name", json_pack("{s:s}", "S", name));
	json_object_set_new(item, "latest", dynamo_n(rev));
	json_object_set_new(item, "rec", json_pack("{s:s}", "S", rec));
	put = json_pack("{s:s, s:o}", "TableName", d->table, "Item", item);
	if (rev == 1)
		json_object_set_new(put, "ConditionExpression",
		    json_string("attribute_not_exists(pk)"));
	else {
		json_object_set_new(put, "ConditionExpression",
		    json_string("#l = :prev"));
		json_object_set_new(put, "ExpressionAttributeNames",
		    json_pack("{s:s}", "#l", "latest"));
		json_object_set_new(put, "ExpressionAttributeValues",
		    json_pack("{s:o}", ":prev", dynamo_n(rev - 1)));
	}
	return json_pack("{s:o}", "Put", put);
}

/* Did a cancelled transaction fail on a condition or a concurrent
 * transaction (a lost race: CONFLICT), or on something else? */
static int
dynamo_lost_race(const struct aws_result *r)
{
	json_t *reason;
	size_t i;

	if (strcmp(r->code, "ConditionalCheckFailedException") == 0)
		return 1;
	if (strcmp(r->code, "TransactionCanceledException") != 0)
		return 0;
	json_array_foreach(json_object_get(r->result, "CancellationReasons"), i,
	    reason) {
		const char *code = json_string_value(json_object_get(reason,
		    "Code"));

		if (code != NULL && (strcmp(code, "ConditionalCheckFailed") ==
		    0 || strcmp(code, "TransactionConflict") == 0))
			return 1;
	}
	/* moto leaves the reasons out of some replies; its message names
	 * them. */
	return json_object_get(r->result, "CancellationReasons") == NULL;
}

/*
 * A put refused on its condition: was it refused because an earlier
 * attempt of this same put landed (its reply lost to a timeout or a
 * 5xx, and the server not honouring ClientRequestToken)?  Then REV holds
 * exactly our record (sealed records never repeat: each has a fresh
 * nonce) and the put succeeded.  COFFER_OK, COFFER_CONFLICT, or the
 * read's failure.
 */
static enum coffer_rc
dynamo_put_landed(struct dynamo *d, const char *pk, uint64_t rev,
    const char *rec, struct coffer_error *err)
{
	struct aws_result r = { 0 };
	const char *have;
	json_t *item;
	enum coffer_rc rc = dynamo_get_item(d, pk, rev, &r, &item, err);

	if (rc == COFFER_OK) {
		have = dynamo_item_s(item, "rec");
		rc = have != NULL && strcmp(have, rec) == 0 ? COFFER_OK :
		    COFFER_CONFLICT;
	}
	aws_result_free(&r);
	return rc;
}

enum coffer_rc
dynamo_put(void *inst, const char *kind, const char *name, uint64_t rev,
    const void *data, size_t len, struct coffer_error *err)
{
	struct dynamo *d = inst;
	char *pk, *rec, token[33];
	uint8_t raw[16];
	struct aws_result r = { 0 };
	enum coffer_rc rc;

	if (len > DYNAMO_MAX_RECORD) {
		D_ERR(err, "a record of %zu bytes is over the %d that fit in a "
		    "DynamoDB item", len, DYNAMO_MAX_RECORD);
		return COFFER_TOO_LARGE;
	}
	if (rev == 0) {
		D_ERR(err, "revision 0 does not exist");
		return COFFER_CONFLICT;
	}
	pk = dynamo_pk(kind, name, err);
	rec = dynamo_b64(data, len);
	/* The same token on every retry: DynamoDB applies it once. */
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(token, sizeof(token), raw, sizeof(raw));
	rc = pk == NULL || rec == NULL ? COFFER_ERROR : dynamo_call(d,
	    "TransactWriteItems", json_pack("{s:[o, o], s:s}", "TransactItems",
	    dynamo_put_revision(d, pk, rev, rec), dynamo_put_head(d, pk, kind,
	    name, rev, rec), "ClientRequestToken", token), &r, err);
	if (rc == COFFER_ERROR && dynamo_lost_race(&r)) {
		rc = dynamo_put_landed(d, pk, rev, rec, err);
		if (rc == COFFER_CONFLICT)
			D_ERR(err, "revision %llu of %s/%s exists already, or "
			    "%llu does not", (unsigned long long)rev, kind, name,
			    (unsigned long long)rev - 1);
	}
	aws_result_free(&r);
	free(pk);
	free(rec);
	return rc;
}

/* The record in ITEM into OUT. */
static enum coffer_rc
dynamo_record_out(struct dynamo *d, json_t *item, struct coffer_buf *out,
    struct coffer_error *err)
{
	const char *rec = dynamo_item_s(item, "rec");
	size_t len = rec ? strlen(rec) : 0, cap = len / 4 * 3 + 3, n;
	uint8_t *buf = rec ? malloc(cap) : NULL;
	enum coffer_rc rc = COFFER_ERROR;

	if (rec == NULL)
		D_ERR(err, "an item without its record");
	else if (buf == NULL)
		D_ERR(err, "out of memory");
	else if (sodium_base642bin(buf, cap, rec, len, NULL, &n, NULL, B64) !=
	    0)
		D_ERR(err, "an item whose record is not base64");
	else if (d->host->buf_set(out, buf, n) < 0)
		D_ERR(err, "out of memory");
	else
		rc = COFFER_OK;
	free(buf);
	return rc;
}

/* The newest revision item of PK: one strongly consistent query.  Only
 * for heads written before they carried the record. */
static enum coffer_rc
dynamo_latest(struct dynamo *d, const char *pk, struct aws_result *r,
    json_t **item_r, struct coffer_error *err)
{
	enum coffer_rc rc = dynamo_call(d, "Query", json_pack("{s:s, s:s, "
	    "s:{s:s}, s:{s:{s:s}, s:o}, s:b, s:i, s:b}", "TableName", d->table,
	    "KeyConditionExpression", "pk = :p AND #r > :z",
	    "ExpressionAttributeNames", "#r", "rev",
	    "ExpressionAttributeValues", ":p", "S", pk, ":z", dynamo_n(0),
	    "ScanIndexForward", 0, "Limit", 1, "ConsistentRead", 1), r, err);

	*item_r = rc == COFFER_OK ? json_array_get(json_object_get(r->result,
	    "Items"), 0) : NULL;
	return rc;
}

/* A head without the record (an older writer's) costs a query. */
enum coffer_rc
dynamo_head_out(struct dynamo *d, const char *pk, json_t *head,
    uint64_t *rev_r, struct coffer_buf *out, struct coffer_error *err)
{
	struct aws_result r = { 0 };
	json_t *item = head;
	enum coffer_rc rc = COFFER_OK;

	if (head != NULL && dynamo_item_s(head, "rec") == NULL)
		rc = dynamo_latest(d, pk, &r, &item, err);
	if (rc == COFFER_OK && item == NULL) {
		D_ERR(err, "no such record");
		rc = COFFER_NOT_FOUND;
	}
	if (rc == COFFER_OK) {
		*rev_r = dynamo_item_n(item, item == head ? "latest" : "rev");
		rc = dynamo_record_out(d, item, out, err);
	}
	aws_result_free(&r);
	return rc;
}

enum coffer_rc
dynamo_get(void *inst, const char *kind, const char *name, uint64_t rev,
    uint64_t *rev_r, struct coffer_buf *out, struct coffer_error *err)
{
	struct dynamo *d = inst;
	char *pk = dynamo_pk(kind, name, err);
	struct aws_result r = { 0 };
	json_t *item = NULL;
	enum coffer_rc rc;

	if (pk == NULL)
		return COFFER_ERROR;
	rc = dynamo_get_item(d, pk, rev, &r, &item, err);
	if (rc == COFFER_OK && rev == 0) {
		rc = dynamo_head_out(d, pk, item, rev_r, out, err);
	} else if (rc == COFFER_OK && item == NULL) {
		D_ERR(err, "no such record");
		rc = COFFER_NOT_FOUND;
	} else if (rc == COFFER_OK) {
		*rev_r = rev;
		rc = dynamo_record_out(d, item, out, err);
	}
	aws_result_free(&r);
	free(pk);
	return rc;
}

/* After revision REV of PK was replaced by REC: if REV is still the
 * latest, the head's copy too (a later put carries its own). */
static enum coffer_rc
dynamo_replace_head(struct dynamo *d, const char *pk, uint64_t rev,
    const char *rec, struct coffer_error *err)
{
	struct aws_result r = { 0 };
	enum coffer_rc rc = dynamo_call(d, "UpdateItem", json_pack("{s:s, s:o, "
	    "s:s, s:s, s:{s:s, s:s}, s:{s:o, s:{s:s}}}", "TableName", d->table,
	    "Key", dynamo_key(pk, 0), "UpdateExpression", "SET #rec = :rec",
	    "ConditionExpression", "#l = :rev", "ExpressionAttributeNames",
	    "#l", "latest", "#rec", "rec", "ExpressionAttributeValues", ":rev",
	    dynamo_n(rev), ":rec", "S", rec), &r, err);

	if (rc == COFFER_ERROR && dynamo_lost_race(&r))
		rc = COFFER_OK;		/* the head has moved on */
	aws_result_free(&r);
	return rc;
}

enum coffer_rc
dynamo_replace(void *inst, const char *kind, const char *name, uint64_t rev,
    const void *data, size_t len, struct coffer_error *err)
{
	struct dynamo *d = inst;
	char *pk = dynamo_pk(kind, name, err), *rec = dynamo_b64(data, len);
	struct aws_result r = { 0 };
	json_t *item;
	enum coffer_rc rc = COFFER_ERROR;

	if (len > DYNAMO_MAX_RECORD) {
		D_ERR(err, "a record of %zu bytes is over the %d that fit in a "
		    "DynamoDB item", len, DYNAMO_MAX_RECORD);
		rc = COFFER_TOO_LARGE;
	} else if (pk != NULL && rec != NULL && rev > 0) {
		item = dynamo_key(pk, rev);
		json_object_set_new(item, "rec", json_pack("{s:s}", "S", rec));
		rc = dynamo_call(d, "PutItem", json_pack("{s:s, s:o, s:s}",
		    "TableName", d->table, "Item", item, "ConditionExpression",
		    "attribute_exists(pk)"), &r, err);
		if (rc == COFFER_ERROR && dynamo_lost_race(&r)) {
			D_ERR(err, "no such revision");
			rc = COFFER_NOT_FOUND;
		}
		aws_result_free(&r);
		if (rc == COFFER_OK)
			rc = dynamo_replace_head(d, pk, rev, rec, err);
	} else if (pk != NULL && rev == 0) {
		D_ERR(err, "no such revision");
		rc = COFFER_NOT_FOUND;
	} else if (pk != NULL)
		D_ERR(err, "out of memory");
	free(pk);
	free(rec);
	return rc;
}

/* One page of revision numbers of PK after AFTER, ascending. */
static enum coffer_rc
dynamo_rev_page(struct dynamo *d, const char *pk, uint64_t after,
    size_t limit, struct aws_result *r, struct coffer_error *err)
{
	return dynamo_call(d, "Query", json_pack("{s:s, s:s, s:{s:s}, "
	    "s:{s:{s:s}, s:o}, s:s, s:I, s:b}", "TableName", d->table,
	    "KeyConditionExpression", "pk = :p AND #r > :a",
	    "ExpressionAttributeNames", "#r", "rev",
	    "ExpressionAttributeValues", ":p", "S", pk, ":a", dynamo_n(after),
	    "ProjectionExpression", "#r", "Limit", (json_int_t)limit,
	    "ConsistentRead", 1), r, err);
}

enum coffer_rc
dynamo_revisions(void *inst, const char *kind, const char *name,
    uint64_t after, size_t limit, coffer_rev_cb cb, void *arg,
    struct coffer_error *err)
{
	struct dynamo *d = inst;
	char *pk = dynamo_pk(kind, name, err);
	struct aws_result r = { 0 };
	enum coffer_rc rc = pk ? COFFER_OK : COFFER_ERROR;
	size_t seen = 0, i, got;
	json_t *item;
	int stop = 0;

	while (rc == COFFER_OK && !stop && seen < limit) {
		if ((rc = dynamo_rev_page(d, pk, after, limit - seen, &r,
		    err)) != COFFER_OK)
			break;
		got = json_array_size(json_object_get(r.result, "Items"));
		json_array_foreach(json_object_get(r.result, "Items"), i, item) {
			after = dynamo_item_n(item, "rev");
			seen++;
			if (!stop && cb(arg, after) != 0)
				stop = 1;
		}
		stop |= got == 0 || json_object_get(r.result,
		    "LastEvaluatedKey") == NULL;
		aws_result_free(&r);
	}
	if (rc == COFFER_OK && seen == 0) {
		/* Nothing after AFTER: is there anything at all? */
		if ((rc = dynamo_latest(d, pk, &r, &item, err)) == COFFER_OK &&
		    item == NULL) {
			D_ERR(err, "no such name");
			rc = COFFER_NOT_FOUND;
		}
		aws_result_free(&r);
	}
	free(pk);
	return rc;
}
