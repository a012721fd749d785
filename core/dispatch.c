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
	{ "secret.create", op_secret_create },
	{ "secret.update", op_secret_update },
	{ "secret.get", op_secret_get },
	{ "secret.meta", op_secret_meta },
	{ "secret.list", op_secret_list },
	{ "secret.history", op_secret_history },
	{ "secret.diff", op_secret_diff },
	{ "secret.revert", op_secret_revert },
	{ "secret.enable", op_secret_enable },
	{ "secret.disable", op_secret_disable },
	{ "secret.delete", op_secret_delete },
	{ "service.put", op_service_put },
	{ "service.get", op_service_get },
	{ "service.list", op_service_list },
	{ "service.history", op_service_history },
	{ "service.revert", op_service_revert },
	{ "blind.put", op_blind_put },
	{ "blind.get", op_blind_get },
	{ "blind.list", op_blind_list },
	{ "blind.history", op_blind_history },
	{ "blind.delete", op_blind_delete },
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
