/*
 * check_fs_cache.c - store_fs's cache of sealed records, compiled in: which
 * entries a set keeps (names whose hashes share a set all stay, the least
 * recently used goes first), and that an entry is served only while its
 * file is what is on disk: on inotify watches of its directory and the two
 * above (lost events make every entry be checked again), or unwatched,
 * checked file by file just after a write and by the directory's stamp
 * alone once that has settled.  The module-level tests (check_store_fs)
 * cover reads through the cache; these see the hits themselves.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fs.h"
#include "testutil.h"

static struct coffer_host host = { .buf_reserve = buf_reserve };
static struct fs fs = { .host = &host, .root = -1 };
static char root[PATH_MAX];

/* A cache of ENTRIES for a new store; WATCH: served on inotify watches
 * (the test directory is on a local file system). */
static void
cache_open(size_t entries, int watch)
{
	const char *why = "";

	snprintf(root, sizeof(root), "%s/store", tu_tmpdir());
	ck_assert_int_eq(mkdir(root, 0700), 0);
	ck_assert_int_ge(fs.root = open(root, O_RDONLY | O_DIRECTORY), 0);
	fs.path = root;
	ck_assert_ptr_nonnull(fs.cache = fs_cache_new(entries));
	if (watch)
		ck_assert_msg(fs_cache_watch(fs.cache, fs.root, &why) == 0,
		    "not watched: %s", why);
}

static void
cache_close(void)
{
	fs_cache_free(fs.cache);
	fs.cache = NULL;
	close(fs.root);
	tu_cleanup();
}

static void
key_of(const char *name, struct fs_key *k)
{
	struct coffer_error err = { "" };

	ck_assert_int_eq(fs_key("secret", name, k, &err), COFFER_OK);
}

/* The directory of NAME in the store. */
static void
name_dir(const char *name, char *dir, size_t size)
{
	struct fs_key k;

	key_of(name, &k);
	snprintf(dir, size, "%s/%s", root, k.rel);
}

