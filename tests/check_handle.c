/*
 * check_handle.c - one request end to end through real modules, no socket:
 * decode, the auth stack, dispatch, the reply.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "handle.h"
#include "log.h"
#include "jsonmem.h"
#include "testutil.h"

#define ALICE "H%fr:8VY>fRu@ut?JU^:JB$gH@^PcfYmm!otZbBr"
#define WEB   "NHlx<MEn8BdPI4<{@1.I!VJsfA[om}aGy%>r:*Q]"
#define EVE   "qCx}d?.s!8dmV7IZbn{cT1QvpI&IIL>id(De{mN-"

#define HEAD "listen = \"tcp://127.0.0.1:7101\";\nserver_key = \"k\";\n" \
	"store = { module = \"test_store\"; };\n"
#define USERS "users = [ \"" ALICE " alice user\", \"" WEB " web service\" ];"

static struct conf c;
static struct modules mods;
static struct handler h;

static void
setup_stack(const char *auth)
{
	char text[4096];
	const char *path;

	snprintf(text, sizeof(text), HEAD "%s", auth);
	path = tu_write(tu_tmpdir(), "cofferd.conf", text, 0600);
	tu_log_capture();
	ck_assert_msg(conf_load(&c, path) == 0, "%s", tu_log_text());
	ck_assert_msg(modules_open(&mods, &c) == 0, "%s", tu_log_text());
	h.mods = &mods;
	h.limits.max_bytes = 2048;
	h.limits.max_depth = 8;
}

static void
teardown_stack(void)
{
	modules_close(&mods);
	conf_free(&c);
}

/* Send TEXT as the client with Z85 KEY (or none); return the reply. */
static json_t *
call_env(const char *text, const char *key, int bad_envelope)
{
	uint8_t raw[32];
	struct handle_input in = {
		.data = text, .len = strlen(text), .peer = "127.0.0.1",
		.bad_envelope = bad_envelope,
	};
	size_t len;
	char *reply;
	json_t *j;

	if (key != NULL) {
		ck_assert_ptr_nonnull(zmq_z85_decode(raw, key));
		in.curve_key = raw;
		in.curve_key_z85 = key;
	}
	reply = handle_request(&h, &in, &len);
	ck_assert_ptr_nonnull(reply);
	ck_assert_uint_eq(strlen(reply), len);
	j = json_loads(reply, 0, NULL);
	ck_assert_msg(j != NULL, "reply is not JSON: %s", reply);
	jsonmem_free_text(reply);
	return j;
}

static json_t *
call(const char *text, const char *key)
{
	return call_env(text, key, 0);
}

static const char *
str(json_t *j, const char *path)
{
	char buf[128], *save, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part != NULL;
	    part = strtok_r(NULL, ".", &save))
		j = json_object_get(j, part);
	return json_string_value(j);
}

static void
expect_error(json_t *j, const char *code)
{
	ck_assert_msg(json_is_false(json_object_get(j, "ok")), "not an error");
	ck_assert_str_eq(str(j, "error.code"), code);
	json_decref(j);
}

#define WHOAMI "{\"v\":1,\"id\":\"w1\",\"op\":\"whoami\"}"

START_TEST(test_whoami_user)
{
	json_t *j;

	setup_stack("auth = ( { module = \"test_auth\"; control = "
	    "\"required\"; " USERS " } );\n");
	j = call(WHOAMI, ALICE);
	ck_assert(json_is_true(json_object_get(j, "ok")));
	ck_assert_str_eq(str(j, "id"), "w1");
	ck_assert_str_eq(str(j, "result.name"), "alice");
	ck_assert_str_eq(str(j, "result.type"), "user");
	ck_assert_str_eq(str(j, "result.module"), "test_auth");
	ck_assert_str_eq(str(j, "result.attributes.reloads"), "0");
	json_decref(j);
	j = call("{\"v\":1,\"id\":42,\"op\":\"whoami\"}", WEB);
	ck_assert_str_eq(str(j, "result.type"), "service");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "id")), 42);
	json_decref(j);
	teardown_stack();
}
END_TEST

