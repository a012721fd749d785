/*
 * handle.c - decode, authenticate, dispatch and encode one request.
 */
#include "config.h"

#include <stdio.h>

#include "auth.h"
#include "dispatch.h"
#include "handle.h"
#include "log.h"
#include "reply.h"

static enum errcode
handle_auth(const struct handler *h, const struct handle_input *in,
    const struct request *req, struct coffer_principal *who, char *msg)
{
	struct coffer_auth_request areq = {
		.struct_size = sizeof(areq),
		.curve_key = in->curve_key,
		.curve_key_z85 = in->curve_key_z85,
		.token = req->token,
		.username = req->username,
		.peer_address = in->peer,
		.operation = req->op,
	};
	enum coffer_rc rc = auth_run(h->mods, &areq, who);

	if (rc == COFFER_OK)
		return ERR_NONE;
	if (rc == COFFER_UNAVAILABLE) {
		snprintf(msg, REQUEST_MSG_MAX, "authentication is unavailable; "
		    "try again later");
		return ERR_UNAVAILABLE;
	}
	snprintf(msg, REQUEST_MSG_MAX, "not authenticated");
	return ERR_DENIED;
}

static char *
handle_decoded(const struct handler *h, const struct handle_input *in,
    struct request *req, size_t *len_r)
{
	struct coffer_principal who;
	struct op_ctx ctx = { .req = req, .who = &who, .mods = h->mods };
	enum errcode e;
	op_fn op;

	e = handle_auth(h, in, req, &who, ctx.msg);
	if (e != ERR_NONE)
		goto fail;
	if ((op = dispatch_find(req->op)) == NULL) {
		snprintf(ctx.msg, sizeof(ctx.msg), "no operation \"%.64s\"",
		    req->op);
		e = ERR_UNKNOWN_OP;
		goto fail;
	}
	e = op(&ctx);
	if (e != ERR_NONE)
		goto fail;
	log_debug("%s by %s %s from %s: ok", req->op,
	    principal_type_name(who.type), who.name, in->peer);
	return reply_ok(req->id, ctx.result, len_r);
fail:
	log_debug("%s by %s from %s: %s: %s", req->op,
	    who.name[0] ? who.name : "(unauthenticated)", in->peer,
	    errcode_name(e), ctx.msg);
	return reply_error(req->id, e, ctx.msg, len_r);
}

char *
handle_request(const struct handler *h, const struct handle_input *in,
    size_t *len_r)
{
	char msg[REQUEST_MSG_MAX];
	struct request req;
	enum errcode e;
	char *reply;

	if (in->bad_envelope) {
		return reply_error(NULL, ERR_BAD_REQUEST, "a request is one "
		    "JSON frame (after an optional empty delimiter)", len_r);
	}
	e = request_decode(&req, in->data, in->len, &h->limits, msg);
	if (e != ERR_NONE) {
		log_debug("bad request from %s: %s: %s", in->peer,
		    errcode_name(e), msg);
		reply = reply_error(req.id, e, msg, len_r);
	} else {
		reply = handle_decoded(h, in, &req, len_r);
	}
	request_free(&req);
	return reply;
}
