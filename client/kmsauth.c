/*
 * kmsauth.c - the coffer command's KMS auth: with a KMS key configured it
 * loads libcoffer-kms (so that the command itself never needs libcurl),
 * makes or reuses a kmsauth token and sends it with every request.
 *
 * The token is cached in $COFFER_KMS_CACHE, else
 * $XDG_RUNTIME_DIR/coffer-kms-token, else ~/.cache/coffer/kms-token, in
 * kmsauth's format, mode 0600, until 3 minutes before it expires.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "coffer/kms.h"
#include "connect.h"

#define KMSAUTH_LIBRARY	LIBDIR "/libcoffer-kms.so.0"

typedef enum coffer_client_rc (*kms_token_fn)(const struct coffer_kms_opts *,
    char **, char **, struct coffer_client_error *);

/* The cache file's path into BUF, its directory made; NULL for none. */
static const char *
kmsauth_cache(char *buf, size_t len)
{
	const char *v = getenv("COFFER_KMS_CACHE");
	const char *run = getenv("XDG_RUNTIME_DIR"), *home = getenv("HOME");

	if (v != NULL)
		return v[0] != '\0' ? v : NULL;
	if (run != NULL && run[0] == '/') {
		snprintf(buf, len, "%s/coffer-kms-token", run);
		return buf;
	}
	if (home == NULL || home[0] != '/')
		return NULL;
	snprintf(buf, len, "%s/.cache", home);
	mkdir(buf, 0700);
	snprintf(buf, len, "%s/.cache/coffer", home);
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return NULL;
	snprintf(buf, len, "%s/.cache/coffer/kms-token", home);
	return buf;
}

static kms_token_fn
kmsauth_load(void)
{
	const char *path = getenv("COFFER_KMS_LIBRARY");
	void *lib = dlopen(path ? path : KMSAUTH_LIBRARY, RTLD_NOW);
	kms_token_fn fn;

	if (lib == NULL) {
		cli_fail(CLI_FAIL, "KMS auth needs libcoffer-kms: %s (install "
		    "the coffer KMS client package)", dlerror());
		return NULL;
	}
	*(void **)&fn = dlsym(lib, "coffer_kms_token");
	if (fn == NULL)
		cli_fail(CLI_FAIL, "%s has no coffer_kms_token",
		    path ? path : KMSAUTH_LIBRARY);
	return fn;	/* the library stays loaded: it owns the token */
}

int
kmsauth_credentials(const struct conn *c, coffer_client *client)
{
	struct coffer_kms_opts o = { .struct_size = sizeof(o) };
	struct coffer_client_error err;
	char cache[PATH_MAX], *token, *username;
	kms_token_fn fn;

	if (c->kms_from == NULL || c->kms_to == NULL)
		return cli_fail(CLI_USAGE, "KMS auth needs --kms-from and "
		    "--kms-to (or COFFER_KMS_FROM, COFFER_KMS_TO)");
	if ((fn = kmsauth_load()) == NULL)
		return CLI_FAIL;
	o.key = c->kms_key;
	o.from = c->kms_from;
	o.to = c->kms_to;
	o.user_type = c->kms_user_type;
	o.cache_file = kmsauth_cache(cache, sizeof(cache));
	switch (fn(&o, &token, &username, &err)) {
	case COFFER_CLIENT_OK:
		break;
	case COFFER_CLIENT_INVALID:
		return cli_fail(CLI_USAGE, "%s", err.message);
	case COFFER_CLIENT_UNAVAILABLE:
		return cli_fail(CLI_UNAVAILABLE, "%s", err.message);
	default:
		return cli_fail(CLI_FAIL, "%s", err.message);
	}
	coffer_client_credentials(client, token, username);
	coffer_free(token);
	coffer_free(username);
	return CLI_OK;
}
