/*
 * masterkey.c - read and write master and blind key files.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "masterkey.h"

#define MK_ERR(err, ...) snprintf((err), MASTERKEY_ERR_MAX, __VA_ARGS__)
#define MK_B64		sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define MK_B64_LEN	43

static const struct {
	const char	*prefix;	/* the file's first words */
	const char	*what;		/* in messages */
	const char	*id_label;	/* keys the id hash */
} kinds[] = {
	[MASTERKEY_MASTER] = { "coffer-master-key 1 ", "master key",
	    "coffer master key id" },
	[MASTERKEY_BLIND] = { "coffer-blind-key 1 ", "blind key",
	    "coffer blind key id" },
};

void
masterkey_id(enum masterkey_kind kind, const uint8_t key[MASTERKEY_BYTES],
    uint8_t id[MASTERKEY_ID_BYTES])
{
	const char *label = kinds[kind].id_label;

	crypto_generichash(id, MASTERKEY_ID_BYTES,
	    (const unsigned char *)label, strlen(label), key, MASTERKEY_BYTES);
}

static int
masterkey_safe(int fd, const char *path, enum masterkey_kind kind, char *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		MK_ERR(err, "%.200s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		MK_ERR(err, "%.200s: not a regular file", path);
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		MK_ERR(err, "%.200s: owned by uid %u, not root or the daemon's "
		    "user", path, (unsigned)st.st_uid);
		return -1;
	}
	if (st.st_mode & 077) {
		MK_ERR(err, "%.90s: mode %04o lets others read or write a "
		    "%s; run chmod 600 %.90s", path,
		    (unsigned)(st.st_mode & 07777), kinds[kind].what, path);
		return -1;
	}
	return 0;
}

int
masterkey_read(const char *path, enum masterkey_kind kind,
    uint8_t key[MASTERKEY_BYTES], char *err)
{
	const char *prefix = kinds[kind].prefix;
	char buf[128];
	size_t len = 0, bin = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);

	if (fd < 0) {
		MK_ERR(err, "%.200s: %s", path, strerror(errno));
		return -1;
	}
	if (masterkey_safe(fd, path, kind, err) < 0) {
		close(fd);
		return -1;
	}
	while (len < sizeof(buf) && (n = read(fd, buf + len,
	    sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len != strlen(prefix) + MK_B64_LEN ||
	    memcmp(buf, prefix, strlen(prefix)) != 0 ||
	    sodium_base642bin(key, MASTERKEY_BYTES, buf + strlen(prefix),
	    MK_B64_LEN, NULL, &bin, NULL, MK_B64) != 0 ||
	    bin != MASTERKEY_BYTES) {
		sodium_memzero(buf, sizeof(buf));
		sodium_memzero(key, MASTERKEY_BYTES);
		MK_ERR(err, "%.200s: not a coffer %s file", path,
		    kinds[kind].what);
		return -1;
	}
	sodium_memzero(buf, sizeof(buf));
	return 0;
}

int
masterkey_generate(const char *path, enum masterkey_kind kind, char *id_hex,
    char *err)
{
	uint8_t key[MASTERKEY_BYTES], id[MASTERKEY_ID_BYTES];
	char line[128];
	int fd, n, e = 0;

	randombytes_buf(key, sizeof(key));
	n = snprintf(line, sizeof(line), "%s", kinds[kind].prefix);
	sodium_bin2base64(line + n, sizeof(line) - (size_t)n, key, sizeof(key),
	    MK_B64);
	strcat(line, "\n");
	masterkey_id(kind, key, id);
	sodium_memzero(key, sizeof(key));
	sodium_bin2hex(id_hex, MASTERKEY_ID_BYTES * 2 + 1, id, sizeof(id));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0 || fchmod(fd, 0600) < 0 ||
	    write(fd, line, strlen(line)) != (ssize_t)strlen(line) ||
	    fsync(fd) < 0)
		e = errno;
	sodium_memzero(line, sizeof(line));
	if (fd >= 0 && close(fd) < 0 && e == 0)
		e = errno;
	if (e != 0) {
		if (fd >= 0)
			unlink(path);
		MK_ERR(err, "%.200s: %s", path, strerror(e));
		return -1;
	}
	return 0;
}
