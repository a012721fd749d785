/*
 * coffer/client.h - libcoffer, the client library of the coffer secrets
 * daemon.
 *
 * Connect with CURVE to a cofferd (its public key, and your own key pair
 * from a certificate file that coffer keygen, czmq or pyzmq wrote), then
 * call operations by name with JSON arguments; results come back as JSON
 * text.  The protocol is in docs/protocol.md.  A client handle is not
 * thread-safe: use one per thread.
 *
 *	coffer_client *c;
 *	char *result;
 *	struct coffer_client_error err;
 *
 *	if (coffer_client_open(&c, "tcp://127.0.0.1:7101", server_z85,
 *	    "/home/me/.coffer/me.key_secret", &err) != COFFER_CLIENT_OK)
 *		errx(1, "%s", err.message);
 *	if (coffer_call(c, "secret.get", "{\"name\":\"prod/db\"}", &result,
 *	    &err) == COFFER_CLIENT_OK) {
 *		puts(result);
 *		coffer_free(result);
 *	}
 *	coffer_client_close(c);
 *
 * Link with `pkg-config --cflags --libs libcoffer`.
 */
#ifndef COFFER_CLIENT_H
#define COFFER_CLIENT_H

#ifdef __cplusplus
extern "C" {
#endif

#define COFFER_CLIENT_API	__attribute__((visibility("default")))

/* What a call came to; the daemon's error codes, grouped. */
enum coffer_client_rc {
	COFFER_CLIENT_OK = 0,
	COFFER_CLIENT_NOT_FOUND,	/* not_found */
	COFFER_CLIENT_DENIED,		/* denied */
	COFFER_CLIENT_CONFLICT,		/* conflict */
	COFFER_CLIENT_UNAVAILABLE,	/* unavailable, or no answer in time */
	COFFER_CLIENT_INVALID,		/* bad_request, bad_args, invalid_* ... */
	COFFER_CLIENT_ERROR		/* anything else (tampered, internal,
					 * a local failure) */
};

#define COFFER_CLIENT_CODE_MAX		32
#define COFFER_CLIENT_MESSAGE_MAX	512

/* The daemon's stable error code ("" for local failures) and message. */
struct coffer_client_error {
	char	code[COFFER_CLIENT_CODE_MAX];
	char	message[COFFER_CLIENT_MESSAGE_MAX];
};

typedef struct coffer_client coffer_client;

/*
 * Connect to ENDPOINT ("tcp://host:port"), whose public key is SERVER_KEY
 * (40 Z85 characters), as the key pair in CERT_PATH (a _secret certificate),
 * or, with CERT_PATH NULL, a key pair made for this handle alone (for
 * token auth: the connection is encrypted, the token says who you are).
 * On success *CLIENT_R is the handle; close it with coffer_client_close().
 * Connecting is lazy: an unreachable daemon shows at the first call.
 */
COFFER_CLIENT_API enum coffer_client_rc coffer_client_open(coffer_client **client_r,
	    const char *endpoint, const char *server_key,
	    const char *cert_path, struct coffer_client_error *err);
COFFER_CLIENT_API void coffer_client_close(coffer_client *client);

/* Wait at most MS milliseconds for each reply (default 10000).  A call
 * that times out resets the connection, so its request, if it was still
 * queued (no daemon reachable yet), is never sent later; if it reached
 * the daemon it may still be carried out: give writes an "expect". */
COFFER_CLIENT_API void coffer_client_timeout(coffer_client *client, int ms);

/* Send a KMS auth token with every request (auth_kms); NULL to stop.
 * The strings are copied. */
COFFER_CLIENT_API void coffer_client_credentials(coffer_client *client, const char *token,
	    const char *username);

/*
 * Call OP with ARGS_JSON (a JSON object as text, or NULL for none).  On
 * COFFER_CLIENT_OK, *RESULT_R is the result as JSON text: free it with
 * coffer_free(), which wipes it (it may hold secrets).  Otherwise ERR says
 * what the daemon answered, or why no answer came.
 */
COFFER_CLIENT_API enum coffer_client_rc coffer_call(coffer_client *client, const char *op,
	    const char *args_json, char **result_r,
	    struct coffer_client_error *err);

/* Wipe and free a string libcoffer returned. */
COFFER_CLIENT_API void coffer_free(char *text);

#ifdef __cplusplus
}
#endif

#endif
