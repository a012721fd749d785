/*
 * kms_decrypt.c - one token through KMS Decrypt, with the encryption
 * context kmsauth's validator builds: the configured extra context, then
 * to, from and (version 2) user_type, which the extra context never
 * overrides.  KMS's verdict on the token is a denial; KMS not answering
 * is unavailability, never an allow.
 */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kms.h"

#define K_ERR(err, ...) snprintf((err)->msg, sizeof((err)->msg), __VA_ARGS__)
#define KMS_BLOB_MAX	6144

enum coffer_rc
kms_call(struct kms *k, const char *op, json_t *body, struct aws_result *r,
    struct coffer_error *err)
{
	enum coffer_rc rc;

	if (body == NULL) {
		memset(r, 0, sizeof(*r));
		K_ERR(err, "out of memory");
		return COFFER_ERROR;
	}
	rc = aws_client_call(&k->aws, op, body, r, err);
	json_decref(body);
	return rc;
}

/* Errors that are KMS's judgement of the token, not of KMS's health. */
static const char *const kms_token_errors[] = {
	"InvalidCiphertextException", "IncorrectKeyException",
	"NotFoundException", "DisabledException", "KMSInvalidStateException",
	"AccessDeniedException", "InvalidKeyUsageException",
	"ValidationException", NULL
};

static int
kms_is_token_error(const char *code)
{
	for (int i = 0; kms_token_errors[i] != NULL; i++)
		if (strcmp(code, kms_token_errors[i]) == 0)
			return 1;
	return 0;
}

/* TOKEN is standard, padded base64 of 1 to 6,144 bytes? */
static int
kms_token_is_blob(const char *token)
{
	size_t len = strlen(token), n;
	uint8_t *bin;
	int ok;

	if (len == 0 || len > KMS_TOKEN_MAX || (bin = malloc(len)) == NULL)
		return 0;
	ok = sodium_base642bin(bin, len, token, len, NULL, &n, NULL,
	    sodium_base64_VARIANT_ORIGINAL) == 0 && n >= 1 &&
	    n <= KMS_BLOB_MAX;
	free(bin);
	return ok;
}

static json_t *
kms_context(const struct kms *k, const struct kms_username *u)
{
	json_t *ctx = json_object();

	for (size_t i = 0; i < k->nctx; i++)
		json_object_set_new(ctx, k->ctx_keys[i],
		    json_string(k->ctx_values[i]));
	json_object_set_new(ctx, "to", json_string(k->to));
	json_object_set_new(ctx, "from", json_string(u->from));
	if (u->version > 1)
		json_object_set_new(ctx, "user_type", json_string(u->type ==
		    KMS_USER ? "user" : "service"));
	return ctx;
}

/* The reply's key and payload checked; the window into W. */
static enum coffer_rc
kms_reply(struct kms *k, json_t *reply, const struct kms_username *u,
    struct kms_window *w, const struct kms_key **key,
    struct coffer_error *err)
{
	const char *arn = json_string_value(json_object_get(reply, "KeyId"));
	const char *b64 = json_string_value(json_object_get(reply,
	    "Plaintext"));
	char plain[1024];
	size_t n;

	if (arn == NULL || (*key = kms_keys_match(k, arn, u->type)) == NULL) {
		K_ERR(err, "the token was made with key %.120s, not an auth "
		    "key for %ss", arn ? arn : "(none)", u->type == KMS_USER ?
		    "user" : "service");
		return COFFER_DENIED;
	}
	if (b64 == NULL || sodium_base642bin((uint8_t *)plain,
	    sizeof(plain) - 1, b64, strlen(b64), NULL, &n, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0) {
		K_ERR(err, "the token's payload is too long or not base64");
		return COFFER_DENIED;
	}
	plain[n] = '\0';
	return kms_payload_parse(plain, n, w, err) == 0 ? COFFER_OK :
	    COFFER_DENIED;
}

enum coffer_rc
kms_decrypt(struct kms *k, const char *token, const struct kms_username *u,
    struct kms_window *w, const struct kms_key **key,
    struct coffer_error *err)
{
	struct aws_result r = { 0 };
	enum coffer_rc rc;

	if (!kms_token_is_blob(token)) {
		K_ERR(err, "the token is not base64 of a KMS ciphertext");
		return COFFER_DENIED;
	}
	rc = kms_call(k, "Decrypt", json_pack("{s:s, s:o}",
	    "CiphertextBlob", token, "EncryptionContext", kms_context(k, u)),
	    &r, err);
	if (rc == COFFER_OK)
		rc = kms_reply(k, r.result, u, w, key, err);
	else if (rc == COFFER_ERROR && kms_is_token_error(r.code)) {
		K_ERR(err, "KMS refused the token for %.64s: %.40s", u->from,
		    r.code);
		rc = COFFER_DENIED;
	} else if (rc == COFFER_ERROR)
		rc = COFFER_UNAVAILABLE;	/* our side is wrong: not an allow */
	aws_result_free(&r);
	return rc;
}
