/*
 * stack.c - PAM's stack semantics (libpam/pam_dispatch.c) for coffer_rc.
 */
#include "config.h"

#include <string.h>

#include "stack.h"

enum action {
	ACTION_IGNORE,
	ACTION_OK,
	ACTION_DONE,
	ACTION_BAD,
	ACTION_DIE
};

enum impression {
	IMPRESSION_UNDEF,
	IMPRESSION_POSITIVE,
	IMPRESSION_NEGATIVE
};

static const char *const control_names[] = {
	[CONTROL_REQUIRED] = "required",
	[CONTROL_REQUISITE] = "requisite",
	[CONTROL_SUFFICIENT] = "sufficient",
	[CONTROL_OPTIONAL] = "optional",
};

int
control_parse(const char *word, enum control *control_r)
{
	for (size_t i = 0; i < sizeof(control_names) / sizeof(*control_names);
	    i++) {
		if (strcmp(word, control_names[i]) == 0) {
			*control_r = (enum control)i;
			return 0;
		}
	}
	return -1;
}

const char *
control_name(enum control control)
{
	return control_names[control];
}

/* The action a flag maps a (valid) answer to: PAM's table, "default" being
 * every answer other than success and ignore. */
static enum action
stack_action(enum control control, enum coffer_rc rc)
{
	switch (control) {
	case CONTROL_REQUIRED:
	case CONTROL_REQUISITE:
		if (rc == COFFER_OK)
			return ACTION_OK;
		if (rc == COFFER_IGNORE)
			return ACTION_IGNORE;
		return control == CONTROL_REQUIRED ? ACTION_BAD : ACTION_DIE;
	case CONTROL_SUFFICIENT:
		return rc == COFFER_OK ? ACTION_DONE : ACTION_IGNORE;
	case CONTROL_OPTIONAL:
		return rc == COFFER_OK ? ACTION_OK : ACTION_IGNORE;
	}
	return ACTION_BAD;
}

static int
stack_rc_valid(enum coffer_rc rc)
{
	return (unsigned)rc <= COFFER_ERROR;
}

enum coffer_rc
stack_run(const enum control *controls, size_t n, stack_call_fn call,
    void *arg)
{
	enum impression impression = IMPRESSION_UNDEF;
	enum coffer_rc status = COFFER_DENIED;

	for (size_t i = 0; i < n; i++) {
		enum coffer_rc rc = call(arg, i);
		enum action action;

		if (!stack_rc_valid(rc)) {
			rc = COFFER_DENIED;
			action = ACTION_BAD;
		} else {
			action = stack_action(controls[i], rc);
		}
		switch (action) {
		case ACTION_OK:
		case ACTION_DONE:
			if (impression == IMPRESSION_UNDEF ||
			    (impression == IMPRESSION_POSITIVE &&
			    status == COFFER_OK)) {
				impression = IMPRESSION_POSITIVE;
				status = rc;
			}
			if (impression == IMPRESSION_POSITIVE &&
			    action == ACTION_DONE)
				goto decided;
			break;
		case ACTION_BAD:
		case ACTION_DIE:
			if (impression != IMPRESSION_NEGATIVE) {
				impression = IMPRESSION_NEGATIVE;
				status = rc == COFFER_IGNORE ? COFFER_DENIED : rc;
			}
			if (action == ACTION_DIE)
				goto decided;
			break;
		case ACTION_IGNORE:
			break;
		}
	}
decided:
	if (status == COFFER_OK && impression != IMPRESSION_POSITIVE)
		status = COFFER_DENIED;
	return status;
}
