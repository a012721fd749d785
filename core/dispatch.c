/*
 * dispatch.c - the table of operations.
 */
#include "config.h"

#include <string.h>

#include "dispatch.h"

static const struct {
	const char	*name;
	op_fn		 fn;
} dispatch_ops[] = {
	{ "whoami", op_whoami },
};

op_fn
dispatch_find(const char *name)
{
	for (size_t i = 0; i < sizeof(dispatch_ops) / sizeof(*dispatch_ops);
	    i++) {
		if (strcmp(dispatch_ops[i].name, name) == 0)
			return dispatch_ops[i].fn;
	}
	return NULL;
}
