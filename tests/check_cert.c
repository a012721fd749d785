/*
 * check_cert.c - CURVE certificate files as czmq and pyzmq write them.
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "testutil.h"

#define PUB "H%fr:8VY>fRu@ut?JU^:JB$gH@^PcfYmm!otZbBr"
#define SEC "uExd=2IyR]0Yb2ev]oXJHgx6hKnvwHeM*ttHd7Sz"

static const char *
data(const char *name)
{
	static char path[PATH_MAX];
	const char *dir = getenv("COFFER_TEST_DATA");

	ck_assert_msg(dir != NULL, "COFFER_TEST_DATA is not set");
	snprintf(path, sizeof(path), "%s/certs/%s", dir, name);
	return path;
}

START_TEST(test_pyzmq_public)
{
	char err[CERT_ERR_MAX];
	struct cert c;

	ck_assert_msg(cert_load(&c, data("pyzmq-alice.key"), err) == 0, "%s",
	    err);
	ck_assert_str_eq(c.public_key, PUB);
	ck_assert_str_eq(c.secret_key, "");
	ck_assert_uint_eq(c.nmeta, 0);	/* pyzmq keeps metadata private */
}
END_TEST

START_TEST(test_pyzmq_secret)
{
	char err[CERT_ERR_MAX];
	struct cert c;

	ck_assert_msg(cert_load(&c, data("pyzmq-alice.key_secret"), err) == 0,
	    "%s", err);
	ck_assert_str_eq(c.public_key, PUB);
	ck_assert_str_eq(c.secret_key, SEC);
	ck_assert_str_eq(cert_meta(&c, "name"), "alice");	/* bare */
	ck_assert_str_eq(cert_meta(&c, "type"), "user");
	cert_wipe(&c);
	ck_assert_str_eq(c.secret_key, "");
}
END_TEST

START_TEST(test_czmq_pair)
{
	char err[CERT_ERR_MAX];
	struct cert pub, sec;

	ck_assert_msg(cert_load(&pub, data("czmq-web.crt"), err) == 0, "%s",
	    err);
	ck_assert_msg(cert_load(&sec, data("czmq-web.crt_secret"), err) == 0,
	    "%s", err);
	ck_assert_str_eq(pub.public_key, sec.public_key);
	ck_assert_str_eq(pub.secret_key, "");
	ck_assert_uint_eq(strlen(sec.secret_key), 40);
	ck_assert_str_eq(cert_meta(&pub, "name"), "svc-web");
	ck_assert_str_eq(cert_meta(&pub, "type"), "service");
	ck_assert_ptr_null(cert_meta(&pub, "domain"));
}
END_TEST

START_TEST(test_variants)
{
	static const char *const good[] = {
		/* CRLF line ends, no trailing newline, comments after values */
		"metadata\r\n    name = \"a\"\r\ncurve\r\n    public-key = \""
		    PUB "\"\r\n",
		"curve\n    public-key = \"" PUB "\"",
		"curve   # keys\n    public-key = \"" PUB "\"   # mine\n",
		"metadata\n    name = 'single quoted'\ncurve\n"
		    "    public-key = '" PUB "'\n",
		"\n\n#\n   \ncurve\n    public-key = \"" PUB "\"\n",
	};
	char err[CERT_ERR_MAX];
	struct cert c;

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		ck_assert_msg(cert_parse(&c, good[i], strlen(good[i]), err) ==
		    0, "variant %zu: %s", i, err);
		ck_assert_str_eq(c.public_key, PUB);
	}
}
END_TEST

struct bad {
	const char *text;
	const char *err;
};

