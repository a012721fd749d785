/*
 * auth.h - run the configured auth stack for a request or a handshake.
 */
#ifndef COFFER_AUTH_H
#define COFFER_AUTH_H

#include "modules.h"
#include "principal.h"

/*
 * Ask the stack who sent REQ.  COFFER_OK with *WHO set (and who->module
 * naming the granting module), or the stack's failure code.  Each module's
 * refusal is logged with its reason; credentials never are.
 */
enum coffer_rc	 auth_run(struct modules *m,
		    const struct coffer_auth_request *req,
		    struct coffer_principal *who);

/* Would every auth entry answer REQ at once (modules.h, ASK)?  Entries
 * with COFFER_MODULE_LOCAL_READS always do; the others are asked. */
int		 auth_answers_now(const struct modules *m,
		    const struct coffer_auth_request *req);

/* At the CURVE handshake: 0 unless a module with admit() refuses KEY. */
int		 auth_admit(struct modules *m, const uint8_t key[32],
		    const char *peer);

#endif
