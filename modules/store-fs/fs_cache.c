/*
 * fs_cache.c - the sealed bytes of latest revisions read recently, so that
 * reading one again costs no system call of its own: one read of the
 * inotify queue (fs_watch.c), shared by every name, or where the store is
 * not watched a statx of the name's directory.
 *
 * Only what is on disk is held: sealed records, never plaintext.  An entry
 * is served while nothing in its name's directory has changed since it was
 * last checked: a new revision, a reseal renamed over it, the hint, a
 * removal (the directory renamed away) and a re-creation all change the
 * directory.  A check on disk is a statx of its file (same device, inode,
 * size and change time) and the next revision found absent with openat2;
 * a symbolic link put in place of the directory fails it, so the read from
 * disk refuses the link.
 *
 * Watched: the directory's watch is put in place first, then the entry is
 * checked; it is served on the watch alone from then on until an event for
 * the directory (or a lost event) comes.
 *
 * Not watched (a network file system, watching off, or no watch to be
 * had): the directory's stamp (change time and inode) decides, trusted
 * only once it is FS_CACHE_SETTLE seconds older than the clock at the
 * check, so that a change made later gets a later time however coarse the
 * file system's clock (ext4 with small inodes keeps whole seconds).  Until
 * then (just after a write) the entry is checked on disk.
 *
 * Either way another daemon's write, reseal or remove is seen at the next
 * read.  The name's id (struct fs_key: a keyed hash, so a hit needs no
 * SHA-256 of the path) picks a set of CACHE_WAYS slots (a newer
 * entry evicts the set's least recently used one), each set's lock one of
 * CACHE_LOCKS.  Lock order: the watch's lock, then a set's.
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
#include <time.h>
#include <unistd.h>

#include "fs.h"

#define CACHE_LOCKS	64
#define CACHE_WAYS	8	/* slots per set */

/* What statx said of a file or directory: a change to it changes this. */
struct cache_stamp {
	dev_t		 dev;		/* 0: none taken */
	ino_t		 ino;
	off_t		 size;
	struct timespec	 ctime;
};

struct fs_cache_entry {
	uint64_t	 key;		/* fs_memo_key(); 0: empty */
	uint64_t	 tag;		/* the rest of the name's id */
	uint64_t	 rev;
	uint64_t	 used;		/* the set's clock at the last use */
	char		 rel[FS_REL_MAX];
	struct cache_stamp file;	/* the file it came from */
	struct cache_stamp dir;		/* its directory, once settled */
	int		 wd;		/* the watch on its directory; 0: none */
	dev_t		 wdev;		/* the directory watched */
	ino_t		 wino;
	uint32_t	 changes;	/* events seen by that watch */
	int		 watched;	/* current while no event comes */
	uint8_t		*data;
	size_t		 len;
};

