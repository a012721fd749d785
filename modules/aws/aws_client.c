/*
 * aws_client.c - signed JSON calls to one AWS service.
 *
 * Each call is a POST / with the operation in X-Amz-Target, signed by
 * libcurl's SigV4 (CURLOPT_AWS_SIGV4 with provider, region and service
 * all given: curl 7.88 would otherwise guess them from the host name).
 * The signed headers are exactly Content-Type, X-Amz-Target and, with
 * temporary credentials, X-Amz-Security-Token: never X-Amz-Date (7.88
 * sends it twice) and never an empty or removal header (7.88 signs
 * those wrongly).  Idle curl handles are kept in a pool, so connections
 * are reused across requests and threads.
 */
#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws.h"

#define CLIENT_ERR(e, ...) snprintf((e)->msg, sizeof((e)->msg), __VA_ARGS__)

static int
client_dup(char **dst, const char *src)
{
	return (*dst = strdup(src)) != NULL ? 0 : -1;
}

int
aws_client_init(struct aws_client *c, const struct coffer_host *host,
    const struct aws_client_opts *o, char *err)
{
	memset(c, 0, sizeof(*c));
	c->host = host;
	if (aws_endpoint_resolve(o->service_id, o->service, o->region,
	    o->endpoint, &c->region, &c->endpoint, err) < 0)
		return -1;
	if (client_dup(&c->service, o->service) < 0 ||
	    client_dup(&c->target_prefix, o->target_prefix) < 0 ||
	    client_dup(&c->content_type, o->content_type) < 0) {
		aws_client_free(c);
		snprintf(err, AWS_ERR_MAX, "out of memory");
		return -1;
	}
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 5000;
	c->connect_timeout_ms = o->connect_timeout_ms > 0 ?
	    o->connect_timeout_ms : 2000;
	aws_creds_chain_init(&c->creds, host, o->profile);
	aws_retry_init(&c->retry, o->max_attempts, o->retry_base_ms,
	    o->retry_max_backoff_ms);
	pthread_mutex_init(&c->pool_lock, NULL);
	return 0;
}

void
aws_client_free(struct aws_client *c)
{
	if (c->service != NULL) {	/* fully initialised */
		for (size_t i = 0; i < c->npool; i++)
			curl_easy_cleanup(c->pool[i]);
		free(c->pool);
		pthread_mutex_destroy(&c->pool_lock);
		aws_creds_chain_free(&c->creds);
		aws_retry_free(&c->retry);
	}
	free(c->service);
	free(c->region);
	free(c->endpoint);
	free(c->target_prefix);
	free(c->content_type);
	memset(c, 0, sizeof(*c));
}

/* An idle handle from the pool, or a new one. */
static CURL *
client_handle(struct aws_client *c)
{
	CURL *h = NULL;

	pthread_mutex_lock(&c->pool_lock);
	if (c->npool > 0)
		h = c->pool[--c->npool];
	pthread_mutex_unlock(&c->pool_lock);
	if (h == NULL)
		h = curl_easy_init();
	else
		curl_easy_reset(h);	/* keeps its connections */
	return h;
}

static void
client_handle_put(struct aws_client *c, CURL *h)
{
	void **pool;

	pthread_mutex_lock(&c->pool_lock);
	if (c->npool == c->pool_cap) {
		size_t cap = c->pool_cap ? c->pool_cap * 2 : 8;

		if ((pool = realloc(c->pool, cap * sizeof(*pool))) != NULL) {
			c->pool = pool;
			c->pool_cap = cap;
		}
	}
	if (c->npool < c->pool_cap) {
		c->pool[c->npool++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&c->pool_lock);
	if (h != NULL)
		curl_easy_cleanup(h);
}

static struct curl_slist *
client_headers(const struct aws_client *c, const char *op,
    const struct aws_creds *cr)
{
	struct curl_slist *l = NULL, *t;
	char line[256];
	size_t n;
	char *tok;

	snprintf(line, sizeof(line), "Content-Type: %s", c->content_type);
	l = curl_slist_append(l, line);
	snprintf(line, sizeof(line), "X-Amz-Target: %s.%s", c->target_prefix,
	    op);
	if (l != NULL && (t = curl_slist_append(l, line)) != NULL)
		l = t;
	if (cr->token == NULL || l == NULL)
		return l;
	n = strlen(cr->token) + 32;
	if ((tok = malloc(n)) == NULL) {
		curl_slist_free_all(l);
		return NULL;
	}
	snprintf(tok, n, "X-Amz-Security-Token: %s", cr->token);
	t = curl_slist_append(l, tok);
	c->host->memzero(tok, n);
	free(tok);
	if (t == NULL)
		curl_slist_free_all(l);
	return t;
}

static void
client_setup(const struct aws_client *c, CURL *h, const char *body,
    struct curl_slist *headers, const struct aws_creds *cr)
{
	char sigv4[128];

	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:%s", c->region, c->service);
	curl_easy_setopt(h, CURLOPT_URL, c->endpoint);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
	curl_easy_setopt(h, CURLOPT_USERNAME, cr->access_key);
	curl_easy_setopt(h, CURLOPT_PASSWORD, cr->secret_key);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
}

/* One attempt: 0 with an HTTP answer in R, -1 without one. */
static int
client_attempt(struct aws_client *c, const char *op, const char *body,
    struct aws_http_reply *r, char *err)
{
	struct aws_creds cr;
	struct curl_slist *headers;
	CURL *h;
	int rc;

	memset(r, 0, sizeof(*r));
	if (aws_creds_chain_get(&c->creds, &cr, err) < 0)
		return -2;
	headers = client_headers(c, op, &cr);
	if (headers == NULL || (h = client_handle(c)) == NULL) {
		curl_slist_free_all(headers);
		aws_creds_clear(c->host, &cr);
		snprintf(err, AWS_ERR_MAX, "out of memory");
		return -2;
	}
	client_setup(c, h, body, headers, &cr);
	rc = aws_http_perform(h, r);
	curl_easy_setopt(h, CURLOPT_PASSWORD, "");
	client_handle_put(c, h);
	curl_slist_free_all(headers);
	aws_creds_clear(c->host, &cr);
	if (rc < 0)
		snprintf(err, AWS_ERR_MAX, "%s", r->error);
	return rc;
}

/* Release what json_dumps() returned, with jansson's allocator: the
 * daemon may have replaced malloc's (core/jsonmem.c wipes memory). */
static void
aws_client_free_text(char *text)
{
	json_free_t jfree;

	json_get_alloc_funcs(NULL, &jfree);
	jfree(text);
}

static void
client_sleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0)
		;
}

