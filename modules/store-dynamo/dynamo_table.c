/*
 * dynamo_table.c - make sure the table is the one this module expects,
 * or create it (create_table = true, for development).  Each mismatch is
 * named, with what it should be.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dynamo.h"

#define D_ERR(err, ...) snprintf((err)->msg, sizeof((err)->msg), __VA_ARGS__)
#define TABLE_WAIT_MS	60000

/* "HASH pk, RANGE rev" in SCHEMA? */
static int
dynamo_schema_is(json_t *schema, const char *hash, const char *range)
{
	json_t *k;
	size_t i;
	int ok = 0;

	json_array_foreach(schema, i, k) {
		const char *type = json_string_value(json_object_get(k,
		    "KeyType"));
		const char *name = json_string_value(json_object_get(k,
		    "AttributeName"));

		if (type == NULL || name == NULL)
			return 0;
		if (strcmp(type, "HASH") == 0)
			ok += strcmp(name, hash) == 0;
		else if (strcmp(type, "RANGE") == 0)
			ok += strcmp(name, range) == 0;
	}
	return ok == 2 && json_array_size(schema) == 2;
}

static const char *
dynamo_attr_type(json_t *table, const char *attr)
{
	json_t *a;
	size_t i;

	json_array_foreach(json_object_get(table, "AttributeDefinitions"), i, a)
		if (json_is_string(json_object_get(a, "AttributeName")) &&
		    strcmp(json_string_value(json_object_get(a,
		    "AttributeName")), attr) == 0)
			return json_string_value(json_object_get(a,
			    "AttributeType"));
	return NULL;
}

static int
dynamo_attr_is(json_t *table, const char *attr, const char *type)
{
	const char *t = dynamo_attr_type(table, attr);

	return t != NULL && strcmp(t, type) == 0;
}

/* The index projects "latest" (INCLUDE or ALL)? */
static int
dynamo_index_projects_latest(json_t *index)
{
	json_t *p = json_object_get(index, "Projection"), *a;
	const char *type = json_string_value(json_object_get(p,
	    "ProjectionType"));
	size_t i;

	if (type != NULL && strcmp(type, "ALL") == 0)
		return 1;
	json_array_foreach(json_object_get(p, "NonKeyAttributes"), i, a)
		if (json_is_string(a) && strcmp(json_string_value(a),
		    "latest") == 0)
			return 1;
	return 0;
}

static enum coffer_rc
dynamo_table_check(struct dynamo *d, json_t *table, struct coffer_error *err)
{
	json_t *idx, *found = NULL;
	size_t i;

	if (!dynamo_schema_is(json_object_get(table, "KeySchema"), "pk",
	    "rev") || !dynamo_attr_is(table, "pk", "S") ||
	    !dynamo_attr_is(table, "rev", "N")) {
		D_ERR(err, "table %s: its key must be pk (S, HASH) and rev (N, "
		    "RANGE); see coffer-store-dynamo(5)", d->table);
		return COFFER_ERROR;
	}
	json_array_foreach(json_object_get(table, "GlobalSecondaryIndexes"),
	    i, idx)
		if (json_is_string(json_object_get(idx, "IndexName")) &&
		    strcmp(json_string_value(json_object_get(idx, "IndexName")),
		    DYNAMO_INDEX) == 0)
			found = idx;
	if (found == NULL || !dynamo_schema_is(json_object_get(found,
	    "KeySchema"), "kind", "name") || !dynamo_attr_is(table, "kind",
	    "S") || !dynamo_attr_is(table, "name", "S") ||
	    !dynamo_index_projects_latest(found)) {
		D_ERR(err, "table %s: it needs the global secondary index "
		    DYNAMO_INDEX " with key kind (S, HASH) and name (S, RANGE), "
		    "projecting latest; see coffer-store-dynamo(5)", d->table);
		return COFFER_ERROR;
	}
	return COFFER_OK;
}

