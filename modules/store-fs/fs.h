/*
 * fs.h - store_fs internals.
 *
 * On-disk layout under the root directory (all directories 0700, files
 * 0600):
 *
 *	format                   "coffer store_fs 1": marks a store directory
 *	.tmp/                    files and directories being written
 *	.trash/                  names being removed
 *	KIND/XX/HASH/            one directory per name: HASH is the SHA-256 of
 *	                         the name in hex, XX its first two digits
 *	KIND/XX/HASH/name        the name itself
 *	KIND/XX/HASH/latest      a hint: a recent latest revision (never more)
 *	KIND/XX/HASH/1, 2, ...   the revisions, each a sealed record file
 *
 * Hashing keeps every name, however long and whatever bytes it holds, to one
 * fixed, lowercase path component: no name escapes the root, and no two
 * names collide even on case-insensitive file systems.  Revisions are
 * contiguous (the contract forbids gaps), so the latest is found from the
 * hint by galloping over file existence: a constant number of system calls
 * when the hint is current, O(log revisions) at worst.
 */
#ifndef STORE_FS_H
#define STORE_FS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "coffer/module.h"

#define FS_KIND_MAX	16
#define FS_HASH_HEX	64
#define FS_REL_MAX	(FS_KIND_MAX + 1 + 2 + 1 + FS_HASH_HEX + 1)
#define FS_TMP_NAME	24
#define FS_FORMAT	"coffer store_fs 1\n"

struct fs {
	const struct coffer_host *host;
	char		*path;		/* root, for messages */
	int		 root;		/* directory descriptors */
	int		 tmp;
	int		 trash;
	int		 durable;	/* fsync files and directories */
	size_t		 max_record;
	struct fs_memo	*memo;		/* hints about names (fs_memo.c) */
	struct fs_cache	*cache;		/* sealed latest records, or NULL */
};

/* Where one name lives.  ID, a keyed hash of kind and name (SipHash,
 * with a key of this process's), finds it in the memo and the cache
 * without the SHA-256 of the path: ID[0] picks the slot, ID[1] tells
 * names apart within it.  Two names with the same 128 bits would at
 * worst be served each other's sealed record, which then fails to open
 * (the seal covers the name). */
struct fs_key {
	uint64_t id[2];
	char	kind[FS_KIND_MAX + 1];
	char	fanout[3];
	char	hash[FS_HASH_HEX + 1];
	char	rel[FS_REL_MAX];	/* KIND/XX/HASH */
};

/* fs_layout.c */
/* Check KIND and NAME and make K for them: fs_key_id() only the ID,
 * enough for the memo and the cache; fs_key_path() then the path. */
enum coffer_rc	 fs_key(const char *kind, const char *name, struct fs_key *k,
		    struct coffer_error *err);
enum coffer_rc	 fs_key_id(const char *kind, const char *name,
		    struct fs_key *k, struct coffer_error *err);
void		 fs_key_path(struct fs_key *k, const char *name);
enum coffer_rc	 fs_errno(struct fs *fs, const char *rel, const char *what,
		    int errnum, struct coffer_error *err);
enum coffer_rc	 fs_fsync_dir(struct fs *fs, int dirfd, const char *rel,
		    struct coffer_error *err);
void		 fs_tmp_name(char name[FS_TMP_NAME]);
/* PATH under the store's root with openat2 (kernel 5.6): no symbolic link
 * anywhere on the way, nothing outside the root.  -1 with errno (ENOSYS
 * without openat2). */
int		 fs_open_beneath(struct fs *fs, const char *path, int flags);
/* 1 when REL/REV is absent, the way there free of links (openat2). */
int		 fs_absent_beneath(struct fs *fs, const char *rel, uint64_t rev);
enum coffer_rc	 fs_name_dir(struct fs *fs, const struct fs_key *k,
		    const char *name, int create, int *dirfd_r,
		    struct coffer_error *err);
enum coffer_rc	 fs_name_read(struct fs *fs, int dirfd, const char *rel,
		    char *buf, size_t size, struct coffer_error *err);
enum coffer_rc	 fs_exists(struct fs *fs, int dirfd, const char *rel,
		    uint64_t rev, int *exists_r, struct coffer_error *err);
/* fs_memo.c */
/* Room for NAMES names at least (the cache's size). */
struct fs_memo	*fs_memo_new(size_t names);
void		 fs_memo_free(struct fs_memo *m);
uint64_t	 fs_memo_key(const struct fs_key *k);
int		 fs_memo_name_known(struct fs_memo *m, uint64_t key);
void		 fs_memo_name_checked(struct fs_memo *m, uint64_t key);
uint64_t	 fs_memo_latest(struct fs_memo *m, uint64_t key);
void		 fs_memo_set_latest(struct fs_memo *m, uint64_t key,
		    uint64_t rev);
