/*
 * check_aws.c - the AWS pieces shared by store_dynamo and auth_kms: the
 * credential chain (environment, shared files, a container endpoint and
 * IMDSv2 served by a small HTTP server in this file), endpoints and
 * regions, error replies in every form, and the retry rules.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aws.h"
#include "host.h"
#include "testutil.h"

static struct loaded mod;
static const struct coffer_host *host;
static const struct coffer_module fake = { .name = "aws_test" };

static void
setup(void)
{
	static const char *const vars[] = { "AWS_ACCESS_KEY_ID",
	    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	    "AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	    "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
	    "AWS_ENDPOINT_URL_DYNAMODB", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
	    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	    "AWS_EC2_METADATA_SERVICE_ENDPOINT", NULL };

	for (int i = 0; vars[i] != NULL; i++)
		unsetenv(vars[i]);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
	setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	mod.desc = &fake;
	host_init(&mod);
	host = &mod.host;
	tu_log_capture();
}

static void
teardown(void)
{
	tu_cleanup();
}

/* ---- a tiny HTTP server for the metadata endpoints ---------------------- */

#define ROUTES_MAX	4

struct route {
	const char	*method, *path;
	const char	*need_header;	/* the request must carry it */
	const char	*body;
};

static struct {
	int		 fd, port;
	struct route	 routes[ROUTES_MAX];
	int		 hits;
	pthread_t	 thread;
} srv;

static const char *
server_answer(const char *req, int *status)
{
	char method[16], path[256];

	*status = 404;
	if (sscanf(req, "%15s %255s", method, path) != 2)
		return "";
	for (int i = 0; i < ROUTES_MAX && srv.routes[i].path != NULL; i++) {
		const struct route *r = &srv.routes[i];

		if (strcmp(r->method, method) != 0 || strcmp(r->path, path) != 0)
			continue;
		if (r->need_header != NULL && strcasestr(req, r->need_header) ==
		    NULL) {
			*status = 401;
			return "";
		}
		*status = 200;
		return r->body;
	}
	return "";
}

