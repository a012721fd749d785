/*
 * modcheck_auth.c - the auth contract, for any auth module.
 *
 * Checks the module against the cases in the --cases file, JSON:
 *
 *	[ { "what": "known user key", "curve_key": "<Z85>",
 *	    "expect": "ok", "name": "alice", "type": "user" },
 *	  { "what": "a forged token", "token": "...", "username": "...",
 *	    "expect": "denied" }, ... ]
 *
 * ("expect" is ok, denied, ignore or unavailable; "name" and "type", when
 * given, are what an "ok" must establish.)  Beyond the cases: a request
 * without credentials is ignored; every answer is one of the contract's;
 * OK always comes with a valid principal, a refusal with a reason; the
 * answers stay right when eight threads ask at once, after answers_now()
 * (when the module has it) and after a reload.
 */
#include "config.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "modcheck.h"
#include "principal.h"

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

static struct acase *cases;
static size_t ncases;

static int
rc_parse(const char *word, enum coffer_rc *rc)
{
	static const struct { const char *w; enum coffer_rc rc; } t[] = {
		{ "ok", COFFER_OK }, { "denied", COFFER_DENIED },
		{ "ignore", COFFER_IGNORE },
		{ "unavailable", COFFER_UNAVAILABLE },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
		if (strcmp(word, t[i].w) == 0) {
			*rc = t[i].rc;
			return 0;
		}
	}
	return -1;
}

/* One case of the file; -1 with the reason in ERR. */
static int
case_load(json_t *j, struct acase *c, char *err, size_t len)
{
	const char *what = "", *key = NULL, *token = NULL, *user = NULL;
	const char *expect = NULL, *name = NULL, *type = NULL;

	memset(c, 0, sizeof(*c));
	if (json_unpack(j, "{s?s, s?s, s?s, s?s, s:s, s?s, s?s !}", "what",
	    &what, "curve_key", &key, "token", &token, "username", &user,
	    "expect", &expect, "name", &name, "type", &type) != 0) {
		snprintf(err, len, "each case is an object of strings with "
		    "\"expect\" (what, curve_key, token, username, name, "
		    "type)");
		return -1;
	}
	snprintf(c->what, sizeof(c->what), "%s", what);
	if (key != NULL) {
		if (strlen(key) != 40 || zmq_z85_decode(c->key, key) == NULL) {
			snprintf(err, len, "%s: curve_key is not 40 "
			    "characters of Z85", what);
			return -1;
		}
		snprintf(c->key_z85, sizeof(c->key_z85), "%s", key);
		c->has_key = 1;
	}
	if (rc_parse(expect, &c->expect) < 0) {
		snprintf(err, len, "%s: expect is ok, denied, ignore or "
		    "unavailable, not \"%s\"", what, expect);
		return -1;
	}
	c->token = token ? strdup(token) : NULL;
	c->username = user ? strdup(user) : NULL;
	snprintf(c->name, sizeof(c->name), "%s", name ? name : "");
	c->type = type == NULL ? 0 : strcmp(type, "user") == 0 ?
	    COFFER_PRINCIPAL_USER : COFFER_PRINCIPAL_SERVICE;
	return 0;
}

/* In the runner, before any case: read the cases file. */
static int
auth_prepare(char *err, size_t len)
{
	json_error_t jerr;
	json_t *all, *j;
	size_t i;

	if (mc.cases_path == NULL)
		return 0;
	if ((all = json_load_file(mc.cases_path, 0, &jerr)) == NULL) {
		snprintf(err, len, "%s:%d: %s", mc.cases_path, jerr.line,
		    jerr.text);
		return -1;
	}
	if (!json_is_array(all) || json_array_size(all) == 0) {
		snprintf(err, len, "%s: not a JSON array of cases",
		    mc.cases_path);
		json_decref(all);
		return -1;
	}
	ncases = json_array_size(all);
	cases = calloc(ncases, sizeof(*cases));
	json_array_foreach(all, i, j) {
		char why[256];

		if (case_load(j, &cases[i], why, sizeof(why)) < 0) {
			snprintf(err, len, "%s: case %zu: %s", mc.cases_path,
			    i + 1, why);
			json_decref(all);
			return -1;
		}
	}
	json_decref(all);
	return 0;
}

static void
auth_setup(void)
{
	MC_CHECK(modules_open_auth(&mc.mods, &mc.conf) == 0,
	    "the module does not open");
}

/* What the daemon would show the module of C. */
static void
acase_request(const struct acase *c, struct coffer_auth_request *req)
{
	*req = (struct coffer_auth_request){
		.struct_size = sizeof(*req),
		.curve_key = c->has_key ? c->key : NULL,
		.curve_key_z85 = c->has_key ? c->key_z85 : NULL,
		.token = c->token, .username = c->username,
		.peer_address = "127.0.0.1", .operation = "whoami",
	};
}

