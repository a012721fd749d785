/*
 * check_jsonr.c - the JSON reader against json_loadb(): the same verdict
 * and the same tree (members in the same order) on hand-picked texts,
 * on 2,000 random ones written by jansson, and on 60,000 mutations of
 * them (bytes changed, cut, spliced); where faults are reported.  And
 * jsonr_walk() against jsonr_load() on all of them: the same verdict,
 * the same members; and jsonr_strings(): the arrays of strings
 * jsonr_load() takes, and nothing else, with the same strings.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonr.h"
#include "testutil.h"

/* jsonr_walk()'s members put back together, for comparing with a tree. */
static void
rebuild(void *arg, const char *key, size_t len, const struct jsonr_span *v)
{
	json_t *value = json_loadb(v->s, v->len, JSON_DECODE_ANY, NULL);

	ck_assert_msg(value != NULL, "a member's text is not JSON: '%.*s'",
	    (int)v->len, v->s);
	json_object_setn(arg, key, len, value);
	json_decref(value);
}

static int
starts_object(const char *text, size_t len)
{
	size_t i = 0;

	while (i < len && strchr(" \t\r\n", text[i]) != NULL &&
	    text[i] != '\0')
		i++;
	return i < len && text[i] == '{';
}

/* 1 when jsonr_walk() agrees with OURS, jsonr_load()'s tree of TEXT (or
 * NULL, and ERR): it takes the objects jsonr_load() takes, fails where
 * jsonr_load() fails, and gives the members their values. */
static int
walk_agrees(const char *text, size_t len, const json_t *ours,
    const json_error_t *err)
{
	json_t *members = json_object();
	json_error_t werr;
	int rc = jsonr_walk(text, len, rebuild, members, &werr), same;

	if (!json_is_object(ours)) {	/* where, when both read an object */
		same = rc < 0 && (ours != NULL || !starts_object(text, len) ||
		    werr.position == err->position);
	} else {
		char *a = json_dumps(ours, JSON_ENCODE_ANY);
		char *b = json_dumps(members, JSON_ENCODE_ANY);

		same = rc == 0 && strcmp(a, b) == 0;
		free(a);
		free(b);
	}
	json_decref(members);
	return same;
}

static void
restring(void *arg, const char *s, size_t len)
{
	json_array_append_new(arg, json_stringn(s, len));
}

static int
strings_only(const json_t *v)
{
	size_t i;
	const json_t *item;

	if (!json_is_array(v))
		return 0;
	json_array_foreach(v, i, item) {
		if (!json_is_string(item))
			return 0;
	}
	return 1;
}

/* 1 when jsonr_strings() takes TEXT exactly when OURS, jsonr_load()'s
 * tree of it, is an array of strings, and gives those strings. */
static int
strings_agree(const char *text, size_t len, const json_t *ours)
{
	json_t *got = json_array();
	int rc = jsonr_strings(text, len, restring, got, NULL);
	int same = strings_only(ours) ? rc == 0 && json_equal(got, ours) :
	    rc < 0;

	json_decref(got);
	return same;
}

/* 1 when jsonr_load and json_loadb agree on TEXT (LEN bytes): the same
 * verdict, the same tree.  A text with a NUL byte in it only has to be
 * refused: json_loadb() skips a NUL that follows a number or a word.
 * Without FLAGS, jsonr_walk() and jsonr_strings() must agree too. */
static int
agree(const char *text, size_t len, size_t flags)
{
	json_error_t err;
	json_t *ours = jsonr_load(text, len, flags, &err);
	json_t *theirs = json_loadb(text, len, flags, NULL);
	int same = (ours == NULL) == (theirs == NULL) ||
	    (ours == NULL && memchr(text, '\0', len) != NULL);

	if (same && ours != NULL) {
		char *a = json_dumps(ours, JSON_ENCODE_ANY);
		char *b = json_dumps(theirs, JSON_ENCODE_ANY);

		same = a != NULL && b != NULL && strcmp(a, b) == 0;
		free(a);
		free(b);
	}
	if (same && flags == 0)
		same = walk_agrees(text, len, ours, &err) &&
		    strings_agree(text, len, ours);
	json_decref(ours);
	json_decref(theirs);
	return same;
}