static void *
server_run(void *arg)
{
	char req[8192], reply[8192];
	int c, status;
	ssize_t n;

	(void)arg;
	while ((c = accept(srv.fd, NULL, NULL)) >= 0) {
		const char *body;

		n = read(c, req, sizeof(req) - 1);
		req[n > 0 ? n : 0] = '\0';
		body = server_answer(req, &status);
		__atomic_add_fetch(&srv.hits, 1, __ATOMIC_SEQ_CST);
		n = snprintf(reply, sizeof(reply), "HTTP/1.1 %d X\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		    status, strlen(body), body);
		if (write(c, reply, (size_t)n) < 0)
			break;
		close(c);
	}
	return NULL;
}

static void
server_start(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv.fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(srv.fd, 0);
	ck_assert_int_eq(bind(srv.fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(srv.fd, 8), 0);
	getsockname(srv.fd, (struct sockaddr *)&a, &len);
	srv.port = ntohs(a.sin_port);
	pthread_create(&srv.thread, NULL, server_run, NULL);
}

static const char *
server_url(const char *path)
{
	static char url[256];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", srv.port, path);
	return url;
}

#define CREDS_JSON(exp) "{\"AccessKeyId\": \"ASIAFROMHTTP\", " \
	"\"SecretAccessKey\": \"httpsecret\", \"Token\": \"httptoken\", " \
	"\"Expiration\": \"" exp "\"}"

/* ---- credentials -------------------------------------------------------- */

START_TEST(test_creds_env)
{
	struct aws_creds c;
	char err[AWS_ERR_MAX];

	ck_assert_int_eq(aws_creds_from_env(host, &c, err), 0);
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	ck_assert_int_eq(aws_creds_from_env(host, &c, err), -1);
	ck_assert_msg(strstr(err, "both needed") != NULL, "%s", err);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	setenv("AWS_SESSION_TOKEN", "envtoken", 1);
	setenv("AWS_CREDENTIAL_EXPIRATION", "2030-01-02T03:04:05Z", 1);
	ck_assert_int_eq(aws_creds_from_env(host, &c, err), 1);
	ck_assert_str_eq(c.access_key, "AKIAENV");
	ck_assert_str_eq(c.secret_key, "envsecret");
	ck_assert_str_eq(c.token, "envtoken");
	ck_assert_int_eq(c.expires_ms, 1893553445000LL);
	aws_creds_clear(host, &c);
	setenv("AWS_CREDENTIAL_EXPIRATION", "tomorrow", 1);
	ck_assert_int_eq(aws_creds_from_env(host, &c, err), -1);
	ck_assert(strstr(err, "AWS_CREDENTIAL_EXPIRATION") != NULL);
}
END_TEST

START_TEST(test_creds_files)
{
	const char *dir = tu_tmpdir();
	struct aws_creds c;
	char err[AWS_ERR_MAX];

	setenv("AWS_SHARED_CREDENTIALS_FILE", tu_write(dir, "credentials",
	    "# comment\n[default]\naws_access_key_id = AKIADEF\n"
	    "aws_secret_access_key=defsecret\n\n[prod]\n"
	    "aws_access_key_id = AKIAPROD\naws_secret_access_key = prodsecret\n"
	    "aws_session_token = prodtoken\n", 0600), 1);
	setenv("AWS_CONFIG_FILE", tu_write(dir, "config", "[profile cfg]\n"
	    "region = eu-west-1\naws_access_key_id = AKIACFG\n"
	    "aws_secret_access_key = cfgsecret\n", 0600), 1);
	ck_assert_int_eq(aws_creds_from_file(host, NULL, &c, err), 1);
	ck_assert_str_eq(c.access_key, "AKIADEF");
	ck_assert_ptr_null(c.token);
	aws_creds_clear(host, &c);
	ck_assert_int_eq(aws_creds_from_file(host, "prod", &c, err), 1);
	ck_assert_str_eq(c.secret_key, "prodsecret");
	ck_assert_str_eq(c.token, "prodtoken");
	ck_assert_str_eq(c.source, "profile prod");
	aws_creds_clear(host, &c);
	setenv("AWS_PROFILE", "cfg", 1);	/* from the config file */
	ck_assert_int_eq(aws_creds_from_file(host, NULL, &c, err), 1);
	ck_assert_str_eq(c.access_key, "AKIACFG");
	aws_creds_clear(host, &c);
	ck_assert_int_eq(aws_creds_from_file(host, "nosuch", &c, err), -1);
	ck_assert_msg(strstr(err, "AWS profile 'nosuch'") != NULL, "%s", err);
}
END_TEST

START_TEST(test_creds_container)
{
	const char *dir = tu_tmpdir();
	struct aws_creds c;
	char err[AWS_ERR_MAX];

	srv.routes[0] = (struct route){ "GET", "/v2/credentials/abc",
	    "Authorization: Bearer s3cr3t", CREDS_JSON("2030-01-01T00:00:00Z") };
	server_start();
	ck_assert_int_eq(aws_creds_from_container(host, &c, err), 0);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI",
	    server_url("/v2/credentials/abc"), 1);
	/* Without the authorization token the agent refuses. */
	ck_assert_int_eq(aws_creds_from_container(host, &c, err), -1);
	ck_assert_msg(strstr(err, "HTTP 401") != NULL, "%s", err);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tu_write(dir, "tok",
	    "Bearer s3cr3t\n", 0600), 1);
	ck_assert_int_eq(aws_creds_from_container(host, &c, err), 1);
	ck_assert_str_eq(c.access_key, "ASIAFROMHTTP");
	ck_assert_str_eq(c.token, "httptoken");
	ck_assert_str_eq(c.source, "container");
	aws_creds_clear(host, &c);
	/* Plain http elsewhere than the container agents is refused. */
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.1.2.3/creds",
	    1);
	ck_assert_int_eq(aws_creds_from_container(host, &c, err), -1);
	ck_assert(strstr(err, "must be https") != NULL);
}
END_TEST

