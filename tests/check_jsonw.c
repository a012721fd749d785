/*
 * check_jsonw.c - direct JSON text: escapes, UTF-8 kept or replaced, cuts
 * on character boundaries, and a full buffer reported.
 */
#include "config.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
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

static Suite *
jsonw_suite(void)
{
	Suite *s = suite_create("jsonw");
	TCase *tc = tcase_create("jsonw");

	tcase_add_loop_test(tc, test_strings, 0, sizeof(rows) / sizeof(*rows));
	tcase_add_test(tc, test_line);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_trim);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(jsonw_suite());
}
