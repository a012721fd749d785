/*
 * aws_http.c - HTTP with libcurl: the reply buffer every AWS request
 * fills, and plain requests for the credential endpoints.
 */
#include "config.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"

#define AWS_HTTP_REPLY_MAX	(16 * 1024 * 1024)

static size_t
aws_http_write(char *data, size_t size, size_t n, void *arg)
{
	struct aws_http_reply *r = arg;
	size_t len = size * n;
	char *body;

	if (r->len + len > AWS_HTTP_REPLY_MAX)
		return 0;	/* curl stops with CURLE_WRITE_ERROR */
	if ((body = realloc(r->body, r->len + len + 1)) == NULL)
		return 0;
	memcpy(body + r->len, data, len);
	r->len += len;
	body[r->len] = '\0';
	r->body = body;
	return len;
}

int
aws_http_perform(void *curl, struct aws_http_reply *r)
{
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, aws_http_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	if ((rc = curl_easy_perform(curl)) != CURLE_OK) {
		snprintf(r->error, sizeof(r->error), "%s",
		    curl_easy_strerror(rc));
		r->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
		free(r->body);
		r->body = NULL;
		r->len = 0;
		return -1;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->body == NULL && (r->body = calloc(1, 1)) == NULL) {
		snprintf(r->error, sizeof(r->error), "out of memory");
		return -1;
	}
	return 0;
}

int
aws_http_simple(const char *method, const char *url,
    const char *const *headers, const char *body, long timeout_ms,
    struct aws_http_reply *reply)
{
	struct curl_slist *list = NULL;
	CURL *curl = curl_easy_init();
	int rc;

	if (curl == NULL) {
		memset(reply, 0, sizeof(*reply));
		snprintf(reply->error, sizeof(reply->error), "out of memory");
		return -1;
	}
	for (; headers != NULL && *headers != NULL; headers++)
		list = curl_slist_append(list, *headers);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	if (body != NULL)
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	rc = aws_http_perform(curl, reply);
	curl_easy_cleanup(curl);
	curl_slist_free_all(list);
	return rc;
}

void
aws_http_reply_free(struct aws_http_reply *reply)
{
	free(reply->body);
	reply->body = NULL;
	reply->len = 0;
}
