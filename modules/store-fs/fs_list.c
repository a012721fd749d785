/*
 * fs_list.c - list names of a kind, page by page.
 *
 * Names are visited in the order of their hashes: fan-out directory 00 to
 * ff, and within each the name directories sorted.  The cursor is the hash
 * of the last name returned, so a page costs one sorted fan-out directory
 * (about names/256 entries) plus the names it returns, never a revision.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"

struct fs_page {
	struct fs	*fs;
	const char	*kind;
	const char	*prefix;
	size_t		 limit, n;
	coffer_name_cb	 cb;
	void		*arg;
	struct coffer_buf *next;
	int		 stop;
};

static int
fs_is_hash(const char *s)
{
	return strlen(s) == FS_HASH_HEX &&
	    strspn(s, "0123456789abcdef") == FS_HASH_HEX;
}

static int
fs_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The name directories in fan-out directory FD, sorted; NULL on error. */
static char **
fs_read_fanout(int fd, size_t *n_r)
{
	char **v = NULL, **grown;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *dir = fdopendir(fd);

	if (dir == NULL)
		return NULL;
	while ((e = readdir(dir)) != NULL) {
		if (!fs_is_hash(e->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((grown = realloc(v, cap * sizeof(*v))) == NULL)
				goto fail;
			v = grown;
		}
		if ((v[n] = strdup(e->d_name)) == NULL)
			goto fail;
		n++;
	}
	closedir(dir);
	if (v == NULL && (v = calloc(1, sizeof(*v))) == NULL)
		return NULL;	/* an empty directory */
	qsort(v, n, sizeof(*v), fs_cmp);
	*n_r = n;
	return v;
fail:
	while (n > 0)
		free(v[--n]);
	free(v);
	closedir(dir);
	return NULL;
}

/* One name directory: report it if it matches and has a revision. */
static enum coffer_rc
fs_page_entry(struct fs_page *p, int fanout, const char *xx,
    const char *hash, struct coffer_error *err)
{
	char name[COFFER_STORE_NAME_MAX + 2], rel[FS_REL_MAX];
	uint64_t latest = 0;
	enum coffer_rc rc;
	int d;

	snprintf(rel, sizeof(rel), "%s/%s/%s", p->kind, xx, hash);
	if ((d = openat(fanout, hash, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    O_NOFOLLOW)) < 0)
		return errno == ENOENT ? COFFER_OK :	/* removed meanwhile */
		    fs_errno(p->fs, rel, "open", errno, err);
	rc = fs_name_read(p->fs, d, rel, name, sizeof(name), err);
	if (rc == COFFER_OK && strncmp(name, p->prefix, strlen(p->prefix)) == 0)
		rc = fs_latest(p->fs, d, rel, 0, &latest, err);
	close(d);
	if (rc != COFFER_OK || latest == 0)
		return rc;	/* not ours, or created but never written */
	if (p->cb(p->arg, name, latest) != 0)
		p->stop = 1;
	if (++p->n == p->limit &&
	    p->fs->host->buf_set(p->next, hash, FS_HASH_HEX) < 0)
		return fs_errno(p->fs, rel, "list", ENOMEM, err);
	return COFFER_OK;
}

static enum coffer_rc
fs_page_fanout(struct fs_page *p, int kind, unsigned x, const char *after,
    struct coffer_error *err)
{
	char xx[3], **v;
	enum coffer_rc rc = COFFER_OK;
	size_t n = 0;
	int fd;

	snprintf(xx, sizeof(xx), "%02x", x);
	if ((fd = openat(kind, xx, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? COFFER_OK :
		    fs_errno(p->fs, p->kind, "open", errno, err);
	if ((v = fs_read_fanout(dup(fd), &n)) == NULL) {
		close(fd);
		return fs_errno(p->fs, p->kind, "read", errno ? errno : ENOMEM,
		    err);
	}
	for (size_t i = 0; i < n; i++) {
		if (rc == COFFER_OK && !p->stop && p->n < p->limit &&
		    (after == NULL || strcmp(v[i], after) > 0))
			rc = fs_page_entry(p, fd, xx, v[i], err);
		free(v[i]);
	}
	free(v);
	close(fd);
	return rc;
}

enum coffer_rc
fs_list(void *inst, const char *kind, const char *prefix, const char *cursor,
    size_t limit, coffer_name_cb cb, void *arg, struct coffer_buf *next,
    struct coffer_error *err)
{
	struct fs *fs = inst;
	struct fs_page p = { fs, kind, prefix, limit, 0, cb, arg, next, 0 };
	struct fs_key k;
	enum coffer_rc rc;
	unsigned x = 0;
	int kfd;

	if ((rc = fs_key(kind, "-", &k, err)) != COFFER_OK)
		return rc;	/* checks KIND */
	if (cursor != NULL && cursor[0] != '\0') {
		if (!fs_is_hash(cursor)) {
			snprintf(err->msg, sizeof(err->msg), "invalid cursor");
			return COFFER_ERROR;
		}
		sscanf(cursor, "%2x", &x);
	} else {
		cursor = NULL;
	}
	fs->host->buf_set(next, "", 0);
	if (limit == 0)
		return COFFER_OK;
	if ((kfd = openat(fs->root, kind, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return errno == ENOENT ? COFFER_OK :
		    fs_errno(fs, kind, "open", errno, err);
	for (; x < 256 && rc == COFFER_OK && !p.stop && p.n < limit; x++) {
		rc = fs_page_fanout(&p, kfd, x, cursor, err);
		cursor = NULL;	/* only the first fan-out resumes mid-way */
	}
	close(kfd);
	/* A page that ends exactly on the last name still leaves a cursor;
	 * the call after it returns an empty last page. */
	return rc;
}
