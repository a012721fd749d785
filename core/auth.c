/*
 * auth.c - the auth stack applied to requests and handshakes.
 */
#include "config.h"

#include <string.h>

#include "auth.h"
#include "log.h"

struct auth_call {
	struct modules			*m;
	const struct coffer_auth_request *req;
	struct coffer_principal		*who;
	struct coffer_principal		 scratch;
	int				 have;
};

static const char *
auth_rc_name(enum coffer_rc rc)
{
	switch (rc) {
	case COFFER_OK:		 return "ok";
	case COFFER_DENIED:	 return "denied";
	case COFFER_IGNORE:	 return "ignore";
	case COFFER_UNAVAILABLE: return "unavailable";
	default:		 return "error";
	}
}

/* One line per refusal, rate limited: any client can cause them. */
static void
auth_log_refusal(struct instance *in, enum coffer_rc rc,
    const struct coffer_auth_request *req, const char *why)
{
	static struct log_limit limit = LOG_LIMIT_INIT;
	unsigned skipped;

	if (!log_limit_pass(&limit, &skipped))
		return;
	log_info("auth module %s: %s (op %s, peer %s)%s%s", modules_name(in),
	    auth_rc_name(rc), req->operation, req->peer_address,
	    why[0] ? ": " : "", why);
	if (skipped)
		log_info("%u refusals were not logged (over %d a second)",
		    skipped, LOG_LIMIT_BURST);
}

static enum coffer_rc
auth_call_one(void *arg, size_t i)
{
	struct auth_call *a = arg;
	struct instance *in = &a->m->auth[i];
	struct coffer_error err = { "" };
	enum coffer_rc rc;

	principal_clear(&a->scratch);
	rc = in->mod->desc->auth->authenticate(in->inst, a->req, &a->scratch,
	    &err);
	if (rc == COFFER_OK && !principal_is_set(&a->scratch)) {
		log_error("auth module %s answered OK without a principal; "
		    "counted as an error", modules_name(in));
		return COFFER_ERROR;
	}
	if (rc == COFFER_OK && !a->have) {
		*a->who = a->scratch;
		a->who->module = modules_name(in);
		a->have = 1;
	}
	if (rc != COFFER_OK && rc != COFFER_IGNORE)
		auth_log_refusal(in, rc, a->req, err.msg);
	return rc;
}

enum coffer_rc
auth_run(struct modules *m, const struct coffer_auth_request *req,
    struct coffer_principal *who)
{
	struct auth_call a = { .m = m, .req = req, .who = who };
	enum coffer_rc rc;

	principal_clear(who);
	rc = stack_run(m->controls, m->nauth, auth_call_one, &a);
	if (rc != COFFER_OK)
		principal_clear(who);
	return rc;
}

int
auth_answers_now(const struct modules *m,
    const struct coffer_auth_request *req)
{
	for (size_t i = 0; i < m->nauth; i++) {
		const struct instance *in = &m->auth[i];
		coffer_auth_answers_now_fn now;

		if (modules_flag(in, COFFER_MODULE_LOCAL_READS))
			continue;
		if ((now = modules_auth_answers_now(in)) == NULL ||
		    !now(in->inst, req))
			return 0;
	}
	return 1;
}

static void
auth_log_handshake(struct instance *in, const char *peer, const char *why)
{
	static struct log_limit limit = LOG_LIMIT_INIT;
	unsigned skipped;

	if (!log_limit_pass(&limit, &skipped))
		return;
	log_info("auth module %s refused a handshake from %s%s%s",
	    modules_name(in), peer, why[0] ? ": " : "", why);
	if (skipped)
		log_info("%u refused handshakes were not logged (over %d a "
		    "second)", skipped, LOG_LIMIT_BURST);
}

int
auth_admit(struct modules *m, const uint8_t key[32], const char *peer)
{
	for (size_t i = 0; i < m->nauth; i++) {
		struct instance *in = &m->auth[i];
		struct coffer_error err = { "" };

		if (in->mod->desc->auth->admit == NULL)
			continue;
		if (in->mod->desc->auth->admit(in->inst, key, peer, &err) ==
		    COFFER_DENIED) {
			auth_log_handshake(in, peer, err.msg);
			return -1;
		}
	}
	return 0;
}
