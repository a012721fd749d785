/*
 * auth_kms.c - the auth_kms module: clients prove who they are with a
 * kmsauth token, which only their IAM role could have made with KMS.
 * Byte-compatible with Lyft's kmsauth (Confidant's clients).  See
 * coffer-auth-kms(5) and kms.h.
 */
#include "config.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kms.h"

#define K_ERR(err, ...) snprintf((err)->msg, sizeof((err)->msg), __VA_ARGS__)

static const struct coffer_option kms_options[] = {
	{ "to", COFFER_OPT_STRING, COFFER_OPT_REQUIRED,
	  "the 'to' of the auth context: this server's name (IAM role)" },
	{ "keys", COFFER_OPT_LIST, 0,
	  "KMS keys (alias, id or ARN) services make tokens with" },
	{ "user_keys", COFFER_OPT_LIST, 0,
	  "KMS keys users make tokens with" },
	{ "scoped_keys", COFFER_OPT_LIST, 0,
	  "KEY=ACCOUNT: service keys that give an account attribute" },
	{ "user_types", COFFER_OPT_LIST, 0,
	  "accepted user types: service, user (default service)" },
	{ "min_version", COFFER_OPT_INT, 0, "oldest token version (default 1)" },
	{ "max_version", COFFER_OPT_INT, 0, "newest token version (default 2)" },
	{ "max_lifetime", COFFER_OPT_INT, 0,
	  "longest token lifetime in minutes (default 60)" },
	{ "clock_skew", COFFER_OPT_INT, 0,
	  "seconds of clock difference tolerated (default 0)" },
	{ "cache_size", COFFER_OPT_INT, 0,
	  "validated tokens remembered (default 4096)" },
	{ "extra_context", COFFER_OPT_LIST, 0,
	  "KEY=VALUE pairs added to the encryption context" },
	{ "region", COFFER_OPT_STRING, 0, "AWS region (default AWS_REGION)" },
	{ "endpoint", COFFER_OPT_STRING, 0,
	  "KMS URL (default AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL, AWS's)" },
	{ "profile", COFFER_OPT_STRING, 0, "profile in the shared AWS files" },
	{ "timeout_ms", COFFER_OPT_INT, 0,
	  "longest wait for KMS (default 1000)" },
	{ "max_attempts", COFFER_OPT_INT, 0,
	  "attempts per KMS request (default 3)" },
	{ "retry_base_ms", COFFER_OPT_INT, 0,
	  "backoff base before retries (default 50)" },
	{ NULL, 0, 0, NULL }
};

static enum coffer_rc
kms_init(const struct coffer_host *host, struct coffer_error *err)
{
	(void)host;
	/* The token cache's hint keys are random (kms_cache.c); in the
	 * daemon libsodium is set up already, in coffer-modcheck not. */
	if (sodium_init() < 0) {
		K_ERR(err, "libsodium failed to initialise");
		return COFFER_ERROR;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		K_ERR(err, "libcurl failed to initialise");
		return COFFER_ERROR;
	}
	return COFFER_OK;
}

static void
kms_fini(void)
{
	curl_global_cleanup();
}

static void kms_close(void *inst);

/* Add every key of list KEY with TYPE. */
static int
kms_conf_keys(struct kms *k, const struct coffer_conf *conf, const char *opt,
    enum kms_user_type type, struct coffer_error *err)
{
	const struct coffer_host *h = k->host;
	size_t n = h->conf_count(conf, opt);

