/*
 * policy.h - who may do what.
 *
 * The default is Confidant's: a user principal may use every operation; a
 * service principal may only ask whoami and read its own service (the
 * service of its own name), which hands it the secrets mapped to it.
 * Anything not allowed is denied: when in doubt, deny.
 *
 * cofferd.conf may narrow what users may do, by principal name prefix:
 *
 *	policy = { write = [ "admin", "ops-" ]; read = [ "audit-" ]; };
 *
 * With a policy group, a user whose name starts with a "write" prefix may
 * do everything; one that matches only a "read" prefix may only use the
 * operations that change nothing; any other user may only ask whoami.
 * Services are not affected (they never write).
 */
#ifndef COFFER_POLICY_H
#define COFFER_POLICY_H

#include <stddef.h>

#include "conf.h"
#include "dispatch.h"

/* ERR_NONE, or ERR_DENIED with CTX->msg saying why.  CTX->op is set. */
enum errcode	 policy_check(const struct policy *p, struct op_ctx *ctx);

#endif
