/*
 * policy.h - who may do what.
 *
 * The default is Confidant's: a user principal may use every operation; a
 * service principal may only ask whoami and read its own service (the
 * service of its own name), which hands it the secrets mapped to it.
 * Anything not allowed here is denied: when in doubt, deny.
 */
#ifndef COFFER_POLICY_H
#define COFFER_POLICY_H

#include "dispatch.h"

/* ERR_NONE, or ERR_DENIED with CTX->msg saying why. */
enum errcode	 policy_check(struct op_ctx *ctx);

#endif
