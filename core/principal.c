/*
 * principal.c - the identity an auth module establishes for a request.
 */
#include "config.h"

#include <string.h>

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

/* Length of the UTF-8 sequence at S (1 to 4), or 0 if it is not valid:
 * overlong forms, surrogates and code points past U+10FFFF are refused. */
static size_t
principal_utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
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
		size_t n = principal_utf8_len(p + i);

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
