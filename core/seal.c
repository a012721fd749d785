/*
 * seal.c - XChaCha20-Poly1305 sealing with the record's place as AD.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "seal.h"

#define SEAL_MAGIC	"CSE1"
#define SEAL_AD_LABEL	"coffer-seal-1"

/*
 * The associated data: label, kind, name (none holds a NUL, so the NULs
 * make the encoding unambiguous) and the revision in 8 big-endian bytes.
 * Returns its length, or 0 if it does not fit AD (the caller's limit).
 */
static size_t
seal_ad(uint8_t *ad, size_t size, const char *kind, const char *name,
    uint64_t rev)
{
	size_t lk = strlen(kind), ln = strlen(name), l = sizeof(SEAL_AD_LABEL);
	size_t len = l + lk + 1 + ln + 1 + 8, off;

	if (len > size)
		return 0;
	memcpy(ad, SEAL_AD_LABEL, l);		/* with its NUL */
	memcpy(ad + l, kind, lk + 1);
	memcpy(ad + l + lk + 1, name, ln + 1);
	off = l + lk + 1 + ln + 1;
	for (int i = 0; i < 8; i++)
		ad[off + (size_t)i] = (uint8_t)(rev >> (56 - 8 * i));
	return len;
}

int
seal_close(const struct keyring *kr, const char *kind, const char *name,
    uint64_t rev, const void *plain, size_t len, uint8_t *out)
{
	const struct master_key *k = keyring_newest(kr);
	uint8_t ad[sizeof(SEAL_AD_LABEL) + 16 + 1 + 1024 + 1 + 8];
	uint8_t *nonce = out + 4 + MASTERKEY_ID_BYTES;
	size_t adlen = seal_ad(ad, sizeof(ad), kind, name, rev);

	if (k == NULL || adlen == 0)
		return -1;
	memcpy(out, SEAL_MAGIC, 4);
	memcpy(out + 4, k->id, MASTERKEY_ID_BYTES);
	randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + SEAL_HEADER, NULL,
	    plain, len, ad, adlen, NULL, nonce, k->key);
	return 0;
}

const uint8_t *
seal_key_id(const uint8_t *rec, size_t len)
{
	if (len < SEAL_OVERHEAD || memcmp(rec, SEAL_MAGIC, 4) != 0)
		return NULL;
	return rec + 4;
}

enum seal_result
seal_open(const struct keyring *kr, const char *kind, const char *name,
    uint64_t rev, const uint8_t *rec, size_t len, uint8_t *out,
    size_t *outlen, char *err)
{
	uint8_t ad[sizeof(SEAL_AD_LABEL) + 16 + 1 + 1024 + 1 + 8];
	const uint8_t *id = seal_key_id(rec, len);
	const struct master_key *k;
	unsigned long long plen;
	size_t adlen = seal_ad(ad, sizeof(ad), kind, name, rev);
	char hex[MASTERKEY_ID_BYTES * 2 + 1];

	if (id == NULL || adlen == 0) {
		snprintf(err, SEAL_ERR_MAX, "not a sealed record");
		return SEAL_NOT_SEALED;
	}
	if ((k = keyring_find(kr, id)) == NULL) {
		sodium_bin2hex(hex, sizeof(hex), id, MASTERKEY_ID_BYTES);
		snprintf(err, SEAL_ERR_MAX, "sealed under master key %s, which "
		    "is not in the keyring", hex);
		return SEAL_UNKNOWN_KEY;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &plen, NULL,
	    rec + SEAL_HEADER, len - SEAL_HEADER, ad, adlen,
	    rec + 4 + MASTERKEY_ID_BYTES, k->key) != 0) {
		snprintf(err, SEAL_ERR_MAX, "record does not open here: "
		    "tampered with, or moved from another name or revision");
		return SEAL_TAMPERED;
	}
	*outlen = (size_t)plen;
	return SEAL_OK;
}
