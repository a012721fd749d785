/*
 * check_store_fs.c - what store_fs promises beyond the store contract:
 * safe permissions, refusing foreign directories, naming corrupt files,
 * surviving stale hints and crash leftovers, never following a swapped-in
 * symlink, and leaving nothing behind when a write fails.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "modules.h"
#include "testutil.h"

static struct conf conf;
static struct modules mods;
static const struct coffer_store_ops *ops;
static char root[PATH_MAX];

/* Open store_fs on ROOT with EXTRA settings; 0 or -1 (log captured). */
static int
open_store(const char *extra)
{
	char text[2 * PATH_MAX], name[64], parent[PATH_MAX];
	char *so = getenv("STORE_FS_SO");
	const char *path;

	ck_assert_msg(so != NULL, "STORE_FS_SO is not set");
	snprintf(text, sizeof(text), "listen = \"tcp://127.0.0.1:1\";\n"
	    "server_key = \"k\";\nauth = ( { module = \"x\"; control = "
	    "\"required\"; } );\nstore = { module = \"%s\";\n"
	    "  path = \"%s\"; %s };\n", so, root, extra);
	/* The config goes beside the store (a test may run as nobody). */
	snprintf(parent, sizeof(parent), "%s", root);
	if (strrchr(parent, '/') != NULL)
		*strrchr(parent, '/') = '\0';
	if (parent[0] != '/' || access(parent, W_OK) != 0)
		snprintf(parent, sizeof(parent), "%s", tu_tmpdir());
	snprintf(name, sizeof(name), "cofferd-%ld.conf", (long)getpid());
	path = tu_write(parent, name, text, 0600);
	tu_log_capture();
	ck_assert_msg(conf_load(&conf, path) == 0, "%s", tu_log_text());
	if (modules_open_store(&mods, &conf) < 0) {
		conf_free(&conf);
		return -1;
	}
	ops = mods.store.mod->desc->store;
	return 0;
}

static void
close_store(void)
{
	modules_close(&mods);
	conf_free(&conf);
}

static void
setup(void)
{
	snprintf(root, sizeof(root), "%s/store", tu_tmpdir());
}

static void
teardown(void)
{
	tu_cleanup();
}

static enum coffer_rc
put(const char *name, uint64_t rev, const char *data)
{
	struct coffer_error err = { "" };

	return ops->put(mods.store.inst, "secret", name, rev, data,
	    strlen(data), &err);
}

static enum coffer_rc
get(const char *name, uint64_t rev, struct coffer_buf *b, uint64_t *rev_r,
    struct coffer_error *err)
{
	uint64_t r = 0;

	return ops->get(mods.store.inst, "secret", name, rev,
	    rev_r ? rev_r : &r, b, err);
}

