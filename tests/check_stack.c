/*
 * check_stack.c - the auth stack against Linux-PAM's documented semantics.
 *
 * Each row is a stack (control flags), what each module answers, the
 * decision PAM's _pam_dispatch_aux() reaches and how many modules it runs.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>

#include "principal.h"
#include "stack.h"
#include "testutil.h"

#define RQ CONTROL_REQUIRED
#define RS CONTROL_REQUISITE
#define SU CONTROL_SUFFICIENT
#define OP CONTROL_OPTIONAL

#define OK COFFER_OK
#define NO COFFER_DENIED
#define IG COFFER_IGNORE
#define UN COFFER_UNAVAILABLE
#define ER COFFER_ERROR
#define NF COFFER_NOT_FOUND
#define GB ((enum coffer_rc)77)		/* not a coffer_rc at all */

struct row {
	const char	*what;
	size_t		 n;
	enum control	 ctl[4];
	enum coffer_rc	 rc[4];
	enum coffer_rc	 want;
	size_t		 calls;
};

static const struct row rows[] = {
	{ "empty stack denies", 0, {0}, {0}, NO, 0 },
	{ "required ok", 1, {RQ}, {OK}, OK, 1 },
	{ "required denied", 1, {RQ}, {NO}, NO, 1 },
	{ "required unavailable is never success", 1, {RQ}, {UN}, UN, 1 },
	{ "required error", 1, {RQ}, {ER}, ER, 1 },
	{ "lone ignore denies", 1, {RQ}, {IG}, NO, 1 },
	{ "all ignore denies", 3, {RQ, SU, OP}, {IG, IG, IG}, NO, 3 },
	{ "required failure runs the rest", 3, {RQ, RQ, RQ}, {NO, OK, OK},
	  NO, 3 },
	{ "first failure wins", 2, {RQ, RQ}, {UN, NO}, UN, 2 },
	{ "first failure wins, reversed", 2, {RQ, RQ}, {NO, UN}, NO, 2 },
	{ "required ignore then ok", 2, {RQ, RQ}, {IG, OK}, OK, 2 },
	{ "requisite failure stops at once", 3, {RS, RQ, SU}, {NO, OK, OK},
	  NO, 1 },
	{ "requisite unavailable stops", 2, {RS, RQ}, {UN, OK}, UN, 1 },
	{ "requisite ok goes on", 2, {RS, RQ}, {OK, NO}, NO, 2 },
	{ "requisite ignore goes on", 2, {RS, RQ}, {IG, OK}, OK, 2 },
	{ "requisite after required failure keeps first code", 3,
	  {RQ, RS, RQ}, {UN, NO, OK}, UN, 2 },
	{ "sufficient ok decides", 3, {SU, RQ, RQ}, {OK, NO, NO}, OK, 1 },
	{ "sufficient ok after required ok decides", 3, {RQ, SU, RQ},
	  {OK, OK, NO}, OK, 2 },
	{ "sufficient ok cannot undo a required failure", 3, {RQ, SU, RQ},
	  {NO, OK, OK}, NO, 3 },
	{ "sufficient failure is ignored", 2, {SU, RQ}, {NO, OK}, OK, 2 },
	{ "sufficient unavailable is ignored", 2, {SU, RQ}, {UN, OK}, OK, 2 },
	{ "sufficient unavailable alone denies", 1, {SU}, {UN}, NO, 1 },
	{ "sufficient failure alone denies", 1, {SU}, {NO}, NO, 1 },
	{ "curve sufficient, kms required: key known", 2, {SU, RQ},
	  {OK, IG}, OK, 1 },
	{ "curve sufficient, kms required: token valid", 2, {SU, RQ},
	  {IG, OK}, OK, 2 },
	{ "curve sufficient, kms required: neither", 2, {SU, RQ},
	  {IG, IG}, NO, 2 },
	{ "curve sufficient, kms required: bad token", 2, {SU, RQ},
	  {IG, NO}, NO, 2 },
	{ "curve sufficient, kms required: kms down", 2, {SU, RQ},
	  {IG, UN}, UN, 2 },
	{ "optional alone ok", 1, {OP}, {OK}, OK, 1 },
	{ "optional alone failure denies", 1, {OP}, {NO}, NO, 1 },
	{ "optional failure is ignored", 2, {OP, RQ}, {NO, OK}, OK, 2 },
	{ "optional ok with required ignore", 2, {RQ, OP}, {IG, OK}, OK, 2 },
	{ "optional ok cannot undo required failure", 2, {RQ, OP},
	  {NO, OK}, NO, 2 },
	{ "required ok, optional failure", 2, {RQ, OP}, {OK, NO}, OK, 2 },
	{ "sufficient after ignored optional failure", 2, {OP, SU},
	  {NO, OK}, OK, 2 },
	{ "unknown code is bad even when sufficient", 2, {SU, SU},
	  {GB, OK}, NO, 2 },
	{ "unknown code is bad even when optional", 2, {OP, RQ},
	  {GB, OK}, NO, 2 },
	{ "unknown code under required", 1, {RQ}, {GB}, NO, 1 },
	{ "store-only code from auth module fails", 1, {RQ}, {NF}, NF, 1 },
	{ "negative code is bad", 1, {OP}, {(enum coffer_rc)-1}, NO, 1 },
};

