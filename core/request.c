/*
 * request.c - check and decode a request message.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "jsonr.h"
#include "request.h"

#define REQ_ERR(msg, ...) snprintf((msg), REQUEST_MSG_MAX, __VA_ARGS__)

static enum errcode
request_id(struct request *r, char *msg)
{
	json_t *id = json_object_get(r->root, "id");

	if (id == NULL) {
		REQ_ERR(msg, "missing \"id\"");
		return ERR_BAD_REQUEST;
	}
	if (json_is_string(id) && json_string_length(id) <= REQUEST_ID_MAX) {
		r->id = id;
		return ERR_NONE;
	}
	if (json_is_integer(id)) {
		r->id = id;
		return ERR_NONE;
	}
	REQ_ERR(msg, "\"id\" must be an integer or a string of at most %d "
	    "bytes", REQUEST_ID_MAX);
	return ERR_BAD_REQUEST;
}

static enum errcode
request_string(json_t *obj, const char *key, size_t max, const char **out,
    const char *where, char *msg)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return ERR_NONE;
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > max ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		REQ_ERR(msg, "\"%s%s\" must be a string of 1 to %zu bytes",
		    where, key, max);
		return ERR_BAD_REQUEST;
	}
	*out = json_string_value(v);
	return ERR_NONE;
}

static enum errcode
request_credentials(struct request *r, char *msg)
{
	json_t *cred = json_object_get(r->root, "credentials");
	const char *key;
	json_t *v;
	enum errcode e;

	if (cred == NULL)
		return ERR_NONE;
	if (!json_is_object(cred)) {
		REQ_ERR(msg, "\"credentials\" must be an object");
		return ERR_BAD_REQUEST;
	}
	json_object_foreach(cred, key, v) {
		if (strcmp(key, "token") != 0 && strcmp(key, "username") != 0) {
			REQ_ERR(msg, "unknown member \"credentials.%.64s\"",
			    key);
			return ERR_BAD_REQUEST;
		}
	}
	e = request_string(cred, "token", REQUEST_TOKEN_MAX, &r->token,
	    "credentials.", msg);
	if (e == ERR_NONE)
		e = request_string(cred, "username", REQUEST_USERNAME_MAX,
		    &r->username, "credentials.", msg);
	return e;
}

static enum errcode
request_members(struct request *r, char *msg)
{
	static const char *const known[] = {
		"v", "id", "op", "args", "credentials"
	};
	const char *key;
	json_t *v;

	json_object_foreach(r->root, key, v) {
		size_t i;

		for (i = 0; i < sizeof(known) / sizeof(*known); i++) {
			if (strcmp(key, known[i]) == 0)
				break;
		}
		if (i == sizeof(known) / sizeof(*known)) {
			REQ_ERR(msg, "unknown member \"%.64s\"", key);
			return ERR_BAD_REQUEST;
		}
	}
	return ERR_NONE;
}

static enum errcode
request_fields(struct request *r, char *msg)
{
	json_t *v = json_object_get(r->root, "v");
	enum errcode e;

	if ((e = request_id(r, msg)) != ERR_NONE)
		return e;
	if (!json_is_integer(v)) {
		REQ_ERR(msg, "\"v\" must be the protocol version, %d",
		    REQUEST_VERSION);
		return ERR_BAD_REQUEST;
	}
	if (json_integer_value(v) != REQUEST_VERSION) {
		REQ_ERR(msg, "protocol version %lld is not spoken here; "
		    "use %d", (long long)json_integer_value(v),
		    REQUEST_VERSION);
		return ERR_BAD_VERSION;
	}
	if ((e = request_members(r, msg)) != ERR_NONE)
		return e;
	if ((e = request_string(r->root, "op", REQUEST_OP_MAX, &r->op, "",
	    msg)) != ERR_NONE)
		return e;
	if (r->op == NULL) {
		REQ_ERR(msg, "missing \"op\"");
		return ERR_BAD_REQUEST;
	}
	r->args = json_object_get(r->root, "args");
	if (r->args != NULL && !json_is_object(r->args)) {
		REQ_ERR(msg, "\"args\" must be an object");
		return ERR_BAD_ARGS;
	}
	return request_credentials(r, msg);
}

enum errcode
request_decode(struct request *r, const void *data, size_t len,
    const struct request_limits *limits, char *msg)
{
	json_error_t jerr;
	enum errcode e;

	memset(r, 0, sizeof(*r));
	if (len > limits->max_bytes) {
		REQ_ERR(msg, "request of %zu bytes is over the limit of %zu",
		    len, limits->max_bytes);
		return ERR_TOO_LARGE;
	}
	if (jsonr_nesting(data, len, limits->max_depth) > limits->max_depth) {
		REQ_ERR(msg, "JSON nested deeper than %d levels",
		    limits->max_depth);
		return ERR_TOO_DEEP;
	}
	r->root = jsonr_load(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (r->root == NULL) {
		REQ_ERR(msg, "invalid JSON at byte %d: %s", jerr.position,
		    jerr.text);
		return ERR_BAD_REQUEST;
	}
	if (!json_is_object(r->root)) {
		REQ_ERR(msg, "a request must be a JSON object");
		return ERR_BAD_REQUEST;
	}
	if ((e = request_fields(r, msg)) != ERR_NONE)
		return e;
	if (r->args == NULL) {
		r->args = json_object();
		json_object_set_new(r->root, "args", r->args);
	}
	return ERR_NONE;
}

void
request_free(struct request *r)
{
	json_decref(r->root);
	memset(r, 0, sizeof(*r));
}