/* Ask the module about C; "" on a right answer, else what was wrong. */
static const char *
ask(const struct acase *c, char *why, size_t len)
{
	struct coffer_auth_request req;
	struct instance *in = &mc.mods.auth[0];
	struct coffer_error err = { "" };
	struct coffer_principal p;
	enum coffer_rc rc;

	acase_request(c, &req);
	principal_clear(&p);
	rc = in->mod->desc->auth->authenticate(in->inst, &req, &p, &err);
	why[0] = '\0';
	if (rc != c->expect)
		snprintf(why, len, "%s: answered %s, expected %s (%s)",
		    c->what, mc_rc_name(rc), mc_rc_name(c->expect), err.msg);
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

static const struct acase no_credentials = {
	.what = "no credentials", .expect = COFFER_IGNORE
};

static void
check_cases(void)
{
	char why[512];

	for (size_t i = 0; i < ncases; i++)
		MC_CHECK(ask(&cases[i], why, sizeof(why))[0] == '\0', "%s",
		    why);
}

static void
test_cases(void)
{
	if (ncases == 0)
		mc_skip("no --cases file");
	check_cases();
}

static void
test_no_credentials(void)
{
	char why[512];

	MC_CHECK(ask(&no_credentials, why, sizeof(why))[0] == '\0', "%s",
	    why);
}

#define THREADS	8

static void *
thread_main(void *arg)
{
	size_t seed = (size_t)(uintptr_t)arg;
	static char why[THREADS][512];

	for (size_t n = 0; n < 400; n++) {
		const struct acase *c = ncases == 0 ? &no_credentials :
		    &cases[(n * 7 + seed) % ncases];

		if (ask(c, why[seed], sizeof(why[seed]))[0] != '\0')
			return why[seed];
	}
	return NULL;
}

static void
test_threads(void)
{
	pthread_t t[THREADS];

	for (size_t i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, thread_main, (void *)(uintptr_t)i);
	for (size_t i = 0; i < THREADS; i++) {
		void *res;

		pthread_join(t[i], &res);
		MC_CHECK(res == NULL, "thread %zu: %s", i, (char *)res);
	}
}

static void
test_admit_answers(void)
{
	const struct coffer_auth_ops *ops = mc.mods.auth[0].mod->desc->auth;

	if (ops->admit == NULL)
		mc_skip("the module has no admit()");
	for (size_t i = 0; i < ncases; i++) {
		struct coffer_error err = { "" };
		enum coffer_rc rc;

		if (!cases[i].has_key)
			continue;
		rc = ops->admit(mc.mods.auth[0].inst, cases[i].key,
		    "127.0.0.1", &err);
		MC_CHECK(rc == COFFER_OK || rc == COFFER_DENIED ||
		    rc == COFFER_IGNORE, "%s: admit answered %s", cases[i].what,
		    mc_rc_name(rc));
	}
}

/* answers_now() is a hint: whatever it says, the answer that follows is
 * the right one (and it must not crash or hang: the child is watched). */
static void
test_answers_now(void)
{
	struct instance *in = &mc.mods.auth[0];
	coffer_auth_answers_now_fn now = modules_auth_answers_now(in);
	struct coffer_auth_request req;
	char why[512];

	if (now == NULL)
		mc_skip("the module has no answers_now() (ABI 1.3)");
	for (size_t i = 0; i <= ncases; i++) {
		const struct acase *c = i < ncases ? &cases[i] :
		    &no_credentials;

		acase_request(c, &req);
		(void)now(in->inst, &req);
		MC_CHECK(ask(c, why, sizeof(why))[0] == '\0',
		    "after answers_now(): %s", why);
	}
}

static void
test_reload(void)
{
	if (mc.mods.auth[0].mod->desc->reload == NULL)
		mc_skip("the module has no reload()");
	MC_CHECK(modules_reload(&mc.mods, 0) == 0, "reload failed");
	test_no_credentials();
	check_cases();
}

static const struct mc_case auth_cases[] = {
	{ "the cases", test_cases },
	{ "no credentials: ignore", test_no_credentials },
	{ "eight threads at once", test_threads },
	{ "admit (optional)", test_admit_answers },
	{ "answers_now (optional)", test_answers_now },
	{ "reload, then the cases", test_reload },
	{ NULL, NULL }
};

const struct mc_suite mc_auth_suite = {
	"auth", COFFER_KIND_AUTH, auth_prepare, auth_setup, auth_cases
};
