/*
 * aws_retry.c - retries as the AWS SDKs' standard mode makes them
 * (botocore retries/standard.py, aws-sdk-go-v2 aws/retry):
 *
 * - retried: throttling codes, HTTP 500/502/503/504, request timeouts and
 *   connection failures; never a failed condition or a validation error;
 * - delay before retry i: rand[0,1) * min(base * 2^(i-1), max_backoff)
 *   (full jitter);
 * - a token bucket of 500 shared by all requests of a client: a retry
 *   costs 5 (10 after a timeout), a success without retry gives 1 back, a
 *   success after retries returns what they took.  An empty bucket means
 *   no more retries: when AWS is down, requests fail fast instead of
 *   piling up.
 */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "aws.h"

#define RETRY_QUOTA		500
#define RETRY_COST		5
#define RETRY_COST_TIMEOUT	10

static const char *const throttling[] = {
	"Throttling", "ThrottlingException", "ThrottledException",
	"RequestThrottledException", "TooManyRequestsException",
	"ProvisionedThroughputExceededException",
	"TransactionInProgressException", "RequestLimitExceeded",
	"BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
	"SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", NULL
};

static const char *const transient[] = {
	"RequestTimeout", "RequestTimeoutException", "InternalServerError",
	"KMSInternalException", "KeyUnavailableException",
	"DependencyTimeoutException", "ServiceUnavailable", NULL
};

static int
aws_retry_listed(const char *const *list, const char *code)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, code) == 0)
			return 1;
	return 0;
}

int
aws_retry_kind(long status, const char *code)
{
	if (aws_retry_listed(throttling, code) || status == 429)
		return 2;
	if (status == 0 || status == 500 || status == 502 || status == 503 ||
	    status == 504 || aws_retry_listed(transient, code))
		return 1;
	return 0;
}

void
aws_retry_init(struct aws_retry *r, int max_attempts, long base_ms,
    long max_backoff_ms)
{
	r->max_attempts = max_attempts > 0 ? max_attempts : 3;
	r->base_ms = base_ms > 0 ? base_ms : 50;
	r->max_backoff_ms = max_backoff_ms > 0 ? max_backoff_ms : 20000;
	r->quota = RETRY_QUOTA;
	pthread_mutex_init(&r->lock, NULL);
}

void
aws_retry_free(struct aws_retry *r)
{
	pthread_mutex_destroy(&r->lock);
}

int
aws_retry_acquire(struct aws_retry *r, int attempt, int timeout,
    long *delay_ms)
{
	int cost = timeout ? RETRY_COST_TIMEOUT : RETRY_COST, ok;
	long cap = r->base_ms;

	if (attempt >= r->max_attempts)
		return -1;
	pthread_mutex_lock(&r->lock);
	if ((ok = r->quota >= cost))
		r->quota -= cost;
	pthread_mutex_unlock(&r->lock);
	if (!ok)
		return -1;
	for (int i = 1; i < attempt && cap < r->max_backoff_ms; i++)
		cap *= 2;
	if (cap > r->max_backoff_ms)
		cap = r->max_backoff_ms;
	*delay_ms = (long)((double)randombytes_uniform(1000000) / 1e6 *
	    (double)cap);
	return cost;
}

void
aws_retry_release(struct aws_retry *r, int retried, int cost)
{
	pthread_mutex_lock(&r->lock);
	r->quota += retried ? cost : 1;
	if (r->quota > RETRY_QUOTA)
		r->quota = RETRY_QUOTA;
	pthread_mutex_unlock(&r->lock);
}
