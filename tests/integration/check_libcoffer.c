/*
 * check_libcoffer.c - libcoffer from C against a real cofferd, through the
 * installed header only.  Run by test_libcoffer.py, which starts the
 * daemon and passes, in the environment:
 *
 *	COFFER_ENDPOINT, COFFER_SERVER_KEY (Z85)   the daemon
 *	COFFER_CERT, COFFER_CERT_SERVICE           a user's and a service's
 *	                                           _secret certificates
 *	COFFER_DEAD_ENDPOINT                       where nothing listens
 *	COFFER_LATE_ENDPOINT                       (optional) where a daemon
 *	    starts only after this program says "waiting" and reads a line
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coffer/client.h"

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL, "%s is not set", name);
	return v;
}

static coffer_client *
open_as(const char *cert_var, const char *endpoint)
{
	struct coffer_client_error err;
	coffer_client *c;

	ck_assert_msg(coffer_client_open(&c, endpoint, env("COFFER_SERVER_KEY"),
	    env(cert_var), &err) == COFFER_CLIENT_OK, "%s", err.message);
	return c;
}

/* Call OP with ARGS expecting RC (and, when not OK, the daemon's CODE);
 * the result parsed when OK, else NULL. */
static json_t *
call(coffer_client *c, const char *op, const char *args,
    enum coffer_client_rc rc, const char *code)
{
	struct coffer_client_error err;
	char *result;
	enum coffer_client_rc got = coffer_call(c, op, args, &result, &err);
	json_t *j = NULL;

	ck_assert_msg(got == rc, "%s %s: %d, not %d (%s: %s)", op, args ?
	    args : "", got, rc, got ? err.code : "", got ? err.message : "");
	if (got != COFFER_CLIENT_OK) {
		ck_assert_str_eq(err.code, code);
		ck_assert(err.message[0] != '\0');
		ck_assert_ptr_null(result);
		return NULL;
	}
	j = json_loads(result, 0, NULL);
	ck_assert_ptr_nonnull(j);
	coffer_free(result);
	return j;
}

START_TEST(test_open_refuses_bad_settings)
{
	struct coffer_client_error err;
	coffer_client *c = (coffer_client *)1;
	char pub[4096];

	ck_assert_int_eq(coffer_client_open(&c, env("COFFER_ENDPOINT"), "short",
	    env("COFFER_CERT"), &err), COFFER_CLIENT_INVALID);
	ck_assert_ptr_null(c);
	ck_assert(strstr(err.message, "40 Z85 characters") != NULL);
	ck_assert_int_eq(coffer_client_open(&c, env("COFFER_ENDPOINT"),
	    env("COFFER_SERVER_KEY"), "/nonexistent/me.key_secret", &err),
	    COFFER_CLIENT_ERROR);
	ck_assert(strstr(err.message, "/nonexistent/me.key_secret") != NULL);
	/* The public half of a certificate cannot authenticate anyone. */
	snprintf(pub, sizeof(pub), "%s", env("COFFER_CERT"));
	pub[strlen(pub) - strlen("_secret")] = '\0';
	ck_assert_int_eq(coffer_client_open(&c, env("COFFER_ENDPOINT"),
	    env("COFFER_SERVER_KEY"), pub, &err), COFFER_CLIENT_INVALID);
	ck_assert(strstr(err.message, "holds no secret key") != NULL);
}
END_TEST

START_TEST(test_whoami_and_round_trip)
{
	coffer_client *c = open_as("COFFER_CERT", env("COFFER_ENDPOINT"));
	json_t *r = call(c, "whoami", NULL, COFFER_CLIENT_OK, NULL);

	ck_assert_str_eq(json_string_value(json_object_get(r, "name")), "libc");
	ck_assert_str_eq(json_string_value(json_object_get(r, "type")), "user");
	json_decref(r);
	r = call(c, "secret.create", "{\"name\": \"lib/db\", \"pairs\": "
	    "{\"PASSWORD\": \"s3cret\"}}", COFFER_CLIENT_OK, NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "revision")), 1);
	json_decref(r);
	r = call(c, "secret.update", "{\"name\": \"lib/db\", \"pairs\": "
	    "{\"PASSWORD\": \"n3w\"}, \"expect\": 1}", COFFER_CLIENT_OK, NULL);
	json_decref(r);
	r = call(c, "secret.get", "{\"name\": \"lib/db\", \"revision\": 1}",
	    COFFER_CLIENT_OK, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r,
	    "pairs"), "PASSWORD")), "s3cret");
	json_decref(r);
	coffer_client_close(c);
}
END_TEST

