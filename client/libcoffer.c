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
#include <zmq.h>

#include "cert.h"
#include "coffer/client.h"

#define CLIENT_DEFAULT_TIMEOUT	10000

struct coffer_client {
	void		*ctx;
	void		*sock;
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

static int
client_socket(struct coffer_client *c, const char *endpoint,
    const char *server_key, const struct cert *me)
{
	int zero = 0;

	c->sock = zmq_socket(c->ctx, ZMQ_DEALER);
	return c->sock == NULL ||
	    zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof(zero)) ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, server_key, 40) ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, me->public_key, 40) ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, me->secret_key, 40) ||
	    zmq_connect(c->sock, endpoint) ? -1 : 0;
}

enum coffer_client_rc
coffer_client_open(coffer_client **client_r, const char *endpoint,
    const char *server_key, const char *cert_path,
    struct coffer_client_error *err)
{
	char why[CERT_ERR_MAX];
	uint8_t raw[32];
	struct coffer_client *c;
	struct cert me;

	*client_r = NULL;
	if (server_key == NULL || strlen(server_key) != 40 ||
	    zmq_z85_decode(raw, server_key) == NULL)
		return client_fail(err, COFFER_CLIENT_INVALID, "", "the server "
		    "key must be 40 Z85 characters");
	if (cert_load(&me, cert_path, why) < 0)
		return client_fail(err, COFFER_CLIENT_ERROR, "", "%s: %s",
		    cert_path, why);
	if (me.secret_key[0] == '\0')
		return client_fail(err, COFFER_CLIENT_INVALID, "", "%s holds no "
		    "secret key: give the _secret certificate", cert_path);
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->ctx = zmq_ctx_new()) == NULL ||
	    client_socket(c, endpoint, server_key, &me) < 0) {
		cert_wipe(&me);
		coffer_client_close(c);
		return client_fail(err, COFFER_CLIENT_ERROR, "", "cannot "
		    "connect to %s: %s", endpoint, zmq_strerror(errno));
	}
	cert_wipe(&me);
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

/* Wait for the reply to ID (older ones, from calls that timed out, are
 * dropped); the parsed reply, or NULL on timeout. */
static json_t *
client_reply(struct coffer_client *c, int64_t id)
{
	zmq_pollitem_t item = { .socket = c->sock, .events = ZMQ_POLLIN };

	while (zmq_poll(&item, 1, c->timeout) > 0) {
		zmq_msg_t part;
		json_t *r = NULL;
		int more = 1;

		while (more) {
			zmq_msg_init(&part);
			if (zmq_msg_recv(&part, c->sock, 0) < 0) {
				zmq_msg_close(&part);
				return NULL;
			}
			more = zmq_msg_more(&part);
			if (!more && zmq_msg_size(&part) > 0)
				r = json_loadb(zmq_msg_data(&part),
				    zmq_msg_size(&part), 0, NULL);
			sodium_memzero(zmq_msg_data(&part), zmq_msg_size(&part));
			zmq_msg_close(&part);
		}
		if (json_integer_value(json_object_get(r, "id")) == id)
			return r;
		json_decref(r);
	}
	return NULL;
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
	if (!sent || (reply = client_reply(c, id)) == NULL)
		return client_fail(err, COFFER_CLIENT_UNAVAILABLE, "",
		    "no answer from the daemon within %d ms", c->timeout);
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
