/*
 * store_fs.c - the store_fs module: sealed records in a local directory.
 *
 * Crash safety: a record is written to .tmp, fsync'd, renamed into its name
 * directory with RENAME_NOREPLACE (so of two writers of one revision exactly
 * one wins, across threads and processes), and the directory is fsync'd
 * before put() answers OK.  Leftovers of a crash stay in .tmp, where reads
 * never look, and are removed at the next start.  See coffer-store-fs(5).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"

#define FS_ERR(err, ...) snprintf((err)->msg, sizeof((err)->msg), __VA_ARGS__)
#define FS_DEFAULT_MAX_RECORD	(4 * 1024 * 1024)
#define FS_TMP_MAX_AGE		3600	/* seconds before .tmp leftovers go */

static const struct coffer_option fs_options[] = {
	{ "path", COFFER_OPT_STRING, COFFER_OPT_REQUIRED,
	  "absolute path of the store directory" },
	{ "create", COFFER_OPT_BOOL, 0,
	  "create the directory if missing (default true)" },
	{ "fsync", COFFER_OPT_BOOL, 0,
	  "make every write durable before answering (default true)" },
	{ "strict_permissions", COFFER_OPT_BOOL, 0,
	  "refuse a directory others may read or write (default true)" },
	{ "max_record", COFFER_OPT_INT, 0,
	  "largest record in bytes (default 4194304)" },
	{ "cache", COFFER_OPT_INT, 0,
	  "latest records kept in memory, sealed (default 4096; 0: none)" },
	{ "watch", COFFER_OPT_BOOL, 0,
	  "check cached records with inotify on a local file system "
	  "(default true)" },
	{ NULL, 0, 0, NULL }
};

/* The directory must be ours and closed to everyone else. */
static enum coffer_rc
fs_check_root(const char *path, int strict, struct coffer_error *err)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		FS_ERR(err, "%s: %s", path, strerror(errno));
		return COFFER_ERROR;
	}
	if (!S_ISDIR(st.st_mode)) {
		FS_ERR(err, "%s: not a directory", path);
		return COFFER_ERROR;
	}
	if (!strict)
		return COFFER_OK;
	if (st.st_uid != geteuid()) {
		FS_ERR(err, "%s is owned by uid %u, not the daemon's uid %u "
		    "(or set strict_permissions = false)", path,
		    (unsigned)st.st_uid, (unsigned)geteuid());
		return COFFER_ERROR;
	}
	if (st.st_mode & 077) {
		FS_ERR(err, "%s has mode %04o: others may read or write it; "
		    "run chmod 700 %s (or set strict_permissions = false)",
		    path, (unsigned)(st.st_mode & 07777), path);
		return COFFER_ERROR;
	}
	return COFFER_OK;
}

/* 1 if the directory holds nothing but what a store starting up makes
 * (another daemon may be initialising it right now), 0 otherwise. */
