/*
 * stack.h - the auth stack: Linux-PAM's control flags over coffer_rc.
 *
 * Each entry's answer is combined exactly as _pam_dispatch_aux() does with
 * the four classic flags:
 *
 *   required   [success=ok   ignore=ignore default=bad]
 *   requisite  [success=ok   ignore=ignore default=die]
 *   sufficient [success=done               default=ignore]
 *   optional   [success=ok                 default=ignore]
 *
 * The first failure's code wins; "done" ends the stack only while no earlier
 * entry failed; a stack in which nothing succeeded (all ignored) is denied;
 * a code outside enum coffer_rc counts as "bad" under any flag and becomes
 * COFFER_DENIED.  The result is COFFER_OK or the failure code.
 */
#ifndef COFFER_STACK_H
#define COFFER_STACK_H

#include <stddef.h>

#include "coffer/module.h"

enum control {
	CONTROL_REQUIRED,
	CONTROL_REQUISITE,
	CONTROL_SUFFICIENT,
	CONTROL_OPTIONAL
};

/* Runs entry I and returns its answer. */
typedef enum coffer_rc (*stack_call_fn)(void *arg, size_t i);

int		 control_parse(const char *word, enum control *control_r);
const char	*control_name(enum control control);

/*
 * Run the N entries whose flags are CONTROLS, calling CALL for each in order
 * until the decision is made, and return it.  When the answer is COFFER_OK,
 * the first entry that answered COFFER_OK is the one whose success counted
 * first (PAM's first "grantor"): its principal is the request's.
 */
enum coffer_rc	 stack_run(const enum control *controls, size_t n,
		    stack_call_fn call, void *arg);

#endif
