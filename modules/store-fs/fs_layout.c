/*
 * fs_layout.c - where names live on disk, and how to find their revisions.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs.h"

#define FS_ERR(err, ...) snprintf((err)->msg, sizeof((err)->msg), __VA_ARGS__)

static int
fs_kind_ok(const char *kind)
{
	size_t n;

	if (kind[0] < 'a' || kind[0] > 'z')
		return 0;
	for (n = 1; n <= FS_KIND_MAX && kind[n] != '\0'; n++) {
		char c = kind[n];

		if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') &&
		    c != '_')
			return 0;
	}
	return n <= FS_KIND_MAX;
}

static uint8_t fs_id_key[crypto_shorthash_siphashx24_KEYBYTES];
static pthread_once_t fs_id_once = PTHREAD_ONCE_INIT;

static void
fs_id_init(void)
{
	randombytes_buf(fs_id_key, sizeof(fs_id_key));
}

enum coffer_rc
fs_key_id(const char *kind, const char *name, struct fs_key *k,
    struct coffer_error *err)
{
	char text[FS_KIND_MAX + 1 + COFFER_STORE_NAME_MAX];
	size_t n = strlen(name), kn = strlen(kind);

	if (!fs_kind_ok(kind)) {
		FS_ERR(err, "invalid kind");
		return COFFER_ERROR;
	}
	if (n == 0 || n > COFFER_STORE_NAME_MAX) {
		FS_ERR(err, "name must be 1 to %d bytes, not %zu",
		    COFFER_STORE_NAME_MAX, n);
		return COFFER_ERROR;
	}
	pthread_once(&fs_id_once, fs_id_init);
	memcpy(k->kind, kind, kn + 1);
	memcpy(text, kind, kn + 1);		/* with its NUL, between */
	memcpy(text + kn + 1, name, n);
	crypto_shorthash_siphashx24((unsigned char *)k->id,
	    (const unsigned char *)text, kn + 1 + n, fs_id_key);
	if (k->id[0] == 0)
		k->id[0] = 1;		/* 0 is an empty slot */
	k->rel[0] = '\0';
	return COFFER_OK;
}

void
fs_key_path(struct fs_key *k, const char *name)
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	size_t kn = strlen(k->kind);
	char *p;

	crypto_hash_sha256(digest, (const unsigned char *)name, strlen(name));
	sodium_bin2hex(k->hash, sizeof(k->hash), digest, sizeof(digest));
	memcpy(k->fanout, k->hash, 2);
	k->fanout[2] = '\0';
	/* KIND/XX/HASH, with lengths known: on every read's path. */
	p = mempcpy(k->rel, k->kind, kn);
	*p++ = '/';
	p = mempcpy(p, k->fanout, 2);
	*p++ = '/';
	memcpy(p, k->hash, FS_HASH_HEX + 1);
}

enum coffer_rc
fs_key(const char *kind, const char *name, struct fs_key *k,
    struct coffer_error *err)
{
	enum coffer_rc rc = fs_key_id(kind, name, k, err);

	if (rc == COFFER_OK)
		fs_key_path(k, name);
	return rc;
}

/* Disk full is worth retrying later; anything else needs an admin. */
enum coffer_rc
fs_errno(struct fs *fs, const char *rel, const char *what, int errnum,
    struct coffer_error *err)
{
	FS_ERR(err, "%s %s/%s: %s", what, fs->path, rel, strerror(errnum));
	if (errnum == ENOSPC || errnum == EDQUOT || errnum == ENOMEM)
		return COFFER_UNAVAILABLE;
	return COFFER_ERROR;
}

enum coffer_rc
fs_fsync_dir(struct fs *fs, int dirfd, const char *rel,
    struct coffer_error *err)
{
	if (fs->durable && fsync(dirfd) < 0)
		return fs_errno(fs, rel, "fsync", errno, err);
	return COFFER_OK;
}

void
fs_tmp_name(char name[FS_TMP_NAME])
{
	unsigned char r[8];

	randombytes_buf(r, sizeof(r));
	memcpy(name, "tmp-", 4);
	sodium_bin2hex(name + 4, FS_TMP_NAME - 4, r, sizeof(r));
}

/* Create PARENT/NAME if missing; its new entry made durable. */
static enum coffer_rc
fs_mkdir(struct fs *fs, int parent, const char *name, const char *rel,
    struct coffer_error *err)
{
	if (mkdirat(parent, name, 0700) == 0)
		return fs_fsync_dir(fs, parent, rel, err);
	if (errno == EEXIST)
		return COFFER_OK;
	return fs_errno(fs, rel, "mkdir", errno, err);
}

static int
fs_openat_dir(int parent, const char *name)
{
	return openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    O_NOFOLLOW);
}

/* Write FILE with LEN bytes of DATA below DIRFD, durably. */
static enum coffer_rc
fs_write_small(struct fs *fs, int dirfd, const char *file, const void *data,
    size_t len, const char *rel, struct coffer_error *err)
{
	int fd = openat(dirfd, file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600);

	if (fd < 0)
		return fs_errno(fs, rel, "create", errno, err);
	if (write(fd, data, len) != (ssize_t)len ||
	    (fs->durable && fsync(fd) < 0)) {
		int e = errno ? errno : EIO;

		close(fd);
		return fs_errno(fs, rel, "write", e, err);
	}
	close(fd);
	return COFFER_OK;
}