/* Write revision REV of NAME holding TEXT, as a new file, and cache it. */
static void
put(const char *name, uint64_t rev, const char *text)
{
	char dir[PATH_MAX + FS_REL_MAX], cmd[2 * PATH_MAX], file[32];
	struct fs_loaded rec;
	struct fs_key k;

	key_of(name, &k);
	name_dir(name, dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(file, sizeof(file), "%" PRIu64, rev);
	tu_write(dir, file, text, 0600);
	snprintf(cmd, sizeof(cmd), "%s/%s", dir, file);
	ck_assert_int_eq(stat(cmd, &rec.st), 0);
	rec.data = (const uint8_t *)text;
	rec.len = strlen(text);
	fs_cache_put(&fs, &k, fs_memo_key(&k), rev, &rec);
}

/* 1 when revision REV of NAME is served from the cache, holding TEXT. */
static int
hit(const char *name, uint64_t rev, const char *text)
{
	struct coffer_buf b = { 0 };
	struct fs_key k;
	uint64_t got = 0;
	int served;

	key_of(name, &k);
	fs_cache_sync(fs.cache);
	served = fs_cache_get(&fs, &k, fs_memo_key(&k), &got, &b) &&
	    got == rev;
	if (served)
		ck_assert(b.len == strlen(text) &&
		    memcmp(b.data, text, b.len) == 0);
	buf_free(&b);
	return served;
}

/* A name's id: the same for the same kind and name, its path only from
 * fs_key_path(); the cache finds an entry by the id alone, and tells
 * apart ids that share only their first half. */
START_TEST(test_key_ids)
{
	struct coffer_error err = { "" };
	struct coffer_buf b = { 0 };
	struct fs_key k, again, other;
	uint64_t rev = 0;

	key_of("a/b", &k);
	ck_assert_int_eq(fs_key_id("secret", "a/b", &again, &err), COFFER_OK);
	ck_assert(again.id[0] == k.id[0] && again.id[1] == k.id[1]);
	ck_assert_str_eq(again.rel, "");
	fs_key_path(&again, "a/b");
	ck_assert_str_eq(again.rel, k.rel);
	ck_assert_int_eq(fs_key_id("service", "a/b", &other, &err), COFFER_OK);
	ck_assert(other.id[0] != k.id[0]);
	ck_assert_int_eq(fs_key_id("ab", "c", &k, &err), COFFER_OK);
	ck_assert_int_eq(fs_key_id("a", "bc", &other, &err), COFFER_OK);
	ck_assert(other.id[0] != k.id[0] && other.id[1] != k.id[1]);
	ck_assert_int_eq(fs_key_id("secret", "", &k, &err), COFFER_ERROR);
	ck_assert_int_eq(fs_key_id("Secret", "a", &k, &err), COFFER_ERROR);
	/* Kinds: a lower-case letter, then letters, digits and '_', up to
	 * FS_KIND_MAX (16). */
	ck_assert_int_eq(fs_key_id("k_2", "a", &k, &err), COFFER_OK);
	ck_assert_int_eq(fs_key_id("abcdefghijklmnop", "a", &k, &err),
	    COFFER_OK);
	ck_assert_int_eq(fs_key_id("abcdefghijklmnopq", "a", &k, &err),
	    COFFER_ERROR);
	ck_assert_str_eq(err.msg, "invalid kind");
	ck_assert_int_eq(fs_key_id("", "a", &k, &err), COFFER_ERROR);
	ck_assert_int_eq(fs_key_id("2k", "a", &k, &err), COFFER_ERROR);
	ck_assert_int_eq(fs_key_id("k-2", "a", &k, &err), COFFER_ERROR);
	ck_assert_int_eq(fs_key_id("k/", "a", &k, &err), COFFER_ERROR);
	ck_assert_int_eq(fs_key_id("kZ", "a", &k, &err), COFFER_ERROR);

	cache_open(4, 0);
	put("a/b", 1, "ab");
	ck_assert_int_eq(fs_key_id("secret", "a/b", &k, &err), COFFER_OK);
	ck_assert(fs_cache_get(&fs, &k, fs_memo_key(&k), &rev, &b));
	ck_assert_uint_eq(rev, 1);
	buf_free(&b);
	k.id[1] ^= 1;
	ck_assert(!fs_cache_get(&fs, &k, fs_memo_key(&k), &rev, &b));
	cache_close();
}
END_TEST

START_TEST(test_set_keeps_all_its_names)
{
	static const char *names[] = { "a", "b", "c", "d" };

	cache_open(4, 0);		/* one set (of four): every name shares it */
	for (int i = 0; i < 4; i++)
		put(names[i], 1, names[i]);
	for (int i = 0; i < 4; i++)
		ck_assert_msg(hit(names[i], 1, names[i]), "%s evicted",
		    names[i]);
	ck_assert(hit("a", 1, "a") && hit("c", 1, "c") && hit("d", 1, "d"));
	put("e", 1, "e");	/* evicts b, the least recently used */
	ck_assert(!hit("b", 1, "b"));
	ck_assert(hit("a", 1, "a") && hit("c", 1, "c") && hit("d", 1, "d") &&
	    hit("e", 1, "e"));
	put("a", 2, "a2");	/* a newer revision replaces its own entry */
	ck_assert(!hit("a", 1, "a") && hit("a", 2, "a2"));
	ck_assert(hit("c", 1, "c") && hit("d", 1, "d") && hit("e", 1, "e"));
	cache_close();
}
END_TEST

START_TEST(test_one_entry)
{
	cache_open(1, 0);
	put("a", 1, "a");
	ck_assert(hit("a", 1, "a"));
	put("b", 1, "b");
	ck_assert(!hit("a", 1, "a") && hit("b", 1, "b"));
	cache_close();
}
END_TEST

/* Many names in a cache with room for four times as many: hardly any
 * lost to names sharing a set (a slot per hash kept 888 of them). */
START_TEST(test_full_cache_keeps_nearly_all)
{
	char name[16];
	int kept = 0;

	cache_open(4096, 1);
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		put(name, 1, name);
	}
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		kept += hit(name, 1, name);
	}
	ck_assert_msg(kept >= 995, "%d of 1000 kept", kept);
	cache_close();
}
END_TEST

