/*
 * aws_creds_http.c - credentials from the metadata endpoints, as the SDKs
 * fetch them.
 *
 * Container (ECS, EKS Pod Identity): AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 * appended to http://169.254.170.2, else AWS_CONTAINER_CREDENTIALS_FULL_URI,
 * which over plain http must name a loopback address or one of the
 * container endpoints; an Authorization header from
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or _TOKEN.  2 s, 3 attempts.
 *
 * EC2 IMDSv2: PUT /latest/api/token, then the role name from
 * /latest/meta-data/iam/security-credentials/ and its credentials below
 * it, at AWS_EC2_METADATA_SERVICE_ENDPOINT or http://169.254.169.254.
 * 1 s per request.  AWS_EC2_METADATA_DISABLED=true turns it off; IMDSv1
 * (no token) is never used.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws.h"

#define CONTAINER_HOST		"http://169.254.170.2"
#define CONTAINER_TIMEOUT_MS	2000
#define CONTAINER_ATTEMPTS	3
#define IMDS_DEFAULT		"http://169.254.169.254"
#define IMDS_TIMEOUT_MS		1000
#define AUTH_TOKEN_MAX		4096

static const char *
creds_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* Over plain http only to the container agents or this machine. */
static int
creds_container_host_ok(const char *url)
{
	static const char *const ok[] = { "127.", "localhost", "[::1]",
	    "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", NULL };
	const char *host;

	if (strncmp(url, "https://", 8) == 0)
		return 1;
	if (strncmp(url, "http://", 7) != 0)
		return 0;
	host = url + 7;
	for (int i = 0; ok[i] != NULL; i++) {
		size_t n = strlen(ok[i]);

		if (strncmp(host, ok[i], n) == 0 && (ok[i][n - 1] == '.' ||
		    host[n] == ':' || host[n] == '/' || host[n] == '\0'))
			return 1;
	}
	return 0;
}

/* The Authorization header value into BUF; 0 none, 1 set, -1 error. */
static int
creds_container_token(char *buf, size_t len, char *err)
{
	const char *file = creds_env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *tok = creds_env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	size_t n = 0;
	FILE *f;

	if (file != NULL) {
		if ((f = fopen(file, "re")) == NULL) {
			snprintf(err, AWS_ERR_MAX, "%s: %s", file,
			    strerror(errno));
			return -1;
		}
		n = fread(buf, 1, len - 1, f);
		fclose(f);
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';	/* a final newline */
	} else if (tok != NULL)
		snprintf(buf, len, "%s", tok);
	else
		return 0;
	if (strpbrk(buf, "\r\n") != NULL) {
		snprintf(err, AWS_ERR_MAX, "the container authorization token "
		    "holds a line break");
		return -1;
	}
	return 1;
}

static int
creds_container_url(char *url, size_t len, char *err)
{
	const char *rel = creds_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = creds_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");

	if (rel != NULL) {
		snprintf(url, len, "%s%s", CONTAINER_HOST, rel);
		return 1;
	}
	if (full == NULL)
		return 0;
	if (!creds_container_host_ok(full)) {
		snprintf(err, AWS_ERR_MAX, "AWS_CONTAINER_CREDENTIALS_FULL_URI "
		    "must be https, or http to a loopback or container "
		    "endpoint address");
		return -1;
	}
	snprintf(url, len, "%s", full);
	return 1;
}

/* GET URL (with HEADER if not NULL) until an answer, up to ATTEMPTS. */
static int
creds_fetch(const char *url, const char *header, long timeout_ms,
    int attempts, struct aws_http_reply *r, char *err)
{
	const char *headers[] = { header, NULL };

	for (int i = 0; i < attempts; i++) {
		if (aws_http_simple("GET", url, header ? headers : NULL, NULL,
		    timeout_ms, r) == 0 && r->status == 200)
			return 0;
		if (r->status != 0)
			snprintf(err, AWS_ERR_MAX, "%.100s: HTTP %ld", url,
			    r->status);
		else
			snprintf(err, AWS_ERR_MAX, "%.100s: %.140s", url,
			    r->error);
		aws_http_reply_free(r);
	}
	return -1;
}

