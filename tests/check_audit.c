/*
 * check_audit.c - the audit log: one JSON line per request; a worker's
 * batch of lines reaches the file only when it is flushed, all of them in
 * one write, in order; a batch given more lines than it was sized for
 * writes the extra ones at once; a file that cannot be written fails the
 * requests when the config says so, and only then.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "testutil.h"

static struct audit a;
static char path[4096];

static void
open_log(const char *at, int fail_closed)
{
	snprintf(path, sizeof(path), "%s", at);
	tu_log_capture();
	ck_assert_int_eq(audit_open(&a, path, fail_closed), 0);
}

/* An entry for the request with id ID. */
static struct audit_entry
entry(json_t *id)
{
	return (struct audit_entry){ .id = id, .peer = "127.0.0.1",
	    .op = "secret.get", .target = "app/db", .revision = 3,
	    .result = ERR_NONE };
}

/* The file's lines, as JSON values; their number in *N. */
static json_t *
lines(size_t *n)
{
	json_t *all = json_array();
	char line[AUDIT_LINE_MAX + 2];
	FILE *f = fopen(path, "r");

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		json_t *v = json_loads(line, 0, NULL);

		ck_assert_msg(v != NULL, "not a JSON line: %s", line);
		ck_assert_int_eq(line[strlen(line) - 1], '\n');
		json_array_append_new(all, v);
	}
	fclose(f);
	*n = json_array_size(all);
	return all;
}

START_TEST(test_line)
{
	json_t *id = json_integer(7), *got;
	struct audit_entry e = entry(id);
	size_t n;

	open_log(tu_write(tu_tmpdir(), "audit-lines", "", 0600), 1);
	ck_assert_int_eq(audit_write(&a, &e), 0);
	got = lines(&n);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(json_integer_value(json_object_get(
	    json_array_get(got, 0), "id")), 7);
	ck_assert_str_eq(json_string_value(json_object_get(
	    json_array_get(got, 0), "result")), "ok");
	json_decref(got);
	json_decref(id);
	audit_close(&a);
}
END_TEST

/* Add the lines of requests FIRST to LAST to B. */
static void
add_ids(struct audit_batch *b, int first, int last)
{
	for (int i = first; i <= last; i++) {
		json_t *id = json_integer(i);
		struct audit_entry e = entry(id);

		ck_assert_int_eq(audit_add(&a, b, &e), 0);
		json_decref(id);
	}
}

/* The ids of the file's lines, as "1,2,3". */
static const char *
ids(void)
{
	static char text[256];
	json_t *got, *v;
	size_t n, i, len = 0;

	got = lines(&n);
	text[0] = '\0';
	json_array_foreach(got, i, v) {
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%lld",
		    i ? "," : "", (long long)json_integer_value(
		    json_object_get(v, "id")));
	}
	json_decref(got);
	return text;
}

START_TEST(test_batch)
{
	struct audit_batch b;

	open_log(tu_write(tu_tmpdir(), "audit-lines", "", 0600), 1);
	audit_batch_init(&b, 3);
	add_ids(&b, 1, 3);
	ck_assert_str_eq(ids(), "");		/* nothing before the flush */
	ck_assert_int_eq(audit_flush(&a, &b), 0);
	ck_assert_str_eq(ids(), "1,2,3");
	ck_assert_uint_eq(b.len, 0);		/* emptied */
	ck_assert_int_eq(audit_flush(&a, &b), 0);
	ck_assert_str_eq(ids(), "1,2,3");
	audit_batch_free(&b);

	/* Sized for one line: the next, with less than a line's room left,
	 * is written at once, alone. */
	audit_batch_init(&b, 1);
	add_ids(&b, 4, 5);
	ck_assert_str_eq(ids(), "1,2,3,5");
	ck_assert_int_eq(audit_flush(&a, &b), 0);
	ck_assert_str_eq(ids(), "1,2,3,5,4");
	audit_batch_free(&b);
	audit_close(&a);
}
END_TEST

/* /dev/full takes no byte: the requests fail when the config says the
 * log must be written, and go on (logged) when it does not. */
START_TEST(test_cannot_write)
{
	json_t *id = json_integer(1);
	struct audit_entry e = entry(id);
	struct audit_batch b;

	for (int closed = 0; closed <= 1; closed++) {
		open_log("/dev/full", closed);
		audit_batch_init(&b, 4);
		ck_assert_int_eq(audit_write(&a, &e), closed ? -1 : 0);
		ck_assert_int_eq(audit_add(&a, &b, &e), 0);
		ck_assert_int_eq(audit_add(&a, &b, &e), 0);
		ck_assert_int_eq(audit_flush(&a, &b), closed ? -1 : 0);
		ck_assert(tu_log_has("No space left on device"));
		ck_assert_uint_eq(b.len, 0);
		audit_batch_free(&b);
		audit_close(&a);
	}
	json_decref(id);
}
END_TEST

/* No audit log configured: nothing to write, nothing fails. */
START_TEST(test_none)
{
	json_t *id = json_integer(1);
	struct audit_entry e = entry(id);
	struct audit_batch b;

	ck_assert_int_eq(audit_open(&a, NULL, 1), 0);
	audit_batch_init(&b, 1);
	ck_assert_int_eq(audit_write(&a, &e), 0);
	ck_assert_int_eq(audit_add(&a, &b, &e), 0);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(audit_flush(&a, &b), 0);
	audit_batch_free(&b);
	audit_close(&a);
	json_decref(id);
}
END_TEST

static Suite *
audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_line);
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_cannot_write);
	tcase_add_test(tc, test_none);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(audit_suite());
}
