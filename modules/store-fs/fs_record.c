/*
 * fs_record.c - one revision in one file.
 *
 * A record file is a 32-byte header followed by the record's bytes:
 *
 *	0   4  magic "CFSR"
 *	4   1  format version, 1
 *	5   3  zero
 *	8   8  length of the data, little-endian
 *	16 16  BLAKE2b-128 of the data
 *
 * The core's sealing already detects tampering; the checksum lets the store
 * itself tell a damaged file (a bad disk, a stray edit) from a good one and
 * name it, instead of handing the core bytes that fail to open.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fs.h"

#define FS_MAGIC	"CFSR"
#define FS_VERSION	1
#define FS_SUM		16

static void
fs_header(uint8_t h[FS_HEADER], const void *data, size_t len)
{
	memset(h, 0, FS_HEADER);
	memcpy(h, FS_MAGIC, 4);
	h[4] = FS_VERSION;
	for (int i = 0; i < 8; i++)
		h[8 + i] = (uint8_t)((uint64_t)len >> (8 * i));
	crypto_generichash(h + 16, FS_SUM, data, len, NULL, 0);
}

static int
fs_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
fs_read_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;	/* shorter than it said */
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write the record to .tmp/TMPNAME and make it durable. */
enum coffer_rc
fs_record_write(struct fs *fs, const char *tmpname, const void *data,
    size_t len, struct coffer_error *err)
{
	uint8_t h[FS_HEADER];
	int fd, e;

	fs_header(h, data, len);
	fd = openat(fs->tmp, tmpname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600);
	if (fd < 0)
		return fs_errno(fs, ".tmp", "create record in", errno, err);
	if (fs_write_all(fd, h, sizeof(h)) < 0 ||
	    fs_write_all(fd, data, len) < 0 ||
	    (fs->durable && fsync(fd) < 0)) {
		e = errno;
		close(fd);
		unlinkat(fs->tmp, tmpname, 0);
		return fs_errno(fs, ".tmp", "write record in", e, err);
	}
	if (close(fd) < 0) {	/* NFS and friends report errors here */
		e = errno;
		unlinkat(fs->tmp, tmpname, 0);
		return fs_errno(fs, ".tmp", "write record in", e, err);
	}
	return COFFER_OK;
}

static enum coffer_rc
fs_corrupt(struct fs *fs, const char *rel, uint64_t rev, const char *why,
    struct coffer_error *err)
{
	snprintf(err->msg, sizeof(err->msg), "corrupt record %s/%s/%llu: %s",
	    fs->path, rel, (unsigned long long)rev, why);
	return COFFER_ERROR;
}

static enum coffer_rc
fs_record_check(struct fs *fs, const char *rel, uint64_t rev,
    const uint8_t h[FS_HEADER], off_t size, uint64_t *len_r,
    struct coffer_error *err)
{
	uint64_t len = 0;

	if (memcmp(h, FS_MAGIC, 4) != 0)
		return fs_corrupt(fs, rel, rev, "not a record file", err);
	if (h[4] != FS_VERSION)
		return fs_corrupt(fs, rel, rev, "unknown format version", err);
	for (int i = 0; i < 8; i++)
		len |= (uint64_t)h[8 + i] << (8 * i);
	if (len != (uint64_t)size - FS_HEADER)
		return fs_corrupt(fs, rel, rev, "length does not match the "
		    "file", err);
	if (len > fs->max_record)
		return fs_corrupt(fs, rel, rev, "larger than max_record", err);
	*len_r = len;
	return COFFER_OK;
}

/* Header and data in one readv(2); plain reads finish a short one. */
static int
fs_read_record(int fd, uint8_t h[FS_HEADER], uint8_t *data, size_t len)
{
	struct iovec iov[2] = { { h, FS_HEADER }, { data, len } };
	ssize_t n;

	do
		n = readv(fd, iov, 2);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n < FS_HEADER)
		return fs_read_all(fd, h + n, FS_HEADER - (size_t)n) < 0 ||
		    fs_read_all(fd, data, len) < 0 ? -1 : 0;
	n -= FS_HEADER;
	return fs_read_all(fd, data + n, len - (size_t)n);
}

static int
fs_record_open(int dirfd, uint64_t rev)
{
	char file[24];

	snprintf(file, sizeof(file), "%llu", (unsigned long long)rev);
	return openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}

enum coffer_rc
fs_record_load(struct fs *fs, int fd, const char *rel, uint64_t rev,
    struct coffer_buf *out, struct fs_loaded *loaded,
    struct coffer_error *err)
{
	uint8_t h[FS_HEADER], sum[FS_SUM], *data;
	const struct stat *st = &loaded->st;
	uint64_t len;

	if (fstat(fd, &loaded->st) < 0)
		return fs_errno(fs, rel, "read record in", errno, err);
	if (st->st_size < FS_HEADER)
		return fs_corrupt(fs, rel, rev, "truncated", err);
	if ((uint64_t)st->st_size - FS_HEADER > fs->max_record)
		return fs_corrupt(fs, rel, rev, "larger than max_record", err);
	len = (uint64_t)st->st_size - FS_HEADER;
	if ((data = fs->host->buf_reserve(out, (size_t)len)) == NULL)
		return fs_errno(fs, rel, "read record in", ENOMEM, err);
	if (fs_read_record(fd, h, data, (size_t)len) < 0)
		return fs_errno(fs, rel, "read record in", errno, err);
	if (fs_record_check(fs, rel, rev, h, st->st_size, &len, err) !=
	    COFFER_OK)
		return COFFER_ERROR;
	crypto_generichash(sum, sizeof(sum), data, (size_t)len, NULL, 0);
	if (sodium_memcmp(sum, h + 16, sizeof(sum)) != 0)
		return fs_corrupt(fs, rel, rev, "checksum mismatch", err);
	loaded->data = data;
	loaded->len = (size_t)len;
	return COFFER_OK;
}

enum coffer_rc
fs_record_read(struct fs *fs, int dirfd, const char *rel, uint64_t rev,
    struct coffer_buf *out, struct coffer_error *err)
{
	int fd = fs_record_open(dirfd, rev);
	struct fs_loaded loaded;
	enum coffer_rc rc;

	if (fd < 0)
		return errno == ENOENT ? COFFER_NOT_FOUND :
		    fs_errno(fs, rel, "open record in", errno, err);
	rc = fs_record_load(fs, fd, rel, rev, out, &loaded, err);
	close(fd);
	return rc;
}
