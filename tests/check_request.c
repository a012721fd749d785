/*
 * check_request.c - request decoding: every malformed input has its code.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "reply.h"
#include "request.h"
#include "jsonmem.h"
#include "testutil.h"

static const struct request_limits limits = { 4096, 8 };

struct row {
	const char	*text;
	enum errcode	 want;
	const char	*msg;		/* expected in the message */
};

static const struct row rows[] = {
	{ "{\"v\":1,\"id\":1,\"op\":\"whoami\"}", ERR_NONE, NULL },
	{ "{\"v\":1,\"id\":\"a-7\",\"op\":\"whoami\",\"args\":{}}", ERR_NONE,
	  NULL },
	{ "{\"v\":1,\"id\":1,\"op\":\"x\",\"credentials\":{\"token\":\"t\","
	  "\"username\":\"2/service/web\"}}", ERR_NONE, NULL },
	{ "", ERR_BAD_REQUEST, "invalid JSON" },
	{ "{", ERR_BAD_REQUEST, "invalid JSON" },
	{ "{\"v\":1,\"id\":1,\"op\":\"whoami\"} trailing", ERR_BAD_REQUEST,
	  "invalid JSON" },
	{ "[1,2]", ERR_BAD_REQUEST, "must be a JSON object" },
	{ "\"whoami\"", ERR_BAD_REQUEST, "invalid JSON" },
	{ "{\"id\":1,\"op\":\"whoami\"}", ERR_BAD_REQUEST, "\"v\" must be" },
	{ "{\"v\":\"1\",\"id\":1,\"op\":\"whoami\"}", ERR_BAD_REQUEST,
	  "\"v\" must be" },
	{ "{\"v\":2,\"id\":1,\"op\":\"whoami\"}", ERR_BAD_VERSION,
	  "version 2 is not spoken" },
	{ "{\"v\":1,\"op\":\"whoami\"}", ERR_BAD_REQUEST, "missing \"id\"" },
	{ "{\"v\":1,\"id\":1.5,\"op\":\"whoami\"}", ERR_BAD_REQUEST,
	  "\"id\" must be" },
	{ "{\"v\":1,\"id\":[1],\"op\":\"whoami\"}", ERR_BAD_REQUEST,
	  "\"id\" must be" },
	{ "{\"v\":1,\"id\":1}", ERR_BAD_REQUEST, "missing \"op\"" },
	{ "{\"v\":1,\"id\":1,\"op\":7}", ERR_BAD_REQUEST,
	  "\"op\" must be a string" },
	{ "{\"v\":1,\"id\":1,\"op\":\"\"}", ERR_BAD_REQUEST,
	  "\"op\" must be a string" },
	{ "{\"v\":1,\"id\":1,\"op\":\"who\\u0000ami\"}", ERR_BAD_REQUEST,
	  "invalid JSON" },
	{ "{\"v\":1,\"id\":1,\"op\":\"whoami\",\"args\":[]}", ERR_BAD_ARGS,
	  "\"args\" must be an object" },
	{ "{\"v\":1,\"id\":1,\"op\":\"whoami\",\"extra\":1}", ERR_BAD_REQUEST,
	  "unknown member \"extra\"" },
	{ "{\"v\":1,\"id\":1,\"op\":\"whoami\",\"op\":\"get\"}",
	  ERR_BAD_REQUEST, "duplicate" },
	{ "{\"v\":1,\"id\":1,\"op\":\"x\",\"credentials\":\"t\"}",
	  ERR_BAD_REQUEST, "\"credentials\" must be an object" },
	{ "{\"v\":1,\"id\":1,\"op\":\"x\",\"credentials\":{\"token\":5}}",
	  ERR_BAD_REQUEST, "\"credentials.token\" must be a string" },
	{ "{\"v\":1,\"id\":1,\"op\":\"x\",\"credentials\":{\"pass\":\"p\"}}",
	  ERR_BAD_REQUEST, "unknown member \"credentials.pass\"" },
	{ "{\"v\":1,\"id\":1,\"op\":\"x\",\"credentials\":{\"username\":\"\"}}",
	  ERR_BAD_REQUEST, "\"credentials.username\" must be" },
	/* Invalid UTF-8 (a lone continuation byte, an overlong slash). */
	{ "{\"v\":1,\"id\":1,\"op\":\"who\x80mi\"}", ERR_BAD_REQUEST,
	  "invalid JSON" },
	{ "{\"v\":1,\"id\":1,\"op\":\"\xc0\xaf\"}", ERR_BAD_REQUEST,
	  "invalid JSON" },
	/* Depth: 8 allowed, 9 refused before parsing; brackets in strings
	 * do not count. */
	{ "{\"v\":1,\"id\":1,\"op\":\"x\",\"args\":{\"a\":[[[[[[1]]]]]]}}",
	  ERR_NONE, NULL },
	{ "{\"v\":1,\"id\":1,\"op\":\"x\",\"args\":{\"a\":[[[[[[[1]]]]]]]}}",
	  ERR_TOO_DEEP, "deeper than 8" },
	{ "{\"v\":1,\"id\":1,\"op\":\"x\",\"args\":{\"a\":\"[[[[[[[[[[[[\"}}",
	  ERR_NONE, NULL },
	{ "{\"v\":1,\"id\":1,\"op\":\"x\",\"args\":{\"a\":\"\\\"[[[[[[[[[[[\"}}",
	  ERR_NONE, NULL },
};