/* Credentials AWS refused as stale: find them anew and try again. */
static int
client_creds_stale(const char *code)
{
	return strcmp(code, "ExpiredToken") == 0 ||
	    strcmp(code, "ExpiredTokenException") == 0 ||
	    strcmp(code, "RequestExpired") == 0;
}

/* Fill R (and ERR) from an HTTP answer; COFFER_OK or COFFER_ERROR. */
static enum coffer_rc
client_answer(struct aws_http_reply *h, struct aws_result *r,
    struct coffer_error *err)
{
	char msg[200];

	r->status = h->status;
	if (h->status == 200) {
		if ((r->result = json_loadb(h->body, h->len, 0, NULL)) != NULL)
			return COFFER_OK;
		snprintf(r->code, sizeof(r->code), "InvalidReply");
		CLIENT_ERR(err, "AWS answered 200 with a body that is not JSON");
		return COFFER_ERROR;
	}
	aws_error_parse(h->status, h->body, r->code, sizeof(r->code), msg,
	    sizeof(msg));
	r->result = json_loadb(h->body, h->len, 0, NULL);	/* details */
	CLIENT_ERR(err, "%.60s%s%.170s (HTTP %ld)", r->code, r->code[0] ? ": " : "",
	    msg, h->status);
	return COFFER_ERROR;
}

enum coffer_rc
aws_client_call(struct aws_client *c, const char *op, json_t *body,
    struct aws_result *r, struct coffer_error *err)
{
	char *text = json_dumps(body, JSON_COMPACT), why[AWS_ERR_MAX];
	struct aws_http_reply h;
	enum coffer_rc rc = COFFER_UNAVAILABLE;
	int attempt, kind, cost, taken = 0, got;
	long delay;

	memset(r, 0, sizeof(*r));
	if (text == NULL) {
		CLIENT_ERR(err, "out of memory");
		return COFFER_ERROR;
	}
	for (attempt = 1;; attempt++) {
		got = client_attempt(c, op, text, &h, why);
		if (got == -2) {	/* no credentials: no point retrying */
			CLIENT_ERR(err, "%s", why);
			break;
		}
		if (got == 0 && (rc = client_answer(&h, r, err)) == COFFER_OK) {
			aws_http_reply_free(&h);
			aws_retry_release(&c->retry, taken > 0, taken);
			break;
		}
		if (got < 0)
			CLIENT_ERR(err, "%.90s: %.150s", c->endpoint, why);
		kind = got < 0 ? 1 : aws_retry_kind(h.status, r->code);
		if (got == 0 && client_creds_stale(r->code)) {
			aws_creds_chain_reset(&c->creds);
			kind = 1;
		}
		aws_http_reply_free(&h);
		if (kind == 0)		/* AWS's definite answer */
			break;
		rc = COFFER_UNAVAILABLE;
		if ((cost = aws_retry_acquire(&c->retry, attempt, h.timed_out,
		    &delay)) < 0)
			break;
		taken += cost;
		c->host->log(c->host, COFFER_LOG_DEBUG, "%s %s: retry %d in "
		    "%ld ms: %s", c->service, op, attempt, delay, err->msg);
		client_sleep(delay);
		json_decref(r->result);
		memset(r, 0, sizeof(*r));
	}
	aws_client_free_text(text);
	return rc;
}

void
aws_result_free(struct aws_result *r)
{
	json_decref(r->result);
	r->result = NULL;
}