static enum coffer_rc
dynamo_describe(struct dynamo *d, struct aws_result *r,
    struct coffer_error *err)
{
	return dynamo_call(d, "DescribeTable", json_pack("{s:s}", "TableName",
	    d->table), r, err);
}

static enum coffer_rc
dynamo_create(struct dynamo *d, struct coffer_error *err)
{
	struct aws_result r = { 0 };
	enum coffer_rc rc = dynamo_call(d, "CreateTable", json_pack(
	    "{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}],"
	    " s:[{s:s, s:s}, {s:s, s:s}],"
	    " s:[{s:s, s:[{s:s, s:s}, {s:s, s:s}], s:{s:s, s:[s]}}]}",
	    "TableName", d->table, "BillingMode", "PAY_PER_REQUEST",
	    "AttributeDefinitions",
	    "AttributeName", "pk", "AttributeType", "S",
	    "AttributeName", "rev", "AttributeType", "N",
	    "AttributeName", "kind", "AttributeType", "S",
	    "AttributeName", "name", "AttributeType", "S",
	    "KeySchema",
	    "AttributeName", "pk", "KeyType", "HASH",
	    "AttributeName", "rev", "KeyType", "RANGE",
	    "GlobalSecondaryIndexes",
	    "IndexName", DYNAMO_INDEX, "KeySchema",
	    "AttributeName", "kind", "KeyType", "HASH",
	    "AttributeName", "name", "KeyType", "RANGE",
	    "Projection", "ProjectionType", "INCLUDE", "NonKeyAttributes",
	    "latest"), &r, err);

	/* Another daemon creating it at the same moment is fine. */
	if (rc == COFFER_ERROR && strcmp(r.code, "ResourceInUseException") == 0)
		rc = COFFER_OK;
	if (rc == COFFER_OK)
		d->host->log(d->host, COFFER_LOG_NOTICE, "created DynamoDB table "
		    "%s (on-demand billing)", d->table);
	aws_result_free(&r);
	return rc;
}

/* DescribeTable until the table and its index are ACTIVE. */
static enum coffer_rc
dynamo_wait_active(struct dynamo *d, struct aws_result *r,
    struct coffer_error *err)
{
	int64_t deadline = d->host->monotonic_ms() + TABLE_WAIT_MS;
	struct timespec pause = { 0, 200 * 1000000L };
	enum coffer_rc rc;
	const char *status;

	for (;;) {
		if ((rc = dynamo_describe(d, r, err)) != COFFER_OK)
			return rc;
		status = json_string_value(json_object_get(json_object_get(
		    r->result, "Table"), "TableStatus"));
		if (status != NULL && strcmp(status, "ACTIVE") == 0)
			return COFFER_OK;
		if (d->host->monotonic_ms() > deadline) {
			D_ERR(err, "table %s is still %s after %d s", d->table,
			    status ? status : "not ready", TABLE_WAIT_MS / 1000);
			return COFFER_UNAVAILABLE;
		}
		aws_result_free(r);
		nanosleep(&pause, NULL);
	}
}

enum coffer_rc
dynamo_table_ready(struct dynamo *d, int create, struct coffer_error *err)
{
	struct aws_result r = { 0 };
	enum coffer_rc rc = dynamo_describe(d, &r, err);

	if (rc == COFFER_ERROR && strcmp(r.code,
	    "ResourceNotFoundException") == 0) {
		aws_result_free(&r);
		if (!create) {
			D_ERR(err, "table %s does not exist in %s at %s: create "
			    "it as coffer-store-dynamo(5) shows, or set "
			    "create_table = true", d->table, d->aws.region,
			    d->aws.endpoint);
			return COFFER_ERROR;
		}
		if ((rc = dynamo_create(d, err)) != COFFER_OK)
			return rc;
		rc = dynamo_wait_active(d, &r, err);
	}
	if (rc == COFFER_OK)
		rc = dynamo_table_check(d, json_object_get(r.result, "Table"),
		    err);
	aws_result_free(&r);
	return rc;
}
