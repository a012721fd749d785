/*
 * dynamo_item.c - DynamoDB items in JSON, and calls on the table.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynamo.h"

int
dynamo_kind_ok(const char *kind)
{
	size_t n = strlen(kind);

	if (n == 0 || n > 16 || kind[0] < 'a' || kind[0] > 'z')
		return 0;
	return strspn(kind, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

char *
dynamo_pk(const char *kind, const char *name, struct coffer_error *err)
{
	size_t n = strlen(name), len = strlen(kind) + n + 2;
	char *pk;

	if (!dynamo_kind_ok(kind)) {
		snprintf(err->msg, sizeof(err->msg), "'%.20s' is not a kind",
		    kind);
		return NULL;
	}
	if (n == 0 || n > COFFER_STORE_NAME_MAX) {
		snprintf(err->msg, sizeof(err->msg), "a name is 1 to %d bytes, "
		    "not %zu", COFFER_STORE_NAME_MAX, n);
		return NULL;
	}
	if ((pk = malloc(len)) == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return NULL;
	}
	snprintf(pk, len, "%s/%s", kind, name);
	return pk;
}

json_t *
dynamo_n(uint64_t n)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, n);
	return json_pack("{s:s}", "N", buf);
}

json_t *
dynamo_key(const char *pk, uint64_t rev)
{
	return json_pack("{s:{s:s}, s:o}", "pk", "S", pk, "rev", dynamo_n(rev));
}

uint64_t
dynamo_item_n(json_t *item, const char *name)
{
	const char *s = json_string_value(json_object_get(json_object_get(item,
	    name), "N"));

	return s != NULL ? strtoull(s, NULL, 10) : 0;
}

const char *
dynamo_item_s(json_t *item, const char *name)
{
	return json_string_value(json_object_get(json_object_get(item, name),
	    "S"));
}

enum coffer_rc
dynamo_call(struct dynamo *d, const char *op, json_t *body,
    struct aws_result *r, struct coffer_error *err)
{
	enum coffer_rc rc;

	if (body == NULL) {
		memset(r, 0, sizeof(*r));
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return COFFER_ERROR;
	}
	rc = aws_client_call(&d->aws, op, body, r, err);
	json_decref(body);
	return rc;
}
