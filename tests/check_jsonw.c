/*
 * check_jsonw.c - direct JSON text: escapes, UTF-8 kept or replaced, cuts
 * on character boundaries, a full buffer reported, whole trees written
 * as json_dumps() writes them and read back the same, and replies written
 * around them as the tree of a whole reply would be.
 */
#include "config.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "reply.h"
#include "testutil.h"

struct row {
	const char	*in;
	size_t		 len;
	const char	*want;
};

#define ROW(in, want)	{ in, sizeof(in) - 1, want }

static const struct row rows[] = {
	ROW("plain/name-1.x", "\"plain/name-1.x\""),
	ROW("", "\"\""),
	ROW("q\"b\\", "\"q\\\"b\\\\\""),
	ROW("\n\r\t\x01\x1f\x7f", "\"\\n\\r\\t\\u0001\\u001f\x7f\""),
	ROW("a\0b", "\"a\\u0000b\""),
	ROW("\xc3\xa9\xe2\x80\xa8\xf0\x9f\x94\x91",
	    "\"\xc3\xa9\xe2\x80\xa8\xf0\x9f\x94\x91\""),
	/* Not UTF-8: each bad byte becomes U+FFFD, the rest is kept. */
	ROW("a\xc3", "\"a\xef\xbf\xbd\""),		/* cut sequence */
	ROW("\x80z", "\"\xef\xbf\xbdz\""),		/* stray continuation */
	ROW("\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\""),	/* overlong */
	ROW("\xe0\x80\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""),
	ROW("\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""),
	ROW("\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd\""),				/* past U+10FFFF */
	ROW("\xff", "\"\xef\xbf\xbd\""),
};

START_TEST(test_strings)
{
	const struct row *r = &rows[_i];
	char buf[128];
	struct jsonw w;
	json_t *back;

	jsonw_init(&w, buf, sizeof(buf));
	jsonw_str(&w, r->in, r->len);
	ck_assert_int_eq(w.full, 0);
	ck_assert_str_eq(buf, r->want);
	ck_assert_uint_eq(w.len, strlen(r->want));
	/* Whatever came in, jansson reads the text back. */
	back = json_loads(buf, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	ck_assert_ptr_nonnull(back);
	json_decref(back);
}
END_TEST

START_TEST(test_line)
{
	char buf[128];
	struct jsonw w;

	jsonw_init(&w, buf, sizeof(buf));
	jsonw_raw(&w, "{\"a\":");
	jsonw_u64(&w, UINT64_MAX);
	jsonw_raw(&w, ",\"b\":");
	jsonw_i64(&w, INT64_MIN);
	jsonw_raw(&w, ",\"c\":");
	jsonw_strz(&w, NULL);
	jsonw_raw(&w, "}");
	ck_assert_str_eq(buf, "{\"a\":18446744073709551615,"
	    "\"b\":-9223372036854775808,\"c\":null}");
}
END_TEST

START_TEST(test_full)
{
	char buf[8];
	struct jsonw w;

	jsonw_init(&w, buf, sizeof(buf));
	jsonw_strz(&w, "abcde");	/* 7 bytes and the NUL: fits */
	ck_assert_int_eq(w.full, 0);
	ck_assert_str_eq(buf, "\"abcde\"");
	jsonw_raw(&w, "x");
	ck_assert_int_eq(w.full, 1);
	ck_assert_str_eq(buf, "\"abcde\"");	/* never past the buffer */
	jsonw_init(&w, buf, sizeof(buf));
	jsonw_strz(&w, "\x01\x02");	/* 14 bytes escaped */
	ck_assert_int_eq(w.full, 1);
	ck_assert_uint_lt(strlen(buf), sizeof(buf));
}
END_TEST

START_TEST(test_trim)
{
	static const char *const cases[][2] = {
		{ "abc", "abc" },
		{ "", "" },
		{ "ab\xc3\xa9", "ab\xc3\xa9" },
		{ "ab\xc3", "ab" },
		{ "ab\xe2\x80", "ab" },
		{ "ab\xf0\x9f\x94", "ab" },
		{ "ab\xf0\x9f\x94\x91", "ab\xf0\x9f\x94\x91" },
		{ "\xc3", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char s[16];

		snprintf(s, sizeof(s), "%s", cases[i][0]);
		jsonw_utf8_trim(s);
		ck_assert_str_eq(s, cases[i][1]);
	}
}
END_TEST

/* Documents as replies hold them: the text json_dumps() writes, byte for
 * byte (no \b or \f, which each escapes its own valid way). */
static const char *const same[] = {
	"{}", "[]", "null", "true", "0", "-1", "\"\"",
	"{\"v\":1,\"id\":null,\"ok\":true,\"result\":{\"name\":\"a/b\","
	    "\"revision\":3,\"enabled\":false,\"metadata\":{},"
	    "\"pairs\":{\"k\":\"v\\\"q\\\\\\n\",\"\xc3\xa9\":\"\xf0\x9f\x94\x91\"}}}",
	"[1,[2,[3,[]]],{\"a\":[{}]},-9223372036854775808,9223372036854775807]",
	"[0.5,1.0,-2.25,3.0000000000000004]",
	"{\"z\":1,\"a\":2,\"m\":{\"y\":[true,false,null]}}",
};

START_TEST(test_dump_same)
{
	json_t *v = json_loads(same[_i], JSON_DECODE_ANY, NULL);
	char *mine, *theirs;
	size_t len;

	ck_assert_ptr_nonnull(v);
	mine = jsonw_dump(v, &len);
	theirs = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	ck_assert_ptr_nonnull(mine);
	ck_assert_str_eq(mine, theirs);
	ck_assert_uint_eq(len, strlen(theirs));
	free(mine);
	free(theirs);
	json_decref(v);
}
END_TEST

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Any bytes: ASCII, controls, quotes, valid and broken UTF-8. */
static void
random_bytes(char *s, size_t n)
{
	static const char *const bits[] = { "a", "\"", "\\", "\x01", "\x1f",
	    "\x7f", "\b", "\f", "\n", "\xc3\xa9", "\xe2\x80\xa8",
	    "\xf0\x9f\x94\x91", "\xc3", "\x80", "\xff", "\xed\xa0\x80", "/" };
	size_t len = 0;

	while (len + 4 < n) {
		const char *b = bits[rng() % (sizeof(bits) / sizeof(*bits))];

		memcpy(s + len, b, strlen(b));
		len += strlen(b);
		if (rng() % 8 == 0)
			break;
	}
	s[len] = '\0';
}

static json_t *
random_tree(int depth)
{
	char s[64];
	json_t *v;
	size_t n;

	switch (depth > 5 ? rng() % 6 : rng() % 8) {
	case 0:	return json_integer((json_int_t)rng());
	case 1:	return json_real((double)(int64_t)rng() / (1 << 20));
	case 2:	return json_boolean(rng() % 2);
	case 3:	return json_null();
	case 4:
	case 5:
		random_bytes(s, sizeof(s));
		return json_stringn_nocheck(s, strlen(s));
	case 6:
		v = json_array();
		for (n = rng() % 5; n > 0; n--)
			json_array_append_new(v, random_tree(depth + 1));
		return v;
	default:
		v = json_object();
		for (n = rng() % 5; n > 0; n--) {
			snprintf(s, sizeof(s), "k%u\"%c", (unsigned)(rng() % 100),
			    (char)(0x20 + rng() % 95));
			json_object_set_new(v, s, random_tree(depth + 1));
		}
		return v;
	}
}

/* Stray bytes in strings become U+FFFD, so only a tree without them reads
 * back the same (any tree reads back). */
static int
tree_is_utf8(const json_t *v)
{
	const char *key;
	json_t *m;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return (m = json_stringn(json_string_value(v),
		    json_string_length(v))) != NULL ? (json_decref(m), 1) : 0;
	case JSON_ARRAY:
		for (i = 0; i < json_array_size(v); i++)
			if (!tree_is_utf8(json_array_get(v, i)))
				return 0;
		return 1;
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, key, m)
			if (!tree_is_utf8(m))
				return 0;
		return 1;
	default:
		return 1;
	}
}

START_TEST(test_dump_random)
{
	for (int i = 0; i < 2000; i++) {
		json_t *v = random_tree(0), *back;
		struct jsonw w;
		size_t len;
		char *text = jsonw_dump(v, &len);

		ck_assert_ptr_nonnull(text);
		ck_assert_uint_eq(strlen(text), len);
		back = json_loadb(text, len, JSON_DECODE_ANY |
		    JSON_REJECT_DUPLICATES, NULL);
		ck_assert_msg(back != NULL, "not JSON: %s", text);
		if (tree_is_utf8(v))
			ck_assert_msg(json_equal(back, v), "changed: %s", text);
		jsonw_init(&w, NULL, 0);	/* counting alone */
		jsonw_value(&w, v);
		ck_assert_uint_eq(w.need, len);
		json_decref(back);
		json_decref(v);
		free(text);
	}
}
END_TEST

/* Replies larger than the stack buffer jsonw_dump() tries first, and
 * those right at its edge, written as json_dumps() writes them. */
START_TEST(test_dump_large)
{
	static const size_t sizes[] = { 8185, 8186, 8187, 8188, 8189, 8190,
	    8191, 8192, 8193, 8194, 20000, 300000 };
	char *fill = malloc(sizes[_i] + 1), *mine, *theirs;
	json_t *v;
	size_t len;

	ck_assert_ptr_nonnull(fill);
	memset(fill, 'x', sizes[_i]);
	fill[sizes[_i]] = '\0';
	v = json_pack("[s]", fill);	/* 4 bytes more than the string */
	mine = jsonw_dump(v, &len);
	theirs = json_dumps(v, JSON_COMPACT);
	ck_assert_ptr_nonnull(mine);
	ck_assert_uint_eq(len, sizes[_i] + 4);
	ck_assert_str_eq(mine, theirs);
	free(mine);
	free(theirs);
	free(fill);
	json_decref(v);
}
END_TEST

START_TEST(test_dump_depth)
{
	json_t *root = json_array(), *v = root;
	size_t len;
	char *text;

	for (int i = 1; i < JSONW_DEPTH_MAX; i++) {
		json_t *inner = json_array();

		json_array_append_new(v, inner);
		v = inner;
	}
	text = jsonw_dump(root, &len);		/* JSONW_DEPTH_MAX levels */
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(len, 2 * JSONW_DEPTH_MAX);
	free(text);
	json_array_append_new(v, json_array());	/* one more */
	ck_assert_ptr_null(jsonw_dump(root, &len));
	json_decref(root);
}
END_TEST

/* An object written as braces around jsonw_members(). */
static int
members_fn(struct jsonw *w, const void *arg)
{
	jsonw_raw(w, "{");
	if (jsonw_members(w, arg) < 0)
		return -1;
	jsonw_rawn(w, "}xyz", 1);
	return 0;
}

/* A reply's text is what json_dumps() writes for the tree of the whole
 * reply: ids of each kind, a result given as a tree or as text, errors
 * whose message needs escapes (or is cut to ASCII). */
START_TEST(test_reply_text)
{
	json_t *id = _i == 0 ? json_integer(42) : _i == 1 ?
	    json_string("a\"b") : NULL;
	json_t *result, *tree;
	char *mine, *theirs, *text;
	size_t len, n;

	result = json_pack("{s:s, s:I, s:{s:s}}", "name", "a/b", "revision",
	    (json_int_t)3, "pairs", "k", "v\"q\\\n\xc3\xa9");
	ck_assert_ptr_nonnull(mine = reply_ok(id, json_incref(result), &len));
	tree = json_pack("{s:i, s:O?, s:b, s:O}", "v", 1, "id", id, "ok", 1,
	    "result", result);
	theirs = json_dumps(tree, JSON_COMPACT);
	ck_assert_str_eq(mine, theirs);
	ck_assert_uint_eq(len, strlen(theirs));
	free(mine);
	/* The same result as text (an operation that wrote it in place). */
	ck_assert_ptr_nonnull(text = jsonw_dump_fn(members_fn, result, &n));
	ck_assert_ptr_nonnull(mine = reply_ok_text(id, text, n, &len));
	ck_assert_str_eq(mine, theirs);
	ck_assert_uint_eq(len, strlen(theirs));
	free(mine);
	free(theirs);
	json_decref(tree);
	json_decref(result);
	ck_assert_ptr_nonnull(mine = reply_error(id, ERR_NOT_FOUND,
	    "no \"x\\y\"\n\xc3\xa9", &len));
	tree = json_pack("{s:i, s:O?, s:b, s:{s:s, s:s}}", "v", 1, "id", id,
	    "ok", 0, "error", "code", "not_found", "message",
	    "no \"x\\y\"???");
	theirs = json_dumps(tree, JSON_COMPACT);
	ck_assert_str_eq(mine, theirs);
	free(mine);
	free(theirs);
	json_decref(tree);
	json_decref(id);
	ck_assert_ptr_null(reply_ok(NULL, NULL, &len));	/* out of memory */
}
END_TEST

static Suite *
jsonw_suite(void)
{
	Suite *s = suite_create("jsonw");
	TCase *tc = tcase_create("jsonw");

	tcase_add_loop_test(tc, test_strings, 0, sizeof(rows) / sizeof(*rows));
	tcase_add_test(tc, test_line);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_trim);
	tcase_add_loop_test(tc, test_dump_same, 0, sizeof(same) / sizeof(*same));
	tcase_add_test(tc, test_dump_random);
	tcase_add_loop_test(tc, test_dump_large, 0, 12);
	tcase_add_test(tc, test_dump_depth);
	tcase_add_loop_test(tc, test_reply_text, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(jsonw_suite());
}
