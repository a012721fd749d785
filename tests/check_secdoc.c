/*
 * check_secdoc.c - secrets' documents read in place: the replies written
 * from the text are, byte for byte, what json_dumps() writes of the same
 * reply built as a tree from the parsed document (a secret's, a
 * service's); documents that are not one are refused, naming the member,
 * and never quoted.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "secdoc.h"
#include "testutil.h"

/* A document as op_secret_write.c makes it, stamped, as the record holds
 * it (json_dumps(), compact). */
static char *
doc_text(json_t *pairs, json_t *metadata, int enabled, json_t *comment)
{
	json_t *doc = json_pack("{s:o, s:o, s:b, s:o*, s:s, s:s}", "pairs",
	    pairs, "metadata", metadata, "enabled", enabled, "comment",
	    comment, "modified_by", "user/al\"ice", "modified_at",
	    "2026-11-23T10:00:00Z");
	char *text = json_dumps(doc, JSON_COMPACT);

	json_decref(doc);
	return text;
}

/* The secret.get reply as the tree code built it. */
static json_t *
tree_get(const char *name, uint64_t rev, json_t *doc)
{
	json_t *view = record_view(name, rev, doc);

	json_object_set(view, "enabled", json_object_get(doc, "enabled"));
	json_object_set(view, "metadata", json_object_get(doc, "metadata"));
	json_object_set(view, "pairs", json_object_get(doc, "pairs"));
	return view;
}

static json_t *
tree_credential(const char *name, uint64_t rev, json_t *doc)
{
	return json_pack("{s:s, s:I, s:O, s:O}", "name", name, "revision",
	    (json_int_t)rev, "pairs", json_object_get(doc, "pairs"),
	    "metadata", json_object_get(doc, "metadata"));
}

/* What WRITE writes of TEXT read in place equals the tree's text. */
static void
assert_same(const char *text, const char *name, uint64_t rev)
{
	json_t *doc = json_loads(text, 0, NULL), *views[2];
	struct secdoc d;
	char why[SECDOC_WHY_MAX], buf[4096], *want;
	struct jsonw w;

	ck_assert_msg(secdoc_read(&d, text, strlen(text), why) == 0, "%s",
	    why);
	views[0] = tree_get(name, rev, doc);
	views[1] = tree_credential(name, rev, doc);
	for (int i = 0; i < 2; i++) {
		jsonw_init(&w, buf, sizeof(buf));
		if (i == 0)
			secdoc_write_get(&w, name, rev, &d);
		else
			secdoc_write_credential(&w, name, rev, &d);
		want = json_dumps(views[i], JSON_COMPACT);
		ck_assert_msg(!w.full && strcmp(buf, want) == 0,
		    "in place: %s\ntree:     %s", buf, want);
		free(want);
		json_decref(views[i]);
	}
	ck_assert_int_eq(secdoc_true(&d.enabled),
	    json_is_true(json_object_get(doc, "enabled")));
	json_decref(doc);
}

START_TEST(test_same_as_tree)
{
	char *texts[] = {
		doc_text(json_pack("{s:s}", "DB_PASSWORD", "hunter2"),
		    json_object(), 1, NULL),
		doc_text(json_pack("{s:s, s:s, s:s}", "A", "caf\xc3\xa9 \"q\"",
		    "B\\", "tab\there\n", "\xe2\x82\xac", "\x01"),
		    json_pack("{s:{s:[i, f, n, b]}, s:s}", "owner", "x", -7,
		    2.5, 0, "team", "payments"), 0,
		    json_string("rotated \xf0\x9f\x98\x80")),
		doc_text(json_object(), json_object(), 1, json_string("")),
	};
	const char *names[] = { "web/db", "a/\"odd\\name\"", "x" };

	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		assert_same(texts[i], names[i], i + 1);
		free(texts[i]);
	}
	/* As jsonr_load() reads them: the last of a key given twice, keys
	 * with escapes, members in any order, a comment that is not a
	 * string left out. */
	assert_same("{\"comment\":null,\"pairs\":{\"a\":\"1\"},\"pa\\u0069rs\":"
	    "{\"b\":\"2\"},\"modified_at\":\"t\",\"enabled\":true,"
	    "\"metadata\":{},\"modified_by\":\"u\",\"extra\":[1]}", "n",
	    9223372036854775807ULL);
}
END_TEST

