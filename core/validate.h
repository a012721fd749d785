/*
 * validate.h - what a secret's name, pairs, metadata and comment may be.
 *
 *   name      1 to 256 bytes of segments joined by '/': each segment of
 *             [A-Za-z0-9._-], not "." or "..": "prod/db/password"
 *   pairs     an object of at most 256 string values; keys like environment
 *             variables ([A-Za-z_][A-Za-z0-9_.-]*, at most 128 bytes),
 *             values at most 65,536 bytes of UTF-8
 *   metadata  an object of at most 64 string values; keys as for pairs,
 *             values at most 1,024 bytes
 *   comment   a string of at most 1,024 bytes
 *
 * Each returns ERR_NONE or its own error code, with the reason in MSG
 * (REQUEST_MSG_MAX bytes) naming the offending key, never a value.
 */
#ifndef COFFER_VALIDATE_H
#define COFFER_VALIDATE_H

#include <jansson.h>

#include "errcode.h"

#define VALIDATE_NAME_MAX	256
#define VALIDATE_KEY_MAX	128
#define VALIDATE_PAIRS_MAX	256
#define VALIDATE_VALUE_MAX	65536
#define VALIDATE_META_MAX	64
#define VALIDATE_META_VALUE_MAX	1024
#define VALIDATE_COMMENT_MAX	1024

enum errcode	 validate_name(json_t *name, char *msg);
enum errcode	 validate_pairs(json_t *pairs, char *msg);
enum errcode	 validate_metadata(json_t *meta, char *msg);
enum errcode	 validate_comment(json_t *comment, char *msg);

#endif