static const struct bad bad[] = {
	{ "", "no curve public-key" },
	{ "metadata\n    name = \"x\"\n", "no curve public-key" },
	{ "curve\n    public-key = \"short\"\n",
	  "line 2: public-key is not 40 Z85 characters" },
	{ "curve\n    public-key = \"" PUB "x\"\n", "not 40 Z85" },
	{ "curve\n    public-key = \"H%fr:8VY>fRu@ut?JU^:JB$gH@^PcfYmm!otZbB\\\"\n",
	  "not 40 Z85" },
	{ "curve\n    public-key = \"" PUB "\"\n    public-key = \"" PUB "\"\n",
	  "line 3: public-key given twice" },
	{ "curve\n    private-key = \"" PUB "\"\n",
	  "line 2: unknown key 'private-key'" },
	{ "certificate\n    public-key = \"" PUB "\"\n",
	  "line 1: unknown section 'certificate'" },
	{ "    public-key = \"" PUB "\"\n", "line 1: value outside a section" },
	{ "curve\n  public-key = \"" PUB "\"\n", "line 2: indent must be" },
	{ "curve\n     public-key = \"" PUB "\"\n", "line 2: indent must be" },
	{ "curve\n\tpublic-key = \"" PUB "\"\n", "line 2: indent must be" },
	{ "curve\n    public-key \"" PUB "\"\n", "line 2: expected '='" },
	{ "curve\n    public-key = \"" PUB "\n", "unterminated quoted value" },
	{ "curve\n    public-key = \"" PUB "\" junk\n",
	  "text after quoted value" },
	{ "metadata\n    name = a b\n", "line 2: text after value" },
	{ "metadata\n    name = \"a\"\n    name = \"b\"\n",
	  "line 3: metadata 'name' given twice" },
	{ "metadata\n    = \"a\"\n", "line 2: expected 'name = value'" },
	{ "curve extra\n", "line 1: unexpected text after section name" },
};

START_TEST(test_malformed)
{
	const struct bad *b = &bad[_i];
	char err[CERT_ERR_MAX] = "";
	struct cert c;

	ck_assert_msg(cert_parse(&c, b->text, strlen(b->text), err) == -1,
	    "parsed: %s", b->text);
	ck_assert_msg(strstr(err, b->err) != NULL, "error \"%s\" lacks "
	    "\"%s\"", err, b->err);
}
END_TEST

START_TEST(test_limits)
{
	char err[CERT_ERR_MAX], *big;
	size_t off = 0;
	struct cert c;

	/* A NUL byte. */
	ck_assert_int_eq(cert_parse(&c, "curve\0x", 7, err), -1);
	ck_assert(strstr(err, "NUL") != NULL);
	/* A line over 1023 bytes. */
	big = malloc(4096);
	memset(big, '#', 2000);
	big[2000] = '\0';
	ck_assert_int_eq(cert_parse(&c, big, 2000, err), -1);
	ck_assert(strstr(err, "line 1: longer than") != NULL);
	/* More than 16 metadata entries. */
	off = (size_t)sprintf(big, "metadata\n");
	for (int i = 0; i < 17; i++)
		off += (size_t)sprintf(big + off, "    k%d = v\n", i);
	ck_assert_int_eq(cert_parse(&c, big, off, err), -1);
	ck_assert(strstr(err, "more than 16 metadata") != NULL);
	/* A value over 256 bytes. */
	off = (size_t)sprintf(big, "metadata\n    name = \"");
	memset(big + off, 'x', 300);
	off += 300;
	off += (size_t)sprintf(big + off, "\"\n");
	ck_assert_int_eq(cert_parse(&c, big, off, err), -1);
	ck_assert(strstr(err, "value longer than 256") != NULL);
	free(big);
	/* Missing and oversized files. */
	ck_assert_int_eq(cert_load(&c, "/nonexistent", err), -1);
	ck_assert(strstr(err, "No such file") != NULL);
}
END_TEST

static Suite *
cert_suite(void)
{
	Suite *s = suite_create("cert");
	TCase *good = tcase_create("good"), *bad_tc = tcase_create("bad");

	tcase_add_test(good, test_pyzmq_public);
	tcase_add_test(good, test_pyzmq_secret);
	tcase_add_test(good, test_czmq_pair);
	tcase_add_test(good, test_variants);
	tcase_add_loop_test(bad_tc, test_malformed, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(bad_tc, test_limits);
	suite_add_tcase(s, good);
	suite_add_tcase(s, bad_tc);
	return s;
}

int
main(void)
{
	return tu_run(cert_suite());
}
