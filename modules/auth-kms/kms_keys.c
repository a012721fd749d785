/*
 * kms_keys.c - the configured auth keys.  An entry that is already a key
 * ARN is used as it is; an alias or key id is resolved to its ARN once,
 * at open, with DescribeKey (Decrypt names the key that decrypted by its
 * ARN, never by an alias).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kms.h"

#define K_ERR(err, ...) snprintf((err)->msg, sizeof((err)->msg), __VA_ARGS__)

static enum coffer_rc
kms_key_describe(struct kms *k, struct kms_key *key, struct coffer_error *err)
{
	struct aws_result r = { 0 };
	const char *arn;
	enum coffer_rc rc = kms_call(k, "DescribeKey",
	    json_pack("{s:s}", "KeyId", key->name), &r, err);

	if (rc == COFFER_OK) {
		arn = json_string_value(json_object_get(json_object_get(
		    r.result, "KeyMetadata"), "Arn"));
		if (arn == NULL || (key->arn = strdup(arn)) == NULL) {
			K_ERR(err, "DescribeKey %.100s: no ARN in the reply",
			    key->name);
			rc = COFFER_ERROR;
		}
	} else if (rc == COFFER_ERROR) {
		char why[sizeof(err->msg)];

		memcpy(why, err->msg, sizeof(why));
		K_ERR(err, "auth key %.80s: %.150s", key->name, why);
	}
	aws_result_free(&r);
	return rc;
}

enum coffer_rc
kms_keys_resolve(struct kms *k, struct coffer_error *err)
{
	enum coffer_rc rc;

	for (size_t i = 0; i < k->nkeys; i++) {
		struct kms_key *key = &k->keys[i];

		if (strncmp(key->name, "arn:aws:kms:", 12) == 0) {
			if ((key->arn = strdup(key->name)) == NULL) {
				K_ERR(err, "out of memory");
				return COFFER_ERROR;
			}
			continue;
		}
		if ((rc = kms_key_describe(k, key, err)) != COFFER_OK)
			return rc;
		k->host->log(k->host, COFFER_LOG_INFO, "auth key %s is %s",
		    key->name, key->arn);
	}
	return COFFER_OK;
}

const struct kms_key *
kms_keys_match(const struct kms *k, const char *arn, enum kms_user_type type)
{
	for (size_t i = 0; i < k->nkeys; i++)
		if (k->keys[i].type == type && k->keys[i].arn != NULL &&
		    strcmp(k->keys[i].arn, arn) == 0)
			return &k->keys[i];
	return NULL;
}