/*
 * Create the name's directory: build it complete in .tmp (with its "name"
 * file), then rename it into place without replacing anything, so a name
 * directory is never seen half made.  Losing the race to another writer is
 * fine: the winner's directory is as good as ours.
 */
static enum coffer_rc
fs_name_create(struct fs *fs, int fanout, const struct fs_key *k,
    const char *name, struct coffer_error *err)
{
	char tmp[FS_TMP_NAME];
	enum coffer_rc rc;
	int d;

	fs_tmp_name(tmp);
	if (mkdirat(fs->tmp, tmp, 0700) < 0)
		return fs_errno(fs, ".tmp", "mkdir", errno, err);
	if ((d = fs_openat_dir(fs->tmp, tmp)) < 0) {
		rc = fs_errno(fs, ".tmp", "open", errno, err);
		goto out;
	}
	rc = fs_write_small(fs, d, "name", name, strlen(name), k->rel, err);
	if (rc == COFFER_OK)
		rc = fs_fsync_dir(fs, d, k->rel, err);
	close(d);
	if (rc != COFFER_OK)
		goto out;
	if (renameat2(fs->tmp, tmp, fanout, k->hash, RENAME_NOREPLACE) == 0)
		return fs_fsync_dir(fs, fanout, k->rel, err);
	if (errno != EEXIST && errno != ENOTEMPTY)
		rc = fs_errno(fs, k->rel, "rename", errno, err);
out:
	fs_remove_tree(fs->tmp, tmp);
	return rc;
}

/* Open KIND/XX below the root, creating both when CREATE is set. */
static enum coffer_rc
fs_fanout_dir(struct fs *fs, const struct fs_key *k, int create, int *fd_r,
    struct coffer_error *err)
{
	char rel[FS_KIND_MAX + 4];
	enum coffer_rc rc;
	int kind;

	snprintf(rel, sizeof(rel), "%s/%s", k->kind, k->fanout);
	if (create && (rc = fs_mkdir(fs, fs->root, k->kind, k->kind, err)) !=
	    COFFER_OK)
		return rc;
	if ((kind = fs_openat_dir(fs->root, k->kind)) < 0)
		return errno == ENOENT ? COFFER_NOT_FOUND :
		    fs_errno(fs, k->kind, "open", errno, err);
	rc = create ? fs_mkdir(fs, kind, k->fanout, rel, err) : COFFER_OK;
	if (rc == COFFER_OK && (*fd_r = fs_openat_dir(kind, k->fanout)) < 0)
		rc = errno == ENOENT ? COFFER_NOT_FOUND :
		    fs_errno(fs, rel, "open", errno, err);
	close(kind);
	return rc;
}

enum coffer_rc
fs_name_read(struct fs *fs, int dirfd, const char *rel, char *buf,
    size_t size, struct coffer_error *err)
{
	int fd = openat(dirfd, "name", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return fs_errno(fs, rel, "open name of", errno, err);
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return fs_errno(fs, rel, "read name of", errno, err);
	buf[n] = '\0';
	return COFFER_OK;
}

/* The name directory must hold this name: anything else is corruption. */
static enum coffer_rc
fs_name_check(struct fs *fs, int dirfd, const struct fs_key *k,
    const char *name, struct coffer_error *err)
{
	char stored[COFFER_STORE_NAME_MAX + 2];
	enum coffer_rc rc = fs_name_read(fs, dirfd, k->rel, stored,
	    sizeof(stored), err);

	if (rc != COFFER_OK)
		return rc;
	if (strcmp(stored, name) != 0) {
		FS_ERR(err, "corrupt store: %s/%s/name does not match its "
		    "hash", fs->path, k->rel);
		return COFFER_ERROR;
	}
	return COFFER_OK;
}

int
fs_open_beneath(struct fs *fs, const char *path, int flags)
{
#ifdef SYS_openat2
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		    RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};

	return (int)syscall(SYS_openat2, fs->root, path, &how, sizeof(how));
#else
	(void)fs;
	(void)path;
	(void)flags;
	errno = ENOSYS;
	return -1;
#endif
}

int
fs_absent_beneath(struct fs *fs, const char *rel, uint64_t rev)
{
	char path[FS_REL_MAX + 24];
	int fd;

	snprintf(path, sizeof(path), "%s/%" PRIu64, rel, rev);
	if ((fd = fs_open_beneath(fs, path, O_PATH | O_NOFOLLOW)) >= 0) {
		close(fd);
		return 0;
	}
	return errno == ENOENT;
}

/*
 * KIND/XX/HASH in one system call where the kernel has openat2 (5.6).
 * The descriptor, -1 with errno ENOENT when the name has no directory, or
 * -2 when the component-by-component path must decide (no openat2, or
 * anything unusual, which that path reports precisely).
 */
