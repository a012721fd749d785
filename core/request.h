/*
 * request.h - decode one request message (docs/protocol.md):
 *
 *	{ "v": 1, "id": "7" | 7, "op": "whoami", "args": { ... },
 *	  "credentials": { "token": "...", "username": "..." } }
 *
 * "v", "id" and "op" are required; "args" and "credentials" optional; any
 * other member is an error.  Size and nesting depth are checked before the
 * JSON parser runs.
 */
#ifndef COFFER_REQUEST_H
#define COFFER_REQUEST_H

#include <jansson.h>
#include <stddef.h>

#include "errcode.h"

#define REQUEST_VERSION		1
#define REQUEST_ID_MAX		128
#define REQUEST_OP_MAX		64
#define REQUEST_TOKEN_MAX	8192
#define REQUEST_USERNAME_MAX	256
#define REQUEST_MSG_MAX		256

struct request {
	json_t		*root;		/* owns everything below */
	json_t		*id;		/* string or integer; NULL if unknown */
	const char	*op;
	json_t		*args;		/* an object, possibly empty */
	const char	*token;		/* NULL if absent */
	const char	*username;	/* NULL if absent */
};

struct request_limits {
	size_t	max_bytes;
	int	max_depth;
};

/*
 * Decode LEN bytes of DATA into R.  Returns ERR_NONE, or an error code with a
 * message in MSG (REQUEST_MSG_MAX bytes).  Even on error R->id is set when
 * the id could be read, so the reply can carry it; call request_free() in
 * every case.
 */
enum errcode	 request_decode(struct request *r, const void *data,
		    size_t len, const struct request_limits *limits,
		    char *msg);
void		 request_free(struct request *r);

#endif
