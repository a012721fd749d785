/*
 * fs_cache.c - the sealed bytes of latest revisions read recently, so that
 * reading one again costs two system calls (a statx of its file and the
 * absence of the next revision) instead of five and a checksum.
 *
 * Only what is on disk is held: sealed records, never plaintext.  An entry
 * is served only while the file it was read from is still the file at its
 * path (the same device, inode, size and change time, which a rename over
 * it, an edit or a removal changes) and the next revision is absent, found
 * with openat2 as every read is, so a symbolic link on the way still makes
 * the read fail.  Another daemon's write, reseal or remove shows in one of
 * these, and then the file is read as before.  One slot per hash of the
 * name (a newer entry evicts), each slot's lock one of CACHE_LOCKS.
 */
#include "config.h"

#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fs.h"

#define CACHE_LOCKS	64

struct fs_cache_entry {
	uint64_t	 key;		/* fs_memo_key(); 0: empty */
	uint64_t	 rev;
	char		 rel[FS_REL_MAX];
	dev_t		 dev;		/* the file it came from */
	ino_t		 ino;
	off_t		 size;
	struct timespec	 ctime;
	uint8_t		*data;
	size_t		 len;
};

struct fs_cache {
	size_t			 n;
	pthread_mutex_t		 locks[CACHE_LOCKS];
	struct fs_cache_entry	*slots;
};

struct fs_cache *
fs_cache_new(size_t entries)
{
	struct fs_cache *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->slots = calloc(entries, sizeof(*c->slots))) ==
	    NULL) {
		free(c);
		return NULL;
	}
	c->n = entries;
	for (size_t i = 0; i < CACHE_LOCKS; i++)
		pthread_mutex_init(&c->locks[i], NULL);
	return c;
}

void
fs_cache_free(struct fs_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->slots[i].data);
	for (size_t i = 0; i < CACHE_LOCKS; i++)
		pthread_mutex_destroy(&c->locks[i]);
	free(c->slots);
	free(c);
}

static struct fs_cache_entry *
cache_lock(struct fs_cache *c, uint64_t key)
{
	size_t i = (size_t)(key % c->n);

	pthread_mutex_lock(&c->locks[i % CACHE_LOCKS]);
	return &c->slots[i];
}

static void
cache_unlock(struct fs_cache *c, const struct fs_cache_entry *slot)
{
	pthread_mutex_unlock(&c->locks[(size_t)(slot - c->slots) %
	    CACHE_LOCKS]);
}

/* Is the file at REL/REV the one E was read from? */
static int
cache_same_file(struct fs *fs, const struct fs_cache_entry *e)
{
	char path[FS_REL_MAX + 24];
	struct statx st;

	snprintf(path, sizeof(path), "%s/%" PRIu64, e->rel, e->rev);
	if (statx(fs->root, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS,
	    &st) < 0)
		return 0;
	return makedev(st.stx_dev_major, st.stx_dev_minor) == e->dev &&
	    st.stx_ino == e->ino && (off_t)st.stx_size == e->size &&
	    st.stx_ctime.tv_sec == e->ctime.tv_sec &&
	    st.stx_ctime.tv_nsec == (uint32_t)e->ctime.tv_nsec;
}

int
fs_cache_get(struct fs *fs, const struct fs_key *k, uint64_t key,
    uint64_t rev, struct coffer_buf *out)
{
	struct fs_cache *c = fs->cache;
	struct fs_cache_entry *slot, e;
	uint8_t *p = NULL;

	if (c == NULL)
		return 0;
	slot = cache_lock(c, key);
	e = *slot;
	if (slot->key == key && slot->rev == rev &&
	    strcmp(slot->rel, k->rel) == 0 &&
	    (p = fs->host->buf_reserve(out, slot->len)) != NULL)
		memcpy(p, slot->data, slot->len);
	cache_unlock(c, slot);
	return p != NULL && cache_same_file(fs, &e) &&
	    fs_absent_beneath(fs, e.rel, e.rev + 1);
}

void
fs_cache_put(struct fs *fs, const struct fs_key *k, uint64_t key,
    uint64_t rev, const struct fs_loaded *rec)
{
	struct fs_cache *c = fs->cache;
	struct fs_cache_entry *slot;
	uint8_t *copy, *old;

	if (c == NULL || rec->len > FS_CACHE_RECORD_MAX ||
	    (copy = malloc(rec->len > 0 ? rec->len : 1)) == NULL)
		return;
	memcpy(copy, rec->data, rec->len);
	slot = cache_lock(c, key);
	old = slot->data;
	slot->key = key;
	slot->rev = rev;
	snprintf(slot->rel, sizeof(slot->rel), "%s", k->rel);
	slot->dev = rec->st.st_dev;
	slot->ino = rec->st.st_ino;
	slot->size = rec->st.st_size;
	slot->ctime = rec->st.st_ctim;
	slot->data = copy;
	slot->len = rec->len;
	cache_unlock(c, slot);
	free(old);
}

void
fs_cache_forget(struct fs *fs, const struct fs_key *k, uint64_t key)
{
	struct fs_cache *c = fs->cache;
	struct fs_cache_entry *slot;
	uint8_t *old = NULL;

	if (c == NULL)
		return;
	slot = cache_lock(c, key);
	if (slot->key == key && strcmp(slot->rel, k->rel) == 0) {
		old = slot->data;
		slot->data = NULL;
		slot->key = 0;
	}
	cache_unlock(c, slot);
	free(old);
}
