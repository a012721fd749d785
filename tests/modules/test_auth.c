/*
 * test_auth.c - a configurable auth module for the test suites.
 *
 * Options:
 *   users  = [ "<Z85 key> <name> <user|service>", ... ]  CURVE keys it knows
 *   tokens = [ "<token> <name> <user|service>", ... ]   tokens it knows
 *   answer = "ok" | "deny" | "ignore" | "unavailable" | "error" | "garbage"
 *            | "ok_without_principal": answer this to every request
 *   refuse = [ "<Z85 key>", ... ]   keys refused at the handshake
 *   label  = "text"                  logged by close(), to see the order
 *   slow_ms = N                      a request whose token is "slow" takes
 *                                    N ms (a slow backend, for the tests);
 *                                    answers_now() says no to it alone
 *
 * With a key it knows: OK.  With a key it does not know: DENIED.  With no
 * key (or token, for the tokens list): IGNORE.  Each principal carries the
 * attribute "reloads", how many times reload() ran, so the tests can see a
 * SIGHUP arrive.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "coffer/module.h"

#define TA_MAX		64
#define TA_FIELD	128

struct ta_entry {
	char	cred[TA_FIELD + 1];
	char	name[TA_FIELD + 1];
	enum coffer_principal_type type;
};

struct ta {
	const struct coffer_host *host;
	struct ta_entry	 users[TA_MAX], tokens[TA_MAX];
	size_t		 nusers, ntokens;
	char		 refuse[TA_MAX][41];
	size_t		 nrefuse;
	char		 answer[32];
	char		 label[32];
	int64_t		 slow_ms;
	atomic_int	 reloads;
};

static const struct coffer_option ta_options[] = {
	{ "users", COFFER_OPT_LIST, 0, "\"KEY NAME TYPE\" entries" },
	{ "tokens", COFFER_OPT_LIST, 0, "\"TOKEN NAME TYPE\" entries" },
	{ "answer", COFFER_OPT_STRING, 0, "fixed answer to every request" },
	{ "refuse", COFFER_OPT_LIST, 0, "keys refused at the handshake" },
	{ "label", COFFER_OPT_STRING, 0, "name logged by close()" },
	{ "slow_ms", COFFER_OPT_INT, 0, "delay for requests with token slow" },
	{ NULL, 0, 0, NULL }
};

static int
ta_parse(const char *s, struct ta_entry *e)
{
	char type[16];

	if (sscanf(s, "%128s %128s %15s", e->cred, e->name, type) != 3)
		return -1;
	if (strcmp(type, "user") == 0)
		e->type = COFFER_PRINCIPAL_USER;
	else if (strcmp(type, "service") == 0)
		e->type = COFFER_PRINCIPAL_SERVICE;
	else
		return -1;
	return 0;
}

static int
ta_load_list(const struct coffer_host *h, const struct coffer_conf *conf,
    const char *key, struct ta_entry *out, size_t *n,
    struct coffer_error *err)
{
	size_t count = h->conf_count(conf, key);

	for (size_t i = 0; i < count; i++) {
		if (i == TA_MAX || ta_parse(h->conf_item(conf, key, i),
		    &out[i]) < 0) {
			snprintf(err->msg, sizeof(err->msg), "%s: bad entry "
			    "%zu of '%s'", h->conf_where(conf, key), i + 1,
			    key);
			return -1;
		}
	}
	*n = count;
	return 0;
}

static enum coffer_rc
ta_open(const struct coffer_host *host, const struct coffer_conf *conf,
    void **inst_r, struct coffer_error *err)
{
	struct ta *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return COFFER_ERROR;
	t->host = host;
	snprintf(t->answer, sizeof(t->answer), "%s",
	    host->conf_string(conf, "answer", ""));
	snprintf(t->label, sizeof(t->label), "%s",
	    host->conf_string(conf, "label", ""));
	t->slow_ms = host->conf_int(conf, "slow_ms", 0);
	if (ta_load_list(host, conf, "users", t->users, &t->nusers, err) < 0 ||
	    ta_load_list(host, conf, "tokens", t->tokens, &t->ntokens, err) <
	    0) {
		free(t);
		return COFFER_ERROR;
	}
	for (size_t i = 0; i < host->conf_count(conf, "refuse") && i < TA_MAX;
	    i++, t->nrefuse++)
		snprintf(t->refuse[i], sizeof(t->refuse[i]), "%s",
		    host->conf_item(conf, "refuse", i));
	*inst_r = t;
	return COFFER_OK;
}

static const struct coffer_host *ta_host;	/* from init(), for fini() */

static enum coffer_rc
ta_init(const struct coffer_host *host, struct coffer_error *err)
{
	(void)err;
	ta_host = host;
	return COFFER_OK;
}