static int
fs_open_fast(struct fs *fs, const struct fs_key *k)
{
	int fd = fs_open_beneath(fs, k->rel, O_RDONLY | O_DIRECTORY);

	return fd >= 0 || errno == ENOENT ? fd : -2;
}

enum coffer_rc
fs_name_dir(struct fs *fs, const struct fs_key *k, const char *name,
    int create, int *dirfd_r, struct coffer_error *err)
{
	enum coffer_rc rc;
	int fanout, d = fs_open_fast(fs, k);

	if (d == -1 && !create)
		return COFFER_NOT_FOUND;
	if (d >= 0) {
		uint64_t key = fs_memo_key(k);

		if (fs_memo_name_known(fs->memo, key))
			rc = COFFER_OK;
		else if ((rc = fs_name_check(fs, d, k, name, err)) == COFFER_OK)
			fs_memo_name_checked(fs->memo, key);
		if (rc != COFFER_OK)
			close(d);
		else
			*dirfd_r = d;
		return rc;
	}
	if ((rc = fs_fanout_dir(fs, k, create, &fanout, err)) != COFFER_OK)
		return rc;
	d = fs_openat_dir(fanout, k->hash);
	if (d < 0 && errno == ENOENT && create) {
		rc = fs_name_create(fs, fanout, k, name, err);
		if (rc == COFFER_OK)
			d = fs_openat_dir(fanout, k->hash);
	}
	if (d < 0 && rc == COFFER_OK)
		rc = errno == ENOENT ? COFFER_NOT_FOUND :
		    fs_errno(fs, k->rel, "open", errno, err);
	close(fanout);
	if (rc == COFFER_OK && (rc = fs_name_check(fs, d, k, name, err)) !=
	    COFFER_OK)
		close(d);
	if (rc == COFFER_OK)
		*dirfd_r = d;
	return rc;
}

enum coffer_rc
fs_exists(struct fs *fs, int dirfd, const char *rel, uint64_t rev,
    int *exists_r, struct coffer_error *err)
{
	char file[24];
	struct stat st;

	snprintf(file, sizeof(file), "%" PRIu64, rev);
	if (fstatat(dirfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		*exists_r = 1;
		return COFFER_OK;
	}
	if (errno == ENOENT) {
		*exists_r = 0;
		return COFFER_OK;
	}
	return fs_errno(fs, rel, "stat", errno, err);
}

static uint64_t
fs_hint_read(int dirfd)
{
	char buf[24];
	int fd = openat(dirfd, "latest", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoull(buf, NULL, 10);
}

/*
 * The latest revision: from the hint (never ahead of the truth, since it is
 * written after the revision), gallop up while revisions exist, then bisect
 * between the last that exists and the first that does not.
 */
enum coffer_rc
fs_latest(struct fs *fs, int dirfd, const char *rel, uint64_t hint,
    uint64_t *latest_r, struct coffer_error *err)
{
	uint64_t lo = hint ? hint : fs_hint_read(dirfd), hi, step = 1;
	enum coffer_rc rc;
	int exists = 0;

	if (lo > 0 && ((rc = fs_exists(fs, dirfd, rel, lo, &exists, err)) !=
	    COFFER_OK || !exists))
		lo = 0;		/* a bad hint: start from nothing */
	for (;;) {
		hi = lo + step;
		if ((rc = fs_exists(fs, dirfd, rel, hi, &exists, err)) !=
		    COFFER_OK)
			return rc;
		if (!exists)
			break;
		lo = hi;
		step *= 2;
	}
	while (hi - lo > 1) {	/* lo exists (or is 0), hi does not */
		uint64_t mid = lo + (hi - lo) / 2;

		if ((rc = fs_exists(fs, dirfd, rel, mid, &exists, err)) !=
		    COFFER_OK)
			return rc;
		if (exists)
			lo = mid;
		else
			hi = mid;
	}
	*latest_r = lo;
	return COFFER_OK;
}

/* Best effort: a missing or stale hint only costs a few more stat calls. */
void
fs_hint_write(struct fs *fs, int dirfd, uint64_t rev)
{
	char tmp[FS_TMP_NAME], buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", rev);
	int fd;

	fs_tmp_name(tmp);
	fd = openat(fs->tmp, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600);
	if (fd < 0)
		return;
	if (write(fd, buf, (size_t)n) != n ||
	    renameat(fs->tmp, tmp, dirfd, "latest") < 0)
		unlinkat(fs->tmp, tmp, 0);
	close(fd);
}

/* rm -rf PARENT/NAME, best effort, without following symlinks. */
void
fs_remove_tree(int parent, const char *name)
{
	struct dirent *e;
	DIR *dir;
	int fd;

	if (unlinkat(parent, name, 0) == 0 || errno != EISDIR)
		return;		/* a file (now gone), or nothing there */
	if ((fd = fs_openat_dir(parent, name)) < 0)
		return;
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		fs_remove_tree(dirfd(dir), e->d_name);
	}
	closedir(dir);
	unlinkat(parent, name, AT_REMOVEDIR);
}
