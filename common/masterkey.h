/*
 * masterkey.h - symmetric key files: one 256-bit key per file, mode 0600.
 *
 *	coffer-master-key 1 <43 characters of unpadded base64url>
 *	coffer-blind-key 1 <43 characters of unpadded base64url>
 *
 * Master keys seal records at rest in the daemon's keyring; blind keys
 * stay with clients, which encrypt blind secrets with them (coffer(1)).
 * The first word says which, so one is never taken for the other.
 *
 * A key's id is derived from the key itself (the first 8 bytes of a keyed
 * BLAKE2b), so a record names the key that sealed it without anyone having
 * to number keys by hand, and two files holding one key are noticed.
 * Shared by the daemon (which loads keys) and the CLI (which makes them).
 */
#ifndef COFFER_MASTERKEY_H
#define COFFER_MASTERKEY_H

#include <stddef.h>
#include <stdint.h>

#define MASTERKEY_BYTES		32
#define MASTERKEY_ID_BYTES	8
#define MASTERKEY_ERR_MAX	256

enum masterkey_kind {
	MASTERKEY_MASTER,
	MASTERKEY_BLIND
};

/* Read PATH into KEY.  The file must be a regular file owned by root or
 * us and neither readable nor writable by anyone else.  0, or -1 with the
 * reason in ERR (never any key material). */
int	 masterkey_read(const char *path, enum masterkey_kind kind,
	    uint8_t key[MASTERKEY_BYTES], char *err);
/* Create PATH (mode 0600, never over an existing file) holding a new
 * random key; its id in ID_HEX (17 bytes).  0, or -1 with ERR. */
int	 masterkey_generate(const char *path, enum masterkey_kind kind,
	    char *id_hex, char *err);
void	 masterkey_id(enum masterkey_kind kind,
	    const uint8_t key[MASTERKEY_BYTES], uint8_t id[MASTERKEY_ID_BYTES]);

#endif