/* The I/O thread decodes a request to see whether it is a read and hands
 * what it decoded on: the handler takes it over (leaves it empty) and
 * answers exactly as it answers the bytes. */
START_TEST(test_decoded_before)
{
	struct request req;
	char msg[REQUEST_MSG_MAX];
	uint8_t raw[32];
	struct handle_input in = {
		.data = WHOAMI, .len = strlen(WHOAMI), .peer = "127.0.0.1",
		.curve_key = raw, .curve_key_z85 = ALICE, .req = &req,
	};
	char *reply, *plain;
	size_t len;
	json_t *j;

	setup_stack("auth = ( { module = \"test_auth\"; control = "
	    "\"required\"; " USERS " } );\n");
	ck_assert_ptr_nonnull(zmq_z85_decode(raw, ALICE));
	ck_assert_int_eq(request_decode(&req, WHOAMI, strlen(WHOAMI),
	    &h.limits, msg), ERR_NONE);
	reply = handle_request(&h, &in, &len);
	ck_assert_ptr_null(req.root);
	ck_assert_ptr_null(req.op);
	in.req = NULL;
	plain = handle_request(&h, &in, &len);
	ck_assert_str_eq(reply, plain);
	j = json_loads(reply, 0, NULL);
	ck_assert_str_eq(str(j, "result.name"), "alice");
	json_decref(j);
	jsonmem_free_text(reply);
	jsonmem_free_text(plain);
	teardown_stack();
}
END_TEST

START_TEST(test_denied)
{
	json_t *j;

	setup_stack("auth = ( { module = \"test_auth\"; control = "
	    "\"required\"; " USERS " } );\n");
	j = call(WHOAMI, EVE);
	ck_assert_str_eq(str(j, "id"), "w1");
	ck_assert_str_eq(str(j, "error.message"), "not authenticated");
	expect_error(j, "denied");
	ck_assert(tu_log_has("auth module test_auth: denied (op whoami, peer "
	    "127.0.0.1): unknown credential"));
	/* No key at all: the module ignores, an all-ignore stack denies. */
	expect_error(call(WHOAMI, NULL), "denied");
	teardown_stack();
}
END_TEST

START_TEST(test_no_op_probing)
{
	setup_stack("auth = ( { module = \"test_auth\"; control = "
	    "\"required\"; " USERS " } );\n");
	/* Unknown operations are told apart only after authentication. */
	expect_error(call("{\"v\":1,\"id\":1,\"op\":\"dump_all\"}", EVE),
	    "denied");
	expect_error(call("{\"v\":1,\"id\":1,\"op\":\"dump_all\"}", ALICE),
	    "unknown_op");
	expect_error(call("{\"v\":1,\"id\":1,\"op\":\"whoami\",\"args\":"
	    "{\"x\":1}}", ALICE), "bad_args");
	teardown_stack();
}
END_TEST

START_TEST(test_malformed)
{
	char big[4096];
	json_t *j;

	setup_stack("auth = ( { module = \"test_auth\"; control = "
	    "\"required\"; " USERS " } );\n");
	j = call("{\"v\":1,", ALICE);
	ck_assert(json_is_null(json_object_get(j, "id")));
	expect_error(j, "bad_request");
	expect_error(call_env(WHOAMI, ALICE, 1), "bad_request");
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_error(call(big, ALICE), "too_large");
	expect_error(call("[[[[[[[[[[[[]]]]]]]]]]]]", ALICE), "too_deep");
	expect_error(call("{\"v\":9,\"id\":1,\"op\":\"whoami\"}", ALICE),
	    "bad_version");
	teardown_stack();
}
END_TEST

