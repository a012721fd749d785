/*
 * errcode.h - the stable error codes of the wire protocol (docs/protocol.md).
 */
#ifndef COFFER_ERRCODE_H
#define COFFER_ERRCODE_H

#include "coffer/module.h"

enum errcode {
	ERR_NONE = 0,
	ERR_BAD_REQUEST,	/* not a well-formed request */
	ERR_TOO_LARGE,		/* request over max_request_bytes */
	ERR_TOO_DEEP,		/* JSON nested deeper than max_json_depth */
	ERR_BAD_VERSION,	/* protocol version not spoken */
	ERR_UNKNOWN_OP,		/* no such operation */
	ERR_BAD_ARGS,		/* arguments wrong for the operation */
	ERR_INVALID_NAME,	/* a secret or service name not allowed */
	ERR_INVALID_PAIRS,	/* a secret's key/value pairs not allowed */
	ERR_INVALID_METADATA,	/* metadata not allowed */
	ERR_TAMPERED,		/* a stored record does not open: see log */
	ERR_DENIED,		/* not authenticated or not allowed */
	ERR_NOT_FOUND,
	ERR_CONFLICT,
	ERR_UNAVAILABLE,	/* backend down or daemon busy: retry later */
	ERR_INTERNAL		/* a bug or a broken module: see the log */
};

const char	*errcode_name(enum errcode code);
/* The protocol error for a module's answer. */
enum errcode	 errcode_from_rc(enum coffer_rc rc);

#endif