static void
assert_agree(const char *text, size_t len)
{

	ck_assert_msg(agree(text, len, 0), "differ on '%.*s'", (int)len, text);
	ck_assert_msg(agree(text, len, JSON_REJECT_DUPLICATES),
	    "differ on '%.*s' (duplicates rejected)", (int)len, text);
}

static const char *const valid[] = {
	"[\"a\",\"b\\u00e9\\n\"]", " [ \"a/b\" , \"\" ] ", "[\"a\",1]",
	"{}", "[]", " \t\r\n{ } \n", "[1,-1,0,-0,9223372036854775807]",
	"[-9223372036854775808]", "[1.5,-0.0,1e5,1E+5,1e-5,2.5e-320]",
	"[1e-400]", "[123456789012345678901234567890.5]",
	"{\"a\":{\"b\":[true,false,null]}}", "[\"\"]",
	"[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", "[\"\\u0041\\u00e9\\u20AC\"]",
	"[\"\\ud83d\\ude00\"]", "[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"]",
	"{\"a\":1,\"a\":2}", "{\"k\\u00e9y\":\"v\"}", "[\"\x7f\"]",
	"{\"z\":1,\"a\":2,\"m\":3}", "[[[[[]]]]]",
	"{\"a\":-9223372036854775808,\"b\":[1e-400,\"\\u00e9\"],\"\\u0061\":{}}",
};

static const char *const invalid[] = {
	"[\"a\",]", "[\"a\"]]", "[\"a\"", "[\"a\" \"b\"]",
	"", " ", "1", "\"s\"", "true", "null", "{", "[", "[1,]", "[,1]",
	"{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "[01]", "[-]", "[1.]",
	"[.5]", "[1e]", "[1e+]", "[+1]", "[0x1]", "[NaN]", "[Infinity]",
	"[1e400]", "[-1e400]", "[9223372036854775808]",
	"[-9223372036854775809]", "[tru]", "[truex]", "[nul]", "[\"a]",
	"[\"\\x\"]", "[\"\\u12\"]", "[\"\\u12G4\"]", "[\"\\u0000\"]",
	"{\"\\u0000\":1}", "{\"\\ud800\":[1]}", "[\"\\ud800\"]", "[\"\\udc00\"]",
	"[\"\\ud800\\u0041\"]", "[\"\\ud800x\"]", "[\"a\tb\"]", "[\"a\nb\"]",
	"[\"\xc3\"]", "[\"\xc0\xaf\"]", "[\"\xed\xa0\x80\"]",
	"[\"\xf4\x90\x80\x80\"]", "[\"\xff\"]", "[\"\x80\"]", "{} x",
	"{}{}", "[1 2]", "{\"a\" 1}", "[\xef\xbb\xbf]", "\xef\xbb\xbf{}",
	"{\"a\":1,\"a\":2,}", "{\"a\":9223372036854775808}",
	"{\"a\":{\"b\":[-9223372036854775809]}}", "{\"a\":1e400}",
	"{\"a\":\"\\u0000\"}", "{\"a\":[1,]}", "{\"a\":\"\\ud800\"}",
	"{\"a\":tru}", "{\"a\":\"\xc3\"}", "{\"a\":1}x",
};

START_TEST(test_picked)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(*valid); i++) {
		json_t *v = jsonr_load(valid[i], strlen(valid[i]), 0, NULL);

		ck_assert_msg(v != NULL, "'%s' refused", valid[i]);
		json_decref(v);
		assert_agree(valid[i], strlen(valid[i]));
	}
	for (size_t i = 0; i < sizeof(invalid) / sizeof(*invalid); i++) {
		size_t len = strlen(invalid[i]);

		ck_assert_msg(jsonr_load(invalid[i], len, 0, NULL) == NULL,
		    "'%s' accepted", invalid[i]);
		assert_agree(invalid[i], len);
	}
	/* A NUL byte is refused anywhere (json_loadb() reads "[1\0]"). */
	ck_assert_ptr_null(jsonr_load("[1]\0", 4, 0, NULL));
	ck_assert_ptr_null(jsonr_load("[1\0]", 4, 0, NULL));
	ck_assert_ptr_null(jsonr_load("[\"a\0b\"]", 7, 0, NULL));
}
END_TEST

