/*
 * store_dynamo.c - the store_dynamo module: sealed records in an AWS
 * DynamoDB table that many daemons share.  The table is the only state:
 * daemons are stateless and any number may serve from one table.  See
 * coffer-store-dynamo(5) and dynamo.h for the layout.
 */
#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynamo.h"

#define D_ERR(err, ...) snprintf((err)->msg, sizeof((err)->msg), __VA_ARGS__)

static const struct coffer_option dynamo_options[] = {
	{ "table", COFFER_OPT_STRING, COFFER_OPT_REQUIRED,
	  "the DynamoDB table" },
	{ "region", COFFER_OPT_STRING, 0,
	  "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION)" },
	{ "endpoint", COFFER_OPT_STRING, 0, "URL (default: "
	  "AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, or AWS's)" },
	{ "profile", COFFER_OPT_STRING, 0,
	  "profile in the shared AWS files (default: AWS_PROFILE)" },
	{ "create_table", COFFER_OPT_BOOL, 0,
	  "create the table if missing, on-demand (default false)" },
	{ "timeout_ms", COFFER_OPT_INT, 0,
	  "longest wait for one request (default 5000)" },
	{ "connect_timeout_ms", COFFER_OPT_INT, 0,
	  "longest wait for a connection (default 2000)" },
	{ "max_attempts", COFFER_OPT_INT, 0,
	  "attempts per request, the first included (default 3)" },
	{ "retry_base_ms", COFFER_OPT_INT, 0,
	  "backoff base before retries (default 50)" },
	{ "retry_max_backoff_ms", COFFER_OPT_INT, 0,
	  "longest backoff before one retry (default 20000)" },
	{ NULL, 0, 0, NULL }
};

static enum coffer_rc
dynamo_init(const struct coffer_host *host, struct coffer_error *err)
{
	(void)host;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		D_ERR(err, "libcurl failed to initialise");
		return COFFER_ERROR;
	}
	return COFFER_OK;
}

static void
dynamo_fini(void)
{
	curl_global_cleanup();
}

/* An integer option within [MIN, MAX], or -1 with ERR. */
static long
dynamo_int(const struct coffer_host *host, const struct coffer_conf *conf,
    const char *key, long def, long min, long max, struct coffer_error *err)
{
	int64_t v = host->conf_int(conf, key, def);

	if (v < min || v > max) {
		D_ERR(err, "%s: %s must be %ld to %ld", host->conf_where(conf,
		    key), key, min, max);
		return -1;
	}
	return (long)v;
}

static int
dynamo_opts(const struct coffer_host *host, const struct coffer_conf *conf,
    struct aws_client_opts *o, struct coffer_error *err)
{
	memset(o, 0, sizeof(*o));
	o->service_id = "DynamoDB";
	o->service = "dynamodb";
	o->target_prefix = "DynamoDB_20120810";
	o->content_type = "application/x-amz-json-1.0";
	o->region = host->conf_string(conf, "region", NULL);
	o->endpoint = host->conf_string(conf, "endpoint", NULL);
	o->profile = host->conf_string(conf, "profile", NULL);
	return (o->timeout_ms = dynamo_int(host, conf, "timeout_ms", 5000, 1,
	    600000, err)) < 0 ||
	    (o->connect_timeout_ms = dynamo_int(host, conf,
	    "connect_timeout_ms", 2000, 1, 600000, err)) < 0 ||
	    (o->max_attempts = (int)dynamo_int(host, conf, "max_attempts", 3,
	    1, 20, err)) < 0 ||
	    (o->retry_base_ms = dynamo_int(host, conf, "retry_base_ms", 50, 1,
	    60000, err)) < 0 ||
	    (o->retry_max_backoff_ms = dynamo_int(host, conf,
	    "retry_max_backoff_ms", 20000, 1, 600000, err)) < 0 ? -1 : 0;
}

static void dynamo_close(void *inst);

static enum coffer_rc
dynamo_open(const struct coffer_host *host, const struct coffer_conf *conf,
    void **inst_r, struct coffer_error *err)
{
	struct aws_client_opts o;
	struct dynamo *d;
	char why[AWS_ERR_MAX];
	enum coffer_rc rc;

	if (dynamo_opts(host, conf, &o, err) < 0)
		return COFFER_ERROR;
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->table = strdup(host->conf_string(conf, "table", ""))) == NULL) {
		free(d);
		D_ERR(err, "out of memory");
		return COFFER_ERROR;
	}
	d->host = host;
	if (aws_client_init(&d->aws, host, &o, why) < 0) {
		D_ERR(err, "%.80s: %.170s", host->conf_where(conf, NULL), why);
		free(d->table);
		free(d);
		return COFFER_ERROR;
	}
	if ((rc = dynamo_table_ready(d, host->conf_bool(conf, "create_table",
	    0), err)) != COFFER_OK) {
		dynamo_close(d);
		return rc;
	}
	host->log(host, COFFER_LOG_INFO, "table %s in %s at %s", d->table,
	    d->aws.region, d->aws.endpoint);
	*inst_r = d;
	return COFFER_OK;
}

static void
dynamo_close(void *inst)
{
	struct dynamo *d = inst;

	aws_client_free(&d->aws);
	free(d->table);
	free(d);
}

static void
dynamo_limits(void *inst, struct coffer_store_limits *limits)
{
	(void)inst;
	limits->max_record = DYNAMO_MAX_RECORD;
}

static const struct coffer_store_ops dynamo_ops = {
	.struct_size = sizeof(struct coffer_store_ops),
	.limits = dynamo_limits,
	.put = dynamo_put,
	.get = dynamo_get,
	.list = dynamo_list,
	.revisions = dynamo_revisions,
	.remove = dynamo_remove,
	.replace = dynamo_replace,
	.get_latest_many = dynamo_get_latest_many,
};

static const struct coffer_module dynamo_module = {
	COFFER_MODULE_HEADER,
	.name = "store_dynamo",
	.version = PACKAGE_VERSION,
	.kind = COFFER_KIND_STORE,
	.options = dynamo_options,
	.init = dynamo_init,
	.fini = dynamo_fini,
	.open = dynamo_open,
	.close = dynamo_close,
	.store = &dynamo_ops,
};

COFFER_MODULE_EXPORT const struct coffer_module *
coffer_module_entry(void)
{
	return &dynamo_module;
}
