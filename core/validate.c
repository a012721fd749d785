/*
 * validate.c - check names, pairs, metadata and comments from requests.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "request.h"
#include "validate.h"

#define V_ERR(msg, ...) snprintf((msg), REQUEST_MSG_MAX, __VA_ARGS__)

static int
validate_segment_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

enum errcode
validate_name(json_t *name, char *msg)
{
	const char *s = json_string_value(name), *seg;
	size_t len;

	if (!json_is_string(name)) {
		V_ERR(msg, "\"name\" must be a string");
		return ERR_INVALID_NAME;
	}
	len = json_string_length(name);
	if (len == 0 || len > VALIDATE_NAME_MAX || strlen(s) != len) {
		V_ERR(msg, "a name is 1 to %d bytes", VALIDATE_NAME_MAX);
		return ERR_INVALID_NAME;
	}
	for (seg = s; seg != NULL;) {
		const char *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);

		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.')) {
			V_ERR(msg, "a name is segments joined by '/', none "
			    "empty, \".\" or \"..\"");
			return ERR_INVALID_NAME;
		}
		for (size_t i = 0; i < n; i++) {
			if (!validate_segment_char(seg[i])) {
				V_ERR(msg, "a name may hold letters, digits, "
				    "'.', '_', '-' and '/' only");
				return ERR_INVALID_NAME;
			}
		}
		seg = end ? end + 1 : NULL;
	}
	return ERR_NONE;
}

static int
validate_key(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n > VALIDATE_KEY_MAX ||
	    !((key[0] >= 'a' && key[0] <= 'z') ||
	    (key[0] >= 'A' && key[0] <= 'Z') || key[0] == '_'))
		return 0;
	for (size_t i = 1; i < n; i++) {
		if (!validate_segment_char(key[i]))
			return 0;
	}
	return 1;
}

/* An object of string values: at most MAX entries, keys as validate_key,
 * values at most VMAX bytes without NUL. */
static enum errcode
validate_map(json_t *obj, const char *what, size_t max, size_t vmax,
    enum errcode code, char *msg)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj)) {
		V_ERR(msg, "\"%s\" must be an object of strings", what);
		return code;
	}
	if (json_object_size(obj) > max) {
		V_ERR(msg, "\"%s\" holds %zu keys; at most %zu", what,
		    json_object_size(obj), max);
		return code;
	}
	json_object_foreach(obj, key, v) {
		if (!validate_key(key)) {
			V_ERR(msg, "%s key \"%.64s\" is not a name like "
			    "DB_PASSWORD ([A-Za-z_][A-Za-z0-9_.-]*, at most %d "
			    "bytes)", what, key, VALIDATE_KEY_MAX);
			return code;
		}
		if (!json_is_string(v) || json_string_length(v) > vmax ||
		    strlen(json_string_value(v)) != json_string_length(v)) {
			V_ERR(msg, "%s value of \"%s\" must be a string of at "
			    "most %zu bytes without NUL", what, key, vmax);
			return code;
		}
	}
	return ERR_NONE;
}

enum errcode
validate_pairs(json_t *pairs, char *msg)
{
	enum errcode e = validate_map(pairs, "pairs", VALIDATE_PAIRS_MAX,
	    VALIDATE_VALUE_MAX, ERR_INVALID_PAIRS, msg);

	if (e == ERR_NONE && json_object_size(pairs) == 0) {
		V_ERR(msg, "a secret holds at least one pair");
		return ERR_INVALID_PAIRS;
	}
	return e;
}

enum errcode
validate_metadata(json_t *meta, char *msg)
{
	return validate_map(meta, "metadata", VALIDATE_META_MAX,
	    VALIDATE_META_VALUE_MAX, ERR_INVALID_METADATA, msg);
}

enum errcode
validate_comment(json_t *comment, char *msg)
{
	if (!json_is_string(comment) ||
	    json_string_length(comment) > VALIDATE_COMMENT_MAX) {
		V_ERR(msg, "\"comment\" must be a string of at most %d bytes",
		    VALIDATE_COMMENT_MAX);
		return ERR_BAD_ARGS;
	}
	return ERR_NONE;
}
