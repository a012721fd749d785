/*
 * kmsgen.c - coffer_kms_token(): a kmsauth token, made as Lyft's
 * kmsauth KMSTokenGenerator.get_token() makes it (coffer/kms.h).
 */
#include "config.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws.h"
#include "coffer/kms.h"
#include "kmsgen.h"

#define KMSGEN_FORMAT	"%Y%m%dT%H%M%SZ"

static enum coffer_client_rc
kmsgen_fail(struct coffer_client_error *err, enum coffer_client_rc rc,
    const char *code, const char *fmt, ...)
{
	va_list ap;

	snprintf(err->code, sizeof(err->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return rc;
}

static enum coffer_client_rc
kmsgen_check(const struct coffer_kms_opts *o, struct coffer_client_error *err)
{
	if (o == NULL || o->struct_size < sizeof(struct coffer_kms_opts))
		return kmsgen_fail(err, COFFER_CLIENT_INVALID, "", "struct "
		    "coffer_kms_opts: set struct_size");
	if (o->key == NULL || o->from == NULL || o->to == NULL ||
	    o->key[0] == '\0' || o->from[0] == '\0' || o->to[0] == '\0')
		return kmsgen_fail(err, COFFER_CLIENT_INVALID, "", "a KMS token "
		    "needs a key, a from and a to");
	if (strchr(o->from, '/') != NULL)
		return kmsgen_fail(err, COFFER_CLIENT_INVALID, "", "a kmsauth "
		    "name cannot hold '/'");
	if (o->user_type != NULL && strcmp(o->user_type, "service") != 0 &&
	    strcmp(o->user_type, "user") != 0)
		return kmsgen_fail(err, COFFER_CLIENT_INVALID, "", "user type "
		    "must be service or user");
	if (o->version != 0 && o->version != 1 && o->version != 2)
		return kmsgen_fail(err, COFFER_CLIENT_INVALID, "", "token "
		    "version must be 1 or 2");
	if (o->version == 1 && o->user_type != NULL &&
	    strcmp(o->user_type, "user") == 0)
		return kmsgen_fail(err, COFFER_CLIENT_INVALID, "", "version 1 "
		    "tokens are for services only");
	if (o->lifetime != 0 && (o->lifetime < 4 || o->lifetime > 24 * 60))
		return kmsgen_fail(err, COFFER_CLIENT_INVALID, "", "lifetime "
		    "must be 4 to 1440 minutes");
	return COFFER_CLIENT_OK;
}

static json_t *
kmsgen_context(const struct coffer_kms_opts *o)
{
	json_t *ctx = json_pack("{s:s, s:s}", "from", o->from, "to", o->to);

	if (o->version != 1)
		json_object_set_new(ctx, "user_type", json_string(o->user_type ?
		    o->user_type : "service"));
	return ctx;
}

static char *
kmsgen_username(const struct coffer_kms_opts *o)
{
	size_t n = strlen(o->from) + 16;
	char *u = malloc(n);

	if (u != NULL && o->version == 1)
		snprintf(u, n, "%s", o->from);
	else if (u != NULL)
		snprintf(u, n, "2/%s/%s", o->user_type ? o->user_type :
		    "service", o->from);
	return u;
}

static void
kmsgen_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, KMSGEN_FORMAT, &tm);
}

/* KMS Encrypt of the window; the token (malloc'd) or NULL with ERR. */
static char *
kmsgen_encrypt(struct aws_client *aws, const struct coffer_kms_opts *o,
    json_t *ctx, const char *nb, const char *na,
    struct coffer_client_error *err, enum coffer_client_rc *rc)
{
	char payload[128], b64[256], *token = NULL;
	struct coffer_error e = { "" };
	struct aws_result r = { 0 };
	json_t *body;
	enum coffer_rc got;

