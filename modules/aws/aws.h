/*
 * aws.h - what store_dynamo and auth_kms share to talk to AWS: signed
 * JSON requests over HTTPS with libcurl, credentials found the way the
 * AWS SDKs find them, endpoints and regions from config or environment,
 * and the SDKs' standard retries.  A static convenience library linked
 * into each AWS module and libcoffer-kms; nothing here is exported.  What
 * it does for admins is in coffer-store-dynamo(5), CREDENTIALS and
 * ERRORS AND RETRIES.
 *
 * Every function is thread-safe unless it says otherwise.
 */
#ifndef COFFER_AWS_H
#define COFFER_AWS_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "coffer/module.h"

#define AWS_ERR_MAX	256

/* ---- credentials (aws_creds.c) ---------------------------------------- */

struct aws_creds {
	char	*access_key;
	char	*secret_key;		/* secure memory */
	char	*token;			/* session token, or NULL */
	int64_t	 expires_ms;		/* wall clock; 0: never */
	char	 source[32];		/* "environment", "profile", ... */
};

/* Where the chain looks, from the environment and the module's config. */
struct aws_creds_chain {
	const struct coffer_host *host;
	char		*profile;	/* NULL: AWS_PROFILE, else "default" */
	char		*imds_endpoint;	/* NULL: the standard address */
	pthread_mutex_t	 lock;
	struct aws_creds cur;		/* cached; empty when none yet */
	int64_t		 retry_ms;	/* no new look before (after a failure) */
	char		 error[AWS_ERR_MAX];	/* why the last look failed */
};

void	 aws_creds_chain_init(struct aws_creds_chain *chain,
	    const struct coffer_host *host, const char *profile);
void	 aws_creds_chain_free(struct aws_creds_chain *chain);
/* Current credentials, copied into *OUT (free with aws_creds_clear);
 * found or refreshed through the chain when missing or within 15 minutes
 * of expiry (after a failed look, not again for 30 s).  0, or -1 with
 * ERR (no source had any). */
int	 aws_creds_chain_get(struct aws_creds_chain *chain,
	    struct aws_creds *out, char *err);
/* Forget cached credentials (after AWS refused them as expired). */
void	 aws_creds_chain_reset(struct aws_creds_chain *chain);
void	 aws_creds_clear(const struct coffer_host *host, struct aws_creds *c);

/* One source each, for tests and for the chain: 1 found, 0 not
 * configured here, -1 configured but failing (ERR says why). */
int	 aws_creds_from_env(const struct coffer_host *host,
	    struct aws_creds *c, char *err);
int	 aws_creds_from_file(const struct coffer_host *host,
	    const char *profile, struct aws_creds *c, char *err);
int	 aws_creds_from_container(const struct coffer_host *host,
	    struct aws_creds *c, char *err);
int	 aws_creds_from_imds(const struct coffer_host *host,
	    const char *endpoint, struct aws_creds *c, char *err);
/* Fill C from its parts (copied; SECRET and TOKEN into secure memory).
 * 0, or -1 with ERR. */
int	 aws_creds_set_parts(const struct coffer_host *host,
	    struct aws_creds *c, const char *id, const char *secret,
	    const char *token, const char *source, char *err);
/* Credentials from a container or IMDS JSON reply. */
int	 aws_creds_parse_json(const struct coffer_host *host,
	    const char *text, struct aws_creds *c, char *err);

/* ---- plain HTTP (aws_http.c) ------------------------------------------ */

struct aws_http_reply {
	long	 status;		/* 0: no HTTP answer at all */
	char	*body;			/* NUL-terminated, or NULL */
	size_t	 len;
	int	 timed_out;		/* the transfer ran out of time */
	char	 error[AWS_ERR_MAX];	/* curl's reason when status is 0 */
};

/* METHOD URL with HEADERS (NULL-terminated, may be NULL) and BODY (may be
 * NULL), at most TIMEOUT_MS.  For metadata endpoints; no signing.
 * 0 when an HTTP answer came (any status), -1 otherwise (REPLY.error). */
int	 aws_http_simple(const char *method, const char *url,
	    const char *const *headers, const char *body, long timeout_ms,
	    struct aws_http_reply *reply);
void	 aws_http_reply_free(struct aws_http_reply *reply);
/* Perform CURL (a CURL *, set up by the caller) into REPLY; as above. */
int	 aws_http_perform(void *curl, struct aws_http_reply *reply);

