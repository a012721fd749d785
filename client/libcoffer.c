/*
 * libcoffer.c - the client library: one DEALER socket with CURVE, requests
 * and replies as docs/protocol.md describes them.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "cert.h"
#include "coffer/client.h"

#define CLIENT_DEFAULT_TIMEOUT	10000

struct coffer_client {
	void		*ctx;
	void		*sock;
	char		*endpoint;
	char		 server_key[CERT_Z85_LEN + 1];
	char		 public_key[CERT_Z85_LEN + 1];
	char		*secret_key;	/* sodium_malloc'd */
	int		 timeout;
	int64_t		 next_id;
	char		*token;
	char		*username;
};

static enum coffer_client_rc
client_fail(struct coffer_client_error *err, enum coffer_client_rc rc,
    const char *code, const char *fmt, ...)
{
	va_list ap;

	snprintf(err->code, sizeof(err->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return rc;
}

/* A new socket to the daemon, replacing any old one: what the old one
 * still queued (requests of calls that timed out) is dropped unsent. */
static int
client_socket(struct coffer_client *c)
{
	int zero = 0;

	if (c->sock != NULL)
		zmq_close(c->sock);
	c->sock = zmq_socket(c->ctx, ZMQ_DEALER);
	return c->sock == NULL ||
	    zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof(zero)) ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, c->server_key, 40) ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, c->public_key, 40) ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, c->secret_key, 40) ||
	    zmq_connect(c->sock, c->endpoint) ? -1 : 0;
}

/* The client's own keys from CERT_PATH into C; a new pair for this
 * connection alone when CERT_PATH is NULL. */
static enum coffer_client_rc
client_keys(struct coffer_client *c, const char *cert_path,
    struct coffer_client_error *err)
{
	char why[CERT_ERR_MAX];
	struct cert me;
	enum coffer_client_rc rc = COFFER_CLIENT_OK;

	memset(&me, 0, sizeof(me));
	if (cert_path == NULL && zmq_curve_keypair(me.public_key,
	    me.secret_key) != 0)
		return client_fail(err, COFFER_CLIENT_ERROR, "", "cannot make "
		    "a CURVE key pair: %s", zmq_strerror(errno));
	if (cert_path != NULL && cert_load(&me, cert_path, why) < 0)
		return client_fail(err, COFFER_CLIENT_ERROR, "", "%s: %s",
		    cert_path, why);
	if (me.secret_key[0] == '\0')
		rc = client_fail(err, COFFER_CLIENT_INVALID, "", "%s holds no "
		    "secret key: give the _secret certificate", cert_path);
	else if ((c->secret_key = sodium_malloc(CERT_Z85_LEN + 1)) == NULL)
		rc = client_fail(err, COFFER_CLIENT_ERROR, "", "out of memory");
	else {
		memcpy(c->public_key, me.public_key, sizeof(c->public_key));
		memcpy(c->secret_key, me.secret_key, CERT_Z85_LEN + 1);
	}
	cert_wipe(&me);
	return rc;
}

enum coffer_client_rc
coffer_client_open(coffer_client **client_r, const char *endpoint,
    const char *server_key, const char *cert_path,
    struct coffer_client_error *err)
{
	uint8_t raw[32];
	struct coffer_client *c;
	enum coffer_client_rc rc;