START_TEST(test_error_codes)
{
	coffer_client *c = open_as("COFFER_CERT", env("COFFER_ENDPOINT"));
	coffer_client *svc = open_as("COFFER_CERT_SERVICE",
	    env("COFFER_ENDPOINT"));

	json_decref(call(c, "secret.create", "{\"name\": \"lib/e\", "
	    "\"pairs\": {\"K\": \"v\"}}", COFFER_CLIENT_OK, NULL));
	call(c, "secret.create", "{\"name\": \"lib/e\", \"pairs\": {\"K\": "
	    "\"v\"}}", COFFER_CLIENT_CONFLICT, "conflict");
	call(c, "secret.update", "{\"name\": \"lib/e\", \"pairs\": {\"K\": "
	    "\"w\"}, \"expect\": 7}", COFFER_CLIENT_CONFLICT, "conflict");
	call(c, "secret.get", "{\"name\": \"lib/none\"}",
	    COFFER_CLIENT_NOT_FOUND, "not_found");
	call(c, "secret.get", "{\"name\": \"../etc\"}", COFFER_CLIENT_INVALID,
	    "invalid_name");
	call(c, "secret.get", "{}", COFFER_CLIENT_INVALID, "bad_args");
	call(c, "no.such", NULL, COFFER_CLIENT_INVALID, "unknown_op");
	/* Refused before anything is sent: not a JSON object. */
	call(c, "secret.get", "[1]", COFFER_CLIENT_INVALID, "");
	call(c, "secret.get", "{\"name\":", COFFER_CLIENT_INVALID, "");
	/* A service may not read secrets directly. */
	call(svc, "secret.get", "{\"name\": \"lib/e\"}", COFFER_CLIENT_DENIED,
	    "denied");
	coffer_client_close(svc);
	coffer_client_close(c);
}
END_TEST

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(test_timeout)
{
	coffer_client *c = open_as("COFFER_CERT", env("COFFER_DEAD_ENDPOINT"));
	double t0;

	coffer_client_timeout(c, 300);
	t0 = now();
	call(c, "whoami", NULL, COFFER_CLIENT_UNAVAILABLE, "");
	ck_assert_msg(now() - t0 < 2.0, "took %.2fs", now() - t0);
	/* Still usable, and still bounded. */
	call(c, "whoami", NULL, COFFER_CLIENT_UNAVAILABLE, "");
	coffer_client_close(c);
}
END_TEST

/* A request that timed out before any daemon was there must not be
 * delivered when one comes: the caller was told it failed. */
START_TEST(test_timed_out_request_is_dropped)
{
	coffer_client *c = open_as("COFFER_CERT", env("COFFER_LATE_ENDPOINT"));
	char line[16];

	coffer_client_timeout(c, 200);
	call(c, "secret.create", "{\"name\": \"lib/late\", \"pairs\": {\"K\": "
	    "\"v\"}}", COFFER_CLIENT_UNAVAILABLE, "");
	printf("waiting\n");
	fflush(stdout);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), stdin));
	coffer_client_timeout(c, 10000);
	json_decref(call(c, "whoami", NULL, COFFER_CLIENT_OK, NULL));
	call(c, "secret.get", "{\"name\": \"lib/late\"}",
	    COFFER_CLIENT_NOT_FOUND, "not_found");
	coffer_client_close(c);
}
END_TEST

static Suite *
libcoffer_suite(void)
{
	Suite *s = suite_create("libcoffer");
	TCase *tc = tcase_create("daemon");

	tcase_add_test(tc, test_open_refuses_bad_settings);
	tcase_add_test(tc, test_whoami_and_round_trip);
	tcase_add_test(tc, test_error_codes);
	tcase_add_test(tc, test_timeout);
	suite_add_tcase(s, tc);
	if (getenv("COFFER_LATE_ENDPOINT") != NULL) {
		tc = tcase_create("late");
		tcase_add_test(tc, test_timed_out_request_is_dropped);
		suite_add_tcase(s, tc);
	}
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(libcoffer_suite());
	int failed;

	if (getenv("COFFER_LATE_ENDPOINT") != NULL)
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
