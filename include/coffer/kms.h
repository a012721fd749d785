/*
 * coffer/kms.h - libcoffer-kms: kmsauth tokens for clients of a cofferd
 * that runs auth_kms (coffer-auth-kms(5)).
 *
 * The token is made exactly as Lyft's kmsauth generator makes it: a
 * window from 3 minutes ago to LIFETIME - 3 minutes ahead, as JSON,
 * encrypted with KMS Encrypt under the encryption context {from, to} and,
 * for version 2, user_type; base64.  With a cache file (kmsauth's format,
 * created mode 0600) a token is reused until 3 minutes before it expires.
 * AWS credentials and region are found as the AWS SDKs find them.
 *
 *	struct coffer_kms_opts o = { .struct_size = sizeof(o),
 *	    .key = "alias/authnz", .from = "web", .to = "coffer-prod" };
 *	char *token, *username;
 *
 *	if (coffer_kms_token(&o, &token, &username, &err) == COFFER_CLIENT_OK)
 *		coffer_client_credentials(client, token, username);
 *
 * Link with `pkg-config --libs libcoffer-kms` (it needs libcurl, which
 * libcoffer does not).
 */
#ifndef COFFER_KMS_H
#define COFFER_KMS_H

#include <stddef.h>

#include "coffer/client.h"

#ifdef __cplusplus
extern "C" {
#endif

struct coffer_kms_opts {
	size_t		 struct_size;	/* sizeof(struct coffer_kms_opts) */
	const char	*key;		/* KMS key: alias/..., id or ARN */
	const char	*from;		/* who the client is */
	const char	*to;		/* the server's auth_kms 'to' */
	const char	*user_type;	/* "service" (NULL) or "user" */
	int		 version;	/* 2 (0) or 1 */
	int		 lifetime;	/* minutes, 10 (0); at least 4 */
	const char	*region;	/* NULL: AWS_REGION ... */
	const char	*endpoint;	/* NULL: AWS_ENDPOINT_URL_KMS ... */
	const char	*profile;	/* NULL: AWS_PROFILE ... */
	const char	*cache_file;	/* NULL: no cache */
};

/* A token in *TOKEN_R and its username in *USERNAME_R (free both with
 * coffer_free()).  COFFER_CLIENT_INVALID for options that make no sense,
 * COFFER_CLIENT_UNAVAILABLE when KMS cannot be reached, else
 * COFFER_CLIENT_ERROR (AWS's code in ERR). */
COFFER_CLIENT_API enum coffer_client_rc coffer_kms_token(
	    const struct coffer_kms_opts *opts, char **token_r,
	    char **username_r, struct coffer_client_error *err);

#ifdef __cplusplus
}
#endif

#endif
