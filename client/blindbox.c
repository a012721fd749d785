/*
 * blindbox.c - seal and open blind secrets on the client (blindbox.h).
 */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blindbox.h"

#define BB_MAGIC	"cfb1"
#define BB_NONCE	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define BB_HEAD		(4 + MASTERKEY_ID_BYTES + BB_NONCE)
#define BB_AD_LABEL	"coffer blind v1"
#define BB_B64		sodium_base64_VARIANT_ORIGINAL
#define BB_ERR(err, ...) snprintf((err), BLINDBOX_ERR_MAX, __VA_ARGS__)

/* "coffer blind v1\0NAME" in AD (malloc'd); its length in *LEN_R. */
static unsigned char *
blindbox_ad(const char *name, size_t *len_r)
{
	size_t n = sizeof(BB_AD_LABEL) + strlen(name);
	unsigned char *ad = malloc(n);

	if (ad != NULL) {
		memcpy(ad, BB_AD_LABEL, sizeof(BB_AD_LABEL));
		memcpy(ad + sizeof(BB_AD_LABEL), name, strlen(name));
	}
	*len_r = n;
	return ad;
}

char *
blindbox_seal(const uint8_t key[MASTERKEY_BYTES], const char *name,
    const uint8_t *plain, size_t len)
{
	size_t adlen, boxlen = BB_HEAD + len + 16, b64len;
	unsigned char *ad, *box;
	char *b64 = NULL;

	if (len > BLINDBOX_PLAIN_MAX)
		return NULL;
	ad = blindbox_ad(name, &adlen);
	box = malloc(boxlen);
	b64len = sodium_base64_ENCODED_LEN(boxlen, BB_B64);
	if (ad != NULL && box != NULL && (b64 = malloc(b64len)) != NULL) {
		memcpy(box, BB_MAGIC, 4);
		masterkey_id(MASTERKEY_BLIND, key, box + 4);
		randombytes_buf(box + 4 + MASTERKEY_ID_BYTES, BB_NONCE);
		crypto_aead_xchacha20poly1305_ietf_encrypt(box + BB_HEAD, NULL,
		    plain, len, ad, adlen, NULL, box + 4 + MASTERKEY_ID_BYTES,
		    key);
		sodium_bin2base64(b64, b64len, box, boxlen, BB_B64);
	}
	free(ad);
	free(box);
	return b64;
}

/* The payload decoded into *BOX_R (malloc'd), checked for our header. */
static int
blindbox_decode(const char *payload, unsigned char **box_r, size_t *len_r,
    char *err)
{
	size_t cap = strlen(payload) / 4 * 3 + 3;
	unsigned char *box = malloc(cap);

	*box_r = NULL;
	if (box == NULL || sodium_base642bin(box, cap, payload,
	    strlen(payload), NULL, len_r, NULL, BB_B64) != 0) {
		free(box);
		BB_ERR(err, "the payload is not base64");
		return -1;
	}
	if (*len_r < BB_HEAD + 16 || memcmp(box, BB_MAGIC, 4) != 0) {
		free(box);
		BB_ERR(err, "the payload was not encrypted by coffer (use "
		    "--raw for other formats)");
		return -1;
	}
	*box_r = box;
	return 0;
}

/* Is BOX for KEY?  Names both ids in ERR if not. */
static int
blindbox_key_matches(const uint8_t key[MASTERKEY_BYTES],
    const unsigned char *box, char *err)
{
	uint8_t id[MASTERKEY_ID_BYTES];
	char want[MASTERKEY_ID_BYTES * 2 + 1], have[sizeof(want)];

	masterkey_id(MASTERKEY_BLIND, key, id);
	if (memcmp(id, box + 4, MASTERKEY_ID_BYTES) == 0)
		return 0;
	sodium_bin2hex(want, sizeof(want), box + 4, MASTERKEY_ID_BYTES);
	sodium_bin2hex(have, sizeof(have), id, MASTERKEY_ID_BYTES);
	BB_ERR(err, "encrypted with blind key %s, not with this key (%s)",
	    want, have);
	return -1;
}

int
blindbox_open(const uint8_t key[MASTERKEY_BYTES], const char *name,
    const char *payload, uint8_t **plain_r, size_t *len_r, char *err)
{
	unsigned char *box, *ad = NULL, *plain = NULL;
	unsigned long long n;
	size_t boxlen, adlen;
	int rc = -1;

	*plain_r = NULL;
	if (blindbox_decode(payload, &box, &boxlen, err) < 0)
		return -1;
	if (blindbox_key_matches(key, box, err) < 0)
		goto out;
	ad = blindbox_ad(name, &adlen);
	plain = sodium_malloc(boxlen - BB_HEAD - 16 + 1);
	if (ad == NULL || plain == NULL) {
		BB_ERR(err, "out of memory");
		goto out;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &n, NULL,
	    box + BB_HEAD, boxlen - BB_HEAD, ad, adlen,
	    box + 4 + MASTERKEY_ID_BYTES, key) != 0) {
		BB_ERR(err, "the payload does not open: it was altered or "
		    "belongs to another name");
		goto out;
	}
	*plain_r = plain;
	*len_r = (size_t)n;
	plain = NULL;
	rc = 0;
out:
	free(box);
	free(ad);
	if (plain != NULL)
		sodium_free(plain);
	return rc;
}
