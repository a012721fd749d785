/*
 * aws_endpoint.c - which region and endpoint a service is called at, read
 * as the AWS SDKs read them:
 *
 *	region:   config, else AWS_REGION, else AWS_DEFAULT_REGION
 *	endpoint: config, else AWS_ENDPOINT_URL_<SERVICE> (upper case,
 *	          spaces as _), else AWS_ENDPOINT_URL, unless
 *	          AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true; else
 *	          https://<host_prefix>.<region>.amazonaws.com
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"

static const char *
aws_endpoint_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* A region is letters, digits and '-': it goes into a host name. */
static int
aws_endpoint_region_ok(const char *r)
{
	if (r[0] == '\0' || strlen(r) > 32)
		return 0;
	for (; *r != '\0'; r++)
		if (!islower((unsigned char)*r) && !isdigit((unsigned char)*r) &&
		    *r != '-')
			return 0;
	return 1;
}

static const char *
aws_endpoint_from_env(const char *service_id)
{
	char name[64];
	const char *ignore = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	size_t n = (size_t)snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_");
	const char *v;

	if (ignore != NULL && strcasecmp(ignore, "true") == 0)
		return NULL;
	for (; *service_id != '\0' && n < sizeof(name) - 1; service_id++)
		name[n++] = *service_id == ' ' ? '_' :
		    (char)toupper((unsigned char)*service_id);
	name[n] = '\0';
	if ((v = aws_endpoint_env(name)) != NULL)
		return v;
	return aws_endpoint_env("AWS_ENDPOINT_URL");
}

int
aws_endpoint_resolve(const char *service_id, const char *host_prefix,
    const char *cfg_region, const char *cfg_endpoint, char **region_r,
    char **endpoint_r, char *err)
{
	const char *region = cfg_region, *endpoint = cfg_endpoint;
	char buf[256];

	*region_r = *endpoint_r = NULL;
	if (region == NULL)
		region = aws_endpoint_env("AWS_REGION");
	if (region == NULL)
		region = aws_endpoint_env("AWS_DEFAULT_REGION");
	if (region == NULL) {
		snprintf(err, AWS_ERR_MAX, "no AWS region: set region in the "
		    "config, or AWS_REGION");
		return -1;
	}
	if (!aws_endpoint_region_ok(region)) {
		snprintf(err, AWS_ERR_MAX, "'%.64s' is not an AWS region", region);
		return -1;
	}
	if (endpoint == NULL)
		endpoint = aws_endpoint_from_env(service_id);
	if (endpoint == NULL) {
		snprintf(buf, sizeof(buf), "https://%s.%s.amazonaws.com",
		    host_prefix, region);
		endpoint = buf;
	}
	if (strncmp(endpoint, "https://", 8) != 0 &&
	    strncmp(endpoint, "http://", 7) != 0) {
		snprintf(err, AWS_ERR_MAX, "endpoint '%.100s' is not an http:// "
		    "or https:// URL", endpoint);
		return -1;
	}
	*region_r = strdup(region);
	*endpoint_r = strdup(endpoint);
	if (*region_r == NULL || *endpoint_r == NULL) {
		free(*region_r);
		free(*endpoint_r);
		snprintf(err, AWS_ERR_MAX, "out of memory");
		return -1;
	}
	return 0;
}
