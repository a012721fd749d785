/*
 * seal.h - records sealed at rest, bound to where they belong.
 *
 * A sealed record is what a store module keeps:
 *
 *	0   4  magic "CSE1"
 *	4   8  id of the master key that sealed it
 *	12 24  random nonce
 *	36  .  XChaCha20-Poly1305 ciphertext of the plaintext, with its tag
 *
 * The associated data is the record's kind, name and revision, so a record
 * copied to another name or revision, or to another kind, does not open:
 * someone who can write to the store can delete records, but cannot swap,
 * move, replay or edit them without being caught.
 */
#ifndef COFFER_SEAL_H
#define COFFER_SEAL_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "keyring.h"

#define SEAL_HEADER	(4 + MASTERKEY_ID_BYTES + \
	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
#define SEAL_OVERHEAD	(SEAL_HEADER + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define SEAL_ERR_MAX	256

enum seal_result {
	SEAL_OK = 0,
	SEAL_NOT_SEALED,	/* not a sealed record at all */
	SEAL_UNKNOWN_KEY,	/* sealed under a key the ring lacks */
	SEAL_TAMPERED		/* does not open here: edited or moved */
};

/* Seal LEN bytes of PLAIN for (KIND, NAME, REV) under the newest key into
 * OUT, which holds LEN + SEAL_OVERHEAD bytes.  -1 if the ring is empty. */
int	 seal_close(const struct keyring *kr, const char *kind,
	    const char *name, uint64_t rev, const void *plain, size_t len,
	    uint8_t *out);
/* Open LEN bytes of REC sealed for (KIND, NAME, REV) into OUT (LEN -
 * SEAL_OVERHEAD bytes, *OUTLEN set).  On failure ERR says what, naming
 * the key id when it is unknown, never anything of the contents. */
enum seal_result seal_open(const struct keyring *kr, const char *kind,
	    const char *name, uint64_t rev, const uint8_t *rec, size_t len,
	    uint8_t *out, size_t *outlen, char *err);
/* The id of the key REC was sealed under, or NULL if not a sealed record
 * (to find records a rotation should reseal). */
const uint8_t *seal_key_id(const uint8_t *rec, size_t len);

#endif
