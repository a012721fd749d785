/*
 * fs_watch.c - inotify watches on the directories of cached names, and
 * which cache slot each watch belongs to.
 *
 * The kernel queues an event while the system call that changes a watched
 * directory runs, so one read of the queue, once a request has arrived,
 * sees every change finished before it: a cache hit then costs that read
 * (shared by every name) instead of a statx of each name's directory.
 * The queue is read under one lock, and each event handed to the cache
 * before the lock is let go, so that a thread that finds it empty knows
 * every earlier event has been applied.
 *
 * Only file systems whose changes all pass through this kernel are
 * watched: on NFS, CIFS or FUSE another machine's write raises no event.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fs.h"

/* A name's directory: anything that can change what it holds or where it
 * is.  IN_MASK_CREATE: a directory already watched fails, so that each
 * such watch has one owner. */
#define WATCH_MASK	(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | \
			 IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | \
			 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | \
			 IN_MASK_CREATE)
/* A directory above names (KIND, KIND/XX), shared: only its going. */
#define WATCH_ABOVE	(IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define WATCH_ROOM	1024	/* in the map for directories above */
#define WATCH_EVENT_MAX	(sizeof(struct inotify_event) + NAME_MAX + 1)

struct watch_slot {
	int		 wd;		/* 0: empty */
	uint32_t	 slot;		/* the cache's */
};

struct fs_watch {
	int			 fd;
	pthread_mutex_t		 lock;	/* the queue's reads and the map */
	size_t			 mask;	/* map size - 1 */
	size_t			 used;
	struct watch_slot	*map;	/* open addressing, linear probes */
	atomic_int		 room;	/* 0: the user's watches ran out (until
					   one goes); -1: watching failed */
};

/* Does every change to files under ROOT pass through this kernel? */
static int
watch_local(int root)
{
	struct statfs sf;

	if (fstatfs(root, &sf) < 0)
		return 0;
	switch ((unsigned long)sf.f_type) {
	case EXT4_SUPER_MAGIC:		/* ext2 and ext3 too */
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
	case F2FS_SUPER_MAGIC:
	case TMPFS_MAGIC:
		return 1;
	default:
		return 0;
	}
}

/* Held for a read of an empty queue, mostly: spinning a little beats
 * sleeping when another thread holds it. */
static void
watch_lock_init(pthread_mutex_t *lock)
{
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
	pthread_mutex_init(lock, &attr);
	pthread_mutexattr_destroy(&attr);
}

struct fs_watch *
fs_watch_new(int root, size_t max, const char **why_r)
{
	struct fs_watch *w;
	size_t size = 16;

	*why_r = "the file system is not a local one inotify sees in full";
	if (!watch_local(root))
		return NULL;
	*why_r = "out of memory";
	while (size < 2 * (max + WATCH_ROOM))
		size *= 2;
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->map = calloc(size, sizeof(*w->map))) == NULL) {
		free(w);
		return NULL;
	}
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		*why_r = errno == EMFILE ? "the user's inotify instances "
		    "(fs.inotify.max_user_instances) are all in use" :
		    "inotify_init1 failed";
		free(w->map);
		free(w);
		return NULL;
	}
	w->mask = size - 1;
	atomic_init(&w->room, 1);
	watch_lock_init(&w->lock);
	return w;
}

void
fs_watch_free(struct fs_watch *w)
{
	if (w == NULL)
		return;
	close(w->fd);		/* and every watch with it */
	pthread_mutex_destroy(&w->lock);
	free(w->map);
	free(w);
}

static size_t
watch_hash(const struct fs_watch *w, int wd)
{
	return ((uint32_t)wd * 2654435761u) & w->mask;
}

static struct watch_slot *
watch_find(struct fs_watch *w, int wd)
{
	for (size_t i = watch_hash(w, wd); w->map[i].wd != 0;
	    i = (i + 1) & w->mask) {
		if (w->map[i].wd == wd)
			return &w->map[i];
	}
	return NULL;
}

