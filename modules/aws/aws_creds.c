/*
 * aws_creds.c - AWS credentials, found in the order the AWS SDKs look:
 *
 *	1. the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *	   AWS_SESSION_TOKEN (or AWS_SECURITY_TOKEN), AWS_CREDENTIAL_EXPIRATION
 *	2. the shared credentials file, then the config file, for the profile
 *	   (aws_creds_file.c)
 *	3. ECS/EKS container credentials (aws_creds_http.c)
 *	4. EC2 instance metadata, IMDSv2 (aws_creds_http.c)
 *
 * The first source that is configured wins; one that is configured but
 * fails stops the search with its error (as botocore does: a broken
 * profile must not silently fall through to the instance's role).
 * Temporary credentials are refreshed 15 minutes before they expire.
 * Secret keys live in the host's secure memory and never reach a log.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws.h"

#define CREDS_REFRESH_MS	(15 * 60 * 1000)
#define CREDS_RETRY_MS		(30 * 1000)	/* after a failed refresh */

static char *
aws_creds_secure_dup(const struct coffer_host *host, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = host->secure_alloc(n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

int
aws_creds_set_parts(const struct coffer_host *host, struct aws_creds *c,
    const char *id, const char *secret, const char *token,
    const char *source, char *err)
{
	memset(c, 0, sizeof(*c));
	if (id == NULL || id[0] == '\0' || secret == NULL ||
	    secret[0] == '\0') {
		snprintf(err, AWS_ERR_MAX, "%s: an access key id and a secret "
		    "access key are both needed", source);
		return -1;
	}
	c->access_key = strdup(id);
	c->secret_key = aws_creds_secure_dup(host, secret);
	if (token != NULL && token[0] != '\0')
		c->token = aws_creds_secure_dup(host, token);
	snprintf(c->source, sizeof(c->source), "%s", source);
	if (c->access_key == NULL || c->secret_key == NULL ||
	    (token != NULL && token[0] != '\0' && c->token == NULL)) {
		aws_creds_clear(host, c);
		snprintf(err, AWS_ERR_MAX, "out of memory");
		return -1;
	}
	return 0;
}

void
aws_creds_clear(const struct coffer_host *host, struct aws_creds *c)
{
	free(c->access_key);
	host->secure_free(c->secret_key);
	host->secure_free(c->token);
	memset(c, 0, sizeof(*c));
}

/* "2026-11-22T12:00:00Z" (fractions and offsets tolerated as the SDKs
 * do for these endpoints) in milliseconds; -1 if unreadable. */
static int64_t
aws_creds_time(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || (end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	return (int64_t)timegm(&tm) * 1000;
}

int
aws_creds_from_env(const struct coffer_host *host, struct aws_creds *c,
    char *err)
{
	const char *id = getenv("AWS_ACCESS_KEY_ID");
	const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
	const char *token = getenv("AWS_SESSION_TOKEN");
	const char *expires = getenv("AWS_CREDENTIAL_EXPIRATION");

	if ((id == NULL || id[0] == '\0') && (secret == NULL ||
	    secret[0] == '\0'))
		return 0;
	if (token == NULL || token[0] == '\0')
		token = getenv("AWS_SECURITY_TOKEN");
	if (aws_creds_set_parts(host, c, id, secret, token, "environment",
	    err) < 0)
		return -1;
	if (expires != NULL && expires[0] != '\0' &&
	    (c->expires_ms = aws_creds_time(expires)) < 0) {
		aws_creds_clear(host, c);
		snprintf(err, AWS_ERR_MAX, "AWS_CREDENTIAL_EXPIRATION is not "
		    "an ISO 8601 time");
		return -1;
	}
	return 1;
}

int
aws_creds_parse_json(const struct coffer_host *host, const char *text,
    struct aws_creds *c, char *err)
{
	json_t *j = json_loads(text, 0, NULL);
	const char *exp = json_string_value(json_object_get(j, "Expiration"));
	int rc;

	if (!json_is_object(j)) {
		json_decref(j);
		snprintf(err, AWS_ERR_MAX, "the credentials reply is not JSON");
		return -1;
	}
	rc = aws_creds_set_parts(host, c, json_string_value(json_object_get(j,
	    "AccessKeyId")), json_string_value(json_object_get(j,
	    "SecretAccessKey")), json_string_value(json_object_get(j,
	    "Token")), "", err);
	if (rc == 0 && exp != NULL && (c->expires_ms = aws_creds_time(exp)) <
	    0) {
		aws_creds_clear(host, c);
		snprintf(err, AWS_ERR_MAX, "the credentials' Expiration is not "
		    "an ISO 8601 time");
		rc = -1;
	}
	json_decref(j);
	return rc;
}

void
aws_creds_chain_init(struct aws_creds_chain *chain,
    const struct coffer_host *host, const char *profile)
{
	memset(chain, 0, sizeof(*chain));
	chain->host = host;
	chain->profile = profile ? strdup(profile) : NULL;
	pthread_mutex_init(&chain->lock, NULL);
}

void
aws_creds_chain_free(struct aws_creds_chain *chain)
{
	aws_creds_clear(chain->host, &chain->cur);
	free(chain->profile);
	free(chain->imds_endpoint);
	pthread_mutex_destroy(&chain->lock);
}

/* Walk the sources; the first configured one answers. */
static int
aws_creds_find(struct aws_creds_chain *chain, struct aws_creds *c,
    char *err)
{
	const struct coffer_host *h = chain->host;
	int rc;

	if ((rc = aws_creds_from_env(h, c, err)) != 0 ||
	    (rc = aws_creds_from_file(h, chain->profile, c, err)) != 0 ||
	    (rc = aws_creds_from_container(h, c, err)) != 0 ||
	    (rc = aws_creds_from_imds(h, chain->imds_endpoint, c, err)) != 0)
		return rc > 0 ? 0 : -1;
	snprintf(err, AWS_ERR_MAX, "no AWS credentials: none in the "
	    "environment, the shared credentials or config file, the "
	    "container or instance metadata");
	return -1;
}

static int
aws_creds_fresh(const struct coffer_host *host, const struct aws_creds *c)
{
	return c->access_key != NULL && (c->expires_ms == 0 ||
	    c->expires_ms - host->now_ms() > CREDS_REFRESH_MS);
}

static int
aws_creds_copy(const struct coffer_host *host, const struct aws_creds *from,
    struct aws_creds *to, char *err)
{
	if (aws_creds_set_parts(host, to, from->access_key, from->secret_key,
	    from->token, from->source, err) < 0)
		return -1;
	to->expires_ms = from->expires_ms;
	return 0;
}

/* Time to look for credentials: none or near expiry, and not right
 * after a failed look (which is not repeated on every request). */
static int
aws_creds_due(const struct aws_creds_chain *chain)
{
	const struct coffer_host *h = chain->host;

	return !aws_creds_fresh(h, &chain->cur) && h->now_ms() >=
	    chain->retry_ms;
}

/* Look again; with the lock held. */
static void
aws_creds_refresh(struct aws_creds_chain *chain)
{
	const struct coffer_host *h = chain->host;
	struct aws_creds found;

	if (aws_creds_find(chain, &found, chain->error) == 0) {
		if (chain->cur.access_key == NULL ||
		    strcmp(chain->cur.source, found.source) != 0)
			h->log(h, COFFER_LOG_INFO, "AWS credentials from %s",
			    found.source);
		aws_creds_clear(h, &chain->cur);
		chain->cur = found;
		chain->error[0] = '\0';
		return;
	}
	chain->retry_ms = h->now_ms() + CREDS_RETRY_MS;
	if (chain->cur.access_key != NULL && chain->cur.expires_ms >
	    h->now_ms())	/* keep the old ones until they expire */
		h->log(h, COFFER_LOG_WARNING, "cannot refresh AWS credentials "
		    "(trying again in %d s): %s", CREDS_RETRY_MS / 1000,
		    chain->error);
}

int
aws_creds_chain_get(struct aws_creds_chain *chain, struct aws_creds *out,
    char *err)
{
	const struct coffer_host *h = chain->host;
	int rc = -1;

	pthread_mutex_lock(&chain->lock);
	if (aws_creds_due(chain))
		aws_creds_refresh(chain);
	if (chain->cur.access_key != NULL && (chain->cur.expires_ms == 0 ||
	    chain->cur.expires_ms > h->now_ms()))
		rc = aws_creds_copy(h, &chain->cur, out, err);
	else
		snprintf(err, AWS_ERR_MAX, "%s", chain->error[0] ?
		    chain->error : "AWS credentials expired");
	pthread_mutex_unlock(&chain->lock);
	return rc;
}

void
aws_creds_chain_reset(struct aws_creds_chain *chain)
{
	pthread_mutex_lock(&chain->lock);
	aws_creds_clear(chain->host, &chain->cur);
	chain->retry_ms = 0;
	pthread_mutex_unlock(&chain->lock);
}
