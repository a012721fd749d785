/*
 * kmsgen.h - libcoffer-kms's parts (coffer/kms.h): making kmsauth tokens.
 */
#ifndef COFFER_KMSGEN_H
#define COFFER_KMSGEN_H

#include <jansson.h>
#include <stdint.h>

#include "coffer/kms.h"
#include "coffer/module.h"

#define KMSGEN_SKEW_S	(3 * 60)	/* kmsauth's TOKEN_SKEW */

/* kmsgen_host.c: what the shared AWS code needs of a host, for a
 * client: secure memory, clocks, and warnings on stderr. */
const struct coffer_host *kmsgen_host(void);

/* kmsgen_cache.c: kmsauth's token cache file,
 *	{"token": ..., "not_after": "%Y%m%dT%H%M%SZ", "auth_context": {...}}
 * A token for CONTEXT still good at NOW (seconds) for 3 more minutes, or
 * NULL (malloc'd). */
char	*kmsgen_cache_read(const char *path, json_t *context, int64_t now);
/* Write it (mode 0600, whole or not at all); 0 or -1 (errno). */
int	 kmsgen_cache_write(const char *path, const char *token,
	    const char *not_after, json_t *context);

#endif
