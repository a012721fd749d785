/*
 * check_seal.c - master key files, the keyring, and sealed records: a
 * record opens only where it was sealed, under a key the ring holds.
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keyring.h"
#include "seal.h"
#include "testutil.h"

static char k1[PATH_MAX], k2[PATH_MAX];
static struct keyring ring;

static void
make_key(char *path, const char *name)
{
	char err[MASTERKEY_ERR_MAX], id[17];

	snprintf(path, PATH_MAX, "%s/%s", tu_tmpdir(), name);
	ck_assert_msg(masterkey_generate(path, MASTERKEY_MASTER, id, err) == 0,
	    "%s", err);
	ck_assert_uint_eq(strlen(id), 16);
}

static void
load(const char *const *paths, size_t n)
{
	tu_log_capture();
	ck_assert_msg(keyring_load(&ring, paths, n) == 0, "%s", tu_log_text());
}

static void
setup(void)
{
	ck_assert_int_ge(sodium_init(), 0);
	make_key(k1, "master-1.key");
	make_key(k2, "master-2.key");
}

static void
teardown(void)
{
	keyring_free(&ring);
	tu_cleanup();
}

/* Seal TEXT for (KIND, NAME, REV); the caller frees the record. */
static uint8_t *
seal(const char *kind, const char *name, uint64_t rev, const char *text,
    size_t *len)
{
	uint8_t *rec = malloc(strlen(text) + SEAL_OVERHEAD);

	*len = strlen(text) + SEAL_OVERHEAD;
	ck_assert_int_eq(seal_close(&ring, kind, name, rev, text, strlen(text),
	    rec), 0);
	return rec;
}

static enum seal_result
open_as(const char *kind, const char *name, uint64_t rev, const uint8_t *rec,
    size_t len, char *out, char *err)
{
	size_t n = 0;
	enum seal_result r = seal_open(&ring, kind, name, rev, rec, len,
	    (uint8_t *)out, &n, err);

	if (r == SEAL_OK)
		out[n] = '\0';
	return r;
}

START_TEST(test_roundtrip)
{
	const char *paths[] = { k1 };
	size_t sizes[] = { 0, 1, 15, 16, 17, 1000, 100000 };
	char err[SEAL_ERR_MAX];

	load(paths, 1);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		uint8_t *plain = malloc(sizes[i] + 1), *rec, *out;
		size_t n = 0;

		randombytes_buf(plain, sizes[i]);
		rec = malloc(sizes[i] + SEAL_OVERHEAD);
		out = malloc(sizes[i] + 1);
		ck_assert_int_eq(seal_close(&ring, "secret", "db/pass", 3, plain,
		    sizes[i], rec), 0);
		ck_assert_int_eq(seal_open(&ring, "secret", "db/pass", 3, rec,
		    sizes[i] + SEAL_OVERHEAD, out, &n, err), SEAL_OK);
		ck_assert_uint_eq(n, sizes[i]);
		ck_assert(memcmp(out, plain, n) == 0);
		free(plain);
		free(rec);
		free(out);
	}
}
END_TEST

START_TEST(test_plaintext_not_in_record)
{
	const char *paths[] = { k1 };
	const char *text = "hunter2-very-secret-value";
	size_t len;
	uint8_t *rec;

	load(paths, 1);
	rec = seal("secret", "n", 1, text, &len);
	ck_assert_ptr_null(memmem(rec, len, "hunter2", 7));
	free(rec);
}
END_TEST

START_TEST(test_bound_to_place)
{
	const char *paths[] = { k1 };
	char out[64], err[SEAL_ERR_MAX];
	size_t len;
	uint8_t *rec;

	load(paths, 1);
	rec = seal("secret", "prod/db", 7, "pw", &len);
	ck_assert_int_eq(open_as("secret", "prod/db", 7, rec, len, out, err),
	    SEAL_OK);
	ck_assert_str_eq(out, "pw");
	/* Moved to another name, revision or kind: refused. */
	ck_assert_int_eq(open_as("secret", "prod/db2", 7, rec, len, out, err),
	    SEAL_TAMPERED);
	ck_assert(strstr(err, "tampered with, or moved") != NULL);
	ck_assert_int_eq(open_as("secret", "prod/db", 6, rec, len, out, err),
	    SEAL_TAMPERED);
	ck_assert_int_eq(open_as("secret", "prod/db", 8, rec, len, out, err),
	    SEAL_TAMPERED);
	ck_assert_int_eq(open_as("service", "prod/db", 7, rec, len, out, err),
	    SEAL_TAMPERED);
	/* The NUL separators: "a" + "b/c" is not "a/b" + "c"... */
	free(rec);
	rec = seal("secret", "ab", 1, "x", &len);
	ck_assert_int_eq(open_as("secre", "tab", 1, rec, len, out, err),
	    SEAL_TAMPERED);
	free(rec);
}
END_TEST