static void
imds_routes(const char *expiration_json)
{
	srv.routes[0] = (struct route){ "PUT", "/latest/api/token",
	    "X-aws-ec2-metadata-token-ttl-seconds: 21600", "imdstoken" };
	srv.routes[1] = (struct route){ "GET",
	    "/latest/meta-data/iam/security-credentials/",
	    "X-aws-ec2-metadata-token: imdstoken", "coffer-role\n" };
	srv.routes[2] = (struct route){ "GET",
	    "/latest/meta-data/iam/security-credentials/coffer-role",
	    "X-aws-ec2-metadata-token: imdstoken", expiration_json };
}

START_TEST(test_creds_imds)
{
	struct aws_creds c;
	char err[AWS_ERR_MAX];

	imds_routes(CREDS_JSON("2031-06-07T08:09:10Z"));
	server_start();
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", server_url(""), 1);
	ck_assert_int_eq(aws_creds_from_imds(host, NULL, &c, err), 1);
	ck_assert_str_eq(c.access_key, "ASIAFROMHTTP");
	ck_assert_str_eq(c.secret_key, "httpsecret");
	ck_assert_str_eq(c.source, "instance metadata");
	ck_assert_int_gt(c.expires_ms, 0);
	aws_creds_clear(host, &c);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	ck_assert_int_eq(aws_creds_from_imds(host, NULL, &c, err), 0);
}
END_TEST

