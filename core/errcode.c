/*
 * errcode.c - names of the protocol's error codes.
 */
#include "config.h"

#include "errcode.h"

static const char *const errcode_names[] = {
	[ERR_NONE] = "ok",
	[ERR_BAD_REQUEST] = "bad_request",
	[ERR_TOO_LARGE] = "too_large",
	[ERR_TOO_DEEP] = "too_deep",
	[ERR_BAD_VERSION] = "bad_version",
	[ERR_UNKNOWN_OP] = "unknown_op",
	[ERR_BAD_ARGS] = "bad_args",
	[ERR_INVALID_NAME] = "invalid_name",
	[ERR_INVALID_PAIRS] = "invalid_pairs",
	[ERR_INVALID_METADATA] = "invalid_metadata",
	[ERR_TAMPERED] = "tampered",
	[ERR_DENIED] = "denied",
	[ERR_NOT_FOUND] = "not_found",
	[ERR_CONFLICT] = "conflict",
	[ERR_UNAVAILABLE] = "unavailable",
	[ERR_INTERNAL] = "internal",
};

const char *
errcode_name(enum errcode code)
{
	if ((unsigned)code > ERR_INTERNAL)
		return "internal";
	return errcode_names[code];
}

enum errcode
errcode_from_rc(enum coffer_rc rc)
{
	switch (rc) {
	case COFFER_OK:		 return ERR_NONE;
	case COFFER_NOT_FOUND:	 return ERR_NOT_FOUND;
	case COFFER_CONFLICT:	 return ERR_CONFLICT;
	case COFFER_TOO_LARGE:	 return ERR_TOO_LARGE;
	case COFFER_DENIED:
	case COFFER_IGNORE:	 return ERR_DENIED;
	case COFFER_UNAVAILABLE: return ERR_UNAVAILABLE;
	case COFFER_ERROR:	 return ERR_INTERNAL;
	}
	return ERR_INTERNAL;
}