int
aws_creds_from_container(const struct coffer_host *host,
    struct aws_creds *c, char *err)
{
	char url[2048], token[AUTH_TOKEN_MAX], header[AUTH_TOKEN_MAX + 32];
	struct aws_http_reply r;
	int rc, have_token;

	if ((rc = creds_container_url(url, sizeof(url), err)) <= 0)
		return rc;
	if ((have_token = creds_container_token(token, sizeof(token), err)) <
	    0)
		return -1;
	if (have_token) {
		snprintf(header, sizeof(header), "Authorization: %s", token);
		host->memzero(token, sizeof(token));
	}
	rc = creds_fetch(url, have_token ? header : NULL, CONTAINER_TIMEOUT_MS,
	    CONTAINER_ATTEMPTS, &r, err);
	host->memzero(header, sizeof(header));
	if (rc < 0)
		return -1;
	rc = aws_creds_parse_json(host, r.body, c, err);
	host->memzero(r.body, r.len);
	aws_http_reply_free(&r);
	if (rc < 0)
		return -1;
	snprintf(c->source, sizeof(c->source), "container");
	return 1;
}

/* IMDSv2 session token into TOKEN. */
static int
creds_imds_token(const char *base, char *token, size_t len, char *err)
{
	static const char *const headers[] = {
		"X-aws-ec2-metadata-token-ttl-seconds: 21600", NULL };
	struct aws_http_reply r;
	char url[512];

	snprintf(url, sizeof(url), "%s/latest/api/token", base);
	if (aws_http_simple("PUT", url, headers, NULL, IMDS_TIMEOUT_MS, &r) <
	    0 || r.status != 200 || r.len == 0 || r.len >= len) {
		snprintf(err, AWS_ERR_MAX, "instance metadata %.100s: %.120s", url,
		    r.status ? "no IMDSv2 token" : r.error);
		aws_http_reply_free(&r);
		return -1;
	}
	memcpy(token, r.body, r.len + 1);
	aws_http_reply_free(&r);
	return 0;
}

int
aws_creds_from_imds(const struct coffer_host *host, const char *endpoint,
    struct aws_creds *c, char *err)
{
	const char *off = getenv("AWS_EC2_METADATA_DISABLED");
	const char *base = endpoint ? endpoint :
	    creds_env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	char token[1024], header[1100], url[1024], role[256];
	struct aws_http_reply r;
	int rc;

	if (off != NULL && strcasecmp(off, "true") == 0)
		return 0;
	if (base == NULL)
		base = IMDS_DEFAULT;
	if (creds_imds_token(base, token, sizeof(token), err) < 0)
		return endpoint || creds_env("AWS_EC2_METADATA_SERVICE_ENDPOINT") ?
		    -1 : 0;	/* not on EC2: the chain ends here */
	snprintf(header, sizeof(header), "X-aws-ec2-metadata-token: %s", token);
	snprintf(url, sizeof(url), "%s/latest/meta-data/iam/"
	    "security-credentials/", base);
	if (creds_fetch(url, header, IMDS_TIMEOUT_MS, 1, &r, err) < 0)
		return -1;
	snprintf(role, sizeof(role), "%.*s", (int)strcspn(r.body, "\n"),
	    r.body);
	aws_http_reply_free(&r);
	snprintf(url, sizeof(url), "%s/latest/meta-data/iam/"
	    "security-credentials/%s", base, role);
	if (role[0] == '\0' || creds_fetch(url, header, IMDS_TIMEOUT_MS, 1, &r,
	    err) < 0) {
		if (role[0] == '\0')
			snprintf(err, AWS_ERR_MAX, "instance metadata: this "
			    "instance has no IAM role");
		return -1;
	}
	rc = aws_creds_parse_json(host, r.body, c, err);
	host->memzero(r.body, r.len);
	aws_http_reply_free(&r);
	if (rc < 0)
		return -1;
	snprintf(c->source, sizeof(c->source), "instance metadata");
	return 1;
}
