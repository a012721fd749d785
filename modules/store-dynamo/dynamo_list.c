/*
 * dynamo_list.c - names of a kind, from the by_kind index (head items
 * only, so the cost follows names, not revisions), and removal of a name
 * with every revision.
 *
 * The cursor is the last name returned.  A page that ends full always
 * gets a cursor, whether or not DynamoDB says more follow: moto leaves
 * LastEvaluatedKey out when a page ends exactly on the last item, and
 * DynamoDB may include it when nothing follows.  The next call then
 * simply finds nothing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynamo.h"

#define D_ERR(err, ...) snprintf((err)->msg, sizeof((err)->msg), __VA_ARGS__)

struct list_state {
	const char	*kind, *prefix;
	char		*last;		/* last name given to the callback */
	size_t		 seen, limit;
	int		 stopped;	/* callback asked to stop */
	int		 exhausted;	/* DynamoDB has nothing more */
};

static json_t *
dynamo_list_query(const struct dynamo *d, const struct list_state *s)
{
	json_t *q = json_pack("{s:s, s:s, s:{s:s}, s:{s:{s:s}}, s:I}",
	    "TableName", d->table, "IndexName", DYNAMO_INDEX,
	    "ExpressionAttributeNames", "#k", "kind",
	    "ExpressionAttributeValues", ":k", "S", s->kind,
	    "Limit", (json_int_t)(s->limit - s->seen));
	struct coffer_error scratch;
	char *pk;

	if (s->prefix[0] != '\0') {
		json_object_set_new(q, "KeyConditionExpression",
		    json_string("#k = :k AND begins_with(#n, :p)"));
		json_object_set_new(json_object_get(q,
		    "ExpressionAttributeNames"), "#n", json_string("name"));
		json_object_set_new(json_object_get(q,
		    "ExpressionAttributeValues"), ":p", json_pack("{s:s}", "S",
		    s->prefix));
	} else
		json_object_set_new(q, "KeyConditionExpression",
		    json_string("#k = :k"));
	if (s->last != NULL && (pk = dynamo_pk(s->kind, s->last,
	    &scratch)) != NULL) {
		json_t *start = dynamo_key(pk, 0);

		json_object_set_new(start, "kind", json_pack("{s:s}", "S",
		    s->kind));
		json_object_set_new(start, "name", json_pack("{s:s}", "S",
		    s->last));
		json_object_set_new(q, "ExclusiveStartKey", start);
		free(pk);
	}
	return q;
}

/* Give one page's names to CB. */
static enum coffer_rc
dynamo_list_page(struct dynamo *d, struct list_state *s, coffer_name_cb cb,
    void *arg, struct coffer_error *err)
{
	struct aws_result r = { 0 };
	json_t *item;
	size_t i;
	enum coffer_rc rc = dynamo_call(d, "Query", dynamo_list_query(d, s),
	    &r, err);

	if (rc != COFFER_OK) {
		aws_result_free(&r);
		return rc;
	}
	json_array_foreach(json_object_get(r.result, "Items"), i, item) {
		const char *name = dynamo_item_s(item, "name");

		if (name == NULL || s->stopped)
			continue;
		free(s->last);
		s->last = strdup(name);
		s->seen++;
		if (cb(arg, name, dynamo_item_n(item, "latest")) != 0)
			s->stopped = 1;
	}
	s->exhausted = json_object_get(r.result, "LastEvaluatedKey") == NULL;
	aws_result_free(&r);
	return COFFER_OK;
}

enum coffer_rc
dynamo_list(void *inst, const char *kind, const char *prefix,
    const char *cursor, size_t limit, coffer_name_cb cb, void *arg,
    struct coffer_buf *next, struct coffer_error *err)
{
	struct dynamo *d = inst;
	struct list_state s = { kind, prefix, NULL, 0, limit, 0, 0 };
	enum coffer_rc rc = COFFER_OK;

