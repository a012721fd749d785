/*
 * fuzz_seal.c - libFuzzer target: opening sealed records (core/seal.c),
 * what anyone with write access to the store controls.  One key is in
 * the ring.  The first byte's low bits pick a revision; with its top bit
 * clear the rest is a record to open; with it set, the rest is plaintext
 * that is sealed, must open again to the same bytes, and must not open
 * for the next revision nor with a byte flipped.
 */
#include "config.h"

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyring.h"
#include "seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct keyring ring;

static void
fuzz_ring(void)
{
	struct master_key *k = &ring.keys[0];

	if (sodium_init() < 0 || (k->key = sodium_malloc(MASTERKEY_BYTES)) ==
	    NULL)
		abort();
	memset(k->key, 0x5a, MASTERKEY_BYTES);
	masterkey_id(MASTERKEY_MASTER, k->key, k->id);
	ring.n = 1;
}

#define FUZZ_MAX	(1 << 16)

static void
fuzz_round_trip(uint64_t rev, const uint8_t *plain, size_t len)
{
	static uint8_t rec[FUZZ_MAX + SEAL_OVERHEAD], out[FUZZ_MAX];
	char err[SEAL_ERR_MAX];
	size_t outlen = sizeof(out);

	if (seal_close(&ring, "secret", "fuzz/name", rev, plain, len, rec) < 0)
		abort();
	if (seal_open(&ring, "secret", "fuzz/name", rev, rec,
	    len + SEAL_OVERHEAD, out, &outlen, err) != SEAL_OK ||
	    outlen != len || memcmp(out, plain, len) != 0)
		abort();
	if (seal_open(&ring, "secret", "fuzz/name", rev + 1, rec,
	    len + SEAL_OVERHEAD, out, &outlen, err) == SEAL_OK)
		abort();
	rec[(rev + len) % (len + SEAL_OVERHEAD)] ^= 1;
	if (seal_open(&ring, "secret", "fuzz/name", rev, rec,
	    len + SEAL_OVERHEAD, out, &outlen, err) == SEAL_OK)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[FUZZ_MAX];
	char err[SEAL_ERR_MAX];
	size_t outlen = sizeof(out);

	if (ring.n == 0)
		fuzz_ring();
	if (size < 1 || size - 1 > FUZZ_MAX)
		return 0;
	if (data[0] & 0x80) {
		fuzz_round_trip(data[0] & 0x7f, data + 1, size - 1);
		return 0;
	}
	(void)seal_key_id(data + 1, size - 1);
	(void)seal_open(&ring, "secret", "fuzz/name", data[0], data + 1,
	    size - 1, out, &outlen, err);
	return 0;
}
