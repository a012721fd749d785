/*
 * reply.h - encode a reply message (docs/protocol.md):
 *
 *	{ "v": 1, "id": <the request's>, "ok": true, "result": { ... } }
 *	{ "v": 1, "id": <the request's or null>, "ok": false,
 *	  "error": { "code": "denied", "message": "..." } }
 */
#ifndef COFFER_REPLY_H
#define COFFER_REPLY_H

#include <jansson.h>

#include "errcode.h"

/* Each returns a JSON text (free it with jsonmem_free_text()) and its
 * length in *LEN_R,
 * or NULL when out of memory.  ID may be NULL.  reply_ok() takes over
 * RESULT's reference. */
char	*reply_ok(json_t *id, json_t *result, size_t *len_r);
/* The same for a result written as JSON text already (TEXTLEN bytes,
 * from jansson's allocator): taken over, and wiped when freed. */
char	*reply_ok_text(json_t *id, char *text, size_t textlen,
	    size_t *len_r);
char	*reply_error(json_t *id, enum errcode code, const char *message,
	    size_t *len_r);

#endif