START_TEST(test_duplicates)
{
	json_error_t e;
	json_t *v = jsonr_load("{\"a\":1,\"a\":2}", 13, 0, NULL);

	ck_assert_int_eq(json_integer_value(json_object_get(v, "a")), 2);
	json_decref(v);
	ck_assert_ptr_null(jsonr_load("{\"a\":1,\"\\u0061\":2}", 18,
	    JSON_REJECT_DUPLICATES, &e));
	ck_assert_str_eq(e.text, "duplicate object key");
	ck_assert_int_eq(e.position, 7);
	ck_assert_ptr_null(jsonr_load("{\"a\":1,\"a\":[2,{}]}", 18,
	    JSON_REJECT_DUPLICATES, &e));
	ck_assert_str_eq(e.text, "duplicate object key");
}
END_TEST

START_TEST(test_where)
{
	static const char text[] = "{\"a\": [1,\n  2, tru]}";
	json_error_t e;

	ck_assert_ptr_null(jsonr_load(text, sizeof(text) - 1, 0, &e));
	ck_assert_str_eq(e.text, "invalid token");
	ck_assert_int_eq(e.position, 15);
	ck_assert_int_eq(e.line, 2);
	ck_assert_int_eq(e.column, 6);
	ck_assert_ptr_null(jsonr_load("[\"\xc3\xa9\x01\"]", 7, 0, &e));
	ck_assert_str_eq(e.text, "control character 0x1");
	ck_assert_int_eq(e.column, 4);	/* characters, not bytes */
}
END_TEST

/* Strings are scanned eight bytes at a time: each kind of byte that
 * stops the scan (a quote, an escape, a control, DEL, non-ASCII, valid or
 * not, a NUL) at every position of strings of every length up to 40. */
