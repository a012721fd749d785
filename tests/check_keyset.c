/*
 * check_keyset.c - the keys more than one owner holds: what keyset_write()
 * writes, member order included, is what the jansson objects it replaced
 * gave (a map of every key to its owners, a key entering the result when
 * its second owner comes), over picked and random notes.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "keyset.h"
#include "testutil.h"

/* The way service.get found them before keyset.c. */
struct ref {
	json_t		*seen, *shared;
};

static void
ref_note(struct ref *r, const char *key, size_t len, const json_t *names,
    uint32_t owner)
{
	json_t *owners = json_object_getn(r->seen, key, len);
	json_t *name = json_array_get(names, owner);

	if (owners == NULL) {
		owners = json_array();
		json_object_setn_new_nocheck(r->seen, key, len, owners);
	} else if (json_equal(json_array_get(owners,
	    json_array_size(owners) - 1), name)) {
		return;
	} else {
		json_object_setn_nocheck(r->shared, key, len, owners);
	}
	json_array_append(owners, name);
}

static json_t *
owner_names(size_t n)
{
	json_t *names = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(names, json_sprintf("app/secret-%zu", i));
	return names;
}

/* NAMES as keyset_write() takes them (at most 64). */
static const char *const *
owner_strings(const json_t *names)
{
	static const char *s[64];

	ck_assert_uint_le(json_array_size(names), 64);
	for (size_t i = 0; i < json_array_size(names); i++)
		s[i] = json_string_value(json_array_get(names, i));
	return s;
}

/* What keyset_write() writes of KS. */
static const char *
shared_text(const struct keyset *ks, const json_t *names)
{
	static char buf[1 << 16];
	struct jsonw w;

	jsonw_init(&w, buf, sizeof(buf));
	keyset_write(ks, &w, owner_strings(names));
	ck_assert(!w.full);
	return buf;
}

/* The same, read back. */
static json_t *
shared_of(const struct keyset *ks, const json_t *names)
{
	const char *text = shared_text(ks, names);
	json_error_t err;
	json_t *v = json_loads(text, 0, &err);

	ck_assert_msg(v != NULL, "not JSON: %s: %.60s", err.text, text);
	return v;
}

/* Same text, member order included. */
static void
assert_same(const json_t *got, const json_t *want)
{
	char *g = json_dumps(got, JSON_COMPACT);
	char *w = json_dumps(want, JSON_COMPACT);

	ck_assert_ptr_nonnull(g);
	ck_assert_str_eq(g, w);
	free(g);
	free(w);
}

START_TEST(test_picked)
{
	json_t *names = owner_names(3), *got;
	struct keyset ks;

	keyset_init(&ks);
	keyset_note(&ks, "USER", 4, 0);
	keyset_note(&ks, "PASS", 4, 0);
	keyset_note(&ks, "HOST", 4, 1);
	keyset_note(&ks, "PASS", 4, 1);
	keyset_note(&ks, "HOST", 4, 2);
	keyset_note(&ks, "PASS", 4, 2);
	got = shared_of(&ks, names);
	ck_assert_ptr_nonnull(got);
	{
		char *text = json_dumps(got, JSON_COMPACT);

		ck_assert_str_eq(text, "{\"PASS\":[\"app/secret-0\","
		    "\"app/secret-1\",\"app/secret-2\"],\"HOST\":"
		    "[\"app/secret-1\",\"app/secret-2\"]}");
		free(text);
	}
	json_decref(got);
	keyset_free(&ks);

	/* Nothing shared: an empty object; a key repeated by its owner
	 * is not shared with itself. */
	keyset_init(&ks);
	keyset_note(&ks, "A", 1, 0);
	keyset_note(&ks, "A", 1, 0);
	keyset_note(&ks, "B", 1, 1);
	got = shared_of(&ks, names);
	ck_assert_int_eq(json_object_size(got), 0);
	json_decref(got);
	keyset_free(&ks);
	json_decref(names);
}
END_TEST

/* Keys that differ only after a NUL, the empty key, and keys long enough
 * to move the text several times. */
START_TEST(test_odd_keys)
{
	static const char both[] = "[\"app/secret-0\",\"app/secret-1\"]";
	json_t *names = owner_names(2);
	char long_key[5000], want[6000];
	const char *got;
	struct keyset ks;
	int n;

	memset(long_key, 'k', sizeof(long_key));
	keyset_init(&ks);
	keyset_note(&ks, "a\0b", 3, 0);
	keyset_note(&ks, "a\0c", 3, 0);
	keyset_note(&ks, "", 0, 0);
	keyset_note(&ks, long_key, sizeof(long_key), 0);
	keyset_note(&ks, "a\0c", 3, 1);
	keyset_note(&ks, "", 0, 1);
	keyset_note(&ks, long_key, sizeof(long_key) - 1, 1);
	keyset_note(&ks, long_key, sizeof(long_key), 1);
	/* The text, as keys with a NUL do not read back into jansson. */
	n = snprintf(want, sizeof(want), "{\"a\\u0000c\":%s,\"\":%s,"
	    "\"%.*s\":%s}", both, both, (int)sizeof(long_key), long_key, both);
	ck_assert_int_lt(n, (int)sizeof(want));
	got = shared_text(&ks, names);
	ck_assert_msg(strcmp(got, want) == 0, "wrote %.100s", got);
	keyset_free(&ks);
	json_decref(names);
}
END_TEST

/* Random owners with random keys from a small alphabet, so that many are
 * shared, past several growths of the table: the same result as the
 * reference, every time. */
START_TEST(test_random)
{
	unsigned seed = 12345u + (unsigned)_i;
	size_t owners = 1 + (size_t)(rand_r(&seed) % 40);
	json_t *names = owner_names(owners), *got;
	struct ref r = { json_object(), json_object() };
	struct keyset ks;

	keyset_init(&ks);
	for (uint32_t o = 0; o < owners; o++) {
		int keys = rand_r(&seed) % 30;

		for (int k = 0; k < keys; k++) {
			char key[8];
			int len = 1 + rand_r(&seed) % 3;

			for (int c = 0; c < len; c++)
				key[c] = (char)('a' + rand_r(&seed) % 6);
			keyset_note(&ks, key, (size_t)len, o);
			ref_note(&r, key, (size_t)len, names, o);
		}
	}
	got = shared_of(&ks, names);
	assert_same(got, r.shared);
	json_decref(got);
	keyset_free(&ks);
	json_decref(r.seen);
	json_decref(r.shared);
	json_decref(names);
}
END_TEST

static Suite *
keyset_suite(void)
{
	Suite *s = suite_create("keyset");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_picked);
	tcase_add_test(tc, test_odd_keys);
	tcase_add_loop_test(tc, test_random, 0, 200);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(keyset_suite());
}