static void
ta_fini(void)
{
	ta_host->log(ta_host, COFFER_LOG_NOTICE, "fini");
}

static void
ta_close(void *inst)
{
	struct ta *t = inst;

	t->host->log(t->host, COFFER_LOG_NOTICE, "close %s", t->label);
	free(t);
}

static enum coffer_rc
ta_reload(void *inst, struct coffer_error *err)
{
	(void)err;
	atomic_fetch_add(&((struct ta *)inst)->reloads, 1);
	return COFFER_OK;
}

static enum coffer_rc
ta_grant(struct ta *t, struct coffer_principal *p, const char *name,
    enum coffer_principal_type type)
{
	char n[16];

	snprintf(n, sizeof(n), "%d", atomic_load(&t->reloads));
	if (t->host->principal_set(p, name, type) < 0 ||
	    t->host->principal_attr(p, "reloads", n) < 0)
		return COFFER_ERROR;
	return COFFER_OK;
}

static enum coffer_rc
ta_fixed(struct ta *t, struct coffer_principal *p)
{
	static const struct { const char *word; enum coffer_rc rc; } a[] = {
		{ "deny", COFFER_DENIED }, { "ignore", COFFER_IGNORE },
		{ "unavailable", COFFER_UNAVAILABLE }, { "error", COFFER_ERROR },
		{ "garbage", (enum coffer_rc)42 },
		{ "ok_without_principal", COFFER_OK },
	};

	if (strcmp(t->answer, "ok") == 0)
		return ta_grant(t, p, "fixed", COFFER_PRINCIPAL_USER);
	for (size_t i = 0; i < sizeof(a) / sizeof(*a); i++) {
		if (strcmp(t->answer, a[i].word) == 0)
			return a[i].rc;
	}
	return COFFER_ERROR;
}

static const struct ta_entry *
ta_lookup(const struct ta_entry *list, size_t n, const char *cred)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(list[i].cred, cred) == 0)
			return &list[i];
	}
	return NULL;
}

static enum coffer_rc
ta_authenticate(void *inst, const struct coffer_auth_request *req,
    struct coffer_principal *p, struct coffer_error *err)
{
	struct ta *t = inst;
	const struct ta_entry *e = NULL;

	if (t->slow_ms > 0 && req->token != NULL &&
	    strcmp(req->token, "slow") == 0) {
		struct timespec ts = { t->slow_ms / 1000,
		    (t->slow_ms % 1000) * 1000000 };

		t->host->log(t->host, COFFER_LOG_NOTICE, "slow request started");
		nanosleep(&ts, NULL);
	}
	if (t->answer[0] != '\0')
		return ta_fixed(t, p);
	if (t->ntokens > 0) {
		if (req->token == NULL)
			return COFFER_IGNORE;
		e = ta_lookup(t->tokens, t->ntokens, req->token);
	} else {
		if (req->curve_key_z85 == NULL)
			return COFFER_IGNORE;
		e = ta_lookup(t->users, t->nusers, req->curve_key_z85);
	}
	if (e == NULL) {
		snprintf(err->msg, sizeof(err->msg), "unknown credential");
		return COFFER_DENIED;
	}
	return ta_grant(t, p, e->name, e->type);
}

static enum coffer_rc
ta_admit(void *inst, const uint8_t key[32], const char *peer,
    struct coffer_error *err)
{
	struct ta *t = inst;
	char enc[41];

	(void)peer;
	if (zmq_z85_encode(enc, key, 32) == NULL)
		return COFFER_ERROR;
	for (size_t i = 0; i < t->nrefuse; i++) {
		if (strcmp(t->refuse[i], enc) == 0) {
			snprintf(err->msg, sizeof(err->msg), "key is refused");
			return COFFER_DENIED;
		}
	}
	return COFFER_IGNORE;
}

static int
ta_answers_now(void *inst, const struct coffer_auth_request *req)
{
	const struct ta *t = inst;

	return !(t->slow_ms > 0 && req->token != NULL &&
	    strcmp(req->token, "slow") == 0);
}

static const struct coffer_auth_ops ta_ops = {
	.struct_size = sizeof(struct coffer_auth_ops),
	.authenticate = ta_authenticate,
	.admit = ta_admit,
	.answers_now = ta_answers_now,
};

static const struct coffer_module ta_module = {
	COFFER_MODULE_HEADER,
	.name = "test_auth",
	.version = "test",
	.kind = COFFER_KIND_AUTH,
	.options = ta_options,
	.init = ta_init,
	.fini = ta_fini,
	.open = ta_open,
	.close = ta_close,
	.reload = ta_reload,
	.auth = &ta_ops,
};

COFFER_MODULE_EXPORT const struct coffer_module *
coffer_module_entry(void)
{
	return &ta_module;
}
