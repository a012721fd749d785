/*
 * modcheck_store.c - the store contract, for any store module.
 *
 * Exercises every operation of include/coffer/module.h on the store the
 * author configured: an empty store, create-only writes, latest and old
 * revisions, history paging, name listing across pages, prefixes, removal,
 * names at the limits and names that try to escape, records at the size
 * limit and one byte over, writers racing from several threads, and the
 * optional operations (replace, get_latest_many) when the module has them.
 *
 * Each case gets a fresh instance of the store; they share its contents,
 * so each uses kinds of its own, and the store must be empty at the start.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "modcheck.h"

static const struct coffer_store_ops *ops;
static void *st;

static void
store_setup(void)
{
	MC_CHECK(modules_open_store(&mc.mods, &mc.conf) == 0,
	    "the store does not open");
	ops = mc.mods.store.mod->desc->store;
	st = mc.mods.store.inst;
	MC_CHECK(mc.mods.limits.max_record > 0, "limits() gives no "
	    "max_record");
}

static enum coffer_rc
put(const char *kind, const char *name, uint64_t rev, const char *data)
{
	struct coffer_error err = { "" };

	return ops->put(st, kind, name, rev, data, strlen(data), &err);
}

/* Read (KIND, NAME, REV) and check it holds WANT at revision WANT_REV. */
static void
expect_get(const char *kind, const char *name, uint64_t rev,
    const char *want, uint64_t want_rev)
{
	struct coffer_error err = { "" };
	struct coffer_buf b = { 0 };
	uint64_t got_rev = 0;
	enum coffer_rc rc = ops->get(st, kind, name, rev, &got_rev, &b, &err);

	MC_CHECK(rc == COFFER_OK, "get %s %.40s %llu answered %s: %s", kind,
	    name, (unsigned long long)rev, mc_rc_name(rc), err.msg);
	MC_EQ(got_rev, want_rev);
	MC_EQ(b.len, strlen(want));
	MC_CHECK(memcmp(b.data, want, b.len) == 0, "wrong data for %.40s",
	    name);
	buf_free(&b);
}

static enum coffer_rc
get_rc(const char *kind, const char *name, uint64_t rev)
{
	struct coffer_error err = { "" };
	struct coffer_buf b = { 0 };
	uint64_t r;
	enum coffer_rc rc = ops->get(st, kind, name, rev, &r, &b, &err);

	buf_free(&b);
	return rc;
}

/* ---- listing helpers ---------------------------------------------------- */

struct seen {
	char	**names;
	uint64_t *latest;
	size_t	 n, cap, page;
};

static int
seen_cb(void *arg, const char *name, uint64_t latest)
{
	struct seen *s = arg;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->names = realloc(s->names, s->cap * sizeof(*s->names));
		s->latest = realloc(s->latest, s->cap * sizeof(*s->latest));
	}
	s->names[s->n] = strdup(name);
	s->latest[s->n++] = latest;
	s->page++;
	return 0;
}

/* List every name of KIND with PREFIX, LIMIT per page, into S. */
static void
list_all(const char *kind, const char *prefix, size_t limit, struct seen *s)
{
	struct coffer_buf next = { 0 };
	char *cursor = NULL;
	int pages = 0;

	memset(s, 0, sizeof(*s));
	do {
		struct coffer_error err = { "" };

		s->page = 0;
		MC_CHECK(ops->list(st, kind, prefix, cursor, limit,
		    seen_cb, s, &next, &err) == COFFER_OK, "list: %s",
		    err.msg);
		MC_CHECK(s->page <= limit, "list gave %zu names, the limit was %zu",
		    s->page, limit);
		free(cursor);
		cursor = next.len ? strdup((char *)next.data) : NULL;
		MC_CHECK(++pages < 100000, "list never ends: 100000 pages");
	} while (cursor != NULL);
	buf_free(&next);
}

static size_t
seen_find(const struct seen *s, const char *name)
{
	size_t hits = 0, at = (size_t)-1;

	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->names[i], name) == 0) {
			hits++;
			at = i;
		}
	}
	MC_CHECK(hits <= 1, "%s listed %zu times", name, hits);
	return at;
}

static void
seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	free(s->latest);
}

static int
rev_cb(void *arg, uint64_t rev)
{
	struct seen *s = arg;

	s->latest = realloc(s->latest, (s->n + 1) * sizeof(*s->latest));
	s->latest[s->n++] = rev;
	return 0;
}

/* ---- tests -------------------------------------------------------------- */