/* Map WD to SLOT; -1 when the map is three quarters full. */
static int
watch_map(struct fs_watch *w, int wd, uint32_t slot)
{
	struct watch_slot *s = watch_find(w, wd);
	size_t i;

	if (s == NULL) {
		if (4 * (w->used + 1) > 3 * (w->mask + 1))
			return -1;
		for (i = watch_hash(w, wd); w->map[i].wd != 0;
		    i = (i + 1) & w->mask)
			;
		s = &w->map[i];
		s->wd = wd;
		w->used++;
	}
	s->slot = slot;
	return 0;
}

/* Empty S, moving back the entries after it that probed past it. */
static void
watch_unmap(struct fs_watch *w, struct watch_slot *s)
{
	size_t i = (size_t)(s - w->map), j = i, home;

	for (;;) {
		j = (j + 1) & w->mask;
		if (w->map[j].wd == 0)
			break;
		home = watch_hash(w, w->map[j].wd);
		/* Stays where it is when HOME lies cyclically in (i, j]. */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		w->map[i] = w->map[j];
		i = j;
	}
	w->map[i].wd = 0;
	w->used--;
}

int
fs_watch_room(struct fs_watch *w)
{
	return atomic_load_explicit(&w->room, memory_order_relaxed) > 0;
}

/* After inotify_add_watch() failed with ERRNUM. */
static void
watch_failed(struct fs_watch *w, int errnum)
{
	if (errnum == ENOSPC)
		atomic_store(&w->room, 0);
	else if (errnum != EEXIST)	/* EEXIST: another thread's watch */
		atomic_store(&w->room, -1);	/* no /proc, say */
}

int
fs_watch_add(struct fs_watch *w, int dirfd, uint32_t slot)
{
	char path[32];
	int wd;

	/* The directory opened, not a path that may lead elsewhere by now. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", dirfd);
	pthread_mutex_lock(&w->lock);
	if ((wd = inotify_add_watch(w->fd, path, slot == FS_WATCH_ABOVE ?
	    WATCH_ABOVE : WATCH_MASK)) < 0)
		watch_failed(w, errno);
	else if (watch_map(w, wd, slot) < 0) {
		inotify_rm_watch(w->fd, wd);
		wd = -1;
	}
	pthread_mutex_unlock(&w->lock);
	return wd > 0 ? wd : -1;
}

void
fs_watch_remove(struct fs_watch *w, int wd)
{
	/* Its IN_IGNORED event, read later, takes it out of the map. */
	inotify_rm_watch(w->fd, wd);
}

/* Hand the events in BUF[0..N) on; a watch gone is taken out. */
static void
watch_events(struct fs_watch *w, const char *buf, size_t n,
    const struct fs_watch_sink *sink)
{
	const struct inotify_event *ev;
	struct watch_slot *s;

	for (size_t off = 0; off + sizeof(*ev) <= n;
	    off += sizeof(*ev) + ev->len) {
		ev = (const struct inotify_event *)(const void *)(buf + off);
		if (ev->mask & IN_Q_OVERFLOW) {
			sink->lost(sink->arg);
			continue;
		}
		if ((s = watch_find(w, ev->wd)) == NULL)
			continue;
		if (s->slot == FS_WATCH_ABOVE)	/* moved: paths lead elsewhere */
			sink->lost(sink->arg);
		else
			sink->changed(sink->arg, s->slot, ev->wd,
			    (ev->mask & IN_IGNORED) != 0);
		if (ev->mask & IN_IGNORED) {
			watch_unmap(w, s);
			atomic_compare_exchange_strong(&w->room, &(int){ 0 },
			    1);
		}
	}
}

void
fs_watch_drain(struct fs_watch *w, const struct fs_watch_sink *sink)
{
	_Alignas(struct inotify_event) char buf[4096];
	ssize_t n;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		if ((n = read(w->fd, buf, sizeof(buf))) < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			sink->lost(sink->arg);	/* cannot tell: trust none */
		if (n <= 0)
			break;
		watch_events(w, buf, (size_t)n, sink);
		/* Room left for the largest event: the queue was emptied. */
		if (sizeof(buf) - (size_t)n >= WATCH_EVENT_MAX)
			break;
	}
	pthread_mutex_unlock(&w->lock);
}
