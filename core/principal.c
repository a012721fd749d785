/*
 * principal.c - the identity an auth module establishes for a request.
 */
#include "config.h"

#include <string.h>

#include "jsonw.h"
#include "principal.h"

void
principal_clear(struct coffer_principal *p)
{
	p->name[0] = '\0';
	p->type = 0;
	p->module = NULL;
	p->nattrs = 0;
}

int
principal_is_set(const struct coffer_principal *p)
{
	return p->name[0] != '\0' && (p->type == COFFER_PRINCIPAL_USER ||
	    p->type == COFFER_PRINCIPAL_SERVICE);
}

/* Valid UTF-8 of at most MAX bytes with no control characters: nothing that
 * could break a JSON reply or forge a log or audit line. */
static int
principal_text_ok(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;

	if (len > max)
		return 0;
	while (i < len) {
		size_t n = jsonw_utf8_seq(p + i, len - i);

		if (n == 0 || (n == 1 && (p[i] < 0x20 || p[i] == 0x7f)))
			return 0;
		i += n;
	}
	return 1;
}

int
principal_set(struct coffer_principal *p, const char *name,
    enum coffer_principal_type type)
{
	if (name == NULL || name[0] == '\0' ||
	    !principal_text_ok(name, COFFER_NAME_MAX))
		return -1;
	if (type != COFFER_PRINCIPAL_USER && type != COFFER_PRINCIPAL_SERVICE)
		return -1;
	strcpy(p->name, name);
	p->type = type;
	return 0;
}

int
principal_attr(struct coffer_principal *p, const char *key,
    const char *value)
{
	struct principal_attr *a;

	if (p->nattrs == PRINCIPAL_ATTRS || key == NULL || value == NULL ||
	    key[0] == '\0' || !principal_text_ok(key, PRINCIPAL_ATTR_KEY) ||
	    !principal_text_ok(value, PRINCIPAL_ATTR_VALUE))
		return -1;
	a = &p->attrs[p->nattrs++];
	strcpy(a->key, key);
	strcpy(a->value, value);
	return 0;
}

const char *
principal_type_name(enum coffer_principal_type type)
{
	switch (type) {
	case COFFER_PRINCIPAL_USER:
		return "user";
	case COFFER_PRINCIPAL_SERVICE:
		return "service";
	}
	return "none";
}
