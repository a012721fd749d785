/*
 * principal.h - struct coffer_principal: who a request comes from.
 */
#ifndef COFFER_PRINCIPAL_H
#define COFFER_PRINCIPAL_H

#include "coffer/module.h"

#define PRINCIPAL_ATTRS		16
#define PRINCIPAL_ATTR_KEY	32
#define PRINCIPAL_ATTR_VALUE	256

struct principal_attr {
	char	key[PRINCIPAL_ATTR_KEY + 1];
	char	value[PRINCIPAL_ATTR_VALUE + 1];
};

struct coffer_principal {
	char	 name[COFFER_NAME_MAX + 1];
	enum coffer_principal_type type;	/* 0 until set */
	const char *module;			/* the auth module granting it */
	size_t	 nattrs;
	struct principal_attr attrs[PRINCIPAL_ATTRS];
};

void	 principal_clear(struct coffer_principal *p);
int	 principal_is_set(const struct coffer_principal *p);
int	 principal_set(struct coffer_principal *p, const char *name,
	    enum coffer_principal_type type);
int	 principal_attr(struct coffer_principal *p, const char *key,
	    const char *value);
const char *principal_type_name(enum coffer_principal_type type);

#endif