struct fs_cache {
	size_t			 n;
	size_t			 ways;		/* CACHE_WAYS, or n if less */
	size_t			 sets;
	pthread_mutex_t		 locks[CACHE_LOCKS];
	struct fs_cache_entry	*slots;
	struct fs_watch		*watch;		/* or NULL: stamps only */
	struct fs_watch_sink	 sink;
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
	fs_watch_free(c->watch);
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

static pthread_mutex_t *
cache_slot_lock(struct fs_cache *c, size_t slot)
{
	return &c->locks[slot / c->ways % CACHE_LOCKS];
}

static void
cache_unlock(struct fs_cache *c, const struct fs_cache_entry *set)
{
	pthread_mutex_unlock(cache_slot_lock(c, (size_t)(set - c->slots)));
}

/* The slot of SET holding the name whose id is KEY and TAG, or NULL. */
static struct fs_cache_entry *
cache_find(const struct fs_cache *c, struct fs_cache_entry *set,
    uint64_t key, uint64_t tag)
{
	for (size_t i = 0; i < c->ways; i++) {
		if (set[i].key == key && set[i].tag == tag)
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

/* Where to put the name KEY and TAG in SET: its own slot, an empty one,
 * or the least recently used. */
static struct fs_cache_entry *
cache_victim(const struct fs_cache *c, struct fs_cache_entry *set,
    uint64_t key, uint64_t tag)
{
	struct fs_cache_entry *v = cache_find(c, set, key, tag);

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

/* Stamp PATH under the store's root (the link itself, not where it
 * leads); -1 when it is not there or not of TYPE. */
static int
cache_stat(struct fs *fs, const char *path, mode_t type,
    struct cache_stamp *st)
{
	struct statx sx;

	if (statx(fs->root, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE |
	    STATX_INO | STATX_SIZE | STATX_CTIME, &sx) < 0 ||
	    (sx.stx_mode & S_IFMT) != type)
		return -1;
	st->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	st->ino = sx.stx_ino;
	st->size = (off_t)sx.stx_size;
	st->ctime.tv_sec = sx.stx_ctime.tv_sec;
	st->ctime.tv_nsec = sx.stx_ctime.tv_nsec;
	return 0;
}

static int
cache_stamp_eq(const struct cache_stamp *a, const struct cache_stamp *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->ctime.tv_sec == b->ctime.tv_sec &&
	    a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* Is the directory of E unchanged since its settled stamp?  *NOW_R is
 * what it is now, and whether that may become the stamp (0: unsettled,
 * or none taken). */
static int
cache_dir_same(struct fs *fs, const struct fs_cache_entry *e,
    struct cache_stamp *now_r)
{
	struct timespec clock;

	clock_gettime(CLOCK_REALTIME_COARSE, &clock);
	if (cache_stat(fs, e->rel, S_IFDIR, now_r) < 0) {
		now_r->dev = 0;
		return 0;
	}
	if (e->dir.dev != 0 && cache_stamp_eq(&e->dir, now_r))
		return 1;
	if (now_r->ctime.tv_sec > clock.tv_sec - FS_CACHE_SETTLE)
		now_r->dev = 0;		/* too recent to count */
	return 0;
}

/* Is E still the latest revision, in the file it was read from? */
static int
cache_file_same(struct fs *fs, const struct fs_cache_entry *e)
{
	char path[FS_REL_MAX + 24];
	struct cache_stamp st;

	snprintf(path, sizeof(path), "%s/%" PRIu64, e->rel, e->rev);
	return cache_stat(fs, path, S_IFREG, &st) == 0 &&
	    cache_stamp_eq(&st, &e->file) &&
	    fs_absent_beneath(fs, e->rel, e->rev + 1);
}

/* Remember DIR, taken before E was found current, as the stamp of the
 * entry E was copied from, if it still holds the same file's bytes. */
static void
cache_settle(struct fs_cache *c, const struct fs_cache_entry *e,
    const struct cache_stamp *dir)
{
	struct fs_cache_entry *set = cache_lock(c, e->key), *slot;

	slot = cache_find(c, set, e->key, e->tag);
	if (slot != NULL && slot->rev == e->rev &&
	    cache_stamp_eq(&slot->file, &e->file))
		slot->dir = *dir;
	cache_unlock(c, set);
}

/* An event for watch WD of slot I: not current without a check. */
static void
cache_changed(void *arg, uint32_t i, int wd, int gone)
{
	struct fs_cache *c = arg;
	struct fs_cache_entry *e = &c->slots[i];

	pthread_mutex_lock(cache_slot_lock(c, i));
	if (e->wd == wd) {
		e->watched = 0;
		e->changes++;
		if (gone)
			e->wd = 0;
	}
	pthread_mutex_unlock(cache_slot_lock(c, i));
}

/* Events were lost: no entry is current without a check. */
static void
cache_lost(void *arg)
{
	struct fs_cache *c = arg;

	for (size_t i = 0; i < c->n; i++) {
		pthread_mutex_lock(cache_slot_lock(c, i));
		c->slots[i].watched = 0;
		c->slots[i].changes++;
		pthread_mutex_unlock(cache_slot_lock(c, i));
	}
}

int
fs_cache_watch(struct fs_cache *c, int root, const char **why_r)
{
	if ((c->watch = fs_watch_new(root, c->n, why_r)) == NULL)
		return -1;
	c->sink = (struct fs_watch_sink){ cache_changed, cache_lost, c };
	return 0;
}

/* The slot E was copied from, locked, if it still holds the same file's
 * bytes; NULL (nothing locked) if not. */
static struct fs_cache_entry *
cache_lock_same(struct fs_cache *c, const struct fs_cache_entry *e)
{
	struct fs_cache_entry *set = cache_lock(c, e->key), *slot;

	slot = cache_find(c, set, e->key, e->tag);
	if (slot != NULL && slot->rev == e->rev &&
	    cache_stamp_eq(&slot->file, &e->file))
		return slot;
	cache_unlock(c, set);
	return NULL;
}

static void
cache_unlock_slot(struct fs_cache *c, const struct fs_cache_entry *slot)
{
	pthread_mutex_unlock(cache_slot_lock(c, (size_t)(slot - c->slots)));
}

/* Take SLOT's watch off it (locked); the watch to remove, or 0. */
static int
cache_drop_watch(struct fs_cache_entry *slot)
{
	int wd = slot->wd;

	slot->wd = 0;
	slot->watched = 0;
	return wd;
}

/* Watch PATH (its status in *SX) for SLOT: the watch, or -1. */
static int
cache_watch_dir(struct fs *fs, const char *path, uint32_t slot,
    struct statx *sx)
{
	int fd = fs_open_beneath(fs, path, O_PATH | O_DIRECTORY | O_NOFOLLOW);
	int wd = -1;

	if (fd < 0)
		return -1;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_INO, sx) == 0)
		wd = fs_watch_add(fs->cache->watch, fd, slot);
	close(fd);
	return wd;
}

/* Watch the directories above REL (KIND, KIND/XX): if one is moved, the
 * path leads elsewhere without a word to the name's own watch. */
static int
cache_watch_above(struct fs *fs, const char *rel)
{
	char path[FS_REL_MAX];
	struct statx sx;

	snprintf(path, sizeof(path), "%s", rel);
	for (char *p = path; (p = strchr(p, '/')) != NULL; *p++ = '/') {
		*p = '\0';
		if (cache_watch_dir(fs, path, FS_WATCH_ABOVE, &sx) < 0)
			return -1;
	}
	return 0;
}

/* Give E's slot a watch on its directory (E's copy learns it, and the
 * count of events so far); -1 when none can be had. */
static int
cache_watch(struct fs *fs, struct fs_cache_entry *e)
{
	struct fs_cache *c = fs->cache;
	struct fs_cache_entry *slot;
	struct statx sx;
	size_t i;
	int wd, bound = 0;

	if (!fs_watch_room(c->watch) || cache_watch_above(fs, e->rel) < 0 ||
	    (slot = cache_lock_same(c, e)) == NULL)
		return -1;
	i = (size_t)(slot - c->slots);
	cache_unlock_slot(c, slot);
	if ((wd = cache_watch_dir(fs, e->rel, (uint32_t)i, &sx)) < 0)
		return -1;
	if ((slot = cache_lock_same(c, e)) != NULL) {
		if ((bound = slot == &c->slots[i] && slot->wd == 0)) {
			slot->wd = e->wd = wd;
			slot->wdev = e->wdev = makedev(sx.stx_dev_major,
			    sx.stx_dev_minor);
			slot->wino = e->wino = sx.stx_ino;
			e->changes = slot->changes;
		}
		cache_unlock_slot(c, slot);
	}
	if (!bound)
		fs_watch_remove(c->watch, wd);
	return bound ? 0 : -1;
}

/* Take the watch E was copied with off its slot (it watches another
 * directory than the name's now). */
static void
cache_unwatch(struct fs_cache *c, const struct fs_cache_entry *e)
{
	struct fs_cache_entry *slot = cache_lock_same(c, e);
	int wd = 0;

	if (slot != NULL) {
		if (slot->wd == e->wd)
			wd = cache_drop_watch(slot);
		cache_unlock_slot(c, slot);
	}
	if (wd != 0)
		fs_watch_remove(c->watch, wd);
}

/*
 * Check E on disk and, if it is current, serve it on its watch from now
 * on: 1 current, 0 not, -1 no watch to be had (check by stamps).  The
 * watch was in place before the checks, so a change after them raises an
 * event; it is marked only if none came (E's count of events is the
 * slot's after a drain).
 */
static int
cache_arm(struct fs *fs, struct fs_cache_entry *e)
{
	struct fs_cache *c = fs->cache;
	struct fs_cache_entry *slot;
	struct cache_stamp dir;

	if (e->wd == 0 && cache_watch(fs, e) < 0)
		return -1;
	if (cache_stat(fs, e->rel, S_IFDIR, &dir) < 0 ||
	    dir.dev != e->wdev || dir.ino != e->wino) {
		cache_unwatch(c, e);
		return 0;
	}
	if (!cache_file_same(fs, e))
		return 0;
	fs_watch_drain(c->watch, &c->sink);
	if ((slot = cache_lock_same(c, e)) != NULL) {
		if (slot->wd == e->wd && slot->changes == e->changes)
			slot->watched = 1;
		cache_unlock_slot(c, slot);
	}
	return 1;
}

/* Is E, copied out of the cache, still what is on disk? */
static int
cache_current(struct fs *fs, struct fs_cache_entry *e)
{
	struct cache_stamp dir;
	int r;

	if (e->watched)
		return 1;
	if (fs->cache->watch != NULL && (r = cache_arm(fs, e)) >= 0)
		return r;
	if (cache_dir_same(fs, e, &dir))
		return 1;
	if (!cache_file_same(fs, e))
		return 0;
	if (dir.dev != 0)
		cache_settle(fs->cache, e, &dir);
	return 1;
}

void
fs_cache_sync(struct fs_cache *c)
{
	if (c != NULL && c->watch != NULL)
		fs_watch_drain(c->watch, &c->sink);
}

int
fs_cache_get(struct fs *fs, const struct fs_key *k, uint64_t key,
    uint64_t *rev_r, struct coffer_buf *out)
{
	struct fs_cache *c = fs->cache;
	struct fs_cache_entry *set, *slot, e;
	uint8_t *p = NULL;

	if (c == NULL)
		return 0;
	set = cache_lock(c, key);
	slot = cache_find(c, set, key, k->id[1]);
	if (slot != NULL &&
	    (p = fs->host->buf_reserve(out, slot->len)) != NULL) {
		memcpy(p, slot->data, slot->len);
		cache_touch(c, set, slot);
		e = *slot;
	}
	cache_unlock(c, set);
	if (p == NULL || !cache_current(fs, &e))
		return 0;
	*rev_r = e.rev;
	return 1;
}

void
fs_cache_put(struct fs *fs, const struct fs_key *k, uint64_t key,
    uint64_t rev, const struct fs_loaded *rec)
{
	struct fs_cache *c = fs->cache;
	struct fs_cache_entry *set, *slot;
	uint8_t *copy, *old;
	int wd = 0;

	if (c == NULL || rec->len > FS_CACHE_RECORD_MAX ||
	    (copy = malloc(rec->len > 0 ? rec->len : 1)) == NULL)
		return;
	memcpy(copy, rec->data, rec->len);
	set = cache_lock(c, key);
	slot = cache_victim(c, set, key, k->id[1]);
	cache_touch(c, set, slot);
	if (slot->key != key || slot->tag != k->id[1])
		wd = cache_drop_watch(slot);	/* another name's */
	slot->watched = 0;
	old = slot->data;
	slot->key = key;
	slot->tag = k->id[1];
	slot->rev = rev;
	snprintf(slot->rel, sizeof(slot->rel), "%s", k->rel);
	slot->file = (struct cache_stamp){ rec->st.st_dev, rec->st.st_ino,
	    rec->st.st_size, rec->st.st_ctim };
	slot->dir.dev = 0;	/* taken at the first hit */
	slot->data = copy;
	slot->len = rec->len;
	cache_unlock(c, set);
	free(old);
	if (wd != 0)
		fs_watch_remove(c->watch, wd);
}

void
fs_cache_forget(struct fs *fs, const struct fs_key *k, uint64_t key)
{
	struct fs_cache *c = fs->cache;
	struct fs_cache_entry *set, *slot;
	uint8_t *old = NULL;
	int wd = 0;

	if (c == NULL)
		return;
	set = cache_lock(c, key);
	if ((slot = cache_find(c, set, key, k->id[1])) != NULL) {
		old = slot->data;
		slot->data = NULL;
		slot->key = 0;
		wd = cache_drop_watch(slot);
	}
	cache_unlock(c, set);
	free(old);
	if (wd != 0)
		fs_watch_remove(c->watch, wd);
}