	for (size_t i = 0; i < n; i++) {
		const char *v = h->conf_item(conf, opt, i), *eq = NULL;
		struct kms_key *key = &k->keys[k->nkeys];

		if (k->nkeys == KMS_KEYS_MAX) {
			K_ERR(err, "%s: at most %d auth keys", h->conf_where(conf,
			    opt), KMS_KEYS_MAX);
			return -1;
		}
		if (strcmp(opt, "scoped_keys") == 0 &&
		    ((eq = strchr(v, '=')) == NULL || eq == v || eq[1] == '\0')) {
			K_ERR(err, "%s: '%.60s' is not KEY=ACCOUNT",
			    h->conf_where(conf, opt), v);
			return -1;
		}
		key->name = eq ? strndup(v, (size_t)(eq - v)) : strdup(v);
		key->account = eq ? strdup(eq + 1) : NULL;
		key->type = type;
		k->nkeys++;
		if (key->name == NULL || (eq != NULL && key->account == NULL)) {
			K_ERR(err, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int
kms_conf_context(struct kms *k, const struct coffer_conf *conf,
    struct coffer_error *err)
{
	const struct coffer_host *h = k->host;
	size_t n = h->conf_count(conf, "extra_context");

	for (size_t i = 0; i < n; i++) {
		const char *v = h->conf_item(conf, "extra_context", i);
		const char *eq = strchr(v, '=');

		if (k->nctx == KMS_CONTEXT_MAX || eq == NULL || eq == v) {
			K_ERR(err, "%s: '%.60s' is not KEY=VALUE (at most %d)",
			    h->conf_where(conf, "extra_context"), v,
			    KMS_CONTEXT_MAX);
			return -1;
		}
		if ((eq - v == 2 && strncmp(v, "to", 2) == 0) || (eq - v == 4 &&
		    strncmp(v, "from", 4) == 0) || (eq - v == 9 &&
		    strncmp(v, "user_type", 9) == 0))
			h->log(h, COFFER_LOG_WARNING, "extra_context %.*s is "
			    "always overridden by the token's own",
			    (int)(eq - v), v);
		k->ctx_keys[k->nctx] = strndup(v, (size_t)(eq - v));
		k->ctx_values[k->nctx++] = strdup(eq + 1);
	}
	return 0;
}

static int
kms_conf_types(struct kms *k, const struct coffer_conf *conf,
    struct coffer_error *err)
{
	const struct coffer_host *h = k->host;
	size_t n = h->conf_count(conf, "user_types");

	k->allow_service = n == 0;
	for (size_t i = 0; i < n; i++) {
		const char *v = h->conf_item(conf, "user_types", i);

		if (strcmp(v, "service") == 0)
			k->allow_service = 1;
		else if (strcmp(v, "user") == 0)
			k->allow_user = 1;
		else {
			K_ERR(err, "%s: user type '%.40s' is neither service nor "
			    "user", h->conf_where(conf, "user_types"), v);
			return -1;
		}
	}
	return 0;
}

/* An integer option within [MIN, MAX] into *V. */
static int
kms_conf_int(const struct kms *k, const struct coffer_conf *conf,
    const char *opt, int64_t def, int64_t min, int64_t max, int64_t *v,
    struct coffer_error *err)
{
	*v = k->host->conf_int(conf, opt, def);
	if (*v < min || *v > max) {
		K_ERR(err, "%s: %s must be %lld to %lld", k->host->conf_where(conf,
		    opt), opt, (long long)min, (long long)max);
		return -1;
	}
	return 0;
}

static int
kms_conf_limits(struct kms *k, const struct coffer_conf *conf,
    int64_t *cache_size, struct coffer_error *err)
{
	int64_t minv, maxv, life;

	if (kms_conf_int(k, conf, "min_version", 1, 1, 2, &minv, err) < 0 ||
	    kms_conf_int(k, conf, "max_version", 2, 1, 2, &maxv, err) < 0 ||
	    kms_conf_int(k, conf, "max_lifetime", 60, 1, 24 * 60, &life,
	    err) < 0 ||
	    kms_conf_int(k, conf, "clock_skew", 0, 0, 3600, &k->skew_s,
	    err) < 0 ||
	    kms_conf_int(k, conf, "cache_size", 4096, 1, 10000000, cache_size,
	    err) < 0)
		return -1;
	if (minv > maxv) {
		K_ERR(err, "%s: min_version is above max_version",
		    k->host->conf_where(conf, "min_version"));
		return -1;
	}
	k->min_version = (int)minv;
	k->max_version = (int)maxv;
	k->max_lifetime_s = life * 60;
	return 0;
}

static int
kms_aws_opts(const struct kms *k, const struct coffer_conf *conf,
    struct aws_client_opts *o, struct coffer_error *err)
{
	int64_t timeout, attempts, base;

	memset(o, 0, sizeof(*o));
	o->service_id = "KMS";
	o->service = "kms";
	o->target_prefix = "TrentService";
	o->content_type = "application/x-amz-json-1.1";
	o->region = k->host->conf_string(conf, "region", NULL);
	o->endpoint = k->host->conf_string(conf, "endpoint", NULL);
	o->profile = k->host->conf_string(conf, "profile", NULL);
	if (kms_conf_int(k, conf, "timeout_ms", 1000, 1, 600000, &timeout,
	    err) < 0 || kms_conf_int(k, conf, "max_attempts", 3, 1, 20,
	    &attempts, err) < 0 || kms_conf_int(k, conf, "retry_base_ms", 50,
	    1, 60000, &base, err) < 0)
		return -1;
	o->timeout_ms = (long)timeout;
	o->connect_timeout_ms = (long)timeout;
	o->max_attempts = (int)attempts;
	o->retry_base_ms = (long)base;
	return 0;
}

/* Everything from the config, before any request to AWS. */
static int
kms_configure(struct kms *k, const struct coffer_conf *conf,
    int64_t *cache_size, struct coffer_error *err)
{
	if ((k->to = strdup(k->host->conf_string(conf, "to", ""))) == NULL ||
	    k->to[0] == '\0') {
		K_ERR(err, "%s: 'to' must name this server",
		    k->host->conf_where(conf, "to"));
		return -1;
	}
	if (kms_conf_keys(k, conf, "keys", KMS_SERVICE, err) < 0 ||
	    kms_conf_keys(k, conf, "scoped_keys", KMS_SERVICE, err) < 0 ||
	    kms_conf_keys(k, conf, "user_keys", KMS_USER, err) < 0 ||
	    kms_conf_context(k, conf, err) < 0 ||
	    kms_conf_types(k, conf, err) < 0 ||
	    kms_conf_limits(k, conf, cache_size, err) < 0)
		return -1;
	if (k->nkeys == 0) {
		K_ERR(err, "%s: no auth keys: set keys, scoped_keys or "
		    "user_keys", k->host->conf_where(conf, NULL));
		return -1;
	}
	return 0;
}

static enum coffer_rc
kms_open(const struct coffer_host *host, const struct coffer_conf *conf,
    void **inst_r, struct coffer_error *err)
{
	struct aws_client_opts o;
	struct kms *k = calloc(1, sizeof(*k));
	int64_t cache_size;
	char why[AWS_ERR_MAX];
	enum coffer_rc rc;

	if (k == NULL) {
		K_ERR(err, "out of memory");
		return COFFER_ERROR;
	}
	k->host = host;
	if (kms_configure(k, conf, &cache_size, err) < 0 ||
	    kms_aws_opts(k, conf, &o, err) < 0) {
		kms_close(k);
		return COFFER_ERROR;
	}
	if (aws_client_init(&k->aws, host, &o, why) < 0) {
		K_ERR(err, "%.80s: %.170s", host->conf_where(conf, NULL), why);
		kms_close(k);
		return COFFER_ERROR;
	}
	if ((k->cache = kms_cache_new((size_t)cache_size)) == NULL) {
		K_ERR(err, "out of memory");
		kms_close(k);
		return COFFER_ERROR;
	}
	if ((rc = kms_keys_resolve(k, err)) != COFFER_OK) {
		kms_close(k);
		return rc;
	}
	*inst_r = k;
	return COFFER_OK;
}

static void
kms_close(void *inst)
{
	struct kms *k = inst;

	if (k->aws.service != NULL)
		aws_client_free(&k->aws);
	for (size_t i = 0; i < k->nkeys; i++) {
		free(k->keys[i].name);
		free(k->keys[i].arn);
		free(k->keys[i].account);
	}
	for (size_t i = 0; i < k->nctx; i++) {
		free(k->ctx_keys[i]);
		free(k->ctx_values[i]);
	}
	kms_cache_free(k->cache);
	free(k->to);
	free(k);
}

/* The username acceptable here?  Its version and type. */
static enum coffer_rc
kms_username_ok(const struct kms *k, const char *username,
    struct kms_username *u, struct coffer_error *err)
{
	if (username == NULL || username[0] == '\0') {
		K_ERR(err, "a token without a username");
		return COFFER_DENIED;
	}
	if (kms_username_parse(username, u, err) < 0)
		return COFFER_DENIED;
	if (u->version < k->min_version || u->version > k->max_version) {
		K_ERR(err, "token version %d is outside %d to %d", u->version,
		    k->min_version, k->max_version);
		return COFFER_DENIED;
	}
	if ((u->type == KMS_USER && !k->allow_user) ||
	    (u->type == KMS_SERVICE && !k->allow_service)) {
		K_ERR(err, "%s tokens are not accepted here", u->type ==
		    KMS_USER ? "user" : "service");
		return COFFER_DENIED;
	}
	return COFFER_OK;
}

static enum coffer_rc
kms_principal(const struct kms *k, const struct kms_username *u,
    const struct kms_key *key, struct coffer_principal *p,
    struct coffer_error *err)
{
	const struct coffer_host *h = k->host;

	if (h->principal_set(p, u->from, u->type == KMS_USER ?
	    COFFER_PRINCIPAL_USER : COFFER_PRINCIPAL_SERVICE) < 0 ||
	    h->principal_attr(p, "kms_key", key->name) < 0 ||
	    (key->account != NULL && h->principal_attr(p, "account",
	    key->account) < 0)) {
		K_ERR(err, "the name %.64s is not acceptable", u->from);
		return COFFER_DENIED;
	}
	return COFFER_OK;
}

/* The times are checked on every use, cached or not. */
static enum coffer_rc
kms_window_ok(const struct kms *k, const struct kms_window *w,
    struct coffer_error *err)
{
	return kms_window_check(w, k->host->now_ms() / 1000, k->max_lifetime_s,
	    k->skew_s, err) < 0 ? COFFER_DENIED : COFFER_OK;
}

/* TOKEN checked: from the cache, from another request's KMS call for the
 * same token, or with a KMS call of our own. */
static enum coffer_rc
kms_verify(struct kms *k, const char *token, const struct kms_username *u,
    struct kms_window *w, const struct kms_key **key,
    struct coffer_error *err)
{
	struct kms_flight *f;
	enum coffer_rc rc = COFFER_OK;

	switch (kms_cache_lookup(k->cache, token, u, w, key, &f, &rc, err)) {
	case KMS_HIT:
		return kms_window_ok(k, w, err);
	case KMS_SHARED:
		return rc != COFFER_OK ? rc : kms_window_ok(k, w, err);
	case KMS_LEAD:
		break;
	}
	*key = NULL;
	if ((rc = kms_decrypt(k, token, u, w, key, err)) == COFFER_OK)
		rc = kms_window_ok(k, w, err);
	kms_cache_land(k->cache, f, token, u, rc, w, *key, err);
	return rc;
}

static enum coffer_rc
kms_authenticate(void *inst, const struct coffer_auth_request *req,
    struct coffer_principal *p, struct coffer_error *err)
{
	struct kms *k = inst;
	struct kms_username u;
	struct kms_window w;
	const struct kms_key *key;
	enum coffer_rc rc;

	if (req->token == NULL)
		return COFFER_IGNORE;
	if (strlen(req->token) > KMS_TOKEN_MAX) {
		K_ERR(err, "the token is over %d bytes", KMS_TOKEN_MAX);
		return COFFER_DENIED;
	}
	if ((rc = kms_username_ok(k, req->username, &u, err)) != COFFER_OK ||
	    (rc = kms_verify(k, req->token, &u, &w, &key, err)) != COFFER_OK)
		return rc;
	return kms_principal(k, &u, key, p, err);
}

/* Would kms_authenticate() answer at once: no token, one refused before
 * KMS is asked, or one already checked and cached?  (An entry that ages
 * out of the cache in between costs that one request a KMS call on the
 * I/O thread.) */
static int
kms_answers_now(void *inst, const struct coffer_auth_request *req)
{
	struct kms *k = inst;
	struct kms_username u;
	struct coffer_error err;

	if (req->token == NULL || strlen(req->token) > KMS_TOKEN_MAX ||
	    kms_username_ok(k, req->username, &u, &err) != COFFER_OK)
		return 1;
	return kms_cache_maybe(k->cache, req->token, &u);
}

static const struct coffer_auth_ops kms_ops = {
	.struct_size = sizeof(struct coffer_auth_ops),
	.authenticate = kms_authenticate,
	.answers_now = kms_answers_now,
};

static const struct coffer_module kms_module = {
	COFFER_MODULE_HEADER,
	.name = "auth_kms",
	.version = PACKAGE_VERSION,
	.kind = COFFER_KIND_AUTH,
	.options = kms_options,
	.init = kms_init,
	.fini = kms_fini,
	.open = kms_open,
	.close = kms_close,
	.auth = &kms_ops,
};

COFFER_MODULE_EXPORT const struct coffer_module *
coffer_module_entry(void)
{
	return &kms_module;
}