	d->host->buf_set(next, "", 0);
	if (!dynamo_kind_ok(kind)) {
		D_ERR(err, "'%.20s' is not a kind", kind);
		return COFFER_ERROR;
	}
	/* A cursor outside the prefix would be refused by DynamoDB: there
	 * is simply nothing after it. */
	if (cursor != NULL && strncmp(cursor, prefix, strlen(prefix)) != 0)
		return COFFER_OK;
	if (cursor != NULL && cursor[0] != '\0')
		s.last = strdup(cursor);
	while (rc == COFFER_OK && !s.stopped && !s.exhausted && s.seen < limit)
		rc = dynamo_list_page(d, &s, cb, arg, err);
	if (rc == COFFER_OK && s.last != NULL && (s.seen == limit ||
	    s.stopped) && d->host->buf_set(next, s.last, strlen(s.last)) < 0) {
		D_ERR(err, "out of memory");
		rc = COFFER_ERROR;
	}
	free(s.last);
	return rc;
}

/* Every revision number of PK, ascending, into a JSON array. */
static enum coffer_rc
dynamo_all_revs(struct dynamo *d, const char *pk, json_t *revs,
    struct coffer_error *err)
{
	struct aws_result r = { 0 };
	json_t *start = NULL, *item, *q;
	enum coffer_rc rc;
	size_t i;

	do {
		q = json_pack("{s:s, s:s, s:{s:s}, s:{s:{s:s}}, s:s, s:b}",
		    "TableName", d->table, "KeyConditionExpression", "pk = :p",
		    "ExpressionAttributeNames", "#r", "rev",
		    "ExpressionAttributeValues", ":p", "S", pk,
		    "ProjectionExpression", "#r", "ConsistentRead", 1);
		if (start != NULL)
			json_object_set_new(q, "ExclusiveStartKey", start);
		if ((rc = dynamo_call(d, "Query", q, &r, err)) != COFFER_OK)
			break;
		json_array_foreach(json_object_get(r.result, "Items"), i, item)
			json_array_append_new(revs, json_integer((json_int_t)
			    dynamo_item_n(item, "rev")));
		start = json_incref(json_object_get(r.result,
		    "LastEvaluatedKey"));
		aws_result_free(&r);
	} while (start != NULL);
	aws_result_free(&r);
	return rc;
}

/* Delete revisions REVS[FROM..TO) (rev 0 is the head) in one
 * transaction. */
static enum coffer_rc
dynamo_delete_some(struct dynamo *d, const char *pk, json_t *revs,
    size_t from, size_t to, struct coffer_error *err)
{
	struct aws_result r = { 0 };
	json_t *actions = json_array();
	enum coffer_rc rc;

	for (size_t i = from; i < to; i++)
		json_array_append_new(actions, json_pack("{s:{s:s, s:o}}",
		    "Delete", "TableName", d->table, "Key", dynamo_key(pk,
		    (uint64_t)json_integer_value(json_array_get(revs, i)))));
	rc = dynamo_call(d, "TransactWriteItems", json_pack("{s:o}",
	    "TransactItems", actions), &r, err);
	aws_result_free(&r);
	return rc;
}

/*
 * Head first (it is revision 0, the first in ascending order), then the
 * rest in transactions of up to 100: with the head gone the name is no
 * longer listed and new writes to it conflict until the removal is done.
 * An interrupted removal (AWS failing midway) answers UNAVAILABLE and is
 * finished by calling it again.
 */
enum coffer_rc
dynamo_remove(void *inst, const char *kind, const char *name,
    struct coffer_error *err)
{
	struct dynamo *d = inst;
	char *pk = dynamo_pk(kind, name, err);
	json_t *revs = json_array();
	enum coffer_rc rc = pk ? dynamo_all_revs(d, pk, revs, err) :
	    COFFER_ERROR;
	size_t n = json_array_size(revs);

	if (rc == COFFER_OK && n == 0) {
		D_ERR(err, "no such name");
		rc = COFFER_NOT_FOUND;
	}
	for (size_t i = 0; rc == COFFER_OK && i < n; i += DYNAMO_TX_MAX)
		rc = dynamo_delete_some(d, pk, revs, i, i + DYNAMO_TX_MAX < n ?
		    i + DYNAMO_TX_MAX : n, err);
	json_decref(revs);
	free(pk);
	return rc;
}