	/* json.dumps's separators, byte for byte. */
	snprintf(payload, sizeof(payload), "{\"not_before\": \"%s\", "
	    "\"not_after\": \"%s\"}", nb, na);
	sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)payload,
	    strlen(payload), sodium_base64_VARIANT_ORIGINAL);
	body = json_pack("{s:s, s:s, s:O}", "KeyId", o->key, "Plaintext", b64,
	    "EncryptionContext", ctx);
	got = aws_client_call(aws, "Encrypt", body, &r, &e);
	json_decref(body);
	if (got == COFFER_OK) {
		const char *blob = json_string_value(json_object_get(r.result,
		    "CiphertextBlob"));

		if (blob == NULL || blob[0] == '\0') {
			snprintf(e.msg, sizeof(e.msg), "KMS Encrypt answered "
			    "without a ciphertext");
			got = COFFER_ERROR;
		} else if ((token = strdup(blob)) == NULL) {
			snprintf(e.msg, sizeof(e.msg), "out of memory");
			got = COFFER_ERROR;
		}
	}
	if (token == NULL)
		*rc = kmsgen_fail(err, got == COFFER_UNAVAILABLE ?
		    COFFER_CLIENT_UNAVAILABLE : COFFER_CLIENT_ERROR, r.code,
		    "KMS Encrypt: %s", e.msg);
	aws_result_free(&r);
	return token;
}

/* A fresh token from KMS, cached if asked. */
static char *
kmsgen_make(const struct coffer_kms_opts *o, json_t *ctx, int64_t now,
    struct coffer_client_error *err, enum coffer_client_rc *rc)
{
	struct aws_client_opts ao = {
		.service_id = "KMS", .service = "kms",
		.target_prefix = "TrentService",
		.content_type = "application/x-amz-json-1.1",
		.region = o->region, .endpoint = o->endpoint,
		.profile = o->profile, .timeout_ms = 5000,
		.connect_timeout_ms = 2000, .max_attempts = 3,
	};
	struct aws_client aws;
	char nb[20], na[20], why[AWS_ERR_MAX], *token;
	int lifetime = o->lifetime ? o->lifetime : 10;

	if (aws_client_init(&aws, kmsgen_host(), &ao, why) < 0) {
		*rc = kmsgen_fail(err, COFFER_CLIENT_INVALID, "", "%s", why);
		return NULL;
	}
	kmsgen_time((time_t)(now - KMSGEN_SKEW_S), nb, sizeof(nb));
	kmsgen_time((time_t)(now + lifetime * 60 - KMSGEN_SKEW_S), na,
	    sizeof(na));
	token = kmsgen_encrypt(&aws, o, ctx, nb, na, err, rc);
	aws_client_free(&aws);
	if (token != NULL && o->cache_file != NULL &&
	    kmsgen_cache_write(o->cache_file, token, na, ctx) < 0)
		kmsgen_host()->log(kmsgen_host(), COFFER_LOG_WARNING, "cannot "
		    "write the token cache %s", o->cache_file);
	return token;
}

static pthread_once_t kmsgen_once = PTHREAD_ONCE_INIT;
static int kmsgen_init_rc;

/* Once per process: curl_global_init is not thread-safe in curl 7.88. */
static void
kmsgen_init(void)
{
	kmsgen_init_rc = sodium_init() < 0 ||
	    curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ? -1 : 0;
}

enum coffer_client_rc
coffer_kms_token(const struct coffer_kms_opts *o, char **token_r,
    char **username_r, struct coffer_client_error *err)
{
	enum coffer_client_rc rc;
	int64_t now = (int64_t)time(NULL);
	json_t *ctx;
	char *token = NULL;

	*token_r = *username_r = NULL;
	if ((rc = kmsgen_check(o, err)) != COFFER_CLIENT_OK)
		return rc;
	pthread_once(&kmsgen_once, kmsgen_init);
	if (kmsgen_init_rc < 0)
		return kmsgen_fail(err, COFFER_CLIENT_ERROR, "", "cannot "
		    "initialise libsodium or libcurl");
	ctx = kmsgen_context(o);
	if (o->cache_file != NULL)
		token = kmsgen_cache_read(o->cache_file, ctx, now);
	if (token == NULL)
		token = kmsgen_make(o, ctx, now, err, &rc);
	json_decref(ctx);
	if (token == NULL)
		return rc;
	if ((*username_r = kmsgen_username(o)) == NULL) {
		coffer_free(token);
		return kmsgen_fail(err, COFFER_CLIENT_ERROR, "", "out of memory");
	}
	*token_r = token;
	return COFFER_CLIENT_OK;
}