/* A reader's answer RC and WHY for TEXT: refused, naming MEMBER; the
 * text must not reach the message. */
static void
assert_refusal(int rc, const char *why, const char *text, const char *member)
{
	ck_assert_msg(rc < 0, "'%s' accepted", text);
	ck_assert_msg(strstr(why, member) != NULL, "'%s' for '%s'", why,
	    text);
	ck_assert_msg(strstr(why, "hunter2") == NULL, "quoted: %s", why);
}

/* Why each is refused as a secret's document. */
static void
assert_refused(const char *text, const char *member)
{
	struct secdoc d;
	char why[SECDOC_WHY_MAX];

	assert_refusal(secdoc_read(&d, text, strlen(text), why), why, text,
	    member);
}

START_TEST(test_refused)
{
	static const char ok[] = "\"metadata\":{},\"enabled\":true,"
	    "\"modified_by\":\"u\",\"modified_at\":\"t\"";
	char text[512];

	assert_refused("{\"pairs\":{\"k\":\"hunter2\"", "not a JSON object");
	assert_refused("[{\"pairs\":{\"k\":\"hunter2\"}}]", "not a JSON "
	    "object at byte 0");
	assert_refused("{\"pairs\":{\"k\":\"hunter2\\u0000\"}}", "not a JSON");
	assert_refused("", "not a JSON object");
	snprintf(text, sizeof(text), "{%s}", ok);
	assert_refused(text, "\"pairs\"");
	snprintf(text, sizeof(text), "{\"pairs\":\"hunter2\",%s}", ok);
	assert_refused(text, "\"pairs\"");
	snprintf(text, sizeof(text), "{\"pairs\":{},%s,\"enabled\":\"yes\"}",
	    ok);
	assert_refused(text, "\"enabled\"");
	snprintf(text, sizeof(text), "{\"pairs\":{},%s,\"enabled\":truex}",
	    ok);
	assert_refused(text, "not a JSON object");
	snprintf(text, sizeof(text), "{\"pairs\":{},%s,\"metadata\":[]}", ok);
	assert_refused(text, "\"metadata\"");
	snprintf(text, sizeof(text), "{\"pairs\":{},%s,\"modified_by\":1}",
	    ok);
	assert_refused(text, "\"modified_by\"");
	snprintf(text, sizeof(text), "{\"pairs\":{},%s,\"modified_at\":null}",
	    ok);
	assert_refused(text, "\"modified_at\"");
}
END_TEST

/* A service's view as the tree code built it (op_service.c's svc_view),
 * against what secdoc_write_svc() writes of the text, closed. */
static void
assert_same_svc(const char *text, const char *name, uint64_t rev)
{
	json_t *doc = json_loads(text, 0, NULL), *view;
	struct secdoc_svc d;
	char why[SECDOC_WHY_MAX], buf[4096], *want;
	struct jsonw w;

	ck_assert_msg(secdoc_read_svc(&d, text, strlen(text), why) == 0,
	    "%s", why);
	view = record_view(name, rev, doc);
	json_object_set(view, "secrets", json_object_get(doc, "secrets"));
	json_object_set(view, "enabled", json_object_get(doc, "enabled"));
	jsonw_init(&w, buf, sizeof(buf));
	secdoc_write_svc(&w, name, rev, &d);
	jsonw_raw(&w, "}");
	want = json_dumps(view, JSON_COMPACT);
	ck_assert_msg(!w.full && strcmp(buf, want) == 0,
	    "in place: %s\ntree:     %s", buf, want);
	ck_assert_int_eq(secdoc_true(&d.enabled),
	    json_is_true(json_object_get(doc, "enabled")));
	free(want);
	json_decref(view);
	json_decref(doc);
}