START_TEST(test_long_strings)
{
	static const char *const stops[] = {
		"\\\"", "\\\\", "\\u00e9", "\x01", "\x1f", "\x7f",
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc3",
		"\x80", "\xff", "\"", "\\",
	};
	char text[128];

	for (size_t len = 0; len <= 40; len++) {
		for (size_t at = 0; at <= len; at++) {
			for (size_t i = 0; i < sizeof(stops) / sizeof(*stops);
			    i++) {
				int n = snprintf(text, sizeof(text),
				    "{\"k\":[\"%.*s%s%.*s\"]}", (int)at,
				    "0123456789abcdefghijklmnopqrstuvwxyz .,:;",
				    stops[i], (int)(len - at),
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_-+=!?*()<>~@#$");

				assert_agree(text, (size_t)n);
				n = snprintf(text, sizeof(text),
				    "[\"%.*s%s%.*s\",\"x\"]", (int)at,
				    "0123456789abcdefghijklmnopqrstuvwxyz .,:;",
				    stops[i], (int)(len - at),
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_-+=!?*()<>~@#$");
				assert_agree(text, (size_t)n);
			}
			snprintf(text, sizeof(text), "[\"%.*s\"]", (int)len,
			    "0123456789abcdefghijklmnopqrstuvwxyz .,:;");
			text[2 + at] = '\0';	/* a NUL byte */
			ck_assert_ptr_null(jsonr_load(text, len + 4, 0, NULL));
		}
	}
}
END_TEST

/* How deeply containers nest, strings skipped (brackets and escaped
 * quotes in them, long or short, and one never closed). */
START_TEST(test_nesting)
{
	static const struct {
		const char	*text;
		int		 nesting;
	} cases[] = {
		{ "", 0 }, { "1", 0 }, { "[]", 1 }, { "{\"a\":[{}]}", 3 },
		{ "[\"[[[[\"]", 1 }, { "[\"\\\"[[\"]", 1 },
		{ "[\"0123456789abcdef\\\\\",[[\"]", 3 },
		{ "[\"0123456789abcdef\\\"[[[[[[[[[[[[[[[[\"]", 1 },
		{ "[\"[[[[", 1 }, { "[\"abc\\", 1 }, { "[[[]]]", 3 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		ck_assert_msg(jsonr_nesting(cases[i].text,
		    strlen(cases[i].text), 10) == cases[i].nesting, "%s",
		    cases[i].text);
	ck_assert_int_eq(jsonr_nesting("[[[[[[", 6, 2), 3);	/* stops */
}
END_TEST

/* JSON_PARSER_MAX_DEPTH values deep is read, one more is not. */
START_TEST(test_depth)
{
	size_t max = JSON_PARSER_MAX_DEPTH;
	char *text = malloc(2 * max + 3);

	for (size_t deep = max - 1; deep <= max + 1; deep++) {
		memset(text, '[', deep);
		memset(text + deep, ']', deep);
		assert_agree(text, 2 * deep);
		text[deep - 1] = '1';	/* a scalar inside counts too */
		memmove(text + deep, text + deep + 1, deep - 1);
		assert_agree(text, 2 * deep - 1);
	}
	free(text);
}
END_TEST

/* A random tree, as jansson writes it (strings with escapes, non-ASCII
 * and controls; integers at the edges; reals). */
static json_t *
random_value(int depth)
{
	static const char *const strs[] = {
		"", "a", "\"q\"", "back\\slash", "tab\there", "\x01\x1f",
		"caf\xc3\xa9", "\xf0\x9f\x98\x80", "/", "line\nfeed", "k",
	};
	int pick = rand() % (depth > 4 ? 5 : 7);
	json_t *v;

	switch (pick) {
	case 0:
		return json_string(strs[rand() % 11]);
	case 1:
		return json_integer(rand() % 3 == 0 ? INT64_MIN :
		    (json_int_t)rand() * (rand() % 2 ? 1 : -1));
	case 2:
		return json_real((double)rand() / ((rand() % 1000) + 1));
	case 3:
		return rand() % 2 ? json_true() : json_null();
	case 4:
		return json_false();
	case 5:
		v = json_array();
		for (int i = rand() % 4; i > 0; i--)
			json_array_append_new(v, random_value(depth + 1));
		return v;
	default:
		v = json_object();
		for (int i = rand() % 4; i > 0; i--)
			json_object_set_new(v, strs[rand() % 11],
			    random_value(depth + 1));
		return v;
	}
}

/* Change TEXT at random: a byte replaced, the text cut, or a piece of it
 * copied elsewhere. */
static size_t
mutate(char *text, size_t len, size_t cap)
{
	static const char bytes[] = "{}[],:\"\\u0aeE.-+ \n\x80\xc3\xff\x00";
	size_t at = len > 0 ? (size_t)rand() % len : 0;

	switch (rand() % 3) {
	case 0:
		if (len > 0)
			text[at] = bytes[rand() % (sizeof(bytes) - 1)];
		return len;
	case 1:
		return at;
	default: {
		size_t n = (size_t)rand() % 8, to = len > 0 ?
		    (size_t)rand() % len : 0;

		if (len + n > cap || at + n > len)
			return len;
		memmove(text + to + n, text + to, len - to);
		memmove(text + to, text + at + (at >= to ? n : 0), n);
		return len + n;
	}
	}
}

START_TEST(test_random)
{
	char buf[8192];

	srand(7);
	for (int i = 0; i < 2000; i++) {
		json_t *v = i % 4 ? json_array() : json_object();
		char *text;
		size_t len;

		for (int m = rand() % 4; json_is_object(v) && m > 0; m--)
			json_object_set_new(v, m % 2 ? "k" : "caf\xc3\xa9",
			    random_value(1));
		if (json_is_array(v))
			json_array_append_new(v, random_value(0));
		text = json_dumps(v, JSON_COMPACT | (i % 2 ? JSON_INDENT(2) :
		    0) | (i % 3 ? 0 : JSON_ENSURE_ASCII));
		json_decref(v);
		len = strlen(text);
		ck_assert_ptr_nonnull(v = jsonr_load(text, len, 0, NULL));
		json_decref(v);
		assert_agree(text, len);
		if (len < sizeof(buf) / 2) {
			for (int m = 0; m < 30; m++) {
				size_t n = len;

				memcpy(buf, text, len);
				for (int k = rand() % 3; k >= 0; k--)
					n = mutate(buf, n, sizeof(buf));
				assert_agree(buf, n);
			}
		}
		free(text);
	}
}
END_TEST

static Suite *
jsonr_suite(void)
{
	Suite *s = suite_create("jsonr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_picked);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_where);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_long_strings);
	tcase_add_test(tc, test_nesting);
	tcase_add_test(tc, test_random);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(jsonr_suite());
}