START_TEST(test_decode_table)
{
	const struct row *r = &rows[_i];
	char msg[REQUEST_MSG_MAX] = "";
	struct request req;
	enum errcode got;

	got = request_decode(&req, r->text, strlen(r->text), &limits, msg);
	ck_assert_msg(got == r->want, "%s: got %s (%s), want %s", r->text,
	    errcode_name(got), msg, errcode_name(r->want));
	if (r->msg != NULL)
		ck_assert_msg(strstr(msg, r->msg) != NULL, "%s: message \"%s\" "
		    "lacks \"%s\"", r->text, msg, r->msg);
	if (got == ERR_NONE) {
		ck_assert_ptr_nonnull(req.op);
		ck_assert(json_is_object(req.args));
	}
	request_free(&req);
}
END_TEST

START_TEST(test_too_large)
{
	char *big = malloc(limits.max_bytes + 2);
	char msg[REQUEST_MSG_MAX];
	struct request req;

	memset(big, ' ', limits.max_bytes + 1);
	big[limits.max_bytes + 1] = '\0';
	ck_assert_int_eq(request_decode(&req, big, limits.max_bytes + 1,
	    &limits, msg), ERR_TOO_LARGE);
	ck_assert(strstr(msg, "over the limit of 4096") != NULL);
	request_free(&req);
	free(big);
}
END_TEST

START_TEST(test_huge_depth_is_cheap)
{
	/* 100,000 brackets: refused by the scan, never given to the parser. */
	size_t n = 100000;
	char *deep = malloc(n + 1), msg[REQUEST_MSG_MAX];
	struct request_limits wide = { n + 1, 32 };
	struct request req;

	memset(deep, '[', n);
	deep[n] = '\0';
	ck_assert_int_eq(request_decode(&req, deep, n, &wide, msg),
	    ERR_TOO_DEEP);
	request_free(&req);
	free(deep);
}
END_TEST

START_TEST(test_id_kept_on_error)
{
	const char *text = "{\"v\":1,\"id\":\"req-9\",\"op\":\"x\",\"zz\":0}";
	char msg[REQUEST_MSG_MAX];
	struct request req;
	size_t len;
	char *reply;

	ck_assert_int_eq(request_decode(&req, text, strlen(text), &limits,
	    msg), ERR_BAD_REQUEST);
	ck_assert_str_eq(json_string_value(req.id), "req-9");
	reply = reply_error(req.id, ERR_BAD_REQUEST, msg, &len);
	ck_assert_str_eq(reply, "{\"v\":1,\"id\":\"req-9\",\"ok\":false,"
	    "\"error\":{\"code\":\"bad_request\",\"message\":\"unknown member "
	    "\\\"zz\\\"\"}}");
	jsonmem_free_text(reply);
	request_free(&req);
}
END_TEST

START_TEST(test_credentials)
{
	const char *text = "{\"v\":1,\"id\":1,\"op\":\"x\",\"credentials\":"
	    "{\"token\":\"AQID\",\"username\":\"2/user/ann\"}}";
	char msg[REQUEST_MSG_MAX];
	struct request req;

	ck_assert_int_eq(request_decode(&req, text, strlen(text), &limits,
	    msg), ERR_NONE);
	ck_assert_str_eq(req.token, "AQID");
	ck_assert_str_eq(req.username, "2/user/ann");
	request_free(&req);
}
END_TEST

START_TEST(test_reply_is_always_json)
{
	/* A message cut inside a UTF-8 sequence still gives valid JSON. */
	size_t len;
	char *reply = reply_error(NULL, ERR_DENIED, "bad \xc3", &len);
	json_t *j;

	ck_assert_ptr_nonnull(reply);
	j = json_loads(reply, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert(json_is_null(json_object_get(j, "id")));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "error"), "code")), "denied");
	json_decref(j);
	jsonmem_free_text(reply);
	j = json_integer(5);	/* borrowed by reply_ok() */
	reply = reply_ok(j, json_pack("{s:s}", "a", "b"), &len);
	json_decref(j);
	ck_assert_str_eq(reply, "{\"v\":1,\"id\":5,\"ok\":true,"
	    "\"result\":{\"a\":\"b\"}}");
	jsonmem_free_text(reply);
}
END_TEST

START_TEST(test_errcode_names)
{
	ck_assert_str_eq(errcode_name(ERR_DENIED), "denied");
	ck_assert_str_eq(errcode_name(ERR_UNAVAILABLE), "unavailable");
	ck_assert_str_eq(errcode_name((enum errcode)999), "internal");
	ck_assert_int_eq(errcode_from_rc(COFFER_CONFLICT), ERR_CONFLICT);
	ck_assert_int_eq(errcode_from_rc((enum coffer_rc)99), ERR_INTERNAL);
}
END_TEST

static Suite *
request_suite(void)
{
	Suite *s = suite_create("request");
	TCase *tc = tcase_create("decode");

	tcase_add_loop_test(tc, test_decode_table, 0,
	    (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_test(tc, test_too_large);
	tcase_add_test(tc, test_huge_depth_is_cheap);
	tcase_add_test(tc, test_id_kept_on_error);
	tcase_add_test(tc, test_credentials);
	tcase_add_test(tc, test_reply_is_always_json);
	tcase_add_test(tc, test_errcode_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(request_suite());
}