/* ---- a service client (aws_client.c) ---------------------------------- */

struct aws_retry {
	int		 max_attempts;	/* first attempt included */
	long		 base_ms;	/* backoff base */
	long		 max_backoff_ms;
	pthread_mutex_t	 lock;
	int		 quota;		/* retry token bucket */
};

struct aws_client {
	const struct coffer_host *host;
	char		*service;	/* "dynamodb", "kms": for SigV4 */
	char		*region;
	char		*endpoint;	/* "https://dynamodb.eu-west-1..." */
	char		*target_prefix;	/* "DynamoDB_20120810" */
	char		*content_type;	/* application/x-amz-json-1.0 */
	long		 timeout_ms;
	long		 connect_timeout_ms;
	struct aws_creds_chain creds;
	struct aws_retry retry;
	pthread_mutex_t	 pool_lock;	/* idle curl handles, for reuse */
	void		**pool;
	size_t		 npool, pool_cap;
};

/* Settings a module passes through from its config. */
struct aws_client_opts {
	const char	*service_id;	/* "DynamoDB": for AWS_ENDPOINT_URL_* */
	const char	*service;	/* "dynamodb": signing name, host */
	const char	*target_prefix, *content_type;
	const char	*region;	/* NULL: AWS_REGION, AWS_DEFAULT_REGION */
	const char	*endpoint;	/* NULL: AWS_ENDPOINT_URL_<SVC>, ... */
	const char	*profile;
	long		 timeout_ms, connect_timeout_ms;
	int		 max_attempts;
	long		 retry_base_ms, retry_max_backoff_ms;
};

/* The result of a call.  On COFFER_OK, RESULT is the reply's JSON (on
 * COFFER_ERROR, the error reply's, when it was JSON).
 * Otherwise CODE is AWS's error code ("ConditionalCheckFailedException")
 * or "" when no AWS answer came, and ERR.msg says what happened. */
struct aws_result {
	json_t	*result;
	char	 code[64];
	long	 status;
};

int	 aws_client_init(struct aws_client *c, const struct coffer_host *host,
	    const struct aws_client_opts *o, char *err);
void	 aws_client_free(struct aws_client *c);
/*
 * Call OPERATION with BODY (borrowed), signed, retried as the SDKs'
 * standard mode does.  COFFER_OK; COFFER_ERROR for an AWS answer that is
 * not retryable (the caller looks at R.code: a failed condition, say);
 * COFFER_UNAVAILABLE when AWS could not be reached or kept failing.
 */
enum coffer_rc aws_client_call(struct aws_client *c, const char *operation,
	    json_t *body, struct aws_result *r, struct coffer_error *err);
void	 aws_result_free(struct aws_result *r);

/* ---- pieces, exposed for the unit tests ------------------------------- */

/* The region and endpoint the SDKs would use for SERVICE_ID ("DynamoDB",
 * "KMS").  0, or -1 with ERR. */
int	 aws_endpoint_resolve(const char *service_id, const char *host_prefix,
	    const char *cfg_region, const char *cfg_endpoint, char **region_r,
	    char **endpoint_r, char *err);
/* AWS's error code and message from an error reply (JSON __type/message,
 * XML <Code>/<Message>, or anything else). */
void	 aws_error_parse(long status, const char *body, char *code,
	    size_t code_len, char *msg, size_t msg_len);
/* 1 if an answer with HTTP STATUS and CODE should be retried; 2 if it is
 * throttling (retried too, with its own cost). */
int	 aws_retry_kind(long status, const char *code);
void	 aws_retry_init(struct aws_retry *r, int max_attempts, long base_ms,
	    long max_backoff_ms);
void	 aws_retry_free(struct aws_retry *r);
/* Take retry tokens after attempt ATTEMPT (1-based) failed; the delay
 * before the next in *DELAY_MS.  The tokens taken (> 0), or -1 when
 * attempts or the budget are spent. */
int	 aws_retry_acquire(struct aws_retry *r, int attempt, int timeout,
	    long *delay_ms);
/* A call succeeded: the COST tokens its retries took come back, or one
 * more when it needed none (RETRIED 0). */
void	 aws_retry_release(struct aws_retry *r, int retried, int cost);

#endif
