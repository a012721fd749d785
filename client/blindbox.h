/*
 * blindbox.h - the coffer CLI's format for blind secrets: encrypted here,
 * on the client, with a blind key the daemon never sees.
 *
 *	"cfb1" | key id (8) | nonce (24) | XChaCha20-Poly1305 ciphertext
 *
 * in base64 (standard alphabet, padded) as blind.put's payload.  The
 * associated data is "coffer blind v1", a zero byte and the secret's name,
 * so a payload moved to another name does not open.  The key id (from
 * masterkey_id) lets a wrong key be named as such.  docs/protocol.md.
 */
#ifndef COFFER_BLINDBOX_H
#define COFFER_BLINDBOX_H

#include <stddef.h>
#include <stdint.h>

#include "masterkey.h"

#define BLINDBOX_PAYLOAD_MAX	(256 * 1024)	/* base64, as the daemon */
#define BLINDBOX_OVERHEAD	(4 + MASTERKEY_ID_BYTES + 24 + 16)
/* The most plaintext that fits in one payload. */
#define BLINDBOX_PLAIN_MAX	(BLINDBOX_PAYLOAD_MAX / 4 * 3 - \
	BLINDBOX_OVERHEAD)
#define BLINDBOX_ERR_MAX	160

/* Encrypt PLAIN for NAME: a malloc'd base64 payload, or NULL if LEN is
 * over BLINDBOX_PLAIN_MAX or memory ran out. */
char	*blindbox_seal(const uint8_t key[MASTERKEY_BYTES], const char *name,
	    const uint8_t *plain, size_t len);
/* Decrypt PAYLOAD of NAME into *PLAIN_R (sodium_malloc'd: free with
 * sodium_free) and *LEN_R.  0, or -1 with the reason in ERR. */
int	 blindbox_open(const uint8_t key[MASTERKEY_BYTES], const char *name,
	    const char *payload, uint8_t **plain_r, size_t *len_r, char *err);

#endif
