/*
 * keyring.h - the master keys that seal records at rest.
 *
 * The config lists key files newest first: the newest seals, every key
 * opens what it sealed, so keys rotate by adding a new file at the front
 * (and, once every record is resealed, removing the old one).  Keys live in
 * guarded sodium_malloc() memory, read-only once loaded, wiped on free.
 */
#ifndef COFFER_KEYRING_H
#define COFFER_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "masterkey.h"

#define KEYRING_MAX	16

struct master_key {
	uint8_t		 id[MASTERKEY_ID_BYTES];
	char		 id_hex[MASTERKEY_ID_BYTES * 2 + 1];
	unsigned char	*key;		/* MASTERKEY_BYTES, sodium_malloc */
};

struct keyring {
	struct master_key keys[KEYRING_MAX];
	size_t		  n;
};

/* Load N key files, newest first.  Each problem is logged (file, reason;
 * never key material); returns 0, or -1 with nothing loaded. */
int	 keyring_load(struct keyring *kr, const char *const *paths, size_t n);
void	 keyring_free(struct keyring *kr);
/* The key that seals; NULL when the ring is empty. */
const struct master_key *keyring_newest(const struct keyring *kr);
/* The key with id ID; NULL when the ring does not hold it. */
const struct master_key *keyring_find(const struct keyring *kr,
	    const uint8_t id[MASTERKEY_ID_BYTES]);

#endif