/* Both ways: checked on disk (0), served on watches (1). */
START_TEST(test_follows_disk)
{
	char dir[PATH_MAX + FS_REL_MAX], path[sizeof(dir) + 8];
	struct fs_key k;

	cache_open(16, _i);
	put("a", 1, "one");
	ck_assert(hit("a", 1, "one"));
	ck_assert(!hit("a", 2, "one"));	/* not the revision asked for */
	key_of("a", &k);
	name_dir("a", dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/1", dir);
	tu_write(dir, "2", "two", 0600);	/* a newer revision */
	ck_assert(!hit("a", 1, "one"));
	ck_assert_int_eq(unlink(tu_write(dir, "2", "two", 0600)), 0);
	ck_assert(hit("a", 1, "one"));
	/* The same bytes in a new file renamed over it (a reseal). */
	ck_assert_int_eq(rename(tu_write(dir, "other", "one", 0600), path), 0);
	ck_assert(!hit("a", 1, "one"));
	put("a", 1, "one");
	ck_assert(hit("a", 1, "one"));
	ck_assert_int_eq(unlink(path), 0);	/* removed */
	ck_assert(!hit("a", 1, "one"));
	tu_write(dir, "1", "one", 0600);
	put("a", 1, "one");
	fs_cache_forget(&fs, &k, fs_memo_key(&k));
	ck_assert(!hit("a", 1, "one"));
	cache_close();
}
END_TEST

/* Wait until directories changed so far are old enough for their stamps
 * to count alone. */
static void
settle(void)
{
	sleep(FS_CACHE_SETTLE + 1);
}

/* Edit the file at PATH in place: its first three bytes become TEXT. */
static void
edit_in_place(const char *path, const char *text)
{
	int fd;

	ck_assert_int_ge(fd = open(path, O_WRONLY), 0);
	ck_assert_int_eq(write(fd, text, 3), 3);
	close(fd);
}

/* NAME's directory renamed away (a removal), then a link to it in its
 * place: a miss each time. */
static void
removed_then_linked(const char *name, const char *text)
{
	char dir[PATH_MAX + FS_REL_MAX], gone[PATH_MAX + 8];

	name_dir(name, dir, sizeof(dir));
	snprintf(gone, sizeof(gone), "%s/gone", root);
	ck_assert_int_eq(rename(dir, gone), 0);
	ck_assert(!hit(name, 1, text));
	ck_assert_int_eq(symlink(gone, dir), 0);
	ck_assert(!hit(name, 1, text));
}

START_TEST(test_settled_directory)
{
	char a[PATH_MAX + FS_REL_MAX], rec[sizeof(a) + 8];

	cache_open(16, 0);
	put("a", 1, "one");
	put("b", 1, "bee");
	settle();
	ck_assert(hit("a", 1, "one") && hit("b", 1, "bee"));
	/* Served on the directory's stamp alone: an edit in place of the
	 * file (which store_fs never makes) leaves the directory as it was,
	 * and is not looked at. */
	name_dir("a", a, sizeof(a));
	snprintf(rec, sizeof(rec), "%s/1", a);
	edit_in_place(rec, "ONE");
	ck_assert(hit("a", 1, "one"));
	tu_write(a, "2", "two", 0600);	/* a newer revision */
	ck_assert(!hit("a", 1, "one"));
	ck_assert_int_eq(unlink(tu_write(a, "2", "two", 0600)), 0);
	ck_assert(!hit("a", 1, "one"));	/* unsettled: the file has changed */
	removed_then_linked("b", "bee");
	cache_close();
}
END_TEST

START_TEST(test_watched_directory)
{
	char a[PATH_MAX + FS_REL_MAX], rec[sizeof(a) + 8];
	char outside[PATH_MAX + 16];

	cache_open(16, 1);
	put("a", 1, "one");
	put("b", 1, "bee");
	ck_assert(hit("a", 1, "one") && hit("b", 1, "bee"));	/* watched */
	/* Served on the watch alone, at once (no settling): a change to the
	 * file that does not go through the directory (a hard link made
	 * elsewhere, which store_fs never makes) is not looked at. */
	name_dir("a", a, sizeof(a));
	snprintf(rec, sizeof(rec), "%s/1", a);
	snprintf(outside, sizeof(outside), "%s/outside", root);
	ck_assert_int_eq(link(rec, outside), 0);
	edit_in_place(outside, "ONE");
	ck_assert(hit("a", 1, "one"));
	/* Through the directory, an edit in place is seen. */
	edit_in_place(rec, "one");
	ck_assert(!hit("a", 1, "one"));
	put("a", 1, "one");
	ck_assert(hit("a", 1, "one") && hit("a", 1, "one"));
	tu_write(a, "2", "two", 0600);	/* a newer revision */
	ck_assert(!hit("a", 1, "one"));
	ck_assert_int_eq(unlink(tu_write(a, "2", "two", 0600)), 0);
	ck_assert(hit("a", 1, "one") && hit("a", 1, "one"));	/* re-armed */
	removed_then_linked("b", "bee");
	cache_close();
}
END_TEST

/* A directory above a watched name (its KIND/XX) moved away and a copy
 * put in its place: the name's own watch hears nothing, so the watch on
 * the one above must, or writes into the copy would go unseen. */
START_TEST(test_watched_above)
{
	char a[PATH_MAX + FS_REL_MAX], up[sizeof(a)], cmd[4 * sizeof(a) + 32];

	cache_open(16, 1);
	put("a", 1, "one");
	ck_assert(hit("a", 1, "one") && hit("a", 1, "one"));
	name_dir("a", a, sizeof(a));
	snprintf(up, sizeof(up), "%s", a);
	*strrchr(up, '/') = '\0';
	snprintf(cmd, sizeof(cmd), "mv %s %s.old && cp -a %s.old %s", up, up,
	    up, up);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert(!hit("a", 1, "one"));
	tu_write(a, "2", "two", 0600);	/* a write into the copy */
	ck_assert(!hit("a", 1, "one"));
	/* The original back, watched again, then a link in its place. */
	snprintf(cmd, sizeof(cmd), "rm -r %s && mv %s.old %s", up, up, up);
	ck_assert_int_eq(system(cmd), 0);
	put("a", 1, "one");
	ck_assert(hit("a", 1, "one") && hit("a", 1, "one"));
	snprintf(cmd, sizeof(cmd), "mv %s %s.old && ln -s %s.old %s", up, up,
	    up, up);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert(!hit("a", 1, "one"));
	cache_close();
}
END_TEST

/* More events than the queue holds: the one that mattered is lost with
 * the rest, and every entry is checked again. */
START_TEST(test_watch_lost_events)
{
	char a[PATH_MAX + FS_REL_MAX], b[sizeof(a)];
	int fd[2];

	cache_open(16, 1);
	put("a", 1, "one");
	put("b", 1, "bee");
	ck_assert(hit("a", 1, "one") && hit("b", 1, "bee"));
	name_dir("a", a, sizeof(a));
	name_dir("b", b, sizeof(b));
	/* Writes to two files in b by turns, events that cannot be merged,
	 * fill the queue (16384 by default) ... */
	ck_assert_int_ge(fd[0] = open(tu_write(b, "x", "", 0600), O_WRONLY),
	    0);
	ck_assert_int_ge(fd[1] = open(tu_write(b, "y", "", 0600), O_WRONLY),
	    0);
	for (int i = 0; i < 40000; i++)
		ck_assert_int_eq(write(fd[i % 2], "z", 1), 1);
	close(fd[0]);
	close(fd[1]);
	/* ... so a newer revision of a raises no event of its own. */
	tu_write(a, "2", "two", 0600);
	ck_assert(!hit("a", 1, "one"));
	ck_assert(hit("b", 1, "bee"));	/* checked again: still current */
	cache_close();
}
END_TEST

static Suite *
fs_cache_suite(void)
{
	Suite *s = suite_create("fs_cache");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_key_ids);
	tcase_add_test(tc, test_set_keeps_all_its_names);
	tcase_add_test(tc, test_one_entry);
	tcase_add_test(tc, test_full_cache_keeps_nearly_all);
	tcase_add_loop_test(tc, test_follows_disk, 0, 2);
	tcase_add_test(tc, test_settled_directory);
	tcase_add_test(tc, test_watched_directory);
	tcase_add_test(tc, test_watched_above);
	tcase_add_test(tc, test_watch_lost_events);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(fs_cache_suite());
}