static void
test_empty(void)
{
	struct coffer_error err = { "" };
	struct seen s = { 0 };

	MC_RC(get_rc("secret", "nothing", 0), COFFER_NOT_FOUND);
	MC_RC(get_rc("secret", "nothing", 1), COFFER_NOT_FOUND);
	MC_RC(ops->revisions(st, "secret", "nothing", 0, 10,
	    rev_cb, &s, &err), COFFER_NOT_FOUND);
	MC_RC(ops->remove(st, "secret", "nothing", &err), COFFER_NOT_FOUND);
	list_all("secret", "", 10, &s);
	MC_EQ(s.n, 0);
	seen_free(&s);
}

static void
test_create_read(void)
{
	MC_RC(put("cr", "db/password", 1, "sealed-1"), COFFER_OK);
	expect_get("cr", "db/password", 1, "sealed-1", 1);
	expect_get("cr", "db/password", 0, "sealed-1", 1);
	MC_RC(get_rc("cr", "db/password", 2), COFFER_NOT_FOUND);
	/* Binary data with NULs, and an empty record. */
	{
		struct coffer_error err = { "" };
		struct coffer_buf b = { 0 };
		const char bin[] = { 0, 1, 0, (char)0xff, 0 };
		uint64_t r;

		MC_RC(ops->put(st, "cr", "bin", 1, bin,
		    sizeof(bin), &err), COFFER_OK);
		MC_RC(ops->get(st, "cr", "bin", 0, &r, &b, &err), COFFER_OK);
		MC_EQ(b.len, sizeof(bin));
		MC_CHECK(memcmp(b.data, bin, sizeof(bin)) == 0, "binary "
		    "record read back wrong");
		MC_RC(ops->put(st, "cr", "bin", 2, "", 0, &err), COFFER_OK);
		MC_RC(ops->get(st, "cr", "bin", 0, &r, &b, &err), COFFER_OK);
		MC_EQ(b.len, 0);
		MC_EQ(r, 2);
		buf_free(&b);
	}
}

static void
test_create_only(void)
{
	MC_RC(put("co", "k", 1, "first"), COFFER_OK);
	MC_RC(put("co", "k", 1, "second"), COFFER_CONFLICT);
	expect_get("co", "k", 1, "first", 1);
	MC_RC(put("co", "k", 2, "two"), COFFER_OK);
	MC_RC(put("co", "k", 2, "again"), COFFER_CONFLICT);
	MC_RC(put("co", "k", 1, "old"), COFFER_CONFLICT);
	/* A gap is a stale view, refused like a lost race. */
	MC_RC(put("co", "k", 4, "gap"), COFFER_CONFLICT);
	MC_RC(get_rc("co", "k", 4), COFFER_NOT_FOUND);
	MC_RC(put("co", "new", 2, "gap"), COFFER_CONFLICT);
	MC_RC(get_rc("co", "new", 0), COFFER_NOT_FOUND);
	expect_get("co", "k", 0, "two", 2);
}

static void
test_history(void)
{
	struct coffer_error err = { "" };
	char data[32];
	struct seen s = { 0 };

	for (uint64_t r = 1; r <= 40; r++) {
		snprintf(data, sizeof(data), "rev-%llu",
		    (unsigned long long)r);
		MC_RC(put("hist", "h", r, data), COFFER_OK);
		expect_get("hist", "h", 0, data, r);
	}
	expect_get("hist", "h", 7, "rev-7", 7);
	MC_RC(ops->revisions(st, "hist", "h", 0, 1000, rev_cb,
	    &s, &err), COFFER_OK);
	MC_EQ(s.n, 40);
	for (size_t i = 0; i < 40; i++)
		MC_EQ(s.latest[i], i + 1);
	free(s.latest);
	memset(&s, 0, sizeof(s));
	/* Paged: after 10, at most 5. */
	MC_RC(ops->revisions(st, "hist", "h", 10, 5, rev_cb, &s,
	    &err), COFFER_OK);
	MC_EQ(s.n, 5);
	MC_EQ(s.latest[0], 11);
	MC_EQ(s.latest[4], 15);
	free(s.latest);
	memset(&s, 0, sizeof(s));
	MC_RC(ops->revisions(st, "hist", "h", 40, 5, rev_cb, &s,
	    &err), COFFER_OK);
	MC_EQ(s.n, 0);
	free(s.latest);
}

