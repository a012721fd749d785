/*
 * dynamo.h - the store_dynamo module's parts.  Table layout
 * (coffer-store-dynamo(5)):
 *
 *	pk (S, hash)      "KIND/NAME"
 *	rev (N, range)    0 for the name's head item, 1.. for revisions
 *
 *	revision item:    pk, rev, rec (S: the sealed record in base64)
 *	head item:        pk, rev = 0, kind (S), name (S), latest (N),
 *	                  rec (S: a copy of the latest revision's record)
 *
 *	index by_kind:    kind (hash), name (range), projecting latest; only
 *	                  head items have kind and name, so it lists names,
 *	                  never revisions.
 *
 * A put writes the revision item and moves the head from REV - 1 to REV
 * in one transaction, each conditional: of two writers exactly one wins,
 * and a gap is refused.  The latest revision is one strongly consistent
 * GetItem of the head, and the latest of up to 100 names one
 * BatchGetItem; a head written before heads carried the record costs a
 * query (newest first, limit 1) more.
 */
#ifndef COFFER_DYNAMO_H
#define COFFER_DYNAMO_H

#include <jansson.h>

#include "aws.h"
#include "coffer/module.h"

#define DYNAMO_INDEX		"by_kind"
/* Records are stored in base64, so that both DynamoDB's 400 KB item limit
 * and moto's (which counts binary as base64) hold with room for keys. */
#define DYNAMO_MAX_RECORD	300000
#define DYNAMO_TX_MAX		100	/* actions per TransactWriteItems */

struct dynamo {
	const struct coffer_host *host;
	struct aws_client	 aws;
	char			*table;
};

/* dynamo_table.c: check the table (or create it); 0, or -1 with ERR. */
enum coffer_rc dynamo_table_ready(struct dynamo *d, int create,
	    struct coffer_error *err);

/* dynamo_item.c: items and their parts. */
/* KIND matches [a-z][a-z0-9_]{0,15}, as the contract says? */
int	 dynamo_kind_ok(const char *kind);
/* "KIND/NAME", or NULL with ERR when either is outside the contract. */
char	*dynamo_pk(const char *kind, const char *name,
	    struct coffer_error *err);
json_t	*dynamo_key(const char *pk, uint64_t rev);
json_t	*dynamo_n(uint64_t n);
/* The number in attribute NAME of ITEM ({"N": "12"}); 0 if absent. */
uint64_t dynamo_item_n(json_t *item, const char *name);
const char *dynamo_item_s(json_t *item, const char *name);
/* Call OP with BODY (taken; it names the table itself); R.result is the
 * reply, or the error reply's JSON.  AWS errors become COFFER_ERROR with
 * the code in R.code. */
enum coffer_rc dynamo_call(struct dynamo *d, const char *op, json_t *body,
	    struct aws_result *r, struct coffer_error *err);

/* dynamo_record.c: the store operations on revisions. */
enum coffer_rc dynamo_put(void *inst, const char *kind, const char *name,
	    uint64_t rev, const void *data, size_t len,
	    struct coffer_error *err);
enum coffer_rc dynamo_get(void *inst, const char *kind, const char *name,
	    uint64_t rev, uint64_t *rev_r, struct coffer_buf *out,
	    struct coffer_error *err);
/* The latest record of PK from its HEAD item (NULL: no such name). */
enum coffer_rc dynamo_head_out(struct dynamo *d, const char *pk,
	    json_t *head, uint64_t *rev_r, struct coffer_buf *out,
	    struct coffer_error *err);
enum coffer_rc dynamo_replace(void *inst, const char *kind, const char *name,
	    uint64_t rev, const void *data, size_t len,
	    struct coffer_error *err);
enum coffer_rc dynamo_revisions(void *inst, const char *kind,
	    const char *name, uint64_t after, size_t limit, coffer_rev_cb cb,
	    void *arg, struct coffer_error *err);

/* dynamo_batch.c: the latest revisions of many names. */
enum coffer_rc dynamo_get_latest_many(void *inst, const char *kind,
	    const char *const *names, size_t n, struct coffer_buf *const *outs,
	    uint64_t *revs, enum coffer_rc *rcs, struct coffer_error *err);

/* dynamo_list.c: names, and removal. */
enum coffer_rc dynamo_list(void *inst, const char *kind, const char *prefix,
	    const char *cursor, size_t limit, coffer_name_cb cb, void *arg,
	    struct coffer_buf *next, struct coffer_error *err);
enum coffer_rc dynamo_remove(void *inst, const char *kind, const char *name,
	    struct coffer_error *err);

#endif