START_TEST(test_module_answers)
{
	static const struct { const char *answer, *code; } rows[] = {
		{ "unavailable", "unavailable" },
		{ "error", "denied" },
		{ "garbage", "denied" },
		{ "deny", "denied" },
		{ "ignore", "denied" },
		{ "ok_without_principal", "denied" },
	};
	char auth[256];

	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		snprintf(auth, sizeof(auth), "auth = ( { module = "
		    "\"test_auth\"; control = \"required\"; answer = \"%s\"; "
		    "} );\n", rows[i].answer);
		setup_stack(auth);
		expect_error(call(WHOAMI, ALICE), rows[i].code);
		teardown_stack();
	}
	setup_stack("auth = ( { module = \"test_auth\"; control = "
	    "\"required\"; answer = \"ok_without_principal\"; } );\n");
	expect_error(call(WHOAMI, ALICE), "denied");
	ck_assert(tu_log_has("answered OK without a principal"));
	teardown_stack();
}
END_TEST

START_TEST(test_curve_or_token)
{
	json_t *j;

	/* auth_curve sufficient; auth_kms required, as the design intends. */
	setup_stack("auth = ( { module = \"test_auth\"; control = "
	    "\"sufficient\"; " USERS " },\n"
	    "  { module = \"test_auth\"; control = \"required\";\n"
	    "    tokens = [ \"tok-1 batch service\" ]; } );\n");
	j = call(WHOAMI, ALICE);
	ck_assert_str_eq(str(j, "result.name"), "alice");
	json_decref(j);
	j = call("{\"v\":1,\"id\":1,\"op\":\"whoami\",\"credentials\":"
	    "{\"token\":\"tok-1\",\"username\":\"batch\"}}", EVE);
	ck_assert_msg(json_is_true(json_object_get(j, "ok")), "token refused");
	ck_assert_str_eq(str(j, "result.name"), "batch");
	ck_assert_str_eq(str(j, "result.type"), "service");
	json_decref(j);
	expect_error(call("{\"v\":1,\"id\":1,\"op\":\"whoami\",\"credentials\":"
	    "{\"token\":\"forged\"}}", EVE), "denied");
	expect_error(call(WHOAMI, EVE), "denied");
	teardown_stack();
}
END_TEST

START_TEST(test_reload)
{
	json_t *j;

	setup_stack("auth = ( { module = \"test_auth\"; control = "
	    "\"required\"; " USERS " } );\n");
	/* test_auth does not reload concurrently: only the locked pass
	 * reloads it. */
	ck_assert_int_eq(modules_reload(&mods, 1), 0);
	ck_assert_int_eq(modules_reload(&mods, 0), 0);
	ck_assert_int_eq(modules_reload(&mods, 0), 0);
	j = call(WHOAMI, ALICE);
	ck_assert_str_eq(str(j, "result.attributes.reloads"), "2");
	json_decref(j);
	teardown_stack();
}
END_TEST

static size_t
count(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

START_TEST(test_refusals_rate_limited)
{
	setup_stack("auth = ( { module = \"test_auth\"; control = "
	    "\"required\"; " USERS " } );\n");
	/* A flood of denied requests cannot flood the log. */
	for (int i = 0; i < 200; i++)
		expect_error(call(WHOAMI, EVE), "denied");
	ck_assert_uint_le(count(tu_log_text(), "test_auth: denied"),
	    2 * LOG_LIMIT_BURST);
	sleep(2);
	expect_error(call(WHOAMI, EVE), "denied");
	ck_assert_msg(tu_log_has("refusals were not logged (over 10 a "
	    "second)"), "%s", tu_log_text());
	teardown_stack();
}
END_TEST

static Suite *
handle_suite(void)
{
	Suite *s = suite_create("handle");
	TCase *tc = tcase_create("pipeline");

	tcase_add_test(tc, test_whoami_user);
	tcase_add_test(tc, test_decoded_before);
	tcase_add_test(tc, test_denied);
	tcase_add_test(tc, test_no_op_probing);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_module_answers);
	tcase_add_test(tc, test_curve_or_token);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_refusals_rate_limited);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(handle_suite());
}