static void
test_list_pages(void)
{
	char name[64];
	struct seen s;
	size_t limits[] = { 1, 7, 100, 250, 1000 };

	for (int i = 0; i < 250; i++) {
		snprintf(name, sizeof(name), "%s/n%03d", i % 3 ? "app" : "ops",
		    i);
		MC_RC(put("list", name, 1, "x"), COFFER_OK);
		if (i % 10 == 0)
			MC_RC(put("list", name, 2, "y"), COFFER_OK);
	}
	MC_RC(put("listsvc", "app/n001", 1, "other kind"), COFFER_OK);
	for (size_t l = 0; l < sizeof(limits) / sizeof(*limits); l++) {
		list_all("list", "", limits[l], &s);
		MC_CHECK(s.n == 250, "limit %zu: %zu names", limits[l], s.n);
		for (int i = 0; i < 250; i++) {
			size_t at;

			snprintf(name, sizeof(name), "%s/n%03d",
			    i % 3 ? "app" : "ops", i);
			at = seen_find(&s, name);
			MC_CHECK(at != (size_t)-1, "%s missing", name);
			MC_EQ(s.latest[at], i % 10 == 0 ? 2 : 1);
		}
		seen_free(&s);
	}
	list_all("list", "ops/", 9, &s);
	MC_EQ(s.n, 84);
	for (size_t i = 0; i < s.n; i++)
		MC_CHECK(strncmp(s.names[i], "ops/", 4) == 0, "prefix "
		    "ops/ listed %s", s.names[i]);
	seen_free(&s);
	list_all("listsvc", "", 10, &s);
	MC_EQ(s.n, 1);
	seen_free(&s);
	list_all("nokind", "", 10, &s);
	MC_EQ(s.n, 0);
	seen_free(&s);
}

static void
test_remove(void)
{
	struct coffer_error err = { "" };
	struct seen s;

	MC_RC(put("rm", "gone", 1, "a"), COFFER_OK);
	MC_RC(put("rm", "gone", 2, "b"), COFFER_OK);
	MC_RC(put("rm", "kept", 1, "k"), COFFER_OK);
	MC_RC(ops->remove(st, "rm", "gone", &err), COFFER_OK);
	MC_RC(get_rc("rm", "gone", 0), COFFER_NOT_FOUND);
	MC_RC(get_rc("rm", "gone", 1), COFFER_NOT_FOUND);
	MC_RC(ops->remove(st, "rm", "gone", &err), COFFER_NOT_FOUND);
	list_all("rm", "", 10, &s);
	MC_EQ(s.n, 1);
	MC_CHECK(strcmp(s.names[0], "kept") == 0, "listed %s, expected "
	    "kept", s.names[0]);
	seen_free(&s);
	/* The name starts over at revision 1. */
	MC_RC(put("rm", "gone", 2, "stale"), COFFER_CONFLICT);
	MC_RC(put("rm", "gone", 1, "new"), COFFER_OK);
	expect_get("rm", "gone", 0, "new", 1);
	expect_get("rm", "kept", 0, "k", 1);
}

static void
test_names(void)
{
	/* Each must be its own record: nothing collides, nothing escapes. */
	static const char *const names[] = {
		"a", "A", "a/b", "a%2Fb", "a%2fb", "a_b", "a b", "a\\b",
		"..", "../../../../etc/passwd", "/etc/shadow", "./a", "a/./b",
		"a//b", "a/", "-rf", ".hidden", "x\ny", "\t", "caf\xc3\xa9",
		"cafe\xcc\x81", "\xe2\x80\xae" "evil", "name with spaces",
		"con", "nul", "aux.txt", "*", "?", "a:b", "\"quoted\"",
	};
	char big[COFFER_STORE_NAME_MAX + 2], data[64];
	struct seen s;
	size_t n = sizeof(names) / sizeof(*names);

	for (size_t i = 0; i < n; i++) {
		snprintf(data, sizeof(data), "record %zu", i);
		MC_RC(put("names", names[i], 1, data), COFFER_OK);
	}
	memset(big, 'n', COFFER_STORE_NAME_MAX);
	big[COFFER_STORE_NAME_MAX] = '\0';
	MC_RC(put("names", big, 1, "longest"), COFFER_OK);
	for (size_t i = 0; i < n; i++) {
		snprintf(data, sizeof(data), "record %zu", i);
		expect_get("names", names[i], 0, data, 1);
	}
	expect_get("names", big, 0, "longest", 1);
	list_all("names", "", 8, &s);
	MC_EQ(s.n, n + 1);
	for (size_t i = 0; i < n; i++)
		MC_CHECK(seen_find(&s, names[i]) != (size_t)-1, "name %zu "
		    "not listed", i);
	seen_free(&s);
	/* Outside the contract: refused, not stored. */
	big[COFFER_STORE_NAME_MAX] = 'n';
	big[COFFER_STORE_NAME_MAX + 1] = '\0';
	MC_CHECK(put("names", big, 1, "too long") != COFFER_OK,
	    "a name of COFFER_STORE_NAME_MAX + 1 bytes was accepted");
	MC_CHECK(put("names", "", 1, "empty") != COFFER_OK,
	    "an empty name was accepted");
	MC_CHECK(put("../x", "k", 1, "bad kind") != COFFER_OK,
	    "the kind \"../x\" was accepted");
	MC_CHECK(put("", "k", 1, "no kind") != COFFER_OK,
	    "an empty kind was accepted");
}

