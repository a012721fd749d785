/*
 * handle.h - one request, from its bytes to its reply's bytes: decode,
 * authenticate, dispatch, encode.  No transport here, so the whole pipeline
 * runs in unit tests without a socket.
 */
#ifndef COFFER_HANDLE_H
#define COFFER_HANDLE_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "keyring.h"
#include "modules.h"
#include "policy.h"
#include "request.h"

struct handler {
	struct modules		*mods;
	struct request_limits	 limits;
	const struct keyring	*ring;		/* may be empty */
	struct audit		*audit;		/* NULL: no audit log */
	const struct policy	*policy;
};

struct handle_input {
	const void	*data;		/* the request frame */
	size_t		 len;
	int		 bad_envelope;	/* more than one body frame */
	const uint8_t	*curve_key;	/* 32 bytes, or NULL */
	const char	*curve_key_z85;	/* or NULL */
	const char	*peer;		/* client address, or "" */
	/* The request already decoded from DATA (the I/O thread decodes to
	 * see whether it is a read), or NULL.  The handler takes it over:
	 * it is left empty. */
	struct request	*req;
};

/* The reply for IN, malloc'd (free() it), its length in *LEN_R; NULL only
 * when out of memory. */
char	*handle_request(const struct handler *h, const struct handle_input *in,
	    size_t *len_r);
/*
 * The same, its audit line added to BATCH rather than written: the caller
 * writes BATCH (audit_flush()) before sending the reply and, if that
 * fails, sends handle_unaudited() of *ID_R instead.  *ID_R: a reference
 * to the request's id (NULL when it had none).
 */
char	*handle_request_batched(const struct handler *h,
	    const struct handle_input *in, struct audit_batch *batch,
	    size_t *len_r, json_t **id_r);
/* What the auth stack is shown of REQ, from IN (AREQ's strings are IN's
 * and REQ's). */
void	 handle_auth_request(const struct handle_input *in,
	    const struct request *req, struct coffer_auth_request *areq);
/* Would the auth stack answer REQ at once (auth_answers_now())? */
int	 handle_answers_now(const struct handler *h,
	    const struct handle_input *in, const struct request *req);
/* The refusal of a request whose audit line could not be written. */
#define HANDLE_UNAUDITED "the audit log cannot be written: request refused"
char	*handle_unaudited(json_t *id, size_t *len_r);

#endif
