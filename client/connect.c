/*
 * connect.c - connection settings and calls for the coffer commands.
 */
#include "config.h"

#include <jansson.h>
#include <libconfig.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "cli.h"
#include "connect.h"

int
conn_option(int ch, const char *arg, struct conn *c)
{
	switch (ch) {
	case 'E': c->endpoint = arg; return 1;
	case 'S': c->server_key = arg; return 1;
	case 'K': c->cert = arg; return 1;
	case 'T': c->timeout = atoi(arg) * 1000; return 1;
	case 'j': c->json = 1; return 1;
	case 0x100: c->kms_key = arg; return 1;
	case 0x101: c->kms_from = arg; return 1;
	case 0x102: c->kms_to = arg; return 1;
	case 0x103: c->kms_user_type = arg; return 1;
	}
	return 0;
}

int
conn_getopt(int argc, char **argv, const struct option *longopts,
    struct conn *c, int (*option)(int ch, void *arg), void *arg)
{
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		if (conn_option(ch, optarg, c))
			continue;
		if ((rc = option(ch, arg)) != CLI_OK)
			return rc;
	}
	return CLI_OK;
}

/* Settings the command line left out, from the per-user file. */
static void
conn_file(struct conn *c, config_t *cfg)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	static char path[PATH_MAX];

	if (xdg != NULL && xdg[0] == '/')
		snprintf(path, sizeof(path), "%s/coffer/client.conf", xdg);
	else if (home != NULL)
		snprintf(path, sizeof(path), "%s/.config/coffer/client.conf",
		    home);
	else
		return;
	if (config_read_file(cfg, path) != CONFIG_TRUE)
		return;
	if (c->endpoint == NULL)
		config_lookup_string(cfg, "endpoint", &c->endpoint);
	if (c->server_key == NULL)
		config_lookup_string(cfg, "server_key", &c->server_key);
	if (c->cert == NULL)
		config_lookup_string(cfg, "cert", &c->cert);
	if (c->kms_key == NULL)
		config_lookup_string(cfg, "kms_key", &c->kms_key);
	if (c->kms_from == NULL)
		config_lookup_string(cfg, "kms_from", &c->kms_from);
	if (c->kms_to == NULL)
		config_lookup_string(cfg, "kms_to", &c->kms_to);
	if (c->kms_user_type == NULL)
		config_lookup_string(cfg, "kms_user_type", &c->kms_user_type);
}

/* An environment variable that is set and not empty, else NULL. */
static const char *
conn_getenv(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

static void
conn_env(struct conn *c)
{
	if (c->endpoint == NULL)
		c->endpoint = conn_getenv("COFFER_ENDPOINT");
	if (c->server_key == NULL)
		c->server_key = conn_getenv("COFFER_SERVER_KEY");
	if (c->cert == NULL)
		c->cert = conn_getenv("COFFER_CERT");
	if (c->kms_key == NULL)
		c->kms_key = conn_getenv("COFFER_KMS_KEY");
	if (c->kms_from == NULL)
		c->kms_from = conn_getenv("COFFER_KMS_FROM");
	if (c->kms_to == NULL)
		c->kms_to = conn_getenv("COFFER_KMS_TO");
	if (c->kms_user_type == NULL)
		c->kms_user_type = conn_getenv("COFFER_KMS_USER_TYPE");
}

int
conn_open(struct conn *c, coffer_client **client_r)
{
	struct coffer_client_error err;
	char server[41], why[CERT_ERR_MAX];
	config_t cfg;
	int rc = CLI_OK;

	config_init(&cfg);
	conn_env(c);
	conn_file(c, &cfg);
	if (c->endpoint == NULL || c->server_key == NULL ||
	    (c->cert == NULL && c->kms_key == NULL))
		rc = cli_fail(CLI_USAGE, "say where the daemon is: --endpoint, "
		    "--server-key and --cert or --kms-key (or COFFER_ENDPOINT, "
		    "COFFER_SERVER_KEY, COFFER_CERT or COFFER_KMS_KEY, or "
		    "~/.config/coffer/client.conf)");
	if (rc == CLI_OK && cert_public_key(c->server_key, server, why) < 0)
		rc = cli_fail(CLI_USAGE, "server key %s: %s", c->server_key,
		    why);
	if (rc == CLI_OK && coffer_client_open(client_r, c->endpoint, server,
	    c->cert, &err) != COFFER_CLIENT_OK)
		rc = cli_fail(CLI_FAIL, "%s", err.message);
	if (rc == CLI_OK && c->timeout > 0)
		coffer_client_timeout(*client_r, c->timeout);
	if (rc == CLI_OK && c->kms_key != NULL &&
	    (rc = kmsauth_credentials(c, *client_r)) != CLI_OK)
		coffer_client_close(*client_r);
	config_destroy(&cfg);
	return rc;
}

static int
conn_exit_code(enum coffer_client_rc rc)
{
	switch (rc) {
	case COFFER_CLIENT_OK:		return CLI_OK;
	case COFFER_CLIENT_NOT_FOUND:	return CLI_NOT_FOUND;
	case COFFER_CLIENT_DENIED:	return CLI_DENIED;
	case COFFER_CLIENT_CONFLICT:	return CLI_CONFLICT;
	case COFFER_CLIENT_UNAVAILABLE:	return CLI_UNAVAILABLE;
	case COFFER_CLIENT_INVALID:	return CLI_USAGE;
	default:			return CLI_FAIL;
	}
}

int
conn_call(coffer_client *client, const char *op, json_t *args,
    json_t **result_r)
{
	return conn_call_expecting(client, op, args, result_r, CLI_OK);
}

int
conn_call_expecting(coffer_client *client, const char *op, json_t *args,
    json_t **result_r, int quiet)
{
	struct coffer_client_error err;
	char *text = json_dumps(args, JSON_COMPACT), *result = NULL;
	enum coffer_client_rc rc;

	*result_r = NULL;	/* callers release it whatever the outcome */
	json_decref(args);
	rc = coffer_call(client, op, text, &result, &err);
	if (text != NULL)	/* it may hold values */
		sodium_memzero(text, strlen(text));
	free(text);
	if (rc != COFFER_CLIENT_OK && conn_exit_code(rc) == quiet)
		return quiet;
	if (rc != COFFER_CLIENT_OK)
		return cli_fail(conn_exit_code(rc), "%s%s%s", err.code,
		    err.code[0] ? ": " : "", err.message);
	*result_r = json_loads(result, 0, NULL);
	coffer_free(result);
	return *result_r != NULL ? CLI_OK : cli_fail(CLI_FAIL, "the daemon's "
	    "answer is not JSON");
}

void
conn_print_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	putchar('\n');
}