static int
fs_dir_is_fresh(int dirfd)
{
	static const char *const ours[] = { ".", "..", "format", ".tmp",
	    ".trash" };
	int fd = dup(dirfd), fresh = 1;
	struct dirent *e;
	DIR *dir;

	if (fd < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (fresh && (e = readdir(dir)) != NULL) {
		size_t i = 0;

		while (i < sizeof(ours) / sizeof(*ours) &&
		    strcmp(e->d_name, ours[i]) != 0)
			i++;
		fresh = i < sizeof(ours) / sizeof(*ours) ||
		    strncmp(e->d_name, ".format-", 8) == 0;
	}
	closedir(dir);
	return fresh;
}

/* Make an empty directory a store: the format file appears complete, in
 * one link(), and a daemon doing the same at the same time is no error. */
static enum coffer_rc
fs_init_format(struct fs *fs, struct coffer_error *err)
{
	char tmp[FS_TMP_NAME + 8] = ".format-";
	int fd, e = 0;

	fs_tmp_name(tmp + 8);
	fd = openat(fs->root, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600);
	if (fd < 0 || write(fd, FS_FORMAT, strlen(FS_FORMAT)) < 0 ||
	    (fs->durable && fsync(fd) < 0) ||
	    (linkat(fs->root, tmp, fs->root, "format", 0) < 0 &&
	    errno != EEXIST))
		e = errno;
	if (fd >= 0)
		close(fd);
	unlinkat(fs->root, tmp, 0);
	if (e == 0 && fs->durable && fsync(fs->root) < 0)
		e = errno;
	if (e != 0) {
		FS_ERR(err, "cannot initialise %s: %s", fs->path, strerror(e));
		return COFFER_ERROR;
	}
	return COFFER_OK;
}

/* A store directory holds our format file; an empty one becomes one. */
static enum coffer_rc
fs_check_format(struct fs *fs, struct coffer_error *err)
{
	char buf[64];
	ssize_t n;
	int fd = openat(fs->root, "format", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 && errno == ENOENT) {
		if (fs_dir_is_fresh(fs->root) &&
		    fs_init_format(fs, err) != COFFER_OK)
			return COFFER_ERROR;
		/* Made just now, by us or by a daemon starting beside us (a
		 * store links "format" before anything else appears). */
		fd = openat(fs->root, "format", O_RDONLY | O_CLOEXEC |
		    O_NOFOLLOW);
		if (fd < 0 && errno == ENOENT) {
			FS_ERR(err, "%s is not empty and not a store_fs "
			    "directory (no 'format' file)", fs->path);
			return COFFER_ERROR;
		}
	}
	if (fd < 0) {
		FS_ERR(err, "%s/format: %s", fs->path, strerror(errno));
		return COFFER_ERROR;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n != (ssize_t)strlen(FS_FORMAT) || memcmp(buf, FS_FORMAT,
	    (size_t)n) != 0) {
		FS_ERR(err, "%s/format: not a store_fs format this module "
		    "reads", fs->path);
		return COFFER_ERROR;
	}
	return COFFER_OK;
}

/* Remove what crashes left: old .tmp entries, everything in .trash.  A
 * young .tmp entry may be another daemon's write in progress. */
static void
fs_sweep(struct fs *fs)
{
	time_t now = time(NULL);
	struct dirent *e;
	struct stat st;
	DIR *dir;
	int fd;

	if ((fd = dup(fs->tmp)) >= 0 && (dir = fdopendir(fd)) != NULL) {
		while ((e = readdir(dir)) != NULL) {
			if (strncmp(e->d_name, "tmp-", 4) == 0 &&
			    fstatat(fs->tmp, e->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) == 0 &&
			    now - st.st_mtime > FS_TMP_MAX_AGE)
				fs_remove_tree(fs->tmp, e->d_name);
		}
		closedir(dir);
	}
	if ((fd = dup(fs->trash)) >= 0 && (dir = fdopendir(fd)) != NULL) {
		while ((e = readdir(dir)) != NULL) {
			if (e->d_name[0] != '.')
				fs_remove_tree(fs->trash, e->d_name);
		}
		closedir(dir);
	}
}

static enum coffer_rc
fs_subdir(struct fs *fs, const char *name, int *fd_r,
    struct coffer_error *err)
{
	if (mkdirat(fs->root, name, 0700) < 0 && errno != EEXIST)
		return fs_errno(fs, name, "mkdir", errno, err);
	*fd_r = openat(fs->root, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    O_NOFOLLOW);
	if (*fd_r < 0)
		return fs_errno(fs, name, "open", errno, err);
	return COFFER_OK;
}

static enum coffer_rc
fs_open_root(struct fs *fs, int create, int strict, struct coffer_error *err)
{
	enum coffer_rc rc;

	if (create && mkdir(fs->path, 0700) < 0 && errno != EEXIST) {
		FS_ERR(err, "cannot create %s: %s", fs->path, strerror(errno));
		return COFFER_ERROR;
	}
	if ((rc = fs_check_root(fs->path, strict, err)) != COFFER_OK)
		return rc;
	fs->root = open(fs->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->root < 0) {
		FS_ERR(err, "%s: %s", fs->path, strerror(errno));
		return COFFER_ERROR;
	}
	if ((rc = fs_check_format(fs, err)) != COFFER_OK ||
	    (rc = fs_subdir(fs, ".tmp", &fs->tmp, err)) != COFFER_OK ||
	    (rc = fs_subdir(fs, ".trash", &fs->trash, err)) != COFFER_OK)
		return rc;
	fs_sweep(fs);
	return COFFER_OK;
}

static void
fs_close(void *inst)
{
	struct fs *fs = inst;

	if (fs->root >= 0)
		close(fs->root);
	if (fs->tmp >= 0)
		close(fs->tmp);
	if (fs->trash >= 0)
		close(fs->trash);
	fs_memo_free(fs->memo);
	fs_cache_free(fs->cache);
	free(fs->path);
	free(fs);
}

/* Serve cached records on inotify watches where those see every change. */
static void
fs_watch_cache(struct fs *fs)
{
	const char *why;

	if (fs_cache_watch(fs->cache, fs->root, &why) < 0)
		fs->host->log(fs->host, COFFER_LOG_INFO, "%s: not watched (%s);"
		    " cached records are checked on disk", fs->path, why);
}

static enum coffer_rc
fs_open(const struct coffer_host *host, const struct coffer_conf *conf,
    void **inst_r, struct coffer_error *err)
{
	const char *path = host->conf_string(conf, "path", NULL);
	int64_t max = host->conf_int(conf, "max_record", FS_DEFAULT_MAX_RECORD);
	int64_t cache = host->conf_int(conf, "cache", FS_CACHE_DEFAULT);
	struct fs *fs;
	enum coffer_rc rc;

	if (path == NULL || path[0] != '/') {
		FS_ERR(err, "%s: 'path' must be an absolute path",
		    host->conf_where(conf, "path"));
		return COFFER_ERROR;
	}
	if (max < 1 || max > 64 * 1024 * 1024) {
		FS_ERR(err, "%s: 'max_record' must be 1 to 67108864 bytes",
		    host->conf_where(conf, "max_record"));
		return COFFER_ERROR;
	}
	if (cache < 0 || cache > FS_CACHE_MAX) {
		FS_ERR(err, "%s: 'cache' must be 0 to %d records",
		    host->conf_where(conf, "cache"), FS_CACHE_MAX);
		return COFFER_ERROR;
	}
	if (sodium_init() < 0 || (fs = calloc(1, sizeof(*fs))) == NULL) {
		FS_ERR(err, "out of memory");
		return COFFER_ERROR;
	}
	fs->host = host;
	fs->root = fs->tmp = fs->trash = -1;
	if ((fs->path = strdup(path)) == NULL ||
	    (fs->memo = fs_memo_new((size_t)cache)) == NULL ||
	    (cache > 0 && (fs->cache = fs_cache_new((size_t)cache)) == NULL)) {
		fs_close(fs);
		FS_ERR(err, "out of memory");
		return COFFER_ERROR;
	}
	fs->durable = host->conf_bool(conf, "fsync", 1);
	fs->max_record = (size_t)max;
	rc = fs_open_root(fs, host->conf_bool(conf, "create", 1),
	    host->conf_bool(conf, "strict_permissions", 1), err);
	if (rc != COFFER_OK) {
		fs_close(fs);
		return rc;
	}
	if (!fs->durable)
		host->log(host, COFFER_LOG_WARNING, "fsync = false: writes "
		    "acknowledged to clients may be lost in a crash");
	if (fs->cache != NULL && host->conf_bool(conf, "watch", 1))
		fs_watch_cache(fs);
	*inst_r = fs;
	return COFFER_OK;
}

static void
fs_limits(void *inst, struct coffer_store_limits *limits)
{
	limits->max_record = ((struct fs *)inst)->max_record;
}

/* Where (KIND, NAME) lives, and its directory open (created if CREATE). */
static enum coffer_rc
fs_open_name(struct fs *fs, const char *kind, const char *name, int create,
    struct fs_key *k, int *dirfd_r, struct coffer_error *err)
{
	enum coffer_rc rc = fs_key(kind, name, k, err);

	if (rc == COFFER_OK)
		rc = fs_name_dir(fs, k, name, create, dirfd_r, err);
	return rc;
}

/* Publish .tmp/TMP as revision REV, never replacing one. */
static enum coffer_rc
fs_publish(struct fs *fs, int d, const struct fs_key *k, const char *tmp,
    uint64_t rev, struct coffer_error *err)
{
	char file[24];

	snprintf(file, sizeof(file), "%" PRIu64, rev);
	if (renameat2(fs->tmp, tmp, d, file, RENAME_NOREPLACE) == 0)
		return fs_fsync_dir(fs, d, k->rel, err);
	if (errno == EINVAL) {
		/* No RENAME_NOREPLACE here: link() never replaces either. */
		if (linkat(fs->tmp, tmp, d, file, 0) == 0) {
			unlinkat(fs->tmp, tmp, 0);
			return fs_fsync_dir(fs, d, k->rel, err);
		}
	}
	if (errno == EEXIST) {
		unlinkat(fs->tmp, tmp, 0);
		return COFFER_CONFLICT;
	}
	unlinkat(fs->tmp, tmp, 0);
	return fs_errno(fs, k->rel, "publish record in", errno, err);
}

static enum coffer_rc
fs_put_in(struct fs *fs, int d, const struct fs_key *k, uint64_t rev,
    const void *data, size_t len, struct coffer_error *err)
{
	char tmp[FS_TMP_NAME];
	enum coffer_rc rc;
	int prev = 1;

	if (rev > 1 && (rc = fs_exists(fs, d, k->rel, rev - 1, &prev, err)) !=
	    COFFER_OK)
		return rc;
	if (!prev)
		return COFFER_CONFLICT;		/* would leave a gap */
	fs_tmp_name(tmp);
	if ((rc = fs_record_write(fs, tmp, data, len, err)) != COFFER_OK)
		return rc;
	if ((rc = fs_publish(fs, d, k, tmp, rev, err)) == COFFER_OK) {
		fs_hint_write(fs, d, rev);
		fs_memo_set_latest(fs->memo, fs_memo_key(k), rev);
	}
	return rc;
}

static enum coffer_rc
fs_put(void *inst, const char *kind, const char *name, uint64_t rev,
    const void *data, size_t len, struct coffer_error *err)
{
	struct fs *fs = inst;
	struct fs_key k;
	enum coffer_rc rc;
	int d;

	if (len > fs->max_record)
		return COFFER_TOO_LARGE;
	if (rev == 0) {
		FS_ERR(err, "revision 0 does not exist");
		return COFFER_ERROR;
	}
	if ((rc = fs_open_name(fs, kind, name, 1, &k, &d, err)) != COFFER_OK)
		return rc;
	rc = fs_put_in(fs, d, &k, rev, data, len, err);
	close(d);
	return rc;
}

/* The latest revision, starting from what this process last saw. */
static enum coffer_rc
fs_latest_known(struct fs *fs, int d, const struct fs_key *k,
    uint64_t *latest_r, struct coffer_error *err)
{
	uint64_t key = fs_memo_key(k);
	enum coffer_rc rc = fs_latest(fs, d, k->rel, fs_memo_latest(fs->memo,
	    key), latest_r, err);

	if (rc == COFFER_OK)
		fs_memo_set_latest(fs->memo, key, *latest_r);
	return rc;
}

/*
 * The latest revision of a name this process has seen, read without the
 * name's directory, when the cache did not have it: the remembered latest
 * opened from the store's root
 * (openat2, as fs_open_beneath() refuses links), and the next revision
 * found absent the same way.  *DONE_R is 0 when that does not settle it
 * (nothing remembered, a newer revision, no openat2, anything unusual):
 * then the full path decides.
 */
static enum coffer_rc
fs_get_remembered(struct fs *fs, const struct fs_key *k, uint64_t *rev_r,
    struct coffer_buf *out, int *done_r, struct coffer_error *err)
{
	uint64_t key = fs_memo_key(k), hint = fs_memo_latest(fs->memo, key);
	char path[FS_REL_MAX + 24];
	struct fs_loaded loaded;
	enum coffer_rc rc;
	int fd;

	*done_r = 0;
	if (hint == 0 || !fs_memo_name_known(fs->memo, key))
		return COFFER_OK;
	snprintf(path, sizeof(path), "%s/%" PRIu64, k->rel, hint);
	if ((fd = fs_open_beneath(fs, path, O_RDONLY | O_NOFOLLOW)) < 0)
		return COFFER_OK;
	if (!fs_absent_beneath(fs, k->rel, hint + 1)) {
		close(fd);
		return COFFER_OK;
	}
	*done_r = 1;
	if ((rc = fs_record_load(fs, fd, k->rel, hint, out, &loaded, err)) ==
	    COFFER_OK) {
		*rev_r = hint;
		fs_cache_put(fs, k, key, hint, &loaded);
	}
	close(fd);
	return rc;
}

/* The latest revision from the cache (fs_cache.c), found by K's id alone,
 * without its path.  Not through the memo: a name whose memo slot another
 * name took meanwhile is still served. */
static int
fs_get_cached(struct fs *fs, const struct fs_key *k, uint64_t *rev_r,
    struct coffer_buf *out)
{
	return fs_cache_get(fs, k, fs_memo_key(k), rev_r, out);
}

/* The latest revision, found on disk from what this process last saw. */
static enum coffer_rc
fs_get_latest(struct fs *fs, int d, const struct fs_key *k, uint64_t *rev_r,
    struct coffer_buf *out, struct coffer_error *err)
{
	enum coffer_rc rc;
	uint64_t latest;

	if ((rc = fs_latest_known(fs, d, k, &latest, err)) != COFFER_OK)
		return rc;
	if (latest == 0)
		return COFFER_NOT_FOUND;
	if ((rc = fs_record_read(fs, d, k->rel, latest, out, err)) ==
	    COFFER_OK)
		*rev_r = latest;
	return rc;
}

/* get() after fs_cache_sync(). */
static enum coffer_rc
fs_get_synced(struct fs *fs, const char *kind, const char *name,
    uint64_t rev, uint64_t *rev_r, struct coffer_buf *out,
    struct coffer_error *err)
{
	struct fs_key k;
	enum coffer_rc rc;
	int d, done = 0;

	if ((rc = fs_key_id(kind, name, &k, err)) != COFFER_OK)
		return rc;
	if (rev == 0 && fs_get_cached(fs, &k, rev_r, out))
		return COFFER_OK;
	fs_key_path(&k, name);
	if (rev == 0 && ((rc = fs_get_remembered(fs, &k, rev_r, out, &done,
	    err)) != COFFER_OK || done))
		return rc;
	if ((rc = fs_name_dir(fs, &k, name, 0, &d, err)) != COFFER_OK)
		return rc;
	if (rev == 0)
		rc = fs_get_latest(fs, d, &k, rev_r, out, err);
	else if ((rc = fs_record_read(fs, d, k.rel, rev, out, err)) ==
	    COFFER_OK)
		*rev_r = rev;
	close(d);
	return rc;
}

static enum coffer_rc
fs_get(void *inst, const char *kind, const char *name, uint64_t rev,
    uint64_t *rev_r, struct coffer_buf *out, struct coffer_error *err)
{
	struct fs *fs = inst;

	if (rev == 0)
		fs_cache_sync(fs->cache);
	return fs_get_synced(fs, kind, name, rev, rev_r, out, err);
}

/* Names one by one, but the cache's changes taken in once for all: a
 * service's secrets cost one read of the watch queue, not one each. */
static enum coffer_rc
fs_get_latest_many(void *inst, const char *kind, const char *const *names,
    size_t n, struct coffer_buf *const *outs, uint64_t *revs,
    enum coffer_rc *rcs, struct coffer_error *err)
{
	struct fs *fs = inst;

	fs_cache_sync(fs->cache);
	for (size_t i = 0; i < n; i++) {
		rcs[i] = fs_get_synced(fs, kind, names[i], 0, &revs[i],
		    outs[i], err);
		if (rcs[i] != COFFER_OK && rcs[i] != COFFER_NOT_FOUND)
			return rcs[i];
	}
	return COFFER_OK;
}

static enum coffer_rc
fs_revisions(void *inst, const char *kind, const char *name, uint64_t after,
    size_t limit, coffer_rev_cb cb, void *arg, struct coffer_error *err)
{
	struct fs *fs = inst;
	uint64_t latest = 0;
	struct fs_key k;
	enum coffer_rc rc;
	int d;

	if ((rc = fs_open_name(fs, kind, name, 0, &k, &d, err)) != COFFER_OK)
		return rc;
	rc = fs_latest_known(fs, d, &k, &latest, err);
	close(d);
	if (rc != COFFER_OK)
		return rc;
	if (latest == 0)
		return COFFER_NOT_FOUND;
	for (uint64_t r = after + 1; r <= latest && limit > 0; r++, limit--) {
		if (cb(arg, r) != 0)
			break;
	}
	return COFFER_OK;
}

/* Move the name directory to .trash in one step, then delete it there. */
static enum coffer_rc
fs_remove(void *inst, const char *kind, const char *name,
    struct coffer_error *err)
{
	struct fs *fs = inst;
	char trash[FS_HASH_HEX + FS_TMP_NAME + 2];
	char tmp[FS_TMP_NAME];
	enum coffer_rc rc;
	struct fs_key k;
	int d;

	if ((rc = fs_open_name(fs, kind, name, 0, &k, &d, err)) != COFFER_OK)
		return rc;
	close(d);
	fs_memo_forget(fs->memo, fs_memo_key(&k));
	fs_cache_forget(fs, &k, fs_memo_key(&k));
	fs_tmp_name(tmp);
	snprintf(trash, sizeof(trash), "%s.%s", k.hash, tmp);
	if (renameat(fs->root, k.rel, fs->trash, trash) < 0)
		return errno == ENOENT ? COFFER_NOT_FOUND :
		    fs_errno(fs, k.rel, "remove", errno, err);
	if ((d = openat(fs->root, k.kind, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) >= 0) {
		int fan = openat(d, k.fanout, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC);

		if (fan >= 0) {
			rc = fs_fsync_dir(fs, fan, k.rel, err);
			close(fan);
		}
		close(d);
	}
	fs_remove_tree(fs->trash, trash);
	return rc;
}

/* Write the record anew and rename it over the old one: readers see one
 * or the other whole, and the directory is flushed before answering. */
static enum coffer_rc
fs_replace(void *inst, const char *kind, const char *name, uint64_t rev,
    const void *data, size_t len, struct coffer_error *err)
{
	struct fs *fs = inst;
	char tmp[FS_TMP_NAME], file[24];
	struct fs_key k;
	enum coffer_rc rc;
	int d, exists = 0;

	if (len > fs->max_record)
		return COFFER_TOO_LARGE;
	if ((rc = fs_open_name(fs, kind, name, 0, &k, &d, err)) != COFFER_OK)
		return rc;
	if ((rc = fs_exists(fs, d, k.rel, rev, &exists, err)) == COFFER_OK &&
	    !exists)
		rc = COFFER_NOT_FOUND;
	fs_tmp_name(tmp);
	if (rc == COFFER_OK)
		rc = fs_record_write(fs, tmp, data, len, err);
	if (rc == COFFER_OK) {
		snprintf(file, sizeof(file), "%" PRIu64, rev);
		if (renameat(fs->tmp, tmp, d, file) == 0)
			rc = fs_fsync_dir(fs, d, k.rel, err);
		else {
			rc = fs_errno(fs, k.rel, "replace record in", errno, err);
			unlinkat(fs->tmp, tmp, 0);
		}
	}
	close(d);
	return rc;
}

static const struct coffer_store_ops fs_ops = {
	.struct_size = sizeof(struct coffer_store_ops),
	.limits = fs_limits,
	.put = fs_put,
	.get = fs_get,
	.list = fs_list,
	.revisions = fs_revisions,
	.remove = fs_remove,
	.replace = fs_replace,
	.get_latest_many = fs_get_latest_many,
};

static const struct coffer_module fs_module = {
	COFFER_MODULE_HEADER,
	.name = "store_fs",
	.version = PACKAGE_VERSION,
	.kind = COFFER_KIND_STORE,
	.options = fs_options,
	.open = fs_open,
	.close = fs_close,
	.store = &fs_ops,
	/* Reads come from the cache or the store's own files. */
	.flags = COFFER_MODULE_LOCAL_READS,
};

COFFER_MODULE_EXPORT const struct coffer_module *
coffer_module_entry(void)
{
	return &fs_module;
}