struct fake {
	const struct row *row;
	size_t calls;
};

static enum coffer_rc
fake_call(void *arg, size_t i)
{
	struct fake *f = arg;

	ck_assert_uint_eq(i, f->calls);
	f->calls++;
	return f->row->rc[i];
}

START_TEST(test_stack_table)
{
	const struct row *r = &rows[_i];
	struct fake f = { .row = r };
	enum coffer_rc got = stack_run(r->ctl, r->n, fake_call, &f);

	ck_assert_msg(got == r->want, "%s: got %d, want %d", r->what, got,
	    r->want);
	ck_assert_msg(f.calls == r->calls, "%s: ran %zu modules, want %zu",
	    r->what, f.calls, r->calls);
}
END_TEST

START_TEST(test_control_names)
{
	static const char *const words[] = {
		"required", "requisite", "sufficient", "optional"
	};
	enum control c;

	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(control_parse(words[i], &c), 0);
		ck_assert_str_eq(control_name(c), words[i]);
	}
	ck_assert_int_eq(control_parse("Required", &c), -1);
	ck_assert_int_eq(control_parse("include", &c), -1);
	ck_assert_int_eq(control_parse("", &c), -1);
}
END_TEST

/* The names an auth module may give a principal: UTF-8 without controls,
 * nothing that could break a reply or forge a log line. */
START_TEST(test_principal_names)
{
	static const char *const good[] = {
		"web", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
		"\xf4\x8f\xbf\xbf",
	};
	static const char *const bad[] = {
		"", "a\x01", "a\nb", "a\x7f", "\xc0\xaf", "\xc3", "\x80",
		"\xed\xa0\x80", "\xe0\x80\xaf", "\xf4\x90\x80\x80", "\xff",
	};
	struct coffer_principal p;

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		principal_clear(&p);
		ck_assert_msg(principal_set(&p, good[i],
		    COFFER_PRINCIPAL_SERVICE) == 0, "good name %zu refused", i);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		principal_clear(&p);
		ck_assert_msg(principal_set(&p, bad[i],
		    COFFER_PRINCIPAL_SERVICE) < 0, "bad name %zu taken", i);
	}
}
END_TEST

static Suite *
stack_suite(void)
{
	Suite *s = suite_create("stack");
	TCase *tc = tcase_create("pam");

	tcase_add_loop_test(tc, test_stack_table, 0,
	    (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_test(tc, test_control_names);
	tcase_add_test(tc, test_principal_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(stack_suite());
}