START_TEST(test_chain_order_and_refresh)
{
	struct aws_creds_chain chain;
	struct aws_creds c;
	char err[AWS_ERR_MAX], soon[32];
	time_t t = time(NULL) + 10 * 60;	/* inside the refresh margin */
	int hits;

	strftime(soon, sizeof(soon), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	{
		static char body[512];

		snprintf(body, sizeof(body), "{\"AccessKeyId\": \"ASIASOON\", "
		    "\"SecretAccessKey\": \"s\", \"Token\": \"t\", "
		    "\"Expiration\": \"%s\"}", soon);
		imds_routes(body);
	}
	server_start();
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", server_url(""), 1);
	aws_creds_chain_init(&chain, host, NULL);
	/* Nothing configured but IMDS: it answers. */
	ck_assert_msg(aws_creds_chain_get(&chain, &c, err) == 0, "%s", err);
	ck_assert_str_eq(c.access_key, "ASIASOON");
	aws_creds_clear(host, &c);
	hits = srv.hits;
	/* Expiring within 15 minutes: fetched again on the next use. */
	ck_assert_int_eq(aws_creds_chain_get(&chain, &c, err), 0);
	aws_creds_clear(host, &c);
	ck_assert_int_eq(srv.hits, hits + 3);
	/* The environment comes first, and is kept (no expiry). */
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	aws_creds_chain_reset(&chain);
	ck_assert_int_eq(aws_creds_chain_get(&chain, &c, err), 0);
	ck_assert_str_eq(c.access_key, "AKIAENV");
	aws_creds_clear(host, &c);
	hits = srv.hits;
	ck_assert_int_eq(aws_creds_chain_get(&chain, &c, err), 0);
	aws_creds_clear(host, &c);
	ck_assert_int_eq(srv.hits, hits);
	ck_assert(tu_log_has("AWS credentials from environment"));
	ck_assert(!tu_log_has("envsecret"));
	aws_creds_chain_free(&chain);
}
END_TEST

START_TEST(test_chain_nothing)
{
	struct aws_creds_chain chain;
	struct aws_creds c;
	char err[AWS_ERR_MAX];

	aws_creds_chain_init(&chain, host, NULL);
	ck_assert_int_eq(aws_creds_chain_get(&chain, &c, err), -1);
	ck_assert_msg(strstr(err, "no AWS credentials") != NULL, "%s", err);
	aws_creds_chain_free(&chain);
}
END_TEST

/* A source that fails is not asked again on every request. */
START_TEST(test_chain_failure_backs_off)
{
	struct aws_creds_chain chain;
	struct aws_creds c;
	char err[AWS_ERR_MAX];
	int hits;

	server_start();		/* no routes: every request is a 404 */
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", server_url(""), 1);
	aws_creds_chain_init(&chain, host, NULL);
	ck_assert_int_eq(aws_creds_chain_get(&chain, &c, err), -1);
	ck_assert_msg(strstr(err, "no IMDSv2 token") != NULL, "%s", err);
	hits = srv.hits;
	ck_assert_int_gt(hits, 0);
	ck_assert_int_eq(aws_creds_chain_get(&chain, &c, err), -1);
	ck_assert_msg(strstr(err, "no IMDSv2 token") != NULL, "%s", err);
	ck_assert_int_eq(srv.hits, hits);
	/* After a reset (AWS refused them), the chain looks again. */
	aws_creds_chain_reset(&chain);
	ck_assert_int_eq(aws_creds_chain_get(&chain, &c, err), -1);
	ck_assert_int_gt(srv.hits, hits);
	aws_creds_chain_free(&chain);
}
END_TEST

/* ---- endpoints ---------------------------------------------------------- */

static void
expect_endpoint(const char *cfg_region, const char *cfg_endpoint,
    const char *region, const char *endpoint)
{
	char *r, *e, err[AWS_ERR_MAX];

	ck_assert_msg(aws_endpoint_resolve("DynamoDB", "dynamodb", cfg_region,
	    cfg_endpoint, &r, &e, err) == 0, "%s", err);
	ck_assert_str_eq(r, region);
	ck_assert_str_eq(e, endpoint);
	free(r);
	free(e);
}

START_TEST(test_endpoints)
{
	char *r, *e, err[AWS_ERR_MAX];

	ck_assert_int_eq(aws_endpoint_resolve("DynamoDB", "dynamodb", NULL,
	    NULL, &r, &e, err), -1);
	ck_assert(strstr(err, "no AWS region") != NULL);
	setenv("AWS_DEFAULT_REGION", "eu-west-1", 1);
	expect_endpoint(NULL, NULL, "eu-west-1",
	    "https://dynamodb.eu-west-1.amazonaws.com");
	setenv("AWS_REGION", "us-east-2", 1);
	expect_endpoint(NULL, NULL, "us-east-2",
	    "https://dynamodb.us-east-2.amazonaws.com");
	expect_endpoint("ap-south-1", NULL, "ap-south-1",
	    "https://dynamodb.ap-south-1.amazonaws.com");
	setenv("AWS_ENDPOINT_URL", "http://all:1", 1);
	expect_endpoint(NULL, NULL, "us-east-2", "http://all:1");
	setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://ddb:2", 1);
	expect_endpoint(NULL, NULL, "us-east-2", "http://ddb:2");
	expect_endpoint(NULL, "https://cfg:3", "us-east-2", "https://cfg:3");
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	expect_endpoint(NULL, NULL, "us-east-2",
	    "https://dynamodb.us-east-2.amazonaws.com");
	ck_assert_int_eq(aws_endpoint_resolve("DynamoDB", "dynamodb",
	    "evil.com/x", NULL, &r, &e, err), -1);
	ck_assert(strstr(err, "is not an AWS region") != NULL);
	ck_assert_int_eq(aws_endpoint_resolve("DynamoDB", "dynamodb", NULL,
	    "ftp://x", &r, &e, err), -1);
	ck_assert(strstr(err, "not an http:// or https:// URL") != NULL);
}
END_TEST

/* ---- errors and retries ------------------------------------------------- */

START_TEST(test_error_forms)
{
	static const struct {
		long status;
		const char *body, *code, *msg;
	} cases[] = {
		{ 400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
		  "ConditionalCheckFailedException\",\"message\":\"The "
		  "conditional request failed\"}",
		  "ConditionalCheckFailedException",
		  "The conditional request failed" },
		{ 400, "{\"__type\":\"ValidationException:http://x\","
		  "\"Message\":\"bad\\nthing\"}", "ValidationException",
		  "bad thing" },
		{ 403, "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code>"
		  "<Message>The request signature we calculated does not "
		  "match</Message></Error></ErrorResponse>",
		  "SignatureDoesNotMatch",
		  "The request signature we calculated does not match" },
		{ 502, "<html><body>Bad Gateway</body></html>", "",
		  "HTTP 502 with a body that is not an AWS error" },
		{ 500, "", "", "HTTP 500 with a body that is not an AWS error" },
	};
	char code[64], msg[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		aws_error_parse(cases[i].status, cases[i].body, code,
		    sizeof(code), msg, sizeof(msg));
		ck_assert_str_eq(code, cases[i].code);
		ck_assert_str_eq(msg, cases[i].msg);
	}
}
END_TEST

START_TEST(test_retry_rules)
{
	struct aws_retry r;
	long delay;
	int n = 0, cost;

	ck_assert_int_eq(aws_retry_kind(400,
	    "ProvisionedThroughputExceededException"), 2);
	ck_assert_int_eq(aws_retry_kind(400, "ThrottlingException"), 2);
	ck_assert_int_eq(aws_retry_kind(429, ""), 2);
	ck_assert_int_eq(aws_retry_kind(500, "InternalServerError"), 1);
	ck_assert_int_eq(aws_retry_kind(503, ""), 1);
	ck_assert_int_eq(aws_retry_kind(0, ""), 1);	/* no answer */
	ck_assert_int_eq(aws_retry_kind(400,
	    "ConditionalCheckFailedException"), 0);
	ck_assert_int_eq(aws_retry_kind(400, "TransactionCanceledException"),
	    0);
	ck_assert_int_eq(aws_retry_kind(400, "ValidationException"), 0);
	ck_assert_int_eq(aws_retry_kind(403, "SignatureDoesNotMatch"), 0);

	aws_retry_init(&r, 3, 100, 250);
	/* Full jitter under min(base * 2^(i-1), max). */
	for (int i = 0; i < 50; i++) {
		ck_assert_int_eq(aws_retry_acquire(&r, 2, 0, &delay), 5);
		ck_assert(delay >= 0 && delay < 200);
		ck_assert_int_eq(aws_retry_acquire(&r, 1, 1, &delay), 10);
		ck_assert(delay >= 0 && delay < 100);
		aws_retry_release(&r, 1, 15);
	}
	ck_assert_int_eq(aws_retry_acquire(&r, 3, 0, &delay), -1);
	/* The budget: 500 tokens at 5 a retry. */
	while ((cost = aws_retry_acquire(&r, 1, 0, &delay)) > 0)
		n++;
	ck_assert_int_eq(n, 100);
	aws_retry_release(&r, 0, 0);	/* a success gives one back */
	ck_assert_int_eq(aws_retry_acquire(&r, 1, 0, &delay), -1);
	for (int i = 0; i < 4; i++)
		aws_retry_release(&r, 0, 0);
	ck_assert_int_eq(aws_retry_acquire(&r, 1, 0, &delay), 5);
	aws_retry_free(&r);
}
END_TEST

static Suite *
aws_suite(void)
{
	Suite *s = suite_create("aws");
	TCase *tc = tcase_create("aws");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_creds_env);
	tcase_add_test(tc, test_creds_files);
	tcase_add_test(tc, test_creds_container);
	tcase_add_test(tc, test_creds_imds);
	tcase_add_test(tc, test_chain_order_and_refresh);
	tcase_add_test(tc, test_chain_nothing);
	tcase_add_test(tc, test_chain_failure_backs_off);
	tcase_add_test(tc, test_endpoints);
	tcase_add_test(tc, test_error_forms);
	tcase_add_test(tc, test_retry_rules);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(aws_suite());
}