START_TEST(test_svc_same_as_tree)
{
	json_t *doc = json_pack("{s:[s, s], s:b, s:s, s:s, s:s}", "secrets",
	    "web/db", "web/\"api\"", "enabled", 1, "comment",
	    "caf\xc3\xa9", "modified_by", "user/al\"ice", "modified_at",
	    "2026-11-23T10:00:00Z");
	char *text = json_dumps(doc, JSON_COMPACT);

	assert_same_svc(text, "svc/web", 3);
	free(text);
	json_object_del(doc, "comment");
	json_object_set_new(doc, "enabled", json_false());
	json_object_set_new(doc, "secrets", json_array());
	text = json_dumps(doc, JSON_COMPACT);
	assert_same_svc(text, "svc/empty", 1);
	free(text);
	json_decref(doc);
	/* Members in any order; a comment that is not a string left out. */
	assert_same_svc("{\"comment\":7,\"enabled\":true,\"modified_at\":"
	    "\"t\",\"secrets\":[\"a\"],\"modified_by\":\"u\"}", "s", 2);
}
END_TEST

START_TEST(test_svc_refused)
{
	static const char *const texts[][2] = {
		{ "{\"enabled\":true,\"modified_by\":\"u\","
		    "\"modified_at\":\"t\"}", "\"secrets\"" },
		{ "{\"secrets\":{},\"enabled\":true,\"modified_by\":\"u\","
		    "\"modified_at\":\"t\"}", "\"secrets\"" },
		{ "{\"secrets\":[],\"enabled\":1,\"modified_by\":\"u\","
		    "\"modified_at\":\"t\"}", "\"enabled\"" },
		{ "{\"secrets\":[],\"enabled\":true,\"modified_at\":\"t\"}",
		    "\"modified_by\"" },
		{ "{\"secrets\":[\"hunter2\"", "holds no service document" },
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct secdoc_svc d;
		char why[SECDOC_WHY_MAX];

		assert_refusal(secdoc_read_svc(&d, texts[i][0],
		    strlen(texts[i][0]), why), why, texts[i][0], texts[i][1]);
	}
}
END_TEST

static void
collect(void *arg, const char *key, size_t len, const struct jsonr_span *v)
{
	json_t *keys = arg;

	json_array_append_new(keys, json_pack("[s#, s#]", key, (int)len,
	    v->s, (int)v->len));
}

START_TEST(test_pair_keys)
{
	static const char text[] = "{\"pairs\":{\"B\":\"1\",\"\\u00e9\":\"x\\\"\","
	    "\"A\":\"\"},\"metadata\":{\"M\":1},\"enabled\":false,"
	    "\"modified_by\":\"u\",\"modified_at\":\"t\"}";
	json_t *keys = json_array(), *want = json_loads("[[\"B\", \"\\\"1\\\"\"],"
	    "[\"\xc3\xa9\", \"\\\"x\\\\\\\"\\\"\"], [\"A\", \"\\\"\\\"\"]]", 0,
	    NULL);
	struct secdoc d;
	char why[SECDOC_WHY_MAX];

	ck_assert_int_eq(secdoc_read(&d, text, sizeof(text) - 1, why), 0);
	ck_assert_int_eq(secdoc_true(&d.enabled), 0);
	ck_assert_int_eq(secdoc_pair_keys(&d, collect, keys), 0);
	ck_assert_msg(json_equal(keys, want), "%s", json_dumps(keys, 0));
	json_decref(keys);
	json_decref(want);
}
END_TEST

static Suite *
secdoc_suite(void)
{
	Suite *s = suite_create("secdoc");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_same_as_tree);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_pair_keys);
	tcase_add_test(tc, test_svc_same_as_tree);
	tcase_add_test(tc, test_svc_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(secdoc_suite());
}