static void
test_sizes(void)
{
	size_t max = mc.mods.limits.max_record;
	struct coffer_error err = { "" };
	struct coffer_buf b = { 0 };
	char *data = malloc(max + 1);
	uint64_t r;

	memset(data, 'z', max + 1);
	data[0] = 'a';
	MC_RC(ops->put(st, "size", "big", 1, data, max, &err), COFFER_OK);
	MC_RC(ops->put(st, "size", "big", 2, data, max + 1,
	    &err), COFFER_TOO_LARGE);
	MC_RC(ops->put(st, "size", "bigger", 1, data, max + 1,
	    &err), COFFER_TOO_LARGE);
	MC_RC(get_rc("size", "bigger", 0), COFFER_NOT_FOUND);
	MC_RC(ops->get(st, "size", "big", 0, &r, &b, &err), COFFER_OK);
	MC_EQ(r, 1);
	MC_EQ(b.len, max);
	MC_CHECK(memcmp(b.data, data, max) == 0, "the largest record read "
	    "back wrong");
	buf_free(&b);
	free(data);
}

static void
test_replace(void)
{
	coffer_store_replace_fn replace = modules_store_replace(&mc.mods);
	struct coffer_error err = { "" };

	if (replace == NULL)
		mc_skip("the module has no replace() (ABI 1.1, optional)");
	MC_RC(put("rep", "k", 1, "one"), COFFER_OK);
	MC_RC(put("rep", "k", 2, "two"), COFFER_OK);
	MC_RC(replace(st, "rep", "k", 1, "ONE", 3, &err), COFFER_OK);
	expect_get("rep", "k", 1, "ONE", 1);
	expect_get("rep", "k", 0, "two", 2);	/* latest unchanged */
	MC_RC(replace(st, "rep", "k", 3, "x", 1, &err), COFFER_NOT_FOUND);
	MC_RC(replace(st, "rep", "nope", 1, "x", 1, &err), COFFER_NOT_FOUND);
	MC_RC(get_rc("rep", "k", 3), COFFER_NOT_FOUND);
	/* The latest itself: reads of the latest see the new bytes. */
	MC_RC(replace(st, "rep", "k", 2, "TWO", 3, &err), COFFER_OK);
	expect_get("rep", "k", 0, "TWO", 2);
	expect_get("rep", "k", 2, "TWO", 2);
	MC_RC(put("rep", "k", 3, "three"), COFFER_OK);
	expect_get("rep", "k", 0, "three", 3);
}

#define MANY	COFFER_STORE_BATCH_MAX

static void
test_get_latest_many(void)
{
	coffer_store_many_fn many = modules_store_get_latest_many(&mc.mods);
	char names[MANY][16], data[32];
	const char *np[MANY];
	struct coffer_buf bufs[MANY], *outs[MANY];
	uint64_t revs[MANY];
	enum coffer_rc rcs[MANY];
	struct coffer_error err = { "" };

	if (many == NULL)
		mc_skip("the module has no get_latest_many() (ABI 1.2, "
		    "optional)");
	memset(bufs, 0, sizeof(bufs));
	for (int i = 0; i < MANY; i++) {	/* the even ones exist */
		snprintf(names[i], sizeof(names[i]), "m%03d", i);
		np[i] = names[i];
		outs[i] = &bufs[i];
		if (i % 2 == 0)
			MC_RC(put("many", names[i], 1, names[i]), COFFER_OK);
	}
	MC_RC(put("many", "m000", 2, "m000 two"), COFFER_OK);
	MC_RC(put("other", "m001", 1, "another kind"), COFFER_OK);
	MC_RC(many(st, "many", np, MANY, outs, revs, rcs, &err), COFFER_OK);
	for (int i = 0; i < MANY; i++) {
		if (i % 2 == 1) {
			MC_RC(rcs[i], COFFER_NOT_FOUND);
			continue;
		}
		snprintf(data, sizeof(data), "%s", i == 0 ? "m000 two" :
		    names[i]);
		MC_RC(rcs[i], COFFER_OK);
		MC_EQ(revs[i], i == 0 ? 2 : 1);
		MC_EQ(bufs[i].len, strlen(data));
		MC_CHECK(memcmp(bufs[i].data, data, bufs[i].len) == 0,
		    "%s read back wrong", names[i]);
		buf_free(&bufs[i]);
	}
	/* One name; a name twice. */
	np[1] = "m000";
	MC_RC(many(st, "many", np, 2, outs, revs, rcs, &err), COFFER_OK);
	MC_RC(rcs[0], COFFER_OK);
	MC_RC(rcs[1], COFFER_OK);
	MC_EQ(revs[1], 2);
	buf_free(&bufs[0]);
	buf_free(&bufs[1]);
}