void		 fs_memo_forget(struct fs_memo *m, uint64_t key);

/* The latest revision of the name in DIRFD, starting from HINT (0: read
 * the hint file); the hint is confirmed on disk, never trusted. */
enum coffer_rc	 fs_latest(struct fs *fs, int dirfd, const char *rel,
		    uint64_t hint, uint64_t *latest_r, struct coffer_error *err);
void		 fs_hint_write(struct fs *fs, int dirfd, uint64_t rev);
void		 fs_remove_tree(int parent, const char *name);

/* fs_record.c */
#define FS_HEADER	32
/* What fs_record_load() read: the file's status and the record's bytes
 * (in the buffer it filled). */
struct fs_loaded {
	struct stat	 st;
	const uint8_t	*data;
	size_t		 len;
};
enum coffer_rc	 fs_record_write(struct fs *fs, const char *tmpname,
		    const void *data, size_t len, struct coffer_error *err);
/* The record in the open file FD (revision REV of REL), checked, into
 * OUT; what was read in *LOADED. */
enum coffer_rc	 fs_record_load(struct fs *fs, int fd, const char *rel,
		    uint64_t rev, struct coffer_buf *out,
		    struct fs_loaded *loaded, struct coffer_error *err);
enum coffer_rc	 fs_record_read(struct fs *fs, int dirfd, const char *rel,
		    uint64_t rev, struct coffer_buf *out,
		    struct coffer_error *err);

/* fs_cache.c: records of at most FS_CACHE_RECORD_MAX bytes are kept. */
#define FS_CACHE_RECORD_MAX	4096
#define FS_CACHE_DEFAULT	4096	/* entries */
#define FS_CACHE_MAX		(16 * 1024 * 1024)
#define FS_CACHE_SETTLE		2	/* seconds before a directory's change
					   time is trusted alone */
struct fs_cache	*fs_cache_new(size_t entries);
void		 fs_cache_free(struct fs_cache *c);
/* Serve entries on inotify watches (fs_watch.c) of their directories in
 * the store at ROOT; -1 with the reason in *WHY_R when they cannot be. */
int		 fs_cache_watch(struct fs_cache *c, int root,
		    const char **why_r);
/* Take in the changes made so far: call before fs_cache_get() (once for
 * many), so that a change finished before is seen. */
void		 fs_cache_sync(struct fs_cache *c);
/* 1 with the latest revision of K in OUT and its number in *REV_R when
 * the cache holds it and it is still what is on disk (as of the last
 * fs_cache_sync()), the latest included: entries are only ever put for
 * the latest, and a newer revision makes them stale; 0: read the file. */
int		 fs_cache_get(struct fs *fs, const struct fs_key *k,
		    uint64_t key, uint64_t *rev_r, struct coffer_buf *out);
/* Keep REC, revision REV of K, as fs_record_load() read it. */
void		 fs_cache_put(struct fs *fs, const struct fs_key *k,
		    uint64_t key, uint64_t rev, const struct fs_loaded *rec);
void		 fs_cache_forget(struct fs *fs, const struct fs_key *k,
		    uint64_t key);

/* fs_watch.c: inotify watches on directories, each for a cache slot. */
struct fs_watch;
struct fs_watch_sink {
	/* Something changed in (or of) SLOT's directory; GONE: the watch
	 * WD is no more. */
	void	(*changed)(void *arg, uint32_t slot, int wd, int gone);
	void	(*lost)(void *arg);	/* events were dropped */
	void	*arg;
};
/* Watches for the store at ROOT, at most about MAX at once; NULL with
 * the reason in *WHY_R when its file system is not local (or no memory,
 * or no inotify). */
struct fs_watch	*fs_watch_new(int root, size_t max, const char **why_r);
void		 fs_watch_free(struct fs_watch *w);
/* Watch the directory open as DIRFD for SLOT: the watch's number, or -1
 * (no room: the user's inotify watches are all in use, say).  A directory
 * above names is watched for FS_WATCH_ABOVE: only its going is reported,
 * as lost events. */
#define FS_WATCH_ABOVE	UINT32_MAX
int		 fs_watch_add(struct fs_watch *w, int dirfd, uint32_t slot);
/* 0 while adding a watch would fail anyway. */
int		 fs_watch_room(struct fs_watch *w);
void		 fs_watch_remove(struct fs_watch *w, int wd);
/* Hand every event queued so far to SINK. */
void		 fs_watch_drain(struct fs_watch *w,
		    const struct fs_watch_sink *sink);

/* fs_list.c */
enum coffer_rc	 fs_list(void *inst, const char *kind, const char *prefix,
		    const char *cursor, size_t limit, coffer_name_cb cb,
		    void *arg, struct coffer_buf *next,
		    struct coffer_error *err);

#endif
