/*
 * check_auth_kms.c - auth_kms's parsing and cache, without KMS: kmsauth
 * usernames of both versions and every malformed kind, the time format,
 * payloads, the validity window (lifetime in total seconds, not
 * kmsauth's days-dropping .seconds), the LRU, and one KMS call per
 * token however many requests bring it at once.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kms.h"

START_TEST(test_usernames)
{
	static const struct {
		const char *in;
		int ok, version;
		enum kms_user_type type;
		const char *from;
	} cases[] = {
		{ "web", 1, 1, KMS_SERVICE, "web" },
		{ "2/service/web", 1, 2, KMS_SERVICE, "web" },
		{ "2/user/alice", 1, 2, KMS_USER, "alice" },
		{ "1/service/web", 1, 1, KMS_SERVICE, "web" },
		{ "3/service/web", 1, 3, KMS_SERVICE, "web" },	/* range: later */
		{ "2/admin/web", 0, 0, 0, NULL },
		{ "2/service", 0, 0, 0, NULL },
		{ "2/service/a/b", 0, 0, 0, NULL },
		{ "x/service/web", 0, 0, 0, NULL },
		{ "22/service/web", 0, 0, 0, NULL },
		{ "2/service/", 0, 0, 0, NULL },
		{ "", 0, 0, 0, NULL },
		{ "we b", 0, 0, 0, NULL },
		{ "web\n", 0, 0, 0, NULL },
	};
	struct coffer_error err;
	struct kms_username u;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int rc = kms_username_parse(cases[i].in, &u, &err);

		ck_assert_msg((rc == 0) == cases[i].ok, "'%s': %d", cases[i].in,
		    rc);
		if (!cases[i].ok)
			continue;
		ck_assert_int_eq(u.version, cases[i].version);
		ck_assert_int_eq(u.type, cases[i].type);
		ck_assert_str_eq(u.from, cases[i].from);
	}
}
END_TEST

START_TEST(test_times_and_payloads)
{
	struct coffer_error err;
	struct kms_window w;
	const char *good = "{\"not_before\": \"20150914T172347Z\", "
	    "\"not_after\": \"20150914T173347Z\"}";

	ck_assert_int_eq(kms_time_parse("20150914T172347Z"), 1442251427);
	ck_assert_int_eq(kms_time_parse("2015-09-14T17:23:47Z"), -1);
	ck_assert_int_eq(kms_time_parse("20150914T172347"), -1);
	ck_assert_int_eq(kms_time_parse("20150914T172347Zx"), -1);
	ck_assert_int_eq(kms_time_parse(NULL), -1);
	ck_assert_int_eq(kms_payload_parse(good, strlen(good), &w, &err), 0);
	ck_assert_int_eq(w.not_after - w.not_before, 600);
	ck_assert_int_eq(kms_payload_parse("{\"not_before\": 1}", 17, &w,
	    &err), -1);
	ck_assert(strstr(err.msg, "not_before and not_after") != NULL);
	ck_assert_int_eq(kms_payload_parse("garbage", 7, &w, &err), -1);
}
END_TEST

START_TEST(test_windows)
{
	struct kms_window w = { 1000000, 1000600 };
	struct coffer_error err;

	ck_assert_int_eq(kms_window_check(&w, 1000300, 3600, 0, &err), 0);
	ck_assert_int_eq(kms_window_check(&w, 1000000, 3600, 0, &err), 0);
	ck_assert_int_eq(kms_window_check(&w, 1000600, 3600, 0, &err), 0);
	ck_assert_int_eq(kms_window_check(&w, 999999, 3600, 0, &err), -1);
	ck_assert(strstr(err.msg, "not valid yet") != NULL);
	ck_assert_int_eq(kms_window_check(&w, 1000601, 3600, 0, &err), -1);
	ck_assert(strstr(err.msg, "expired") != NULL);
	/* Skew widens both ends. */
	ck_assert_int_eq(kms_window_check(&w, 999990, 3600, 30, &err), 0);
	ck_assert_int_eq(kms_window_check(&w, 1000630, 3600, 30, &err), 0);
	/* Lifetime: 10 minutes against 5 allowed. */
	ck_assert_int_eq(kms_window_check(&w, 1000300, 300, 0, &err), -1);
	ck_assert(strstr(err.msg, "lifetime of 600 s") != NULL);
	/* A day and five minutes is not five minutes (kmsauth's quirk). */
	w.not_after = w.not_before + 86400 + 300;
	ck_assert_int_eq(kms_window_check(&w, 1000300, 3600, 0, &err), -1);
}
END_TEST