	*client_r = NULL;
	if (server_key == NULL || strlen(server_key) != 40 ||
	    zmq_z85_decode(raw, server_key) == NULL)
		return client_fail(err, COFFER_CLIENT_INVALID, "", "the server "
		    "key must be 40 Z85 characters");
	if (sodium_init() < 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return client_fail(err, COFFER_CLIENT_ERROR, "", "out of memory");
	memcpy(c->server_key, server_key, sizeof(c->server_key));
	if ((rc = client_keys(c, cert_path, err)) != COFFER_CLIENT_OK) {
		coffer_client_close(c);
		return rc;
	}
	if ((c->endpoint = strdup(endpoint)) == NULL ||
	    (c->ctx = zmq_ctx_new()) == NULL || client_socket(c) < 0) {
		client_fail(err, COFFER_CLIENT_ERROR, "", "cannot connect to "
		    "%s: %s", endpoint, zmq_strerror(errno));
		coffer_client_close(c);
		return COFFER_CLIENT_ERROR;
	}
	c->timeout = CLIENT_DEFAULT_TIMEOUT;
	c->next_id = 1;
	*client_r = c;
	return COFFER_CLIENT_OK;
}

void
coffer_client_close(coffer_client *c)
{
	if (c == NULL)
		return;
	if (c->sock != NULL)
		zmq_close(c->sock);
	if (c->ctx != NULL)
		zmq_ctx_term(c->ctx);
	coffer_client_credentials(c, NULL, NULL);
	sodium_free(c->secret_key);
	free(c->endpoint);
	free(c);
}

void
coffer_client_timeout(coffer_client *c, int ms)
{
	c->timeout = ms > 0 ? ms : CLIENT_DEFAULT_TIMEOUT;
}

void
coffer_client_credentials(coffer_client *c, const char *token,
    const char *username)
{
	coffer_free(c->token);
	coffer_free(c->username);
	c->token = token ? strdup(token) : NULL;
	c->username = username ? strdup(username) : NULL;
}

void
coffer_free(char *text)
{
	if (text == NULL)
		return;
	sodium_memzero(text, strlen(text));
	free(text);
}

/* A string of jansson's as a malloc'd copy; jansson's is wiped. */
static char *
client_own(char *json_text)
{
	json_free_t jfree;
	char *copy;

	if (json_text == NULL)
		return NULL;
	copy = strdup(json_text);
	sodium_memzero(json_text, strlen(json_text));
	json_get_alloc_funcs(NULL, &jfree);
	jfree(json_text);
	return copy;
}

static enum coffer_client_rc
client_rc(const char *code)
{
	static const struct { const char *code; enum coffer_client_rc rc; }
	    map[] = {
		{ "not_found", COFFER_CLIENT_NOT_FOUND },
		{ "denied", COFFER_CLIENT_DENIED },
		{ "conflict", COFFER_CLIENT_CONFLICT },
		{ "unavailable", COFFER_CLIENT_UNAVAILABLE },
		{ "bad_request", COFFER_CLIENT_INVALID },
		{ "bad_args", COFFER_CLIENT_INVALID },
		{ "bad_version", COFFER_CLIENT_INVALID },
		{ "unknown_op", COFFER_CLIENT_INVALID },
		{ "too_large", COFFER_CLIENT_INVALID },
		{ "too_deep", COFFER_CLIENT_INVALID },
		{ "invalid_name", COFFER_CLIENT_INVALID },
		{ "invalid_pairs", COFFER_CLIENT_INVALID },
		{ "invalid_metadata", COFFER_CLIENT_INVALID },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++)
		if (strcmp(code, map[i].code) == 0)
			return map[i].rc;
	return COFFER_CLIENT_ERROR;
}

/* The request's text, or NULL (ERR set). */
static char *
client_request(struct coffer_client *c, const char *op, const char *args,
    int64_t id, struct coffer_client_error *err)
{
	json_t *a = args ? json_loads(args, 0, NULL) : json_object(), *req;
	char *text;

	if (!json_is_object(a)) {
		json_decref(a);
		client_fail(err, COFFER_CLIENT_INVALID, "", "the arguments "
		    "must be a JSON object");
		return NULL;
	}
	req = json_pack("{s:i, s:I, s:s, s:o}", "v", 1, "id", (json_int_t)id,
	    "op", op, "args", a);
	if (req != NULL && c->token != NULL)
		json_object_set_new(req, "credentials", json_pack("{s:s, s:s?}",
		    "token", c->token, "username", c->username));
	text = req ? client_own(json_dumps(req, JSON_COMPACT)) : NULL;
	json_decref(req);
	if (text == NULL)
		client_fail(err, COFFER_CLIENT_ERROR, "", "out of memory");
	return text;
}

static long
client_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One message's last frame, parsed (NULL if it is not JSON); every frame
 * is wiped. */
static json_t *
client_recv(struct coffer_client *c, int *failed)
{
	zmq_msg_t part;
	json_t *r = NULL;
	int more = 1;

	while (more) {
		zmq_msg_init(&part);
		if (zmq_msg_recv(&part, c->sock, 0) < 0) {
			zmq_msg_close(&part);
			json_decref(r);
			*failed = 1;
			return NULL;
		}
		more = zmq_msg_more(&part);
		if (!more && zmq_msg_size(&part) > 0)
			r = json_loadb(zmq_msg_data(&part), zmq_msg_size(&part),
			    0, NULL);
		sodium_memzero(zmq_msg_data(&part), zmq_msg_size(&part));
		zmq_msg_close(&part);
	}
	return r;
}

/* Wait at most the timeout for the reply to ID (older ones, from calls
 * that timed out, are dropped); the parsed reply, or NULL. */
static json_t *
client_reply(struct coffer_client *c, int64_t id)
{
	zmq_pollitem_t item = { .socket = c->sock, .events = ZMQ_POLLIN };
	long deadline = client_now_ms() + c->timeout, left = c->timeout;
	json_t *r = NULL;
	int failed = 0;

	while (!failed && left > 0 && zmq_poll(&item, 1, left) > 0) {
		r = client_recv(c, &failed);
		if (json_integer_value(json_object_get(r, "id")) == id)
			break;
		json_decref(r);
		r = NULL;
		left = deadline - client_now_ms();
	}
	return r;
}

enum coffer_client_rc
coffer_call(coffer_client *c, const char *op, const char *args_json,
    char **result_r, struct coffer_client_error *err)
{
	int64_t id = c->next_id++;
	char *req = client_request(c, op, args_json, id, err);
	json_t *reply, *e;
	int sent;

	*result_r = NULL;
	if (req == NULL)
		return COFFER_CLIENT_INVALID;
	sent = zmq_send(c->sock, "", 0, ZMQ_SNDMORE) >= 0 &&
	    zmq_send(c->sock, req, strlen(req), 0) >= 0;
	coffer_free(req);
	if (!sent || (reply = client_reply(c, id)) == NULL) {
		/* Never delivered later, when no one waits for it. */
		if (client_socket(c) < 0)
			return client_fail(err, COFFER_CLIENT_ERROR, "", "cannot "
			    "reconnect to %s: %s", c->endpoint,
			    zmq_strerror(errno));
		return client_fail(err, COFFER_CLIENT_UNAVAILABLE, "",
		    "no answer from the daemon within %d ms", c->timeout);
	}
	if (json_is_true(json_object_get(reply, "ok"))) {
		*result_r = client_own(json_dumps(json_object_get(reply,
		    "result"), JSON_COMPACT));
		json_decref(reply);
		return COFFER_CLIENT_OK;
	}
	e = json_object_get(reply, "error");
	client_fail(err, COFFER_CLIENT_ERROR, json_string_value(json_object_get(e,
	    "code")) ? json_string_value(json_object_get(e, "code")) :
	    "internal", "%s", json_string_value(json_object_get(e,
	    "message")) ? json_string_value(json_object_get(e, "message")) :
	    "the daemon's reply holds no error");
	json_decref(reply);
	return client_rc(err->code);
}
