/*
 * handle.c - decode, authenticate, dispatch and encode one request.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "dispatch.h"
#include "handle.h"
#include "jsonmem.h"
#include "jsonw.h"
#include "log.h"
#include "policy.h"
#include "reply.h"

void
handle_auth_request(const struct handle_input *in, const struct request *req,
    struct coffer_auth_request *areq)
{
	*areq = (struct coffer_auth_request){
		.struct_size = sizeof(*areq),
		.curve_key = in->curve_key,
		.curve_key_z85 = in->curve_key_z85,
		.token = req->token,
		.username = req->username,
		.peer_address = in->peer,
		.operation = req->op,
	};
}

int
handle_answers_now(const struct handler *h, const struct handle_input *in,
    const struct request *req)
{
	struct coffer_auth_request areq;

	handle_auth_request(in, req, &areq);
	return auth_answers_now(h->mods, &areq);
}

static enum errcode
handle_auth(const struct handler *h, const struct handle_input *in,
    const struct request *req, struct coffer_principal *who, char *msg)
{
	struct coffer_auth_request areq;
	enum coffer_rc rc;

	handle_auth_request(in, req, &areq);
	rc = auth_run(h->mods, &areq, who);

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

/* What the request names, for the audit line even when it is refused
 * before the operation reads its arguments. */
static void
handle_target(struct op_ctx *ctx)
{
	json_t *name = json_object_get(ctx->req->args, "name");

	if (json_is_string(name))
		snprintf(ctx->target, sizeof(ctx->target), "%.200s",
		    json_string_value(name));
	jsonw_utf8_trim(ctx->target);	/* the cut may split a character */
}

/* Authenticate, find the operation, check the policy, run it. */
static enum errcode
handle_run(const struct handler *h, const struct handle_input *in,
    struct op_ctx *ctx)
{
	struct coffer_principal *who = (struct coffer_principal *)ctx->who;
	enum errcode e;

	if ((e = handle_auth(h, in, ctx->req, who, ctx->msg)) != ERR_NONE)
		return e;
	if ((ctx->op = dispatch_find(ctx->req->op)) == NULL) {
		snprintf(ctx->msg, sizeof(ctx->msg), "no operation \"%.64s\"",
		    ctx->req->op);
		return ERR_UNKNOWN_OP;
	}
	handle_target(ctx);
	if ((e = policy_check(h->policy, ctx)) != ERR_NONE)
		return e;
	return ctx->op->fn(ctx);
}

/* The audit line, written or added to BATCH; -1 when it could not be and
 * the request must fail for it. */
static int
handle_audit(const struct handler *h, const struct handle_input *in,
    const struct op_ctx *ctx, enum errcode e, struct audit_batch *batch)
{
	struct audit_entry a = {
		.id = ctx->req->id, .peer = in->peer, .who = ctx->who,
		.op = ctx->req->op, .target = ctx->target,
		.revision = ctx->revision, .result = e,
	};

	return batch != NULL ? audit_add(h->audit, batch, &a) :
	    audit_write(h->audit, &a);
}

/* The reply: the result, as a tree or as text, or the error (a result
 * left by an operation that failed, or refused after it, is dropped). */
static char *
handle_reply(struct op_ctx *ctx, enum errcode e, size_t *len_r)
{
	json_t *id = ctx->req->id;

	if (e == ERR_NONE && ctx->result_text != NULL)
		return reply_ok_text(id, ctx->result_text, ctx->result_len,
		    len_r);
	if (e == ERR_NONE)
		return reply_ok(id, ctx->result, len_r);
	json_decref(ctx->result);
	jsonmem_free_text(ctx->result_text);
	return reply_error(id, e, ctx->msg, len_r);
}

char *
handle_request(const struct handler *h, const struct handle_input *in,
    size_t *len_r)
{
	return handle_request_batched(h, in, NULL, len_r, NULL);
}

char *
handle_unaudited(json_t *id, size_t *len_r)
{
	return reply_error(id, ERR_UNAVAILABLE, HANDLE_UNAUDITED, len_r);
}

char *
handle_request_batched(const struct handler *h, const struct handle_input *in,
    struct audit_batch *batch, size_t *len_r, json_t **id_r)
{
	struct coffer_principal who;
	struct request req;
	struct op_ctx ctx = { .req = &req, .who = &who, .mods = h->mods,
	    .ring = h->ring };
	enum errcode e;
	char *reply;

	memset(&req, 0, sizeof(req));
	principal_clear(&who);
	if (in->bad_envelope) {
		snprintf(ctx.msg, sizeof(ctx.msg), "a request is one JSON "
		    "frame (after an optional empty delimiter)");
		e = ERR_BAD_REQUEST;
	} else if (in->req != NULL) {
		req = *in->req;
		memset(in->req, 0, sizeof(*in->req));
		e = handle_run(h, in, &ctx);
	} else if ((e = request_decode(&req, in->data, in->len, &h->limits,
	    ctx.msg)) == ERR_NONE) {
		e = handle_run(h, in, &ctx);
	}
	if (handle_audit(h, in, &ctx, e, batch) < 0) {
		snprintf(ctx.msg, sizeof(ctx.msg), "%s", HANDLE_UNAUDITED);
		e = ERR_UNAVAILABLE;
	}
	log_debug("%s %s by %s from %s: %s%s%s", req.op ? req.op : "?",
	    ctx.target, who.name[0] ? who.name : "(unauthenticated)",
	    in->peer, errcode_name(e), e ? ": " : "", e ? ctx.msg : "");
	reply = handle_reply(&ctx, e, len_r);
	if (id_r != NULL)
		*id_r = json_incref(req.id);
	request_free(&req);
	return reply;
}