START_TEST(test_cache_lru)
{
	struct kms_cache *c = kms_cache_new(2);
	struct kms_username a = { 2, KMS_SERVICE, "a" }, b = a, ua = a;
	struct kms_window w = { 1, 2 }, got;
	struct kms_key k1 = { 0 }, k2 = { 0 };
	const struct kms_key *key;

	strcpy(b.from, "b");
	ua.type = KMS_USER;
	kms_cache_put(c, "tokenA", &a, &w, &k1);
	ck_assert(kms_cache_get(c, "tokenA", &a, &got, &key));
	ck_assert_ptr_eq(key, &k1);
	/* Same token, other name or type: a different entry. */
	ck_assert(!kms_cache_get(c, "tokenA", &b, &got, &key));
	ck_assert(!kms_cache_get(c, "tokenA", &ua, &got, &key));
	/* The hint answers_now() asks says the same. */
	ck_assert(kms_cache_maybe(c, "tokenA", &a));
	ck_assert(!kms_cache_maybe(c, "tokenA", &b));
	ck_assert(!kms_cache_maybe(c, "tokenA", &ua));
	ck_assert(!kms_cache_maybe(c, "tokenB", &a));
	kms_cache_put(c, "tokenB", &b, &w, &k2);
	ck_assert(kms_cache_get(c, "tokenA", &a, &got, &key)); /* A newest */
	kms_cache_put(c, "tokenC", &a, &w, &k2);	/* evicts B */
	ck_assert(!kms_cache_get(c, "tokenB", &b, &got, &key));
	ck_assert(!kms_cache_maybe(c, "tokenB", &b));
	ck_assert(kms_cache_maybe(c, "tokenC", &a));
	ck_assert(kms_cache_get(c, "tokenA", &a, &got, &key));
	ck_assert(kms_cache_get(c, "tokenC", &a, &got, &key));
	/* Many more than fit: still two, still consistent. */
	for (int i = 0; i < 1000; i++) {
		char tok[32];

		snprintf(tok, sizeof(tok), "t%d", i);
		kms_cache_put(c, tok, &a, &w, &k1);
		ck_assert(kms_cache_get(c, tok, &a, &got, &key));
	}
	ck_assert(kms_cache_get(c, "t998", &a, &got, &key));
	ck_assert(!kms_cache_get(c, "t997", &a, &got, &key));
	ck_assert(kms_cache_maybe(c, "t999", &a));
	ck_assert(!kms_cache_maybe(c, "t997", &a));
	kms_cache_free(c);
}
END_TEST

/* ---- one flight per token ---------------------------------------------- */

#define FLIGHT_THREADS	8

struct flyer {
	struct kms_cache	*cache;
	const char		*token;
	enum coffer_rc		 answer;	/* what the leader's KMS says */
	enum kms_lookup		 how;
	enum coffer_rc		 rc;
	const struct kms_key	*key;
	struct coffer_error	 err;
};

static struct kms_key flight_key;

static void *
flyer_run(void *arg)
{
	struct flyer *f = arg;
	struct kms_username u = { 2, KMS_SERVICE, "web" };
	struct kms_window w = { 0, 0 };
	struct kms_flight *flight;
	struct timespec pause = { 0, 100 * 1000000L };

	f->rc = COFFER_ERROR;
	f->how = kms_cache_lookup(f->cache, f->token, &u, &w, &f->key,
	    &flight, &f->rc, &f->err);
	if (f->how == KMS_LEAD) {	/* "KMS" takes a while */
		nanosleep(&pause, NULL);
		w.not_before = 1;
		w.not_after = 2;
		f->rc = f->answer;
		f->key = &flight_key;
		snprintf(f->err.msg, sizeof(f->err.msg), "%s", f->answer ==
		    COFFER_OK ? "" : "KMS says the token is not valid");
		kms_cache_land(f->cache, flight, f->token, &u, f->rc, &w,
		    f->key, &f->err);
	}
	return NULL;
}

/* FLIGHT_THREADS requests with one new token at once: one leader, and
 * everyone gets its answer.  ANSWER is what KMS says. */
static void
fly(struct kms_cache *c, const char *token, enum coffer_rc answer)
{
	struct flyer f[FLIGHT_THREADS];
	pthread_t t[FLIGHT_THREADS];
	int leaders = 0;

	for (int i = 0; i < FLIGHT_THREADS; i++) {
		f[i] = (struct flyer){ .cache = c, .token = token,
		    .answer = answer };
		ck_assert_int_eq(pthread_create(&t[i], NULL, flyer_run, &f[i]),
		    0);
	}
	for (int i = 0; i < FLIGHT_THREADS; i++) {
		pthread_join(t[i], NULL);
		leaders += f[i].how == KMS_LEAD;
		ck_assert_int_eq(f[i].rc, answer);
		if (answer == COFFER_OK)
			ck_assert_ptr_eq(f[i].key, &flight_key);
		else
			ck_assert_str_eq(f[i].err.msg,
			    "KMS says the token is not valid");
	}
	/* Threads that came after the landing hit the cache (or, for a
	 * refused token, lead again): never more than one at a time. */
	ck_assert_int_ge(leaders, 1);
	if (answer == COFFER_OK)
		ck_assert_int_eq(leaders, 1);
}

START_TEST(test_cache_one_flight)
{
	struct kms_cache *c = kms_cache_new(16);
	struct kms_username u = { 2, KMS_SERVICE, "web" };
	struct kms_window w;
	const struct kms_key *key;

	fly(c, "good", COFFER_OK);
	ck_assert(kms_cache_get(c, "good", &u, &w, &key));
	fly(c, "bad", COFFER_DENIED);
	ck_assert(!kms_cache_get(c, "bad", &u, &w, &key));	/* not kept */
	fly(c, "down", COFFER_UNAVAILABLE);
	ck_assert(!kms_cache_get(c, "down", &u, &w, &key));
	kms_cache_free(c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("auth_kms");
	TCase *tc = tcase_create("parsing");
	SRunner *sr;
	int failed;

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	tcase_add_test(tc, test_usernames);
	tcase_add_test(tc, test_times_and_payloads);
	tcase_add_test(tc, test_windows);
	tcase_add_test(tc, test_cache_lru);
	tcase_add_test(tc, test_cache_one_flight);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