/* The directory of NAME, found by listing (the test need not hash). */
static void
name_dir(char *out, size_t len)
{
	char cmd[3 * PATH_MAX];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls -d %s/secret/*/*", root);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(out, (int)len, p));
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

START_TEST(test_creates_private_root)
{
	struct stat st;

	ck_assert_msg(open_store("") == 0, "%s", tu_log_text());
	ck_assert_int_eq(stat(root, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	ck_assert_int_eq(put("a", 1, "x"), COFFER_OK);
	close_store();
}
END_TEST

START_TEST(test_modes)
{
	char dir[PATH_MAX], file[PATH_MAX + 8];
	struct stat st;

	umask(022);	/* the module must not rely on the daemon's umask */
	ck_assert(open_store("") == 0);
	ck_assert_int_eq(put("a", 1, "x"), COFFER_OK);
	name_dir(dir, sizeof(dir));
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	snprintf(file, sizeof(file), "%s/1", dir);
	ck_assert_int_eq(stat(file, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	close_store();
}
END_TEST

START_TEST(test_refuses_open_root)
{
	ck_assert_int_eq(mkdir(root, 0755), 0);
	chmod(root, 0755);
	ck_assert_int_eq(open_store(""), -1);
	ck_assert_msg(tu_log_has("has mode 0755: others may read or write "
	    "it; run chmod 700"), "%s", tu_log_text());
	ck_assert_msg(open_store("strict_permissions = false;") == 0, "%s",
	    tu_log_text());
	close_store();
}
END_TEST

START_TEST(test_refuses_foreign_dir)
{
	char f[PATH_MAX + 16];

	ck_assert_int_eq(mkdir(root, 0700), 0);
	snprintf(f, sizeof(f), "%s/passwd", root);
	tu_write(root, "passwd", "root:x:0:0\n", 0600);
	ck_assert_int_eq(open_store(""), -1);
	ck_assert(tu_log_has("is not empty and not a store_fs directory"));
	unlink(f);
	tu_write(root, "format", "coffer store_fs 99\n", 0600);
	ck_assert_int_eq(open_store(""), -1);
	ck_assert(tu_log_has("/format: not a store_fs format"));
}
END_TEST

START_TEST(test_bad_settings)
{
	snprintf(root, sizeof(root), "relative/store");
	ck_assert_int_eq(open_store(""), -1);
	ck_assert(tu_log_has(".conf:5: 'path' must be an absolute path"));
	setup();
	ck_assert_int_eq(open_store("create = false;"), -1);
	ck_assert(tu_log_has("No such file or directory"));
	ck_assert_int_eq(open_store("max_record = 0;"), -1);
	ck_assert(tu_log_has("'max_record' must be 1 to 67108864 bytes"));
	ck_assert_int_eq(open_store("cache = -1;"), -1);
	ck_assert(tu_log_has(".conf:5: 'cache' must be 0 to 16777216 records"));
	ck_assert_int_eq(open_store("fsync = \"yes\";"), -1);
	ck_assert(tu_log_has("'fsync' of module store_fs must be true or "
	    "false"));
}
END_TEST

START_TEST(test_fsync_off_warns)
{
	ck_assert(open_store("fsync = false;") == 0);
	ck_assert(tu_log_has("fsync = false: writes acknowledged"));
	close_store();
}
END_TEST

START_TEST(test_durable_across_reopen)
{
	struct coffer_error err = { "" };
	struct coffer_buf b = { 0 };
	uint64_t rev;

	ck_assert(open_store("") == 0);
	ck_assert_int_eq(put("k", 1, "one"), COFFER_OK);
	ck_assert_int_eq(put("k", 2, "two"), COFFER_OK);
	close_store();
	ck_assert(open_store("") == 0);
	ck_assert_int_eq(get("k", 0, &b, &rev, &err), COFFER_OK);
	ck_assert_uint_eq(rev, 2);
	ck_assert_int_eq(memcmp(b.data, "two", 3), 0);
	buf_free(&b);
	close_store();
}
END_TEST

/* Damage revision 1 of "k" with CMD (a shell command on FILE). */
static void
damage(const char *how, const char *want)
{
	char dir[PATH_MAX], cmd[3 * PATH_MAX];
	struct coffer_error err = { "" };
	struct coffer_buf b = { 0 };

	setup();
	ck_assert(open_store("") == 0);
	ck_assert_int_eq(put("k", 1, "the sealed record"), COFFER_OK);
	ck_assert_int_eq(put("k", 2, "the next one"), COFFER_OK);
	name_dir(dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd), "f=%s/1; %s", dir, how);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(get("k", 1, &b, NULL, &err), COFFER_ERROR);
	ck_assert_msg(strstr(err.msg, "corrupt record ") != NULL &&
	    strstr(err.msg, "/1: ") != NULL && strstr(err.msg, want) != NULL,
	    "message: %s", err.msg);
	ck_assert_msg(strstr(err.msg, "sealed") == NULL, "record data in "
	    "the message: %s", err.msg);
	ck_assert_int_eq(get("k", 2, &b, NULL, &err), COFFER_OK);
	buf_free(&b);
	close_store();
	tu_cleanup();
}

START_TEST(test_corrupt_records)
{
	damage("printf X | dd of=$f bs=1 seek=40 conv=notrunc 2>/dev/null",
	    "checksum mismatch");
	damage("truncate -s 45 $f", "length does not match");
	damage("truncate -s 10 $f", "truncated");
	damage("truncate -s 0 $f", "truncated");
	damage("printf JUNK | dd of=$f bs=1 conv=notrunc 2>/dev/null",
	    "not a record file");
	damage("printf '\\002' | dd of=$f bs=1 seek=4 conv=notrunc "
	    "2>/dev/null", "unknown format version");
}
END_TEST

/* The latest revision, known from an earlier read, damaged since. */
START_TEST(test_corrupt_latest)
{
	char dir[PATH_MAX], cmd[3 * PATH_MAX];
	struct coffer_error err = { "" };
	struct coffer_buf b = { 0 };
	uint64_t rev = 0;

	ck_assert(open_store("") == 0);
	ck_assert_int_eq(put("k", 1, "the sealed record"), COFFER_OK);
	ck_assert_int_eq(put("k", 2, "the next one"), COFFER_OK);
	ck_assert_int_eq(get("k", 0, &b, &rev, &err), COFFER_OK);
	ck_assert_uint_eq(rev, 2);
	buf_free(&b);
	name_dir(dir, sizeof(dir));
	usleep(20000);		/* see follows_disk() */
	snprintf(cmd, sizeof(cmd), "printf X | dd of=%s/2 bs=1 seek=40 "
	    "conv=notrunc 2>/dev/null", dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(get("k", 0, &b, &rev, &err), COFFER_ERROR);
	ck_assert_msg(strstr(err.msg, "/2: checksum mismatch") != NULL,
	    "message: %s", err.msg);
	buf_free(&b);
	close_store();
}
END_TEST

START_TEST(test_tampered_name)
{
	char dir[PATH_MAX], file[PATH_MAX + 8];
	struct coffer_error err = { "" };
	struct coffer_buf b = { 0 };

	ck_assert(open_store("") == 0);
	ck_assert_int_eq(put("mine", 1, "x"), COFFER_OK);
	name_dir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/name", dir);
	chmod(file, 0600);
	tu_write(dir, "name", "yours", 0600);
	ck_assert_int_eq(get("mine", 0, &b, NULL, &err), COFFER_ERROR);
	ck_assert_msg(strstr(err.msg, "does not match its hash") != NULL,
	    "%s", err.msg);
	close_store();
}
END_TEST

START_TEST(test_stale_hints)
{
	static const char *const hints[] = { "999\n", "abc", "", "2\n",
	    "0\n", "18446744073709551615\n" };
	char dir[PATH_MAX], hint[PATH_MAX + 8];
	struct coffer_error err = { "" };
	struct coffer_buf b = { 0 };
	uint64_t rev;

	ck_assert(open_store("") == 0);
	for (uint64_t r = 1; r <= 9; r++)
		ck_assert_int_eq(put("h", r, "v"), COFFER_OK);
	name_dir(dir, sizeof(dir));
	snprintf(hint, sizeof(hint), "%s/latest", dir);
	for (size_t i = 0; i < sizeof(hints) / sizeof(*hints); i++) {
		unlink(hint);
		tu_write(dir, "latest", hints[i], 0600);
		ck_assert_int_eq(get("h", 0, &b, &rev, &err), COFFER_OK);
		ck_assert_msg(rev == 9, "hint \"%s\": latest %llu", hints[i],
		    (unsigned long long)rev);
	}
	unlink(hint);
	ck_assert_int_eq(get("h", 0, &b, &rev, &err), COFFER_OK);
	ck_assert_uint_eq(rev, 9);
	ck_assert_int_eq(put("h", 10, "v"), COFFER_OK);
	ck_assert_int_eq(put("h", 10, "v"), COFFER_CONFLICT);
	buf_free(&b);
	close_store();
}
END_TEST

/* A revision another daemon wrote is seen at once, though this one
 * remembers an older latest. */
START_TEST(test_newer_from_elsewhere)
{
	char dir[PATH_MAX], cmd[5 * PATH_MAX];
	struct coffer_error err = { "" };
	struct coffer_buf b = { 0 };
	uint64_t rev = 0;

	ck_assert(open_store("") == 0);
	ck_assert_int_eq(put("k", 1, "one"), COFFER_OK);
	ck_assert_int_eq(get("k", 0, &b, &rev, &err), COFFER_OK);
	ck_assert_uint_eq(rev, 1);
	buf_free(&b);
	name_dir(dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd), "cp -p %s/1 %s/.2 && mv %s/.2 %s/2", dir,
	    dir, dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(get("k", 0, &b, &rev, &err), COFFER_OK);
	ck_assert_uint_eq(rev, 2);
	buf_free(&b);
	/* Removed elsewhere: gone here too. */
	snprintf(cmd, sizeof(cmd), "rm -r %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(get("k", 0, &b, &rev, &err), COFFER_NOT_FOUND);
	close_store();
}
END_TEST

/* get_latest_many() of a, a missing name and b: what get() answers. */
static void
expect_many(uint64_t rev_a, const char *a, uint64_t rev_b, const char *b)
{
	static const char *const names[] = { "a", "missing", "b" };
	struct coffer_buf bufs[3] = { { 0 } };
	struct coffer_buf *const outs[] = { &bufs[0], &bufs[1], &bufs[2] };
	struct coffer_error err = { "" };
	enum coffer_rc rcs[3];
	uint64_t revs[3];

	ck_assert_ptr_nonnull(ops->get_latest_many);
	ck_assert_msg(ops->get_latest_many(mods.store.inst, "secret",
	    names, 3, outs, revs, rcs, &err) == COFFER_OK, "%s", err.msg);
	ck_assert_int_eq(rcs[0], COFFER_OK);
	ck_assert_int_eq(rcs[1], COFFER_NOT_FOUND);
	ck_assert_int_eq(rcs[2], COFFER_OK);
	ck_assert(revs[0] == rev_a && revs[2] == rev_b);
	ck_assert(bufs[0].len == strlen(a) && memcmp(bufs[0].data, a,
	    bufs[0].len) == 0);
	ck_assert(bufs[2].len == strlen(b) && memcmp(bufs[2].data, b,
	    bufs[2].len) == 0);
	for (int i = 0; i < 3; i++)
		buf_free(&bufs[i]);
}

/* Many names read together, from disk and then from the cache, and a
 * revision written elsewhere seen at once. */
START_TEST(test_get_latest_many)
{
	char dir[PATH_MAX], cmd[5 * PATH_MAX];

	ck_assert(open_store("") == 0);
	ck_assert_int_eq(put("a", 1, "one"), COFFER_OK);
	name_dir(dir, sizeof(dir));	/* a's: the only one yet */
	ck_assert_int_eq(put("b", 1, "bee"), COFFER_OK);
	ck_assert_int_eq(put("b", 2, "bee2"), COFFER_OK);
	for (int i = 0; i < 3; i++)
		expect_many(1, "one", 2, "bee2");
	snprintf(cmd, sizeof(cmd), "cp -p %s/1 %s/.2 && mv %s/.2 %s/2", dir,
	    dir, dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	expect_many(2, "one", 2, "bee2");
	close_store();
}
END_TEST

static void
expect_latest(uint64_t want_rev, const char *want)
{
	struct coffer_error err = { "" };
	struct coffer_buf b = { 0 };
	uint64_t rev = 0;

	ck_assert_int_eq(get("k", 0, &b, &rev, &err), COFFER_OK);
	ck_assert_uint_eq(rev, want_rev);
	ck_assert_uint_eq(b.len, strlen(want));
	ck_assert(memcmp(b.data, want, b.len) == 0);
	buf_free(&b);
}

/* What another daemon does to a record this one has read (and, with the
 * cache on, keeps) is seen at the next read. */
static void
follows_disk(const char *settings)
{
	char dir[PATH_MAX], cmd[5 * PATH_MAX];
	struct coffer_error err = { "" };
	struct coffer_buf b = { 0 };

	setup();
	ck_assert(open_store(settings) == 0);
	ck_assert_int_eq(put("k", 1, "one"), COFFER_OK);
	ck_assert_int_eq(put("k", 2, "two"), COFFER_OK);
	for (int i = 0; i < 3; i++)
		expect_latest(2, "two");
	name_dir(dir, sizeof(dir));
	/* Resealed elsewhere: a new file renamed over revision 2. */
	snprintf(cmd, sizeof(cmd), "cp -p %s/1 %s/.x && mv %s/.x %s/2", dir,
	    dir, dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	expect_latest(2, "one");
	expect_latest(2, "one");
	/* Damaged in place.  After a tick of the kernel's clock: an edit in
	 * the tick the file was written in leaves its change time as it
	 * was, and the cache serves the bytes read (and checked) before. */
	usleep(20000);
	snprintf(cmd, sizeof(cmd), "printf X | dd of=%s/2 bs=1 seek=33 "
	    "conv=notrunc 2>/dev/null", dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(get("k", 0, &b, NULL, &err), COFFER_ERROR);
	ck_assert_msg(strstr(err.msg, "/2: checksum mismatch") != NULL,
	    "%s: %s", settings, err.msg);
	/* Removed elsewhere. */
	snprintf(cmd, sizeof(cmd), "rm -r %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(get("k", 0, &b, NULL, &err), COFFER_NOT_FOUND);
	buf_free(&b);
	close_store();
	tu_cleanup();
}

START_TEST(test_cache_follows_disk)
{
	follows_disk("");			/* watched */
	follows_disk("watch = false;");		/* stamps and checks */
	follows_disk("cache = 0;");
	follows_disk("cache = 1;");
	follows_disk("cache = 1; watch = false;");
}
END_TEST

START_TEST(test_crash_leftovers)
{
	char old[PATH_MAX + 32], young[PATH_MAX + 32], tmp[PATH_MAX + 8];
	struct timeval tv[2] = { { 1000, 0 }, { 1000, 0 } };

	ck_assert(open_store("") == 0);
	ck_assert_int_eq(put("k", 1, "x"), COFFER_OK);
	close_store();
	snprintf(tmp, sizeof(tmp), "%s/.tmp", root);
	tu_write(tmp, "tmp-0000000000000001", "half a record", 0600);
	snprintf(old, sizeof(old), "%s/tmp-0000000000000001", tmp);
	ck_assert_int_eq(utimes(old, tv), 0);
	tu_write(tmp, "tmp-0000000000000002", "a write in progress", 0600);
	snprintf(young, sizeof(young), "%s/tmp-0000000000000002", tmp);
	ck_assert(open_store("") == 0);
	ck_assert_msg(access(old, F_OK) < 0, "old leftover still there");
	ck_assert_msg(access(young, F_OK) == 0, "young temporary removed");
	ck_assert_int_eq(put("k", 2, "y"), COFFER_OK);
	close_store();
}
END_TEST

START_TEST(test_symlink_swap)
{
	char dir[PATH_MAX], elsewhere[PATH_MAX + 16], cmd[5 * PATH_MAX];
	struct coffer_error err = { "" };
	struct coffer_buf b = { 0 };

	ck_assert(open_store("") == 0);
	ck_assert_int_eq(put("k", 1, "x"), COFFER_OK);
	for (int i = 0; i < 2; i++) {	/* known, and cached */
		ck_assert_int_eq(get("k", 0, &b, NULL, &err), COFFER_OK);
		buf_free(&b);
	}
	name_dir(dir, sizeof(dir));
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere", tu_tmpdir());
	snprintf(cmd, sizeof(cmd), "mv %s %s && ln -s %s %s", dir, elsewhere,
	    elsewhere, dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(get("k", 0, &b, NULL, &err), COFFER_ERROR);
	buf_free(&b);		/* the caller's, whatever get() answered */
	ck_assert_int_eq(put("k", 2, "y"), COFFER_ERROR);
	snprintf(cmd, sizeof(cmd), "test ! -e %s/2", elsewhere);
	ck_assert_int_eq(system(cmd), 0);
	close_store();
}
END_TEST

START_TEST(test_failed_write_leaves_nothing)
{
	struct rlimit small = { 4096, 4096 };
	struct coffer_error err = { "" };
	char big[8192], cmd[3 * PATH_MAX];

	signal(SIGXFSZ, SIG_IGN);
	ck_assert(open_store("") == 0);
	ck_assert_int_eq(put("k", 1, "x"), COFFER_OK);
	memset(big, 'b', sizeof(big));
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
	ck_assert_int_eq(ops->put(mods.store.inst, "secret", "k", 2, big,
	    sizeof(big), &err), COFFER_ERROR);
	ck_assert_msg(strstr(err.msg, "write record in ") != NULL &&
	    strstr(err.msg, "/.tmp: File too large") != NULL, "%s", err.msg);
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s/.tmp)\"", root);
	ck_assert_msg(system(cmd) == 0, ".tmp not empty");
	ck_assert_int_eq(put("k", 2, "small"), COFFER_OK);
	close_store();
}
END_TEST

START_TEST(test_remove_leaves_nothing)
{
	struct coffer_error err = { "" };
	char cmd[3 * PATH_MAX];

	ck_assert(open_store("") == 0);
	ck_assert_int_eq(put("k", 1, "x"), COFFER_OK);
	ck_assert_int_eq(ops->remove(mods.store.inst, "secret", "k", &err),
	    COFFER_OK);
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s/.trash)\" && "
	    "test -z \"$(find %s/secret -mindepth 2)\"", root, root);
	ck_assert_msg(system(cmd) == 0, "leftovers after remove");
	close_store();
}
END_TEST

START_TEST(test_concurrent_init)
{
	pid_t kids[8];
	int status, ok = 0;

	/* Eight daemons starting on one fresh directory at once. */
	for (int i = 0; i < 8; i++) {
		if ((kids[i] = fork()) == 0) {
			int rc = open_store("");

			if (rc == 0) {
				enum coffer_rc p = put("k", 1, "x");

				rc = p == COFFER_OK || p == COFFER_CONFLICT ?
				    0 : 1;
				close_store();
			}
			_exit(rc == 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < 8; i++) {
		waitpid(kids[i], &status, 0);
		ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	ck_assert_int_eq(ok, 8);
}
END_TEST

/* Read every revision of "k" from 1 to LATEST: all must be intact. */
static void
expect_intact(uint64_t latest)
{
	struct coffer_error err = { "" };
	struct coffer_buf b = { 0 };

	for (uint64_t r = 1; r <= latest; r++)
		ck_assert_msg(get("k", r, &b, NULL, &err) == COFFER_OK &&
		    b.len == 12000 && b.data[0] == (uint8_t)r, "revision %llu: "
		    "%s", (unsigned long long)r, err.msg);
	buf_free(&b);
}

START_TEST(test_disk_full)
{
	struct coffer_error err = { "" };
	char data[12000], cmd[3 * PATH_MAX];
	uint64_t r;
	enum coffer_rc rc = COFFER_OK;

	/* A 128 KiB file system of our own, in a private mount namespace
	 * that disappears with this test process. */
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		fprintf(stderr, "test_disk_full: no mount namespace (%s): "
		    "not run\n", strerror(errno));
		return;
	}
	ck_assert_int_eq(mkdir(root, 0700), 0);
	ck_assert_msg(mount("tmpfs", root, "tmpfs", 0, "size=128k,mode=0700")
	    == 0, "mount: %s", strerror(errno));
	ck_assert(open_store("") == 0);
	for (r = 1; r < 100; r++) {
		memset(data, (int)r, sizeof(data));
		rc = ops->put(mods.store.inst, "secret", "k", r, data,
		    sizeof(data), &err);
		if (rc != COFFER_OK)
			break;
	}
	ck_assert_msg(rc == COFFER_UNAVAILABLE, "rc %d: %s", rc, err.msg);
	ck_assert_msg(strstr(err.msg, "No space left on device") != NULL &&
	    strstr(err.msg, root) != NULL, "%s", err.msg);
	expect_intact(r - 1);
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s/.tmp)\"", root);
	ck_assert_msg(system(cmd) == 0, "a partial write was left in .tmp");
	/* Space again: the next write of the same revision succeeds. */
	ck_assert_int_eq(put("filler", 1, "x"), COFFER_OK);
	ck_assert_int_eq(ops->remove(mods.store.inst, "secret", "k", &err),
	    COFFER_OK);
	ck_assert_int_eq(put("k", 1, "fits now"), COFFER_OK);
	close_store();
	umount(root);
}
END_TEST

START_TEST(test_permission_denied)
{
	char dir[] = "/tmp/coffer-eacces.XXXXXX", name[PATH_MAX];
	char tmp[PATH_MAX + 8], cmd[PATH_MAX + 16];
	struct coffer_error err = { "" };

	if (geteuid() != 0)
		return;	/* needs to become another user */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chown(dir, 65534, 65534), 0);
	ck_assert_int_eq(setgid(65534), 0);
	ck_assert_int_eq(setuid(65534), 0);
	snprintf(root, sizeof(root), "%s/store", dir);
	ck_assert_msg(open_store("") == 0, "%s", tu_log_text());
	ck_assert_int_eq(put("k", 1, "x"), COFFER_OK);
	/* The name's directory made read-only: publishing fails. */
	name_dir(name, sizeof(name));
	chmod(name, 0500);
	ck_assert_int_eq(ops->put(mods.store.inst, "secret", "k", 2, "y", 1,
	    &err), COFFER_ERROR);
	ck_assert_msg(strstr(err.msg, "Permission denied") != NULL &&
	    strstr(err.msg, "/secret/") != NULL, "%s", err.msg);
	chmod(name, 0700);
	/* The temporary directory read-only: writing fails. */
	snprintf(tmp, sizeof(tmp), "%s/.tmp", root);
	chmod(tmp, 0500);
	ck_assert_int_eq(ops->put(mods.store.inst, "secret", "k", 2, "y", 1,
	    &err), COFFER_ERROR);
	ck_assert_msg(strstr(err.msg, "create record in ") != NULL &&
	    strstr(err.msg, "/.tmp: Permission denied") != NULL, "%s",
	    err.msg);
	chmod(tmp, 0700);
	ck_assert_int_eq(put("k", 2, "y"), COFFER_OK);
	close_store();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *
store_fs_suite(void)
{
	Suite *s = suite_create("store_fs");
	TCase *tc = tcase_create("store_fs");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_creates_private_root);
	tcase_add_test(tc, test_modes);
	tcase_add_test(tc, test_refuses_open_root);
	tcase_add_test(tc, test_refuses_foreign_dir);
	tcase_add_test(tc, test_bad_settings);
	tcase_add_test(tc, test_fsync_off_warns);
	tcase_add_test(tc, test_durable_across_reopen);
	tcase_add_test(tc, test_corrupt_records);
	tcase_add_test(tc, test_corrupt_latest);
	tcase_add_test(tc, test_tampered_name);
	tcase_add_test(tc, test_stale_hints);
	tcase_add_test(tc, test_newer_from_elsewhere);
	tcase_add_test(tc, test_get_latest_many);
	tcase_add_test(tc, test_cache_follows_disk);
	tcase_add_test(tc, test_crash_leftovers);
	tcase_add_test(tc, test_symlink_swap);
	tcase_add_test(tc, test_failed_write_leaves_nothing);
	tcase_add_test(tc, test_remove_leaves_nothing);
	tcase_add_test(tc, test_concurrent_init);
	tcase_add_test(tc, test_disk_full);
	tcase_add_test(tc, test_permission_denied);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(store_fs_suite());
}