START_TEST(test_every_byte_matters)
{
	const char *paths[] = { k1 };
	char out[64], err[SEAL_ERR_MAX];
	size_t len;
	uint8_t *rec;

	load(paths, 1);
	rec = seal("secret", "n", 1, "some secret value", &len);
	for (size_t i = 0; i < len; i++) {
		rec[i] ^= 0x01;
		ck_assert_msg(open_as("secret", "n", 1, rec, len, out, err) !=
		    SEAL_OK, "flipping byte %zu went unnoticed", i);
		rec[i] ^= 0x01;
	}
	ck_assert_int_eq(open_as("secret", "n", 1, rec, len, out, err),
	    SEAL_OK);
	/* Truncated, or not a record. */
	ck_assert_int_ne(open_as("secret", "n", 1, rec, len - 1, out, err),
	    SEAL_OK);
	ck_assert_int_eq(open_as("secret", "n", 1, rec, SEAL_OVERHEAD - 1, out,
	    err), SEAL_NOT_SEALED);
	memcpy(rec, "XXXX", 4);
	ck_assert_int_eq(open_as("secret", "n", 1, rec, len, out, err),
	    SEAL_NOT_SEALED);
	free(rec);
}
END_TEST

START_TEST(test_rotation)
{
	const char *old[] = { k1 }, *both[] = { k2, k1 }, *new_only[] = { k2 };
	char out[64], err[SEAL_ERR_MAX];
	uint8_t *before, *after;
	size_t len;

	load(old, 1);
	before = seal("secret", "n", 1, "old", &len);
	keyring_free(&ring);
	load(both, 2);
	/* The old key still opens; the newest seals. */
	ck_assert_int_eq(open_as("secret", "n", 1, before, len, out, err),
	    SEAL_OK);
	after = seal("secret", "n", 2, "new", &len);
	ck_assert(memcmp(seal_key_id(after, len), ring.keys[0].id, 8) == 0);
	ck_assert(memcmp(seal_key_id(before, len - 0), ring.keys[1].id, 8) ==
	    0);
	keyring_free(&ring);
	load(new_only, 1);
	ck_assert_int_eq(open_as("secret", "n", 2, after, len, out, err),
	    SEAL_OK);
	ck_assert_int_eq(open_as("secret", "n", 1, before, len, out, err),
	    SEAL_UNKNOWN_KEY);
	ck_assert_msg(strstr(err, "is not in the keyring") != NULL, "%s", err);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_key_files)
{
	uint8_t key[MASTERKEY_BYTES];
	char err[MASTERKEY_ERR_MAX], id[17], path[PATH_MAX + 16];
	const char *dup[] = { k1, k1 };
	struct stat st;

	ck_assert_int_eq(stat(k1, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	/* Never over an existing file. */
	ck_assert_int_eq(masterkey_generate(k1, MASTERKEY_MASTER, id, err), -1);
	ck_assert(strstr(err, "File exists") != NULL);
	/* Readable by others: refused, with the fix in the message. */
	chmod(k1, 0640);
	ck_assert_int_eq(masterkey_read(k1, MASTERKEY_MASTER, key, err), -1);
	ck_assert_msg(strstr(err, "mode 0640 lets others read or write a "
	    "master key; run chmod 600") != NULL, "%s", err);
	chmod(k1, 0600);
	ck_assert_int_eq(masterkey_read(k1, MASTERKEY_MASTER, key, err), 0);
	/* Not a key file. */
	tu_write(tu_tmpdir(), "junk.key", "coffer-master-key 1 tooshort\n",
	    0600);
	snprintf(path, sizeof(path), "%s/junk.key", tu_tmpdir());
	ck_assert_int_eq(masterkey_read(path, MASTERKEY_MASTER, key, err), -1);
	ck_assert(strstr(err, "not a coffer master key file") != NULL);
	ck_assert_int_eq(masterkey_read("/nonexistent.key", MASTERKEY_MASTER,
	    key, err), -1);
	/* A master key is never taken for a client's blind key. */
	ck_assert_int_eq(masterkey_read(k1, MASTERKEY_BLIND, key, err), -1);
	ck_assert_msg(strstr(err, "not a coffer blind key file") != NULL, "%s",
	    err);
	/* The same key listed twice. */
	tu_log_capture();
	ck_assert_int_eq(keyring_load(&ring, dup, 2), -1);
	ck_assert(tu_log_has("which is listed already"));
	ck_assert_uint_eq(ring.n, 0);
}
END_TEST

START_TEST(test_empty_ring)
{
	uint8_t rec[64];

	memset(&ring, 0, sizeof(ring));
	ck_assert_int_eq(seal_close(&ring, "secret", "n", 1, "x", 1, rec), -1);
}
END_TEST

static Suite *
seal_suite(void)
{
	Suite *s = suite_create("seal");
	TCase *tc = tcase_create("seal");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_plaintext_not_in_record);
	tcase_add_test(tc, test_bound_to_place);
	tcase_add_test(tc, test_every_byte_matters);
	tcase_add_test(tc, test_rotation);
	tcase_add_test(tc, test_key_files);
	tcase_add_test(tc, test_empty_ring);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(seal_suite());
}
