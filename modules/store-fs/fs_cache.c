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
 * these, and then the file is read as before.  The hash of the name picks
 * a set of CACHE_WAYS slots (a newer entry evicts the set's least recently
 * used one), each set's lock one of CACHE_LOCKS.
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
#define CACHE_WAYS	8	/* slots per set */

struct fs_cache_entry {
	uint64_t	 key;		/* fs_memo_key(); 0: empty */
	uint64_t	 rev;
	uint64_t	 used;		/* the set's clock at the last use */
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
	size_t			 ways;		/* CACHE_WAYS, or n if less */
	size_t			 sets;
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
	c->ways = entries < CACHE_WAYS ? entries : CACHE_WAYS;
	c->sets = entries / c->ways;
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

/* Lock KEY's set and return its first slot. */
static struct fs_cache_entry *
cache_lock(struct fs_cache *c, uint64_t key)
{
	size_t set = (size_t)(key % c->sets);

	pthread_mutex_lock(&c->locks[set % CACHE_LOCKS]);
	return &c->slots[set * c->ways];
}

static void
cache_unlock(struct fs_cache *c, const struct fs_cache_entry *set)
{
	pthread_mutex_unlock(&c->locks[(size_t)(set - c->slots) / c->ways %
	    CACHE_LOCKS]);
}

/* The slot of SET holding KEY for the name at REL, or NULL. */
static struct fs_cache_entry *
cache_find(const struct fs_cache *c, struct fs_cache_entry *set,
    uint64_t key, const char *rel)
{
	for (size_t i = 0; i < c->ways; i++) {
		if (set[i].key == key && strcmp(set[i].rel, rel) == 0)
			return &set[i];
	}
	return NULL;
}

/* Mark E as just used: the set's clock is the largest mark in it. */
static void
cache_touch(const struct fs_cache *c, struct fs_cache_entry *set,
    struct fs_cache_entry *e)
{
	uint64_t last = 0;

	for (size_t i = 0; i < c->ways; i++) {
		if (set[i].used > last)
			last = set[i].used;
	}
	e->used = last + 1;
}

/* Where to put KEY for REL in SET: its own slot, an empty one, or the
 * least recently used. */
static struct fs_cache_entry *
cache_victim(const struct fs_cache *c, struct fs_cache_entry *set,
    uint64_t key, const char *rel)
{
	struct fs_cache_entry *v = cache_find(c, set, key, rel);

	for (size_t i = 0; v == NULL && i < c->ways; i++) {
		if (set[i].key == 0)
			v = &set[i];
	}
	if (v != NULL)
		return v;
	v = &set[0];
	for (size_t i = 1; i < c->ways; i++) {
		if (set[i].used < v->used)
			v = &set[i];
	}
	return v;
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
	struct fs_cache_entry *set, *slot, e;
	uint8_t *p = NULL;

	if (c == NULL)
		return 0;
	set = cache_lock(c, key);
	slot = cache_find(c, set, key, k->rel);
	if (slot != NULL && slot->rev == rev &&
	    (p = fs->host->buf_reserve(out, slot->len)) != NULL) {
		memcpy(p, slot->data, slot->len);
		cache_touch(c, set, slot);
		e = *slot;
	}
	cache_unlock(c, set);
	return p != NULL && cache_same_file(fs, &e) &&
	    fs_absent_beneath(fs, e.rel, e.rev + 1);
}

void
fs_cache_put(struct fs *fs, const struct fs_key *k, uint64_t key,
    uint64_t rev, const struct fs_loaded *rec)
{
	struct fs_cache *c = fs->cache;
	struct fs_cache_entry *set, *slot;
	uint8_t *copy, *old;

	if (c == NULL || rec->len > FS_CACHE_RECORD_MAX ||
	    (copy = malloc(rec->len > 0 ? rec->len : 1)) == NULL)
		return;
	memcpy(copy, rec->data, rec->len);
	set = cache_lock(c, key);
	slot = cache_victim(c, set, key, k->rel);
	cache_touch(c, set, slot);
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
	cache_unlock(c, set);
	free(old);
}

void
fs_cache_forget(struct fs *fs, const struct fs_key *k, uint64_t key)
{
	struct fs_cache *c = fs->cache;
	struct fs_cache_entry *set, *slot;
	uint8_t *old = NULL;

	if (c == NULL)
		return;
	set = cache_lock(c, key);
	if ((slot = cache_find(c, set, key, k->rel)) != NULL) {
		old = slot->data;
		slot->data = NULL;
		slot->key = 0;
	}
	cache_unlock(c, set);
	free(old);
}
