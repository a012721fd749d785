/*
 * check_auth_conformance.c - the auth contract, for any auth module.
 *
 * Loads the first auth entry of the cofferd.conf in $COFFER_AUTH_CONF
 * through the daemon's loader and checks it against the cases in the JSON
 * file $COFFER_AUTH_CASES:
 *
 *	[ { "what": "known user key", "curve_key": "<Z85>",
 *	    "expect": "ok", "name": "alice", "type": "user" },
 *	  { "what": "a forged token", "token": "...", "username": "...",
 *	    "expect": "denied" }, ... ]
 *
 * Beyond the cases: a request without credentials is ignored; every
 * answer is one of the contract's; OK always comes with a valid principal,
 * a refusal with a reason; and the answers stay right when eight threads
 * ask at once.
 */
#include "config.h"

#include <check.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "conf.h"
#include "modules.h"
#include "principal.h"
#include "testutil.h"

struct acase {
	char		 what[128];
	char		 key_z85[41];
	uint8_t		 key[32];
	int		 has_key;
	char		*token, *username;
	enum coffer_rc	 expect;
	char		 name[COFFER_NAME_MAX + 1];
	enum coffer_principal_type type;
};

static struct conf conf;
static struct modules mods;
static struct acase *cases;
static size_t ncases;

static enum coffer_rc
rc_parse(const char *word)
{
	static const struct { const char *w; enum coffer_rc rc; } t[] = {
		{ "ok", COFFER_OK }, { "denied", COFFER_DENIED },
		{ "ignore", COFFER_IGNORE },
		{ "unavailable", COFFER_UNAVAILABLE },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++)
		if (strcmp(word, t[i].w) == 0)
			return t[i].rc;
	ck_abort_msg("unknown expectation \"%s\"", word);
	return COFFER_ERROR;
}

static void
case_load(json_t *j, struct acase *c)
{
	const char *what = "", *key = NULL, *token = NULL, *user = NULL;
	const char *expect = NULL, *name = NULL, *type = NULL;

	ck_assert_msg(json_unpack(j, "{s?s, s?s, s?s, s?s, s:s, s?s, s?s}",
	    "what", &what, "curve_key", &key, "token", &token, "username",
	    &user, "expect", &expect, "name", &name, "type", &type) == 0,
	    "bad case in COFFER_AUTH_CASES");
	memset(c, 0, sizeof(*c));
	snprintf(c->what, sizeof(c->what), "%s", what);
	if (key != NULL) {
		ck_assert_msg(zmq_z85_decode(c->key, key) != NULL,
		    "%s: bad curve_key", what);
		snprintf(c->key_z85, sizeof(c->key_z85), "%s", key);
		c->has_key = 1;
	}
	c->token = token ? strdup(token) : NULL;
	c->username = user ? strdup(user) : NULL;
	c->expect = rc_parse(expect);
	snprintf(c->name, sizeof(c->name), "%s", name ? name : "");
	c->type = type == NULL ? 0 : strcmp(type, "user") == 0 ?
	    COFFER_PRINCIPAL_USER : COFFER_PRINCIPAL_SERVICE;
}

static void
setup(void)
{
	const char *path = getenv("COFFER_AUTH_CONF");
	const char *cpath = getenv("COFFER_AUTH_CASES");
	json_error_t jerr;
	json_t *all, *j;
	size_t i;

	ck_assert_msg(path && cpath, "set COFFER_AUTH_CONF and "
	    "COFFER_AUTH_CASES");
	all = json_load_file(cpath, 0, &jerr);
	ck_assert_msg(json_is_array(all), "%s:%d: %s", cpath, jerr.line,
	    jerr.text);
	ncases = json_array_size(all);
	cases = calloc(ncases, sizeof(*cases));
	json_array_foreach(all, i, j)
		case_load(j, &cases[i]);
	json_decref(all);
	tu_log_capture();
	ck_assert_msg(conf_load(&conf, path) == 0, "%s", tu_log_text());
	ck_assert_msg(modules_open(&mods, &conf) == 0, "%s", tu_log_text());
}