/* ---- racing writers ----------------------------------------------------- */

#define RACE_THREADS	8
#define RACE_REVS	120

static pthread_mutex_t race_lock = PTHREAD_MUTEX_INITIALIZER;
static int race_winner[RACE_REVS + 2];
static int race_wins[RACE_THREADS];

static void *
race_writer(void *arg)
{
	int id = (int)(intptr_t)arg;
	char data[64];

	for (;;) {
		struct coffer_error err = { "" };
		struct coffer_buf b = { 0 };
		uint64_t latest = 0;
		enum coffer_rc rc;

		rc = ops->get(st, "race", "race", 0, &latest, &b, &err);
		buf_free(&b);
		if (rc == COFFER_NOT_FOUND)
			latest = 0;
		else if (rc != COFFER_OK)
			return (void *)"get failed";
		if (latest >= RACE_REVS)
			return NULL;
		snprintf(data, sizeof(data), "writer %d rev %llu", id,
		    (unsigned long long)latest + 1);
		rc = ops->put(st, "race", "race", latest + 1, data,
		    strlen(data), &err);
		if (rc == COFFER_OK) {
			pthread_mutex_lock(&race_lock);
			if (race_winner[latest + 1] != 0)
				race_winner[latest + 1] = -1;	/* twice */
			else
				race_winner[latest + 1] = id + 1;
			race_wins[id]++;
			pthread_mutex_unlock(&race_lock);
		} else if (rc != COFFER_CONFLICT) {
			return (void *)"put failed";
		}
	}
}

static void
test_racing_writers(void)
{
	pthread_t t[RACE_THREADS];
	struct coffer_error err = { "" };
	char want[64];
	struct seen s = { 0 };
	int total = 0;

	for (int i = 0; i < RACE_THREADS; i++)
		pthread_create(&t[i], NULL, race_writer, (void *)(intptr_t)i);
	for (int i = 0; i < RACE_THREADS; i++) {
		void *res;

		pthread_join(t[i], &res);
		MC_CHECK(res == NULL, "writer %d: %s", i, (char *)res);
		total += race_wins[i];
	}
	/* Exactly one winner per revision, no gap, no duplicate. */
	MC_EQ(total, RACE_REVS);
	for (int r = 1; r <= RACE_REVS; r++) {
		MC_CHECK(race_winner[r] > 0, "revision %d: %s", r,
		    race_winner[r] < 0 ? "won twice" : "no winner");
		snprintf(want, sizeof(want), "writer %d rev %d",
		    race_winner[r] - 1, r);
		expect_get("race", "race", (uint64_t)r, want, (uint64_t)r);
	}
	MC_RC(ops->revisions(st, "race", "race", 0, 1000, rev_cb,
	    &s, &err), COFFER_OK);
	MC_EQ(s.n, RACE_REVS);
	free(s.latest);
}

static const struct mc_case store_cases[] = {
	{ "an empty store", test_empty },
	{ "create and read", test_create_read },
	{ "create-only writes", test_create_only },
	{ "history of revisions", test_history },
	{ "remove", test_remove },
	{ "names: distinct, none escapes", test_names },
	{ "records at the size limit", test_sizes },
	{ "replace (optional)", test_replace },
	{ "get_latest_many (optional)", test_get_latest_many },
	{ "racing writers", test_racing_writers },
	{ "listing in pages", test_list_pages },
	{ NULL, NULL }
};

const struct mc_suite mc_store_suite = {
	"store", COFFER_KIND_STORE, NULL, store_setup, store_cases
};
