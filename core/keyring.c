/*
 * keyring.c - load master keys into guarded memory.
 */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "keyring.h"
#include "log.h"
#include "pathsafe.h"

static int
keyring_add(struct keyring *kr, const char *path)
{
	struct master_key *k = &kr->keys[kr->n];
	char err[PATHSAFE_ERR_MAX];

	if (pathsafe_check(path, err, sizeof(err)) < 0) {
		log_error("keyring: %s", err);
		return -1;
	}
	if ((k->key = sodium_malloc(MASTERKEY_BYTES)) == NULL) {
		log_error("keyring: out of locked memory for %s", path);
		return -1;
	}
	if (masterkey_read(path, MASTERKEY_MASTER, k->key, err) < 0) {
		log_error("keyring: %s", err);
		sodium_free(k->key);
		k->key = NULL;
		return -1;
	}
	masterkey_id(MASTERKEY_MASTER, k->key, k->id);
	sodium_mprotect_readonly(k->key);
	sodium_bin2hex(k->id_hex, sizeof(k->id_hex), k->id, sizeof(k->id));
	if (keyring_find(kr, k->id) != NULL) {
		log_error("keyring: %s holds key %s, which is listed already",
		    path, k->id_hex);
		sodium_free(k->key);
		k->key = NULL;
		return -1;
	}
	kr->n++;
	return 0;
}

int
keyring_load(struct keyring *kr, const char *const *paths, size_t n)
{
	memset(kr, 0, sizeof(*kr));
	if (n > KEYRING_MAX) {
		log_error("keyring: %zu keys listed; at most %d", n,
		    KEYRING_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (keyring_add(kr, paths[i]) < 0) {
			keyring_free(kr);
			return -1;
		}
	}
	return 0;
}

void
keyring_free(struct keyring *kr)
{
	for (size_t i = 0; i < kr->n; i++)
		sodium_free(kr->keys[i].key);	/* wipes, then frees */
	memset(kr, 0, sizeof(*kr));
}

const struct master_key *
keyring_newest(const struct keyring *kr)
{
	return kr->n > 0 ? &kr->keys[0] : NULL;
}

const struct master_key *
keyring_find(const struct keyring *kr, const uint8_t id[MASTERKEY_ID_BYTES])
{
	for (size_t i = 0; i < kr->n; i++) {
		if (sodium_memcmp(kr->keys[i].id, id, MASTERKEY_ID_BYTES) == 0)
			return &kr->keys[i];
	}
	return NULL;
}