static void
teardown(void)
{
	for (size_t i = 0; i < ncases; i++) {
		free(cases[i].token);
		free(cases[i].username);
	}
	free(cases);
	modules_close(&mods);
	conf_free(&conf);
}

/* Ask the module about C; "" on a right answer, else what was wrong. */
static const char *
ask(const struct acase *c, char *why, size_t len)
{
	struct coffer_auth_request req = {
		.struct_size = sizeof(req),
		.curve_key = c->has_key ? c->key : NULL,
		.curve_key_z85 = c->has_key ? c->key_z85 : NULL,
		.token = c->token, .username = c->username,
		.peer_address = "127.0.0.1", .operation = "whoami",
	};
	struct instance *in = &mods.auth[0];
	struct coffer_error err = { "" };
	struct coffer_principal p;
	enum coffer_rc rc;

	principal_clear(&p);
	rc = in->mod->desc->auth->authenticate(in->inst, &req, &p, &err);
	why[0] = '\0';
	if (rc != c->expect)
		snprintf(why, len, "%s: answered %d, expected %d (%s)",
		    c->what, rc, c->expect, err.msg);
	else if (rc == COFFER_OK && !principal_is_set(&p))
		snprintf(why, len, "%s: OK without a principal", c->what);
	else if (rc == COFFER_OK && c->name[0] && strcmp(p.name, c->name))
		snprintf(why, len, "%s: name %s, expected %s", c->what,
		    p.name, c->name);
	else if (rc == COFFER_OK && c->type && p.type != c->type)
		snprintf(why, len, "%s: wrong principal type", c->what);
	else if ((rc == COFFER_DENIED || rc == COFFER_UNAVAILABLE) &&
	    err.msg[0] == '\0')
		snprintf(why, len, "%s: refused without a reason", c->what);
	return why;
}

START_TEST(test_cases)
{
	char why[512];

	ck_assert_uint_gt(ncases, 0);
	for (size_t i = 0; i < ncases; i++)
		ck_assert_msg(ask(&cases[i], why, sizeof(why))[0] == '\0',
		    "%s", why);
}
END_TEST

START_TEST(test_no_credentials)
{
	struct acase none = { .what = "no credentials",
	    .expect = COFFER_IGNORE };
	char why[512];

	ck_assert_msg(ask(&none, why, sizeof(why))[0] == '\0', "%s", why);
}
END_TEST

static void *
thread_main(void *arg)
{
	size_t seed = (size_t)(uintptr_t)arg;
	static char why[8][512];

	for (size_t n = 0; n < 400; n++) {
		const struct acase *c = &cases[(n * 7 + seed) % ncases];

		if (ask(c, why[seed], sizeof(why[seed]))[0] != '\0')
			return why[seed];
	}
	return NULL;
}

START_TEST(test_threads)
{
	pthread_t t[8];

	for (size_t i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, thread_main, (void *)(uintptr_t)i);
	for (size_t i = 0; i < 8; i++) {
		void *res;

		pthread_join(t[i], &res);
		ck_assert_msg(res == NULL, "thread %zu: %s", i, (char *)res);
	}
}
END_TEST

START_TEST(test_admit_answers)
{
	const struct coffer_auth_ops *ops = mods.auth[0].mod->desc->auth;

	if (ops->admit == NULL)
		return;		/* optional */
	for (size_t i = 0; i < ncases; i++) {
		struct coffer_error err = { "" };
		enum coffer_rc rc;

		if (!cases[i].has_key)
			continue;
		rc = ops->admit(mods.auth[0].inst, cases[i].key, "127.0.0.1",
		    &err);
		ck_assert_msg(rc == COFFER_OK || rc == COFFER_DENIED ||
		    rc == COFFER_IGNORE, "%s: admit answered %d", cases[i].what,
		    rc);
	}
}
END_TEST

static Suite *
auth_conformance_suite(void)
{
	Suite *s = suite_create("auth conformance");
	TCase *tc = tcase_create("contract");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_cases);
	tcase_add_test(tc, test_no_credentials);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_admit_answers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(auth_conformance_suite());
}
